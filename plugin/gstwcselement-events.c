/* gst-wcs: GstWcsElement, events and synchronous calls marshalled onto the
 * element thread
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcselement-private.h"

#define GST_CAT_DEFAULT gst_wcs_element_debug

/* ------------------------------------------------------------------ */
/* events marshalled onto the element thread                           */

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

WcsEvent *
wcs_element_event_new (GstWcsElement * self, WcsEventType type)
{
  WcsEvent *ev = g_new0 (WcsEvent, 1);

  ev->self = gst_object_ref (self);
  ev->type = type;
  return ev;
}

void
wcs_element_queue_source (GstWcsElement * self, GSourceFunc func, gpointer data,
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

void
wcs_element_queue_event (WcsEvent * ev)
{
  wcs_element_queue_source (ev->self, wcs_element_event_dispatch, ev,
      wcs_event_free);
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

void
wcs_element_run_sync (GstWcsElement * self,
    void (*func) (GstWcsElement *, gpointer), gpointer data)
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
