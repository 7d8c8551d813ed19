/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sending side of one track (one encrypting element): its KID, its
 * counter, key rotation and the delayed switch to a new secret (e2call-e2ee(7), COUNTERS, ROTATION AND REKEY).
 *
 * - A fresh random KID is drawn for the first key, at every key switch,
 *   whenever the counter or the suite's usage limit would run out, and when
 *   the wall-clock epoch (wallclock.h, ten minutes) is no longer the one the
 *   KID carries; counters start at 0 per KID and never repeat.
 * - e2c_sender_set_key() with activate_at in the future keeps sealing with
 *   the current key until then (receive first, send later).
 * Not thread-safe: the owner serialises calls. Time is CLOCK_MONOTONIC in
 * microseconds, supplied by the caller so that tests control it; the epoch
 * comes from e2c_wallclock_s().
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "keysched.h"

/* Per-KID usage limits (e2call-e2ee(7), COUNTERS, ROTATION AND REKEY): rotate at the soft limit. */
#define E2C_SENDER_SOFT_LIMIT_FRAMES (UINT64_C(1) << 31)
#define E2C_SENDER_SOFT_LIMIT_BLOCKS (UINT64_C(1) << 35)

/* Flags reported by e2c_sender_protect(). */
enum {
    E2C_SENDER_NEW_KID = 1 << 0,    /* this frame is the first under a new KID */
    E2C_SENDER_SWITCHED = 1 << 1,   /* ... because a pending key became active */
    E2C_SENDER_ROTATED = 1 << 2,    /* ... under the same key: a new epoch or a usage limit */
};

struct e2c_sender;

struct e2c_sender *e2c_sender_create(uint16_t suite);
void e2c_sender_destroy(struct e2c_sender *s); /* NULL-safe; wipes */

/* Copies the key. The first key is active at once; later keys at activate_at_us. */
int e2c_sender_set_key(struct e2c_sender *s, const struct e2c_shared_key *key,
                       uint64_t activate_at_us);
int e2c_sender_has_key(const struct e2c_sender *s);
/* Current KID, 0 before the first frame under the first key. */
uint64_t e2c_sender_kid(const struct e2c_sender *s);
uint64_t e2c_sender_frames(const struct e2c_sender *s); /* frames sealed, all KIDs */
/* The counter the next frame under the current KID gets: a receiver holding
 * the same KID and counter has everything sealed so far. */
uint64_t e2c_sender_next_counter(const struct e2c_sender *s);
/* The KID before the current one (0: none) and the counter its last frame
 * was followed by: frames sealed under it, so that a receiver still on it
 * can be set against the sender across a rotation. */
uint64_t e2c_sender_previous_kid(const struct e2c_sender *s, uint64_t *out_next_counter);
uint16_t e2c_sender_suite(const struct e2c_sender *s);

size_t e2c_sender_seal_bound(const struct e2c_sender *s, size_t pt_len);
/* SFRAME_E_UNKNOWN_KID when no key was ever set. */
int e2c_sender_seal(struct e2c_sender *s, uint64_t now_us, const uint8_t *metadata,
                    size_t metadata_len, const uint8_t *pt, size_t pt_len, uint8_t *out,
                    size_t *out_len, unsigned *out_flags);

/* Tests only: the next frame uses this counter (to reach limits quickly). */
void e2c_sender_set_counter_for_test(struct e2c_sender *s, uint64_t ctr);
