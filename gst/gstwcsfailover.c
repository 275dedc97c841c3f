/* gst-wcs: server failover
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See gstwcsfailover.h for the rules.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gio/gio.h>

#include "gstwcsfailover.h"
#include "gstwcspeer.h"

struct _GstWcsFailover
{
  GPtrArray *servers;           /* gchar *, [0] the primary */
  guint tries;                  /* connects per server before moving on */
  gboolean failback;

  guint index;                  /* current server */
  guint count;                  /* connects on it since it last worked */
  gboolean worked;              /* success() since the last connect */
  gboolean *tried;              /* per server: tried since the last success */
};

GstWcsFailover *
gst_wcs_failover_new (const gchar * location, const gchar * const *backups,
    guint tries, gboolean failback)
{
  GstWcsFailover *f;
  guint i;

  g_return_val_if_fail (location != NULL, NULL);

  f = g_new0 (GstWcsFailover, 1);
  f->servers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (f->servers, g_strdup (location));
  for (i = 0; backups && backups[i]; i++)
    g_ptr_array_add (f->servers, g_strdup (backups[i]));
  f->tries = MAX (tries, 1);
  f->failback = failback;
  f->tried = g_new0 (gboolean, f->servers->len);
  return f;
}

void
gst_wcs_failover_free (GstWcsFailover * f)
{
  if (!f)
    return;
  g_ptr_array_unref (f->servers);
  g_free (f->tried);
  g_free (f);
}

guint
gst_wcs_failover_get_n_servers (const GstWcsFailover * f)
{
  g_return_val_if_fail (f != NULL, 0);
  return f->servers->len;
}

const gchar *
gst_wcs_failover_get_server (const GstWcsFailover * f, guint index)
{
  g_return_val_if_fail (f != NULL, NULL);
  if (index >= f->servers->len)
    return NULL;
  return g_ptr_array_index (f->servers, index);
}

guint
gst_wcs_failover_get_index (const GstWcsFailover * f)
{
  g_return_val_if_fail (f != NULL, 0);
  return f->index;
}

guint
gst_wcs_failover_connect (GstWcsFailover * f, gboolean * switched)
{
  guint old;

  g_return_val_if_fail (f != NULL, 0);

  old = f->index;
  if (f->failback && f->worked && f->index != 0) {
    f->index = 0;
    f->count = 0;
  } else if (f->count >= f->tries && f->servers->len > 1) {
    f->index = (f->index + 1) % f->servers->len;
    f->count = 0;
  }
  f->worked = FALSE;
  f->count++;
  f->tried[f->index] = TRUE;
  if (switched)
    *switched = f->index != old;
  return f->index;
}

void
gst_wcs_failover_success (GstWcsFailover * f)
{
  g_return_if_fail (f != NULL);

  f->count = 0;
  f->worked = TRUE;
  memset (f->tried, 0, sizeof (gboolean) * f->servers->len);
}

gchar *
gst_wcs_failover_get_tried (const GstWcsFailover * f)
{
  GString *s;
  guint i;

  g_return_val_if_fail (f != NULL, NULL);

  s = g_string_new (NULL);
  for (i = 0; i < f->servers->len; i++) {
    gchar *m;

    if (!f->tried[i])
      continue;
    m = gst_wcs_failover_mask_url (g_ptr_array_index (f->servers, i));
    g_string_append_printf (s, "%s%s", s->len ? ", " : "", m);
    g_free (m);
  }
  return g_string_free (s, FALSE);
}

gchar *
gst_wcs_failover_mask_url (const gchar * url)
{
  /* same rule as the TURN URIs: the password of the user-info */
  return gst_wcs_ice_uri_mask (url);
}

gboolean
gst_wcs_failover_location_is_valid (const gchar * url)
{
  GUri *uri;
  gboolean ok = FALSE;

  if (!url)
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri) {
    const gchar *scheme = g_uri_get_scheme (uri);
    const gchar *host = g_uri_get_host (uri);

    ok = (g_ascii_strcasecmp (scheme, "ws") == 0 ||
        g_ascii_strcasecmp (scheme, "wss") == 0) && host && *host;
    g_uri_unref (uri);
  }
  return ok;
}

gboolean
gst_wcs_failover_validate (const gchar * const *backups, guint tries,
    GError ** error)
{
  guint i;

  if (tries == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "The 'failover-tries' property must be at least 1");
    return FALSE;
  }
  for (i = 0; backups && backups[i]; i++) {
    if (!gst_wcs_failover_location_is_valid (backups[i])) {
      gchar *masked = gst_wcs_failover_mask_url (backups[i]);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "Invalid 'backup-locations' entry %u \"%s\": expected a ws:// or "
          "wss:// URL with a host", i + 1, masked);
      g_free (masked);
      return FALSE;
    }
  }
  return TRUE;
}
