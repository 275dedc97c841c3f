/* gst-wcs: Flashphoner WCS signalling protocol
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Described in docs/protocol.md sections 2-5 and 9.
 *
 * Builders and parsers for the JSON envelope {"message": ..., "data": [...]}
 * in both directions: the client side (elements) and the server side
 * (wcs-relay). Parsing never crashes: a malformed frame yields a GError.
 */
#ifndef __GST_WCS_PROTOCOL_H__
#define __GST_WCS_PROTOCOL_H__

#include <gst/gst.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GST_WCS_ERROR (gst_wcs_error_quark ())
GQuark gst_wcs_error_quark (void);

typedef enum {
  GST_WCS_ERROR_PARSE,          /* not JSON, not an object */
  GST_WCS_ERROR_PROTOCOL,       /* JSON, but not the shape the message needs */
  GST_WCS_ERROR_CONNECT,        /* refused, handshake failed, TLS failed */
  GST_WCS_ERROR_TIMEOUT,        /* connect timeout */
  GST_WCS_ERROR_CLOSED,         /* socket closed / not connected */
  GST_WCS_ERROR_INVALID_ARGUMENT, /* bad URL, missing name ... */
  GST_WCS_ERROR_INVALID_STATE,  /* e.g. publish while not ESTABLISHED */
} GstWcsError;

/* WCS SESSION_STATUS; GEnum nicks are the WCS names ("ESTABLISHED") */
typedef enum {
  GST_WCS_SESSION_STATUS_PENDING,
  GST_WCS_SESSION_STATUS_CONNECTED,
  GST_WCS_SESSION_STATUS_ESTABLISHED,
  GST_WCS_SESSION_STATUS_DISCONNECTED,
  GST_WCS_SESSION_STATUS_FAILED,
} GstWcsSessionStatus;

#define GST_TYPE_WCS_SESSION_STATUS (gst_wcs_session_status_get_type ())
GType gst_wcs_session_status_get_type (void);
const gchar *gst_wcs_session_status_to_string (GstWcsSessionStatus status);

/* WCS STREAM_STATUS; GEnum nicks are the WCS names ("PUBLISHING").
 * UNKNOWN stands for any status string we do not know. */
typedef enum {
  GST_WCS_STREAM_STATUS_NEW,
  GST_WCS_STREAM_STATUS_PENDING,
  GST_WCS_STREAM_STATUS_PUBLISHING,
  GST_WCS_STREAM_STATUS_PLAYING,
  GST_WCS_STREAM_STATUS_PAUSED,
  GST_WCS_STREAM_STATUS_UNPUBLISHED,
  GST_WCS_STREAM_STATUS_STOPPED,
  GST_WCS_STREAM_STATUS_FAILED,
  GST_WCS_STREAM_STATUS_PLAYBACK_PROBLEM,
  GST_WCS_STREAM_STATUS_RESIZE,
  GST_WCS_STREAM_STATUS_SNAPSHOT_COMPLETE,
  GST_WCS_STREAM_STATUS_NOT_ENOUGH_BANDWIDTH,
  GST_WCS_STREAM_STATUS_UNKNOWN,
} GstWcsStreamStatus;

#define GST_TYPE_WCS_STREAM_STATUS (gst_wcs_stream_status_get_type ())
GType gst_wcs_stream_status_get_type (void);
const gchar *gst_wcs_stream_status_to_string (GstWcsStreamStatus status);
/* NULL or unknown text gives GST_WCS_STREAM_STATUS_UNKNOWN */
GstWcsStreamStatus gst_wcs_stream_status_from_string (const gchar * str);
/* FAILED, STOPPED, UNPUBLISHED: the server released the stream */
gboolean gst_wcs_stream_status_is_terminal (GstWcsStreamStatus status);
/* RESIZE, SNAPSHOT_COMPLETE, NOT_ENOUGH_BANDWIDTH do not change a stream's status */
gboolean gst_wcs_stream_status_changes_status (GstWcsStreamStatus status);

