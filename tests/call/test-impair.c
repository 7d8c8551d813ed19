/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --impair on one stream (src/call/impair.h): a spec becomes netsim's
 * properties as e2call(1), NETWORK IMPAIRMENT says, and the stall drops every
 * packet of its window and none outside it.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "impair.h"

static GstElement *
element_for(const char *text)
{
    struct e2c_impair spec;
    char err[E2C_IMPAIR_ERROR_LEN];
    fail_unless(e2c_impair_parse(text, &spec, err), "%s: %s", text, err);
    GError *error = NULL;
    GstElement *sim = e2c_impair_element_new(&spec, NULL, &error);
    fail_unless(sim != NULL, "%s", error ? error->message : "?");
    return gst_object_ref_sink(sim);
}

GST_START_TEST(properties)
{
    GstElement *sim = element_for("delay=200ms,jitter=20ms,loss=5%,rate=500kbit");
    gint min_delay, max_delay, max_kbps, bucket, distribution;
    gfloat delay_p, drop_p;
    gboolean reorder;
    g_object_get(sim, "min-delay", &min_delay, "max-delay", &max_delay, "delay-probability",
                 &delay_p, "drop-probability", &drop_p, "max-kbps", &max_kbps, "max-bucket-size",
                 &bucket, "allow-reordering", &reorder, "delay-distribution", &distribution, NULL);
    ck_assert_int_eq(min_delay, 180);
    ck_assert_int_eq(max_delay, 220);
    ck_assert(delay_p == 1.0f);
    ck_assert(drop_p > 0.0499f && drop_p < 0.0501f);
    ck_assert_int_eq(max_kbps, 500);
    ck_assert_int_eq(bucket, 50); /* 100 ms of 500 kbit/s */
    ck_assert(!reorder);
    ck_assert_int_eq(distribution, 0); /* uniform */
    gst_object_unref(sim);

    /* Without delay nothing waits in netsim; without rate no bucket; a small rate gets
     * a bucket of two packets. */
    sim = element_for("loss=100%,dir=recv");
    g_object_get(sim, "delay-probability", &delay_p, "drop-probability", &drop_p, "max-kbps",
                 &max_kbps, "max-bucket-size", &bucket, NULL);
    ck_assert(delay_p == 0.0f);
    ck_assert(drop_p == 1.0f);
    ck_assert_int_eq(max_kbps, -1);
    ck_assert_int_eq(bucket, -1);
    gst_object_unref(sim);
    sim = element_for("rate=64kbit");
    g_object_get(sim, "max-bucket-size", &bucket, NULL);
    ck_assert_int_eq(bucket, 20);
    gst_object_unref(sim);
}
GST_END_TEST;

static void
push_one(GstHarness *h)
{
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_new_allocate(NULL, 100, NULL)),
                           GST_FLOW_OK);
}

/* stall=D@0s: the first packet starts the clock inside the window; after D, packets pass. */
GST_START_TEST(stall_window)
{
    GstElement *sim = element_for("stall=200ms@0s");
    GstHarness *h = gst_harness_new_with_element(sim, "sink", "src");
    gst_harness_set_src_caps_str(h, "application/x-rtp");
    push_one(h);
    push_one(h);
    ck_assert_int_eq(gst_harness_buffers_received(h), 0);
    g_usleep(300 * G_TIME_SPAN_MILLISECOND);
    push_one(h);
    push_one(h);
    ck_assert_int_eq(gst_harness_buffers_received(h), 2);
    gst_harness_teardown(h);
    gst_object_unref(sim);
}
GST_END_TEST;

/* A stall that has not begun drops nothing. */
GST_START_TEST(stall_later)
{
    GstElement *sim = element_for("stall=2s@3600s");
    GstHarness *h = gst_harness_new_with_element(sim, "sink", "src");
    gst_harness_set_src_caps_str(h, "application/x-rtp");
    for (int i = 0; i < 10; i++)
        push_one(h);
    ck_assert_int_eq(gst_harness_buffers_received(h), 10);
    gst_harness_teardown(h);
    gst_object_unref(sim);
}
GST_END_TEST;

static Suite *
impair_suite(void)
{
    Suite *s = suite_create("impair");
    TCase *tc = tcase_create("netsim");
    tcase_add_test(tc, properties);
    tcase_add_test(tc, stall_window);
    tcase_add_test(tc, stall_later);
    suite_add_tcase(s, tc);
    return s;
}

GST_CHECK_MAIN(impair);
