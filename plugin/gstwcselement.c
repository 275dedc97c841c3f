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

#include "gstwcselement-private.h"
#include "gstwcselements.h"
#include "gstwcsprop.h"

GST_DEBUG_CATEGORY (gst_wcs_element_debug);
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

/* after N_PROPS: the property groups of the other files, in this order */
static const WcsElementPropGroup *const prop_groups[] = {
  &wcs_element_tls_props, &wcs_element_failover_props, &wcs_element_ice_props
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstWcsElement, gst_wcs_element,
    GST_TYPE_BIN);

/* The private part of @self (any thread; the fields' own locks apply) */
GstWcsElementPrivate *
wcs_element_get_priv (GstWcsElement * self)
{
  return gst_wcs_element_get_instance_private (self);
}

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

gchar *
wcs_element_get_location (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *s;

  GST_OBJECT_LOCK (self);
  s = g_strdup (priv->location);
  GST_OBJECT_UNLOCK (self);
  return s;
}

void
wcs_element_set_session_status (GstWcsElement * self,
    GstWcsSessionStatus status, const gchar * reason)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean changed;
  gchar *location, *server;
  guint server_index;
  GstStructure *s;

  server = wcs_element_get_server (self, &server_index);
  g_mutex_lock (&priv->lock);
  changed = priv->session_status != status;
  priv->session_status = status;
  g_mutex_unlock (&priv->lock);

  GST_INFO_OBJECT (self, "session status %s (%s)",
      gst_wcs_session_status_to_string (status), GST_STR_NULL (reason));

  location = wcs_element_get_location (self);
  s = gst_structure_new ("wcs-session-status",
      "status", G_TYPE_STRING, gst_wcs_session_status_to_string (status),
      "location", G_TYPE_STRING, location ? location : "",
      "server", G_TYPE_STRING, server, "server-index", G_TYPE_UINT,
      server_index, NULL);
  if (reason)
    gst_structure_set (s, "reason", G_TYPE_STRING, reason, NULL);
  g_free (location);
  g_free (server);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self),
        properties[PROP_SESSION_STATUS]);
  gst_wcs_element_post (self, s);
}

void
wcs_element_set_stream_status (GstWcsElement * self, GstWcsStreamStatus status,
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
  wcs_element_queue_source (self, func, data, notify);
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

  ev = wcs_element_event_new (self, EV_OFFER);
  ev->id = g_strdup (media_session_id);
  ev->text = g_strdup (sdp);
  ev->flag = has_video;
  ev->flag2 = has_audio;
  wcs_element_queue_event (ev);
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
  ev = wcs_element_event_new (self, EV_ACTIVE);
  ev->id = gst_wcs_element_get_current_id (self);
  wcs_element_queue_event (ev);
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

  ev = wcs_element_event_new (self, EV_FAILURE);
  ev->reason = reason;
  ev->flag = permanent;
  ev->text = g_strdup (detail);
  ev->id = gst_wcs_element_get_current_id (self);
  wcs_element_queue_event (ev);
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
  return wcs_element_is_wanted (self);
}

/* ------------------------------------------------------------------ */
/* start / deliberate stop                                             */

static gboolean
check_config (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);
  gchar *msg = NULL;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  if (!priv->stream_name || !*priv->stream_name) {
    msg = g_strdup ("No stream name: the 'stream-name' property must be set");
  } else if (!gst_wcs_failover_location_is_valid (priv->location)) {
    gchar *masked = gst_wcs_failover_mask_url (priv->location);

    msg = g_strdup_printf ("Invalid 'location' property \"%s\": expected a "
        "ws:// or wss:// URL with a host", GST_STR_NULL (masked));
    g_free (masked);
  } else if (priv->restore_timeout == 0) {
    msg = g_strdup ("The 'restore-timeout' property must be greater than 0 "
        "(set 'restore-connection' to FALSE to turn restoring off)");
  } else if (!gst_wcs_failover_validate ((const gchar * const *)
          priv->backup_locations, priv->failover_tries, &err)
      || !gst_wcs_ice_config_validate (&priv->ice, &err)) {
    msg = g_strdup (err->message);
    g_clear_error (&err);
  }
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
      wcs_element_on_network_changed, self);
  if (!gst_wcs_net_watch_start (priv->netwatch, &err)) {
    GST_WARNING_OBJECT (self, "no network monitor (%s): network changes are "
        "not watched", err ? err->message : "?");
    g_clear_error (&err);
    g_clear_pointer (&priv->netwatch, gst_wcs_net_watch_free);
  }
}

