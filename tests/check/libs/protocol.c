/* gst-wcs: tests for the WCS protocol module (gstwcsprotocol.h)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Builders are checked by parsing their output back (every member, member
 * order, absent optional members) and against the shapes of the real frames
 * the official SDK sent (tests/fixtures/sdk-transcripts). Every fixture
 * frame must parse; malformed frames must give the right error.
 */
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "gstwcsprotocol.h"
#include "wcstestutil.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static gchar *
fixture_dir (void)
{
  const gchar *dir = g_getenv ("WCS_FIXTURES");

  if (dir)
    return g_build_filename (dir, "sdk-transcripts", NULL);
  return g_build_filename (WCS_TEST_SOURCE_DIR, "..", "fixtures",
      "sdk-transcripts", NULL);
}

typedef struct
{
  gchar *file;
  gchar *dir;                   /* "c2s" / "s2c" */
  gchar *raw;
} Frame;

static void
frame_free (gpointer data)
{
  Frame *f = data;

  g_free (f->file);
  g_free (f->dir);
  g_free (f->raw);
  g_free (f);
}

/* Every c2s / s2c frame of every fixture file, in file order */
static GPtrArray *
load_fixture_frames (guint * n_files)
{
  gchar *dirname = fixture_dir ();
  GDir *dir = g_dir_open (dirname, 0, NULL);
  GPtrArray *frames = g_ptr_array_new_with_free_func (frame_free);
  const gchar *name;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint i;

  fail_unless (dir != NULL, "no fixture directory %s", dirname);
  while ((name = g_dir_read_name (dir))) {
    if (g_str_has_suffix (name, ".jsonl"))
      g_ptr_array_add (names, g_strdup (name));
  }
  g_dir_close (dir);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);

  for (i = 0; i < names->len; i++) {
    gchar *path = g_build_filename (dirname, names->pdata[i], NULL);
    gchar *contents = NULL, **lines;
    guint j;

    fail_unless (g_file_get_contents (path, &contents, NULL, NULL), "%s",
        path);
    lines = g_strsplit (contents, "\n", -1);
    for (j = 0; lines[j]; j++) {
      JsonParser *p = json_parser_new ();
      JsonObject *rec;
      const gchar *d;

      if (*lines[j] == '\0') {
        g_object_unref (p);
        continue;
      }
      fail_unless (json_parser_load_from_data (p, lines[j], -1, NULL),
          "%s:%u is not JSON", path, j + 1);
      rec = json_node_get_object (json_parser_get_root (p));
      d = json_object_get_string_member_with_default (rec, "dir", "");
      if (strcmp (d, "c2s") == 0 || strcmp (d, "s2c") == 0) {
        Frame *f = g_new0 (Frame, 1);

        f->file = g_strdup (names->pdata[i]);
        f->dir = g_strdup (d);
        f->raw = g_strdup (json_object_get_string_member (rec, "raw"));
        g_ptr_array_add (frames, f);
      }
      g_object_unref (p);
    }
    g_strfreev (lines);
    g_free (contents);
    g_free (path);
  }
  if (n_files)
    *n_files = names->len;
  g_ptr_array_unref (names);
  g_free (dirname);
  return frames;
}

static GstWcsMessage *
parse_ok (const gchar * text)
{
  GError *err = NULL;
  GstWcsMessage *msg;

  fail_unless (text != NULL);
  msg = gst_wcs_message_parse (text, -1, &err);
  fail_unless (msg != NULL, "cannot parse %s: %s", text,
      err ? err->message : "");
  fail_unless (err == NULL);
  return msg;
}

/* The members of @obj in order, comma-joined */
static gchar *
members_of (JsonObject * obj)
{
  JsonObjectIter iter;
  const gchar *member;
  JsonNode *node;
  GString *s = g_string_new (NULL);

  json_object_iter_init_ordered (&iter, obj);
  while (json_object_iter_next_ordered (&iter, &member, &node)) {
    if (s->len)
      g_string_append_c (s, ',');
    g_string_append (s, member);
  }
  return g_string_free (s, FALSE);
}

static void
assert_members (JsonObject * obj, const gchar * expected)
{
  gchar *m = members_of (obj);

  fail_unless_equals_string (m, expected);
  g_free (m);
}

static gint64
int_member (JsonObject * obj, const gchar * name)
{
  JsonNode *n = json_object_get_member (obj, name);

  fail_unless (n != NULL, "no member %s", name);
  fail_unless (JSON_NODE_HOLDS_VALUE (n) &&
      json_node_get_value_type (n) == G_TYPE_INT64, "%s is not an integer",
      name);
  return json_node_get_int (n);
}

static gboolean
bool_member (JsonObject * obj, const gchar * name)
{
  JsonNode *n = json_object_get_member (obj, name);

  fail_unless (n != NULL, "no member %s", name);
  fail_unless (JSON_NODE_HOLDS_VALUE (n) &&
      json_node_get_value_type (n) == G_TYPE_BOOLEAN, "%s is not a boolean",
      name);
  return json_node_get_boolean (n);
}

static const gchar *
str_member (JsonObject * obj, const gchar * name)
{
  const gchar *s = gst_wcs_json_get_string (obj, name);

  fail_unless (s != NULL, "no string member %s", name);
  return s;
}

/* Members of @a with @skip (comma list) removed */
static gchar *
members_without (JsonObject * obj, const gchar * skip)
{
  gchar **skips = g_strsplit (skip, ",", -1);
  JsonObjectIter iter;
  const gchar *member;
  JsonNode *node;
  GString *s = g_string_new (NULL);

  json_object_iter_init_ordered (&iter, obj);
  while (json_object_iter_next_ordered (&iter, &member, &node)) {
    if (g_strv_contains ((const gchar * const *) skips, member))
      continue;
    if (s->len)
      g_string_append_c (s, ',');
    g_string_append (s, member);
  }
  g_strfreev (skips);
  return g_string_free (s, FALSE);
}

static const gchar test_sdp[] = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
    "t=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";

/* ------------------------------------------------------------------ */
/* status enums                                                        */

GST_START_TEST (test_stream_status_strings)
{
  static const gchar *names[] = { "NEW", "PENDING", "PUBLISHING", "PLAYING",
    "PAUSED", "UNPUBLISHED", "STOPPED", "FAILED", "PLAYBACK_PROBLEM",
    "RESIZE", "SNAPSHOT_COMPLETE", "NOT_ENOUGH_BANDWIDTH"
  };
  GEnumClass *klass;
  guint i;

  fail_unless (G_TYPE_IS_ENUM (GST_TYPE_WCS_STREAM_STATUS));
  klass = g_type_class_ref (GST_TYPE_WCS_STREAM_STATUS);
  fail_unless_equals_int (klass->n_values, G_N_ELEMENTS (names) + 1);

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    GEnumValue *ev;

    fail_unless_equals_int (gst_wcs_stream_status_from_string (names[i]), i);
    fail_unless_equals_string (gst_wcs_stream_status_to_string (i), names[i]);
    ev = g_enum_get_value_by_nick (klass, names[i]);
    fail_unless (ev != NULL, "no nick %s", names[i]);
    fail_unless_equals_int (ev->value, i);
  }
  fail_unless_equals_string (gst_wcs_stream_status_to_string
      (GST_WCS_STREAM_STATUS_UNKNOWN), "UNKNOWN");
  fail_unless (g_enum_get_value_by_nick (klass, "UNKNOWN") != NULL);
  g_type_class_unref (klass);

  fail_unless_equals_int (gst_wcs_stream_status_from_string (NULL),
      GST_WCS_STREAM_STATUS_UNKNOWN);
  fail_unless_equals_int (gst_wcs_stream_status_from_string (""),
      GST_WCS_STREAM_STATUS_UNKNOWN);
  /* the wire is case-sensitive */
  fail_unless_equals_int (gst_wcs_stream_status_from_string ("publishing"),
      GST_WCS_STREAM_STATUS_UNKNOWN);
  fail_unless_equals_int (gst_wcs_stream_status_from_string ("PUBLISHING "),
      GST_WCS_STREAM_STATUS_UNKNOWN);
  fail_unless_equals_int (gst_wcs_stream_status_from_string ("UNKNOWN"),
      GST_WCS_STREAM_STATUS_UNKNOWN);
  fail_unless_equals_int (gst_wcs_stream_status_from_string ("BOGUS"),
      GST_WCS_STREAM_STATUS_UNKNOWN);
  fail_unless (gst_wcs_stream_status_to_string ((GstWcsStreamStatus) 1000) ==
      NULL);
}

