/* gst-wcs: wcs-relay media forwarding (see relay-media.h)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Publisher pipeline:
 *   webrtcbin (recvonly transceivers, one per offered m-line, in order)
 *     src_N ! rtph264depay ! h264parse config-interval=-1
 *           ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink
 *     src_M ! rtpvp8depay ! appsink
 *     src_K ! rtpopusdepay ! appsink
 * Player pipeline, per track:
 *   appsrc (is-live, do-timestamp) ! rtpXpay pt=<player's pt> ! webrtcbin
 *
 * The publisher's appsink callbacks copy (shallow) every sample into the
 * appsrc of each attached player track; a newly attached video track skips
 * delta frames until the next key frame, and a key frame is requested from
 * the publisher at once. Key-frame requests from a player (RTCP PLI/FIR,
 * seen as an upstream GstForceKeyUnit on its appsrc) are forwarded upstream
 * into the publisher's pipeline, where webrtcbin's rtpsession turns them
 * into PLI/FIR towards the publishing client.
 *
 * Threads: the negotiation steps run as GstPromise callbacks on webrtcbin's
 * thread; they only touch the peer's own locked fields and hand results to
 * the main context with an idle source. Pipelines are set to NULL on a
 * small teardown thread pool, never on the main or a webrtcbin thread.
 */

#include "relay-media.h"
#include "relay-log.h"
#include "gstwcspeer.h"

#include <string.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <gst/app/app.h>
#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#define GST_CAT_DEFAULT wcs_relay_debug

#define NEGOTIATION_EXTRA_MS 10000      /* on top of the gather timeout */
#define KEY_UNIT_MIN_INTERVAL_US (200 * 1000)
/* while a player waits for its first key frame, ask again this often */
#define KEY_UNIT_RETRY_INTERVAL_US (500 * 1000)
#define PLAYER_QUEUE_TIME (2 * GST_SECOND)

typedef enum
{
  CODEC_NONE,
  CODEC_H264,
  CODEC_VP8,
  CODEC_OPUS,
} Codec;

static const gchar *
codec_name (Codec c)
{
  switch (c) {
    case CODEC_H264:
      return "H264";
    case CODEC_VP8:
      return "VP8";
    case CODEC_OPUS:
      return "opus";
    default:
      return NULL;
  }
}

/* What we do with one offered m-line */
typedef struct
{
  guint mline;
  gboolean is_video;            /* else audio (others are inactive) */
  Codec codec;                  /* CODEC_NONE: inactive */
  gint pt;
  GstCaps *caps;                /* codec preference for the transceiver */
  gchar *profile_level_id;      /* H264 only */
  guint32 ssrc;                 /* player: what our payloader sends */
} MLinePlan;

static void
mline_plan_free (MLinePlan * p)
{
  if (p->caps)
    gst_caps_unref (p->caps);
  g_free (p->profile_level_id);
  g_free (p);
}

/* ------------------------------------------------------------------ */
/* Globals                                                             */

static GMainContext *main_ctx;
static gchar **ice_addresses;
static GstWcsIceConfig ice_config = { NULL, NULL,
  GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL, GST_WCS_ICE_DEFAULT_MIN_RTP_PORT,
  GST_WCS_ICE_DEFAULT_MAX_RTP_PORT
};
static guint gather_timeout_ms = 5000;
static GThreadPool *teardown_pool;

/* ------------------------------------------------------------------ */
/* Common peer (one pipeline with one webrtcbin)                       */

typedef struct _RelayPeer RelayPeer;
typedef void (*PeerFreeFunc) (RelayPeer * peer);

struct _RelayPeer
{
  gint refcount;
  PeerFreeFunc free_func;
  gboolean is_publisher;
  gchar *label;
  RelayMediaCallbacks cb;

  /* main thread only */
  gboolean closed;
  gboolean answered;
  gboolean failed;
  gboolean connected;           /* DTLS up */
  guint bus_watch;

  GstElement *pipeline;
  GstElement *webrtc;
  GstWcsPeer *wp;               /* the negotiation (gst/gstwcspeer.c) */
  GstSDPMessage *offer;
  GPtrArray *plan;              /* MLinePlan*, in m-line order */
};

static RelayPeer *
peer_ref (RelayPeer * peer)
{
  g_atomic_int_inc (&peer->refcount);
  return peer;
}

static void
peer_unref (RelayPeer * peer)
{
  if (!g_atomic_int_dec_and_test (&peer->refcount))
    return;
  if (peer->free_func)
    peer->free_func (peer);
  if (peer->wp) {
    /* closed already unless the peer never got that far */
    gst_wcs_peer_close (peer->wp);
    gst_wcs_peer_unref (peer->wp);
  }
  if (peer->pipeline)
    gst_object_unref (peer->pipeline);
  if (peer->offer)
    gst_sdp_message_free (peer->offer);
  if (peer->plan)
    g_ptr_array_unref (peer->plan);
  g_free (peer->label);
  g_free (peer);
}

static void
peer_init (RelayPeer * peer, gboolean is_publisher, const gchar * label,
    const RelayMediaCallbacks * cb, PeerFreeFunc free_func)
{
  peer->refcount = 1;
  peer->is_publisher = is_publisher;
  peer->label = g_strdup (label ? label : "?");
  peer->cb = *cb;
  peer->free_func = free_func;
}

/* main thread */
static void
peer_fail (RelayPeer * peer, const gchar * info)
{
  if (peer->closed || peer->failed)
    return;
  peer->failed = TRUE;
  if (peer->wp)
    gst_wcs_peer_close (peer->wp);
  RELAY_WARN ("%s: media failed: %s", peer->label, info);
  if (peer->cb.failed)
    peer->cb.failed (peer->cb.user_data, info);
}

static void
teardown_func (gpointer data, gpointer user_data)
{
  RelayPeer *peer = data;
  GstStateChangeReturn ret;

  ret = gst_wcs_peer_shutdown (peer->pipeline);
  RELAY_DEBUG ("%s: pipeline to NULL: %d", peer->label, ret);
  peer_unref (peer);
}

/* main thread: no callback after this; the pipeline goes to NULL on the
 * teardown pool; drops the caller's reference */
static void
peer_close (RelayPeer * peer)
{
  if (peer->closed)
    return;
  peer->closed = TRUE;
  if (peer->wp)
    gst_wcs_peer_close (peer->wp);
  if (peer->bus_watch) {
    g_source_remove (peer->bus_watch);
    peer->bus_watch = 0;
  }
  if (peer->webrtc)
    g_signal_handlers_disconnect_by_data (peer->webrtc, peer);
  if (peer->pipeline) {
    if (teardown_pool)
      g_thread_pool_push (teardown_pool, peer, NULL);   /* takes our ref */
    else
      teardown_func (peer, NULL);
  } else {
    peer_unref (peer);
  }
}

/* ------------------------------------------------------------------ */
/* SDP planning                                                        */

static gchar *
fmtp_param (const GstSDPMedia * media, gint pt, const gchar * key)
{
  guint i;
  gchar *prefix = g_strdup_printf ("%d ", pt);
  gchar *result = NULL;

  for (i = 0; i < gst_sdp_media_attributes_len (media) && !result; i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);
    gchar **params;
    guint j;

    if (g_strcmp0 (a->key, "fmtp") != 0 || !a->value
        || !g_str_has_prefix (a->value, prefix))
      continue;
    params = g_strsplit (a->value + strlen (prefix), ";", -1);
    for (j = 0; params[j] && !result; j++) {
      gchar *p = g_strstrip (params[j]);
      gsize klen = strlen (key);
      if (g_ascii_strncasecmp (p, key, klen) == 0 && p[klen] == '=')
        result = g_strdup (p + klen + 1);
    }
    g_strfreev (params);
  }
  g_free (prefix);
  return result;
}

