/* gst-wcs: auto-restore end to end, both elements
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test runs its own wcs-relay child process on a free loopback port
 * and kills / freezes / restarts it; a wcspublishsink pipeline and a
 * wcsplaysrc pipeline run in this process, each with its own bus log.
 * Small restore settings (restore-timeout=500, probes-interval=300,
 * receive-probes=3, media-timeout=1000) keep every outage short. Every wait
 * is bounded. Behaviours already covered elsewhere are not repeated here:
 * publisher gone / back under the same pads (wcsplaysrc.c
 * test_restore_keeps_pads), bitrate-zero and the H264 -> VP8 fallback
 * (wcspublishsink.c check_stall), a publisher's permanent refusal and EOS
 * (wcspublishsink.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/app/app.h>
#include <libsoup/soup.h>

#include "wcstestutil.h"

/* relay + DTLS + ICE + first key frame on a loaded 2-core box */
#define MEDIA_WAIT_MS 30000
#define RESTORE_WAIT_MS 30000

/* short outages; x WCS_TEST_TIMEOUT_SCALE (5 in the sanitizer build, where
 * 3 x 300 ms without a ping answer happens without any fault) */
static const gchar *
fast_props (void)
{
  static gchar *props;

  if (!props)
    props = g_strdup_printf ("restore-timeout=%u probes-interval=%u "
        "receive-probes=3", 500 * wcs_test_timeout_scale (),
        300 * wcs_test_timeout_scale ());
  return props;
}

#define FAST_PROPS fast_props ()

/* ------------------------------------------------------------------ */
/* a pipeline with a bus log (publisher or player)                      */

typedef struct
{
  GMutex lock;                  /* the player counters below */
  GstElement *pipeline;
  GstElement *el;               /* wcspublishsink / wcsplaysrc */
  WcsTestBusLog *log;

  /* player only: the video pad */
  GstPad *vpad;
  guint pads_added;
  guint pads_removed;
  guint buffers;
  guint gaps;
  guint eos;
  gint64 last_buffer;           /* monotonic us */
  GstClockTime last_pts;
  gboolean pts_backwards;
} Pipe;

static Pipe *
pipe_new (const gchar * desc)
{
  Pipe *p = g_new0 (Pipe, 1);

  g_mutex_init (&p->lock);
  p->last_pts = GST_CLOCK_TIME_NONE;
  p->pipeline = wcs_test_pipeline_parse (desc);
  p->el = gst_bin_get_by_name (GST_BIN (p->pipeline), "wcs");
  fail_unless (p->el != NULL);
  p->log = wcs_test_bus_log_attach (p->pipeline);
  GST_INFO ("pipeline: %s", desc);
  return p;
}

static void
pipe_play (Pipe * p)
{
  GstStateChangeReturn ret;

  ret = gst_element_set_state (p->pipeline, GST_STATE_PLAYING);
  fail_unless (ret != GST_STATE_CHANGE_FAILURE, "PLAYING failed");
}

static void
pipe_free (Pipe * p)
{
  gint64 start = g_get_monotonic_time ();

  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  fail_unless (g_get_monotonic_time () - start < 5 * G_TIME_SPAN_SECOND,
      "NULL took %" G_GINT64_FORMAT " ms",
      (g_get_monotonic_time () - start) / 1000);
  gst_object_unref (p->el);
  if (p->vpad)
    gst_object_unref (p->vpad);
  /* the bus keeps its own reference to the log while an element may still
   * post (from a teardown thread) */
  wcs_test_bus_log_detach (p->log, p->pipeline);
  wcs_test_bus_log_unref (p->log);
  gst_object_unref (p->pipeline);
  g_mutex_clear (&p->lock);
  g_free (p);
}

/* the text of the first ERROR (message + debug), NULL if none */
static gchar *
pipe_error_text (Pipe * p, GError ** error)
{
  GError *err = NULL;
  gchar *dbg = NULL, *text;

  if (wcs_test_bus_log_first_error (p->log, &err, &dbg) < 0)
    return NULL;
  text = g_strdup_printf ("%s | %s", err->message, GST_STR_NULL (dbg));
  if (error)
    *error = err;
  else
    g_error_free (err);
  g_free (dbg);
  return text;
}

/* the first ERROR is RESOURCE @code (its text returned) */
static gchar *
assert_error_code (Pipe * p, GstResourceError code)
{
  GError *err = NULL;
  gchar *text = pipe_error_text (p, &err);

  fail_unless (text != NULL, "%s: no ERROR", GST_OBJECT_NAME (p->el));
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR, code),
      "%s: ERROR code %d, not %d: %s", GST_OBJECT_NAME (p->el),
      err->code, code, text);
  g_clear_error (&err);
  return text;
}

/* the code of an ERROR that ends an outage of transient failures */
static GstResourceError
give_up_code (const gchar * reason)
{
  if (!g_strcmp0 (reason, "session-failed") ||
      !g_strcmp0 (reason, "pings-missed") ||
      !g_strcmp0 (reason, "network-changed"))
    return GST_RESOURCE_ERROR_OPEN_READ_WRITE;
  return GST_RESOURCE_ERROR_FAILED;
}


/* ------------------------------------------------------------------ */
/* publisher                                                           */

static Pipe *
publisher_new (WcsTestRelay * relay, const gchar * name, const gchar * props)
{
  gchar *desc = g_strdup_printf ("videotestsrc name=vsrc is-live=true "
      "pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
      "! wcspublishsink name=wcs location=%s stream-name=%s "
      "check-bitrate=false %s", relay->url, name, props ? props : "");
  Pipe *p = pipe_new (desc);

  g_free (desc);
  return p;
}

/* ------------------------------------------------------------------ */
/* player: an appsink on every pad, probes on the video pad             */

