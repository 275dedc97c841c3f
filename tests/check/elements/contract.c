/* gst-wcs: what both elements promise, written once
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * docs/elements.md sections 1, 4 and 5 hold for wcspublishsink and
 * wcsplaysrc alike: every test here is a loop test over the two elements
 * (the `elements` table), so a shared promise is checked once for both.
 * What only one element does stays in its own suite (wcspublishsink.c,
 * wcsplaysrc.c); restore scenarios in restore.c. Every end-to-end test runs
 * its own wcs-relay on a free loopback port; every wait is bounded.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "wcstestutil.h"

/* relay + DTLS + ICE + first key frame on a loaded 2-core box */
#define MEDIA_WAIT_MS 30000
#define NULL_MAX_US (5 * G_TIME_SPAN_SECOND)
#define CYCLES 3

/* NULL is quick */
static void
pipe_stop (WcsTestPipe * p)
{
  gint64 start = g_get_monotonic_time ();

  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  fail_unless (g_get_monotonic_time () - start < NULL_MAX_US,
      "NULL took %" G_GINT64_FORMAT " ms",
      (g_get_monotonic_time () - start) / 1000);
}

static void
pipe_free (WcsTestPipe * p)
{
  pipe_stop (p);
  wcs_test_pipe_free (p);
}

static gint
pipe_wait (WcsTestPipe * p, guint from, GstMessageType type,
    const gchar * name, const gchar * field, const gchar * value,
    guint timeout_ms)
{
  return wcs_test_bus_log_wait (p->log, g_main_context_default (), from, type,
      name, field, value, timeout_ms, NULL);
}

/* the nick of enum property @prop */
static const gchar *
enum_nick (GstElement * el, const gchar * prop)
{
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (el),
      prop);
  GEnumValue *ev;
  gint v = 0;

  g_object_get (el, prop, &v, NULL);
  ev = g_enum_get_value (g_type_class_peek (ps->value_type), v);
  fail_unless (ev != NULL, "%s: no enum value %d", prop, v);
  return ev->value_nick;
}

/* ------------------------------------------------------------------ */
/* relay                                                               */

static WcsTestRelay *
relay_start (void)
{
  WcsTestRelay *relay = wcs_test_relay_start (0, NULL);

  fail_unless (relay != NULL, "wcs-relay did not start");
  return relay;
}

/* polls until the relay lists @name with @players players (-1: the stream
 * is gone), at most @timeout_ms */
static gboolean
relay_wait_players (WcsTestRelay * relay, const gchar * name, gint players,
    guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;) {
    guint n = 0;
    gboolean found = wcs_test_relay_find_stream (relay, name, NULL, NULL,
        &n);

    if (players < 0 ? !found : (found && n == (guint) players))
      return TRUE;
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    wcs_test_iterate (NULL, 100);
  }
}

/* the relay no longer sees @e on @name: a publisher's stream is gone, a
 * player's publisher has no player left */
static gboolean
relay_wait_left (WcsTestRelay * relay, const WcsTestElement * e,
    const gchar * name)
{
  return relay_wait_players (relay, name, e->player ? 0 : -1, 10000);
}

/* @e on stream @name of @relay */
static WcsTestPipe *
pipe_new_for (const WcsTestElement * e, WcsTestRelay * relay,
    const gchar * name)
{
  gchar *props = g_strdup_printf ("location=%s stream-name=%s", relay->url,
      name);
  WcsTestPipe *p = wcs_test_pipe_new (e, props);

  g_free (props);
  return p;
}

