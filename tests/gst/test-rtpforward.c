/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2crtpforward: packets go on at once, in order, in the pushing thread; rtpbin
 * takes it as a jitterbuffer (every property rtpbin and webrtcbin set, no
 * warning) and real VP8 comes through it whole; and what its element
 * documentation promises about reordering: a reordered frame is lost, never
 * handed on damaged.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>

#include "buffers-equal.h"
#include "e2cplugin.h"

#define N_PACKETS 100
#define N_FRAMES 60
#define SMALL_MTU 400
#define RTP_CAPS "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96"

static GstBuffer *
rtp_packet(guint16 seq)
{
    GstBuffer *buf = gst_rtp_buffer_new_allocate(20, 0, 0);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

    fail_unless(gst_rtp_buffer_map(buf, GST_MAP_WRITE, &rtp));
    gst_rtp_buffer_set_payload_type(&rtp, 96);
    gst_rtp_buffer_set_ssrc(&rtp, 0x1234);
    gst_rtp_buffer_set_seq(&rtp, seq);
    gst_rtp_buffer_set_timestamp(&rtp, seq * 3000u);
    memset(gst_rtp_buffer_get_payload(&rtp), seq & 0xFF, 20);
    gst_rtp_buffer_unmap(&rtp);
    return buf;
}

GST_START_TEST(test_forwards_at_once_in_order)
{
    GstHarness *h = gst_harness_new("e2crtpforward");
    GstStructure *stats = NULL;
    guint64 pushed = 0;
    guint latency = 0;

    gst_harness_set_src_caps_str(h, RTP_CAPS);
    /* Every packet is out before push returns: nothing is held back, and
     * each comes out unchanged (the same buffer) in the order it went in. */
    for (guint i = 0; i < N_PACKETS; i++) {
        GstBuffer *in = rtp_packet((guint16)(65500 + i)); /* across the wrap */
        GstBuffer *out;

        gst_buffer_ref(in);
        fail_unless_equals_int(gst_harness_push(h, in), GST_FLOW_OK);
        out = gst_harness_try_pull(h);
        fail_unless(out == in);
        fail_if(gst_harness_try_pull(h) != NULL);
        gst_buffer_unref(out);
        gst_buffer_unref(in);
    }

    /* What rtpbin and webrtcbin set is taken and read back; stats count. */
    g_object_set(h->element, "latency", 200u, "do-retransmission", TRUE, NULL);
    g_object_get(h->element, "latency", &latency, "stats", &stats, NULL);
    fail_unless_equals_int(latency, 200);
    fail_unless(stats != NULL);
    fail_unless(gst_structure_get_uint64(stats, "num-pushed", &pushed));
    fail_unless_equals_uint64(pushed, N_PACKETS);
    gst_structure_free(stats);

    /* Events go through too (the caps the harness set, and EOS). */
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    gst_harness_teardown(h);
}
GST_END_TEST;

/* ---- in rtpbin ----------------------------------------------------------- */

static GstElement *
request_forward(GstElement *rtpbin, guint session, gpointer data)
{
    (void)rtpbin, (void)session;
    guint *requested = data;
    (*requested)++;
    return gst_element_factory_make("e2crtpforward", NULL);
}

static GstPadProbeReturn
count_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad, (void)info;
    g_atomic_int_inc((gint *)data);
    return GST_PAD_PROBE_OK;
}

static gboolean
is_factory(GstElement *e, const gchar *name)
{
    GstElementFactory *f = gst_element_get_factory(e);
    return f && g_strcmp0(GST_OBJECT_NAME(f), name) == 0;
}

static void
count_children(GstBin *bin, guint *forwards, guint *jitterbuffers)
{
    GstIterator *it = gst_bin_iterate_elements(bin);
    GValue v = G_VALUE_INIT;

    while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
        GstElement *e = g_value_get_object(&v);
        *forwards += is_factory(e, "e2crtpforward");
        *jitterbuffers += is_factory(e, "rtpjitterbuffer");
        g_value_reset(&v);
    }
    g_value_unset(&v);
    gst_iterator_free(it);
}

GST_START_TEST(test_rtpbin_takes_it)
{
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(
        "videotestsrc num-buffers=" G_STRINGIFY(
            N_FRAMES) " pattern=ball ! "
                      "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! "
                      "rtpvp8pay mtu=" G_STRINGIFY(
                          SMALL_MTU) " ! " RTP_CAPS " ! rtpbin.recv_rtp_sink_0 "
                                     "rtpbin name=rtpbin latency=200 do-lost=true ! rtpvp8depay ! "
                                     "fakesink name=sink",
        &error);
    GstElement *rtpbin, *sink;
    GstPad *sinkpad;
    GstMessage *msg;
    guint requested = 0, forwards = 0, jitterbuffers = 0;
    gint frames = 0;

    fail_unless(pipeline != NULL, "%s", error ? error->message : "?");
    rtpbin = gst_bin_get_by_name(GST_BIN(pipeline), "rtpbin");
    sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    g_signal_connect(rtpbin, "request-jitterbuffer", G_CALLBACK(request_forward), &requested);
    sinkpad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, &frames, NULL);

    fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipeline), 30 * GST_SECOND,
                                     GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    fail_unless(msg != NULL, "no end of stream within 30 s");
    fail_unless_equals_int(GST_MESSAGE_TYPE(msg), GST_MESSAGE_EOS);
    gst_message_unref(msg);

    /* One stream, one forwarder in the place of the jitterbuffer, and every
     * frame came through. */
    count_children(GST_BIN(rtpbin), &forwards, &jitterbuffers);
    fail_unless_equals_int(requested, 1);
    fail_unless_equals_int(forwards, 1);
    fail_unless_equals_int(jitterbuffers, 0);
    fail_unless_equals_int(g_atomic_int_get(&frames), N_FRAMES);

    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sinkpad);
    gst_object_unref(sink);
    gst_object_unref(rtpbin);
    gst_object_unref(pipeline);
}
GST_END_TEST;

