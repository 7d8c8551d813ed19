/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole-frame protection per codec envelope: the clear prefixes of e2call-e2ee(7), FRAME LAYOUT
 * stay readable, H.264 keeps its NAL structure and survives what
 * rtph264pay / rtph264depay do to an access unit (4-byte start codes, trailing
 * zeros trimmed), and damage is reported as such.
 */
#include <glib.h>
#include <string.h>

#include "frame.h"
#include "sframe.h"

#define T0 (UINT64_C(5000000000))

struct pair {
    struct e2c_sender *s;
    struct e2c_receiver *r;
};

static struct pair
pair_new(uint16_t suite)
{
    struct e2c_shared_key k;
    memset(k.bytes, 0x42, sizeof(k.bytes));
    struct pair p = {e2c_sender_create(suite), e2c_receiver_create(suite, 10000000)};
    e2c_sender_set_key(p.s, &k, 0);
    e2c_receiver_add_key(p.r, &k, T0);
    return p;
}

static void
pair_free(struct pair *p)
{
    e2c_sender_destroy(p->s);
    e2c_receiver_destroy(p->r);
}

static GByteArray *
protect(struct pair *p, enum e2c_codec c, const uint8_t *in, size_t len)
{
    GByteArray *out = g_byte_array_sized_new(0);
    size_t cap = e2c_frame_protect_bound(c, e2c_sender_suite(p->s), len), out_len = 0;
    g_byte_array_set_size(out, (guint)cap);
    g_assert_cmpint(e2c_frame_protect(p->s, c, T0, in, len, out->data, cap, &out_len, NULL), ==,
                    SFRAME_OK);
    g_assert_cmpuint(out_len, <=, cap);
    g_byte_array_set_size(out, (guint)out_len);
    return out;
}

static int
open_frame(struct pair *p, enum e2c_codec c, const uint8_t *in, size_t len, GByteArray **out)
{
    GByteArray *o = g_byte_array_sized_new(0);
    size_t cap = e2c_frame_open_bound(c, len), out_len = 0;
    struct e2c_frame_info info;
    g_byte_array_set_size(o, (guint)(cap ? cap : 1));
    int err = e2c_frame_open(p->r, c, T0, in, len, o->data, cap, &out_len, &info);
    if (err == SFRAME_OK)
        g_byte_array_set_size(o, (guint)out_len);
    *out = o;
    return err;
}

static void
fill_random(GRand *rand, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)g_rand_int(rand);
}

static void
check_prefixed(enum e2c_codec c, uint8_t first_byte, size_t expect_prefix)
{
    GRand *rand = g_rand_new_with_seed(1);
    struct pair p = pair_new(SFRAME_DEFAULT_SUITE);
    for (size_t len = 12; len < 3000; len += 97) {
        uint8_t *frame = g_malloc(len);
        fill_random(rand, frame, len);
        frame[0] = first_byte;
        GByteArray *prot = protect(&p, c, frame, len), *back;
        g_assert_cmpmem(prot->data, expect_prefix, frame, expect_prefix);
        /* Only the clear prefix is readable: the rest is not the plaintext. */
        g_assert_true(memcmp(prot->data + expect_prefix + 9, frame + expect_prefix,
                             MIN(16, len - expect_prefix)) != 0);
        g_assert_cmpint(open_frame(&p, c, prot->data, prot->len, &back), ==, SFRAME_OK);
        g_assert_cmpmem(back->data, back->len, frame, len);
        /* A flipped bit in the clear prefix breaks authentication (it is AAD). */
        prot->data[expect_prefix - 1] ^= 0x04;
        g_byte_array_unref(back);
        int err = open_frame(&p, c, prot->data, prot->len, &back);
        g_assert_true(err == SFRAME_E_AUTH || err == SFRAME_E_REPLAY);
        g_byte_array_unref(back);
        g_byte_array_unref(prot);
        g_free(frame);
    }
    pair_free(&p);
    g_rand_free(rand);
}

static void
test_vp8(void)
{
    check_prefixed(E2C_CODEC_VP8, 0x10, 10); /* P bit 0: keyframe */
    check_prefixed(E2C_CODEC_VP8, 0x31, 3);  /* P bit 1: delta frame */
}

static void
test_vp9(void)
{
    check_prefixed(E2C_CODEC_VP9, 0x82, 10); /* marker 10, profile 0, key */
    check_prefixed(E2C_CODEC_VP9, 0x86, 3);  /* frame_type 1: inter frame */
}

