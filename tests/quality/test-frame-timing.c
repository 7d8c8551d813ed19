/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freezes and jitter from frame times (src/quality/frame-timing.h). */
#include <glib.h>

#include "frame-timing.h"

#define MS 1000000LL
#define SECOND 1000000000LL
/* Arrivals on an arbitrary monotonic origin, media timestamps on another. */
#define ARRIVAL0 (123 * SECOND)
#define MEDIA0 (7 * SECOND)

/* Frame k of a steady stream of fps frames a second, on the nanosecond. */
static gint64
at(guint64 k, guint fps)
{
    return (gint64)(k * (guint64)SECOND / fps);
}

/* n frames at fps from frame `first`, arriving shift_ns after their media time. */
static void
feed_steady(struct e2c_frame_timing *t, guint64 first, guint64 n, guint fps, gint64 shift_ns)
{
    for (guint64 k = first; k < first + n; k++)
        e2c_frame_timing_add(t, ARRIVAL0 + at(k, fps) + shift_ns, MEDIA0 + at(k, fps));
}

static void
test_steady_30fps(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 30 * 600, 30, 0); /* ten minutes */
    g_assert_cmpuint(t.frames, ==, 30 * 600);
    g_assert_cmpuint(t.freezes, ==, 0);
    g_assert_cmpint(t.frozen_ns, ==, 0);
    g_assert_cmpint(t.longest_ns, ==, 0);
    g_assert_cmpint(e2c_frame_timing_average_ns(&t), >=, 33 * MS);
    g_assert_cmpint(e2c_frame_timing_average_ns(&t), <=, 34 * MS);
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), <, 0.001);
    g_assert_cmpfloat(e2c_frame_timing_mean_jitter_ms(&t), <, 0.001);
}

/* Frames 150..209 (two seconds) never arrive: the interval that spans them is one freeze. */
static void
test_hole_of_two_seconds(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 150, 30, 0);
    g_assert_cmpuint(t.freezes, ==, 0);
    feed_steady(&t, 210, 300, 30, 0);
    g_assert_cmpuint(t.freezes, ==, 1);
    /* From frame 149 to frame 210: 61 intervals of 33.3 ms. */
    g_assert_cmpint(t.frozen_ns, ==, at(210, 30) - at(149, 30));
    g_assert_cmpint(t.frozen_ns / MS, >=, 2000);
    g_assert_cmpint(t.frozen_ns / MS, <=, 2040);
    g_assert_cmpint(t.longest_ns, ==, t.frozen_ns);
    /* Received from frame 0 to frame 509, the freeze within it. */
    g_assert_cmpint(e2c_frame_timing_span_ns(&t), ==, at(509, 30));
    /* The media timestamps skipped as far as the arrivals: no jitter. */
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), <, 0.001);
}

/* The same two seconds held back (as a stalled jitterbuffer would) and then delivered at once. */
static void
test_hole_then_burst(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 150, 30, 0);
    gint64 release = ARRIVAL0 + at(210, 30);
    for (guint64 k = 150; k < 210; k++)
        g_assert_cmpint(e2c_frame_timing_add(&t, release, MEDIA0 + at(k, 30)), ==,
                        k == 150 ? release - ARRIVAL0 - at(149, 30) : 0);
    feed_steady(&t, 210, 300, 30, 0);
    g_assert_cmpuint(t.freezes, ==, 1);
    g_assert_cmpint(t.frozen_ns / MS, >=, 2000);
    g_assert_cmpint(t.frozen_ns / MS, <=, 2040);
    /* The burst is late against the media clock: jitter rises, then decays on steady frames. */
    g_assert_cmpfloat(t.jitter_sum_ns, >, 0);
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), <, 1);
}

static void
test_slow_5fps_not_frozen(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 5 * 600, 5, 0);
    g_assert_cmpuint(t.freezes, ==, 0);
    g_assert_cmpint(e2c_frame_timing_average_ns(&t), ==, 200 * MS);
    /* And a 5 fps stream with a 1 s hole freezes (3 x the average is less than a second). */
    feed_steady(&t, 5 * 600 + 5, 50, 5, 0);
    g_assert_cmpuint(t.freezes, ==, 1);
    g_assert_cmpint(t.frozen_ns, ==, 1200 * MS);
}

/*
 * The threshold: max(3 x average, average + 150 ms), the average over the last 30 intervals
 * including the late one. At 30 fps, 29 intervals of 33.3 ms and one of x: a freeze when
 * x >= (966.7 ms + x) / 30 + 150 ms, that is x >= 188.6 ms.
 */
