/* gst-wcs: wcspublishsink, publish to a Flashphoner WCS over WebRTC
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-wcspublishsink
 * @title: wcspublishsink
 * @short_description: publish a stream to a Flashphoner Web Call Server
 *
 * wcspublishsink publishes its `video` and `audio` request pads as one WCS
 * stream over WebRTC: it connects to the server's WebSocket (`location`),
 * sends `publishStream` with a send-only offer (H264 and VP8 video, Opus
 * audio), applies the server's answer and streams. Raw input is encoded
 * inside (H264 by default, VP8 when H264 is stripped or after a fallback,
 * Opus for audio); `video/x-h264`, `video/x-vp8` and `audio/x-opus` input is
 * sent as is.
 *
 * While the stream is not PUBLISHING, input buffers are dropped (and counted
 * in `stats`, field `frames-dropped`); upstream is never blocked by the
 * network. Non-live input is paced in real time. Every (re)publish starts
 * with a key frame.
 *
 * A zero-bitrate detector reads webrtcbin's statistics every
 * `bitrate-check-interval` ms while PUBLISHING; `bitrate-max-tries` readings
 * in a row without new video bytes post `wcs-publish-failure` and republish
 * (with H264 stripped and `wcs-codec-fallback` posted when `change-codec`
 * is set and H264 was in use). Failures of the session or of the stream are
 * restored as described for the shared properties (`restore-connection`,
 * `restore-timeout`, `restore-max-tries`), with `wcs-restore` messages.
 *
 * EOS unpublishes (waiting at most 2 s for UNPUBLISHED), closes the session
 * and then posts EOS.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! wcspublishsink location=ws://127.0.0.1:8080 stream-name=cam1
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! video/x-raw,width=640,height=480 ! wcspublishsink name=s \
 *     location=wss://wcs.example.com:8443 stream-name=cam1 video-bitrate=1000 \
 *     audiotestsrc is-live=true ! s.audio
 * ]|
 * |[
 * gst-launch-1.0 v4l2src ! wcspublishsink stream-name=cam1 \
 *     h264-encoder="vaapih264enc rate-control=cbr bitrate=1500 keyframe-period=60"
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/app/app.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "gstwcspublishsink-private.h"
#include "gstwcselements.h"
#include "gstwcsprop.h"
#include "gstwcssdp.h"

GST_DEBUG_CATEGORY (gst_wcs_publish_sink_debug);
#define GST_CAT_DEFAULT gst_wcs_publish_sink_debug

#define DEFAULT_CHECK_BITRATE           TRUE
#define DEFAULT_CHANGE_CODEC            TRUE
#define DEFAULT_BITRATE_CHECK_INTERVAL  500
#define DEFAULT_BITRATE_MAX_TRIES       3
#define DEFAULT_STRIP_CODECS            ""
#define DEFAULT_VIDEO_BITRATE           2000
#define DEFAULT_H264_ENCODER \
  "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 ! " \
  "capsfilter caps=video/x-h264,profile=constrained-baseline"
#define DEFAULT_VP8_ENCODER \
  "vp8enc deadline=1 keyframe-max-dist=60 cpu-used=8 end-usage=cbr " \
  "lag-in-frames=0 error-resilient=partitions"

/* how long to wait for ICE gathering before sending the offer anyway */
#define GATHER_TIMEOUT_MS  1000
/* EOS: longest wait for UNPUBLISHED */
#define EOS_UNPUBLISH_WAIT_MS 2000

#define PT_VP8   96
#define PT_H264  102
#define PT_OPUS  111

#define H264_PREF "application/x-rtp, media=(string)video, " \
  "encoding-name=(string)H264, payload=(int)102, clock-rate=(int)90000, " \
  "packetization-mode=(string)1, profile-level-id=(string)42e01f, " \
  "level-asymmetry-allowed=(string)1"
#define VP8_PREF "application/x-rtp, media=(string)video, " \
  "encoding-name=(string)VP8, payload=(int)96, clock-rate=(int)90000"
#define OPUS_PREF "application/x-rtp, media=(string)audio, " \
  "encoding-name=(string)OPUS, payload=(int)111, clock-rate=(int)48000, " \
  "encoding-params=(string)2, minptime=(string)10, useinbandfec=(string)1"

enum
{
  PROP_0,
  PROP_CHECK_BITRATE,
  PROP_CHANGE_CODEC,
  PROP_BITRATE_CHECK_INTERVAL,
  PROP_BITRATE_MAX_TRIES,
  PROP_STRIP_CODECS,
  PROP_VIDEO_BITRATE,
  PROP_H264_ENCODER,
  PROP_VP8_ENCODER,
};

/* Pad template: what the video pad accepts, one structure per media type. */
#define VIDEO_CAPS "video/x-raw; video/x-h264; video/x-vp8"
/* Caps of the video input's appsink: the template with I420 (what the
 * encoders take) listed first, so raw upstream that can produce it does
 * (videotestsrc would otherwise pick its first format, a 64-bit RGB). */
#define VIDEO_INPUT_CAPS "video/x-raw, format=(string)I420; " VIDEO_CAPS
#define AUDIO_CAPS "audio/x-raw; audio/x-opus"

static GstStaticPadTemplate video_template =
GST_STATIC_PAD_TEMPLATE ("video", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS (VIDEO_CAPS));
static GstStaticPadTemplate audio_template =
GST_STATIC_PAD_TEMPLATE ("audio", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS (AUDIO_CAPS));

