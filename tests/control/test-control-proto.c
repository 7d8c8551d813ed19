/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control protocol without sockets: every request form, base64 edge
 * cases, invalid secrets (e2call(1) SECRETS), oversized lines, reply formatting and
 * parsing, framing, and that no reply ever carries the secret (a canary).
 */
#include <string.h>

#include "control-proto.h"

#define CANARY "canary-7f3e-SECRET-do-not-leak"

static gchar *
b64(const char *bytes, size_t len)
{
    char out[E2C_CONTROL_MAX_LINE];
    size_t n = e2c_control_base64_encode((const guint8 *)bytes, len, out, sizeof(out));
    return g_strndup(out, n);
}

/* Parses line; returns the reply a server would give for a parse error (or NULL). */
static gchar *
parse_reply(const char *line, struct e2c_control_request *req)
{
    GError *error = NULL;
    if (e2c_control_request_parse(line, strlen(line), req, &error))
        return NULL;
    GString *out = g_string_new(NULL);
    e2c_control_reply_gerror(out, error);
    g_error_free(error);
    return g_string_free(out, FALSE);
}

static void
assert_no_canary(const char *text)
{
    gchar *enc = b64(CANARY, strlen(CANARY));
    g_assert_null(strstr(text, CANARY));
    g_assert_null(strstr(text, enc));
    g_free(enc);
}

static void
test_simple_requests(void)
{
    static const struct {
        const char *line;
        enum e2c_control_request_type type;
    } cases[] = {
        {"status", E2C_CONTROL_REQUEST_STATUS},   {"stats", E2C_CONTROL_REQUEST_STATS},
        {"leave", E2C_CONTROL_REQUEST_LEAVE},     {"help", E2C_CONTROL_REQUEST_HELP},
        {"status\r", E2C_CONTROL_REQUEST_STATUS},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct e2c_control_request req;
        gchar *err = parse_reply(cases[i].line, &req);
        g_assert_null(err);
        g_assert_cmpint(req.type, ==, cases[i].type);
        g_assert_null(req.secret.utf8);
        e2c_control_request_clear(&req);
    }
}

static void
test_bad_requests(void)
{
    static const char *const lines[] = {
        "",         "\r",       "STATUS",      "status ",    " status",
        "status x", "stat",     "statusx",     "rekey",      "leave now",
        "help me",  "\xff\xfe", "rekey\tAAAA", "sta\x01tus", "rekey  " /* two spaces: not base64 */,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        struct e2c_control_request req;
        gchar *err = parse_reply(lines[i], &req);
        g_assert_nonnull(err);
        g_assert_true(g_str_has_prefix(err, "error BAD_REQUEST ") ||
                      g_str_has_prefix(err, "error INVALID_ENCRYPTION_SECRET "));
        g_assert_null(req.secret.utf8);
        g_free(err);
    }
    /* A NUL inside the line. */
    struct e2c_control_request req;
    GError *error = NULL;
    g_assert_false(e2c_control_request_parse("status\0x", 8, &req, &error));
    g_assert_error(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST);
    g_clear_error(&error);
}

/* A mistyped request never echoes the line: it may be a secret. */
static void
test_unknown_not_echoed(void)
{
    static const char *const lines[] = {CANARY, "rekye " CANARY, "REKEY " CANARY};
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        struct e2c_control_request req;
        gchar *err = parse_reply(lines[i], &req);
        g_assert_nonnull(err);
        assert_no_canary(err);
        g_free(err);
    }
}

