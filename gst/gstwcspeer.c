/* gst-wcs: one WebRTC peer (one webrtcbin, one offer/answer)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * GstWcsPeer drives one webrtcbin through one negotiation, the same way for
 * our two elements (offerers: WCS answers their offer) and for wcs-relay
 * (answerer):
 *
 *   offerer:  start -> create-offer -> set-local -> [gathering wait]
 *             -> local_description (send it) ... set_remote_description
 *             (the answer) -> remote_applied
 *   answerer: set_remote_description (the offer) -> create-answer
 *             -> set-local -> [gathering wait] -> local_description
 *
 * then connected, or failed (once, with a typed #GstWcsPeerFailure).
 *
 * Threads: webrtcbin replies to promises and notifies its states on its own
 * threads; every step that reaches the owner is moved to the owner's
 * GMainContext (an idle source holding a reference), where it is dropped if
 * the peer was closed or failed meanwhile. So the callbacks never run on a
 * webrtcbin or streaming thread, never concurrently, and never after
 * gst_wcs_peer_close() (called on the context's thread; from another thread
 * a callback already running may still finish).
 *
 * The gathering wait: the SDK sends its offer at once, with no candidates
 * (trickle-less WCS then learns them from ICE checks); webrtcbin's local
 * description carries the candidates gathered so far, so we wait for
 * gathering to complete, bounded by the gather timeout (0: no bound of its
 * own). The negotiation timeout (0: none) bounds the whole way to the
 * local description: when it expires with the local description set, what
 * was gathered is sent; before that, the peer fails with TIMEOUT.
 *
 * The owner keeps its webrtcbin (in its bin or its own pipeline) and tears
 * it down itself, after gst_wcs_peer_close().
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/webrtc/webrtc.h>

#include "gstwcspeer.h"
#include "gstwcsprotocol.h"

GST_DEBUG_CATEGORY_STATIC (gst_wcs_peer_debug);
#define GST_CAT_DEFAULT gst_wcs_peer_debug

static void
ensure_debug_category (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_wcs_peer_debug, "wcspeer", 0,
        "gst-wcs WebRTC peer (webrtcbin offer/answer)");
    g_once_init_leave (&done, 1);
  }
}

struct _GstWcsPeer
{
  gatomicrefcount ref;
  GstWcsPeerRole role;
  GstElement *webrtc;
  GMainContext *context;
  GstWcsPeerCallbacks cb;
  gpointer user_data;
  GDestroyNotify notify;
  gulong handlers[4];

  /* set before start / set_remote_description */
  gchar *label;
  guint gather_timeout_ms;
  guint negotiation_timeout_ms;

  gint closed;                  /* atomic */
  gint local_set;               /* atomic: set-local-description done */
  gint connected;               /* atomic */
  gint started;                 /* atomic: offer or answer under way */

  /* the context's thread only */
  gboolean failed;
  gboolean local_sent;
  GSource *gather_timer;
  GSource *negotiation_timer;

  GMutex lock;
  GPtrArray *candidates;        /* "MLINE candidate:..." (on-ice-candidate) */
  /* every source attached to the owner's context and not yet destroyed (a
   * ref each): gst_wcs_peer_close() destroys them. Each holds a reference
   * on the peer, which holds the context: left there, a source attached
   * after the owner stopped iterating its context would keep context,
   * peer and webrtcbin alive for good. */
  GPtrArray *pending;
  /* every promise handed to webrtcbin and not answered yet (a ref each):
   * gst_wcs_peer_close() interrupts them (see peer_promise_new) */
  GPtrArray *promises;
};

const gchar *
gst_wcs_peer_failure_to_string (GstWcsPeerFailure failure)
{
  switch (failure) {
    case GST_WCS_PEER_FAILURE_CREATE:
      return "create";
    case GST_WCS_PEER_FAILURE_LOCAL:
      return "local-description";
    case GST_WCS_PEER_FAILURE_REMOTE:
      return "remote-description";
    case GST_WCS_PEER_FAILURE_TIMEOUT:
      return "timeout";
    case GST_WCS_PEER_FAILURE_ICE:
      return "ice";
    case GST_WCS_PEER_FAILURE_CONNECTION:
      return "connection";
  }
  return "unknown";
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/**
 * gst_wcs_promise_error:
 * @promise: a promise webrtcbin replied to (or not)
 *
 * Returns: (transfer full) (nullable): what went wrong, NULL if the reply
 * carries no error
 */
gchar *
gst_wcs_promise_error (GstPromise * promise)
{
  const GstStructure *reply;
  GError *err = NULL;
  gchar *msg;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return g_strdup ("webrtcbin did not answer");
  reply = gst_promise_get_reply (promise);
  if (!reply || !gst_structure_has_field (reply, "error"))
    return NULL;
  if (!gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL) || !err)
    return g_strdup ("unknown webrtcbin error");
  msg = g_strdup (err->message);
  g_error_free (err);
  return msg;
}

static gpointer
make_certificate (gpointer data)
{
  gint64 t0 = g_get_monotonic_time ();
  /* a dtlsdec without "pem" takes the process-wide agent, whose
   * certificate the first one generates and the agent keeps */
  GstElement *dec = gst_element_factory_make ("dtlsdec", NULL);

  if (!dec) {
    GST_WARNING ("no dtlsdec (gst-plugins-bad dtls): no WebRTC media");
    return NULL;
  }
  gst_object_unref (dec);
  GST_DEBUG ("DTLS certificate made in %" G_GINT64_FORMAT " ms",
      (g_get_monotonic_time () - t0) / 1000);
  return NULL;
}

void
gst_wcs_peer_prepare_certificate (void)
{
  static gsize started = 0;

  ensure_debug_category ();
  if (g_once_init_enter (&started)) {
    g_thread_unref (g_thread_new ("wcs-dtls-cert", make_certificate, NULL));
    g_once_init_leave (&started, 1);
  }
}

/**
 * gst_wcs_peer_disable_upnp:
 * @webrtc: a webrtcbin
 *
 * We connect out to the server (or are the server, on loopback), which
 * learns the address from the ICE checks: UPnP port mappings (libnice's
 * default) are of no use, cost a thread and warn when no gateway answers.
 */
