/* gst-wcs: restore policy
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See gstwcsrestore.h and docs/restore.md for the contract. Implementation
 * notes:
 *
 * - All state lives under priv->lock. Signals are always emitted after the
 *   lock was released.
 * - Every reset (success, cancel, give-up, disable) bumps `generation`; a
 *   clock callback or a half-finished failure() that belongs to an older
 *   generation does nothing.
 * - failure() emits "scheduled" before it arms the clock wait, so the
 *   "attempt" of a delay-0 schedule can never overtake its "scheduled".
 *   Between the two steps `pending` is already TRUE, so a concurrent
 *   failure() sees PENDING_ALREADY.
 * - The clock callback holds only a GWeakRef to the policy: a pending wait
 *   never keeps the policy alive, and dispose unschedules it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstwcsrestore.h"

GST_DEBUG_CATEGORY_STATIC (gst_wcs_restore_debug);
#define GST_CAT_DEFAULT gst_wcs_restore_debug

static void
ensure_debug_category (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_wcs_restore_debug, "wcsrestore", 0,
        "WCS restore policy");
    g_once_init_leave (&done, 1);
  }
}

#define DEFAULT_ENABLED TRUE
#define DEFAULT_MAX_TRIES 100
#define DEFAULT_TIMEOUT 3000
#define DEFAULT_INITIAL_DELAY 100
#define DEFAULT_JITTER 0.2

enum
{
  PROP_0,
  PROP_ENABLED,
  PROP_MAX_TRIES,
  PROP_TIMEOUT,
  PROP_INITIAL_DELAY,
  PROP_JITTER,
  PROP_CLOCK,
};

enum
{
  SIGNAL_SCHEDULED,
  SIGNAL_ATTEMPT,
  SIGNAL_RESTORED,
  SIGNAL_GAVE_UP,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

struct _GstWcsRestorePolicy
{
  GstObject parent;

  GstClock *clock;              /* construct-only, never NULL after constructed */

  GMutex lock;                  /* protects everything below */

  /* properties */
  gboolean enabled;
  guint max_tries;
  guint timeout_ms;
  guint initial_delay_ms;
  gdouble jitter;

  GRand *rand;

  /* outage state */
  gboolean in_outage;
  GstClockTime outage_start;
  guint attempt;                /* number of the latest scheduled attempt */
  GstWcsRestoreReason reason;   /* last reported reason */
  gboolean pending;             /* attempt scheduled and not fired yet */
  GstClockID clock_id;          /* the armed wait, NULL while not armed */
  guint generation;
};

/* user data of a clock wait */
typedef struct
{
  GWeakRef policy;
  guint generation;
} WaitData;

G_DEFINE_TYPE (GstWcsRestorePolicy, gst_wcs_restore_policy, GST_TYPE_OBJECT);

/* ------------------------------------------------------------------------ */
/* enums */

static const GEnumValue reason_values[] = {
  {GST_WCS_RESTORE_REASON_NONE, "GST_WCS_RESTORE_REASON_NONE", "none"},
  {GST_WCS_RESTORE_REASON_SESSION_FAILED,
      "GST_WCS_RESTORE_REASON_SESSION_FAILED", "session-failed"},
  {GST_WCS_RESTORE_REASON_PINGS_MISSED,
      "GST_WCS_RESTORE_REASON_PINGS_MISSED", "pings-missed"},
  {GST_WCS_RESTORE_REASON_STREAM_FAILED,
      "GST_WCS_RESTORE_REASON_STREAM_FAILED", "stream-failed"},
  {GST_WCS_RESTORE_REASON_NETWORK_CHANGED,
      "GST_WCS_RESTORE_REASON_NETWORK_CHANGED", "network-changed"},
  {GST_WCS_RESTORE_REASON_BITRATE_ZERO,
      "GST_WCS_RESTORE_REASON_BITRATE_ZERO", "bitrate-zero"},
  {GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT,
      "GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT", "media-timeout"},
  {GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED,
      "GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED", "publisher-stopped"},
  {GST_WCS_RESTORE_REASON_STREAM_TIMEOUT,
      "GST_WCS_RESTORE_REASON_STREAM_TIMEOUT", "stream-timeout"},
  {0, NULL, NULL}
};

