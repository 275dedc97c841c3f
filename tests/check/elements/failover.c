/* gst-wcs: server failover end to end (backup-locations), both elements
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two wcs-relay child processes on free loopback ports stand for a primary
 * WCS (location) and a backup (backup-locations). A wcspublishsink and a
 * wcsplaysrc pipeline run in this process, each with its own bus log. The
 * primary is killed for good: both move to the backup, republish / replay
 * there and video flows again; the primary comes back: both stay on the
 * backup (no flapping). Every wait is bounded. docs/restore.md section 10.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/app/app.h>

#include "wcstestutil.h"

/* relay + DTLS + ICE + first key frame on a loaded 2-core box */
#define MEDIA_WAIT_MS 30000
#define RESTORE_WAIT_MS 40000
/* how long the elements must stay put once the primary is back */
#define NO_FLAP_MS 5000

/* short outages; x WCS_TEST_TIMEOUT_SCALE (sanitizer builds) */
static gchar *
fast_props (void)
{
  return g_strdup_printf ("restore-timeout=%u probes-interval=%u "
      "receive-probes=3", 500 * wcs_test_timeout_scale (),
      300 * wcs_test_timeout_scale ());
}

/* ------------------------------------------------------------------ */
/* a pipeline with a bus log                                            */

typedef struct
{
  GMutex lock;
  GstElement *pipeline;
  GstElement *el;               /* wcspublishsink / wcsplaysrc */
  WcsTestBusLog *log;
  guint buffers;                /* player: video buffers at the appsink */
} Pipe;

static GstFlowReturn
sink_new_sample (GstAppSink * sink, gpointer data)
{
  Pipe *p = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (!sample)
    return GST_FLOW_EOS;
  if (g_object_get_data (G_OBJECT (sink), "video")) {
    g_mutex_lock (&p->lock);
    p->buffers++;
    g_mutex_unlock (&p->lock);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static void
on_pad_added (GstElement * src, GstPad * pad, Pipe * p)
{
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  GstAppSinkCallbacks cb = {.new_sample = sink_new_sample };

  fail_unless (sink != NULL);
  g_object_set (sink, "sync", TRUE, "async", FALSE, "max-buffers", 5,
      "drop", TRUE, NULL);
  if (g_str_equal (GST_PAD_NAME (pad), "video"))
    g_object_set_data (G_OBJECT (sink), "video", GINT_TO_POINTER (1));
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, p, NULL);
  wcs_test_add_sink (p->pipeline, pad, sink);
}

/* @backups: NULL-terminated URLs for backup-locations */
static Pipe *
pipe_new (gboolean player, const gchar * location,
    const gchar * const *backups, const gchar * name, const gchar * props)
{
  Pipe *p = g_new0 (Pipe, 1);
  gchar *fast = fast_props ();
  gchar *desc;
  GValue arr = G_VALUE_INIT;
  guint i;

  if (player)
    desc = g_strdup_printf ("wcsplaysrc name=wcs location=%s stream-name=%s "
        "media-timeout=%u %s %s", location, name,
        1000 * wcs_test_timeout_scale (), fast, props ? props : "");
  else
    desc = g_strdup_printf ("videotestsrc is-live=true pattern=ball "
        "! video/x-raw,width=320,height=240,framerate=15/1 "
        "! wcspublishsink name=wcs location=%s stream-name=%s "
        "check-bitrate=false %s %s", location, name, fast,
        props ? props : "");
  g_mutex_init (&p->lock);
  p->pipeline = wcs_test_pipeline_parse (desc);
  p->el = gst_bin_get_by_name (GST_BIN (p->pipeline), "wcs");
  fail_unless (p->el != NULL);
  p->log = wcs_test_bus_log_attach (p->pipeline);
  GST_INFO ("pipeline: %s", desc);
  g_free (desc);
  g_free (fast);

  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; backups && backups[i]; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, backups[i]);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  g_object_set_property (G_OBJECT (p->el), "backup-locations", &arr);
  g_value_unset (&arr);
  if (player)
    g_signal_connect (p->el, "pad-added", G_CALLBACK (on_pad_added), p);
  return p;
}

