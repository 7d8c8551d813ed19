/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The call of `e2call join` while it runs: the participant's callbacks, the
 * periodic stats, the end (summary, verdict, leave), the key derivations
 * (the first key, rekeys) and the control socket. cmd-join.c reads the
 * options and sets it up; not an interface beyond the two.
 */
#pragma once

#include <gio/gio.h>

#include "control.h"
#include "events.h"
#include "participant.h"
#include "quality-limits.h"
#include "report-args.h"
#include "run-call.h"
#include "stats.h"

struct join {
    struct e2c_run *run;
    struct e2c_events *events;
    struct e2c_pipeline *media;
    struct e2c_participant *p;
    enum e2c_error fatal; /* what ended the call early, if anything */
    gchar *fatal_message; /* its message, for the JUnit report */
    int status;
    /* options */
    gint64 expect_media;               /* -1: not asked; 0: every stream seen; N */
    struct e2c_quality_limits quality; /* --max-freeze, --max-frozen */
    gchar *snapshot_dir;
    gchar *room_text;
    guint rekey_delay_ms;
    struct e2c_stats_sampler *periodic, *on_request;
    gboolean deriving; /* the key for the start */
    GCancellable *derivation;
    gboolean rekeying; /* a rekey's key derivation, at most one at a time */
    /* --junit, --metrics, --metrics-interval */
    const struct e2c_report_args *report;
    gboolean e2ee;
    gint64 start_us;
    guint metrics_timer;
    gboolean report_failed; /* a report file could not be written at the end */
};

extern const struct e2c_participant_callbacks e2c_join_participant_callbacks;
extern const struct e2c_run_hooks e2c_join_run_hooks;
extern const struct e2c_control_ops e2c_join_control_ops;

/* Derives the call's key from secret (its bytes move into the derivation) for j->room_text. */
void e2c_join_derive_key(struct join *j, struct e2c_secret *secret);
/* The verdict (join-verdict.h) with its events; the exit status. */
int e2c_join_verdict(struct join *j);
/* With --metrics-interval: writes --metrics every interval until the end. */
void e2c_join_start_metrics(struct join *j);
/* After the loop: waits for derivations in flight (a late first key is dropped). */
void e2c_join_settle(struct join *j);
