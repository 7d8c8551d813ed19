/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Janus API client: transactions, handles, keepalive (Janus's API: sessions, handles, keepalives).
 *
 * Every callback runs from the main loop, never from inside the call that
 * started the request: local failures (not connected, send failed) are
 * delivered from an idle source.
 */
#define G_LOG_DOMAIN "e2c-signal"

#include "janus-client.h"

#include "ws-transport.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define TRANSACTION_LEN 12
#define JANUS_SUBPROTOCOL "janus-protocol"

/* clang-format off */
G_DEFINE_QUARK(e2c-janus-client-error-quark, e2c_janus_client_error)
/* clang-format on */

enum client_state {
    CLIENT_DISCONNECTED, /* new, or the last connect attempt failed */
    CLIENT_CONNECTING,
    CLIENT_CONNECTED,
    CLIENT_CLOSING, /* e2c_janus_client_close() was called */
    CLIENT_CLOSED,  /* "closed" has been emitted */
};

enum request_kind {
    REQ_PLAIN,   /* the first reply is final (ack included: trickle, hangup) */
    REQ_MESSAGE, /* plugin message: an ack may come before the final reply */
    REQ_CREATE,
    REQ_ATTACH,
    REQ_DETACH,
    REQ_DESTROY,
    REQ_KEEPALIVE,
};

struct handle {
    guint64 id;
    E2cJanusEventFunc func;
    gpointer data;
    GDestroyNotify destroy;
};

struct pending {
    E2cJanusClient *client;
    char *transaction;
    enum request_kind kind;
    E2cJanusReplyFunc callback;
    gpointer user_data;
    GSource *timer;
    struct handle *attach; /* REQ_ATTACH: installed once the id is known */
    gboolean acked;
};

struct _E2cJanusClient {
    GObject parent_instance;

    GMainContext *context;
    E2cWsTransport *ws;
    enum client_state state;
    char *url;
    E2cJanusReplyFunc connect_cb;
    gpointer connect_data;
    GError *close_reason; /* set when the client closes itself (session died) */

    guint64 session_id;
    GHashTable *pending; /* transaction -> struct pending */
    GHashTable *handles; /* &handle->id -> struct handle */
    GSource *keepalive;

    guint request_timeout_ms;
    guint keepalive_s;
    guint connect_timeout_ms;
    char *ca_file;
    char *api_secret; /* wiped when replaced or freed */
    char *token;
};

enum { SIGNAL_CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(E2cJanusClient, e2c_janus_client, G_TYPE_OBJECT)

static void session_lost(E2cJanusClient *client, GError *reason);

/* ---- small helpers ---- */

static void
source_clear(GSource **source)
{
    if (*source) {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

static void
wipe_string(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        g_free(*s);
        *s = NULL;
    }
}

/* The credentials in a request: ours at the top, a PIN or room secret in its body. */
static void
wipe_json_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_string(v))
        OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
}

static void
wipe_request(json_t *request)
{
    wipe_json_string(request, "apisecret");
    wipe_json_string(request, "token");
    json_t *body = json_object_get(request, "body");
    if (json_is_object(body)) {
        wipe_json_string(body, "pin");
        wipe_json_string(body, "secret");
    }
}

static void
handle_free(struct handle *h)
{
    if (!h)
        return;
    if (h->destroy)
        h->destroy(h->data);
    g_free(h);
}

static void
pending_free(struct pending *p)
{
    source_clear(&p->timer);
    handle_free(p->attach);
    g_free(p->transaction);
    g_free(p);
}

static void
handle_free_cb(gpointer data)
{
    handle_free(data);
}

static void
pending_free_cb(gpointer data)
{
    pending_free(data);
}

static GHashTable *
pending_table_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, NULL, pending_free_cb);
}

static char *
new_transaction(E2cJanusClient *client)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char *t = g_malloc(TRANSACTION_LEN + 1);
    do {
        for (int i = 0; i < TRANSACTION_LEN; i++)
            t[i] = alphabet[g_random_int_range(0, sizeof(alphabet) - 1)];
        t[TRANSACTION_LEN] = '\0';
    } while (g_hash_table_contains(client->pending, t));
    return t;
}

/* A local failure, reported from the main loop rather than from the caller's stack. */
struct later {
    E2cJanusClient *client;
    E2cJanusReplyFunc callback;
    gpointer user_data;
    GError *error;
};

