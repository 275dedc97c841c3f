/* gst-wcs: GstWcsElement, the abstract base of wcspublishsink and wcsplaysrc
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The base class owns everything both elements share (elements.md sections
 * 1, 4 and 5): the shared properties, configuration checks, the signalling
 * session (GstWcsSession), the restore policy (GstWcsRestorePolicy) and the
 * restore loop, the bus messages, the read-only status properties and the
 * stats structure. A subclass only builds and tears down its WebRTC part.
 * The network watch (private monitor, debounce, route check) lives in
 * gst/gstwcsnetwatch.h; the base only starts it on the element thread while
 * running and, on a debounced change, posts wcs-network-changed and decides
 * whether to restore (docs/restore.md section 9).
 *
 * Threading model
 * ---------------
 * The base runs a private GMainContext in its own thread ("element thread",
 * created in NULL->READY, joined in READY->NULL). Session signals (session
 * thread), restore-policy signals (clock thread) and failure reports from
 * any thread are marshalled onto it, so ALL vfuncs below are called from the
 * element thread, one at a time, never with a base lock held. Subclasses may
 * attach their own GSources to gst_wcs_element_get_context() (e.g. the
 * bitrate detector timer) to run serialized with the vfuncs.
 *
 * Stream life cycle (one "stream" = one mediaSessionId = one webrtcbin):
 *   1. session ESTABLISHED and a stream is wanted -> the base picks a fresh
 *      mediaSessionId and calls start_stream(). The subclass builds a fresh
 *      webrtcbin, creates the offer (from any thread) and hands it over with
 *      gst_wcs_element_send_offer() (the base sends publishStream /
 *      playStream; stale ids are dropped).
 *   2. setRemoteSDP for the current id -> remote_sdp().
 *   3. every status of the current id -> the base updates "stream-status",
 *      posts wcs-stream-status, then calls stream_status(). Unless that
 *      returns TRUE ("handled"), the base applies the default rules:
 *      PUBLISHING (publisher) / PLAYING (player) -> gst_wcs_element_stream_active();
 *      FAILED / unexpected STOPPED / UNPUBLISHED -> classified with
 *      gst_wcs_classify_info() and reported as a failure.
 *   4. a failure (session dropped, stream failed, subclass report) ->
 *      stop_stream(deliberate=FALSE), the base sends unPublishStream /
 *      stopStream for the old id if the session is still up, and the restore
 *      policy schedules an attempt: reconnect if not ESTABLISHED, then 1.
 *      A player waiting for its publisher (reason publisher-stopped) polls
 *      availableStream meanwhile and starts that attempt as soon as the
 *      server has the stream (gstwcselement-waitpub.c).
 *   5. deliberate stop (PAUSED->READY or gst_wcs_element_shutdown()): the base
 *      cancels the policy, sends unPublishStream / stopStream, optionally
 *      waits (bounded) for the server's UNPUBLISHED / STOPPED, calls
 *      stop_stream(deliberate=TRUE) and closes the session. Never restores.
 *
 * Status values of other (old) mediaSessionIds are ignored.
 */
#ifndef __GST_WCS_ELEMENT_H__
#define __GST_WCS_ELEMENT_H__

#include <gst/gst.h>
#include "gstwcsprotocol.h"
#include "gstwcssession.h"
#include "gstwcsrestore.h"

G_BEGIN_DECLS

#define GST_TYPE_WCS_ELEMENT (gst_wcs_element_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstWcsElement, gst_wcs_element, GST, WCS_ELEMENT, GstBin)

/**
 * GstWcsElementClass:
 * @parent_class: the parent class
 * @is_player: TRUE for players (playStream / stopStream, active status
 *   PLAYING), FALSE for publishers (publishStream / unPublishStream, active
 *   status PUBLISHING). Set it in class_init.
 * @check_config: optional; validate subclass properties in READY->PAUSED.
 *   Return FALSE with @error set (GST_WCS_ERROR_INVALID_ARGUMENT) whose
 *   message names the property; the base posts GST_ELEMENT_ERROR
 *   (RESOURCE, SETTINGS) and fails the state change.
 * @start_stream: build a fresh WebRTC part for @media_session_id and make the
 *   offer; hand it over with gst_wcs_element_send_offer(). Return FALSE (with
 *   @error) when it cannot even start: reported as a STREAM_FAILED failure,
 *   permanent (no retry, ERROR) when @error is GST_WCS_ERROR_INVALID_ARGUMENT.
 * @stop_stream: tear the WebRTC part down (webrtcbin to NULL and removed).
 *   Must not block for long. @deliberate: TRUE for a user stop (the base
 *   already sent unPublishStream / stopStream), FALSE before a restore.
 *   Called at most once per started stream.
 * @remote_sdp: the server's answer for the current stream.
 * @stream_status: a status update for the current stream (already stored
 *   and posted by the base). Return TRUE to skip the base's default
 *   handling described above.
 * @session_status: optional; informational, after the base handled it.
 * @fill_stats: add subclass fields (bitrate, bytes, frames-dropped ...) to the
 *   "stats" structure; called with no lock held, from the thread reading the
 *   property.
 *
 * All vfuncs except @check_config and @fill_stats run on the element thread.
 */
