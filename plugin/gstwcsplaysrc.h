/* gst-wcs: wcsplaysrc, plays a stream from a Flashphoner WCS over WebRTC
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WCS_PLAY_SRC_H__
#define __GST_WCS_PLAY_SRC_H__

#include <gst/gst.h>
#include "gstwcselement.h"

G_BEGIN_DECLS

#define GST_TYPE_WCS_PLAY_SRC (gst_wcs_play_src_get_type ())
G_DECLARE_FINAL_TYPE (GstWcsPlaySrc, gst_wcs_play_src, GST, WCS_PLAY_SRC,
    GstWcsElement)

G_END_DECLS

#endif /* __GST_WCS_PLAY_SRC_H__ */
