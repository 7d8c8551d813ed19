/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* e2call web serve | join: the browser participant (e2call(1), WEB). */
#pragma once

#include <glib.h>

#include "secret.h"

struct e2c_web_join_options {
    const char *server, *room, *display, *video, *audio;
    int width, height, fps, suite, stats_interval;
    guint64 duration_ms, rekey_delay_ms, rekey_at_ms;
    gint64 expect; /* -1: not asked; 0: every stream seen; N */
    gboolean json, quiet;
    struct e2c_secret secret;       /* utf8 NULL: a plain call; taken over (zeroed here) */
    struct e2c_secret rekey_secret; /* utf8 NULL: no rekey; taken over (zeroed here) */
};

/* Runs the browser participant to its end; join's exit statuses (cmd-web-join.c). */
int e2c_web_join_run(struct e2c_web_join_options *o);
