/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2csframevp8pay: decoding through it, byte-exact depayloading of simulated
 * ciphertext, the RFC 7741 §4.2 payload descriptor on every packet, and the
 * stock rtpvp8pay failing on the same ciphertext (the reason the element
 * exists).
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>

#include "buffers-equal.h"
#include "e2cplugin.h"

#define N_FRAMES 300
#define N_DECODE_FRAMES 100
#define KEYFRAME_DIST 10
#define SMALL_MTU 400
#define RTP_HEADER_LEN 12
#define DESCRIPTOR_LEN 4 /* X=1 with a 15-bit PictureID */
#define SMALL_ROOM (SMALL_MTU - RTP_HEADER_LEN - DESCRIPTOR_LEN)

/* e2call's clear prefix for VP8 frames; the rest of a frame is ciphertext,
 * and the SFrame header and tag add about 30 bytes. */
#define CLEAR_KEY 10
#define CLEAR_DELTA 3
#define SFRAME_OVERHEAD 30

struct clip {
    GPtrArray *frames; /* GstBuffer, as vp8enc produced them */
    GstCaps *caps;
};

static struct clip clip;

static void
clip_free(void)
{
    g_clear_pointer(&clip.frames, g_ptr_array_unref);
    gst_clear_caps(&clip.caps);
}

/* N_FRAMES of a scrolling 320x240 test pattern, a key frame every
 * KEYFRAME_DIST frames; about 3-5 kB a frame, so 9-15 packets at SMALL_MTU.
 * Encoded once per process; every test reads the same frames. */
static const struct clip *
get_clip(void)
{
    GstHarness *h;
    GstBuffer *buf;
    guint n_key = 0;

    if (clip.frames)
        return &clip;

    h = gst_harness_new_parse("vp8enc deadline=1 lag-in-frames=0 target-bitrate=1500000 "
                              "keyframe-max-dist=" G_STRINGIFY(KEYFRAME_DIST));
    gst_harness_add_src_parse(h,
                              "videotestsrc pattern=smpte horizontal-speed=4 ! capsfilter "
                              "caps=video/x-raw,format=I420,width=320,height=240,framerate=30/1",
                              FALSE);
    for (guint i = 0; i < N_FRAMES; i++)
        fail_unless_equals_int(gst_harness_push_from_src(h), GST_FLOW_OK);
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));

    clip.frames = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    while ((buf = gst_harness_try_pull(h)))
        g_ptr_array_add(clip.frames, buf);
    clip.caps = gst_pad_get_current_caps(h->sinkpad);
    gst_harness_teardown(h);

    fail_unless_equals_int(clip.frames->len, N_FRAMES);
    fail_unless(clip.caps != NULL);
    /* vp8enc's DELTA_UNIT flag agrees with the P bit the payloader reads, and
     * there are key frames all along. */
    for (guint i = 0; i < N_FRAMES; i++) {
        GstBuffer *frame = g_ptr_array_index(clip.frames, i);
        guint8 tag;

        gst_buffer_extract(frame, 0, &tag, 1);
        fail_unless_equals_int(GST_BUFFER_FLAG_IS_SET(frame, GST_BUFFER_FLAG_DELTA_UNIT),
                               tag & 0x01);
        n_key += !(tag & 0x01);
    }
    fail_unless(n_key >= N_FRAMES / KEYFRAME_DIST);
    return &clip;
}

static GstBuffer *
frame_at(const struct clip *c, guint i)
{
    return g_ptr_array_index(c->frames, i);
}

static gboolean
is_delta(GstBuffer *buf)
{
    return GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
}

/* What e2csframeenc will hand the payloader: the clear prefix kept, every other
 * byte random, SFRAME_OVERHEAD random bytes appended. The encoder's
 * DELTA_UNIT flag and timestamps are kept. */
