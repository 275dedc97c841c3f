/* gst-wcs: tests for the restore policy (gst/gstwcsrestore.h)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Driven by a GstTestClock, plus one short run on the system clock.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gsttestclock.h>

#include "gstwcsrestore.h"
#include "gstwcsfailover.h"
#include "wcstestutil.h"

#define MS(x) ((GstClockTime) (x) * GST_MSECOND)

typedef enum
{
  EV_SCHEDULED,
  EV_ATTEMPT,
  EV_RESTORED,
  EV_GAVE_UP,
} EventType;

typedef struct
{
  EventType type;
  GstWcsRestoreReason reason;
  guint attempt;
  guint max_tries;
  guint delay_ms;
  guint64 downtime_ms;
} Event;

typedef struct
{
  GMutex lock;
  GCond cond;
  GArray *events;
  GstWcsRestorePolicy *policy;
  /* in "attempt": report a failure with this reason (NONE: don't) */
  GstWcsRestoreReason fail_in_attempt;
  /* in every handler: read the policy's state (deadlocks if a signal is
   * emitted with the policy's lock held) */
  guint attempt_seen_in_handler;
} Recorder;

static void
record (Recorder * r, Event * ev)
{
  g_mutex_lock (&r->lock);
  g_array_append_val (r->events, *ev);
  g_cond_broadcast (&r->cond);
  g_mutex_unlock (&r->lock);
}

static void
on_scheduled (GstWcsRestorePolicy * p, GstWcsRestoreReason reason,
    guint attempt, guint max_tries, guint delay_ms, Recorder * r)
{
  Event ev = { EV_SCHEDULED, reason, attempt, max_tries, delay_ms, 0 };

  r->attempt_seen_in_handler = gst_wcs_restore_policy_get_attempt (p);
  record (r, &ev);
}

static void
on_attempt (GstWcsRestorePolicy * p, GstWcsRestoreReason reason,
    guint attempt, guint max_tries, Recorder * r)
{
  Event ev = { EV_ATTEMPT, reason, attempt, max_tries, 0, 0 };

  r->attempt_seen_in_handler = gst_wcs_restore_policy_get_attempt (p);
  record (r, &ev);
  if (r->fail_in_attempt != GST_WCS_RESTORE_REASON_NONE)
    gst_wcs_restore_policy_failure (p, r->fail_in_attempt, FALSE);
}

static void
on_restored (GstWcsRestorePolicy * p, GstWcsRestoreReason reason,
    guint attempts, guint64 downtime_ms, Recorder * r)
{
  Event ev = { EV_RESTORED, reason, attempts, 0, 0, downtime_ms };

  fail_if (gst_wcs_restore_policy_in_outage (p));
  record (r, &ev);
}

static void
on_gave_up (GstWcsRestorePolicy * p, GstWcsRestoreReason reason,
    guint attempt, guint max_tries, Recorder * r)
{
  Event ev = { EV_GAVE_UP, reason, attempt, max_tries, 0, 0 };

  fail_if (gst_wcs_restore_policy_in_outage (p));
  record (r, &ev);
}

static void
recorder_init (Recorder * r, GstWcsRestorePolicy * p)
{
  memset (r, 0, sizeof (*r));
  g_mutex_init (&r->lock);
  g_cond_init (&r->cond);
  r->events = g_array_new (FALSE, TRUE, sizeof (Event));
  r->policy = p;
  g_signal_connect (p, "scheduled", G_CALLBACK (on_scheduled), r);
  g_signal_connect (p, "attempt", G_CALLBACK (on_attempt), r);
  g_signal_connect (p, "restored", G_CALLBACK (on_restored), r);
  g_signal_connect (p, "gave-up", G_CALLBACK (on_gave_up), r);
}

static void
recorder_clear (Recorder * r)
{
  g_signal_handlers_disconnect_by_data (r->policy, r);
  g_array_unref (r->events);
  g_mutex_clear (&r->lock);
  g_cond_clear (&r->cond);
}

static guint
n_events (Recorder * r)
{
  guint n;

  g_mutex_lock (&r->lock);
  n = r->events->len;
  g_mutex_unlock (&r->lock);
  return n;
}

static Event
last_event (Recorder * r)
{
  Event ev;

  g_mutex_lock (&r->lock);
  fail_unless (r->events->len > 0);
  ev = g_array_index (r->events, Event, r->events->len - 1);
  g_mutex_unlock (&r->lock);
  return ev;
}

static guint
count_type (Recorder * r, EventType type)
{
  guint i, n = 0;

  g_mutex_lock (&r->lock);
  for (i = 0; i < r->events->len; i++)
    if (g_array_index (r->events, Event, i).type == type)
      n++;
  g_mutex_unlock (&r->lock);
  return n;
}

static GstWcsRestorePolicy *
new_policy (GstClock ** clock_out, guint timeout, guint initial,
    gdouble jitter, guint max_tries)
{
  GstClock *clock = gst_test_clock_new_with_start_time (MS (10000));
  GstWcsRestorePolicy *p = gst_wcs_restore_policy_new (clock);
  GstClock *c2 = NULL;

  g_object_set (p, "timeout", timeout, "initial-delay", initial, "jitter",
      jitter, "max-tries", max_tries, NULL);
  g_object_get (p, "clock", &c2, NULL);
  fail_unless (c2 == clock);
  gst_object_unref (c2);
  *clock_out = clock;
  return p;
}

/* The only pending clock id: its delay from now, in ms. Asserts there is
 * exactly one. */
static guint
pending_delay_ms (GstClock * clock)
{
  GstClockID id = NULL;
  GstClockTime t, now = gst_clock_get_time (clock);
  guint ret;

  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 1);
  fail_unless (gst_test_clock_peek_next_pending_id (GST_TEST_CLOCK (clock),
          &id));
  t = gst_clock_id_get_time (id);
  gst_clock_id_unref (id);
  fail_unless (t >= now);
  ret = (guint) ((t - now) / GST_MSECOND);
  fail_unless_equals_uint64 ((t - now) % GST_MSECOND, 0);
  return ret;
}

/* Advances the test clock to the pending id and fires it. Asserts that it
 * did not fire a moment earlier. */
