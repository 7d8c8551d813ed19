/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What one received stream showed by the end of a call: the input both
 * verdicts (join's and load's) read. It holds plain counters, no pipeline
 * object, so a verdict can be computed, and tested, from constructed values.
 * Figures a later verdict needs (latency, freezes, jitter) belong here.
 */
#pragma once

#include <glib.h>

#include "latency-hist.h"

struct e2c_stream_outcome {
    guint64 feed;               /* the remote participant's feed (its id in the room) */
    const char *display;        /* the remote participant's display name ("" or NULL: unknown) */
    const char *track;          /* "video" / "audio" */
    const char *codec;          /* "vp8", "opus", ...; NULL: unknown */
    gboolean verified;          /* decrypted, and decoded to what was sent where that is checked */
    gboolean mismatched;        /* cannot be decrypted now (e2call-e2ee(7)) */
    const char *mismatch_cause; /* of the last mismatch: "wrong-secret", "unencrypted", "stale" */
    guint64 frames_ok;          /* frames that authenticated and decrypted */
    guint64 frames_decoded;     /* frames a decoder put out (none when not decoding) */
    guint64 frames_lost;        /* video: frames the sender sent that never arrived */
    guint64 rtp_bytes;
    guint64 auth_failed, malformed, unencrypted; /* frames refused, by reason */
    /* e2call(1), MEDIA QUALITY FIGURES: freezes over the stream's life, and the mean of its
     * jitter estimate. */
    guint64 freezes, frozen_ms, longest_freeze_ms;
    double jitter_ms;
    /* The time it was received: from its first frame's arrival to its last one's (the
     * denominator of --max-frozen). */
    guint64 received_ms;
    /* Latency to decryption and to the decoder's output (have 0: no sample). */
    struct e2c_latency_summary latency, decoded_latency;
    /* Went away before the end: its publisher left, or its subscription ended
     * at a reconnect and a new one took over. */
    gboolean gone;
};

/*
 * One outcome per source (remote display and track) where a stream went
 * away and another of the same source took over (a subscription ended by a
 * reconnect, then made again): the gone one is left out, and the one after
 * it counts as verified if either was, and carries their freezes too
 * (summed, the longest of both, the higher jitter), their time received
 * (summed; the gap between them is in neither) and their latencies (the
 * worse of both, figure by figure). A gone stream without
 * successor (a publisher who left) stays. s: those still there first, then the gone
 * ones in the order they went; compacted in place, the new count returned.
 */
guint e2c_stream_outcomes_by_source(struct e2c_stream_outcome *s, guint n);