static void
pipe_play (Pipe * p)
{
  fail_unless (gst_element_set_state (p->pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE, "PLAYING failed");
}

static void
pipe_free (Pipe * p)
{
  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (p->el);
  wcs_test_bus_log_detach (p->log, p->pipeline);
  wcs_test_bus_log_unref (p->log);
  gst_object_unref (p->pipeline);
  g_mutex_clear (&p->lock);
  g_free (p);
}

static guint
player_buffers (Pipe * p)
{
  guint n;

  g_mutex_lock (&p->lock);
  n = p->buffers;
  g_mutex_unlock (&p->lock);
  return n;
}

static gboolean
player_wait_buffers (Pipe * p, guint n, guint timeout_ms)
{
  return wcs_test_wait_count (&p->lock, &p->buffers, n, timeout_ms);
}

static WcsTestRelay *
relay_start (guint port)
{
  /* pings every 100 ms: the watchdog (3 x 300 ms) stays quiet */
  const gchar *args[] = { "--ping-interval", "100", NULL };
  WcsTestRelay *relay = wcs_test_relay_start (port, args);

  fail_unless (relay != NULL, "wcs-relay did not start (port %u)", port);
  return relay;
}

/* "server" and "server-index" of the element's stats */
static void
assert_stats_server (Pipe * p, const gchar * url, guint index)
{
  GstStructure *stats = NULL;
  guint got = G_MAXUINT;

  g_object_get (p->el, "stats", &stats, NULL);
  fail_unless (stats != NULL);
  fail_unless_equals_string (gst_structure_get_string (stats, "server"), url);
  fail_unless (gst_structure_get_uint (stats, "server-index", &got));
  fail_unless_equals_int (got, index);
  gst_structure_free (stats);
}

/* the string field @field of message @idx */
static gchar *
msg_string (Pipe * p, gint idx, const gchar * field)
{
  GstStructure *s = wcs_test_bus_log_structure (p->log, idx);
  gchar *v;

  fail_unless (s != NULL);
  v = g_strdup (gst_structure_get_string (s, field));
  gst_structure_free (s);
  return v;
}

/* the outage from @from on: attempts went to @first first, later to
 * @then; "restored" names @then with server-index 1 */
static void
assert_failed_over (Pipe * p, guint from, const gchar * first,
    const gchar * then)
{
  gint att, restored;
  GstStructure *s;
  guint index = G_MAXUINT;

  restored = wcs_test_bus_log_wait (p->log, g_main_context_default (), from,
      GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "restored",
      RESTORE_WAIT_MS, NULL);
  fail_unless (restored >= 0, "%s: not restored", GST_OBJECT_NAME (p->el));
  s = wcs_test_bus_log_structure (p->log, restored);
  fail_unless_equals_string (gst_structure_get_string (s, "server"), then);
  fail_unless (gst_structure_get_uint (s, "server-index", &index));
  fail_unless_equals_int (index, 1);
  gst_structure_free (s);

  /* the first attempt went to the primary (dead), a later one to the
   * backup; the default failover-tries is 3: three connects on the
   * primary before the move */
  att = wcs_test_bus_log_find (p->log, from, GST_MESSAGE_ELEMENT,
      "wcs-restore", "phase", "attempt", NULL);
  fail_unless (att >= 0 && att < restored);
  {
    gchar *srv = msg_string (p, att, "server");

    fail_unless_equals_string (srv, first);
    g_free (srv);
  }
  att = wcs_test_bus_log_find (p->log, from, GST_MESSAGE_ELEMENT,
      "wcs-restore", "server", then, NULL);
  fail_unless (att >= 0 && att < restored, "%s: no attempt on the backup "
      "before restored", GST_OBJECT_NAME (p->el));
  fail_unless (wcs_test_bus_log_count (p->log, from, GST_MESSAGE_ELEMENT,
          "wcs-restore", "server", first) >= 3,
      "%s: fewer than 3 attempts on the primary", GST_OBJECT_NAME (p->el));
  /* the session statuses name the server too */
  fail_unless (wcs_test_bus_log_find (p->log, from, GST_MESSAGE_ELEMENT,
          "wcs-session-status", "server", then, NULL) >= 0);
  assert_stats_server (p, then, 1);
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

/* relay1 (location) killed for good: publisher and player move to relay2
 * (backup-locations), the stream is republished and replayed there, video
 * flows; relay1 restarted: both stay on relay2 (no flapping). */
GST_START_TEST (test_failover_and_stay)
{
  WcsTestRelay *relay1 = relay_start (0), *relay2 = relay_start (0);
  gchar *url1 = g_strdup (relay1->url), *url2 = g_strdup (relay2->url);
  const gchar *backups[] = { url2, NULL };
  guint port1 = relay1->port;
  Pipe *pub, *play;
  guint pub_from, play_from, n, players = 0;
  gint64 deadline;
  gchar *status = NULL;

  pub = pipe_new (FALSE, url1, backups, "fo1", NULL);
  pipe_play (pub);
  fail_unless (wcs_test_relay_wait_stream (relay1, "fo1", "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "fo1 not PUBLISHING on relay1");
  play = pipe_new (TRUE, url1, backups, "fo1", NULL);
  pipe_play (play);
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no video via relay1");
  fail_unless (wcs_test_relay_find_stream (relay1, "fo1", NULL, NULL,
          &players) && players == 1, "the player does not play from relay1");
  fail_if (wcs_test_relay_find_stream (relay2, "fo1", NULL, NULL, NULL));
  assert_stats_server (pub, url1, 0);
  assert_stats_server (play, url1, 0);
  fail_unless (wcs_test_bus_log_find (pub->log, 0, GST_MESSAGE_ELEMENT,
          "wcs-session-status", "server", url1, NULL) >= 0);

  /* relay1 gone for good */
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);
  wcs_test_relay_signal (relay1, SIGKILL);
  wcs_test_relay_free (relay1);

  assert_failed_over (pub, pub_from, url1, url2);
  assert_failed_over (play, play_from, url1, url2);
  fail_unless (wcs_test_relay_wait_stream (relay2, "fo1", "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "fo1 not republished on relay2");
  fail_unless (player_wait_buffers (play, 10, MEDIA_WAIT_MS),
      "no video via relay2");
  fail_unless (wcs_test_relay_find_stream (relay2, "fo1", &status, NULL,
          &players) && players == 1, "the player does not play from relay2");
  g_free (status);
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  /* relay1 back on its port: nobody moves (bounded observation) */
  relay1 = relay_start (port1);
  pub_from = wcs_test_bus_log_len (pub->log);
  play_from = wcs_test_bus_log_len (play->log);
  n = player_buffers (play);
  deadline = g_get_monotonic_time () + NO_FLAP_MS * 1000;
  while (g_get_monotonic_time () < deadline)
    wcs_test_iterate (NULL, 100);
  fail_unless (wcs_test_bus_log_find (pub->log, pub_from, GST_MESSAGE_ELEMENT,
          "wcs-restore", NULL, NULL, NULL) < 0, "the publisher restored");
  fail_unless (wcs_test_bus_log_find (play->log, play_from,
          GST_MESSAGE_ELEMENT, "wcs-restore", NULL, NULL, NULL) < 0,
      "the player restored");
  fail_unless (wcs_test_bus_log_find (pub->log, pub_from, GST_MESSAGE_ELEMENT,
          "wcs-session-status", NULL, NULL, NULL) < 0,
      "the publisher's session changed");
  fail_unless (wcs_test_bus_log_find (play->log, play_from,
          GST_MESSAGE_ELEMENT, "wcs-session-status", NULL, NULL, NULL) < 0,
      "the player's session changed");
  fail_if (wcs_test_relay_find_stream (relay1, "fo1", NULL, NULL, NULL),
      "fo1 appeared on relay1");
  fail_unless (wcs_test_relay_find_stream (relay2, "fo1", NULL, NULL,
          &players) && players == 1);
  fail_unless (player_buffers (play) > n + 10, "video stopped on relay2");
  assert_stats_server (pub, url2, 1);
  assert_stats_server (play, url2, 1);
  wcs_test_bus_log_assert_no_error (pub->log);
  wcs_test_bus_log_assert_no_error (play->log);

  pipe_free (play);
  pipe_free (pub);
  wcs_test_relay_free (relay1);
  wcs_test_relay_free (relay2);
  g_free (url1);
  g_free (url2);
}

GST_END_TEST;

/* failback=true: on a backup that works the publisher stays while the
 * primary is back; at the next outage (the backup killed) the first
 * reconnect goes to the primary, where it publishes again. */
GST_START_TEST (test_failback)
{
  WcsTestRelay *relay1 = relay_start (0), *relay2 = relay_start (0);
  gchar *url1 = g_strdup (relay1->url), *url2 = g_strdup (relay2->url);
  const gchar *backups[] = { url2, NULL };
  guint port1 = relay1->port;
  Pipe *pub;
  guint from;
  gint att, restored;
  GstStructure *s;
  guint index = G_MAXUINT;

  pub = pipe_new (FALSE, url1, backups, "fo4", "failback=true");
  pipe_play (pub);
  fail_unless (wcs_test_relay_wait_stream (relay1, "fo4", "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "fo4 not PUBLISHING on relay1");

  from = wcs_test_bus_log_len (pub->log);
  wcs_test_relay_signal (relay1, SIGKILL);
  wcs_test_relay_free (relay1);
  assert_failed_over (pub, from, url1, url2);
  fail_unless (wcs_test_relay_wait_stream (relay2, "fo4", "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "fo4 not republished on relay2");

  /* the primary back: no move while relay2 works */
  relay1 = relay_start (port1);
  from = wcs_test_bus_log_len (pub->log);
  wcs_test_iterate (NULL, 2000);
  fail_unless (wcs_test_bus_log_find (pub->log, from, GST_MESSAGE_ELEMENT,
          "wcs-restore", NULL, NULL, NULL) < 0, "restored while relay2 works");
  assert_stats_server (pub, url2, 1);

  /* next outage: back to the primary at once */
  wcs_test_relay_signal (relay2, SIGKILL);
  restored = wcs_test_bus_log_wait (pub->log, g_main_context_default (), from,
      GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "restored",
      RESTORE_WAIT_MS, NULL);
  fail_unless (restored >= 0, "not restored after relay2 died");
  att = wcs_test_bus_log_find (pub->log, from, GST_MESSAGE_ELEMENT,
      "wcs-restore", "phase", "attempt", NULL);
  fail_unless (att >= 0 && att < restored);
  s = wcs_test_bus_log_structure (pub->log, att);
  fail_unless_equals_string (gst_structure_get_string (s, "server"), url1);
  gst_structure_free (s);
  s = wcs_test_bus_log_structure (pub->log, restored);
  fail_unless_equals_string (gst_structure_get_string (s, "server"), url1);
  fail_unless (gst_structure_get_uint (s, "server-index", &index));
  fail_unless_equals_int (index, 0);
  gst_structure_free (s);
  /* no attempt went to relay2 ("scheduled" names the last server tried,
   * relay2, until the first attempt) */
  while (att >= 0 && att < restored) {
    gchar *srv = msg_string (pub, att, "server");

    fail_unless_equals_string (srv, url1);
    g_free (srv);
    att = wcs_test_bus_log_find (pub->log, att + 1, GST_MESSAGE_ELEMENT,
        "wcs-restore", "phase", "attempt", NULL);
  }
  fail_unless (wcs_test_relay_wait_stream (relay1, "fo4", "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "fo4 not republished on relay1");
  assert_stats_server (pub, url1, 0);
  wcs_test_bus_log_assert_no_error (pub->log);

  pipe_free (pub);
  wcs_test_relay_free (relay1);
  wcs_test_relay_free (relay2);
  g_free (url1);
  g_free (url2);
}

GST_END_TEST;

/* Every server down: the restore budget (restore-max-tries) bounds the
 * whole outage across servers, then ERROR naming the servers tried. The
 * publisher loses both while publishing; the player starts with both
 * down. */
GST_START_TEST (test_all_servers_down)
{
  WcsTestRelay *relay1 = relay_start (0), *relay2 = relay_start (0);
  gchar *url1 = g_strdup (relay1->url), *url2 = g_strdup (relay2->url);
  /* the relays are gone before the player starts: our own copies */
  const gchar *backups[] = { url2, NULL };
  const gchar *props = "restore-max-tries=6 failover-tries=2";
  Pipe *pipes[2];
  guint i, from;

  pipes[0] = pipe_new (FALSE, url1, backups, "fo2", props);
  pipe_play (pipes[0]);
  fail_unless (wcs_test_relay_wait_stream (relay1, "fo2", "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "fo2 not PUBLISHING on relay1");
  from = wcs_test_bus_log_len (pipes[0]->log);
  wcs_test_relay_free (relay1);
  wcs_test_relay_free (relay2);

  pipes[1] = pipe_new (TRUE, url1, backups, "fo2", props);
  pipe_play (pipes[1]);

  for (i = 0; i < 2; i++) {
    Pipe *p = pipes[i];
    guint f = i == 0 ? from : 0;
    gint gave_up, err_idx;
    GError *err = NULL;
    gchar *dbg = NULL;

    gave_up = wcs_test_bus_log_wait (p->log, g_main_context_default (), f,
        GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "gave-up",
        RESTORE_WAIT_MS, NULL);
    fail_unless (gave_up >= 0, "%s did not give up", GST_OBJECT_NAME (p->el));
    fail_unless_equals_int (wcs_test_bus_log_count (p->log, f,
            GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "attempt"), 6);
    /* attempts on both servers */
    fail_unless (wcs_test_bus_log_count (p->log, f, GST_MESSAGE_ELEMENT,
            "wcs-restore", "server", url1) >= 2);
    fail_unless (wcs_test_bus_log_count (p->log, f, GST_MESSAGE_ELEMENT,
            "wcs-restore", "server", url2) >= 2);
    err_idx = wcs_test_bus_log_wait (p->log, g_main_context_default (), f,
        GST_MESSAGE_ERROR, NULL, NULL, NULL, 5000, NULL);
    fail_unless (err_idx >= 0, "%s: no ERROR", GST_OBJECT_NAME (p->el));
    fail_unless (wcs_test_bus_log_first_error (p->log, &err, &dbg) >= 0);
    fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_OPEN_READ_WRITE), "%s", err->message);
    fail_unless (strstr (err->message, "servers tried") != NULL &&
        strstr (err->message, url1) != NULL &&
        strstr (err->message, url2) != NULL,
        "the ERROR does not name the servers: %s", err->message);
    GST_INFO ("%s: %s", GST_OBJECT_NAME (p->el), err->message);
    g_clear_error (&err);
    g_free (dbg);
    pipe_free (p);
  }
  g_free (url1);
  g_free (url2);
}

GST_END_TEST;

/* A malformed backup URL fails READY->PAUSED with RESOURCE / SETTINGS
 * naming backup-locations (credentials masked); nothing connects, the
 * property keeps its value. */
GST_START_TEST (test_bad_backup_location)
{
  static const gchar *const bad[][3] = {
    {"http://127.0.0.1:9", NULL},
    {"ws://127.0.0.1:9", "ws://", NULL},
    {"garbage", NULL},
    {"wss://user:secret@", NULL},
  };
  guint i, k;

  for (k = 0; k < 2; k++) {
    for (i = 0; i < G_N_ELEMENTS (bad); i++) {
      Pipe *p = pipe_new (k == 1, "ws://127.0.0.1:9", bad[i], "fo3", NULL);
      GError *err = NULL;
      GValue arr = G_VALUE_INIT;

      fail_unless_equals_int (gst_element_set_state (p->pipeline,
              GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
      fail_unless (wcs_test_bus_log_first_error (p->log, &err, NULL) >= 0);
      fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
              GST_RESOURCE_ERROR_SETTINGS), "%s", err->message);
      fail_unless (strstr (err->message, "backup-locations") != NULL,
          "'%s' does not name backup-locations", err->message);
      fail_if (strstr (err->message, "secret") != NULL, "'%s'",
          err->message);
      g_clear_error (&err);
      fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
              "wcs-session-status", NULL, NULL, NULL) < 0);
      g_value_init (&arr, GST_TYPE_ARRAY);
      g_object_get_property (G_OBJECT (p->el), "backup-locations", &arr);
      fail_unless_equals_int (gst_value_array_get_size (&arr),
          g_strv_length ((gchar **) bad[i]));
      g_value_unset (&arr);
      pipe_free (p);
    }
  }
}

GST_END_TEST;

static Suite *
failover_suite (void)
{
  Suite *s = suite_create ("failover");
  TCase *tc = tcase_create ("failover");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_bad_backup_location);
  tcase_add_test (tc, test_failover_and_stay);
  tcase_add_test (tc, test_failback);
  tcase_add_test (tc, test_all_servers_down);
  return s;
}

WCS_CHECK_MAIN (failover);
