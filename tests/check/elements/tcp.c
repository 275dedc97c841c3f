/* gst-wcs: WebRTC media over TCP (transport=tcp) where UDP is dropped
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The test builds a network namespace NS joined to the root namespace by
 * one veth pair on 10.214.N.0/30 (N derived from the pid); nothing is
 * routed anywhere else. Inside NS an nftables table drops every UDP packet,
 * in and out, as a network that only lets TCP through. The relay runs in
 * the root namespace on the host side of the pair (10.214.N.1), with its
 * ICE host candidates on that address only. Publisher and player are
 * gst-launch-1.0 children running INSIDE NS (ip netns exec); -m tells what
 * the elements post, -v the player's fakesink last-message per buffer.
 *
 *  - test_tcp_media: transport=tcp on both: the relay sees transport TCP,
 *    answers with ICE-TCP candidates only, the publisher's video reaches
 *    the relay (its frame and byte counters grow) and the player's
 *    fakesink gets buffers: media flows with UDP dropped.
 *  - test_udp_blocked: transport=udp, restore-max-tries=1: the stream
 *    never carries media (the relay counts no frame for the whole bound)
 *    and the publisher gives up (wcs-restore gave-up, then its ERROR)
 *    once its restore try is spent.
 *
 * Needs root (ip netns add) and nft; without them the suite says so and
 * skips (exit 77). The namespace and the veth are deleted at the end of
 * each test and again by an unchecked fixture in the parent process. Every
 * wait is bounded.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <stdio.h>
#include <sys/wait.h>

#include <gst/check/gstcheck.h>

#include "wcstestutil.h"

#define NFT "/usr/sbin/nft"
#define PUBLISH_WAIT_MS 45000
#define FRAMES_WAIT_MS 30000
/* transport=udp with UDP dropped: ICE fails (libnice gives up after its
 * checks), the relay reports the failure, one restore try fails the same
 * way, then the ERROR */
#define UDP_FAIL_WAIT_MS 120000
/* -m prints element messages on stdout (the ERROR itself goes to stderr):
 * the element posts this right before its ERROR */
#define GAVE_UP "wcs-restore, phase=(string)gave-up"

static struct
{
  gchar ns[32];
  gchar host_if[16], ns_if[16];
  gchar host_addr[24], ns_addr[24];
} topo;

static void
topo_names (void)
{
  guint pid = (guint) getpid ();
  guint n = 1 + pid % 250;

  g_snprintf (topo.ns, sizeof (topo.ns), "wcstcp%u", pid);
  g_snprintf (topo.host_if, sizeof (topo.host_if), "wtcph%u", pid % 1000000);
  g_snprintf (topo.ns_if, sizeof (topo.ns_if), "wtcpn%u", pid % 1000000);
  g_snprintf (topo.host_addr, sizeof (topo.host_addr), "10.214.%u.1", n);
  g_snprintf (topo.ns_addr, sizeof (topo.ns_addr), "10.214.%u.2", n);
}

static void
topo_destroy (void)
{
  wcs_test_run_cmd (TRUE, "ip netns delete %s", topo.ns);
  wcs_test_run_cmd (TRUE, "ip link delete %s", topo.host_if);
}

/* the namespace, the veth pair with addresses, and (@drop_udp) the nft
 * table that drops UDP in and out of the namespace */
static gboolean
topo_create (gboolean drop_udp)
{
  if (!wcs_test_run_cmd (FALSE, "ip netns add %s", topo.ns))
    return FALSE;
  if (!(wcs_test_veth_add (topo.ns, topo.host_if, topo.host_addr,
              topo.ns_if, topo.ns_addr) &&
          /* a default route, as a real network has: without one the
           * elements' GNetworkMonitor reports the network unavailable */
          wcs_test_run_cmd (FALSE, "ip -n %s route add default via %s", topo.ns,
              topo.host_addr)))
    return FALSE;
  if (!drop_udp)
    return TRUE;
  return wcs_test_run_cmd (FALSE, "ip netns exec %s " NFT " add table inet "
      "wcstcp", topo.ns) &&
      wcs_test_run_cmd (FALSE, "ip netns exec %s " NFT " add chain inet "
      "wcstcp out { type filter hook output priority 0 ; }", topo.ns) &&
      wcs_test_run_cmd (FALSE, "ip netns exec %s " NFT " add chain inet "
      "wcstcp in { type filter hook input priority 0 ; }", topo.ns) &&
      wcs_test_run_cmd (FALSE, "ip netns exec %s " NFT " add rule inet "
      "wcstcp out meta l4proto udp counter drop", topo.ns) &&
      wcs_test_run_cmd (FALSE, "ip netns exec %s " NFT " add rule inet "
      "wcstcp in meta l4proto udp counter drop", topo.ns);
}