/* for a player: a publisher of @name in this process, PUBLISHING */
static WcsTestPipe *
publisher_for (const WcsTestElement * e, WcsTestRelay * relay,
    const gchar * name)
{
  WcsTestPipe *pub;

  if (!e->player)
    return NULL;
  pub = pipe_new_for (&wcs_test_elements[0], relay, name);
  wcs_test_pipe_play (pub);
  fail_unless (wcs_test_relay_wait_stream (relay, name, "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "publisher of %s not PUBLISHING", name);
  return pub;
}

/* from message @from on: the element streams (wcs-stream-status @active on
 * the bus, the properties agree, the relay sees it) */
static void
assert_streaming (const WcsTestElement * e, WcsTestPipe * p, guint from,
    WcsTestRelay * relay, const gchar * name)
{
  gint idx = pipe_wait (p, from, GST_MESSAGE_ELEMENT, "wcs-stream-status",
      "status", e->active, MEDIA_WAIT_MS);
  GstStructure *s;

  fail_unless (idx >= 0, "%s: no wcs-stream-status %s", e->factory,
      e->active);
  s = wcs_test_bus_log_structure (p->log, idx);
  fail_unless_equals_string (gst_structure_get_string (s, "stream-name"),
      name);
  gst_structure_free (s);
  fail_unless (wcs_test_bus_log_find (p->log, from, GST_MESSAGE_ELEMENT,
          "wcs-session-status", "status", "ESTABLISHED", NULL) >= 0);
  fail_unless_equals_string (enum_nick (p->el, "session-status"),
      "ESTABLISHED");
  fail_unless_equals_string (enum_nick (p->el, "stream-status"), e->active);
  if (e->player)
    fail_unless (relay_wait_players (relay, name, 1, 10000),
        "the relay sees no player of %s", name);
  else
    fail_unless (wcs_test_relay_wait_stream (relay, name, "PUBLISHING", NULL,
            10000), "the relay does not see %s PUBLISHING", name);
}

/* ------------------------------------------------------------------ */
/* (a) shared properties, elements.md section 1                        */

typedef struct
{
  const gchar *name;
  GType type;
  const gchar *def;             /* serialized default, NULL: none checked */
  gboolean writable;
  gboolean mutable_playing;     /* documented "changeable while playing" */
  gboolean zero_ok;             /* uint: 0 is a documented value */
} PropSpec;

GST_START_TEST (test_shared_properties)
{
  const PropSpec props[] = {
    {"location", G_TYPE_STRING, "ws://127.0.0.1:8080", TRUE},
    {"stream-name", G_TYPE_STRING, NULL, TRUE},
    {"app-key", G_TYPE_STRING, "defaultApp", TRUE},
    {"custom", GST_TYPE_STRUCTURE, NULL, TRUE},
    {"restore-connection", G_TYPE_BOOLEAN, "true", TRUE, TRUE},
    /* 0 must be settable to be refused at READY->PAUSED (test_bad_config) */
    {"restore-timeout", G_TYPE_UINT, "3000", TRUE, FALSE, TRUE},
    {"restore-max-tries", G_TYPE_UINT, "100", TRUE, FALSE, TRUE},
    {"receive-probes", G_TYPE_UINT, "10", TRUE, FALSE, TRUE},
    {"probes-interval", G_TYPE_UINT, "5000", TRUE, FALSE, TRUE},
    {"connect-timeout", G_TYPE_UINT, "10000", TRUE, FALSE, TRUE},
    {"stream-timeout", G_TYPE_UINT, "10000", TRUE, TRUE, TRUE},
    {"session-status", G_TYPE_ENUM, "PENDING", FALSE},
    {"stream-status", G_TYPE_ENUM, "NEW", FALSE},
    {"codec", G_TYPE_STRING, NULL, FALSE},
    {"stats", GST_TYPE_STRUCTURE, NULL, FALSE},
    /* TLS (wss://), READY-only: checked below */
    {"ssl-ca-file", G_TYPE_STRING, NULL, TRUE},
    {"ssl-use-system-ca-file", G_TYPE_BOOLEAN, "true", TRUE},
    {"tls-database", G_TYPE_TLS_DATABASE, NULL, TRUE},
    {"tls-interaction", G_TYPE_TLS_INTERACTION, NULL, TRUE},
    {"tls-validation-flags", G_TYPE_TLS_CERTIFICATE_FLAGS, NULL, TRUE},
    /* WCS "transport" (auto: omitted), READY-only */
    {"transport", G_TYPE_ENUM, "auto", TRUE},
    /* server failover, READY-only; failover-tries 0 is refused at
     * READY->PAUSED (test_bad_config) */
    {"backup-locations", GST_TYPE_ARRAY, NULL, TRUE},
    {"failover-tries", G_TYPE_UINT, "3", TRUE, FALSE, TRUE},
    {"failback", G_TYPE_BOOLEAN, "false", TRUE},
  };
  static const gchar *const tls_props[] = { "ssl-ca-file",
    "ssl-use-system-ca-file", "tls-database", "tls-interaction",
    "tls-validation-flags", "transport", "backup-locations",
    "failover-tries", "failback"
  };
  GTlsCertificateFlags tls_flags = 0;
  GTlsDatabase *tls_db = NULL;
  static const gchar *const stats_fields[] = { "bitrate", "bytes",
    "restores", "restore-attempts", "last-restore-reason", "downtime-ms",
    "session-status", "stream-status", "server", "server-index"
  };
  const WcsTestElement *e = &wcs_test_elements[__i__];
  GstElement *el = gst_element_factory_make (e->factory, NULL);
  GstStructure *stats = NULL;
  gchar *str = NULL;
  guint i;

  fail_unless (el != NULL, "no %s", e->factory);
  fail_unless (GST_IS_BIN (el));
  fail_unless_equals_string (gst_element_factory_get_metadata
      (gst_element_get_factory (el), GST_ELEMENT_METADATA_KLASS), e->klass);

  for (i = 0; i < G_N_ELEMENTS (props); i++) {
    const PropSpec *ps = &props[i];
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (el),
        ps->name);
    GValue value = G_VALUE_INIT;

    fail_unless (pspec != NULL, "%s: no property %s", e->factory, ps->name);
    fail_unless (g_type_is_a (pspec->value_type, ps->type),
        "%s has type %s", ps->name, g_type_name (pspec->value_type));
    fail_unless (((pspec->flags & G_PARAM_WRITABLE) != 0) == ps->writable,
        "%s writability", ps->name);
    /* documented as changeable while playing (others may be too) */
    if (ps->mutable_playing)
      fail_unless (pspec->flags & GST_PARAM_MUTABLE_PLAYING,
          "%s is not changeable while playing", ps->name);
    fail_unless (g_param_spec_get_blurb (pspec) &&
        strlen (g_param_spec_get_blurb (pspec)) > 10, "%s blurb", ps->name);
    if (G_IS_PARAM_SPEC_UINT (pspec)) {
      GParamSpecUInt *u = G_PARAM_SPEC_UINT (pspec);

      /* milliseconds and counts: no artificial cap */
      fail_unless_equals_int (u->maximum, G_MAXUINT);
      if (ps->zero_ok)
        fail_unless_equals_int (u->minimum, 0);
    }
    if (!ps->def)
      continue;
    g_value_init (&value, pspec->value_type);
    g_object_get_property (G_OBJECT (el), ps->name, &value);
    if (G_VALUE_HOLDS_ENUM (&value)) {
      GEnumValue *ev = g_enum_get_value (G_ENUM_CLASS (g_type_class_peek
              (pspec->value_type)), g_value_get_enum (&value));
      fail_unless (ev != NULL);
      fail_unless_equals_string (ev->value_nick, ps->def);
    } else {
      gchar *v = G_VALUE_HOLDS_STRING (&value) ?
          g_value_dup_string (&value) : gst_value_serialize (&value);
      fail_unless_equals_string (v, ps->def);
      g_free (v);
    }
    g_value_unset (&value);
  }

  /* the TLS settings and the transport hold for a whole run: READY-only */
  for (i = 0; i < G_N_ELEMENTS (tls_props); i++) {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (el),
        tls_props[i]);

    fail_unless (pspec->flags & GST_PARAM_MUTABLE_READY, "%s", tls_props[i]);
    fail_if (pspec->flags & GST_PARAM_MUTABLE_PLAYING, "%s", tls_props[i]);
  }
  g_object_get (el, "tls-validation-flags", &tls_flags, "tls-database",
      &tls_db, NULL);
  fail_unless_equals_int (tls_flags, G_TLS_CERTIFICATE_VALIDATE_ALL);
  fail_unless (tls_db == NULL);

  /* nothing before PAUSED: no stream-name, no codec */
  g_object_get (el, "stream-name", &str, NULL);
  fail_unless (str == NULL, "default stream-name '%s'", str);
  g_object_get (el, "codec", &str, NULL);
  fail_unless (str == NULL, "codec '%s' before any stream", str);

  g_object_get (el, "stats", &stats, NULL);
  fail_unless (stats != NULL);
  for (i = 0; i < G_N_ELEMENTS (stats_fields); i++)
    fail_unless (gst_structure_has_field (stats, stats_fields[i]),
        "%s: stats lack %s", e->factory, stats_fields[i]);
  fail_unless_equals_string (gst_structure_get_string (stats,
          "last-restore-reason"), "none");
  /* before any start: location */
  fail_unless_equals_string (gst_structure_get_string (stats, "server"),
      "ws://127.0.0.1:8080");
  gst_structure_free (stats);

  gst_check_object_destroyed_on_unref (el);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* (b) bad configuration: READY->PAUSED fails, the ERROR names it       */

GST_START_TEST (test_bad_config)
{
  static const struct
  {
    const gchar *props;
    const gchar *named;
  } cases[] = {
    {"location=ws://127.0.0.1:9", "stream-name"},
    {"stream-name=s location=http://127.0.0.1:9", "location"},
    {"stream-name=s location=http://x", "location"},
    {"stream-name=s location=garbage", "location"},
    {"stream-name=s location=ws://", "location"},
    /* a location's password stays out of the message (checked below) */
    {"stream-name=s location=http://user:secret@127.0.0.1:9", "location"},
    {"stream-name=s location=ws://127.0.0.1:9 restore-timeout=0",
        "restore-timeout"},
    {"stream-name=s location=ws://127.0.0.1:9 "
          "backup-locations=<\"http://127.0.0.1:9\">", "backup-locations"},
    {"stream-name=s location=ws://127.0.0.1:9 "
          "backup-locations=<\"ws://127.0.0.1:10\",\"ws://\">",
        "backup-locations"},
    {"stream-name=s location=ws://127.0.0.1:9 failover-tries=0",
        "failover-tries"},
  };
  const WcsTestElement *e = &wcs_test_elements[__i__];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    WcsTestPipe *p = wcs_test_pipe_new (e, cases[i].props);
    guint16 pads = p->el->numpads;
    GError *err = NULL;

    fail_unless_equals_int (gst_element_set_state (p->pipeline,
            GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    fail_unless (wcs_test_bus_log_first_error (p->log, &err, NULL) >= 0,
        "%s %s: no ERROR", e->factory, cases[i].props);
    fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_SETTINGS), "%s %s: unexpected error %s",
        e->factory, cases[i].props, err->message);
    fail_unless (strstr (err->message, cases[i].named) != NULL,
        "%s %s: error '%s' does not name %s", e->factory, cases[i].props,
        err->message, cases[i].named);
    fail_if (strstr (err->message, "secret") != NULL, "%s %s: '%s' shows "
        "the password", e->factory, cases[i].props, err->message);
    g_clear_error (&err);
    /* one ERROR, nothing started: no pad added, no session */
    fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
            GST_MESSAGE_ERROR, NULL, NULL, NULL), 1);
    fail_unless_equals_int (p->el->numpads, pads);
    fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
            "wcs-session-status", NULL, NULL, NULL) < 0);
    pipe_free (p);
  }
}

