/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The --expect-media primitives: marker round trips, PSNR, tone detection. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "verify.h"

static void
test_marker_roundtrip(void)
{
    static const unsigned widths[] = {160, 320, 640, 1280};
    for (unsigned w = 0; w < G_N_ELEMENTS(widths); w++) {
        unsigned width = widths[w], height = width * 3 / 4;
        guint8 *y = g_malloc(width * height), *u = g_malloc(width * height / 4),
               *v = g_malloc(width * height / 4);
        for (unsigned counter = 0; counter < 4096; counter += 37) {
            memset(y, 0x80, width * height);
            e2c_marker_stamp(y, width, u, v, width / 2, 1, 1, width, height, counter, counter & 1);
            unsigned got;
            int pattern;
            g_assert_true(e2c_marker_read(y, width, width, height, &got, &pattern));
            g_assert_cmpuint(got, ==, counter);
            g_assert_cmpint(pattern, ==, (int)(counter & 1));
        }
        g_free(y);
        g_free(u);
        g_free(v);
    }
}

static void
test_marker_rejects(void)
{
    unsigned width = 320, height = 240, counter;
    int pattern;
    guint8 *y = g_malloc0(width * height);
    /* All black: the check value rules it out. */
    memset(y, 16, width * height);
    g_assert_false(e2c_marker_read(y, width, width, height, &counter, &pattern));
    /* Mid grey: not a marker. */
    memset(y, 128, width * height);
    g_assert_false(e2c_marker_read(y, width, width, height, &counter, &pattern));
    /* Random noise (what decoding ciphertext looks like). */
    GRand *rand = g_rand_new_with_seed(5);
    unsigned accepted = 0;
    for (unsigned t = 0; t < 1000; t++) {
        for (unsigned i = 0; i < width * height; i++)
            y[i] = (guint8)g_rand_int(rand);
        accepted += e2c_marker_read(y, width, width, height, &counter, &pattern);
    }
    g_assert_cmpuint(accepted, ==, 0);
    /* One block flipped: the check value catches it. */
    e2c_marker_stamp(y, width, NULL, NULL, 0, 1, 1, width, height, 1234, 1);
    unsigned b = e2c_marker_block(width);
    for (unsigned row = 0; row < b; row++)
        memset(y + row * width + 3 * b, y[row * width + 3 * b] == 16 ? 235 : 16, b);
    g_assert_false(e2c_marker_read(y, width, width, height, &counter, &pattern));
    g_rand_free(rand);
    g_free(y);
}

static void
test_psnr(void)
{
    unsigned width = 64, height = 48;
    guint8 a[64 * 48], b[64 * 48];
    for (unsigned i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (guint8)(i * 7);
    g_assert_cmpfloat(e2c_psnr(a, width, b, width, width, 0, height), ==, 99.0);
    /* Every sample off by 4: MSE 16 -> 10 log10(65025/16) = 36.09 dB. */
    for (unsigned i = 0; i < sizeof(b); i++)
        b[i] = (guint8)(a[i] < 128 ? a[i] + 4 : a[i] - 4);
    g_assert_cmpfloat_with_epsilon(e2c_psnr(a, width, b, width, width, 0, height), 36.09, 0.01);
    /* Rows before first_row do not count. */
    memset(b, 0, width * 8);
    g_assert_cmpfloat_with_epsilon(e2c_psnr(a, width, b, width, width, 8, height), 36.09, 0.01);
}

static void
test_tone(void)
{
    const unsigned rate = 48000, frames = 960 * 5;
    gint16 *s = g_new(gint16, frames * 2);
    for (unsigned i = 0; i < frames; i++)
        s[2 * i] = s[2 * i + 1] = (gint16)(8000 * sin(2 * M_PI * 440 * i / rate));
    g_assert_cmpfloat(e2c_tone_share(s, frames, 2, rate, 440), >, 0.95);
    g_assert_cmpfloat(e2c_tone_share(s, frames, 2, rate, 1000), <, 0.05);
    GRand *rand = g_rand_new_with_seed(9);
    for (unsigned i = 0; i < frames * 2; i++)
        s[i] = (gint16)g_rand_int_range(rand, -8000, 8000);
    g_assert_cmpfloat(e2c_tone_share(s, frames, 2, rate, 440), <, 0.05);
    memset(s, 0, frames * 2 * sizeof(*s));
    g_assert_cmpfloat(e2c_tone_share(s, frames, 2, rate, 440), ==, 0);
    g_rand_free(rand);
    g_free(s);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/marker/roundtrip", test_marker_roundtrip);
    g_test_add_func("/media/marker/rejects", test_marker_rejects);
    g_test_add_func("/media/psnr", test_psnr);
    g_test_add_func("/media/tone", test_tone);
    return g_test_run();
}
