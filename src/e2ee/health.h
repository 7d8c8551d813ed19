/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mismatch accounting for one received stream (e2call(1), EVENTS; e2call-e2ee(7)
 * RECEIVING):
 *
 * - mismatch: 10 frames since the last good one failed in the same way:
 *   authentication under every key held (cause "wrong-secret"), no e2call
 *   envelope at all ("unencrypted": a plain peer), or a KID from another
 *   epoch ("stale": a clock more than ten minutes off, or recorded media).
 *   Each kind has its own run: one kind neither counts toward nor resets
 *   another's, so a plain peer is never taken for a wrong secret;
 * - match: the first good frame after a mismatch;
 * - replayed, malformed and rate-limited frames, and frames damaged by
 *   packet loss, neither count toward a run nor reset it; a good frame
 *   resets every run.
 * - no key held: SECRET_MISSING (and the authentication run starts over,
 *   since failures under earlier keys say nothing about the next one); the
 *   first good frame afterwards reports SECRET_FOUND, not FIRST_OK or MATCH.
 * Each transition is reported once, by the call that causes it.
 */
#pragma once

#include <stdint.h>

#define E2C_HEALTH_MISMATCH_RUN 10

enum e2c_health_state {
    E2C_HEALTH_WAITING, /* nothing authenticated yet */
    E2C_HEALTH_DECRYPTING,
    E2C_HEALTH_MISMATCH,
    E2C_HEALTH_SECRET_MISSING, /* frames arrive and no key is held */
};

enum e2c_health_event {
    E2C_HEALTH_EV_NONE,
    E2C_HEALTH_EV_FIRST_OK,       /* WAITING -> DECRYPTING */
    E2C_HEALTH_EV_MISMATCH,       /* -> MISMATCH */
    E2C_HEALTH_EV_MATCH,          /* MISMATCH -> DECRYPTING */
    E2C_HEALTH_EV_SECRET_MISSING, /* -> SECRET_MISSING */
    E2C_HEALTH_EV_SECRET_FOUND,   /* SECRET_MISSING -> DECRYPTING */
};

enum e2c_health_input {
    E2C_HEALTH_IN_OK,
    E2C_HEALTH_IN_AUTH_FAILED,
    E2C_HEALTH_IN_DAMAGED_AUTH_FAILED, /* failed, but the frame follows lost packets */
    E2C_HEALTH_IN_IGNORED,             /* replayed, malformed, rate-limited, or damaged */
    E2C_HEALTH_IN_NO_KEY,
    E2C_HEALTH_IN_UNENCRYPTED, /* no e2call envelope (and not after lost packets) */
    E2C_HEALTH_IN_STALE,       /* a KID from another epoch */
};

/* Why a stream is in mismatch (the run that got there). */
enum e2c_health_cause {
    E2C_HEALTH_CAUSE_NONE,
    E2C_HEALTH_CAUSE_WRONG_SECRET,
    E2C_HEALTH_CAUSE_UNENCRYPTED,
    E2C_HEALTH_CAUSE_STALE,
};

struct e2c_health {
    enum e2c_health_state state;
    enum e2c_health_cause cause; /* of the current or last mismatch */
    uint32_t run;                /* authentication failures since the last good frame */
    uint32_t unencrypted_run;
    uint32_t stale_run;
};

void e2c_health_init(struct e2c_health *h);
enum e2c_health_event e2c_health_feed(struct e2c_health *h, enum e2c_health_input in);
const char *e2c_health_state_name(enum e2c_health_state s); /* "decrypting", "mismatch", ... */
const char *e2c_health_cause_name(enum e2c_health_cause c); /* "wrong-secret", "unencrypted", ... */
