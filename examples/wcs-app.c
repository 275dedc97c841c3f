/* gst-wcs: example application (wcs-app)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An application that publishes (or plays) a WCS stream and reacts to the
 * elements' bus messages.
 *
 *   wcs-app publish ws://127.0.0.1:8080 cam1     # videotestsrc + audiotestsrc
 *   wcs-app play    ws://127.0.0.1:8080 cam1     # to fakesinks, counts frames
 *
 * Run with GST_PLUGIN_PATH=build/plugin. Ctrl-C stops cleanly: the publisher
 * gets EOS (it unpublishes, then EOS reaches the bus), the player is set to
 * NULL (it sends stopStream).
 */
#include <glib-unix.h>
#include <gst/gst.h>

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  GstElement *wcs;              /* wcspublishsink / wcsplaysrc */
  gboolean publishing;
  gboolean stopping;
  gint exit_code;
} App;

static void
print_stats (App * app)
{
  GstStructure *stats = NULL;
  gchar *codec = NULL, *text;

  g_object_get (app->wcs, "stats", &stats, "codec", &codec, NULL);
  text = stats ? gst_structure_to_string (stats) : g_strdup ("(none)");
  g_print ("[stats] codec %s, %s\n", codec ? codec : "-", text);
  g_free (text);
  g_free (codec);
  if (stats)
    gst_structure_free (stats);
}

