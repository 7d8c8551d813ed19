/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Negative and property tests for libsframe: every tampering fails
 * authentication for every suite, strict header decoding, buffer contracts,
 * random round trips, and the replay window (cases after libsrtp's
 * test/replay_driver.c plus a reference model). Random cases use the g_test
 * seed, so a failure is reproduced with --seed.
 */
#include <string.h>

#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "sframe-internal.h"
#include "sframe.h"

#define N_SUITES 8
#define PATTERN 0xa5

static const uint8_t base_key[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const uint8_t metadata[] = "IETF SFrame WG";
static const uint8_t plaintext[] = "draft-ietf-sframe-enc, forty bytes long";
static const uint64_t test_kid = 0x0123456789abcdefULL;
static const uint64_t test_ctr = 0x4567;

static uint16_t
suite_at(size_t i)
{
    return (uint16_t)(i + 1);
}

static void
random_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)g_test_rand_int_range(0, 256);
}

static uint64_t
random_u64(void)
{
    return (uint64_t)(uint32_t)g_test_rand_int() << 32 | (uint32_t)g_test_rand_int();
}

static gboolean
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return FALSE;
    return TRUE;
}

static void
make_keys(uint16_t suite, uint64_t kid, struct sframe_key **enc, struct sframe_key **dec)
{
    g_assert_cmpint(
        sframe_key_create(suite, kid, SFRAME_KEY_ENCRYPT, base_key, sizeof(base_key), enc), ==,
        SFRAME_OK);
    g_assert_cmpint(
        sframe_key_create(suite, kid, SFRAME_KEY_DECRYPT, base_key, sizeof(base_key), dec), ==,
        SFRAME_OK);
}

/* Seals the test frame; returns its length and the header length. */
static size_t
seal_test_frame(struct sframe_key *enc, uint8_t *out, size_t cap, size_t *hdr_len)
{
    uint64_t kid, ctr;
    size_t len = cap;

    g_assert_cmpint(sframe_seal(enc, test_ctr, metadata, sizeof(metadata), plaintext,
                                sizeof(plaintext), out, &len),
                    ==, SFRAME_OK);
    g_assert_cmpint(sframe_header_decode(out, len, &kid, &ctr, hdr_len), ==, SFRAME_OK);
    g_assert_true(kid == sframe_key_kid(enc) && ctr == test_ctr);
    return len;
}

/* ---- Errors and suites ---------------------------------------------------- */

static void
test_strerror(void)
{
    for (int e = SFRAME_OK; e >= SFRAME_E_NOMEM; e--) {
        g_assert_nonnull(sframe_strerror(e));
        g_assert_cmpstr(sframe_strerror(e), !=, "unknown error");
        for (int f = SFRAME_OK; f > e; f--)
            g_assert_cmpstr(sframe_strerror(e), !=, sframe_strerror(f));
    }
    g_assert_cmpstr(sframe_strerror(1), ==, "unknown error");
    g_assert_cmpstr(sframe_strerror(-100), ==, "unknown error");
}

static void
test_suite_info(void)
{
    static const size_t nt[N_SUITES] = {10, 8, 4, 16, 16, 10, 8, 4};

    for (size_t i = 0; i < N_SUITES; i++) {
        const struct sframe_suite_info *info = sframe_suite_info(suite_at(i));
        g_assert_nonnull(info);
        g_assert_cmpuint(info->id, ==, suite_at(i));
        g_assert_cmpuint(info->nt, ==, nt[i]);
        g_assert_cmpuint(info->nn, ==, SFRAME_NONCE_LEN);
        g_assert_cmpuint(info->nt, <=, SFRAME_TAG_MAX);
        g_assert_true(info->is_gcm ? info->nka == 0 : info->nk == info->nka + info->nh);
    }
    g_assert_null(sframe_suite_info(0));
    g_assert_null(sframe_suite_info(9));
    g_assert_null(sframe_suite_info(0xf000));
    g_assert_cmpstr(sframe_suite_info(SFRAME_DEFAULT_SUITE)->name, ==,
                    "AES_256_CTR_HMAC_SHA512_80");
}

static void
test_suite_parse(void)
{
    static const struct {
        const char *text;
        uint16_t suite;
    } good[] = {
        {"6", 6},
        {"0x0006", 6},
        {"0x6", 6},
        {"0X6", 6},
        {"1", 1},
        {"08", 8},
        {"0x0005", 5},
        {"AES_256_CTR_HMAC_SHA512_80", 6},
        {"aes_128_gcm_sha256_128", 4},
        {"Aes_128_Ctr_Hmac_Sha256_32", 3},
    };
    static const char *bad[] = {
        "",
        "0",
        "9",
        "0x",
        "0x0",
        "0x9",
        "0x10000",
        "99999999999",
        " 6",
        "6 ",
        "-6",
        "+6",
        "0x-6",
        "6x",
        "aes",
        "AES_256_CTR_HMAC_SHA512",
        "AES_256_CTR_HMAC_SHA512_800",
        "0x0006 ",
    };
    uint16_t s;

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        s = 0;
        g_assert_cmpint(sframe_suite_parse(good[i].text, &s), ==, SFRAME_OK);
        g_assert_cmpuint(s, ==, good[i].suite);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        s = 0xbeef;
        g_assert_cmpint(sframe_suite_parse(bad[i], &s), ==, SFRAME_E_PARAM);
        g_assert_cmpuint(s, ==, 0xbeef);
    }
    g_assert_cmpint(sframe_suite_parse(NULL, &s), ==, SFRAME_E_PARAM);
    g_assert_cmpint(sframe_suite_parse("6", NULL), ==, SFRAME_E_PARAM);
}

