/* gst-wcs: GstWcsElement private declarations, shared by the files of the
 * base class (not installed)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The base class (gstwcselement.h documents the contract with subclasses)
 * is split by concern:
 *   gstwcselement.c          GObject boilerplate, properties, state changes,
 *                            the element thread's start / stop, start and
 *                            deliberate stop, public helpers, posting and
 *                            the status properties
 *   gstwcselement-events.c   events and synchronous calls marshalled onto
 *                            the element thread (WcsEvent, run_sync)
 *   gstwcselement-restore.c  the stream and restore state machine (outage,
 *                            failure, attempt, network change), run on the
 *                            element thread, and the session / restore
 *                            policy signal handlers that feed it
 *   gstwcselement-ice.c      ICE servers, policy and transport properties,
 *                            applied to every webrtcbin
 *   gstwcselement-tls.c      TLS properties: the CA file, handed to the
 *                            session
 *   gstwcselement-failover.c backup servers: their properties, the run's
 *                            GstWcsFailover, the server in use
 *
 * Threads:
 *   application / streaming threads: property access, state changes, the
 *     children's messages (handle_message), the public helpers and
 *     gst_wcs_element_shutdown(); they reach the element
 *     thread with wcs_element_queue_event() / wcs_element_queue_source()
 *     (asynchronous) or wcs_element_run_sync() (waits).
 *   element thread: wcs_element_event_dispatch() and all it calls, the
 *     synchronous calls, the stream-timeout timer and the network watch's
 *     callback (wcs_element_on_network_changed()); all vfuncs but
 *     check_config and fill_stats run here.
 *   session thread: the session's signal handlers only queue a WcsEvent.
 *   restore policy: "attempt" comes from the clock thread and is queued as
 *     a WcsEvent; "scheduled", "restored" and "gave-up" come from the thread
 *     that called the policy's failure() / success(), the element thread.
 */
#ifndef __GST_WCS_ELEMENT_PRIVATE_H__
#define __GST_WCS_ELEMENT_PRIVATE_H__

#include "gstwcselement.h"
#include "gstwcsfailover.h"
#include "gstwcsnetwatch.h"
#include "gstwcspeer.h"
#include "gstwcsprop.h"

G_BEGIN_DECLS

G_GNUC_INTERNAL GST_DEBUG_CATEGORY_EXTERN (gst_wcs_element_debug);

/*
 * Lock order and rules:
 *   shutdown_lock  (serializes deliberate stops; held across a whole stop,
 *                   may be held while waiting on cond / for the element thread)
 *     > GST_OBJECT_LOCK (configuration properties)   } never held together,
 *     > priv->lock      (state, stats, sync calls)    } never across calls
 * None of the locks is held while calling into the session, the restore
 * policy, webrtcbin, a vfunc, or while posting messages / notifying, except
 * shutdown_lock during a deliberate stop (gst_wcs_element_shutdown()).
 * Fields marked [element thread] are only touched on the element thread.
 */
