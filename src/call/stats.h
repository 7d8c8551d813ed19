/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-stream rates (bitrate, frame rate) and freezes between two samples, and
 * the jitter now, for the stats events and the control socket's "stats". Each
 * sampler keeps its own baselines, so a control client asking does not
 * disturb the periodic events.
 */
#pragma once

#include <jansson.h>

#include "participant.h"

struct e2c_stats_sampler;

struct e2c_stats_sampler *e2c_stats_sampler_new(void);
void e2c_stats_sampler_free(struct e2c_stats_sampler *s);
/* Appends one object per received stream of p to array; rates and freezes since this sampler's
 * last look. */
void e2c_stats_sample(struct e2c_stats_sampler *s, struct e2c_participant *p, json_t *array);
