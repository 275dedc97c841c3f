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

#include "gstwcsprop.h"

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
