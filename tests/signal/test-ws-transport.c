/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ws-transport against a scripted WebSocket server on 127.0.0.1 (a thread
 * with blocking sockets, RFC 6455 framing done by hand): reassembly of
 * fragmented and split messages, the size cap, close and loss, handshake
 * failures, connect timeout, refusal, and freeing from inside a callback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ws-handshake.h"
#include "ws-transport.h"

#define PROTOCOL "janus-protocol"

/* ---- the scripted server ---- */

struct server {
    int listen_fd;
    int port;
    GThread *thread;
    void (*script)(int fd, struct server *s);
    GAsyncQueue *received; /* char *: text messages the client sent */
    GAsyncQueue *go;       /* lets a script wait for the test */
};

static void
write_all(int fd, const void *buf, gsize len)
{
    const guint8 *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the client went away: fine for a script */
        p += n;
        len -= (gsize)n;
    }
}

static gboolean
read_all(int fd, void *buf, gsize len)
{
    guint8 *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        p += n;
        len -= (gsize)n;
    }
    return TRUE;
}

/* The HTTP upgrade request, up to the blank line. */
static char *
read_request(int fd)
{
    GString *req = g_string_new(NULL);
    char c;
    while (!g_str_has_suffix(req->str, "\r\n\r\n") && req->len < 8192) {
        if (read(fd, &c, 1) != 1)
            break;
        g_string_append_c(req, c);
    }
    return g_string_free(req, FALSE);
}

static char *
header_value(const char *req, const char *name)
{
    g_auto(GStrv) lines = g_strsplit(req, "\r\n", -1);
    for (int i = 0; lines[i]; i++) {
        char *colon = strchr(lines[i], ':');
        if (colon && (gsize)(colon - lines[i]) == strlen(name) &&
            g_ascii_strncasecmp(lines[i], name, strlen(name)) == 0)
            return g_strstrip(g_strdup(colon + 1));
    }
    return NULL;
}

static void
accept_upgrade(int fd)
{
    g_autofree char *req = read_request(fd);
    g_assert_true(g_str_has_prefix(req, "GET /janus?x=1 HTTP/1.1\r\n"));
    g_autofree char *proto = header_value(req, "Sec-WebSocket-Protocol");
    g_assert_cmpstr(proto, ==, PROTOCOL);
    g_autofree char *key = header_value(req, "Sec-WebSocket-Key");
    g_assert_nonnull(key);
    g_autofree char *resp = ws_handshake_response(key, PROTOCOL);
    write_all(fd, resp, strlen(resp));
}

/* One unmasked frame from the server. */
static void
send_frame(int fd, guint8 opcode, gboolean fin, const void *data, gsize len)
{
    guint8 hdr[10];
    gsize n = 0;
    hdr[n++] = (fin ? 0x80 : 0) | opcode;
    if (len < 126) {
        hdr[n++] = (guint8)len;
    } else if (len < 65536) {
        hdr[n++] = 126;
        hdr[n++] = (guint8)(len >> 8);
        hdr[n++] = (guint8)len;
    } else {
        hdr[n++] = 127;
        for (int i = 7; i >= 0; i--)
            hdr[n++] = (guint8)((guint64)len >> (8 * i));
    }
    write_all(fd, hdr, n);
    write_all(fd, data, len);
}

/* One masked frame from the client; NULL when the connection ended. */
static GBytes *
recv_frame(int fd, guint8 *opcode, gboolean *fin)
{
    guint8 h[2];
    if (!read_all(fd, h, 2))
        return NULL;
    *fin = (h[0] & 0x80) != 0;
    *opcode = h[0] & 0x0f;
    g_assert_true(h[1] & 0x80); /* clients must mask */
    guint64 len = h[1] & 0x7f;
    if (len == 126) {
        guint8 e[2];
        g_assert_true(read_all(fd, e, 2));
        len = (guint64)e[0] << 8 | e[1];
    } else if (len == 127) {
        guint8 e[8];
        g_assert_true(read_all(fd, e, 8));
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | e[i];
    }
    guint8 mask[4];
    g_assert_true(read_all(fd, mask, 4));
    guint8 *data = g_malloc(len + 1);
    g_assert_true(read_all(fd, data, len));
    for (guint64 i = 0; i < len; i++)
        data[i] ^= mask[i % 4];
    return g_bytes_new_take(data, len);
}

