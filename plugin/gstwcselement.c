/* gst-wcs: GstWcsElement, the abstract base of wcspublishsink and wcsplaysrc
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:gstwcselement
 * @title: GstWcsElement
 * @short_description: shared base of the WCS elements
 *
 * Holds the properties, the signalling session, the restore loop, the bus
 * messages and the stats both #wcspublishsink and #wcsplaysrc share (see
 * gstwcselement.h for the contract with subclasses).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gio/gio.h>

#include "gstwcselement.h"
#include "gstwcselements.h"
#include "gstwcsnetwatch.h"

GST_DEBUG_CATEGORY_STATIC (gst_wcs_element_debug);
#define GST_CAT_DEFAULT gst_wcs_element_debug

#define DEFAULT_LOCATION            "ws://127.0.0.1:8080"
#define DEFAULT_STREAM_NAME         NULL
#define DEFAULT_APP_KEY             "defaultApp"
#define DEFAULT_RESTORE_CONNECTION  TRUE
#define DEFAULT_RESTORE_TIMEOUT     3000
#define DEFAULT_RESTORE_MAX_TRIES   100
#define DEFAULT_RECEIVE_PROBES      10
#define DEFAULT_PROBES_INTERVAL     5000
#define DEFAULT_CONNECT_TIMEOUT     10000
#define DEFAULT_STREAM_TIMEOUT      10000

/* network changes come in bursts (addresses, routes): act on the last one */
#define NETWORK_DEBOUNCE_MS         1000

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_STREAM_NAME,
  PROP_APP_KEY,
  PROP_CUSTOM,
  PROP_RESTORE_CONNECTION,
  PROP_RESTORE_TIMEOUT,
  PROP_RESTORE_MAX_TRIES,
  PROP_RECEIVE_PROBES,
  PROP_PROBES_INTERVAL,
  PROP_CONNECT_TIMEOUT,
  PROP_STREAM_TIMEOUT,
  PROP_SESSION_STATUS,
  PROP_STREAM_STATUS,
  PROP_CODEC,
  PROP_STATS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/*
 * Lock order and rules:
 *   shutdown_lock  (serializes deliberate stops; held across a whole stop,
 *                   may be held while waiting on cond / for the element thread)
 *     > GST_OBJECT_LOCK (configuration properties)   } never held together,
 *     > priv->lock      (state, stats, sync calls)    } never across calls
 * None of the locks is held while calling into the session, the restore
 * policy, webrtcbin, a vfunc, or while posting messages / notifying.
 * Fields marked [element thread] are only touched on the element thread.
 */
typedef struct
{
  /* configuration, GST_OBJECT_LOCK */
  gchar *location;
  gchar *stream_name;
  gchar *app_key;
  GstStructure *custom;
  gboolean restore_connection;
  guint restore_timeout;
  guint restore_max_tries;
  guint receive_probes;
  guint probes_interval;
  guint connect_timeout;
  guint stream_timeout;

  GMutex shutdown_lock;

  /* priv->lock */
  GMutex lock;
  GCond cond;
  GstWcsSessionStatus session_status;
  GstWcsStreamStatus stream_status;
  gchar *codec;
  gchar *current_id;            /* mediaSessionId of the current stream */
  gchar *stopping_id;           /* stream being stopped deliberately */
  gboolean stopping_done;       /* its UNPUBLISHED / STOPPED arrived */
  gboolean wanted;              /* a stream is wanted (running, not given up) */
  gboolean stream_started;      /* start_stream() done, stop_stream() not yet */
  gboolean tearing_down;        /* inside stop_stream() */
  GstWcsSession *session;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  guint restores;
  guint restore_attempts;
  guint64 downtime_ms;
  gint64 outage_start;          /* monotonic us, 0 outside an outage */
  GstWcsRestoreReason last_reason;
  gchar *last_detail;
  GstResourceError last_code;   /* GST_RESOURCE_ERROR code of the ERROR that
                                 * ends the outage; 0: from last_reason */
  gulong session_handlers[3];

  /* [element thread] */
  gboolean connecting;
  GstWcsNetWatch *netwatch;     /* while running (PAUSED and up) */
  GSource *stream_timer;        /* stream-timeout of the current stream */
  gboolean net_abort;           /* we aborted the session: network change */

  /* created once */
  GstWcsRestorePolicy *policy;
} GstWcsElementPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstWcsElement, gst_wcs_element,
    GST_TYPE_BIN);

#define GET_PRIV(self) \
  ((GstWcsElementPrivate *) gst_wcs_element_get_instance_private (self))

/* ------------------------------------------------------------------ */
/* plugin-wide init                                                    */

/**
 * wcs_element_init:
 * @plugin: the plugin
 *
 * One-time init shared by every element of the plugin.
 */
void
wcs_element_init (GstPlugin * plugin)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    gst_type_mark_as_plugin_api (GST_TYPE_WCS_ELEMENT, 0);
    gst_type_mark_as_plugin_api (GST_TYPE_WCS_SESSION_STATUS, 0);
    gst_type_mark_as_plugin_api (GST_TYPE_WCS_STREAM_STATUS, 0);
    g_once_init_leave (&done, 1);
  }
}

/* ------------------------------------------------------------------ */
/* events marshalled onto the element thread                           */

typedef enum
{
  EV_CONNECT,
  EV_SESSION_STATUS,
  EV_REMOTE_SDP,
  EV_STREAM_STATUS,
  EV_ATTEMPT,
  EV_FAILURE,
  EV_ACTIVE,
  EV_OFFER,
  EV_RESTORE_OFF,
} WcsEventType;

typedef struct
{
  GstWcsElement *self;
  WcsEventType type;
  GstWcsSession *session;
  gint status;
  gchar *id;
  gchar *text;                  /* sdp / info / reason / detail */
  GstWcsRestoreReason reason;
  gboolean flag;                /* permanent / has_video */
  gboolean flag2;               /* has_audio */
  GstWcsSessionFailure failure; /* why a session FAILED */
  guint attempt;
  guint max_tries;
} WcsEvent;

static void
wcs_event_free (gpointer data)
{
  WcsEvent *ev = data;

  gst_object_unref (ev->self);
  if (ev->session)
    g_object_unref (ev->session);
  g_free (ev->id);
  g_free (ev->text);
  g_free (ev);
}

static WcsEvent *
wcs_event_new (GstWcsElement * self, WcsEventType type)
{
  WcsEvent *ev = g_new0 (WcsEvent, 1);

  ev->self = gst_object_ref (self);
  ev->type = type;
  return ev;
}

static gboolean wcs_event_dispatch (gpointer data);

static void
queue_source (GstWcsElement * self, GSourceFunc func, gpointer data,
    GDestroyNotify notify)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GMainContext *ctx = NULL;

  g_mutex_lock (&priv->lock);
  if (priv->context)
    ctx = g_main_context_ref (priv->context);
  g_mutex_unlock (&priv->lock);

  if (!ctx) {
    GST_DEBUG_OBJECT (self, "no element thread, dropping work");
    if (notify)
      notify (data);
    return;
  }

  {
    GSource *src = g_idle_source_new ();

    g_source_set_priority (src, G_PRIORITY_DEFAULT);
    g_source_set_callback (src, func, data, notify);
    g_source_attach (src, ctx);
    g_source_unref (src);
  }
  g_main_context_unref (ctx);
}

static void
queue_event (WcsEvent * ev)
{
  queue_source (ev->self, wcs_event_dispatch, ev, wcs_event_free);
}

/* synchronous call on the element thread */
typedef struct
{
  GstWcsElement *self;
  void (*func) (GstWcsElement * self, gpointer data);
  gpointer data;
  gboolean done;
} SyncCall;

static gboolean
sync_call_run (gpointer data)
{
  SyncCall *call = data;
  GstWcsElementPrivate *priv = GET_PRIV (call->self);

  call->func (call->self, call->data);
  g_mutex_lock (&priv->lock);
  call->done = TRUE;
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
  return G_SOURCE_REMOVE;
}

static void
run_sync (GstWcsElement * self, void (*func) (GstWcsElement *, gpointer),
    gpointer data)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  SyncCall call = { self, func, data, FALSE };
  GMainContext *ctx = NULL;
  GSource *src;

  g_mutex_lock (&priv->lock);
  if (priv->context && priv->thread)
    ctx = g_main_context_ref (priv->context);
  g_mutex_unlock (&priv->lock);

  if (!ctx || g_main_context_is_owner (ctx)) {
    if (ctx)
      g_main_context_unref (ctx);
    func (self, data);
    return;
  }

  src = g_idle_source_new ();
  g_source_set_priority (src, G_PRIORITY_HIGH);
  g_source_set_callback (src, sync_call_run, &call, NULL);
  g_source_attach (src, ctx);
  g_source_unref (src);
  g_main_context_unref (ctx);

  g_mutex_lock (&priv->lock);
  while (!call.done)
    g_cond_wait (&priv->cond, &priv->lock);
  g_mutex_unlock (&priv->lock);
}

/* ------------------------------------------------------------------ */
/* posting and status properties                                       */

/**
 * gst_wcs_element_post:
 * @self: a #GstWcsElement
 * @s: (transfer full): the message structure
 *
 * Posts an element message from @self.
 */
