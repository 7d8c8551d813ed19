/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call web serve: the page over HTTP for any browser; e2call web join: a
 * headless Chromium participant (cmd-web-join.c). Option parsing here.
 */
#include "cmd-web.h"

#include <arpa/inet.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "cmd-web-server.h"
#include "commands.h"
#include "errors.h"
#include "option-once.h"
#include "secret-args.h"
#include "sframe.h"

static int
usage(FILE *f)
{
    fprintf(f, "Usage: e2call web serve [--listen ADDR:PORT] [--server URL]\n"
               "       e2call web join [--server URL] --room ID [SECRET SOURCE] [OPTIONS...]\n\n"
               "The browser participant: serve the page to any browser, or run one in a\n"
               "headless Chromium. 'e2call web serve --help', 'e2call web join --help'.\n");
    return f == stdout ? E2C_EXIT_OK : E2C_EXIT_USAGE;
}

static gboolean
quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

/* ADDR:PORT with a numeric IPv4 address (or "localhost", 127.0.0.1). No
 * names: libwebsockets takes one for an interface, and one it does not know
 * for an interface yet to come, listening nowhere meanwhile. */
static gboolean
parse_listen(const char *text, gchar **addr, int *port)
{
    const char *colon = strrchr(text, ':');
    guint64 p;
    struct in_addr a;
    if (!colon || colon == text || !e2c_parse_uint(colon + 1, 1, 65535, &p))
        return FALSE;
    gchar *host = g_strndup(text, (gsize)(colon - text));
    if (strcmp(host, "localhost") == 0) {
        g_free(host);
        host = g_strdup("127.0.0.1");
    }
    if (inet_pton(AF_INET, host, &a) != 1) {
        g_free(host);
        return FALSE;
    }
    *addr = host;
    *port = (int)p;
    return TRUE;
}

