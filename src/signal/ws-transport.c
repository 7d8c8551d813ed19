/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A WebSocket client on the GLib main loop: one
 * libwebsockets context per connection, created with LWS_SERVER_OPTION_GLIB
 * and a GMainLoop handle on the caller's context as its foreign loop (lws
 * only attaches its sources to that loop's context; the loop itself is never
 * run here). lws_write() happens only in LWS_CALLBACK_CLIENT_WRITEABLE, from
 * a queue with LWS_PRE bytes of headroom per message.
 *
 * Why a connection failed: lws reads (and so clears) SO_ERROR itself and
 * reports only "Unable to connect", with errno still EINPROGRESS from the
 * non-blocking connect(). When that is all there is, one probe connection
 * with GIO to the same address tells refused from unreachable.
 *
 * wss:// runs on an SSL_CTX of ours (ws-tls.c): the trust store, and the
 * reasons a handshake failed, which libwebsockets reports only as "connect
 * SSL err 1".
 *
 * Re-entrancy: user callbacks may free the transport. Inside an lws callback
 * the lws context cannot be destroyed (lws is still using it), so that
 * destruction is deferred to an idle source; elsewhere it is immediate.
 */
#define G_LOG_DOMAIN "e2c-signal"

#include "ws-transport.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>

#include "ws-tls.h"

#define EVLIB_GLIB_PLUGIN LWS_INSTALL_LIBDIR "/libwebsockets-evlib_glib.so"

/* clang-format off */
G_DEFINE_QUARK(e2c-ws-error-quark, e2c_ws_error)
/* clang-format on */

enum state {
    STATE_CONNECTING,
    STATE_OPEN,
    STATE_CLOSING, /* close() asked: flush the queue, then close */
    STATE_CLOSED,  /* closed callback delivered or due */
};

struct e2c_ws_transport {
    GMainContext *context;
    GMainLoop *loop; /* never run: lws reads the context from it */
    struct lws_context *lws;
    struct lws *wsi;
    struct lws_protocols protocols[2];

    char *protocol;
    char *host;
    char *host_header;
    char *path;
    int port;
    gboolean tls;
    struct e2c_ws_tls *tls_state; /* wss:// only */

    enum state state;
    GQueue outq;         /* GByteArray, LWS_PRE bytes of headroom first */
    GByteArray *rx;      /* the message being reassembled */
    GError *close_error; /* why the connection is going away, if known */
    guint16 peer_close_code;
    gboolean discarding; /* a message went over the cap: closing */

    GSource *connect_timer;
    GSource *idle;
    GCancellable *probe; /* the probe connection, while it runs */
    gint64 deadline_us;  /* of the connect timeout */
    gboolean closed_due; /* the idle must deliver callbacks->closed */

    const struct e2c_ws_transport_callbacks *callbacks;
    gpointer user_data;

    guint in_lws;          /* depth of lws callbacks on the stack */
    guint in_user;         /* depth of user callbacks on the stack */
    gboolean in_new;       /* inside e2c_ws_transport_new() */
    gboolean doomed;       /* free() was called: no more user callbacks */
    gboolean tearing_down; /* lws_context_destroy() is running */
};

/* Retry policy used only for its idle timers: PING after 10 s without
 * traffic, hang up after 20 s: a dead path is noticed in 20 s,
 * not after the kernel's retransmission timeout. */
static const lws_retry_bo_t idle_policy = {
    .secs_since_valid_ping = 10,
    .secs_since_valid_hangup = 20,
};

/* ---- lws logging: errors only, as debug messages, never payloads ---- */

static void
lws_log_to_glib(int level, const char *line)
{
    gsize n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    g_debug("lws[%d]: %.*s", level, (int)n, line);
}

static void
setup_lws_logging(void)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        lws_set_log_level(LLL_ERR, lws_log_to_glib);
        g_once_init_leave(&once, 1);
    }
}

/* ---- teardown ---- */

static void
destroy_lws(E2cWsTransport *t)
{
    if (!t->lws)
        return;
    t->tearing_down = TRUE;
    lws_context_destroy(t->lws);
    t->lws = NULL;
    t->wsi = NULL;
    t->tearing_down = FALSE;
}

