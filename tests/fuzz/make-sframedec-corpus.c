/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes the seeds of the e2csframedec fuzz target (fuzz-sframedec.c) that
 * hold frames as a real sender makes them:
 *
 *   test source ! encoder ! e2csframeenc (key A: the target's secret and room)
 *
 * for VP8, VP9, H.264 and Opus, sealed at the target's pinned wall clock
 * (fuzz-wallclock.h) so that the KIDs are of the epoch the target runs in:
 *
 *   CODEC-sframeenc-stream          four frames as received (op 0 records)
 *   CODEC-sframeenc-replay-reorder  the same as 1, 3, 2, 2, 4: reordered and replayed
 *
 * The other seeds hold plaintext for the target to protect itself and need
 * no renewal. Not run by the tests; run it by hand after a change of the
 * wire format or the key schedule:
 *
 *   build/tests/fuzz/make-sframedec-corpus tests/fuzz/corpus/sframedec
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
#include "keysched.h"
#include "secret.h"
#include "sframe.h"
#include "sframedec-secret.h"

enum { VP8, VP9, H264, OPUS };

static const char *const names[] = {"vp8", "vp9", "h264", "opus"};

/* As make-rtp-corpus encodes, at a small size so seeds stay small. */
/* Each in parentheses: one string per codec, made of several literals. */
static const char *const chains[] = {
    ("videotestsrc pattern=smpte num-buffers=4 ! "
     "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
     "vp8enc deadline=1 cpu-used=8 keyframe-max-dist=300 threads=1 lag-in-frames=0"),
    ("videotestsrc pattern=smpte num-buffers=4 ! "
     "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
     "vp9enc deadline=1 cpu-used=8 keyframe-max-dist=300 threads=1 lag-in-frames=0"),
    ("videotestsrc pattern=smpte num-buffers=4 ! "
     "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
     "x264enc tune=zerolatency speed-preset=ultrafast bitrate=200 key-int-max=300 threads=1 ! "
     "video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au"),
    ("audiotestsrc samplesperbuffer=960 freq=440 volume=0.3 num-buffers=4 ! "
     "audio/x-raw,rate=48000,channels=2 ! opusenc"),
};

static void
die(const char *what)
{
    fprintf(stderr, "make-sframedec-corpus: %s\n", what);
    exit(1);
}

/* Key A as fuzz-sframedec derives it. */
static E2cKey *
key_a(void)
{
    struct e2c_secret secret = {0};
    struct e2c_shared_key shared;
    if (e2c_secret_set(&secret, FUZZ_SECRET, strlen(FUZZ_SECRET), 0) != E2C_SECRET_OK ||
        e2c_shared_key_derive(&secret, FUZZ_ROOM, E2C_PBKDF2_ITERATIONS, &shared) != SFRAME_OK)
        die("cannot derive key A");
    e2c_secret_clear(&secret);
    E2cKey *key = e2c_key_new_from_bytes(shared.bytes);
    e2c_shared_key_clear(&shared);
    return key;
}

static GPtrArray *
capture(unsigned codec, E2cKey *key)
{
    gchar *desc =
        g_strdup_printf("%s ! e2csframeenc name=enc ! appsink name=sink sync=false", chains[codec]);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    if (!pipeline)
        die(error ? error->message : desc);
    g_free(desc);
    GstElement *enc = gst_bin_get_by_name(GST_BIN(pipeline), "enc");
    g_object_set(enc, "shared-key", key, NULL);
    gst_object_unref(enc);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstSample *sample;
    while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        g_ptr_array_add(frames, gst_buffer_ref(gst_sample_get_buffer(sample)));
        gst_sample_unref(sample);
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    if (frames->len < 4) /* opusenc adds one for its lookahead */
        die("the encoder gave fewer than four frames");
    return frames;
}

/* A record: op 0 (a received frame as it is), 2-byte length, the frame. */
static void
put_record(FILE *f, GstBuffer *buf)
{
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_READ);
    if (map.size > 0xffff)
        die("frame too large for a record");
    fputc(0, f);
    fputc((int)(map.size >> 8), f);
    fputc((int)(map.size & 0xff), f);
    fwrite(map.data, 1, map.size, f);
    gst_buffer_unmap(buf, &map);
}

static void
write_seed(const char *dir, unsigned codec, const char *kind, GPtrArray *frames, const int *order)
{
    gchar *name = g_strdup_printf("%s-%s", names[codec], kind);
    gchar *path = g_build_filename(dir, name, NULL);
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    const unsigned suite = SFRAME_DEFAULT_SUITE;
    fputc((int)(codec | (suite - 1) << 2), f);
    for (const int *i = order; *i >= 0; i++)
        put_record(f, g_ptr_array_index(frames, *i));
    if (fclose(f) != 0)
        die(path);
    printf("%s\n", path);
    g_free(path);
    g_free(name);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-sframedec-corpus DIR\n");
        return 2;
    }
    gst_init(NULL, NULL);
    e2c_plugin_register_static();
    e2c_fuzz_pin_wallclock();
    E2cKey *key = key_a();
    static const int stream[] = {0, 1, 2, 3, -1}, replay_reorder[] = {0, 2, 1, 1, 3, -1};
    for (unsigned codec = VP8; codec <= OPUS; codec++) {
        GPtrArray *frames = capture(codec, key);
        write_seed(argv[1], codec, "sframeenc-stream", frames, stream);
        write_seed(argv[1], codec, "sframeenc-replay-reorder", frames, replay_reorder);
        g_ptr_array_unref(frames);
    }
    e2c_key_unref(key);
    return 0;
}
