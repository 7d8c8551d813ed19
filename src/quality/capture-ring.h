/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * When the media of recent frames was taken, by media timestamp (PTS): the raw frames going
 * into an encoder (to time the encoded frames coming out), or the frames leaving decryption
 * (to time the decoded frames). A small ring, O(E2C_CR_SIZE) per lookup, no allocation.
 *
 * An encoded frame's PTS is its first raw frame's where encoders keep timestamps (video);
 * audio encoders cut their own frames, so a lookup falls back to the latest entry at or
 * before the PTS (the frame whose media the encoded frame starts in), within
 * E2C_CR_MAX_BEFORE_NS.
 */
#pragma once

#include <stdint.h>

#define E2C_CR_SIZE 64
#define E2C_CR_MAX_BEFORE_NS INT64_C(100000000) /* 100 ms: longer than any frame e2call sends */

struct e2c_capture_ring {
    uint64_t pts[E2C_CR_SIZE];
    int64_t at_ns[E2C_CR_SIZE];
    unsigned next, len;
};

void e2c_capture_ring_init(struct e2c_capture_ring *r);
void e2c_capture_ring_add(struct e2c_capture_ring *r, uint64_t pts, int64_t at_ns);
/* The time for pts (as above) into *at_ns: 1, or 0 when none fits. */
int e2c_capture_ring_find(const struct e2c_capture_ring *r, uint64_t pts, int64_t *at_ns);
/* The same for exactly pts only: decoders keep their frames' timestamps, and an earlier frame
 * (one whose own lookup missed) would give a wrong time. */
int e2c_capture_ring_find_exact(const struct e2c_capture_ring *r, uint64_t pts, int64_t *at_ns);