static void
netns_fixture_setup (void)
{
  topo_names ();
}

static void
netns_fixture_teardown (void)
{
  topo_destroy ();
}

/* ------------------------------------------------------------------ */
/* gst-launch-1.0 children inside the namespace                          */

/* a publisher (@player FALSE) or a wcsplaysrc into a fakesink that logs
 * every buffer (-v last-message), with transport=@transport */
static WcsTestChild *
child_start (const gchar * url, const gchar * name, gboolean player,
    const gchar * transport)
{
  gchar *location = g_strdup_printf ("location=%s", url);
  gchar *sname = g_strdup_printf ("stream-name=%s", name);
  gchar *tr = g_strdup_printf ("transport=%s", transport);
  const gchar *pub_argv[] = { "ip", "netns", "exec", topo.ns,
    "gst-launch-1.0", "-m", "videotestsrc", "is-live=true", "pattern=ball",
    "!", "video/x-raw,width=320,height=240,framerate=15/1", "!",
    "wcspublishsink", location, sname, tr, "restore-timeout=1000",
    "restore-max-tries=1", NULL
  };
  const gchar *play_argv[] = { "ip", "netns", "exec", topo.ns,
    "gst-launch-1.0", "-m", "-v", "wcsplaysrc", location, sname, tr,
    "restore-timeout=1000", "!", "fakesink", "sync=false", "silent=false",
    NULL
  };
  const gchar *env[] = { "GIO_USE_NETWORK_MONITOR=netlink", NULL };
  WcsTestChild *c = wcs_test_child_start (player ? play_argv : pub_argv,
      env);

  g_free (location);
  g_free (sname);
  g_free (tr);
  return c;
}

/* The publisher gave up: its gave-up message, or gst-launch's exit with
 * status 1 after the ERROR. gst-launch 1.22 reacts to an ERROR in its bus
 * sync handler, at once: messages posted before it but not yet dispatched
 * by its main loop (the gave-up one among them, when the machine is busy)
 * are flushed unprinted when it sets the pipeline to NULL (GST_BUS:6 shows
 * "set bus flushing ... have 29 messages"). The element posts gave-up
 * before its ERROR (elements/restore checks the order in-process), so the
 * exit counts too; a missing line is only noted. */
