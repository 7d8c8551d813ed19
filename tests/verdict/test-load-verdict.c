/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verdict and the report of `e2call load` from a constructed run: every
 * exit status it can give (0, 11, 12 and those of failed participants), which
 * cause wins, and the JSON report and the readable table byte for byte
 * (scripts/merge-load-reports reads that JSON).
 */
#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "figures-switch.h"
#include "load-report.h"
#include "load-verdict.h"

/*
 * Three participants, the first two publishing: p1 and p2 share a secret,
 * p3 has another one. As the secrets imply, p1 and p2 decrypt each other and
 * p3 sees a mismatch from both.
 */
struct run {
    struct e2c_load_member m[3];
    struct e2c_pair_seen seen[3 * 2];
    struct e2c_load_input in;
};

static const struct e2c_pair_seen OK_PAIR = {
    2,
    2,
    0,
    1000,
    0,
    250000,
    0.1,
    {1, 2000, 2000, 4.5, 10000, {1, 20.5, 40.25, 55, 80.125}},
    {0, 0, 0, 1.5, 10000, {1, 30.75, 50, 60, 90}}};
static const struct e2c_pair_seen MISMATCH_PAIR = {
    2, 0, 2, 0, 0, 240000, -1, {0, 0, 0, 0, 0, {0, 0, 0, 0, 0}}, {0, 0, 0, 0, 0, {0, 0, 0, 0, 0}}};

static void
run_init(struct run *r)
{
    static const char *labels[] = {"p1", "p2", "p3"};
    static const guint groups[] = {0, 0, 1};
    memset(r, 0, sizeof(*r));
    for (guint i = 0; i < 3; i++)
        r->m[i] = (struct e2c_load_member){labels[i],     i < 2,        groups[i], groups[i],
                                           groups[i] + 1, 100.0 * i,    250.0 + i, 900.0 + 10 * i,
                                           FALSE,         E2C_ERR_NONE, NULL,      NULL};
    for (guint k = 0; k < 6; k++)
        r->seen[k] = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
    r->seen[0 * 2 + 1] = OK_PAIR;       /* p1 receiving p2 */
    r->seen[1 * 2 + 0] = OK_PAIR;       /* p2 receiving p1 */
    r->seen[2 * 2 + 0] = MISMATCH_PAIR; /* p3 receiving p1 */
    r->seen[2 * 2 + 1] = MISMATCH_PAIR; /* p3 receiving p2 */
    r->in = (struct e2c_load_input){3, 2, r->m, r->seen, -1, 1.0, 1.0, {0, 0, {0}}};
}

static struct e2c_load_verdict
decide(const struct run *r)
{
    struct e2c_load_verdict v;
    e2c_load_verdict_decide(&r->in, &v);
    return v;
}

static void
test_as_implied(void)
{
    struct run r;
    run_init(&r);
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpstr(v.summary, ==, "as the secrets imply");
    g_assert_cmpstr(v.reasons, ==, "");
    g_assert_cmpuint(v.n_pairs, ==, 4);
    g_assert_cmpuint(v.unexpected + v.over_loss + v.late + v.failed, ==, 0);
    /* Frames count within groups, bytes across all pairs. */
    g_assert_cmpuint(v.frames_ok, ==, 2000);
    g_assert_cmpuint(v.rtp_bytes, ==, 2 * 250000 + 2 * 240000);
    g_assert_cmpfloat(v.worst_behind_s, ==, 0.1);
    const struct e2c_load_pair *p = e2c_load_verdict_pair(&v, &r.in, 2, 1);
    g_assert_cmpuint(p->receiver, ==, 2);
    g_assert_cmpuint(p->publisher, ==, 1);
    g_assert_cmpint(p->state, ==, E2C_PAIR_MISMATCH);
    g_assert_null(e2c_load_verdict_pair(&v, &r.in, 1, 1));
    e2c_load_verdict_clear(&v);
}