static gchar *
rtpmap_encoding (const GstSDPMedia * media, gint pt)
{
  guint i;
  gchar *prefix = g_strdup_printf ("%d ", pt);
  gchar *result = NULL;

  for (i = 0; i < gst_sdp_media_attributes_len (media) && !result; i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);
    if (g_strcmp0 (a->key, "rtpmap") == 0 && a->value
        && g_str_has_prefix (a->value, prefix)) {
      const gchar *enc = a->value + strlen (prefix);
      const gchar *slash = strchr (enc, '/');
      result = slash ? g_strndup (enc, slash - enc) : g_strdup (enc);
      g_strstrip (result);
    }
  }
  g_free (prefix);
  return result;
}

static Codec
codec_from_encoding (const gchar * enc)
{
  if (!enc)
    return CODEC_NONE;
  if (g_ascii_strcasecmp (enc, "H264") == 0)
    return CODEC_H264;
  if (g_ascii_strcasecmp (enc, "VP8") == 0)
    return CODEC_VP8;
  if (g_ascii_strcasecmp (enc, "OPUS") == 0)
    return CODEC_OPUS;
  return CODEC_NONE;
}

static GstCaps *
caps_for_pt (const GstSDPMedia * media, gint pt, gboolean video)
{
  GstCaps *caps = gst_sdp_media_get_caps_from_media (media, pt);
  GstStructure *s;

  if (!caps)
    return NULL;
  caps = gst_caps_make_writable (caps);
  s = gst_caps_get_structure (caps, 0);
  gst_structure_set_name (s, "application/x-rtp");
  if (video) {
    /* make sure the answer lets us request key frames (PLI / FIR) */
    gst_structure_set (s, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
        "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, NULL);
  }
  return caps;
}

static gboolean
media_has_attribute (const GstSDPMedia * media, const gchar * key)
{
  guint i;

  for (i = 0; i < gst_sdp_media_attributes_len (media); i++)
    if (g_strcmp0 (gst_sdp_media_get_attribute (media, i)->key, key) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
media_direction_is (const GstSDPMedia * media, const gchar * a,
    const gchar * b)
{
  guint i;

  for (i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const gchar *key = gst_sdp_media_get_attribute (media, i)->key;
    if (g_strcmp0 (key, "sendonly") == 0 || g_strcmp0 (key, "recvonly") == 0
        || g_strcmp0 (key, "sendrecv") == 0 || g_strcmp0 (key, "inactive") == 0)
      return g_strcmp0 (key, a) == 0 || g_strcmp0 (key, b) == 0;
  }
  /* no direction attribute: sendrecv */
  return g_strcmp0 ("sendrecv", a) == 0 || g_strcmp0 ("sendrecv", b) == 0;
}

/* Score of a player's H264 payload against the publisher's profile */
static gint
h264_match_score (const gchar * want, const gchar * have)
{
  if (!want || !have)
    return 1;
  if (g_ascii_strcasecmp (want, have) == 0)
    return 4;
  if (strlen (want) >= 2 && strlen (have) >= 2
      && g_ascii_strncasecmp (want, have, 2) == 0)
    return 3;
  /* a (constrained) baseline stream is decodable by any profile */
  if (g_ascii_strncasecmp (want, "42", 2) == 0)
    return 2;
  return 1;
}

typedef struct
{
  Codec video_codec;            /* publisher side, for players */
  const gchar *video_profile;
  Codec audio_codec;
} PlanTarget;

/* Builds the per-m-line plan. For a publisher (target == NULL) the first
 * supported codec in offer order is taken; for a player the publisher's
 * codecs must be matched. Returns NULL with *error_info set. */
static GPtrArray *
plan_offer (const GstSDPMessage * sdp, const PlanTarget * target,
    gchar ** error_info)
{
  GPtrArray *plan = g_ptr_array_new_with_free_func ((GDestroyNotify)
      mline_plan_free);
  gboolean have_video = FALSE, have_audio = FALSE;
  gboolean video_offered = FALSE, audio_offered = FALSE;
  guint i;

  for (i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    MLinePlan *p = g_new0 (MLinePlan, 1);
    const gchar *kind = gst_sdp_media_get_media (media);
    gboolean usable_dir;
    gint best_score = 0;
    guint f;

    p->mline = i;
    p->is_video = g_strcmp0 (kind, "video") == 0;
    p->pt = -1;
    g_ptr_array_add (plan, p);

    /* port 0 is a rejected m-line, unless it is bundle-only */
    if ((gst_sdp_media_get_port (media) == 0
            && !media_has_attribute (media, "bundle-only"))
        || gst_sdp_media_formats_len (media) == 0)
      continue;
    if (!p->is_video && g_strcmp0 (kind, "audio") != 0)
      continue;

    usable_dir = target ? media_direction_is (media, "recvonly", "sendrecv")
        : media_direction_is (media, "sendonly", "sendrecv");

    if (p->is_video)
      video_offered = video_offered || usable_dir;
    else
      audio_offered = audio_offered || usable_dir;

    /* only the first usable video and audio m-lines carry media */
    if (!usable_dir || (p->is_video && have_video) || (!p->is_video
            && have_audio))
      goto inactive;

    for (f = 0; f < gst_sdp_media_formats_len (media); f++) {
      const gchar *fmt = gst_sdp_media_get_format (media, f);
      gint pt = (gint) g_ascii_strtoll (fmt, NULL, 10);
      gchar *enc = rtpmap_encoding (media, pt);
      Codec c = codec_from_encoding (enc);
      gint score = 0;
      gchar *plid = NULL;

      g_free (enc);
      if (c == CODEC_NONE || (p->is_video && c == CODEC_OPUS)
          || (!p->is_video && c != CODEC_OPUS))
        continue;
      if (c == CODEC_H264) {
        gchar *pm = fmtp_param (media, pt, "packetization-mode");
        gboolean pm1 = pm && g_strcmp0 (pm, "1") == 0;
        g_free (pm);
        if (!pm1)
          continue;
        plid = fmtp_param (media, pt, "profile-level-id");
      }
      if (!target) {
        score = 1;
      } else if (p->is_video) {
        if (c != target->video_codec) {
          g_free (plid);
          continue;
        }
        score = (c == CODEC_H264) ?
            h264_match_score (target->video_profile, plid) : 1;
      } else {
        if (c != target->audio_codec) {
          g_free (plid);
          continue;
        }
        score = 1;
      }
      if (score > best_score) {
        best_score = score;
        p->codec = c;
        p->pt = pt;
        g_free (p->profile_level_id);
        p->profile_level_id = plid;
        plid = NULL;
        if (!target)
          break;                /* publisher: first supported wins */
      }
      g_free (plid);
    }

    if (p->codec != CODEC_NONE) {
      p->caps = caps_for_pt (media, p->pt, p->is_video);
      if (p->caps && target && p->codec == CODEC_H264) {
        /* we send whatever profile the publisher sends: the player's
         * profile-level-id must not make our payloader refuse it (the
         * answer carries none either; browsers decode any profile) */
        gst_structure_remove_field (gst_caps_get_structure (p->caps, 0),
            "profile-level-id");
      }
      if (!p->caps) {
        p->codec = CODEC_NONE;
        p->pt = -1;
      } else if (p->is_video) {
        have_video = TRUE;
      } else {
        have_audio = TRUE;
      }
    }

  inactive:
    if (p->codec == CODEC_NONE) {
      /* an inactive transceiver still needs caps the offer can match */
      gint pt = (gint) g_ascii_strtoll (gst_sdp_media_get_format (media, 0),
          NULL, 10);
      p->caps = caps_for_pt (media, pt, FALSE);
      p->pt = -1;
    }
  }

  if (target) {
    /* the player must be able to take every track it asks for */
    gboolean video_missing = target->video_codec != CODEC_NONE
        && video_offered && !have_video;
    gboolean audio_missing = target->audio_codec != CODEC_NONE
        && audio_offered && !have_audio;
    if (video_missing || audio_missing || (!have_video && !have_audio)) {
      *error_info = g_strdup ("No common codecs");
      g_ptr_array_unref (plan);
      return NULL;
    }
  } else if (!have_video && !have_audio) {
    *error_info = g_strdup ("No common codecs");
    g_ptr_array_unref (plan);
    return NULL;
  }
  return plan;
}

static GstSDPMessage *
parse_offer (const gchar * text, gchar ** error_info)
{
  GstSDPMessage *sdp = NULL;
  guint i;

  if (!text || !*text) {
    *error_info = g_strdup ("Failed by error");
    return NULL;
  }
  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK || !sdp) {
    *error_info = g_strdup ("Failed by error");
    return NULL;
  }
  if (gst_sdp_message_medias_len (sdp) == 0
      || gst_sdp_message_get_version (sdp) == NULL)
    goto garbage;
  for (i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
    const gchar *media = gst_sdp_media_get_media (m);
    const gchar *proto = gst_sdp_media_get_proto (m);
    if (!media || !*media || !proto || !*proto
        || gst_sdp_media_formats_len (m) == 0)
      goto garbage;
  }
  return sdp;

garbage:
  gst_sdp_message_free (sdp);
  *error_info = g_strdup ("Failed by error");
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Negotiation (answerer)                                              */

static gboolean
media_has_attribute (const GstSDPMedia * media, const gchar * key);

/* The SDK attaches a remote track through ontrack's streams[0]: a browser
 * only has a stream for it when the answer carries a=msid. Each m-line we
 * send on gets a=msid plus a=ssrc lines for the payloader's SSRC. */
static void
add_msid (RelayPeer * peer, GstSDPMessage * answer)
{
  gchar *stream_id = g_strdup_printf ("wcs-relay-%08x", g_random_int ());
  gchar *cname = g_strdup_printf ("wcs-relay-%08x", g_random_int ());
  guint i;

  for (i = 0; i < peer->plan->len; i++) {
    MLinePlan *p = g_ptr_array_index (peer->plan, i);
    GstSDPMedia *m;
    gchar *track_id, *value;

    if (p->codec == CODEC_NONE || p->mline >= gst_sdp_message_medias_len
        (answer))
      continue;
    m = (GstSDPMedia *) gst_sdp_message_get_media (answer, p->mline);
    if (media_has_attribute (m, "msid") || media_has_attribute (m, "ssrc"))
      continue;
    track_id = g_strdup_printf ("%s-%s", p->is_video ? "video" : "audio",
        stream_id);
    value = g_strdup_printf ("%s %s", stream_id, track_id);
    gst_sdp_media_add_attribute (m, "msid", value);
    g_free (value);
    if (p->ssrc) {
      value = g_strdup_printf ("%u cname:%s", p->ssrc, cname);
      gst_sdp_media_add_attribute (m, "ssrc", value);
      g_free (value);
      value = g_strdup_printf ("%u msid:%s %s", p->ssrc, stream_id, track_id);
      gst_sdp_media_add_attribute (m, "ssrc", value);
      g_free (value);
    }
    g_free (track_id);
  }
  g_free (stream_id);
  g_free (cname);
}

static void player_attach (RelayPlayer * player);

/* The negotiation itself is GstWcsPeer's (gst/gstwcspeer.c, shared with
 * the elements): the callbacks below run on the main context, never after
 * peer_close () / peer_fail (). */

/* the answer, with the candidates gathered so far */
static void
on_peer_answer (GstWcsPeer * wp, GstSDPMessage * answer, gboolean complete,
    gpointer data)
{
  RelayPeer *peer = data;
  gchar *text;

  if (peer->closed || peer->answered || peer->failed)
    return;
  if (!complete)
    RELAY_WARN ("%s: ICE gathering not complete after %u ms, answering with "
        "the candidates found so far", peer->label, gather_timeout_ms);
  if (!peer->is_publisher)
    add_msid (peer, answer);
  text = gst_sdp_message_as_text (answer);

  if (!strstr (text, " 127.0.0.1 "))
    RELAY_WARN ("%s: answer has no 127.0.0.1 candidate", peer->label);

  peer->answered = TRUE;
  RELAY_INFO ("%s: answer ready", peer->label);
  RELAY_DEBUG ("%s: answer:\n%s", peer->label, text);

  /* a player is fed once DTLS is up: what is sent before is lost, and the
   * first thing it must get is a key frame */
  if (!peer->is_publisher && peer->connected)
    player_attach ((RelayPlayer *) peer);

  if (peer->cb.answer)
    peer->cb.answer (peer->cb.user_data, text);
  g_free (text);
}

static void
on_peer_connected (GstWcsPeer * wp, gpointer data)
{
  RelayPeer *peer = data;

  RELAY_INFO ("%s: peer connection connected", peer->label);
  peer->connected = TRUE;
  if (!peer->closed && !peer->failed && peer->answered && !peer->is_publisher)
    player_attach ((RelayPlayer *) peer);
}

/* the SDK's FAILED infos for what went wrong */
static void
on_peer_failed (GstWcsPeer * wp, GstWcsPeerFailure failure,
    const gchar * detail, gpointer data)
{
  RelayPeer *peer = data;
  const gchar *info;

  switch (failure) {
    case GST_WCS_PEER_FAILURE_CREATE:
      info = "No common codecs";
      break;
    case GST_WCS_PEER_FAILURE_ICE:
      info = "Failed by ICE error";
      break;
    case GST_WCS_PEER_FAILURE_CONNECTION:
      info = "Failed by DTLS error";
      break;
    default:
      info = "Failed by error";
      break;
  }
  RELAY_WARN ("%s: %s", peer->label, detail);
  peer_fail (peer, info);
}

static const GstWcsPeerCallbacks peer_callbacks = {
  .local_description = on_peer_answer,
  .connected = on_peer_connected,
  .failed = on_peer_failed,
};

static gboolean
bus_watch (GstBus * bus, GstMessage * msg, gpointer data)
{
  RelayPeer *peer = data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      GError *err = NULL;
      gchar *dbg = NULL;
      gst_message_parse_error (msg, &err, &dbg);
      RELAY_ERROR ("%s: pipeline error from %s: %s (%s)", peer->label,
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message,
          dbg ? dbg : "");
      g_clear_error (&err);
      g_free (dbg);
      peer_fail (peer, "Failed by error");
      break;
    }
    case GST_MESSAGE_WARNING:{
      GError *err = NULL;
      gst_message_parse_warning (msg, &err, NULL);
      RELAY_DEBUG ("%s: pipeline warning: %s", peer->label, err->message);
      g_clear_error (&err);
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* webrtcbin's jitter buffer of every peer (--latency) */
static guint jitter_latency_ms = 100;

void
relay_media_set_latency (guint ms)
{
  jitter_latency_ms = ms;
}

static gboolean
peer_setup_webrtc (RelayPeer * peer, GstWcsTransport transport)
{
  GstWebRTCICE *ice = NULL;
  GstBus *bus;
  guint i;

  peer->pipeline = gst_pipeline_new (NULL);
  {
    /* one clock for all pipelines: running times map by base times */
    GstClock *clock = gst_system_clock_obtain ();
    gst_pipeline_use_clock (GST_PIPELINE (peer->pipeline), clock);
    gst_object_unref (clock);
  }
  peer->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  if (!peer->webrtc) {
    RELAY_ERROR ("webrtcbin is not available");
    return FALSE;
  }
  g_object_set (peer->webrtc, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", jitter_latency_ms, NULL);
  gst_bin_add (GST_BIN (peer->pipeline), peer->webrtc);

  /* no UPnP port mapping attempts (as the elements) */
  gst_wcs_peer_disable_upnp (peer->webrtc);
  gst_wcs_peer_apply_ice_config (peer->webrtc, &ice_config);
  g_object_get (peer->webrtc, "ice-agent", &ice, NULL);
  if (ice) {
    /* host candidates over UDP only, unless the stream asked for TCP */
    if (transport == GST_WCS_TRANSPORT_TCP) {
      if (!gst_wcs_peer_set_ice_transport (peer->webrtc, transport))
        RELAY_WARN ("%s: ICE agent cannot be restricted to TCP", peer->label);
      else
        RELAY_INFO ("%s: transport TCP: ICE-TCP candidates only",
            peer->label);
    } else if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice),
            "ice-tcp")) {
      g_object_set (ice, "ice-tcp", FALSE, NULL);
    }
    for (i = 0; ice_addresses && ice_addresses[i]; i++) {
      gboolean ok = FALSE;
      g_signal_emit_by_name (ice, "add-local-ip-address", ice_addresses[i],
          &ok);
      if (!ok)
        RELAY_WARN ("%s: cannot use local address %s for ICE", peer->label,
            ice_addresses[i]);
    }
    gst_object_unref (ice);
  }

  /* no reference on @peer: no callback runs after peer_close (), and the
   * peer is closed before its last reference goes (peer_unref) */
  peer->wp = gst_wcs_peer_new (peer->webrtc, GST_WCS_PEER_ANSWERER,
      main_ctx, &peer_callbacks, peer, NULL);
  gst_wcs_peer_set_label (peer->wp, peer->label);
  /* no gathering wait of its own: the answer goes when gathering is
   * complete, or with what was gathered when the whole bound expires
   * (before the answer was even set: FAILED) */
  gst_wcs_peer_set_gather_timeout (peer->wp, 0);
  gst_wcs_peer_set_negotiation_timeout (peer->wp, gather_timeout_ms +
      NEGOTIATION_EXTRA_MS / 2);

  bus = gst_pipeline_get_bus (GST_PIPELINE (peer->pipeline));
  peer->bus_watch = gst_bus_add_watch (bus, bus_watch, peer);
  gst_object_unref (bus);
  return TRUE;
}

/* main thread: PLAYING, then set-remote-description (the chain continues on
 * webrtcbin's thread) */
static gboolean
peer_start (RelayPeer * peer, gchar ** error_info)
{
  GstSDPMessage *copy = NULL;

  if (gst_element_set_state (peer->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    RELAY_ERROR ("%s: cannot start the pipeline", peer->label);
    *error_info = g_strdup ("Failed by error");
    return FALSE;
  }

  gst_sdp_message_copy (peer->offer, &copy);
  gst_wcs_peer_set_remote_description (peer->wp, copy);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Publisher                                                           */

typedef struct _PlayerTrack PlayerTrack;

typedef struct
{
  RelayPublisher *pub;
  gboolean is_video;
  Codec codec;
  GMutex lock;
  GPtrArray *sinks;             /* PlayerTrack*, not owned */
  GstElement *appsink;          /* ref, set once linked */
  /* H264 picture assembly (the track's streaming thread only) */
  gboolean rtp_marker;
  GstBuffer *pending;
  GstCaps *pending_caps;
  GstClockTime pending_rt;
} FanoutTrack;

struct _PlayerTrack
{
  RelayPlayer *player;
  gboolean is_video;
  GstElement *appsrc;
  GstCaps *caps;                /* what appsrc was told */
  gboolean need_keyframe;
};

struct _RelayPublisher
{
  RelayPeer peer;
  FanoutTrack video;
  FanoutTrack audio;
  gchar *video_profile;
  GBytes *sps;                  /* H264: last parameter sets seen (video */
  GBytes *pps;                  /* streaming thread only) */

  GMutex stats_lock;
  gint64 last_media;
  guint64 frames;
  guint64 bytes;
  gint64 last_key_request;
  gint key_count;
  gint muted;                   /* atomic */
};

struct _RelayPlayer
{
  RelayPeer peer;
  RelayPublisher *pub;          /* ref on pub's peer */
  PlayerTrack *video;
  PlayerTrack *audio;
  gboolean attached;
  guint64 frames;               /* under pub->video.lock */
  GMutex ts_lock;
  gboolean have_offset;         /* publisher running time -> ours */
  GstClockTimeDiff ts_offset;
};

static void
fanout_init (FanoutTrack * t, RelayPublisher * pub, gboolean is_video)
{
  t->pub = pub;
  t->is_video = is_video;
  g_mutex_init (&t->lock);
  t->sinks = g_ptr_array_new ();
}

static void
fanout_clear (FanoutTrack * t)
{
  g_mutex_clear (&t->lock);
  g_ptr_array_unref (t->sinks);
  if (t->appsink)
    gst_object_unref (t->appsink);
  if (t->pending)
    gst_buffer_unref (t->pending);
  gst_caps_replace (&t->pending_caps, NULL);
}

static void
publisher_free (RelayPeer * peer)
{
  RelayPublisher *pub = (RelayPublisher *) peer;

  fanout_clear (&pub->video);
  fanout_clear (&pub->audio);
  g_mutex_clear (&pub->stats_lock);
  g_free (pub->video_profile);
  if (pub->sps)
    g_bytes_unref (pub->sps);
  if (pub->pps)
    g_bytes_unref (pub->pps);
}

/* Rewrites one H264 access unit (byte-stream) into canonical order: AUD,
 * SPS, PPS, SEI..., slices. Parameter sets repeated inside the picture are
 * dropped (they make parsers split it: rtph264pay config-interval=-1 puts
 * them in front of every IDR slice of a multi-slice picture), and every IDR
 * carries the last ones seen, so that a player can start at any key frame.
 * *keyframe tells whether it holds an IDR. */
static GstBuffer *
h264_tidy_access_unit (RelayPublisher * pub, GstBuffer * in,
    gboolean * keyframe)
{
  static const guint8 start_code[4] = { 0, 0, 0, 1 };
  GstMapInfo map;
  GArray *nals;                 /* pairs of offsets: start, end */
  GByteArray *out;
  gboolean seen_vcl = FALSE, has_ps = FALSE, idr = FALSE;
  gsize i, n;
  GstBuffer *result;

  *keyframe = FALSE;
  if (!gst_buffer_map (in, &map, GST_MAP_READ))
    return gst_buffer_ref (in);

  /* split at start codes */
  nals = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (i = 0; i + 3 <= map.size; i++) {
    if (map.data[i] == 0 && map.data[i + 1] == 0 && map.data[i + 2] == 1) {
      gsize nal_start = i + 3;
      gsize prev_end = (i > 0 && map.data[i - 1] == 0) ? i - 1 : i;
      if (nals->len > 0)
        g_array_append_val (nals, prev_end);
      g_array_append_val (nals, nal_start);
      i += 2;
    }
  }
  if (nals->len == 0) {
    g_array_unref (nals);
    gst_buffer_unmap (in, &map);
    return gst_buffer_ref (in);
  }
  g_array_append_val (nals, map.size);

  /* first pass: what is in there */
  for (n = 0; n + 1 < nals->len; n += 2) {
    gsize a = g_array_index (nals, gsize, n), b = g_array_index (nals, gsize,
        n + 1);
    guint type;
    if (b <= a)
      continue;
    type = map.data[a] & 0x1f;
    if (type >= 1 && type <= 5) {
      if (type == 5)
        idr = TRUE;
      seen_vcl = TRUE;
    } else if ((type == 7 || type == 8) && !seen_vcl) {
      GBytes **slot = type == 7 ? &pub->sps : &pub->pps;
      has_ps = TRUE;
      if (*slot)
        g_bytes_unref (*slot);
      *slot = g_bytes_new (map.data + a, b - a);
    }
  }

  /* second pass, in canonical order: AUD, SPS, PPS, other NALs before the
   * first slice (SEI...), then the slices; parameter sets repeated inside
   * the access unit are dropped, an IDR always gets them */
  out = g_byte_array_sized_new (map.size + 64);
  for (n = 0; n + 1 < nals->len; n += 2) {
    gsize a = g_array_index (nals, gsize, n), b = g_array_index (nals, gsize,
        n + 1);
    if (b > a && (map.data[a] & 0x1f) == 9) {
      g_byte_array_append (out, start_code, 4);
      g_byte_array_append (out, map.data + a, b - a);
      break;
    }
  }
  if ((idr || has_ps) && pub->sps && pub->pps) {
    gsize len;
    const guint8 *d;
    d = g_bytes_get_data (pub->sps, &len);
    g_byte_array_append (out, start_code, 4);
    g_byte_array_append (out, d, len);
    d = g_bytes_get_data (pub->pps, &len);
    g_byte_array_append (out, start_code, 4);
    g_byte_array_append (out, d, len);
  }
  for (n = 0; n + 1 < nals->len; n += 2) {
    gsize a = g_array_index (nals, gsize, n), b = g_array_index (nals, gsize,
        n + 1);
    guint type;
    if (b <= a)
      continue;
    type = map.data[a] & 0x1f;
    if (type == 7 || type == 8 || type == 9)
      continue;
    g_byte_array_append (out, start_code, 4);
    g_byte_array_append (out, map.data + a, b - a);
  }
  if (G_UNLIKELY (GST_LEVEL_LOG <= gst_debug_category_get_threshold
          (wcs_relay_debug))) {
    GString *types = g_string_new (NULL);
    for (n = 0; n + 1 < nals->len; n += 2) {
      gsize a = g_array_index (nals, gsize, n);
      if (a < map.size)
        g_string_append_printf (types, " %u", map.data[a] & 0x1f);
    }
    GST_CAT_LOG (wcs_relay_debug, "%s: access unit NAL types%s",
        pub->peer.label, types->str);
    g_string_free (types, TRUE);
  }
  g_array_unref (nals);
  gst_buffer_unmap (in, &map);

  result = gst_buffer_new_wrapped (out->data, out->len);
  g_byte_array_free (out, FALSE);
  gst_buffer_copy_into (result, in, GST_BUFFER_COPY_METADATA, 0, -1);
  if (idr)
    GST_BUFFER_FLAG_UNSET (result, GST_BUFFER_FLAG_DELTA_UNIT);
  else
    GST_BUFFER_FLAG_SET (result, GST_BUFFER_FLAG_DELTA_UNIT);
  *keyframe = idr;
  return result;
}

/* The publisher's running time of a sample, mapped into the player's: one
 * offset per player (fixed by its first buffer, shared by its tracks), so
 * frame timing and audio/video alignment survive the hop. */
static GstClockTime
player_map_time (RelayPlayer * player, GstClockTime pub_rt)
{
  GstClockTimeDiff t;

  if (!GST_CLOCK_TIME_IS_VALID (pub_rt))
    return GST_CLOCK_TIME_NONE;
  g_mutex_lock (&player->ts_lock);
  if (!player->have_offset) {
    GstClock *clock = gst_system_clock_obtain ();
    GstClockTime now = gst_clock_get_time (clock);
    GstClockTime base = gst_element_get_base_time (player->peer.pipeline);
    gst_object_unref (clock);
    player->ts_offset = GST_CLOCK_DIFF (pub_rt, now > base ? now - base : 0);
    player->have_offset = TRUE;
  }
  t = (GstClockTimeDiff) pub_rt + player->ts_offset;
  g_mutex_unlock (&player->ts_lock);
  return t > 0 ? (GstClockTime) t : 0;
}

/* Hands one complete frame (@buf) to every attached player of @t. */
static void
fanout_distribute (FanoutTrack * t, GstBuffer * buf, GstCaps * caps,
    GstClockTime pub_rt)
{
  RelayPublisher *pub = t->pub;
  gboolean delta = GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  gboolean waiting = FALSE;
  guint i;

  GST_CAT_LOG (wcs_relay_debug, "%s: %s frame pts %" GST_TIME_FORMAT
      " size %" G_GSIZE_FORMAT "%s", pub->peer.label, t->is_video ? "video" :
      "audio", GST_TIME_ARGS (GST_BUFFER_PTS (buf)), gst_buffer_get_size (buf),
      delta ? " delta" : "");

  g_mutex_lock (&pub->stats_lock);
  if (t->is_video) {
    pub->frames++;
    pub->bytes += gst_buffer_get_size (buf);
  }
  g_mutex_unlock (&pub->stats_lock);

  g_mutex_lock (&t->lock);
  for (i = 0; i < t->sinks->len && !g_atomic_int_get (&pub->muted); i++) {
    PlayerTrack *pt = g_ptr_array_index (t->sinks, i);
    GstBuffer *copy;

    if (pt->need_keyframe) {
      if (delta) {
        waiting = TRUE;
        continue;
      }
      pt->need_keyframe = FALSE;
    }
    if (!pt->caps || !gst_caps_is_equal (pt->caps, caps)) {
      gst_caps_replace (&pt->caps, caps);
      gst_app_src_set_caps (GST_APP_SRC (pt->appsrc), caps);
    }
    copy = gst_buffer_copy (buf);
    /* in the player pipeline's running time (no time: appsrc stamps it) */
    GST_BUFFER_PTS (copy) = player_map_time (pt->player, pub_rt);
    GST_BUFFER_DTS (copy) = GST_BUFFER_PTS (copy);      /* no B-frames */
    gst_app_src_push_buffer (GST_APP_SRC (pt->appsrc), copy);
    if (t->is_video)
      pt->player->frames++;
  }
  g_mutex_unlock (&t->lock);

  /* A player still waits for its first key frame: ask again. Senders
   * (Chrome) drop a key frame request that comes too soon after the last
   * one, so a single request at join time can be lost for good. Not under
   * t->lock: the request takes video.lock. */
  if (waiting) {
    gint64 now = g_get_monotonic_time (), last;

    g_mutex_lock (&pub->stats_lock);
    last = pub->last_key_request;
    g_mutex_unlock (&pub->stats_lock);
    if (now - last >= KEY_UNIT_RETRY_INTERVAL_US)
      relay_publisher_request_key_unit (pub);
  }
}

/* H264: the pieces of one picture (same timestamp) collected so far */
static void
fanout_flush_h264 (FanoutTrack * t)
{
  GstBuffer *au;
  gboolean key;

  if (!t->pending)
    return;
  au = h264_tidy_access_unit (t->pub, t->pending, &key);
  fanout_distribute (t, au, t->pending_caps, t->pending_rt);
  gst_buffer_unref (au);
  gst_buffer_unref (t->pending);
  t->pending = NULL;
  gst_caps_replace (&t->pending_caps, NULL);
}

/* RTP into the H264 depayloader: remember whether this packet ends a
 * picture (its marker bit) */
static GstPadProbeReturn
h264_marker_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  FanoutTrack *t = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

  if (buf && gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp)) {
    t->rtp_marker = gst_rtp_buffer_get_marker (&rtp);
    gst_rtp_buffer_unmap (&rtp);
  }
  return GST_PAD_PROBE_OK;
}

/* appsink, publisher's streaming thread */
static GstFlowReturn
fanout_new_sample (GstAppSink * sink, gpointer data)
{
  FanoutTrack *t = data;
  RelayPublisher *pub = t->pub;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  const GstSegment *segment;
  GstClockTime pub_rt;
  GstBuffer *buf;
  GstCaps *caps;

  if (!sample)
    return GST_FLOW_FLUSHING;
  buf = gst_sample_get_buffer (sample);
  caps = gst_sample_get_caps (sample);
  if (!buf || !caps) {
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  segment = gst_sample_get_segment (sample);
  pub_rt = segment ? gst_segment_to_running_time (segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf)) : GST_BUFFER_PTS (buf);

  g_mutex_lock (&pub->stats_lock);
  pub->last_media = g_get_monotonic_time ();
  g_mutex_unlock (&pub->stats_lock);

  if (t->codec == CODEC_H264) {
    /* rtph264depay may cut one picture in several access units (e.g. when
     * SPS/PPS come again before the second slice): glue the pieces of one
     * timestamp together until the RTP marker says the picture is done */
    if (t->pending && t->pending_rt != pub_rt)
      fanout_flush_h264 (t);
    if (t->pending) {
      t->pending = gst_buffer_append (t->pending, gst_buffer_ref (buf));
    } else {
      t->pending = gst_buffer_copy (buf);
      t->pending_rt = pub_rt;
      gst_caps_replace (&t->pending_caps, caps);
    }
    if (t->rtp_marker)
      fanout_flush_h264 (t);
  } else {
    fanout_distribute (t, buf, caps, pub_rt);
  }

  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static MLinePlan *
plan_for_pad (RelayPeer * peer, GstPad * pad)
{
  GstWebRTCRTPTransceiver *trans = NULL;
  MLinePlan *found = NULL;
  guint mline = G_MAXUINT, i;

  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans) {
    g_object_get (trans, "mlineindex", &mline, NULL);
    gst_object_unref (trans);
  }
  for (i = 0; i < peer->plan->len; i++) {
    MLinePlan *p = g_ptr_array_index (peer->plan, i);
    if (p->mline == mline)
      found = p;
  }
  return found;
}

static void
link_to_fakesink (GstElement * pipeline, GstPad * pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstPad *sinkpad;

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

/* webrtcbin streaming thread */
static void
publisher_pad_added (GstElement * webrtc, GstPad * pad, gpointer data)
{
  RelayPublisher *pub = data;
  RelayPeer *peer = &pub->peer;
  MLinePlan *p;
  FanoutTrack *t;
  GstElement *chain[4] = { NULL, };
  GstElement *appsink;
  GstAppSinkCallbacks cbs = { 0, };
  GstPad *sinkpad;
  guint n = 0, i;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  p = plan_for_pad (peer, pad);
  if (!p || p->codec == CODEC_NONE) {
    RELAY_WARN ("%s: unexpected stream on %s (m-line %d), dropped",
        peer->label, GST_PAD_NAME (pad), p ? (gint) p->mline : -1);
    link_to_fakesink (peer->pipeline, pad);
    return;
  }
  t = p->is_video ? &pub->video : &pub->audio;
  g_mutex_lock (&t->lock);
  if (t->appsink) {
    g_mutex_unlock (&t->lock);
    RELAY_WARN ("%s: second %s stream on %s, dropped", peer->label,
        p->is_video ? "video" : "audio", GST_PAD_NAME (pad));
    link_to_fakesink (peer->pipeline, pad);
    return;
  }
  g_mutex_unlock (&t->lock);

  switch (p->codec) {
    case CODEC_H264:{
      GstCaps *caps = gst_caps_from_string ("video/x-h264,"
          "stream-format=byte-stream,alignment=au");
      /* the depayloader's access units (one RTP timestamp each) are kept
       * whole; h264parse would split an IDR whose slices are each preceded
       * by SPS/PPS (rtph264pay config-interval=-1 with x264 sliced
       * threads), so the stream is tidied up in fanout_new_sample() */
      chain[n++] = gst_element_factory_make ("rtph264depay", NULL);
      chain[n] = gst_element_factory_make ("capsfilter", NULL);
      g_object_set (chain[n++], "caps", caps, NULL);
      gst_caps_unref (caps);
      break;
    }
    case CODEC_VP8:
      chain[n++] = gst_element_factory_make ("rtpvp8depay", NULL);
      break;
    case CODEC_OPUS:
      chain[n++] = gst_element_factory_make ("rtpopusdepay", NULL);
      break;
    default:
      break;
  }
  appsink = gst_element_factory_make ("appsink", NULL);
  g_object_set (appsink, "sync", FALSE, "async", FALSE, "enable-last-sample",
      FALSE, "max-buffers", 2, "drop", FALSE, NULL);
  chain[n++] = appsink;

  for (i = 0; i < n; i++) {
    if (!chain[i]) {
      RELAY_ERROR ("%s: missing element for %s", peer->label,
          codec_name (p->codec));
      for (i = 0; i < n; i++)
        if (chain[i])
          gst_object_unref (chain[i]);
      link_to_fakesink (peer->pipeline, pad);
      return;
    }
  }

  cbs.new_sample = fanout_new_sample;
  gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &cbs, t, NULL);

  for (i = 0; i < n; i++)
    gst_bin_add (GST_BIN (peer->pipeline), chain[i]);
  for (i = 0; i + 1 < n; i++)
    gst_element_link (chain[i], chain[i + 1]);
  for (i = n; i > 0; i--)
    gst_element_sync_state_with_parent (chain[i - 1]);

  sinkpad = gst_element_get_static_pad (chain[0], "sink");
  if (p->codec == CODEC_H264)
    gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, h264_marker_probe,
        t, NULL);
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    RELAY_ERROR ("%s: cannot link %s", peer->label, GST_PAD_NAME (pad));
  gst_object_unref (sinkpad);

  g_mutex_lock (&t->lock);
  t->appsink = gst_object_ref (appsink);
  g_mutex_unlock (&t->lock);

  RELAY_INFO ("%s: receiving %s (pt %d)", peer->label, codec_name (p->codec),
      p->pt);
  if (p->is_video)
    relay_publisher_request_key_unit (pub);
}

RelayPublisher *
relay_publisher_new (const gchar * label, const gchar * offer,
    GstWcsTransport transport, const RelayMediaCallbacks * callbacks,
    gchar ** error_info)
{
  RelayPublisher *pub;
  RelayPeer *peer;
  GstSDPMessage *sdp;
  GPtrArray *plan;
  guint i;

  g_return_val_if_fail (error_info != NULL, NULL);

  sdp = parse_offer (offer, error_info);
  if (!sdp)
    return NULL;
  plan = plan_offer (sdp, NULL, error_info);
  if (!plan) {
    gst_sdp_message_free (sdp);
    return NULL;
  }

  pub = g_new0 (RelayPublisher, 1);
  peer = &pub->peer;
  peer_init (peer, TRUE, label, callbacks, publisher_free);
  peer->offer = sdp;
  peer->plan = plan;
  fanout_init (&pub->video, pub, TRUE);
  fanout_init (&pub->audio, pub, FALSE);
  g_mutex_init (&pub->stats_lock);

  for (i = 0; i < plan->len; i++) {
    MLinePlan *p = g_ptr_array_index (plan, i);
    if (p->codec == CODEC_NONE)
      continue;
    if (p->is_video) {
      pub->video.codec = p->codec;
      pub->video_profile = g_strdup (p->profile_level_id);
    } else {
      pub->audio.codec = p->codec;
    }
  }

  if (!peer_setup_webrtc (peer, transport))
    goto error;

  for (i = 0; i < plan->len; i++) {
    MLinePlan *p = g_ptr_array_index (plan, i);
    GstWebRTCRTPTransceiver *trans = NULL;

    g_signal_emit_by_name (peer->webrtc, "add-transceiver",
        p->codec != CODEC_NONE ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY
        : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, p->caps, &trans);
    if (!trans) {
      RELAY_ERROR ("%s: cannot add a transceiver for m-line %u", label, i);
      goto error;
    }
    gst_object_unref (trans);
  }
  g_signal_connect (peer->webrtc, "pad-added",
      G_CALLBACK (publisher_pad_added), pub);

  RELAY_INFO ("%s: publisher media: video %s, audio %s", peer->label,
      codec_name (pub->video.codec) ? codec_name (pub->video.codec) : "none",
      codec_name (pub->audio.codec) ? codec_name (pub->audio.codec) : "none");

  if (!peer_start (peer, error_info)) {
    peer_close (peer);
    return NULL;
  }
  return pub;

error:
  *error_info = g_strdup ("Failed by error");
  peer_close (peer);
  return NULL;
}

const gchar *
relay_publisher_get_video_codec (RelayPublisher * pub)
{
  return codec_name (pub->video.codec);
}

const gchar *
relay_publisher_get_audio_codec (RelayPublisher * pub)
{
  return codec_name (pub->audio.codec);
}

gint64
relay_publisher_get_last_media_time (RelayPublisher * pub)
{
  gint64 t;

  g_mutex_lock (&pub->stats_lock);
  t = pub->last_media;
  g_mutex_unlock (&pub->stats_lock);
  return t;
}

void
relay_publisher_get_counters (RelayPublisher * pub, guint64 * frames,
    guint64 * bytes)
{
  g_mutex_lock (&pub->stats_lock);
  if (frames)
    *frames = pub->frames;
  if (bytes)
    *bytes = pub->bytes;
  g_mutex_unlock (&pub->stats_lock);
}

void
relay_publisher_request_key_unit (RelayPublisher * pub)
{
  GstElement *sink = NULL;
  gint64 now = g_get_monotonic_time ();
  gint count;
  GstPad *pad;

  g_mutex_lock (&pub->stats_lock);
  if (pub->last_key_request
      && now - pub->last_key_request < KEY_UNIT_MIN_INTERVAL_US) {
    g_mutex_unlock (&pub->stats_lock);
    return;
  }
  pub->last_key_request = now;
  count = ++pub->key_count;
  g_mutex_unlock (&pub->stats_lock);

  g_mutex_lock (&pub->video.lock);
  if (pub->video.appsink)
    sink = gst_object_ref (pub->video.appsink);
  g_mutex_unlock (&pub->video.lock);
  if (!sink)
    return;

  pad = gst_element_get_static_pad (sink, "sink");
  RELAY_DEBUG ("%s: requesting a key frame (%d)", pub->peer.label, count);
  if (!gst_pad_push_event (pad,
          gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
              TRUE, count)))
    RELAY_DEBUG ("%s: key frame request not handled", pub->peer.label);
  gst_object_unref (pad);
  gst_object_unref (sink);
}

