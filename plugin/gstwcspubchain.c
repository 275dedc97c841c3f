/* gst-wcs: wcspublishsink, the encoder and payloader chains
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * After the server's answer: appsrc [-> videoconvert -> encoder (the
 * h264-encoder / vp8-encoder description)] -> parser/payloader -> webrtcbin
 * per media, and key-frame requests. Element thread.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include "gstwcspublishsink-private.h"

#define GST_CAT_DEFAULT gst_wcs_publish_sink_debug

/* ------------------------------------------------------------------ */
/* encoder chains                                                      */

static void
set_default_bitrate (GstElement * bin, const gchar * desc, guint kbps)
{
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  gboolean done = FALSE;

  if (!GST_IS_BIN (bin))
    return;

  it = gst_bin_iterate_recurse (GST_BIN (bin));
  while (!done) {
    switch (gst_iterator_next (it, &item)) {
      case GST_ITERATOR_OK:{
        GstElement *e = g_value_get_object (&item);
        GstElementFactory *f = gst_element_get_factory (e);
        const gchar *name = f ? GST_OBJECT_NAME (f) : "";

        if (g_str_equal (name, "x264enc") && !strstr (desc, "bitrate="))
          g_object_set (e, "bitrate", kbps, NULL);
        else if (g_str_equal (name, "vp8enc") &&
            !strstr (desc, "target-bitrate="))
          g_object_set (e, "target-bitrate", (gint) MIN (kbps * 1000,
                  (guint) G_MAXINT), NULL);
        g_value_reset (&item);
        break;
      }
      case GST_ITERATOR_RESYNC:
        gst_iterator_resync (it);
        break;
      default:
        done = TRUE;
        break;
    }
  }
  g_value_unset (&item);
  gst_iterator_free (it);
}

/* Parses an encoder description; error names the property */
GstElement *
wcs_pub_chain_make_encoder (GstWcsPublishSink * self, const gchar * prop,
    const gchar * desc, GError ** error)
{
  GError *err = NULL;
  GstElement *enc;

  if (!desc || !*desc) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "The '%s' property is empty", prop);
    return NULL;
  }

  enc = gst_parse_bin_from_description (desc, TRUE, &err);
  if (!enc || err) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Invalid '%s' property \"%s\": %s", prop, desc,
        err ? err->message : "cannot be parsed");
    g_clear_error (&err);
    if (enc)
      gst_object_unref (gst_object_ref_sink (enc));
    return NULL;
  }
  {
    GstPad *sp = gst_element_get_static_pad (enc, "sink");
    GstPad *srcp = gst_element_get_static_pad (enc, "src");
    gboolean ok = sp && srcp;

    gst_clear_object (&sp);
    gst_clear_object (&srcp);
    if (!ok) {
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
          "Invalid '%s' property \"%s\": needs one unlinked sink and one "
          "unlinked src pad", prop, desc);
      gst_object_unref (gst_object_ref_sink (enc));
      return NULL;
    }
  }
  return enc;
}

static GstElement *
add_element (GstWcsPublishSink * self, PubSession * ps, const gchar * factory,
    GError ** error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Missing element '%s' (check the GStreamer plugin packages)",
        factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (self), e);
  g_ptr_array_add (ps->elements, gst_object_ref (e));
  return e;
}

static void
adopt_element (GstWcsPublishSink * self, PubSession * ps, GstElement * e)
{
  gst_bin_add (GST_BIN (self), e);
  g_ptr_array_add (ps->elements, gst_object_ref (e));
}

static GstElement *
make_appsrc (GstWcsPublishSink * self, PubSession * ps, GstCaps * caps,
    GError ** error)
{
  GstElement *src = add_element (self, ps, "appsrc", error);

  if (!src)
    return NULL;
  g_object_set (src, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "do-timestamp", FALSE, "caps", caps, "max-buffers", (guint64) 60,
      "max-bytes", (guint64) 0, "max-time", (guint64) 0, "block", FALSE,
      NULL);
  gst_util_set_object_arg (G_OBJECT (src), "leaky-type", "downstream");
  return src;
}

/* Links @elems in order; the last one is linked to @sinkpad */
static gboolean
link_chain (GstElement ** elems, guint n, GstPad * sinkpad, GError ** error)
{
  guint i;
  GstPad *src;
  GstPadLinkReturn lret;

  for (i = 0; i + 1 < n; i++) {
    if (!gst_element_link (elems[i], elems[i + 1])) {
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
          "Could not link %s to %s", GST_OBJECT_NAME (elems[i]),
          GST_OBJECT_NAME (elems[i + 1]));
      return FALSE;
    }
  }
  src = gst_element_get_static_pad (elems[n - 1], "src");
  lret = gst_pad_link (src, sinkpad);
  gst_object_unref (src);
  if (lret != GST_PAD_LINK_OK) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Could not link %s to webrtcbin: %s", GST_OBJECT_NAME (elems[n - 1]),
        gst_pad_link_get_name (lret));
    return FALSE;
  }
  /* downstream first */
  for (i = n; i > 0; i--)
    gst_element_sync_state_with_parent (elems[i - 1]);
  return TRUE;
}

/* After the answer: the transceiver accepts exactly the chosen codec. The
 * encoder's real profile-level-id (e.g. 42c01f for x264's constrained
 * baseline) may differ from the offered 42e01f, so it is left open. */
static void
set_negotiated_preferences (GstPad * webrtc_pad, const gchar * caps_str)
{
  GstWebRTCRTPTransceiver *trans = NULL;
  GstCaps *caps = gst_caps_from_string (caps_str);

  g_object_get (webrtc_pad, "transceiver", &trans, NULL);
  if (trans) {
    g_object_set (trans, "codec-preferences", caps, NULL);
    gst_object_unref (trans);
  }
  gst_caps_unref (caps);
}

