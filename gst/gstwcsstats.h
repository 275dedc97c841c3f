/* gst-wcs: webrtcbin stats helpers
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Walkers over the structure webrtcbin's "get-stats" promise replies with:
 * video bytes sent / received (by kind or by SSRC) and the codec really
 * sent (docs/protocol.md 8.8 #2, docs/restore.md section 6). They feed the
 * zero-bitrate detector (gstwcsbitrate.h) and the elements' stats.
 */
#ifndef __GST_WCS_STATS_H__
#define __GST_WCS_STATS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

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

#endif /* __GST_WCS_STATS_H__ */