GST_END_TEST;

GST_START_TEST (test_session_status_strings)
{
  static const gchar *names[] = { "PENDING", "CONNECTED", "ESTABLISHED",
    "DISCONNECTED", "FAILED"
  };
  GEnumClass *klass;
  guint i;

  fail_unless (G_TYPE_IS_ENUM (GST_TYPE_WCS_SESSION_STATUS));
  klass = g_type_class_ref (GST_TYPE_WCS_SESSION_STATUS);
  fail_unless_equals_int (klass->n_values, G_N_ELEMENTS (names));
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    fail_unless_equals_string (gst_wcs_session_status_to_string (i), names[i]);
    fail_unless_equals_int (g_enum_get_value_by_nick (klass, names[i])->value,
        i);
  }
  fail_unless (gst_wcs_session_status_to_string ((GstWcsSessionStatus) 99) ==
      NULL);
  g_type_class_unref (klass);
}

GST_END_TEST;

GST_START_TEST (test_stream_status_classes)
{
  gint s;

  for (s = GST_WCS_STREAM_STATUS_NEW; s <= GST_WCS_STREAM_STATUS_UNKNOWN; s++) {
    gboolean terminal = (s == GST_WCS_STREAM_STATUS_FAILED ||
        s == GST_WCS_STREAM_STATUS_STOPPED ||
        s == GST_WCS_STREAM_STATUS_UNPUBLISHED);
    gboolean event_like = (s == GST_WCS_STREAM_STATUS_RESIZE ||
        s == GST_WCS_STREAM_STATUS_SNAPSHOT_COMPLETE ||
        s == GST_WCS_STREAM_STATUS_NOT_ENOUGH_BANDWIDTH);

    fail_unless_equals_int (gst_wcs_stream_status_is_terminal (s), terminal);
    fail_unless_equals_int (gst_wcs_stream_status_changes_status (s),
        !event_like);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* builders                                                            */

GST_START_TEST (test_build_keepalive)
{
  gchar *s;

  s = gst_wcs_build_pong ();
  fail_unless_equals_string (s, "{\"message\":\"pong\",\"data\":[null]}");
  g_free (s);
  s = gst_wcs_build_client_ping ();
  fail_unless_equals_string (s, "{\"message\":\"ping\",\"data\":[null]}");
  g_free (s);
  s = gst_wcs_build_server_ping ();
  fail_unless_equals_string (s, "{\"message\":\"ping\",\"data\":[]}");
  g_free (s);
  s = gst_wcs_build_message_empty ("getVersion");
  fail_unless_equals_string (s, "{\"message\":\"getVersion\",\"data\":[]}");
  g_free (s);
  s = gst_wcs_build_message ("x", NULL);
  fail_unless_equals_string (s, "{\"message\":\"x\",\"data\":[null]}");
  g_free (s);
  s = gst_wcs_build_message ("x", json_from_string ("{\"a\":[1,\"b\"]}",
          NULL));
  fail_unless_equals_string (s, "{\"message\":\"x\",\"data\":[{\"a\":[1,\"b\"]}]}");
  g_free (s);
}

GST_END_TEST;

GST_START_TEST (test_build_connection)
{
  GstWcsMessage *msg;
  JsonObject *obj, *custom, *nested;
  JsonArray *providers;
  GstStructure *s, *inner;
  gchar *text;

  text = gst_wcs_build_connection (NULL, NULL);
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "connection");
  fail_unless_equals_int (json_array_get_length (msg->data), 1);
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "appKey,mediaProviders,clientVersion,clientOSVersion,"
      "clientBrowserVersion,msePacketizationVersion");
  fail_unless_equals_string (str_member (obj, "appKey"), "defaultApp");
  providers = json_object_get_array_member (obj, "mediaProviders");
  fail_unless_equals_int (json_array_get_length (providers), 1);
  fail_unless_equals_string (json_array_get_string_element (providers, 0),
      "WebRTC");
  fail_unless_equals_string (str_member (obj, "clientVersion"), "2.0");
  fail_unless (g_str_has_prefix (str_member (obj, "clientOSVersion"),
          "gst-wcs/"));
  fail_unless (strstr (str_member (obj, "clientBrowserVersion"),
          "GStreamer/") != NULL);
  fail_unless_equals_int (int_member (obj, "msePacketizationVersion"), 2);
  gst_wcs_message_free (msg);
  g_free (text);

  inner = gst_structure_new ("inner", "k", G_TYPE_STRING, "v", NULL);
  s = gst_structure_new ("custom", "token", G_TYPE_STRING, "s3cr\"t",
      "n", G_TYPE_INT, -5, "u", G_TYPE_UINT, 7u, "big", G_TYPE_UINT64,
      G_GUINT64_CONSTANT (5000000000), "flag", G_TYPE_BOOLEAN, TRUE,
      "ratio", G_TYPE_DOUBLE, 0.5, "inner", GST_TYPE_STRUCTURE, inner, NULL);
  gst_structure_free (inner);
  text = gst_wcs_build_connection ("myApp", s);
  gst_structure_free (s);
  msg = parse_ok (text);
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "appKey,mediaProviders,clientVersion,clientOSVersion,"
      "clientBrowserVersion,msePacketizationVersion,custom");
  fail_unless_equals_string (str_member (obj, "appKey"), "myApp");
  custom = json_object_get_object_member (obj, "custom");
  assert_members (custom, "token,n,u,big,flag,ratio,inner");
  fail_unless_equals_string (str_member (custom, "token"), "s3cr\"t");
  fail_unless_equals_int (int_member (custom, "n"), -5);
  fail_unless_equals_int (int_member (custom, "u"), 7);
  fail_unless (int_member (custom, "big") == G_GINT64_CONSTANT (5000000000));
  fail_unless (bool_member (custom, "flag"));
  fail_unless (json_object_get_double_member (custom, "ratio") == 0.5);
  nested = json_object_get_object_member (custom, "inner");
  assert_members (nested, "k");
  fail_unless_equals_string (str_member (nested, "k"), "v");
  gst_wcs_message_free (msg);
  g_free (text);

  /* empty app key is the default too */
  text = gst_wcs_build_connection ("", NULL);
  msg = parse_ok (text);
  fail_unless_equals_string (str_member (gst_wcs_message_get_object (msg, 0),
          "appKey"), "defaultApp");
  gst_wcs_message_free (msg);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_build_publish_play)
{
  GstWcsStreamRequest req = { 0, };
  GstWcsMessage *msg;
  GstWcsStreamInfo info;
  JsonObject *obj;
  GstStructure *custom;
  gchar *text;

  req.media_session_id = "id-pub";
  req.name = "cam1";
  req.has_video = TRUE;
  req.has_audio = FALSE;
  req.sdp = test_sdp;
  /* whatever the caller's status, publish/play send PENDING */
  req.status = GST_WCS_STREAM_STATUS_NEW;

  text = gst_wcs_build_publish_stream (&req);
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "publishStream");
  fail_unless_equals_int (json_array_get_length (msg->data), 1);
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "mediaSessionId,name,published,hasVideo,hasAudio,"
      "status,record,mediaProvider,sdp,bitrate,minBitrate,maxBitrate");
  fail_unless_equals_string (str_member (obj, "mediaSessionId"), "id-pub");
  fail_unless_equals_string (str_member (obj, "name"), "cam1");
  fail_unless (bool_member (obj, "published"));
  fail_unless (bool_member (obj, "hasVideo"));
  fail_if (bool_member (obj, "hasAudio"));
  fail_unless_equals_string (str_member (obj, "status"), "PENDING");
  fail_if (bool_member (obj, "record"));
  fail_unless_equals_string (str_member (obj, "mediaProvider"), "WebRTC");
  fail_unless_equals_string (str_member (obj, "sdp"), test_sdp);
  fail_unless_equals_int (int_member (obj, "bitrate"), 0);
  fail_unless_equals_int (int_member (obj, "minBitrate"), 0);
  fail_unless_equals_int (int_member (obj, "maxBitrate"), 0);
  /* CRLF travels as JSON escapes */
  fail_unless (strstr (text, "v=0\\r\\no=-") != NULL);

  /* and the server side reads it back */
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_string (info.media_session_id, "id-pub");
  fail_unless_equals_string (info.name, "cam1");
  fail_unless (info.published);
  fail_unless (info.has_video);
  fail_if (info.has_audio);
  fail_unless (info.has_status);
  fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_PENDING);
  fail_unless_equals_string (info.sdp, test_sdp);
  fail_unless (info.info == NULL);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);
  g_free (text);

  /* play */
  req.media_session_id = "id-play";
  req.has_audio = TRUE;
  req.width = 640;
  req.height = 480;
  text = gst_wcs_build_play_stream (&req);
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "playStream");
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "mediaSessionId,name,published,hasVideo,hasAudio,"
      "status,record,width,height,mediaProvider,sdp,bitrate,minBitrate,"
      "maxBitrate,quality");
  fail_unless_equals_string (str_member (obj, "mediaSessionId"), "id-play");
  fail_if (bool_member (obj, "published"));
  fail_unless (bool_member (obj, "hasAudio"));
  fail_unless_equals_string (str_member (obj, "status"), "PENDING");
  fail_unless_equals_int (int_member (obj, "width"), 640);
  fail_unless_equals_int (int_member (obj, "height"), 480);
  fail_unless_equals_int (int_member (obj, "quality"), 0);
  fail_unless_equals_string (str_member (obj, "sdp"), test_sdp);
  gst_wcs_message_free (msg);
  g_free (text);

  /* custom after sdp, both directions */
  custom = gst_structure_new ("c", "token", G_TYPE_STRING, "abc", NULL);
  req.custom = custom;
  text = gst_wcs_build_play_stream (&req);
  msg = parse_ok (text);
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "mediaSessionId,name,published,hasVideo,hasAudio,"
      "status,record,width,height,mediaProvider,sdp,custom,bitrate,"
      "minBitrate,maxBitrate,quality");
  fail_unless_equals_string (str_member (json_object_get_object_member (obj,
              "custom"), "token"), "abc");
  gst_wcs_message_free (msg);
  g_free (text);
  text = gst_wcs_build_publish_stream (&req);
  msg = parse_ok (text);
  assert_members (gst_wcs_message_get_object (msg, 0),
      "mediaSessionId,name,published,hasVideo,hasAudio,status,record,"
      "mediaProvider,sdp,custom,bitrate,minBitrate,maxBitrate");
  gst_wcs_message_free (msg);
  g_free (text);
  gst_structure_free (custom);
}

