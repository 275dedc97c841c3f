/* gst-wcs: GstWcsElement's ICE servers, policy and transport properties
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * stun-server, turn-servers, ice-transport-policy, min-rtp-port and
 * max-rtp-port (READY-only), kept in priv->ice under GST_OBJECT_LOCK,
 * checked at READY->PAUSED (gst_wcs_ice_config_validate()) and given to every
 * webrtcbin the element creates, at every (re)start, by
 * gst_wcs_element_configure_webrtc() -> gst_wcs_peer_apply_ice_config().
 * transport (READY-only, priv->transport) restricts the same webrtcbins'
 * ICE agent to UDP or TCP (gst_wcs_peer_set_ice_transport()) and is sent
 * by the session in publishStream / playStream (start_running()).
 * TURN passwords never reach a log, a message or the stats: they are
 * masked (turn://user:***@host:3478) by gst_wcs_ice_uri_mask().
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/webrtc/webrtc.h>

#include "gstwcselement-private.h"

GST_DEBUG_CATEGORY_EXTERN (gst_wcs_element_debug);
#define GST_CAT_DEFAULT gst_wcs_element_debug

enum
{
  ICE_PROP_STUN_SERVER,
  ICE_PROP_TURN_SERVERS,
  ICE_PROP_ICE_TRANSPORT_POLICY,
  ICE_PROP_MIN_RTP_PORT,
  ICE_PROP_MAX_RTP_PORT,
  ICE_PROP_TRANSPORT,
  ICE_N_PROPS
};

static const GstWcsPropField ice_fields[] = {
  {ICE_PROP_STUN_SERVER, G_STRUCT_OFFSET (GstWcsElementPrivate,
          ice.stun_server)},
  {ICE_PROP_TURN_SERVERS, G_STRUCT_OFFSET (GstWcsElementPrivate,
          ice.turn_servers)},
  {ICE_PROP_ICE_TRANSPORT_POLICY, G_STRUCT_OFFSET (GstWcsElementPrivate,
          ice.policy)},
  {ICE_PROP_MIN_RTP_PORT, G_STRUCT_OFFSET (GstWcsElementPrivate,
          ice.min_rtp_port)},
  {ICE_PROP_MAX_RTP_PORT, G_STRUCT_OFFSET (GstWcsElementPrivate,
          ice.max_rtp_port)},
  {ICE_PROP_TRANSPORT, G_STRUCT_OFFSET (GstWcsElementPrivate, transport)},
};

static void
ice_install_properties (GObjectClass * klass, guint first_id)
{
  /**
   * GstWcsElement:stun-server:
   *
   * The STUN server of every webrtcbin, `stun://host:port` (NULL: none,
   * host candidates only). An unreachable server costs nothing but its
   * candidates.
   */
  g_object_class_install_property (klass, first_id + ICE_PROP_STUN_SERVER,
      g_param_spec_string ("stun-server", "STUN server",
          "STUN server, stun://host:port (NULL: none)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:turn-servers:
   *
   * The TURN servers of every webrtcbin, as webrtcsink's:
   * `turn://user:password@host:port` or `turns://...`, optionally with
   * `?transport=udp|tcp`. The passwords are masked in logs, messages and
   * stats. In gst-launch: `turn-servers="<\"turn://u:p@host:3478\">"`.
   */
  g_object_class_install_property (klass, first_id + ICE_PROP_TURN_SERVERS,
      gst_param_spec_array ("turn-servers", "TURN servers",
          "TURN servers, turn(s)://user:password@host:port"
          "[?transport=udp|tcp] (empty: none)",
          g_param_spec_string ("turn-server", "TURN server", "A TURN URI",
              NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:ice-transport-policy:
   *
   * `all`, or `relay`: only TURN (relay) candidates, media always goes
   * through a TURN server.
   */
  g_object_class_install_property (klass,
      first_id + ICE_PROP_ICE_TRANSPORT_POLICY,
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
          "ICE candidates used: all, or relay (TURN only)",
          GST_TYPE_WEBRTC_ICE_TRANSPORT_POLICY,
          GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:min-rtp-port:
   *
   * The lowest local UDP port of the ICE agent (0: any). Above
   * #GstWcsElement:max-rtp-port fails READY->PAUSED.
   */
  g_object_class_install_property (klass, first_id + ICE_PROP_MIN_RTP_PORT,
      g_param_spec_uint ("min-rtp-port", "Min RTP port",
          "Lowest local port of the ICE agent (0: any)", 0, 65535,
          GST_WCS_ICE_DEFAULT_MIN_RTP_PORT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:max-rtp-port:
   *
   * The highest local UDP port of the ICE agent.
   */
  g_object_class_install_property (klass, first_id + ICE_PROP_MAX_RTP_PORT,
      g_param_spec_uint ("max-rtp-port", "Max RTP port",
          "Highest local port of the ICE agent", 0, 65535,
          GST_WCS_ICE_DEFAULT_MAX_RTP_PORT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:transport:
   *
   * The WCS "transport" of the stream: "UDP" or "TCP" is sent in
   * publishStream / playStream, and the element's webrtcbin gathers only
   * candidates of that transport (TCP: ICE-TCP host candidates, for
   * networks that drop UDP). auto (the default) omits the field, as the
   * WCS SDK when transport is unset, and keeps webrtcbin's defaults (UDP
   * and TCP candidates; the server picks, WCS: UDP).
   */
  g_object_class_install_property (klass, first_id + ICE_PROP_TRANSPORT,
      g_param_spec_enum ("transport", "Transport",
          "WebRTC media transport asked of the server (\"transport\" of "
          "publishStream / playStream) and gathered by webrtcbin: auto "
          "(field omitted), udp, tcp (ICE-TCP)", GST_TYPE_WCS_TRANSPORT,
          GST_WCS_TRANSPORT_AUTO,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

G_STATIC_ASSERT (G_N_ELEMENTS (ice_fields) == ICE_N_PROPS);

const WcsElementPropGroup wcs_element_ice_props = {
  ice_install_properties, ice_fields, G_N_ELEMENTS (ice_fields)
};

void
wcs_element_ice_fill_stats (GstWcsElement * self, GstStructure * stats)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *turn;
  GstWebRTCICETransportPolicy policy;
  gchar *stun;

  GST_OBJECT_LOCK (self);
  turn = gst_wcs_ice_uris_mask ((const gchar * const *)
      priv->ice.turn_servers);
  stun = gst_wcs_ice_uri_mask (priv->ice.stun_server);
  policy = priv->ice.policy;
  GST_OBJECT_UNLOCK (self);

  gst_structure_set (stats, "stun-server", G_TYPE_STRING, stun ? stun : "",
      "turn-servers", G_TYPE_STRING, turn,
      "ice-transport-policy", G_TYPE_STRING,
      policy == GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY ? "relay" : "all",
      NULL);
  g_free (turn);
  g_free (stun);
}

void
wcs_element_ice_init (GstWcsElement * self)
{
  gst_wcs_ice_config_init (&GET_PRIV (self)->ice);
}

void
wcs_element_ice_finalize (GstWcsElement * self)
{
  gst_wcs_ice_config_clear (&GET_PRIV (self)->ice);
}

/**
 * gst_wcs_element_configure_webrtc:
 * @self: the element
 * @webrtc: a webrtcbin it just created, before its offer / answer
 *
 * Gives @webrtc the element's ICE servers, policy and port range, and
 * restricts its ICE agent to the #GstWcsElement:transport (TCP: ICE-TCP
 * candidates only; UDP: UDP only; auto: webrtcbin's defaults).
 */
void
gst_wcs_element_configure_webrtc (GstWcsElement * self, GstElement * webrtc)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsIceConfig cfg;
  GstWcsTransport transport;

  GST_OBJECT_LOCK (self);
  gst_wcs_ice_config_copy (&priv->ice, &cfg);
  transport = priv->transport;
  GST_OBJECT_UNLOCK (self);
  gst_wcs_peer_apply_ice_config (webrtc, &cfg);
  gst_wcs_ice_config_clear (&cfg);
  if (!gst_wcs_peer_set_ice_transport (webrtc, transport))
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Cannot restrict WebRTC media to %s",
            gst_wcs_transport_to_string (transport)),
        ("webrtcbin's ICE agent has no ice-udp / ice-tcp property"));
}
