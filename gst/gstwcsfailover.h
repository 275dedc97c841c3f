/* gst-wcs: server failover (docs/restore.md section 10)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Which server the next connect goes to. The list is `location` (index 0,
 * the primary) followed by the `backup-locations`. The restore policy
 * (gstwcsrestore.h) still decides WHEN an attempt runs and bounds the whole
 * outage; this only decides WHERE a connect goes:
 *
 *   - every connect counts as one try on the current server;
 *   - once `tries` connects were made on the current server since it last
 *     carried an active stream (gst_wcs_failover_success()), the next
 *     connect moves to the next server, round robin (after the last backup
 *     comes the primary again);
 *   - a server that works is kept: nothing moves back to the primary by
 *     itself (no flapping). With `failback`, the first connect after a
 *     working period on a backup (i.e. the next outage that needs a
 *     reconnect) goes to the primary first; the round robin goes on from
 *     there if the primary still fails.
 *
 * Plain data, no locking: the owner serialises the calls.
 */
#ifndef __GST_WCS_FAILOVER_H__
#define __GST_WCS_FAILOVER_H__

#include <glib.h>

G_BEGIN_DECLS

/* default of the elements' failover-tries property */
#define GST_WCS_FAILOVER_DEFAULT_TRIES 3

typedef struct _GstWcsFailover GstWcsFailover;

/**
 * gst_wcs_failover_new:
 * @location: the primary server (not %NULL)
 * @backups: (nullable): NULL-terminated backup servers, in order
 * @tries: connects on one server before moving on (0 is taken as 1)
 * @failback: go back to the primary at the first reconnect after a
 *   working period on a backup
 *
 * Returns: (transfer full): a new failover state on the primary
 */
GstWcsFailover *gst_wcs_failover_new (const gchar * location,
    const gchar * const *backups, guint tries, gboolean failback);

void gst_wcs_failover_free (GstWcsFailover * f);

/* Number of servers: 1 + the backups. */
guint gst_wcs_failover_get_n_servers (const GstWcsFailover * f);

/* The server of @index (0: the primary); NULL out of range. transfer none. */
const gchar *gst_wcs_failover_get_server (const GstWcsFailover * f,
    guint index);

/* Index of the current server (the last one connected to, 0 before any). */
guint gst_wcs_failover_get_index (const GstWcsFailover * f);

/**
 * gst_wcs_failover_connect:
 * @f: a #GstWcsFailover
 * @switched: (out) (optional): %TRUE when this connect moves to another
 *   server than the previous one
 *
 * A connect is about to be made: applies the switching rules above, counts
 * the try and records the server as tried.
 *
 * Returns: the index of the server to connect to
 */
guint gst_wcs_failover_connect (GstWcsFailover * f, gboolean * switched);

/* The current server carries an active stream: its tries restart from 0
 * and the list of servers tried is cleared. */
void gst_wcs_failover_success (GstWcsFailover * f);

/* The servers tried since the last success, in list order, credentials
 * masked, joined by ", " ("" before any connect). transfer full. */
gchar *gst_wcs_failover_get_tried (const GstWcsFailover * f);

/* @url with the password of its user-info masked
 * (`wss://user:***@host:8443`), for logs, messages and stats. NULL for
 * NULL. transfer full. */
gchar *gst_wcs_failover_mask_url (const gchar * url);

/* A ws:// or wss:// URL with a host (location, backup-locations). */
gboolean gst_wcs_failover_location_is_valid (const gchar * url);

/* @tries is at least 1 and every one of @backups (NULL-terminated, or NULL)
 * is a valid location; otherwise FALSE with an error (G_IO_ERROR_INVALID
 * _ARGUMENT) naming the property ('failover-tries', 'backup-locations'
 * entry N, credentials masked). */
gboolean gst_wcs_failover_validate (const gchar * const *backups,
    guint tries, GError ** error);

G_END_DECLS

#endif /* __GST_WCS_FAILOVER_H__ */
