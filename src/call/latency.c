/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "probe-buffers.h"
#include "latency.h"

#include <stdlib.h>
#include <time.h>

#include "capture-ring.h"
#include "e2csframemeta.h"
#include "figures-switch.h"
#include "frame-table-file.h"

static struct e2c_ftab *table;

struct e2c_ftab *
e2c_latency_table(void)
{
    /* --no-quality-figures: the table is not even mapped, so no hook below is installed. */
    if (!e2c_quality_figures_on())
        return NULL;
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        const char *why = NULL;
        table = e2c_ftab_file_map(&why);
        if (!table) {
            char *dir = e2c_ftab_file_dir();
            g_warning("latency is not measured: the frame-time table in %s cannot be used (%s)",
                      dir ? dir : "?", why ? why : "?");
            free(dir);
        }
        g_once_init_leave(&done, 1);
    }
    return table;
}

gint64
e2c_latency_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static GstCaps *
capture_caps(void)
{
    static GstCaps *caps;
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        caps = gst_caps_new_empty_simple(E2C_CAPTURE_CAPS);
        GST_MINI_OBJECT_FLAG_SET(caps, GST_MINI_OBJECT_FLAG_MAY_BE_LEAKED);
        g_once_init_leave(&done, 1);
    }
    return caps;
}

/* One encoder's raw frames by PTS, for encoders that do not carry metas from input to output;
 * the encoder's input and output may run on two threads. */
struct encoder_clock {
    GMutex lock;
    struct e2c_capture_ring ring;
};

static void
free_encoder_clock(gpointer data)
{
    struct encoder_clock *c = data;
    g_mutex_clear(&c->lock);
    g_free(c);
}

static GstPadProbeReturn
on_raw(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct encoder_clock *c = data;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    if (!GST_BUFFER_PTS_IS_VALID(buf))
        return GST_PAD_PROBE_OK;
    gint64 now = e2c_latency_now_ns();
    g_mutex_lock(&c->lock);
    e2c_capture_ring_add(&c->ring, GST_BUFFER_PTS(buf), now);
    g_mutex_unlock(&c->lock);
    /* Encoder base classes copy tagless metas from a frame's input to its output: that
     * carries the time even where an encoder moves its timestamps (x264enc starts them at
     * 1000 hours). */
    buf = gst_buffer_make_writable(buf);
    GST_PAD_PROBE_INFO_DATA(info) = buf;
    gst_buffer_add_reference_timestamp_meta(buf, capture_caps(), (GstClockTime)now,
                                            GST_CLOCK_TIME_NONE);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct encoder_clock *c = data;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    /* The time came with the frame (above), or it is looked up by PTS. */
    if (!GST_BUFFER_PTS_IS_VALID(buf) ||
        gst_buffer_get_reference_timestamp_meta(buf, capture_caps()))
        return GST_PAD_PROBE_OK;
    gint64 at = 0;
    g_mutex_lock(&c->lock);
    gboolean found = e2c_capture_ring_find(&c->ring, GST_BUFFER_PTS(buf), &at);
    g_mutex_unlock(&c->lock);
    if (!found)
        return GST_PAD_PROBE_OK;
    buf = gst_buffer_make_writable(buf);
    GST_PAD_PROBE_INFO_DATA(info) = buf;
    gst_buffer_add_reference_timestamp_meta(buf, capture_caps(), (GstClockTime)at,
                                            GST_CLOCK_TIME_NONE);
    return GST_PAD_PROBE_OK;
}

void
e2c_latency_watch_encoder(GstElement *enc)
{
    if (!e2c_latency_table())
        return;
    struct encoder_clock *c = g_new0(struct encoder_clock, 1);
    g_mutex_init(&c->lock);
    e2c_capture_ring_init(&c->ring);
    /* The probes go with the encoder's pads, the clock with the encoder. */
    g_object_set_data_full(G_OBJECT(enc), "e2c-encoder-clock", c, free_encoder_clock);
    GstPad *sink = gst_element_get_static_pad(enc, "sink");
    GstPad *src = gst_element_get_static_pad(enc, "src");
    gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, on_raw, c, NULL);
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, on_encoded, c, NULL);
    gst_object_unref(sink);
    gst_object_unref(src);
}

static void
record(GstBuffer *buf, gpointer data)
{
    guint64 kid, ctr;
    if (!e2c_sframe_meta_get(buf, &kid, &ctr))
        return;
    GstReferenceTimestampMeta *m = gst_buffer_get_reference_timestamp_meta(buf, capture_caps());
    if (m)
        e2c_ftab_put(table, kid, ctr, (gint64)m->timestamp);
}

static GstPadProbeReturn
on_sealed(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    e2c_probe_foreach_buffer(info, record, NULL);
    return GST_PAD_PROBE_OK;
}

void
e2c_latency_watch_sealed(GstElement *e2csframeenc)
{
    if (!e2c_latency_table())
        return;
    GstPad *src = gst_element_get_static_pad(e2csframeenc, "src");
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_sealed,
                      NULL, NULL);
    gst_object_unref(src);
}

gboolean
e2c_latency_plain_timed(enum e2c_codec codec)
{
    return codec == E2C_CODEC_VP8 || codec == E2C_CODEC_VP9 || codec == E2C_CODEC_OPUS;
}

guint64
e2c_latency_plain_id(GstBuffer *buf)
{
    GstMapInfo map;
    if (!gst_buffer_map(buf, &map, GST_MAP_READ))
        return 0;
    guint64 id = e2c_ftab_hash(map.data, map.size);
    gst_buffer_unmap(buf, &map);
    return id;
}

guint64
e2c_latency_plain_kid(guint64 feed)
{
    return feed & ~(G_GUINT64_CONSTANT(1) << 63);
}

static void
record_plain(GstBuffer *buf, gpointer data)
{
    const guint64 *kid = data;
    GstReferenceTimestampMeta *m = gst_buffer_get_reference_timestamp_meta(buf, capture_caps());
    if (m)
        e2c_ftab_put(table, *kid, e2c_latency_plain_id(buf), (gint64)m->timestamp);
}

static GstPadProbeReturn
on_plain(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    e2c_probe_foreach_buffer(info, record_plain, data);
    return GST_PAD_PROBE_OK;
}

void
e2c_latency_watch_plain(GstElement *pay, enum e2c_codec codec, guint64 feed)
{
    if (!e2c_latency_plain_timed(codec) || !e2c_latency_table())
        return;
    guint64 *kid = g_new(guint64, 1);
    *kid = e2c_latency_plain_kid(feed);
    GstPad *sink = gst_element_get_static_pad(pay, "sink");
    gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_plain,
                      kid, g_free);
    gst_object_unref(sink);
}
