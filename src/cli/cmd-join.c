/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call join: one participant in a routed E2EE call. Publishes a test
 * pattern and tone (or a file), receives everyone else, reports the events
 * of e2call(1), EVENTS, and exits with a status a CI job can act on.
 */
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "codec-args.h"
#include "commands.h"
#include "errors.h"
#include "join-call.h"
#include "join-verdict.h"
#include "keysched.h"
#include "option-once.h"
#include "quality-args.h"
#include "report-args.h"
#include "router-args.h"
#include "secret-args.h"
#include "selftest.h"
#include "sframe.h"
#include "suite-warning.h"

#define DEFAULT_LATENCY_MS 50
#define DEFAULT_EXPECT_DURATION_MS 20000

/* ---- option values ----------------------------------------------------------- */

static gint64 opt_expect = E2C_EXPECT_MEDIA_NOT_ASKED;

/* Without a value: E2C_EXPECT_MEDIA_ALL (0), as e2c_parse_expect_media() gives. */
G_STATIC_ASSERT(E2C_EXPECT_MEDIA_ALL == 0);

static gboolean
parse_expect_media(const gchar *name, const gchar *value, gpointer data, GError **error)
{
    return e2c_parse_expect_media(value, &opt_expect, error);
}

/* ---- the command ---------------------------------------------------------------- */

static const char *summary =
    "Joins a Janus VideoRoom, publishes a test pattern and a 440 Hz tone (or a file), and\n"
    "receives every other publisher. With a secret, all media is end-to-end encrypted\n"
    "(SFrame); without one, the call is plain (rooms that require E2EE refuse it).\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 INVALID_ENCRYPTION_SECRET, 4 ENCRYPTION_SECRET_MISSING,\n"
    "5 ENCRYPTION_SECRET_MISMATCH, 6 DECRYPTION/ENCRYPTION_INTERNAL_ERROR, 7 UNSUPPORTED,\n"
    "8 CONNECT_FAILED, 9 STREAM_CREATE_FAILED/UNABLE_TO_SUBSCRIBE, 10 MEDIA_CHECK_FAILED,\n"
    "13 MEDIA_QUALITY_FAILED.";

/* The options as given, and what they mean once checked. */
struct join_options {
    GOptionContext *ctx;
    gchar *server, *room, *display, *video, *audio, *media_file, *duration, *snapshot, *suite;
    gchar *rekey_delay, *connect_timeout, *control, *impair;
    gboolean no_control, json, quiet, plain, no_publish, no_subscribe;
    gint width, height, fps, video_kbps, audio_kbps;
    gint latency, stats_interval, keyframe_interval, reconnect_attempts;
    struct e2c_secret_args secret_args;
    struct e2c_router_args router_args;
    struct e2c_router_access access;
    struct e2c_report_args report;
    struct e2c_quality_args quality_args;
    /* checked */
    struct e2c_participant_config cfg; /* server, room, codecs */
    struct e2c_quality_limits quality;
    guint64 duration_ms, delay_ms, connect_ms;
    uint16_t suite_id;
    gboolean e2ee;
    struct e2c_secret secret; /* moves into the key derivation */
};

static void
options_clear(struct join_options *o)
{
    e2c_secret_clear(&o->secret);
    e2c_secret_args_clear(&o->secret_args);
    e2c_router_access_clear(&o->access);
    e2c_router_args_clear(&o->router_args);
    e2c_report_args_clear(&o->report);
    e2c_quality_args_clear(&o->quality_args);
    if (o->ctx)
        g_option_context_free(o->ctx);
    gchar **strings[] = {&o->server, &o->room,        &o->display,         &o->video,
                         &o->audio,  &o->media_file,  &o->duration,        &o->snapshot,
                         &o->suite,  &o->rekey_delay, &o->connect_timeout, &o->control,
                         &o->impair};
    for (unsigned i = 0; i < G_N_ELEMENTS(strings); i++)
        g_clear_pointer(strings[i], g_free);
}