void
relay_publisher_set_muted (RelayPublisher * pub, gboolean muted)
{
  g_atomic_int_set (&pub->muted, muted ? 1 : 0);
  if (!muted) {
    /* players resume at a key frame */
    g_mutex_lock (&pub->video.lock);
    for (guint i = 0; i < pub->video.sinks->len; i++)
      ((PlayerTrack *) g_ptr_array_index (pub->video.sinks, i))->need_keyframe
          = TRUE;
    g_mutex_unlock (&pub->video.lock);
    g_mutex_lock (&pub->stats_lock);
    pub->last_key_request = 0;
    g_mutex_unlock (&pub->stats_lock);
    relay_publisher_request_key_unit (pub);
  }
}

void
relay_publisher_close (RelayPublisher * pub)
{
  if (!pub)
    return;
  /* no player may stay attached: drop whatever is left */
  g_mutex_lock (&pub->video.lock);
  g_ptr_array_set_size (pub->video.sinks, 0);
  g_mutex_unlock (&pub->video.lock);
  g_mutex_lock (&pub->audio.lock);
  g_ptr_array_set_size (pub->audio.sinks, 0);
  g_mutex_unlock (&pub->audio.lock);
  peer_close (&pub->peer);
}

/* ------------------------------------------------------------------ */
/* Player                                                              */

