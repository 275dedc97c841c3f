/* gst-wcs: helpers shared by every end-to-end test
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Start a wcs-relay child process (path from the WCS_RELAY environment
 * variable, set by meson test) on a free loopback port, talk to its REST API,
 * record a pipeline's bus messages (WcsTestBusLog), and wait on flags with
 * bounded main-context loops.
 *
 * Every wait here is bounded; nothing blocks forever.
 */
#ifndef __WCS_TEST_UTIL_H__
#define __WCS_TEST_UTIL_H__

#include <signal.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <gst/check/gstcheck.h>

#include "gstwcsprocess.h"

G_BEGIN_DECLS

/**
 * WCS_CHECK_MAIN:
 * @name: the suite's name (name_suite () builds it)
 *
 * GST_CHECK_MAIN with gst_wcs_process_init () first: every test process may
 * run a webrtcbin, and OpenSSL's exit handler must be off before anything
 * initialises libcrypto (gst/gstwcsprocess.c).
 */
#define WCS_CHECK_MAIN(name)                                    \
int main (int argc, char **argv)                                \
{                                                               \
  gst_wcs_process_init ();                                      \
  gst_check_init (&argc, &argv);                                \
  return gst_check_run_suite (name ## _suite (), # name, __FILE__); \
}

/**
 * WcsTestRelay:
 * @pid: the relay's process id (0 once reaped)
 * @port: the TCP port it listens on (127.0.0.1)
 * @url: "ws://127.0.0.1:PORT"
 * @http_base: "http://127.0.0.1:PORT"
 *
 * A wcs-relay child process. Create with wcs_test_relay_start(), release
 * with wcs_test_relay_free().
 */
typedef struct
{
  GPid pid;
  guint port;
  gchar *url;
  gchar *http_base;

  /*< private >*/
  gint wait_status;             /* waitpid() status once reaped, else -1 */
  GThread *drain_thread;
  gint stdout_fd;
} WcsTestRelay;

/**
 * wcs_test_relay_start:
 * @port: 0 for a free port, or a port to restart on (e.g. the port of a
 *     relay that was stopped)
 * @extra_args: (nullable): NULL-terminated extra arguments, e.g.
 *     { "--faults", NULL }
 *
 * Spawns $WCS_RELAY --port @port @extra_args... and waits at most 15 s for
 * its "listening on ws://127.0.0.1:PORT" line. The relay's stderr goes to
 * the test's stderr. The relay gets SIGKILL when the calling thread exits
 * (PR_SET_PDEATHSIG), so a crashed or timed-out test leaves nothing behind:
 * start it from the thread that runs the test.
 *
 * Returns: (transfer full) (nullable): the relay, or NULL (with a
 * g_warning) when it could not be started.
 */
WcsTestRelay *wcs_test_relay_start (guint port, const gchar * const *extra_args);

/**
 * wcs_test_relay_signal:
 * Sends @signo (SIGKILL, SIGSTOP, SIGCONT, ...) to the relay process. A
 * SIGKILL also reaps it. No-op when the process is gone.
 */
void wcs_test_relay_signal (WcsTestRelay * r, int signo);

/**
 * wcs_test_relay_stop:
 * SIGCONT (in case it was stopped) and SIGTERM, waits at most 5 s, then
 * SIGKILL, reaps the process. Idempotent. Afterwards r->pid is 0 and
 * r->wait_status holds the waitpid() status (e.g. WIFEXITED() and
 * WEXITSTATUS() == 0 for a clean exit on SIGTERM).
 */
void wcs_test_relay_stop (WcsTestRelay * r);

/**
 * wcs_test_relay_free:
 * Stops the relay if it is still running and frees @r. NULL is allowed.
 */
void wcs_test_relay_free (WcsTestRelay * r);

/**
 * wcs_test_relay_rest:
 * @path: e.g. "rest-api/stream/find_all" (a leading '/' is allowed)
 * @json_body: (nullable): request body, NULL sends "{}"
 *
 * POSTs @json_body (Content-Type application/json) to
 * http://127.0.0.1:PORT/@path (https:// for a relay started with
 * --tls-cert, any certificate accepted), bounded to 5 s.
 *
 * Errors: G_IO_ERROR_NOT_FOUND for an HTTP 404, G_IO_ERROR_FAILED for other
 * non-2xx replies (the message carries the status and the body),
 * G_IO_ERROR_INVALID_DATA when the reply is not JSON, plus any transport
 * error from libsoup / GIO.
 *
 * Returns: (transfer full) (nullable): the parsed JSON reply (a JSON null
 * node for an empty 2xx body), or NULL with @error set.
 */
JsonNode *wcs_test_relay_rest (WcsTestRelay * r, const gchar * path,
    const gchar * json_body, GError ** error);

/**
 * wcs_test_relay_find_stream:
 * Looks @name up in rest-api/stream/find_all.
 *
 * Returns: TRUE if a stream of that name exists. @status, @codec (newly
 * allocated, may be NULL in the reply) and @players are filled when
 * non-NULL and the stream exists.
 */
gboolean wcs_test_relay_find_stream (WcsTestRelay * r, const gchar * name,
    gchar ** status, gchar ** codec, guint * players);

/**
 * wcs_test_relay_wait_stream:
 * Polls wcs_test_relay_find_stream() every 100 ms until the stream exists
 * with @status (and @codec if non-NULL), at most @timeout_ms. Iterates the
 * thread-default main context in between, so signalling keeps flowing.
 */
gboolean wcs_test_relay_wait_stream (WcsTestRelay * r, const gchar * name,
    const gchar * status, const gchar * codec, guint timeout_ms);

/**
 * wcs_test_wait_flag:
 * @ctx: (nullable): the context to run, NULL for the default context
 *
 * Runs @ctx until *@flag is non-zero or @timeout_ms passed.
 *
 * Returns: the final value of *@flag, as a boolean.
 */
gboolean wcs_test_wait_flag (GMainContext * ctx, volatile gint * flag,
    guint timeout_ms);

/* Runs the default context until *@count (read under @lock) has grown by
 * @n from its value at the call, or @timeout_ms passed; whether it did. */
gboolean wcs_test_wait_count (GMutex * lock, const guint * count, guint n,
    guint timeout_ms);

/**
 * wcs_test_timeout_scale:
 * The integer in $WCS_TEST_TIMEOUT_SCALE (1 when unset, at most 100). The
 * start, stop and REST bounds here are multiplied by it; tests may scale
 * their own waits too. For runs under valgrind and the like.
 */
guint wcs_test_timeout_scale (void);

/**
 * wcs_test_iterate:
 * Runs @ctx (NULL = default) for @ms milliseconds, dispatching whatever is
 * ready. Handy to let a few frames flow before an assertion.
 */
void wcs_test_iterate (GMainContext * ctx, guint ms);

/* Runs a command line (g_spawn_command_line_sync); TRUE when it exited
 * with 0. @quiet: no message on failure (cleanup of things that may not
 * exist). */
gboolean wcs_test_run_cmd (gboolean quiet, const gchar * fmt, ...)
    G_GNUC_PRINTF (2, 3);

/* A veth pair: @host_if in this namespace (@host_addr/30 when not NULL),
 * @ns_if in the existing namespace @ns (@ns_addr/30 when not NULL), both up,
 * and @ns's loopback up. FALSE (with a message) when a command fails. */
gboolean wcs_test_veth_add (const gchar * ns, const gchar * host_if,
    const gchar * host_addr, const gchar * ns_if, const gchar * ns_addr);

/**
 * wcs_test_element_stats_u64:
 * @element: a wcspublishsink or wcsplaysrc
 * @field: a counter of its "stats" structure (uint or uint64)
 *
 * Fails the test when "stats" lacks @field.
 *
 * Returns: the counter's value
 */
guint64 wcs_test_element_stats_u64 (GstElement * element, const gchar * field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WcsTestRelay, wcs_test_relay_free)

/**
 * wcs_test_pipeline_parse:
 * @desc: a gst-launch-1.0 description
 *
 * Parses @desc with GST_PARSE_FLAG_FATAL_ERRORS and fails the test if that
 * does not work; a description that is not a pipeline (one element) is put
 * into a new #GstPipeline.
 *
 * Returns: (transfer full): the pipeline.
 */
GstElement *wcs_test_pipeline_parse (const gchar * desc);

/**
 * WcsTestBusLog:
 *
 * A recorder of every message posted on a pipeline's bus: a bus sync
 * handler appends each one (a ref) with its monotonic arrival time, from
 * whatever thread posts it, and drops it (so nothing else sees the bus).
 * Thread-safe; messages are addressed by index in arrival order. A test
 * looks for a message from an index on (0, or wcs_test_bus_log_len() taken
 * before the event it provokes) and advances that index past what it has
 * seen. Reference counted: the bus holds one reference while attached, the
 * caller the other, so an element posting from a teardown thread after
 * NULL never touches freed memory.
 */
typedef struct _WcsTestBusLog WcsTestBusLog;

/**
 * wcs_test_bus_log_attach:
 * @pipeline: a #GstPipeline (or any element with a bus)
 *
 * Installs the recorder as @pipeline's bus sync handler, replacing any
 * other.
 *
 * Returns: (transfer full): the log; wcs_test_bus_log_detach() it, then
 * wcs_test_bus_log_unref() it.
 */
WcsTestBusLog *wcs_test_bus_log_attach (GstElement * pipeline);

/**
 * wcs_test_bus_log_detach:
 * Removes the sync handler from @pipeline's bus (the bus drops its
 * reference once no post uses it). The log keeps what it recorded.
 */
void wcs_test_bus_log_detach (WcsTestBusLog * log, GstElement * pipeline);

WcsTestBusLog *wcs_test_bus_log_ref (WcsTestBusLog * log);

/**
 * wcs_test_bus_log_unref:
 * Drops a reference; the last one frees the log and its messages. NULL is
 * allowed.
 */
void wcs_test_bus_log_unref (WcsTestBusLog * log);

/**
 * wcs_test_bus_log_len:
 * Returns: how many messages were recorded so far (the index the next one
 * will get).
 */
guint wcs_test_bus_log_len (WcsTestBusLog * log);

/**
 * wcs_test_bus_log_find:
 * @from: the first index to look at
 * @type: the message type, e.g. GST_MESSAGE_ELEMENT
 * @name: (nullable): the structure name, e.g. "wcs-restore" (messages
 *     without a structure never match a name)
 * @field: (nullable): a string field of the structure that must equal
 *     @value (a missing field only equals a NULL @value)
 * @when: (out) (optional): the monotonic arrival time (us) of the match
 *
 * Returns: the index of the first matching message at or after @from, or
 * -1.
 */
gint wcs_test_bus_log_find (WcsTestBusLog * log, guint from,
    GstMessageType type, const gchar * name, const gchar * field,
    const gchar * value, gint64 * when);

/**
 * wcs_test_bus_log_wait:
 * @ctx: (nullable): the context to iterate while waiting
 *     (g_main_context_default () for the default one); NULL sleeps instead
 *
 * wcs_test_bus_log_find() polled every 20 ms until it matches or
 * @timeout_ms passed.
 *
 * Returns: the index of the match, or -1 on timeout.
 */
gint wcs_test_bus_log_wait (WcsTestBusLog * log, GMainContext * ctx,
    guint from, GstMessageType type, const gchar * name, const gchar * field,
    const gchar * value, guint timeout_ms, gint64 * when);

/**
 * wcs_test_bus_log_count:
 * Returns: how many messages at or after @from match (as
 * wcs_test_bus_log_find()).
 */
guint wcs_test_bus_log_count (WcsTestBusLog * log, guint from,
    GstMessageType type, const gchar * name, const gchar * field,
    const gchar * value);

/**
 * wcs_test_bus_log_get:
 * @index: an index below wcs_test_bus_log_len() (checked)
 *
 * Returns: (transfer full): the message at @index.
 */
GstMessage *wcs_test_bus_log_get (WcsTestBusLog * log, gint index);

/**
 * wcs_test_bus_log_structure:
 * @index: an index below wcs_test_bus_log_len() (checked)
 *
 * Returns: (transfer full) (nullable): a copy of the structure of the
 * message at @index (gst_structure_free() it).
 */
GstStructure *wcs_test_bus_log_structure (WcsTestBusLog * log, gint index);

/**
 * wcs_test_bus_log_first_error:
 * @error: (out) (optional): the GError of the first ERROR
 * @debug: (out) (optional): its debug string (may be NULL)
 *
 * Returns: the index of the first ERROR recorded, or -1 (then @error and
 * @debug are left alone).
 */
gint wcs_test_bus_log_first_error (WcsTestBusLog * log, GError ** error,
    gchar ** debug);

/**
 * wcs_test_bus_log_assert_no_error:
 * Fails the test, naming the source, message and debug string, if an
 * ERROR was recorded.
 */
void wcs_test_bus_log_assert_no_error (WcsTestBusLog * log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WcsTestBusLog, wcs_test_bus_log_unref)

/**
 * WcsTestElement:
 *
 * One of the two elements, for tests that loop over both (srt.c style).
 */
typedef struct
{
  const gchar *factory;
  const gchar *klass;
  /* a pipeline around the element (named "wcs"); %s: its properties */
  const gchar *launch;
  /* STREAM_STATUS once it streams */
  const gchar *active;
  /* plays a stream: needs a publisher first; a fakesink per pad */
  gboolean player;
} WcsTestElement;

#define WCS_TEST_N_ELEMENTS 2
/* the publisher (videotestsrc, check-bitrate=false), then the player */
extern const WcsTestElement wcs_test_elements[WCS_TEST_N_ELEMENTS];

/* Adds @sink to @pipeline, brings it to the pipeline's state and links
 * @pad to it (fails the test if that does not work). */
void wcs_test_add_sink (GstElement * pipeline, GstPad * pad,
    GstElement * sink);

/* wcs_test_add_sink() with a fakesink sync=false async=false. */
void wcs_test_add_fakesink (GstElement * pipeline, GstPad * pad);

/**
 * WcsTestPipe:
 *
 * A pipeline around one element (named "wcs") with a bus log; a player's
 * pads each get a fakesink.
 */
typedef struct
{
  GstElement *pipeline;
  GstElement *el;
  WcsTestBusLog *log;
} WcsTestPipe;

/* @e's launch line with @props. */
WcsTestPipe *wcs_test_pipe_new (const WcsTestElement * e, const gchar * props);
/* PLAYING must not fail. */
void wcs_test_pipe_play (WcsTestPipe * p);
/* NULL must succeed; frees @p. */
void wcs_test_pipe_free (WcsTestPipe * p);

/**
 * WcsTestChild:
 *
 * A child process (e.g. `ip netns exec NS gst-launch-1.0 -m ...`) whose
 * stdout is read line by line by a thread of its own; the child gets
 * SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG).
 */
typedef struct _WcsTestChild WcsTestChild;

/* Starts @argv (searched in PATH) with the environment plus @extra_env
 * ("KEY=VALUE" strings, NULL-terminated, or NULL); fails the test if it
 * cannot. */
WcsTestChild *wcs_test_child_start (const gchar * const *argv,
    const gchar * const *extra_env);

/* SIGINT (gst-launch: EOS, then NULL), up to 10 s, then SIGKILL; reaps it
 * and frees @c. NULL is fine. */
void wcs_test_child_stop (WcsTestChild * c);

GPid wcs_test_child_pid (WcsTestChild * c);

/* The lines read so far. */
guint wcs_test_child_n_lines (WcsTestChild * c);

/* The lines from index @from on that contain @a and (if not NULL) @b. */
guint wcs_test_child_count (WcsTestChild * c, guint from, const gchar * a,
    const gchar * b);

/* Waits (bounded: @timeout_ms x wcs_test_timeout_scale()) for a line from
 * @from on with @a and @b, running the default main context meanwhile:
 * the index after it, 0 on timeout. */
guint wcs_test_child_wait (WcsTestChild * c, guint from, const gchar * a,
    const gchar * b, guint timeout_ms);

/* Without blocking: TRUE when the child has exited (*status: its waitpid
 * status); its whole output has been read then. */
gboolean wcs_test_child_exited (WcsTestChild * c, gint * status);

/* Prints (stderr, the last 60) the lines from @from on with "wcs-", ERROR
 * or WARNING, prefixed with @what and the pid. */
void wcs_test_child_dump (WcsTestChild * c, guint from, const gchar * what);

/* Threads of this process named @name (/proc/self/task/N/comm). Every
 * webrtcbin runs one "webrtc:ice" thread, its ICE agent's, until that agent
 * is finalized. */
guint wcs_test_count_threads_named (const gchar * name);

/* Waits (bounded: @timeout_ms x wcs_test_timeout_scale(), without running
 * any main context) until at most @max "webrtc:ice" threads are left;
 * whether they were. */
gboolean wcs_test_wait_webrtcbins_at_most (guint max, guint timeout_ms);

/* Instances created minus instances destroyed, per type name (exact type),
 * as the leaks tracer's activity tracking sees them from
 * wcs_test_live_delta_start () on: no reference to any object is taken, so
 * it can run while other threads finalize. start returns FALSE when no
 * leaks tracer runs in this process (the suite's meson environment sets
 * GST_TRACERS=leaks(...) where it is used). */
gboolean wcs_test_live_delta_start (void);
gint wcs_test_live_delta (const gchar * type_name);

/* Waits (bounded like wcs_test_wait_webrtcbins_at_most, without running any
 * main context) until the delta of @type_name is at most @max; returns the
 * last delta. */
gint wcs_test_wait_live_delta_at_most (const gchar * type_name, gint max,
    guint timeout_ms);

/* PEM of a self-signed certificate + key for 127.0.0.1 (no CA trusts it) */
extern const gchar wcs_test_self_signed_pem[];

G_END_DECLS

#endif /* __WCS_TEST_UTIL_H__ */
