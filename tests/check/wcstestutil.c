/* gst-wcs: helpers shared by every end-to-end test (see wcstestutil.h)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "wcstestutil.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#define START_TIMEOUT_MS (15000 * wcs_test_timeout_scale ())
#define STOP_TIMEOUT_MS (5000 * wcs_test_timeout_scale ())
#define REST_TIMEOUT_S (5 * wcs_test_timeout_scale ())
#define LISTEN_PREFIX "listening on "

guint
wcs_test_timeout_scale (void)
{
  static gsize scale = 0;

  if (g_once_init_enter (&scale)) {
    const gchar *env = g_getenv ("WCS_TEST_TIMEOUT_SCALE");
    guint64 v = env ? g_ascii_strtoull (env, NULL, 10) : 1;
    g_once_init_leave (&scale, (gsize) CLAMP (v, 1, 100));
  }
  return (guint) scale;
}

/* monotonic time @timeout_ms (x wcs_test_timeout_scale ()) from now */
static gint64
scaled_deadline (guint timeout_ms)
{
  return g_get_monotonic_time () +
      (gint64) timeout_ms * wcs_test_timeout_scale () * 1000;
}

static void
child_setup (gpointer user_data)
{
  /* never outlive the test process, even when it crashes or times out */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Copies the relay's remaining stdout to our stderr until EOF, so the child
 * never blocks on a full pipe. */
static gpointer
drain_thread_func (gpointer data)
{
  gint fd = GPOINTER_TO_INT (data);
  gchar buf[4096];

  for (;;) {
    gssize n = read (fd, buf, sizeof (buf));
    if (n > 0) {
      if (write (STDERR_FILENO, buf, n) < 0) {
        /* nothing sensible to do */
      }
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    break;
  }
  return NULL;
}

/* waitpid with a deadline; TRUE when reaped (status stored) */
static gboolean
reap_within (WcsTestRelay * r, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  if (r->pid <= 0)
    return TRUE;

  for (;;) {
    int status = 0;
    pid_t ret = waitpid (r->pid, &status, WNOHANG);

    if (ret == r->pid || (ret < 0 && errno == ECHILD)) {
      r->wait_status = (ret == r->pid) ? status : -1;
      g_spawn_close_pid (r->pid);
      r->pid = 0;
      return TRUE;
    }
    if (ret < 0 && errno != EINTR)
      return FALSE;
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    g_usleep (10 * 1000);
  }
}

static void
join_drain (WcsTestRelay * r)
{
  if (r->drain_thread) {
    g_thread_join (r->drain_thread);
    r->drain_thread = NULL;
  }
  if (r->stdout_fd >= 0) {
    close (r->stdout_fd);
    r->stdout_fd = -1;
  }
}

/* parses "listening on ws://HOST:PORT" out of @line; port 0 on failure */
static guint
parse_listen_line (const gchar * line, gchar ** url)
{
  const gchar *p = strstr (line, LISTEN_PREFIX);
  const gchar *colon;
  gchar *end = NULL;
  guint64 port;

  if (!p)
    return 0;
  p += strlen (LISTEN_PREFIX);
  if (!g_str_has_prefix (p, "ws://") && !g_str_has_prefix (p, "wss://"))
    return 0;
  colon = strrchr (p, ':');
  if (!colon || colon < p + 6)
    return 0;
  port = g_ascii_strtoull (colon + 1, &end, 10);
  if (end == colon + 1 || port == 0 || port > 65535)
    return 0;
  *url = g_strndup (p, end - p);
  return (guint) port;
}

WcsTestRelay *
wcs_test_relay_start (guint port, const gchar * const *extra_args)
{
  const gchar *relay_path = g_getenv ("WCS_RELAY");
  GPtrArray *argv;
  GError *error = NULL;
  WcsTestRelay *r;
  GString *out;
  gint64 deadline;
  gint out_fd = -1;
  GPid pid = 0;
  gchar *url = NULL;
  guint got_port = 0;

  if (!relay_path || !*relay_path) {
    g_warning ("wcs_test_relay_start: WCS_RELAY is not set");
    return NULL;
  }

  argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (relay_path));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  for (; extra_args && *extra_args; extra_args++)
    g_ptr_array_add (argv, g_strdup (*extra_args));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_async_with_pipes (NULL, (gchar **) argv->pdata, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD, child_setup, NULL, &pid, NULL, &out_fd,
          NULL, &error)) {
    g_warning ("wcs_test_relay_start: cannot spawn %s: %s", relay_path,
        error->message);
    g_clear_error (&error);
    g_ptr_array_unref (argv);
    return NULL;
  }
  g_ptr_array_unref (argv);

  r = g_new0 (WcsTestRelay, 1);
  r->pid = pid;
  r->stdout_fd = out_fd;
  r->wait_status = -1;

  out = g_string_new (NULL);
  deadline = g_get_monotonic_time () + START_TIMEOUT_MS * 1000;
  while (got_port == 0) {
    gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
    struct pollfd pfd = { out_fd, POLLIN, 0 };
    gchar buf[1024];
    gssize n;
    gchar *nl;
    int pr;

    if (left_ms <= 0) {
      g_warning ("wcs_test_relay_start: no \"" LISTEN_PREFIX "\" line "
          "within %u ms", START_TIMEOUT_MS);
      break;
    }
    pr = poll (&pfd, 1, (int) MIN (left_ms, 200));
    if (pr < 0 && errno != EINTR)
      break;
    if (pr <= 0)
      continue;
    n = read (out_fd, buf, sizeof (buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      g_warning ("wcs_test_relay_start: relay exited before listening");
      break;
    }
    g_string_append_len (out, buf, n);
    while ((nl = strchr (out->str, '\n')) != NULL) {
      gchar *line = g_strndup (out->str, nl - out->str);
      got_port = parse_listen_line (line, &url);
      if (got_port == 0)        /* some other output: pass it on */
        g_printerr ("%s\n", line);
      g_free (line);
      g_string_erase (out, 0, nl - out->str + 1);
      if (got_port)
        break;
    }
  }
  if (got_port && out->len > 0) {
    if (write (STDERR_FILENO, out->str, out->len) < 0) {
      /* ignore */
    }
  }
  g_string_free (out, TRUE);

  if (got_port == 0) {
    wcs_test_relay_free (r);
    return NULL;
  }

  r->port = got_port;
  r->url = url;
  r->http_base = g_strdup_printf ("%s://127.0.0.1:%u",
      g_str_has_prefix (url, "wss://") ? "https" : "http", got_port);
  r->drain_thread = g_thread_new ("wcs-relay-stdout", drain_thread_func,
      GINT_TO_POINTER (out_fd));
  return r;
}

void
wcs_test_relay_signal (WcsTestRelay * r, int signo)
{
  g_return_if_fail (r != NULL);

  if (r->pid <= 0)
    return;
  kill (r->pid, signo);
  if (signo == SIGKILL) {
    if (!reap_within (r, STOP_TIMEOUT_MS))
      g_warning ("wcs_test_relay_signal: pid %d not reaped after SIGKILL",
          (int) r->pid);
    else
      join_drain (r);
  }
}

void
wcs_test_relay_stop (WcsTestRelay * r)
{
  g_return_if_fail (r != NULL);

  if (r->pid > 0) {
    kill (r->pid, SIGCONT);
    kill (r->pid, SIGTERM);
    if (!reap_within (r, STOP_TIMEOUT_MS)) {
      g_warning ("wcs_test_relay_stop: pid %d ignored SIGTERM for %u ms, "
          "killing it", (int) r->pid, STOP_TIMEOUT_MS);
      kill (r->pid, SIGKILL);
      if (!reap_within (r, STOP_TIMEOUT_MS))
        g_warning ("wcs_test_relay_stop: pid %d could not be reaped",
            (int) r->pid);
    }
  }
  if (r->pid <= 0)
    join_drain (r);
}

void
wcs_test_relay_free (WcsTestRelay * r)
{
  if (!r)
    return;
  wcs_test_relay_stop (r);
  if (r->pid <= 0)
    join_drain (r);
  g_free (r->url);
  g_free (r->http_base);
  g_free (r);
}

static gboolean
accept_any_certificate (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;                  /* a test relay's self-signed certificate */
}

JsonNode *
wcs_test_relay_rest (WcsTestRelay * r, const gchar * path,
    const gchar * json_body, GError ** error)
{
  SoupSession *session;
  SoupMessage *msg;
  GBytes *body, *reply;
  gchar *uri;
  guint status;
  JsonParser *parser;
  JsonNode *root = NULL;
  gsize len = 0;
  const gchar *data;

  g_return_val_if_fail (r != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  while (*path == '/')
    path++;
  uri = g_strdup_printf ("%s/%s", r->http_base, path);
  msg = soup_message_new (SOUP_METHOD_POST, uri);
  if (!msg) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "invalid URI %s", uri);
    g_free (uri);
    return NULL;
  }
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (accept_any_certificate), NULL);
  body = g_bytes_new (json_body ? json_body : "{}",
      strlen (json_body ? json_body : "{}"));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  g_bytes_unref (body);

  session = soup_session_new_with_options ("timeout", REST_TIMEOUT_S,
      "idle-timeout", REST_TIMEOUT_S, "proxy-resolver", NULL, NULL);
  reply = soup_session_send_and_read (session, msg, NULL, error);
  if (!reply)
    goto out;

  status = soup_message_get_status (msg);
  data = g_bytes_get_data (reply, &len);
  if (status == SOUP_STATUS_NOT_FOUND) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "POST %s: HTTP 404 %s", uri, soup_message_get_reason_phrase (msg));
    goto out;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "POST %s: HTTP %u %s: %.*s", uri, status,
        soup_message_get_reason_phrase (msg), (int) MIN (len, 512),
        data ? data : "");
    goto out;
  }
  if (len == 0) {
    root = json_node_new (JSON_NODE_NULL);
    goto out;
  }
  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, data, len, error))
    root = json_node_copy (json_parser_get_root (parser));
  else if (error && *error)
    g_prefix_error (error, "POST %s: reply is not JSON: ", uri);
  g_object_unref (parser);

