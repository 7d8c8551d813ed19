/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control protocol (control-proto.h, e2call-control(7)). The only
 * secret-bearing input is the rekey argument: it is decoded into one stack
 * buffer, validated by e2c_secret_set() into the secure heap, and the stack
 * buffer is wiped before returning. wpa_supplicant's habit of wiping the
 * command buffer after each command is the framer's consume().
 */
#include "control-proto.h"

#include <stdarg.h>
#include <string.h>

#include <openssl/crypto.h>

G_DEFINE_QUARK(e2c - control - error - quark, e2c_control_error)

#define MAX_MESSAGE 512

static const struct {
    const char *word;
    enum e2c_control_request_type type;
} requests[] = {
    {"status", E2C_CONTROL_REQUEST_STATUS}, {"stats", E2C_CONTROL_REQUEST_STATS},
    {"leave", E2C_CONTROL_REQUEST_LEAVE},   {"rekey", E2C_CONTROL_REQUEST_REKEY},
    {"help", E2C_CONTROL_REQUEST_HELP},
};

/* ---- base64 ---- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

size_t
e2c_control_base64_encode(const guint8 *in, size_t len, char *out, size_t cap)
{
    size_t need = (len + 2) / 3 * 4;
    if (need > cap)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        guint32 v = (guint32)in[i] << 16;
        if (i + 1 < len)
            v |= (guint32)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
    }
    return o;
}

gboolean
e2c_control_base64_decode(const char *in, size_t len, guint8 *out, size_t cap, size_t *out_len)
{
    if (len % 4 != 0)
        return FALSE;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        gboolean last = i + 4 == len;
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)in[i + k];
            if (c == '=' && last && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad > 0) /* data after padding */
                return FALSE;
            v[k] = b64_value(c);
            if (v[k] < 0)
                return FALSE;
        }
        guint32 w = (guint32)v[0] << 18 | (guint32)v[1] << 12 | (guint32)v[2] << 6 | (guint32)v[3];
        /* Unused bits must be zero: one text per byte string (RFC 4648 §3.5). */
        if ((pad == 2 && (w & 0xffff)) || (pad == 1 && (w & 0xff)))
            return FALSE;
        size_t n = 3 - (size_t)pad;
        if (o + n > cap)
            return FALSE;
        out[o++] = (guint8)(w >> 16);
        if (n > 1)
            out[o++] = (guint8)(w >> 8);
        if (n > 2)
            out[o++] = (guint8)w;
    }
    *out_len = o;
    return TRUE;
}

/* ---- requests ---- */

static gboolean
parse_rekey(const char *arg, size_t len, struct e2c_control_request *out, GError **error)
{
    /* Big enough for any argument a line can carry, so the secret's own check gives the count. */
    guint8 bytes[E2C_CONTROL_MAX_LINE / 4 * 3];
    size_t n = 0;
    gboolean ok = FALSE;

    if (!e2c_control_base64_decode(arg, len, bytes, sizeof(bytes), &n)) {
        g_set_error_literal(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                            "the rekey argument is not base64 (RFC 4648, with padding)");
        goto out;
    }
    int err = e2c_secret_set(&out->secret, (const char *)bytes, n, 0);
    if (err != E2C_SECRET_OK) {
        char why[160];
        e2c_secret_describe(err, &out->secret, why, sizeof(why));
        memset(&out->secret, 0, sizeof(out->secret));
        g_set_error_literal(error, E2C_CONTROL_ERROR,
                            err == E2C_SECRET_E_NOMEM ? E2C_CONTROL_ERROR_INTERNAL
                                                      : E2C_CONTROL_ERROR_INVALID_SECRET,
                            why);
        goto out;
    }
    ok = TRUE;
out:
    OPENSSL_cleanse(bytes, sizeof(bytes));
    return ok;
}