static void
source_clear(GSource **source)
{
    if (*source) {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

/* Requests may carry an API secret, a token or a PIN: no copy outlives its use. */
static void
message_free(GByteArray *m)
{
    OPENSSL_cleanse(m->data, m->len);
    g_byte_array_unref(m);
}

static void
outq_clear(E2cWsTransport *t)
{
    GByteArray *m;
    while ((m = g_queue_pop_head(&t->outq)))
        message_free(m);
}

static void
probe_cancel(E2cWsTransport *t)
{
    if (t->probe) {
        g_cancellable_cancel(t->probe);
        g_clear_object(&t->probe);
    }
}

static void
destroy_now(E2cWsTransport *t)
{
    probe_cancel(t);
    source_clear(&t->connect_timer);
    source_clear(&t->idle);
    destroy_lws(t);
    e2c_ws_tls_free(t->tls_state); /* lws is done with its context */
    outq_clear(t);
    g_byte_array_unref(t->rx);
    g_clear_error(&t->close_error);
    g_main_loop_unref(t->loop);
    g_main_context_unref(t->context);
    g_free(t->protocol);
    g_free(t->host);
    g_free(t->host_header);
    g_free(t->path);
    g_free(t);
}

static gboolean idle_cb(gpointer data);

static void
schedule_idle(E2cWsTransport *t)
{
    if (t->idle)
        return;
    t->idle = g_idle_source_new();
    g_source_set_callback(t->idle, idle_cb, t, NULL);
    g_source_attach(t->idle, t->context);
}

/*
 * Called when a user callback has returned. TRUE means the transport is
 * gone (or going) and the caller must not touch it.
 */
static gboolean
after_user_callback(E2cWsTransport *t)
{
    t->in_user--;
    if (!t->doomed)
        return FALSE;
    if (t->in_lws == 0 && t->in_user == 0)
        destroy_now(t);
    return TRUE;
}

/* Deliver callbacks->closed once; lws goes away without waiting for the caller. */
static void
finish(E2cWsTransport *t, GError *error)
{
    if (t->state == STATE_CLOSED && !t->closed_due) {
        g_clear_error(&error);
        return;
    }
    t->state = STATE_CLOSED;
    source_clear(&t->connect_timer);
    probe_cancel(t);
    outq_clear(t);
    if (error) {
        g_clear_error(&t->close_error);
        t->close_error = error;
    }
    if (t->in_new || t->in_lws > 0) {
        /* Not from inside lws or before new() returned: from the idle. */
        t->closed_due = TRUE;
        schedule_idle(t);
        return;
    }
    t->closed_due = FALSE;
    destroy_lws(t);
    if (t->doomed)
        return;
    GError *err = g_steal_pointer(&t->close_error);
    t->in_user++;
    if (t->callbacks->closed)
        t->callbacks->closed(t, err, t->user_data);
    g_clear_error(&err);
    after_user_callback(t);
}

static gboolean
idle_cb(gpointer data)
{
    E2cWsTransport *t = data;

    g_source_unref(t->idle);
    t->idle = NULL;
    if (t->doomed) {
        destroy_now(t);
        return G_SOURCE_REMOVE;
    }
    if (t->closed_due)
        finish(t, NULL);
    return G_SOURCE_REMOVE;
}

static gboolean
connect_timeout_cb(gpointer data)
{
    E2cWsTransport *t = data;

    g_source_unref(t->connect_timer);
    t->connect_timer = NULL;
    finish(t, g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TIMEOUT,
                          "no WebSocket connection to %s:%d within the connect timeout", t->host,
                          t->port));
    return G_SOURCE_REMOVE;
}

/* ---- the lws protocol callback ---- */

static gboolean
errno_tells(int err)
{
    switch (err) {
    case ECONNREFUSED:
    case ETIMEDOUT:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EADDRNOTAVAIL:
        return TRUE;
    default:
        return FALSE;
    }
}

/* What lws 4.1 says when the TLS handshake (or the certificate check after it) failed. */
static gboolean
tls_stage(const char *why)
{
    return why &&
           (g_str_has_prefix(why, "connect SSL") || g_str_has_prefix(why, "connect SYSCALL") ||
            g_str_has_prefix(why, "connect unk") || strstr(why, "cert"));
}

static GError *
connect_error(E2cWsTransport *t, const char *why, int err)
{
    if (t->tls_state && !e2c_ws_tls_done(t->tls_state) &&
        (e2c_ws_tls_failed(t->tls_state) || tls_stage(why)))
        return e2c_ws_tls_error(t->tls_state, t->host, t->port);
    /* errno is the cause only when connect() itself failed at once. */
    if (why && (g_str_has_prefix(why, "HS:") || strstr(why, "hung up") ||
                strstr(why, "read failed") || strstr(why, "parsing header") || strstr(why, "tls") ||
                strstr(why, "TLS") || strstr(why, "SSL")))
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_HANDSHAKE,
                           "WebSocket handshake with %s:%d failed (%s)", t->host, t->port, why);
    if (err == ECONNREFUSED)
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_REFUSED, "connection to %s:%d refused",
                           t->host, t->port);
    if (err == ETIMEDOUT)
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TIMEOUT, "connection to %s:%d timed out",
                           t->host, t->port);
    gboolean tells = errno_tells(err);
    return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_UNREACHABLE, "cannot connect to %s:%d (%s%s%s)",
                       t->host, t->port, why && *why ? why : "connect failed", tells ? ": " : "",
                       tells ? g_strerror(err) : "");
}

