/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call web join: a browser participant. Serves the page on 127.0.0.1,
 * starts a headless Chromium on it, drives it over the DevTools protocol on
 * a pipe (cmd-web-cdp.h), hands the secret straight to the page's crypto
 * worker (never the page, a URL or a log), prints the page's events as
 * e2call's events, and ends with join's verdict and exit statuses (e2call(1),
 * WEB).
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "cmd-web-cdp.h"
#include "cmd-web-chromium.h"
#include "cmd-web-server.h"
#include "cmd-web.h"
#include "errors.h"
#include "events.h"
#include "latency.h"
#include "option-once.h"
#include "secret-args.h"
#include "sframe.h"
#include "web-latency.h"

/* After leave() the page has this long to send its summary and "left". */
#define LEAVE_GRACE_MS 5000
/* The page must come up (load, start) within this. */
#define START_TIMEOUT_MS 30000

struct web_join {
    GMainLoop *loop;
    struct e2c_events *events;
    struct e2c_chromium *chromium;
    struct e2c_cdp *cdp;
    struct e2c_web_server *server;
    gchar *page_session, *worker_session;
    gchar *start_script; /* window.e2call.start(...) */
    struct e2c_secret secret, rekey_secret;
    gboolean has_secret, has_rekey, secret_sent, started, left, ending;
    gboolean secret_taken, rekey_due;
    int error_status; /* from the page's first error event; 0: none */
    gint64 expect;    /* -1: not asked; 0: every stream seen; N */
    json_t *summary;  /* the page's summary event's "streams" */
    struct e2c_web_latency *latency;
    guint timers[3];
    const char *display;
};

static void finish(struct web_join *w);

static void
emit(struct web_join *w, json_t *e)
{
    char ts[40];
    e2c_events_timestamp(ts, sizeof(ts));
    json_object_set_new(e, "ts", json_string(ts));
    e2c_events_emit(w->events, e);
}

/* err NONE: a local failure (exit 1), said on stderr as join does; else an error event. */
static void
local_error(struct web_join *w, enum e2c_error err, int status, const char *message)
{
    if (err == E2C_ERR_NONE) {
        fprintf(stderr, "e2call web join: %s\n", message);
        if (!w->error_status)
            w->error_status = status;
        finish(w);
        return;
    }
    json_t *e = e2c_event_new("error");
    json_object_set_new(e, "participant", json_string(w->display));
    json_object_set_new(e, "error", json_string(e2c_error_name(err)));
    json_object_set_new(e, "exit-status", json_integer(status));
    json_object_set_new(e, "message", json_string(message));
    emit(w, e);
    if (!w->error_status)
        w->error_status = status;
    finish(w);
}

static void
evaluate(struct web_join *w, const char *session, const char *expression, E2cCdpReplyFunc reply)
{
    e2c_cdp_call(w->cdp, session, "Runtime.evaluate",
                 json_pack("{s:s, s:b, s:b}", "expression", expression, "awaitPromise", 0,
                           "returnByValue", 1),
                 reply, w);
}

/* ---- the secret, into the worker only ------------------------------------- */

/* Tries of one hand-over: a protocol error (a worker between contexts) is retried. */
#define SECRET_TRIES 5
#define SECRET_RETRY_MS 200

struct handover {
    struct web_join *w;
    struct e2c_secret *s; /* &w->secret or &w->rekey_secret; wiped once the worker has it */
    guint tries;
};

static void send_secret(struct handover *h);
static void give_secret(struct web_join *w, struct e2c_secret *s);

static gboolean
give_again(gpointer data)
{
    send_secret(data);
    return G_SOURCE_REMOVE;
}