out:
  if (reply)
    g_bytes_unref (reply);
  g_object_unref (msg);
  g_object_unref (session);
  g_free (uri);
  return root;
}

gboolean
wcs_test_relay_find_stream (WcsTestRelay * r, const gchar * name,
    gchar ** status, gchar ** codec, guint * players)
{
  JsonNode *root;
  GError *error = NULL;
  JsonArray *arr;
  gboolean found = FALSE;
  guint i;

  g_return_val_if_fail (r != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  root = wcs_test_relay_rest (r, "rest-api/stream/find_all", "{}", &error);
  if (!root) {
    g_printerr ("wcs_test_relay_find_stream: %s\n", error->message);
    g_clear_error (&error);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_ARRAY (root)) {
    json_node_unref (root);
    return FALSE;
  }
  arr = json_node_get_array (root);
  for (i = 0; i < json_array_get_length (arr) && !found; i++) {
    JsonNode *n = json_array_get_element (arr, i);
    JsonObject *o;

    if (!JSON_NODE_HOLDS_OBJECT (n))
      continue;
    o = json_node_get_object (n);
    if (g_strcmp0 (json_object_get_string_member_with_default (o, "name",
                NULL), name) != 0)
      continue;
    found = TRUE;
    if (status)
      *status = g_strdup (json_object_get_string_member_with_default (o,
              "status", NULL));
    if (codec)
      *codec = g_strdup (json_object_get_string_member_with_default (o,
              "codec", NULL));
    if (players)
      *players = (guint) json_object_get_int_member_with_default (o,
          "players", 0);
  }
  json_node_unref (root);
  return found;
}

gboolean
wcs_test_relay_wait_stream (WcsTestRelay * r, const gchar * name,
    const gchar * status, const gchar * codec, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;) {
    gchar *st = NULL, *co = NULL;
    gboolean ok = FALSE;

    if (wcs_test_relay_find_stream (r, name, &st, &co, NULL))
      ok = (!status || g_strcmp0 (st, status) == 0) &&
          (!codec || g_strcmp0 (co, codec) == 0);
    g_free (st);
    g_free (co);
    if (ok)
      return TRUE;
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    wcs_test_iterate (g_main_context_get_thread_default (), 100);
  }
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
wcs_test_wait_flag (GMainContext * ctx, volatile gint * flag, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GSource *tick;

  g_return_val_if_fail (flag != NULL, FALSE);

  if (!ctx)
    ctx = g_main_context_default ();

  /* a periodic no-op source bounds each blocking iteration */
  tick = g_timeout_source_new (20);
  g_source_set_callback (tick, wake_up, NULL, NULL);
  g_source_attach (tick, ctx);

  while (!g_atomic_int_get (flag) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (ctx, TRUE);

  g_source_destroy (tick);
  g_source_unref (tick);
  return g_atomic_int_get (flag) != 0;
}

void
wcs_test_iterate (GMainContext * ctx, guint ms)
{
  volatile gint never = 0;

  wcs_test_wait_flag (ctx, &never, ms);
}

GstElement *
wcs_test_pipeline_parse (const gchar * desc)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch_full (desc, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &err);

  fail_unless (pipeline != NULL, "cannot create '%s': %s", desc,
      err ? err->message : "?");
  g_clear_error (&err);
  if (!GST_IS_PIPELINE (pipeline)) {
    GstElement *pipe = gst_pipeline_new (NULL);

    gst_bin_add (GST_BIN (pipe), pipeline);
    pipeline = pipe;
  }
  return pipeline;
}

/* ------------------------------------------------------------------ */
/* bus recorder                                                        */

typedef struct
{
  gint64 time;                  /* monotonic us */
  GstMessage *msg;
} WcsTestRecorded;

struct _WcsTestBusLog
{
  gint refcount;
  GMutex lock;
  GArray *records;              /* WcsTestRecorded */
};

static void
recorded_clear (gpointer data)
{
  WcsTestRecorded *r = data;

  gst_message_unref (r->msg);
}

static GstBusSyncReply
bus_log_sync (GstBus * bus, GstMessage * msg, gpointer data)
{
  WcsTestBusLog *log = data;
  WcsTestRecorded r = { g_get_monotonic_time (), msg };

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:
      GST_INFO ("%s: %" GST_PTR_FORMAT, GST_MESSAGE_SRC_NAME (msg),
          gst_message_get_structure (msg));
      break;
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_WARNING:
    case GST_MESSAGE_EOS:
      GST_INFO ("%s: %" GST_PTR_FORMAT, GST_MESSAGE_SRC_NAME (msg), msg);
      break;
    default:
      GST_LOG ("%s: %" GST_PTR_FORMAT, GST_MESSAGE_SRC_NAME (msg), msg);
      break;
  }
  /* a sync handler that drops a message owns it: the log keeps that ref */
  g_mutex_lock (&log->lock);
  g_array_append_val (log->records, r);
  g_mutex_unlock (&log->lock);
  return GST_BUS_DROP;
}

