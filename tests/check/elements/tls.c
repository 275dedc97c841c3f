/* gst-wcs: wss:// with a private CA, for both elements
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * docs/elements.md section 1.1: ssl-ca-file, ssl-use-system-ca-file,
 * tls-database, tls-validation-flags. main() makes a throw-away CA and a
 * server certificate it signed (127.0.0.1 and localhost) with the openssl
 * tool in a temporary directory; every test runs its own wcs-relay with that
 * certificate (--tls-cert / --tls-key) on a free loopback port. Without the
 * openssl tool the suite cannot run: exit 77 (SKIP), never a pass.
 *
 * Loop tests over the two elements, like contract.c; the player plays a
 * stream published in this process by a wcspublishsink trusting the CA.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "wcstestutil.h"

/* relay + DTLS + ICE + first key frame on a loaded 2-core box */
#define MEDIA_WAIT_MS 30000
/* a refused certificate is known after one TLS handshake */
#define ERROR_WAIT_MS 15000

/* made by main(), removed at its end */
static gchar *tls_dir, *ca_path, *cert_path, *key_path;

/* @e on @stream of @relay with the extra properties @props */
static WcsTestPipe *
pipe_new (const WcsTestElement * e, WcsTestRelay * relay,
    const gchar * stream, const gchar * props)
{
  gchar *all = g_strdup_printf ("location=%s stream-name=%s %s", relay->url,
      stream, props);
  WcsTestPipe *p = wcs_test_pipe_new (e, all);

  g_free (all);
  return p;
}

/* ------------------------------------------------------------------ */
/* relay                                                               */

static WcsTestRelay *
relay_start_tls (guint port)
{
  const gchar *args[] = { "--tls-cert", cert_path, "--tls-key", key_path,
    NULL
  };
  WcsTestRelay *relay = wcs_test_relay_start (port, args);

  fail_unless (relay != NULL, "wcs-relay did not start with TLS");
  fail_unless (g_str_has_prefix (relay->url, "wss://127.0.0.1:"), "url %s",
      relay->url);
  return relay;
}

static gchar *
ca_props (void)
{
  return g_strdup_printf ("ssl-ca-file=\"%s\"", ca_path);
}

/* for a player: a publisher of @stream trusting the CA, PUBLISHING */
static WcsTestPipe *
publisher_for (const WcsTestElement * e, WcsTestRelay * relay,
    const gchar * stream)
{
  gchar *props;
  WcsTestPipe *pub;

  if (!e->player)
    return NULL;
  props = ca_props ();
  pub = pipe_new (&wcs_test_elements[0], relay, stream, props);
  g_free (props);
  wcs_test_pipe_play (pub);
  fail_unless (wcs_test_relay_wait_stream (relay, stream, "PUBLISHING", NULL,
          MEDIA_WAIT_MS), "publisher of %s not PUBLISHING", stream);
  return pub;
}

/* @p streams over wss://: its active status on the bus and media (video
 * bytes sent / received), no ERROR */
static void
assert_streams (const WcsTestElement * e, WcsTestPipe * p)
{
  gint64 deadline;

  fail_unless (wcs_test_bus_log_wait (p->log, g_main_context_default (), 0,
          GST_MESSAGE_ELEMENT, "wcs-stream-status", "status", e->active,
          MEDIA_WAIT_MS, NULL) >= 0, "%s: not %s over wss://", e->factory,
      e->active);
  deadline = g_get_monotonic_time () + MEDIA_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (wcs_test_element_stats_u64 (p->el, "bytes") == 0 &&
      g_get_monotonic_time () < deadline)
    wcs_test_iterate (NULL, 100);
  fail_unless (wcs_test_element_stats_u64 (p->el, "bytes") > 0,
      "%s: no video bytes over wss://", e->factory);
  wcs_test_bus_log_assert_no_error (p->log);
}

/* a permanent failure: the restore loop only says gave-up (attempt 0),
 * nothing was scheduled or attempted */