static void
secret_given(void *data, json_t *result, json_t *error)
{
    struct handover *h = data;
    struct web_join *w = h->w;
    json_t *exc = json_object_get(result, "exceptionDetails");
    if (!error && !exc) {
        gboolean first = h->s == &w->secret;
        e2c_secret_clear(h->s);
        g_free(h);
        if (first) {
            w->secret_taken = TRUE;
            if (w->rekey_due)
                give_secret(w, &w->rekey_secret);
        }
        return;
    }
    /* The protocol's error code only: its message is Chromium's text, which e2call does not
     * control, about a request that held the secret; and never the request itself. */
    gchar *why = error ? g_strdup_printf("DevTools error %" JSON_INTEGER_FORMAT,
                                         json_integer_value(json_object_get(error, "code")))
                       : g_strdup("the worker threw");
    g_debug("handing the secret to the worker: %s, try %u of %d", why, h->tries, SECRET_TRIES);
    if (error && h->tries < SECRET_TRIES && !w->ending) {
        g_free(why);
        g_timeout_add(SECRET_RETRY_MS, give_again, h);
        return;
    }
    g_free(h);
    gchar *message = g_strdup_printf("the worker did not take the secret (%s)", why);
    g_free(why);
    local_error(w, E2C_ERR_NONE, E2C_EXIT_FAILURE, message);
    g_free(message);
}

/* One try of hand-over h: the secret into the worker, by a DevTools evaluation. */
static void
send_secret(struct handover *h)
{
    struct e2c_secret *s = h->s;
    /* JSON-quoted into the expression; both copies are wiped after sending. */
    json_t *quoted = json_stringn(s->utf8, s->len);
    char *text = json_dumps(quoted, JSON_ENCODE_ANY);
    json_decref(quoted);
    /* Put together at its final size: a printf into a growing buffer (g_strdup_printf) leaves
     * the secret in the blocks it outgrew, which nobody wipes. */
    static const char head[] = "self.e2callSetSecret(", tail[] = ")";
    size_t tlen = strlen(text), len = sizeof(head) - 1 + tlen + sizeof(tail) - 1;
    gchar *expr = g_malloc(len + 1);
    memcpy(expr, head, sizeof(head) - 1);
    memcpy(expr + sizeof(head) - 1, text, tlen);
    memcpy(expr + sizeof(head) - 1 + tlen, tail, sizeof(tail));
    explicit_bzero(text, tlen);
    free(text);
    h->tries++;
    e2c_cdp_call(
        h->w->cdp, h->w->worker_session, "Runtime.evaluate",
        json_pack("{s:s, s:b, s:b}", "expression", expr, "awaitPromise", 0, "returnByValue", 1),
        secret_given, h);
    explicit_bzero(expr, len);
    g_free(expr);
}

static void
give_secret(struct web_join *w, struct e2c_secret *s)
{
    struct handover *h = g_new(struct handover, 1);
    *h = (struct handover){w, s, 0};
    send_secret(h);
}

static void
worker_ready(void *data, json_t *result, json_t *error)
{
    struct web_join *w = data;
    json_t *value = json_object_get(result, "result");
    if (!error && json_is_true(json_object_get(value, "value"))) {
        if (w->has_secret && !w->secret_sent) {
            w->secret_sent = TRUE;
            give_secret(w, &w->secret);
        }
        return;
    }
    /* The worker's module has not run yet: ask again shortly. */
    g_usleep(20000);
    evaluate(w, w->worker_session, "typeof self.e2callSetSecret === 'function'", worker_ready);
}

/* The rekey waits for the first secret to be in the worker: given before it, the worker would
 * take the first for the rekey (on a slow machine the page starts after --rekey-at). */
static gboolean
rekey_now(gpointer data)
{
    struct web_join *w = data;
    w->timers[2] = 0;
    w->rekey_due = TRUE;
    if (w->secret_taken) /* a rekey needs a first secret (cmd-web.c) */
        give_secret(w, &w->rekey_secret);
    return G_SOURCE_REMOVE;
}

/* ---- the page's events ------------------------------------------------------ */

