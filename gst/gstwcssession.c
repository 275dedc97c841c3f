/* gst-wcs: one WCS WebSocket signalling session (libsoup 3)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:gstwcssession
 * @title: GstWcsSession
 * @short_description: a WCS WebSocket signalling session
 *
 * #GstWcsSession connects to a Flashphoner Web Call Server (or wcs-relay)
 * over a WebSocket, sends `connection`, reaches ESTABLISHED on
 * `getUserData`, answers `ping` with `pong`, runs the client watchdog of
 * docs/protocol.md 3.2 (`receive-probes` x `probes-interval`) and carries the
 * publish / play requests of the elements.
 *
 * ## Threading
 *
 * Each session owns a private #GMainContext run by a #GMainLoop in its own
 * thread, started when the session is created and joined when it is
 * disposed. Every socket operation, timer and signal emission happens in
 * that thread. The public functions only validate their arguments, update
 * the state under a mutex and queue the work onto the session thread; they
 * never block, except gst_wcs_session_flush().
 *
 * Work is always queued (an idle source attached to the session context),
 * never run inline, even when called from a signal handler on the session
 * thread: a handler may call gst_wcs_session_connect() from a
 * "status-changed" FAILED emission without re-entering the code that emits.
 *
 * Everything the thread touches lives in a reference-counted private core
 * that the thread keeps alive until it has finished, so the last reference
 * to the #GstWcsSession may be dropped from any thread, including from a
 * signal handler (the thread is then detached instead of joined).
 *
 * ## Status
 *
 * See gstwcssession.h. In addition to the header's table, the status is
 * PENDING (with reason "connecting") while a connect attempt runs, so a
 * reconnect after FAILED is visible as FAILED -> PENDING -> CONNECTED ->
 * ESTABLISHED.
 *
 * An abrupt drop (EOF or I/O error without a close frame) is FAILED, not
 * DISCONNECTED: nobody asked for that session to end, so the restore logic
 * must treat it as a failure. Browsers report such a drop as close code
 * 1006 and the SDK maps it to DISCONNECTED or FAILED depending on the
 * engine (docs/protocol.md 2.5); we do not copy that ambiguity. Only a close
 * frame (either side) or gst_wcs_session_disconnect() gives DISCONNECTED.
 *
 * ## Watchdog
 *
 * With both `receive-probes` (N) and `probes-interval` (T) non-zero, a
 * periodic timer started when the socket opens counts empty windows: every
 * T ms the counter goes up by one, any inbound frame whose envelope parsed
 * (text, any message name, known or not) or any binary frame resets it to
 * zero, and when it reaches N the session goes FAILED with reason
 * "pings-missed" and the socket is closed. So the session fails after
 * (N-1)*T to N*T ms of silence, like the SDK. Frames that fail to parse do
 * not reset the counter.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcssession.h"
#include "gstwcsprop.h"

#include <string.h>
#include <libsoup/soup.h>

GST_DEBUG_CATEGORY_STATIC (wcs_session_debug);
#define GST_CAT_DEFAULT wcs_session_debug

#define DEFAULT_APP_KEY "defaultApp"
#define DEFAULT_RECEIVE_PROBES 10
#define DEFAULT_PROBES_INTERVAL 5000
#define DEFAULT_CONNECT_TIMEOUT 10000
#define DEFAULT_TLS_USE_SYSTEM_DATABASE TRUE
#define DEFAULT_TLS_VALIDATION_FLAGS G_TLS_CERTIFICATE_VALIDATE_ALL

/* Largest inbound WebSocket payload; SDP answers are a few KiB. */
#define MAX_INCOMING_PAYLOAD (1024 * 1024)

/* How long the session thread waits, at teardown, for cancelled connects
 * and closing sockets to report back before giving up on them. */
#define TEARDOWN_DRAIN_MS 2000

/* How long gst_wcs_session_flush() waits for the session thread. */
#define FLUSH_TIMEOUT_MS 10000

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_APP_KEY,
  PROP_CUSTOM,
  PROP_RECEIVE_PROBES,
  PROP_PROBES_INTERVAL,
  PROP_CONNECT_TIMEOUT,
  PROP_TLS_DATABASE,
  PROP_TLS_USE_SYSTEM_DATABASE,
  PROP_TLS_VALIDATION_FLAGS,
  PROP_TLS_INTERACTION,
  PROP_TRANSPORT,
  PROP_STATUS,
  PROP_AUTH_TOKEN,
};

enum
{
  SIGNAL_STATUS_CHANGED,
  SIGNAL_REMOTE_SDP,
  SIGNAL_STREAM_STATUS,
  SIGNAL_MESSAGE,
  SIGNAL_STREAM_AVAILABLE,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

typedef struct _Core Core;
typedef struct _ConnectAttempt ConnectAttempt;

/* What the session remembers about a stream it requested, so that
 * unPublishStream / stopStream carry the current status like the SDK. */
typedef struct
{
  gchar *name;
  GstWcsStreamStatus status;
} StreamEntry;

struct _ConnectAttempt
{
  Core *core;                   /* not a ref: the core outlives the attempt */
  guint64 seq;
  GCancellable *cancellable;
  SoupMessage *msg;
  GTlsCertificateFlags tls_errors;      /* of a refused server certificate */
  /* what a certificate that failed verification is checked against */
  GTlsCertificateFlags tls_flags;       /* tls-validation-flags */
  GTlsDatabase *tls_database;   /* (nullable) the anchors in use */
  gchar *local_address;         /* of the TCP connection, once connected */
  gchar *remote_address;
};

/* Lock order: only one lock (core->lock); it is never held while emitting
 * a signal or calling into libsoup. */
struct _Core
{
  gint refcount;
  gchar *id;                    /* for debug logs */

  GMutex lock;
  GCond cond;

  /* --- protected by lock --- */
  GstWcsSession *owner;         /* NULL once the object is disposed */
  gchar *location;
  gchar *app_key;
  GstStructure *custom;
  guint receive_probes;
  guint probes_interval;
  guint connect_timeout;
  GTlsDatabase *tls_database;   /* (nullable) */
  gboolean tls_use_system_database;
  GTlsCertificateFlags tls_validation_flags;
  GTlsInteraction *tls_interaction;     /* (nullable) */
  GstWcsTransport transport;    /* "transport" of publish / play */
  GstWcsSessionStatus status;
  GstWcsSessionFailure failure; /* why the last FAILED was reported */
  gchar *local_address;         /* of the open socket */
  gchar *remote_address;
  gchar *auth_token;
  /* TRUE from connect() until the end of that session was reported or
   * requested (disconnect() / abort()) */
  gboolean active;
  /* bumped by every connect() / disconnect() / abort(); thread-side events
   * that belong to an older request are not reported */
  guint64 seq;
  /* the seq the current status was reported for: a status left over from
   * an older request (disconnect() + connect() not processed yet) does not
   * allow stream requests */
  guint64 status_seq;
  guint flush_queued;
  guint flush_done;

  /* --- immutable after creation --- */
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;

  /* --- session thread only --- */
  SoupSession *soup;
  GTlsDatabase *soup_tls_database;      /* what soup was given (a ref) */
  gboolean soup_tls_set;        /* soup_tls_database was applied */
  ConnectAttempt *attempt;      /* the connect in flight, if any */
  guint n_attempts;             /* attempts whose callback has not run */
  GSource *timeout_source;      /* connect timeout */
  SoupWebsocketConnection *conn;        /* the open socket, if any */
  GstWcsSessionFailure next_failure;    /* kind of the FAILED being reported */
  guint64 conn_seq;             /* seq of attempt / conn */
  GSource *watchdog;
  guint probes;                 /* watchdog config of this connection */
  guint interval;
  guint pings_missing;
  gchar *conn_app_key;
  GstStructure *conn_custom;
  GList *retired;               /* (owned) sockets closing in background */
  GList *dying;                 /* (unowned) disposed sockets, io closing */
  gboolean tearing_down;
  GHashTable *streams;          /* mediaSessionId -> StreamEntry */
};

struct _GstWcsSession
{
  GObject parent;

