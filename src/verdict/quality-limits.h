/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --max-freeze and --max-frozen (e2call(1), MEDIA QUALITY FIGURES and EXIT
 * STATUS): whether one received video stream's freezes stay within the
 * limits, and in what words it did not. Pure: figures in, a reason out.
 *
 * Only video is judged: an audio freeze (176 ms without a 20 ms packet) is
 * what loss of eight packets in a row does, not what a viewer sees, and its
 * figures stay in the reports. A limit is met when the figure equals it.
 * A stream with no frame, or a single one, has no interval and passes
 * (whether media arrived at all is --expect-media's question).
 */
#pragma once

#include <glib.h>

#include "stream-outcome.h"

struct e2c_quality_limits {
    guint64 max_freeze_ms; /* the longest freeze allowed; 0: not asked */
    double max_frozen_pct; /* the share of the time received allowed frozen; 0: not asked */
};

gboolean e2c_quality_limits_asked(const struct e2c_quality_limits *l);
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
/* The same of a stream's outcome. */
gchar *e2c_quality_stream_fault(const struct e2c_quality_limits *l,
                                const struct e2c_stream_outcome *s);
