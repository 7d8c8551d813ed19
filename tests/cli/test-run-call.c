/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The run loop of join and load (run-call.h) around a fake call: the
 * duration, SIGINT and SIGTERM end it with their reason, once; a second
 * signal exits at once with 130; stats come on their interval; the control
 * socket answers and "leave" ends the call; the socket goes on a signal.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "control-client.h"
#include "control-test-util.h"
#include "run-call.h"

struct fake {
    struct e2c_run *run;
    guint finishes, stats;
    gchar *reason;
    gboolean quit_on_finish; /* else the call "keeps leaving" */
    gboolean finish_on_stats;
};

static void
fake_finish(gpointer call, const char *reason)
{
    struct fake *f = call;
    f->finishes++;
    g_free(f->reason);
    f->reason = g_strdup(reason);
    if (f->quit_on_finish)
        e2c_run_quit(f->run);
}

static void
fake_stats(gpointer call)
{
    struct fake *f = call;
    f->stats++;
    if (f->finish_on_stats)
        e2c_run_finish(f->run, "enough stats");
}

static const struct e2c_run_hooks hooks = {fake_finish, fake_stats};

static void
fake_init(struct fake *f, guint64 duration_ms, guint stats_s)
{
    memset(f, 0, sizeof(*f));
    f->quit_on_finish = TRUE;
    struct e2c_run_config cfg = {"e2call test", duration_ms, stats_s};
    f->run = e2c_run_new(&cfg, &hooks, f);
}

static void
fake_clear(struct fake *f)
{
    e2c_run_free(f->run);
    g_free(f->reason);
}

static void
test_duration(void)
{
    struct fake f;
    fake_init(&f, 20, 0);
    g_assert_false(e2c_run_finished(f.run));
    e2c_run_loop(f.run);
    g_assert_true(e2c_run_finished(f.run));
    g_assert_cmpuint(f.finishes, ==, 1);
    g_assert_cmpstr(f.reason, ==, "duration");
    g_assert_cmpuint(f.stats, ==, 0);
    fake_clear(&f);
}

static gboolean
raise_signal(gpointer data)
{
    raise(GPOINTER_TO_INT(data));
    return G_SOURCE_REMOVE;
}

struct leaving {
    struct fake *f;
    const char *path;
    gboolean socket_left; /* the socket file, seen once the call was finishing */
};

/* The fake call leaves a little later than it was told to: the socket is looked at then. */
static gboolean
quit_after_finish(gpointer data)
{
    struct leaving *l = data;
    if (!l->f->finishes)
        return G_SOURCE_CONTINUE;
    l->socket_left = l->path && g_file_test(l->path, G_FILE_TEST_EXISTS);
    e2c_run_quit(l->f->run);
    return G_SOURCE_REMOVE;
}

