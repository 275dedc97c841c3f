/* gst-wcs: wcs-relay WebSocket signalling, REST API, sessions and streams
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One RelaySession per WebSocket client, one RelayEndpoint per
 * mediaSessionId (a publisher or a player), one RelayStream per published
 * name. Everything here runs in the default main context; the media layer
 * (relay-media.c) calls back in that context too.
 *
 * Protocol: docs/protocol.md section 10 plus the shapes of sections 4
 * and 5. REST and fault injection: docs/relay.md.
 */

#include "relay-server.h"
#include "relay-media.h"
#include "relay-log.h"

#include <string.h>

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "gstwcsprotocol.h"

#define GST_CAT_DEFAULT wcs_relay_debug

#define CHECK_INTERVAL_MS 250

#define INFO_FAILED_BY_ERROR "Failed by error"
#define INFO_SESSION_NOT_READY "Session not ready"
#define INFO_MSID_IN_USE "MediaSessionId is already in use"

typedef struct _RelayStream RelayStream;
typedef struct _RelayEndpoint RelayEndpoint;

struct _RelayServer
{
  RelayOptions opts;
  gchar *host;
  gchar *url;
  guint port;
  gboolean tls;

  SoupServer *soup;
  GHashTable *sessions;         /* RelaySession* -> itself, owned */
  GHashTable *streams;          /* name -> RelayStream*, owned */
  GHashTable *endpoints;        /* mediaSessionId -> RelayEndpoint*, owned */
  GHashTable *rejects;          /* name -> Reject*, owned (faults) */
  guint next_session_id;
  guint ping_source;
  guint check_source;
  guint stale_ms;               /* runtime value of --stale-publisher-ms */
};

struct _RelaySession
{
  RelayServer *server;
  guint id;
  gchar *peer;
  SoupWebsocketConnection *conn;
  gboolean established;         /* got "connection" */
  gboolean frozen;              /* fault: output held, input ignored */
  GQueue held;                  /* text frames held while frozen */
  gboolean closing;
};

/* what a frozen session holds at most (then the oldest go, with a warning) */
#define MAX_HELD_FRAMES 1000

struct _RelayStream
{
  gchar *name;
  RelayEndpoint *publisher;     /* NULL while only stale */
  GList *players;               /* RelayEndpoint* */
  gint64 stale_until;           /* monotonic, 0: not stale */
  gint stale_ms;                /* per-stream override, -1: server value */
  gchar *last_codec;
};

struct _RelayEndpoint
{
  RelayServer *server;
  RelaySession *session;        /* NULL once the socket is gone */
  RelayStream *stream;
  gchar *id;                    /* mediaSessionId */
  gchar *name;
  gboolean published;
  GstWcsStreamStatus status;    /* PENDING, PUBLISHING, PLAYING */
  gint64 active_since;          /* monotonic time of PUBLISHING/PLAYING */
  gboolean has_video, has_audio;
  RelayPublisher *pub;
  RelayPlayer *player;
  gchar *label;
};

typedef struct
{
  gchar *info;
  gint count;                   /* > 0: that many more; 0: until cleared */
  gboolean publish, play;
  gboolean hold;                /* no answer at all (info unused) */
} Reject;

static void endpoint_remove (RelayEndpoint * ep);

static void
reject_free (Reject * r)
{
  g_free (r->info);
  g_free (r);
}
static void stream_end (RelayStream * stream, GstWcsStreamStatus pub_status,
    const gchar * pub_info, GstWcsStreamStatus players_status,
    const gchar * players_info, gboolean keep_stale);
static void player_end (RelayEndpoint * ep, GstWcsStreamStatus status,
    const gchar * info);

/* ------------------------------------------------------------------ */
/* Sessions                                                            */

static gboolean
session_is_open (RelaySession * s)
{
  return s && s->conn && !s->closing &&
      soup_websocket_connection_get_state (s->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN;
}

/* takes @text */
static void
session_send (RelaySession * s, gchar * text)
{
  if (!text)
    return;
  if (s && s->frozen && session_is_open (s)) {
    /* a frozen session is a stalled connection, not a lossy one: what the
     * relay says meanwhile (statuses, pings) arrives at unfreeze, in order,
     * as TCP would deliver it */
    RELAY_DEBUG ("session %u frozen: holding %.100s", s->id, text);
    if (g_queue_get_length (&s->held) >= MAX_HELD_FRAMES) {
      RELAY_WARN ("session %u: more than %u frames held, dropping the "
          "oldest", s->id, MAX_HELD_FRAMES);
      g_free (g_queue_pop_head (&s->held));
    }
    g_queue_push_tail (&s->held, text);
    return;
  }
  if (s && session_is_open (s)) {
    RELAY_DEBUG ("session %u <- %.300s", s->id, text);
    soup_websocket_connection_send_text (s->conn, text);
  }
  g_free (text);
}

/* unfreeze: the held frames go out first */
static void
session_release_held (RelaySession * s)
{
  gchar *text;

  while ((text = g_queue_pop_head (&s->held)))
    session_send (s, text);
}

static void
endpoint_send_status (RelayEndpoint * ep, GstWcsStreamStatus status,
    const gchar * info)
{
  if (!ep->session)
    return;
  RELAY_INFO ("session %u: %s %s \"%s\" -> %s%s%s%s", ep->session->id,
      ep->published ? "publisher" : "player", ep->id, ep->name,
      gst_wcs_stream_status_to_string (status), info ? " (" : "",
      info ? info : "", info ? ")" : "");
  session_send (ep->session, gst_wcs_build_stream_status_event (ep->id,
          ep->name, ep->published, status, info));
}

static gboolean
unref_later (gpointer obj)
{
  g_object_unref (obj);
  return G_SOURCE_REMOVE;
}

static void
session_free (RelaySession * s)
{
  if (s->conn) {
    g_signal_handlers_disconnect_by_data (s->conn, s);
    /* we may be inside one of its signal emissions */
    g_idle_add (unref_later, s->conn);
  }
  g_queue_clear_full (&s->held, g_free);
  g_free (s->peer);
  g_free (s);
}

/* The socket is gone: release every stream of this session. */
static void
session_destroy (RelaySession * s)
{
  RelayServer *server = s->server;
  GHashTableIter iter;
  gpointer value;
  GPtrArray *players = g_ptr_array_new ();
  GPtrArray *publishers = g_ptr_array_new ();
  guint i;

  RELAY_INFO ("session %u (%s) closed", s->id, s->peer);

  g_hash_table_iter_init (&iter, server->endpoints);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    RelayEndpoint *ep = value;
    if (ep->session != s)
      continue;
    ep->session = NULL;         /* nothing more can be sent to it */
    g_ptr_array_add (ep->published ? publishers : players, ep);
  }
  /* players first: a publisher's end removes its players too */
  for (i = 0; i < players->len; i++)
    player_end (g_ptr_array_index (players, i), GST_WCS_STREAM_STATUS_STOPPED,
        GST_WCS_INFO_STOPPED_BY_DISCONNECT);
  for (i = 0; i < publishers->len; i++) {
    RelayEndpoint *ep = g_ptr_array_index (publishers, i);
    if (ep->stream && ep->stream->publisher == ep)
      stream_end (ep->stream, GST_WCS_STREAM_STATUS_UNPUBLISHED,
          GST_WCS_INFO_STOPPED_BY_DISCONNECT, GST_WCS_STREAM_STATUS_STOPPED,
          GST_WCS_INFO_STOPPED_BY_PUBLISHER, TRUE);
    else
      endpoint_remove (ep);
  }
  g_ptr_array_unref (players);
  g_ptr_array_unref (publishers);

  g_hash_table_remove (server->sessions, s);    /* frees it */
}

