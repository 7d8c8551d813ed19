/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call load: N participants in one process, on one main loop, in groups
 * with different secrets, and a verdict on who could decrypt whom.
 *
 * The first P participants publish; the media is encoded once and fanned out
 * to each publisher's own encryptor (its own KIDs). Everybody receives every
 * publisher, authenticating and decrypting every frame (decoding only with
 * --decode). At the end: the decrypt matrix (receiver by publisher), per
 * stream frames, bitrate and loss, per participant join times, and the
 * verdict: exit 0 only when every pair behaved as the secrets imply, loss
 * stayed under --max-loss and no receiver fell more than --max-behind behind
 * real time.
 */
#include <gst/gst.h>
#include <math.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli-util.h"
#include "commands.h"
#include "control-server.h"
#include "e2ckey.h"
#include "errors.h"
#include "events.h"
#include "load-report.h"
#include "load-secrets.h"
#include "option-once.h"
#include "participant.h"
#include "router-args.h"
#include "run-call.h"
#include "selftest.h"
#include "send-media.h"
#include "sframe.h"
#include "stats.h"
#include "stream-outcomes.h"
#include "suite-warning.h"

#define PUBLISHERS_WAIT_MS 15000
#define DEFAULT_MAX_BEHIND_S 1.0

struct member {
    struct load *l;
    struct e2c_participant *p;
    guint index; /* 0-based; shown 1-based as "p<N>" */
    gchar *label;
    gboolean publisher, started, joined, published, left, failed;
    gint64 started_us, joined_us, first_media_us;
    gchar *error;
    enum e2c_error err; /* what made it fail, if it did */
};

struct load {
    struct e2c_run *run;
    struct e2c_events *events; /* JSON lines, or NULL */
    struct e2c_media *media;
    GstElement *source_bin;
    struct e2c_send_source source;
    struct e2c_load_secrets secrets;
    struct member *m;
    guint n, n_pub, next;
    guint ramp_ms;
    gboolean json, tty;
    double max_loss;
    double max_behind_s;
    guint video_fps;
    guint rekey_every_s, next_group;
    gboolean rekeying; /* a --rekey-every derivation, at most one at a time */
    struct e2c_stats_sampler *sampler, *control_sampler;
    gint64 start_us;
    gint64 pub_wait_us; /* since when receivers wait for the publishers */
    guint ramp_timer, progress_timer, rekey_timer;
    guint left_count;
    gchar *room_text;
    guint *expected_group; /* participant -> group the user expects (default: from secrets) */
    /*
     * The first participant the router failed (unreachable, refused, lost
     * for good, the room destroyed): the run ends there, and no matrix can
     * say more than that error.
     */
    struct member *router_failed;
    guint failure_idle;
    int status;
};

/* ---- what participants tell us ----------------------------------------------- */

static void
on_event(gpointer user, struct e2c_participant *p, const json_t *e)
{
    struct member *mb = user;
    const char *name = json_string_value(json_object_get(e, "event"));
    gint64 now = g_get_monotonic_time();
    if (!g_strcmp0(name, "joined")) {
        mb->joined = TRUE;
        if (!mb->joined_us) /* the first join: a rejoin after losing the router is not one */
            mb->joined_us = now;
    }
    else if (!g_strcmp0(name, "published"))
        mb->published = TRUE;
    else if (!g_strcmp0(name, "media-flowing") && !mb->first_media_us)
        mb->first_media_us = now;
}

static gboolean
end_after_failure(gpointer data)
{
    struct load *l = data;
    l->failure_idle = 0;
    e2c_run_finish(l->run, "error");
    return G_SOURCE_REMOVE;
}

static void
on_failed(gpointer user, struct e2c_participant *p, enum e2c_error err, const char *message)
{
    struct member *mb = user;
    struct load *l = mb->l;
    mb->failed = TRUE;
    mb->err = err;
    g_free(mb->error);
    mb->error = g_strdup_printf("%s: %s", e2c_error_name(err), message);
    if (!l->json)
        fprintf(stderr, "%se2call load: %s: %s\n", l->tty ? "\n" : "", mb->label, mb->error);
    /* Not from inside the participant's own failure: the report reads every participant. */
    if (err == E2C_ERR_CONNECT_FAILED && !l->router_failed && !e2c_run_finished(l->run)) {
        l->router_failed = mb;
        l->failure_idle = g_idle_add(end_after_failure, l);
    }
}

static void
on_left(gpointer user, struct e2c_participant *p)
{
    struct member *mb = user;
    struct load *l = mb->l;
    mb->left = TRUE;
    if (++l->left_count == l->next && e2c_run_finished(l->run))
        e2c_run_quit(l->run);
}