static void
probe_done(GObject *source, GAsyncResult *result, gpointer data)
{
    GError *err = NULL;
    GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, &err);
    if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        /* The transport may be gone: do not touch it. */
        g_error_free(err);
        g_clear_object(&conn);
        return;
    }
    E2cWsTransport *t = data;
    g_clear_object(&t->probe);
    GError *why;
    if (conn) {
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
        g_object_unref(conn);
        why = g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_UNREACHABLE,
                          "cannot connect to %s:%d (the connection failed, then a retry worked)",
                          t->host, t->port);
    } else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)) {
        why = g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_REFUSED, "connection to %s:%d refused",
                          t->host, t->port);
    } else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
        why = g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TIMEOUT, "connection to %s:%d timed out",
                          t->host, t->port);
    } else {
        why = g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_UNREACHABLE, "cannot connect to %s:%d (%s)",
                          t->host, t->port, err->message);
    }
    g_clear_error(&err);
    finish(t, why);
}

static void
probe_start(E2cWsTransport *t)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    /* No proxy resolver: it could consult libproxy, WPAD or the desktop
     * settings, and the probe must go exactly where lws just went. */
    g_socket_client_set_enable_proxy(client, FALSE);
    gint64 left_s = (t->deadline_us - g_get_monotonic_time()) / G_USEC_PER_SEC;
    g_socket_client_set_timeout(client, (guint)CLAMP(left_s, 1, 30));
    t->probe = g_cancellable_new();
    /* GIO completes on the thread-default context of the caller: ours. */
    g_main_context_push_thread_default(t->context);
    g_socket_client_connect_to_host_async(client, t->host, (guint16)t->port, t->probe, probe_done,
                                          t);
    g_main_context_pop_thread_default(t->context);
}

static void
deliver_message(E2cWsTransport *t)
{
    gsize len = t->rx->len;
    g_byte_array_append(t->rx, (const guint8 *)"", 1);
    t->in_user++;
    if (t->callbacks->message)
        t->callbacks->message(t, (const char *)t->rx->data, len, t->user_data);
    if (after_user_callback(t))
        return;
    g_byte_array_set_size(t->rx, 0);
}

static int
on_writeable(E2cWsTransport *t, struct lws *wsi)
{
    if (t->discarding) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
        return -1;
    }
    GByteArray *m = g_queue_pop_head(&t->outq);
    if (!m) {
        if (t->state == STATE_CLOSING) {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
            return -1;
        }
        return 0;
    }
    size_t len = m->len - LWS_PRE;
    int n = lws_write(wsi, m->data + LWS_PRE, len, LWS_WRITE_TEXT);
    message_free(m);
    if (n < 0 || (size_t)n < len) {
        g_clear_error(&t->close_error);
        t->close_error = g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_LOST, "writing to %s:%d failed",
                                     t->host, t->port);
        return -1;
    }
    if (!g_queue_is_empty(&t->outq) || t->state == STATE_CLOSING)
        lws_callback_on_writable(wsi);
    return 0;
}

/*
 * Never return non-zero from CLIENT_RECEIVE: lws 4.1.6 then skips resetting
 * its rx buffer index and the next frame bytes are written past the end of
 * that buffer (client-parser-ws.c, "if user code wants to close"). A
 * message over the cap is dropped here and the connection closed from
 * CLIENT_WRITEABLE instead.
 */
