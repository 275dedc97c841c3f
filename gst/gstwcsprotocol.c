/* gst-wcs: Flashphoner WCS signalling protocol
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:gstwcsprotocol
 * @title: WCS protocol
 * @short_description: builders and parsers for WCS signalling frames
 *
 * Every frame in both directions is one JSON object
 * `{"message": <name>, "data": [<args>...]}` (docs/protocol.md 1.3). The
 * builders reproduce the shapes the official browser SDK sends, field for
 * field and in the same member order; the parsers accept anything the server
 * (or, for wcs-relay, a client) may send and turn every malformed frame into
 * a #GError in the %GST_WCS_ERROR domain instead of crashing.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcsprotocol.h"

#include <math.h>
#include <string.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

GST_DEBUG_CATEGORY_STATIC (wcs_protocol_debug);
#define GST_CAT_DEFAULT wcs_protocol_debug

/* Frames nested deeper than this are refused before json-glib sees them:
 * its parser recurses once per level and real frames nest 4 levels at most
 * (localMediaInfo). */
#define WCS_MAX_JSON_DEPTH 64

static void
ensure_debug_category (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (wcs_protocol_debug, "wcsprotocol", 0,
        "WCS signalling protocol");
    g_once_init_leave (&once, 1);
  }
}

GQuark
gst_wcs_error_quark (void)
{
  return g_quark_from_static_string ("gst-wcs-error-quark");
}

/* ------------------------------------------------------------------ */
/* Status enums                                                        */

static const GEnumValue session_status_values[] = {
  {GST_WCS_SESSION_STATUS_PENDING, "GST_WCS_SESSION_STATUS_PENDING", "PENDING"},
  {GST_WCS_SESSION_STATUS_CONNECTED, "GST_WCS_SESSION_STATUS_CONNECTED",
      "CONNECTED"},
  {GST_WCS_SESSION_STATUS_ESTABLISHED, "GST_WCS_SESSION_STATUS_ESTABLISHED",
      "ESTABLISHED"},
  {GST_WCS_SESSION_STATUS_DISCONNECTED, "GST_WCS_SESSION_STATUS_DISCONNECTED",
      "DISCONNECTED"},
  {GST_WCS_SESSION_STATUS_FAILED, "GST_WCS_SESSION_STATUS_FAILED", "FAILED"},
  {0, NULL, NULL}
};

static const GEnumValue stream_status_values[] = {
  {GST_WCS_STREAM_STATUS_NEW, "GST_WCS_STREAM_STATUS_NEW", "NEW"},
  {GST_WCS_STREAM_STATUS_PENDING, "GST_WCS_STREAM_STATUS_PENDING", "PENDING"},
  {GST_WCS_STREAM_STATUS_PUBLISHING, "GST_WCS_STREAM_STATUS_PUBLISHING",
      "PUBLISHING"},
  {GST_WCS_STREAM_STATUS_PLAYING, "GST_WCS_STREAM_STATUS_PLAYING", "PLAYING"},
  {GST_WCS_STREAM_STATUS_PAUSED, "GST_WCS_STREAM_STATUS_PAUSED", "PAUSED"},
  {GST_WCS_STREAM_STATUS_UNPUBLISHED, "GST_WCS_STREAM_STATUS_UNPUBLISHED",
      "UNPUBLISHED"},
  {GST_WCS_STREAM_STATUS_STOPPED, "GST_WCS_STREAM_STATUS_STOPPED", "STOPPED"},
  {GST_WCS_STREAM_STATUS_FAILED, "GST_WCS_STREAM_STATUS_FAILED", "FAILED"},
  {GST_WCS_STREAM_STATUS_PLAYBACK_PROBLEM,
      "GST_WCS_STREAM_STATUS_PLAYBACK_PROBLEM", "PLAYBACK_PROBLEM"},
  {GST_WCS_STREAM_STATUS_RESIZE, "GST_WCS_STREAM_STATUS_RESIZE", "RESIZE"},
  {GST_WCS_STREAM_STATUS_SNAPSHOT_COMPLETE,
      "GST_WCS_STREAM_STATUS_SNAPSHOT_COMPLETE", "SNAPSHOT_COMPLETE"},
  {GST_WCS_STREAM_STATUS_NOT_ENOUGH_BANDWIDTH,
      "GST_WCS_STREAM_STATUS_NOT_ENOUGH_BANDWIDTH", "NOT_ENOUGH_BANDWIDTH"},
  {GST_WCS_STREAM_STATUS_UNKNOWN, "GST_WCS_STREAM_STATUS_UNKNOWN", "UNKNOWN"},
  {0, NULL, NULL}
};

static const GEnumValue transport_values[] = {
  {GST_WCS_TRANSPORT_AUTO, "auto", "auto"},
  {GST_WCS_TRANSPORT_UDP, "UDP", "udp"},
  {GST_WCS_TRANSPORT_TCP, "TCP", "tcp"},
  {0, NULL, NULL}
};

/**
 * gst_wcs_transport_get_type:
 *
 * Returns: the #GType of #GstWcsTransport.
 */
GType
gst_wcs_transport_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstWcsTransport", transport_values);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

/**
 * gst_wcs_transport_to_string:
 * @transport: a #GstWcsTransport
 *
 * Returns: "UDP" or "TCP", the WCS TRANSPORT_TYPE; %NULL for
 * %GST_WCS_TRANSPORT_AUTO (the field is then omitted).
 */
const gchar *
gst_wcs_transport_to_string (GstWcsTransport transport)
{
  switch (transport) {
    case GST_WCS_TRANSPORT_UDP:
      return "UDP";
    case GST_WCS_TRANSPORT_TCP:
      return "TCP";
    default:
      return NULL;
  }
}

/**
 * gst_wcs_transport_from_string:
 * @str: (nullable): a "transport" field value
 *
 * Returns: %GST_WCS_TRANSPORT_UDP / %GST_WCS_TRANSPORT_TCP for "UDP" / "TCP"
 * (any case), %GST_WCS_TRANSPORT_AUTO for %NULL or anything else.
 */
