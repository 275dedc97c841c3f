/* gst-wcs: debounced network watch and route check
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See gstwcsnetwatch.h. Everything but the route helpers runs on the
 * watch's context, so the state needs no lock.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstwcsnetwatch.h"

GST_DEBUG_CATEGORY_STATIC (gst_wcs_net_watch_debug);
#define GST_CAT_DEFAULT gst_wcs_net_watch_debug

static void
ensure_debug_category (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_wcs_net_watch_debug, "wcsnetwatch", 0,
        "WCS network watch and route check");
    g_once_init_leave (&done, 1);
  }
}

struct _GstWcsNetWatch
{
  GMainContext *context;
  guint debounce_ms;
  GstWcsNetWatchFunc func;
  gpointer user_data;

  GNetworkMonitor *monitor;
  gulong monitor_handler;
  gboolean available;           /* last debounced availability */
  gboolean pending;             /* availability waiting for the debounce */
  GSource *debounce;
};

GstWcsNetWatch *
gst_wcs_net_watch_new (GMainContext * context, guint debounce_ms,
    GstWcsNetWatchFunc func, gpointer user_data)
{
  GstWcsNetWatch *watch;

  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  ensure_debug_category ();
  watch = g_new0 (GstWcsNetWatch, 1);
  watch->context = g_main_context_ref (context);
  watch->debounce_ms = debounce_ms;
  watch->func = func;
  watch->user_data = user_data;
  watch->available = TRUE;
  return watch;
}

static void
cancel_debounce (GstWcsNetWatch * watch)
{
  if (watch->debounce) {
    g_source_destroy (watch->debounce);
    g_source_unref (watch->debounce);
    watch->debounce = NULL;
  }
}

void
gst_wcs_net_watch_stop (GstWcsNetWatch * watch)
{
  g_return_if_fail (watch != NULL);

  if (watch->monitor) {
    g_signal_handler_disconnect (watch->monitor, watch->monitor_handler);
    watch->monitor_handler = 0;
    g_clear_object (&watch->monitor);
  }
  cancel_debounce (watch);
}

void
gst_wcs_net_watch_free (GstWcsNetWatch * watch)
{
  if (watch == NULL)
    return;
  gst_wcs_net_watch_stop (watch);
  g_main_context_unref (watch->context);
  g_free (watch);
}

static void
on_monitor_changed (GNetworkMonitor * monitor, gboolean available,
    GstWcsNetWatch * watch)
{
  gst_wcs_net_watch_inject (watch, available);
}

/* A GNetworkMonitor emits in the thread-default context of its creation.
 * The default one lives in whatever context first asked for it (usually
 * the application's default one): make our own, of the default's type,
 * with the watch's context as the thread-default one. */
gboolean
gst_wcs_net_watch_start (GstWcsNetWatch * watch, GError ** error)
{
  GType type;

  g_return_val_if_fail (watch != NULL, FALSE);

  if (watch->monitor)
    return TRUE;
  if (!g_main_context_acquire (watch->context)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
        "the watch's context is run by another thread");
    return FALSE;
  }
  g_main_context_push_thread_default (watch->context);
  type = G_OBJECT_TYPE (g_network_monitor_get_default ());
  watch->monitor = g_initable_new (type, NULL, error, NULL);
  g_main_context_pop_thread_default (watch->context);
  g_main_context_release (watch->context);
  if (!watch->monitor)
    return FALSE;

  watch->available = g_network_monitor_get_network_available (watch->monitor);
  watch->monitor_handler = g_signal_connect (watch->monitor,
      "network-changed", G_CALLBACK (on_monitor_changed), watch);
  GST_DEBUG ("watching the network with a %s (available: %d)",
      g_type_name (type), watch->available);
  return TRUE;
}

static gboolean
debounce_expired (gpointer data)
{
  GstWcsNetWatch *watch = data;
  gboolean was = watch->available;

  /* all state first: the callback may stop or free the watch */
  g_source_unref (watch->debounce);
  watch->debounce = NULL;
  watch->available = watch->pending;
  GST_DEBUG ("network settled, available: %d (was %d)", watch->pending, was);
  watch->func (watch, watch->pending, was, watch->user_data);
  return G_SOURCE_REMOVE;
}

void
gst_wcs_net_watch_inject (GstWcsNetWatch * watch, gboolean available)
{
  g_return_if_fail (watch != NULL);

  GST_LOG ("network changed, available: %d", available);
  watch->pending = available;
  cancel_debounce (watch);
  watch->debounce = g_timeout_source_new (watch->debounce_ms);
  g_source_set_callback (watch->debounce, debounce_expired, watch, NULL);
  g_source_attach (watch->debounce, watch->context);
}

gboolean
gst_wcs_net_watch_get_available (GstWcsNetWatch * watch)
{
  g_return_val_if_fail (watch != NULL, FALSE);

  return watch->available;
}

gchar *
gst_wcs_net_watch_probe_route (const gchar * ip)
{
  GInetAddress *addr;
  GSocketAddress *remote = NULL, *local = NULL;
  GSocket *sock = NULL;
  gchar *ret = NULL;

  addr = ip ? g_inet_address_new_from_string (ip) : NULL;
  if (!addr)
    return NULL;
  sock = g_socket_new (g_inet_address_get_family (addr),
      G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  if (!sock)
    goto out;
  remote = g_inet_socket_address_new (addr, 9);
  if (!g_socket_connect (sock, remote, NULL, NULL))
    goto out;                   /* e.g. ENETUNREACH: no route */
  local = g_socket_get_local_address (sock, NULL);
  if (local && G_IS_INET_SOCKET_ADDRESS (local))
    ret = g_inet_address_to_string (g_inet_socket_address_get_address
        (G_INET_SOCKET_ADDRESS (local)));
out:
  g_clear_object (&local);
  g_clear_object (&remote);
  g_clear_object (&sock);
  g_clear_object (&addr);
  return ret;
}

gboolean
gst_wcs_net_watch_route_changed (const gchar * local, const gchar * remote,
    gchar ** source)
{
  gchar *src = remote ? gst_wcs_net_watch_probe_route (remote) : NULL;
  gboolean changed = !local || !remote || g_strcmp0 (src, local) != 0;

  if (source)
    *source = src;
  else
    g_free (src);
  return changed;
}