typedef struct
{
  /* configuration, GST_OBJECT_LOCK */
  gchar *location;
  gchar **backup_locations;     /* NULL-terminated, NULL: none; these three:
                                 * gstwcselement-failover.c */
  guint failover_tries;
  gboolean failback;
  gchar *stream_name;
  gchar *app_key;
  GstStructure *custom;
  gboolean restore_connection;
  guint restore_timeout;
  guint restore_max_tries;
  guint receive_probes;
  guint probes_interval;
  guint connect_timeout;
  guint stream_timeout;
  gchar *ssl_ca_file;           /* TLS: gstwcselement-tls.c */
  gboolean ssl_use_system_ca_file;
  GTlsDatabase *tls_database;
  GTlsInteraction *tls_interaction;
  GTlsCertificateFlags tls_validation_flags;
  GstWcsIceConfig ice;          /* gstwcselement-ice.c */
  GstWcsTransport transport;    /* gstwcselement-ice.c */

  GMutex shutdown_lock;

  /* priv->lock */
  GMutex lock;
  GCond cond;
  GstWcsSessionStatus session_status;
  GstWcsStreamStatus stream_status;
  gchar *codec;
  gchar *current_id;            /* mediaSessionId of the current stream */
  gchar *stopping_id;           /* stream being stopped deliberately */
  gboolean stopping_done;       /* its UNPUBLISHED / STOPPED arrived */
  gboolean wanted;              /* a stream is wanted (running, not given up) */
  gboolean stream_started;      /* start_stream() done, stop_stream() not yet */
  gboolean tearing_down;        /* inside stop_stream() */
  GstWcsSession *session;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  guint restores;
  guint restore_attempts;
  guint64 downtime_ms;
  GstClockTime outage_start;    /* on the policy's clock (one clock for
                                 * downtime: gst_wcs_restore_policy_now()),
                                 * NONE outside an outage */
  GstWcsRestoreReason last_reason;
  gchar *last_detail;
  GstResourceError last_code;   /* GST_RESOURCE_ERROR code of the ERROR that
                                 * ends the outage; 0: from last_reason */
  gulong session_handlers[4];
  GstWcsFailover *failover;     /* the servers of this run (NULL before the
                                 * first READY->PAUSED) */

  /* [element thread] */
  gboolean connecting;
  GstWcsNetWatch *netwatch;     /* while running (PAUSED and up) */
  GSource *stream_timer;        /* stream-timeout of the current stream */
  GSource *avail_timer;         /* a waiting player's next availability
                                 * query (gstwcselement-waitpub.c) */
  guint avail_polls;            /* queries sent in this wait */
  gchar *avail_id;              /* the id of the latest query */
  gboolean net_abort;           /* we aborted the session: network change */

  /* created once */
  GstWcsRestorePolicy *policy;
} GstWcsElementPrivate;

/* The private part of @self. Any thread; the fields' own locks apply. */
G_GNUC_INTERNAL GstWcsElementPrivate *wcs_element_get_priv (GstWcsElement *
    self);

#define GET_PRIV(self) (wcs_element_get_priv (self))

/* ------------------------------------------------------------------ */
/* events marshalled onto the element thread (gstwcselement-events.c)  */

typedef enum
{
  EV_CONNECT,
  EV_SESSION_STATUS,
  EV_REMOTE_SDP,
  EV_STREAM_STATUS,
  EV_ATTEMPT,
  EV_FAILURE,
  EV_ACTIVE,
  EV_OFFER,
  EV_RESTORE_OFF,
  EV_AVAILABLE,
} WcsEventType;

typedef struct
{
  GstWcsElement *self;
  WcsEventType type;
  GstWcsSession *session;
  gint status;
  gchar *id;
  gchar *text;                  /* sdp / info / reason / detail */
  GstWcsRestoreReason reason;
  gboolean flag;                /* permanent / has_video / available */
  gboolean flag2;               /* has_audio */
  GstWcsSessionFailure failure; /* why a session FAILED */
  guint attempt;
  guint max_tries;
} WcsEvent;

/* A new event for @self (holds a ref to it). Any thread, no lock held. */
G_GNUC_INTERNAL WcsEvent *wcs_element_event_new (GstWcsElement * self,
    WcsEventType type);

/* Runs @func on the element thread, or drops the work (@notify frees @data)
 * when there is none. Any thread; takes priv->lock briefly, so call it
 * without priv->lock held. */
G_GNUC_INTERNAL void wcs_element_queue_source (GstWcsElement * self,
    GSourceFunc func, gpointer data, GDestroyNotify notify);

/* Queues @ev (transfer full) for wcs_element_event_dispatch() on the element
 * thread. Any thread; without priv->lock held. */
G_GNUC_INTERNAL void wcs_element_queue_event (WcsEvent * ev);

/* Runs @func on the element thread and waits for it (directly when called
 * on the element thread or when there is none). Any thread; without
 * priv->lock held (it waits on priv->cond); may hold shutdown_lock. */
G_GNUC_INTERNAL void wcs_element_run_sync (GstWcsElement * self,
    void (*func) (GstWcsElement *, gpointer), gpointer data);

/* ------------------------------------------------------------------ */
/* property groups (TLS, backup servers, ICE)                           */

/* Plain configuration properties of one concern, kept in the private
 * struct: @install installs them with ids from @first_id on (gst-doc
 * comments with them), and the base sets / gets them through @fields (ids
 * relative to @first_id) under GST_OBJECT_LOCK. Ids after N_PROPS go to
 * the groups in the base's order (gstwcselement.c). */