WcsTestBusLog *
wcs_test_bus_log_ref (WcsTestBusLog * log)
{
  g_atomic_int_inc (&log->refcount);
  return log;
}

void
wcs_test_bus_log_unref (WcsTestBusLog * log)
{
  if (!log || !g_atomic_int_dec_and_test (&log->refcount))
    return;
  g_array_unref (log->records);
  g_mutex_clear (&log->lock);
  g_free (log);
}

WcsTestBusLog *
wcs_test_bus_log_attach (GstElement * pipeline)
{
  WcsTestBusLog *log = g_new0 (WcsTestBusLog, 1);
  GstBus *bus = gst_element_get_bus (pipeline);

  g_return_val_if_fail (bus != NULL, NULL);
  log->refcount = 1;
  g_mutex_init (&log->lock);
  log->records = g_array_new (FALSE, TRUE, sizeof (WcsTestRecorded));
  g_array_set_clear_func (log->records, recorded_clear);
  gst_bus_set_sync_handler (bus, bus_log_sync, wcs_test_bus_log_ref (log),
      (GDestroyNotify) wcs_test_bus_log_unref);
  gst_object_unref (bus);
  return log;
}

void
wcs_test_bus_log_detach (WcsTestBusLog * log, GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);

  if (bus) {
    gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
    gst_object_unref (bus);
  }
}