/* Collect client text messages until a close frame (answered) or EOF. */
static void
serve_until_close(int fd, struct server *s)
{
    GString *msg = g_string_new(NULL);
    for (;;) {
        guint8 op;
        gboolean fin;
        g_autoptr(GBytes) f = recv_frame(fd, &op, &fin);
        if (!f)
            break;
        gsize len;
        const char *data = g_bytes_get_data(f, &len);
        if (op == 0x8) {
            send_frame(fd, 0x8, TRUE, data, len);
            g_async_queue_push(s->received, g_strdup("<close>"));
            break;
        }
        if (op == 0x9) {
            send_frame(fd, 0xA, TRUE, data, len);
            continue;
        }
        g_string_append_len(msg, data, (gssize)len);
        if (fin) {
            g_async_queue_push(s->received, g_strdup(msg->str));
            g_string_truncate(msg, 0);
        }
    }
    g_string_free(msg, TRUE);
}

static gpointer
server_thread(gpointer data)
{
    struct server *s = data;
    int fd = accept(s->listen_fd, NULL, NULL);
    g_assert_cmpint(fd, >=, 0);
    s->script(fd, s);
    close(fd);
    return NULL;
}

static int
listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    socklen_t sl = sizeof(a);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &sl), ==, 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static struct server *
server_start(void (*script)(int fd, struct server *s))
{
    struct server *s = g_new0(struct server, 1);
    s->listen_fd = listen_loopback(&s->port);
    s->script = script;
    s->received = g_async_queue_new_full(g_free);
    s->go = g_async_queue_new();
    s->thread = g_thread_new("ws-server", server_thread, s);
    return s;
}

static void
server_stop(struct server *s)
{
    g_thread_join(s->thread);
    close(s->listen_fd);
    g_async_queue_unref(s->received);
    g_async_queue_unref(s->go);
    g_free(s);
}

static char *
server_url(struct server *s)
{
    return g_strdup_printf("ws://127.0.0.1:%d/janus?x=1", s->port);
}

/* ---- the client side ---- */

struct client {
    GMainLoop *loop;
    E2cWsTransport *ws;
    gboolean connected;
    gboolean closed;
    GError *error;
    GPtrArray *messages;
    gboolean free_on_message;
};

static void
on_connected(E2cWsTransport *ws, gpointer data)
{
    struct client *c = data;
    c->connected = TRUE;
    g_main_loop_quit(c->loop);
}

static void
on_message(E2cWsTransport *ws, const char *text, gsize len, gpointer data)
{
    struct client *c = data;
    g_assert_cmpuint(strlen(text), ==, len);
    g_ptr_array_add(c->messages, g_strndup(text, len));
    if (c->free_on_message) {
        e2c_ws_transport_free(c->ws);
        c->ws = NULL;
        c->closed = TRUE;
    }
    g_main_loop_quit(c->loop);
}

static void
on_closed(E2cWsTransport *ws, const GError *error, gpointer data)
{
    struct client *c = data;
    g_assert_false(c->closed);
    c->closed = TRUE;
    c->error = error ? g_error_copy(error) : NULL;
    g_main_loop_quit(c->loop);
}

static const struct e2c_ws_transport_callbacks callbacks = {
    .connected = on_connected,
    .message = on_message,
    .closed = on_closed,
};

static gboolean
too_slow(gpointer data)
{
    g_error("the test took longer than 20 s");
    return G_SOURCE_REMOVE;
}

static void
run_until(struct client *c, gboolean *flag)
{
    guint id = g_timeout_add_seconds(20, too_slow, NULL);
    while (!*flag)
        g_main_loop_run(c->loop);
    g_source_remove(id);
}

static void
run_until_messages(struct client *c, guint n)
{
    guint id = g_timeout_add_seconds(20, too_slow, NULL);
    while (c->messages->len < n && !c->closed)
        g_main_loop_run(c->loop);
    g_source_remove(id);
    g_assert_cmpuint(c->messages->len, ==, n);
}

static void
client_init(struct client *c)
{
    memset(c, 0, sizeof(*c));
    c->loop = g_main_loop_new(NULL, FALSE);
    c->messages = g_ptr_array_new_with_free_func(g_free);
}

static void
client_connect(struct client *c, const char *url, guint timeout_ms)
{
    g_autoptr(GError) error = NULL;
    struct e2c_ws_options options = {timeout_ms, NULL};
    c->ws = e2c_ws_transport_new(NULL, url, PROTOCOL, &options, &callbacks, c, &error);
    g_assert_no_error(error);
    g_assert_nonnull(c->ws);
}