GST_END_TEST;

/* "transport" (WCS TRANSPORT_TYPE): omitted for AUTO (the SDK leaves it out
 * when unset), "UDP" / "TCP" last (after the bitrates / quality), and read
 * back by the server side */
GST_START_TEST (test_build_transport)
{
  GstWcsStreamRequest req = { 0, };
  GstWcsMessage *msg;
  GstWcsStreamInfo info;
  gchar *text;
  GEnumClass *klass;

  req.media_session_id = "id-t";
  req.name = "cam1";
  req.has_video = TRUE;
  req.sdp = test_sdp;

  /* AUTO: no field, and a server reads AUTO */
  text = gst_wcs_build_publish_stream (&req);
  msg = parse_ok (text);
  fail_if (json_object_has_member (gst_wcs_message_get_object (msg, 0),
          "transport"));
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_int (info.transport, GST_WCS_TRANSPORT_AUTO);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);
  g_free (text);

  req.transport = GST_WCS_TRANSPORT_TCP;
  text = gst_wcs_build_publish_stream (&req);
  msg = parse_ok (text);
  assert_members (gst_wcs_message_get_object (msg, 0),
      "mediaSessionId,name,published,hasVideo,hasAudio,status,record,"
      "mediaProvider,sdp,bitrate,minBitrate,maxBitrate,transport");
  fail_unless_equals_string (str_member (gst_wcs_message_get_object (msg, 0),
          "transport"), "TCP");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_int (info.transport, GST_WCS_TRANSPORT_TCP);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);
  g_free (text);

  req.transport = GST_WCS_TRANSPORT_UDP;
  text = gst_wcs_build_play_stream (&req);
  msg = parse_ok (text);
  assert_members (gst_wcs_message_get_object (msg, 0),
      "mediaSessionId,name,published,hasVideo,hasAudio,status,record,width,"
      "height,mediaProvider,sdp,bitrate,minBitrate,maxBitrate,quality,"
      "transport");
  fail_unless_equals_string (str_member (gst_wcs_message_get_object (msg, 0),
          "transport"), "UDP");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_int (info.transport, GST_WCS_TRANSPORT_UDP);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);
  g_free (text);

  /* the server side: any case; garbage or another type is AUTO, no error */
  fail_unless_equals_int (gst_wcs_transport_from_string ("tcp"),
      GST_WCS_TRANSPORT_TCP);
  fail_unless_equals_int (gst_wcs_transport_from_string ("Udp"),
      GST_WCS_TRANSPORT_UDP);
  fail_unless_equals_int (gst_wcs_transport_from_string ("SCTP"),
      GST_WCS_TRANSPORT_AUTO);
  fail_unless_equals_int (gst_wcs_transport_from_string (NULL),
      GST_WCS_TRANSPORT_AUTO);
  fail_unless (gst_wcs_transport_to_string (GST_WCS_TRANSPORT_AUTO) == NULL);
  msg = parse_ok ("{\"message\":\"playStream\",\"data\":[{"
      "\"mediaSessionId\":\"x\",\"name\":\"n\",\"transport\":42}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_int (info.transport, GST_WCS_TRANSPORT_AUTO);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* gst-launch spellings: nicks udp/tcp/auto, value names UDP/TCP */
  klass = g_type_class_ref (GST_TYPE_WCS_TRANSPORT);
  fail_unless_equals_int (g_enum_get_value_by_nick (klass, "tcp")->value,
      GST_WCS_TRANSPORT_TCP);
  fail_unless_equals_int (g_enum_get_value_by_name (klass, "TCP")->value,
      GST_WCS_TRANSPORT_TCP);
  fail_unless_equals_int (g_enum_get_value_by_nick (klass, "auto")->value,
      GST_WCS_TRANSPORT_AUTO);
  g_type_class_unref (klass);
}