gboolean
wcs_pub_chain_build_video (GstWcsPublishSink * self, PubSession * ps,
    const gchar * codec, gint pt, GError ** error)
{
  GstElement *elems[8];
  guint n = 0;
  gboolean h264 = g_ascii_strcasecmp (codec, "H264") == 0;
  GstElement *src, *pay;
  gchar *prefs;

  src = make_appsrc (self, ps, ps->vcaps, error);
  if (!src)
    return FALSE;
  elems[n++] = src;

  if (ps->video_raw) {
    const gchar *prop = h264 ? "h264-encoder" : "vp8-encoder";
    gchar *desc = gst_wcs_publish_sink_get_string_prop (self,
        h264 ? &self->h264_encoder : &self->vp8_encoder);
    GstElement *conv, *enc;
    guint kbps;

    if (!(conv = add_element (self, ps, "videoconvert", error))) {
      g_free (desc);
      return FALSE;
    }
    elems[n++] = conv;
    enc = wcs_pub_chain_make_encoder (self, prop, desc, error);
    if (!enc) {
      g_free (desc);
      return FALSE;
    }
    GST_OBJECT_LOCK (self);
    kbps = self->video_bitrate;
    GST_OBJECT_UNLOCK (self);
    set_default_bitrate (enc, desc, kbps);
    g_free (desc);
    adopt_element (self, ps, enc);
    elems[n++] = enc;
  }

  if (h264) {
    GstElement *parse = add_element (self, ps, "h264parse", error);

    if (!parse)
      return FALSE;
    g_object_set (parse, "config-interval", -1, NULL);
    elems[n++] = parse;
    if (!(pay = add_element (self, ps, "rtph264pay", error)))
      return FALSE;
    /* h264parse already puts SPS/PPS before every IDR; the payloader must
     * not insert them again between the slices of a multi-slice picture
     * (x264 sliced threads), which splits the picture for receivers */
    g_object_set (pay, "config-interval", 0, "pt", (guint) pt, NULL);
    gst_util_set_object_arg (G_OBJECT (pay), "aggregate-mode", "zero-latency");
    prefs = g_strdup_printf ("application/x-rtp, media=(string)video, "
        "encoding-name=(string)H264, payload=(int)%d, clock-rate=(int)90000, "
        "packetization-mode=(string)1, ssrc=(uint)%u", pt, ps->video_ssrc);
  } else {
    if (!(pay = add_element (self, ps, "rtpvp8pay", error)))
      return FALSE;
    g_object_set (pay, "pt", (guint) pt, NULL);
    gst_util_set_object_arg (G_OBJECT (pay), "picture-id-mode", "15-bit");
    prefs = g_strdup_printf ("application/x-rtp, media=(string)video, "
        "encoding-name=(string)VP8, payload=(int)%d, clock-rate=(int)90000, "
        "ssrc=(uint)%u", pt, ps->video_ssrc);
  }
  g_object_set (pay, "ssrc", ps->video_ssrc, NULL);
  elems[n++] = pay;

  set_negotiated_preferences (ps->vpad, prefs);
  g_free (prefs);

  if (!link_chain (elems, n, ps->vpad, error))
    return FALSE;

  ps->vpay_src = gst_element_get_static_pad (pay, "src");
  g_mutex_lock (&self->lock);
  ps->vsrc = gst_object_ref (src);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
wcs_pub_chain_build_audio (GstWcsPublishSink * self, PubSession * ps, gint pt,
    GError ** error)
{
  GstElement *elems[6];
  guint n = 0;
  GstElement *src, *pay;
  gchar *prefs;

  if (!(src = make_appsrc (self, ps, ps->acaps, error)))
    return FALSE;
  elems[n++] = src;
  if (ps->audio_raw) {
    const gchar *names[] = { "audioconvert", "audioresample", "opusenc" };
    guint i;

    for (i = 0; i < G_N_ELEMENTS (names); i++) {
      GstElement *e = add_element (self, ps, names[i], error);

      if (!e)
        return FALSE;
      elems[n++] = e;
    }
  }
  if (!(pay = add_element (self, ps, "rtpopuspay", error)))
    return FALSE;
  g_object_set (pay, "pt", (guint) pt, "ssrc", ps->audio_ssrc, NULL);
  elems[n++] = pay;

  prefs = g_strdup_printf ("application/x-rtp, media=(string)audio, "
      "encoding-name=(string)OPUS, payload=(int)%d, clock-rate=(int)48000, "
      "ssrc=(uint)%u", pt, ps->audio_ssrc);
  set_negotiated_preferences (ps->apad, prefs);
  g_free (prefs);

  if (!link_chain (elems, n, ps->apad, error))
    return FALSE;

  g_mutex_lock (&self->lock);
  ps->asrc = gst_object_ref (src);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* key frames                                                          */

void
wcs_pub_chain_force_key_unit (GstWcsPublishSink * self, PubSession * ps)
{
  if (!ps->has_video)
    return;

  if (ps->video_raw) {
    /* travels up from the payloader to the encoder */
    if (ps->vpay_src) {
      GST_DEBUG_OBJECT (self, "forcing a key frame from the encoder");
      gst_pad_send_event (ps->vpay_src,
          gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
              TRUE, 0));
    }
  } else {
    GstElement *appsink = NULL;

    g_mutex_lock (&self->lock);
    ps->need_key = TRUE;
    if (self->video)
      appsink = gst_object_ref (self->video->appsink);
    g_mutex_unlock (&self->lock);
    if (appsink) {
      GST_DEBUG_OBJECT (self, "asking upstream for a key frame");
      gst_element_send_event (appsink,
          gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
              TRUE, 0));
      gst_object_unref (appsink);
    }
  }
}