/* ------------------------------------------------------------------ */
/* Streams and endpoints                                               */

static void
stream_free (RelayStream * st)
{
  g_list_free (st->players);
  g_free (st->name);
  g_free (st->last_codec);
  g_free (st);
}

/* A PENDING endpoint of @s for the stream request @info (not registered
 * anywhere yet: endpoint_free() undoes it) */
static RelayEndpoint *
endpoint_new (RelaySession * s, const GstWcsStreamInfo * info,
    gboolean published)
{
  RelayEndpoint *ep = g_new0 (RelayEndpoint, 1);

  ep->server = s->server;
  ep->session = s;
  ep->id = g_strdup (info->media_session_id);
  ep->name = g_strdup (info->name);
  ep->published = published;
  ep->status = GST_WCS_STREAM_STATUS_PENDING;
  ep->label = g_strdup_printf ("%s %s (\"%s\", session %u)",
      published ? "publisher" : "player", ep->id, ep->name, s->id);
  return ep;
}

static void
endpoint_free (RelayEndpoint * ep)
{
  if (ep->player)
    relay_player_close (ep->player);
  if (ep->pub)
    relay_publisher_close (ep->pub);
  g_free (ep->id);
  g_free (ep->name);
  g_free (ep->label);
  g_free (ep);
}

static void
endpoint_remove (RelayEndpoint * ep)
{
  g_hash_table_remove (ep->server->endpoints, ep->id);  /* frees it */
}

static void
maybe_drop_stream (RelayStream * st, RelayServer * server)
{
  if (!st->publisher && !st->players && st->stale_until == 0)
    g_hash_table_remove (server->streams, st->name);
}

static void
player_end (RelayEndpoint * ep, GstWcsStreamStatus status, const gchar * info)
{
  RelayStream *st = ep->stream;
  RelayServer *server = ep->server;

  endpoint_send_status (ep, status, info);
  if (st) {
    st->players = g_list_remove (st->players, ep);
    ep->stream = NULL;
  }
  endpoint_remove (ep);         /* frees ep */
  if (st)
    maybe_drop_stream (st, server);
}

static void
stream_end (RelayStream * st, GstWcsStreamStatus pub_status,
    const gchar * pub_info, GstWcsStreamStatus players_status,
    const gchar * players_info, gboolean keep_stale)
{
  RelayEndpoint *pub = st->publisher;
  RelayServer *server = pub ? pub->server : NULL;
  gint stale_ms;

  if (!pub)
    return;

  RELAY_INFO ("stream \"%s\" ends: %s%s%s", st->name,
      gst_wcs_stream_status_to_string (pub_status),
      pub_info ? ", " : "", pub_info ? pub_info : "");

  while (st->players)
    player_end (st->players->data, players_status, players_info);

  endpoint_send_status (pub, pub_status, pub_info);
  st->publisher = NULL;
  pub->stream = NULL;

  stale_ms = st->stale_ms >= 0 ? st->stale_ms : (gint) server->stale_ms;
  if (keep_stale && stale_ms > 0) {
    st->stale_until = g_get_monotonic_time () + (gint64) stale_ms * 1000;
    RELAY_INFO ("stream \"%s\": name kept for %d ms (stale publisher)",
        st->name, stale_ms);
  }
  endpoint_remove (pub);
  maybe_drop_stream (st, server);
}

static RelayStream *
stream_get (RelayServer * server, const gchar * name, gboolean create)
{
  RelayStream *st = g_hash_table_lookup (server->streams, name);

  if (!st && create) {
    st = g_new0 (RelayStream, 1);
    st->name = g_strdup (name);
    st->stale_ms = -1;
    g_hash_table_insert (server->streams, st->name, st);
  }
  return st;
}

/* ------------------------------------------------------------------ */
/* Media callbacks                                                     */

static void
publisher_answer (gpointer user_data, const gchar * sdp)
{
  RelayEndpoint *ep = user_data;

  session_send (ep->session, gst_wcs_build_set_remote_sdp (ep->id, sdp));
  ep->status = GST_WCS_STREAM_STATUS_PUBLISHING;
  ep->active_since = g_get_monotonic_time ();
  endpoint_send_status (ep, GST_WCS_STREAM_STATUS_PUBLISHING, NULL);
}

static void
publisher_failed (gpointer user_data, const gchar * info)
{
  RelayEndpoint *ep = user_data;

  if (ep->stream && ep->stream->publisher == ep)
    stream_end (ep->stream, GST_WCS_STREAM_STATUS_FAILED, info,
        GST_WCS_STREAM_STATUS_STOPPED, GST_WCS_INFO_STOPPED_BY_PUBLISHER,
        FALSE);
}

static void
player_answer (gpointer user_data, const gchar * sdp)
{
  RelayEndpoint *ep = user_data;

  session_send (ep->session, gst_wcs_build_set_remote_sdp (ep->id, sdp));
  ep->status = GST_WCS_STREAM_STATUS_PLAYING;
  ep->active_since = g_get_monotonic_time ();
  endpoint_send_status (ep, GST_WCS_STREAM_STATUS_PLAYING, NULL);
}

static void
player_failed (gpointer user_data, const gchar * info)
{
  RelayEndpoint *ep = user_data;

  player_end (ep, GST_WCS_STREAM_STATUS_FAILED, info);
}

/* ------------------------------------------------------------------ */
/* Inbound messages                                                    */

/* FAILED for a request we did not take (no endpoint exists) */
static void
refuse (RelaySession * s, const gchar * id, const gchar * name,
    gboolean published, const gchar * info)
{
  RELAY_INFO ("session %u: %s %s \"%s\" refused: %s", s->id,
      published ? "publish" : "play", id, name ? name : "", info);
  session_send (s, gst_wcs_build_stream_status_event (id, name, published,
          GST_WCS_STREAM_STATUS_FAILED, info));
}

/* A reject fault for this request: TRUE with *@info to refuse it with, or
 * with *@info NULL when the request is to be swallowed (hold: no answer,
 * no status, the stream stays PENDING for the client). */
