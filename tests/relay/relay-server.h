/* gst-wcs: wcs-relay WebSocket signalling, REST API, sessions and streams
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs in the default main context.
 */
#ifndef __RELAY_SERVER_H__
#define __RELAY_SERVER_H__

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RelayServer RelayServer;

typedef struct
{
  const gchar *host;            /* address to listen on, default 127.0.0.1 */
  guint port;                   /* 0: pick a free port */
  const gchar *tls_cert;        /* PEM files; both set: wss:// and https:// */
  const gchar *tls_key;
  guint ping_interval_ms;       /* server ping period, 0: off */
  guint rtp_timeout_ms;         /* publisher without media: FAILED, 0: off */
  gboolean faults;              /* enable /rest-api/faults/... */
  guint stale_publisher_ms;     /* name kept after a publisher's socket died */
  guint max_payload;            /* WebSocket frame / REST body cap, bytes */
} RelayOptions;

#define RELAY_DEFAULT_PING_INTERVAL_MS 3000
#define RELAY_DEFAULT_RTP_TIMEOUT_MS 10000
#define RELAY_DEFAULT_MAX_PAYLOAD (1024 * 1024)

/* Starts listening; NULL with @error when the address cannot be bound or the
 * TLS files cannot be loaded. */
RelayServer *relay_server_new (const RelayOptions * opts, GError ** error);
/* "ws://127.0.0.1:PORT" (or wss://) */
const gchar *relay_server_get_url (RelayServer * server);
guint relay_server_get_port (RelayServer * server);
/* Closes every session (close frame "going away") and every stream. */
void relay_server_free (RelayServer * server);

/* Network input without sockets (the fuzz targets in tests/fuzz use these;
 * wcs-relay itself goes through them for every frame and request). */
typedef struct _RelaySession RelaySession;

/* A server that does not listen and runs no timers. */
RelayServer *relay_server_new_detached (const RelayOptions * opts);
/* A session without a connection: what it would be sent is dropped. */
RelaySession *relay_server_add_detached_session (RelayServer * server);
/* Its socket is gone: releases its streams and frees it. */
void relay_session_destroy (RelaySession * s);
/* One inbound WebSocket text frame (@data: @len bytes, not necessarily
 * NUL-terminated). */
void relay_session_handle_text (RelaySession * s, const gchar * data,
    gsize len);
/* One REST request: @path ("/rest-api/..."), @body (@len bytes, may be
 * NULL). Returns the HTTP status; *response: the JSON text to send
 * (g_free() it). */
guint relay_server_handle_rest (RelayServer * server, const gchar * method,
    const gchar * path, const gchar * body, gsize len, gchar ** response);

G_END_DECLS

#endif /* __RELAY_SERVER_H__ */
