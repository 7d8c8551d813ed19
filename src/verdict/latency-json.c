/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "latency-json.h"

#include <math.h>

/* Milliseconds to the microsecond: the histogram's own resolution. */
static json_t *
ms(double v)
{
    return json_real(round(v * 1000.0) / 1000.0);
}

json_t *
e2c_latency_json(const struct e2c_latency_summary *s)
{
    if (!s->have)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "p50", ms(s->p50_ms));
    json_object_set_new(o, "p95", ms(s->p95_ms));
    json_object_set_new(o, "p99", ms(s->p99_ms));
    json_object_set_new(o, "max", ms(s->max_ms));
    return o;
}

json_t *
e2c_latency_hist_json(const struct e2c_latency_hist *h)
{
    struct e2c_latency_summary s;
    e2c_latency_hist_summary(h, &s);
    return e2c_latency_json(&s);
}

void
e2c_latency_summary_worst(struct e2c_latency_summary *acc, const struct e2c_latency_summary *s)
{
    if (!s->have)
        return;
    if (!acc->have) {
        *acc = *s;
        return;
    }
    acc->p50_ms = fmax(acc->p50_ms, s->p50_ms);
    acc->p95_ms = fmax(acc->p95_ms, s->p95_ms);
    acc->p99_ms = fmax(acc->p99_ms, s->p99_ms);
    acc->max_ms = fmax(acc->max_ms, s->max_ms);
}

json_t *
e2c_max_latency_json(const struct e2c_quality_limits *l)
{
    if (!e2c_quality_latency_asked(l))
        return json_null();
    json_t *o = json_object();
    for (guint f = 0; f < E2C_LATENCY_FIGURES; f++)
        if (l->max_latency_ms[f])
            json_object_set_new(o, e2c_latency_figure_name((enum e2c_latency_figure)f),
                                json_integer((json_int_t)l->max_latency_ms[f]));
    return o;
}