static gboolean
stats_tick (gpointer data)
{
  print_stats (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
force_quit (gpointer data)
{
  App *app = data;

  g_printerr ("no EOS in time, quitting\n");
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_sigint (gpointer data)
{
  App *app = data;

  if (app->stopping) {
    g_main_loop_quit (app->loop);
    return G_SOURCE_CONTINUE;
  }
  app->stopping = TRUE;
  if (app->publishing) {
    /* EOS: the sink unpublishes (bounded wait), closes, then posts EOS */
    g_print ("stopping: sending EOS\n");
    gst_element_send_event (app->pipeline, gst_event_new_eos ());
    g_timeout_add_seconds (5, force_quit, app);
  } else {
    g_main_loop_quit (app->loop);
  }
  return G_SOURCE_CONTINUE;
}

static void
on_wcs_message (App * app, const GstStructure * s)
{
  if (gst_structure_has_name (s, "wcs-session-status")) {
    const gchar *reason = gst_structure_get_string (s, "reason");
    /* the server in use: location or one of backup-locations */
    const gchar *server = gst_structure_get_string (s, "server");

    g_print ("[session] %s %s%s%s\n", gst_structure_get_string (s, "status"),
        server ? server : gst_structure_get_string (s, "location"),
        reason ? ": " : "", reason ? reason : "");
  } else if (gst_structure_has_name (s, "wcs-stream-status")) {
    const gchar *status = gst_structure_get_string (s, "status");
    const gchar *info = gst_structure_get_string (s, "info");
    const gchar *codec = gst_structure_get_string (s, "codec");

    g_print ("[stream] %s %s%s%s%s%s%s\n", gst_structure_get_string (s,
            "stream-name"), status, info ? " (" : "", info ? info : "",
        info ? ")" : "", codec ? ", codec " : "", codec ? codec : "");
  } else if (gst_structure_has_name (s, "wcs-restore")) {
    const gchar *phase = gst_structure_get_string (s, "phase");
    guint attempt = 0, max_tries = 0, delay = 0;
    guint64 downtime = 0;

    gst_structure_get_uint (s, "attempt", &attempt);
    gst_structure_get_uint (s, "max-tries", &max_tries);
    if (g_str_equal (phase, "scheduled")) {
      gst_structure_get_uint (s, "delay-ms", &delay);
      g_print ("[restore] attempt %u/%u in %u ms (%s)\n", attempt, max_tries,
          delay, gst_structure_get_string (s, "reason"));
    } else if (g_str_equal (phase, "restored")) {
      gst_structure_get_uint64 (s, "downtime-ms", &downtime);
      g_print ("[restore] restored after %u attempt(s), %" G_GUINT64_FORMAT
          " ms down\n", attempt, downtime);
    } else {
      g_print ("[restore] %s %u/%u (%s)\n", phase, attempt, max_tries,
          gst_structure_get_string (s, "reason"));
    }
  } else if (gst_structure_has_name (s, "wcs-publish-failure")) {
    guint zeros = 0;

    gst_structure_get_uint (s, "zero-readings", &zeros);
    g_print ("[bitrate] nothing sent for %u checks with %s: republishing\n",
        zeros, gst_structure_get_string (s, "codec"));
  } else if (gst_structure_has_name (s, "wcs-codec-fallback")) {
    g_print ("[codec] falling back from %s to %s\n",
        gst_structure_get_string (s, "from"),
        gst_structure_get_string (s, "to"));
  } else if (gst_structure_has_name (s, "wcs-network-changed")) {
    gboolean available = FALSE;

    gst_structure_get_boolean (s, "available", &available);
    g_print ("[network] changed, %savailable\n", available ? "" : "not ");
  }
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  App *app = data;
  GError *err = NULL;
  gchar *dbg = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:
      if (GST_MESSAGE_SRC (msg) == GST_OBJECT (app->wcs))
        on_wcs_message (app, gst_message_get_structure (msg));
      break;
    case GST_MESSAGE_WARNING:
      /* the start of an outage: the element restores by itself */
      gst_message_parse_warning (msg, &err, &dbg);
      g_printerr ("[warning] %s\n", err->message);
      break;
    case GST_MESSAGE_ERROR:
      /* a permanent refusal, bad settings or restore gave up */
      gst_message_parse_error (msg, &err, &dbg);
      g_printerr ("[error] %s (%s)\n", err->message, dbg ? dbg : "");
      app->exit_code = 1;
      g_main_loop_quit (app->loop);
      break;
    case GST_MESSAGE_EOS:
      g_print ("EOS: unpublished and closed\n");
      g_main_loop_quit (app->loop);
      break;
    default:
      break;
  }
  g_clear_error (&err);
  g_free (dbg);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  App app = { 0, };
  GError *err = NULL;
  gchar *desc;
  GstBus *bus;
  guint bus_watch;

  gst_init (&argc, &argv);
  if (argc < 4 || (!g_str_equal (argv[1], "publish") &&
          !g_str_equal (argv[1], "play"))) {
    g_printerr ("usage: %s publish|play LOCATION STREAM-NAME "
        "[element properties...]\n", argv[0]);
    return 2;
  }
  app.publishing = g_str_equal (argv[1], "publish");

  {
    gchar *extra = argc > 4 ? g_strjoinv (" ", argv + 4) : g_strdup ("");

    if (app.publishing)
      desc = g_strdup_printf ("wcspublishsink name=wcs location=%s "
          "stream-name=%s %s videotestsrc is-live=true pattern=ball ! "
          "video/x-raw,width=640,height=360,framerate=30/1 ! wcs.video "
          "audiotestsrc is-live=true wave=ticks ! wcs.audio", argv[2],
          argv[3], extra);
    else
      desc = g_strdup_printf ("wcsplaysrc name=wcs location=%s "
          "stream-name=%s %s wcs.video ! queue ! fakesink "
          "wcs.audio ! queue ! fakesink", argv[2], argv[3], extra);
    g_free (extra);
  }
  app.pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  if (!app.pipeline || err) {
    g_printerr ("pipeline: %s\n", err ? err->message : "?");
    return 2;
  }
  app.wcs = gst_bin_get_by_name (GST_BIN (app.pipeline), "wcs");
  app.loop = g_main_loop_new (NULL, FALSE);

  bus = gst_element_get_bus (app.pipeline);
  bus_watch = gst_bus_add_watch (bus, on_bus, &app);
  gst_object_unref (bus);
  g_unix_signal_add (SIGINT, on_sigint, &app);
  g_timeout_add_seconds (5, stats_tick, &app);

  if (gst_element_set_state (app.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* bad settings: the ERROR on the bus names the property */
    GstMessage *msg = gst_bus_pop_filtered (GST_ELEMENT_BUS (app.pipeline),
        GST_MESSAGE_ERROR);

    if (msg) {
      gst_message_parse_error (msg, &err, NULL);
      g_printerr ("[error] %s\n", err->message);
      g_clear_error (&err);
      gst_message_unref (msg);
    }
    app.exit_code = 1;
  } else {
    g_main_loop_run (app.loop);
  }

  print_stats (&app);
  gst_element_set_state (app.pipeline, GST_STATE_NULL);
  g_source_remove (bus_watch);
  gst_object_unref (app.wcs);
  gst_object_unref (app.pipeline);
  g_main_loop_unref (app.loop);
  return app.exit_code;
}
