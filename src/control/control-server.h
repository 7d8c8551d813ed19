/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket server of a running call (e2call-control(7)).
 *
 * A Unix stream socket, mode 0600, in a 0700 directory of ours; only peers
 * of our effective uid (SO_PEERCRED); at most 4 clients at once; a request
 * line must arrive within 2 s; lines of at most 4096 bytes; one rekey per
 * second. The receive buffer is wiped after every request. The socket file
 * is removed on free, at exit(), and by e2c_control_server_remove_socket()
 * from a signal path. It runs on the thread-default main context of the
 * thread that creates it.
 *
 * How a command uses it (`e2call join` wires its call into the table):
 *
 *     static const struct e2c_control_ops join_ops = {
 *         .rekey = join_rekey,   // moves the secret out, derives, calls done
 *         .status = join_status, // json_t * object, transfer full; the CLI
 *         .stats = join_stats,   // tabulates its "streams" array (see the man page)
 *         .leave = join_leave,   // starts leaving; the reply has gone out
 *     };
 *
 *     struct e2c_control_server *ctl = NULL;
 *     if (control_requested) {   // --control PATH, or the default path
 *         ctl = e2c_control_server_new(control_path, &join_ops, call, &error);
 *         if (!ctl) {
 *             fprintf(stderr, "e2call join: %s\n", error->message);
 *             return E2C_EXIT_USAGE;
 *         }
 *         fprintf(stderr, "e2call join: control socket %s\n",
 *                 e2c_control_server_get_path(ctl));
 *     }
 *     // SIGINT/SIGTERM handler (g_unix_signal_add, or a raw handler):
 *     //     e2c_control_server_remove_socket(ctl);   // async-signal-safe
 *     g_main_loop_run(loop);
 *     e2c_control_server_free(ctl);                   // unlinks; NULL-safe
 *
 * The rekey op receives a validated secret (the struct lives on the
 * server's stack for the duration of the call) and takes its bytes over, as
 * control.h says: it copies the struct (or derives at once) and wipes the
 * bytes with e2c_secret_clear() when done with them; the server neither
 * reads nor frees them afterwards. It then calls done exactly once (at once
 * or later); the reply to the client waits for it.
 */
#pragma once

#include <glib.h>

#include "control.h"

struct e2c_control_server;

/*
 * path NULL: the default path (control-path.h). An explicit path must lie
 * in a 0700 directory of ours and fit sun_path. A leftover socket whose
 * process died is replaced; one that answers is not ("another e2call is
 * using PATH"). ops and user must outlive the server; any op may be NULL
 * (rekey NULL: NOT_ENCRYPTED). NULL with error set on failure.
 */
struct e2c_control_server *e2c_control_server_new(const char *path,
                                                  const struct e2c_control_ops *ops, gpointer user,
                                                  GError **error);
/* The socket's absolute path. */
const char *e2c_control_server_get_path(const struct e2c_control_server *server);
/* Closes every client, removes the socket file (only if it is still ours). NULL-safe. */
void e2c_control_server_free(struct e2c_control_server *server);
/*
 * Removes the socket file (and the mkdtemp() directory, if one was made)
 * now, e.g. from a SIGINT/SIGTERM handler: async-signal-safe, idempotent;
 * does nothing in a forked child. The server keeps serving clients that are
 * connected already; free it as usual.
 */
void e2c_control_server_remove_socket(struct e2c_control_server *server);

struct e2c_control_server_stats {
    guint64 accepted;      /* clients served (same uid, under the limit) */
    guint64 requests;      /* request lines handled */
    guint64 refused_peers; /* clients of another uid, refused */
    guint64 busy;          /* clients refused because 4 were connected */
    guint64 throttled;     /* rekeys refused by the rate limit */
    guint64 timeouts;      /* clients that sent no request within 2 s */
    guint64 too_long;      /* request lines over 4096 bytes */
    guint64 rekeys;        /* rekeys the call confirmed */
};
void e2c_control_server_get_stats(const struct e2c_control_server *server,
                                  struct e2c_control_server_stats *out);

/*
 * Test hook: whether any client's receive buffer (all of it, not only the
 * bytes in use) holds needle. Used to check that request bytes are wiped.
 */
gboolean e2c_control_server_buffers_contain(const struct e2c_control_server *server,
                                            const void *needle, gsize len);