static void
assert_not_retried (const WcsTestElement * e, WcsTestPipe * p)
{
  fail_unless (wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
          "wcs-restore", "phase", "scheduled", NULL) < 0 &&
      wcs_test_bus_log_find (p->log, 0, GST_MESSAGE_ELEMENT,
          "wcs-restore", "phase", "attempt", NULL) < 0,
      "%s: a refused certificate went through the restore loop", e->factory);
  fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
          GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "gave-up"), 1);
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

/* ssl-ca-file = the private CA: it streams */
GST_START_TEST (test_ca_file_streams)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  g_autoptr (WcsTestRelay) relay = relay_start_tls (0);
  WcsTestPipe *pub = publisher_for (e, relay, "t1");
  gchar *props = ca_props ();
  WcsTestPipe *p = pipe_new (e, relay, "t1", props);
  gchar *got = NULL;

  g_object_get (p->el, "ssl-ca-file", &got, NULL);
  fail_unless_equals_string (got, ca_path);
  g_free (got);
  wcs_test_pipe_play (p);
  assert_streams (e, p);
  wcs_test_pipe_free (p);
  if (pub)
    wcs_test_pipe_free (pub);
  g_free (props);
}

GST_END_TEST;

/* Without the CA (the system's CAs do not know it): ERROR at once, RESOURCE
 * OPEN_READ_WRITE naming the reason; no restore, no WARNING, one connect */
GST_START_TEST (test_untrusted_error)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  g_autoptr (WcsTestRelay) relay = relay_start_tls (0);
  WcsTestPipe *p = pipe_new (e, relay, "t2", "");
  GError *err = NULL;
  gchar *debug = NULL;

  wcs_test_pipe_play (p);
  fail_unless (wcs_test_bus_log_wait (p->log, g_main_context_default (), 0,
          GST_MESSAGE_ERROR, NULL, NULL, NULL, ERROR_WAIT_MS, NULL) >= 0,
      "%s: no ERROR for an untrusted certificate", e->factory);
  fail_unless (wcs_test_bus_log_first_error (p->log, &err, &debug) >= 0);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ_WRITE), "%s: ERROR %s %d: %s",
      e->factory, g_quark_to_string (err->domain), err->code, err->message);
  fail_unless (strstr (err->message, "unknown CA") ||
      (debug && strstr (debug, "unknown CA")), "%s: '%s' (%s) does not say "
      "unknown CA", e->factory, err->message, GST_STR_NULL (debug));
  /* anything that would come after it, if it were retried */
  wcs_test_iterate (NULL, 500);
  assert_not_retried (e, p);
  fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
          GST_MESSAGE_WARNING, NULL, NULL, NULL), 0);
  fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
          GST_MESSAGE_ELEMENT, "wcs-session-status", "status", "PENDING"), 1);
  fail_unless_equals_int (wcs_test_bus_log_count (p->log, 0,
          GST_MESSAGE_ELEMENT, "wcs-session-status", "status", "CONNECTED"),
      0);
  fail_unless_equals_int (wcs_test_element_stats_u64 (p->el,
          "restore-attempts"), 0);
  g_clear_error (&err);
  g_free (debug);
  wcs_test_pipe_free (p);
}

GST_END_TEST;

/* tls-validation-flags without unknown-ca, no CA file: it streams */
GST_START_TEST (test_flags_relaxed_streams)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  g_autoptr (WcsTestRelay) relay = relay_start_tls (0);
  WcsTestPipe *pub = publisher_for (e, relay, "t3");
  WcsTestPipe *p = pipe_new (e, relay, "t3", "tls-validation-flags="
      "bad-identity+not-activated+expired+revoked+insecure+generic-error");
  GTlsCertificateFlags flags = 0;

  g_object_get (p->el, "tls-validation-flags", &flags, NULL);
  fail_unless_equals_int (flags, G_TLS_CERTIFICATE_VALIDATE_ALL &
      ~G_TLS_CERTIFICATE_UNKNOWN_CA);
  wcs_test_pipe_play (p);
  assert_streams (e, p);
  wcs_test_pipe_free (p);
  if (pub)
    wcs_test_pipe_free (pub);
}