static void
test_pair_states(void)
{
    struct e2c_pair_seen s = E2C_PAIR_SEEN_INIT;
    g_assert_cmpint(e2c_pair_seen_state(&s), ==, E2C_PAIR_NONE);
    struct e2c_stream_outcome video = {.display = "p1",
                                       .track = "video",
                                       .verified = TRUE,
                                       .frames_ok = 10,
                                       .frames_lost = 1,
                                       .rtp_bytes = 1000};
    struct e2c_stream_outcome audio = video;
    audio.track = "audio";
    e2c_pair_seen_add(&s, &video);
    g_assert_cmpint(e2c_pair_seen_state(&s), ==, E2C_PAIR_OK);
    audio.verified = FALSE;
    e2c_pair_seen_add(&s, &audio);
    g_assert_cmpint(e2c_pair_seen_state(&s), ==, E2C_PAIR_PARTIAL);
    g_assert_cmpuint(s.frames_ok, ==, 20);
    g_assert_cmpuint(s.frames_lost, ==, 2);
    g_assert_cmpuint(s.rtp_bytes, ==, 2000);
    g_assert_cmpfloat(s.behind_s, <, 0);
    /* Freezes by kind of track: counts and frozen time summed, the longest and the highest
     * jitter kept. */
    video.freezes = 2;
    video.frozen_ms = 700;
    video.longest_freeze_ms = 400;
    video.jitter_ms = 3;
    e2c_pair_seen_add(&s, &video);
    video.freezes = 1;
    video.frozen_ms = 300;
    video.longest_freeze_ms = 300;
    video.jitter_ms = 5;
    e2c_pair_seen_add(&s, &video);
    g_assert_cmpuint(s.video.freezes, ==, 3);
    g_assert_cmpuint(s.video.frozen_ms, ==, 1000);
    g_assert_cmpuint(s.video.longest_freeze_ms, ==, 400);
    g_assert_cmpfloat(s.video.jitter_ms, ==, 5);
    g_assert_false(s.video.latency.have);
    {
        /* Latency: the worse of the streams' figures, each on its own. */
        struct e2c_pair_seen l = E2C_PAIR_SEEN_INIT;
        struct e2c_stream_outcome v = {.track = "video"};
        v.latency = (struct e2c_latency_summary){1, 10, 30, 40, 90};
        e2c_pair_seen_add(&l, &v);
        v.latency = (struct e2c_latency_summary){1, 20, 25, 45, 50};
        e2c_pair_seen_add(&l, &v);
        v.latency = (struct e2c_latency_summary){0, 0, 0, 0, 0}; /* no sample: no effect */
        e2c_pair_seen_add(&l, &v);
        g_assert_true(l.video.latency.have);
        g_assert_cmpfloat(l.video.latency.p50_ms, ==, 20);
        g_assert_cmpfloat(l.video.latency.p95_ms, ==, 30);
        g_assert_cmpfloat(l.video.latency.p99_ms, ==, 45);
        g_assert_cmpfloat(l.video.latency.max_ms, ==, 90);
        g_assert_false(l.audio.latency.have);
    }
    g_assert_cmpuint(s.audio.freezes, ==, 0);
    g_assert_cmpfloat(s.audio.jitter_ms, ==, 0);
    audio.freezes = 4;
    audio.jitter_ms = 2;
    e2c_pair_seen_add(&s, &audio);
    g_assert_cmpuint(s.audio.freezes, ==, 4);
    g_assert_cmpfloat(s.audio.jitter_ms, ==, 2);
    g_assert_cmpuint(s.video.freezes, ==, 3);
    video.freezes = audio.freezes = 0;

    struct e2c_pair_seen m = E2C_PAIR_SEEN_INIT;
    video.verified = FALSE;
    video.mismatched = TRUE;
    e2c_pair_seen_add(&m, &video);
    g_assert_cmpint(e2c_pair_seen_state(&m), ==, E2C_PAIR_MISMATCH);
    e2c_pair_seen_add(&m, &audio);
    g_assert_cmpint(e2c_pair_seen_state(&m), ==, E2C_PAIR_PARTIAL);
    g_assert_cmpstr(e2c_pair_state_name(E2C_PAIR_PARTIAL), ==, "partial");
}

/* p3 decrypts p1 although it holds another secret; p1 sees nothing of p2. */
static void
test_matrix_differs(void)
{
    struct run r;
    run_init(&r);
    r.seen[2 * 2 + 0] = OK_PAIR;
    r.seen[0 * 2 + 1] = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
    r.seen[1 * 2 + 0].frames_lost = 500; /* loss too, but the matrix comes first */
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 11);
    g_assert_cmpuint(v.unexpected, ==, 2);
    g_assert_cmpstr(v.summary, ==, "the decrypt matrix differs from what the secrets imply");
    g_assert_cmpstr(v.reasons, ==,
                    "p1 receiving p2: none, expected ok\n"
                    "p2 receiving p1: 33.33% of frames lost\n"
                    "p3 receiving p1: ok, expected mismatch\n");
    e2c_load_verdict_clear(&v);
}

static void
test_loss(void)
{
    struct run r;
    run_init(&r);
    r.seen[1 * 2 + 0].frames_lost = 11;  /* 11 of 1011: 1.09% */
    r.seen[2 * 2 + 0].frames_lost = 900; /* across groups: no loss counted */
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 12);
    g_assert_cmpuint(v.over_loss, ==, 1);
    g_assert_cmpstr(v.summary, ==, "loss above --max-loss");
    g_assert_cmpstr(v.reasons, ==, "p2 receiving p1: 1.09% of frames lost\n");
    g_assert_cmpuint(v.frames_lost, ==, 11);
    e2c_load_verdict_clear(&v);

    /* At the limit passes. */
    r.in.max_loss_pct = 100.0 * 11 / 1011;
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_load_verdict_clear(&v);
}

static void
test_behind(void)
{
    struct run r;
    run_init(&r);
    r.seen[0 * 2 + 1].behind_s = 2.5;
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 12);
    g_assert_cmpuint(v.late, ==, 1);
    g_assert_cmpfloat(v.worst_behind_s, ==, 2.5);
    g_assert_cmpstr(v.summary, ==, "a receiver fell behind real time (--max-behind)");
    g_assert_cmpstr(v.reasons, ==,
                    "p1 receiving p2: 2.5 s behind real time at the end (frames sent, neither "
                    "received nor lost)\n");
    e2c_load_verdict_clear(&v);
}

/*
 * --max-freeze and --max-frozen on a pair's video, within a group: at the limit passes, above
 * fails with 13 naming the pair; a pair of different groups is not judged; audio is not.
 */
