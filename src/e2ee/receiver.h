/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receiving side of one stream: which shared keys it holds, the per-KID
 * key cache and the per-KID replay window (SPEC.md §4).
 *
 * - e2c_receiver_add_key() makes a key current at once; the key it replaces
 *   keeps opening frames for the grace period (10 s in e2call), then is wiped.
 * - A KID's keys are derived on first sight (one HKDF) and cached in a
 *   bounded table, so a sender spraying KIDs cannot grow memory.
 * - The replay window is checked before authentication and moved only after
 *   a frame authenticated (SFRAME_E_REPLAY is never an authentication failure).
 * Not thread-safe; time as in sender.h.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "keysched.h"

#define E2C_RECEIVER_GRACE_US (UINT64_C(10) * 1000000)
#define E2C_RECEIVER_MAX_KIDS 32

struct e2c_receiver;

struct e2c_receiver *e2c_receiver_create(uint16_t suite, uint64_t grace_us);
void e2c_receiver_destroy(struct e2c_receiver *r); /* NULL-safe; wipes */

int e2c_receiver_add_key(struct e2c_receiver *r, const struct e2c_shared_key *key,
                         uint64_t now_us);
/* The grace period of keys replaced from now on (those already replaced keep theirs). */
void e2c_receiver_set_grace(struct e2c_receiver *r, uint64_t grace_us);
/* Number of shared keys held at now_us (expired ones are dropped). */
unsigned e2c_receiver_key_count(struct e2c_receiver *r, uint64_t now_us);

/*
 * Opens in = header || ciphertext || tag (metadata as for sframe_open()).
 * Results: SFRAME_OK; SFRAME_E_AUTH (no key held authenticates it);
 * SFRAME_E_REPLAY; SFRAME_E_MALFORMED (header or length); SFRAME_E_UNKNOWN_KID
 * (no shared key held at all); SFRAME_E_SHORT_BUFFER; SFRAME_E_CRYPTO.
 * *out_kid is set whenever the header parsed, also on failure.
 */
int e2c_receiver_open(struct e2c_receiver *r, uint64_t now_us, const uint8_t *metadata,
                      size_t metadata_len, const uint8_t *in, size_t in_len, uint8_t *out,
                      size_t *out_len, uint64_t *out_kid);
