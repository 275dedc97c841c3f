/* gst-wcs: GstWcsSession against an in-process WCS stand-in
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The fake server is a SoupServer on 127.0.0.1 (port 0) running in the
 * test's default main context; the session runs in its own thread. Every
 * wait is a bounded loop over the default context.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>

#include "gstwcssession.h"
#include "wcstestutil.h"

/* ------------------------------------------------------------------ */
/* Bounded waiting                                                     */

typedef gboolean (*Predicate) (gpointer data);

/* Runs the default context until @pred holds or @timeout_ms passed. */
static gboolean
wait_until (Predicate pred, gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;) {
    if (pred (data))
      return TRUE;
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  }
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* ------------------------------------------------------------------ */
/* Recorder: what the session signalled (from its own thread)          */

typedef struct
{
  GstWcsSessionStatus status;
  gchar *reason;
  gint64 time_ms;
  GstWcsSessionFailure failure; /* read during the emission */
} StatusEvent;

typedef struct
{
  GMutex lock;
  GArray *statuses;             /* StatusEvent */
  GPtrArray *sdps;              /* "id|sdp" */
  GPtrArray *streams;           /* "id|name|STATUS|info" */
  GPtrArray *messages;          /* message names */
  GThread *signal_thread;
  gboolean unref_on_final;      /* drop the session from a handler */
  GstWcsSession *session_to_drop;
} Recorder;

static void
status_event_clear (gpointer p)
{
  g_free (((StatusEvent *) p)->reason);
}

static Recorder *
recorder_new (void)
{
  Recorder *rec = g_new0 (Recorder, 1);

  g_mutex_init (&rec->lock);
  rec->statuses = g_array_new (FALSE, TRUE, sizeof (StatusEvent));
  g_array_set_clear_func (rec->statuses, status_event_clear);
  rec->sdps = g_ptr_array_new_with_free_func (g_free);
  rec->streams = g_ptr_array_new_with_free_func (g_free);
  rec->messages = g_ptr_array_new_with_free_func (g_free);
  return rec;
}

static void
recorder_free (Recorder * rec)
{
  g_array_unref (rec->statuses);
  g_ptr_array_unref (rec->sdps);
  g_ptr_array_unref (rec->streams);
  g_ptr_array_unref (rec->messages);
  g_mutex_clear (&rec->lock);
  g_free (rec);
}

static void
on_status_changed (GstWcsSession * s, GstWcsSessionStatus status,
    const gchar * reason, Recorder * rec)
{
  StatusEvent ev = { status, g_strdup (reason), now_ms (),
    gst_wcs_session_get_failure (s)
  };
  GstWcsSession *drop = NULL;

  g_mutex_lock (&rec->lock);
  g_array_append_val (rec->statuses, ev);
  rec->signal_thread = g_thread_self ();
  if (rec->unref_on_final && (status == GST_WCS_SESSION_STATUS_FAILED ||
          status == GST_WCS_SESSION_STATUS_DISCONNECTED)) {
    drop = rec->session_to_drop;
    rec->session_to_drop = NULL;
  }
  g_mutex_unlock (&rec->lock);

  if (drop)
    g_object_unref (drop);
}

static void
on_remote_sdp (GstWcsSession * s, const gchar * id, const gchar * sdp,
    Recorder * rec)
{
  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->sdps, g_strdup_printf ("%s|%s", id, sdp));
  g_mutex_unlock (&rec->lock);
}

static void
on_stream_status (GstWcsSession * s, const gchar * id, const gchar * name,
    GstWcsStreamStatus status, const gchar * info, Recorder * rec)
{
  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->streams, g_strdup_printf ("%s|%s|%s|%s", id,
          GST_STR_NULL (name), gst_wcs_stream_status_to_string (status),
          GST_STR_NULL (info)));
  g_mutex_unlock (&rec->lock);
}

static void
on_message (GstWcsSession * s, const gchar * name, const gchar * raw,
    Recorder * rec)
{
  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->messages, g_strdup (name));
  g_mutex_unlock (&rec->lock);
}

static guint
rec_count_status (Recorder * rec, GstWcsSessionStatus status)
{
  guint i, n = 0;

  g_mutex_lock (&rec->lock);
  for (i = 0; i < rec->statuses->len; i++)
    if (g_array_index (rec->statuses, StatusEvent, i).status == status)
      n++;
  g_mutex_unlock (&rec->lock);
  return n;
}

/* The last status event (copy; reason to be freed) */
static StatusEvent
rec_last (Recorder * rec)
{
  StatusEvent ev = { GST_WCS_SESSION_STATUS_PENDING, NULL, 0 };

  g_mutex_lock (&rec->lock);
  if (rec->statuses->len > 0) {
    ev = g_array_index (rec->statuses, StatusEvent, rec->statuses->len - 1);
    ev.reason = g_strdup (ev.reason);
  }
  g_mutex_unlock (&rec->lock);
  return ev;
}

/* The time of the n-th (1-based) event with @status, -1 if none */
static gint64
rec_status_time (Recorder * rec, GstWcsSessionStatus status, guint nth)
{
  guint i, n = 0;
  gint64 t = -1;

  g_mutex_lock (&rec->lock);
  for (i = 0; i < rec->statuses->len; i++) {
    StatusEvent *ev = &g_array_index (rec->statuses, StatusEvent, i);
    if (ev->status == status && ++n == nth) {
      t = ev->time_ms;
      break;
    }
  }
  g_mutex_unlock (&rec->lock);
  return t;
}

static guint
rec_len (Recorder * rec, GPtrArray * arr)
{
  guint n;

  g_mutex_lock (&rec->lock);
  n = arr->len;
  g_mutex_unlock (&rec->lock);
  return n;
}

static gchar *
rec_get (Recorder * rec, GPtrArray * arr, guint i)
{
  gchar *s = NULL;

  g_mutex_lock (&rec->lock);
  if (i < arr->len)
    s = g_strdup (g_ptr_array_index (arr, i));
  g_mutex_unlock (&rec->lock);
  return s;
}

typedef struct
{
  Recorder *rec;
  GstWcsSessionStatus status;
  guint count;
} StatusWait;

static gboolean
status_count_reached (gpointer data)
{
  StatusWait *w = data;

  return rec_count_status (w->rec, w->status) >= w->count;
}

/* Waits until @status has been reported @count times in total. */
static gboolean
wait_status (Recorder * rec, GstWcsSessionStatus status, guint count,
    guint timeout_ms)
{
  StatusWait w = { rec, status, count };

  return wait_until (status_count_reached, &w, timeout_ms);
}

typedef struct
{
  Recorder *rec;
  GPtrArray *arr;
  guint count;
} LenWait;

static gboolean
len_reached (gpointer data)
{
  LenWait *w = data;

  return rec_len (w->rec, w->arr) >= w->count;
}

static gboolean
wait_len (Recorder * rec, GPtrArray * arr, guint count, guint timeout_ms)
{
  LenWait w = { rec, arr, count };

  return wait_until (len_reached, &w, timeout_ms);
}

/* ------------------------------------------------------------------ */
/* The fake WCS server                                                 */

typedef struct
{
  SoupServer *server;
  GSocketService *service;      /* accepts, then hands streams to server */
  GTlsCertificate *cert;        /* wss:// when set */
  GSocket *last_accepted;
  guint port;
  gchar *url;                   /* ws://127.0.0.1:PORT/ws */
  gboolean reply_user_data;     /* answer "connection" with getUserData */

  guint n_conns;
  SoupWebsocketConnection *conn;        /* the latest connection */
  GSocket *socket;              /* its TCP socket */
  GPtrArray *all_conns;
  GPtrArray *frames;            /* text frames from the latest conn */
  gboolean closed;              /* latest conn closed */
  gushort client_close_code;    /* close code the client sent (0: none) */
  gboolean client_closed_first; /* the close frame came from the client */
} TestServer;