guint
wcs_test_bus_log_len (WcsTestBusLog * log)
{
  guint n;

  g_mutex_lock (&log->lock);
  n = log->records->len;
  g_mutex_unlock (&log->lock);
  return n;
}

gint
wcs_test_bus_log_find (WcsTestBusLog * log, guint from, GstMessageType type,
    const gchar * name, const gchar * field, const gchar * value,
    gint64 * when)
{
  gint found = -1;
  guint i;

  g_mutex_lock (&log->lock);
  for (i = from; i < log->records->len && found < 0; i++) {
    WcsTestRecorded *r = &g_array_index (log->records, WcsTestRecorded, i);
    const GstStructure *s = gst_message_get_structure (r->msg);

    if (GST_MESSAGE_TYPE (r->msg) != type)
      continue;
    if (name && (!s || !gst_structure_has_name (s, name)))
      continue;
    if (field && (!s || g_strcmp0 (gst_structure_get_string (s, field),
                value)))
      continue;
    found = i;
    if (when)
      *when = r->time;
  }
  g_mutex_unlock (&log->lock);
  return found;
}

gint
wcs_test_bus_log_wait (WcsTestBusLog * log, GMainContext * ctx, guint from,
    GstMessageType type, const gchar * name, const gchar * field,
    const gchar * value, guint timeout_ms, gint64 * when)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gint idx;

  while ((idx = wcs_test_bus_log_find (log, from, type, name, field, value,
              when)) < 0 && g_get_monotonic_time () < deadline) {
    if (ctx)
      wcs_test_iterate (ctx, 20);
    else
      g_usleep (20 * 1000);
  }
  return idx;
}

guint
wcs_test_bus_log_count (WcsTestBusLog * log, guint from, GstMessageType type,
    const gchar * name, const gchar * field, const gchar * value)
{
  guint n = 0;
  gint idx = (gint) from - 1;

  while ((idx = wcs_test_bus_log_find (log, idx + 1, type, name, field,
              value, NULL)) >= 0)
    n++;
  return n;
}

GstMessage *
wcs_test_bus_log_get (WcsTestBusLog * log, gint index)
{
  GstMessage *msg = NULL;
  guint len;

  g_mutex_lock (&log->lock);
  len = log->records->len;
  if (index >= 0 && (guint) index < len)
    msg = gst_message_ref (g_array_index (log->records, WcsTestRecorded,
            index).msg);
  g_mutex_unlock (&log->lock);
  fail_unless (msg != NULL, "no bus message %d (%u recorded)", index, len);
  return msg;
}

GstStructure *
wcs_test_bus_log_structure (WcsTestBusLog * log, gint index)
{
  GstMessage *msg = wcs_test_bus_log_get (log, index);
  const GstStructure *s = gst_message_get_structure (msg);
  GstStructure *copy = s ? gst_structure_copy (s) : NULL;

  gst_message_unref (msg);
  return copy;
}

gint
wcs_test_bus_log_first_error (WcsTestBusLog * log, GError ** error,
    gchar ** debug)
{
  gint idx = wcs_test_bus_log_find (log, 0, GST_MESSAGE_ERROR, NULL, NULL,
      NULL, NULL);
  GstMessage *msg;

  if (idx < 0)
    return -1;
  msg = wcs_test_bus_log_get (log, idx);
  gst_message_parse_error (msg, error, debug);
  gst_message_unref (msg);
  return idx;
}

void
wcs_test_bus_log_assert_no_error (WcsTestBusLog * log)
{
  gint idx = wcs_test_bus_log_find (log, 0, GST_MESSAGE_ERROR, NULL, NULL,
      NULL, NULL);
  GstMessage *msg;
  GError *err = NULL;
  gchar *dbg = NULL;

  if (idx < 0)
    return;
  msg = wcs_test_bus_log_get (log, idx);
  gst_message_parse_error (msg, &err, &dbg);
  fail ("unexpected ERROR from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
      err->message, GST_STR_NULL (dbg));
  g_clear_error (&err);
  g_free (dbg);
  gst_message_unref (msg);
}

/* A self-signed certificate + key for 127.0.0.1 (CN and an IP
 * subjectAltName, so only its CA is unknown: what the TLS tests need; a
 * GTlsDatabase anchored on it trusts it), made with
 * openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=127.0.0.1
 *   -addext subjectAltName=IP:127.0.0.1 */