void
gst_wcs_peer_disable_upnp (GstElement * webrtc)
{
  GObject *ice = NULL, *agent = NULL;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice),
          "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent && g_object_class_find_property (G_OBJECT_GET_CLASS (agent),
          "upnp"))
    g_object_set (agent, "upnp", FALSE, NULL);
  g_clear_object (&agent);
  g_clear_object (&ice);
}

static void
set_straggler_null (const GValue * item, gpointer user_data)
{
  GstElement *e = g_value_get_object (item);
  guint *count = user_data;

  if (GST_STATE (e) == GST_STATE_NULL && GST_STATE_PENDING (e) ==
      GST_STATE_VOID_PENDING)
    return;
  GST_DEBUG_OBJECT (e, "still in %s after its bin reached NULL",
      gst_element_state_get_name (GST_STATE (e)));
  gst_element_set_state (e, GST_STATE_NULL);
  (*count)++;
}

/**
 * gst_wcs_peer_shutdown:
 * @element: a webrtcbin, or a bin holding one
 *
 * Sets @element to NULL, then every element inside it that is still above
 * NULL. webrtcbin's operation thread can add a transport (dtlssrtpenc,
 * nicesink, ...) and sync it to the bin's state while the bin goes down; it
 * stops that thread only once its children reached NULL, so such a
 * transport is left in READY and later disposed in READY. Once
 * gst_element_set_state() returned that thread is gone and the sweep
 * cannot race with it.
 *
 * Returns: the state change's result for @element
 */
GstStateChangeReturn
gst_wcs_peer_shutdown (GstElement * element)
{
  GstStateChangeReturn ret;
  GstIterator *it;
  guint count = 0;

  g_return_val_if_fail (GST_IS_ELEMENT (element), GST_STATE_CHANGE_FAILURE);

  ensure_debug_category ();
  ret = gst_element_set_state (element, GST_STATE_NULL);
  if (!GST_IS_BIN (element))
    return ret;

  it = gst_bin_iterate_recurse (GST_BIN (element));
  while (gst_iterator_foreach (it, set_straggler_null, &count) ==
      GST_ITERATOR_RESYNC)
    gst_iterator_resync (it);
  gst_iterator_free (it);
  if (count)
    GST_INFO_OBJECT (element, "%u element(s) inside were still above NULL",
        count);
  return ret;
}

/**
 * gst_wcs_peer_set_ice_transport:
 * @webrtc: a webrtcbin, before its first offer / answer
 * @transport: the WCS "transport" of the stream
 *
 * Which candidates @webrtc's ICE agent gathers: %GST_WCS_TRANSPORT_TCP
 * gives ICE-TCP only (ice-udp off, ice-tcp on: passive and active TCP host
 * candidates, RFC 6544), %GST_WCS_TRANSPORT_UDP UDP only (ice-tcp off),
 * %GST_WCS_TRANSPORT_AUTO leaves webrtcbin's defaults (both).
 *
 * Returns: %FALSE when the ICE agent has no ice-udp / ice-tcp property
 * (nothing is changed then).
 */
gboolean
gst_wcs_peer_set_ice_transport (GstElement * webrtc, GstWcsTransport transport)
{
  GObject *ice = NULL;
  GObjectClass *klass;
  gboolean ok = TRUE;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtc), FALSE);

  ensure_debug_category ();

  if (transport == GST_WCS_TRANSPORT_AUTO)
    return TRUE;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return FALSE;
  klass = G_OBJECT_GET_CLASS (ice);
  if (!g_object_class_find_property (klass, "ice-udp") ||
      !g_object_class_find_property (klass, "ice-tcp")) {
    GST_WARNING_OBJECT (webrtc, "ICE agent has no ice-udp / ice-tcp: "
        "cannot restrict it to %s", gst_wcs_transport_to_string (transport));
    ok = FALSE;
  } else {
    gboolean tcp = transport == GST_WCS_TRANSPORT_TCP;

    g_object_set (ice, "ice-udp", !tcp, "ice-tcp", tcp, NULL);
    GST_DEBUG_OBJECT (webrtc, "ICE over %s only",
        gst_wcs_transport_to_string (transport));
  }
  g_object_unref (ice);
  return ok;
}

/* ------------------------------------------------------------------ */
/* life cycle                                                          */

/**
 * gst_wcs_peer_new:
 * @webrtc: (transfer none): a webrtcbin, configured (transceivers, bundle
 *   policy) and placed by the owner
 * @role: offerer or answerer
 * @context: (transfer none): where every callback runs
 * @callbacks: (nullable): copied
 * @user_data: for the callbacks
 * @notify: (nullable): frees @user_data with the peer
 *
 * Returns: (transfer full): a peer; nothing happens before
 *   gst_wcs_peer_start() (offerer) or gst_wcs_peer_set_remote_description()
 */
GstWcsPeer *
gst_wcs_peer_new (GstElement * webrtc, GstWcsPeerRole role,
    GMainContext * context, const GstWcsPeerCallbacks * callbacks,
    gpointer user_data, GDestroyNotify notify)
{
  GstWcsPeer *peer;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtc), NULL);
  g_return_val_if_fail (context != NULL, NULL);

  ensure_debug_category ();
  peer = g_new0 (GstWcsPeer, 1);
  g_atomic_ref_count_init (&peer->ref);
  peer->role = role;
  peer->webrtc = gst_object_ref (webrtc);
  peer->context = g_main_context_ref (context);
  if (callbacks)
    peer->cb = *callbacks;
  peer->user_data = user_data;
  peer->notify = notify;
  peer->label = g_strdup (GST_OBJECT_NAME (webrtc));
  peer->gather_timeout_ms = 1000;
  g_mutex_init (&peer->lock);
  peer->candidates = g_ptr_array_new_with_free_func (g_free);
  peer->pending = g_ptr_array_new ();
  peer->promises = g_ptr_array_new ();
  return peer;
}

static void clear_timer (GSource ** timer);

GstWcsPeer *
gst_wcs_peer_ref (GstWcsPeer * peer)
{
  g_return_val_if_fail (peer != NULL, NULL);
  g_atomic_ref_count_inc (&peer->ref);
  return peer;
}

