/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Known-answer tests for libsframe from the IETF SFrame working group's test
 * vectors (repository sframe-wg/sframe, folder test-vectors/):
 *
 *  - test-vectors.json @ 025d568, the file RFC 9605 Appendix C cites:
 *    sections header (289), aes_ctr_hmac (suites 1-3), sframe (suites 1-5);
 *  - test-vectors.json @ 3d07d8f, the same plus aes_256_ctr_hmac (suites
 *    6-8 of draft-barnes-sframe-iana-256);
 *  - test-vectors-aes256.json @ 3d07d8f: sframe_aes_256_ctr_hmac (6-8).
 *
 * The copies live in tests/data/sframe (provenance in its README); the
 * directory is argv[1]. jansson 2.14 keeps integers as int64 and rejects the
 * header section (values up to 2^64 - 1), so every integer literal is quoted
 * before json_loadb() and read back exactly with strtoull().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "sframe-internal.h"
#include "sframe.h"

#define FILE_RFC "sframe-wg__test-vectors.rfc9605-025d568.json"
#define FILE_HEAD "sframe-wg__test-vectors.json"
#define FILE_AES256 "sframe-wg__test-vectors-aes256.json"

static const char *vectors_dir;

/* Failures are counted rather than fatal, so one run reports every bad case. */
static unsigned failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            g_test_fail_printf(__VA_ARGS__);                                                       \
        }                                                                                          \
    } while (0)

/* ---- Loading ------------------------------------------------------------- */

/* Wraps every number token outside strings in quotes: 18446744073709551615 ->
 * "18446744073709551615". */
static GString *
quote_numbers(const char *text, size_t len)
{
    GString *out = g_string_sized_new(len + len / 4);
    gboolean in_string = FALSE, escaped = FALSE;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = FALSE;
            else if (c == '\\')
                escaped = TRUE;
            else if (c == '"')
                in_string = FALSE;
            g_string_append_c(out, c);
        } else if (c == '"') {
            in_string = TRUE;
            g_string_append_c(out, c);
        } else if (c == '-' || g_ascii_isdigit(c)) {
            g_string_append_c(out, '"');
            while (i < len && strchr("-+.eE0123456789", text[i]))
                g_string_append_c(out, text[i++]);
            g_string_append_c(out, '"');
            i--;
        } else {
            g_string_append_c(out, c);
        }
    }
    return out;
}

static json_t *
load_vectors(const char *name)
{
    g_autofree char *path = g_build_filename(vectors_dir, name, NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    json_error_t jerr;
    size_t len;

    if (!g_file_get_contents(path, &text, &len, &error))
        g_error("%s", error->message);
    GString *quoted = quote_numbers(text, len);
    json_t *root = json_loadb(quoted->str, quoted->len, 0, &jerr);
    g_string_free(quoted, TRUE);
    if (!root || !json_is_object(root))
        g_error("%s: %s (line %d)", path, jerr.text, jerr.line);
    return root;
}

static uint64_t
u64_field(json_t *tc, const char *name)
{
    const char *s = json_string_value(json_object_get(tc, name));
    char *end;

    if (!s || !g_ascii_isdigit(s[0]))
        g_error("field %s: not an unsigned integer", name);
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        g_error("field %s: '%s' is not a 64-bit integer", name, s);
    return v;
}

/* Hex string field as bytes; the caller frees with g_bytes_unref(). */
static GBytes *
hex_field(json_t *tc, const char *name)
{
    const char *s = json_string_value(json_object_get(tc, name));
    size_t n;

    if (!s || (n = strlen(s)) % 2)
        g_error("field %s: not a hex string", name);
    uint8_t *p = g_malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = g_ascii_xdigit_value(s[2 * i]), lo = g_ascii_xdigit_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            g_error("field %s: not a hex string", name);
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    return g_bytes_new_take(p, n / 2);
}

static gboolean
bytes_eq(GBytes *expected, const uint8_t *p, size_t len)
{
    size_t n;
    const uint8_t *e = g_bytes_get_data(expected, &n);
    return n == len && (len == 0 || memcmp(e, p, len) == 0);
}

#define DATA(b) ((const uint8_t *)g_bytes_get_data((b), NULL))
#define SIZE(b) g_bytes_get_size(b)

/* ---- Sections ------------------------------------------------------------ */

/* header: encode(kid, ctr) == encoded, decode(encoded) == (kid, ctr), both exact. */
static void
check_header(json_t *tc, size_t idx)
{
    uint64_t kid = u64_field(tc, "kid"), ctr = u64_field(tc, "ctr");
    g_autoptr(GBytes) encoded = hex_field(tc, "encoded");
    uint8_t buf[SFRAME_HEADER_MAX + 4];
    uint64_t got_kid = 0, got_ctr = 0;
    size_t len = 0;
    int err;

    err = sframe_header_encode(kid, ctr, buf, SFRAME_HEADER_MAX, &len);
    CHECK(err == SFRAME_OK && bytes_eq(encoded, buf, len),
          "header %zu: encode(%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") differs", idx, kid,
          ctr);

    err = sframe_header_decode(DATA(encoded), SIZE(encoded), &got_kid, &got_ctr, &len);
    CHECK(err == SFRAME_OK && got_kid == kid && got_ctr == ctr && len == SIZE(encoded),
          "header %zu: decode gives %d (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %zu)", idx,
          err, got_kid, got_ctr, len);

    /* Trailing bytes are not consumed; every truncation is malformed. */
    memcpy(buf, DATA(encoded), SIZE(encoded));
    memset(buf + SIZE(encoded), 0xa5, 4);
    err = sframe_header_decode(buf, SIZE(encoded) + 4, &got_kid, &got_ctr, &len);
    CHECK(err == SFRAME_OK && len == SIZE(encoded), "header %zu: trailing bytes consumed", idx);
    for (size_t cut = 0; cut < SIZE(encoded); cut++)
        CHECK(sframe_header_decode(buf, cut, &got_kid, &got_ctr, &len) == SFRAME_E_MALFORMED,
              "header %zu: truncation to %zu bytes accepted", idx, cut);
}

