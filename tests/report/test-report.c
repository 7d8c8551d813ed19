/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report files (src/report) from constructed outcomes: JUnit and
 * OpenMetrics escaping of hostile names, the counts, which expectation
 * fails with which words, and counters that add up across records of one
 * stream. The formats' grammars are checked by check-junit.py and
 * check-openmetrics.py on the same samples (report-files.sh).
 */
#include <glib.h>
#include <string.h>

#include "call-junit.h"
#include "call-metrics.h"
#include "figures-switch.h"
#include "junit.h"
#include "openmetrics.h"
#include "samples.h"

static gchar *
junit_escaped(const char *text)
{
    GString *s = g_string_new(NULL);
    e2c_junit_append_escaped(s, text);
    return g_string_free(s, FALSE);
}

static gchar *
om_escaped(const char *text)
{
    GString *s = g_string_new(NULL);
    e2c_om_append_escaped(s, text);
    return g_string_free(s, FALSE);
}

static void
test_junit_escape(void)
{
    gchar *s = junit_escaped(HOSTILE);
    /* Invalid UTF-8 and U+0001 (not an XML 1.0 character) as U+FFFD; the rest as references. */
    g_assert_cmpstr(s, ==,
                    "b&quot;o&lt;b&gt;&amp;&apos;\xef\xbf\xbd\\&#10;\xef\xbf\xbd\xef\xbf\xbd.");
    g_free(s);
    s = junit_escaped("tab\there\rcr \xc3\xa9 \xef\xbf\xbe");
    g_assert_cmpstr(s, ==, "tab&#9;here&#13;cr \xc3\xa9 \xef\xbf\xbd");
    g_free(s);
    s = junit_escaped(NULL);
    g_assert_cmpstr(s, ==, "");
    g_free(s);
}

static void
test_junit_counts(void)
{
    struct e2c_junit *j = e2c_junit_new("e2call <test>");
    e2c_junit_add(j, "c", "a", E2C_JUNIT_PASSED, NULL, NULL);
    e2c_junit_add(j, "c", "b", E2C_JUNIT_FAILED, "T", "why & how");
    e2c_junit_add(j, "c", "d", E2C_JUNIT_ERROR, "E", "broke");
    e2c_junit_add(j, "c", "e", E2C_JUNIT_SKIPPED, NULL, "not measured");
    e2c_junit_add(j, "c", "f", E2C_JUNIT_FAILED, NULL, NULL);
    gchar *doc = e2c_junit_render(j, 1.5);
    g_assert_nonnull(strstr(doc, "<testsuites name=\"e2call &lt;test&gt;\" tests=\"5\" "
                                 "failures=\"2\" errors=\"1\" skipped=\"1\" time=\"1.500\">"));
    g_assert_nonnull(strstr(doc, "<testsuite name=\"e2call &lt;test&gt;\" tests=\"5\" "
                                 "failures=\"2\" errors=\"1\" skipped=\"1\" time=\"1.500\">"));
    g_assert_nonnull(strstr(doc, "<testcase classname=\"c\" name=\"a\"/>"));
    g_assert_nonnull(strstr(doc, "<failure message=\"why &amp; how\" type=\"T\">why &amp; "
                                 "how</failure>"));
    g_assert_nonnull(strstr(doc, "<error message=\"broke\" type=\"E\">broke</error>"));
    g_assert_nonnull(strstr(doc, "<skipped message=\"not measured\"/>"));
    g_assert_nonnull(strstr(doc, "<failure message=\"\"></failure>"));
    g_assert_true(g_str_has_suffix(doc, "</testsuites>\n"));
    g_free(doc);
    e2c_junit_free(j);
}

static void
test_om_escape(void)
{
    gchar *s = om_escaped(HOSTILE);
    g_assert_cmpstr(s, ==, "b\\\"o<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.");
    g_free(s);
}