/* ---- Header --------------------------------------------------------------- */

static size_t
expected_len(uint64_t v)
{
    size_t n = 0;
    if (v < 8)
        return 0;
    for (; v; v >>= 8)
        n++;
    return n;
}

static void
roundtrip_header(uint64_t kid, uint64_t ctr)
{
    uint8_t buf[SFRAME_HEADER_MAX];
    uint64_t k, c;
    size_t len, dlen;

    g_assert_cmpint(sframe_header_encode(kid, ctr, buf, sizeof(buf), &len), ==, SFRAME_OK);
    g_assert_cmpuint(len, ==, 1 + expected_len(kid) + expected_len(ctr));
    g_assert_cmpint(sframe_header_decode(buf, len, &k, &c, &dlen), ==, SFRAME_OK);
    g_assert_true(k == kid && c == ctr && dlen == len);
}

static void
test_header_roundtrip(void)
{
    for (unsigned a = 0; a < 64; a++) {
        for (unsigned b = 0; b < 64; b++) {
            uint64_t x = (uint64_t)1 << a, y = (uint64_t)1 << b;
            roundtrip_header(x, y);
            roundtrip_header(x - 1, y - 1);
            roundtrip_header(x + 1, y);
        }
    }
    roundtrip_header(UINT64_MAX, UINT64_MAX);
    for (int i = 0; i < 10000; i++)
        roundtrip_header(random_u64() >> g_test_rand_int_range(0, 64),
                         random_u64() >> g_test_rand_int_range(0, 64));
}

/* Every config byte: with enough nonzero-led bytes it decodes; any shorter input is malformed. */
static void
test_header_truncated(void)
{
    uint8_t buf[SFRAME_HEADER_MAX];
    uint64_t k, c;
    size_t len;

    for (unsigned config = 0; config < 256; config++) {
        size_t need = 1 + (config & 0x80 ? ((config >> 4) & 7) + 1 : 0) +
                      (config & 0x08 ? (config & 7) + 1 : 0);
        buf[0] = (uint8_t)config;
        memset(buf + 1, 0xff, sizeof(buf) - 1);
        g_assert_cmpint(sframe_header_decode(buf, need, &k, &c, &len), ==, SFRAME_OK);
        g_assert_cmpuint(len, ==, need);
        for (size_t cut = 0; cut < need; cut++) {
            k = c = 42;
            len = 42;
            g_assert_cmpint(sframe_header_decode(buf, cut, &k, &c, &len), ==, SFRAME_E_MALFORMED);
            g_assert_true(k == 42 && c == 42 && len == 42);
        }
    }
    g_assert_cmpint(sframe_header_decode(NULL, 0, &k, &c, &len), ==, SFRAME_E_MALFORMED);
}

/* X=1 / Y=1 with a leading zero byte, or a one-byte value below 8, is not minimal (§4.3). */
static void
test_header_non_minimal(void)
{
    static const uint8_t cases[][4] = {
        {0x88, 0x00, 0x00},       /* KID 0 in one byte, CTR 0 in one byte */
        {0x80, 0x00},             /* KID 0 in one byte */
        {0x80, 0x07},             /* KID 7 fits in the config byte */
        {0x08, 0x07},             /* CTR 7 fits in the config byte */
        {0x09, 0x00, 0xff},       /* CTR 0xff in two bytes */
        {0x90, 0x00, 0x08},       /* KID 8 in two bytes */
        {0x89, 0x08, 0x00, 0x08}, /* CTR 8 in two bytes */
    };
    static const size_t lens[] = {3, 2, 2, 2, 3, 3, 4};
    uint8_t buf[SFRAME_HEADER_MAX];
    uint64_t k, c;
    size_t len;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(sframe_header_decode(cases[i], lens[i], &k, &c, &len), ==,
                        SFRAME_E_MALFORMED);

    /* All lengths of both fields: leading zero rejected, leading nonzero accepted. */
    for (int field = 0; field < 2; field++) {
        for (size_t n = 1; n <= 8; n++) {
            memset(buf, 0x5a, sizeof(buf));
            buf[0] = field == 0 ? (uint8_t)(0x80 | (n - 1) << 4) : (uint8_t)(0x08 | (n - 1));
            buf[1] = 0x00;
            g_assert_cmpint(sframe_header_decode(buf, 1 + n, &k, &c, &len), ==, SFRAME_E_MALFORMED);
            buf[1] = n == 1 ? 0x08 : 0x01;
            g_assert_cmpint(sframe_header_decode(buf, 1 + n, &k, &c, &len), ==, SFRAME_OK);
            g_assert_cmpuint(field == 0 ? k : c, >=, 8);
        }
    }
    /* One-byte values 0-7 are non-minimal, 8-255 are fine. */
    for (unsigned v = 0; v < 256; v++) {
        uint8_t kid_hdr[2] = {0x80, (uint8_t)v}, ctr_hdr[2] = {0x08, (uint8_t)v};
        int want = v < 8 ? SFRAME_E_MALFORMED : SFRAME_OK;
        g_assert_cmpint(sframe_header_decode(kid_hdr, 2, &k, &c, &len), ==, want);
        g_assert_cmpint(sframe_header_decode(ctr_hdr, 2, &k, &c, &len), ==, want);
    }
}

