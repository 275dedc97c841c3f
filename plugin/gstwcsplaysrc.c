/* gst-wcs: wcsplaysrc, plays a stream from a Flashphoner WCS over WebRTC
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-wcsplaysrc
 * @title: wcsplaysrc
 * @see_also: wcspublishsink, webrtcbin
 *
 * wcsplaysrc plays one stream of a Flashphoner Web Call Server (WCS): it
 * connects to the server's WebSocket (`location`), sends `playStream` for
 * `stream-name` with its own receive-only WebRTC offer (H264 with
 * packetization-mode=1 and profile-level-id=42e01f, VP8; Opus), applies the
 * server's answer and outputs what arrives.
 *
 * ## Pads
 *
 * Two sometimes source pads, `video` and `audio`, are added the first time
 * media of that kind arrives and are then kept for the element's life: a
 * restore (section "Restore" below) swaps the whole WebRTC session underneath
 * them without removing the pads, without EOS and without a timestamp jump.
 * `no-more-pads` is emitted once every media kind the server's answer
 * announced has a pad, or 2 s after the first pad at the latest.
 *
 * By default the output is decoded (`video/x-raw` from avdec_h264 or
 * vp8dec, `audio/x-raw` from opusdec). With `decode=false` it is the encoded
 * stream: `video/x-h264, stream-format=byte-stream, alignment=au` (SPS/PPS
 * repeated before every key frame), `video/x-vp8` or `audio/x-opus`. When
 * the publisher's codec changes across a restore (H264 to VP8) the pad
 * simply gets new caps.
 *
 * ## Timestamps, gaps and latency
 *
 * The element is live (READY->PAUSED and PLAYING->PAUSED return
 * NO_PREROLL). A buffer is timestamped with the element's running time at
 * the moment it arrives (audio is kept contiguous while arrival jitter stays
 * below 40 ms), so timestamps keep rising across restores. While nothing
 * arrives on a pad for more than 150 ms (or twice its usual interval between
 * buffers, for slow video), GAP events covering the silence are sent every
 * 100 ms. The element reports 50 ms of latency. Nothing is
 * output while the element is PAUSED. Pads nobody linked simply drop their
 * data (no not-linked error).
 *
 * ## Media watchdog
 *
 * WebRTC alone never notices a dead peer. While the stream is PLAYING, when
 * no RTP at all arrives for `media-timeout` ms (counted from PLAYING or from
 * the last packet), the element reports a `media-timeout` failure: a
 * `wcs-restore` restore starts (or, with `restore-connection=false`, an
 * error is posted). The watchdog checks every 100 ms, so it fires between
 * `media-timeout` and `media-timeout` + 100 ms after the last packet.
 * A stream counts as restored (`wcs-restore` phase `restored`) when it is
 * PLAYING and media arrived, not at the PLAYING status alone.
 *
 * ## Restore
 *
 * Shared with wcspublishsink (see GstWcsElement and elements.md section 4):
 * session failures, stream FAILED with a transient info, the media watchdog
 * and errors of the internal WebRTC pipeline start a restore; every attempt
 * builds a fresh webrtcbin with a fresh offer and a new mediaSessionId. A
 * missing stream (`FAILED` / `Stream not found`, or the publisher stopping)
 * is not fatal: the player keeps retrying, waiting for its publisher, under
 * `restore-max-tries` / `restore-timeout`.
 *
 * ## URI
 *
 * wcsplaysrc handles `wcs://host:port/stream-name` (WebSocket, `ws://`) and
 * `wcss://host:port/stream-name` (secure WebSocket, `wss://`); the last
 * path segment (percent-decoded) is the stream name, anything before it is
 * the path of `location`. So playbin, uridecodebin and gst-play-1.0 can
 * play WCS streams.
 *
 * ## Stats
 *
 * Besides the common fields of the base class, `stats` has `bitrate`
 * (guint64, bit/s of received video RTP over the last second), `bytes`
 * (guint64, video RTP bytes received, headers included, over the element's
 * life), `video-buffers` / `audio-buffers` (guint64, buffers output),
 * `gap-events` (guint64) and `media-timeouts` (guint, watchdog firings).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 wcsplaysrc location=ws://127.0.0.1:8080 stream-name=cam1 ! videoconvert ! autovideosink
 * ]| Plays the video of stream `cam1`.
 * |[
 * gst-launch-1.0 wcsplaysrc name=src location=ws://127.0.0.1:8080 stream-name=cam1 \
 *     src.video ! queue ! videoconvert ! autovideosink \
 *     src.audio ! queue ! audioconvert ! audioresample ! autoaudiosink
 * ]| Plays video and audio.
 * |[
 * gst-play-1.0 wcs://127.0.0.1:8080/cam1
 * ]| The same through playbin and the URI handler.
 * |[
 * gst-launch-1.0 -e wcsplaysrc location=wss://wcs.example.com:8443 stream-name=cam1 decode=false \
 *     ! h264parse ! matroskamux streamable=true ! filesink location=cam1.mkv
 * ]| Records the encoded H264 stream without decoding it.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/sdp/sdp.h>

#include "gstwcselements.h"
#include "gstwcsplaysrc-private.h"
#include "gstwcsprop.h"
#include "gstwcssdp.h"
#include "gstwcspeer.h"

GST_DEBUG_CATEGORY (gst_wcs_play_src_debug);
#define GST_CAT_DEFAULT gst_wcs_play_src_debug

#define DEFAULT_DECODE TRUE
#define DEFAULT_MEDIA_TIMEOUT 5000
#define DEFAULT_LATENCY 200       /* webrtcbin's own default */