static void
test_om_document(void)
{
    struct e2c_om *m = e2c_om_new();
    e2c_om_family(m, "x_frames", E2C_OM_COUNTER, NULL, "Frames \\ \"sent\"\nthere");
    e2c_om_family(m, "x_size_bytes", E2C_OM_GAUGE, "bytes", NULL);
    e2c_om_family(m, "x_empty", E2C_OM_GAUGE, NULL, "No samples");
    const char *a[] = {"who", "a\"b", "track", "video", NULL};
    const char *b[] = {"who", "c", NULL};
    e2c_om_add(m, "x_frames", a, 10);
    e2c_om_add(m, "x_frames", b, 1);
    e2c_om_add(m, "x_frames", a, 5); /* adds up */
    e2c_om_add(m, "x_size_bytes", NULL, 2.5);
    e2c_om_add(m, "x_size_bytes", NULL, 1); /* a gauge keeps the larger */
    gchar *text = e2c_om_render(m);
    g_assert_cmpstr(text, ==,
                    "# TYPE x_frames counter\n"
                    "# HELP x_frames Frames \\\\ \\\"sent\\\"\\nthere\n"
                    "x_frames_total{who=\"a\\\"b\",track=\"video\"} 15\n"
                    "x_frames_total{who=\"c\"} 1\n"
                    "# TYPE x_size_bytes gauge\n"
                    "# UNIT x_size_bytes bytes\n"
                    "x_size_bytes 2.5\n"
                    "# TYPE x_empty gauge\n"
                    "# HELP x_empty No samples\n"
                    "# EOF\n");
    g_free(text);
    e2c_om_free(m);
}

static void
test_join_pass(void)
{
    gchar *doc = sample_junit("join-pass");
    /* Dots in the participant's name become "_": one class for viewers that split at dots. */
    const char *cls = "classname=\"e2call.join.b&quot;o&lt;b&gt;&amp;&apos;\xef\xbf\xbd\\&#10;"
                      "\xef\xbf\xbd\xef\xbf\xbd_\"";
    g_assert_nonnull(strstr(doc, cls));
    g_assert_nonnull(strstr(doc, "tests=\"6\" failures=\"0\" errors=\"0\" skipped=\"0\""));
    /* The gone video subscription is judged through the one after it: one case per source. */
    g_assert_nonnull(strstr(doc, "name=\"b&quot;o&lt;b&gt;&amp;&apos;\xef\xbf\xbd\\&#10;"
                                 "\xef\xbf\xbd\xef\xbf\xbd. video decrypted\"/>"));
    g_assert_nonnull(strstr(doc, ". audio verified\"/>"));
    g_assert_nonnull(strstr(doc, "name=\"subscriptions\"/>"));
    g_assert_nonnull(strstr(doc, "name=\"verdict\"/>"));
    g_free(doc);
}

static void
test_join_mismatch(void)
{
    gchar *doc = sample_junit("join-mismatch");
    g_assert_nonnull(strstr(doc, "tests=\"6\" failures=\"3\" errors=\"0\" skipped=\"2\""));
    g_assert_nonnull(
        strstr(doc, "name=\"mallory video decrypted\">\n      <failure message=\"could not be "
                    "decrypted to the end: under another secret\" "
                    "type=\"ENCRYPTION_SECRET_MISMATCH\">"));
    /* The media check was not made: the mismatch decided first. */
    g_assert_nonnull(strstr(doc, "name=\"mallory video verified\">\n      <skipped "
                                 "message=\"not verified; the media check was not made"));
    g_assert_nonnull(strstr(doc, "name=\"verdict\">\n      <failure "
                                 "message=\"ENCRYPTION_SECRET_MISMATCH: 2 stream(s) could not be "
                                 "decrypted to the end: 2 under another secret"));
    g_free(doc);

    /* Decrypted but never verified: the media check fails each stream with the verdict's words. */
    struct e2c_stream_outcome s[] = {
        {.display = "bob", .track = "video", .frames_ok = 10},
        {.display = "bob", .track = "audio", .frames_ok = 10, .verified = TRUE},
    };
    struct e2c_join_input in = {E2C_ERR_NONE, s, 2, 1, E2C_EXPECT_MEDIA_ALL, {0, 0, {0}}};
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    struct e2c_join_junit r = {"alice", FALSE, &in, &v, NULL, 1};
    doc = e2c_join_junit(&r);
    g_assert_nonnull(strstr(doc, "name=\"bob video received\"/>"));
    g_assert_nonnull(strstr(doc, "name=\"subscriptions\">\n      <failure message=\"1 "
                                 "subscription(s) failed\" type=\"UNABLE_TO_SUBSCRIBE\">"));
    g_free(doc);
    e2c_join_verdict_clear(&v);
    in.subscription_failures = 0;
    e2c_join_verdict_decide(&in, &v);
    doc = e2c_join_junit(&r);
    g_assert_nonnull(strstr(doc, "name=\"bob video verified\">\n      <failure message=\"1 of 2 "
                                 "expected stream(s) verified; not verified: bob/video\" "
                                 "type=\"MEDIA_CHECK_FAILED\">"));
    g_assert_nonnull(strstr(doc, "name=\"bob audio verified\"/>"));
    g_free(doc);
    e2c_join_verdict_clear(&v);
    /* --expect-media 1: the unverified stream was not needed. */
    in.expect_media = 1;
    e2c_join_verdict_decide(&in, &v);
    doc = e2c_join_junit(&r);
    g_assert_nonnull(strstr(doc, "name=\"bob video verified\">\n      <skipped message=\"not "
                                 "verified; the media check needed 1 of 2 stream(s) and 1 were\""));
    g_assert_nonnull(strstr(doc, "failures=\"0\""));
    g_free(doc);
    e2c_join_verdict_clear(&v);
}

