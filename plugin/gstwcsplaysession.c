/* gst-wcs: wcsplaysrc's play sessions (one private WebRTC pipeline each)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/app/gstappsink.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "gstwcsplaysrc-private.h"
#include "gstwcssdp.h"
#include "gstwcspeer.h"

#define GST_CAT_DEFAULT gst_wcs_play_src_debug

/* bounded wait for ICE gathering before the offer is sent anyway */
#define ICE_GATHER_WAIT_MS 1000
/* teardown of an old WebRTC pipeline, bounded wait at READY->NULL */
#define TEARDOWN_WAIT_US (10 * G_TIME_SPAN_SECOND)

/* What we offer to receive. Payload numbers as Chrome uses them. */
#define VIDEO_OFFER_CAPS \
  "application/x-rtp, media=(string)video, encoding-name=(string)H264, " \
  "payload=(int)102, clock-rate=(int)90000, packetization-mode=(string)1, " \
  "profile-level-id=(string)42e01f, level-asymmetry-allowed=(string)1, " \
  "rtcp-fb-nack=(boolean)true, rtcp-fb-nack-pli=(boolean)true, " \
  "rtcp-fb-ccm-fir=(boolean)true; " \
  "application/x-rtp, media=(string)video, encoding-name=(string)VP8, " \
  "payload=(int)96, clock-rate=(int)90000, " \
  "rtcp-fb-nack=(boolean)true, rtcp-fb-nack-pli=(boolean)true, " \
  "rtcp-fb-ccm-fir=(boolean)true"
#define AUDIO_OFFER_CAPS \
  "application/x-rtp, media=(string)audio, encoding-name=(string)OPUS, " \
  "payload=(int)111, clock-rate=(int)48000, encoding-params=(string)2, " \
  "minptime=(string)10, useinbandfec=(string)1"

/* ------------------------------------------------------------------ */
/* play sessions                                                       */

PlaySession *
wcs_play_session_ref (PlaySession * s)
{
  g_atomic_ref_count_inc (&s->ref);
  return s;
}

void
wcs_play_session_unref (PlaySession * s)
{
  if (!g_atomic_ref_count_dec (&s->ref))
    return;

  if (s->pipeline) {
    /* normally done by the teardown pool */
    gst_wcs_peer_shutdown (s->pipeline);
    gst_object_unref (s->pipeline);
  }
  g_assert (s->peer == NULL);
  g_free (s->id);
  g_free (s);
}

gboolean
wcs_play_session_is_dead (PlaySession * s)
{
  return g_atomic_int_get (&s->dead) != 0;
}

/* TRUE if @s is still the element's current session (element thread) */
static gboolean
play_session_is_current (GstWcsPlaySrc * self, PlaySession * s)
{
  gboolean ret;

  g_mutex_lock (&self->lock);
  ret = (self->current == s) && !wcs_play_session_is_dead (s);
  g_mutex_unlock (&self->lock);

  return ret;
}

/* Runs @func (a GSourceFunc taking the session) on the element thread. */
static void
play_session_invoke (PlaySession * s, GSourceFunc func)
{
  if (wcs_play_session_is_dead (s))
    return;

  gst_wcs_element_invoke (GST_WCS_ELEMENT (s->src), func,
      wcs_play_session_ref (s), (GDestroyNotify) wcs_play_session_unref);
}

void
wcs_play_session_teardown_func (gpointer data, gpointer user_data)
{
  PlaySession *s = data;
  GstWcsPlaySrc *self = user_data;

  GST_DEBUG_OBJECT (self, "tearing down play session %s", s->id);
  if (s->peer) {
    /* closed in wcs_play_session_teardown (); its reference on @s goes once
     * the last of its pending callbacks is dropped */
    gst_wcs_peer_close (s->peer);
    g_clear_pointer (&s->peer, gst_wcs_peer_unref);
  }
  if (s->pipeline) {
    gst_wcs_peer_shutdown (s->pipeline);
    gst_object_unref (s->pipeline);
    s->pipeline = NULL;
    s->webrtc = NULL;
  }
  GST_DEBUG_OBJECT (self, "play session %s torn down", s->id);
  wcs_play_session_unref (s);

  g_mutex_lock (&self->teardown_lock);
  self->teardowns_pending--;
  g_cond_broadcast (&self->teardown_cond);
  g_mutex_unlock (&self->teardown_lock);
}

/* Takes the caller's ref of @s; @s must already be detached from
 * self->current. Element thread or application thread. */