static GstFlowReturn
sink_new_sample (GstAppSink * sink, gpointer data)
{
  Pipe *p = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  gboolean video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sink),
          "video"));

  if (!sample)
    return GST_FLOW_EOS;
  if (video) {
    g_mutex_lock (&p->lock);
    p->buffers++;
    p->last_buffer = g_get_monotonic_time ();
    g_mutex_unlock (&p->lock);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static GstPadProbeReturn
video_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Pipe *p = data;

  g_mutex_lock (&p->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));

    if (!GST_CLOCK_TIME_IS_VALID (pts) ||
        (GST_CLOCK_TIME_IS_VALID (p->last_pts) && pts < p->last_pts))
      p->pts_backwards = TRUE;
    if (GST_CLOCK_TIME_IS_VALID (pts))
      p->last_pts = pts;
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (ev) == GST_EVENT_GAP)
      p->gaps++;
    else if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS)
      p->eos++;
  }
  g_mutex_unlock (&p->lock);
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * src, GstPad * pad, Pipe * p)
{
  gboolean video = g_str_equal (GST_PAD_NAME (pad), "video");
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  GstAppSinkCallbacks cb = {.new_sample = sink_new_sample };

  fail_unless (sink != NULL);
  g_object_set (sink, "sync", TRUE, "async", FALSE, "max-buffers", 5,
      "drop", TRUE, NULL);
  g_object_set_data (G_OBJECT (sink), "video", GINT_TO_POINTER (video));
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, p, NULL);

  g_mutex_lock (&p->lock);
  p->pads_added++;
  if (video && !p->vpad)
    p->vpad = gst_object_ref (pad);
  g_mutex_unlock (&p->lock);
  if (video)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, video_probe, p, NULL);

  wcs_test_add_sink (p->pipeline, pad, sink);
}

static void
on_pad_removed (GstElement * src, GstPad * pad, Pipe * p)
{
  g_mutex_lock (&p->lock);
  p->pads_removed++;
  g_mutex_unlock (&p->lock);
}

static Pipe *
player_new (WcsTestRelay * relay, const gchar * name, const gchar * props)
{
  gchar *desc = g_strdup_printf ("wcsplaysrc name=wcs location=%s "
      "stream-name=%s %s", relay->url, name, props ? props : "");
  Pipe *p = pipe_new (desc);

  g_free (desc);
  g_signal_connect (p->el, "pad-added", G_CALLBACK (on_pad_added), p);
  g_signal_connect (p->el, "pad-removed", G_CALLBACK (on_pad_removed), p);
  return p;
}

static gboolean
player_wait_buffers (Pipe * p, guint n, guint timeout_ms)
{
  return wcs_test_wait_count (&p->lock, &p->buffers, n, timeout_ms);
}

/* same pads, no EOS, timestamps never went backwards */
static void
assert_player_continuity (Pipe * p, GstPad * vpad)
{
  GstPad *now = gst_element_get_static_pad (p->el, "video");

  fail_unless (now == vpad, "the video pad changed");
  gst_object_unref (now);
  g_mutex_lock (&p->lock);
  fail_unless (p->vpad == vpad);
  fail_unless_equals_int (p->pads_removed, 0);
  fail_unless_equals_int (p->eos, 0);
  fail_if (p->pts_backwards, "timestamps went backwards");
  g_mutex_unlock (&p->lock);
}

/* ------------------------------------------------------------------ */
/* shared steps                                                        */

static WcsTestRelay *
relay_start (guint port, gboolean faults, const gchar * stale_ms)
{
  /* pings every 100 ms: the watchdog (3 x 300 ms) must stay quiet while
   * the relay is healthy */
  const gchar *args[6] = { "--ping-interval", "100", NULL, };
  guint n = 2;
  WcsTestRelay *relay;

  if (faults)
    args[n++] = "--faults";
  if (stale_ms) {
    args[n++] = "--stale-publisher-ms";
    args[n++] = stale_ms;
  }
  relay = wcs_test_relay_start (port, args);
  fail_unless (relay != NULL, "wcs-relay did not start (port %u)", port);
  return relay;
}

static void
rest (WcsTestRelay * relay, const gchar * path, const gchar * body)
{
  GError *err = NULL;
  JsonNode *reply = wcs_test_relay_rest (relay, path, body, &err);

  fail_unless (reply != NULL, "%s: %s", path, err ? err->message : "?");
  json_node_unref (reply);
}

/* no wcs-restore from @from on (the message names the first one) */
static void
assert_no_restore (Pipe * p, guint from, const gchar * when)
{
  gint idx = wcs_test_bus_log_find (
      p->log, from, GST_MESSAGE_ELEMENT, "wcs-restore", NULL, NULL, NULL);
  GstStructure *s;
  gchar *str;

  if (idx < 0)
    return;
  s = wcs_test_bus_log_structure (p->log, idx);
  str = gst_structure_to_string (s);
  gst_structure_free (s);
  fail ("%s restored %s: %s", GST_OBJECT_NAME (p->el), when, str);
  g_free (str);
}