static void
server_on_message (SoupWebsocketConnection * conn, gint type, GBytes * data,
    TestServer * srv)
{
  gsize len;
  const gchar *text = g_bytes_get_data (data, &len);
  GstWcsMessage *msg;

  if (conn != srv->conn || type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  g_ptr_array_add (srv->frames, g_strndup (text, len));

  msg = gst_wcs_message_parse (text, len, NULL);
  if (msg && srv->reply_user_data && strcmp (msg->message, "connection") == 0) {
    gchar *reply = gst_wcs_build_get_user_data (gst_wcs_message_get_object (msg,
            0), "tok-1");
    soup_websocket_connection_send_text (conn, reply);
    g_free (reply);
  }
  if (msg)
    gst_wcs_message_free (msg);
}

static void
server_on_closing (SoupWebsocketConnection * conn, TestServer * srv)
{
  if (conn == srv->conn && soup_websocket_connection_get_close_code (conn))
    srv->client_closed_first = TRUE;
}

static void
server_on_closed (SoupWebsocketConnection * conn, TestServer * srv)
{
  if (conn != srv->conn)
    return;
  srv->closed = TRUE;
  srv->client_close_code = soup_websocket_connection_get_close_code (conn);
}

static void
server_on_websocket (SoupServer * server, SoupServerMessage * msg,
    const char *path, SoupWebsocketConnection * conn, gpointer data)
{
  TestServer *srv = data;

  srv->n_conns++;
  srv->conn = conn;
  g_ptr_array_add (srv->all_conns, g_object_ref (conn));
  /* tests open one connection at a time: the upgrade is on the last one */
  g_clear_object (&srv->socket);
  srv->socket = g_object_ref (srv->last_accepted);
  g_ptr_array_set_size (srv->frames, 0);
  srv->closed = FALSE;
  srv->client_close_code = 0;
  srv->client_closed_first = FALSE;
  g_signal_connect (conn, "message", G_CALLBACK (server_on_message), srv);
  g_signal_connect (conn, "closing", G_CALLBACK (server_on_closing), srv);
  g_signal_connect (conn, "closed", G_CALLBACK (server_on_closed), srv);
}

/* We accept ourselves and give the streams to the SoupServer
 * (soup_server_accept_iostream): libsoup 3.2.3's own listener leaks every
 * accepted GSocket and its local address (fixed upstream by b545d5f0 and
 * c07ff61f), which valgrind would blame on this test. */
static gboolean
server_on_incoming (GSocketService * service, GSocketConnection * conn,
    GObject * source, gpointer data)
{
  TestServer *srv = data;
  GSocketAddress *local = g_socket_connection_get_local_address (conn, NULL);
  GSocketAddress *remote = g_socket_connection_get_remote_address (conn,
      NULL);
  GIOStream *stream = G_IO_STREAM (g_object_ref (conn));
  GError *err = NULL;

  g_clear_object (&srv->last_accepted);
  srv->last_accepted = g_object_ref (g_socket_connection_get_socket (conn));

  if (srv->cert) {
    GIOStream *tls = g_tls_server_connection_new (stream, srv->cert, &err);

    fail_unless (tls != NULL, "TLS: %s", err ? err->message : "?");
    g_object_unref (stream);
    stream = tls;
  }
  fail_unless (soup_server_accept_iostream (srv->server, stream, local, remote,
          &err), "accept: %s", err ? err->message : "?");
  g_object_unref (stream);
  g_clear_object (&local);
  g_clear_object (&remote);
  return TRUE;
}

/* /status/N: the upgrade is answered with HTTP N (refusals, 5xx ...) */
static void
server_on_status (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  guint code = (guint) g_ascii_strtoull (path + strlen ("/status/"), NULL,
      10);

  soup_server_message_set_status (msg, code >= 200 ? code : 500, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
      "no", 2);
}

/* A self-signed certificate + key for 127.0.0.1 (CN, IP subjectAltName)
 * that expired in 2001, made with `openssl ca -selfsign -startdate
 * 20000101000000Z -enddate 20010101000000Z` */
static const gchar expired_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIC1TCCAb2gAwIBAgIBATANBgkqhkiG9w0BAQsFADAUMRIwEAYDVQQDDAkxMjcu\n"
  "MC4wLjEwHhcNMDAwMTAxMDAwMDAwWhcNMDEwMTAxMDAwMDAwWjAUMRIwEAYDVQQD\n"
  "DAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCqW5OV\n"
  "UiGSlzr/vXHmj4RjqHK8rXzF3blH7WNSBaCDHJ59W5tlmxKIjzhAXMqedLXnmi1p\n"
  "lw1L4mC3Ojid+dkLa14OuOS0rkDAbd5Mz0m+uD80basMjXjvhtu0EkomGZavU2Ky\n"
  "MT8cyGiJgBGa61qUH3skTYJcHkX9t9cRlxV3FNbmUfkKp6VkUXNy7AQ1TS6OZBb3\n"
  "lcsOZMKxjBsuoBBtJc5AmGFi+sI8yskMs5th/x8Qxu67IXcdHOVVsq9DZPVIMyOK\n"
  "dasuxGa30/R1R7Z9jKVOV4jC7Xr+Weu1zsxK1n3hqxd7UOlZV5j6vnTisl1f/Wqw\n"
  "u1oAaWqJp3g0cdDVAgMBAAGjMjAwMA8GA1UdEQQIMAaHBH8AAAEwHQYDVR0OBBYE\n"
  "FOIyvzEe2gN5PhYDvRE0vBj6NqQgMA0GCSqGSIb3DQEBCwUAA4IBAQCHs9a1Vcsq\n"
  "rgOor38kC3tEjYLN/m2/6n9DUPCPrsmnWGmhLD7JXBhE6OkBXWE47XKaLuKj3CA5\n"
  "A05TE2PzlUEwzZZD3V+BPjkE8xLH7EfpZoqyP75x7r14x1KHYV+DaisXBxfMm32r\n"
  "/LiMZIKnRHm3adf4w0avQWd1B+yzebg9Dwo6cFUjIxCZrl6M4+3Zcpdheh7FvkrK\n"
  "puGAf0GbD4aBpC7F4VIT5JEE80sVjdKwb3UyuEAB9M88DN2sktICe4w5+guOJ5mv\n"
  "6bH1t6dNoCiYQKPlQXtwCK/I+hc9Bip9hXCtM6nh7xUNL7bVwb/g+gLs9DepUfRQ\n"
  "WzV7L8otQtIi\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCqW5OVUiGSlzr/\n"
  "vXHmj4RjqHK8rXzF3blH7WNSBaCDHJ59W5tlmxKIjzhAXMqedLXnmi1plw1L4mC3\n"
  "Ojid+dkLa14OuOS0rkDAbd5Mz0m+uD80basMjXjvhtu0EkomGZavU2KyMT8cyGiJ\n"
  "gBGa61qUH3skTYJcHkX9t9cRlxV3FNbmUfkKp6VkUXNy7AQ1TS6OZBb3lcsOZMKx\n"
  "jBsuoBBtJc5AmGFi+sI8yskMs5th/x8Qxu67IXcdHOVVsq9DZPVIMyOKdasuxGa3\n"
  "0/R1R7Z9jKVOV4jC7Xr+Weu1zsxK1n3hqxd7UOlZV5j6vnTisl1f/Wqwu1oAaWqJ\n"
  "p3g0cdDVAgMBAAECggEAAK43i4PrVlXz+YYdBN6Mli8bFqMAVYbwWip4PQSai6pH\n"
  "r960Ikze4J3eHpMeKbwe9WP9T1zQbDGdT2rVvGza2E6AelV8/KB8hSM81t8X+DpF\n"
  "LG9QaoRZGzjt1VyVi3tF0m3fHFZSzQ6J8IxALr4Hk3khJgMBXe7rEkQoJssAFL5Z\n"
  "w3zGisjIw71FT/3dVfKg4Wp6VXtHf8hcgtMYT56v6mClIZX57g2EvpWZxOy2VKl+\n"
  "lgOn3MkEvsCxRbVxDG/fXW+0Bypj2HfSnv3cT1zQIZaulNIleC4qgPIyDgBSaj0F\n"
  "cP9VneJS9m6wansmCMg6NZl0nJ1ntSExNBsniJLP5wKBgQDk0yg35x9TNzlCYq1K\n"
  "VhcF/yzfXui2MPhi8UcwNyx+j+Nq+G5gp8oozSzVITDrK/J5y1G0OvxuInLoM2rP\n"
  "MFBMl9zaM+5se6HZzih7EpiQfIFgsYUuUDNPAdyT1c8UTxs6hz8iowJglRGjDIyH\n"
  "8dI5IvPLTpFdQiPS+7AekrushwKBgQC+lt/DB8pEEspPVBSqr0tYILMf7SXhFWUk\n"
  "pBrkaV7rEzNdn4O9RracxjaZdk3T8UnhUSzhKdrLYS7qrHOToviBotPwoFSbPmZE\n"
  "1WDll2Za/b0GBeLq9TZecwZOGLUfaO01omKh315pcIPBpGpYPZ8MC1pbQaBV/oRP\n"
  "GHO2KmbqwwKBgH89+CBV8jJZBAspSgmLI9Re2DoB0c/2HTkPyDFEjQZ3xtNmACLZ\n"
  "Su4zYZnGkihD0NrvN6jMIDCyEUmTxfIegJiG3fWsaQmEGjU+kX4WkiXORjdZn6Bo\n"
  "Uo+9jkXa4AMAFjkOmgoNsTW5zwvm34J88xR4ni7Qqr68F6Wr9XyaxaejAoGBAI9f\n"
  "hkL8GD+vdvvIP6fLKL3KE5Yf21AAvU6cGRLc5aenkQuMFRmNGZDEV4yIf7HBoRdb\n"
  "7owP5WT73cRyKJvWjGVRLWil5B/JCDwd3L+6bihjGxBt2y9vehABLawQUCip0VB4\n"
  "sQQeubJODv/cBJgO+xefbsCZlNk8FyI9Pca7DSLrAoGAeAbgBy0o9gthbQL44aq+\n"
  "o6RDJtD37NvrLYxvX9JE1dxNA1U+q7IAewNLct7xYtKRbxacWjv/rm08xIg1gZG4\n"
  "t6Q9vwQsUe6fgKLn9l03CEDblLgSCguC6cRAXrBaG/ga47/ggvwHRYBSelfvr8iN\n"
  "MoIcp/ny08p71bh+qQH2Iq8=\n"
  "-----END PRIVATE KEY-----\n";

/* @pem: NULL for ws://, else the server's certificate + key (wss://) */
static TestServer *
test_server_new_pem (const gchar * pem)
{
  gboolean tls = pem != NULL;
  TestServer *srv = g_new0 (TestServer, 1);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *effective = NULL;
  GError *err = NULL;

  if (tls) {
    srv->cert = g_tls_certificate_new_from_pem (pem, -1, &err);
    fail_unless (srv->cert != NULL, "certificate: %s",
        err ? err->message : "?");
  }
  srv->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (srv->server, "/ws", NULL, NULL,
      server_on_websocket, srv, NULL);
  /* /status/N answers the upgrade with HTTP N */
  soup_server_add_handler (srv->server, "/status", server_on_status, NULL,
      NULL);

  srv->service = g_socket_service_new ();
  fail_unless (g_socket_listener_add_address (G_SOCKET_LISTENER
          (srv->service), addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
          NULL, &effective, &err), "listen: %s", err ? err->message : "?");
  srv->port =
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (srv->service, "incoming", G_CALLBACK (server_on_incoming),
      srv);
  g_socket_service_start (srv->service);
  g_object_unref (effective);
  g_object_unref (addr);
  g_object_unref (lo);

  srv->url = g_strdup_printf ("%s://127.0.0.1:%u/ws", tls ? "wss" : "ws",
      srv->port);
  srv->reply_user_data = TRUE;
  srv->frames = g_ptr_array_new_with_free_func (g_free);
  srv->all_conns = g_ptr_array_new_with_free_func (g_object_unref);
  return srv;
}

static TestServer *
test_server_new_full (gboolean tls)
{
  return test_server_new_pem (tls ? wcs_test_self_signed_pem : NULL);
}

static TestServer *
test_server_new (void)
{
  return test_server_new_full (FALSE);
}

static void
test_server_free (TestServer * srv)
{
  guint i;

  for (i = 0; i < srv->all_conns->len; i++) {
    SoupWebsocketConnection *c = g_ptr_array_index (srv->all_conns, i);
    g_signal_handlers_disconnect_by_data (c, srv);
    if (soup_websocket_connection_get_state (c) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (c, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
          NULL);
  }
  g_ptr_array_unref (srv->all_conns);
  g_clear_object (&srv->socket);
  g_clear_object (&srv->last_accepted);
  g_socket_service_stop (srv->service);
  g_socket_listener_close (G_SOCKET_LISTENER (srv->service));
  g_signal_handlers_disconnect_by_data (srv->service, srv);
  g_object_unref (srv->service);
  soup_server_disconnect (srv->server);
  g_object_unref (srv->server);
  g_clear_object (&srv->cert);
  /* let the closing connections finish in the default context */
  wcs_test_iterate (NULL, 50);
  g_ptr_array_unref (srv->frames);
  g_free (srv->url);
  g_free (srv);
}

static void
server_send (TestServer * srv, const gchar * text)
{
  fail_unless (srv->conn != NULL);
  soup_websocket_connection_send_text (srv->conn, text);
}

typedef struct
{
  TestServer *srv;
  const gchar *name;
  guint nth;
} FrameWait;

/* the nth (1-based) frame named name from the latest connection, parsed */
static GstWcsMessage *
server_find_frame (TestServer * srv, const gchar * name, guint nth)
{
  guint i, n = 0;

  for (i = 0; i < srv->frames->len; i++) {
    const gchar *text = g_ptr_array_index (srv->frames, i);
    GstWcsMessage *msg = gst_wcs_message_parse (text, -1, NULL);

    if (msg && strcmp (msg->message, name) == 0 && ++n == nth)
      return msg;
    if (msg)
      gst_wcs_message_free (msg);
  }
  return NULL;
}

static gboolean
frame_arrived (gpointer data)
{
  FrameWait *w = data;
  GstWcsMessage *msg = server_find_frame (w->srv, w->name, w->nth);

  if (msg) {
    gst_wcs_message_free (msg);
    return TRUE;
  }
  return FALSE;
}

/* Waits for the nth frame named @name and returns it parsed. */
static GstWcsMessage *
server_wait_frame (TestServer * srv, const gchar * name, guint nth,
    guint timeout_ms)
{
  FrameWait w = { srv, name, nth };

  if (!wait_until (frame_arrived, &w, timeout_ms))
    return NULL;
  return server_find_frame (srv, name, nth);
}

static gboolean
server_closed (gpointer data)
{
  return ((TestServer *) data)->closed;
}

/* ------------------------------------------------------------------ */
/* Session helpers                                                     */

static GstWcsSession *
make_session (const gchar * url, Recorder * rec)
{
  GstWcsSession *s = gst_wcs_session_new (url);

  /* watchdog off unless a test wants it */
  /* generous: the first TLS handshake under valgrind takes seconds */
  g_object_set (s, "receive-probes", 0, "connect-timeout", 30000, NULL);
  g_signal_connect (s, "status-changed", G_CALLBACK (on_status_changed), rec);
  g_signal_connect (s, "remote-sdp", G_CALLBACK (on_remote_sdp), rec);
  g_signal_connect (s, "stream-status", G_CALLBACK (on_stream_status), rec);
  g_signal_connect (s, "message", G_CALLBACK (on_message), rec);
  return s;
}

static void
connect_ok (GstWcsSession * s)
{
  GError *err = NULL;

  fail_unless (gst_wcs_session_connect (s, &err), "connect: %s",
      err ? err->message : "?");
}

/* connect, wait for ESTABLISHED (the n-th time) */
static void
establish (GstWcsSession * s, Recorder * rec, guint nth)
{
  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_ESTABLISHED, nth,
          30000), "session did not reach ESTABLISHED");
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_ESTABLISHED);
}

