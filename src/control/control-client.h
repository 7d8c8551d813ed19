/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A control socket client (e2call-control(7)): one connection, one request
 * line, one reply line, within a deadline. Blocking; for the CLI and tests.
 *
 * Nothing is sent before the socket is known to be served by our own user
 * (e2call-control(7), SECURITY): its directory is ours and nobody else can
 * write to it, the socket file is ours, and once connected the server's
 * credentials (SO_PEERCRED) carry our effective uid. Root is no exception:
 * it talks to root's sockets only. Replies are returned as the server sent
 * them: printing them is the caller's job (through a terminal-safe filter).
 */
#pragma once

#include <glib.h>

#include "control-proto.h"

/* Default deadline for connect + request + reply (a rekey waits for the key derivation). */
#define E2C_CONTROL_CLIENT_TIMEOUT_MS 10000

#define E2C_CONTROL_CLIENT_ERROR (e2c_control_client_error_quark())
GQuark e2c_control_client_error_quark(void);
typedef enum {
    E2C_CONTROL_CLIENT_ERROR_CONNECT,   /* no socket, nobody listening, no permission */
    E2C_CONTROL_CLIENT_ERROR_TIMEOUT,   /* no complete reply before the deadline */
    E2C_CONTROL_CLIENT_ERROR_IO,        /* the connection broke, or closed without a reply */
    E2C_CONTROL_CLIENT_ERROR_PROTOCOL,  /* a reply that is not one */
    E2C_CONTROL_CLIENT_ERROR_UNTRUSTED, /* served or placed by another user: nothing was sent */
} E2cControlClientError;

/*
 * Sends one request and fills *out with the reply (ok, or an error NAME and
 * message from the server: still TRUE). FALSE with E2C_CONTROL_CLIENT_ERROR
 * when no reply was read. timeout_ms 0: E2C_CONTROL_CLIENT_TIMEOUT_MS.
 * REKEY needs e2c_control_client_rekey().
 */
gboolean e2c_control_client_request(const char *path, enum e2c_control_request_type type,
                                    guint timeout_ms, struct e2c_control_reply *out,
                                    GError **error);
/* rekey with the secret base64-encoded in a stack buffer that is wiped after sending. */
gboolean e2c_control_client_rekey(const char *path, const struct e2c_secret *secret,
                                  guint timeout_ms, struct e2c_control_reply *out, GError **error);
/* Sends len bytes as they are (they should end in LF) and reads one reply line. For tests. */
gboolean e2c_control_client_send(const char *path, const char *data, size_t len, guint timeout_ms,
                                 struct e2c_control_reply *out, GError **error);