GST_END_TEST;

/* ssl-use-system-ca-file=false and no CA file: nothing is trusted, a
 * refusal like an unknown CA (ERROR at once, no restore) */
GST_START_TEST (test_no_ca_at_all_refused)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  g_autoptr (WcsTestRelay) relay = relay_start_tls (0);
  WcsTestPipe *p = pipe_new (e, relay, "t4", "ssl-use-system-ca-file=false");
  GError *err = NULL;

  wcs_test_pipe_play (p);
  fail_unless (wcs_test_bus_log_wait (p->log, g_main_context_default (), 0,
          GST_MESSAGE_ERROR, NULL, NULL, NULL, ERROR_WAIT_MS, NULL) >= 0,
      "%s: no ERROR without any CA", e->factory);
  fail_unless (wcs_test_bus_log_first_error (p->log, &err, NULL) >= 0);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ_WRITE), "%s: %s", e->factory,
      err->message);
  g_clear_error (&err);
  wcs_test_iterate (NULL, 500);
  assert_not_retried (e, p);
  wcs_test_pipe_free (p);
}

GST_END_TEST;

/* a GTlsDatabase set from code (tls-database) trusting the CA: streams */
GST_START_TEST (test_tls_database_streams)
{
  const WcsTestElement *e = &wcs_test_elements[__i__];
  g_autoptr (WcsTestRelay) relay = relay_start_tls (0);
  WcsTestPipe *pub = publisher_for (e, relay, "t5");
  WcsTestPipe *p = pipe_new (e, relay, "t5", "");
  GError *err = NULL;
  GTlsDatabase *db = g_tls_file_database_new (ca_path, &err);

  fail_unless (db != NULL, "%s", err ? err->message : "?");
  g_object_set (p->el, "tls-database", db, NULL);
  g_object_unref (db);
  wcs_test_pipe_play (p);
  assert_streams (e, p);
  wcs_test_pipe_free (p);
  if (pub)
    wcs_test_pipe_free (pub);
}

GST_END_TEST;

/* The CA is used on every connect: the relay restarts on the same port
 * (same certificate), the publisher restores over wss:// */
GST_START_TEST (test_restore_reconnects_with_ca)
{
  const WcsTestElement *e = &wcs_test_elements[0];
  WcsTestRelay *relay = relay_start_tls (0);
  guint port = relay->port;
  gchar *props = g_strdup_printf ("ssl-ca-file=\"%s\" restore-timeout=500",
      ca_path);
  WcsTestPipe *p = pipe_new (e, relay, "t6", props);
  guint from;

  wcs_test_pipe_play (p);
  assert_streams (e, p);
  from = wcs_test_bus_log_len (p->log);
  wcs_test_relay_free (relay);
  relay = relay_start_tls (port);
  fail_unless (wcs_test_bus_log_wait (p->log, g_main_context_default (), from,
          GST_MESSAGE_ELEMENT, "wcs-restore", "phase", "restored",
          MEDIA_WAIT_MS, NULL) >= 0, "no restore over wss:// with the CA");
  fail_unless (wcs_test_relay_wait_stream (relay, "t6", "PUBLISHING", NULL,
          MEDIA_WAIT_MS));
  wcs_test_bus_log_assert_no_error (p->log);
  wcs_test_pipe_free (p);
  wcs_test_relay_free (relay);
  g_free (props);
}

GST_END_TEST;

static Suite *
tls_suite (void)
{
  Suite *s = suite_create ("tls");
  TCase *tc = tcase_create ("wss");
  gint n = WCS_TEST_N_ELEMENTS;

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_ca_file_streams, 0, n);
  tcase_add_loop_test (tc, test_untrusted_error, 0, n);
  tcase_add_loop_test (tc, test_flags_relaxed_streams, 0, n);
  tcase_add_loop_test (tc, test_no_ca_at_all_refused, 0, n);
  tcase_add_loop_test (tc, test_tls_database_streams, 0, n);
  tcase_add_test (tc, test_restore_reconnects_with_ca);
  return s;
}

