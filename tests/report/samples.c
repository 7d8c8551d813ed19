/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "samples.h"

#include "call-junit.h"
#include "call-metrics.h"

static const struct e2c_stream_outcome good[] = {
    {.display = HOSTILE,
     .track = "video",
     .codec = "vp8",
     .verified = TRUE,
     .frames_ok = 300,
     .frames_decoded = 299,
     .frames_lost = 1,
     .rtp_bytes = 90000},
    {.display = HOSTILE,
     .track = "audio",
     .codec = "opus",
     .verified = TRUE,
     .frames_ok = 500,
     .frames_decoded = 500,
     .rtp_bytes = 20000},
    /* A subscription before a reconnect: its counters add to the one above. */
    {.display = HOSTILE,
     .track = "video",
     .codec = "vp8",
     .verified = FALSE,
     .frames_ok = 50,
     .rtp_bytes = 1000,
     .gone = TRUE},
};

/* Received for 20 s; the video froze three times, the longest 640 ms (over --max-freeze 500ms),
 * 1.25 s in all; audio froze too (not judged). */
static const struct e2c_stream_outcome frozen[] = {
    {.display = HOSTILE,
     .track = "video",
     .codec = "vp8",
     .verified = TRUE,
     .frames_ok = 580,
     .frames_decoded = 580,
     .frames_lost = 20,
     .rtp_bytes = 900000,
     .freezes = 3,
     .frozen_ms = 1250,
     .longest_freeze_ms = 640,
     .jitter_ms = 7.25,
     .received_ms = 20000,
     .latency = {1, 40.5, 60, 70, 80}},
    {.display = HOSTILE,
     .track = "audio",
     .codec = "opus",
     .verified = TRUE,
     .frames_ok = 990,
     .frames_decoded = 990,
     .rtp_bytes = 40000,
     .freezes = 2,
     .frozen_ms = 900,
     .longest_freeze_ms = 700,
     .jitter_ms = 2.5,
     .received_ms = 20000,
     .latency = {1, 52.75, 60, 70, 80}},
};

/* Timed frames: the video's latency p95 412.3 ms (over --max-latency 400ms), decoded a little
 * later; the audio's within; a second video source without a timed frame (not judged). */
static const struct e2c_stream_outcome late[] = {
    {.display = HOSTILE,
     .track = "video",
     .codec = "vp8",
     .verified = TRUE,
     .frames_ok = 600,
     .frames_decoded = 600,
     .rtp_bytes = 900000,
     .received_ms = 20000,
     .latency = {1, 120.5, 412.3, 480, 530.25},
     .decoded_latency = {1, 130.5, 425, 490, 540}},
    {.display = HOSTILE,
     .track = "audio",
     .codec = "opus",
     .verified = TRUE,
     .frames_ok = 1000,
     .frames_decoded = 1000,
     .rtp_bytes = 40000,
     .received_ms = 20000,
     .latency = {1, 40, 60, 75, 90}},
    {.display = "carol",
     .track = "video",
     .codec = "vp9",
     .verified = TRUE,
     .frames_ok = 600,
     .rtp_bytes = 800000,
     .received_ms = 20000},
};

static const struct e2c_stream_outcome mismatched[] = {
    {.display = "mallory",
     .track = "video",
     .codec = "vp8",
     .mismatched = TRUE,
     .mismatch_cause = "wrong-secret",
     .auth_failed = 240},
    {.display = "mallory",
     .track = "audio",
     .codec = "opus",
     .mismatched = TRUE,
     .mismatch_cause = "wrong-secret",
     .auth_failed = 400},
};

static const struct e2c_metrics_sent sent[] = {
    {"video", "vp8", 310, 95000},
    {"audio", "opus", 505, 21000},
};

struct join_case {
    const struct e2c_stream_outcome *streams;
    guint n;
    enum e2c_error fatal;
    gint64 expect;
    struct e2c_quality_limits quality;
};

static gboolean
join_case(const char *name, struct join_case *c)
{
    if (g_str_equal(name, "join-pass"))
        *c = (struct join_case){
            good, G_N_ELEMENTS(good), E2C_ERR_NONE, E2C_EXPECT_MEDIA_ALL, {0, 0, {0}}};
    else if (g_str_equal(name, "join-mismatch"))
        *c = (struct join_case){
            mismatched, G_N_ELEMENTS(mismatched), E2C_ERR_NONE, E2C_EXPECT_MEDIA_ALL, {0, 0, {0}}};
    else if (g_str_equal(name, "join-fatal"))
        *c = (struct join_case){
            NULL, 0, E2C_ERR_CONNECT_FAILED, E2C_EXPECT_MEDIA_NOT_ASKED, {0, 0, {0}}};
    else if (g_str_equal(name, "join-frozen"))
        *c = (struct join_case){
            frozen, G_N_ELEMENTS(frozen), E2C_ERR_NONE, E2C_EXPECT_MEDIA_ALL, {500, 5, {0}}};
    else if (g_str_equal(name, "join-late"))
        /* --max-latency 400ms --max-latency p99:600ms */
        *c = (struct join_case){
            late, G_N_ELEMENTS(late), E2C_ERR_NONE, E2C_EXPECT_MEDIA_ALL, {0, 0, {0, 400, 600, 0}}};
    else
        return FALSE;
    return TRUE;
}

/* Four members, two publishing, in two groups; p4 sees p1 as mismatch, p3 loses 5 % of p1. */
struct load_case {
    struct e2c_load_member members[4];
    struct e2c_pair_seen seen[8];
    struct e2c_load_input in;
    struct e2c_load_verdict v;
};

