/* gst-wcs: wcsplaysrc's persistent outputs (sometimes pads, timestamps, GAPs)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "gstwcsplaysrc-private.h"

#define GST_CAT_DEFAULT gst_wcs_play_src_debug

/* a pad that got nothing for this long (or for twice its usual interval
 * between buffers, if longer: slow video) gets GAP events */
#define GAP_AFTER_US (150 * G_TIME_SPAN_MILLISECOND)
#define MAX_INTERVAL_US (G_TIME_SPAN_SECOND)
/* no-more-pads at the latest this long after the first pad */
#define NO_MORE_PADS_US (2000 * G_TIME_SPAN_MILLISECOND)
/* latency reported by the outputs */
#define OUTPUT_LATENCY (50 * GST_MSECOND)
/* audio arriving within this distance of the expected time stays contiguous */
#define AUDIO_CONTINUITY (40 * GST_MSECOND)
/* the outputs never queue more than this (oldest data dropped) */
#define OUTPUT_MAX_TIME (2 * GST_SECOND)

static const gchar *const kind_names[N_KINDS] = { "video", "audio" };

/* ------------------------------------------------------------------ */
/* outputs                                                             */

static gboolean
running_time_now (GstWcsPlaySrc * self, GstClockTime * rt)
{
  GstClock *clock;
  GstClockTime now, base;

  clock = gst_element_get_clock (GST_ELEMENT_CAST (self));
  if (!clock)
    return FALSE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (GST_ELEMENT_CAST (self));
  gst_object_unref (clock);

  *rt = now > base ? now - base : 0;
  return TRUE;
}

/* chain function of the ghost pads' internal pads: a pad the application
 * left unlinked drops its data instead of erroring out the whole source */
static GstFlowReturn
output_internal_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstFlowReturn ret;

  ret = gst_proxy_pad_chain_default (pad, parent, buffer);
  if (ret == GST_FLOW_NOT_LINKED) {
    GST_LOG_OBJECT (pad, "not linked, dropping");
    ret = GST_FLOW_OK;
  }
  return ret;
}

/* gives the outputs' stream-start one group id and meaningful stream ids */
static GstPadProbeReturn
output_event_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstWcsPlaySrc *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstEvent *fixed;
  GstStreamFlags flags = GST_STREAM_FLAG_NONE;
  const gchar *kind_name;
  gchar *stream_id;
  guint group_id;

  if (GST_EVENT_TYPE (event) != GST_EVENT_STREAM_START)
    return GST_PAD_PROBE_OK;

  kind_name = g_object_get_data (G_OBJECT (pad), "wcs-kind-name");
  g_mutex_lock (&self->lock);
  group_id = self->group_id;
  g_mutex_unlock (&self->lock);

  stream_id = gst_pad_create_stream_id (pad, GST_ELEMENT_CAST (self),
      kind_name);
  gst_event_parse_stream_flags (event, &flags);
  fixed = gst_event_new_stream_start (stream_id);
  gst_event_set_stream_flags (fixed, flags);
  gst_event_set_group_id (fixed, group_id);
  g_free (stream_id);

  gst_event_unref (event);
  GST_PAD_PROBE_INFO_DATA (info) = fixed;

  return GST_PAD_PROBE_OK;
}

/* Creates the persistent output of @kind if it does not exist yet. Called
 * from a streaming thread of a private pipeline. Returns TRUE if the output
 * exists. */