static void
player_track_free (PlayerTrack * t)
{
  if (!t)
    return;
  if (t->caps)
    gst_caps_unref (t->caps);
  if (t->appsrc)
    gst_object_unref (t->appsrc);
  g_free (t);
}

static void
player_free (RelayPeer * peer)
{
  RelayPlayer *player = (RelayPlayer *) peer;

  player_track_free (player->video);
  player_track_free (player->audio);
  g_mutex_clear (&player->ts_lock);
  if (player->pub)
    peer_unref (&player->pub->peer);
}

static GstPadProbeReturn
player_upstream_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  RelayPlayer *player = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (event && gst_video_event_is_force_key_unit (event)) {
    RELAY_DEBUG ("%s: key frame requested by the player", player->peer.label);
    relay_publisher_request_key_unit (player->pub);
  }
  return GST_PAD_PROBE_OK;
}

/* Answers the H264 payloader's downstream caps query with plain RTP: what
 * webrtcbin would say (the player's profile-level-id) must not make it
 * refuse the publisher's stream. We forward what the publisher sends;
 * browsers decode any profile, and the level may differ
 * (level-asymmetry-allowed). */
static GstPadProbeReturn
pay_caps_query_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps *filter = NULL, *result;

  if (!query || GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    return GST_PAD_PROBE_OK;
  gst_query_parse_caps (query, &filter);
  result = gst_caps_new_empty_simple ("application/x-rtp");
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (result);
    result = tmp;
  }
  gst_query_set_caps_result (query, result);
  gst_caps_unref (result);
  return GST_PAD_PROBE_HANDLED;
}