enum load_sample { LOAD_PLAIN, LOAD_FROZEN, LOAD_LATE };

/* Whether name is a load sample, and which. */
static gboolean
load_sample(const char *name, enum load_sample *which)
{
    *which = g_str_equal(name, "load-frozen") ? LOAD_FROZEN
             : g_str_equal(name, "load-late") ? LOAD_LATE
                                              : LOAD_PLAIN;
    return g_str_equal(name, "load") || *which != LOAD_PLAIN;
}

/* LOAD_FROZEN: with --max-freeze 500ms, and p3's video of p1 froze for 800 ms at once.
 * LOAD_LATE: with --max-latency 400ms, every same-group pair's video at p95 50 ms, and p3's
 * audio of p1 at p95 450 ms. */
static void
load_case(struct load_case *c, enum load_sample which)
{
    static const char *const labels[] = {"p1", "p2", HOSTILE, "p4"};
    static const guint groups[] = {0, 1, 0, 0};
    for (guint i = 0; i < 4; i++) {
        c->members[i] = (struct e2c_load_member){.label = labels[i],
                                                 .publisher = i < 2,
                                                 .expected_group = groups[i],
                                                 .secret_group = groups[i]};
        for (guint j = 0; j < 2; j++) {
            struct e2c_pair_seen *s = &c->seen[i * 2 + j];
            *s = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
            if (i == j)
                continue;
            s->streams = 2;
            if (groups[i] == groups[j] && i != 3) {
                s->verified = 2;
                s->frames_ok = 950;
                s->frames_lost = i == 2 ? 50 : 0;
                s->behind_s = 0.1;
            } else {
                s->mismatched = 2;
            }
        }
    }
    c->members[1].failed = TRUE;
    c->members[1].err = E2C_ERR_UNABLE_TO_SUBSCRIBE;
    c->members[1].error = "UNABLE_TO_SUBSCRIBE: <refused> & \"gone\"";
    c->in = (struct e2c_load_input){4, 2, c->members, c->seen, -1, 1.0, 1.0, {0, 0, {0}}};
    for (guint i = 0; i < 8; i++)
        c->seen[i].video.received_ms = c->seen[i].frames_ok ? 30000 : 0;
    if (which == LOAD_LATE) {
        c->in.quality.max_latency_ms[E2C_LATENCY_P95] = 400;
        for (guint i = 0; i < 8; i++)
            if (c->seen[i].frames_ok)
                c->seen[i].video.latency = (struct e2c_latency_summary){1, 30, 50, 60, 70};
        c->seen[2 * 2 + 0].audio.latency = (struct e2c_latency_summary){1, 300, 450, 500, 520};
    }
    if (which == LOAD_FROZEN) {
        c->in.quality.max_freeze_ms = 500;
        c->seen[2 * 2 + 0].video =
            (struct e2c_quality_seen){.freezes = 2,
                                      .frozen_ms = 1100,
                                      .longest_freeze_ms = 800,
                                      .jitter_ms = 9.5,
                                      .received_ms = 30000}; /* p3 receiving p1 */
    }
    e2c_load_verdict_decide(&c->in, &c->v);
}

gchar *
sample_junit(const char *name)
{
    struct join_case jc;
    if (join_case(name, &jc)) {
        struct e2c_join_input in = {jc.fatal, jc.streams, jc.n, 0, jc.expect, jc.quality};
        struct e2c_join_verdict v;
        e2c_join_verdict_decide(&in, &v);
        struct e2c_join_junit r = {HOSTILE, TRUE, &in, &v, "could not reach <router> & \"x\"",
                                   12.5};
        gchar *text = e2c_join_junit(&r);
        e2c_join_verdict_clear(&v);
        return text;
    }
    enum load_sample which;
    if (!load_sample(name, &which))
        return NULL;
    struct load_case c;
    load_case(&c, which);
    gchar *text = e2c_load_junit(&c.in, &c.v, 30.25);
    e2c_load_verdict_clear(&c.v);
    return text;
}

gchar *
sample_metrics(const char *name)
{
    struct join_case jc;
    if (join_case(name, &jc)) {
        struct e2c_join_input in = {jc.fatal, jc.streams, jc.n, 0, jc.expect, jc.quality};
        struct e2c_join_verdict v;
        e2c_join_verdict_decide(&in, &v);
        struct e2c_metrics_participant p = {HOSTILE, jc.streams, jc.n, sent, G_N_ELEMENTS(sent)};
        struct e2c_metrics_run run = {"join", 12.5, TRUE, v.exit_status, &p, 1, NULL, NULL};
        e2c_join_verdict_clear(&v);
        return e2c_metrics_render(&run);
    }
    enum load_sample which;
    if (!load_sample(name, &which))
        return NULL;
    struct load_case c;
    load_case(&c, which);
    struct e2c_metrics_participant ps[4];
    for (guint i = 0; i < 4; i++)
        ps[i] = (struct e2c_metrics_participant){c.members[i].label, i == 3 ? mismatched : good, 2,
                                                 i < 2 ? sent : NULL, i < 2 ? 2 : 0};
    struct e2c_metrics_run run = {"load", 30.25, TRUE, c.v.exit_status, ps, 4, &c.in, &c.v};
    gchar *text = e2c_metrics_render(&run);
    e2c_load_verdict_clear(&c.v);
    return text;
}
