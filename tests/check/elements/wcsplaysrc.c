/* gst-wcs: wcsplaysrc tests
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every end-to-end test runs its own wcs-relay on a free loopback port and
 * publishes with wcspublishsink in a gst-launch-1.0 child process (so that
 * the publisher can be frozen / killed); the player runs in this process.
 * Every wait is bounded.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gst/check/gstcheck.h>
#include <gst/app/app.h>

#include "wcstestutil.h"

/* generous: relay + DTLS + ICE + first key frame on a loaded 2-core box */
#define MEDIA_WAIT_MS 30000
#define PUBLISH_WAIT_MS 30000
#define NULL_MAX_US (5 * G_TIME_SPAN_SECOND)

/* ------------------------------------------------------------------ */
/* publisher child process                                             */

static void
publisher_child_setup (gpointer data)
{
  /* never outlive the test process, whatever happens to it */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Spawns gst-launch-1.0 publishing 320x240 video (and audio) to @name.
 * @extra: extra wcspublishsink properties, e.g. "strip-codecs=H264". */
static GPid
publisher_start (WcsTestRelay * relay, const gchar * name,
    const gchar * extra, gboolean audio)
{
  GError *err = NULL;
  GPid pid = 0;
  gchar *desc, *cmd;
  gchar **argv = NULL;

  desc = g_strdup_printf ("wcspublishsink name=pub location=%s "
      "stream-name=%s check-bitrate=false %s "
      "videotestsrc is-live=true pattern=ball "
      "! video/x-raw,width=320,height=240,framerate=15/1 ! pub.video %s",
      relay->url, name, extra ? extra : "",
      audio ? "audiotestsrc is-live=true wave=ticks ! pub.audio" : "");
  /* gst-launch-1.0 wants the description split into words */
  cmd = g_strdup_printf ("gst-launch-1.0 -q %s", desc);
  if (!g_shell_parse_argv (cmd, NULL, &argv, &err)) {
    g_warning ("bad publisher command %s: %s", cmd, err->message);
    g_clear_error (&err);
    g_free (cmd);
    g_free (desc);
    return 0;
  }
  g_free (cmd);

  if (!g_spawn_async (NULL, argv, NULL,
          G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
          G_SPAWN_STDOUT_TO_DEV_NULL, publisher_child_setup, NULL, &pid,
          &err)) {
    g_warning ("cannot spawn the publisher: %s", err->message);
    g_clear_error (&err);
    pid = 0;
  }
  GST_INFO ("publisher %d: %s", pid, desc);
  g_strfreev (argv);
  g_free (desc);
  return pid;
}

static void
publisher_kill (GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  int status;

  if (pid <= 0)
    return;
  kill (pid, SIGCONT);
  kill (pid, SIGKILL);
  while (waitpid (pid, &status, WNOHANG) == 0
      && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_spawn_close_pid (pid);
}

/* starts a publisher and waits until the relay lists the stream */
static GPid
publisher_start_and_wait (WcsTestRelay * relay, const gchar * name,
    const gchar * extra, const gchar * codec)
{
  GPid pid = publisher_start (relay, name, extra, TRUE);

  fail_unless (pid > 0);
  if (!wcs_test_relay_wait_stream (relay, name, "PUBLISHING", codec,
          PUBLISH_WAIT_MS)) {
    publisher_kill (pid);
    fail ("stream %s not PUBLISHING (%s) on the relay within %d ms", name,
        codec ? codec : "any codec", PUBLISH_WAIT_MS);
  }
  return pid;
}

static WcsTestRelay *
relay_start (void)
{
  WcsTestRelay *relay = wcs_test_relay_start (0, NULL);

  fail_unless (relay != NULL, "wcs-relay did not start");
  return relay;
}

/* ------------------------------------------------------------------ */
/* player in this process                                              */

typedef struct
{
  GMutex lock;
  GstElement *pipeline;
  GstElement *src;              /* wcsplaysrc (NULL with playbin) */
  WcsTestBusLog *log;

  /* per kind: 0 video, 1 audio */
  GstPad *pad[2];
  GstCaps *caps[2];
  guint buffers[2];
  guint gaps[2];
  gint64 last_buffer[2];
  GstClockTime last_pts[2];
  gboolean pts_backwards[2];
  guint pads_added;
  guint pads_removed;
  guint eos;
  gboolean no_more_pads;
} Player;

static gint
kind_of_pad (GstPad * pad)
{
  return g_str_equal (GST_PAD_NAME (pad), "audio") ? 1 : 0;
}

static GstFlowReturn
sink_new_sample (GstAppSink * sink, gpointer data)
{
  Player *p = data;
  gint kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sink), "kind"));
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (!sample)
    return GST_FLOW_EOS;
  g_mutex_lock (&p->lock);
  if (!p->caps[kind] && gst_sample_get_caps (sample))
    p->caps[kind] = gst_caps_ref (gst_sample_get_caps (sample));
  else if (gst_sample_get_caps (sample))
    gst_caps_replace (&p->caps[kind], gst_sample_get_caps (sample));
  p->buffers[kind]++;
  p->last_buffer[kind] = g_get_monotonic_time ();
  g_mutex_unlock (&p->lock);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static GstPadProbeReturn
