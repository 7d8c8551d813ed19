/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client TLS for wss:// and the meaning of its failures (see ws-tls.h).
 *
 * One SSL_CTX per connection, as libwebsockets itself would make: its info
 * callback finds our state through an ex_data slot of the context, so the
 * state of one connection never mixes with another's. libwebsockets still
 * sets up each SSL (peer verification, the host name or IP address to
 * check, SNI); we only supply the trust store and listen.
 */
#define G_LOG_DOMAIN "e2c-signal"

#include "ws-tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <string.h>

#include "ws-transport.h"

#define NO_ALERT (-1)

struct e2c_ws_tls {
    SSL_CTX *ctx;
    long verify_result; /* the certificate check, X509_V_OK until one fails */
    int alert_sent;     /* the first fatal alert each way (SSL info "ret"), or NO_ALERT */
    int alert_received;
    gboolean done; /* the handshake completed */
};

static int ex_index = -1;

static void
init_ex_index(void)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
        g_once_init_leave(&once, 1);
    }
}

/*
 * Alerts end a failed handshake: the one we send after a failed certificate
 * check carries the check's result, the one the server sends says why it
 * gave up. Warnings (close_notify) say nothing about a failure.
 */
static void
on_info(const SSL *ssl, int where, int ret)
{
    struct e2c_ws_tls *tls = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_index);
    if (!tls)
        return;
    if (where & SSL_CB_HANDSHAKE_DONE)
        tls->done = TRUE;
    if (!(where & SSL_CB_ALERT) || (ret >> 8) != SSL3_AL_FATAL || tls->done)
        return;
    if (where & SSL_CB_READ) {
        if (tls->alert_received == NO_ALERT)
            tls->alert_received = ret;
        return;
    }
    if (tls->alert_sent == NO_ALERT)
        tls->alert_sent = ret;
    long result = SSL_get_verify_result(ssl);
    if (result != X509_V_OK && tls->verify_result == X509_V_OK)
        tls->verify_result = result;
}

static gboolean
load_ca_file(SSL_CTX *ctx, const char *path, GError **error)
{
    /* OpenSSL's own errors for a missing file are generic; open() says which. */
    FILE *f = fopen(path, "r");
    if (!f) {
        int err = errno;
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_CA_FILE, "cannot read the CA file '%s': %s",
                    path, g_strerror(err));
        return FALSE;
    }
    fclose(f);
    ERR_clear_error();
    if (SSL_CTX_load_verify_file(ctx, path) != 1) {
        ERR_clear_error();
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_CA_FILE,
                    "the CA file '%s' holds no PEM certificate OpenSSL can read", path);
        return FALSE;
    }
    return TRUE;
}

struct e2c_ws_tls *
e2c_ws_tls_new(const char *ca_file, GError **error)
{
    init_ex_index();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        ERR_clear_error();
        g_set_error(error, E2C_WS_ERROR, E2C_WS_ERROR_FAILED, "cannot create a TLS context");
        return NULL;
    }
    /* As libwebsockets would: the system's CAs, modern TLS only. */
    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    if (ca_file && !load_ca_file(ctx, ca_file, error)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    struct e2c_ws_tls *tls = g_new0(struct e2c_ws_tls, 1);
    tls->ctx = ctx;
    tls->verify_result = X509_V_OK;
    tls->alert_sent = NO_ALERT;
    tls->alert_received = NO_ALERT;
    SSL_CTX_set_ex_data(ctx, ex_index, tls);
    SSL_CTX_set_info_callback(ctx, on_info);
    return tls;
}

SSL_CTX *
e2c_ws_tls_context(struct e2c_ws_tls *tls)
{
    return tls->ctx;
}

gboolean
e2c_ws_tls_failed(const struct e2c_ws_tls *tls)
{
    return !tls->done && (tls->verify_result != X509_V_OK || tls->alert_sent != NO_ALERT ||
                          tls->alert_received != NO_ALERT);
}

gboolean
e2c_ws_tls_done(const struct e2c_ws_tls *tls)
{
    return tls->done;
}

static GError *
certificate_error(long result, const char *host, int port)
{
    switch (result) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_UNTRUSTED,
                           "TLS: the certificate of %s:%d is not trusted: it is self-signed", host,
                           port);
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_UNTRUSTED,
                           "TLS: the certificate of %s:%d is not trusted: no CA this client "
                           "trusts issued it (%s)",
                           host, port, X509_verify_cert_error_string(result));
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_NAME,
                           "TLS: the certificate of %s:%d is for another name: it does not "
                           "cover %s",
                           host, port, host);
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_EXPIRED,
                           "TLS: the certificate of %s:%d has expired", host, port);
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_EXPIRED,
                           "TLS: the certificate of %s:%d is not valid yet (is this machine's "
                           "clock right?)",
                           host, port);
    default:
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_CERTIFICATE,
                           "TLS: the certificate of %s:%d was refused: %s", host, port,
                           X509_verify_cert_error_string(result));
    }
}

/* What a server's fatal alert means for a client that cannot connect. */
static const char *
alert_meaning(int alert)
{
    switch (alert & 0xff) {
    case SSL_AD_PROTOCOL_VERSION:
        return ": it accepts no TLS version this client speaks (1.2 or later)";
    case SSL_AD_HANDSHAKE_FAILURE:
    case SSL_AD_INSUFFICIENT_SECURITY:
        return ": no TLS version and cipher suite in common";
    case SSL_AD_CERTIFICATE_REQUIRED:
        return ": it wants a client certificate";
    default:
        return "";
    }
}

GError *
e2c_ws_tls_error(const struct e2c_ws_tls *tls, const char *host, int port)
{
    if (tls->verify_result != X509_V_OK)
        return certificate_error(tls->verify_result, host, port);
    if (tls->alert_received != NO_ALERT)
        return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_HANDSHAKE,
                           "TLS: %s:%d refused the handshake (its alert: %s)%s", host, port,
                           SSL_alert_desc_string_long(tls->alert_received),
                           alert_meaning(tls->alert_received));
    /*
     * We gave up without a certificate problem: OpenSSL 3.0 sends "decode
     * error" when the server closes the connection mid-handshake, and often
     * nothing at all when what came back was not TLS (a ws:// server).
     */
    g_autofree char *ours =
        tls->alert_sent != NO_ALERT
            ? g_strdup_printf(" (our alert: %s)", SSL_alert_desc_string_long(tls->alert_sent))
            : g_strdup("");
    return g_error_new(E2C_WS_ERROR, E2C_WS_ERROR_TLS_HANDSHAKE,
                       "TLS: the handshake with %s:%d failed%s: the server closed the connection "
                       "or did not answer in TLS (is it a wss:// server?)",
                       host, port, ours);
}

void
e2c_ws_tls_free(struct e2c_ws_tls *tls)
{
    if (!tls)
        return;
    SSL_CTX_set_ex_data(tls->ctx, ex_index, NULL);
    SSL_CTX_free(tls->ctx);
    g_free(tls);
}
