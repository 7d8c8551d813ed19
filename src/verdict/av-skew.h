/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A/V skew (e2call(1), MEDIA QUALITY FIGURES: av-skew-ms, decoded-av-skew-ms): how much later a
 * publisher's audio reaches a receiver than its video, as the difference of their latency
 * medians. Positive: audio is behind video. Pure: summaries and JSON in, numbers out.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "latency-hist.h"

/* audio's p50 minus video's p50 in *skew_ms; FALSE (*skew_ms untouched) unless both had a
 * sample. */
gboolean e2c_av_skew_ms(const struct e2c_latency_summary *audio,
                        const struct e2c_latency_summary *video, double *skew_ms);

/* The same as a JSON number rounded to the microsecond (the latencies' resolution), or null. */
json_t *e2c_av_skew_json(const struct e2c_latency_summary *audio,
                         const struct e2c_latency_summary *video);

/*
 * Adds the skew to the received stream objects of streams (a stats, status or summary array;
 * sent streams, those with "direction" "send", are left alone): the audio and the video stream
 * of one publisher (equal "participant" and "feed", both "ended" or neither; streams that
 * ended pair in the order they come) both get "av-skew-ms" from their "latency-ms" and
 * "decoded-av-skew-ms" from their "decoded-latency-ms", each where both streams have that
 * latency's p50. A stream without a partner, or without the figures, gets neither key.
 */
void e2c_av_skew_annotate(json_t *streams);
/* Annotates mine (one participant's streams, so that only its own streams pair), appends them
 * to array and drops mine. */
void e2c_av_skew_append(json_t *array, json_t *mine);
