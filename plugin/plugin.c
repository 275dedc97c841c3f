/* gst-wcs: plugin registration
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstwcselements.h"
#include "gstwcsprocess.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  /* before the first webrtcbin initialises OpenSSL: no exit handler
   * (gst/gstwcsprocess.c) */
  gst_wcs_process_init ();

  ret |= GST_ELEMENT_REGISTER (wcspublishsink, plugin);
  ret |= GST_ELEMENT_REGISTER (wcsplaysrc, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR,
    GST_VERSION_MINOR,
    wcs,
    "Flashphoner Web Call Server (WCS) WebRTC publish and play elements",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