static void
page_event(struct web_join *w, const char *payload)
{
    json_error_t jerr;
    json_t *e = json_loads(payload, 0, &jerr);
    const char *name = json_string_value(json_object_get(e, "event"));
    if (!name) {
        json_decref(e);
        return;
    }
    if (strcmp(name, "error") == 0 && !w->error_status)
        w->error_status = (int)json_integer_value(json_object_get(e, "exit-status"));
    /* The page's streams with the latency of the frames it opened (web-latency.h). */
    if (strcmp(name, "stats") == 0 || strcmp(name, "summary") == 0)
        e2c_web_latency_annotate(w->latency, json_object_get(e, "streams"),
                                 strcmp(name, "summary") == 0);
    if (strcmp(name, "summary") == 0) {
        json_decref(w->summary);
        w->summary = json_incref(json_object_get(e, "streams"));
    }
    gboolean left = strcmp(name, "left") == 0;
    emit(w, e);
    if (left) {
        w->left = TRUE;
        finish(w);
    }
}

static void
page_started(void *data, json_t *result, json_t *error)
{
    struct web_join *w = data;
    json_t *exc = json_object_get(result, "exceptionDetails");
    if (error || exc) {
        local_error(w, E2C_ERR_NONE, E2C_EXIT_FAILURE, "the page could not start");
        return;
    }
    w->started = TRUE;
}

static void
on_event(void *data, const char *method, json_t *params, const char *session)
{
    struct web_join *w = data;
    if (strcmp(method, "Runtime.bindingCalled") == 0) {
        const char *binding = json_string_value(json_object_get(params, "name"));
        const char *payload = json_string_value(json_object_get(params, "payload"));
        if (g_strcmp0(binding, "e2callEvent") == 0)
            page_event(w, payload);
        else if (g_strcmp0(binding, "e2callFrameTimes") == 0)
            e2c_web_latency_add(w->latency, payload);
    } else if (strcmp(method, "Page.loadEventFired") == 0 && !w->started) {
        evaluate(w, w->page_session, w->start_script, page_started);
    } else if (strcmp(method, "Target.attachedToTarget") == 0 &&
               g_strcmp0(session, w->page_session) == 0) {
        json_t *info = json_object_get(params, "targetInfo");
        if (g_strcmp0(json_string_value(json_object_get(info, "type")), "worker") == 0 &&
            !w->worker_session) {
            w->worker_session = g_strdup(json_string_value(json_object_get(params, "sessionId")));
            evaluate(w, w->worker_session, "typeof self.e2callSetSecret === 'function'",
                     worker_ready);
        }
    } else if (strcmp(method, "Runtime.exceptionThrown") == 0) {
        json_t *d = json_object_get(params, "exceptionDetails");
        json_t *ex = json_object_get(d, "exception");
        const char *desc = json_string_value(json_object_get(ex, "description"));
        g_debug("page exception: %s", desc ? desc : json_string_value(json_object_get(d, "text")));
    }
}

static void
on_closed(void *data)
{
    struct web_join *w = data;
    if (!w->left)
        local_error(w, E2C_ERR_NONE, E2C_EXIT_FAILURE, "Chromium exited during the call");
}

/* ---- bringing the page up ------------------------------------------------------ */

static void
attached(void *data, json_t *result, json_t *error)
{
    struct web_join *w = data;
    const char *session = json_string_value(json_object_get(result, "sessionId"));
    if (error || !session) {
        local_error(w, E2C_ERR_NONE, E2C_EXIT_FAILURE, "cannot attach to Chromium's page");
        return;
    }
    w->page_session = g_strdup(session);
    e2c_cdp_call(w->cdp, session, "Runtime.enable", NULL, NULL, NULL);
    e2c_cdp_call(w->cdp, session, "Page.enable", NULL, NULL, NULL);
    e2c_cdp_call(w->cdp, session, "Runtime.addBinding", json_pack("{s:s}", "name", "e2callEvent"),
                 NULL, NULL);
    e2c_cdp_call(w->cdp, session, "Runtime.addBinding",
                 json_pack("{s:s}", "name", "e2callFrameTimes"), NULL, NULL);
    e2c_cdp_call(
        w->cdp, session, "Target.setAutoAttach",
        json_pack("{s:b, s:b, s:b}", "autoAttach", 1, "waitForDebuggerOnStart", 0, "flatten", 1),
        NULL, NULL);
    gchar *url = g_strdup_printf("http://127.0.0.1:%d/index.html", e2c_web_server_port(w->server));
    e2c_cdp_call(w->cdp, session, "Page.navigate", json_pack("{s:s}", "url", url), NULL, NULL);
    g_free(url);
}