static gboolean
reject_fault_applies (RelayServer * server, const gchar * name,
    gboolean publish, gchar ** info)
{
  Reject *r = name ? g_hash_table_lookup (server->rejects, name) : NULL;

  if (!r || (publish && !r->publish) || (!publish && !r->play))
    return FALSE;
  *info = r->hold ? NULL : g_strdup (r->info);
  if (r->count > 0 && --r->count == 0)
    g_hash_table_remove (server->rejects, name);
  return TRUE;
}

static void
handle_publish (RelaySession * s, GstWcsMessage * msg)
{
  RelayServer *server = s->server;
  GstWcsStreamInfo info;
  GError *err = NULL;
  RelayStream *st;
  RelayEndpoint *ep;
  RelayMediaCallbacks cb;
  gchar *error_info = NULL;

  if (!gst_wcs_stream_info_parse (msg, &info, &err)) {
    RELAY_WARN ("session %u: bad publishStream: %s", s->id, err->message);
    g_clear_error (&err);
    return;
  }
  if (!s->established) {
    refuse (s, info.media_session_id, info.name, TRUE, INFO_SESSION_NOT_READY);
    goto out;
  }
  if (!info.name || !*info.name) {
    RELAY_WARN ("session %u: publishStream %s without a name", s->id,
        info.media_session_id);
    refuse (s, info.media_session_id, info.name, TRUE, INFO_FAILED_BY_ERROR);
    goto out;
  }
  if (g_hash_table_contains (server->endpoints, info.media_session_id)) {
    refuse (s, info.media_session_id, info.name, TRUE, INFO_MSID_IN_USE);
    goto out;
  }
  st = stream_get (server, info.name, FALSE);
  if (st && (st->publisher || st->stale_until)) {
    refuse (s, info.media_session_id, info.name, TRUE,
        GST_WCS_INFO_NAME_IN_USE);
    goto out;
  }
  if (reject_fault_applies (server, info.name, TRUE, &error_info)) {
    if (error_info)
      refuse (s, info.media_session_id, info.name, TRUE, error_info);
    else
      RELAY_INFO ("session %u: publish %s held (no answer)", s->id,
          info.media_session_id);
    goto out;
  }
  if (!info.sdp) {
    RELAY_WARN ("session %u: publishStream %s without an SDP offer", s->id,
        info.media_session_id);
    refuse (s, info.media_session_id, info.name, TRUE, INFO_FAILED_BY_ERROR);
    goto out;
  }

  ep = endpoint_new (s, &info, TRUE);
  ep->has_video = info.has_video;
  ep->has_audio = info.has_audio;

  cb.answer = publisher_answer;
  cb.failed = publisher_failed;
  cb.user_data = ep;
  ep->pub = relay_publisher_new (ep->label, info.sdp, info.transport, &cb,
      &error_info);
  if (!ep->pub) {
    refuse (s, info.media_session_id, info.name, TRUE, error_info);
    endpoint_free (ep);
    goto out;
  }

  st = stream_get (server, info.name, TRUE);
  st->publisher = ep;
  st->stale_until = 0;
  g_free (st->last_codec);
  st->last_codec = g_strdup (relay_publisher_get_video_codec (ep->pub));
  ep->stream = st;
  g_hash_table_insert (server->endpoints, ep->id, ep);
  RELAY_INFO ("session %u: publish %s \"%s\" (%s)", s->id, ep->id, ep->name,
      st->last_codec ? st->last_codec : "no video");

out:
  g_free (error_info);
  gst_wcs_stream_info_clear (&info);
}

static void
handle_play (RelaySession * s, GstWcsMessage * msg)
{
  RelayServer *server = s->server;
  GstWcsStreamInfo info;
  GError *err = NULL;
  RelayStream *st;
  RelayEndpoint *ep;
  RelayMediaCallbacks cb;
  gchar *error_info = NULL;

  if (!gst_wcs_stream_info_parse (msg, &info, &err)) {
    RELAY_WARN ("session %u: bad playStream: %s", s->id, err->message);
    g_clear_error (&err);
    return;
  }
  if (!s->established) {
    refuse (s, info.media_session_id, info.name, FALSE,
        INFO_SESSION_NOT_READY);
    goto out;
  }
  if (g_hash_table_contains (server->endpoints, info.media_session_id)) {
    refuse (s, info.media_session_id, info.name, FALSE, INFO_MSID_IN_USE);
    goto out;
  }
  st = info.name ? stream_get (server, info.name, FALSE) : NULL;
  if (!st || !st->publisher) {
    refuse (s, info.media_session_id, info.name, FALSE,
        GST_WCS_INFO_STREAM_NOT_FOUND);
    goto out;
  }
  if (reject_fault_applies (server, info.name, FALSE, &error_info)) {
    if (error_info)
      refuse (s, info.media_session_id, info.name, FALSE, error_info);
    else
      RELAY_INFO ("session %u: play %s held (no answer)", s->id,
          info.media_session_id);
    goto out;
  }
  if (!info.sdp) {
    RELAY_WARN ("session %u: playStream %s without an SDP offer", s->id,
        info.media_session_id);
    refuse (s, info.media_session_id, info.name, FALSE, INFO_FAILED_BY_ERROR);
    goto out;
  }

  ep = endpoint_new (s, &info, FALSE);

  cb.answer = player_answer;
  cb.failed = player_failed;
  cb.user_data = ep;
  ep->player = relay_player_new (st->publisher->pub, ep->label, info.sdp,
      info.transport, &cb, &error_info);
  if (!ep->player) {
    refuse (s, info.media_session_id, info.name, FALSE, error_info);
    endpoint_free (ep);
    goto out;
  }
  ep->stream = st;
  st->players = g_list_append (st->players, ep);
  g_hash_table_insert (server->endpoints, ep->id, ep);
  RELAY_INFO ("session %u: play %s \"%s\"", s->id, ep->id, ep->name);

out:
  g_free (error_info);
  gst_wcs_stream_info_clear (&info);
}

