/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-junit.h"

#include "junit.h"

static gchar *
class_name(const char *command, const char *participant)
{
    gchar *who = g_strdup(participant && *participant ? participant : "?");
    g_strdelimit(who, ".", '_');
    gchar *name = g_strdup_printf("e2call.%s.%s", command, who);
    g_free(who);
    return name;
}

static const char *
remote_name(const struct e2c_stream_outcome *s)
{
    return s->display && *s->display ? s->display : "?";
}

/* "<remote> <track> decrypted": what the verdict holds against the stream, or nothing. */
static void
decrypted_case(struct e2c_junit *j, const char *cls, const struct e2c_join_junit *r,
               const struct e2c_stream_outcome *s)
{
    gchar *name =
        g_strdup_printf("%s %s %s", remote_name(s), s->track, r->e2ee ? "decrypted" : "received");
    const char *fault = e2c_join_stream_fault(s);
    if (fault)
        e2c_junit_add(j, cls, name, E2C_JUNIT_FAILED,
                      e2c_error_name(s->mismatched ? E2C_ERR_ENCRYPTION_SECRET_MISMATCH
                                                   : E2C_ERR_DECRYPTION_INTERNAL_ERROR),
                      fault);
    else if (s->frames_ok == 0)
        e2c_junit_add(j, cls, name, E2C_JUNIT_SKIPPED, NULL, "no frame arrived");
    else
        e2c_junit_add(j, cls, name, E2C_JUNIT_PASSED, NULL, NULL);
    g_free(name);
}

/* "<remote> <track> verified" (--expect-media): a failure only where the media check failed. */
static void
verified_case(struct e2c_junit *j, const char *cls, const struct e2c_join_verdict *v,
              const struct e2c_stream_outcome *s)
{
    gchar *name = g_strdup_printf("%s %s verified", remote_name(s), s->track);
    if (s->verified) {
        e2c_junit_add(j, cls, name, E2C_JUNIT_PASSED, NULL, NULL);
    } else if (v->media_checked && !v->media_passed) {
        e2c_junit_add(j, cls, name, E2C_JUNIT_FAILED, e2c_error_name(E2C_ERR_MEDIA_CHECK_FAILED),
                      v->message);
    } else {
        gchar *why = v->media_checked
                         ? g_strdup_printf("not verified; the media check needed %u of %u "
                                           "stream(s) and %u were",
                                           v->needed, v->streams, v->verified)
                         : g_strdup("not verified; the media check was not made (an earlier "
                                    "error decided the verdict)");
        e2c_junit_add(j, cls, name, E2C_JUNIT_SKIPPED, NULL, why);
        g_free(why);
    }
    g_free(name);
}

/* "<remote> video freezes within limits" (--max-freeze, --max-frozen). */
static void
quality_case(struct e2c_junit *j, const char *cls, const struct e2c_join_input *in,
             const struct e2c_stream_outcome *s)
{
    if (!e2c_quality_judges_track(s->track))
        return;
    gchar *name = g_strdup_printf("%s %s freezes within limits", remote_name(s), s->track);
    gchar *fault = e2c_quality_fault(&in->quality, s->track, s->longest_freeze_ms, s->frozen_ms,
                                     s->received_ms);
    if (fault)
        e2c_junit_add(j, cls, name, E2C_JUNIT_FAILED, e2c_error_name(E2C_ERR_MEDIA_QUALITY_FAILED),
                      fault);
    else if (s->received_ms == 0)
        e2c_junit_add(j, cls, name, E2C_JUNIT_SKIPPED, NULL, "no frames to judge");
    else
        e2c_junit_add(j, cls, name, E2C_JUNIT_PASSED, NULL, NULL);
    g_free(fault);
    g_free(name);
}

/* "<remote> <track> latency within limits" (--max-latency). */
static void
latency_case(struct e2c_junit *j, const char *cls, const struct e2c_join_input *in,
             const struct e2c_stream_outcome *s)
{
    gchar *name = g_strdup_printf("%s %s latency within limits", remote_name(s), s->track);
    gchar *fault = e2c_latency_fault(&in->quality, &s->latency);
    if (fault)
        e2c_junit_add(j, cls, name, E2C_JUNIT_FAILED, e2c_error_name(E2C_ERR_MEDIA_QUALITY_FAILED),
                      fault);
    else if (!s->latency.have)
        e2c_junit_add(j, cls, name, E2C_JUNIT_SKIPPED, NULL, "no latency sample to judge");
    else
        e2c_junit_add(j, cls, name, E2C_JUNIT_PASSED, NULL, NULL);
    g_free(fault);
    g_free(name);
}

