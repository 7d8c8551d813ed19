/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * H.264 Annex B NAL iteration and the emulation-prevention escaping that
 * lets ciphertext pass rtph264pay byte for byte (GStreamer 1.22: the
 * payloader splits at every 00 00 01 and trims zero bytes at a NAL's end).
 */
#include <glib.h>
#include <string.h>

#include "envelope.h"

struct nal_expect {
    size_t start, sc_len, hdr, end;
};

struct iter_case {
    const char *what;
    const uint8_t *au;
    size_t len;
    const struct nal_expect *nals;
    size_t n_nals;
};

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
#define NALS(...)                                                                                  \
    ((const struct nal_expect[]){__VA_ARGS__}),                                                    \
        sizeof((const struct nal_expect[]){__VA_ARGS__}) / sizeof(struct nal_expect)
#define NO_NALS NULL, 0

static void
test_iterate(void)
{
    /* automatic: block-scope compound literals are not constant initializers */
    const struct iter_case iter_cases[] = {
        {"4-, 3- and 4-byte start codes",
         BYTES(0, 0, 0, 1, 0x67, 0xaa, 0xbb, 0, 0, 1, 0x68, 0xcc, 0, 0, 0, 1, 0x65, 0xdd, 0xee),
         NALS({0, 4, 4, 7}, {7, 3, 10, 12}, {12, 4, 16, 19})},
        {"trailing zeros before a start code and at the end",
         BYTES(0, 0, 1, 0x41, 0xaa, 0, 0, 0, 0, 0, 1, 0x41, 0xbb, 0, 0),
         NALS({0, 3, 3, 5}, {7, 4, 11, 13})},
        {"a trailing zero that is not a start code's",
         BYTES(0, 0, 1, 0x41, 0xaa, 0, 0, 0, 1, 0x41, 0xbb, 0x00, 0x80),
         NALS({0, 3, 3, 5}, {5, 4, 9, 13})},
        {"garbage before the first start code", BYTES(0xff, 0x12, 0, 0x34, 0, 0, 1, 0x09, 0xf0),
         NALS({4, 3, 7, 9})},
        {"zeros before the first start code", BYTES(0, 0, 0, 0, 1, 0x09, 0xf0), NALS({1, 4, 5, 7})},
        {"garbage ending in a zero: a 4-byte start code", BYTES(0xff, 0x00, 0, 0, 1, 0x09),
         NALS({1, 4, 5, 6})},
        {"empty NAL between start codes", BYTES(0, 0, 1, 0, 0, 1, 0x41, 0xaa),
         NALS({0, 3, 3, 3}, {3, 3, 6, 8})},
        {"empty NAL before a 4-byte start code", BYTES(0, 0, 1, 0, 0, 0, 1, 0x41, 0xaa),
         NALS({0, 3, 3, 3}, {3, 4, 7, 9})},
        {"start code alone", BYTES(0, 0, 1), NALS({0, 3, 3, 3})},
        {"start code and zeros", BYTES(0, 0, 0, 1, 0, 0), NALS({0, 4, 4, 4})},
        {"NAL that is only a header", BYTES(0, 0, 1, 0x09, 0, 0, 1, 0x41, 0xaa),
         NALS({0, 3, 3, 4}, {4, 3, 7, 9})},
        {"header-only NAL at the end", BYTES(0, 0, 1, 0x41, 0xaa, 0, 0, 1, 0x0b),
         NALS({0, 3, 3, 5}, {5, 3, 8, 9})},
        {"no start code", BYTES(0xaa, 0xbb, 0xcc, 0, 0, 2, 0, 0), NO_NALS},
        {"00 00 without 01", BYTES(0, 0), NO_NALS},
        {"empty", NULL, 0, NO_NALS},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(iter_cases); i++) {
        const struct iter_case *c = &iter_cases[i];
        /* Given: an exact-size heap copy, so ASan sees any overread */
        uint8_t *au = g_memdup2(c->au ? c->au : (const uint8_t *)"", c->len);
        size_t pos = 0, n = 0;
        struct e2c_nal nal;

        /* When / Then */
        while (e2c_h264_next_nal(au, c->len, &pos, &nal)) {
            if (n >= c->n_nals)
                g_error("%s: more than %zu NAL units", c->what, c->n_nals);
            const struct nal_expect *e = &c->nals[n];
            if (nal.start != e->start || nal.sc_len != e->sc_len || nal.hdr != e->hdr ||
                nal.end != e->end)
                g_error("%s: NAL %zu is {%zu, %zu, %zu, %zu}, expected {%zu, %zu, %zu, %zu}",
                        c->what, n, nal.start, nal.sc_len, nal.hdr, nal.end, e->start, e->sc_len,
                        e->hdr, e->end);
            n++;
        }
        if (n != c->n_nals)
            g_error("%s: %zu NAL units, expected %zu", c->what, n, c->n_nals);
        /* the end stays the end */
        g_assert_cmpint(e2c_h264_next_nal(au, c->len, &pos, &nal), ==, 0);
        g_free(au);
    }
}

static void
test_nal_types(void)
{
    static const unsigned clear[] = {0, 7, 8, 9, 10, 11, 12, 13, 15};
    for (unsigned t = 0; t < 32; t++) {
        int expect_clear = 0;
        for (size_t i = 0; i < G_N_ELEMENTS(clear); i++)
            expect_clear |= clear[i] == t;
        g_assert_cmpint(e2c_h264_nal_type_protected(t), ==, !expect_clear);
    }
    g_assert_cmpint(e2c_h264_nal_type_protected(32), ==, 0);
    g_assert_cmpint(e2c_h264_nal_type_protected(0x65), ==, 0);
}

static void
test_escape_examples(void)
{
    const struct {
        const uint8_t *raw;
        size_t raw_len;
        const uint8_t *esc;
        size_t esc_len;
    } cases[] = {
        {BYTES(0, 0, 0), BYTES(0, 0, 3, 0)},
        {BYTES(0, 0, 1), BYTES(0, 0, 3, 1)},
        {BYTES(0, 0, 2), BYTES(0, 0, 3, 2)},
        {BYTES(0, 0, 3), BYTES(0, 0, 3, 3)},
        {BYTES(0, 0, 4), BYTES(0, 0, 4)},
        {BYTES(0, 0), BYTES(0, 0)},
        {BYTES(0, 0, 0, 0), BYTES(0, 0, 3, 0, 0)},
        {BYTES(0, 0, 0, 0, 0), BYTES(0, 0, 3, 0, 0, 3, 0)},
        {BYTES(0, 0, 3, 4), BYTES(0, 0, 3, 3, 4)},
        {BYTES(0xaa, 0, 0, 1, 0xbb), BYTES(0xaa, 0, 0, 3, 1, 0xbb)},
        {BYTES(0, 1, 0, 0, 0xff, 0, 0), BYTES(0, 1, 0, 0, 0xff, 0, 0)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t out[32], back[32];
        size_t n = e2c_h264_escape(cases[i].raw, cases[i].raw_len, out, sizeof(out));
        g_assert_cmpmem(out, n, cases[i].esc, cases[i].esc_len);
        long m = e2c_h264_unescape(cases[i].esc, cases[i].esc_len, back, sizeof(back));
        g_assert_cmpint(m, >=, 0);
        g_assert_cmpmem(back, (size_t)m, cases[i].raw, cases[i].raw_len);
    }

    uint8_t out[8];
    /* capacity */
    g_assert_cmpuint(e2c_h264_escape((const uint8_t *)"\0\0\0", 3, out, 3), ==, 0);
    g_assert_cmpuint(e2c_h264_escape((const uint8_t *)"\0\0\0", 3, out, 4), ==, 4);
    g_assert_cmpint(e2c_h264_unescape((const uint8_t *)"abc", 3, out, 2), ==, -2);
    g_assert_cmpint(e2c_h264_unescape((const uint8_t *)"abc", 3, out, 3), ==, 3);
    /* empty */
    g_assert_cmpuint(e2c_h264_escape(NULL, 0, out, sizeof(out)), ==, 0);
    g_assert_cmpint(e2c_h264_unescape(NULL, 0, out, sizeof(out)), ==, 0);
    g_assert_cmpuint(e2c_h264_escape_bound(0), ==, 1);
    g_assert_cmpuint(e2c_h264_escape_bound(10), ==, 16);
    g_assert_cmpuint(e2c_h264_escape_bound((size_t)-1), ==, (size_t)-1);
}

static void
test_unescape_rejects(void)
{
    const struct {
        const char *what;
        const uint8_t *in;
        size_t len;
    } cases[] = {
        {"00 00 00", BYTES(0, 0, 0)},
        {"00 00 01", BYTES(0, 0, 1)},
        {"00 00 02", BYTES(0, 0, 2)},
        {"00 00 00 inside", BYTES(0xaa, 0, 0, 0, 0xbb)},
        {"00 00 01 inside", BYTES(0xaa, 0, 0, 1, 0xbb)},
        {"00 00 03 04", BYTES(0, 0, 3, 4)},
        {"00 00 03 ff", BYTES(0xaa, 0, 0, 3, 0xff)},
        {"00 00 03 at the end", BYTES(0xaa, 0, 0, 3)},
        {"00 00 03 00 00 00", BYTES(0, 0, 3, 0, 0, 0)},
        {"00 00 03 00 00 03 at the end", BYTES(0, 0, 3, 0, 0, 3)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t out[16];
        long n = e2c_h264_unescape(cases[i].in, cases[i].len, out, sizeof(out));
        if (n != -1)
            g_error("%s: unescape gave %ld, expected -1", cases[i].what, n);
    }
}

/* splitmix64: a fixed sequence, so a failure reproduces with the printed iteration. */
static uint64_t
next_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Half zeros, a quarter 01-03, a quarter anything: start-code material. */
static size_t
random_buffer(uint64_t *rng, uint8_t *buf, size_t max)
{
    uint64_t r = next_rand(rng);
    size_t len = (r & 7) == 0 ? (size_t)(r >> 8) % max : (size_t)(r >> 8) % 48;
    for (size_t i = 0; i < len; i++) {
        uint64_t v = next_rand(rng);
        switch (v & 3) {
        case 0:
        case 1:
            buf[i] = 0;
            break;
        case 2:
            buf[i] = (uint8_t)(1 + (v >> 8) % 3);
            break;
        default:
            buf[i] = (uint8_t)(v >> 8);
            break;
        }
    }
    return len;
}

static int
has_start_code_emulation(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++)
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] <= 2)
            return 1;
    return 0;
}

