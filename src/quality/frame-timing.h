/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Freezes and jitter of one received stream, from each frame's arrival time
 * and media timestamp (e2call(1), MEDIA QUALITY FIGURES). Pure arithmetic:
 * no GStreamer, no allocation, O(1) per frame, so the receive chain can feed
 * it from the streaming thread.
 *
 * Freeze: libwebrtc's rule (VideoQualityObserver, the one behind the
 * freezeCount of WebRTC's statistics): an interval between two arrivals is
 * added to a moving window of the last E2C_FT_WINDOW intervals; once the
 * window holds E2C_FT_MIN_SAMPLES of them, an interval of at least
 * max(3 x average, average + 150 ms), the average taken over the window with
 * that interval in it, is a freeze lasting the whole interval.
 *
 * Jitter: RFC 3550's interarrival jitter (6.4.1) with frames for packets:
 * D = (arrival_j - arrival_i) - (media_j - media_i), J += (|D| - J) / 16.
 */
#pragma once

#include <stdint.h>

#define E2C_FT_WINDOW 30                 /* libwebrtc's kAvgInterframeDelaysWindowSizeFrames */
#define E2C_FT_MIN_SAMPLES 5             /* libwebrtc's kMinFrameSamplesToDetectFreeze */
#define E2C_FT_MIN_INCREASE_NS 150000000 /* libwebrtc's kMinIncreaseForFreezeMs */
/* Freezes remembered one by one, for the longest one since a reader's last look. */
#define E2C_FT_RECENT 64
/* A media timestamp not known (GStreamer's GST_CLOCK_TIME_NONE maps to it). */
#define E2C_FT_NO_MEDIA INT64_MIN

struct e2c_frame_timing {
    uint64_t frames;
    int64_t first_arrival_ns;               /* for the time a stream was received (--max-frozen) */
    int64_t last_arrival_ns, last_media_ns; /* last_media_ns: E2C_FT_NO_MEDIA when unknown */
    /* The moving window of inter-arrival intervals. */
    int64_t window[E2C_FT_WINDOW];
    int64_t window_sum_ns;
    unsigned window_len, window_next;
    /* Freezes since the first frame. */
    uint64_t freezes;
    int64_t frozen_ns, longest_ns;
    int64_t recent_ns[E2C_FT_RECENT]; /* freeze k lasted recent_ns[k % E2C_FT_RECENT] */
    /* Jitter: the estimate now, and its mean over the frames since the second. */
    double jitter_ns;
    double jitter_sum_ns;
    uint64_t jitter_samples;
};

void e2c_frame_timing_init(struct e2c_frame_timing *t);
/*
 * One frame: arrival_ns on a monotonic clock, media_ns its media timestamp
 * (E2C_FT_NO_MEDIA: unknown; the frame then counts for freezes only).
 * Returns the duration of the freeze it ended, or 0.
 */
int64_t e2c_frame_timing_add(struct e2c_frame_timing *t, int64_t arrival_ns, int64_t media_ns);

/* The average inter-arrival interval of the window; 0 while it is empty. */
int64_t e2c_frame_timing_average_ns(const struct e2c_frame_timing *t);
/*
 * The time from the first frame's arrival to the last one's, in ns: the time the stream was
 * received, which every freeze lies within. 0 before the second frame.
 */
int64_t e2c_frame_timing_span_ns(const struct e2c_frame_timing *t);
/* The jitter estimate now, in ms (0 before the second frame with a media timestamp). */
double e2c_frame_timing_jitter_ms(const struct e2c_frame_timing *t);
/* The mean of the jitter estimate over the frames so far, in ms. */
double e2c_frame_timing_mean_jitter_ms(const struct e2c_frame_timing *t);
/*
 * The longest of the freezes after the first `before` (a reader's count at
 * its last look), in ns; 0 when there is none. Exact for up to E2C_FT_RECENT
 * freezes since then; beyond, the longest of the last E2C_FT_RECENT.
 */
int64_t e2c_frame_timing_longest_since(const struct e2c_frame_timing *t, uint64_t before);

/*
 * A stream's RTP timestamps (32 bits, wrapping) as 64-bit ones: each a signed 32-bit step from
 * the last, the first one at 2^32 plus itself, so steps back (reordering) stay positive.
 */
struct e2c_rtp_clock {
    uint64_t ext;
    int started;
};

uint64_t e2c_rtp_clock_unwrap(struct e2c_rtp_clock *c, uint32_t ts);
/* An unwrapped timestamp in ns at rate Hz (rate > 0), without overflow. */
int64_t e2c_rtp_clock_ns(uint64_t ext, uint32_t rate);