static void
test_quality(void)
{
    struct run r;
    run_init(&r);
    r.in.quality.max_freeze_ms = 2000; /* p1 receiving p2: longest 2000 ms */
    r.seen[1 * 2 + 0].video = (struct e2c_quality_seen){.freezes = 1,
                                                        .frozen_ms = 1000,
                                                        .longest_freeze_ms = 1000,
                                                        .jitter_ms = 1,
                                                        .received_ms = 10000}; /* p2, p1 */
    r.seen[2 * 2 + 0].video = (struct e2c_quality_seen){.freezes = 5,
                                                        .frozen_ms = 9000,
                                                        .longest_freeze_ms = 9000,
                                                        .jitter_ms = 1,
                                                        .received_ms = 10000}; /* p3, p1 */
    r.seen[0 * 2 + 1].audio = (struct e2c_quality_seen){.freezes = 5,
                                                        .frozen_ms = 9000,
                                                        .longest_freeze_ms = 9000,
                                                        .jitter_ms = 1,
                                                        .received_ms = 10000};
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpuint(v.frozen, ==, 0);
    e2c_load_verdict_clear(&v);

    r.in.quality.max_freeze_ms = 1999;
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpuint(v.frozen, ==, 1);
    g_assert_cmpstr(v.summary, ==, "video froze beyond --max-freeze or --max-frozen");
    g_assert_cmpstr(v.reasons, ==,
                    "p1 receiving p2: video longest freeze 2000 ms, above --max-freeze 1999 ms\n");
    g_assert_nonnull(e2c_load_verdict_pair(&v, &r.in, 0, 1)->quality_reason);
    g_assert_null(e2c_load_verdict_pair(&v, &r.in, 1, 0)->quality_reason);
    e2c_load_verdict_clear(&v);

    /* 2000 ms of 10 s: 20 %. */
    r.in.quality = (struct e2c_quality_limits){0, 20, {0}};
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_load_verdict_clear(&v);
    r.in.quality.max_frozen_pct = 19.99;
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpstr(v.reasons, ==,
                    "p1 receiving p2: video frozen 20% of 10.0 s received, above --max-frozen "
                    "19.99%\n");
    e2c_load_verdict_clear(&v);

    /* A pair without frames passes. */
    r.seen[0 * 2 + 1] = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
    r.seen[0 * 2 + 1].streams = r.seen[0 * 2 + 1].verified = 2;
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_load_verdict_clear(&v);
}

/* 12 (loss, backlog) wins over 13, and 13 over another participant's failure. */
static void
test_quality_precedence(void)
{
    struct run r;
    run_init(&r);
    r.in.quality.max_freeze_ms = 1500; /* p1 receiving p2: 2000 ms */
    r.seen[1 * 2 + 0].video.longest_freeze_ms = 1000;
    r.seen[0 * 2 + 1].frames_lost = 100;
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 12);
    g_assert_cmpuint(v.frozen, ==, 1);
    /* Both reasons, in the pair's order. */
    g_assert_nonnull(strstr(v.reasons, "lost\np1 receiving p2: video longest freeze"));
    e2c_load_verdict_clear(&v);

    r.seen[0 * 2 + 1].frames_lost = 0;
    r.m[2].failed = TRUE;
    r.m[2].err = E2C_ERR_UNABLE_TO_SUBSCRIBE;
    r.m[2].error = "UNABLE_TO_SUBSCRIBE: refused";
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 13);
    e2c_load_verdict_clear(&v);
}

/* The pair sums a subscription made again: the time received too. */
static void
test_quality_seen_add(void)
{
    struct e2c_pair_seen s = E2C_PAIR_SEEN_INIT;
    struct e2c_stream_outcome a = {.track = "video",
                                   .frames_ok = 10,
                                   .longest_freeze_ms = 300,
                                   .frozen_ms = 300,
                                   .freezes = 1,
                                   .received_ms = 4000};
    struct e2c_stream_outcome b = a;
    b.longest_freeze_ms = 200;
    b.received_ms = 6000;
    e2c_pair_seen_add(&s, &a);
    e2c_pair_seen_add(&s, &b);
    g_assert_cmpuint(s.video.received_ms, ==, 10000);
    g_assert_cmpuint(s.video.longest_freeze_ms, ==, 300);
    g_assert_cmpuint(s.video.frozen_ms, ==, 600);
    g_assert_cmpuint(s.audio.received_ms, ==, 0);
}

/* The router's failure ended the run: that is the verdict, before the matrix. */
static void
test_router_failed(void)
{
    struct run r;
    run_init(&r);
    r.m[2].failed = TRUE;
    r.m[2].err = E2C_ERR_CONNECT_FAILED;
    r.m[2].error = "CONNECT_FAILED: the router is gone";
    r.seen[0 * 2 + 1] = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
    r.in.router_failed = 2;
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 8);
    g_assert_cmpuint(v.failed, ==, 1);
    g_assert_cmpstr(v.summary, ==, "p3 failed (CONNECT_FAILED: the router is gone)");
    e2c_load_verdict_clear(&v);
}

/* Another participant's error gives its own status, but only when the matrix and loss pass. */
static void
test_participant_failed(void)
{
    static const struct {
        enum e2c_error err;
        int status;
    } cases[] = {
        {E2C_ERR_STREAM_CREATE_FAILED, 9},
        {E2C_ERR_UNABLE_TO_SUBSCRIBE, 9},
        {E2C_ERR_UNSUPPORTED, 7},
        {E2C_ERR_ENCRYPTION_INTERNAL_ERROR, 6},
        {E2C_ERR_ENCRYPTION_SECRET_MISMATCH, 5},
        {E2C_ERR_CONNECT_FAILED, 8},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct run r;
        run_init(&r);
        r.m[1].failed = TRUE;
        r.m[1].err = cases[i].err;
        r.m[1].error = "X: why";
        struct e2c_load_verdict v = decide(&r);
        g_assert_cmpint(v.exit_status, ==, cases[i].status);
        g_assert_cmpstr(v.summary, ==, "p2 failed (X: why)");
        e2c_load_verdict_clear(&v);

        r.seen[2 * 2 + 1] = OK_PAIR;
        v = decide(&r);
        g_assert_cmpint(v.exit_status, ==, 11);
        e2c_load_verdict_clear(&v);
    }
}