GType
gst_wcs_restore_reason_get_type (void)
{
  static gsize id = 0;

  if (g_once_init_enter (&id)) {
    GType t = g_enum_register_static ("GstWcsRestoreReason", reason_values);
    g_once_init_leave (&id, t);
  }
  return (GType) id;
}

const gchar *
gst_wcs_restore_reason_to_string (GstWcsRestoreReason reason)
{
  guint i;

  for (i = 0; reason_values[i].value_nick != NULL; i++) {
    if (reason_values[i].value == (gint) reason)
      return reason_values[i].value_nick;
  }
  return "unknown";
}

GType
gst_wcs_info_class_get_type (void)
{
  static gsize id = 0;
  static const GEnumValue values[] = {
    {GST_WCS_INFO_TRANSIENT, "GST_WCS_INFO_TRANSIENT", "transient"},
    {GST_WCS_INFO_PERMANENT, "GST_WCS_INFO_PERMANENT", "permanent"},
    {GST_WCS_INFO_WAIT_PUBLISHER, "GST_WCS_INFO_WAIT_PUBLISHER",
        "wait-publisher"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&id)) {
    GType t = g_enum_register_static ("GstWcsInfoClass", values);
    g_once_init_leave (&id, t);
  }
  return (GType) id;
}

GType
gst_wcs_restore_action_get_type (void)
{
  static gsize id = 0;
  static const GEnumValue values[] = {
    {GST_WCS_RESTORE_SCHEDULED, "GST_WCS_RESTORE_SCHEDULED", "scheduled"},
    {GST_WCS_RESTORE_PENDING_ALREADY, "GST_WCS_RESTORE_PENDING_ALREADY",
        "pending-already"},
    {GST_WCS_RESTORE_GAVE_UP, "GST_WCS_RESTORE_GAVE_UP", "gave-up"},
    {GST_WCS_RESTORE_DISABLED, "GST_WCS_RESTORE_DISABLED", "disabled"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&id)) {
    GType t = g_enum_register_static ("GstWcsRestoreAction", values);
    g_once_init_leave (&id, t);
  }
  return (GType) id;
}

/* ------------------------------------------------------------------------ */
/* info classification (docs/protocol.md 7.1, 7.2) */

/* Matched case-insensitively as a prefix of the (trimmed) info, so that a
 * server appending details ("File not found: /a.mp4") still matches. */
static const gchar *const permanent_infos[] = {
  "Restricted access",
  "Bad URI",
  "No common codecs",
  "Transcoding required, but disabled",
  "Local error",
  "File has wrong format",
  "File not found",
  "Failed to read file",
  "Got exception while streaming file",
  "Rtsp has wrong format",
  "MediaSessionId is null",
  NULL
};

/* publisher only: the server's operator ended the stream (REST terminate) */
static const gchar *const publisher_permanent_infos[] = {
  "Stopped by rest /terminate",
  NULL
};

/* player only: the stream is not (yet / any more) there */
static const gchar *const wait_publisher_infos[] = {
  "Stream not found",
  "Stopped by publisher stop",
  "Publish stream is not ready",
  "Stopped by rest /terminate",
  "CDN stream not found",
  "Failed to connect to origin stream",
  "Agent servicing origin stream is shutting down",
  "Distributor stopped",
  NULL
};

/* substrings (case-insensitive) that mean refused credentials */
static const gchar *const auth_words[] = {
  "auth",                       /* authentication / unauthorized / not authorized */
  "credential",
  "forbidden",
  "password",
  "access denied",
  "permission denied",
  "invalid token",
  NULL
};

static gboolean in_prefix_list (const gchar * s, const gchar * const *list);

static gboolean
has_auth_word (const gchar * s)
{
  gchar *lower = g_ascii_strdown (s, -1);
  gboolean ret = FALSE;
  guint i;

  for (i = 0; auth_words[i] != NULL && !ret; i++)
    ret = strstr (lower, auth_words[i]) != NULL;
  g_free (lower);
  return ret;
}

gboolean
gst_wcs_info_is_refusal (const gchar * info)
{
  gchar *s;
  gboolean ret;

  if (info == NULL)
    return FALSE;
  s = g_strstrip (g_strdup (info));
  ret = *s != '\0' && (g_ascii_strncasecmp (s, "Restricted access",
          strlen ("Restricted access")) == 0 || has_auth_word (s));
  g_free (s);
  return ret;
}