static void
handle_stop (RelaySession * s, GstWcsMessage * msg, gboolean unpublish)
{
  GstWcsStreamInfo info;
  GError *err = NULL;
  RelayEndpoint *ep;

  if (!gst_wcs_stream_info_parse (msg, &info, &err)) {
    RELAY_WARN ("session %u: bad %s: %s", s->id, msg->message, err->message);
    g_clear_error (&err);
    return;
  }
  ep = g_hash_table_lookup (s->server->endpoints, info.media_session_id);
  if (!ep || ep->session != s || ep->published != unpublish) {
    /* unknown to us: release it on the client side anyway */
    RELAY_INFO ("session %u: %s for unknown %s", s->id, msg->message,
        info.media_session_id);
    session_send (s, gst_wcs_build_stream_status_event (info.media_session_id,
            info.name, unpublish, unpublish ?
            GST_WCS_STREAM_STATUS_UNPUBLISHED : GST_WCS_STREAM_STATUS_STOPPED,
            GST_WCS_INFO_STREAM_NOT_FOUND));
  } else if (unpublish) {
    if (ep->stream && ep->stream->publisher == ep)
      stream_end (ep->stream, GST_WCS_STREAM_STATUS_UNPUBLISHED,
          GST_WCS_INFO_STOPPED_BY_USER, GST_WCS_STREAM_STATUS_STOPPED,
          GST_WCS_INFO_STOPPED_BY_PUBLISHER, FALSE);
  } else {
    player_end (ep, GST_WCS_STREAM_STATUS_STOPPED,
        GST_WCS_INFO_STOPPED_BY_USER);
  }
  gst_wcs_stream_info_clear (&info);
}

static void
handle_available (RelaySession * s, GstWcsMessage * msg)
{
  JsonObject *obj = gst_wcs_message_get_object (msg, 0);
  const gchar *id = obj ? gst_wcs_json_get_string (obj, "mediaSessionId") :
      NULL;
  const gchar *name = obj ? gst_wcs_json_get_string (obj, "name") : NULL;
  RelayStream *st;
  gboolean ok;

  if (!id) {
    RELAY_WARN ("session %u: availableStream without a mediaSessionId",
        s->id);
    return;
  }
  st = name ? stream_get (s->server, name, FALSE) : NULL;
  ok = st && st->publisher;
  session_send (s, gst_wcs_build_available_stream_reply (id, ok,
          ok ? NULL : GST_WCS_INFO_STREAM_NOT_FOUND));
}

/* sendStreamEvent from a publisher: relayed to its players */
static void
handle_stream_event (RelaySession * s, GstWcsMessage * msg)
{
  JsonObject *obj = gst_wcs_message_get_object (msg, 0);
  const gchar *id = obj ? gst_wcs_json_get_string (obj, "mediaSessionId") :
      NULL;
  const gchar *type = obj ? gst_wcs_json_get_string (obj, "type") : NULL;
  RelayEndpoint *ep = id ? g_hash_table_lookup (s->server->endpoints, id) :
      NULL;
  GList *l;

  if (!ep || ep->session != s || !ep->published || !ep->stream || !type) {
    RELAY_WARN ("session %u: sendStreamEvent for an unknown stream ignored",
        s->id);
    return;
  }
  for (l = ep->stream->players; l; l = l->next) {
    RelayEndpoint *pl = l->data;
    JsonObject *out = json_object_new ();
    JsonObject *payload;
    JsonNode *node;

    json_object_set_string_member (out, "mediaSessionId", pl->id);
    json_object_set_string_member (out, "type", type);
    node = json_object_get_member (obj, "payload");
    if (node && JSON_NODE_HOLDS_OBJECT (node))
      payload = json_object_ref (json_node_get_object (node));
    else
      payload = json_object_new ();
    if (!json_object_has_member (payload, "streamName")) {
      JsonObject *copy = json_object_new ();
      JsonObjectIter iter;
      const gchar *member;
      JsonNode *value;
      json_object_iter_init (&iter, payload);
      while (json_object_iter_next (&iter, &member, &value))
        json_object_set_member (copy, member, json_node_copy (value));
      json_object_set_string_member (copy, "streamName", ep->name);
      json_object_unref (payload);
      payload = copy;
    }
    json_object_set_object_member (out, "payload", payload);
    node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, out);
    session_send (pl->session, gst_wcs_build_message ("notifyStreamEvent",
            node));
  }
}

static void
handle_connection (RelaySession * s, GstWcsMessage * msg)
{
  JsonObject *obj = gst_wcs_message_get_object (msg, 0);
  gchar *token = g_strdup_printf ("relay-%u-%08x", s->id, g_random_int ());

  if (!obj)
    RELAY_WARN ("session %u: \"connection\" without an object, answering "
        "anyway", s->id);
  if (s->established)
    RELAY_INFO ("session %u: repeated \"connection\"", s->id);
  s->established = TRUE;
  RELAY_INFO ("session %u: connection (appKey %s)", s->id,
      obj && gst_wcs_json_get_string (obj, "appKey") ?
      gst_wcs_json_get_string (obj, "appKey") : "none");
  session_send (s, gst_wcs_build_get_user_data (obj, token));
  g_free (token);
}

void
relay_session_handle_text (RelaySession * s, const gchar * data, gsize len)
{
  GstWcsMessage *msg;
  GError *err = NULL;

  if (s->frozen) {
    RELAY_DEBUG ("session %u frozen: inbound frame ignored", s->id);
    return;
  }
  RELAY_DEBUG ("session %u -> %.*s", s->id, (int) MIN (len, 300),
      data ? data : "");

  msg = gst_wcs_message_parse (data, (gssize) len, &err);
  if (!msg) {
    RELAY_WARN ("session %u: bad frame ignored: %s", s->id, err->message);
    g_clear_error (&err);
    return;
  }

  if (g_str_equal (msg->message, "connection"))
    handle_connection (s, msg);
  else if (g_str_equal (msg->message, "ping"))
    session_send (s, gst_wcs_build_pong ());
  else if (g_str_equal (msg->message, "pong"))
    ;
  else if (g_str_equal (msg->message, "publishStream"))
    handle_publish (s, msg);
  else if (g_str_equal (msg->message, "playStream"))
    handle_play (s, msg);
  else if (g_str_equal (msg->message, "unPublishStream"))
    handle_stop (s, msg, TRUE);
  else if (g_str_equal (msg->message, "stopStream"))
    handle_stop (s, msg, FALSE);
  else if (g_str_equal (msg->message, "availableStream"))
    handle_available (s, msg);
  else if (g_str_equal (msg->message, "sendStreamEvent"))
    handle_stream_event (s, msg);
  else if (g_str_equal (msg->message, "pushLogs")
      || g_str_equal (msg->message, "sessionDebug")
      || g_str_equal (msg->message, "submitBugReport")
      || g_str_equal (msg->message, "sendData")
      || g_str_equal (msg->message, "snapshot"))
    RELAY_DEBUG ("session %u: \"%s\" not supported, ignored", s->id,
        msg->message);
  else
    RELAY_WARN ("session %u: unknown message \"%.64s\" ignored", s->id,
        msg->message);

  gst_wcs_message_free (msg);
}

static void
on_ws_message (SoupWebsocketConnection * conn, gint type, GBytes * bytes,
    gpointer user_data)
{
  RelaySession *s = user_data;
  gsize len = 0;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT && !s->frozen) {
    RELAY_WARN ("session %u: binary frame (%" G_GSIZE_FORMAT " bytes) "
        "ignored", s->id, len);
    return;
  }
  relay_session_handle_text (s, data, len);
}

