/* gst-wcs: tests for the SDP helpers (gstwcssdp.h)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inputs are the real chromium offers captured from the official SDK
 * (tests/fixtures/sdk-transcripts) plus small hand-made SDPs for the corner
 * cases the SDK gets wrong (docs/protocol.md 6.5).
 */
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "gstwcsprotocol.h"
#include "gstwcssdp.h"
#include "wcstestutil.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static gchar *
fixture_path (const gchar * file)
{
  const gchar *dir = g_getenv ("WCS_FIXTURES");

  if (dir)
    return g_build_filename (dir, "sdk-transcripts", file, NULL);
  return g_build_filename (WCS_TEST_SOURCE_DIR, "..", "fixtures",
      "sdk-transcripts", file, NULL);
}

/* The data[0].sdp (or data[1] for setRemoteSDP) of the @nth frame named
 * @message in direction @dir of fixture @file. */
static gchar *
fixture_sdp (const gchar * file, const gchar * dir, const gchar * message,
    guint nth)
{
  gchar *path = fixture_path (file), *contents = NULL, **lines, *ret = NULL;
  GError *err = NULL;
  guint i;

  fail_unless (g_file_get_contents (path, &contents, NULL, &err),
      "cannot read %s: %s", path, err ? err->message : "");
  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] && ret == NULL; i++) {
    JsonParser *p = json_parser_new ();
    JsonObject *rec;

    if (*lines[i] == '\0' || !json_parser_load_from_data (p, lines[i], -1,
            NULL)) {
      g_object_unref (p);
      continue;
    }
    rec = json_node_get_object (json_parser_get_root (p));
    if (g_strcmp0 (json_object_get_string_member_with_default (rec, "dir",
                ""), dir) == 0) {
      const gchar *raw = json_object_get_string_member (rec, "raw");
      GstWcsMessage *msg = gst_wcs_message_parse (raw, -1, &err);

      fail_unless (msg != NULL, "%s", err ? err->message : "");
      if (strcmp (msg->message, message) == 0 && nth-- == 0) {
        if (strcmp (message, "setRemoteSDP") == 0)
          ret = g_strdup (gst_wcs_message_get_string (msg, 1));
        else
          ret = g_strdup (gst_wcs_json_get_string (gst_wcs_message_get_object
                  (msg, 0), "sdp"));
      }
      gst_wcs_message_free (msg);
    }
    g_object_unref (p);
  }
  g_strfreev (lines);
  g_free (contents);
  g_free (path);
  fail_unless (ret != NULL, "no %s frame in %s", message, file);
  return ret;
}

static GstSDPMessage *
sdp_from_text (const gchar * text)
{
  GstSDPMessage *msg;

  fail_unless_equals_int (gst_sdp_message_new_from_text (text, &msg),
      GST_SDP_OK);
  return msg;
}

static GstSDPMessage *
chromium_publish_offer (void)
{
  gchar *text = fixture_sdp ("sar-bitrate-fallback.jsonl", "c2s",
      "publishStream", 0);
  GstSDPMessage *msg = sdp_from_text (text);

  g_free (text);
  return msg;
}

static const GstSDPMedia *
media_of (const GstSDPMessage * msg, const gchar * kind)
{
  guint i;

  for (i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);

    if (g_strcmp0 (gst_sdp_media_get_media (m), kind) == 0)
      return m;
  }
  fail ("no %s m-section", kind);
  return NULL;
}

/* The m= line formats joined with spaces */
static gchar *
formats_of (const GstSDPMedia * m)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < gst_sdp_media_formats_len (m); i++) {
    if (i)
      g_string_append_c (s, ' ');
    g_string_append (s, gst_sdp_media_get_format (m, i));
  }
  return g_string_free (s, FALSE);
}

