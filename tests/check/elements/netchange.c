/* gst-wcs: network change restore, for real, in a network namespace
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The test builds its own little network: a namespace NS and two veth pairs
 * between the root namespace and NS ("A", the Wi-Fi, and "B", the LTE), on
 * 10.213.N.0/30 (A) and 10.213.N.4/30 (B), N derived from the pid. Nothing
 * is routed anywhere else. The relay runs in the root namespace and listens
 * on A's host side (10.213.N.1); the publisher is a gst-launch-1.0 child
 * running INSIDE NS (ip netns exec), so its GNetworkMonitor sees the
 * namespace's netlink events; its -m output tells what the element posts.
 * A player (wcsplaysrc, in this process, root namespace) counts frames; a
 * second player (gst-launch-1.0 -m wcsplaysrc ! fakesink) runs inside NS
 * and goes through the same changes.
 *
 * Then the addresses and routes inside NS change:
 *  1. an address on B without touching the route to the relay: the element
 *     posts wcs-network-changed but keeps its healthy stream;
 *  2. "Wi-Fi to LTE", a burst of changes (default route to B, A's address
 *     removed): one wcs-network-changed, one restore (network-changed), the
 *     stream is PUBLISHING again with a new mediaSessionId, the player gets
 *     frames again;
 *  3. back to A, the default route flapping (deleted and added six times,
 *     250 ms apart, the network going unavailable and back): the same once
 *     more (one debounced change, one restore).
 *
 * Needs root (ip netns add); without it the test says so and skips. The
 * namespace and the veths are deleted at the end of the test and again by
 * an unchecked fixture that runs in the parent process, so a failed or
 * timed-out test leaves nothing behind. Every wait is bounded.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <stdio.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "wcstestutil.h"

#define PUBLISH_WAIT_MS 45000
#define RESTORE_WAIT_MS 45000
#define FRAMES_WAIT_MS 30000
/* the element debounces for 1 s; then give a wrong restore time to show */
#define QUIET_MS 5000

/* names and addresses, computed once in the parent (unchecked fixture) so
 * that its teardown can remove whatever the forked test created */
static struct
{
  gchar ns[32];
  gchar ha[16], na[16], hb[16], nb[16];
  gchar a_host[24], a_ns[24], b_host[24], b_ns[24];
} topo;

static gboolean topo_up;

static void
topo_names (void)
{
  guint pid = (guint) getpid ();
  guint n = 1 + pid % 250;

  g_snprintf (topo.ns, sizeof (topo.ns), "wcsnc%u", pid);
  g_snprintf (topo.ha, sizeof (topo.ha), "wncah%u", pid % 1000000);
  g_snprintf (topo.na, sizeof (topo.na), "wncan%u", pid % 1000000);
  g_snprintf (topo.hb, sizeof (topo.hb), "wncbh%u", pid % 1000000);
  g_snprintf (topo.nb, sizeof (topo.nb), "wncbn%u", pid % 1000000);
  g_snprintf (topo.a_host, sizeof (topo.a_host), "10.213.%u.1", n);
  g_snprintf (topo.a_ns, sizeof (topo.a_ns), "10.213.%u.2", n);
  g_snprintf (topo.b_host, sizeof (topo.b_host), "10.213.%u.5", n);
  g_snprintf (topo.b_ns, sizeof (topo.b_ns), "10.213.%u.6", n);
}

static void
topo_destroy (void)
{
  /* deleting the namespace deletes the veth ends inside it, and with them
   * the pairs; the explicit deletes cover a half-built setup */
  wcs_test_run_cmd (TRUE, "ip netns delete %s", topo.ns);
  wcs_test_run_cmd (TRUE, "ip link delete %s", topo.ha);
  wcs_test_run_cmd (TRUE, "ip link delete %s", topo.hb);
  wcs_test_run_cmd (TRUE, "rm -rf /etc/netns/%s", topo.ns);
}