GST_END_TEST;

GST_START_TEST (test_build_unpublish_stop)
{
  GstWcsStreamRequest req = { 0, };
  GstWcsMessage *msg;
  JsonObject *obj;
  gchar *text;

  req.media_session_id = "id-1";
  req.name = "cam1";
  req.has_video = FALSE;        /* hard-coded true on the wire, like the SDK */
  req.has_audio = FALSE;
  req.sdp = test_sdp;           /* never sent here */
  req.status = GST_WCS_STREAM_STATUS_PUBLISHING;

  text = gst_wcs_build_unpublish_stream (&req);
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "unPublishStream");
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "mediaSessionId,name,published,hasVideo,hasAudio,"
      "status,record");
  fail_unless_equals_string (str_member (obj, "mediaSessionId"), "id-1");
  fail_unless_equals_string (str_member (obj, "name"), "cam1");
  fail_unless (bool_member (obj, "published"));
  fail_unless (bool_member (obj, "hasVideo"));
  fail_unless (bool_member (obj, "hasAudio"));
  fail_unless_equals_string (str_member (obj, "status"), "PUBLISHING");
  fail_if (bool_member (obj, "record"));
  gst_wcs_message_free (msg);
  g_free (text);

  req.status = GST_WCS_STREAM_STATUS_PLAYING;
  text = gst_wcs_build_stop_stream (&req);
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "stopStream");
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "mediaSessionId,name,published,hasVideo,hasAudio,"
      "status,record");
  fail_if (bool_member (obj, "published"));
  fail_unless_equals_string (str_member (obj, "status"), "PLAYING");
  gst_wcs_message_free (msg);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_build_server_messages)
{
  GstWcsMessage *msg, *conn;
  GstWcsStreamInfo info;
  JsonObject *obj;
  gchar *text, *conn_text, *id = NULL, *sdp = NULL;

  /* available */
  text = gst_wcs_build_available_stream ("id-a", "cam1");
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "availableStream");
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "mediaSessionId,name");
  fail_unless_equals_string (str_member (obj, "name"), "cam1");
  gst_wcs_message_free (msg);
  g_free (text);

  text = gst_wcs_build_available_stream_reply ("id-a", FALSE,
      GST_WCS_INFO_STREAM_NOT_FOUND);
  msg = parse_ok (text);
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "id,status,info");
  fail_unless_equals_string (str_member (obj, "id"), "id-a");
  /* a string, as the SDK compares with "true" */
  fail_unless_equals_string (str_member (obj, "status"), "false");
  fail_unless_equals_string (str_member (obj, "info"), "Stream not found");
  gst_wcs_message_free (msg);
  g_free (text);
  text = gst_wcs_build_available_stream_reply ("id-a", TRUE, NULL);
  msg = parse_ok (text);
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "id,status");
  fail_unless_equals_string (str_member (obj, "status"), "true");
  gst_wcs_message_free (msg);
  g_free (text);

  /* getUserData echoes the connection */
  conn_text = gst_wcs_build_connection ("app", NULL);
  conn = parse_ok (conn_text);
  text = gst_wcs_build_get_user_data (gst_wcs_message_get_object (conn, 0),
      "tok-1");
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "getUserData");
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "appKey,mediaProviders,clientVersion,clientOSVersion,"
      "clientBrowserVersion,msePacketizationVersion,authToken,status");
  fail_unless_equals_string (str_member (obj, "appKey"), "app");
  fail_unless_equals_string (str_member (obj, "authToken"), "tok-1");
  fail_unless_equals_string (str_member (obj, "status"), "ESTABLISHED");
  gst_wcs_message_free (msg);
  g_free (text);
  text = gst_wcs_build_get_user_data (NULL, NULL);
  msg = parse_ok (text);
  assert_members (gst_wcs_message_get_object (msg, 0), "status");
  gst_wcs_message_free (msg);
  g_free (text);
  gst_wcs_message_free (conn);
  g_free (conn_text);

  /* setRemoteSDP */
  text = gst_wcs_build_set_remote_sdp ("id-b", test_sdp);
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "setRemoteSDP");
  fail_unless_equals_int (json_array_get_length (msg->data), 2);
  fail_unless (gst_wcs_parse_set_remote_sdp (msg, &id, &sdp, NULL));
  fail_unless_equals_string (id, "id-b");
  fail_unless_equals_string (sdp, test_sdp);
  g_free (id);
  g_free (sdp);
  gst_wcs_message_free (msg);
  g_free (text);

  /* notifyStreamStatusEvent */
  text = gst_wcs_build_stream_status_event ("id-c", "cam1", FALSE,
      GST_WCS_STREAM_STATUS_STOPPED, GST_WCS_INFO_STOPPED_BY_PUBLISHER);
  msg = parse_ok (text);
  fail_unless_equals_string (msg->message, "notifyStreamStatusEvent");
  obj = gst_wcs_message_get_object (msg, 0);
  assert_members (obj, "mediaSessionId,name,published,status,info");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_string (info.media_session_id, "id-c");
  fail_unless_equals_string (info.name, "cam1");
  fail_if (info.published);
  fail_unless (info.has_status);
  fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_STOPPED);
  fail_unless_equals_string (info.status_str, "STOPPED");
  fail_unless_equals_string (info.info, "Stopped by publisher stop");
  fail_unless (info.sdp == NULL);
  gst_wcs_stream_info_clear (&info);
  fail_unless (info.media_session_id == NULL);
  gst_wcs_message_free (msg);
  g_free (text);

  text = gst_wcs_build_stream_status_event ("id-d", NULL, TRUE,
      GST_WCS_STREAM_STATUS_PUBLISHING, NULL);
  msg = parse_ok (text);
  assert_members (gst_wcs_message_get_object (msg, 0),
      "mediaSessionId,published,status");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless (info.name == NULL);
  fail_unless (info.info == NULL);
  fail_unless (info.published);
  fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_PUBLISHING);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_structure_to_json)
{
  GstStructure *s;
  JsonObject *obj;
  JsonArray *arr;
  GValue list = G_VALUE_INIT, v = G_VALUE_INIT;

  fail_unless (gst_wcs_structure_to_json (NULL) == NULL);

  s = gst_structure_new_empty ("empty");
  obj = gst_wcs_structure_to_json (s);
  fail_unless (obj != NULL);
  fail_unless_equals_int (json_object_get_size (obj), 0);
  json_object_unref (obj);
  gst_structure_free (s);

  s = gst_structure_new ("s", "null-string", G_TYPE_STRING, NULL,
      "i64", G_TYPE_INT64, G_GINT64_CONSTANT (-9000000000),
      "huge", G_TYPE_UINT64, G_MAXUINT64, "f", G_TYPE_FLOAT, 0.25f,
      "frac", GST_TYPE_FRACTION, 30, 1, NULL);
  gst_value_array_init (&list, 2);
  g_value_init (&v, G_TYPE_INT);
  g_value_set_int (&v, 1);
  gst_value_array_append_value (&list, &v);
  g_value_set_int (&v, 2);
  gst_value_array_append_value (&list, &v);
  gst_structure_take_value (s, "arr", &list);

  obj = gst_wcs_structure_to_json (s);
  assert_members (obj, "null-string,i64,huge,f,frac,arr");
  fail_unless (json_object_get_null_member (obj, "null-string"));
  fail_unless (int_member (obj, "i64") == G_GINT64_CONSTANT (-9000000000));
  fail_unless (json_object_get_double_member (obj, "huge") > 1e19);
  fail_unless (json_object_get_double_member (obj, "f") == 0.25);
  fail_unless_equals_string (str_member (obj, "frac"), "30/1");
  arr = json_object_get_array_member (obj, "arr");
  fail_unless_equals_int (json_array_get_length (arr), 2);
  fail_unless_equals_int (json_array_get_int_element (arr, 1), 2);
  json_object_unref (obj);
  gst_structure_free (s);
}