static GstBuffer *
simulate_ciphertext(GstBuffer *frame, GRand *rand)
{
    gsize size = gst_buffer_get_size(frame);
    gsize clear = MIN(size, is_delta(frame) ? CLEAR_DELTA : CLEAR_KEY);
    gsize out_size = size + SFRAME_OVERHEAD;
    guint8 *data = g_malloc(out_size);
    GstBuffer *out;

    gst_buffer_extract(frame, 0, data, clear);
    for (gsize i = clear; i < out_size; i++)
        data[i] = g_rand_int_range(rand, 0, 256);
    out = gst_buffer_new_wrapped(data, out_size);
    gst_buffer_copy_into(out, frame, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
    return out;
}

static GPtrArray *
ciphertext_clip(const struct clip *c, guint32 seed)
{
    GRand *rand = g_rand_new_with_seed(seed);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);

    for (guint i = 0; i < c->frames->len; i++)
        g_ptr_array_add(out, simulate_ciphertext(frame_at(c, i), rand));
    g_rand_free(rand);
    return out;
}

static GstBus *
attach_bus(GstHarness *h)
{
    GstBus *bus = gst_bus_new();

    gst_element_set_bus(h->element, bus);
    return bus;
}

/* Queued messages hold the element that posted them: drop them before the
 * harness goes. */
static void
detach_bus(GstHarness *h, GstBus *bus)
{
    gst_bus_set_flushing(bus, TRUE);
    gst_element_set_bus(h->element, NULL);
    gst_object_unref(bus);
}

static void
assert_no_error(GstBus *bus)
{
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);

    if (msg) {
        GError *err = NULL;
        gst_message_parse_error(msg, &err, NULL);
        fail("error on the bus: %s", err->message);
    }
}

/* Pulls every packet of one frame and checks it against RFC 7741 §4.2 and
 * §4.4: X=1, N=0, PartID=0, S only on the first packet, I=1, M=1, the
 * expected PictureID, the marker on the last packet, full packets up to
 * the MTU, one RTP timestamp and consecutive sequence numbers. Returns the
 * payload after the descriptors, reassembled without mapping it, for the
 * caller to compare. */
static GstBuffer *
pull_frame_packets(GstHarness *h, GstBuffer *frame, guint mtu, guint pt, guint picture_id,
                   gint *next_seq)
{
    gsize size = gst_buffer_get_size(frame);
    gsize room = mtu - RTP_HEADER_LEN - DESCRIPTOR_LEN;
    guint n_packets = gst_harness_buffers_in_queue(h);
    GstBuffer *payload = gst_buffer_new();
    guint32 rtptime = 0;
    guint8 tag;

    gst_buffer_extract(frame, 0, &tag, 1);
    fail_unless_equals_int(n_packets, (size + room - 1) / room);

    for (guint i = 0; i < n_packets; i++) {
        GstBuffer *pkt = gst_harness_pull(h);
        GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
        gboolean is_first = i == 0, is_last = i + 1 == n_packets;
        guint8 desc[DESCRIPTOR_LEN];
        gsize pkt_size = gst_buffer_get_size(pkt);

        fail_unless(pkt_size <= mtu, "packet of %" G_GSIZE_FORMAT " bytes", pkt_size);
        if (!is_last)
            fail_unless_equals_int(pkt_size, mtu);

        /* gst_rtp_buffer_map() maps the header memory only. */
        fail_unless(gst_rtp_buffer_map(pkt, GST_MAP_READ, &rtp));
        fail_unless_equals_int(gst_rtp_buffer_get_header_len(&rtp), RTP_HEADER_LEN);
        fail_unless_equals_int(gst_rtp_buffer_get_payload_type(&rtp), pt);
        fail_unless_equals_int(gst_rtp_buffer_get_marker(&rtp), is_last);
        if (is_first)
            rtptime = gst_rtp_buffer_get_timestamp(&rtp);
        else
            fail_unless_equals_int(gst_rtp_buffer_get_timestamp(&rtp), rtptime);
        if (*next_seq >= 0)
            fail_unless_equals_int(gst_rtp_buffer_get_seq(&rtp), *next_seq);
        *next_seq = (gst_rtp_buffer_get_seq(&rtp) + 1) & 0xFFFF;
        gst_rtp_buffer_unmap(&rtp);

        fail_unless_equals_int(GST_BUFFER_FLAG_IS_SET(pkt, GST_BUFFER_FLAG_MARKER), is_last);
        fail_unless_equals_int(is_delta(pkt), (tag & 0x01) != 0);
        fail_unless_equals_uint64(GST_BUFFER_PTS(pkt), GST_BUFFER_PTS(frame));

        fail_unless_equals_int(gst_buffer_extract(pkt, RTP_HEADER_LEN, desc, DESCRIPTOR_LEN),
                               DESCRIPTOR_LEN);
        /* X=1 R=0 N=0 S PartID=0 */
        fail_unless_equals_int(desc[0], is_first ? 0x90 : 0x80);
        /* I=1 L=0 T=0 K=0 RSV=0 */
        fail_unless_equals_int(desc[1], 0x80);
        /* M=1, 15-bit PictureID */
        fail_unless_equals_int(desc[2] & 0x80, 0x80);
        fail_unless_equals_int(((desc[2] & 0x7F) << 8) | desc[3], picture_id);

        gst_buffer_copy_into(payload, pkt, GST_BUFFER_COPY_MEMORY, RTP_HEADER_LEN + DESCRIPTOR_LEN,
                             -1);
        gst_buffer_unref(pkt);
    }
    fail_unless_equals_int(gst_buffer_get_size(payload), size);
    return payload;
}

