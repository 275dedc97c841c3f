/* gst-wcs: ICE servers and policy (stun-server, turn-servers,
 * ice-transport-policy, min/max-rtp-port) and the masking of secrets
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Publisher (wcspublishsink) and player (wcsplaysrc) both run in this
 * process against a wcs-relay child on a free loopback port. test_turn_relay
 * (meson test elements/ice-turn) also needs coturn's turnserver: main()
 * starts it on a free loopback port before the suite and kills it by PID
 * after; without turnserver, or when it does not start, that test exits 77
 * (SKIP), never a pass.
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

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>

#include "gstwcspeer.h"
#include "wcstestutil.h"

#define MEDIA_WAIT_MS 40000
#define TURN_USER "wcsuser"
#define TURN_PASS "S3cretTurnPw"
#define TOKEN "S3cretTok3n"

static guint turn_port;         /* set by main() for test_turn_relay */

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* a loopback port nobody listens on (UDP and TCP) */
static guint
closed_port (void)
{
  GSocket *sock;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *bound;
  guint port;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  /* also called from main(): no check assertions */
  g_assert (sock && g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (sock);
  g_object_unref (addr);
  g_object_unref (lo);
  return port;
}

static void
set_turn_servers (GstElement * e, const gchar * uri)
{
  GValue arr = G_VALUE_INIT, v = G_VALUE_INIT;

  gst_value_array_init (&arr, 1);
  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, uri);
  gst_value_array_append_and_take_value (&arr, &v);
  g_object_set_property (G_OBJECT (e), "turn-servers", &arr);
  g_value_unset (&arr);
}

/* the turn-servers strings joined by "," */
static gchar *
get_turn_servers (GstElement * e)
{
  GValue arr = G_VALUE_INIT;
  GString *s = g_string_new (NULL);
  guint i;

  g_value_init (&arr, GST_TYPE_ARRAY);
  g_object_get_property (G_OBJECT (e), "turn-servers", &arr);
  for (i = 0; i < gst_value_array_get_size (&arr); i++)
    g_string_append_printf (s, "%s%s", i ? "," : "",
        g_value_get_string (gst_value_array_get_value (&arr, i)));
  g_value_unset (&arr);
  return g_string_free (s, FALSE);
}

/* everything the wcs* debug categories say up to LOG (DEBUG and below
 * included), and every bus
 * message, as text */
static GMutex seen_lock;
static GString *seen_log;
static guint seen_log_lines;
static GString *seen_bus;

static void
capture_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text;

  if (level > GST_LEVEL_LOG
      || !g_str_has_prefix (gst_debug_category_get_name (category), "wcs"))
    return;
  text = gst_debug_message_get (message);
  g_mutex_lock (&seen_lock);
  g_string_append_printf (seen_log, "%s\n", text ? text : "");
  seen_log_lines++;
  g_mutex_unlock (&seen_lock);
}

static void
capture_start (void)
{
  seen_log = g_string_new (NULL);
  seen_bus = g_string_new (NULL);
  seen_log_lines = 0;
  gst_debug_set_active (TRUE);
  gst_debug_set_threshold_from_string ("wcs*:6", FALSE);
  gst_debug_add_log_function (capture_log, NULL, NULL);
  /* this forked test's stderr stays readable */
  gst_debug_remove_log_function (gst_debug_log_default);
}

static void
capture_stop (void)
{
  gst_debug_remove_log_function (capture_log);
  gst_debug_set_threshold_from_string ("wcs*:0", FALSE);
}

static GstBusSyncReply
capture_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  const GstStructure *s = gst_message_get_structure (msg);
  gchar *text = s ? gst_structure_to_string (s) : NULL;
  GError *err = NULL;
  gchar *dbg = NULL;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &err, &dbg);
  else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
    gst_message_parse_warning (msg, &err, &dbg);
  g_mutex_lock (&seen_lock);
  if (seen_bus)
    g_string_append_printf (seen_bus, "%s %s %s %s\n",
        GST_MESSAGE_TYPE_NAME (msg), text ? text : "",
        err ? err->message : "", dbg ? dbg : "");
  g_mutex_unlock (&seen_lock);
  if (err && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    GST_WARNING ("bus error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
        err->message, GST_STR_NULL (dbg));
  g_clear_error (&err);
  g_free (dbg);
  g_free (text);
  return GST_BUS_PASS;
}

