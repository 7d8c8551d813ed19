/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "load-report.h"

#include "av-skew.h"
#include "figures-switch.h"
#include "latency-json.h"

#include <math.h>
#include <string.h>

static gint
cmp_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank quantile of the values that are not NAN (0 when there is none). */
static double
quantile(GArray *v, double q)
{
    if (!v->len)
        return 0;
    g_array_sort(v, cmp_double);
    guint i = (guint)lround(q * (v->len - 1));
    return g_array_index(v, double, i);
}

/* Join times of the members that joined (which), in member order. */
enum timing { JOIN, FIRST_MEDIA };

static GArray *
timings(const struct e2c_load_input *in, enum timing which)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(double));
    for (guint i = 0; i < in->n; i++) {
        double ms = which == JOIN ? in->members[i].join_ms : in->members[i].first_media_ms;
        if (!isnan(ms))
            g_array_append_val(a, ms);
    }
    return a;
}

static double
kbps(const struct e2c_pair_seen *seen, double seconds)
{
    return seconds > 0 ? seen->rtp_bytes * 8 / 1000.0 / seconds : 0.0;
}

/*
 * Freezes and jitter of one kind of track over the pairs that received frames: the totals and
 * the distributions over those pairs of frozen time and jitter.
 */
struct quality_totals {
    guint pairs, frozen_pairs;
    guint64 freezes, frozen_ms, longest_ms;
    GArray *frozen, *jitter; /* double ms, one per pair */
    /* Latency to decryption: each pair's p50 and p95 (its worst stream's), over the pairs with
     * samples. */
    guint latency_pairs;
    GArray *latency_p50, *latency_p95;
};

static void
quality_totals(const struct e2c_load_input *in, const struct e2c_load_verdict *v, gboolean video,
               struct quality_totals *t)
{
    memset(t, 0, sizeof(*t));
    t->frozen = g_array_new(FALSE, FALSE, sizeof(double));
    t->jitter = g_array_new(FALSE, FALSE, sizeof(double));
    t->latency_p50 = g_array_new(FALSE, FALSE, sizeof(double));
    t->latency_p95 = g_array_new(FALSE, FALSE, sizeof(double));
    for (guint k = 0; k < v->n_pairs; k++) {
        const struct e2c_load_pair *pair = &v->pairs[k];
        const struct e2c_pair_seen *seen = &in->seen[pair->receiver * in->n_pub + pair->publisher];
        if (!seen->frames_ok)
            continue;
        const struct e2c_quality_seen *q = video ? &seen->video : &seen->audio;
        double frozen = (double)q->frozen_ms;
        t->pairs++;
        t->frozen_pairs += q->freezes > 0;
        t->freezes += q->freezes;
        t->frozen_ms += q->frozen_ms;
        t->longest_ms = MAX(t->longest_ms, q->longest_freeze_ms);
        g_array_append_val(t->frozen, frozen);
        g_array_append_val(t->jitter, q->jitter_ms);
        if (q->latency.have) {
            t->latency_pairs++;
            g_array_append_val(t->latency_p50, q->latency.p50_ms);
            g_array_append_val(t->latency_p95, q->latency.p95_ms);
        }
    }
}

static void
quality_totals_clear(struct quality_totals *t)
{
    g_array_unref(t->frozen);
    g_array_unref(t->jitter);
    g_array_unref(t->latency_p50);
    g_array_unref(t->latency_p95);
}

static json_t *
distribution_json(GArray *values)
{
    return json_pack("{s:f, s:f, s:f}", "p50", quantile(values, 0.5), "p95", quantile(values, 0.95),
                     "max", quantile(values, 1.0));
}

/* |A/V skew| (e2call(1), MEDIA QUALITY FIGURES) of the pairs with both figures: double ms. */
static GArray *
abs_skews(const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(double));
    for (guint k = 0; k < v->n_pairs; k++) {
        const struct e2c_load_pair *pair = &v->pairs[k];
        const struct e2c_pair_seen *seen = &in->seen[pair->receiver * in->n_pub + pair->publisher];
        double skew;
        if (!e2c_av_skew_ms(&seen->audio.latency, &seen->video.latency, &skew))
            continue;
        skew = fabs(skew);
        g_array_append_val(a, skew);
    }
    return a;
}

