/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Records encrypted frames in one process and plays them into a fresh
 * receiver in another, as a router that kept a recording would
 * (replay-across-processes.sh runs it):
 *
 *   sframe-record-play record FILE N       videotestsrc ! vp8enc ! e2csframeenc ! FILE
 *   sframe-record-play play FILE [SHIFT]   FILE ! e2csframedec ! vp8dec ! count
 *
 * SHIFT (seconds) moves the wall clock the receiver reads through the test
 * hook of wallclock.h, for builds where libfaketime cannot run (it hangs
 * under AddressSanitizer); elsewhere the script shifts the real clock.
 *
 * FILE holds each frame as a 4-byte big-endian length, a flags byte (1: a
 * delta frame) and the frame. Both sides use one fixed test key. play
 * prints one line:
 *
 *   frames=N opened=N stale=N decoded=N
 *
 * (opened and stale are e2csframedec's frames-ok and stale counters; stale is
 * 0 where e2csframedec has no such counter).
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2ckey.h"
#include "e2cplugin.h"
#include "wallclock.h"

static const guint8 test_key[32] = "sframe-record-play: a test key.";
static gint64 clock_shift_s;

static int64_t
shifted_wallclock(void)
{
    return g_get_real_time() / G_USEC_PER_SEC + clock_shift_s;
}

static void
die(const char *what)
{
    fprintf(stderr, "sframe-record-play: %s\n", what);
    exit(1);
}

static GstElement *
launch(const char *desc)
{
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    if (!pipeline)
        die(error ? error->message : desc);
    return pipeline;
}

static GstElement *
child(GstElement *pipeline, const char *name)
{
    GstElement *e = gst_bin_get_by_name(GST_BIN(pipeline), name);
    if (!e)
        die(name);
    return e;
}

static void
set_key(GstElement *pipeline, const char *name)
{
    E2cKey *key = e2c_key_new_from_bytes(test_key);
    GstElement *e = child(pipeline, name);
    g_object_set(e, "shared-key", key, NULL);
    gst_object_unref(e);
    e2c_key_unref(key);
}

/* Waits for EOS; an error ends the program. */
static void
run_to_eos(GstElement *pipeline)
{
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *m =
        gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (!m)
        die("no EOS within 60 s");
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gst_message_parse_error(m, &err, NULL);
        die(err->message);
    }
    gst_message_unref(m);
    gst_object_unref(bus);
}

static int
record(const char *path, guint n)
{
    gchar *desc =
        g_strdup_printf("videotestsrc num-buffers=%u pattern=smpte ! "
                        "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
                        "vp8enc deadline=1 lag-in-frames=0 keyframe-max-dist=30 threads=1 ! "
                        "e2csframeenc name=enc ! appsink name=sink sync=false",
                        n);
    GstElement *pipeline = launch(desc);
    g_free(desc);
    set_key(pipeline, "enc");
    GstElement *sink = child(pipeline, "sink");
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstSample *sample;
    guint written = 0;
    while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        GstBuffer *buf = gst_sample_get_buffer(sample);
        GstMapInfo map;
        gst_buffer_map(buf, &map, GST_MAP_READ);
        guint8 hdr[5] = {(guint8)(map.size >> 24), (guint8)(map.size >> 16),
                         (guint8)(map.size >> 8), (guint8)map.size,
                         GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT) ? 1 : 0};
        if (fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
            fwrite(map.data, 1, map.size, f) != map.size)
            die("cannot write");
        gst_buffer_unmap(buf, &map);
        gst_sample_unref(sample);
        written++;
    }
    if (fclose(f) != 0)
        die("cannot write");
    run_to_eos(pipeline);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    printf("recorded=%u\n", written);
    return written == n ? 0 : 1;
}

static GstPadProbeReturn
count_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    g_atomic_int_inc((gint *)data);
    return GST_PAD_PROBE_OK;
}

static guint64
stat_or_zero(GstElement *dec, const char *field)
{
    GstStructure *s = NULL;
    guint64 v = 0;
    g_object_get(dec, "stats", &s, NULL);
    if (s) {
        gst_structure_get_uint64(s, field, &v);
        gst_structure_free(s);
    }
    return v;
}

static int
play(const char *path)
{
    GstElement *pipeline =
        launch("appsrc name=src format=time caps=video/x-vp8 ! e2csframedec name=dec ! "
               "vp8dec name=vdec ! fakesink sync=false");
    set_key(pipeline, "dec");
    GstElement *src = child(pipeline, "src"), *dec = child(pipeline, "dec");
    GstElement *vdec = child(pipeline, "vdec");
    GstPad *pad = gst_element_get_static_pad(vdec, "src");
    gint decoded = 0;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &decoded, NULL);
    gst_object_unref(pad);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);

    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    guint8 hdr[5];
    guint frames = 0;
    while (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr)) {
        gsize len = (gsize)hdr[0] << 24 | (gsize)hdr[1] << 16 | (gsize)hdr[2] << 8 | hdr[3];
        guint8 *data = g_malloc(len ? len : 1);
        if (fread(data, 1, len, f) != len)
            die("truncated recording");
        GstBuffer *buf = gst_buffer_new_wrapped(data, len);
        GST_BUFFER_PTS(buf) = frames * (GST_SECOND / 30);
        GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
        if (hdr[4] & 1)
            GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
        if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK)
            die("cannot push");
        frames++;
    }
    fclose(f);
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    run_to_eos(pipeline);
    printf("frames=%u opened=%" G_GUINT64_FORMAT " stale=%" G_GUINT64_FORMAT " decoded=%d\n",
           frames, stat_or_zero(dec, "frames-ok"), stat_or_zero(dec, "stale"),
           g_atomic_int_get(&decoded));
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(src);
    gst_object_unref(dec);
    gst_object_unref(vdec);
    gst_object_unref(pipeline);
    return 0;
}

int
main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    e2c_plugin_register_static();
    int status = 2;
    if (argc == 4 && !strcmp(argv[1], "record"))
        status = record(argv[2], (guint)strtoul(argv[3], NULL, 10));
    else if ((argc == 3 || argc == 4) && !strcmp(argv[1], "play")) {
        if (argc == 4) {
            clock_shift_s = g_ascii_strtoll(argv[3], NULL, 10);
            e2c_wallclock_set_for_test(shifted_wallclock);
        }
        status = play(argv[2]);
    } else {
        fprintf(stderr, "usage: sframe-record-play record FILE N | play FILE [SHIFT]\n");
    }
    gst_deinit();
    return status;
}
