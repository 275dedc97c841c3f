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

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "gstwcselements.h"
#include "gstwcsplaysrc.h"
#include "gstwcssdp.h"
#include "gstwcspeer.h"

GST_DEBUG_CATEGORY_STATIC (gst_wcs_play_src_debug);
#define GST_CAT_DEFAULT gst_wcs_play_src_debug

#define DEFAULT_DECODE TRUE
#define DEFAULT_MEDIA_TIMEOUT 5000

/* period of the element-thread timer: GAP events, media watchdog, bitrate */
#define TICK_MS 100
/* a pad that got nothing for this long (or for twice its usual interval
 * between buffers, if longer: slow video) gets GAP events */
#define GAP_AFTER_US (150 * G_TIME_SPAN_MILLISECOND)
#define MAX_INTERVAL_US (G_TIME_SPAN_SECOND)
/* no-more-pads at the latest this long after the first pad */
#define NO_MORE_PADS_US (2000 * G_TIME_SPAN_MILLISECOND)
/* bounded wait for ICE gathering before the offer is sent anyway */
#define ICE_GATHER_WAIT_MS 1000
/* latency reported by the outputs */
#define OUTPUT_LATENCY (50 * GST_MSECOND)
/* audio arriving within this distance of the expected time stays contiguous */
#define AUDIO_CONTINUITY (40 * GST_MSECOND)
/* the outputs never queue more than this (oldest data dropped) */
#define OUTPUT_MAX_TIME (2 * GST_SECOND)
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

typedef enum
{
  KIND_VIDEO,
  KIND_AUDIO,
  N_KINDS
} WcsKind;

static const gchar *const kind_names[N_KINDS] = { "video", "audio" };

#define KIND_BIT(k) (1u << (k))

/* One persistent output per media kind: appsrc (child of the bin) whose
 * src pad is ghosted as the sometimes pad. All fields under self->lock,
 * except appsrc / ghost which are set once (under self->lock) and then
 * only read. */
typedef struct
{
  GstElement *appsrc;
  GstPad *ghost;
  GstCaps *caps;                /* caps last given to the appsrc */
  GstClockTime next_ts;         /* running time where new data would start */
  GstClockTime min_ts;          /* nothing may start before this */
  guint session_seq;            /* play session of the last buffer */
  gboolean gapped;              /* GAP sent since the last buffer */
  gint64 last_buffer;           /* monotonic us of the last buffer */
  gint64 interval;              /* smoothed us between buffers */
  guint64 buffers;
  guint64 gaps;
} WcsOutput;

/* One "play session": one mediaSessionId, one private pipeline
 * (webrtcbin -> depay -> parse -> [decoder] -> appsink), torn down and
 * rebuilt on every (re)play. The private pipeline is NOT a child of the
 * element, so its sinks, errors and state never leak into the application's
 * pipeline. Reference counted: the element's `current` pointer, pending
 * element-thread invocations, promises and the teardown queue hold refs. */
typedef struct
{
  gatomicrefcount ref;
  GstWcsPlaySrc *src;           /* not owned; valid while the pipeline exists */
  gchar *id;
  guint seq;

  GstElement *pipeline;         /* owned */
  GstElement *webrtc;           /* borrowed from pipeline */

  /* the negotiation (gst/gstwcspeer.c); it holds a reference on the
   * session until teardown_func () releases it */
  GstWcsPeer *peer;

  gint dead;                    /* atomic: detached, being torn down */
  gint error_reported;          /* atomic */
  gint media_seen;              /* atomic */

  /* under self->lock */
  gboolean active_reported;

  gint64 playing_since;         /* monotonic us of PLAYING, 0 before */
  gboolean watchdog_fired;
  gboolean chain[N_KINDS];

  /* under self->stats_lock */
  gint64 last_media;            /* monotonic us of the last RTP packet */
} PlaySession;

/**
 * GstWcsPlaySrc:
 *
 * Lock order: output_lock -> lock -> stats_lock. None of them is ever held
 * while calling into webrtcbin, into the base class helpers
 * (gst_wcs_element_*), or while changing the state of a private pipeline.
 * output_lock is held while an output is created (gst_bin_add, ghost pad,
 * pad-added emission); it is never taken on the data path.
 */
struct _GstWcsPlaySrc
{
  GstWcsElement parent;

