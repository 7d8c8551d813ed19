/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A control client's byte stream through the framer and the request parser,
 * as the server sees it (chunked reads, the 4096-byte line cap, a last line
 * without LF at end of input), with the reply each request would get. Checks
 * that every request gets exactly one well-formed reply line that never
 * contains the rekey argument, that valid rekeys round-trip, and that the
 * framer wipes what it consumed. The input is also parsed as a reply line
 * (the client side) and as base64.
 */
#include <stdint.h>
#include <string.h>

#include "control-proto.h"

/* Several lines' worth: enough for pipelining and the cap. */
#define MAX_STREAM (3 * E2C_CONTROL_MAX_LINE)

static volatile size_t sink;

/* Only alphabet text: fixed message words never hold 12 such characters in a row. */
static gboolean
is_base64_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '/' && s[i] != '=')
            return FALSE;
    return TRUE;
}

static void
check_reply(const GString *reply, const char *line, size_t len)
{
    g_assert(reply->len > 0 && reply->str[reply->len - 1] == '\n');
    g_assert(memchr(reply->str, '\n', reply->len) == reply->str + reply->len - 1);
    g_assert(g_str_has_prefix(reply->str, "ok") || g_str_has_prefix(reply->str, "error "));

    struct e2c_control_reply parsed;
    GError *error = NULL;
    g_assert(e2c_control_reply_parse(reply->str, reply->len - 1, &parsed, &error));
    if (!parsed.ok)
        g_assert(strlen(parsed.message) <= 512);
    e2c_control_reply_clear(&parsed);

    /* The rekey argument (possibly a secret) never comes back. */
    if (len >= 6 + 12 && !memcmp(line, "rekey ", 6) && is_base64_text(line + 6, len - 6))
        g_assert(!memmem(reply->str, reply->len, line + 6, len - 6));
}

static void
handle_line(const char *line, size_t len)
{
    struct e2c_control_request req;
    GError *error = NULL;
    GString *reply = g_string_new(NULL);

    if (!e2c_control_request_parse(line, len, &req, &error)) {
        g_assert(error && error->domain == E2C_CONTROL_ERROR);
        g_assert(req.secret.utf8 == NULL);
        e2c_control_reply_gerror(reply, error);
        g_error_free(error);
    } else if (req.type == E2C_CONTROL_REQUEST_REKEY) {
        g_assert(req.secret.utf8 && req.secret.n_chars >= 8 && req.secret.n_chars <= 256);
        /* What the client would send for this secret parses back to the same bytes. */
        char buf[E2C_CONTROL_MAX_LINE];
        size_t n = e2c_control_request_format(req.type, &req.secret, buf, sizeof(buf));
        g_assert(n > 0 && buf[n - 1] == '\n');
        struct e2c_control_request again;
        g_assert(e2c_control_request_parse(buf, n - 1, &again, NULL));
        g_assert(again.secret.len == req.secret.len &&
                 !memcmp(again.secret.utf8, req.secret.utf8, req.secret.len));
        e2c_control_request_clear(&again);
        e2c_control_reply_ok(reply, NULL);
    } else if (req.type == E2C_CONTROL_REQUEST_HELP) {
        json_t *help = e2c_control_help();
        e2c_control_reply_ok(reply, help);
        json_decref(help);
    } else {
        g_assert(req.secret.utf8 == NULL);
        e2c_control_reply_ok(reply, NULL);
    }
    check_reply(reply, line, len);
    e2c_control_request_clear(&req);
    g_string_free(reply, TRUE);
}

static gboolean
all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return FALSE;
    return TRUE;
}

/* Returns FALSE when the connection would be closed (line too long). */
static gboolean
drain(struct e2c_control_framer *f)
{
    for (;;) {
        const char *line;
        size_t len;
        switch (e2c_control_framer_next(f, &line, &len)) {
        case E2C_CONTROL_FRAME_NEED_MORE:
            return TRUE;
        case E2C_CONTROL_FRAME_TOO_LONG: {
            GString *reply = g_string_new(NULL);
            e2c_control_reply_error(reply, E2C_CONTROL_E_TOO_LONG, "too long");
            check_reply(reply, "", 0);
            g_string_free(reply, TRUE);
            return FALSE;
        }
        case E2C_CONTROL_FRAME_LINE:
            g_assert(len < E2C_CONTROL_MAX_LINE);
            handle_line(line, len);
            e2c_control_framer_consume(f, len);
            g_assert(all_zero(f->buf + f->len, sizeof(f->buf) - f->len));
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
    if (size > MAX_STREAM)
        return 0;

    /* The stream, read in chunks of 1 to 64 bytes chosen by the first byte. */
    static struct e2c_control_framer f;
    size_t chunk = size ? (size_t)(data[0] % 64) + 1 : 1;
    size_t off = 0;
    gboolean open = TRUE;
    while (open && off < size) {
        off += e2c_control_framer_push(&f, data + off, MIN(chunk, size - off));
        open = drain(&f);
    }
    if (open && f.len > 0) {
        /* End of input: the server takes a last line without its LF. */
        e2c_control_framer_push(&f, "\n", 1);
        open = drain(&f);
    }
    e2c_control_framer_wipe(&f);
    g_assert(all_zero(f.buf, sizeof(f.buf)));

    /* The same bytes as a reply, as the client parses it. */
    struct e2c_control_reply reply;
    if (e2c_control_reply_parse((const char *)data, size, &reply, NULL)) {
        if (reply.json) {
            char *text = json_dumps(reply.json, JSON_COMPACT);
            sink = text ? strlen(text) : 0;
            free(text);
        } else if (!reply.ok) {
            sink = strlen(reply.name) + strlen(reply.message);
        }
        e2c_control_reply_clear(&reply);
    }

    /* Strict base64 is canonical: decoding then encoding gives the input back. */
    guint8 out[MAX_STREAM];
    size_t n;
    if (e2c_control_base64_decode((const char *)data, size, out, sizeof(out), &n)) {
        char text[MAX_STREAM + 4];
        size_t m = e2c_control_base64_encode(out, n, text, sizeof(text));
        g_assert(m == size && !memcmp(text, data, size));
    }
    return 0;
}