/* publisher + player of @name, both PLAYING with media flowing */
static void
start_both (WcsTestRelay * relay, const gchar * name, const gchar * props,
    Pipe ** pub, Pipe ** play)
{
  /* x WCS_TEST_TIMEOUT_SCALE: 1 s without a frame is normal in the
   * sanitizer build (build-asan sets 5) */
  gchar *pprops = g_strdup_printf ("%s media-timeout=%u", props,
      1000 * wcs_test_timeout_scale ());

  *pub = publisher_new (relay, name, props);
  pipe_play (*pub);
  fail_unless (wcs_test_relay_wait_stream (relay, name, "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "%s not PUBLISHING", name);
  *play = player_new (relay, name, pprops);
  g_free (pprops);
  pipe_play (*play);
  fail_unless (player_wait_buffers (*play, 10, MEDIA_WAIT_MS),
      "no video before the failure");
  /* nothing failed so far */
  assert_no_restore (*pub, 0, "before any failure");
  assert_no_restore (*play, 0, "before any failure");
}

/* the outage was reported: wcs-restore scheduled with @reason (NULL: any)
 * from @from on, and a WARNING; returns the index of the scheduled msg */
static gint
assert_outage (Pipe * p, guint from, const gchar * reason, guint timeout_ms)
{
  gint idx = wcs_test_bus_log_wait (p->log, g_main_context_default (), from,
      GST_MESSAGE_ELEMENT, "wcs-restore", reason ? "reason" : "phase",
      reason ? reason : "scheduled", timeout_ms, NULL);
  GstStructure *s;

  fail_unless (idx >= 0, "%s: no wcs-restore (reason %s)",
      GST_OBJECT_NAME (p->el), GST_STR_NULL (reason));
  s = wcs_test_bus_log_structure (p->log, idx);
  GST_INFO ("%s outage: %" GST_PTR_FORMAT, GST_OBJECT_NAME (p->el), s);
  gst_structure_free (s);
  fail_unless (wcs_test_bus_log_wait (p->log, g_main_context_default (), from,
                   GST_MESSAGE_WARNING, NULL, NULL, NULL, 1000, NULL) >= 0,
      "%s: no WARNING at the start of the outage", GST_OBJECT_NAME (p->el));
  return idx;
}

/* restored after @from: returns the downtime */
static guint64
assert_restored (Pipe * p, guint from)
{
  gint idx = wcs_test_bus_log_wait (p->log, g_main_context_default (), from,
      GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "restored", RESTORE_WAIT_MS,
      NULL);
  GstStructure *s;
  guint64 downtime = 0;
  guint attempt = 0;

  fail_unless (idx >= 0, "%s: not restored", GST_OBJECT_NAME (p->el));
  s = wcs_test_bus_log_structure (p->log, idx);
  fail_unless (gst_structure_get_uint64 (s, "downtime-ms", &downtime), "%"
      GST_PTR_FORMAT, s);
  fail_unless (gst_structure_get_uint (s, "attempt", &attempt));
  fail_unless (attempt >= 1);
  gst_structure_free (s);
  return downtime;
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

/* The relay is SIGKILLed and restarted on the same port: both elements
 * come back by themselves; the player keeps its pads, sends no EOS, GAP
 * events cover the outage, the new media arrives with rising timestamps. */
GST_START_TEST (test_relay_killed_restarted)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  guint port = relay->port;
  Pipe *pub, *play;
  guint pub_from, play_from, gaps0, gaps1;
  GstClockTime pts0;
  GstPad *vpad;
  guint64 dropped0;

  start_both (relay, "k1", FAST_PROPS, &pub, &play);
  g_mutex_lock (&play->lock);
  vpad = gst_object_ref (play->vpad);
  gaps0 = play->gaps;
  pts0 = play->last_pts;
  g_mutex_unlock (&play->lock);
  dropped0 = wcs_test_element_stats_u64 (pub->el, "frames-dropped");
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);

  wcs_test_relay_signal (relay, SIGKILL);
  assert_outage (pub, pub_from, "session-failed", 10000);
  assert_outage (play, play_from, NULL, 10000);
  /* a few failed attempts against the dead port */
  fail_unless (wcs_test_bus_log_wait (pub->log, g_main_context_default (),
                   pub_from, GST_MESSAGE_ELEMENT, "wcs-restore", "phase",
                   "attempt", 5000, NULL) >= 0);
  wcs_test_iterate (NULL, 1500);
  g_mutex_lock (&play->lock);
  gaps1 = play->gaps;
  g_mutex_unlock (&play->lock);
  fail_unless (gaps1 > gaps0, "no GAP events during the outage");
  /* the publisher kept consuming its source: frames dropped, not blocked */
  fail_unless (wcs_test_element_stats_u64 (pub->el, "frames-dropped") >
      dropped0, "no frames counted as dropped while the relay was gone");
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  wcs_test_relay_free (relay);
  relay = relay_start (port, FALSE, NULL);
  assert_restored (pub, pub_from);
  assert_restored (play, play_from);
  fail_unless (wcs_test_relay_wait_stream (relay, "k1", "PUBLISHING", NULL,
          MEDIA_WAIT_MS));
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no video after the relay came back");
  g_mutex_lock (&play->lock);
  fail_unless (play->last_pts > pts0, "timestamps did not keep rising");
  g_mutex_unlock (&play->lock);
  assert_player_continuity (play, vpad);
  fail_unless (wcs_test_element_stats_u64 (pub->el, "restores") >= 1);
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  gst_object_unref (vpad);
  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* The relay is frozen (SIGSTOP): no close, no pings. The receive-probes
 * watchdog fires (pings-missed) in both elements; after SIGCONT both come
 * back and media flows again. */
GST_START_TEST (test_relay_frozen)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  Pipe *pub, *play;
  guint pub_from, play_from;
  gint64 stopped, fired_pub = 0, fired_play = 0;
  gint idx;
  GstPad *vpad;

  start_both (relay, "f1", FAST_PROPS, &pub, &play);
  g_mutex_lock (&play->lock);
  vpad = gst_object_ref (play->vpad);
  g_mutex_unlock (&play->lock);
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);

  stopped = g_get_monotonic_time ();
  wcs_test_relay_signal (relay, SIGSTOP);
  idx = wcs_test_bus_log_wait (pub->log, g_main_context_default (), pub_from,
      GST_MESSAGE_ELEMENT, "wcs-restore", "reason", "pings-missed", 10000,
      &fired_pub);
  fail_unless (idx >= 0, "publisher: the watchdog did not fire");
  idx = wcs_test_bus_log_wait (play->log, g_main_context_default (), play_from,
      GST_MESSAGE_ELEMENT, "wcs-restore", "reason", "pings-missed", 10000,
      &fired_play);
  fail_unless (idx >= 0, "player: the watchdog did not fire");
  /* 3 x 300 ms without input, + one window + slack on a loaded machine
   * (x WCS_TEST_TIMEOUT_SCALE) */
  fail_unless (fired_pub - stopped <= 3000 * 1000 * (gint64)
      wcs_test_timeout_scale (), "publisher watchdog after %"
      G_GINT64_FORMAT " ms", (fired_pub - stopped) / 1000);
  fail_unless (fired_play - stopped <= 3000 * 1000 * (gint64)
      wcs_test_timeout_scale (), "player watchdog after %"
      G_GINT64_FORMAT " ms", (fired_play - stopped) / 1000);
  /* posted right after the wcs-restore message, from the element thread:
   * wait for it, the player's watchdog may have fired first */
  fail_unless (
      wcs_test_bus_log_wait (pub->log, g_main_context_default (), pub_from,
          GST_MESSAGE_WARNING, NULL, NULL, NULL, 5000, NULL) >= 0,
      "publisher: no WARNING for the outage");
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  wcs_test_iterate (NULL, 1000);
  wcs_test_relay_signal (relay, SIGCONT);
  assert_restored (pub, pub_from);
  assert_restored (play, play_from);
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no video after SIGCONT");
  assert_player_continuity (play, vpad);
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  gst_object_unref (vpad);
  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* The relay shuts every socket down without a close frame: both restored
 * (session-failed), the player plays again. */
GST_START_TEST (test_session_dropped)
{
  WcsTestRelay *relay = relay_start (0, TRUE, NULL);
  Pipe *pub, *play;
  guint pub_from, play_from;

  start_both (relay, "d1", FAST_PROPS, &pub, &play);
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);
  rest (relay, "rest-api/faults/drop", "{\"all\": true}");

  assert_outage (pub, pub_from, "session-failed", 10000);
  assert_outage (play, play_from, NULL, 10000);
  fail_unless (wcs_test_bus_log_find (play->log, play_from, GST_MESSAGE_ELEMENT,
          "wcs-session-status", "status", "FAILED", NULL) >= 0);
  assert_restored (pub, pub_from);
  assert_restored (play, play_from);
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no video after the drop");
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* The relay FAILs the stream with a transient info: both restored
 * (stream-failed), no ERROR. */
GST_START_TEST (test_stream_failed_transient)
{
  WcsTestRelay *relay = relay_start (0, TRUE, NULL);
  Pipe *pub, *play;
  guint pub_from, play_from;
  gint idx;
  GstStructure *s;

  start_both (relay, "t1", FAST_PROPS, &pub, &play);
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);
  rest (relay, "rest-api/faults/fail",
      "{\"name\": \"t1\", \"info\": \"Failed by ICE timeout\"}");

  idx = assert_outage (pub, pub_from, "stream-failed", 10000);
  s = wcs_test_bus_log_structure (pub->log, idx);
  fail_unless_equals_string (gst_structure_get_string (s, "phase"),
      "scheduled");
  gst_structure_free (s);
  idx = wcs_test_bus_log_find (pub->log, pub_from, GST_MESSAGE_ELEMENT,
      "wcs-stream-status", "status", "FAILED", NULL);
  fail_unless (idx >= 0);
  s = wcs_test_bus_log_structure (pub->log, idx);
  fail_unless_equals_string (gst_structure_get_string (s, "info"),
      "Failed by ICE timeout");
  gst_structure_free (s);
  assert_outage (play, play_from, NULL, 10000);

  assert_restored (pub, pub_from);
  assert_restored (play, play_from);
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no video after the FAILED stream");
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* After a drop the relay keeps the old publisher's name for 2.5 s:
 * `Stream name is already in use` is retried until the name frees, then
 * PUBLISHING again. */
GST_START_TEST (test_stale_publisher)
{
  WcsTestRelay *relay = relay_start (0, TRUE, "2500");
  Pipe *pub;
  guint from;
  gint idx, restored;
  gint64 dropped, back = 0;

  pub = publisher_new (relay, "st1", FAST_PROPS);
  pipe_play (pub);
  fail_unless (wcs_test_relay_wait_stream (relay, "st1", "PUBLISHING", NULL,
          MEDIA_WAIT_MS));
  from = wcs_test_bus_log_len (pub->log);
  dropped = g_get_monotonic_time ();
  rest (relay, "rest-api/faults/drop", "{\"all\": true}");

  assert_outage (pub, from, "session-failed", 10000);
  idx = wcs_test_bus_log_wait (pub->log, g_main_context_default (), from,
      GST_MESSAGE_ELEMENT, "wcs-stream-status", "info",
      "Stream name is already in use", 15000, NULL);
  fail_unless (idx >= 0, "the stale name was never refused");
  restored = wcs_test_bus_log_wait (pub->log, g_main_context_default (), from,
      GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "restored", RESTORE_WAIT_MS,
      &back);
  fail_unless (restored > idx, "not restored after the refusal");
  fail_unless (back - dropped >= 2000 * 1000, "restored after %"
      G_GINT64_FORMAT " ms, before the stale name was freed",
      (back - dropped) / 1000);
  /* several attempts were refused, each through the policy */
  fail_unless (wcs_test_bus_log_count (pub->log, from, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "attempt") >= 2);
  fail_unless (wcs_test_bus_log_find (pub->log, idx,
          GST_MESSAGE_ELEMENT, "wcs-stream-status", "status", "PUBLISHING",
          NULL) >= 0);
  fail_unless (wcs_test_relay_wait_stream (relay, "st1", "PUBLISHING", NULL,
          MEDIA_WAIT_MS));
  wcs_test_bus_log_assert_no_error (pub->log);

  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* A deliberate stop never restores: the publisher's EOS, the player going
 * to READY. */
GST_START_TEST (test_deliberate_stop)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  Pipe *pub, *play;
  guint pub_from, play_from;
  guint players = 99;

  start_both (relay, "s1", FAST_PROPS, &pub, &play);

  /* player: READY is a deliberate stop */
  play_from = wcs_test_bus_log_len (play->log);
  fail_unless_equals_int (gst_element_set_state (play->pipeline,
          GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  wcs_test_iterate (NULL, 1500);
  fail_unless (wcs_test_relay_find_stream (relay, "s1", NULL, NULL,
          &players));
  fail_unless_equals_int (players, 0);

  /* publisher: EOS unpublishes */
  pub_from = wcs_test_bus_log_len (pub->log);
  {
    GstElement *vsrc = gst_bin_get_by_name (GST_BIN (pub->pipeline), "vsrc");

    fail_unless (gst_element_send_event (vsrc, gst_event_new_eos ()));
    gst_object_unref (vsrc);
  }
  fail_unless (
      wcs_test_bus_log_wait (pub->log, g_main_context_default (), pub_from,
          GST_MESSAGE_EOS, NULL, NULL, NULL, 10000, NULL) >= 0,
      "no EOS on the bus");
  fail_unless (wcs_test_bus_log_find (pub->log, pub_from, GST_MESSAGE_ELEMENT,
          "wcs-stream-status", "status", "UNPUBLISHED", NULL) >= 0);
  wcs_test_iterate (NULL, 1500);
  fail_if (wcs_test_relay_find_stream (relay, "s1", NULL, NULL, NULL),
      "the stream is still on the relay after EOS");

  fail_unless (wcs_test_bus_log_find (pub->log, pub_from, GST_MESSAGE_ELEMENT,
                   "wcs-restore", NULL, NULL, NULL) < 0,
      "the publisher restored after EOS");
  fail_unless (wcs_test_bus_log_find (pub->log, pub_from, GST_MESSAGE_WARNING,
                   NULL, NULL, NULL, NULL) < 0);
  fail_unless (wcs_test_bus_log_find (play->log, play_from, GST_MESSAGE_ELEMENT,
          "wcs-restore", NULL, NULL, NULL) < 0,
      "the player restored after READY");
  fail_unless (wcs_test_bus_log_find (play->log, play_from, GST_MESSAGE_WARNING,
                   NULL, NULL, NULL, NULL) < 0);
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* restore-connection=false: the relay dies, both post an ERROR at once and
 * never a wcs-restore */
GST_START_TEST (test_restore_disabled)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  Pipe *pub, *play;
  gchar *text;
  GError *err = NULL;

  text = g_strdup_printf ("%s restore-connection=false", FAST_PROPS);
  start_both (relay, "n1", text, &pub, &play);
  g_free (text);
  wcs_test_relay_signal (relay, SIGKILL);

  fail_unless (wcs_test_bus_log_wait (pub->log, g_main_context_default (), 0,
                   GST_MESSAGE_ERROR, NULL, NULL, NULL, 10000, NULL) >= 0,
      "publisher: no ERROR");
  fail_unless (wcs_test_bus_log_wait (play->log, g_main_context_default (), 0,
                   GST_MESSAGE_ERROR, NULL, NULL, NULL, 10000, NULL) >= 0,
      "player: no ERROR");
  /* a server that went away: the connect failure's code */
  text = pipe_error_text (pub, &err);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ_WRITE), "%s", text);
  g_clear_error (&err);
  g_free (text);
  wcs_test_iterate (NULL, 1000);
  fail_unless (wcs_test_bus_log_find (pub->log, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", NULL, NULL, NULL) < 0);
  fail_unless (wcs_test_bus_log_find (play->log, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", NULL, NULL, NULL) < 0);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

static void
assert_gave_up (Pipe * p, guint from, guint max_tries)
{
  gint idx;
  GstStructure *s;
  guint attempt = 0, i;
  gchar *text;
  GError *err = NULL;
  const gchar *reason;

  for (i = 1; i <= max_tries; i++) {
      idx = wcs_test_bus_log_wait (p->log, g_main_context_default (), from,
          GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "attempt", 20000, NULL);
      fail_unless (idx >= 0, "%s: no attempt %u", GST_OBJECT_NAME (p->el), i);
      s = wcs_test_bus_log_structure (p->log, idx);
      fail_unless (gst_structure_get_uint (s, "attempt", &attempt));
      fail_unless_equals_int (attempt, i);
      gst_structure_free (s);
      from = idx + 1;
  }
  idx = wcs_test_bus_log_wait (p->log, g_main_context_default (), from,
      GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "gave-up", 20000, NULL);
  fail_unless (idx >= 0, "%s: did not give up", GST_OBJECT_NAME (p->el));
  s = wcs_test_bus_log_structure (p->log, idx);
  fail_unless (gst_structure_get_uint (s, "attempt", &attempt));
  fail_unless_equals_int (attempt, max_tries);
  reason = gst_structure_get_string (s, "reason");
  fail_unless (reason != NULL);
  fail_unless (wcs_test_bus_log_wait (p->log, g_main_context_default (), idx,
                   GST_MESSAGE_ERROR, NULL, NULL, NULL, 5000, NULL) >= 0,
      "no ERROR after gave-up");
  text = pipe_error_text (p, &err);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          give_up_code (reason)), "%s", text);
  fail_unless (strstr (text, reason) != NULL, "the ERROR '%s' does not name "
      "the last reason %s", text, reason);
  /* no attempt after giving up */
  fail_unless (wcs_test_bus_log_find (p->log, idx, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "attempt", NULL) < 0);
  g_clear_error (&err);
  g_free (text);
  gst_structure_free (s);
}

/* The relay is killed for good, restore-max-tries=3: attempts 1..3, then
 * gave-up and ERROR(RESOURCE, FAILED) naming the last reason. */
GST_START_TEST (test_max_tries_exhausted)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  Pipe *pub, *play;
  guint pub_from, play_from;
  gchar *props = g_strdup_printf ("%s restore-max-tries=3", FAST_PROPS);

  start_both (relay, "m1", props, &pub, &play);
  g_free (props);
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);
  wcs_test_relay_signal (relay, SIGKILL);

  assert_gave_up (pub, pub_from, 3);
  assert_gave_up (play, play_from, 3);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* A player refused for good (Restricted access): ERROR at once, no
 * attempt. */
GST_START_TEST (test_player_permanent_refusal)
{
  WcsTestRelay *relay = relay_start (0, TRUE, NULL);
  Pipe *pub, *play;
  gchar *text;

  pub = publisher_new (relay, "r1", FAST_PROPS);
  pipe_play (pub);
  fail_unless (wcs_test_relay_wait_stream (relay, "r1", "PUBLISHING", NULL,
          MEDIA_WAIT_MS));
  rest (relay, "rest-api/faults/reject", "{\"name\": \"r1\", \"info\": "
      "\"Restricted access\", \"what\": \"play\", \"count\": 0}");
  play = player_new (relay, "r1", FAST_PROPS);
  pipe_play (play);

  fail_unless (
      wcs_test_bus_log_wait (play->log, g_main_context_default (), 0,
          GST_MESSAGE_ERROR, NULL, NULL, NULL, MEDIA_WAIT_MS, NULL) >= 0,
      "no ERROR");
  text = pipe_error_text (play, NULL);
  fail_unless (strstr (text, "Restricted access") != NULL, "%s", text);
  g_free (text);
  wcs_test_iterate (NULL, 1000);
  fail_unless (wcs_test_bus_log_find (play->log, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "attempt", NULL) < 0,
      "a permanent refusal was retried");
  fail_unless (wcs_test_bus_log_find (play->log, 0, GST_MESSAGE_WARNING, NULL,
                   NULL, NULL, NULL) < 0,
      "WARNING for a permanent refusal");
  wcs_test_bus_log_assert_no_error (pub->log);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* The H264 -> VP8 fallback is sticky: a stalled H264 encoder (it drops
 * everything) makes the detector fire (wcs-restore reason bitrate-zero,
 * wcs-codec-fallback); a later session drop republishes with VP8 again,
 * without a second fallback, and the player plays VP8 before and after. */
GST_START_TEST (test_fallback_sticky)
{
  WcsTestRelay *relay = relay_start (0, TRUE, NULL);
  Pipe *pub, *play;
  guint from, play_from;
  gchar *codec = NULL, *props;

  /* bitrate windows x WCS_TEST_TIMEOUT_SCALE: in the sanitizer build a
   * fresh VP8 encoder can take longer than 3 x 300 ms to produce */
  props = g_strdup_printf ("%s check-bitrate=true "
      "bitrate-check-interval=%u bitrate-max-tries=3 change-codec=true "
      "h264-encoder=\"x264enc tune=zerolatency speed-preset=ultrafast "
      "! video/x-h264,profile=constrained-baseline "
      "! identity drop-probability=1.0\"", FAST_PROPS,
      300 * wcs_test_timeout_scale ());
  pub = publisher_new (relay, "fb1", props);
  g_free (props);
  pipe_play (pub);
  fail_unless (wcs_test_bus_log_wait (pub->log, g_main_context_default (), 0,
                   GST_MESSAGE_ELEMENT, "wcs-codec-fallback", NULL, NULL, 20000,
                   NULL) >= 0,
      "no H264 -> VP8 fallback");
  fail_unless (wcs_test_bus_log_wait (pub->log, g_main_context_default (), 0,
                   GST_MESSAGE_ELEMENT, "wcs-restore", "reason", "bitrate-zero",
                   5000, NULL) >= 0,
      "the fallback did not go through the restore policy");
  fail_unless (wcs_test_bus_log_wait (pub->log, g_main_context_default (), 0,
                   GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "restored",
                   RESTORE_WAIT_MS, NULL) >= 0);
  fail_unless (wcs_test_relay_wait_stream (relay, "fb1", "PUBLISHING", "VP8",
          MEDIA_WAIT_MS), "not republished with VP8");

  props = g_strdup_printf ("%s media-timeout=%u", FAST_PROPS,
      1000 * wcs_test_timeout_scale ());
  play = player_new (relay, "fb1", props);
  g_free (props);
  pipe_play (play);
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no VP8 video");

  /* a later, unrelated outage */
  from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);
  rest (relay, "rest-api/faults/drop", "{\"all\": true}");
  assert_outage (pub, from, "session-failed", 10000);
  assert_restored (pub, from);
  assert_restored (play, play_from);
  fail_unless (wcs_test_relay_wait_stream (relay, "fb1", "PUBLISHING", "VP8",
          MEDIA_WAIT_MS), "the fallback did not stick across the restore");
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no video after the drop");
  g_object_get (pub->el, "codec", &codec, NULL);
  fail_unless_equals_string (codec, "VP8");
  g_free (codec);
  g_object_get (play->el, "codec", &codec, NULL);
  fail_unless_equals_string (codec, "VP8");
  g_free (codec);
  fail_unless_equals_int (
      wcs_test_bus_log_count (
          pub->log, 0, GST_MESSAGE_ELEMENT, "wcs-codec-fallback", NULL, NULL),
      1);
  fail_unless_equals_int (
      wcs_test_bus_log_count (
          pub->log, 0, GST_MESSAGE_ELEMENT, "wcs-publish-failure", NULL, NULL),
      1);
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* permanent failures, bounds, settings changed during an outage       */

/* An HTTP server on a free loopback port that answers every request with
 * one status (no WebSocket), plain or TLS with a certificate nobody
 * trusts. Runs in the default main context (iterated by wcs_test_bus_log_wait).
 */
typedef struct
{
  SoupServer *server;
  gchar *url;
} HttpStub;

static void
stub_handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  soup_server_message_set_status (msg, GPOINTER_TO_UINT (data), NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
      "no", 2);
}

static HttpStub *
http_stub_new (guint status, gboolean tls)
{
  HttpStub *h = g_new0 (HttpStub, 1);
  GError *err = NULL;
  GSList *uris;
  GTlsCertificate *cert = NULL;

  if (tls) {
    cert = g_tls_certificate_new_from_pem (wcs_test_self_signed_pem, -1,
        &err);
    fail_unless (cert != NULL, "certificate: %s", err ? err->message : "?");
  }
  h->server = soup_server_new ("tls-certificate", cert, NULL);
  g_clear_object (&cert);
  soup_server_add_handler (h->server, NULL, stub_handler,
      GUINT_TO_POINTER (status), NULL);
  fail_unless (soup_server_listen_local (h->server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY | (tls ? SOUP_SERVER_LISTEN_HTTPS : 0),
          &err), "listen: %s", err ? err->message : "?");
  uris = soup_server_get_uris (h->server);
  fail_unless (uris != NULL);
  h->url = g_strdup_printf ("%s://127.0.0.1:%d", tls ? "wss" : "ws",
      g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return h;
}

static void
http_stub_free (HttpStub * h)
{
  soup_server_disconnect (h->server);
  g_object_unref (h->server);
  g_free (h->url);
  g_free (h);
}

/* A pipeline of @factory to @url that must fail for good: ERROR @code
 * within a few seconds, naming @words, with no restore attempt and no
 * WARNING. */
static void
check_permanent_connect_failure (const gchar * url, GstResourceError code,
    const gchar * words)
{
  const gchar *descs[] = {
    "videotestsrc is-live=true ! wcspublishsink name=wcs location=%s "
        "stream-name=x %s",
    "wcsplaysrc name=wcs location=%s stream-name=x %s",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (descs); i++) {
    gchar *desc = g_strdup_printf (descs[i], url, FAST_PROPS);
    Pipe *p = pipe_new (desc);
    gint64 start = g_get_monotonic_time (), when = 0;
    gchar *text;

    pipe_play (p);
    fail_unless (wcs_test_bus_log_wait (p->log, g_main_context_default (), 0,
                     GST_MESSAGE_ERROR, NULL, NULL, NULL, 10000, &when) >= 0,
        "%s: no ERROR for %s", GST_OBJECT_NAME (p->el), url);
    GST_INFO ("ERROR %" G_GINT64_FORMAT " ms after the start",
        (when - start) / 1000);
    text = assert_error_code (p, code);
    fail_unless (strstr (text, words) != NULL, "'%s' does not say '%s'",
        text, words);
    g_free (text);
    fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
                     "wcs-restore", "phase", "attempt", NULL) < 0,
        "a permanent failure was retried");
    fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_WARNING, NULL,
                     NULL, NULL, NULL) < 0,
        "WARNING for a permanent failure");
    pipe_free (p);
    g_free (desc);
  }
}

