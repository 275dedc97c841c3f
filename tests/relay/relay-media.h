/* gst-wcs: wcs-relay media forwarding
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One webrtcbin per publisher and per player.
 *
 * A publisher pipeline receives (webrtcbin, recvonly), depayloads and parses
 * each track (H264, VP8, Opus) into an appsink whose samples are fanned out,
 * without decoding, to the appsrc of every attached player pipeline, where
 * they are payloaded again with the player's payload type and sent by the
 * player's webrtcbin (sendonly).
 *
 * The client always offers; these objects answer. The answer is delivered
 * only once ICE gathering is complete (bounded), with the candidates inline.
 *
 * Threading: every function here must be called from the main context
 * thread; every callback is invoked there too (webrtcbin's threads only
 * marshal to it).
 */
#ifndef __RELAY_MEDIA_H__
#define __RELAY_MEDIA_H__

#include <gst/gst.h>
#include "gstwcspeer.h"

#include "gstwcsprotocol.h"

G_BEGIN_DECLS

typedef struct _RelayPublisher RelayPublisher;
typedef struct _RelayPlayer RelayPlayer;

/* answer_sdp: the complete answer, with candidates */
typedef void (*RelayAnswerFunc) (gpointer user_data, const gchar * answer_sdp);
/* info: a WCS info string ("Failed by error", "Failed by ICE error", ...) */
typedef void (*RelayFailedFunc) (gpointer user_data, const gchar * info);

typedef struct
{
  RelayAnswerFunc answer;       /* at most once */
  RelayFailedFunc failed;       /* at most once; never after close */
  gpointer user_data;
} RelayMediaCallbacks;

/* Once per process. ice_addresses: local addresses the ICE agents gather
 * host candidates on (NULL: 127.0.0.1 plus every IPv4 address of the host);
 * gather_timeout_ms: longest wait for ICE gathering before the answer is
 * sent with the candidates found so far. */
void relay_media_init (const gchar * const *ice_addresses,
    guint gather_timeout_ms);
/* webrtcbin "latency" (jitter buffer ms) of every peer created afterwards
 * (--latency; default 100) */
void relay_media_set_latency (guint ms);
/* The STUN / TURN servers, ICE transport policy and port range of every
 * webrtcbin created afterwards (--stun-server, --turn-server,
 * --ice-transport-policy); copied. */
void relay_media_set_ice_config (const GstWcsIceConfig * config);
/* Waits for the teardown of every closed pipeline (at exit). */
void relay_media_shutdown (void);

/* Parses the offer and chooses codecs. NULL with *error_info set (a WCS info
 * string, "No common codecs" or "Failed by error") when it cannot be used. */
/* transport: the stream's WCS "transport"; TCP makes its webrtcbin gather
 * ICE-TCP candidates only, UDP / AUTO UDP only. */
RelayPublisher *relay_publisher_new (const gchar * label, const gchar * offer,
    GstWcsTransport transport, const RelayMediaCallbacks * callbacks,
    gchar ** error_info);
/* "H264", "VP8" or NULL (no video) */
const gchar *relay_publisher_get_video_codec (RelayPublisher * pub);
/* "opus" or NULL (no audio) */
const gchar *relay_publisher_get_audio_codec (RelayPublisher * pub);
/* g_get_monotonic_time() of the last media buffer received, 0 if none */
gint64 relay_publisher_get_last_media_time (RelayPublisher * pub);
/* video frames and bytes received so far */
void relay_publisher_get_counters (RelayPublisher * pub, guint64 * frames,
    guint64 * bytes);
/* Sends an upstream GstForceKeyUnit towards the publisher's webrtcbin (it
 * turns into RTCP PLI/FIR); rate-limited. Any thread. */
void relay_publisher_request_key_unit (RelayPublisher * pub);
/* Test fault: while muted, nothing is forwarded to the players (the
 * publisher's own media activity is still counted). */
void relay_publisher_set_muted (RelayPublisher * pub, gboolean muted);
/* Tears down (asynchronously, off the main and webrtcbin threads); no
 * callback runs afterwards. Every player must have been closed first. */
void relay_publisher_close (RelayPublisher * pub);

/* Answers a player's offer with the tracks of @pub, using the player's
 * payload types; NULL with *error_info ("No common codecs", "Failed by
 * error") when not possible. */
RelayPlayer *relay_player_new (RelayPublisher * pub, const gchar * label,
    const gchar * offer, GstWcsTransport transport,
    const RelayMediaCallbacks * callbacks, gchar ** error_info);
/* video frames sent to this player so far */
guint64 relay_player_get_frames (RelayPlayer * player);
void relay_player_close (RelayPlayer * player);

G_END_DECLS

#endif /* __RELAY_MEDIA_H__ */