/* rtph264pay's view, written independently of e2c_h264_next_nal(): split at
 * every 00 00 01 and drop the zero bytes that end each piece. */
static size_t
payloader_split(const uint8_t *au, size_t len, const uint8_t **nal, size_t *nal_len, size_t max)
{
    size_t n = 0, begin = SIZE_MAX;
    for (size_t i = 0; i <= len;) {
        int sc = i + 3 <= len && au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1;
        if (!sc && i < len) {
            i++;
            continue;
        }
        if (begin != SIZE_MAX) {
            size_t end = i;
            while (end > begin && au[end - 1] == 0)
                end--;
            g_assert_cmpuint(n, <, max);
            nal[n] = au + begin;
            nal_len[n++] = end - begin;
        }
        if (i == len)
            break;
        begin = i + 3;
        i += 3;
    }
    return n;
}

#define PROPERTY_ROUNDS 100000
#define PROPERTY_MAX 600

static void
test_escape_property(void)
{
    uint64_t rng = UINT64_C(0x5eed0e2ca11);
    uint8_t raw[PROPERTY_MAX], back[PROPERTY_MAX];
    uint8_t esc[PROPERTY_MAX + PROPERTY_MAX / 2 + 1];
    /* access unit: 4-byte start code, header 0x41, escaped || 0x80, 2 zeros, twice */
    uint8_t au[2 * (4 + 1 + sizeof(esc) + 1 + 2)];

    for (unsigned round = 0; round < PROPERTY_ROUNDS; round++) {
        /* Given */
        size_t len = random_buffer(&rng, raw, PROPERTY_MAX);

        /* When */
        size_t bound = e2c_h264_escape_bound(len);
        size_t n = e2c_h264_escape(raw, len, esc, bound);
        long m = e2c_h264_unescape(esc, n, back, sizeof(back));

        /* Then: exact round trip, no start code, within the bound */
        if (len > 0 && n == 0)
            g_error("round %u: escape failed within its bound", round);
        if (n > bound || n < len)
            g_error("round %u: escaped %zu bytes to %zu (bound %zu)", round, len, n, bound);
        if (has_start_code_emulation(esc, n))
            g_error("round %u: escaped output holds 00 00 0x with x <= 2", round);
        if (m != (long)len || memcmp(back, raw, len) != 0)
            g_error("round %u: round trip differs", round);

        /* And: inside an access unit it survives the payloader's split and
         * trailing-zero trim byte for byte, thanks to the 0x80 trailer */
        size_t a = 0;
        for (int copy = 0; copy < 2; copy++) {
            static const uint8_t sc[] = {0, 0, 0, 1, 0x41};
            memcpy(au + a, sc, sizeof(sc));
            a += sizeof(sc);
            memcpy(au + a, esc, n);
            a += n;
            au[a++] = E2C_H264_TRAILER;
            au[a++] = 0;
            au[a++] = 0;
        }
        const uint8_t *nal[4];
        size_t nal_len[4];
        size_t count = payloader_split(au, a, nal, nal_len, G_N_ELEMENTS(nal));
        if (count != 2)
            g_error("round %u: payloader sees %zu NAL units, expected 2", round, count);
        for (size_t k = 0; k < count; k++) {
            if (nal_len[k] != n + 2 || nal[k][0] != 0x41 || memcmp(nal[k] + 1, esc, n) != 0 ||
                nal[k][n + 1] != E2C_H264_TRAILER)
                g_error("round %u: NAL %zu changed in the payloader", round, k);
        }
    }
}