static json_t *
quality_json(const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    json_t *o = json_object();
    static const char *const kinds[] = {"video", "audio"};
    for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
        struct quality_totals t;
        quality_totals(in, v, k == 0, &t);
        json_object_set_new(o, kinds[k],
                            json_pack("{s:i, s:i, s:I, s:I, s:I, s:o, s:o}", "pairs", (int)t.pairs,
                                      "pairs-frozen", (int)t.frozen_pairs, "freezes",
                                      (json_int_t)t.freezes, "frozen-ms", (json_int_t)t.frozen_ms,
                                      "longest-freeze-ms", (json_int_t)t.longest_ms,
                                      "frozen-ms-per-pair", distribution_json(t.frozen),
                                      "jitter-ms-per-pair", distribution_json(t.jitter)));
        json_t *kind = json_object_get(o, kinds[k]);
        json_object_set_new(kind, "pairs-with-latency", json_integer(t.latency_pairs));
        /* null rather than zeros when no pair had a sample: 0 ms would read as a figure. */
        json_object_set_new(kind, "latency-p50-ms-per-pair",
                            t.latency_pairs ? distribution_json(t.latency_p50) : json_null());
        json_object_set_new(kind, "latency-p95-ms-per-pair",
                            t.latency_pairs ? distribution_json(t.latency_p95) : json_null());
        quality_totals_clear(&t);
    }
    GArray *skews = abs_skews(in, v);
    json_object_set_new(o, "av-skew",
                        json_pack("{s:i, s:o}", "pairs", (int)skews->len, "abs-ms-per-pair",
                                  distribution_json(skews)));
    g_array_unref(skews);
    return o;
}

static void
append_quality(GString *out, const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    static const char *const kinds[] = {"video", "audio"};
    for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
        struct quality_totals t;
        quality_totals(in, v, k == 0, &t);
        g_string_append_printf(
            out,
            "%s: %" G_GUINT64_FORMAT " freezes, %" G_GUINT64_FORMAT
            " ms frozen (longest %" G_GUINT64_FORMAT " ms) in %u of %u pairs; per pair "
            "frozen p50 %.0f ms, p95 %.0f ms, max %.0f ms; jitter p50 %.1f ms, p95 %.1f ms, "
            "max %.1f ms\n",
            kinds[k], t.freezes, t.frozen_ms, t.longest_ms, t.frozen_pairs, t.pairs,
            quantile(t.frozen, 0.5), quantile(t.frozen, 0.95), quantile(t.frozen, 1.0),
            quantile(t.jitter, 0.5), quantile(t.jitter, 0.95), quantile(t.jitter, 1.0));
        if (t.latency_pairs)
            g_string_append_printf(
                out,
                "%s latency in %u pairs: per pair median p50 %.1f ms, p95 %.1f ms, max %.1f ms; "
                "per pair p95 p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
                kinds[k], t.latency_pairs, quantile(t.latency_p50, 0.5),
                quantile(t.latency_p50, 0.95), quantile(t.latency_p50, 1.0),
                quantile(t.latency_p95, 0.5), quantile(t.latency_p95, 0.95),
                quantile(t.latency_p95, 1.0));
        else
            g_string_append_printf(out, "%s latency: no pair with samples\n", kinds[k]);
        quality_totals_clear(&t);
    }
    GArray *skews = abs_skews(in, v);
    if (skews->len)
        g_string_append_printf(out,
                               "A/V skew (audio minus video latency p50) in %u pairs: |skew| p50 "
                               "%.1f ms, p95 %.1f ms, max %.1f ms\n",
                               skews->len, quantile(skews, 0.5), quantile(skews, 0.95),
                               quantile(skews, 1.0));
    g_array_unref(skews);
}