static gboolean
has_prefix_ci (const gchar * s, const gchar * prefix)
{
  return g_ascii_strncasecmp (s, prefix, strlen (prefix)) == 0;
}

static gboolean
in_prefix_list (const gchar * s, const gchar * const *list)
{
  guint i;

  for (i = 0; list[i] != NULL; i++) {
    if (has_prefix_ci (s, list[i]))
      return TRUE;
  }
  return FALSE;
}

GstWcsInfoClass
gst_wcs_classify_info (const gchar * info, gboolean player)
{
  GstWcsInfoClass ret = GST_WCS_INFO_TRANSIENT;
  gchar *s;

  if (info == NULL)
    return GST_WCS_INFO_TRANSIENT;

  ensure_debug_category ();
  s = g_strstrip (g_strdup (info));
  if (*s == '\0')
    goto done;

  /* "Stream name is already in use": a stale publisher of ours that the
   * server has not timed out yet; retrying (with backoff) is right. */
  if (has_prefix_ci (s, "Stream name is already in use"))
    goto done;

  if (in_prefix_list (s, permanent_infos) || has_auth_word (s) ||
      (!player && in_prefix_list (s, publisher_permanent_infos))) {
    ret = GST_WCS_INFO_PERMANENT;
    goto done;
  }

  if (player && in_prefix_list (s, wait_publisher_infos))
    ret = GST_WCS_INFO_WAIT_PUBLISHER;

done:
  GST_LOG ("info '%s' (%s) -> %d", info, player ? "player" : "publisher", ret);
  g_free (s);
  return ret;
}

/* ------------------------------------------------------------------------ */
/* policy */

static void wait_data_free (gpointer data);
static gboolean clock_cb (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer user_data);

/* called with the lock; returns the id to unschedule+unref after unlocking
 * (or NULL) */
static GstClockID
reset_unlocked (GstWcsRestorePolicy * p)
{
  GstClockID id = p->clock_id;

  p->clock_id = NULL;
  p->pending = FALSE;
  p->in_outage = FALSE;
  p->attempt = 0;
  p->reason = GST_WCS_RESTORE_REASON_NONE;
  p->outage_start = GST_CLOCK_TIME_NONE;
  p->generation++;
  return id;
}

static void
drop_clock_id (GstClockID id)
{
  if (id != NULL) {
    gst_clock_id_unschedule (id);
    gst_clock_id_unref (id);
  }
}

/* delay in ms before attempt @attempt (>= 1), with the lock held */
static guint
compute_delay_unlocked (GstWcsRestorePolicy * p, guint attempt)
{
  guint64 base, lo, hi;
  guint shift;

  if (attempt <= 1)
    return 0;

  shift = attempt - 2;
  if (p->initial_delay_ms == 0)
    base = 0;
  else if (shift >= 32)
    base = p->timeout_ms;
  else
    base = MIN ((guint64) p->initial_delay_ms << shift, (guint64) p->timeout_ms);

  if (p->jitter <= 0.0 || base == 0)
    return (guint) base;

  lo = (guint64) (base * (1.0 - p->jitter) + 0.5);
  hi = MIN ((guint64) (base * (1.0 + p->jitter) + 0.5), (guint64) p->timeout_ms);
  if (lo >= hi)
    return (guint) hi;
  /* uniform over the integers lo..hi */
  return (guint) MIN (hi, lo + (guint64) (g_rand_double (p->rand) *
          (gdouble) (hi - lo + 1)));
}

