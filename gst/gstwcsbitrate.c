/* gst-wcs: zero-bitrate detector
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See gstwcsbitrate.h. The readings come from the webrtcbin stats helpers
 * of gstwcsstats.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcsbitrate.h"

GST_DEBUG_CATEGORY_STATIC (gst_wcs_bitrate_debug);
#define GST_CAT_DEFAULT gst_wcs_bitrate_debug

static void
ensure_debug_category (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_wcs_bitrate_debug, "wcsbitrate", 0,
        "WCS zero-bitrate detector");
    g_once_init_leave (&done, 1);
  }
}

struct _GstWcsBitrateDetector
{
  guint max_tries;
  guint zero_readings;          /* current run of consecutive zero readings */
  gboolean fired;               /* push() returned TRUE since the last reset */
  gboolean have_prev;
  guint64 prev_bytes;
  GstClockTime prev_time;
  guint64 last_bitrate;
};

GstWcsBitrateDetector *
gst_wcs_bitrate_detector_new (guint max_tries)
{
  GstWcsBitrateDetector *d = g_new0 (GstWcsBitrateDetector, 1);

  ensure_debug_category ();
  d->max_tries = max_tries;
  gst_wcs_bitrate_detector_reset (d);
  return d;
}

void
gst_wcs_bitrate_detector_free (GstWcsBitrateDetector * d)
{
  g_free (d);
}

void
gst_wcs_bitrate_detector_reset (GstWcsBitrateDetector * d)
{
  g_return_if_fail (d != NULL);

  d->zero_readings = 0;
  d->fired = FALSE;
  d->have_prev = FALSE;
  d->prev_bytes = 0;
  d->prev_time = GST_CLOCK_TIME_NONE;
  d->last_bitrate = 0;
}

gboolean
gst_wcs_bitrate_detector_push (GstWcsBitrateDetector * d, guint64 bytes,
    GstClockTime now, guint64 * bitrate_out)
{
  guint64 delta, bitrate = 0;
  gboolean fire = FALSE;

  if (bitrate_out)
    *bitrate_out = 0;
  g_return_val_if_fail (d != NULL, FALSE);

  if (!GST_CLOCK_TIME_IS_VALID (now)) {
    GST_WARNING ("reading with an invalid time ignored");
    return FALSE;
  }

  if (d->have_prev && bytes < d->prev_bytes) {
    GST_DEBUG ("byte counter went down (%" G_GUINT64_FORMAT " -> %"
        G_GUINT64_FORMAT "): new counter, starting over", d->prev_bytes, bytes);
    gst_wcs_bitrate_detector_reset (d);
  } else if (d->have_prev && now < d->prev_time) {
    GST_WARNING ("time went backwards (%" GST_TIME_FORMAT " -> %"
        GST_TIME_FORMAT "): starting over", GST_TIME_ARGS (d->prev_time),
        GST_TIME_ARGS (now));
    gst_wcs_bitrate_detector_reset (d);
  }

  if (!d->have_prev) {
    /* first reading: nothing to compare with, not a zero reading */
    d->have_prev = TRUE;
    d->prev_bytes = bytes;
    d->prev_time = now;
    d->last_bitrate = 0;
    return FALSE;
  }

  delta = bytes - d->prev_bytes;

  if (delta == 0) {
    d->zero_readings++;
    d->prev_time = now;
    d->last_bitrate = 0;
    if (d->max_tries > 0 && d->zero_readings >= d->max_tries && !d->fired) {
      d->fired = TRUE;
      fire = TRUE;
      GST_INFO ("%u consecutive zero readings", d->zero_readings);
    }
  } else {
    d->zero_readings = 0;
    if (now == d->prev_time) {
      /* no time elapsed: cannot compute a rate; keep the previous reading
       * as the reference so these bytes count in the next interval */
      bitrate = d->last_bitrate;
    } else {
      bitrate = gst_util_uint64_scale (delta, 8 * GST_SECOND,
          now - d->prev_time);
      d->prev_bytes = bytes;
      d->prev_time = now;
      d->last_bitrate = bitrate;
    }
  }

  if (bitrate_out)
    *bitrate_out = bitrate;
  return fire;
}

guint
gst_wcs_bitrate_detector_get_zero_readings (GstWcsBitrateDetector * d)
{
  g_return_val_if_fail (d != NULL, 0);

  return d->zero_readings;
}
