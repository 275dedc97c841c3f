/* gst-wcs: libFuzzer target for the SDP helpers
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Arbitrary text is parsed with GstSDPMessage; every parse that succeeds
 * goes through gst_wcs_sdp_strip_codec() for a set of names and through
 * gst_wcs_sdp_get_codec(). Contract checks: a refused strip leaves the
 * message byte for byte unchanged, a successful one never grows the m= lines,
 * never leaves an audio/video m-section that had payloads without any,
 * and a stripped codec is gone from every m-section's rtpmap. Built by
 * build.sh, not part of the default build.
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

static const gchar *names[] = { "H264", "vp8", "OPUS", "PCMA", "G722", "rtx",
  "red", "CN", "telephone-event", "AV1"
};

static gboolean
is_av (const GstSDPMedia * m)
{
  const gchar *kind = gst_sdp_media_get_media (m);

  return kind && (!g_ascii_strcasecmp (kind, "audio") ||
      !g_ascii_strcasecmp (kind, "video"));
}

/* is there an rtpmap "<pt> <codec>/..." (exact name) left? */
static gboolean
has_rtpmap (const GstSDPMedia * m, const gchar * codec)
{
  guint i;

  for (i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    const gchar *sp, *end;

    if (g_strcmp0 (a->key, "rtpmap") || a->value == NULL)
      continue;
    if (!g_ascii_isdigit (a->value[0]))
      continue;
    sp = a->value;
    while (g_ascii_isdigit (*sp))
      sp++;
    if (*sp != ' ' && *sp != '\t')
      continue;
    while (*sp == ' ' || *sp == '\t')
      sp++;
    end = sp;
    while (*end && *end != '/' && !g_ascii_isspace (*end))
      end++;
    if ((gsize) (end - sp) == strlen (codec) &&
        g_ascii_strncasecmp (sp, codec, end - sp) == 0) {
      /* only count it if its payload is numeric and sane, as the helper */
      gsize digits = strspn (a->value, "0123456789");

      if (digits > 0 && digits <= 9)
        return TRUE;
    }
  }
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  gchar *text = g_strndup ((const gchar *) data, size);
  GstSDPMessage *msg;
  guint k;

  /* not gst_sdp_message_new_from_text(): it leaks the message when the
   * text does not parse */
  gst_sdp_message_new (&msg);
  if (gst_sdp_message_parse_buffer ((const guint8 *) text, strlen (text),
          msg) != GST_SDP_OK) {
    gst_sdp_message_free (msg);
    g_free (text);
    return 0;
  }

  g_free (gst_wcs_sdp_get_codec (msg, "video"));
  g_free (gst_wcs_sdp_get_codec (msg, "audio"));

  for (k = 0; k < G_N_ELEMENTS (names); k++) {
    GstSDPMessage *copy;
    gchar *before, *after;
    GError *err = NULL;
    guint removed = 12345, i, n;

    gst_sdp_message_copy (msg, &copy);
    before = gst_sdp_message_as_text (copy);
    n = gst_sdp_message_medias_len (copy);

    if (gst_wcs_sdp_strip_codec (copy, names[k], &removed, &err)) {
      CHECK (err == NULL);
      CHECK (removed != 12345);
      CHECK (gst_sdp_message_medias_len (copy) == n);
      for (i = 0; i < n; i++) {
        const GstSDPMedia *o = gst_sdp_message_get_media (msg, i);
        const GstSDPMedia *m = gst_sdp_message_get_media (copy, i);

        CHECK (gst_sdp_media_formats_len (m) <= gst_sdp_media_formats_len (o));
        if (is_av (m) && gst_sdp_media_formats_len (o) > 0 &&
            gst_sdp_media_formats_len (m) != gst_sdp_media_formats_len (o))
          CHECK (gst_sdp_media_formats_len (m) > 0);
        CHECK (!has_rtpmap (m, names[k]));
      }
      if (removed == 0) {
        after = gst_sdp_message_as_text (copy);
        CHECK (strcmp (before, after) == 0);
        g_free (after);
      }
    } else {
      CHECK (err != NULL && err->domain == GST_WCS_ERROR &&
          err->code == GST_WCS_ERROR_INVALID_ARGUMENT);
      g_clear_error (&err);
      after = gst_sdp_message_as_text (copy);
      CHECK (strcmp (before, after) == 0);
      g_free (after);
    }
    g_free (gst_wcs_sdp_get_codec (copy, "video"));
    g_free (before);
    gst_sdp_message_free (copy);
  }

  /* what the elements do with a server's answer besides the helpers above:
   * publishsink maps payload types to caps (find_payload); and
   * gst_wcs_sdp_unbundle_only() (only ever applied to our own offers) */
  for (k = 0; k < gst_sdp_message_medias_len (msg); k++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, k);
    guint f;

    for (f = 0; f < gst_sdp_media_formats_len (m); f++) {
      GstCaps *caps = gst_sdp_media_get_caps_from_media (m,
          atoi (gst_sdp_media_get_format (m, f)));
      if (caps)
        gst_caps_unref (caps);
    }
  }
  {
    GstSDPMessage *copy;
    guint n = gst_sdp_message_medias_len (msg);

    gst_sdp_message_copy (msg, &copy);
    (void) gst_wcs_sdp_unbundle_only (copy);
    CHECK (gst_sdp_message_medias_len (copy) == n);
    gst_sdp_message_free (copy);
  }

  gst_sdp_message_free (msg);
  g_free (text);
  return 0;
}