/* the failure kind read during the last status emission */
static void
assert_last_failure (Recorder * rec, GstWcsSessionFailure failure)
{
  StatusEvent ev = rec_last (rec);

  fail_unless_equals_int (ev.failure, failure);
  g_free (ev.reason);
}

static void
assert_last_status (Recorder * rec, GstWcsSessionStatus status,
    const gchar * reason_part)
{
  StatusEvent ev = rec_last (rec);

  fail_unless_equals_string (gst_wcs_session_status_to_string (ev.status),
      gst_wcs_session_status_to_string (status));
  if (reason_part) {
    fail_unless (ev.reason != NULL && strstr (ev.reason, reason_part) != NULL,
        "reason \"%s\" does not contain \"%s\"", GST_STR_NULL (ev.reason),
        reason_part);
  }
  g_free (ev.reason);
}

/* Drops the session and checks that disposal is quick. */
static void
unref_quickly (GstWcsSession * s)
{
  gint64 start = now_ms ();

  g_object_unref (s);
  fail_unless (now_ms () - start < 3000, "dispose took %" G_GINT64_FORMAT
      " ms", now_ms () - start);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

GST_START_TEST (test_handshake_established)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GstStructure *custom =
      gst_structure_new ("custom", "token", G_TYPE_STRING, "abc", "n",
      G_TYPE_INT, 7, NULL);
  GstWcsMessage *msg;
  JsonObject *obj, *cobj;
  JsonArray *providers;
  gchar *token = NULL;
  guint i;

  g_object_set (s, "app-key", "myApp", "custom", custom, NULL);
  gst_structure_free (custom);
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_PENDING);

  establish (s, rec, 1);

  /* PENDING (connecting) -> CONNECTED -> ESTABLISHED, in this order, all
   * from the session thread */
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->statuses->len, 3);
  fail_unless_equals_int (g_array_index (rec->statuses, StatusEvent,
          0).status, GST_WCS_SESSION_STATUS_PENDING);
  fail_unless_equals_int (g_array_index (rec->statuses, StatusEvent,
          1).status, GST_WCS_SESSION_STATUS_CONNECTED);
  fail_unless_equals_int (g_array_index (rec->statuses, StatusEvent,
          2).status, GST_WCS_SESSION_STATUS_ESTABLISHED);
  fail_if (rec->signal_thread == g_thread_self ());
  g_mutex_unlock (&rec->lock);

  /* exactly one "connection" frame, first, with the SDK's fields */
  fail_unless (srv->frames->len >= 1);
  msg = gst_wcs_message_parse (g_ptr_array_index (srv->frames, 0), -1, NULL);
  fail_unless (msg != NULL);
  fail_unless_equals_string (msg->message, "connection");
  fail_unless_equals_int (json_array_get_length (msg->data), 1);
  obj = gst_wcs_message_get_object (msg, 0);
  fail_unless (obj != NULL);
  fail_unless_equals_string (json_object_get_string_member (obj, "appKey"),
      "myApp");
  providers = json_object_get_array_member (obj, "mediaProviders");
  fail_unless_equals_int (json_array_get_length (providers), 1);
  fail_unless_equals_string (json_array_get_string_element (providers, 0),
      "WebRTC");
  fail_unless_equals_string (json_object_get_string_member (obj,
          "clientVersion"), "2.0");
  fail_unless_equals_int (json_object_get_int_member (obj,
          "msePacketizationVersion"), 2);
  fail_unless (json_object_has_member (obj, "clientOSVersion"));
  fail_unless (json_object_has_member (obj, "clientBrowserVersion"));
  fail_if (json_object_has_member (obj, "keepAlive"));
  fail_if (json_object_has_member (obj, "authToken"));
  cobj = json_object_get_object_member (obj, "custom");
  fail_unless (cobj != NULL);
  fail_unless_equals_string (json_object_get_string_member (cobj, "token"),
      "abc");
  fail_unless_equals_int (json_object_get_int_member (cobj, "n"), 7);
  gst_wcs_message_free (msg);
  for (i = 1; i < srv->frames->len; i++)
    fail_if (strstr (g_ptr_array_index (srv->frames, i), "\"connection\""));

  g_object_get (s, "auth-token", &token, NULL);
  fail_unless_equals_string (token, "tok-1");
  g_free (token);

  /* "message" saw getUserData */
  fail_unless (wait_len (rec, rec->messages, 1, 2000));
  {
    gchar *m = rec_get (rec, rec->messages, 0);
    fail_unless_equals_string (m, "getUserData");
    g_free (m);
  }

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_default_app_key)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GstWcsMessage *msg;
  gchar *key = NULL;

  g_object_get (s, "app-key", &key, NULL);
  fail_unless_equals_string (key, "defaultApp");
  g_free (key);

  establish (s, rec, 1);
  msg = server_find_frame (srv, "connection", 1);
  fail_unless (msg != NULL);
  fail_unless_equals_string (gst_wcs_json_get_string
      (gst_wcs_message_get_object (msg, 0), "appKey"), "defaultApp");
  fail_if (json_object_has_member (gst_wcs_message_get_object (msg, 0),
          "custom"));
  gst_wcs_message_free (msg);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_ping_pong)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GstWcsMessage *msg;
  guint i;

  establish (s, rec, 1);
  fail_if (server_wait_frame (srv, "pong", 1, 0));

  for (i = 1; i <= 3; i++) {
    server_send (srv, "{\"message\":\"ping\",\"data\":[]}");
    msg = server_wait_frame (srv, "pong", i, 5000);
    fail_unless (msg != NULL, "no pong %u", i);
    gst_wcs_message_free (msg);
  }
  /* the exact SDK frame */
  {
    const gchar *last = g_ptr_array_index (srv->frames, srv->frames->len - 1);
    fail_unless_equals_string (last, "{\"message\":\"pong\",\"data\":[null]}");
  }
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 0);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