GstWcsTransport
gst_wcs_transport_from_string (const gchar * str)
{
  if (str && g_ascii_strcasecmp (str, "UDP") == 0)
    return GST_WCS_TRANSPORT_UDP;
  if (str && g_ascii_strcasecmp (str, "TCP") == 0)
    return GST_WCS_TRANSPORT_TCP;
  return GST_WCS_TRANSPORT_AUTO;
}

/**
 * gst_wcs_session_status_get_type:
 *
 * Returns: the #GType of #GstWcsSessionStatus; value nicks are the WCS
 * SESSION_STATUS names ("ESTABLISHED", ...).
 */
GType
gst_wcs_session_status_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstWcsSessionStatus",
        session_status_values);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

/**
 * gst_wcs_stream_status_get_type:
 *
 * Returns: the #GType of #GstWcsStreamStatus; value nicks are the WCS
 * STREAM_STATUS names ("PUBLISHING", ...).
 */
GType
gst_wcs_stream_status_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstWcsStreamStatus",
        stream_status_values);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

/**
 * gst_wcs_session_status_to_string:
 * @status: a #GstWcsSessionStatus
 *
 * Returns: (transfer none) (nullable): the WCS name of @status, or %NULL if
 * @status is not a valid value.
 */
const gchar *
gst_wcs_session_status_to_string (GstWcsSessionStatus status)
{
  guint i;

  for (i = 0; session_status_values[i].value_nick; i++) {
    if (session_status_values[i].value == (gint) status)
      return session_status_values[i].value_nick;
  }
  return NULL;
}

/**
 * gst_wcs_stream_status_to_string:
 * @status: a #GstWcsStreamStatus
 *
 * Returns: (transfer none) (nullable): the WCS name of @status ("UNKNOWN"
 * for %GST_WCS_STREAM_STATUS_UNKNOWN), or %NULL if @status is not a valid
 * value.
 */
const gchar *
gst_wcs_stream_status_to_string (GstWcsStreamStatus status)
{
  guint i;

  for (i = 0; stream_status_values[i].value_nick; i++) {
    if (stream_status_values[i].value == (gint) status)
      return stream_status_values[i].value_nick;
  }
  return NULL;
}

/**
 * gst_wcs_stream_status_from_string:
 * @str: (nullable): a WCS STREAM_STATUS name, case-sensitive as on the wire
 *
 * Returns: the matching #GstWcsStreamStatus; %GST_WCS_STREAM_STATUS_UNKNOWN
 * for %NULL or any text that is not a known status (including "UNKNOWN").
 */
GstWcsStreamStatus
gst_wcs_stream_status_from_string (const gchar * str)
{
  guint i;

  if (str == NULL)
    return GST_WCS_STREAM_STATUS_UNKNOWN;

  for (i = 0; stream_status_values[i].value_nick; i++) {
    if (stream_status_values[i].value == GST_WCS_STREAM_STATUS_UNKNOWN)
      continue;
    if (strcmp (stream_status_values[i].value_nick, str) == 0)
      return (GstWcsStreamStatus) stream_status_values[i].value;
  }
  return GST_WCS_STREAM_STATUS_UNKNOWN;
}

/**
 * gst_wcs_stream_status_is_terminal:
 * @status: a #GstWcsStreamStatus
 *
 * Returns: %TRUE for FAILED, STOPPED and UNPUBLISHED: the server released
 * the stream and will send nothing more about it.
 */
gboolean
gst_wcs_stream_status_is_terminal (GstWcsStreamStatus status)
{
  return status == GST_WCS_STREAM_STATUS_FAILED ||
      status == GST_WCS_STREAM_STATUS_STOPPED ||
      status == GST_WCS_STREAM_STATUS_UNPUBLISHED;
}

/**
 * gst_wcs_stream_status_changes_status:
 * @status: a #GstWcsStreamStatus
 *
 * Returns: %FALSE for the deprecated event-like statuses RESIZE,
 * SNAPSHOT_COMPLETE and NOT_ENOUGH_BANDWIDTH (they never replace a stream's
 * status, docs/protocol.md 4.4), %TRUE otherwise.
 */
gboolean
gst_wcs_stream_status_changes_status (GstWcsStreamStatus status)
{
  return status != GST_WCS_STREAM_STATUS_RESIZE &&
      status != GST_WCS_STREAM_STATUS_SNAPSHOT_COMPLETE &&
      status != GST_WCS_STREAM_STATUS_NOT_ENOUGH_BANDWIDTH;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

/* Maximum nesting depth of the JSON text, brackets inside strings ignored.
 * Stops counting once @limit is exceeded. */
static guint
json_text_depth (const gchar * text, gsize len, guint limit)
{
  guint depth = 0, max = 0;
  gboolean in_string = FALSE;
  gsize i;

  for (i = 0; i < len; i++) {
    gchar c = text[i];

    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = FALSE;
      continue;
    }
    switch (c) {
      case '"':
        in_string = TRUE;
        break;
      case '[':
      case '{':
        depth++;
        if (depth > max) {
          max = depth;
          if (max > limit)
            return max;
        }
        break;
      case ']':
      case '}':
        if (depth > 0)
          depth--;
        break;
      default:
        break;
    }
  }
  return max;
}

static const gchar *
node_kind (JsonNode * node)
{
  if (node == NULL)
    return "nothing";
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node)) {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        case G_TYPE_INT64:
        case G_TYPE_DOUBLE:
          return "a number";
        default:
          return "a value";
      }
    default:
      return "something else";
  }
}

static gboolean
json_node_is_string (JsonNode * node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING;
}

/* json-glib 1.6 accepts escapes JSON does not have (e.g. octal "\371") and
 * can decode them to bytes that are not UTF-8; such strings must not leak
 * into the rest of the program. Depth is bounded by WCS_MAX_JSON_DEPTH. */