/* Every buffer unescape accepts is exactly what escape makes of the result. */
static void
test_unescape_is_inverse(void)
{
    uint64_t rng = UINT64_C(0xfeedface);
    uint8_t in[64], raw[64], again[64 + 33];
    unsigned accepted = 0;
    for (unsigned round = 0; round < PROPERTY_ROUNDS; round++) {
        size_t len = random_buffer(&rng, in, sizeof(in));
        long m = e2c_h264_unescape(in, len, raw, sizeof(raw));
        if (m < 0)
            continue;
        accepted++;
        size_t n = e2c_h264_escape(raw, (size_t)m, again, sizeof(again));
        if (n != len || memcmp(again, in, len) != 0)
            g_error("round %u: escape(unescape(x)) != x", round);
    }
    g_assert_cmpuint(accepted, >, PROPERTY_ROUNDS / 10);
}

/* ---- format 2: units and outline ------------------------------------------ */

struct unit_expect {
    size_t hdr, end;
    int encrypted, first_slice;
    size_t entry;
};

#define UNITS(...)                                                                                 \
    ((const struct unit_expect[]){__VA_ARGS__}),                                                   \
        sizeof((const struct unit_expect[]){__VA_ARGS__}) / sizeof(struct unit_expect)

static void
check_units(const char *what, const uint8_t *au, size_t len, const struct unit_expect *want,
            size_t n_want, size_t outline_len)
{
    uint8_t *copy = g_memdup2(au, len);
    struct e2c_h264_units it;
    struct e2c_h264_unit u;
    size_t n = 0;

    e2c_h264_units_init(&it, copy, len);
    while (e2c_h264_units_next(&it, &u)) {
        if (n >= n_want)
            g_error("%s: more than %zu units", what, n_want);
        const struct unit_expect *e = &want[n];
        if (u.nal.hdr != e->hdr || u.nal.end != e->end || u.encrypted != e->encrypted ||
            u.first_slice != e->first_slice || u.entry != e->entry || u.header != copy[e->hdr])
            g_error("%s: unit %zu is {%zu, %zu, %d, %d, %zu}, expected {%zu, %zu, %d, %d, %zu}",
                    what, n, u.nal.hdr, u.nal.end, u.encrypted, u.first_slice, u.entry, e->hdr,
                    e->end, e->encrypted, e->first_slice, e->entry);
        n++;
    }
    if (n != n_want)
        g_error("%s: %zu units, expected %zu", what, n, n_want);
    g_assert_cmpuint(it.entry, ==, outline_len);
    g_free(copy);
}