static void
test_opus(void)
{
    check_prefixed(E2C_CODEC_OPUS, 0x78, 1);
    /* A one-byte Opus packet (DTX) is still protected. */
    struct pair p = pair_new(SFRAME_DEFAULT_SUITE);
    uint8_t toc = 0xf8;
    GByteArray *prot = protect(&p, E2C_CODEC_OPUS, &toc, 1), *back;
    g_assert_cmpuint(prot->len, >, 1);
    g_assert_cmpint(open_frame(&p, E2C_CODEC_OPUS, prot->data, prot->len, &back), ==, SFRAME_OK);
    g_assert_cmpmem(back->data, back->len, &toc, 1);
    g_byte_array_unref(prot);
    g_byte_array_unref(back);
    pair_free(&p);
}

/* ---- H.264 --------------------------------------------------------------- */

static void
append_nal(GByteArray *au, GRand *rand, gboolean four_byte_sc, uint8_t header, size_t payload_len)
{
    static const uint8_t sc4[] = {0, 0, 0, 1};
    g_byte_array_append(au, four_byte_sc ? sc4 : sc4 + 1, four_byte_sc ? 4 : 3);
    g_byte_array_append(au, &header, 1);
    unsigned zeros = 0;
    for (size_t i = 0; i < payload_len; i++) {
        /* Many zeros and small values, so the ciphertext's escaping is exercised. */
        guint32 r = g_rand_int_range(rand, 0, 8);
        uint8_t b = r < 3   ? 0
                    : r < 5 ? (uint8_t)g_rand_int_range(rand, 1, 4)
                            : (uint8_t)g_rand_int(rand);
        /* Like an encoder's output, the plaintext itself holds no start code. */
        if (zeros >= 2 && b <= 3)
            b = 0x03 + (uint8_t)g_rand_int_range(rand, 1, 200);
        if (i == payload_len - 1 && b == 0)
            b = 0x80; /* an encoder's RBSP never ends in a zero byte */
        zeros = b == 0 ? zeros + 1 : 0;
        g_byte_array_append(au, &b, 1);
    }
}

struct nal_view {
    uint8_t type;
    const uint8_t *data; /* header byte onward */
    size_t len;
};

static GArray *
nals_of(const GByteArray *au)
{
    GArray *list = g_array_new(FALSE, FALSE, sizeof(struct nal_view));
    size_t pos = 0;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(au->data, au->len, &pos, &nal)) {
        struct nal_view v = {au->data[nal.hdr] & 0x1f, au->data + nal.hdr, nal.end - nal.hdr};
        g_array_append_val(list, v);
    }
    return list;
}

/*
 * What rtph264pay + rtph264depay do to an access unit: every NAL unit comes
 * out behind a 4-byte start code, and trailing zero bytes of each NAL unit
 * are gone.
 */
static GByteArray *
through_payloader(const GByteArray *au)
{
    static const uint8_t sc4[] = {0, 0, 0, 1};
    GByteArray *out = g_byte_array_new();
    GArray *nals = nals_of(au);
    for (guint i = 0; i < nals->len; i++) {
        struct nal_view *v = &g_array_index(nals, struct nal_view, i);
        size_t len = v->len;
        while (len > 1 && v->data[len - 1] == 0)
            len--;
        g_byte_array_append(out, sc4, 4);
        g_byte_array_append(out, v->data, (guint)len);
    }
    g_array_unref(nals);
    return out;
}

static void
test_h264_roundtrip(void)
{
    GRand *rand = g_rand_new_with_seed(7);
    struct pair p = pair_new(SFRAME_DEFAULT_SUITE);
    for (unsigned trial = 0; trial < 3000; trial++) {
        GByteArray *au = g_byte_array_new();
        gboolean idr = trial % 10 == 0;
        append_nal(au, rand, TRUE, 0x09, 1); /* AUD */
        if (idr) {
            append_nal(au, rand, TRUE, 0x67, 12);  /* SPS */
            append_nal(au, rand, FALSE, 0x68, 4);  /* PPS */
            append_nal(au, rand, FALSE, 0x06, 20); /* SEI */
        }
        unsigned slices = 1 + g_rand_int_range(rand, 0, 3);
        for (unsigned s = 0; s < slices; s++)
            append_nal(au, rand, s == 0, idr ? 0x65 : 0x41, g_rand_int_range(rand, 1, 3000));

        GByteArray *prot = protect(&p, E2C_CODEC_H264, au->data, au->len);
        GArray *in_nals = nals_of(au), *prot_nals = nals_of(prot);
        g_assert_cmpuint(prot_nals->len, ==, in_nals->len);
        for (guint i = 0; i < in_nals->len; i++) {
            struct nal_view *a = &g_array_index(in_nals, struct nal_view, i);
            struct nal_view *b = &g_array_index(prot_nals, struct nal_view, i);
            g_assert_cmpuint(a->type, ==, b->type);
            if (!e2c_h264_nal_type_protected(a->type)) {
                g_assert_cmpmem(a->data, a->len, b->data, b->len);
                continue;
            }
            g_assert_cmpuint(b->data[b->len - 1], ==, E2C_H264_TRAILER);
            for (size_t j = 1; j + 2 < b->len; j++)
                g_assert_false(b->data[j] == 0 && b->data[j + 1] == 0 && b->data[j + 2] <= 2);
        }

        GByteArray *wire = through_payloader(prot), *back;
        g_assert_cmpint(open_frame(&p, E2C_CODEC_H264, wire->data, wire->len, &back), ==,
                        SFRAME_OK);
        GByteArray *expect = through_payloader(au);
        g_assert_cmpmem(back->data, back->len, expect->data, expect->len);

        g_array_unref(in_nals);
        g_array_unref(prot_nals);
        g_byte_array_unref(au);
        g_byte_array_unref(prot);
        g_byte_array_unref(wire);
        g_byte_array_unref(back);
        g_byte_array_unref(expect);
    }
    pair_free(&p);
    g_rand_free(rand);
}

