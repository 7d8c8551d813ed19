/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-stream mismatch accounting (health.h). Only undamaged frames that
 * say something about the sender count: authentication failures, frames
 * without an envelope and stale KIDs, each in its own run; frames that say
 * nothing about the key (replays, malformed, rate-limited, damaged by loss)
 * leave the runs alone.
 */
#include "health.h"

void
e2c_health_init(struct e2c_health *h)
{
    h->state = E2C_HEALTH_WAITING;
    h->cause = E2C_HEALTH_CAUSE_NONE;
    h->run = 0;
    h->unencrypted_run = 0;
    h->stale_run = 0;
}

static enum e2c_health_event
on_ok(struct e2c_health *h)
{
    enum e2c_health_state was = h->state;
    h->run = h->unencrypted_run = h->stale_run = 0;
    h->state = E2C_HEALTH_DECRYPTING;
    switch (was) {
    case E2C_HEALTH_WAITING:
        return E2C_HEALTH_EV_FIRST_OK;
    case E2C_HEALTH_MISMATCH:
        return E2C_HEALTH_EV_MATCH;
    case E2C_HEALTH_SECRET_MISSING:
        return E2C_HEALTH_EV_SECRET_FOUND;
    case E2C_HEALTH_DECRYPTING:
        break;
    }
    return E2C_HEALTH_EV_NONE;
}

static enum e2c_health_event
on_failure(struct e2c_health *h, uint32_t *run, enum e2c_health_cause cause)
{
    if (*run < UINT32_MAX)
        (*run)++;
    if (*run < E2C_HEALTH_MISMATCH_RUN || h->state == E2C_HEALTH_MISMATCH)
        return E2C_HEALTH_EV_NONE;
    h->state = E2C_HEALTH_MISMATCH;
    h->cause = cause;
    return E2C_HEALTH_EV_MISMATCH;
}

/* Failures counted under the keys held before say nothing about the next key. */
static enum e2c_health_event
on_no_key(struct e2c_health *h)
{
    h->run = 0;
    if (h->state == E2C_HEALTH_SECRET_MISSING)
        return E2C_HEALTH_EV_NONE;
    h->state = E2C_HEALTH_SECRET_MISSING;
    return E2C_HEALTH_EV_SECRET_MISSING;
}

enum e2c_health_event
e2c_health_feed(struct e2c_health *h, enum e2c_health_input in)
{
    switch (in) {
    case E2C_HEALTH_IN_OK:
        return on_ok(h);
    case E2C_HEALTH_IN_AUTH_FAILED:
        return on_failure(h, &h->run, E2C_HEALTH_CAUSE_WRONG_SECRET);
    case E2C_HEALTH_IN_UNENCRYPTED:
        return on_failure(h, &h->unencrypted_run, E2C_HEALTH_CAUSE_UNENCRYPTED);
    case E2C_HEALTH_IN_STALE:
        return on_failure(h, &h->stale_run, E2C_HEALTH_CAUSE_STALE);
    case E2C_HEALTH_IN_NO_KEY:
        return on_no_key(h);
    case E2C_HEALTH_IN_DAMAGED_AUTH_FAILED:
    case E2C_HEALTH_IN_IGNORED:
        break;
    }
    return E2C_HEALTH_EV_NONE;
}

const char *
e2c_health_state_name(enum e2c_health_state s)
{
    switch (s) {
    case E2C_HEALTH_WAITING:
        return "waiting";
    case E2C_HEALTH_DECRYPTING:
        return "decrypting";
    case E2C_HEALTH_MISMATCH:
        return "mismatch";
    case E2C_HEALTH_SECRET_MISSING:
        return "secret-missing";
    }
    return "unknown";
}

const char *
e2c_health_cause_name(enum e2c_health_cause c)
{
    switch (c) {
    case E2C_HEALTH_CAUSE_NONE:
        return "none";
    case E2C_HEALTH_CAUSE_WRONG_SECRET:
        return "wrong-secret";
    case E2C_HEALTH_CAUSE_UNENCRYPTED:
        return "unencrypted";
    case E2C_HEALTH_CAUSE_STALE:
        return "stale";
    }
    return "unknown";
}
