/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SPEC.md §4 key schedule against values computed independently with
 * Python 3's standard library (not OpenSSL's EVP_KDF):
 *
 *   shared = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"),
 *                                b"e2call/1 room " + room.encode(), iterations, 32)
 *   prk    = hmac.new(b"", shared, hashlib.sha256).digest()          # RFC 5869 extract
 *   base   = hmac.new(prk, b"e2call/1 base key" + struct.pack(">Q", kid)
 *                     + b"\x01", hashlib.sha256).digest()            # expand, L = 32
 *
 * (The same Python HKDF reproduces RFC 5869 test case 3, the empty-salt case.)
 * The real iteration count runs once; the other cases use few iterations.
 */
#include <glib.h>
#include <string.h>

#include "keysched.h"
#include "sframe.h"

/* "correct horse battery staple", room "1234", 600000 iterations */
static const uint8_t kat_600000[32] = {
    0x1d, 0x93, 0x56, 0x90, 0x68, 0xe2, 0x2d, 0x95, 0x91, 0x90, 0x27, 0x8b, 0xde, 0x09, 0x20, 0xf6,
    0xc3, 0x51, 0x61, 0xc6, 0xde, 0x47, 0xcd, 0x36, 0xf6, 0x45, 0x90, 0xab, 0x07, 0x46, 0x43, 0x01,
};

/* "correct horse battery staple", room "1234", 1000 iterations */
static const uint8_t kat_1000[32] = {
    0x1e, 0x54, 0x17, 0x84, 0x46, 0x7f, 0xf3, 0x7c, 0xab, 0xa0, 0x21, 0x3f, 0x20, 0xc8, 0x6a, 0xa5,
    0x66, 0x83, 0xd5, 0x07, 0xb7, 0x65, 0x83, 0x0b, 0xe5, 0x15, 0x2f, 0xf3, 0x39, 0x7b, 0x94, 0xdc,
};

/* "pässwörd € 😀 x" (UTF-8), room "demo-room", 2 iterations */
static const char kat_utf8_secret[] = "p\xc3\xa4ssw\xc3\xb6rd \xe2\x82\xac \xf0\x9f\x98\x80 x";
static const uint8_t kat_utf8[32] = {
    0xd1, 0x49, 0x08, 0xbd, 0x1d, 0x72, 0x6e, 0x3a, 0xe9, 0x05, 0x7c, 0x64, 0xc5, 0x37, 0xf4, 0xad,
    0xec, 0xff, 0xe7, 0xa7, 0xf5, 0x31, 0xba, 0xad, 0x92, 0x32, 0xe5, 0xc9, 0x15, 0xfc, 0xba, 0xaa,
};

/* "abcdefgh", room "42", 1 iteration */
static const uint8_t kat_room42[32] = {
    0xce, 0x1f, 0x48, 0x03, 0x75, 0xec, 0x5c, 0xcf, 0x54, 0xbf, 0x1d, 0xa5, 0x44, 0x72, 0x1e, 0x78,
    0xfc, 0x04, 0x05, 0x29, 0xde, 0x21, 0xed, 0x16, 0xdb, 0xb8, 0x6c, 0x93, 0x3e, 0x1a, 0xed, 0xa8,
};