static void
test_join_fatal(void)
{
    gchar *doc = sample_junit("join-fatal");
    g_assert_nonnull(strstr(doc, "tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\""));
    g_assert_nonnull(strstr(doc, "name=\"verdict\">\n      <error message=\"CONNECT_FAILED: "
                                 "could not reach &lt;router&gt; &amp; &quot;x&quot;\" "
                                 "type=\"CONNECT_FAILED\">"));
    g_free(doc);
}

static void
test_load(void)
{
    gchar *doc = sample_junit("load");
    /* 4 participants; pairs: p1<-p2, p2<-p1, p3<-p1, p3<-p2, p4<-p1, p4<-p2 (6), of which
     * p3<-p1 and p4<-p1 same-group with loss and behind (2 × 2; p4 has no backlog measured:
     * skipped); the verdict: 15. */
    g_assert_nonnull(strstr(doc, "tests=\"15\" failures=\"3\" errors=\"1\" skipped=\"1\""));
    g_assert_nonnull(strstr(doc, "classname=\"e2call.load.p4\" name=\"p1 decrypted\">\n      "
                                 "<failure message=\"p4 receiving p1: mismatch, expected ok\""));
    g_assert_nonnull(strstr(doc, "name=\"p1 loss\">\n      <failure message=\"b&quot;o&lt;b&gt;"
                                 "&amp;&apos;\xef\xbf\xbd\\&#10;\xef\xbf\xbd\xef\xbf\xbd. "
                                 "receiving p1: 5.00% of frames lost\" type=\"max-loss\">"));
    g_assert_nonnull(strstr(doc, "classname=\"e2call.load.p2\" name=\"participant\">\n      "
                                 "<error message=\"UNABLE_TO_SUBSCRIBE: &lt;refused&gt; &amp; "
                                 "&quot;gone&quot;\""));
    g_assert_nonnull(strstr(doc, "classname=\"e2call.load.p2\" name=\"p1 refused\"/>"));
    g_assert_nonnull(strstr(doc, "classname=\"e2call.load\" name=\"verdict\">\n      <failure "
                                 "message=\"the decrypt matrix differs from what the secrets "
                                 "imply\" type=\"exit 11\">"));
    g_free(doc);
}