  GMutex output_lock;
  GMutex lock;
  GMutex stats_lock;

  /* properties, under lock */
  gboolean decode;
  guint media_timeout;

  /* under lock */
  PlaySession *current;
  guint session_seq;
  gboolean running;             /* READY->PAUSED .. PAUSED->READY */
  WcsOutput out[N_KINDS];
  guint group_id;
  guint expected;               /* kinds the last answer announced */
  gboolean no_more_pads;
  gint64 first_pad_time;
  guint media_timeouts;
  GSource *tick;

  /* under stats_lock */
  guint64 video_bytes;
  guint64 rate_bytes;
  gint64 rate_time;
  guint64 bitrate;

  /* teardown of old play sessions, off the element thread */
  GThreadPool *teardown_pool;
  GMutex teardown_lock;
  GCond teardown_cond;
  guint teardowns_pending;
};

enum
{
  PROP_0,
  PROP_DECODE,
  PROP_MEDIA_TIMEOUT,
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

static PlaySession *
play_session_ref (PlaySession * s)
{
  g_atomic_ref_count_inc (&s->ref);
  return s;
}

static void
play_session_unref (PlaySession * s)
{
  if (!g_atomic_ref_count_dec (&s->ref))
    return;

  if (s->pipeline) {
    /* normally done by the teardown pool */
    gst_element_set_state (s->pipeline, GST_STATE_NULL);
    gst_object_unref (s->pipeline);
  }
  g_assert (s->peer == NULL);
  g_free (s->id);
  g_free (s);
}

static gboolean
play_session_is_dead (PlaySession * s)
{
  return g_atomic_int_get (&s->dead) != 0;
}

/* TRUE if @s is still the element's current session (element thread) */
static gboolean
play_session_is_current (GstWcsPlaySrc * self, PlaySession * s)
{
  gboolean ret;

  g_mutex_lock (&self->lock);
  ret = (self->current == s) && !play_session_is_dead (s);
  g_mutex_unlock (&self->lock);

  return ret;
}

/* Runs @func (a GSourceFunc taking the session) on the element thread. */
static void
play_session_invoke (PlaySession * s, GSourceFunc func)
{
  if (play_session_is_dead (s))
    return;

  gst_wcs_element_invoke (GST_WCS_ELEMENT (s->src), func,
      play_session_ref (s), (GDestroyNotify) play_session_unref);
}

static void
teardown_func (gpointer data, gpointer user_data)
{
  PlaySession *s = data;
  GstWcsPlaySrc *self = user_data;

  GST_DEBUG_OBJECT (self, "tearing down play session %s", s->id);
  if (s->peer) {
    /* closed in play_session_teardown (); its reference on @s goes once
     * the last of its pending callbacks is dropped */
    gst_wcs_peer_close (s->peer);
    g_clear_pointer (&s->peer, gst_wcs_peer_unref);
  }
  if (s->pipeline) {
    gst_element_set_state (s->pipeline, GST_STATE_NULL);
    gst_object_unref (s->pipeline);
    s->pipeline = NULL;
    s->webrtc = NULL;
  }
  GST_DEBUG_OBJECT (self, "play session %s torn down", s->id);
  play_session_unref (s);

  g_mutex_lock (&self->teardown_lock);
  self->teardowns_pending--;
  g_cond_broadcast (&self->teardown_cond);
  g_mutex_unlock (&self->teardown_lock);
}

/* Takes the caller's ref of @s; @s must already be detached from
 * self->current. Element thread or application thread. */
static void
play_session_teardown (GstWcsPlaySrc * self, PlaySession * s)
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
    teardown_func (s, self);
  }
}

static void
wait_teardowns (GstWcsPlaySrc * self)
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

