/* gst-wcs: one process of the fault campaign (tests/chaos/README.md)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   chaos-peer publisher|player LOCATION STREAM [PROP=VALUE]...
 *
 * Runs one pipeline and reports everything the campaign driver (chaos.py)
 * checks as one JSON object per line on stdout, each with "t", the
 * CLOCK_MONOTONIC time in ms (the same clock in every process):
 *
 *   publisher: videotestsrc is-live ! wcspublishsink name=wcs PROPS
 *              audiotestsrc is-live ! wcs.audio
 *              (the encoders end in a valve named stall-*: encoder stalls)
 *   player:    wcsplaysrc name=wcs PROPS, each pad into a fakesink, with a
 *              probe on the pad (buffers, PTS order, EOS, GAP)
 *
 * Events ("ev"): ready, msg (bus ELEMENT messages of the wcs element, with
 * their fields), warning, error, eos, pad-added, pad-removed, pad-eos,
 * pts-back, video-resume / video-stall (first buffer after >= 400 ms without
 * one / none for 400 ms), tick (every 250 ms: frames, last PTS; every 4th
 * also fds, threads, rss-kb, webrtcbin instances alive and inside the
 * element, the element's stats), log (a GLib CRITICAL or WARNING), cmd (the
 * answer to a command), exit.
 *
 * Commands on stdin, one per line: PLAYING, PAUSED, READY, NULL (state of
 * the pipeline), EOS (publisher: EOS from both sources), STALL 1 / STALL 0
 * (publisher: the encoder output is dropped / passed), QUIT (NULL, exit 0).
 * EOF on stdin is QUIT.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#define TICK_MS 250
#define STALL_MS 400

static const gchar *H264_ENC = "x264enc tune=zerolatency "
    "speed-preset=ultrafast key-int-max=30 "
    "! capsfilter caps=video/x-h264,profile=constrained-baseline "
    "! valve name=stall-h264 drop=false";
static const gchar *VP8_ENC = "vp8enc deadline=1 keyframe-max-dist=30 "
    "cpu-used=8 end-usage=cbr lag-in-frames=0 error-resilient=partitions "
    "! valve name=stall-vp8 drop=false";

static GMutex out_lock;
static GstElement *pipeline, *wcs;
static gboolean is_player;
static GMainLoop *loop;

/* counters, under lock */
static GMutex lock;
static guint64 vframes_total, vframes_tick;
static gint64 last_vbuf_us;     /* monotonic */
static gboolean video_flowing;
static GstClockTime last_pts[2] = { GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE };
static guint run_id;            /* PTS order is per run (reset below READY) */
static gboolean stalled;
static GPtrArray *valves;       /* GWeakRef* */
static gint wb_live;            /* atomic */
static guint tick_n;
static gint going_down;          /* atomic: the application stops it */

/* ------------------------------------------------------------------ */
/* output                                                              */

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* prints @b's object (finished here) as one line */
static void
emit (JsonBuilder * b)
{
  JsonGenerator *gen = json_generator_new ();
  JsonNode *root;
  gchar *line;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  line = json_generator_to_data (gen, NULL);
  g_mutex_lock (&out_lock);
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  g_mutex_unlock (&out_lock);
  g_free (line);
  json_node_unref (root);
  g_object_unref (gen);
  g_object_unref (b);
}

static JsonBuilder *
ev_begin (const gchar * ev)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "t");
  json_builder_add_int_value (b, now_ms ());
  json_builder_set_member_name (b, "ev");
  json_builder_add_string_value (b, ev);
  return b;
}

static void
add_str (JsonBuilder * b, const gchar * k, const gchar * v)
{
  json_builder_set_member_name (b, k);
  if (v)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder * b, const gchar * k, gint64 v)
{
  json_builder_set_member_name (b, k);
  json_builder_add_int_value (b, v);
}

