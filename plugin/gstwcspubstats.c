/* gst-wcs: wcspublishsink, statistics and the zero-bitrate detector
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * While PUBLISHING: webrtcbin's statistics every bitrate-check-interval ms
 * feed the element's stats and the zero-bitrate detector, which reports
 * the failure (and the H264 -> VP8 fallback). Element thread.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/webrtc/webrtc.h>

#include "gstwcspublishsink-private.h"
#include "gstwcsstats.h"

#define GST_CAT_DEFAULT gst_wcs_publish_sink_debug

/* ------------------------------------------------------------------ */
/* bitrate detector / stats (element thread)                           */

static void
detector_fired (PubSession * ps)
{
  GstWcsPublishSink *self = ps->sink;
  gchar *codec = ps->codec ? g_strdup (ps->codec) :
      gst_wcs_element_get_codec (GST_WCS_ELEMENT (self));
  guint zeros = gst_wcs_bitrate_detector_get_zero_readings (ps->detector);
  gboolean change_codec, fallback = FALSE, vp8_stripped;
  gchar *strip;

  ps->detector_done = TRUE;
  wcs_pub_stats_stop (ps);

  GST_WARNING_OBJECT (self, "no video sent for %u readings (codec %s)",
      zeros, GST_STR_NULL (codec));
  gst_wcs_element_post (GST_WCS_ELEMENT (self),
      gst_structure_new ("wcs-publish-failure",
          "codec", G_TYPE_STRING, codec ? codec : "",
          "zero-readings", G_TYPE_UINT, zeros, NULL));

  GST_OBJECT_LOCK (self);
  change_codec = self->change_codec;
  strip = g_strdup (self->strip_codecs);
  GST_OBJECT_UNLOCK (self);
  vp8_stripped = gst_wcs_publish_sink_csv_has (strip, "VP8");
  g_free (strip);

  if (change_codec && ps->video_raw && !vp8_stripped &&
      g_strcmp0 (codec, "H264") == 0) {
    g_mutex_lock (&self->lock);
    fallback = !self->fallback_vp8;
    self->fallback_vp8 = TRUE;
    g_mutex_unlock (&self->lock);
  }
  if (fallback) {
    GST_WARNING_OBJECT (self, "falling back from H264 to VP8");
    gst_wcs_element_post (GST_WCS_ELEMENT (self),
        gst_structure_new ("wcs-codec-fallback",
            "from", G_TYPE_STRING, "H264", "to", G_TYPE_STRING, "VP8", NULL));
  }

  {
    gchar *detail = g_strdup_printf ("No video bytes sent for %u bitrate "
        "checks in a row (codec %s)", zeros, codec ? codec : "unknown");

    gst_wcs_element_report_failure (GST_WCS_ELEMENT (self),
        GST_WCS_RESTORE_REASON_BITRATE_ZERO, FALSE, detail);
    g_free (detail);
  }
  g_free (codec);
}