static void
test_header_short_buffer(void)
{
    uint8_t buf[SFRAME_HEADER_MAX];
    size_t len;

    for (size_t cap = 0; cap < SFRAME_HEADER_MAX; cap++) {
        memset(buf, PATTERN, sizeof(buf));
        len = 42;
        g_assert_cmpint(sframe_header_encode(UINT64_MAX, UINT64_MAX, buf, cap, &len), ==,
                        SFRAME_E_SHORT_BUFFER);
        g_assert_true(len == 42 && all_bytes(buf, sizeof(buf), PATTERN));
    }
    g_assert_cmpint(sframe_header_encode(0, 0, buf, 0, &len), ==, SFRAME_E_SHORT_BUFFER);
    g_assert_cmpint(sframe_header_encode(0, 0, NULL, 1, &len), ==, SFRAME_E_PARAM);
    g_assert_cmpint(sframe_header_encode(0, 0, buf, 1, NULL), ==, SFRAME_E_PARAM);
}

/* ---- Keys and sealing ----------------------------------------------------- */

static void
test_key_params(void)
{
    struct sframe_key *key = (struct sframe_key *)&key, *enc, *dec;
    uint8_t out[128];
    size_t len = sizeof(out);

    g_assert_cmpint(sframe_key_create(0, 1, SFRAME_KEY_ENCRYPT, base_key, sizeof(base_key), &key),
                    ==, SFRAME_E_PARAM);
    g_assert_cmpint(sframe_key_create(9, 1, SFRAME_KEY_ENCRYPT, base_key, sizeof(base_key), &key),
                    ==, SFRAME_E_PARAM);
    g_assert_cmpint(sframe_key_create(6, 1, SFRAME_KEY_ENCRYPT, base_key, 0, &key), ==,
                    SFRAME_E_PARAM);
    g_assert_cmpint(sframe_key_create(6, 1, SFRAME_KEY_ENCRYPT, NULL, 16, &key), ==,
                    SFRAME_E_PARAM);
    g_assert_cmpint(
        sframe_key_create(6, 1, (enum sframe_key_use)7, base_key, sizeof(base_key), &key), ==,
        SFRAME_E_PARAM);
    g_assert_cmpint(sframe_key_create(6, 1, SFRAME_KEY_ENCRYPT, base_key, sizeof(base_key), NULL),
                    ==, SFRAME_E_PARAM);
    g_assert_true(key == (struct sframe_key *)&key);
    sframe_key_destroy(NULL);
    g_assert_cmpuint(sframe_key_kid(NULL), ==, 0);
    g_assert_cmpuint(sframe_key_suite(NULL), ==, 0);

    make_keys(SFRAME_DEFAULT_SUITE, test_kid, &enc, &dec);
    g_assert_cmpuint(sframe_key_kid(enc), ==, test_kid);
    g_assert_cmpuint(sframe_key_suite(dec), ==, SFRAME_DEFAULT_SUITE);
    /* Keys are encrypt-only or decrypt-only (RFC 9605 §4.4.1). */
    g_assert_cmpint(sframe_seal(dec, 0, NULL, 0, plaintext, 4, out, &len), ==, SFRAME_E_PARAM);
    len = seal_test_frame(enc, out, sizeof(out), &(size_t){0});
    uint8_t back[64];
    size_t back_len = sizeof(back);
    g_assert_cmpint(
        sframe_open(enc, test_ctr, metadata, sizeof(metadata), out, 11, len, back, &back_len), ==,
        SFRAME_E_PARAM);
    g_assert_cmpint(sframe_seal(enc, 0, NULL, 1, plaintext, 4, out, &len), ==, SFRAME_E_PARAM);
    g_assert_cmpint(sframe_seal(enc, 0, NULL, 0, NULL, 4, out, &len), ==, SFRAME_E_PARAM);
    g_assert_cmpint(sframe_open(dec, 0, NULL, 0, out, 0, len, back, &back_len), ==, SFRAME_E_PARAM);
    g_assert_cmpint(sframe_open(dec, 0, NULL, 0, out, SFRAME_HEADER_MAX + 1, len, back, &back_len),
                    ==, SFRAME_E_PARAM);
    sframe_key_destroy(enc);
    sframe_key_destroy(dec);
}

static void
test_seal_bound(void)
{
    static const size_t lens[] = {0, 1, 15, 16, 17, 1000, 65536, 1 << 20};
    uint8_t *pt = g_malloc0(1 << 20), *out = g_malloc(SFRAME_HEADER_MAX + (1 << 20) + 16);

    for (size_t i = 0; i < N_SUITES; i++) {
        const struct sframe_suite_info *info = sframe_suite_info(suite_at(i));
        struct sframe_key *enc, *dec;
        make_keys(suite_at(i), UINT64_MAX, &enc, &dec);
        for (size_t j = 0; j < G_N_ELEMENTS(lens); j++) {
            size_t bound = sframe_seal_bound(suite_at(i), lens[j]), len = bound;
            g_assert_cmpuint(bound, ==, SFRAME_HEADER_MAX + lens[j] + info->nt);
            /* The largest header (KID and CTR of 8 bytes each) fills the bound exactly. */
            g_assert_cmpint(sframe_seal(enc, UINT64_MAX, NULL, 0, pt, lens[j], out, &len), ==,
                            SFRAME_OK);
            g_assert_cmpuint(len, ==, bound);
        }
        g_assert_cmpuint(sframe_seal_bound(suite_at(i), SIZE_MAX), ==, 0);
        g_assert_cmpuint(sframe_seal_bound(suite_at(i), SIZE_MAX - SFRAME_HEADER_MAX - info->nt),
                         ==, SIZE_MAX);
        sframe_key_destroy(enc);
        sframe_key_destroy(dec);
    }
    g_assert_cmpuint(sframe_seal_bound(0, 10), ==, 0);
    g_assert_cmpuint(sframe_seal_bound(9, 10), ==, 0);
    g_free(pt);
    g_free(out);
}