/* Detaches and tears down the current session, if any. */
static void
stop_current (GstWcsPlaySrc * self)
{
  PlaySession *s;

  g_mutex_lock (&self->lock);
  s = self->current;
  self->current = NULL;
  g_mutex_unlock (&self->lock);

  if (s)
    play_session_teardown (self, s);
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

  play_session_unref (r->s);
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
static void
play_session_fail (PlaySession * s, GstWcsRestoreReason reason,
    gboolean permanent, const gchar * detail)
{
  FailReport *r;

  if (play_session_is_dead (s))
    return;
  if (!g_atomic_int_compare_and_exchange (&s->error_reported, 0, 1))
    return;

  r = g_new0 (FailReport, 1);
  r->s = play_session_ref (s);
  r->reason = reason;
  r->permanent = permanent;
  r->detail = g_strdup (detail);
  gst_wcs_element_invoke (GST_WCS_ELEMENT (s->src), fail_report_idle, r,
      fail_report_free);
}

/* ------------------------------------------------------------------ */
/* outputs                                                             */

static gboolean
running_time_now (GstWcsPlaySrc * self, GstClockTime * rt)
{
  GstClock *clock;
  GstClockTime now, base;

  clock = gst_element_get_clock (GST_ELEMENT_CAST (self));
  if (!clock)
    return FALSE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (GST_ELEMENT_CAST (self));
  gst_object_unref (clock);

  *rt = now > base ? now - base : 0;
  return TRUE;
}

/* chain function of the ghost pads' internal pads: a pad the application
 * left unlinked drops its data instead of erroring out the whole source */
static GstFlowReturn
output_internal_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstFlowReturn ret;

  ret = gst_proxy_pad_chain_default (pad, parent, buffer);
  if (ret == GST_FLOW_NOT_LINKED) {
    GST_LOG_OBJECT (pad, "not linked, dropping");
    ret = GST_FLOW_OK;
  }
  return ret;
}

/* gives the outputs' stream-start one group id and meaningful stream ids */
static GstPadProbeReturn
output_event_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstWcsPlaySrc *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstEvent *fixed;
  GstStreamFlags flags = GST_STREAM_FLAG_NONE;
  const gchar *kind_name;
  gchar *stream_id;
  guint group_id;

  if (GST_EVENT_TYPE (event) != GST_EVENT_STREAM_START)
    return GST_PAD_PROBE_OK;

  kind_name = g_object_get_data (G_OBJECT (pad), "wcs-kind-name");
  g_mutex_lock (&self->lock);
  group_id = self->group_id;
  g_mutex_unlock (&self->lock);

  stream_id = gst_pad_create_stream_id (pad, GST_ELEMENT_CAST (self),
      kind_name);
  gst_event_parse_stream_flags (event, &flags);
  fixed = gst_event_new_stream_start (stream_id);
  gst_event_set_stream_flags (fixed, flags);
  gst_event_set_group_id (fixed, group_id);
  g_free (stream_id);

  gst_event_unref (event);
  GST_PAD_PROBE_INFO_DATA (info) = fixed;

  return GST_PAD_PROBE_OK;
}

/* Creates the persistent output of @kind if it does not exist yet. Called
 * from a streaming thread of a private pipeline. Returns TRUE if the output
 * exists. */
