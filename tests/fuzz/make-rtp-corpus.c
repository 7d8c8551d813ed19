/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes the seed corpus of the rtp-chain fuzz target (fuzz-rtp-chain.c):
 * real encrypted RTP from the send chain a call uses,
 *
 *   test source ! encoder ! e2csframeenc ! payloader ! appsink
 *
 * under the target's fixed key and pinned wall clock (fuzz-wallclock.h, so
 * the KIDs stay of the epoch the target runs in), for VP8, VP9, H.264 and
 * Opus, each as
 * captured and with the damage a network does (loss, duplicates, reorder),
 * plus a stream under another key (mismatch), an unencrypted one, and VP8
 * under every other cipher suite. Not run by the tests; run it by hand to
 * renew the seeds:
 *
 *   build/tests/fuzz/make-rtp-corpus tests/fuzz/corpus/rtp-chain
 *
 * The KIDs are random, so every run writes different files.
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2ckey.h"
#include "e2cplugin.h"
#include "fuzz-wallclock.h"
#include "rtp-chain-key.h"

enum { VP8, VP9, H264, OPUS };

static const char *const names[] = {"vp8", "vp9", "h264", "opus"};

/* As src/call/send-chain.c sets them up, at a small size so seeds stay small:
 * the source element, then (after its num-buffers) the rest. */
static const char *const sources[][2] = {
    {"videotestsrc pattern=smpte",
     "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
     "vp8enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=200000 keyframe-max-dist=300 "
     "threads=1 lag-in-frames=0 error-resilient=1"},
    {"videotestsrc pattern=smpte",
     "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
     "vp9enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=200000 keyframe-max-dist=300 "
     "threads=1 lag-in-frames=0 error-resilient=1"},
    {"videotestsrc pattern=smpte",
     "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
     "x264enc tune=zerolatency speed-preset=ultrafast bitrate=200 key-int-max=300 threads=1 ! "
     "video/x-h264,profile=constrained-baseline"},
    {"audiotestsrc samplesperbuffer=960 freq=440 volume=0.3",
     "audio/x-raw,rate=48000,channels=2 ! opusenc"},
};

static const char *const payloaders[][2] = {
    /* encrypted, plain */
    {"e2csframevp8pay", "rtpvp8pay picture-id-mode=15-bit"},
    {"rtpvp9pay picture-id-mode=15-bit", "rtpvp9pay picture-id-mode=15-bit"},
    {"rtph264pay config-interval=0 aggregate-mode=zero-latency",
     "rtph264pay config-interval=0 aggregate-mode=zero-latency"},
    {"rtpopuspay", "rtpopuspay"},
};

static const guint pts[] = {96, 98, 102, 111};

/* Runs one send chain to EOS; returns its RTP packets (GstBuffer). */
static GPtrArray *
capture(unsigned codec, unsigned frames, E2cKey *key, guint suite)
{
    gchar *src =
        g_strdup_printf("%s num-buffers=%u ! %s", sources[codec][0], frames, sources[codec][1]);
    gchar *desc = g_strdup_printf("%s ! %s %s mtu=1200 pt=%u ! appsink name=sink sync=false", src,
                                  key ? "e2csframeenc name=enc !" : "",
                                  payloaders[codec][key ? 0 : 1], pts[codec]);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    if (!pipeline) {
        fprintf(stderr, "make-rtp-corpus: %s: %s\n", desc, error->message);
        exit(1);
    }
    g_free(src);
    g_free(desc);
    if (key) {
        GstElement *enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
        g_object_set(enc, "shared-key", key, "cipher-suite", suite, NULL);
        gst_object_unref(enc);
    }
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    GPtrArray *packets = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstSample *sample;
    while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        g_ptr_array_add(packets, gst_buffer_ref(gst_sample_get_buffer(sample)));
        gst_sample_unref(sample);
    }
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (m) {
        gst_message_parse_error(m, &error, NULL);
        fprintf(stderr, "make-rtp-corpus: %s: %s\n", names[codec], error->message);
        exit(1);
    }
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    return packets;
}

