/* gst-wcs: zero-bitrate detector
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The detector of docs/protocol.md 8.5, with the defects of 8.8 fixed: bit/s
 * computed over the real interval, no cumulative first reading, fires once.
 * Its readings (and the codec, taken from the RTP stats rather than from the
 * SDP) come from the webrtcbin stats helpers in gstwcsstats.h.
 */
#ifndef __GST_WCS_BITRATE_H__
#define __GST_WCS_BITRATE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * GstWcsBitrateDetector:
 *
 * Opaque. Not thread-safe: use it from one thread (or under the owner's
 * lock).
 */
typedef struct _GstWcsBitrateDetector GstWcsBitrateDetector;

/**
 * gst_wcs_bitrate_detector_new:
 * @max_tries: consecutive zero readings that mean failure (0: never fires)
 *
 * Returns: (transfer full): a new detector, free with
 *   gst_wcs_bitrate_detector_free()
 */
GstWcsBitrateDetector *gst_wcs_bitrate_detector_new (guint max_tries);

/**
 * gst_wcs_bitrate_detector_free:
 * @d: (nullable): a detector
 */
void gst_wcs_bitrate_detector_free (GstWcsBitrateDetector * d);

/**
 * gst_wcs_bitrate_detector_reset:
 * @d: a detector
 *
 * Forgets the previous reading, the zero run and the fired state (call it
 * whenever a new publish starts).
 */
void gst_wcs_bitrate_detector_reset (GstWcsBitrateDetector * d);

/**
 * gst_wcs_bitrate_detector_push:
 * @d: a detector
 * @bytes: cumulative video bytes (sent or received)
 * @now: a monotonic time in ns
 * @bitrate_out: (out) (optional): bit/s since the previous reading
 *   (Δbytes * 8 / Δt); 0 for the first reading after a reset
 *
 * One reading. The first reading after a reset is not a zero reading. A
 * reading whose @bytes is below the previous one (a new webrtcbin after a
 * republish, a wrapped counter) or whose @now went backwards is treated as
 * a reset followed by a first reading. A reading with more bytes ends the
 * zero run.
 *
 * Returns: %TRUE exactly once, on the reading that completes max_tries
 *   consecutive zero readings; then %FALSE until reset
 */
gboolean gst_wcs_bitrate_detector_push (GstWcsBitrateDetector * d,
    guint64 bytes, GstClockTime now, guint64 * bitrate_out);

/**
 * gst_wcs_bitrate_detector_get_zero_readings:
 * @d: a detector
 *
 * Returns: the current run of consecutive zero readings
 */
guint gst_wcs_bitrate_detector_get_zero_readings (GstWcsBitrateDetector * d);

G_END_DECLS

#endif /* __GST_WCS_BITRATE_H__ */
