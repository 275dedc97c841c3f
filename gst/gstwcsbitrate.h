/* gst-wcs: zero-bitrate detector and webrtcbin stats helpers
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The detector of docs/protocol.md 8.5, with the defects of 8.8 fixed: bit/s
 * computed over the real interval, no cumulative first reading, fires once,
 * codec from the RTP stats rather than from the SDP.
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

/**
 * gst_wcs_stats_get_video_bytes_sent:
 * @stats: the structure webrtcbin's "get-stats" promise replies with
 * @bytes: (out): sum of `bytes-sent` over the video `outbound-rtp` entries
 *
 * Returns: %TRUE if at least one video outbound-rtp entry carried
 *   `bytes-sent`
 */
gboolean gst_wcs_stats_get_video_bytes_sent (const GstStructure * stats,
    guint64 * bytes);

/**
 * gst_wcs_stats_get_video_bytes_received:
 * @stats: the structure webrtcbin's "get-stats" promise replies with
 * @bytes: (out): sum of `bytes-received` over the video `inbound-rtp`
 *   entries
 *
 * Returns: %TRUE if at least one video inbound-rtp entry carried
 *   `bytes-received`
 */
gboolean gst_wcs_stats_get_video_bytes_received (const GstStructure * stats,
    guint64 * bytes);

/**
 * gst_wcs_stats_get_video_codec:
 * @stats: the structure webrtcbin's "get-stats" promise replies with
 * @outbound: %TRUE: the codec of the video outbound-rtp entry, %FALSE: of
 *   the video inbound-rtp entry
 *
 * Follows the rtp entry's `codec-id` to its codec entry and returns the
 * subtype of its `mime-type` ("video/VP8" -> "VP8", "video/H264" -> "H264").
 * Note: webrtcbin 1.22 fills the codec entry (payload type, mime-type) only
 * on the sending side; for inbound video its codec entry is empty and this
 * returns %NULL: a player takes its codec from the caps of its src pad.
 *
 * Returns: (transfer full) (nullable): the codec name, %NULL if unknown
 */
gchar *gst_wcs_stats_get_video_codec (const GstStructure * stats,
    gboolean outbound);

/**
 * gst_wcs_stats_get_ssrc_bytes_sent:
 * @stats: the structure webrtcbin's "get-stats" promise replies with
 * @ssrc: the SSRC the sender's payloader uses
 * @bytes: (out): `bytes-sent` of the outbound-rtp entries of that SSRC
 * @codec: (out) (optional) (transfer full): subtype of the video mime-type
 *   of the codec entry of that SSRC ("H264", "VP8"), or %NULL
 *
 * Like gst_wcs_stats_get_video_bytes_sent(), but keyed by SSRC: webrtcbin
 * 1.22 with a bundled audio m-line files every outbound-rtp entry under the
 * last transceiver (kind "audio", the audio codec-id), so a sender that
 * knows its video SSRC should use this.
 *
 * Returns: %TRUE if an outbound-rtp entry of that SSRC carried bytes-sent
 */
gboolean gst_wcs_stats_get_ssrc_bytes_sent (const GstStructure * stats,
    guint32 ssrc, guint64 * bytes, gchar ** codec);

G_END_DECLS

#endif /* __GST_WCS_BITRATE_H__ */
