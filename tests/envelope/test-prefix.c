/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Codec names and clear prefixes (e2call-e2ee(7), FRAME LAYOUT): VP8 10 / 3 by the keyframe
 * bit (RFC 6386 §9.1), VP9 10 / 3 by the uncompressed header's first byte
 * (VP9 bitstream spec §6.2), Opus 1, never more than the frame.
 */
#include <glib.h>
#include <string.h>

#include "envelope.h"

static void
test_codec_names(void)
{
    static const struct {
        enum e2c_codec c;
        const char *name;
    } cases[] = {
        {E2C_CODEC_VP8, "vp8"},
        {E2C_CODEC_VP9, "vp9"},
        {E2C_CODEC_H264, "h264"},
        {E2C_CODEC_OPUS, "opus"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpstr(e2c_codec_name(cases[i].c), ==, cases[i].name);
        g_assert_cmpint(e2c_codec_from_name(cases[i].name), ==, cases[i].c);
    }
    g_assert_cmpint(e2c_codec_from_name("VP8"), ==, E2C_CODEC_VP8);
    g_assert_cmpint(e2c_codec_from_name("H264"), ==, E2C_CODEC_H264);
    g_assert_cmpint(e2c_codec_from_name("av1"), ==, E2C_CODEC_NONE);
    g_assert_cmpint(e2c_codec_from_name(""), ==, E2C_CODEC_NONE);
    g_assert_cmpint(e2c_codec_from_name(NULL), ==, E2C_CODEC_NONE);
    g_assert_cmpstr(e2c_codec_name(E2C_CODEC_NONE), ==, "none");
}

/*
 * Every row of the codec table: its name and value lead back to it, no two
 * rows share either, and its envelope rule fits what frame.c assumes.
 */
static void
test_codec_table(void)
{
    size_t n = 0;
    const struct e2c_codec_info *row;
    for (size_t i = 0; (row = e2c_codec_nth(i)); i++, n++) {
        g_assert_cmpint(row->codec, !=, E2C_CODEC_NONE);
        g_assert_true(e2c_codec_info(row->codec) == row);
        g_assert_nonnull(row->name);
        g_assert_cmpint(e2c_codec_from_name(row->name), ==, row->codec);
        g_assert_cmpstr(e2c_codec_name(row->codec), ==, row->name);
        g_assert_cmpstr(row->name, !=,
                        "none"); /* "none" is what --video/--audio turn it off with */
        gchar *lower = g_ascii_strdown(row->name, -1);
        g_assert_cmpstr(lower, ==, row->name);
        g_free(lower);
        g_assert_true(row->kind == E2C_MEDIA_VIDEO || row->kind == E2C_MEDIA_AUDIO);
        g_assert_nonnull(row->is_keyframe);
        switch (row->envelope) {
        case E2C_ENVELOPE_PREFIX:
            /* frame.c compares a frame's prefix with that of its first 16 bytes */
            g_assert_cmpuint(row->key_prefix, >=, 1);
            g_assert_cmpuint(row->delta_prefix, >=, 1);
            g_assert_cmpuint(row->key_prefix, <=, 16);
            g_assert_cmpuint(row->delta_prefix, <=, 16);
            break;
        case E2C_ENVELOPE_H264_NAL:
            g_assert_cmpuint(row->key_prefix, ==, 0);
            g_assert_cmpuint(row->delta_prefix, ==, 0);
            break;
        default:
            g_error("%s: envelope %d", row->name, (int)row->envelope);
        }
        for (size_t j = 0; j < i; j++) {
            g_assert_cmpint(e2c_codec_nth(j)->codec, !=, row->codec);
            g_assert_cmpstr(e2c_codec_nth(j)->name, !=, row->name);
        }
    }
    g_assert_cmpuint(n, ==, 4);
    g_assert_null(e2c_codec_info(E2C_CODEC_NONE));
    g_assert_null(e2c_codec_info((enum e2c_codec)99));
    g_assert_null(e2c_codec_nth(n));
    g_assert_cmpint(e2c_codec_info(E2C_CODEC_OPUS)->kind, ==, E2C_MEDIA_AUDIO);
    g_assert_cmpint(e2c_codec_info(E2C_CODEC_H264)->kind, ==, E2C_MEDIA_VIDEO);
}

struct prefix_case {
    const char *what;
    enum e2c_codec codec;
    uint8_t first; /* byte 0; the rest of the frame is 0xee */
    size_t len;
    size_t prefix;
    int keyframe;
};

static const struct prefix_case prefix_cases[] = {
    /* VP8: frame tag bit 0 is 0 on keyframes */
    {"vp8 key", E2C_CODEC_VP8, 0x10, 1000, 10, 1},
    {"vp8 key, exactly 10", E2C_CODEC_VP8, 0x50, 10, 10, 1},
    {"vp8 key, short", E2C_CODEC_VP8, 0x10, 6, 6, 1},
    {"vp8 key, 1 byte", E2C_CODEC_VP8, 0x00, 1, 1, 1},
    {"vp8 delta", E2C_CODEC_VP8, 0x31, 1000, 3, 0},
    {"vp8 delta, short", E2C_CODEC_VP8, 0x31, 2, 2, 0},
    {"vp8 delta, 3", E2C_CODEC_VP8, 0xff, 3, 3, 0},
    {"vp8 empty", E2C_CODEC_VP8, 0x00, 0, 0, 0},
    /* VP9 byte 0: marker(2)=10 low high [reserved if profile 3] show_existing frame_type */
    {"vp9 p0 key", E2C_CODEC_VP9, 0x80, 500, 10, 1},
    {"vp9 p0 key, error_resilient etc. set", E2C_CODEC_VP9, 0x83, 500, 10, 1},
    {"vp9 p0 delta", E2C_CODEC_VP9, 0x84, 500, 3, 0},
    {"vp9 p0 show_existing", E2C_CODEC_VP9, 0x88, 500, 3, 0},
    {"vp9 p1 key", E2C_CODEC_VP9, 0xa0, 500, 10, 1},
    {"vp9 p1 delta", E2C_CODEC_VP9, 0xa4, 500, 3, 0},
    {"vp9 p1 show_existing", E2C_CODEC_VP9, 0xa8, 500, 3, 0},
    {"vp9 p2 key", E2C_CODEC_VP9, 0x90, 500, 10, 1},
    {"vp9 p2 delta", E2C_CODEC_VP9, 0x94, 500, 3, 0},
    {"vp9 p2 show_existing", E2C_CODEC_VP9, 0x98, 500, 3, 0},
    {"vp9 p3 key", E2C_CODEC_VP9, 0xb0, 500, 10, 1},
    {"vp9 p3 key, next bit set", E2C_CODEC_VP9, 0xb1, 500, 10, 1},
    {"vp9 p3 delta", E2C_CODEC_VP9, 0xb2, 500, 3, 0},
    {"vp9 p3 show_existing", E2C_CODEC_VP9, 0xb4, 500, 3, 0},
    {"vp9 p3 reserved bit set", E2C_CODEC_VP9, 0xb8, 500, 3, 0},
    {"vp9 bad marker 00", E2C_CODEC_VP9, 0x00, 500, 3, 0},
    {"vp9 bad marker 01", E2C_CODEC_VP9, 0x40, 500, 3, 0},
    {"vp9 bad marker 11", E2C_CODEC_VP9, 0xc0, 500, 3, 0},
    {"vp9 key, short", E2C_CODEC_VP9, 0x80, 7, 7, 1},
    {"vp9 delta, short", E2C_CODEC_VP9, 0x84, 1, 1, 0},
    {"vp9 empty", E2C_CODEC_VP9, 0x80, 0, 0, 0},
    /* Opus: the TOC byte */
    {"opus", E2C_CODEC_OPUS, 0x78, 120, 1, 1},
    {"opus 1 byte", E2C_CODEC_OPUS, 0xfc, 1, 1, 1},
    {"opus empty", E2C_CODEC_OPUS, 0xfc, 0, 0, 0},
    /* H.264 has a per-NAL envelope, no frame prefix */
    {"h264", E2C_CODEC_H264, 0x00, 100, 0, 0},
    {"none", E2C_CODEC_NONE, 0x00, 100, 0, 0},
};

static void
test_prefix(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(prefix_cases); i++) {
        const struct prefix_case *c = &prefix_cases[i];
        /* Given a heap buffer of exactly len bytes, so ASan sees any overread */
        uint8_t *frame = g_malloc(c->len ? c->len : 1);
        memset(frame, 0xee, c->len);
        if (c->len)
            frame[0] = c->first;

        /* When */
        size_t prefix = e2c_clear_prefix_len(c->codec, frame, c->len);
        int key = e2c_frame_is_keyframe(c->codec, frame, c->len);

        /* Then */
        if (prefix != c->prefix || key != c->keyframe)
            g_error("%s: prefix %zu keyframe %d, expected %zu %d", c->what, prefix, key, c->prefix,
                    c->keyframe);
        g_assert_cmpuint(prefix, <=, c->len);
        g_free(frame);
    }
    g_assert_cmpuint(e2c_clear_prefix_len(E2C_CODEC_VP8, NULL, 0), ==, 0);
    g_assert_cmpint(e2c_frame_is_keyframe(E2C_CODEC_VP9, NULL, 0), ==, 0);
}