static gint
get_picture_id(GstHarness *h)
{
    GstElement *pay = GST_IS_BIN(h->element) ? gst_harness_find_element(h, "e2csframevp8pay")
                                             : gst_object_ref(h->element);
    gint id;

    g_object_get(pay, "picture-id", &id, NULL);
    gst_object_unref(pay);
    return id;
}

/* vp8enc ! e2csframevp8pay ! rtpvp8depay ! vp8dec decodes every frame to
 * exactly what vp8enc ! vp8dec decodes, with frames spread over many
 * packets. */
GST_START_TEST(test_decode_matches_direct)
{
    const struct clip *c = get_clip();
    GstHarness *direct = gst_harness_new("vp8dec");
    GstHarness *through = gst_harness_new_parse(
        "e2csframevp8pay mtu=" G_STRINGIFY(SMALL_MTU) " ! rtpvp8depay ! vp8dec");
    guint n_out;

    gst_harness_set_src_caps(direct, gst_caps_ref(c->caps));
    gst_harness_set_src_caps(through, gst_caps_ref(c->caps));
    for (guint i = 0; i < N_DECODE_FRAMES; i++) {
        fail_unless_equals_int(gst_harness_push(direct, gst_buffer_ref(frame_at(c, i))),
                               GST_FLOW_OK);
        fail_unless_equals_int(gst_harness_push(through, gst_buffer_ref(frame_at(c, i))),
                               GST_FLOW_OK);
    }
    fail_unless(gst_harness_push_event(direct, gst_event_new_eos()));
    fail_unless(gst_harness_push_event(through, gst_event_new_eos()));

    n_out = gst_harness_buffers_in_queue(direct);
    fail_unless_equals_int(n_out, N_DECODE_FRAMES);
    fail_unless_equals_int(gst_harness_buffers_in_queue(through), n_out);
    for (guint i = 0; i < n_out; i++) {
        GstBuffer *a = gst_harness_pull(direct), *b = gst_harness_pull(through);
        fail_unless(buffers_equal(a, b), "decoded frame %u differs", i);
        gst_buffer_unref(a);
        gst_buffer_unref(b);
    }
    gst_harness_teardown(direct);
    gst_harness_teardown(through);
}
GST_END_TEST;

static const guint32 seeds[] = {1, 7741, 9605};

/* e2csframevp8pay ! rtpvp8depay hands back every simulated ciphertext frame
 * byte for byte, with its DELTA_UNIT flag. */
