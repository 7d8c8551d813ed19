/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The end of a load run: what every receiver saw of every publisher, read
 * from the participants into the verdict's input (load-verdict.h), decided,
 * and printed through load-report.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "call-junit.h"
#include "call-metrics.h"
#include "load-report.h"
#include "load-run.h"
#include "stream-outcomes.h"

static int
publisher_of_feed(struct load *l, guint64 feed)
{
    for (guint j = 0; j < l->n_pub; j++)
        if (l->m[j].p && e2c_participant_id(l->m[j].p) == feed)
            return (int)j;
    return -1;
}

struct collect {
    struct load *l;
    struct e2c_pair_seen *row; /* per publisher */
};

static void
collect_stream(struct collect *c, const struct e2c_stream_outcome *o)
{
    int j = publisher_of_feed(c->l, o->feed);
    if (j >= 0)
        e2c_pair_seen_add(&c->row[j], o);
}

/*
 * Falling behind. Loss is what is missing between frames that arrived; a
 * receiver short of CPU (or behind a stalled router) keeps its backlog in
 * socket buffers and queues instead, and what is still queued when the run
 * ends counts neither as received nor as lost. So, at the end and with
 * everybody still in the call, each receiver's SFrame counter is set
 * against its sender's: under one KID counters count frames from 0, so the
 * difference is the frames sealed but not yet received, and the track's
 * frame rate makes it seconds. Only for publishers in this process. A
 * receiver still on the sender's previous KID (a rotation every ten minutes,
 * or a rekey) is behind by the rest of that KID's frames plus all of the
 * current one's; one further back is not measured.
 */
struct sender_pos {
    guint64 next_ctr;
    double frames_per_s;
};

struct senders {
    struct load *l;
    GHashTable *by_kid; /* guint64 KID -> struct sender_pos */
};

static void
add_position(struct senders *ss, guint64 kid, guint64 next_ctr, double frames_per_s)
{
    struct sender_pos *pos = g_new(struct sender_pos, 1);
    pos->next_ctr = next_ctr;
    pos->frames_per_s = frames_per_s;
    g_hash_table_insert(ss->by_kid, g_memdup2(&kid, sizeof(kid)), pos);
}

static void
note_sender(gpointer user, const struct e2c_send_info *s)
{
    struct senders *ss = user;
    if (!s->e2ee || !s->kid)
        return;
    double frames_per_s =
        g_str_equal(s->track, "audio") ? 1000.0 / E2C_OPUS_FRAME_MS : (double)ss->l->video_fps;
    add_position(ss, s->kid, s->next_ctr, frames_per_s);
    /* Counted as if the previous KID's counter ran on into the current one's. */
    if (s->previous_kid)
        add_position(ss, s->previous_kid, s->previous_next_ctr + s->next_ctr, frames_per_s);
}

static GHashTable *
sender_positions(struct load *l)
{
    struct senders ss = {l, g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free)};
    for (guint j = 0; j < l->n_pub; j++)
        if (l->m[j].p)
            e2c_participant_foreach_send(l->m[j].p, note_sender, &ss);
    return ss.by_kid;
}

struct behind {
    struct collect c;
    GHashTable *senders;
};

static void
behind_stream(gpointer user, const struct e2c_stream_info *s)
{
    struct behind *b = user;
    int j = publisher_of_feed(b->c.l, s->feed);
    const struct sender_pos *pos = g_hash_table_lookup(b->senders, &s->kid);
    if (j < 0 || !pos || pos->frames_per_s <= 0)
        return;
    guint64 frames = pos->next_ctr > s->next_ctr ? pos->next_ctr - s->next_ctr : 0;
    double seconds = frames / pos->frames_per_s;
    if (seconds > b->c.row[j].behind_s)
        b->c.row[j].behind_s = seconds;
}

/* What each receiver saw by the publisher's display name (struct e2c_load_observed). */
struct observe {
    const char *receiver;
    GHashTable *by_publisher; /* display -> struct e2c_pair_seen */
};