static gboolean
later_cb(gpointer data)
{
    struct later *l = data;
    if (l->callback)
        l->callback(l->client, NULL, l->error, l->user_data);
    return G_SOURCE_REMOVE;
}

static void
later_free(gpointer data)
{
    struct later *l = data;
    g_object_unref(l->client);
    g_error_free(l->error);
    g_free(l);
}

static void
fail_later(E2cJanusClient *client, E2cJanusReplyFunc callback, gpointer user_data, GError *error)
{
    struct later *l = g_new0(struct later, 1);
    l->client = g_object_ref(client);
    l->callback = callback;
    l->user_data = user_data;
    l->error = error;
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, later_cb, l, later_free);
    g_source_attach(s, client->context);
    g_source_unref(s);
}

static void
emit_closed(E2cJanusClient *client, const GError *error)
{
    if (client->state == CLIENT_CLOSED)
        return;
    client->state = CLIENT_CLOSED;
    g_signal_emit(client, signals[SIGNAL_CLOSED], 0, error);
}

/* ---- requests ---- */

static gboolean
request_timeout_cb(gpointer data)
{
    struct pending *p = data;
    E2cJanusClient *client = g_object_ref(p->client);

    g_hash_table_steal(client->pending, p->transaction);
    g_autoptr(GError) error =
        g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_TIMEOUT,
                    "Janus did not answer within %u ms", client->request_timeout_ms);
    g_debug("transaction %s timed out", p->transaction);
    if (p->callback)
        p->callback(client, NULL, error, p->user_data);
    gboolean keepalive = p->kind == REQ_KEEPALIVE;
    pending_free(p);
    if (keepalive)
        session_lost(client,
                     g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_SESSION_LOST,
                                 "Janus stopped answering keepalives"));
    g_object_unref(client);
    return G_SOURCE_REMOVE;
}

/*
 * Send request (transfer full; NULL when a builder refused its arguments)
 * and track its reply under transaction. Takes ownership of `attach'.
 */
static void
send_request(E2cJanusClient *client, enum request_kind kind, json_t *request,
             const char *transaction, struct handle *attach, E2cJanusReplyFunc callback,
             gpointer user_data)
{
    if (!request) {
        handle_free(attach);
        fail_later(
            client, callback, user_data,
            g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_FAILED, "invalid request"));
        return;
    }
    if (client->api_secret)
        json_object_set_new(request, "apisecret", json_string(client->api_secret));
    if (client->token)
        json_object_set_new(request, "token", json_string(client->token));
    /* As e2c_janus_msg_to_string(), but its buffer is wiped too. */
    char *text = json_dumps(request, JSON_COMPACT);
    g_autofree char *janus = g_strdup(json_string_value(json_object_get(request, "janus")));
    wipe_request(request);
    json_decref(request);

    GError *error = NULL;
    gboolean sent = text && e2c_ws_transport_send(client->ws, text, strlen(text), &error);
    if (text) {
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    }
    if (!sent) {
        handle_free(attach);
        if (!error)
            error = g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_FAILED,
                                "could not serialise the request");
        fail_later(client, callback, user_data, error);
        return;
    }
    g_debug("-> %s (transaction %s)", janus ? janus : "?", transaction);

    struct pending *p = g_new0(struct pending, 1);
    p->client = client;
    p->transaction = g_strdup(transaction);
    p->kind = kind;
    p->callback = callback;
    p->user_data = user_data;
    p->attach = attach;
    p->timer = g_timeout_source_new(client->request_timeout_ms);
    g_source_set_callback(p->timer, request_timeout_cb, p, NULL);
    g_source_attach(p->timer, client->context);
    g_hash_table_insert(client->pending, p->transaction, p);
}

/* FALSE (and the callback gets the error later) unless the client can send. */
static gboolean
check_ready(E2cJanusClient *client, gboolean need_session, E2cJanusReplyFunc callback,
            gpointer user_data)
{
    const char *what = NULL;
    if (client->state != CLIENT_CONNECTED || !client->ws)
        what = "the client is not connected to Janus";
    else if (need_session && !client->session_id)
        what = "there is no Janus session";
    else if (!need_session && client->session_id)
        what = "the client already has a Janus session";
    if (!what)
        return TRUE;
    fail_later(client, callback, user_data,
               g_error_new_literal(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_STATE, what));
    return FALSE;
}

