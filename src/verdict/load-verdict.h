/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verdict of `e2call load` (e2call(1), EXIT STATUS): from what every
 * receiver saw of every publisher, the groups the secrets (or
 * --expect-groups) imply, the failed participants and the limits
 * (--max-loss, --max-behind), a state per pair, the totals, the reasons and
 * the exit status. Pure: no pipeline, no main loop, no output; rendering is
 * load-report.h.
 *
 * A participant that failed never passes: a router failure that ended the
 * run first (8, CONNECT_FAILED), then the matrix (11), loss and backlog (12),
 * then freezes beyond --max-freeze or --max-frozen or latency above
 * --max-latency (13, MEDIA_QUALITY_FAILED; a pair's video, or for latency
 * its video and audio, within a group, quality-limits.h), then any other
 * participant's error with its own status.
 */
#pragma once

#include <glib.h>

#include "errors.h"
#include "quality-limits.h"
#include "stream-outcome.h"

#define E2C_LOAD_EXIT_MATRIX 11
#define E2C_LOAD_EXIT_LOSS 12

/* One cell of the decrypt matrix: what a receiver made of a publisher's streams. */
enum e2c_pair_state {
    E2C_PAIR_NONE,     /* no stream of that publisher */
    E2C_PAIR_OK,       /* every stream verified, none mismatched */
    E2C_PAIR_MISMATCH, /* every stream mismatched */
    E2C_PAIR_PARTIAL,  /* anything between */
};
/* "none", "ok", "mismatch", "partial": the names of the JSON report. */
const char *e2c_pair_state_name(enum e2c_pair_state state);

/* Freezes, jitter and latency of one kind of track (e2call(1), MEDIA QUALITY FIGURES). */
struct e2c_quality_seen {
    guint64 freezes, frozen_ms, longest_freeze_ms; /* summed; the longest of all */
    double jitter_ms;                              /* the highest stream's mean */
    guint64 received_ms;                           /* summed: the time received */
    struct e2c_latency_summary latency; /* to decryption: the worst stream's, field by field */
};

/* What one receiver saw of one publisher, its streams summed. */
struct e2c_pair_seen {
    guint streams, verified, mismatched;
    guint64 frames_ok, frames_lost, rtp_bytes;
    /* Seconds of frames the publisher sent that the receiver had neither received nor
     * lost at the end; < 0: not known (the publisher is not in this process). */
    double behind_s;
    struct e2c_quality_seen video, audio;
};

/* A pair with nothing seen (behind not known). */
#define E2C_PAIR_SEEN_INIT                                                                         \
    {                                                                                              \
        .behind_s = -1.0                                                                           \
    }

void e2c_pair_seen_add(struct e2c_pair_seen *pair, const struct e2c_stream_outcome *stream);
enum e2c_pair_state e2c_pair_seen_state(const struct e2c_pair_seen *pair);

struct e2c_load_member {
    const char *label; /* "p1", "k2-p1" */
    gboolean publisher;
    guint expected_group; /* 0-based: the secrets' group, or --expect-groups' */
    guint secret_group;   /* 0-based: the group of its secret */
    guint secret_line;    /* 1-based line of its secret in --secrets */
    /* Milliseconds; NAN when it did not happen: start since the run's start, joined and first
     * media since its own start. */
    double start_ms, join_ms, first_media_ms;
    gboolean failed;
    enum e2c_error err; /* what made it fail */
    const char *error;  /* "NAME: message", or NULL */
    const char *impair; /* --impair's spec for it, canonical ("loss=5%,dir=recv"), or NULL */
};

struct e2c_load_input {
    guint n, n_pub; /* the first n_pub members publish */
    const struct e2c_load_member *members;
    const struct e2c_pair_seen *seen; /* n × n_pub, row by receiver; the diagonal is unused */
    /* The member whose router failure ended the run (unreachable, refused, lost for good, the
     * room destroyed), or -1. */
    int router_failed;
    double max_loss_pct, max_behind_s;
    /* --max-freeze, --max-frozen, --max-latency; zero: not asked */
    struct e2c_quality_limits quality;
};

struct e2c_load_pair {
    guint receiver, publisher;
    enum e2c_pair_state state, expected;
    gboolean unexpected; /* state differs from expected */
    double loss_pct;
    /* Loss and backlog are judged within a group only (expected ok). */
    gboolean judged;
    double behind_s; /* < 0: not known */
    /* Its lines of the verdict's reasons (no newline), NULL where it passed: the state, loss
     * over --max-loss, backlog over --max-behind, video freezes beyond the quality limits,
     * latency above --max-latency (judged within a group when they were given). */
    gchar *state_reason, *loss_reason, *behind_reason, *quality_reason, *latency_reason;
};

struct e2c_load_verdict {
    struct e2c_load_pair *pairs; /* every receiver × publisher but a publisher itself */
    guint n_pairs;
    guint unexpected, over_loss, late, failed;
    guint frozen;                   /* pairs whose video froze beyond the quality limits */
    guint slow;                     /* pairs whose latency was above --max-latency */
    guint64 frames_ok, frames_lost; /* within groups */
    guint64 rtp_bytes;              /* all pairs */
    double loss_pct, worst_loss_pct, worst_behind_s;
    gchar *reasons; /* a line per failing pair, in matrix order */
    gchar *summary; /* "as the secrets imply", or why not */
    int exit_status;
};

void e2c_load_verdict_decide(const struct e2c_load_input *in, struct e2c_load_verdict *out);
void e2c_load_verdict_clear(struct e2c_load_verdict *v);
/* The pair (receiver, publisher) of in, or NULL for a publisher and itself. */
const struct e2c_load_pair *e2c_load_verdict_pair(const struct e2c_load_verdict *v,
                                                  const struct e2c_load_input *in, guint receiver,
                                                  guint publisher);