const gchar wcs_test_self_signed_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIDHDCCAgSgAwIBAgIULojXztbH4VyHPMKlZ0zJ4iv1sPQwDQYJKoZIhvcNAQEL\n"
  "BQAwFDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEzMDE5NDUzMloYDzIxMjYx\n"
  "MTA2MTk0NTMyWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEB\n"
  "AQUAA4IBDwAwggEKAoIBAQDF1XXtZn26g42kHuKBr6+VLDEj8ZXSKQIx+RPtofWl\n"
  "SVb2E0w6+U5GZz3r13Odk8ZMITbx2mfC8IGd1nPJpD4gfuIJ3L5eDNJKBK9I36La\n"
  "6pYFzBO0tP53TlvLPsEHofsejhGxvPtxB7e6lSaT1xJ/2F4wVNJ/6SvJG6/f/X/+\n"
  "Xo19qPx3V8WSO+5NPAJMs3WNBGcTkp9SR3OFvTOeCfUall8KN2g6xTGOnXR9HrI2\n"
  "Gx3oGVLxOJ4thTnmEyGcZ/BukEDxaBFi4W0cEBGjee/5V+Jm54IBrzij5uk61eUY\n"
  "aTtSyrkeSuA5iZbmff5oHpp9t99Q7vmFiuzHmxZ6P9TBAgMBAAGjZDBiMB0GA1Ud\n"
  "DgQWBBT4zHsSm11DgGhQI5I6fCnUqpTLQTAfBgNVHSMEGDAWgBT4zHsSm11DgGhQ\n"
  "I5I6fCnUqpTLQTAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwDQYJ\n"
  "KoZIhvcNAQELBQADggEBAG+aWMDhw+kk9pjLA3TNu1CTnQa22FX1O0eLsJo0g5PD\n"
  "rNjD2C3Rb1n4UcjZnA7Mls8v6y1U3+jK4n+RlzcKAiAYJmsLiFoYcNq9qOSw8Jfu\n"
  "QSItf1Takbvnl0ranR6krCF82WPWa6c+ZlRf1yny81WSTraJ72xa0DJYmkOPeRFL\n"
  "mA+8bcSwkm8q99L7ms27rLbfZs+ysKKIUsolMLSqZxD3/0FA1hfGPMMHrKxAYbxO\n"
  "pM1cClKdqYUltoC+PY4la0+cFLDFbQez7ch+AqwffiORkjGyWj06N/Vb1uBD6KW5\n"
  "UojHQPo9hfigIGBRpKaXywO4pmHbSkI1bo3ikZGxU2c=\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDF1XXtZn26g42k\n"
  "HuKBr6+VLDEj8ZXSKQIx+RPtofWlSVb2E0w6+U5GZz3r13Odk8ZMITbx2mfC8IGd\n"
  "1nPJpD4gfuIJ3L5eDNJKBK9I36La6pYFzBO0tP53TlvLPsEHofsejhGxvPtxB7e6\n"
  "lSaT1xJ/2F4wVNJ/6SvJG6/f/X/+Xo19qPx3V8WSO+5NPAJMs3WNBGcTkp9SR3OF\n"
  "vTOeCfUall8KN2g6xTGOnXR9HrI2Gx3oGVLxOJ4thTnmEyGcZ/BukEDxaBFi4W0c\n"
  "EBGjee/5V+Jm54IBrzij5uk61eUYaTtSyrkeSuA5iZbmff5oHpp9t99Q7vmFiuzH\n"
  "mxZ6P9TBAgMBAAECggEADufHF5CoCug0AQhRrQ85Va4rcqeWT+wGjhDT60zPVvl4\n"
  "W5h3Hx9fAidvryf/vkDeySgcfWrk8/dOcL+yYCAnjSe6LJ+M2UWyh2Cke0NcQA26\n"
  "KWwnlO8pGACXom/TN9nAs5vlIeTY9fpsoZpwumVTL74z1ITjij8dbSzQmrn9DYNc\n"
  "wAYYGigvuX2SBRMW2zSuTPT4TL+OdRkOdx/9ouPRIgSZ11dGGSUHTQsBrKeLTURg\n"
  "yZFReHlFLF6+fgwbi1rfthDmqe1RdTJ3LRDw8d0coHE8fnAXeiYln+A9WZtNiemW\n"
  "cocxLgtJnxHdVN8rCNLnzEXgPvPJyt9Eucpr1Lz1NQKBgQDvfg3l8iLS24+8f5FT\n"
  "HgmKhq88xVfi1Ty6LvDsX6YJ5kZr27CHcXvPj2rba1PlSS9+4LtfSisJvtNQ2Tcw\n"
  "FXEylNhI/+sy8EMRqotca25qYOMS3sz0kJIH1Kgv/qI1KRojNbaqmhxREa1ioGrc\n"
  "puKZFo/Fv78F5wVmUTWyUzUMHQKBgQDTeFK31mUUbgw5i/kNZWkftJ+GN19/POvY\n"
  "ws6s8d5qXSrZTQgvEHAgjRvTlOyKjBBP4GL9482vg68G799SVm2A0YjAVcICxxQu\n"
  "wECsT8Y7Go6A339vbH5Lx+3LRbvJe8PHmsHsNVObcAD+YY2H6rAevP2jL9h9FEXA\n"
  "D0swosGh9QKBgB2KmwRGPe1sj+pcgfySs/KWcn84iIK+cuM0bxt5IO4PrZgYXUoX\n"
  "wYH02uV987dQs78e0X4LlAt7sm1CngAcZP4sRhGbH9QEtwEy3EXmKpSMpvXo7bct\n"
  "LhYxMR3adv+/ti2proKUx/FoEM8dopDdNQ5VLh7ibBm6SXw5gDoi8WQxAoGBAIUk\n"
  "JoBUXcOlHdFFjYKfrLYnlKB+UIPdqWgKDvHYPn6dNhMmatam9NGpxjFKfDsmwEZq\n"
  "MilDugadVB97+xDuFXebdQwTclkpWk2tAYr7lwUzTTFahfNzTXkM4Wyv9PGAGN2d\n"
  "VCcR1BfzRsziQqemXUidGNwbjaQClX+8oUx3zI3ZAoGAJeFW9ea6n4yPbtLjwqOs\n"
  "CLH5errRk3Yl8drNHEkgdt6NRZJog0CRQh1rkj8zb2FWsk77CvfhedTmEkdQjU2S\n"
  "iBsbdqOmCwm6b7qd1og2nxekskia523TugiBEarWRw0QMb39+d2Jlxou4lz3SshR\n"
  "SOumHu5IHtEv/P9bwlYeP7I=\n"
  "-----END PRIVATE KEY-----\n";

