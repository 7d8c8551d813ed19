/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A load run (e2call load) while it runs: its participants, the ramp, the
 * progress line and stats, --rekey-every, the control socket and, at the
 * end, the report. Shared by cmd-load.c (options and setup), load-run.c
 * (the run) and load-collect.c (the report); not an interface beyond them.
 */
#pragma once

#include <gst/gst.h>

#include "control.h"
#include "events.h"
#include "load-secrets.h"
#include "participant.h"
#include "quality-limits.h"
#include "report-args.h"
#include "run-call.h"
#include "send-chain.h"
#include "stats.h"

struct member {
    struct load *l;
    struct e2c_participant *p;
    guint index; /* 0-based; shown 1-based as "p<N>" */
    gchar *label;
    gboolean publisher, started, joined, published, left, failed;
    gint64 started_us, joined_us, first_media_us;
    gchar *error;
    enum e2c_error err;               /* what made it fail, if it did */
    char impair[E2C_IMPAIR_TEXT_LEN]; /* --impair's spec for it, canonical; "": none */
};

struct load {
    struct e2c_run *run;
    struct e2c_events *events; /* JSON lines, or NULL */
    struct e2c_pipeline *media;
    GstElement *source_bin;
    struct e2c_send_source source;
    struct e2c_load_secrets secrets;
    struct member *m;
    guint n, n_pub, next;
    guint ramp_ms;
    gboolean json, tty;
    double max_loss;
    double max_behind_s;
    struct e2c_quality_limits quality; /* --max-freeze, --max-frozen */
    guint video_fps;
    guint next_group;
    gboolean rekeying; /* a --rekey-every derivation, at most one at a time */
    struct e2c_stats_sampler *sampler, *control_sampler;
    gint64 start_us;
    gint64 pub_wait_us; /* since when receivers wait for the publishers */
    guint ramp_timer, progress_timer, rekey_timer;
    guint left_count;
    gchar *room_text;
    guint *expected_group; /* participant -> group the user expects (default: from secrets) */
    /*
     * The first participant the router failed (unreachable, refused, lost
     * for good, the room destroyed): the run ends there, and no matrix can
     * say more than that error.
     */
    struct member *router_failed;
    guint failure_idle;
    int status;
    /* --junit, --metrics, --metrics-interval */
    const struct e2c_report_args *report;
    guint metrics_timer;
    gboolean report_failed; /* a report file could not be written at the end */
};

/* Participant callbacks, run hooks and control ops of a load run (load-run.c). */
extern const struct e2c_participant_callbacks e2c_load_participant_callbacks;
extern const struct e2c_run_hooks e2c_load_run_hooks;
extern const struct e2c_control_ops e2c_load_control_ops;

/* Starts the first participant and the ramp, progress and rekey timers. */
void e2c_load_start(struct load *l, double joins_per_s, guint64 rekey_ms);
/* After the loop: stops those timers and waits for a rekey in flight. */
void e2c_load_stop(struct load *l);

/* Prints the report, writes the report files (load-collect.c) and returns the exit status. */
int e2c_load_report(struct load *l);
/* With --metrics-interval: writes --metrics every interval until the end (load-collect.c). */
void e2c_load_start_metrics(struct load *l);