static int
on_receive(E2cWsTransport *t, struct lws *wsi, const void *in, size_t len)
{
    if (t->discarding)
        return 0;
    if (t->rx->len + len > E2C_WS_MAX_MESSAGE) {
        g_clear_error(&t->close_error);
        t->close_error = g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TOO_BIG,
                                     "%s:%d sent a message over the %d byte limit", t->host,
                                     t->port, E2C_WS_MAX_MESSAGE);
        g_byte_array_set_size(t->rx, 0);
        t->discarding = TRUE;
        lws_callback_on_writable(wsi);
        return 0;
    }
    g_byte_array_append(t->rx, in, len);
    if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0)
        deliver_message(t);
    return 0;
}

static int
handle(E2cWsTransport *t, struct lws *wsi, enum lws_callback_reasons reason, void *in, size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (t->state != STATE_CONNECTING)
            return -1;
        t->state = STATE_OPEN;
        source_clear(&t->connect_timer);
        if (!g_queue_is_empty(&t->outq))
            lws_callback_on_writable(wsi);
        t->in_user++;
        if (t->callbacks->connected)
            t->callbacks->connected(t, t->user_data);
        after_user_callback(t);
        return 0;

    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        int err = errno;
        char why[128] = "";
        if (in)
            g_strlcpy(why, in, MIN(len + 1, sizeof(why)));
        t->wsi = NULL;
        if (t->state == STATE_CONNECTING && g_str_has_prefix(why, "Unable to connect") &&
            !errno_tells(err) && !t->probe) {
            probe_start(t);
            return 0;
        }
        finish(t, connect_error(t, why, err));
        return 0;
    }

    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (t->state != STATE_OPEN && t->state != STATE_CLOSING)
            return 0;
        return on_receive(t, wsi, in, len);

    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (t->state != STATE_OPEN && t->state != STATE_CLOSING)
            return -1;
        return on_writeable(t, wsi);

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (in && len >= 2) {
            const guint8 *p = in;
            t->peer_close_code = (guint16)(p[0] << 8 | p[1]);
        }
        return 0;

    case LWS_CALLBACK_CLIENT_CLOSED:
        t->wsi = NULL;
        if (t->state == STATE_CLOSING) {
            finish(t, NULL);
        } else if (t->close_error) {
            finish(t, NULL);
        } else if (t->peer_close_code) {
            finish(t, g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_CLOSED,
                                  "%s:%d closed the WebSocket (code %u)", t->host, t->port,
                                  t->peer_close_code));
        } else {
            finish(t, g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_LOST, "connection to %s:%d lost",
                                  t->host, t->port));
        }
        return 0;

    case LWS_CALLBACK_WSI_DESTROY:
        if (wsi == t->wsi)
            t->wsi = NULL;
        return 0;

    default:
        return 0;
    }
}

static int
lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct lws_context *cx = lws_get_context(wsi);
    E2cWsTransport *t = cx ? lws_context_user(cx) : NULL;

    if (!t || t->tearing_down || t->doomed)
        return 0;
    t->in_lws++;
    int ret = handle(t, wsi, reason, in, len);
    t->in_lws--;
    /* Anything left to do needs lws off the stack. */
    if (t->in_lws == 0 && (t->doomed || t->closed_due))
        schedule_idle(t);
    return ret;
}

/* ---- public ---- */

static gboolean
parse_url(E2cWsTransport *t, const char *url, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, &err);
    if (!uri) {
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_INVALID_URL, "invalid URL: %s", err->message);
        return FALSE;
    }
    const char *scheme = g_uri_get_scheme(uri);
    if (g_ascii_strcasecmp(scheme, "ws") == 0) {
        t->tls = FALSE;
    } else if (g_ascii_strcasecmp(scheme, "wss") == 0) {
        t->tls = TRUE;
    } else {
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_INVALID_URL,
                    "invalid URL: the scheme must be ws or wss");
        return FALSE;
    }
    const char *host = g_uri_get_host(uri);
    if (!host || !*host || g_uri_get_userinfo(uri)) {
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_INVALID_URL,
                    "invalid URL: it needs a host (and no user name)");
        return FALSE;
    }
    t->host = g_strdup(host);
    t->port = g_uri_get_port(uri);
    if (t->port <= 0)
        t->port = t->tls ? 443 : 80;
    /* An IPv6 literal needs its brackets back in the Host header. */
    if (strchr(host, ':'))
        t->host_header = g_strdup_printf("[%s]:%d", host, t->port);
    else
        t->host_header = g_strdup_printf("%s:%d", host, t->port);
    const char *path = g_uri_get_path(uri);
    const char *query = g_uri_get_query(uri);
    t->path =
        g_strdup_printf("%s%s%s", path && *path ? "" : "/", path ? path : "", query ? "?" : "");
    if (query) {
        char *full = g_strconcat(t->path, query, NULL);
        g_free(t->path);
        t->path = full;
    }
    return TRUE;
}