/* aes_ctr_hmac, aes_256_ctr_hmac: the §4.5.1 AEAD on its own, with the key split. */
static void
check_aes_ctr_hmac(json_t *tc, size_t idx)
{
    uint16_t suite = (uint16_t)u64_field(tc, "cipher_suite");
    const struct sframe_suite_info *info = sframe_suite_info(suite);
    g_autoptr(GBytes) key = hex_field(tc, "key"), enc_key = hex_field(tc, "enc_key");
    g_autoptr(GBytes) auth_key = hex_field(tc, "auth_key"), nonce = hex_field(tc, "nonce");
    g_autoptr(GBytes) aad = hex_field(tc, "aad"), pt = hex_field(tc, "pt");
    g_autoptr(GBytes) ct = hex_field(tc, "ct");
    struct sframe_aead seal = {0}, open = {0};
    const uint8_t *ek, *ak;
    size_t ek_len, ak_len;
    int err;

    if (!info || info->is_gcm || SIZE(key) != info->nk || SIZE(nonce) != SFRAME_NONCE_LEN ||
        SIZE(ct) != SIZE(pt) + info->nt) {
        CHECK(FALSE, "case %zu: suite 0x%04x or sizes unexpected", idx, suite);
        return;
    }
    sframe_aead_split(info, DATA(key), &ek, &ek_len, &ak, &ak_len);
    CHECK(bytes_eq(enc_key, ek, ek_len), "case %zu (suite %u): enc_key differs", idx, suite);
    CHECK(bytes_eq(auth_key, ak, ak_len), "case %zu (suite %u): auth_key differs", idx, suite);

    uint8_t *out = g_malloc(SIZE(ct) + 1), *back = g_malloc(SIZE(pt) + 1);
    struct sframe_aad whole = {DATA(aad), SIZE(aad), NULL, 0};
    err = sframe_aead_init(&seal, suite, 1, DATA(key), SIZE(key));
    if (err == SFRAME_OK)
        err = sframe_aead_seal(&seal, DATA(nonce), &whole, DATA(pt), SIZE(pt), out);
    CHECK(err == SFRAME_OK && bytes_eq(ct, out, SIZE(ct)), "case %zu (suite %u): seal %s", idx,
          suite, err ? sframe_strerror(err) : "differs");

    /* The same AAD in two pieces must give the same tag. */
    size_t half = SIZE(aad) / 2;
    struct sframe_aad split = {DATA(aad), half, DATA(aad) + half, SIZE(aad) - half};
    err = sframe_aead_seal(&seal, DATA(nonce), &split, DATA(pt), SIZE(pt), out);
    CHECK(err == SFRAME_OK && bytes_eq(ct, out, SIZE(ct)), "case %zu: split AAD differs", idx);

    err = sframe_aead_init(&open, suite, 0, DATA(key), SIZE(key));
    if (err == SFRAME_OK)
        err = sframe_aead_open(&open, DATA(nonce), &whole, DATA(ct), SIZE(pt), back);
    CHECK(err == SFRAME_OK && bytes_eq(pt, back, SIZE(pt)), "case %zu (suite %u): open %s", idx,
          suite, err ? sframe_strerror(err) : "differs");

    /* A flipped tag bit fails, and leaves no plaintext behind. */
    memcpy(out, DATA(ct), SIZE(ct));
    out[SIZE(ct) - 1] ^= 0x80;
    memset(back, 0xa5, SIZE(pt));
    err = sframe_aead_open(&open, DATA(nonce), &whole, out, SIZE(pt), back);
    CHECK(err == SFRAME_E_AUTH && (SIZE(pt) == 0 || back[0] == 0xa5),
          "case %zu (suite %u): flipped tag bit accepted", idx, suite);

    sframe_aead_finish(&seal);
    sframe_aead_finish(&open);
    g_free(out);
    g_free(back);
}