static void
ps_process_stats (PubSession * ps, GstStructure * stats)
{
  GstWcsPublishSink *self = ps->sink;
  guint64 bytes = 0, bitrate = 0;
  gboolean flowing, video_ended, fired, check;
  gchar *codec;

  g_mutex_lock (&self->lock);
  flowing = ps->flowing;
  video_ended = self->video && self->video->eos;
  g_mutex_unlock (&self->lock);
  if (!flowing || ps->detector_done || !ps->detector || !ps->webrtc)
    return;

  /* a video input that ended (EOS: the unpublish is under way, or only the
   * audio goes on), or a deliberate stop, sends nothing on purpose: no
   * reading counts */
  if (video_ended || !gst_wcs_element_is_running (GST_WCS_ELEMENT (self))) {
    GST_LOG_OBJECT (self, "video ended or stopping: no reading");
    gst_wcs_bitrate_detector_reset (ps->detector);
    return;
  }

  /* nothing can leave before ICE and DTLS are up: a slow handshake (a
   * loaded machine, a cold server) is not a stalled publish. The detector
   * counts from the first reading on a connected transport (until then
   * stream-timeout bounds the wait); once connected, every reading counts,
   * so a transport that dies later is still a zero bitrate */
  if (!ps->was_connected) {
    GstWebRTCPeerConnectionState conn;

    g_object_get (ps->webrtc, "connection-state", &conn, NULL);
    if (conn != GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
      GST_LOG_OBJECT (self, "peer connection state %d: no reading yet", conn);
      gst_wcs_bitrate_detector_reset (ps->detector);
      return;
    }
    ps->was_connected = TRUE;
  }

  GST_TRACE_OBJECT (self, "stats %" GST_PTR_FORMAT, stats);
  /* by our video SSRC: webrtcbin 1.22 files bundled entries under the
   * audio transceiver (see gst_wcs_stats_get_ssrc_bytes_sent) */
  if (!gst_wcs_stats_get_ssrc_bytes_sent (stats, ps->video_ssrc, &bytes,
          &codec) && !gst_wcs_stats_get_video_bytes_sent (stats, &bytes))
    bytes = 0;                  /* nothing sent at all yet */
  fired = gst_wcs_bitrate_detector_push (ps->detector, bytes,
      g_get_monotonic_time () * GST_USECOND, &bitrate);

  g_mutex_lock (&self->lock);
  self->bitrate = bitrate;
  self->bytes = bytes;
  g_mutex_unlock (&self->lock);

  if (!codec)
    codec = gst_wcs_stats_get_video_codec (stats, TRUE);
  if (codec) {
    gst_wcs_element_set_codec (GST_WCS_ELEMENT (self), codec);
    g_free (codec);
  }
  GST_LOG_OBJECT (self, "video bytes %" G_GUINT64_FORMAT ", %"
      G_GUINT64_FORMAT " bit/s, zero readings %u", bytes, bitrate,
      gst_wcs_bitrate_detector_get_zero_readings (ps->detector));

  /* a publish is restored once video really goes out, not at PUBLISHING:
   * a stalled encoder keeps the outage open (and counts its tries) */
  if (bitrate > 0 && !ps->active_reported) {
    ps->active_reported = TRUE;
    GST_INFO_OBJECT (self, "video bytes go out on %s: stream active", ps->id);
    gst_wcs_element_stream_active (GST_WCS_ELEMENT (self));
  }

  GST_OBJECT_LOCK (self);
  check = self->check_bitrate;
  GST_OBJECT_UNLOCK (self);
  if (fired && check && ps->has_video)
    detector_fired (ps);
}

/* webrtcbin's thread */
static void
on_stats_reply (const GstStructure * stats, gpointer user_data)
{
  PubSession *ps = user_data;

  gst_wcs_publish_sink_ps_invoke (ps, ps_process_stats,
      gst_structure_copy (stats));
}

static gboolean
stats_tick (gpointer user_data)
{
  PubSession *ps = user_data;

  if (!gst_wcs_publish_sink_ps_is_current (ps->sink, ps) || !ps->peer)
    return G_SOURCE_CONTINUE;
  gst_wcs_peer_get_stats (ps->peer, on_stats_reply,
      gst_wcs_publish_sink_ps_ref (ps), gst_wcs_publish_sink_ps_unref);
  return G_SOURCE_CONTINUE;
}

void
wcs_pub_stats_start (PubSession * ps)
{
  GstWcsPublishSink *self = ps->sink;
  GMainContext *ctx = gst_wcs_element_get_context (GST_WCS_ELEMENT (self));
  guint interval, tries;
  gboolean check;

  if (ps->stats_source || ps->detector_done || !ctx)
    return;

  GST_OBJECT_LOCK (self);
  interval = self->bitrate_check_interval;
  tries = self->bitrate_max_tries;
  check = self->check_bitrate;
  GST_OBJECT_UNLOCK (self);

  if (!ps->detector)
    ps->detector = gst_wcs_bitrate_detector_new (check && ps->has_video ?
        tries : 0);
  gst_wcs_bitrate_detector_reset (ps->detector);

  ps->stats_source = g_timeout_source_new (MAX (interval, 1));
  g_source_set_callback (ps->stats_source, stats_tick,
      gst_wcs_publish_sink_ps_ref (ps), gst_wcs_publish_sink_ps_unref);
  g_source_attach (ps->stats_source, ctx);
  GST_DEBUG_OBJECT (self, "bitrate checks every %u ms (%s)", interval,
      check ? "detector on" : "stats only");
}

void
wcs_pub_stats_stop (PubSession * ps)
{
  if (ps->stats_source) {
    g_source_destroy (ps->stats_source);
    g_source_unref (ps->stats_source);
    ps->stats_source = NULL;
  }
}