gboolean
e2c_control_request_parse(const char *line, size_t len, struct e2c_control_request *out,
                          GError **error)
{
    memset(out, 0, sizeof(*out));
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0) {
        g_set_error_literal(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                            "empty request");
        return FALSE;
    }
    if (len >= E2C_CONTROL_MAX_LINE) {
        g_set_error(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                    "request longer than %d bytes", E2C_CONTROL_MAX_LINE);
        return FALSE;
    }
    if (memchr(line, '\0', len) || !g_utf8_validate_len(line, len, NULL)) {
        g_set_error_literal(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                            "a request is one line of UTF-8 text without NUL");
        return FALSE;
    }

    const char *space = memchr(line, ' ', len);
    size_t word_len = space ? (size_t)(space - line) : len;
    for (size_t i = 0; i < G_N_ELEMENTS(requests); i++) {
        if (strlen(requests[i].word) != word_len || memcmp(requests[i].word, line, word_len))
            continue;
        out->type = requests[i].type;
        if (out->type == E2C_CONTROL_REQUEST_REKEY) {
            if (!space) {
                g_set_error_literal(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                                    "rekey needs the secret in base64: rekey BASE64");
                return FALSE;
            }
            return parse_rekey(space + 1, len - word_len - 1, out, error);
        }
        if (space) {
            g_set_error(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                        "%s takes no argument", requests[i].word);
            return FALSE;
        }
        return TRUE;
    }
    /* Never quote the word: a mistyped "rekey" line would put the secret in the reply. */
    g_set_error_literal(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                        "unknown request (status, stats, leave, rekey BASE64, help)");
    return FALSE;
}

void
e2c_control_request_clear(struct e2c_control_request *req)
{
    if (!req)
        return;
    e2c_secret_clear(&req->secret);
    memset(req, 0, sizeof(*req));
}

const char *
e2c_control_request_type_to_string(enum e2c_control_request_type type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(requests); i++)
        if (requests[i].type == type)
            return requests[i].word;
    return "unknown";
}

size_t
e2c_control_request_format(enum e2c_control_request_type type, const struct e2c_secret *secret,
                           char *buf, size_t cap)
{
    const char *word = e2c_control_request_type_to_string(type);
    size_t wlen = strlen(word);
    if (!strcmp(word, "unknown") || wlen + 2 > cap)
        return 0;
    memcpy(buf, word, wlen);
    size_t n = wlen;
    if (type == E2C_CONTROL_REQUEST_REKEY) {
        if (!secret || !secret->utf8)
            return 0;
        buf[n++] = ' ';
        size_t b = e2c_control_base64_encode((const guint8 *)secret->utf8, secret->len, buf + n,
                                             cap - n - 1);
        if (b == 0 && secret->len > 0) {
            OPENSSL_cleanse(buf, cap);
            return 0;
        }
        n += b;
    }
    buf[n++] = '\n';
    return n;
}

/* ---- replies ---- */

void
e2c_control_reply_ok(GString *out, const json_t *obj)
{
    if (!obj || !json_is_object(obj)) {
        g_string_append(out, "ok\n");
        return;
    }
    /* Compact output has no raw newline: strings escape theirs. */
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text) {
        e2c_control_reply_error(out, E2C_CONTROL_E_INTERNAL, "cannot encode the reply");
        return;
    }
    g_string_append_printf(out, "ok %s\n", text);
    free(text);
}

static gboolean
valid_name(const char *name, size_t len)
{
    if (len == 0 || len > 64)
        return FALSE;
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isupper(name[i]) && !g_ascii_isdigit(name[i]) && name[i] != '_')
            return FALSE;
    return TRUE;
}

void
e2c_control_reply_error(GString *out, const char *name, const char *fmt, ...)
{
    if (!name || !valid_name(name, strlen(name)))
        name = E2C_CONTROL_E_INTERNAL;
    va_list ap;
    va_start(ap, fmt);
    gchar *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    /* One printable line: messages may come from other modules' GErrors. */
    size_t len = strlen(msg);
    if (len > MAX_MESSAGE) {
        len = MAX_MESSAGE;
        while (len > 0 && ((unsigned char)msg[len] & 0xc0) == 0x80)
            len--; /* not inside a UTF-8 sequence */
        msg[len] = '\0';
    }
    if (!g_utf8_validate(msg, (gssize)len, NULL)) {
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)msg[i] >= 0x80)
                msg[i] = '?';
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
            msg[i] = ' ';
    g_string_append_printf(out, "error %s %s\n", name, msg);
    g_free(msg);
}

const char *
e2c_control_error_name(const GError *error)
{
    if (error && error->domain == E2C_CONTROL_ERROR) {
        switch ((E2cControlError)error->code) {
        case E2C_CONTROL_ERROR_INVALID_SECRET:
            return E2C_CONTROL_E_INVALID_SECRET;
        case E2C_CONTROL_ERROR_NOT_ENCRYPTED:
            return E2C_CONTROL_E_NOT_ENCRYPTED;
        case E2C_CONTROL_ERROR_BUSY:
            return E2C_CONTROL_E_BUSY;
        case E2C_CONTROL_ERROR_INTERNAL:
            return E2C_CONTROL_E_INTERNAL;
        case E2C_CONTROL_ERROR_BAD_REQUEST:
            return E2C_CONTROL_E_BAD_REQUEST;
        }
    }
    return E2C_CONTROL_E_INTERNAL;
}