/* base keys under kat_1000 */
static const struct {
    uint64_t kid;
    uint8_t base[32];
} kat_base[] = {
    {0, {0xb0, 0x3e, 0x47, 0xb2, 0x97, 0xbb, 0xba, 0x5f, 0x22, 0x9f, 0x5d,
         0x46, 0x4a, 0xc9, 0x7d, 0x38, 0x22, 0x65, 0x21, 0xf3, 0xf5, 0xe9,
         0x7a, 0x3e, 0xbe, 0x23, 0x8d, 0x88, 0xcb, 0x58, 0x23, 0x34}},
    {UINT64_C(0x0102030405060708),
     {0xad, 0xfe, 0x90, 0x27, 0xa9, 0xc4, 0x9a, 0x92, 0x5b, 0x7a, 0x10,
      0x46, 0xcb, 0x56, 0xd2, 0xa9, 0xc2, 0x4c, 0x20, 0x79, 0xf1, 0x53,
      0x9f, 0xc0, 0xce, 0xe7, 0x23, 0x74, 0xad, 0x88, 0x51, 0x26}},
    {UINT64_MAX, {0xfb, 0x05, 0x39, 0xdf, 0x35, 0xea, 0x1b, 0x3a, 0x47, 0x80, 0x63,
                  0x6e, 0x0a, 0x04, 0x79, 0x2a, 0x62, 0x50, 0x8e, 0x69, 0x7b, 0x23,
                  0xa6, 0xa4, 0xff, 0xd4, 0x8a, 0x27, 0x84, 0x1a, 0xaa, 0x91}},
};

static struct e2c_shared_key
derive(const char *secret_text, const char *room, unsigned iterations)
{
    struct e2c_secret secret;
    struct e2c_shared_key key;
    g_assert_cmpint(e2c_secret_set(&secret, secret_text, strlen(secret_text), 0), ==,
                    E2C_SECRET_OK);
    g_assert_cmpint(e2c_shared_key_derive(&secret, room, iterations, &key), ==, SFRAME_OK);
    e2c_secret_clear(&secret);
    return key;
}

static void
test_pbkdf2_real_iterations(void)
{
    gint64 t0 = g_get_monotonic_time();
    struct e2c_shared_key key =
        derive("correct horse battery staple", "1234", E2C_PBKDF2_ITERATIONS);
    g_test_message("PBKDF2 with %d iterations took %.3f s", E2C_PBKDF2_ITERATIONS,
                   (double)(g_get_monotonic_time() - t0) / 1e6);
    g_assert_cmpmem(key.bytes, sizeof(key.bytes), kat_600000, sizeof(kat_600000));
    e2c_shared_key_clear(&key);
}

static void
test_pbkdf2_kat(void)
{
    struct e2c_shared_key key = derive("correct horse battery staple", "1234", 1000);
    g_assert_cmpmem(key.bytes, 32, kat_1000, 32);

    key = derive(kat_utf8_secret, "demo-room", 2);
    g_assert_cmpmem(key.bytes, 32, kat_utf8, 32);

    key = derive("abcdefgh", "42", 1);
    g_assert_cmpmem(key.bytes, 32, kat_room42, 32);
    /* the salt holds the canonical room */
    key = derive("abcdefgh", "0042", 1);
    g_assert_cmpmem(key.bytes, 32, kat_room42, 32);
    key = derive("abcdefgh", "000000042", 1);
    g_assert_cmpmem(key.bytes, 32, kat_room42, 32);

    e2c_shared_key_clear(&key);
    static const uint8_t zero[32];
    g_assert_cmpmem(key.bytes, 32, zero, 32);
}

static void
test_hkdf_kat(void)
{
    struct e2c_shared_key shared;
    memcpy(shared.bytes, kat_1000, sizeof(shared.bytes));
    for (size_t i = 0; i < G_N_ELEMENTS(kat_base); i++) {
        uint8_t base[E2C_BASE_KEY_LEN];
        g_assert_cmpint(e2c_base_key_derive(&shared, kat_base[i].kid, base), ==, SFRAME_OK);
        g_assert_cmpmem(base, sizeof(base), kat_base[i].base, sizeof(kat_base[i].base));
    }
    e2c_shared_key_clear(&shared);
}