static gboolean
json_node_strings_valid (JsonNode * node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:{
      JsonObjectIter iter;
      const gchar *member;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &member, &child)) {
        if (!g_utf8_validate (member, -1, NULL) ||
            !json_node_strings_valid (child))
          return FALSE;
      }
      return TRUE;
    }
    case JSON_NODE_ARRAY:{
      JsonArray *arr = json_node_get_array (node);
      guint i, n = json_array_get_length (arr);

      for (i = 0; i < n; i++) {
        if (!json_node_strings_valid (json_array_get_element (arr, i)))
          return FALSE;
      }
      return TRUE;
    }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_validate (json_node_get_string (node), -1, NULL);
      return TRUE;
    default:
      return TRUE;
  }
}

/**
 * gst_wcs_message_parse:
 * @text: (array length=len) (nullable): the frame text
 * @len: length of @text in bytes, or -1 if NUL-terminated
 * @error: return location for a #GError
 *
 * Parses one signalling frame. Unknown message names and extra members are
 * accepted; what a frame carries is checked by the typed readers.
 *
 * Errors: %GST_WCS_ERROR_PARSE when @text is empty, not valid UTF-8, contains
 * a NUL byte, nests too deeply, is not JSON, has a string escape that does
 * not decode to UTF-8, or is not a JSON object;
 * %GST_WCS_ERROR_PROTOCOL when "message" is missing or not a string, or
 * "data" is missing or not an array.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL on error.
 */
GstWcsMessage *
gst_wcs_message_parse (const gchar * text, gssize len, GError ** error)
{
  JsonParser *parser;
  JsonNode *root, *node;
  JsonObject *obj;
  GstWcsMessage *msg;
  GError *err = NULL;
  gsize size;
  const gchar *end;

  ensure_debug_category ();

  if (text == NULL) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Empty frame");
    return NULL;
  }
  size = len < 0 ? strlen (text) : (gsize) len;
  if (size == 0) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Empty frame");
    return NULL;
  }
  if (memchr (text, '\0', size) != NULL) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Frame contains a NUL byte");
    return NULL;
  }
  if (!g_utf8_validate (text, size, &end)) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Frame is not valid UTF-8 (at byte %" G_GSIZE_FORMAT ")",
        (gsize) (end - text));
    return NULL;
  }
  if (json_text_depth (text, size, WCS_MAX_JSON_DEPTH) > WCS_MAX_JSON_DEPTH) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Frame nests deeper than %d levels", WCS_MAX_JSON_DEPTH);
    return NULL;
  }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) size, &err)) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Frame is not JSON: %s", err ? err->message : "unknown error");
    g_clear_error (&err);
    g_object_unref (parser);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Frame is %s, not a JSON object", node_kind (root));
    g_object_unref (parser);
    return NULL;
  }
  if (!json_node_strings_valid (root)) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_PARSE,
        "Frame has a string escape that does not decode to UTF-8");
    g_object_unref (parser);
    return NULL;
  }
  root = json_node_ref (root);
  g_object_unref (parser);

  obj = json_node_get_object (root);
  node = json_object_get_member (obj, "message");
  if (!json_node_is_string (node)) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "Frame has %s as \"message\", not a string",
        node_kind (node));
    json_node_unref (root);
    return NULL;
  }

  msg = g_new0 (GstWcsMessage, 1);
  msg->message = g_strdup (json_node_get_string (node));
  msg->root = root;

  node = json_object_get_member (obj, "data");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "Message \"%s\" has %s as \"data\", not an array", msg->message,
        node_kind (node));
    gst_wcs_message_free (msg);
    return NULL;
  }
  msg->data = json_node_get_array (node);

  GST_LOG ("parsed \"%s\" with %u argument(s)", msg->message,
      json_array_get_length (msg->data));
  return msg;
}

/**
 * gst_wcs_message_free:
 * @msg: (transfer full) (nullable): a #GstWcsMessage
 *
 * Frees @msg and the parsed JSON it owns.
 */
void
gst_wcs_message_free (GstWcsMessage * msg)
{
  if (msg == NULL)
    return;
  g_free (msg->message);
  if (msg->root)
    json_node_unref (msg->root);
  g_free (msg);
}

static JsonNode *
message_get_element (const GstWcsMessage * msg, guint index)
{
  if (msg == NULL || msg->data == NULL)
    return NULL;
  if (index >= json_array_get_length (msg->data))
    return NULL;
  return json_array_get_element (msg->data, index);
}

/**
 * gst_wcs_message_get_object:
 * @msg: a #GstWcsMessage
 * @index: position in "data"
 *
 * Returns: (transfer none) (nullable): data[@index] if it is an object,
 * %NULL when it is absent or of another type.
 */