G_DEFINE_TYPE (GstWcsPublishSink, gst_wcs_publish_sink, GST_TYPE_WCS_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (wcspublishsink, "wcspublishsink",
    GST_RANK_NONE, GST_TYPE_WCS_PUBLISH_SINK, wcs_element_init (plugin));

/* ------------------------------------------------------------------ */
/* helpers                                                             */

gboolean
gst_wcs_publish_sink_csv_has (const gchar * csv, const gchar * codec)
{
  gchar **items;
  gboolean found = FALSE;
  guint i;

  if (!csv || !*csv)
    return FALSE;
  items = g_strsplit (csv, ",", -1);
  for (i = 0; items[i] && !found; i++) {
    g_strstrip (items[i]);
    found = g_ascii_strcasecmp (items[i], codec) == 0;
  }
  g_strfreev (items);
  return found;
}

gchar *
gst_wcs_publish_sink_get_string_prop (GstWcsPublishSink * self,
    gchar ** field)
{
  gchar *s;

  GST_OBJECT_LOCK (self);
  s = g_strdup (*field);
  GST_OBJECT_UNLOCK (self);
  return s;
}

PubSession *
gst_wcs_publish_sink_ps_ref (PubSession * ps)
{
  g_atomic_int_inc (&ps->ref);
  return ps;
}

void
gst_wcs_publish_sink_ps_unref (gpointer data)
{
  PubSession *ps = data;

  if (!g_atomic_int_dec_and_test (&ps->ref))
    return;

  g_assert (ps->stats_source == NULL);
  if (ps->peer) {
    gst_wcs_peer_close (ps->peer);      /* closed in stop_stream already */
    gst_wcs_peer_unref (ps->peer);
  }
  gst_clear_object (&ps->vsrc);
  gst_clear_object (&ps->asrc);
  gst_clear_object (&ps->vpay_src);
  gst_clear_object (&ps->vpad);
  gst_clear_object (&ps->apad);
  gst_clear_object (&ps->webrtc);
  if (ps->elements)
    g_ptr_array_unref (ps->elements);
  gst_clear_caps (&ps->vcaps);
  gst_clear_caps (&ps->acaps);
  gst_wcs_bitrate_detector_free (ps->detector);
  g_free (ps->codec);
  g_free (ps->id);
  gst_object_unref (ps->sink);
  g_free (ps);
}

gboolean
gst_wcs_publish_sink_ps_is_current (GstWcsPublishSink * self,
    PubSession * ps)
{
  gboolean ret;

  g_mutex_lock (&self->lock);
  ret = self->ps == ps;
  g_mutex_unlock (&self->lock);
  return ret;
}

static PubSession *
ref_current_ps (GstWcsPublishSink * self, const gchar * id)
{
  PubSession *ps = NULL;

  g_mutex_lock (&self->lock);
  if (self->ps && (!id || g_strcmp0 (self->ps->id, id) == 0))
    ps = gst_wcs_publish_sink_ps_ref (self->ps);
  g_mutex_unlock (&self->lock);
  return ps;
}

/* Work for the element thread, about one publish session */
typedef struct
{
  PubSession *ps;
  void (*func) (PubSession * ps, GstStructure * s);
  GstStructure *s;
} PsCall;

static gboolean
ps_call_run (gpointer data)
{
  PsCall *call = data;

  if (gst_wcs_publish_sink_ps_is_current (call->ps->sink, call->ps))
    call->func (call->ps, call->s);
  return G_SOURCE_REMOVE;
}

static void
ps_call_free (gpointer data)
{
  PsCall *call = data;

  if (call->s)
    gst_structure_free (call->s);
  gst_wcs_publish_sink_ps_unref (call->ps);
  g_free (call);
}

/* takes @s */
void
gst_wcs_publish_sink_ps_invoke (PubSession * ps,
    void (*func) (PubSession *, GstStructure *), GstStructure * s)
{
  PsCall *call = g_new0 (PsCall, 1);

  call->ps = gst_wcs_publish_sink_ps_ref (ps);
  call->func = func;
  call->s = s;
  gst_wcs_element_invoke (GST_WCS_ELEMENT (ps->sink), ps_call_run, call,
      ps_call_free);
}

static void
ps_fail (PubSession * ps, gboolean permanent, const gchar * format, ...)
    G_GNUC_PRINTF (3, 4);

/* Reports a failure of @ps (ignored when it is no longer current) */
static void
ps_fail (PubSession * ps, gboolean permanent, const gchar * format, ...)
{
  va_list args;
  gchar *detail;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  GST_WARNING_OBJECT (ps->sink, "stream %s: %s", ps->id, detail);
  if (gst_wcs_publish_sink_ps_is_current (ps->sink, ps))
    gst_wcs_element_report_failure (GST_WCS_ELEMENT (ps->sink),
        GST_WCS_RESTORE_REASON_STREAM_FAILED, permanent, detail);
  g_free (detail);
}


/* ------------------------------------------------------------------ */
/* offer / answer                                                      */

/* The offer, with the candidates gathered so far (GstWcsPeer waits for
 * them, bounded): as the server must see it. Element thread. */
static void
on_peer_offer (GstWcsPeer * peer, GstSDPMessage * msg, gboolean complete,
    gpointer user_data)
{
  PubSession *ps = user_data;
  GstWcsPublishSink *self = ps->sink;
  GError *err = NULL;
  gchar *strip, *text;

  if (ps->offer_sent || !gst_wcs_publish_sink_ps_is_current (self, ps))
    return;
  ps->offer_sent = TRUE;

  strip = gst_wcs_publish_sink_get_string_prop (self, &self->strip_codecs);
  if (!gst_wcs_sdp_strip_codecs (msg, strip, &err)) {
    ps_fail (ps, TRUE, "Invalid 'strip-codecs' property \"%s\": %s", strip,
        err->message);
    g_clear_error (&err);
    g_free (strip);
    return;
  }
  g_free (strip);
  /* port 9 instead of port 0 + a=bundle-only, as browsers send it */
  gst_wcs_sdp_unbundle_only (msg);

  text = gst_sdp_message_as_text (msg);
  GST_INFO_OBJECT (self, "offer for %s ready%s", ps->id, complete ? "" :
      " (ICE gathering not complete: sent with the candidates found)");
  gst_wcs_element_send_offer (GST_WCS_ELEMENT (self), ps->id, text,
      ps->has_video, ps->has_audio);
  g_free (text);
}

/* a step of the negotiation failed, or the peer connection did: transient
 * (a new attempt negotiates again). Element thread. */
static void
on_peer_failed (GstWcsPeer * peer, GstWcsPeerFailure failure,
    const gchar * detail, gpointer user_data)
{
  ps_fail (user_data, FALSE, "%s", detail);
}

static const GstWcsPeerCallbacks peer_callbacks = {
  .local_description = on_peer_offer,
  .failed = on_peer_failed,
};

static GstPad *
add_transceiver (GstElement * webrtc, GstCaps * prefs)
{
  GstPad *pad = gst_element_request_pad_simple (webrtc, "sink_%u");
  GstWebRTCRTPTransceiver *trans = NULL;

  if (!pad)
    return NULL;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans) {
    g_object_set (trans, "direction",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
        "codec-preferences", prefs, NULL);
    gst_object_unref (trans);
  }
  return pad;
}