  Core *core;
};

G_DEFINE_TYPE (GstWcsSession, gst_wcs_session, G_TYPE_OBJECT);

/* ------------------------------------------------------------------ */
/* Core lifetime                                                       */

static Core *
core_ref (Core * core)
{
  g_atomic_int_inc (&core->refcount);
  return core;
}

static void
core_unref (Core * core)
{
  if (!g_atomic_int_dec_and_test (&core->refcount))
    return;

  GST_DEBUG_ID (core->id, "freeing session core");
  g_main_loop_unref (core->loop);
  g_main_context_unref (core->context);
  g_free (core->location);
  g_free (core->app_key);
  if (core->custom)
    gst_structure_free (core->custom);
  g_clear_object (&core->tls_database);
  g_clear_object (&core->tls_interaction);
  g_free (core->auth_token);
  g_free (core->local_address);
  g_free (core->remote_address);
  g_free (core->conn_app_key);
  if (core->conn_custom)
    gst_structure_free (core->conn_custom);
  g_hash_table_unref (core->streams);
  g_mutex_clear (&core->lock);
  g_cond_clear (&core->cond);
  g_free (core->id);
  g_free (core);
}

static void
stream_entry_free (gpointer data)
{
  StreamEntry *e = data;

  g_free (e->name);
  g_free (e);
}

/* Queue @func on the session thread. Always an idle source (never run
 * inline), FIFO with every other queued call. */
static void
core_invoke (Core * core, GSourceFunc func, gpointer data,
    GDestroyNotify notify)
{
  GSource *src = g_idle_source_new ();

  g_source_set_priority (src, G_PRIORITY_DEFAULT);
  g_source_set_static_name (src, "GstWcsSession call");
  g_source_set_callback (src, func, data, notify);
  g_source_attach (src, core->context);
  g_source_unref (src);
}

static GstWcsSession *
core_get_owner (Core * core)
{
  GstWcsSession *owner;

  g_mutex_lock (&core->lock);
  owner = core->owner ? g_object_ref (core->owner) : NULL;
  g_mutex_unlock (&core->lock);
  return owner;
}

static gboolean
status_is_final (GstWcsSessionStatus status)
{
  return status == GST_WCS_SESSION_STATUS_DISCONNECTED ||
      status == GST_WCS_SESSION_STATUS_FAILED;
}

/* Sets and reports a status change. Reported only if @seq is still the
 * latest request, unless @force (disconnect / abort report their own end
 * even when a newer connect() is already queued behind them). */
static void
core_update_status (Core * core, guint64 seq, GstWcsSessionStatus status,
    const gchar * reason, gboolean force)
{
  GstWcsSession *owner;
  gboolean current;

  g_mutex_lock (&core->lock);
  current = (seq == core->seq);
  if (!current && !force) {
    g_mutex_unlock (&core->lock);
    GST_DEBUG_ID (core->id, "not reporting %s (%s): superseded",
        gst_wcs_session_status_to_string (status), GST_STR_NULL (reason));
    return;
  }
  core->status = status;
  core->status_seq = seq;
  core->failure = status == GST_WCS_SESSION_STATUS_FAILED ?
      core->next_failure : GST_WCS_SESSION_FAILURE_NONE;
  core->next_failure = GST_WCS_SESSION_FAILURE_TRANSIENT;
  if (status_is_final (status)) {
    g_clear_pointer (&core->local_address, g_free);
    g_clear_pointer (&core->remote_address, g_free);
  }
  if (current && status_is_final (status))
    core->active = FALSE;
  owner = core->owner ? g_object_ref (core->owner) : NULL;
  g_mutex_unlock (&core->lock);

  if (status == GST_WCS_SESSION_STATUS_FAILED)
    GST_WARNING_ID (core->id, "session FAILED: %s", GST_STR_NULL (reason));
  else
    GST_INFO_ID (core->id, "session %s%s%s",
        gst_wcs_session_status_to_string (status), reason ? ": " : "",
        reason ? reason : "");

  if (owner) {
    g_object_notify (G_OBJECT (owner), "status");
    g_signal_emit (owner, signals[SIGNAL_STATUS_CHANGED], 0, status, reason);
    g_object_unref (owner);
  }
}

/* ------------------------------------------------------------------ */
/* Sockets going away                                                  */

/* qdata (not a weak ref: those fire at dispose) tells us when a disposed
 * socket is finalized, i.e. its asynchronous stream close has completed */
static G_DEFINE_QUARK (gst-wcs-dying, dying);

typedef struct
{
  Core *core;
  gpointer conn;
} DyingConn;

static void
on_dying_finalized (gpointer data)
{
  DyingConn *d = data;

  d->core->dying = g_list_remove (d->core->dying, d->conn);
  g_free (d);
}

static gboolean
noop_source_func (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Drops a ref from an idle: never inside one of the object's emissions. */
static void
unref_later (Core * core, gpointer obj)
{
  GSource *src = g_idle_source_new ();

  g_source_set_static_name (src, "GstWcsSession unref");
  g_source_set_callback (src, noop_source_func, obj, g_object_unref);
  g_source_attach (src, core->context);
  g_source_unref (src);
}

static void
on_retired_closed (SoupWebsocketConnection * conn, gpointer data)
{
  Core *core = data;

  GST_DEBUG_ID (core->id, "retired socket %p closed", conn);
  g_signal_handlers_disconnect_by_data (conn, core);
  core->retired = g_list_remove (core->retired, conn);
  unref_later (core, conn);
}

typedef enum
{
  RETIRE_CLEAN,                 /* send a close frame if still open */
  RETIRE_PASSIVE,               /* libsoup is closing it already */
  RETIRE_FORCE,                 /* close the stream, no close frame */
} RetireMode;

/* Forcibly disposes a socket: its stream is closed without a close frame
 * (asynchronously, in the session context); tracked until finalized. */
static void
force_dispose_conn (Core * core, SoupWebsocketConnection * conn)
{
  DyingConn *d = g_new0 (DyingConn, 1);

  g_signal_handlers_disconnect_by_data (conn, core);
  d->core = core;
  d->conn = conn;
  core->dying = g_list_prepend (core->dying, conn);
  g_object_set_qdata_full (G_OBJECT (conn), dying_quark (), d,
      on_dying_finalized);
  g_object_run_dispose (G_OBJECT (conn));
  g_object_unref (conn);
}

/* Takes ownership of @conn. It is detached from the session logic and
 * either closed cleanly in the background or dropped. */
static void
retire_conn (Core * core, SoupWebsocketConnection * conn, RetireMode mode,
    gushort code, const gchar * reason)
{
  SoupWebsocketState state;

  g_signal_handlers_disconnect_by_data (conn, core);
  state = soup_websocket_connection_get_state (conn);

  if (state == SOUP_WEBSOCKET_STATE_CLOSED) {
    /* all done already; drop our ref outside of any libsoup emission */
    GST_DEBUG_ID (core->id, "releasing closed socket %p", conn);
    unref_later (core, conn);
    return;
  }

  if (mode == RETIRE_CLEAN && state == SOUP_WEBSOCKET_STATE_OPEN) {
    GST_DEBUG_ID (core->id, "closing socket %p (code %u)", conn, code);
    soup_websocket_connection_close (conn, code, reason);
  }

  if (mode == RETIRE_FORCE || core->tearing_down) {
    GST_DEBUG_ID (core->id, "dropping socket %p", conn);
    force_dispose_conn (core, conn);
    return;
  }

  /* keep it until libsoup reports "closed" (bounded by libsoup's own
   * close timeout, or by teardown) */
  g_signal_connect (conn, "closed", G_CALLBACK (on_retired_closed), core);
  core->retired = g_list_prepend (core->retired, conn);
}

static void
stop_watchdog (Core * core)
{
  if (core->watchdog) {
    g_source_destroy (core->watchdog);
    g_clear_pointer (&core->watchdog, g_source_unref);
  }
  core->pings_missing = 0;
}

static void
stop_connect_timeout (Core * core)
{
  if (core->timeout_source) {
    g_source_destroy (core->timeout_source);
    g_clear_pointer (&core->timeout_source, g_source_unref);
  }
}

/* Abandons a connect in flight: its callback will find it stale. */
static void
abandon_attempt (Core * core)
{
  stop_connect_timeout (core);
  if (core->attempt) {
    GST_DEBUG_ID (core->id, "abandoning connect attempt %" G_GUINT64_FORMAT,
        core->attempt->seq);
    g_cancellable_cancel (core->attempt->cancellable);
    core->attempt = NULL;
  }
}

/* Ends whatever the current connection is (attempt or socket). */
static void
drop_connection (Core * core, RetireMode mode, gushort code,
    const gchar * reason)
{
  abandon_attempt (core);
  stop_watchdog (core);
  if (core->conn) {
    SoupWebsocketConnection *conn = core->conn;

    core->conn = NULL;
    retire_conn (core, conn, mode, code, reason);
  }
  g_hash_table_remove_all (core->streams);
}

/* The current connection ended on its own (not on request). */
static void
connection_failed_full (Core * core, RetireMode mode,
    GstWcsSessionFailure failure, const gchar * reason)
{
  guint64 seq = core->conn_seq;

  drop_connection (core, mode, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, reason);
  g_mutex_lock (&core->lock);
  core->next_failure = failure;
  g_mutex_unlock (&core->lock);
  core_update_status (core, seq, GST_WCS_SESSION_STATUS_FAILED, reason, FALSE);
}

static void
connection_failed (Core * core, RetireMode mode, const gchar * reason)
{
  connection_failed_full (core, mode, GST_WCS_SESSION_FAILURE_TRANSIENT,
      reason);
}

/* ------------------------------------------------------------------ */
/* Inbound frames                                                      */

/* What the log may show of an outgoing frame: the 'connection' frame
 * carries the appKey and the 'custom' fields (auth tokens), never shown */
static const gchar *
loggable_frame (const gchar * text)
{
  if (strstr (text, "\"connection\"") || strstr (text, "\"custom\""))
    return "(connection frame: not shown, it carries the credentials)";
  return text;
}

static void
send_text_now (Core * core, const gchar * text)
{
  if (core->conn == NULL ||
      soup_websocket_connection_get_state (core->conn) !=
      SOUP_WEBSOCKET_STATE_OPEN) {
    GST_WARNING_ID (core->id, "socket not open, dropping frame: %.200s",
        loggable_frame (text));
    return;
  }
  GST_LOG_ID (core->id, "sending: %.500s", loggable_frame (text));
  soup_websocket_connection_send_text (core->conn, text);
}

static void
emit_stream_status (Core * core, const gchar * message,
    GstWcsStreamInfo * info)
{
  GstWcsSession *owner;
  StreamEntry *entry;

  if (!info->has_status) {
    GST_DEBUG_ID (core->id, "status-less %s for %s dropped", message,
        info->media_session_id);
    return;
  }
  if (info->status == GST_WCS_STREAM_STATUS_UNKNOWN) {
    GST_WARNING_ID (core->id, "%s for %s with unknown status \"%s\" dropped",
        message, info->media_session_id, GST_STR_NULL (info->status_str));
    return;
  }
  if (!gst_wcs_stream_status_changes_status (info->status)) {
    GST_DEBUG_ID (core->id, "%s for %s: %s does not change the status",
        message, info->media_session_id, info->status_str);
    return;
  }

  entry = g_hash_table_lookup (core->streams, info->media_session_id);
  if (entry) {
    entry->status = info->status;
    if (gst_wcs_stream_status_is_terminal (info->status))
      g_hash_table_remove (core->streams, info->media_session_id);
  }

  GST_INFO_ID (core->id, "stream %s (%s): %s%s%s", info->media_session_id,
      GST_STR_NULL (info->name), gst_wcs_stream_status_to_string (info->status),
      info->info ? ", " : "", info->info ? info->info : "");

  owner = core_get_owner (core);
  if (owner) {
    g_signal_emit (owner, signals[SIGNAL_STREAM_STATUS], 0,
        info->media_session_id, info->name, info->status, info->info);
    g_object_unref (owner);
  }
}

static void
handle_stream_event (Core * core, GstWcsMessage * msg)
{
  GstWcsStreamInfo info;
  GError *err = NULL;

  if (!gst_wcs_stream_info_parse (msg, &info, &err)) {
    GST_WARNING_ID (core->id, "bad %s: %s", msg->message, err->message);
    g_error_free (err);
    return;
  }
  emit_stream_status (core, msg->message, &info);
  gst_wcs_stream_info_clear (&info);
}

static void
handle_fail (Core * core, GstWcsMessage * msg)
{
  JsonObject *obj = gst_wcs_message_get_object (msg, 0);
  const gchar *api = obj ? gst_wcs_json_get_string (obj, "apiMethod") : NULL;
  GstWcsStreamInfo info;
  GError *err = NULL;

  if (g_strcmp0 (api, "StreamStatusEvent") != 0) {
    GST_WARNING_ID (core->id, "server reported a failure (apiMethod %s, "
        "info %s)", GST_STR_NULL (api),
        GST_STR_NULL (obj ? gst_wcs_json_get_string (obj, "info") : NULL));
    return;
  }

  if (!gst_wcs_stream_info_parse (msg, &info, &err)) {
    GST_WARNING_ID (core->id, "bad fail: %s", err->message);
    g_error_free (err);
    return;
  }
  /* a "fail" about a stream without a status still means it failed */
  if (!info.has_status) {
    info.has_status = TRUE;
    info.status = GST_WCS_STREAM_STATUS_FAILED;
  }
  emit_stream_status (core, msg->message, &info);
  gst_wcs_stream_info_clear (&info);
}

static void
handle_set_remote_sdp (Core * core, GstWcsMessage * msg)
{
  gchar *id = NULL, *sdp = NULL;
  GError *err = NULL;
  GstWcsSession *owner;

  if (!gst_wcs_parse_set_remote_sdp (msg, &id, &sdp, &err)) {
    GST_WARNING_ID (core->id, "bad setRemoteSDP: %s", err->message);
    g_error_free (err);
    return;
  }
  GST_INFO_ID (core->id, "remote SDP for %s (%" G_GSIZE_FORMAT " bytes)", id,
      strlen (sdp));
  owner = core_get_owner (core);
  if (owner) {
    g_signal_emit (owner, signals[SIGNAL_REMOTE_SDP], 0, id, sdp);
    g_object_unref (owner);
  }
  g_free (id);
  g_free (sdp);
}

static void
handle_available (Core * core, GstWcsMessage * msg)
{
  gchar *id = NULL, *info = NULL;
  gboolean available = FALSE;
  GError *err = NULL;
  GstWcsSession *owner;

  if (!gst_wcs_parse_available_stream (msg, &id, &available, &info, &err)) {
    GST_WARNING_ID (core->id, "bad availableStream: %s", err->message);
    g_error_free (err);
    return;
  }
  GST_DEBUG_ID (core->id, "availableStream %s: %s (%s)", id,
      available ? "available" : "not available", GST_STR_NULL (info));
  owner = core_get_owner (core);
  if (owner) {
    g_signal_emit (owner, signals[SIGNAL_STREAM_AVAILABLE], 0, id, available,
        info);
    g_object_unref (owner);
  }
  g_free (id);
  g_free (info);
}

static void
handle_get_user_data (Core * core, GstWcsMessage * msg)
{
  JsonObject *obj = gst_wcs_message_get_object (msg, 0);
  const gchar *token = obj ? gst_wcs_json_get_string (obj, "authToken") : NULL;
  GstWcsSessionStatus status;

  g_mutex_lock (&core->lock);
  status = core->status;
  if (status == GST_WCS_SESSION_STATUS_CONNECTED) {
    g_free (core->auth_token);
    core->auth_token = g_strdup (token);
  }
  g_mutex_unlock (&core->lock);

  if (status != GST_WCS_SESSION_STATUS_CONNECTED) {
    GST_DEBUG_ID (core->id, "getUserData in %s ignored",
        gst_wcs_session_status_to_string (status));
    return;
  }
  core_update_status (core, core->conn_seq,
      GST_WCS_SESSION_STATUS_ESTABLISHED, NULL, FALSE);
}

/* Messages the SDK knows but that mean nothing for a publish/play client. */
static const gchar *const ignored_messages[] = {
  "notifyStreamEvent", "inboundVideoRate",
  "outboundVideoRate", "DataStatusEvent", "OnDataEvent", "pong",
  "notifySessionDebugEvent", "notifyAudioCodec", "getVersion",
  "webRTCMetricsTokenRefresh", "webRTCMetricsDescriptionUpdate",
  NULL
};

static void
handle_text (Core * core, const gchar * text, gsize len)
{
  GstWcsMessage *msg;
  GstWcsSession *owner;
  GError *err = NULL;
  gchar *raw;

  msg = gst_wcs_message_parse (text, len, &err);
  if (msg == NULL) {
    GST_WARNING_ID (core->id, "malformed frame ignored (%s): %.200s",
        err->message, text);
    g_error_free (err);
    return;
  }

  /* went through the dispatcher: the peer is alive */
  core->pings_missing = 0;

  GST_LOG_ID (core->id, "received %s", msg->message);

  if (strcmp (msg->message, "ping") == 0) {
    gchar *pong = gst_wcs_build_pong ();

    send_text_now (core, pong);
    g_free (pong);
  } else if (strcmp (msg->message, "getUserData") == 0) {
    handle_get_user_data (core, msg);
  } else if (strcmp (msg->message, "setRemoteSDP") == 0) {
    handle_set_remote_sdp (core, msg);
  } else if (strcmp (msg->message, "notifyStreamStatusEvent") == 0 ||
      strcmp (msg->message, "notifyVideoFormat") == 0) {
    handle_stream_event (core, msg);
  } else if (strcmp (msg->message, "fail") == 0) {
    handle_fail (core, msg);
  } else if (strcmp (msg->message, "availableStream") == 0) {
    handle_available (core, msg);
  } else if (strcmp (msg->message, "registered") == 0) {
    GST_WARNING_ID (core->id, "SIP \"registered\" ignored");
  } else if (g_strv_contains (ignored_messages, msg->message)) {
    GST_DEBUG_ID (core->id, "%s ignored", msg->message);
  } else {
    GST_INFO_ID (core->id, "unknown message \"%.100s\" ignored",
        msg->message);
  }

  owner = core_get_owner (core);
  if (owner) {
    raw = g_strndup (text, len);
    g_signal_emit (owner, signals[SIGNAL_MESSAGE], 0, msg->message, raw);
    g_free (raw);
    g_object_unref (owner);
  }
  gst_wcs_message_free (msg);
}

/* ------------------------------------------------------------------ */
/* Socket callbacks (current connection only)                          */

static void
on_ws_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    gpointer data)
{
  Core *core = data;
  gsize len;
  const gchar *text = g_bytes_get_data (message, &len);

  if (conn != core->conn)
    return;

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    /* like the SDK's "binaryData": unknown message, but a sign of life */
    GST_WARNING_ID (core->id, "binary frame of %" G_GSIZE_FORMAT
        " bytes ignored", len);
    core->pings_missing = 0;
    return;
  }
  if (text == NULL || len == 0) {
    GST_WARNING_ID (core->id, "empty text frame ignored");
    return;
  }
  handle_text (core, text, len);
}

