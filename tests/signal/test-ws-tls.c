/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wss:// against TLS servers on 127.0.0.1 (a thread with OpenSSL and
 * blocking sockets): each failure the review met as "connect SSL err 1:
 * error:00000001:lib(0)::reason(1)" must say what failed. Certificates are
 * made here: a self-signed one, a test CA and leaves it signed (one for
 * another name, one expired), so nothing depends on the system's CAs or
 * the clock beyond "now".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ws-handshake.h"
#include "ws-transport.h"

#define PROTOCOL "janus-protocol"
#define DAY (24 * 3600L)

/* ---- certificates ---- */

struct cert {
    EVP_PKEY *key;
    X509 *x509;
    char *pem_path; /* the certificate as a PEM file, for ca_file */
};

static char *tmpdir;

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    g_assert_nonnull(ext);
    g_assert_cmpint(X509_add_ext(x, ext, -1), ==, 1);
    X509_EXTENSION_free(ext);
}

/*
 * A certificate for cn with subjectAltName san (NULL: none), valid from
 * now + from_s to now + to_s, signed by issuer (NULL: self-signed).
 */
static struct cert *
cert_new(const char *name, const char *cn, const char *san, long from_s, long to_s, gboolean ca,
         const struct cert *issuer)
{
    struct cert *c = g_new0(struct cert, 1);
    c->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    g_assert_nonnull(c->key);
    c->x509 = X509_new();
    X509_set_version(c->x509, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c->x509), g_random_int_range(1, G_MAXINT32));
    X509_gmtime_adj(X509_getm_notBefore(c->x509), from_s);
    X509_gmtime_adj(X509_getm_notAfter(c->x509), to_s);
    X509_NAME *subject = X509_get_subject_name(c->x509);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(c->x509, issuer ? X509_get_subject_name(issuer->x509) : subject);
    X509_set_pubkey(c->x509, c->key);
    X509 *issuer_x509 = issuer ? issuer->x509 : c->x509;
    add_ext(c->x509, issuer_x509, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca)
        add_ext(c->x509, issuer_x509, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(c->x509, issuer_x509, NID_subject_key_identifier, "hash");
    if (issuer)
        add_ext(c->x509, issuer_x509, NID_authority_key_identifier, "keyid");
    if (san)
        add_ext(c->x509, issuer_x509, NID_subject_alt_name, san);
    g_assert_cmpint(X509_sign(c->x509, issuer ? issuer->key : c->key, EVP_sha256()), >, 0);

    c->pem_path = g_build_filename(tmpdir, name, NULL);
    FILE *f = fopen(c->pem_path, "w");
    g_assert_nonnull(f);
    g_assert_cmpint(PEM_write_X509(f, c->x509), ==, 1);
    fclose(f);
    return c;
}

static void
cert_free(struct cert *c)
{
    g_unlink(c->pem_path);
    g_free(c->pem_path);
    X509_free(c->x509);
    EVP_PKEY_free(c->key);
    g_free(c);
}

/* ---- the server ---- */

enum serve { SERVE_TLS, SERVE_TLS_THEN_CLOSE, SERVE_TLS_1_1_ONLY, SERVE_NOT_TLS };

struct server {
    int listen_fd;
    int port;
    enum serve how;
    const struct cert *cert;
    GThread *thread;
};

static gboolean
ssl_read_request(SSL *ssl, GString *req)
{
    char c;
    while (!g_str_has_suffix(req->str, "\r\n\r\n") && req->len < 8192) {
        if (SSL_read(ssl, &c, 1) != 1)
            return FALSE;
        g_string_append_c(req, c);
    }
    return TRUE;
}

/* The WebSocket upgrade, answered as Janus would; then wait for the client to go. */
static void
serve_websocket(SSL *ssl)
{
    g_autoptr(GString) req = g_string_new(NULL);
    if (!ssl_read_request(ssl, req))
        return;
    const char *k = strstr(req->str, "Sec-WebSocket-Key:");
    if (!k)
        k = strstr(req->str, "sec-websocket-key:");
    g_assert_nonnull(k);
    k += strlen("Sec-WebSocket-Key:");
    g_autofree char *key = g_strstrip(g_strndup(k, strcspn(k, "\r")));
    g_autofree char *resp = ws_handshake_response(key, PROTOCOL);
    SSL_write(ssl, resp, (int)strlen(resp));
    char buf[256];
    while (SSL_read(ssl, buf, sizeof(buf)) > 0)
        ;
}