static void
fire_pending (GstClock * clock)
{
  GstTestClock *tc = GST_TEST_CLOCK (clock);
  GstClockID id = NULL, fired;
  GstClockTime t, now = gst_clock_get_time (clock);

  fail_unless (gst_test_clock_peek_next_pending_id (tc, &id));
  t = gst_clock_id_get_time (id);
  if (t > now + 1) {
    gst_test_clock_set_time (tc, t - 1);
    /* not due yet */
    fail_unless (gst_test_clock_process_next_clock_id (tc) == NULL);
  }
  if (t > gst_clock_get_time (clock))
    gst_test_clock_set_time (tc, t);
  fired = gst_test_clock_process_next_clock_id (tc);
  fail_unless (fired == id);
  gst_clock_id_unref (fired);
  gst_clock_id_unref (id);
}

/* failure -> check the scheduled delay -> fire -> check the attempt */
static guint
fail_and_fire (GstWcsRestorePolicy * p, GstClock * clock, Recorder * r,
    GstWcsRestoreReason reason, guint expected_attempt)
{
  Event ev;
  guint delay, n = n_events (r);

  fail_unless_equals_int (gst_wcs_restore_policy_failure (p, reason, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (n_events (r), n + 1);
  ev = last_event (r);
  fail_unless_equals_int (ev.type, EV_SCHEDULED);
  fail_unless_equals_int (ev.reason, reason);
  fail_unless_equals_int (ev.attempt, expected_attempt);
  fail_unless_equals_int (gst_wcs_restore_policy_get_attempt (p),
      expected_attempt);
  fail_unless (gst_wcs_restore_policy_in_outage (p));
  delay = pending_delay_ms (clock);
  fail_unless_equals_int (delay, ev.delay_ms);

  /* no attempt before the clock says so */
  fail_unless_equals_int (n_events (r), n + 1);
  fire_pending (clock);
  fail_unless_equals_int (n_events (r), n + 2);
  ev = last_event (r);
  fail_unless_equals_int (ev.type, EV_ATTEMPT);
  fail_unless_equals_int (ev.reason, reason);
  fail_unless_equals_int (ev.attempt, expected_attempt);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);
  return delay;
}

/* ------------------------------------------------------------------------ */

GST_START_TEST (test_schedule_defaults)
{
  GstClock *clock = gst_test_clock_new ();
  GstWcsRestorePolicy *p = gst_wcs_restore_policy_new (clock);
  Recorder r;
  const guint expected[] = { 0, 100, 200, 400, 800, 1600, 3000, 3000 };
  guint i, max_tries, timeout, initial;
  gboolean enabled;
  gdouble jitter;

  /* defaults as documented */
  g_object_get (p, "enabled", &enabled, "max-tries", &max_tries, "timeout",
      &timeout, "initial-delay", &initial, "jitter", &jitter, NULL);
  fail_unless (enabled);
  fail_unless_equals_int (max_tries, 100);
  fail_unless_equals_int (timeout, 3000);
  fail_unless_equals_int (initial, 100);
  fail_unless (jitter > 0.199 && jitter < 0.201);
  fail_if (gst_wcs_restore_policy_in_outage (p));
  fail_unless_equals_int (gst_wcs_restore_policy_get_attempt (p), 0);

  g_object_set (p, "jitter", 0.0, NULL);
  recorder_init (&r, p);
  for (i = 0; i < G_N_ELEMENTS (expected); i++) {
    guint delay = fail_and_fire (p, clock, &r,
        GST_WCS_RESTORE_REASON_SESSION_FAILED, i + 1);
    fail_unless_equals_int (delay, expected[i]);
    fail_unless_equals_int (last_event (&r).max_tries, 100);
  }

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

static void
check_exact_schedule (guint timeout, guint initial, const guint * expected,
    guint n)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, timeout, initial, 0.0, 1000);
  Recorder r;
  guint i;

  recorder_init (&r, p);
  for (i = 0; i < n; i++) {
    guint delay = fail_and_fire (p, clock, &r,
        GST_WCS_RESTORE_REASON_PINGS_MISSED, i + 1);
    fail_unless_equals_int (delay, expected[i]);
    fail_unless (delay <= timeout);
  }
  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_START_TEST (test_schedule_small_and_large_values)
{
  /* small timeout: the cap wins from attempt 2 on */
  {
    const guint e[] = { 0, 100, 100, 100, 100 };
    check_exact_schedule (100, 250, e, G_N_ELEMENTS (e));
  }
  /* tiny values */
  {
    const guint e[] = { 0, 1, 2, 4, 5, 5 };
    check_exact_schedule (5, 1, e, G_N_ELEMENTS (e));
  }
  /* timeout 0: every attempt at once (still one per failure) */
  {
    const guint e[] = { 0, 0, 0, 0 };
    check_exact_schedule (0, 250, e, G_N_ELEMENTS (e));
  }
  /* initial-delay 0 */
  {
    const guint e[] = { 0, 0, 0 };
    check_exact_schedule (3000, 0, e, G_N_ELEMENTS (e));
  }
  /* large: a minute cap, 1 s initial */
  {
    const guint e[] = { 0, 1000, 2000, 4000, 8000, 16000, 32000, 60000,
      60000
    };
    check_exact_schedule (60000, 1000, e, G_N_ELEMENTS (e));
  }
  /* initial above the cap */
  {
    const guint e[] = { 0, 3000, 3000 };
    check_exact_schedule (3000, 10000, e, G_N_ELEMENTS (e));
  }
}

GST_END_TEST;

GST_START_TEST (test_schedule_no_overflow_after_many_attempts)
{
  GstClock *clock;
  GstWcsRestorePolicy *p;
  Recorder r;
  guint i, delay = 0;

  /* drive an outage far: attempts 1..70 with the cap at 2^31-1 ms; 1000 *
   * 2^n grows past 32 and 64 bits: it must stay capped, never wrap */
  p = new_policy (&clock, G_MAXINT32, 1000, 0.0, G_MAXUINT);
  recorder_init (&r, p);
  for (i = 1; i <= 70; i++) {
    guint d = fail_and_fire (p, clock, &r, GST_WCS_RESTORE_REASON_STREAM_FAILED,
        i);
    guint64 expect = i == 1 ? 0 : MIN ((guint64) G_MAXINT32,
        i - 2 >= 40 ? G_MAXUINT64 : 1000 * (G_GUINT64_CONSTANT (1) << (i - 2)));

    fail_unless_equals_uint64 ((guint64) d, expect);
    fail_unless (d >= delay);
    delay = d;
  }
  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

GST_START_TEST (test_jitter_bounds)
{
  const guint timeouts[] = { 3000, 700, 60000 };
  guint t, seed, i;
  guint below = 0, above = 0, at_base = 0, capped = 0;

  for (t = 0; t < G_N_ELEMENTS (timeouts); t++) {
    for (seed = 1; seed <= 60; seed++) {
      GstClock *clock;
      GstWcsRestorePolicy *p = new_policy (&clock, timeouts[t], 250, 0.2, 100);
      Recorder r;

      gst_wcs_restore_policy_set_seed (p, seed);
      recorder_init (&r, p);
      for (i = 1; i <= 10; i++) {
        guint d = fail_and_fire (p, clock, &r,
            GST_WCS_RESTORE_REASON_NETWORK_CHANGED, i);
        guint64 base = i == 1 ? 0 : MIN ((guint64) timeouts[t],
            250 * (G_GUINT64_CONSTANT (1) << (i - 2)));
        guint64 lo = (guint64) (base * 0.8), hi = MIN ((guint64) timeouts[t],
            (guint64) (base * 1.2 + 0.5));

        if (i == 1) {
          fail_unless_equals_int (d, 0);
          continue;
        }
        fail_unless (d >= lo && d <= hi,
            "timeout %u seed %u attempt %u: %u not in [%" G_GUINT64_FORMAT
            ", %" G_GUINT64_FORMAT "]", timeouts[t], seed, i, d, lo, hi);
        fail_unless (d <= timeouts[t]);
        if (d < base)
          below++;
        else if (d > base)
          above++;
        else
          at_base++;
        if (base == timeouts[t] && d < base)
          capped++;
      }
      recorder_clear (&r);
      gst_object_unref (p);
      gst_object_unref (clock);
    }
  }
  /* the jitter really spreads the delays both ways, also at the cap */
  GST_INFO ("below %u above %u at base %u, spread at cap %u", below, above,
      at_base, capped);
  fail_unless (below > 100);
  fail_unless (above > 100);
  fail_unless (capped > 50);
}

GST_END_TEST;

static GArray *
delays_for_seed (guint32 seed, gdouble jitter)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, jitter, 100);
  GArray *a = g_array_new (FALSE, FALSE, sizeof (guint));
  Recorder r;
  guint i;

  gst_wcs_restore_policy_set_seed (p, seed);
  recorder_init (&r, p);
  for (i = 1; i <= 8; i++) {
    guint d = fail_and_fire (p, clock, &r,
        GST_WCS_RESTORE_REASON_BITRATE_ZERO, i);
    g_array_append_val (a, d);
  }
  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
  return a;
}