static void
on_ws_closed (SoupWebsocketConnection * conn, gpointer user_data)
{
  RelaySession *s = user_data;

  RELAY_DEBUG ("session %u: close code %u", s->id,
      soup_websocket_connection_get_close_code (conn));
  session_destroy (s);
}

static void
on_ws_error (SoupWebsocketConnection * conn, GError * error,
    gpointer user_data)
{
  RelaySession *s = user_data;

  RELAY_WARN ("session %u: WebSocket error: %s", s->id, error->message);
}

static void
on_websocket (SoupServer * soup, SoupServerMessage * smsg, const char *path,
    SoupWebsocketConnection * conn, gpointer user_data)
{
  RelayServer *server = user_data;
  RelaySession *s = g_new0 (RelaySession, 1);
  GSocketAddress *addr = soup_server_message_get_remote_address (smsg);

  s->server = server;
  s->id = ++server->next_session_id;
  s->conn = g_object_ref (conn);
  if (addr && G_IS_INET_SOCKET_ADDRESS (addr)) {
    gchar *ip = g_inet_address_to_string (g_inet_socket_address_get_address
        (G_INET_SOCKET_ADDRESS (addr)));
    s->peer = g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port
        (G_INET_SOCKET_ADDRESS (addr)));
    g_free (ip);
  } else {
    s->peer = g_strdup ("?");
  }

  soup_websocket_connection_set_max_incoming_payload_size (conn,
      server->opts.max_payload);
  g_signal_connect (conn, "message", G_CALLBACK (on_ws_message), s);
  g_signal_connect (conn, "closed", G_CALLBACK (on_ws_closed), s);
  g_signal_connect (conn, "error", G_CALLBACK (on_ws_error), s);
  g_hash_table_add (server->sessions, s);

  RELAY_INFO ("session %u connected from %s (path %s)", s->id, s->peer, path);
}

RelaySession *
relay_server_add_detached_session (RelayServer * server)
{
  RelaySession *s = g_new0 (RelaySession, 1);

  s->server = server;
  s->id = ++server->next_session_id;
  s->peer = g_strdup ("detached");
  g_hash_table_add (server->sessions, s);
  RELAY_INFO ("session %u (detached) added", s->id);
  return s;
}

void
relay_session_destroy (RelaySession * s)
{
  session_destroy (s);
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

static gboolean
ping_tick (gpointer data)
{
  RelayServer *server = data;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    session_send (key, gst_wcs_build_server_ping ());
  return G_SOURCE_CONTINUE;
}

static gboolean
check_tick (gpointer data)
{
  RelayServer *server = data;
  GHashTableIter iter;
  gpointer value;
  GPtrArray *timed_out = g_ptr_array_new ();
  GPtrArray *expired = g_ptr_array_new ();
  gint64 now = g_get_monotonic_time ();
  guint i;

  g_hash_table_iter_init (&iter, server->streams);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    RelayStream *st = value;
    RelayEndpoint *pub = st->publisher;

    if (!pub && st->stale_until && now >= st->stale_until)
      g_ptr_array_add (expired, st);
    if (pub && pub->status == GST_WCS_STREAM_STATUS_PUBLISHING &&
        server->opts.rtp_timeout_ms > 0) {
      gint64 last = MAX (pub->active_since,
          relay_publisher_get_last_media_time (pub->pub));
      if (now - last > (gint64) server->opts.rtp_timeout_ms * 1000)
        g_ptr_array_add (timed_out, st);
    }
  }
  for (i = 0; i < timed_out->len; i++) {
    RelayStream *st = g_ptr_array_index (timed_out, i);
    RELAY_INFO ("stream \"%s\": no media for %u ms", st->name,
        server->opts.rtp_timeout_ms);
    stream_end (st, GST_WCS_STREAM_STATUS_FAILED,
        GST_WCS_INFO_FAILED_BY_RTP_ACTIVITY, GST_WCS_STREAM_STATUS_STOPPED,
        GST_WCS_INFO_STOPPED_BY_PUBLISHER, FALSE);
  }
  for (i = 0; i < expired->len; i++) {
    RelayStream *st = g_ptr_array_index (expired, i);
    RELAY_INFO ("stream \"%s\": stale publisher expired, name free", st->name);
    st->stale_until = 0;
    maybe_drop_stream (st, server);
  }
  g_ptr_array_unref (timed_out);
  g_ptr_array_unref (expired);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* REST                                                                */

/* What one REST request answers: an HTTP status and a JSON text */
typedef struct
{
  guint status;
  gchar *body;
} RestReply;

static void
reply_json (RestReply * reply, guint status, JsonNode * node)
{
  reply->status = status;
  g_free (reply->body);
  reply->body = json_to_string (node, FALSE);
  json_node_unref (node);
}

static void
reply_error (RestReply * reply, guint status, const gchar * text)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (obj, "error", text);
  json_node_take_object (node, obj);
  reply_json (reply, status, node);
}

static void
reply_ok (RestReply * reply, const gchar * member, gint64 value)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (member)
    json_object_set_int_member (obj, member, value);
  json_node_take_object (node, obj);
  reply_json (reply, SOUP_STATUS_OK, node);
}

static JsonObject *
stream_to_json (RelayStream * st)
{
  JsonObject *o = json_object_new ();
  RelayEndpoint *pub = st->publisher;

  json_object_set_string_member (o, "name", st->name);
  json_object_set_boolean_member (o, "published", TRUE);
  if (pub) {
    guint64 frames = 0, bytes = 0;
    const gchar *audio = relay_publisher_get_audio_codec (pub->pub);

    relay_publisher_get_counters (pub->pub, &frames, &bytes);
    json_object_set_string_member (o, "status",
        gst_wcs_stream_status_to_string (pub->status));
    json_object_set_string_member (o, "mediaSessionId", pub->id);
    if (st->last_codec)
      json_object_set_string_member (o, "codec", st->last_codec);
    else
      json_object_set_null_member (o, "codec");
    if (audio)
      json_object_set_string_member (o, "audioCodec", audio);
    json_object_set_boolean_member (o, "hasVideo", st->last_codec != NULL);
    json_object_set_boolean_member (o, "hasAudio", audio != NULL);
    json_object_set_int_member (o, "players", g_list_length (st->players));
    json_object_set_int_member (o, "frames", (gint64) frames);
    json_object_set_int_member (o, "bytes", (gint64) bytes);
    if (pub->session)
      json_object_set_int_member (o, "sessionId", pub->session->id);
  } else {
    /* only with --stale-publisher-ms / faults: the name is still taken */
    json_object_set_string_member (o, "status", "STALE");
    json_object_set_null_member (o, "mediaSessionId");
    if (st->last_codec)
      json_object_set_string_member (o, "codec", st->last_codec);
    else
      json_object_set_null_member (o, "codec");
    json_object_set_int_member (o, "players", 0);
  }
  return o;
}