static gboolean
ensure_output (GstWcsPlaySrc * self, WcsKind kind)
{
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);
  WcsOutput *out = &self->out[kind];
  GstElement *appsrc;
  GstPad *srcpad, *ghost;
  GstProxyPad *internal;
  gboolean exists, running, all_there = FALSE;
  gchar *name;
  guint k;

  g_mutex_lock (&self->output_lock);

  g_mutex_lock (&self->lock);
  exists = out->appsrc != NULL;
  running = self->running;
  g_mutex_unlock (&self->lock);

  if (exists || !running) {
    g_mutex_unlock (&self->output_lock);
    return exists;
  }

  name = g_strdup_printf ("%s-output", kind_names[kind]);
  appsrc = gst_element_factory_make ("appsrc", name);
  g_free (name);
  if (!appsrc) {
    g_mutex_unlock (&self->output_lock);
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("Missing element 'appsrc'"), ("check your GStreamer installation"));
    return FALSE;
  }

  g_object_set (appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "do-timestamp", FALSE, "block", FALSE, "emit-signals", FALSE,
      "max-bytes", (guint64) 0, "max-buffers", (guint64) 0,
      "max-time", (guint64) OUTPUT_MAX_TIME,
      "min-latency", (gint64) OUTPUT_LATENCY, NULL);
  gst_app_src_set_leaky_type (GST_APP_SRC (appsrc),
      GST_APP_LEAKY_TYPE_DOWNSTREAM);

  gst_bin_add (GST_BIN_CAST (self), appsrc);

  srcpad = gst_element_get_static_pad (appsrc, "src");
  g_object_set_data (G_OBJECT (srcpad), "wcs-kind-name",
      (gpointer) kind_names[kind]);
  gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      output_event_probe, self, NULL);

  ghost = gst_ghost_pad_new_from_template (kind_names[kind], srcpad,
      gst_element_class_get_pad_template (klass, kind_names[kind]));
  gst_object_unref (srcpad);
  internal = gst_proxy_pad_get_internal (GST_PROXY_PAD (ghost));
  gst_pad_set_chain_function (GST_PAD_CAST (internal), output_internal_chain);
  gst_object_unref (internal);
  gst_pad_set_active (ghost, TRUE);

  g_mutex_lock (&self->lock);
  out->appsrc = gst_object_ref (appsrc);
  out->ghost = gst_object_ref (ghost);
  out->next_ts = GST_CLOCK_TIME_NONE;
  out->min_ts = 0;
  out->last_buffer = g_get_monotonic_time ();
  if (self->first_pad_time == 0)
    self->first_pad_time = out->last_buffer;
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "adding pad %s", kind_names[kind]);
  gst_element_add_pad (GST_ELEMENT_CAST (self), ghost);
  gst_element_sync_state_with_parent (appsrc);

  /* the pipeline computed its latency before this pad existed */
  gst_element_post_message (GST_ELEMENT_CAST (self),
      gst_message_new_latency (GST_OBJECT_CAST (self)));

  g_mutex_lock (&self->lock);
  if (!self->no_more_pads && self->expected != 0) {
    all_there = TRUE;
    for (k = 0; k < N_KINDS; k++) {
      if ((self->expected & KIND_BIT (k)) && self->out[k].appsrc == NULL)
        all_there = FALSE;
    }
    if (all_there)
      self->no_more_pads = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (all_there) {
    GST_INFO_OBJECT (self, "all announced media have pads: no-more-pads");
    gst_element_no_more_pads (GST_ELEMENT_CAST (self));
  }

  g_mutex_unlock (&self->output_lock);
  return TRUE;
}

/* Stamps and pushes one decoded (or depayloaded) sample of session @s.
 * Streaming thread of the private pipeline. */
static void
output_sample (GstWcsPlaySrc * self, PlaySession * s, WcsKind kind,
    GstSample * sample)
{
  WcsOutput *out = &self->out[kind];
  GstBuffer *buf;
  GstCaps *caps;
  GstClockTime rt, pts, dur;
  gboolean decode, same_session;
  gint64 now;

  buf = gst_sample_get_buffer (sample);
  if (!buf)
    return;

  /* a live source outputs nothing while PAUSED */
  if (GST_STATE (self) != GST_STATE_PLAYING)
    return;

  g_mutex_lock (&self->lock);
  if (!self->running || self->current != s) {
    g_mutex_unlock (&self->lock);
    return;
  }
  g_mutex_unlock (&self->lock);

  if (!ensure_output (self, kind))
    return;

  if (!running_time_now (self, &rt))
    return;

  caps = gst_sample_get_caps (sample);
  buf = gst_buffer_make_writable (gst_buffer_ref (buf));
  dur = GST_BUFFER_DURATION (buf);

  g_mutex_lock (&self->lock);
  if (!self->running || self->current != s) {
    g_mutex_unlock (&self->lock);
    gst_buffer_unref (buf);
    return;
  }
  decode = self->decode;

  if (caps && (!out->caps || !gst_caps_is_equal (out->caps, caps))) {
    GST_INFO_OBJECT (self, "%s caps %" GST_PTR_FORMAT, kind_names[kind],
        caps);
    gst_caps_replace (&out->caps, caps);
    gst_app_src_set_caps (GST_APP_SRC (out->appsrc), caps);
  }

  pts = rt;
  if (kind == KIND_AUDIO && GST_CLOCK_TIME_IS_VALID (out->next_ts)
      && out->session_seq == s->seq && !out->gapped
      && GST_CLOCK_DIFF (out->next_ts, rt) <= (GstClockTimeDiff)
      AUDIO_CONTINUITY
      && GST_CLOCK_DIFF (rt, out->next_ts) <= (GstClockTimeDiff)
      AUDIO_CONTINUITY)
    pts = out->next_ts;
  if (pts < out->min_ts)
    pts = out->min_ts;

  /* a new WebRTC session is a discontinuity; so is audio after a gap (a
   * late video frame after a GAP is not) */
  same_session = out->session_seq == s->seq;
  if (!same_session || (kind == KIND_AUDIO && out->gapped))
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  out->session_seq = s->seq;
  out->gapped = FALSE;

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DTS (buf) = decode ? GST_CLOCK_TIME_NONE : pts;
  GST_BUFFER_OFFSET (buf) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (buf) = GST_BUFFER_OFFSET_NONE;

  out->min_ts = pts;
  out->next_ts = GST_CLOCK_TIME_IS_VALID (dur) ? pts + dur : pts;
  now = g_get_monotonic_time ();
  if (same_session)
    out->interval = (3 * out->interval + CLAMP (now - out->last_buffer, 0,
            MAX_INTERVAL_US)) / 4;
  out->last_buffer = now;
  out->buffers++;

  GST_LOG_OBJECT (self, "%s buffer pts %" GST_TIME_FORMAT " dur %"
      GST_TIME_FORMAT, kind_names[kind], GST_TIME_ARGS (pts),
      GST_TIME_ARGS (dur));

  /* non-blocking (block=false, leaky): safe under our lock */
  gst_app_src_push_buffer (GST_APP_SRC (out->appsrc), buf);
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------ */
/* the private WebRTC pipeline                                         */

static GstFlowReturn
appsink_new_sample (GstAppSink * sink, gpointer user_data)
{
  PlaySession *s = user_data;
  GstSample *sample;
  WcsKind kind;

  sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_EOS;

  kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sink), "wcs-kind"));
  if (!play_session_is_dead (s))
    output_sample (s->src, s, kind, sample);

  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

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

  if (play_session_is_dead (s))
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
  GstAppSinkCallbacks callbacks = {.new_sample = appsink_new_sample };

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC || play_session_is_dead (s))
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
    play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, TRUE, detail);
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
      play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE,
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
  play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE, text);
  g_free (text);
}

