/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call join: one participant in a routed E2EE call. Publishes a test
 * pattern and tone (or a file), receives everyone else, reports e2call(1)'s
 * events, and exits with a status a CI job can act on.
 */
#include <glib-unix.h>
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "commands.h"
#include "control-server.h"
#include "e2ckey.h"
#include "errors.h"
#include "events.h"
#include "keysched.h"
#include "option-once.h"
#include "participant.h"
#include "router-args.h"
#include "secret-args.h"
#include "selftest.h"
#include "sframe.h"
#include "stats.h"
#include "suite-warning.h"

#define DEFAULT_LATENCY_MS 50
#define DEFAULT_EXPECT_DURATION_MS 20000

struct join {
    GMainLoop *loop;
    struct e2c_events *events;
    struct e2c_media *media;
    struct e2c_participant *p;
    enum e2c_error fatal; /* what ended the call early, if anything */
    gboolean finished;
    int status;
    guint duration_timer, stats_timer;
    /* options */
    gint64 expect_media; /* -1: not asked; 0: every stream seen; N */
    gchar *snapshot_dir;
    gchar *room_text;
    guint rekey_delay_ms;
    struct e2c_stats_sampler *periodic, *on_request;
    struct e2c_control_server *control;
    GThread *rekeying; /* a rekey's key derivation, at most one at a time */
};

/* ---- option values ----------------------------------------------------------- */

static gint64 opt_expect = -1;

static gboolean
parse_expect_media(const gchar *name, const gchar *value, gpointer data, GError **error)
{
    guint64 n;
    if (!value) {
        opt_expect = 0;
        return TRUE;
    }
    if (!e2c_parse_uint(value, 1, 1000, &n)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--expect-media takes a number of streams from 1 to 1000, not '%s'", value);
        return FALSE;
    }
    opt_expect = (gint64)n;
    return TRUE;
}

/* ---- the verdict ---------------------------------------------------------------- */

struct verdict {
    guint streams, verified, mismatched, broken;
    guint unencrypted, stale; /* mismatched streams by cause (the rest: another secret) */
    GString *unverified;
};

static void
count_stream(gpointer user, const struct e2c_stream_info *s)
{
    struct verdict *v = user;
    v->streams++;
    if (s->verified)
        v->verified++;
    else
        g_string_append_printf(v->unverified, "%s%s/%s", v->unverified->len ? ", " : "",
                               s->display && *s->display ? s->display : "?", s->track);
    if (s->mismatch_now) {
        v->mismatched++;
        v->unencrypted += !g_strcmp0(s->mismatch_cause, "unencrypted");
        v->stale += !g_strcmp0(s->mismatch_cause, "stale");
    }
    /* Frames arrived, none ever opened, and they were malformed rather than foreign (frames
     * without an envelope are a plain peer: a mismatch with that cause, once ten came). */
    if (s->frames_ok == 0 && s->malformed > 0 && s->auth_failed + s->unencrypted == 0)
        v->broken++;
}

static int
verdict(struct join *j)
{
    if (j->fatal != E2C_ERR_NONE)
        return e2c_error_exit_status(j->fatal);
    struct verdict v = {0, 0, 0, 0, 0, 0, g_string_new(NULL)};
    e2c_participant_foreach_stream(j->p, TRUE, count_stream, &v);
    enum e2c_error err = E2C_ERR_NONE;
    gchar *message = NULL;
    if (v.mismatched) {
        guint wrong = v.mismatched - v.unencrypted - v.stale;
        err = E2C_ERR_ENCRYPTION_SECRET_MISMATCH;
        message = g_strdup_printf("%u stream(s) could not be decrypted to the end: %u under "
                                  "another secret, %u not encrypted, %u stale (a sender's clock "
                                  "more than 10 minutes off ours, or recorded media)",
                                  v.mismatched, wrong, v.unencrypted, v.stale);
    } else if (v.broken) {
        err = E2C_ERR_DECRYPTION_INTERNAL_ERROR;
        message = g_strdup_printf("%u stream(s) carried only malformed frames", v.broken);
    } else if (e2c_participant_subscription_failures(j->p)) {
        err = E2C_ERR_UNABLE_TO_SUBSCRIBE;
        message = g_strdup_printf("%u subscription(s) failed",
                                  e2c_participant_subscription_failures(j->p));
    } else if (j->expect_media >= 0) {
        guint needed = j->expect_media > 0 ? (guint)j->expect_media : MAX(v.streams, 1u);
        json_t *e = e2c_event_new("media-check");
        json_object_set_new(e, "streams", json_integer(v.streams));
        json_object_set_new(e, "verified", json_integer(v.verified));
        json_object_set_new(e, "needed", json_integer(needed));
        json_object_set_new(e, "passed", json_boolean(v.verified >= needed));
        e2c_events_emit(j->events, e);
        if (v.verified < needed) {
            err = E2C_ERR_MEDIA_CHECK_FAILED;
            message = g_strdup_printf("%u of %u expected stream(s) verified%s%s", v.verified,
                                      needed, v.unverified->len ? "; not verified: " : "",
                                      v.unverified->str);
        }
    }
    g_string_free(v.unverified, TRUE);
    if (err == E2C_ERR_NONE)
        return E2C_EXIT_OK;
    e2c_events_error(j->events, err, "%s", message);
    g_free(message);
    return e2c_error_exit_status(err);
}