static void
test_rekey_valid(void)
{
    static const char *const secrets[] = {
        CANARY,
        "12345678",                                                         /* 8 code points */
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", /* 8 x U+00E9 */
        "with\nnewline and spaces",
        "\xf0\x9f\x94\x91 key emoji",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(secrets); i++) {
        gchar *enc = b64(secrets[i], strlen(secrets[i]));
        gchar *line = g_strconcat("rekey ", enc, NULL);
        struct e2c_control_request req;
        gchar *err = parse_reply(line, &req);
        g_assert_null(err);
        g_assert_cmpint(req.type, ==, E2C_CONTROL_REQUEST_REKEY);
        g_assert_nonnull(req.secret.utf8);
        g_assert_cmpmem(req.secret.utf8, req.secret.len, secrets[i], strlen(secrets[i]));
        e2c_control_request_clear(&req);
        g_assert_null(req.secret.utf8);
        g_free(line);
        g_free(enc);
    }
    /* 256 code points of 4 bytes: the longest valid secret. */
    GString *longest = g_string_new(NULL);
    for (int i = 0; i < 256; i++)
        g_string_append(longest, "\xf0\x9f\x94\x91");
    gchar *enc = b64(longest->str, longest->len);
    gchar *line = g_strconcat("rekey ", enc, NULL);
    g_assert_cmpuint(strlen(line), <, E2C_CONTROL_MAX_LINE);
    struct e2c_control_request req;
    g_assert_null(parse_reply(line, &req));
    g_assert_cmpuint(req.secret.n_chars, ==, 256);
    e2c_control_request_clear(&req);
    g_free(line);
    g_free(enc);
    g_string_free(longest, TRUE);
}

static void
expect_invalid_secret(const char *bytes, size_t len, const char *message_part)
{
    gchar *enc = b64(bytes, len);
    gchar *line = g_strconcat("rekey ", enc, NULL);
    struct e2c_control_request req;
    gchar *err = parse_reply(line, &req);
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(err, "error INVALID_ENCRYPTION_SECRET "));
    g_assert_nonnull(strstr(err, message_part));
    g_assert_null(req.secret.utf8);
    assert_no_canary(err);
    if (len >= 4)
        g_assert_null(strstr(err, enc));
    g_free(err);
    g_free(line);
    g_free(enc);
}

static void
test_rekey_invalid(void)
{
    expect_invalid_secret("canary7", 7, "7 characters, at least 8");
    expect_invalid_secret("", 0, "empty");
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 257; i++)
        g_string_append_c(s, 'a');
    expect_invalid_secret(s->str, s->len, "257 characters, at most 256");
    g_string_truncate(s, 0);
    for (int i = 0; i < 257; i++)
        g_string_append(s, "\xc3\xa9"); /* 257 code points, 514 bytes */
    expect_invalid_secret(s->str, s->len, "257 characters");
    g_string_free(s, TRUE);
    expect_invalid_secret("canary-\0-secret", 15, "NUL");
    expect_invalid_secret("canary-\xff-secret", 15, "UTF-8");
    expect_invalid_secret("canary-\xc0\xaf-overlong", 18, "UTF-8");
}

static void
test_rekey_bad_base64(void)
{
    static const char *const args[] = {
        "Y2FuYXJ5LXNlY3JldA",    /* no padding */
        "Y2FuYXJ5LXNlY3JldA=",   /* short padding */
        "Y2FuYXJ5=LXNlY3JldA==", /* padding inside */
        "Y2FuYXJ5LXNlY3JldB==",  /* non-zero unused bits */
        "Y2FuYXJ5-XNlY3JldA==",  /* URL alphabet */
        "Y2FuYXJ5 XNlY3JldA==",  /* space */
        "====",
        "A===",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(args); i++) {
        gchar *line = g_strconcat("rekey ", args[i], NULL);
        struct e2c_control_request req;
        gchar *err = parse_reply(line, &req);
        g_assert_nonnull(err);
        g_assert_true(g_str_has_prefix(err, "error BAD_REQUEST "));
        g_assert_null(strstr(err, args[i]));
        g_free(err);
        g_free(line);
    }
}

