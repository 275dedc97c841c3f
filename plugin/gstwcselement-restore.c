/* gst-wcs: GstWcsElement, the stream and restore logic
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The state machine of the current stream, the outages, failures, restore
 * attempts and network changes, all on the element thread (fed by
 * wcs_element_event_dispatch()), and the session / restore policy signal
 * handlers that feed it (see gstwcselement-private.h for threads and locks).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcselement-private.h"

#define GST_CAT_DEFAULT gst_wcs_element_debug

static void
post_restore (GstWcsElement * self, const gchar * phase,
    GstWcsRestoreReason reason, guint attempt, guint max_tries,
    const gchar * extra_field, GType extra_type, guint64 extra_value)
{
  GstStructure *s;
  guint server_index;
  gchar *server = wcs_element_get_server (self, &server_index);

  /* server: where the attempt goes ("attempt"), the stream works again
   * ("restored"), the last one tried ("scheduled", "gave-up") */
  s = gst_structure_new ("wcs-restore",
      "phase", G_TYPE_STRING, phase,
      "reason", G_TYPE_STRING, gst_wcs_restore_reason_to_string (reason),
      "attempt", G_TYPE_UINT, attempt, "max-tries", G_TYPE_UINT, max_tries,
      "server", G_TYPE_STRING, server, "server-index", G_TYPE_UINT,
      server_index, NULL);
  g_free (server);
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

gboolean
wcs_element_is_wanted (GstWcsElement * self)
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
void
wcs_element_send_stop_request (GstWcsElement * self, GstWcsSession * session,
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

  wcs_element_stop_stream_timer (self);
  if (!started) {
    g_free (id);
    return;
  }

  GST_INFO_OBJECT (self, "tearing down stream %s", GST_STR_NULL (id));
  session = ref_session (self);
  if (send_stop && session && id && established && !terminal)
    wcs_element_send_stop_request (self, session, id);
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
  gchar *detail, *text, *tried;

  tried = wcs_element_get_servers_tried (self);
  g_mutex_lock (&priv->lock);
  detail = g_strdup (priv->last_detail);
  code = priv->last_code ? priv->last_code : default_error_code (reason);
  priv->wanted = FALSE;
  g_mutex_unlock (&priv->lock);

  text = g_strdup_printf ("%s (%s%s%s)", detail ? detail :
      "WCS stream failed", how, tried && *tried ? "; servers tried: " : "",
      tried && *tried ? tried : "");
  g_free (tried);
  gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR,
      GST_RESOURCE_ERROR, code, text, g_strdup_printf ("last restore "
          "reason: %s", gst_wcs_restore_reason_to_string (reason)),
      __FILE__, GST_FUNCTION, __LINE__);
  g_free (detail);
}

void
wcs_element_stop_stream_timer (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  if (priv->stream_timer) {
    g_source_destroy (priv->stream_timer);
    g_source_unref (priv->stream_timer);
    priv->stream_timer = NULL;
  }
}

guint64
wcs_element_outage_ms (GstClockTime start, GstClockTime now)
{
  if (!GST_CLOCK_TIME_IS_VALID (start) || !GST_CLOCK_TIME_IS_VALID (now)
      || now <= start)
    return 0;
  return (now - start) / GST_MSECOND;
}

