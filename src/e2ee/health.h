/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mismatch accounting for one received stream (SPEC.md §5):
 *
 * - mismatch: 10 consecutive frames failed authentication under every key held;
 * - match: the first good frame after a mismatch;
 * - replayed and malformed frames, and frames damaged by packet loss, neither
 *   count toward the run nor reset it; a good frame resets it.
 * - no key held: SECRET_MISSING (and the run starts over, since failures
 *   under earlier keys say nothing about the next one); the first good frame
 *   afterwards reports SECRET_FOUND, not FIRST_OK or MATCH.
 * Each transition is reported once, by the call that causes it.
 */
#pragma once

#include <stdint.h>

#define E2C_HEALTH_MISMATCH_RUN 10

enum e2c_health_state {
    E2C_HEALTH_WAITING,        /* nothing authenticated yet */
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
    E2C_HEALTH_IN_IGNORED,             /* replayed, malformed, unencrypted */
    E2C_HEALTH_IN_NO_KEY,
};

struct e2c_health {
    enum e2c_health_state state;
    uint32_t run;  /* consecutive authentication failures */
};

void e2c_health_init(struct e2c_health *h);
enum e2c_health_event e2c_health_feed(struct e2c_health *h, enum e2c_health_input in);
const char *e2c_health_state_name(enum e2c_health_state s); /* "decrypting", "mismatch", ... */