static void
test_metrics(void)
{
    gchar *text = sample_metrics("join-pass");
    const char *labels = "{participant=\"b\\\"o<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\","
                         "remote=\"b\\\"o<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\","
                         "track=\"video\",codec=\"vp8\"}";
    /* 300 + 50 of the subscription before a reconnect. */
    gchar *want = g_strconcat("\ne2call_received_frames_decrypted_total", labels, " 350\n", NULL);
    g_assert_nonnull(strstr(text, want));
    g_free(want);
    want = g_strconcat("\ne2call_received_stream_verified", labels, " 1\n", NULL);
    g_assert_nonnull(strstr(text, want));
    g_free(want);
    g_assert_nonnull(strstr(text, "\n# UNIT e2call_received_rtp_bytes bytes\n"));
    g_assert_nonnull(strstr(text, "\ne2call_exit_status{command=\"join\"} 0\n"));
    g_assert_nonnull(strstr(text, "\ne2call_passed{command=\"join\"} 1\n"));
    g_assert_nonnull(strstr(text, "\ne2call_run_seconds{command=\"join\"} 12.5\n"));
    g_assert_nonnull(strstr(text, ",track=\"video\",codec=\"vp8\"} 310\n"));
    g_assert_true(g_str_has_suffix(text, "\n# EOF\n"));
    g_free(text);

    text = sample_metrics("join-mismatch");
    g_assert_nonnull(strstr(text, "\ne2call_exit_status{command=\"join\"} 5\n"));
    g_assert_nonnull(strstr(text, "\ne2call_passed{command=\"join\"} 0\n"));
    g_assert_nonnull(strstr(text, ",remote=\"mallory\",track=\"audio\",codec=\"opus\","
                                  "reason=\"auth\"} 400\n"));
    g_free(text);

    /* During the run: no verdict yet. */
    struct e2c_metrics_participant p = {"a", NULL, 0, NULL, 0};
    struct e2c_metrics_run run = {"join", 2, FALSE, 0, &p, 1, NULL, NULL};
    text = e2c_metrics_render(&run);
    g_assert_nonnull(strstr(text, "\ne2call_run_finished{command=\"join\"} 0\n"));
    g_assert_null(strstr(text, "e2call_exit_status{"));
    g_free(text);

    text = sample_metrics("load");
    g_assert_nonnull(strstr(text, "\ne2call_load_pair_as_expected{participant=\"p4\","
                                  "remote=\"p1\"} 0\n"));
    g_assert_nonnull(strstr(text, "\ne2call_load_pair_lost_ratio{participant=\"b\\\"o<b>&'\x01"
                                  "\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\",remote=\"p1\"} 0.05\n"));
    g_assert_nonnull(strstr(text, "\ne2call_exit_status{command=\"load\"} 11\n"));
    g_free(text);
}

/* --max-freeze and --max-frozen: a case per received video stream, failed with the reason. */
static void
test_join_frozen(void)
{
    gchar *doc = sample_junit("join-frozen");
    /* 2 decrypted, 2 verified, 1 freezes (video only), subscriptions, verdict. */
    g_assert_nonnull(strstr(doc, "tests=\"7\" failures=\"2\" errors=\"0\" skipped=\"0\""));
    g_assert_nonnull(strstr(doc, "\xef\xbf\xbd\xef\xbf\xbd. video freezes within limits\">\n"
                                 "      <failure message=\"longest freeze 640 ms, above "
                                 "--max-freeze 500 ms; frozen 6.25% of 20.0 s received, above "
                                 "--max-frozen 5%\" type=\"MEDIA_QUALITY_FAILED\">"));
    g_assert_null(strstr(doc, "audio freezes within limits"));
    g_assert_nonnull(strstr(doc,
                            "name=\"verdict\">\n      <failure message=\"MEDIA_QUALITY_FAILED: "
                            "1 of 1 video stream(s) froze beyond the limits: "));
    g_free(doc);

    /* Without limits: no such case. */
    doc = sample_junit("join-pass");
    g_assert_null(strstr(doc, "freezes within limits"));
    g_free(doc);

    /* A video stream without frames is skipped; one within the limits passes. */
    struct e2c_stream_outcome s[] = {
        {.display = "bob",
         .track = "video",
         .verified = TRUE,
         .frames_ok = 300,
         .longest_freeze_ms = 500,
         .received_ms = 10000},
        {.display = "carol", .track = "video"},
    };
    struct e2c_join_input in = {E2C_ERR_NONE, s, 2, 0, E2C_EXPECT_MEDIA_NOT_ASKED, {500, 0, {0}}};
    struct e2c_join_verdict v;
    e2c_join_verdict_decide(&in, &v);
    g_assert_cmpint(v.exit_status, ==, 0);
    struct e2c_join_junit r = {"alice", TRUE, &in, &v, NULL, 1};
    doc = e2c_join_junit(&r);
    g_assert_nonnull(strstr(doc, "name=\"bob video freezes within limits\"/>"));
    g_assert_nonnull(strstr(doc, "name=\"carol video freezes within limits\">\n      <skipped "
                                 "message=\"no frames to judge\"/>"));
    g_free(doc);
    e2c_join_verdict_clear(&v);
}