GST_START_TEST(test_ciphertext_roundtrip)
{
    const struct clip *c = get_clip();
    GPtrArray *frames = ciphertext_clip(c, seeds[__i__]);
    GstHarness *h =
        gst_harness_new_parse("e2csframevp8pay mtu=" G_STRINGIFY(SMALL_MTU) " ! rtpvp8depay");
    GstBus *bus = attach_bus(h);

    gst_harness_set_src_caps(h, gst_caps_ref(c->caps));
    for (guint i = 0; i < frames->len; i++) {
        GstBuffer *in = g_ptr_array_index(frames, i), *out;

        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(in)), GST_FLOW_OK);
        fail_unless_equals_int(gst_harness_buffers_in_queue(h), 1);
        out = gst_harness_pull(h);
        fail_unless(buffers_equal(in, out), "seed %u, frame %u differs", seeds[__i__], i);
        fail_unless_equals_int(is_delta(out), is_delta(in));
        gst_buffer_unref(out);
    }
    fail_unless_equals_int(gst_harness_buffers_received(h), frames->len);
    assert_no_error(bus);

    detach_bus(h, bus);
    gst_harness_teardown(h);
    g_ptr_array_unref(frames);
}
GST_END_TEST;

/* Why e2csframevp8pay exists: the stock rtpvp8pay bool-decodes the first
 * partition's header to find the partitions. With a 10/3-byte clear prefix
 * that header is ciphertext, and most frames end in a fatal error. */
GST_START_TEST(test_stock_payloader_rejects_ciphertext)
{
    const struct clip *c = get_clip();
    GPtrArray *frames = ciphertext_clip(c, seeds[0]);
    GstHarness *h = gst_harness_new("rtpvp8pay");
    GstBus *bus = attach_bus(h);
    guint failed = 0;
    GstMessage *msg;

    gst_harness_set_src_caps(h, gst_caps_ref(c->caps));
    for (guint i = 0; i < frames->len; i++) {
        GstBuffer *in = g_ptr_array_index(frames, i);
        GstFlowReturn ret = gst_harness_push(h, gst_buffer_ref(in));

        fail_unless(ret == GST_FLOW_OK || ret == GST_FLOW_ERROR);
        failed += ret == GST_FLOW_ERROR;
        /* rtpvp8pay 1.22 returns from a parse failure without releasing the
         * frame; release the reference it kept so leak checkers stay quiet. */
        if (ret == GST_FLOW_ERROR && GST_MINI_OBJECT_REFCOUNT_VALUE(in) > 1)
            gst_buffer_unref(in);
    }
    GST_INFO("rtpvp8pay rejected %u of %u encrypted frames", failed, frames->len);
    fail_unless(failed > 0);

    msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL);
    gst_message_unref(msg);

    detach_bus(h, bus);
    gst_harness_teardown(h);
    g_ptr_array_unref(frames);
}
GST_END_TEST;

/* Every packet of every ciphertext frame: descriptor, marker, MTU, flags;
 * the PictureID wraps from 0x7FFF to 0. */
GST_START_TEST(test_descriptor_on_every_packet)
{
    const struct clip *c = get_clip();
    GPtrArray *frames = ciphertext_clip(c, seeds[0]);
    GstHarness *h = gst_harness_new_parse(
        "e2csframevp8pay mtu=" G_STRINGIFY(SMALL_MTU) " picture-id-offset=32766 pt=100");
    gint next_seq = -1;
    guint picture_id = 0x7FFE;

    gst_harness_set_src_caps(h, gst_caps_ref(c->caps));
    fail_unless_equals_int(get_picture_id(h), -1);
    for (guint i = 0; i < frames->len; i++) {
        GstBuffer *in = g_ptr_array_index(frames, i), *payload;

        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(in)), GST_FLOW_OK);
        payload = pull_frame_packets(h, in, SMALL_MTU, 100, picture_id, &next_seq);
        fail_unless(buffers_equal(payload, in), "frame %u payload differs", i);
        fail_unless_equals_int(get_picture_id(h), picture_id);
        gst_buffer_unref(payload);
        picture_id = (picture_id + 1) & 0x7FFF;
    }
    gst_harness_teardown(h);
    g_ptr_array_unref(frames);
}
GST_END_TEST;

