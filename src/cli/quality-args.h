/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --max-freeze, --max-frozen, --max-latency and --no-quality-figures of join
 * and load (e2call(1), MEDIA QUALITY FIGURES): their option entries, the check
 * of their values into the verdicts' limits (quality-limits.h), and the switch
 * that turns the figures off (figures-switch.h).
 *
 * All need a unit: "500" could mean 500 ms or, as other times of e2call
 * do, 500 s, and "10" a share or a ratio; the mistake would pass silently.
 * --max-latency may be given once per figure ([p50|p95|p99|max:]D, p95 when
 * none is named), so that "--max-latency 400ms --max-latency p99:600ms"
 * limits both; the same figure twice is a usage error, as a repeated flag
 * of one value is.
 */
#pragma once

#include <glib.h>

#include "quality-limits.h"

struct e2c_quality_args {
    gchar *max_freeze, *max_frozen;
    gchar **max_latency; /* every --max-latency, in order */
    gboolean no_figures;
};

/* The entries, the terminator included. */
#define E2C_QUALITY_ARGS_ENTRIES 5

void e2c_quality_args_entries(struct e2c_quality_args *args,
                              GOptionEntry out[E2C_QUALITY_ARGS_ENTRIES]);
/* Checks the values into out (zero where not given) and, with --no-quality-figures, turns the
 * figures off for the process: 0, or 2 (usage) after a line prefixed with cmd. */
int e2c_quality_args_check(const struct e2c_quality_args *args, const char *cmd,
                           struct e2c_quality_limits *out);
void e2c_quality_args_clear(struct e2c_quality_args *args);
