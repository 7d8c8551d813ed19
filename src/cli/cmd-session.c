/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call session create|destroy: VideoRoom rooms. `create --e2ee` makes a
 * room with require_e2ee (e2call(1), SESSION OPTIONS); recording such a room is refused,
 * because the router never holds the keys and could only archive ciphertext.
 */
#include <gst/gst.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "codec-args.h"
#include "commands.h"
#include "errors.h"
#include "janus-client.h"
#include "option-once.h"
#include "router-args.h"

struct session_op {
    GMainLoop *loop;
    E2cJanusClient *janus;
    guint64 handle;
    json_t *request; /* the VideoRoom request to send */
    gboolean json;
    gboolean create;
    gboolean e2ee;
    int status;
    const char *server;
    const char *name; /* "e2call session create": what every message starts with */
    const struct e2c_router_access *access;
};

static void
done(struct session_op *op, int status)
{
    op->status = status;
    e2c_janus_client_close(op->janus);
    g_main_loop_quit(op->loop);
}

/*
 * What the user can do about the router's refusal (its words name the
 * thing, not our option). Told by the error's code and the request, never
 * by its words: of our requests only destroy carries the room's secret, so
 * a missing element or an unauthorized destroy is the secret.
 */
static const char *
access_hint(const GError *error, gboolean destroy)
{
    if (!error || error->domain != E2C_JANUS_ERROR)
        return "";
    if (error->code == E2C_JANUS_ERROR_UNAUTHORIZED)
        return " (give the router's API secret or a token: --api-secret-file, --api-secret-env, "
               "--token-file, --token-env)";
    if (destroy && (error->code == E2C_JANUS_ERROR_VR_MISSING_ELEMENT ||
                    error->code == E2C_JANUS_ERROR_VR_UNAUTHORIZED))
        return " (the room has a secret: --room-secret-file, --room-secret-env)";
    return "";
}

static void
fail(struct session_op *op, enum e2c_error err, const char *what, const GError *error)
{
    /* The router's reasons are its own text: keep them from driving the terminal. */
    gchar *why = e2c_printable(error ? error->message : "unexpected reply");
    fprintf(stderr, "%s: %s: %s: %s%s\n", op->name, e2c_error_name(err), what, why,
            access_hint(error, !op->create));
    g_free(why);
    done(op, e2c_error_exit_status(err));
}

static void
on_reply(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct session_op *op = data;
    if (error) {
        fail(op, E2C_ERR_CONNECT_FAILED,
             op->create ? "the router refused to create the room" : "the router refused", error);
        return;
    }
    if (!msg->is_videoroom) {
        fail(op, E2C_ERR_CONNECT_FAILED, "reply", NULL);
        return;
    }
    if (op->create) {
        if (op->json)
            printf("{\"room\":%" G_GUINT64_FORMAT ",\"e2ee\":%s}\n", msg->vr.room,
                   op->e2ee ? "true" : "false");
        else
            printf("%" G_GUINT64_FORMAT "\n", msg->vr.room);
        fprintf(stderr, "%s: room %" G_GUINT64_FORMAT " created%s\n", op->name, msg->vr.room,
                op->e2ee ? " (end-to-end encryption required)" : "");
    } else {
        if (op->json)
            printf("{\"room\":%" G_GUINT64_FORMAT ",\"destroyed\":true}\n", msg->vr.room);
        fprintf(stderr, "%s: room %" G_GUINT64_FORMAT " destroyed\n", op->name, msg->vr.room);
    }
    fflush(stdout);
    e2c_janus_client_destroy_session(op->janus, NULL, NULL);
    done(op, E2C_EXIT_OK);
}

static void
on_attached(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct session_op *op = data;
    if (error) {
        fail(op, E2C_ERR_CONNECT_FAILED, "cannot attach to the VideoRoom", error);
        return;
    }
    op->handle = msg->data_id;
    e2c_janus_client_send_message(op->janus, op->handle, op->request, NULL, on_reply, op);
    op->request = NULL;
}

static void
on_session(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct session_op *op = data;
    if (error) {
        fail(op, E2C_ERR_CONNECT_FAILED, "cannot create a session", error);
        return;
    }
    e2c_janus_client_attach(op->janus, E2C_JANUS_PLUGIN_VIDEOROOM, NULL, NULL, NULL, on_attached,
                            op);
}

static void
on_connected(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct session_op *op = data;
    if (error) {
        gchar *what = g_strdup_printf("cannot reach the router at %s", op->server);
        fail(op, E2C_ERR_CONNECT_FAILED, what, error);
        g_free(what);
        return;
    }
    e2c_janus_client_create_session(op->janus, on_session, op);
}

static int
run(struct session_op *op)
{
    op->loop = g_main_loop_new(NULL, FALSE);
    op->janus = e2c_janus_client_new();
    e2c_janus_client_set_ca_file(op->janus, op->access->ca_file);
    e2c_janus_client_set_credentials(op->janus, op->access->api_secret, op->access->token);
    op->status = E2C_EXIT_CONNECT_FAILED;
    e2c_janus_client_connect(op->janus, op->server, on_connected, op);
    g_main_loop_run(op->loop);
    g_object_unref(op->janus);
    g_main_loop_unref(op->loop);
    if (op->request) {
        /* Never sent (the client wipes what it sends): its secret and PIN go now. */
        const char *keys[] = {"secret", "pin"};
        for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
            json_t *v = json_object_get(op->request, keys[i]);
            if (json_is_string(v))
                OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
        }
        json_decref(op->request);
    }
    return op->status;
}