static gboolean
check_handle(E2cJanusClient *client, guint64 handle_id, E2cJanusReplyFunc callback,
             gpointer user_data)
{
    if (!check_ready(client, TRUE, callback, user_data))
        return FALSE;
    if (g_hash_table_contains(client->handles, &handle_id))
        return TRUE;
    fail_later(client, callback, user_data,
               g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_STATE,
                           "handle %" G_GUINT64_FORMAT " is not attached", handle_id));
    return FALSE;
}

/* ---- keepalive and session loss ---- */

static gboolean
keepalive_cb(gpointer data)
{
    E2cJanusClient *client = data;
    if (client->state != CLIENT_CONNECTED || !client->session_id)
        return G_SOURCE_CONTINUE;
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_KEEPALIVE, e2c_janus_msg_keepalive(client->session_id, tx), tx, NULL,
                 NULL, NULL);
    return G_SOURCE_CONTINUE;
}

static void
start_keepalive(E2cJanusClient *client)
{
    source_clear(&client->keepalive);
    client->keepalive = g_timeout_source_new_seconds(client->keepalive_s);
    g_source_set_callback(client->keepalive, keepalive_cb, client, NULL);
    g_source_attach(client->keepalive, client->context);
}

static void
fail_all_pending(E2cJanusClient *client, const GError *reason)
{
    /* Steal the table first: callbacks may start new requests (which fail). */
    GHashTable *pending = client->pending;
    client->pending = pending_table_new();
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, pending);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct pending *p = value;
        g_hash_table_iter_steal(&iter);
        g_autoptr(GError) error = g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_CLOSED,
                                              "the connection to Janus ended before the reply%s%s",
                                              reason ? ": " : "", reason ? reason->message : "");
        if (p->callback)
            p->callback(client, NULL, error, p->user_data);
        pending_free(p);
    }
    g_hash_table_unref(pending);
}

/* The session is gone for good: close the connection, report why. */
static void
session_lost(E2cJanusClient *client, GError *reason)
{
    g_debug("session %" G_GUINT64_FORMAT " lost: %s", client->session_id, reason->message);
    client->session_id = 0;
    source_clear(&client->keepalive);
    g_hash_table_remove_all(client->handles);
    if (client->state != CLIENT_CONNECTED || client->close_reason) {
        g_error_free(reason);
        return;
    }
    client->close_reason = reason;
    client->state = CLIENT_CLOSING;
    e2c_ws_transport_close(client->ws);
}

/* ---- incoming ---- */

static void
finish_request(E2cJanusClient *client, struct pending *p, E2cJanusMsg *msg)
{
    g_autoptr(GError) error = NULL;
    gboolean ok = e2c_janus_msg_check(msg, &error);

    switch (p->kind) {
    case REQ_CREATE:
        if (ok && !msg->data_id) {
            ok = FALSE;
            error = g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_PROTOCOL,
                                "Janus created a session without an id");
        }
        if (ok) {
            client->session_id = msg->data_id;
            start_keepalive(client);
        }
        break;
    case REQ_ATTACH:
        if (ok && !msg->data_id) {
            ok = FALSE;
            error = g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_PROTOCOL,
                                "Janus attached a handle without an id");
        }
        if (ok) {
            struct handle *h = g_steal_pointer(&p->attach);
            h->id = msg->data_id;
            g_hash_table_replace(client->handles, &h->id, h);
        }
        break;
    case REQ_DESTROY:
        if (ok || g_error_matches(error, E2C_JANUS_ERROR, E2C_JANUS_ERROR_SESSION_NOT_FOUND)) {
            client->session_id = 0;
            g_hash_table_remove_all(client->handles);
        }
        break;
    case REQ_PLAIN:
        if (!ok && !p->callback)
            g_warning("Janus refused a request: %s", error->message);
        break;
    case REQ_KEEPALIVE:
    case REQ_MESSAGE:
    case REQ_DETACH:
        break;
    }

    if (p->callback)
        p->callback(client, msg, error, p->user_data);
    gboolean keepalive_failed = p->kind == REQ_KEEPALIVE && !ok;
    pending_free(p);
    if (keepalive_failed)
        session_lost(client,
                     g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_SESSION_LOST,
                                 "Janus refused a keepalive: %s", error->message));
}