/* sframe, sframe_aes_256_ctr_hmac: every intermediate, then the public seal/open path. */
static void
check_sframe(json_t *tc, size_t idx)
{
    uint16_t suite = (uint16_t)u64_field(tc, "cipher_suite");
    uint64_t kid = u64_field(tc, "kid"), ctr = u64_field(tc, "ctr");
    const struct sframe_suite_info *info = sframe_suite_info(suite);
    g_autoptr(GBytes) base_key = hex_field(tc, "base_key");
    g_autoptr(GBytes) key_label = hex_field(tc, "sframe_key_label");
    g_autoptr(GBytes) salt_label = hex_field(tc, "sframe_salt_label");
    g_autoptr(GBytes) secret = hex_field(tc, "sframe_secret");
    g_autoptr(GBytes) sframe_key = hex_field(tc, "sframe_key");
    g_autoptr(GBytes) sframe_salt = hex_field(tc, "sframe_salt");
    g_autoptr(GBytes) metadata = hex_field(tc, "metadata"), nonce = hex_field(tc, "nonce");
    g_autoptr(GBytes) aad = hex_field(tc, "aad"), pt = hex_field(tc, "pt");
    g_autoptr(GBytes) ct = hex_field(tc, "ct");
    uint8_t label[SFRAME_KDF_LABEL_MAX], sec[SFRAME_NH_MAX], k[SFRAME_NK_MAX];
    uint8_t salt[SFRAME_NONCE_LEN], n[SFRAME_NONCE_LEN], hdr[SFRAME_HEADER_MAX];
    struct sframe_key *enc = NULL, *dec = NULL;
    uint64_t got_kid, got_ctr;
    size_t len, hdr_len = 0;
    int err;

    if (!info) {
        CHECK(FALSE, "case %zu: unknown suite 0x%04x", idx, suite);
        return;
    }
    len = sframe_kdf_label(SFRAME_KDF_LABEL_KEY, kid, suite, label);
    CHECK(bytes_eq(key_label, label, len), "case %zu (suite %u): key label differs", idx, suite);
    len = sframe_kdf_label(SFRAME_KDF_LABEL_SALT, kid, suite, label);
    CHECK(bytes_eq(salt_label, label, len), "case %zu (suite %u): salt label differs", idx, suite);

    err = sframe_kdf_extract(suite, DATA(base_key), SIZE(base_key), sec);
    CHECK(err == SFRAME_OK && bytes_eq(secret, sec, info->nh),
          "case %zu (suite %u): sframe_secret differs", idx, suite);
    err = sframe_kdf_derive(suite, kid, DATA(base_key), SIZE(base_key), k, salt);
    CHECK(err == SFRAME_OK && bytes_eq(sframe_key, k, info->nk),
          "case %zu (suite %u): sframe_key differs", idx, suite);
    CHECK(err == SFRAME_OK && bytes_eq(sframe_salt, salt, info->nn),
          "case %zu (suite %u): sframe_salt differs", idx, suite);

    sframe_nonce(salt, ctr, n);
    CHECK(bytes_eq(nonce, n, sizeof(n)), "case %zu (suite %u): nonce differs", idx, suite);

    err = sframe_header_encode(kid, ctr, hdr, sizeof(hdr), &hdr_len);
    g_autoptr(GByteArray) my_aad = g_byte_array_new();
    g_byte_array_append(my_aad, hdr, (guint)hdr_len);
    g_byte_array_append(my_aad, DATA(metadata), (guint)SIZE(metadata));
    CHECK(err == SFRAME_OK && bytes_eq(aad, my_aad->data, my_aad->len),
          "case %zu (suite %u): aad differs", idx, suite);

    size_t cap = sframe_seal_bound(suite, SIZE(pt));
    uint8_t *out = g_malloc(cap), *back = g_malloc(SIZE(pt) + 1);
    len = cap;
    err = sframe_key_create(suite, kid, SFRAME_KEY_ENCRYPT, DATA(base_key), SIZE(base_key), &enc);
    if (err == SFRAME_OK)
        err = sframe_seal(enc, ctr, DATA(metadata), SIZE(metadata), DATA(pt), SIZE(pt), out, &len);
    CHECK(err == SFRAME_OK && bytes_eq(ct, out, len), "case %zu (suite %u): seal %s", idx, suite,
          err ? sframe_strerror(err) : "differs");

    err = sframe_header_decode(DATA(ct), SIZE(ct), &got_kid, &got_ctr, &hdr_len);
    CHECK(err == SFRAME_OK && got_kid == kid && got_ctr == ctr, "case %zu: header of ct", idx);
    err = sframe_key_create(suite, kid, SFRAME_KEY_DECRYPT, DATA(base_key), SIZE(base_key), &dec);
    len = SIZE(pt);
    if (err == SFRAME_OK)
        err = sframe_open(dec, got_ctr, DATA(metadata), SIZE(metadata), DATA(ct), hdr_len, SIZE(ct),
                          back, &len);
    CHECK(err == SFRAME_OK && bytes_eq(pt, back, len), "case %zu (suite %u): open %s", idx, suite,
          err ? sframe_strerror(err) : "differs");

    sframe_key_destroy(enc);
    sframe_key_destroy(dec);
    g_free(out);
    g_free(back);
}