static const GstWcsPeerCallbacks peer_callbacks = {
  .local_description = on_peer_offer,
  .remote_applied = on_peer_remote_applied,
  .failed = on_peer_failed,
};

static PlaySession *
play_session_new (GstWcsPlaySrc * self, const gchar * id, GError ** error)
{
  PlaySession *s;
  GstCaps *caps;
  GstWebRTCRTPTransceiver *trans = NULL;
  GstBus *bus;
  gchar *name;

  s = g_new0 (PlaySession, 1);
  g_atomic_ref_count_init (&s->ref);
  s->src = self;
  s->id = g_strdup (id);
  g_mutex_lock (&self->lock);
  s->seq = ++self->session_seq;
  g_mutex_unlock (&self->lock);

  name = g_strdup_printf ("%s-play-%u", GST_OBJECT_NAME (self), s->seq);
  s->pipeline = gst_pipeline_new (name);
  g_free (name);
  s->webrtc = gst_element_factory_make ("webrtcbin", "webrtc");
  if (!s->webrtc) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
        "element 'webrtcbin' is missing (gst-plugins-bad)");
    play_session_unref (s);
    return NULL;
  }
  gst_bin_add (GST_BIN (s->pipeline), s->webrtc);
  g_object_set (s->webrtc, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);

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
      play_session_ref (s), (GDestroyNotify) play_session_unref);
  gst_wcs_peer_set_label (s->peer, s->id);
  gst_wcs_peer_set_gather_timeout (s->peer, ICE_GATHER_WAIT_MS);

  return s;
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

  s = play_session_new (self, media_session_id, error);
  if (!s)
    return FALSE;

  g_mutex_lock (&self->lock);
  old = self->current;
  self->current = s;            /* takes the creation ref */
  g_mutex_unlock (&self->lock);
  if (old) {
    GST_WARNING_OBJECT (self, "play session %s was still current", old->id);
    play_session_teardown (self, old);
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
    s = play_session_ref (self->current);
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
    play_session_fail (s, GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE,
        "the server's answer is not a usable SDP");
    play_session_unref (s);
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

  play_session_unref (s);
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
tick_gaps (GstWcsPlaySrc * self, gint64 now)
{
  GstClockTime rt, start;
  guint k;

  if (GST_STATE (self) != GST_STATE_PLAYING)
    return;
  if (!running_time_now (self, &rt))
    return;

  g_mutex_lock (&self->lock);
  for (k = 0; k < N_KINDS; k++) {
    WcsOutput *out = &self->out[k];

    if (!out->appsrc || !out->caps || !self->running)
      continue;
    if (now - out->last_buffer < MAX (GAP_AFTER_US, 2 * out->interval))
      continue;
    start = GST_CLOCK_TIME_IS_VALID (out->next_ts) ?
        MAX (out->next_ts, out->min_ts) : out->min_ts;
    if (rt <= start)
      continue;
    GST_LOG_OBJECT (self, "%s gap %" GST_TIME_FORMAT " + %" GST_TIME_FORMAT,
        kind_names[k], GST_TIME_ARGS (start), GST_TIME_ARGS (rt - start));
    /* appsrc queues serialized events in order with the buffers */
    gst_element_send_event (out->appsrc, gst_event_new_gap (start,
            rt - start));
    out->next_ts = rt;
    out->min_ts = rt;
    out->gapped = TRUE;
    out->gaps++;
  }
  g_mutex_unlock (&self->lock);
}

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
      && !play_session_is_dead (s)) {
    g_mutex_lock (&self->stats_lock);
    last = MAX (s->playing_since, s->last_media);
    g_mutex_unlock (&self->stats_lock);
    if (now - last >= (gint64) timeout * G_TIME_SPAN_MILLISECOND) {
      s->watchdog_fired = TRUE;
      self->media_timeouts++;
      fire = TRUE;
      play_session_ref (s);
    }
  }
  g_mutex_unlock (&self->lock);

  if (!fire)
    return;

  detail = g_strdup_printf ("no media received for %u ms", timeout);
  GST_WARNING_OBJECT (self, "media watchdog: %s", detail);
  play_session_fail (s, GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, FALSE, detail);
  g_free (detail);
  play_session_unref (s);
}