void
gst_wcs_element_post (GstWcsElement * self, GstStructure * s)
{
  g_return_if_fail (GST_IS_WCS_ELEMENT (self));
  g_return_if_fail (s != NULL);

  GST_DEBUG_OBJECT (self, "posting %" GST_PTR_FORMAT, s);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static gchar *
get_location (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *s;

  GST_OBJECT_LOCK (self);
  s = g_strdup (priv->location);
  GST_OBJECT_UNLOCK (self);
  return s;
}

static void
set_session_status (GstWcsElement * self, GstWcsSessionStatus status,
    const gchar * reason)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean changed;
  gchar *location;
  GstStructure *s;

  g_mutex_lock (&priv->lock);
  changed = priv->session_status != status;
  priv->session_status = status;
  g_mutex_unlock (&priv->lock);

  GST_INFO_OBJECT (self, "session status %s (%s)",
      gst_wcs_session_status_to_string (status), GST_STR_NULL (reason));

  location = get_location (self);
  s = gst_structure_new ("wcs-session-status",
      "status", G_TYPE_STRING, gst_wcs_session_status_to_string (status),
      "location", G_TYPE_STRING, location ? location : "", NULL);
  if (reason)
    gst_structure_set (s, "reason", G_TYPE_STRING, reason, NULL);
  g_free (location);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self),
        properties[PROP_SESSION_STATUS]);
  gst_wcs_element_post (self, s);
}

static void
set_stream_status (GstWcsElement * self, GstWcsStreamStatus status,
    const gchar * info, gboolean post)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean changed;
  gchar *codec, *name;
  GstStructure *s;

  g_mutex_lock (&priv->lock);
  changed = priv->stream_status != status;
  priv->stream_status = status;
  codec = g_strdup (priv->codec);
  g_mutex_unlock (&priv->lock);

  GST_INFO_OBJECT (self, "stream status %s (%s)",
      gst_wcs_stream_status_to_string (status), GST_STR_NULL (info));

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAM_STATUS]);

  if (post) {
    name = gst_wcs_element_get_stream_name (self);
    s = gst_structure_new ("wcs-stream-status",
        "status", G_TYPE_STRING, gst_wcs_stream_status_to_string (status),
        "stream-name", G_TYPE_STRING, name ? name : "", NULL);
    if (info)
      gst_structure_set (s, "info", G_TYPE_STRING, info, NULL);
    if (codec)
      gst_structure_set (s, "codec", G_TYPE_STRING, codec, NULL);
    g_free (name);
    gst_wcs_element_post (self, s);
  }
  g_free (codec);
}

static void
post_restore (GstWcsElement * self, const gchar * phase,
    GstWcsRestoreReason reason, guint attempt, guint max_tries,
    const gchar * extra_field, GType extra_type, guint64 extra_value)
{
  GstStructure *s;

  s = gst_structure_new ("wcs-restore",
      "phase", G_TYPE_STRING, phase,
      "reason", G_TYPE_STRING, gst_wcs_restore_reason_to_string (reason),
      "attempt", G_TYPE_UINT, attempt, "max-tries", G_TYPE_UINT, max_tries,
      NULL);
  if (extra_field) {
    if (extra_type == G_TYPE_UINT)
      gst_structure_set (s, extra_field, G_TYPE_UINT, (guint) extra_value,
          NULL);
    else
      gst_structure_set (s, extra_field, G_TYPE_UINT64, extra_value, NULL);
  }
  gst_wcs_element_post (self, s);
}

/* ------------------------------------------------------------------ */
/* stream and restore logic, all on the element thread                 */

static GstWcsSession *
ref_session (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsSession *session = NULL;

  g_mutex_lock (&priv->lock);
  if (priv->session)
    session = g_object_ref (priv->session);
  g_mutex_unlock (&priv->lock);
  return session;
}

static gboolean
is_wanted (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean ret;

  g_mutex_lock (&priv->lock);
  ret = priv->wanted;
  g_mutex_unlock (&priv->lock);
  return ret;
}

/* @id is the stream in progress, and a stream is wanted: the events of
 * older mediaSessionIds (offers, answers, activity) are dropped */
static gboolean
is_wanted_stream (GstWcsElement * self, const gchar * id)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean ret;

  g_mutex_lock (&priv->lock);
  ret = priv->wanted && priv->stream_started &&
      g_strcmp0 (priv->current_id, id) == 0;
  g_mutex_unlock (&priv->lock);
  return ret;
}

/* Sends unPublishStream / stopStream for @id if the session is up. */
static void
send_stop_request (GstWcsElement * self, GstWcsSession * session,
    const gchar * id)
{
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  GError *err = NULL;
  gchar *name = gst_wcs_element_get_stream_name (self);
  gboolean ok;

  if (klass->is_player)
    ok = gst_wcs_session_stop (session, id, name, &err);
  else
    ok = gst_wcs_session_unpublish (session, id, name, &err);
  if (!ok) {
    GST_DEBUG_OBJECT (self, "could not send stop for %s: %s", id,
        err->message);
    g_clear_error (&err);
  }
  g_free (name);
}

static void stop_stream_timer (GstWcsElement * self);

/* Tears the current stream down (not deliberately). @send_stop: tell the
 * server when it still thinks the stream is alive. */
static void
teardown_stream (GstWcsElement * self, gboolean send_stop)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  gchar *id;
  gboolean started, terminal, established;
  GstWcsSession *session;

  g_mutex_lock (&priv->lock);
  started = priv->stream_started;
  id = priv->current_id;
  priv->current_id = NULL;
  priv->stream_started = FALSE;
  terminal = gst_wcs_stream_status_is_terminal (priv->stream_status);
  established = priv->session_status == GST_WCS_SESSION_STATUS_ESTABLISHED;
  if (started)
    priv->tearing_down = TRUE;
  g_mutex_unlock (&priv->lock);

  stop_stream_timer (self);
  if (!started) {
    g_free (id);
    return;
  }

  GST_INFO_OBJECT (self, "tearing down stream %s", GST_STR_NULL (id));
  session = ref_session (self);
  if (send_stop && session && id && established && !terminal)
    send_stop_request (self, session, id);
  if (session)
    g_object_unref (session);

  if (klass->stop_stream)
    klass->stop_stream (self, FALSE);

  g_mutex_lock (&priv->lock);
  priv->tearing_down = FALSE;
  g_mutex_unlock (&priv->lock);
  g_free (id);
}

/* The GstResourceError of an ERROR ending an outage whose failures carried
 * no code of their own (rtmp2's mapping: a server we cannot reach is
 * OPEN_READ_WRITE, anything else FAILED). */
static GstResourceError
default_error_code (GstWcsRestoreReason reason)
{
  switch (reason) {
    case GST_WCS_RESTORE_REASON_SESSION_FAILED:
    case GST_WCS_RESTORE_REASON_PINGS_MISSED:
    case GST_WCS_RESTORE_REASON_NETWORK_CHANGED:
      return GST_RESOURCE_ERROR_OPEN_READ_WRITE;
    default:
      return GST_RESOURCE_ERROR_FAILED;
  }
}

static void
post_give_up_error (GstWcsElement * self, GstWcsRestoreReason reason,
    const gchar * how)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstResourceError code;
  gchar *detail, *text;

  g_mutex_lock (&priv->lock);
  detail = g_strdup (priv->last_detail);
  code = priv->last_code ? priv->last_code : default_error_code (reason);
  priv->wanted = FALSE;
  g_mutex_unlock (&priv->lock);

  text = g_strdup_printf ("%s (%s)", detail ? detail : "WCS stream failed",
      how);
  gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR,
      GST_RESOURCE_ERROR, code, text, g_strdup_printf ("last restore "
          "reason: %s", gst_wcs_restore_reason_to_string (reason)),
      __FILE__, GST_FUNCTION, __LINE__);
  g_free (detail);
}

static void
stop_stream_timer (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  if (priv->stream_timer) {
    g_source_destroy (priv->stream_timer);
    g_source_unref (priv->stream_timer);
    priv->stream_timer = NULL;
  }
}

/* Ends the outage in progress, if any, adding its length to the downtime.
 * Returns whether there was one. Element thread. */
static gboolean
close_outage (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean outage;

  g_mutex_lock (&priv->lock);
  outage = priv->outage_start != 0;
  if (outage) {
    priv->downtime_ms +=
        (g_get_monotonic_time () - priv->outage_start) / 1000;
    priv->outage_start = 0;
  }
  g_mutex_unlock (&priv->lock);
  return outage;
}

/* @code: the GstResourceError of the ERROR should this failure end the
 * outage (permanent ones), 0 for the default of @reason */
