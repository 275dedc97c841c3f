/* gst-wcs: SDP helpers
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:gstwcssdp
 * @title: WCS SDP helpers
 * @short_description: strip codecs from an offer, read the negotiated codec
 *
 * The official SDK strips codecs with substring and prefix matches on the
 * SDP text and leaves the RTX companions of what it removed behind
 * (docs/protocol.md 6.5). These helpers work on a #GstSDPMessage, one
 * m-section at a time, with exact payload matches. Planning and checking is
 * done before anything is changed, so a refused strip leaves the message
 * exactly as it was.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcssdp.h"
#include "gstwcsprotocol.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (wcs_sdp_debug);
#define GST_CAT_DEFAULT wcs_sdp_debug

static void
ensure_debug_category (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (wcs_sdp_debug, "wcssdp", 0, "WCS SDP helpers");
    g_once_init_leave (&once, 1);
  }
}

/* RFC 3551 static payload types, used when an m-section lists one without
 * an a=rtpmap line. */
static const struct
{
  guint pt;
  const gchar *name;
} static_payloads[] = {
  {0, "PCMU"}, {3, "GSM"}, {4, "G723"}, {5, "DVI4"}, {6, "DVI4"},
  {7, "LPC"}, {8, "PCMA"}, {9, "G722"}, {10, "L16"}, {11, "L16"},
  {12, "QCELP"}, {13, "CN"}, {14, "MPA"}, {15, "G728"}, {16, "DVI4"},
  {17, "DVI4"}, {18, "G729"}, {25, "CelB"}, {26, "JPEG"}, {28, "nv"},
  {31, "H261"}, {32, "MPV"}, {33, "MP2T"}, {34, "H263"},
};

/* Payloads that are not a media codec on their own */
static const gchar *const aux_encodings[] = {
  "rtx", "red", "ulpfec", "flexfec", "flexfec-03", "CN", "telephone-event",
};

/* Payloads that protect / repeat other payloads and go with them */
static const gchar *const companion_encodings[] = {
  "rtx", "red", "ulpfec", "flexfec", "flexfec-03",
};

static gboolean
name_in (const gchar * name, const gchar * const *list, guint n)
{
  guint i;

  if (name == NULL)
    return FALSE;
  for (i = 0; i < n; i++) {
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  }
  return FALSE;
}

#define IS_AUX(name) name_in ((name), aux_encodings, G_N_ELEMENTS (aux_encodings))
#define IS_COMPANION(name) \
    name_in ((name), companion_encodings, G_N_ELEMENTS (companion_encodings))

static const gchar *
static_payload_name (guint pt)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (static_payloads); i++) {
    if (static_payloads[i].pt == pt)
      return static_payloads[i].name;
  }
  return NULL;
}

/* Reads a payload number at the start of @s (after optional white space)
 * that is followed by white space or the end. On success *@rest points
 * after the number. */
static gboolean
parse_pt (const gchar * s, guint * pt, const gchar ** rest)
{
  guint v = 0, digits = 0;

  if (s == NULL)
    return FALSE;
  while (*s == ' ' || *s == '\t')
    s++;
  while (g_ascii_isdigit (*s)) {
    if (++digits > 9)
      return FALSE;
    v = v * 10 + (guint) (*s - '0');
    s++;
  }
  if (digits == 0)
    return FALSE;
  if (*s != '\0' && !g_ascii_isspace (*s))
    return FALSE;
  *pt = v;
  if (rest)
    *rest = s;
  return TRUE;
}

/* A whole token that is a payload number, e.g. an m= line format */
static gboolean
parse_pt_token (const gchar * s, guint * pt)
{
  const gchar *rest;

  if (!parse_pt (s, pt, &rest))
    return FALSE;
  while (g_ascii_isspace (*rest))
    rest++;
  return *rest == '\0';
}

typedef struct
{
  guint pt;
  gchar *encoding;              /* owned, NULL if unknown */
  gchar *fmtp;                  /* owned: parameters after "PT ", all of
                                 * the payload's a=fmtp lines joined by ';' */
  gboolean in_mline;
  gboolean removed;
} Payload;