static void
observe_stream(struct observe *o, const struct e2c_stream_outcome *s)
{
    const char *who = s->display && *s->display ? s->display : "?";
    struct e2c_pair_seen *a = g_hash_table_lookup(o->by_publisher, who);
    if (!a) {
        a = g_new0(struct e2c_pair_seen, 1);
        g_hash_table_insert(o->by_publisher, g_strdup(who), a);
    }
    e2c_pair_seen_add(a, s);
}

static long
rss_kib(void)
{
    long kib = 0;
    gchar *status = NULL;
    if (g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
        const char *p = strstr(status, "VmRSS:");
        if (p)
            kib = strtol(p + 6, NULL, 10);
        g_free(status);
    }
    return kib;
}

static double
cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double
ms_between(gint64 from_us, gint64 to_us)
{
    return to_us ? (to_us - from_us) / 1000.0 : NAN;
}

/* ---- the --metrics file ------------------------------------------------------------ */

/*
 * Every participant's streams (every record: the counters add up) and sent
 * tracks; with in and v (at the end), the pairs and the verdict too.
 */
static gboolean
write_metrics(struct load *l, const struct e2c_load_input *in, const struct e2c_load_verdict *v)
{
    struct e2c_metrics_participant *ps = g_new0(struct e2c_metrics_participant, l->n);
    GPtrArray *arrays = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    for (guint i = 0; i < l->n; i++) {
        ps[i].name = l->m[i].label;
        if (!l->m[i].p)
            continue; /* not started yet */
        GArray *streams = e2c_participant_outcomes(l->m[i].p);
        GArray *sent = e2c_participant_sent(l->m[i].p);
        ps[i].streams = (const struct e2c_stream_outcome *)(void *)streams->data;
        ps[i].n_streams = streams->len;
        ps[i].sent = (const struct e2c_metrics_sent *)(void *)sent->data;
        ps[i].n_sent = sent->len;
        g_ptr_array_add(arrays, streams);
        g_ptr_array_add(arrays, sent);
    }
    struct e2c_metrics_run run = {
        .command = "load",
        .seconds = (g_get_monotonic_time() - l->start_us) / 1e6,
        .finished = v != NULL,
        .exit_status = v ? v->exit_status : 0,
        .participants = ps,
        .n = l->n,
        .load_in = in,
        .load_v = v,
    };
    gchar *text = e2c_metrics_render(&run);
    gboolean ok = e2c_report_file_write("e2call load", l->report->metrics, text);
    g_free(text);
    g_ptr_array_unref(arrays);
    g_free(ps);
    return ok;
}

static gboolean
metrics_tick(gpointer data)
{
    struct load *l = data;
    if (e2c_run_finished(l->run)) {
        l->metrics_timer = 0;
        return G_SOURCE_REMOVE; /* the end writes the last one, with the verdict */
    }
    write_metrics(l, NULL, NULL); /* a failure is reported; the next tick tries again */
    return G_SOURCE_CONTINUE;
}

void
e2c_load_start_metrics(struct load *l)
{
    if (l->report->metrics && l->report->interval_ms)
        l->metrics_timer = g_timeout_add((guint)l->report->interval_ms, metrics_tick, l);
}

/* The report files at the end. */
static void
write_reports(struct load *l, const struct e2c_load_input *in, const struct e2c_load_verdict *v,
              double elapsed)
{
    g_clear_handle_id(&l->metrics_timer, g_source_remove);
    if (l->report->junit) {
        gchar *text = e2c_load_junit(in, v, elapsed);
        if (!e2c_report_file_write("e2call load", l->report->junit, text))
            l->report_failed = TRUE;
        g_free(text);
    }
    if (l->report->metrics && !write_metrics(l, in, v))
        l->report_failed = TRUE;
}

/* ---- the end --------------------------------------------------------------------- */

