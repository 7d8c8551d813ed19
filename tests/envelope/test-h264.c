/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * H.264 Annex B NAL iteration and the emulation-prevention escaping that
 * lets ciphertext pass rtph264pay byte for byte (gstreamer.md §2.4: the
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
    return g_test_run();
}