static void
watch_bus (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_bus_set_sync_handler (bus, capture_bus, NULL, NULL);
  gst_object_unref (bus);
}

static void
unwatch_bus (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
}

/* the first ERROR on @pipeline's bus (bounded wait), or NULL */
static GstMessage *
wait_error (GstElement * pipeline, guint ms)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, ms * GST_MSECOND,
      GST_MESSAGE_ERROR);

  gst_object_unref (bus);
  return m;
}

/* publisher: wcspublishsink fed by live test sources */
static GstElement *
publisher_new (WcsTestRelay * relay, const gchar * name, const gchar * props)
{
  gchar *desc = g_strdup_printf ("wcspublishsink name=pub location=%s "
      "stream-name=%s check-bitrate=false restore-timeout=500 %s "
      "videotestsrc is-live=true pattern=ball "
      "! video/x-raw,width=320,height=240,framerate=15/1 ! pub.video "
      "audiotestsrc is-live=true wave=ticks ! pub.audio", relay->url, name,
      props ? props : "");
  GstElement *p = wcs_test_pipeline_parse (desc);

  g_free (desc);
  return p;
}

/* player: wcsplaysrc, a counting fakesink per pad */
static gint player_buffers;

static GstPadProbeReturn
count_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  g_atomic_int_inc (&player_buffers);
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * src, GstPad * pad, GstElement * pipeline)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, NULL,
      NULL);
  wcs_test_add_fakesink (pipeline, pad);
}

static GstElement *
player_new (WcsTestRelay * relay, const gchar * name, const gchar * props,
    GstElement ** src)
{
  gchar *desc = g_strdup_printf ("wcsplaysrc name=src location=%s "
      "stream-name=%s restore-timeout=500 %s", relay->url, name,
      props ? props : "");
  GstElement *p = wcs_test_pipeline_parse (desc);

  g_free (desc);
  *src = gst_bin_get_by_name (GST_BIN (p), "src");
  g_signal_connect (*src, "pad-added", G_CALLBACK (on_pad_added), p);
  g_atomic_int_set (&player_buffers, 0);
  return p;
}

static gboolean
wait_player_buffers (guint n, guint ms)
{
  gint64 deadline = g_get_monotonic_time () +
      (gint64) ms * wcs_test_timeout_scale () * 1000;

  while (g_get_monotonic_time () < deadline) {
    if ((guint) g_atomic_int_get (&player_buffers) >= n)
      return TRUE;
    g_usleep (50 * 1000);
  }
  return FALSE;
}

static void
pipeline_stop (GstElement * p)
{
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  unwatch_bus (p);
  gst_object_unref (p);
}

/* the webrtcbin inside the publisher bin (a ref), or NULL */
static GstElement *
find_webrtcbin (GstElement * bin)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  GstElement *found = NULL;

  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    GstElementFactory *f = gst_element_get_factory (e);

    if (f && g_str_equal (GST_OBJECT_NAME (f), "webrtcbin"))
      found = gst_object_ref (e);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return found;
}

/* The candidate-type (and port) of the stats entry @id of @reply, or NULL */
static const gchar *
candidate_type (const GstStructure * reply, const gchar * id, guint * port)
{
  const GstStructure *c;

  *port = 0;
  if (!id || !gst_structure_has_field_typed (reply, id, GST_TYPE_STRUCTURE))
    return NULL;
  c = gst_value_get_structure (gst_structure_get_value (reply, id));
  gst_structure_get_uint (c, "port", port);
  return gst_structure_get_string (c, "candidate-type");
}

typedef struct
{
  const GstStructure *reply;
  guint selected, selected_relay;
  guint lo, hi, in_range;       /* selected pairs with an end in [lo, hi] */
  GString *types;
} CandStats;

/* each transport's selected-candidate-pair-id -> its candidate-pair ->
 * local-candidate-id and remote-candidate-id -> their candidate-type.
 * webrtcbin 1.22 swaps the two ids in the pair (the "local" one is typed
 * remote-candidate and the other way round), so both are checked: with
 * ice-transport-policy=relay on both sides, both must be relay. */
