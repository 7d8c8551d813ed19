/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control protocol, apart from any socket (e2call-control(7)): one
 * request per line, one reply line per request.
 *
 *   request  = "status" | "stats" | "leave" | "help" | "rekey" SP base64
 *   reply    = "ok" [SP json-object] | "error" SP NAME SP message
 *
 * A line is at most E2C_CONTROL_MAX_LINE bytes including its LF (one CR
 * before the LF is tolerated), UTF-8, without NUL. The rekey argument is the
 * secret's exact UTF-8 bytes in RFC 4648 §4 base64 with padding, so that any
 * valid secret (newlines included) fits on one line.
 *
 * Pure: no sockets, no main loop, so it is fuzzed as is. Every buffer that
 * held secret bytes is wiped here, and no reply is built from request text.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stddef.h>

#include "control.h"
#include "secret.h"

/* One request line, LF included: a secret is at most 1024 bytes, 1368 in base64. */
#define E2C_CONTROL_MAX_LINE 4096
/* The longest reply a client accepts (a status of a large load run fits easily). */
#define E2C_CONTROL_MAX_REPLY (1024 * 1024)

/* Reply error names for what the product's error list has no name for. */
#define E2C_CONTROL_E_BAD_REQUEST "BAD_REQUEST"
#define E2C_CONTROL_E_BUSY "BUSY"
#define E2C_CONTROL_E_NOT_ENCRYPTED "NOT_ENCRYPTED"
#define E2C_CONTROL_E_TOO_LONG "TOO_LONG"
#define E2C_CONTROL_E_TIMEOUT "TIMEOUT"
#define E2C_CONTROL_E_PERMISSION_DENIED "PERMISSION_DENIED"
/* ...and the product's error names (e2call(1) EXIT STATUS) that replies use. */
#define E2C_CONTROL_E_INVALID_SECRET "INVALID_ENCRYPTION_SECRET"
#define E2C_CONTROL_E_INTERNAL "ENCRYPTION_INTERNAL_ERROR"

enum e2c_control_request_type {
    E2C_CONTROL_REQUEST_STATUS,
    E2C_CONTROL_REQUEST_STATS,
    E2C_CONTROL_REQUEST_LEAVE,
    E2C_CONTROL_REQUEST_REKEY,
    E2C_CONTROL_REQUEST_HELP,
};

struct e2c_control_request {
    enum e2c_control_request_type type;
    struct e2c_secret secret; /* REKEY: validated; e2c_control_request_clear() wipes it */
};

/*
 * Parses one line (without its LF; a final CR is dropped). On failure *out
 * holds no secret and error is in E2C_CONTROL_ERROR: BAD_REQUEST, or
 * INVALID_SECRET with a count-only message from e2c_secret_describe().
 * Messages never quote the line.
 */
gboolean e2c_control_request_parse(const char *line, size_t len, struct e2c_control_request *out,
                                   GError **error);
void e2c_control_request_clear(struct e2c_control_request *req);
const char *e2c_control_request_type_to_string(enum e2c_control_request_type type);

/*
 * Writes one request line, LF included, into buf (cap bytes; the client
 * passes E2C_CONTROL_MAX_LINE). secret is used by REKEY only. Returns the
 * length, or 0 when it does not fit. The caller wipes buf after sending.
 */
size_t e2c_control_request_format(enum e2c_control_request_type type,
                                  const struct e2c_secret *secret, char *buf, size_t cap);

/* Strict RFC 4648 §4 base64 (padding required, unused bits zero). */
size_t e2c_control_base64_encode(const guint8 *in, size_t len, char *out, size_t cap);
/* Returns FALSE on any bad input; writes at most cap bytes. Wipe out after use. */
gboolean e2c_control_base64_decode(const char *in, size_t len, guint8 *out, size_t cap,
                                   size_t *out_len);

/* ---- replies ---- */

/* Appends "ok\n", or "ok <compact JSON>\n" when obj is an object (borrowed). */
void e2c_control_reply_ok(GString *out, const json_t *obj);
/*
 * Appends "error NAME message\n". The message is made printable and kept to
 * one line of at most 512 bytes; name must be [A-Z0-9_]+.
 */
void e2c_control_reply_error(GString *out, const char *name, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* The reply name of an error passed to a done callback or from parsing. */
const char *e2c_control_error_name(const GError *error);
void e2c_control_reply_gerror(GString *out, const GError *error);
/* The help reply's object: the protocol version, the requests and the limits. Transfer full. */
json_t *e2c_control_help(void);

struct e2c_control_reply {
    gboolean ok;
    json_t *json;   /* ok with an object; NULL otherwise */
    gchar *name;    /* error only: BAD_REQUEST, INVALID_ENCRYPTION_SECRET, ... */
    gchar *message; /* error only; may be empty */
};

/* Parses one reply line (without its LF). FALSE with E2C_CONTROL_ERROR_BAD_REQUEST if malformed. */
gboolean e2c_control_reply_parse(const char *line, size_t len, struct e2c_control_reply *out,
                                 GError **error);
void e2c_control_reply_clear(struct e2c_control_reply *reply);

/* ---- framing of a byte stream into request lines ---- */

struct e2c_control_framer {
    size_t len; /* bytes held in buf */
    char buf[E2C_CONTROL_MAX_LINE];
};

enum e2c_control_frame {
    E2C_CONTROL_FRAME_NEED_MORE, /* no complete line yet, and room for more */
    E2C_CONTROL_FRAME_LINE,      /* *out_line, *out_len: a line without its LF */
    E2C_CONTROL_FRAME_TOO_LONG,  /* E2C_CONTROL_MAX_LINE bytes without a LF */
};

/* Where the next read goes and how much fits; commit() the bytes read. */
char *e2c_control_framer_space(struct e2c_control_framer *f, size_t *out_room);
void e2c_control_framer_commit(struct e2c_control_framer *f, size_t n);
/* Copies at most what fits; returns the bytes taken. */
size_t e2c_control_framer_push(struct e2c_control_framer *f, const void *data, size_t len);
enum e2c_control_frame e2c_control_framer_next(const struct e2c_control_framer *f,
                                               const char **out_line, size_t *out_len);
/* Drops the line next() returned (line_len without the LF) and wipes the bytes it held. */
void e2c_control_framer_consume(struct e2c_control_framer *f, size_t line_len);
/* Wipes everything: call after an error and before freeing. */
void e2c_control_framer_wipe(struct e2c_control_framer *f);