/* Frame sizes around the packet boundaries (SMALL_ROOM payload bytes per
 * packet). Each row is pushed three times, across the PictureID wrap. */
static const struct {
    gsize size;
    gboolean key;
} sizes[] = {
    {1, FALSE},                   /* the frame tag's first byte only */
    {CLEAR_DELTA, FALSE},         /* clear prefix of a delta frame */
    {CLEAR_KEY, TRUE},            /* clear prefix of a key frame */
    {SMALL_ROOM - 1, FALSE},      /* one packet, one byte short of full */
    {SMALL_ROOM, TRUE},           /* exactly one full packet */
    {SMALL_ROOM + 1, FALSE},      /* one byte into a second packet */
    {2 * SMALL_ROOM, TRUE},       /* exactly two full packets */
    {20 * SMALL_ROOM + 17, TRUE}, /* a large key frame */
};

static GstBuffer *
make_frame(gsize size, gboolean key, GRand *rand)
{
    guint8 *data = g_malloc(size);

    for (gsize i = 0; i < size; i++)
        data[i] = g_rand_int_range(rand, 0, 256);
    /* RFC 7741 §4.3: P=0 on key frames. */
    data[0] = key ? data[0] & ~0x01 : data[0] | 0x01;
    return gst_buffer_new_wrapped(data, size);
}

GST_START_TEST(test_packet_boundaries)
{
    GRand *rand = g_rand_new_with_seed(__i__);
    GstBuffer *frame = make_frame(sizes[__i__].size, sizes[__i__].key, rand);
    GstHarness *h = gst_harness_new_parse(
        "e2csframevp8pay mtu=" G_STRINGIFY(SMALL_MTU) " picture-id-offset=32766");
    gint next_seq = -1;
    guint picture_id = 0x7FFE;

    gst_harness_set_src_caps_str(h, "video/x-vp8");
    for (guint i = 0; i < 3; i++) {
        GstBuffer *payload;

        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(frame)), GST_FLOW_OK);
        payload = pull_frame_packets(h, frame, SMALL_MTU, 96, picture_id, &next_seq);
        fail_unless(buffers_equal(payload, frame), "row %d: payload differs", __i__);
        gst_buffer_unref(payload);
        picture_id = (picture_id + 1) & 0x7FFF;
    }
    fail_unless_equals_int(picture_id, 1);

    gst_harness_teardown(h);
    gst_buffer_unref(frame);
    g_rand_free(rand);
}
GST_END_TEST;

/* Memory that holds no bytes: mapping it fails, and every attempt to map or
 * copy it is counted. Shares of it are trap memory too. */
typedef struct {
    GstAllocator parent;
} TrapAllocator;
typedef struct {
    GstAllocatorClass parent_class;
} TrapAllocatorClass;
GType trap_allocator_get_type(void);
G_DEFINE_TYPE(TrapAllocator, trap_allocator, GST_TYPE_ALLOCATOR)

static gint trap_reads;

static GstMemory *
trap_memory_new(GstAllocator *alloc, GstMemory *parent, gsize maxsize, gsize offset, gsize size)
{
    GstMemory *mem = g_new0(GstMemory, 1);

    gst_memory_init(mem, 0, alloc, parent, maxsize, 0, offset, size);
    return mem;
}

static gpointer
trap_map(GstMemory *mem, gsize maxsize, GstMapFlags flags)
{
    g_atomic_int_inc(&trap_reads);
    return NULL;
}

static void
trap_unmap(GstMemory *mem)
{
}

static GstMemory *
trap_share(GstMemory *mem, gssize offset, gssize size)
{
    if (size == -1)
        size = mem->size - offset;
    return trap_memory_new(mem->allocator, mem->parent ? mem->parent : mem, mem->maxsize,
                           mem->offset + offset, size);
}

