/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "frame-table.h"

#include <string.h>

void
e2c_ftab_init(struct e2c_ftab *t)
{
    if (atomic_load_explicit(&t->magic, memory_order_acquire) == E2C_FTAB_MAGIC)
        return;
    t->slots = E2C_FTAB_SLOTS;
    atomic_store_explicit(&t->magic, E2C_FTAB_MAGIC, memory_order_release);
}

int
e2c_ftab_valid(const struct e2c_ftab *t)
{
    return atomic_load_explicit(&t->magic, memory_order_acquire) == E2C_FTAB_MAGIC &&
           t->slots == E2C_FTAB_SLOTS;
}

/* The first slot of (kid, ctr)'s group: a 64-bit mix (splitmix64's finaliser) of both. */
static size_t
group_of(uint64_t kid, uint64_t ctr)
{
    uint64_t x = kid * UINT64_C(0x9e3779b97f4a7c15) ^ ctr;
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return (size_t)(x % (E2C_FTAB_SLOTS / E2C_FTAB_WAYS)) * E2C_FTAB_WAYS;
}

void
e2c_ftab_put(struct e2c_ftab *t, uint64_t kid, uint64_t ctr, int64_t capture_ns)
{
    struct e2c_ftab_slot *g = &t->slot[group_of(kid, ctr)];
    /* The slot already naming this frame, else the empty or oldest one; if another writer
     * holds it, the others in order. (A glance without the seqlock: a wrong guess only
     * costs a second slot for the frame.) */
    unsigned first = 0;
    int64_t oldest_ns = INT64_MAX;
    int same = 0;
    for (unsigned k = 0; k < E2C_FTAB_WAYS && !same; k++) {
        int64_t at = atomic_load_explicit(&g[k].capture_ns, memory_order_relaxed);
        if (at != 0 && atomic_load_explicit(&g[k].kid, memory_order_relaxed) == kid &&
            atomic_load_explicit(&g[k].ctr, memory_order_relaxed) == ctr) {
            /* Recorded already: by another branch of the same encoder (the same time), or
             * an identical frame sent at another time. Within E2C_FTAB_REPEAT_NS no receiver
             * can tell them apart (ambiguous: minus the latest time); further apart, the
             * newer one replaces the older. */
            int64_t latest = at < 0 ? -at : at;
            if (latest == capture_ns)
                return;
            if (capture_ns - latest < E2C_FTAB_REPEAT_NS &&
                latest - capture_ns < E2C_FTAB_REPEAT_NS)
                capture_ns = -(capture_ns > latest ? capture_ns : latest);
            first = k;
            same = 1;
        } else if (at < oldest_ns) {
            /* Ambiguous slots (negative) go first: no lookup can use them. */
            oldest_ns = at;
            first = k;
        }
    }
    for (unsigned i = 0; i < E2C_FTAB_WAYS; i++) {
        struct e2c_ftab_slot *s = &g[(first + i) % E2C_FTAB_WAYS];
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
        if (seq & 1)
            continue;
        if (!atomic_compare_exchange_strong_explicit(&s->seq, &seq, seq + 1, memory_order_acquire,
                                                     memory_order_relaxed))
            continue;
        /* Readers that saw the old even sequence see it changed, so the stores may go in any
         * order; the release fence keeps them after the odd sequence. */
        atomic_thread_fence(memory_order_release);
        atomic_store_explicit(&s->kid, kid, memory_order_relaxed);
        atomic_store_explicit(&s->ctr, ctr, memory_order_relaxed);
        atomic_store_explicit(&s->capture_ns, capture_ns, memory_order_relaxed);
        atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
        return;
    }
    /* Every slot of the group is being written right now: this frame goes unrecorded (a
     * receiver's lookup misses), which no writer waits for. */
}

int
e2c_ftab_get(const struct e2c_ftab *t, uint64_t kid, uint64_t ctr, int64_t *capture_ns)
{
    const struct e2c_ftab_slot *g = &t->slot[group_of(kid, ctr)];
    for (unsigned k = 0; k < E2C_FTAB_WAYS; k++) {
        /* A few retries: a writer holds a slot for a few stores only. */
        for (unsigned attempt = 0; attempt < 64; attempt++) {
            uint64_t seq = atomic_load_explicit(&g[k].seq, memory_order_acquire);
            if (seq & 1)
                continue;
            uint64_t skid = atomic_load_explicit(&g[k].kid, memory_order_relaxed);
            uint64_t sctr = atomic_load_explicit(&g[k].ctr, memory_order_relaxed);
            int64_t at = atomic_load_explicit(&g[k].capture_ns, memory_order_relaxed);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&g[k].seq, memory_order_relaxed) != seq)
                continue;
            if (skid == kid && sctr == ctr && at > 0) {
                *capture_ns = at;
                return 1;
            }
            if (skid == kid && sctr == ctr && at < 0)
                return 0; /* ambiguous */
            break;
        }
    }
    return 0;
}

uint64_t
e2c_ftab_hash(const uint8_t *data, size_t len)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, data, 8);
        h = (h ^ w) * UINT64_C(0xbf58476d1ce4e5b9);
        h ^= h >> 29;
        data += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t k = 0; k < len; k++)
        tail |= (uint64_t)data[k] << (8 * k);
    h = (h ^ tail) * UINT64_C(0x94d049bb133111eb);
    h ^= h >> 31;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    return h;
}
