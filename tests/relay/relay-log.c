/* gst-wcs: wcs-relay logging (see relay-log.h)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "relay-log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

GST_DEBUG_CATEGORY (wcs_relay_debug);

gboolean relay_log_verbose = FALSE;

void
relay_log_init (gboolean verbose)
{
  if (!wcs_relay_debug)
    GST_DEBUG_CATEGORY_INIT (wcs_relay_debug, "wcsrelay", 0,
        "WCS-compatible relay server");
  relay_log_verbose = verbose;
}

void
relay_log_stderr (const gchar * level, const gchar * format, ...)
{
  va_list args;
  gchar *text;
  GDateTime *now = g_date_time_new_now_local ();
  gchar *stamp = g_date_time_format (now, "%H:%M:%S.%f");

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  /* %f gives microseconds: keep milliseconds */
  if (stamp && strlen (stamp) > 12)
    stamp[12] = '\0';
  fprintf (stderr, "%s wcs-relay[%d] %s: %s\n", stamp ? stamp : "",
      (int) getpid (), level, text);
  fflush (stderr);

  g_free (text);
  g_free (stamp);
  g_date_time_unref (now);
}