static void
do_failure (GstWcsElement * self, GstWcsRestoreReason reason,
    gboolean permanent, GstResourceError code, const gchar * detail)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsRestoreAction action;
  gboolean was_outage, had_outage;
  guint max_tries;

  if (!is_wanted (self)) {
    GST_DEBUG_OBJECT (self, "ignoring failure %s (%s): not running",
        gst_wcs_restore_reason_to_string (reason), GST_STR_NULL (detail));
    return;
  }

  GST_INFO_OBJECT (self, "failure %s%s: %s",
      gst_wcs_restore_reason_to_string (reason),
      permanent ? " (permanent)" : "", GST_STR_NULL (detail));

  teardown_stream (self, TRUE);

  was_outage = gst_wcs_restore_policy_in_outage (priv->policy);
  g_mutex_lock (&priv->lock);
  had_outage = priv->outage_start != 0;
  priv->last_reason = reason;
  priv->last_code = code;
  g_free (priv->last_detail);
  priv->last_detail = g_strdup (detail);
  if (!was_outage || priv->outage_start == 0)
    priv->outage_start = g_get_monotonic_time ();
  g_mutex_unlock (&priv->lock);

  action = gst_wcs_restore_policy_failure (priv->policy, reason, permanent);
  switch (action) {
    case GST_WCS_RESTORE_SCHEDULED:
      if (!was_outage)
        GST_ELEMENT_WARNING (self, RESOURCE, FAILED,
            ("%s; trying to restore", detail ? detail : "WCS failure"),
            ("reason: %s", gst_wcs_restore_reason_to_string (reason)));
      break;
    case GST_WCS_RESTORE_PENDING_ALREADY:
      GST_DEBUG_OBJECT (self, "restore attempt already pending");
      break;
    case GST_WCS_RESTORE_GAVE_UP:
      /* "gave-up" handler posted the message and the ERROR */
      break;
    case GST_WCS_RESTORE_DISABLED:
      close_outage (self);
      if (had_outage) {
        /* restore-connection was turned off during this outage and the
         * attempt in flight failed before EV_RESTORE_OFF was handled: the
         * outage ends here, as restore_turned_off () ends it (that event
         * then finds no outage: wanted is FALSE after the ERROR) */
        g_object_get (priv->policy, "max-tries", &max_tries, NULL);
        post_restore (self, "gave-up", reason, 0, max_tries, NULL,
            G_TYPE_NONE, 0);
      }
      post_give_up_error (self, reason, permanent ? "not retried" :
          had_outage ? "restore-connection turned off during the outage" :
          "restore disabled");
      break;
  }
}

static gboolean
on_stream_timeout (gpointer data)
{
  GstWcsElement *self = data;
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  GstWcsStreamStatus status;
  guint timeout;
  gchar *detail;

  g_source_unref (priv->stream_timer);
  priv->stream_timer = NULL;

  GST_OBJECT_LOCK (self);
  timeout = priv->stream_timeout;
  GST_OBJECT_UNLOCK (self);
  status = gst_wcs_element_get_stream_status (self);
  detail = g_strdup_printf ("The stream was not active %u ms after %s "
      "(stream status %s%s)", timeout, klass->is_player ? "playStream" :
      "publishStream", gst_wcs_stream_status_to_string (status),
      klass->is_player ? "" : ", or no video bytes sent");
  do_failure (self, GST_WCS_RESTORE_REASON_STREAM_TIMEOUT, FALSE, 0, detail);
  g_free (detail);
  return G_SOURCE_REMOVE;
}

static void
start_stream_timer (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GMainContext *ctx = gst_wcs_element_get_context (self);
  guint timeout;

  stop_stream_timer (self);
  GST_OBJECT_LOCK (self);
  timeout = priv->stream_timeout;
  GST_OBJECT_UNLOCK (self);
  if (timeout == 0 || !ctx)
    return;
  priv->stream_timer = g_timeout_source_new (timeout);
  g_source_set_callback (priv->stream_timer, on_stream_timeout, self, NULL);
  g_source_attach (priv->stream_timer, ctx);
}

static void
start_stream_now (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  GstWcsSession *session;
  GError *err = NULL;
  gchar *id;

  g_mutex_lock (&priv->lock);
  if (!priv->wanted || priv->stream_started || !priv->session) {
    g_mutex_unlock (&priv->lock);
    return;
  }
  id = gst_wcs_new_media_session_id ();
  g_free (priv->current_id);
  priv->current_id = g_strdup (id);
  priv->stream_started = TRUE;
  session = g_object_ref (priv->session);
  g_mutex_unlock (&priv->lock);

  GST_INFO_OBJECT (self, "starting stream %s", id);
  set_stream_status (self, GST_WCS_STREAM_STATUS_PENDING, NULL, FALSE);
  /* the whole way to an active stream is bounded: offer, answer, status,
   * ICE / DTLS and the first media */
  start_stream_timer (self);

  if (!klass->start_stream || !klass->start_stream (self, session, id, &err)) {
    gboolean permanent = g_error_matches (err, GST_WCS_ERROR,
        GST_WCS_ERROR_INVALID_ARGUMENT);
    gchar *detail = g_strdup_printf ("Could not start the stream: %s",
        err ? err->message : "no start_stream");

    g_clear_error (&err);
    do_failure (self, GST_WCS_RESTORE_REASON_STREAM_FAILED, permanent,
        permanent ? GST_RESOURCE_ERROR_SETTINGS : 0, detail);
    g_free (detail);
  }
  g_object_unref (session);
  g_free (id);
}

static void
connect_session (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsSession *session = ref_session (self);
  GError *err = NULL;

  if (!session)
    return;

  if (gst_wcs_session_connect (session, &err)) {
    priv->connecting = TRUE;
  } else if (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_STATE)) {
    GST_DEBUG_OBJECT (self, "session busy: %s", err->message);
    g_clear_error (&err);
  } else {
    gboolean permanent = g_error_matches (err, GST_WCS_ERROR,
        GST_WCS_ERROR_INVALID_ARGUMENT);
    gchar *detail = g_strdup_printf ("Could not connect to WCS: %s",
        err ? err->message : "unknown error");

    g_clear_error (&err);
    do_failure (self, GST_WCS_RESTORE_REASON_SESSION_FAILED, permanent,
        permanent ? GST_RESOURCE_ERROR_SETTINGS : 0, detail);
    g_free (detail);
  }
  g_object_unref (session);
}

static gboolean
session_is_current (GstWcsElement * self, GstWcsSession * session)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean ret;

  g_mutex_lock (&priv->lock);
  ret = session != NULL && priv->session == session;
  g_mutex_unlock (&priv->lock);
  return ret;
}

static void
handle_session_status (GstWcsElement * self, WcsEvent * ev)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  GstWcsSessionStatus status = ev->status;
  gboolean started;

  if (!session_is_current (self, ev->session))
    return;

  priv->connecting = FALSE;
  set_session_status (self, status, ev->text);
  if (klass->session_status)
    klass->session_status (self, status, ev->text);

  if (status == GST_WCS_SESSION_STATUS_FAILED ||
      status == GST_WCS_SESSION_STATUS_DISCONNECTED) {
    g_mutex_lock (&priv->lock);
    /* no UNPUBLISHED / STOPPED will come any more */
    if (priv->stopping_id) {
      priv->stopping_done = TRUE;
      g_cond_broadcast (&priv->cond);
    }
    started = priv->stream_started;
    g_mutex_unlock (&priv->lock);

    if (!is_wanted (self))
      return;

    if (started)                /* like the SDK: streams fail with the session */
      set_stream_status (self, GST_WCS_STREAM_STATUS_FAILED,
          "Session lost", TRUE);
    {
      GstWcsRestoreReason reason = GST_WCS_RESTORE_REASON_SESSION_FAILED;
      GstResourceError code = 0;
      gchar *detail, *location = get_location (self);

      if (ev->failure == GST_WCS_SESSION_FAILURE_PINGS_MISSED)
        reason = GST_WCS_RESTORE_REASON_PINGS_MISSED;
      else if (ev->failure == GST_WCS_SESSION_FAILURE_ABORTED &&
          priv->net_abort)
        reason = GST_WCS_RESTORE_REASON_NETWORK_CHANGED;
      priv->net_abort = FALSE;
      if (ev->failure == GST_WCS_SESSION_FAILURE_REFUSED)
        code = GST_RESOURCE_ERROR_NOT_AUTHORIZED;
      else if (ev->failure == GST_WCS_SESSION_FAILURE_NOT_FOUND)
        code = GST_RESOURCE_ERROR_NOT_FOUND;
      else if (ev->failure == GST_WCS_SESSION_FAILURE_TLS)
        code = GST_RESOURCE_ERROR_OPEN_READ_WRITE;
      detail = g_strdup_printf ("WCS session %s (%s)%s%s",
          gst_wcs_session_status_to_string (status), location,
          ev->text ? ": " : "", ev->text ? ev->text : "");
      do_failure (self, reason, gst_wcs_session_failure_is_permanent
          (ev->failure), code, detail);
      g_free (detail);
      g_free (location);
    }
  } else if (status == GST_WCS_SESSION_STATUS_ESTABLISHED) {
    start_stream_now (self);
  }
}

/* The current stream works (media, not just a status): the stream timeout
 * is over and an outage ends ("restored"). */
static void
stream_became_active (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  stop_stream_timer (self);
  gst_wcs_restore_policy_success (priv->policy);
}