static gint
compare_streams (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 ((*(RelayStream **) a)->name, (*(RelayStream **) b)->name);
}

static void
rest_find (RelayServer * server, RestReply * msg, JsonObject * body)
{
  const gchar *name = body ? gst_wcs_json_get_string (body, "name") : NULL;
  JsonArray *arr = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  guint i;

  g_hash_table_iter_init (&iter, server->streams);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    RelayStream *st = value;
    if ((st->publisher || st->stale_until) && (!name
            || g_str_equal (name, st->name)))
      g_ptr_array_add (list, st);
  }
  g_ptr_array_sort (list, compare_streams);
  for (i = 0; i < list->len; i++)
    json_array_add_object_element (arr, stream_to_json (g_ptr_array_index
            (list, i)));
  g_ptr_array_unref (list);
  json_node_take_array (node, arr);
  reply_json (msg, SOUP_STATUS_OK, node);
}

static void
rest_terminate (RelayServer * server, RestReply * msg, JsonObject * body)
{
  const gchar *name = body ? gst_wcs_json_get_string (body, "name") : NULL;
  RelayStream *st;

  if (!name) {
    reply_error (msg, SOUP_STATUS_BAD_REQUEST, "\"name\" (string) missing");
    return;
  }
  st = stream_get (server, name, FALSE);
  if (!st || !st->publisher) {
    reply_error (msg, SOUP_STATUS_NOT_FOUND, "Stream not found");
    return;
  }
  RELAY_INFO ("REST terminate \"%s\"", name);
  stream_end (st, GST_WCS_STREAM_STATUS_UNPUBLISHED,
      GST_WCS_INFO_STOPPED_BY_REST, GST_WCS_STREAM_STATUS_STOPPED,
      GST_WCS_INFO_STOPPED_BY_PUBLISHER, FALSE);
  reply_ok (msg, NULL, 0);
}

/* Sessions selected by a fault call: {"all": true} or {"name": stream} (the
 * sessions publishing or playing it). NULL with a 400/404 reply sent. */
static GPtrArray *
fault_sessions (RelayServer * server, RestReply * msg, JsonObject * body)
{
  gboolean all = body ? gst_wcs_json_get_boolean (body, "all", FALSE) : FALSE;
  const gchar *name = body ? gst_wcs_json_get_string (body, "name") : NULL;
  GPtrArray *arr = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  if (!all && !name) {
    reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "need {\"name\": stream} or {\"all\": true}");
    g_ptr_array_unref (arr);
    return NULL;
  }
  if (all) {
    g_hash_table_iter_init (&iter, server->sessions);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (arr, key);
  } else {
    g_hash_table_iter_init (&iter, server->endpoints);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
      RelayEndpoint *ep = value;
      if (ep->session && g_str_equal (ep->name, name)
          && !g_ptr_array_find (arr, ep->session, NULL))
        g_ptr_array_add (arr, ep->session);
    }
    if (arr->len == 0) {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, "Stream not found");
      g_ptr_array_unref (arr);
      return NULL;
    }
  }
  return arr;
}

/* Shuts the socket down under the session (no close frame); the session
 * sends nothing more. session_destroy() still has to follow. */
static void
session_cut (RelaySession * s)
{
  GIOStream *io = soup_websocket_connection_get_io_stream (s->conn);
  GIOStream *base = io;
  GError *err = NULL;

  RELAY_INFO ("fault: dropping session %u without a close frame", s->id);
  s->closing = TRUE;
  if (G_IS_TLS_CONNECTION (io))
    g_object_get (io, "base-io-stream", &base, NULL);
  else
    g_object_ref (base);
  if (G_IS_SOCKET_CONNECTION (base)) {
    GSocket *sock = g_socket_connection_get_socket (G_SOCKET_CONNECTION
        (base));
    if (!g_socket_shutdown (sock, TRUE, TRUE, &err)) {
      RELAY_WARN ("session %u: shutdown: %s", s->id, err->message);
      g_clear_error (&err);
    }
  } else {
    g_io_stream_close (io, NULL, NULL);
  }
  if (base)
    g_object_unref (base);
}

