/* gst-wcs: restore policy (elements.md section 4, docs/restore.md)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One GstWcsRestorePolicy per element / stream: it decides WHEN the owner
 * retries after a failure, never WHAT a retry does. The owner reports
 * failures and successes; the policy answers with a GstWcsRestoreAction and
 * emits signals the owner turns into `wcs-restore` bus messages.
 *
 * Schedule (attempt numbers start at 1 for each outage):
 *   attempt 1      at once (delay 0)
 *   attempt n >= 2 after min (timeout, initial-delay * 2^(n-2)) ms, with
 *                  +-jitter (a fraction), and never above timeout.
 *   Defaults: 0, 100, 200, 400, 800, 1600, 3000, ... (100 attempts).
 *
 * Timers run on a GstClock (gst_clock_new_single_shot_id +
 * gst_clock_id_wait_async), so tests drive the policy with a GstTestClock.
 */
#ifndef __GST_WCS_RESTORE_H__
#define __GST_WCS_RESTORE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * GstWcsRestoreReason:
 * @GST_WCS_RESTORE_REASON_NONE: no failure ("none")
 * @GST_WCS_RESTORE_REASON_SESSION_FAILED: the WebSocket dropped or a connect
 *   failed ("session-failed")
 * @GST_WCS_RESTORE_REASON_PINGS_MISSED: the receive-probes watchdog fired
 *   ("pings-missed")
 * @GST_WCS_RESTORE_REASON_STREAM_FAILED: the server sent FAILED with a
 *   transient info ("stream-failed")
 * @GST_WCS_RESTORE_REASON_NETWORK_CHANGED: the host's network changed
 *   ("network-changed")
 * @GST_WCS_RESTORE_REASON_BITRATE_ZERO: the publisher's zero-bitrate
 *   detector fired ("bitrate-zero")
 * @GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT: the player received no media for
 *   too long ("media-timeout")
 * @GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED: player: the played stream went
 *   away ("publisher-stopped")
 * @GST_WCS_RESTORE_REASON_STREAM_TIMEOUT: the stream was not active
 *   (PUBLISHING with video bytes going out / PLAYING with media coming in)
 *   within the element's `stream-timeout` of its publishStream / playStream
 *   ("stream-timeout")
 *
 * Why a restore is needed. Registered as a GEnum whose nicks are the strings
 * above, which are also the `reason` of the `wcs-restore` bus message.
 */
typedef enum {
  GST_WCS_RESTORE_REASON_NONE,
  GST_WCS_RESTORE_REASON_SESSION_FAILED,
  GST_WCS_RESTORE_REASON_PINGS_MISSED,
  GST_WCS_RESTORE_REASON_STREAM_FAILED,
  GST_WCS_RESTORE_REASON_NETWORK_CHANGED,
  GST_WCS_RESTORE_REASON_BITRATE_ZERO,
  GST_WCS_RESTORE_REASON_MEDIA_TIMEOUT,
  GST_WCS_RESTORE_REASON_PUBLISHER_STOPPED,
  GST_WCS_RESTORE_REASON_STREAM_TIMEOUT,
} GstWcsRestoreReason;

#define GST_TYPE_WCS_RESTORE_REASON (gst_wcs_restore_reason_get_type ())
GType gst_wcs_restore_reason_get_type (void);

/**
 * gst_wcs_restore_reason_to_string:
 * @reason: a #GstWcsRestoreReason
 *
 * Returns: the nick of @reason ("session-failed", ...), "unknown" for a
 *   value outside the enum. Static string, never %NULL.
 */
const gchar *gst_wcs_restore_reason_to_string (GstWcsRestoreReason reason);

/**
 * GstWcsInfoClass:
 * @GST_WCS_INFO_TRANSIENT: retry (the default for unknown texts)
 * @GST_WCS_INFO_PERMANENT: retrying cannot help: give up at once (ERROR)
 * @GST_WCS_INFO_WAIT_PUBLISHER: player only: the stream is not there (yet);
 *   keep retrying, the publisher may come back
 *
 * Classification of a server `info` string (docs/protocol.md 7.2) that came
 * with a FAILED / STOPPED / UNPUBLISHED stream status.
 */
typedef enum {
  GST_WCS_INFO_TRANSIENT,
  GST_WCS_INFO_PERMANENT,
  GST_WCS_INFO_WAIT_PUBLISHER,
} GstWcsInfoClass;

#define GST_TYPE_WCS_INFO_CLASS (gst_wcs_info_class_get_type ())
GType gst_wcs_info_class_get_type (void);

