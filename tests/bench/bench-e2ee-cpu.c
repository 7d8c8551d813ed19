/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the element pair costs a call (README, Benchmarks: an E2EE call costs at
 * most 1.05 times the CPU of the same call without E2EE).
 *
 * 1000 frames of 1280x720 VP8 are encoded once, then replayed, in one
 * process and alternating, through
 *
 *   plain:  e2csframevp8pay ! rtpvp8depay ! vp8dec
 *   e2ee:   e2csframeenc ! e2csframevp8pay ! rtpvp8depay ! e2csframedec ! vp8dec
 *
 * so the two variants see the same frames and differ only by the element
 * pair (e2csframevp8pay on both sides: the stock rtpvp8pay cannot carry
 * encrypted VP8). Encoding once keeps the encoder's own run-to-run
 * variation (realtime mode adapts to the time it gets) out of the
 * comparison, and the ratio over payload, depayload and decode alone is
 * the stricter one: the encoder's share, shown too, would only dilute it.
 * CPU time is the process's (CLOCK_PROCESS_CPUTIME_ID, all threads), per
 * run. On a shared machine a run's time moves by several per cent with
 * the load of others (an A/A run, the pair replaced by two identity
 * elements, gave per-round ratios from 0.83 to 1.08 on a shared 2-core
 * machine), so the ratio is the median of the per-round ratios
 * (each round runs both variants back to back, in alternating order), as
 * bench-sframe does; the medians of each variant are shown too. Each round
 * also times "e2csframeenc ! e2csframedec" alone over the same frames: a
 * quieter figure for what the pair adds.
 *
 * The last line is "e2ee/plain cpu ratio: X.XX".
 */
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2ckey.h"
#include "e2cplugin.h"

#define N_FRAMES 1000
#define ROUNDS 15
#define SOURCE                                                                                     \
    "videotestsrc pattern=smpte horizontal-speed=4 ! capsfilter "                                  \
    "caps=video/x-raw,format=I420,width=1280,height=720,framerate=30/1"
#define ENCODER                                                                                    \
    "vp8enc deadline=1 cpu-used=4 lag-in-frames=0 keyframe-max-dist=300 "                          \
    "target-bitrate=1500000 end-usage=cbr"

static double
cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
    double *s = g_memdup2(v, n * sizeof(*v));
    qsort(s, n, sizeof(*s), compare_double);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    g_free(s);
    return m;
}

static GPtrArray *
encode(GstCaps **caps, double *cpu)
{
    GstHarness *h = gst_harness_new_parse(ENCODER);
    GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    GstBuffer *buf;
    double t0;

    gst_harness_add_src_parse(h, SOURCE, FALSE);
    t0 = cpu_seconds();
    for (guint i = 0; i < N_FRAMES; i++) {
        if (gst_harness_push_from_src(h) != GST_FLOW_OK) {
            fprintf(stderr, "encoding failed at frame %u\n", i);
            exit(1);
        }
        while ((buf = gst_harness_try_pull(h)))
            g_ptr_array_add(frames, buf);
    }
    gst_harness_push_event(h, gst_event_new_eos());
    while ((buf = gst_harness_try_pull(h)))
        g_ptr_array_add(frames, buf);
    *cpu = cpu_seconds() - t0;
    *caps = gst_pad_get_current_caps(h->sinkpad);
    gst_harness_teardown(h);
    return frames;
}

enum variant { PLAIN, E2EE, PAIR_ONLY };

/* One run: every frame through the variant; decoded frames are pulled and
 * dropped as they come, so memory stays flat. Returns the CPU seconds. */
static double
run(enum variant v, GPtrArray *frames, GstCaps *caps, E2cKey *key, guint *decoded)
{
    static const gchar *const descs[] = {
        [PLAIN] = "e2csframevp8pay ! rtpvp8depay ! vp8dec",
        /* In parentheses: one string cut in two, not two elements (-Wstring-concatenation). */
        [E2EE] = ("e2csframeenc name=enc ! e2csframevp8pay ! rtpvp8depay ! e2csframedec name=dec ! "
                  "vp8dec"),
        [PAIR_ONLY] = "e2csframeenc name=enc ! e2csframedec name=dec",
    };
    const gchar *desc = descs[v];
    GError *error = NULL;
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &error);
    GstHarness *h;
    GstBuffer *buf;
    double t0, t;

    if (!bin) {
        fprintf(stderr, "%s: %s\n", desc, error->message);
        exit(1);
    }
    if (v != PLAIN) {
        GstElement *enc = gst_bin_get_by_name(GST_BIN(bin), "enc");
        GstElement *dec = gst_bin_get_by_name(GST_BIN(bin), "dec");
        g_object_set(enc, "shared-key", key, NULL);
        g_object_set(dec, "shared-key", key, NULL);
        gst_object_unref(enc);
        gst_object_unref(dec);
    }
    h = gst_harness_new_with_element(bin, "sink", "src");
    gst_object_unref(bin);
    gst_harness_set_src_caps(h, gst_caps_ref(caps));

    *decoded = 0;
    t0 = cpu_seconds();
    for (guint i = 0; i < frames->len; i++) {
        if (gst_harness_push(h, gst_buffer_ref(g_ptr_array_index(frames, i))) != GST_FLOW_OK) {
            fprintf(stderr, "%s: frame %u refused\n", desc, i);
            exit(1);
        }
        while ((buf = gst_harness_try_pull(h))) {
            (*decoded)++;
            gst_buffer_unref(buf);
        }
    }
    gst_harness_push_event(h, gst_event_new_eos());
    while ((buf = gst_harness_try_pull(h))) {
        (*decoded)++;
        gst_buffer_unref(buf);
    }
    t = cpu_seconds() - t0;
    gst_harness_teardown(h);
    return t;
}

