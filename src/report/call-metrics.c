/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-metrics.h"

#include "av-skew.h"
#include "figures-switch.h"
#include "openmetrics.h"

static void
run_families(struct e2c_om *m, const struct e2c_metrics_run *r)
{
    const char *labels[] = {"command", r->command, NULL};
    e2c_om_family(m, "e2call_run_seconds", E2C_OM_GAUGE, "seconds", "Time since the run started");
    e2c_om_add(m, "e2call_run_seconds", labels, r->seconds);
    e2c_om_family(m, "e2call_run_finished", E2C_OM_GAUGE, NULL,
                  "1 once the run ended and its verdict is known, else 0");
    e2c_om_add(m, "e2call_run_finished", labels, r->finished);
    e2c_om_family(m, "e2call_exit_status", E2C_OM_GAUGE, NULL,
                  "The exit status of the verdict (0: passed); only once finished");
    e2c_om_family(m, "e2call_passed", E2C_OM_GAUGE, NULL,
                  "1 when the verdict passed, 0 when not; only once finished");
    if (r->finished) {
        e2c_om_add(m, "e2call_exit_status", labels, r->exit_status);
        e2c_om_add(m, "e2call_passed", labels, r->exit_status == 0);
    }
}

static const struct {
    const char *name;
    enum e2c_om_type type;
    const char *unit, *help;
    gboolean figure; /* not measured with --no-quality-figures: left out */
} received[] = {
    {"e2call_received_frames_decrypted", E2C_OM_COUNTER, NULL,
     "Frames that authenticated and decrypted (plain calls: frames received)", FALSE},
    {"e2call_received_frames_decoded", E2C_OM_COUNTER, NULL, "Frames a decoder put out", FALSE},
    {"e2call_received_frames_lost", E2C_OM_COUNTER, NULL,
     "Video frames the sender sent that never arrived", FALSE},
    {"e2call_received_frames_failed", E2C_OM_COUNTER, NULL,
     "Frames refused, by reason (auth, malformed, unencrypted)", FALSE},
    {"e2call_received_rtp_bytes", E2C_OM_COUNTER, "bytes", "RTP payload bytes received", FALSE},
    {"e2call_received_stream_verified", E2C_OM_GAUGE, NULL,
     "1 once the stream verified (decrypted, and decoded to what was sent where checked)", FALSE},
    {"e2call_received_stream_mismatched", E2C_OM_GAUGE, NULL,
     "1 while the stream cannot be decrypted (e2call-e2ee(7))", FALSE},
    /* e2call(1), MEDIA QUALITY FIGURES */
    {"e2call_received_freezes", E2C_OM_COUNTER, NULL,
     "Freezes: intervals between frames of at least max(3 x average, average + 150 ms)", TRUE},
    {"e2call_received_frozen_seconds", E2C_OM_COUNTER, "seconds", "Time frozen: the freezes summed",
     TRUE},
    {"e2call_received_longest_freeze_seconds", E2C_OM_GAUGE, "seconds", "The longest freeze", TRUE},
    {"e2call_received_jitter_seconds", E2C_OM_GAUGE, "seconds",
     "The mean of the interarrival jitter estimate (RFC 3550) over the stream's frames", TRUE},
    /* Gauges with a quantile label rather than a summary: the figures are read from a
     * histogram at the end, with no sum to give and no window, and 1 stands for the maximum. */
    {"e2call_received_latency_seconds", E2C_OM_GAUGE, "seconds",
     "Latency from the publisher's encoder input to decryption over the stream's life, at the "
     "quantile (1: the maximum); only streams with timed frames",
     TRUE},
    {"e2call_received_decoded_latency_seconds", E2C_OM_GAUGE, "seconds",
     "Latency from the publisher's encoder input to the decoder's output over the stream's "
     "life, at the quantile (1: the maximum); only decoded streams with timed frames",
     TRUE},
};