GST_START_TEST (test_jitter_seed_and_zero)
{
  GArray *a = delays_for_seed (42, 0.2);
  GArray *b = delays_for_seed (42, 0.2);
  GArray *c = delays_for_seed (4242, 0.2);
  const guint exact[] = { 0, 250, 500, 1000, 2000, 3000, 3000, 3000 };
  guint i, differ = 0;

  /* same seed, same delays; another seed, other delays */
  for (i = 0; i < a->len; i++) {
    fail_unless_equals_int (g_array_index (a, guint, i),
        g_array_index (b, guint, i));
    if (g_array_index (a, guint, i) != g_array_index (c, guint, i))
      differ++;
  }
  fail_unless (differ >= 3);
  g_array_unref (a);
  g_array_unref (b);
  g_array_unref (c);

  /* jitter 0: exact, whatever the seed */
  for (i = 1; i <= 5; i++) {
    guint j;

    a = delays_for_seed (i, 0.0);
    for (j = 0; j < a->len; j++)
      fail_unless_equals_int (g_array_index (a, guint, j), exact[j]);
    g_array_unref (a);
  }

  /* jitter 1: within [0, min (timeout, 2*base)] */
  for (i = 1; i <= 20; i++) {
    guint j;

    a = delays_for_seed (i, 1.0);
    fail_unless_equals_int (g_array_index (a, guint, 0), 0);
    for (j = 1; j < a->len; j++)
      fail_unless (g_array_index (a, guint, j) <= MIN (3000, 2 * exact[j]));
    g_array_unref (a);
  }
}

GST_END_TEST;

GST_START_TEST (test_give_up_after_max_tries)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.0, 3);
  Recorder r;
  Event ev;

  recorder_init (&r, p);
  fail_and_fire (p, clock, &r, GST_WCS_RESTORE_REASON_SESSION_FAILED, 1);
  fail_and_fire (p, clock, &r, GST_WCS_RESTORE_REASON_SESSION_FAILED, 2);
  fail_and_fire (p, clock, &r, GST_WCS_RESTORE_REASON_PINGS_MISSED, 3);
  fail_unless_equals_int (last_event (&r).max_tries, 3);

  /* the failure of attempt 3 is the end: gave-up names the last reason */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE),
      GST_WCS_RESTORE_GAVE_UP);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_GAVE_UP);
  fail_unless_equals_int (ev.reason, GST_WCS_RESTORE_REASON_STREAM_FAILED);
  fail_unless_equals_int (ev.attempt, 3);
  fail_unless_equals_int (ev.max_tries, 3);
  fail_unless_equals_int (count_type (&r, EV_GAVE_UP), 1);
  fail_unless_equals_int (count_type (&r, EV_ATTEMPT), 3);
  fail_if (gst_wcs_restore_policy_in_outage (p));
  fail_unless_equals_int (gst_wcs_restore_policy_get_attempt (p), 0);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);

  /* nothing more fires */
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), MS (60000));
  fail_unless (gst_test_clock_process_next_clock_id (GST_TEST_CLOCK (clock))
      == NULL);

  /* a later failure is a new outage: attempt 1, at once */
  fail_unless_equals_int (fail_and_fire (p, clock, &r,
          GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, 1), 0);

  /* max-tries lowered during an outage: the next failure gives up */
  g_object_set (p, "max-tries", 1, NULL);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, FALSE),
      GST_WCS_RESTORE_GAVE_UP);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_GAVE_UP);
  fail_unless_equals_int (ev.attempt, 1);
  fail_unless_equals_int (ev.max_tries, 1);

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

