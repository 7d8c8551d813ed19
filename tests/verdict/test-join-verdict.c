/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verdict of `e2call join` from constructed streams: every exit status
 * of e2call(1), EXIT STATUS that the end of a call can give, the order in
 * which causes win, and the media-check event.
 */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>

#include "join-report.h"
#include "join-verdict.h"

/* A stream that decrypted and verified. */
#define GOOD(who, kind)                                                                            \
    {                                                                                              \
        .display = who, .track = kind, .verified = TRUE, .frames_ok = 300, .rtp_bytes = 90000      \
    }

static struct e2c_join_verdict
decide(enum e2c_error fatal, const struct e2c_stream_outcome *streams, guint n, guint sub_failures,
       gint64 expect)
{
    struct e2c_join_input in = {fatal, streams, n, sub_failures, expect, {0, 0, {0}}};
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    return v;
}

/* The same with --max-freeze freeze_ms and --max-frozen pct (0: not given). */
static struct e2c_join_verdict
decide_quality(const struct e2c_stream_outcome *streams, guint n, gint64 expect, guint64 freeze_ms,
               double pct)
{
    struct e2c_join_input in = {E2C_ERR_NONE, streams, n, 0, expect, {freeze_ms, pct, {0}}};
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    return v;
}

/* A verified stream received for 10 s whose longest freeze lasted longest_ms, frozen_ms in
 * all. */
static struct e2c_stream_outcome
frozen(const char *who, const char *kind, guint64 longest_ms, guint64 frozen_ms)
{
    struct e2c_stream_outcome s = GOOD(who, kind);
    s.freezes = frozen_ms ? 1 + (frozen_ms - longest_ms) / 200 : 0;
    s.longest_freeze_ms = longest_ms;
    s.frozen_ms = frozen_ms;
    s.received_ms = 10000;
    return s;
}

static void
test_passes(void)
{
    struct e2c_stream_outcome s[] = {GOOD("bob", "video"), GOOD("bob", "audio")};
    struct e2c_join_verdict v = decide(E2C_ERR_NONE, s, 2, 0, E2C_EXPECT_MEDIA_NOT_ASKED);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpint(v.error, ==, E2C_ERR_NONE);
    g_assert_null(v.message);
    g_assert_false(v.media_checked);
    e2c_join_verdict_clear(&v);

    /* No stream at all, nothing expected: nothing failed. */
    v = decide(E2C_ERR_NONE, NULL, 0, 0, E2C_EXPECT_MEDIA_NOT_ASKED);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_join_verdict_clear(&v);
}

/* An error that ended the call is the verdict, whatever the streams show; no message (it was
 * reported when it happened). */
static void
test_fatal_wins(void)
{
    static const struct {
        enum e2c_error err;
        int status;
    } cases[] = {
        {E2C_ERR_INVALID_ENCRYPTION_SECRET, 3},
        {E2C_ERR_ENCRYPTION_SECRET_MISSING, 4},
        {E2C_ERR_ENCRYPTION_INTERNAL_ERROR, 6},
        {E2C_ERR_UNSUPPORTED, 7},
        {E2C_ERR_CONNECT_FAILED, 8},
        {E2C_ERR_STREAM_CREATE_FAILED, 9},
        {E2C_ERR_USAGE, 2},
    };
    struct e2c_stream_outcome mismatched = GOOD("bob", "video");
    mismatched.verified = FALSE;
    mismatched.mismatched = TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct e2c_join_verdict v = decide(cases[i].err, &mismatched, 1, 3, 5);
        g_assert_cmpint(v.exit_status, ==, cases[i].status);
        g_assert_cmpint(v.error, ==, cases[i].err);
        g_assert_null(v.message);
        g_assert_false(v.media_checked);
        e2c_join_verdict_clear(&v);
    }
}