E2cWsTransport *
e2c_ws_transport_new(GMainContext *context, const char *url, const char *protocol,
                     const struct e2c_ws_options *options,
                     const struct e2c_ws_transport_callbacks *callbacks, gpointer user_data,
                     GError **error)
{
    g_return_val_if_fail(url != NULL && protocol != NULL && callbacks != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    setup_lws_logging();

    E2cWsTransport *t = g_new0(E2cWsTransport, 1);
    t->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
    t->loop = g_main_loop_new(t->context, FALSE);
    t->rx = g_byte_array_new();
    t->protocol = g_strdup(protocol);
    t->callbacks = callbacks;
    t->user_data = user_data;
    t->state = STATE_CONNECTING;
    g_queue_init(&t->outq);

    if (!parse_url(t, url, error)) {
        destroy_now(t);
        return NULL;
    }
    if (t->tls) {
        t->tls_state = e2c_ws_tls_new(options ? options->ca_file : NULL, error);
        if (!t->tls_state) {
            destroy_now(t);
            return NULL;
        }
    }

    t->protocols[0].name = t->protocol;
    t->protocols[0].callback = lws_cb;

    void *foreign_loops[1] = {t->loop};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_GLIB;
    if (t->tls) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.provided_client_ssl_ctx = e2c_ws_tls_context(t->tls_state);
    }
    info.foreign_loops = foreign_loops;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = t->protocols;
    info.user = t;
    info.gid = (gid_t)-1;
    info.uid = (uid_t)-1;
    /* One connection: keep lws from sizing its fd table by the rlimit. */
    info.fd_limit_per_thread = 8;
    guint connect_timeout_ms = options ? options->connect_timeout_ms : 0;
    if (!connect_timeout_ms)
        connect_timeout_ms = E2C_WS_DEFAULT_CONNECT_TIMEOUT_MS;
    /* lws' own connect timer only as a backstop behind ours. */
    info.timeout_secs = connect_timeout_ms / 1000 + 2;

    t->lws = lws_create_context(&info);
    if (!t->lws) {
        if (!g_file_test(EVLIB_GLIB_PLUGIN, G_FILE_TEST_EXISTS))
            g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_UNSUPPORTED,
                        "libwebsockets cannot run on the GLib main loop: %s is missing "
                        "(Debian package libwebsockets-evlib-glib)",
                        EVLIB_GLIB_PLUGIN);
        else
            g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_UNSUPPORTED,
                        "could not create a libwebsockets context on the GLib main loop (is %s "
                        "from libwebsockets-evlib-glib loadable?)",
                        EVLIB_GLIB_PLUGIN);
        destroy_now(t);
        return NULL;
    }

    t->deadline_us = g_get_monotonic_time() + (gint64)connect_timeout_ms * 1000;
    t->connect_timer = g_timeout_source_new(connect_timeout_ms);
    g_source_set_callback(t->connect_timer, connect_timeout_cb, t, NULL);
    g_source_attach(t->connect_timer, t->context);

    struct lws_client_connect_info cc;
    memset(&cc, 0, sizeof(cc));
    cc.context = t->lws;
    cc.address = t->host;
    cc.port = t->port;
    cc.ssl_connection = t->tls ? LCCSCF_USE_SSL : 0;
    cc.path = t->path;
    cc.host = t->host_header;
    cc.origin = t->host_header;
    cc.protocol = t->protocol;
    cc.local_protocol_name = t->protocol;
    cc.ietf_version_or_minus_one = -1;
    cc.pwsi = &t->wsi;
    cc.retry_and_idle_policy = &idle_policy;

    t->in_new = TRUE;
    struct lws *wsi = lws_client_connect_via_info(&cc);
    t->in_new = FALSE;
    if (!wsi || t->state == STATE_CLOSED) {
        if (t->close_error) {
            g_propagate_error(error, g_steal_pointer(&t->close_error));
        } else {
            int err = errno;
            g_propagate_error(error, connect_error(t, NULL, err));
        }
        t->closed_due = FALSE;
        t->doomed = TRUE;
        destroy_now(t);
        return NULL;
    }
    return t;
}

