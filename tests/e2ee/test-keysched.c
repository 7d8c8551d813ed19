/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The key schedule (e2call-e2ee(7), KEYS, format 2) against values computed
 * independently with Python 3's standard library (not OpenSSL's EVP_KDF):
 *
 *   shared = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"),
 *                                b"e2call/1 room " + room.encode(), iterations, 32)
 *   prk    = hmac.new(b"", shared, hashlib.sha256).digest()          # RFC 5869 extract
 *   base   = hmac.new(prk, b"e2call/2 base key" + struct.pack(">Q", kid)
 *                     + struct.pack(">I", epoch) + b"\x01",
 *                     hashlib.sha256).digest()                        # expand, L = 32
 *
 * (The same Python HKDF reproduces RFC 5869 test case 3, the empty-salt case.)
 * The real iteration count runs once; the other cases use few iterations.
 * Then the format 2 KID: its layout, and the epoch a receiver reconstructs
 * from it at its own clock (one epoch either way, across the 11-bit wrap).
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
    uint32_t epoch;
    uint8_t base[32];
} kat_base[] = {
    {UINT64_C(0x8000000000000000), 0, {0x7c, 0xa9, 0x55, 0x82, 0xf1, 0xc2, 0x71, 0xde,
                                       0xb0, 0xc4, 0xd9, 0x5c, 0x12, 0x1c, 0x75, 0x97,
                                       0xbf, 0xa8, 0x4d, 0xee, 0x2a, 0x38, 0x21, 0xcf,
                                       0x40, 0xbf, 0xf7, 0xae, 0x0e, 0xc9, 0x45, 0x39}},
    /* epoch 2950123 (from 2026-02-02 23:10 UTC): 1003 = 0x3eb (mod 2048) in bits 62..52 */
    {UINT64_C(0xbeb0123456789abc), 2950123, {0xf2, 0x8e, 0x58, 0x2e, 0xae, 0xa4, 0x3c, 0xcb,
                                             0x8d, 0x6d, 0xc5, 0xd1, 0xb4, 0x0b, 0x5b, 0x52,
                                             0xb0, 0xf2, 0xe0, 0x9f, 0x5c, 0x5b, 0x6e, 0x9e,
                                             0x75, 0x2a, 0x42, 0x3a, 0x13, 0x67, 0xed, 0xa7}},
    {UINT64_MAX, UINT32_MAX, {0x0e, 0xfb, 0xc4, 0xd3, 0x7c, 0x9f, 0x3a, 0x05, 0x92, 0x41, 0x78,
                              0xdd, 0x3a, 0x44, 0xa8, 0x53, 0x36, 0xa2, 0x8b, 0x5d, 0xa5, 0x34,
                              0x5c, 0x62, 0x3c, 0x64, 0x6b, 0x71, 0x74, 0x33, 0x4f, 0x3f}},
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
        g_assert_cmpint(e2c_base_key_derive(&shared, kat_base[i].kid, kat_base[i].epoch, base), ==,
                        SFRAME_OK);
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

    /* per (KID, epoch): same KID same key, another KID, room or epoch another key; the
     * epoch 2048 later (the same 11 bits in the KID) is another key too */
    uint8_t k1[32], k2[32], k3[32], k4[32], k5[32];
    g_assert_cmpint(e2c_base_key_derive(&a, 7, 100, k1), ==, SFRAME_OK);
    g_assert_cmpint(e2c_base_key_derive(&b, 7, 100, k2), ==, SFRAME_OK);
    g_assert_cmpint(e2c_base_key_derive(&a, 8, 100, k3), ==, SFRAME_OK);
    g_assert_cmpint(e2c_base_key_derive(&c, 7, 100, k4), ==, SFRAME_OK);
    g_assert_cmpint(e2c_base_key_derive(&a, 7, 100 + 2048, k5), ==, SFRAME_OK);
    g_assert_cmpmem(k1, 32, k2, 32);
    g_assert_true(memcmp(k1, k3, 32) != 0);
    g_assert_true(memcmp(k1, k4, 32) != 0);
    g_assert_true(memcmp(k1, k5, 32) != 0);
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
    g_assert_cmpint(e2c_base_key_derive(NULL, 1, 0, base), ==, SFRAME_E_PARAM);
    g_assert_cmpint(e2c_kid_random(0, NULL), ==, SFRAME_E_PARAM);
    e2c_shared_key_clear(NULL);
    e2c_secret_clear(&secret);
}

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Format 2 KIDs: bit 63 set, the epoch's low 11 bits, 52 random bits. */
static void
test_kids_differ(void)
{
    enum { N = 1000 };
    const uint32_t epoch = 2950123; /* 1003 mod 2048 */
    uint64_t kids[N];
    unsigned bit51 = 0;
    for (size_t i = 0; i < N; i++) {
        g_assert_cmpint(e2c_kid_random(epoch, &kids[i]), ==, SFRAME_OK);
        g_assert_true(e2c_kid_is_format2(kids[i]));
        g_assert_cmpuint(kids[i] >> 52, ==, 0x800 | 1003);
        bit51 += (unsigned)(kids[i] >> 51 & 1);
    }
    qsort(kids, N, sizeof(kids[0]), compare_u64);
    for (size_t i = 1; i < N; i++)
        g_assert_cmpuint(kids[i - 1], !=, kids[i]);
    /* the random part reaches up to bit 51: set about half the time */
    g_assert_cmpuint(bit51, >, N / 4);
    g_assert_cmpuint(bit51, <, 3 * N / 4);
    /* the header always carries 8 KID bytes: config byte 0xf_ */
    uint8_t hdr[SFRAME_HEADER_MAX];
    size_t len;
    g_assert_cmpint(sframe_header_encode(kids[0], 0, hdr, sizeof(hdr), &len), ==, SFRAME_OK);
    g_assert_cmpuint(len, ==, 9);
    g_assert_cmphex(hdr[0] & 0xf0, ==, 0xf0);
}