/* A comma list of the codec table's video codecs, by their exact names. */
static gboolean
valid_video_codec_list(const char *list)
{
    gchar **parts = g_strsplit(list, ",", -1);
    gboolean ok = parts[0] != NULL;
    for (gchar **p = parts; *p && ok; p++) {
        const struct e2c_codec_info *info = e2c_codec_info(e2c_codec_from_name(*p));
        ok = info && info->kind == E2C_MEDIA_VIDEO && g_str_equal(info->name, *p);
    }
    g_strfreev(parts);
    return ok;
}

/* The default list, every video codec e2call sends: "vp8,vp9,h264". */
static const char *
all_video_codecs(void)
{
    return e2c_codec_arg_names(E2C_MEDIA_VIDEO, ",");
}

static int
cmd_create(int argc, char **argv)
{
    gchar *server = NULL, *room = NULL, *description = NULL, *videocodec = NULL;
    gboolean e2ee = FALSE, record = FALSE, json = FALSE, is_private = FALSE;
    gint publishers = 6, bitrate_kbps = 0, fir_freq = 10;
    struct e2c_router_args router_args = {0};
    struct e2c_router_access access = {0};
    GOptionEntry router_entries[E2C_ROUTER_ARGS_ENTRIES];
    e2c_router_args_entries(&router_args, E2C_ROUTER_ARGS_CREATE, router_entries);
    gchar *help = g_strdup_printf("Allowed video codecs in order of preference (default %s)",
                                  all_video_codecs());
    const char *video_codecs_help = g_intern_string(help);
    g_free(help);
    GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &server,
         "Janus WebSocket URL (default: $E2CALL_SERVER)", "URL"},
        {"e2ee", 0, 0, G_OPTION_ARG_NONE, &e2ee,
         "Require end-to-end encryption: the router refuses publishers without it", NULL},
        {"room", 'r', 0, G_OPTION_ARG_STRING, &room, "Room id (default: the router picks one)",
         "ID"},
        {"description", 0, 0, G_OPTION_ARG_STRING, &description, "Room description", "TEXT"},
        {"publishers", 0, 0, G_OPTION_ARG_INT, &publishers, "Most publishers at once (default 6)",
         "N"},
        {"video-codecs", 0, 0, G_OPTION_ARG_STRING, &videocodec, video_codecs_help, "LIST"},
        {"bitrate", 0, 0, G_OPTION_ARG_INT, &bitrate_kbps,
         "Bitrate cap the router asks publishers for (default none)", "KBIT/S"},
        {"fir-freq", 0, 0, G_OPTION_ARG_INT, &fir_freq,
         "Seconds between keyframe requests to publishers (default 10; 0: none)", "S"},
        {"private", 0, 0, G_OPTION_ARG_NONE, &is_private, "Leave the room out of room lists", NULL},
        {"record", 0, 0, G_OPTION_ARG_NONE, &record,
         "Record the room (refused with --e2ee: encrypted sessions cannot be archived)", NULL},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print {\"room\": ID, \"e2ee\": BOOL}", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- create a VideoRoom room");
    g_option_context_set_main_group(
        ctx, e2c_option_group_once2(NULL, NULL, NULL, entries, router_entries));
    g_option_context_set_summary(ctx, "Prints the new room's id (the router picks it unless --room "
                                      "is given). Exit status 0, 2 (usage), 8 (CONNECT_FAILED: "
                                      "unreachable, or the router refused).");
    GError *error = NULL;
    int status = E2C_EXIT_USAGE;
    struct session_op op = {.name = "e2call session create"};
    struct e2c_janus_vr_room_config cfg = {0};
    guint64 room_id = 0;

    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call session create: %s\n", error->message);
        goto out;
    }
    if (argc > 1) {
        fprintf(stderr, "e2call session create: unexpected argument '%s'\n", argv[1]);
        goto out;
    }
    if (e2ee && record) {
        fprintf(stderr, "e2call session create: --record cannot be combined with --e2ee: "
                        "end-to-end encrypted sessions cannot be archived (the router never "
                        "holds the keys)\n");
        goto out;
    }
    op.server = e2c_server_url(server);
    if (!op.server) {
        fprintf(stderr, "e2call session create: give --server URL (or set E2CALL_SERVER)\n");
        goto out;
    }
    if (!e2c_server_url_valid(op.server)) {
        fprintf(stderr, "e2call session create: --server must be a ws:// or wss:// URL, not '%s'\n",
                op.server);
        goto out;
    }
    if (room && !e2c_parse_uint(room, 1, G_MAXINT64, &room_id)) {
        fprintf(stderr, "e2call session create: --room must be a number from 1 to 2^63-1\n");
        goto out;
    }
    if (publishers < 1 || publishers > 1000 || bitrate_kbps < 0 || bitrate_kbps > 100000 ||
        fir_freq < 0 || fir_freq > 3600) {
        fprintf(stderr, "e2call session create: --publishers must be 1-1000, --bitrate "
                        "0-100000 and --fir-freq 0-3600\n");
        goto out;
    }
    if (videocodec && !valid_video_codec_list(videocodec)) {
        fprintf(stderr, "e2call session create: --video-codecs is a comma list of %s\n",
                e2c_codec_arg_names(E2C_MEDIA_VIDEO, ", "));
        goto out;
    }
    if ((status = e2c_router_args_read(&router_args, "e2call session create", &access)) != 0)
        goto out;
    e2c_router_warn_cleartext("e2call session create", op.server, &access, FALSE);
    cfg.room = room_id;
    cfg.secret = access.room_secret;
    cfg.pin = access.pin;
    cfg.description = description ? description : (e2ee ? "e2call (E2EE)" : "e2call");
    cfg.publishers = publishers;
    cfg.videocodec = videocodec ? videocodec : all_video_codecs();
    cfg.audiocodec = "opus";
    cfg.require_e2ee = e2ee;
    cfg.record = record;
    cfg.bitrate = (guint32)bitrate_kbps * 1000;
    cfg.fir_freq = fir_freq;
    cfg.is_private = is_private;
    op.request = e2c_janus_msg_vr_create(&cfg);
    op.json = json;
    op.create = TRUE;
    op.e2ee = e2ee;
    op.access = &access;
    status = run(&op);