GstWcsRestoreAction
gst_wcs_restore_policy_failure (GstWcsRestorePolicy * p,
    GstWcsRestoreReason reason, gboolean permanent)
{
  GstClockID old = NULL;
  guint attempt, max_tries, delay, gen;
  GstClockTime now;

  g_return_val_if_fail (GST_IS_WCS_RESTORE_POLICY (p), GST_WCS_RESTORE_DISABLED);

  now = gst_clock_get_time (p->clock);

  g_mutex_lock (&p->lock);
  max_tries = p->max_tries;

  if (!p->enabled || max_tries == 0) {
    old = reset_unlocked (p);
    g_mutex_unlock (&p->lock);
    drop_clock_id (old);
    GST_DEBUG_OBJECT (p, "failure %s: restore disabled",
        gst_wcs_restore_reason_to_string (reason));
    return GST_WCS_RESTORE_DISABLED;
  }

  p->reason = reason;

  if (!permanent && p->pending) {
    GST_DEBUG_OBJECT (p, "failure %s: attempt %u already scheduled",
        gst_wcs_restore_reason_to_string (reason), p->attempt);
    g_mutex_unlock (&p->lock);
    return GST_WCS_RESTORE_PENDING_ALREADY;
  }

  if (!p->in_outage) {
    p->in_outage = TRUE;
    p->outage_start = now;
    p->attempt = 0;
  }

  if (permanent || p->attempt >= max_tries) {
    attempt = p->attempt;
    old = reset_unlocked (p);
    g_mutex_unlock (&p->lock);
    drop_clock_id (old);
    GST_INFO_OBJECT (p, "giving up (%s) after %u/%u attempts: %s",
        permanent ? "permanent failure" : "attempts exhausted", attempt,
        max_tries, gst_wcs_restore_reason_to_string (reason));
    g_signal_emit (p, signals[SIGNAL_GAVE_UP], 0, reason, attempt, max_tries);
    return GST_WCS_RESTORE_GAVE_UP;
  }

  attempt = ++p->attempt;
  delay = compute_delay_unlocked (p, attempt);
  p->pending = TRUE;
  gen = p->generation;
  g_mutex_unlock (&p->lock);

  GST_INFO_OBJECT (p, "%s: attempt %u/%u in %u ms",
      gst_wcs_restore_reason_to_string (reason), attempt, max_tries, delay);
  g_signal_emit (p, signals[SIGNAL_SCHEDULED], 0, reason, attempt, max_tries,
      delay);

  /* arm the timer unless a handler (or another thread) reset us meanwhile.
   * The wait is armed without our lock held, in case a clock runs the
   * callback synchronously; the callback and cancel() recognise it by
   * p->clock_id. */
  g_mutex_lock (&p->lock);
  if (p->generation == gen && p->pending && p->clock_id == NULL) {
    WaitData *wd = g_new0 (WaitData, 1);
    GstClockID id;
    GstClockReturn ret;
    gboolean fire_now = FALSE;

    g_weak_ref_init (&wd->policy, p);
    wd->generation = gen;
    id = gst_clock_new_single_shot_id (p->clock,
        now + (GstClockTime) delay * GST_MSECOND);
    p->clock_id = gst_clock_id_ref (id);
    g_mutex_unlock (&p->lock);

    ret = gst_clock_id_wait_async (id, clock_cb, wd, wait_data_free);
    if (ret != GST_CLOCK_OK) {
      /* the entry owns wd only if the clock got as far as storing it */
      if (((GstClockEntry *) id)->destroy_data != wait_data_free
          || ((GstClockEntry *) id)->user_data != wd)
        wait_data_free (wd);

      /* still ours (not cancelled meanwhile)? A clock without async waits:
       * never leave the outage stuck with a "pending" attempt that cannot
       * fire; start the attempt now instead */
      g_mutex_lock (&p->lock);
      if (p->clock_id == id) {
        gst_clock_id_unref (p->clock_id);
        p->clock_id = NULL;
        p->pending = FALSE;
        reason = p->reason;
        fire_now = TRUE;
      }
      g_mutex_unlock (&p->lock);
      if (fire_now) {
        GST_WARNING_OBJECT (p, "could not arm the clock wait (%d): attempt "
            "%u starts without its %u ms delay", ret, attempt, delay);
        g_signal_emit (p, signals[SIGNAL_ATTEMPT], 0, reason, attempt,
            max_tries);
      }
    }
    gst_clock_id_unref (id);
  } else {
    g_mutex_unlock (&p->lock);
  }

  return GST_WCS_RESTORE_SCHEDULED;
}

static void
wait_data_free (gpointer data)
{
  WaitData *wd = data;

  g_weak_ref_clear (&wd->policy);
  g_free (wd);
}

/* The scheduled attempt leaves its timer (it fires, or is brought
 * forward): no longer pending; returns its clock id (the caller drops it)
 * and what the "attempt" signal carries. Lock held. */
static GstClockID
take_pending_unlocked (GstWcsRestorePolicy * p, GstWcsRestoreReason * reason,
    guint * attempt, guint * max_tries)
{
  GstClockID id = p->clock_id;

  p->clock_id = NULL;
  p->pending = FALSE;
  *reason = p->reason;
  *attempt = p->attempt;
  *max_tries = p->max_tries;
  return id;
}