/* ---- reordering -------------------------------------------------------- */

struct packets {
    GPtrArray *frames;  /* encoded VP8 frames */
    GPtrArray *packets; /* RTP packets of all of them, in order */
    GArray *first;      /* index of each frame's first packet */
};

static void
make_packets(struct packets *p)
{
    GstHarness *enc = gst_harness_new_parse("vp8enc deadline=1 lag-in-frames=0");
    GstHarness *pay = gst_harness_new_parse("rtpvp8pay mtu=" G_STRINGIFY(SMALL_MTU));
    GstBuffer *buf;

    gst_harness_add_src_parse(enc,
                              "videotestsrc pattern=smpte horizontal-speed=4 ! capsfilter "
                              "caps=video/x-raw,format=I420,width=320,height=240,framerate=30/1",
                              FALSE);
    p->frames = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    p->packets = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    p->first = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < N_FRAMES; i++)
        fail_unless_equals_int(gst_harness_push_from_src(enc), GST_FLOW_OK);
    while ((buf = gst_harness_try_pull(enc)))
        g_ptr_array_add(p->frames, buf);
    fail_unless_equals_int(p->frames->len, N_FRAMES);

    gst_harness_set_src_caps(pay, gst_pad_get_current_caps(enc->sinkpad));
    for (guint i = 0; i < p->frames->len; i++) {
        g_array_append_val(p->first, p->packets->len);
        fail_unless_equals_int(gst_harness_push(pay, gst_buffer_ref(p->frames->pdata[i])),
                               GST_FLOW_OK);
        while ((buf = gst_harness_try_pull(pay)))
            g_ptr_array_add(p->packets, buf);
    }
    gst_harness_teardown(pay);
    gst_harness_teardown(enc);
}

GST_START_TEST(test_reordered_frame_is_lost_not_damaged)
{
    struct packets p;
    GstHarness *h = gst_harness_new_parse("e2crtpforward ! rtpvp8depay");
    GstBuffer *out;
    guint victim = 0, n_out = 0, next = 0;

    make_packets(&p);
    /* A frame of at least three packets, after the first key frame. */
    for (guint i = 5; i < N_FRAMES - 1 && !victim; i++)
        if (g_array_index(p.first, guint, i + 1) - g_array_index(p.first, guint, i) >= 3)
            victim = i;
    fail_unless(victim != 0, "no frame of three packets or more");

    gst_harness_set_src_caps_str(h, RTP_CAPS);
    for (guint i = 0; i < p.packets->len; i++) {
        guint k = i, swap_a = g_array_index(p.first, guint, victim) + 1, swap_b = swap_a + 1;
        /* The victim's second and third packets trade places. */
        if (i == swap_a || i == swap_b)
            k = i == swap_a ? swap_b : swap_a;
        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(p.packets->pdata[k])),
                               GST_FLOW_OK);
    }

    /* Every frame that comes out is one that was sent, byte for byte, in
     * order; the reordered one is not among them. */
    while ((out = gst_harness_try_pull(h))) {
        while (next < p.frames->len && !buffers_equal(out, p.frames->pdata[next]))
            next++;
        fail_unless(next < p.frames->len, "frame %u out is no frame that was sent", n_out);
        fail_if(next == victim, "the reordered frame came out");
        next++;
        n_out++;
        gst_buffer_unref(out);
    }
    /* Only the reordered frame is missing. */
    fail_unless_equals_int(n_out, N_FRAMES - 1);

    gst_harness_teardown(h);
    g_ptr_array_unref(p.frames);
    g_ptr_array_unref(p.packets);
    g_array_unref(p.first);
}
GST_END_TEST;

static Suite *
rtpforward_suite(void)
{
    Suite *s = suite_create("e2crtpforward");
    TCase *tc = tcase_create("general");

    e2c_plugin_register_static();

    suite_add_tcase(s, tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_forwards_at_once_in_order);
    tcase_add_test(tc, test_rtpbin_takes_it);
    tcase_add_test(tc, test_reordered_frame_is_lost_not_damaged);
    return s;
}

GST_CHECK_MAIN(rtpforward);