/* ---- periodic stats --------------------------------------------------------------- */

static gboolean
emit_stats(gpointer data)
{
    struct join *j = data;
    json_t *streams = json_array();
    e2c_stats_sample(j->periodic, j->p, streams);
    json_t *e = e2c_event_new("stats");
    json_object_set_new(e, "streams", streams);
    e2c_events_emit(j->events, e);
    return G_SOURCE_CONTINUE;
}

/* ---- main loop plumbing -------------------------------------------------------- */

static void
on_failed(gpointer user, struct e2c_participant *p, enum e2c_error err, const char *message)
{
    struct join *j = user;
    if (j->fatal == E2C_ERR_NONE)
        j->fatal = err;
}

static void
on_left(gpointer user, struct e2c_participant *p)
{
    struct join *j = user;
    g_main_loop_quit(j->loop);
}

/* The end of the call: snapshots and the verdict read the streams, then leave. */
static void
finish(struct join *j, const char *reason)
{
    if (j->finished)
        return;
    j->finished = TRUE;
    if (j->snapshot_dir)
        e2c_participant_snapshots(j->p, j->snapshot_dir);
    /* What every stream did, for people and scripts reading the log afterwards. */
    json_t *streams = json_array();
    e2c_participant_status_json(j->p, streams);
    json_t *e = e2c_event_new("summary");
    json_object_set_new(e, "streams", streams);
    e2c_events_emit(j->events, e);
    j->status = verdict(j);
    e2c_participant_leave(j->p, reason);
}

static gboolean
on_duration(gpointer data)
{
    struct join *j = data;
    j->duration_timer = 0;
    finish(j, "duration");
    return G_SOURCE_REMOVE;
}

static gboolean
on_signal(gpointer data)
{
    struct join *j = data;
    e2c_control_server_remove_socket(j->control);
    if (j->finished) {
        fprintf(stderr, "e2call join: interrupted again, exiting without leaving cleanly\n");
        _exit(130);
    }
    finish(j, "interrupted");
    return G_SOURCE_CONTINUE;
}

/* ---- key derivation off the main loop -------------------------------------------- */

struct derivation {
    struct join *j;
    struct e2c_secret secret;
    gchar *room;
    E2cKey *key;
    GError *error;
};

static gboolean
key_ready(gpointer data)
{
    struct derivation *d = data;
    struct join *j = d->j;
    if (d->key) {
        e2c_participant_set_key(j->p, d->key);
    } else if (j->fatal == E2C_ERR_NONE) {
        j->fatal = E2C_ERR_ENCRYPTION_INTERNAL_ERROR;
        e2c_events_error(j->events, j->fatal, "key derivation failed: %s", d->error->message);
        e2c_participant_leave(j->p, "error");
    }
    return G_SOURCE_REMOVE;
}

static gpointer
derive(gpointer data)
{
    struct derivation *d = data;
    d->key = e2c_key_derive(&d->secret, d->room, &d->error);
    /* e2call(1), SECURITY: the secret does not outlive the derivation. */
    e2c_secret_clear(&d->secret);
    g_main_context_invoke(NULL, key_ready, d);
    return NULL;
}

/* ---- the control socket (e2call-control(7)) -------------------------------------- */