static void
put_packet(FILE *f, GstBuffer *buf)
{
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_READ);
    fputc((int)(map.size >> 8), f);
    fputc((int)(map.size & 0xff), f);
    fwrite(map.data, 1, map.size, f);
    gst_buffer_unmap(buf, &map);
}

/* order: packet indices to write, -1 terminated; NULL for all in order. */
static void
write_seed(const char *dir, const char *name, unsigned codec, guint suite, GPtrArray *packets,
           const int *order)
{
    gchar *path = g_build_filename(dir, name, NULL);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputc((int)(codec | (suite - 1) << 2), f);
    if (order) {
        for (const int *i = order; *i >= 0; i++)
            if ((guint)*i < packets->len)
                put_packet(f, g_ptr_array_index(packets, *i));
    } else {
        for (guint i = 0; i < packets->len; i++)
            put_packet(f, g_ptr_array_index(packets, i));
    }
    fclose(f);
    printf("%s: %u packets\n", path, packets->len);
    g_free(path);
}

/* The damage a network does, as packet orders over the first n packets. */
static int *
damaged(guint n, const char *kind)
{
    int *order = g_new(int, 2 * n + 1);
    guint k = 0;
    for (guint i = 0; i < n; i++) {
        if (!strcmp(kind, "loss") && i > 2 && i % 4 == 0)
            continue; /* every 4th packet lost, after the first ones */
        if (!strcmp(kind, "reorder") && i + 1 < n && i % 3 == 1) {
            order[k++] = (int)i + 1; /* neighbours swapped */
            order[k++] = (int)i;
            i++;
            continue;
        }
        order[k++] = (int)i;
        if (!strcmp(kind, "duplicate") && i % 3 == 0)
            order[k++] = (int)i; /* replayed at once */
    }
    order[k] = -1;
    return order;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-rtp-corpus DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    gst_init(NULL, NULL);
    e2c_plugin_register_static();
    e2c_fuzz_pin_wallclock();
    E2cKey *key = e2c_key_new_from_bytes(e2c_rtp_chain_key);
    guint8 other_bytes[32];
    memcpy(other_bytes, e2c_rtp_chain_key, sizeof(other_bytes));
    other_bytes[0] ^= 0xff;
    E2cKey *other = e2c_key_new_from_bytes(other_bytes);
    const guint suite = 6; /* the default */
    static const char *const kinds[] = {"loss", "reorder", "duplicate"};

    for (unsigned codec = VP8; codec <= OPUS; codec++) {
        /* A keyframe and some delta frames: about 10-30 kB. */
        unsigned frames = codec == OPUS ? 40 : 12;
        GPtrArray *p = capture(codec, frames, key, suite);
        gchar *name = g_strdup_printf("%s-clean", names[codec]);
        write_seed(dir, name, codec, suite, p, NULL);
        g_free(name);
        for (unsigned k = 0; k < G_N_ELEMENTS(kinds); k++) {
            int *order = damaged(p->len, kinds[k]);
            name = g_strdup_printf("%s-%s", names[codec], kinds[k]);
            write_seed(dir, name, codec, suite, p, order);
            g_free(name);
            g_free(order);
        }
        g_ptr_array_unref(p);

        /* More than 10 frames under a key the receiver lacks: a mismatch. */
        p = capture(codec, codec == OPUS ? 20 : 14, other, suite);
        name = g_strdup_printf("%s-other-key", names[codec]);
        write_seed(dir, name, codec, suite, p, NULL);
        g_free(name);
        g_ptr_array_unref(p);

        p = capture(codec, 4, NULL, suite);
        name = g_strdup_printf("%s-unencrypted", names[codec]);
        write_seed(dir, name, codec, suite, p, NULL);
        g_free(name);
        g_ptr_array_unref(p);
    }
    for (guint s = 1; s <= 8; s++) {
        if (s == suite)
            continue;
        GPtrArray *p = capture(VP8, 4, key, s);
        gchar *name = g_strdup_printf("vp8-suite-%u", s);
        write_seed(dir, name, VP8, s, p, NULL);
        g_free(name);
        g_ptr_array_unref(p);
    }
    e2c_key_unref(key);
    e2c_key_unref(other);
    return 0;
}
