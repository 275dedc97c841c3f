/* gst-wcs: libFuzzer target for wcs-relay's signalling and REST handling
 *
 * Drives relay-server.c without sockets (relay_server_new_detached(),
 * relay_session_handle_text(), relay_server_handle_rest()) and with a
 * pipeline-free media layer (relay-media-stub.c), so that any sequence of
 * frames, REST calls and disconnects from three clients can be replayed.
 *
 * Input: records separated by NUL bytes; the first byte of a record is the
 * operation (never 0: 6 is client 0's frame), the rest its argument:
 *   op % 6 == 0..2  a WebSocket text frame from client (op % 6)
 *   op % 6 == 3     a REST request "PATH\nBODY" (GET when op & 0x80, else
 *                   POST), faults enabled
 *   op % 6 == 4     client (op / 6) % 3 disconnects; a new one takes its
 *                   place
 *   op % 6 == 5     the main context runs (media answers / failures arrive)
 * Checks besides crashes, sanitizer reports and GLib criticals: every REST
 * reply has a known HTTP status and a JSON body, find_all stays a JSON
 * array, and the relay closes a publisher only after its players (the stub
 * asserts it). Built by build.sh, not part of the default build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "relay-server.h"
#include "relay-log.h"

#define N_CLIENTS 3

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_gst ();
  relay_log_init (FALSE);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
drain (void)
{
  guint n = 0;

  /* bounded: every source the relay or the stub adds is one-shot */
  while (g_main_context_iteration (NULL, FALSE) && n++ < 1000);
}

static JsonNode *
check_rest (RelayServer * server, const gchar * method, const gchar * path,
    const gchar * body, gsize len)
{
  gchar *response = NULL;
  guint status = relay_server_handle_rest (server, method, path, body, len,
      &response);
  JsonParser *parser = json_parser_new ();
  JsonNode *root;

  CHECK (status == 200 || status == 400 || status == 404 || status == 405
      || status == 413);
  CHECK (response != NULL);
  CHECK (json_parser_load_from_data (parser, response, -1, NULL));
  root = json_parser_get_root (parser);
  CHECK (root != NULL);
  if (status != 200)
    CHECK (JSON_NODE_HOLDS_OBJECT (root) &&
        json_object_has_member (json_node_get_object (root), "error"));
  root = json_node_copy (root);
  g_object_unref (parser);
  g_free (response);
  return root;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  RelayOptions opts = { 0, };
  RelayServer *server;
  RelaySession *clients[N_CLIENTS];
  JsonNode *all;
  size_t pos = 0;
  guint i;

  opts.faults = TRUE;
  opts.max_payload = 4096;
  server = relay_server_new_detached (&opts);
  for (i = 0; i < N_CLIENTS; i++)
    clients[i] = relay_server_add_detached_session (server);

  while (pos < size) {
    const uint8_t *rec = data + pos;
    const uint8_t *end = memchr (rec, 0, size - pos);
    size_t len = end ? (size_t) (end - rec) : size - pos;
    guint op;
    /* exactly @len - 1 bytes, not NUL-terminated: over-reads show */
    gchar *arg;
    gsize arg_len;

    pos += len + 1;
    if (len == 0)
      continue;
    op = rec[0];
    arg_len = len - 1;
    arg = g_malloc (arg_len ? arg_len : 1);
    memcpy (arg, rec + 1, arg_len);

    switch (op % 6) {
      case 0:
      case 1:
      case 2:
        relay_session_handle_text (clients[op % 6], arg, arg_len);
        break;
      case 3:{
        const gchar *nl = memchr (arg, '\n', arg_len);
        gchar *path = g_strndup (arg, nl ? (gsize) (nl - arg) : arg_len);
        gsize body_len = nl ? arg_len - (gsize) (nl - arg) - 1 : 0;
        gchar *body = body_len ? g_memdup2 (nl + 1, body_len) : NULL;

        json_node_unref (check_rest (server, (op & 0x80) ? "GET" : "POST",
                path, body, body_len));
        g_free (body);
        g_free (path);
        break;
      }
      case 4:
        i = (op / 6) % N_CLIENTS;
        relay_session_destroy (clients[i]);
        clients[i] = relay_server_add_detached_session (server);
        break;
      default:
        drain ();
        break;
    }
    g_free (arg);
  }

  drain ();
  all = check_rest (server, "POST", "/rest-api/stream/find_all", NULL, 0);
  CHECK (JSON_NODE_HOLDS_ARRAY (all));
  json_node_unref (all);

  relay_server_free (server);
  drain ();
  return 0;
}