static void
client_clear(struct client *c)
{
    e2c_ws_transport_free(c->ws);
    /* Let a deferred teardown (free from inside a callback) run. */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_clear_error(&c->error);
    g_ptr_array_unref(c->messages);
    g_main_loop_unref(c->loop);
}

/* ---- tests ---- */

static void
script_fragments(int fd, struct server *s)
{
    accept_upgrade(fd);
    /* 1: three frames: text, continuation, continuation + FIN. */
    send_frame(fd, 0x1, FALSE, "{\"janus\":", 9);
    send_frame(fd, 0x0, FALSE, "\"ack\",", 6);
    send_frame(fd, 0x0, TRUE, "\"x\":1}", 6);
    /* 2 and 3: two whole messages in one write. */
    guint8 two[] = {0x81, 3, 'o', 'n', 'e', 0x81, 3, 't', 'w', 'o'};
    write_all(fd, two, sizeof(two));
    /* 4: a 100 KiB message, a byte at a time for its first 64. */
    GString *big = g_string_new(NULL);
    while (big->len < 100 * 1024)
        g_string_append(big, "0123456789abcdef");
    guint8 hdr[10] = {0x81,
                      127,
                      0,
                      0,
                      0,
                      0,
                      0,
                      (guint8)(big->len >> 16),
                      (guint8)(big->len >> 8),
                      (guint8)big->len};
    write_all(fd, hdr, sizeof(hdr));
    for (int i = 0; i < 64; i++) {
        write_all(fd, big->str + i, 1);
        g_usleep(1000);
    }
    write_all(fd, big->str + 64, big->len - 64);
    g_string_free(big, TRUE);
    /* The client answers; then it closes. */
    serve_until_close(fd, s);
}

static void
test_fragments(void)
{
    struct server *s = server_start(script_fragments);
    g_autofree char *url = server_url(s);
    struct client c;
    client_init(&c);
    client_connect(&c, url, 5000);
    g_assert_false(e2c_ws_transport_is_open(c.ws));
    run_until(&c, &c.connected);
    g_assert_true(e2c_ws_transport_is_open(c.ws));

    run_until_messages(&c, 4);
    g_assert_cmpstr(g_ptr_array_index(c.messages, 0), ==, "{\"janus\":\"ack\",\"x\":1}");
    g_assert_cmpstr(g_ptr_array_index(c.messages, 1), ==, "one");
    g_assert_cmpstr(g_ptr_array_index(c.messages, 2), ==, "two");
    g_assert_cmpuint(strlen(g_ptr_array_index(c.messages, 3)), ==, 100 * 1024);

    /* Client to server: small and big, in order. */
    g_autoptr(GError) error = NULL;
    g_assert_true(e2c_ws_transport_send(c.ws, "hello", 5, &error));
    GString *big = g_string_new(NULL);
    while (big->len < 200 * 1024)
        g_string_append_c(big, 'a' + (char)(big->len % 26));
    g_assert_true(e2c_ws_transport_send(c.ws, big->str, big->len, &error));
    g_assert_no_error(error);
    /* Over the cap: refused locally. */
    char *huge = g_malloc0(E2C_WS_MAX_MESSAGE + 1);
    g_assert_false(e2c_ws_transport_send(c.ws, huge, E2C_WS_MAX_MESSAGE + 1, &error));
    g_assert_error(error, E2C_WS_ERROR, E2C_WS_ERROR_TOO_BIG);
    g_clear_error(&error);
    g_free(huge);

    e2c_ws_transport_close(c.ws);
    g_assert_false(e2c_ws_transport_send(c.ws, "late", 4, &error));
    g_assert_error(error, E2C_WS_ERROR, E2C_WS_ERROR_NOT_CONNECTED);
    run_until(&c, &c.closed);
    g_assert_no_error(c.error);

    g_autofree char *m1 = g_async_queue_timeout_pop(s->received, 5 * G_USEC_PER_SEC);
    g_autofree char *m2 = g_async_queue_timeout_pop(s->received, 5 * G_USEC_PER_SEC);
    g_autofree char *m3 = g_async_queue_timeout_pop(s->received, 5 * G_USEC_PER_SEC);
    g_assert_cmpstr(m1, ==, "hello");
    g_assert_cmpstr(m2, ==, big->str);
    g_assert_cmpstr(m3, ==, "<close>");
    g_string_free(big, TRUE);

    client_clear(&c);
    server_stop(s);
}

