/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verdict of `e2call join` from constructed streams: every exit status
 * of e2call(1), EXIT STATUS that the end of a call can give, the order in
 * which causes win, and the media-check event.
 */
#include <glib.h>
#include <jansson.h>

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
    struct e2c_join_input in = {fatal, streams, n, sub_failures, expect};
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    return v;
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
    return g_test_run();
}