int
main(int argc, char **argv)
{
    double plain[ROUNDS], e2ee[ROUNDS], pair[ROUNDS], ratio[ROUNDS], encode_cpu;
    guint8 bytes[E2C_SHARED_KEY_LEN];
    GstCaps *caps = NULL;
    gsize bytes_total = 0;

    gst_init(&argc, &argv);
    e2c_plugin_register_static();
    memset(bytes, 0x42, sizeof(bytes));
    E2cKey *key = e2c_key_new_from_bytes(bytes);

    GPtrArray *frames = encode(&caps, &encode_cpu);
    for (guint i = 0; i < frames->len; i++)
        bytes_total += gst_buffer_get_size(g_ptr_array_index(frames, i));
    printf("%u frames of 1280x720 VP8, %.1f kB per frame, encoded once in %.2f s CPU\n",
           frames->len, bytes_total / 1000.0 / frames->len, encode_cpu);

    /* Alternating order (ABBA...) so that a slow phase of the machine falls on both. */
    for (guint r = 0; r < ROUNDS; r++) {
        guint n_plain = 0, n_e2ee = 0;
        if (r % 2 == 0) {
            plain[r] = run(PLAIN, frames, caps, key, &n_plain);
            e2ee[r] = run(E2EE, frames, caps, key, &n_e2ee);
        } else {
            e2ee[r] = run(E2EE, frames, caps, key, &n_e2ee);
            plain[r] = run(PLAIN, frames, caps, key, &n_plain);
        }
        guint n_pair = 0;
        pair[r] = run(PAIR_ONLY, frames, caps, key, &n_pair);
        ratio[r] = e2ee[r] / plain[r];
        if (n_plain != frames->len || n_e2ee != frames->len) {
            fprintf(stderr, "decoded %u (plain) and %u (e2ee) of %u frames\n", n_plain, n_e2ee,
                    frames->len);
            return 1;
        }
    }

    double mp = median(plain, ROUNDS), me = median(e2ee, ROUNDS);
    printf("\n%-34s", "variant (CPU seconds per run)");
    for (guint r = 0; r < ROUNDS; r++) {
        gchar label[16];
        g_snprintf(label, sizeof(label), "run %u", r + 1);
        printf(" %6s", label);
    }
    printf("  median  ms/frame\n");
    printf("%-34s", "plain: pay ! depay ! vp8dec");
    for (guint r = 0; r < ROUNDS; r++)
        printf(" %6.2f", plain[r]);
    printf(" %7.2f %9.3f\n", mp, mp * 1000 / frames->len);
    printf("%-34s", "e2ee:  + e2csframeenc, e2csframedec");
    for (guint r = 0; r < ROUNDS; r++)
        printf(" %6.2f", e2ee[r]);
    printf(" %7.2f %9.3f\n", me, me * 1000 / frames->len);
    printf("%-34s", "e2csframeenc ! e2csframedec alone");
    for (guint r = 0; r < ROUNDS; r++)
        printf(" %6.2f", pair[r]);
    double mpair = median(pair, ROUNDS);
    printf(" %7.2f %9.3f\n", mpair, mpair * 1000 / frames->len);
    printf("%-34s", "ratio e2ee/plain");
    for (guint r = 0; r < ROUNDS; r++)
        printf(" %6.3f", ratio[r]);
    printf(" %7.3f\n", median(ratio, ROUNDS));
    printf("\nthe element pair alone costs %.3f ms per frame: (plain + pair) / plain = %.3f\n"
           "with the encoder's %.2f s counted on both sides the measured ratio would be %.3f\n",
           mpair * 1000 / frames->len, (mp + mpair) / mp, encode_cpu,
           (encode_cpu + me) / (encode_cpu + mp));
    printf("e2ee/plain cpu ratio: %.2f\n", median(ratio, ROUNDS));

    g_ptr_array_unref(frames);
    gst_caps_unref(caps);
    e2c_key_unref(key);
    return 0;
}