static GstCaps *
default_caps (Codec c)
{
  switch (c) {
    case CODEC_H264:
      return gst_caps_from_string ("video/x-h264,stream-format=byte-stream,"
          "alignment=au");
    case CODEC_VP8:
      return gst_caps_from_string ("video/x-vp8");
    case CODEC_OPUS:
      return gst_caps_from_string ("audio/x-opus,channel-mapping-family=0");
    default:
      return NULL;
  }
}

static PlayerTrack *
player_add_track (RelayPlayer * player, MLinePlan * p)
{
  RelayPeer *peer = &player->peer;
  PlayerTrack *t;
  GstElement *appsrc, *pay = NULL;
  GstPad *srcpad, *sinkpad;
  GstWebRTCRTPTransceiver *trans = NULL;
  GstCaps *caps;

  switch (p->codec) {
    case CODEC_H264:
      /* SPS/PPS are in the stream at every IDR (h264_tidy_access_unit):
       * inserting more would put them between the slices of a picture */
      pay = gst_element_factory_make ("rtph264pay", NULL);
      break;
    case CODEC_VP8:
      pay = gst_element_factory_make ("rtpvp8pay", NULL);
      if (pay)
        gst_util_set_object_arg (G_OBJECT (pay), "picture-id-mode", "15-bit");
      break;
    case CODEC_OPUS:
      pay = gst_element_factory_make ("rtpopuspay", NULL);
      break;
    default:
      break;
  }
  appsrc = gst_element_factory_make ("appsrc", NULL);
  if (!pay || !appsrc) {
    RELAY_ERROR ("%s: missing payloader for %s", peer->label,
        codec_name (p->codec));
    if (pay)
      gst_object_unref (pay);
    if (appsrc)
      gst_object_unref (appsrc);
    return NULL;
  }
  /* a fixed SSRC, announced in the answer (a=ssrc) */
  p->ssrc = (guint32) g_random_int_range (1, G_MAXINT32);
  g_object_set (pay, "pt", (guint) p->pt, "ssrc", (guint) p->ssrc, NULL);
  caps = default_caps (p->codec);
  g_object_set (appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "do-timestamp", TRUE, "caps", caps, "max-time",
      (guint64) PLAYER_QUEUE_TIME, "max-bytes", (guint64) 0, "max-buffers",
      (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (appsrc), "leaky-type", "downstream");
  gst_caps_unref (caps);

  gst_bin_add_many (GST_BIN (peer->pipeline), appsrc, pay, NULL);
  if (!gst_element_link (appsrc, pay)) {
    RELAY_ERROR ("%s: cannot link appsrc to the payloader", peer->label);
    return NULL;
  }

  sinkpad = gst_element_request_pad_simple (peer->webrtc, "sink_%u");
  srcpad = gst_element_get_static_pad (pay, "src");
  if (!sinkpad || gst_pad_link (srcpad, sinkpad) != GST_PAD_LINK_OK) {
    RELAY_ERROR ("%s: cannot link the payloader to webrtcbin", peer->label);
    gst_object_unref (srcpad);
    if (sinkpad)
      gst_object_unref (sinkpad);
    return NULL;
  }
  if (p->codec == CODEC_H264)
    gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
        pay_caps_query_probe, NULL, NULL);
  gst_object_unref (srcpad);

  g_object_get (sinkpad, "transceiver", &trans, NULL);
  gst_object_unref (sinkpad);
  if (!trans) {
    RELAY_ERROR ("%s: webrtcbin pad without a transceiver", peer->label);
    return NULL;
  }
  g_object_set (trans, "direction",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences",
      p->caps, NULL);
  gst_object_unref (trans);

  srcpad = gst_element_get_static_pad (appsrc, "src");
  if (p->is_video)
    gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        player_upstream_probe, player, NULL);
  gst_object_unref (srcpad);

  t = g_new0 (PlayerTrack, 1);
  t->player = player;
  t->is_video = p->is_video;
  t->appsrc = gst_object_ref (appsrc);
  t->need_keyframe = p->is_video;
  return t;
}