src_pad_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Player *p = data;
  gint kind = kind_of_pad (pad);

  g_mutex_lock (&p->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    GstClockTime pts = GST_BUFFER_PTS (buf);

    if (!GST_CLOCK_TIME_IS_VALID (pts))
      p->pts_backwards[kind] = TRUE;
    else if (GST_CLOCK_TIME_IS_VALID (p->last_pts[kind])
        && pts < p->last_pts[kind])
      p->pts_backwards[kind] = TRUE;
    if (GST_CLOCK_TIME_IS_VALID (pts))
      p->last_pts[kind] = pts;
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (ev) == GST_EVENT_GAP)
      p->gaps[kind]++;
    else if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS)
      p->eos++;
  }
  g_mutex_unlock (&p->lock);
  return GST_PAD_PROBE_OK;
}

static GstElement *
make_appsink (Player * p, gint kind)
{
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  GstAppSinkCallbacks cb = {.new_sample = sink_new_sample };

  fail_unless (sink != NULL);
  /* sync=TRUE: frames must carry sane (running time) timestamps to arrive */
  g_object_set (sink, "sync", TRUE, "async", FALSE, "emit-signals", FALSE,
      "max-buffers", 5, "drop", TRUE, NULL);
  g_object_set_data (G_OBJECT (sink), "kind", GINT_TO_POINTER (kind));
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, p, NULL);
  return sink;
}

static void
on_pad_added (GstElement * src, GstPad * pad, Player * p)
{
  gint kind = kind_of_pad (pad);
  GstElement *sink = make_appsink (p, kind);

  GST_INFO ("pad added: %s", GST_PAD_NAME (pad));
  g_mutex_lock (&p->lock);
  p->pads_added++;
  if (!p->pad[kind])
    p->pad[kind] = gst_object_ref (pad);
  g_mutex_unlock (&p->lock);

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, src_pad_probe, p, NULL);

  wcs_test_add_sink (p->pipeline, pad, sink);
}

static void
on_pad_removed (GstElement * src, GstPad * pad, Player * p)
{
  g_mutex_lock (&p->lock);
  p->pads_removed++;
  g_mutex_unlock (&p->lock);
}

static void
on_no_more_pads (GstElement * src, Player * p)
{
  g_mutex_lock (&p->lock);
  p->no_more_pads = TRUE;
  g_mutex_unlock (&p->lock);
}

static Player *
player_alloc (void)
{
  Player *p = g_new0 (Player, 1);

  g_mutex_init (&p->lock);
  p->last_pts[0] = p->last_pts[1] = GST_CLOCK_TIME_NONE;
  return p;
}

static void
player_watch_bus (Player * p)
{
  p->log = wcs_test_bus_log_attach (p->pipeline);
}

/* pipeline: wcsplaysrc, an appsink per pad added */
static Player *
player_new (WcsTestRelay * relay, const gchar * name, const gchar * props)
{
  Player *p = player_alloc ();
  gchar *desc;

  desc = g_strdup_printf ("wcsplaysrc name=src location=%s stream-name=%s "
      "restore-timeout=500 %s", relay ? relay->url : "ws://127.0.0.1:9",
      name, props ? props : "");
  p->pipeline = wcs_test_pipeline_parse (desc);
  g_free (desc);
  p->src = gst_bin_get_by_name (GST_BIN (p->pipeline), "src");
  fail_unless (p->src != NULL);
  g_signal_connect (p->src, "pad-added", G_CALLBACK (on_pad_added), p);
  g_signal_connect (p->src, "pad-removed", G_CALLBACK (on_pad_removed), p);
  g_signal_connect (p->src, "no-more-pads", G_CALLBACK (on_no_more_pads), p);
  player_watch_bus (p);
  return p;
}

static void
player_set_null (Player * p)
{
  gint64 start = g_get_monotonic_time ();

  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  fail_unless (g_get_monotonic_time () - start < NULL_MAX_US,
      "going to NULL took %" G_GINT64_FORMAT " ms",
      (g_get_monotonic_time () - start) / 1000);
}

static void
player_free (Player * p)
{
  guint k;

  player_set_null (p);
  wcs_test_bus_log_detach (p->log, p->pipeline);
  wcs_test_bus_log_unref (p->log);
  if (p->src)
    gst_object_unref (p->src);
  gst_object_unref (p->pipeline);
  for (k = 0; k < 2; k++) {
    if (p->pad[k])
      gst_object_unref (p->pad[k]);
    if (p->caps[k])
      gst_caps_unref (p->caps[k]);
  }
  g_mutex_clear (&p->lock);
  g_free (p);
}

static guint
player_buffers (Player * p, gint kind)
{
  guint n;

  g_mutex_lock (&p->lock);
  n = p->buffers[kind];
  g_mutex_unlock (&p->lock);
  return n;
}

/* Waits (bounded) until @kind got @n more buffers than @since. */
static gboolean
player_wait_buffers (Player * p, gint kind, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  guint start = player_buffers (p, kind);

  while (g_get_monotonic_time () < deadline) {
    if (player_buffers (p, kind) >= start + n)
      return TRUE;
    g_usleep (20 * 1000);
  }
  return FALSE;
}

static void
player_play (Player * p)
{
  GstStateChangeReturn ret;

  ret = gst_element_set_state (p->pipeline, GST_STATE_PLAYING);
  fail_unless (ret == GST_STATE_CHANGE_NO_PREROLL ||
      ret == GST_STATE_CHANGE_SUCCESS || ret == GST_STATE_CHANGE_ASYNC,
      "set_state PLAYING returned %s", gst_element_state_change_return_get_name
      (ret));
}