/* A too small output leaves the output and *out_len untouched, for seal and open. */
static void
test_short_buffer(void)
{
    uint8_t frame[128], out[128], back[64];

    for (size_t i = 0; i < N_SUITES; i++) {
        struct sframe_key *enc, *dec;
        size_t hdr_len, need, len;
        make_keys(suite_at(i), test_kid, &enc, &dec);
        need = seal_test_frame(enc, frame, sizeof(frame), &hdr_len);
        for (size_t cap = 0; cap < need; cap++) {
            memset(out, PATTERN, sizeof(out));
            len = cap;
            g_assert_cmpint(sframe_seal(enc, test_ctr, metadata, sizeof(metadata), plaintext,
                                        sizeof(plaintext), out, &len),
                            ==, SFRAME_E_SHORT_BUFFER);
            g_assert_true(len == cap && all_bytes(out, sizeof(out), PATTERN));
        }
        for (size_t cap = 0; cap < sizeof(plaintext); cap++) {
            memset(back, PATTERN, sizeof(back));
            len = cap;
            g_assert_cmpint(sframe_open(dec, test_ctr, metadata, sizeof(metadata), frame, hdr_len,
                                        need, back, &len),
                            ==, SFRAME_E_SHORT_BUFFER);
            g_assert_true(len == cap && all_bytes(back, sizeof(back), PATTERN));
        }
        len = sizeof(plaintext);
        g_assert_cmpint(sframe_open(dec, test_ctr, metadata, sizeof(metadata), frame, hdr_len, need,
                                    back, &len),
                        ==, SFRAME_OK);
        g_assert_true(len == sizeof(plaintext) && !memcmp(back, plaintext, len));
        sframe_key_destroy(enc);
        sframe_key_destroy(dec);
    }
}

/* Opens and expects failure err, no plaintext released and *out_len untouched. */
static void
expect_open_fails(struct sframe_key *dec, uint64_t ctr, const uint8_t *md, size_t md_len,
                  const uint8_t *in, size_t hdr_len, size_t in_len, int err)
{
    const struct sframe_suite_info *info = sframe_suite_info(sframe_key_suite(dec));
    uint8_t back[128];
    size_t len = sizeof(back);

    memset(back, PATTERN, sizeof(back));
    g_assert_cmpint(sframe_open(dec, ctr, md, md_len, in, hdr_len, in_len, back, &len), ==, err);
    g_assert_cmpuint(len, ==, sizeof(back));
    /* CTR suites verify before decrypting; GCM wipes what it decrypted. */
    if (info->is_gcm && err == SFRAME_E_AUTH)
        g_assert_true(all_bytes(back, in_len - hdr_len - info->nt, 0));
    else
        g_assert_true(all_bytes(back, sizeof(back), PATTERN));
}