/* The relay's host name inside the namespace: `ip netns exec` bind-mounts
 * /etc/netns/NS/hosts over /etc/hosts, so the player in the namespace can
 * use a host-name location (the route check must not depend on a literal
 * address). */
#define RELAY_HOST_NAME "wcs-relay.netchange.test"

static gboolean
topo_hosts (void)
{
  gchar *dir = g_strdup_printf ("/etc/netns/%s", topo.ns);
  gchar *path = g_strdup_printf ("%s/hosts", dir);
  gchar *text = g_strdup_printf ("127.0.0.1 localhost\n%s %s\n",
      topo.a_host, RELAY_HOST_NAME);
  gboolean ok = g_mkdir_with_parents (dir, 0755) == 0 &&
      g_file_set_contents (path, text, -1, NULL);

  g_free (text);
  g_free (path);
  g_free (dir);
  return ok;
}

/* A up with an address and the default route, B up without address. */
static gboolean
topo_create (void)
{
  if (!wcs_test_run_cmd (FALSE, "ip netns add %s", topo.ns))
    return FALSE;
  return wcs_test_veth_add (topo.ns, topo.ha, topo.a_host, topo.na,
      topo.a_ns) &&
      wcs_test_veth_add (topo.ns, topo.hb, topo.b_host, topo.nb, NULL) &&
      wcs_test_run_cmd (FALSE, "ip -n %s route add default via %s", topo.ns,
      topo.a_host) && topo_hosts ();
}

/* unchecked fixture: runs in the parent, also after a crash or timeout */
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

/* Runs @cmds (ip commands without the leading "ip", one per line) in the
 * namespace with a single "ip -batch": a burst of changes within
 * milliseconds, however loaded the machine is. */
static gboolean
ns_batch (const gchar * cmds)
{
  gchar *path = g_strdup_printf ("%s/%s.batch", g_get_tmp_dir (), topo.ns);
  gboolean ok;

  ok = g_file_set_contents (path, cmds, -1, NULL) &&
      wcs_test_run_cmd (FALSE, "ip -n %s -batch %s", topo.ns, path);
  g_unlink (path);
  g_free (path);
  return ok;
}

/* ------------------------------------------------------------------ */
/* the publisher: gst-launch-1.0 -m inside the namespace                */

/* gst-launch-1.0 -m in the namespace: a publisher, or (@player) a
 * wcsplaysrc into a fakesink */
static WcsTestChild *
child_start (const gchar * url, const gchar * name, gboolean player)
{
  gchar *location = g_strdup_printf ("location=%s", url);
  gchar *sname = g_strdup_printf ("stream-name=%s", name);
  const gchar *pub_argv[] = { "ip", "netns", "exec", topo.ns,
    "gst-launch-1.0", "-m", "videotestsrc", "is-live=true", "pattern=ball",
    "!", "video/x-raw,width=320,height=240,framerate=15/1", "!",
    "wcspublishsink", location, sname, "restore-timeout=1000", NULL
  };
  const gchar *play_argv[] = { "ip", "netns", "exec", topo.ns,
    "gst-launch-1.0", "-m", "wcsplaysrc", location, sname,
    "restore-timeout=1000", "!", "fakesink", "sync=false", NULL
  };
  /* the namespace has no D-Bus / NetworkManager: netlink is what it has */
  const gchar *env[] = { "GIO_USE_NETWORK_MONITOR=netlink", NULL };
  WcsTestChild *c = wcs_test_child_start (player ? play_argv : pub_argv,
      env);

  g_free (location);
  g_free (sname);
  return c;
}

/* ------------------------------------------------------------------ */
/* the player: wcsplaysrc in this process, counts video buffers          */

static gint video_buffers;

static GstPadProbeReturn
count_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  g_atomic_int_inc (&video_buffers);
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * src, GstPad * pad, GstElement * pipeline)
{
  wcs_test_add_fakesink (pipeline, pad);
  if (g_str_has_prefix (GST_PAD_NAME (pad), "video"))
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_probe, NULL,
        NULL);
}

