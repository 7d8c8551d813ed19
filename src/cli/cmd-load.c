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
#include "commands.h"
#include "errors.h"
#include "load-run.h"
#include "option-once.h"
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
    l.run = e2c_run_new(&run_cfg, &e2c_load_run_hooks, &l);
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
        mb->p = e2c_participant_new(&cfg, l.media, mb->publisher ? &l.source : NULL, l.events,
                                    &e2c_load_participant_callbacks, mb);
    }
    if (!no_control) {
        if (!e2c_run_serve_control(l.run, control, &e2c_load_control_ops, &l, &error)) {
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

    e2c_load_start(&l, ramp_rate, rekey_ms);
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