static GstMemory *
trap_copy(GstMemory *mem, gssize offset, gssize size)
{
    g_atomic_int_inc(&trap_reads);
    return trap_share(mem, offset, size);
}

static gboolean
trap_is_span(GstMemory *mem1, GstMemory *mem2, gsize *offset)
{
    return FALSE;
}

static GstMemory *
trap_alloc(GstAllocator *alloc, gsize size, GstAllocationParams *params)
{
    return trap_memory_new(alloc, NULL, size, 0, size);
}

static void
trap_free(GstAllocator *alloc, GstMemory *mem)
{
    g_free(mem);
}

static void
trap_allocator_init(TrapAllocator *self)
{
    GstAllocator *alloc = GST_ALLOCATOR(self);

    alloc->mem_type = "TrapMemory";
    alloc->mem_map = trap_map;
    alloc->mem_unmap = trap_unmap;
    alloc->mem_share = trap_share;
    alloc->mem_copy = trap_copy;
    alloc->mem_is_span = trap_is_span;
    GST_OBJECT_FLAG_SET(alloc, GST_ALLOCATOR_FLAG_CUSTOM_ALLOC);
}

static void
trap_allocator_class_init(TrapAllocatorClass *klass)
{
    GST_ALLOCATOR_CLASS(klass)->alloc = trap_alloc;
    GST_ALLOCATOR_CLASS(klass)->free = trap_free;
}

/* The element reads byte 0 of a frame and nothing else: everything after it
 * is trap memory, and the frame still goes out whole, in shares of that
 * memory, without one read of it. */
GST_START_TEST(test_reads_only_first_byte)
{
    GstAllocator *trap = gst_object_ref_sink(g_object_new(trap_allocator_get_type(), NULL));
    GstHarness *h =
        gst_harness_new_parse("e2csframevp8pay mtu=" G_STRINGIFY(SMALL_MTU) " picture-id-offset=5");
    GstBuffer *frame = gst_buffer_new_memdup((guint8[]){0x01}, 1);
    GstMapInfo map;
    gint next_seq = -1;
    GstBuffer *payload;

    gst_buffer_append_memory(frame, gst_allocator_alloc(trap, 5000, NULL));
    fail_if(gst_buffer_map_range(frame, 1, 1, &map, GST_MAP_READ));
    fail_unless(g_atomic_int_get(&trap_reads) > 0);
    g_atomic_int_set(&trap_reads, 0);

    gst_harness_set_src_caps_str(h, "video/x-vp8");
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(frame)), GST_FLOW_OK);
    payload = pull_frame_packets(h, frame, SMALL_MTU, 96, 5, &next_seq);
    fail_unless_equals_int(g_atomic_int_get(&trap_reads), 0);

    gst_buffer_unref(payload);
    gst_harness_teardown(h);
    gst_buffer_unref(frame);
    gst_object_unref(trap);
}
GST_END_TEST;

GST_START_TEST(test_empty_frame_dropped)
{
    GstHarness *h = gst_harness_new_parse("e2csframevp8pay picture-id-offset=42");
    GRand *rand = g_rand_new_with_seed(1);
    GstBuffer *frame = make_frame(100, TRUE, rand);
    gint next_seq = -1;

    gst_harness_set_src_caps_str(h, "video/x-vp8");
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_new()), GST_FLOW_OK);
    fail_unless_equals_int(gst_harness_buffers_in_queue(h), 0);
    fail_unless_equals_int(get_picture_id(h), -1);

    /* The dropped frame used no PictureID. */
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(frame)), GST_FLOW_OK);
    gst_buffer_unref(pull_frame_packets(h, frame, 1400, 96, 42, &next_seq));
    fail_unless_equals_int(get_picture_id(h), 42);

    gst_harness_teardown(h);
    gst_buffer_unref(frame);
    g_rand_free(rand);
}
GST_END_TEST;

/*
 * Setting picture-id-offset while frames flow restarts the sequence at the
 * next frame; until then picture-id still names the last frame sent, as
 * its description says (it read -1, "before the first frame").
 */