static void
test_h264_damage(void)
{
    GRand *rand = g_rand_new_with_seed(11);
    struct pair p = pair_new(SFRAME_DEFAULT_SUITE);
    GByteArray *au = g_byte_array_new(), *back;
    append_nal(au, rand, TRUE, 0x65, 500);
    GByteArray *prot = protect(&p, E2C_CODEC_H264, au->data, au->len);

    /* The trailer lost: the envelope is broken. */
    g_assert_cmpint(open_frame(&p, E2C_CODEC_H264, prot->data, prot->len - 1, &back), ==,
                    SFRAME_E_MALFORMED);
    g_byte_array_unref(back);
    /* A middle part lost (packet loss inside a FU-A): authentication fails. */
    GByteArray *cut = g_byte_array_new();
    g_byte_array_append(cut, prot->data, 200);
    g_byte_array_append(cut, prot->data + 300, prot->len - 300);
    int err = open_frame(&p, E2C_CODEC_H264, cut->data, cut->len, &back);
    g_assert_true(err == SFRAME_E_AUTH || err == SFRAME_E_MALFORMED);
    g_byte_array_unref(back);
    /* A plaintext access unit is not accepted as an encrypted one. */
    err = open_frame(&p, E2C_CODEC_H264, au->data, au->len, &back);
    g_assert_cmpint(err, !=, SFRAME_OK);
    g_byte_array_unref(back);
    /* Parameter sets alone: nothing authenticates them, so they do not open
     * (test-frame-h264.c has the details). */
    GByteArray *ps = g_byte_array_new();
    append_nal(ps, rand, TRUE, 0x67, 10);
    append_nal(ps, rand, TRUE, 0x68, 4);
    g_assert_cmpint(open_frame(&p, E2C_CODEC_H264, ps->data, ps->len, &back), ==,
                    SFRAME_E_MALFORMED);
    g_byte_array_unref(back);

    g_byte_array_unref(ps);
    g_byte_array_unref(cut);
    g_byte_array_unref(prot);
    g_byte_array_unref(au);
    pair_free(&p);
    g_rand_free(rand);
}

/* Every suite works through the envelopes. */
static void
test_all_suites(void)
{
    uint8_t frame[300];
    GRand *rand = g_rand_new_with_seed(3);
    fill_random(rand, frame, sizeof(frame));
    frame[0] = 0x10;
    for (uint16_t suite = 1; suite <= 8; suite++) {
        struct pair p = pair_new(suite);
        GByteArray *prot = protect(&p, E2C_CODEC_VP8, frame, sizeof(frame)), *back;
        g_assert_cmpint(open_frame(&p, E2C_CODEC_VP8, prot->data, prot->len, &back), ==, SFRAME_OK);
        g_assert_cmpmem(back->data, back->len, frame, sizeof(frame));
        g_byte_array_unref(prot);
        g_byte_array_unref(back);
        pair_free(&p);
    }
    g_rand_free(rand);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e2ee/frame/vp8", test_vp8);
    g_test_add_func("/e2ee/frame/vp9", test_vp9);
    g_test_add_func("/e2ee/frame/opus", test_opus);
    g_test_add_func("/e2ee/frame/h264-roundtrip", test_h264_roundtrip);
    g_test_add_func("/e2ee/frame/h264-damage", test_h264_damage);
    g_test_add_func("/e2ee/frame/all-suites", test_all_suites);
    return g_test_run();
}