static gboolean
clock_cb (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer user_data)
{
  WaitData *wd = user_data;
  GstWcsRestorePolicy *p = g_weak_ref_get (&wd->policy);
  GstWcsRestoreReason reason;
  guint attempt, max_tries;

  if (p == NULL)
    return TRUE;

  g_mutex_lock (&p->lock);
  if (p->generation != wd->generation || p->clock_id != id || !p->pending) {
    g_mutex_unlock (&p->lock);
    GST_DEBUG_OBJECT (p, "stale clock callback ignored");
    gst_object_unref (p);
    return TRUE;
  }
  gst_clock_id_unref (take_pending_unlocked (p, &reason, &attempt,
          &max_tries));
  g_mutex_unlock (&p->lock);

  GST_INFO_OBJECT (p, "attempt %u/%u (%s)", attempt, max_tries,
      gst_wcs_restore_reason_to_string (reason));
  g_signal_emit (p, signals[SIGNAL_ATTEMPT], 0, reason, attempt, max_tries);

  gst_object_unref (p);
  return TRUE;
}

void
gst_wcs_restore_policy_success (GstWcsRestorePolicy * p)
{
  GstClockID old;
  GstClockTime now;
  GstWcsRestoreReason reason;
  guint attempts;
  guint64 downtime_ms = 0;
  gboolean was_in_outage;

  g_return_if_fail (GST_IS_WCS_RESTORE_POLICY (p));

  now = gst_clock_get_time (p->clock);

  g_mutex_lock (&p->lock);
  was_in_outage = p->in_outage;
  reason = p->reason;
  attempts = p->attempt;
  if (was_in_outage && GST_CLOCK_TIME_IS_VALID (p->outage_start)
      && now > p->outage_start)
    downtime_ms = (now - p->outage_start) / GST_MSECOND;
  old = was_in_outage ? reset_unlocked (p) : NULL;
  g_mutex_unlock (&p->lock);

  if (!was_in_outage)
    return;

  drop_clock_id (old);
  GST_INFO_OBJECT (p, "restored after %u attempts, %" G_GUINT64_FORMAT
      " ms down (%s)", attempts, downtime_ms,
      gst_wcs_restore_reason_to_string (reason));
  g_signal_emit (p, signals[SIGNAL_RESTORED], 0, reason, attempts,
      downtime_ms);
}

void
gst_wcs_restore_policy_cancel (GstWcsRestorePolicy * p)
{
  GstClockID old;

  g_return_if_fail (GST_IS_WCS_RESTORE_POLICY (p));

  g_mutex_lock (&p->lock);
  old = reset_unlocked (p);
  g_mutex_unlock (&p->lock);
  drop_clock_id (old);
  GST_DEBUG_OBJECT (p, "cancelled");
}

GstClockTime
gst_wcs_restore_policy_now (GstWcsRestorePolicy * p)
{
  g_return_val_if_fail (GST_IS_WCS_RESTORE_POLICY (p), GST_CLOCK_TIME_NONE);

  return gst_clock_get_time (p->clock);
}

gboolean
gst_wcs_restore_policy_in_outage (GstWcsRestorePolicy * p)
{
  gboolean ret;

  g_return_val_if_fail (GST_IS_WCS_RESTORE_POLICY (p), FALSE);

  g_mutex_lock (&p->lock);
  ret = p->in_outage;
  g_mutex_unlock (&p->lock);
  return ret;
}

gboolean
gst_wcs_restore_policy_is_pending (GstWcsRestorePolicy * p)
{
  gboolean ret;

  g_return_val_if_fail (GST_IS_WCS_RESTORE_POLICY (p), FALSE);

  g_mutex_lock (&p->lock);
  ret = p->in_outage && p->pending;
  g_mutex_unlock (&p->lock);
  return ret;
}

