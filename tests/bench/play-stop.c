/* gst-wcs: play-stop, a stress run by hand (see tests/bench/README.md)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   play-stop [ITERATIONS]   (WCS_RELAY must point at wcs-relay)
 *
 * A relay on a free port, a publisher (gst-launch-1.0 child), then over and
 * over: a wcsplaysrc pipeline set to PLAYING, to NULL after a random 0-40 ms
 * and dropped; after each, every webrtcbin ICE agent ("webrtc:ice" thread)
 * must be gone within 10 s. It found the webrtcbin kept by an unanswered
 * promise (docs/reliability.md) within a few hundred iterations beside a
 * CPU hog; run it with GST_TRACERS=leaks to see what is alive.
 * Exit status 0: none left; 3: one was left (the leaks tracer, if on, reports
 * at exit); 1: setup failed. The tracers are this process's only (unset for
 * the relay and the publisher). PLAY_STOP_HOLD=SECONDS: on a failure, print
 * the pid and wait that long before exiting (to attach gdb).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gst/gst.h>

#include "wcstestutil.h"

int
main (int argc, char **argv)
{
  gint iterations, i, ret = 0;
  WcsTestRelay *relay;
  gchar *cmd, **av = NULL;
  GPid pub = 0;

  gst_init (&argc, &argv);
  /* tracers are for this process: the relay and the publisher are not under
   * study (a stack-tracing leaks tracer slows them down past their waits) */
  g_unsetenv ("GST_TRACERS");
  g_unsetenv ("GST_DEBUG_FILE");
  iterations = argc > 1 ? atoi (argv[1]) : 1000;
  if (!g_getenv ("WCS_RELAY")) {
    g_printerr ("set WCS_RELAY\n");
    return 1;
  }
  relay = wcs_test_relay_start (0, NULL);
  if (!relay)
    return 1;
  cmd = g_strdup_printf ("gst-launch-1.0 -q wcspublishsink name=pub "
      "location=%s stream-name=ps check-bitrate=false videotestsrc "
      "is-live=true ! video/x-raw,width=320,height=240,framerate=15/1 ! "
      "pub.video", relay->url);
  if (!g_shell_parse_argv (cmd, NULL, &av, NULL)
      || !g_spawn_async (NULL, av, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &pub,
          NULL)
      || !wcs_test_relay_wait_stream (relay, "ps", "PUBLISHING", NULL, 30000)) {
    g_printerr ("no publisher\n");
    ret = 1;
    goto done;
  }

  for (i = 0; i < iterations; i++) {
    gint delay = g_random_int_range (0, 40);
    gchar *desc = g_strdup_printf ("wcsplaysrc location=%s stream-name=ps "
        "! fakesink async=false", relay->url);
    GstElement *p = gst_parse_launch (desc, NULL);

    g_free (desc);
    gst_element_set_state (p, GST_STATE_PLAYING);
    g_usleep (delay * 1000);
    gst_element_set_state (p, GST_STATE_NULL);
    gst_object_unref (p);
    if (!wcs_test_wait_webrtcbins_at_most (0, 10000)) {
      gboolean later = wcs_test_wait_webrtcbins_at_most (0, 20000);

      g_print ("iteration %d (NULL %d ms after PLAYING): an ICE agent is "
          "alive 10 s later, %s\n", i, delay, later ? "gone 20 s later" :
          "still alive 30 s later");
      ret = 3;
      if (g_getenv ("PLAY_STOP_HOLD")) {
        g_print ("holding pid %d\n", (gint) getpid ());
        g_usleep (G_USEC_PER_SEC * atoi (g_getenv ("PLAY_STOP_HOLD")));
      }
      break;
    }
    if (i % 100 == 0)
      g_print ("iteration %d ok\n", i);
  }

done:
  if (pub > 0) {
    kill (pub, SIGKILL);
    g_spawn_close_pid (pub);
  }
  g_strfreev (av);
  g_free (cmd);
  wcs_test_relay_free (relay);
  gst_deinit ();
  return ret;
}