static gboolean
child_gave_up (WcsTestChild * c)
{
  gint status;

  if (wcs_test_child_count (c, 0, GAVE_UP, NULL) > 0)
    return TRUE;
  if (!wcs_test_child_exited (c, &status) || !WIFEXITED (status) ||
      WEXITSTATUS (status) != 1)
    return FALSE;
  if (wcs_test_child_count (c, 0, GAVE_UP, NULL) == 0)
    g_printerr ("NOTE: gst-launch exited after the ERROR and flushed the "
        "gave-up message unprinted (its ERROR handling, see above)\n");
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* relay REST                                                           */

/* the relay's frames / bytes received for @name's publisher; FALSE when
 * it has none */
static gboolean
stream_counters (WcsTestRelay * r, const gchar * name, gint64 * frames,
    gint64 * bytes)
{
  JsonNode *root = wcs_test_relay_rest (r, "rest-api/stream/find_all", "{}",
      NULL);
  gboolean found = FALSE;
  guint i;

  *frames = *bytes = 0;
  if (!root)
    return FALSE;
  if (JSON_NODE_HOLDS_ARRAY (root)) {
    JsonArray *a = json_node_get_array (root);

    for (i = 0; i < json_array_get_length (a) && !found; i++) {
      JsonObject *o = json_array_get_object_element (a, i);

      if (o && g_strcmp0 (json_object_get_string_member_with_default (o,
                  "name", ""), name) == 0 &&
          json_object_has_member (o, "frames")) {
        found = TRUE;
        *frames = json_object_get_int_member_with_default (o, "frames", 0);
        *bytes = json_object_get_int_member_with_default (o, "bytes", 0);
      }
    }
  }
  json_node_unref (root);
  return found;
}

static WcsTestRelay *
start_relay (void)
{
  const gchar *relay_args[] = { "--host", topo.host_addr, "--ice-address",
    topo.host_addr, "-v", NULL
  };
  WcsTestRelay *relay = wcs_test_relay_start (0, relay_args);

  fail_unless (relay != NULL);
  /* the helper assumes loopback for REST; this relay is on the veth */
  g_free (relay->http_base);
  relay->http_base = g_strdup_printf ("http://%s:%u", topo.host_addr,
      relay->port);
  fail_unless (g_str_has_prefix (relay->url, "ws://10.214."), "relay url %s",
      relay->url);
  return relay;
}

/* Waits (bounded) until a TCP connection from inside the namespace to the
 * relay's port succeeds: the veth is up and UDP-only filtering lets TCP
 * through, before any element is judged. */
static void
wait_reachable (WcsTestRelay * relay)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND *
      wcs_test_timeout_scale ();
  gboolean ok = FALSE;

  while (!ok && g_get_monotonic_time () < deadline) {
    ok = wcs_test_run_cmd (TRUE, "timeout 2 ip netns exec %s bash -c "
        "'exec 3<>/dev/tcp/%s/%u'", topo.ns, topo.host_addr, relay->port);
    if (!ok)
      g_usleep (200 * 1000);
  }
  fail_unless (ok, "no TCP connection from %s to the relay %s:%u", topo.ns,
      topo.host_addr, relay->port);
}

static void
setup_topo (void)
{
  if (topo.ns[0] == '\0')       /* CK_FORK=no without the fixture */
    topo_names ();
  topo_destroy ();
  fail_unless (topo_create (TRUE), "cannot create network namespace %s, "
      "veth pair and nft UDP drop", topo.ns);
}

GST_START_TEST (test_tcp_media)
{
  WcsTestRelay *relay;
  WcsTestChild *pub, *play = NULL;
  gchar *name;
  gint64 frames = 0, bytes = 0, frames1, deadline;
  guint chains = 0;

  setup_topo ();
  relay = start_relay ();
  wait_reachable (relay);
  name = g_strdup_printf ("tcp%u", (guint) getpid ());

  pub = child_start (relay->url, name, FALSE, "tcp");
  if (!wcs_test_relay_wait_stream (relay, name, "PUBLISHING", NULL,
          PUBLISH_WAIT_MS * wcs_test_timeout_scale ()))
    wcs_test_child_dump (pub, 0, "publisher");
  fail_unless (wcs_test_relay_find_stream (relay, name, NULL, NULL, NULL),
      "transport=tcp: the publisher in %s (UDP dropped) never published",
      topo.ns);

  /* video reaches the relay over ICE-TCP, and keeps coming */
  deadline = g_get_monotonic_time () +
      (gint64) FRAMES_WAIT_MS * wcs_test_timeout_scale () * 1000;
  while (g_get_monotonic_time () < deadline &&
      !(stream_counters (relay, name, &frames, &bytes) && frames >= 20))
    wcs_test_iterate (NULL, 200);
  if (frames < 20)
    wcs_test_child_dump (pub, 0, "publisher");
  fail_unless (frames >= 20, "transport=tcp: the relay got %"
      G_GINT64_FORMAT " frames from the publisher with UDP dropped", frames);
  fail_unless (bytes > 0);
  frames1 = frames;
  wcs_test_iterate (NULL, 2000);
  fail_unless (stream_counters (relay, name, &frames, &bytes));
  fail_unless (frames > frames1, "the publisher's media stopped");
  fail_unless (wcs_test_child_count (pub, 0, "wcs-stream-status",
          "PUBLISHING") > 0,
      "no wcs-stream-status PUBLISHING from the publisher");

  /* a player in the namespace, over TCP too: its fakesink gets buffers */
  play = child_start (relay->url, name, TRUE, "tcp");
  deadline = g_get_monotonic_time () +
      (gint64) FRAMES_WAIT_MS * wcs_test_timeout_scale () * 1000;
  while (g_get_monotonic_time () < deadline &&
      (chains = wcs_test_child_count (play, 0, "last-message = chain",
              NULL)) < 20)
    wcs_test_iterate (NULL, 200);
  if (chains < 20)
    wcs_test_child_dump (play, 0, "player");
  fail_unless (chains >= 20, "transport=tcp: the player in %s got %u "
      "buffers with UDP dropped", topo.ns, chains);
  /* neither needed a restore */
  fail_unless_equals_int (wcs_test_child_count (pub, 0, "wcs-restore",
          NULL), 0);
  fail_unless_equals_int (wcs_test_child_count (play, 0, "wcs-restore",
          NULL), 0);

  wcs_test_child_stop (play);
  wcs_test_child_stop (pub);
  wcs_test_relay_free (relay);
  topo_destroy ();
  g_free (name);
}

