/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --max-freeze, --max-frozen and --max-latency (e2call(1), MEDIA QUALITY
 * FIGURES and EXIT STATUS): whether one received stream's freezes and
 * latency stay within the limits, and in what words they did not. Pure:
 * figures in, a reason out.
 *
 * Only video is judged: an audio freeze (176 ms without a 20 ms packet) is
 * what loss of eight packets in a row does, not what a viewer sees, and its
 * figures stay in the reports. A limit is met when the figure equals it.
 * A stream with no frame, or a single one, has no interval and passes
 * (whether media arrived at all is --expect-media's question).
 *
 * Latency (to decryption, latency-ms) is judged on every track, video and
 * audio alike: a late voice is as much a fault as a late picture. A stream
 * without a latency sample (nothing decrypted, or a sender whose frames
 * cannot be matched) is not judged.
 */
#pragma once

#include <glib.h>

#include "stream-outcome.h"

/* The figures of a latency distribution --max-latency can limit. */
enum e2c_latency_figure { E2C_LATENCY_P50, E2C_LATENCY_P95, E2C_LATENCY_P99, E2C_LATENCY_MAX };
#define E2C_LATENCY_FIGURES 4

struct e2c_quality_limits {
    guint64 max_freeze_ms; /* the longest freeze allowed; 0: not asked */
    double max_frozen_pct; /* the share of the time received allowed frozen; 0: not asked */
    /* per figure (enum e2c_latency_figure), the latency allowed in ms; 0: not asked */
    guint64 max_latency_ms[E2C_LATENCY_FIGURES];
};

/* Any limit. */
gboolean e2c_quality_limits_asked(const struct e2c_quality_limits *l);
/* --max-freeze or --max-frozen. */
gboolean e2c_quality_freeze_asked(const struct e2c_quality_limits *l);
/* --max-latency. */
gboolean e2c_quality_latency_asked(const struct e2c_quality_limits *l);
/* "p50", "p95", "p99", "max": the figure's name in --max-latency and in the reports. */
const char *e2c_latency_figure_name(enum e2c_latency_figure f);
/* The figure of a summary. */
double e2c_latency_figure_ms(const struct e2c_latency_summary *s, enum e2c_latency_figure f);
/* Whether the limits apply to a track ("video"). */
gboolean e2c_quality_judges_track(const char *track);
/* Frozen time as a percentage of the time received (0 when nothing was received). */
double e2c_quality_frozen_pct(guint64 frozen_ms, guint64 received_ms);

/*
 * The figures of one received video stream (or one pair's video), judged:
 * NULL when within the limits (or not asked, or not video), else the reason,
 * e.g. "longest freeze 640 ms, above --max-freeze 500 ms; frozen 12.5% of
 * 8.0 s received, above --max-frozen 10%". Free with g_free().
 */
gchar *e2c_quality_fault(const struct e2c_quality_limits *l, const char *track,
                         guint64 longest_freeze_ms, guint64 frozen_ms, guint64 received_ms);
/*
 * A latency distribution judged against --max-latency: NULL when within
 * (or not asked, or without samples), else the reason, every figure above
 * its limit, e.g. "latency p95 412.3 ms, above --max-latency p95:400ms".
 * Free with g_free().
 */
gchar *e2c_latency_fault(const struct e2c_quality_limits *l, const struct e2c_latency_summary *s);
/* The same of a stream's outcome: its freezes' reason (video), its latency's, joined by "; ". */
gchar *e2c_quality_stream_fault(const struct e2c_quality_limits *l,
                                const struct e2c_stream_outcome *s);