/* The quality limits' line, when they were given. */
static void
append_quality_limits(GString *out, const struct e2c_load_input *in,
                      const struct e2c_load_verdict *v)
{
    const struct e2c_quality_limits *l = &in->quality;
    if (e2c_quality_latency_asked(l)) {
        g_string_append(out, "latency above the limits (--max-latency");
        for (guint f = 0; f < E2C_LATENCY_FIGURES; f++)
            if (l->max_latency_ms[f])
                g_string_append_printf(out, " %s:%" G_GUINT64_FORMAT "ms",
                                       e2c_latency_figure_name((enum e2c_latency_figure)f),
                                       l->max_latency_ms[f]);
        g_string_append_printf(out, "): %u pair(s)\n", v->slow);
    }
    if (!e2c_quality_freeze_asked(l))
        return;
    g_string_append_printf(out, "video freezes beyond the limits (");
    if (l->max_freeze_ms)
        g_string_append_printf(out, "--max-freeze %" G_GUINT64_FORMAT " ms%s", l->max_freeze_ms,
                               l->max_frozen_pct > 0 ? ", " : "");
    if (l->max_frozen_pct > 0)
        g_string_append_printf(out, "--max-frozen %g%%", l->max_frozen_pct);
    g_string_append_printf(out, "): %u pair(s)\n", v->frozen);
}

static json_t *
matrix_json(const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    json_t *matrix = json_array();
    for (guint i = 0; i < in->n; i++) {
        json_t *row = json_array();
        for (guint j = 0; j < in->n_pub; j++) {
            const struct e2c_load_pair *pair = e2c_load_verdict_pair(v, in, i, j);
            json_array_append_new(row, pair ? json_string(e2c_pair_state_name(pair->state))
                                            : json_null());
        }
        json_array_append_new(matrix, row);
    }
    return matrix;
}

static json_t *
pairs_json(const struct e2c_load_input *in, const struct e2c_load_verdict *v, double seconds)
{
    json_t *pairs = json_array();
    for (guint k = 0; k < v->n_pairs; k++) {
        const struct e2c_load_pair *pair = &v->pairs[k];
        const struct e2c_pair_seen *seen = &in->seen[pair->receiver * in->n_pub + pair->publisher];
        json_t *pj =
            json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:f, s:f}", "receiver",
                      in->members[pair->receiver].label, "publisher",
                      in->members[pair->publisher].label, "state", e2c_pair_state_name(pair->state),
                      "expected", e2c_pair_state_name(pair->expected), "frames",
                      (json_int_t)seen->frames_ok, "frames-lost", (json_int_t)seen->frames_lost,
                      "loss-pct", pair->loss_pct, "kbps", kbps(seen, seconds));
        json_object_set_new(pj, "behind-s",
                            seen->behind_s >= 0 ? json_real(seen->behind_s) : json_null());
        /* Freezes and jitter (e2call(1), MEDIA QUALITY FIGURES): video unprefixed, as in the
         * stats and summary events; absent when not measured (--no-quality-figures). */
        static const char *const prefixes[] = {"", "audio-"};
        const struct e2c_quality_seen *kinds[] = {&seen->video, &seen->audio};
        guint n_kinds = e2c_quality_figures_on() ? G_N_ELEMENTS(kinds) : 0;
        for (guint q = 0; q < n_kinds; q++) {
            gchar *key = g_strconcat(prefixes[q], "freezes", NULL);
            json_object_set_new(pj, key, json_integer((json_int_t)kinds[q]->freezes));
            g_free(key);
            key = g_strconcat(prefixes[q], "frozen-ms", NULL);
            json_object_set_new(pj, key, json_integer((json_int_t)kinds[q]->frozen_ms));
            g_free(key);
            key = g_strconcat(prefixes[q], "longest-freeze-ms", NULL);
            json_object_set_new(pj, key, json_integer((json_int_t)kinds[q]->longest_freeze_ms));
            g_free(key);
            key = g_strconcat(prefixes[q], "jitter-ms", NULL);
            json_object_set_new(pj, key, json_real(kinds[q]->jitter_ms));
            g_free(key);
            key = g_strconcat(prefixes[q], "latency-ms", NULL);
            json_object_set_new(pj, key, e2c_latency_json(&kinds[q]->latency));
            g_free(key);
        }
        if (n_kinds)
            json_object_set_new(pj, "av-skew-ms",
                                e2c_av_skew_json(&seen->audio.latency, &seen->video.latency));
        json_array_append_new(pairs, pj);
    }
    return pairs;
}