void
wcs_play_session_teardown (GstWcsPlaySrc * self, PlaySession * s)
{
  GError *err = NULL;

  g_atomic_int_set (&s->dead, 1);
  /* no negotiation callback starts after this */
  if (s->peer)
    gst_wcs_peer_close (s->peer);

  g_mutex_lock (&self->teardown_lock);
  self->teardowns_pending++;
  g_mutex_unlock (&self->teardown_lock);

  if (!g_thread_pool_push (self->teardown_pool, s, &err)) {
    GST_WARNING_OBJECT (self, "teardown thread unavailable (%s), tearing "
        "down inline", err ? err->message : "?");
    g_clear_error (&err);
    wcs_play_session_teardown_func (s, self);
  }
}

void
wcs_play_session_wait_teardowns (GstWcsPlaySrc * self)
{
  gint64 deadline = g_get_monotonic_time () + TEARDOWN_WAIT_US;

  g_mutex_lock (&self->teardown_lock);
  while (self->teardowns_pending > 0) {
    if (!g_cond_wait_until (&self->teardown_cond, &self->teardown_lock,
            deadline)) {
      GST_WARNING_OBJECT (self, "%u WebRTC pipeline(s) still shutting down",
          self->teardowns_pending);
      break;
    }
  }
  g_mutex_unlock (&self->teardown_lock);
}

typedef struct
{
  PlaySession *s;
  GstWcsRestoreReason reason;
  gboolean permanent;
  gchar *detail;
} FailReport;

static void
fail_report_free (gpointer data)
{
  FailReport *r = data;

  wcs_play_session_unref (r->s);
  g_free (r->detail);
  g_free (r);
}

/* element thread: only a failure of the current session reaches the base
 * (a late report of an old session must not kill its successor) */
static gboolean
fail_report_idle (gpointer data)
{
  FailReport *r = data;
  GstWcsPlaySrc *self = r->s->src;

  if (play_session_is_current (self, r->s)) {
    GST_WARNING_OBJECT (self, "play session %s failed (%s): %s", r->s->id,
        gst_wcs_restore_reason_to_string (r->reason), r->detail);
    gst_wcs_element_report_failure (GST_WCS_ELEMENT (self), r->reason,
        r->permanent, r->detail);
  } else {
    GST_DEBUG_OBJECT (self, "failure of old play session %s ignored: %s",
        r->s->id, r->detail);
  }
  return G_SOURCE_REMOVE;
}

/* Reports a failure of @s to the base, once per session. Any thread. */
void
wcs_play_session_fail (PlaySession * s, GstWcsRestoreReason reason,
    gboolean permanent, const gchar * detail)
{
  FailReport *r;

  if (wcs_play_session_is_dead (s))
    return;
  if (!g_atomic_int_compare_and_exchange (&s->error_reported, 0, 1))
    return;

  r = g_new0 (FailReport, 1);
  r->s = wcs_play_session_ref (s);
  r->reason = reason;
  r->permanent = permanent;
  r->detail = g_strdup (detail);
  gst_wcs_element_invoke (GST_WCS_ELEMENT (s->src), fail_report_idle, r,
      fail_report_free);
}

/* ------------------------------------------------------------------ */
/* the private WebRTC pipeline                                         */

static gboolean
media_seen_idle (gpointer data)
{
  PlaySession *s = data;
  GstWcsPlaySrc *self = s->src;
  gboolean report;

  if (!play_session_is_current (self, s))
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->lock);
  report = s->playing_since != 0 && !s->active_reported;
  if (report)
    s->active_reported = TRUE;
  g_mutex_unlock (&self->lock);

  if (report) {
    GST_INFO_OBJECT (self, "media arrives on %s: stream active", s->id);
    gst_wcs_element_stream_active (GST_WCS_ELEMENT (self));
  }
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
rtp_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  PlaySession *s = user_data;
  GstWcsPlaySrc *self = s->src;
  gboolean video;
  gsize size = 0;

  if (wcs_play_session_is_dead (s))
    return GST_PAD_PROBE_OK;

  video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (pad), "wcs-kind"))
      == KIND_VIDEO;
  if (video) {
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
      size = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
    else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
      size = gst_buffer_list_calculate_size (GST_PAD_PROBE_INFO_BUFFER_LIST
          (info));
  }

  g_mutex_lock (&self->stats_lock);
  s->last_media = g_get_monotonic_time ();
  self->video_bytes += size;
  g_mutex_unlock (&self->stats_lock);

  if (g_atomic_int_compare_and_exchange (&s->media_seen, 0, 1))
    play_session_invoke (s, media_seen_idle);

  return GST_PAD_PROBE_OK;
}

