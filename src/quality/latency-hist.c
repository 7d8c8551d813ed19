/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "latency-hist.h"

#include <string.h>

void
e2c_latency_hist_init(struct e2c_latency_hist *h)
{
    memset(h, 0, sizeof(*h));
}

static unsigned
bucket_of(uint64_t us)
{
    if (us < E2C_LH_LINEAR_US)
        return (unsigned)us;
    if (us > E2C_LH_MAX_US)
        us = E2C_LH_MAX_US;
    unsigned top = 63u - (unsigned)__builtin_clzll(us); /* >= E2C_LH_SUB_BITS + 1 */
    unsigned sub = (unsigned)(us >> (top - E2C_LH_SUB_BITS)) & ((1u << E2C_LH_SUB_BITS) - 1);
    return (unsigned)E2C_LH_LINEAR_US + (top - E2C_LH_SUB_BITS - 1) * (1u << E2C_LH_SUB_BITS) + sub;
}

/* The midpoint of bucket b: the value it stands for; the last bucket, holding all values
 * beyond the range, stands for the maximum when that is beyond. */
static double
bucket_value(unsigned b, uint64_t max_us)
{
    if (b == E2C_LH_BUCKETS - 1 && max_us > E2C_LH_MAX_US)
        return (double)max_us;
    if (b < E2C_LH_LINEAR_US)
        return b;
    unsigned k = b - (unsigned)E2C_LH_LINEAR_US;
    unsigned top = k / (1u << E2C_LH_SUB_BITS) + E2C_LH_SUB_BITS + 1;
    unsigned sub = k % (1u << E2C_LH_SUB_BITS);
    uint64_t width = UINT64_C(1) << (top - E2C_LH_SUB_BITS);
    uint64_t low = (UINT64_C(1) << top) + sub * width;
    return (double)low + (double)(width - 1) / 2.0;
}

void
e2c_latency_hist_add(struct e2c_latency_hist *h, uint64_t us)
{
    h->buckets[bucket_of(us)]++;
    h->count++;
    if (us > h->max_us)
        h->max_us = us;
}

/* The bucket of the nearest-rank q-quantile of counts summing to n (n > 0). */
static unsigned
rank_bucket(const uint32_t *counts, const uint32_t *minus, uint64_t n, double q)
{
    uint64_t rank = (uint64_t)(q * (double)n);
    if ((double)rank < q * (double)n)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    unsigned last = 0;
    for (unsigned b = 0; b < E2C_LH_BUCKETS; b++) {
        uint32_t c = counts[b] - (minus ? minus[b] : 0);
        if (!c)
            continue;
        last = b;
        seen += c;
        if (seen >= rank)
            return b;
    }
    return last;
}

double
e2c_latency_hist_quantile_us(const struct e2c_latency_hist *h, double q)
{
    if (!h->count)
        return 0;
    double v = bucket_value(rank_bucket(h->buckets, NULL, h->count, q), h->max_us);
    /* No quantile is above the maximum, which is exact. */
    return v > (double)h->max_us ? (double)h->max_us : v;
}

void
e2c_latency_hist_summary(const struct e2c_latency_hist *h, struct e2c_latency_summary *out)
{
    memset(out, 0, sizeof(*out));
    if (!h->count)
        return;
    out->have = 1;
    out->p50_ms = e2c_latency_hist_quantile_us(h, 0.50) / 1000.0;
    out->p95_ms = e2c_latency_hist_quantile_us(h, 0.95) / 1000.0;
    out->p99_ms = e2c_latency_hist_quantile_us(h, 0.99) / 1000.0;
    out->max_ms = (double)h->max_us / 1000.0;
}

void
e2c_latency_hist_since(const struct e2c_latency_hist *now, const struct e2c_latency_hist *base,
                       struct e2c_latency_summary *out)
{
    memset(out, 0, sizeof(*out));
    if (now->count <= base->count)
        return;
    uint64_t n = now->count - base->count;
    double cap = (double)now->max_us;
    const double qs[] = {0.50, 0.95, 0.99, 1.0};
    double v[4];
    for (unsigned k = 0; k < 4; k++) {
        v[k] = bucket_value(rank_bucket(now->buckets, base->buckets, n, qs[k]), now->max_us);
        if (v[k] > cap)
            v[k] = cap;
    }
    if (now->max_us > base->max_us)
        v[3] = cap;
    out->have = 1;
    out->p50_ms = v[0] / 1000.0;
    out->p95_ms = v[1] / 1000.0;
    out->p99_ms = v[2] / 1000.0;
    out->max_ms = v[3] / 1000.0;
}