void
gst_wcs_peer_unref (GstWcsPeer * peer)
{
  g_return_if_fail (peer != NULL);
  if (!g_atomic_ref_count_dec (&peer->ref))
    return;
  /* the sources and the signal handlers hold references: none is left */
  g_assert (peer->pending->len == 0);
  g_ptr_array_unref (peer->pending);
  /* each holds a reference on the peer until answered or interrupted */
  g_assert (peer->promises->len == 0);
  g_ptr_array_unref (peer->promises);
  clear_timer (&peer->gather_timer);
  clear_timer (&peer->negotiation_timer);
  if (peer->notify)
    peer->notify (peer->user_data);
  gst_object_unref (peer->webrtc);
  g_main_context_unref (peer->context);
  g_ptr_array_unref (peer->candidates);
  g_mutex_clear (&peer->lock);
  g_free (peer->label);
  g_free (peer);
}

/**
 * gst_wcs_peer_set_label:
 * @peer: a peer
 * @label: what the log calls it (e.g. the mediaSessionId)
 */
void
gst_wcs_peer_set_label (GstWcsPeer * peer, const gchar * label)
{
  g_return_if_fail (peer != NULL);
  g_free (peer->label);
  peer->label = g_strdup (label ? label : "?");
}

/**
 * gst_wcs_peer_set_gather_timeout:
 * @peer: a peer, not started
 * @ms: longest wait for ICE gathering after the local description is set
 *   (default 1000; 0: no wait of its own, see the negotiation timeout)
 */
void
gst_wcs_peer_set_gather_timeout (GstWcsPeer * peer, guint ms)
{
  g_return_if_fail (peer != NULL);
  peer->gather_timeout_ms = ms;
}

/**
 * gst_wcs_peer_set_negotiation_timeout:
 * @peer: a peer, not started
 * @ms: longest time from the start to the local description (default 0:
 *   none)
 */
void
gst_wcs_peer_set_negotiation_timeout (GstWcsPeer * peer, guint ms)
{
  g_return_if_fail (peer != NULL);
  peer->negotiation_timeout_ms = ms;
}

/**
 * gst_wcs_peer_get_webrtc:
 * Returns: (transfer none): the webrtcbin
 */
GstElement *
gst_wcs_peer_get_webrtc (GstWcsPeer * peer)
{
  g_return_val_if_fail (peer != NULL, NULL);
  return peer->webrtc;
}

gboolean
gst_wcs_peer_is_connected (GstWcsPeer * peer)
{
  g_return_val_if_fail (peer != NULL, FALSE);
  return g_atomic_int_get (&peer->connected) != 0;
}

static gboolean
is_closed (GstWcsPeer * peer)
{
  return g_atomic_int_get (&peer->closed) != 0;
}

static void
clear_timer (GSource ** timer)
{
  if (*timer) {
    g_source_destroy (*timer);
    g_source_unref (*timer);
    *timer = NULL;
  }
}

/**
 * gst_wcs_peer_close:
 * @peer: a peer
 *
 * No callback starts after this (call it on the context's thread to be
 * sure none is running either). Disconnects from webrtcbin; the owner then
 * tears its webrtcbin down. Idempotent.
 */
void
gst_wcs_peer_close (GstWcsPeer * peer)
{
  gulong handlers[G_N_ELEMENTS (peer->handlers)];
  GPtrArray *pending, *promises;
  guint i;

  g_return_if_fail (peer != NULL);
  g_mutex_lock (&peer->lock);
  if (!g_atomic_int_compare_and_exchange (&peer->closed, 0, 1)) {
    g_mutex_unlock (&peer->lock);
    return;
  }
  /* after this no handler is connected, no source attached and no promise
   * handed out (all check @closed under the lock) */
  memcpy (handlers, peer->handlers, sizeof (handlers));
  memset (peer->handlers, 0, sizeof (peer->handlers));
  pending = peer->pending;
  peer->pending = g_ptr_array_new ();
  promises = peer->promises;
  peer->promises = g_ptr_array_new ();
  g_mutex_unlock (&peer->lock);

  /* their change functions run now (INTERRUPTED, ignored: closed) or ran
   * already; webrtcbin's late reply is then dropped by GstPromise */
  for (i = 0; i < promises->len; i++) {
    gst_promise_interrupt (promises->pdata[i]);
    gst_promise_unref (promises->pdata[i]);
  }
  g_ptr_array_unref (promises);

  for (i = 0; i < G_N_ELEMENTS (handlers); i++) {
    if (handlers[i])
      g_signal_handler_disconnect (peer->webrtc, handlers[i]);
  }
  /* the timers among them too; their fields go with the peer */
  for (i = 0; i < pending->len; i++) {
    g_source_destroy (pending->pdata[i]);
    g_source_unref (pending->pdata[i]);
  }
  g_ptr_array_unref (pending);
  GST_DEBUG ("%s: closed", peer->label);
}

/* ------------------------------------------------------------------ */
/* to the owner's context                                              */

typedef void (*PeerStep) (GstWcsPeer * peer, gpointer data);

/* A source on the owner's context, known to the peer until destroyed */
typedef struct
{
  GstWcsPeer *peer;             /* a reference */
  GSource *src;
  GSourceFunc func;
  gpointer data;
  GDestroyNotify notify;
} PeerSource;

static gboolean
peer_source_dispatch (gpointer user_data)
{
  PeerSource *ps = user_data;

  return ps->func (ps->data);
}

static void
peer_source_free (gpointer user_data)
{
  PeerSource *ps = user_data;
  GstWcsPeer *peer = ps->peer;
  gboolean known;

  if (ps->notify)
    ps->notify (ps->data);
  g_mutex_lock (&peer->lock);
  known = g_ptr_array_remove_fast (peer->pending, ps->src);
  g_mutex_unlock (&peer->lock);
  if (known)
    g_source_unref (ps->src);
  gst_wcs_peer_unref (peer);
  g_free (ps);
}

/* Attaches @src (taking the caller's reference) to the owner's context
 * unless the peer is closed. Returns: (transfer full) (nullable): @src,
 * NULL if closed (then @src and @data are already freed). Any thread. */