/* One flipped bit anywhere in the header, ciphertext, tag or metadata fails (every suite). */
static void
test_bit_flips(void)
{
    uint8_t frame[128], md[sizeof(metadata)];

    for (size_t i = 0; i < N_SUITES; i++) {
        struct sframe_key *enc, *dec;
        size_t hdr_len, len;
        unsigned n_header = 0, n_body = 0;
        make_keys(suite_at(i), test_kid, &enc, &dec);
        len = seal_test_frame(enc, frame, sizeof(frame), &hdr_len);

        for (size_t bit = 0; bit < 8 * len; bit++) {
            uint64_t k, c;
            size_t h;
            frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            /* The caller's view from before the damage: the header is AAD. */
            expect_open_fails(dec, test_ctr, metadata, sizeof(metadata), frame, hdr_len, len,
                              SFRAME_E_AUTH);
            /* The view of a receiver that decodes the damaged header again. */
            if (bit / 8 < hdr_len) {
                n_header++;
                if (sframe_header_decode(frame, len, &k, &c, &h) != SFRAME_OK)
                    ;
                else if (len - h >= sframe_suite_info(suite_at(i))->nt)
                    expect_open_fails(dec, c, metadata, sizeof(metadata), frame, h, len,
                                      SFRAME_E_AUTH);
            } else {
                n_body++;
            }
            frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        g_assert_cmpuint(n_header, ==, 8 * hdr_len);
        g_assert_cmpuint(n_body, ==, 8 * (len - hdr_len));

        for (size_t bit = 0; bit < 8 * sizeof(md); bit++) {
            memcpy(md, metadata, sizeof(md));
            md[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            expect_open_fails(dec, test_ctr, md, sizeof(md), frame, hdr_len, len, SFRAME_E_AUTH);
        }
        sframe_key_destroy(enc);
        sframe_key_destroy(dec);
    }
}

static void
test_truncation(void)
{
    uint8_t frame[160];

    for (size_t i = 0; i < N_SUITES; i++) {
        const struct sframe_suite_info *info = sframe_suite_info(suite_at(i));
        struct sframe_key *enc, *dec;
        size_t hdr_len, len;
        make_keys(suite_at(i), test_kid, &enc, &dec);
        len = seal_test_frame(enc, frame, sizeof(frame), &hdr_len);
        for (size_t cut = 0; cut < len; cut++)
            expect_open_fails(dec, test_ctr, metadata, sizeof(metadata), frame, hdr_len, cut,
                              cut < hdr_len + info->nt ? SFRAME_E_MALFORMED : SFRAME_E_AUTH);
        /* A byte appended is as bad as one removed. */
        frame[len] = 0;
        expect_open_fails(dec, test_ctr, metadata, sizeof(metadata), frame, hdr_len, len + 1,
                          SFRAME_E_AUTH);
        sframe_key_destroy(enc);
        sframe_key_destroy(dec);
    }
}

static void
test_wrong_key(void)
{
    uint8_t frame[128], other_base[sizeof(base_key)];

    memcpy(other_base, base_key, sizeof(base_key));
    other_base[15] ^= 1;
    for (size_t i = 0; i < N_SUITES; i++) {
        struct sframe_key *enc, *dec, *wrong;
        size_t hdr_len, len;
        make_keys(suite_at(i), test_kid, &enc, &dec);
        len = seal_test_frame(enc, frame, sizeof(frame), &hdr_len);

        g_assert_cmpint(sframe_key_create(suite_at(i), test_kid, SFRAME_KEY_DECRYPT, other_base,
                                          sizeof(other_base), &wrong),
                        ==, SFRAME_OK);
        expect_open_fails(wrong, test_ctr, metadata, sizeof(metadata), frame, hdr_len, len,
                          SFRAME_E_AUTH);
        sframe_key_destroy(wrong);
        /* Same base key, another KID: the KID is bound into the key (§4.4.2). */
        g_assert_cmpint(sframe_key_create(suite_at(i), test_kid + 1, SFRAME_KEY_DECRYPT, base_key,
                                          sizeof(base_key), &wrong),
                        ==, SFRAME_OK);
        expect_open_fails(wrong, test_ctr, metadata, sizeof(metadata), frame, hdr_len, len,
                          SFRAME_E_AUTH);
        sframe_key_destroy(wrong);
        /* Wrong counter (nonce), missing or extra metadata. */
        expect_open_fails(dec, test_ctr + 1, metadata, sizeof(metadata), frame, hdr_len, len,
                          SFRAME_E_AUTH);
        expect_open_fails(dec, test_ctr, NULL, 0, frame, hdr_len, len, SFRAME_E_AUTH);
        expect_open_fails(dec, test_ctr, metadata, sizeof(metadata) - 1, frame, hdr_len, len,
                          SFRAME_E_AUTH);
        sframe_key_destroy(enc);
        sframe_key_destroy(dec);
    }
}

/* Every suite, every length 0..2000, random KID, counter and metadata. */
static void
test_random_roundtrip(void)
{
    enum { MAX_LEN = 2000 };
    uint8_t pt[MAX_LEN], md[32], frame[SFRAME_HEADER_MAX + MAX_LEN + SFRAME_TAG_MAX];
    uint8_t back[MAX_LEN + 1];

    for (size_t i = 0; i < N_SUITES; i++) {
        const struct sframe_suite_info *info = sframe_suite_info(suite_at(i));
        uint64_t kid = random_u64() >> g_test_rand_int_range(0, 64);
        struct sframe_key *enc, *dec;
        make_keys(suite_at(i), kid, &enc, &dec);
        for (size_t n = 0; n <= MAX_LEN; n++) {
            uint64_t ctr = random_u64() >> g_test_rand_int_range(0, 64), k, c;
            size_t md_len = (size_t)g_test_rand_int_range(0, sizeof(md) + 1);
            size_t len = sizeof(frame), back_len = sizeof(back), hdr_len;
            random_bytes(pt, n);
            random_bytes(md, md_len);
            g_assert_cmpint(sframe_seal(enc, ctr, md, md_len, pt, n, frame, &len), ==, SFRAME_OK);
            g_assert_cmpint(sframe_header_decode(frame, len, &k, &c, &hdr_len), ==, SFRAME_OK);
            g_assert_true(k == kid && c == ctr);
            g_assert_cmpuint(len, ==, hdr_len + n + info->nt);
            g_assert_cmpuint(len, <=, sframe_seal_bound(suite_at(i), n));
            g_assert_cmpint(sframe_open(dec, c, md, md_len, frame, hdr_len, len, back, &back_len),
                            ==, SFRAME_OK);
            g_assert_cmpuint(back_len, ==, n);
            g_assert_true(n == 0 || memcmp(back, pt, n) == 0);
            /* The ciphertext is not the plaintext. */
            g_assert_true(n < 16 || memcmp(frame + hdr_len, pt, n) != 0);
        }
        sframe_key_destroy(enc);
        sframe_key_destroy(dec);
    }
}

/* Two counters under one key give unrelated keystreams (the nonce changes). */
static void
test_distinct_nonces(void)
{
    uint8_t pt[64] = {0}, a[128], b[128];

    for (size_t i = 0; i < N_SUITES; i++) {
        struct sframe_key *enc, *dec;
        size_t la = sizeof(a), lb = sizeof(b);
        make_keys(suite_at(i), 5, &enc, &dec);
        g_assert_cmpint(sframe_seal(enc, 6, NULL, 0, pt, sizeof(pt), a, &la), ==, SFRAME_OK);
        g_assert_cmpint(sframe_seal(enc, 7, NULL, 0, pt, sizeof(pt), b, &lb), ==, SFRAME_OK);
        g_assert_cmpuint(la, ==, lb);
        g_assert_true(memcmp(a + 1, b + 1, sizeof(pt)) != 0);
        sframe_key_destroy(enc);
        sframe_key_destroy(dec);
    }
}

/* ---- AEAD against a reference built from one-shot EVP calls ------------- */

/* RFC 9605 §4.5.1 written out plainly: fresh contexts, the MAC input in one buffer. */
static void
reference_ctr_hmac(const struct sframe_suite_info *info, const uint8_t *key, const uint8_t *nonce,
                   const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
                   uint8_t *out)
{
    const char *cipher_name = info->nka == 16 ? "AES-128-CTR" : "AES-256-CTR";
    const char *md = info->nh == 32 ? "SHA256" : "SHA512";
    uint8_t iv[16] = {0}, mac[EVP_MAX_MD_SIZE], lens[24];
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, cipher_name, NULL);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    size_t mac_len = 0;
    int n = 0;

    memcpy(iv, nonce, SFRAME_NONCE_LEN);
    g_assert_true(EVP_EncryptInit_ex(c, cipher, NULL, key, iv) == 1);
    g_assert_true(EVP_EncryptUpdate(c, out, &n, pt, (int)pt_len) == 1);
    EVP_CIPHER_CTX_free(c);
    EVP_CIPHER_free(cipher);

    store_be64(lens, aad_len);
    store_be64(lens + 8, pt_len);
    store_be64(lens + 16, info->nt);
    GByteArray *input = g_byte_array_new();
    g_byte_array_append(input, lens, sizeof(lens));
    g_byte_array_append(input, nonce, SFRAME_NONCE_LEN);
    g_byte_array_append(input, aad, (guint)aad_len);
    g_byte_array_append(input, out, (guint)pt_len);
    g_assert_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key + info->nka, info->nk - info->nka,
                               input->data, input->len, mac, sizeof(mac), &mac_len));
    g_byte_array_unref(input);
    memcpy(out + pt_len, mac, info->nt);
}