static void
payload_clear (gpointer p)
{
  g_free (((Payload *) p)->encoding);
  g_free (((Payload *) p)->fmtp);
}

static Payload *
payloads_find (GArray * arr, guint pt, gboolean create)
{
  guint i;
  Payload p = { 0, };

  for (i = 0; i < arr->len; i++) {
    if (g_array_index (arr, Payload, i).pt == pt)
      return &g_array_index (arr, Payload, i);
  }
  if (!create)
    return NULL;
  p.pt = pt;
  g_array_append_val (arr, p);
  return &g_array_index (arr, Payload, arr->len - 1);
}

/* "96 VP8/90000" -> "VP8" */
static gchar *
rtpmap_encoding (const gchar * rest)
{
  const gchar *start, *end;

  start = rest;
  while (g_ascii_isspace (*start))
    start++;
  end = start;
  while (*end && *end != '/' && !g_ascii_isspace (*end))
    end++;
  if (end == start)
    return NULL;
  return g_strndup (start, end - start);
}

static GArray *
collect_payloads (const GstSDPMedia * media)
{
  GArray *arr = g_array_new (FALSE, TRUE, sizeof (Payload));
  guint i, n, pt;
  const gchar *rest;

  g_array_set_clear_func (arr, payload_clear);

  n = gst_sdp_media_formats_len (media);
  for (i = 0; i < n; i++) {
    if (parse_pt_token (gst_sdp_media_get_format (media, i), &pt))
      payloads_find (arr, pt, TRUE)->in_mline = TRUE;
  }

  n = gst_sdp_media_attributes_len (media);
  for (i = 0; i < n; i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);
    Payload *p;

    if (attr->key == NULL || attr->value == NULL)
      continue;
    if (strcmp (attr->key, "rtpmap") == 0) {
      if (!parse_pt (attr->value, &pt, &rest))
        continue;
      p = payloads_find (arr, pt, TRUE);
      if (p->encoding == NULL)
        p->encoding = rtpmap_encoding (rest);
    } else if (strcmp (attr->key, "fmtp") == 0) {
      if (!parse_pt (attr->value, &pt, &rest))
        continue;
      p = payloads_find (arr, pt, TRUE);
      if (p->fmtp == NULL) {
        p->fmtp = g_strdup (rest);
      } else {
        gchar *joined = g_strconcat (p->fmtp, ";", rest, NULL);

        g_free (p->fmtp);
        p->fmtp = joined;
      }
    }
  }

  for (i = 0; i < arr->len; i++) {
    Payload *p = &g_array_index (arr, Payload, i);

    if (p->encoding == NULL && static_payload_name (p->pt))
      p->encoding = g_strdup (static_payload_name (p->pt));
  }
  return arr;
}

static gboolean
payload_is_removed (GArray * arr, guint pt)
{
  Payload *p = payloads_find (arr, pt, FALSE);

  return p != NULL && p->removed;
}

/* TRUE if the companion @p refers to a removed payload: apt= in its fmtp,
 * or, for RED, a payload of its redundancy list ("111/111"). */
static gboolean
companion_refers_to_removed (GArray * arr, const Payload * p)
{
  gchar **params;
  gboolean hit = FALSE;
  guint i;

  if (p->fmtp == NULL)
    return FALSE;

  params = g_strsplit (p->fmtp, ";", -1);
  for (i = 0; params[i] && !hit; i++) {
    gchar *param = g_strstrip (params[i]);
    guint pt;

    if (g_ascii_strncasecmp (param, "apt=", 4) == 0) {
      hit = parse_pt_token (param + 4, &pt) && payload_is_removed (arr, pt);
    } else if (g_ascii_strcasecmp (p->encoding, "red") == 0 &&
        strchr (param, '=') == NULL) {
      gchar **list = g_strsplit (param, "/", -1);
      guint j;

      for (j = 0; list[j] && !hit; j++)
        hit = parse_pt_token (list[j], &pt) && payload_is_removed (arr, pt);
      g_strfreev (list);
    }
  }
  g_strfreev (params);
  return hit;
}