GST_END_TEST;

/* A CA file that cannot be read (RESOURCE, OPEN_READ) or holds no
 * certificate (RESOURCE, SETTINGS): READY->PAUSED fails, the ERROR names
 * ssl-ca-file, nothing started, the property keeps its value */
GST_START_TEST (test_bad_ca_file)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  gchar *garbage = NULL, *missing, *dir;
  GError *err = NULL;
  gint fd = g_file_open_tmp ("wcs-ca-XXXXXX.pem", &garbage, &err);
  struct
  {
    const gchar *path;
    GstResourceError code;
  } cases[2];
  guint i;

  fail_unless (fd >= 0, "%s", err ? err->message : "?");
  fail_unless (write (fd, "not a certificate\n", 18) == 18);
  close (fd);
  dir = g_path_get_dirname (garbage);
  missing = g_build_filename (dir, "wcs-no-such-ca-file.pem", NULL);
  cases[0].path = missing;
  cases[0].code = GST_RESOURCE_ERROR_OPEN_READ;
  cases[1].path = garbage;
  cases[1].code = GST_RESOURCE_ERROR_SETTINGS;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *props = g_strdup_printf ("stream-name=s "
        "location=wss://127.0.0.1:9 ssl-ca-file=\"%s\"", cases[i].path);
    WcsTestPipe *p = wcs_test_pipe_new (e, props);
    gchar *got = NULL;

    fail_unless_equals_int (gst_element_set_state (p->pipeline,
            GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    fail_unless (wcs_test_bus_log_first_error (p->log, &err, NULL) >= 0,
        "%s %s: no ERROR", e->factory, props);
    fail_unless (g_error_matches (err, GST_RESOURCE_ERROR, cases[i].code),
        "%s %s: unexpected error %d %s", e->factory, props, err->code,
        err->message);
    fail_unless (strstr (err->message, "ssl-ca-file") != NULL &&
        strstr (err->message, cases[i].path) != NULL,
        "%s: error '%s' does not name ssl-ca-file and the file", e->factory,
        err->message);
    g_clear_error (&err);
    fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
            GST_MESSAGE_ERROR, NULL, NULL, NULL), 1);
    fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
            "wcs-session-status", NULL, NULL, NULL) < 0);
    g_object_get (p->el, "ssl-ca-file", &got, NULL);
    fail_unless_equals_string (got, cases[i].path);
    g_free (got);
    pipe_free (p);
    g_free (props);
  }
  g_unlink (garbage);
  g_free (garbage);
  g_free (missing);
  g_free (dir);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* (c) against a relay: streaming, seen by the relay                    */