static void
on_ws_error (SoupWebsocketConnection * conn, GError * error, gpointer data)
{
  Core *core = data;
  gchar *reason;

  if (conn != core->conn)
    return;

  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR,
          SOUP_WEBSOCKET_CLOSE_TOO_BIG))
    reason = g_strdup ("frame too big");
  else
    reason = g_strdup_printf ("websocket error: %s", error->message);
  /* libsoup closes the socket itself after an error */
  connection_failed (core, RETIRE_PASSIVE, reason);
  g_free (reason);
}

static void
on_ws_closing (SoupWebsocketConnection * conn, gpointer data)
{
  Core *core = data;
  guint64 seq = core->conn_seq;
  gushort code;
  const gchar *text;
  gchar *reason;

  if (conn != core->conn)
    return;

  /* our own closes detach the socket first, so this is the server's */
  code = soup_websocket_connection_get_close_code (conn);
  text = soup_websocket_connection_get_close_data (conn);
  if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_NORMAL ||
      code == SOUP_WEBSOCKET_CLOSE_NO_STATUS)
    reason = g_strdup ("closed by server");
  else
    reason = g_strdup_printf ("closed by server (%u%s%s)", code,
        text && *text ? ": " : "", text && *text ? text : "");

  drop_connection (core, RETIRE_PASSIVE, 0, NULL);
  core_update_status (core, seq, GST_WCS_SESSION_STATUS_DISCONNECTED, reason,
      FALSE);
  g_free (reason);
}