static gboolean
scan_transport (GQuark field, const GValue * value, gpointer data)
{
  CandStats *cs = data;
  const GstStructure *t, *pair;
  const gchar *pair_id, *lt, *rt;
  guint lport, rport;
  GstWebRTCStatsType type;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  t = gst_value_get_structure (value);
  if (!gst_structure_get_enum (t, "type", GST_TYPE_WEBRTC_STATS_TYPE,
          (gint *) & type) || type != GST_WEBRTC_STATS_TRANSPORT)
    return TRUE;
  pair_id = gst_structure_get_string (t, "selected-candidate-pair-id");
  if (!pair_id || !gst_structure_has_field_typed (cs->reply, pair_id,
          GST_TYPE_STRUCTURE))
    return TRUE;
  pair = gst_value_get_structure (gst_structure_get_value (cs->reply,
          pair_id));
  lt = candidate_type (cs->reply, gst_structure_get_string (pair,
          "local-candidate-id"), &lport);
  rt = candidate_type (cs->reply, gst_structure_get_string (pair,
          "remote-candidate-id"), &rport);
  cs->selected++;
  if ((lport >= cs->lo && lport <= cs->hi) || (rport >= cs->lo
          && rport <= cs->hi))
    cs->in_range++;
  if (g_strcmp0 (lt, "relay") == 0 && g_strcmp0 (rt, "relay") == 0)
    cs->selected_relay++;
  g_string_append_printf (cs->types, "[%s: %s:%u / %s:%u] ", pair_id,
      GST_STR_NULL (lt), lport, GST_STR_NULL (rt), rport);
  return TRUE;
}

/* get-stats of @webrtc: the types of the candidates of each transport's
 * selected pair */
static void
candidate_stats (GstElement * webrtc, CandStats * cs)
{
  GstPromise *promise = gst_promise_new ();
  const GstStructure *reply;

  g_signal_emit_by_name (webrtc, "get-stats", NULL, promise);
  fail_unless_equals_int (gst_promise_wait (promise),
      GST_PROMISE_RESULT_REPLIED);
  reply = gst_promise_get_reply (promise);
  fail_unless (reply != NULL);
  GST_INFO ("webrtcbin stats: %" GST_PTR_FORMAT, reply);
  cs->reply = reply;
  gst_structure_foreach (reply, scan_transport, cs);
  cs->reply = NULL;
  gst_promise_unref (promise);
}

/* ------------------------------------------------------------------ */
/* properties                                                          */

GST_START_TEST (test_properties)
{
  const gchar *factories[] = { "wcspublishsink", "wcsplaysrc" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (factories); i++) {
    GstElement *e = gst_element_factory_make (factories[i], NULL);
    gchar *stun = NULL, *turn, *stats_text;
    GstWebRTCICETransportPolicy policy;
    guint minp, maxp;
    GstStructure *stats = NULL;

    fail_unless (e != NULL);
    g_object_get (e, "stun-server", &stun, "ice-transport-policy", &policy,
        "min-rtp-port", &minp, "max-rtp-port", &maxp, NULL);
    fail_unless (stun == NULL);
    fail_unless_equals_int (policy, GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL);
    fail_unless_equals_int (minp, 0);
    fail_unless_equals_int (maxp, 65535);
    turn = get_turn_servers (e);
    fail_unless_equals_string (turn, "");
    g_free (turn);

    g_object_set (e, "stun-server", "stun://127.0.0.1:3478",
        "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY,
        "min-rtp-port", 40000, "max-rtp-port", 40100, NULL);
    set_turn_servers (e, "turn://" TURN_USER ":" TURN_PASS
        "@127.0.0.1:3478?transport=tcp");
    g_object_get (e, "stun-server", &stun, "ice-transport-policy", &policy,
        "min-rtp-port", &minp, "max-rtp-port", &maxp, NULL);
    fail_unless_equals_string (stun, "stun://127.0.0.1:3478");
    g_free (stun);
    fail_unless_equals_int (policy, GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY);
    fail_unless_equals_int (minp, 40000);
    fail_unless_equals_int (maxp, 40100);
    /* the application gets back what it set */
    turn = get_turn_servers (e);
    fail_unless (strstr (turn, TURN_PASS) != NULL, "%s", turn);
    g_free (turn);

    /* stats: masked */
    g_object_get (e, "stats", &stats, NULL);
    fail_unless (stats != NULL);
    stats_text = gst_structure_to_string (stats);
    fail_unless (strstr (stats_text, TURN_PASS) == NULL, "%s", stats_text);
    fail_unless_equals_string (gst_structure_get_string (stats,
            "turn-servers"), "turn://" TURN_USER ":***@127.0.0.1:3478"
        "?transport=tcp");
    fail_unless_equals_string (gst_structure_get_string (stats,
            "ice-transport-policy"), "relay");
    fail_unless_equals_string (gst_structure_get_string (stats,
            "stun-server"), "stun://127.0.0.1:3478");
    g_free (stats_text);
    gst_structure_free (stats);
    gst_object_unref (e);
  }
}