static void
test_mismatch(void)
{
    struct e2c_stream_outcome s[] = {GOOD("a", "video"), GOOD("b", "video"), GOOD("c", "audio"),
                                     GOOD("d", "video")};
    const char *causes[] = {"wrong-secret", "unencrypted", "stale"};
    for (guint i = 0; i < 3; i++) {
        s[i].verified = FALSE;
        s[i].mismatched = TRUE;
        s[i].mismatch_cause = causes[i];
    }
    /* Also with subscription failures and too few streams: the mismatch comes first. */
    struct e2c_join_verdict v = decide(E2C_ERR_NONE, s, 4, 2, 4);
    g_assert_cmpint(v.exit_status, ==, 5);
    g_assert_cmpint(v.error, ==, E2C_ERR_ENCRYPTION_SECRET_MISMATCH);
    g_assert_cmpstr(v.message, ==,
                    "3 stream(s) could not be decrypted to the end: 1 under another secret, 1 not "
                    "encrypted, 1 stale (a sender's clock more than 10 minutes off ours, or "
                    "recorded media)");
    g_assert_false(v.media_checked);
    e2c_join_verdict_clear(&v);
}

/* Frames came and none opened, all malformed: the decryptor broke, not the secret. */
static void
test_only_malformed(void)
{
    struct e2c_stream_outcome s[] = {GOOD("a", "video"), GOOD("a", "audio")};
    s[0].verified = FALSE;
    s[0].frames_ok = 0;
    s[0].malformed = 12;
    struct e2c_join_verdict v = decide(E2C_ERR_NONE, s, 2, 1, E2C_EXPECT_MEDIA_NOT_ASKED);
    g_assert_cmpint(v.exit_status, ==, 6);
    g_assert_cmpint(v.error, ==, E2C_ERR_DECRYPTION_INTERNAL_ERROR);
    g_assert_cmpstr(v.message, ==, "1 stream(s) carried only malformed frames");
    e2c_join_verdict_clear(&v);

    /* Malformed among refused foreign frames: another sender, not a broken decryptor. */
    s[0].auth_failed = 3;
    v = decide(E2C_ERR_NONE, s, 2, 0, E2C_EXPECT_MEDIA_NOT_ASKED);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_join_verdict_clear(&v);
    s[0].auth_failed = 0;
    s[0].unencrypted = 3;
    v = decide(E2C_ERR_NONE, s, 2, 0, E2C_EXPECT_MEDIA_NOT_ASKED);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_join_verdict_clear(&v);
}

static void
test_subscription_failed(void)
{
    struct e2c_stream_outcome s[] = {GOOD("a", "video")};
    struct e2c_join_verdict v = decide(E2C_ERR_NONE, s, 1, 2, 1);
    g_assert_cmpint(v.exit_status, ==, 9);
    g_assert_cmpint(v.error, ==, E2C_ERR_UNABLE_TO_SUBSCRIBE);
    g_assert_cmpstr(v.message, ==, "2 subscription(s) failed");
    g_assert_false(v.media_checked);
    e2c_join_verdict_clear(&v);
}

static void
test_media_check(void)
{
    struct e2c_stream_outcome s[] = {GOOD("alice", "video"), GOOD("bob", "video"),
                                     GOOD("", "audio")};
    s[1].verified = FALSE;
    s[2].verified = FALSE;

    /* --expect-media: every stream seen. */
    struct e2c_join_verdict v = decide(E2C_ERR_NONE, s, 3, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 10);
    g_assert_cmpint(v.error, ==, E2C_ERR_MEDIA_CHECK_FAILED);
    g_assert_cmpstr(v.message, ==,
                    "1 of 3 expected stream(s) verified; not verified: bob/video, ?/audio");
    g_assert_true(v.media_checked);
    g_assert_false(v.media_passed);
    g_assert_cmpuint(v.needed, ==, 3);

    json_t *e = e2c_join_media_check_event(&v);
    g_assert_cmpstr(json_string_value(json_object_get(e, "event")), ==, "media-check");
    json_object_del(e, "ts");
    char *text = json_dumps(e, JSON_COMPACT);
    g_assert_cmpstr(text, ==,
                    "{\"event\":\"media-check\",\"streams\":3,\"verified\":1,\"needed\":3,"
                    "\"passed\":false}");
    free(text);
    json_decref(e);
    e2c_join_verdict_clear(&v);

    /* --expect-media=1: enough. */
    v = decide(E2C_ERR_NONE, s, 3, 0, 1);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_true(v.media_checked);
    g_assert_true(v.media_passed);
    g_assert_null(v.message);
    e2c_join_verdict_clear(&v);

    /* --expect-media with nothing received: one stream is the least it needs. */
    v = decide(E2C_ERR_NONE, NULL, 0, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 10);
    g_assert_cmpuint(v.needed, ==, 1);
    g_assert_cmpstr(v.message, ==, "0 of 1 expected stream(s) verified");
    e2c_join_verdict_clear(&v);
}

