/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stream-outcomes.h"

void
e2c_stream_outcome_from_info(const struct e2c_stream_info *s, struct e2c_stream_outcome *out)
{
    *out = (struct e2c_stream_outcome){
        .feed = s->feed,
        .display = s->display,
        .track = s->track,
        .codec = e2c_codec_name(s->codec),
        .verified = s->verified,
        .mismatched = s->mismatch_now,
        .mismatch_cause = s->mismatch_cause,
        .frames_ok = s->frames_ok,
        .frames_decoded = s->frames_decoded,
        .frames_lost = s->frames_lost,
        .rtp_bytes = s->rtp_bytes,
        .auth_failed = s->auth_failed,
        .malformed = s->malformed,
        .unencrypted = s->unencrypted,
        .gone = s->gone,
        .freezes = s->timing.freezes,
        .frozen_ms = (guint64)s->timing.frozen_ns / 1000000,
        .longest_freeze_ms = (guint64)s->timing.longest_ns / 1000000,
        .jitter_ms = e2c_frame_timing_mean_jitter_ms(&s->timing),
        .received_ms = (guint64)e2c_frame_timing_span_ns(&s->timing) / 1000000,
    };
    e2c_latency_hist_summary(&s->latency, &out->latency);
    e2c_latency_hist_summary(&s->decoded_latency, &out->decoded_latency);
}

static void
append_outcome(gpointer user, const struct e2c_stream_info *s)
{
    struct e2c_stream_outcome o;
    e2c_stream_outcome_from_info(s, &o);
    g_array_append_val((GArray *)user, o);
}

GArray *
e2c_participant_outcomes(struct e2c_participant *p)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct e2c_stream_outcome));
    e2c_participant_foreach_stream(p, TRUE, append_outcome, a);
    return a;
}

static void
append_sent(gpointer user, const struct e2c_send_info *s)
{
    struct e2c_metrics_sent m = {s->track, e2c_codec_name(s->codec), s->frames, s->bytes};
    g_array_append_val((GArray *)user, m);
}

GArray *
e2c_participant_sent(struct e2c_participant *p)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct e2c_metrics_sent));
    e2c_participant_foreach_send(p, append_sent, a);
    return a;
}
