/* gst-wcs: one WebRTC peer (one webrtcbin, one offer/answer)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WCS_PEER_H__
#define __GST_WCS_PEER_H__

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "gstwcsprotocol.h"

G_BEGIN_DECLS

typedef struct _GstWcsPeer GstWcsPeer;

/**
 * GstWcsPeerRole:
 * @GST_WCS_PEER_OFFERER: creates the offer (gst_wcs_peer_start()), then
 *   applies the remote answer (our elements: WCS answers)
 * @GST_WCS_PEER_ANSWERER: applies the remote offer, then creates the
 *   answer (wcs-relay)
 */
typedef enum
{
  GST_WCS_PEER_OFFERER,
  GST_WCS_PEER_ANSWERER,
} GstWcsPeerRole;

/**
 * GstWcsPeerFailure:
 * @GST_WCS_PEER_FAILURE_CREATE: create-offer / create-answer refused or
 *   gave nothing (for an answerer: no codec in common)
 * @GST_WCS_PEER_FAILURE_LOCAL: set-local-description refused, or no local
 *   description to send
 * @GST_WCS_PEER_FAILURE_REMOTE: set-remote-description refused
 * @GST_WCS_PEER_FAILURE_TIMEOUT: no local description within the
 *   negotiation timeout
 * @GST_WCS_PEER_FAILURE_ICE: ICE connection state FAILED
 * @GST_WCS_PEER_FAILURE_CONNECTION: peer connection state FAILED (DTLS)
 */
typedef enum
{
  GST_WCS_PEER_FAILURE_CREATE,
  GST_WCS_PEER_FAILURE_LOCAL,
  GST_WCS_PEER_FAILURE_REMOTE,
  GST_WCS_PEER_FAILURE_TIMEOUT,
  GST_WCS_PEER_FAILURE_ICE,
  GST_WCS_PEER_FAILURE_CONNECTION,
} GstWcsPeerFailure;

const gchar *gst_wcs_peer_failure_to_string (GstWcsPeerFailure failure);

/**
 * GstWcsPeerCallbacks:
 * @local_description: the offer (offerer) or answer (answerer) is ready to
 *   send, with the candidates gathered so far; @complete is FALSE when the
 *   gathering wait ran out first. @sdp belongs to the peer for the time of
 *   the call; the callback may change it (e.g. strip codecs) before
 *   turning it into text.
 * @remote_applied: (offerer) the remote answer was accepted
 * @connected: the peer connection reached CONNECTED (once)
 * @failed: the negotiation or the connection failed (once; nothing else
 *   is called afterwards). @detail says what webrtcbin said.
 *
 * Every callback runs on the #GMainContext given to gst_wcs_peer_new(),
 * never on a webrtcbin or streaming thread, and none starts once
 * gst_wcs_peer_close() has been called. Any member may be NULL.
 */
typedef struct
{
  void (*local_description) (GstWcsPeer * peer, GstSDPMessage * sdp,
      gboolean complete, gpointer user_data);
  void (*remote_applied) (GstWcsPeer * peer, gpointer user_data);
  void (*connected) (GstWcsPeer * peer, gpointer user_data);
  void (*failed) (GstWcsPeer * peer, GstWcsPeerFailure failure,
      const gchar * detail, gpointer user_data);
} GstWcsPeerCallbacks;

GstWcsPeer *gst_wcs_peer_new (GstElement * webrtc, GstWcsPeerRole role,
    GMainContext * context, const GstWcsPeerCallbacks * callbacks,
    gpointer user_data, GDestroyNotify notify);
GstWcsPeer *gst_wcs_peer_ref (GstWcsPeer * peer);
void gst_wcs_peer_unref (GstWcsPeer * peer);

void gst_wcs_peer_set_label (GstWcsPeer * peer, const gchar * label);
void gst_wcs_peer_set_gather_timeout (GstWcsPeer * peer, guint ms);
void gst_wcs_peer_set_negotiation_timeout (GstWcsPeer * peer, guint ms);

GstElement *gst_wcs_peer_get_webrtc (GstWcsPeer * peer);

/* webrtcbin's stats (a reply, transfer none), on webrtcbin's thread */
typedef void (*GstWcsPeerStatsFunc) (const GstStructure * stats,
    gpointer user_data);
gboolean gst_wcs_peer_get_stats (GstWcsPeer * peer, GstWcsPeerStatsFunc func,
    gpointer user_data, GDestroyNotify notify);
gboolean gst_wcs_peer_is_connected (GstWcsPeer * peer);

void gst_wcs_peer_start (GstWcsPeer * peer);
void gst_wcs_peer_set_remote_description (GstWcsPeer * peer,
    GstSDPMessage * sdp);
void gst_wcs_peer_close (GstWcsPeer * peer);

void gst_wcs_peer_disable_upnp (GstElement * webrtc);
GstStateChangeReturn gst_wcs_peer_shutdown (GstElement * element);
/* Starts making this process's DTLS certificate in a thread of its own,
 * once per process: every webrtcbin of a process uses the one its first
 * DTLS element generated (gst-plugins-bad dtls), a 100-300 ms RSA key
 * generation that would otherwise start with the first offer / answer; a
 * webrtcbin created meanwhile waits for it. Call it when a process is about
 * to connect (element start, relay start). Any thread; never blocks. */
void gst_wcs_peer_prepare_certificate (void);
/* ICE transport of a webrtcbin's agent for a WCS "transport" (TCP:
 * ICE-TCP only; UDP: UDP only; AUTO: webrtcbin's defaults). Before the
 * first offer / answer. FALSE when the agent lacks ice-udp / ice-tcp. */
gboolean gst_wcs_peer_set_ice_transport (GstElement * webrtc,
    GstWcsTransport transport);
gchar *gst_wcs_promise_error (GstPromise * promise);

/**
 * GstWcsIceConfig:
 * @stun_server: stun://host[:port], or NULL
 * @turn_servers: NULL-terminated turn(s)://user:pass@host[:port][?transport=udp|tcp]
 *   URIs, or NULL
 * @policy: the ICE transport policy (relay: TURN candidates only)
 * @min_rtp_port: lowest local port of the ICE agent (0: any)
 * @max_rtp_port: highest local port of the ICE agent (65535: any)
 *
 * The ICE servers and policy given to every webrtcbin of an element (or of
 * wcs-relay): gst_wcs_peer_apply_ice_config().
 */
typedef struct
{
  gchar *stun_server;
  gchar **turn_servers;
  GstWebRTCICETransportPolicy policy;
  guint min_rtp_port;
  guint max_rtp_port;
} GstWcsIceConfig;

#define GST_WCS_ICE_DEFAULT_MIN_RTP_PORT 0
#define GST_WCS_ICE_DEFAULT_MAX_RTP_PORT 65535

void gst_wcs_ice_config_init (GstWcsIceConfig * config);
void gst_wcs_ice_config_clear (GstWcsIceConfig * config);
void gst_wcs_ice_config_copy (const GstWcsIceConfig * src,
    GstWcsIceConfig * dest);
gboolean gst_wcs_ice_config_validate (const GstWcsIceConfig * config,
    GError ** error);
gboolean gst_wcs_ice_uri_validate (const gchar * uri, gboolean turn,
    GError ** error);
gchar *gst_wcs_ice_uri_mask (const gchar * uri);
gchar *gst_wcs_ice_uris_mask (const gchar * const *uris);
void gst_wcs_peer_apply_ice_config (GstElement * webrtc,
    const GstWcsIceConfig * config);

G_END_DECLS

#endif /* __GST_WCS_PEER_H__ */