JsonObject *
gst_wcs_message_get_object (const GstWcsMessage * msg, guint index)
{
  JsonNode *node = message_get_element (msg, index);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/**
 * gst_wcs_message_get_string:
 * @msg: a #GstWcsMessage
 * @index: position in "data"
 *
 * Returns: (transfer none) (nullable): data[@index] if it is a string,
 * %NULL when it is absent or of another type.
 */
const gchar *
gst_wcs_message_get_string (const GstWcsMessage * msg, guint index)
{
  JsonNode *node = message_get_element (msg, index);

  if (!json_node_is_string (node))
    return NULL;
  return json_node_get_string (node);
}

/**
 * gst_wcs_json_get_string:
 * @obj: (nullable): a #JsonObject
 * @member: member name
 *
 * Returns: (transfer none) (nullable): the member's text if it is a string,
 * %NULL when @obj is %NULL or the member is absent or not a string.
 */
const gchar *
gst_wcs_json_get_string (JsonObject * obj, const gchar * member)
{
  JsonNode *node;

  if (obj == NULL || member == NULL)
    return NULL;
  node = json_object_get_member (obj, member);
  if (!json_node_is_string (node))
    return NULL;
  return json_node_get_string (node);
}

/**
 * gst_wcs_json_get_boolean:
 * @obj: (nullable): a #JsonObject
 * @member: member name
 * @def: value returned when the member is absent or not a boolean
 *
 * Returns: the member's value if it is a JSON boolean, @def otherwise.
 */
gboolean
gst_wcs_json_get_boolean (JsonObject * obj, const gchar * member,
    gboolean def)
{
  JsonNode *node;

  if (obj == NULL || member == NULL)
    return def;
  node = json_object_get_member (obj, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return def;
  return json_node_get_boolean (node);
}

/**
 * gst_wcs_stream_info_parse:
 * @msg: a parsed stream message
 * @info: (out caller-allocates): the result; always initialised, so
 *     gst_wcs_stream_info_clear() is safe even after an error
 * @error: return location for a #GError
 *
 * Reads the stream object in data[0] of notifyStreamStatusEvent,
 * notifyVideoFormat, fail (only with apiMethod "StreamStatusEvent", keyed by
 * "id") and, for a server, publishStream / playStream / unPublishStream /
 * stopStream. availableStream replies are keyed by "id" too.
 *
 * A missing or non-string "status" gives has_status = %FALSE (a status-less
 * update the client must ignore). hasVideo / hasAudio default to %TRUE
 * (the SDK hard-codes them in most messages), published to %FALSE. An
 * empty "info" or "sdp" is reported as %NULL.
 *
 * Returns: %TRUE on success; %FALSE with %GST_WCS_ERROR_PROTOCOL when data[0]
 * is not an object, the key is missing, not a string or empty, or a "fail"
 * is not about a stream.
 */
gboolean
gst_wcs_stream_info_parse (const GstWcsMessage * msg, GstWcsStreamInfo * info,
    GError ** error)
{
  JsonObject *obj;
  JsonNode *node;
  const gchar *key = "mediaSessionId";
  const gchar *id, *s;

  g_return_val_if_fail (info != NULL, FALSE);

  ensure_debug_category ();

  memset (info, 0, sizeof (*info));
  info->status = GST_WCS_STREAM_STATUS_UNKNOWN;
  info->has_video = TRUE;
  info->has_audio = TRUE;

  if (msg == NULL || msg->message == NULL) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "No message");
    return FALSE;
  }

  obj = gst_wcs_message_get_object (msg, 0);
  if (obj == NULL) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "Message \"%s\" has %s as data[0], not a stream object",
        msg->message, node_kind (message_get_element (msg, 0)));
    return FALSE;
  }

  if (strcmp (msg->message, "fail") == 0) {
    const gchar *api = gst_wcs_json_get_string (obj, "apiMethod");

    if (g_strcmp0 (api, "StreamStatusEvent") != 0) {
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
          "\"fail\" with apiMethod \"%s\" is not about a stream",
          api ? api : "(none)");
      return FALSE;
    }
    key = "id";
  } else if (strcmp (msg->message, "availableStream") == 0 &&
      json_object_has_member (obj, "id") &&
      !json_object_has_member (obj, "mediaSessionId")) {
    key = "id";
  }

  id = gst_wcs_json_get_string (obj, key);
  if (id == NULL || *id == '\0') {
    node = json_object_get_member (obj, key);
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "Message \"%s\" has %s as \"%s\", not a stream id", msg->message,
        id ? "an empty string" : node_kind (node), key);
    return FALSE;
  }

  info->media_session_id = g_strdup (id);
  info->name = g_strdup (gst_wcs_json_get_string (obj, "name"));
  info->published = gst_wcs_json_get_boolean (obj, "published", FALSE);
  info->has_video = gst_wcs_json_get_boolean (obj, "hasVideo", TRUE);
  info->has_audio = gst_wcs_json_get_boolean (obj, "hasAudio", TRUE);

  s = gst_wcs_json_get_string (obj, "transport");
  info->transport = gst_wcs_transport_from_string (s);
  if (s != NULL && info->transport == GST_WCS_TRANSPORT_AUTO)
    GST_INFO ("\"%s\" for %s carries unknown transport \"%s\"",
        msg->message, id, s);

  s = gst_wcs_json_get_string (obj, "status");
  if (s != NULL) {
    info->has_status = TRUE;
    info->status_str = g_strdup (s);
    info->status = gst_wcs_stream_status_from_string (s);
    if (info->status == GST_WCS_STREAM_STATUS_UNKNOWN)
      GST_INFO ("\"%s\" for %s carries unknown status \"%s\"", msg->message,
          id, s);
  } else {
    node = json_object_get_member (obj, "status");
    if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
      GST_WARNING ("\"%s\" for %s has %s as status, ignoring it",
          msg->message, id, node_kind (node));
    else
      GST_DEBUG ("\"%s\" for %s carries no status", msg->message, id);
  }

  s = gst_wcs_json_get_string (obj, "info");
  if (s != NULL && *s != '\0')
    info->info = g_strdup (s);
  s = gst_wcs_json_get_string (obj, "sdp");
  if (s != NULL && *s != '\0')
    info->sdp = g_strdup (s);

  return TRUE;
}

/**
 * gst_wcs_stream_info_clear:
 * @info: a #GstWcsStreamInfo
 *
 * Frees the strings of @info and resets it to zero.
 */
void
gst_wcs_stream_info_clear (GstWcsStreamInfo * info)
{
  if (info == NULL)
    return;
  g_free (info->media_session_id);
  g_free (info->name);
  g_free (info->status_str);
  g_free (info->info);
  g_free (info->sdp);
  memset (info, 0, sizeof (*info));
}

/**
 * gst_wcs_parse_set_remote_sdp:
 * @msg: a parsed "setRemoteSDP" message
 * @media_session_id: (out) (transfer full) (optional): the stream id
 * @sdp: (out) (transfer full) (optional): the SDP text
 * @error: return location for a #GError
 *
 * Reads `data[0]` (mediaSessionId) and `data[1]` (SDP). Further elements
 * (an "initiator" flag some servers add) are ignored. Outputs are only set
 * on success.
 *
 * Returns: %TRUE on success, %FALSE with %GST_WCS_ERROR_PROTOCOL when either
 * is missing, not a string or empty.
 */