static void
test_base64_round_trip(void)
{
    guint8 in[64], out[64];
    char text[128];
    for (size_t len = 0; len < sizeof(in); len++) {
        for (size_t i = 0; i < len; i++)
            in[i] = (guint8)(i * 37 + len);
        size_t n = e2c_control_base64_encode(in, len, text, sizeof(text));
        g_assert_cmpuint(n, ==, (len + 2) / 3 * 4);
        gchar *glib = g_base64_encode(in, len);
        g_assert_cmpmem(text, n, glib, strlen(glib));
        g_free(glib);
        size_t m = 0;
        g_assert_true(e2c_control_base64_decode(text, n, out, sizeof(out), &m));
        g_assert_cmpmem(out, m, in, len);
    }
    size_t m;
    g_assert_false(e2c_control_base64_decode("AAAAAAAA", 8, out, 5, &m)); /* no room */
    g_assert_cmpuint(e2c_control_base64_encode(in, 3, text, 3), ==, 0);
}

static void
test_oversized(void)
{
    /* The longest line that fits: 4095 bytes and its LF. */
    GString *line = g_string_new("rekey ");
    while (line->len < E2C_CONTROL_MAX_LINE - 1)
        g_string_append_c(line, 'A');
    struct e2c_control_request req;
    gchar *err = parse_reply(line->str, &req);
    g_assert_nonnull(err); /* 4089 is not a multiple of 4 */
    g_assert_true(g_str_has_prefix(err, "error BAD_REQUEST "));
    g_free(err);
    /* Longer is refused by the parser too, whatever the framer did. */
    g_string_append(line, "AAAA");
    GError *error = NULL;
    g_assert_false(e2c_control_request_parse(line->str, line->len, &req, &error));
    g_assert_nonnull(strstr(error->message, "longer than 4096"));
    g_clear_error(&error);
    /* Base64 that fits a line but decodes to a too-long secret: counted, not truncated. */
    g_string_assign(line, "rekey ");
    while (line->len + 4 < E2C_CONTROL_MAX_LINE)
        g_string_append(line, "QUFB");
    err = parse_reply(line->str, &req);
    g_assert_true(g_str_has_prefix(err, "error INVALID_ENCRYPTION_SECRET "));
    g_assert_nonnull(strstr(err, "3066 characters"));
    g_free(err);
    g_string_free(line, TRUE);
}

static void
test_format(void)
{
    char buf[E2C_CONTROL_MAX_LINE];
    size_t n = e2c_control_request_format(E2C_CONTROL_REQUEST_STATUS, NULL, buf, sizeof(buf));
    g_assert_cmpmem(buf, n, "status\n", 7);
    g_assert_cmpuint(e2c_control_request_format(E2C_CONTROL_REQUEST_REKEY, NULL, buf, 64), ==, 0);
    g_assert_cmpuint(e2c_control_request_format(E2C_CONTROL_REQUEST_HELP, NULL, buf, 5), ==, 0);

    struct e2c_secret secret;
    g_assert_cmpint(e2c_secret_set(&secret, CANARY, strlen(CANARY), 0), ==, E2C_SECRET_OK);
    n = e2c_control_request_format(E2C_CONTROL_REQUEST_REKEY, &secret, buf, sizeof(buf));
    g_assert_cmpuint(n, >, 6);
    g_assert_cmpint(buf[n - 1], ==, '\n');
    struct e2c_control_request req;
    GError *error = NULL;
    g_assert_true(e2c_control_request_parse(buf, n - 1, &req, &error));
    g_assert_cmpstr(req.secret.utf8, ==, CANARY);
    e2c_control_request_clear(&req);
    g_assert_cmpuint(e2c_control_request_format(E2C_CONTROL_REQUEST_REKEY, &secret, buf, 20), ==,
                     0);
    e2c_secret_clear(&secret);
}