GST_START_TEST (test_disabled)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.2, 0);
  Recorder r;

  recorder_init (&r, p);
  /* max-tries 0 */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_DISABLED);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, TRUE),
      GST_WCS_RESTORE_DISABLED);
  fail_unless_equals_int (n_events (&r), 0);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);
  fail_if (gst_wcs_restore_policy_in_outage (p));

  /* enabled=FALSE */
  g_object_set (p, "max-tries", 5, "enabled", FALSE, NULL);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE),
      GST_WCS_RESTORE_DISABLED);
  fail_unless_equals_int (n_events (&r), 0);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);

  /* disabling while an attempt is scheduled cancels it, silently */
  g_object_set (p, "enabled", TRUE, NULL);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 1);
  g_object_set (p, "enabled", FALSE, NULL);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);
  fail_if (gst_wcs_restore_policy_in_outage (p));
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), MS (10000));
  fail_unless (gst_test_clock_process_next_clock_id (GST_TEST_CLOCK (clock))
      == NULL);
  fail_unless_equals_int (count_type (&r, EV_ATTEMPT), 0);
  fail_unless_equals_int (n_events (&r), 1);    /* the "scheduled" */

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

GST_START_TEST (test_permanent_gives_up_at_once)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.2, 100);
  Recorder r;
  Event ev;

  recorder_init (&r, p);
  /* first failure of an outage, permanent */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_STREAM_FAILED, TRUE), GST_WCS_RESTORE_GAVE_UP);
  fail_unless_equals_int (n_events (&r), 1);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_GAVE_UP);
  fail_unless_equals_int (ev.reason, GST_WCS_RESTORE_REASON_STREAM_FAILED);
  fail_unless_equals_int (ev.attempt, 0);
  fail_unless_equals_int (ev.max_tries, 100);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);
  fail_if (gst_wcs_restore_policy_in_outage (p));

  /* permanent while an attempt is scheduled: the attempt is dropped */
  fail_and_fire (p, clock, &r, GST_WCS_RESTORE_REASON_SESSION_FAILED, 1);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 1);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_STREAM_FAILED, TRUE), GST_WCS_RESTORE_GAVE_UP);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_GAVE_UP);
  fail_unless_equals_int (ev.reason, GST_WCS_RESTORE_REASON_STREAM_FAILED);
  fail_unless_equals_int (ev.attempt, 2);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), MS (10000));
  fail_unless (gst_test_clock_process_next_clock_id (GST_TEST_CLOCK (clock))
      == NULL);
  fail_unless_equals_int (count_type (&r, EV_ATTEMPT), 1);

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

GST_START_TEST (test_success_resets_and_measures_downtime)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.0, 100);
  GstTestClock *tc;
  Recorder r;
  Event ev;

  tc = GST_TEST_CLOCK (clock);
  recorder_init (&r, p);

  /* success outside an outage: nothing */
  gst_wcs_restore_policy_success (p);
  fail_unless_equals_int (n_events (&r), 0);

  /* t0: failure, attempt 1 at once */
  fail_and_fire (p, clock, &r, GST_WCS_RESTORE_REASON_PINGS_MISSED, 1);
  /* the attempt takes 100 ms and fails */
  gst_test_clock_advance_time (tc, MS (100));
  /* attempt 2 after 250 ms */
  fail_unless_equals_int (fail_and_fire (p, clock, &r,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, 2), 250);
  /* it takes 400 ms and succeeds */
  gst_test_clock_advance_time (tc, MS (400));
  gst_wcs_restore_policy_success (p);

  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_RESTORED);
  fail_unless_equals_int (ev.reason, GST_WCS_RESTORE_REASON_SESSION_FAILED);
  fail_unless_equals_int (ev.attempt, 2);
  fail_unless_equals_uint64 (ev.downtime_ms, 750);
  fail_if (gst_wcs_restore_policy_in_outage (p));
  fail_unless_equals_int (gst_wcs_restore_policy_get_attempt (p), 0);
  fail_unless_equals_int (gst_wcs_restore_policy_get_reason (p),
      GST_WCS_RESTORE_REASON_NONE);

  /* a second success is not another "restored" */
  gst_wcs_restore_policy_success (p);
  fail_unless_equals_int (count_type (&r, EV_RESTORED), 1);

  /* the count starts over: attempt 1 at once, then 250 */
  fail_unless_equals_int (fail_and_fire (p, clock, &r,
          GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, 1), 0);
  fail_unless_equals_int (fail_and_fire (p, clock, &r,
          GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, 2), 250);

  /* success while an attempt is still scheduled (the stream came back by
   * itself): the attempt is cancelled, restored reports 3 attempts so far */
  gst_test_clock_advance_time (tc, MS (5));
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (pending_delay_ms (clock), 500);
  gst_test_clock_advance_time (tc, MS (20));
  gst_wcs_restore_policy_success (p);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_RESTORED);
  fail_unless_equals_int (ev.attempt, 3);
  fail_unless_equals_uint64 (ev.downtime_ms, 250 + 5 + 20);
  fail_unless_equals_int (gst_test_clock_peek_id_count (tc), 0);
  gst_test_clock_advance_time (tc, MS (10000));
  fail_unless (gst_test_clock_process_next_clock_id (tc) == NULL);

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

GST_START_TEST (test_no_double_scheduling)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.0, 100);
  Recorder r;
  Event ev;
  guint i;

  recorder_init (&r, p);
  /* a session failure and the stream failures it causes, together */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_STREAM_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  for (i = 0; i < 5; i++)
    fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
            GST_WCS_RESTORE_REASON_PINGS_MISSED, FALSE),
        GST_WCS_RESTORE_PENDING_ALREADY);
  fail_unless_equals_int (count_type (&r, EV_SCHEDULED), 1);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 1);
  fail_unless_equals_int (gst_wcs_restore_policy_get_attempt (p), 1);
  /* the reason is not lost: the attempt carries the latest one */
  fail_unless_equals_int (gst_wcs_restore_policy_get_reason (p),
      GST_WCS_RESTORE_REASON_PINGS_MISSED);
  fire_pending (clock);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_ATTEMPT);
  fail_unless_equals_int (ev.attempt, 1);
  fail_unless_equals_int (ev.reason, GST_WCS_RESTORE_REASON_PINGS_MISSED);

  /* same while attempt 2 waits its 250 ms */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), MS (100));
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_NETWORK_CHANGED, FALSE),
      GST_WCS_RESTORE_PENDING_ALREADY);
  /* not re-armed, not extended: still due 250 ms after the first report */
  fail_unless_equals_int (pending_delay_ms (clock), 150);
  fire_pending (clock);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_ATTEMPT);
  fail_unless_equals_int (ev.attempt, 2);
  fail_unless_equals_int (ev.reason, GST_WCS_RESTORE_REASON_NETWORK_CHANGED);
  fail_unless_equals_int (count_type (&r, EV_SCHEDULED), 2);
  fail_unless_equals_int (count_type (&r, EV_ATTEMPT), 2);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