/* main thread, once the answer is set: start feeding */
static void
player_attach (RelayPlayer * player)
{
  RelayPublisher *pub = player->pub;

  if (player->attached)
    return;
  player->attached = TRUE;
  if (player->video) {
    g_mutex_lock (&pub->video.lock);
    g_ptr_array_add (pub->video.sinks, player->video);
    g_mutex_unlock (&pub->video.lock);
  }
  if (player->audio) {
    g_mutex_lock (&pub->audio.lock);
    g_ptr_array_add (pub->audio.sinks, player->audio);
    g_mutex_unlock (&pub->audio.lock);
  }
  if (player->video) {
    /* a key frame right away: the new player starts at once */
    g_mutex_lock (&pub->stats_lock);
    pub->last_key_request = 0;
    g_mutex_unlock (&pub->stats_lock);
    relay_publisher_request_key_unit (pub);
  }
}

static void
player_detach (RelayPlayer * player)
{
  RelayPublisher *pub = player->pub;

  if (!player->attached)
    return;
  player->attached = FALSE;
  if (player->video) {
    g_mutex_lock (&pub->video.lock);
    g_ptr_array_remove (pub->video.sinks, player->video);
    g_mutex_unlock (&pub->video.lock);
  }
  if (player->audio) {
    g_mutex_lock (&pub->audio.lock);
    g_ptr_array_remove (pub->audio.sinks, player->audio);
    g_mutex_unlock (&pub->audio.lock);
  }
}