static void
test_units(void)
{
    /* AUD, SPS, PPS, two IDR slices: every NAL unit, the first slice marked. */
    check_units("keyframe",
                BYTES(0, 0, 0, 1, 0x09, 0x10, 0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xce, 0, 0, 1,
                      0x65, 0x88, 0x80, 0, 0, 1, 0x65, 0x11, 0x80),
                UNITS({4, 6, 0, 0, 0}, {10, 12, 0, 0, 7}, {15, 17, 0, 0, 14}, {20, 23, 1, 1, 21},
                      {26, 29, 1, 0, 24}),
                27);
    /* Empty NAL units, zero bytes and garbage are not units. */
    check_units("empty units and stray bytes",
                BYTES(0xff, 0, 0, 1, 0, 0, 1, 0x41, 0xaa, 0, 0, 0, 0, 1, 0, 0, 1),
                UNITS({7, 9, 1, 1, 0}), 3);
    /* rtph264depay's parameter sets in front: copies of later ones are left out. */
    check_units("leading copies",
                BYTES(0, 0, 0, 1, 0x67, 0xaa, 0, 0, 0, 1, 0x68, 0xbb, 0, 0, 0, 1, 0x09, 0xf0, 0, 0,
                      0, 1, 0x67, 0xaa, 0, 0, 0, 1, 0x68, 0xbb, 0, 0, 0, 1, 0x41, 0xcc),
                UNITS({16, 18, 0, 0, 0}, {22, 24, 0, 0, 7}, {28, 30, 0, 0, 14}, {34, 36, 1, 1, 21}),
                24);
    /* ... and without an AUD: the copies repeat the access unit's own first units. */
    check_units("leading copies without AUD",
                BYTES(0, 0, 1, 0x67, 0xaa, 0, 0, 1, 0x68, 0xbb, 0, 0, 1, 0x67, 0xaa, 0, 0, 1, 0x68,
                      0xbb, 0, 0, 1, 0x65, 0xcc),
                UNITS({13, 15, 0, 0, 0}, {18, 20, 0, 0, 7}, {23, 25, 1, 1, 14}), 17);
    /* A leading SPS without a later copy stays; a copy in the middle is a unit. */
    check_units(
        "no copy, and a copy in the middle",
        BYTES(0, 0, 1, 0x67, 0xaa, 0, 0, 1, 0x41, 0xcc, 0, 0, 1, 0x68, 0xbb, 0, 0, 1, 0x68, 0xbb),
        UNITS({3, 5, 0, 0, 0}, {8, 10, 1, 1, 7}, {13, 15, 0, 0, 10}, {18, 20, 0, 0, 17}), 24);
    /* SEI before the slices is not a slice; a P slice after an IDR is not the first. */
    check_units("first slice",
                BYTES(0, 0, 1, 0x06, 0x05, 0x80, 0, 0, 1, 0x65, 0x88, 0, 0, 1, 0x41, 0x9a),
                UNITS({3, 6, 1, 0, 0}, {9, 11, 1, 1, 3}, {14, 16, 1, 0, 6}), 9);
    check_units("nothing", NULL, 0, NULL, 0, 0);
}

