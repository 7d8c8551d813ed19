/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "load-verdict.h"

#include <string.h>

#include "latency-json.h"

static const char *const state_names[] = {"none", "ok", "mismatch", "partial"};

const char *
e2c_pair_state_name(enum e2c_pair_state state)
{
    return (unsigned)state < G_N_ELEMENTS(state_names) ? state_names[state] : "?";
}

void
e2c_pair_seen_add(struct e2c_pair_seen *pair, const struct e2c_stream_outcome *stream)
{
    pair->streams++;
    pair->verified += stream->verified;
    pair->mismatched += stream->mismatched;
    pair->frames_ok += stream->frames_ok;
    pair->frames_lost += stream->frames_lost;
    pair->rtp_bytes += stream->rtp_bytes;
    struct e2c_quality_seen *q = NULL;
    if (!g_strcmp0(stream->track, "video"))
        q = &pair->video;
    else if (!g_strcmp0(stream->track, "audio"))
        q = &pair->audio;
    if (q) {
        q->freezes += stream->freezes;
        q->frozen_ms += stream->frozen_ms;
        q->longest_freeze_ms = MAX(q->longest_freeze_ms, stream->longest_freeze_ms);
        q->jitter_ms = MAX(q->jitter_ms, stream->jitter_ms);
        q->received_ms += stream->received_ms;
        e2c_latency_summary_worst(&q->latency, &stream->latency);
    }
}

enum e2c_pair_state
e2c_pair_seen_state(const struct e2c_pair_seen *pair)
{
    if (pair->streams == 0)
        return E2C_PAIR_NONE;
    if (pair->mismatched)
        return pair->mismatched == pair->streams ? E2C_PAIR_MISMATCH : E2C_PAIR_PARTIAL;
    return pair->verified == pair->streams ? E2C_PAIR_OK : E2C_PAIR_PARTIAL;
}

static double
loss_of(const struct e2c_pair_seen *s)
{
    guint64 all = s->frames_ok + s->frames_lost;
    return all ? 100.0 * s->frames_lost / (double)all : 0;
}

/* --max-latency on the pair's video and audio: "p1 receiving p2: audio latency p95 ...". */
static void
judge_latency(const struct e2c_load_input *in, struct e2c_load_verdict *v,
              struct e2c_load_pair *pair, const struct e2c_pair_seen *seen)
{
    static const char *const kinds[] = {"video", "audio"};
    const struct e2c_quality_seen *q[] = {&seen->video, &seen->audio};
    GString *why = g_string_new(NULL);
    for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
        gchar *late = e2c_latency_fault(&in->quality, &q[k]->latency);
        if (late)
            g_string_append_printf(why, "%s%s %s", why->len ? "; " : "", kinds[k], late);
        g_free(late);
    }
    if (why->len) {
        v->slow++;
        pair->latency_reason =
            g_strdup_printf("%s receiving %s: %s", in->members[pair->receiver].label,
                            in->members[pair->publisher].label, why->str);
    }
    g_string_free(why, TRUE);
}

/* One pair: its state against the expected one, and, within a group, loss and backlog. */
static void
judge_pair(const struct e2c_load_input *in, struct e2c_load_verdict *v, GString *reasons, guint i,
           guint j)
{
    const struct e2c_load_member *r = &in->members[i], *p = &in->members[j];
    const struct e2c_pair_seen *seen = &in->seen[i * in->n_pub + j];
    struct e2c_load_pair *pair = &v->pairs[v->n_pairs++];
    gboolean same = r->expected_group == p->expected_group;

    pair->receiver = i;
    pair->publisher = j;
    pair->state = e2c_pair_seen_state(seen);
    pair->expected = same ? E2C_PAIR_OK : E2C_PAIR_MISMATCH;
    pair->unexpected = pair->state != pair->expected;
    pair->loss_pct = loss_of(seen);
    pair->judged = same;
    pair->behind_s = seen->behind_s;
    if (pair->unexpected) {
        v->unexpected++;
        pair->state_reason = g_strdup_printf("%s receiving %s: %s, expected %s", r->label, p->label,
                                             state_names[pair->state], state_names[pair->expected]);
    }
    if (same) {
        v->frames_ok += seen->frames_ok;
        v->frames_lost += seen->frames_lost;
        if (pair->loss_pct > v->worst_loss_pct)
            v->worst_loss_pct = pair->loss_pct;
        if (pair->loss_pct > in->max_loss_pct) {
            v->over_loss++;
            pair->loss_reason = g_strdup_printf("%s receiving %s: %.2f%% of frames lost", r->label,
                                                p->label, pair->loss_pct);
        }
        if (seen->behind_s > v->worst_behind_s)
            v->worst_behind_s = seen->behind_s;
        if (seen->behind_s > in->max_behind_s) {
            v->late++;
            pair->behind_reason = g_strdup_printf("%s receiving %s: %.1f s behind real time at "
                                                  "the end (frames sent, neither received nor "
                                                  "lost)",
                                                  r->label, p->label, seen->behind_s);
        }
        gchar *frozen = e2c_quality_fault(&in->quality, "video", seen->video.longest_freeze_ms,
                                          seen->video.frozen_ms, seen->video.received_ms);
        if (frozen) {
            v->frozen++;
            pair->quality_reason =
                g_strdup_printf("%s receiving %s: video %s", r->label, p->label, frozen);
            g_free(frozen);
        }
        judge_latency(in, v, pair, seen);
    }
    const gchar *lines[] = {pair->state_reason, pair->loss_reason, pair->behind_reason,
                            pair->quality_reason, pair->latency_reason};
    for (guint k = 0; k < G_N_ELEMENTS(lines); k++)
        if (lines[k])
            g_string_append_printf(reasons, "%s\n", lines[k]);
    v->rtp_bytes += seen->rtp_bytes;
}