RelayPlayer *
relay_player_new (RelayPublisher * pub, const gchar * label,
    const gchar * offer, GstWcsTransport transport,
    const RelayMediaCallbacks * callbacks, gchar ** error_info)
{
  RelayPlayer *player;
  RelayPeer *peer;
  GstSDPMessage *sdp;
  GPtrArray *plan;
  PlanTarget target;
  guint i;

  g_return_val_if_fail (pub != NULL, NULL);
  g_return_val_if_fail (error_info != NULL, NULL);

  sdp = parse_offer (offer, error_info);
  if (!sdp)
    return NULL;
  target.video_codec = pub->video.codec;
  target.video_profile = pub->video_profile;
  target.audio_codec = pub->audio.codec;
  plan = plan_offer (sdp, &target, error_info);
  if (!plan) {
    gst_sdp_message_free (sdp);
    return NULL;
  }

  player = g_new0 (RelayPlayer, 1);
  peer = &player->peer;
  peer_init (peer, FALSE, label, callbacks, player_free);
  peer->offer = sdp;
  peer->plan = plan;
  player->pub = (RelayPublisher *) peer_ref (&pub->peer);
  g_mutex_init (&player->ts_lock);

  if (!peer_setup_webrtc (peer, transport))
    goto error;

  /* transceivers in m-line order: webrtcbin pairs unassociated ones with
   * the offer's m-lines in that order */
  for (i = 0; i < plan->len; i++) {
    MLinePlan *p = g_ptr_array_index (plan, i);

    if (p->codec != CODEC_NONE) {
      PlayerTrack *t = player_add_track (player, p);
      if (!t)
        goto error;
      if (p->is_video)
        player->video = t;
      else
        player->audio = t;
    } else {
      GstWebRTCRTPTransceiver *trans = NULL;
      g_signal_emit_by_name (peer->webrtc, "add-transceiver",
          GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, p->caps, &trans);
      if (!trans)
        goto error;
      gst_object_unref (trans);
    }
  }

  RELAY_INFO ("%s: player media: video %s, audio %s", peer->label,
      player->video ? codec_name (pub->video.codec) : "none",
      player->audio ? codec_name (pub->audio.codec) : "none");

  if (!peer_start (peer, error_info)) {
    peer_close (peer);
    return NULL;
  }
  return player;

error:
  *error_info = g_strdup ("Failed by error");
  peer_close (peer);
  return NULL;
}