/* An outline, byte for byte. */
static void
test_outline_bytes(void)
{
    /* AUD, SPS, PPS, SEI, IDR, IDR as the encoder made them. */
    const uint8_t plain[] = {0,    0, 0, 1, 0x09, 0x10, 0,    0,    0, 1, 0x67, 0x42, 0xc0,
                             0x15, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 1,    0x06, 5,
                             0x80, 0, 0, 1, 0x65, 0x88, 0x84, 0,    0, 1, 0x45, 0x9a, 0x21};
    const uint8_t want[] = {0x00, 0,    0,    0, 2, 0x09, 0x10,             /* AUD */
                            0x00, 0,    0,    0, 4, 0x67, 0x42, 0xc0, 0x15, /* SPS */
                            0x00, 0,    0,    0, 4, 0x68, 0xce, 0x3c, 0x80, /* PPS */
                            0x01, 0x06, 0x00,                               /* SEI */
                            0x01, 0x65, 0x80,                               /* IDR */
                            0x01, 0x45, 0x00};                              /* IDR */
    uint8_t out[64];
    size_t n_enc = 0;

    long n = e2c_h264_outline(plain, sizeof(plain), E2C_H264_PLAIN, NULL, 0, &n_enc);
    g_assert_cmpint(n, ==, sizeof(want));
    g_assert_cmpuint(n_enc, ==, 3);
    /* Too small: the length all the same, and nothing written past cap. */
    memset(out, 0xee, sizeof(out));
    g_assert_cmpint(
        e2c_h264_outline(plain, sizeof(plain), E2C_H264_PLAIN, out, sizeof(want) - 1, NULL), ==,
        sizeof(want));
    for (size_t i = sizeof(want) - 1; i < sizeof(out); i++)
        g_assert_cmpuint(out[i], ==, 0xee);
    g_assert_cmpint(e2c_h264_outline(plain, sizeof(plain), E2C_H264_PLAIN, out, sizeof(out), NULL),
                    ==, sizeof(want));
    g_assert_cmpmem(out, sizeof(want), want, sizeof(want));

    /* As sent (start bytes read, trailers required), with 3-byte start codes
     * and trailing zeros: the same outline. */
    const uint8_t sent[] = {0, 0,    1,    0x09, 0x10, 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x15, 0, 0,
                            1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 0, 1, 0x06, 0,    0x55, 0x80, 0, 0,
                            1, 0x65, 0x80, 0x66, 0x80, 0, 0, 0, 1, 0x45, 0,    0x77, 0x80, 0, 0};
    g_assert_cmpint(
        e2c_h264_outline(sent, sizeof(sent), E2C_H264_PROTECTED, out, sizeof(out), &n_enc), ==,
        sizeof(want));
    g_assert_cmpmem(out, sizeof(want), want, sizeof(want));
    g_assert_cmpuint(n_enc, ==, 3);

    /* Protected form: an encrypted unit must carry a start byte and the trailer. */
    g_assert_cmpint(e2c_h264_outline(BYTES(0, 0, 1, 0x41, 0x00, 0x81), E2C_H264_PROTECTED, out,
                                     sizeof(out), NULL),
                    ==, E2C_H264_OUTLINE_NO_ENVELOPE);
    g_assert_cmpint(
        e2c_h264_outline(BYTES(0, 0, 1, 0x41, 0x80), E2C_H264_PROTECTED, out, sizeof(out), NULL),
        ==, E2C_H264_OUTLINE_NO_ENVELOPE);
    g_assert_cmpint(e2c_h264_outline(BYTES(0, 0, 1, 0x41, 0x00, 0x80), E2C_H264_PROTECTED, out,
                                     sizeof(out), NULL),
                    ==, 3);
    /* Nothing encrypted: an outline of clear units only, and no encrypted unit counted. */
    g_assert_cmpint(
        e2c_h264_outline(BYTES(0, 0, 1, 0x68, 0xce), E2C_H264_PROTECTED, out, sizeof(out), &n_enc),
        ==, 7);
    g_assert_cmpuint(n_enc, ==, 0);
}