GST_START_TEST (test_streams)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  g_autoptr (WcsTestRelay) relay = relay_start ();
  WcsTestPipe *pub = publisher_for (e, relay, "c1");
  WcsTestPipe *p = pipe_new_for (e, relay, "c1");
  gint64 deadline;
  gchar *codec = NULL;

  wcs_test_pipe_play (p);
  assert_streaming (e, p, 0, relay, "c1");
  /* media, not only a status: video bytes sent / received */
  deadline = g_get_monotonic_time () + MEDIA_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (wcs_test_element_stats_u64 (p->el, "bytes") == 0 &&
      g_get_monotonic_time () < deadline)
    wcs_test_iterate (NULL, 100);
  fail_unless (wcs_test_element_stats_u64 (p->el, "bytes") > 0,
      "%s: no video bytes", e->factory);
  g_object_get (p->el, "codec", &codec, NULL);
  fail_unless (!g_strcmp0 (codec, "H264") || !g_strcmp0 (codec, "VP8"),
      "codec %s", GST_STR_NULL (codec));
  g_free (codec);
  wcs_test_bus_log_assert_no_error (p->log);

  pipe_free (p);
  fail_unless (relay_wait_left (relay, e, "c1"), "%s left a stream behind",
      e->factory);
  if (pub) {
    wcs_test_bus_log_assert_no_error (pub->log);
    pipe_free (pub);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* (d) NULL -> PLAYING -> NULL, several times, on one pipeline          */

/* types whose instances the leaks tracer counts (GST_TRACERS in the
 * suite's meson environment); the policy first */
static const gchar *const tracked_types[] = {
  "GstWcsRestorePolicy", "GstWebRTCBin", "GstWebRTCNice"
};

GST_START_TEST (test_cycles)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  g_autoptr (WcsTestRelay) relay = relay_start ();
  WcsTestPipe *pub = publisher_for (e, relay, "d1");
  WcsTestPipe *p;
  guint cycle, t;

  /* from here on: what the element under test makes (the publisher a
   * player needs is already there) */
  fail_unless (wcs_test_live_delta_start (), "no leaks tracer: run the "
      "suite with GST_TRACERS=leaks (as meson test does)");
  p = pipe_new_for (e, relay, "d1");
  fail_unless (wcs_test_live_delta ("GstWcsRestorePolicy") == 1,
      "the leaks tracer does not see the element's restore policy (%d)",
      wcs_test_live_delta ("GstWcsRestorePolicy"));

  for (cycle = 0; cycle < CYCLES; cycle++) {
    guint from = wcs_test_bus_log_len (p->log);

    GST_INFO ("%s: cycle %u", e->factory, cycle);
    wcs_test_pipe_play (p);
    assert_streaming (e, p, from, relay, "d1");
    pipe_stop (p);
    fail_unless (relay_wait_left (relay, e, "d1"),
        "%s: cycle %u left a stream behind", e->factory, cycle);
    /* a deliberate stop: the session closed, nothing restored */
    fail_unless (pipe_wait (p, from, GST_MESSAGE_ELEMENT,
            "wcs-session-status", "status", "DISCONNECTED", 5000) >= 0,
        "%s: cycle %u: no DISCONNECTED", e->factory, cycle);
    fail_unless (wcs_test_bus_log_find (p->log, from, GST_MESSAGE_ELEMENT,
            "wcs-restore", NULL, NULL, NULL) < 0,
        "%s: cycle %u: NULL restored", e->factory, cycle);
  }
  wcs_test_bus_log_assert_no_error (p->log);
  pipe_free (p);
  /* the element, gone, took everything it made with it: no reference left
   * on its restore policy, webrtcbins or ICE agents (GstObjects: the tracer
   * sees no plain GObject) */
  for (t = 0; t < G_N_ELEMENTS (tracked_types); t++) {
    gint left = wcs_test_wait_live_delta_at_most (tracked_types[t], 0,
        10000);

    fail_unless (left <= 0, "%s: %d %s made and still alive after the "
        "pipeline was freed", e->factory, left, tracked_types[t]);
  }
  if (pub) {
    wcs_test_bus_log_assert_no_error (pub->log);
    pipe_free (pub);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* (e) no server: WARNING, attempts, then exactly one ERROR             */

/* a loopback port nothing listens on (bound, then released) */
static guint
free_port (void)
{
  GError *err = NULL;
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &err);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *bound;
  guint port;

  fail_unless (sock != NULL, "socket: %s", err ? err->message : "?");
  fail_unless (g_socket_bind (sock, addr, FALSE, &err), "bind: %s",
      err ? err->message : "?");
  bound = g_socket_get_local_address (sock, &err);
  fail_unless (bound != NULL, "%s", err ? err->message : "?");
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  g_socket_close (sock, NULL);
  g_object_unref (sock);
  return port;
}

#define MAX_TRIES 2

GST_START_TEST (test_no_server_gives_up)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  guint scale = wcs_test_timeout_scale ();
  gchar *props = g_strdup_printf ("location=ws://127.0.0.1:%u stream-name=e1 "
      "restore-max-tries=%u restore-timeout=%u", free_port (), MAX_TRIES,
      500 * scale);
  WcsTestPipe *p = wcs_test_pipe_new (e, props);
  gint64 start, error_at = 0;
  gint idx, gave_up, error;
  guint attempt = 0, i, from = 0;
  GstStructure *s;
  GError *err = NULL;
  gchar *dbg = NULL, *reason;

  g_free (props);
  start = g_get_monotonic_time ();
  wcs_test_pipe_play (p);

  fail_unless (pipe_wait (p, 0, GST_MESSAGE_WARNING, NULL, NULL, NULL,
          10000 * scale) >= 0, "%s: no WARNING", e->factory);
  for (i = 1; i <= MAX_TRIES; i++) {
    idx = pipe_wait (p, from, GST_MESSAGE_ELEMENT, "wcs-restore", "phase",
        "attempt", 10000 * scale);
    fail_unless (idx >= 0, "%s: no attempt %u", e->factory, i);
    s = wcs_test_bus_log_structure (p->log, idx);
    fail_unless (gst_structure_get_uint (s, "attempt", &attempt));
    fail_unless_equals_int (attempt, i);
    gst_structure_free (s);
    from = idx + 1;
  }
  gave_up = pipe_wait (p, from, GST_MESSAGE_ELEMENT, "wcs-restore", "phase",
      "gave-up", 10000 * scale);
  fail_unless (gave_up >= 0, "%s: did not give up", e->factory);
  s = wcs_test_bus_log_structure (p->log, gave_up);
  fail_unless (gst_structure_get_uint (s, "attempt", &attempt));
  fail_unless_equals_int (attempt, MAX_TRIES);
  reason = g_strdup (gst_structure_get_string (s, "reason"));
  fail_unless_equals_string (reason, "session-failed");
  /* no backup-locations: every attempt on location */
  fail_unless (g_str_has_prefix (gst_structure_get_string (s, "server"),
          "ws://127.0.0.1:"));
  fail_unless (gst_structure_get_uint (s, "server-index", &attempt));
  fail_unless_equals_int (attempt, 0);
  gst_structure_free (s);

  error = wcs_test_bus_log_wait (p->log, g_main_context_default (), gave_up,
      GST_MESSAGE_ERROR, NULL, NULL, NULL, 5000 * scale, &error_at);
  fail_unless (error >= 0, "%s: no ERROR after gave-up", e->factory);
  /* attempt 1 at once, attempt 2 after ~100 ms; connection refused is
   * immediate: well within this bound even on a loaded box */
  fail_unless (error_at - start <= 10 * G_TIME_SPAN_SECOND * scale,
      "%s: ERROR %" G_GINT64_FORMAT " ms after PLAYING", e->factory,
      (error_at - start) / 1000);
  fail_unless_equals_int (wcs_test_bus_log_first_error (p->log, &err, &dbg),
      error);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ_WRITE), "%s: %s", e->factory,
      err->message);
  fail_unless (strstr (err->message, reason) || (dbg && strstr (dbg, reason)),
      "%s: the ERROR '%s | %s' does not name the reason %s", e->factory,
      err->message, GST_STR_NULL (dbg), reason);
  g_clear_error (&err);
  g_free (dbg);
  g_free (reason);

  /* and nothing after it: one WARNING, one ERROR, no further attempt */
  wcs_test_iterate (NULL, 1000);
  fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
          GST_MESSAGE_ERROR, NULL, NULL, NULL), 1);
  fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
          GST_MESSAGE_WARNING, NULL, NULL, NULL), 1);
  fail_unless (wcs_test_bus_log_find (p->log, gave_up, GST_MESSAGE_ELEMENT,
          "wcs-restore", "phase", "attempt", NULL) < 0,
      "%s: an attempt after giving up", e->factory);
  fail_unless_equals_int (wcs_test_element_stats_u64 (p->el, "restores"), 0);
  pipe_free (p);
}

GST_END_TEST;

static Suite *
contract_suite (void)
{
  Suite *s = suite_create ("contract");
  TCase *tc = tcase_create ("general");
  TCase *e2e = tcase_create ("end-to-end");
  gint n = WCS_TEST_N_ELEMENTS;

  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_shared_properties, 0, n);
  tcase_add_loop_test (tc, test_bad_config, 0, n);
  tcase_add_loop_test (tc, test_bad_ca_file, 0, n);
  tcase_add_loop_test (tc, test_no_server_gives_up, 0, n);

  suite_add_tcase (s, e2e);
  tcase_set_timeout (e2e, 120);
  tcase_add_loop_test (e2e, test_streams, 0, n);
  tcase_add_loop_test (e2e, test_cycles, 0, n);
  return s;
}

WCS_CHECK_MAIN (contract);