static void
on_ws_closed (SoupWebsocketConnection * conn, gpointer data)
{
  Core *core = data;

  if (conn != core->conn)
    return;

  /* neither a close frame nor an error: EOF on the socket */
  connection_failed (core, RETIRE_PASSIVE, "connection lost");
}

static gboolean
on_watchdog_tick (gpointer data)
{
  Core *core = data;

  core->pings_missing++;
  GST_LOG_ID (core->id, "watchdog: %u of %u windows without a frame",
      core->pings_missing, core->probes);
  if (core->pings_missing < core->probes)
    return G_SOURCE_CONTINUE;

  GST_WARNING_ID (core->id, "nothing received in %u probe windows",
      core->pings_missing);
  /* the source is destroyed by stop_watchdog(); we drop our pointer first */
  connection_failed_full (core, RETIRE_CLEAN,
      GST_WCS_SESSION_FAILURE_PINGS_MISSED, "pings-missed");
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Connecting                                                          */

static gchar *
describe_tls_errors (GTlsCertificateFlags flags)
{
  static const struct
  {
    GTlsCertificateFlags flag;
    const gchar *text;
  } names[] = {
    {G_TLS_CERTIFICATE_UNKNOWN_CA, "unknown CA"},
    {G_TLS_CERTIFICATE_BAD_IDENTITY, "host name mismatch"},
    {G_TLS_CERTIFICATE_NOT_ACTIVATED, "not yet valid"},
    {G_TLS_CERTIFICATE_EXPIRED, "expired"},
    {G_TLS_CERTIFICATE_REVOKED, "revoked"},
    {G_TLS_CERTIFICATE_INSECURE, "insecure algorithm"},
    {G_TLS_CERTIFICATE_GENERIC_ERROR, "invalid"},
  };
  GString *str = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    if (flags & names[i].flag)
      g_string_append_printf (str, "%s%s", str->len ? ", " : "",
          names[i].text);
  }
  return g_string_free (str, FALSE);
}

/* A human readable reason and the failure kind of a failed connect. */
static gchar *
describe_connect_error (const GError * err, ConnectAttempt * attempt,
    GstWcsSessionFailure * failure)
{
  SoupMessage *msg = attempt->msg;
  guint status = msg ? soup_message_get_status (msg) : 0;

  *failure = GST_WCS_SESSION_FAILURE_TRANSIENT;
  if (err->domain == SOUP_WEBSOCKET_ERROR ||
      (status != 0 && status != SOUP_STATUS_SWITCHING_PROTOCOLS)) {
    if (status >= 100) {
      const gchar *phrase = soup_message_get_reason_phrase (msg);

      if (status == 401 || status == 403 || status == 407)
        *failure = GST_WCS_SESSION_FAILURE_REFUSED;
      else if (status == 404 || status == 410)
        *failure = GST_WCS_SESSION_FAILURE_NOT_FOUND;
      return g_strdup_printf ("handshake failed: HTTP %u%s%s", status,
          phrase ? " " : "", phrase ? phrase : "");
    }
    return g_strdup_printf ("handshake failed: %s", err->message);
  }
  if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup ("connection refused");
  if (attempt->tls_errors != 0 || g_error_matches (err, G_TLS_ERROR,
          G_TLS_ERROR_BAD_CERTIFICATE) || g_error_matches (err, G_TLS_ERROR,
          G_TLS_ERROR_NOT_TLS)) {
    gchar *what = describe_tls_errors (attempt->tls_errors);
    gchar *ret = g_strdup_printf ("TLS failure: %s%s%s%s", err->message,
        *what ? " (certificate: " : "", what, *what ? ")" : "");

    *failure = GST_WCS_SESSION_FAILURE_TLS;
    g_free (what);
    return ret;
  }
  if (err->domain == G_TLS_ERROR)
    return g_strdup_printf ("TLS failure: %s", err->message);
  if (err->domain == G_RESOLVER_ERROR)
    return g_strdup_printf ("host not found: %s", err->message);
  if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup ("connect timeout");
  return g_strdup_printf ("connect failed: %s", err->message);
}

static void
on_ws_connected (GObject * source, GAsyncResult * res, gpointer data)
{
  ConnectAttempt *attempt = data;
  Core *core = attempt->core;
  SoupWebsocketConnection *conn;
  GError *err = NULL;
  gchar *text;

  core->n_attempts--;
  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      &err);

  if (attempt != core->attempt) {
    GST_DEBUG_ID (core->id, "connect attempt %" G_GUINT64_FORMAT
        " finished after it was abandoned (%s)", attempt->seq,
        conn ? "connected" : err->message);
    if (conn)
      retire_conn (core, conn, RETIRE_CLEAN, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
          NULL);
    goto done;
  }

  core->attempt = NULL;
  stop_connect_timeout (core);

  if (conn == NULL) {
    GstWcsSessionFailure failure;
    gchar *reason = describe_connect_error (err, attempt, &failure);

    connection_failed_full (core, RETIRE_FORCE, failure, reason);
    g_free (reason);
    goto done;
  }

  g_mutex_lock (&core->lock);
  g_free (core->local_address);
  core->local_address = g_steal_pointer (&attempt->local_address);
  g_free (core->remote_address);
  core->remote_address = g_steal_pointer (&attempt->remote_address);
  g_mutex_unlock (&core->lock);

  GST_DEBUG_ID (core->id, "socket %p open", conn);
  core->conn = conn;
  soup_websocket_connection_set_max_incoming_payload_size (conn,
      MAX_INCOMING_PAYLOAD);
  /* WCS does its own keep-alive with text ping / pong */
  soup_websocket_connection_set_keepalive_interval (conn, 0);
  g_signal_connect (conn, "message", G_CALLBACK (on_ws_message), core);
  g_signal_connect (conn, "error", G_CALLBACK (on_ws_error), core);
  g_signal_connect (conn, "closing", G_CALLBACK (on_ws_closing), core);
  g_signal_connect (conn, "closed", G_CALLBACK (on_ws_closed), core);

  core_update_status (core, attempt->seq, GST_WCS_SESSION_STATUS_CONNECTED,
      NULL, FALSE);

  /* a handler may have dropped the socket meanwhile (not through public
   * calls: they are queued), be careful anyway */
  if (core->conn != conn)
    goto done;

  text = gst_wcs_build_connection (core->conn_app_key, core->conn_custom);
  send_text_now (core, text);
  g_free (text);

  /* docs/protocol.md 3.2: started at socket open, before ESTABLISHED */
  if (core->probes > 0 && core->interval > 0) {
    core->pings_missing = 0;
    core->watchdog = g_timeout_source_new (core->interval);
    g_source_set_static_name (core->watchdog, "GstWcsSession watchdog");
    g_source_set_callback (core->watchdog, on_watchdog_tick, core, NULL);
    g_source_attach (core->watchdog, core->context);
  }

done:
  g_clear_error (&err);
  g_signal_handlers_disconnect_by_data (attempt->msg, attempt);
  g_object_unref (attempt->cancellable);
  g_object_unref (attempt->msg);
  g_free (attempt->local_address);
  g_free (attempt->remote_address);
  g_clear_object (&attempt->tls_database);
  g_free (attempt);
}

/* The server's certificate failed verification (libsoup emits
 * accept-certificate only then). libsoup 3 has no validation flags, and
 * GTlsClientConnection:validation-flags is deprecated since GLib 2.72
 * (masking a flag there can hide another problem, see below; we do not
 * touch it), so "tls-validation-flags" is applied here:
 * the certificate is accepted only when none of its errors is a flag being
 * validated. With every flag validated (the default) that is never, as
 * libsoup would do.
 *
 * GLib does not promise to report every error of a certificate, only at
 * least one (GTlsCertificateFlags docs). So before accepting we check it
 * again ourselves, against the same anchors (chain, validity, identity:
 * g_tls_database_verify_chain()) and on its own (validity, identity:
 * g_tls_certificate_verify() without an anchor, whose UNKNOWN_CA means
 * nothing): an ignored flag must not hide a problem that is validated. */
static gboolean
on_accept_certificate (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer data)
{
  ConnectAttempt *attempt = data;
  Core *core = attempt->core;
  GTlsCertificateFlags flags = attempt->tls_flags;
  GTlsCertificateFlags all = errors;

  if ((errors & flags) == 0) {
    GUri *uri = soup_message_get_uri (msg);
    GSocketConnectable *identity = g_network_address_new (g_uri_get_host
        (uri), g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 443);

    if (attempt->tls_database) {
      GError *err = NULL;

      all |= g_tls_database_verify_chain (attempt->tls_database, cert,
          G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, identity, NULL,
          G_TLS_DATABASE_VERIFY_NONE, NULL, &err);
      if (err) {
        GST_WARNING_ID (core->id, "certificate check failed: %s",
            err->message);
        all |= G_TLS_CERTIFICATE_GENERIC_ERROR;
        g_clear_error (&err);
      }
    } else {
      all |= G_TLS_CERTIFICATE_UNKNOWN_CA;
    }
    all |= g_tls_certificate_verify (cert, identity, NULL) &
        ~G_TLS_CERTIFICATE_UNKNOWN_CA;
    g_object_unref (identity);
  }

  GST_DEBUG_ID (core->id, "server certificate errors 0x%x (re-checked: "
      "0x%x), tls-validation-flags 0x%x", errors, all, flags);
  attempt->tls_errors = all;
  if ((all & flags) == 0) {
    gchar *what = describe_tls_errors (all);

    GST_WARNING_ID (core->id, "accepting a server certificate with errors "
        "outside tls-validation-flags 0x%x: %s", flags, what);
    g_free (what);
    return TRUE;
  }
  return FALSE;
}