typedef struct
{
  GMutex lock;
  guint count;
  gchar *id;
  gboolean available;
  gchar *info;
} AvailReplies;

static void
on_available (GstWcsSession * s, const gchar * id, gboolean available,
    const gchar * info, AvailReplies * a)
{
  g_mutex_lock (&a->lock);
  a->count++;
  g_free (a->id);
  a->id = g_strdup (id);
  a->available = available;
  g_free (a->info);
  a->info = g_strdup (info);
  g_mutex_unlock (&a->lock);
}

static gboolean
avail_count_reached (gpointer data)
{
  AvailReplies *a = data;
  gboolean ret;

  g_mutex_lock (&a->lock);
  ret = a->count >= 2;
  g_mutex_unlock (&a->lock);
  return ret;
}

/* availableStream: the query needs ESTABLISHED, goes out in the SDK's
 * shape, and the replies come back typed; a malformed reply is logged and
 * survived, and changes nothing */
GST_START_TEST (test_available_query)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  AvailReplies a = { 0 };
  GstWcsMessage *msg;
  JsonObject *obj;
  GError *err = NULL;

  g_mutex_init (&a.lock);
  g_signal_connect (s, "stream-available", G_CALLBACK (on_available), &a);
  fail_if (gst_wcs_session_query_available (s, "q0", "cam1", &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_STATE));
  g_clear_error (&err);

  establish (s, rec, 1);
  fail_unless (gst_wcs_session_query_available (s, "q1", "cam1", NULL));
  msg = server_wait_frame (srv, "availableStream", 1, 5000);
  fail_unless (msg != NULL);
  obj = gst_wcs_message_get_object (msg, 0);
  fail_unless (obj != NULL);
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "mediaSessionId"),
      "q1");
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "name"), "cam1");
  gst_wcs_message_free (msg);

  /* garbage first: no signal, session alive */
  server_send (srv, "{\"message\":\"availableStream\",\"data\":[42]}");
  server_send (srv, "{\"message\":\"availableStream\",\"data\":[{\"id\":\"q1\","
      "\"status\":\"false\",\"info\":\"Stream not found\"}]}");
  server_send (srv, "{\"message\":\"availableStream\",\"data\":[{\"id\":\"q2\","
      "\"status\":\"true\"}]}");
  fail_unless (wait_until (avail_count_reached, &a, 5000));
  g_mutex_lock (&a.lock);
  fail_unless_equals_int (a.count, 2);
  fail_unless_equals_string (a.id, "q2");
  fail_unless (a.available);
  fail_unless (a.info == NULL);
  g_mutex_unlock (&a.lock);
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_ESTABLISHED);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_free (a.id);
  g_free (a.info);
  g_mutex_clear (&a.lock);
}

GST_END_TEST;

GST_START_TEST (test_watchdog_fires)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  gint64 established, failed;

  /* 3 x 100 ms: fails 200..300 ms after the last inbound frame */
  g_object_set (s, "receive-probes", 3, "probes-interval", 100, NULL);
  establish (s, rec, 1);
  established = rec_status_time (rec, GST_WCS_SESSION_STATUS_ESTABLISHED, 1);

  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "pings-missed");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_PINGS_MISSED);
  failed = rec_status_time (rec, GST_WCS_SESSION_STATUS_FAILED, 1);
  GST_INFO ("watchdog fired %" G_GINT64_FORMAT " ms after ESTABLISHED",
      failed - established);
  fail_unless (failed - established >= 180, "fired too early: %"
      G_GINT64_FORMAT " ms", failed - established);
  fail_unless (failed - established <= 1500, "fired too late: %"
      G_GINT64_FORMAT " ms", failed - established);
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_FAILED);

  /* like the SDK, the socket is then closed (with a close frame) */
  fail_unless (wait_until (server_closed, srv, 8000));
  fail_unless (srv->client_closed_first);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

static gboolean
send_ping (gpointer data)
{
  TestServer *srv = data;

  if (srv->conn && soup_websocket_connection_get_state (srv->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (srv->conn,
        "{\"message\":\"ping\",\"data\":[]}");
  return G_SOURCE_CONTINUE;
}

GST_START_TEST (test_watchdog_quiet_while_pinged)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GstWcsMessage *msg;
  guint ping_id;
  gint64 stopped, failed;

  g_object_set (s, "receive-probes", 3, "probes-interval", 100, NULL);
  establish (s, rec, 1);

  /* pings every 40 ms: no window is ever empty */
  ping_id = g_timeout_add (40, send_ping, srv);
  wcs_test_iterate (NULL, 1500);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 0);
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_ESTABLISHED);
  msg = server_find_frame (srv, "pong", 10);
  fail_unless (msg != NULL);
  gst_wcs_message_free (msg);

  /* the watchdog was armed all along: silence now fails it */
  g_source_remove (ping_id);
  stopped = now_ms ();
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "pings-missed");
  failed = rec_status_time (rec, GST_WCS_SESSION_STATUS_FAILED, 1);
  fail_unless (failed - stopped >= 150 && failed - stopped <= 1500,
      "fired after %" G_GINT64_FORMAT " ms", failed - stopped);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

static gboolean
send_garbage (gpointer data)
{
  TestServer *srv = data;

  if (srv->conn && soup_websocket_connection_get_state (srv->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN) {
    soup_websocket_connection_send_text (srv->conn, "{not json");
    soup_websocket_connection_send_text (srv->conn, "{\"message\":\"ping\"}");
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
send_binary (gpointer data)
{
  TestServer *srv = data;
  static const guint8 bin[4] = { 1, 2, 3, 4 };

  if (srv->conn && soup_websocket_connection_get_state (srv->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_binary (srv->conn, bin, sizeof (bin));
  return G_SOURCE_CONTINUE;
}

/* Malformed frames are no sign of life (SDK: the handler throws before the
 * counter is reset); binary frames are (SDK: "binaryData" message). */
GST_START_TEST (test_watchdog_frame_kinds)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  guint id;
  gint64 start, failed;

  g_object_set (s, "receive-probes", 3, "probes-interval", 100, NULL);
  establish (s, rec, 1);

  id = g_timeout_add (40, send_binary, srv);
  wcs_test_iterate (NULL, 1000);
  g_source_remove (id);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 0);

  id = g_timeout_add (40, send_garbage, srv);
  start = now_ms ();
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  g_source_remove (id);
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "pings-missed");
  failed = rec_status_time (rec, GST_WCS_SESSION_STATUS_FAILED, 1);
  fail_unless (failed - start <= 1500, "fired after %" G_GINT64_FORMAT " ms",
      failed - start);
  /* no pong was sent for the data-less ping */
  fail_if (server_wait_frame (srv, "pong", 1, 0));

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_server_close_disconnected)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);

  establish (s, rec, 1);
  soup_websocket_connection_close (srv->conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
      NULL);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED, 1,
          5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED,
      "closed by server");
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 0);
  fail_unless (wait_until (server_closed, srv, 5000));
  /* the client answered the close frame */
  fail_unless_equals_int (srv->client_close_code, SOUP_WEBSOCKET_CLOSE_NORMAL);
  /* nothing more is reported later */
  wcs_test_iterate (NULL, 200);
  assert_last_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED, NULL);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_server_close_with_code)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);

  establish (s, rec, 1);
  soup_websocket_connection_close (srv->conn, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
      "maintenance");
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED, 1,
          5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED,
      "closed by server (1011: maintenance)");

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_disconnect)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);

  establish (s, rec, 1);
  gst_wcs_session_disconnect (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED, 1,
          5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED,
      "disconnected");
  fail_unless (wait_until (server_closed, srv, 5000));
  fail_unless (srv->client_closed_first);
  fail_unless_equals_int (srv->client_close_code, SOUP_WEBSOCKET_CLOSE_NORMAL);

  /* a second disconnect is a no-op */
  gst_wcs_session_disconnect (s);
  gst_wcs_session_flush (s);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_DISCONNECTED), 1);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 0);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_abrupt_drop_failed)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GError *err = NULL;

  establish (s, rec, 1);
  /* FIN without a close frame */
  fail_unless (g_socket_shutdown (srv->socket, TRUE, TRUE, &err));
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "connection lost");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_TRANSIENT);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_DISCONNECTED), 0);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_abort_failed)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);

  establish (s, rec, 1);
  gst_wcs_session_abort (s, "test fault");
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "test fault");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_ABORTED);
  /* the server sees the socket go away without a close frame */
  fail_unless (wait_until (server_closed, srv, 5000));
  fail_if (srv->client_closed_first);
  fail_unless_equals_int (srv->client_close_code, 0);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