/* Element thread: once the input caps are known, build webrtcbin and make
 * the offer. */
static gboolean
ps_try_offer (GstWcsPublishSink * self, PubSession * ps, GError ** error)
{
  GstCaps *vprefs = NULL, *aprefs = NULL;
  gchar *strip;
  gboolean fallback;
  GMainContext *ctx;

  if (ps->offer_started)
    return TRUE;

  g_mutex_lock (&self->lock);
  if (ps->has_video && !ps->vcaps && self->video && self->video->caps)
    ps->vcaps = gst_caps_ref (self->video->caps);
  if (ps->has_audio && !ps->acaps && self->audio && self->audio->caps)
    ps->acaps = gst_caps_ref (self->audio->caps);
  fallback = self->fallback_vp8;
  g_mutex_unlock (&self->lock);

  if ((ps->has_video && !ps->vcaps) || (ps->has_audio && !ps->acaps)) {
    GST_INFO_OBJECT (self, "stream %s: waiting for input caps", ps->id);
    return TRUE;
  }
  ps->offer_started = TRUE;

  strip = gst_wcs_publish_sink_get_string_prop (self, &self->strip_codecs);

  if (ps->has_video) {
    const gchar *name =
        gst_structure_get_name (gst_caps_get_structure (ps->vcaps, 0));
    gboolean is_h264 = g_str_equal (name, "video/x-h264");
    gboolean is_vp8 = g_str_equal (name, "video/x-vp8");

    ps->video_raw = !is_h264 && !is_vp8;
    vprefs = gst_caps_new_empty ();
    if ((ps->video_raw && !fallback) || is_h264) {
      if (!gst_wcs_publish_sink_csv_has (strip, "H264"))
        gst_caps_append (vprefs, gst_caps_from_string (H264_PREF));
    }
    if ((ps->video_raw || is_vp8) &&
        !gst_wcs_publish_sink_csv_has (strip, "VP8"))
      gst_caps_append (vprefs, gst_caps_from_string (VP8_PREF));
    if (gst_caps_is_empty (vprefs)) {
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
          "No video codec left to offer for %s input (strip-codecs \"%s\")",
          name, strip);
      goto fail;
    }
    /* on the first codec only: one a=ssrc set per m-line */
    gst_structure_set (gst_caps_get_structure (vprefs, 0), "ssrc",
        G_TYPE_UINT, ps->video_ssrc, NULL);
  }
  if (ps->has_audio) {
    const gchar *name =
        gst_structure_get_name (gst_caps_get_structure (ps->acaps, 0));

    ps->audio_raw = !g_str_equal (name, "audio/x-opus");
    if (gst_wcs_publish_sink_csv_has (strip, "OPUS")) {
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
          "The 'strip-codecs' property (\"%s\") strips OPUS, the only audio "
          "codec", strip);
      goto fail;
    }
    aprefs = gst_caps_from_string (OPUS_PREF);
    gst_caps_set_simple (aprefs, "ssrc", G_TYPE_UINT, ps->audio_ssrc, NULL);
  }

  ps->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  if (!ps->webrtc) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "webrtcbin is missing (install gstreamer1.0-plugins-bad and "
        "gstreamer1.0-nice)");
    goto fail;
  }
  gst_object_ref_sink (ps->webrtc);
  g_object_set (ps->webrtc, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  gst_wcs_peer_disable_upnp (ps->webrtc);
  gst_wcs_element_configure_webrtc (GST_WCS_ELEMENT (self), ps->webrtc);
  gst_bin_add (GST_BIN (self), ps->webrtc);

  if (vprefs)
    ps->vpad = add_transceiver (ps->webrtc, vprefs);
  if (aprefs)
    ps->apad = add_transceiver (ps->webrtc, aprefs);
  if ((vprefs && !ps->vpad) || (aprefs && !ps->apad)) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
        "could not request webrtcbin sink pads");
    goto fail;
  }

  ctx = gst_wcs_element_get_context (GST_WCS_ELEMENT (self));
  if (!ctx) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
        "the element is not running");
    goto fail;
  }
  /* no reference on @ps: its callbacks run on the element thread, where
   * stop_stream () closes the peer before @ps can go */
  ps->peer = gst_wcs_peer_new (ps->webrtc, GST_WCS_PEER_OFFERER, ctx,
      &peer_callbacks, ps, NULL);
  gst_wcs_peer_set_label (ps->peer, ps->id);
  gst_wcs_peer_set_gather_timeout (ps->peer, GATHER_TIMEOUT_MS);

  gst_element_sync_state_with_parent (ps->webrtc);

  GST_INFO_OBJECT (self, "stream %s: creating offer (video %" GST_PTR_FORMAT
      ", audio %" GST_PTR_FORMAT ")", ps->id, vprefs, aprefs);
  gst_wcs_peer_start (ps->peer);

  gst_clear_caps (&vprefs);
  gst_clear_caps (&aprefs);
  g_free (strip);
  return TRUE;

