/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A control server in front of the tests' fake call, for trying clients by
 * hand and for the transcript in e2call-control(7). Not a test.
 * Usage: control-fake-server [PATH]   (default path without PATH)
 * Prints the socket path, serves until SIGINT/SIGTERM or a leave request.
 */
#include <glib-unix.h>
#include <stdio.h>

#include "control-test-util.h"

struct state {
    GMainLoop *loop;
    struct e2c_control_server *server;
    struct fake_call call;
    guint last_leaves;
};

static gboolean
on_signal(gpointer data)
{
    struct state *st = data;
    /* What a command does on SIGINT/SIGTERM: the file goes first, then the loop ends. */
    e2c_control_server_remove_socket(st->server);
    g_main_loop_quit(st->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
check_leave(gpointer data)
{
    struct state *st = data;
    if (st->call.leaves > st->last_leaves)
        g_main_loop_quit(st->loop);
    return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
    struct state st = {0};
    GError *error = NULL;
    fake_call_init(&st.call);
    st.call.rekey_delay_ms = 300; /* about a PBKDF2 derivation */
    st.server = e2c_control_server_new(argc > 1 ? argv[1] : NULL, &fake_ops, &st.call, &error);
    if (!st.server) {
        fprintf(stderr, "control-fake-server: %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    printf("%s\n", e2c_control_server_get_path(st.server));
    fflush(stdout);
    st.loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, on_signal, &st);
    g_unix_signal_add(SIGTERM, on_signal, &st);
    g_timeout_add(50, check_leave, &st);
    g_main_loop_run(st.loop);
    e2c_control_server_free(st.server);
    fprintf(stderr, "control-fake-server: %u rekeys, %u leaves\n", st.call.rekeys, st.call.leaves);
    fake_call_clear(&st.call);
    g_main_loop_unref(st.loop);
    return 0;
}
