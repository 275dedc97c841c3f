/* gst-wcs: tests for the network watch (gst/gstwcsnetwatch.h)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The route check on loopback, and the debounce driven with
 * gst_wcs_net_watch_inject() on a private GMainContext that only the test
 * iterates: no timer can fire between the injected changes of a burst, so
 * the outcome does not depend on the machine's speed.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "gstwcsnetwatch.h"

#define DEBOUNCE_MS 200

/* ------------------------------------------------------------------------ */
/* route check */

GST_START_TEST (test_probe_route_loopback)
{
  gchar *src = gst_wcs_net_watch_probe_route ("127.0.0.1");

  fail_unless_equals_string (src, "127.0.0.1");
  g_free (src);

  /* not literal addresses: never resolved */
  fail_unless (gst_wcs_net_watch_probe_route (NULL) == NULL);
  fail_unless (gst_wcs_net_watch_probe_route ("") == NULL);
  fail_unless (gst_wcs_net_watch_probe_route ("localhost") == NULL);
  fail_unless (gst_wcs_net_watch_probe_route ("127.0.0.1:8080") == NULL);
  fail_unless (gst_wcs_net_watch_probe_route ("300.1.2.3") == NULL);

  /* the limited broadcast address has no route a plain socket may take
   * (connect() fails with EACCES without SO_BROADCAST) */
  fail_unless (gst_wcs_net_watch_probe_route ("255.255.255.255") == NULL);
}

GST_END_TEST;

GST_START_TEST (test_route_unchanged_on_loopback)
{
  gchar *src = NULL;

  fail_if (gst_wcs_net_watch_route_changed ("127.0.0.1", "127.0.0.1", &src));
  fail_unless_equals_string (src, "127.0.0.1");
  g_free (src);

  fail_if (gst_wcs_net_watch_route_changed ("127.0.0.1", "127.0.0.1", NULL));
}

GST_END_TEST;

GST_START_TEST (test_route_changed_from_non_local_address)
{
  gchar *src = NULL;

  /* 192.0.2.1 (TEST-NET-1) is not an address of this host: a connection
   * from it to the loopback would now leave from 127.0.0.1 */
  fail_unless (gst_wcs_net_watch_route_changed ("192.0.2.1", "127.0.0.1",
          &src));
  fail_unless_equals_string (src, "127.0.0.1");
  g_free (src);
}

GST_END_TEST;

GST_START_TEST (test_route_changed_when_unknown)
{
  gchar *src = (gchar *) "unset";

  /* no route any more */
  fail_unless (gst_wcs_net_watch_route_changed ("127.0.0.1",
          "255.255.255.255", &src));
  fail_unless (src == NULL);

  /* unparsable remote: cannot tell, so changed */
  src = (gchar *) "unset";
  fail_unless (gst_wcs_net_watch_route_changed ("127.0.0.1", "wcs.example",
          &src));
  fail_unless (src == NULL);
  fail_unless (gst_wcs_net_watch_route_changed ("127.0.0.1", "", NULL));

  /* addresses unknown (not connected) */
  fail_unless (gst_wcs_net_watch_route_changed (NULL, "127.0.0.1", NULL));
  fail_unless (gst_wcs_net_watch_route_changed ("127.0.0.1", NULL, NULL));
  fail_unless (gst_wcs_net_watch_route_changed (NULL, NULL, NULL));
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* debounce */

typedef struct
{
  guint reports;
  gboolean available;
  gboolean was;
  gint64 when;                  /* monotonic us of the last report */
  gboolean free_in_callback;
} Reports;

static void
on_report (GstWcsNetWatch * watch, gboolean available, gboolean was,
    gpointer data)
{
  Reports *r = data;

  r->reports++;
  r->available = available;
  r->was = was;
  r->when = g_get_monotonic_time ();
  if (r->free_in_callback)
    gst_wcs_net_watch_free (watch);
}

/* iterates @ctx until @r has @n reports (or 10 s passed) */
static void
wait_reports (GMainContext * ctx, Reports * r, guint n)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (r->reports < n && g_get_monotonic_time () < end) {
    if (!g_main_context_iteration (ctx, FALSE))
      g_usleep (2000);
  }
}