void
e2c_load_verdict_decide(const struct e2c_load_input *in, struct e2c_load_verdict *v)
{
    memset(v, 0, sizeof(*v));
    GString *reasons = g_string_new(NULL);
    v->pairs = g_new0(struct e2c_load_pair, (gsize)in->n * in->n_pub);
    for (guint i = 0; i < in->n; i++)
        for (guint j = 0; j < in->n_pub; j++)
            if (j != i)
                judge_pair(in, v, reasons, i, j);
    v->loss_pct = v->frames_ok + v->frames_lost
                      ? 100.0 * v->frames_lost / (v->frames_ok + v->frames_lost)
                      : 0;

    const struct e2c_load_member *first_failed = NULL;
    for (guint i = 0; i < in->n; i++) {
        v->failed += in->members[i].error != NULL;
        if (in->members[i].failed && !first_failed)
            first_failed = &in->members[i];
    }
    const struct e2c_load_member *router =
        in->router_failed >= 0 ? &in->members[in->router_failed] : NULL;
    const struct e2c_load_member *why = router ? router : first_failed;
    gchar *failure = why ? g_strdup_printf("%s failed (%s)", why->label, why->error) : NULL;

    v->exit_status = router                    ? E2C_EXIT_CONNECT_FAILED
                     : v->unexpected           ? E2C_LOAD_EXIT_MATRIX
                     : v->over_loss || v->late ? E2C_LOAD_EXIT_LOSS
                     : v->frozen || v->slow    ? E2C_EXIT_MEDIA_QUALITY_FAILED
                     : first_failed            ? (int)e2c_error_exit_status(first_failed->err)
                                               : E2C_EXIT_OK;
    v->summary = router ? g_strdup(failure)
                 : v->unexpected
                     ? g_strdup("the decrypt matrix differs from what the secrets imply")
                 : v->over_loss ? g_strdup("loss above --max-loss")
                 : v->late      ? g_strdup("a receiver fell behind real time (--max-behind)")
                 : v->frozen && v->slow
                     ? g_strdup("video froze beyond --max-freeze or --max-frozen, and latency "
                                "was above --max-latency")
                 : v->frozen    ? g_strdup("video froze beyond --max-freeze or --max-frozen")
                 : v->slow      ? g_strdup("latency above --max-latency")
                 : first_failed ? g_strdup(failure)
                                : g_strdup("as the secrets imply");
    v->reasons = g_string_free(reasons, FALSE);
    g_free(failure);
}

const struct e2c_load_pair *
e2c_load_verdict_pair(const struct e2c_load_verdict *v, const struct e2c_load_input *in,
                      guint receiver, guint publisher)
{
    if (receiver >= in->n || publisher >= in->n_pub || receiver == publisher)
        return NULL;
    /* Row by row, each row missing its own column when the receiver publishes. */
    guint k = receiver * in->n_pub + publisher;
    k -= MIN(receiver, in->n_pub) + (publisher > receiver ? 1 : 0);
    return &v->pairs[k];
}

void
e2c_load_verdict_clear(struct e2c_load_verdict *v)
{
    for (guint k = 0; k < v->n_pairs; k++) {
        g_free(v->pairs[k].state_reason);
        g_free(v->pairs[k].loss_reason);
        g_free(v->pairs[k].behind_reason);
        g_free(v->pairs[k].quality_reason);
        g_free(v->pairs[k].latency_reason);
    }
    g_free(v->pairs);
    g_free(v->reasons);
    g_free(v->summary);
    memset(v, 0, sizeof(*v));
}