/* 401/403 and 404 on the WebSocket upgrade: ERROR at once, with the right
 * code and the server's words, never a retry */
GST_START_TEST (test_upgrade_refused)
{
  HttpStub *h = http_stub_new (403, FALSE);

  check_permanent_connect_failure (h->url,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "HTTP 403 Forbidden");
  http_stub_free (h);
  h = http_stub_new (401, FALSE);
  check_permanent_connect_failure (h->url,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "HTTP 401");
  http_stub_free (h);
  h = http_stub_new (404, FALSE);
  check_permanent_connect_failure (h->url, GST_RESOURCE_ERROR_NOT_FOUND,
      "HTTP 404 Not Found");
  http_stub_free (h);
}

GST_END_TEST;

/* A 503 on the upgrade is transient: retried with a WARNING, ERROR only at
 * give-up (OPEN_READ_WRITE: the server cannot be reached) */
GST_START_TEST (test_upgrade_unavailable_retried)
{
  HttpStub *h = http_stub_new (503, FALSE);
  gchar *desc = g_strdup_printf ("wcsplaysrc name=wcs location=%s "
      "stream-name=x %s restore-max-tries=2", h->url, FAST_PROPS);
  Pipe *p = pipe_new (desc);

  pipe_play (p);
  assert_gave_up (p, 0, 2);
  fail_unless_equals_int (
      wcs_test_bus_log_count (p->log, 0, GST_MESSAGE_WARNING, NULL, NULL, NULL),
      1);
  pipe_free (p);
  g_free (desc);
  http_stub_free (h);
}