static GstElement *
make_element (GstWcsPlaySrc * self, const gchar * factory, GString * missing)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e) {
    if (missing->len)
      g_string_append (missing, ", ");
    g_string_append (missing, factory);
  }
  return e;
}

static void
set_if_exists (GstElement * e, const gchar * prop, gboolean value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (e), prop))
    g_object_set (e, prop, value, NULL);
}

/* Links @pad (a webrtcbin src pad) to a fakesink: data we cannot use. */
static void
link_to_fakesink (PlaySession * s, GstPad * pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstPad *sinkpad;

  if (!sink)
    return;
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (s->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

/* webrtcbin added a src pad: build depay -> parse -> [decoder] -> appsink.
 * Streaming thread of the private pipeline. */
static void
on_webrtc_pad_added (GstElement * webrtc, GstPad * pad, PlaySession * s)
{
  GstWcsPlaySrc *self = s->src;
  GstCaps *caps;
  GstStructure *st;
  const gchar *media, *enc;
  WcsKind kind;
  gboolean decode, duplicate;
  GString *missing;
  GstElement *chain[5] = { NULL, };
  guint n = 0, i;
  GstElement *sink;
  GstPad *sinkpad;
  gchar *codec = NULL;
  GstAppSinkCallbacks callbacks = {.new_sample = wcs_play_output_new_sample };

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC || wcs_play_session_is_dead (s))
    return;

  caps = gst_pad_get_current_caps (pad);
  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  if (!caps || gst_caps_is_empty (caps) || gst_caps_is_any (caps)) {
    GST_WARNING_OBJECT (self, "webrtcbin pad %s without usable caps",
        GST_PAD_NAME (pad));
    if (caps)
      gst_caps_unref (caps);
    link_to_fakesink (s, pad);
    return;
  }

  st = gst_caps_get_structure (caps, 0);
  media = gst_structure_get_string (st, "media");
  enc = gst_structure_get_string (st, "encoding-name");
  GST_INFO_OBJECT (self, "webrtcbin pad %s: %" GST_PTR_FORMAT,
      GST_PAD_NAME (pad), caps);

  if (g_strcmp0 (media, "video") == 0)
    kind = KIND_VIDEO;
  else if (g_strcmp0 (media, "audio") == 0)
    kind = KIND_AUDIO;
  else {
    GST_WARNING_OBJECT (self, "ignoring media '%s'", GST_STR_NULL (media));
    gst_caps_unref (caps);
    link_to_fakesink (s, pad);
    return;
  }

  g_mutex_lock (&self->lock);
  decode = self->decode;
  duplicate = s->chain[kind];
  s->chain[kind] = TRUE;
  g_mutex_unlock (&self->lock);

  if (duplicate) {
    GST_WARNING_OBJECT (self, "second %s stream ignored", media);
    gst_caps_unref (caps);
    link_to_fakesink (s, pad);
    return;
  }

  missing = g_string_new (NULL);
  if (kind == KIND_VIDEO && g_ascii_strcasecmp (enc ? enc : "", "H264") == 0) {
    codec = g_strdup ("H264");
    if ((chain[n] = make_element (self, "rtph264depay", missing))) {
      set_if_exists (chain[n], "request-keyframe", TRUE);
      set_if_exists (chain[n], "wait-for-keyframe", TRUE);
    }
    n++;
    if ((chain[n] = make_element (self, "h264parse", missing)))
      g_object_set (chain[n], "config-interval", -1, NULL);
    n++;
    if (decode) {
      if ((chain[n] = make_element (self, "avdec_h264", missing)))
        set_if_exists (chain[n], "automatic-request-sync-points", TRUE);
      n++;
    } else {
      GstCaps *filter = gst_caps_from_string ("video/x-h264, "
          "stream-format=(string)byte-stream, alignment=(string)au");
      chain[n] = make_element (self, "capsfilter", missing);
      if (chain[n])
        g_object_set (chain[n], "caps", filter, NULL);
      gst_caps_unref (filter);
      n++;
    }
  } else if (kind == KIND_VIDEO
      && g_ascii_strcasecmp (enc ? enc : "", "VP8") == 0) {
    codec = g_strdup ("VP8");
    if ((chain[n] = make_element (self, "rtpvp8depay", missing))) {
      set_if_exists (chain[n], "request-keyframe", TRUE);
      set_if_exists (chain[n], "wait-for-keyframe", TRUE);
    }
    n++;
    if (decode) {
      if ((chain[n] = make_element (self, "vp8dec", missing)))
        set_if_exists (chain[n], "automatic-request-sync-points", TRUE);
      n++;
    }
  } else if (kind == KIND_AUDIO
      && g_ascii_strcasecmp (enc ? enc : "", "OPUS") == 0) {
    chain[n++] = make_element (self, "rtpopusdepay", missing);
    if (decode) {
      if ((chain[n] = make_element (self, "opusdec", missing)))
        set_if_exists (chain[n], "plc", TRUE);
      n++;
    } else {
      chain[n++] = make_element (self, "opusparse", missing);
    }
  } else {
    GST_ELEMENT_WARNING (self, STREAM, CODEC_NOT_FOUND,
        ("The server sends %s in %s, which this element cannot handle",
            GST_STR_NULL (enc), media), ("caps %" GST_PTR_FORMAT, caps));
    g_string_free (missing, TRUE);
    gst_caps_unref (caps);
    link_to_fakesink (s, pad);
    return;
  }
  gst_caps_unref (caps);

  sink = make_element (self, "appsink", missing);
  chain[n++] = sink;

  if (missing->len) {
    gchar *detail = g_strdup_printf ("missing GStreamer element(s): %s",
        missing->str);

    for (i = 0; i < n; i++) {
      if (chain[i])
        gst_object_unref (gst_object_ref_sink (chain[i]));
    }
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", detail), (NULL));
    link_to_fakesink (s, pad);
    wcs_play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, TRUE,
        detail);
    g_free (detail);
    g_string_free (missing, TRUE);
    g_free (codec);
    return;
  }
  g_string_free (missing, TRUE);

  g_object_set (sink, "sync", FALSE, "async", FALSE, "emit-signals", FALSE,
      "enable-last-sample", FALSE, "wait-on-eos", FALSE, NULL);
  g_object_set_data (G_OBJECT (sink), "wcs-kind", GINT_TO_POINTER (kind));
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, s, NULL);

  for (i = 0; i < n; i++)
    gst_bin_add (GST_BIN (s->pipeline), chain[i]);
  for (i = 0; i + 1 < n; i++) {
    if (!gst_element_link (chain[i], chain[i + 1])) {
      GST_WARNING_OBJECT (self, "cannot link %s to %s",
          GST_ELEMENT_NAME (chain[i]), GST_ELEMENT_NAME (chain[i + 1]));
    }
  }
  for (i = n; i > 0; i--)
    gst_element_sync_state_with_parent (chain[i - 1]);

  g_object_set_data (G_OBJECT (pad), "wcs-kind", GINT_TO_POINTER (kind));
  gst_pad_add_probe (pad,
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, rtp_probe,
      s, NULL);

  sinkpad = gst_element_get_static_pad (chain[0], "sink");
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    GST_WARNING_OBJECT (self, "cannot link webrtcbin pad to %s",
        GST_ELEMENT_NAME (chain[0]));
  gst_object_unref (sinkpad);

  if (codec) {
    /* what really arrives, whatever the answer said */
    gst_wcs_element_set_codec (GST_WCS_ELEMENT (self), codec);
    g_free (codec);
  }
}

