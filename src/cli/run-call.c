/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run-call.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "control-server.h"

struct e2c_run {
    GMainLoop *loop;
    struct e2c_run_hooks hooks;
    gpointer call;
    gchar *command;
    guint64 duration_ms;
    guint stats_interval_s;
    struct e2c_control_server *control;
    gboolean finished;
    guint duration_timer, stats_timer, sigint, sigterm;
};

struct e2c_run *
e2c_run_new(const struct e2c_run_config *cfg, const struct e2c_run_hooks *hooks, gpointer call)
{
    struct e2c_run *run = g_new0(struct e2c_run, 1);
    run->loop = g_main_loop_new(NULL, FALSE);
    run->hooks = *hooks;
    run->call = call;
    run->command = g_strdup(cfg->command);
    run->duration_ms = cfg->duration_ms;
    run->stats_interval_s = cfg->stats_interval_s;
    return run;
}

gboolean
e2c_run_serve_control(struct e2c_run *run, const char *path, const struct e2c_control_ops *ops,
                      gpointer user, GError **error)
{
    run->control = e2c_control_server_new(path, ops, user, error);
    return run->control != NULL;
}

const char *
e2c_run_control_path(const struct e2c_run *run)
{
    return run->control ? e2c_control_server_get_path(run->control) : NULL;
}

void
e2c_run_finish(struct e2c_run *run, const char *reason)
{
    if (run->finished)
        return;
    run->finished = TRUE;
    run->hooks.finish(run->call, reason);
}

gboolean
e2c_run_finished(const struct e2c_run *run)
{
    return run && run->finished;
}

void
e2c_run_quit(struct e2c_run *run)
{
    if (run)
        g_main_loop_quit(run->loop);
}

static gboolean
on_duration(gpointer data)
{
    struct e2c_run *run = data;
    run->duration_timer = 0;
    e2c_run_finish(run, "duration");
    return G_SOURCE_REMOVE;
}

static gboolean
on_stats(gpointer data)
{
    struct e2c_run *run = data;
    run->hooks.stats(run->call);
    return G_SOURCE_CONTINUE;
}

/* The first signal ends the call cleanly; a second one, while it leaves, at once. */
static gboolean
on_signal(gpointer data)
{
    struct e2c_run *run = data;
    e2c_control_server_remove_socket(run->control);
    if (run->finished) {
        fprintf(stderr, "%s: interrupted again, exiting without leaving cleanly\n", run->command);
        _exit(130);
    }
    e2c_run_finish(run, "interrupted");
    return G_SOURCE_CONTINUE;
}

static void
remove_source(guint *id)
{
    if (*id)
        g_source_remove(*id);
    *id = 0;
}

void
e2c_run_loop(struct e2c_run *run)
{
    if (run->duration_ms)
        run->duration_timer = g_timeout_add((guint)run->duration_ms, on_duration, run);
    if (run->stats_interval_s && run->hooks.stats)
        run->stats_timer = g_timeout_add_seconds(run->stats_interval_s, on_stats, run);
    run->sigint = g_unix_signal_add(SIGINT, on_signal, run);
    run->sigterm = g_unix_signal_add(SIGTERM, on_signal, run);

    g_main_loop_run(run->loop);

    remove_source(&run->sigint);
    remove_source(&run->sigterm);
    remove_source(&run->duration_timer);
    remove_source(&run->stats_timer);
}

void
e2c_run_free(struct e2c_run *run)
{
    if (!run)
        return;
    e2c_control_server_free(run->control);
    g_main_loop_unref(run->loop);
    g_free(run->command);
    g_free(run);
}