gboolean
e2c_ws_transport_send(E2cWsTransport *t, const char *text, gsize len, GError **error)
{
    g_return_val_if_fail(t != NULL && (text != NULL || len == 0), FALSE);

    if (t->state != STATE_OPEN || !t->wsi) {
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_NOT_CONNECTED,
                    "the WebSocket to %s:%d is not open", t->host, t->port);
        return FALSE;
    }
    if (len > E2C_WS_MAX_MESSAGE) {
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_TOO_BIG,
                    "message of %" G_GSIZE_FORMAT " bytes is over the %d byte limit", len,
                    E2C_WS_MAX_MESSAGE);
        return FALSE;
    }
    GByteArray *m = g_byte_array_sized_new(LWS_PRE + len);
    g_byte_array_set_size(m, LWS_PRE);
    g_byte_array_append(m, (const guint8 *)text, len);
    g_queue_push_tail(&t->outq, m);
    lws_callback_on_writable(t->wsi);
    return TRUE;
}

void
e2c_ws_transport_close(E2cWsTransport *t)
{
    g_return_if_fail(t != NULL);

    switch (t->state) {
    case STATE_OPEN:
        if (t->wsi) {
            t->state = STATE_CLOSING;
            lws_callback_on_writable(t->wsi);
            break;
        }
        /* fall through */
    case STATE_CONNECTING:
        /* Nothing worth flushing: abort, and report from the idle. */
        t->state = STATE_CLOSING;
        g_clear_error(&t->close_error);
        t->closed_due = TRUE;
        t->state = STATE_CLOSED;
        source_clear(&t->connect_timer);
        schedule_idle(t);
        break;
    case STATE_CLOSING:
    case STATE_CLOSED:
        break;
    }
}

gboolean
e2c_ws_transport_is_open(E2cWsTransport *t)
{
    g_return_val_if_fail(t != NULL, FALSE);
    return t->state == STATE_OPEN;
}

void
e2c_ws_transport_free(E2cWsTransport *t)
{
    if (!t)
        return;
    t->doomed = TRUE;
    if (t->in_lws > 0)
        return; /* lws_cb schedules the idle when it unwinds */
    if (t->in_user > 0)
        return; /* after_user_callback() finishes the job */
    destroy_now(t);
}

/* ---- URLs and CA files, for the command line ---- */

static gboolean
is_loopback_name(const char *host)
{
    g_autofree char *name = g_ascii_strdown(host, -1);
    gsize n = strlen(name);
    if (n > 0 && name[n - 1] == '.')
        name[--n] = '\0'; /* "localhost." is the same name */
    /* RFC 6761 §6.3: localhost and every name under it are this machine. */
    return g_str_equal(name, "localhost") || g_str_has_suffix(name, ".localhost");
}

static gboolean
is_loopback_address(const char *host)
{
    g_autoptr(GInetAddress) a = g_inet_address_new_from_string(host);
    if (!a)
        return FALSE;
    if (g_inet_address_get_is_loopback(a))
        return TRUE;
    /* ::ffff:127.x.y.z is 127.x.y.z; GLib only knows ::1 for IPv6. */
    if (g_inet_address_get_family(a) != G_SOCKET_FAMILY_IPV6)
        return FALSE;
    const guint8 *b = g_inet_address_to_bytes(a);
    static const guint8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(b, mapped, sizeof(mapped)) == 0 && b[12] == 127;
}

gboolean
e2c_ws_url_is_cleartext_remote(const char *url)
{
    g_return_val_if_fail(url != NULL, FALSE);
    g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    if (!uri || g_ascii_strcasecmp(g_uri_get_scheme(uri), "ws") != 0)
        return FALSE;
    const char *host = g_uri_get_host(uri);
    if (!host || !*host)
        return FALSE;
    return !is_loopback_name(host) && !is_loopback_address(host);
}

gboolean
e2c_ws_check_ca_file(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, FALSE);
    struct e2c_ws_tls *tls = e2c_ws_tls_new(path, error);
    if (!tls)
        return FALSE;
    e2c_ws_tls_free(tls);
    return TRUE;
}