static void
dispatch_reply(E2cJanusClient *client, struct pending *p, E2cJanusMsg *msg)
{
    if (msg->kind == E2C_JANUS_KIND_ACK && p->kind == REQ_MESSAGE && !p->acked) {
        /* The plugin's event follows; the request timer keeps running. */
        p->acked = TRUE;
        if (p->callback)
            p->callback(client, msg, NULL, p->user_data);
        return;
    }
    g_hash_table_steal(client->pending, p->transaction);
    finish_request(client, p, msg);
}

static void
dispatch_event(E2cJanusClient *client, E2cJanusMsg *msg)
{
    if (msg->kind == E2C_JANUS_KIND_TIMEOUT) {
        if (msg->session_id && msg->session_id == client->session_id)
            session_lost(client,
                         g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_SESSION_TIMEOUT,
                                     "Janus timed the session out"));
        return;
    }
    if (msg->kind == E2C_JANUS_KIND_ACK || msg->kind == E2C_JANUS_KIND_SUCCESS ||
        msg->kind == E2C_JANUS_KIND_ERROR) {
        g_debug("dropping a %s for no pending request", msg->janus);
        return;
    }
    if (msg->session_id && msg->session_id != client->session_id) {
        g_debug("dropping a %s for another session", msg->janus);
        return;
    }
    guint64 id = msg->sender;
    struct handle *h = id ? g_hash_table_lookup(client->handles, &id) : NULL;
    if (!h) {
        g_debug("dropping a %s for no known handle", msg->janus);
        return;
    }
    if (h->func)
        h->func(client, id, msg, h->data);
    if (msg->kind == E2C_JANUS_KIND_DETACHED)
        g_hash_table_remove(client->handles, &id);
}

static void
on_ws_message(E2cWsTransport *ws, const char *text, gsize len, gpointer user_data)
{
    E2cJanusClient *client = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(E2cJanusMsg) msg = e2c_janus_msg_parse(text, len, &error);
    if (!msg) {
        g_debug("ignoring a message from Janus: %s", error->message);
        return;
    }
    g_debug("<- %s (transaction %s, handle %" G_GUINT64_FORMAT ")", msg->janus,
            msg->transaction ? msg->transaction : "-", msg->sender);

    g_object_ref(client);
    struct pending *p =
        msg->transaction ? g_hash_table_lookup(client->pending, msg->transaction) : NULL;
    if (p)
        dispatch_reply(client, p, msg);
    else
        dispatch_event(client, msg);
    g_object_unref(client);
}

static void
on_ws_connected(E2cWsTransport *ws, gpointer user_data)
{
    E2cJanusClient *client = user_data;
    client->state = CLIENT_CONNECTED;
    E2cJanusReplyFunc cb = g_steal_pointer(&client->connect_cb);
    g_object_ref(client);
    if (cb)
        cb(client, NULL, NULL, client->connect_data);
    g_object_unref(client);
}

static void
on_ws_closed(E2cWsTransport *ws, const GError *error, gpointer user_data)
{
    E2cJanusClient *client = user_data;

    g_object_ref(client);
    e2c_ws_transport_free(g_steal_pointer(&client->ws));
    source_clear(&client->keepalive);
    client->session_id = 0;
    g_hash_table_remove_all(client->handles);

    if (client->state == CLIENT_CONNECTING) {
        /* Never connected: only the connect callback hears about it. */
        client->state = CLIENT_DISCONNECTED;
        E2cJanusReplyFunc cb = g_steal_pointer(&client->connect_cb);
        g_autoptr(GError) err =
            error ? g_error_copy(error)
                  : g_error_new(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_CLOSED,
                                "the connection was closed before it was open");
        if (cb)
            cb(client, NULL, err, client->connect_data);
    } else {
        g_autoptr(GError) reason = g_steal_pointer(&client->close_reason);
        const GError *why = reason ? reason : error;
        fail_all_pending(client, why);
        emit_closed(client, why);
    }
    g_object_unref(client);
}

static const struct e2c_ws_transport_callbacks ws_callbacks = {
    .connected = on_ws_connected,
    .message = on_ws_message,
    .closed = on_ws_closed,
};

/* ---- public API ---- */