static void
rest_fault (RelayServer * server, RestReply * msg, const gchar * what,
    JsonObject * body)
{
  GPtrArray *sessions;
  guint i;

  if (g_str_equal (what, "freeze") || g_str_equal (what, "unfreeze")) {
    gboolean freeze = g_str_equal (what, "freeze");
    if (!(sessions = fault_sessions (server, msg, body)))
      return;
    for (i = 0; i < sessions->len; i++) {
      RelaySession *s = g_ptr_array_index (sessions, i);
      s->frozen = freeze;
      RELAY_INFO ("fault: session %u %s", s->id, freeze ? "frozen" :
          "unfrozen");
      if (!freeze) {
        if (g_queue_get_length (&s->held) > 0)
          RELAY_INFO ("fault: session %u: %u held frame(s) delivered", s->id,
              g_queue_get_length (&s->held));
        session_release_held (s);
      }
    }
    reply_ok (msg, "sessions", sessions->len);
    g_ptr_array_unref (sessions);
  } else if (g_str_equal (what, "drop") || g_str_equal (what, "close")) {
    gboolean drop = g_str_equal (what, "drop");
    GPtrArray *cut = g_ptr_array_new ();
    if (!(sessions = fault_sessions (server, msg, body))) {
      g_ptr_array_unref (cut);
      return;
    }
    for (i = 0; i < sessions->len; i++) {
      RelaySession *s = g_ptr_array_index (sessions, i);
      if (!session_is_open (s))
        continue;
      if (drop) {
        /* every selected socket goes at once, like a network cut: none of
         * them is told of another's streams ending ("Stopped by
         * publisher"), whatever order the sessions are walked in */
        session_cut (s);
        g_ptr_array_add (cut, s);
      } else {
        RELAY_INFO ("fault: closing session %u", s->id);
        s->closing = TRUE;
        soup_websocket_connection_close (s->conn,
            SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "closed by fault injection");
      }
    }
    /* libsoup would only notice after its close timeout: release the
     * sessions' streams now, like a real server seeing the TCP resets */
    for (i = 0; i < cut->len; i++)
      session_destroy (g_ptr_array_index (cut, i));
    g_ptr_array_unref (cut);
    reply_ok (msg, "sessions", sessions->len);
    g_ptr_array_unref (sessions);
  } else if (g_str_equal (what, "fail")) {
    const gchar *name = body ? gst_wcs_json_get_string (body, "name") : NULL;
    const gchar *info = body ? gst_wcs_json_get_string (body, "info") : NULL;
    RelayStream *st = name ? stream_get (server, name, FALSE) : NULL;
    if (!name) {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "\"name\" (string) missing");
      return;
    }
    if (!st || !st->publisher) {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, "Stream not found");
      return;
    }
    if (!info)
      info = INFO_FAILED_BY_ERROR;
    RELAY_INFO ("fault: failing stream \"%s\" (%s)", name, info);
    stream_end (st, GST_WCS_STREAM_STATUS_FAILED, info,
        GST_WCS_STREAM_STATUS_FAILED, info, FALSE);
    reply_ok (msg, NULL, 0);
  } else if (g_str_equal (what, "stale")) {
    const gchar *name = body ? gst_wcs_json_get_string (body, "name") : NULL;
    JsonNode *ms = body ? json_object_get_member (body, "ms") : NULL;
    gint64 value;
    if (!ms || !JSON_NODE_HOLDS_VALUE (ms) || json_node_get_value_type (ms)
        != G_TYPE_INT64 || (value = json_node_get_int (ms)) < 0
        || value > G_MAXINT) {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST,
          "\"ms\" (non-negative integer) missing");
      return;
    }
    if (name) {
      RelayStream *st = stream_get (server, name, FALSE);
      if (!st || !st->publisher) {
        reply_error (msg, SOUP_STATUS_NOT_FOUND, "Stream not found");
        return;
      }
      st->stale_ms = (gint) value;
    } else {
      server->stale_ms = (guint) value;
    }
    RELAY_INFO ("fault: stale publisher time %s%s%s = %d ms",
        name ? "of \"" : "(all)", name ? name : "", name ? "\"" : "",
        (gint) value);
    reply_ok (msg, NULL, 0);
  } else if (g_str_equal (what, "reject")) {
    const gchar *name = body ? gst_wcs_json_get_string (body, "name") : NULL;
    const gchar *info = body ? gst_wcs_json_get_string (body, "info") : NULL;
    const gchar *kind = body ? gst_wcs_json_get_string (body, "what") : NULL;
    JsonNode *count = body ? json_object_get_member (body, "count") : NULL;
    gboolean hold = body ? gst_wcs_json_get_boolean (body, "hold", FALSE) :
        FALSE;
    Reject *r;
    if (!name) {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "\"name\" (string) missing");
      return;
    }
    if (!info && !hold) {
      g_hash_table_remove (server->rejects, name);
      RELAY_INFO ("fault: rejects of \"%s\" cleared", name);
      reply_ok (msg, NULL, 0);
      return;
    }
    r = g_new0 (Reject, 1);
    r->info = g_strdup (info);
    r->hold = hold;
    r->count = 1;
    if (count && JSON_NODE_HOLDS_VALUE (count)
        && json_node_get_value_type (count) == G_TYPE_INT64)
      r->count = (gint) CLAMP (json_node_get_int (count), 0, G_MAXINT);
    r->publish = !kind || g_str_equal (kind, "publish")
        || g_str_equal (kind, "any");
    r->play = !kind || g_str_equal (kind, "play") || g_str_equal (kind, "any");
    g_hash_table_replace (server->rejects, g_strdup (name), r);
    RELAY_INFO ("fault: next %s of \"%s\" %s \"%s\" (count %d)",
        kind ? kind : "any", name, hold ? "held" : "rejected with",
        hold ? "" : info, r->count);
    reply_ok (msg, NULL, 0);
  } else if (g_str_equal (what, "mute") || g_str_equal (what, "unmute")) {
    const gchar *name = body ? gst_wcs_json_get_string (body, "name") : NULL;
    RelayStream *st = name ? stream_get (server, name, FALSE) : NULL;
    if (!st || !st->publisher) {
      reply_error (msg, name ? SOUP_STATUS_NOT_FOUND :
          SOUP_STATUS_BAD_REQUEST, name ? "Stream not found" :
          "\"name\" (string) missing");
      return;
    }
    relay_publisher_set_muted (st->publisher->pub, g_str_equal (what, "mute"));
    RELAY_INFO ("fault: stream \"%s\" %sd", name, what);
    reply_ok (msg, NULL, 0);
  } else {
    reply_error (msg, SOUP_STATUS_NOT_FOUND, "Unknown fault");
  }
}

/* before the body is read: refuse oversized REST bodies early */
static void
on_http_early (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  RelayServer *server = user_data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  goffset len = soup_message_headers_get_content_length (h);

  if (len > (goffset) server->opts.max_payload) {
    RELAY_WARN ("HTTP %s: body of %" G_GINT64_FORMAT " bytes refused", path,
        (gint64) len);
    soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
        NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Connection", "close");
  }
}

static gboolean
is_websocket_request (SoupServerMessage * msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *upgrade = soup_message_headers_get_one (h, "Upgrade");

  return upgrade && g_ascii_strcasecmp (upgrade, "websocket") == 0;
}

guint
relay_server_handle_rest (RelayServer * server, const gchar * method,
    const gchar * path, const gchar * body, gsize len, gchar ** response)
{
  RestReply reply = { 0, NULL };
  JsonObject *obj = NULL;
  JsonParser *parser = NULL;
  gboolean known;

  known = g_str_equal (path, "/rest-api/stream/find_all")
      || g_str_equal (path, "/rest-api/stream/find")
      || g_str_equal (path, "/rest-api/stream/terminate")
      || (server->opts.faults && g_str_has_prefix (path, "/rest-api/faults/"));
  if (!known) {
    RELAY_INFO ("HTTP %s %s: 404", method, path);
    reply_error (&reply, SOUP_STATUS_NOT_FOUND, "Not found");
    goto out;
  }
  if (g_strcmp0 (method, "POST") != 0) {
    reply_error (&reply, SOUP_STATUS_METHOD_NOT_ALLOWED, "Use POST");
    goto out;
  }

  if (len > server->opts.max_payload) {
    RELAY_WARN ("REST %s: body of %" G_GSIZE_FORMAT " bytes refused", path,
        len);
    reply_error (&reply, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
        "Body too large");
    goto out;
  }
  if (body && len > 0) {
    GError *err = NULL;
    JsonNode *root;
    parser = json_parser_new ();
    if (!json_parser_load_from_data (parser, body, (gssize) len, &err)) {
      RELAY_WARN ("REST %s: bad JSON body: %s", path, err->message);
      reply_error (&reply, SOUP_STATUS_BAD_REQUEST, "Body is not JSON");
      g_clear_error (&err);
      goto out;
    }
    root = json_parser_get_root (parser);
    if (root && JSON_NODE_HOLDS_OBJECT (root)) {
      obj = json_node_get_object (root);
    } else if (root && !JSON_NODE_HOLDS_NULL (root)) {
      RELAY_WARN ("REST %s: body is not a JSON object", path);
      reply_error (&reply, SOUP_STATUS_BAD_REQUEST,
          "Body is not a JSON object");
      goto out;
    }
  }

  RELAY_DEBUG ("REST %s", path);
  if (g_str_equal (path, "/rest-api/stream/find_all"))
    rest_find (server, &reply, NULL);
  else if (g_str_equal (path, "/rest-api/stream/find"))
    rest_find (server, &reply, obj);
  else if (g_str_equal (path, "/rest-api/stream/terminate"))
    rest_terminate (server, &reply, obj);
  else
    rest_fault (server, &reply, path + strlen ("/rest-api/faults/"), obj);

out:
  if (parser)
    g_object_unref (parser);
  *response = reply.body;
  return reply.status;
}