/*
 * The outline of an access unit is the same whatever the framing (start
 * codes of 3 or 4 bytes, trailing zeros, bytes before the first start
 * code, empty NAL units, leading copies of its parameter sets), and
 * differs when any byte of a clear unit, or any unit's place, changes.
 */
static GByteArray *
frame_units(const uint8_t *const *units, const size_t *lens, size_t n, uint64_t *rng)
{
    GByteArray *au = g_byte_array_new();
    static const uint8_t sc[] = {0, 0, 0, 1};
    uint64_t r = next_rand(rng);
    if (r & 1) {
        uint8_t lead = (uint8_t)(r >> 8);
        g_byte_array_append(au, &lead, 1);
    }
    for (size_t i = 0; i < n; i++) {
        r = next_rand(rng);
        if ((r & 7) == 0)
            g_byte_array_append(au, sc + 1, 3); /* an empty NAL unit */
        g_byte_array_append(au, (r & 2) ? sc : sc + 1, (r & 2) ? 4 : 3);
        g_byte_array_append(au, units[i], (guint)lens[i]);
        for (unsigned z = 0; z < ((r >> 4) & 3); z++)
            g_byte_array_append(au, sc, 1);
    }
    return au;
}

static GByteArray *
outline_of(const GByteArray *au)
{
    GByteArray *o = g_byte_array_new();
    long n = e2c_h264_outline(au->data, au->len, E2C_H264_PLAIN, NULL, 0, NULL);
    g_assert_cmpint(n, >=, 0);
    g_byte_array_set_size(o, (guint)n);
    g_assert_cmpint(e2c_h264_outline(au->data, au->len, E2C_H264_PLAIN, o->data, o->len, NULL), ==,
                    n);
    return o;
}