static void
start_running (GstWcsElement * self, GTlsDatabase * ca_db)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsSession *session;
  WcsEvent *ev;
  gchar *location, *app_key;
  GstStructure *custom;
  guint receive_probes, probes_interval, connect_timeout;
  GstWcsTransport transport;
  guint restore_max_tries, restore_timeout;
  gboolean restore_connection;
  GstWcsFailover *failover, *old_failover;

  /* the first offer / answer of the process need not wait for its DTLS
   * certificate: made while the session connects */
  gst_wcs_peer_prepare_certificate ();

  /* a snapshot of the configuration: no lock is held while calling into the
   * session or the policy (lock rules in gstwcselement-private.h) */
  GST_OBJECT_LOCK (self);
  location = g_strdup (priv->location);
  app_key = g_strdup (priv->app_key);
  custom = priv->custom ? gst_structure_copy (priv->custom) : NULL;
  receive_probes = priv->receive_probes;
  probes_interval = priv->probes_interval;
  connect_timeout = priv->connect_timeout;
  transport = priv->transport;
  restore_connection = priv->restore_connection;
  restore_max_tries = priv->restore_max_tries;
  restore_timeout = priv->restore_timeout;
  GST_OBJECT_UNLOCK (self);
  failover = wcs_element_failover_new (self, location);

  /* one session for the whole run: every connect, restores included, uses
   * these settings */
  session = gst_wcs_session_new (location);
  g_object_set (session, "app-key", app_key,
      "receive-probes", receive_probes, "probes-interval", probes_interval,
      "connect-timeout", connect_timeout, "transport", transport, NULL);
  wcs_element_tls_configure_session (self, session, ca_db);
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
      G_CALLBACK (wcs_element_on_session_status_changed), self);
  priv->session_handlers[1] = g_signal_connect (session, "remote-sdp",
      G_CALLBACK (wcs_element_on_session_remote_sdp), self);
  priv->session_handlers[2] = g_signal_connect (session, "stream-status",
      G_CALLBACK (wcs_element_on_session_stream_status), self);
  priv->session_handlers[3] = g_signal_connect (session, "stream-available",
      G_CALLBACK (wcs_element_on_session_available), self);

  g_mutex_lock (&priv->lock);
  old_failover = priv->failover;
  priv->failover = failover;
  priv->session = session;
  priv->wanted = TRUE;
  priv->stream_started = FALSE;
  g_clear_pointer (&priv->current_id, g_free);
  g_clear_pointer (&priv->stopping_id, g_free);
  priv->session_status = GST_WCS_SESSION_STATUS_PENDING;
  priv->stream_status = GST_WCS_STREAM_STATUS_NEW;
  priv->outage_start = GST_CLOCK_TIME_NONE;
  g_mutex_unlock (&priv->lock);
  gst_wcs_failover_free (old_failover);

  ev = wcs_element_event_new (self, EV_CONNECT);
  ev->session = g_object_ref (session);
  wcs_element_queue_event (ev);

  wcs_element_run_sync (self, netwatch_start, NULL);
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
    wcs_element_send_stop_request (self, session, id);
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
  g_mutex_unlock (&priv->lock);
  wcs_element_close_outage (self);

  priv->connecting = FALSE;
  priv->net_abort = FALSE;
  wcs_element_stop_stream_timer (self);
  wcs_element_avail_poll_stop (self);
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

  wcs_element_run_sync (self, shutdown_begin, &st);

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

  wcs_element_run_sync (self, shutdown_finish, NULL);

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
    wcs_element_set_session_status (self, GST_WCS_SESSION_STATUS_DISCONNECTED,
        "stopped");

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
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      GTlsDatabase *ca_db = NULL;

      if (!check_config (self)
          || !wcs_element_tls_load_ca_file (self, &ca_db))
        return GST_STATE_CHANGE_FAILURE;
      start_running (self, ca_db);
      g_clear_object (&ca_db);
      break;
    }
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

    /* a child's error while a stream runs is a failure to restore, not
     * the application's; one while a stream is torn down, or while a
     * deliberate stop (EOS, NULL) waits for the server's UNPUBLISHED /
     * STOPPED (!wanted, the stream still up: the server may already be
     * closing its side of the peer connection), is the teardown's own and
     * is only logged */
    if (started || tearing_down) {
      GError *err = NULL;
      gchar *dbg = NULL, *detail;

      gst_message_parse_error (msg, &err, &dbg);
      if (wanted && started && !tearing_down)
        GST_WARNING_OBJECT (self, "error from %s: %s (%s)",
            GST_MESSAGE_SRC_NAME (msg), err->message, GST_STR_NULL (dbg));
      else
        GST_INFO_OBJECT (self, "error from %s while the stream stops, "
            "ignored: %s (%s)", GST_MESSAGE_SRC_NAME (msg), err->message,
            GST_STR_NULL (dbg));
      if (wanted && started && !tearing_down) {
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
  GstClockTime now;
  guint64 downtime;
  gchar *server;
  guint server_index;

  server = wcs_element_get_server (self, &server_index);
  now = gst_wcs_restore_policy_now (priv->policy);
  g_mutex_lock (&priv->lock);
  downtime = priv->downtime_ms;
  downtime += wcs_element_outage_ms (priv->outage_start, now);
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
      gst_wcs_stream_status_to_string (priv->stream_status),
      "server", G_TYPE_STRING, server, "server-index", G_TYPE_UINT,
      server_index, NULL);
  g_mutex_unlock (&priv->lock);
  g_free (server);

  wcs_element_ice_fill_stats (self, s);
  if (klass->fill_stats)
    klass->fill_stats (self, s);
  return s;
}