static gboolean
ensure_output (GstWcsPlaySrc * self, WcsKind kind)
{
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);
  WcsOutput *out = &self->out[kind];
  GstElement *appsrc;
  GstPad *srcpad, *ghost;
  GstProxyPad *internal;
  gboolean exists, running, all_there = FALSE;
  gchar *name;
  guint k;

  g_mutex_lock (&self->output_lock);

  g_mutex_lock (&self->lock);
  exists = out->appsrc != NULL;
  running = self->running;
  g_mutex_unlock (&self->lock);

  if (exists || !running) {
    g_mutex_unlock (&self->output_lock);
    return exists;
  }

  name = g_strdup_printf ("%s-output", kind_names[kind]);
  appsrc = gst_element_factory_make ("appsrc", name);
  g_free (name);
  if (!appsrc) {
    g_mutex_unlock (&self->output_lock);
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("Missing element 'appsrc'"), ("check your GStreamer installation"));
    return FALSE;
  }

  g_object_set (appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "do-timestamp", FALSE, "block", FALSE, "emit-signals", FALSE,
      "max-bytes", (guint64) 0, "max-buffers", (guint64) 0,
      "max-time", (guint64) OUTPUT_MAX_TIME,
      "min-latency", (gint64) OUTPUT_LATENCY, NULL);
  gst_app_src_set_leaky_type (GST_APP_SRC (appsrc),
      GST_APP_LEAKY_TYPE_DOWNSTREAM);

  gst_bin_add (GST_BIN_CAST (self), appsrc);

  srcpad = gst_element_get_static_pad (appsrc, "src");
  g_object_set_data (G_OBJECT (srcpad), "wcs-kind-name",
      (gpointer) kind_names[kind]);
  gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      output_event_probe, self, NULL);

  ghost = gst_ghost_pad_new_from_template (kind_names[kind], srcpad,
      gst_element_class_get_pad_template (klass, kind_names[kind]));
  gst_object_unref (srcpad);
  internal = gst_proxy_pad_get_internal (GST_PROXY_PAD (ghost));
  gst_pad_set_chain_function (GST_PAD_CAST (internal), output_internal_chain);
  gst_object_unref (internal);
  gst_pad_set_active (ghost, TRUE);

  g_mutex_lock (&self->lock);
  out->appsrc = gst_object_ref (appsrc);
  out->ghost = gst_object_ref (ghost);
  out->next_ts = GST_CLOCK_TIME_NONE;
  out->min_ts = 0;
  out->last_buffer = g_get_monotonic_time ();
  if (self->first_pad_time == 0)
    self->first_pad_time = out->last_buffer;
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "adding pad %s", kind_names[kind]);
  gst_element_add_pad (GST_ELEMENT_CAST (self), ghost);
  gst_element_sync_state_with_parent (appsrc);

  /* the pipeline computed its latency before this pad existed */
  gst_element_post_message (GST_ELEMENT_CAST (self),
      gst_message_new_latency (GST_OBJECT_CAST (self)));

  g_mutex_lock (&self->lock);
  if (!self->no_more_pads && self->expected != 0) {
    all_there = TRUE;
    for (k = 0; k < N_KINDS; k++) {
      if ((self->expected & KIND_BIT (k)) && self->out[k].appsrc == NULL)
        all_there = FALSE;
    }
    if (all_there)
      self->no_more_pads = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (all_there) {
    GST_INFO_OBJECT (self, "all announced media have pads: no-more-pads");
    gst_element_no_more_pads (GST_ELEMENT_CAST (self));
  }

  g_mutex_unlock (&self->output_lock);
  return TRUE;
}

/* Stamps and pushes one decoded (or depayloaded) sample of session @s.
 * Streaming thread of the private pipeline. */