E2cJanusClient *
e2c_janus_client_new(void)
{
    return g_object_new(E2C_TYPE_JANUS_CLIENT, NULL);
}

void
e2c_janus_client_set_request_timeout(E2cJanusClient *client, guint timeout_ms)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    client->request_timeout_ms =
        timeout_ms ? timeout_ms : E2C_JANUS_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS;
}

void
e2c_janus_client_set_keepalive_interval(E2cJanusClient *client, guint seconds)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    client->keepalive_s = seconds ? seconds : E2C_JANUS_CLIENT_DEFAULT_KEEPALIVE_S;
    if (client->keepalive)
        start_keepalive(client);
}

void
e2c_janus_client_set_connect_timeout(E2cJanusClient *client, guint timeout_ms)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    client->connect_timeout_ms = timeout_ms;
}

void
e2c_janus_client_set_ca_file(E2cJanusClient *client, const char *path)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    g_free(client->ca_file);
    client->ca_file = g_strdup(path);
}

void
e2c_janus_client_set_credentials(E2cJanusClient *client, const char *api_secret, const char *token)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    g_return_if_fail(!api_secret || g_utf8_validate(api_secret, -1, NULL));
    g_return_if_fail(!token || g_utf8_validate(token, -1, NULL));
    wipe_string(&client->api_secret);
    wipe_string(&client->token);
    client->api_secret = g_strdup(api_secret);
    client->token = g_strdup(token);
}

void
e2c_janus_client_connect(E2cJanusClient *client, const char *url, E2cJanusReplyFunc callback,
                         gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    g_return_if_fail(url != NULL);

    if (client->state != CLIENT_DISCONNECTED) {
        fail_later(client, callback, user_data,
                   g_error_new_literal(E2C_JANUS_CLIENT_ERROR, E2C_JANUS_CLIENT_ERROR_STATE,
                                       client->state == CLIENT_CLOSED
                                           ? "this client's connection is over: use a new client"
                                           : "the client is already connected or connecting"));
        return;
    }
    GError *error = NULL;
    struct e2c_ws_options options = {client->connect_timeout_ms, client->ca_file};
    client->ws = e2c_ws_transport_new(client->context, url, JANUS_SUBPROTOCOL, &options,
                                      &ws_callbacks, client, &error);
    if (!client->ws) {
        fail_later(client, callback, user_data, error);
        return;
    }
    g_free(client->url);
    client->url = g_strdup(url);
    client->state = CLIENT_CONNECTING;
    client->connect_cb = callback;
    client->connect_data = user_data;
}

void
e2c_janus_client_create_session(E2cJanusClient *client, E2cJanusReplyFunc callback,
                                gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!check_ready(client, FALSE, callback, user_data))
        return;
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_CREATE, e2c_janus_msg_create(tx), tx, NULL, callback, user_data);
}

void
e2c_janus_client_attach(E2cJanusClient *client, const char *plugin, E2cJanusEventFunc event_func,
                        gpointer event_data, GDestroyNotify event_destroy,
                        E2cJanusReplyFunc callback, gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    g_return_if_fail(plugin != NULL);

    struct handle *h = g_new0(struct handle, 1);
    h->func = event_func;
    h->data = event_data;
    h->destroy = event_destroy;
    if (!check_ready(client, TRUE, callback, user_data)) {
        handle_free(h);
        return;
    }
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_ATTACH, e2c_janus_msg_attach(client->session_id, plugin, tx), tx, h,
                 callback, user_data);
}

void
e2c_janus_client_send_message(E2cJanusClient *client, guint64 handle_id, json_t *body, json_t *jsep,
                              E2cJanusReplyFunc callback, gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!check_handle(client, handle_id, callback, user_data)) {
        json_decref(body);
        json_decref(jsep);
        return;
    }
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_MESSAGE,
                 e2c_janus_msg_message(client->session_id, handle_id, body, jsep, tx), tx, NULL,
                 callback, user_data);
}

void
e2c_janus_client_trickle(E2cJanusClient *client, guint64 handle_id, const char *candidate,
                         const char *sdp_mid, gint mline_index, E2cJanusReplyFunc callback,
                         gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!check_handle(client, handle_id, callback, user_data))
        return;
    g_autofree char *tx = new_transaction(client);
    send_request(
        client, REQ_PLAIN,
        e2c_janus_msg_trickle(client->session_id, handle_id, candidate, sdp_mid, mline_index, tx),
        tx, NULL, callback, user_data);
}