gboolean
wcs_element_close_outage (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstClockTime now = gst_wcs_restore_policy_now (priv->policy);
  gboolean outage;

  g_mutex_lock (&priv->lock);
  outage = GST_CLOCK_TIME_IS_VALID (priv->outage_start);
  if (outage) {
    priv->downtime_ms += wcs_element_outage_ms (priv->outage_start, now);
    priv->outage_start = GST_CLOCK_TIME_NONE;
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
  GstClockTime now;
  gboolean was_outage, had_outage;
  guint max_tries;

  if (!wcs_element_is_wanted (self)) {
    GST_DEBUG_OBJECT (self, "ignoring failure %s (%s): not running",
        gst_wcs_restore_reason_to_string (reason), GST_STR_NULL (detail));
    return;
  }

  GST_INFO_OBJECT (self, "failure %s%s: %s",
      gst_wcs_restore_reason_to_string (reason),
      permanent ? " (permanent)" : "", GST_STR_NULL (detail));

  teardown_stream (self, TRUE);

  was_outage = gst_wcs_restore_policy_in_outage (priv->policy);
  now = gst_wcs_restore_policy_now (priv->policy);
  g_mutex_lock (&priv->lock);
  had_outage = GST_CLOCK_TIME_IS_VALID (priv->outage_start);
  priv->last_reason = reason;
  priv->last_code = code;
  g_free (priv->last_detail);
  priv->last_detail = g_strdup (detail);
  if (!was_outage || !GST_CLOCK_TIME_IS_VALID (priv->outage_start))
    priv->outage_start = now;
  g_mutex_unlock (&priv->lock);

  action = gst_wcs_restore_policy_failure (priv->policy, reason, permanent);
  switch (action) {
    case GST_WCS_RESTORE_SCHEDULED:
      if (!was_outage)
        GST_ELEMENT_WARNING (self, RESOURCE, FAILED,
            ("%s; trying to restore", detail ? detail : "WCS failure"),
            ("reason: %s", gst_wcs_restore_reason_to_string (reason)));
      wcs_element_avail_poll_start (self);
      break;
    case GST_WCS_RESTORE_PENDING_ALREADY:
      GST_DEBUG_OBJECT (self, "restore attempt already pending");
      wcs_element_avail_poll_start (self);
      break;
    case GST_WCS_RESTORE_GAVE_UP:
      /* "gave-up" handler posted the message and the ERROR */
      break;
    case GST_WCS_RESTORE_DISABLED:
      wcs_element_close_outage (self);
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

  wcs_element_stop_stream_timer (self);
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
  wcs_element_set_stream_status (self, GST_WCS_STREAM_STATUS_PENDING, NULL,
      FALSE);
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

/* Picks the server of the next connect (location or a backup,
 * gstwcsfailover.h) and points the session at it. Element thread. */
static void
select_server (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsSession *session = ref_session (self);
  gchar *server = NULL, *masked = NULL;
  gboolean switched = FALSE;
  guint index = 0;

  if (!session)
    return;
  g_mutex_lock (&priv->lock);
  if (priv->failover) {
    index = gst_wcs_failover_connect (priv->failover, &switched);
    server = g_strdup (gst_wcs_failover_get_server (priv->failover, index));
  }
  g_mutex_unlock (&priv->lock);

  if (server) {
    masked = gst_wcs_failover_mask_url (server);
    if (switched)
      GST_WARNING_OBJECT (self, "failing over to server %u: %s", index,
          masked);
    else
      GST_DEBUG_OBJECT (self, "connecting to server %u: %s", index, masked);
    /* applies to the next connect (the session is not connected now) */
    g_object_set (session, "location", server, NULL);
  }
  g_free (masked);
  g_free (server);
  g_object_unref (session);
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
  wcs_element_set_session_status (self, status, ev->text);
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

    if (!wcs_element_is_wanted (self))
      return;

    if (started)                /* like the SDK: streams fail with the session */
      wcs_element_set_stream_status (self, GST_WCS_STREAM_STATUS_FAILED,
          "Session lost", TRUE);
    {
      GstWcsRestoreReason reason = GST_WCS_RESTORE_REASON_SESSION_FAILED;
      GstResourceError code = 0;
      gchar *detail, *location = wcs_element_get_server (self, NULL);

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

  wcs_element_stop_stream_timer (self);
  wcs_element_avail_poll_stop (self);
  /* the server in use works: it is kept (no flapping) */
  g_mutex_lock (&priv->lock);
  if (priv->failover)
    gst_wcs_failover_success (priv->failover);
  g_mutex_unlock (&priv->lock);
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
    wcs_element_set_stream_status (self, status, ev->text, TRUE);
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

  wcs_element_set_stream_status (self, status, ev->text, TRUE);

  if (klass->stream_status && klass->stream_status (self, ev->id, status,
          ev->text))
    return;
  if (!wcs_element_is_wanted (self))
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
  if (!wcs_element_is_wanted (self) || !wcs_element_close_outage (self))
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

  if (!wcs_element_is_wanted (self))
    return;

  g_mutex_lock (&priv->lock);
  priv->restore_attempts++;
  status = priv->session_status;
  g_mutex_unlock (&priv->lock);

  wcs_element_avail_poll_stop (self);
  GST_INFO_OBJECT (self, "restore attempt %u/%u (%s)", ev->attempt,
      ev->max_tries, gst_wcs_restore_reason_to_string (ev->reason));
  /* before the message: its server is where this attempt goes */
  if (status != GST_WCS_SESSION_STATUS_ESTABLISHED && !priv->connecting)
    select_server (self);
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
void
wcs_element_on_network_changed (GstWcsNetWatch * watch, gboolean available,
    gboolean was, gpointer data)
{
  GstWcsElement *self = data;
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gboolean restore = FALSE, established, route_changed = FALSE;
  GstWcsSession *session;
  gchar *local = NULL, *remote = NULL, *src = NULL;

  if (!wcs_element_is_wanted (self))
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

gboolean
wcs_element_event_dispatch (gpointer data)
{
  WcsEvent *ev = data;
  GstWcsElement *self = ev->self;
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsElementClass *klass = GST_WCS_ELEMENT_GET_CLASS (self);

  switch (ev->type) {
    case EV_CONNECT:
      if (wcs_element_is_wanted (self) &&
          session_is_current (self, ev->session)) {
        select_server (self);
        connect_session (self);
      }
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
    case EV_AVAILABLE:
      if (session_is_current (self, ev->session))
        wcs_element_handle_available (self, ev->id, ev->flag, ev->text);
      break;
  }
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* signal handlers (session thread / clock thread)                     */

void
wcs_element_on_session_status_changed (GstWcsSession * session, gint status,
    const gchar * reason, GstWcsElement * self)
{
  WcsEvent *ev = wcs_element_event_new (self, EV_SESSION_STATUS);

  ev->session = g_object_ref (session);
  ev->status = status;
  ev->text = g_strdup (reason);
  /* read during the emission: the kind that goes with this status */
  ev->failure = gst_wcs_session_get_failure (session);
  wcs_element_queue_event (ev);
}

void
wcs_element_on_session_remote_sdp (GstWcsSession * session, const gchar * id,
    const gchar * sdp, GstWcsElement * self)
{
  WcsEvent *ev = wcs_element_event_new (self, EV_REMOTE_SDP);

  ev->session = g_object_ref (session);
  ev->id = g_strdup (id);
  ev->text = g_strdup (sdp);
  wcs_element_queue_event (ev);
}

void
wcs_element_on_session_stream_status (GstWcsSession * session, const gchar * id,
    const gchar * name, gint status, const gchar * info, GstWcsElement * self)
{
  WcsEvent *ev = wcs_element_event_new (self, EV_STREAM_STATUS);

  ev->session = g_object_ref (session);
  ev->id = g_strdup (id);
  ev->status = status;
  ev->text = g_strdup (info);
  wcs_element_queue_event (ev);
}

void
wcs_element_on_policy_scheduled (GstWcsRestorePolicy * policy, gint reason,
    guint attempt, guint max_tries, guint delay_ms, GstWcsElement * self)
{
  post_restore (self, "scheduled", reason, attempt, max_tries, "delay-ms",
      G_TYPE_UINT, delay_ms);
}

void
wcs_element_on_policy_attempt (GstWcsRestorePolicy * policy, gint reason,
    guint attempt, guint max_tries, GstWcsElement * self)
{
  WcsEvent *ev = wcs_element_event_new (self, EV_ATTEMPT);

  ev->reason = reason;
  ev->attempt = attempt;
  ev->max_tries = max_tries;
  wcs_element_queue_event (ev);
}

void
wcs_element_on_policy_restored (GstWcsRestorePolicy * policy, gint reason,
    guint attempts, guint64 downtime_ms, GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  guint max_tries;

  g_mutex_lock (&priv->lock);
  priv->restores++;
  priv->downtime_ms += downtime_ms;
  priv->outage_start = GST_CLOCK_TIME_NONE;
  g_mutex_unlock (&priv->lock);

  g_object_get (policy, "max-tries", &max_tries, NULL);
  GST_INFO_OBJECT (self, "restored after %u attempts, %" G_GUINT64_FORMAT
      " ms down", attempts, downtime_ms);
  post_restore (self, "restored", reason, attempts, max_tries,
      "downtime-ms", G_TYPE_UINT64, downtime_ms);
}

void
wcs_element_on_policy_gave_up (GstWcsRestorePolicy * policy, gint reason,
    guint attempt, guint max_tries, GstWcsElement * self)
{
  gchar *how;

  wcs_element_close_outage (self);
  post_restore (self, "gave-up", reason, attempt, max_tries, NULL,
      G_TYPE_NONE, 0);
  how = attempt > 0 ? g_strdup_printf ("gave up after %u restore attempts",
      attempt) : g_strdup ("not retried");
  post_give_up_error (self, reason, how);
  g_free (how);
}
