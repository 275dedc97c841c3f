/* gst-wcs: wcspublishsink internals shared by its source files (not installed)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gstwcspublishsink.c: the element (pads, inputs, offer/answer, vfuncs);
 * gstwcspubchain.c: the encoder/payloader chains and key frames;
 * gstwcspubstats.c: the statistics and the zero-bitrate detector.
 */
#ifndef __GST_WCS_PUBLISH_SINK_PRIVATE_H__
#define __GST_WCS_PUBLISH_SINK_PRIVATE_H__

#include <gst/gst.h>

#include "gstwcspublishsink.h"
#include "gstwcsbitrate.h"
#include "gstwcspeer.h"

G_BEGIN_DECLS

/* "wcspublishsink", initialized in gst_wcs_publish_sink_class_init () */
G_GNUC_INTERNAL GST_DEBUG_CATEGORY_EXTERN (gst_wcs_publish_sink_debug);

/* A persistent input: ghost pad -> appsink (sync, paces non-live input).
 * Lives from request_new_pad to release_pad. */
typedef struct
{
  GstWcsPublishSink *sink;      /* not a ref */
  gboolean is_video;
  GstPad *ghost;
  GstElement *appsink;
  GstCaps *caps;                /* sink->lock: last input caps */
  gboolean eos;                 /* sink->lock */
} WcsInput;

/* One publish attempt: one mediaSessionId, one webrtcbin. Created in
 * start_stream(), torn down in stop_stream(), all on the element thread;
 * refcounted because webrtcbin callbacks may outlive it. */
typedef struct
{
  gint ref;
  GstWcsPublishSink *sink;      /* a ref */
  gchar *id;

  gboolean has_video, has_audio;
  gboolean video_raw, audio_raw;
  GstCaps *vcaps, *acaps;       /* input caps at offer time */
  /* announced in the offer (a=ssrc) so that the server can tell the
   * bundled streams apart; the payloaders use them */
  guint32 video_ssrc, audio_ssrc;

  GstElement *webrtc;
  GstPad *vpad, *apad;          /* webrtcbin request sink pads */
  GPtrArray *elements;          /* chain elements added to the sink */
  GstPad *vpay_src;             /* video payloader src (key-frame requests) */

  GstWcsPeer *peer;             /* the negotiation (gst/gstwcspeer.c) */
  gboolean offer_started, offer_sent;
  gchar *codec;                 /* negotiated video codec */

  GSource *stats_source;
  GstWcsBitrateDetector *detector;
  gboolean detector_done;
  gboolean active_reported;     /* video bytes went out: the base knows */
  gboolean was_connected;       /* the peer connection reached CONNECTED */

  /* sink->lock */
  GstElement *vsrc, *asrc;      /* appsrc of the chains */
  gboolean flowing;             /* PUBLISHING: input is pushed */
  gboolean need_key;            /* encoded video: drop until a key frame */
} PubSession;

/*
 * Lock order: the base's locks (see gstwcselement.c) and self->lock are
 * never held together; self->lock is never held while calling into
 * webrtcbin, the base class, or while pushing buffers.
 */
struct _GstWcsPublishSink
{
  GstWcsElement parent;

  /* properties, GST_OBJECT_LOCK */
  gboolean check_bitrate;
  gboolean change_codec;
  guint bitrate_check_interval;
  guint bitrate_max_tries;
  gchar *strip_codecs;
  guint video_bitrate;
  gchar *h264_encoder;
  gchar *vp8_encoder;

  /* self->lock */
  GMutex lock;
  WcsInput *video;
  WcsInput *audio;
  PubSession *ps;
  gboolean fallback_vp8;        /* sticky H264 -> VP8 fallback */
  guint64 frames_dropped;
  guint64 bitrate;
  guint64 bytes;
  gboolean eos_handled;
};

/* gstwcspublishsink.c */

/* Any thread, no lock needed: is @codec an item of the comma list @csv? */
G_GNUC_INTERNAL
gboolean gst_wcs_publish_sink_csv_has (const gchar * csv,
    const gchar * codec);
/* Any thread, object lock not held (takes it): copy of a string property */
G_GNUC_INTERNAL
gchar *gst_wcs_publish_sink_get_string_prop (GstWcsPublishSink * self,
    gchar ** field);
/* Any thread, any lock held: takes a reference on @ps */
G_GNUC_INTERNAL
PubSession *gst_wcs_publish_sink_ps_ref (PubSession * ps);
/* Any thread, self->lock not held (the last unref frees): a GDestroyNotify */
G_GNUC_INTERNAL
void gst_wcs_publish_sink_ps_unref (gpointer data);
/* Any thread, self->lock not held (takes it): is @ps the current session? */
G_GNUC_INTERNAL
gboolean gst_wcs_publish_sink_ps_is_current (GstWcsPublishSink * self,
    PubSession * ps);
/* Any thread, no lock held: @func on the element thread if @ps is current */
G_GNUC_INTERNAL
void gst_wcs_publish_sink_ps_invoke (PubSession * ps,
    void (*func) (PubSession *, GstStructure *), GstStructure * s);

/* gstwcspubchain.c */

/* Any thread, no lock needed: parses and checks an encoder description */
G_GNUC_INTERNAL
GstElement *wcs_pub_chain_make_encoder (GstWcsPublishSink * self,
    const gchar * prop, const gchar * desc, GError ** error);
/* Element thread, no lock held (takes object lock, self->lock): video chain */
G_GNUC_INTERNAL
gboolean wcs_pub_chain_build_video (GstWcsPublishSink * self,
    PubSession * ps, const gchar * codec, gint pt, GError ** error);
/* Element thread, no lock held (takes self->lock briefly): the Opus chain */
G_GNUC_INTERNAL
gboolean wcs_pub_chain_build_audio (GstWcsPublishSink * self,
    PubSession * ps, gint pt, GError ** error);
/* Element thread, no lock held: a key frame from the encoder or upstream */
G_GNUC_INTERNAL
void wcs_pub_chain_force_key_unit (GstWcsPublishSink * self,
    PubSession * ps);

/* gstwcspubstats.c */

/* Element thread, no lock held: stats reading + zero-bitrate detector on */
G_GNUC_INTERNAL
void wcs_pub_stats_start (PubSession * ps);
/* Element thread, no lock held: stats reading + zero-bitrate detector off */
G_GNUC_INTERNAL
void wcs_pub_stats_stop (PubSession * ps);

G_END_DECLS

#endif /* __GST_WCS_PUBLISH_SINK_PRIVATE_H__ */
