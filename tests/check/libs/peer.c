/* gst-wcs: GstWcsPeer (one webrtcbin through one offer/answer)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two peers in this process, an offerer sending VP8 and an answerer
 * receiving it, negotiate over loopback through the peer API only; and the
 * peer's promises: callbacks on the owner's context only, each failure
 * once and typed, nothing after close.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>

#include "gstwcspeer.h"
#include "wcstestutil.h"

#define WAIT_MS (15000 * wcs_test_timeout_scale ())

typedef struct
{
  GstWcsPeer *peer;
  GstElement *pipe;
  GThread *owner;               /* the thread of the context */
  gchar *local;                 /* the local description, as text */
  volatile gint local_ready;
  gboolean complete;
  volatile gint remote_applied;
  volatile gint connected;
  volatile gint failed;
  GstWcsPeerFailure failure;
  gchar *detail;
  volatile gint calls_off_thread;
  volatile gint calls_after_close;
  gboolean closed;
  volatile gint buffers;        /* answerer: RTP buffers out of webrtcbin */
} Side;

static void
check_thread (Side * s)
{
  if (g_thread_self () != s->owner)
    g_atomic_int_inc (&s->calls_off_thread);
  if (s->closed)
    g_atomic_int_inc (&s->calls_after_close);
}

static void
on_local (GstWcsPeer * peer, GstSDPMessage * sdp, gboolean complete,
    gpointer user_data)
{
  Side *s = user_data;

  check_thread (s);
  g_free (s->local);
  s->local = gst_sdp_message_as_text (sdp);
  s->complete = complete;
  g_atomic_int_inc (&s->local_ready);
}

static void
on_remote_applied (GstWcsPeer * peer, gpointer user_data)
{
  Side *s = user_data;

  check_thread (s);
  g_atomic_int_inc (&s->remote_applied);
}

static void
on_connected (GstWcsPeer * peer, gpointer user_data)
{
  Side *s = user_data;

  check_thread (s);
  g_atomic_int_inc (&s->connected);
}

static void
on_failed (GstWcsPeer * peer, GstWcsPeerFailure failure, const gchar * detail,
    gpointer user_data)
{
  Side *s = user_data;

  check_thread (s);
  s->failure = failure;
  g_free (s->detail);
  s->detail = g_strdup (detail);
  g_atomic_int_inc (&s->failed);
}

static const GstWcsPeerCallbacks callbacks = {
  on_local, on_remote_applied, on_connected, on_failed
};

static GstPadProbeReturn
count_buffers (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Side *s = user_data;

  g_atomic_int_inc (&s->buffers);
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * webrtc, GstPad * pad, Side * s)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffers, s, NULL);
  wcs_test_add_fakesink (s->pipe, pad);
}

/* an offerer sending VP8 (a=sendonly) */
static void
offerer_init (Side * s)
{
  GstElement *webrtc;

  memset (s, 0, sizeof (*s));
  s->owner = g_thread_self ();
  s->pipe = gst_parse_launch ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=15/1 ! "
      "vp8enc deadline=1 ! rtpvp8pay ! application/x-rtp,media=video,"
      "encoding-name=VP8,payload=96,clock-rate=90000 ! "
      "webrtcbin name=w bundle-policy=max-bundle", NULL);
  fail_unless (s->pipe != NULL);
  webrtc = gst_bin_get_by_name (GST_BIN (s->pipe), "w");
  gst_wcs_peer_disable_upnp (webrtc);
  s->peer = gst_wcs_peer_new (webrtc, GST_WCS_PEER_OFFERER,
      g_main_context_default (), &callbacks, s, NULL);
  gst_wcs_peer_set_label (s->peer, "offerer");
  gst_object_unref (webrtc);
}