/* Every pair found where the matrix says, whoever publishes; nobody publishing passes. */
static void
test_pair_lookup(void)
{
    struct run r;
    run_init(&r);
    for (guint np = 0; np <= 3; np++) {
        r.in.n_pub = np;
        struct e2c_pair_seen seen[3 * 3];
        for (guint k = 0; k < 3 * np; k++)
            seen[k] = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
        r.in.seen = seen;
        struct e2c_load_verdict v = decide(&r);
        g_assert_cmpuint(v.n_pairs, ==, 3 * np - np);
        guint k = 0;
        for (guint i = 0; i < 3; i++)
            for (guint j = 0; j < np; j++) {
                const struct e2c_load_pair *p = e2c_load_verdict_pair(&v, &r.in, i, j);
                if (i == j) {
                    g_assert_null(p);
                    continue;
                }
                g_assert_true(p == &v.pairs[k++]);
                g_assert_cmpuint(p->receiver, ==, i);
                g_assert_cmpuint(p->publisher, ==, j);
            }
        if (np == 0) {
            g_assert_cmpint(v.exit_status, ==, 0);
            g_assert_cmpstr(v.summary, ==, "as the secrets imply");
        }
        e2c_load_verdict_clear(&v);
    }
}

/* A run with one failed participant, loss and an unknown backlog, for the renderings. */
static void
report_run(struct run *r)
{
    run_init(r);
    r->seen[1 * 2 + 0].frames_lost = 25;
    r->seen[1 * 2 + 0].behind_s = -1;
    r->seen[1 * 2 + 0].video = (struct e2c_quality_seen){3, 900, 500, 12.0, 10000, {0, 0, 0, 0, 0}};
    r->m[2].join_ms = NAN;
    r->m[2].first_media_ms = NAN;
    r->m[2].failed = TRUE;
    r->m[2].err = E2C_ERR_UNABLE_TO_SUBSCRIBE;
    r->m[2].error = "UNABLE_TO_SUBSCRIBE: refused";
    r->in.max_loss_pct = 5;
}

static const struct e2c_load_observed observed[] = {
    {"p1", "p2", E2C_PAIR_OK, 1000, 0},
    {"p3", "k1-p1", E2C_PAIR_MISMATCH, 0, 0},
};

static const struct e2c_load_facts facts = {
    "1234", 2, 10.0, 3.5, 204800, "2026-01-02T03:04:05.678Z", observed, 2};