/* period of the element-thread timer: GAP events, media watchdog, bitrate */
#define TICK_MS 100

enum
{
  PROP_0,
  PROP_DECODE,
  PROP_MEDIA_TIMEOUT,
  PROP_LATENCY,
};

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE ("video",
    GST_PAD_SRC,
    GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("video/x-raw; "
        "video/x-h264, stream-format=(string)byte-stream, "
        "alignment=(string)au; " "video/x-vp8"));

static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE ("audio",
    GST_PAD_SRC,
    GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("audio/x-raw; audio/x-opus"));

static void gst_wcs_play_src_uri_handler_init (gpointer g_iface,
    gpointer iface_data);

#define gst_wcs_play_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstWcsPlaySrc, gst_wcs_play_src, GST_TYPE_WCS_ELEMENT,
    G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER,
        gst_wcs_play_src_uri_handler_init);
    GST_DEBUG_CATEGORY_INIT (gst_wcs_play_src_debug, "wcsplaysrc", 0,
        "WCS WebRTC player"));

static gboolean
wcsplaysrc_element_init (GstPlugin * plugin)
{
  wcs_element_init (plugin);
  /* PRIMARY: gst_element_make_from_uri() (playbin) ignores ranks below
   * MARGINAL; nothing else handles wcs:// */
  return gst_element_register (plugin, "wcsplaysrc", GST_RANK_PRIMARY,
      GST_TYPE_WCS_PLAY_SRC);
}

GST_ELEMENT_REGISTER_DEFINE_CUSTOM (wcsplaysrc, wcsplaysrc_element_init);

/* ------------------------------------------------------------------ */
/* play sessions                                                       */

/* Puts @value in the pointer *@field (self->current, self->tick) under
 * self->lock; returns what was there, for the caller to drop outside it. */
static gpointer
exchange_locked (GstWcsPlaySrc * self, gpointer * field, gpointer value)
{
  gpointer old;

  g_mutex_lock (&self->lock);
  old = *field;
  *field = value;
  g_mutex_unlock (&self->lock);
  return old;
}

/* Detaches and tears down the current session, if any. */
static void
stop_current (GstWcsPlaySrc * self)
{
  PlaySession *s = exchange_locked (self, (gpointer *) & self->current, NULL);

  if (s)
    wcs_play_session_teardown (self, s);
}

/* ------------------------------------------------------------------ */
/* GstWcsElement vfuncs                                                */