void
e2c_janus_client_trickle_completed(E2cJanusClient *client, guint64 handle_id,
                                   E2cJanusReplyFunc callback, gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!check_handle(client, handle_id, callback, user_data))
        return;
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_PLAIN,
                 e2c_janus_msg_trickle_completed(client->session_id, handle_id, tx), tx, NULL,
                 callback, user_data);
}

void
e2c_janus_client_hangup(E2cJanusClient *client, guint64 handle_id, E2cJanusReplyFunc callback,
                        gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!check_handle(client, handle_id, callback, user_data))
        return;
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_PLAIN, e2c_janus_msg_hangup(client->session_id, handle_id, tx), tx,
                 NULL, callback, user_data);
}

void
e2c_janus_client_detach(E2cJanusClient *client, guint64 handle_id, E2cJanusReplyFunc callback,
                        gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!check_handle(client, handle_id, callback, user_data))
        return;
    g_hash_table_remove(client->handles, &handle_id);
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_DETACH, e2c_janus_msg_detach(client->session_id, handle_id, tx), tx,
                 NULL, callback, user_data);
}

void
e2c_janus_client_destroy_session(E2cJanusClient *client, E2cJanusReplyFunc callback,
                                 gpointer user_data)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!check_ready(client, TRUE, callback, user_data))
        return;
    source_clear(&client->keepalive);
    g_autofree char *tx = new_transaction(client);
    send_request(client, REQ_DESTROY, e2c_janus_msg_destroy(client->session_id, tx), tx, NULL,
                 callback, user_data);
}

void
e2c_janus_client_close(E2cJanusClient *client)
{
    g_return_if_fail(E2C_IS_JANUS_CLIENT(client));
    if (!client->ws || client->state == CLIENT_CLOSING || client->state == CLIENT_CLOSED)
        return;
    source_clear(&client->keepalive);
    if (client->state == CLIENT_CONNECTED)
        client->state = CLIENT_CLOSING;
    e2c_ws_transport_close(client->ws);
}

gboolean
e2c_janus_client_is_connected(E2cJanusClient *client)
{
    g_return_val_if_fail(E2C_IS_JANUS_CLIENT(client), FALSE);
    return client->state == CLIENT_CONNECTED;
}

guint64
e2c_janus_client_get_session_id(E2cJanusClient *client)
{
    g_return_val_if_fail(E2C_IS_JANUS_CLIENT(client), 0);
    return client->session_id;
}

/* ---- GObject ---- */

static void
e2c_janus_client_dispose(GObject *object)
{
    E2cJanusClient *client = E2C_JANUS_CLIENT(object);

    /* Pending requests are dropped without their callbacks: nobody is left to hear them. */
    e2c_ws_transport_free(g_steal_pointer(&client->ws));
    source_clear(&client->keepalive);
    if (client->pending)
        g_hash_table_remove_all(client->pending);
    if (client->handles)
        g_hash_table_remove_all(client->handles);
    G_OBJECT_CLASS(e2c_janus_client_parent_class)->dispose(object);
}

static void
e2c_janus_client_finalize(GObject *object)
{
    E2cJanusClient *client = E2C_JANUS_CLIENT(object);

    g_hash_table_unref(client->pending);
    g_hash_table_unref(client->handles);
    g_clear_error(&client->close_reason);
    g_free(client->url);
    g_free(client->ca_file);
    wipe_string(&client->api_secret);
    wipe_string(&client->token);
    g_main_context_unref(client->context);
    G_OBJECT_CLASS(e2c_janus_client_parent_class)->finalize(object);
}

static void
e2c_janus_client_class_init(E2cJanusClientClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->dispose = e2c_janus_client_dispose;
    object_class->finalize = e2c_janus_client_finalize;

    signals[SIGNAL_CLOSED] = g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
e2c_janus_client_init(E2cJanusClient *client)
{
    client->context = g_main_context_ref_thread_default();
    client->pending = pending_table_new();
    client->handles = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, handle_free_cb);
    client->request_timeout_ms = E2C_JANUS_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS;
    client->keepalive_s = E2C_JANUS_CLIENT_DEFAULT_KEEPALIVE_S;
}