static void
test_report_json(void)
{
    struct run r;
    report_run(&r);
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 9);
    json_t *doc = e2c_load_report_json(&r.in, &v, &facts);
    char *line = e2c_load_report_json_line(doc);
    g_assert_cmpstr(
        line, ==,
        "{\"event\":\"load-report\",\"room\":\"1234\",\"participants\":3,\"publishers\":2,"
        "\"secret-groups\":2,\"seconds\":10.0,"
        "\"matrix\":[[null,\"ok\"],[\"ok\",null],[\"mismatch\",\"mismatch\"]],"
        "\"pairs\":["
        "{\"receiver\":\"p1\",\"publisher\":\"p2\",\"state\":\"ok\",\"expected\":\"ok\","
        "\"frames\":1000,\"frames-lost\":0,\"loss-pct\":0.0,\"kbps\":200.0,\"behind-s\":0.1,"
        "\"freezes\":1,\"frozen-ms\":2000,\"longest-freeze-ms\":2000,\"jitter-ms\":4.5,"
        "\"latency-ms\":{\"p50\":20.5,\"p95\":40.25,\"p99\":55.0,\"max\":80.125},"
        "\"audio-freezes\":0,\"audio-frozen-ms\":0,\"audio-longest-freeze-ms\":0,"
        "\"audio-jitter-ms\":1.5,"
        "\"audio-latency-ms\":{\"p50\":30.75,\"p95\":50.0,\"p99\":60.0,\"max\":90.0},"
        "\"av-skew-ms\":10.25},"
        "{\"receiver\":\"p2\",\"publisher\":\"p1\",\"state\":\"ok\",\"expected\":\"ok\","
        "\"frames\":1000,\"frames-lost\":25,\"loss-pct\":2.43902,\"kbps\":200.0,"
        "\"behind-s\":null,"
        "\"freezes\":3,\"frozen-ms\":900,\"longest-freeze-ms\":500,\"jitter-ms\":12.0,"
        "\"latency-ms\":null,"
        "\"audio-freezes\":0,\"audio-frozen-ms\":0,\"audio-longest-freeze-ms\":0,"
        "\"audio-jitter-ms\":1.5,"
        "\"audio-latency-ms\":{\"p50\":30.75,\"p95\":50.0,\"p99\":60.0,\"max\":90.0},"
        "\"av-skew-ms\":null},"
        "{\"receiver\":\"p3\",\"publisher\":\"p1\",\"state\":\"mismatch\",\"expected\":"
        "\"mismatch\",\"frames\":0,\"frames-lost\":0,\"loss-pct\":0.0,\"kbps\":192.0,"
        "\"behind-s\":null,"
        "\"freezes\":0,\"frozen-ms\":0,\"longest-freeze-ms\":0,\"jitter-ms\":0.0,"
        "\"latency-ms\":null,"
        "\"audio-freezes\":0,\"audio-frozen-ms\":0,\"audio-longest-freeze-ms\":0,"
        "\"audio-jitter-ms\":0.0,\"audio-latency-ms\":null,\"av-skew-ms\":null},"
        "{\"receiver\":\"p3\",\"publisher\":\"p2\",\"state\":\"mismatch\",\"expected\":"
        "\"mismatch\",\"frames\":0,\"frames-lost\":0,\"loss-pct\":0.0,\"kbps\":192.0,"
        "\"behind-s\":null,"
        "\"freezes\":0,\"frozen-ms\":0,\"longest-freeze-ms\":0,\"jitter-ms\":0.0,"
        "\"latency-ms\":null,"
        "\"audio-freezes\":0,\"audio-frozen-ms\":0,\"audio-longest-freeze-ms\":0,"
        "\"audio-jitter-ms\":0.0,\"audio-latency-ms\":null,\"av-skew-ms\":null}],"
        "\"observed\":[{\"receiver\":\"p1\",\"publisher\":\"p2\",\"state\":\"ok\",\"frames\":1000,"
        "\"frames-lost\":0},{\"receiver\":\"p3\",\"publisher\":\"k1-p1\",\"state\":\"mismatch\","
        "\"frames\":0,\"frames-lost\":0}],"
        "\"groups\":{\"p1\":1,\"p2\":1,\"p3\":2},\"max-loss-pct\":5.0,\"max-behind-s\":1.0,"
        "\"max-freeze-ms\":null,\"max-frozen-pct\":null,\"max-latency-ms\":null,"
        "\"participants-detail\":["
        "{\"participant\":\"p1\",\"publisher\":true,\"group\":1,\"secret-line\":1,"
        "\"start-ms\":0.0,\"join-ms\":250.0,\"first-media-ms\":900.0},"
        "{\"participant\":\"p2\",\"publisher\":true,\"group\":1,\"secret-line\":1,"
        "\"start-ms\":100.0,\"join-ms\":251.0,\"first-media-ms\":910.0},"
        "{\"participant\":\"p3\",\"publisher\":false,\"group\":2,\"secret-line\":2,"
        "\"start-ms\":200.0,\"error\":\"UNABLE_TO_SUBSCRIBE: refused\"}],"
        "\"totals\":{\"frames\":2000,\"frames-lost\":25,\"loss-pct\":1.23457,"
        "\"worst-pair-loss-pct\":2.43902,\"join-ms-p50\":251.0,\"first-media-ms-p50\":910.0,"
        "\"cpu-seconds\":3.5,\"rss-kib\":204800,\"unexpected-pairs\":0,"
        "\"failed-participants\":1,\"worst-behind-s\":0.1,\"pairs-behind\":0,\"pairs-frozen-over-"
        "limit\":0,\"pairs-latency-over-limit\":0},"
        "\"quality\":{\"video\":{\"pairs\":2,\"pairs-frozen\":2,\"freezes\":4,"
        "\"frozen-ms\":2900,\"longest-freeze-ms\":2000,"
        "\"frozen-ms-per-pair\":{\"p50\":2000.0,\"p95\":2000.0,\"max\":2000.0},"
        "\"jitter-ms-per-pair\":{\"p50\":12.0,\"p95\":12.0,\"max\":12.0},"
        "\"pairs-with-latency\":1,"
        "\"latency-p50-ms-per-pair\":{\"p50\":20.5,\"p95\":20.5,\"max\":20.5},"
        "\"latency-p95-ms-per-pair\":{\"p50\":40.25,\"p95\":40.25,\"max\":40.25}},"
        "\"audio\":{\"pairs\":2,\"pairs-frozen\":0,\"freezes\":0,\"frozen-ms\":0,"
        "\"longest-freeze-ms\":0,"
        "\"frozen-ms-per-pair\":{\"p50\":0.0,\"p95\":0.0,\"max\":0.0},"
        "\"jitter-ms-per-pair\":{\"p50\":1.5,\"p95\":1.5,\"max\":1.5},"
        "\"pairs-with-latency\":2,"
        "\"latency-p50-ms-per-pair\":{\"p50\":30.75,\"p95\":30.75,\"max\":30.75},"
        "\"latency-p95-ms-per-pair\":{\"p50\":50.0,\"p95\":50.0,\"max\":50.0}},"
        "\"av-skew\":{\"pairs\":1,\"abs-ms-per-pair\":{\"p50\":10.25,\"p95\":10.25,"
        "\"max\":10.25}}},"
        "\"quality-failures\":[],\"latency-failures\":[],"
        "\"passed\":false,\"reasons\":\"\",\"verdict\":\"p3 failed (UNABLE_TO_SUBSCRIBE: "
        "refused)\",\"exit-status\":9,\"ts\":\"2026-01-02T03:04:05.678Z\"}");
    free(line);
    json_decref(doc);
    e2c_load_verdict_clear(&v);
}