GST_END_TEST;

/* wss:// to a certificate that fails verification: ERROR at once naming
 * the reason */
GST_START_TEST (test_tls_unverified)
{
  HttpStub *h = http_stub_new (200, TRUE);

  check_permanent_connect_failure (h->url,
      GST_RESOURCE_ERROR_OPEN_READ_WRITE, "unknown CA");
  http_stub_free (h);
}

GST_END_TEST;

/* The stalled publisher: video never leaves the encoder. Each
 * republish reaches PUBLISHING but sends nothing, so it is not a restore:
 * the zero-bitrate cycles count against restore-max-tries, one WARNING for
 * the whole outage, never "restored", then gave-up and the ERROR. */
GST_START_TEST (test_publish_stalled_gives_up)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  gchar *props = g_strdup_printf ("%s check-bitrate=true change-codec=false "
      "restore-max-tries=2 bitrate-check-interval=%u "
      "h264-encoder=\"x264enc tune=zerolatency speed-preset=ultrafast "
      "! video/x-h264,profile=constrained-baseline "
      "! identity drop-probability=1.0\"", FAST_PROPS,
      300 * wcs_test_timeout_scale ());
  Pipe *pub;

  pub = publisher_new (relay, "st1", props);
  g_free (props);
  pipe_play (pub);
  assert_gave_up (pub, 0, 2);
  fail_unless (wcs_test_bus_log_find (pub->log, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "restored", NULL) < 0,
      "a publish that sends nothing was "
      "counted as restored");
  fail_unless_equals_int (
      wcs_test_bus_log_count (
          pub->log, 0, GST_MESSAGE_ELEMENT, "wcs-publish-failure", NULL, NULL),
      3);
  fail_unless_equals_int (wcs_test_bus_log_count (pub->log, 0,
                              GST_MESSAGE_WARNING, NULL, NULL, NULL),
      1);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* A stream request the server never answers (relay fault "hold"): bounded
 * by stream-timeout, reason stream-timeout, and give-up once the tries are
 * spent, for both elements. */