guint64
wcs_test_element_stats_u64 (GstElement * element, const gchar * field)
{
  GstStructure *s = NULL;
  guint64 v = 0;
  guint u = 0;

  g_object_get (element, "stats", &s, NULL);
  fail_unless (s != NULL, "%s has no stats", GST_OBJECT_NAME (element));
  if (gst_structure_get_uint (s, field, &u))
    v = u;
  else
    fail_unless (gst_structure_get_uint64 (s, field, &v), "stats without "
        "%s: %" GST_PTR_FORMAT, field, s);
  gst_structure_free (s);
  return v;
}

gboolean
wcs_test_run_cmd (gboolean quiet, const gchar * fmt, ...)
{
  va_list ap;
  gchar *cmd, *out = NULL, *err = NULL;
  gint status = -1;
  GError *error = NULL;
  gboolean ok;

  va_start (ap, fmt);
  cmd = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  ok = g_spawn_command_line_sync (cmd, &out, &err, &status, &error) &&
      g_spawn_check_wait_status (status, NULL);
  if (!ok && !quiet)
    g_printerr ("%s: '%s' failed: %s%s\n", g_get_prgname (), cmd,
        error ? error->message : "", err ? err : "");
  else
    GST_INFO ("ran '%s': %s", cmd, ok ? "ok" : "failed");
  g_clear_error (&error);
  g_free (out);
  g_free (err);
  g_free (cmd);
  return ok;
}

/* ------------------------------------------------------------------ */
/* child processes with their output read line by line                  */

struct _WcsTestChild
{
  GPid pid;
  gint wait_status;             /* -1: not reaped yet */
  GThread *reader;              /* NULL once joined */
  FILE *out;
  GMutex lock;
  GPtrArray *lines;
};