static void
tick_pads (GstWcsPlaySrc * self, gint64 now)
{
  gboolean emit = FALSE;

  g_mutex_lock (&self->lock);
  if (!self->no_more_pads && self->first_pad_time != 0
      && now - self->first_pad_time >= NO_MORE_PADS_US) {
    self->no_more_pads = TRUE;
    emit = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (emit) {
    GST_INFO_OBJECT (self, "no-more-pads (timeout)");
    gst_element_no_more_pads (GST_ELEMENT_CAST (self));
  }
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

  tick_gaps (self, now);
  tick_watchdog (self, now);
  tick_pads (self, now);
  tick_bitrate (self, now);

  return G_SOURCE_CONTINUE;
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

  g_mutex_lock (&self->lock);
  if (self->tick) {
    g_source_destroy (self->tick);
    g_source_unref (self->tick);
  }
  self->tick = source;
  g_mutex_unlock (&self->lock);
}

static void
stop_tick (GstWcsPlaySrc * self)
{
  GSource *source;

  g_mutex_lock (&self->lock);
  source = self->tick;
  self->tick = NULL;
  g_mutex_unlock (&self->lock);

  if (source) {
    g_source_destroy (source);
    g_source_unref (source);
  }
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
      wait_teardowns (self);
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

static void
gst_wcs_play_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (object);

  switch (prop_id) {
    case PROP_DECODE:
      g_mutex_lock (&self->lock);
      self->decode = g_value_get_boolean (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_MEDIA_TIMEOUT:
      g_mutex_lock (&self->lock);
      self->media_timeout = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_wcs_play_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (object);

  switch (prop_id) {
    case PROP_DECODE:
      g_mutex_lock (&self->lock);
      g_value_set_boolean (value, self->decode);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_MEDIA_TIMEOUT:
      g_mutex_lock (&self->lock);
      g_value_set_uint (value, self->media_timeout);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_wcs_play_src_dispose (GObject * object)
{
  GstWcsPlaySrc *self = GST_WCS_PLAY_SRC (object);
  guint k;

  stop_tick (self);
  stop_current (self);
  wait_teardowns (self);

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

  /* one thread: old WebRTC pipelines go to NULL one after the other, never
   * on the element thread or a streaming thread */
  self->teardown_pool = g_thread_pool_new (teardown_func, self, 1, FALSE,
      NULL);

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
