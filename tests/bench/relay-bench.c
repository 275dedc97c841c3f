/* gst-wcs: wcs-relay fan-out benchmark (run by hand, see docs/relay.md)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   relay-bench [--players 20] [--seconds 20] [--codec H264|VP8]
 *               [--decode N] [--width 320 --height 240] [--relay PATH]
 *
 * Starts a wcs-relay (WCS_RELAY or --relay), publishes one 320x240@30
 * videotestsrc stream through it from this process and plays it with N
 * webrtcbin players (also in this process, one WebSocket session each).
 * Every webrtcbin negotiates through GstWcsPeer (gst/gstwcspeer.c), the
 * peer the elements and wcs-relay use.
 * (320x240 is the default; --width/--height change the publisher's size.)
 * Every player counts the frames it depayloads; the first --decode players
 * also decode (avdec_h264 / vp8dec) and count decoded frames. Then it
 * measures for --seconds: frames per player, and the relay process's CPU
 * (utime + stime from /proc) and RSS.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <libsoup/soup.h>

#include "gstwcspeer.h"
#include "gstwcsprotocol.h"
#include "wcstestutil.h"

typedef struct
{
  SoupWebsocketConnection *conn;
  GHashTable *answers;          /* id -> sdp */
  GHashTable *statuses;         /* id -> status */
  volatile gint done;
} Ws;

typedef struct
{
  GstElement *pipe, *webrtc;
  GstWcsPeer *wp;               /* the negotiation (gst/gstwcspeer.c) */
  gchar *offer;                 /* NULL when the peer failed first */
  volatile gint offer_ready;
  volatile gint frames;         /* depayloaded */
  volatile gint decoded;
  gboolean decode;
  gboolean is_player;
  Ws *ws;
  gchar *id;
  gint64 first_frame_us;
  gint64 start_us;
} Peer;

static SoupSession *session;

static void
ws_message (SoupWebsocketConnection * c, gint type, GBytes * b, gpointer data)
{
  Ws *ws = data;
  gsize len;
  const gchar *text = g_bytes_get_data (b, &len);
  GstWcsMessage *m = gst_wcs_message_parse (text, len, NULL);

  if (!m)
    return;
  if (g_str_equal (m->message, "setRemoteSDP")) {
    gchar *id = NULL, *sdp = NULL;
    if (gst_wcs_parse_set_remote_sdp (m, &id, &sdp, NULL))
      g_hash_table_replace (ws->answers, id, sdp);
  } else if (g_str_equal (m->message, "notifyStreamStatusEvent")) {
    GstWcsStreamInfo si;
    if (gst_wcs_stream_info_parse (m, &si, NULL) && si.status_str) {
      g_hash_table_replace (ws->statuses, g_strdup (si.media_session_id),
          g_strdup (si.status_str));
      if (si.info)
        g_printerr ("%s: %s (%s)\n", si.media_session_id, si.status_str,
            si.info);
    }
    gst_wcs_stream_info_clear (&si);
  } else if (g_str_equal (m->message, "ping")) {
    gchar *pong = gst_wcs_build_pong ();
    soup_websocket_connection_send_text (c, pong);
    g_free (pong);
  }
  gst_wcs_message_free (m);
}

static void
ws_connected (GObject * src, GAsyncResult * res, gpointer data)
{
  Ws *ws = data;
  GError *err = NULL;

  ws->conn = soup_session_websocket_connect_finish (SOUP_SESSION (src), res,
      &err);
  if (!ws->conn) {
    g_printerr ("connect: %s\n", err->message);
    g_clear_error (&err);
  }
  g_atomic_int_set (&ws->done, 1);
}