static gpointer
child_read_lines (gpointer data)
{
  WcsTestChild *c = data;
  gchar *line = NULL;
  size_t cap = 0;
  ssize_t len;

  while ((len = getline (&line, &cap, c->out)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    GST_INFO ("child %d: %s", (gint) c->pid, line);
    g_mutex_lock (&c->lock);
    g_ptr_array_add (c->lines, g_strdup (line));
    g_mutex_unlock (&c->lock);
  }
  free (line);
  return NULL;
}

WcsTestChild *
wcs_test_child_start (const gchar * const *argv, const gchar * const *extra_env)
{
  WcsTestChild *c = g_new0 (WcsTestChild, 1);
  gchar **envp = g_get_environ ();
  GError *error = NULL;
  gint out_fd = -1;
  gboolean ok;
  guint i;

  for (i = 0; extra_env && extra_env[i]; i++) {
    const gchar *eq = strchr (extra_env[i], '=');
    gchar *key;

    g_assert (eq);
    key = g_strndup (extra_env[i], eq - extra_env[i]);
    envp = g_environ_setenv (envp, key, eq + 1, TRUE);
    g_free (key);
  }
  g_mutex_init (&c->lock);
  c->lines = g_ptr_array_new_with_free_func (g_free);
  c->wait_status = -1;
  ok = g_spawn_async_with_pipes (NULL, (gchar **) argv, envp,
      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, child_setup, NULL,
      &c->pid, NULL, &out_fd, NULL, &error);
  g_strfreev (envp);
  fail_unless (ok, "cannot start %s: %s", argv[0],
      error ? error->message : "?");
  c->out = fdopen (out_fd, "r");
  fail_unless (c->out != NULL);
  c->reader = g_thread_new ("child-out", child_read_lines, c);
  return c;
}

GPid
wcs_test_child_pid (WcsTestChild * c)
{
  return c->pid;
}

gboolean
wcs_test_child_exited (WcsTestChild * c, gint * status)
{
  if (c->wait_status == -1 &&
      waitpid (c->pid, &c->wait_status, WNOHANG) != c->pid) {
    c->wait_status = -1;
    return FALSE;
  }
  /* the reader has the whole output once the child is gone */
  if (c->reader) {
    g_thread_join (c->reader);
    c->reader = NULL;
  }
  if (status)
    *status = c->wait_status;
  return TRUE;
}

void
wcs_test_child_stop (WcsTestChild * c)
{
  gint64 deadline;

  if (!c)
    return;
  if (c->wait_status == -1) {
    kill (c->pid, SIGINT);      /* gst-launch: EOS, then NULL */
    deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
    while (g_get_monotonic_time () < deadline &&
        waitpid (c->pid, &c->wait_status, WNOHANG) == 0)
      g_usleep (50 * 1000);
  }
  if (c->wait_status == -1) {
    kill (c->pid, SIGKILL);
    waitpid (c->pid, &c->wait_status, 0);
  }
  g_spawn_close_pid (c->pid);
  /* EOF once the child is gone */
  if (c->reader)
    g_thread_join (c->reader);
  fclose (c->out);
  g_ptr_array_unref (c->lines);
  g_mutex_clear (&c->lock);
  g_free (c);
}

guint
wcs_test_child_n_lines (WcsTestChild * c)
{
  guint n;

  g_mutex_lock (&c->lock);
  n = c->lines->len;
  g_mutex_unlock (&c->lock);
  return n;
}

/* the index after the first line from @from on with @a and @b (0: none),
 * and their number in *count */
static guint
child_find (WcsTestChild * c, guint from, const gchar * a, const gchar * b,
    guint * count)
{
  guint i, first = 0, n = 0;

  g_mutex_lock (&c->lock);
  for (i = from; i < c->lines->len; i++) {
    const gchar *l = g_ptr_array_index (c->lines, i);

    if (strstr (l, a) && (!b || strstr (l, b))) {
      if (!n++)
        first = i + 1;
    }
  }
  g_mutex_unlock (&c->lock);
  if (count)
    *count = n;
  return first;
}

guint
wcs_test_child_count (WcsTestChild * c, guint from, const gchar * a,
    const gchar * b)
{
  guint n;

  child_find (c, from, a, b, &n);
  return n;
}

guint
wcs_test_child_wait (WcsTestChild * c, guint from, const gchar * a,
    const gchar * b, guint timeout_ms)
{
  gint64 deadline = scaled_deadline (timeout_ms);

  do {
    guint at = child_find (c, from, a, b, NULL);

    if (at)
      return at;
    wcs_test_iterate (NULL, 50);
  } while (g_get_monotonic_time () < deadline);
  return 0;
}

void
wcs_test_child_dump (WcsTestChild * c, guint from, const gchar * what)
{
  GPtrArray *shown = g_ptr_array_new ();
  guint i;

  g_mutex_lock (&c->lock);
  for (i = from; i < c->lines->len; i++) {
    const gchar *l = g_ptr_array_index (c->lines, i);

    if (strstr (l, "wcs-") || strstr (l, "ERROR") || strstr (l, "WARNING"))
      g_ptr_array_add (shown, (gpointer) l);
  }
  /* the last 60: what happened just before the failing check */
  for (i = shown->len > 60 ? shown->len - 60 : 0; i < shown->len; i++)
    g_printerr ("  %s %d: %s\n", what, (gint) c->pid,
        (const gchar *) g_ptr_array_index (shown, i));
  g_mutex_unlock (&c->lock);
  g_ptr_array_unref (shown);
}

gboolean
wcs_test_veth_add (const gchar * ns, const gchar * host_if,
    const gchar * host_addr, const gchar * ns_if, const gchar * ns_addr)
{
  return wcs_test_run_cmd (FALSE, "ip link add %s type veth peer name %s "
      "netns %s", host_if, ns_if, ns) &&
      (!host_addr || wcs_test_run_cmd (FALSE, "ip addr add %s/30 dev %s",
              host_addr, host_if)) &&
      wcs_test_run_cmd (FALSE, "ip link set %s up", host_if) &&
      wcs_test_run_cmd (FALSE, "ip -n %s link set lo up", ns) &&
      (!ns_addr || wcs_test_run_cmd (FALSE, "ip -n %s addr add %s/30 dev %s",
              ns, ns_addr, ns_if)) &&
      wcs_test_run_cmd (FALSE, "ip -n %s link set %s up", ns, ns_if);
}

/* ------------------------------------------------------------------ */
/* the two elements in a pipeline                                       */

const WcsTestElement wcs_test_elements[WCS_TEST_N_ELEMENTS] = {
  {"wcspublishsink", "Sink/Network/WebRTC",
        "videotestsrc is-live=true pattern=ball "
        "! video/x-raw,width=320,height=240,framerate=15/1 "
        "! wcspublishsink name=wcs check-bitrate=false %s",
      "PUBLISHING", FALSE},
  {"wcsplaysrc", "Source/Network/WebRTC", "wcsplaysrc name=wcs %s",
      "PLAYING", TRUE},
};

void
wcs_test_add_sink (GstElement * pipeline, GstPad * pad, GstElement * sink)
{
  GstPad *sinkpad;

  fail_unless (sink != NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  fail_unless_equals_int (gst_pad_link (pad, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);
}

void
wcs_test_add_fakesink (GstElement * pipeline, GstPad * pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);

  fail_unless (sink != NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  wcs_test_add_sink (pipeline, pad, sink);
}

static void
pipe_pad_added (GstElement * src, GstPad * pad, GstElement * pipeline)
{
  wcs_test_add_fakesink (pipeline, pad);
}

WcsTestPipe *
wcs_test_pipe_new (const WcsTestElement * e, const gchar * props)
{
  WcsTestPipe *p = g_new0 (WcsTestPipe, 1);
  gchar *desc = g_strdup_printf (e->launch, props ? props : "");

  p->pipeline = wcs_test_pipeline_parse (desc);
  p->el = gst_bin_get_by_name (GST_BIN (p->pipeline), "wcs");
  fail_unless (p->el != NULL);
  if (e->player)
    g_signal_connect (p->el, "pad-added", G_CALLBACK (pipe_pad_added),
        p->pipeline);
  p->log = wcs_test_bus_log_attach (p->pipeline);
  GST_INFO ("pipeline: %s", desc);
  g_free (desc);
  return p;
}

void
wcs_test_pipe_play (WcsTestPipe * p)
{
  fail_if (gst_element_set_state (p->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE, "%s: PLAYING failed", GST_OBJECT_NAME (p->el));
}

void
wcs_test_pipe_free (WcsTestPipe * p)
{
  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  wcs_test_bus_log_detach (p->log, p->pipeline);
  wcs_test_bus_log_unref (p->log);
  gst_object_unref (p->el);
  gst_object_unref (p->pipeline);
  g_free (p);
}

static guint
read_count (GMutex * lock, const guint * count)
{
  guint n;

  g_mutex_lock (lock);
  n = *count;
  g_mutex_unlock (lock);
  return n;
}

gboolean
wcs_test_wait_count (GMutex * lock, const guint * count, guint n,
    guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint start = read_count (lock, count);

  while (read_count (lock, count) < start + n
      && g_get_monotonic_time () < deadline)
    wcs_test_iterate (NULL, 20);
  return read_count (lock, count) >= start + n;
}

guint
wcs_test_count_threads_named (const gchar * name)
{
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *tid;
  guint n = 0;

  if (!dir)
    return 0;
  while ((tid = g_dir_read_name (dir))) {
    gchar *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
    gchar *comm = NULL;

    if (g_file_get_contents (path, &comm, NULL, NULL)
        && g_str_equal (g_strstrip (comm), name))
      n++;
    g_free (comm);
    g_free (path);
  }
  g_dir_close (dir);
  return n;
}

gboolean
wcs_test_wait_webrtcbins_at_most (guint max, guint timeout_ms)
{
  /* stretched like every bounded wait (x5 under ASan: a webrtcbin's
   * teardown there took longer than 10 s beside the fault campaign on a
   * fresh Debian); a webrtcbin kept alive never gets there */
  gint64 deadline = scaled_deadline (timeout_ms);

  while (wcs_test_count_threads_named ("webrtc:ice") > max) {
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    g_usleep (50 * 1000);
  }
  return TRUE;
}

static GstTracer *
find_leaks_tracer (void)
{
  GList *l, *tracers = gst_tracing_get_active_tracers ();
  GstTracer *found = NULL;

  for (l = tracers; l; l = l->next) {
    if (!found && g_str_equal (G_OBJECT_TYPE_NAME (l->data), "GstLeaksTracer"))
      found = gst_object_ref (l->data);
  }
  g_list_free_full (tracers, gst_object_unref);
  return found;
}

/* type name -> instances created minus destroyed since the start */
static GHashTable *live_deltas;

gboolean
wcs_test_live_delta_start (void)
{
  GstTracer *tracer = find_leaks_tracer ();

  if (!tracer)
    return FALSE;
  g_signal_emit_by_name (tracer, "activity-stop-tracking");
  g_signal_emit_by_name (tracer, "activity-start-tracking");
  gst_object_unref (tracer);
  if (live_deltas)
    g_hash_table_remove_all (live_deltas);
  else
    live_deltas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        NULL);
  return TRUE;
}

static void
live_delta_add (const GValue * list, gint step)
{
  guint i;

  for (i = 0; list && i < gst_value_list_get_size (list); i++) {
    const GstStructure *s =
        gst_value_get_structure (gst_value_list_get_value (list, i));
    const gchar *name = gst_structure_get_string (s, "type-name");
    gpointer old;

    if (!name)
      continue;
    old = g_hash_table_lookup (live_deltas, name);
    g_hash_table_insert (live_deltas, g_strdup (name),
        GINT_TO_POINTER (GPOINTER_TO_INT (old) + step));
  }
}

gint
wcs_test_live_delta (const gchar * type_name)
{
  GstTracer *tracer = find_leaks_tracer ();
  GstStructure *cp = NULL;

  g_return_val_if_fail (live_deltas != NULL, 0);
  if (tracer) {
    /* type names and addresses only: no reference is taken or given */
    g_signal_emit_by_name (tracer, "activity-get-checkpoint", &cp);
    gst_object_unref (tracer);
  }
  if (cp) {
    live_delta_add (gst_structure_get_value (cp, "objects-created-list"), 1);
    live_delta_add (gst_structure_get_value (cp, "objects-removed-list"), -1);
    gst_structure_free (cp);
  }
  return GPOINTER_TO_INT (g_hash_table_lookup (live_deltas, type_name));
}

gint
wcs_test_wait_live_delta_at_most (const gchar * type_name, gint max,
    guint timeout_ms)
{
  gint64 deadline = scaled_deadline (timeout_ms);
  gint n;

  while ((n = wcs_test_live_delta (type_name)) > max
      && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  return n;
}
