/* gst-wcs: one WCS WebSocket signalling session (libsoup 3)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The session owns a private GMainContext running in its own thread: all
 * socket I/O, timers (connect timeout, receive-probes watchdog) and signal
 * emissions happen there, so an element's streaming thread never blocks on
 * the network. Every public function is thread-safe and non-blocking.
 *
 * Status semantics (SESSION_STATUS):
 *   PENDING      created, never connected; also while a connect() attempt
 *                runs (reason "connecting"), so a reconnect reads
 *                FAILED -> PENDING -> CONNECTED -> ESTABLISHED
 *   CONNECTED    WebSocket open, "connection" sent
 *   ESTABLISHED  "getUserData" received: streams may be published / played
 *   DISCONNECTED clean close (close frame from either side, or disconnect())
 *   FAILED       refused, failed handshake, TLS failure, connect timeout,
 *                abrupt drop (EOF / I/O error without a close frame), or the
 *                receive-probes watchdog fired
 * A session can be connected again after DISCONNECTED or FAILED.
 *
 * Why an abrupt drop is FAILED and not DISCONNECTED: nobody asked for the
 * session to end, so the restore logic must treat it as a failure. The
 * browser reports it as close code 1006, which the SDK maps to DISCONNECTED
 * or FAILED depending on the engine (docs/protocol.md 2.5); only a close
 * frame (either side) or disconnect() is a clean end.
 */
#ifndef __GST_WCS_SESSION_H__
#define __GST_WCS_SESSION_H__

#include <gst/gst.h>
#include "gstwcsprotocol.h"

G_BEGIN_DECLS

/**
 * GstWcsSessionFailure:
 * @GST_WCS_SESSION_FAILURE_NONE: the session has not failed
 * @GST_WCS_SESSION_FAILURE_TRANSIENT: worth retrying: connection refused,
 *   reset, DNS failure, connect timeout, HTTP 5xx (and other codes not
 *   below) on the upgrade, abrupt drop
 * @GST_WCS_SESSION_FAILURE_PINGS_MISSED: the receive-probes watchdog fired
 * @GST_WCS_SESSION_FAILURE_ABORTED: gst_wcs_session_abort() was called
 * @GST_WCS_SESSION_FAILURE_REFUSED: the server refused the upgrade with
 *   HTTP 401, 403 or 407: retrying cannot help
 * @GST_WCS_SESSION_FAILURE_NOT_FOUND: HTTP 404 or 410 on the upgrade: no
 *   WebSocket endpoint there
 * @GST_WCS_SESSION_FAILURE_TLS: the server's TLS certificate was not
 *   accepted (verification failed) or the server does not speak TLS
 *
 * Why the session became FAILED (gst_wcs_session_get_failure()). The three
 * last ones are permanent.
 */
typedef enum {
  GST_WCS_SESSION_FAILURE_NONE,
  GST_WCS_SESSION_FAILURE_TRANSIENT,
  GST_WCS_SESSION_FAILURE_PINGS_MISSED,
  GST_WCS_SESSION_FAILURE_ABORTED,
  GST_WCS_SESSION_FAILURE_REFUSED,
  GST_WCS_SESSION_FAILURE_NOT_FOUND,
  GST_WCS_SESSION_FAILURE_TLS,
} GstWcsSessionFailure;

#define GST_TYPE_WCS_SESSION (gst_wcs_session_get_type ())
G_DECLARE_FINAL_TYPE (GstWcsSession, gst_wcs_session, GST, WCS_SESSION, GObject)