static gboolean
gst_wcs_play_src_check_config (GstWcsElement * element, GError ** error)
{
  static const gchar *const needed[] = {
    "webrtcbin", "rtph264depay", "rtpvp8depay", "rtpopusdepay", "h264parse",
    "appsrc", "appsink", NULL
  };
  GString *missing = g_string_new (NULL);
  GstElementFactory *f;
  guint i;

  for (i = 0; needed[i]; i++) {
    f = gst_element_factory_find (needed[i]);
    if (f) {
      gst_object_unref (f);
      continue;
    }
    if (missing->len)
      g_string_append (missing, ", ");
    g_string_append (missing, needed[i]);
  }

  if (missing->len) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "wcsplaysrc needs the GStreamer element(s) %s, which are not "
        "installed", missing->str);
    g_string_free (missing, TRUE);
    return FALSE;
  }
  g_string_free (missing, TRUE);
  return TRUE;
}

static gboolean
gst_wcs_play_src_start_stream (GstWcsElement * element,
    GstWcsSession * session, const gchar * media_session_id, GError ** error)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (element);
  PlaySession *s, *old;

  s = wcs_play_session_new (self, media_session_id, error);
  if (!s)
    return FALSE;

  /* the current session takes the creation ref */
  old = exchange_locked (self, (gpointer *) & self->current, s);
  if (old) {
    GST_WARNING_OBJECT (self, "play session %s was still current", old->id);
    wcs_play_session_teardown (self, old);
  }

  GST_INFO_OBJECT (self, "starting play session %s (#%u)", s->id, s->seq);

  if (gst_element_set_state (s->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
        "could not start the WebRTC pipeline");
    stop_current (self);
    return FALSE;
  }

  gst_wcs_peer_start (s->peer);
  return TRUE;
}

static void
gst_wcs_play_src_stop_stream (GstWcsElement * element, gboolean deliberate)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (element);

  GST_DEBUG_OBJECT (self, "stop stream (deliberate %d)", deliberate);
  stop_current (self);
}

/* media kinds the server will send, from its answer */
static guint
answer_media_kinds (const GstSDPMessage * msg)
{
  guint i, kinds = 0;

  for (i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);
    const gchar *media = gst_sdp_media_get_media (m);

    if (gst_sdp_media_get_port (m) == 0)
      continue;
    if (gst_sdp_media_get_attribute_val (m, "inactive") ||
        gst_sdp_media_get_attribute_val (m, "recvonly"))
      continue;
    if (g_strcmp0 (media, "video") == 0)
      kinds |= KIND_BIT (KIND_VIDEO);
    else if (g_strcmp0 (media, "audio") == 0)
      kinds |= KIND_BIT (KIND_AUDIO);
  }
  return kinds;
}

static void
gst_wcs_play_src_remote_sdp (GstWcsElement * element,
    const gchar * media_session_id, const gchar * sdp)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (element);
  PlaySession *s = NULL;
  GstSDPMessage *msg = NULL;
  gchar *codec;
  guint kinds;

  g_mutex_lock (&self->lock);
  if (self->current && g_strcmp0 (self->current->id, media_session_id) == 0)
    s = wcs_play_session_ref (self->current);
  g_mutex_unlock (&self->lock);

  if (!s) {
    GST_DEBUG_OBJECT (self, "answer for stale id %s ignored",
        GST_STR_NULL (media_session_id));
    return;
  }

  if (!sdp || gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK
      || gst_sdp_message_medias_len (msg) == 0) {
    GST_WARNING_OBJECT (self, "unusable answer SDP: %s", GST_STR_NULL (sdp));
    if (msg)
      gst_sdp_message_free (msg);
    wcs_play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE,
        "the server's answer is not a usable SDP");
    wcs_play_session_unref (s);
    return;
  }

  kinds = answer_media_kinds (msg);
  g_mutex_lock (&self->lock);
  self->expected = kinds;
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "answer for %s announces%s%s", s->id,
      (kinds & KIND_BIT (KIND_VIDEO)) ? " video" : "",
      (kinds & KIND_BIT (KIND_AUDIO)) ? " audio" : "");

  codec = gst_wcs_sdp_get_codec (msg, "video");
  if (codec) {
    gst_wcs_element_set_codec (GST_WCS_ELEMENT (self), codec);
    g_free (codec);
  }

  /* checked: a refusal comes back through on_peer_failed () */
  gst_wcs_peer_set_remote_description (s->peer, msg);

  wcs_play_session_unref (s);
}

