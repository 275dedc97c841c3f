/* gst-wcs: process-wide settings every process that runs webrtcbin needs
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WCS_PROCESS_H__
#define __GST_WCS_PROCESS_H__

#include <glib.h>

G_BEGIN_DECLS

void gst_wcs_process_init (void);

G_END_DECLS

#endif /* __GST_WCS_PROCESS_H__ */
