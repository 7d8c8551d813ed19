/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A participant's received streams as the verdicts read them
 * (stream-outcome.h): the one place where the call's stream records become
 * plain counters.
 */
#pragma once

#include "call-metrics.h"
#include "participant.h"
#include "stream-outcome.h"

void e2c_stream_outcome_from_info(const struct e2c_stream_info *s, struct e2c_stream_outcome *out);
/* Every stream of p (also those that ended), as struct e2c_stream_outcome. The strings point
 * into p's records: use the array before p changes. */
GArray *e2c_participant_outcomes(struct e2c_participant *p);
/* Every track p publishes, as struct e2c_metrics_sent. */
GArray *e2c_participant_sent(struct e2c_participant *p);
