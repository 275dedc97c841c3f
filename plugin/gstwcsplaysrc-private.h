/* gst-wcs: wcsplaysrc internals shared by its source files (not installed)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WCS_PLAY_SRC_PRIVATE_H__
#define __GST_WCS_PLAY_SRC_PRIVATE_H__

#include <gst/gst.h>
#include <gst/app/gstappsink.h>

#include "gstwcsplaysrc.h"
#include "gstwcspeer.h"

/* wcsplaysrc is three files, one concern each:
 *   gstwcsplaysrc.c     the element: properties, vfuncs of GstWcsElement,
 *                       state changes, the element-thread timer, URI handler
 *   gstwcsplaysession.c play sessions: the private WebRTC pipeline of one
 *                       mediaSessionId, its decode chains and teardown
 *   gstwcsplayoutput.c  the persistent outputs: appsrc + ghost pad per
 *                       media kind, timestamps, GAP events, no-more-pads */

G_BEGIN_DECLS

G_GNUC_INTERNAL GST_DEBUG_CATEGORY_EXTERN (gst_wcs_play_src_debug);

typedef enum
{
  KIND_VIDEO,
  KIND_AUDIO,
  N_KINDS
} WcsKind;

#define KIND_BIT(k) (1u << (k))

/* One persistent output per media kind: appsrc (child of the bin) whose
 * src pad is ghosted as the sometimes pad. All fields under self->lock,
 * except appsrc / ghost which are set once (under self->lock) and then
 * only read. */
typedef struct
{
  GstElement *appsrc;
  GstPad *ghost;
  GstCaps *caps;                /* caps last given to the appsrc */
  GstClockTime next_ts;         /* running time where new data would start */
  GstClockTime min_ts;          /* nothing may start before this */
  guint session_seq;            /* play session of the last buffer */
  gboolean gapped;              /* GAP sent since the last buffer */
  gint64 last_buffer;           /* monotonic us of the last buffer */
  gint64 interval;              /* smoothed us between buffers */
  guint64 buffers;
  guint64 gaps;
} WcsOutput;

/* One "play session": one mediaSessionId, one private pipeline
 * (webrtcbin -> depay -> parse -> [decoder] -> appsink), torn down and
 * rebuilt on every (re)play. The private pipeline is NOT a child of the
 * element, so its sinks, errors and state never leak into the application's
 * pipeline. Reference counted: the element's `current` pointer, pending
 * element-thread invocations, promises and the teardown queue hold refs. */
typedef struct
{
  gatomicrefcount ref;
  GstWcsPlaySrc *src;           /* not owned; valid while the pipeline exists */
  gchar *id;
  guint seq;

  GstElement *pipeline;         /* owned */
  GstElement *webrtc;           /* borrowed from pipeline */

  /* the negotiation (gst/gstwcspeer.c); it holds a reference on the
   * session until wcs_play_session_teardown_func () releases it */
  GstWcsPeer *peer;

  gint dead;                    /* atomic: detached, being torn down */
  gint error_reported;          /* atomic */
  gint media_seen;              /* atomic */

  /* under self->lock */
  gboolean active_reported;

  gint64 playing_since;         /* monotonic us of PLAYING, 0 before */
  gboolean watchdog_fired;
  gboolean chain[N_KINDS];

  /* under self->stats_lock */
  gint64 last_media;            /* monotonic us of the last RTP packet */
} PlaySession;

/**
 * GstWcsPlaySrc:
 *
 * Lock order: output_lock -> lock -> stats_lock. None of them is ever held
 * while calling into webrtcbin, into the base class helpers
 * (gst_wcs_element_*), or while changing the state of a private pipeline.
 * output_lock is held while an output is created (gst_bin_add, ghost pad,
 * pad-added emission, gstwcsplayoutput.c); it is never taken on the data
 * path. teardown_lock is a leaf: taken alone, with none of the others held.
 */
struct _GstWcsPlaySrc
{
  GstWcsElement parent;

  GMutex output_lock;
  GMutex lock;
  GMutex stats_lock;

  /* properties, under lock */
  gboolean decode;
  guint media_timeout;
  guint latency;                /* jitter buffer, ms: the next WebRTC session */

  /* under lock */
  PlaySession *current;
  guint session_seq;
  gboolean running;             /* READY->PAUSED .. PAUSED->READY */
  WcsOutput out[N_KINDS];
  guint group_id;
  guint expected;               /* kinds the last answer announced */
  gboolean no_more_pads;
  gint64 first_pad_time;
  guint media_timeouts;
  GSource *tick;

  /* under stats_lock */
  guint64 video_bytes;
  guint64 rate_bytes;
  gint64 rate_time;
  guint64 bitrate;

  /* teardown of old play sessions, off the element thread */
  GThreadPool *teardown_pool;
  GMutex teardown_lock;
  GCond teardown_cond;
  guint teardowns_pending;
};

/* play sessions (gstwcsplaysession.c) */

/* any thread, any lock */
G_GNUC_INTERNAL PlaySession *wcs_play_session_ref (PlaySession * s);
/* any thread, no element lock held (the last ref may stop the pipeline) */
G_GNUC_INTERNAL void wcs_play_session_unref (PlaySession * s);
/* TRUE once detached for teardown; any thread, any lock (atomic) */
G_GNUC_INTERNAL gboolean wcs_play_session_is_dead (PlaySession * s);
/* pipeline built, not started; element thread, no lock held (takes lock) */
G_GNUC_INTERNAL PlaySession *wcs_play_session_new (GstWcsPlaySrc * self,
    const gchar * id, GError ** error);
/* takes the ref of detached @s; element/app thread, no lock (teardown_lock) */
G_GNUC_INTERNAL void wcs_play_session_teardown (GstWcsPlaySrc * self,
    PlaySession * s);
/* GFunc of teardown_pool: its thread (or inline), no lock (teardown_lock) */
G_GNUC_INTERNAL void wcs_play_session_teardown_func (gpointer data,
    gpointer user_data);
/* bounded; application thread (READY->NULL, dispose), no lock held */
G_GNUC_INTERNAL void wcs_play_session_wait_teardowns (GstWcsPlaySrc * self);
/* once per session, to the base via the element thread; any thread, no lock */
G_GNUC_INTERNAL void wcs_play_session_fail (PlaySession * s,
    GstWcsRestoreReason reason, gboolean permanent, const gchar * detail);

/* persistent outputs (gstwcsplayoutput.c) */

/* appsink new_sample: private streaming thread, no lock (takes output_lock) */
G_GNUC_INTERNAL GstFlowReturn wcs_play_output_new_sample (GstAppSink * sink,
    gpointer user_data);
/* GAP events on silent outputs; element thread (timer), no lock held */
G_GNUC_INTERNAL void wcs_play_output_tick_gaps (GstWcsPlaySrc * self,
    gint64 now);
/* no-more-pads by NO_MORE_PADS_US; element thread (timer), no lock held */
G_GNUC_INTERNAL void wcs_play_output_tick_pads (GstWcsPlaySrc * self,
    gint64 now);

G_END_DECLS

#endif /* __GST_WCS_PLAY_SRC_PRIVATE_H__ */