static gboolean
wait_frames (guint n, guint timeout_ms)
{
  gint start = g_atomic_int_get (&video_buffers);
  gint64 deadline = g_get_monotonic_time () +
      (gint64) timeout_ms * wcs_test_timeout_scale () * 1000;

  while (g_get_monotonic_time () < deadline) {
    if (g_atomic_int_get (&video_buffers) >= start + (gint) n)
      return TRUE;
    wcs_test_iterate (NULL, 50);
  }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* relay REST                                                           */

/* the publisher's mediaSessionId of @name if it is PUBLISHING, else NULL */
static gchar *
publishing_id (WcsTestRelay * r, const gchar * name)
{
  GError *error = NULL;
  JsonNode *root = wcs_test_relay_rest (r, "rest-api/stream/find_all", "{}",
      &error);
  gchar *ret = NULL;
  guint i;

  if (!root) {
    GST_WARNING ("find_all: %s", error ? error->message : "?");
    g_clear_error (&error);
    return NULL;
  }
  if (JSON_NODE_HOLDS_ARRAY (root)) {
    JsonArray *a = json_node_get_array (root);

    for (i = 0; i < json_array_get_length (a) && !ret; i++) {
      JsonObject *o = json_array_get_object_element (a, i);

      if (o && g_strcmp0 (json_object_get_string_member_with_default (o,
                  "name", ""), name) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (o,
                  "status", ""), "PUBLISHING") == 0)
        ret = g_strdup (json_object_get_string_member_with_default (o,
                "mediaSessionId", ""));
    }
  }
  json_node_unref (root);
  return ret;
}

/* Waits (bounded) until @name is PUBLISHING with a mediaSessionId other
 * than @not_id (NULL: any). */
static gchar *
wait_publishing (WcsTestRelay * r, const gchar * name, const gchar * not_id,
    guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () +
      (gint64) timeout_ms * wcs_test_timeout_scale () * 1000;

  do {
    gchar *id = publishing_id (r, name);

    if (id && *id && g_strcmp0 (id, not_id) != 0)
      return id;
    g_free (id);
    wcs_test_iterate (NULL, 200);
  } while (g_get_monotonic_time () < deadline);
  return NULL;
}

/* ------------------------------------------------------------------ */

#define NET_CHANGED "wcs-network-changed"
#define NET_UP "available=(boolean)true"
#define RESTORED "wcs-restore, phase=(string)restored"
#define SCHEDULED "wcs-restore, phase=(string)scheduled"
#define ANY_RESTORE "wcs-restore"
#define BY_NETWORK "reason=(string)network-changed"

/* A restore caused by the burst of network changes made after line @from:
 * one debounced wcs-network-changed before the restore begins, one session
 * closed for network-changed and one outage ("scheduled attempt=1", reason
 * network-changed), then "restored", a new publisher on the relay and
 * frames at the player. Returns the new mediaSessionId.
 *
 * The outage may end with another reason: when the old address is gone the
 * relay cannot be told that the old publisher left, it holds the name until
 * its own ping check drops that session ("Stream name is already in use",
 * retried with backoff, reason stream-failed). Later wcs-network-changed
 * messages (e.g. IPv6 link-local routes settling) are allowed as long as
 * they cause no second outage. */