static void
test_outline_framing(void)
{
    static const uint8_t aud[] = {0x09, 0xf0}, sps[] = {0x67, 0x42, 0xc0, 0x15, 0xda},
                         pps[] = {0x68, 0xce, 0x3c, 0x80}, sei[] = {0x06, 0x05, 0x80},
                         idr_a[] = {0x65, 0x88, 0x84}, idr_b[] = {0x65, 0x11, 0x22},
                         filler[] = {0x0c, 0xff, 0x80};
    const uint8_t *units[] = {aud, sps, pps, sei, idr_a, idr_b, filler};
    size_t lens[] = {sizeof(aud),   sizeof(sps),   sizeof(pps),   sizeof(sei),
                     sizeof(idr_a), sizeof(idr_b), sizeof(filler)};
    uint64_t rng = UINT64_C(0x0e7119e);
    GByteArray *ref_au = frame_units(units, lens, G_N_ELEMENTS(units), &rng);
    GByteArray *ref = outline_of(ref_au);

    for (unsigned round = 0; round < 2000; round++) {
        /* The same units, framed anew, perhaps behind copies of SPS and PPS. */
        const uint8_t *u2[G_N_ELEMENTS(units) + 2];
        size_t l2[G_N_ELEMENTS(units) + 2], n = 0;
        if (round & 1) {
            u2[n] = sps, l2[n++] = sizeof(sps);
            u2[n] = pps, l2[n++] = sizeof(pps);
        }
        for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
            u2[n] = units[i], l2[n++] = lens[i];
        GByteArray *au = frame_units(u2, l2, n, &rng), *o = outline_of(au);
        g_assert_cmpmem(o->data, o->len, ref->data, ref->len);
        g_byte_array_unref(o);

        /* One bit of a clear unit flipped (not the header's type, which
         * could make it another clear type... or still the same unit kind):
         * the outline differs. */
        size_t clear[] = {0, 1, 2, 6}; /* AUD, SPS, PPS, filler */
        size_t which = clear[next_rand(&rng) % G_N_ELEMENTS(clear)];
        uint8_t *changed = g_memdup2(units[which], lens[which]);
        size_t at = 1 + next_rand(&rng) % (lens[which] - 1);
        changed[at] ^= (uint8_t)(1u << (next_rand(&rng) % 8));
        if (at == lens[which] - 1 && changed[at] == 0)
            changed[at] = 0x01; /* a trailing zero would be trimmed: not a change of the unit */
        const uint8_t *u3[G_N_ELEMENTS(units)];
        memcpy(u3, units, sizeof(units));
        u3[which] = changed;
        GByteArray *au3 = frame_units(u3, lens, G_N_ELEMENTS(units), &rng);
        o = outline_of(au3);
        g_assert_false(o->len == ref->len && memcmp(o->data, ref->data, o->len) == 0);
        g_byte_array_unref(o);
        g_byte_array_unref(au3);
        g_free(changed);

        /* Two units of different entries swapped: the outline differs. */
        size_t i = next_rand(&rng) % G_N_ELEMENTS(units), j = next_rand(&rng) % G_N_ELEMENTS(units);
        if (i != j && !(i >= 3 && i <= 5 && j >= 3 && j <= 5 && units[i][0] == units[j][0])) {
            memcpy(u3, units, sizeof(units));
            size_t l3[G_N_ELEMENTS(units)];
            memcpy(l3, lens, sizeof(lens));
            u3[i] = units[j], l3[i] = lens[j];
            u3[j] = units[i], l3[j] = lens[i];
            au3 = frame_units(u3, l3, G_N_ELEMENTS(units), &rng);
            o = outline_of(au3);
            if (o->len == ref->len && memcmp(o->data, ref->data, o->len) == 0)
                g_error("round %u: units %zu and %zu swapped, same outline", round, i, j);
            g_byte_array_unref(o);
            g_byte_array_unref(au3);
        }
        g_byte_array_unref(au);
    }
    g_byte_array_unref(ref);
    g_byte_array_unref(ref_au);
}