GST_END_TEST;

GST_START_TEST (test_media_session_id)
{
  gchar *a = gst_wcs_new_media_session_id ();
  gchar *b = gst_wcs_new_media_session_id ();

  fail_unless (g_uuid_string_is_valid (a));
  fail_unless (g_uuid_string_is_valid (b));
  fail_unless_equals_int (strlen (a), 36);
  fail_if (g_str_equal (a, b));
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* fixtures                                                            */

/* Every frame of every fixture parses; stream frames give the right
 * fields; our builders produce the same member lists as the SDK. */
GST_START_TEST (test_fixture_frames)
{
  guint n_files = 0, i, n_c2s = 0, n_s2c = 0, n_streams = 0, n_sdp = 0;
  GPtrArray *frames = load_fixture_frames (&n_files);
  GstWcsStreamRequest req = { 0, };
  GstWcsMessage *ours;
  gchar *text;

  fail_unless (n_files >= 8, "only %u fixture files", n_files);

  for (i = 0; i < frames->len; i++) {
    Frame *f = frames->pdata[i];
    GError *err = NULL;
    GstWcsMessage *msg = gst_wcs_message_parse (f->raw, -1, &err);
    const gchar *m;

    fail_unless (msg != NULL, "%s: %s: %s", f->file, f->raw,
        err ? err->message : "");
    m = msg->message;
    if (strcmp (f->dir, "c2s") == 0)
      n_c2s++;
    else
      n_s2c++;

    if (!strcmp (m, "publishStream") || !strcmp (m, "playStream") ||
        !strcmp (m, "unPublishStream") || !strcmp (m, "stopStream") ||
        !strcmp (m, "notifyStreamStatusEvent")) {
      GstWcsStreamInfo info;
      JsonObject *obj = gst_wcs_message_get_object (msg, 0);
      gboolean request = g_str_equal (m, "publishStream") ||
          g_str_equal (m, "playStream");

      fail_unless (gst_wcs_stream_info_parse (msg, &info, &err), "%s: %s",
          f->file, err ? err->message : "");
      fail_unless_equals_string (info.media_session_id,
          str_member (obj, "mediaSessionId"));
      fail_unless (g_uuid_string_is_valid (info.media_session_id) ||
          strlen (info.media_session_id) > 0);
      fail_unless_equals_string (info.name, "stream1");
      fail_unless_equals_int (info.published, bool_member (obj, "published"));
      fail_unless (info.has_status);
      fail_unless_equals_string (info.status_str, str_member (obj, "status"));
      fail_unless (info.status != GST_WCS_STREAM_STATUS_UNKNOWN);
      fail_unless (info.has_video);
      fail_unless (info.has_audio);
      if (request) {
        fail_unless (info.sdp != NULL);
        fail_unless (g_str_has_prefix (info.sdp, "v=0\r\n"));
        fail_unless (strstr (info.sdp, "m=video ") != NULL);
        fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_PENDING);
        fail_unless_equals_int (info.published,
            g_str_equal (m, "publishStream"));
        n_sdp++;
      } else {
        fail_unless (info.sdp == NULL);
      }
      if (g_str_equal (m, "notifyStreamStatusEvent")
          && info.status == GST_WCS_STREAM_STATUS_FAILED)
        fail_unless (info.info != NULL);
      gst_wcs_stream_info_clear (&info);
      n_streams++;

      /* our builder for the same request has the SDK's members, minus
       * the browser-only localMediaInfo */
      if (strcmp (f->dir, "c2s") == 0) {
        gchar *sdk = members_without (obj, "localMediaInfo");

        req.media_session_id = "x";
        req.name = "stream1";
        req.sdp = test_sdp;
        req.has_video = req.has_audio = TRUE;
        req.status = GST_WCS_STREAM_STATUS_PLAYING;
        if (g_str_equal (m, "publishStream"))
          text = gst_wcs_build_publish_stream (&req);
        else if (g_str_equal (m, "playStream"))
          text = gst_wcs_build_play_stream (&req);
        else if (g_str_equal (m, "unPublishStream"))
          text = gst_wcs_build_unpublish_stream (&req);
        else
          text = gst_wcs_build_stop_stream (&req);
        ours = parse_ok (text);
        assert_members (gst_wcs_message_get_object (ours, 0), sdk);
        gst_wcs_message_free (ours);
        g_free (text);
        g_free (sdk);
      }
    } else if (!strcmp (m, "setRemoteSDP")) {
      gchar *id = NULL, *sdp = NULL;

      fail_unless (gst_wcs_parse_set_remote_sdp (msg, &id, &sdp, &err),
          "%s", err ? err->message : "");
      fail_unless (g_str_has_prefix (sdp, "v=0\r\n"));
      fail_unless (strlen (id) > 0);
      g_free (id);
      g_free (sdp);
    } else if (!strcmp (m, "connection")) {
      /* same members as ours, except the page-only clientInfo */
      gchar *sdk = members_without (gst_wcs_message_get_object (msg, 0),
          "clientInfo");

      text = gst_wcs_build_connection ("defaultApp", NULL);
      ours = parse_ok (text);
      assert_members (gst_wcs_message_get_object (ours, 0), sdk);
      gst_wcs_message_free (ours);
      g_free (text);
      g_free (sdk);
    } else if (!strcmp (m, "pong")) {
      text = gst_wcs_build_pong ();
      fail_unless_equals_string (f->raw, text);
      g_free (text);
    } else if (!strcmp (m, "ping")) {
      /* the stub sent it: the server's shape */
      text = gst_wcs_build_server_ping ();
      fail_unless_equals_string (f->raw, text);
      g_free (text);
    } else if (!strcmp (m, "getUserData")) {
      fail_unless (gst_wcs_message_get_object (msg, 0) != NULL);
      fail_unless_equals_string (gst_wcs_json_get_string
          (gst_wcs_message_get_object (msg, 0), "status"), "ESTABLISHED");
    }
    gst_wcs_message_free (msg);
  }

  GST_INFO ("%u c2s, %u s2c frames, %u stream frames", n_c2s, n_s2c,
      n_streams);
  fail_unless (n_c2s > 30);
  fail_unless (n_s2c > 30);
  fail_unless (n_streams > 20);
  fail_unless (n_sdp >= 16);
  g_ptr_array_unref (frames);
}

GST_END_TEST;