/* ---- the report ---------------------------------------------------------------- */

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
collect_stream(gpointer user, const struct e2c_stream_info *s)
{
    struct collect *c = user;
    int j = publisher_of_feed(c->l, s->feed);
    if (j < 0)
        return;
    struct e2c_stream_outcome o;
    e2c_stream_outcome_from_info(s, &o);
    e2c_pair_seen_add(&c->row[j], &o);
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
observe_stream(gpointer user, const struct e2c_stream_info *s)
{
    struct observe *o = user;
    const char *who = s->display && *s->display ? s->display : "?";
    struct e2c_pair_seen *a = g_hash_table_lookup(o->by_publisher, who);
    if (!a) {
        a = g_new0(struct e2c_pair_seen, 1);
        g_hash_table_insert(o->by_publisher, g_strdup(who), a);
    }
    struct e2c_stream_outcome out;
    e2c_stream_outcome_from_info(s, &out);
    e2c_pair_seen_add(a, &out);
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

/* Prints the report and returns the exit status. */
static int
report(struct load *l)
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
        };
        struct collect c = {l, &seen[i * np]};
        for (guint j = 0; j < np; j++)
            c.row[j] = (struct e2c_pair_seen)E2C_PAIR_SEEN_INIT;
        if (!mb->p)
            continue;
        e2c_participant_foreach_stream(mb->p, TRUE, collect_stream, &c);
        struct behind b = {c, senders};
        e2c_participant_foreach_stream(mb->p, FALSE, behind_stream, &b);

        /* Also of publishers in other processes: what scripts/merge-load-reports joins. */
        struct observe o = {mb->label,
                            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
        e2c_participant_foreach_stream(mb->p, TRUE, observe_stream, &o);
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
    int status = v.exit_status;

    e2c_load_verdict_clear(&v);
    g_ptr_array_unref(observations);
    g_array_unref(observed);
    g_hash_table_destroy(senders);
    g_free(seen);
    g_free(members);
    return status;
}

/* ---- while it runs ------------------------------------------------------------------ */

struct totals {
    guint streams, ok_streams, mismatched;
    guint64 frames, lost;
    double kbps;
};

static void
total_stream(gpointer user, const struct e2c_stream_info *s)
{
    struct totals *t = user;
    t->streams++;
    t->ok_streams += s->verified && !s->mismatch_now;
    t->mismatched += s->mismatch_now;
    t->frames += s->frames_ok;
    t->lost += s->frames_lost;
}

static void
totals_of(struct load *l, struct totals *t, json_t *streams)
{
    memset(t, 0, sizeof(*t));
    for (guint i = 0; i < l->next; i++) {
        if (!l->m[i].p)
            continue;
        e2c_participant_foreach_stream(l->m[i].p, FALSE, total_stream, t);
        json_t *a = json_array();
        e2c_stats_sample(l->sampler, l->m[i].p, a);
        size_t k;
        json_t *o;
        json_array_foreach(a, k, o) t->kbps += json_real_value(json_object_get(o, "bitrate-kbps"));
        if (streams)
            json_array_extend(streams, a);
        json_decref(a);
    }
}

static guint
count(struct load *l, gboolean (*pred)(const struct member *))
{
    guint n = 0;
    for (guint i = 0; i < l->n; i++)
        n += pred(&l->m[i]);
    return n;
}

static gboolean
is_joined(const struct member *m)
{
    return m->joined && !m->left;
}

static gboolean
is_publishing(const struct member *m)
{
    return m->published && !m->left;
}

static gboolean
on_progress(gpointer data)
{
    struct load *l = data;
    struct totals t;
    totals_of(l, &t, NULL);
    fprintf(stderr,
            "\r[%4.0fs] joined %u/%u  publishing %u/%u  streams ok %u/%u  mismatch %u  rx %.1f "
            "Mbit/s  loss %.2f%%   ",
            (g_get_monotonic_time() - l->start_us) / 1e6, count(l, is_joined), l->n,
            count(l, is_publishing), l->n_pub, t.ok_streams, t.streams, t.mismatched,
            t.kbps / 1000, t.frames + t.lost ? 100.0 * t.lost / (t.frames + t.lost) : 0);
    return G_SOURCE_CONTINUE;
}

static void
on_stats(gpointer data)
{
    struct load *l = data;
    struct totals t;
    totals_of(l, &t, NULL);
    json_t *e = e2c_event_new("stats");
    json_object_set_new(e, "joined", json_integer(count(l, is_joined)));
    json_object_set_new(e, "publishing", json_integer(count(l, is_publishing)));
    json_object_set_new(e, "streams", json_integer(t.streams));
    json_object_set_new(e, "streams-ok", json_integer(t.ok_streams));
    json_object_set_new(e, "streams-mismatched", json_integer(t.mismatched));
    json_object_set_new(e, "kbps", json_real(t.kbps));
    json_object_set_new(e, "frames", json_integer((json_int_t)t.frames));
    json_object_set_new(e, "frames-lost", json_integer((json_int_t)t.lost));
    e2c_events_emit(l->events, e);
}

static void
start_next(struct load *l)
{
    struct member *mb = &l->m[l->next++];
    mb->started = TRUE;
    mb->started_us = g_get_monotonic_time();
    e2c_participant_start(mb->p);
}

/* Every publisher publishes, failed or left. */
static gboolean
publishers_settled(const struct load *l)
{
    for (guint i = 0; i < l->n_pub; i++)
        if (!l->m[i].published && !l->m[i].failed && !l->m[i].left)
            return FALSE;
    return TRUE;
}

/*
 * Receivers join once the publishers publish: each then receives all of them
 * through one subscription (one PeerConnection) instead of one per publisher
 * that came late. A publisher slower than PUBLISHERS_WAIT_MS holds nobody up.
 */
static gboolean
waiting_for_publishers(struct load *l)
{
    if (l->next != l->n_pub || l->n_pub == 0 || publishers_settled(l))
        return FALSE;
    gint64 now = g_get_monotonic_time();
    if (!l->pub_wait_us)
        l->pub_wait_us = now;
    return now - l->pub_wait_us < PUBLISHERS_WAIT_MS * 1000;
}

static gboolean
on_ramp(gpointer data)
{
    struct load *l = data;
    if (l->next < l->n && !e2c_run_finished(l->run) && !waiting_for_publishers(l))
        start_next(l);
    if (l->next < l->n && !e2c_run_finished(l->run))
        return G_SOURCE_CONTINUE;
    l->ramp_timer = 0;
    return G_SOURCE_REMOVE;
}

/* The end of the run (once): the report, then everybody leaves. */
static void
finish(gpointer call, const char *reason)
{
    struct load *l = call;
    l->status = report(l);
    if (l->ramp_timer)
        g_source_remove(l->ramp_timer), l->ramp_timer = 0;
    for (guint i = 0; i < l->next; i++)
        e2c_participant_leave(l->m[i].p, reason);
    if (l->left_count == l->next)
        e2c_run_quit(l->run);
}

/* ---- --rekey-every: one secret group at a time, as the control socket would ------ */

struct rekey_job {
    struct load *l;
    guint group;
};

static void
rekey_done(GObject *source, GAsyncResult *result, gpointer data)
{
    struct rekey_job *r = data;
    struct load *l = r->l;
    GError *error = NULL;
    E2cKey *key = e2c_key_derive_finish(result, &error);
    l->rekeying = FALSE;
    if (key && !e2c_run_finished(l->run)) {
        guint members = 0;
        for (guint i = 0; i < l->n; i++) {
            if (l->secrets.group_of[i] != r->group)
                continue;
            /* The same path as `e2call rekey`: receive at once, send after the delay. */
            e2c_participant_set_key(l->m[i].p, key);
            members++;
        }
        e2c_key_unref(l->secrets.group_key[r->group]);
        l->secrets.group_key[r->group] = e2c_key_ref(key);
        json_t *e = e2c_event_new("rekeyed");
        json_object_set_new(e, "group", json_integer(r->group + 1));
        json_object_set_new(e, "participants", json_integer(members));
        e2c_events_emit(l->events, e);
    } else if (!key) {
        fprintf(stderr, "e2call load: rekey of group %u failed: %s\n", r->group + 1,
                error->message);
    }
    if (key)
        e2c_key_unref(key);
    g_clear_error(&error);
    g_free(r);
}

/* A fresh random secret: 32 characters from 62, about 190 bits. */
static gboolean
random_secret(struct e2c_secret *secret)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char raw[32];
    char text[33];
    gboolean ok = FALSE;
    if (RAND_bytes(raw, sizeof(raw)) == 1) {
        for (unsigned i = 0; i < sizeof(raw); i++)
            text[i] = alphabet[raw[i] % 62];
        text[32] = 0;
        ok = e2c_secret_set(secret, text, 32, 0) == E2C_SECRET_OK;
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(text, sizeof(text));
    return ok;
}

static void
rekey_group(struct load *l, guint group)
{
    struct e2c_secret secret = {0};
    if (!random_secret(&secret)) {
        fprintf(stderr, "e2call load: rekey of group %u failed: no random secret\n", group + 1);
        e2c_secret_clear(&secret);
        return;
    }
    struct rekey_job *r = g_new0(struct rekey_job, 1);
    r->l = l;
    r->group = group;
    l->rekeying = TRUE;
    e2c_key_derive_async(&secret, l->room_text, NULL, rekey_done, r);
}

static gboolean
on_rekey_timer(gpointer data)
{
    struct load *l = data;
    if (l->rekeying || e2c_run_finished(l->run) || l->secrets.n_groups == 0)
        return G_SOURCE_CONTINUE;
    /* The next group that has members. */
    for (guint k = 0; k < l->secrets.n_groups; k++) {
        guint g = (l->next_group + k) % l->secrets.n_groups;
        gboolean used = FALSE;
        for (guint i = 0; i < l->n && !used; i++)
            used = l->secrets.group_of[i] == g;
        if (used) {
            l->next_group = g + 1;
            rekey_group(l, g);
            break;
        }
    }
    return G_SOURCE_CONTINUE;
}

/* ---- the control socket -------------------------------------------------------------- */

static void
op_rekey(gpointer user, struct e2c_secret *secret, E2cControlDone done, gpointer done_data)
{
    e2c_secret_clear(secret);
    GError *error = g_error_new(E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                                "a load run holds many secret groups: it rekeys them itself "
                                "(--rekey-every)");
    done(done_data, error);
    g_error_free(error);
}

static json_t *
op_status(gpointer user)
{
    struct load *l = user;
    json_t *streams = json_array();
    for (guint i = 0; i < l->next; i++)
        e2c_participant_status_json(l->m[i].p, streams);
    return json_pack("{s:s, s:b, s:i, s:i, s:i, s:o}", "room", l->room_text, "e2ee", 1,
                     "participants", (int)l->n, "joined", (int)count(l, is_joined),
                     "publishers", (int)l->n_pub, "streams", streams);
}

static json_t *
op_stats(gpointer user)
{
    struct load *l = user;
    json_t *streams = json_array();
    for (guint i = 0; i < l->next; i++)
        e2c_stats_sample(l->control_sampler, l->m[i].p, streams);
    return json_pack("{s:o}", "streams", streams);
}

static void
op_leave(gpointer user)
{
    struct load *l = user;
    e2c_run_finish(l->run, "control");
}

static const struct e2c_control_ops load_ops = {op_rekey, op_status, op_stats, op_leave};

/* "PARTICIPANT GROUP" lines; participants not listed keep the group their secret implies. */
static gboolean
read_expected_groups(struct load *l, const char *file)
{
    gchar *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(file, &text, NULL, &error)) {
        fprintf(stderr, "e2call load: cannot read --expect-groups '%s': %s\n", file,
                error->message);
        g_error_free(error);
        return FALSE;
    }
    gchar **rows = g_strsplit(text, "\n", -1);
    gboolean ok = TRUE;
    for (guint r = 0; rows[r] && ok; r++) {
        gchar *row = g_strstrip(rows[r]);
        if (!*row || row[0] == '#')
            continue;
        guint64 who, group;
        gchar **f = g_strsplit_set(row, " \t", 2);
        ok = f[0] && f[1] && g_ascii_string_to_unsigned(f[0], 10, 1, l->n, &who, NULL) &&
             g_ascii_string_to_unsigned(g_strstrip(f[1]), 10, 1, G_MAXUINT, &group, NULL);
        if (ok)
            l->expected_group[who - 1] = (guint)group - 1;
        else
            fprintf(stderr, "e2call load: --expect-groups line %u: expected 'PARTICIPANT GROUP' "
                            "with PARTICIPANT 1-%u\n",
                    r + 1, l->n);
        g_strfreev(f);
    }
    g_strfreev(rows);
    g_free(text);
    return ok;
}