static gchar *
inet_address_string (GSocketAddress * addr)
{
  if (!addr || !G_IS_INET_SOCKET_ADDRESS (addr))
    return NULL;
  return g_inet_address_to_string (g_inet_socket_address_get_address
      (G_INET_SOCKET_ADDRESS (addr)));
}

/* Remembers the TCP connection's addresses (for the owner's route checks) */
static void
on_network_event (SoupMessage * msg, GSocketClientEvent event,
    GIOStream * stream, gpointer data)
{
  ConnectAttempt *attempt = data;
  GSocketAddress *addr;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (stream))
    return;
  addr = g_socket_connection_get_local_address (G_SOCKET_CONNECTION (stream),
      NULL);
  g_free (attempt->local_address);
  attempt->local_address = inet_address_string (addr);
  g_clear_object (&addr);
  addr = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION
      (stream), NULL);
  g_free (attempt->remote_address);
  attempt->remote_address = inet_address_string (addr);
  g_clear_object (&addr);
}

static gboolean
on_connect_timeout (gpointer data)
{
  Core *core = data;

  GST_WARNING_ID (core->id, "connect timeout");
  g_clear_pointer (&core->timeout_source, g_source_unref);
  connection_failed (core, RETIRE_FORCE, "connect timeout");
  return G_SOURCE_REMOVE;
}

typedef struct
{
  Core *core;
  guint64 seq;
  gchar *location;
  gchar *app_key;
  GstStructure *custom;
  guint probes;
  guint interval;
  guint timeout;
  GTlsDatabase *tls_database;
  gboolean tls_use_system_database;
  GTlsCertificateFlags tls_flags;
  GTlsInteraction *tls_interaction;
} ConnectOp;

static void
connect_op_free (gpointer data)
{
  ConnectOp *op = data;

  g_free (op->location);
  g_free (op->app_key);
  if (op->custom)
    gst_structure_free (op->custom);
  g_clear_object (&op->tls_database);
  g_clear_object (&op->tls_interaction);
  g_free (op);
}

static gboolean
do_connect (gpointer data)
{
  ConnectOp *op = data;
  Core *core = op->core;
  ConnectAttempt *attempt;
  SoupMessage *msg;
  gboolean stale;

  g_mutex_lock (&core->lock);
  stale = (op->seq != core->seq);
  g_mutex_unlock (&core->lock);
  if (stale) {
    GST_DEBUG_ID (core->id, "connect superseded before it started");
    return G_SOURCE_REMOVE;
  }

  /* connect() is refused while a connection is active, so there is
   * nothing left; be defensive anyway */
  drop_connection (core, RETIRE_CLEAN, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);

  core->conn_seq = op->seq;
  g_free (core->conn_app_key);
  core->conn_app_key = g_strdup (op->app_key);
  if (core->conn_custom)
    gst_structure_free (core->conn_custom);
  core->conn_custom = op->custom ? gst_structure_copy (op->custom) : NULL;

  core_update_status (core, op->seq, GST_WCS_SESSION_STATUS_PENDING,
      "connecting", FALSE);

  msg = soup_message_new (SOUP_METHOD_GET, op->location);
  if (msg == NULL) {
    connection_failed (core, RETIRE_FORCE, "invalid location");
    return G_SOURCE_REMOVE;
  }

  /* the watchdog starts when the socket opens */
  core->probes = op->probes;
  core->interval = op->interval;

  /* TLS anchors for this connection (libsoup applies them to new
   * connections; a WebSocket always gets one of its own). No database
   * at all makes every certificate fail with UNKNOWN_CA. */
  {
    GTlsDatabase *db = NULL;

    if (op->tls_database)
      db = g_object_ref (op->tls_database);
    else if (op->tls_use_system_database)
      db = g_tls_backend_get_default_database (g_tls_backend_get_default ());
    if (!core->soup_tls_set || db != core->soup_tls_database) {
      soup_session_set_tls_database (core->soup, db);
      g_clear_object (&core->soup_tls_database);
      core->soup_tls_database = db ? g_object_ref (db) : NULL;
      core->soup_tls_set = TRUE;
    }
    soup_session_set_tls_interaction (core->soup, op->tls_interaction);

    attempt = g_new0 (ConnectAttempt, 1);
    attempt->tls_database = db;       /* takes the ref */
    attempt->tls_flags = op->tls_flags;
  }
  attempt->core = core;
  attempt->seq = op->seq;
  attempt->cancellable = g_cancellable_new ();
  attempt->msg = msg;
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (on_accept_certificate), attempt);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event),
      attempt);
  core->attempt = attempt;
  core->n_attempts++;

  GST_INFO_ID (core->id, "connecting to %s (timeout %u ms, watchdog %u x %u "
      "ms)", op->location, op->timeout, op->probes, op->interval);

  soup_session_websocket_connect_async (core->soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, attempt->cancellable, on_ws_connected, attempt);

  if (op->timeout > 0) {
    core->timeout_source = g_timeout_source_new (op->timeout);
    g_source_set_static_name (core->timeout_source,
        "GstWcsSession connect timeout");
    g_source_set_callback (core->timeout_source, on_connect_timeout, core,
        NULL);
    g_source_attach (core->timeout_source, core->context);
  }
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Other queued operations                                             */

typedef struct
{
  Core *core;
  guint64 seq;
  gchar *text;
} SeqOp;

static void
seq_op_free (gpointer data)
{
  SeqOp *op = data;

  g_free (op->text);
  g_free (op);
}

static SeqOp *
seq_op_new (Core * core, guint64 seq, const gchar * text)
{
  SeqOp *op = g_new0 (SeqOp, 1);

  op->core = core;
  op->seq = seq;
  op->text = g_strdup (text);
  return op;
}