gboolean
gst_wcs_parse_set_remote_sdp (const GstWcsMessage * msg,
    gchar ** media_session_id, gchar ** sdp, GError ** error)
{
  const gchar *id, *text;

  ensure_debug_category ();

  if (msg == NULL) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "No message");
    return FALSE;
  }

  id = gst_wcs_message_get_string (msg, 0);
  if (id == NULL || *id == '\0') {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "\"%s\" has %s as data[0], not a mediaSessionId",
        GST_STR_NULL (msg->message), id ? "an empty string" :
        node_kind (message_get_element (msg, 0)));
    return FALSE;
  }
  text = gst_wcs_message_get_string (msg, 1);
  if (text == NULL || *text == '\0') {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "\"%s\" for %s has %s as data[1], not an SDP",
        GST_STR_NULL (msg->message), id, text ? "an empty string" :
        node_kind (message_get_element (msg, 1)));
    return FALSE;
  }

  if (media_session_id)
    *media_session_id = g_strdup (id);
  if (sdp)
    *sdp = g_strdup (text);
  return TRUE;
}

/**
 * gst_wcs_parse_available_stream:
 * @msg: a parsed `availableStream` reply
 * @media_session_id: (out) (optional) (transfer full): the id the query
 *     carried ("id", or "mediaSessionId" as a fallback)
 * @available: (out) (optional): whether the stream exists
 * @info: (out) (optional) (transfer full) (nullable): the server's reason
 * @error: return location for a #GError
 *
 * Reads the reply to an availability query (docs/protocol.md 5.4):
 * data[0] = {"id", "status": "true"|"false", "info"}. Like the SDK, only
 * the string "true" means available (a JSON boolean true does not).
 *
 * Returns: %TRUE on success; %FALSE with %GST_WCS_ERROR_PROTOCOL when
 * data[0] is not an object or carries no id.
 */
gboolean
gst_wcs_parse_available_stream (const GstWcsMessage * msg,
    gchar ** media_session_id, gboolean * available, gchar ** info,
    GError ** error)
{
  JsonObject *obj;
  const gchar *id, *status, *text;

  ensure_debug_category ();

  if (msg == NULL) {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "No message");
    return FALSE;
  }
  obj = gst_wcs_message_get_object (msg, 0);
  if (obj == NULL) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "\"%s\" has %s as data[0], not an object",
        GST_STR_NULL (msg->message), node_kind (message_get_element (msg,
                0)));
    return FALSE;
  }
  id = gst_wcs_json_get_string (obj, "id");
  if (id == NULL || *id == '\0')
    id = gst_wcs_json_get_string (obj, "mediaSessionId");
  if (id == NULL || *id == '\0') {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL,
        "\"%s\" carries no stream id", GST_STR_NULL (msg->message));
    return FALSE;
  }
  status = gst_wcs_json_get_string (obj, "status");
  text = gst_wcs_json_get_string (obj, "info");

  if (media_session_id)
    *media_session_id = g_strdup (id);
  if (available)
    *available = g_strcmp0 (status, "true") == 0;
  if (info)
    *info = text && *text ? g_strdup (text) : NULL;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

/* A deep copy of @node that is safe to serialise: JSON has no NaN or
 * infinity, but json-glib parses 1e999 to inf and would print "inf", so
 * non-finite numbers become null. Works on sealed (immutable) nodes. */
static JsonNode *
json_node_clean_copy (JsonNode * node)
{
  JsonNode *copy;

  if (node == NULL)
    return json_node_new (JSON_NODE_NULL);

  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:{
      JsonObject *obj = json_object_new ();
      JsonObjectIter iter;
      const gchar *member;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &member, &child))
        json_object_set_member (obj, member, json_node_clean_copy (child));
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, obj);
      return copy;
    }
    case JSON_NODE_ARRAY:{
      JsonArray *src = json_node_get_array (node);
      JsonArray *arr = json_array_sized_new (json_array_get_length (src));
      guint i, n = json_array_get_length (src);

      for (i = 0; i < n; i++)
        json_array_add_element (arr,
            json_node_clean_copy (json_array_get_element (src, i)));
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (copy, arr);
      return copy;
    }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE &&
          !isfinite (json_node_get_double (node)))
        return json_node_new (JSON_NODE_NULL);
      copy = json_node_new (JSON_NODE_VALUE);
      switch (json_node_get_value_type (node)) {
        case G_TYPE_STRING:
          json_node_set_string (copy, json_node_get_string (node));
          break;
        case G_TYPE_BOOLEAN:
          json_node_set_boolean (copy, json_node_get_boolean (node));
          break;
        case G_TYPE_DOUBLE:
          json_node_set_double (copy, json_node_get_double (node));
          break;
        default:
          json_node_set_int (copy, json_node_get_int (node));
          break;
      }
      return copy;
    default:
      return json_node_new (JSON_NODE_NULL);
  }
}

static gchar *
node_to_string (JsonNode * node)
{
  JsonGenerator *gen = json_generator_new ();
  gchar *text;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  g_object_unref (gen);
  return text;
}

static gchar *
build_envelope (const gchar * message, JsonArray * data)
{
  JsonObject *obj = json_object_new ();
  JsonNode *root = json_node_new (JSON_NODE_OBJECT);
  gchar *text;

  json_object_set_string_member (obj, "message", message);
  json_object_set_array_member (obj, "data", data);
  json_node_take_object (root, obj);
  text = node_to_string (root);
  json_node_unref (root);
  return text;
}

/**
 * gst_wcs_build_message:
 * @message: message name
 * @payload: (transfer full) (nullable): the single argument
 *
 * Returns: (transfer full): `{"message":message,"data":[payload]}`;
 * a %NULL @payload gives `"data":[null]`. Non-finite numbers in @payload
 * (JSON has none) are sent as null.
 */
