/* gst-wcs: restore-gap benchmark (run by hand, see tests/bench/README.md)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   restore-gap [--runs 10] [--props "extra element properties"]
 *               [--restart-delay MS] [--verbose] [--relay-verbose]
 *               [--relay PATH] [--scenario relay|drop|publisher] [--away MS]
 *               [--player-props "extra wcsplaysrc properties"]
 *               [--relay-latency MS]
 *
 * Starts a wcs-relay (WCS_RELAY or --relay) on a free port, a wcspublishsink
 * (videotestsrc 320x240@30, live) and a wcsplaysrc (decoding) in this
 * process, both with DEFAULT properties (plus --props, applied to both).
 * Each run: wait until video flows steadily, SIGKILL the relay, restart it
 * on the same port at once (or after --restart-delay ms), and measure on
 * the player's video pad the gap between the last frame before the kill
 * and the first frame after it. Also prints when each element posted
 * wcs-restore restored (and its downtime-ms), and how many attempts each
 * needed. Summary: median / min / max of the gap.
 *
 * --scenario drop: the relay stays up and warm; each run cuts both
 * elements' WebSocket connections (the relay's /rest-api/faults/drop, no
 * close frame: code 1006, as a lost connection) instead of the kill.
 *
 * --scenario publisher: the relay stays; each run stops the publisher
 * (NULL: it unpublishes, the player waits for it), keeps it away --away ms
 * (default 2000), then starts it again, and measures besides the gap how
 * long after the publisher's PUBLISHING the player shows its first frame.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

#include "wcstestutil.h"

typedef struct
{
  GMutex lock;
  gint64 last_frame;            /* monotonic us */
  guint64 frames;
  gint64 max_gap;               /* longest inter-frame interval, us */
  /* per element: restored time, downtime, attempts */
  gint64 restored[2];
  guint64 downtime[2];
  guint attempts[2];
  gint64 first_attempt[2];
  gint64 pub_publishing;        /* publisher scenario: PUBLISHING again */
  gint64 first_after;           /* first player frame after that */
} State;

static State st;
static gboolean verbose, relay_verbose;
static const gchar *relay_v_args[] = { "-v", NULL };
static gint64 t_zero;

static GstPadProbeReturn
frame_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&st.lock);
  st.frames++;
  if (st.pub_publishing && !st.first_after)
    st.first_after = now;
  if (st.last_frame && now - st.last_frame > st.max_gap)
    st.max_gap = now - st.last_frame;
  st.last_frame = now;
  g_mutex_unlock (&st.lock);
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * src, GstPad * pad, GstElement * pipeline)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstPad *sinkpad;

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  if (g_str_equal (GST_PAD_NAME (pad), "video"))
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, frame_probe, NULL,
        NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static GstBusSyncReply
bus_sync (GstBus * bus, GstMessage * msg, gpointer data)
{
  gint which = GPOINTER_TO_INT (data);
  const GstStructure *s = gst_message_get_structure (msg);

  if (verbose && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && s &&
      g_str_has_prefix (gst_structure_get_name (s), "wcs-")) {
    gchar *str = gst_structure_to_string (s);

    g_print ("  %+7.0f ms %s: %s\n", (g_get_monotonic_time () - t_zero) /
        1000.0, which ? "play" : "pub ", str);
    g_free (str);
  }
  if (which == 0 && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && s &&
      gst_structure_has_name (s, "wcs-stream-status") &&
      g_strcmp0 (gst_structure_get_string (s, "status"), "PUBLISHING") == 0) {
    g_mutex_lock (&st.lock);
    if (!st.pub_publishing)
      st.pub_publishing = g_get_monotonic_time ();
    g_mutex_unlock (&st.lock);
  }
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && s &&
      gst_structure_has_name (s, "wcs-restore")) {
    const gchar *phase = gst_structure_get_string (s, "phase");
    guint attempt = 0;

    gst_structure_get_uint (s, "attempt", &attempt);
    g_mutex_lock (&st.lock);
    if (g_strcmp0 (phase, "restored") == 0) {
      st.restored[which] = g_get_monotonic_time ();
      gst_structure_get_uint64 (s, "downtime-ms", &st.downtime[which]);
      st.attempts[which] = attempt;
    } else if (g_strcmp0 (phase, "attempt") == 0 && attempt == 1) {
      st.first_attempt[which] = g_get_monotonic_time ();
    }
    g_mutex_unlock (&st.lock);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    g_printerr ("ERROR from %s: %s\n", which ? "player" : "publisher",
        err->message);
    g_clear_error (&err);
  }
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