/**
 * gst_wcs_classify_info:
 * @info: (nullable): the server's `info` text
 * @player: %TRUE when the stream is played, %FALSE when published
 *
 * Permanent: "Restricted access", bad credentials / authentication texts,
 * for a publisher "Stopped by rest /terminate" (the server's operator ended
 * the stream: the seed example does not republish an UNPUBLISHED stream),
 * "Bad URI", "No common codecs", "Transcoding required, but disabled",
 * "Local error", file errors ("File not found", "File has wrong format",
 * "Failed to read file", ...), "Rtsp has wrong format", "MediaSessionId is
 * null" / "... already in use". For a player, "Stream not found", "Stopped
 * by publisher stop", "Publish stream is not ready", "CDN stream not found"
 * ... are WAIT_PUBLISHER. "Stream name is already in use" is TRANSIENT (a
 * stale publisher on the server). Matching ignores case and surrounding
 * white space; %NULL, empty and unknown texts are TRANSIENT.
 *
 * Returns: the class of @info
 */
GstWcsInfoClass gst_wcs_classify_info (const gchar * info, gboolean player);

/**
 * gst_wcs_info_is_refusal:
 * @info: (nullable): the server's `info` text
 *
 * Returns: %TRUE when @info refuses access ("Restricted access", bad
 *   credentials, authentication texts): a permanent failure that an
 *   element reports as GST_RESOURCE_ERROR_NOT_AUTHORIZED
 */
gboolean gst_wcs_info_is_refusal (const gchar * info);

/**
 * GstWcsRestoreAction:
 * @GST_WCS_RESTORE_SCHEDULED: an attempt was scheduled ("scheduled" emitted)
 * @GST_WCS_RESTORE_PENDING_ALREADY: an attempt is already scheduled and has
 *   not fired yet; nothing new was scheduled, the reason was updated
 * @GST_WCS_RESTORE_GAVE_UP: permanent failure or attempts exhausted
 *   ("gave-up" emitted, the policy is reset)
 * @GST_WCS_RESTORE_DISABLED: enabled is %FALSE or max-tries is 0: the
 *   owner must treat the failure as final itself (no signal)
 *
 * What gst_wcs_restore_policy_failure() did.
 */
typedef enum {
  GST_WCS_RESTORE_SCHEDULED,
  GST_WCS_RESTORE_PENDING_ALREADY,
  GST_WCS_RESTORE_GAVE_UP,
  GST_WCS_RESTORE_DISABLED,
} GstWcsRestoreAction;

#define GST_TYPE_WCS_RESTORE_ACTION (gst_wcs_restore_action_get_type ())
GType gst_wcs_restore_action_get_type (void);

#define GST_TYPE_WCS_RESTORE_POLICY (gst_wcs_restore_policy_get_type ())
G_DECLARE_FINAL_TYPE (GstWcsRestorePolicy, gst_wcs_restore_policy, GST,
    WCS_RESTORE_POLICY, GstObject)

/*
 * Properties (changes apply to the next failure):
 *   "enabled"        bool      TRUE   FALSE: failure() returns DISABLED;
 *                                     setting FALSE cancels a scheduled
 *                                     attempt (no signal)
 *   "max-tries"      uint      100    attempts per outage; 0: DISABLED
 *   "timeout"        uint ms   3000   cap on the delay between attempts
 *   "initial-delay"  uint ms   100    delay before attempt 2, doubled after
 *   "jitter"         double    0.2    fraction in [0, 1]: the delay before
 *                                     attempt n >= 2 is uniform in
 *                                     [base*(1-jitter), min(timeout,
 *                                     base*(1+jitter))]
 *   "clock"          GstClock  construct-only, read: the clock timers use
 *
 * Signals (the "attempt" signal is emitted from the GstClock's thread when
 * the wait expires: the handler must not block, it hands the attempt to the
 * owner's own thread/context; the others are emitted from the thread that
 * called failure() / success(); no signal is emitted with the policy's lock
 * held, so handlers may call any gst_wcs_restore_policy_* function):
 *   "scheduled" (GstWcsRestoreReason reason, guint attempt, guint max_tries,
 *                guint delay_ms)           emitted before the timer is armed
 *   "attempt"   (GstWcsRestoreReason reason, guint attempt, guint max_tries)
 *                perform attempt number `attempt` now
 *   "restored"  (GstWcsRestoreReason reason, guint attempts,
 *                guint64 downtime_ms)     downtime: first failure of the
 *                                         outage -> success, on the clock
 *   "gave-up"   (GstWcsRestoreReason reason, guint attempt, guint max_tries)
 *                reason: the last reported one; attempt: attempts made
 */

/**
 * gst_wcs_restore_policy_new:
 * @clock: (nullable) (transfer none): clock for the timers; %NULL: the
 *   system clock
 *
 * Returns: (transfer full): a new idle policy
 */