static void
script_too_big(int fd, struct server *s)
{
    accept_upgrade(fd);
    /* 300 KiB in 30 continuation frames: over the cap before the end. */
    static char chunk[10 * 1024];
    memset(chunk, 'z', sizeof(chunk));
    for (int i = 0; i < 30; i++)
        send_frame(fd, i ? 0x0 : 0x1, i == 29, chunk, sizeof(chunk));
    serve_until_close(fd, s);
}

static void
test_too_big(void)
{
    struct server *s = server_start(script_too_big);
    g_autofree char *url = server_url(s);
    struct client c;
    client_init(&c);
    client_connect(&c, url, 5000);
    run_until(&c, &c.closed);
    g_assert_error(c.error, E2C_WS_ERROR, E2C_WS_ERROR_TOO_BIG);
    g_assert_cmpuint(c.messages->len, ==, 0);
    client_clear(&c);
    server_stop(s);
}

static void
script_server_closes(int fd, struct server *s)
{
    accept_upgrade(fd);
    send_frame(fd, 0x1, TRUE, "bye", 3);
    guint8 code[] = {0x03, 0xe9}; /* 1001 going away */
    send_frame(fd, 0x8, TRUE, code, 2);
    guint8 op;
    gboolean fin;
    GBytes *echo = recv_frame(fd, &op, &fin);
    if (echo)
        g_bytes_unref(echo);
}

static void
script_server_drops(int fd, struct server *s)
{
    accept_upgrade(fd);
    send_frame(fd, 0x1, TRUE, "bye", 3);
    g_async_queue_pop(s->go);
    /* No close frame: an RST. */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void
test_server_closes(void)
{
    for (int drop = 0; drop < 2; drop++) {
        struct server *s = server_start(drop ? script_server_drops : script_server_closes);
        g_autofree char *url = server_url(s);
        struct client c;
        client_init(&c);
        client_connect(&c, url, 5000);
        run_until_messages(&c, 1);
        if (drop)
            g_async_queue_push(s->go, GINT_TO_POINTER(1));
        run_until(&c, &c.closed);
        if (drop) {
            g_assert_error(c.error, E2C_WS_ERROR, E2C_WS_ERROR_LOST);
        } else {
            g_assert_error(c.error, E2C_WS_ERROR, E2C_WS_ERROR_CLOSED);
            g_assert_nonnull(strstr(c.error->message, "1001"));
        }
        g_assert_false(e2c_ws_transport_is_open(c.ws));
        client_clear(&c);
        server_stop(s);
    }
}

static void
script_free_in_callback(int fd, struct server *s)
{
    accept_upgrade(fd);
    send_frame(fd, 0x1, TRUE, "first", 5);
    send_frame(fd, 0x1, TRUE, "second", 6);
    serve_until_close(fd, s);
}

static void
test_free_in_callback(void)
{
    struct server *s = server_start(script_free_in_callback);
    g_autofree char *url = server_url(s);
    struct client c;
    client_init(&c);
    c.free_on_message = TRUE;
    client_connect(&c, url, 5000);
    run_until_messages(&c, 1);
    g_assert_null(c.ws);
    /* Nothing arrives after the free, though "second" was on the wire. */
    for (int i = 0; i < 50; i++)
        g_main_context_iteration(NULL, FALSE);
    g_assert_cmpuint(c.messages->len, ==, 1);
    client_clear(&c); /* the server sees the connection end */
    server_stop(s);
}

static void
script_reject_404(int fd, struct server *s)
{
    g_free(read_request(fd));
    const char *resp = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    write_all(fd, resp, strlen(resp));
}

static void
script_hang_up(int fd, struct server *s)
{
    /* What Janus does with a wrong subprotocol: read the request, close. */
    g_free(read_request(fd));
}

static void
script_silent(int fd, struct server *s)
{
    g_async_queue_pop(s->go);
}

static void
test_handshake_failures(void)
{
    void (*scripts[])(int, struct server *) = {script_reject_404, script_hang_up};
    for (gsize i = 0; i < G_N_ELEMENTS(scripts); i++) {
        struct server *s = server_start(scripts[i]);
        g_autofree char *url = server_url(s);
        struct client c;
        client_init(&c);
        client_connect(&c, url, 5000);
        run_until(&c, &c.closed);
        g_test_message("%s", c.error->message);
        g_assert_error(c.error, E2C_WS_ERROR, E2C_WS_ERROR_HANDSHAKE);
        g_assert_false(c.connected);
        client_clear(&c);
        server_stop(s);
    }

    /* Accepts TCP, never answers: the connect timeout. */
    struct server *s = server_start(script_silent);
    g_autofree char *url = server_url(s);
    struct client c;
    client_init(&c);
    gint64 t0 = g_get_monotonic_time();
    client_connect(&c, url, 300);
    run_until(&c, &c.closed);
    gint64 ms = (g_get_monotonic_time() - t0) / 1000;
    g_assert_error(c.error, E2C_WS_ERROR, E2C_WS_ERROR_TIMEOUT);
    g_assert_cmpint(ms, >=, 250);
    g_assert_cmpint(ms, <, 3000);
    g_async_queue_push(s->go, GINT_TO_POINTER(1));
    client_clear(&c);
    server_stop(s);
}

static void
test_refused(void)
{
    /* A port that was just free: bind, note it, close. */
    int port;
    close(listen_loopback(&port));
    g_autofree char *url = g_strdup_printf("ws://127.0.0.1:%d/", port);
    struct client c;
    client_init(&c);
    g_autoptr(GError) error = NULL;
    struct e2c_ws_options options = {3000, NULL};
    c.ws = e2c_ws_transport_new(NULL, url, PROTOCOL, &options, &callbacks, &c, &error);
    if (c.ws) {
        run_until(&c, &c.closed);
        g_assert_error(c.error, E2C_WS_ERROR, E2C_WS_ERROR_REFUSED);
    } else {
        g_assert_error(error, E2C_WS_ERROR, E2C_WS_ERROR_REFUSED);
    }
    client_clear(&c);

    /* close() while connecting: no error, no connected callback. */
    struct server *s = server_start(script_silent);
    g_autofree char *url2 = server_url(s);
    client_init(&c);
    client_connect(&c, url2, 5000);
    e2c_ws_transport_close(c.ws);
    run_until(&c, &c.closed);
    g_assert_no_error(c.error);
    g_assert_false(c.connected);
    g_async_queue_push(s->go, GINT_TO_POINTER(1));
    client_clear(&c);
    server_stop(s);
}

static void
test_invalid_url(void)
{
    static const char *const bad[] = {
        "", "not a url", "http://127.0.0.1:8188/", "ws://", "ws://user@127.0.0.1/", "ws:///path",
    };
    struct client c;
    client_init(&c);
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        E2cWsTransport *ws =
            e2c_ws_transport_new(NULL, bad[i], PROTOCOL, NULL, &callbacks, &c, &error);
        g_assert_null(ws);
        g_assert_error(error, E2C_WS_ERROR, E2C_WS_ERROR_INVALID_URL);
    }
    client_clear(&c);
}