static void
test_replies(void)
{
    GString *out = g_string_new(NULL);
    e2c_control_reply_ok(out, NULL);
    g_assert_cmpstr(out->str, ==, "ok\n");

    g_string_truncate(out, 0);
    json_t *obj = json_pack("{s:s, s:i}", "text", "two\nlines", "n", 3);
    e2c_control_reply_ok(out, obj);
    g_assert_cmpstr(out->str, ==, "ok {\"text\":\"two\\nlines\",\"n\":3}\n");
    json_decref(obj);

    struct e2c_control_reply reply;
    GError *error = NULL;
    g_assert_true(e2c_control_reply_parse(out->str, out->len - 1, &reply, &error));
    g_assert_true(reply.ok);
    g_assert_cmpint(json_integer_value(json_object_get(reply.json, "n")), ==, 3);
    e2c_control_reply_clear(&reply);

    g_string_truncate(out, 0);
    e2c_control_reply_error(out, "BUSY", "line\none\ttab \x7f");
    g_assert_cmpstr(out->str, ==, "error BUSY line one tab  \n");
    g_string_truncate(out, 0);
    e2c_control_reply_error(out, "bad name", "x");
    g_assert_true(g_str_has_prefix(out->str, "error ENCRYPTION_INTERNAL_ERROR "));
    g_string_truncate(out, 0);
    gchar *huge = g_strnfill(2000, 'x');
    e2c_control_reply_error(out, "BUSY", "%s", huge);
    g_assert_cmpuint(out->len, <, 600);
    g_free(huge);
    g_string_truncate(out, 0);
    e2c_control_reply_error(out, "BUSY", "bad utf8 \xff here");
    g_assert_true(g_utf8_validate(out->str, -1, NULL));

    /* GError codes map to the reply names. */
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {E2C_CONTROL_ERROR_INVALID_SECRET, "INVALID_ENCRYPTION_SECRET"},
        {E2C_CONTROL_ERROR_NOT_ENCRYPTED, "NOT_ENCRYPTED"},
        {E2C_CONTROL_ERROR_BUSY, "BUSY"},
        {E2C_CONTROL_ERROR_INTERNAL, "ENCRYPTION_INTERNAL_ERROR"},
        {E2C_CONTROL_ERROR_BAD_REQUEST, "BAD_REQUEST"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        GError *e = g_error_new_literal(E2C_CONTROL_ERROR, names[i].code, "m");
        g_assert_cmpstr(e2c_control_error_name(e), ==, names[i].name);
        g_error_free(e);
    }
    GError *other = g_error_new_literal(G_FILE_ERROR, G_FILE_ERROR_IO, "m");
    g_assert_cmpstr(e2c_control_error_name(other), ==, "ENCRYPTION_INTERNAL_ERROR");
    g_error_free(other);

    static const char *const good[] = {"ok", "ok {}", "error BUSY retry", "error X",
                                       "error TIMEOUT "};
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_true(e2c_control_reply_parse(good[i], strlen(good[i]), &reply, &error));
        e2c_control_reply_clear(&reply);
    }
    g_assert_true(e2c_control_reply_parse("error BUSY retry", 16, &reply, &error));
    g_assert_false(reply.ok);
    g_assert_cmpstr(reply.name, ==, "BUSY");
    g_assert_cmpstr(reply.message, ==, "retry");
    e2c_control_reply_clear(&reply);
    static const char *const bad[] = {"",       "ok ",          "ok []",
                                      "ok {",   "okay",         "error",
                                      "error ", "error busy x", "ok {\"a\":1,\"a\":2}",
                                      "fine"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(e2c_control_reply_parse(bad[i], strlen(bad[i]), &reply, &error));
        g_assert_error(error, E2C_CONTROL_ERROR, E2C_CONTROL_ERROR_BAD_REQUEST);
        g_clear_error(&error);
        g_assert_null(reply.json);
        g_assert_null(reply.name);
    }
    g_string_free(out, TRUE);
}

static void
test_help(void)
{
    json_t *help = e2c_control_help();
    g_assert_cmpint(json_integer_value(json_object_get(help, "version")), ==, 1);
    g_assert_cmpint(json_array_size(json_object_get(help, "requests")), ==, 5);
    g_assert_cmpint(json_integer_value(json_object_get(help, "max-request-bytes")), ==, 4096);
    json_decref(help);
}