static gchar *
player_codec (Player * p)
{
  gchar *codec = NULL;

  g_object_get (p->src, "codec", &codec, NULL);
  return codec;
}

/* caps of @kind have this structure name (and 320x240 for raw video) */
static void
assert_caps (Player * p, gint kind, const gchar * media)
{
  GstStructure *s;
  gint w = 0, h = 0;

  g_mutex_lock (&p->lock);
  fail_unless (p->caps[kind] != NULL, "no caps on the %s pad",
      kind ? "audio" : "video");
  s = gst_caps_get_structure (p->caps[kind], 0);
  fail_unless (gst_structure_has_name (s, media), "caps %" GST_PTR_FORMAT
      " are not %s", p->caps[kind], media);
  if (g_str_equal (media, "video/x-raw")) {
    fail_unless (gst_structure_get_int (s, "width", &w));
    fail_unless (gst_structure_get_int (s, "height", &h));
    fail_unless_equals_int (w, 320);
    fail_unless_equals_int (h, 240);
  } else if (g_str_equal (media, "video/x-h264")) {
    fail_unless_equals_string (gst_structure_get_string (s, "stream-format"),
        "byte-stream");
    fail_unless_equals_string (gst_structure_get_string (s, "alignment"),
        "au");
  }
  g_mutex_unlock (&p->lock);
}

/* ------------------------------------------------------------------ */
/* element contract, no network                                        */

GST_START_TEST (test_element_contract)
{
  GstElementFactory *f = gst_element_factory_find ("wcsplaysrc");
  GstElement *e;
  GParamSpec *ps;
  const GList *l;
  guint pads = 0;
  gboolean decode = FALSE;
  guint timeout = 0;
  const gchar *const *protocols;

  fail_unless (f != NULL);
  fail_unless (gst_element_factory_get_uri_type (f) == GST_URI_SRC);
  protocols = gst_element_factory_get_uri_protocols (f);
  fail_unless (protocols && g_strv_contains (protocols, "wcs")
      && g_strv_contains (protocols, "wcss"));

  for (l = gst_element_factory_get_static_pad_templates (f); l; l = l->next) {
    GstStaticPadTemplate *t = l->data;

    fail_unless (t->direction == GST_PAD_SRC);
    fail_unless (t->presence == GST_PAD_SOMETIMES);
    fail_unless (g_str_equal (t->name_template, "video")
        || g_str_equal (t->name_template, "audio"));
    pads++;
  }
  fail_unless_equals_int (pads, 2);

  e = gst_element_factory_create (f, NULL);
  fail_unless (GST_IS_BIN (e));
  g_object_get (e, "decode", &decode, "media-timeout", &timeout, NULL);
  fail_unless (decode == TRUE);
  fail_unless_equals_int (timeout, 5000);
  g_object_get (e, "latency", &timeout, NULL);
  fail_unless_equals_int (timeout, 200);

  /* its own properties exist, with a useful blurb (the shared ones:
   * contract.c) */
  {
    static const gchar *const names[] = { "decode", "media-timeout",
      "latency", NULL
    };
    guint i;

    for (i = 0; names[i]; i++) {
      ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), names[i]);
      fail_unless (ps != NULL, "no property %s", names[i]);
      fail_unless (g_param_spec_get_blurb (ps)
          && strlen (g_param_spec_get_blurb (ps)) > 10,
          "property %s has no useful blurb", names[i]);
    }
  }
  ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), "media-timeout");
  fail_unless (ps->flags & GST_PARAM_MUTABLE_PLAYING);
  ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), "latency");
  fail_unless (ps->flags & GST_PARAM_MUTABLE_PLAYING);

  /* nothing happens before PAUSED: no pads */
  fail_unless_equals_int (e->numsrcpads, 0);

  gst_object_unref (e);
  gst_object_unref (f);
}

GST_END_TEST;

static void
check_uri (const gchar * uri, const gchar * location, const gchar * name,
    const gchar * roundtrip)
{
  GstElement *e = gst_element_factory_make ("wcsplaysrc", NULL);
  GError *err = NULL;
  gchar *loc = NULL, *sn = NULL, *back;

  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (e), uri, &err),
      "set_uri %s: %s", uri, err ? err->message : "?");
  g_object_get (e, "location", &loc, "stream-name", &sn, NULL);
  fail_unless_equals_string (loc, location);
  fail_unless_equals_string (sn, name);
  back = gst_uri_handler_get_uri (GST_URI_HANDLER (e));
  fail_unless_equals_string (back, roundtrip ? roundtrip : uri);
  g_free (back);
  g_free (loc);
  g_free (sn);
  gst_object_unref (e);
}

static void
check_bad_uri (const gchar * uri)
{
  GstElement *e = gst_element_factory_make ("wcsplaysrc", NULL);
  GError *err = NULL;
  gchar *sn = NULL;

  g_object_set (e, "stream-name", "before", NULL);
  fail_if (gst_uri_handler_set_uri (GST_URI_HANDLER (e), uri, &err),
      "bad URI %s accepted", uri);
  fail_unless (err != NULL && err->domain == GST_URI_ERROR);
  fail_unless (err->message && *err->message);
  g_clear_error (&err);
  /* nothing changed */
  g_object_get (e, "stream-name", &sn, NULL);
  fail_unless_equals_string (sn, "before");
  g_free (sn);
  gst_object_unref (e);
}