GST_START_TEST(test_offset_changed_while_playing)
{
    GstHarness *h = gst_harness_new("e2csframevp8pay");
    GRand *rand = g_rand_new_with_seed(3);
    GstBuffer *frame = make_frame(100, TRUE, rand);
    gint next_seq = -1;

    g_object_set(h->element, "picture-id-offset", 42, NULL);
    gst_harness_set_src_caps_str(h, "video/x-vp8");
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(frame)), GST_FLOW_OK);
    gst_buffer_unref(pull_frame_packets(h, frame, 1400, 96, 42, &next_seq));

    g_object_set(h->element, "picture-id-offset", 7, NULL);
    fail_unless_equals_int(get_picture_id(h), 42);
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(frame)), GST_FLOW_OK);
    gst_buffer_unref(pull_frame_packets(h, frame, 1400, 96, 7, &next_seq));
    fail_unless_equals_int(get_picture_id(h), 7);

    gst_harness_teardown(h);
    gst_buffer_unref(frame);
    g_rand_free(rand);
}
GST_END_TEST;

/* Under webrtcbin the payload type comes from the negotiated caps. */
GST_START_TEST(test_payload_type_from_downstream)
{
    GstHarness *h = gst_harness_new("e2csframevp8pay");
    GRand *rand = g_rand_new_with_seed(2);
    GstBuffer *frame = make_frame(100, FALSE, rand);
    GstStructure *s;
    GstCaps *caps;
    gint next_seq = -1, pt = 0, picture_id, offset;

    g_object_get(h->element, "picture-id-offset", &offset, NULL);
    fail_unless_equals_int(offset, -1);

    gst_harness_set_src_caps_str(h, "video/x-vp8");
    gst_harness_set_sink_caps_str(h, "application/x-rtp, media=video, clock-rate=90000, "
                                     "encoding-name=VP8, payload=(int)111");
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(frame)), GST_FLOW_OK);

    /* picture-id-offset -1: a random first PictureID, reported afterwards. */
    picture_id = get_picture_id(h);
    fail_unless(picture_id >= 0 && picture_id <= 0x7FFF);
    gst_buffer_unref(pull_frame_packets(h, frame, 1400, 111, picture_id, &next_seq));

    caps = gst_pad_get_current_caps(h->sinkpad);
    s = gst_caps_get_structure(caps, 0);
    fail_unless(gst_structure_get_int(s, "payload", &pt));
    fail_unless_equals_int(pt, 111);
    fail_unless_equals_string(gst_structure_get_string(s, "encoding-name"), "VP8");
    fail_unless_equals_string(gst_structure_get_string(s, "media"), "video");
    gst_caps_unref(caps);

    gst_harness_teardown(h);
    gst_buffer_unref(frame);
    g_rand_free(rand);
}
GST_END_TEST;

static Suite *
vp8pay_suite(void)
{
    Suite *s = suite_create("e2csframevp8pay");
    TCase *tc = tcase_create("general");

    /* Plugin "e2call" from this binary: no GST_PLUGIN_PATH needed. */
    e2c_plugin_register_static();
    e2c_plugin_register_static();

    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_decode_matches_direct);
    tcase_add_loop_test(tc, test_ciphertext_roundtrip, 0, G_N_ELEMENTS(seeds));
    tcase_add_test(tc, test_stock_payloader_rejects_ciphertext);
    tcase_add_test(tc, test_descriptor_on_every_packet);
    tcase_add_loop_test(tc, test_packet_boundaries, 0, G_N_ELEMENTS(sizes));
    tcase_add_test(tc, test_reads_only_first_byte);
    tcase_add_test(tc, test_empty_frame_dropped);
    tcase_add_test(tc, test_payload_type_from_downstream);
    tcase_add_test(tc, test_offset_changed_while_playing);
    tcase_add_unchecked_fixture(tc, NULL, clip_free);
    return s;
}

GST_CHECK_MAIN(vp8pay);
