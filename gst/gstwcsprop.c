/* gst-wcs: GObject properties kept in struct fields, through a table
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The set_property / get_property of the session and the elements: one
 * table entry per plain configuration property instead of a switch case
 * each; what follows from a new value (defaults for NULL, side effects)
 * stays with the caller.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstwcsprop.h"

/* a GstValueArray of strings into a NULL-terminated array (other entries
 * and NULL strings skipped) */
static gchar **
strv_from_array (const GValue * value)
{
  guint i, n = gst_value_array_get_size (value);
  GPtrArray *strv = g_ptr_array_new ();

  for (i = 0; i < n; i++) {
    const GValue *v = gst_value_array_get_value (value, i);

    if (G_VALUE_HOLDS_STRING (v) && g_value_get_string (v))
      g_ptr_array_add (strv, g_value_dup_string (v));
  }
  g_ptr_array_add (strv, NULL);
  return (gchar **) g_ptr_array_free (strv, FALSE);
}

static void
strv_to_array (gchar * const *strv, GValue * value)
{
  guint i;

  for (i = 0; strv && strv[i]; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, strv[i]);
    gst_value_array_append_and_take_value (value, &v);
  }
}

static const GstWcsPropField *
prop_field_find (const GstWcsPropField * fields, guint n_fields,
    guint prop_id)
{
  guint i;

  for (i = 0; i < n_fields; i++)
    if (fields[i].prop_id == prop_id)
      return &fields[i];
  return NULL;
}

gboolean
gst_wcs_prop_field_set (gpointer base, const GstWcsPropField * fields,
    guint n_fields, guint prop_id, const GValue * value)
{
  const GstWcsPropField *f = prop_field_find (fields, n_fields, prop_id);
  gpointer field;

  if (!f)
    return FALSE;
  field = G_STRUCT_MEMBER_P (base, f->offset);
  if (G_VALUE_TYPE (value) == GST_TYPE_ARRAY) {
    g_strfreev (*(gchar ***) field);
    *(gchar ***) field = strv_from_array (value);
    return TRUE;
  }
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value))) {
    case G_TYPE_BOOLEAN:
      *(gboolean *) field = g_value_get_boolean (value);
      return TRUE;
    case G_TYPE_UINT:
      *(guint *) field = g_value_get_uint (value);
      return TRUE;
    case G_TYPE_ENUM:
      *(gint *) field = g_value_get_enum (value);
      return TRUE;
    case G_TYPE_FLAGS:
      *(guint *) field = g_value_get_flags (value);
      return TRUE;
    case G_TYPE_OBJECT:
      g_clear_object ((GObject **) field);
      *(gpointer *) field = g_value_dup_object (value);
      return TRUE;
    case G_TYPE_STRING:
      g_free (*(gchar **) field);
      *(gchar **) field = g_value_dup_string (value);
      return TRUE;
    case G_TYPE_BOXED:
      if (*(gpointer *) field)
        g_boxed_free (G_VALUE_TYPE (value), *(gpointer *) field);
      *(gpointer *) field = g_value_dup_boxed (value);
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
  }
}

gboolean
gst_wcs_prop_field_get (gconstpointer base, const GstWcsPropField * fields,
    guint n_fields, guint prop_id, GValue * value)
{
  const GstWcsPropField *f = prop_field_find (fields, n_fields, prop_id);
  gconstpointer field;

  if (!f)
    return FALSE;
  field = G_STRUCT_MEMBER_P (base, f->offset);
  if (G_VALUE_TYPE (value) == GST_TYPE_ARRAY) {
    strv_to_array (*(gchar ** const *) field, value);
    return TRUE;
  }
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value))) {
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, *(const gboolean *) field);
      return TRUE;
    case G_TYPE_UINT:
      g_value_set_uint (value, *(const guint *) field);
      return TRUE;
    case G_TYPE_ENUM:
      g_value_set_enum (value, *(const gint *) field);
      return TRUE;
    case G_TYPE_FLAGS:
      g_value_set_flags (value, *(const guint *) field);
      return TRUE;
    case G_TYPE_OBJECT:
      g_value_set_object (value, *(gpointer const *) field);
      return TRUE;
    case G_TYPE_STRING:
      g_value_set_string (value, *(gchar * const *) field);
      return TRUE;
    case G_TYPE_BOXED:
      g_value_set_boxed (value, *(gconstpointer const *) field);
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
  }
}
