/* gst-wcs: GstWcsElement, a waiting player's availability poll
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A player whose stream is gone (outage reason publisher-stopped: "Stream
 * not found", "Stopped by publisher stop", ...) waits for its next restore
 * attempt, and the back-off grows to restore-timeout while the publisher
 * stays away: a publisher that returns would be seen up to a whole step
 * late. Meanwhile, on the same session, the element asks the server
 * whether the stream exists, after ~25, 50 and 100 ms, then every ~200 ms
 * (availableStream, docs/protocol.md 5.4: one small frame, no stream, no
 * WebRTC); the first "available"
 * starts the scheduled attempt at once (gst_wcs_restore_policy_hurry ()).
 * The schedule itself is unchanged: a server that never answers the query
 * is retried exactly as before, and the attempts still count against
 * restore-max-tries. The first steps are short for the commonest case, a
 * server restarted at once: the player's play often reaches it a few ms
 * before its publisher's publish (refused "Stream not found") and the
 * publisher is back within ~100 ms. Element thread only.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcselement-private.h"

#define GST_CAT_DEFAULT gst_wcs_element_debug

/* time before query n (from 0): POLL_FIRST_MS << n up to POLL_MS,
 * jittered by +-20 % */
#define POLL_FIRST_MS 25
#define POLL_MS 200
#define POLL_JITTER 0.2

/* Whether a query is worth sending now: a player, wanted, in an outage
 * about its publisher, an attempt waiting on its timer, the session up and
 * no stream under way. */
static gboolean
should_poll (GstWcsElement * self, GstWcsSession ** session, gchar ** name)
{
  GstWcsElementPrivate *priv = wcs_element_get_priv (self);
  gboolean ok;

  if (!GST_WCS_ELEMENT_GET_CLASS (self)->is_player)
    return FALSE;
  if (!gst_wcs_restore_policy_is_pending (priv->policy) ||
      gst_wcs_restore_policy_get_reason (priv->policy) !=
      GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED)
    return FALSE;

  g_mutex_lock (&priv->lock);
  ok = priv->wanted && !priv->stream_started && priv->session &&
      priv->session_status == GST_WCS_SESSION_STATUS_ESTABLISHED;
  if (ok && session)
    *session = g_object_ref (priv->session);
  g_mutex_unlock (&priv->lock);

  if (ok && name) {
    *name = gst_wcs_element_get_stream_name (self);
    if (!*name || !**name) {
      g_clear_pointer (name, g_free);
      if (session)
        g_clear_object (session);
      ok = FALSE;
    }
  }
  return ok;
}

static gboolean poll_tick (gpointer data);

static void
arm (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = wcs_element_get_priv (self);
  GMainContext *ctx = gst_wcs_element_get_context (self);
  guint base, lo, hi;

  if (!ctx || priv->avail_timer)
    return;
  base = priv->avail_polls < 4 ?
      MIN (POLL_MS, POLL_FIRST_MS << priv->avail_polls) : POLL_MS;
  lo = (guint) (base * (1.0 - POLL_JITTER));
  hi = (guint) (base * (1.0 + POLL_JITTER));
  priv->avail_timer = g_timeout_source_new (g_random_int_range (lo, hi + 1));
  g_source_set_callback (priv->avail_timer, poll_tick, self, NULL);
  g_source_attach (priv->avail_timer, ctx);
}

static gboolean
poll_tick (gpointer data)
{
  GstWcsElement *self = data;
  GstWcsElementPrivate *priv = wcs_element_get_priv (self);
  GstWcsSession *session = NULL;
  gchar *name = NULL;
  GError *err = NULL;

  g_source_unref (priv->avail_timer);
  priv->avail_timer = NULL;

  if (!should_poll (self, &session, &name)) {
    GST_DEBUG_OBJECT (self, "availability poll ends");
    g_clear_pointer (&priv->avail_id, g_free);
    return G_SOURCE_REMOVE;
  }

  g_free (priv->avail_id);
  priv->avail_id = gst_wcs_new_media_session_id ();
  priv->avail_polls++;
  GST_LOG_OBJECT (self, "is %s back? (query %s)", name, priv->avail_id);
  if (!gst_wcs_session_query_available (session, priv->avail_id, name,
          &err)) {
    /* the session is going away: its own failure restores */
    GST_DEBUG_OBJECT (self, "availability query not sent: %s", err->message);
    g_clear_error (&err);
  }
  arm (self);
  g_object_unref (session);
  g_free (name);
  return G_SOURCE_REMOVE;
}

void
wcs_element_avail_poll_start (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = wcs_element_get_priv (self);

  if (priv->avail_timer)
    return;
  if (should_poll (self, NULL, NULL)) {
    GST_DEBUG_OBJECT (self, "waiting for the publisher: availability poll "
        "after ~%d ms, then more slowly up to every ~%d ms", POLL_FIRST_MS,
        POLL_MS);
    priv->avail_polls = 0;
    arm (self);
  }
}

void
wcs_element_avail_poll_stop (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = wcs_element_get_priv (self);

  if (priv->avail_timer) {
    g_source_destroy (priv->avail_timer);
    g_source_unref (priv->avail_timer);
    priv->avail_timer = NULL;
  }
  g_clear_pointer (&priv->avail_id, g_free);
}

void
wcs_element_handle_available (GstWcsElement * self, const gchar * id,
    gboolean available, const gchar * info)
{
  GstWcsElementPrivate *priv = wcs_element_get_priv (self);

  /* only the reply to the latest query counts (older ones, and any the
   * application's own queries caused, are not ours) */
  if (!priv->avail_id || g_strcmp0 (id, priv->avail_id) != 0) {
    GST_LOG_OBJECT (self, "availability reply %s is not ours", id);
    return;
  }
  if (!available) {
    GST_LOG_OBJECT (self, "not back yet (%s)", GST_STR_NULL (info));
    return;
  }
  if (!should_poll (self, NULL, NULL)) {
    wcs_element_avail_poll_stop (self);
    return;
  }

  wcs_element_avail_poll_stop (self);
  GST_INFO_OBJECT (self, "the stream is available again: restore attempt "
      "now");
  gst_wcs_restore_policy_hurry (priv->policy);
}

void
wcs_element_on_session_available (GstWcsSession * session, const gchar * id,
    gboolean available, const gchar * info, GstWcsElement * self)
{
  WcsEvent *ev = wcs_element_event_new (self, EV_AVAILABLE);

  ev->session = g_object_ref (session);
  ev->id = g_strdup (id);
  ev->flag = available;
  ev->text = g_strdup (info);
  wcs_element_queue_event (ev);
}