static void
handle_stream_status (GstWcsElement * self, WcsEvent * ev)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  GstWcsStreamStatus status = ev->status;
  GstWcsStreamStatus active = klass->is_player ?
      GST_WCS_STREAM_STATUS_PLAYING : GST_WCS_STREAM_STATUS_PUBLISHING;
  gboolean is_current, is_stopping;

  if (!session_is_current (self, ev->session))
    return;

  g_mutex_lock (&priv->lock);
  is_current = priv->stream_started && priv->current_id &&
      g_strcmp0 (priv->current_id, ev->id) == 0;
  is_stopping = priv->stopping_id && g_strcmp0 (priv->stopping_id,
      ev->id) == 0;
  g_mutex_unlock (&priv->lock);

  if (is_stopping) {
    set_stream_status (self, status, ev->text, TRUE);
    if (gst_wcs_stream_status_is_terminal (status)) {
      g_mutex_lock (&priv->lock);
      priv->stopping_done = TRUE;
      g_cond_broadcast (&priv->cond);
      g_mutex_unlock (&priv->lock);
    }
    return;
  }
  if (!is_current) {
    GST_DEBUG_OBJECT (self, "ignoring status %s of old stream %s",
        gst_wcs_stream_status_to_string (status), ev->id);
    return;
  }

  set_stream_status (self, status, ev->text, TRUE);

  if (klass->stream_status && klass->stream_status (self, ev->id, status,
          ev->text))
    return;
  if (!is_wanted (self))
    return;

  if (status == active) {
    stream_became_active (self);
  } else if (gst_wcs_stream_status_is_terminal (status)) {
    GstWcsInfoClass cls = gst_wcs_classify_info (ev->text, klass->is_player);
    GstWcsRestoreReason reason = cls == GST_WCS_INFO_WAIT_PUBLISHER ?
        GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED :
        GST_WCS_RESTORE_REASON_STREAM_FAILED;
    gchar *detail = g_strdup_printf ("Stream %s%s%s",
        gst_wcs_stream_status_to_string (status),
        ev->text ? ": " : "", ev->text ? ev->text : "");

    do_failure (self, reason, cls == GST_WCS_INFO_PERMANENT,
        gst_wcs_info_is_refusal (ev->text) ?
        GST_RESOURCE_ERROR_NOT_AUTHORIZED : 0, detail);
    g_free (detail);
  }
}

/* restore-connection was set to FALSE: an outage in progress ends now */
static void
restore_turned_off (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsRestoreReason reason;
  guint max_tries;

  g_mutex_lock (&priv->lock);
  reason = priv->last_reason;
  g_mutex_unlock (&priv->lock);
  if (!is_wanted (self) || !close_outage (self))
    return;

  GST_INFO_OBJECT (self, "restore turned off during an outage: giving up");
  teardown_stream (self, TRUE);
  g_object_get (priv->policy, "max-tries", &max_tries, NULL);
  post_restore (self, "gave-up", reason, 0, max_tries, NULL, G_TYPE_NONE, 0);
  post_give_up_error (self, reason, "restore-connection turned off during "
      "the outage");
}

static void
handle_attempt (GstWcsElement * self, WcsEvent * ev)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsSessionStatus status;

  if (!is_wanted (self))
    return;

  g_mutex_lock (&priv->lock);
  priv->restore_attempts++;
  status = priv->session_status;
  g_mutex_unlock (&priv->lock);

  GST_INFO_OBJECT (self, "restore attempt %u/%u (%s)", ev->attempt,
      ev->max_tries, gst_wcs_restore_reason_to_string (ev->reason));
  post_restore (self, "attempt", ev->reason, ev->attempt, ev->max_tries,
      NULL, G_TYPE_NONE, 0);

  if (status == GST_WCS_SESSION_STATUS_ESTABLISHED)
    start_stream_now (self);
  else if (!priv->connecting)
    connect_session (self);
}

static void
handle_offer (GstWcsElement * self, WcsEvent * ev)
{
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  GstWcsSession *session;
  gboolean current;
  GError *err = NULL;
  gchar *name;
  gboolean ok;

  current = is_wanted_stream (self, ev->id);
  if (!current) {
    GST_DEBUG_OBJECT (self, "dropping offer of old stream %s", ev->id);
    return;
  }

  session = ref_session (self);
  if (!session)
    return;
  name = gst_wcs_element_get_stream_name (self);
  GST_DEBUG_OBJECT (self, "sending offer for %s:\n%s", ev->id, ev->text);
  if (klass->is_player)
    ok = gst_wcs_session_play (session, ev->id, name, ev->text, &err);
  else
    ok = gst_wcs_session_publish (session, ev->id, name, ev->text, ev->flag,
        ev->flag2, &err);
  g_free (name);
  g_object_unref (session);

  if (!ok) {
    gchar *detail = g_strdup_printf ("Could not send the offer: %s",
        err ? err->message : "unknown error");

    g_clear_error (&err);
    do_failure (self, GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE, 0, detail);
    g_free (detail);
  }
}

/* Debounced network change (GstWcsNetWatch, on the element thread): always
 * posted while a stream is wanted. The stream is restored (reason
 * network-changed: the session is aborted and reconnected, a fresh
 * offer/answer since webrtcbin cannot ICE-restart) when the network comes
 * back after being unavailable, or when the route to the server (the
 * connected socket's remote address, so a host name in location is never
 * resolved here) now leaves from another local address than the socket's
 * own: the old TCP connection and ICE pair are dead. A change that leaves
 * that route alone (another interface, an unrelated route) keeps a healthy
 * stream. */
static void
on_network_changed (GstWcsNetWatch * watch, gboolean available,
    gboolean was, gpointer data)
{
  GstWcsElement *self = data;
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean restore = FALSE, established, route_changed = FALSE;
  GstWcsSession *session;
  gchar *local = NULL, *remote = NULL, *src = NULL;

  if (!is_wanted (self))
    return;
  session = ref_session (self);
  if (session) {
    local = gst_wcs_session_get_local_address (session);
    remote = gst_wcs_session_get_remote_address (session);
  }
  if (available)
    route_changed = gst_wcs_net_watch_route_changed (local, remote, &src);

  g_mutex_lock (&priv->lock);
  established = priv->session_status == GST_WCS_SESSION_STATUS_ESTABLISHED;
  g_mutex_unlock (&priv->lock);

  /* route_changed is also TRUE when the addresses are unknown */
  if (available && !was)
    restore = TRUE;
  else if (available && established && route_changed)
    restore = TRUE;

  GST_INFO_OBJECT (self, "network changed, available: %d, route to %s from "
      "%s (socket from %s): %s", available, GST_STR_NULL (remote),
      GST_STR_NULL (src), GST_STR_NULL (local),
      restore ? "restoring" : "keeping");
  g_free (src);
  g_free (local);
  g_free (remote);
  gst_wcs_element_post (self, gst_structure_new ("wcs-network-changed",
          "available", G_TYPE_BOOLEAN, available, NULL));
  if (restore && established && session) {
    /* the session's status handler turns this into a network-changed
     * failure: stream torn down, reconnect, republish / replay */
    priv->net_abort = TRUE;
    gst_wcs_session_abort (session, "network-changed");
  } else if (restore) {
    do_failure (self, GST_WCS_RESTORE_REASON_NETWORK_CHANGED, FALSE, 0,
        "The network changed");
  }
  g_clear_object (&session);
}

static gboolean
wcs_event_dispatch (gpointer data)
{
  WcsEvent *ev = data;
  GstWcsElement *self = ev->self;
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);

  switch (ev->type) {
    case EV_CONNECT:
      if (is_wanted (self) && session_is_current (self, ev->session))
        connect_session (self);
      break;
    case EV_SESSION_STATUS:
      handle_session_status (self, ev);
      break;
    case EV_REMOTE_SDP:{
      gboolean current;

      if (!session_is_current (self, ev->session))
        break;
      current = is_wanted_stream (self, ev->id);
      if (current && klass->remote_sdp)
        klass->remote_sdp (self, ev->id, ev->text);
      else
        GST_DEBUG_OBJECT (self, "ignoring answer for old stream %s", ev->id);
      break;
    }
    case EV_STREAM_STATUS:
      handle_stream_status (self, ev);
      break;
    case EV_ATTEMPT:
      handle_attempt (self, ev);
      break;
    case EV_FAILURE:{
      gboolean current = TRUE;

      /* a report about an old stream must not kill the new one */
      if (ev->id) {
        g_mutex_lock (&priv->lock);
        current = priv->stream_started &&
            g_strcmp0 (priv->current_id, ev->id) == 0;
        g_mutex_unlock (&priv->lock);
      }
      if (current)
        do_failure (self, ev->reason, ev->flag, 0, ev->text);
      else
        GST_DEBUG_OBJECT (self, "ignoring failure of old stream %s", ev->id);
      break;
    }
    case EV_ACTIVE:
      if (is_wanted_stream (self, ev->id))
        stream_became_active (self);
      else
        GST_DEBUG_OBJECT (self, "ignoring activity of old stream %s",
            GST_STR_NULL (ev->id));
      break;
    case EV_RESTORE_OFF:
      restore_turned_off (self);
      break;
    case EV_OFFER:
      handle_offer (self, ev);
      break;
  }
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* signal handlers (session thread / clock thread)                     */