fail:
  gst_clear_caps (&vprefs);
  gst_clear_caps (&aprefs);
  g_free (strip);
  return FALSE;
}

static void
ps_caps_arrived (PubSession * ps, GstStructure * unused)
{
  GError *err = NULL;

  if (!ps_try_offer (ps->sink, ps, &err)) {
    ps_fail (ps, g_error_matches (err, GST_WCS_ERROR,
            GST_WCS_ERROR_INVALID_ARGUMENT), "%s", err->message);
    g_clear_error (&err);
  }
}

/* first payload type of @codec in the first non-rejected @media section */
static gint
find_payload (const GstSDPMessage * msg, const gchar * media,
    const gchar * codec)
{
  guint i, j;

  for (i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);

    if (g_strcmp0 (gst_sdp_media_get_media (m), media) != 0 ||
        gst_sdp_media_get_port (m) == 0)
      continue;
    for (j = 0; j < gst_sdp_media_formats_len (m); j++) {
      gint pt = atoi (gst_sdp_media_get_format (m, j));
      GstCaps *caps = gst_sdp_media_get_caps_from_media (m, pt);
      const gchar *name;
      gboolean match = FALSE;

      if (!caps)
        continue;
      name = gst_structure_get_string (gst_caps_get_structure (caps, 0),
          "encoding-name");
      match = name && g_ascii_strcasecmp (name, codec) == 0;
      gst_caps_unref (caps);
      if (match)
        return pt;
    }
    return -1;
  }
  return -1;
}

/* ------------------------------------------------------------------ */
/* GstWcsElement vfuncs (element thread)                               */

static gboolean
gst_wcs_publish_sink_start_stream (GstWcsElement * element,
    GstWcsSession * session, const gchar * media_session_id, GError ** error)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);
  PubSession *ps;
  gboolean ok;

  ps = g_new0 (PubSession, 1);
  ps->ref = 1;
  ps->sink = gst_object_ref (self);
  ps->id = g_strdup (media_session_id);
  ps->elements = g_ptr_array_new_with_free_func (gst_object_unref);
  ps->video_ssrc = g_random_int_range (1, G_MAXINT32);
  do {
    ps->audio_ssrc = g_random_int_range (1, G_MAXINT32);
  } while (ps->audio_ssrc == ps->video_ssrc);

  g_mutex_lock (&self->lock);
  ps->has_video = self->video != NULL;
  ps->has_audio = self->audio != NULL;
  if (!ps->has_video && !ps->has_audio) {
    g_mutex_unlock (&self->lock);
    gst_wcs_publish_sink_ps_unref (ps);
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Nothing to publish: request a 'video' or 'audio' pad");
    return FALSE;
  }
  g_assert (self->ps == NULL);
  self->ps = ps;                /* takes the initial ref */
  self->bitrate = 0;
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "starting publish %s (video %d, audio %d)",
      media_session_id, ps->has_video, ps->has_audio);
  ok = ps_try_offer (self, ps, error);
  return ok;
}

static void
remove_element (GstWcsPublishSink * self, GstElement * e)
{
  gst_element_set_locked_state (e, TRUE);
  gst_wcs_peer_shutdown (e);
  if (GST_OBJECT_PARENT (e) == GST_OBJECT (self))
    gst_bin_remove (GST_BIN (self), e);
}

static void
gst_wcs_publish_sink_stop_stream (GstWcsElement * element,
    gboolean deliberate)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);
  PubSession *ps;
  GstElement *vsrc, *asrc;
  guint i;

  g_mutex_lock (&self->lock);
  ps = self->ps;
  self->ps = NULL;
  if (ps) {
    ps->flowing = FALSE;
    vsrc = ps->vsrc;
    asrc = ps->asrc;
    ps->vsrc = ps->asrc = NULL;
  }
  self->bitrate = 0;
  g_mutex_unlock (&self->lock);

  if (!ps)
    return;

  GST_INFO_OBJECT (self, "tearing down publish %s (%s)", ps->id,
      deliberate ? "stop" : "restore");
  wcs_pub_stats_stop (ps);
  if (ps->peer)
    gst_wcs_peer_close (ps->peer);
  gst_clear_object (&vsrc);
  gst_clear_object (&asrc);

  /* webrtcbin first: while its transport is not ready it may hold the
   * chain's streaming thread (appsrc -> ... -> webrtcbin) inside; going to
   * NULL flushes it, after which the chain's own tasks can stop. */
  if (ps->webrtc)
    remove_element (self, ps->webrtc);
  for (i = 0; i < ps->elements->len; i++)
    remove_element (self, g_ptr_array_index (ps->elements, i));
  g_ptr_array_set_size (ps->elements, 0);
  gst_wcs_publish_sink_ps_unref (ps);
}