static void
late_frame(gint64 late_ms, guint64 *freezes)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 60, 30, 0);
    gint64 last = ARRIVAL0 + at(59, 30);
    e2c_frame_timing_add(&t, last + late_ms * MS, MEDIA0 + at(60, 30));
    *freezes = t.freezes;
}

static void
test_threshold(void)
{
    guint64 n;
    late_frame(180, &n);
    g_assert_cmpuint(n, ==, 0);
    late_frame(188, &n);
    g_assert_cmpuint(n, ==, 0);
    late_frame(189, &n);
    g_assert_cmpuint(n, ==, 1);
    late_frame(400, &n);
    g_assert_cmpuint(n, ==, 1);
}

/* Before the fifth interval there is no average to judge by; then there is. */
static void
test_first_frames(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    g_assert_cmpint(e2c_frame_timing_average_ns(&t), ==, 0);
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), ==, 0);
    g_assert_cmpfloat(e2c_frame_timing_mean_jitter_ms(&t), ==, 0);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 0), ==, 0);
    /* One frame: nothing to measure. */
    g_assert_cmpint(e2c_frame_timing_add(&t, ARRIVAL0, MEDIA0), ==, 0);
    g_assert_cmpint(e2c_frame_timing_average_ns(&t), ==, 0);
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), ==, 0);
    /* A second after the first (a keyframe awaited): too early to call it a freeze. */
    e2c_frame_timing_add(&t, ARRIVAL0 + SECOND, MEDIA0 + SECOND);
    for (gint64 k = 1; k <= 3; k++)
        e2c_frame_timing_add(&t, ARRIVAL0 + SECOND + k * 33 * MS, MEDIA0 + SECOND + k * 33 * MS);
    g_assert_cmpuint(t.freezes, ==, 0);
    /* The fifth interval has an average: (1000 + 3 x 33 + 2000) / 5 = 620 ms, the threshold
     * 1860 ms. */
    gint64 now = ARRIVAL0 + SECOND + 99 * MS;
    g_assert_cmpint(e2c_frame_timing_add(&t, now + 2000 * MS, MEDIA0 + SECOND + 132 * MS), ==,
                    2000 * MS);
    g_assert_cmpuint(t.freezes, ==, 1);
    g_assert_cmpuint(t.frames, ==, 6);
}

static void
test_jitter_perfect_pace_with_delay(void)
{
    /* A constant transit time (200 ms late throughout) is no jitter. */
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 3000, 50, 200 * MS);
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), <, 0.001);
}

/* Arrivals alternately 10 ms late and 10 ms early: every D is +/-20 ms, J tends to 20 ms. */
static void
test_jitter_alternating_offsets(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    for (guint64 k = 0; k < 3000; k++)
        e2c_frame_timing_add(&t, ARRIVAL0 + at(k, 30) + (k % 2 ? -10 : 10) * MS,
                             MEDIA0 + at(k, 30));
    g_assert_cmpfloat_with_epsilon(e2c_frame_timing_jitter_ms(&t), 20.0, 0.01);
    /* The mean over the call includes the first frames' climb from 0. */
    g_assert_cmpfloat(e2c_frame_timing_mean_jitter_ms(&t), <, 20.0);
    g_assert_cmpfloat(e2c_frame_timing_mean_jitter_ms(&t), >, 19.5);
    g_assert_cmpuint(t.freezes, ==, 0);
}

/* Intervals alternately 10 ms longer and shorter than the media's: |D| = 10 ms, J tends to 10. */
static void
test_jitter_alternating_intervals(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    for (guint64 k = 0; k < 3000; k++)
        e2c_frame_timing_add(&t, ARRIVAL0 + at(k, 30) + (k % 2 ? 10 : 0) * MS, MEDIA0 + at(k, 30));
    g_assert_cmpfloat_with_epsilon(e2c_frame_timing_jitter_ms(&t), 10.0, 0.01);
}