static gboolean
name_matches (const gchar * encoding, gchar ** names)
{
  guint j;

  if (encoding == NULL)
    return FALSE;
  for (j = 0; names[j]; j++) {
    if (g_ascii_strcasecmp (encoding, names[j]) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Marks the payloads of @names and their companions removed.
 * Returns the number of payloads marked. */
static guint
plan_media (const GstSDPMedia * media, GArray * arr, gchar ** names)
{
  guint i, n, pt, count = 0;
  const gchar *rest;
  gboolean changed;

  /* static payloads known by number only */
  for (i = 0; i < arr->len; i++) {
    Payload *p = &g_array_index (arr, Payload, i);

    if (!p->removed && name_matches (p->encoding, names)) {
      p->removed = TRUE;
      count++;
    }
  }
  /* every a=rtpmap line counts, also a conflicting duplicate for a
   * payload that is already named */
  n = gst_sdp_media_attributes_len (media);
  for (i = 0; i < n; i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);
    Payload *p;
    gchar *enc;

    if (attr->key == NULL || attr->value == NULL ||
        strcmp (attr->key, "rtpmap") != 0 ||
        !parse_pt (attr->value, &pt, &rest))
      continue;
    p = payloads_find (arr, pt, FALSE);
    if (p == NULL || p->removed)
      continue;
    enc = rtpmap_encoding (rest);
    if (name_matches (enc, names)) {
      p->removed = TRUE;
      count++;
    }
    g_free (enc);
  }
  if (count == 0)
    return 0;

  do {
    changed = FALSE;
    for (i = 0; i < arr->len; i++) {
      Payload *p = &g_array_index (arr, Payload, i);

      if (p->removed || !IS_COMPANION (p->encoding))
        continue;
      if (companion_refers_to_removed (arr, p)) {
        p->removed = TRUE;
        changed = TRUE;
        count++;
      }
    }
  } while (changed);

  return count;
}

static gboolean
has_media_codec_left (GArray * arr)
{
  guint i;

  for (i = 0; i < arr->len; i++) {
    Payload *p = &g_array_index (arr, Payload, i);

    /* an unnamed dynamic payload counts: we cannot tell what it is */
    if (p->in_mline && !p->removed && !IS_AUX (p->encoding))
      return TRUE;
  }
  return FALSE;
}

static void
apply_media (GstSDPMedia * media, GArray * arr)
{
  gint i;
  guint pt;

  for (i = (gint) gst_sdp_media_formats_len (media) - 1; i >= 0; i--) {
    if (parse_pt_token (gst_sdp_media_get_format (media, i), &pt) &&
        payload_is_removed (arr, pt))
      gst_sdp_media_remove_format (media, i);
  }

  for (i = (gint) gst_sdp_media_attributes_len (media) - 1; i >= 0; i--) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);

    if (attr->key == NULL || attr->value == NULL)
      continue;
    if (strcmp (attr->key, "rtpmap") != 0 && strcmp (attr->key, "fmtp") != 0
        && strcmp (attr->key, "rtcp-fb") != 0)
      continue;
    if (parse_pt (attr->value, &pt, NULL) && payload_is_removed (arr, pt))
      gst_sdp_media_remove_attribute (media, i);
  }
}

static gboolean
is_av_media (const GstSDPMedia * media)
{
  const gchar *m = gst_sdp_media_get_media (media);

  return m && (g_ascii_strcasecmp (m, "audio") == 0 ||
      g_ascii_strcasecmp (m, "video") == 0);
}

