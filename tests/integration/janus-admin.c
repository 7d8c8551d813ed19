/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One Janus Admin API request, for tests in `scripts/lab run --admin`:
 * sends REQUEST (a JSON object, e.g. {"janus":"add_token","token":"T"}) to
 * $E2CALL_ADMIN_URL with the lab's $E2CALL_ADMIN_SECRET and a transaction,
 * prints the reply, exits 0 when Janus answered "success", 1 otherwise, 77
 * outside a lab with the Admin API.
 *
 * Usage: janus-admin REQUEST
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ws-transport.h"

struct admin {
    GMainLoop *loop;
    char *request;
    int status;
};

static void
on_connected(E2cWsTransport *ws, gpointer data)
{
    struct admin *a = data;
    GError *error = NULL;
    if (!e2c_ws_transport_send(ws, a->request, strlen(a->request), &error)) {
        fprintf(stderr, "janus-admin: %s\n", error->message);
        g_error_free(error);
        g_main_loop_quit(a->loop);
    }
}

static void
on_message(E2cWsTransport *ws, const char *text, gsize len, gpointer data)
{
    struct admin *a = data;
    printf("%s\n", text);
    json_t *reply = json_loadb(text, len, 0, NULL);
    const char *janus = json_string_value(json_object_get(reply, "janus"));
    a->status = janus && !strcmp(janus, "success") ? 0 : 1;
    json_decref(reply);
    e2c_ws_transport_close(ws);
}

static void
on_closed(E2cWsTransport *ws, const GError *error, gpointer data)
{
    struct admin *a = data;
    if (error)
        fprintf(stderr, "janus-admin: %s\n", error->message);
    g_main_loop_quit(a->loop);
}

static const struct e2c_ws_transport_callbacks callbacks = {on_connected, on_message, on_closed};

int
main(int argc, char **argv)
{
    const char *url = g_getenv("E2CALL_ADMIN_URL");
    const char *secret = g_getenv("E2CALL_ADMIN_SECRET");
    if (!url || !secret) {
        fprintf(stderr, "janus-admin: no Admin API here (run in scripts/lab run --admin)\n");
        return 77;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: janus-admin REQUEST\n");
        return 2;
    }
    json_t *request = json_loads(argv[1], 0, NULL);
    if (!json_is_object(request)) {
        fprintf(stderr, "janus-admin: REQUEST must be a JSON object\n");
        json_decref(request);
        return 2;
    }
    json_object_set_new(request, "admin_secret", json_string(secret));
    json_object_set_new(request, "transaction", json_string("janus-admin"));
    struct admin a = {g_main_loop_new(NULL, FALSE), json_dumps(request, JSON_COMPACT), 1};
    json_decref(request);

    GError *error = NULL;
    E2cWsTransport *ws =
        e2c_ws_transport_new(NULL, url, "janus-admin-protocol", NULL, &callbacks, &a, &error);
    if (ws) {
        g_main_loop_run(a.loop);
        e2c_ws_transport_free(ws);
    } else {
        fprintf(stderr, "janus-admin: %s\n", error->message);
        g_error_free(error);
    }
    free(a.request);
    g_main_loop_unref(a.loop);
    return a.status;
}