GST_START_TEST (test_uri_handler)
{
  GstElement *e;
  gchar *uri, *sn = NULL;

  check_uri ("wcs://127.0.0.1:8080/cam1", "ws://127.0.0.1:8080", "cam1",
      NULL);
  check_uri ("wcss://wcs.example.com:8443/cam1",
      "wss://wcs.example.com:8443", "cam1", NULL);
  check_uri ("wcs://example.com/s", "ws://example.com", "s", NULL);
  check_uri ("wcs://127.0.0.1:8080/my%20stream", "ws://127.0.0.1:8080",
      "my stream", NULL);
  check_uri ("wcs://127.0.0.1:8080/app/path/cam1",
      "ws://127.0.0.1:8080/app/path", "cam1", NULL);
  check_uri ("wcs://[::1]:8080/cam1", "ws://[::1]:8080", "cam1", NULL);

  check_bad_uri ("wcs://127.0.0.1:8080");
  check_bad_uri ("wcs://127.0.0.1:8080/");
  check_bad_uri ("http://127.0.0.1:8080/cam1");
  check_bad_uri ("wcs:///cam1");
  check_bad_uri ("not a uri");

  /* get_uri from properties */
  e = gst_element_factory_make ("wcsplaysrc", NULL);
  g_object_set (e, "location", "wss://h.example:8443", "stream-name",
      "a/b c", NULL);
  uri = gst_uri_handler_get_uri (GST_URI_HANDLER (e));
  fail_unless_equals_string (uri, "wcss://h.example:8443/a%2Fb%20c");
  /* and back */
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (e), uri, NULL));
  g_object_get (e, "stream-name", &sn, NULL);
  fail_unless_equals_string (sn, "a/b c");
  g_free (sn);
  g_free (uri);
  gst_object_unref (e);

  /* what playbin does */
  e = gst_element_make_from_uri (GST_URI_SRC, "wcs://127.0.0.1:1935/live",
      NULL, NULL);
  fail_unless (e != NULL);
  fail_unless_equals_string (GST_OBJECT_NAME (gst_element_get_factory (e)),
      "wcsplaysrc");
  g_object_get (e, "stream-name", &sn, NULL);
  fail_unless_equals_string (sn, "live");
  g_free (sn);
  gst_object_unref (e);
}

GST_END_TEST;

/* live: no preroll; and going down while connecting is clean */
GST_START_TEST (test_live_no_preroll)
{
  /* nothing listens on port 9: the element keeps connecting / restoring */
  Player *p = player_new (NULL, "s", NULL);

  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_PAUSED), GST_STATE_CHANGE_NO_PREROLL);
  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  g_usleep (300 * 1000);
  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_PAUSED), GST_STATE_CHANGE_NO_PREROLL);
  /* the connect failures were reported and retried, not fatal */
  fail_unless (wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "attempt", 10000, NULL) >= 0);
  wcs_test_bus_log_assert_no_error (p->log);
  player_free (p);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* end to end                                                          */

GST_START_TEST (test_stream_not_found)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  Player *p = player_new (relay, "nosuchstream", NULL);
  GstMessage *msg;
  const GstStructure *s;
  guint from = 0, attempt = 0;
  gint idx;

  player_play (p);

  idx = wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
      "wcs-stream-status", "status", "FAILED", 20000, NULL);
  msg = idx >= 0 ? wcs_test_bus_log_get (p->log, idx) : NULL;
  fail_unless (msg != NULL, "no FAILED stream status");
  s = gst_message_get_structure (msg);
  fail_unless_equals_string (gst_structure_get_string (s, "info"),
      "Stream not found");
  fail_unless_equals_string (gst_structure_get_string (s, "stream-name"),
      "nosuchstream");
  gst_message_unref (msg);

  /* not fatal: the player keeps asking, waiting for a publisher */
  while ((idx = wcs_test_bus_log_wait (p->log, NULL, from,
              GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "attempt", 20000,
              NULL)) >= 0) {
    from = idx + 1;
    msg = wcs_test_bus_log_get (p->log, idx);
    s = gst_message_get_structure (msg);
    gst_structure_get_uint (s, "attempt", &attempt);
    fail_unless_equals_string (gst_structure_get_string (s, "reason"),
        "publisher-stopped");
    gst_message_unref (msg);
    if (attempt >= 3)
      break;
  }
  fail_unless (attempt >= 3, "the player stopped retrying (attempt %u)",
      attempt);
  wcs_test_bus_log_assert_no_error (p->log);
  fail_unless_equals_int (p->src->numsrcpads, 0);

  player_free (p);
}

GST_END_TEST;

/* the player waits for its publisher: it plays once the stream appears */
GST_START_TEST (test_waits_for_publisher)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  Player *p = player_new (relay, "late", NULL);
  GstMessage *msg;
  GPid pub;
  gint idx;

  player_play (p);
  idx = wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
      "wcs-stream-status", "status", "FAILED", 20000, NULL);
  msg = idx >= 0 ? wcs_test_bus_log_get (p->log, idx) : NULL;
  fail_unless (msg != NULL);
  gst_message_unref (msg);

  pub = publisher_start_and_wait (relay, "late", NULL, NULL);
  fail_unless (player_wait_buffers (p, 0, 5, MEDIA_WAIT_MS),
      "no video after the publisher came");
  fail_unless (wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "restored", 10000, NULL) >= 0);
  wcs_test_bus_log_assert_no_error (p->log);
  player_free (p);
  publisher_kill (pub);
}