static gchar *
check_restore (WcsTestChild * pub, WcsTestChild * nsplay, WcsTestRelay * relay,
    const gchar * name, const gchar * old_id, guint from, guint play_from,
    const gchar * what)
{
  guint at, sched, players = 0;
  gint64 deadline;
  gchar *id;

  at = wcs_test_child_wait (pub, from, NET_CHANGED, NET_UP, RESTORE_WAIT_MS);
  if (!at)
    wcs_test_child_dump (pub, from, "child");
  fail_unless (at > 0, "%s: no wcs-network-changed", what);
  sched = wcs_test_child_wait (pub, from, SCHEDULED, BY_NETWORK,
      RESTORE_WAIT_MS);
  if (!sched)
    wcs_test_child_dump (pub, from, "child");
  fail_unless (sched > 0, "%s: no restore scheduled for network-changed",
      what);
  /* debounced: the whole burst was reported once before the restore */
  fail_unless_equals_int (wcs_test_child_count (pub, from, NET_CHANGED, NULL) -
      wcs_test_child_count (pub, sched, NET_CHANGED, NULL), 1);
  at = wcs_test_child_wait (pub, from, RESTORED, NULL, RESTORE_WAIT_MS);
  if (!at)
    wcs_test_child_dump (pub, from, "child");
  fail_unless (at > 0, "%s: the stream was not restored", what);

  id = wait_publishing (relay, name, old_id, PUBLISH_WAIT_MS);
  fail_unless (id != NULL, "%s: not PUBLISHING again with a new "
      "mediaSessionId (old %s)", what, old_id);
  fail_unless (wait_frames (20, FRAMES_WAIT_MS),
      "%s: the player got no frames after the restore", what);

  /* the player in the namespace: its session closed for network-changed,
   * then it plays the new publisher (two players on the relay again) */
  at = wcs_test_child_wait (nsplay, play_from, "wcs-session-status", BY_NETWORK,
      RESTORE_WAIT_MS);
  if (!at)
    wcs_test_child_dump (nsplay, play_from, "child");
  fail_unless (at > 0, "%s: the player in the namespace did not restore "
      "for network-changed", what);
  deadline = g_get_monotonic_time () +
      (gint64) RESTORE_WAIT_MS *wcs_test_timeout_scale () * 1000;
  while (g_get_monotonic_time () < deadline &&
      !(wcs_test_relay_find_stream (relay, name, NULL, NULL, &players) &&
          players == 2))
    wcs_test_iterate (NULL, 200);
  if (players != 2)
    wcs_test_child_dump (nsplay, play_from, "child");
  fail_unless_equals_int (players, 2);
  fail_unless (wcs_test_child_wait (nsplay, play_from, RESTORED, NULL,
          1000) > 0,
      "%s: no restored from the player in the namespace", what);

  /* debounce: the burst was one outage; nothing more follows */
  wcs_test_iterate (NULL, 2500);
  if (wcs_test_child_count (pub, from, "wcs-session-status", BY_NETWORK) != 1 ||
      wcs_test_child_count (pub, from, SCHEDULED, "attempt=(uint)1,") != 1 ||
      wcs_test_child_count (pub, from, RESTORED, NULL) != 1)
    wcs_test_child_dump (pub, from, "child");
  fail_unless_equals_int (wcs_test_child_count (pub, from, "wcs-session-status",
          BY_NETWORK), 1);
  fail_unless_equals_int (wcs_test_child_count (pub, from, SCHEDULED,
          "attempt=(uint)1,"), 1);
  fail_unless_equals_int (wcs_test_child_count (pub, from, RESTORED, NULL), 1);
  fail_unless_equals_int (wcs_test_child_count (nsplay, play_from,
          "wcs-session-status", BY_NETWORK), 1);
  return id;
}

