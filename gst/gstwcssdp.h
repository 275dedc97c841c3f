/* gst-wcs: SDP helpers (codec stripping, negotiated codec)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A correct version of the SDK's stripCodecs (docs/protocol.md 6): exact
 * per-m-section payload matching, companions (RTX / RED / FEC) removed with
 * the codec they protect, CRLF kept (GstSDPMessage writes CRLF).
 */
#ifndef __GST_WCS_SDP_H__
#define __GST_WCS_SDP_H__

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

/**
 * gst_wcs_sdp_strip_codec:
 * @msg: the SDP to edit in place
 * @codec: encoding name, matched exactly but case-insensitively against the
 *     a=rtpmap encoding names ("H264" matches "H264/90000", never "H264-SVC");
 *     surrounding white space is ignored. Static payload types without an
 *     a=rtpmap line (0 PCMU, 8 PCMA, 9 G722, ...) match their RFC 3551 names.
 * @removed: (out) (optional): number of payload types removed in all
 *     m-sections, companions included; 0 when @codec was not present
 * @error: return location for a #GError
 *
 * Removes @codec from every m-section: its payload types in the m= line and
 * their a=rtpmap, a=fmtp and a=rtcp-fb lines (exact payload match: the
 * payload number followed by white space or the end of the value, so PT 9
 * never touches 96..99). RTX, RED, ULPFEC and FlexFEC payloads whose
 * a=fmtp apt= (or, for RED, whose redundancy list "111/111") refers to a
 * removed payload are removed as well, transitively (the RTX of such a RED
 * goes too). Every m-section is handled on its own.
 *
 * Fails with %GST_WCS_ERROR_INVALID_ARGUMENT, leaving @msg untouched, when
 * @codec is empty or when an audio or video m-section would be left without
 * any media codec (only RTX/RED/FEC/CN/telephone-event, or nothing at all).
 *
 * Returns: %TRUE on success, also when the codec was not present.
 */
gboolean gst_wcs_sdp_strip_codec (GstSDPMessage * msg, const gchar * codec,
    guint * removed, GError ** error);

/**
 * gst_wcs_sdp_strip_codecs:
 * @msg: the SDP to edit in place
 * @csv: (nullable): comma-separated encoding names, e.g. "H264,PCMA";
 *     white space around names and empty items are ignored, case does not
 *     matter. %NULL or "" strips nothing.
 * @error: return location for a #GError
 *
 * gst_wcs_sdp_strip_codec() for every listed codec, all at once: either
 * every codec is stripped, or @msg is left untouched and an error (as for
 * gst_wcs_sdp_strip_codec()) is returned.
 *
 * Returns: %TRUE on success.
 */
gboolean gst_wcs_sdp_strip_codecs (GstSDPMessage * msg, const gchar * csv,
    GError ** error);

/**
 * gst_wcs_sdp_get_codec:
 * @msg: an SDP, typically the answer
 * @media: "video" or "audio" (case-insensitive)
 *
 * Finds the first m-section of @media that is not rejected (port 0) and
 * returns the encoding name of its first negotiated media codec (the first
 * payload of the m= line, skipping RTX/RED/FEC/CN/telephone-event
 * payloads), in upper case: "H264", "VP8", "OPUS".
 *
 * Returns: (transfer full) (nullable): the codec name, %NULL if there is no
 * such m-section or its payloads cannot be named.
 */
gchar *gst_wcs_sdp_get_codec (const GstSDPMessage * msg, const gchar * media);

/**
 * gst_wcs_sdp_unbundle_only:
 * @msg: an offer of webrtcbin with bundle-policy max-bundle
 *
 * webrtcbin's max-bundle offer gives every m-line but the first port 0 and
 * `a=bundle-only` (RFC 8843). Servers written against browsers (the WCS SDK
 * runs with max-compat) take port 0 for a rejected m-line, so this rewrites
 * the offer the way Chrome sends it: `a=bundle-only` removed and port 9,
 * still bundled through `a=group:BUNDLE`. Apply it to the copy sent to the
 * server only (like the SDK's stripCodecs), never to the local description.
 *
 * Returns: the number of m-lines changed
 */
guint gst_wcs_sdp_unbundle_only (GstSDPMessage * msg);

G_END_DECLS

#endif /* __GST_WCS_SDP_H__ */