static guint
closed_port (void)
{
  GSocket *sock;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *local;
  guint port;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  fail_unless (sock != NULL);
  fail_unless (g_socket_bind (sock, addr, FALSE, NULL));
  local = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_object_unref (local);
  g_socket_close (sock, NULL);
  g_object_unref (sock);
  g_object_unref (addr);
  g_object_unref (lo);
  return port;
}

GST_START_TEST (test_connection_refused)
{
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup_printf ("ws://127.0.0.1:%u", closed_port ());
  GstWcsSession *s = make_session (url, rec);

  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED,
      "connection refused");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_TRANSIENT);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_CONNECTED), 0);
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_FAILED);

  unref_quickly (s);
  recorder_free (rec);
  g_free (url);
}

GST_END_TEST;

/* A TCP server that accepts and then never says a word. */
typedef struct
{
  GSocketListener *listener;
  guint port;
  GPtrArray *held;
} MuteServer;

static void
mute_on_accept (GObject * src, GAsyncResult * res, gpointer data)
{
  MuteServer *m = data;
  GSocketConnection *c =
      g_socket_listener_accept_finish (G_SOCKET_LISTENER (src), res, NULL,
      NULL);

  if (c) {
    g_ptr_array_add (m->held, c);
    g_socket_listener_accept_async (m->listener, NULL, mute_on_accept, m);
  }
}

static MuteServer *
mute_server_new (void)
{
  MuteServer *m = g_new0 (MuteServer, 1);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *effective = NULL;

  m->listener = g_socket_listener_new ();
  m->held = g_ptr_array_new_with_free_func (g_object_unref);
  fail_unless (g_socket_listener_add_address (m->listener, addr,
          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective,
          NULL));
  m->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_listener_accept_async (m->listener, NULL, mute_on_accept, m);
  g_object_unref (effective);
  g_object_unref (addr);
  g_object_unref (lo);
  return m;
}

static gboolean
mute_accepted (gpointer data)
{
  return ((MuteServer *) data)->held->len > 0;
}

static void
mute_server_free (MuteServer * m)
{
  g_socket_listener_close (m->listener);
  wcs_test_iterate (NULL, 20);
  g_object_unref (m->listener);
  g_ptr_array_unref (m->held);
  g_free (m);
}

GST_START_TEST (test_connect_timeout)
{
  MuteServer *m = mute_server_new ();
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup_printf ("ws://127.0.0.1:%u/ws", m->port);
  GstWcsSession *s = make_session (url, rec);
  gint64 start, elapsed;

  g_object_set (s, "connect-timeout", 2000, NULL);
  start = now_ms ();
  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 10000));
  elapsed = rec_status_time (rec, GST_WCS_SESSION_STATUS_FAILED, 1) - start;
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "connect timeout");
  GST_INFO ("connect timeout after %" G_GINT64_FORMAT " ms", elapsed);
  fail_unless (elapsed >= 1950 && elapsed <= 5000, "timed out after %"
      G_GINT64_FORMAT " ms", elapsed);
  /* the TCP connection was accepted: it really was the upgrade that hung */
  fail_unless (wait_until (mute_accepted, m, 5000));
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_CONNECTED), 0);

  unref_quickly (s);
  recorder_free (rec);

  /* the timeout covers the TLS handshake too */
  rec = recorder_new ();
  g_free (url);
  url = g_strdup_printf ("wss://127.0.0.1:%u/ws", m->port);
  s = make_session (url, rec);
  g_object_set (s, "connect-timeout", 2000, NULL);
  start = now_ms ();
  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 10000));
  elapsed = rec_status_time (rec, GST_WCS_SESSION_STATUS_FAILED, 1) - start;
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "connect timeout");
  fail_unless (elapsed >= 1950 && elapsed <= 5000, "timed out after %"
      G_GINT64_FORMAT " ms", elapsed);

  unref_quickly (s);
  recorder_free (rec);
  mute_server_free (m);
  g_free (url);
}

GST_END_TEST;

/* wss:// to a server whose certificate nobody trusts */
GST_START_TEST (test_tls_failure)
{
  TestServer *srv = test_server_new_full (TRUE);
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup (srv->url);
  GstWcsSession *s = make_session (url, rec);

  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 40000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "TLS failure");
  /* the certificate's problem is named, and it is not worth a retry */
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "unknown CA");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_TLS);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_CONNECTED), 0);
  fail_unless_equals_int (srv->n_conns, 0);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_free (url);
}

GST_END_TEST;

/* A GTlsDatabase whose only anchor is the test server's self-signed
 * certificate. */
static GTlsDatabase *
self_signed_database (gchar ** path)
{
  GError *err = NULL;
  GTlsDatabase *db;
  gint fd = g_file_open_tmp ("wcs-session-ca-XXXXXX.pem", path, &err);

  fail_unless (fd >= 0, "tmp: %s", err ? err->message : "?");
  close (fd);
  fail_unless (g_file_set_contents (*path, wcs_test_self_signed_pem, -1,
          &err), "write: %s", err ? err->message : "?");
  db = g_tls_file_database_new (*path, &err);
  fail_unless (db != NULL, "database: %s", err ? err->message : "?");
  return db;
}

/* tls-database trusting the server's certificate: it connects, on the
 * first connect and on a reconnect (the settings hold for every connect) */
GST_START_TEST (test_tls_database_trusted)
{
  TestServer *srv = test_server_new_full (TRUE);
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup (srv->url), *path = NULL;
  GstWcsSession *s = make_session (url, rec);
  GTlsDatabase *db = self_signed_database (&path), *got = NULL;

  g_object_set (s, "tls-database", db, NULL);
  g_object_get (s, "tls-database", &got, NULL);
  fail_unless (got == db);
  g_clear_object (&got);

  establish (s, rec, 1);
  gst_wcs_session_abort (s, "test drop");
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  establish (s, rec, 2);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 1);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_object_unref (db);
  g_unlink (path);
  g_free (path);
  g_free (url);
}

GST_END_TEST;

/* tls-validation-flags without unknown-ca: the self-signed certificate is
 * accepted; with every flag (the default) it is a TLS failure */
GST_START_TEST (test_tls_validation_flags)
{
  TestServer *srv = test_server_new_full (TRUE);
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup (srv->url);
  GstWcsSession *s = make_session (url, rec);
  GTlsCertificateFlags flags = 0;

  g_object_get (s, "tls-validation-flags", &flags, NULL);
  fail_unless_equals_int (flags, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_object_set (s, "tls-validation-flags", G_TLS_CERTIFICATE_VALIDATE_ALL &
      ~G_TLS_CERTIFICATE_UNKNOWN_CA, NULL);
  establish (s, rec, 1);
  gst_wcs_session_disconnect (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED, 1,
          5000));

  /* back to the default: refused again, on the next connect */
  g_object_set (s, "tls-validation-flags", G_TLS_CERTIFICATE_VALIDATE_ALL,
      NULL);
  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 40000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "unknown CA");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_TLS);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_free (url);
}

GST_END_TEST;

/* Ignoring unknown-ca must not let another problem through: the
 * certificate is for 127.0.0.1, the URL says localhost (host name
 * mismatch, still validated), so it is refused, named */
GST_START_TEST (test_tls_flags_keep_identity)
{
  TestServer *srv = test_server_new_full (TRUE);
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup_printf ("wss://localhost:%u/ws", srv->port);
  GstWcsSession *s = make_session (url, rec);

  g_object_set (s, "tls-validation-flags", G_TLS_CERTIFICATE_VALIDATE_ALL &
      ~G_TLS_CERTIFICATE_UNKNOWN_CA, NULL);
  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 40000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "host name mismatch");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_TLS);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_CONNECTED), 0);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_free (url);
}

