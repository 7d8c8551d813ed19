/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "join-call.h"

#include <string.h>

#include "e2ckey.h"
#include "call-junit.h"
#include "call-metrics.h"
#include "join-report.h"
#include "keysched.h"
#include "stream-outcomes.h"

/* ---- report files (--junit, --metrics) ------------------------------------------ */

static double
run_seconds(const struct join *j)
{
    return (g_get_monotonic_time() - j->start_us) / 1e6;
}

/* The --metrics file now: during the run (no verdict yet), or at the end with exit_status. */
static gboolean
write_metrics(struct join *j, gboolean finished, int exit_status)
{
    GArray *streams = e2c_participant_outcomes(j->p);
    GArray *sent = e2c_participant_sent(j->p);
    struct e2c_metrics_participant who = {
        e2c_participant_display(j->p),
        (const struct e2c_stream_outcome *)(void *)streams->data,
        streams->len,
        (const struct e2c_metrics_sent *)(void *)sent->data,
        sent->len,
    };
    struct e2c_metrics_run run = {"join", run_seconds(j), finished, exit_status, &who,
                                  1,      NULL,           NULL};
    gchar *text = e2c_metrics_render(&run);
    gboolean ok = e2c_report_file_write("e2call join", j->report->metrics, text);
    g_free(text);
    g_array_unref(sent);
    g_array_unref(streams);
    return ok;
}

static gboolean
metrics_tick(gpointer data)
{
    struct join *j = data;
    if (e2c_run_finished(j->run)) {
        j->metrics_timer = 0;
        return G_SOURCE_REMOVE; /* the end writes the last one, with the verdict */
    }
    write_metrics(j, FALSE, 0); /* a failure is reported; the next tick tries again */
    return G_SOURCE_CONTINUE;
}

void
e2c_join_start_metrics(struct join *j)
{
    if (j->report->metrics && j->report->interval_ms)
        j->metrics_timer = g_timeout_add((guint)j->report->interval_ms, metrics_tick, j);
}

/* The report files at the end, from the verdict's input and result. */
static void
write_reports(struct join *j, const struct e2c_join_input *in, const struct e2c_join_verdict *v)
{
    g_clear_handle_id(&j->metrics_timer, g_source_remove);
    if (j->report->junit) {
        struct e2c_join_junit r = {
            e2c_participant_display(j->p), j->e2ee, in, v, j->fatal_message, run_seconds(j)};
        gchar *text = e2c_join_junit(&r);
        if (!e2c_report_file_write("e2call join", j->report->junit, text))
            j->report_failed = TRUE;
        g_free(text);
    }
    if (j->report->metrics && !write_metrics(j, TRUE, v->exit_status))
        j->report_failed = TRUE;
}

/* ---- the verdict ---------------------------------------------------------------- */

/* Decides, reports the media check and the error (as events), returns the exit status. */
int
e2c_join_verdict(struct join *j)
{
    GArray *streams = j->fatal == E2C_ERR_NONE ? e2c_participant_outcomes(j->p) : NULL;
    struct e2c_join_input in = {
        .fatal = j->fatal,
        .streams = streams ? (const struct e2c_stream_outcome *)(void *)streams->data : NULL,
        .n_streams = streams ? streams->len : 0,
        .subscription_failures =
            j->fatal == E2C_ERR_NONE ? e2c_participant_subscription_failures(j->p) : 0,
        .expect_media = j->expect_media,
        .quality = j->quality,
    };
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    if (v.media_checked)
        e2c_events_emit(j->events, e2c_join_media_check_event(&v));
    if (v.quality_checked)
        e2c_events_emit(j->events, e2c_join_media_quality_event(&in, &v));
    if (v.message)
        e2c_events_error(j->events, v.error, "%s", v.message);
    write_reports(j, &in, &v);
    int status = v.exit_status;
    e2c_join_verdict_clear(&v);
    if (streams)
        g_array_unref(streams);
    return status;
}

/* ---- periodic stats --------------------------------------------------------------- */

static void
emit_stats(gpointer data)
{
    struct join *j = data;
    json_t *streams = json_array();
    e2c_stats_sample(j->periodic, j->p, streams);
    json_t *e = e2c_event_new("stats");
    json_object_set_new(e, "streams", streams);
    e2c_events_emit(j->events, e);
}

/* ---- main loop plumbing -------------------------------------------------------- */

static void
on_failed(gpointer user, struct e2c_participant *p, enum e2c_error err, const char *message)
{
    struct join *j = user;
    if (j->fatal == E2C_ERR_NONE) {
        j->fatal = err;
        j->fatal_message = g_strdup(message);
    }
}

static void
on_left(gpointer user, struct e2c_participant *p)
{
    struct join *j = user;
    e2c_run_quit(j->run);
}

/* The end of the call (once): snapshots and the verdict read the streams, then leave. */
static void
finish(gpointer call, const char *reason)
{
    struct join *j = call;
    if (j->snapshot_dir)
        e2c_participant_snapshots(j->p, j->snapshot_dir);
    /* What every stream did, for people and scripts reading the log afterwards. */
    json_t *streams = json_array();
    e2c_participant_summary_json(j->p, streams);
    json_t *e = e2c_event_new("summary");
    json_object_set_new(e, "streams", streams);
    json_object_set_new(e, "timing", e2c_participant_timing_json(j->p));
    e2c_events_emit(j->events, e);
    j->status = e2c_join_verdict(j);
    e2c_participant_leave(j->p, reason);
}