/*
 * Properties (set before connect(); a change applies to the next connect):
 *   "location"        string  ws:// or wss:// URL
 *   "app-key"         string  default "defaultApp"
 *   "custom"          GstStructure, optional, sent as "custom" in "connection"
 *   "receive-probes"  uint    default 10, 0 = watchdog off
 *   "probes-interval" uint ms default 5000, 0 = watchdog off
 *   "connect-timeout" uint ms default 10000 (covers TCP + TLS + upgrade)
 *   "tls-database"    GTlsDatabase, NULL: see tls-use-system-database
 *   "tls-use-system-database" bool default TRUE: without tls-database,
 *                     verify with the system's CAs (FALSE: no anchor)
 *   "tls-validation-flags" GTlsCertificateFlags default VALIDATE_ALL: the
 *                     certificate errors that refuse the server (applied in
 *                     SoupMessage::accept-certificate, re-checked there)
 *   "tls-interaction" GTlsInteraction, NULL: client certificate / password
 *   "transport"       GstWcsTransport default AUTO: "transport" field of
 *                     publishStream / playStream (AUTO: omitted); read when
 *                     the request is queued
 *   "status"          GstWcsSessionStatus, read-only
 *   "auth-token"      string, read-only: authToken of the last getUserData
 *
 * Signals (emitted from the session thread; handlers must not block; they
 * may call any gst_wcs_session_* function):
 *   "status-changed"  (GstWcsSessionStatus status, const gchar *reason)
 *        reason: NULL or a human readable cause ("connection refused",
 *        "pings-missed", "closed by server", "connect timeout", ...)
 *   "remote-sdp"      (const gchar *media_session_id, const gchar *sdp)
 *   "stream-status"   (const gchar *media_session_id, const gchar *name,
 *                      GstWcsStreamStatus status, const gchar *info)
 *        only for updates that carry a status that changes the stream
 *        status (status-less metrics/notifyVideoFormat updates are dropped)
 *   "message"         (const gchar *message_name, const gchar *raw_text)
 *        every inbound frame that parsed, after it has been handled
 *   "stream-available" (const gchar *media_session_id, gboolean available,
 *                      const gchar *info)
 *        the reply to gst_wcs_session_query_available()
 */

GstWcsSession *gst_wcs_session_new (const gchar * location);

/* Validates the location (ws:// or wss:// with a host; else
 * GST_WCS_ERROR_INVALID_ARGUMENT) and starts connecting asynchronously.
 * Allowed from PENDING, DISCONNECTED or FAILED; otherwise
 * GST_WCS_ERROR_INVALID_STATE. */
gboolean gst_wcs_session_connect (GstWcsSession * session, GError ** error);

/* Clean close (close frame); status DISCONNECTED. No-op when not connected. */
void gst_wcs_session_disconnect (GstWcsSession * session);

/* Test/fault helper: drop the socket without a close frame; status FAILED
 * with the given reason. */
void gst_wcs_session_abort (GstWcsSession * session, const gchar * reason);

GstWcsSessionStatus gst_wcs_session_get_status (GstWcsSession * session);

/* Why the last FAILED status was reported (NONE after any other status).
 * Read it from a "status-changed" handler to get the kind that goes with
 * that emission. */
GstWcsSessionFailure gst_wcs_session_get_failure (GstWcsSession * session);

/* TRUE for the failures retrying cannot help (REFUSED, NOT_FOUND, TLS). */
gboolean gst_wcs_session_failure_is_permanent (GstWcsSessionFailure failure);

/* Local and remote IP address (strings) of the open WebSocket's TCP
 * connection, NULL when not connected or unknown. transfer full. */
gchar *gst_wcs_session_get_local_address (GstWcsSession * session);
gchar *gst_wcs_session_get_remote_address (GstWcsSession * session);

/* Stream requests; need ESTABLISHED (else GST_WCS_ERROR_INVALID_STATE).
 * custom may be NULL. */
gboolean gst_wcs_session_publish (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, const gchar * sdp,
    gboolean has_video, gboolean has_audio, GError ** error);
gboolean gst_wcs_session_play (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, const gchar * sdp,
    GError ** error);
gboolean gst_wcs_session_unpublish (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, GError ** error);
gboolean gst_wcs_session_stop (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, GError ** error);

/* availableStream {mediaSessionId, name}: does the server have a stream
 * of that name? Answered by "stream-available". Needs ESTABLISHED
 * (GST_WCS_ERROR_INVALID_STATE). Creates no stream. */
gboolean gst_wcs_session_query_available (GstWcsSession * session,
    const gchar * media_session_id, const gchar * name, GError ** error);

/* Queue a raw text frame (tests, extensions); needs an open socket. */
gboolean gst_wcs_session_send_text (GstWcsSession * session, const gchar * text,
    GError ** error);

/* Blocks the caller until all queued work ran on the session thread
 * (tests and teardown). Never call from a signal handler. */
void gst_wcs_session_flush (GstWcsSession * session);

G_END_DECLS

#endif /* __GST_WCS_SESSION_H__ */