/* Number of a=rtpmap/fmtp/rtcp-fb attributes for payload @pt */
static guint
pt_attributes (const GstSDPMedia * m, guint pt)
{
  guint i, n = 0;
  gchar *prefix = g_strdup_printf ("%u", pt);
  gsize plen = strlen (prefix);

  for (i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);

    if (g_strcmp0 (a->key, "rtpmap") && g_strcmp0 (a->key, "fmtp") &&
        g_strcmp0 (a->key, "rtcp-fb"))
      continue;
    if (a->value && strncmp (a->value, prefix, plen) == 0 &&
        (a->value[plen] == ' ' || a->value[plen] == '\0'))
      n++;
  }
  g_free (prefix);
  return n;
}

static gchar *
media_text (const GstSDPMedia * m)
{
  return gst_sdp_media_as_text (m);
}

/* Every \n of @text is preceded by \r */
static void
assert_crlf (const gchar * text)
{
  const gchar *p;

  fail_unless (strstr (text, "\r\n") != NULL);
  for (p = strchr (text, '\n'); p; p = strchr (p + 1, '\n'))
    fail_unless (p > text && p[-1] == '\r', "bare LF at offset %d",
        (gint) (p - text));
}

static void
assert_line (const gchar * text, const gchar * line)
{
  gchar *needle = g_strdup_printf ("%s\r\n", line);

  fail_unless (strstr (text, needle) != NULL, "missing line '%s' in:\n%s",
      line, text);
  g_free (needle);
}

static void
assert_no_line (const gchar * text, const gchar * line)
{
  gchar *needle = g_strdup_printf ("\n%s\r\n", line);

  fail_unless (strstr (text, needle) == NULL, "unexpected line '%s'", line);
  g_free (needle);
}

/* ------------------------------------------------------------------ */
/* strip on the real chromium offer                                    */

static const guint h264_pts[] = { 102, 104, 108, 114, 116, 39 };
static const guint h264_rtx_pts[] = { 103, 107, 109, 115, 117, 40 };