static void
reference_gcm(const struct sframe_suite_info *info, const uint8_t *key, const uint8_t *nonce,
              const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *out)
{
    EVP_CIPHER *cipher =
        EVP_CIPHER_fetch(NULL, info->nk == 16 ? "AES-128-GCM" : "AES-256-GCM", NULL);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;

    g_assert_true(EVP_EncryptInit_ex(c, cipher, NULL, key, nonce) == 1);
    g_assert_true(EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len) == 1);
    g_assert_true(EVP_EncryptUpdate(c, out, &n, pt, (int)pt_len) == 1);
    g_assert_true(EVP_EncryptFinal_ex(c, out + n, &fin) == 1);
    g_assert_true(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + pt_len) == 1);
    EVP_CIPHER_CTX_free(c);
    EVP_CIPHER_free(cipher);
}

/*
 * Every suite, AAD of 0-700 bytes split anywhere between its two pieces,
 * plaintexts around the digests' block sizes: the keyed, staged fast path
 * equals the plain construction (the vectors only have 19-byte AADs).
 */
static void
test_aead_reference(void)
{
    static const size_t pt_lens[] = {0, 1, 63, 64, 100, 127, 128, 200, 220, 256, 300, 1000, 1024};
    uint8_t key[SFRAME_NK_MAX], nonce[SFRAME_NONCE_LEN], aad[700], pt[1024];
    uint8_t got[1024 + SFRAME_TAG_MAX], want[1024 + SFRAME_TAG_MAX], back[1024];

    for (size_t i = 0; i < N_SUITES; i++) {
        const struct sframe_suite_info *info = sframe_suite_info(suite_at(i));
        struct sframe_aead seal = {0}, open = {0};
        random_bytes(key, info->nk);
        g_assert_cmpint(sframe_aead_init(&seal, info->id, 1, key, info->nk), ==, SFRAME_OK);
        g_assert_cmpint(sframe_aead_init(&open, info->id, 0, key, info->nk), ==, SFRAME_OK);
        for (size_t aad_len = 0; aad_len <= sizeof(aad); aad_len += 1 + aad_len / 4) {
            for (size_t j = 0; j < G_N_ELEMENTS(pt_lens); j++) {
                size_t n = pt_lens[j],
                       split = (size_t)g_test_rand_int_range(0, (gint32)aad_len + 1);
                struct sframe_aad pieces = {aad, split, aad + split, aad_len - split};
                random_bytes(nonce, sizeof(nonce));
                random_bytes(aad, aad_len);
                random_bytes(pt, n);
                if (info->is_gcm)
                    reference_gcm(info, key, nonce, aad, aad_len, pt, n, want);
                else
                    reference_ctr_hmac(info, key, nonce, aad, aad_len, pt, n, want);
                g_assert_cmpint(sframe_aead_seal(&seal, nonce, &pieces, pt, n, got), ==, SFRAME_OK);
                g_assert_true(memcmp(got, want, n + info->nt) == 0);
                g_assert_cmpint(sframe_aead_open(&open, nonce, &pieces, got, n, back), ==,
                                SFRAME_OK);
                g_assert_true(n == 0 || memcmp(back, pt, n) == 0);
            }
        }
        /* Direction and argument checks. */
        struct sframe_aad none = {NULL, 0, NULL, 0}, bad = {NULL, 1, NULL, 0};
        g_assert_cmpint(sframe_aead_seal(&open, nonce, &none, pt, 1, got), ==, SFRAME_E_PARAM);
        g_assert_cmpint(sframe_aead_open(&seal, nonce, &none, got, 1, back), ==, SFRAME_E_PARAM);
        g_assert_cmpint(sframe_aead_seal(&seal, nonce, &bad, pt, 1, got), ==, SFRAME_E_PARAM);
        g_assert_cmpint(sframe_aead_seal(&seal, nonce, &none, NULL, 0, NULL), ==, SFRAME_E_PARAM);
        g_assert_cmpint(sframe_aead_open(&open, nonce, &none, NULL, 0, NULL), ==, SFRAME_E_PARAM);
        g_assert_cmpint(sframe_aead_seal(&seal, nonce, &none, NULL, 0, got), ==, SFRAME_OK);
        g_assert_cmpint(sframe_aead_open(&open, nonce, &none, got, 0, NULL), ==, SFRAME_OK);
        g_assert_cmpint(sframe_aead_init(&seal, info->id, 1, key, info->nk - 1), ==,
                        SFRAME_E_PARAM);
        sframe_aead_finish(&seal);
        sframe_aead_finish(&open);
    }
}