GST_END_TEST;

/* A waiting player does not sit out its back-off once the publisher is
 * back: its availability poll starts the scheduled attempt as soon as the
 * server has the stream (gstwcselement-waitpub.c). The back-off is let grow
 * to >= 6 s (restore-timeout 30000), then the publisher starts: the attempt
 * that plays must come before it was due, and the schedule is otherwise
 * the one documented (no extra attempt). */
GST_START_TEST (test_waiting_player_polls)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  Player *p = player_new (relay, "poll1", "restore-timeout=30000");
  guint from = 0, delay = 0, attempt = 0, started = 0;
  gint64 when = 0, due, started_at = 0;
  GstStructure *s;
  GPid pub;
  gint idx;

  player_play (p);
  while (delay < 6000) {
    idx = wcs_test_bus_log_wait (p->log, NULL, from, GST_MESSAGE_ELEMENT,
        "wcs-restore", "phase", "scheduled", 30000, &when);
    fail_unless (idx >= 0, "no restore scheduled after attempt %u", attempt);
    from = idx + 1;
    s = wcs_test_bus_log_structure (p->log, idx);
    fail_unless_equals_string (gst_structure_get_string (s, "reason"),
        "publisher-stopped");
    fail_unless (gst_structure_get_uint (s, "delay-ms", &delay));
    fail_unless (gst_structure_get_uint (s, "attempt", &attempt));
    gst_structure_free (s);
  }
  due = when + (gint64) delay * 1000;
  GST_INFO ("attempt %u due in %u ms: starting the publisher", attempt, delay);

  pub = publisher_start_and_wait (relay, "poll1", NULL, NULL);
  idx = wcs_test_bus_log_wait (p->log, NULL, from, GST_MESSAGE_ELEMENT,
      "wcs-restore", "phase", "attempt", 30000, &started_at);
  fail_unless (idx >= 0, "attempt %u never started", attempt);
  s = wcs_test_bus_log_structure (p->log, idx);
  fail_unless (gst_structure_get_uint (s, "attempt", &started));
  gst_structure_free (s);
  fail_unless_equals_int (started, attempt);
  /* a second early at least: the timer, armed a moment before the
   * "scheduled" message was recorded, could fire a hair before "due" */
  fail_unless (started_at < due - G_TIME_SPAN_SECOND, "attempt %u waited "
      "its back-off (started %" G_GINT64_FORMAT " ms before it was due)",
      attempt, (due - started_at) / 1000);
  GST_INFO ("attempt %u started %" G_GINT64_FORMAT " ms before it was due",
      attempt, (due - started_at) / 1000);

  fail_unless (player_wait_buffers (p, 0, 5, MEDIA_WAIT_MS),
      "no video after the publisher came");
  fail_unless (wcs_test_bus_log_wait (p->log, NULL, from, GST_MESSAGE_ELEMENT,
          "wcs-restore", "phase", "restored", 10000, NULL) >= 0);
  fail_unless_equals_int (wcs_test_bus_log_count (p->log, from,
          GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "attempt"), 1);
  wcs_test_bus_log_assert_no_error (p->log);
  player_free (p);
  publisher_kill (pub);
}

GST_END_TEST;

static void
play_and_check (const gchar * extra_pub, const gchar * player_props,
    const gchar * codec, const gchar * video_media, const gchar * audio_media)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  GPid pub = publisher_start_and_wait (relay, "s1", extra_pub, codec);
  Player *p = player_new (relay, "s1", player_props);
  GstStructure *stats = NULL;
  guint64 bytes = 0;
  gchar *c;

  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS),
      "no video frames (got %u)", player_buffers (p, 0));
  fail_unless (player_wait_buffers (p, 1, 10, MEDIA_WAIT_MS),
      "no audio buffers (got %u)", player_buffers (p, 1));

  assert_caps (p, 0, video_media);
  assert_caps (p, 1, audio_media);
  c = player_codec (p);
  fail_unless_equals_string (c, codec);
  g_free (c);

  fail_unless_equals_int (p->src->numsrcpads, 2);
  {
    GstPad *vpad = gst_element_get_static_pad (p->src, "video");

    fail_unless (vpad != NULL);
    gst_object_unref (vpad);
  }
  g_mutex_lock (&p->lock);
  fail_unless_equals_int (p->pads_added, 2);
  fail_if (p->pts_backwards[0]);
  fail_if (p->pts_backwards[1]);
  fail_unless (p->no_more_pads);
  g_mutex_unlock (&p->lock);

  fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
                   "wcs-stream-status", "status", "PLAYING", NULL) >= 0);
  g_object_get (p->src, "stats", &stats, NULL);
  fail_unless (stats != NULL);
  fail_unless (gst_structure_get_uint64 (stats, "bytes", &bytes));
  fail_unless (bytes > 1000, "stats: %" GST_PTR_FORMAT, stats);
  gst_structure_free (stats);
  wcs_test_bus_log_assert_no_error (p->log);

  player_free (p);
  publisher_kill (pub);
}