/* The estimator's first step: J = |D| / 16. */
static void
test_jitter_first_step(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    e2c_frame_timing_add(&t, ARRIVAL0, MEDIA0);
    e2c_frame_timing_add(&t, ARRIVAL0 + 36 * MS, MEDIA0 + 20 * MS);
    g_assert_cmpfloat_with_epsilon(e2c_frame_timing_jitter_ms(&t), 1.0, 1e-9);
    e2c_frame_timing_add(&t, ARRIVAL0 + 56 * MS, MEDIA0 + 40 * MS);
    g_assert_cmpfloat_with_epsilon(e2c_frame_timing_jitter_ms(&t), 15.0 / 16.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(e2c_frame_timing_mean_jitter_ms(&t), (1.0 + 15.0 / 16) / 2,
                                   1e-9);
}

/* Frames without media timestamps still count for freezes, not for jitter. */
static void
test_no_media_timestamp(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    for (guint64 k = 0; k < 300; k++)
        e2c_frame_timing_add(&t, ARRIVAL0 + at(k, 30) + (k % 2 ? 10 : 0) * MS, E2C_FT_NO_MEDIA);
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), ==, 0);
    e2c_frame_timing_add(&t, ARRIVAL0 + at(400, 30), E2C_FT_NO_MEDIA);
    g_assert_cmpuint(t.freezes, ==, 1);
    /* One with a timestamp after one without: nothing to compare with yet. */
    e2c_frame_timing_add(&t, ARRIVAL0 + at(401, 30) + 50 * MS, MEDIA0);
    g_assert_cmpfloat(e2c_frame_timing_jitter_ms(&t), ==, 0);
    e2c_frame_timing_add(&t, ARRIVAL0 + at(402, 30) + 50 * MS + 16 * MS, MEDIA0 + at(1, 30));
    g_assert_cmpfloat_with_epsilon(e2c_frame_timing_jitter_ms(&t), 1.0, 1e-6);
}

/* A clock that goes back counts as no time, not as a negative interval. */
static void
test_clock_back(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 100, 30, 0);
    e2c_frame_timing_add(&t, ARRIVAL0, MEDIA0 + at(100, 30));
    g_assert_cmpint(t.window_sum_ns, >=, 0);
    g_assert_cmpint(t.last_arrival_ns, ==, ARRIVAL0 + at(99, 30));
    feed_steady(&t, 101, 100, 30, 0);
    g_assert_cmpuint(t.freezes, ==, 0);
}

/* Several freezes: counted one by one, and the longest since a reader's last look. */
static void
test_several_freezes(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    static const guint hole_frames[] = {30, 90, 15, 60}; /* 1 s, 3 s, 0.5 s, 2 s */
    gint64 lasted[G_N_ELEMENTS(hole_frames)];
    guint64 k = 0;
    gint64 total = 0;
    for (guint h = 0; h < G_N_ELEMENTS(hole_frames); h++) {
        feed_steady(&t, k, 300, 30, 0); /* ten seconds: the window forgets the last hole */
        k += 300 + hole_frames[h];
        lasted[h] = at(k, 30) - at(k - hole_frames[h] - 1, 30);
        total += lasted[h];
    }
    feed_steady(&t, k, 30, 30, 0);
    g_assert_cmpuint(t.freezes, ==, 4);
    g_assert_cmpint(t.frozen_ns, ==, total);
    g_assert_cmpint(t.longest_ns, ==, lasted[1]);
    g_assert_cmpint(lasted[1] / MS, ==, 3033);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 0), ==, lasted[1]);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 2), ==, lasted[3]);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 3), ==, lasted[3]);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 4), ==, 0);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 9), ==, 0);
}

/* More freezes than remembered one by one: the longest of the last E2C_FT_RECENT. */
static void
test_many_freezes(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    gint64 now = ARRIVAL0, media = MEDIA0;
    guint n = E2C_FT_RECENT + 10;
    for (guint f = 0; f < n; f++) {
        for (guint k = 0; k < 60; k++) {
            now += 33 * MS;
            media += 33 * MS;
            e2c_frame_timing_add(&t, now, media);
        }
        /* The first ten are the longest: 3 s; the others 1 s. */
        gint64 hole = (f < 10 ? 3000 : 1000) * MS;
        now += hole;
        media += hole;
        g_assert_cmpint(e2c_frame_timing_add(&t, now, media), ==, hole);
    }
    g_assert_cmpuint(t.freezes, ==, n);
    g_assert_cmpint(t.longest_ns, ==, 3000 * MS);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 0), ==, 1000 * MS);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, 9), ==, 1000 * MS);
    g_assert_cmpint(e2c_frame_timing_longest_since(&t, n - 1), ==, 1000 * MS);
}

/* Audio: 20 ms frames; the same rule makes an interval of 175.2 ms or more a freeze. */
static void
test_audio_20ms(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    feed_steady(&t, 0, 500, 50, 0);
    feed_steady(&t, 507, 500, 50, 0); /* 7 packets lost: 160 ms between two arrivals */
    g_assert_cmpuint(t.freezes, ==, 0);
    feed_steady(&t, 1016, 500, 50, 0); /* 9 lost: 200 ms */
    g_assert_cmpuint(t.freezes, ==, 1);
    g_assert_cmpint(t.frozen_ns, ==, 200 * MS);
}