GstWcsRestorePolicy *gst_wcs_restore_policy_new (GstClock * clock);

/**
 * gst_wcs_restore_policy_set_seed:
 * @policy: a #GstWcsRestorePolicy
 * @seed: seed for the jitter's GRand
 *
 * Makes the jitter reproducible (tests). By default the GRand is seeded
 * from the system.
 */
void gst_wcs_restore_policy_set_seed (GstWcsRestorePolicy * policy,
    guint32 seed);

/**
 * gst_wcs_restore_policy_failure:
 * @policy: a #GstWcsRestorePolicy
 * @reason: why (stored as the outage's last reason, also while an attempt
 *   is pending)
 * @permanent: %TRUE when retrying cannot help
 *
 * Reports a failure. The first failure of an outage schedules attempt 1 at
 * once (delay 0). A failure after attempt n (i.e. once its timer fired)
 * schedules attempt n+1 (see the schedule above). While an attempt is
 * scheduled and has not fired yet: PENDING_ALREADY. @permanent or attempts
 * exhausted (a failure after attempt max-tries): GAVE_UP, "gave-up" is
 * emitted and the policy resets. enabled=%FALSE or max-tries=0: DISABLED.
 *
 * Returns: what the policy did
 */
GstWcsRestoreAction gst_wcs_restore_policy_failure (GstWcsRestorePolicy *
    policy, GstWcsRestoreReason reason, gboolean permanent);

/**
 * gst_wcs_restore_policy_success:
 * @policy: a #GstWcsRestorePolicy
 *
 * Reports that the stream works (PUBLISHING / PLAYING). In an outage:
 * cancels a still scheduled attempt, emits "restored" and resets the count.
 * Outside an outage: nothing.
 */
void gst_wcs_restore_policy_success (GstWcsRestorePolicy * policy);

/**
 * gst_wcs_restore_policy_cancel:
 * @policy: a #GstWcsRestorePolicy
 *
 * Deliberate stop (state change, EOS): unschedules any attempt and resets,
 * without any signal. No "attempt" is emitted afterwards, even if the clock
 * advances (except one whose emission had already begun on the clock thread
 * when cancel() was called).
 */
void gst_wcs_restore_policy_cancel (GstWcsRestorePolicy * policy);

/**
 * gst_wcs_restore_policy_now:
 * @policy: a #GstWcsRestorePolicy
 *
 * The time on the policy's clock: the one clock on which its timers run
 * and the "restored" downtime is measured, for anyone measuring an
 * outage beside it (the elements' stats).
 *
 * Returns: the current time of #GstWcsRestorePolicy:clock
 */
GstClockTime gst_wcs_restore_policy_now (GstWcsRestorePolicy * policy);

/**
 * gst_wcs_restore_policy_in_outage:
 * @policy: a #GstWcsRestorePolicy
 *
 * Returns: %TRUE between the first failure of an outage and the success /
 *   give-up / cancel that ends it
 */
gboolean gst_wcs_restore_policy_in_outage (GstWcsRestorePolicy * policy);

/**
 * gst_wcs_restore_policy_is_pending:
 * @policy: a #GstWcsRestorePolicy
 *
 * Returns: %TRUE while an attempt of the current outage is scheduled and
 *   has not started
 */
gboolean gst_wcs_restore_policy_is_pending (GstWcsRestorePolicy * policy);

/**
 * gst_wcs_restore_policy_hurry:
 * @policy: a #GstWcsRestorePolicy
 *
 * Starts the scheduled attempt now instead of at the end of its delay
 * (the caller learnt that it would succeed, e.g. a waiting player heard
 * that the stream is back): "attempt" is emitted from the calling thread,
 * once; the timer of that attempt does nothing any more. The schedule of
 * later attempts is unchanged. Does nothing (returns %FALSE) when no
 * attempt is waiting on its timer, including while one is being armed or
 * has just fired.
 *
 * Returns: %TRUE if an attempt was started
 */
gboolean gst_wcs_restore_policy_hurry (GstWcsRestorePolicy * policy);

/**
 * gst_wcs_restore_policy_get_attempt:
 * @policy: a #GstWcsRestorePolicy
 *
 * Returns: the number of the latest scheduled attempt of this outage (1 ...
 *   max-tries), 0 when not in an outage
 */
guint gst_wcs_restore_policy_get_attempt (GstWcsRestorePolicy * policy);

/**
 * gst_wcs_restore_policy_get_reason:
 * @policy: a #GstWcsRestorePolicy
 *
 * Returns: the last reason reported in this outage, NONE outside one
 */
GstWcsRestoreReason gst_wcs_restore_policy_get_reason (GstWcsRestorePolicy *
    policy);

G_END_DECLS

#endif /* __GST_WCS_RESTORE_H__ */
