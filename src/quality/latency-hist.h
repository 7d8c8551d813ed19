/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A latency distribution (e2call(1), MEDIA QUALITY FIGURES: latency-ms, decoded-latency-ms):
 * a log-linear histogram of microseconds, O(1) and allocation-free per sample, so the receive
 * chain feeds it from the streaming thread, and plain data, so a snapshot is a copy.
 *
 * Buckets: one per microsecond below E2C_LH_LINEAR_US; above, 64 per power of two (6 bits of
 * mantissa), so a bucket spans at most 1/64 of its lower bound and its midpoint is within
 * 0.8 % of any value in it. Quantiles are read at the midpoint of the bucket holding the
 * nearest-rank sample: within 1 % (or 1 us) of the exact nearest-rank quantile. The maximum is
 * kept exactly. Values beyond E2C_LH_MAX_US (about 4.5 minutes) count in the last bucket,
 * which stands for the maximum.
 */
#pragma once

#include <stdint.h>

#define E2C_LH_SUB_BITS 6
#define E2C_LH_LINEAR_US (UINT64_C(1) << (E2C_LH_SUB_BITS + 1)) /* 128 */
#define E2C_LH_TOP_BIT 27
#define E2C_LH_MAX_US ((UINT64_C(1) << (E2C_LH_TOP_BIT + 1)) - 1)
#define E2C_LH_BUCKETS                                                                             \
    (E2C_LH_LINEAR_US + (E2C_LH_TOP_BIT - E2C_LH_SUB_BITS) * (1u << E2C_LH_SUB_BITS))

struct e2c_latency_hist {
    uint64_t count;
    uint64_t max_us;
    uint32_t buckets[E2C_LH_BUCKETS];
};

/* Quantiles of a distribution in milliseconds; have is 0 when there was no sample. */
struct e2c_latency_summary {
    int have;
    double p50_ms, p95_ms, p99_ms, max_ms;
};

void e2c_latency_hist_init(struct e2c_latency_hist *h);
void e2c_latency_hist_add(struct e2c_latency_hist *h, uint64_t us);
/* The nearest-rank q-quantile (0 < q <= 1) in microseconds, as described above; 0 when empty. */
double e2c_latency_hist_quantile_us(const struct e2c_latency_hist *h, double q);
void e2c_latency_hist_summary(const struct e2c_latency_hist *h, struct e2c_latency_summary *out);
/*
 * The samples added to now since it was base (an earlier copy of the same histogram): the
 * figures of one stats interval without resetting anything the stream keeps. The interval's
 * maximum is exact when it raised the histogram's maximum, else its bucket's midpoint.
 */
void e2c_latency_hist_since(const struct e2c_latency_hist *now, const struct e2c_latency_hist *base,
                            struct e2c_latency_summary *out);
