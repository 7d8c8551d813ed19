/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "frame-timing.h"

#include <string.h>

void
e2c_frame_timing_init(struct e2c_frame_timing *t)
{
    memset(t, 0, sizeof(*t));
    t->last_media_ns = E2C_FT_NO_MEDIA;
}

int64_t
e2c_frame_timing_average_ns(const struct e2c_frame_timing *t)
{
    return t->window_len ? t->window_sum_ns / (int64_t)t->window_len : 0;
}

/* Adds the interval to the window, then tells whether it was a freeze (libwebrtc's order). */
static int
is_freeze(struct e2c_frame_timing *t, int64_t interval)
{
    if (t->window_len == E2C_FT_WINDOW)
        t->window_sum_ns -= t->window[t->window_next];
    else
        t->window_len++;
    t->window[t->window_next] = interval;
    t->window_sum_ns += interval;
    t->window_next = (t->window_next + 1) % E2C_FT_WINDOW;
    if (t->window_len < E2C_FT_MIN_SAMPLES)
        return 0;
    int64_t avg = e2c_frame_timing_average_ns(t);
    int64_t threshold = avg + E2C_FT_MIN_INCREASE_NS;
    if (3 * avg > threshold)
        threshold = 3 * avg;
    return interval >= threshold;
}

static void
add_jitter(struct e2c_frame_timing *t, int64_t arrival_ns, int64_t media_ns)
{
    /* A frame without a media timestamp breaks the chain: the next one starts it again. */
    if (media_ns != E2C_FT_NO_MEDIA && t->last_media_ns != E2C_FT_NO_MEDIA) {
        /* Differences first: the absolute values (a monotonic clock, a running time) need not
         * share an origin. */
        double d =
            (double)(arrival_ns - t->last_arrival_ns) - (double)(media_ns - t->last_media_ns);
        if (d < 0)
            d = -d;
        t->jitter_ns += (d - t->jitter_ns) / 16.0;
        t->jitter_sum_ns += t->jitter_ns;
        t->jitter_samples++;
    }
    t->last_media_ns = media_ns;
}

int64_t
e2c_frame_timing_add(struct e2c_frame_timing *t, int64_t arrival_ns, int64_t media_ns)
{
    int64_t frozen = 0;
    if (t->frames) {
        int64_t interval = arrival_ns - t->last_arrival_ns;
        if (interval < 0) { /* a clock that went back: the frame arrived with the last */
            interval = 0;
            arrival_ns = t->last_arrival_ns;
        }
        if (is_freeze(t, interval)) {
            t->recent_ns[t->freezes % E2C_FT_RECENT] = interval;
            t->freezes++;
            t->frozen_ns += interval;
            if (interval > t->longest_ns)
                t->longest_ns = interval;
            frozen = interval;
        }
    }
    /* Jitter needs the previous arrival, so it goes before last_arrival_ns moves on. */
    if (t->frames) {
        add_jitter(t, arrival_ns, media_ns);
    } else {
        t->last_media_ns = media_ns;
        t->first_arrival_ns = arrival_ns;
    }
    t->last_arrival_ns = arrival_ns;
    t->frames++;
    return frozen;
}

int64_t
e2c_frame_timing_span_ns(const struct e2c_frame_timing *t)
{
    return t->frames > 1 ? t->last_arrival_ns - t->first_arrival_ns : 0;
}

double
e2c_frame_timing_jitter_ms(const struct e2c_frame_timing *t)
{
    return t->jitter_ns / 1e6;
}

double
e2c_frame_timing_mean_jitter_ms(const struct e2c_frame_timing *t)
{
    return t->jitter_samples ? t->jitter_sum_ns / (double)t->jitter_samples / 1e6 : 0;
}

int64_t
e2c_frame_timing_longest_since(const struct e2c_frame_timing *t, uint64_t before)
{
    if (before >= t->freezes)
        return 0;
    uint64_t n = t->freezes - before;
    if (n > E2C_FT_RECENT)
        n = E2C_FT_RECENT;
    int64_t longest = 0;
    for (uint64_t k = t->freezes - n; k < t->freezes; k++)
        if (t->recent_ns[k % E2C_FT_RECENT] > longest)
            longest = t->recent_ns[k % E2C_FT_RECENT];
    return longest;
}

uint64_t
e2c_rtp_clock_unwrap(struct e2c_rtp_clock *c, uint32_t ts)
{
    if (!c->started) {
        c->ext = (UINT64_C(1) << 32) | ts;
        c->started = 1;
    } else {
        /* The step as a signed 32-bit number: two's complement, in unsigned arithmetic. */
        uint32_t step = ts - (uint32_t)c->ext;
        if (step < UINT32_C(0x80000000))
            c->ext += step;
        else
            c->ext -= (uint64_t)(UINT32_C(0xffffffff) - step) + 1;
    }
    return c->ext;
}

int64_t
e2c_rtp_clock_ns(uint64_t ext, uint32_t rate)
{
    return (int64_t)(ext / rate * 1000000000 + ext % rate * 1000000000 / rate);
}