void
e2c_control_reply_gerror(GString *out, const GError *error)
{
    e2c_control_reply_error(out, e2c_control_error_name(error), "%s",
                            error && error->message ? error->message : "failed");
}

json_t *
e2c_control_help(void)
{
    json_t *list = json_array();
    for (size_t i = 0; i < G_N_ELEMENTS(requests); i++)
        json_array_append_new(list, json_string(requests[i].type == E2C_CONTROL_REQUEST_REKEY
                                                    ? "rekey BASE64"
                                                    : requests[i].word));
    return json_pack("{s:s, s:i, s:o, s:i}", "protocol", "e2call-control", "version", 1, "requests",
                     list, "max-request-bytes", E2C_CONTROL_MAX_LINE);
}

gboolean
e2c_control_reply_parse(const char *line, size_t len, struct e2c_control_reply *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (memchr(line, '\0', len) || !g_utf8_validate_len(line, len, NULL))
        goto bad;
    if (len == 2 && !memcmp(line, "ok", 2)) {
        out->ok = TRUE;
        return TRUE;
    }
    if (len > 3 && !memcmp(line, "ok ", 3)) {
        json_error_t jerr;
        json_t *obj = json_loadb(line + 3, len - 3, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj || !json_is_object(obj)) {
            json_decref(obj);
            goto bad;
        }
        out->ok = TRUE;
        out->json = obj;
        return TRUE;
    }
    if (len > 6 && !memcmp(line, "error ", 6)) {
        const char *name = line + 6;
        const char *end = line + len;
        const char *sp = memchr(name, ' ', (size_t)(end - name));
        size_t nlen = sp ? (size_t)(sp - name) : (size_t)(end - name);
        if (!valid_name(name, nlen))
            goto bad;
        out->name = g_strndup(name, nlen);
        out->message = sp ? g_strndup(sp + 1, (size_t)(end - sp - 1)) : g_strdup("");
        return TRUE;
    }
bad:
    g_set_error_literal(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST,
                        "malformed reply from the control socket");
    return FALSE;
}

void
e2c_control_reply_clear(struct e2c_control_reply *reply)
{
    if (!reply)
        return;
    if (reply->json)
        json_decref(reply->json);
    g_free(reply->name);
    g_free(reply->message);
    memset(reply, 0, sizeof(*reply));
}

/* ---- framing ---- */

char *
e2c_control_framer_space(struct e2c_control_framer *f, size_t *out_room)
{
    *out_room = sizeof(f->buf) - f->len;
    return f->buf + f->len;
}

void
e2c_control_framer_commit(struct e2c_control_framer *f, size_t n)
{
    g_return_if_fail(n <= sizeof(f->buf) - f->len);
    f->len += n;
}

size_t
e2c_control_framer_push(struct e2c_control_framer *f, const void *data, size_t len)
{
    size_t room;
    char *dst = e2c_control_framer_space(f, &room);
    size_t n = MIN(room, len);
    memcpy(dst, data, n);
    f->len += n;
    return n;
}

enum e2c_control_frame
e2c_control_framer_next(const struct e2c_control_framer *f, const char **out_line, size_t *out_len)
{
    const char *lf = memchr(f->buf, '\n', f->len);
    if (lf) {
        *out_line = f->buf;
        *out_len = (size_t)(lf - f->buf);
        return E2C_CONTROL_FRAME_LINE;
    }
    return f->len == sizeof(f->buf) ? E2C_CONTROL_FRAME_TOO_LONG : E2C_CONTROL_FRAME_NEED_MORE;
}

void
e2c_control_framer_consume(struct e2c_control_framer *f, size_t line_len)
{
    size_t drop = MIN(line_len + 1, f->len);
    size_t rest = f->len - drop;
    memmove(f->buf, f->buf + drop, rest);
    /* The line may have carried a secret: nothing of it stays behind. */
    OPENSSL_cleanse(f->buf + rest, f->len - rest);
    f->len = rest;
}

void
e2c_control_framer_wipe(struct e2c_control_framer *f)
{
    OPENSSL_cleanse(f->buf, sizeof(f->buf));
    f->len = 0;
}