static Ws *
ws_open (WcsTestRelay * relay)
{
  Ws *ws = g_new0 (Ws, 1);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, relay->url);
  gchar *conn_msg;

  ws->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  ws->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, ws_connected, ws);
  g_object_unref (msg);
  if (!wcs_test_wait_flag (NULL, &ws->done, 10000) || !ws->conn)
    g_error ("cannot connect to %s", relay->url);
  g_signal_connect (ws->conn, "message", G_CALLBACK (ws_message), ws);
  conn_msg = gst_wcs_build_connection ("defaultApp", NULL);
  soup_websocket_connection_send_text (ws->conn, conn_msg);
  g_free (conn_msg);
  return ws;
}

/* GstWcsPeer's callbacks run on the default main context, which the bench
 * iterates (wcs_test_iterate / wcs_test_wait_flag) */
static void
on_peer_offer (GstWcsPeer * wp, GstSDPMessage * sdp, gboolean complete,
    gpointer data)
{
  Peer *p = data;

  p->offer = gst_sdp_message_as_text (sdp);
  g_atomic_int_set (&p->offer_ready, 1);
}

static void
on_peer_failed (GstWcsPeer * wp, GstWcsPeerFailure failure,
    const gchar * detail, gpointer data)
{
  Peer *p = data;

  g_printerr ("%s: %s failed: %s\n", p->id ? p->id : "peer",
      gst_wcs_peer_failure_to_string (failure), detail);
  g_atomic_int_set (&p->offer_ready, 1);
}

static const GstWcsPeerCallbacks peer_callbacks = {
  .local_description = on_peer_offer,
  .failed = on_peer_failed,
};

static gboolean
start_peer (gpointer data)
{
  Peer *p = data;

  gst_wcs_peer_start (p->wp);
  return G_SOURCE_REMOVE;
}

/* webrtcbin's thread: the offer is made on the main context, as the peer
 * wants it */
static void
negotiation_needed (GstElement * webrtc, gpointer data)
{
  g_idle_add (start_peer, data);
}

static void
peer_init (Peer * p, const gchar * id)
{
  p->id = g_strdup (id);
  p->wp = gst_wcs_peer_new (p->webrtc, GST_WCS_PEER_OFFERER,
      g_main_context_default (), &peer_callbacks, p, NULL);
  gst_wcs_peer_set_label (p->wp, id);
  g_signal_connect (p->webrtc, "on-negotiation-needed",
      G_CALLBACK (negotiation_needed), p);
}

static void
peer_free (Peer * p)
{
  gst_wcs_peer_close (p->wp);
  gst_element_set_state (p->pipe, GST_STATE_NULL);
  gst_wcs_peer_unref (p->wp);
  gst_object_unref (p->webrtc);
  gst_object_unref (p->pipe);
  g_free (p->offer);
  g_free (p->id);
  g_free (p);
}