GST_START_TEST (test_play_h264)
{
  play_and_check (NULL, NULL, "H264", "video/x-raw", "audio/x-raw");
}

GST_END_TEST;

GST_START_TEST (test_play_vp8)
{
  play_and_check ("strip-codecs=H264", NULL, "VP8", "video/x-raw",
      "audio/x-raw");
}

GST_END_TEST;

GST_START_TEST (test_play_encoded_h264)
{
  play_and_check (NULL, "decode=false", "H264", "video/x-h264",
      "audio/x-opus");
}

GST_END_TEST;

GST_START_TEST (test_play_encoded_vp8)
{
  play_and_check ("strip-codecs=H264", "decode=false", "VP8", "video/x-vp8",
      "audio/x-opus");
}

GST_END_TEST;

/* playbin (uridecodebin -> wcsplaysrc through the URI handler) */
GST_START_TEST (test_playbin_uri)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  GPid pub = publisher_start_and_wait (relay, "pb", NULL, NULL);
  Player *p = player_alloc ();
  GstElement *vsink, *asink;
  gchar *uri;
  GstStructure *s;
  gint w = 0;

  p->pipeline = gst_element_factory_make ("playbin", NULL);
  fail_unless (p->pipeline != NULL);
  vsink = make_appsink (p, 0);
  asink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (asink, "sync", FALSE, "async", FALSE, NULL);
  uri = g_strdup_printf ("wcs://127.0.0.1:%u/pb", relay->port);
  g_object_set (p->pipeline, "uri", uri, "video-sink", vsink,
      "audio-sink", asink, NULL);
  g_free (uri);
  player_watch_bus (p);

  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS),
      "playbin got no video frames");
  g_mutex_lock (&p->lock);
  s = gst_caps_get_structure (p->caps[0], 0);
  fail_unless (gst_structure_get_int (s, "width", &w));
  fail_unless_equals_int (w, 320);
  g_mutex_unlock (&p->lock);
  wcs_test_bus_log_assert_no_error (p->log);

  player_free (p);
  publisher_kill (pub);
}

GST_END_TEST;

/* Publisher frozen (SIGSTOP): the WebSocket stays open, the relay keeps the
 * stream, only media stops. Only the media watchdog can notice. */
GST_START_TEST (test_media_watchdog_frozen_publisher)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  GPid pub = publisher_start_and_wait (relay, "wd", NULL, NULL);
  Player *p = player_new (relay, "wd", "media-timeout=1000");
  GstMessage *msg;
  gint64 fired = 0, last;
  gint idx;

  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS));
  fail_unless (player_wait_buffers (p, 1, 5, MEDIA_WAIT_MS));

  kill (pub, SIGSTOP);
  idx = wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
      "wcs-restore", "reason", "media-timeout", 10000, &fired);
  msg = idx >= 0 ? wcs_test_bus_log_get (p->log, idx) : NULL;
  fail_unless (msg != NULL, "the media watchdog did not fire");
  gst_message_unref (msg);

  g_mutex_lock (&p->lock);
  last = MAX (p->last_buffer[0], p->last_buffer[1]);
  g_mutex_unlock (&p->lock);
  /* media-timeout (1000) + one check period (100) + scheduling slack; the
   * last RTP packet arrived shortly before the last decoded buffer */
  fail_unless (fired - last <= 1600 * 1000, "fired %" G_GINT64_FORMAT
      " ms after the last buffer", (fired - last) / 1000);
  fail_unless (fired - last >= 700 * 1000, "fired too early: %"
      G_GINT64_FORMAT " ms after the last buffer", (fired - last) / 1000);
  /* a restore, not an error */
  fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "scheduled", NULL) >= 0);
  wcs_test_bus_log_assert_no_error (p->log);

  player_free (p);
  publisher_kill (pub);
}

GST_END_TEST;

/* The relay stops forwarding (fault "mute") while the publisher stays
 * PUBLISHING: the watchdog fires, the player replays, and plays again once
 * the stream is unmuted. */
GST_START_TEST (test_media_watchdog_muted_stream)
{
  static const gchar *const args[] = { "--faults", NULL };
  g_autoptr (WcsTestRelay) relay = wcs_test_relay_start (0, args);
  GPid pub;
  Player *p;
  GstMessage *msg;
  JsonNode *reply;
  GError *err = NULL;
  gint64 muted, fired = 0;
  guint from = 0;
  gint idx;

  fail_unless (relay != NULL);
  pub = publisher_start_and_wait (relay, "mu", NULL, NULL);
  p = player_new (relay, "mu", "media-timeout=1000");
  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS));

  /* only what follows the mute: on a loaded machine the watchdog may
   * already have fired (and replayed) while the first frames were late */
  from = wcs_test_bus_log_len (p->log);
  muted = g_get_monotonic_time ();
  reply = wcs_test_relay_rest (relay, "rest-api/faults/mute",
      "{\"name\":\"mu\"}", &err);
  fail_unless (reply != NULL, "mute: %s", err ? err->message : "?");
  json_node_unref (reply);

  idx = wcs_test_bus_log_wait (p->log, NULL, from, GST_MESSAGE_ELEMENT,
      "wcs-restore", "reason", "media-timeout", 10000, &fired);
  msg = idx >= 0 ? wcs_test_bus_log_get (p->log, idx) : NULL;
  fail_unless (msg != NULL, "the media watchdog did not fire");
  gst_message_unref (msg);
  from = idx + 1;
  /* media-timeout + one check period + slack for a loaded machine */
  fail_unless (fired - muted <= 1700 * 1000, "fired %" G_GINT64_FORMAT
      " ms after the mute", (fired - muted) / 1000);
  fail_unless (fired - muted >= 900 * 1000, "fired too early (%"
      G_GINT64_FORMAT " ms)", (fired - muted) / 1000);

  reply = wcs_test_relay_rest (relay, "rest-api/faults/unmute",
      "{\"name\":\"mu\"}", &err);
  fail_unless (reply != NULL, "unmute: %s", err ? err->message : "?");
  json_node_unref (reply);
  fail_unless (wcs_test_bus_log_wait (p->log, NULL, from, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "restored", 20000, NULL) >= 0,
      "not restored after unmute");
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS));
  wcs_test_bus_log_assert_no_error (p->log);

  player_free (p);
  publisher_kill (pub);
}