gchar *
e2c_join_junit(const struct e2c_join_junit *r)
{
    struct e2c_junit *j = e2c_junit_new("e2call join");
    gchar *cls = class_name("join", r->participant);
    const struct e2c_join_input *in = r->in;
    const struct e2c_join_verdict *v = r->v;

    if (in->fatal != E2C_ERR_NONE) {
        /* Ended early: no stream was judged, the error is the verdict. */
        gchar *msg = g_strdup_printf("%s: %s", e2c_error_name(in->fatal),
                                     r->fatal_message ? r->fatal_message : "the call ended early");
        e2c_junit_add(j, cls, "verdict", E2C_JUNIT_ERROR, e2c_error_name(in->fatal), msg);
        g_free(msg);
    } else {
        /* Once per source, as the verdict counts them. */
        struct e2c_stream_outcome *s = g_memdup2(in->streams, in->n_streams * sizeof(*s));
        guint n = e2c_stream_outcomes_by_source(s, in->n_streams);
        for (guint i = 0; i < n; i++)
            decrypted_case(j, cls, r, &s[i]);
        if (in->expect_media >= 0)
            for (guint i = 0; i < n; i++)
                verified_case(j, cls, v, &s[i]);
        if (e2c_quality_freeze_asked(&in->quality))
            for (guint i = 0; i < n; i++)
                quality_case(j, cls, in, &s[i]);
        if (e2c_quality_latency_asked(&in->quality))
            for (guint i = 0; i < n; i++)
                latency_case(j, cls, in, &s[i]);
        g_free(s);
        if (in->subscription_failures) {
            gchar *msg = g_strdup_printf("%u subscription(s) failed", in->subscription_failures);
            e2c_junit_add(j, cls, "subscriptions", E2C_JUNIT_FAILED,
                          e2c_error_name(E2C_ERR_UNABLE_TO_SUBSCRIBE), msg);
            g_free(msg);
        } else {
            e2c_junit_add(j, cls, "subscriptions", E2C_JUNIT_PASSED, NULL, NULL);
        }
        if (v->error == E2C_ERR_NONE) {
            e2c_junit_add(j, cls, "verdict", E2C_JUNIT_PASSED, NULL, NULL);
        } else {
            gchar *msg =
                g_strdup_printf("%s: %s", e2c_error_name(v->error), v->message ? v->message : "");
            e2c_junit_add(j, cls, "verdict", E2C_JUNIT_FAILED, e2c_error_name(v->error), msg);
            g_free(msg);
        }
    }
    gchar *doc = e2c_junit_render(j, r->seconds);
    g_free(cls);
    e2c_junit_free(j);
    return doc;
}

/* A pair's cases: its state, and within a group its loss, backlog and, when limits were given,
 * its video's freezes and its latency. */
static void
pair_cases(struct e2c_junit *j, const char *cls, const struct e2c_load_input *in,
           const struct e2c_load_pair *pair)
{
    const char *pub = in->members[pair->publisher].label;
    gchar *name =
        g_strdup_printf("%s %s", pub, pair->expected == E2C_PAIR_OK ? "decrypted" : "refused");
    e2c_junit_add(j, cls, name, pair->state_reason ? E2C_JUNIT_FAILED : E2C_JUNIT_PASSED,
                  "unexpected-pair", pair->state_reason);
    g_free(name);
    if (!pair->judged)
        return;
    name = g_strdup_printf("%s loss", pub);
    e2c_junit_add(j, cls, name, pair->loss_reason ? E2C_JUNIT_FAILED : E2C_JUNIT_PASSED, "max-loss",
                  pair->loss_reason);
    g_free(name);
    name = g_strdup_printf("%s behind", pub);
    if (pair->behind_s < 0)
        e2c_junit_add(j, cls, name, E2C_JUNIT_SKIPPED, NULL, "not measured");
    else
        e2c_junit_add(j, cls, name, pair->behind_reason ? E2C_JUNIT_FAILED : E2C_JUNIT_PASSED,
                      "max-behind", pair->behind_reason);
    g_free(name);
    const struct e2c_pair_seen *seen = &in->seen[pair->receiver * in->n_pub + pair->publisher];
    if (e2c_quality_freeze_asked(&in->quality)) {
        name = g_strdup_printf("%s video freezes within limits", pub);
        if (!pair->quality_reason && seen->video.received_ms == 0)
            e2c_junit_add(j, cls, name, E2C_JUNIT_SKIPPED, NULL, "no frames to judge");
        else
            e2c_junit_add(j, cls, name, pair->quality_reason ? E2C_JUNIT_FAILED : E2C_JUNIT_PASSED,
                          "media-quality", pair->quality_reason);
        g_free(name);
    }
    if (e2c_quality_latency_asked(&in->quality)) {
        name = g_strdup_printf("%s latency within limits", pub);
        if (!pair->latency_reason && !seen->video.latency.have && !seen->audio.latency.have)
            e2c_junit_add(j, cls, name, E2C_JUNIT_SKIPPED, NULL, "no latency sample to judge");
        else
            e2c_junit_add(j, cls, name, pair->latency_reason ? E2C_JUNIT_FAILED : E2C_JUNIT_PASSED,
                          "media-quality", pair->latency_reason);
        g_free(name);
    }
}

gchar *
e2c_load_junit(const struct e2c_load_input *in, const struct e2c_load_verdict *v, double seconds)
{
    struct e2c_junit *j = e2c_junit_new("e2call load");
    for (guint i = 0; i < in->n; i++) {
        const struct e2c_load_member *m = &in->members[i];
        gchar *cls = class_name("load", m->label);
        if (m->failed)
            e2c_junit_add(j, cls, "participant", E2C_JUNIT_ERROR, e2c_error_name(m->err),
                          m->error ? m->error : "failed");
        else
            e2c_junit_add(j, cls, "participant", E2C_JUNIT_PASSED, NULL, NULL);
        for (guint k = 0; k < in->n_pub; k++) {
            const struct e2c_load_pair *pair = e2c_load_verdict_pair(v, in, i, k);
            if (pair)
                pair_cases(j, cls, in, pair);
        }
        g_free(cls);
    }
    gchar *verdict = g_strdup_printf("exit %d", v->exit_status);
    e2c_junit_add(j, "e2call.load", "verdict", v->exit_status ? E2C_JUNIT_FAILED : E2C_JUNIT_PASSED,
                  verdict, v->summary);
    g_free(verdict);
    gchar *doc = e2c_junit_render(j, seconds);
    e2c_junit_free(j);
    return doc;
}
