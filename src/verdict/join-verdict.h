/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verdict of `e2call join` (e2call(1), EXIT STATUS): from what ended the
 * call, what every received stream showed and --expect-media to an error
 * and an exit status. Pure: no pipeline, no main loop, no output.
 *
 * In order: an error that ended the call early is the verdict; then a
 * stream that could not be decrypted to the end (5, ENCRYPTION_SECRET_MISMATCH);
 * a stream of only malformed frames (6, DECRYPTION_INTERNAL_ERROR); a failed
 * subscription (9, UNABLE_TO_SUBSCRIBE); with --expect-media, too few
 * verified streams (10, MEDIA_CHECK_FAILED); with --max-freeze or
 * --max-frozen, a video stream that froze beyond them, with --max-latency,
 * a stream whose latency was above it (13, MEDIA_QUALITY_FAILED;
 * quality-limits.h); else 0. The limits are judged whenever given and the
 * call did not end early, also when an earlier cause decides the verdict,
 * so the report names every stream beyond them.
 *
 * A stream counts once per source (remote and track): one that went away
 * and was taken over by another of the same source (a subscription ended
 * by our reconnect, then made again) is judged through the one after it,
 * which counts as verified if either was. A gone stream without successor
 * (a publisher who left) counts on its own.
 */
#pragma once

#include <glib.h>

#include "errors.h"
#include "quality-limits.h"
#include "stream-outcome.h"

/* --expect-media not given. */
#define E2C_EXPECT_MEDIA_NOT_ASKED (-1)
/* --expect-media without a number: every stream seen (at least one). */
#define E2C_EXPECT_MEDIA_ALL 0

struct e2c_join_input {
    enum e2c_error fatal; /* what ended the call early, or E2C_ERR_NONE */
    /* Those still there first, then the gone ones in the order they went. */
    const struct e2c_stream_outcome *streams;
    guint n_streams;
    guint subscription_failures;
    gint64 expect_media; /* E2C_EXPECT_MEDIA_NOT_ASKED, _ALL, or a number of streams */
    /* --max-freeze, --max-frozen, --max-latency; zero: not asked */
    struct e2c_quality_limits quality;
};

/* A received stream (once per source) that froze or was late beyond the limits. */
struct e2c_quality_failure {
    gchar *remote; /* display name (valid UTF-8, for JSON), "?" when unknown */
    guint64 feed;
    gchar *track;
    guint64 longest_freeze_ms, frozen_ms, received_ms;
    struct e2c_latency_summary latency; /* to decryption */
    gchar *reason;                      /* e2c_quality_stream_fault()'s words */
};

struct e2c_join_verdict {
    enum e2c_error error; /* E2C_ERR_NONE: passed */
    /* Why, for the "error" event; NULL when passed or when the call ended early
     * (that error was reported when it happened). */
    gchar *message;
    int exit_status;
    /* The media check (--expect-media), when it was made. */
    gboolean media_checked, media_passed;
    guint streams, verified, needed;
    /* The quality limits, when given (and the call did not end early): the streams judged
     * (video ones for freezes, those with latency samples for latency) and those that
     * failed, in stream order. */
    gboolean quality_checked;
    guint quality_streams;
    struct e2c_quality_failure *quality_failures;
    guint n_quality_failures;
};

/*
 * What the verdict holds against one stream (of those counted once per
 * source), in the words of its message: "could not be decrypted to the end:
 * under another secret" (or "not encrypted", "stale ..."), "carried only
 * malformed frames"; NULL when nothing. For the per-stream reports (JUnit).
 */
const char *e2c_join_stream_fault(const struct e2c_stream_outcome *s);

void e2c_join_verdict_decide(const struct e2c_join_input *in, struct e2c_join_verdict *out);
void e2c_join_verdict_clear(struct e2c_join_verdict *v);