static GSource *
peer_attach (GstWcsPeer * peer, GSource * src, GSourceFunc func,
    gpointer data, GDestroyNotify notify)
{
  PeerSource *ps;

  g_mutex_lock (&peer->lock);
  if (is_closed (peer)) {
    g_mutex_unlock (&peer->lock);
    g_source_unref (src);
    if (notify)
      notify (data);
    return NULL;
  }
  ps = g_new0 (PeerSource, 1);
  ps->peer = gst_wcs_peer_ref (peer);
  ps->src = src;
  ps->func = func;
  ps->data = data;
  ps->notify = notify;
  g_source_set_callback (src, peer_source_dispatch, ps, peer_source_free);
  g_ptr_array_add (peer->pending, g_source_ref (src));
  /* GLib calls no callback with its context lock held: peer lock, then
   * context lock is the only order */
  g_source_attach (src, peer->context);
  g_mutex_unlock (&peer->lock);
  return src;
}

typedef struct
{
  GstWcsPeer *peer;             /* the PeerSource holds the reference */
  PeerStep step;
  gpointer data;
  GDestroyNotify free_data;
} PeerCall;

static gboolean
peer_call_run (gpointer user_data)
{
  PeerCall *call = user_data;

  if (!is_closed (call->peer) && !call->peer->failed)
    call->step (call->peer, call->data);
  return G_SOURCE_REMOVE;
}

static void
peer_call_free (gpointer user_data)
{
  PeerCall *call = user_data;

  if (call->free_data)
    call->free_data (call->data);
  g_free (call);
}

/* Always through an idle source, never in the calling thread */
static void
invoke (GstWcsPeer * peer, PeerStep step, gpointer data,
    GDestroyNotify free_data)
{
  PeerCall *call = g_new0 (PeerCall, 1);
  GSource *src = g_idle_source_new ();

  call->peer = peer;
  call->step = step;
  call->data = data;
  call->free_data = free_data;
  g_source_set_priority (src, G_PRIORITY_DEFAULT);
  src = peer_attach (peer, src, peer_call_run, call, peer_call_free);
  if (src)
    g_source_unref (src);
}

static GSource *
add_timer (GstWcsPeer * peer, guint ms, GSourceFunc func)
{
  return peer_attach (peer, g_timeout_source_new (ms), func, peer, NULL);
}

typedef struct
{
  GstWcsPeerFailure failure;
  gchar *detail;
} FailData;

static void
fail_data_free (gpointer data)
{
  FailData *fd = data;

  g_free (fd->detail);
  g_free (fd);
}

/* context thread */
static void
fail_step (GstWcsPeer * peer, gpointer data)
{
  FailData *fd = data;

  peer->failed = TRUE;
  clear_timer (&peer->gather_timer);
  clear_timer (&peer->negotiation_timer);
  GST_WARNING ("%s: %s failed: %s", peer->label,
      gst_wcs_peer_failure_to_string (fd->failure), fd->detail);
  if (peer->cb.failed)
    peer->cb.failed (peer, fd->failure, fd->detail, peer->user_data);
}

/* any thread */
static void
fail (GstWcsPeer * peer, GstWcsPeerFailure failure, const gchar * format, ...)
    G_GNUC_PRINTF (3, 4);

static void
fail (GstWcsPeer * peer, GstWcsPeerFailure failure, const gchar * format, ...)
{
  FailData *fd = g_new0 (FailData, 1);
  va_list args;

  va_start (args, format);
  fd->failure = failure;
  fd->detail = g_strdup_vprintf (format, args);
  va_end (args);
  invoke (peer, fail_step, fd, fail_data_free);
}

/* ------------------------------------------------------------------ */
/* local description                                                   */

static guint
count_candidates (const GstSDPMessage * sdp)
{
  guint i, j, n = 0;

  for (i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
    for (j = 0; j < gst_sdp_media_attributes_len (m); j++)
      if (g_strcmp0 (gst_sdp_media_get_attribute (m, j)->key,
              "candidate") == 0)
        n++;
  }
  return n;
}

/* webrtcbin's local description can miss the candidates it announced with
 * on-ice-candidate (it depends on when it was read): put them in */
static void
add_missing_candidates (GstWcsPeer * peer, GstSDPMessage * sdp)
{
  guint i;

  if (count_candidates (sdp) > 0)
    return;
  g_mutex_lock (&peer->lock);
  for (i = 0; i < peer->candidates->len; i++) {
    const gchar *c = g_ptr_array_index (peer->candidates, i);
    gchar *end = NULL;
    guint mline = (guint) g_ascii_strtoull (c, &end, 10);
    GstSDPMedia *m;

    if (!end || *end != ' ' || mline >= gst_sdp_message_medias_len (sdp))
      continue;
    m = (GstSDPMedia *) gst_sdp_message_get_media (sdp, mline);
    end++;
    if (g_str_has_prefix (end, "candidate:"))
      end += strlen ("candidate:");
    gst_sdp_media_add_attribute (m, "candidate", end);
  }
  g_mutex_unlock (&peer->lock);
}

/* context thread: hands the local description over, once */
static void
deliver_step (GstWcsPeer * peer, gpointer data)
{
  gboolean complete = GPOINTER_TO_INT (data);
  GstWebRTCSessionDescription *desc = NULL;
  GstSDPMessage *copy = NULL;

  if (peer->local_sent || !g_atomic_int_get (&peer->local_set))
    return;
  peer->local_sent = TRUE;
  clear_timer (&peer->gather_timer);
  clear_timer (&peer->negotiation_timer);

  g_object_get (peer->webrtc, "local-description", &desc, NULL);
  if (!desc || !desc->sdp
      || gst_sdp_message_copy (desc->sdp, &copy) != GST_SDP_OK) {
    if (desc)
      gst_webrtc_session_description_free (desc);
    fail_step (peer, &(FailData) {
        GST_WCS_PEER_FAILURE_LOCAL, (gchar *) "webrtcbin has no local "
        "description"});
    return;
  }
  gst_webrtc_session_description_free (desc);
  add_missing_candidates (peer, copy);
  if (!complete)
    GST_INFO ("%s: ICE gathering not complete, sending the %s with %u "
        "candidate(s)", peer->label, peer->role == GST_WCS_PEER_OFFERER ?
        "offer" : "answer", count_candidates (copy));
  else
    GST_DEBUG ("%s: local description ready", peer->label);
  if (peer->cb.local_description)
    peer->cb.local_description (peer, copy, complete, peer->user_data);
  gst_sdp_message_free (copy);
}