GST_END_TEST;

/* Ignoring unknown-ca must not accept an expired certificate, even when
 * the TLS backend reports only that its CA is unknown (GLib promises at
 * least one error, not all: the session checks again before accepting) */
GST_START_TEST (test_tls_flags_keep_expiry)
{
  TestServer *srv = test_server_new_pem (expired_pem);
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup (srv->url);
  GstWcsSession *s = make_session (url, rec);

  g_object_set (s, "tls-validation-flags", G_TLS_CERTIFICATE_VALIDATE_ALL &
      ~G_TLS_CERTIFICATE_UNKNOWN_CA, NULL);
  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 40000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "expired");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_TLS);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_CONNECTED), 0);

  /* and ignoring expired too accepts it */
  g_object_set (s, "tls-validation-flags", G_TLS_CERTIFICATE_VALIDATE_ALL &
      ~(G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_EXPIRED), NULL);
  establish (s, rec, 1);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_free (url);
}

GST_END_TEST;

/* tls-use-system-database=FALSE and no tls-database: nothing is trusted;
 * only ignoring unknown-ca connects */
GST_START_TEST (test_tls_no_database)
{
  TestServer *srv = test_server_new_full (TRUE);
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup (srv->url), *path = NULL;
  GstWcsSession *s = make_session (url, rec);

  g_object_set (s, "tls-use-system-database", FALSE, NULL);
  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 40000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "unknown CA");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_TLS);

  g_object_set (s, "tls-validation-flags", G_TLS_CERTIFICATE_VALIDATE_ALL &
      ~G_TLS_CERTIFICATE_UNKNOWN_CA, NULL);
  establish (s, rec, 1);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_free (path);
  g_free (url);
}

GST_END_TEST;

GST_START_TEST (test_handshake_refused)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  gchar *url = g_strdup_printf ("ws://127.0.0.1:%u/nope", srv->port);
  GstWcsSession *s = make_session (url, rec);

  connect_ok (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED,
      "handshake failed: HTTP 404");
  assert_last_failure (rec, GST_WCS_SESSION_FAILURE_NOT_FOUND);
  fail_unless (gst_wcs_session_failure_is_permanent
      (GST_WCS_SESSION_FAILURE_NOT_FOUND));
  fail_unless_equals_int (srv->n_conns, 0);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
  g_free (url);
}

GST_END_TEST;

/* The upgrade's HTTP status decides: refusals and "not here" are
 * permanent, everything else is worth retrying */
GST_START_TEST (test_handshake_status_kinds)
{
  static const struct
  {
    guint code;
    GstWcsSessionFailure failure;
  } table[] = {
    {401, GST_WCS_SESSION_FAILURE_REFUSED},
    {403, GST_WCS_SESSION_FAILURE_REFUSED},
    {407, GST_WCS_SESSION_FAILURE_REFUSED},
    {404, GST_WCS_SESSION_FAILURE_NOT_FOUND},
    {410, GST_WCS_SESSION_FAILURE_NOT_FOUND},
    {500, GST_WCS_SESSION_FAILURE_TRANSIENT},
    {502, GST_WCS_SESSION_FAILURE_TRANSIENT},
    {503, GST_WCS_SESSION_FAILURE_TRANSIENT},
    {429, GST_WCS_SESSION_FAILURE_TRANSIENT},
  };
  TestServer *srv = test_server_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    Recorder *rec = recorder_new ();
    gchar *url = g_strdup_printf ("ws://127.0.0.1:%u/status/%u", srv->port,
        table[i].code);
    gchar *words = g_strdup_printf ("HTTP %u", table[i].code);
    GstWcsSession *s = make_session (url, rec);

    connect_ok (s);
    fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
    assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, words);
    assert_last_failure (rec, table[i].failure);
    fail_unless_equals_int (gst_wcs_session_get_failure (s),
        table[i].failure);
    fail_unless_equals_int (gst_wcs_session_failure_is_permanent
        (table[i].failure), table[i].failure !=
        GST_WCS_SESSION_FAILURE_TRANSIENT);
    unref_quickly (s);
    recorder_free (rec);
    g_free (words);
    g_free (url);
  }
  test_server_free (srv);
}

GST_END_TEST;

/* The open socket's addresses (the elements' route check uses them) */
GST_START_TEST (test_socket_addresses)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  gchar *local, *remote;

  fail_unless (gst_wcs_session_get_local_address (s) == NULL);
  establish (s, rec, 1);
  fail_unless_equals_int (gst_wcs_session_get_failure (s),
      GST_WCS_SESSION_FAILURE_NONE);
  local = gst_wcs_session_get_local_address (s);
  remote = gst_wcs_session_get_remote_address (s);
  fail_unless_equals_string (local, "127.0.0.1");
  fail_unless_equals_string (remote, "127.0.0.1");
  g_free (local);
  g_free (remote);
  gst_wcs_session_abort (s, "test fault");
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));
  fail_unless (gst_wcs_session_get_local_address (s) == NULL);
  fail_unless (gst_wcs_session_get_remote_address (s) == NULL);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_bad_locations)
{
  static const gchar *bad[] = {
    "", "garbage", "http://127.0.0.1:8080", "ws://", "ws:///path",
    "wss://:8443/", "tcp://127.0.0.1:1", "ws://127.0.0.1:99999",
    "ws://[::1", NULL
  };
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (NULL, rec);
  GError *err = NULL;
  guint i;

  /* no location at all */
  fail_if (gst_wcs_session_connect (s, &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);

  for (i = 0; bad[i]; i++) {
    g_object_set (s, "location", bad[i], NULL);
    fail_if (gst_wcs_session_connect (s, &err), "accepted \"%s\"", bad[i]);
    fail_unless (g_error_matches (err, GST_WCS_ERROR,
            GST_WCS_ERROR_INVALID_ARGUMENT), "\"%s\": %s", bad[i],
        err ? err->message : "no error");
    GST_INFO ("\"%s\": %s", bad[i], err->message);
    g_clear_error (&err);
  }

  /* nothing happened */
  gst_wcs_session_flush (s);
  fail_unless_equals_int (rec->statuses->len, 0);
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_PENDING);

  unref_quickly (s);
  recorder_free (rec);
}

GST_END_TEST;