GST_START_TEST (test_network_change_restore)
{
  const gchar *relay_args[] = { "--host", NULL, "--ice-address", NULL,
    "--ice-address", NULL, "--ice-address", "127.0.0.1", NULL
  };
  WcsTestRelay *relay;
  GstElement *player, *src;
  WcsTestChild *pub, *nsplay;
  gchar *name, *desc, *id1, *id2, *id3, *cur, *cmds;
  guint from, play_from, at, i;
  GError *error = NULL;

  if (topo.ns[0] == '\0')       /* CK_FORK=no without the fixture */
    topo_names ();
  topo_destroy ();
  /* main() made sure it can be done (or skipped the suite) */
  fail_unless (topo_create (), "cannot create network namespace %s and veth "
      "pairs", topo.ns);
  topo_up = TRUE;

  relay_args[1] = topo.a_host;
  relay_args[3] = topo.a_host;
  relay_args[5] = topo.b_host;
  relay = wcs_test_relay_start (0, relay_args);
  fail_unless (relay != NULL);
  /* the helper assumes loopback for REST; this relay is on A's host side */
  g_free (relay->http_base);
  relay->http_base = g_strdup_printf ("http://%s:%u", topo.a_host,
      relay->port);
  fail_unless (g_str_has_prefix (relay->url, "ws://10.213."), "relay url %s",
      relay->url);

  name = g_strdup_printf ("netchange%u", (guint) getpid ());
  pub = child_start (relay->url, name, FALSE);

  id1 = wait_publishing (relay, name, NULL, PUBLISH_WAIT_MS);
  if (!id1)
    wcs_test_child_dump (pub, 0, "child");
  fail_unless (id1 != NULL, "the publisher in %s never got PUBLISHING",
      topo.ns);
  at = wcs_test_child_wait (pub, 0, "wcs-stream-status", "PUBLISHING",
      PUBLISH_WAIT_MS);
  fail_unless (at > 0, "no wcs-stream-status PUBLISHING from the publisher");
  fail_unless_equals_int (wcs_test_child_count (pub, 0, ANY_RESTORE, NULL), 0);

  /* the player, root namespace, through A's host address (local here) */
  desc = g_strdup_printf ("wcsplaysrc name=src location=%s stream-name=%s "
      "restore-timeout=500", relay->url, name);
  player = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
      &error);
  fail_unless (player != NULL, "%s: %s", desc, error ? error->message : "?");
  g_free (desc);
  if (!GST_IS_PIPELINE (player)) {
    GstElement *pipe = gst_pipeline_new (NULL);

    gst_bin_add (GST_BIN (pipe), player);
    player = pipe;
  }
  src = gst_bin_get_by_name (GST_BIN (player), "src");
  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad_added), player);
  gst_object_unref (src);
  g_atomic_int_set (&video_buffers, 0);
  gst_element_set_state (player, GST_STATE_PLAYING);
  fail_unless (wait_frames (20, FRAMES_WAIT_MS), "the player got no frames");

  /* a second player inside the namespace, same network changes, with a
   * host name in its location */
  {
    gchar *named = g_strdup_printf ("ws://%s:%u", RELAY_HOST_NAME,
        relay->port);

    nsplay = child_start (named, name, TRUE);
    g_free (named);
  }
  at = wcs_test_child_wait (nsplay, 0, "wcs-stream-status", "PLAYING",
      PUBLISH_WAIT_MS);
  if (!at)
    wcs_test_child_dump (nsplay, 0, "child");
  fail_unless (at > 0, "the player in the namespace never got PLAYING");

  /* 1. a change that leaves the route to the relay alone: B gets its
   * address (a new connected route) while the default route stays on A */
  from = wcs_test_child_n_lines (pub);
  play_from = wcs_test_child_n_lines (nsplay);
  fail_unless (wcs_test_run_cmd (FALSE, "ip -n %s addr add %s/30 dev %s",
          topo.ns, topo.b_ns, topo.nb));
  at = wcs_test_child_wait (pub, from, NET_CHANGED, NET_UP, RESTORE_WAIT_MS);
  if (!at)
    wcs_test_child_dump (pub, from, "child");
  fail_unless (at > 0, "adding an address: no wcs-network-changed (does "
      "the element see the namespace's netlink events?)");
  wcs_test_iterate (NULL, QUIET_MS);
  if (wcs_test_child_count (pub, from, ANY_RESTORE, NULL) != 0)
    wcs_test_child_dump (pub, from, "child");
  fail_unless_equals_int (wcs_test_child_count (pub, from, ANY_RESTORE,
          NULL), 0);
  fail_unless_equals_int (wcs_test_child_count (pub, from, "wcs-session-status",
          NULL), 0);
  fail_unless (wcs_test_child_count (nsplay, play_from, NET_CHANGED, NULL) > 0);
  fail_unless_equals_int (wcs_test_child_count (nsplay, play_from, ANY_RESTORE,
          NULL), 0);
  cur = publishing_id (relay, name);
  fail_unless_equals_string (cur, id1);
  g_free (cur);
  fail_unless (wait_frames (10, FRAMES_WAIT_MS),
      "the stream stopped after a harmless network change");

  /* 2. Wi-Fi to LTE: a quick burst (default route to B, A's address gone,
   * a route flap): one debounced change, one restore */
  from = wcs_test_child_n_lines (pub);
  play_from = wcs_test_child_n_lines (nsplay);
  cmds = g_strdup_printf ("route replace default via %s\n"
      "addr del %s/30 dev %s\n" "route del default\n"
      "route add default via %s\n", topo.b_host, topo.a_ns, topo.na,
      topo.b_host);
  fail_unless (ns_batch (cmds));
  g_free (cmds);
  id2 = check_restore (pub, nsplay, relay, name, id1, from, play_from,
      "A to B");

  /* 3. back to A: A's address again (the relay is on A's subnet, so the
   * route to it leaves through A at once), then the default route flaps
   * (deleted, via A, deleted, via B, deleted, via A) 250 ms apart. Each of
   * these is its own GNetworkMonitor signal, availability going false and
   * true (a "route replace" would not be: the monitor only tracks the set
   * of destinations); the element's 1 s debounce makes one change of it */
  from = wcs_test_child_n_lines (pub);
  play_from = wcs_test_child_n_lines (nsplay);
  fail_unless (wcs_test_run_cmd (FALSE, "ip -n %s addr add %s/30 dev %s",
          topo.ns, topo.a_ns, topo.na));
  for (i = 0; i < 6; i++) {
    g_usleep (250 * 1000);
    if (i % 2 == 0)
      fail_unless (wcs_test_run_cmd (FALSE, "ip -n %s route del default",
              topo.ns));
    else
      fail_unless (wcs_test_run_cmd (FALSE, "ip -n %s route add default via %s",
              topo.ns, i == 3 ? topo.b_host : topo.a_host));
  }
  id3 = check_restore (pub, nsplay, relay, name, id2, from, play_from,
      "B to A");
  fail_if (g_strcmp0 (id3, id1) == 0);

  gst_element_set_state (player, GST_STATE_NULL);
  gst_object_unref (player);
  wcs_test_child_stop (nsplay);
  wcs_test_child_stop (pub);
  wcs_test_relay_free (relay);
  topo_destroy ();
  topo_up = FALSE;
  g_free (id1);
  g_free (id2);
  g_free (id3);
  g_free (name);
}

GST_END_TEST;

static Suite *
netchange_suite (void)
{
  Suite *s = suite_create ("netchange");
  TCase *tc = tcase_create ("netns");

  tcase_set_timeout (tc, 240);
  tcase_add_unchecked_fixture (tc, netns_fixture_setup,
      netns_fixture_teardown);
  tcase_add_test (tc, test_network_change_restore);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  gboolean can;

  gst_wcs_process_init ();
  gst_check_init (&argc, &argv);
  /* without root / ip netns the test cannot run: say so as a skip (exit 77:
   * meson SKIP), never as a pass */
  topo_names ();
  topo_destroy ();
  can = topo_create ();
  topo_destroy ();
  if (!can) {
    g_printerr ("SKIP elements/netchange: cannot create network namespace "
        "%s and veth pairs (needs root and iproute2 'ip netns'); the "
        "network change test did NOT run\n", topo.ns);
    return 77;
  }
  return gst_check_run_suite (netchange_suite (), "netchange", __FILE__);
}
