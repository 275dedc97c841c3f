/* gst-wcs: webrtcbin stats helpers
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See gstwcsstats.h. The helpers read the structure webrtcbin's "get-stats"
 * promise replies with: one field per stats entry, each a GstStructure with
 * a "type" field (GstWebRTCStatsType: we compare its nick, "outbound-rtp" /
 * "inbound-rtp" / "codec", so that this library does not need to link
 * gstreamer-webrtc; a plain string is accepted too).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstwcsstats.h"

GST_DEBUG_CATEGORY_STATIC (gst_wcs_stats_debug);
#define GST_CAT_DEFAULT gst_wcs_stats_debug

static void
ensure_debug_category (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_wcs_stats_debug, "wcsstats", 0,
        "WCS webrtcbin stats helpers");
    g_once_init_leave (&done, 1);
  }
}

/* the stats type of an entry as its nick ("outbound-rtp"), or NULL */
static const gchar *
entry_type (const GstStructure * s)
{
  const GValue *v = gst_structure_get_value (s, "type");

  if (v == NULL)
    return NULL;
  if (G_VALUE_HOLDS_STRING (v))
    return g_value_get_string (v);
  if (G_VALUE_HOLDS_ENUM (v)) {
    GEnumClass *klass = g_type_class_ref (G_VALUE_TYPE (v));
    GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (v));
    const gchar *nick = ev ? ev->value_nick : NULL;

    /* nicks are static strings of a static type */
    g_type_class_unref (klass);
    return nick;
  }
  return NULL;
}

/* what foreach_entry () calls for every stats entry that has a type (@name:
 * the entry's field in the stats); FALSE stops the walk */
typedef gboolean (*EntryFunc) (const gchar * name, const GstStructure * entry,
    const gchar * type, gpointer data);

typedef struct
{
  EntryFunc func;
  gpointer data;
} EntryWalk;

static gboolean
entry_walk (GQuark field_id, const GValue * value, gpointer user_data)
{
  EntryWalk *ew = user_data;
  const GstStructure *s;
  const gchar *t;

  if (!GST_VALUE_HOLDS_STRUCTURE (value) ||
      !(s = gst_value_get_structure (value)) || !(t = entry_type (s)))
    return TRUE;
  return ew->func (g_quark_to_string (field_id), s, t, ew->data);
}

static void
foreach_entry (const GstStructure * stats, EntryFunc func, gpointer data)
{
  EntryWalk ew = { func, data };

  ensure_debug_category ();
  gst_structure_foreach (stats, entry_walk, &ew);
}

static const GstStructure *
entry_by_id (const GstStructure * stats, const gchar * id)
{
  const GValue *v;

  if (id == NULL)
    return NULL;
  v = gst_structure_get_value (stats, id);
  if (v == NULL || !GST_VALUE_HOLDS_STRUCTURE (v))
    return NULL;
  return gst_value_get_structure (v);
}

/* the codec entry an rtp entry points at */
static const GstStructure *
codec_of (const GstStructure * stats, const GstStructure * rtp)
{
  const GstStructure *codec =
      entry_by_id (stats, gst_structure_get_string (rtp, "codec-id"));
  const gchar *t;

  if (codec == NULL)
    return NULL;
  t = entry_type (codec);
  if (t != NULL && strcmp (t, "codec") != 0)
    return NULL;
  return codec;
}

/* TRUE if the rtp entry is video: its "kind" says so, or (without a
 * "kind") its codec's mime-type is video/... */
static gboolean
is_video (const GstStructure * stats, const GstStructure * rtp)
{
  const gchar *kind = gst_structure_get_string (rtp, "kind");
  const GstStructure *codec;
  const gchar *mime;

  if (kind != NULL)
    return g_ascii_strcasecmp (kind, "video") == 0;

  codec = codec_of (stats, rtp);
  mime = codec ? gst_structure_get_string (codec, "mime-type") : NULL;
  return mime != NULL && g_ascii_strncasecmp (mime, "video/", 6) == 0;
}

typedef struct
{
  const GstStructure *stats;
  const gchar *type;            /* "outbound-rtp" / "inbound-rtp" */
  const gchar *bytes_field;     /* "bytes-sent" / "bytes-received" */
  guint64 sum;
  gboolean found;
  gchar *codec;                 /* for the codec lookup */
  gboolean want_codec;
} StatsWalk;

