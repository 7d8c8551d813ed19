/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call load: N participants in one process, on one main loop, in groups
 * with different secrets, and a verdict on who could decrypt whom. This
 * file reads the options and sets the run up; load-run.c runs it,
 * load-collect.c and src/verdict judge and report it.
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
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "codec-args.h"
#include "commands.h"
#include "errors.h"
#include "load-run.h"
#include "option-once.h"
#include "quality-args.h"
#include "router-args.h"
#include "selftest.h"
#include "sframe.h"
#include "suite-warning.h"

#define DEFAULT_MAX_BEHIND_S 1.0

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
            fprintf(stderr,
                    "e2call load: --expect-groups line %u: expected 'PARTICIPANT GROUP' "
                    "with PARTICIPANT 1-%u\n",
                    r + 1, l->n);
        g_strfreev(f);
    }
    g_strfreev(rows);
    g_free(text);
    return ok;
}

/* e2c_send_source_build() reports a missing element or codec as UNSUPPORTED. */
static gboolean
is_unsupported(const GError *error)
{
    return g_error_matches(error, E2C_ERROR, E2C_ERR_UNSUPPORTED);
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
    "fell behind, 13 (MEDIA_QUALITY_FAILED) when video froze beyond --max-freeze or\n"
    "--max-frozen or latency was above --max-latency, else the statuses of e2call(1).";

/* The options as given, and what they mean once checked. */
struct load_options {
    GOptionContext *ctx;
    gchar *server, *room, *secrets, *assign, *duration, *ramp, *max_loss, *max_behind;
    gchar *rekey_every, *video, *suite, *control, *rekey_delay, *expect_groups;
    gchar **impair;                /* --impair [WHO:]SPEC, repeatable */
    gint participants, publishers; /* publishers G_MININT: not given */
    gint width, height, fps, video_kbps, stats_interval, latency, index;
    gboolean json, decode, no_audio, no_control;
    struct e2c_router_args router_args;
    struct e2c_router_access access;
    struct e2c_report_args report;
    struct e2c_quality_args quality_args;
    /* checked */
    struct e2c_quality_limits quality;
    const char *url;
    guint64 room_id, duration_ms, rekey_ms, delay_ms;
    double ramp_rate, loss_limit, behind_limit;
    uint16_t suite_id;
    enum e2c_codec vcodec;
    struct e2c_impair_rule *rules;
    guint n_rules;
};

static void
options_clear(struct load_options *o)
{
    e2c_router_access_clear(&o->access);
    e2c_router_args_clear(&o->router_args);
    e2c_report_args_clear(&o->report);
    e2c_quality_args_clear(&o->quality_args);
    if (o->ctx)
        g_option_context_free(o->ctx);
    g_clear_pointer(&o->impair, g_strfreev);
    g_clear_pointer(&o->rules, g_free);
    gchar **strings[] = {&o->server, &o->room,     &o->secrets,     &o->assign,       &o->duration,
                         &o->ramp,   &o->max_loss, &o->max_behind,  &o->rekey_every,  &o->video,
                         &o->suite,  &o->control,  &o->rekey_delay, &o->expect_groups};
    for (unsigned i = 0; i < G_N_ELEMENTS(strings); i++)
        g_clear_pointer(strings[i], g_free);
}

/* Reads and checks the options into o: 0, or the exit status after a line on stderr. */
static int
parse_options(struct load_options *o, int argc, char **argv)
{
    GOptionEntry router_entries[E2C_ROUTER_ARGS_ENTRIES];
    e2c_router_args_entries(&o->router_args, E2C_ROUTER_ARGS_JOIN, router_entries);
    GOptionEntry report_entries[E2C_REPORT_ARGS_ENTRIES];
    e2c_report_args_entries(&o->report, report_entries);
    GOptionEntry quality_entries[E2C_QUALITY_ARGS_ENTRIES];
    e2c_quality_args_entries(&o->quality_args, quality_entries);
    GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &o->server,
         "Janus WebSocket URL (default: $E2CALL_SERVER)", "URL"},
        {"room", 'r', 0, G_OPTION_ARG_STRING, &o->room, "Room id (required)", "ID"},
        {"participants", 'n', 0, G_OPTION_ARG_INT, &o->participants,
         "Number of participants (required, 1-1000)", "N"},
        {"publishers", 'p', 0, G_OPTION_ARG_INT, &o->publishers,
         "How many of them publish (default: min(4, N))", "P"},
        {"secrets", 0, 0, G_OPTION_ARG_FILENAME, &o->secrets,
         "Secrets, one per line, assigned round-robin (required)", "FILE"},
        {"assign", 0, 0, G_OPTION_ARG_FILENAME, &o->assign,
         "Explicit assignment: lines 'PARTICIPANT LINE' (1-based); others round-robin", "FILE"},
        {"duration", 't', 0, G_OPTION_ARG_STRING, &o->duration, "Run for D (default 60s)", "D"},
        {"ramp", 0, 0, G_OPTION_ARG_STRING, &o->ramp, "Joins per second (default 5)", "R"},
        {"max-loss", 0, 0, G_OPTION_ARG_STRING, &o->max_loss,
         "Largest frame loss allowed per pair (receiver, publisher), in percent (default 1)",
         "PCT"},
        {"max-behind", 0, 0, G_OPTION_ARG_STRING, &o->max_behind,
         "Largest backlog allowed per pair at the end: frames a publisher of this process sent "
         "that its receiver has not yet received, as time (default 1s)",
         "D"},
        {"index", 0, 0, G_OPTION_ARG_INT, &o->index,
         "This process's index when one run spans several processes or machines (default 0): "
         "participants are named k<INDEX>-p<N> (p<N> for index 0) and take secrets from where the "
         "previous index's left off; merge the --json reports with scripts/merge-load-reports",
         "K"},
        {"expect-groups", 0, 0, G_OPTION_ARG_FILENAME, &o->expect_groups,
         "Expected groups, lines 'PARTICIPANT GROUP' (1-based), checked instead of the groups the "
         "secrets imply",
         "FILE"},
        {"rekey-every", 0, 0, G_OPTION_ARG_STRING, &o->rekey_every,
         "Rekey one secret group at a time, every D (default: never)", "D"},
        {"rekey-delay", 0, 0, G_OPTION_ARG_STRING, &o->rekey_delay,
         "Switch delay after a rekey (default 2s)", "D"},
        {"decode", 0, 0, G_OPTION_ARG_NONE, &o->decode,
         "Also decode every received stream (default: decrypt and authenticate only)", NULL},
        {"video", 0, 0, G_OPTION_ARG_STRING, &o->video,
         e2c_codec_arg_help(E2C_MEDIA_VIDEO, E2C_CODEC_VP8), "CODEC"},
        {"no-audio", 0, 0, G_OPTION_ARG_NONE, &o->no_audio, "Publish no audio", NULL},
        {"width", 0, 0, G_OPTION_ARG_INT, &o->width, "Video width (default 320)", "PIXELS"},
        {"height", 0, 0, G_OPTION_ARG_INT, &o->height, "Video height (default 240)", "PIXELS"},
        {"fps", 0, 0, G_OPTION_ARG_INT, &o->fps, "Frame rate (default 15)", "N"},
        {"video-bitrate", 0, 0, G_OPTION_ARG_INT, &o->video_kbps, "Video bitrate (default 300)",
         "KBIT/S"},
        {"cipher-suite", 0, 0, G_OPTION_ARG_STRING, &o->suite, "SFrame cipher suite (default 6)",
         "SUITE"},
        {"latency", 0, 0, G_OPTION_ARG_INT, &o->latency, "Jitter buffer in ms (default 50)", "MS"},
        {"impair", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->impair,
         "Network conditions for participants WHO (3, 1-5 or 10%; default all), e.g. "
         "2-3:loss=5%,dir=recv; repeatable, the last that names a participant wins (see e2call(1))",
         "[WHO:]SPEC"},
        {"stats-interval", 0, 0, G_OPTION_ARG_INT, &o->stats_interval,
         "Seconds between stats lines with --json (default 5; 0: none)", "S"},
        {"control", 'c', 0, G_OPTION_ARG_FILENAME, &o->control,
         "Serve the control socket (status, stats, leave) at PATH", "PATH"},
        {"no-control", 0, 0, G_OPTION_ARG_NONE, &o->no_control, "Serve no control socket", NULL},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &o->json,
         "Stats and the final report as JSON lines on standard output", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    o->ctx = g_option_context_new("- many participants with distinct secrets");
    const GOptionEntry *main_lists[] = {entries, quality_entries, report_entries, NULL};
    g_option_context_set_main_group(o->ctx,
                                    e2c_option_group_once_lists(NULL, NULL, NULL, main_lists));
    g_option_context_add_group(
        o->ctx, e2c_option_group_once("router", "Router access (API secret, token, room PIN, CA):",
                                      "Show the router access options", router_entries));
    g_option_context_add_group(o->ctx, gst_init_get_option_group());
    g_option_context_set_summary(o->ctx, summary);
    GError *error = NULL;
    int status = E2C_EXIT_USAGE;

    if (!g_option_context_parse(o->ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call load: %s\n", error->message);
        goto out;
    }
    o->url = e2c_server_url(o->server);
    if (argc > 1) {
        fprintf(stderr, "e2call load: unexpected argument '%s'\n", argv[1]);
        goto out;
    }
    if (!o->url || (!g_str_has_prefix(o->url, "ws://") && !g_str_has_prefix(o->url, "wss://"))) {
        fprintf(stderr, "e2call load: give --server ws://... (or set E2CALL_SERVER)\n");
        goto out;
    }
    if (!o->room || !e2c_parse_uint(o->room, 1, G_MAXINT64, &o->room_id)) {
        fprintf(stderr, "e2call load: give --room with a room number\n");
        goto out;
    }
    if (o->participants < 1 || o->participants > 1000) {
        fprintf(stderr, "e2call load: --participants must be 1-1000\n");
        goto out;
    }
    if (o->publishers == G_MININT)
        o->publishers = MIN(4, o->participants);
    if (o->publishers < 0) {
        fprintf(stderr, "e2call load: --publishers must be 0 or more\n");
        goto out;
    }
    if (o->publishers > o->participants) {
        fprintf(stderr, "e2call load: --publishers cannot exceed --participants\n");
        goto out;
    }
    if (!o->secrets) {
        fprintf(stderr, "e2call load: give --secrets FILE (one secret per line)\n");
        goto out;
    }
    if (o->duration && !e2c_parse_duration_ms(o->duration, &o->duration_ms)) {
        fprintf(
            stderr,
            "e2call load: --duration takes a time such as 60s or 2m (at most " E2C_DURATION_MAX_TEXT
            ")\n");
        goto out;
    }
    if (o->duration && !o->duration_ms) {
        fprintf(stderr, "e2call load: --duration must be more than 0\n");
        goto out;
    }
    if (o->ramp) {
        char *end = NULL;
        o->ramp_rate = g_ascii_strtod(o->ramp, &end);
        if (!end || *end || !(o->ramp_rate > 0 && o->ramp_rate <= 100)) {
            fprintf(stderr, "e2call load: --ramp takes joins per second, more than 0 up to 100\n");
            goto out;
        }
    }
    if (o->max_loss) {
        char *end = NULL;
        o->loss_limit = g_ascii_strtod(o->max_loss, &end);
        if (!end || *end || !(o->loss_limit >= 0 && o->loss_limit <= 100)) {
            fprintf(stderr, "e2call load: --max-loss takes a percentage from 0 to 100\n");
            goto out;
        }
    }
    if (o->max_behind) {
        guint64 ms = 0;
        if (!e2c_parse_duration_ms(o->max_behind, &ms)) {
            fprintf(stderr, "e2call load: --max-behind takes a time such as 1s or 500ms (at "
                            "most " E2C_DURATION_MAX_TEXT ")\n");
            goto out;
        }
        if (!ms) {
            fprintf(stderr, "e2call load: --max-behind must be more than 0\n");
            goto out;
        }
        o->behind_limit = ms / 1000.0;
    }
    if (o->rekey_every &&
        (!e2c_parse_duration_ms(o->rekey_every, &o->rekey_ms) || o->rekey_ms < 1000)) {
        fprintf(stderr,
                "e2call load: --rekey-every takes a time from 1s up to " E2C_DURATION_MAX_TEXT
                "\n");
        goto out;
    }
    if (o->rekey_delay && !e2c_parse_duration_ms(o->rekey_delay, &o->delay_ms)) {
        fprintf(stderr, "e2call load: --rekey-delay takes a time such as 2s or 0 (at "
                        "most " E2C_DURATION_MAX_TEXT ")\n");
        goto out;
    }
    if (o->video && !e2c_codec_arg_parse(o->video, E2C_MEDIA_VIDEO, &o->vcodec)) {
        fprintf(stderr, "e2call load: --video must be %s\n",
                e2c_codec_arg_choices(E2C_MEDIA_VIDEO));
        goto out;
    }
    if (o->suite && sframe_suite_parse(o->suite, &o->suite_id) != SFRAME_OK) {
        fprintf(stderr, "e2call load: --cipher-suite must be 1-8 or a suite name\n");
        goto out;
    }
    if (o->width < 160 || o->width > 3840 || o->height < 120 || o->height > 2160 || o->width % 2 ||
        o->height % 2) {
        fprintf(stderr, "e2call load: --width must be 160-3840 and --height 120-2160, both even\n");
        goto out;
    }
    if (o->fps < 1 || o->fps > 60 || o->video_kbps < 50 || o->video_kbps > 20000) {
        fprintf(stderr, "e2call load: --fps must be 1-60 and --video-bitrate 50-20000\n");
        goto out;
    }
    if (o->latency < 0 || o->latency > 5000 || o->stats_interval < 0 || o->stats_interval > 3600) {
        fprintf(stderr, "e2call load: --latency must be 0-5000 and --stats-interval 0-3600\n");
        goto out;
    }
    if (o->control && o->no_control) {
        fprintf(stderr, "e2call load: --control and --no-control contradict each other\n");
        goto out;
    }
    o->n_rules = o->impair ? g_strv_length(o->impair) : 0;
    o->rules = g_new0(struct e2c_impair_rule, MAX(o->n_rules, 1));
    for (guint i = 0; i < o->n_rules; i++) {
        char impair_error[E2C_IMPAIR_ERROR_LEN];
        if (!e2c_impair_rule_parse(o->impair[i], &o->rules[i], impair_error) ||
            !e2c_impair_rule_check(&o->rules[i], (uint32_t)o->participants, impair_error)) {
            fprintf(stderr, "e2call load: --impair '%s': %s\n", o->impair[i], impair_error);
            goto out;
        }
    }
    if (o->index < 0 || o->index > 100000) {
        fprintf(stderr, "e2call load: --index must be 0-100000\n");
        goto out;
    }
    if ((status = e2c_quality_args_check(&o->quality_args, "e2call load", &o->quality)) != 0)
        goto out;
    if ((status = e2c_report_args_check(&o->report, "e2call load")) != 0)
        goto out;
    if ((status = e2c_router_args_read(&o->router_args, "e2call load", &o->access)) != 0)
        goto out;
    e2c_router_warn_cleartext("e2call load", o->url, &o->access, o->json);
    e2c_cli_warn_short_tags("e2call load", o->suite_id);

out:
    g_clear_error(&error);
    return status;
}

/* One participant per member, the first n_pub publishing the shared source. */
static void
make_participants(struct load *l, const struct load_options *o,
                  const struct e2c_media_config *media)
{
    for (guint i = 0; i < l->n; i++) {
        struct member *mb = &l->m[i];
        mb->l = l;
        mb->index = i;
        mb->publisher = i < l->n_pub;
        mb->label =
            o->index ? g_strdup_printf("k%d-p%u", o->index, i + 1) : g_strdup_printf("p%u", i + 1);
        struct e2c_participant_config cfg = {0};
        cfg.server = o->url;
        cfg.room = o->room_id;
        cfg.display = mb->label;
        cfg.label = mb->label;
        cfg.publish = mb->publisher;
        cfg.subscribe = TRUE;
        cfg.media = *media;
        cfg.crypto.e2ee = TRUE;
        cfg.crypto.key = l->secrets.group_key[l->secrets.group_of[i]];
        cfg.crypto.room = l->room_text;
        cfg.crypto.cipher_suite = o->suite_id;
        cfg.crypto.switch_delay_ms = (guint)o->delay_ms;
        cfg.crypto.grace_ms = e2c_grace_for_delay((guint)o->delay_ms);
        cfg.latency_ms = (guint)o->latency;
        cfg.no_decode = !o->decode;
        cfg.shared_subscriptions = TRUE;
        cfg.connect_timeout_ms = 10000;
        cfg.reconnect_attempts = 10;
        cfg.ca_file = o->access.ca_file;
        cfg.api_secret = o->access.api_secret;
        cfg.token = o->access.token;
        cfg.room_pin = o->access.pin;
        /* The last --impair that names the participant. */
        for (guint r = 0; r < o->n_rules; r++)
            if (e2c_impair_rule_covers(&o->rules[r], i + 1, l->n))
                cfg.impair = o->rules[r].spec;
        if (cfg.impair.keys)
            e2c_impair_format(&cfg.impair, mb->impair);
        mb->p = e2c_participant_new(&cfg, l->media, mb->publisher ? &l->source : NULL, l->events,
                                    &e2c_load_participant_callbacks, mb);
    }
}

/* Sets the run up from o, runs it, reports and tears it down: the exit status. */
static int
run_load(const struct load_options *o)
{
    GError *error = NULL;
    int status = E2C_EXIT_USAGE;
    struct load l = {0};

    gst_init(NULL, NULL);
    e2c_selftest_register_plugin();
    l.room_text = g_strdup_printf("%" G_GUINT64_FORMAT, o->room_id);
    /* Keys first (one PBKDF2 per distinct secret), so no secret outlives this call. */
    if ((status = e2c_load_secrets_read(&l.secrets, o->secrets, o->assign, (guint)o->participants,
                                        (guint)o->index * (guint)o->participants, l.room_text)) !=
        0)
        goto out;
    l.n = (guint)o->participants;
    l.expected_group = g_new(guint, l.n);
    for (guint i = 0; i < l.n; i++)
        l.expected_group[i] = l.secrets.group_of[i];
    if (o->expect_groups && !read_expected_groups(&l, o->expect_groups)) {
        status = E2C_EXIT_USAGE;
        e2c_load_secrets_clear(&l.secrets);
        goto out;
    }
    GThread *warm_up = e2c_warm_up_dtls();

    struct e2c_run_config run_cfg = {"e2call load", o->duration_ms,
                                     o->json ? (guint)o->stats_interval : 0};
    l.run = e2c_run_new(&run_cfg, &e2c_load_run_hooks, &l);
    l.json = o->json;
    l.tty = isatty(STDERR_FILENO) && !o->json;
    l.events = o->json ? e2c_events_new(stdout, NULL) : NULL;
    l.media = e2c_pipeline_new();
    l.n = (guint)o->participants;
    l.n_pub = (guint)o->publishers;
    l.max_loss = o->loss_limit;
    l.report = &o->report;
    l.max_behind_s = o->behind_limit;
    l.quality = o->quality;
    l.video_fps = (guint)o->fps;
    l.sampler = e2c_stats_sampler_new();
    l.control_sampler = e2c_stats_sampler_new();
    l.m = g_new0(struct member, l.n);

    struct e2c_media_config media = {o->vcodec,
                                     o->no_audio ? E2C_CODEC_NONE : E2C_CODEC_OPUS,
                                     (guint)o->width,
                                     (guint)o->height,
                                     (guint)o->fps,
                                     (guint)o->video_kbps,
                                     32,
                                     10,
                                     NULL};
    if (l.n_pub > 0) {
        l.source_bin = gst_bin_new("shared-source");
        if (!e2c_send_source_build(GST_BIN(l.source_bin), &media, &l.source, &error)) {
            fprintf(stderr, "e2call load: %s\n", error->message);
            gst_object_unref(gst_object_ref_sink(l.source_bin));
            l.source_bin = NULL;
            status = is_unsupported(error) ? E2C_EXIT_UNSUPPORTED : E2C_EXIT_FAILURE;
            goto teardown;
        }
        e2c_pipeline_add(l.media, l.source_bin);
    }
    make_participants(&l, o, &media);
    if (!o->no_control) {
        if (!e2c_run_serve_control(l.run, o->control, &e2c_load_control_ops, &l, &error)) {
            fprintf(stderr, "e2call load: control socket: %s\n", error->message);
            status = E2C_EXIT_USAGE;
            goto teardown;
        }
        if (o->json) {
            json_t *e = e2c_event_new("control");
            json_object_set_new(e, "path", json_string(e2c_run_control_path(l.run)));
            e2c_events_emit(l.events, e);
        } else {
            fprintf(stderr, "e2call load: control socket %s\n", e2c_run_control_path(l.run));
        }
    }
    if (!o->json)
        fprintf(stderr,
                "e2call load: %u participants (%u publishing), %u secret group(s), room "
                "%s, %.0f s\n",
                l.n, l.n_pub, l.secrets.n_groups, l.room_text, o->duration_ms / 1000.0);

    e2c_load_start(&l, o->ramp_rate, o->rekey_ms);
    e2c_run_loop(l.run);
    status = l.status;
    e2c_load_stop(&l);
teardown:
    g_thread_join(warm_up);
    for (guint i = 0; i < l.n; i++) {
        e2c_participant_free(l.m[i].p);
        g_free(l.m[i].label);
        g_free(l.m[i].error);
    }
    g_free(l.m);
    if (l.source_bin)
        e2c_pipeline_remove(l.media, l.source_bin);
    e2c_pipeline_free(l.media);
    e2c_events_free(l.events);
    e2c_stats_sampler_free(l.sampler);
    e2c_stats_sampler_free(l.control_sampler);
    e2c_run_free(l.run);
    e2c_load_secrets_clear(&l.secrets);
out:
    g_free(l.expected_group);
    g_free(l.room_text);
    g_clear_error(&error);
    return status;
}

int
e2c_cmd_load(int argc, char **argv)
{
    struct load_options o = {
        .publishers = G_MININT,
        .width = 320,
        .height = 240,
        .fps = 15,
        .video_kbps = 300,
        .stats_interval = 5,
        .latency = 50,
        .duration_ms = 60000,
        .delay_ms = 2000,
        .ramp_rate = 5,
        .loss_limit = 1,
        .behind_limit = DEFAULT_MAX_BEHIND_S,
        .suite_id = SFRAME_DEFAULT_SUITE,
        .vcodec = E2C_CODEC_VP8,
    };
    int status = parse_options(&o, argc, argv);
    if (status == 0)
        status = run_load(&o);
    options_clear(&o);
    return status;
}
