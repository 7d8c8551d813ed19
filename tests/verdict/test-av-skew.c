/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A/V skew (av-skew.h): the difference of medians, and which stream objects get it. */
#include <glib.h>

#include "av-skew.h"

static void
test_ms(void)
{
    struct e2c_latency_summary audio = {1, 42.5, 60, 70, 80}, video = {1, 30.25, 90, 95, 99};
    struct e2c_latency_summary none = {0, 0, 0, 0, 0};
    double skew = -1;
    g_assert_true(e2c_av_skew_ms(&audio, &video, &skew));
    g_assert_cmpfloat(skew, ==, 12.25); /* the medians only: the tails do not count */
    g_assert_true(e2c_av_skew_ms(&video, &audio, &skew));
    g_assert_cmpfloat(skew, ==, -12.25); /* video behind audio: negative */
    skew = 7;
    g_assert_false(e2c_av_skew_ms(&audio, &none, &skew));
    g_assert_false(e2c_av_skew_ms(&none, &video, &skew));
    g_assert_cmpfloat(skew, ==, 7);
}

static json_t *
streams_of(const char *text)
{
    json_error_t error;
    json_t *j = json_loads(text, 0, &error);
    g_assert_nonnull(j);
    return j;
}

static json_t *
key_of(json_t *streams, size_t i, const char *key)
{
    return json_object_get(json_array_get(streams, i), key);
}

static void
test_annotate(void)
{
    json_t *s = streams_of(
        "["
        /* 0, 1: sent streams are left alone, even with figures */
        "{\"participant\":\"bob\",\"direction\":\"send\",\"track\":\"audio\","
        "\"latency-ms\":{\"p50\":1}},"
        "{\"participant\":\"bob\",\"direction\":\"send\",\"track\":\"video\","
        "\"latency-ms\":{\"p50\":2}},"
        /* 2, 3: alice's feed 7, decoded too; video listed first */
        "{\"participant\":\"bob\",\"direction\":\"recv\",\"feed\":7,\"track\":\"video\","
        "\"latency-ms\":{\"p50\":20.5,\"p95\":30},\"decoded-latency-ms\":{\"p50\":25}},"
        "{\"participant\":\"bob\",\"direction\":\"recv\",\"feed\":7,\"track\":\"audio\","
        "\"latency-ms\":{\"p50\":10.25,\"p95\":40},\"decoded-latency-ms\":{\"p50\":45.001}},"
        /* 4, 5: carol's feed 8: no audio latency (a plain call's test tone), no decoding */
        "{\"feed\":8,\"participant\":\"bob\",\"track\":\"audio\",\"latency-ms\":null},"
        "{\"feed\":8,\"participant\":\"bob\",\"track\":\"video\",\"latency-ms\":{\"p50\":5}},"
        /* 6: dave's feed 9 has audio only */
        "{\"feed\":9,\"participant\":\"bob\",\"track\":\"audio\",\"latency-ms\":{\"p50\":5}},"
        /* 7: another receiver in the same array (load) does not pair with bob's */
        "{\"feed\":9,\"participant\":\"erin\",\"track\":\"video\",\"latency-ms\":{\"p50\":1}},"
        /* 8, 9, 10: feed 7 before a reconnect: ended ones pair with ended ones only */
        "{\"participant\":\"bob\",\"feed\":7,\"track\":\"audio\",\"ended\":true,"
        "\"latency-ms\":{\"p50\":3}},"
        "{\"participant\":\"bob\",\"feed\":7,\"track\":\"video\",\"ended\":true,"
        "\"latency-ms\":{\"p50\":4}},"
        "{\"participant\":\"bob\",\"feed\":7,\"track\":\"video\",\"ended\":true,"
        "\"latency-ms\":{\"p50\":100}}"
        "]");
    e2c_av_skew_annotate(s);
    for (size_t i = 0; i < 2; i++)
        g_assert_null(key_of(s, i, "av-skew-ms"));
    for (size_t i = 2; i < 4; i++) {
        g_assert_cmpfloat(json_real_value(key_of(s, i, "av-skew-ms")), ==, -10.25);
        /* Rounded to the microsecond, as the latencies. */
        g_assert_cmpfloat(json_real_value(key_of(s, i, "decoded-av-skew-ms")), ==, 20.001);
    }
    for (size_t i = 4; i < 8; i++) {
        g_assert_null(key_of(s, i, "av-skew-ms"));
        g_assert_null(key_of(s, i, "decoded-av-skew-ms"));
    }
    g_assert_cmpfloat(json_real_value(key_of(s, 8, "av-skew-ms")), ==, -1);
    g_assert_cmpfloat(json_real_value(key_of(s, 9, "av-skew-ms")), ==, -1);
    g_assert_null(key_of(s, 10, "av-skew-ms"));
    g_assert_null(key_of(s, 8, "decoded-av-skew-ms"));
    /* Again: the same figures, nothing added twice. */
    e2c_av_skew_annotate(s);
    g_assert_cmpfloat(json_real_value(key_of(s, 2, "av-skew-ms")), ==, -10.25);
    g_assert_cmpuint(json_array_size(s), ==, 11);
    json_decref(s);

    /* Nothing to pair, or nothing at all. */
    e2c_av_skew_annotate(NULL);
    json_t *empty = json_array();
    e2c_av_skew_annotate(empty);
    g_assert_cmpuint(json_array_size(empty), ==, 0);
    json_decref(empty);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/av-skew/ms", test_ms);
    g_test_add_func("/av-skew/annotate", test_annotate);
    return g_test_run();
}