GST_END_TEST;

GST_START_TEST (test_udp_blocked)
{
  WcsTestRelay *relay;
  WcsTestChild *pub;
  gchar *name;
  gint64 frames = 0, bytes = 0, deadline;
  gboolean error = FALSE;

  setup_topo ();
  relay = start_relay ();
  wait_reachable (relay);
  name = g_strdup_printf ("udp%u", (guint) getpid ());

  pub = child_start (relay->url, name, FALSE, "udp");
  /* the signalling (TCP) works: the relay gets the publishStream */
  deadline = g_get_monotonic_time () +
      (gint64) PUBLISH_WAIT_MS * wcs_test_timeout_scale () * 1000;
  while (g_get_monotonic_time () < deadline &&
      !wcs_test_relay_find_stream (relay, name, NULL, NULL, NULL) &&
      !child_gave_up (pub))
    wcs_test_iterate (NULL, 200);

  /* no media at any time, until the publisher gives up with an ERROR */
  deadline = g_get_monotonic_time () +
      (gint64) UDP_FAIL_WAIT_MS * wcs_test_timeout_scale () * 1000;
  while (g_get_monotonic_time () < deadline) {
    stream_counters (relay, name, &frames, &bytes);
    if (frames > 0 || bytes > 0)
      break;
    if ((error = child_gave_up (pub)))
      break;
    wcs_test_iterate (NULL, 200);
  }
  if (frames > 0 || !error)
    wcs_test_child_dump (pub, 0, "publisher");
  fail_unless (frames == 0 && bytes == 0, "transport=udp with UDP dropped: "
      "the relay got %" G_GINT64_FORMAT " frames (is UDP really dropped?)",
      frames);
  fail_unless (error, "transport=udp with UDP dropped, restore-max-tries=1: "
      "the publisher did not give up within %u ms", UDP_FAIL_WAIT_MS);
  /* it tried: the relay saw the stream and its restore was scheduled */
  fail_unless (wcs_test_child_count (pub, 0, "wcs-restore", "scheduled") > 0,
      "the publisher did not try to restore");

  wcs_test_child_stop (pub);
  wcs_test_relay_free (relay);
  topo_destroy ();
  g_free (name);
}

GST_END_TEST;

static Suite *
tcp_suite (void)
{
  Suite *s = suite_create ("tcp");
  TCase *tc = tcase_create ("netns");

  tcase_set_timeout (tc, 240);
  tcase_add_unchecked_fixture (tc, netns_fixture_setup,
      netns_fixture_teardown);
  tcase_add_test (tc, test_tcp_media);
  tcase_add_test (tc, test_udp_blocked);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  gboolean can;

  gst_wcs_process_init ();
  gst_check_init (&argc, &argv);
  /* without root / ip netns / nft the tests cannot run: a skip (exit 77),
   * never a pass */
  if (!g_file_test (NFT, G_FILE_TEST_IS_EXECUTABLE)) {
    g_printerr ("SKIP elements/tcp: " NFT " not found (install nftables); "
        "the TCP media test did NOT run\n");
    return 77;
  }
  topo_names ();
  topo_destroy ();
  can = topo_create (TRUE);
  topo_destroy ();
  if (!can) {
    g_printerr ("SKIP elements/tcp: cannot create network namespace %s, "
        "veth pair and nft rule (needs root, iproute2 'ip netns' and "
        "nftables); the TCP media test did NOT run\n", topo.ns);
    return 77;
  }
  return gst_check_run_suite (tcp_suite (), "tcp", __FILE__);
}
