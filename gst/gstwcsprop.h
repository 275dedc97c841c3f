/* gst-wcs: GObject properties kept in struct fields, through a table
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WCS_PROP_H__
#define __GST_WCS_PROP_H__

#include <glib-object.h>

G_BEGIN_DECLS

/* Plain configuration properties, stored in a struct field each: a table
 * maps the property id to the field's offset, and the field's type is the
 * property's (gboolean, guint, an enum, flags (guint), gchar * (owned),
 * boxed (owned), a GObject (a reference)), or gchar ** (owned,
 * NULL-terminated) for a GstValueArray of strings (gst_param_spec_array).
 * set / get return FALSE when @prop_id is not in the table. The caller
 * holds whatever lock guards the fields. */
typedef struct
{
  guint prop_id;
  gsize offset;
} GstWcsPropField;

gboolean gst_wcs_prop_field_set (gpointer base, const GstWcsPropField * fields,
    guint n_fields, guint prop_id, const GValue * value);
gboolean gst_wcs_prop_field_get (gconstpointer base,
    const GstWcsPropField * fields, guint n_fields, guint prop_id,
    GValue * value);

G_END_DECLS

#endif /* __GST_WCS_PROP_H__ */