guint64
relay_player_get_frames (RelayPlayer * player)
{
  guint64 n;

  g_mutex_lock (&player->pub->video.lock);
  n = player->frames;
  g_mutex_unlock (&player->pub->video.lock);
  return n;
}

void
relay_player_close (RelayPlayer * player)
{
  if (!player)
    return;
  player_detach (player);
  peer_close (&player->peer);
}

/* ------------------------------------------------------------------ */

static gchar **
default_ice_addresses (void)
{
  GPtrArray *arr = g_ptr_array_new ();
  struct ifaddrs *ifa = NULL, *it;

  g_ptr_array_add (arr, g_strdup ("127.0.0.1"));
  if (getifaddrs (&ifa) == 0) {
    for (it = ifa; it; it = it->ifa_next) {
      char buf[INET_ADDRSTRLEN];
      struct sockaddr_in *sin;

      if (!it->ifa_addr || it->ifa_addr->sa_family != AF_INET)
        continue;
      if (!(it->ifa_flags & IFF_UP) || (it->ifa_flags & IFF_LOOPBACK))
        continue;
      sin = (struct sockaddr_in *) it->ifa_addr;
      if (inet_ntop (AF_INET, &sin->sin_addr, buf, sizeof (buf)))
        g_ptr_array_add (arr, g_strdup (buf));
    }
    freeifaddrs (ifa);
  }
  g_ptr_array_add (arr, NULL);
  return (gchar **) g_ptr_array_free (arr, FALSE);
}

void
relay_media_init (const gchar * const *addresses, guint gather_ms)
{
  relay_log_init (relay_log_verbose);
  main_ctx = g_main_context_ref (g_main_context_default ());
  g_strfreev (ice_addresses);
  if (addresses && addresses[0])
    ice_addresses = g_strdupv ((gchar **) addresses);
  else
    ice_addresses = default_ice_addresses ();
  if (gather_ms > 0)
    gather_timeout_ms = gather_ms;
  if (!teardown_pool)
    teardown_pool = g_thread_pool_new (teardown_func, NULL, 2, FALSE, NULL);
}

void
relay_media_set_ice_config (const GstWcsIceConfig * config)
{
  gst_wcs_ice_config_clear (&ice_config);
  gst_wcs_ice_config_copy (config, &ice_config);
}

void
relay_media_shutdown (void)
{
  if (teardown_pool) {
    g_thread_pool_free (teardown_pool, FALSE, TRUE);
    teardown_pool = NULL;
  }
  g_strfreev (ice_addresses);
  ice_addresses = NULL;
  if (main_ctx) {
    g_main_context_unref (main_ctx);
    main_ctx = NULL;
  }
}
