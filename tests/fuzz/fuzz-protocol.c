/* gst-wcs: libFuzzer target for the protocol parsers
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds arbitrary bytes to gst_wcs_message_parse() and, when that succeeds,
 * to gst_wcs_stream_info_parse(), gst_wcs_parse_set_remote_sdp() and
 * gst_wcs_parse_available_stream(); an SDP
 * that comes out of setRemoteSDP (or a stream request) also goes through the
 * SDP helpers. Besides crashes and sanitizer reports it checks the API
 * contract: every failure carries a GST_WCS_ERROR with the documented code,
 * every success has the documented fields, and what we build from parsed
 * values parses again. Built by build.sh, not part of the default build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gstwcsprotocol.h"
#include "gstwcssdp.h"

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_gst ();
  return 0;
}

static void
check_error (GError * err, gint code1, gint code2)
{
  CHECK (err != NULL);
  CHECK (err->domain == GST_WCS_ERROR);
  CHECK (err->code == code1 || err->code == code2);
  CHECK (err->message != NULL && err->message[0] != '\0');
}

static void
reparse (gchar * text)
{
  GError *err = NULL;
  GstWcsMessage *msg;

  CHECK (text != NULL);
  msg = gst_wcs_message_parse (text, -1, &err);
  CHECK (msg != NULL);
  gst_wcs_message_free (msg);
  g_free (text);
}

static void
exercise_sdp (const gchar * text)
{
  GstSDPMessage *sdp;
  gchar *codec, *before, *after;
  GError *err = NULL;
  guint removed;

  /* not gst_sdp_message_new_from_text(): it leaks the message when the
   * text does not parse */
  gst_sdp_message_new (&sdp);
  if (gst_sdp_message_parse_buffer ((const guint8 *) text, strlen (text),
          sdp) != GST_SDP_OK) {
    gst_sdp_message_free (sdp);
    return;
  }

  codec = gst_wcs_sdp_get_codec (sdp, "video");
  g_free (codec);
  codec = gst_wcs_sdp_get_codec (sdp, "audio");
  g_free (codec);

  before = gst_sdp_message_as_text (sdp);
  if (gst_wcs_sdp_strip_codec (sdp, "H264", &removed, &err)) {
    CHECK (err == NULL);
  } else {
    check_error (err, GST_WCS_ERROR_INVALID_ARGUMENT, -1);
    g_clear_error (&err);
    after = gst_sdp_message_as_text (sdp);
    CHECK (strcmp (before, after) == 0);
    g_free (after);
  }
  if (!gst_wcs_sdp_strip_codecs (sdp, "opus, PCMA,rtx", &err)) {
    check_error (err, GST_WCS_ERROR_INVALID_ARGUMENT, -1);
    g_clear_error (&err);
  }
  g_free (before);
  gst_sdp_message_free (sdp);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *err = NULL;
  GstWcsMessage *msg;
  GstWcsStreamInfo info;
  gchar *id = NULL, *sdp = NULL;
  JsonObject *obj;
  guint i, n;

  msg = gst_wcs_message_parse ((const gchar *) data, (gssize) size, &err);
  if (msg == NULL) {
    check_error (err, GST_WCS_ERROR_PARSE, GST_WCS_ERROR_PROTOCOL);
    g_clear_error (&err);
    return 0;
  }
  CHECK (err == NULL);
  CHECK (msg->message != NULL && msg->data != NULL && msg->root != NULL);

  n = json_array_get_length (msg->data);
  for (i = 0; i <= n; i++) {
    obj = gst_wcs_message_get_object (msg, i);
    (void) gst_wcs_message_get_string (msg, i);
    if (obj) {
      (void) gst_wcs_json_get_string (obj, "status");
      (void) gst_wcs_json_get_boolean (obj, "published", TRUE);
    }
  }

  if (gst_wcs_stream_info_parse (msg, &info, &err)) {
    CHECK (err == NULL);
    CHECK (info.media_session_id != NULL && info.media_session_id[0] != '\0');
    CHECK (info.has_status == (info.status_str != NULL));
    CHECK (info.info == NULL || info.info[0] != '\0');
    if (info.has_status)
      CHECK (info.status ==
          gst_wcs_stream_status_from_string (info.status_str));
    else
      CHECK (info.status == GST_WCS_STREAM_STATUS_UNKNOWN);
    /* a relay echoes these values back */
    reparse (gst_wcs_build_stream_status_event (info.media_session_id,
            info.name, info.published, info.status, info.info));
    if (info.name) {
      GstWcsStreamRequest req = { 0, };

      req.media_session_id = info.media_session_id;
      req.name = info.name;
      req.sdp = info.sdp ? info.sdp : "";
      req.status = info.status;
      reparse (gst_wcs_build_publish_stream (&req));
      reparse (gst_wcs_build_stop_stream (&req));
    }
    if (info.sdp)
      exercise_sdp (info.sdp);
  } else {
    check_error (err, GST_WCS_ERROR_PROTOCOL, -1);
    g_clear_error (&err);
    CHECK (info.media_session_id == NULL);
  }
  gst_wcs_stream_info_clear (&info);

  if (gst_wcs_parse_set_remote_sdp (msg, &id, &sdp, &err)) {
    CHECK (id != NULL && id[0] != '\0' && sdp != NULL && sdp[0] != '\0');
    reparse (gst_wcs_build_set_remote_sdp (id, sdp));
    exercise_sdp (sdp);
    g_free (id);
    g_free (sdp);
  } else {
    check_error (err, GST_WCS_ERROR_PROTOCOL, -1);
    g_clear_error (&err);
    CHECK (id == NULL && sdp == NULL);
  }

  {
    gchar *aid = NULL, *ainfo = NULL;
    gboolean available = FALSE;

    if (gst_wcs_parse_available_stream (msg, &aid, &available, &ainfo, &err)) {
      CHECK (aid != NULL && aid[0] != '\0');
      CHECK (ainfo == NULL || ainfo[0] != '\0');
      reparse (gst_wcs_build_available_stream_reply (aid, available, ainfo));
      g_free (aid);
      g_free (ainfo);
    } else {
      check_error (err, GST_WCS_ERROR_PROTOCOL, -1);
      g_clear_error (&err);
      CHECK (aid == NULL && ainfo == NULL);
    }
  }

  obj = gst_wcs_message_get_object (msg, 0);
  if (obj)
    reparse (gst_wcs_build_get_user_data (obj, "tok"));

  gst_wcs_message_free (msg);
  return 0;
}