static void
gst_wcs_publish_sink_remote_sdp (GstWcsElement * element,
    const gchar * media_session_id, const gchar * sdp)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);
  PubSession *ps = ref_current_ps (self, media_session_id);
  GstSDPMessage *msg = NULL;
  gchar *vcodec = NULL, *acodec = NULL;
  gint vpt = -1, apt = -1;
  GError *err = NULL;

  if (!ps)
    return;
  if (!ps->peer || !ps->offer_sent) {
    ps_fail (ps, FALSE, "answer before our offer");
    goto done;
  }

  if (gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK) {
    ps_fail (ps, FALSE, "the server's answer is not valid SDP");
    goto done;
  }

  if (ps->has_video) {
    vcodec = gst_wcs_sdp_get_codec (msg, "video");
    if (vcodec && (g_str_equal (vcodec, "H264") || g_str_equal (vcodec,
                "VP8")))
      vpt = find_payload (msg, "video", vcodec);
    if (vpt < 0) {
      ps_fail (ps, TRUE, "The server's answer accepts none of the offered "
          "video codecs (%s)", vcodec ? vcodec : "no video");
      goto done;
    }
  }
  if (ps->has_audio) {
    acodec = gst_wcs_sdp_get_codec (msg, "audio");
    if (acodec && g_str_equal (acodec, "OPUS"))
      apt = find_payload (msg, "audio", acodec);
    if (apt < 0) {
      ps_fail (ps, TRUE, "The server's answer does not accept Opus audio "
          "(%s)", acodec ? acodec : "no audio");
      goto done;
    }
  }

  GST_INFO_OBJECT (self, "answer for %s: video %s/%d, audio %s/%d",
      ps->id, GST_STR_NULL (vcodec), vpt, GST_STR_NULL (acodec), apt);

  /* checked: a refusal comes back through on_peer_failed () */
  gst_wcs_peer_set_remote_description (ps->peer, msg);
  msg = NULL;

  if (ps->has_video) {
    g_free (ps->codec);
    ps->codec = g_strdup (vcodec);
    gst_wcs_element_set_codec (element, vcodec);
    if (!wcs_pub_chain_build_video (self, ps, vcodec, vpt, &err)) {
      ps_fail (ps, g_error_matches (err, GST_WCS_ERROR,
              GST_WCS_ERROR_INVALID_ARGUMENT), "%s", err->message);
      g_clear_error (&err);
      goto done;
    }
  }
  if (ps->has_audio && !wcs_pub_chain_build_audio (self, ps, apt, &err)) {
    ps_fail (ps, g_error_matches (err, GST_WCS_ERROR,
            GST_WCS_ERROR_INVALID_ARGUMENT), "%s", err->message);
    g_clear_error (&err);
    goto done;
  }

done:
  if (msg)
    gst_sdp_message_free (msg);
  g_free (vcodec);
  g_free (acodec);
  gst_wcs_publish_sink_ps_unref (ps);
}

static gboolean
gst_wcs_publish_sink_stream_status (GstWcsElement * element,
    const gchar * media_session_id, GstWcsStreamStatus status,
    const gchar * info)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);
  PubSession *ps = ref_current_ps (self, media_session_id);

  if (!ps)
    return FALSE;

  if (status == GST_WCS_STREAM_STATUS_PUBLISHING) {
    g_mutex_lock (&self->lock);
    ps->flowing = TRUE;
    g_mutex_unlock (&self->lock);
    GST_INFO_OBJECT (self, "publishing %s: input flows", ps->id);
    wcs_pub_chain_force_key_unit (self, ps);
    wcs_pub_stats_start (ps);
    if (!ps->has_video && !ps->active_reported) {
      /* audio only: nothing for the video detector to prove */
      ps->active_reported = TRUE;
      gst_wcs_element_stream_active (element);
    }
    gst_wcs_publish_sink_ps_unref (ps);
    /* active once video bytes go out (ps_process_stats) */
    return TRUE;
  } else {
    /* the detector stops the moment the stream leaves PUBLISHING */
    wcs_pub_stats_stop (ps);
    g_mutex_lock (&self->lock);
    ps->flowing = FALSE;
    g_mutex_unlock (&self->lock);
  }
  gst_wcs_publish_sink_ps_unref (ps);
  return FALSE;                 /* the base applies the restore rules */
}

static gboolean
gst_wcs_publish_sink_check_config (GstWcsElement * element, GError ** error)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);
  guint interval, tries;
  gboolean check;
  gchar *strip, *h264, *vp8;
  GstElement *enc;
  gboolean ok = FALSE, has_audio;

  GST_OBJECT_LOCK (self);
  interval = self->bitrate_check_interval;
  tries = self->bitrate_max_tries;
  check = self->check_bitrate;
  strip = g_strdup (self->strip_codecs);
  h264 = g_strdup (self->h264_encoder);
  vp8 = g_strdup (self->vp8_encoder);
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  has_audio = self->audio != NULL;
  g_mutex_unlock (&self->lock);

  if (interval == 0) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "The 'bitrate-check-interval' property must be greater than 0 "
        "(set 'check-bitrate' to FALSE to turn the detector off)");
  } else if (check && tries == 0) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "The 'bitrate-max-tries' property must be greater than 0 "
        "(set 'check-bitrate' to FALSE to turn the detector off)");
  } else if (gst_wcs_publish_sink_csv_has (strip, "H264") &&
      gst_wcs_publish_sink_csv_has (strip, "VP8")) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "The 'strip-codecs' property (\"%s\") strips every video codec",
        strip);
  } else if (has_audio && gst_wcs_publish_sink_csv_has (strip, "OPUS")) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "The 'strip-codecs' property (\"%s\") strips OPUS, the only audio "
        "codec", strip);
  } else if (!(enc = wcs_pub_chain_make_encoder (self, "h264-encoder", h264,
              error))) {
    /* error set */
  } else {
    gst_object_unref (gst_object_ref_sink (enc));
    if ((enc = wcs_pub_chain_make_encoder (self, "vp8-encoder", vp8, error))) {
      gst_object_unref (gst_object_ref_sink (enc));
      ok = TRUE;
    }
  }

  g_free (strip);
  g_free (h264);
  g_free (vp8);
  return ok;
}