/* The pairs whose video froze beyond the quality limits, with their figures and reason. */
static json_t *
quality_failures_json(const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    json_t *failed = json_array();
    for (guint k = 0; k < v->n_pairs; k++) {
        const struct e2c_load_pair *pair = &v->pairs[k];
        if (!pair->quality_reason)
            continue;
        const struct e2c_quality_seen *q =
            &in->seen[pair->receiver * in->n_pub + pair->publisher].video;
        /* The reason without the "RECEIVER receiving PUBLISHER: video " its line starts with. */
        const char *why = strstr(pair->quality_reason, ": video ");
        json_array_append_new(
            failed, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "receiver",
                              in->members[pair->receiver].label, "publisher",
                              in->members[pair->publisher].label, "track", "video",
                              "longest-freeze-ms", (json_int_t)q->longest_freeze_ms, "frozen-ms",
                              (json_int_t)q->frozen_ms, "received-ms", (json_int_t)q->received_ms,
                              "reason", why ? why + strlen(": video ") : pair->quality_reason));
    }
    return failed;
}

/* The pairs whose latency was above --max-latency, with their figures and reason. */
static json_t *
latency_failures_json(const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    json_t *failed = json_array();
    for (guint k = 0; k < v->n_pairs; k++) {
        const struct e2c_load_pair *pair = &v->pairs[k];
        if (!pair->latency_reason)
            continue;
        const struct e2c_pair_seen *seen = &in->seen[pair->receiver * in->n_pub + pair->publisher];
        /* The reason without the "RECEIVER receiving PUBLISHER: " its line starts with. */
        const char *why = strstr(pair->latency_reason, ": ");
        json_array_append_new(failed,
                              json_pack("{s:s, s:s, s:o, s:o, s:s}", "receiver",
                                        in->members[pair->receiver].label, "publisher",
                                        in->members[pair->publisher].label, "latency-ms",
                                        e2c_latency_json(&seen->video.latency), "audio-latency-ms",
                                        e2c_latency_json(&seen->audio.latency), "reason",
                                        why ? why + 2 : pair->latency_reason));
    }
    return failed;
}

static json_t *
observed_json(const struct e2c_load_facts *facts)
{
    json_t *observed = json_array();
    for (guint k = 0; k < facts->n_observed; k++) {
        const struct e2c_load_observed *o = &facts->observed[k];
        json_array_append_new(observed, json_pack("{s:s, s:s, s:s, s:I, s:I}", "receiver",
                                                  o->receiver, "publisher", o->publisher, "state",
                                                  e2c_pair_state_name(o->state), "frames",
                                                  (json_int_t)o->frames_ok, "frames-lost",
                                                  (json_int_t)o->frames_lost));
    }
    return observed;
}

static json_t *
people_json(const struct e2c_load_input *in)
{
    json_t *people = json_array();
    for (guint i = 0; i < in->n; i++) {
        const struct e2c_load_member *mb = &in->members[i];
        json_t *o =
            json_pack("{s:s, s:b, s:i, s:i}", "participant", mb->label, "publisher", mb->publisher,
                      "group", (int)mb->secret_group + 1, "secret-line", (int)mb->secret_line);
        if (!isnan(mb->start_ms))
            json_object_set_new(o, "start-ms", json_real(mb->start_ms));
        if (!isnan(mb->join_ms))
            json_object_set_new(o, "join-ms", json_real(mb->join_ms));
        if (!isnan(mb->first_media_ms))
            json_object_set_new(o, "first-media-ms", json_real(mb->first_media_ms));
        if (mb->error)
            json_object_set_new(o, "error", json_string(mb->error));
        if (mb->impair)
            json_object_set_new(o, "impair", json_string(mb->impair));
        json_array_append_new(people, o);
    }
    return people;
}