GST_START_TEST (test_stream_never_answered)
{
  WcsTestRelay *relay = relay_start (0, TRUE, NULL);
  gchar *props = g_strdup_printf ("%s stream-timeout=1500 "
      "restore-max-tries=2", FAST_PROPS);
  Pipe *pub, *play;
  gint idx;

  rest (relay, "rest-api/faults/reject", "{\"name\": \"h1\", \"hold\": true, "
      "\"what\": \"publish\", \"count\": 0}");
  pub = publisher_new (relay, "h1", props);
  pipe_play (pub);
  idx = wcs_test_bus_log_wait (pub->log, g_main_context_default (), 0,
      GST_MESSAGE_ELEMENT, "wcs-restore", "reason", "stream-timeout", 10000,
      NULL);
  fail_unless (idx >= 0, "no stream-timeout");
  assert_gave_up (pub, 0, 2);
  pipe_free (pub);

  /* a player whose playStream is swallowed, behind a real publisher */
  rest (relay, "rest-api/faults/reject", "{\"name\": \"h2\", \"hold\": true, "
      "\"what\": \"play\", \"count\": 0}");
  pub = publisher_new (relay, "h2", FAST_PROPS);
  pipe_play (pub);
  fail_unless (wcs_test_relay_wait_stream (relay, "h2", "PUBLISHING", NULL,
          MEDIA_WAIT_MS));
  play = player_new (relay, "h2", props);
  g_free (props);
  pipe_play (play);
  fail_unless (wcs_test_bus_log_wait (play->log, g_main_context_default (), 0,
                   GST_MESSAGE_ELEMENT, "wcs-restore", "reason",
                   "stream-timeout", 10000, NULL) >= 0,
      "no stream-timeout");
  assert_gave_up (play, 0, 2);
  wcs_test_bus_log_assert_no_error (pub->log);
  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* restore-connection=false set while an outage is being restored: the
 * outage ends with an ERROR at once, the element does not sit idle */
GST_START_TEST (test_restore_off_during_outage)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  Pipe *pub, *play;
  guint pub_from, play_from;
  gint64 off;

  start_both (relay, "o1", FAST_PROPS, &pub, &play);
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);
  wcs_test_relay_signal (relay, SIGKILL);
  /* restoring: at least attempt 2 scheduled, the relay stays dead */
  fail_unless (wcs_test_bus_log_wait (pub->log, g_main_context_default (),
                   pub_from, GST_MESSAGE_ELEMENT, "wcs-restore", "phase",
                   "attempt", 10000, NULL) >= 0);
  fail_unless (wcs_test_bus_log_wait (play->log, g_main_context_default (),
                   play_from, GST_MESSAGE_ELEMENT, "wcs-restore", "phase",
                   "attempt", 10000, NULL) >= 0);
  fail_unless (wcs_test_bus_log_find (
                   pub->log, 0, GST_MESSAGE_ERROR, NULL, NULL, NULL, NULL) < 0);
  off = g_get_monotonic_time ();
  g_object_set (pub->el, "restore-connection", FALSE, NULL);
  g_object_set (play->el, "restore-connection", FALSE, NULL);
  fail_unless (
      wcs_test_bus_log_wait (pub->log, g_main_context_default (), pub_from,
          GST_MESSAGE_ERROR, NULL, NULL, NULL, 2000, NULL) >= 0,
      "publisher: no ERROR after restore off");
  fail_unless (
      wcs_test_bus_log_wait (play->log, g_main_context_default (), play_from,
          GST_MESSAGE_ERROR, NULL, NULL, NULL, 2000, NULL) >= 0,
      "player: no ERROR after restore off");
  fail_unless (wcs_test_bus_log_find (pub->log, pub_from, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "gave-up", NULL) >= 0);
  GST_INFO ("ERROR %" G_GINT64_FORMAT " ms after restore off",
      (g_get_monotonic_time () - off) / 1000);
  g_free (assert_error_code (pub, GST_RESOURCE_ERROR_OPEN_READ_WRITE));

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* probes-interval=0 turns the watchdog off (as documented), it does not
 * fail the state change */