static gboolean
add_field (GQuark field, const GValue * v, gpointer data)
{
  JsonBuilder *b = data;

  json_builder_set_member_name (b, g_quark_to_string (field));
  if (G_VALUE_HOLDS_STRING (v))
    json_builder_add_string_value (b, g_value_get_string (v));
  else if (G_VALUE_HOLDS_UINT (v))
    json_builder_add_int_value (b, g_value_get_uint (v));
  else if (G_VALUE_HOLDS_INT (v))
    json_builder_add_int_value (b, g_value_get_int (v));
  else if (G_VALUE_HOLDS_UINT64 (v))
    json_builder_add_int_value (b, (gint64) g_value_get_uint64 (v));
  else if (G_VALUE_HOLDS_INT64 (v))
    json_builder_add_int_value (b, g_value_get_int64 (v));
  else if (G_VALUE_HOLDS_BOOLEAN (v))
    json_builder_add_boolean_value (b, g_value_get_boolean (v));
  else {
    gchar *s = gst_value_serialize (v);
    json_builder_add_string_value (b, s ? s : "?");
    g_free (s);
  }
  return TRUE;
}

/* GLib CRITICALs and WARNINGs become events (and still go to stderr) */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField * fields, gsize n_fields,
    gpointer data)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING |
          G_LOG_LEVEL_ERROR)) {
    const gchar *domain = NULL, *message = NULL;
    JsonBuilder *b;
    gsize i;

    for (i = 0; i < n_fields; i++) {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
    b = ev_begin ("log");
    add_str (b, "level", (level & G_LOG_LEVEL_CRITICAL) ? "critical" :
        (level & G_LOG_LEVEL_ERROR) ? "error" : "warning");
    add_str (b, "domain", domain);
    add_str (b, "text", message);
    emit (b);
  }
  return g_log_writer_default (level, fields, n_fields, data);
}

/* ------------------------------------------------------------------ */
/* process resources                                                   */

static guint
count_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  guint n = 0;

  if (!d)
    return 0;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir (d);
  return n > 0 ? n - 1 : 0;     /* minus the DIR's own fd */
}

static void
read_status (guint * threads, guint * rss_kb)
{
  gchar *text = NULL, **lines, **l;

  *threads = *rss_kb = 0;
  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (l = lines; *l; l++) {
    if (g_str_has_prefix (*l, "Threads:"))
      *threads = (guint) g_ascii_strtoull (*l + 8, NULL, 10);
    else if (g_str_has_prefix (*l, "VmRSS:"))
      *rss_kb = (guint) g_ascii_strtoull (*l + 6, NULL, 10);
  }
  g_strfreev (lines);
  g_free (text);
}

static guint
count_webrtcbin_inside (void)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (wcs));
  GValue v = G_VALUE_INIT;
  gboolean done = FALSE;
  guint n = 0;

  while (!done) {
    switch (gst_iterator_next (it, &v)) {
      case GST_ITERATOR_OK:
        if (g_str_equal (G_OBJECT_TYPE_NAME (g_value_get_object (&v)),
                "GstWebRTCBin"))
          n++;
        g_value_reset (&v);
        break;
      case GST_ITERATOR_RESYNC:
        gst_iterator_resync (it);
        n = 0;
        break;
      default:
        done = TRUE;
        break;
    }
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  return n;
}

/* ------------------------------------------------------------------ */
/* webrtcbin instances and encoder valves, wherever they are created    */

static void
webrtcbin_finalized (gpointer data, GObject * where)
{
  g_atomic_int_add (&wb_live, -1);
}

/* A tracer hook sees every element made by a factory, also those inside
 * pipelines the element keeps to itself (wcsplaysrc's WebRTC pipeline):
 * every webrtcbin ever created is counted until it is finalized. */
typedef GstTracer ChaosTracer;
typedef GstTracerClass ChaosTracerClass;
static GType chaos_tracer_get_type (void);
G_DEFINE_TYPE (ChaosTracer, chaos_tracer, GST_TYPE_TRACER);

static void
chaos_tracer_class_init (ChaosTracerClass * klass)
{
}

static void
chaos_tracer_init (ChaosTracer * self)
{
}