static void
test_load_frozen(void)
{
    gchar *doc = sample_junit("load-frozen");
    /* test_load's 15, and a freezes case per same-group pair (2): p4 received nothing of p1
     * (a mismatch), so skipped. */
    g_assert_nonnull(strstr(doc, "tests=\"17\" failures=\"4\" errors=\"1\" skipped=\"2\""));
    g_assert_nonnull(strstr(doc, "name=\"p1 video freezes within limits\">\n      <failure "
                                 "message=\"b&quot;o&lt;b&gt;&amp;&apos;\xef\xbf\xbd\\&#10;"
                                 "\xef\xbf\xbd\xef\xbf\xbd. receiving p1: video longest freeze "
                                 "800 ms, above --max-freeze 500 ms\" type=\"media-quality\">"));
    g_assert_nonnull(strstr(doc, "classname=\"e2call.load.p4\" name=\"p1 video freezes within "
                                 "limits\">\n      <skipped message=\"no frames to judge\"/>"));
    g_free(doc);
    doc = sample_junit("load");
    g_assert_null(strstr(doc, "freezes within limits"));
    g_free(doc);
}

/* The quality figures per received stream: counters summed over a source's records, gauges
 * in seconds. */
static void
test_metrics_quality(void)
{
    gchar *text = sample_metrics("join-frozen");
    const char *labels = "{participant=\"b\\\"o<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\","
                         "remote=\"b\\\"o<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\","
                         "track=\"video\",codec=\"vp8\"}";
    const char *want[][2] = {
        {"e2call_received_freezes_total", " 3\n"},
        {"e2call_received_frozen_seconds_total", " 1.25\n"},
        {"e2call_received_longest_freeze_seconds", " 0.64\n"},
        {"e2call_received_jitter_seconds", " 0.00725\n"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        gchar *line = g_strconcat("\n", want[i][0], labels, want[i][1], NULL);
        g_assert_nonnull(strstr(text, line));
        g_free(line);
    }
    g_assert_nonnull(strstr(text, "\n# TYPE e2call_received_frozen_seconds counter\n"
                                  "# UNIT e2call_received_frozen_seconds seconds\n"));
    g_assert_nonnull(strstr(text, "\n# TYPE e2call_received_jitter_seconds gauge\n"));
    g_assert_nonnull(strstr(text, "\ne2call_exit_status{command=\"join\"} 13\n"));
    /* A/V skew: per publisher, audio's latency p50 minus video's. */
    g_assert_nonnull(strstr(text, "\n# TYPE e2call_received_av_skew_seconds gauge\n"
                                  "# UNIT e2call_received_av_skew_seconds seconds\n"));
    gchar *skew = g_strconcat("\ne2call_received_av_skew_seconds", labels, NULL);
    *strstr(skew, ",track=") = '\0';
    gchar *line = g_strconcat(skew, "} 0.01225\n", NULL);
    g_assert_nonnull(strstr(text, line));
    g_free(line);
    g_free(skew);
    g_free(text);

    /* A subscription made again: the freezes add up, the longest is the longest of both. */
    struct e2c_stream_outcome s[] = {
        {.display = "bob",
         .track = "video",
         .freezes = 1,
         .frozen_ms = 300,
         .longest_freeze_ms = 300},
        {.display = "bob",
         .track = "video",
         .freezes = 2,
         .frozen_ms = 900,
         .longest_freeze_ms = 600,
         .gone = TRUE},
    };
    struct e2c_metrics_participant p = {"a", s, 2, NULL, 0};
    struct e2c_metrics_run run = {"join", 2, FALSE, 0, &p, 1, NULL, NULL};
    text = e2c_metrics_render(&run);
    g_assert_nonnull(strstr(text, "\ne2call_received_freezes_total{participant=\"a\","
                                  "remote=\"bob\",track=\"video\",codec=\"\"} 3\n"));
    g_assert_nonnull(strstr(text, "\ne2call_received_frozen_seconds_total{participant=\"a\","
                                  "remote=\"bob\",track=\"video\",codec=\"\"} 1.2\n"));
    g_assert_nonnull(strstr(text, "\ne2call_received_longest_freeze_seconds{participant=\"a\","
                                  "remote=\"bob\",track=\"video\",codec=\"\"} 0.6\n"));
    /* Video alone, without latency: no skew. */
    g_assert_null(strstr(text, "\ne2call_received_av_skew_seconds{"));
    g_free(text);

    text = sample_metrics("load-frozen");
    g_assert_nonnull(strstr(text, "\ne2call_exit_status{command=\"load\"} 11\n"));
    g_assert_nonnull(strstr(text, "\ne2call_received_freezes_total{participant=\"p1\""));
    g_free(text);
}

/* --max-latency: a case per received stream, failed with the reason, skipped without samples. */
static void
test_join_late(void)
{
    gchar *doc = sample_junit("join-late");
    /* 3 decrypted, 3 verified, 3 latency, subscriptions, verdict. */
    g_assert_nonnull(strstr(doc, "tests=\"11\" failures=\"2\" errors=\"0\" skipped=\"1\""));
    g_assert_nonnull(strstr(doc, "\xef\xbf\xbd\xef\xbf\xbd. video latency within limits\">\n"
                                 "      <failure message=\"latency p95 412.3 ms, above "
                                 "--max-latency p95:400ms\" type=\"MEDIA_QUALITY_FAILED\">"));
    g_assert_nonnull(strstr(doc, "\xef\xbf\xbd\xef\xbf\xbd. audio latency within limits\"/>"));
    g_assert_nonnull(strstr(doc, "name=\"carol video latency within limits\">\n      <skipped "
                                 "message=\"no latency sample to judge\"/>"));
    g_assert_nonnull(strstr(doc, "name=\"verdict\">\n      <failure message=\"MEDIA_QUALITY_"
                                 "FAILED: 1 of 2 stream(s) beyond the quality limits: "));
    /* Latency alone: no freeze case. */
    g_assert_null(strstr(doc, "freezes within limits"));
    g_free(doc);
    doc = sample_junit("join-frozen");
    g_assert_null(strstr(doc, "latency within limits"));
    g_free(doc);
}

static void
test_load_late(void)
{
    gchar *doc = sample_junit("load-late");
    /* test_load's 15, and a latency case per same-group pair (2): p4 received nothing of p1
     * (a mismatch), so skipped. */
    g_assert_nonnull(strstr(doc, "tests=\"17\" failures=\"4\" errors=\"1\" skipped=\"2\""));
    g_assert_nonnull(strstr(doc, "name=\"p1 latency within limits\">\n      <failure "
                                 "message=\"b&quot;o&lt;b&gt;&amp;&apos;\xef\xbf\xbd\\&#10;"
                                 "\xef\xbf\xbd\xef\xbf\xbd. receiving p1: audio latency p95 "
                                 "450.0 ms, above --max-latency p95:400ms\" "
                                 "type=\"media-quality\">"));
    g_assert_nonnull(strstr(doc, "classname=\"e2call.load.p4\" name=\"p1 latency within "
                                 "limits\">\n      <skipped message=\"no latency sample to "
                                 "judge\"/>"));
    g_assert_null(strstr(doc, "freezes within limits"));
    g_free(doc);
    doc = sample_junit("load");
    g_assert_null(strstr(doc, "latency within limits"));
    g_free(doc);
}

/* Latency per received stream: gauges in seconds with a quantile label (1: the maximum), to
 * decryption and to the decoder's output; none for a stream without samples. */
static void
test_metrics_latency(void)
{
    gchar *text = sample_metrics("join-late");
    const char *who = "participant=\"b\\\"o<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\","
                      "remote=\"b\\\"o<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\",";
    const char *want[][3] = {
        {"e2call_received_latency_seconds", "track=\"video\",codec=\"vp8\",quantile=\"0.5\"",
         " 0.1205\n"},
        {"e2call_received_latency_seconds", "track=\"video\",codec=\"vp8\",quantile=\"0.95\"",
         " 0.4123\n"},
        {"e2call_received_latency_seconds", "track=\"video\",codec=\"vp8\",quantile=\"0.99\"",
         " 0.48\n"},
        {"e2call_received_latency_seconds", "track=\"video\",codec=\"vp8\",quantile=\"1\"",
         " 0.53025\n"},
        {"e2call_received_latency_seconds", "track=\"audio\",codec=\"opus\",quantile=\"0.95\"",
         " 0.06\n"},
        {"e2call_received_decoded_latency_seconds",
         "track=\"video\",codec=\"vp8\",quantile=\"0.95\"", " 0.425\n"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        gchar *line = g_strconcat("\n", want[i][0], "{", who, want[i][1], "}", want[i][2], NULL);
        if (!strstr(text, line))
            g_error("missing: %s", line);
        g_free(line);
    }
    g_assert_nonnull(strstr(text, "\n# TYPE e2call_received_latency_seconds gauge\n"
                                  "# UNIT e2call_received_latency_seconds seconds\n"));
    /* No decoded latency for the audio (none given), nothing for carol. */
    g_assert_null(strstr(text, "e2call_received_decoded_latency_seconds{participant=\"b\\\"o"
                               "<b>&'\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\",remote=\"b\\\"o<b>&'"
                               "\x01\\\\\\n\xef\xbf\xbd\xef\xbf\xbd.\",track=\"audio\""));
    g_assert_null(strstr(text, "latency_seconds{participant=\"b\\\"o<b>&'\x01\\\\\\n\xef\xbf"
                               "\xbd\xef\xbf\xbd.\",remote=\"carol\""));
    g_free(text);
}

/* --no-quality-figures: neither the families nor the samples of the freeze and jitter figures;
 * the rest as ever. The switch is process-wide, so this runs in a child process. */
static void
test_metrics_no_figures(void)
{
    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        return;
    }
    e2c_quality_figures_off();
    gchar *text = sample_metrics("join-frozen");
    g_assert_nonnull(strstr(text, "\ne2call_received_frames_decrypted_total{"));
    g_assert_null(strstr(text, "freeze"));
    g_assert_null(strstr(text, "frozen"));
    g_assert_null(strstr(text, "jitter"));
    g_assert_null(strstr(text, "latency"));
    g_assert_null(strstr(text, "skew"));
    g_free(text);
}

int
main(int argc, char **argv)
{
    /* report-files.sh: the samples as files, for the format checkers. */
    if (argc == 3 && g_str_equal(argv[1], "--write")) {
        const char *names[] = {"join-pass", "join-mismatch", "join-fatal",  "join-frozen",
                               "join-late", "load",          "load-frozen", "load-late"};
        for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
            gchar *xml = sample_junit(names[i]), *om = sample_metrics(names[i]);
            gchar *xml_path = g_strdup_printf("%s/%s.xml", argv[2], names[i]);
            gchar *om_path = g_strdup_printf("%s/%s.prom", argv[2], names[i]);
            gboolean ok = g_file_set_contents(xml_path, xml, -1, NULL) &&
                          g_file_set_contents(om_path, om, -1, NULL);
            g_free(xml);
            g_free(om);
            g_free(xml_path);
            g_free(om_path);
            if (!ok)
                return 1;
        }
        return 0;
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/report/junit/escape", test_junit_escape);
    g_test_add_func("/report/junit/counts", test_junit_counts);
    g_test_add_func("/report/openmetrics/escape", test_om_escape);
    g_test_add_func("/report/openmetrics/document", test_om_document);
    g_test_add_func("/report/join/pass", test_join_pass);
    g_test_add_func("/report/join/mismatch", test_join_mismatch);
    g_test_add_func("/report/join/fatal", test_join_fatal);
    g_test_add_func("/report/load", test_load);
    g_test_add_func("/report/metrics", test_metrics);
    g_test_add_func("/report/join/frozen", test_join_frozen);
    g_test_add_func("/report/load/frozen", test_load_frozen);
    g_test_add_func("/report/metrics/quality", test_metrics_quality);
    g_test_add_func("/report/join/late", test_join_late);
    g_test_add_func("/report/load/late", test_load_late);
    g_test_add_func("/report/metrics/latency", test_metrics_latency);
    g_test_add_func("/report/metrics/no-figures", test_metrics_no_figures);
    return g_test_run();
}