struct _GstWcsElementClass
{
  GstBinClass parent_class;

  gboolean is_player;

  gboolean (*check_config) (GstWcsElement * self, GError ** error);
  gboolean (*start_stream) (GstWcsElement * self, GstWcsSession * session,
      const gchar * media_session_id, GError ** error);
  void (*stop_stream) (GstWcsElement * self, gboolean deliberate);
  void (*remote_sdp) (GstWcsElement * self, const gchar * media_session_id,
      const gchar * sdp);
  gboolean (*stream_status) (GstWcsElement * self,
      const gchar * media_session_id, GstWcsStreamStatus status,
      const gchar * info);
  void (*session_status) (GstWcsElement * self, GstWcsSessionStatus status,
      const gchar * reason);
  void (*fill_stats) (GstWcsElement * self, GstStructure * stats);

  /*< private >*/
  gpointer _gst_reserved[GST_PADDING];
};

/* ---- helpers for subclasses (thread-safe, callable from any thread) ---- */

/* The element thread's context (valid between NULL->READY and READY->NULL;
 * NULL otherwise). transfer none. */
GMainContext *gst_wcs_element_get_context (GstWcsElement * self);

/* Run @func on the element thread (serialized with the vfuncs). */
void gst_wcs_element_invoke (GstWcsElement * self, GSourceFunc func,
    gpointer data, GDestroyNotify notify);

/* The offer for @media_session_id is ready: sends publishStream (with
 * has_video / has_audio) or playStream. Silently dropped when the id is no
 * longer current; a send failure is reported as a failure. */
void gst_wcs_element_send_offer (GstWcsElement * self,
    const gchar * media_session_id, const gchar * sdp,
    gboolean has_video, gboolean has_audio);

/* The current stream reached PUBLISHING / PLAYING (or, for a player, media
 * arrived): restore-policy success ("restored" posted when in an outage). */
void gst_wcs_element_stream_active (GstWcsElement * self);

/* Something failed (bitrate-zero, media-timeout, webrtcbin error ...):
 * tear the stream down and go through the restore policy. permanent: give
 * up at once (ERROR). detail: human readable, used in WARNING / ERROR.
 * Ignored while stopping deliberately or when no stream is wanted. */
void gst_wcs_element_report_failure (GstWcsElement * self,
    GstWcsRestoreReason reason, gboolean permanent, const gchar * detail);

/* Set the read-only "codec" property ("H264", "VP8"; NULL clears);
 * notify::codec when it changed. */
void gst_wcs_element_set_codec (GstWcsElement * self, const gchar * codec);

/* Post an element message (takes @s). */
void gst_wcs_element_post (GstWcsElement * self, GstStructure * s);

/* Deliberate stop from outside a state change (publisher EOS): cancel the
 * restore, send unPublishStream / stopStream, wait at most @wait_ms for the
 * server's UNPUBLISHED / STOPPED, tear down (stop_stream(TRUE)) and close the
 * session. Blocking, bounded; never call it from the element thread or
 * from a vfunc. Afterwards no stream is wanted until the next READY->PAUSED. */
void gst_wcs_element_shutdown (GstWcsElement * self, guint wait_ms);

/* Give @webrtc (just created, before its offer / answer) the ICE servers,
 * policy and port range of the stun-server, turn-servers,
 * ice-transport-policy, min/max-rtp-port properties and the candidates of
 * the transport property (TCP: ICE-TCP only; UDP: UDP only; auto:
 * webrtcbin's defaults) (gstwcselement-ice.c). Any thread. */
void gst_wcs_element_configure_webrtc (GstWcsElement * self,
    GstElement * webrtc);

/* Current values (copies / snapshots) */
gchar *gst_wcs_element_get_stream_name (GstWcsElement * self);
gchar *gst_wcs_element_get_current_id (GstWcsElement * self);
gchar *gst_wcs_element_get_codec (GstWcsElement * self);
GstWcsStreamStatus gst_wcs_element_get_stream_status (GstWcsElement * self);
GstWcsSessionStatus gst_wcs_element_get_session_status (GstWcsElement * self);
/* TRUE between READY->PAUSED and a deliberate stop */
gboolean gst_wcs_element_is_running (GstWcsElement * self);

G_END_DECLS

#endif /* __GST_WCS_ELEMENT_H__ */
