/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A latency distribution as events and reports show it (e2call(1), MEDIA QUALITY FIGURES). */
#pragma once

#include <jansson.h>

#include "latency-hist.h"
#include "quality-limits.h"

/* {"p50": ms, "p95": ms, "p99": ms, "max": ms}, or null when there was no sample. */
json_t *e2c_latency_json(const struct e2c_latency_summary *s);
/* The same of a histogram over its whole life. */
json_t *e2c_latency_hist_json(const struct e2c_latency_hist *h);
/* The worse of two summaries, field by field (one kind of track's streams of one pair). */
void e2c_latency_summary_worst(struct e2c_latency_summary *acc,
                               const struct e2c_latency_summary *s);
/* {"p95": 400, ...}: the figures --max-latency limits in ms, or null when not given. */
json_t *e2c_max_latency_json(const struct e2c_quality_limits *l);