/* an answerer receiving what is offered */
static void
answerer_init (Side * s)
{
  GstElement *webrtc;

  memset (s, 0, sizeof (*s));
  s->owner = g_thread_self ();
  s->pipe = gst_pipeline_new (NULL);
  webrtc = gst_element_factory_make ("webrtcbin", NULL);
  g_object_set (webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
      NULL);
  gst_bin_add (GST_BIN (s->pipe), webrtc);
  gst_wcs_peer_disable_upnp (webrtc);
  g_signal_connect (webrtc, "pad-added", G_CALLBACK (on_pad_added), s);
  s->peer = gst_wcs_peer_new (webrtc, GST_WCS_PEER_ANSWERER,
      g_main_context_default (), &callbacks, s, NULL);
  gst_wcs_peer_set_label (s->peer, "answerer");
}

static void
side_clear (Side * s)
{
  gst_wcs_peer_close (s->peer);
  s->closed = TRUE;
  gst_wcs_peer_shutdown (s->pipe);
  /* idle sources still queued see the peer closed and do nothing */
  wcs_test_iterate (NULL, 100);
  gst_wcs_peer_unref (s->peer);
  gst_object_unref (s->pipe);
  fail_unless_equals_int (g_atomic_int_get (&s->calls_off_thread), 0);
  fail_unless_equals_int (g_atomic_int_get (&s->calls_after_close), 0);
  g_free (s->local);
  g_free (s->detail);
}

static GstSDPMessage *
parse (const gchar * text)
{
  GstSDPMessage *sdp = NULL;

  fail_unless_equals_int (gst_sdp_message_new_from_text (text, &sdp),
      GST_SDP_OK);
  return sdp;
}