/* A latency summary as four samples of a family, labels l plus the quantile. */
static void
add_latency(struct e2c_om *m, const char *family, const char *const *l,
            const struct e2c_latency_summary *lat)
{
    if (!lat->have)
        return;
    static const char *const quantiles[] = {"0.5", "0.95", "0.99", "1"};
    const double ms[] = {lat->p50_ms, lat->p95_ms, lat->p99_ms, lat->max_ms};
    for (guint q = 0; q < G_N_ELEMENTS(quantiles); q++) {
        const char *lq[] = {l[0], l[1], l[2],       l[3],         l[4], l[5],
                            l[6], l[7], "quantile", quantiles[q], NULL};
        e2c_om_add(m, family, lq, ms[q] / 1000.0);
    }
}

static void
add_received(struct e2c_om *m, const char *who, const struct e2c_stream_outcome *s, gboolean gauges)
{
    const char *remote = s->display && *s->display ? s->display : "?";
    const char *l[] = {"participant", who,      "remote", remote,
                       "track",       s->track, "codec",  s->codec ? s->codec : "",
                       NULL};
    if (gauges) {
        e2c_om_add(m, "e2call_received_stream_verified", l, s->verified);
        e2c_om_add(m, "e2call_received_stream_mismatched", l, s->mismatched);
        if (e2c_quality_figures_on()) {
            e2c_om_add(m, "e2call_received_longest_freeze_seconds", l,
                       (double)s->longest_freeze_ms / 1000.0);
            e2c_om_add(m, "e2call_received_jitter_seconds", l, s->jitter_ms / 1000.0);
            add_latency(m, "e2call_received_latency_seconds", l, &s->latency);
            add_latency(m, "e2call_received_decoded_latency_seconds", l, &s->decoded_latency);
        }
        return;
    }
    e2c_om_add(m, "e2call_received_frames_decrypted", l, (double)s->frames_ok);
    e2c_om_add(m, "e2call_received_frames_decoded", l, (double)s->frames_decoded);
    e2c_om_add(m, "e2call_received_frames_lost", l, (double)s->frames_lost);
    e2c_om_add(m, "e2call_received_rtp_bytes", l, (double)s->rtp_bytes);
    if (e2c_quality_figures_on()) {
        e2c_om_add(m, "e2call_received_freezes", l, (double)s->freezes);
        e2c_om_add(m, "e2call_received_frozen_seconds", l, (double)s->frozen_ms / 1000.0);
    }
    static const char *const reasons[] = {"auth", "malformed", "unencrypted"};
    const guint64 counts[] = {s->auth_failed, s->malformed, s->unencrypted};
    for (guint k = 0; k < G_N_ELEMENTS(reasons); k++) {
        const char *lr[] = {"participant", who,  "remote", remote,     "track", s->track,
                            "codec",       l[7], "reason", reasons[k], NULL};
        e2c_om_add(m, "e2call_received_frames_failed", lr, (double)counts[k]);
    }
}

/* One gauge per publisher with both an audio and a video outcome among s (one per source). */
static void
add_av_skew(struct e2c_om *m, const char *who, const struct e2c_stream_outcome *s, guint n)
{
    for (guint a = 0; a < n; a++) {
        if (g_strcmp0(s[a].track, "audio"))
            continue;
        for (guint v = 0; v < n; v++) {
            double skew;
            if (g_strcmp0(s[v].track, "video") || g_strcmp0(s[v].display, s[a].display) ||
                !e2c_av_skew_ms(&s[a].latency, &s[v].latency, &skew))
                continue;
            const char *remote = s[a].display && *s[a].display ? s[a].display : "?";
            const char *l[] = {"participant", who, "remote", remote, NULL};
            e2c_om_add(m, "e2call_received_av_skew_seconds", l, skew / 1000.0);
            break;
        }
    }
}