/* RTP timestamps across the 32-bit wrap, forwards and back. */
static void
test_rtp_clock(void)
{
    struct e2c_rtp_clock c = {0, 0};
    guint64 base = G_GUINT64_CONSTANT(1) << 32;
    g_assert_cmpuint(e2c_rtp_clock_unwrap(&c, 0xfffff000u), ==, base + 0xfffff000u);
    g_assert_cmpuint(e2c_rtp_clock_unwrap(&c, 0xffffffffu), ==, base + 0xffffffffu);
    g_assert_cmpuint(e2c_rtp_clock_unwrap(&c, 2999), ==, 2 * base + 2999);           /* wrapped */
    g_assert_cmpuint(e2c_rtp_clock_unwrap(&c, 0xfffffff0u), ==, base + 0xfffffff0u); /* back */
    g_assert_cmpuint(e2c_rtp_clock_unwrap(&c, 6000), ==, 2 * base + 6000);
    /* Back from the very first timestamp stays positive. */
    struct e2c_rtp_clock d = {0, 0};
    e2c_rtp_clock_unwrap(&d, 100);
    g_assert_cmpuint(e2c_rtp_clock_unwrap(&d, 0xffffff00u), ==, base - 256);
    /* At 90 kHz: 3000 ticks are 33.3 ms; days of them do not overflow. */
    g_assert_cmpint(e2c_rtp_clock_ns(3000, 90000), ==, 33333333);
    g_assert_cmpint(e2c_rtp_clock_ns(48000, 48000), ==, SECOND);
    guint64 week = G_GUINT64_CONSTANT(90000) * 3600 * 24 * 7;
    g_assert_cmpint(e2c_rtp_clock_ns(week, 90000), ==, (gint64)3600 * 24 * 7 * SECOND);
    g_assert_cmpint(e2c_rtp_clock_ns(week + 1, 90000), ==, (gint64)3600 * 24 * 7 * SECOND + 11111);
}

/* The time received: none before the second frame, then first to last arrival. */
static void
test_span(void)
{
    struct e2c_frame_timing t;
    e2c_frame_timing_init(&t);
    g_assert_cmpint(e2c_frame_timing_span_ns(&t), ==, 0);
    e2c_frame_timing_add(&t, ARRIVAL0, MEDIA0);
    g_assert_cmpint(e2c_frame_timing_span_ns(&t), ==, 0);
    e2c_frame_timing_add(&t, ARRIVAL0 + 40 * MS, MEDIA0 + 33 * MS);
    g_assert_cmpint(e2c_frame_timing_span_ns(&t), ==, 40 * MS);
    /* A clock that went back does not shorten it. */
    e2c_frame_timing_add(&t, ARRIVAL0 + 10 * MS, MEDIA0 + 66 * MS);
    g_assert_cmpint(e2c_frame_timing_span_ns(&t), ==, 40 * MS);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/frame-timing/steady-30fps", test_steady_30fps);
    g_test_add_func("/frame-timing/hole-of-two-seconds", test_hole_of_two_seconds);
    g_test_add_func("/frame-timing/hole-then-burst", test_hole_then_burst);
    g_test_add_func("/frame-timing/slow-5fps", test_slow_5fps_not_frozen);
    g_test_add_func("/frame-timing/threshold", test_threshold);
    g_test_add_func("/frame-timing/first-frames", test_first_frames);
    g_test_add_func("/frame-timing/jitter-constant-delay", test_jitter_perfect_pace_with_delay);
    g_test_add_func("/frame-timing/jitter-alternating-offsets", test_jitter_alternating_offsets);
    g_test_add_func("/frame-timing/jitter-alternating-intervals",
                    test_jitter_alternating_intervals);
    g_test_add_func("/frame-timing/jitter-first-step", test_jitter_first_step);
    g_test_add_func("/frame-timing/no-media-timestamp", test_no_media_timestamp);
    g_test_add_func("/frame-timing/clock-back", test_clock_back);
    g_test_add_func("/frame-timing/several-freezes", test_several_freezes);
    g_test_add_func("/frame-timing/many-freezes", test_many_freezes);
    g_test_add_func("/frame-timing/audio-20ms", test_audio_20ms);
    g_test_add_func("/frame-timing/rtp-clock", test_rtp_clock);
    g_test_add_func("/frame-timing/span", test_span);
    return g_test_run();
}