struct rekey_job {
    struct join *j;
    struct e2c_secret secret;
    E2cKey *key;
    GError *error;
    E2cControlDone done;
    gpointer done_data;
};

static gboolean
rekey_finish(gpointer data)
{
    struct rekey_job *r = data;
    struct join *j = r->j;
    g_thread_join(j->rekeying);
    j->rekeying = NULL;
    if (r->key) {
        /* e2call-e2ee(7): receive at once, send after the switch delay. */
        e2c_participant_set_key(j->p, r->key);
        json_t *e = e2c_event_new("rekeyed");
        json_object_set_new(e, "switch-delay-ms", json_integer(j->rekey_delay_ms));
        json_object_set_new(e, "grace-ms",
                            json_integer(e2c_grace_for_delay(j->rekey_delay_ms)));
        e2c_events_emit(j->events, e);
        r->done(r->done_data, NULL);
        e2c_key_unref(r->key);
    } else {
        GError *error = g_error_new(E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_INTERNAL,
                                    "key derivation failed: %s", r->error->message);
        r->done(r->done_data, error);
        g_error_free(error);
        g_error_free(r->error);
    }
    g_free(r);
    return G_SOURCE_REMOVE;
}

static gpointer
rekey_derive(gpointer data)
{
    struct rekey_job *r = data;
    r->key = e2c_key_derive(&r->secret, r->j->room_text, &r->error);
    e2c_secret_clear(&r->secret);
    g_main_context_invoke(NULL, rekey_finish, r);
    return NULL;
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
    } else if (j->rekeying || j->finished) {
        e2c_secret_clear(secret);
        error = g_error_new(E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BUSY,
                            j->finished ? "the call is ending" : "a rekey is still in progress");
    }
    if (error) {
        done(done_data, error);
        g_error_free(error);
        return;
    }
    struct rekey_job *r = g_new0(struct rekey_job, 1);
    r->j = j;
    r->secret = *secret; /* the bytes move here; wiped after deriving */
    memset(secret, 0, sizeof(*secret));
    r->done = done;
    r->done_data = done_data;
    j->rekeying = g_thread_new("rekey", rekey_derive, r);
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
    finish(user, "control");
}

static const struct e2c_control_ops join_ops = {op_rekey, op_status, op_stats, op_leave};

/* ---- the command ---------------------------------------------------------------- */

static const char *summary =
    "Joins a Janus VideoRoom, publishes a test pattern and a 440 Hz tone (or a file), and\n"
    "receives every other publisher. With a secret, all media is end-to-end encrypted\n"
    "(SFrame); without one, the call is plain (rooms that require E2EE refuse it).\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 INVALID_ENCRYPTION_SECRET, 4 ENCRYPTION_SECRET_MISSING,\n"
    "5 ENCRYPTION_SECRET_MISMATCH, 6 DECRYPTION/ENCRYPTION_INTERNAL_ERROR, 7 UNSUPPORTED,\n"
    "8 CONNECT_FAILED, 9 STREAM_CREATE_FAILED/UNABLE_TO_SUBSCRIBE, 10 MEDIA_CHECK_FAILED.";