static void
gst_wcs_publish_sink_fill_stats (GstWcsElement * element, GstStructure * s)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);

  g_mutex_lock (&self->lock);
  gst_structure_set (s, "bitrate", G_TYPE_UINT64, self->bitrate,
      "bytes", G_TYPE_UINT64, self->bytes,
      "frames-dropped", G_TYPE_UINT64, self->frames_dropped,
      "codec-fallback", G_TYPE_BOOLEAN, self->fallback_vp8, NULL);
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------ */
/* inputs (streaming threads)                                          */

static GstFlowReturn
on_new_sample (GstAppSink * appsink, gpointer user_data)
{
  WcsInput *in = user_data;
  GstWcsPublishSink *self = in->sink;
  GstSample *sample = gst_app_sink_pull_sample (appsink);
  GstCaps *caps;
  GstBuffer *buf;
  GstElement *src = NULL;
  PubSession *waiting = NULL;
  gboolean new_caps = FALSE;

  if (!sample)
    return GST_FLOW_OK;
  caps = gst_sample_get_caps (sample);
  buf = gst_sample_get_buffer (sample);

  g_mutex_lock (&self->lock);
  if (caps && (!in->caps || !gst_caps_is_equal (in->caps, caps))) {
    gst_caps_replace (&in->caps, caps);
    new_caps = TRUE;
  }
  if (self->ps) {
    PubSession *ps = self->ps;

    if (new_caps && !ps->offer_started)
      waiting = gst_wcs_publish_sink_ps_ref (ps);
    if (ps->flowing) {
      src = in->is_video ? ps->vsrc : ps->asrc;
      if (src && in->is_video && !ps->video_raw && ps->need_key) {
        if (buf && GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
          src = NULL;           /* wait for a key frame */
        else
          ps->need_key = FALSE;
      }
      if (src)
        gst_object_ref (src);
    }
  }
  if (!src)
    self->frames_dropped++;
  g_mutex_unlock (&self->lock);

  if (waiting) {
    gst_wcs_publish_sink_ps_invoke (waiting, ps_caps_arrived, NULL);
    gst_wcs_publish_sink_ps_unref (waiting);
  }

  if (src && buf) {
    const GstSegment *seg = gst_sample_get_segment (sample);
    GstBuffer *out = gst_buffer_copy (buf);
    GstCaps *cur = gst_app_src_get_caps (GST_APP_SRC (src));

    /* the publish chain runs on running time: buffers keep their timing
     * across republishes */
    if (seg && seg->format == GST_FORMAT_TIME) {
      if (GST_BUFFER_PTS_IS_VALID (buf))
        GST_BUFFER_PTS (out) = gst_segment_to_running_time (seg,
            GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
      if (GST_BUFFER_DTS_IS_VALID (buf))
        GST_BUFFER_DTS (out) = gst_segment_to_running_time (seg,
            GST_FORMAT_TIME, GST_BUFFER_DTS (buf));
    }
    if (caps && (!cur || !gst_caps_is_equal (cur, caps)))
      gst_app_src_set_caps (GST_APP_SRC (src), caps);
    gst_clear_caps (&cur);
    gst_app_src_push_buffer (GST_APP_SRC (src), out);
  }
  gst_clear_object (&src);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static void
on_input_eos (GstAppSink * appsink, gpointer user_data)
{
  WcsInput *in = user_data;
  GstWcsPublishSink *self = in->sink;
  gboolean all;

  g_mutex_lock (&self->lock);
  in->eos = TRUE;
  all = (!self->video || self->video->eos) && (!self->audio ||
      self->audio->eos) && !self->eos_handled;
  if (all)
    self->eos_handled = TRUE;
  g_mutex_unlock (&self->lock);

  if (!all)
    return;

  GST_INFO_OBJECT (self, "EOS: unpublishing");
  gst_wcs_element_shutdown (GST_WCS_ELEMENT (self), EOS_UNPUBLISH_WAIT_MS);
  GST_INFO_OBJECT (self, "EOS: unpublished, posting EOS");
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_eos (GST_OBJECT (self)));
}

static GstPad *
gst_wcs_publish_sink_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (element);
  gboolean is_video;
  WcsInput *in;
  GstAppSinkCallbacks callbacks = {
    .eos = on_input_eos,
    .new_sample = on_new_sample,
  };
  GstCaps *tcaps;
  GstPad *target;

  if (templ == gst_element_class_get_pad_template (klass, "video"))
    is_video = TRUE;
  else if (templ == gst_element_class_get_pad_template (klass, "audio"))
    is_video = FALSE;
  else
    return NULL;

  g_mutex_lock (&self->lock);
  if ((is_video && self->video) || (!is_video && self->audio)) {
    g_mutex_unlock (&self->lock);
    GST_WARNING_OBJECT (self, "there is already an %s pad",
        is_video ? "video" : "audio");
    return NULL;
  }
  in = g_new0 (WcsInput, 1);
  in->sink = self;
  in->is_video = is_video;
  if (is_video)
    self->video = in;
  else
    self->audio = in;
  g_mutex_unlock (&self->lock);

  in->appsink = gst_element_factory_make ("appsink",
      is_video ? "video-input" : "audio-input");
  gst_object_ref_sink (in->appsink);
  tcaps = is_video ? gst_caps_from_string (VIDEO_INPUT_CAPS) :
      gst_static_caps_get (&audio_template.static_caps);
  g_object_set (in->appsink, "sync", TRUE, "async", FALSE,
      "emit-signals", FALSE, "enable-last-sample", FALSE,
      "max-buffers", 1, "drop", FALSE, "wait-on-eos", FALSE,
      "caps", tcaps, NULL);
  gst_caps_unref (tcaps);
  gst_app_sink_set_callbacks (GST_APP_SINK (in->appsink), &callbacks, in,
      NULL);
  gst_bin_add (GST_BIN (self), in->appsink);

  target = gst_element_get_static_pad (in->appsink, "sink");
  in->ghost = gst_ghost_pad_new_from_template (is_video ? "video" : "audio",
      target, templ);
  gst_object_unref (target);
  gst_pad_set_active (in->ghost, TRUE);
  gst_element_add_pad (element, in->ghost);
  gst_element_sync_state_with_parent (in->appsink);

  GST_DEBUG_OBJECT (self, "added %s input", is_video ? "video" : "audio");
  return in->ghost;
}

static void
gst_wcs_publish_sink_release_pad (GstElement * element, GstPad * pad)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);
  WcsInput *in = NULL;

  g_mutex_lock (&self->lock);
  if (self->video && self->video->ghost == pad) {
    in = self->video;
    self->video = NULL;
  } else if (self->audio && self->audio->ghost == pad) {
    in = self->audio;
    self->audio = NULL;
  }
  g_mutex_unlock (&self->lock);
  if (!in)
    return;

  gst_element_set_locked_state (in->appsink, TRUE);
  gst_element_set_state (in->appsink, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (in->appsink) == GST_OBJECT (self))
    gst_bin_remove (GST_BIN (self), in->appsink);
  gst_object_unref (in->appsink);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
  gst_clear_caps (&in->caps);
  g_free (in);
}

