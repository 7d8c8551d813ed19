/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/cli/web-latency.c: the browser's frame times against a frame-time table. */
#include <glib.h>
#include <jansson.h>

#include "web-latency.h"

#define KID UINT64_C(0x8000000000000abc)
#define MS 1000000 /* ns */
#define BASE_NS (INT64_C(1765000000000) * MS)

static struct e2c_ftab *
new_table(void)
{
    struct e2c_ftab *t = g_malloc0(E2C_FTAB_SIZE);
    e2c_ftab_init(t);
    return t;
}

/* A batch of frames kid/ctr opened at BASE + offset_ms[ctr] (one per counter from first). */
static gchar *
batch(json_int_t feed, const char *track, guint64 first, guint n, const double *offset_ms)
{
    json_t *times = json_array();
    for (guint i = 0; i < n; i++) {
        gchar *kid = g_strdup_printf("%016" G_GINT64_MODIFIER "x", KID);
        gchar *ctr = g_strdup_printf("%" G_GUINT64_FORMAT, first + i);
        json_array_append_new(
            times, json_pack("[s,s,f]", kid, ctr, (double)(BASE_NS / MS) + offset_ms[i]));
        g_free(kid);
        g_free(ctr);
    }
    json_t *b = json_pack("{s:I, s:s, s:o}", "feed", feed, "track", track, "times", times);
    gchar *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return text;
}

static json_t *
streams_of(json_int_t feed)
{
    return json_pack("[{s:s, s:I, s:s}, {s:s, s:I, s:s}, {s:s, s:I, s:s}]", "remote", "alice",
                     "feed", feed, "track", "video", "remote", "alice", "feed", feed, "track",
                     "audio", "remote", "bob", "feed", feed + 1, "track", "video");
}

static double
p50(json_t *stream)
{
    return json_number_value(json_object_get(json_object_get(stream, "latency-ms"), "p50"));
}

static void
test_latency_from_table(void)
{
    struct e2c_ftab *t = new_table();
    /* Sent at BASE (video, counters 0-9) and BASE + 1 ms (audio, 100-109); frame 9 never. */
    for (guint64 c = 0; c < 9; c++)
        e2c_ftab_put(t, KID, c, BASE_NS);
    for (guint64 c = 100; c < 110; c++)
        e2c_ftab_put(t, KID, c, BASE_NS + MS);
    struct e2c_web_latency *l = e2c_web_latency_new(t);
    const double video_ms[10] = {4, 4, 4, 4, 4, 6, 6, 6, 6, 6};
    const double audio_ms[10] = {21, 21, 21, 21, 21, 21, 21, 21, 21, 21};
    gchar *v = batch(42, "video", 0, 10, video_ms), *a = batch(42, "audio", 100, 10, audio_ms);
    e2c_web_latency_add(l, v);
    e2c_web_latency_add(l, a);

    json_t *stats = streams_of(42);
    e2c_web_latency_annotate(l, stats, FALSE);
    /* Video: 4 ms five times, 6 ms four times (the tenth was never sent: a miss). */
    g_assert_cmpfloat_with_epsilon(p50(json_array_get(stats, 0)), 4.0, 0.05);
    g_assert_cmpfloat_with_epsilon(p50(json_array_get(stats, 1)), 20.0, 0.2);
    g_assert_true(json_is_null(json_object_get(json_array_get(stats, 2), "latency-ms")));
    /* A stats event has no misses; the skew pairs alice's two streams: 20 - 4 ms. */
    g_assert_null(json_object_get(json_array_get(stats, 0), "latency-misses"));
    g_assert_cmpfloat_with_epsilon(
        json_number_value(json_object_get(json_array_get(stats, 0), "av-skew-ms")), 16.0, 0.3);

    /* The next interval has only what came since: video at 9 ms. */
    const double later_ms[3] = {9, 9, 9};
    for (guint64 c = 10; c < 13; c++)
        e2c_ftab_put(t, KID, c, BASE_NS);
    gchar *v2 = batch(42, "video", 10, 3, later_ms);
    e2c_web_latency_add(l, v2);
    json_t *stats2 = streams_of(42);
    e2c_web_latency_annotate(l, stats2, FALSE);
    g_assert_cmpfloat_with_epsilon(p50(json_array_get(stats2, 0)), 9.0, 0.1);
    g_assert_true(json_is_null(json_object_get(json_array_get(stats2, 1), "latency-ms")));

    /* The summary: the whole call, and its misses. */
    json_t *summary = streams_of(42);
    e2c_web_latency_annotate(l, summary, TRUE);
    json_t *video = json_array_get(summary, 0);
    g_assert_cmpfloat_with_epsilon(p50(video), 6.0, 0.1);
    g_assert_cmpint(json_integer_value(json_object_get(video, "latency-misses")), ==, 1);
    g_assert_cmpint(
        json_integer_value(json_object_get(json_array_get(summary, 1), "latency-misses")), ==, 0);

    g_free(v);
    g_free(a);
    g_free(v2);
    json_decref(stats);
    json_decref(stats2);
    json_decref(summary);
    e2c_web_latency_free(l);
    g_free(t);
}

