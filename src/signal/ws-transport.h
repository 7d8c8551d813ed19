/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One WebSocket client connection on a GLib main context, with
 * libwebsockets 4.1 underneath. The only file that includes
 * libwebsockets.h is ws-transport.c: the rest of e2call sees whole text
 * messages in and out.
 *
 * Everything runs on the main context given at creation; call every
 * function from the thread that iterates it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Largest message reassembled from the wire or accepted for sending. */
#define E2C_WS_MAX_MESSAGE (256 * 1024)
/* Connect + handshake deadline when the caller passes 0. */
#define E2C_WS_DEFAULT_CONNECT_TIMEOUT_MS 5000

#define E2C_WS_ERROR (e2c_ws_error_quark())
GQuark e2c_ws_error_quark(void);

typedef enum {
    E2C_WS_ERROR_FAILED,
    E2C_WS_ERROR_INVALID_URL,
    E2C_WS_ERROR_UNSUPPORTED, /* the GLib event-loop plugin of libwebsockets is missing */
    E2C_WS_ERROR_REFUSED,     /* nothing listens on the port */
    E2C_WS_ERROR_UNREACHABLE, /* no route, unknown host, other connect failures */
    E2C_WS_ERROR_TIMEOUT,     /* connect + handshake took too long */
    E2C_WS_ERROR_HANDSHAKE,   /* TCP worked, the WebSocket (or TLS) handshake did not */
    E2C_WS_ERROR_CLOSED,      /* the server closed the WebSocket */
    E2C_WS_ERROR_LOST,        /* the connection broke or went silent */
    E2C_WS_ERROR_TOO_BIG,     /* a message over E2C_WS_MAX_MESSAGE */
    E2C_WS_ERROR_NOT_CONNECTED,
    E2C_WS_ERROR_CA_FILE,         /* the CA file given for wss:// cannot be loaded */
    E2C_WS_ERROR_TLS_UNTRUSTED,   /* the certificate is self-signed or from a CA we do not trust */
    E2C_WS_ERROR_TLS_NAME,        /* the certificate is for another name */
    E2C_WS_ERROR_TLS_EXPIRED,     /* the certificate has expired (or is not valid yet) */
    E2C_WS_ERROR_TLS_CERTIFICATE, /* the certificate was refused for another reason */
    E2C_WS_ERROR_TLS_HANDSHAKE,   /* TLS failed without a certificate problem */
} E2cWsError;

typedef struct e2c_ws_transport E2cWsTransport;

struct e2c_ws_options {
    guint connect_timeout_ms; /* connect + handshake; 0: E2C_WS_DEFAULT_CONNECT_TIMEOUT_MS */
    /*
     * wss:// only: a PEM file of CA certificates trusted in addition to the
     * system's (a router with a private CA or a self-signed certificate).
     * NULL: the system's CAs only.
     */
    const char *ca_file;
};

struct e2c_ws_transport_callbacks {
    /* The WebSocket handshake completed. */
    void (*connected)(E2cWsTransport *ws, gpointer user_data);
    /* One whole message; text is NUL-terminated (len excludes the NUL). */
    void (*message)(E2cWsTransport *ws, const char *text, gsize len, gpointer user_data);
    /*
     * The connection is over: called once, also when connecting fails.
     * error is NULL after e2c_ws_transport_close().
     */
    void (*closed)(E2cWsTransport *ws, const GError *error, gpointer user_data);
};

/*
 * Start connecting to url (ws://HOST[:PORT]/PATH or wss://...) asking for
 * the subprotocol `protocol'. context NULL means the thread-default main
 * context; options NULL means the defaults. Failures found at once (bad
 * URL, missing event-loop plugin, an unreadable CA file, no route to the
 * host) return NULL with error set; later ones (refused, timeout, TLS,
 * handshake) arrive through callbacks->closed. callbacks must outlive the
 * transport.
 * A host name (rather than an address) is resolved by libwebsockets with a
 * blocking getaddrinfo(). wss:// verifies the certificate against the
 * system's CAs (and options->ca_file) and the URL's host name or address.
 */
E2cWsTransport *e2c_ws_transport_new(GMainContext *context, const char *url, const char *protocol,
                                     const struct e2c_ws_options *options,
                                     const struct e2c_ws_transport_callbacks *callbacks,
                                     gpointer user_data, GError **error);

/* Queue one text message. Fails when not connected (yet) or too big. */
gboolean e2c_ws_transport_send(E2cWsTransport *ws, const char *text, gsize len, GError **error);

/* Send what is queued, then close; callbacks->closed (error NULL) follows. */
void e2c_ws_transport_close(E2cWsTransport *ws);

gboolean e2c_ws_transport_is_open(E2cWsTransport *ws);

/*
 * TRUE when url is ws:// (no TLS) to a host that is not this machine: a
 * name other than localhost (or a name under .localhost), or an address
 * outside 127.0.0.0/8 and ::1. Everything sent there (room, display names,
 * SDP, and any API secret, token or PIN) can be read and changed on the
 * network. Names are not resolved. FALSE for wss:// and for what does not
 * parse.
 */
gboolean e2c_ws_url_is_cleartext_remote(const char *url);

/* Whether path is a CA file a wss:// connection can load (options->ca_file). */
gboolean e2c_ws_check_ca_file(const char *path, GError **error);

/*
 * Drop the connection at once; no callback runs after this returns. Safe
 * from inside a callback (the libwebsockets context then goes away from an
 * idle source of the main context). NULL is a no-op.
 */
void e2c_ws_transport_free(E2cWsTransport *ws);

G_END_DECLS
