/* gst-wcs: GstWcsElement's backup servers
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * backup-locations, failover-tries and failback (READY-only), kept in priv
 * under GST_OBJECT_LOCK. Every READY->PAUSED makes the run's
 * GstWcsFailover (gst/gstwcsfailover.c) from them and location; the
 * restore logic asks it which server the next connect goes to
 * (gstwcselement-restore.c), and the bus messages and stats name the
 * server in use (wcs_element_get_server(); docs/restore.md section 10).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>

#include "gstwcselement-private.h"

#define DEFAULT_FAILOVER_TRIES      GST_WCS_FAILOVER_DEFAULT_TRIES
#define DEFAULT_FAILBACK            FALSE

enum
{
  FAILOVER_PROP_BACKUP_LOCATIONS,
  FAILOVER_PROP_FAILOVER_TRIES,
  FAILOVER_PROP_FAILBACK,
  FAILOVER_N_PROPS
};

static const GstWcsPropField failover_fields[] = {
  {FAILOVER_PROP_BACKUP_LOCATIONS, G_STRUCT_OFFSET (GstWcsElementPrivate,
          backup_locations)},
  {FAILOVER_PROP_FAILOVER_TRIES, G_STRUCT_OFFSET (GstWcsElementPrivate,
          failover_tries)},
  {FAILOVER_PROP_FAILBACK, G_STRUCT_OFFSET (GstWcsElementPrivate, failback)},
};

static void
failover_install_properties (GObjectClass * klass, guint first_id)
{
  /**
   * GstWcsElement:backup-locations:
   *
   * Other WCS servers (ws:// or wss:// URLs) that serve the same streams,
   * tried in order after `location` when it fails (docs/restore.md
   * section 10). In gst-launch:
   * `backup-locations='<"ws://wcs2:8080", "ws://wcs3:8080">'`.
   */
  g_object_class_install_property (klass,
      first_id + FAILOVER_PROP_BACKUP_LOCATIONS,
      gst_param_spec_array ("backup-locations", "Backup locations",
          "Backup WCS WebSocket URLs (ws:// or wss://), tried in order after "
          "location fails failover-tries times, round robin (empty: none)",
          g_param_spec_string ("backup-location", "Backup location",
              "A WCS WebSocket URL", NULL,
              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:failover-tries:
   *
   * Connects made on one server, since it last carried an active stream,
   * before a restore moves on to the next server of location +
   * backup-locations. Without backup-locations it has no effect.
   */
  g_object_class_install_property (klass,
      first_id + FAILOVER_PROP_FAILOVER_TRIES,
      g_param_spec_uint ("failover-tries", "Failover tries",
          "Failed connects on one server before restoring on the next one "
          "of location + backup-locations (at least 1)", 0, G_MAXUINT,
          DEFAULT_FAILOVER_TRIES, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:failback:
   *
   * FALSE (default): a backup that works is kept, also when location works
   * again (no flapping). TRUE: the first reconnect after a working period
   * on a backup goes to location first.
   */
  g_object_class_install_property (klass, first_id + FAILOVER_PROP_FAILBACK,
      g_param_spec_boolean ("failback", "Failback",
          "Reconnect to location first in the next outage after working on "
          "a backup (FALSE: stay on the server that works)", DEFAULT_FAILBACK,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

G_STATIC_ASSERT (G_N_ELEMENTS (failover_fields) == FAILOVER_N_PROPS);

const WcsElementPropGroup wcs_element_failover_props = {
  failover_install_properties, failover_fields,
  G_N_ELEMENTS (failover_fields)
};

GstWcsFailover *
wcs_element_failover_new (GstWcsElement * self, const gchar * location)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GstWcsFailover *failover;

  GST_OBJECT_LOCK (self);
  failover = gst_wcs_failover_new (location, (const gchar * const *)
      priv->backup_locations, priv->failover_tries, priv->failback);
  GST_OBJECT_UNLOCK (self);
  return failover;
}

gchar *
wcs_element_get_server (GstWcsElement * self, guint * index)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *s = NULL;
  guint i = 0;

  g_mutex_lock (&priv->lock);
  if (priv->failover) {
    i = gst_wcs_failover_get_index (priv->failover);
    s = gst_wcs_failover_mask_url (gst_wcs_failover_get_server
        (priv->failover, i));
  }
  g_mutex_unlock (&priv->lock);
  if (!s) {                     /* before the first start: location */
    gchar *location = wcs_element_get_location (self);

    s = gst_wcs_failover_mask_url (location);
    g_free (location);
  }
  if (index)
    *index = i;
  return s ? s : g_strdup ("");
}

gchar *
wcs_element_get_servers_tried (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *s = NULL;

  g_mutex_lock (&priv->lock);
  if (priv->failover && gst_wcs_failover_get_n_servers (priv->failover) > 1)
    s = gst_wcs_failover_get_tried (priv->failover);
  g_mutex_unlock (&priv->lock);
  return s;
}

void
wcs_element_failover_init (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  priv->failover_tries = DEFAULT_FAILOVER_TRIES;
  priv->failback = DEFAULT_FAILBACK;
}

void
wcs_element_failover_finalize (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  g_strfreev (priv->backup_locations);
  gst_wcs_failover_free (priv->failover);
}