static GstPadProbeReturn
count_frames (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Peer *p = data;

  if (g_atomic_int_add (&p->frames, 1) == 0)
    p->first_frame_us = g_get_monotonic_time ();
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_decoded (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Peer *p = data;

  g_atomic_int_inc (&p->decoded);
  return GST_PAD_PROBE_OK;
}

static void
incoming (GstElement * webrtc, GstPad * pad, gpointer data)
{
  Peer *p = data;
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const gchar *enc;
  gchar *desc;
  GstElement *bin, *e;
  GstPad *sinkpad, *probe_pad;

  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  enc = gst_structure_get_string (gst_caps_get_structure (caps, 0),
      "encoding-name");
  if (g_strcmp0 (enc, "H264") == 0)
    desc = g_strdup_printf ("rtph264depay name=depay ! %s",
        p->decode ? "h264parse ! avdec_h264 ! fakesink name=out "
        "sync=false async=false" : "fakesink sync=false async=false");
  else if (g_strcmp0 (enc, "VP8") == 0)
    desc = g_strdup_printf ("rtpvp8depay name=depay ! %s",
        p->decode ? "vp8dec ! fakesink name=out sync=false async=false" :
        "fakesink sync=false async=false");
  else
    desc = g_strdup ("fakesink sync=false async=false");
  gst_caps_unref (caps);
  bin = gst_parse_bin_from_description (desc, TRUE, NULL);
  g_free (desc);
  gst_bin_add (GST_BIN (p->pipe), bin);
  if ((e = gst_bin_get_by_name (GST_BIN (bin), "depay"))) {
    probe_pad = gst_element_get_static_pad (e, "src");
    gst_pad_add_probe (probe_pad, GST_PAD_PROBE_TYPE_BUFFER, count_frames, p,
        NULL);
    gst_object_unref (probe_pad);
    gst_object_unref (e);
  }
  if ((e = gst_bin_get_by_name (GST_BIN (bin), "out"))) {
    probe_pad = gst_element_get_static_pad (e, "sink");
    gst_pad_add_probe (probe_pad, GST_PAD_PROBE_TYPE_BUFFER, count_decoded, p,
        NULL);
    gst_object_unref (probe_pad);
    gst_object_unref (e);
  }
  gst_element_sync_state_with_parent (bin);
  sinkpad = gst_element_get_static_pad (bin, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static gint width = 320, height = 240;
static gchar *pattern = NULL;

/* bytes of video the relay received for "bench" (REST find_all) */
static gint64
relay_bytes (WcsTestRelay * relay)
{
  JsonNode *root = wcs_test_relay_rest (relay, "rest-api/stream/find_all",
      "{}", NULL);
  gint64 bytes = -1;

  if (root && JSON_NODE_HOLDS_ARRAY (root)
      && json_array_get_length (json_node_get_array (root)) > 0)
    bytes = json_object_get_int_member_with_default (json_array_get_object_element
        (json_node_get_array (root), 0), "bytes", -1);
  if (root)
    json_node_unref (root);
  return bytes;
}

static Peer *
publisher_new (const gchar * codec, const gchar * id)
{
  Peer *p = g_new0 (Peer, 1);
  gchar *desc;
  GError *err = NULL;

  desc = g_strdup_printf ("videotestsrc is-live=true pattern=%s ! "
      "video/x-raw,width=%d,height=%d,framerate=30/1 ! %s ! "
      "webrtcbin name=w bundle-policy=max-bundle",
      pattern ? pattern : "ball", width, height,
      g_str_equal (codec, "VP8") ?
      "vp8enc deadline=1 keyframe-max-dist=60 target-bitrate=2000000 ! "
      "rtpvp8pay ! "
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
      "clock-rate=90000" :
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 "
      "bitrate=2000 ! "
      "video/x-h264,profile=constrained-baseline ! "
      "rtph264pay config-interval=-1 ! application/x-rtp,media=video,"
      "encoding-name=H264,payload=96,clock-rate=90000,"
      "packetization-mode=(string)1");
  p->pipe = gst_parse_launch (desc, &err);
  g_free (desc);
  if (!p->pipe)
    g_error ("publisher: %s", err->message);
  p->webrtc = gst_bin_get_by_name (GST_BIN (p->pipe), "w");
  peer_init (p, id);
  gst_element_set_state (p->pipe, GST_STATE_PLAYING);
  return p;
}

static Peer *
player_new (gboolean decode, const gchar * id)
{
  Peer *p = g_new0 (Peer, 1);
  GstWebRTCRTPTransceiver *t = NULL;
  GstCaps *caps;

  p->is_player = TRUE;
  p->decode = decode;
  p->pipe = gst_pipeline_new (NULL);
  p->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  g_object_set (p->webrtc, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  gst_bin_add (GST_BIN (p->pipe), gst_object_ref (p->webrtc));
  g_signal_connect (p->webrtc, "pad-added", G_CALLBACK (incoming), p);
  caps = gst_caps_from_string ("application/x-rtp,media=video,"
      "encoding-name=H264,payload=102,clock-rate=90000,"
      "packetization-mode=(string)1,profile-level-id=(string)42e01f;"
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,"
      "clock-rate=90000");
  g_signal_emit_by_name (p->webrtc, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &t);
  gst_caps_unref (caps);
  gst_object_unref (t);
  peer_init (p, id);
  gst_element_set_state (p->pipe, GST_STATE_PLAYING);
  return p;
}

/* sends the peer's offer in a publishStream / playStream and hands the
 * answer to the peer */
static gboolean
negotiate (Peer * p, Ws * ws, const gchar * name)
{
  GstWcsStreamRequest req = { 0, };
  const gchar *id = p->id;
  gchar *text, *answer = NULL;
  gint64 deadline;
  GstSDPMessage *sdp = NULL;

  if (!wcs_test_wait_flag (NULL, &p->offer_ready, 10000) || !p->offer)
    return FALSE;
  p->ws = ws;
  req.media_session_id = id;
  req.name = name;
  req.has_video = TRUE;
  req.sdp = p->offer;
  req.status = GST_WCS_STREAM_STATUS_PENDING;
  text = p->is_player ? gst_wcs_build_play_stream (&req) :
      gst_wcs_build_publish_stream (&req);
  p->start_us = g_get_monotonic_time ();
  soup_websocket_connection_send_text (ws->conn, text);
  g_free (text);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!(answer = g_hash_table_lookup (ws->answers, id))) {
    const gchar *st = g_hash_table_lookup (ws->statuses, id);
    if (st && g_str_equal (st, "FAILED"))
      return FALSE;
    if (g_get_monotonic_time () > deadline)
      return FALSE;
    wcs_test_iterate (NULL, 10);
  }
  gst_sdp_message_new_from_text (answer, &sdp);
  gst_wcs_peer_set_remote_description (p->wp, sdp);
  return TRUE;
}

static gboolean
proc_times (GPid pid, guint64 * ticks, guint64 * rss_kb)
{
  gchar *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  gchar *contents = NULL, *p;
  gchar **f;
  gboolean ok = FALSE;

  if (g_file_get_contents (path, &contents, NULL, NULL)
      && (p = strrchr (contents, ')'))) {
    f = g_strsplit (p + 2, " ", -1);
    /* after "pid (comm) ": state=0 ... utime=11 stime=12 ... rss=21 */
    if (g_strv_length (f) > 21) {
      *ticks = g_ascii_strtoull (f[11], NULL, 10) +
          g_ascii_strtoull (f[12], NULL, 10);
      *rss_kb = g_ascii_strtoull (f[21], NULL, 10) * (sysconf (_SC_PAGESIZE)
          / 1024);
      ok = TRUE;
    }
    g_strfreev (f);
  }
  g_free (contents);
  g_free (path);
  return ok;
}

static guint64
self_ticks (void)
{
  guint64 t = 0, rss;
  proc_times (getpid (), &t, &rss);
  return t;
}

int
main (int argc, char **argv)
{
  gint n_players = 20, seconds = 20, n_decode = 2;
  gchar *codec = NULL, *relay_path = NULL;
  GOptionEntry entries[] = {
    {"players", 'n', 0, G_OPTION_ARG_INT, &n_players, "players (20)", "N"},
    {"seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "measure time (20)",
        "S"},
    {"codec", 'c', 0, G_OPTION_ARG_STRING, &codec, "H264 or VP8 (H264)",
        "C"},
    {"decode", 'd', 0, G_OPTION_ARG_INT, &n_decode,
        "players that also decode (2)", "N"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "publisher width (320)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "publisher height (240)",
        "H"},
    {"pattern", 0, 0, G_OPTION_ARG_STRING, &pattern,
        "videotestsrc pattern (ball)", "P"},
    {"relay", 'r', 0, G_OPTION_ARG_FILENAME, &relay_path,
        "wcs-relay binary (default $WCS_RELAY)", "PATH"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- wcs-relay fan-out bench");
  GError *err = NULL;
  WcsTestRelay *relay;
  Ws *pub_ws;
  Peer *pub, **players;
  guint64 t0_ticks, t1_ticks, rss0, rss1, s0, s1;
  gint64 t0, t1, b0, b1;
  gint *f0, i, receiving = 0, smooth = 0;
  long hz = sysconf (_SC_CLK_TCK);
  double wall, relay_cpu, self_cpu;
  const gchar *extra[] = { "--rtp-timeout", "0", NULL };

  gst_wcs_process_init ();      /* before webrtcbin: gst/gstwcsprocess.c */
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (!codec)
    codec = g_strdup ("H264");
  if (relay_path)
    g_setenv ("WCS_RELAY", relay_path, TRUE);
  if (!g_getenv ("WCS_RELAY"))
    g_setenv ("WCS_RELAY", "build/tests/relay/wcs-relay", TRUE);

  relay = wcs_test_relay_start (0, extra);
  if (!relay)
    return 1;
  session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

  pub_ws = ws_open (relay);
  pub = publisher_new (codec, "bench-pub");
  if (!negotiate (pub, pub_ws, "bench"))
    g_error ("publish failed");
  if (!wcs_test_relay_wait_stream (relay, "bench", "PUBLISHING", NULL, 10000))
    g_error ("not PUBLISHING");

  players = g_new0 (Peer *, n_players);
  for (i = 0; i < n_players; i++) {
    gchar *id = g_strdup_printf ("bench-play-%d", i);
    players[i] = player_new (i < n_decode, id);
    if (!negotiate (players[i], ws_open (relay), "bench"))
      g_printerr ("player %d: negotiation failed\n", i);
    g_free (id);
  }
  /* settle */
  wcs_test_iterate (NULL, 3000);

  f0 = g_new0 (gint, n_players);
  for (i = 0; i < n_players; i++)
    f0[i] = g_atomic_int_get (&players[i]->frames);
  proc_times (relay->pid, &t0_ticks, &rss0);
  b0 = relay_bytes (relay);
  s0 = self_ticks ();
  t0 = g_get_monotonic_time ();
  wcs_test_iterate (NULL, seconds * 1000);
  t1 = g_get_monotonic_time ();
  proc_times (relay->pid, &t1_ticks, &rss1);
  s1 = self_ticks ();
  b1 = relay_bytes (relay);
  wall = (t1 - t0) / 1e6;

  printf ("codec %s %dx%d@30, %d players (%d decoding), %.1f s measured\n",
      codec, width, height, n_players, MIN (n_decode, n_players), wall);
  for (i = 0; i < n_players; i++) {
    gint got = g_atomic_int_get (&players[i]->frames) - f0[i];
    double fps = got / wall;
    if (got > 0)
      receiving++;
    if (fps >= 25.0)
      smooth++;
    printf ("  player %2d: %6.1f fps depayloaded, first frame %5.0f ms "
        "after playStream%s", i, fps, players[i]->first_frame_us ?
        (players[i]->first_frame_us - players[i]->start_us) / 1000.0 : -1.0,
        players[i]->decode ? "" : "\n");
    if (players[i]->decode)
      printf (", %d decoded in total\n", g_atomic_int_get
          (&players[i]->decoded));
  }
  relay_cpu = 100.0 * (t1_ticks - t0_ticks) / hz / wall;
  self_cpu = 100.0 * (s1 - s0) / hz / wall;
  printf ("publisher video into the relay: %.0f kbit/s\n",
      (b1 - b0) * 8 / wall / 1000);
  printf ("players receiving frames: %d/%d (>= 25 fps: %d)\n", receiving,
      n_players, smooth);
  printf ("relay CPU: %.1f %% of one core (%ld cores here), RSS %"
      G_GUINT64_FORMAT " MiB\n", relay_cpu, sysconf (_SC_NPROCESSORS_ONLN),
      rss1 / 1024);
  printf ("bench process (publisher + players) CPU: %.1f %% of one core\n",
      self_cpu);
  fflush (stdout);

  for (i = 0; i < n_players; i++)
    peer_free (players[i]);
  peer_free (pub);
  wcs_test_relay_free (relay);
  return receiving == n_players ? 0 : 1;
}