/* ------------------------------------------------------------------ */
/* the throw-away CA                                                   */

static gboolean
run_openssl (const gchar * openssl, const gchar * args)
{
  gchar *cmd = g_strdup_printf ("%s %s", openssl, args);
  gchar *err_out = NULL;
  gint status = -1;
  GError *err = NULL;
  gboolean ok;

  ok = g_spawn_command_line_sync (cmd, NULL, &err_out, &status, &err) &&
      g_spawn_check_wait_status (status, &err);
  if (!ok)
    g_printerr ("%s failed: %s\n%s\n", cmd, err ? err->message : "?",
        GST_STR_NULL (err_out));
  g_clear_error (&err);
  g_free (err_out);
  g_free (cmd);
  return ok;
}

/* ca.pem (CA:TRUE) and cert.pem / key.pem for 127.0.0.1 and localhost,
 * signed by it */
static gboolean
make_certificates (const gchar * openssl)
{
  gchar *ca_key, *csr, *ext, *args;
  gboolean ok;

  tls_dir = g_dir_make_tmp ("wcs-tls-XXXXXX", NULL);
  if (!tls_dir)
    return FALSE;
  ca_path = g_build_filename (tls_dir, "ca.pem", NULL);
  ca_key = g_build_filename (tls_dir, "ca.key", NULL);
  cert_path = g_build_filename (tls_dir, "cert.pem", NULL);
  key_path = g_build_filename (tls_dir, "key.pem", NULL);
  csr = g_build_filename (tls_dir, "cert.csr", NULL);
  ext = g_build_filename (tls_dir, "ext.cnf", NULL);

  ok = g_file_set_contents (ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
      "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n", -1, NULL);
  args = g_strdup_printf ("req -x509 -newkey rsa:2048 -nodes -days 2 "
      "-subj /CN=gst-wcs-test-CA -addext basicConstraints=critical,CA:TRUE "
      "-addext keyUsage=critical,keyCertSign,cRLSign -keyout %s -out %s",
      ca_key, ca_path);
  ok = ok && run_openssl (openssl, args);
  g_free (args);
  args = g_strdup_printf ("req -new -newkey rsa:2048 -nodes "
      "-subj /CN=127.0.0.1 -keyout %s -out %s", key_path, csr);
  ok = ok && run_openssl (openssl, args);
  g_free (args);
  args = g_strdup_printf ("x509 -req -in %s -CA %s -CAkey %s -set_serial 2 "
      "-days 2 -extfile %s -out %s", csr, ca_path, ca_key, ext, cert_path);
  ok = ok && run_openssl (openssl, args);
  g_free (args);

  g_unlink (ca_key);
  g_unlink (csr);
  g_unlink (ext);
  g_free (ca_key);
  g_free (csr);
  g_free (ext);
  return ok;
}

static void
remove_certificates (void)
{
  if (tls_dir) {
    g_unlink (ca_path);
    g_unlink (cert_path);
    g_unlink (key_path);
    g_rmdir (tls_dir);
  }
  g_free (ca_path);
  g_free (cert_path);
  g_free (key_path);
  g_free (tls_dir);
}

int
main (int argc, char **argv)
{
  gchar *openssl = g_find_program_in_path ("openssl");
  int ret;

  gst_wcs_process_init ();
  if (!openssl) {
    g_printerr ("SKIP elements/tls: openssl not found (scripts/setup "
        "installs it): no CA can be made, the TLS tests did NOT run\n");
    return 77;
  }
  /* loopback only: never ask the system (libproxy) for a proxy */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  gst_check_init (&argc, &argv);
  if (!make_certificates (openssl)) {
    /* openssl is there and failed: that is a failure, not a skip */
    g_printerr ("elements/tls: could not make the test CA\n");
    remove_certificates ();
    g_free (openssl);
    return 1;
  }
  g_free (openssl);
  ret = gst_check_run_suite (tls_suite (), "tls", __FILE__);
  remove_certificates ();
  return ret;
}