/* Reads and checks the options into o (the secret too): 0, or the exit status. */
static int
parse_options(struct join_options *o, int argc, char **argv)
{
    GOptionEntry secret_entries[5];
    e2c_secret_args_entries(&o->secret_args, secret_entries);
    GOptionEntry router_entries[E2C_ROUTER_ARGS_ENTRIES];
    e2c_router_args_entries(&o->router_args, E2C_ROUTER_ARGS_JOIN, router_entries);
    GOptionEntry report_entries[E2C_REPORT_ARGS_ENTRIES];
    e2c_report_args_entries(&o->report, report_entries);
    GOptionEntry quality_entries[E2C_QUALITY_ARGS_ENTRIES];
    e2c_quality_args_entries(&o->quality_args, quality_entries);
    opt_expect = E2C_EXPECT_MEDIA_NOT_ASKED;
    GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &o->server,
         "Janus WebSocket URL (default: $E2CALL_SERVER)", "URL"},
        {"room", 'r', 0, G_OPTION_ARG_STRING, &o->room, "VideoRoom room id (required)", "ID"},
        {"display", 'd', 0, G_OPTION_ARG_STRING, &o->display, "Display name (default: e2call-PID)",
         "NAME"},
        {"plain", 0, 0, G_OPTION_ARG_NONE, &o->plain,
         "Join without end-to-end encryption, even where the room requires it (the router "
         "then refuses to publish)",
         NULL},
        {"video", 0, 0, G_OPTION_ARG_STRING, &o->video,
         e2c_codec_arg_help(E2C_MEDIA_VIDEO, E2C_CODEC_VP8), "CODEC"},
        {"audio", 0, 0, G_OPTION_ARG_STRING, &o->audio,
         e2c_codec_arg_help(E2C_MEDIA_AUDIO, E2C_CODEC_OPUS), "CODEC"},
        {"width", 0, 0, G_OPTION_ARG_INT, &o->width, "Video width (default 640)", "PIXELS"},
        {"height", 0, 0, G_OPTION_ARG_INT, &o->height, "Video height (default 480)", "PIXELS"},
        {"fps", 0, 0, G_OPTION_ARG_INT, &o->fps, "Frame rate (default 30)", "N"},
        {"video-bitrate", 0, 0, G_OPTION_ARG_INT, &o->video_kbps, "Video bitrate (default 800)",
         "KBIT/S"},
        {"audio-bitrate", 0, 0, G_OPTION_ARG_INT, &o->audio_kbps, "Audio bitrate (default 32)",
         "KBIT/S"},
        {"keyframe-interval", 0, 0, G_OPTION_ARG_INT, &o->keyframe_interval,
         "Seconds between video keyframes (default 10; receivers also ask for them)", "S"},
        {"media-file", 0, 0, G_OPTION_ARG_FILENAME, &o->media_file,
         "Publish this file instead of the test pattern and tone", "PATH"},
        {"no-publish", 0, 0, G_OPTION_ARG_NONE, &o->no_publish, "Only receive", NULL},
        {"no-subscribe", 0, 0, G_OPTION_ARG_NONE, &o->no_subscribe, "Only send", NULL},
        {"duration", 't', 0, G_OPTION_ARG_STRING, &o->duration,
         "Leave after D (e.g. 15s, 2m; default: until interrupted, or 20s with --expect-media)",
         "D"},
        {"expect-media", 'e', G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_expect_media,
         "Exit 0 only if N remote streams (default: every one seen) were decrypted and decoded "
         "to what was sent, else 10 (MEDIA_CHECK_FAILED)",
         "N"},
        {"snapshot", 0, 0, G_OPTION_ARG_FILENAME, &o->snapshot,
         "At the end, write the last decoded frame of each remote video as PNG into DIR", "DIR"},
        {"cipher-suite", 0, 0, G_OPTION_ARG_STRING, &o->suite,
         "SFrame cipher suite 1-8 or its name (default 6, AES_256_CTR_HMAC_SHA512_80)", "SUITE"},
        {"rekey-delay", 0, 0, G_OPTION_ARG_STRING, &o->rekey_delay,
         "After a rekey, keep sending under the old secret this long (default 2s; 0: at once)",
         "D"},
        {"control", 'c', 0, G_OPTION_ARG_FILENAME, &o->control,
         "Serve the control socket (rekey, status, stats, leave) at PATH (default: "
         "$XDG_RUNTIME_DIR/e2call/join-PID.sock, see e2call-control(7))",
         "PATH"},
        {"no-control", 0, 0, G_OPTION_ARG_NONE, &o->no_control, "Serve no control socket", NULL},
        {"latency", 0, 0, G_OPTION_ARG_INT, &o->latency, "Jitter buffer in ms (default 50)", "MS"},
        {"impair", 0, 0, G_OPTION_ARG_STRING, &o->impair,
         "Network conditions on our RTP streams, e.g. delay=200ms,jitter=20ms,loss=5%,"
         "rate=500kbit,stall=2s@10s,dir=send (send, recv or both; see e2call(1))",
         "SPEC"},
        {"stats-interval", 0, 0, G_OPTION_ARG_INT, &o->stats_interval,
         "Seconds between stats events (default 5; 0: none)", "S"},
        {"reconnect-attempts", 0, 0, G_OPTION_ARG_INT, &o->reconnect_attempts,
         "After losing the router, try this many times to reconnect (new session, join, "
         "publish, subscribe) before CONNECT_FAILED (default 10; 0: never)",
         "N"},
        {"connect-timeout", 0, 0, G_OPTION_ARG_STRING, &o->connect_timeout,
         "Give up reaching the router after D (default 10s)", "D"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &o->json, "Events as JSON lines on standard output",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "No readable event lines on standard error",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    o->ctx = g_option_context_new("- join a room with end-to-end encrypted media");
    const GOptionEntry *main_lists[] = {entries, quality_entries, report_entries, NULL};
    g_option_context_set_main_group(o->ctx,
                                    e2c_option_group_once_lists(NULL, NULL, NULL, main_lists));
    g_option_context_add_group(
        o->ctx, e2c_option_group_once("secret", "Secret sources (exactly one for E2EE):",
                                      "Show the secret options", secret_entries));
    g_option_context_add_group(
        o->ctx, e2c_option_group_once("router", "Router access (API secret, token, room PIN, CA):",
                                      "Show the router access options", router_entries));
    g_option_context_add_group(o->ctx, gst_init_get_option_group());
    g_option_context_set_summary(o->ctx, summary);
    GError *error = NULL;
    char **argv_copy = g_memdup2(argv, sizeof(char *) * (gsize)(argc + 1));
    int argc_copy = argc;
    int status = E2C_EXIT_USAGE;

    if (!g_option_context_parse(o->ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call join: %s\n", error->message);
        goto out;
    }
    e2c_secret_args_scrub_argv(argc_copy, argv_copy);
    if (argc > 1) {
        fprintf(stderr, "e2call join: unexpected argument '%s'\n", argv[1]);
        goto out;
    }
    o->cfg.server = e2c_server_url(o->server);
    if (!o->cfg.server) {
        fprintf(stderr, "e2call join: give --server URL (or set E2CALL_SERVER)\n");
        goto out;
    }
    if (!g_str_has_prefix(o->cfg.server, "ws://") && !g_str_has_prefix(o->cfg.server, "wss://")) {
        fprintf(stderr, "e2call join: --server must be a ws:// or wss:// URL, not '%s'\n",
                o->cfg.server);
        goto out;
    }
    if (!o->room || !e2c_parse_uint(o->room, 1, G_MAXINT64, &o->cfg.room)) {
        fprintf(stderr, "e2call join: give --room with a room number (1 to 2^63-1)%s%s%s\n",
                o->room ? ", not '" : "", o->room ? o->room : "", o->room ? "'" : "");
        goto out;
    }
    o->cfg.media.video = E2C_CODEC_VP8;
    o->cfg.media.audio = E2C_CODEC_OPUS;
    if (o->video && !e2c_codec_arg_parse(o->video, E2C_MEDIA_VIDEO, &o->cfg.media.video)) {
        fprintf(stderr, "e2call join: --video must be %s, not '%s'\n",
                e2c_codec_arg_choices(E2C_MEDIA_VIDEO), o->video);
        goto out;
    }
    if (o->audio && !e2c_codec_arg_parse(o->audio, E2C_MEDIA_AUDIO, &o->cfg.media.audio)) {
        fprintf(stderr, "e2call join: --audio must be %s, not '%s'\n",
                e2c_codec_arg_choices(E2C_MEDIA_AUDIO), o->audio);
        goto out;
    }
    if (o->width < 160 || o->width > 3840 || o->height < 120 || o->height > 2160 || o->width % 2 ||
        o->height % 2) {
        fprintf(stderr, "e2call join: --width must be 160-3840 and --height 120-2160, both even\n");
        goto out;
    }
    if (o->fps < 1 || o->fps > 60 || o->video_kbps < 50 || o->video_kbps > 20000 ||
        o->audio_kbps < 6 || o->audio_kbps > 510) {
        fprintf(stderr, "e2call join: --fps must be 1-60, --video-bitrate 50-20000 and "
                        "--audio-bitrate 6-510\n");
        goto out;
    }
    if (o->reconnect_attempts < 0 || o->reconnect_attempts > 1000) {
        fprintf(stderr, "e2call join: --reconnect-attempts must be 0-1000\n");
        goto out;
    }
    if (o->latency < 0 || o->latency > 5000 || o->stats_interval < 0 || o->stats_interval > 3600 ||
        o->keyframe_interval < 1 || o->keyframe_interval > 3600) {
        fprintf(stderr, "e2call join: --latency must be 0-5000, --stats-interval 0-3600 and "
                        "--keyframe-interval 1-3600\n");
        goto out;
    }
    char impair_error[E2C_IMPAIR_ERROR_LEN];
    if (o->impair && !e2c_impair_parse(o->impair, &o->cfg.impair, impair_error)) {
        fprintf(stderr, "e2call join: --impair: %s\n", impair_error);
        goto out;
    }
    if (o->media_file && !g_file_test(o->media_file, G_FILE_TEST_IS_REGULAR)) {
        fprintf(stderr, "e2call join: --media-file '%s' is not a readable file\n", o->media_file);
        goto out;
    }
    if (o->snapshot && !g_file_test(o->snapshot, G_FILE_TEST_IS_DIR)) {
        fprintf(stderr, "e2call join: --snapshot '%s' is not a directory\n", o->snapshot);
        goto out;
    }
    if (o->duration && !e2c_parse_duration_ms(o->duration, &o->duration_ms)) {
        fprintf(
            stderr,
            "e2call join: --duration takes a time such as 15s or 2m (at most " E2C_DURATION_MAX_TEXT
            "), not '%s'\n",
            o->duration);
        goto out;
    }
    if (o->duration && o->duration_ms == 0) {
        fprintf(stderr, "e2call join: --duration must be more than 0 (without it, the call lasts "
                        "until interrupted)\n");
        goto out;
    }
    if (o->rekey_delay && !e2c_parse_duration_ms(o->rekey_delay, &o->delay_ms)) {
        fprintf(stderr,
                "e2call join: --rekey-delay takes a time such as 2s or 0 (at "
                "most " E2C_DURATION_MAX_TEXT "), not '%s'\n",
                o->rekey_delay);
        goto out;
    }
    if (o->connect_timeout && !e2c_parse_duration_ms(o->connect_timeout, &o->connect_ms)) {
        fprintf(stderr,
                "e2call join: --connect-timeout takes a time such as 10s (at "
                "most " E2C_DURATION_MAX_TEXT "), not '%s'\n",
                o->connect_timeout);
        goto out;
    }
    if (o->connect_timeout && o->connect_ms == 0) {
        fprintf(stderr, "e2call join: --connect-timeout must be more than 0\n");
        goto out;
    }
    if (o->suite && sframe_suite_parse(o->suite, &o->suite_id) != SFRAME_OK) {
        fprintf(stderr, "e2call join: --cipher-suite must be 1-8 or a suite name, not '%s'\n",
                o->suite);
        goto out;
    }
    if (o->no_publish && o->no_subscribe) {
        fprintf(stderr, "e2call join: --no-publish and --no-subscribe leave nothing to do\n");
        goto out;
    }
    if (o->plain && e2c_secret_args_given(&o->secret_args)) {
        fprintf(stderr, "e2call join: --plain and a secret contradict each other\n");
        goto out;
    }
    if (o->control && o->no_control) {
        fprintf(stderr, "e2call join: --control and --no-control contradict each other\n");
        goto out;
    }
    if (opt_expect >= 0 && o->no_subscribe) {
        fprintf(stderr, "e2call join: --expect-media needs subscribing\n");
        goto out;
    }
    if ((status = e2c_quality_args_check(&o->quality_args, "e2call join", &o->quality)) != 0)
        goto out;
    status = E2C_EXIT_USAGE;
    if (e2c_quality_limits_asked(&o->quality) && o->no_subscribe) {
        fprintf(stderr,
                "e2call join: --max-freeze, --max-frozen and --max-latency need subscribing\n");
        goto out;
    }
    if ((status = e2c_report_args_check(&o->report, "e2call join")) != 0)
        goto out;
    if ((status = e2c_router_args_read(&o->router_args, "e2call join", &o->access)) != 0)
        goto out;
    e2c_router_warn_cleartext("e2call join", o->cfg.server, &o->access, o->json);

    o->e2ee = e2c_secret_args_given(&o->secret_args);
    if (o->e2ee && (status = e2c_secret_args_read(&o->secret_args, "e2call join", &o->secret)) != 0)
        goto out;
    if (o->e2ee)
        e2c_cli_warn_short_tags("e2call join", o->suite_id);

out:
    g_free(argv_copy);
    g_clear_error(&error);
    return status;
}

/* Sets the call up from o, runs it, judges and tears it down: the exit status. */
static int
run_join(struct join_options *o)
{
    GError *error = NULL;
    int status;
    struct join j = {0};

    gst_init(NULL, NULL);
    e2c_selftest_register_plugin();
    GThread *warm_up = e2c_warm_up_dtls();

    j.events = e2c_events_new(o->json ? stdout : NULL, o->quiet ? NULL : stderr);
    j.expect_media = opt_expect;
    j.quality = o->quality;
    j.snapshot_dir = o->snapshot;
    j.periodic = e2c_stats_sampler_new();
    j.on_request = e2c_stats_sampler_new();
    j.media = e2c_pipeline_new();
    j.report = &o->report;
    j.e2ee = o->e2ee;

    gchar *default_display = g_strdup_printf("e2call-%d", (int)getpid());
    gchar room_text[32];
    g_snprintf(room_text, sizeof(room_text), "%" G_GUINT64_FORMAT, o->cfg.room);
    o->cfg.display = o->display ? o->display : default_display;
    o->cfg.publish = !o->no_publish && (o->cfg.media.video || o->cfg.media.audio);
    o->cfg.subscribe = !o->no_subscribe;
    o->cfg.media.width = (guint)o->width;
    o->cfg.media.height = (guint)o->height;
    o->cfg.media.fps = (guint)o->fps;
    o->cfg.media.video_kbps = (guint)o->video_kbps;
    o->cfg.media.audio_kbps = (guint)o->audio_kbps;
    o->cfg.media.keyframe_interval_s = (guint)o->keyframe_interval;
    o->cfg.media.media_file = o->media_file;
    o->cfg.crypto.e2ee = o->e2ee;
    o->cfg.crypto.room = room_text;
    o->cfg.crypto.cipher_suite = o->suite_id;
    o->cfg.crypto.switch_delay_ms = (guint)o->delay_ms;
    o->cfg.crypto.grace_ms = e2c_grace_for_delay((guint)o->delay_ms);
    o->cfg.plain_requested = o->plain;
    o->cfg.latency_ms = (guint)o->latency;
    o->cfg.keep_last_frame = o->snapshot != NULL;
    o->cfg.connect_timeout_ms = (guint)o->connect_ms;
    o->cfg.reconnect_attempts = (guint)o->reconnect_attempts;
    o->cfg.ca_file = o->access.ca_file;
    o->cfg.api_secret = o->access.api_secret;
    o->cfg.token = o->access.token;
    o->cfg.room_pin = o->access.pin;
    j.p =
        e2c_participant_new(&o->cfg, j.media, NULL, j.events, &e2c_join_participant_callbacks, &j);
    j.room_text = room_text;
    j.rekey_delay_ms = (guint)o->delay_ms;
    if (opt_expect >= 0 && !o->duration)
        o->duration_ms = DEFAULT_EXPECT_DURATION_MS;
    struct e2c_run_config run_cfg = {"e2call join", o->duration_ms, (guint)o->stats_interval};
    j.run = e2c_run_new(&run_cfg, &e2c_join_run_hooks, &j);
    if (!o->no_control) {
        if (!e2c_run_serve_control(j.run, o->control, &e2c_join_control_ops, &j, &error)) {
            e2c_events_error(j.events, E2C_ERR_USAGE, "control socket: %s", error->message);
            status = E2C_EXIT_USAGE;
            e2c_secret_clear(&o->secret);
            e2c_participant_free(j.p);
            goto teardown;
        }
        json_t *e = e2c_event_new("control");
        json_object_set_new(e, "path", json_string(e2c_run_control_path(j.run)));
        e2c_events_emit(j.events, e);
    }

    if (o->e2ee) {
        e2c_join_derive_key(&j, &o->secret);
    } else if (!o->plain) {
        json_t *e = e2c_event_new("notice");
        json_object_set_new(e, "message",
                            json_string("no secret given: this call is not end-to-end encrypted"));
        e2c_events_emit(j.events, e);
    }

    j.start_us = g_get_monotonic_time();
    e2c_participant_start(j.p);
    e2c_join_start_metrics(&j);
    e2c_run_loop(j.run);
    g_clear_handle_id(&j.metrics_timer, g_source_remove);

    if (!e2c_run_finished(j.run))
        j.status = e2c_join_verdict(&j); /* the participant ended by itself (an error) */
    status = j.status;
    /* A CI job that asked for a report and got none must not see success. */
    if (status == 0 && j.report_failed)
        status = E2C_EXIT_FAILURE;

    e2c_join_settle(&j);
    e2c_participant_free(j.p);
teardown:
    g_thread_join(warm_up);
    e2c_pipeline_free(j.media);
    e2c_events_free(j.events);
    e2c_stats_sampler_free(j.periodic);
    e2c_stats_sampler_free(j.on_request);
    e2c_run_free(j.run);
    g_free(j.fatal_message);
    g_free(default_display);

    g_clear_error(&error);
    return status;
}

int
e2c_cmd_join(int argc, char **argv)
{
    struct join_options o = {
        .width = 640,
        .height = 480,
        .fps = 30,
        .video_kbps = 800,
        .audio_kbps = 32,
        .latency = DEFAULT_LATENCY_MS,
        .stats_interval = 5,
        .keyframe_interval = 10,
        .reconnect_attempts = 10,
        .delay_ms = 2000,
        .connect_ms = 10000,
        .suite_id = SFRAME_DEFAULT_SUITE,
    };
    int status = parse_options(&o, argc, argv);
    if (status == 0)
        status = run_join(&o);
    options_clear(&o);
    return status;
}
