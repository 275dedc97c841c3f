/* gst-wcs: a media layer for fuzzing wcs-relay's signalling
 *
 * Implements relay-media.h without pipelines, so that fuzz-relay can drive
 * relay-server.c through thousands of publish/play/stop sequences a
 * second. The offer is parsed with GStreamer's SDP parser (garbage is
 * refused with "Failed by error" like the real layer does), the answer or a
 * failure ("a=x-fuzz-fail" at session level) is delivered from an idle
 * source of the default main context, as the real layer delivers from its
 * main context. The real offer planning is fuzzed by fuzz-relay-offer.
 */
#include "relay-media.h"

#include <string.h>

#include <gst/sdp/sdp.h>

typedef struct
{
  RelayMediaCallbacks cb;
  gboolean fail;
  guint idle;
} StubPeer;

struct _RelayPublisher
{
  StubPeer peer;
  const gchar *video;
  const gchar *audio;
  gint players;
  gboolean muted;
};

struct _RelayPlayer
{
  StubPeer peer;
  RelayPublisher *pub;
};

void
relay_media_init (const gchar * const *ice_addresses, guint gather_timeout_ms)
{
}

void
relay_media_shutdown (void)
{
}

static gboolean
peer_deliver (gpointer data)
{
  StubPeer *peer = data;

  peer->idle = 0;
  if (peer->fail)
    peer->cb.failed (peer->cb.user_data, "Failed by ICE error");
  else
    peer->cb.answer (peer->cb.user_data, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
        "s=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
        "a=rtpmap:96 H264/90000\r\n");
  return G_SOURCE_REMOVE;
}

/* the offer checks of the real layer, roughly: a parsable SDP with media */
static gboolean
peer_init (StubPeer * peer, const gchar * offer,
    const RelayMediaCallbacks * callbacks, gboolean * video,
    gboolean * audio, gchar ** error_info)
{
  GstSDPMessage *sdp;
  guint i;

  *video = *audio = FALSE;
  if (!offer || !*offer) {
    *error_info = g_strdup ("Failed by error");
    return FALSE;
  }
  gst_sdp_message_new (&sdp);
  if (gst_sdp_message_parse_buffer ((const guint8 *) offer, strlen (offer),
          sdp) != GST_SDP_OK || gst_sdp_message_medias_len (sdp) == 0) {
    gst_sdp_message_free (sdp);
    *error_info = g_strdup ("Failed by error");
    return FALSE;
  }
  for (i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const gchar *m = gst_sdp_media_get_media (gst_sdp_message_get_media (sdp,
            i));
    *video = *video || g_strcmp0 (m, "video") == 0;
    *audio = *audio || g_strcmp0 (m, "audio") == 0;
  }
  peer->fail = gst_sdp_message_get_attribute_val (sdp, "x-fuzz-fail") != NULL;
  gst_sdp_message_free (sdp);
  if (!*video && !*audio) {
    *error_info = g_strdup ("No common codecs");
    return FALSE;
  }
  peer->cb = *callbacks;
  peer->idle = g_idle_add (peer_deliver, peer);
  return TRUE;
}

static void
peer_clear (StubPeer * peer)
{
  if (peer->idle)
    g_source_remove (peer->idle);
  peer->idle = 0;
}

RelayPublisher *
relay_publisher_new (const gchar * label, const gchar * offer,
    GstWcsTransport transport, const RelayMediaCallbacks * callbacks,
    gchar ** error_info)
{
  RelayPublisher *pub = g_new0 (RelayPublisher, 1);
  gboolean video, audio;

  if (!peer_init (&pub->peer, offer, callbacks, &video, &audio, error_info)) {
    g_free (pub);
    return NULL;
  }
  pub->video = video ? "H264" : NULL;
  pub->audio = audio ? "opus" : NULL;
  return pub;
}

const gchar *
relay_publisher_get_video_codec (RelayPublisher * pub)
{
  return pub->video;
}

const gchar *
relay_publisher_get_audio_codec (RelayPublisher * pub)
{
  return pub->audio;
}

gint64
relay_publisher_get_last_media_time (RelayPublisher * pub)
{
  return 0;
}

void
relay_publisher_get_counters (RelayPublisher * pub, guint64 * frames,
    guint64 * bytes)
{
  *frames = 0;
  *bytes = 0;
}

void
relay_publisher_request_key_unit (RelayPublisher * pub)
{
}

void
relay_publisher_set_muted (RelayPublisher * pub, gboolean muted)
{
  pub->muted = muted;
}

void
relay_publisher_close (RelayPublisher * pub)
{
  /* the contract of relay-media.h: players are closed first */
  g_assert (pub->players == 0);
  peer_clear (&pub->peer);
  g_free (pub);
}

RelayPlayer *
relay_player_new (RelayPublisher * pub, const gchar * label,
    const gchar * offer, GstWcsTransport transport,
    const RelayMediaCallbacks * callbacks, gchar ** error_info)
{
  RelayPlayer *player = g_new0 (RelayPlayer, 1);
  gboolean video, audio;

  g_assert (pub != NULL);
  if (!peer_init (&player->peer, offer, callbacks, &video, &audio,
          error_info)) {
    g_free (player);
    return NULL;
  }
  player->pub = pub;
  pub->players++;
  return player;
}

guint64
relay_player_get_frames (RelayPlayer * player)
{
  return 0;
}

void
relay_player_close (RelayPlayer * player)
{
  player->pub->players--;
  peer_clear (&player->peer);
  g_free (player);
}