static gboolean
walk_entry (const gchar * name, const GstStructure * s, const gchar * t,
    gpointer user_data)
{
  StatsWalk *w = user_data;

  if (strcmp (t, w->type) != 0 || !is_video (w->stats, s))
    return TRUE;

  if (w->want_codec) {
    const GstStructure *codec = codec_of (w->stats, s);
    const gchar *mime = codec ? gst_structure_get_string (codec,
        "mime-type") : NULL;
    const gchar *slash = mime ? strchr (mime, '/') : NULL;

    if (slash != NULL && slash[1] != '\0') {
      w->codec = g_ascii_strup (slash + 1, -1);
      return FALSE;             /* first video entry with a codec wins */
    }
    return TRUE;
  } else {
    const GValue *bv = gst_structure_get_value (s, w->bytes_field);

    if (bv == NULL)
      return TRUE;
    if (G_VALUE_HOLDS_UINT64 (bv))
      w->sum += g_value_get_uint64 (bv);
    else if (G_VALUE_HOLDS_UINT (bv))
      w->sum += g_value_get_uint (bv);
    else if (G_VALUE_HOLDS_INT64 (bv) && g_value_get_int64 (bv) >= 0)
      w->sum += (guint64) g_value_get_int64 (bv);
    else {
      GST_WARNING ("stats entry %s: %s has unexpected type %s",
          name, w->bytes_field,
          G_VALUE_TYPE_NAME (bv));
      return TRUE;
    }
    w->found = TRUE;
  }
  return TRUE;
}

static gboolean
sum_bytes (const GstStructure * stats, const gchar * type,
    const gchar * field, guint64 * bytes)
{
  StatsWalk w = { stats, type, field, 0, FALSE, NULL, FALSE };

  if (bytes)
    *bytes = 0;
  g_return_val_if_fail (stats != NULL, FALSE);

  foreach_entry (stats, walk_entry, &w);
  if (bytes)
    *bytes = w.sum;
  return w.found;
}

gboolean
gst_wcs_stats_get_video_bytes_sent (const GstStructure * stats,
    guint64 * bytes)
{
  return sum_bytes (stats, "outbound-rtp", "bytes-sent", bytes);
}

gboolean
gst_wcs_stats_get_video_bytes_received (const GstStructure * stats,
    guint64 * bytes)
{
  return sum_bytes (stats, "inbound-rtp", "bytes-received", bytes);
}

gchar *
gst_wcs_stats_get_video_codec (const GstStructure * stats, gboolean outbound)
{
  StatsWalk w = { stats, outbound ? "outbound-rtp" : "inbound-rtp", NULL, 0,
    FALSE, NULL, TRUE
  };

  g_return_val_if_fail (stats != NULL, NULL);

  foreach_entry (stats, walk_entry, &w);
  return w.codec;
}

typedef struct
{
  guint32 ssrc;
  gboolean found;
  guint64 bytes;
  gchar *codec;
} SsrcWalk;

static gboolean
ssrc_walk (const gchar * name, const GstStructure * s, const gchar * t,
    gpointer user_data)
{
  SsrcWalk *w = user_data;
  guint ssrc = 0;

  if (!gst_structure_get_uint (s, "ssrc", &ssrc) || ssrc != w->ssrc)
    return TRUE;

  if (strcmp (t, "outbound-rtp") == 0) {
    guint64 bytes = 0;

    if (gst_structure_get_uint64 (s, "bytes-sent", &bytes)) {
      w->bytes += bytes;
      w->found = TRUE;
    }
  } else if (strcmp (t, "codec") == 0 && !w->codec) {
    const gchar *mime = gst_structure_get_string (s, "mime-type");

    if (mime && g_ascii_strncasecmp (mime, "video/", 6) == 0 && mime[6])
      w->codec = g_ascii_strup (mime + 6, -1);
  }
  return TRUE;
}

gboolean
gst_wcs_stats_get_ssrc_bytes_sent (const GstStructure * stats, guint32 ssrc,
    guint64 * bytes, gchar ** codec)
{
  SsrcWalk w = { ssrc, FALSE, 0, NULL };

  g_return_val_if_fail (stats != NULL, FALSE);

  foreach_entry (stats, ssrc_walk, &w);
  if (bytes)
    *bytes = w.bytes;
  if (codec)
    *codec = w.codec;
  else
    g_free (w.codec);
  return w.found;
}
