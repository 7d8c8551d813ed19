/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TLS side of a wss:// connection (ws-transport.c hands the context to
 * libwebsockets): our own client SSL_CTX, trusting the system's CAs plus an
 * optional CA file, and what a failed handshake means in words a person can
 * act on (not trusted, another name, expired, refused by the server).
 *
 * libwebsockets 4.1 reports every failed handshake as "connect SSL err 1:
 * error:00000001:lib(0)::reason(1)" (it formats the SSL_get_error() code as
 * an OpenSSL error number) and empties OpenSSL's error queue before telling
 * us. So this file watches the handshake itself: an info callback on the
 * context notes the alerts sent and received, and with them the result of
 * the certificate check.
 */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>

G_BEGIN_DECLS

struct e2c_ws_tls;

/*
 * A client context for one connection. ca_file (nullable): a PEM file of
 * CA certificates trusted in addition to the system's. NULL with error set
 * (E2C_WS_ERROR_CA_FILE) when ca_file cannot be loaded.
 */
struct e2c_ws_tls *e2c_ws_tls_new(const char *ca_file, GError **error);
/* The context to hand to libwebsockets (it stays ours). */
SSL_CTX *e2c_ws_tls_context(struct e2c_ws_tls *tls);
/*
 * Whether the handshake failed by what it saw: an alert or a failed check
 * before it completed. Failures after it (the server closing the
 * connection on the WebSocket upgrade) are not TLS's.
 */
gboolean e2c_ws_tls_failed(const struct e2c_ws_tls *tls);
/* Whether the TLS handshake completed. */
gboolean e2c_ws_tls_done(const struct e2c_ws_tls *tls);
/* Why the handshake with host:port failed, as an E2C_WS_ERROR_TLS_* error. */
GError *e2c_ws_tls_error(const struct e2c_ws_tls *tls, const char *host, int port);
/* After libwebsockets let go of the context. NULL is a no-op. */
void e2c_ws_tls_free(struct e2c_ws_tls *tls);

G_END_DECLS