GST_START_TEST (test_invalid_state)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GError *err = NULL;

  /* stream requests and raw frames need a connection */
  fail_if (gst_wcs_session_publish (s, "id", "n", "v=0\r\n", TRUE, TRUE,
          &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_STATE));
  g_clear_error (&err);
  fail_if (gst_wcs_session_send_text (s, "{}", &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR, GST_WCS_ERROR_CLOSED));
  g_clear_error (&err);

  /* disconnect / abort when idle are no-ops */
  gst_wcs_session_disconnect (s);
  gst_wcs_session_abort (s, "nothing");
  gst_wcs_session_flush (s);
  fail_unless_equals_int (rec->statuses->len, 0);

  establish (s, rec, 1);
  fail_if (gst_wcs_session_connect (s, &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_STATE));
  g_clear_error (&err);

  /* bad arguments */
  fail_if (gst_wcs_session_publish (s, NULL, "n", "v=0\r\n", TRUE, TRUE,
          &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
  fail_if (gst_wcs_session_play (s, "id", "", "v=0\r\n", &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
  fail_if (gst_wcs_session_publish (s, "id", "n", NULL, TRUE, TRUE, &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_malformed_and_unknown_survived)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  static const gchar *junk[] = {
    "not json at all", "{", "[1,2,3]", "42", "null", "\"str\"",
    "{\"message\":\"ping\"}", "{\"message\":5,\"data\":[]}",
    "{\"data\":[]}", "{\"message\":\"setRemoteSDP\",\"data\":{}}",
    "{\"message\":\"setRemoteSDP\",\"data\":[]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[1,2]}",
    "{\"message\":\"notifyStreamStatusEvent\",\"data\":[]}",
    "{\"message\":\"notifyStreamStatusEvent\",\"data\":[{\"status\":\"PLAYING\"}]}",
    "{\"message\":\"notifyStreamStatusEvent\",\"data\":[\"x\"]}",
    "{\"message\":\"fail\",\"data\":[null]}",
    "{\"message\":\"getUserData\",\"data\":[]}",
    "{\"message\":\"whatIsThis\",\"data\":[{\"a\":1}]}",
    NULL
  };
  static const guint8 bin[3] = { 0, 1, 2 };
  GstWcsMessage *msg;
  gchar *sdp;
  guint i;

  establish (s, rec, 1);

  for (i = 0; junk[i]; i++)
    server_send (srv, junk[i]);
  soup_websocket_connection_send_binary (srv->conn, bin, sizeof (bin));
  server_send (srv, "{\"message\":\"setRemoteSDP\",\"data\":[\"id-1\","
      "\"v=0\\r\\n\"]}");
  server_send (srv, "{\"message\":\"ping\",\"data\":[]}");

  /* the normal messages after the junk still work */
  fail_unless (wait_len (rec, rec->sdps, 1, 5000));
  sdp = rec_get (rec, rec->sdps, 0);
  fail_unless_equals_string (sdp, "id-1|v=0\r\n");
  g_free (sdp);
  msg = server_wait_frame (srv, "pong", 1, 5000);
  fail_unless (msg != NULL);
  gst_wcs_message_free (msg);

  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_ESTABLISHED);
  fail_unless_equals_int (rec->statuses->len, 3);
  fail_unless_equals_int (rec_len (rec, rec->streams), 0);
  fail_unless_equals_int (rec_len (rec, rec->sdps), 1);

  /* "message" is emitted for the frames whose envelope parsed only:
   * getUserData (handshake), the 8 well-formed junk envelopes, then
   * setRemoteSDP and ping */
  fail_unless (wait_len (rec, rec->messages, 11, 2000));
  {
    gchar *m0 = rec_get (rec, rec->messages, 0);
    gchar *unknown = rec_get (rec, rec->messages, 8);
    gchar *last = rec_get (rec, rec->messages, 10);

    fail_unless_equals_string (m0, "getUserData");
    fail_unless_equals_string (unknown, "whatIsThis");
    fail_unless_equals_string (last, "ping");
    g_free (m0);
    g_free (unknown);
    g_free (last);
  }
  wcs_test_iterate (NULL, 100);
  fail_unless_equals_int (rec_len (rec, rec->messages), 11);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_oversized_frame)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  gsize len = 2 * 1024 * 1024;
  gchar *big = g_malloc (len + 1);

  establish (s, rec, 1);
  memset (big, 'a', len);
  big[len] = '\0';
  server_send (srv, big);
  g_free (big);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 10000));
  assert_last_status (rec, GST_WCS_SESSION_STATUS_FAILED, "frame too big");

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

static JsonObject *
frame_object (GstWcsMessage * msg)
{
  JsonObject *obj;

  fail_unless (msg != NULL);
  fail_unless_equals_int (json_array_get_length (msg->data), 1);
  obj = gst_wcs_message_get_object (msg, 0);
  fail_unless (obj != NULL);
  return obj;
}

GST_START_TEST (test_stream_requests)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  const gchar *offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
  GstWcsMessage *msg;
  JsonObject *obj;
  GError *err = NULL;
  gchar *ev;

  establish (s, rec, 1);

  fail_unless (gst_wcs_session_publish (s, "pub-1", "cam1", offer, TRUE,
          FALSE, &err));
  msg = server_wait_frame (srv, "publishStream", 1, 5000);
  obj = frame_object (msg);
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "mediaSessionId"),
      "pub-1");
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "name"), "cam1");
  fail_unless (json_object_get_boolean_member (obj, "published"));
  fail_unless (json_object_get_boolean_member (obj, "hasVideo"));
  fail_if (json_object_get_boolean_member (obj, "hasAudio"));
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "status"),
      "PENDING");
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "mediaProvider"),
      "WebRTC");
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "sdp"), offer);
  /* transport auto (default): no field, as the SDK */
  fail_if (json_object_has_member (obj, "transport"));
  gst_wcs_message_free (msg);

  /* transport TCP: the next requests carry "transport":"TCP" */
  g_object_set (s, "transport", GST_WCS_TRANSPORT_TCP, NULL);
  fail_unless (gst_wcs_session_play (s, "play-1", "cam1", offer, &err));
  msg = server_wait_frame (srv, "playStream", 1, 5000);
  obj = frame_object (msg);
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "mediaSessionId"),
      "play-1");
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "name"), "cam1");
  fail_if (json_object_get_boolean_member (obj, "published"));
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "status"),
      "PENDING");
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "sdp"), offer);
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "transport"),
      "TCP");
  gst_wcs_message_free (msg);

  /* the server accepts the publisher: unpublish then carries PUBLISHING */
  server_send (srv, "{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"pub-1\",\"name\":\"cam1\",\"published\":true,"
      "\"status\":\"PUBLISHING\"}]}");
  fail_unless (wait_len (rec, rec->streams, 1, 5000));
  ev = rec_get (rec, rec->streams, 0);
  fail_unless_equals_string (ev, "pub-1|cam1|PUBLISHING|(NULL)");
  g_free (ev);

  fail_unless (gst_wcs_session_unpublish (s, "pub-1", "cam1", &err));
  msg = server_wait_frame (srv, "unPublishStream", 1, 5000);
  obj = frame_object (msg);
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "mediaSessionId"),
      "pub-1");
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "name"), "cam1");
  fail_unless (json_object_get_boolean_member (obj, "published"));
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "status"),
      "PUBLISHING");
  fail_if (json_object_has_member (obj, "sdp"));
  fail_if (json_object_has_member (obj, "transport"));
  gst_wcs_message_free (msg);

  /* the player never got a status: stop carries its PENDING */
  fail_unless (gst_wcs_session_stop (s, "play-1", "cam1", &err));
  msg = server_wait_frame (srv, "stopStream", 1, 5000);
  obj = frame_object (msg);
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "mediaSessionId"),
      "play-1");
  fail_if (json_object_get_boolean_member (obj, "published"));
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "status"),
      "PENDING");
  gst_wcs_message_free (msg);

  /* an unknown stream: the status of a live one */
  fail_unless (gst_wcs_session_stop (s, "other", "x", &err));
  msg = server_wait_frame (srv, "stopStream", 2, 5000);
  obj = frame_object (msg);
  fail_unless_equals_string (gst_wcs_json_get_string (obj, "status"),
      "PLAYING");
  gst_wcs_message_free (msg);

  /* raw frames */
  fail_unless (gst_wcs_session_send_text (s,
          "{\"message\":\"custom\",\"data\":[null]}", &err));
  msg = server_wait_frame (srv, "custom", 1, 5000);
  fail_unless (msg != NULL);
  gst_wcs_message_free (msg);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_remote_sdp_and_stream_status)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  gchar *got;
  static const gchar *expected[] = {
    "id-1|s1|PUBLISHING|(NULL)",
    "id-2|s1|FAILED|Stream not found",
    "id-3|(NULL)|FAILED|Failed by RTP activity",
    "id-4|(NULL)|FAILED|Restricted access",
    "id-1|s1|UNPUBLISHED|Stopped by user",
  };
  guint i;

  establish (s, rec, 1);

  server_send (srv, "{\"message\":\"setRemoteSDP\",\"data\":[\"id-1\","
      "\"v=0\\r\\ns=answer\\r\\n\",true]}");
  server_send (srv, "{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"id-1\",\"name\":\"s1\",\"published\":true,"
      "\"status\":\"PUBLISHING\"}]}");
  /* status-less: dropped */
  server_send (srv, "{\"message\":\"notifyVideoFormat\",\"data\":[{"
      "\"mediaSessionId\":\"id-1\",\"name\":\"s1\",\"width\":640}]}");
  server_send (srv, "{\"message\":\"webRTCMetricsTokenRefresh\",\"data\":[{"
      "\"authorization\":\"x\"}]}");
  /* event-like status: dropped */
  server_send (srv, "{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"id-1\",\"name\":\"s1\",\"status\":\"RESIZE\"}]}");
  /* unknown status: dropped */
  server_send (srv, "{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"id-1\",\"name\":\"s1\",\"status\":\"WEIRD\"}]}");
  server_send (srv, "{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"id-2\",\"name\":\"s1\",\"status\":\"FAILED\","
      "\"info\":\"Stream not found\"}]}");
  /* fail about a stream, keyed by "id" */
  server_send (srv, "{\"message\":\"fail\",\"data\":[{\"apiMethod\":"
      "\"StreamStatusEvent\",\"id\":\"id-3\",\"status\":\"FAILED\","
      "\"info\":\"Failed by RTP activity\"}]}");
  /* ... without a status: still a failure */
  server_send (srv, "{\"message\":\"fail\",\"data\":[{\"apiMethod\":"
      "\"StreamStatusEvent\",\"id\":\"id-4\",\"info\":\"Restricted access\"}]}");
  /* fail about something else: not a stream event */
  server_send (srv, "{\"message\":\"fail\",\"data\":[{\"apiMethod\":"
      "\"sendData\",\"id\":\"id-5\",\"info\":\"nope\"}]}");
  server_send (srv, "{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"id-1\",\"name\":\"s1\",\"published\":true,"
      "\"status\":\"UNPUBLISHED\",\"info\":\"Stopped by user\"}]}");
  /* a marker to know everything before it was handled */
  server_send (srv, "{\"message\":\"setRemoteSDP\",\"data\":[\"end\","
      "\"v=0\\r\\n\"]}");

  fail_unless (wait_len (rec, rec->sdps, 2, 5000));
  got = rec_get (rec, rec->sdps, 0);
  fail_unless_equals_string (got, "id-1|v=0\r\ns=answer\r\n");
  g_free (got);

  fail_unless_equals_int (rec_len (rec, rec->streams), G_N_ELEMENTS (expected));
  for (i = 0; i < G_N_ELEMENTS (expected); i++) {
    got = rec_get (rec, rec->streams, i);
    fail_unless_equals_string (got, expected[i]);
    g_free (got);
  }
  fail_unless_equals_int (gst_wcs_session_get_status (s),
      GST_WCS_SESSION_STATUS_ESTABLISHED);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_reconnect_after_failed)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GError *err = NULL;
  GstWcsMessage *msg;

  establish (s, rec, 1);
  fail_unless (g_socket_shutdown (srv->socket, TRUE, TRUE, &err));
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));

  /* a stale request does not leak into the next connection */
  fail_if (gst_wcs_session_publish (s, "id", "n", "v=0\r\n", TRUE, TRUE,
          &err));
  g_clear_error (&err);

  establish (s, rec, 2);
  fail_unless_equals_int (srv->n_conns, 2);
  msg = server_find_frame (srv, "connection", 1);
  fail_unless (msg != NULL);
  gst_wcs_message_free (msg);
  assert_last_status (rec, GST_WCS_SESSION_STATUS_ESTABLISHED, NULL);

  /* and again after a clean close */
  gst_wcs_session_disconnect (s);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED, 1,
          5000));
  establish (s, rec, 3);
  fail_unless_equals_int (srv->n_conns, 3);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