static void
test_h264_keyframe(void)
{
    static const uint8_t idr[] = {0,    0,    0, 1, 0x67, 0x42, 0,    0,    1,
                                  0x68, 0xce, 0, 0, 1,    0x65, 0x88, 0x84, 0x80};
    static const uint8_t non_idr[] = {0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x41, 0x9a, 0x80};
    static const uint8_t empty_nal_then_idr[] = {0, 0, 1, 0, 0, 1, 0x25, 0xb8};
    g_assert_cmpint(e2c_frame_is_keyframe(E2C_CODEC_H264, idr, sizeof(idr)), ==, 1);
    g_assert_cmpint(e2c_frame_is_keyframe(E2C_CODEC_H264, non_idr, sizeof(non_idr)), ==, 0);
    g_assert_cmpint(
        e2c_frame_is_keyframe(E2C_CODEC_H264, empty_nal_then_idr, sizeof(empty_nal_then_idr)), ==,
        1);
    g_assert_cmpuint(e2c_clear_prefix_len(E2C_CODEC_H264, idr, sizeof(idr)), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/envelope/codec-names", test_codec_names);
    g_test_add_func("/envelope/codec-table", test_codec_table);
    g_test_add_func("/envelope/prefix", test_prefix);
    g_test_add_func("/envelope/h264-keyframe", test_h264_keyframe);
    return g_test_run();
}