GST_END_TEST;

/* Publisher killed: noticed within media-timeout + one check period, by
 * the watchdog or by the server's STOPPED, whichever comes first. */
GST_START_TEST (test_media_watchdog_killed_publisher)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  GPid pub = publisher_start_and_wait (relay, "wk", NULL, NULL);
  Player *p = player_new (relay, "wk", "media-timeout=1500");
  GstMessage *msg;
  const GstStructure *s;
  const gchar *reason;
  gint64 fired = 0, killed;
  gint idx;

  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS));

  killed = g_get_monotonic_time ();
  publisher_kill (pub);
  idx = wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
      "wcs-restore", "phase", "scheduled", 10000, &fired);
  msg = idx >= 0 ? wcs_test_bus_log_get (p->log, idx) : NULL;
  fail_unless (msg != NULL, "the player did not notice the dead publisher");
  s = gst_message_get_structure (msg);
  reason = gst_structure_get_string (s, "reason");
  fail_unless (g_strcmp0 (reason, "media-timeout") == 0
      || g_strcmp0 (reason, "publisher-stopped") == 0, "reason %s", reason);
  fail_unless (fired - killed <= 2100 * 1000, "noticed after %"
      G_GINT64_FORMAT " ms", (fired - killed) / 1000);
  gst_message_unref (msg);
  wcs_test_bus_log_assert_no_error (p->log);

  player_free (p);
}

GST_END_TEST;

/* A restore swaps the WebRTC session under the pads: same pads, no EOS,
 * GAP events during the outage, timestamps keep rising. */
GST_START_TEST (test_restore_keeps_pads)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  GPid pub = publisher_start_and_wait (relay, "rk", NULL, NULL);
  Player *p = player_new (relay, "rk", "media-timeout=1000");
  GstPad *vpad;
  guint gaps_before, gaps_after;

  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS));
  g_mutex_lock (&p->lock);
  vpad = gst_object_ref (p->pad[0]);
  gaps_before = p->gaps[0];
  g_mutex_unlock (&p->lock);

  publisher_kill (pub);
  /* the outage: GAP events, no EOS */
  g_usleep (1500 * 1000);
  g_mutex_lock (&p->lock);
  gaps_after = p->gaps[0];
  g_mutex_unlock (&p->lock);
  fail_unless (gaps_after >= gaps_before + 5, "only %u GAP events",
      gaps_after - gaps_before);

  pub = publisher_start_and_wait (relay, "rk", NULL, NULL);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS),
      "no video after the publisher came back");
  fail_unless (wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
                   "wcs-restore", "phase", "restored", 10000, NULL) >= 0);

  g_mutex_lock (&p->lock);
  fail_unless (p->pad[0] == vpad);
  fail_unless_equals_int (p->pads_added, 2);
  fail_unless_equals_int (p->pads_removed, 0);
  fail_unless_equals_int (p->eos, 0);
  fail_if (p->pts_backwards[0]);
  fail_if (p->pts_backwards[1]);
  g_mutex_unlock (&p->lock);
  fail_unless (gst_element_get_static_pad (p->src, "video") == vpad);
  gst_object_unref (vpad);
  gst_object_unref (vpad);
  wcs_test_bus_log_assert_no_error (p->log);

  /* the old WebRTC sessions are really gone (no leaked webrtcbin), only
   * the current one lives; none after NULL */
  fail_unless (wcs_test_wait_webrtcbins_at_most (1, 10000), "%u webrtcbins alive",
      wcs_test_count_threads_named ("webrtc:ice"));
  player_free (p);
  fail_unless (wcs_test_wait_webrtcbins_at_most (0, 10000), "%u webrtcbins alive "
      "after NULL", wcs_test_count_threads_named ("webrtc:ice"));
  publisher_kill (pub);
}

GST_END_TEST;

static gboolean
player_wait_caps (Player * p, gint kind, const gchar * media, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  gboolean ok = FALSE;

  while (!ok && g_get_monotonic_time () < deadline) {
    g_mutex_lock (&p->lock);
    ok = p->caps[kind] && gst_structure_has_name (gst_caps_get_structure
        (p->caps[kind], 0), media);
    g_mutex_unlock (&p->lock);
    if (!ok)
      g_usleep (20 * 1000);
  }
  return ok;
}