static gboolean
gather_timeout_cb (gpointer data)
{
  GstWcsPeer *peer = data;

  if (peer->gather_timer) {
    g_source_unref (peer->gather_timer);
    peer->gather_timer = NULL;
  }
  if (!is_closed (peer) && !peer->failed)
    deliver_step (peer, GINT_TO_POINTER (FALSE));
  return G_SOURCE_REMOVE;
}

static gboolean
negotiation_timeout_cb (gpointer data)
{
  GstWcsPeer *peer = data;

  if (peer->negotiation_timer) {
    g_source_unref (peer->negotiation_timer);
    peer->negotiation_timer = NULL;
  }
  if (is_closed (peer) || peer->failed || peer->local_sent)
    return G_SOURCE_REMOVE;
  if (g_atomic_int_get (&peer->local_set)) {
    deliver_step (peer, GINT_TO_POINTER (FALSE));
  } else {
    FailData fd = { GST_WCS_PEER_FAILURE_TIMEOUT, NULL };
    fd.detail = g_strdup_printf ("no local description after %u ms",
        peer->negotiation_timeout_ms);
    fail_step (peer, &fd);
    g_free (fd.detail);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
gathering_complete (GstWcsPeer * peer)
{
  GstWebRTCICEGatheringState state;

  g_object_get (peer->webrtc, "ice-gathering-state", &state, NULL);
  return state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
}

/* context thread: the local description is set */
static void
local_set_step (GstWcsPeer * peer, gpointer data)
{
  if (peer->local_sent)
    return;
  if (gathering_complete (peer)) {
    deliver_step (peer, GINT_TO_POINTER (TRUE));
    return;
  }
  /* bounded wait for the candidates; on_gathering_state may win (then the
   * timer is cleared) */
  if (peer->gather_timeout_ms > 0 && !peer->gather_timer)
    peer->gather_timer = add_timer (peer, peer->gather_timeout_ms,
        gather_timeout_cb);
}

/* Promises handed to webrtcbin. webrtcbin holds one while the operation
 * waits in its queue and, if it closes first, drops it unanswered (1.22:
 * the operation's idle source dies with its context). GstPromise warns when
 * a pending promise is freed, and a reference kept for the change function
 * would never go (promise -> peer -> webrtcbin: a player stopped within
 * milliseconds of starting left its webrtcbin and ICE agent thread behind).
 * So the peer keeps each until its change function ran, and
 * gst_wcs_peer_close() interrupts the rest. NULL once closed. */
static GstPromise *
peer_promise_new (GstWcsPeer * peer, GstPromiseChangeFunc func,
    gpointer data, GDestroyNotify notify)
{
  GstPromise *promise = NULL;

  g_mutex_lock (&peer->lock);
  if (!is_closed (peer)) {
    promise = gst_promise_new_with_change_func (func, data, notify);
    g_ptr_array_add (peer->promises, gst_promise_ref (promise));
  }
  g_mutex_unlock (&peer->lock);
  if (!promise && notify)
    notify (data);
  return promise;
}

/* first step of every change function: @promise was answered or
 * interrupted, the peer lets it go */
static void
peer_promise_done (GstWcsPeer * peer, GstPromise * promise)
{
  gboolean held;

  g_mutex_lock (&peer->lock);
  held = g_ptr_array_remove_fast (peer->promises, promise);
  g_mutex_unlock (&peer->lock);
  if (held)
    gst_promise_unref (promise);
}

/* any thread: TRUE if webrtcbin refused @what (@promise's reply), and then
 * the peer fails with @failure */
static gboolean
refused (GstWcsPeer * peer, GstPromise * promise, GstWcsPeerFailure failure,
    const gchar * what)
{
  gchar *error = gst_wcs_promise_error (promise);

  if (!error)
    return FALSE;
  fail (peer, failure, "%s failed: %s", what, error);
  g_free (error);
  return TRUE;
}

static void
on_local_description_set (GstPromise * promise, gpointer user_data)
{
  GstWcsPeer *peer = user_data;

  peer_promise_done (peer, promise);
  if (!refused (peer, promise, GST_WCS_PEER_FAILURE_LOCAL,
          "set-local-description")) {
    g_atomic_int_set (&peer->local_set, 1);
    invoke (peer, local_set_step, NULL, NULL);
  }
}

/* webrtcbin's thread: the offer or answer was created */
static void
on_description_created (GstPromise * promise, gpointer user_data)
{
  GstWcsPeer *peer = user_data;
  const gchar *what = peer->role == GST_WCS_PEER_OFFERER ? "offer" :
      "answer";
  GstWebRTCSessionDescription *desc = NULL;
  const GstStructure *reply;
  gchar *error;
  GstPromise *next;

  peer_promise_done (peer, promise);
  error = gst_wcs_promise_error (promise);
  if (!error && (reply = gst_promise_get_reply (promise)))
    gst_structure_get (reply, what, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
        &desc, NULL);

  if (error || !desc) {
    fail (peer, GST_WCS_PEER_FAILURE_CREATE, "create-%s failed: %s", what,
        error ? error : "no description");
    g_free (error);
    return;
  }
  if (is_closed (peer)) {
    gst_webrtc_session_description_free (desc);
    return;
  }

  next = peer_promise_new (peer, on_local_description_set,
      gst_wcs_peer_ref (peer), (GDestroyNotify) gst_wcs_peer_unref);
  if (next) {
    g_signal_emit_by_name (peer->webrtc, "set-local-description", desc, next);
    gst_promise_unref (next);
  }
  gst_webrtc_session_description_free (desc);
}

static void
create_description (GstWcsPeer * peer)
{
  GstPromise *promise;

  promise = peer_promise_new (peer, on_description_created,
      gst_wcs_peer_ref (peer), (GDestroyNotify) gst_wcs_peer_unref);
  if (!promise)
    return;
  g_signal_emit_by_name (peer->webrtc, peer->role == GST_WCS_PEER_OFFERER ?
      "create-offer" : "create-answer", NULL, promise);
  gst_promise_unref (promise);
}

/* ------------------------------------------------------------------ */
/* webrtcbin's signals (its threads)                                   */

static void
on_ice_candidate (GstElement * webrtc, guint mline, gchar * candidate,
    gpointer user_data)
{
  GstWcsPeer *peer = user_data;

  GST_LOG ("%s: local candidate %u %s", peer->label, mline, candidate);
  g_mutex_lock (&peer->lock);
  g_ptr_array_add (peer->candidates, g_strdup_printf ("%u %s", mline,
          candidate));
  g_mutex_unlock (&peer->lock);
}

static void
gathering_done_step (GstWcsPeer * peer, gpointer data)
{
  deliver_step (peer, GINT_TO_POINTER (TRUE));
}

static void
on_gathering_state (GObject * webrtc, GParamSpec * pspec, gpointer user_data)
{
  GstWcsPeer *peer = user_data;

  if (gathering_complete (peer) && g_atomic_int_get (&peer->local_set))
    invoke (peer, gathering_done_step, NULL, NULL);
}

/* the state property (an enum) whose notify::STATE webrtcbin emitted */
static gint
notified_state (GstWcsPeer * peer, GObject * webrtc, GParamSpec * pspec)
{
  gint state = 0;

  g_object_get (webrtc, pspec->name, &state, NULL);
  GST_DEBUG ("%s: %s %d", peer->label, pspec->name, state);
  return state;
}

static void
on_ice_connection_state (GObject * webrtc, GParamSpec * pspec,
    gpointer user_data)
{
  GstWcsPeer *peer = user_data;

  if (notified_state (peer, webrtc, pspec) ==
      GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    fail (peer, GST_WCS_PEER_FAILURE_ICE, "ICE connection failed");
}

static void
connected_step (GstWcsPeer * peer, gpointer data)
{
  GST_INFO ("%s: peer connection connected", peer->label);
  if (peer->cb.connected)
    peer->cb.connected (peer, peer->user_data);
}

static void
on_connection_state (GObject * webrtc, GParamSpec * pspec,
    gpointer user_data)
{
  GstWcsPeer *peer = user_data;
  GstWebRTCPeerConnectionState state = notified_state (peer, webrtc, pspec);

  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    if (g_atomic_int_compare_and_exchange (&peer->connected, 0, 1))
      invoke (peer, connected_step, NULL, NULL);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    fail (peer, GST_WCS_PEER_FAILURE_CONNECTION, "WebRTC connection failed");
  }
}

static void
closure_unref (gpointer data, GClosure * closure)
{
  gst_wcs_peer_unref (data);
}

/* once, before the first step */
static gboolean
begin (GstWcsPeer * peer)
{
  g_mutex_lock (&peer->lock);
  /* under the lock: gst_wcs_peer_close() cannot miss a handler */
  if (is_closed (peer)) {
    g_mutex_unlock (&peer->lock);
    return FALSE;
  }
  if (!g_atomic_int_compare_and_exchange (&peer->started, 0, 1)) {
    g_mutex_unlock (&peer->lock);
    return TRUE;
  }
  peer->handlers[0] = g_signal_connect_data (peer->webrtc, "on-ice-candidate",
      G_CALLBACK (on_ice_candidate), gst_wcs_peer_ref (peer), closure_unref,
      0);
  peer->handlers[1] = g_signal_connect_data (peer->webrtc,
      "notify::ice-gathering-state", G_CALLBACK (on_gathering_state),
      gst_wcs_peer_ref (peer), closure_unref, 0);
  peer->handlers[2] = g_signal_connect_data (peer->webrtc,
      "notify::ice-connection-state", G_CALLBACK (on_ice_connection_state),
      gst_wcs_peer_ref (peer), closure_unref, 0);
  peer->handlers[3] = g_signal_connect_data (peer->webrtc,
      "notify::connection-state", G_CALLBACK (on_connection_state),
      gst_wcs_peer_ref (peer), closure_unref, 0);
  g_mutex_unlock (&peer->lock);
  if (peer->negotiation_timeout_ms > 0)
    peer->negotiation_timer = add_timer (peer, peer->negotiation_timeout_ms,
        negotiation_timeout_cb);
  return TRUE;
}

/**
 * gst_wcs_peer_start:
 * @peer: an offerer
 *
 * Creates the offer; local_description follows (or failed). Call it on
 * the context's thread.
 */
void
gst_wcs_peer_start (GstWcsPeer * peer)
{
  g_return_if_fail (peer != NULL);
  g_return_if_fail (peer->role == GST_WCS_PEER_OFFERER);

  if (!begin (peer))
    return;
  GST_DEBUG ("%s: creating the offer", peer->label);
  create_description (peer);
}

/* ------------------------------------------------------------------ */
/* remote description                                                  */

static void
remote_applied_step (GstWcsPeer * peer, gpointer data)
{
  GST_DEBUG ("%s: remote description applied", peer->label);
  if (peer->cb.remote_applied)
    peer->cb.remote_applied (peer, peer->user_data);
}

static void
on_remote_description_set (GstPromise * promise, gpointer user_data)
{
  GstWcsPeer *peer = user_data;
  gboolean ok;

  peer_promise_done (peer, promise);
  ok = !refused (peer, promise, GST_WCS_PEER_FAILURE_REMOTE,
      "set-remote-description");

  if (!ok)
    return;
  if (peer->role == GST_WCS_PEER_ANSWERER) {
    if (!is_closed (peer))
      create_description (peer);
  } else {
    invoke (peer, remote_applied_step, NULL, NULL);
  }
}

/**
 * gst_wcs_peer_set_remote_description:
 * @peer: a peer
 * @sdp: (transfer full): the remote offer (answerer) or answer (offerer)
 *
 * Applies it (checked: a refusal fails the peer with REMOTE); an answerer
 * then creates its answer. Call it on the context's thread.
 */
void
gst_wcs_peer_set_remote_description (GstWcsPeer * peer, GstSDPMessage * sdp)
{
  GstWebRTCSessionDescription *desc;
  GstPromise *promise;

  g_return_if_fail (peer != NULL);
  g_return_if_fail (sdp != NULL);

  if (!begin (peer)) {
    gst_sdp_message_free (sdp);
    return;
  }
  desc = gst_webrtc_session_description_new (peer->role ==
      GST_WCS_PEER_OFFERER ? GST_WEBRTC_SDP_TYPE_ANSWER :
      GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  promise = peer_promise_new (peer, on_remote_description_set,
      gst_wcs_peer_ref (peer), (GDestroyNotify) gst_wcs_peer_unref);
  if (promise) {
    g_signal_emit_by_name (peer->webrtc, "set-remote-description", desc,
        promise);
    gst_promise_unref (promise);
  }
  gst_webrtc_session_description_free (desc);
}

typedef struct
{
  GstWcsPeer *peer;             /* a reference */
  GstWcsPeerStatsFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} StatsCall;

static void
stats_call_free (gpointer data)
{
  StatsCall *call = data;

  if (call->notify)
    call->notify (call->user_data);
  gst_wcs_peer_unref (call->peer);
  g_free (call);
}

/* webrtcbin's thread (or the closing one, interrupted) */
static void
on_stats (GstPromise * promise, gpointer user_data)
{
  StatsCall *call = user_data;
  const GstStructure *reply;

  peer_promise_done (call->peer, promise);
  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return;
  reply = gst_promise_get_reply (promise);
  if (reply && !gst_structure_has_field (reply, "error"))
    call->func (reply, call->user_data);
}

/**
 * gst_wcs_peer_get_stats:
 * @peer: a peer
 * @func: called with webrtcbin's stats (on its thread), only if it answers
 * @user_data: for @func
 * @notify: (nullable): frees @user_data once @func ran or never will
 *
 * webrtcbin's "get-stats", with the promise kept by the peer (see
 * peer_promise_new): closing the peer releases everything. A reply that
 * races gst_wcs_peer_close() can still call @func once, on webrtcbin's
 * thread, during or after the close: @func checks its own state. Any
 * thread.
 *
 * Returns: FALSE if the peer is closed (@notify was called).
 */
gboolean
gst_wcs_peer_get_stats (GstWcsPeer * peer, GstWcsPeerStatsFunc func,
    gpointer user_data, GDestroyNotify notify)
{
  StatsCall *call;
  GstPromise *promise;

  g_return_val_if_fail (peer != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  call = g_new0 (StatsCall, 1);
  call->peer = gst_wcs_peer_ref (peer);
  call->func = func;
  call->user_data = user_data;
  call->notify = notify;
  promise = peer_promise_new (peer, on_stats, call, stats_call_free);
  if (!promise)
    return FALSE;
  g_signal_emit_by_name (peer->webrtc, "get-stats", NULL, promise);
  gst_promise_unref (promise);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* ICE servers and policy                                              */

/**
 * gst_wcs_ice_config_init:
 * @config: a #GstWcsIceConfig to fill with the defaults (no server,
 *   policy all, any port)
 */
void
gst_wcs_ice_config_init (GstWcsIceConfig * config)
{
  memset (config, 0, sizeof (*config));
  config->policy = GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL;
  config->min_rtp_port = GST_WCS_ICE_DEFAULT_MIN_RTP_PORT;
  config->max_rtp_port = GST_WCS_ICE_DEFAULT_MAX_RTP_PORT;
}

/**
 * gst_wcs_ice_config_clear:
 * @config: frees the strings of @config and resets it to the defaults
 */
void
gst_wcs_ice_config_clear (GstWcsIceConfig * config)
{
  g_free (config->stun_server);
  g_strfreev (config->turn_servers);
  gst_wcs_ice_config_init (config);
}

/**
 * gst_wcs_ice_config_copy:
 * @src: a config
 * @dest: (out caller-allocates): receives a deep copy of @src (not cleared
 *   first)
 */
void
gst_wcs_ice_config_copy (const GstWcsIceConfig * src, GstWcsIceConfig * dest)
{
  *dest = *src;
  dest->stun_server = g_strdup (src->stun_server);
  dest->turn_servers = g_strdupv (src->turn_servers);
}

/**
 * gst_wcs_ice_uri_mask:
 * @uri: (nullable): a STUN / TURN URI, valid or not
 *
 * Returns: (transfer full) (nullable): @uri with its password replaced by
 *   `***` (`turn://user:***@host:3478`), for logs, messages and stats. A
 *   user-info without ':' is masked as a whole. The last '@' ends the
 *   user-info, so a password holding '/', '?' or '@' is masked too.
 */
gchar *
gst_wcs_ice_uri_mask (const gchar * uri)
{
  const gchar *start, *at, *colon;

  if (!uri)
    return NULL;
  start = strstr (uri, "://");
  start = start ? start + 3 : uri;
  at = strrchr (start, '@');
  if (!at)
    return g_strdup (uri);
  colon = memchr (start, ':', at - start);
  if (!colon)
    return g_strdup_printf ("%.*s***%s", (int) (start - uri), uri, at);
  return g_strdup_printf ("%.*s:***%s", (int) (colon - uri), uri, at);
}

/**
 * gst_wcs_ice_uris_mask:
 * @uris: (nullable): NULL-terminated URIs
 *
 * Returns: (transfer full): the masked URIs (gst_wcs_ice_uri_mask()) joined
 *   by ", " ("" for none)
 */
gchar *
gst_wcs_ice_uris_mask (const gchar * const *uris)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; uris && uris[i]; i++) {
    gchar *m = gst_wcs_ice_uri_mask (uris[i]);

    g_string_append_printf (s, "%s%s", i ? ", " : "", m);
    g_free (m);
  }
  return g_string_free (s, FALSE);
}

/**
 * gst_wcs_ice_uri_validate:
 * @uri: a URI
 * @turn: TRUE: a TURN URI (turn:// or turns://, with user:password@,
 *   optional ?transport=udp|tcp); FALSE: a STUN URI (stun://)
 * @error: receives %GST_WCS_ERROR_INVALID_ARGUMENT saying what is wrong,
 *   with the password masked
 *
 * Host required, port (optional, default 3478 / 5349) from 1 to 65535.
 */
gboolean
gst_wcs_ice_uri_validate (const gchar * uri, gboolean turn, GError ** error)
{
  GUri *u;
  const gchar *scheme, *host, *query, *why = NULL;
  gchar *masked;
  gint port;

  if (!uri || !*uri) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "empty URI");
    return FALSE;
  }
  u = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_NON_DNS,
      NULL);
  if (!u) {
    why = "not a URI (bad port or characters?)";
    goto fail;
  }
  scheme = g_uri_get_scheme (u);
  host = g_uri_get_host (u);
  port = g_uri_get_port (u);
  query = g_uri_get_query (u);
  if (turn && g_ascii_strcasecmp (scheme, "turn") != 0
      && g_ascii_strcasecmp (scheme, "turns") != 0)
    why = "the scheme must be turn:// or turns://";
  else if (!turn && g_ascii_strcasecmp (scheme, "stun") != 0)
    why = "the scheme must be stun://";
  else if (!host || !*host)
    why = "no host";
  else if (port == 0 || port > 65535)
    why = "the port must be from 1 to 65535";
  else if (g_uri_get_path (u) && *g_uri_get_path (u)
      && !g_str_equal (g_uri_get_path (u), "/"))
    why = "a path is not allowed";
  else if (turn && (!g_uri_get_user (u) || !*g_uri_get_user (u)
          || !g_uri_get_password (u)))
    why = "user:password@ is required";
  else if (!turn && g_uri_get_userinfo (u))
    why = "a STUN URI has no user-info";
  else if (query && (!turn || (g_ascii_strcasecmp (query, "transport=udp")
              && g_ascii_strcasecmp (query, "transport=tcp"))))
    why = turn ? "the only query allowed is ?transport=udp or ?transport=tcp"
        : "a STUN URI has no query";
  g_uri_unref (u);
  if (!why)
    return TRUE;

fail:
  masked = gst_wcs_ice_uri_mask (uri);
  g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
      "\"%s\": %s (expected %s)", masked, why, turn ?
      "turn(s)://user:password@host:port[?transport=udp|tcp]" :
      "stun://host:port");
  g_free (masked);
  return FALSE;
}