static gboolean
gst_wcs_play_src_stream_status (GstWcsElement * element,
    const gchar * media_session_id, GstWcsStreamStatus status,
    const gchar * info)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (element);
  PlaySession *s;
  gboolean report = FALSE;

  if (status != GST_WCS_STREAM_STATUS_PLAYING)
    return FALSE;

  /* PLAYING alone proves nothing for a player: the restore succeeds once
   * media arrives too (media_seen_idle), and the watchdog starts now */
  g_mutex_lock (&self->lock);
  s = self->current;
  if (s && g_strcmp0 (s->id, media_session_id) == 0) {
    if (s->playing_since == 0)
      s->playing_since = g_get_monotonic_time ();
    if (g_atomic_int_get (&s->media_seen) && !s->active_reported) {
      s->active_reported = TRUE;
      report = TRUE;
    }
  }
  g_mutex_unlock (&self->lock);

  if (report)
    gst_wcs_element_stream_active (element);

  return TRUE;
}

static void
gst_wcs_play_src_fill_stats (GstWcsElement * element, GstStructure * stats)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (element);
  guint64 bytes, bitrate, vbufs, abufs, gaps;
  guint timeouts;

  g_mutex_lock (&self->lock);
  vbufs = self->out[KIND_VIDEO].buffers;
  abufs = self->out[KIND_AUDIO].buffers;
  gaps = self->out[KIND_VIDEO].gaps + self->out[KIND_AUDIO].gaps;
  timeouts = self->media_timeouts;
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&self->stats_lock);
  bytes = self->video_bytes;
  bitrate = self->bitrate;
  g_mutex_unlock (&self->stats_lock);

  gst_structure_set (stats,
      "bitrate", G_TYPE_UINT64, bitrate,
      "bytes", G_TYPE_UINT64, bytes,
      "video-buffers", G_TYPE_UINT64, vbufs,
      "audio-buffers", G_TYPE_UINT64, abufs,
      "gap-events", G_TYPE_UINT64, gaps,
      "media-timeouts", G_TYPE_UINT, timeouts, NULL);
}

/* ------------------------------------------------------------------ */
/* periodic work on the element thread                                 */

static void
tick_watchdog (GstWcsPlaySrc * self, gint64 now)
{
  PlaySession *s;
  gint64 last;
  guint timeout;
  gboolean fire = FALSE;
  gchar *detail;

  g_mutex_lock (&self->lock);
  timeout = self->media_timeout;
  s = self->current;
  if (s && timeout > 0 && s->playing_since != 0 && !s->watchdog_fired
      && !wcs_play_session_is_dead (s)) {
    g_mutex_lock (&self->stats_lock);
    last = MAX (s->playing_since, s->last_media);
    g_mutex_unlock (&self->stats_lock);
    if (now - last >= (gint64) timeout * G_TIME_SPAN_MILLISECOND) {
      s->watchdog_fired = TRUE;
      self->media_timeouts++;
      fire = TRUE;
      wcs_play_session_ref (s);
    }
  }
  g_mutex_unlock (&self->lock);

  if (!fire)
    return;

  detail = g_strdup_printf ("no media received for %u ms", timeout);
  GST_WARNING_OBJECT (self, "media watchdog: %s", detail);
  wcs_play_session_fail (s, GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, FALSE,
      detail);
  g_free (detail);
  wcs_play_session_unref (s);
}

static void
tick_bitrate (GstWcsPlaySrc * self, gint64 now)
{
  g_mutex_lock (&self->stats_lock);
  if (self->rate_time == 0) {
    self->rate_time = now;
    self->rate_bytes = self->video_bytes;
  } else if (now - self->rate_time >= G_TIME_SPAN_SECOND) {
    self->bitrate = gst_util_uint64_scale (self->video_bytes -
        self->rate_bytes, 8 * G_TIME_SPAN_SECOND, now - self->rate_time);
    self->rate_time = now;
    self->rate_bytes = self->video_bytes;
  }
  g_mutex_unlock (&self->stats_lock);
}

static gboolean
tick_cb (gpointer data)
{
  GstWcsPlaySrc *self = data;
  gint64 now = g_get_monotonic_time ();

  wcs_play_output_tick_gaps (self, now);
  tick_watchdog (self, now);
  wcs_play_output_tick_pads (self, now);
  tick_bitrate (self, now);

  return G_SOURCE_CONTINUE;
}