gchar *
gst_wcs_build_message (const gchar * message, JsonNode * payload)
{
  JsonArray *data;

  g_return_val_if_fail (message != NULL, NULL);

  data = json_array_new ();
  if (payload) {
    json_array_add_element (data, json_node_clean_copy (payload));
    json_node_unref (payload);
  } else {
    json_array_add_null_element (data);
  }
  return build_envelope (message, data);
}

/**
 * gst_wcs_build_message_empty:
 * @message: message name
 *
 * Returns: (transfer full): `{"message":message,"data":[]}`.
 */
gchar *
gst_wcs_build_message_empty (const gchar * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return build_envelope (message, json_array_new ());
}

static gchar *
build_object_message (const gchar * message, JsonObject * obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return gst_wcs_build_message (message, node);
}

static JsonNode *value_to_json (const GValue * v);

static JsonNode *
list_to_json (const GValue * v, gboolean is_array)
{
  JsonArray *arr = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  guint i, n;

  n = is_array ? gst_value_array_get_size (v) : gst_value_list_get_size (v);
  for (i = 0; i < n; i++) {
    const GValue *item = is_array ? gst_value_array_get_value (v, i) :
        gst_value_list_get_value (v, i);
    json_array_add_element (arr, value_to_json (item));
  }
  json_node_take_array (node, arr);
  return node;
}

static JsonNode *
value_to_json (const GValue * v)
{
  JsonNode *node;
  GType t = G_VALUE_TYPE (v);

  switch (G_TYPE_FUNDAMENTAL (t)) {
    case G_TYPE_STRING:
      if (g_value_get_string (v) == NULL)
        return json_node_new (JSON_NODE_NULL);
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, g_value_get_string (v));
      return node;
    case G_TYPE_BOOLEAN:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, g_value_get_boolean (v));
      return node;
    case G_TYPE_INT:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, g_value_get_int (v));
      return node;
    case G_TYPE_UINT:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, g_value_get_uint (v));
      return node;
    case G_TYPE_LONG:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, g_value_get_long (v));
      return node;
    case G_TYPE_ULONG:
      node = json_node_new (JSON_NODE_VALUE);
      if (g_value_get_ulong (v) > G_MAXINT64)
        json_node_set_double (node, (gdouble) g_value_get_ulong (v));
      else
        json_node_set_int (node, (gint64) g_value_get_ulong (v));
      return node;
    case G_TYPE_INT64:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, g_value_get_int64 (v));
      return node;
    case G_TYPE_UINT64:
      node = json_node_new (JSON_NODE_VALUE);
      if (g_value_get_uint64 (v) > G_MAXINT64)
        json_node_set_double (node, (gdouble) g_value_get_uint64 (v));
      else
        json_node_set_int (node, (gint64) g_value_get_uint64 (v));
      return node;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:{
      gdouble d = G_TYPE_FUNDAMENTAL (t) == G_TYPE_FLOAT ?
          g_value_get_float (v) : g_value_get_double (v);

      /* JSON has no NaN / infinity */
      if (!isfinite (d))
        return json_node_new (JSON_NODE_NULL);
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_double (node, d);
      return node;
    }
    case G_TYPE_ENUM:{
      GEnumClass *klass = g_type_class_ref (t);
      GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (v));

      node = json_node_new (JSON_NODE_VALUE);
      if (ev)
        json_node_set_string (node, ev->value_nick);
      else
        json_node_set_int (node, g_value_get_enum (v));
      g_type_class_unref (klass);
      return node;
    }
    default:
      break;
  }

  if (t == GST_TYPE_STRUCTURE) {
    JsonObject *obj = gst_wcs_structure_to_json (gst_value_get_structure (v));

    if (obj == NULL)
      return json_node_new (JSON_NODE_NULL);
    node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, obj);
    return node;
  }
  if (t == GST_TYPE_ARRAY)
    return list_to_json (v, TRUE);
  if (t == GST_TYPE_LIST)
    return list_to_json (v, FALSE);

  {
    gchar *str = gst_value_serialize (v);

    if (str == NULL) {
      GST_WARNING ("cannot express a %s in JSON, sending null",
          g_type_name (t));
      return json_node_new (JSON_NODE_NULL);
    }
    node = json_node_new (JSON_NODE_VALUE);
    json_node_set_string (node, str);
    g_free (str);
    return node;
  }
}

/**
 * gst_wcs_structure_to_json:
 * @s: (nullable): a #GstStructure
 *
 * Converts the fields of @s (not its name) to JSON members, in field order:
 * strings, booleans, integers, floating point numbers, enums (as their
 * nick), nested structures (objects), #GstValueArray / #GstValueList
 * (arrays). Anything else is sent as its GStreamer serialisation.
 *
 * Returns: (transfer full) (nullable): a new object, %NULL if @s is %NULL.
 */
JsonObject *
gst_wcs_structure_to_json (const GstStructure * s)
{
  JsonObject *obj;
  gint i, n;

  if (s == NULL)
    return NULL;

  ensure_debug_category ();

  obj = json_object_new ();
  n = gst_structure_n_fields (s);
  for (i = 0; i < n; i++) {
    const gchar *field = gst_structure_nth_field_name (s, i);
    const GValue *v = gst_structure_get_value (s, field);

    json_object_set_member (obj, field, value_to_json (v));
  }
  return obj;
}

static void
add_custom (JsonObject * obj, const GstStructure * custom)
{
  JsonObject *c = gst_wcs_structure_to_json (custom);

  if (c)
    json_object_set_object_member (obj, "custom", c);
}

static void
set_status_member (JsonObject * obj, GstWcsStreamStatus status)
{
  const gchar *s = gst_wcs_stream_status_to_string (status);

  /* like the SDK with an undefined status: the member is left out */
  if (s)
    json_object_set_string_member (obj, "status", s);
}