/* errors of the private pipeline (webrtcbin, decoders) become failures */
static GstBusSyncReply
private_bus_sync (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  PlaySession *s = user_data;
  GError *err = NULL;
  gchar *dbg = NULL, *detail;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &dbg);
      GST_WARNING_OBJECT (s->src, "WebRTC pipeline error from %s: %s (%s)",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message,
          GST_STR_NULL (dbg));
      detail = g_strdup_printf ("WebRTC pipeline error: %s", err->message);
      wcs_play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE,
          detail);
      g_free (detail);
      g_clear_error (&err);
      g_free (dbg);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, &dbg);
      GST_INFO_OBJECT (s->src, "WebRTC pipeline warning from %s: %s (%s)",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message,
          GST_STR_NULL (dbg));
      g_clear_error (&err);
      g_free (dbg);
      break;
    default:
      break;
  }

  /* nobody pops this bus; a sync handler that drops must unref */
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

/* ---- offer / answer: GstWcsPeer's, its callbacks on the element thread */

/* The offer, with the candidates gathered so far (GstWcsPeer waits for
 * them, bounded), as browsers send it: webrtcbin (max-bundle, JSEP) gives
 * every m-line but the first port 0 + a=bundle-only, which WCS-style
 * servers take for a rejected m-line (no audio); Chrome sends port 9
 * everywhere. @sdp is the peer's copy (like the SDK's stripCodecs). */