/**
 * gst_wcs_ice_config_validate:
 * @config: a config
 * @error: receives %GST_WCS_ERROR_INVALID_ARGUMENT naming the property
 *   (stun-server, turn-servers, min-rtp-port / max-rtp-port) at fault,
 *   passwords masked
 */
gboolean
gst_wcs_ice_config_validate (const GstWcsIceConfig * config, GError ** error)
{
  GError *err = NULL;
  guint i;

  if (config->stun_server && *config->stun_server
      && !gst_wcs_ice_uri_validate (config->stun_server, FALSE, &err)) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Invalid 'stun-server' property %s", err->message);
    g_error_free (err);
    return FALSE;
  }
  for (i = 0; config->turn_servers && config->turn_servers[i]; i++) {
    if (!gst_wcs_ice_uri_validate (config->turn_servers[i], TRUE, &err)) {
      g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
          "Invalid 'turn-servers' entry %s", err->message);
      g_error_free (err);
      return FALSE;
    }
  }
  if (config->min_rtp_port > config->max_rtp_port
      || config->max_rtp_port > 65535) {
    g_set_error (error, GST_WCS_ERROR, GST_WCS_ERROR_INVALID_ARGUMENT,
        "Invalid 'min-rtp-port' / 'max-rtp-port' (%u / %u): the minimum "
        "must not be above the maximum (at most 65535)",
        config->min_rtp_port, config->max_rtp_port);
    return FALSE;
  }
  return TRUE;
}