static gchar *
client_version_string (void)
{
  guint major, minor, micro, nano;
  gchar *os, *ret;

  gst_version (&major, &minor, &micro, &nano);
  os = g_get_os_info (G_OS_INFO_KEY_NAME);
  ret = g_strdup_printf ("gst-wcs/%s GStreamer/%u.%u.%u (%s)", VERSION,
      major, minor, micro, os ? os : "unknown OS");
  g_free (os);
  return ret;
}

/**
 * gst_wcs_build_connection:
 * @app_key: (nullable): the appKey; %NULL or empty gives "defaultApp"
 * @custom: (nullable): extra fields sent as "custom"
 *
 * Returns: (transfer full): the "connection" frame: appKey, mediaProviders
 * ["WebRTC"], clientVersion "2.0", clientOSVersion, clientBrowserVersion,
 * msePacketizationVersion 2 and, if set, custom.
 */
gchar *
gst_wcs_build_connection (const gchar * app_key, const GstStructure * custom)
{
  JsonObject *obj = json_object_new ();
  JsonArray *providers = json_array_new ();
  gchar *version = client_version_string ();

  json_object_set_string_member (obj, "appKey",
      app_key && *app_key ? app_key : "defaultApp");
  json_array_add_string_element (providers, "WebRTC");
  json_object_set_array_member (obj, "mediaProviders", providers);
  json_object_set_string_member (obj, "clientVersion", "2.0");
  json_object_set_string_member (obj, "clientOSVersion", version);
  json_object_set_string_member (obj, "clientBrowserVersion", version);
  json_object_set_int_member (obj, "msePacketizationVersion", 2);
  add_custom (obj, custom);
  g_free (version);

  return build_object_message ("connection", obj);
}

/**
 * gst_wcs_build_pong:
 *
 * Returns: (transfer full): `{"message":"pong","data":[null]}`.
 */
gchar *
gst_wcs_build_pong (void)
{
  return gst_wcs_build_message ("pong", NULL);
}

/**
 * gst_wcs_build_client_ping:
 *
 * Returns: (transfer full): `{"message":"ping","data":[null]}`.
 */
gchar *
gst_wcs_build_client_ping (void)
{
  return gst_wcs_build_message ("ping", NULL);
}

/**
 * gst_wcs_build_server_ping:
 *
 * Returns: (transfer full): `{"message":"ping","data":[]}`.
 */
gchar *
gst_wcs_build_server_ping (void)
{
  return gst_wcs_build_message_empty ("ping");
}

static JsonObject *
stream_object_head (const GstWcsStreamRequest * req, gboolean published,
    gboolean has_video, gboolean has_audio, GstWcsStreamStatus status)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "mediaSessionId", req->media_session_id);
  json_object_set_string_member (obj, "name", req->name);
  json_object_set_boolean_member (obj, "published", published);
  json_object_set_boolean_member (obj, "hasVideo", has_video);
  json_object_set_boolean_member (obj, "hasAudio", has_audio);
  set_status_member (obj, status);
  json_object_set_boolean_member (obj, "record", FALSE);
  return obj;
}

static void
stream_object_tail (JsonObject * obj, const GstWcsStreamRequest * req)
{
  json_object_set_string_member (obj, "mediaProvider", "WebRTC");
  json_object_set_string_member (obj, "sdp", req->sdp);
  add_custom (obj, req->custom);
  json_object_set_int_member (obj, "bitrate", 0);
  json_object_set_int_member (obj, "minBitrate", 0);
  json_object_set_int_member (obj, "maxBitrate", 0);
}

/* "transport" after the bitrates (publish) / quality (play), as the SDK;
 * omitted for AUTO */
static void
add_transport (JsonObject * obj, GstWcsTransport transport)
{
  const gchar *t = gst_wcs_transport_to_string (transport);

  if (t != NULL)
    json_object_set_string_member (obj, "transport", t);
}

#define REQUEST_IS_VALID(req) ((req) != NULL && (req)->media_session_id != NULL \
    && (req)->name != NULL)

/**
 * gst_wcs_build_publish_stream:
 * @req: the request; media_session_id, name and sdp are required
 *
 * Builds publishStream: mediaSessionId, name, published true, hasVideo,
 * hasAudio, status "PENDING" (always, as the SDK), record false,
 * mediaProvider "WebRTC", sdp, custom (if set), bitrate / minBitrate /
 * maxBitrate 0, transport ("UDP" / "TCP", omitted for AUTO).
 *
 * Returns: (transfer full): the frame, %NULL on invalid arguments.
 */
gchar *
gst_wcs_build_publish_stream (const GstWcsStreamRequest * req)
{
  JsonObject *obj;

  g_return_val_if_fail (REQUEST_IS_VALID (req), NULL);
  g_return_val_if_fail (req->sdp != NULL, NULL);

  obj = stream_object_head (req, TRUE, req->has_video, req->has_audio,
      GST_WCS_STREAM_STATUS_PENDING);
  stream_object_tail (obj, req);
  add_transport (obj, req->transport);
  return build_object_message ("publishStream", obj);
}

/**
 * gst_wcs_build_play_stream:
 * @req: the request; media_session_id, name and sdp are required
 *
 * Builds playStream: like publishStream with published false, plus width
 * and height after record, and quality 0 (then transport, if not AUTO) at
 * the end.
 *
 * Returns: (transfer full): the frame, %NULL on invalid arguments.
 */
gchar *
gst_wcs_build_play_stream (const GstWcsStreamRequest * req)
{
  JsonObject *obj;

  g_return_val_if_fail (REQUEST_IS_VALID (req), NULL);
  g_return_val_if_fail (req->sdp != NULL, NULL);

  obj = stream_object_head (req, FALSE, req->has_video, req->has_audio,
      GST_WCS_STREAM_STATUS_PENDING);
  json_object_set_int_member (obj, "width", MAX (req->width, 0));
  json_object_set_int_member (obj, "height", MAX (req->height, 0));
  stream_object_tail (obj, req);
  json_object_set_int_member (obj, "quality", 0);
  add_transport (obj, req->transport);
  return build_object_message ("playStream", obj);
}