/* ---- key derivation off the main loop -------------------------------------------- */

static void
key_ready(GObject *source, GAsyncResult *result, gpointer data)
{
    struct join *j = data;
    GError *error = NULL;
    E2cKey *key = e2c_key_derive_finish(result, &error);
    j->deriving = FALSE;
    if (key) {
        e2c_participant_set_key(j->p, key);
        e2c_key_unref(key);
    } else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
               j->fatal == E2C_ERR_NONE) {
        j->fatal = E2C_ERR_ENCRYPTION_INTERNAL_ERROR;
        j->fatal_message = g_strdup_printf("key derivation failed: %s", error->message);
        e2c_events_error(j->events, j->fatal, "key derivation failed: %s", error->message);
        e2c_participant_leave(j->p, "error");
    }
    g_clear_error(&error);
}

/* ---- the control socket (e2call-control(7)) -------------------------------------- */

struct rekey_job {
    struct join *j;
    E2cControlDone done;
    gpointer done_data;
};

static void
rekey_ready(GObject *source, GAsyncResult *result, gpointer data)
{
    struct rekey_job *r = data;
    struct join *j = r->j;
    GError *derive_error = NULL;
    E2cKey *key = e2c_key_derive_finish(result, &derive_error);
    j->rekeying = FALSE;
    if (key) {
        /* e2call-e2ee(7), COUNTERS, ROTATION AND REKEY: receive at once, send after the switch
         * delay. */
        e2c_participant_set_key(j->p, key);
        json_t *e = e2c_event_new("rekeyed");
        json_object_set_new(e, "switch-delay-ms", json_integer(j->rekey_delay_ms));
        json_object_set_new(e, "grace-ms", json_integer(e2c_grace_for_delay(j->rekey_delay_ms)));
        e2c_events_emit(j->events, e);
        r->done(r->done_data, NULL);
        e2c_key_unref(key);
    } else {
        GError *error = g_error_new(E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_INTERNAL,
                                    "key derivation failed: %s", derive_error->message);
        r->done(r->done_data, error);
        g_error_free(error);
        g_error_free(derive_error);
    }
    g_free(r);
}

static void
op_rekey(gpointer user, struct e2c_secret *secret, E2cControlDone done, gpointer done_data)
{
    struct join *j = user;
    GError *error = NULL;
    if (!e2c_participant_e2ee(j->p)) {
        e2c_secret_clear(secret);
        error = g_error_new(E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_NOT_ENCRYPTED,
                            "this call is not end-to-end encrypted: there is no secret to change");
    } else if (j->rekeying || e2c_run_finished(j->run)) {
        e2c_secret_clear(secret);
        error = g_error_new(E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BUSY,
                            e2c_run_finished(j->run) ? "the call is ending"
                                                     : "a rekey is still in progress");
    }
    if (error) {
        done(done_data, error);
        g_error_free(error);
        return;
    }
    struct rekey_job *r = g_new0(struct rekey_job, 1);
    r->j = j;
    r->done = done;
    r->done_data = done_data;
    j->rekeying = TRUE;
    /* The bytes move into the derivation, which wipes them. */
    e2c_key_derive_async(secret, j->room_text, NULL, rekey_ready, r);
}

static json_t *
op_status(gpointer user)
{
    struct join *j = user;
    json_t *o = json_object();
    json_object_set_new(o, "room", json_integer((json_int_t)e2c_participant_room(j->p)));
    json_object_set_new(o, "e2ee", json_boolean(e2c_participant_e2ee(j->p)));
    json_object_set_new(o, "participant", json_string(e2c_participant_display(j->p)));
    json_object_set_new(o, "id", json_integer((json_int_t)e2c_participant_id(j->p)));
    json_t *streams = json_array();
    e2c_participant_status_json(j->p, streams);
    json_object_set_new(o, "streams", streams);
    return o;
}

static json_t *
op_stats(gpointer user)
{
    struct join *j = user;
    json_t *streams = json_array();
    e2c_stats_sample(j->on_request, j->p, streams);
    return json_pack("{s:o}", "streams", streams);
}

static void
op_leave(gpointer user)
{
    struct join *j = user;
    e2c_run_finish(j->run, "control");
}

const struct e2c_control_ops e2c_join_control_ops = {op_rekey, op_status, op_stats, op_leave};
const struct e2c_participant_callbacks e2c_join_participant_callbacks = {on_failed, on_left, NULL,
                                                                         NULL};
const struct e2c_run_hooks e2c_join_run_hooks = {finish, emit_stats};

/* ---- start and end ----------------------------------------------------------------- */

void
e2c_join_derive_key(struct join *j, struct e2c_secret *secret)
{
    /* PBKDF2 (600000 iterations) runs while the connection is set up. */
    j->deriving = TRUE;
    j->derivation = g_cancellable_new();
    e2c_key_derive_async(secret, j->room_text, j->derivation, key_ready, j);
}

void
e2c_join_settle(struct join *j)
{
    /* A key that comes after the call is dropped; its callback still has to run. */
    if (j->derivation)
        g_cancellable_cancel(j->derivation);
    while (j->deriving)
        g_main_context_iteration(NULL, TRUE);
    g_clear_object(&j->derivation);
    while (j->rekeying)
        g_main_context_iteration(NULL, TRUE); /* its result arrives through the loop */
}
