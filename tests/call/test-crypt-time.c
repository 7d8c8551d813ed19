/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The summary's "timing" (crypt-time.h): the browser's shape, units and rounding. */
#include <glib.h>
#include <string.h>

#include "crypt-time.h"

static void
assert_us(guint64 ns, guint64 frames, double want)
{
    struct e2c_crypt_time t = {ns, frames};
    json_t *v = e2c_us_per_frame_json(&t);
    g_assert_true(json_is_real(v));
    g_assert_cmpfloat_with_epsilon(json_real_value(v), want, 1e-9);
    json_decref(v);
}

static void
test_mean_one_decimal(void)
{
    assert_us(212000, 1, 212.0);
    assert_us(3 * 27340, 3, 27.3); /* 27.34 down */
    assert_us(2 * 27350, 2, 27.4); /* 27.35: half up, as Math.round */
    assert_us(2 * 27349, 2, 27.3); /* just under half */
    assert_us(49, 1, 0.0);         /* 0.049 us */
    assert_us(50, 1, 0.1);         /* 0.05 us */
    assert_us(1000, 3, 0.3);       /* 0.333 us */
    /* A day of frames at 30 fps, 40 us each: no overflow, still exact. */
    guint64 frames = 30ull * 86400;
    assert_us(frames * 40000, frames, 40.0);
}

static void
test_no_frame_is_null(void)
{
    struct e2c_crypt_time none = {0, 0};
    json_t *v = e2c_us_per_frame_json(&none);
    g_assert_true(json_is_null(v));
    json_decref(v);
}

static void
test_timing_object(void)
{
    struct e2c_crypt_time enc = {0, 0}, dec = {0, 0};
    struct e2c_crypt_time video = {300 * 50000, 300}, audio = {500 * 10000, 500};
    e2c_crypt_time_add(&enc, &video);
    e2c_crypt_time_add(&enc, &audio);
    dec.ns = 7 * 20000;
    dec.frames = 7;
    json_t *o = e2c_timing_json(&enc, &dec);
    g_assert_cmpuint(json_object_size(o), ==, 4);
    /* (15 ms + 5 ms) / 800 frames = 25 us */
    g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(o, "encrypt-us-per-frame")),
                                   25.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(o, "decrypt-us-per-frame")),
                                   20.0, 1e-9);
    g_assert_cmpint(json_integer_value(json_object_get(o, "frames-encrypted")), ==, 800);
    g_assert_cmpint(json_integer_value(json_object_get(o, "frames-decrypted")), ==, 7);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    g_assert_cmpstr(text, ==,
                    "{\"encrypt-us-per-frame\":25.0,\"decrypt-us-per-frame\":20.0,"
                    "\"frames-encrypted\":800,\"frames-decrypted\":7}");
    free(text);
    json_decref(o);
}

/* A plain call: the same keys, null means and no frames. */
static void
test_plain_call(void)
{
    struct e2c_crypt_time none = {0, 0};
    json_t *o = e2c_timing_json(&none, &none);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    g_assert_cmpstr(text, ==,
                    "{\"encrypt-us-per-frame\":null,\"decrypt-us-per-frame\":null,"
                    "\"frames-encrypted\":0,\"frames-decrypted\":0}");
    free(text);
    json_decref(o);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crypt-time/mean-one-decimal", test_mean_one_decimal);
    g_test_add_func("/crypt-time/no-frame-is-null", test_no_frame_is_null);
    g_test_add_func("/crypt-time/timing-object", test_timing_object);
    g_test_add_func("/crypt-time/plain-call", test_plain_call);
    return g_test_run();
}