/**
 * GstWcsTransport:
 * @GST_WCS_TRANSPORT_AUTO: the "transport" field is omitted (as the SDK when
 *   options.transport is unset): the server's default, UDP
 * @GST_WCS_TRANSPORT_UDP: "UDP": WebRTC media over UDP
 * @GST_WCS_TRANSPORT_TCP: "TCP": WebRTC media over TCP (ICE-TCP)
 *
 * WCS TRANSPORT_TYPE, the "transport" field of publishStream / playStream.
 * GEnum nicks "auto", "udp", "tcp"; value names "auto", "UDP", "TCP" (so
 * gst-launch accepts transport=tcp and transport=TCP).
 */
typedef enum {
  GST_WCS_TRANSPORT_AUTO = 0,
  GST_WCS_TRANSPORT_UDP,
  GST_WCS_TRANSPORT_TCP,
} GstWcsTransport;

#define GST_TYPE_WCS_TRANSPORT (gst_wcs_transport_get_type ())
GType gst_wcs_transport_get_type (void);
/* "UDP", "TCP", NULL for AUTO */
const gchar *gst_wcs_transport_to_string (GstWcsTransport transport);
/* "UDP" / "TCP" (any case); AUTO for NULL or anything else */
GstWcsTransport gst_wcs_transport_from_string (const gchar * str);

/* Well-known server info strings (docs/protocol.md 7.2) */
#define GST_WCS_INFO_STREAM_NOT_FOUND        "Stream not found"
#define GST_WCS_INFO_NAME_IN_USE             "Stream name is already in use"
#define GST_WCS_INFO_STOPPED_BY_PUBLISHER    "Stopped by publisher stop"
#define GST_WCS_INFO_STOPPED_BY_USER         "Stopped by user"
#define GST_WCS_INFO_FAILED_BY_RTP_ACTIVITY  "Failed by RTP activity"
#define GST_WCS_INFO_STOPPED_BY_REST         "Stopped by rest /terminate"
#define GST_WCS_INFO_STOPPED_BY_DISCONNECT   "Stopped by session disconnect"
#define GST_WCS_INFO_RESTRICTED_ACCESS       "Restricted access"
#define GST_WCS_INFO_NO_COMMON_CODECS        "No common codecs"

/* ------------------------------------------------------------------ */
/* Inbound: any frame, either direction                                */

typedef struct {
  gchar *message;       /* the "message" member */
  JsonNode *root;       /* owned: the whole parsed frame */
  JsonArray *data;      /* borrowed from root; never NULL after a successful
                         * parse (a missing "data" is an error: the SDK
                         * cannot handle it either) */
} GstWcsMessage;

/* len -1: NUL-terminated. Errors: GST_WCS_ERROR_PARSE (not JSON / not an
 * object), GST_WCS_ERROR_PROTOCOL (no string "message", "data" missing or not
 * an array). */
GstWcsMessage *gst_wcs_message_parse (const gchar * text, gssize len, GError ** error);
void gst_wcs_message_free (GstWcsMessage * msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWcsMessage, gst_wcs_message_free)

/* data[index] as an object / string; NULL when absent or of another type */
JsonObject *gst_wcs_message_get_object (const GstWcsMessage * msg, guint index);
const gchar *gst_wcs_message_get_string (const GstWcsMessage * msg, guint index);

/* Typed readers of JSON object members: absent or wrong type gives the
 * default, never a crash. */
const gchar *gst_wcs_json_get_string (JsonObject * obj, const gchar * member);
gboolean gst_wcs_json_get_boolean (JsonObject * obj, const gchar * member, gboolean def);

/* A stream object as carried by notifyStreamStatusEvent, notifyVideoFormat,
 * fail{apiMethod:StreamStatusEvent} (keyed by "id") and, server side, by
 * publishStream / playStream / unPublishStream / stopStream. */
typedef struct {
  gchar *media_session_id;
  gchar *name;
  gboolean published;
  gboolean has_status;       /* FALSE: status-less update, to be ignored */
  GstWcsStreamStatus status;
  gchar *status_str;         /* verbatim status text, NULL if absent */
  gchar *info;               /* NULL when absent or empty */
  gchar *sdp;                /* NULL when absent or empty (client requests only) */
  gboolean has_video;
  gboolean has_audio;
  GstWcsTransport transport; /* publishStream / playStream "transport";
                              * AUTO when absent or not UDP / TCP */
} GstWcsStreamInfo;