/* ---- Replay window (RFC 9605 §9.3; cases after libsrtp test/replay_driver.c) ---- */

/* The libsrtp driver's rdb_check_add: new is accepted, then seen. */
static void
check_add(struct sframe_replay *w, uint64_t ctr)
{
    g_assert_cmpint(sframe_replay_check(w, ctr), ==, SFRAME_OK);
    sframe_replay_update(w, ctr);
    g_assert_cmpint(sframe_replay_check(w, ctr), ==, SFRAME_E_REPLAY);
}

static void
expect_replay(const struct sframe_replay *w, uint64_t ctr)
{
    g_assert_cmpint(sframe_replay_check(w, ctr), ==, SFRAME_E_REPLAY);
}

static void
test_replay_sequential(void)
{
    struct sframe_replay w;

    sframe_replay_init(&w);
    for (uint64_t i = 0; i < 1 << 16; i++)
        check_add(&w, i);
    for (uint64_t i = 0; i < 1 << 16; i++)
        expect_replay(&w, i);
    g_assert_cmpint(sframe_replay_check(&w, 1 << 16), ==, SFRAME_OK);
}

/* Blocks of 128 shuffled: nothing is displaced by a window or more, so all arrive. */
static void
test_replay_reordered(void)
{
    enum { N = 1 << 16, BLOCK = SFRAME_REPLAY_WINDOW };
    uint64_t *seq = g_new(uint64_t, N);
    struct sframe_replay w;

    for (uint64_t i = 0; i < N; i++)
        seq[i] = i;
    for (size_t b = 0; b < N; b += BLOCK) {
        for (size_t i = BLOCK - 1; i > 0; i--) {
            size_t j = (size_t)g_test_rand_int_range(0, (gint32)i + 1);
            uint64_t t = seq[b + i];
            seq[b + i] = seq[b + j];
            seq[b + j] = t;
        }
    }
    sframe_replay_init(&w);
    for (size_t i = 0; i < N; i++)
        check_add(&w, seq[i]);
    for (size_t i = 0; i < N; i++)
        expect_replay(&w, seq[i]);
    g_free(seq);
}

/* Gaps of 1..512: every new counter is accepted once; skipped ones inside the window later too. */
static void
test_replay_gaps(void)
{
    struct sframe_replay w;
    uint64_t ctr = 0, prev = 0;

    sframe_replay_init(&w);
    for (int i = 0; i < 4096; i++) {
        check_add(&w, ctr);
        expect_replay(&w, prev);
        if (ctr >= SFRAME_REPLAY_WINDOW)
            expect_replay(&w, ctr - SFRAME_REPLAY_WINDOW);
        if (ctr - prev > 1) /* a skipped counter just below the top is still welcome */
            g_assert_cmpint(sframe_replay_check(&w, ctr - 1), ==, SFRAME_OK);
        prev = ctr;
        ctr += (uint64_t)g_test_rand_int_range(1, 513);
    }
}

/* The first 513 frames lost: the window starts at the first one received. */
static void
test_replay_first_lost(void)
{
    struct sframe_replay w;

    sframe_replay_init(&w);
    for (uint64_t i = 513; i < 513 + 1000; i++)
        check_add(&w, i);
    /* Late arrivals of the lost ones: all older than the window now. */
    for (uint64_t i = 0; i < 513; i++)
        expect_replay(&w, i);
    for (uint64_t i = 513 + 1000 - SFRAME_REPLAY_WINDOW; i < 513 + 1000; i++)
        expect_replay(&w, i);

    /* Started late, the counters right below the first one are inside the window. */
    sframe_replay_init(&w);
    check_add(&w, 513);
    for (uint64_t i = 513 - SFRAME_REPLAY_WINDOW + 1; i < 513; i++)
        check_add(&w, i);
    expect_replay(&w, 513 - SFRAME_REPLAY_WINDOW);
}