static GstElement *
launch (const gchar * desc, gint which)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstBus *bus;

  if (!p) {
    g_printerr ("cannot create %s: %s\n", desc, err->message);
    exit (1);
  }
  if (!GST_IS_PIPELINE (p)) {
    GstElement *pipe = gst_pipeline_new (NULL);

    gst_bin_add (GST_BIN (pipe), p);
    p = pipe;
  }
  bus = gst_pipeline_get_bus (GST_PIPELINE (p));
  gst_bus_set_sync_handler (bus, bus_sync, GINT_TO_POINTER (which), NULL);
  gst_object_unref (bus);
  return p;
}

static guint64
frames_now (void)
{
  guint64 n;

  g_mutex_lock (&st.lock);
  n = st.frames;
  g_mutex_unlock (&st.lock);
  return n;
}

/* bounded: until @n more frames arrived */
static gboolean
wait_frames (guint64 n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  guint64 start = frames_now ();

  while (frames_now () < start + n) {
    if (g_get_monotonic_time () > deadline)
      return FALSE;
    wcs_test_iterate (NULL, 5);
  }
  return TRUE;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

/* sorts @v and prints median, p90 (nearest rank), min, max */
static void
print_summary (const gchar * what, gdouble * v, gint n)
{
  gint p90;

  if (n <= 0)
    return;
  qsort (v, n, sizeof (gdouble), (GCompareFunc) cmp_double);
  p90 = (gint) (0.9 * n + 0.999) - 1;
  g_print ("%s over %d runs: median %.0f ms, p90 %.0f ms, min %.0f ms, "
      "max %.0f ms\n", what, n, n % 2 ? v[n / 2] : (v[n / 2 - 1] +
          v[n / 2]) / 2, v[CLAMP (p90, 0, n - 1)], v[0], v[n - 1]);
}

/* publisher scenario, one run: stop the publisher, keep it away, start it
 * again; TRUE when the player showed it again (bounded) */
static gboolean
publisher_cycle (GstElement * pub, gint away_ms, gint64 * stopped)
{
  gint64 deadline;

  g_mutex_lock (&st.lock);
  st.pub_publishing = 0;
  st.first_after = 0;
  g_mutex_unlock (&st.lock);
  gst_element_set_state (pub, GST_STATE_NULL);
  *stopped = t_zero = g_get_monotonic_time ();
  wcs_test_iterate (NULL, away_ms);
  gst_element_set_state (pub, GST_STATE_PLAYING);

  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline) {
    gboolean seen;

    g_mutex_lock (&st.lock);
    seen = st.first_after != 0;
    g_mutex_unlock (&st.lock);
    if (seen)
      return TRUE;
    wcs_test_iterate (NULL, 5);
  }
  return FALSE;
}