static void
test_room_canonical(void)
{
    static const struct {
        const char *in;
        int rc;
        const char *out;
    } cases[] = {
        {"42", SFRAME_OK, "42"},
        {"0042", SFRAME_OK, "42"},
        {"0", SFRAME_OK, "0"},
        {"000", SFRAME_OK, "0"},
        {"1234", SFRAME_OK, "1234"},
        {"18446744073709551615", SFRAME_OK, "18446744073709551615"},
        {"018446744073709551615", SFRAME_OK, "18446744073709551615"},
        /* above 2^64 - 1: a string room, as given */
        {"18446744073709551616", SFRAME_OK, "18446744073709551616"},
        {"0018446744073709551616", SFRAME_OK, "0018446744073709551616"},
        {"99999999999999999999999", SFRAME_OK, "99999999999999999999999"},
        {"demo-room", SFRAME_OK, "demo-room"},
        {"Room 7", SFRAME_OK, "Room 7"},
        {"+42", SFRAME_OK, "+42"},
        {"-1", SFRAME_OK, "-1"},
        {" 42", SFRAME_OK, " 42"},
        {"42 ", SFRAME_OK, "42 "},
        {"0x2a", SFRAME_OK, "0x2a"},
        {"~", SFRAME_OK, "~"},
        {"", SFRAME_E_PARAM, NULL},
        {"caf\xc3\xa9", SFRAME_E_PARAM, NULL},
        {"a\nb", SFRAME_E_PARAM, NULL},
        {"a\tb", SFRAME_E_PARAM, NULL},
        {"del\x7f", SFRAME_E_PARAM, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char out[160];
        memset(out, 'X', sizeof(out));
        int rc = e2c_room_canonical(cases[i].in, out, sizeof(out));
        if (rc != cases[i].rc)
            g_error("room '%s': %d, expected %d", cases[i].in, rc, cases[i].rc);
        if (rc == SFRAME_OK)
            g_assert_cmpstr(out, ==, cases[i].out);
    }

    char out[200];
    g_autofree char *max = g_strnfill(128, 'r');
    g_autofree char *over = g_strnfill(129, 'r');
    g_autofree char *zeros = g_strnfill(129, '0');
    g_assert_cmpint(e2c_room_canonical(max, out, sizeof(out)), ==, SFRAME_OK);
    g_assert_cmpstr(out, ==, max);
    g_assert_cmpint(e2c_room_canonical(over, out, sizeof(out)), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_room_canonical(zeros, out, sizeof(out)), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_room_canonical(NULL, out, sizeof(out)), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_room_canonical("42", NULL, 0), ==, SFRAME_E_PARAM);

    /* capacity counts the terminator, of the canonical form */
    g_assert_cmpint(e2c_room_canonical("0042", out, 3), ==, SFRAME_OK);
    g_assert_cmpstr(out, ==, "42");
    g_assert_cmpint(e2c_room_canonical("0042", out, 2), ==, SFRAME_E_SHORT_BUFFER);
    g_assert_cmpint(e2c_room_canonical("room", out, 4), ==, SFRAME_E_SHORT_BUFFER);
}

static void
test_same_and_different(void)
{
    struct e2c_shared_key a = derive("the same secret", "1234", 10);
    struct e2c_shared_key b = derive("the same secret", "1234", 10);
    struct e2c_shared_key c = derive("the same secret", "1235", 10);
    struct e2c_shared_key d = derive("the same secreT", "1234", 10);
    struct e2c_shared_key e = derive("the same secret", "01234", 10);
    struct e2c_shared_key f = derive("the same secret", "1234", 11);
    g_assert_cmpmem(a.bytes, 32, b.bytes, 32);
    g_assert_cmpmem(a.bytes, 32, e.bytes, 32);
    g_assert_true(memcmp(a.bytes, c.bytes, 32) != 0);
    g_assert_true(memcmp(a.bytes, d.bytes, 32) != 0);
    g_assert_true(memcmp(a.bytes, f.bytes, 32) != 0);

    /* a one-character room: a 15-byte salt, under SP 800-132's 128 bits */
    struct e2c_shared_key g = derive("the same secret", "7", 1);
    struct e2c_shared_key h = derive("the same secret", "8", 1);
    g_assert_true(memcmp(g.bytes, h.bytes, 32) != 0);
    static const uint8_t kat_room7[32] = {
        0x19, 0x21, 0x56, 0xe6, 0xf5, 0x2b, 0x4c, 0x73, 0x56, 0x13, 0xd6,
        0xb9, 0x65, 0x31, 0x7a, 0xe4, 0x31, 0x91, 0xd2, 0x0d, 0x86, 0xd6,
        0xeb, 0x5c, 0x6e, 0x03, 0x8a, 0x2e, 0x04, 0xeb, 0x31, 0x94,
    }; /* same Python recipe: secret "the same secret", room "7", 1 iteration */
    g_assert_cmpmem(g.bytes, 32, kat_room7, 32);

    /* per KID: same KID same key, another KID another key */
    uint8_t k1[32], k2[32], k3[32], k4[32];
    g_assert_cmpint(e2c_base_key_derive(&a, 7, k1), ==, SFRAME_OK);
    g_assert_cmpint(e2c_base_key_derive(&b, 7, k2), ==, SFRAME_OK);
    g_assert_cmpint(e2c_base_key_derive(&a, 8, k3), ==, SFRAME_OK);
    g_assert_cmpint(e2c_base_key_derive(&c, 7, k4), ==, SFRAME_OK);
    g_assert_cmpmem(k1, 32, k2, 32);
    g_assert_true(memcmp(k1, k3, 32) != 0);
    g_assert_true(memcmp(k1, k4, 32) != 0);
    g_assert_true(memcmp(k1, a.bytes, 32) != 0);
}

static void
test_params(void)
{
    struct e2c_secret secret;
    g_assert_cmpint(e2c_secret_set(&secret, "abcdefgh", 8, 0), ==, E2C_SECRET_OK);
    struct e2c_secret empty = {0};
    struct e2c_shared_key key;
    memset(&key, 0xaa, sizeof(key));

    g_assert_cmpint(e2c_shared_key_derive(NULL, "1", 1, &key), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_shared_key_derive(&empty, "1", 1, &key), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_shared_key_derive(&secret, "1", 0, &key), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_shared_key_derive(&secret, "", 1, &key), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_shared_key_derive(&secret, NULL, 1, &key), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_shared_key_derive(&secret, "1", 1, NULL), ==, SFRAME_E_PARAM);
    for (size_t i = 0; i < sizeof(key.bytes); i++)
        g_assert_cmpuint(key.bytes[i], ==, 0xaa); /* untouched on failure */

    uint8_t base[32];
    g_assert_cmpint(e2c_base_key_derive(NULL, 1, base), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_kid_random(NULL), ==, SFRAME_E_PARAM);
    e2c_shared_key_clear(NULL);
    e2c_secret_clear(&secret);
}

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void
test_kids_differ(void)
{
    enum { N = 1000 };
    uint64_t kids[N];
    unsigned high_bits = 0;
    for (size_t i = 0; i < N; i++) {
        g_assert_cmpint(e2c_kid_random(&kids[i]), ==, SFRAME_OK);
        high_bits += kids[i] >> 63;
    }
    qsort(kids, N, sizeof(kids[0]), compare_u64);
    for (size_t i = 1; i < N; i++)
        g_assert_cmpuint(kids[i - 1], !=, kids[i]);
    /* all 64 bits are drawn: the top bit is set about half the time */
    g_assert_cmpuint(high_bits, >, N / 4);
    g_assert_cmpuint(high_bits, <, 3 * N / 4);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keysched/pbkdf2-600000", test_pbkdf2_real_iterations);
    g_test_add_func("/keysched/pbkdf2-kat", test_pbkdf2_kat);
    g_test_add_func("/keysched/hkdf-kat", test_hkdf_kat);
    g_test_add_func("/keysched/room-canonical", test_room_canonical);
    g_test_add_func("/keysched/same-and-different", test_same_and_different);
    g_test_add_func("/keysched/params", test_params);
    g_test_add_func("/keysched/kids-differ", test_kids_differ);
    return g_test_run();
}