static void
on_element_new (GObject * tracer, GstClockTime ts, GstElement * el)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (el), "GstWebRTCBin")) {
    g_atomic_int_inc (&wb_live);
    g_object_weak_ref (G_OBJECT (el), webrtcbin_finalized, NULL);
  }
}

static void
set_valves (gboolean drop)
{
  guint i;

  for (i = 0; i < valves->len; i++) {
    GstElement *v = g_weak_ref_get (g_ptr_array_index (valves, i));

    if (v) {
      g_object_set (v, "drop", drop, NULL);
      gst_object_unref (v);
    }
  }
}

static void
weak_ref_free (gpointer p)
{
  g_weak_ref_clear (p);
  g_free (p);
}

static void
on_deep_element_added (GstBin * bin, GstBin * sub, GstElement * el,
    gpointer data)
{
  if (g_str_has_prefix (GST_ELEMENT_NAME (el), "stall-")) {
    GWeakRef *ref = g_new0 (GWeakRef, 1);
    guint i;

    g_weak_ref_init (ref, el);
    g_mutex_lock (&lock);
    /* forget valves that are gone */
    for (i = valves->len; i > 0; i--) {
      GObject *o = g_weak_ref_get (g_ptr_array_index (valves, i - 1));
      if (o)
        g_object_unref (o);
      else
        g_ptr_array_remove_index (valves, i - 1);
    }
    g_ptr_array_add (valves, ref);
    /* a stalled encoder stays stalled when the element builds a new one */
    if (stalled)
      g_object_set (el, "drop", TRUE, NULL);
    g_mutex_unlock (&lock);
  }
}

/* ------------------------------------------------------------------ */
/* bus                                                                 */

static GstBusSyncReply
bus_sync (GstBus * bus, GstMessage * msg, gpointer data)
{
  JsonBuilder *b;
  GError *err = NULL;
  gchar *dbg = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);

      if (!s || !g_str_has_prefix (gst_structure_get_name (s), "wcs-"))
        break;
      b = ev_begin ("msg");
      add_str (b, "src", GST_MESSAGE_SRC_NAME (msg));
      add_str (b, "name", gst_structure_get_name (s));
      gst_structure_foreach (s, add_field, b);
      emit (b);
      break;
    }
    case GST_MESSAGE_WARNING:
    case GST_MESSAGE_ERROR:
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        gst_message_parse_error (msg, &err, &dbg);
      else
        gst_message_parse_warning (msg, &err, &dbg);
      b = ev_begin (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ? "error" :
          "warning");
      add_str (b, "src", GST_MESSAGE_SRC_NAME (msg));
      add_str (b, "domain", g_quark_to_string (err->domain));
      add_int (b, "code", err->code);
      add_str (b, "text", err->message);
      add_str (b, "debug", dbg);
      emit (b);
      g_clear_error (&err);
      g_free (dbg);
      break;
    case GST_MESSAGE_EOS:
      b = ev_begin ("eos");
      add_str (b, "src", GST_MESSAGE_SRC_NAME (msg));
      emit (b);
      break;
    default:
      break;
  }
  return GST_BUS_PASS;
}

static gboolean
bus_async (GstBus * bus, GstMessage * msg, gpointer data)
{
  return G_SOURCE_CONTINUE;     /* everything was reported in bus_sync */
}

/* ------------------------------------------------------------------ */
/* media                                                               */

static void
note_video_buffer (void)
{
  gboolean resumed;

  g_mutex_lock (&lock);
  vframes_total++;
  vframes_tick++;
  last_vbuf_us = g_get_monotonic_time ();
  resumed = !video_flowing;
  video_flowing = TRUE;
  g_mutex_unlock (&lock);
  if (resumed) {
    JsonBuilder *b = ev_begin ("video-resume");
    emit (b);
  }
}

