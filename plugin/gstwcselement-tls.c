/* gst-wcs: GstWcsElement's TLS properties
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * ssl-ca-file, ssl-use-system-ca-file, tls-database, tls-interaction and
 * tls-validation-flags (READY-only), kept in priv under GST_OBJECT_LOCK.
 * At every READY->PAUSED the CA file is read and checked
 * (wcs_element_tls_load_ca_file()) and the run's session gets them all
 * (wcs_element_tls_configure_session()); the session verifies the wss://
 * server with them (gst/gstwcssession.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>

#include "gstwcselement-private.h"

GST_DEBUG_CATEGORY_EXTERN (gst_wcs_element_debug);
#define GST_CAT_DEFAULT gst_wcs_element_debug

#define DEFAULT_SSL_CA_FILE         NULL
#define DEFAULT_SSL_USE_SYSTEM_CA_FILE TRUE
#define DEFAULT_TLS_VALIDATION_FLAGS G_TLS_CERTIFICATE_VALIDATE_ALL

enum
{
  TLS_PROP_SSL_CA_FILE,
  TLS_PROP_SSL_USE_SYSTEM_CA_FILE,
  TLS_PROP_TLS_DATABASE,
  TLS_PROP_TLS_INTERACTION,
  TLS_PROP_TLS_VALIDATION_FLAGS,
  TLS_N_PROPS
};

static const GstWcsPropField tls_fields[] = {
  {TLS_PROP_SSL_CA_FILE, G_STRUCT_OFFSET (GstWcsElementPrivate, ssl_ca_file)},
  {TLS_PROP_SSL_USE_SYSTEM_CA_FILE, G_STRUCT_OFFSET (GstWcsElementPrivate,
          ssl_use_system_ca_file)},
  {TLS_PROP_TLS_DATABASE, G_STRUCT_OFFSET (GstWcsElementPrivate,
          tls_database)},
  {TLS_PROP_TLS_INTERACTION, G_STRUCT_OFFSET (GstWcsElementPrivate,
          tls_interaction)},
  {TLS_PROP_TLS_VALIDATION_FLAGS, G_STRUCT_OFFSET (GstWcsElementPrivate,
          tls_validation_flags)},
};

static void
tls_install_properties (GObjectClass * klass, guint first_id)
{
  /**
   * GstWcsElement:ssl-ca-file:
   *
   * A PEM file of CA certificates that verify a `wss://` server, instead of
   * the system's (a WCS with an in-house certificate). Read at every
   * READY->PAUSED; a file that cannot be read or holds no certificate fails
   * that state change with an ERROR naming this property. Ignored when
   * #GstWcsElement:tls-database is set.
   */
  g_object_class_install_property (klass, first_id + TLS_PROP_SSL_CA_FILE,
      g_param_spec_string ("ssl-ca-file", "SSL CA file",
          "PEM file of the CA certificates that verify a wss:// server, "
          "instead of the system's (NULL: none)", DEFAULT_SSL_CA_FILE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:ssl-use-system-ca-file:
   *
   * Without #GstWcsElement:ssl-ca-file and #GstWcsElement:tls-database,
   * verify `wss://` servers with the system's CA certificates. FALSE: no CA
   * at all, every certificate is of an unknown CA (only
   * #GstWcsElement:tls-validation-flags without `unknown-ca` then
   * connects).
   */
  g_object_class_install_property (klass,
      first_id + TLS_PROP_SSL_USE_SYSTEM_CA_FILE,
      g_param_spec_boolean ("ssl-use-system-ca-file", "Use system CA file",
          "Without ssl-ca-file and tls-database: trust the system's CA "
          "certificates (FALSE: no CA at all)",
          DEFAULT_SSL_USE_SYSTEM_CA_FILE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:tls-database:
   *
   * The #GTlsDatabase that verifies `wss://` servers; wins over
   * #GstWcsElement:ssl-ca-file and the system's CAs.
   */
  g_object_class_install_property (klass, first_id + TLS_PROP_TLS_DATABASE,
      g_param_spec_object ("tls-database", "TLS database",
          "GTlsDatabase that verifies a wss:// server (wins over "
          "ssl-ca-file and the system's CAs)", G_TYPE_TLS_DATABASE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:tls-interaction:
   *
   * A #GTlsInteraction asked for a client certificate or a password when
   * the server wants one.
   */
  g_object_class_install_property (klass, first_id + TLS_PROP_TLS_INTERACTION,
      g_param_spec_object ("tls-interaction", "TLS interaction",
          "GTlsInteraction asked for a client certificate or a password "
          "when the server wants one", G_TYPE_TLS_INTERACTION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstWcsElement:tls-validation-flags:
   *
   * The certificate problems that refuse a `wss://` server. A server whose
   * certificate has a problem in these flags fails at once with an ERROR
   * (RESOURCE, OPEN_READ_WRITE) naming it, never retried; problems outside
   * them are accepted (with a warning in the debug log). E.g.
   * `tls-validation-flags="bad-identity+not-activated+expired+revoked+insecure+generic-error"`
   * accepts a certificate of an unknown CA (prefer #GstWcsElement:ssl-ca-file).
   */
  g_object_class_install_property (klass,
      first_id + TLS_PROP_TLS_VALIDATION_FLAGS,
      g_param_spec_flags ("tls-validation-flags", "TLS validation flags",
          "Certificate problems that refuse a wss:// server",
          G_TYPE_TLS_CERTIFICATE_FLAGS, DEFAULT_TLS_VALIDATION_FLAGS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

G_STATIC_ASSERT (G_N_ELEMENTS (tls_fields) == TLS_N_PROPS);

const WcsElementPropGroup wcs_element_tls_props = {
  tls_install_properties, tls_fields, G_N_ELEMENTS (tls_fields)
};

gboolean
wcs_element_tls_load_ca_file (GstWcsElement * self, GTlsDatabase ** db)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  gchar *path, *contents = NULL;
  gboolean have_db;
  GError *err = NULL;

  *db = NULL;
  GST_OBJECT_LOCK (self);
  path = g_strdup (priv->ssl_ca_file);
  have_db = priv->tls_database != NULL;
  GST_OBJECT_UNLOCK (self);

  if (!path || !*path || have_db) {
    if (path && *path)
      GST_INFO_OBJECT (self, "tls-database is set: 'ssl-ca-file' is not used");
    g_free (path);
    return TRUE;
  }

  if (!g_file_get_contents (path, &contents, NULL, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not read the 'ssl-ca-file' \"%s\": %s", path, err->message),
        (NULL));
    goto fail;
  }
  g_free (contents);
  *db = g_tls_file_database_new (path, &err);
  if (*db == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid 'ssl-ca-file' \"%s\": %s (expected PEM CA certificates)",
            path, err ? err->message : "unknown error"), (NULL));
    goto fail;
  }
  GST_INFO_OBJECT (self, "trusting the CA certificates of %s", path);
  g_free (path);
  return TRUE;

fail:
  g_clear_error (&err);
  g_free (path);
  return FALSE;
}

void
wcs_element_tls_configure_session (GstWcsElement * self,
    GstWcsSession * session, GTlsDatabase * ca_db)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);
  GTlsDatabase *database;
  GTlsInteraction *interaction;
  GTlsCertificateFlags flags;
  gboolean use_system;

  GST_OBJECT_LOCK (self);
  /* tls-database wins over ssl-ca-file (ca_db), which replaces the
   * system's CAs */
  database = priv->tls_database ? g_object_ref (priv->tls_database) :
      ca_db ? g_object_ref (ca_db) : NULL;
  use_system = priv->ssl_use_system_ca_file;
  interaction = priv->tls_interaction ?
      g_object_ref (priv->tls_interaction) : NULL;
  flags = priv->tls_validation_flags;
  GST_OBJECT_UNLOCK (self);

  g_object_set (session, "tls-database", database,
      "tls-use-system-database", use_system, "tls-validation-flags", flags,
      "tls-interaction", interaction, NULL);
  g_clear_object (&database);
  g_clear_object (&interaction);
}

void
wcs_element_tls_init (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  priv->ssl_ca_file = g_strdup (DEFAULT_SSL_CA_FILE);
  priv->ssl_use_system_ca_file = DEFAULT_SSL_USE_SYSTEM_CA_FILE;
  priv->tls_validation_flags = DEFAULT_TLS_VALIDATION_FLAGS;
}

void
wcs_element_tls_finalize (GstWcsElement * self)
{
  GstWcsElementPrivate *priv = GET_PRIV (self);

  g_free (priv->ssl_ca_file);
  g_clear_object (&priv->tls_database);
  g_clear_object (&priv->tls_interaction);
}