/* Which --server URLs get the ws:// warning: plain text leaving this machine. */
static void
test_cleartext_remote(void)
{
    const char *warned[] = {
        "ws://janus.example:8188/", "ws://192.0.2.1:8188/", "WS://10.0.0.5/",
        "ws://[2001:db8::1]:8188/", "ws://0.0.0.0:8188/",   "ws://localhost.example/",
        "ws://128.0.0.1/",          "ws://[::2]/",          "ws://[::ffff:10.1.2.3]/",
    };
    const char *quiet[] = {
        "wss://janus.example:8188/", "ws://127.0.0.1:18188/",    "ws://127.1.2.3/",
        "ws://localhost:8188/",      "ws://LOCALHOST./",         "ws://janus.localhost/",
        "ws://[::1]:8188/",          "ws://[::ffff:127.0.0.1]/", "not a url",
        "http://janus.example/",
    };
    for (guint i = 0; i < G_N_ELEMENTS(warned); i++)
        g_assert_true(e2c_ws_url_is_cleartext_remote(warned[i]));
    for (guint i = 0; i < G_N_ELEMENTS(quiet); i++)
        g_assert_false(e2c_ws_url_is_cleartext_remote(quiet[i]));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws-transport/fragments", test_fragments);
    g_test_add_func("/ws-transport/too-big", test_too_big);
    g_test_add_func("/ws-transport/server-closes", test_server_closes);
    g_test_add_func("/ws-transport/free-in-callback", test_free_in_callback);
    g_test_add_func("/ws-transport/handshake-failures", test_handshake_failures);
    g_test_add_func("/ws-transport/refused", test_refused);
    g_test_add_func("/ws-transport/invalid-url", test_invalid_url);
    g_test_add_func("/ws-transport/cleartext-remote", test_cleartext_remote);
    return g_test_run();
}