/* At most E2C_H264_MAX_LEADING leading parameter sets are candidates for copies. */
static void
test_leading_bound(void)
{
    static const uint8_t sc[] = {0, 0, 1}, sps[] = {0x67, 0xaa}, slice[] = {0x41, 0xbb};
    for (unsigned copies = 0; copies <= E2C_H264_MAX_LEADING + 2; copies++) {
        GByteArray *au = g_byte_array_new();
        for (unsigned i = 0; i < copies + 1; i++) {
            g_byte_array_append(au, sc, 3);
            g_byte_array_append(au, sps, 2);
        }
        g_byte_array_append(au, sc, 3);
        g_byte_array_append(au, slice, 2);
        /* copies + 1 SPS: the first min(copies, MAX) are left out. */
        unsigned left_out = MIN(copies, E2C_H264_MAX_LEADING);
        long n = e2c_h264_outline(au->data, au->len, E2C_H264_PLAIN, NULL, 0, NULL);
        g_assert_cmpint(n, ==, (long)((copies + 1 - left_out) * 7 + 3));
        g_byte_array_unref(au);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/h264/iterate", test_iterate);
    g_test_add_func("/h264/nal-types", test_nal_types);
    g_test_add_func("/h264/escape-examples", test_escape_examples);
    g_test_add_func("/h264/unescape-rejects", test_unescape_rejects);
    g_test_add_func("/h264/escape-property", test_escape_property);
    g_test_add_func("/h264/unescape-is-inverse", test_unescape_is_inverse);
    g_test_add_func("/h264/units", test_units);
    g_test_add_func("/h264/outline-bytes", test_outline_bytes);
    g_test_add_func("/h264/outline-framing", test_outline_framing);
    g_test_add_func("/h264/leading-bound", test_leading_bound);
    return g_test_run();
}