static void
tick_free (GSource * source)
{
  if (source) {
    g_source_destroy (source);
    g_source_unref (source);
  }
}

static void
start_tick (GstWcsPlaySrc * self)
{
  GMainContext *ctx = gst_wcs_element_get_context (GST_WCS_ELEMENT (self));
  GSource *source;

  if (!ctx) {
    GST_WARNING_OBJECT (self, "no element context: no watchdog / GAP timer");
    return;
  }
  source = g_timeout_source_new (TICK_MS);
  g_source_set_callback (source, tick_cb, self, NULL);
  g_source_attach (source, ctx);

  tick_free (exchange_locked (self, (gpointer *) & self->tick, source));
}

static void
stop_tick (GstWcsPlaySrc * self)
{
  tick_free (exchange_locked (self, (gpointer *) & self->tick, NULL));
}

/* ------------------------------------------------------------------ */
/* GstElement                                                          */

static GstStateChangeReturn
gst_wcs_play_src_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (element);
  GstStateChangeReturn ret;
  guint k;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      g_mutex_lock (&self->lock);
      self->running = TRUE;
      self->group_id = gst_util_group_id_next ();
      for (k = 0; k < N_KINDS; k++) {
        self->out[k].next_ts = GST_CLOCK_TIME_NONE;
        self->out[k].min_ts = 0;
        self->out[k].session_seq = 0;
        self->out[k].gapped = FALSE;
        self->out[k].last_buffer = g_get_monotonic_time ();
        self->out[k].interval = 0;
      }
      g_mutex_unlock (&self->lock);
      g_mutex_lock (&self->stats_lock);
      self->rate_time = 0;
      self->bitrate = 0;
      g_mutex_unlock (&self->stats_lock);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      stop_tick (self);
      g_mutex_lock (&self->lock);
      self->running = FALSE;
      g_mutex_unlock (&self->lock);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
      g_mutex_lock (&self->lock);
      self->running = FALSE;
      g_mutex_unlock (&self->lock);
    }
    return ret;
  }

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      start_tick (self);
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      /* the base stopped the stream deliberately; make sure */
      stop_current (self);
      /* the appsrcs keep their caps and send them again when restarted */
      g_mutex_lock (&self->lock);
      self->expected = 0;
      g_mutex_unlock (&self->lock);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop_current (self);
      wcs_play_session_wait_teardowns (self);
      break;
    default:
      break;
  }

  return ret;
}

/* ------------------------------------------------------------------ */
/* GstURIHandler                                                       */

static GstURIType
gst_wcs_play_src_uri_get_type (GType type)
{
  return GST_URI_SRC;
}

static const gchar *const *
gst_wcs_play_src_uri_get_protocols (GType type)
{
  static const gchar *const protocols[] = { "wcs", "wcss", NULL };

  return protocols;
}

static gchar *
gst_wcs_play_src_uri_get_uri (GstURIHandler * handler)
{
  gchar *location = NULL, *name = NULL, *path, *escaped, *ret = NULL;
  const gchar *scheme, *p;
  GUri *uri;

  g_object_get (handler, "location", &location, "stream-name", &name, NULL);
  if (!location || !name || !*name)
    goto done;

  uri = g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL);
  if (!uri)
    goto done;

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "ws") == 0)
    scheme = "wcs";
  else if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "wss") == 0)
    scheme = "wcss";
  else {
    g_uri_unref (uri);
    goto done;
  }

  p = g_uri_get_path (uri);
  escaped = g_uri_escape_string (name, NULL, FALSE);
  if (p && g_str_has_suffix (p, "/"))
    path = g_strconcat (p, escaped, NULL);
  else
    path = g_strconcat (p ? p : "", "/", escaped, NULL);
  g_free (escaped);

  ret = g_uri_join (G_URI_FLAGS_ENCODED, scheme, g_uri_get_userinfo (uri),
      g_uri_get_host (uri), g_uri_get_port (uri), path, NULL, NULL);
  g_free (path);
  g_uri_unref (uri);

done:
  g_free (location);
  g_free (name);
  return ret;
}