gboolean
gst_wcs_restore_policy_hurry (GstWcsRestorePolicy * p)
{
  GstWcsRestoreReason reason;
  guint attempt, max_tries;
  GstClockID old;

  g_return_val_if_fail (GST_IS_WCS_RESTORE_POLICY (p), FALSE);

  g_mutex_lock (&p->lock);
  /* an attempt whose timer is armed and has not fired: take it off the
   * clock (its callback then finds p->clock_id changed and does nothing) */
  if (!p->in_outage || !p->pending || p->clock_id == NULL) {
    g_mutex_unlock (&p->lock);
    return FALSE;
  }
  old = take_pending_unlocked (p, &reason, &attempt, &max_tries);
  g_mutex_unlock (&p->lock);

  drop_clock_id (old);
  GST_INFO_OBJECT (p, "attempt %u/%u (%s) brought forward", attempt,
      max_tries, gst_wcs_restore_reason_to_string (reason));
  g_signal_emit (p, signals[SIGNAL_ATTEMPT], 0, reason, attempt, max_tries);
  return TRUE;
}

guint
gst_wcs_restore_policy_get_attempt (GstWcsRestorePolicy * p)
{
  guint ret;

  g_return_val_if_fail (GST_IS_WCS_RESTORE_POLICY (p), 0);

  g_mutex_lock (&p->lock);
  ret = p->attempt;
  g_mutex_unlock (&p->lock);
  return ret;
}

GstWcsRestoreReason
gst_wcs_restore_policy_get_reason (GstWcsRestorePolicy * p)
{
  GstWcsRestoreReason ret;

  g_return_val_if_fail (GST_IS_WCS_RESTORE_POLICY (p),
      GST_WCS_RESTORE_REASON_NONE);

  g_mutex_lock (&p->lock);
  ret = p->reason;
  g_mutex_unlock (&p->lock);
  return ret;
}

void
gst_wcs_restore_policy_set_seed (GstWcsRestorePolicy * p, guint32 seed)
{
  g_return_if_fail (GST_IS_WCS_RESTORE_POLICY (p));

  g_mutex_lock (&p->lock);
  g_rand_set_seed (p->rand, seed);
  g_mutex_unlock (&p->lock);
}

GstWcsRestorePolicy *
gst_wcs_restore_policy_new (GstClock * clock)
{
  GstWcsRestorePolicy *p;

  g_return_val_if_fail (clock == NULL || GST_IS_CLOCK (clock), NULL);

  p = g_object_new (GST_TYPE_WCS_RESTORE_POLICY, "clock", clock, NULL);
  gst_object_ref_sink (p);
  return p;
}

/* ------------------------------------------------------------------------ */
/* GObject */