/* server failover (elements' backup-locations) relies on this: a new
 * "location" set while FAILED applies to the next connect, and the
 * session works there as on the first server */
GST_START_TEST (test_location_change_applies_to_next_connect)
{
  TestServer *srv1 = test_server_new (), *srv2 = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv1->url, rec);
  GError *err = NULL;
  gchar *loc = NULL;

  establish (s, rec, 1);
  fail_unless (g_socket_shutdown (srv1->socket, TRUE, TRUE, &err));
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_FAILED, 1, 5000));

  g_object_set (s, "location", srv2->url, NULL);
  g_object_get (s, "location", &loc, NULL);
  fail_unless_equals_string (loc, srv2->url);
  g_free (loc);
  establish (s, rec, 2);
  fail_unless_equals_int (srv1->n_conns, 1);
  fail_unless_equals_int (srv2->n_conns, 1);
  fail_unless (gst_wcs_session_publish (s, "id", "n", "v=0\r\n", TRUE,
          TRUE, &err), "%s", err ? err->message : "?");

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv2);
  test_server_free (srv1);
}

GST_END_TEST;

/* disconnect() immediately followed by connect(): both are honoured, in
 * order, without losing the new connection */
GST_START_TEST (test_disconnect_then_connect)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GError *err = NULL;

  establish (s, rec, 1);
  gst_wcs_session_disconnect (s);
  connect_ok (s);
  /* the old ESTABLISHED does not count for the new connection */
  fail_if (gst_wcs_session_publish (s, "id", "n", "v=0\r\n", TRUE, TRUE,
          &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_STATE));
  g_clear_error (&err);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_ESTABLISHED, 2,
          10000));
  fail_unless_equals_int (srv->n_conns, 2);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_DISCONNECTED), 1);
  assert_last_status (rec, GST_WCS_SESSION_STATUS_ESTABLISHED, NULL);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

GST_START_TEST (test_unref_while_connecting)
{
  MuteServer *m1 = mute_server_new (), *m2 = mute_server_new ();
  Recorder *rec = recorder_new (), *rec2 = recorder_new ();
  gchar *url1 = g_strdup_printf ("ws://127.0.0.1:%u/ws", m1->port);
  gchar *url2 = g_strdup_printf ("ws://127.0.0.1:%u/ws", m2->port);
  GstWcsSession *s = make_session (url1, rec);

  /* right after connect() */
  connect_ok (s);
  unref_quickly (s);

  /* while the upgrade hangs (TCP accepted, no HTTP answer) */
  s = make_session (url2, rec2);
  connect_ok (s);
  fail_unless (wait_status (rec2, GST_WCS_SESSION_STATUS_PENDING, 1, 5000));
  fail_unless (wait_until (mute_accepted, m2, 10000));
  wcs_test_iterate (NULL, 50);
  unref_quickly (s);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 0);
  fail_unless_equals_int (rec_count_status (rec2,
          GST_WCS_SESSION_STATUS_FAILED), 0);
  fail_unless_equals_int (rec_count_status (rec2,
          GST_WCS_SESSION_STATUS_CONNECTED), 0);

  recorder_free (rec);
  recorder_free (rec2);
  mute_server_free (m1);
  mute_server_free (m2);
  g_free (url1);
  g_free (url2);
}

GST_END_TEST;

GST_START_TEST (test_unref_while_established)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  guint n;

  g_object_set (s, "receive-probes", 3, "probes-interval", 100, NULL);
  establish (s, rec, 1);
  n = rec->statuses->len;
  unref_quickly (s);
  /* nothing reported after disposal, and the server is told goodbye */
  fail_unless_equals_int (rec->statuses->len, n);
  fail_unless (wait_until (server_closed, srv, 5000));
  fail_unless (srv->client_closed_first);

  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

/* The last reference dropped from a signal handler, on the session thread:
 * no deadlock, no crash (and valgrind shows no leak). */
GST_START_TEST (test_unref_from_handler)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);

  establish (s, rec, 1);
  g_mutex_lock (&rec->lock);
  rec->unref_on_final = TRUE;
  rec->session_to_drop = s;     /* takes our reference */
  g_mutex_unlock (&rec->lock);

  soup_websocket_connection_close (srv->conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
      NULL);
  fail_unless (wait_status (rec, GST_WCS_SESSION_STATUS_DISCONNECTED, 1,
          5000));
  g_mutex_lock (&rec->lock);
  fail_unless (rec->session_to_drop == NULL);
  g_mutex_unlock (&rec->lock);
  /* give the detached thread time to finish */
  wcs_test_iterate (NULL, 300);

  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

static gboolean
connect_from_handler_done (gpointer data)
{
  return rec_count_status (data, GST_WCS_SESSION_STATUS_ESTABLISHED) >= 2;
}

static void
reconnect_on_failed (GstWcsSession * s, GstWcsSessionStatus status,
    const gchar * reason, gpointer data)
{
  if (status == GST_WCS_SESSION_STATUS_FAILED) {
    GError *err = NULL;

    if (!gst_wcs_session_connect (s, &err)) {
      GST_ERROR ("reconnect from handler failed: %s", err->message);
      g_error_free (err);
    }
  }
}

/* A handler may call connect() from a FAILED emission. */
GST_START_TEST (test_reconnect_from_handler)
{
  TestServer *srv = test_server_new ();
  Recorder *rec = recorder_new ();
  GstWcsSession *s = make_session (srv->url, rec);
  GError *err = NULL;

  establish (s, rec, 1);
  g_signal_connect (s, "status-changed", G_CALLBACK (reconnect_on_failed),
      NULL);
  fail_unless (g_socket_shutdown (srv->socket, TRUE, TRUE, &err));
  fail_unless (wait_until (connect_from_handler_done, rec, 10000));
  fail_unless_equals_int (srv->n_conns, 2);
  fail_unless_equals_int (rec_count_status (rec,
          GST_WCS_SESSION_STATUS_FAILED), 1);

  unref_quickly (s);
  recorder_free (rec);
  test_server_free (srv);
}

GST_END_TEST;

static Suite *
session_suite (void)
{
  Suite *s = suite_create ("wcssession");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_handshake_established);
  tcase_add_test (tc, test_default_app_key);
  tcase_add_test (tc, test_ping_pong);
  tcase_add_test (tc, test_available_query);
  tcase_add_test (tc, test_watchdog_fires);
  tcase_add_test (tc, test_watchdog_quiet_while_pinged);
  tcase_add_test (tc, test_watchdog_frame_kinds);
  tcase_add_test (tc, test_server_close_disconnected);
  tcase_add_test (tc, test_server_close_with_code);
  tcase_add_test (tc, test_disconnect);
  tcase_add_test (tc, test_abrupt_drop_failed);
  tcase_add_test (tc, test_abort_failed);
  tcase_add_test (tc, test_connection_refused);
  tcase_add_test (tc, test_connect_timeout);
  tcase_add_test (tc, test_tls_failure);
  tcase_add_test (tc, test_tls_database_trusted);
  tcase_add_test (tc, test_tls_validation_flags);
  tcase_add_test (tc, test_tls_flags_keep_identity);
  tcase_add_test (tc, test_tls_flags_keep_expiry);
  tcase_add_test (tc, test_tls_no_database);
  tcase_add_test (tc, test_handshake_refused);
  tcase_add_test (tc, test_handshake_status_kinds);
  tcase_add_test (tc, test_socket_addresses);
  tcase_add_test (tc, test_bad_locations);
  tcase_add_test (tc, test_invalid_state);
  tcase_add_test (tc, test_malformed_and_unknown_survived);
  tcase_add_test (tc, test_oversized_frame);
  tcase_add_test (tc, test_stream_requests);
  tcase_add_test (tc, test_remote_sdp_and_stream_status);
  tcase_add_test (tc, test_reconnect_after_failed);
  tcase_add_test (tc, test_location_change_applies_to_next_connect);
  tcase_add_test (tc, test_disconnect_then_connect);
  tcase_add_test (tc, test_unref_while_connecting);
  tcase_add_test (tc, test_unref_while_established);
  tcase_add_test (tc, test_unref_from_handler);
  tcase_add_test (tc, test_reconnect_from_handler);
  return s;
}

int
main (int argc, char **argv)
{
  Suite *s;

  /* loopback only: never ask the system (libproxy) for a proxy */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  gst_wcs_process_init ();
  gst_check_init (&argc, &argv);
  s = session_suite ();
  return gst_check_run_suite (s, "session", __FILE__);
}