/* Parses data[0] of a stream message. Error (PROTOCOL) when data[0] is not
 * an object or has no string mediaSessionId (or "id" for "fail"). */
gboolean gst_wcs_stream_info_parse (const GstWcsMessage * msg, GstWcsStreamInfo * info,
    GError ** error);
void gst_wcs_stream_info_clear (GstWcsStreamInfo * info);

/* setRemoteSDP: data[0] = mediaSessionId, data[1] = SDP text */
gboolean gst_wcs_parse_set_remote_sdp (const GstWcsMessage * msg,
    gchar ** media_session_id, gchar ** sdp, GError ** error);
/* availableStream reply: data[0] = {id, status "true"|"false", info};
 * only the string "true" is available (as in the SDK) */
gboolean gst_wcs_parse_available_stream (const GstWcsMessage * msg,
    gchar ** media_session_id, gboolean * available, gchar ** info,
    GError ** error);

/* ------------------------------------------------------------------ */
/* Outbound, client to server (shapes of the SDK, field for field)     */

typedef struct {
  const gchar *media_session_id;
  const gchar *name;
  gboolean has_video;
  gboolean has_audio;
  const gchar *sdp;            /* publishStream / playStream only */
  const GstStructure *custom;  /* optional, sent as "custom" */
  GstWcsStreamStatus status;   /* status field; PENDING for publish/play */
  gint width, height;          /* playStream only, 0 = original */
  GstWcsTransport transport;   /* publishStream / playStream; AUTO (0):
                                * "transport" omitted */
} GstWcsStreamRequest;

/* {"message":"connection","data":[{"appKey":...,"mediaProviders":["WebRTC"],
 *  "clientVersion":"2.0","clientOSVersion":...,"clientBrowserVersion":...,
 *  "msePacketizationVersion":2[,"custom":{...}]}]} */
gchar *gst_wcs_build_connection (const gchar * app_key, const GstStructure * custom);
gchar *gst_wcs_build_pong (void);            /* {"message":"pong","data":[null]} */
gchar *gst_wcs_build_client_ping (void);     /* {"message":"ping","data":[null]} */
gchar *gst_wcs_build_publish_stream (const GstWcsStreamRequest * req);
gchar *gst_wcs_build_unpublish_stream (const GstWcsStreamRequest * req);
gchar *gst_wcs_build_play_stream (const GstWcsStreamRequest * req);
gchar *gst_wcs_build_stop_stream (const GstWcsStreamRequest * req);
gchar *gst_wcs_build_available_stream (const gchar * media_session_id, const gchar * name);

/* ------------------------------------------------------------------ */
/* Outbound, server to client (wcs-relay)                              */

gchar *gst_wcs_build_server_ping (void);     /* {"message":"ping","data":[]} */
/* echoes the connection object (may be NULL) plus authToken and status */
gchar *gst_wcs_build_get_user_data (JsonObject * connection, const gchar * auth_token);
gchar *gst_wcs_build_set_remote_sdp (const gchar * media_session_id, const gchar * sdp);
/* notifyStreamStatusEvent; info may be NULL (then omitted) */
gchar *gst_wcs_build_stream_status_event (const gchar * media_session_id,
    const gchar * name, gboolean published, GstWcsStreamStatus status,
    const gchar * info);
gchar *gst_wcs_build_available_stream_reply (const gchar * media_session_id,
    gboolean available, const gchar * info);

/* ------------------------------------------------------------------ */
/* Generic                                                             */

/* {"message":message,"data":[payload]}; payload is taken (transfer full);
 * NULL payload gives "data":[null]. */
gchar *gst_wcs_build_message (const gchar * message, JsonNode * payload);
/* {"message":message,"data":[]} */
gchar *gst_wcs_build_message_empty (const gchar * message);
/* GstStructure fields to a JSON object (strings, ints, uints, doubles,
 * booleans, nested structures); NULL structure gives NULL. */
JsonObject *gst_wcs_structure_to_json (const GstStructure * s);
/* A fresh random mediaSessionId (UUID) */
gchar *gst_wcs_new_media_session_id (void);

G_END_DECLS

#endif /* __GST_WCS_PROTOCOL_H__ */