static void
on_http (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  RelayServer *server = user_data;
  SoupMessageBody *req;
  gchar *response = NULL;
  guint status;

  if (is_websocket_request (msg))
    return;                     /* the WebSocket handler takes it */

  req = soup_server_message_get_request_body (msg);
  status = relay_server_handle_rest (server,
      soup_server_message_get_method (msg), path, req ? req->data : NULL,
      req ? (gsize) req->length : 0, &response);

  soup_server_message_set_status (msg, status, NULL);
  /* one request per connection: libsoup 3.2 leaves idle keep-alive
   * connections in CLOSE_WAIT after the client went away (an fd each) */
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_TAKE, response, strlen (response));
}

/* ------------------------------------------------------------------ */

static GInetAddress *
resolve_host (const gchar * host, GError ** error)
{
  GInetAddress *addr = g_inet_address_new_from_string (host);
  GResolver *resolver;
  GList *list;

  if (addr)
    return addr;
  resolver = g_resolver_get_default ();
  list = g_resolver_lookup_by_name (resolver, host, NULL, error);
  g_object_unref (resolver);
  if (!list)
    return NULL;
  addr = g_object_ref (list->data);
  g_resolver_free_addresses (list);
  return addr;
}

/* the state of a server, without sockets or timers */
static RelayServer *
server_alloc (const RelayOptions * opts)
{
  RelayServer *server = g_new0 (RelayServer, 1);

  server->opts = *opts;
  server->host = g_strdup (opts->host ? opts->host : "127.0.0.1");
  server->opts.host = server->host;
  server->opts.tls_cert = NULL;
  server->opts.tls_key = NULL;
  if (server->opts.max_payload == 0)
    server->opts.max_payload = RELAY_DEFAULT_MAX_PAYLOAD;
  server->stale_ms = opts->stale_publisher_ms;
  server->sessions = g_hash_table_new_full (NULL, NULL,
      (GDestroyNotify) session_free, NULL);
  server->streams = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) stream_free);
  server->endpoints = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) endpoint_free);
  server->rejects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) reject_free);
  return server;
}

RelayServer *
relay_server_new_detached (const RelayOptions * opts)
{
  return server_alloc (opts);
}

RelayServer *
relay_server_new (const RelayOptions * opts, GError ** error)
{
  RelayServer *server = server_alloc (opts);
  GInetAddress *iaddr;
  GSocketAddress *saddr;
  GSList *listeners;
  gboolean ok;

  server->soup = soup_server_new ("server-header", "wcs-relay ", NULL);
  if (opts->tls_cert || opts->tls_key) {
    GTlsCertificate *cert;
    if (!opts->tls_cert || !opts->tls_key) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "--tls-cert and --tls-key go together");
      goto fail;
    }
    cert = g_tls_certificate_new_from_files (opts->tls_cert, opts->tls_key,
        error);
    if (!cert)
      goto fail;
    soup_server_set_tls_certificate (server->soup, cert);
    g_object_unref (cert);
    server->tls = TRUE;
  }

  soup_server_add_early_handler (server->soup, NULL, on_http_early, server,
      NULL);
  soup_server_add_handler (server->soup, NULL, on_http, server, NULL);
  soup_server_add_websocket_handler (server->soup, NULL, NULL, NULL,
      on_websocket, server, NULL);

  iaddr = resolve_host (server->host, error);
  if (!iaddr)
    goto fail;
  saddr = g_inet_socket_address_new (iaddr, opts->port);
  g_object_unref (iaddr);
  ok = soup_server_listen (server->soup, saddr,
      server->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
  g_object_unref (saddr);
  if (!ok)
    goto fail;

  listeners = soup_server_get_listeners (server->soup);
  if (listeners) {
    GSocketAddress *local = g_socket_get_local_address (listeners->data,
        NULL);
    if (local && G_IS_INET_SOCKET_ADDRESS (local))
      server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS
          (local));
    if (local)
      g_object_unref (local);
  }
  g_slist_free (listeners);
  if (server->port == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "cannot tell the listening port");
    goto fail;
  }
  server->url = g_strdup_printf ("%s://%s:%u", server->tls ? "wss" : "ws",
      server->host, server->port);

  if (opts->ping_interval_ms > 0)
    server->ping_source = g_timeout_add (opts->ping_interval_ms, ping_tick,
        server);
  server->check_source = g_timeout_add (CHECK_INTERVAL_MS, check_tick, server);
  return server;

fail:
  relay_server_free (server);
  return NULL;
}

const gchar *
relay_server_get_url (RelayServer * server)
{
  return server->url;
}

guint
relay_server_get_port (RelayServer * server)
{
  return server->port;
}

void
relay_server_free (RelayServer * server)
{
  GHashTableIter iter;
  gpointer key;
  GPtrArray *sessions;
  guint i;

  if (!server)
    return;
  if (server->ping_source)
    g_source_remove (server->ping_source);
  if (server->check_source)
    g_source_remove (server->check_source);

  /* close frames first, then release everything without notifications */
  sessions = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, server->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (sessions, key);
  for (i = 0; i < sessions->len; i++) {
    RelaySession *s = g_ptr_array_index (sessions, i);
    if (!s->conn)
      continue;                 /* detached */
    g_signal_handlers_disconnect_by_data (s->conn, s);
    if (session_is_open (s))
      soup_websocket_connection_close (s->conn,
          SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "relay shutting down");
  }
  g_ptr_array_unref (sessions);

  /* players before publishers */
  {
    GHashTableIter it;
    gpointer v;
    GPtrArray *eps = g_ptr_array_new ();
    g_hash_table_iter_init (&it, server->endpoints);
    while (g_hash_table_iter_next (&it, NULL, &v))
      if (!((RelayEndpoint *) v)->published)
        g_ptr_array_add (eps, v);
    for (i = 0; i < eps->len; i++)
      g_hash_table_remove (server->endpoints,
          ((RelayEndpoint *) g_ptr_array_index (eps, i))->id);
    g_ptr_array_unref (eps);
  }
  g_hash_table_unref (server->endpoints);
  g_hash_table_unref (server->streams);
  g_hash_table_unref (server->sessions);
  g_hash_table_unref (server->rejects);

  if (server->soup) {
    soup_server_disconnect (server->soup);
    g_object_unref (server->soup);
  }
  g_free (server->host);
  g_free (server->url);
  g_free (server);
}