static GstPadProbeReturn
publisher_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  note_video_buffer ();
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
player_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  gint k = GPOINTER_TO_INT (data);      /* 0 video, 1 audio */

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));
    GstClockTime prev;
    guint run;

    g_mutex_lock (&lock);
    prev = last_pts[k];
    run = run_id;
    if (GST_CLOCK_TIME_IS_VALID (pts))
      last_pts[k] = pts;
    g_mutex_unlock (&lock);
    if (!GST_CLOCK_TIME_IS_VALID (pts) || (GST_CLOCK_TIME_IS_VALID (prev)
            && pts < prev)) {
      JsonBuilder *b = ev_begin ("pts-back");

      add_str (b, "pad", GST_PAD_NAME (pad));
      add_int (b, "prev", GST_CLOCK_TIME_IS_VALID (prev) ? (gint64) prev : -1);
      add_int (b, "pts", GST_CLOCK_TIME_IS_VALID (pts) ? (gint64) pts : -1);
      add_int (b, "run", run);
      emit (b);
    }
    if (k == 0)
      note_video_buffer ();
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
      JsonBuilder *b = ev_begin ("pad-eos");

      add_str (b, "pad", GST_PAD_NAME (pad));
      emit (b);
    }
  }
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * src, GstPad * pad, gpointer data)
{
  gboolean video = g_str_equal (GST_PAD_NAME (pad), "video");
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstPad *sinkpad;
  JsonBuilder *b = ev_begin ("pad-added");

  add_str (b, "pad", GST_PAD_NAME (pad));
  emit (b);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, player_probe,
      GINT_TO_POINTER (video ? 0 : 1), NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK) {
    b = ev_begin ("log");
    add_str (b, "level", "critical");
    add_str (b, "domain", "chaos-peer");
    add_str (b, "text", "cannot link a new pad");
    emit (b);
  }
  gst_object_unref (sinkpad);
}

static void
on_pad_removed (GstElement * src, GstPad * pad, gpointer data)
{
  JsonBuilder *b = ev_begin ("pad-removed");

  add_str (b, "pad", GST_PAD_NAME (pad));
  /* below READY or at exit the application stopped it on purpose */
  json_builder_set_member_name (b, "deliberate");
  json_builder_add_boolean_value (b, g_atomic_int_get (&going_down) != 0);
  emit (b);
}

static gboolean
tick (gpointer data)
{
  JsonBuilder *b;
  guint64 frames, total;
  gint64 last;
  GstClockTime pts;
  gboolean stall_now = FALSE;
  GstState state, pending;

  g_mutex_lock (&lock);
  frames = vframes_tick;
  vframes_tick = 0;
  total = vframes_total;
  last = last_vbuf_us;
  pts = last_pts[0];
  if (video_flowing && g_get_monotonic_time () - last_vbuf_us >=
      STALL_MS * 1000) {
    video_flowing = FALSE;
    stall_now = TRUE;
  }
  g_mutex_unlock (&lock);

  if (stall_now) {
    b = ev_begin ("video-stall");
    add_int (b, "last", last / 1000);
    emit (b);
  }

  gst_element_get_state (pipeline, &state, &pending, 0);
  b = ev_begin ("tick");
  add_int (b, "frames", frames);
  add_int (b, "total", total);
  add_int (b, "last-buf", last / 1000);
  add_int (b, "last-pts", GST_CLOCK_TIME_IS_VALID (pts) ? (gint64) pts : -1);
  add_str (b, "state", gst_element_state_get_name (state));
  if (++tick_n % 4 == 0) {
    guint threads, rss;
    GstStructure *stats = NULL;

    read_status (&threads, &rss);
    add_int (b, "fds", count_fds ());
    add_int (b, "threads", threads);
    add_int (b, "rss-kb", rss);
    add_int (b, "wb-live", g_atomic_int_get (&wb_live));
    add_int (b, "wb-inside", count_webrtcbin_inside ());
    g_object_get (wcs, "stats", &stats, NULL);
    if (stats) {
      json_builder_set_member_name (b, "stats");
      json_builder_begin_object (b);
      gst_structure_foreach (stats, add_field, b);
      json_builder_end_object (b);
      gst_structure_free (stats);
    }
  }
  emit (b);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* commands                                                            */

static void
set_state (const gchar * cmd, GstState target)
{
  gint64 start = g_get_monotonic_time ();
  GstStateChangeReturn ret;
  JsonBuilder *b;

  if (target <= GST_STATE_READY) {
    gboolean was_flowing;

    g_mutex_lock (&lock);
    run_id++;
    last_pts[0] = last_pts[1] = GST_CLOCK_TIME_NONE;
    was_flowing = video_flowing;
    video_flowing = FALSE;
    g_mutex_unlock (&lock);
    if (was_flowing) {
      b = ev_begin ("video-stall");
      add_int (b, "last", last_vbuf_us / 1000);
      emit (b);
    }
  }
  if (target <= GST_STATE_READY)
    g_atomic_int_set (&going_down, 1);
  ret = gst_element_set_state (pipeline, target);
  if (target > GST_STATE_READY)
    g_atomic_int_set (&going_down, 0);
  b = ev_begin ("cmd");
  add_str (b, "cmd", cmd);
  add_str (b, "ret", gst_element_state_change_return_get_name (ret));
  add_int (b, "ms", (g_get_monotonic_time () - start) / 1000);
  emit (b);
}

static void
send_eos (void)
{
  const gchar *names[] = { "vsrc", "asrc" };
  JsonBuilder *b;
  guint i;
  gboolean ok = TRUE;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), names[i]);

    if (src) {
      ok &= gst_element_send_event (src, gst_event_new_eos ());
      gst_object_unref (src);
    }
  }
  b = ev_begin ("cmd");
  add_str (b, "cmd", "EOS");
  add_str (b, "ret", ok ? "SUCCESS" : "FAILURE");
  emit (b);
}

