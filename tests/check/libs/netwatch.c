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

#include <string.h>

#include <gst/check/gstcheck.h>

#include "gstwcsnetwatch.h"
#include "wcstestutil.h"

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

/* a watch on a private context that only the test iterates */
typedef struct
{
  GMainContext *ctx;
  Reports r;
  GstWcsNetWatch *watch;
} Fixture;

static void
fixture_init (Fixture * f)
{
  memset (f, 0, sizeof (*f));
  f->ctx = g_main_context_new ();
  f->watch = gst_wcs_net_watch_new (f->ctx, DEBOUNCE_MS, on_report, &f->r);
}

static void
fixture_clear (Fixture * f)
{
  gst_wcs_net_watch_free (f->watch);
  g_main_context_unref (f->ctx);
}

/* iterates long enough for a pending debounce to fire: still @n reports */
static void
expect_no_more (Fixture * f, guint n)
{
  gint64 end = g_get_monotonic_time () +
      2 * DEBOUNCE_MS * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end) {
    if (!g_main_context_iteration (f->ctx, FALSE))
      g_usleep (2000);
  }
  fail_unless_equals_int (f->r.reports, n);
}

/* waits for report @n and checks what it says */
static void
expect_report (Fixture * f, guint n, gboolean available, gboolean was)
{
  wait_reports (f->ctx, &f->r, n);
  fail_unless_equals_int (f->r.reports, n);
  fail_unless_equals_int (f->r.available, available);
  fail_unless_equals_int (f->r.was, was);
  fail_unless_equals_int (gst_wcs_net_watch_get_available (f->watch),
      available);
}

GST_START_TEST (test_debounce_burst_is_one_report)
{
  Fixture f;
  gint64 last;

  fixture_init (&f);
  fail_unless (gst_wcs_net_watch_get_available (f.watch));

  /* a burst: the context is not iterated in between, so no timer fires */
  gst_wcs_net_watch_inject (f.watch, FALSE);
  gst_wcs_net_watch_inject (f.watch, TRUE);
  gst_wcs_net_watch_inject (f.watch, FALSE);
  g_usleep (50 * 1000);
  gst_wcs_net_watch_inject (f.watch, TRUE);
  g_usleep (50 * 1000);
  last = g_get_monotonic_time ();
  gst_wcs_net_watch_inject (f.watch, FALSE);
  fail_unless_equals_int (f.r.reports, 0);

  /* one report, with the last reported availability */
  expect_report (&f, 1, FALSE, TRUE);
  /* the timer was restarted by the last change, not kept from the first */
  fail_unless (f.r.when - last >= DEBOUNCE_MS * G_TIME_SPAN_MILLISECOND,
      "reported %" G_GINT64_FORMAT " us after the last change",
      f.r.when - last);

  /* nothing else is pending */
  expect_no_more (&f, 1);

  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_debounce_reports_each_settled_burst)
{
  Fixture f;

  fixture_init (&f);
  /* a burst that ends where it began is still reported */
  gst_wcs_net_watch_inject (f.watch, FALSE);
  gst_wcs_net_watch_inject (f.watch, TRUE);
  expect_report (&f, 1, TRUE, TRUE);

  /* going away ... */
  gst_wcs_net_watch_inject (f.watch, FALSE);
  expect_report (&f, 2, FALSE, TRUE);

  /* ... and coming back: was is the previous report */
  gst_wcs_net_watch_inject (f.watch, TRUE);
  expect_report (&f, 3, TRUE, FALSE);

  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_stop_drops_pending_change)
{
  Fixture f;

  fixture_init (&f);
  gst_wcs_net_watch_inject (f.watch, FALSE);
  gst_wcs_net_watch_stop (f.watch);
  gst_wcs_net_watch_stop (f.watch);
  expect_no_more (&f, 0);
  fail_unless (gst_wcs_net_watch_get_available (f.watch));

  /* freed with a change pending: its timer goes too */
  gst_wcs_net_watch_inject (f.watch, FALSE);
  g_clear_pointer (&f.watch, gst_wcs_net_watch_free);
  expect_no_more (&f, 0);

  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_free_in_callback)
{
  Fixture f;

  fixture_init (&f);
  f.r.free_in_callback = TRUE;
  gst_wcs_net_watch_inject (f.watch, FALSE);
  f.watch = NULL;               /* the callback frees it */
  wait_reports (f.ctx, &f.r, 1);
  fail_unless_equals_int (f.r.reports, 1);
  expect_no_more (&f, 1);

  fixture_clear (&f);
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
  Fixture f;
  Holder h;
  GError *err = NULL;
  GThread *t;

  fixture_init (&f);
  h.ctx = f.ctx;
  h.held = g_async_queue_new ();
  h.release = g_async_queue_new ();
  /* a context run by another thread: refused, no monitor made */
  t = g_thread_new ("holder", hold_context, &h);
  g_async_queue_pop (h.held);
  fail_if (gst_wcs_net_watch_start (f.watch, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_BUSY));
  g_clear_error (&err);
  g_async_queue_push (h.release, GINT_TO_POINTER (1));
  g_thread_join (t);
  g_async_queue_unref (h.held);
  g_async_queue_unref (h.release);

  /* Real changes may come from the host while this runs (other tests make
   * interfaces): only starting and stopping are checked here, the reports
   * are the business of the injected tests above and elements/netchange. */
  if (!gst_wcs_net_watch_start (f.watch, &err)) {
    GST_WARNING ("no network monitor: %s", err ? err->message : "?");
    g_clear_error (&err);
  } else {
    /* idempotent, and can start again after a stop */
    fail_unless (gst_wcs_net_watch_start (f.watch, NULL));
    gst_wcs_net_watch_stop (f.watch);
    fail_unless (gst_wcs_net_watch_start (f.watch, NULL));
  }
  gst_wcs_net_watch_stop (f.watch);
  expect_no_more (&f, 0);

  fixture_clear (&f);
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

WCS_CHECK_MAIN (netwatch);
