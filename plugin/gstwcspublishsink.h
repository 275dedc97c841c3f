/* gst-wcs: wcspublishsink, publish to a Flashphoner WCS over WebRTC
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WCS_PUBLISH_SINK_H__
#define __GST_WCS_PUBLISH_SINK_H__

#include "gstwcselement.h"

G_BEGIN_DECLS

#define GST_TYPE_WCS_PUBLISH_SINK (gst_wcs_publish_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstWcsPublishSink, gst_wcs_publish_sink, GST,
    WCS_PUBLISH_SINK, GstWcsElement)

G_END_DECLS

#endif /* __GST_WCS_PUBLISH_SINK_H__ */