json_t *
e2c_load_report_json(const struct e2c_load_input *in, const struct e2c_load_verdict *v,
                     const struct e2c_load_facts *facts)
{
    GArray *joins = timings(in, JOIN), *media = timings(in, FIRST_MEDIA);
    json_t *doc = json_object();
    json_t *groups = json_object();
    for (guint i = 0; i < in->n; i++)
        json_object_set_new(groups, in->members[i].label,
                            json_integer(in->members[i].expected_group + 1));

    json_object_set_new(doc, "event", json_string("load-report"));
    json_object_set_new(doc, "room", json_string(facts->room));
    json_object_set_new(doc, "participants", json_integer(in->n));
    json_object_set_new(doc, "publishers", json_integer(in->n_pub));
    json_object_set_new(doc, "secret-groups", json_integer(facts->n_groups));
    json_object_set_new(doc, "seconds", json_real(facts->seconds));
    json_object_set_new(doc, "matrix", matrix_json(in, v));
    json_object_set_new(doc, "pairs", pairs_json(in, v, facts->seconds));
    json_object_set_new(doc, "observed", observed_json(facts));
    json_object_set_new(doc, "groups", groups);
    json_object_set_new(doc, "max-loss-pct", json_real(in->max_loss_pct));
    json_object_set_new(doc, "max-behind-s", json_real(in->max_behind_s));
    json_object_set_new(doc, "max-freeze-ms",
                        in->quality.max_freeze_ms
                            ? json_integer((json_int_t)in->quality.max_freeze_ms)
                            : json_null());
    json_object_set_new(doc, "max-frozen-pct",
                        in->quality.max_frozen_pct > 0 ? json_real(in->quality.max_frozen_pct)
                                                       : json_null());
    json_object_set_new(doc, "max-latency-ms", e2c_max_latency_json(&in->quality));
    json_object_set_new(doc, "participants-detail", people_json(in));
    json_object_set_new(
        doc, "totals",
        json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:I, s:i, s:i, s:f, s:i}", "frames",
                  (json_int_t)v->frames_ok, "frames-lost", (json_int_t)v->frames_lost, "loss-pct",
                  v->loss_pct, "worst-pair-loss-pct", v->worst_loss_pct, "join-ms-p50",
                  quantile(joins, 0.5), "first-media-ms-p50", quantile(media, 0.5), "cpu-seconds",
                  facts->cpu_s, "rss-kib", (json_int_t)facts->rss_kib, "unexpected-pairs",
                  (int)v->unexpected, "failed-participants", (int)v->failed, "worst-behind-s",
                  v->worst_behind_s, "pairs-behind", (int)v->late));
    json_object_set_new(json_object_get(doc, "totals"), "pairs-frozen-over-limit",
                        json_integer(v->frozen));
    json_object_set_new(json_object_get(doc, "totals"), "pairs-latency-over-limit",
                        json_integer(v->slow));
    if (e2c_quality_figures_on())
        json_object_set_new(doc, "quality", quality_json(in, v));
    json_object_set_new(doc, "quality-failures", quality_failures_json(in, v));
    json_object_set_new(doc, "latency-failures", latency_failures_json(in, v));
    json_object_set_new(doc, "passed", json_boolean(v->exit_status == 0));
    json_object_set_new(doc, "reasons", json_string(v->reasons));
    json_object_set_new(doc, "verdict", json_string(v->summary));
    json_object_set_new(doc, "exit-status", json_integer(v->exit_status));
    if (facts->ts)
        json_object_set_new(doc, "ts", json_string(facts->ts));
    g_array_unref(joins);
    g_array_unref(media);
    return doc;
}

char *
e2c_load_report_json_line(const json_t *report)
{
    return json_dumps(report, JSON_COMPACT | JSON_REAL_PRECISION(6));
}