static void
gst_wcs_restore_policy_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWcsRestorePolicy *p = GST_WCS_RESTORE_POLICY (object);
  GstClockID old = NULL;

  switch (prop_id) {
    case PROP_ENABLED:
      g_mutex_lock (&p->lock);
      p->enabled = g_value_get_boolean (value);
      if (!p->enabled)
        old = reset_unlocked (p);
      g_mutex_unlock (&p->lock);
      drop_clock_id (old);
      break;
    case PROP_MAX_TRIES:
      g_mutex_lock (&p->lock);
      p->max_tries = g_value_get_uint (value);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_TIMEOUT:
      g_mutex_lock (&p->lock);
      p->timeout_ms = g_value_get_uint (value);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_INITIAL_DELAY:
      g_mutex_lock (&p->lock);
      p->initial_delay_ms = g_value_get_uint (value);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_JITTER:
      g_mutex_lock (&p->lock);
      p->jitter = g_value_get_double (value);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_CLOCK:{
      GstClock *clock = g_value_get_object (value);

      /* construct-only: runs once, before anyone else sees the object */
      if (clock != NULL)
        p->clock = gst_object_ref (clock);
      else
        p->clock = gst_system_clock_obtain ();
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_wcs_restore_policy_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWcsRestorePolicy *p = GST_WCS_RESTORE_POLICY (object);

  switch (prop_id) {
    case PROP_ENABLED:
      g_mutex_lock (&p->lock);
      g_value_set_boolean (value, p->enabled);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_MAX_TRIES:
      g_mutex_lock (&p->lock);
      g_value_set_uint (value, p->max_tries);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_TIMEOUT:
      g_mutex_lock (&p->lock);
      g_value_set_uint (value, p->timeout_ms);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_INITIAL_DELAY:
      g_mutex_lock (&p->lock);
      g_value_set_uint (value, p->initial_delay_ms);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_JITTER:
      g_mutex_lock (&p->lock);
      g_value_set_double (value, p->jitter);
      g_mutex_unlock (&p->lock);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, p->clock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_wcs_restore_policy_constructed (GObject * object)
{
  GstWcsRestorePolicy *p = GST_WCS_RESTORE_POLICY (object);

  G_OBJECT_CLASS (gst_wcs_restore_policy_parent_class)->constructed (object);

  if (p->clock == NULL)
    p->clock = gst_system_clock_obtain ();
}

static void
gst_wcs_restore_policy_dispose (GObject * object)
{
  GstWcsRestorePolicy *p = GST_WCS_RESTORE_POLICY (object);
  GstClockID old;

  g_mutex_lock (&p->lock);
  old = reset_unlocked (p);
  g_mutex_unlock (&p->lock);
  drop_clock_id (old);

  G_OBJECT_CLASS (gst_wcs_restore_policy_parent_class)->dispose (object);
}

static void
gst_wcs_restore_policy_finalize (GObject * object)
{
  GstWcsRestorePolicy *p = GST_WCS_RESTORE_POLICY (object);

  gst_clear_object (&p->clock);
  g_rand_free (p->rand);
  g_mutex_clear (&p->lock);

  G_OBJECT_CLASS (gst_wcs_restore_policy_parent_class)->finalize (object);
}

static void
gst_wcs_restore_policy_class_init (GstWcsRestorePolicyClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = gst_wcs_restore_policy_set_property;
  gobject_class->get_property = gst_wcs_restore_policy_get_property;
  gobject_class->constructed = gst_wcs_restore_policy_constructed;
  gobject_class->dispose = gst_wcs_restore_policy_dispose;
  gobject_class->finalize = gst_wcs_restore_policy_finalize;

  g_object_class_install_property (gobject_class, PROP_ENABLED,
      g_param_spec_boolean ("enabled", "Enabled",
          "Restore after failures (FALSE: every failure is final)",
          DEFAULT_ENABLED, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MAX_TRIES,
      g_param_spec_uint ("max-tries", "Max tries",
          "Restore attempts per outage before giving up (0: restore off)",
          0, G_MAXUINT, DEFAULT_MAX_TRIES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Longest delay between two restore attempts (ms)",
          0, G_MAXINT32, DEFAULT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_INITIAL_DELAY,
      g_param_spec_uint ("initial-delay", "Initial delay",
          "Delay before the second attempt, doubled for each further one (ms)",
          0, G_MAXINT32, DEFAULT_INITIAL_DELAY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_JITTER,
      g_param_spec_double ("jitter", "Jitter",
          "Random spread of each delay, as a fraction of it",
          0.0, 1.0, DEFAULT_JITTER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_CLOCK,
      g_param_spec_object ("clock", "Clock",
          "Clock the timers run on (NULL: the system clock)",
          GST_TYPE_CLOCK, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
          G_PARAM_STATIC_STRINGS));

  signals[SIGNAL_SCHEDULED] = g_signal_new ("scheduled",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 4, GST_TYPE_WCS_RESTORE_REASON, G_TYPE_UINT, G_TYPE_UINT,
      G_TYPE_UINT);
  signals[SIGNAL_ATTEMPT] = g_signal_new ("attempt",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, GST_TYPE_WCS_RESTORE_REASON, G_TYPE_UINT, G_TYPE_UINT);
  signals[SIGNAL_RESTORED] = g_signal_new ("restored",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, GST_TYPE_WCS_RESTORE_REASON, G_TYPE_UINT, G_TYPE_UINT64);
  signals[SIGNAL_GAVE_UP] = g_signal_new ("gave-up",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, GST_TYPE_WCS_RESTORE_REASON, G_TYPE_UINT, G_TYPE_UINT);

  ensure_debug_category ();
}

static void
gst_wcs_restore_policy_init (GstWcsRestorePolicy * p)
{
  g_mutex_init (&p->lock);
  p->enabled = DEFAULT_ENABLED;
  p->max_tries = DEFAULT_MAX_TRIES;
  p->timeout_ms = DEFAULT_TIMEOUT;
  p->initial_delay_ms = DEFAULT_INITIAL_DELAY;
  p->jitter = DEFAULT_JITTER;
  p->rand = g_rand_new ();
  p->outage_start = GST_CLOCK_TIME_NONE;
  p->reason = GST_WCS_RESTORE_REASON_NONE;
}
