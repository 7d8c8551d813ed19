/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The server's half of a WebSocket opening handshake (RFC 6455 section 4.2.2),
 * for the tests' own servers: the 101 response to a client's
 * Sec-WebSocket-Key, naming the subprotocol.
 */
#pragma once

#include <glib.h>

static inline char *
ws_handshake_response(const char *key, const char *protocol)
{
    g_autofree char *in = g_strconcat(key, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", NULL);
    guint8 digest[20];
    gsize dlen = sizeof(digest);
    GChecksum *sha1 = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha1, (const guchar *)in, -1);
    g_checksum_get_digest(sha1, digest, &dlen);
    g_checksum_free(sha1);
    g_autofree char *accept = g_base64_encode(digest, dlen);
    return g_strdup_printf("HTTP/1.1 101 Switching Protocols\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: %s\r\n"
                           "Sec-WebSocket-Protocol: %s\r\n\r\n",
                           accept, protocol);
}
