/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "join-verdict.h"

#include <string.h>

struct tally {
    guint streams, verified, mismatched, broken;
    guint unencrypted, stale; /* mismatched streams by cause (the rest: another secret) */
    GString *unverified;      /* "display/track, ..." */
};

#define STALE_WHY "a sender's clock more than 10 minutes off ours, or recorded media"

static gboolean
broken(const struct e2c_stream_outcome *s)
{
    /* Frames arrived, none ever opened, and they were malformed rather than foreign (frames
     * without an envelope are a plain peer: a mismatch with that cause, once ten came). */
    return s->frames_ok == 0 && s->malformed > 0 && s->auth_failed + s->unencrypted == 0;
}

const char *
e2c_join_stream_fault(const struct e2c_stream_outcome *s)
{
    if (s->mismatched) {
        if (!g_strcmp0(s->mismatch_cause, "unencrypted"))
            return "could not be decrypted to the end: not encrypted";
        if (!g_strcmp0(s->mismatch_cause, "stale"))
            return "could not be decrypted to the end: stale (" STALE_WHY ")";
        return "could not be decrypted to the end: under another secret";
    }
    return broken(s) ? "carried only malformed frames" : NULL;
}

static void
count(struct tally *t, const struct e2c_stream_outcome *s)
{
    t->streams++;
    if (s->verified)
        t->verified++;
    else
        g_string_append_printf(t->unverified, "%s%s/%s", t->unverified->len ? ", " : "",
                               s->display && *s->display ? s->display : "?", s->track);
    if (s->mismatched) {
        t->mismatched++;
        t->unencrypted += !g_strcmp0(s->mismatch_cause, "unencrypted");
        t->stale += !g_strcmp0(s->mismatch_cause, "stale");
    }
    if (!s->mismatched && broken(s))
        t->broken++;
}

/* Judges every stream against the limits; the message when one failed, else NULL. */
static gchar *
judge_quality(const struct e2c_join_input *in, const struct e2c_stream_outcome *s, guint n,
              struct e2c_join_verdict *out)
{
    const struct e2c_quality_limits *l = &in->quality;
    gboolean freeze = e2c_quality_freeze_asked(l), latency = e2c_quality_latency_asked(l);
    out->quality_checked = TRUE;
    out->quality_failures = g_new0(struct e2c_quality_failure, n ? n : 1);
    GString *names = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        gboolean judged =
            (freeze && e2c_quality_judges_track(s[i].track)) || (latency && s[i].latency.have);
        if (!judged)
            continue;
        out->quality_streams++;
        gchar *reason = e2c_quality_stream_fault(l, &s[i]);
        if (!reason)
            continue;
        const char *remote = s[i].display && *s[i].display ? s[i].display : "?";
        out->quality_failures[out->n_quality_failures++] = (struct e2c_quality_failure){
            g_utf8_make_valid(remote, -1),
            s[i].feed,
            g_strdup(s[i].track),
            s[i].longest_freeze_ms,
            s[i].frozen_ms,
            s[i].received_ms,
            s[i].latency,
            reason,
        };
        g_string_append_printf(names, "%s%s %s (%s)", names->len ? ", " : "", remote, s[i].track,
                               reason);
    }
    gchar *message = NULL;
    /* Freezes alone keep their words; with latency, audio streams are judged too. */
    if (out->n_quality_failures && latency)
        message = g_strdup_printf("%u of %u stream(s) beyond the quality limits: %s",
                                  out->n_quality_failures, out->quality_streams, names->str);
    else if (out->n_quality_failures)
        message = g_strdup_printf("%u of %u video stream(s) froze beyond the limits: %s",
                                  out->n_quality_failures, out->quality_streams, names->str);
    g_string_free(names, TRUE);
    return message;
}

void
e2c_join_verdict_decide(const struct e2c_join_input *in, struct e2c_join_verdict *out)
{
    memset(out, 0, sizeof(*out));
    if (in->fatal != E2C_ERR_NONE) {
        out->error = in->fatal;
        out->exit_status = e2c_error_exit_status(in->fatal);
        return;
    }
    struct tally t = {0, 0, 0, 0, 0, 0, g_string_new(NULL)};
    /* Once per source: a subscription made again after a reconnect is one stream. */
    struct e2c_stream_outcome *streams = g_memdup2(in->streams, in->n_streams * sizeof(*streams));
    guint n = e2c_stream_outcomes_by_source(streams, in->n_streams);
    for (guint i = 0; i < n; i++)
        count(&t, &streams[i]);
    gchar *quality =
        e2c_quality_limits_asked(&in->quality) ? judge_quality(in, streams, n, out) : NULL;
    g_free(streams);
    out->streams = t.streams;
    out->verified = t.verified;
    if (t.mismatched) {
        guint wrong = t.mismatched - t.unencrypted - t.stale;
        out->error = E2C_ERR_ENCRYPTION_SECRET_MISMATCH;
        out->message = g_strdup_printf("%u stream(s) could not be decrypted to the end: %u under "
                                       "another secret, %u not encrypted, %u stale (" STALE_WHY ")",
                                       t.mismatched, wrong, t.unencrypted, t.stale);
    } else if (t.broken) {
        out->error = E2C_ERR_DECRYPTION_INTERNAL_ERROR;
        out->message = g_strdup_printf("%u stream(s) carried only malformed frames", t.broken);
    } else if (in->subscription_failures) {
        out->error = E2C_ERR_UNABLE_TO_SUBSCRIBE;
        out->message = g_strdup_printf("%u subscription(s) failed", in->subscription_failures);
    } else if (in->expect_media >= 0) {
        out->media_checked = TRUE;
        out->needed = in->expect_media > 0 ? (guint)in->expect_media : MAX(t.streams, 1u);
        out->media_passed = t.verified >= out->needed;
        if (!out->media_passed) {
            out->error = E2C_ERR_MEDIA_CHECK_FAILED;
            out->message =
                g_strdup_printf("%u of %u expected stream(s) verified%s%s", t.verified, out->needed,
                                t.unverified->len ? "; not verified: " : "", t.unverified->str);
        }
    }
    if (out->error == E2C_ERR_NONE && quality) {
        out->error = E2C_ERR_MEDIA_QUALITY_FAILED;
        out->message = g_steal_pointer(&quality);
    }
    g_free(quality);
    g_string_free(t.unverified, TRUE);
    out->exit_status = e2c_error_exit_status(out->error);
}

void
e2c_join_verdict_clear(struct e2c_join_verdict *v)
{
    for (guint i = 0; i < v->n_quality_failures; i++) {
        g_free(v->quality_failures[i].remote);
        g_free(v->quality_failures[i].track);
        g_free(v->quality_failures[i].reason);
    }
    g_free(v->quality_failures);
    g_free(v->message);
    memset(v, 0, sizeof(*v));
}