/* Epochs are ten minutes of wall clock. */
static void
test_epoch_at(void)
{
    g_assert_cmpuint(e2c_epoch_at(0), ==, 0);
    g_assert_cmpuint(e2c_epoch_at(599), ==, 0);
    g_assert_cmpuint(e2c_epoch_at(600), ==, 1);
    g_assert_cmpuint(e2c_epoch_at(-1), ==, 0);
    g_assert_cmpuint(e2c_epoch_at(INT64_C(1770137400)), ==, 2950229);
    g_assert_cmpuint(e2c_epoch_at(INT64_MAX), ==, UINT32_MAX);
}

static uint64_t
kid_at(uint32_t epoch)
{
    uint64_t kid;
    g_assert_cmpint(e2c_kid_random(epoch, &kid), ==, SFRAME_OK);
    return kid;
}

/*
 * The receiver's side: a KID drawn in epoch E is taken at E - 1, E and
 * E + 1 and stale at E - 2 and E + 2, also where the 11 bits wrap
 * (E mod 2048 = 2047 or 0), and never for a KID without bit 63.
 */
static void
test_kid_epoch_window(void)
{
    static const uint32_t epochs[] = {2950123, 2949119 /* 2047 */, 2949120 /* 0 */, 1,
                                      2048,    UINT32_MAX - 1};
    for (size_t i = 0; i < G_N_ELEMENTS(epochs); i++) {
        uint32_t e = epochs[i], got = 0;
        uint64_t kid = kid_at(e);
        for (int64_t d = -3; d <= 3; d++) {
            int64_t now = (int64_t)e + d;
            if (now < 0 || now > UINT32_MAX)
                continue;
            int fresh = e2c_kid_epoch(kid, (uint32_t)now, &got);
            g_assert_cmpint(fresh, ==, d >= -1 && d <= 1);
            if (fresh)
                g_assert_cmpuint(got, ==, e);
        }
        /* 2048 epochs on, the same 11 bits: taken for the later epoch, whose key differs */
        if (e <= UINT32_MAX - 2048) {
            g_assert_true(e2c_kid_epoch(kid, e + 2048, &got));
            g_assert_cmpuint(got, ==, e + 2048);
        }
    }
    /* epoch 0: no epoch -1 to take */
    uint32_t got = 7;
    g_assert_true(e2c_kid_epoch(kid_at(0), 0, &got));
    g_assert_cmpuint(got, ==, 0);
    g_assert_false(e2c_kid_epoch(kid_at(2047), 0, &got));
    /* not format 2 */
    g_assert_false(e2c_kid_epoch(kid_at(5) & ~E2C_KID_FORMAT2, 5, &got));
    g_assert_false(e2c_kid_is_format2(UINT64_C(0x7fffffffffffffff)));
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
    g_test_add_func("/keysched/epoch-at", test_epoch_at);
    g_test_add_func("/keysched/kid-epoch-window", test_kid_epoch_window);
    return g_test_run();
}