/* the configuration properties kept in GstWcsElementPrivate */
static const GstWcsPropField element_fields[] = {
  {PROP_LOCATION, G_STRUCT_OFFSET (GstWcsElementPrivate, location)},
  {PROP_STREAM_NAME, G_STRUCT_OFFSET (GstWcsElementPrivate, stream_name)},
  {PROP_APP_KEY, G_STRUCT_OFFSET (GstWcsElementPrivate, app_key)},
  {PROP_CUSTOM, G_STRUCT_OFFSET (GstWcsElementPrivate, custom)},
  {PROP_RESTORE_CONNECTION, G_STRUCT_OFFSET (GstWcsElementPrivate,
          restore_connection)},
  {PROP_RESTORE_TIMEOUT, G_STRUCT_OFFSET (GstWcsElementPrivate,
          restore_timeout)},
  {PROP_RESTORE_MAX_TRIES, G_STRUCT_OFFSET (GstWcsElementPrivate,
          restore_max_tries)},
  {PROP_RECEIVE_PROBES, G_STRUCT_OFFSET (GstWcsElementPrivate,
          receive_probes)},
  {PROP_PROBES_INTERVAL, G_STRUCT_OFFSET (GstWcsElementPrivate,
          probes_interval)},
  {PROP_CONNECT_TIMEOUT, G_STRUCT_OFFSET (GstWcsElementPrivate,
          connect_timeout)},
  {PROP_STREAM_TIMEOUT, G_STRUCT_OFFSET (GstWcsElementPrivate,
          stream_timeout)},
};

/* The table of @prop_id (the base's or a group's) and its *id in that
 * table; NULL when no table has it. */
static const GstWcsPropField *
fields_of (guint prop_id, guint * id, guint * n_fields)
{
  guint i, first = N_PROPS;

  *id = prop_id;
  *n_fields = 0;
  if (prop_id < N_PROPS) {
    *id = prop_id;
    *n_fields = G_N_ELEMENTS (element_fields);
    return element_fields;
  }
  for (i = 0; i < G_N_ELEMENTS (prop_groups); i++) {
    if (prop_id < first + prop_groups[i]->n_fields) {
      *id = prop_id - first;
      *n_fields = prop_groups[i]->n_fields;
      return prop_groups[i]->fields;
    }
    first += prop_groups[i]->n_fields;
  }
  return NULL;
}