static void
test_report_text(void)
{
    struct run r;
    report_run(&r);
    r.seen[2 * 2 + 1] = OK_PAIR; /* one unexpected cell, marked '!' */
    struct e2c_load_verdict v = decide(&r);
    gchar *text = e2c_load_report_text(&r.in, &v, &facts);
    g_assert_cmpstr(text, ==,
                    "\n"
                    "receiver p1         p2         group\n"
                    "p1       -          ok         1\n"
                    "p2       ok         -          1\n"
                    "p3       mismatch   ok!        2\n"
                    "\n"
                    "3 participants (2 publishing) in 2 secret group(s), 10 s\n"
                    "frames decrypted 2000, lost 25 (1.235%, worst pair 2.439%, limit 5.00%)\n"
                    "behind real time at the end: worst pair 0.10 s (limit 1.00 s)\n"
                    "video: 5 freezes, 4900 ms frozen (longest 2000 ms) in 3 of 3 pairs; per "
                    "pair frozen p50 2000 ms, p95 2000 ms, max 2000 ms; jitter p50 4.5 ms, p95 "
                    "12.0 ms, max 12.0 ms\n"
                    "video latency in 2 pairs: per pair median p50 20.5 ms, p95 20.5 ms, max "
                    "20.5 ms; per pair p95 p50 40.2 ms, p95 40.2 ms, max 40.2 ms\n"
                    "audio: 0 freezes, 0 ms frozen (longest 0 ms) in 0 of 3 pairs; per pair "
                    "frozen p50 0 ms, p95 0 ms, max 0 ms; jitter p50 1.5 ms, p95 1.5 ms, max "
                    "1.5 ms\n"
                    "audio latency in 3 pairs: per pair median p50 30.8 ms, p95 30.8 ms, max "
                    "30.8 ms; per pair p95 p50 50.0 ms, p95 50.0 ms, max 50.0 ms\n"
                    "A/V skew (audio minus video latency p50) in 2 pairs: |skew| p50 10.2 ms, "
                    "p95 10.2 ms, max 10.2 ms\n"
                    "received 0.8 Mbit/s in all\n"
                    "join: p50 251 ms, p95 251 ms; first media: p50 910 ms, p95 910 ms\n"
                    "this process: 3.5 CPU s (7.00 CPU s per participant-minute), 200 MiB "
                    "resident (66.7 MiB per participant)\n"
                    "p3: UNABLE_TO_SUBSCRIBE: refused\n"
                    "p3 receiving p2: ok, expected mismatch\n"
                    "verdict: the decrypt matrix differs from what the secrets imply (exit 11)\n");
    g_free(text);
    e2c_load_verdict_clear(&v);
}

/* With the quality limits: their keys, the failed pairs with figures and reason, the text line. */
static void
test_report_quality(void)
{
    struct run r;
    run_init(&r);
    r.in.quality = (struct e2c_quality_limits){1500, 12.5, {0}};
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 13);
    json_t *doc = e2c_load_report_json(&r.in, &v, &facts);
    json_t *failures = json_object_get(doc, "quality-failures");
    char *text = json_dumps(failures, JSON_COMPACT);
    /* Both pairs ran 2000 ms frozen of 10 s: 20 %. */
    g_assert_cmpstr(text, ==,
                    "[{\"receiver\":\"p1\",\"publisher\":\"p2\",\"track\":\"video\","
                    "\"longest-freeze-ms\":2000,\"frozen-ms\":2000,\"received-ms\":10000,"
                    "\"reason\":\"longest freeze 2000 ms, above --max-freeze 1500 ms; frozen 20% "
                    "of 10.0 s received, above --max-frozen 12.5%\"},"
                    "{\"receiver\":\"p2\",\"publisher\":\"p1\",\"track\":\"video\","
                    "\"longest-freeze-ms\":2000,\"frozen-ms\":2000,\"received-ms\":10000,"
                    "\"reason\":\"longest freeze 2000 ms, above --max-freeze 1500 ms; frozen 20% "
                    "of 10.0 s received, above --max-frozen 12.5%\"}]");
    free(text);
    g_assert_cmpint(json_integer_value(json_object_get(doc, "max-freeze-ms")), ==, 1500);
    g_assert_cmpfloat(json_real_value(json_object_get(doc, "max-frozen-pct")), ==, 12.5);
    g_assert_cmpint(json_integer_value(
                        json_object_get(json_object_get(doc, "totals"), "pairs-frozen-over-limit")),
                    ==, 2);
    json_decref(doc);
    gchar *table = e2c_load_report_text(&r.in, &v, &facts);
    g_assert_nonnull(strstr(table, "\nvideo freezes beyond the limits (--max-freeze 1500 ms, "
                                   "--max-frozen 12.5%): 2 pair(s)\n"));
    g_assert_nonnull(strstr(table, "\np2 receiving p1: video longest freeze 2000 ms"));
    g_assert_nonnull(strstr(table, "\nverdict: video froze beyond --max-freeze or --max-frozen "
                                   "(exit 13)\n"));
    g_free(table);
    e2c_load_verdict_clear(&v);
}

/*
 * --max-latency on a pair's video and audio, within a group: at the limit passes, above fails
 * with 13 naming the pair, the track and the figure; a pair of different groups is not judged.
 */