/* hurry(): the scheduled attempt starts at once, exactly once, its timer
 * is spent, and the schedule of the next attempts is unchanged */
GST_START_TEST (test_hurry)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.0, 100);
  Recorder r;
  Event ev;

  recorder_init (&r, p);
  /* nothing to hurry outside an outage */
  fail_if (gst_wcs_restore_policy_is_pending (p));
  fail_if (gst_wcs_restore_policy_hurry (p));
  fail_unless_equals_int (n_events (&r), 0);

  fail_unless_equals_int (fail_and_fire (p, clock, &r,
          GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED, 1), 0);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless (gst_wcs_restore_policy_is_pending (p));
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), MS (50));

  fail_unless (gst_wcs_restore_policy_hurry (p));
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_ATTEMPT);
  fail_unless_equals_int (ev.attempt, 2);
  fail_unless_equals_int (ev.reason, GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED);
  fail_if (gst_wcs_restore_policy_is_pending (p));
  fail_unless (gst_wcs_restore_policy_in_outage (p));
  /* once only; the timer is gone */
  fail_if (gst_wcs_restore_policy_hurry (p));
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), MS (1000));
  fail_unless (gst_test_clock_process_next_clock_id (GST_TEST_CLOCK (clock))
      == NULL);
  fail_unless_equals_int (count_type (&r, EV_ATTEMPT), 2);

  /* attempt 3 keeps its place in the schedule: 500 ms */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (pending_delay_ms (clock), 500);
  fire_pending (clock);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_ATTEMPT);
  fail_unless_equals_int (ev.attempt, 3);

  /* success ends the outage: nothing pending, nothing to hurry */
  gst_wcs_restore_policy_success (p);
  fail_if (gst_wcs_restore_policy_is_pending (p));
  fail_if (gst_wcs_restore_policy_hurry (p));
  fail_unless_equals_int (count_type (&r, EV_ATTEMPT), 3);

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

GST_START_TEST (test_cancel_stops_everything)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.2, 100);
  GstTestClock *tc;
  Recorder r;

  tc = GST_TEST_CLOCK (clock);
  recorder_init (&r, p);

  /* cancel with attempt 1 (delay 0) pending */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  gst_wcs_restore_policy_cancel (p);
  fail_unless_equals_int (gst_test_clock_peek_id_count (tc), 0);
  gst_test_clock_advance_time (tc, MS (1));
  fail_unless (gst_test_clock_process_next_clock_id (tc) == NULL);

  /* cancel with a delayed attempt pending, then let a lot of time pass */
  fail_and_fire (p, clock, &r, GST_WCS_RESTORE_REASON_SESSION_FAILED, 1);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  gst_wcs_restore_policy_cancel (p);
  fail_if (gst_wcs_restore_policy_in_outage (p));
  fail_unless_equals_int (gst_wcs_restore_policy_get_attempt (p), 0);
  fail_unless_equals_int (gst_test_clock_peek_id_count (tc), 0);
  gst_test_clock_advance_time (tc, MS (600000));
  fail_unless (gst_test_clock_process_next_clock_id (tc) == NULL);

  /* exactly the one attempt that fired before the cancel, no signal from
   * cancel itself */
  fail_unless_equals_int (count_type (&r, EV_ATTEMPT), 1);
  fail_unless_equals_int (count_type (&r, EV_SCHEDULED), 3);
  fail_unless_equals_int (count_type (&r, EV_RESTORED), 0);
  fail_unless_equals_int (count_type (&r, EV_GAVE_UP), 0);

  /* success after cancel: not an outage any more */
  gst_wcs_restore_policy_success (p);
  fail_unless_equals_int (count_type (&r, EV_RESTORED), 0);

  /* and the policy works again afterwards, from attempt 1 */
  fail_unless_equals_int (fail_and_fire (p, clock, &r,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, 1), 0);

  /* dropping the policy with an attempt pending unschedules it */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (gst_test_clock_peek_id_count (tc), 1);
  recorder_clear (&r);
  gst_object_unref (p);
  fail_unless_equals_int (gst_test_clock_peek_id_count (tc), 0);
  gst_object_unref (clock);
}

GST_END_TEST;

GST_START_TEST (test_handlers_may_call_back)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.0, 4);
  Recorder r;
  Event ev;
  guint i;

  recorder_init (&r, p);
  /* every attempt fails synchronously inside its own "attempt" handler
   * (e.g. connect refused at once): the next one is scheduled from there */
  r.fail_in_attempt = GST_WCS_RESTORE_REASON_SESSION_FAILED;
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (r.attempt_seen_in_handler, 1);
  for (i = 0; i < 4; i++)
    fire_pending (clock);

  /* scheduled(1) attempt(1) scheduled(2) ... attempt(4) gave-up */
  fail_unless_equals_int (n_events (&r), 9);
  for (i = 0; i < 8; i++) {
    ev = g_array_index (r.events, Event, i);
    fail_unless_equals_int (ev.type, i % 2 ? EV_ATTEMPT : EV_SCHEDULED);
    fail_unless_equals_int (ev.attempt, i / 2 + 1);
  }
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_GAVE_UP);
  fail_unless_equals_int (ev.attempt, 4);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

/* "scheduled" handler that cancels: the timer must not be armed */
static void
cancel_in_scheduled (GstWcsRestorePolicy * p, GstWcsRestoreReason reason,
    guint attempt, guint max_tries, guint delay_ms, gpointer user_data)
{
  gst_wcs_restore_policy_cancel (p);
}

GST_START_TEST (test_cancel_from_scheduled_handler)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.0, 4);

  g_signal_connect (p, "scheduled", G_CALLBACK (cancel_in_scheduled), NULL);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
          (clock)), 0);
  fail_if (gst_wcs_restore_policy_in_outage (p));
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

/* many threads report the first failure of an outage at once */
typedef struct
{
  GstWcsRestorePolicy *p;
  gint scheduled, pending;
} Race;

static gpointer
race_thread (gpointer data)
{
  Race *race = data;
  GstWcsRestoreAction a = gst_wcs_restore_policy_failure (race->p,
      GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE);

  if (a == GST_WCS_RESTORE_SCHEDULED)
    g_atomic_int_inc (&race->scheduled);
  else if (a == GST_WCS_RESTORE_PENDING_ALREADY)
    g_atomic_int_inc (&race->pending);
  return NULL;
}

