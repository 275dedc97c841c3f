/* gst-wcs: wcs-relay command line (main)
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A WCS-compatible relay server for local use, the demo and the end-to-end
 * tests (docs/relay.md).
 *
 *   wcs-relay [--port N] [--host ADDR] [--tls-cert F --tls-key F]
 *             [--ping-interval MS] [--rtp-timeout MS] [--faults]
 *             [--stale-publisher-ms MS] [--max-payload BYTES]
 *             [--ice-address ADDR]... [--gather-timeout MS] [--latency MS]
 *             [--verbose]
 *
 * Prints "listening on ws://HOST:PORT" on stdout once ready, then runs until
 * SIGTERM or SIGINT.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <gst/gst.h>

#include "relay-log.h"
#include "relay-media.h"
#include "relay-server.h"
#include "gstwcsprocess.h"

static gboolean
on_quit_signal (gpointer data)
{
  GMainLoop *loop = data;

  RELAY_INFO ("signal received, shutting down");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static GstWcsIceConfig ice_config;

/* --stun-server, --turn-server, --ice-transport-policy: checked as the
 * elements check their properties (passwords masked in the message) */
static gboolean
relay_ice_options (const gchar * stun, gchar ** turn, const gchar * policy)
{
  GError *err = NULL;

  gst_wcs_ice_config_init (&ice_config);
  ice_config.stun_server = g_strdup (stun);
  ice_config.turn_servers = g_strdupv (turn);
  if (!policy || g_ascii_strcasecmp (policy, "all") == 0)
    ice_config.policy = GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL;
  else if (g_ascii_strcasecmp (policy, "relay") == 0)
    ice_config.policy = GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY;
  else {
    fprintf (stderr, "wcs-relay: --ice-transport-policy must be all or "
        "relay\n");
    return FALSE;
  }
  if (!gst_wcs_ice_config_validate (&ice_config, &err)) {
    fprintf (stderr, "wcs-relay: %s\n", err->message);
    g_error_free (err);
    return FALSE;
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  gint port = 8080;
  gchar *host = NULL, *tls_cert = NULL, *tls_key = NULL;
  gint ping_interval = RELAY_DEFAULT_PING_INTERVAL_MS;
  gint rtp_timeout = RELAY_DEFAULT_RTP_TIMEOUT_MS;
  gboolean faults = FALSE, verbose = FALSE;
  gint stale_ms = 0;
  gint max_payload = RELAY_DEFAULT_MAX_PAYLOAD;
  gchar **ice_addresses = NULL;
  gchar *stun_server = NULL, *ice_policy = NULL;
  gchar **turn_servers = NULL;
  gint gather_timeout = 5000, latency = 100;
  GOptionEntry entries[] = {
    {"port", 'p', 0, G_OPTION_ARG_INT, &port,
        "TCP port for WebSocket and REST (0: pick a free one; default 8080)",
        "N"},
    {"host", 0, 0, G_OPTION_ARG_STRING, &host,
        "Address to listen on (default 127.0.0.1)", "ADDR"},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
        "PEM certificate: serve wss:// and https://", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
        "PEM private key of --tls-cert", "FILE"},
    {"ping-interval", 0, 0, G_OPTION_ARG_INT, &ping_interval,
        "Send {\"message\":\"ping\"} to every session this often (default "
          G_STRINGIFY (RELAY_DEFAULT_PING_INTERVAL_MS) ", 0: off)", "MS"},
    {"rtp-timeout", 0, 0, G_OPTION_ARG_INT, &rtp_timeout,
        "A publisher without media for this long is FAILED \"Failed by RTP "
          "activity\" (default 10000, 0: off)", "MS"},
    {"faults", 0, 0, G_OPTION_ARG_NONE, &faults,
        "Enable the test-only /rest-api/faults/... calls", NULL},
    {"stale-publisher-ms", 0, 0, G_OPTION_ARG_INT, &stale_ms,
        "Keep a publisher's stream name taken this long after its socket "
          "died (default 0)", "MS"},
    {"max-payload", 0, 0, G_OPTION_ARG_INT, &max_payload,
        "Largest WebSocket message / REST body accepted (default 1048576)",
        "BYTES"},
    {"ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice_addresses,
        "Local address for ICE host candidates (repeatable; default "
          "127.0.0.1 and every IPv4 address of the host)", "ADDR"},
    {"stun-server", 0, 0, G_OPTION_ARG_STRING, &stun_server,
        "STUN server of the ICE agents", "stun://HOST:PORT"},
    {"turn-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn_servers,
          "TURN server of the ICE agents (repeatable)",
        "turn://USER:PASS@HOST:PORT[?transport=udp|tcp]"},
    {"ice-transport-policy", 0, 0, G_OPTION_ARG_STRING, &ice_policy,
        "ICE candidates used: all (default) or relay (TURN only)", "POLICY"},
    {"gather-timeout", 0, 0, G_OPTION_ARG_INT, &gather_timeout,
        "Longest wait for ICE gathering before answering (default 5000)",
        "MS"},
    {"latency", 0, 0, G_OPTION_ARG_INT, &latency,
        "Jitter buffer of every webrtcbin in ms (default 100)", "MS"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
        "Log connection and stream events on stderr", NULL},
    {NULL}
  };
  GOptionContext *ctx;
  GError *error = NULL;
  RelayOptions opts = { 0, };
  RelayServer *server;
  GMainLoop *loop;
  guint sig_term, sig_int;

  ctx = g_option_context_new ("- WCS-compatible WebRTC relay");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    fprintf (stderr, "wcs-relay: %s\n", error->message);
    g_clear_error (&error);
    g_option_context_free (ctx);
    return 2;
  }
  g_option_context_free (ctx);

  if (port < 0 || port > 65535 || ping_interval < 0 || rtp_timeout < 0
      || stale_ms < 0 || max_payload < 1024 || gather_timeout <= 0
      || latency < 0) {
    fprintf (stderr, "wcs-relay: invalid option value (see --help)\n");
    return 2;
  }

  if (!relay_ice_options (stun_server, turn_servers, ice_policy))
    return 2;

  signal (SIGPIPE, SIG_IGN);
  gst_wcs_process_init ();      /* before webrtcbin: gst/gstwcsprocess.c */
  gst_init (NULL, NULL);
  relay_log_init (verbose);
  relay_media_init ((const gchar * const *) ice_addresses,
      (guint) gather_timeout);
  relay_media_set_ice_config (&ice_config);
  relay_media_set_latency ((guint) latency);

  opts.host = host;
  opts.port = (guint) port;
  opts.tls_cert = tls_cert;
  opts.tls_key = tls_key;
  opts.ping_interval_ms = (guint) ping_interval;
  opts.rtp_timeout_ms = (guint) rtp_timeout;
  opts.faults = faults;
  opts.stale_publisher_ms = (guint) stale_ms;
  opts.max_payload = (guint) max_payload;

  /* a relay (re)started must not make the first offer it gets wait for
   * its DTLS certificate: made from the start, beside listening */
  gst_wcs_peer_prepare_certificate ();

  server = relay_server_new (&opts, &error);
  if (!server) {
    RELAY_ERROR ("cannot start: %s", error->message);
    g_clear_error (&error);
    relay_media_shutdown ();
    return 1;
  }

  loop = g_main_loop_new (NULL, FALSE);
  sig_term = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  sig_int = g_unix_signal_add (SIGINT, on_quit_signal, loop);

  printf ("listening on %s\n", relay_server_get_url (server));
  fflush (stdout);
  RELAY_INFO ("listening on %s%s", relay_server_get_url (server),
      faults ? " (fault injection enabled)" : "");

  g_main_loop_run (loop);

  relay_server_free (server);
  /* let the close frames go out */
  g_timeout_add (100, quit_loop, loop);
  g_main_loop_run (loop);

  g_source_remove (sig_term);
  g_source_remove (sig_int);
  g_main_loop_unref (loop);
  relay_media_shutdown ();

  g_free (host);
  g_free (tls_cert);
  g_free (tls_key);
  g_strfreev (ice_addresses);
  g_free (stun_server);
  g_free (ice_policy);
  g_strfreev (turn_servers);
  gst_wcs_ice_config_clear (&ice_config);
  RELAY_INFO ("bye");
  return 0;
}