static void
test_latency(void)
{
    struct run r;
    run_init(&r);
    /* p1 receiving p2: video p95 40.25, audio p95 50 (OK_PAIR); p2 receiving p1: audio p95
     * 300. */
    r.seen[1 * 2 + 0].audio.latency = (struct e2c_latency_summary){1, 100, 300, 350, 400};
    r.seen[2 * 2 + 0].video.latency = (struct e2c_latency_summary){1, 900, 900, 900, 900};
    r.in.quality.max_latency_ms[E2C_LATENCY_P95] = 300;
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpuint(v.slow, ==, 0);
    e2c_load_verdict_clear(&v);

    r.in.quality.max_latency_ms[E2C_LATENCY_P95] = 40;
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpuint(v.slow, ==, 2);
    g_assert_cmpstr(v.summary, ==, "latency above --max-latency");
    g_assert_cmpstr(v.reasons, ==,
                    "p1 receiving p2: video latency p95 40.2 ms, above --max-latency p95:40ms; "
                    "audio latency p95 50.0 ms, above --max-latency p95:40ms\n"
                    "p2 receiving p1: video latency p95 40.2 ms, above --max-latency p95:40ms; "
                    "audio latency p95 300.0 ms, above --max-latency p95:40ms\n");
    e2c_load_verdict_clear(&v);

    /* With freezes: both counted, the summary says both. */
    r.seen[0 * 2 + 1].audio.latency = (struct e2c_latency_summary){1, 10, 20, 30, 500};
    r.seen[1 * 2 + 0].video.longest_freeze_ms = 1000;
    r.in.quality = (struct e2c_quality_limits){1999, 0, {0}};
    r.in.quality.max_latency_ms[E2C_LATENCY_MAX] = 100;
    v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpuint(v.frozen, ==, 1);
    g_assert_cmpuint(v.slow, ==, 2);
    g_assert_cmpstr(v.summary, ==,
                    "video froze beyond --max-freeze or --max-frozen, and latency was above "
                    "--max-latency");
    g_assert_cmpstr(e2c_load_verdict_pair(&v, &r.in, 0, 1)->latency_reason, ==,
                    "p1 receiving p2: audio latency max 500.0 ms, above --max-latency max:100ms");
    e2c_load_verdict_clear(&v);
    /* Both tracks of one pair on one line. */
    r.in.quality.max_latency_ms[E2C_LATENCY_MAX] = 50;
    v = decide(&r);
    g_assert_cmpstr(e2c_load_verdict_pair(&v, &r.in, 0, 1)->latency_reason, ==,
                    "p1 receiving p2: video latency max 80.1 ms, above --max-latency max:50ms; "
                    "audio latency max 500.0 ms, above --max-latency max:50ms");
    e2c_load_verdict_clear(&v);
}

/* Loss wins over latency (12 before 13). */
static void
test_latency_precedence(void)
{
    struct run r;
    run_init(&r);
    r.in.quality.max_latency_ms[E2C_LATENCY_P50] = 1;
    r.seen[0 * 2 + 1].frames_lost = 100;
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 12);
    g_assert_cmpuint(v.slow, ==, 2);
    g_assert_nonnull(strstr(v.reasons, "p1 receiving p2: video latency p50 20.5 ms, above "
                                       "--max-latency p50:1ms; audio latency p50 "));
    e2c_load_verdict_clear(&v);
}

/* The latency distributions over the pairs, the limits' keys, the failed pairs, the text. */
static void
test_report_latency(void)
{
    struct run r;
    run_init(&r);
    /* Two pairs with video latency (p50/p95): p1 receiving p2 20.5/40.25 (OK_PAIR), p2
     * receiving p1 30/60; audio likewise, 30.75/50 (OK_PAIR) and 15/25. */
    r.seen[1 * 2 + 0].video.latency = (struct e2c_latency_summary){1, 30, 60, 70, 90};
    r.seen[1 * 2 + 0].audio.latency = (struct e2c_latency_summary){1, 15, 25, 30, 35};
    r.in.quality.max_latency_ms[E2C_LATENCY_P95] = 50;
    r.in.quality.max_latency_ms[E2C_LATENCY_P99] = 600;
    struct e2c_load_verdict v = decide(&r);
    g_assert_cmpint(v.exit_status, ==, 13);
    json_t *doc = e2c_load_report_json(&r.in, &v, &facts);
    char *text = json_dumps(json_object_get(doc, "max-latency-ms"), JSON_COMPACT);
    g_assert_cmpstr(text, ==, "{\"p95\":50,\"p99\":600}");
    free(text);
    text = json_dumps(json_object_get(doc, "latency-failures"), JSON_COMPACT);
    g_assert_cmpstr(text, ==,
                    "[{\"receiver\":\"p2\",\"publisher\":\"p1\",\"latency-ms\":{\"p50\":30.0,"
                    "\"p95\":60.0,\"p99\":70.0,\"max\":90.0},\"audio-latency-ms\":{\"p50\":15.0,"
                    "\"p95\":25.0,\"p99\":30.0,\"max\":35.0},\"reason\":\"video latency p95 60.0 "
                    "ms, above --max-latency p95:50ms\"}]");
    free(text);
    json_t *video = json_object_get(json_object_get(doc, "quality"), "video");
    g_assert_cmpint(json_integer_value(json_object_get(video, "pairs-with-latency")), ==, 2);
    text = json_dumps(json_object_get(video, "latency-p95-ms-per-pair"), JSON_COMPACT);
    g_assert_cmpstr(text, ==, "{\"p50\":60.0,\"p95\":60.0,\"max\":60.0}");
    free(text);
    text = json_dumps(json_object_get(video, "latency-p50-ms-per-pair"), JSON_COMPACT);
    g_assert_cmpstr(text, ==, "{\"p50\":30.0,\"p95\":30.0,\"max\":30.0}");
    free(text);
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(doc, "totals"),
                                                       "pairs-latency-over-limit")),
                    ==, 1);
    json_decref(doc);
    gchar *table = e2c_load_report_text(&r.in, &v, &facts);
    g_assert_nonnull(strstr(table, "\nlatency above the limits (--max-latency p95:50ms "
                                   "p99:600ms): 1 pair(s)\n"));
    /* Audio: OK_PAIR's 30.75/50 and this pair's 15/25 (the nearest rank of two is the
     * higher). */
    g_assert_nonnull(strstr(table, "\naudio latency in 2 pairs: per pair median p50 30.8 ms, "
                                   "p95 30.8 ms, max 30.8 ms; per pair p95 p50 50.0 ms, p95 "
                                   "50.0 ms, max 50.0 ms\n"));
    g_assert_nonnull(strstr(table, "\nverdict: latency above --max-latency (exit 13)\n"));
    g_free(table);
    e2c_load_verdict_clear(&v);
}