GST_START_TEST (test_concurrent_failures)
{
  GstClock *clock;
  GstWcsRestorePolicy *p = new_policy (&clock, 3000, 250, 0.2, 100);
  GThread *threads[8];
  Race race = { p, 0, 0 };
  guint i, round;

  for (round = 0; round < 20; round++) {
    race.scheduled = race.pending = 0;
    for (i = 0; i < G_N_ELEMENTS (threads); i++)
      threads[i] = g_thread_new ("race", race_thread, &race);
    for (i = 0; i < G_N_ELEMENTS (threads); i++)
      g_thread_join (threads[i]);
    fail_unless_equals_int (race.scheduled, 1);
    fail_unless_equals_int (race.pending, G_N_ELEMENTS (threads) - 1);
    fail_unless_equals_int (gst_test_clock_peek_id_count (GST_TEST_CLOCK
            (clock)), 1);
    gst_wcs_restore_policy_cancel (p);
  }
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

/* a clock that cannot wait asynchronously: attempts must not get stuck */
typedef struct
{
  GstClock parent;
} NoAsyncClock;
typedef struct
{
  GstClockClass parent_class;
} NoAsyncClockClass;

static GType no_async_clock_get_type (void);
G_DEFINE_TYPE (NoAsyncClock, no_async_clock, GST_TYPE_CLOCK);

static void
no_async_clock_class_init (NoAsyncClockClass * klass)
{
  GST_CLOCK_CLASS (klass)->wait_async = NULL;
}

static void
no_async_clock_init (NoAsyncClock * clock)
{
}

GST_START_TEST (test_clock_without_async_wait)
{
  GstClock *clock = g_object_new (no_async_clock_get_type (), NULL);
  GstWcsRestorePolicy *p;
  Recorder r;
  Event ev;

  gst_object_ref_sink (clock);
  p = gst_wcs_restore_policy_new (clock);
  g_object_set (p, "max-tries", 2, NULL);
  recorder_init (&r, p);

  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  fail_unless_equals_int (n_events (&r), 2);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_ATTEMPT);
  fail_unless_equals_int (ev.attempt, 1);
  /* not stuck in "pending": the next failure schedules attempt 2 */
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_ATTEMPT);
  fail_unless_equals_int (ev.attempt, 2);
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_GAVE_UP);

  recorder_clear (&r);
  gst_object_unref (p);
  gst_object_unref (clock);
}

GST_END_TEST;