static void
on_session_status_changed (GstWcsSession * session, gint status,
    const gchar * reason, GstWcsElement * self)
{
  WcsEvent *ev = wcs_event_new (self, EV_SESSION_STATUS);

  ev->session = g_object_ref (session);
  ev->status = status;
  ev->text = g_strdup (reason);
  /* read during the emission: the kind that goes with this status */
  ev->failure = gst_wcs_session_get_failure (session);
  queue_event (ev);
}

static void
on_session_remote_sdp (GstWcsSession * session, const gchar * id,
    const gchar * sdp, GstWcsElement * self)
{
  WcsEvent *ev = wcs_event_new (self, EV_REMOTE_SDP);

  ev->session = g_object_ref (session);
  ev->id = g_strdup (id);
  ev->text = g_strdup (sdp);
  queue_event (ev);
}

static void
on_session_stream_status (GstWcsSession * session, const gchar * id,
    const gchar * name, gint status, const gchar * info, GstWcsElement * self)
{
  WcsEvent *ev = wcs_event_new (self, EV_STREAM_STATUS);

  ev->session = g_object_ref (session);
  ev->id = g_strdup (id);
  ev->status = status;
  ev->text = g_strdup (info);
  queue_event (ev);
}

static void
on_policy_scheduled (GstWcsRestorePolicy * policy, gint reason,
    guint attempt, guint max_tries, guint delay_ms, GstWcsElement * self)
{
  post_restore (self, "scheduled", reason, attempt, max_tries, "delay-ms",
      G_TYPE_UINT, delay_ms);
}

static void
on_policy_attempt (GstWcsRestorePolicy * policy, gint reason, guint attempt,
    guint max_tries, GstWcsElement * self)
{
  WcsEvent *ev = wcs_event_new (self, EV_ATTEMPT);

  ev->reason = reason;
  ev->attempt = attempt;
  ev->max_tries = max_tries;
  queue_event (ev);
}

static void
on_policy_restored (GstWcsRestorePolicy * policy, gint reason,
    guint attempts, guint64 downtime_ms, GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  guint max_tries;

  g_mutex_lock (&priv->lock);
  priv->restores++;
  priv->downtime_ms += downtime_ms;
  priv->outage_start = 0;
  g_mutex_unlock (&priv->lock);

  g_object_get (policy, "max-tries", &max_tries, NULL);
  GST_INFO_OBJECT (self, "restored after %u attempts, %" G_GUINT64_FORMAT
      " ms down", attempts, downtime_ms);
  post_restore (self, "restored", reason, attempts, max_tries,
      "downtime-ms", G_TYPE_UINT64, downtime_ms);
}

static void
on_policy_gave_up (GstWcsRestorePolicy * policy, gint reason, guint attempt,
    guint max_tries, GstWcsElement * self)
{
  gchar *how;

  close_outage (self);
  post_restore (self, "gave-up", reason, attempt, max_tries, NULL,
      G_TYPE_NONE, 0);
  how = attempt > 0 ? g_strdup_printf ("gave up after %u restore attempts",
      attempt) : g_strdup ("not retried");
  post_give_up_error (self, reason, how);
  g_free (how);
}

/* ------------------------------------------------------------------ */
/* public helpers                                                      */

/**
 * gst_wcs_element_get_context:
 * @self: a #GstWcsElement
 *
 * Returns: (transfer none) (nullable): the element thread's context
 */
GMainContext *
gst_wcs_element_get_context (GstWcsElement * self)
{
  GstWcsElementPrivate *priv;
  GMainContext *ctx;

  g_return_val_if_fail (GST_IS_WCS_ELEMENT (self), NULL);
  priv = GET_PRIV (self);
  g_mutex_lock (&priv->lock);
  ctx = priv->context;
  g_mutex_unlock (&priv->lock);
  return ctx;
}

/**
 * gst_wcs_element_invoke:
 * @self: a #GstWcsElement
 * @func: function to run on the element thread
 * @data: its data
 * @notify: (nullable): frees @data (also when the work is dropped)
 */
void
gst_wcs_element_invoke (GstWcsElement * self, GSourceFunc func,
    gpointer data, GDestroyNotify notify)
{
  g_return_if_fail (GST_IS_WCS_ELEMENT (self));
  queue_source (self, func, data, notify);
}

/**
 * gst_wcs_element_send_offer:
 * @self: a #GstWcsElement
 * @media_session_id: the stream the offer belongs to
 * @sdp: the offer text
 * @has_video: publisher: video is sent
 * @has_audio: publisher: audio is sent
 */
void
gst_wcs_element_send_offer (GstWcsElement * self,
    const gchar * media_session_id, const gchar * sdp, gboolean has_video,
    gboolean has_audio)
{
  WcsEvent *ev;

  g_return_if_fail (GST_IS_WCS_ELEMENT (self));
  g_return_if_fail (media_session_id != NULL && sdp != NULL);

  ev = wcs_event_new (self, EV_OFFER);
  ev->id = g_strdup (media_session_id);
  ev->text = g_strdup (sdp);
  ev->flag = has_video;
  ev->flag2 = has_audio;
  queue_event (ev);
}

/**
 * gst_wcs_element_stream_active:
 * @self: a #GstWcsElement
 */
void
gst_wcs_element_stream_active (GstWcsElement * self)
{
  WcsEvent *ev;

  g_return_if_fail (GST_IS_WCS_ELEMENT (self));
  ev = wcs_event_new (self, EV_ACTIVE);
  ev->id = gst_wcs_element_get_current_id (self);
  queue_event (ev);
}

/**
 * gst_wcs_element_report_failure:
 * @self: a #GstWcsElement
 * @reason: why
 * @permanent: give up at once
 * @detail: (nullable): human readable cause
 *
 * Reports a failure of the current stream (as of the moment of the call):
 * if another stream has been started meanwhile, the report is dropped.
 */
void
gst_wcs_element_report_failure (GstWcsElement * self,
    GstWcsRestoreReason reason, gboolean permanent, const gchar * detail)
{
  WcsEvent *ev;

  g_return_if_fail (GST_IS_WCS_ELEMENT (self));

  ev = wcs_event_new (self, EV_FAILURE);
  ev->reason = reason;
  ev->flag = permanent;
  ev->text = g_strdup (detail);
  ev->id = gst_wcs_element_get_current_id (self);
  queue_event (ev);
}

/**
 * gst_wcs_element_set_codec:
 * @self: a #GstWcsElement
 * @codec: (nullable): "H264", "VP8" ...
 */
void
gst_wcs_element_set_codec (GstWcsElement * self, const gchar * codec)
{
  GstWcsElementPrivate *priv;
  gboolean changed;

  g_return_if_fail (GST_IS_WCS_ELEMENT (self));
  priv = GET_PRIV (self);

  g_mutex_lock (&priv->lock);
  changed = g_strcmp0 (priv->codec, codec) != 0;
  if (changed) {
    g_free (priv->codec);
    priv->codec = g_strdup (codec);
  }
  g_mutex_unlock (&priv->lock);

  if (changed) {
    GST_INFO_OBJECT (self, "codec %s", GST_STR_NULL (codec));
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODEC]);
  }
}

/**
 * gst_wcs_element_get_stream_name:
 * @self: a #GstWcsElement
 *
 * Returns: (transfer full) (nullable): the stream name
 */
gchar *
gst_wcs_element_get_stream_name (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *s;

  GST_OBJECT_LOCK (self);
  s = g_strdup (priv->stream_name);
  GST_OBJECT_UNLOCK (self);
  return s;
}

/**
 * gst_wcs_element_get_current_id:
 * @self: a #GstWcsElement
 *
 * Returns: (transfer full) (nullable): the current mediaSessionId
 */
gchar *
gst_wcs_element_get_current_id (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *s;

  g_mutex_lock (&priv->lock);
  s = g_strdup (priv->current_id);
  g_mutex_unlock (&priv->lock);
  return s;
}

/**
 * gst_wcs_element_get_codec:
 * @self: a #GstWcsElement
 *
 * Returns: (transfer full) (nullable): the codec in use
 */
gchar *
gst_wcs_element_get_codec (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *s;

  g_mutex_lock (&priv->lock);
  s = g_strdup (priv->codec);
  g_mutex_unlock (&priv->lock);
  return s;
}

/**
 * gst_wcs_element_get_stream_status:
 * @self: a #GstWcsElement
 *
 * Returns: the stream status of the current stream
 */
GstWcsStreamStatus
gst_wcs_element_get_stream_status (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsStreamStatus s;

  g_mutex_lock (&priv->lock);
  s = priv->stream_status;
  g_mutex_unlock (&priv->lock);
  return s;
}

/**
 * gst_wcs_element_get_session_status:
 * @self: a #GstWcsElement
 *
 * Returns: the session status
 */
GstWcsSessionStatus
gst_wcs_element_get_session_status (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsSessionStatus s;

  g_mutex_lock (&priv->lock);
  s = priv->session_status;
  g_mutex_unlock (&priv->lock);
  return s;
}

/**
 * gst_wcs_element_is_running:
 * @self: a #GstWcsElement
 *
 * Returns: %TRUE while a stream is wanted
 */