GST_END_TEST;

GST_START_TEST (test_mask)
{
  const gchar *cases[][2] = {
    {"turn://u:pw@host:3478", "turn://u:***@host:3478"},
    {"turns://u:p/w?x@y@host:5349?transport=tcp",
        "turns://u:***@host:5349?transport=tcp"},
    {"turn://secretonly@host", "turn://***@host"},
    {"stun://host:3478", "stun://host:3478"},
    {"garbage", "garbage"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *m = gst_wcs_ice_uri_mask (cases[i][0]);

    fail_unless_equals_string (m, cases[i][1]);
    g_free (m);
  }
  fail_unless (gst_wcs_ice_uri_mask (NULL) == NULL);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* bad input                                                           */

GST_START_TEST (test_bad_input)
{
  /* property, value (a TURN URI goes into turn-servers), what the message
   * must name */
  const struct
  {
    const gchar *prop;
    const gchar *value;
    const gchar *named;
  } cases[] = {
    {"stun-server", "http://127.0.0.1:3478", "'stun-server'"},
    {"stun-server", "stun://:3478", "'stun-server'"},
    {"stun-server", "stun://127.0.0.1:99999", "'stun-server'"},
    {"stun-server", "stun://127.0.0.1:abc", "'stun-server'"},
    {"stun-server", "stun://127.0.0.1:0", "'stun-server'"},
    {"turn-servers", "stun://" TURN_USER ":" TURN_PASS "@127.0.0.1:3478",
        "'turn-servers'"},
    {"turn-servers", "turn://" TURN_USER ":" TURN_PASS "@:3478",
        "'turn-servers'"},
    {"turn-servers", "turn://" TURN_USER ":" TURN_PASS "@127.0.0.1:70000",
        "'turn-servers'"},
    {"turn-servers", "turn://127.0.0.1:3478", "'turn-servers'"},
    {"turn-servers", "turn://" TURN_USER ":" TURN_PASS
          "@127.0.0.1:3478?transport=sctp", "'turn-servers'"},
    {"min-rtp-port", "50000", "'min-rtp-port'"},
  };
  const gchar *factories[] = { "wcspublishsink", "wcsplaysrc" };
  guint i, f;

  for (f = 0; f < G_N_ELEMENTS (factories); f++) {
    for (i = 0; i < G_N_ELEMENTS (cases); i++) {
      GstElement *pipeline = gst_pipeline_new (NULL);
      GstElement *e = gst_element_factory_make (factories[f], NULL);
      GstMessage *msg;
      GError *err = NULL;
      gchar *dbg = NULL, *back = NULL;

      g_object_set (e, "location", "ws://127.0.0.1:9", "stream-name", "s",
          NULL);
      if (g_str_equal (cases[i].prop, "turn-servers"))
        set_turn_servers (e, cases[i].value);
      else if (g_str_equal (cases[i].prop, "min-rtp-port"))
        g_object_set (e, "min-rtp-port", 50000, "max-rtp-port", 40000, NULL);
      else
        g_object_set (e, cases[i].prop, cases[i].value, NULL);
      gst_bin_add (GST_BIN (pipeline), e);

      fail_unless_equals_int (gst_element_set_state (pipeline,
              GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
      msg = wait_error (pipeline, 1000);
      fail_unless (msg != NULL, "%s %s=%s: no ERROR", factories[f],
          cases[i].prop, cases[i].value);
      gst_message_parse_error (msg, &err, &dbg);
      fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
              GST_RESOURCE_ERROR_SETTINGS), "%s", err->message);
      fail_unless (strstr (err->message, cases[i].named) != NULL, "%s",
          err->message);
      fail_unless (strstr (err->message, TURN_PASS) == NULL, "%s",
          err->message);
      fail_unless (dbg == NULL || strstr (dbg, TURN_PASS) == NULL, "%s", dbg);
      GST_INFO ("%s %s: %s", factories[f], cases[i].prop, err->message);
      g_clear_error (&err);
      g_free (dbg);
      gst_message_unref (msg);

      /* the property keeps its value */
      if (g_str_equal (cases[i].prop, "turn-servers")) {
        back = get_turn_servers (e);
        fail_unless (strstr (back, cases[i].value) != NULL, "%s", back);
      } else if (g_str_equal (cases[i].prop, "stun-server")) {
        g_object_get (e, "stun-server", &back, NULL);
        fail_unless_equals_string (back, cases[i].value);
      } else {
        guint minp, maxp;

        g_object_get (e, "min-rtp-port", &minp, "max-rtp-port", &maxp, NULL);
        fail_unless_equals_int (minp, 50000);
        fail_unless_equals_int (maxp, 40000);
      }
      g_free (back);

      fail_unless_equals_int (gst_element_set_state (pipeline,
              GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
      gst_object_unref (pipeline);
    }
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* unreachable servers; secrets never shown                            */

/* STUN and TURN servers at closed loopback ports do not stop the host
 * candidates: media flows publisher -> relay -> player. Meanwhile the TURN
 * password and the custom token never appear in the wcs* debug log (up to
 * DEBUG), on the bus or in the stats. */
GST_START_TEST (test_unreachable_servers_secrets)
{
  g_autoptr (WcsTestRelay) relay = wcs_test_relay_start (0, NULL);
  GstElement *pub, *play, *src = NULL, *pubsink, *webrtc;
  GObject *agent = NULL;
  gchar *props, *pubprops, *turn;
  guint lo = closed_port (), minp = 0, maxp = 0;
  CandStats cs = { 0, };
  GstStructure *stats = NULL;
  gchar *stats_text;
  guint sport = closed_port (), tport = closed_port ();

  fail_unless (relay != NULL);
  capture_start ();

  props = g_strdup_printf ("stun-server=stun://127.0.0.1:%u "
      "custom=\"custom,token=(string)" TOKEN "\"", sport);
  turn = g_strdup_printf ("turn://" TURN_USER ":" TURN_PASS "@127.0.0.1:%u",
      tport);

  /* the publisher's ICE agent on 200 ports from a free one */
  lo = MIN (lo, 65535 - 200);
  pubprops = g_strdup_printf ("%s min-rtp-port=%u max-rtp-port=%u", props,
      lo, lo + 200);
  pub = publisher_new (relay, "ice1", pubprops);
  g_free (pubprops);
  watch_bus (pub);
  pubsink = gst_bin_get_by_name (GST_BIN (pub), "pub");
  set_turn_servers (pubsink, turn);
  fail_if (gst_element_set_state (pub, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (wcs_test_relay_wait_stream (relay, "ice1", "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "not PUBLISHING with unreachable STUN/TURN");

  play = player_new (relay, "ice1", props, &src);
  watch_bus (play);
  set_turn_servers (src, turn);
  fail_if (gst_element_set_state (play, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (wait_player_buffers (30, MEDIA_WAIT_MS),
      "no media with unreachable STUN/TURN servers (%d buffers)",
      g_atomic_int_get (&player_buffers));

  /* the port range reached the ICE agent and the selected pair uses it */
  webrtc = find_webrtcbin (pubsink);
  fail_unless (webrtc != NULL);
  g_object_get (webrtc, "ice-agent", &agent, NULL);
  g_object_get (agent, "min-rtp-port", &minp, "max-rtp-port", &maxp, NULL);
  fail_unless_equals_int (minp, lo);
  fail_unless_equals_int (maxp, lo + 200);
  g_object_unref (agent);
  cs.types = g_string_new (NULL);
  cs.lo = lo;
  cs.hi = lo + 200;
  candidate_stats (webrtc, &cs);
  GST_INFO ("publisher: selected pairs %s (range %u-%u)", cs.types->str, lo,
      lo + 200);
  fail_unless (cs.selected > 0 && cs.in_range == cs.selected,
      "selected pair outside %u-%u: %s", lo, lo + 200, cs.types->str);
  g_string_free (cs.types, TRUE);
  gst_object_unref (webrtc);

  g_object_get (pubsink, "stats", &stats, NULL);
  stats_text = gst_structure_to_string (stats);
  fail_unless (strstr (stats_text, TURN_PASS) == NULL, "%s", stats_text);
  fail_unless (g_str_has_prefix (gst_structure_get_string (stats,
              "turn-servers"), "turn://" TURN_USER ":***@"), "%s", stats_text);
  g_free (stats_text);
  gst_structure_free (stats);

  pipeline_stop (play);
  gst_object_unref (src);
  gst_object_unref (pubsink);
  pipeline_stop (pub);
  capture_stop ();

  g_mutex_lock (&seen_lock);
  /* the capture works: the elements said things at DEBUG */
  fail_unless (seen_log_lines > 20, "only %u wcs* log lines", seen_log_lines);
  fail_unless (strstr (seen_log->str, TURN_USER ":***@") != NULL,
      "the masked TURN URI was never logged");
  fail_unless (strstr (seen_log->str, TURN_PASS) == NULL,
      "TURN password in the debug log");
  fail_unless (strstr (seen_log->str, TOKEN) == NULL,
      "custom token in the debug log");
  fail_unless (seen_bus->len > 0);
  fail_unless (strstr (seen_bus->str, TURN_PASS) == NULL,
      "TURN password in a bus message");
  fail_unless (strstr (seen_bus->str, TOKEN) == NULL,
      "custom token in a bus message");
  g_string_free (seen_log, TRUE);
  g_string_free (seen_bus, TRUE);
  seen_log = seen_bus = NULL;
  g_mutex_unlock (&seen_lock);
  g_free (props);
  g_free (turn);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* through TURN (elements/ice-turn)                                    */

/* ice-transport-policy=relay on the publisher, the player and wcs-relay:
 * media can only go through coturn; it flows, and the publisher's
 * webrtcbin reports relay local candidates. */
GST_START_TEST (test_turn_relay)
{
  g_autoptr (WcsTestRelay) relay = NULL;
  GstElement *pub, *play, *src = NULL, *pubsink, *webrtc;
  gchar *turn;
  const gchar *args[5];
  CandStats cs = { 0, };

  fail_unless (turn_port > 0, "run as elements/ice-turn (GST_CHECKS="
      "test_turn_relay): main() starts turnserver");
  turn = g_strdup_printf ("turn://" TURN_USER ":" TURN_PASS "@127.0.0.1:%u",
      turn_port);
  args[0] = "--turn-server";
  args[1] = turn;
  args[2] = "--ice-transport-policy";
  args[3] = "relay";
  args[4] = NULL;
  relay = wcs_test_relay_start (0, args);
  fail_unless (relay != NULL);

  pub = publisher_new (relay, "turn1", "ice-transport-policy=relay");
  watch_bus (pub);
  pubsink = gst_bin_get_by_name (GST_BIN (pub), "pub");
  set_turn_servers (pubsink, turn);
  fail_if (gst_element_set_state (pub, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (wcs_test_relay_wait_stream (relay, "turn1", "PUBLISHING",
          NULL, MEDIA_WAIT_MS), "not PUBLISHING through TURN");

  play = player_new (relay, "turn1", "ice-transport-policy=relay", &src);
  watch_bus (play);
  set_turn_servers (src, turn);
  fail_if (gst_element_set_state (play, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (wait_player_buffers (30, MEDIA_WAIT_MS),
      "no media through TURN (%d buffers)",
      g_atomic_int_get (&player_buffers));

  webrtc = find_webrtcbin (pubsink);
  fail_unless (webrtc != NULL);
  cs.types = g_string_new (NULL);
  candidate_stats (webrtc, &cs);
  GST_INFO ("publisher: selected pairs (local / remote): %s",
      cs.types->str);
  fail_unless (cs.selected > 0, "no selected candidate pair in the stats");
  fail_unless (cs.selected_relay == cs.selected,
      "not every selected pair is relay / relay: %s", cs.types->str);
  g_string_free (cs.types, TRUE);
  gst_object_unref (webrtc);

  pipeline_stop (play);
  gst_object_unref (src);
  gst_object_unref (pubsink);
  pipeline_stop (pub);
  g_free (turn);
}

GST_END_TEST;

static Suite *
ice_suite (void)
{
  Suite *s = suite_create ("ice");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_mask);
  tcase_add_test (tc, test_bad_input);
  tcase_add_test (tc, test_unreachable_servers_secrets);
  tcase_add_test (tc, test_turn_relay);
  suite_add_tcase (s, tc);
  return s;
}

/* ------------------------------------------------------------------ */
/* turnserver for test_turn_relay                                      */

static void
turn_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
turn_listening (guint port)
{
  /* A bare GSocket, not a GSocketClient: this runs in check's parent
   * before it forks each test, and GSocketClient's proxy resolver loads
   * GSettings, whose dconf worker thread can hold a GType lock at the
   * fork: the child then hung for good in its first g_object_new (seen
   * under ASan, elements/ice-turn). */
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, port);
  gboolean ok;

  g_assert (sock);
  ok = g_socket_connect (sock, addr, NULL, NULL);
  g_object_unref (addr);
  g_object_unref (lo);
  g_object_unref (sock);
  return ok;
}

/* Starts turnserver on a free loopback port: its pid, 0 (with a message)
 * when it cannot */
static GPid
turn_start (guint * port, gchar ** dir)
{
  gchar *bin = g_find_program_in_path ("turnserver");
  gchar *argv[24];
  gchar *listen, *pidfile, *user, *dbfile;
  GError *err = NULL;
  GPid pid = 0;
  gint64 deadline;
  guint n = 0;

  if (!bin) {
    g_printerr ("SKIP elements/ice-turn: turnserver (Debian coturn) not "
        "found (scripts/setup installs it); the TURN test did NOT run\n");
    return 0;
  }
  *dir = g_dir_make_tmp ("wcs-turn-XXXXXX", NULL);
  *port = closed_port ();
  listen = g_strdup_printf ("--listening-port=%u", *port);
  pidfile = g_strdup_printf ("--pidfile=%s/turnserver.pid", *dir);
  dbfile = g_strdup_printf ("--userdb=%s/turndb", *dir);
  user = g_strdup ("--user=" TURN_USER ":" TURN_PASS);
  argv[n++] = bin;
  argv[n++] = (gchar *) "-n";
  argv[n++] = (gchar *) "--listening-ip=127.0.0.1";
  argv[n++] = listen;
  argv[n++] = (gchar *) "--relay-ip=127.0.0.1";
  argv[n++] = user;
  argv[n++] = (gchar *) "--realm=test";
  argv[n++] = (gchar *) "--lt-cred-mech";
  argv[n++] = (gchar *) "--no-cli";
  argv[n++] = (gchar *) "--no-tls";
  argv[n++] = (gchar *) "--no-dtls";
  argv[n++] = (gchar *) "--allow-loopback-peers";
  argv[n++] = (gchar *) "--log-file=stdout";
  argv[n++] = (gchar *) "--no-stdout-log";
  argv[n++] = pidfile;
  argv[n++] = dbfile;
  argv[n] = NULL;
  if (!g_spawn_async (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
          G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
          turn_child_setup, NULL, &pid, &err)) {
    g_printerr ("SKIP elements/ice-turn: cannot run turnserver: %s\n",
        err->message);
    g_clear_error (&err);
    pid = 0;
  }
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (pid && !turn_listening (*port)) {
    int status;

    if (waitpid (pid, &status, WNOHANG) == pid
        || g_get_monotonic_time () > deadline) {
      g_printerr ("SKIP elements/ice-turn: turnserver did not start on "
          "127.0.0.1:%u; the TURN test did NOT run\n", *port);
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      pid = 0;
      break;
    }
    g_usleep (100 * 1000);
  }
  g_free (bin);
  g_free (listen);
  g_free (pidfile);
  g_free (dbfile);
  g_free (user);
  return pid;
}

static void
turn_stop (GPid pid, gchar * dir)
{
  int status;
  gchar *cmd;

  if (pid > 0) {
    kill (pid, SIGTERM);
    waitpid (pid, &status, 0);
  }
  if (dir) {
    cmd = g_build_filename (dir, "turnserver.pid", NULL);
    g_unlink (cmd);
    g_free (cmd);
    cmd = g_build_filename (dir, "turndb", NULL);
    g_unlink (cmd);
    g_free (cmd);
    g_rmdir (dir);
    g_free (dir);
  }
}

int
main (int argc, char **argv)
{
  GPid turn_pid = 0;
  gchar *turn_dir = NULL;
  int ret;

  gst_wcs_process_init ();
  gst_check_init (&argc, &argv);
  if (g_strcmp0 (g_getenv ("GST_CHECKS"), "test_turn_relay") == 0) {
    turn_pid = turn_start (&turn_port, &turn_dir);
    if (!turn_pid) {
      turn_stop (0, turn_dir);
      return 77;
    }
  }
  ret = gst_check_run_suite (ice_suite (), "ice", __FILE__);
  turn_stop (turn_pid, turn_dir);
  return ret;
}
