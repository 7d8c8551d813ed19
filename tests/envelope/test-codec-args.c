/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --video and --audio take exactly the codec table's names of their kind
 * (any case) and "none", and the texts of --help and of the messages list
 * exactly those (src/cli/codec-args.c, compiled in).
 */
#include <glib.h>

#include "codec-args.h"

static void
test_parse_takes_the_table(void)
{
    const struct e2c_codec_info *row;
    for (size_t i = 0; (row = e2c_codec_nth(i)); i++) {
        enum e2c_media_kind other =
            row->kind == E2C_MEDIA_VIDEO ? E2C_MEDIA_AUDIO : E2C_MEDIA_VIDEO;
        enum e2c_codec got = E2C_CODEC_NONE;
        g_assert_true(e2c_codec_arg_parse(row->name, row->kind, &got));
        g_assert_cmpint(got, ==, row->codec);
        gchar *upper = g_ascii_strup(row->name, -1);
        got = E2C_CODEC_NONE;
        g_assert_true(e2c_codec_arg_parse(upper, row->kind, &got));
        g_assert_cmpint(got, ==, row->codec);
        g_free(upper);
        /* A codec of the other kind is refused, and *out stays as it was. */
        got = (enum e2c_codec)77;
        g_assert_false(e2c_codec_arg_parse(row->name, other, &got));
        g_assert_cmpint(got, ==, 77);
    }
    enum e2c_codec got = E2C_CODEC_VP8;
    g_assert_true(e2c_codec_arg_parse("none", E2C_MEDIA_VIDEO, &got));
    g_assert_cmpint(got, ==, E2C_CODEC_NONE);
    got = E2C_CODEC_OPUS;
    g_assert_true(e2c_codec_arg_parse("NONE", E2C_MEDIA_AUDIO, &got));
    g_assert_cmpint(got, ==, E2C_CODEC_NONE);
    g_assert_false(e2c_codec_arg_parse("av1", E2C_MEDIA_VIDEO, &got));
    g_assert_false(e2c_codec_arg_parse("", E2C_MEDIA_VIDEO, &got));
    g_assert_false(e2c_codec_arg_parse("vp8 ", E2C_MEDIA_VIDEO, &got));
    g_assert_false(e2c_codec_arg_parse(NULL, E2C_MEDIA_VIDEO, &got));
}

static void
test_texts_list_the_table(void)
{
    /* The texts e2call printed before they came from the table. */
    g_assert_cmpstr(e2c_codec_arg_choices(E2C_MEDIA_VIDEO), ==, "vp8, vp9, h264 or none");
    g_assert_cmpstr(e2c_codec_arg_choices(E2C_MEDIA_AUDIO), ==, "opus or none");
    g_assert_cmpstr(e2c_codec_arg_help(E2C_MEDIA_VIDEO, E2C_CODEC_VP8), ==,
                    "vp8 (default), vp9, h264 or none");
    g_assert_cmpstr(e2c_codec_arg_help(E2C_MEDIA_AUDIO, E2C_CODEC_OPUS), ==,
                    "opus (default) or none");
    g_assert_cmpstr(e2c_codec_arg_names(E2C_MEDIA_VIDEO, ","), ==, "vp8,vp9,h264");
    g_assert_cmpstr(e2c_codec_arg_names(E2C_MEDIA_VIDEO, ", "), ==, "vp8, vp9, h264");
    /* Every name the choices list parses as its kind. */
    for (int k = E2C_MEDIA_VIDEO; k <= E2C_MEDIA_AUDIO; k++) {
        gchar **names = g_strsplit(e2c_codec_arg_names((enum e2c_media_kind)k, ","), ",", -1);
        for (gchar **n = names; *n; n++) {
            enum e2c_codec got;
            g_assert_true(e2c_codec_arg_parse(*n, (enum e2c_media_kind)k, &got));
        }
        g_strfreev(names);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/codec-args/parse", test_parse_takes_the_table);
    g_test_add_func("/codec-args/texts", test_texts_list_the_table);
    return g_test_run();
}