static gboolean
all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return FALSE;
    return TRUE;
}

static void
test_framer(void)
{
    struct e2c_control_framer f = {0};
    const char *line;
    size_t len;
    g_assert_cmpint(e2c_control_framer_next(&f, &line, &len), ==, E2C_CONTROL_FRAME_NEED_MORE);

    const char *input = "status\nrekey " CANARY "\nhel";
    e2c_control_framer_push(&f, input, strlen(input));
    g_assert_cmpint(e2c_control_framer_next(&f, &line, &len), ==, E2C_CONTROL_FRAME_LINE);
    g_assert_cmpmem(line, len, "status", 6);
    e2c_control_framer_consume(&f, len);
    g_assert_cmpint(e2c_control_framer_next(&f, &line, &len), ==, E2C_CONTROL_FRAME_LINE);
    g_assert_cmpmem(line, len, "rekey " CANARY, strlen("rekey " CANARY));
    e2c_control_framer_consume(&f, len);
    /* Consumed bytes are wiped: only "hel" is left, then zeros. */
    g_assert_cmpuint(f.len, ==, 3);
    g_assert_cmpmem(f.buf, 3, "hel", 3);
    g_assert_true(all_zero(f.buf + 3, sizeof(f.buf) - 3));
    g_assert_null(memmem(f.buf, sizeof(f.buf), CANARY, strlen(CANARY)));
    g_assert_cmpint(e2c_control_framer_next(&f, &line, &len), ==, E2C_CONTROL_FRAME_NEED_MORE);

    /* Exactly full without a LF: too long. */
    e2c_control_framer_wipe(&f);
    g_assert_true(all_zero(f.buf, sizeof(f.buf)));
    gchar *big = g_strnfill(E2C_CONTROL_MAX_LINE + 10, 'a');
    g_assert_cmpuint(e2c_control_framer_push(&f, big, E2C_CONTROL_MAX_LINE + 10), ==,
                     E2C_CONTROL_MAX_LINE);
    g_assert_cmpint(e2c_control_framer_next(&f, &line, &len), ==, E2C_CONTROL_FRAME_TOO_LONG);
    size_t room;
    e2c_control_framer_space(&f, &room);
    g_assert_cmpuint(room, ==, 0);
    /* 4095 bytes and a LF: one line. */
    e2c_control_framer_wipe(&f);
    big[E2C_CONTROL_MAX_LINE - 1] = '\n';
    e2c_control_framer_push(&f, big, E2C_CONTROL_MAX_LINE);
    g_assert_cmpint(e2c_control_framer_next(&f, &line, &len), ==, E2C_CONTROL_FRAME_LINE);
    g_assert_cmpuint(len, ==, E2C_CONTROL_MAX_LINE - 1);
    e2c_control_framer_consume(&f, len);
    g_assert_cmpuint(f.len, ==, 0);
    g_assert_true(all_zero(f.buf, sizeof(f.buf)));
    g_free(big);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/control/proto/simple-requests", test_simple_requests);
    g_test_add_func("/control/proto/bad-requests", test_bad_requests);
    g_test_add_func("/control/proto/unknown-not-echoed", test_unknown_not_echoed);
    g_test_add_func("/control/proto/rekey-valid", test_rekey_valid);
    g_test_add_func("/control/proto/rekey-invalid", test_rekey_invalid);
    g_test_add_func("/control/proto/rekey-bad-base64", test_rekey_bad_base64);
    g_test_add_func("/control/proto/base64-round-trip", test_base64_round_trip);
    g_test_add_func("/control/proto/oversized", test_oversized);
    g_test_add_func("/control/proto/format", test_format);
    g_test_add_func("/control/proto/replies", test_replies);
    g_test_add_func("/control/proto/help", test_help);
    g_test_add_func("/control/proto/framer", test_framer);
    return g_test_run();
}