GST_START_TEST (test_probes_interval_zero)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  Pipe *pub, *play;

  start_both (relay, "z1", "probes-interval=0", &pub, &play);
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);
  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

/* The server's operator terminates the stream (REST terminate): the
 * publisher does not republish (ERROR at once, the server's words, no
 * attempt, no WARNING), the player waits for a publisher (restoring) */
GST_START_TEST (test_rest_terminate)
{
  WcsTestRelay *relay = relay_start (0, FALSE, NULL);
  Pipe *pub, *play;
  guint play_from;
  gchar *text;

  start_both (relay, "t1", FAST_PROPS, &pub, &play);
  play_from = wcs_test_bus_log_len (play->log);
  rest (relay, "rest-api/stream/terminate", "{\"name\": \"t1\"}");
  fail_unless (wcs_test_bus_log_wait (pub->log, g_main_context_default (), 0,
                   GST_MESSAGE_ERROR, NULL, NULL, NULL, 10000, NULL) >= 0,
      "publisher: no ERROR after terminate");
  text = assert_error_code (pub, GST_RESOURCE_ERROR_FAILED);
  fail_unless (strstr (text, "Stopped by rest /terminate") != NULL, "%s",
      text);
  g_free (text);
  fail_unless (wcs_test_bus_log_find (pub->log, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "attempt", NULL) < 0,
      "a terminated publish was retried");
  fail_unless (wcs_test_bus_log_find (pub->log, 0, GST_MESSAGE_WARNING, NULL,
                   NULL, NULL, NULL) < 0);
  assert_outage (play, play_from, "publisher-stopped", 10000);
  wcs_test_bus_log_assert_no_error (play->log);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay);
}

GST_END_TEST;

static Suite *
restore_suite (void)
{
  Suite *s = suite_create ("restore");
  TCase *tc = tcase_create ("end-to-end");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_relay_killed_restarted);
  tcase_add_test (tc, test_relay_frozen);
  tcase_add_test (tc, test_session_dropped);
  tcase_add_test (tc, test_stream_failed_transient);
  tcase_add_test (tc, test_stale_publisher);
  tcase_add_test (tc, test_deliberate_stop);
  tcase_add_test (tc, test_restore_disabled);
  tcase_add_test (tc, test_max_tries_exhausted);
  tcase_add_test (tc, test_player_permanent_refusal);
  tcase_add_test (tc, test_fallback_sticky);
  tcase_add_test (tc, test_upgrade_refused);
  tcase_add_test (tc, test_upgrade_unavailable_retried);
  tcase_add_test (tc, test_tls_unverified);
  tcase_add_test (tc, test_publish_stalled_gives_up);
  tcase_add_test (tc, test_stream_never_answered);
  tcase_add_test (tc, test_restore_off_during_outage);
  tcase_add_test (tc, test_probes_interval_zero);
  tcase_add_test (tc, test_rest_terminate);
  return s;
}

WCS_CHECK_MAIN (restore);
