/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-stream mismatch accounting (SPEC.md §5). Only authentication failures
 * of undamaged frames count; frames that say nothing about the key (replays,
 * malformed, damaged by loss) leave the run alone.
 */
#include "health.h"

void
e2c_health_init(struct e2c_health *h)
{
    h->state = E2C_HEALTH_WAITING;
    h->run = 0;
}

static enum e2c_health_event
on_ok(struct e2c_health *h)
{
    enum e2c_health_state was = h->state;
    h->run = 0;
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
on_auth_failed(struct e2c_health *h)
{
    if (h->run < UINT32_MAX)
        h->run++;
    if (h->run < E2C_HEALTH_MISMATCH_RUN || h->state == E2C_HEALTH_MISMATCH)
        return E2C_HEALTH_EV_NONE;
    h->state = E2C_HEALTH_MISMATCH;
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
        return on_auth_failed(h);
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