/* iterates @ctx for @ms, long enough for a pending debounce to fire */
static void
run_for (GMainContext * ctx, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end) {
    if (!g_main_context_iteration (ctx, FALSE))
      g_usleep (2000);
  }
}

GST_START_TEST (test_debounce_burst_is_one_report)
{
  GMainContext *ctx = g_main_context_new ();
  Reports r = { 0, };
  GstWcsNetWatch *watch = gst_wcs_net_watch_new (ctx, DEBOUNCE_MS,
      on_report, &r);
  gint64 last;

  fail_unless (gst_wcs_net_watch_get_available (watch));

  /* a burst: the context is not iterated in between, so no timer fires */
  gst_wcs_net_watch_inject (watch, FALSE);
  gst_wcs_net_watch_inject (watch, TRUE);
  gst_wcs_net_watch_inject (watch, FALSE);
  g_usleep (50 * 1000);
  gst_wcs_net_watch_inject (watch, TRUE);
  g_usleep (50 * 1000);
  last = g_get_monotonic_time ();
  gst_wcs_net_watch_inject (watch, FALSE);
  fail_unless_equals_int (r.reports, 0);

  wait_reports (ctx, &r, 1);
  fail_unless_equals_int (r.reports, 1);
  fail_if (r.available);        /* the last reported availability */
  fail_unless (r.was);
  fail_if (gst_wcs_net_watch_get_available (watch));
  /* the timer was restarted by the last change, not kept from the first */
  fail_unless (r.when - last >= DEBOUNCE_MS * G_TIME_SPAN_MILLISECOND,
      "reported %" G_GINT64_FORMAT " us after the last change",
      r.when - last);

  /* nothing else is pending */
  run_for (ctx, 2 * DEBOUNCE_MS);
  fail_unless_equals_int (r.reports, 1);

  gst_wcs_net_watch_free (watch);
  g_main_context_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_debounce_reports_each_settled_burst)
{
  GMainContext *ctx = g_main_context_new ();
  Reports r = { 0, };
  GstWcsNetWatch *watch = gst_wcs_net_watch_new (ctx, DEBOUNCE_MS,
      on_report, &r);

  /* a burst that ends where it began is still reported */
  gst_wcs_net_watch_inject (watch, FALSE);
  gst_wcs_net_watch_inject (watch, TRUE);
  wait_reports (ctx, &r, 1);
  fail_unless_equals_int (r.reports, 1);
  fail_unless (r.available);
  fail_unless (r.was);

  /* going away ... */
  gst_wcs_net_watch_inject (watch, FALSE);
  wait_reports (ctx, &r, 2);
  fail_unless_equals_int (r.reports, 2);
  fail_if (r.available);
  fail_unless (r.was);

  /* ... and coming back: was is the previous report */
  gst_wcs_net_watch_inject (watch, TRUE);
  wait_reports (ctx, &r, 3);
  fail_unless_equals_int (r.reports, 3);
  fail_unless (r.available);
  fail_if (r.was);
  fail_unless (gst_wcs_net_watch_get_available (watch));

  gst_wcs_net_watch_free (watch);
  g_main_context_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_stop_drops_pending_change)
{
  GMainContext *ctx = g_main_context_new ();
  Reports r = { 0, };
  GstWcsNetWatch *watch = gst_wcs_net_watch_new (ctx, DEBOUNCE_MS,
      on_report, &r);

  gst_wcs_net_watch_inject (watch, FALSE);
  gst_wcs_net_watch_stop (watch);
  gst_wcs_net_watch_stop (watch);
  run_for (ctx, 2 * DEBOUNCE_MS);
  fail_unless_equals_int (r.reports, 0);
  fail_unless (gst_wcs_net_watch_get_available (watch));

  /* freed with a change pending: its timer goes too */
  gst_wcs_net_watch_inject (watch, FALSE);
  gst_wcs_net_watch_free (watch);
  run_for (ctx, 2 * DEBOUNCE_MS);
  fail_unless_equals_int (r.reports, 0);

  g_main_context_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_free_in_callback)
{
  GMainContext *ctx = g_main_context_new ();
  Reports r = { 0, };
  GstWcsNetWatch *watch = gst_wcs_net_watch_new (ctx, DEBOUNCE_MS,
      on_report, &r);

  r.free_in_callback = TRUE;
  gst_wcs_net_watch_inject (watch, FALSE);
  wait_reports (ctx, &r, 1);
  fail_unless_equals_int (r.reports, 1);
  run_for (ctx, 2 * DEBOUNCE_MS);
  fail_unless_equals_int (r.reports, 1);

  g_main_context_unref (ctx);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* the real monitor */

typedef struct
{
  GMainContext *ctx;
  GAsyncQueue *held;
  GAsyncQueue *release;
} Holder;

/* owns the context until told to let go, as a running loop would */
static gpointer
hold_context (gpointer data)
{
  Holder *h = data;

  fail_unless (g_main_context_acquire (h->ctx));
  g_async_queue_push (h->held, GINT_TO_POINTER (1));
  g_async_queue_pop (h->release);
  g_main_context_release (h->ctx);
  return NULL;
}

GST_START_TEST (test_start_on_private_context)
{
  GMainContext *ctx = g_main_context_new ();
  Reports r = { 0, };
  GstWcsNetWatch *watch = gst_wcs_net_watch_new (ctx, DEBOUNCE_MS,
      on_report, &r);
  Holder h = { ctx, g_async_queue_new (), g_async_queue_new () };
  GError *err = NULL;
  GThread *t;

  /* a context run by another thread: refused, no monitor made */
  t = g_thread_new ("holder", hold_context, &h);
  g_async_queue_pop (h.held);
  fail_if (gst_wcs_net_watch_start (watch, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_BUSY));
  g_clear_error (&err);
  g_async_queue_push (h.release, GINT_TO_POINTER (1));
  g_thread_join (t);
  g_async_queue_unref (h.held);
  g_async_queue_unref (h.release);

  /* Real changes may come from the host while this runs (other tests make
   * interfaces): only starting and stopping are checked here, the reports
   * are the business of the injected tests above and elements/netchange. */
  if (!gst_wcs_net_watch_start (watch, &err)) {
    GST_WARNING ("no network monitor: %s", err ? err->message : "?");
    g_clear_error (&err);
  } else {
    fail_unless (gst_wcs_net_watch_start (watch, NULL));        /* idempotent */
    gst_wcs_net_watch_stop (watch);
    fail_unless (gst_wcs_net_watch_start (watch, NULL));        /* again */
  }
  gst_wcs_net_watch_stop (watch);
  run_for (ctx, 2 * DEBOUNCE_MS);
  fail_unless_equals_int (r.reports, 0);

  gst_wcs_net_watch_free (watch);
  g_main_context_unref (ctx);
}

GST_END_TEST;

static Suite *
netwatch_suite (void)
{
  Suite *s = suite_create ("wcsnetwatch");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_probe_route_loopback);
  tcase_add_test (tc, test_route_unchanged_on_loopback);
  tcase_add_test (tc, test_route_changed_from_non_local_address);
  tcase_add_test (tc, test_route_changed_when_unknown);
  tcase_add_test (tc, test_debounce_burst_is_one_report);
  tcase_add_test (tc, test_debounce_reports_each_settled_burst);
  tcase_add_test (tc, test_stop_drops_pending_change);
  tcase_add_test (tc, test_free_in_callback);
  tcase_add_test (tc, test_start_on_private_context);
  return s;
}

GST_CHECK_MAIN (netwatch);
