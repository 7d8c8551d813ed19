/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Anti-replay window of RFC 9605 §9.3, adapted from RFC 3711 §3.3.2 (as in
 * libsrtp's rdb): 128 counters below the highest one accepted. Check before
 * authenticating, update only after, so a forged frame cannot move the
 * window. All arithmetic is on counters known to be ordered, so nothing
 * wraps near 2^64.
 */
#include <string.h>

#include "sframe.h"

void
sframe_replay_init(struct sframe_replay *w)
{
    if (w)
        memset(w, 0, sizeof(*w));
}

static int
bit_get(const struct sframe_replay *w, uint64_t i)
{
    return (int)(w->bits[i / 64] >> (i % 64) & 1);
}

static void
bit_set(struct sframe_replay *w, uint64_t i)
{
    w->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Moves the window up by s (1 <= s) counters: bit i becomes bit i + s. */
static void
shift_up(struct sframe_replay *w, uint64_t s)
{
    if (s >= SFRAME_REPLAY_WINDOW) {
        w->bits[0] = w->bits[1] = 0;
    } else if (s >= 64) {
        w->bits[1] = w->bits[0] << (s - 64);
        w->bits[0] = 0;
    } else {
        w->bits[1] = w->bits[1] << s | w->bits[0] >> (64 - s);
        w->bits[0] <<= s;
    }
}

enum sframe_error
sframe_replay_check(const struct sframe_replay *w, uint64_t ctr)
{
    uint64_t delta;

    if (!w)
        return SFRAME_E_PARAM;
    if (!w->started || ctr > w->top)
        return SFRAME_OK;
    delta = w->top - ctr;
    if (delta >= SFRAME_REPLAY_WINDOW || bit_get(w, delta))
        return SFRAME_E_REPLAY;
    return SFRAME_OK;
}

void
sframe_replay_update(struct sframe_replay *w, uint64_t ctr)
{
    uint64_t delta;

    if (!w)
        return;
    if (!w->started) {
        w->started = 1;
        w->top = ctr;
        w->bits[0] = 1;
        w->bits[1] = 0;
        return;
    }
    if (ctr > w->top) {
        shift_up(w, ctr - w->top);
        w->top = ctr;
        bit_set(w, 0);
        return;
    }
    delta = w->top - ctr;
    if (delta < SFRAME_REPLAY_WINDOW)
        bit_set(w, delta);
}