int
main (int argc, char **argv)
{
  gint runs = 10, restart_delay = 0, away = 2000, relay_latency = -1;
  gchar *props = NULL, *relay_path = NULL, *scenario = NULL;
  gchar *player_props = NULL;
  GOptionEntry entries[] = {
    {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "Kill/restart cycles", "N"},
    {"props", 0, 0, G_OPTION_ARG_STRING, &props,
        "Extra properties for both elements", "PROPS"},
    {"restart-delay", 0, 0, G_OPTION_ARG_INT, &restart_delay,
        "Wait this long before restarting the relay", "MS"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
        "Print every wcs-* bus message with its time after the kill", NULL},
    {"relay-verbose", 0, 0, G_OPTION_ARG_NONE, &relay_verbose,
        "Run the relay with -v (its INFO lines on stderr)", NULL},
    {"relay", 0, 0, G_OPTION_ARG_FILENAME, &relay_path, "wcs-relay binary",
        "PATH"},
    {"relay-latency", 0, 0, G_OPTION_ARG_INT, &relay_latency,
        "The relay's jitter buffer (its --latency; default: the relay's)",
        "MS"},
    {"player-props", 0, 0, G_OPTION_ARG_STRING, &player_props,
        "Extra properties for the player only (e.g. latency=50)", "PROPS"},
    {"scenario", 0, 0, G_OPTION_ARG_STRING, &scenario,
        "relay (killed and restarted, default), drop (sessions cut, the "
          "relay kept) or publisher (stopped and started again)", "NAME"},
    {"away", 0, 0, G_OPTION_ARG_INT, &away,
        "publisher scenario: how long the publisher stays away", "MS"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- restore gap benchmark");
  GError *err = NULL;
  WcsTestRelay *relay;
  GstElement *pub, *play, *src;
  gchar *desc;
  gdouble *gaps, *shows;
  gboolean pub_scenario, drop_scenario;
  const gchar *relay_args[4] = { NULL };
  gchar *latency_arg = NULL;
  gint i, ok = 0;
  guint port;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (relay_path)
    g_setenv ("WCS_RELAY", relay_path, TRUE);
  if (!g_getenv ("WCS_RELAY")) {
    g_printerr ("set WCS_RELAY or --relay\n");
    return 2;
  }
  g_mutex_init (&st.lock);
  pub_scenario = g_strcmp0 (scenario, "publisher") == 0;
  drop_scenario = g_strcmp0 (scenario, "drop") == 0;
  if (scenario && !pub_scenario && !drop_scenario
      && g_strcmp0 (scenario, "relay") != 0) {
    g_printerr ("unknown scenario %s (relay, drop, publisher)\n", scenario);
    return 2;
  }

  i = 0;
  if (relay_verbose)
    relay_args[i++] = relay_v_args[0];
  if (drop_scenario)
    relay_args[i++] = "--faults";
  if (relay_latency >= 0)
    relay_args[i++] = latency_arg =
        g_strdup_printf ("--latency=%d", relay_latency);
  relay = wcs_test_relay_start (0, relay_args);
  if (!relay)
    return 1;
  port = relay->port;

  desc = g_strdup_printf ("videotestsrc is-live=true pattern=ball "
      "! video/x-raw,width=320,height=240,framerate=30/1 "
      "! wcspublishsink location=%s stream-name=gap %s", relay->url,
      props ? props : "");
  pub = launch (desc, 0);
  g_free (desc);
  desc = g_strdup_printf ("wcsplaysrc name=src location=%s stream-name=gap "
      "%s %s", relay->url, props ? props : "",
      player_props ? player_props : "");
  play = launch (desc, 1);
  g_free (desc);
  src = gst_bin_get_by_name (GST_BIN (play), "src");
  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad_added), play);

  gst_element_set_state (pub, GST_STATE_PLAYING);
  if (!wcs_test_relay_wait_stream (relay, "gap", "PUBLISHING", NULL, 30000)) {
    g_printerr ("not publishing\n");
    return 1;
  }
  gst_element_set_state (play, GST_STATE_PLAYING);

  gaps = g_new0 (gdouble, runs);
  shows = g_new0 (gdouble, runs);
  if (pub_scenario)
    g_print ("run  gap-ms  pub-publishing-ms  player-frame-ms  "
        "frame-after-publishing-ms  play-attempts\n");
  else
    g_print ("run  gap-ms  relay-up-ms  pub-restored-ms(attempts)  "
        "play-restored-ms(attempts)  pub-downtime  play-downtime\n");
  for (i = 0; i < runs && pub_scenario; i++) {
    gint64 stopped;

    if (!wait_frames (90, 60000)) {
      g_printerr ("run %d: no steady video\n", i + 1);
      break;
    }
    g_mutex_lock (&st.lock);
    memset (st.restored, 0, sizeof (st.restored));
    st.max_gap = 0;
    g_mutex_unlock (&st.lock);
    if (!publisher_cycle (pub, away, &stopped)) {
      g_printerr ("run %d: the player did not show the publisher again\n",
          i + 1);
      break;
    }
    if (!wait_frames (10, 60000)) {
      g_printerr ("run %d: no video after the publisher came back\n", i + 1);
      break;
    }
    g_mutex_lock (&st.lock);
    gaps[ok] = st.max_gap / 1000.0;
    shows[ok] = (st.first_after - st.pub_publishing) / 1000.0;
    g_print ("%3d  %6.0f  %17.0f  %15.0f  %25.0f  %13u\n", i + 1, gaps[ok],
        (st.pub_publishing - stopped) / 1000.0,
        (st.first_after - stopped) / 1000.0, shows[ok], st.attempts[1]);
    g_mutex_unlock (&st.lock);
    ok++;
  }
  for (i = 0; i < runs && !pub_scenario; i++) {
    gint64 killed, relay_up;

    /* steady state: 3 s of video */
    if (!wait_frames (90, 60000)) {
      g_printerr ("run %d: no steady video\n", i + 1);
      break;
    }
    g_mutex_lock (&st.lock);
    memset (st.restored, 0, sizeof (st.restored));
    memset (st.first_attempt, 0, sizeof (st.first_attempt));
    g_mutex_unlock (&st.lock);

    /* the longest interval between two frames from now on spans the
     * outage: last frame before the kill -> first frame after it */
    g_mutex_lock (&st.lock);
    st.max_gap = 0;
    g_mutex_unlock (&st.lock);
    if (drop_scenario) {
      JsonNode *reply;

      killed = g_get_monotonic_time ();
      t_zero = killed;
      reply = wcs_test_relay_rest (relay, "rest-api/faults/drop",
          "{\"all\":true}", &err);
      if (!reply) {
        g_printerr ("run %d: drop failed: %s\n", i + 1,
            err ? err->message : "?");
        g_clear_error (&err);
        break;
      }
      json_node_unref (reply);
      relay_up = killed;
    } else {
      wcs_test_relay_signal (relay, SIGKILL);
      killed = g_get_monotonic_time ();
      t_zero = killed;
      wcs_test_relay_free (relay);
      if (restart_delay > 0)
        wcs_test_iterate (NULL, restart_delay);
      relay = wcs_test_relay_start (port, relay_args);
      if (!relay) {
        g_printerr ("run %d: relay did not restart\n", i + 1);
        break;
      }
      relay_up = g_get_monotonic_time ();
    }

    /* wait until both report restored (bounded) to print the breakdown */
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

      while (g_get_monotonic_time () < deadline) {
        gboolean both;

        g_mutex_lock (&st.lock);
        both = st.restored[0] && st.restored[1];
        g_mutex_unlock (&st.lock);
        if (both && st.last_frame > MAX (st.restored[0], st.restored[1]))
          break;
        wcs_test_iterate (NULL, 10);
      }
    }
    if (!wait_frames (10, 60000)) {
      g_printerr ("run %d: no video after the restart\n", i + 1);
      break;
    }
    g_mutex_lock (&st.lock);
    gaps[ok] = st.max_gap / 1000.0;
    g_print ("%3d  %6.0f  %11.0f  %16.0f(%u)  %19.0f(%u)  %12" G_GUINT64_FORMAT
        "  %13" G_GUINT64_FORMAT "\n", i + 1, gaps[ok],
        (relay_up - killed) / 1000.0,
        st.restored[0] ? (st.restored[0] - killed) / 1000.0 : -1.0,
        st.attempts[0],
        st.restored[1] ? (st.restored[1] - killed) / 1000.0 : -1.0,
        st.attempts[1], st.downtime[0], st.downtime[1]);
    g_mutex_unlock (&st.lock);
    ok++;
  }

  print_summary ("gap", gaps, ok);
  if (pub_scenario)
    print_summary ("frame after PUBLISHING", shows, ok);

  gst_element_set_state (play, GST_STATE_NULL);
  gst_element_set_state (pub, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (play);
  gst_object_unref (pub);
  wcs_test_relay_free (relay);
  g_free (gaps);
  g_free (shows);
  g_free (scenario);
  g_free (props);
  g_free (player_props);
  g_free (latency_arg);
  g_free (relay_path);
  return ok == runs ? 0 : 1;
}