static void
targets(void *data, json_t *result, json_t *error)
{
    struct web_join *w = data;
    json_t *list = json_object_get(result, "targetInfos"), *t;
    size_t i;
    json_array_foreach(list, i, t)
    {
        if (g_strcmp0(json_string_value(json_object_get(t, "type")), "page") == 0) {
            e2c_cdp_call(
                w->cdp, NULL, "Target.attachToTarget",
                json_pack("{s:O, s:b}", "targetId", json_object_get(t, "targetId"), "flatten", 1),
                attached, w);
            return;
        }
    }
    (void)error;
    local_error(w, E2C_ERR_NONE, E2C_EXIT_FAILURE, "Chromium opened no page");
}

/* ---- ending ------------------------------------------------------------------------ */

static gboolean
leave_timeout(gpointer data)
{
    struct web_join *w = data;
    w->timers[1] = 0;
    w->left = TRUE; /* the page did not answer: end without its summary */
    g_main_loop_quit(w->loop);
    return G_SOURCE_REMOVE;
}

static void
leave(struct web_join *w, const char *reason)
{
    if (w->ending)
        return;
    w->ending = TRUE;
    if (w->started) {
        gchar *expr = g_strdup_printf("window.e2call.leave('%s')", reason);
        evaluate(w, w->page_session, expr, NULL);
        g_free(expr);
        w->timers[1] = g_timeout_add(LEAVE_GRACE_MS, leave_timeout, w);
    } else {
        g_main_loop_quit(w->loop);
    }
}

static void
finish(struct web_join *w)
{
    if (w->left || !w->started)
        g_main_loop_quit(w->loop);
    else
        leave(w, "error");
}

static gboolean
duration_over(gpointer data)
{
    struct web_join *w = data;
    w->timers[0] = 0;
    leave(w, "duration");
    return G_SOURCE_REMOVE;
}

static gboolean
interrupted(gpointer data)
{
    leave(data, "interrupted");
    return G_SOURCE_CONTINUE;
}

/*
 * join's verdict (e2call(1), EXIT STATUS): the page's own error first, then
 * a stream that ended in mismatch (5), then --expect-media (10).
 */
static int
verdict(struct web_join *w)
{
    if (w->error_status)
        return w->error_status;
    guint streams = 0, verified = 0, mismatched = 0;
    json_t *s;
    size_t i;
    json_array_foreach(w->summary, i, s)
    {
        streams++;
        if (json_is_true(json_object_get(s, "verified")))
            verified++;
        if (g_strcmp0(json_string_value(json_object_get(s, "state")), "mismatch") == 0)
            mismatched++;
    }
    gboolean passed = TRUE;
    if (w->expect >= 0) {
        guint needed = w->expect > 0 ? (guint)w->expect : MAX(streams, 1);
        passed = verified >= needed;
        json_t *e = e2c_event_new("media-check");
        json_object_set_new(e, "participant", json_string(w->display));
        json_object_set_new(e, "streams", json_integer(streams));
        json_object_set_new(e, "verified", json_integer(verified));
        json_object_set_new(e, "needed", json_integer(needed));
        json_object_set_new(e, "passed", json_boolean(passed));
        emit(w, e);
    }
    if (mismatched)
        return E2C_EXIT_SECRET_MISMATCH;
    return passed ? E2C_EXIT_OK : E2C_EXIT_MEDIA_CHECK_FAILED;
}

