/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket's view of a running call: what `e2call join` (and
 * `e2call load`) lets a local client do. The control code reaches the call
 * only through this table, so it is tested without any pipeline.
 *
 * Every function runs on the main loop. Nothing returned may contain a
 * secret or key material.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "secret.h"

/* Completion of an asynchronous request: error NULL on success. */
typedef void (*E2cControlDone)(gpointer done_data, const GError *error);

struct e2c_control_ops {
    /*
     * Install a new secret (e2call-e2ee(7), COUNTERS, ROTATION AND REKEY: receive at once, send
     * after the switch delay). The secret was validated already; the callee takes it over (and
     * wipes it). done is called exactly once, later or at once.
     */
    void (*rekey)(gpointer user, struct e2c_secret *secret, E2cControlDone done,
                  gpointer done_data);
    /* A JSON object: participants, streams, per-stream state, KIDs, counters. Transfer full. */
    json_t *(*status)(gpointer user);
    /* A JSON object: per-stream bitrate, fps, frames decrypted / failed / replayed. */
    json_t *(*stats)(gpointer user);
    /* Leave the call (the reply goes out before the process exits). */
    void (*leave)(gpointer user);
};

/* Error domain for control replies; codes map to the error names of e2call(1) where one fits. */
#define E2C_CONTROL_ERROR (e2c_control_error_quark())
GQuark e2c_control_error_quark(void);
typedef enum {
    E2C_CONTROL_ERROR_INVALID_SECRET, /* INVALID_ENCRYPTION_SECRET */
    E2C_CONTROL_ERROR_NOT_ENCRYPTED,  /* the call runs without E2EE: nothing to rekey */
    E2C_CONTROL_ERROR_BUSY,           /* e.g. rekeys faster than the limit */
    E2C_CONTROL_ERROR_INTERNAL,       /* ENCRYPTION_INTERNAL_ERROR and the like */
    E2C_CONTROL_ERROR_BAD_REQUEST,
} E2cControlError;