static gboolean
strip_names (GstSDPMessage * msg, gchar ** names, guint * removed,
    GError ** error)
{
  GPtrArray *plans;
  guint i, n, total = 0;
  gboolean ok = TRUE;

  ensure_debug_category ();

  n = gst_sdp_message_medias_len (msg);
  plans = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  /* plan and check every m-section before touching any */
  for (i = 0; i < n; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (msg, i);
    GArray *arr = collect_payloads (media);
    guint count = plan_media (media, arr, names);

    if (count > 0 && is_av_media (media) && !has_media_codec_left (arr)) {
      gchar *list = g_strjoinv (",", names);

      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
          "Stripping %s would leave m-section %u (%s) without a codec",
          list, i, gst_sdp_media_get_media (media));
      g_free (list);
      g_array_unref (arr);
      ok = FALSE;
      break;
    }
    total += count;
    g_ptr_array_add (plans, arr);
  }

  if (ok) {
    for (i = 0; i < n; i++) {
      GArray *arr = g_ptr_array_index (plans, i);
      GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (msg, i);

      apply_media (media, arr);
    }
    GST_DEBUG ("removed %u payload type(s)", total);
    if (removed)
      *removed = total;
  }

  g_ptr_array_unref (plans);
  return ok;
}

gboolean
gst_wcs_sdp_strip_codec (GstSDPMessage * msg, const gchar * codec,
    guint * removed, GError ** error)
{
  gchar *names[2] = { NULL, NULL };
  gboolean ret;

  g_return_val_if_fail (msg != NULL, FALSE);

  if (removed)
    *removed = 0;

  names[0] = g_strstrip (g_strdup (codec ? codec : ""));
  if (names[0][0] == '\0') {
    g_set_error_literal (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "No codec name given");
    g_free (names[0]);
    return FALSE;
  }
  ret = strip_names (msg, names, removed, error);
  g_free (names[0]);
  return ret;
}

gboolean
gst_wcs_sdp_strip_codecs (GstSDPMessage * msg, const gchar * csv,
    GError ** error)
{
  gchar **items;
  GPtrArray *names;
  guint i;
  gboolean ret = TRUE;

  g_return_val_if_fail (msg != NULL, FALSE);

  if (csv == NULL)
    return TRUE;

  items = g_strsplit (csv, ",", -1);
  names = g_ptr_array_new ();
  for (i = 0; items[i]; i++) {
    gchar *name = g_strstrip (items[i]);

    if (*name != '\0')
      g_ptr_array_add (names, name);
  }
  g_ptr_array_add (names, NULL);

  if (names->len > 1)
    ret = strip_names (msg, (gchar **) names->pdata, NULL, error);

  g_ptr_array_unref (names);
  g_strfreev (items);
  return ret;
}

gchar *
gst_wcs_sdp_get_codec (const GstSDPMessage * msg, const gchar * media)
{
  guint i, j, n;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (media != NULL, NULL);

  ensure_debug_category ();

  n = gst_sdp_message_medias_len (msg);
  for (i = 0; i < n; i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);
    const gchar *kind = gst_sdp_media_get_media (m);
    GArray *arr;
    gchar *ret = NULL;

    if (kind == NULL || g_ascii_strcasecmp (kind, media) != 0)
      continue;
    if (gst_sdp_media_get_port (m) == 0)
      continue;

    arr = collect_payloads (m);
    for (j = 0; j < gst_sdp_media_formats_len (m) && ret == NULL; j++) {
      Payload *p;
      guint pt;

      if (!parse_pt_token (gst_sdp_media_get_format (m, j), &pt))
        continue;
      p = payloads_find (arr, pt, FALSE);
      if (p == NULL || p->encoding == NULL || IS_AUX (p->encoding))
        continue;
      ret = g_ascii_strup (p->encoding, -1);
    }
    g_array_unref (arr);

    GST_LOG ("%s codec: %s", media, GST_STR_NULL (ret));
    return ret;
  }
  return NULL;
}

guint
gst_wcs_sdp_unbundle_only (GstSDPMessage * msg)
{
  guint i, j, changed = 0;

  g_return_val_if_fail (msg != NULL, 0);

  for (i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    GstSDPMedia *m = (GstSDPMedia *) gst_sdp_message_get_media (msg, i);

    for (j = 0; j < gst_sdp_media_attributes_len (m); j++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, j);

      if (g_strcmp0 (a->key, "bundle-only") == 0) {
        gst_sdp_media_remove_attribute (m, j);
        if (gst_sdp_media_get_port (m) == 0)
          gst_sdp_media_set_port_info (m, 9, 0);
        changed++;
        break;
      }
    }
  }
  return changed;
}