static void
gst_wcs_element_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWcsElement *self = GST_WCS_ELEMENT (object);
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean restore_off = FALSE;
  const gchar *policy_prop = NULL;
  const GstWcsPropField *fields;
  guint id, n_fields;

  fields = fields_of (prop_id, &id, &n_fields);

  GST_OBJECT_LOCK (self);
  if (!gst_wcs_prop_field_set (priv, fields, n_fields, id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  /* what follows from the new value */
  switch (prop_id) {
    case PROP_APP_KEY:
      if (!priv->app_key)
        priv->app_key = g_strdup (DEFAULT_APP_KEY);
      break;
    case PROP_RESTORE_CONNECTION:
      policy_prop = "enabled";
      restore_off = !priv->restore_connection;
      break;
    case PROP_RESTORE_TIMEOUT:
      if (priv->restore_timeout > 0)
        policy_prop = "timeout";
      break;
    case PROP_RESTORE_MAX_TRIES:
      policy_prop = "max-tries";
      break;
    default:
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* the restore settings take effect at once, also during an outage; set
   * outside the object lock (lock rules in gstwcselement-private.h) */
  if (g_strcmp0 (policy_prop, "timeout") == 0)
    g_object_set (priv->policy, "timeout", MIN (g_value_get_uint (value),
            (guint) G_MAXINT32), NULL);
  else if (policy_prop)
    g_object_set_property (G_OBJECT (priv->policy), policy_prop, value);

  /* an outage in progress must end with an ERROR, not sit idle (the
   * policy dropped its pending attempt) */
  if (restore_off)
    wcs_element_queue_event (wcs_element_event_new (self, EV_RESTORE_OFF));
}

static void
gst_wcs_element_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWcsElement *self = GST_WCS_ELEMENT (object);
  GstWcsElementPrivate *priv = GET_PRIV (self);
  const GstWcsPropField *fields;
  guint id, n_fields;


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

  fields = fields_of (prop_id, &id, &n_fields);
  GST_OBJECT_LOCK (self);
  if (!gst_wcs_prop_field_get (priv, fields, n_fields, id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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
  g_free (priv->avail_id);
  wcs_element_tls_finalize (self);
  wcs_element_failover_finalize (self);
  wcs_element_ice_finalize (self);
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
  wcs_element_tls_init (self);
  wcs_element_failover_init (self);
  wcs_element_ice_init (self);
  priv->session_status = GST_WCS_SESSION_STATUS_PENDING;
  priv->stream_status = GST_WCS_STREAM_STATUS_NEW;
  priv->last_reason = GST_WCS_RESTORE_REASON_NONE;
  priv->outage_start = GST_CLOCK_TIME_NONE;

  priv->policy = gst_wcs_restore_policy_new (NULL);
  g_object_set (priv->policy, "enabled", priv->restore_connection,
      "max-tries", priv->restore_max_tries,
      "timeout", priv->restore_timeout, NULL);
  g_signal_connect (priv->policy, "scheduled",
      G_CALLBACK (wcs_element_on_policy_scheduled), self);
  g_signal_connect (priv->policy, "attempt",
      G_CALLBACK (wcs_element_on_policy_attempt), self);
  g_signal_connect (priv->policy, "restored",
      G_CALLBACK (wcs_element_on_policy_restored), self);
  g_signal_connect (priv->policy, "gave-up",
      G_CALLBACK (wcs_element_on_policy_gave_up), self);
}

static void
gst_wcs_element_class_init (GstWcsElementClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);
  guint i, first_id;

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
      "then 100 ms doubling up to this; 0 is invalid: set "
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
      "session-status, stream-status, server, server-index and per-element "
      "fields",
      GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (gobject_class, N_PROPS, properties);
  first_id = N_PROPS;
  for (i = 0; i < G_N_ELEMENTS (prop_groups); i++) {
    prop_groups[i]->install (gobject_class, first_id);
    first_id += prop_groups[i]->n_fields;
  }

  klass->is_player = FALSE;
}