int
e2c_cmd_join(int argc, char **argv)
{
    gchar *server = NULL, *room = NULL, *display = NULL, *video = NULL, *audio = NULL;
    gchar *media_file = NULL, *duration = NULL, *snapshot = NULL, *suite = NULL;
    gchar *rekey_delay = NULL, *connect_timeout = NULL, *control = NULL;
    gboolean no_control = FALSE;
    gint width = 640, height = 480, fps = 30, video_kbps = 800, audio_kbps = 32;
    gint latency = DEFAULT_LATENCY_MS, stats_interval = 5, keyframe_interval = 10;
    gint reconnect_attempts = 10;
    gboolean json = FALSE, quiet = FALSE, plain = FALSE, no_publish = FALSE, no_subscribe = FALSE;
    struct e2c_secret_args secret_args = {0};
    GOptionEntry secret_entries[5];
    e2c_secret_args_entries(&secret_args, secret_entries);
    struct e2c_router_args router_args = {0};
    struct e2c_router_access access = {0};
    GOptionEntry router_entries[E2C_ROUTER_ARGS_ENTRIES];
    e2c_router_args_entries(&router_args, E2C_ROUTER_ARGS_JOIN, router_entries);
    opt_expect = -1;
    GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &server,
         "Janus WebSocket URL (default: $E2CALL_SERVER)", "URL"},
        {"room", 'r', 0, G_OPTION_ARG_STRING, &room, "VideoRoom room id (required)", "ID"},
        {"display", 'd', 0, G_OPTION_ARG_STRING, &display, "Display name (default: e2call-PID)",
         "NAME"},
        {"plain", 0, 0, G_OPTION_ARG_NONE, &plain,
         "Join without end-to-end encryption, even where the room requires it (the router "
         "then refuses to publish)",
         NULL},
        {"video", 0, 0, G_OPTION_ARG_STRING, &video, "vp8 (default), vp9, h264 or none", "CODEC"},
        {"audio", 0, 0, G_OPTION_ARG_STRING, &audio, "opus (default) or none", "CODEC"},
        {"width", 0, 0, G_OPTION_ARG_INT, &width, "Video width (default 640)", "PIXELS"},
        {"height", 0, 0, G_OPTION_ARG_INT, &height, "Video height (default 480)", "PIXELS"},
        {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frame rate (default 30)", "N"},
        {"video-bitrate", 0, 0, G_OPTION_ARG_INT, &video_kbps, "Video bitrate (default 800)",
         "KBIT/S"},
        {"audio-bitrate", 0, 0, G_OPTION_ARG_INT, &audio_kbps, "Audio bitrate (default 32)",
         "KBIT/S"},
        {"keyframe-interval", 0, 0, G_OPTION_ARG_INT, &keyframe_interval,
         "Seconds between video keyframes (default 10; receivers also ask for them)", "S"},
        {"media-file", 0, 0, G_OPTION_ARG_FILENAME, &media_file,
         "Publish this file instead of the test pattern and tone", "PATH"},
        {"no-publish", 0, 0, G_OPTION_ARG_NONE, &no_publish, "Only receive", NULL},
        {"no-subscribe", 0, 0, G_OPTION_ARG_NONE, &no_subscribe, "Only send", NULL},
        {"duration", 't', 0, G_OPTION_ARG_STRING, &duration,
         "Leave after D (e.g. 15s, 2m; default: until interrupted, or 20s with --expect-media)",
         "D"},
        {"expect-media", 'e', G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK,
         parse_expect_media,
         "Exit 0 only if N remote streams (default: every one seen) were decrypted and decoded "
         "to what was sent, else 10 (MEDIA_CHECK_FAILED)",
         "N"},
        {"snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot,
         "At the end, write the last decoded frame of each remote video as PNG into DIR", "DIR"},
        {"cipher-suite", 0, 0, G_OPTION_ARG_STRING, &suite,
         "SFrame cipher suite 1-8 or its name (default 6, AES_256_CTR_HMAC_SHA512_80)", "SUITE"},
        {"rekey-delay", 0, 0, G_OPTION_ARG_STRING, &rekey_delay,
         "After a rekey, keep sending under the old secret this long (default 2s; 0: at once)",
         "D"},
        {"control", 'c', 0, G_OPTION_ARG_FILENAME, &control,
         "Serve the control socket (rekey, status, stats, leave) at PATH (default: "
         "$XDG_RUNTIME_DIR/e2call/join-PID.sock, see e2call-control(7))",
         "PATH"},
        {"no-control", 0, 0, G_OPTION_ARG_NONE, &no_control, "Serve no control socket", NULL},
        {"latency", 0, 0, G_OPTION_ARG_INT, &latency, "Jitter buffer in ms (default 50)", "MS"},
        {"stats-interval", 0, 0, G_OPTION_ARG_INT, &stats_interval,
         "Seconds between stats events (default 5; 0: none)", "S"},
        {"reconnect-attempts", 0, 0, G_OPTION_ARG_INT, &reconnect_attempts,
         "After losing the router, try this many times to reconnect (new session, join, "
         "publish, subscribe) before CONNECT_FAILED (default 10; 0: never)",
         "N"},
        {"connect-timeout", 0, 0, G_OPTION_ARG_STRING, &connect_timeout,
         "Give up reaching the router after D (default 10s)", "D"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Events as JSON lines on standard output",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No readable event lines on standard error",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- join a room with end-to-end encrypted media");
    g_option_context_set_main_group(ctx, e2c_option_group_once(NULL, NULL, NULL, entries));
    g_option_context_add_group(
        ctx, e2c_option_group_once("secret", "Secret sources (exactly one for E2EE):",
                                   "Show the secret options", secret_entries));
    g_option_context_add_group(
        ctx, e2c_option_group_once("router", "Router access (API secret, token, room PIN, CA):",
                                   "Show the router access options", router_entries));
    g_option_context_add_group(ctx, gst_init_get_option_group());
    g_option_context_set_summary(ctx, summary);
    GError *error = NULL;
    char **argv_copy = g_memdup2(argv, sizeof(char *) * (gsize)(argc + 1));
    int argc_copy = argc;
    int status = E2C_EXIT_USAGE;
    struct join j = {0};
    struct e2c_participant_config cfg = {0};
    struct derivation *d = NULL;
    GThread *deriver = NULL;
    guint64 v;

    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call join: %s\n", error->message);
        goto out;
    }
    e2c_secret_args_scrub_argv(argc_copy, argv_copy);
    if (argc > 1) {
        fprintf(stderr, "e2call join: unexpected argument '%s'\n", argv[1]);
        goto out;
    }
    cfg.server = e2c_server_url(server);
    if (!cfg.server) {
        fprintf(stderr, "e2call join: give --server URL (or set E2CALL_SERVER)\n");
        goto out;
    }
    if (!g_str_has_prefix(cfg.server, "ws://") && !g_str_has_prefix(cfg.server, "wss://")) {
        fprintf(stderr, "e2call join: --server must be a ws:// or wss:// URL, not '%s'\n",
                cfg.server);
        goto out;
    }
    if (!room || !e2c_parse_uint(room, 1, G_MAXINT64, &cfg.room)) {
        fprintf(stderr, "e2call join: give --room with a room number (1 to 2^63-1)%s%s%s\n",
                room ? ", not '" : "", room ? room : "", room ? "'" : "");
        goto out;
    }
    cfg.media.video = video ? e2c_codec_from_name(video) : E2C_CODEC_VP8;
    if (video && g_ascii_strcasecmp(video, "none") == 0)
        cfg.media.video = E2C_CODEC_NONE;
    else if (cfg.media.video == E2C_CODEC_NONE || cfg.media.video == E2C_CODEC_OPUS) {
        fprintf(stderr, "e2call join: --video must be vp8, vp9, h264 or none, not '%s'\n", video);
        goto out;
    }
    cfg.media.audio = audio ? e2c_codec_from_name(audio) : E2C_CODEC_OPUS;
    if (audio && g_ascii_strcasecmp(audio, "none") == 0)
        cfg.media.audio = E2C_CODEC_NONE;
    else if (cfg.media.audio != E2C_CODEC_OPUS) {
        fprintf(stderr, "e2call join: --audio must be opus or none, not '%s'\n", audio);
        goto out;
    }
    if (width < 160 || width > 3840 || height < 120 || height > 2160 || width % 2 || height % 2) {
        fprintf(stderr, "e2call join: --width must be 160-3840 and --height 120-2160, both even\n");
        goto out;
    }
    if (fps < 1 || fps > 60 || video_kbps < 50 || video_kbps > 20000 || audio_kbps < 6 ||
        audio_kbps > 510) {
        fprintf(stderr, "e2call join: --fps must be 1-60, --video-bitrate 50-20000 and "
                        "--audio-bitrate 6-510\n");
        goto out;
    }
    if (reconnect_attempts < 0 || reconnect_attempts > 1000) {
        fprintf(stderr, "e2call join: --reconnect-attempts must be 0-1000\n");
        goto out;
    }
    if (latency < 0 || latency > 5000 || stats_interval < 0 || stats_interval > 3600 ||
        keyframe_interval < 1 || keyframe_interval > 3600) {
        fprintf(stderr, "e2call join: --latency must be 0-5000, --stats-interval 0-3600 and "
                        "--keyframe-interval 1-3600\n");
        goto out;
    }
    if (media_file && !g_file_test(media_file, G_FILE_TEST_IS_REGULAR)) {
        fprintf(stderr, "e2call join: --media-file '%s' is not a readable file\n", media_file);
        goto out;
    }
    if (snapshot && !g_file_test(snapshot, G_FILE_TEST_IS_DIR)) {
        fprintf(stderr, "e2call join: --snapshot '%s' is not a directory\n", snapshot);
        goto out;
    }
    guint64 duration_ms = 0, delay_ms = 2000, connect_ms = 10000;
    if (duration && !e2c_parse_duration_ms(duration, &duration_ms)) {
        fprintf(stderr, "e2call join: --duration takes a time such as 15s or 2m (at most " E2C_DURATION_MAX_TEXT "), not '%s'\n",
                duration);
        goto out;
    }
    if (duration && duration_ms == 0) {
        fprintf(stderr, "e2call join: --duration must be more than 0 (without it, the call lasts "
                        "until interrupted)\n");
        goto out;
    }
    if (rekey_delay && !e2c_parse_duration_ms(rekey_delay, &delay_ms)) {
        fprintf(stderr, "e2call join: --rekey-delay takes a time such as 2s or 0 (at most " E2C_DURATION_MAX_TEXT "), not '%s'\n",
                rekey_delay);
        goto out;
    }
    if (connect_timeout && !e2c_parse_duration_ms(connect_timeout, &connect_ms)) {
        fprintf(stderr, "e2call join: --connect-timeout takes a time such as 10s (at most " E2C_DURATION_MAX_TEXT "), not '%s'\n",
                connect_timeout);
        goto out;
    }
    if (connect_timeout && connect_ms == 0) {
        fprintf(stderr, "e2call join: --connect-timeout must be more than 0\n");
        goto out;
    }
    uint16_t suite_id = SFRAME_DEFAULT_SUITE;
    if (suite && sframe_suite_parse(suite, &suite_id) != SFRAME_OK) {
        fprintf(stderr, "e2call join: --cipher-suite must be 1-8 or a suite name, not '%s'\n",
                suite);
        goto out;
    }
    if (no_publish && no_subscribe) {
        fprintf(stderr, "e2call join: --no-publish and --no-subscribe leave nothing to do\n");
        goto out;
    }
    if (plain && e2c_secret_args_given(&secret_args)) {
        fprintf(stderr, "e2call join: --plain and a secret contradict each other\n");
        goto out;
    }
    if (control && no_control) {
        fprintf(stderr, "e2call join: --control and --no-control contradict each other\n");
        goto out;
    }
    if (opt_expect >= 0 && no_subscribe) {
        fprintf(stderr, "e2call join: --expect-media needs subscribing\n");
        goto out;
    }
    (void)v;
    if ((status = e2c_router_args_read(&router_args, "e2call join", &access)) != 0)
        goto out;
    e2c_router_warn_cleartext("e2call join", cfg.server, &access, json);

    struct e2c_secret secret = {0};
    gboolean e2ee = e2c_secret_args_given(&secret_args);
    if (e2ee && (status = e2c_secret_args_read(&secret_args, "e2call join", &secret)) != 0)
        goto out;
    if (e2ee)
        e2c_cli_warn_short_tags("e2call join", suite_id);

    gst_init(NULL, NULL);
    e2c_selftest_register_plugin();
    GThread *warm_up = e2c_warm_up_dtls();

    j.loop = g_main_loop_new(NULL, FALSE);
    j.events = e2c_events_new(json ? stdout : NULL, quiet ? NULL : stderr);
    j.expect_media = opt_expect;
    j.snapshot_dir = snapshot;
    j.periodic = e2c_stats_sampler_new();
    j.on_request = e2c_stats_sampler_new();
    j.media = e2c_media_new();

    gchar *default_display = g_strdup_printf("e2call-%d", (int)getpid());
    gchar room_text[32];
    g_snprintf(room_text, sizeof(room_text), "%" G_GUINT64_FORMAT, cfg.room);
    cfg.display = display ? display : default_display;
    cfg.publish = !no_publish && (cfg.media.video || cfg.media.audio);
    cfg.subscribe = !no_subscribe;
    cfg.media.width = (guint)width;
    cfg.media.height = (guint)height;
    cfg.media.fps = (guint)fps;
    cfg.media.video_kbps = (guint)video_kbps;
    cfg.media.audio_kbps = (guint)audio_kbps;
    cfg.media.keyframe_interval_s = (guint)keyframe_interval;
    cfg.media.media_file = media_file;
    cfg.crypto.e2ee = e2ee;
    cfg.crypto.room = room_text;
    cfg.crypto.cipher_suite = suite_id;
    cfg.crypto.switch_delay_ms = (guint)delay_ms;
    cfg.crypto.grace_ms = e2c_grace_for_delay((guint)delay_ms);
    cfg.plain_requested = plain;
    cfg.latency_ms = (guint)latency;
    cfg.keep_last_frame = snapshot != NULL;
    cfg.connect_timeout_ms = (guint)connect_ms;
    cfg.reconnect_attempts = (guint)reconnect_attempts;
    cfg.ca_file = access.ca_file;
    cfg.api_secret = access.api_secret;
    cfg.token = access.token;
    cfg.room_pin = access.pin;
    struct e2c_participant_callbacks cb = {on_failed, on_left, NULL, NULL};
    j.p = e2c_participant_new(&cfg, j.media, NULL, j.events, &cb, &j);
    j.room_text = room_text;
    j.rekey_delay_ms = (guint)delay_ms;
    if (!no_control) {
        j.control = e2c_control_server_new(control, &join_ops, &j, &error);
        if (!j.control) {
            e2c_events_error(j.events, E2C_ERR_USAGE, "control socket: %s", error->message);
            status = E2C_EXIT_USAGE;
            e2c_secret_clear(&secret);
            e2c_participant_free(j.p);
            goto teardown;
        }
        json_t *e = e2c_event_new("control");
        json_object_set_new(e, "path", json_string(e2c_control_server_get_path(j.control)));
        e2c_events_emit(j.events, e);
    }

    if (e2ee) {
        /* PBKDF2 (600000 iterations) runs while the connection is set up. */
        d = g_new0(struct derivation, 1);
        d->j = &j;
        d->secret = secret;
        d->room = g_strdup(room_text);
        deriver = g_thread_new("derive-key", derive, d);
    } else if (!plain) {
        json_t *e = e2c_event_new("notice");
        json_object_set_new(e, "message",
                            json_string("no secret given: this call is not end-to-end encrypted"));
        e2c_events_emit(j.events, e);
    }

    if (opt_expect >= 0 && !duration)
        duration_ms = DEFAULT_EXPECT_DURATION_MS;
    if (duration_ms)
        j.duration_timer = g_timeout_add((guint)duration_ms, on_duration, &j);
    if (stats_interval > 0)
        j.stats_timer = g_timeout_add_seconds((guint)stats_interval, emit_stats, &j);
    guint sigint = g_unix_signal_add(SIGINT, on_signal, &j);
    guint sigterm = g_unix_signal_add(SIGTERM, on_signal, &j);

    e2c_participant_start(j.p);
    g_main_loop_run(j.loop);

    if (!j.finished)
        j.status = verdict(&j); /* the participant ended by itself (an error) */
    status = j.status;

    g_source_remove(sigint);
    g_source_remove(sigterm);
    if (j.duration_timer)
        g_source_remove(j.duration_timer);
    if (j.stats_timer)
        g_source_remove(j.stats_timer);
    if (deriver) {
        g_thread_join(deriver);
        /* key_ready may still be queued: run what is pending, then drop the key. */
        while (g_main_context_iteration(NULL, FALSE))
            ;
        if (d->key)
            e2c_key_unref(d->key);
        g_clear_error(&d->error);
        g_free(d->room);
        g_free(d);
    }
    while (j.rekeying)
        g_main_context_iteration(NULL, TRUE); /* its result arrives through the loop */
    e2c_control_server_free(j.control);
    e2c_participant_free(j.p);
teardown:
    g_thread_join(warm_up);
    e2c_media_free(j.media);
    e2c_events_free(j.events);
    e2c_stats_sampler_free(j.periodic);
    e2c_stats_sampler_free(j.on_request);
    g_main_loop_unref(j.loop);
    g_free(default_display);

out:
    g_free(argv_copy);
    g_option_context_free(ctx);
    g_clear_error(&error);
    e2c_secret_args_clear(&secret_args);
    e2c_router_access_clear(&access);
    e2c_router_args_clear(&router_args);
    g_free(server);
    g_free(room);
    g_free(display);
    g_free(video);
    g_free(audio);
    g_free(media_file);
    g_free(duration);
    g_free(snapshot);
    g_free(suite);
    g_free(rekey_delay);
    g_free(connect_timeout);
    g_free(control);
    return status;
}