/* ------------------------------------------------------------------ */
/* GstElement / GstBin                                                 */

static GstStateChangeReturn
gst_wcs_publish_sink_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (element);

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    g_mutex_lock (&self->lock);
    self->eos_handled = FALSE;
    self->fallback_vp8 = FALSE;
    self->frames_dropped = 0;
    self->bitrate = 0;
    self->bytes = 0;
    if (self->video)
      self->video->eos = FALSE;
    if (self->audio)
      self->audio->eos = FALSE;
    g_mutex_unlock (&self->lock);
  }

  return GST_ELEMENT_CLASS (gst_wcs_publish_sink_parent_class)->change_state
      (element, transition);
}

static void
gst_wcs_publish_sink_handle_message (GstBin * bin, GstMessage * msg)
{
  /* EOS is ours to post, once unpublished */
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS &&
      GST_MESSAGE_SRC (msg) != GST_OBJECT (bin)) {
    gst_message_unref (msg);
    return;
  }
  GST_BIN_CLASS (gst_wcs_publish_sink_parent_class)->handle_message (bin, msg);
}

/* A pipeline hands EOS (and every downstream event an application sends
 * it) to each child flagged as a source, and this bin is one: its internal
 * appsrcs and webrtcbin's nicesrc make it so. Those sources are ours; an
 * EOS pushed into them would end the encoders and the RTP session before
 * the unpublish. Our input's EOS comes through the sink pads, like any
 * sink's, so a downstream event sent to the element is accepted and
 * dropped (gst_element_send_event (pipeline, eos) then answers for the
 * real sources). Upstream events go the default way. */