GST_START_TEST (test_offer_answer_media)
{
  Side off, ans;

  offerer_init (&off);
  answerer_init (&ans);
  fail_unless (gst_element_set_state (off.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_set_state (ans.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  gst_wcs_peer_start (off.peer);
  fail_unless (wcs_test_wait_flag (NULL, &off.local_ready, WAIT_MS),
      "no offer");
  fail_unless (strstr (off.local, "m=video") != NULL);
  fail_unless (strstr (off.local, "a=candidate:") != NULL,
      "the offer has no candidate:\n%s", off.local);

  gst_wcs_peer_set_remote_description (ans.peer, parse (off.local));
  fail_unless (wcs_test_wait_flag (NULL, &ans.local_ready, WAIT_MS),
      "no answer");
  fail_unless (strstr (ans.local, "VP8") != NULL, "%s", ans.local);

  gst_wcs_peer_set_remote_description (off.peer, parse (ans.local));
  fail_unless (wcs_test_wait_flag (NULL, &off.remote_applied, WAIT_MS));
  fail_unless (wcs_test_wait_flag (NULL, &off.connected, WAIT_MS),
      "offerer never connected");
  fail_unless (wcs_test_wait_flag (NULL, &ans.connected, WAIT_MS),
      "answerer never connected");
  fail_unless (gst_wcs_peer_is_connected (off.peer));

  /* media through it all */
  {
    gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
    while (g_atomic_int_get (&ans.buffers) < 10
        && g_get_monotonic_time () < end)
      wcs_test_iterate (NULL, 50);
  }
  fail_unless (g_atomic_int_get (&ans.buffers) >= 10, "%d buffers",
      g_atomic_int_get (&ans.buffers));

  /* each callback once */
  fail_unless_equals_int (off.local_ready, 1);
  fail_unless_equals_int (ans.local_ready, 1);
  fail_unless_equals_int (off.connected, 1);
  fail_unless_equals_int (off.failed, 0);
  fail_unless_equals_int (ans.failed, 0);
  fail_unless_equals_int (ans.remote_applied, 0);       /* offerers only */

  side_clear (&off);
  side_clear (&ans);
}

GST_END_TEST;

/* ICE-TCP only on both sides (gst_wcs_peer_set_ice_transport TCP, as the
 * elements and wcs-relay do for transport TCP): every candidate of the
 * offer and of the answer is TCP (libnice's active / passive host
 * candidates, RFC 6544), and webrtcbin 1.22 connects and carries media
 * over them on loopback */
static void
assert_tcp_candidates_only (const gchar * sdp, const gchar * what)
{
  gchar **lines = g_strsplit (sdp, "\n", -1);
  guint i, tcp = 0;

  for (i = 0; lines[i]; i++) {
    if (!g_str_has_prefix (lines[i], "a=candidate:"))
      continue;
    fail_if (strstr (lines[i], " UDP ") || strstr (lines[i], " udp "),
        "%s has a UDP candidate: %s", what, lines[i]);
    if (strstr (lines[i], " TCP ") || strstr (lines[i], " tcp "))
      tcp++;
  }
  g_strfreev (lines);
  fail_unless (tcp > 0, "%s has no TCP candidate:\n%s", what, sdp);
}

GST_START_TEST (test_ice_tcp_only)
{
  Side off, ans;

  offerer_init (&off);
  answerer_init (&ans);
  fail_unless (gst_wcs_peer_set_ice_transport (gst_wcs_peer_get_webrtc
          (off.peer), GST_WCS_TRANSPORT_TCP));
  fail_unless (gst_wcs_peer_set_ice_transport (gst_wcs_peer_get_webrtc
          (ans.peer), GST_WCS_TRANSPORT_TCP));
  {
    GObject *ice = NULL;
    gboolean udp = TRUE, tcp = FALSE;

    g_object_get (gst_wcs_peer_get_webrtc (off.peer), "ice-agent", &ice,
        NULL);
    g_object_get (ice, "ice-udp", &udp, "ice-tcp", &tcp, NULL);
    fail_if (udp);
    fail_unless (tcp);
    g_object_unref (ice);
  }
  fail_unless (gst_element_set_state (off.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_set_state (ans.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  gst_wcs_peer_start (off.peer);
  fail_unless (wcs_test_wait_flag (NULL, &off.local_ready, WAIT_MS),
      "no offer");
  assert_tcp_candidates_only (off.local, "the offer");

  gst_wcs_peer_set_remote_description (ans.peer, parse (off.local));
  fail_unless (wcs_test_wait_flag (NULL, &ans.local_ready, WAIT_MS),
      "no answer");
  assert_tcp_candidates_only (ans.local, "the answer");

  gst_wcs_peer_set_remote_description (off.peer, parse (ans.local));
  fail_unless (wcs_test_wait_flag (NULL, &off.connected, WAIT_MS),
      "offerer never connected over ICE-TCP");
  fail_unless (wcs_test_wait_flag (NULL, &ans.connected, WAIT_MS),
      "answerer never connected over ICE-TCP");
  {
    gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
    while (g_atomic_int_get (&ans.buffers) < 10
        && g_get_monotonic_time () < end)
      wcs_test_iterate (NULL, 50);
  }
  fail_unless (g_atomic_int_get (&ans.buffers) >= 10, "%d buffers over "
      "ICE-TCP", g_atomic_int_get (&ans.buffers));
  fail_unless_equals_int (off.failed, 0);
  fail_unless_equals_int (ans.failed, 0);

  /* AUTO changes nothing; UDP turns TCP off */
  {
    GstElement *w = gst_element_factory_make ("webrtcbin", NULL);
    GObject *ice = NULL;
    gboolean udp = FALSE, tcp = FALSE;

    g_object_get (w, "ice-agent", &ice, NULL);
    fail_unless (gst_wcs_peer_set_ice_transport (w, GST_WCS_TRANSPORT_AUTO));
    g_object_get (ice, "ice-udp", &udp, "ice-tcp", &tcp, NULL);
    fail_unless (udp && tcp, "webrtcbin's defaults changed");
    fail_unless (gst_wcs_peer_set_ice_transport (w, GST_WCS_TRANSPORT_UDP));
    g_object_get (ice, "ice-udp", &udp, "ice-tcp", &tcp, NULL);
    fail_unless (udp && !tcp);
    g_object_unref (ice);
    gst_object_unref (gst_object_ref_sink (w));
  }

  side_clear (&off);
  side_clear (&ans);
}

GST_END_TEST;

/* a remote description webrtcbin refuses: one REMOTE failure, on the
 * context, then nothing */
GST_START_TEST (test_remote_refused)
{
  Side ans;
  const gchar *bad = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      "t=0 0\r\na=group:BUNDLE video0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
      "a=mid:video0\r\na=sendonly\r\na=rtpmap:96 VP8/90000\r\n";

  answerer_init (&ans);
  fail_unless (gst_element_set_state (ans.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  gst_wcs_peer_set_remote_description (ans.peer, parse (bad));
  fail_unless (wcs_test_wait_flag (NULL, &ans.failed, WAIT_MS));
  fail_unless_equals_int (ans.failure, GST_WCS_PEER_FAILURE_REMOTE);
  fail_unless (g_str_has_prefix (ans.detail, "set-remote-description failed: "),
      "%s", ans.detail);
  wcs_test_iterate (NULL, 300);
  fail_unless_equals_int (ans.failed, 1);
  fail_unless_equals_int (ans.local_ready, 0);
  side_clear (&ans);
}

GST_END_TEST;

/* closed at once after the start: no callback at all afterwards (the
 * offer's promise chain still runs inside webrtcbin) */
GST_START_TEST (test_close_stops_callbacks)
{
  Side off;

  offerer_init (&off);
  fail_unless (gst_element_set_state (off.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  gst_wcs_peer_start (off.peer);
  gst_wcs_peer_close (off.peer);
  off.closed = TRUE;
  wcs_test_iterate (NULL, 2000);
  fail_unless_equals_int (off.local_ready, 0);
  fail_unless_equals_int (off.failed, 0);
  side_clear (&off);
}

GST_END_TEST;

static void
set_flag (gpointer data, GObject * where_the_object_was)
{
  g_atomic_int_set ((volatile gint *) data, 1);
}

/* An owner that stops iterating its context (an element going to NULL)
 * with peer callbacks and timers still queued there: closing the peer
 * must release them, or context -> source -> peer -> context is a cycle
 * that keeps the webrtcbin alive for good (seen as a "webrtc:ice" thread
 * left after NULL in elements/wcsplaysrc test_null_any_moment). */
GST_START_TEST (test_close_releases_webrtcbin)
{
  GMainContext *ctx = g_main_context_new ();
  volatile gint finalized = 0, queued = 0;
  GstElement *pipe, *webrtc;
  GstWcsPeer *peer;
  gint64 deadline;
  Side s;

  memset (&s, 0, sizeof (s));
  s.owner = g_thread_self ();
  pipe = gst_parse_launch ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=15/1 ! "
      "vp8enc deadline=1 ! rtpvp8pay ! application/x-rtp,media=video,"
      "encoding-name=VP8,payload=96,clock-rate=90000 ! "
      "webrtcbin name=w bundle-policy=max-bundle", NULL);
  fail_unless (pipe != NULL);
  webrtc = gst_bin_get_by_name (GST_BIN (pipe), "w");
  gst_wcs_peer_disable_upnp (webrtc);
  g_object_weak_ref (G_OBJECT (webrtc), set_flag, (gpointer) & finalized);
  /* the owner's context is never iterated */
  peer = gst_wcs_peer_new (webrtc, GST_WCS_PEER_OFFERER, ctx, &callbacks,
      &s, NULL);
  gst_object_unref (webrtc);
  gst_wcs_peer_set_negotiation_timeout (peer, 60000);
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  gst_wcs_peer_start (peer);
  /* the offer's steps queue up on the idle context */
  deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (!g_atomic_int_get (&queued) && g_get_monotonic_time () < deadline) {
    g_usleep (20 * 1000);
    queued = g_main_context_pending (ctx);
  }
  fail_unless (queued, "nothing queued on the owner's context");

  gst_wcs_peer_close (peer);
  s.closed = TRUE;
  gst_wcs_peer_unref (peer);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  g_main_context_unref (ctx);
  fail_unless_equals_int (g_atomic_int_get (&finalized), 1);
  fail_unless_equals_int (s.local_ready, 0);
}

GST_END_TEST;

static void
block_op_thread (GstPromise * promise, gpointer user_data)
{
  /* runs on webrtcbin's operation thread: what is queued behind waits */
  g_usleep (GPOINTER_TO_UINT (user_data) * 1000);
  gst_promise_unref (promise);
}

/* a negotiation bound that expires before the local description: TIMEOUT,
 * once, and nothing when the offer arrives after all (webrtcbin's
 * operation thread is held up 2 s by a get-stats reply) */
GST_START_TEST (test_negotiation_timeout)
{
  Side off;
  GstPromise *p;

  offerer_init (&off);
  fail_unless (gst_element_set_state (off.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  p = gst_promise_new_with_change_func (block_op_thread,
      GUINT_TO_POINTER (2000), NULL);
  gst_promise_ref (p);
  g_signal_emit_by_name (gst_wcs_peer_get_webrtc (off.peer), "get-stats",
      NULL, p);
  gst_promise_unref (p);
  gst_wcs_peer_set_negotiation_timeout (off.peer, 200);
  gst_wcs_peer_start (off.peer);
  fail_unless (wcs_test_wait_flag (NULL, &off.failed, WAIT_MS));
  fail_unless_equals_int (off.failure, GST_WCS_PEER_FAILURE_TIMEOUT);
  fail_unless (strstr (off.detail, "200 ms") != NULL, "%s", off.detail);
  /* the offer comes through once the thread is free: ignored */
  wcs_test_iterate (NULL, 3000);
  fail_unless_equals_int (off.failed, 1);
  fail_unless_equals_int (off.local_ready, 0);
  side_clear (&off);
}

GST_END_TEST;

static void
hold_op_thread (GstPromise * promise, gpointer user_data)
{
  /* webrtcbin's operation thread, replying to get-stats: what is queued
   * behind waits */
  g_atomic_int_set ((volatile gint *) user_data, 1);
  g_usleep (500 * 1000);
}

/* webrtcbin closes (NULL) with the offer still in its queue: it drops the
 * create-offer promise unanswered. The peer's reference on that promise
 * must not outlive it, or promise -> peer -> webrtcbin stays alive for good
 * (a player stopped within ms of starting left an ICE agent thread). */
GST_START_TEST (test_unanswered_releases_webrtcbin)
{
  volatile gint finalized = 0, holding = 0;
  GstElement *webrtc;
  GstPromise *p;
  Side s;

  offerer_init (&s);
  webrtc = gst_wcs_peer_get_webrtc (s.peer);
  g_object_weak_ref (G_OBJECT (webrtc), set_flag, (gpointer) & finalized);
  fail_unless (gst_element_set_state (s.pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  p = gst_promise_new_with_change_func (hold_op_thread, (gpointer) & holding,
      NULL);
  g_signal_emit_by_name (webrtc, "get-stats", NULL, p);
  gst_promise_unref (p);
  fail_unless (wcs_test_wait_flag (NULL, &holding, WAIT_MS));
  /* queued behind get-stats, never run: NULL stops the thread first */
  gst_wcs_peer_start (s.peer);
  gst_element_set_state (s.pipe, GST_STATE_NULL);

  gst_wcs_peer_close (s.peer);
  s.closed = TRUE;
  gst_wcs_peer_unref (s.peer);
  gst_object_unref (s.pipe);
  /* whatever the peer had queued on this context holds it: run it */
  wcs_test_iterate (NULL, 100);
  fail_unless_equals_int (g_atomic_int_get (&finalized), 1);
  fail_unless_equals_int (s.local_ready, 0);
  fail_unless_equals_int (g_atomic_int_get (&s.calls_after_close), 0);
  g_free (s.local);
  g_free (s.detail);
}

GST_END_TEST;

static void
count_above_null (const GValue * item, gpointer user_data)
{
  GstElement *e = g_value_get_object (item);

  if (GST_STATE (e) != GST_STATE_NULL)
    (*(guint *) user_data)++;
}

static guint
elements_above_null (GstElement * bin)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (bin));
  guint n = 0;

  while (gst_iterator_foreach (it, count_above_null, &n) ==
      GST_ITERATOR_RESYNC) {
    n = 0;
    gst_iterator_resync (it);
  }
  gst_iterator_free (it);
  return n;
}

/* An element a bin's own state change does not reach (here a locked one,
 * standing in for the transport webrtcbin's operation thread adds while
 * webrtcbin goes down) is left in READY by gst_element_set_state () and
 * later disposed in READY (CI: "Trying to dispose element nicesink4, but
 * it is in READY"); gst_wcs_peer_shutdown () sweeps it to NULL. */
GST_START_TEST (test_shutdown_sweeps_stragglers)
{
  GstElement *pipe = gst_pipeline_new (NULL);
  GstElement *inner = gst_bin_new (NULL);
  GstElement *straggler = gst_element_factory_make ("fakesink", NULL);

  gst_bin_add (GST_BIN (inner), gst_element_factory_make ("identity", NULL));
  gst_bin_add (GST_BIN (inner), straggler);
  gst_bin_add (GST_BIN (pipe), inner);
  fail_unless (gst_element_set_state (pipe, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  gst_element_set_locked_state (straggler, TRUE);

  /* the plain state change leaves it behind... */
  gst_element_set_state (pipe, GST_STATE_NULL);
  fail_unless_equals_int (GST_STATE (straggler), GST_STATE_READY);
  fail_unless_equals_int (elements_above_null (pipe), 1);

  /* ...the shutdown does not */
  gst_element_set_state (pipe, GST_STATE_READY);
  fail_unless (gst_wcs_peer_shutdown (pipe) == GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (GST_STATE (straggler), GST_STATE_NULL);
  fail_unless_equals_int (elements_above_null (pipe), 0);
  gst_object_unref (pipe);
}

GST_END_TEST;

/* The invariant on real webrtcbins: shut down at any moment of an offer
 * (before, during and after its transports are made), nothing inside is
 * left above NULL. */
GST_START_TEST (test_shutdown_any_moment)
{
  guint i;

  for (i = 0; i < 12; i++) {
    Side off;

    offerer_init (&off);
    fail_unless (gst_element_set_state (off.pipe, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    gst_wcs_peer_start (off.peer);
    if (i % 4)
      g_usleep (g_random_int_range (0, 40000) * (i % 4));
    gst_wcs_peer_close (off.peer);
    off.closed = TRUE;
    gst_wcs_peer_shutdown (off.pipe);
    fail_unless_equals_int (elements_above_null (off.pipe), 0);
    side_clear (&off);
  }
}

GST_END_TEST;

static Suite *
peer_suite (void)
{
  Suite *s = suite_create ("peer");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_offer_answer_media);
  tcase_add_test (tc, test_ice_tcp_only);
  tcase_add_test (tc, test_remote_refused);
  tcase_add_test (tc, test_close_stops_callbacks);
  tcase_add_test (tc, test_negotiation_timeout);
  tcase_add_test (tc, test_close_releases_webrtcbin);
  tcase_add_test (tc, test_unanswered_releases_webrtcbin);
  tcase_add_test (tc, test_shutdown_sweeps_stragglers);
  tcase_add_test (tc, test_shutdown_any_moment);
  suite_add_tcase (s, tc);
  return s;
}

WCS_CHECK_MAIN (peer);
