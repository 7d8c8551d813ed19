/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One synchronous VideoRoom request for tests in the lab (what e2call has no
 * command for, e.g. {"request":"kick","room":R,"id":P}): a session at
 * $E2CALL_SERVER, a handle, the request, the reply's plugin data on
 * standard output. Exits 0 when the router accepted it, 1 when it refused
 * (the reason on standard error), 77 outside the lab.
 *
 * Usage: videoroom-request BODY
 */
#include <jansson.h>
#include <stdio.h>

#include "janus-client.h"

struct request {
    GMainLoop *loop;
    json_t *body;
    int status;
};

static void
fail(struct request *r, const char *what, const GError *error)
{
    fprintf(stderr, "videoroom-request: %s: %s\n", what, error ? error->message : "?");
    g_main_loop_quit(r->loop);
}

static void
on_reply(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct request *r = data;
    if (error) {
        fail(r, "refused", error);
        return;
    }
    char *text = json_dumps(msg->plugindata, JSON_COMPACT);
    printf("%s\n", text ? text : "{}");
    free(text);
    r->status = 0;
    g_main_loop_quit(r->loop);
}

static void
on_attached(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct request *r = data;
    if (error) {
        fail(r, "attach", error);
        return;
    }
    e2c_janus_client_send_message(client, msg->data_id, g_steal_pointer(&r->body), NULL, on_reply,
                                  r);
}

static void
on_session(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct request *r = data;
    if (error) {
        fail(r, "create", error);
        return;
    }
    e2c_janus_client_attach(client, E2C_JANUS_PLUGIN_VIDEOROOM, NULL, NULL, NULL, on_attached, r);
}

static void
on_connected(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct request *r = data;
    if (error) {
        fail(r, "connect", error);
        return;
    }
    e2c_janus_client_create_session(client, on_session, r);
}

int
main(int argc, char **argv)
{
    const char *server = g_getenv("E2CALL_SERVER");
    if (!server) {
        fprintf(stderr, "videoroom-request: no E2CALL_SERVER (run in scripts/lab run)\n");
        return 77;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: videoroom-request BODY\n");
        return 2;
    }
    struct request r = {g_main_loop_new(NULL, FALSE), json_loads(argv[1], 0, NULL), 1};
    if (!json_is_object(r.body)) {
        fprintf(stderr, "videoroom-request: BODY must be a JSON object\n");
        json_decref(r.body);
        g_main_loop_unref(r.loop);
        return 2;
    }
    E2cJanusClient *client = e2c_janus_client_new();
    e2c_janus_client_connect(client, server, on_connected, &r);
    g_main_loop_run(r.loop);
    e2c_janus_client_close(client);
    g_object_unref(client);
    json_decref(r.body);
    g_main_loop_unref(r.loop);
    return r.status;
}