/* What does not parse is skipped, never a crash; a frame opened before it was sent misses. */
static void
test_bad_input(void)
{
    struct e2c_ftab *t = new_table();
    e2c_ftab_put(t, KID, 1, BASE_NS + 50 * MS);
    struct e2c_web_latency *l = e2c_web_latency_new(t);
    static const char *const bad[] = {
        NULL,
        "",
        "not json",
        "[]",
        "{\"feed\":\"42\",\"track\":\"video\",\"times\":[]}",
        "{\"feed\":42,\"track\":7,\"times\":[]}",
        "{\"feed\":42,\"track\":\"video\",\"times\":{}}",
        "{\"feed\":42,\"track\":\"video\",\"times\":[1,[],[\"x\"],[\"8000000000000abc\",\"1\"],"
        "[\"8000000000000abc\",\"-1\",5],[\"8000000000000abcff\",\"1\",5],"
        "[\"zz\",\"1\",5],[\"8000000000000abc\",\"1x\",5],[\"8000000000000abc\",1,5],"
        "[\"8000000000000abc\",\"184467440737095516150\",5]]}",
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
        e2c_web_latency_add(l, bad[i]);
    /* Frame 1 opened 10 ms after BASE, 40 ms before it was sent: a miss, not a figure. */
    const double early[1] = {10};
    gchar *b = batch(42, "video", 1, 1, early);
    e2c_web_latency_add(l, b);
    json_t *summary = streams_of(42);
    json_array_append_new(summary, json_string("not a stream"));
    e2c_web_latency_annotate(l, summary, TRUE);
    json_t *video = json_array_get(summary, 0);
    g_assert_true(json_is_null(json_object_get(video, "latency-ms")));
    g_assert_cmpint(json_integer_value(json_object_get(video, "latency-misses")), ==, 1);
    g_free(b);
    json_decref(summary);
    e2c_web_latency_free(l);

    /* Without a table (none could be had): every stream null, nothing missed. */
    l = e2c_web_latency_new(NULL);
    b = batch(42, "video", 1, 1, early);
    e2c_web_latency_add(l, b);
    summary = streams_of(42);
    e2c_web_latency_annotate(l, summary, TRUE);
    g_assert_true(json_is_null(json_object_get(json_array_get(summary, 0), "latency-ms")));
    g_assert_cmpint(
        json_integer_value(json_object_get(json_array_get(summary, 0), "latency-misses")), ==, 0);
    g_free(b);
    json_decref(summary);
    e2c_web_latency_free(l);
    g_free(t);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/web-latency/from-table", test_latency_from_table);
    g_test_add_func("/web-latency/bad-input", test_bad_input);
    return g_test_run();
}