/* --impair: "impaired p1-p3: loss=5%,dir=recv", one line per run of members with one spec. */
static void
append_impaired(GString *out, const struct e2c_load_input *in)
{
    for (guint i = 0; i < in->n;) {
        const char *spec = in->members[i].impair;
        guint j = i + 1;
        while (j < in->n && g_strcmp0(in->members[j].impair, spec) == 0)
            j++;
        if (spec && j - i > 1)
            g_string_append_printf(out, "impaired %s-%s: %s\n", in->members[i].label,
                                   in->members[j - 1].label, spec);
        else if (spec)
            g_string_append_printf(out, "impaired %s: %s\n", in->members[i].label, spec);
        i = j;
    }
}

static void
append_matrix(GString *out, const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    g_string_append_printf(out, "\n%-8s", "receiver");
    for (guint j = 0; j < in->n_pub; j++)
        g_string_append_printf(out, " %-10s", in->members[j].label);
    g_string_append(out, " group\n");
    for (guint i = 0; i < in->n; i++) {
        g_string_append_printf(out, "%-8s", in->members[i].label);
        for (guint j = 0; j < in->n_pub; j++) {
            const struct e2c_load_pair *pair = e2c_load_verdict_pair(v, in, i, j);
            if (!pair) {
                g_string_append_printf(out, " %-10s", "-");
                continue;
            }
            gchar *cell = g_strdup_printf("%s%s", e2c_pair_state_name(pair->state),
                                          pair->unexpected ? "!" : "");
            g_string_append_printf(out, " %-10s", cell);
            g_free(cell);
        }
        g_string_append_printf(out, " %u\n", in->members[i].expected_group + 1);
    }
}

gchar *
e2c_load_report_text(const struct e2c_load_input *in, const struct e2c_load_verdict *v,
                     const struct e2c_load_facts *facts)
{
    GArray *joins = timings(in, JOIN), *media = timings(in, FIRST_MEDIA);
    double seconds = facts->seconds;
    guint n = in->n;
    GString *out = g_string_new(NULL);

    append_matrix(out, in, v);
    g_string_append_printf(out, "\n%u participants (%u publishing) in %u secret group(s), %.0f s\n",
                           n, in->n_pub, facts->n_groups, seconds);
    g_string_append_printf(out,
                           "frames decrypted %" G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT
                           " (%.3f%%, worst pair %.3f%%, limit %.2f%%)\n",
                           v->frames_ok, v->frames_lost, v->loss_pct, v->worst_loss_pct,
                           in->max_loss_pct);
    g_string_append_printf(out, "behind real time at the end: worst pair %.2f s (limit %.2f s)\n",
                           v->worst_behind_s, in->max_behind_s);
    if (e2c_quality_figures_on())
        append_quality(out, in, v);
    append_quality_limits(out, in, v);
    append_impaired(out, in);
    g_string_append_printf(out, "received %.1f Mbit/s in all\n",
                           seconds > 0 ? v->rtp_bytes * 8 / 1e6 / seconds : 0);
    g_string_append_printf(
        out, "join: p50 %.0f ms, p95 %.0f ms; first media: p50 %.0f ms, p95 %.0f ms\n",
        quantile(joins, 0.5), quantile(joins, 0.95), quantile(media, 0.5), quantile(media, 0.95));
    g_string_append_printf(out,
                           "this process: %.1f CPU s (%.2f CPU s per participant-minute), %ld MiB "
                           "resident (%.1f MiB per participant)\n",
                           facts->cpu_s, seconds > 0 ? facts->cpu_s / n / (seconds / 60) : 0,
                           facts->rss_kib / 1024, facts->rss_kib / 1024.0 / n);
    for (guint i = 0; i < n; i++)
        if (in->members[i].error)
            g_string_append_printf(out, "%s: %s\n", in->members[i].label, in->members[i].error);
    g_string_append(out, v->reasons);
    g_string_append_printf(out, "verdict: %s (exit %d)\n", v->summary, v->exit_status);
    g_array_unref(joins);
    g_array_unref(media);
    return g_string_free(out, FALSE);
}