GST_START_TEST (test_strip_h264_chromium_offer)
{
  GstSDPMessage *msg = chromium_publish_offer ();
  gchar *audio_before = media_text (media_of (msg, "audio"));
  gchar *audio_after, *text, *formats, *orig_text;
  const GstSDPMedia *video;
  GError *err = NULL;
  guint removed = 999, i;

  orig_text = gst_sdp_message_as_text (msg);
  /* the fixture is what we think it is */
  fail_unless (strstr (orig_text, "a=rtpmap:102 H264/90000\r\n") != NULL);
  fail_unless (strstr (orig_text, "a=fmtp:103 apt=102\r\n") != NULL);

  fail_unless (gst_wcs_sdp_strip_codec (msg, "H264", &removed, &err));
  fail_unless (err == NULL);
  fail_unless_equals_int (removed, 12);

  video = media_of (msg, "video");
  formats = formats_of (video);
  fail_unless_equals_string (formats, "96 97 45 46 98 99 100 101 118 119 120");
  g_free (formats);

  for (i = 0; i < G_N_ELEMENTS (h264_pts); i++) {
    fail_unless_equals_int (pt_attributes (video, h264_pts[i]), 0);
    fail_unless_equals_int (pt_attributes (video, h264_rtx_pts[i]), 0);
  }
  /* VP8 and its rtx kept with all their lines: rtpmap + 5 rtcp-fb, rtpmap + fmtp */
  fail_unless_equals_int (pt_attributes (video, 96), 6);
  fail_unless_equals_int (pt_attributes (video, 97), 2);
  /* RED/ULPFEC are generic, they do not belong to H264 */
  fail_unless_equals_int (pt_attributes (video, 118), 1);
  fail_unless_equals_int (pt_attributes (video, 119), 2);
  fail_unless_equals_int (pt_attributes (video, 120), 1);

  text = gst_sdp_message_as_text (msg);
  assert_crlf (text);
  fail_unless (strstr (text, "H264") == NULL);
  fail_unless (strstr (text, "apt=102") == NULL);
  assert_line (text, "a=rtpmap:96 VP8/90000");
  assert_line (text, "a=fmtp:97 apt=96");
  assert_line (text, "a=rtcp-fb:96 nack pli");
  /* other attributes survive (ssrc FID group, extmaps, direction) */
  assert_line (text, "a=sendonly");
  assert_line (text, "a=extmap:13 urn:3gpp:video-orientation");
  fail_unless (strstr (text, "a=ssrc-group:FID ") != NULL);

  audio_after = media_text (media_of (msg, "audio"));
  fail_unless_equals_string (audio_after, audio_before);

  /* stripping again is a no-op */
  fail_unless (gst_wcs_sdp_strip_codec (msg, "h264", &removed, NULL));
  fail_unless_equals_int (removed, 0);

  g_free (orig_text);
  g_free (text);
  g_free (audio_before);
  g_free (audio_after);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* The SDK's own fallback offer (second publishStream of the same run) is the
 * same offer with H264 stripped its way: it kept the rtx of the H264
 * payloads. Ours is exactly that minus those dangling rtx payloads. */
GST_START_TEST (test_strip_h264_vs_sdk_fallback)
{
  GstSDPMessage *ours = chromium_publish_offer ();
  gchar *sdk_text = fixture_sdp ("sar-bitrate-fallback.jsonl", "c2s",
      "publishStream", 1);
  GstSDPMessage *sdk = sdp_from_text (sdk_text);
  const GstSDPMedia *sdk_video = media_of (sdk, "video");
  gchar *sdk_formats = formats_of (sdk_video), *our_formats;
  GString *expected = g_string_new (NULL);
  guint i, j;

  fail_unless (gst_wcs_sdp_strip_codec (ours, "H264", NULL, NULL));
  our_formats = formats_of (media_of (ours, "video"));

  /* the SDK left the rtx payloads and their "apt=<gone>" lines */
  fail_unless (strstr (sdk_text, "a=fmtp:103 apt=102\r\n") != NULL);
  for (i = 0; i < gst_sdp_media_formats_len (sdk_video); i++) {
    guint pt = (guint) atoi (gst_sdp_media_get_format (sdk_video, i));
    gboolean dangling = FALSE;

    for (j = 0; j < G_N_ELEMENTS (h264_rtx_pts); j++)
      dangling |= (pt == h264_rtx_pts[j]);
    if (dangling)
      continue;
    if (expected->len)
      g_string_append_c (expected, ' ');
    g_string_append (expected, gst_sdp_media_get_format (sdk_video, i));
  }
  fail_unless_equals_string (our_formats, expected->str);

  g_string_free (expected, TRUE);
  g_free (our_formats);
  g_free (sdk_formats);
  g_free (sdk_text);
  gst_sdp_message_free (sdk);
  gst_sdp_message_free (ours);
}

GST_END_TEST;

GST_START_TEST (test_strip_play_offer)
{
  gchar *text = fixture_sdp ("sar-stub-default.jsonl", "c2s", "playStream", 0);
  GstSDPMessage *msg = sdp_from_text (text);
  const GstSDPMedia *video;
  gchar *formats, *out;
  guint removed = 0;

  fail_unless (gst_wcs_sdp_strip_codec (msg, "VP9", &removed, NULL));
  /* 98 100 35 37 + rtx 99 101 36 38 */
  fail_unless_equals_int (removed, 8);
  video = media_of (msg, "video");
  formats = formats_of (video);
  fail_unless (strstr (formats, "96 97 102 103") == formats);
  fail_unless_equals_int (pt_attributes (video, 35), 0);
  fail_unless_equals_int (pt_attributes (video, 36), 0);
  fail_unless_equals_int (pt_attributes (video, 96), 6);
  out = gst_sdp_message_as_text (msg);
  assert_crlf (out);
  assert_line (out, "a=recvonly");
  fail_unless (strstr (out, "VP9") == NULL);

  g_free (out);
  g_free (formats);
  g_free (text);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* the last codec                                                      */

static const gchar vp8_only_offer[] =
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 118 119 120\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:118 red/90000\r\n"
    "a=rtpmap:119 rtx/90000\r\n"
    "a=fmtp:119 apt=118\r\n" "a=rtpmap:120 ulpfec/90000\r\n";

GST_START_TEST (test_strip_vp8_only_offer)
{
  GstSDPMessage *msg = sdp_from_text (vp8_only_offer);
  gchar *before = gst_sdp_message_as_text (msg), *after;
  GError *err = NULL;
  guint removed = 42;

  /* not present: success, nothing removed, nothing changed */
  fail_unless (gst_wcs_sdp_strip_codec (msg, "H264", &removed, &err));
  fail_unless (err == NULL);
  fail_unless_equals_int (removed, 0);
  after = gst_sdp_message_as_text (msg);
  fail_unless_equals_string (after, before);
  g_free (after);

  /* the last media codec: refused, message untouched (RED/RTX/FEC alone
   * cannot carry video) */
  fail_if (gst_wcs_sdp_strip_codec (msg, "VP8", &removed, &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT), "%s", err ? err->message : "");
  fail_unless (strstr (err->message, "VP8") != NULL, "%s", err->message);
  g_clear_error (&err);
  after = gst_sdp_message_as_text (msg);
  fail_unless_equals_string (after, before);
  g_free (after);

  /* same through the csv entry point */
  fail_if (gst_wcs_sdp_strip_codecs (msg, "vp8", &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
  after = gst_sdp_message_as_text (msg);
  fail_unless_equals_string (after, before);
  g_free (after);

  g_free (before);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_strip_last_audio_codecs_atomic)
{
  GstSDPMessage *msg = chromium_publish_offer ();
  gchar *before = gst_sdp_message_as_text (msg), *after;
  GError *err = NULL;

  /* leaves only CN + telephone-event in audio (red 63 goes with opus) */
  fail_if (gst_wcs_sdp_strip_codecs (msg, "opus,G722,PCMU,PCMA", &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);
  after = gst_sdp_message_as_text (msg);
  fail_unless_equals_string (after, before);
  g_free (after);

  /* each of these alone would be fine, all together empty the video
   * section: nothing at all may change */
  fail_if (gst_wcs_sdp_strip_codecs (msg, "H264,VP8,AV1,VP9", &err));
  fail_unless (err != NULL);
  g_clear_error (&err);
  after = gst_sdp_message_as_text (msg);
  fail_unless_equals_string (after, before);
  g_free (after);

  g_free (before);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* exact matching                                                      */

static const gchar prefix_trap_offer[] =
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 96 97 9 98 99\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=fmtp:96 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:97 red/48000/2\r\n"
    "a=fmtp:97 96/96\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtcp-fb:9 nack\r\n"
    "a=fmtp:9 bitrate=64000\r\n"
    "a=rtpmap:98 telephone-event/48000\r\n"
    "a=fmtp:98 0-15\r\n"
    "a=rtpmap:99 PCMA/8000\r\n";

GST_START_TEST (test_strip_prefix_trap)
{
  GstSDPMessage *msg = sdp_from_text (prefix_trap_offer);
  const GstSDPMedia *audio;
  gchar *text, *formats;
  guint removed = 0;

  fail_unless (gst_wcs_sdp_strip_codec (msg, "G722", &removed, NULL));
  fail_unless_equals_int (removed, 1);
  audio = media_of (msg, "audio");
  formats = formats_of (audio);
  fail_unless_equals_string (formats, "96 97 98 99");
  g_free (formats);
  fail_unless_equals_int (pt_attributes (audio, 9), 0);
  fail_unless_equals_int (pt_attributes (audio, 96), 3);
  fail_unless_equals_int (pt_attributes (audio, 97), 2);
  fail_unless_equals_int (pt_attributes (audio, 98), 2);
  fail_unless_equals_int (pt_attributes (audio, 99), 1);

  text = gst_sdp_message_as_text (msg);
  assert_crlf (text);
  assert_line (text, "m=audio 9 UDP/TLS/RTP/SAVPF 96 97 98 99");
  assert_line (text, "a=rtcp-fb:96 transport-cc");
  assert_line (text, "a=fmtp:97 96/96");
  assert_no_line (text, "a=rtpmap:9 G722/8000");
  g_free (text);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* Removing the last token of the m= line keeps a clean CRLF line (SDK
 * defect 6.5.3) and the prefix trap on the real offer leaves video alone. */
GST_START_TEST (test_strip_g722_chromium_offer)
{
  GstSDPMessage *msg = chromium_publish_offer ();
  gchar *video_before = media_text (media_of (msg, "video"));
  gchar *video_after, *text;
  guint removed = 0;

  fail_unless (gst_wcs_sdp_strip_codec (msg, "G722", &removed, NULL));
  fail_unless_equals_int (removed, 1);
  video_after = media_text (media_of (msg, "video"));
  fail_unless_equals_string (video_after, video_before);
  text = gst_sdp_message_as_text (msg);
  assert_line (text, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 0 8 13 110 126");

  /* telephone-event 126 is the last token */
  fail_unless (gst_wcs_sdp_strip_codec (msg, "telephone-event", &removed,
          NULL));
  fail_unless_equals_int (removed, 2);
  g_free (text);
  text = gst_sdp_message_as_text (msg);
  assert_crlf (text);
  assert_line (text, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 0 8 13");
  fail_unless (strstr (text, " \r\n") == NULL);

  g_free (text);
  g_free (video_before);
  g_free (video_after);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_strip_exact_name)
{
  GstSDPMessage *msg = chromium_publish_offer ();
  guint removed = 7;

  /* substrings of names never match: "PCM", "H26", "VP" */
  fail_unless (gst_wcs_sdp_strip_codec (msg, "PCM", &removed, NULL));
  fail_unless_equals_int (removed, 0);
  fail_unless (gst_wcs_sdp_strip_codec (msg, "H26", &removed, NULL));
  fail_unless_equals_int (removed, 0);
  fail_unless (gst_wcs_sdp_strip_codec (msg, "VP", &removed, NULL));
  fail_unless_equals_int (removed, 0);
  /* a regex would match everything; a name never does */
  fail_unless (gst_wcs_sdp_strip_codec (msg, ".*", &removed, NULL));
  fail_unless_equals_int (removed, 0);
  fail_unless_equals_int (gst_sdp_media_formats_len (media_of (msg, "audio")),
      8);

  gst_sdp_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_strip_opus_takes_red)
{
  GstSDPMessage *msg = chromium_publish_offer ();
  const GstSDPMedia *audio;
  gchar *formats;
  guint removed = 0;

  fail_unless (gst_wcs_sdp_strip_codec (msg, "OPUS", &removed, NULL));
  /* opus 111 and red 63 (fmtp 111/111) */
  fail_unless_equals_int (removed, 2);
  audio = media_of (msg, "audio");
  formats = formats_of (audio);
  fail_unless_equals_string (formats, "9 0 8 13 110 126");
  fail_unless_equals_int (pt_attributes (audio, 63), 0);
  fail_unless_equals_int (pt_attributes (audio, 111), 0);
  g_free (formats);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* RED that protects VP8, and the rtx of that RED, go with VP8; a generic
 * ULPFEC stays. The payload mapping is per m-section. */
static const gchar two_video_offer[] =
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 100 118 119 120\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96;rtx-time=3000\r\n"
    "a=rtpmap:100 H264/90000\r\n"
    "a=fmtp:100 packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:118 red/90000\r\n"
    "a=fmtp:118 96/96\r\n"
    "a=rtpmap:119 rtx/90000\r\n"
    "a=fmtp:119 apt=118\r\n"
    "a=rtpmap:120 ulpfec/90000\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 100 101 102\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:1\r\n"
    "a=rtpmap:100 VP8/90000\r\n"
    "a=rtcp-fb:100 nack\r\n"
    "a=rtpmap:101 rtx/90000\r\n"
    "a=fmtp:101 apt=100\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 nack\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n" "a=mid:2\r\n" "a=sctp-port:5000\r\n";

GST_START_TEST (test_strip_per_section_and_red_chain)
{
  GstSDPMessage *msg = sdp_from_text (two_video_offer);
  const GstSDPMedia *m0, *m1;
  gchar *f0, *f1, *text;
  guint removed = 0;

  fail_unless (gst_wcs_sdp_strip_codec (msg, "VP8", &removed, NULL));
  /* section 0: 96, 97 (apt=96), 118 (red 96/96), 119 (apt=118);
   * section 1: 100, 101 (apt=100) */
  fail_unless_equals_int (removed, 6);
  m0 = gst_sdp_message_get_media (msg, 0);
  m1 = gst_sdp_message_get_media (msg, 1);
  f0 = formats_of (m0);
  f1 = formats_of (m1);
  fail_unless_equals_string (f0, "100 120");
  fail_unless_equals_string (f1, "102");
  /* PT 100 is H264 in section 0 and must survive there */
  fail_unless_equals_int (pt_attributes (m0, 100), 2);
  fail_unless_equals_int (pt_attributes (m1, 100), 0);
  fail_unless_equals_int (pt_attributes (m1, 102), 2);
  fail_unless_equals_int (gst_sdp_media_formats_len
      (gst_sdp_message_get_media (msg, 2)), 1);
  text = gst_sdp_message_as_text (msg);
  assert_crlf (text);
  assert_line (text, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");

  g_free (text);
  g_free (f0);
  g_free (f1);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_strip_static_payloads)
{
  GstSDPMessage *msg = sdp_from_text ("v=0\r\n"
      "o=- 1 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n" "m=audio 5004 RTP/AVP 0 8 9\r\n" "c=IN IP4 127.0.0.1\r\n");
  gchar *formats;
  guint removed = 0;

  fail_unless (gst_wcs_sdp_strip_codec (msg, "pcma", &removed, NULL));
  fail_unless_equals_int (removed, 1);
  formats = formats_of (gst_sdp_message_get_media (msg, 0));
  fail_unless_equals_string (formats, "0 9");
  g_free (formats);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* csv                                                                 */

GST_START_TEST (test_strip_codecs_csv)
{
  GstSDPMessage *msg = chromium_publish_offer ();
  gchar *before = gst_sdp_message_as_text (msg), *after, *formats;
  GError *err = NULL;

  /* nothing to do */
  fail_unless (gst_wcs_sdp_strip_codecs (msg, NULL, &err));
  fail_unless (gst_wcs_sdp_strip_codecs (msg, "", &err));
  fail_unless (gst_wcs_sdp_strip_codecs (msg, " , ,, ", &err));
  fail_unless (gst_wcs_sdp_strip_codecs (msg, "MPEG4-GENERIC", &err));
  fail_unless (err == NULL);
  after = gst_sdp_message_as_text (msg);
  fail_unless_equals_string (after, before);
  g_free (after);

  fail_unless (gst_wcs_sdp_strip_codecs (msg, " h264 , pcma ,,G722\t", &err));
  fail_unless (err == NULL);
  formats = formats_of (media_of (msg, "audio"));
  fail_unless_equals_string (formats, "111 63 0 13 110 126");
  g_free (formats);
  formats = formats_of (media_of (msg, "video"));
  fail_unless_equals_string (formats, "96 97 45 46 98 99 100 101 118 119 120");
  g_free (formats);

  g_free (before);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_strip_bad_arguments)
{
  GstSDPMessage *msg = sdp_from_text (vp8_only_offer);
  GError *err = NULL;
  guint removed = 5;

  fail_if (gst_wcs_sdp_strip_codec (msg, "", &removed, &err));
  fail_unless (g_error_matches (err, GST_WCS_ERROR,
          GST_WCS_ERROR_INVALID_ARGUMENT));
  fail_unless_equals_int (removed, 0);
  g_clear_error (&err);
  fail_if (gst_wcs_sdp_strip_codec (msg, "  ", NULL, &err));
  fail_unless (err != NULL);
  g_clear_error (&err);
  fail_if (gst_wcs_sdp_strip_codec (msg, NULL, NULL, &err));
  fail_unless (err != NULL);
  g_clear_error (&err);
  fail_unless_equals_int (gst_sdp_media_formats_len
      (gst_sdp_message_get_media (msg, 0)), 5);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* garbage attributes never crash and do not confuse the matching */
GST_START_TEST (test_strip_garbage_attributes)
{
  GstSDPMessage *msg = sdp_from_text ("v=0\r\n"
      "o=- 1 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 abc 99999999999 102\r\n"
      "a=rtpmap:\r\n"
      "a=rtpmap\r\n"
      "a=rtpmap:abc VP8/90000\r\n"
      "a=rtpmap:96\r\n"
      "a=rtpmap:97 /90000\r\n"
      "a=rtpmap:98 rtx/90000\r\n"
      "a=fmtp:98 apt=\r\n"
      "a=fmtp:98 apt=99999999999999;apt=x;;=;apt=102\r\n"
      "a=fmtp:\r\n"
      "a=rtcp-fb:* nack\r\n"
      "a=rtcp-fb:102x nack\r\n"
      "a=rtpmap:102 H264/90000\r\n" "a=rtpmap:102 VP8/90000\r\n");
  gchar *formats, *text;
  guint removed = 0;

  fail_unless (gst_wcs_sdp_strip_codec (msg, "H264", &removed, NULL));
  /* 102 and rtx 98 (its valid apt=102 among garbage) */
  fail_unless_equals_int (removed, 2);
  formats = formats_of (gst_sdp_message_get_media (msg, 0));
  fail_unless_equals_string (formats, "96 97 abc 99999999999");
  text = gst_sdp_message_as_text (msg);
  assert_line (text, "a=rtcp-fb:* nack");
  assert_line (text, "a=rtcp-fb:102x nack");
  assert_line (text, "a=rtpmap:abc VP8/90000");
  g_free (text);
  g_free (formats);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* get_codec                                                           */

GST_START_TEST (test_get_codec_fixture_answer)
{
  gchar *text = fixture_sdp ("sar-stop-disconnect.jsonl", "s2c",
      "setRemoteSDP", 0);
  GstSDPMessage *msg = sdp_from_text (text);
  gchar *codec;

  codec = gst_wcs_sdp_get_codec (msg, "video");
  fail_unless_equals_string (codec, "H264");
  g_free (codec);
  codec = gst_wcs_sdp_get_codec (msg, "audio");
  fail_unless_equals_string (codec, "OPUS");
  g_free (codec);
  codec = gst_wcs_sdp_get_codec (msg, "VIDEO");
  fail_unless_equals_string (codec, "H264");
  g_free (codec);
  fail_unless (gst_wcs_sdp_get_codec (msg, "application") == NULL);
  g_free (text);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_get_codec_offer_first_payload)
{
  GstSDPMessage *msg = chromium_publish_offer ();
  gchar *codec = gst_wcs_sdp_get_codec (msg, "video");

  fail_unless_equals_string (codec, "VP8");
  g_free (codec);
  fail_unless (gst_wcs_sdp_strip_codec (msg, "VP8", NULL, NULL));
  codec = gst_wcs_sdp_get_codec (msg, "video");
  /* 96 97 gone: 102 (H264) leads the m= line */
  fail_unless_equals_string (codec, "H264");
  g_free (codec);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

GST_START_TEST (test_get_codec_rejected_and_aux)
{
  GstSDPMessage *msg = sdp_from_text ("v=0\r\n"
      "o=- 1 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
      "a=rtpmap:96 VP8/90000\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 8\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 97 120 102\r\n"
      "a=rtpmap:97 rtx/90000\r\n"
      "a=fmtp:97 apt=102\r\n"
      "a=rtpmap:120 ulpfec/90000\r\n" "a=rtpmap:102 h264/90000\r\n");
  gchar *codec;

  /* rejected first video section skipped, rtx/ulpfec skipped, upper case */
  codec = gst_wcs_sdp_get_codec (msg, "video");
  fail_unless_equals_string (codec, "H264");
  g_free (codec);
  /* static payload without rtpmap */
  codec = gst_wcs_sdp_get_codec (msg, "audio");
  fail_unless_equals_string (codec, "PCMA");
  g_free (codec);
  gst_sdp_message_free (msg);

  /* only rejected video: NULL */
  msg = sdp_from_text ("v=0\r\n"
      "o=- 1 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n" "a=rtpmap:96 VP8/90000\r\n");
  fail_unless (gst_wcs_sdp_get_codec (msg, "video") == NULL);
  fail_unless (gst_wcs_sdp_get_codec (msg, "audio") == NULL);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

/* webrtcbin's max-bundle offer: port 0 + a=bundle-only on every m-line but
 * the first; the copy for the server gets port 9 and no bundle-only, the
 * rest (BUNDLE group, a rejected m-line without bundle-only) is kept */
GST_START_TEST (test_unbundle_only)
{
  GstSDPMessage *msg = sdp_from_text ("v=0\r\n"
      "o=- 1 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=group:BUNDLE video0 audio1\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
      "a=mid:video0\r\n"
      "a=rtpmap:96 H264/90000\r\n"
      "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"
      "a=bundle-only\r\n"
      "a=mid:audio1\r\n"
      "a=rtpmap:111 OPUS/48000/2\r\n"
      "m=video 0 UDP/TLS/RTP/SAVPF 97\r\n"
      "a=mid:video2\r\n" "a=rtpmap:97 VP8/90000\r\n");
  gchar *text;

  fail_unless_equals_int (gst_wcs_sdp_unbundle_only (msg), 1);
  fail_unless_equals_int (gst_sdp_media_get_port (gst_sdp_message_get_media
          (msg, 0)), 9);
  fail_unless_equals_int (gst_sdp_media_get_port (gst_sdp_message_get_media
          (msg, 1)), 9);
  fail_unless (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media
          (msg, 1), "bundle-only") == NULL);
  fail_unless_equals_string (gst_sdp_media_get_attribute_val
      (gst_sdp_message_get_media (msg, 1), "mid"), "audio1");
  /* a really rejected m-line (no bundle-only) stays rejected */
  fail_unless_equals_int (gst_sdp_media_get_port (gst_sdp_message_get_media
          (msg, 2)), 0);
  fail_unless_equals_string (gst_sdp_message_get_attribute_val (msg, "group"),
      "BUNDLE video0 audio1");
  text = gst_sdp_message_as_text (msg);
  fail_unless (strstr (text, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n") != NULL,
      "%s", text);
  g_free (text);
  /* nothing left to change */
  fail_unless_equals_int (gst_wcs_sdp_unbundle_only (msg), 0);
  gst_sdp_message_free (msg);
}

GST_END_TEST;

static Suite *
wcs_sdp_suite (void)
{
  Suite *s = suite_create ("wcs-sdp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_strip_h264_chromium_offer);
  tcase_add_test (tc, test_strip_h264_vs_sdk_fallback);
  tcase_add_test (tc, test_strip_play_offer);
  tcase_add_test (tc, test_strip_vp8_only_offer);
  tcase_add_test (tc, test_strip_last_audio_codecs_atomic);
  tcase_add_test (tc, test_strip_prefix_trap);
  tcase_add_test (tc, test_strip_g722_chromium_offer);
  tcase_add_test (tc, test_strip_exact_name);
  tcase_add_test (tc, test_strip_opus_takes_red);
  tcase_add_test (tc, test_strip_per_section_and_red_chain);
  tcase_add_test (tc, test_strip_static_payloads);
  tcase_add_test (tc, test_strip_codecs_csv);
  tcase_add_test (tc, test_strip_bad_arguments);
  tcase_add_test (tc, test_strip_garbage_attributes);
  tcase_add_test (tc, test_get_codec_fixture_answer);
  tcase_add_test (tc, test_unbundle_only);
  tcase_add_test (tc, test_get_codec_offer_first_payload);
  tcase_add_test (tc, test_get_codec_rejected_and_aux);
  return s;
}

WCS_CHECK_MAIN (wcs_sdp);