gboolean
gst_wcs_element_is_running (GstWcsElement * self)
{
  return is_wanted (self);
}

/* ------------------------------------------------------------------ */
/* start / deliberate stop                                             */

static gboolean
validate_location (const gchar * location)
{
  GUri *uri;
  gboolean ok = FALSE;

  if (!location)
    return FALSE;
  uri = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  if (uri) {
    const gchar *scheme = g_uri_get_scheme (uri);
    const gchar *host = g_uri_get_host (uri);

    ok = (g_ascii_strcasecmp (scheme, "ws") == 0 ||
        g_ascii_strcasecmp (scheme, "wss") == 0) && host && *host;
    g_uri_unref (uri);
  }
  return ok;
}

static gboolean
check_config (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  gchar *msg = NULL;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  if (!priv->stream_name || !*priv->stream_name)
    msg = g_strdup ("No stream name: the 'stream-name' property must be set");
  else if (!validate_location (priv->location))
    msg = g_strdup_printf ("Invalid 'location' property \"%s\": expected a "
        "ws:// or wss:// URL with a host", GST_STR_NULL (priv->location));
  else if (priv->restore_timeout == 0)
    msg = g_strdup ("The 'restore-timeout' property must be greater than 0 "
        "(set 'restore-connection' to FALSE to turn restoring off)");
  GST_OBJECT_UNLOCK (self);

  if (!msg && klass->check_config && !klass->check_config (self, &err)) {
    msg = g_strdup (err ? err->message : "Invalid configuration");
    g_clear_error (&err);
  }

  if (msg) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
  return TRUE;
}

/* Each element watches the network with its own monitor, created on the
 * element thread (GstWcsNetWatch, docs/restore.md section 9). */
static void
netwatch_start (GstWcsElement * self, gpointer data)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GMainContext *ctx = gst_wcs_element_get_context (self);
  GError *err = NULL;

  if (priv->netwatch || !ctx)
    return;
  priv->netwatch = gst_wcs_net_watch_new (ctx, NETWORK_DEBOUNCE_MS,
      on_network_changed, self);
  if (!gst_wcs_net_watch_start (priv->netwatch, &err)) {
    GST_WARNING_OBJECT (self, "no network monitor (%s): network changes are "
        "not watched", err ? err->message : "?");
    g_clear_error (&err);
    g_clear_pointer (&priv->netwatch, gst_wcs_net_watch_free);
  }
}

static void
start_running (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsSession *session;
  WcsEvent *ev;
  gchar *location, *app_key;
  GstStructure *custom;
  guint receive_probes, probes_interval, connect_timeout;
  guint restore_max_tries, restore_timeout;
  gboolean restore_connection;

  /* a snapshot of the configuration: no lock is held while calling into the
   * session or the policy (lock rules above) */
  GST_OBJECT_LOCK (self);
  location = g_strdup (priv->location);
  app_key = g_strdup (priv->app_key);
  custom = priv->custom ? gst_structure_copy (priv->custom) : NULL;
  receive_probes = priv->receive_probes;
  probes_interval = priv->probes_interval;
  connect_timeout = priv->connect_timeout;
  restore_connection = priv->restore_connection;
  restore_max_tries = priv->restore_max_tries;
  restore_timeout = priv->restore_timeout;
  GST_OBJECT_UNLOCK (self);

  session = gst_wcs_session_new (location);
  g_object_set (session, "app-key", app_key,
      "receive-probes", receive_probes, "probes-interval", probes_interval,
      "connect-timeout", connect_timeout, NULL);
  if (custom)
    g_object_set (session, "custom", custom, NULL);
  g_object_set (priv->policy, "enabled", restore_connection,
      "max-tries", restore_max_tries, "timeout", restore_timeout, NULL);
  g_free (location);
  g_free (app_key);
  if (custom)
    gst_structure_free (custom);

  gst_wcs_restore_policy_cancel (priv->policy);

  priv->session_handlers[0] = g_signal_connect (session, "status-changed",
      G_CALLBACK (on_session_status_changed), self);
  priv->session_handlers[1] = g_signal_connect (session, "remote-sdp",
      G_CALLBACK (on_session_remote_sdp), self);
  priv->session_handlers[2] = g_signal_connect (session, "stream-status",
      G_CALLBACK (on_session_stream_status), self);

  g_mutex_lock (&priv->lock);
  priv->session = session;
  priv->wanted = TRUE;
  priv->stream_started = FALSE;
  g_clear_pointer (&priv->current_id, g_free);
  g_clear_pointer (&priv->stopping_id, g_free);
  priv->session_status = GST_WCS_SESSION_STATUS_PENDING;
  priv->stream_status = GST_WCS_STREAM_STATUS_NEW;
  priv->outage_start = 0;
  g_mutex_unlock (&priv->lock);

  ev = wcs_event_new (self, EV_CONNECT);
  ev->session = g_object_ref (session);
  queue_event (ev);

  run_sync (self, netwatch_start, NULL);
}

typedef struct
{
  gboolean wait;
} ShutdownState;

static void
shutdown_begin (GstWcsElement * self, gpointer data)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  ShutdownState *st = data;
  GstWcsSession *session = NULL;
  gchar *id = NULL;

  gst_wcs_restore_policy_cancel (priv->policy);

  g_mutex_lock (&priv->lock);
  priv->wanted = FALSE;
  if (priv->stream_started && priv->current_id && priv->session &&
      priv->session_status == GST_WCS_SESSION_STATUS_ESTABLISHED &&
      !gst_wcs_stream_status_is_terminal (priv->stream_status)) {
    id = g_strdup (priv->current_id);
    session = g_object_ref (priv->session);
    g_free (priv->stopping_id);
    priv->stopping_id = g_strdup (id);
    priv->stopping_done = FALSE;
  }
  g_mutex_unlock (&priv->lock);

  st->wait = id != NULL;
  if (id) {
    GST_INFO_OBJECT (self, "stopping stream %s", id);
    send_stop_request (self, session, id);
    g_object_unref (session);
    g_free (id);
  }
}

static void
shutdown_finish (GstWcsElement * self, gpointer data)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  gboolean started;

  g_mutex_lock (&priv->lock);
  started = priv->stream_started;
  priv->stream_started = FALSE;
  g_clear_pointer (&priv->current_id, g_free);
  g_clear_pointer (&priv->stopping_id, g_free);
  if (started)
    priv->tearing_down = TRUE;
  if (priv->outage_start) {
    priv->downtime_ms +=
        (g_get_monotonic_time () - priv->outage_start) / 1000;
    priv->outage_start = 0;
  }
  g_mutex_unlock (&priv->lock);

  priv->connecting = FALSE;
  priv->net_abort = FALSE;
  stop_stream_timer (self);
  g_clear_pointer (&priv->netwatch, gst_wcs_net_watch_free);
  if (started && klass->stop_stream)
    klass->stop_stream (self, TRUE);

  g_mutex_lock (&priv->lock);
  priv->tearing_down = FALSE;
  g_mutex_unlock (&priv->lock);
}

/**
 * gst_wcs_element_shutdown:
 * @self: a #GstWcsElement
 * @wait_ms: longest wait for the server's UNPUBLISHED / STOPPED
 *
 * Deliberate, bounded stop (see the header). Idempotent.
 */
void
gst_wcs_element_shutdown (GstWcsElement * self, guint wait_ms)
{
  GstWcsElementPrivate *priv;
  ShutdownState st = { FALSE };
  GstWcsSession *session;
  gboolean had_session;

  g_return_if_fail (GST_IS_WCS_ELEMENT (self));
  priv = GET_PRIV (self);

  g_mutex_lock (&priv->shutdown_lock);
  GST_DEBUG_OBJECT (self, "shutdown (wait %u ms)", wait_ms);

  run_sync (self, shutdown_begin, &st);

  if (st.wait && wait_ms > 0) {
    gint64 deadline = g_get_monotonic_time () +
        (gint64) wait_ms * G_TIME_SPAN_MILLISECOND;
    GMainContext *ctx = gst_wcs_element_get_context (self);

    if (ctx && g_main_context_is_owner (ctx)) {
      GST_WARNING_OBJECT (self, "shutdown called from the element thread, "
          "not waiting for the server");
    } else {
      g_mutex_lock (&priv->lock);
      while (!priv->stopping_done)
        if (!g_cond_wait_until (&priv->cond, &priv->lock, deadline))
          break;
      if (!priv->stopping_done)
        GST_WARNING_OBJECT (self, "no reply to the stop request within %u ms",
            wait_ms);
      g_mutex_unlock (&priv->lock);
    }
  }

  run_sync (self, shutdown_finish, NULL);

  g_mutex_lock (&priv->lock);
  session = priv->session;
  priv->session = NULL;
  g_mutex_unlock (&priv->lock);

  had_session = session != NULL;
  if (session) {
    guint i;

    for (i = 0; i < G_N_ELEMENTS (priv->session_handlers); i++) {
      if (priv->session_handlers[i])
        g_signal_handler_disconnect (session, priv->session_handlers[i]);
      priv->session_handlers[i] = 0;
    }
    gst_wcs_session_disconnect (session);
    gst_wcs_session_flush (session);
    g_object_unref (session);
  }

  if (had_session && gst_wcs_element_get_session_status (self) !=
      GST_WCS_SESSION_STATUS_PENDING)
    set_session_status (self, GST_WCS_SESSION_STATUS_DISCONNECTED, "stopped");

  g_mutex_unlock (&priv->shutdown_lock);
}