static void
quit (void)
{
  set_state ("QUIT", GST_STATE_NULL);
  g_main_loop_quit (loop);
}

/* one command; FALSE after QUIT */
static gboolean
handle_command (gchar * line)
{
  JsonBuilder *b;

  g_strstrip (line);
  if (g_str_equal (line, "PLAYING"))
    set_state (line, GST_STATE_PLAYING);
  else if (g_str_equal (line, "PAUSED"))
    set_state (line, GST_STATE_PAUSED);
  else if (g_str_equal (line, "READY"))
    set_state (line, GST_STATE_READY);
  else if (g_str_equal (line, "NULL"))
    set_state (line, GST_STATE_NULL);
  else if (g_str_equal (line, "EOS") && !is_player)
    send_eos ();
  else if (g_str_has_prefix (line, "STALL ") && !is_player) {
    gboolean on = g_str_equal (line + 6, "1");

    g_mutex_lock (&lock);
    stalled = on;
    set_valves (on);
    g_mutex_unlock (&lock);
    b = ev_begin ("cmd");
    add_str (b, "cmd", line);
    add_str (b, "ret", "SUCCESS");
    emit (b);
  } else if (g_str_equal (line, "QUIT")) {
    quit ();
    return FALSE;
  } else if (*line) {
    b = ev_begin ("cmd");
    add_str (b, "cmd", line);
    add_str (b, "ret", "UNKNOWN");
    emit (b);
  }
  return TRUE;
}