static gpointer
server_thread(gpointer data)
{
    struct server *s = data;
    int fd = accept(s->listen_fd, NULL, NULL);
    g_assert_cmpint(fd, >=, 0);
    if (s->how == SERVE_NOT_TLS) {
        /* What a plain HTTP (or ws://) server says to a TLS ClientHello. */
        char buf[512];
        if (read(fd, buf, sizeof(buf)) > 0) {
            static const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            g_assert_cmpint(write(fd, reply, strlen(reply)), ==, (gssize)strlen(reply));
        }
        close(fd);
        return NULL;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    g_assert_cmpint(SSL_CTX_use_certificate(ctx, s->cert->x509), ==, 1);
    g_assert_cmpint(SSL_CTX_use_PrivateKey(ctx, s->cert->key), ==, 1);
    if (s->how == SERVE_TLS_1_1_ONLY) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
        SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1 && s->how != SERVE_TLS_THEN_CLOSE)
        serve_websocket(ssl);
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return NULL;
}

static struct server *
server_start(enum serve how, const struct cert *cert)
{
    struct server *s = g_new0(struct server, 1);
    s->how = how;
    s->cert = cert;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(s->listen_fd, >=, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(s->listen_fd, 4), ==, 0);
    socklen_t sl = sizeof(a);
    g_assert_cmpint(getsockname(s->listen_fd, (struct sockaddr *)&a, &sl), ==, 0);
    s->port = ntohs(a.sin_port);
    s->thread = g_thread_new("tls-server", server_thread, s);
    return s;
}

static void
server_stop(struct server *s)
{
    g_thread_join(s->thread);
    close(s->listen_fd);
    g_free(s);
}

/* ---- the client ---- */

struct outcome {
    GMainLoop *loop;
    gboolean connected, closed;
    GError *error;
};

static void
on_connected(E2cWsTransport *ws, gpointer data)
{
    struct outcome *o = data;
    o->connected = TRUE;
    g_main_loop_quit(o->loop);
}

static void
on_closed(E2cWsTransport *ws, const GError *error, gpointer data)
{
    struct outcome *o = data;
    o->closed = TRUE;
    o->error = error ? g_error_copy(error) : NULL;
    g_main_loop_quit(o->loop);
}

static const struct e2c_ws_transport_callbacks callbacks = {
    .connected = on_connected,
    .closed = on_closed,
};

/*
 * Connects to the server at wss://127.0.0.1:PORT/ (or port given) with
 * ca_file, and returns how it ended: NULL error when the WebSocket opened.
 */
static GError *
connect_once(int port, const char *ca_file)
{
    struct outcome o = {g_main_loop_new(NULL, FALSE), FALSE, FALSE, NULL};
    g_autofree char *url = g_strdup_printf("wss://127.0.0.1:%d/janus", port);
    struct e2c_ws_options options = {5000, ca_file};
    GError *error = NULL;
    E2cWsTransport *ws =
        e2c_ws_transport_new(NULL, url, PROTOCOL, &options, &callbacks, &o, &error);
    if (ws) {
        while (!o.connected && !o.closed)
            g_main_loop_run(o.loop);
        error = o.error;
        e2c_ws_transport_free(ws);
        while (g_main_context_iteration(NULL, FALSE))
            ;
    }
    g_main_loop_unref(o.loop);
    return error;
}

static void
assert_fails(enum serve how, const struct cert *cert, const char *ca_file, gint code,
             const char *words)
{
    struct server *s = server_start(how, cert);
    g_autoptr(GError) error = connect_once(s->port, ca_file);
    server_stop(s);
    g_assert_error(error, E2C_WS_ERROR, code);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, words));
    /* Not lws's "connect SSL err 1: error:00000001:lib(0)::reason(1)". */
    g_assert_null(strstr(error->message, "lib(0)"));
}

/* ---- tests ---- */

static struct cert *self_signed, *ca, *leaf_ok, *leaf_other_name, *leaf_expired;

static void
test_self_signed(void)
{
    assert_fails(SERVE_TLS, self_signed, NULL, E2C_WS_ERROR_TLS_UNTRUSTED,
                 "is not trusted: it is self-signed");
}

static void
test_unknown_ca(void)
{
    assert_fails(SERVE_TLS, leaf_ok, NULL, E2C_WS_ERROR_TLS_UNTRUSTED,
                 "is not trusted: no CA this client trusts issued it");
}

static void
test_name_mismatch(void)
{
    assert_fails(SERVE_TLS, leaf_other_name, ca->pem_path, E2C_WS_ERROR_TLS_NAME,
                 "is for another name: it does not cover 127.0.0.1");
}

static void
test_expired(void)
{
    assert_fails(SERVE_TLS, leaf_expired, ca->pem_path, E2C_WS_ERROR_TLS_EXPIRED, "has expired");
}