static gboolean
gst_wcs_play_src_uri_set_uri (GstURIHandler * handler, const gchar * uristr,
    GError ** error)
{
  GstElement *element = GST_ELEMENT (handler);
  GUri *uri;
  GError *err = NULL;
  const gchar *scheme, *path, *slash, *ws;
  gchar *name = NULL, *prefix, *location;

  GST_OBJECT_LOCK (element);
  if (GST_STATE (element) > GST_STATE_READY
      || GST_STATE_PENDING (element) > GST_STATE_READY) {
    GST_OBJECT_UNLOCK (element);
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
        "The URI can only be changed in the NULL or READY state");
    return FALSE;
  }
  GST_OBJECT_UNLOCK (element);

  uri = g_uri_parse (uristr, G_URI_FLAGS_ENCODED, &err);
  if (!uri) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI,
        "Invalid wcs URI '%s': %s", uristr, err->message);
    g_clear_error (&err);
    return FALSE;
  }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "wcs") == 0)
    ws = "ws";
  else if (g_ascii_strcasecmp (scheme, "wcss") == 0)
    ws = "wss";
  else {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_UNSUPPORTED_PROTOCOL,
        "Unsupported URI scheme '%s' (wcs:// or wcss://)", scheme);
    g_uri_unref (uri);
    return FALSE;
  }

  if (!g_uri_get_host (uri) || !*g_uri_get_host (uri)) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI,
        "Invalid wcs URI '%s': no host", uristr);
    g_uri_unref (uri);
    return FALSE;
  }

  path = g_uri_get_path (uri);
  slash = path ? strrchr (path, '/') : NULL;
  if (slash)
    name = g_uri_unescape_string (slash + 1, NULL);
  if (!name || !*name) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI,
        "Invalid wcs URI '%s': no stream name (wcs://host:port/stream-name)",
        uristr);
    g_free (name);
    g_uri_unref (uri);
    return FALSE;
  }
  if (g_uri_get_query (uri) || g_uri_get_fragment (uri))
    GST_WARNING_OBJECT (element, "ignoring the query / fragment of '%s'",
        uristr);

  prefix = g_strndup (path, slash - path);
  location = g_uri_join (G_URI_FLAGS_ENCODED, ws, g_uri_get_userinfo (uri),
      g_uri_get_host (uri), g_uri_get_port (uri), prefix, NULL, NULL);
  GST_DEBUG_OBJECT (element, "URI %s: location %s, stream-name %s", uristr,
      location, name);
  g_object_set (element, "location", location, "stream-name", name, NULL);

  g_free (prefix);
  g_free (location);
  g_free (name);
  g_uri_unref (uri);
  return TRUE;
}