int
e2c_load_report(struct load *l)
{
    guint n = l->n, np = l->n_pub;
    double elapsed = (g_get_monotonic_time() - l->start_us) / 1e6;
    struct e2c_load_member *members = g_new0(struct e2c_load_member, n);
    struct e2c_pair_seen *seen = g_new(struct e2c_pair_seen, (gsize)n * np);
    GHashTable *senders = sender_positions(l);
    GArray *observed = g_array_new(FALSE, FALSE, sizeof(struct e2c_load_observed));
    GPtrArray *observations = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref);

    for (guint i = 0; i < n; i++) {
        struct member *mb = &l->m[i];
        members[i] = (struct e2c_load_member){
            .label = mb->label,
            .publisher = mb->publisher,
            .expected_group = l->expected_group[i],
            .secret_group = l->secrets.group_of[i],
            .secret_line = l->secrets.line_of[i],
            .start_ms = mb->started_us ? ms_between(l->start_us, mb->started_us) : NAN,
            .join_ms = ms_between(mb->started_us, mb->joined_us),
            .first_media_ms = ms_between(mb->started_us, mb->first_media_us),
            .failed = mb->failed,
            .err = mb->err,
            .error = mb->error,
            .impair = mb->impair[0] ? mb->impair : NULL,
        };
        struct collect c = {l, &seen[i * np]};
        for (guint j = 0; j < np; j++)
            c.row[j] = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
        if (!mb->p)
            continue;
        /* Once per source: a subscription made again after a reconnect is one stream. */
        GArray *outcomes = e2c_participant_outcomes(mb->p);
        guint n_outcomes = e2c_stream_outcomes_by_source(
            (struct e2c_stream_outcome *)(void *)outcomes->data, outcomes->len);
        for (guint k = 0; k < n_outcomes; k++)
            collect_stream(&c, &g_array_index(outcomes, struct e2c_stream_outcome, k));
        struct behind b = {c, senders};
        e2c_participant_foreach_stream(mb->p, FALSE, behind_stream, &b);

        /* Also of publishers in other processes: what scripts/merge-load-reports joins. */
        struct observe o = {mb->label,
                            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
        for (guint k = 0; k < n_outcomes; k++)
            observe_stream(&o, &g_array_index(outcomes, struct e2c_stream_outcome, k));
        g_array_unref(outcomes);
        GHashTableIter it;
        gpointer key, value;
        g_hash_table_iter_init(&it, o.by_publisher);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            const struct e2c_pair_seen *a = value;
            struct e2c_load_observed ob = {o.receiver, key, e2c_pair_seen_state(a), a->frames_ok,
                                           a->frames_lost};
            g_array_append_val(observed, ob);
        }
        g_ptr_array_add(observations, o.by_publisher);
    }

    struct e2c_load_input in = {
        .n = n,
        .n_pub = np,
        .members = members,
        .seen = seen,
        .router_failed = l->router_failed ? (int)l->router_failed->index : -1,
        .max_loss_pct = l->max_loss,
        .max_behind_s = l->max_behind_s,
        .quality = l->quality,
    };
    struct e2c_load_verdict v;
    e2c_load_verdict_decide(&in, &v);
    char ts[40];
    e2c_events_timestamp(ts, sizeof(ts));
    struct e2c_load_facts facts = {
        .room = l->room_text,
        .n_groups = l->secrets.n_groups,
        .seconds = elapsed,
        .cpu_s = cpu_seconds(),
        .rss_kib = rss_kib(),
        .ts = l->json ? ts : NULL,
        .observed = (const struct e2c_load_observed *)(void *)observed->data,
        .n_observed = observed->len,
    };
    if (l->json) {
        json_t *doc = e2c_load_report_json(&in, &v, &facts);
        char *text = e2c_load_report_json_line(doc);
        printf("%s\n", text);
        fflush(stdout);
        free(text);
        json_decref(doc);
    }
    FILE *out = l->json ? stderr : stdout;
    if (l->tty && !l->json)
        fputc('\n', stderr);
    gchar *text = e2c_load_report_text(&in, &v, &facts);
    fputs(text, out);
    g_free(text);
    write_reports(l, &in, &v, elapsed);
    int status = v.exit_status;
    /* A CI job that asked for a report and got none must not see success. */
    if (status == 0 && l->report_failed)
        status = E2C_EXIT_FAILURE;

    e2c_load_verdict_clear(&v);
    g_ptr_array_unref(observations);
    g_array_unref(observed);
    g_hash_table_destroy(senders);
    g_free(seen);
    g_free(members);
    return status;
}