static void
output_sample (GstWcsPlaySrc * self, PlaySession * s, WcsKind kind,
    GstSample * sample)
{
  WcsOutput *out = &self->out[kind];
  GstBuffer *buf;
  GstCaps *caps;
  GstClockTime rt, pts, dur;
  gboolean decode, same_session;
  gint64 now;

  buf = gst_sample_get_buffer (sample);
  if (!buf)
    return;

  /* a live source outputs nothing while PAUSED */
  if (GST_STATE (self) != GST_STATE_PLAYING)
    return;

  g_mutex_lock (&self->lock);
  if (!self->running || self->current != s) {
    g_mutex_unlock (&self->lock);
    return;
  }
  g_mutex_unlock (&self->lock);

  if (!ensure_output (self, kind))
    return;

  if (!running_time_now (self, &rt))
    return;

  caps = gst_sample_get_caps (sample);
  buf = gst_buffer_make_writable (gst_buffer_ref (buf));
  dur = GST_BUFFER_DURATION (buf);

  g_mutex_lock (&self->lock);
  if (!self->running || self->current != s) {
    g_mutex_unlock (&self->lock);
    gst_buffer_unref (buf);
    return;
  }
  decode = self->decode;

  if (caps && (!out->caps || !gst_caps_is_equal (out->caps, caps))) {
    GST_INFO_OBJECT (self, "%s caps %" GST_PTR_FORMAT, kind_names[kind],
        caps);
    gst_caps_replace (&out->caps, caps);
    gst_app_src_set_caps (GST_APP_SRC (out->appsrc), caps);
  }

  pts = rt;
  if (kind == KIND_AUDIO && GST_CLOCK_TIME_IS_VALID (out->next_ts)
      && out->session_seq == s->seq && !out->gapped
      && GST_CLOCK_DIFF (out->next_ts, rt) <= (GstClockTimeDiff)
      AUDIO_CONTINUITY
      && GST_CLOCK_DIFF (rt, out->next_ts) <= (GstClockTimeDiff)
      AUDIO_CONTINUITY)
    pts = out->next_ts;
  if (pts < out->min_ts)
    pts = out->min_ts;

  /* a new WebRTC session is a discontinuity; so is audio after a gap (a
   * late video frame after a GAP is not) */
  same_session = out->session_seq == s->seq;
  if (!same_session || (kind == KIND_AUDIO && out->gapped))
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  out->session_seq = s->seq;
  out->gapped = FALSE;

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DTS (buf) = decode ? GST_CLOCK_TIME_NONE : pts;
  GST_BUFFER_OFFSET (buf) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (buf) = GST_BUFFER_OFFSET_NONE;

  out->min_ts = pts;
  out->next_ts = GST_CLOCK_TIME_IS_VALID (dur) ? pts + dur : pts;
  now = g_get_monotonic_time ();
  if (same_session)
    out->interval = (3 * out->interval + CLAMP (now - out->last_buffer, 0,
            MAX_INTERVAL_US)) / 4;
  out->last_buffer = now;
  out->buffers++;

  GST_LOG_OBJECT (self, "%s buffer pts %" GST_TIME_FORMAT " dur %"
      GST_TIME_FORMAT, kind_names[kind], GST_TIME_ARGS (pts),
      GST_TIME_ARGS (dur));

  /* non-blocking (block=false, leaky): safe under our lock */
  gst_app_src_push_buffer (GST_APP_SRC (out->appsrc), buf);
  g_mutex_unlock (&self->lock);
}

GstFlowReturn
wcs_play_output_new_sample (GstAppSink * sink, gpointer user_data)
{
  PlaySession *s = user_data;
  GstSample *sample;
  WcsKind kind;

  sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_EOS;

  kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sink), "wcs-kind"));
  if (!wcs_play_session_is_dead (s))
    output_sample (s->src, s, kind, sample);

  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* periodic work on the element thread                                 */

void
wcs_play_output_tick_gaps (GstWcsPlaySrc * self, gint64 now)
{
  GstClockTime rt, start;
  guint k;

  if (GST_STATE (self) != GST_STATE_PLAYING)
    return;
  if (!running_time_now (self, &rt))
    return;

  g_mutex_lock (&self->lock);
  for (k = 0; k < N_KINDS; k++) {
    WcsOutput *out = &self->out[k];

    if (!out->appsrc || !out->caps || !self->running)
      continue;
    if (now - out->last_buffer < MAX (GAP_AFTER_US, 2 * out->interval))
      continue;
    start = GST_CLOCK_TIME_IS_VALID (out->next_ts) ?
        MAX (out->next_ts, out->min_ts) : out->min_ts;
    if (rt <= start)
      continue;
    GST_LOG_OBJECT (self, "%s gap %" GST_TIME_FORMAT " + %" GST_TIME_FORMAT,
        kind_names[k], GST_TIME_ARGS (start), GST_TIME_ARGS (rt - start));
    /* appsrc queues serialized events in order with the buffers */
    gst_element_send_event (out->appsrc, gst_event_new_gap (start,
            rt - start));
    out->next_ts = rt;
    out->min_ts = rt;
    out->gapped = TRUE;
    out->gaps++;
  }
  g_mutex_unlock (&self->lock);
}

void
wcs_play_output_tick_pads (GstWcsPlaySrc * self, gint64 now)
{
  gboolean emit = FALSE;

  g_mutex_lock (&self->lock);
  if (!self->no_more_pads && self->first_pad_time != 0
      && now - self->first_pad_time >= NO_MORE_PADS_US) {
    self->no_more_pads = TRUE;
    emit = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (emit) {
    GST_INFO_OBJECT (self, "no-more-pads (timeout)");
    gst_element_no_more_pads (GST_ELEMENT_CAST (self));
  }
}