/**
 * gst_wcs_peer_apply_ice_config:
 * @webrtc: a webrtcbin, not yet negotiating
 * @config: (nullable): the ICE servers, policy and port range (validated
 *   with gst_wcs_ice_config_validate()); NULL: nothing changes
 *
 * Sets webrtcbin's stun-server, adds each TURN server (add-turn-server),
 * sets ice-transport-policy and the ICE agent's min-rtp-port /
 * max-rtp-port. Logs with the passwords masked.
 */
void
gst_wcs_peer_apply_ice_config (GstElement * webrtc,
    const GstWcsIceConfig * config)
{
  GObject *ice = NULL;
  gchar *masked;
  guint i;

  ensure_debug_category ();
  if (!config)
    return;

  if (config->stun_server && *config->stun_server)
    g_object_set (webrtc, "stun-server", config->stun_server, NULL);
  for (i = 0; config->turn_servers && config->turn_servers[i]; i++) {
    gboolean ok = FALSE;

    g_signal_emit_by_name (webrtc, "add-turn-server", config->turn_servers[i],
        &ok);
    if (!ok) {
      masked = gst_wcs_ice_uri_mask (config->turn_servers[i]);
      GST_WARNING_OBJECT (webrtc, "webrtcbin refused the TURN server %s",
          masked);
      g_free (masked);
    }
  }
  g_object_set (webrtc, "ice-transport-policy", config->policy, NULL);

  /* the agent's own defaults are 0 / 65535: only a range is set */
  if (config->min_rtp_port != GST_WCS_ICE_DEFAULT_MIN_RTP_PORT
      || config->max_rtp_port != GST_WCS_ICE_DEFAULT_MAX_RTP_PORT) {
    g_object_get (webrtc, "ice-agent", &ice, NULL);
    if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice),
            "min-rtp-port"))
      g_object_set (ice, "min-rtp-port", config->min_rtp_port,
          "max-rtp-port", config->max_rtp_port, NULL);
    else
      GST_WARNING_OBJECT (webrtc, "the ICE agent has no port range: "
          "min-rtp-port / max-rtp-port ignored");
    g_clear_object (&ice);
  }

  masked = gst_wcs_ice_uris_mask ((const gchar * const *)
      config->turn_servers);
  GST_DEBUG_OBJECT (webrtc, "ICE: stun-server %s, turn-servers [%s], "
      "policy %s, ports %u-%u", GST_STR_NULL (config->stun_server), masked,
      config->policy == GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY ? "relay" :
      "all", config->min_rtp_port, config->max_rtp_port);
  g_free (masked);
}