static gboolean
gst_wcs_publish_sink_send_event (GstElement * element, GstEvent * event)
{
  if (GST_EVENT_IS_DOWNSTREAM (event) && !GST_EVENT_IS_UPSTREAM (event)) {
    GST_DEBUG_OBJECT (element, "%s event: for the sources upstream, dropped",
        GST_EVENT_TYPE_NAME (event));
    gst_event_unref (event);
    return TRUE;
  }
  return GST_ELEMENT_CLASS (gst_wcs_publish_sink_parent_class)->send_event
      (element, event);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

/* the configuration properties kept in GstWcsPublishSink */
static const GstWcsPropField publish_sink_fields[] = {
  {PROP_CHECK_BITRATE, G_STRUCT_OFFSET (GstWcsPublishSink, check_bitrate)},
  {PROP_CHANGE_CODEC, G_STRUCT_OFFSET (GstWcsPublishSink, change_codec)},
  {PROP_BITRATE_CHECK_INTERVAL, G_STRUCT_OFFSET (GstWcsPublishSink,
          bitrate_check_interval)},
  {PROP_BITRATE_MAX_TRIES, G_STRUCT_OFFSET (GstWcsPublishSink,
          bitrate_max_tries)},
  {PROP_STRIP_CODECS, G_STRUCT_OFFSET (GstWcsPublishSink, strip_codecs)},
  {PROP_VIDEO_BITRATE, G_STRUCT_OFFSET (GstWcsPublishSink, video_bitrate)},
  {PROP_H264_ENCODER, G_STRUCT_OFFSET (GstWcsPublishSink, h264_encoder)},
  {PROP_VP8_ENCODER, G_STRUCT_OFFSET (GstWcsPublishSink, vp8_encoder)},
};

static void
gst_wcs_publish_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (object);

  GST_OBJECT_LOCK (self);
  if (!gst_wcs_prop_field_set (self, publish_sink_fields,
          G_N_ELEMENTS (publish_sink_fields), prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  if (prop_id == PROP_STRIP_CODECS && !self->strip_codecs)
    self->strip_codecs = g_strdup ("");
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wcs_publish_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (object);

  GST_OBJECT_LOCK (self);
  if (!gst_wcs_prop_field_get (self, publish_sink_fields,
          G_N_ELEMENTS (publish_sink_fields), prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wcs_publish_sink_finalize (GObject * object)
{
  GstWcsPublishSink *self = GST_WCS_PUBLISH_SINK (object);

  g_free (self->strip_codecs);
  g_free (self->h264_encoder);
  g_free (self->vp8_encoder);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_wcs_publish_sink_parent_class)->finalize (object);
}

static void
gst_wcs_publish_sink_init (GstWcsPublishSink * self)
{
  g_mutex_init (&self->lock);
  self->check_bitrate = DEFAULT_CHECK_BITRATE;
  self->change_codec = DEFAULT_CHANGE_CODEC;
  self->bitrate_check_interval = DEFAULT_BITRATE_CHECK_INTERVAL;
  self->bitrate_max_tries = DEFAULT_BITRATE_MAX_TRIES;
  self->strip_codecs = g_strdup (DEFAULT_STRIP_CODECS);
  self->video_bitrate = DEFAULT_VIDEO_BITRATE;
  self->h264_encoder = g_strdup (DEFAULT_H264_ENCODER);
  self->vp8_encoder = g_strdup (DEFAULT_VP8_ENCODER);

  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

static void
gst_wcs_publish_sink_class_init (GstWcsPublishSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);
  GstWcsElementClass *wcs_class = GST_WCS_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_wcs_publish_sink_debug, "wcspublishsink", 0,
      "WCS publish sink");

  gobject_class->set_property = gst_wcs_publish_sink_set_property;
  gobject_class->get_property = gst_wcs_publish_sink_get_property;
  gobject_class->finalize = gst_wcs_publish_sink_finalize;

  /**
   * GstWcsPublishSink:check-bitrate:
   *
   * Run the zero-bitrate detector while PUBLISHING.
   */
  g_object_class_install_property (gobject_class, PROP_CHECK_BITRATE,
      g_param_spec_boolean ("check-bitrate", "Check bitrate",
          "Run the zero-bitrate detector while PUBLISHING",
          DEFAULT_CHECK_BITRATE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstWcsPublishSink:change-codec:
   *
   * After the detector fired while H264 was sent, republish with H264
   * stripped (VP8); sticky until the element goes back to READY.
   */
  g_object_class_install_property (gobject_class, PROP_CHANGE_CODEC,
      g_param_spec_boolean ("change-codec", "Change codec",
          "After a detected H264 publish failure, republish with H264 "
          "stripped (VP8)", DEFAULT_CHANGE_CODEC, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class,
      PROP_BITRATE_CHECK_INTERVAL,
      g_param_spec_uint ("bitrate-check-interval", "Bitrate check interval",
          "Period of the zero-bitrate detector and of the stats update, in ms "
          "(0 is invalid)",
          0, G_MAXUINT, DEFAULT_BITRATE_CHECK_INTERVAL, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_BITRATE_MAX_TRIES,
      g_param_spec_uint ("bitrate-max-tries", "Bitrate max tries",
          "Consecutive zero-bitrate readings that mean the publish failed "
          "(0 is invalid while check-bitrate is on)",
          0, G_MAXUINT, DEFAULT_BITRATE_MAX_TRIES, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_STRIP_CODECS,
      g_param_spec_string ("strip-codecs", "Strip codecs",
          "Comma-separated codecs never offered, e.g. \"H264\" (like the "
          "SDK's stripCodecs)", DEFAULT_STRIP_CODECS, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_VIDEO_BITRATE,
      g_param_spec_uint ("video-bitrate", "Video bitrate",
          "Encoder target in kbit/s (applied to x264enc 'bitrate' and vp8enc "
          "'target-bitrate' unless the encoder description sets them)",
          1, G_MAXUINT / 1000, DEFAULT_VIDEO_BITRATE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsPublishSink:h264-encoder:
   *
   * gst-launch style description of the H264 encoder bin used for raw
   * video (one sink and one src pad left unlinked), e.g.
   * "vaapih264enc rate-control=cbr bitrate=1500". The default is
   * x264enc in a zero-latency, low-CPU configuration, restricted to the
   * constrained-baseline profile offered (profile-level-id 42e01f).
   */
  g_object_class_install_property (gobject_class, PROP_H264_ENCODER,
      g_param_spec_string ("h264-encoder", "H264 encoder",
          "Bin description of the H264 encoder for raw video (gst-launch "
          "syntax, e.g. \"vaapih264enc bitrate=1500\")", DEFAULT_H264_ENCODER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsPublishSink:vp8-encoder:
   *
   * gst-launch style description of the VP8 encoder bin used for raw video
   * when VP8 is negotiated (H264 stripped or after a fallback).
   */
  g_object_class_install_property (gobject_class, PROP_VP8_ENCODER,
      g_param_spec_string ("vp8-encoder", "VP8 encoder",
          "Bin description of the VP8 encoder for raw video (gst-launch "
          "syntax)", DEFAULT_VP8_ENCODER, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (element_class,
      "WCS WebRTC publisher", "Sink/Network/WebRTC",
      "Publishes a stream to a Flashphoner Web Call Server over WebRTC, "
      "with automatic restore and H264 to VP8 fallback",
      "gst-wcs authors");

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_wcs_publish_sink_change_state);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_wcs_publish_sink_request_new_pad);
  element_class->release_pad =
      GST_DEBUG_FUNCPTR (gst_wcs_publish_sink_release_pad);
  element_class->send_event =
      GST_DEBUG_FUNCPTR (gst_wcs_publish_sink_send_event);
  bin_class->handle_message =
      GST_DEBUG_FUNCPTR (gst_wcs_publish_sink_handle_message);

  wcs_class->is_player = FALSE;
  wcs_class->check_config = gst_wcs_publish_sink_check_config;
  wcs_class->start_stream = gst_wcs_publish_sink_start_stream;
  wcs_class->stop_stream = gst_wcs_publish_sink_stop_stream;
  wcs_class->remote_sdp = gst_wcs_publish_sink_remote_sdp;
  wcs_class->stream_status = gst_wcs_publish_sink_stream_status;
  wcs_class->fill_stats = gst_wcs_publish_sink_fill_stats;
}
