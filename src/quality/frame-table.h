/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The frame-time table (e2call(1), MEDIA QUALITY FIGURES): when each sent frame entered its
 * encoder, by the frame's identity on the wire (its first SFrame's KID and counter; in a plain
 * call, a hash of its bytes, which the router never changes), written
 * by the publisher and read by every receiver of the frame. It lives in memory shared by all
 * e2call processes of a user on one machine (frame-table-file.h), so latency is measured for
 * pairs in one process and across processes alike; this file is only the table's logic, on
 * any suitably aligned buffer, so it can be tested without files.
 *
 * Layout: a header, then E2C_FTAB_SLOTS slots in groups of E2C_FTAB_WAYS; (kid, ctr) hashes
 * to a group, a writer takes the group's empty or oldest slot, a reader looks at all of them.
 * A slot is guarded by a seqlock: a writer takes it by a compare-and-swap of its sequence
 * from even to odd (another writer got it first: the next slot), writes, and sets it to the
 * next even value; a reader copies the slot and retries when the sequence was odd or changed.
 * Nothing blocks, nothing is allocated. Newer frames overwrite older ones, so a lookup can
 * miss: callers count that. Nothing in the table is secret: KIDs and counters are on the wire
 * in clear, times are when frames were encoded.
 */
#pragma once

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define E2C_FTAB_SLOTS 65536u
#define E2C_FTAB_WAYS 4u
#define E2C_FTAB_MAGIC UINT64_C(0x6532634654616231) /* "e2cFTab1" */

struct e2c_ftab_slot {
    _Atomic uint64_t seq; /* odd: being written */
    _Atomic uint64_t kid, ctr;
    _Atomic int64_t capture_ns; /* CLOCK_REALTIME; 0: empty; < 0: ambiguous */
};

struct e2c_ftab {
    _Atomic uint64_t magic; /* set last by whoever made the table */
    uint64_t slots;         /* E2C_FTAB_SLOTS */
    uint64_t reserved[6];
    struct e2c_ftab_slot slot[E2C_FTAB_SLOTS];
};

/* Bytes the table takes (the size of the shared file). */
#define E2C_FTAB_SIZE sizeof(struct e2c_ftab)

/* Makes a zeroed buffer of E2C_FTAB_SIZE bytes a table; one already made is left as it is. */
void e2c_ftab_init(struct e2c_ftab *t);
/* 1 when t is a table of this layout. */
int e2c_ftab_valid(const struct e2c_ftab *t);
/*
 * Identical plain frames (the same bytes) recorded less than this apart cannot be told apart
 * by a receiver: lookups miss. Recorded further apart, the newer recording replaces the
 * older one, as a frame is never this late: a receiver getting the older copy finds a time
 * after its arrival, and misses too. (A slot of an ambiguous frame holds minus the time of
 * its latest recording.)
 */
#define E2C_FTAB_REPEAT_NS INT64_C(10000000000)

/*
 * Records that frame (kid, ctr) entered its encoder at capture_ns (> 0). The same frame
 * recorded again with the same time (another branch of one encoder) changes nothing; with
 * another time less than E2C_FTAB_REPEAT_NS away (identical plain frames) the frame becomes
 * ambiguous: lookups miss.
 */
void e2c_ftab_put(struct e2c_ftab *t, uint64_t kid, uint64_t ctr, int64_t capture_ns);
/* The time recorded for (kid, ctr) into *capture_ns: 1, or 0 when it is not (or no longer)
 * there, or ambiguous. */
int e2c_ftab_get(const struct e2c_ftab *t, uint64_t kid, uint64_t ctr, int64_t *capture_ns);
/* A 64-bit hash of a plain frame's bytes: its identity (not against an adversary). */
uint64_t e2c_ftab_hash(const uint8_t *data, size_t len);