static void
on_peer_offer (GstWcsPeer * peer, GstSDPMessage * sdp, gboolean complete,
    gpointer user_data)
{
  PlaySession *s = user_data;
  GstWcsPlaySrc *self = s->src;
  gchar *text;

  if (!play_session_is_current (self, s))
    return;
  if (!complete)
    GST_INFO_OBJECT (self, "ICE gathering not complete after %d ms, "
        "sending the offer with the candidates we have", ICE_GATHER_WAIT_MS);
  gst_wcs_sdp_unbundle_only (sdp);
  text = gst_sdp_message_as_text (sdp);
  GST_DEBUG_OBJECT (self, "offer for %s:\n%s", s->id, text);
  gst_wcs_element_send_offer (GST_WCS_ELEMENT (self), s->id, text, TRUE,
      TRUE);
  g_free (text);
}

static void
on_peer_remote_applied (GstWcsPeer * peer, gpointer user_data)
{
  PlaySession *s = user_data;

  GST_DEBUG_OBJECT (s->src, "remote description of %s applied", s->id);
}

/* a step of the negotiation failed, or the connection did: transient */
static void
on_peer_failed (GstWcsPeer * peer, GstWcsPeerFailure failure,
    const gchar * detail, gpointer user_data)
{
  PlaySession *s = user_data;
  gchar *text;

  if (!play_session_is_current (s->src, s))
    return;
  text = failure == GST_WCS_PEER_FAILURE_REMOTE ?
      g_strdup_printf ("the server's answer was refused by webrtcbin (%s)",
      detail) : g_strdup (detail);
  wcs_play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE, text);
  g_free (text);
}

static const GstWcsPeerCallbacks peer_callbacks = {
  .local_description = on_peer_offer,
  .remote_applied = on_peer_remote_applied,
  .failed = on_peer_failed,
};

PlaySession *
wcs_play_session_new (GstWcsPlaySrc * self, const gchar * id, GError ** error)
{
  PlaySession *s;
  GstCaps *caps;
  GstWebRTCRTPTransceiver *trans = NULL;
  GstBus *bus;
  gchar *name;
  guint latency;

  s = g_new0 (PlaySession, 1);
  g_atomic_ref_count_init (&s->ref);
  s->src = self;
  s->id = g_strdup (id);
  g_mutex_lock (&self->lock);
  s->seq = ++self->session_seq;
  latency = self->latency;
  g_mutex_unlock (&self->lock);

  name = g_strdup_printf ("%s-play-%u", GST_OBJECT_NAME (self), s->seq);
  s->pipeline = gst_pipeline_new (name);
  g_free (name);
  s->webrtc = gst_element_factory_make ("webrtcbin", "webrtc");
  if (!s->webrtc) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
        "element 'webrtcbin' is missing (gst-plugins-bad)");
    wcs_play_session_unref (s);
    return NULL;
  }
  gst_bin_add (GST_BIN (s->pipeline), s->webrtc);
  g_object_set (s->webrtc, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", latency, NULL);
  /* libnice waits upnp-timeout (200 ms) for UPnP before it says gathering
   * is done, and the offer waits for that */
  gst_wcs_peer_disable_upnp (s->webrtc);
  gst_wcs_element_configure_webrtc (GST_WCS_ELEMENT (self), s->webrtc);

  caps = gst_caps_from_string (VIDEO_OFFER_CAPS);
  g_signal_emit_by_name (s->webrtc, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  gst_caps_unref (caps);
  if (trans)
    gst_object_unref (trans);
  trans = NULL;
  caps = gst_caps_from_string (AUDIO_OFFER_CAPS);
  g_signal_emit_by_name (s->webrtc, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  gst_caps_unref (caps);
  if (trans)
    gst_object_unref (trans);

  /* no refs: these live no longer than the pipeline, which the session
   * owns and tears down before it is freed */
  g_signal_connect (s->webrtc, "pad-added", G_CALLBACK (on_webrtc_pad_added),
      s);
  bus = gst_pipeline_get_bus (GST_PIPELINE (s->pipeline));
  gst_bus_set_sync_handler (bus, private_bus_sync, s, NULL);
  gst_object_unref (bus);

  /* the callbacks run on the element thread; the session may be torn down
   * from the application's thread meanwhile: the peer keeps a reference */
  s->peer = gst_wcs_peer_new (s->webrtc, GST_WCS_PEER_OFFERER,
      gst_wcs_element_get_context (GST_WCS_ELEMENT (self)), &peer_callbacks,
      wcs_play_session_ref (s), (GDestroyNotify) wcs_play_session_unref);
  gst_wcs_peer_set_label (s->peer, s->id);
  gst_wcs_peer_set_gather_timeout (s->peer, ICE_GATHER_WAIT_MS);

  return s;
}