/* The publisher comes back with another codec: with decode=false the same
 * pad simply gets new caps, and "codec" follows what arrives. */
GST_START_TEST (test_codec_change_keeps_pad)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  GPid pub = publisher_start_and_wait (relay, "cc", NULL, "H264");
  Player *p = player_new (relay, "cc", "decode=false media-timeout=1000");
  GstPad *vpad;
  gchar *codec;

  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS));
  assert_caps (p, 0, "video/x-h264");
  codec = player_codec (p);
  fail_unless_equals_string (codec, "H264");
  g_free (codec);
  g_mutex_lock (&p->lock);
  vpad = gst_object_ref (p->pad[0]);
  g_mutex_unlock (&p->lock);

  publisher_kill (pub);
  pub = publisher_start_and_wait (relay, "cc", "strip-codecs=H264", "VP8");
  fail_unless (player_wait_caps (p, 0, "video/x-vp8", MEDIA_WAIT_MS),
      "the video pad did not get VP8 caps");
  fail_unless (player_wait_buffers (p, 0, 10, MEDIA_WAIT_MS));
  codec = player_codec (p);
  fail_unless_equals_string (codec, "VP8");
  g_free (codec);

  g_mutex_lock (&p->lock);
  fail_unless (p->pad[0] == vpad);
  fail_unless_equals_int (p->pads_added, 2);
  fail_unless_equals_int (p->pads_removed, 0);
  fail_unless_equals_int (p->eos, 0);
  fail_if (p->pts_backwards[0]);
  g_mutex_unlock (&p->lock);
  gst_object_unref (vpad);
  wcs_test_bus_log_assert_no_error (p->log);

  player_free (p);
  publisher_kill (pub);
}

GST_END_TEST;

/* Going to NULL is clean and quick at any moment */
GST_START_TEST (test_null_any_moment)
{
  g_autoptr (WcsTestRelay) relay = relay_start ();
  GPid pub = publisher_start_and_wait (relay, "nm", NULL, NULL);
  static const guint delays_ms[] = { 0, 5, 30, 100, 250, 600 };
  guint i;
  Player *p;

  for (i = 0; i < G_N_ELEMENTS (delays_ms); i++) {
    p = player_new (relay, "nm", NULL);
    player_play (p);
    g_usleep (delays_ms[i] * 1000);
    player_free (p);
    if (!wcs_test_wait_webrtcbins_at_most (0, 10000)) {
      guint left = wcs_test_count_threads_named ("webrtc:ice");
      /* tell a slow teardown from a leak (seen once in 13 runs of the
       * suite beside a CPU hog, 1 December 2026, not reproduced since) */
      gboolean gone_later = wcs_test_wait_webrtcbins_at_most (0, 20000);

      fail ("NULL after %u ms left %u webrtcbins alive for 10 s; %s",
          delays_ms[i], left, gone_later ? "gone within 20 s more (a slow "
          "teardown)" : "still alive 20 s later (a leak)");
    }
  }

  /* negotiating: right after the offer went out */
  p = player_new (relay, "nm", NULL);
  player_play (p);
  fail_unless (
      wcs_test_bus_log_wait (p->log, NULL, 0, GST_MESSAGE_ELEMENT,
          "wcs-session-status", "status", "ESTABLISHED", 10000, NULL) >= 0);
  player_free (p);

  /* playing */
  p = player_new (relay, "nm", NULL);
  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 3, MEDIA_WAIT_MS));
  player_free (p);

  /* and again from READY: pads persist, media flows again */
  p = player_new (relay, "nm", NULL);
  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 3, MEDIA_WAIT_MS));
  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  player_play (p);
  fail_unless (player_wait_buffers (p, 0, 3, MEDIA_WAIT_MS),
      "no video after READY -> PLAYING");
  wcs_test_bus_log_assert_no_error (p->log);
  player_free (p);
  fail_unless (wcs_test_wait_webrtcbins_at_most (0, 10000));

  publisher_kill (pub);
}

GST_END_TEST;

static Suite *
wcsplaysrc_suite (void)
{
  Suite *s = suite_create ("wcsplaysrc");
  TCase *tc = tcase_create ("contract");
  TCase *e2e = tcase_create ("end-to-end");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_element_contract);
  tcase_add_test (tc, test_uri_handler);
  tcase_add_test (tc, test_live_no_preroll);

  suite_add_tcase (s, e2e);
  tcase_set_timeout (e2e, 120);
  tcase_add_test (e2e, test_stream_not_found);
  tcase_add_test (e2e, test_waits_for_publisher);
  tcase_add_test (e2e, test_waiting_player_polls);
  tcase_add_test (e2e, test_play_h264);
  tcase_add_test (e2e, test_play_vp8);
  tcase_add_test (e2e, test_play_encoded_h264);
  tcase_add_test (e2e, test_play_encoded_vp8);
  tcase_add_test (e2e, test_playbin_uri);
  tcase_add_test (e2e, test_media_watchdog_frozen_publisher);
  tcase_add_test (e2e, test_media_watchdog_muted_stream);
  tcase_add_test (e2e, test_media_watchdog_killed_publisher);
  tcase_add_test (e2e, test_restore_keeps_pads);
  tcase_add_test (e2e, test_codec_change_keeps_pad);
  tcase_add_test (e2e, test_null_any_moment);

  return s;
}

WCS_CHECK_MAIN (wcsplaysrc);