/* Every prefix of a real frame either parses or fails cleanly */
GST_START_TEST (test_fixture_truncated)
{
  GPtrArray *frames = load_fixture_frames (NULL);
  guint i, len, n_ok = 0;
  const gchar *raw = NULL;

  for (i = 0; i < frames->len && raw == NULL; i++) {
    Frame *f = frames->pdata[i];

    if (g_str_has_prefix (f->raw, "{\"message\":\"notifyStreamStatusEvent\""))
      raw = f->raw;
  }
  fail_unless (raw != NULL);
  len = strlen (raw);
  for (i = 0; i < len; i++) {
    GError *err = NULL;
    GstWcsMessage *msg = gst_wcs_message_parse (raw, i, &err);

    if (msg) {
      n_ok++;
      gst_wcs_message_free (msg);
    } else {
      fail_unless (err != NULL);
      fail_unless (err->domain == GST_WCS_ERROR);
      g_error_free (err);
    }
  }
  /* no strict prefix of an object is a complete object */
  fail_unless_equals_int (n_ok, 0);
  g_ptr_array_unref (frames);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* malformed input                                                     */

static void
expect_parse_error (const gchar * text, gssize len, gint code)
{
  GError *err = NULL;
  GstWcsMessage *msg = gst_wcs_message_parse (text, len, &err);

  fail_unless (msg == NULL, "'%s' parsed", text ? text : "(null)");
  fail_unless (err != NULL);
  fail_unless (g_error_matches (err, GST_WCS_ERROR, code),
      "'%s': got %s %d (%s), expected code %d", text ? text : "(null)",
      g_quark_to_string (err->domain), err->code, err->message, code);
  fail_unless (err->message && *err->message);
  g_error_free (err);
}

GST_START_TEST (test_malformed_frames)
{
  static const gchar nul_frame[] = "{\"message\":\"ping\",\"data\":[]}\0x";
  static const gchar nul_inside[] = "{\"message\":\"pi\0ng\",\"data\":[]}";
  gchar *deep;
  GString *s;
  guint i;

  expect_parse_error (NULL, -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("", -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("   ", -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("not json", -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("{", -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("{\"message\":\"ping\",\"data\":[]", -1,
      GST_WCS_ERROR_PARSE);
  expect_parse_error ("{\"message\":\"ping\",\"data\":[]}}", -1,
      GST_WCS_ERROR_PARSE);
  expect_parse_error ("[{\"message\":\"ping\",\"data\":[]}]", -1,
      GST_WCS_ERROR_PARSE);
  expect_parse_error ("\"ping\"", -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("42", -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("null", -1, GST_WCS_ERROR_PARSE);
  expect_parse_error ("true", -1, GST_WCS_ERROR_PARSE);
  /* invalid UTF-8 */
  expect_parse_error ("{\"message\":\"\xff\xfe\",\"data\":[]}", -1,
      GST_WCS_ERROR_PARSE);
  /* json-glib decodes the (non-JSON) octal escape \371 to a lone 0xf9 */
  expect_parse_error ("{\"message\":\"setRemoteSDP\",\"data\":[\"id\","
      "\"v=0\\371\"]}", -1, GST_WCS_ERROR_PARSE);
  /* embedded NULs, seen thanks to len */
  expect_parse_error (nul_frame, sizeof (nul_frame) - 1, GST_WCS_ERROR_PARSE);
  expect_parse_error (nul_inside, sizeof (nul_inside) - 1,
      GST_WCS_ERROR_PARSE);

  /* deep nesting: refused, not a stack overflow */
  s = g_string_new ("{\"message\":\"x\",\"data\":");
  for (i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  for (i = 0; i < 100000; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, '}');
  deep = g_string_free (s, FALSE);
  expect_parse_error (deep, -1, GST_WCS_ERROR_PARSE);
  g_free (deep);

  /* the envelope */
  expect_parse_error ("{}", -1, GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"data\":[]}", -1, GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":null,\"data\":[]}", -1,
      GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":42,\"data\":[]}", -1,
      GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":[\"ping\"],\"data\":[]}", -1,
      GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":{},\"data\":[]}", -1,
      GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":\"ping\"}", -1, GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":\"ping\",\"data\":null}", -1,
      GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":\"ping\",\"data\":{}}", -1,
      GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":\"ping\",\"data\":\"[]\"}", -1,
      GST_WCS_ERROR_PROTOCOL);
  expect_parse_error ("{\"message\":\"ping\",\"data\":0}", -1,
      GST_WCS_ERROR_PROTOCOL);
}

GST_END_TEST;

GST_START_TEST (test_tolerated_frames)
{
  GstWcsMessage *msg;
  GstWcsStreamInfo info;
  GString *s;
  gchar *big;
  guint i;

  /* unknown message, extra members, odd data */
  msg = parse_ok ("{\"message\":\"getVersion\",\"data\":[],\"extra\":1}");
  fail_unless_equals_string (msg->message, "getVersion");
  fail_unless_equals_int (json_array_get_length (msg->data), 0);
  fail_unless (gst_wcs_message_get_object (msg, 0) == NULL);
  fail_unless (gst_wcs_message_get_string (msg, 0) == NULL);
  gst_wcs_message_free (msg);

  /* huge numbers, nested garbage */
  msg = parse_ok ("{\"data\":[1e999999,-123456789012345678901234567890,"
      "{\"a\":{\"b\":[[[[{\"c\":null}]]]]}},[true,false,\"\\u0000\"]],"
      "\"message\":\"notifyStreamStatusEvent\"}");
  fail_unless_equals_int (json_array_get_length (msg->data), 4);
  fail_unless (gst_wcs_message_get_object (msg, 0) == NULL);
  fail_unless (gst_wcs_message_get_object (msg, 2) != NULL);
  fail_unless (gst_wcs_message_get_string (msg, 2) == NULL);
  fail_unless (gst_wcs_message_get_object (msg, 4) == NULL);
  fail_unless (gst_wcs_message_get_object (msg, G_MAXUINT) == NULL);
  fail_if (gst_wcs_stream_info_parse (msg, &info, NULL));
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* len shorter than the text: only the first len bytes count */
  msg = gst_wcs_message_parse ("{\"message\":\"pong\",\"data\":[null]}garbage",
      32, NULL);
  fail_unless (msg != NULL);
  fail_unless_equals_string (msg->message, "pong");
  gst_wcs_message_free (msg);

  /* a large but sane frame (1 MB SDP) */
  s = g_string_new ("{\"message\":\"setRemoteSDP\",\"data\":[\"id\",\"v=0");
  for (i = 0; i < 100000; i++)
    g_string_append (s, "\\r\\na=x:1");
  g_string_append (s, "\"]}");
  big = g_string_free (s, FALSE);
  msg = parse_ok (big);
  fail_unless (gst_wcs_parse_set_remote_sdp (msg, NULL, NULL, NULL));
  gst_wcs_message_free (msg);
  g_free (big);
}

GST_END_TEST;

static void
expect_stream_info_error (const gchar * text)
{
  GstWcsMessage *msg = parse_ok (text);
  GstWcsStreamInfo info;
  GError *err = NULL;

  fail_if (gst_wcs_stream_info_parse (msg, &info, &err), "%s parsed", text);
  fail_unless (g_error_matches (err, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL),
      "%s: %s", text, err ? err->message : "no error");
  /* safe to clear after an error */
  fail_unless (info.media_session_id == NULL);
  gst_wcs_stream_info_clear (&info);
  g_error_free (err);
  gst_wcs_message_free (msg);
}

GST_START_TEST (test_stream_info_errors)
{
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[]}");
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[null]}");
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[\"id\"]}");
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[[{\"mediaSessionId\":\"a\"}]]}");
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[{\"status\":\"PUBLISHING\"}]}");
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[{\"mediaSessionId\":42,\"status\":\"PUBLISHING\"}]}");
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[{\"mediaSessionId\":\"\",\"status\":\"PUBLISHING\"}]}");
  expect_stream_info_error ("{\"message\":\"notifyStreamStatusEvent\","
      "\"data\":[{\"mediaSessionId\":null}]}");
  /* fail: keyed by id, and only StreamStatusEvent is about a stream */
  expect_stream_info_error ("{\"message\":\"fail\",\"data\":[{\"apiMethod\":"
      "\"StreamStatusEvent\",\"mediaSessionId\":\"a\",\"status\":\"FAILED\"}]}");
  expect_stream_info_error ("{\"message\":\"fail\",\"data\":[{\"apiMethod\":"
      "\"CallStatusEvent\",\"id\":\"a\",\"status\":\"FAILED\"}]}");
  expect_stream_info_error ("{\"message\":\"fail\",\"data\":[{\"id\":\"a\","
      "\"status\":\"FAILED\"}]}");
}

GST_END_TEST;

GST_START_TEST (test_stream_info_variants)
{
  GstWcsMessage *msg;
  GstWcsStreamInfo info;

  /* status-less notifyVideoFormat: ignored by the caller */
  msg = parse_ok ("{\"message\":\"notifyVideoFormat\",\"data\":[{"
      "\"mediaSessionId\":\"v1\",\"name\":\"cam\",\"width\":640}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_string (info.media_session_id, "v1");
  fail_if (info.has_status);
  fail_unless (info.status_str == NULL);
  fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_UNKNOWN);
  fail_if (info.published);
  fail_unless (info.has_video && info.has_audio);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* status of the wrong type or null is no status */
  msg = parse_ok ("{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"v1\",\"status\":7,\"published\":\"yes\","
      "\"name\":3,\"info\":{}}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_if (info.has_status);
  fail_if (info.published);
  fail_unless (info.name == NULL);
  fail_unless (info.info == NULL);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);
  msg = parse_ok ("{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"v1\",\"status\":null}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_if (info.has_status);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* unknown status text: kept verbatim, enum UNKNOWN; empty info is NULL */
  msg = parse_ok ("{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"v1\",\"status\":\"WARMING_UP\",\"info\":\"\","
      "\"published\":true,\"hasVideo\":false}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless (info.has_status);
  fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_UNKNOWN);
  fail_unless_equals_string (info.status_str, "WARMING_UP");
  fail_unless (info.info == NULL);
  fail_unless (info.published);
  fail_if (info.has_video);
  fail_unless (info.has_audio);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* an empty sdp is no sdp */
  msg = parse_ok ("{\"message\":\"publishStream\",\"data\":[{"
      "\"mediaSessionId\":\"p1\",\"name\":\"cam\",\"sdp\":\"\"}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless (info.sdp == NULL);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* fail{apiMethod:StreamStatusEvent} keyed by id */
  msg = parse_ok ("{\"message\":\"fail\",\"data\":[{\"apiMethod\":"
      "\"StreamStatusEvent\",\"id\":\"f1\",\"status\":\"FAILED\","
      "\"info\":\"Restricted access\"}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_string (info.media_session_id, "f1");
  fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_FAILED);
  fail_unless_equals_string (info.info, GST_WCS_INFO_RESTRICTED_ACCESS);
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* deprecated event-like statuses */
  msg = parse_ok ("{\"message\":\"notifyStreamStatusEvent\",\"data\":[{"
      "\"mediaSessionId\":\"v1\",\"status\":\"RESIZE\","
      "\"streamerVideoWidth\":1280}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_int (info.status, GST_WCS_STREAM_STATUS_RESIZE);
  fail_if (gst_wcs_stream_status_changes_status (info.status));
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);

  /* availableStream reply keyed by id */
  msg = parse_ok ("{\"message\":\"availableStream\",\"data\":[{\"id\":\"a1\","
      "\"status\":\"false\",\"info\":\"Stream not found\"}]}");
  fail_unless (gst_wcs_stream_info_parse (msg, &info, NULL));
  fail_unless_equals_string (info.media_session_id, "a1");
  fail_unless_equals_string (info.status_str, "false");
  fail_unless_equals_string (info.info, "Stream not found");
  gst_wcs_stream_info_clear (&info);
  gst_wcs_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_set_remote_sdp_errors)
{
  static const gchar *bad[] = {
    "{\"message\":\"setRemoteSDP\",\"data\":[]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[\"id\"]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[\"id\",null]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[\"id\",42]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[\"id\",\"\"]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[42,\"v=0\"]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[\"\",\"v=0\"]}",
    "{\"message\":\"setRemoteSDP\",\"data\":[{\"id\":\"x\"},\"v=0\"]}",
  };
  GstWcsMessage *msg;
  gchar *id, *sdp;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *err = NULL;

    id = sdp = (gchar *) "untouched";
    msg = parse_ok (bad[i]);
    fail_if (gst_wcs_parse_set_remote_sdp (msg, &id, &sdp, &err), "%s",
        bad[i]);
    fail_unless (g_error_matches (err, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL));
    fail_unless_equals_string (id, "untouched");
    fail_unless_equals_string (sdp, "untouched");
    g_error_free (err);
    gst_wcs_message_free (msg);
  }

  /* a third element (initiator flag) is ignored */
  msg = parse_ok ("{\"message\":\"setRemoteSDP\",\"data\":[\"id\",\"v=0\","
      "true]}");
  fail_unless (gst_wcs_parse_set_remote_sdp (msg, &id, &sdp, NULL));
  fail_unless_equals_string (id, "id");
  fail_unless_equals_string (sdp, "v=0");
  g_free (id);
  g_free (sdp);
  gst_wcs_message_free (msg);
}

GST_END_TEST;

/* the availability reply: the string "true" only, id (or mediaSessionId),
 * info; no id or no object is an error and touches nothing */
GST_START_TEST (test_available_stream_reply)
{
  static const struct
  {
    const gchar *text;
    const gchar *id;
    gboolean available;
    const gchar *info;
  } good[] = {
    {"{\"message\":\"availableStream\",\"data\":[{\"id\":\"a1\","
          "\"status\":\"true\"}]}", "a1", TRUE, NULL},
    {"{\"message\":\"availableStream\",\"data\":[{\"id\":\"a2\","
          "\"status\":\"false\",\"info\":\"Stream not found\"}]}", "a2", FALSE,
        "Stream not found"},
    /* a JSON boolean is not the string the SDK compares with */
    {"{\"message\":\"availableStream\",\"data\":[{\"id\":\"a3\","
          "\"status\":true}]}", "a3", FALSE, NULL},
    {"{\"message\":\"availableStream\",\"data\":[{\"id\":\"a4\"}]}", "a4",
        FALSE, NULL},
    {"{\"message\":\"availableStream\",\"data\":[{\"mediaSessionId\":\"a5\","
          "\"status\":\"true\",\"info\":\"\"}]}", "a5", TRUE, NULL},
  };
  static const gchar *bad[] = {
    "{\"message\":\"availableStream\",\"data\":[]}",
    "{\"message\":\"availableStream\",\"data\":[\"a1\"]}",
    "{\"message\":\"availableStream\",\"data\":[{\"status\":\"true\"}]}",
    "{\"message\":\"availableStream\",\"data\":[{\"id\":\"\"}]}",
    "{\"message\":\"availableStream\",\"data\":[{\"id\":42}]}",
  };
  GstWcsMessage *msg;
  gchar *id, *info;
  gboolean available;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (good); i++) {
    id = info = NULL;
    available = !good[i].available;
    msg = parse_ok (good[i].text);
    fail_unless (gst_wcs_parse_available_stream (msg, &id, &available, &info,
            NULL), "%s", good[i].text);
    fail_unless_equals_string (id, good[i].id);
    fail_unless_equals_int (available, good[i].available);
    fail_unless_equals_string (info, good[i].info);
    g_free (id);
    g_free (info);
    gst_wcs_message_free (msg);
  }
  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *err = NULL;

    id = info = (gchar *) "untouched";
    msg = parse_ok (bad[i]);
    fail_if (gst_wcs_parse_available_stream (msg, &id, &available, &info,
            &err), "%s", bad[i]);
    fail_unless (g_error_matches (err, GST_WCS_ERROR, GST_WCS_ERROR_PROTOCOL));
    fail_unless_equals_string (id, "untouched");
    fail_unless_equals_string (info, "untouched");
    g_error_free (err);
    gst_wcs_message_free (msg);
  }
  /* what we build, we read */
  {
    gchar *frame = gst_wcs_build_available_stream_reply ("b1", TRUE, NULL);

    msg = parse_ok (frame);
    fail_unless (gst_wcs_parse_available_stream (msg, &id, &available, NULL,
            NULL));
    fail_unless_equals_string (id, "b1");
    fail_unless (available);
    g_free (id);
    gst_wcs_message_free (msg);
    g_free (frame);
  }
}

GST_END_TEST;

GST_START_TEST (test_json_readers)
{
  GstWcsMessage *msg = parse_ok ("{\"message\":\"m\",\"data\":[{\"s\":\"x\","
      "\"b\":true,\"f\":false,\"n\":1,\"z\":null,\"o\":{},\"a\":[]},\"str\"]}");
  JsonObject *obj = gst_wcs_message_get_object (msg, 0);

  fail_unless (obj != NULL);
  fail_unless_equals_string (gst_wcs_message_get_string (msg, 1), "str");
  fail_unless (gst_wcs_message_get_object (msg, 1) == NULL);
  fail_unless (gst_wcs_message_get_string (msg, 0) == NULL);
  fail_unless (gst_wcs_message_get_string (msg, 2) == NULL);

  fail_unless_equals_string (gst_wcs_json_get_string (obj, "s"), "x");
  fail_unless (gst_wcs_json_get_string (obj, "b") == NULL);
  fail_unless (gst_wcs_json_get_string (obj, "n") == NULL);
  fail_unless (gst_wcs_json_get_string (obj, "z") == NULL);
  fail_unless (gst_wcs_json_get_string (obj, "o") == NULL);
  fail_unless (gst_wcs_json_get_string (obj, "missing") == NULL);
  fail_unless (gst_wcs_json_get_string (NULL, "s") == NULL);

  fail_unless (gst_wcs_json_get_boolean (obj, "b", FALSE));
  fail_if (gst_wcs_json_get_boolean (obj, "f", TRUE));
  fail_unless (gst_wcs_json_get_boolean (obj, "n", TRUE));
  fail_if (gst_wcs_json_get_boolean (obj, "s", FALSE));
  fail_unless (gst_wcs_json_get_boolean (obj, "z", TRUE));
  fail_unless (gst_wcs_json_get_boolean (obj, "a", TRUE));
  fail_unless (gst_wcs_json_get_boolean (obj, "missing", TRUE));
  fail_unless (gst_wcs_json_get_boolean (NULL, "b", TRUE));
  fail_if (gst_wcs_json_get_boolean (NULL, "b", FALSE));

  gst_wcs_message_free (msg);
  gst_wcs_message_free (NULL);
}

GST_END_TEST;

/* JSON has no infinity: 1e999 parses to inf in json-glib and must not be
 * echoed as "inf" (found by fuzzing) */
GST_START_TEST (test_non_finite_numbers)
{
  GstWcsMessage *msg, *back;
  GstStructure *s;
  JsonObject *obj;
  gchar *text;

  msg = parse_ok ("{\"message\":\"connection\",\"data\":[{\"appKey\":\"a\","
      "\"big\":1e999,\"neg\":-1e999,\"list\":[1e999,2],\"ok\":1.5}]}");
  text = gst_wcs_build_get_user_data (gst_wcs_message_get_object (msg, 0),
      "t");
  back = parse_ok (text);
  obj = gst_wcs_message_get_object (back, 0);
  assert_members (obj, "appKey,big,neg,list,ok,authToken,status");
  fail_unless (json_object_get_null_member (obj, "big"));
  fail_unless (json_object_get_null_member (obj, "neg"));
  fail_unless (json_array_get_null_element (json_object_get_array_member (obj,
              "list"), 0));
  fail_unless (json_object_get_double_member (obj, "ok") == 1.5);
  gst_wcs_message_free (back);
  g_free (text);

  /* a sealed node from the parser as a generic payload */
  text = gst_wcs_build_message ("echo",
      json_node_ref (json_array_get_element (msg->data, 0)));
  back = parse_ok (text);
  fail_unless (json_object_get_null_member (gst_wcs_message_get_object (back,
              0), "big"));
  gst_wcs_message_free (back);
  g_free (text);
  gst_wcs_message_free (msg);

  s = gst_structure_new ("c", "inf", G_TYPE_DOUBLE, INFINITY, "nan",
      G_TYPE_DOUBLE, NAN, NULL);
  text = gst_wcs_build_connection (NULL, s);
  back = parse_ok (text);
  obj = json_object_get_object_member (gst_wcs_message_get_object (back, 0),
      "custom");
  fail_unless (json_object_get_null_member (obj, "inf"));
  fail_unless (json_object_get_null_member (obj, "nan"));
  gst_wcs_message_free (back);
  g_free (text);
  gst_structure_free (s);
}

GST_END_TEST;

static Suite *
wcs_protocol_suite (void)
{
  Suite *s = suite_create ("wcs-protocol");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_stream_status_strings);
  tcase_add_test (tc, test_session_status_strings);
  tcase_add_test (tc, test_stream_status_classes);
  tcase_add_test (tc, test_build_keepalive);
  tcase_add_test (tc, test_build_connection);
  tcase_add_test (tc, test_build_publish_play);
  tcase_add_test (tc, test_build_transport);
  tcase_add_test (tc, test_build_unpublish_stop);
  tcase_add_test (tc, test_build_server_messages);
  tcase_add_test (tc, test_structure_to_json);
  tcase_add_test (tc, test_media_session_id);
  tcase_add_test (tc, test_fixture_frames);
  tcase_add_test (tc, test_fixture_truncated);
  tcase_add_test (tc, test_malformed_frames);
  tcase_add_test (tc, test_tolerated_frames);
  tcase_add_test (tc, test_stream_info_errors);
  tcase_add_test (tc, test_stream_info_variants);
  tcase_add_test (tc, test_available_stream_reply);
  tcase_add_test (tc, test_set_remote_sdp_errors);
  tcase_add_test (tc, test_json_readers);
  tcase_add_test (tc, test_non_finite_numbers);
  return s;
}

WCS_CHECK_MAIN (wcs_protocol);