static gboolean
do_disconnect (gpointer data)
{
  SeqOp *op = data;
  Core *core = op->core;

  GST_DEBUG_ID (core->id, "disconnecting");
  drop_connection (core, RETIRE_CLEAN, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  core_update_status (core, op->seq, GST_WCS_SESSION_STATUS_DISCONNECTED,
      "disconnected", TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
do_abort (gpointer data)
{
  SeqOp *op = data;
  Core *core = op->core;

  GST_DEBUG_ID (core->id, "aborting: %s", op->text);
  drop_connection (core, RETIRE_FORCE, 0, NULL);
  g_mutex_lock (&core->lock);
  core->next_failure = GST_WCS_SESSION_FAILURE_ABORTED;
  g_mutex_unlock (&core->lock);
  core_update_status (core, op->seq, GST_WCS_SESSION_STATUS_FAILED,
      op->text, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
do_send (gpointer data)
{
  SeqOp *op = data;
  Core *core = op->core;

  if (core->conn == NULL || core->conn_seq != op->seq) {
    GST_WARNING_ID (core->id, "connection gone, dropping frame: %.200s",
        op->text);
    return G_SOURCE_REMOVE;
  }
  send_text_now (core, op->text);
  return G_SOURCE_REMOVE;
}

typedef enum
{
  REQ_PUBLISH,
  REQ_PLAY,
  REQ_UNPUBLISH,
  REQ_STOP,
} RequestKind;

typedef struct
{
  Core *core;
  guint64 seq;
  RequestKind kind;
  gchar *id;
  gchar *name;
  gchar *sdp;
  gboolean has_video;
  gboolean has_audio;
  GstWcsTransport transport;
} RequestOp;

static void
request_op_free (gpointer data)
{
  RequestOp *op = data;

  g_free (op->id);
  g_free (op->name);
  g_free (op->sdp);
  g_free (op);
}

static gboolean
do_request (gpointer data)
{
  RequestOp *op = data;
  Core *core = op->core;
  GstWcsStreamRequest req = { 0, };
  StreamEntry *entry;
  gchar *text = NULL;

  if (core->conn == NULL || core->conn_seq != op->seq) {
    GST_WARNING_ID (core->id, "connection gone, dropping request for %s",
        op->id);
    return G_SOURCE_REMOVE;
  }

  req.media_session_id = op->id;
  req.name = op->name;
  req.sdp = op->sdp;
  req.has_video = op->has_video;
  req.has_audio = op->has_audio;
  req.status = GST_WCS_STREAM_STATUS_PENDING;
  req.transport = op->transport;

  entry = g_hash_table_lookup (core->streams, op->id);

  switch (op->kind) {
    case REQ_PUBLISH:
    case REQ_PLAY:
      entry = g_new0 (StreamEntry, 1);
      entry->name = g_strdup (op->name);
      entry->status = GST_WCS_STREAM_STATUS_PENDING;
      g_hash_table_replace (core->streams, g_strdup (op->id), entry);
      text = op->kind == REQ_PUBLISH ? gst_wcs_build_publish_stream (&req) :
          gst_wcs_build_play_stream (&req);
      break;
    case REQ_UNPUBLISH:
    case REQ_STOP:
      /* the SDK sends the stream's current status */
      if (entry)
        req.status = entry->status;
      else
        req.status = op->kind == REQ_UNPUBLISH ?
            GST_WCS_STREAM_STATUS_PUBLISHING : GST_WCS_STREAM_STATUS_PLAYING;
      text = op->kind == REQ_UNPUBLISH ? gst_wcs_build_unpublish_stream (&req) :
          gst_wcs_build_stop_stream (&req);
      break;
  }

  if (text == NULL) {
    GST_WARNING_ID (core->id, "could not build the request for %s", op->id);
    return G_SOURCE_REMOVE;
  }
  send_text_now (core, text);
  g_free (text);
  return G_SOURCE_REMOVE;
}

static gboolean
do_flush (gpointer data)
{
  Core *core = data;

  g_mutex_lock (&core->lock);
  core->flush_done++;
  g_cond_broadcast (&core->cond);
  g_mutex_unlock (&core->lock);
  return G_SOURCE_REMOVE;
}

static gboolean
do_shutdown (gpointer data)
{
  Core *core = data;

  GST_DEBUG_ID (core->id, "shutting down");
  g_main_loop_quit (core->loop);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* The session thread                                                  */

static gboolean
wakeup_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
core_teardown (Core * core)
{
  gint64 deadline;
  GSource *wakeup;
  guint n;

  GST_DEBUG_ID (core->id, "tearing down");
  core->tearing_down = TRUE;

  /* a close frame for an open socket, then no waiting for the peer */
  drop_connection (core, RETIRE_CLEAN, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);

  while (core->retired) {
    SoupWebsocketConnection *conn = core->retired->data;

    core->retired = g_list_delete_link (core->retired, core->retired);
    force_dispose_conn (core, conn);
  }

  /* let cancelled connects and closing streams report back */
  wakeup = g_timeout_source_new (20);
  g_source_set_static_name (wakeup, "GstWcsSession teardown wakeup");
  g_source_set_callback (wakeup, wakeup_tick, NULL, NULL);
  g_source_attach (wakeup, core->context);
  deadline = g_get_monotonic_time () + TEARDOWN_DRAIN_MS * G_TIME_SPAN_MILLISECOND;
  while ((core->n_attempts > 0 || core->dying) &&
      g_get_monotonic_time () < deadline)
    g_main_context_iteration (core->context, TRUE);

  if (core->n_attempts > 0 || core->dying)
    GST_WARNING_ID (core->id, "teardown: %u connects and %u sockets did not "
        "finish in time", core->n_attempts, g_list_length (core->dying));
  while (core->dying) {
    g_free (g_object_steal_qdata (core->dying->data, dying_quark ()));
    core->dying = g_list_delete_link (core->dying, core->dying);
  }

  soup_session_abort (core->soup);
  g_clear_object (&core->soup);
  g_clear_object (&core->soup_tls_database);

  /* whatever the session left behind (idle unrefs, ...) */
  for (n = 0; n < 1000 && g_main_context_pending (core->context); n++)
    g_main_context_iteration (core->context, FALSE);

  g_source_destroy (wakeup);
  g_source_unref (wakeup);
}

static gpointer
session_thread_func (gpointer data)
{
  Core *core = data;

  g_main_context_push_thread_default (core->context);

  core->soup = soup_session_new ();
  GST_DEBUG_ID (core->id, "session thread running");
  g_main_loop_run (core->loop);

  core_teardown (core);
  g_main_context_pop_thread_default (core->context);
  GST_DEBUG_ID (core->id, "session thread done");
  core_unref (core);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
gst_wcs_session_init (GstWcsSession * self)
{
  static gint counter = 0;
  Core *core = g_new0 (Core, 1);

  core->refcount = 1;
  core->id = g_strdup_printf ("wcssession%d",
      g_atomic_int_add (&counter, 1));
  g_mutex_init (&core->lock);
  g_cond_init (&core->cond);
  core->owner = self;
  core->app_key = g_strdup (DEFAULT_APP_KEY);
  core->receive_probes = DEFAULT_RECEIVE_PROBES;
  core->probes_interval = DEFAULT_PROBES_INTERVAL;
  core->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  core->tls_use_system_database = DEFAULT_TLS_USE_SYSTEM_DATABASE;
  core->tls_validation_flags = DEFAULT_TLS_VALIDATION_FLAGS;
  core->status = GST_WCS_SESSION_STATUS_PENDING;
  core->next_failure = GST_WCS_SESSION_FAILURE_TRANSIENT;
  core->streams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      stream_entry_free);
  core->context = g_main_context_new ();
  core->loop = g_main_loop_new (core->context, FALSE);
  core->thread = g_thread_new (core->id, session_thread_func, core_ref (core));

  self->core = core;
}

static void
gst_wcs_session_dispose (GObject * object)
{
  GstWcsSession *self = GST_WCS_SESSION (object);
  Core *core = self->core;

  if (core) {
    GThread *thread;

    self->core = NULL;
    g_mutex_lock (&core->lock);
    core->owner = NULL;
    core->seq++;                /* nothing more gets reported */
    core->active = FALSE;
    thread = core->thread;
    core->thread = NULL;
    g_mutex_unlock (&core->lock);

    core_invoke (core, do_shutdown, core, NULL);
    if (thread == g_thread_self ()) {
      /* last reference dropped on the session thread: it finishes on its
       * own (it holds a core reference) */
      GST_DEBUG_ID (core->id, "disposed on the session thread, detaching");
      g_thread_unref (thread);
    } else {
      g_thread_join (thread);
    }
    core_unref (core);
  }

  G_OBJECT_CLASS (gst_wcs_session_parent_class)->dispose (object);
}

/* the properties kept in Core, under core->lock */
static const GstWcsPropField core_fields[] = {
  {PROP_LOCATION, G_STRUCT_OFFSET (Core, location)},
  {PROP_APP_KEY, G_STRUCT_OFFSET (Core, app_key)},
  {PROP_CUSTOM, G_STRUCT_OFFSET (Core, custom)},
  {PROP_RECEIVE_PROBES, G_STRUCT_OFFSET (Core, receive_probes)},
  {PROP_PROBES_INTERVAL, G_STRUCT_OFFSET (Core, probes_interval)},
  {PROP_CONNECT_TIMEOUT, G_STRUCT_OFFSET (Core, connect_timeout)},
  {PROP_TRANSPORT, G_STRUCT_OFFSET (Core, transport)},
  {PROP_TLS_DATABASE, G_STRUCT_OFFSET (Core, tls_database)},
  {PROP_TLS_USE_SYSTEM_DATABASE, G_STRUCT_OFFSET (Core,
          tls_use_system_database)},
  {PROP_TLS_VALIDATION_FLAGS, G_STRUCT_OFFSET (Core, tls_validation_flags)},
  {PROP_TLS_INTERACTION, G_STRUCT_OFFSET (Core, tls_interaction)},
  {PROP_STATUS, G_STRUCT_OFFSET (Core, status)},        /* read-only */
  {PROP_AUTH_TOKEN, G_STRUCT_OFFSET (Core, auth_token)},        /* read-only */
};

static void
gst_wcs_session_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWcsSession *self = GST_WCS_SESSION (object);
  Core *core = self->core;

  if (core == NULL)
    return;

  g_mutex_lock (&core->lock);
  if (!gst_wcs_prop_field_set (core, core_fields, G_N_ELEMENTS (core_fields),
          prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  if (prop_id == PROP_APP_KEY && (core->app_key == NULL
          || *core->app_key == '\0')) {
    g_free (core->app_key);
    core->app_key = g_strdup (DEFAULT_APP_KEY);
  }
  g_mutex_unlock (&core->lock);
}

static void
gst_wcs_session_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWcsSession *self = GST_WCS_SESSION (object);
  Core *core = self->core;

  if (core == NULL)
    return;

  g_mutex_lock (&core->lock);
  if (!gst_wcs_prop_field_get (core, core_fields, G_N_ELEMENTS (core_fields),
          prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  g_mutex_unlock (&core->lock);
}

static void
gst_wcs_session_class_init (GstWcsSessionClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (wcs_session_debug, "wcssession", 0,
      "WCS signalling session");

  gobject_class->dispose = gst_wcs_session_dispose;
  gobject_class->set_property = gst_wcs_session_set_property;
  gobject_class->get_property = gst_wcs_session_get_property;

  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "WCS WebSocket URL (ws:// or wss://)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_APP_KEY,
      g_param_spec_string ("app-key", "App key",
          "appKey sent in the connection message", DEFAULT_APP_KEY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_CUSTOM,
      g_param_spec_boxed ("custom", "Custom",
          "Extra fields sent as \"custom\" in the connection message",
          GST_TYPE_STRUCTURE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_RECEIVE_PROBES,
      g_param_spec_uint ("receive-probes", "Receive probes",
          "Probe windows without any inbound frame before the session "
          "fails (0 = watchdog off)", 0, G_MAXUINT, DEFAULT_RECEIVE_PROBES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_PROBES_INTERVAL,
      g_param_spec_uint ("probes-interval", "Probes interval",
          "Watchdog window in ms (0 = watchdog off)", 0, G_MAXUINT,
          DEFAULT_PROBES_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint ("connect-timeout", "Connect timeout",
          "Longest time in ms for TCP connect, TLS and the WebSocket "
          "upgrade (0 = no timeout)", 0, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TRANSPORT,
      g_param_spec_enum ("transport", "Transport",
          "\"transport\" field of publishStream / playStream (auto: "
          "omitted)", GST_TYPE_WCS_TRANSPORT, GST_WCS_TRANSPORT_AUTO,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TLS_DATABASE,
      g_param_spec_object ("tls-database", "TLS database",
          "Anchors that verify a wss:// server's certificate (NULL: the "
          "system's, see tls-use-system-database)", G_TYPE_TLS_DATABASE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class,
      PROP_TLS_USE_SYSTEM_DATABASE, g_param_spec_boolean
      ("tls-use-system-database", "Use the system TLS database",
          "Without tls-database: verify with the system's CA certificates "
          "(FALSE: no anchor, every certificate is of an unknown CA)",
          DEFAULT_TLS_USE_SYSTEM_DATABASE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TLS_VALIDATION_FLAGS,
      g_param_spec_flags ("tls-validation-flags", "TLS validation flags",
          "Certificate errors that refuse a wss:// server",
          G_TYPE_TLS_CERTIFICATE_FLAGS, DEFAULT_TLS_VALIDATION_FLAGS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TLS_INTERACTION,
      g_param_spec_object ("tls-interaction", "TLS interaction",
          "Asks for a client certificate or a password when the server "
          "wants one", G_TYPE_TLS_INTERACTION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_STATUS,
      g_param_spec_enum ("status", "Status", "WCS SESSION_STATUS",
          GST_TYPE_WCS_SESSION_STATUS, GST_WCS_SESSION_STATUS_PENDING,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_AUTH_TOKEN,
      g_param_spec_string ("auth-token", "Auth token",
          "authToken of the last getUserData (NULL if none)", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstWcsSession::status-changed:
   * @session: the session
   * @status: the new #GstWcsSessionStatus
   * @reason: (nullable): a short cause ("connection refused",
   *     "pings-missed", "closed by server", "connect timeout", ...)
   *
   * Emitted from the session thread on every status change.
   */
  signals[SIGNAL_STATUS_CHANGED] = g_signal_new ("status-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, GST_TYPE_WCS_SESSION_STATUS, G_TYPE_STRING);

  /**
   * GstWcsSession::remote-sdp:
   * @session: the session
   * @media_session_id: the stream
   * @sdp: the server's SDP answer
   *
   * A "setRemoteSDP" arrived. Emitted from the session thread.
   */
  signals[SIGNAL_REMOTE_SDP] = g_signal_new ("remote-sdp",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * GstWcsSession::stream-status:
   * @session: the session
   * @media_session_id: the stream
   * @name: (nullable): the stream name, as the server sent it
   * @status: the new #GstWcsStreamStatus
   * @info: (nullable): the server's info text
   *
   * A notifyStreamStatusEvent / notifyVideoFormat / fail{StreamStatusEvent}
   * that changes the stream's status. Status-less, unknown-status and
   * event-like (RESIZE, ...) updates are dropped. Emitted from the session
   * thread.
   */
  signals[SIGNAL_STREAM_STATUS] = g_signal_new ("stream-status",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING,
      GST_TYPE_WCS_STREAM_STATUS, G_TYPE_STRING);

  /**
   * GstWcsSession::message:
   * @session: the session
   * @message_name: the "message" member
   * @raw_text: the frame as received
   *
   * Every inbound frame that parsed, after it has been handled.
   */
  signals[SIGNAL_MESSAGE] = g_signal_new ("message",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * GstWcsSession::stream-available:
   * @session: the session
   * @media_session_id: the id the query carried
   * @available: whether the server has the stream
   * @info: (nullable): the server's reason ("Stream not found", ...)
   *
   * The reply to gst_wcs_session_query_available(). Emitted from the
   * session thread.
   */
  signals[SIGNAL_STREAM_AVAILABLE] = g_signal_new ("stream-available",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * gst_wcs_session_new:
 * @location: (nullable): the ws:// or wss:// URL
 *
 * Returns: (transfer full): a new session in PENDING.
 */
GstWcsSession *
gst_wcs_session_new (const gchar * location)
{
  return g_object_new (GST_TYPE_WCS_SESSION, "location", location, NULL);
}

static gboolean
validate_location (const gchar * location, GError ** error)
{
  GUri *uri;
  GError *err = NULL;
  const gchar *scheme, *host;

  if (location == NULL || *location == '\0') {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "No location set");
    return FALSE;
  }
  uri = g_uri_parse (location, G_URI_FLAGS_NONE, &err);
  if (uri == NULL) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Invalid location \"%s\": %s", location, err->message);
    g_error_free (err);
    return FALSE;
  }
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0 &&
      g_ascii_strcasecmp (scheme, "wss") != 0) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Invalid location \"%s\": the scheme must be ws:// or wss://",
        location);
    g_uri_unref (uri);
    return FALSE;
  }
  if (host == NULL || *host == '\0') {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Invalid location \"%s\": no host", location);
    g_uri_unref (uri);
    return FALSE;
  }
  g_uri_unref (uri);
  return TRUE;
}

/**
 * gst_wcs_session_connect:
 * @session: a #GstWcsSession
 * @error: return location for a #GError
 *
 * Validates the location and starts connecting. Allowed from PENDING (not
 * connecting), DISCONNECTED or FAILED.
 *
 * Returns: %TRUE if the connect was started.
 */
gboolean
gst_wcs_session_connect (GstWcsSession * session, GError ** error)
{
  Core *core;
  ConnectOp *op;

  g_return_val_if_fail (GST_IS_WCS_SESSION (session), FALSE);
  core = session->core;
  g_return_val_if_fail (core != NULL, FALSE);

  g_mutex_lock (&core->lock);
  if (core->active) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
        "Session is already connecting or connected (%s)",
        gst_wcs_session_status_to_string (core->status));
    g_mutex_unlock (&core->lock);
    return FALSE;
  }
  if (!validate_location (core->location, error)) {
    g_mutex_unlock (&core->lock);
    return FALSE;
  }

  op = g_new0 (ConnectOp, 1);
  op->core = core;
  op->seq = ++core->seq;
  op->location = g_strdup (core->location);
  op->app_key = g_strdup (core->app_key);
  op->custom = core->custom ? gst_structure_copy (core->custom) : NULL;
  op->probes = core->receive_probes;
  op->interval = core->probes_interval;
  op->timeout = core->connect_timeout;
  op->tls_database = core->tls_database ? g_object_ref (core->tls_database) :
      NULL;
  op->tls_use_system_database = core->tls_use_system_database;
  op->tls_flags = core->tls_validation_flags;
  op->tls_interaction = core->tls_interaction ?
      g_object_ref (core->tls_interaction) : NULL;
  core->active = TRUE;
  g_mutex_unlock (&core->lock);

  core_invoke (core, do_connect, op, connect_op_free);
  return TRUE;
}

/* disconnect / abort: @step (do_disconnect or do_abort, given @text) ends
 * the connection or the connect in progress; nothing when not connected */
static void
end_connection (GstWcsSession * session, GSourceFunc step,
    const gchar * text)
{
  Core *core;
  guint64 seq;

  g_return_if_fail (GST_IS_WCS_SESSION (session));
  core = session->core;
  g_return_if_fail (core != NULL);

  g_mutex_lock (&core->lock);
  if (!core->active) {
    g_mutex_unlock (&core->lock);
    return;
  }
  core->active = FALSE;
  seq = ++core->seq;
  g_mutex_unlock (&core->lock);

  core_invoke (core, step, seq_op_new (core, seq, text), seq_op_free);
}

/**
 * gst_wcs_session_disconnect:
 * @session: a #GstWcsSession
 *
 * Closes the socket with a close frame (or cancels the connect in
 * progress); the status becomes DISCONNECTED. No-op when not connected.
 */
void
gst_wcs_session_disconnect (GstWcsSession * session)
{
  end_connection (session, do_disconnect, NULL);
}

/**
 * gst_wcs_session_abort:
 * @session: a #GstWcsSession
 * @reason: (nullable): the reason reported with FAILED
 *
 * Fault helper: drops the socket without a close frame (or cancels the
 * connect in progress); the status becomes FAILED with @reason. No-op when
 * not connected.
 */
void
gst_wcs_session_abort (GstWcsSession * session, const gchar * reason)
{
  end_connection (session, do_abort, reason ? reason : "aborted");
}

/**
 * gst_wcs_session_get_failure:
 * @session: a #GstWcsSession
 *
 * Returns: why the last FAILED status was reported; NONE when the last
 *   status is not FAILED
 */
GstWcsSessionFailure
gst_wcs_session_get_failure (GstWcsSession * session)
{
  Core *core;
  GstWcsSessionFailure failure;

  g_return_val_if_fail (GST_IS_WCS_SESSION (session),
      GST_WCS_SESSION_FAILURE_NONE);
  core = session->core;
  g_mutex_lock (&core->lock);
  failure = core->failure;
  g_mutex_unlock (&core->lock);
  return failure;
}

/**
 * gst_wcs_session_failure_is_permanent:
 * @failure: a #GstWcsSessionFailure
 *
 * Returns: %TRUE for REFUSED, NOT_FOUND and TLS
 */
gboolean
gst_wcs_session_failure_is_permanent (GstWcsSessionFailure failure)
{
  return failure == GST_WCS_SESSION_FAILURE_REFUSED ||
      failure == GST_WCS_SESSION_FAILURE_NOT_FOUND ||
      failure == GST_WCS_SESSION_FAILURE_TLS;
}

static gchar *
core_dup_string (Core * core, gchar ** field)
{
  gchar *s;

  g_mutex_lock (&core->lock);
  s = g_strdup (*field);
  g_mutex_unlock (&core->lock);
  return s;
}

/**
 * gst_wcs_session_get_local_address:
 * @session: a #GstWcsSession
 *
 * Returns: (transfer full) (nullable): the local IP address of the open
 *   socket
 */
gchar *
gst_wcs_session_get_local_address (GstWcsSession * session)
{
  g_return_val_if_fail (GST_IS_WCS_SESSION (session), NULL);
  return core_dup_string (session->core, &session->core->local_address);
}

/**
 * gst_wcs_session_get_remote_address:
 * @session: a #GstWcsSession
 *
 * Returns: (transfer full) (nullable): the server's IP address of the open
 *   socket
 */
gchar *
gst_wcs_session_get_remote_address (GstWcsSession * session)
{
  g_return_val_if_fail (GST_IS_WCS_SESSION (session), NULL);
  return core_dup_string (session->core, &session->core->remote_address);
}

/**
 * gst_wcs_session_get_status:
 * @session: a #GstWcsSession
 *
 * Returns: the last reported status.
 */
GstWcsSessionStatus
gst_wcs_session_get_status (GstWcsSession * session)
{
  Core *core;
  GstWcsSessionStatus status;

  g_return_val_if_fail (GST_IS_WCS_SESSION (session),
      GST_WCS_SESSION_STATUS_FAILED);
  core = session->core;
  g_return_val_if_fail (core != NULL, GST_WCS_SESSION_STATUS_FAILED);

  g_mutex_lock (&core->lock);
  status = core->status;
  g_mutex_unlock (&core->lock);
  return status;
}

/* Gets the seq of the current connection if it is ESTABLISHED (or, without
 * @need_established, has an open socket), else sets @error. */
static gboolean
check_connected (Core * core, gboolean need_established, guint64 * seq,
    GError ** error)
{
  gboolean ok;

  g_mutex_lock (&core->lock);
  ok = core->active && core->status_seq == core->seq;
  if (need_established)
    ok = ok && core->status == GST_WCS_SESSION_STATUS_ESTABLISHED;
  else
    ok = ok && (core->status == GST_WCS_SESSION_STATUS_CONNECTED ||
        core->status == GST_WCS_SESSION_STATUS_ESTABLISHED);
  *seq = core->seq;
  if (!ok) {
    if (need_established)
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
          "Session is %s, not ESTABLISHED%s",
          gst_wcs_session_status_to_string (core->status),
          core->active ? "" : " (no active connection)");
    else
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_CLOSED,
          "Session is %s, the socket is not open",
          gst_wcs_session_status_to_string (core->status));
  }
  g_mutex_unlock (&core->lock);
  return ok;
}

static gboolean
queue_request (GstWcsSession * session, RequestKind kind,
    const gchar * media_session_id, const gchar * name, const gchar * sdp,
    gboolean has_video, gboolean has_audio, GError ** error)
{
  Core *core;
  RequestOp *op;
  guint64 seq;

  g_return_val_if_fail (GST_IS_WCS_SESSION (session), FALSE);
  g_return_val_if_fail (session->core != NULL, FALSE);
  core = session->core;

  if (media_session_id == NULL || *media_session_id == '\0') {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "No mediaSessionId");
    return FALSE;
  }
  if (name == NULL || *name == '\0') {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "No stream name");
    return FALSE;
  }
  if ((kind == REQ_PUBLISH || kind == REQ_PLAY) && (sdp == NULL || *sdp == '\0')) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "No SDP offer");
    return FALSE;
  }
  if (!check_connected (core, TRUE, &seq, error))
    return FALSE;

  op = g_new0 (RequestOp, 1);
  op->core = core;
  op->seq = seq;
  op->kind = kind;
  op->id = g_strdup (media_session_id);
  op->name = g_strdup (name);
  op->sdp = g_strdup (sdp);
  op->has_video = has_video;
  op->has_audio = has_audio;
  g_mutex_lock (&core->lock);
  op->transport = core->transport;
  g_mutex_unlock (&core->lock);
  core_invoke (core, do_request, op, request_op_free);
  return TRUE;
}

/**
 * gst_wcs_session_publish:
 * @session: a #GstWcsSession
 * @media_session_id: the stream id (a UUID)
 * @name: the stream name
 * @sdp: the SDP offer (sendonly)
 * @has_video: the offer carries video
 * @has_audio: the offer carries audio
 * @error: return location for a #GError
 *
 * Queues publishStream. Needs ESTABLISHED.
 *
 * Returns: %TRUE if queued.
 */
gboolean
gst_wcs_session_publish (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, const gchar * sdp,
    gboolean has_video, gboolean has_audio, GError ** error)
{
  return queue_request (session, REQ_PUBLISH, media_session_id, name, sdp,
      has_video, has_audio, error);
}

/**
 * gst_wcs_session_play:
 * @session: a #GstWcsSession
 * @media_session_id: the stream id (a UUID)
 * @name: the stream name
 * @sdp: the SDP offer (recvonly)
 * @error: return location for a #GError
 *
 * Queues playStream. Needs ESTABLISHED.
 *
 * Returns: %TRUE if queued.
 */
gboolean
gst_wcs_session_play (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, const gchar * sdp,
    GError ** error)
{
  return queue_request (session, REQ_PLAY, media_session_id, name, sdp,
      TRUE, TRUE, error);
}

/**
 * gst_wcs_session_unpublish:
 * @session: a #GstWcsSession
 * @media_session_id: the stream id
 * @name: the stream name
 * @error: return location for a #GError
 *
 * Queues unPublishStream (with the stream's last known status). Needs
 * ESTABLISHED.
 *
 * Returns: %TRUE if queued.
 */
gboolean
gst_wcs_session_unpublish (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, GError ** error)
{
  return queue_request (session, REQ_UNPUBLISH, media_session_id, name, NULL,
      TRUE, TRUE, error);
}

/**
 * gst_wcs_session_stop:
 * @session: a #GstWcsSession
 * @media_session_id: the stream id
 * @name: the stream name
 * @error: return location for a #GError
 *
 * Queues stopStream (with the stream's last known status). Needs
 * ESTABLISHED.
 *
 * Returns: %TRUE if queued.
 */
gboolean
gst_wcs_session_stop (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, GError ** error)
{
  return queue_request (session, REQ_STOP, media_session_id, name, NULL,
      TRUE, TRUE, error);
}

/**
 * gst_wcs_session_query_available:
 * @session: a #GstWcsSession
 * @media_session_id: an id for this query (a fresh one: it names no stream)
 * @name: the stream name
 * @error: return location for a #GError
 *
 * Sends availableStream: the server answers whether a stream of that name
 * exists, with #GstWcsSession::stream-available. No stream is created. Needs
 * ESTABLISHED, else %GST_WCS_ERROR_INVALID_STATE.
 *
 * Returns: %TRUE if queued.
 */
gboolean
gst_wcs_session_query_available (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, GError ** error)
{
  gchar *frame;
  gboolean ok;

  g_return_val_if_fail (GST_IS_WCS_SESSION (session), FALSE);
  g_return_val_if_fail (media_session_id != NULL && name != NULL, FALSE);

  if (gst_wcs_session_get_status (session) !=
      GST_WCS_SESSION_STATUS_ESTABLISHED) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_STATE,
        "availableStream needs an ESTABLISHED session");
    return FALSE;
  }
  frame = gst_wcs_build_available_stream (media_session_id, name);
  ok = gst_wcs_session_send_text (session, frame, error);
  g_free (frame);
  return ok;
}

/**
 * gst_wcs_session_send_text:
 * @session: a #GstWcsSession
 * @text: the frame
 * @error: return location for a #GError
 *
 * Queues a raw text frame. Needs an open socket (CONNECTED or ESTABLISHED),
 * else %GST_WCS_ERROR_CLOSED.
 *
 * Returns: %TRUE if queued.
 */
gboolean
gst_wcs_session_send_text (GstWcsSession * session, const gchar * text,
    GError ** error)
{
  Core *core;
  guint64 seq;

  g_return_val_if_fail (GST_IS_WCS_SESSION (session), FALSE);
  core = session->core;
  g_return_val_if_fail (core != NULL, FALSE);

  if (text == NULL || *text == '\0') {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Empty frame");
    return FALSE;
  }
  if (!check_connected (core, FALSE, &seq, error))
    return FALSE;

  core_invoke (core, do_send, seq_op_new (core, seq, text), seq_op_free);
  return TRUE;
}

/**
 * gst_wcs_session_flush:
 * @session: a #GstWcsSession
 *
 * Blocks until everything queued before this call ran on the session thread
 * (bounded to 10 s). Must not be called from the session thread (a signal
 * handler); there it returns at once with a warning.
 */
void
gst_wcs_session_flush (GstWcsSession * session)
{
  Core *core;
  guint target;
  gint64 deadline;

  g_return_if_fail (GST_IS_WCS_SESSION (session));
  core = session->core;
  g_return_if_fail (core != NULL);

  if (g_main_context_is_owner (core->context)) {
    GST_WARNING_ID (core->id, "flush() called from the session thread");
    return;
  }

  /* flush markers are queued (FIFO) and counted in the same order, so
   * reaching our number means every call queued before ours ran */
  g_mutex_lock (&core->lock);
  target = ++core->flush_queued;
  core_invoke (core, do_flush, core, NULL);
  deadline = g_get_monotonic_time () +
      FLUSH_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  while ((gint) (core->flush_done - target) < 0) {
    if (!g_cond_wait_until (&core->cond, &core->lock, deadline)) {
      GST_WARNING_ID (core->id, "flush timed out");
      break;
    }
  }
  g_mutex_unlock (&core->lock);
}