out:
    e2c_router_access_clear(&access);
    e2c_router_args_clear(&router_args);
    g_clear_error(&error);
    g_option_context_free(ctx);
    g_free(server);
    g_free(room);
    g_free(description);
    g_free(videocodec);
    return status;
}

static int
cmd_destroy(int argc, char **argv)
{
    gchar *server = NULL, *room = NULL;
    gboolean json = FALSE;
    struct e2c_router_args router_args = {0};
    struct e2c_router_access access = {0};
    GOptionEntry router_entries[E2C_ROUTER_ARGS_ENTRIES];
    e2c_router_args_entries(&router_args, E2C_ROUTER_ARGS_DESTROY, router_entries);
    GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &server,
         "Janus WebSocket URL (default: $E2CALL_SERVER)", "URL"},
        {"room", 'r', 0, G_OPTION_ARG_STRING, &room, "Room id (required)", "ID"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print {\"room\": ID, \"destroyed\": true}",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- destroy a VideoRoom room");
    g_option_context_set_main_group(
        ctx, e2c_option_group_once2(NULL, NULL, NULL, entries, router_entries));
    GError *error = NULL;
    int status = E2C_EXIT_USAGE;
    struct session_op op = {.name = "e2call session destroy"};
    guint64 room_id = 0;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call session destroy: %s\n", error->message);
        goto out;
    }
    op.server = e2c_server_url(server);
    if (argc > 1) {
        fprintf(stderr, "e2call session destroy: unexpected argument '%s'\n", argv[1]);
        goto out;
    }
    if (!room || !e2c_parse_uint(room, 1, G_MAXINT64, &room_id)) {
        fprintf(stderr,
                "e2call session destroy: give --room with a room number (1 to "
                "2^63-1)%s%s%s\n",
                room ? ", not '" : "", room ? room : "", room ? "'" : "");
        goto out;
    }
    if (!op.server) {
        fprintf(stderr, "e2call session destroy: give --server URL (or set E2CALL_SERVER)\n");
        goto out;
    }
    if (!e2c_server_url_valid(op.server)) {
        fprintf(stderr,
                "e2call session destroy: --server must be a ws:// or wss:// URL, not "
                "'%s'\n",
                op.server);
        goto out;
    }
    if ((status = e2c_router_args_read(&router_args, "e2call session destroy", &access)) != 0)
        goto out;
    e2c_router_warn_cleartext("e2call session destroy", op.server, &access, FALSE);
    op.request = e2c_janus_msg_vr_add_secret(e2c_janus_msg_vr_destroy(room_id), access.room_secret);
    op.json = json;
    op.access = &access;
    status = run(&op);
out:
    e2c_router_access_clear(&access);
    e2c_router_args_clear(&router_args);
    g_clear_error(&error);
    g_option_context_free(ctx);
    g_free(server);
    g_free(room);
    return status;
}

int
e2c_cmd_session(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "Usage: e2call session create [--e2ee] [--room ID] [OPTIONS]\n"
                   "       e2call session destroy --room ID\n\n"
                   "Run 'e2call session create --help' for the options.\n");
        return argc < 2 ? E2C_EXIT_USAGE : E2C_EXIT_OK;
    }
    if (!strcmp(argv[1], "create"))
        return cmd_create(argc - 1, argv + 1);
    if (!strcmp(argv[1], "destroy"))
        return cmd_destroy(argc - 1, argv + 1);
    fprintf(stderr, "e2call session: unknown subcommand '%s' (create, destroy)\n", argv[1]);
    return E2C_EXIT_USAGE;
}
