/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How `e2call join` and `e2call load` run a call: one GMainLoop, SIGINT and
 * SIGTERM (the first ends the call cleanly, a second exits at once with
 * 130), the --duration timer, periodic stats and the control socket
 * (e2call-control(7)). The call itself stays behind two hooks, so the loop
 * is tested with a fake call and no pipeline.
 *
 *     run = e2c_run_new(&cfg, &hooks, call);
 *     if (want_control && !e2c_run_serve_control(run, path, &ops, call, &error)) ...
 *     start the call;
 *     e2c_run_loop(run);         // until the call calls e2c_run_quit()
 *     ... wait for what is in flight, free the call ...
 *     e2c_run_free(run);
 *
 * The end of a call: e2c_run_finish(run, reason) (from the duration timer,
 * a signal, the control op "leave", or the call itself) calls hooks.finish
 * once; the call then reports, leaves and calls e2c_run_quit() when it has
 * left.
 */
#pragma once

#include <glib.h>

#include "control.h"

struct e2c_run_hooks {
    /* Starts ending the call; reason: "duration", "interrupted", "control", or the call's own. */
    void (*finish)(gpointer call, const char *reason);
    /* Every stats_interval_s; NULL: none. */
    void (*stats)(gpointer call);
};

struct e2c_run_config {
    const char *command;    /* "e2call join": the prefix of messages */
    guint64 duration_ms;    /* 0: until interrupted, left or finished otherwise */
    guint stats_interval_s; /* 0: no periodic stats */
};

struct e2c_run;

struct e2c_run *e2c_run_new(const struct e2c_run_config *cfg, const struct e2c_run_hooks *hooks,
                            gpointer call);
/*
 * Serves the control socket at path (NULL: the default path) with ops on
 * user; the socket goes when the run is freed, and at once on a signal.
 * FALSE with error set when it cannot be served.
 */
gboolean e2c_run_serve_control(struct e2c_run *run, const char *path,
                               const struct e2c_control_ops *ops, gpointer user, GError **error);
/* The control socket's path, or NULL when none is served. */
const char *e2c_run_control_path(const struct e2c_run *run);
/* Arms the duration and stats timers and the signals, runs until e2c_run_quit(), disarms. */
void e2c_run_loop(struct e2c_run *run);
/* Ends the call: hooks.finish, once per run. */
void e2c_run_finish(struct e2c_run *run, const char *reason);
/* Whether e2c_run_finish() was called. NULL-safe (FALSE). */
gboolean e2c_run_finished(const struct e2c_run *run);
/* Stops the loop (the call has left). NULL-safe. */
void e2c_run_quit(struct e2c_run *run);
/* Frees the run and its control socket. NULL-safe. */
void e2c_run_free(struct e2c_run *run);