typedef struct
{
  void (*install) (GObjectClass * klass, guint first_id);
  const GstWcsPropField *fields;
  guint n_fields;
} WcsElementPropGroup;

/* ------------------------------------------------------------------ */
/* ICE servers, policy and transport properties (gstwcselement-ice.c)  */

/* stun-server, turn-servers, ice-transport-policy, min-rtp-port,
 * max-rtp-port, transport */
G_GNUC_INTERNAL extern const WcsElementPropGroup wcs_element_ice_props;
/* Adds stun-server, turn-servers (masked), ice-transport-policy to stats.
 * Takes GST_OBJECT_LOCK. */
G_GNUC_INTERNAL void wcs_element_ice_fill_stats (GstWcsElement * self,
    GstStructure * stats);
G_GNUC_INTERNAL void wcs_element_ice_init (GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_ice_finalize (GstWcsElement * self);

/* ------------------------------------------------------------------ */
/* TLS properties (gstwcselement-tls.c)                                */

/* ssl-ca-file, ssl-use-system-ca-file, tls-database, tls-interaction,
 * tls-validation-flags */
G_GNUC_INTERNAL extern const WcsElementPropGroup wcs_element_tls_props;
/* The anchors of ssl-ca-file, read again at every READY->PAUSED (the file
 * may have been renewed). A file that cannot be read (RESOURCE, OPEN_READ)
 * or holds no certificate (RESOURCE, SETTINGS) fails the state change with
 * an ERROR naming the property. *db is NULL without ssl-ca-file, or when
 * tls-database is set (it wins). Takes GST_OBJECT_LOCK. */
G_GNUC_INTERNAL gboolean wcs_element_tls_load_ca_file (GstWcsElement * self,
    GTlsDatabase ** db);
/* Gives @session (new, not connected) the TLS settings: tls-database (or
 * else @ca_db, from wcs_element_tls_load_ca_file()), the system's CAs,
 * tls-validation-flags and tls-interaction. Takes GST_OBJECT_LOCK. */
G_GNUC_INTERNAL void wcs_element_tls_configure_session (GstWcsElement *
    self, GstWcsSession * session, GTlsDatabase * ca_db);
G_GNUC_INTERNAL void wcs_element_tls_init (GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_tls_finalize (GstWcsElement * self);

/* ------------------------------------------------------------------ */
/* backup servers (gstwcselement-failover.c)                           */

/* backup-locations, failover-tries, failback */
G_GNUC_INTERNAL extern const WcsElementPropGroup wcs_element_failover_props;
/* The servers of a new run (@location, the run's snapshot of the
 * property, + backup-locations), for priv->failover. Takes
 * GST_OBJECT_LOCK. */
G_GNUC_INTERNAL GstWcsFailover *wcs_element_failover_new (GstWcsElement *
    self, const gchar * location);
/* The server in use (location or a backup), credentials masked, and its
 * index (0: location). Any thread; takes priv->lock (and GST_OBJECT_LOCK
 * before the first start), so call it without priv->lock held. */
G_GNUC_INTERNAL gchar *wcs_element_get_server (GstWcsElement * self,
    guint * index);
/* The servers tried since the stream last worked, masked, ", "-joined;
 * NULL without backup-locations. Any thread; takes priv->lock. */
G_GNUC_INTERNAL gchar *wcs_element_get_servers_tried (GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_failover_init (GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_failover_finalize (GstWcsElement * self);

/* ------------------------------------------------------------------ */
/* posting and status properties (gstwcselement.c)                     */

/* A copy of "location". Any thread; takes GST_OBJECT_LOCK. */
G_GNUC_INTERNAL gchar *wcs_element_get_location (GstWcsElement * self);

/* Stores the session status, notifies and posts wcs-session-status. Element
 * thread, or gst_wcs_element_shutdown() with only shutdown_lock held; no
 * other lock held. */
G_GNUC_INTERNAL void wcs_element_set_session_status (GstWcsElement * self,
    GstWcsSessionStatus status, const gchar * reason);

/* Stores the stream status, notifies and (@post) posts wcs-stream-status.
 * Element thread; no lock held. */
G_GNUC_INTERNAL void wcs_element_set_stream_status (GstWcsElement * self,
    GstWcsStreamStatus status, const gchar * info, gboolean post);

/* ------------------------------------------------------------------ */
/* stream and restore logic (gstwcselement-restore.c)                  */

/* Handles one WcsEvent (a GSourceFunc, the event is its data). Element
 * thread; no lock held. */
G_GNUC_INTERNAL gboolean wcs_element_event_dispatch (gpointer data);

/* Whether a stream is wanted. Any thread; takes priv->lock, so call it
 * without priv->lock held. */
G_GNUC_INTERNAL gboolean wcs_element_is_wanted (GstWcsElement * self);

/* Sends unPublishStream / stopStream for @id. Element thread (also as a
 * synchronous call of a deliberate stop, shutdown_lock held); no other lock
 * held. */
G_GNUC_INTERNAL void wcs_element_send_stop_request (GstWcsElement * self,
    GstWcsSession * session, const gchar * id);

/* Cancels the stream-timeout timer. Element thread (also as a synchronous
 * call of a deliberate stop, shutdown_lock held); no other lock held. */
G_GNUC_INTERNAL void wcs_element_stop_stream_timer (GstWcsElement * self);
/* ms from @start (GST_CLOCK_TIME_NONE: 0) to @now, both times of the
 * restore policy's clock (gst_wcs_restore_policy_now(), read without
 * priv->lock held), the one clock downtime is measured on. */
G_GNUC_INTERNAL guint64 wcs_element_outage_ms (GstClockTime start,
    GstClockTime now);
/* Ends the outage in progress, if any, adding its length to the downtime;
 * returns whether there was one. Element thread; takes priv->lock. */
G_GNUC_INTERNAL gboolean wcs_element_close_outage (GstWcsElement * self);

/* GstWcsNetWatch callback (data: the element). Element thread; no lock
 * held. */
G_GNUC_INTERNAL void wcs_element_on_network_changed (GstWcsNetWatch * watch,
    gboolean available, gboolean was, gpointer data);

/* GstWcsSession signal handlers. Session thread; no lock held: they only
 * queue a WcsEvent. */
G_GNUC_INTERNAL void wcs_element_on_session_status_changed (GstWcsSession *
    session, gint status, const gchar * reason, GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_on_session_remote_sdp (GstWcsSession *
    session, const gchar * id, const gchar * sdp, GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_on_session_stream_status (GstWcsSession *
    session, const gchar * id, const gchar * name, gint status,
    const gchar * info, GstWcsElement * self);

/* A waiting player's availability poll (gstwcselement-waitpub.c). Element
 * thread; no lock held. start: begins it if the outage is about the
 * publisher (no-op otherwise or when running); stop: ends it;
 * handle_available: a reply (EV_AVAILABLE) of the current session. */
G_GNUC_INTERNAL void wcs_element_avail_poll_start (GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_avail_poll_stop (GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_handle_available (GstWcsElement * self,
    const gchar * id, gboolean available, const gchar * info);
/* "stream-available" of the session. Session thread; only queues. */
G_GNUC_INTERNAL void wcs_element_on_session_available (GstWcsSession *
    session, const gchar * id, gboolean available, const gchar * info,
    GstWcsElement * self);

/* GstWcsRestorePolicy signal handlers. "attempt": clock thread, only queues
 * a WcsEvent; the others: element thread (inside the policy's failure() /
 * success()); no lock held. */
G_GNUC_INTERNAL void wcs_element_on_policy_scheduled (GstWcsRestorePolicy *
    policy, gint reason, guint attempt, guint max_tries, guint delay_ms,
    GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_on_policy_attempt (GstWcsRestorePolicy *
    policy, gint reason, guint attempt, guint max_tries,
    GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_on_policy_restored (GstWcsRestorePolicy *
    policy, gint reason, guint attempts, guint64 downtime_ms,
    GstWcsElement * self);
G_GNUC_INTERNAL void wcs_element_on_policy_gave_up (GstWcsRestorePolicy *
    policy, gint reason, guint attempt, guint max_tries,
    GstWcsElement * self);

G_END_DECLS

#endif /* __GST_WCS_ELEMENT_PRIVATE_H__ */