static gpointer
element_thread_func (gpointer data)
{
  GstWcsElement *self = data;
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GMainContext *ctx;
  GMainLoop *loop;

  g_mutex_lock (&priv->lock);
  ctx = g_main_context_ref (priv->context);
  loop = g_main_loop_ref (priv->loop);
  g_mutex_unlock (&priv->lock);

  g_main_context_push_thread_default (ctx);
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (ctx);

  g_main_loop_unref (loop);
  g_main_context_unref (ctx);
  return NULL;
}

static void
start_thread (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *name;

  g_mutex_lock (&priv->lock);
  if (priv->thread) {
    g_mutex_unlock (&priv->lock);
    return;
  }
  priv->context = g_main_context_new ();
  priv->loop = g_main_loop_new (priv->context, FALSE);
  g_mutex_unlock (&priv->lock);

  name = g_strdup_printf ("wcs:%s", GST_OBJECT_NAME (self));
  priv->thread = g_thread_new (name, element_thread_func, self);
  g_free (name);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
stop_thread (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GThread *thread;
  GMainContext *ctx;
  GMainLoop *loop;
  GSource *src;

  g_mutex_lock (&priv->lock);
  thread = priv->thread;
  ctx = priv->context;
  loop = priv->loop;
  g_mutex_unlock (&priv->lock);
  if (!thread)
    return;

  src = g_idle_source_new ();
  g_source_set_priority (src, G_PRIORITY_LOW);
  g_source_set_callback (src, quit_loop, loop, NULL);
  g_source_attach (src, ctx);
  g_source_unref (src);
  g_thread_join (thread);

  g_mutex_lock (&priv->lock);
  priv->thread = NULL;
  priv->context = NULL;
  priv->loop = NULL;
  g_mutex_unlock (&priv->lock);

  /* pending work is dropped (each source frees its data) */
  g_main_loop_unref (loop);
  g_main_context_unref (ctx);
}

/* ------------------------------------------------------------------ */
/* GstElement / GstBin                                                 */

static GstStateChangeReturn
gst_wcs_element_change_state (GstElement * element, GstStateChange transition)
{
  GstWcsElement *self = GST_WCS_ELEMENT (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      start_thread (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!check_config (self))
        return GST_STATE_CHANGE_FAILURE;
      start_running (self);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      gst_wcs_element_shutdown (self, 0);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (gst_wcs_element_parent_class)->change_state
      (element, transition);

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (ret == GST_STATE_CHANGE_FAILURE)
        gst_wcs_element_shutdown (self, 0);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      gst_wcs_element_shutdown (self, 0);
      stop_thread (self);
      break;
    default:
      break;
  }
  return ret;
}

static void
gst_wcs_element_handle_message (GstBin * bin, GstMessage * msg)
{
  GstWcsElement *self = GST_WCS_ELEMENT (bin);
  GstWcsElementPrivate *priv = GET_PRIV (self);

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR &&
      GST_MESSAGE_SRC (msg) != GST_OBJECT (bin)) {
    gboolean started, tearing_down, wanted;

    g_mutex_lock (&priv->lock);
    started = priv->stream_started;
    tearing_down = priv->tearing_down;
    wanted = priv->wanted;
    g_mutex_unlock (&priv->lock);

    if (wanted && (started || tearing_down)) {
      GError *err = NULL;
      gchar *dbg = NULL, *detail;

      gst_message_parse_error (msg, &err, &dbg);
      GST_WARNING_OBJECT (self, "error from %s: %s (%s)",
          GST_MESSAGE_SRC_NAME (msg), err->message, GST_STR_NULL (dbg));
      if (started && !tearing_down) {
        detail = g_strdup_printf ("%s: %s", GST_MESSAGE_SRC_NAME (msg),
            err->message);
        gst_wcs_element_report_failure (self,
            GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE, detail);
        g_free (detail);
      }
      g_clear_error (&err);
      g_free (dbg);
      gst_message_unref (msg);
      return;
    }
  }

  GST_BIN_CLASS (gst_wcs_element_parent_class)->handle_message (bin, msg);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static GstStructure *
build_stats (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  GstStructure *s;
  guint64 downtime;

  g_mutex_lock (&priv->lock);
  downtime = priv->downtime_ms;
  if (priv->outage_start)
    downtime += (g_get_monotonic_time () - priv->outage_start) / 1000;
  s = gst_structure_new ("wcs-stats",
      "bitrate", G_TYPE_UINT64, G_GUINT64_CONSTANT (0),
      "bytes", G_TYPE_UINT64, G_GUINT64_CONSTANT (0),
      "restores", G_TYPE_UINT, priv->restores,
      "restore-attempts", G_TYPE_UINT, priv->restore_attempts,
      "last-restore-reason", G_TYPE_STRING,
      gst_wcs_restore_reason_to_string (priv->last_reason),
      "downtime-ms", G_TYPE_UINT64, downtime,
      "session-status", G_TYPE_STRING,
      gst_wcs_session_status_to_string (priv->session_status),
      "stream-status", G_TYPE_STRING,
      gst_wcs_stream_status_to_string (priv->stream_status), NULL);
  g_mutex_unlock (&priv->lock);

  if (klass->fill_stats)
    klass->fill_stats (self, s);
  return s;
}

static void
gst_wcs_element_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWcsElement *self = GST_WCS_ELEMENT (object);
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean restore_off = FALSE;
  const gchar *policy_prop = NULL;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (priv->location);
      priv->location = g_value_dup_string (value);
      break;
    case PROP_STREAM_NAME:
      g_free (priv->stream_name);
      priv->stream_name = g_value_dup_string (value);
      break;
    case PROP_APP_KEY:
      g_free (priv->app_key);
      priv->app_key = g_value_dup_string (value);
      if (!priv->app_key)
        priv->app_key = g_strdup (DEFAULT_APP_KEY);
      break;
    case PROP_CUSTOM:
      if (priv->custom)
        gst_structure_free (priv->custom);
      priv->custom = g_value_dup_boxed (value);
      break;
    case PROP_RESTORE_CONNECTION:
      priv->restore_connection = g_value_get_boolean (value);
      policy_prop = "enabled";
      restore_off = !priv->restore_connection;
      break;
    case PROP_RESTORE_TIMEOUT:
      priv->restore_timeout = g_value_get_uint (value);
      if (priv->restore_timeout > 0)
        policy_prop = "timeout";
      break;
    case PROP_RESTORE_MAX_TRIES:
      priv->restore_max_tries = g_value_get_uint (value);
      policy_prop = "max-tries";
      break;
    case PROP_RECEIVE_PROBES:
      priv->receive_probes = g_value_get_uint (value);
      break;
    case PROP_PROBES_INTERVAL:
      priv->probes_interval = g_value_get_uint (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      priv->connect_timeout = g_value_get_uint (value);
      break;
    case PROP_STREAM_TIMEOUT:
      priv->stream_timeout = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* the restore settings take effect at once, also during an outage; set
   * outside the object lock (lock rules above) */
  if (g_strcmp0 (policy_prop, "timeout") == 0)
    g_object_set (priv->policy, "timeout", MIN (g_value_get_uint (value),
            (guint) G_MAXINT32), NULL);
  else if (policy_prop)
    g_object_set_property (G_OBJECT (priv->policy), policy_prop, value);

  /* an outage in progress must end with an ERROR, not sit idle (the
   * policy dropped its pending attempt) */
  if (restore_off)
    queue_event (wcs_event_new (self, EV_RESTORE_OFF));
}

static void
gst_wcs_element_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWcsElement *self = GST_WCS_ELEMENT (object);
  GstWcsElementPrivate *priv = GET_PRIV (self);

  switch (prop_id) {
    case PROP_SESSION_STATUS:
      g_value_set_enum (value, gst_wcs_element_get_session_status (self));
      return;
    case PROP_STREAM_STATUS:
      g_value_set_enum (value, gst_wcs_element_get_stream_status (self));
      return;
    case PROP_CODEC:
      g_value_take_string (value, gst_wcs_element_get_codec (self));
      return;
    case PROP_STATS:
      g_value_take_boxed (value, build_stats (self));
      return;
    default:
      break;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, priv->location);
      break;
    case PROP_STREAM_NAME:
      g_value_set_string (value, priv->stream_name);
      break;
    case PROP_APP_KEY:
      g_value_set_string (value, priv->app_key);
      break;
    case PROP_CUSTOM:
      g_value_set_boxed (value, priv->custom);
      break;
    case PROP_RESTORE_CONNECTION:
      g_value_set_boolean (value, priv->restore_connection);
      break;
    case PROP_RESTORE_TIMEOUT:
      g_value_set_uint (value, priv->restore_timeout);
      break;
    case PROP_RESTORE_MAX_TRIES:
      g_value_set_uint (value, priv->restore_max_tries);
      break;
    case PROP_RECEIVE_PROBES:
      g_value_set_uint (value, priv->receive_probes);
      break;
    case PROP_PROBES_INTERVAL:
      g_value_set_uint (value, priv->probes_interval);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, priv->connect_timeout);
      break;
    case PROP_STREAM_TIMEOUT:
      g_value_set_uint (value, priv->stream_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_wcs_element_dispose (GObject * object)
{
  GstWcsElement *self = GST_WCS_ELEMENT (object);
  GstWcsElementPrivate *priv = GET_PRIV (self);

  /* normally done by READY->NULL already */
  if (priv->session || priv->thread) {
    gst_wcs_element_shutdown (self, 0);
    stop_thread (self);
  }
  if (priv->policy) {
    gst_wcs_restore_policy_cancel (priv->policy);
    g_signal_handlers_disconnect_by_data (priv->policy, self);
    gst_clear_object (&priv->policy);
  }

  G_OBJECT_CLASS (gst_wcs_element_parent_class)->dispose (object);
}

static void
gst_wcs_element_finalize (GObject * object)
{
  GstWcsElement *self = GST_WCS_ELEMENT (object);
  GstWcsElementPrivate *priv = GET_PRIV (self);

  g_free (priv->location);
  g_free (priv->stream_name);
  g_free (priv->app_key);
  if (priv->custom)
    gst_structure_free (priv->custom);
  g_free (priv->codec);
  g_free (priv->current_id);
  g_free (priv->stopping_id);
  g_free (priv->last_detail);
  g_mutex_clear (&priv->lock);
  g_mutex_clear (&priv->shutdown_lock);
  g_cond_clear (&priv->cond);

  G_OBJECT_CLASS (gst_wcs_element_parent_class)->finalize (object);
}

static void
gst_wcs_element_init (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  g_mutex_init (&priv->lock);
  g_mutex_init (&priv->shutdown_lock);
  g_cond_init (&priv->cond);

  priv->location = g_strdup (DEFAULT_LOCATION);
  priv->stream_name = g_strdup (DEFAULT_STREAM_NAME);
  priv->app_key = g_strdup (DEFAULT_APP_KEY);
  priv->restore_connection = DEFAULT_RESTORE_CONNECTION;
  priv->restore_timeout = DEFAULT_RESTORE_TIMEOUT;
  priv->restore_max_tries = DEFAULT_RESTORE_MAX_TRIES;
  priv->receive_probes = DEFAULT_RECEIVE_PROBES;
  priv->probes_interval = DEFAULT_PROBES_INTERVAL;
  priv->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  priv->stream_timeout = DEFAULT_STREAM_TIMEOUT;
  priv->session_status = GST_WCS_SESSION_STATUS_PENDING;
  priv->stream_status = GST_WCS_STREAM_STATUS_NEW;
  priv->last_reason = GST_WCS_RESTORE_REASON_NONE;

  priv->policy = gst_wcs_restore_policy_new (NULL);
  gst_object_ref_sink (priv->policy);
  g_object_set (priv->policy, "enabled", priv->restore_connection,
      "max-tries", priv->restore_max_tries,
      "timeout", priv->restore_timeout, NULL);
  g_signal_connect (priv->policy, "scheduled",
      G_CALLBACK (on_policy_scheduled), self);
  g_signal_connect (priv->policy, "attempt",
      G_CALLBACK (on_policy_attempt), self);
  g_signal_connect (priv->policy, "restored",
      G_CALLBACK (on_policy_restored), self);
  g_signal_connect (priv->policy, "gave-up",
      G_CALLBACK (on_policy_gave_up), self);
}

static void
gst_wcs_element_class_init (GstWcsElementClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_wcs_element_debug, "wcselement", 0,
      "WCS element base");

  /* register these GIO types once, here: the first start otherwise creates
   * them concurrently from g_network_monitor_get_default() (application
   * thread) and the session thread's SoupSession class_init, which can
   * deadlock in GType (seen: g_once_init_enter vs the type lock) */
  g_type_ensure (G_TYPE_INET_ADDRESS);
  g_type_ensure (G_TYPE_INET_SOCKET_ADDRESS);
  g_type_ensure (G_TYPE_PROXY_ADDRESS);
  g_type_ensure (G_TYPE_NETWORK_ADDRESS);

  gobject_class->set_property = gst_wcs_element_set_property;
  gobject_class->get_property = gst_wcs_element_get_property;
  gobject_class->dispose = gst_wcs_element_dispose;
  gobject_class->finalize = gst_wcs_element_finalize;

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_wcs_element_change_state);
  bin_class->handle_message =
      GST_DEBUG_FUNCPTR (gst_wcs_element_handle_message);

  /**
   * GstWcsElement:location:
   *
   * WCS WebSocket URL, ws:// or wss://.
   */
  properties[PROP_LOCATION] = g_param_spec_string ("location", "Location",
      "WCS WebSocket URL (ws://host:port or wss://host:port)",
      DEFAULT_LOCATION, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  properties[PROP_STREAM_NAME] = g_param_spec_string ("stream-name",
      "Stream name", "Name of the stream to publish / play (required)",
      DEFAULT_STREAM_NAME, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  properties[PROP_APP_KEY] = g_param_spec_string ("app-key", "App key",
      "appKey of the WCS 'connection' message (server-side REST application)",
      DEFAULT_APP_KEY, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  properties[PROP_CUSTOM] = g_param_spec_boxed ("custom", "Custom",
      "Extra fields sent as 'custom' in the 'connection' message "
      "(auth tokens etc.), e.g. \"custom,token=abc\"", GST_TYPE_STRUCTURE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  properties[PROP_RESTORE_CONNECTION] = g_param_spec_boolean
      ("restore-connection", "Restore connection",
      "Restore the session and the stream after failures",
      DEFAULT_RESTORE_CONNECTION, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_RESTORE_TIMEOUT] = g_param_spec_uint ("restore-timeout",
      "Restore timeout",
      "Longest wait between two restore attempts in ms (attempt 1 at once, "
      "then 250 ms doubling up to this; 0 is invalid: set "
      "restore-connection=false to turn restoring off)", 0, G_MAXUINT,
      DEFAULT_RESTORE_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_RESTORE_MAX_TRIES] = g_param_spec_uint ("restore-max-tries",
      "Restore max tries",
      "Restore attempts per outage before giving up (0: restore off)", 0,
      G_MAXUINT, DEFAULT_RESTORE_MAX_TRIES, G_PARAM_READWRITE |
      G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_RECEIVE_PROBES] = g_param_spec_uint ("receive-probes",
      "Receive probes",
      "Consecutive probes-interval windows without any inbound message "
      "before the session is FAILED (0: watchdog off)", 0, G_MAXUINT,
      DEFAULT_RECEIVE_PROBES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  properties[PROP_PROBES_INTERVAL] = g_param_spec_uint ("probes-interval",
      "Probes interval", "Period of the receive-probes watchdog, in ms (0: "
      "watchdog off)", 0, G_MAXUINT, DEFAULT_PROBES_INTERVAL,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  /**
   * GstWcsElement:connect-timeout:
   *
   * Longest time one connect may take (TCP, TLS and the WebSocket upgrade);
   * a connect that takes longer fails (reason `session-failed`) and is
   * retried by the restore loop.
   */
  properties[PROP_CONNECT_TIMEOUT] = g_param_spec_uint ("connect-timeout",
      "Connect timeout", "Longest time in ms for one connect to the server "
      "(TCP + TLS + WebSocket upgrade; 0: no limit)", 0, G_MAXUINT,
      DEFAULT_CONNECT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  /**
   * GstWcsElement:stream-timeout:
   *
   * Longest time from publishStream / playStream until the stream is active:
   * PUBLISHING with video bytes going out (publisher), PLAYING with media
   * coming in (player). A stream that is not active by then is a failure
   * (reason `stream-timeout`), restored like any other.
   */
  properties[PROP_STREAM_TIMEOUT] = g_param_spec_uint ("stream-timeout",
      "Stream timeout", "Longest time in ms from publishStream / playStream "
      "until the stream is active with media flowing (0: no limit)", 0,
      G_MAXUINT, DEFAULT_STREAM_TIMEOUT, G_PARAM_READWRITE |
      G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_SESSION_STATUS] = g_param_spec_enum ("session-status",
      "Session status", "WCS SESSION_STATUS of the signalling session",
      GST_TYPE_WCS_SESSION_STATUS, GST_WCS_SESSION_STATUS_PENDING,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STREAM_STATUS] = g_param_spec_enum ("stream-status",
      "Stream status", "WCS STREAM_STATUS of the current stream",
      GST_TYPE_WCS_STREAM_STATUS, GST_WCS_STREAM_STATUS_NEW,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CODEC] = g_param_spec_string ("codec", "Codec",
      "Video codec in use (H264 or VP8; NULL until negotiated), from what is "
      "actually sent / received",
      NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "Statistics: bitrate (video bit/s over the last interval), bytes "
      "(video), restores, restore-attempts, last-restore-reason, downtime-ms, "
      "session-status, stream-status and per-element fields",
      GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  klass->is_player = FALSE;
}
