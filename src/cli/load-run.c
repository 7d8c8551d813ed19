/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A load run while it runs: what participants tell it, the ramp (receivers
 * wait for the publishers), the progress line and stats, the end, one
 * secret group rekeyed at a time (--rekey-every), and the control socket.
 */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "e2ckey.h"
#include "load-run.h"

#define PUBLISHERS_WAIT_MS 15000

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
    } else if (!g_strcmp0(name, "published"))
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
            count(l, is_publishing), l->n_pub, t.ok_streams, t.streams, t.mismatched, t.kbps / 1000,
            t.frames + t.lost ? 100.0 * t.lost / (t.frames + t.lost) : 0);
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
    l->status = e2c_load_report(l);
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
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
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
                     "participants", (int)l->n, "joined", (int)count(l, is_joined), "publishers",
                     (int)l->n_pub, "streams", streams);
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

const struct e2c_control_ops e2c_load_control_ops = {op_rekey, op_status, op_stats, op_leave};
const struct e2c_participant_callbacks e2c_load_participant_callbacks = {on_failed, on_left, NULL,
                                                                         on_event};
const struct e2c_run_hooks e2c_load_run_hooks = {finish, on_stats};

/* ---- start and stop ------------------------------------------------------------------ */

void
e2c_load_start(struct load *l, double joins_per_s, guint64 rekey_ms)
{
    l->start_us = g_get_monotonic_time();
    l->ramp_ms = (guint)(1000.0 / joins_per_s);
    start_next(l);
    if (l->next < l->n)
        l->ramp_timer = g_timeout_add(MAX(l->ramp_ms, 1u), on_ramp, l);
    if (l->tty)
        l->progress_timer = g_timeout_add_seconds(1, on_progress, l);
    if (rekey_ms)
        l->rekey_timer = g_timeout_add((guint)rekey_ms, on_rekey_timer, l);
    e2c_load_start_metrics(l);
}

void
e2c_load_stop(struct load *l)
{
    guint *timers[] = {&l->ramp_timer, &l->progress_timer, &l->rekey_timer, &l->failure_idle,
                       &l->metrics_timer};
    for (unsigned t = 0; t < G_N_ELEMENTS(timers); t++)
        if (*timers[t])
            g_source_remove(*timers[t]), *timers[t] = 0;
    while (l->rekeying)
        g_main_context_iteration(NULL, TRUE); /* its result arrives through the loop */
}
