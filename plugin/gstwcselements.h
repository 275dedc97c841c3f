/* gst-wcs: element registration declarations
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WCS_ELEMENTS_H__
#define __GST_WCS_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* One-time plugin-wide init (debug categories, enum types marked as plugin
 * API); every GST_ELEMENT_REGISTER_DEFINE_CUSTOM of this plugin calls it. */
void wcs_element_init (GstPlugin * plugin);

GST_ELEMENT_REGISTER_DECLARE (wcspublishsink);
GST_ELEMENT_REGISTER_DECLARE (wcsplaysrc);

G_END_DECLS

#endif /* __GST_WCS_ELEMENTS_H__ */