/* A stream that went away before the end, verified or not. */
static struct e2c_stream_outcome
gone(const char *who, const char *kind, gboolean verified)
{
    struct e2c_stream_outcome s = GOOD(who, kind);
    s.verified = verified;
    s.gone = TRUE;
    return s;
}

/*
 * Our publication failed under loss, we reconnected and subscribed again:
 * the first subscription's streams went away, the new ones took over. A
 * source counts once; before this, the first subscription's video (2
 * frames, never verified) failed --expect-media although alice's video
 * verified in the new one.
 */
static void
test_reconnect_counts_once(void)
{
    struct e2c_stream_outcome s[] = {GOOD("alice", "audio"), GOOD("alice", "video"),
                                     gone("alice", "video", FALSE), gone("alice", "audio", TRUE)};
    struct e2c_join_verdict v = decide(E2C_ERR_NONE, s, 4, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpuint(v.streams, ==, 2);
    g_assert_cmpuint(v.verified, ==, 2);
    g_assert_cmpuint(v.needed, ==, 2);
    e2c_join_verdict_clear(&v);

    /* Verified before the reconnect, not yet after it (the call ended soon
     * after): the source was verified. */
    struct e2c_stream_outcome late[] = {GOOD("alice", "video"), gone("alice", "video", TRUE)};
    late[0].verified = FALSE;
    v = decide(E2C_ERR_NONE, late, 2, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpuint(v.streams, ==, 1);
    e2c_join_verdict_clear(&v);

    /* Two reconnects, and the last subscription went too (the publisher left):
     * one source, verified in the first. */
    struct e2c_stream_outcome chain[] = {
        gone("alice", "video", TRUE), gone("alice", "video", FALSE), gone("alice", "video", FALSE)};
    v = decide(E2C_ERR_NONE, chain, 3, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpuint(v.streams, ==, 1);
    g_assert_cmpuint(v.verified, ==, 1);
    e2c_join_verdict_clear(&v);

    /* A mismatch in a subscription that another took over is not the verdict. */
    struct e2c_stream_outcome healed[] = {GOOD("alice", "video"), gone("alice", "video", FALSE)};
    healed[1].mismatched = TRUE;
    healed[1].mismatch_cause = "wrong-secret";
    v = decide(E2C_ERR_NONE, healed, 2, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_join_verdict_clear(&v);
}

/* Streams without a successor each count: a publisher who left before it was verified fails
 * --expect-media, and two participants still there with one name are two sources' worth. */
static void
test_gone_without_successor(void)
{
    struct e2c_stream_outcome s[] = {GOOD("bob", "video"), gone("carol", "video", FALSE)};
    struct e2c_join_verdict v = decide(E2C_ERR_NONE, s, 2, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 10);
    g_assert_cmpstr(v.message, ==, "1 of 2 expected stream(s) verified; not verified: carol/video");
    e2c_join_verdict_clear(&v);

    struct e2c_stream_outcome twins[] = {GOOD("bob", "video"), GOOD("bob", "video"),
                                         gone("bob", "video", FALSE)};
    twins[1].verified = FALSE;
    v = decide(E2C_ERR_NONE, twins, 3, 0, E2C_EXPECT_MEDIA_ALL);
    g_assert_cmpint(v.exit_status, ==, 10);
    g_assert_cmpuint(v.streams, ==, 2);
    g_assert_cmpuint(v.verified, ==, 1);
    e2c_join_verdict_clear(&v);
}

/* --max-freeze: a freeze exactly at the limit passes, one millisecond more fails; audio is not
 * judged; a stream without frames passes; every failed stream is named. */
static void
test_max_freeze(void)
{
    struct e2c_stream_outcome s[] = {
        frozen("bob", "video", 500, 500), frozen("bob", "audio", 900, 900),
        frozen("carol", "video", 501, 501), frozen("dave", "video", 0, 0),
        frozen("erin", "video", 2000, 2600)};
    s[3].frames_ok = 0;
    s[3].received_ms = 0;
    struct e2c_join_verdict v = decide_quality(s, 4, E2C_EXPECT_MEDIA_NOT_ASKED, 500, 0);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpint(v.error, ==, E2C_ERR_MEDIA_QUALITY_FAILED);
    g_assert_true(v.quality_checked);
    g_assert_cmpuint(v.quality_streams, ==, 3);
    g_assert_cmpuint(v.n_quality_failures, ==, 1);
    g_assert_cmpstr(v.quality_failures[0].remote, ==, "carol");
    g_assert_cmpstr(v.quality_failures[0].track, ==, "video");
    g_assert_cmpuint(v.quality_failures[0].longest_freeze_ms, ==, 501);
    g_assert_cmpstr(v.message, ==,
                    "1 of 3 video stream(s) froze beyond the limits: carol video (longest freeze "
                    "501 ms, above --max-freeze 500 ms)");
    e2c_join_verdict_clear(&v);

    v = decide_quality(s, 5, E2C_EXPECT_MEDIA_NOT_ASKED, 500, 0);
    g_assert_cmpuint(v.n_quality_failures, ==, 2);
    g_assert_cmpstr(v.quality_failures[1].remote, ==, "erin");
    g_assert_cmpstr(v.message, ==,
                    "2 of 4 video stream(s) froze beyond the limits: carol video (longest freeze "
                    "501 ms, above --max-freeze 500 ms), erin video (longest freeze 2000 ms, "
                    "above --max-freeze 500 ms)");
    e2c_join_verdict_clear(&v);

    /* Within the limit everywhere: passes, the check made. */
    v = decide_quality(s, 4, E2C_EXPECT_MEDIA_NOT_ASKED, 501, 0);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_null(v.message);
    g_assert_true(v.quality_checked);
    g_assert_cmpuint(v.n_quality_failures, ==, 0);
    e2c_join_verdict_clear(&v);

    /* Not asked: not checked, whatever froze. */
    v = decide_quality(s, 5, E2C_EXPECT_MEDIA_NOT_ASKED, 0, 0);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_false(v.quality_checked);
    e2c_join_verdict_clear(&v);
}

/* --max-frozen: the share of the time received; exactly at the limit passes. */
static void
test_max_frozen(void)
{
    struct e2c_stream_outcome s[] = {frozen("bob", "video", 300, 1000),
                                     frozen("carol", "video", 300, 1001)};
    struct e2c_join_verdict v = decide_quality(s, 1, E2C_EXPECT_MEDIA_NOT_ASKED, 0, 10);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_join_verdict_clear(&v);

    v = decide_quality(s, 2, E2C_EXPECT_MEDIA_NOT_ASKED, 0, 10);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpstr(v.message, ==,
                    "1 of 2 video stream(s) froze beyond the limits: carol video (frozen 10.01% "
                    "of 10.0 s received, above --max-frozen 10%)");
    e2c_join_verdict_clear(&v);

    /* Both limits broken: both said. */
    v = decide_quality(s + 1, 1, E2C_EXPECT_MEDIA_NOT_ASKED, 250, 2.5);
    g_assert_cmpstr(v.quality_failures[0].reason, ==,
                    "longest freeze 300 ms, above --max-freeze 250 ms; frozen 10.01% of 10.0 s "
                    "received, above --max-frozen 2.5%");
    e2c_join_verdict_clear(&v);
}

/* 5, 6, 9 and 10 win over 13; the frozen streams are still judged and listed. */
static void
test_quality_precedence(void)
{
    struct e2c_stream_outcome s[] = {frozen("bob", "video", 900, 900), GOOD("mallory", "video")};
    s[1].verified = FALSE;
    s[1].mismatched = TRUE;
    s[1].mismatch_cause = "wrong-secret";
    struct e2c_join_verdict v = decide_quality(s, 2, E2C_EXPECT_MEDIA_NOT_ASKED, 500, 0);
    g_assert_cmpint(v.exit_status, ==, 5);
    g_assert_true(v.quality_checked);
    g_assert_cmpuint(v.n_quality_failures, ==, 1);
    e2c_join_verdict_clear(&v);

    s[1].mismatched = FALSE;
    v = decide_quality(s, 2, E2C_EXPECT_MEDIA_ALL, 500, 0);
    g_assert_cmpint(v.exit_status, ==, 10);
    g_assert_cmpuint(v.n_quality_failures, ==, 1);
    e2c_join_verdict_clear(&v);

    /* The media check passed: the freezes decide. */
    v = decide_quality(s, 2, 1, 500, 0);
    g_assert_cmpint(v.exit_status, ==, 13);
    e2c_join_verdict_clear(&v);

    /* Ended early: nothing judged. */
    struct e2c_join_input in = {E2C_ERR_CONNECT_FAILED, s, 2, 0, -1, {500, 0, {0}}};
    e2c_join_verdict_decide(&in, &v);
    g_assert_cmpint(v.exit_status, ==, 8);
    g_assert_false(v.quality_checked);
    e2c_join_verdict_clear(&v);
}

/* A subscription made again: the source's freezes are those of both (the longest, the frozen
 * time and the time received summed); a publisher who left is judged on what it showed. */
static void
test_quality_gone_streams(void)
{
    struct e2c_stream_outcome s[] = {frozen("alice", "video", 100, 100),
                                     frozen("alice", "video", 800, 800)};
    s[1].gone = TRUE;
    struct e2c_join_verdict v = decide_quality(s, 2, E2C_EXPECT_MEDIA_NOT_ASKED, 500, 0);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpuint(v.quality_streams, ==, 1);
    g_assert_cmpuint(v.quality_failures[0].longest_freeze_ms, ==, 800);
    g_assert_cmpuint(v.quality_failures[0].frozen_ms, ==, 900);
    g_assert_cmpuint(v.quality_failures[0].received_ms, ==, 20000);
    e2c_join_verdict_clear(&v);

    /* 900 ms frozen of 20 s: 4.5 %, within 5 %; the gone record alone (8 %) would not be. */
    v = decide_quality(s, 2, E2C_EXPECT_MEDIA_NOT_ASKED, 0, 5);
    g_assert_cmpint(v.exit_status, ==, 0);
    e2c_join_verdict_clear(&v);

    struct e2c_stream_outcome left[] = {GOOD("bob", "video"), frozen("carol", "video", 700, 700)};
    left[1].gone = TRUE;
    v = decide_quality(left, 2, E2C_EXPECT_MEDIA_NOT_ASKED, 500, 0);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpstr(v.quality_failures[0].remote, ==, "carol");
    e2c_join_verdict_clear(&v);
}

/* The media-quality event: the limits, the streams judged and every failure with its figures. */
static void
test_media_quality_event(void)
{
    struct e2c_stream_outcome s[] = {frozen("bob", "video", 640, 1250)};
    s[0].feed = 42;
    struct e2c_join_input in = {E2C_ERR_NONE, s, 1, 0, -1, {500, 0, {0}}};
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    json_t *e = e2c_join_media_quality_event(&in, &v);
    json_object_del(e, "ts");
    char *text = json_dumps(e, JSON_COMPACT);
    g_assert_cmpstr(text, ==,
                    "{\"event\":\"media-quality\",\"max-freeze-ms\":500,\"max-frozen-pct\":null,"
                    "\"max-latency-ms\":null,"
                    "\"streams\":1,\"passed\":false,\"failed\":[{\"remote\":\"bob\",\"feed\":42,"
                    "\"track\":\"video\",\"longest-freeze-ms\":640,\"frozen-ms\":1250,"
                    "\"received-ms\":10000,\"latency-ms\":null,\"reason\":\"longest freeze 640 "
                    "ms, above --max-freeze 500 ms\"}]}");
    free(text);
    json_decref(e);
    e2c_join_verdict_clear(&v);
}

/* A verified stream whose latency to decryption had these figures (ms). */
static struct e2c_stream_outcome
late(const char *who, const char *kind, double p50, double p95, double p99, double max)
{
    struct e2c_stream_outcome s = GOOD(who, kind);
    s.received_ms = 10000;
    s.latency = (struct e2c_latency_summary){1, p50, p95, p99, max};
    return s;
}

/* The verdict with --max-latency p95:p95_ms and p99:p99_ms (0: not given). */
static struct e2c_join_verdict
decide_latency(const struct e2c_stream_outcome *streams, guint n, guint64 p95_ms, guint64 p99_ms)
{
    struct e2c_join_input in = {E2C_ERR_NONE, streams, n, 0, E2C_EXPECT_MEDIA_NOT_ASKED,
                                {0, 0, {0}}};
    in.quality.max_latency_ms[E2C_LATENCY_P95] = p95_ms;
    in.quality.max_latency_ms[E2C_LATENCY_P99] = p99_ms;
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    return v;
}

/* --max-latency: every stream with samples, audio too; at the limit passes; a stream without
 * samples is not judged. */
static void
test_max_latency(void)
{
    struct e2c_stream_outcome s[] = {late("bob", "video", 80, 350, 390, 420),
                                     late("bob", "audio", 90, 410, 450, 700),
                                     GOOD("carol", "video")};
    struct e2c_join_verdict v = decide_latency(s, 3, 400, 0);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpint(v.error, ==, E2C_ERR_MEDIA_QUALITY_FAILED);
    g_assert_true(v.quality_checked);
    g_assert_cmpuint(v.quality_streams, ==, 2);
    g_assert_cmpuint(v.n_quality_failures, ==, 1);
    g_assert_cmpstr(v.quality_failures[0].track, ==, "audio");
    g_assert_cmpfloat(v.quality_failures[0].latency.p95_ms, ==, 410);
    g_assert_cmpstr(v.message, ==,
                    "1 of 2 stream(s) beyond the quality limits: bob audio (latency p95 410.0 ms, "
                    "above --max-latency p95:400ms)");
    e2c_join_verdict_clear(&v);

    /* Exactly at the limit: passes. */
    v = decide_latency(s, 3, 410, 0);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_true(v.quality_checked);
    g_assert_null(v.message);
    e2c_join_verdict_clear(&v);

    /* Two figures: each said where it is above its limit. */
    v = decide_latency(s, 3, 400, 400);
    g_assert_cmpuint(v.n_quality_failures, ==, 1);
    g_assert_cmpstr(v.quality_failures[0].reason, ==,
                    "latency p95 410.0 ms, above --max-latency p95:400ms; latency p99 450.0 ms, "
                    "above --max-latency p99:400ms");
    e2c_join_verdict_clear(&v);
    v = decide_latency(s, 3, 0, 389);
    g_assert_cmpuint(v.n_quality_failures, ==, 2);
    g_assert_cmpstr(v.quality_failures[0].reason, ==,
                    "latency p99 390.0 ms, above --max-latency p99:389ms");
    e2c_join_verdict_clear(&v);

    /* Only streams without samples: judged nothing, passes. */
    v = decide_latency(s + 2, 1, 1, 0);
    g_assert_cmpint(v.exit_status, ==, 0);
    g_assert_cmpuint(v.quality_streams, ==, 0);
    e2c_join_verdict_clear(&v);

    /* With freezes: one reason per stream, both said; the streams judged by either. */
    struct e2c_stream_outcome both[] = {late("bob", "video", 80, 350, 390, 420),
                                        frozen("carol", "video", 900, 900)};
    both[0].longest_freeze_ms = 700;
    struct e2c_join_input in = {E2C_ERR_NONE, both, 2, 0, E2C_EXPECT_MEDIA_NOT_ASKED,
                                {500, 0, {0}}};
    in.quality.max_latency_ms[E2C_LATENCY_MAX] = 400;
    e2c_join_verdict_decide(&in, &v);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpuint(v.quality_streams, ==, 2);
    g_assert_cmpstr(v.message, ==,
                    "2 of 2 stream(s) beyond the quality limits: bob video (longest freeze 700 "
                    "ms, above --max-freeze 500 ms; latency max 420.0 ms, above --max-latency "
                    "max:400ms), carol video (longest freeze 900 ms, above --max-freeze 500 ms)");
    e2c_join_verdict_clear(&v);
}

/* A subscription made again: the source's latency is the worse of both records. */
static void
test_latency_gone_streams(void)
{
    struct e2c_stream_outcome s[] = {late("alice", "video", 50, 60, 70, 80),
                                     late("alice", "video", 500, 600, 700, 800)};
    s[1].gone = TRUE;
    struct e2c_join_verdict v = decide_latency(s, 2, 400, 0);
    g_assert_cmpint(v.exit_status, ==, 13);
    g_assert_cmpuint(v.quality_streams, ==, 1);
    g_assert_cmpfloat(v.quality_failures[0].latency.p95_ms, ==, 600);
    e2c_join_verdict_clear(&v);

    /* The one after it had no sample: the gone one's figures still count. */
    s[0].latency.have = 0;
    v = decide_latency(s, 2, 400, 0);
    g_assert_cmpint(v.exit_status, ==, 13);
    e2c_join_verdict_clear(&v);
}

/* The media-quality event with --max-latency: the figures limited and the stream's latency. */
static void
test_media_quality_event_latency(void)
{
    struct e2c_stream_outcome s[] = {late("bob", "audio", 20.5, 410, 450, 700)};
    s[0].feed = 7;
    struct e2c_join_input in = {E2C_ERR_NONE, s, 1, 0, -1, {0, 0, {0}}};
    in.quality.max_latency_ms[E2C_LATENCY_P95] = 400;
    in.quality.max_latency_ms[E2C_LATENCY_P99] = 600;
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    json_t *e = e2c_join_media_quality_event(&in, &v);
    json_object_del(e, "ts");
    char *text = json_dumps(e, JSON_COMPACT);
    g_assert_cmpstr(text, ==,
                    "{\"event\":\"media-quality\",\"max-freeze-ms\":null,\"max-frozen-pct\":null,"
                    "\"max-latency-ms\":{\"p95\":400,\"p99\":600},"
                    "\"streams\":1,\"passed\":false,\"failed\":[{\"remote\":\"bob\",\"feed\":7,"
                    "\"track\":\"audio\",\"longest-freeze-ms\":0,\"frozen-ms\":0,"
                    "\"received-ms\":10000,\"latency-ms\":{\"p50\":20.5,\"p95\":410.0,"
                    "\"p99\":450.0,\"max\":700.0},\"reason\":\"latency p95 410.0 ms, above "
                    "--max-latency p95:400ms\"}]}");
    free(text);
    json_decref(e);
    e2c_join_verdict_clear(&v);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/join-verdict/passes", test_passes);
    g_test_add_func("/join-verdict/fatal-wins", test_fatal_wins);
    g_test_add_func("/join-verdict/mismatch", test_mismatch);
    g_test_add_func("/join-verdict/only-malformed", test_only_malformed);
    g_test_add_func("/join-verdict/subscription-failed", test_subscription_failed);
    g_test_add_func("/join-verdict/media-check", test_media_check);
    g_test_add_func("/join-verdict/reconnect-counts-once", test_reconnect_counts_once);
    g_test_add_func("/join-verdict/gone-without-successor", test_gone_without_successor);
    g_test_add_func("/join-verdict/max-freeze", test_max_freeze);
    g_test_add_func("/join-verdict/max-frozen", test_max_frozen);
    g_test_add_func("/join-verdict/quality-precedence", test_quality_precedence);
    g_test_add_func("/join-verdict/quality-gone-streams", test_quality_gone_streams);
    g_test_add_func("/join-verdict/media-quality-event", test_media_quality_event);
    g_test_add_func("/join-verdict/max-latency", test_max_latency);
    g_test_add_func("/join-verdict/latency-gone-streams", test_latency_gone_streams);
    g_test_add_func("/join-verdict/media-quality-event-latency", test_media_quality_event_latency);
    return g_test_run();
}