static void
test_protocol_version(void)
{
    assert_fails(SERVE_TLS_1_1_ONLY, self_signed, self_signed->pem_path, E2C_WS_ERROR_TLS_HANDSHAKE,
                 "refused the handshake (its alert: protocol version)");
}

static void
test_not_tls(void)
{
    assert_fails(SERVE_NOT_TLS, NULL, NULL, E2C_WS_ERROR_TLS_HANDSHAKE,
                 "did not answer in TLS (is it a wss:// server?)");
}

/* The CA file is what makes the same servers acceptable. */
static void
test_trusted_with_ca_file(void)
{
    const struct {
        const struct cert *server, *trust;
    } ok[] = {{leaf_ok, ca}, {self_signed, self_signed}};
    for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
        struct server *s = server_start(SERVE_TLS, ok[i].server);
        g_autoptr(GError) error = connect_once(s->port, ok[i].trust->pem_path);
        server_stop(s);
        g_assert_no_error(error);
    }
}

/* TLS went through; the server then hangs up on the upgrade: not a TLS problem. */
static void
test_closed_after_handshake(void)
{
    struct server *s = server_start(SERVE_TLS_THEN_CLOSE, leaf_ok);
    g_autoptr(GError) error = connect_once(s->port, ca->pem_path);
    server_stop(s);
    g_assert_nonnull(error);
    g_test_message("%s", error->message);
    g_assert_true(error->domain == E2C_WS_ERROR && error->code < E2C_WS_ERROR_CA_FILE);
    g_assert_null(strstr(error->message, "TLS"));
}

static void
test_refused(void)
{
    /* A port that was just free: nothing listens there. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    socklen_t sl = sizeof(a);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &sl), ==, 0);
    close(fd);
    g_autoptr(GError) error = connect_once(ntohs(a.sin_port), NULL);
    g_assert_error(error, E2C_WS_ERROR, E2C_WS_ERROR_REFUSED);
}

static void
test_ca_file_errors(void)
{
    g_autofree char *missing = g_build_filename(tmpdir, "missing.pem", NULL);
    g_autofree char *junk = g_build_filename(tmpdir, "junk.pem", NULL);
    g_assert_true(g_file_set_contents(junk, "not a certificate\n", -1, NULL));
    const char *bad[] = {missing, junk};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        g_assert_false(e2c_ws_check_ca_file(bad[i], &error));
        g_assert_error(error, E2C_WS_ERROR, E2C_WS_ERROR_CA_FILE);
        g_assert_nonnull(strstr(error->message, bad[i]));
        g_clear_error(&error);
        struct e2c_ws_options options = {0, bad[i]};
        E2cWsTransport *ws = e2c_ws_transport_new(NULL, "wss://127.0.0.1:1/", PROTOCOL, &options,
                                                  &callbacks, NULL, &error);
        g_assert_null(ws);
        g_assert_error(error, E2C_WS_ERROR, E2C_WS_ERROR_CA_FILE);
    }
    g_assert_true(e2c_ws_check_ca_file(ca->pem_path, NULL));
    g_unlink(junk);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("e2c-ws-tls-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    self_signed = cert_new("self.pem", "127.0.0.1", "IP:127.0.0.1", -DAY, DAY, FALSE, NULL);
    ca = cert_new("ca.pem", "e2call test CA", NULL, -DAY, DAY, TRUE, NULL);
    leaf_ok = cert_new("ok.pem", "127.0.0.1", "IP:127.0.0.1", -DAY, DAY, FALSE, ca);
    leaf_other_name =
        cert_new("other.pem", "router.example", "DNS:router.example", -DAY, DAY, FALSE, ca);
    leaf_expired = cert_new("expired.pem", "127.0.0.1", "IP:127.0.0.1", -3 * DAY, -DAY, FALSE, ca);

    g_test_add_func("/ws-tls/self-signed", test_self_signed);
    g_test_add_func("/ws-tls/unknown-ca", test_unknown_ca);
    g_test_add_func("/ws-tls/name-mismatch", test_name_mismatch);
    g_test_add_func("/ws-tls/expired", test_expired);
    g_test_add_func("/ws-tls/protocol-version", test_protocol_version);
    g_test_add_func("/ws-tls/not-tls", test_not_tls);
    g_test_add_func("/ws-tls/trusted-with-ca-file", test_trusted_with_ca_file);
    g_test_add_func("/ws-tls/closed-after-handshake", test_closed_after_handshake);
    g_test_add_func("/ws-tls/refused", test_refused);
    g_test_add_func("/ws-tls/ca-file-errors", test_ca_file_errors);
    int status = g_test_run();

    struct cert *all[] = {self_signed, ca, leaf_ok, leaf_other_name, leaf_expired};
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        cert_free(all[i]);
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return status;
}