/* ---- Driver -------------------------------------------------------------- */

struct section {
    const char *path; /* test path */
    const char *file;
    const char *name;
    size_t expected;
    void (*check)(json_t *tc, size_t idx);
};

static const struct section sections[] = {
    {"/sframe/vectors/rfc9605/header", FILE_RFC, "header", 289, check_header},
    {"/sframe/vectors/rfc9605/aes_ctr_hmac", FILE_RFC, "aes_ctr_hmac", 3, check_aes_ctr_hmac},
    {"/sframe/vectors/rfc9605/sframe", FILE_RFC, "sframe", 5, check_sframe},
    {"/sframe/vectors/head/header", FILE_HEAD, "header", 289, check_header},
    {"/sframe/vectors/head/aes_ctr_hmac", FILE_HEAD, "aes_ctr_hmac", 3, check_aes_ctr_hmac},
    {"/sframe/vectors/head/aes_256_ctr_hmac", FILE_HEAD, "aes_256_ctr_hmac", 3, check_aes_ctr_hmac},
    {"/sframe/vectors/head/sframe", FILE_HEAD, "sframe", 5, check_sframe},
    {"/sframe/vectors/aes256/sframe_aes_256_ctr_hmac", FILE_AES256, "sframe_aes_256_ctr_hmac", 3,
     check_sframe},
};

static void
run_section(gconstpointer data)
{
    const struct section *s = data;
    json_t *root = load_vectors(s->file);
    json_t *cases = json_object_get(root, s->name), *tc;
    size_t idx;
    unsigned before = failures;

    g_assert_true(json_is_array(cases));
    json_array_foreach(cases, idx, tc) s->check(tc, idx);
    g_test_message("%s %s: %zu cases checked, %u failed", s->file, s->name, json_array_size(cases),
                   failures - before);
    g_assert_cmpuint(json_array_size(cases), ==, s->expected);
    g_assert_cmpuint(failures - before, ==, 0);
    json_decref(root);
}

/* Every section of every file is covered: a new upstream section must not go unnoticed. */
static void
test_no_unknown_sections(void)
{
    const char *files[] = {FILE_RFC, FILE_HEAD, FILE_AES256};

    for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
        json_t *root = load_vectors(files[f]), *v;
        const char *name;
        json_object_foreach(root, name, v)
        {
            gboolean known = FALSE;
            for (size_t i = 0; i < G_N_ELEMENTS(sections); i++)
                known |= !strcmp(sections[i].file, files[f]) && !strcmp(sections[i].name, name);
            if (!known)
                g_test_fail_printf("%s: section %s is not checked", files[f], name);
        }
        json_decref(root);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (argc < 2) {
        g_printerr("usage: %s VECTORS-DIR\n", argv[0]);
        return 2;
    }
    vectors_dir = argv[1];
    for (size_t i = 0; i < G_N_ELEMENTS(sections); i++)
        g_test_add_data_func(sections[i].path, &sections[i], run_section);
    g_test_add_func("/sframe/vectors/no-unknown-sections", test_no_unknown_sections);
    return g_test_run();
}