static int
web_serve(int argc, char **argv)
{
    gchar *listen = NULL, *server = NULL;
    GOptionEntry entries[] = {
        {"listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
         "Serve on ADDR:PORT, a numeric IPv4 address or localhost (default 127.0.0.1:8080; "
         "other addresses reach other machines)",
         "ADDR:PORT"},
        {"server", 's', 0, G_OPTION_ARG_STRING, &server,
         "The Janus WebSocket URL the page proposes (default: $E2CALL_SERVER)", "URL"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- serve the browser participant's page");
    g_option_context_set_main_group(ctx, e2c_option_group_once(NULL, NULL, NULL, entries));
    GError *error = NULL;
    int status = E2C_EXIT_USAGE, port = 8080;
    gchar *addr = NULL, *dir = NULL;
    struct e2c_web_server *s = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call web serve: %s\n", error->message);
        goto out;
    }
    if (argc > 1) {
        fprintf(stderr, "e2call web serve: unexpected argument '%s'\n", argv[1]);
        goto out;
    }
    if (listen && !parse_listen(listen, &addr, &port)) {
        fprintf(stderr,
                "e2call web serve: --listen takes ADDR:PORT (a numeric IPv4 address or "
                "localhost, port 1-65535), not '%s'\n",
                listen);
        goto out;
    }
    const char *url = e2c_server_url(server);
    if (url && !e2c_server_url_valid(url)) {
        fprintf(stderr, "e2call web serve: --server must be a ws:// or wss:// URL\n");
        goto out;
    }
    status = E2C_EXIT_UNSUPPORTED;
    if (!(dir = e2c_web_dir(&error))) {
        fprintf(stderr, "e2call web serve: %s\n", error->message);
        goto out;
    }
    status = E2C_EXIT_FAILURE;
    if (!(s = e2c_web_server_start(dir, addr ? addr : "127.0.0.1", port, &error))) {
        fprintf(stderr, "e2call web serve: %s\n", error->message);
        goto out;
    }
    /* The handlers before the address: whoever waits for the line may stop
     * it at once, and that is an interruption, not a kill. */
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    guint a = g_unix_signal_add(SIGINT, quit, loop), b = g_unix_signal_add(SIGTERM, quit, loop);
    gchar *query = url ? g_uri_escape_string(url, NULL, FALSE) : NULL;
    printf("e2call web serve: serving %s\nopen http://%s:%d/%s%s\n", dir, addr ? addr : "127.0.0.1",
           e2c_web_server_port(s), query ? "?server=" : "", query ? query : "");
    fflush(stdout);
    g_free(query);
    g_main_loop_run(loop);
    g_source_remove(a);
    g_source_remove(b);
    g_main_loop_unref(loop);
    status = E2C_EXIT_OK;
out:
    e2c_web_server_stop(s);
    g_clear_error(&error);
    g_option_context_free(ctx);
    g_free(listen);
    g_free(server);
    g_free(addr);
    g_free(dir);
    return status;
}

static gint64 opt_expect = -1;

static gboolean
parse_expect_media(const gchar *name, const gchar *value, gpointer data, GError **error)
{
    (void)name;
    (void)data;
    return e2c_parse_expect_media(value, &opt_expect, error);
}

static gboolean
read_rekey_secret(const char *path, struct e2c_secret *out)
{
    struct e2c_secret_args a = {.file = g_strdup(path)};
    int rc = e2c_secret_args_read(&a, "e2call web join", out);
    e2c_secret_args_clear(&a);
    return rc == 0;
}

static int
web_join(int argc, char **argv)
{
    gchar *server = NULL, *room = NULL, *display = NULL, *video = NULL, *audio = NULL;
    gchar *duration = NULL, *suite = NULL, *rekey_file = NULL, *rekey_at = NULL,
          *rekey_delay = NULL;
    gint width = 320, height = 240, fps = 15, stats_interval = 5;
    gboolean json = FALSE, quiet = FALSE;
    struct e2c_secret_args secret_args = {0};
    GOptionEntry secret_entries[5];
    e2c_secret_args_entries(&secret_args, secret_entries);
    GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &server,
         "Janus WebSocket URL (default: $E2CALL_SERVER)", "URL"},
        {"room", 'r', 0, G_OPTION_ARG_STRING, &room, "Room number (required)", "ID"},
        {"display", 'd', 0, G_OPTION_ARG_STRING, &display, "Display name (default: browser-PID)",
         "NAME"},
        {"video", 0, 0, G_OPTION_ARG_STRING, &video, "vp8 (default), vp9, h264 or none", "CODEC"},
        {"audio", 0, 0, G_OPTION_ARG_STRING, &audio, "opus (default) or none", "CODEC"},
        {"width", 0, 0, G_OPTION_ARG_INT, &width, "Video width (default 320)", "PIXELS"},
        {"height", 0, 0, G_OPTION_ARG_INT, &height, "Video height (default 240)", "PIXELS"},
        {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frame rate (default 15)", "N"},
        {"duration", 't', 0, G_OPTION_ARG_STRING, &duration,
         "Leave after D (default: until interrupted, or 20s with --expect-media)", "D"},
        {"expect-media", 'e', G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_expect_media,
         "Exit 0 only if N remote streams (default: every one seen) were decrypted and decoded "
         "to what was sent, else 10 (MEDIA_CHECK_FAILED)",
         "N"},
        {"cipher-suite", 0, 0, G_OPTION_ARG_STRING, &suite,
         "SFrame cipher suite 1-8 or its name (default 6)", "SUITE"},
        {"rekey-file", 0, 0, G_OPTION_ARG_FILENAME, &rekey_file,
         "At --rekey-at, rekey to the secret in this file", "PATH"},
        {"rekey-at", 0, 0, G_OPTION_ARG_STRING, &rekey_at,
         "When to rekey to --rekey-file, counted from the start (e.g. 8s)", "D"},
        {"rekey-delay", 0, 0, G_OPTION_ARG_STRING, &rekey_delay,
         "After a rekey, keep sending under the old secret this long (default 2s)", "D"},
        {"stats-interval", 0, 0, G_OPTION_ARG_INT, &stats_interval,
         "Seconds between stats events (default 5; 0: none)", "S"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Events as JSON lines on standard output", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No readable event lines on standard error",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- join a room as a headless Chromium");
    g_option_context_set_main_group(ctx, e2c_option_group_once(NULL, NULL, NULL, entries));
    g_option_context_add_group(
        ctx, e2c_option_group_once("secret", "Secret sources (exactly one for E2EE):",
                                   "Show the secret options", secret_entries));
    GError *error = NULL;
    int status = E2C_EXIT_USAGE;
    struct e2c_web_join_options o = {0};
    guint64 duration_ms = 0, delay_ms = 2000, at_ms = 0;
    uint16_t suite_id = SFRAME_DEFAULT_SUITE;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call web join: %s\n", error->message);
        goto out;
    }
    o.server = e2c_server_url(server);
    if (argc > 1 || !room || !o.server || !e2c_server_url_valid(o.server)) {
        fprintf(stderr, "e2call web join: needs --room and a ws:// or wss:// --server (or "
                        "$E2CALL_SERVER), and no other arguments\n");
        goto out;
    }
    if ((duration && (!e2c_parse_duration_ms(duration, &duration_ms) || duration_ms == 0)) ||
        (rekey_delay && !e2c_parse_duration_ms(rekey_delay, &delay_ms)) ||
        (rekey_at && !e2c_parse_duration_ms(rekey_at, &at_ms))) {
        fprintf(stderr, "e2call web join: --duration, --rekey-at and --rekey-delay take a time "
                        "such as 15s or 2m (at most " E2C_DURATION_MAX_TEXT ")\n");
        goto out;
    }
    if (suite && sframe_suite_parse(suite, &suite_id) != SFRAME_OK) {
        fprintf(stderr, "e2call web join: --cipher-suite must be 1-8 or a suite name\n");
        goto out;
    }
    const char *v = video ? video : "vp8", *a = audio ? audio : "opus";
    if ((strcmp(v, "vp8") && strcmp(v, "vp9") && strcmp(v, "h264") && strcmp(v, "none")) ||
        (strcmp(a, "opus") && strcmp(a, "none"))) {
        fprintf(stderr, "e2call web join: --video is vp8, vp9, h264 or none; --audio opus or "
                        "none\n");
        goto out;
    }
    if (width < 160 || width > 3840 || height < 120 || height > 2160 || width % 2 || height % 2 ||
        fps < 1 || fps > 60 || stats_interval < 0 || stats_interval > 3600) {
        fprintf(stderr, "e2call web join: --width 160-3840, --height 120-2160 (both even), "
                        "--fps 1-60, --stats-interval 0-3600\n");
        goto out;
    }
    if (!rekey_file != !rekey_at) {
        fprintf(stderr, "e2call web join: --rekey-file and --rekey-at go together\n");
        goto out;
    }
    gboolean e2ee = e2c_secret_args_given(&secret_args);
    if (rekey_file && !e2ee) {
        fprintf(stderr, "e2call web join: --rekey-file needs a first secret\n");
        goto out;
    }
    if (e2ee && (status = e2c_secret_args_read(&secret_args, "e2call web join", &o.secret)) != 0)
        goto out;
    status = E2C_EXIT_INVALID_SECRET;
    if (rekey_file && !read_rekey_secret(rekey_file, &o.rekey_secret))
        goto out;
    gchar *default_display = g_strdup_printf("browser-%d", (int)getpid());
    o.room = room;
    o.display = display ? display : default_display;
    o.video = v;
    o.audio = a;
    o.width = width;
    o.height = height;
    o.fps = fps;
    o.suite = suite_id;
    o.stats_interval = stats_interval;
    o.duration_ms = duration ? duration_ms : opt_expect >= 0 ? 20000 : E2C_DURATION_MAX_MS;
    o.rekey_delay_ms = delay_ms;
    o.rekey_at_ms = at_ms;
    o.expect = opt_expect;
    o.json = json;
    o.quiet = quiet;
    status = e2c_web_join_run(&o);
    g_free(default_display);
out:
    e2c_secret_clear(&o.secret);
    e2c_secret_clear(&o.rekey_secret);
    e2c_secret_args_clear(&secret_args);
    g_clear_error(&error);
    g_option_context_free(ctx);
    g_free(server);
    g_free(room);
    g_free(display);
    g_free(video);
    g_free(audio);
    g_free(duration);
    g_free(suite);
    g_free(rekey_file);
    g_free(rekey_at);
    g_free(rekey_delay);
    return status;
}

int
e2c_cmd_web(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "serve") == 0)
        return web_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "join") == 0)
        return web_join(argc - 1, argv + 1);
    fprintf(stderr, "e2call web: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
