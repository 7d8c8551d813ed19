/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Latency of what a browser participant (e2call web join) receives, in an E2EE room (e2call(1),
 * MEDIA QUALITY FIGURES): the page's worker reports each frame it opened as its first SFrame's
 * KID and counter and the wall-clock time it opened it; the driver looks each up in the
 * frame-time table its publisher wrote (an e2call process of the user on this machine) and
 * keeps a distribution per received stream, which goes into the page's stats and summary
 * events as latency-ms (and the A/V skew). A page cannot read the table itself.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "frame-table.h"

struct e2c_web_latency;

/* Looks frames up in table (the process's frame-time table; NULL: no latency is measured). */
struct e2c_web_latency *e2c_web_latency_new(struct e2c_ftab *table);
void e2c_web_latency_free(struct e2c_web_latency *l);
/*
 * One batch of the page's frame times: JSON {"feed": N, "track": "video"|"audio",
 * "times": [[KID hex, counter decimal, wall-clock ms], ...]}. What does not parse is skipped.
 */
void e2c_web_latency_add(struct e2c_web_latency *l, const char *payload);
/*
 * Sets "latency-ms" (and "latency-misses" where summary) on each stream object of streams (the
 * page's stats or summary "streams", matched by "feed" and "track"), then the A/V skew: over
 * the frames since the previous stats event, or over the call for the summary. A stream with
 * no timed frame gets null.
 */
void e2c_web_latency_annotate(struct e2c_web_latency *l, json_t *streams, gboolean summary);