/* --impair: who was impaired how, in both reports; runs of one spec on one line. */
static void
test_report_impaired(void)
{
    struct run r;
    report_run(&r);
    r.m[0].impair = "loss=5%,dir=recv";
    r.m[1].impair = "loss=5%,dir=recv";
    struct e2c_load_verdict v = decide(&r);
    gchar *text = e2c_load_report_text(&r.in, &v, &facts);
    g_assert_nonnull(strstr(text, "\nimpaired p1-p2: loss=5%,dir=recv\n"));
    g_assert_null(strstr(text, "impaired p3"));
    g_free(text);
    r.m[1].impair = NULL;
    r.m[2].impair = "stall=2s@8s,dir=send";
    text = e2c_load_report_text(&r.in, &v, &facts);
    g_assert_nonnull(
        strstr(text, "\nimpaired p1: loss=5%,dir=recv\nimpaired p3: stall=2s@8s,dir=send\n"));
    g_free(text);
    json_t *doc = e2c_load_report_json(&r.in, &v, &facts);
    json_t *people = json_object_get(doc, "participants-detail");
    g_assert_cmpstr(json_string_value(json_object_get(json_array_get(people, 0), "impair")), ==,
                    "loss=5%,dir=recv");
    g_assert_null(json_object_get(json_array_get(people, 1), "impair"));
    g_assert_cmpstr(json_string_value(json_object_get(json_array_get(people, 2), "impair")), ==,
                    "stall=2s@8s,dir=send");
    json_decref(doc);
    e2c_load_verdict_clear(&v);
}

/* --no-quality-figures: the pairs have no freezes, jitter or latency fields, the report no
 * quality object and the text no quality lines; the rest is as ever. The switch is
 * process-wide, so this runs in a child process. */
static void
test_report_no_figures(void)
{
    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        return;
    }
    struct run r;
    report_run(&r);
    e2c_quality_figures_off();
    struct e2c_load_verdict v = decide(&r);
    json_t *doc = e2c_load_report_json(&r.in, &v, &facts);
    g_assert_null(json_object_get(doc, "quality"));
    json_t *pair = json_array_get(json_object_get(doc, "pairs"), 0);
    g_assert_cmpint(json_integer_value(json_object_get(pair, "frames")), ==, 1000);
    static const char *const gone[] = {"freezes", "frozen-ms", "longest-freeze-ms", "jitter-ms",
                                       "latency-ms"};
    for (guint i = 0; i < G_N_ELEMENTS(gone); i++) {
        gchar *audio = g_strconcat("audio-", gone[i], NULL);
        g_assert_null(json_object_get(pair, gone[i]));
        g_assert_null(json_object_get(pair, audio));
        g_free(audio);
    }
    json_decref(doc);
    gchar *text = e2c_load_report_text(&r.in, &v, &facts);
    g_assert_null(strstr(text, "freezes"));
    g_assert_nonnull(strstr(text, "frames decrypted 2000, lost 25"));
    g_free(text);
    e2c_load_verdict_clear(&v);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/load-verdict/as-implied", test_as_implied);
    g_test_add_func("/load-verdict/pair-states", test_pair_states);
    g_test_add_func("/load-verdict/matrix-differs", test_matrix_differs);
    g_test_add_func("/load-verdict/loss", test_loss);
    g_test_add_func("/load-verdict/behind", test_behind);
    g_test_add_func("/load-verdict/router-failed", test_router_failed);
    g_test_add_func("/load-verdict/participant-failed", test_participant_failed);
    g_test_add_func("/load-verdict/pair-lookup", test_pair_lookup);
    g_test_add_func("/load-verdict/quality", test_quality);
    g_test_add_func("/load-verdict/quality-precedence", test_quality_precedence);
    g_test_add_func("/load-verdict/latency", test_latency);
    g_test_add_func("/load-verdict/latency-precedence", test_latency_precedence);
    g_test_add_func("/load-verdict/quality-seen-add", test_quality_seen_add);
    g_test_add_func("/load-report/json", test_report_json);
    g_test_add_func("/load-report/text", test_report_text);
    g_test_add_func("/load-report/quality", test_report_quality);
    g_test_add_func("/load-report/latency", test_report_latency);
    g_test_add_func("/load-report/impaired", test_report_impaired);
    g_test_add_func("/load-report/no-figures", test_report_no_figures);
    return g_test_run();
}