int
e2c_web_join_run(struct e2c_web_join_options *o)
{
    struct web_join w = {0};
    GError *error = NULL;
    int status = E2C_EXIT_FAILURE;
    w.expect = o->expect;
    w.display = o->display;
    w.secret = o->secret;
    w.has_secret = o->secret.utf8 != NULL;
    w.rekey_secret = o->rekey_secret;
    w.has_rekey = o->rekey_secret.utf8 != NULL;
    /* Both secrets are ours now: the caller's copies must not be wiped twice. */
    memset(&o->secret, 0, sizeof(o->secret));
    memset(&o->rekey_secret, 0, sizeof(o->rekey_secret));
    w.events = e2c_events_new(o->json ? stdout : NULL, o->quiet ? NULL : stderr);
    w.latency = e2c_web_latency_new(e2c_latency_table());
    w.loop = g_main_loop_new(NULL, FALSE);

    gchar *dir = e2c_web_dir(&error);
    gchar *binary = e2c_chromium_find();
    if (!binary) {
        local_error(&w, E2C_ERR_UNSUPPORTED, E2C_EXIT_UNSUPPORTED,
                    "no Chromium: install Debian's chromium (apt-get install chromium, or "
                    "scripts/setup --chromium)");
        goto out;
    }
    if (!dir) {
        local_error(&w, E2C_ERR_UNSUPPORTED, E2C_EXIT_UNSUPPORTED, error->message);
        goto out;
    }
    w.server = e2c_web_server_start(dir, "127.0.0.1", 0, &error);
    if (!w.server) {
        local_error(&w, E2C_ERR_NONE, E2C_EXIT_FAILURE, error->message);
        goto out;
    }
    w.chromium = e2c_chromium_start(binary, &error);
    if (!w.chromium) {
        local_error(&w, E2C_ERR_UNSUPPORTED, E2C_EXIT_UNSUPPORTED, error->message);
        goto out;
    }
    json_t *cfg = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i}",
                            "server", o->server, "room", o->room, "display", o->display, "e2ee",
                            w.has_secret, "video", o->video, "audio", o->audio, "width", o->width,
                            "height", o->height, "fps", o->fps, "suite", o->suite, "statsInterval",
                            o->stats_interval, "switchDelayMs", (int)o->rekey_delay_ms);
    char *cfg_text = json_dumps(cfg, JSON_COMPACT);
    json_decref(cfg);
    w.start_script = g_strdup_printf("window.e2call.start(%s), true", cfg_text);
    free(cfg_text);

    w.cdp = e2c_cdp_new(w.chromium->cdp_write, w.chromium->cdp_read, on_event, on_closed, &w);
    w.chromium->cdp_write = w.chromium->cdp_read = -1; /* the pipe's ends are the CDP's now */
    e2c_cdp_call(w.cdp, NULL, "Target.getTargets", NULL, targets, &w);
    w.timers[0] = g_timeout_add(o->duration_ms, duration_over, &w);
    if (w.has_rekey)
        w.timers[2] = g_timeout_add(o->rekey_at_ms, rekey_now, &w);
    guint sigint = g_unix_signal_add(SIGINT, interrupted, &w);
    guint sigterm = g_unix_signal_add(SIGTERM, interrupted, &w);
    g_main_loop_run(w.loop);
    g_source_remove(sigint);
    g_source_remove(sigterm);
    status = verdict(&w);
    e2c_cdp_call(w.cdp, NULL, "Browser.close", NULL, NULL, NULL);
out:
    for (size_t i = 0; i < G_N_ELEMENTS(w.timers); i++)
        if (w.timers[i])
            g_source_remove(w.timers[i]);
    if (w.chromium && w.chromium->proc)
        g_subprocess_wait(w.chromium->proc, NULL, NULL);
    e2c_cdp_free(w.cdp);
    e2c_chromium_free(w.chromium);
    e2c_web_server_stop(w.server);
    e2c_secret_clear(&w.secret);
    e2c_secret_clear(&w.rekey_secret);
    json_decref(w.summary);
    e2c_web_latency_free(w.latency);
    g_free(w.page_session);
    g_free(w.worker_session);
    g_free(w.start_script);
    g_free(binary);
    g_free(dir);
    g_clear_error(&error);
    e2c_events_free(w.events);
    g_main_loop_unref(w.loop);
    return status;
}