static void
gst_wcs_play_src_uri_handler_init (gpointer g_iface, gpointer iface_data)
{
  GstURIHandlerInterface *iface = (GstURIHandlerInterface *) g_iface;

  iface->get_type = gst_wcs_play_src_uri_get_type;
  iface->get_protocols = gst_wcs_play_src_uri_get_protocols;
  iface->get_uri = gst_wcs_play_src_uri_get_uri;
  iface->set_uri = gst_wcs_play_src_uri_set_uri;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

/* the configuration properties kept in GstWcsPlaySrc, under self->lock */
static const GstWcsPropField play_src_fields[] = {
  {PROP_DECODE, G_STRUCT_OFFSET (GstWcsPlaySrc, decode)},
  {PROP_MEDIA_TIMEOUT, G_STRUCT_OFFSET (GstWcsPlaySrc, media_timeout)},
  {PROP_LATENCY, G_STRUCT_OFFSET (GstWcsPlaySrc, latency)},
};

static void
gst_wcs_play_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (object);

  g_mutex_lock (&self->lock);
  if (!gst_wcs_prop_field_set (self, play_src_fields,
          G_N_ELEMENTS (play_src_fields), prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  g_mutex_unlock (&self->lock);
}

static void
gst_wcs_play_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (object);

  g_mutex_lock (&self->lock);
  if (!gst_wcs_prop_field_get (self, play_src_fields,
          G_N_ELEMENTS (play_src_fields), prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  g_mutex_unlock (&self->lock);
}

static void
gst_wcs_play_src_dispose (GObject * object)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (object);
  guint k;

  stop_tick (self);
  stop_current (self);
  wcs_play_session_wait_teardowns (self);

  g_mutex_lock (&self->lock);
  for (k = 0; k < N_KINDS; k++) {
    gst_clear_object (&self->out[k].appsrc);
    gst_clear_object (&self->out[k].ghost);
    gst_caps_replace (&self->out[k].caps, NULL);
  }
  g_mutex_unlock (&self->lock);

  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
gst_wcs_play_src_finalize (GObject * object)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (object);

  /* waits for the teardowns still queued */
  g_thread_pool_free (self->teardown_pool, FALSE, TRUE);

  g_mutex_clear (&self->output_lock);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->stats_lock);
  g_mutex_clear (&self->teardown_lock);
  g_cond_clear (&self->teardown_cond);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_wcs_play_src_init (GstWcsPlaySrc * self)
{
  g_mutex_init (&self->output_lock);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->stats_lock);
  g_mutex_init (&self->teardown_lock);
  g_cond_init (&self->teardown_cond);

  self->decode = DEFAULT_DECODE;
  self->media_timeout = DEFAULT_MEDIA_TIMEOUT;
  self->latency = DEFAULT_LATENCY;

  /* one thread: old WebRTC pipelines go to NULL one after the other, never
   * on the element thread or a streaming thread */
  self->teardown_pool = g_thread_pool_new (wcs_play_session_teardown_func,
      self, 1, FALSE, NULL);

  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}

static void
gst_wcs_play_src_class_init (GstWcsPlaySrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstWcsElementClass *wcs_class = GST_WCS_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_wcs_play_src_set_property;
  gobject_class->get_property = gst_wcs_play_src_get_property;
  gobject_class->dispose = gst_wcs_play_src_dispose;
  gobject_class->finalize = gst_wcs_play_src_finalize;

  /**
   * GstWcsPlaySrc:decode:
   *
   * Output decoded raw video / audio (avdec_h264 or vp8dec, opusdec). When
   * %FALSE, output the encoded stream as it arrives: video/x-h264
   * (byte-stream, au), video/x-vp8 or audio/x-opus.
   */
  g_object_class_install_property (gobject_class, PROP_DECODE,
      g_param_spec_boolean ("decode", "Decode",
          "Output decoded raw video/audio (TRUE) or the encoded H264/VP8/Opus "
          "stream as it arrives (FALSE)", DEFAULT_DECODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstWcsPlaySrc:media-timeout:
   *
   * While the stream is PLAYING, no inbound RTP for this many milliseconds
   * is a failure (reason `media-timeout`): the element restores the stream
   * (or posts an error when restore is off). 0 disables the watchdog.
   */
  g_object_class_install_property (gobject_class, PROP_MEDIA_TIMEOUT,
      g_param_spec_uint ("media-timeout", "Media timeout",
          "No inbound media for this many ms while PLAYING is a failure "
          "that triggers a restore (0: watchdog off)", 0, G_MAXUINT,
          DEFAULT_MEDIA_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstWcsPlaySrc:latency:
   *
   * How long webrtcbin's jitter buffers hold packets (ms) to reorder and
   * absorb network jitter: every frame reaches the output this much later
   * than it arrived, and so does the first frame after a (re)start. Lower
   * it on a steady path (loopback, LAN) for a lower delay and faster
   * restores; raise it on a jittery one. A change applies from the next
   * WebRTC session (the next restore, or the next start).
   */
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Jitter buffer of the WebRTC session in ms (applies from the next "
          "(re)start)", 0, 60000, DEFAULT_LATENCY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);

  gst_element_class_set_static_metadata (element_class,
      "WCS WebRTC player", "Source/Network/WebRTC",
      "Plays a stream from a Flashphoner Web Call Server over WebRTC, "
      "with automatic restore after failures", "gst-wcs authors");

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_wcs_play_src_change_state);

  wcs_class->is_player = TRUE;
  wcs_class->check_config = gst_wcs_play_src_check_config;
  wcs_class->start_stream = gst_wcs_play_src_start_stream;
  wcs_class->stop_stream = gst_wcs_play_src_stop_stream;
  wcs_class->remote_sdp = gst_wcs_play_src_remote_sdp;
  wcs_class->stream_status = gst_wcs_play_src_stream_status;
  wcs_class->fill_stats = gst_wcs_play_src_fill_stats;
}