/**
 * gst_wcs_build_unpublish_stream:
 * @req: the request; media_session_id and name are required
 *
 * Builds unPublishStream: mediaSessionId, name, published true, hasVideo
 * true, hasAudio true (hard-coded like the SDK), status (@req's current
 * status), record false.
 *
 * Returns: (transfer full): the frame, %NULL on invalid arguments.
 */
gchar *
gst_wcs_build_unpublish_stream (const GstWcsStreamRequest * req)
{
  g_return_val_if_fail (REQUEST_IS_VALID (req), NULL);

  return build_object_message ("unPublishStream",
      stream_object_head (req, TRUE, TRUE, TRUE, req->status));
}

/**
 * gst_wcs_build_stop_stream:
 * @req: the request; media_session_id and name are required
 *
 * Builds stopStream: same shape as unPublishStream with published false.
 *
 * Returns: (transfer full): the frame, %NULL on invalid arguments.
 */
gchar *
gst_wcs_build_stop_stream (const GstWcsStreamRequest * req)
{
  g_return_val_if_fail (REQUEST_IS_VALID (req), NULL);

  return build_object_message ("stopStream",
      stream_object_head (req, FALSE, TRUE, TRUE, req->status));
}

/**
 * gst_wcs_build_available_stream:
 * @media_session_id: the stream id
 * @name: the stream name
 *
 * Returns: (transfer full): `availableStream {mediaSessionId, name}`.
 */
gchar *
gst_wcs_build_available_stream (const gchar * media_session_id,
    const gchar * name)
{
  JsonObject *obj;

  g_return_val_if_fail (media_session_id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  obj = json_object_new ();
  json_object_set_string_member (obj, "mediaSessionId", media_session_id);
  json_object_set_string_member (obj, "name", name);
  return build_object_message ("availableStream", obj);
}

/**
 * gst_wcs_build_get_user_data:
 * @connection: (nullable): the client's connection object, echoed
 * @auth_token: (nullable): authToken to add (left out when %NULL)
 *
 * Returns: (transfer full): getUserData with every member of @connection
 * (in order), then authToken and status "ESTABLISHED" (replacing any
 * members of those names).
 */
gchar *
gst_wcs_build_get_user_data (JsonObject * connection, const gchar * auth_token)
{
  JsonObject *obj = json_object_new ();

  if (connection) {
    JsonObjectIter iter;
    const gchar *member;
    JsonNode *node;

    json_object_iter_init_ordered (&iter, connection);
    while (json_object_iter_next_ordered (&iter, &member, &node)) {
      if (strcmp (member, "authToken") == 0 || strcmp (member, "status") == 0)
        continue;
      json_object_set_member (obj, member, json_node_clean_copy (node));
    }
  }
  if (auth_token)
    json_object_set_string_member (obj, "authToken", auth_token);
  json_object_set_string_member (obj, "status",
      gst_wcs_session_status_to_string (GST_WCS_SESSION_STATUS_ESTABLISHED));
  return build_object_message ("getUserData", obj);
}

/**
 * gst_wcs_build_set_remote_sdp:
 * @media_session_id: the stream id
 * @sdp: the answer
 *
 * Returns: (transfer full): `{"message":"setRemoteSDP","data":[id, sdp]}`.
 */
gchar *
gst_wcs_build_set_remote_sdp (const gchar * media_session_id,
    const gchar * sdp)
{
  JsonArray *data;

  g_return_val_if_fail (media_session_id != NULL, NULL);
  g_return_val_if_fail (sdp != NULL, NULL);

  data = json_array_new ();
  json_array_add_string_element (data, media_session_id);
  json_array_add_string_element (data, sdp);
  return build_envelope ("setRemoteSDP", data);
}

/**
 * gst_wcs_build_stream_status_event:
 * @media_session_id: the stream id
 * @name: (nullable): the stream name (left out when %NULL)
 * @published: %TRUE for a publisher
 * @status: the new status
 * @info: (nullable): info text (left out when %NULL)
 *
 * Returns: (transfer full): notifyStreamStatusEvent
 * {mediaSessionId, name, published, status[, info]}.
 */
gchar *
gst_wcs_build_stream_status_event (const gchar * media_session_id,
    const gchar * name, gboolean published, GstWcsStreamStatus status,
    const gchar * info)
{
  JsonObject *obj;

  g_return_val_if_fail (media_session_id != NULL, NULL);

  obj = json_object_new ();
  json_object_set_string_member (obj, "mediaSessionId", media_session_id);
  if (name)
    json_object_set_string_member (obj, "name", name);
  json_object_set_boolean_member (obj, "published", published);
  set_status_member (obj, status);
  if (info)
    json_object_set_string_member (obj, "info", info);
  return build_object_message ("notifyStreamStatusEvent", obj);
}

/**
 * gst_wcs_build_available_stream_reply:
 * @media_session_id: the id of the asking stream
 * @available: whether the stream exists
 * @info: (nullable): reason (left out when %NULL)
 *
 * Returns: (transfer full): availableStream {id, status "true"/"false"
 * (strings, as the SDK compares them), info}.
 */
gchar *
gst_wcs_build_available_stream_reply (const gchar * media_session_id,
    gboolean available, const gchar * info)
{
  JsonObject *obj;

  g_return_val_if_fail (media_session_id != NULL, NULL);

  obj = json_object_new ();
  json_object_set_string_member (obj, "id", media_session_id);
  json_object_set_string_member (obj, "status", available ? "true" : "false");
  if (info)
    json_object_set_string_member (obj, "info", info);
  return build_object_message ("availableStream", obj);
}

/**
 * gst_wcs_new_media_session_id:
 *
 * Returns: (transfer full): a fresh random UUID (version 4) in its usual
 * 36-character text form.
 */
gchar *
gst_wcs_new_media_session_id (void)
{
  return g_uuid_string_random ();
}
