/* gst-wcs: wcs-relay logging shared by the relay's files
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything goes to the GStreamer debug category "wcsrelay". On top of that
 * warnings and errors always go to stderr (one line each), and with
 * --verbose the INFO lines (one per connection / stream event) do too.
 */
#ifndef __RELAY_LOG_H__
#define __RELAY_LOG_H__

#include <gst/gst.h>

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (wcs_relay_debug);

extern gboolean relay_log_verbose;

void relay_log_init (gboolean verbose);
void relay_log_stderr (const gchar * level, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

#define RELAY_INFO(...) G_STMT_START {                                  \
    GST_CAT_INFO (wcs_relay_debug, __VA_ARGS__);                        \
    if (relay_log_verbose)                                              \
      relay_log_stderr ("info", __VA_ARGS__);                           \
  } G_STMT_END

#define RELAY_WARN(...) G_STMT_START {                                  \
    GST_CAT_WARNING (wcs_relay_debug, __VA_ARGS__);                     \
    relay_log_stderr ("warning", __VA_ARGS__);                          \
  } G_STMT_END

#define RELAY_ERROR(...) G_STMT_START {                                 \
    GST_CAT_ERROR (wcs_relay_debug, __VA_ARGS__);                       \
    relay_log_stderr ("error", __VA_ARGS__);                            \
  } G_STMT_END

#define RELAY_DEBUG(...) GST_CAT_DEBUG (wcs_relay_debug, __VA_ARGS__)

G_END_DECLS

#endif /* __RELAY_LOG_H__ */