/* the real thing: system clock, attempts fire from the clock thread */
GST_START_TEST (test_system_clock)
{
  GstWcsRestorePolicy *p = gst_wcs_restore_policy_new (NULL);
  GstClock *clock = NULL, *sysclock = gst_system_clock_obtain ();
  Recorder r;
  gint64 start, deadline;
  Event ev;
  guint i;

  g_object_get (p, "clock", &clock, NULL);
  fail_unless (clock == sysclock);
  gst_object_unref (clock);
  gst_object_unref (sysclock);

  g_object_set (p, "timeout", 40, "initial-delay", 20, "jitter", 0.1,
      "max-tries", 4, NULL);
  recorder_init (&r, p);
  r.fail_in_attempt = GST_WCS_RESTORE_REASON_SESSION_FAILED;

  start = g_get_monotonic_time ();
  deadline = start + 10 * G_TIME_SPAN_SECOND;
  fail_unless_equals_int (gst_wcs_restore_policy_failure (p,
          GST_WCS_RESTORE_REASON_SESSION_FAILED, FALSE),
      GST_WCS_RESTORE_SCHEDULED);
  g_mutex_lock (&r.lock);
  while (r.events->len < 9)
    if (!g_cond_wait_until (&r.cond, &r.lock, deadline))
      break;
  g_mutex_unlock (&r.lock);

  fail_unless_equals_int (n_events (&r), 9);
  for (i = 0; i < 8; i++) {
    ev = g_array_index (r.events, Event, i);
    fail_unless_equals_int (ev.type, i % 2 ? EV_ATTEMPT : EV_SCHEDULED);
    fail_unless_equals_int (ev.attempt, i / 2 + 1);
  }
  ev = last_event (&r);
  fail_unless_equals_int (ev.type, EV_GAVE_UP);
  fail_unless_equals_int (ev.attempt, 4);
  /* delays 0 + ~20 + ~40 + 40 (cap) ms really elapsed */
  fail_unless (g_get_monotonic_time () - start >= (18 + 36 + 36) * 1000);

  /* the clock thread holds a ref while it emits; let it return so that the
   * last ref (and the system clock ref the policy holds) is dropped here,
   * not on the clock's own thread after gst_deinit () */
  while (G_OBJECT (p)->ref_count > 1 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  fail_unless_equals_int (G_OBJECT (p)->ref_count, 1);
  recorder_clear (&r);
  gst_object_unref (p);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */

GST_START_TEST (test_reason_strings)
{
  static const struct
  {
    GstWcsRestoreReason reason;
    const gchar *nick;
  } table[] = {
    {GST_WCS_RESTORE_REASON_NONE, "none"},
    {GST_WCS_RESTORE_REASON_SESSION_FAILED, "session-failed"},
    {GST_WCS_RESTORE_REASON_PINGS_MISSED, "pings-missed"},
    {GST_WCS_RESTORE_REASON_STREAM_FAILED, "stream-failed"},
    {GST_WCS_RESTORE_REASON_NETWORK_CHANGED, "network-changed"},
    {GST_WCS_RESTORE_REASON_BITRATE_ZERO, "bitrate-zero"},
    {GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT, "media-timeout"},
    {GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED, "publisher-stopped"},
    {GST_WCS_RESTORE_REASON_STREAM_TIMEOUT, "stream-timeout"},
  };
  GEnumClass *klass = g_type_class_ref (GST_TYPE_WCS_RESTORE_REASON);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    GEnumValue *v = g_enum_get_value (klass, table[i].reason);

    fail_unless_equals_string (gst_wcs_restore_reason_to_string
        (table[i].reason), table[i].nick);
    fail_unless (v != NULL);
    fail_unless_equals_string (v->value_nick, table[i].nick);
  }
  fail_unless_equals_int (klass->n_values, G_N_ELEMENTS (table));
  fail_unless_equals_string (gst_wcs_restore_reason_to_string (1000),
      "unknown");
  g_type_class_unref (klass);

  fail_unless (G_TYPE_IS_ENUM (GST_TYPE_WCS_INFO_CLASS));
  fail_unless (G_TYPE_IS_ENUM (GST_TYPE_WCS_RESTORE_ACTION));
}

GST_END_TEST;

#define T GST_WCS_INFO_TRANSIENT
#define P GST_WCS_INFO_PERMANENT
#define W GST_WCS_INFO_WAIT_PUBLISHER

GST_START_TEST (test_classify_info)
{
  static const struct
  {
    const gchar *info;
    GstWcsInfoClass publisher, player;
  } table[] = {
    /* network / media path failures: retry */
    {"Failed by ICE error", T, T},
    {"Failed by ICE timeout", T, T},
    {"Failed by ICE keep alive", T, T},
    {"Failed by DTLS fingerprint error", T, T},
    {"Failed by DTLS error", T, T},
    {"Failed by RTP activity", T, T},
    {"Failed by error", T, T},
    {"Failed by HLS writer error", T, T},
    {"Failed by RTMP writer error", T, T},
    {"Stopped by session disconnect", T, T},
    {"Failed to add stream to proxy", T, T},
    {"Session not ready", T, T},
    {"Session does not exist", T, T},
    {"MediaSessionId is already in use", T, T},
    {"Stream failed", T, T},
    {"Terminated by keep-alive", T, T},
    {"No available transcoders", T, T},
    {"Failed to get agent storage", T, T},
    {"Stopped by user", T, T},
    /* a stale publisher of ours right after a reconnect */
    {"Stream name is already in use", T, T},
    /* the played stream is gone: a player waits for it */
    {"Stream not found", T, W},
    {"Stopped by publisher stop", T, W},
    {"Publish stream is not ready", T, W},
    /* the server's operator ended it: a publisher must not republish */
    {"Stopped by rest /terminate", P, W},
    {"CDN stream not found", T, W},
    {"Failed to connect to origin stream", T, W},
    {"Agent servicing origin stream is shutting down", T, W},
    {"Distributor stopped", T, W},
    /* retrying cannot help */
    {"Restricted access", P, P},
    {"Bad URI", P, P},
    {"No common codecs", P, P},
    {"Transcoding required, but disabled", P, P},
    {"Local error", P, P},
    {"File not found", P, P},
    {"File has wrong format", P, P},
    {"Failed to read file", P, P},
    {"Got exception while streaming file", P, P},
    {"Rtsp has wrong format", P, P},
    {"MediaSessionId is null", P, P},
    /* credentials (texts vary with the server's auth backend) */
    {"Authentication failed", P, P},
    {"Unauthorized", P, P},
    {"Not authorized", P, P},
    {"Invalid credentials", P, P},
    {"Forbidden", P, P},
    {"Wrong password", P, P},
    {"Invalid token", P, P},
    /* tolerant matching: case, white space, appended details */
    {"  restricted ACCESS ", P, P},
    {"File not found: /vod/a.mp4", P, P},
    {"stream NOT found", T, W},
    /* unknown and empty: transient */
    {"Something new the server says", T, T},
    {"", T, T},
    {"   ", T, T},
    {"Other: xyz", T, T},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    fail_unless_equals_int (gst_wcs_classify_info (table[i].info, FALSE),
        table[i].publisher);
    fail_unless_equals_int (gst_wcs_classify_info (table[i].info, TRUE),
        table[i].player);
  }
  fail_unless_equals_int (gst_wcs_classify_info (NULL, FALSE), T);
  fail_unless_equals_int (gst_wcs_classify_info (NULL, TRUE), T);
}

GST_END_TEST;

#undef T
#undef P
#undef W

GST_START_TEST (test_info_is_refusal)
{
  fail_unless (gst_wcs_info_is_refusal ("Restricted access"));
  fail_unless (gst_wcs_info_is_refusal ("  restricted ACCESS "));
  fail_unless (gst_wcs_info_is_refusal ("Authentication failed"));
  fail_unless (gst_wcs_info_is_refusal ("Invalid token"));
  fail_unless (gst_wcs_info_is_refusal ("Forbidden"));
  fail_if (gst_wcs_info_is_refusal ("File not found"));
  fail_if (gst_wcs_info_is_refusal ("Stopped by rest /terminate"));
  fail_if (gst_wcs_info_is_refusal ("Failed by error"));
  fail_if (gst_wcs_info_is_refusal (""));
  fail_if (gst_wcs_info_is_refusal (NULL));
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* server failover (gstwcsfailover.h)                                  */

/* the index of each of @n connects, as a string "0 0 0 1 1 1 ..." */
static gchar *
connects (GstWcsFailover * f, guint n)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (s, "%s%u", i ? " " : "",
        gst_wcs_failover_connect (f, NULL));
  return g_string_free (s, FALSE);
}

GST_START_TEST (test_failover_round_robin)
{
  const gchar *backups[] = { "ws://b:8080", "wss://c:8443", NULL };
  GstWcsFailover *f = gst_wcs_failover_new ("ws://a:8080", backups, 3, FALSE);
  gboolean switched = TRUE;
  gchar *s;

  fail_unless_equals_int (gst_wcs_failover_get_n_servers (f), 3);
  fail_unless_equals_string (gst_wcs_failover_get_server (f, 0),
      "ws://a:8080");
  fail_unless_equals_string (gst_wcs_failover_get_server (f, 2),
      "wss://c:8443");
  fail_unless (gst_wcs_failover_get_server (f, 3) == NULL);
  fail_unless_equals_int (gst_wcs_failover_get_index (f), 0);
  s = gst_wcs_failover_get_tried (f);
  fail_unless_equals_string (s, "");
  g_free (s);

  fail_unless_equals_int (gst_wcs_failover_connect (f, &switched), 0);
  fail_if (switched);
  /* 3 connects per server, then the next one, round robin */
  s = connects (f, 11);
  fail_unless_equals_string (s, "0 0 1 1 1 2 2 2 0 0 0");
  g_free (s);
  s = gst_wcs_failover_get_tried (f);
  fail_unless_equals_string (s, "ws://a:8080, ws://b:8080, wss://c:8443");
  g_free (s);
  fail_unless_equals_int (gst_wcs_failover_connect (f, &switched), 1);
  fail_unless (switched);
  gst_wcs_failover_free (f);
}

GST_END_TEST;

/* a server that works is kept: its count restarts, nothing moves back to
 * the primary (no flapping); the next outage on it moves on only after
 * `tries` failed connects there */
GST_START_TEST (test_failover_stays_on_working_server)
{
  const gchar *backups[] = { "ws://b:8080", NULL };
  GstWcsFailover *f = gst_wcs_failover_new ("ws://a:8080", backups, 2, FALSE);
  gchar *s;

  s = connects (f, 3);
  fail_unless_equals_string (s, "0 0 1");
  g_free (s);
  gst_wcs_failover_success (f);
  s = gst_wcs_failover_get_tried (f);
  fail_unless_equals_string (s, "");
  g_free (s);
  fail_unless_equals_int (gst_wcs_failover_get_index (f), 1);
  /* next outage: b again first, twice, then a */
  s = connects (f, 4);
  fail_unless_equals_string (s, "1 1 0 0");
  g_free (s);
  s = gst_wcs_failover_get_tried (f);
  fail_unless_equals_string (s, "ws://a:8080, ws://b:8080");
  g_free (s);
  /* a connect that worked partway (no success) still counts */
  s = connects (f, 1);
  fail_unless_equals_string (s, "1");
  g_free (s);
  gst_wcs_failover_free (f);
}

GST_END_TEST;

GST_START_TEST (test_failover_failback)
{
  const gchar *backups[] = { "ws://b:8080", "ws://c:8080", NULL };
  GstWcsFailover *f = gst_wcs_failover_new ("ws://a:8080", backups, 1, TRUE);
  gboolean switched = FALSE;
  gchar *s;

  s = connects (f, 3);
  fail_unless_equals_string (s, "0 1 2");
  g_free (s);
  gst_wcs_failover_success (f);
  /* the first reconnect after working on a backup goes to the primary */
  fail_unless_equals_int (gst_wcs_failover_connect (f, &switched), 0);
  fail_unless (switched);
  /* still down: round robin from there */
  s = connects (f, 2);
  fail_unless_equals_string (s, "1 2");
  g_free (s);
  /* on the primary, success and failback change nothing */
  s = connects (f, 1);
  fail_unless_equals_string (s, "0");
  g_free (s);
  gst_wcs_failover_success (f);
  s = connects (f, 2);
  fail_unless_equals_string (s, "0 1");
  g_free (s);
  gst_wcs_failover_free (f);
}

GST_END_TEST;

GST_START_TEST (test_failover_single_server_and_mask)
{
  GstWcsFailover *f = gst_wcs_failover_new ("wss://u:secret@a:8443", NULL,
      0, TRUE);
  gchar *s;

  fail_unless_equals_int (gst_wcs_failover_get_n_servers (f), 1);
  /* tries 0 is taken as 1; one server: always it */
  s = connects (f, 4);
  fail_unless_equals_string (s, "0 0 0 0");
  g_free (s);
  s = gst_wcs_failover_get_tried (f);
  fail_unless_equals_string (s, "wss://u:***@a:8443");
  g_free (s);
  gst_wcs_failover_free (f);

  s = gst_wcs_failover_mask_url ("ws://host:8080/path");
  fail_unless_equals_string (s, "ws://host:8080/path");
  g_free (s);
  s = gst_wcs_failover_mask_url ("ws://token@host:8080");
  fail_unless_equals_string (s, "ws://***@host:8080");
  g_free (s);
  fail_unless (gst_wcs_failover_mask_url (NULL) == NULL);
}

GST_END_TEST;

/* the configuration check of failover-tries and backup-locations */
GST_START_TEST (test_failover_validate)
{
  const gchar *good[] = { "ws://a:1", "wss://u:p@b:8443/x", NULL };
  const gchar *bad[] = { "ws://a:1", "wss://u:secret@", NULL };
  GError *err = NULL;

  fail_unless (gst_wcs_failover_validate (NULL, 1, NULL));
  fail_unless (gst_wcs_failover_validate (good, 3, NULL));
  fail_if (gst_wcs_failover_validate (good, 0, &err));
  fail_unless (strstr (err->message, "'failover-tries'") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  fail_if (gst_wcs_failover_validate (bad, 3, &err));
  fail_unless (strstr (err->message, "'backup-locations' entry 2") != NULL,
      "%s", err->message);
  fail_if (strstr (err->message, "secret") != NULL, "%s", err->message);
  g_clear_error (&err);

  fail_unless (gst_wcs_failover_location_is_valid ("WSS://h"));
  fail_if (gst_wcs_failover_location_is_valid ("http://h:80"));
  fail_if (gst_wcs_failover_location_is_valid ("ws://"));
  fail_if (gst_wcs_failover_location_is_valid ("garbage"));
  fail_if (gst_wcs_failover_location_is_valid (NULL));
}

GST_END_TEST;

static Suite *
restore_suite (void)
{
  Suite *s = suite_create ("wcsrestore");
  TCase *tc = tcase_create ("policy");
  TCase *tc_info = tcase_create ("info");
  TCase *tc_failover = tcase_create ("failover");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_schedule_defaults);
  tcase_add_test (tc, test_schedule_small_and_large_values);
  tcase_add_test (tc, test_schedule_no_overflow_after_many_attempts);
  tcase_add_test (tc, test_jitter_bounds);
  tcase_add_test (tc, test_jitter_seed_and_zero);
  tcase_add_test (tc, test_give_up_after_max_tries);
  tcase_add_test (tc, test_disabled);
  tcase_add_test (tc, test_permanent_gives_up_at_once);
  tcase_add_test (tc, test_success_resets_and_measures_downtime);
  tcase_add_test (tc, test_no_double_scheduling);
  tcase_add_test (tc, test_hurry);
  tcase_add_test (tc, test_cancel_stops_everything);
  tcase_add_test (tc, test_handlers_may_call_back);
  tcase_add_test (tc, test_cancel_from_scheduled_handler);
  tcase_add_test (tc, test_concurrent_failures);
  tcase_add_test (tc, test_system_clock);
  tcase_add_test (tc, test_clock_without_async_wait);

  suite_add_tcase (s, tc_info);
  tcase_add_test (tc_info, test_reason_strings);
  tcase_add_test (tc_info, test_classify_info);
  tcase_add_test (tc_info, test_info_is_refusal);

  suite_add_tcase (s, tc_failover);
  tcase_add_test (tc_failover, test_failover_round_robin);
  tcase_add_test (tc_failover, test_failover_stays_on_working_server);
  tcase_add_test (tc_failover, test_failover_failback);
  tcase_add_test (tc_failover, test_failover_single_server_and_mask);
  tcase_add_test (tc_failover, test_failover_validate);

  return s;
}

WCS_CHECK_MAIN (restore);