/* Both signals end the call; the control socket goes at once, before the call has left. */
static void
test_signals(void)
{
    int signals[] = {SIGINT, SIGTERM};
    for (guint i = 0; i < G_N_ELEMENTS(signals); i++) {
        gchar *dir = make_private_dir();
        gchar *path = g_build_filename(dir, "run.sock", NULL);
        struct fake f;
        fake_init(&f, 0, 0);
        f.quit_on_finish = FALSE;
        GError *error = NULL;
        g_assert_true(e2c_run_serve_control(f.run, path, &fake_ops, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(e2c_run_control_path(f.run), ==, path);
        g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

        struct leaving l = {&f, path, TRUE};
        g_idle_add(raise_signal, GINT_TO_POINTER(signals[i]));
        guint check = g_timeout_add(10, quit_after_finish, &l);
        e2c_run_loop(f.run);
        g_assert_cmpuint(f.finishes, ==, 1);
        g_assert_cmpstr(f.reason, ==, "interrupted");
        g_assert_false(l.socket_left);
        g_assert_false(g_main_context_find_source_by_id(NULL, check));
        fake_clear(&f);
        rm_tree(dir);
        g_free(path);
        g_free(dir);
    }
}

/* A second signal while the call leaves: out at once, 130, with a word why. */
static void
test_second_signal(void)
{
    if (g_test_subprocess()) {
        struct fake f;
        fake_init(&f, 0, 0);
        f.quit_on_finish = FALSE;
        g_idle_add(raise_signal, GINT_TO_POINTER(SIGINT));
        g_timeout_add(50, raise_signal, GINT_TO_POINTER(SIGTERM));
        e2c_run_loop(f.run);
        return; /* not reached */
    }
    g_test_trap_subprocess(NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("e2call test: interrupted again, exiting without leaving cleanly\n");
    /* g_test_trap_* keeps no exit status; the message above comes only before _exit(130). */
}

static void
test_finish_once(void)
{
    struct fake f;
    fake_init(&f, 0, 0);
    f.quit_on_finish = FALSE;
    e2c_run_finish(f.run, "error");
    e2c_run_finish(f.run, "duration");
    g_assert_cmpuint(f.finishes, ==, 1);
    g_assert_cmpstr(f.reason, ==, "error");
    g_assert_false(e2c_run_finished(NULL));
    e2c_run_quit(NULL);
    fake_clear(&f);
}

static void
test_stats(void)
{
    struct fake f;
    fake_init(&f, 0, 1);
    f.finish_on_stats = TRUE;
    e2c_run_loop(f.run);
    g_assert_cmpuint(f.stats, ==, 1);
    g_assert_cmpstr(f.reason, ==, "enough stats");
    fake_clear(&f);
}

/* ---- the control socket, with a client on another thread ---- */

struct client {
    gchar *path;
    gboolean status_ok, leave_ok;
    gchar *status;
};

static gpointer
client_thread(gpointer data)
{
    struct client *c = data;
    struct e2c_control_reply reply = {0};
    GError *error = NULL;
    c->status_ok =
        e2c_control_client_request(c->path, E2C_CONTROL_REQUEST_STATUS, 5000, &reply, &error) &&
        reply.ok;
    if (reply.json)
        c->status = json_dumps(reply.json, JSON_COMPACT | JSON_SORT_KEYS);
    e2c_control_reply_clear(&reply);
    g_clear_error(&error);
    c->leave_ok =
        e2c_control_client_request(c->path, E2C_CONTROL_REQUEST_LEAVE, 5000, &reply, &error) &&
        reply.ok;
    e2c_control_reply_clear(&reply);
    g_clear_error(&error);
    return NULL;
}

struct controlled {
    struct fake f;
    guint statuses;
};

static json_t *
status_op(gpointer user)
{
    struct controlled *c = user;
    c->statuses++;
    return json_pack("{s:s, s:i}", "call", "fake", "finishes", (int)c->f.finishes);
}

static void
leave_op(gpointer user)
{
    struct controlled *c = user;
    e2c_run_finish(c->f.run, "control");
}

static const struct e2c_control_ops ops = {NULL, status_op, NULL, leave_op};

static void
test_control(void)
{
    gchar *dir = make_private_dir();
    struct client cl = {g_build_filename(dir, "run.sock", NULL), FALSE, FALSE, NULL};
    struct controlled c;
    fake_init(&c.f, 0, 0);
    c.statuses = 0;
    GError *error = NULL;
    g_assert_true(e2c_run_serve_control(c.f.run, cl.path, &ops, &c, &error));
    g_assert_no_error(error);

    GThread *t = g_thread_new("client", client_thread, &cl);
    e2c_run_loop(c.f.run);
    g_thread_join(t);

    g_assert_true(cl.status_ok);
    g_assert_cmpstr(cl.status, ==, "{\"call\":\"fake\",\"finishes\":0}");
    g_assert_cmpuint(c.statuses, ==, 1);
    g_assert_true(cl.leave_ok);
    g_assert_cmpuint(c.f.finishes, ==, 1);
    g_assert_cmpstr(c.f.reason, ==, "control");
    fake_clear(&c.f);
    g_assert_false(g_file_test(cl.path, G_FILE_TEST_EXISTS));
    free(cl.status);
    g_free(cl.path);
    rm_tree(dir);
    g_free(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/run-call/duration", test_duration);
    g_test_add_func("/run-call/signals", test_signals);
    g_test_add_func("/run-call/second-signal", test_second_signal);
    g_test_add_func("/run-call/finish-once", test_finish_once);
    g_test_add_func("/run-call/stats", test_stats);
    g_test_add_func("/run-call/control", test_control);
    return g_test_run();
}