/* e2c_send_source_build() reports a missing element or codec with these codes. */
static gboolean
is_unsupported(const GError *error)
{
    return g_error_matches(error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN) ||
           g_error_matches(error, GST_CORE_ERROR, GST_CORE_ERROR_NOT_IMPLEMENTED);
}

/* ---- the command ---------------------------------------------------------------------- */

static const char *summary =
    "Runs N participants in one process, joining at R per second: the first P publish (one\n"
    "encoder, a KID per publisher), everybody receives every publisher and decrypts every\n"
    "frame. Secrets come from FILE, one per line, round-robin (or --assign); participants\n"
    "with equal secrets form a group. At the end it prints the decrypt matrix and exits 0\n"
    "only when every pair behaved as the secrets imply (same group: decrypted; different:\n"
    "mismatch), loss stayed under --max-loss and no receiver fell more than --max-behind\n"
    "behind real time; 11 when the matrix differs, 12 when loss was too high or a receiver\n"
    "fell behind, else the statuses of e2call(1).";

int
e2c_cmd_load(int argc, char **argv)
{
    gchar *server = NULL, *room = NULL, *secrets = NULL, *assign = NULL, *duration = NULL;
    gchar *ramp = NULL, *max_loss = NULL, *max_behind = NULL, *rekey_every = NULL, *video = NULL;
    gchar *suite = NULL, *control = NULL, *rekey_delay = NULL, *expect_groups = NULL;
    gint participants = 0, publishers = G_MININT /* not given */;
    gint width = 320, height = 240, fps = 15;
    gint video_kbps = 300, stats_interval = 5, latency = 50, index = 0;
    gboolean json = FALSE, decode = FALSE, no_audio = FALSE, no_control = FALSE;
    struct e2c_router_args router_args = {0};
    struct e2c_router_access access = {0};
    GOptionEntry router_entries[E2C_ROUTER_ARGS_ENTRIES];
    e2c_router_args_entries(&router_args, E2C_ROUTER_ARGS_JOIN, router_entries);
    GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &server,
         "Janus WebSocket URL (default: $E2CALL_SERVER)", "URL"},
        {"room", 'r', 0, G_OPTION_ARG_STRING, &room, "Room id (required)", "ID"},
        {"participants", 'n', 0, G_OPTION_ARG_INT, &participants,
         "Number of participants (required, 1-1000)", "N"},
        {"publishers", 'p', 0, G_OPTION_ARG_INT, &publishers,
         "How many of them publish (default: min(4, N))", "P"},
        {"secrets", 0, 0, G_OPTION_ARG_FILENAME, &secrets,
         "Secrets, one per line, assigned round-robin (required)", "FILE"},
        {"assign", 0, 0, G_OPTION_ARG_FILENAME, &assign,
         "Explicit assignment: lines 'PARTICIPANT LINE' (1-based); others round-robin", "FILE"},
        {"duration", 't', 0, G_OPTION_ARG_STRING, &duration, "Run for D (default 60s)", "D"},
        {"ramp", 0, 0, G_OPTION_ARG_STRING, &ramp, "Joins per second (default 5)", "R"},
        {"max-loss", 0, 0, G_OPTION_ARG_STRING, &max_loss,
         "Largest frame loss allowed per pair (receiver, publisher), in percent (default 1)", "PCT"},
        {"max-behind", 0, 0, G_OPTION_ARG_STRING, &max_behind,
         "Largest backlog allowed per pair at the end: frames a publisher of this process sent "
         "that its receiver has not yet received, as time (default 1s)",
         "D"},
        {"index", 0, 0, G_OPTION_ARG_INT, &index,
         "This process's index when one run spans several processes or machines (default 0): "
         "participants are named k<INDEX>-p<N> (p<N> for index 0) and take secrets from where the "
         "previous index's left off; merge the --json reports with scripts/merge-load-reports",
         "K"},
        {"expect-groups", 0, 0, G_OPTION_ARG_FILENAME, &expect_groups,
         "Expected groups, lines 'PARTICIPANT GROUP' (1-based), checked instead of the groups the "
         "secrets imply",
         "FILE"},
        {"rekey-every", 0, 0, G_OPTION_ARG_STRING, &rekey_every,
         "Rekey one secret group at a time, every D (default: never)", "D"},
        {"rekey-delay", 0, 0, G_OPTION_ARG_STRING, &rekey_delay,
         "Switch delay after a rekey (default 2s)", "D"},
        {"decode", 0, 0, G_OPTION_ARG_NONE, &decode,
         "Also decode every received stream (default: decrypt and authenticate only)", NULL},
        {"video", 0, 0, G_OPTION_ARG_STRING, &video, "vp8 (default), vp9, h264 or none", "CODEC"},
        {"no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "Publish no audio", NULL},
        {"width", 0, 0, G_OPTION_ARG_INT, &width, "Video width (default 320)", "PIXELS"},
        {"height", 0, 0, G_OPTION_ARG_INT, &height, "Video height (default 240)", "PIXELS"},
        {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frame rate (default 15)", "N"},
        {"video-bitrate", 0, 0, G_OPTION_ARG_INT, &video_kbps, "Video bitrate (default 300)",
         "KBIT/S"},
        {"cipher-suite", 0, 0, G_OPTION_ARG_STRING, &suite, "SFrame cipher suite (default 6)",
         "SUITE"},
        {"latency", 0, 0, G_OPTION_ARG_INT, &latency, "Jitter buffer in ms (default 50)", "MS"},
        {"stats-interval", 0, 0, G_OPTION_ARG_INT, &stats_interval,
         "Seconds between stats lines with --json (default 5; 0: none)", "S"},
        {"control", 'c', 0, G_OPTION_ARG_FILENAME, &control,
         "Serve the control socket (status, stats, leave) at PATH", "PATH"},
        {"no-control", 0, 0, G_OPTION_ARG_NONE, &no_control, "Serve no control socket", NULL},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json,
         "Stats and the final report as JSON lines on standard output", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- many participants with distinct secrets");
    g_option_context_set_main_group(ctx, e2c_option_group_once(NULL, NULL, NULL, entries));
    g_option_context_add_group(
        ctx, e2c_option_group_once("router", "Router access (API secret, token, room PIN, CA):",
                                   "Show the router access options", router_entries));
    g_option_context_add_group(ctx, gst_init_get_option_group());
    g_option_context_set_summary(ctx, summary);
    GError *error = NULL;
    int status = E2C_EXIT_USAGE;
    struct load l = {0};
    guint64 room_id = 0, duration_ms = 60000, rekey_ms = 0, delay_ms = 2000;
    double ramp_rate = 5, loss_limit = 1, behind_limit = DEFAULT_MAX_BEHIND_S;
    uint16_t suite_id = SFRAME_DEFAULT_SUITE;
    enum e2c_codec vcodec = E2C_CODEC_VP8;

    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call load: %s\n", error->message);
        goto out;
    }
    const char *url = e2c_server_url(server);
    if (argc > 1) {
        fprintf(stderr, "e2call load: unexpected argument '%s'\n", argv[1]);
        goto out;
    }
    if (!url || (!g_str_has_prefix(url, "ws://") && !g_str_has_prefix(url, "wss://"))) {
        fprintf(stderr, "e2call load: give --server ws://... (or set E2CALL_SERVER)\n");
        goto out;
    }
    if (!room || !e2c_parse_uint(room, 1, G_MAXINT64, &room_id)) {
        fprintf(stderr, "e2call load: give --room with a room number\n");
        goto out;
    }
    if (participants < 1 || participants > 1000) {
        fprintf(stderr, "e2call load: --participants must be 1-1000\n");
        goto out;
    }
    if (publishers == G_MININT)
        publishers = MIN(4, participants);
    if (publishers < 0) {
        fprintf(stderr, "e2call load: --publishers must be 0 or more\n");
        goto out;
    }
    if (publishers > participants) {
        fprintf(stderr, "e2call load: --publishers cannot exceed --participants\n");
        goto out;
    }
    if (!secrets) {
        fprintf(stderr, "e2call load: give --secrets FILE (one secret per line)\n");
        goto out;
    }
    if (duration && !e2c_parse_duration_ms(duration, &duration_ms)) {
        fprintf(stderr, "e2call load: --duration takes a time such as 60s or 2m (at most " E2C_DURATION_MAX_TEXT ")\n");
        goto out;
    }
    if (duration && !duration_ms) {
        fprintf(stderr, "e2call load: --duration must be more than 0\n");
        goto out;
    }
    if (ramp) {
        char *end = NULL;
        ramp_rate = g_ascii_strtod(ramp, &end);
        if (!end || *end || !(ramp_rate > 0 && ramp_rate <= 100)) {
            fprintf(stderr, "e2call load: --ramp takes joins per second, more than 0 up to 100\n");
            goto out;
        }
    }
    if (max_loss) {
        char *end = NULL;
        loss_limit = g_ascii_strtod(max_loss, &end);
        if (!end || *end || !(loss_limit >= 0 && loss_limit <= 100)) {
            fprintf(stderr, "e2call load: --max-loss takes a percentage from 0 to 100\n");
            goto out;
        }
    }
    if (max_behind) {
        guint64 ms = 0;
        if (!e2c_parse_duration_ms(max_behind, &ms)) {
            fprintf(stderr, "e2call load: --max-behind takes a time such as 1s or 500ms (at "
                            "most " E2C_DURATION_MAX_TEXT ")\n");
            goto out;
        }
        if (!ms) {
            fprintf(stderr, "e2call load: --max-behind must be more than 0\n");
            goto out;
        }
        behind_limit = ms / 1000.0;
    }
    if (rekey_every && (!e2c_parse_duration_ms(rekey_every, &rekey_ms) || rekey_ms < 1000)) {
        fprintf(stderr, "e2call load: --rekey-every takes a time from 1s up to " E2C_DURATION_MAX_TEXT "\n");
        goto out;
    }
    if (rekey_delay && !e2c_parse_duration_ms(rekey_delay, &delay_ms)) {
        fprintf(stderr, "e2call load: --rekey-delay takes a time such as 2s or 0 (at most " E2C_DURATION_MAX_TEXT ")\n");
        goto out;
    }
    if (video) {
        vcodec = g_ascii_strcasecmp(video, "none") == 0 ? E2C_CODEC_NONE
                                                         : e2c_codec_from_name(video);
        if ((vcodec == E2C_CODEC_NONE && g_ascii_strcasecmp(video, "none")) ||
            vcodec == E2C_CODEC_OPUS) {
            fprintf(stderr, "e2call load: --video must be vp8, vp9, h264 or none\n");
            goto out;
        }
    }
    if (suite && sframe_suite_parse(suite, &suite_id) != SFRAME_OK) {
        fprintf(stderr, "e2call load: --cipher-suite must be 1-8 or a suite name\n");
        goto out;
    }
    if (width < 160 || width > 3840 || height < 120 || height > 2160 || width % 2 || height % 2) {
        fprintf(stderr, "e2call load: --width must be 160-3840 and --height 120-2160, both even\n");
        goto out;
    }
    if (fps < 1 || fps > 60 || video_kbps < 50 || video_kbps > 20000) {
        fprintf(stderr, "e2call load: --fps must be 1-60 and --video-bitrate 50-20000\n");
        goto out;
    }
    if (latency < 0 || latency > 5000 || stats_interval < 0 || stats_interval > 3600) {
        fprintf(stderr, "e2call load: --latency must be 0-5000 and --stats-interval 0-3600\n");
        goto out;
    }
    if (control && no_control) {
        fprintf(stderr, "e2call load: --control and --no-control contradict each other\n");
        goto out;
    }
    if (index < 0 || index > 100000) {
        fprintf(stderr, "e2call load: --index must be 0-100000\n");
        goto out;
    }
    if ((status = e2c_router_args_read(&router_args, "e2call load", &access)) != 0)
        goto out;
    e2c_router_warn_cleartext("e2call load", url, &access, json);
    e2c_cli_warn_short_tags("e2call load", suite_id);

    gst_init(NULL, NULL);
    e2c_selftest_register_plugin();
    l.room_text = g_strdup_printf("%" G_GUINT64_FORMAT, room_id);
    /* Keys first (one PBKDF2 per distinct secret), so no secret outlives this call. */
    if ((status = e2c_load_secrets_read(&l.secrets, secrets, assign, (guint)participants,
                                        (guint)index * (guint)participants, l.room_text)) != 0)
        goto out;
    l.n = (guint)participants;
    l.expected_group = g_new(guint, l.n);
    for (guint i = 0; i < l.n; i++)
        l.expected_group[i] = l.secrets.group_of[i];
    if (expect_groups && !read_expected_groups(&l, expect_groups)) {
        status = E2C_EXIT_USAGE;
        e2c_load_secrets_clear(&l.secrets);
        goto out;
    }
    GThread *warm_up = e2c_warm_up_dtls();

    struct e2c_run_config run_cfg = {"e2call load", duration_ms, json ? (guint)stats_interval : 0};
    static const struct e2c_run_hooks hooks = {finish, on_stats};
    l.run = e2c_run_new(&run_cfg, &hooks, &l);
    l.json = json;
    l.tty = isatty(STDERR_FILENO) && !json;
    l.events = json ? e2c_events_new(stdout, NULL) : NULL;
    l.media = e2c_media_new();
    l.n = (guint)participants;
    l.n_pub = (guint)publishers;
    l.max_loss = loss_limit;
    l.max_behind_s = behind_limit;
    l.video_fps = (guint)fps;
    l.sampler = e2c_stats_sampler_new();
    l.control_sampler = e2c_stats_sampler_new();
    l.m = g_new0(struct member, l.n);

    struct e2c_media_config media = {vcodec, no_audio ? E2C_CODEC_NONE : E2C_CODEC_OPUS,
                                     (guint)width, (guint)height, (guint)fps, (guint)video_kbps,
                                     32, 10, NULL};
    if (l.n_pub > 0) {
        l.source_bin = gst_bin_new("shared-source");
        if (!e2c_send_source_build(GST_BIN(l.source_bin), &media, &l.source, &error)) {
            fprintf(stderr, "e2call load: %s\n", error->message);
            gst_object_unref(gst_object_ref_sink(l.source_bin));
            l.source_bin = NULL;
            status = is_unsupported(error) ? E2C_EXIT_UNSUPPORTED : E2C_EXIT_FAILURE;
            goto teardown;
        }
        e2c_media_add(l.media, l.source_bin);
    }
    for (guint i = 0; i < l.n; i++) {
        struct member *mb = &l.m[i];
        mb->l = &l;
        mb->index = i;
        mb->publisher = i < l.n_pub;
        mb->label = index ? g_strdup_printf("k%d-p%u", index, i + 1) : g_strdup_printf("p%u", i + 1);
        struct e2c_participant_config cfg = {0};
        cfg.server = url;
        cfg.room = room_id;
        cfg.display = mb->label;
        cfg.label = mb->label;
        cfg.publish = mb->publisher;
        cfg.subscribe = TRUE;
        cfg.media = media;
        cfg.crypto.e2ee = TRUE;
        cfg.crypto.key = l.secrets.group_key[l.secrets.group_of[i]];
        cfg.crypto.room = l.room_text;
        cfg.crypto.cipher_suite = suite_id;
        cfg.crypto.switch_delay_ms = (guint)delay_ms;
        cfg.crypto.grace_ms = e2c_grace_for_delay((guint)delay_ms);
        cfg.latency_ms = (guint)latency;
        cfg.no_decode = !decode;
        cfg.shared_subscriptions = TRUE;
        cfg.connect_timeout_ms = 10000;
        cfg.reconnect_attempts = 10;
        cfg.ca_file = access.ca_file;
        cfg.api_secret = access.api_secret;
        cfg.token = access.token;
        cfg.room_pin = access.pin;
        struct e2c_participant_callbacks cb = {on_failed, on_left, NULL, on_event};
        mb->p = e2c_participant_new(&cfg, l.media, mb->publisher ? &l.source : NULL, l.events,
                                    &cb, mb);
    }
    if (!no_control) {
        if (!e2c_run_serve_control(l.run, control, &load_ops, &l, &error)) {
            fprintf(stderr, "e2call load: control socket: %s\n", error->message);
            status = E2C_EXIT_USAGE;
            goto teardown;
        }
        if (json) {
            json_t *e = e2c_event_new("control");
            json_object_set_new(e, "path", json_string(e2c_run_control_path(l.run)));
            e2c_events_emit(l.events, e);
        } else {
            fprintf(stderr, "e2call load: control socket %s\n", e2c_run_control_path(l.run));
        }
    }
    if (!json)
        fprintf(stderr, "e2call load: %u participants (%u publishing), %u secret group(s), room "
                        "%s, %.0f s\n",
                l.n, l.n_pub, l.secrets.n_groups, l.room_text, duration_ms / 1000.0);

    l.start_us = g_get_monotonic_time();
    l.ramp_ms = (guint)(1000.0 / ramp_rate);
    start_next(&l);
    if (l.next < l.n)
        l.ramp_timer = g_timeout_add(MAX(l.ramp_ms, 1u), on_ramp, &l);
    if (l.tty)
        l.progress_timer = g_timeout_add_seconds(1, on_progress, &l);
    if (rekey_ms)
        l.rekey_timer = g_timeout_add((guint)rekey_ms, on_rekey_timer, &l);

    e2c_run_loop(l.run);
    status = l.status;

    guint *timers[] = {&l.ramp_timer, &l.progress_timer, &l.rekey_timer, &l.failure_idle};
    for (unsigned t = 0; t < G_N_ELEMENTS(timers); t++)
        if (*timers[t])
            g_source_remove(*timers[t]);
    while (l.rekeying)
        g_main_context_iteration(NULL, TRUE);
teardown:
    g_thread_join(warm_up);
    for (guint i = 0; i < l.n; i++) {
        e2c_participant_free(l.m[i].p);
        g_free(l.m[i].label);
        g_free(l.m[i].error);
    }
    g_free(l.m);
    if (l.source_bin)
        e2c_media_remove(l.media, l.source_bin);
    e2c_media_free(l.media);
    e2c_events_free(l.events);
    e2c_stats_sampler_free(l.sampler);
    e2c_stats_sampler_free(l.control_sampler);
    e2c_run_free(l.run);
    e2c_load_secrets_clear(&l.secrets);
out:
    e2c_router_access_clear(&access);
    e2c_router_args_clear(&router_args);
    g_free(l.expected_group);
    g_free(l.room_text);
    g_option_context_free(ctx);
    g_clear_error(&error);
    g_free(server);
    g_free(room);
    g_free(secrets);
    g_free(assign);
    g_free(duration);
    g_free(ramp);
    g_free(max_loss);
    g_free(max_behind);
    g_free(rekey_every);
    g_free(rekey_delay);
    g_free(video);
    g_free(suite);
    g_free(control);
    g_free(expect_groups);
    return status;
}