static void
received_families(struct e2c_om *m, const struct e2c_metrics_run *r)
{
    for (guint k = 0; k < G_N_ELEMENTS(received); k++)
        if (!received[k].figure || e2c_quality_figures_on())
            e2c_om_family(m, received[k].name, received[k].type, received[k].unit,
                          received[k].help);
    if (e2c_quality_figures_on())
        e2c_om_family(m, "e2call_received_av_skew_seconds", E2C_OM_GAUGE, "seconds",
                      "A/V skew: the publisher's audio latency p50 minus its video latency p50, "
                      "to decryption");
    for (guint i = 0; i < r->n; i++) {
        const struct e2c_metrics_participant *p = &r->participants[i];
        /* Counters: every record, so a source's sum never goes down when a subscription is
         * made again. The gauges: once per source, as the verdicts judge. */
        for (guint k = 0; k < p->n_streams; k++)
            add_received(m, p->name, &p->streams[k], FALSE);
        struct e2c_stream_outcome *s = g_memdup2(p->streams, p->n_streams * sizeof(*s));
        guint n = e2c_stream_outcomes_by_source(s, p->n_streams);
        for (guint k = 0; k < n; k++)
            add_received(m, p->name, &s[k], TRUE);
        if (e2c_quality_figures_on())
            add_av_skew(m, p->name, s, n);
        g_free(s);
    }
}

static void
sent_families(struct e2c_om *m, const struct e2c_metrics_run *r)
{
    e2c_om_family(m, "e2call_sent_frames", E2C_OM_COUNTER, NULL,
                  "Frames sent: protected (E2EE) or payloaded (plain)");
    e2c_om_family(m, "e2call_sent_bytes", E2C_OM_COUNTER, "bytes", "Bytes sent after protection");
    for (guint i = 0; i < r->n; i++) {
        const struct e2c_metrics_participant *p = &r->participants[i];
        for (guint k = 0; k < p->n_sent; k++) {
            const struct e2c_metrics_sent *s = &p->sent[k];
            const char *l[] = {
                "participant", p->name, "track", s->track, "codec", s->codec ? s->codec : "", NULL};
            e2c_om_add(m, "e2call_sent_frames", l, (double)s->frames);
            e2c_om_add(m, "e2call_sent_bytes", l, (double)s->bytes);
        }
    }
}

static void
pair_families(struct e2c_om *m, const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    e2c_om_family(m, "e2call_load_pair_as_expected", E2C_OM_GAUGE, NULL,
                  "1 when what the receiver made of the publisher is what the groups imply");
    e2c_om_family(m, "e2call_load_pair_lost_ratio", E2C_OM_GAUGE, "ratio",
                  "Frames lost of those sent, within a group (0 to 1)");
    e2c_om_family(m, "e2call_load_pair_behind_seconds", E2C_OM_GAUGE, "seconds",
                  "Frames sent that the receiver had neither received nor lost at the end, as "
                  "time, within a group, where measured");
    for (guint k = 0; k < v->n_pairs; k++) {
        const struct e2c_load_pair *pair = &v->pairs[k];
        const char *l[] = {"participant", in->members[pair->receiver].label, "remote",
                           in->members[pair->publisher].label, NULL};
        e2c_om_add(m, "e2call_load_pair_as_expected", l, !pair->unexpected);
        if (!pair->judged)
            continue;
        e2c_om_add(m, "e2call_load_pair_lost_ratio", l, pair->loss_pct / 100.0);
        if (pair->behind_s >= 0)
            e2c_om_add(m, "e2call_load_pair_behind_seconds", l, pair->behind_s);
    }
}

gchar *
e2c_metrics_render(const struct e2c_metrics_run *r)
{
    struct e2c_om *m = e2c_om_new();
    run_families(m, r);
    received_families(m, r);
    sent_families(m, r);
    if (r->load_in && r->load_v)
        pair_families(m, r->load_in, r->load_v);
    gchar *text = e2c_om_render(m);
    e2c_om_free(m);
    return text;
}