static void
test_replay_near_max(void)
{
    struct sframe_replay w;

    sframe_replay_init(&w);
    for (uint64_t i = UINT64_MAX - 1000; i != 0; i++) /* stops after UINT64_MAX */
        check_add(&w, i);
    g_assert_cmpuint(w.top, ==, UINT64_MAX);
    expect_replay(&w, UINT64_MAX);
    expect_replay(&w, UINT64_MAX - SFRAME_REPLAY_WINDOW + 1);
    expect_replay(&w, UINT64_MAX - SFRAME_REPLAY_WINDOW);
    expect_replay(&w, 0);

    /* A jump from 0 to the top clears the window without overflowing the shift. */
    sframe_replay_init(&w);
    check_add(&w, 0);
    check_add(&w, UINT64_MAX);
    expect_replay(&w, 0);
    expect_replay(&w, UINT64_MAX - SFRAME_REPLAY_WINDOW);
    check_add(&w, UINT64_MAX - SFRAME_REPLAY_WINDOW + 1);
    check_add(&w, UINT64_MAX - 1);
    g_assert_cmpuint(w.top, ==, UINT64_MAX);

    /* Shifts of exactly 64 and 127. */
    sframe_replay_init(&w);
    check_add(&w, 1000);
    check_add(&w, 1064);
    expect_replay(&w, 1000);
    check_add(&w, 1191);
    expect_replay(&w, 1064);
    expect_replay(&w, 1063);
    check_add(&w, 1065);
}

static void
test_replay_state(void)
{
    struct sframe_replay w, before;

    sframe_replay_init(&w);
    g_assert_cmpint(w.started, ==, 0);
    /* check() takes a const window; it also must not write through a cast. */
    for (int i = 0; i < 1000; i++) {
        uint64_t ctr = (uint64_t)g_test_rand_int_range(0, 2000);
        before = w;
        (void)sframe_replay_check(&w, ctr);
        g_assert_true(memcmp(&before, &w, sizeof(w)) == 0);
        if (g_test_rand_bit())
            sframe_replay_update(&w, ctr);
    }
    /* update() never moves the top backwards. */
    sframe_replay_init(&w);
    sframe_replay_update(&w, 500);
    sframe_replay_update(&w, 10);
    g_assert_cmpuint(w.top, ==, 500);
    sframe_replay_update(&w, 450);
    g_assert_cmpuint(w.top, ==, 500);
    expect_replay(&w, 450);
    g_assert_cmpint(sframe_replay_check(&w, 451), ==, SFRAME_OK);
    g_assert_cmpint(sframe_replay_check(NULL, 1), ==, SFRAME_E_PARAM);
    sframe_replay_update(NULL, 1);
    sframe_replay_init(NULL);
}

/* Random operations against a reference model: the set of counters seen and the top. */
static void
test_replay_model(void)
{
    enum { SPAN = 4096 };
    struct sframe_replay w;

    for (int round = 0; round < 20; round++) {
        uint64_t base = round % 2 ? UINT64_MAX - SPAN + 1 : 0, top = 0;
        gboolean *seen = g_new0(gboolean, SPAN), started = FALSE;
        sframe_replay_init(&w);
        for (int i = 0; i < 20000; i++) {
            uint64_t off = (uint64_t)g_test_rand_int_range(0, SPAN), ctr = base + off;
            gboolean fresh =
                !started || off > top || (top - off < SFRAME_REPLAY_WINDOW && !seen[off]);
            g_assert_cmpint(sframe_replay_check(&w, ctr), ==, fresh ? SFRAME_OK : SFRAME_E_REPLAY);
            if (fresh && g_test_rand_bit()) {
                sframe_replay_update(&w, ctr);
                seen[off] = TRUE;
                if (!started || off > top)
                    top = off;
                started = TRUE;
            }
        }
        g_free(seen);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sframe/strerror", test_strerror);
    g_test_add_func("/sframe/suite/info", test_suite_info);
    g_test_add_func("/sframe/suite/parse", test_suite_parse);
    g_test_add_func("/sframe/header/roundtrip", test_header_roundtrip);
    g_test_add_func("/sframe/header/truncated", test_header_truncated);
    g_test_add_func("/sframe/header/non-minimal", test_header_non_minimal);
    g_test_add_func("/sframe/header/short-buffer", test_header_short_buffer);
    g_test_add_func("/sframe/key/params", test_key_params);
    g_test_add_func("/sframe/seal/bound", test_seal_bound);
    g_test_add_func("/sframe/seal/short-buffer", test_short_buffer);
    g_test_add_func("/sframe/open/bit-flips", test_bit_flips);
    g_test_add_func("/sframe/open/truncation", test_truncation);
    g_test_add_func("/sframe/open/wrong-key", test_wrong_key);
    g_test_add_func("/sframe/roundtrip/random", test_random_roundtrip);
    g_test_add_func("/sframe/roundtrip/distinct-nonces", test_distinct_nonces);
    g_test_add_func("/sframe/aead/reference", test_aead_reference);
    g_test_add_func("/sframe/replay/sequential", test_replay_sequential);
    g_test_add_func("/sframe/replay/reordered", test_replay_reordered);
    g_test_add_func("/sframe/replay/gaps", test_replay_gaps);
    g_test_add_func("/sframe/replay/first-lost", test_replay_first_lost);
    g_test_add_func("/sframe/replay/near-max", test_replay_near_max);
    g_test_add_func("/sframe/replay/state", test_replay_state);
    g_test_add_func("/sframe/replay/model", test_replay_model);
    return g_test_run();
}
