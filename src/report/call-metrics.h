/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OpenMetrics file of `e2call join` and `e2call load` (e2call(1),
 * REPORT FILES): per received stream and per sent stream counters, the
 * run's time and, once it ended, its verdict; for load also the pairs.
 * Pure: from plain counters. Figures per received stream go in
 * received_families() with the same labels, as freezes, jitter and
 * latency (with a quantile label) do.
 */
#pragma once

#include <glib.h>

#include "load-verdict.h"
#include "stream-outcome.h"

struct e2c_metrics_sent {
    const char *track, *codec;
    guint64 frames, bytes;
};

struct e2c_metrics_participant {
    const char *name; /* display name (join) or label (load) */
    /* Every record, also those that went away: the counters of one source add up. */
    const struct e2c_stream_outcome *streams;
    guint n_streams;
    const struct e2c_metrics_sent *sent;
    guint n_sent;
};

struct e2c_metrics_run {
    const char *command; /* "join", "load" */
    double seconds;      /* since the run started */
    gboolean finished;   /* the verdict is known */
    int exit_status;     /* when finished */
    const struct e2c_metrics_participant *participants;
    guint n;
    /* load, once finished: the pairs; else NULL */
    const struct e2c_load_input *load_in;
    const struct e2c_load_verdict *load_v;
};

gchar *e2c_metrics_render(const struct e2c_metrics_run *r);
