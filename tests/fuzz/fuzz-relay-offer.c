/* gst-wcs: libFuzzer target for wcs-relay's offer planning
 *
 * Every publishStream / playStream offer a client sends reaches
 * parse_offer() and plan_offer() of tests/relay/relay-media.c before any
 * pipeline exists. They are static, so this file includes relay-media.c
 * and calls them directly: the offer as a publisher's, then as a player's
 * against publishers sending H264 (two profiles), VP8, opus, or nothing.
 * Checks besides crashes and sanitizer reports: exactly one of plan and
 * error_info, one plan entry per m-line, at most one active video and one
 * active audio m-line, an active one has caps and a payload type, and a
 * player plan only takes the publisher's codecs. Built by build.sh.
 */
#include <stdint.h>
#include <stdlib.h>

#include "relay-media.c"

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_gst ();
  relay_log_init (FALSE);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
check_plan (const GstSDPMessage * sdp, const PlanTarget * target)
{
  gchar *error_info = NULL;
  GPtrArray *plan = plan_offer (sdp, target, &error_info);
  guint i, videos = 0, audios = 0;

  CHECK ((plan == NULL) != (error_info == NULL));
  if (!plan) {
    CHECK (error_info[0] != '\0');
    g_free (error_info);
    return;
  }
  CHECK (plan->len == gst_sdp_message_medias_len (sdp));
  for (i = 0; i < plan->len; i++) {
    MLinePlan *p = g_ptr_array_index (plan, i);

    CHECK (p->mline == i);
    if (p->codec == CODEC_NONE) {
      CHECK (p->pt == -1);
      continue;
    }
    CHECK (p->caps != NULL && p->pt >= 0);
    CHECK (codec_name (p->codec) != NULL);
    if (p->is_video) {
      videos++;
      CHECK (p->codec == CODEC_H264 || p->codec == CODEC_VP8);
      if (target)
        CHECK (p->codec == target->video_codec);
    } else {
      audios++;
      CHECK (p->codec == CODEC_OPUS);
      if (target)
        CHECK (p->codec == target->audio_codec);
    }
  }
  CHECK (videos <= 1 && audios <= 1 && videos + audios >= 1);
  g_ptr_array_unref (plan);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static const PlanTarget targets[] = {
    {CODEC_H264, "42e01f", CODEC_OPUS},
    {CODEC_H264, "640c1f", CODEC_NONE},
    {CODEC_H264, NULL, CODEC_OPUS},
    {CODEC_VP8, NULL, CODEC_OPUS},
    {CODEC_NONE, NULL, CODEC_OPUS},
    {CODEC_VP8, NULL, CODEC_NONE},
  };
  gchar *text, *error_info = NULL;
  GstSDPMessage *sdp;
  guint i;

  /* an offer is a JSON string of a frame gst_wcs_message_parse() took:
   * valid UTF-8 without NUL (it refuses the rest, lone surrogate escapes
   * included), which GStreamer's SDP-to-caps code relies on */
  if (memchr (data, 0, size) || !g_utf8_validate ((const gchar *) data,
          (gssize) size, NULL))
    return 0;
  text = g_strndup ((const gchar *) data, size);
  sdp = parse_offer (text, &error_info);

  CHECK ((sdp == NULL) != (error_info == NULL));
  if (sdp) {
    check_plan (sdp, NULL);
    for (i = 0; i < G_N_ELEMENTS (targets); i++)
      check_plan (sdp, &targets[i]);
    gst_sdp_message_free (sdp);
  }
  g_free (error_info);
  g_free (text);
  return 0;
}
