/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a participant reports of its streams: for checks, stats, verdicts and status. */
#pragma once

#include <glib.h>

#include "envelope.h"
#include "frame-timing.h"
#include "latency-hist.h"

/* A snapshot of one received stream, for checks, stats and status. */
struct e2c_stream_info {
    guint64 feed;
    const char *display; /* remote participant */
    const char *track;   /* "video" / "audio" */
    enum e2c_codec codec;
    const char *state; /* e2csframedec state, or "plain" */
    gboolean verified;
    gboolean mismatch_now;
    const char *mismatch_cause; /* of the last mismatch: "wrong-secret", "unencrypted", "stale" */
    guint64 frames_decoded, rtp_bytes;
    guint64 frames_ok, auth_failed, replayed, malformed, unencrypted;
    guint64 stale, kid_limited;
    guint64 mismatch_events, match_events;
    guint64 kid;
    guint64 next_ctr; /* the counter expected next under kid */
    double last_psnr;
    gint64 first_frame_us;          /* monotonic */
    guint64 frames_lost;            /* video: frames the sender sent that were never decoded */
    struct e2c_frame_timing timing; /* freezes and jitter, e2call(1) MEDIA QUALITY FIGURES */
    /* Latency to decryption and to the decoder's output (E2EE only; e2call(1), MEDIA QUALITY
     * FIGURES); lookups that missed. */
    struct e2c_latency_hist latency, decoded_latency;
    guint64 latency_misses;
    gboolean decodes; /* decoded_latency applies */
    /* Nanoseconds e2csframedec spent opening crypt_frames frames (0 in a plain stream). */
    guint64 crypt_ns, crypt_frames;
    /* The stream went away (its publisher left, or its subscription ended at a
     * reconnect): kept for the summary and the verdict, no longer updated. */
    gboolean gone;
};

/* One sent track. */
struct e2c_send_info {
    const char *track; /* "video" / "audio" */
    enum e2c_codec codec;
    gboolean e2ee;
    guint64 kid;       /* 0 in plain mode or before the first frame */
    guint64 frames;    /* frames sent: protected (E2EE), or payloaded (plain) */
    guint64 bytes;     /* bytes after protection */
    guint64 keyframes; /* video: keyframes sent (0 for audio) */
    guint64 next_ctr;  /* the counter of the next frame under kid */
    /* The KID before kid (0: none; a rotation every ten minutes, a rekey) and the
     * counter its last frame was followed by: frames sent under it. */
    guint64 previous_kid, previous_next_ctr;
    /* Nanoseconds e2csframeenc spent sealing crypt_frames frames (0 in plain mode). */
    guint64 crypt_ns, crypt_frames;
};
