/* gst-wcs: debounced network watch and route check (docs/restore.md 9)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstWcsNetWatch owns a private GNetworkMonitor (of the type of
 * g_network_monitor_get_default()) created for a given GMainContext, so its
 * signals are handled by whoever runs that context (an element's own thread)
 * and not by the application's default context, which an application that
 * only pops the bus never runs. The monitor fires once per address or route
 * change and a real switch is a burst: every change restarts a debounce
 * timer, and only when it expires is the owner told, once, with the last
 * reported availability and the one told before.
 *
 * gst_wcs_net_watch_route_changed() is the route check the owner applies to
 * its connection: does the kernel still reach the remote address from the
 * connection's local address?
 *
 * Threading: a watch belongs to the thread that runs its context. Call
 * everything but gst_wcs_net_watch_new() and the route helpers from that
 * thread (or while nobody runs the context); the callback is called from
 * it. The route helpers are plain functions, callable from any thread.
 */
#ifndef __GST_WCS_NET_WATCH_H__
#define __GST_WCS_NET_WATCH_H__

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * GstWcsNetWatch:
 *
 * Opaque.
 */
typedef struct _GstWcsNetWatch GstWcsNetWatch;

/**
 * GstWcsNetWatchFunc:
 * @watch: the watch
 * @available: the availability reported last, at the end of the burst
 * @was_available: the availability given to the previous call (or read
 *   from the monitor at start, %TRUE before any)
 * @user_data: the user data given to gst_wcs_net_watch_new()
 *
 * Called on the watch's context once a burst of changes has settled (no
 * change for the debounce). Every burst is reported, also one that ends
 * where it began. The callback may stop or free the watch.
 */
typedef void (*GstWcsNetWatchFunc) (GstWcsNetWatch * watch,
    gboolean available, gboolean was_available, gpointer user_data);

/**
 * gst_wcs_net_watch_new:
 * @context: the context the monitor's signals and the debounce run on
 * @debounce_ms: how long the network must stay quiet before a report
 * @func: called after each debounced burst
 * @user_data: for @func
 *
 * Watches nothing until gst_wcs_net_watch_start() (a test can feed changes
 * with gst_wcs_net_watch_inject() without it).
 *
 * Returns: (transfer full): a new watch, free with gst_wcs_net_watch_free()
 */
GstWcsNetWatch *gst_wcs_net_watch_new (GMainContext * context,
    guint debounce_ms, GstWcsNetWatchFunc func, gpointer user_data);

/**
 * gst_wcs_net_watch_free:
 * @watch: (nullable): a watch
 *
 * Stops it (gst_wcs_net_watch_stop()) and frees it.
 */
void gst_wcs_net_watch_free (GstWcsNetWatch * watch);

/**
 * gst_wcs_net_watch_start:
 * @watch: a watch
 * @error: where to put why there is no monitor
 *
 * Creates the private monitor with the watch's context as the thread-default
 * one and reads its current availability. Idempotent. Fails if the context
 * is run by another thread, or if no monitor can be made.
 *
 * Returns: %TRUE if the network is watched
 */
gboolean gst_wcs_net_watch_start (GstWcsNetWatch * watch, GError ** error);

/**
 * gst_wcs_net_watch_stop:
 * @watch: a watch
 *
 * Drops the monitor and a pending debounce (nothing more is reported).
 * Idempotent; the watch can be started again.
 */
void gst_wcs_net_watch_stop (GstWcsNetWatch * watch);

/**
 * gst_wcs_net_watch_inject:
 * @watch: a watch
 * @available: the availability the change reports
 *
 * One raw change, as the monitor's `network-changed` reports it (the
 * monitor's handler calls this): (re)starts the debounce. Also the test
 * hook that simulates changes without a real monitor.
 */
void gst_wcs_net_watch_inject (GstWcsNetWatch * watch, gboolean available);

/**
 * gst_wcs_net_watch_get_available:
 * @watch: a watch
 *
 * Returns: the last debounced availability (see #GstWcsNetWatchFunc)
 */
gboolean gst_wcs_net_watch_get_available (GstWcsNetWatch * watch);

/**
 * gst_wcs_net_watch_probe_route:
 * @ip: (nullable): a literal IPv4 or IPv6 address
 *
 * Asks the kernel which local address it would use now to reach @ip: a UDP
 * socket is connected to it, nothing is sent. Host names are not resolved.
 *
 * Returns: (transfer full) (nullable): that local address, %NULL if @ip is
 *   not a literal address or there is no route to it
 */
gchar *gst_wcs_net_watch_probe_route (const gchar * ip);

/**
 * gst_wcs_net_watch_route_changed:
 * @local: (nullable): the connection's local address
 * @remote: (nullable): the connection's remote address
 * @source: (out) (optional) (transfer full) (nullable): the local address
 *   the route to @remote leaves from now (gst_wcs_net_watch_probe_route()),
 *   for logging
 *
 * The route check: is the path of a connection from @local to @remote
 * broken? It is when the route to @remote now leaves from another local
 * address, or there is no route, or either address is unknown (%NULL) or
 * not a literal address (nothing can be told then).
 *
 * Returns: %TRUE if the route changed (or cannot be checked)
 */
gboolean gst_wcs_net_watch_route_changed (const gchar * local,
    const gchar * remote, gchar ** source);

G_END_DECLS

#endif /* __GST_WCS_NET_WATCH_H__ */