static gboolean
on_stdin (GIOChannel * ch, GIOCondition cond, gpointer data)
{
  /* every complete line already buffered, not just one per wakeup */
  do {
    gchar *line = NULL;
    gsize len = 0;
    GIOStatus st = g_io_channel_read_line (ch, &line, &len, NULL, NULL);
    gboolean go_on;

    if (st == G_IO_STATUS_AGAIN)
      return G_SOURCE_CONTINUE;
    if (st != G_IO_STATUS_NORMAL) {
      g_free (line);
      quit ();
      return G_SOURCE_REMOVE;
    }
    go_on = handle_command (line);
    g_free (line);
    if (!go_on)
      return G_SOURCE_REMOVE;
  } while (g_io_channel_get_buffer_condition (ch) & G_IO_IN);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  GString *desc;
  GError *err = NULL;
  GstBus *bus;
  GIOChannel *in;
  JsonBuilder *b;
  GstTracer *tracer;
  gint i;

  g_log_set_writer_func (log_writer, NULL, NULL);
  gst_init (&argc, &argv);
  if (argc < 4 || (strcmp (argv[1], "publisher") && strcmp (argv[1],
              "player"))) {
    g_printerr ("usage: %s publisher|player LOCATION STREAM [PROP=VALUE]...\n",
        argv[0]);
    return 2;
  }
  is_player = g_str_equal (argv[1], "player");
  valves = g_ptr_array_new_with_free_func (weak_ref_free);
  tracer = g_object_new (chaos_tracer_get_type (), NULL);
  gst_object_ref_sink (tracer);
  gst_tracing_register_hook (tracer, "element-new",
      G_CALLBACK (on_element_new));

  desc = g_string_new (NULL);
  if (is_player)
    g_string_append_printf (desc, "wcsplaysrc name=wcs location=%s "
        "stream-name=%s", argv[2], argv[3]);
  else
    g_string_append_printf (desc, "videotestsrc name=vsrc is-live=true "
        "pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
        "! wcspublishsink name=wcs location=%s stream-name=%s "
        "video-bitrate=500", argv[2], argv[3]);
  for (i = 4; i < argc; i++)
    g_string_append_printf (desc, " %s", argv[i]);
  if (!is_player)
    g_string_append (desc, " audiotestsrc name=asrc is-live=true "
        "wave=sine volume=0.1 ! wcs.audio");

  pipeline = gst_parse_launch_full (desc->str, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (!pipeline) {
    g_printerr ("chaos-peer: cannot create '%s': %s\n", desc->str,
        err ? err->message : "?");
    return 2;
  }
  g_string_free (desc, TRUE);
  if (!GST_IS_PIPELINE (pipeline)) {    /* a lone wcsplaysrc */
    GstElement *p = gst_pipeline_new (NULL);

    gst_bin_add (GST_BIN (p), pipeline);
    pipeline = p;
  }
  wcs = gst_bin_get_by_name (GST_BIN (pipeline), "wcs");
  g_signal_connect (pipeline, "deep-element-added",
      G_CALLBACK (on_deep_element_added), NULL);
  if (is_player) {
    g_signal_connect (wcs, "pad-added", G_CALLBACK (on_pad_added), NULL);
    g_signal_connect (wcs, "pad-removed", G_CALLBACK (on_pad_removed), NULL);
  } else {
    GstElement *vsrc = gst_bin_get_by_name (GST_BIN (pipeline), "vsrc");
    GstPad *pad = gst_element_get_static_pad (vsrc, "src");

    g_object_set (wcs, "h264-encoder", H264_ENC, "vp8-encoder", VP8_ENC,
        NULL);
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, publisher_probe, NULL,
        NULL);
    gst_object_unref (pad);
    gst_object_unref (vsrc);
  }

  loop = g_main_loop_new (NULL, FALSE);
  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  gst_bus_set_sync_handler (bus, bus_sync, NULL, NULL);
  gst_bus_add_watch (bus, bus_async, NULL);

  in = g_io_channel_unix_new (STDIN_FILENO);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
  g_timeout_add (TICK_MS, tick, NULL);

  b = ev_begin ("ready");
  add_int (b, "pid", getpid ());
  add_str (b, "role", argv[1]);
  emit (b);
  set_state ("PLAYING", GST_STATE_PLAYING);

  g_main_loop_run (loop);
  g_atomic_int_set (&going_down, 1);

  gst_bus_remove_watch (bus);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  gst_object_unref (wcs);
  gst_object_unref (pipeline);
  g_io_channel_unref (in);
  b = ev_begin ("exit");
  add_int (b, "wb-live", g_atomic_int_get (&wb_live));
  emit (b);
  g_ptr_array_unref (valves);
  g_main_loop_unref (loop);
  return 0;
}
