/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2csframeenc and e2csframedec on synthetic frames (correct first bytes per codec,
 * random bodies): round trips, what leaves the encrypter, rekey and grace,
 * mismatch / match accounting, damaged, replayed, malformed and plaintext
 * input, key configuration errors, statistics, wait-for-keyframe, and the
 * secret staying out of properties and debug logs (e2call-e2ee(7)); stale
 * KIDs, replay windows shared through replay-domain, the budget for
 * unauthenticated KIDs, and the warning for 4-byte tags.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <string.h>

#include "e2ckey.h"
#include "buffers-equal.h"
#include "e2cplugin.h"
#include "e2csframemeta.h"
#include "envelope.h"
#include "keysched.h"
#include "wallclock.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

enum { VP8, VP9, H264, OPUS, N_CODECS };

static const struct {
    const gchar *name;
    const gchar *caps;
} codecs[N_CODECS] = {
    [VP8] = {"vp8", "video/x-vp8"},
    [VP9] = {"vp9", "video/x-vp9"},
    [H264] = {"h264", "video/x-h264, stream-format=byte-stream, alignment=au"},
    [OPUS] = {"opus", "audio/x-opus"},
};

#define FRAME_DURATION (GST_SECOND / 30)
#define MISMATCH_RUN 10
#define TEST_ROOM "4242"
#define GOOD_SECRET "correct horse battery staple"
#define OTHER_SECRET "incorrect horse battery staple"
/* Time allowed for a 600000-iteration PBKDF2 on a loaded machine; under
 * valgrind (--track-origins=yes) one takes about 100 s. */
#define DERIVE_TIMEOUT_US ((RUNNING_ON_VALGRIND ? 1200 : 120) * G_USEC_PER_SEC)

/*
 * The wall clock the elements read (wallclock.h): mid-epoch, so that no
 * test crosses an epoch boundary unless it moves the clock itself.
 */
#define WALL_MID (INT64_C(2950123) * E2C_EPOCH_SECONDS + 300)
static gint64 wall_now = WALL_MID;

/* The harness runs the elements in the test's own thread: no other reader. */
static int64_t
test_wallclock(void)
{
    return wall_now;
}

/* ---- frames --------------------------------------------------------------- */

static const guint8 h264_sps[] = {0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x8d, 0x40,
                                  0x50, 0x1e, 0xd0, 0x0f, 0x08, 0x84, 0x6a};
static const guint8 h264_pps[] = {0x68, 0xce, 0x3c, 0x80};

/* Bytes 1-255 only, so an H.264 body never holds a start code or ends in zero. */
static void
fill_random(guint8 *p, gsize n, GRand *rand)
{
    for (gsize i = 0; i < n; i++)
        p[i] = (guint8)g_rand_int_range(rand, 1, 256);
}

static void
append_nal(GByteArray *au, const guint8 *nal, gsize n, gboolean long_sc)
{
    static const guint8 sc[] = {0, 0, 0, 1};
    g_byte_array_append(au, long_sc ? sc : sc + 1, long_sc ? 4 : 3);
    g_byte_array_append(au, nal, (guint)n);
}

/*
 * A frame of body_len bytes after the codec's first bytes: VP8 and VP9 with
 * the keyframe bit of the real bitstream, Opus after a TOC byte, H.264 an
 * access unit (SPS, PPS and an IDR slice, or a non-IDR slice) whose slice
 * payload is body_len bytes.
 */
static GstBuffer *
make_frame(guint codec, gboolean key, gsize body_len, GRand *rand, guint index)
{
    GByteArray *a = g_byte_array_new();
    guint8 *body = g_malloc(body_len + 1);

    fill_random(body, body_len, rand);
    switch (codec) {
    case VP8: {
        /* RFC 6386 §9.1: frame tag (P = 0 on keyframes), start code, size. */
        guint8 hdr[10] = {0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00};
        if (!key)
            hdr[0] |= 0x01;
        g_byte_array_append(a, hdr, key ? 10 : 3);
        g_byte_array_append(a, body, (guint)body_len);
        break;
    }
    case VP9: {
        /* frame_marker 2, profile 0, show_existing_frame 0, frame_type. */
        guint8 hdr[10] = {key ? 0x82 : 0x86, 0x49, 0x83, 0x42, 0x00, 0x13, 0xf0, 0x0e, 0xf6, 0x00};
        g_byte_array_append(a, hdr, key ? 10 : 3);
        g_byte_array_append(a, body, (guint)body_len);
        break;
    }
    case OPUS: {
        guint8 toc = 0x78;
        g_byte_array_append(a, &toc, 1);
        g_byte_array_append(a, body, (guint)body_len);
        break;
    }
    case H264: {
        guint8 *slice = g_malloc(body_len + 1);
        slice[0] = key ? 0x65 : 0x41;
        memcpy(slice + 1, body, body_len);
        if (key) {
            append_nal(a, h264_sps, sizeof(h264_sps), TRUE);
            append_nal(a, h264_pps, sizeof(h264_pps), TRUE);
        }
        append_nal(a, slice, body_len + 1, !key);
        g_free(slice);
        break;
    }
    }
    g_free(body);

    GstBuffer *buf = gst_buffer_new_wrapped(a->data, a->len);
    g_byte_array_free(a, FALSE);
    GST_BUFFER_PTS(buf) = index * FRAME_DURATION;
    GST_BUFFER_DURATION(buf) = FRAME_DURATION;
    if (!key && codec != OPUS)
        GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    return buf;
}

static GstBuffer *
copy_with_flag(GstBuffer *buf, GstBufferFlags flag)
{
    GstBuffer *copy = gst_buffer_copy(buf);
    GST_BUFFER_FLAG_SET(copy, flag);
    return copy;
}

/* ---- keys and harnesses --------------------------------------------------- */

/* The clock the elements use for switch delays and grace periods. */
static guint64
now_us(void)
{
    return (guint64)g_get_monotonic_time();
}

static E2cKey *
test_key(guint8 fill)
{
    guint8 bytes[E2C_SHARED_KEY_LEN];
    memset(bytes, fill, sizeof(bytes));
    return e2c_key_new_from_bytes(bytes);
}

static GstElement *
find(GstHarness *h, const gchar *name)
{
    GstElement *e = gst_bin_get_by_name(GST_BIN(h->element), name);
    fail_unless(e != NULL, "no element %s", name);
    gst_object_unref(e); /* the bin keeps it alive while the harness lives */
    return e;
}

/*
 * The harness around "enc" and / or "dec" from desc, keys set before the
 * elements start (e2csframeenc refuses to start without one). Properties not
 * settable from a launch line (shared-key) go here; the rest in desc.
 */
static GstHarness *
harness_new(const gchar *desc, E2cKey *enc_key, E2cKey *dec_key, guint codec)
{
    GError *error = NULL;
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &error);
    GstElement *e;
    GstHarness *h;

    fail_unless(bin != NULL, "%s: %s", desc, error ? error->message : "?");
    if (enc_key && (e = gst_bin_get_by_name(GST_BIN(bin), "enc"))) {
        g_object_set(e, "shared-key", enc_key, NULL);
        gst_object_unref(e);
    }
    if (dec_key && (e = gst_bin_get_by_name(GST_BIN(bin), "dec"))) {
        g_object_set(e, "shared-key", dec_key, NULL);
        gst_object_unref(e);
    }
    h = gst_harness_new_with_element(bin, "sink", "src");
    gst_object_unref(bin);
    gst_harness_set_src_caps_str(h, codecs[codec].caps);
    return h;
}

/*
 * Like harness_new(), with "secret" set on enc and dec through
 * g_object_set(): a secret in a launch line would be in GStreamer's own
 * parser log (GST_PIPELINE at DEBUG level).
 */
static GstHarness *
harness_new_secret(const gchar *desc, const gchar *secret, guint codec)
{
    GError *error = NULL;
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &error);
    static const gchar *const names[] = {"enc", "dec"};
    GstHarness *h;

    fail_unless(bin != NULL, "%s: %s", desc, error ? error->message : "?");
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        GstElement *e = gst_bin_get_by_name(GST_BIN(bin), names[i]);
        if (e) {
            g_object_set(e, "secret", secret, NULL);
            gst_object_unref(e);
        }
    }
    h = gst_harness_new_with_element(bin, "sink", "src");
    gst_object_unref(bin);
    gst_harness_set_src_caps_str(h, codecs[codec].caps);
    return h;
}

static guint64
stat_u64(GstElement *e, const gchar *field)
{
    GstStructure *s = NULL;
    guint64 v = 0;

    g_object_get(e, "stats", &s, NULL);
    fail_unless(s != NULL);
    fail_unless(gst_structure_get_uint64(s, field, &v), "no guint64 %s in %" GST_PTR_FORMAT, field,
                s);
    gst_structure_free(s);
    return v;
}

static guint64
key_id(GstElement *e)
{
    guint64 kid = 0;
    g_object_get(e, "key-id", &kid, NULL);
    return kid;
}

static gchar *
dec_state(GstElement *e)
{
    gchar *state = NULL;
    g_object_get(e, "state", &state, NULL);
    return state;
}

/* Pushes one frame; returns the output buffer, or NULL when it was dropped. */
static GstBuffer *
push_pull(GstHarness *h, GstBuffer *in)
{
    fail_unless_equals_int(gst_harness_push(h, in), GST_FLOW_OK);
    fail_unless(gst_harness_buffers_in_queue(h) <= 1);
    return gst_harness_try_pull(h);
}

/* Pushes a frame whatever becomes of it. */
static void
push_any(GstHarness *h, GstBuffer *in)
{
    GstBuffer *out = push_pull(h, in);
    if (out)
        gst_buffer_unref(out);
}

/* Pushes a frame that must be dropped. */
static void
push_dropped(GstHarness *h, GstBuffer *in)
{
    gsize size = gst_buffer_get_size(in);
    GstBuffer *out = push_pull(h, in);
    fail_unless(out == NULL, "a frame that must be dropped came out (%" G_GSIZE_FORMAT " bytes)",
                size);
}

/* Encrypts frames [0, n) of a clip with its own e2csframeenc under key. */
static GPtrArray *
encrypt_clip(E2cKey *key, guint codec, guint n, guint key_interval, guint32 seed, guint64 *kid)
{
    GstHarness *h = harness_new("e2csframeenc name=enc", key, NULL, codec);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    GRand *rand = g_rand_new_with_seed(seed);

    for (guint i = 0; i < n; i++) {
        gboolean keyframe = key_interval ? i % key_interval == 0 : i == 0;
        GstBuffer *o = push_pull(h, make_frame(codec, keyframe, 100 + 37 * (i % 13), rand, i));
        fail_unless(o != NULL);
        g_ptr_array_add(out, o);
    }
    if (kid)
        *kid = key_id(find(h, "enc"));
    g_rand_free(rand);
    gst_harness_teardown(h);
    return out;
}

static GstBuffer *
clip_at(GPtrArray *clip, guint i)
{
    return gst_buffer_ref(g_ptr_array_index(clip, i));
}

/* Upstream force-key-unit events the harness's source received since the last call. */
static guint
count_force_key_units(GstHarness *h)
{
    GstEvent *ev;
    guint n = 0;

    while ((ev = gst_harness_try_pull_upstream_event(h))) {
        n += gst_video_event_is_force_key_unit(ev);
        gst_event_unref(ev);
    }
    return n;
}

/* ---- bus ------------------------------------------------------------------ */

struct watch {
    GstBus *bus;
    GstElement *element;
    GHashTable *counts; /* structure or message type name -> count */
    GString *warnings;  /* texts of every warning and error */
    GstStructure *last; /* last element message */
};

static void
watch_start(struct watch *w, GstElement *element)
{
    w->bus = gst_bus_new();
    w->element = gst_object_ref(element);
    w->counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    w->warnings = g_string_new(NULL);
    w->last = NULL;
    gst_element_set_bus(element, w->bus);
}

static void
watch_drain(struct watch *w)
{
    GstMessage *msg;

    while ((msg = gst_bus_pop(w->bus))) {
        const gchar *key = NULL;
        GError *err = NULL;
        gchar *debug = NULL;

        switch (GST_MESSAGE_TYPE(msg)) {
        case GST_MESSAGE_ELEMENT:
            key = gst_structure_get_name(gst_message_get_structure(msg));
            g_clear_pointer(&w->last, gst_structure_free);
            w->last = gst_structure_copy(gst_message_get_structure(msg));
            break;
        case GST_MESSAGE_WARNING:
            gst_message_parse_warning(msg, &err, &debug);
            key = "warning";
            break;
        case GST_MESSAGE_ERROR:
            gst_message_parse_error(msg, &err, &debug);
            key = "error";
            break;
        default:
            break;
        }
        if (err)
            g_string_append_printf(w->warnings, "%s\n%s\n", err->message, debug ? debug : "");
        g_clear_error(&err);
        g_free(debug);
        if (key) {
            guint n = GPOINTER_TO_UINT(g_hash_table_lookup(w->counts, key));
            g_hash_table_insert(w->counts, g_strdup(key), GUINT_TO_POINTER(n + 1));
        }
        gst_message_unref(msg);
    }
}

static guint
watch_count(struct watch *w, const gchar *name)
{
    watch_drain(w);
    return GPOINTER_TO_UINT(g_hash_table_lookup(w->counts, name));
}

/* Queued messages hold the elements that posted them: drop them first. */
static void
watch_stop(struct watch *w)
{
    gst_bus_set_flushing(w->bus, TRUE);
    gst_element_set_bus(w->element, NULL);
    gst_object_unref(w->bus);
    gst_object_unref(w->element);
    g_hash_table_unref(w->counts);
    g_string_free(w->warnings, TRUE);
    g_clear_pointer(&w->last, gst_structure_free);
}

/* ---- round trip and output ------------------------------------------------ */

/* Body lengths after the first bytes: none, one byte, typical, large. */
static const gsize body_lens[] = {0, 1, 1000, 60000};

GST_START_TEST(test_roundtrip)
{
    guint codec = __i__ / 2;
    gboolean key = __i__ % 2 == 0;
    E2cKey *k = test_key(0x11);
    GstHarness *h = harness_new("e2csframeenc name=enc ! e2csframedec name=dec", k, k, codec);
    GRand *rand = g_rand_new_with_seed(__i__);
    guint n = 0;

    /* e2csframedec waits for a keyframe first (wait-for-keyframe). */
    if (!key) {
        GstBuffer *out = push_pull(h, make_frame(codec, TRUE, 50, rand, n++));
        fail_unless(out != NULL);
        gst_buffer_unref(out);
    }
    for (guint i = 0; i < G_N_ELEMENTS(body_lens); i++) {
        if (codec == H264 && body_lens[i] == 0)
            continue; /* a slice NAL is at least its header byte plus one */
        GstBuffer *in = make_frame(codec, key, body_lens[i], rand, n++);
        GstBuffer *out = push_pull(h, gst_buffer_ref(in));

        fail_unless(out != NULL, "%s %s, %" G_GSIZE_FORMAT " bytes: dropped", codecs[codec].name,
                    key ? "key" : "delta", body_lens[i]);
        fail_unless(buffers_equal(in, out), "%s: frame %u changed", codecs[codec].name, i);
        fail_unless_equals_uint64(GST_BUFFER_PTS(out), GST_BUFFER_PTS(in));
        fail_unless_equals_int(GST_BUFFER_FLAG_IS_SET(out, GST_BUFFER_FLAG_DELTA_UNIT),
                               GST_BUFFER_FLAG_IS_SET(in, GST_BUFFER_FLAG_DELTA_UNIT));
        gst_buffer_unref(in);
        gst_buffer_unref(out);
    }
    fail_unless_equals_uint64(stat_u64(find(h, "enc"), "frames-protected"), n);
    fail_unless_equals_uint64(stat_u64(find(h, "dec"), "frames-ok"), n);
    fail_unless_equals_uint64(key_id(find(h, "dec")), key_id(find(h, "enc")));
    fail_unless(key_id(find(h, "enc")) != 0);

    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(k);
}
GST_END_TEST;

static gboolean
contains(const guint8 *hay, gsize hay_len, const guint8 *needle, gsize n)
{
    for (gsize i = 0; i + n <= hay_len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return TRUE;
    return FALSE;
}

/*
 * What leaves e2csframeenc: the clear prefix as it was (VP8 and VP9 10 / 3
 * bytes, Opus 1; H.264 start codes, SPS, PPS and NAL header bytes), and not
 * one 8-byte run of the plaintext beyond it.
 */
GST_START_TEST(test_no_plaintext_after_prefix)
{
    guint codec = __i__ / 2;
    gboolean key = __i__ % 2 == 0;
    E2cKey *k = test_key(0x11);
    GstHarness *h = harness_new("e2csframeenc name=enc", k, NULL, codec);
    GRand *rand = g_rand_new_with_seed(100 + __i__);
    GstBuffer *in = make_frame(codec, key, 4000, rand, 0);
    GstBuffer *out = push_pull(h, gst_buffer_ref(in));
    GstMapInfo mi, mo;
    gsize prefix, secret_from;

    fail_unless(out != NULL);
    fail_unless(gst_buffer_map(in, &mi, GST_MAP_READ));
    fail_unless(gst_buffer_map(out, &mo, GST_MAP_READ));
    switch (codec) {
    case VP8:
    case VP9:
        prefix = key ? 10 : 3;
        break;
    case OPUS:
        prefix = 1;
        break;
    default:
        /* Everything up to and including the slice's NAL header byte. */
        prefix = mi.size - 4000;
        break;
    }
    secret_from = prefix;
    fail_unless(mo.size > mi.size);
    fail_unless(memcmp(mi.data, mo.data, prefix) == 0, "clear prefix changed");
    for (gsize i = secret_from; i + 8 <= mi.size; i++)
        fail_if(contains(mo.data, mo.size, mi.data + i, 8), "%s: plaintext at %" G_GSIZE_FORMAT,
                codecs[codec].name, i);
    if (codec == H264) {
        /* A protected NAL ends in the 0x80 trailer, never in a zero byte. */
        fail_unless_equals_int(mo.data[mo.size - 1], 0x80);
    }
    gst_buffer_unmap(in, &mi);
    gst_buffer_unmap(out, &mo);

    gst_buffer_unref(in);
    gst_buffer_unref(out);
    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(k);
}
GST_END_TEST;

/*
 * A frame shorter than its codec's clear prefix (a 5-byte VP8 or VP9
 * keyframe, a 2-byte delta frame) is not a frame of that codec: e2csframeenc
 * drops and counts it, as e2call-e2ee(7) says, instead of sending it with a
 * shorter prefix than any receiver would take.
 */
GST_START_TEST(test_short_frame_not_sent)
{
    static const struct {
        guint codec;
        guint8 bytes[5];
        gsize len;
    } rows[] = {
        {VP8, {0x50, 0x2a, 0x00, 0x9d, 0x01}, 5},
        {VP8, {0x51, 0x2a}, 2},
        {VP9, {0x82, 0x49, 0x83, 0x42, 0x00}, 5},
        {VP9, {0x86}, 1},
    };
    E2cKey *k = test_key(0x11);

    for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
        GstHarness *h = harness_new("e2csframeenc name=enc", k, NULL, rows[i].codec);
        push_dropped(h, gst_buffer_new_memdup(rows[i].bytes, rows[i].len));
        push_dropped(h, gst_buffer_new());
        fail_unless_equals_uint64(stat_u64(find(h, "enc"), "frames-malformed"), 2);
        fail_unless_equals_uint64(stat_u64(find(h, "enc"), "frames-protected"), 0);
        gst_harness_teardown(h);
    }
    e2c_key_unref(k);
}
GST_END_TEST;

/* ---- rekey ---------------------------------------------------------------- */

/*
 * switch-delay 0: the first frame after the new key goes under a fresh KID,
 * e2csframeenc posts sframe-key-switched with it and asks upstream for a
 * keyframe; a receiver that installed the key first opens every frame.
 */
GST_START_TEST(test_rekey_immediate)
{
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GstHarness *h =
        harness_new("e2csframeenc name=enc switch-delay=0 ! e2csframedec name=dec", a, a, VP8);
    GstElement *enc = find(h, "enc"), *dec = find(h, "dec");
    struct watch w;
    GRand *rand = g_rand_new_with_seed(7);
    guint64 kid_a, kid_b;
    guint n = 0;

    watch_start(&w, h->element);
    for (; n < 5; n++)
        gst_buffer_unref(push_pull(h, make_frame(VP8, n == 0, 200, rand, n)));
    kid_a = key_id(enc);
    fail_unless(kid_a != 0);
    count_force_key_units(h);

    /* Receive first, send later. */
    g_object_set(dec, "shared-key", b, NULL);
    g_object_set(enc, "shared-key", b, NULL);
    GstBuffer *out = push_pull(h, make_frame(VP8, FALSE, 200, rand, n++));
    fail_unless(out != NULL, "the first frame under the new key was lost");
    gst_buffer_unref(out);
    kid_b = key_id(enc);
    fail_unless(kid_b != 0 && kid_b != kid_a);
    fail_unless_equals_uint64(key_id(dec), kid_b);
    fail_unless_equals_int(watch_count(&w, "sframe-key-switched"), 1);
    guint64 posted = 0;
    fail_unless(gst_structure_get_uint64(w.last, "kid", &posted));
    fail_unless_equals_uint64(posted, kid_b);
    fail_unless_equals_int(count_force_key_units(h), 1);

    for (guint i = 0; i < 5; i++, n++)
        gst_buffer_unref(push_pull(h, make_frame(VP8, FALSE, 200, rand, n)));
    fail_unless_equals_uint64(key_id(enc), kid_b);
    fail_unless_equals_uint64(stat_u64(enc, "key-switches"), 1);
    fail_unless_equals_uint64(stat_u64(enc, "frames-protected"), n);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), n);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);

    watch_stop(&w);
    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/*
 * The default switch-delay (2 s): frames keep the old KID until the delay
 * has passed and take a new one afterwards; none is dropped on the way.
 * The checks use only "before" and "after" bounds, so a stalled machine
 * cannot make them fail.
 */
GST_START_TEST(test_rekey_default_delay)
{
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GstHarness *h = harness_new("e2csframeenc name=enc ! e2csframedec name=dec", a, a, VP8);
    GstElement *enc = find(h, "enc"), *dec = find(h, "dec");
    GRand *rand = g_rand_new_with_seed(8);
    guint delay_ms = 0, n = 0, switched_at = 0;
    guint64 kid_a, t_before_set, t_after_set;

    g_object_get(enc, "switch-delay", &delay_ms, NULL);
    fail_unless_equals_int(delay_ms, 2000);
    gst_buffer_unref(push_pull(h, make_frame(VP8, TRUE, 200, rand, n++)));
    kid_a = key_id(enc);

    g_object_set(dec, "shared-key", b, NULL);
    t_before_set = now_us();
    g_object_set(enc, "shared-key", b, NULL);
    t_after_set = now_us();
    /* Frames every 100 ms until the new KID has been in use for a while. */
    while (n < 200) {
        guint64 t0 = now_us();
        GstBuffer *out = push_pull(h, make_frame(VP8, FALSE, 200, rand, n));
        guint64 t1 = now_us();
        guint64 kid = key_id(enc);

        fail_unless(out != NULL, "frame %u lost during the switch", n);
        gst_buffer_unref(out);
        if (kid == kid_a) {
            fail_if(switched_at, "old KID again after the switch");
            fail_unless(t0 < t_after_set + delay_ms * 1000,
                        "still the old KID after the switch delay");
        } else {
            fail_unless(t1 >= t_before_set + delay_ms * 1000, "switched before the delay");
            if (!switched_at)
                switched_at = n;
        }
        n++;
        if (switched_at && n > switched_at + 3)
            break;
        g_usleep(100 * 1000);
    }
    fail_unless(switched_at > 1, "never switched");
    fail_unless_equals_uint64(stat_u64(enc, "key-switches"), 1);
    fail_unless_equals_uint64(stat_u64(enc, "frames-protected"), n);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), n);

    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/*
 * After a rekey the replaced key keeps opening frames for grace-period,
 * then no longer. Frames under both keys come from separate encrypters.
 */
GST_START_TEST(test_grace_period)
{
    const guint grace_ms = 1000;
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GPtrArray *old = encrypt_clip(a, VP8, 20, 1, 1, NULL);
    GPtrArray *new = encrypt_clip(b, VP8, 20, 1, 2, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec grace-period=1000", NULL, a, VP8);
    GstElement *dec = find(h, "dec");
    GstBuffer *out;
    guint keys = 0;
    GstStructure *s = NULL;

    gst_buffer_unref(push_pull(h, clip_at(old, 0)));
    guint64 t_set = now_us();
    g_object_set(dec, "shared-key", b, NULL);
    guint64 t_set_done = now_us();
    g_object_get(dec, "stats", &s, NULL);
    fail_unless(gst_structure_get_uint(s, "keys-held", &keys));
    gst_structure_free(s);

    /* Within the grace period both keys open frames. */
    guint i = 1;
    while (i < 5 && now_us() < t_set + grace_ms * 1000 / 2) {
        out = push_pull(h, clip_at(old, i));
        guint64 t = now_us();
        if (t < t_set + grace_ms * 1000)
            fail_unless(out != NULL, "old-key frame %u refused within the grace period", i);
        gst_clear_buffer(&out);
        out = push_pull(h, clip_at(new, i));
        fail_unless(out != NULL);
        gst_buffer_unref(out);
        i++;
    }
    if (now_us() < t_set + grace_ms * 1000)
        fail_unless_equals_int(keys, 2);

    /* After it, only the new key. */
    while (now_us() < t_set_done + grace_ms * 1000 + 100 * 1000)
        g_usleep(50 * 1000);
    guint64 failed = stat_u64(dec, "auth-failed");
    push_dropped(h, clip_at(old, 10));
    push_dropped(h, clip_at(old, 11));
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), failed + 2);
    out = push_pull(h, clip_at(new, 10));
    fail_unless(out != NULL);
    gst_buffer_unref(out);
    g_object_get(dec, "stats", &s, NULL);
    fail_unless(gst_structure_get_uint(s, "keys-held", &keys));
    fail_unless_equals_int(keys, 1);
    gst_structure_free(s);

    gst_harness_teardown(h);
    g_ptr_array_unref(old);
    g_ptr_array_unref(new);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/*
 * grace-period is mutable while playing: set to 0 on a running e2csframedec,
 * the key replaced next stops opening frames at once (it used to keep the
 * value the element started with, 10 s).
 */
GST_START_TEST(test_grace_period_changed_while_playing)
{
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GPtrArray *old = encrypt_clip(a, OPUS, 4, 1, 1, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, OPUS);
    GstElement *dec = find(h, "dec");

    gst_buffer_unref(push_pull(h, clip_at(old, 0)));
    g_object_set(dec, "grace-period", 0, NULL);
    g_object_set(dec, "shared-key", b, NULL);
    push_dropped(h, clip_at(old, 1));
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 1);

    gst_harness_teardown(h);
    g_ptr_array_unref(old);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/* ---- mismatch, match, damage, replay --------------------------------------- */

/*
 * sframe-decrypting on the first good frame; sframe-mismatch exactly once,
 * on the 10th consecutive frame under a key we do not hold, and not again
 * while the run goes on; sframe-match exactly once, on the first good frame
 * after it, which also sends a force-key-unit upstream. That frame is a
 * delta frame, so it waits for a keyframe (wait-for-keyframe).
 */
GST_START_TEST(test_mismatch_then_match)
{
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GPtrArray *good = encrypt_clip(a, VP8, 20, 10, 1, NULL);
    GPtrArray *bad = encrypt_clip(b, VP8, 40, 10, 2, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, VP8);
    GstElement *dec = find(h, "dec");
    struct watch w;
    gchar *state;

    watch_start(&w, h->element);
    state = dec_state(dec);
    fail_unless_equals_string(state, "waiting");
    g_free(state);
    for (guint i = 0; i < 3; i++)
        push_any(h, clip_at(good, i));
    fail_unless_equals_int(watch_count(&w, "sframe-decrypting"), 1);
    count_force_key_units(h);

    for (guint i = 0; i < MISMATCH_RUN - 1; i++)
        push_dropped(h, clip_at(bad, i));
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);
    push_dropped(h, clip_at(bad, MISMATCH_RUN - 1));
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    guint64 failed = 0;
    gchar *posted_state = NULL;
    fail_unless(gst_structure_get_uint64(w.last, "auth-failed", &failed));
    fail_unless_equals_uint64(failed, MISMATCH_RUN);
    posted_state = g_strdup(gst_structure_get_string(w.last, "state"));
    fail_unless_equals_string(posted_state, "mismatch");
    g_free(posted_state);
    for (guint i = MISMATCH_RUN; i < 40; i++)
        push_dropped(h, clip_at(bad, i));
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    state = dec_state(dec);
    fail_unless_equals_string(state, "mismatch");
    g_free(state);
    fail_unless_equals_int(count_force_key_units(h), 0);

    /* Frame 3 is a delta frame: it opens (match) but waits for a keyframe. */
    push_dropped(h, clip_at(good, 3));
    fail_unless_equals_int(watch_count(&w, "sframe-match"), 1);
    fail_unless_equals_int(count_force_key_units(h), 1);
    for (guint i = 4; i < 10; i++)
        push_dropped(h, clip_at(good, i));
    GstBuffer *out = push_pull(h, clip_at(good, 10));
    fail_unless(out != NULL, "the keyframe after the match was not passed on");
    gst_buffer_unref(out);
    for (guint i = 11; i < 20; i++)
        gst_buffer_unref(push_pull(h, clip_at(good, i)));
    fail_unless_equals_int(watch_count(&w, "sframe-match"), 1);
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    fail_unless_equals_int(watch_count(&w, "sframe-decrypting"), 1);
    fail_unless_equals_int(count_force_key_units(h), 0);
    fail_unless_equals_uint64(stat_u64(dec, "mismatch-events"), 1);
    fail_unless_equals_uint64(stat_u64(dec, "match-events"), 1);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 40);
    fail_unless_equals_uint64(stat_u64(dec, "waiting-keyframe"), 7);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), 20);
    state = dec_state(dec);
    fail_unless_equals_string(state, "decrypting");
    g_free(state);

    watch_stop(&w);
    gst_harness_teardown(h);
    g_ptr_array_unref(good);
    g_ptr_array_unref(bad);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/*
 * Frames flagged DISCONT (the depayloader's mark for "packets were lost
 * before this one") that fail authentication are damage, not a wrong key:
 * any number of them posts nothing, and they neither count toward the run
 * nor reset it.
 */
GST_START_TEST(test_discont_failures_never_count)
{
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GPtrArray *good = encrypt_clip(a, VP8, 2, 1, 1, NULL);
    GPtrArray *bad = encrypt_clip(b, VP8, 100, 10, 2, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, VP8);
    GstElement *dec = find(h, "dec");
    struct watch w;
    guint i = 0;

    watch_start(&w, h->element);
    gst_buffer_unref(push_pull(h, clip_at(good, 0)));
    for (; i < 60; i++)
        push_dropped(h, copy_with_flag(g_ptr_array_index(bad, i), GST_BUFFER_FLAG_DISCONT));
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed-after-loss"), 60);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);

    /* 9 counted failures, damaged ones between, then the 10th counted one. */
    for (guint j = 0; j < MISMATCH_RUN - 1; j++, i++) {
        push_dropped(h, clip_at(bad, i));
        i++;
        push_dropped(h, copy_with_flag(g_ptr_array_index(bad, i), GST_BUFFER_FLAG_DISCONT));
    }
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);
    push_dropped(h, clip_at(bad, i++));
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), MISMATCH_RUN);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed-after-loss"), 60 + MISMATCH_RUN - 1);

    /* A DISCONT frame that opens is simply good, and passed on. */
    GstBuffer *out =
        push_pull(h, copy_with_flag(g_ptr_array_index(good, 1), GST_BUFFER_FLAG_DISCONT));
    fail_unless(out != NULL);
    gst_buffer_unref(out);
    fail_unless_equals_int(watch_count(&w, "sframe-match"), 1);

    watch_stop(&w);
    gst_harness_teardown(h);
    g_ptr_array_unref(good);
    g_ptr_array_unref(bad);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/*
 * The same encrypted frame twice: the second is a replay, dropped and
 * counted as such, and any number of replays is no mismatch. Nor does a
 * replay reset a run of real failures.
 */
GST_START_TEST(test_replay)
{
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GPtrArray *good = encrypt_clip(a, VP8, 5, 1, 1, NULL);
    GPtrArray *bad = encrypt_clip(b, VP8, MISMATCH_RUN, 1, 2, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, VP8);
    GstElement *dec = find(h, "dec");
    struct watch w;

    watch_start(&w, h->element);
    for (guint i = 0; i < 5; i++)
        gst_buffer_unref(push_pull(h, clip_at(good, i)));
    for (guint r = 0; r < 30; r++)
        push_dropped(h, clip_at(good, r % 5));
    fail_unless_equals_uint64(stat_u64(dec, "replayed"), 30);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);

    for (guint i = 0; i < MISMATCH_RUN - 1; i++) {
        push_dropped(h, clip_at(bad, i));
        push_dropped(h, clip_at(good, 4));
    }
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);
    push_dropped(h, clip_at(bad, MISMATCH_RUN - 1));
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    fail_unless_equals_uint64(stat_u64(dec, "replayed"), 30 + MISMATCH_RUN - 1);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), 5);

    watch_stop(&w);
    gst_harness_teardown(h);
    g_ptr_array_unref(good);
    g_ptr_array_unref(bad);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/* Offset of the first NAL unit's header byte (after the first start code). */
static gsize
first_nal_header(GstBuffer *buf)
{
    GstMapInfo m;
    struct e2c_nal nal;
    size_t pos = 0;
    gsize hdr = 0;

    fail_unless(gst_buffer_map(buf, &m, GST_MAP_READ));
    if (e2c_h264_next_nal(m.data, m.size, &pos, &nal))
        hdr = nal.hdr;
    gst_buffer_unmap(buf, &m);
    return hdr;
}

/*
 * Every truncation of real encrypted frames, garbage, empty buffers and
 * flipped bytes: dropped, counted, no crash, no error. Truncations inside
 * the ciphertext are indistinguishable from tampering (authentication
 * fails); shorter ones are malformed. Nothing of it posts a mismatch when
 * flagged DISCONT, as a depayloader flags frames cut by loss.
 */
GST_START_TEST(test_malformed_and_truncated)
{
    guint codec = __i__;
    E2cKey *a = test_key(0xa1);
    GPtrArray *clip = encrypt_clip(a, codec, 4, 2, 3, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, codec);
    GstElement *dec = find(h, "dec");
    GRand *rand = g_rand_new_with_seed(11);
    struct watch w;
    guint pushed = 0;

    watch_start(&w, h->element);
    gst_buffer_unref(push_pull(h, clip_at(clip, 0)));
    for (guint f = 1; f < clip->len; f++) {
        GstBuffer *frame = g_ptr_array_index(clip, f);
        gsize size = gst_buffer_get_size(frame);
        for (gsize cut = 0; cut < size; cut += cut < 64 ? 1 : 53) {
            GstBuffer *t = gst_buffer_copy_region(frame, GST_BUFFER_COPY_ALL, 0, cut);
            GST_BUFFER_FLAG_SET(t, GST_BUFFER_FLAG_DISCONT);
            push_dropped(h, t);
            pushed++;
        }
        /* Flips within what is authenticated: for H.264 everything from the first
         * NAL unit's header byte on (e2call-e2ee(7), format 2: parameter sets
         * too; a flip in a later start code changes the units). The first start
         * code is left out: a flip in its first byte leaves the access unit as
         * it was. */
        gsize from = codec == H264 ? first_nal_header(frame) : 0;
        for (guint k = 0; k < 20; k++) {
            GstBuffer *t = gst_buffer_copy_deep(frame);
            GstMapInfo m;
            fail_unless(gst_buffer_map(t, &m, GST_MAP_WRITE));
            m.data[g_rand_int_range(rand, (gint32)from, (gint32)m.size)] ^=
                1 << g_rand_int_range(rand, 0, 8);
            gst_buffer_unmap(t, &m);
            GST_BUFFER_FLAG_SET(t, GST_BUFFER_FLAG_DISCONT);
            push_dropped(h, t);
            pushed++;
        }
    }
    for (guint k = 0; k < 50; k++) {
        gsize n = g_rand_int_range(rand, 0, 300);
        guint8 *junk = g_malloc(n + 1);
        for (gsize i = 0; i < n; i++)
            junk[i] = g_rand_int_range(rand, 0, 256);
        GstBuffer *t = gst_buffer_new_wrapped(junk, n);
        GST_BUFFER_FLAG_SET(t, GST_BUFFER_FLAG_DISCONT);
        /* (H.264 junk without an encrypted NAL unit is unencrypted.) */
        push_dropped(h, t);
        pushed++;
    }
    /* A flipped KID bit makes another KID: of another epoch (stale), or a new
     * one whose derivations the budget for unauthenticated KIDs may refuse. */
    guint64 counted = stat_u64(dec, "malformed") + stat_u64(dec, "unencrypted") +
                      stat_u64(dec, "auth-failed-after-loss") + stat_u64(dec, "replayed") +
                      stat_u64(dec, "stale") + stat_u64(dec, "kid-limited");
    fail_unless_equals_uint64(counted, pushed);
    fail_unless(stat_u64(dec, "malformed") + stat_u64(dec, "unencrypted") > 0);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);
    fail_unless_equals_int(watch_count(&w, "error"), 0);

    /* The stream goes on: the next real frame opens. */
    GstBuffer *out = push_pull(h, clip_at(clip, 2));
    fail_unless(out != NULL);
    gst_buffer_unref(out);

    watch_stop(&w);
    g_rand_free(rand);
    gst_harness_teardown(h);
    g_ptr_array_unref(clip);
    e2c_key_unref(a);
}
GST_END_TEST;

/*
 * A frame that was never encrypted is never passed on, and is "unencrypted"
 * (no format 2 header after the clear prefix, an H.264 slice without the
 * trailer or without such a header), never an authentication failure: a
 * participant who does not encrypt is not taken for a wrong secret. The
 * few whose bytes happen to start like a format 2 header (1 in 32) carry a
 * KID of no nearby epoch: stale. Ten of them make a mismatch whose cause
 * is "unencrypted".
 */
GST_START_TEST(test_plaintext_dropped)
{
    guint codec = __i__;
    E2cKey *a = test_key(0xa1);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, codec);
    GstElement *dec = find(h, "dec");
    GRand *rand = g_rand_new_with_seed(12);
    const guint n = 30;

    struct watch w;

    watch_start(&w, h->element);
    for (guint i = 0; i < n; i++)
        push_dropped(h, make_frame(codec, i % 3 == 0, 10 + 50 * i, rand, i));
    guint64 unencrypted = stat_u64(dec, "unencrypted"), stale = stat_u64(dec, "stale");
    fail_unless_equals_uint64(unencrypted + stale, n);
    fail_unless(unencrypted >= MISMATCH_RUN);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), 0);
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    fail_unless_equals_string(gst_structure_get_string(w.last, "cause"), "unencrypted");

    watch_stop(&w);
    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(a);
}
GST_END_TEST;

/* ---- key configuration ---------------------------------------------------- */

GST_START_TEST(test_enc_without_secret_fails)
{
    GstElement *enc = gst_element_factory_make("e2csframeenc", NULL);
    struct watch w;

    gst_object_ref_sink(enc);
    watch_start(&w, enc);
    fail_unless_equals_int(gst_element_set_state(enc, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    fail_unless_equals_int(watch_count(&w, "error"), 1);
    fail_unless(strstr(w.warnings->str, "ENCRYPTION_SECRET_MISSING") != NULL, "%s",
                w.warnings->str);
    gst_element_set_state(enc, GST_STATE_NULL);
    watch_stop(&w);
    gst_object_unref(enc);
}
GST_END_TEST;

/*
 * e2csframedec without any key: frames are counted, sframe-secret-missing is
 * posted once however many arrive; once a key comes, sframe-secret-found.
 */
GST_START_TEST(test_dec_without_key)
{
    E2cKey *a = test_key(0xa1);
    GPtrArray *clip = encrypt_clip(a, OPUS, 30, 0, 1, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, NULL, OPUS);
    GstElement *dec = find(h, "dec");
    struct watch w;
    gchar *state;

    watch_start(&w, h->element);
    for (guint i = 0; i < 20; i++)
        push_dropped(h, clip_at(clip, i));
    fail_unless_equals_int(watch_count(&w, "sframe-secret-missing"), 1);
    fail_unless_equals_uint64(stat_u64(dec, "unknown-kid"), 20);
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 0);
    state = dec_state(dec);
    fail_unless_equals_string(state, "secret-missing");
    g_free(state);

    g_object_set(dec, "shared-key", a, NULL);
    for (guint i = 20; i < 30; i++)
        gst_buffer_unref(push_pull(h, clip_at(clip, i)));
    fail_unless_equals_int(watch_count(&w, "sframe-secret-found"), 1);
    fail_unless_equals_int(watch_count(&w, "sframe-secret-missing"), 1);
    fail_unless_equals_int(watch_count(&w, "sframe-decrypting"), 0);

    watch_stop(&w);
    gst_harness_teardown(h);
    g_ptr_array_unref(clip);
    e2c_key_unref(a);
}
GST_END_TEST;

/* An invalid secret is refused with a warning naming INVALID_ENCRYPTION_SECRET; the key stays. */
GST_START_TEST(test_invalid_secret_keeps_key)
{
    static const gchar *const invalid[] = {"xq7z", "", "\xff\xfe zzqv7 not UTF-8"};
    E2cKey *a = test_key(0xa1);
    GstHarness *h = harness_new("e2csframeenc name=enc ! e2csframedec name=dec", a, a, OPUS);
    GRand *rand = g_rand_new_with_seed(13);
    struct watch w;
    guint n = 0;

    watch_start(&w, h->element);
    gst_buffer_unref(push_pull(h, make_frame(OPUS, TRUE, 100, rand, n++)));
    guint64 kid = key_id(find(h, "enc"));
    for (guint i = 0; i < G_N_ELEMENTS(invalid); i++) {
        g_object_set(find(h, "enc"), "secret", invalid[i], NULL);
        g_object_set(find(h, "dec"), "secret", invalid[i], NULL);
        fail_unless_equals_int(watch_count(&w, "warning"), 2 * (i + 1));
        GstBuffer *out = push_pull(h, make_frame(OPUS, TRUE, 100, rand, n++));
        fail_unless(out != NULL, "the key in force was dropped");
        gst_buffer_unref(out);
    }
    fail_unless(strstr(w.warnings->str, "INVALID_ENCRYPTION_SECRET") != NULL);
    fail_unless(strstr(w.warnings->str, "xq7z") == NULL, "the rejected secret was echoed");
    fail_unless(strstr(w.warnings->str, "zzqv7") == NULL, "the rejected secret was echoed");
    fail_unless_equals_uint64(key_id(find(h, "enc")), kid);
    fail_unless_equals_int(watch_count(&w, "error"), 0);

    watch_stop(&w);
    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(a);
}
GST_END_TEST;

/* Pushes frames until one comes out (the key is derived on a worker thread). */
static guint
push_until_out(GstHarness *h, guint codec, GRand *rand, guint *n)
{
    guint64 deadline = now_us() + DERIVE_TIMEOUT_US;
    guint dropped = 0;

    while (now_us() < deadline) {
        GstBuffer *out = push_pull(h, make_frame(codec, TRUE, 100, rand, (*n)++));
        if (out) {
            gst_buffer_unref(out);
            return dropped;
        }
        dropped++;
        g_usleep(20 * 1000);
    }
    fail("no key was derived in time");
    return dropped;
}

/*
 * secret + room on both elements: keys derived independently on each side
 * interoperate. The room is part of the key: the same secret in another
 * room is a mismatch.
 */
GST_START_TEST(test_secret_and_room)
{
    GstHarness *h = harness_new_secret("e2csframeenc name=enc room=" TEST_ROOM
                                       " ! e2csframedec name=dec room=" TEST_ROOM,
                                       GOOD_SECRET, VP9);
    GRand *rand = g_rand_new_with_seed(14);
    guint n = 0;
    gchar *room = NULL;

    g_object_get(find(h, "enc"), "room", &room, NULL);
    fail_unless_equals_string(room, TEST_ROOM);
    g_free(room);
    guint dropped = push_until_out(h, VP9, rand, &n);
    /* Frames before the keys were there were dropped (by the encrypter: never sent in clear). */
    fail_unless_equals_uint64(stat_u64(find(h, "enc"), "frames-dropped-no-key") +
                                  stat_u64(find(h, "dec"), "unknown-kid"),
                              dropped);
    for (guint i = 0; i < 5; i++) {
        GstBuffer *out = push_pull(h, make_frame(VP9, i == 0, 300, rand, n++));
        fail_unless(out != NULL);
        gst_buffer_unref(out);
    }
    gst_harness_teardown(h);

    /* Same secret, other room: the receiver holds a key, and it does not fit. */
    h = harness_new_secret(
        "e2csframeenc name=enc room=4243 ! e2csframedec name=dec room=" TEST_ROOM, GOOD_SECRET,
        VP9);
    struct watch w;
    watch_start(&w, h->element);
    guint64 deadline = now_us() + DERIVE_TIMEOUT_US;
    while (watch_count(&w, "sframe-mismatch") == 0 && now_us() < deadline) {
        push_dropped(h, make_frame(VP9, TRUE, 100, rand, n++));
        g_usleep(10 * 1000);
    }
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    fail_unless_equals_uint64(stat_u64(find(h, "dec"), "frames-ok"), 0);
    watch_stop(&w);
    gst_harness_teardown(h);
    g_rand_free(rand);
}
GST_END_TEST;

/* The serial of the key a derivation of (secret, room) returns. */
static void
on_serial(E2cKey *key, const GError *error, gpointer data)
{
    guint *serial = data;
    g_atomic_int_set(serial, key ? e2c_key_serial(key) : G_MAXUINT);
}

static guint
derived_serial(const gchar *secret, const gchar *room)
{
    guint serial = 0;
    fail_unless(e2c_key_derive_on_worker(secret, room, on_serial, &serial, NULL, NULL));
    while (g_atomic_int_get(&serial) == 0)
        g_usleep(1000);
    fail_unless(serial != G_MAXUINT);
    return serial;
}

/*
 * An element holds the key its secret gave, so another element (or the
 * application) asking for the same secret and room gets that key from the
 * cache: two derivations in a row return one key only while it is held.
 */
GST_START_TEST(test_derived_key_held)
{
    GstHarness *h = harness_new_secret("e2csframeenc name=enc room=" TEST_ROOM
                                       " ! e2csframedec name=dec room=" TEST_ROOM,
                                       GOOD_SECRET, VP8);
    GRand *rand = g_rand_new_with_seed(21);
    guint n = 0;
    push_until_out(h, VP8, rand, &n);
    guint held = derived_serial(GOOD_SECRET, TEST_ROOM);
    fail_unless_equals_int(derived_serial(GOOD_SECRET, TEST_ROOM), held);
    gst_harness_teardown(h);
    /* Nobody holds it any more: a new derivation, a new key. */
    fail_unless(derived_serial(GOOD_SECRET, TEST_ROOM) != held);
    g_rand_free(rand);
}
GST_END_TEST;

/*
 * A secret set while running replaces a shared-key, on both sides. The
 * receiver keeps the old key for an hour: the two derivations may take
 * long on a loaded machine or under valgrind, and every frame must open.
 */
GST_START_TEST(test_secret_rekey_while_running)
{
    E2cKey *a = test_key(0xa1);
    GstHarness *h = harness_new(
        "e2csframeenc name=enc switch-delay=0 ! e2csframedec name=dec grace-period=3600000", a, a,
        OPUS);
    GstElement *enc = find(h, "enc"), *dec = find(h, "dec");
    GRand *rand = g_rand_new_with_seed(15);
    guint n = 0;

    gst_buffer_unref(push_pull(h, make_frame(OPUS, TRUE, 100, rand, n++)));
    guint64 kid = key_id(enc);
    guint keys = 0;
    GstStructure *s = NULL;
    /* Receive first (the application's part): the receiver holds the new key before the sender. */
    g_object_set(dec, "room", TEST_ROOM, "secret", OTHER_SECRET, NULL);
    guint64 deadline = now_us() + DERIVE_TIMEOUT_US;
    while (keys < 2 && now_us() < deadline) {
        g_usleep(20 * 1000);
        g_object_get(dec, "stats", &s, NULL);
        fail_unless(gst_structure_get_uint(s, "keys-held", &keys));
        gst_structure_free(s);
    }
    fail_unless_equals_int(keys, 2);
    g_object_set(enc, "room", TEST_ROOM, "secret", OTHER_SECRET, NULL);
    while (stat_u64(enc, "key-switches") == 0 && now_us() < deadline) {
        /* Until both keys are there every frame still opens: under the old key, or the new. */
        GstBuffer *out = push_pull(h, make_frame(OPUS, TRUE, 100, rand, n++));
        fail_unless(out != NULL);
        gst_buffer_unref(out);
        g_usleep(20 * 1000);
    }
    fail_unless_equals_uint64(stat_u64(enc, "key-switches"), 1);
    fail_unless(key_id(enc) != kid);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);

    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(a);
}
GST_END_TEST;

static void
assert_fields(GstStructure *s, const gchar *const *u64, const gchar *const *other,
              const GType *other_types)
{
    for (guint i = 0; u64[i]; i++)
        fail_unless(gst_structure_has_field_typed(s, u64[i], G_TYPE_UINT64),
                    "%s in %" GST_PTR_FORMAT, u64[i], s);
    for (guint i = 0; other[i]; i++)
        fail_unless(gst_structure_has_field_typed(s, other[i], other_types[i]),
                    "%s in %" GST_PTR_FORMAT, other[i], s);
}

/* The stats fields e2call-e2ee(7) lists, with their values after a short run. */
GST_START_TEST(test_stats_fields)
{
    static const gchar *const enc_u64[] = {"frames-protected",  "bytes-in",
                                           "bytes-out",         "frames-dropped-no-key",
                                           "frames-malformed",  "key-switches",
                                           "kid-rotations",     "kid",
                                           "next-ctr",          "previous-kid",
                                           "previous-next-ctr", "crypt-ns",
                                           "crypt-frames",      NULL};
    static const gchar *const enc_other[] = {"cipher-suite", NULL};
    static const GType enc_other_types[] = {G_TYPE_UINT};
    static const gchar *const dec_u64[] = {"frames-ok",
                                           "auth-failed",
                                           "auth-failed-after-loss",
                                           "replayed",
                                           "malformed",
                                           "unencrypted",
                                           "stale",
                                           "kid-limited",
                                           "unknown-kid",
                                           "waiting-keyframe",
                                           "mismatch-events",
                                           "match-events",
                                           "frames-lost",
                                           "kid",
                                           "next-ctr",
                                           "crypt-ns",
                                           "crypt-frames",
                                           NULL};
    static const gchar *const dec_other[] = {"state", "keys-held", "cipher-suite", NULL};
    static const GType dec_other_types[] = {G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT};
    E2cKey *a = test_key(0xa1);
    GstHarness *h = harness_new(
        "e2csframeenc name=enc cipher-suite=4 ! e2csframedec name=dec cipher-suite=4", a, a, VP8);
    GstElement *enc = find(h, "enc"), *dec = find(h, "dec");
    GRand *rand = g_rand_new_with_seed(16);
    GstStructure *s = NULL;
    guint suite = 0, keys = 0;
    gsize in_bytes = 0, out_bytes = 0;

    for (guint i = 0; i < 6; i++) {
        GstBuffer *in = make_frame(VP8, i % 3 == 0, 500, rand, i);
        in_bytes += gst_buffer_get_size(in);
        GstBuffer *out = push_pull(h, in);
        gst_buffer_unref(out);
    }
    push_dropped(h, gst_buffer_new()); /* an empty frame */

    g_object_get(enc, "stats", &s, NULL);
    fail_unless_equals_string(gst_structure_get_name(s), "sframeenc-stats");
    assert_fields(s, enc_u64, enc_other, enc_other_types);
    fail_unless(gst_structure_get_uint(s, "cipher-suite", &suite));
    fail_unless_equals_int(suite, 4);
    gst_structure_free(s);
    fail_unless_equals_uint64(stat_u64(enc, "frames-protected"), 6);
    fail_unless_equals_uint64(stat_u64(enc, "bytes-in"), in_bytes);
    out_bytes = stat_u64(enc, "bytes-out");
    fail_unless(out_bytes > in_bytes && out_bytes < in_bytes + 6 * 40);
    fail_unless_equals_uint64(stat_u64(enc, "kid"), key_id(enc));
    fail_unless_equals_uint64(stat_u64(enc, "frames-malformed"), 1);
    /* The time covers the frames sealed, not the one dropped. */
    fail_unless_equals_uint64(stat_u64(enc, "crypt-frames"), 6);
    fail_unless(stat_u64(enc, "crypt-ns") > 0);

    g_object_get(dec, "stats", &s, NULL);
    fail_unless_equals_string(gst_structure_get_name(s), "sframedec-stats");
    assert_fields(s, dec_u64, dec_other, dec_other_types);
    fail_unless(gst_structure_get_uint(s, "cipher-suite", &suite));
    fail_unless_equals_int(suite, 4);
    fail_unless(gst_structure_get_uint(s, "keys-held", &keys));
    fail_unless_equals_int(keys, 1);
    fail_unless_equals_string(gst_structure_get_string(s, "state"), "decrypting");
    gst_structure_free(s);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), 6);
    fail_unless_equals_uint64(stat_u64(dec, "kid"), key_id(enc));
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);
    fail_unless_equals_uint64(stat_u64(dec, "crypt-frames"), 6);
    fail_unless(stat_u64(dec, "crypt-ns") > 0);

    g_rand_free(rand);
    gst_harness_teardown(h);
    e2c_key_unref(a);
}
GST_END_TEST;

/*
 * wait-for-keyframe (default TRUE): delta frames that open before the first
 * keyframe are counted and held back; with FALSE they pass at once.
 */
GST_START_TEST(test_wait_for_keyframe)
{
    gboolean wait = __i__ == 0;
    E2cKey *a = test_key(0xa1);
    GPtrArray *clip = encrypt_clip(a, H264, 12, 6, 1, NULL);
    GstHarness *h = harness_new(wait ? "e2csframedec name=dec"
                                     : "e2csframedec name=dec wait-for-keyframe=false",
                                NULL, a, H264);
    GstElement *dec = find(h, "dec");
    gboolean prop = !wait;
    guint passed = 0;

    g_object_get(dec, "wait-for-keyframe", &prop, NULL);
    fail_unless_equals_int(prop, wait);
    /* Start mid-stream: frames 1-5 are delta frames, 6 a keyframe. */
    for (guint i = 1; i < 12; i++) {
        GstBuffer *out = push_pull(h, clip_at(clip, i));
        if (out) {
            passed++;
            if (wait)
                fail_unless(i >= 6, "delta frame %u passed before the keyframe", i);
            gst_buffer_unref(out);
        }
    }
    fail_unless_equals_int(passed, wait ? 6 : 11);
    fail_unless_equals_uint64(stat_u64(dec, "waiting-keyframe"), wait ? 5 : 0);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), 11);

    gst_harness_teardown(h);
    g_ptr_array_unref(clip);
    e2c_key_unref(a);
}
GST_END_TEST;

/* ---- the secret stays secret ---------------------------------------------- */

GST_START_TEST(test_secret_write_only)
{
    static const gchar *const names[] = {"e2csframeenc", "e2csframedec"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        GstElement *e = gst_object_ref_sink(gst_element_factory_make(names[i], NULL));
        GObjectClass *klass = G_OBJECT_GET_CLASS(e);
        GParamSpec *secret = g_object_class_find_property(klass, "secret");
        GParamSpec *key = g_object_class_find_property(klass, "shared-key");

        fail_unless(secret && key);
        fail_unless(secret->flags & G_PARAM_WRITABLE);
        fail_if(secret->flags & G_PARAM_READABLE, "%s: secret is readable", names[i]);
        fail_if(key->flags & G_PARAM_READABLE, "%s: shared-key is readable", names[i]);
        gst_object_unref(e);
    }
}
GST_END_TEST;

#define CANARY "canary-7c1d5e-secret"

static GString *debug_log;
static GMutex debug_log_lock;

static void
capture_log(GstDebugCategory *category, GstDebugLevel level, const gchar *file,
            const gchar *function, gint line, GObject *object, GstDebugMessage *message,
            gpointer user_data)
{
    const gchar *text = gst_debug_message_get(message);
    g_mutex_lock(&debug_log_lock);
    g_string_append_printf(debug_log, "%s %s:%d %s %s\n", gst_debug_category_get_name(category),
                           file, line, function, text ? text : "");
    g_mutex_unlock(&debug_log_lock);
}

static gchar *
hex_of(const gchar *s, const gchar *sep)
{
    GString *out = g_string_new(NULL);
    for (const gchar *p = s; *p; p++)
        g_string_append_printf(out, "%s%02x", p == s ? "" : sep, (guint8)*p);
    return g_string_free(out, FALSE);
}

/*
 * A short run at GST_DEBUG=*:9 with a canary secret on both elements: a
 * derivation, a rekey to a second canary while running, and a canary that
 * is not UTF-8 (refused). The log holds neither a canary nor its hex. The
 * secrets are set with g_object_set(): in a launch line they would be in
 * GStreamer's own parser log (GST_PIPELINE, DEBUG level) whatever the
 * elements do.
 */
GST_START_TEST(test_secret_not_in_debug_log)
{
    GstDebugLevel old_level = gst_debug_get_default_threshold();
    gboolean old_active = gst_debug_is_active();
    GRand *rand = g_rand_new_with_seed(17);
    guint n = 0;

    debug_log = g_string_new(NULL);
    /* Level 9 on stderr would bury the test log: only the capture writes. */
    guint had_default = gst_debug_remove_log_function(gst_debug_log_default);
    gst_debug_add_log_function(capture_log, NULL, NULL);
    gst_debug_set_active(TRUE);
    gst_debug_set_default_threshold(GST_LEVEL_MEMDUMP);

    GstHarness *h = harness_new_secret("e2csframeenc name=enc room=" TEST_ROOM
                                       " switch-delay=0 ! e2csframedec name=dec room=" TEST_ROOM,
                                       CANARY, OPUS);
    push_until_out(h, OPUS, rand, &n);
    g_object_set(find(h, "enc"), "secret", CANARY "-2", NULL);
    g_object_set(find(h, "dec"), "secret", CANARY "-2", NULL);
    g_object_set(find(h, "dec"), "secret", CANARY "\xff", NULL);
    guint64 deadline = now_us() + DERIVE_TIMEOUT_US;
    while (stat_u64(find(h, "enc"), "key-switches") == 0 && now_us() < deadline) {
        push_any(h, make_frame(OPUS, TRUE, 50, rand, n++));
        g_usleep(20 * 1000);
    }
    fail_unless_equals_uint64(stat_u64(find(h, "enc"), "key-switches"), 1);
    gst_harness_teardown(h);

    gst_debug_set_default_threshold(old_level);
    gst_debug_set_active(old_active);
    gst_debug_remove_log_function(capture_log);
    if (had_default)
        gst_debug_add_log_function(gst_debug_log_default, NULL, NULL);

    gchar *hex = hex_of(CANARY, ""), *hex_spaced = hex_of(CANARY, " ");
    g_mutex_lock(&debug_log_lock);
    fail_unless(debug_log->len > 10000, "the debug log was not captured");
    fail_unless(strstr(debug_log->str, "e2csframeenc") != NULL);
    fail_unless(strstr(debug_log->str, CANARY) == NULL, "the secret is in the debug log");
    fail_unless(strstr(debug_log->str, "canary") == NULL, "part of the secret is in the log");
    fail_unless(strstr(debug_log->str, hex) == NULL);
    fail_unless(strstr(debug_log->str, hex_spaced) == NULL);
    g_string_free(debug_log, TRUE);
    debug_log = NULL;
    g_mutex_unlock(&debug_log_lock);
    g_free(hex);
    g_free(hex_spaced);
    g_rand_free(rand);
}
GST_END_TEST;

/* ---- freshness, replay domains, KID budget, short tags ---------------------- */

/*
 * Frames sealed two epochs before the receiver's clock (recorded media, or
 * a clock 20 minutes off) are stale: dropped and counted before any key is
 * touched, never an authentication failure, and ten of them make one
 * mismatch whose cause is "stale". Back within an epoch, they open again.
 */
GST_START_TEST(test_stale)
{
    E2cKey *a = test_key(0xa1);
    GPtrArray *clip = encrypt_clip(a, VP8, 24, 12, 1, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, VP8);
    GstElement *dec = find(h, "dec");
    struct watch w;

    watch_start(&w, h->element);
    wall_now = WALL_MID + 2 * E2C_EPOCH_SECONDS;
    for (guint i = 0; i < 12; i++)
        push_dropped(h, clip_at(clip, i));
    fail_unless_equals_uint64(stat_u64(dec, "stale"), 12);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), 0);
    fail_unless_equals_int(watch_count(&w, "sframe-mismatch"), 1);
    fail_unless_equals_string(gst_structure_get_string(w.last, "cause"), "stale");

    wall_now = WALL_MID + E2C_EPOCH_SECONDS;
    GstBuffer *out = push_pull(h, clip_at(clip, 12)); /* a keyframe */
    fail_unless(out != NULL);
    gst_buffer_unref(out);
    fail_unless_equals_int(watch_count(&w, "sframe-match"), 1);
    wall_now = WALL_MID;

    watch_stop(&w);
    gst_harness_teardown(h);
    g_ptr_array_unref(clip);
    e2c_key_unref(a);
}
GST_END_TEST;

/*
 * replay-domain: a participant's receiver passes frames and goes (the
 * router hung up its subscription); the participant's next receiver, same
 * domain, drops the same frames as replays (never failures) and passes the
 * sender's new ones. Another participant's receiver (another domain), and
 * one without a domain, pass them all.
 */
GST_START_TEST(test_replay_domain)
{
    E2cKey *a = test_key(0xa1);
    GPtrArray *clip = encrypt_clip(a, VP8, 20, 10, 1, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec replay-domain=alice", NULL, a, VP8);
    gchar *domain = NULL;

    g_object_get(find(h, "dec"), "replay-domain", &domain, NULL);
    fail_unless_equals_string(domain, "alice");
    g_free(domain);
    for (guint i = 0; i < 10; i++)
        gst_buffer_unref(push_pull(h, clip_at(clip, i)));
    gst_harness_teardown(h);

    h = harness_new("e2csframedec name=dec replay-domain=alice", NULL, a, VP8);
    GstElement *dec = find(h, "dec");
    for (guint i = 0; i < 10; i++)
        push_dropped(h, clip_at(clip, i));
    fail_unless_equals_uint64(stat_u64(dec, "replayed"), 10);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), 0);
    for (guint i = 10; i < 20; i++) /* frame 10 is a keyframe */
        gst_buffer_unref(push_pull(h, clip_at(clip, i)));
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), 10);
    gst_harness_teardown(h);

    static const gchar *const others[] = {"e2csframedec name=dec replay-domain=bob",
                                          "e2csframedec name=dec"};
    for (guint k = 0; k < G_N_ELEMENTS(others); k++) {
        h = harness_new(others[k], NULL, a, VP8);
        for (guint i = 0; i < 20; i++)
            gst_buffer_unref(push_pull(h, clip_at(clip, i)));
        fail_unless_equals_uint64(stat_u64(find(h, "dec"), "frames-ok"), 20);
        gst_harness_teardown(h);
    }
    g_ptr_array_unref(clip);
    e2c_key_unref(a);
}
GST_END_TEST;

/*
 * Frames under many new KIDs at once (each from its own e2csframeenc, under a
 * key the receiver does not hold): the first ones are tried and fail, the
 * rest are refused by the budget for unauthenticated KIDs ("kid-limited",
 * not failures), and the real stream keeps opening in between.
 */
GST_START_TEST(test_kid_budget)
{
    E2cKey *a = test_key(0xa1), *b = test_key(0xb2);
    GPtrArray *good = encrypt_clip(a, OPUS, 60, 0, 1, NULL);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, a, OPUS);
    GstElement *dec = find(h, "dec");
    const guint n = 60;

    gst_buffer_unref(push_pull(h, clip_at(good, 0)));
    for (guint i = 1; i < n; i++) {
        GPtrArray *one = encrypt_clip(b, OPUS, 1, 0, 100 + i, NULL);
        push_dropped(h, clip_at(one, 0));
        g_ptr_array_unref(one);
        gst_buffer_unref(push_pull(h, clip_at(good, i)));
    }
    guint64 failed = stat_u64(dec, "auth-failed"), limited = stat_u64(dec, "kid-limited");
    fail_unless_equals_uint64(failed + limited, n - 1);
    /* The burst (less the real stream's first KID) is tried; how much refills while this runs
     * depends on the machine: the exact bound is the unit test's, on an injected clock. */
    fail_unless(failed >= 10 && limited >= n / 2,
                "%" G_GUINT64_FORMAT " failed, %" G_GUINT64_FORMAT " limited", failed, limited);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), n);

    gst_harness_teardown(h);
    g_ptr_array_unref(good);
    e2c_key_unref(a);
    e2c_key_unref(b);
}
GST_END_TEST;

/* Suites 3 and 8 (4-byte tags): each element posts one warning when it starts; others none. */
GST_START_TEST(test_short_tag_warning)
{
    E2cKey *a = test_key(0xa1);
    static const gchar *const factories[] = {"e2csframeenc", "e2csframedec"};
    for (guint suite = 1; suite <= 8; suite++) {
        for (guint f = 0; f < G_N_ELEMENTS(factories); f++) {
            GstElement *e = gst_element_factory_make(factories[f], NULL);
            struct watch w;
            gst_object_ref_sink(e);
            g_object_set(e, "cipher-suite", suite, "shared-key", a, NULL);
            watch_start(&w, e);
            fail_unless(gst_element_set_state(e, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
            guint want = suite == 3 || suite == 8;
            fail_unless_equals_int(watch_count(&w, "warning"), want);
            if (want)
                fail_unless(strstr(w.warnings->str, "4-byte tags") != NULL, "%s", w.warnings->str);
            gst_element_set_state(e, GST_STATE_NULL);
            watch_stop(&w);
            gst_object_unref(e);
        }
    }
    e2c_key_unref(a);
}
GST_END_TEST;

/*
 * E2cSFrameMeta: each sealed frame names its first SFrame (the KID, counters from 0 and one
 * per SFrame), and the frame opened from the same bytes (metadata gone, as on the wire)
 * carries the same identity.
 */
GST_START_TEST(test_sframe_meta)
{
    guint codec = __i__;
    E2cKey *k = test_key(0x2a);
    guint64 kid = 0;
    GPtrArray *clip = encrypt_clip(k, codec, 20, 10, 7, &kid);
    GstHarness *h = harness_new("e2csframedec name=dec", NULL, k, codec);
    guint64 expected_ctr = 0;
    fail_unless(kid != 0);
    for (guint i = 0; i < clip->len; i++) {
        GstBuffer *sealed = g_ptr_array_index(clip, i);
        guint64 mkid = 0, mctr = 0;
        fail_unless(e2c_sframe_meta_get(sealed, &mkid, &mctr), "frame %u: no meta", i);
        fail_unless_equals_uint64(mkid, kid);
        if (codec == H264)
            fail_unless(mctr >= expected_ctr); /* one counter per protected NAL unit */
        else
            fail_unless_equals_uint64(mctr, expected_ctr);
        expected_ctr = mctr + 1;
        /* Only the bytes and timestamps cross the network. */
        GstBuffer *wire = gst_buffer_copy_deep(sealed);
        while (gst_buffer_get_custom_meta(wire, E2C_SFRAME_META_NAME))
            gst_buffer_remove_meta(
                wire, (GstMeta *)gst_buffer_get_custom_meta(wire, E2C_SFRAME_META_NAME));
        GstBuffer *opened = push_pull(h, wire);
        fail_unless(opened != NULL, "frame %u: not opened", i);
        guint64 okid = 0, octr = 0;
        fail_unless(e2c_sframe_meta_get(opened, &okid, &octr), "frame %u: no meta opened", i);
        fail_unless_equals_uint64(okid, mkid);
        fail_unless_equals_uint64(octr, mctr);
        gst_buffer_unref(opened);
    }
    g_ptr_array_unref(clip);
    gst_harness_teardown(h);
    e2c_key_unref(k);
}
GST_END_TEST;

static Suite *
sframe_elements_suite(void)
{
    Suite *s = suite_create("sframe-elements");
    TCase *tc = tcase_create("general");

    e2c_plugin_register_static();
    e2c_wallclock_set_for_test(test_wallclock);
    suite_add_tcase(s, tc);
    /* Key derivations (600000 PBKDF2 iterations) are slow, under valgrind
     * minutes for the tests that make two or three. */
    tcase_set_timeout(tc, RUNNING_ON_VALGRIND ? 3600 : 600);
    tcase_add_loop_test(tc, test_roundtrip, 0, 2 * N_CODECS);
    tcase_add_loop_test(tc, test_no_plaintext_after_prefix, 0, 2 * N_CODECS);
    tcase_add_test(tc, test_short_frame_not_sent);
    tcase_add_test(tc, test_rekey_immediate);
    tcase_add_test(tc, test_rekey_default_delay);
    tcase_add_test(tc, test_grace_period);
    tcase_add_test(tc, test_grace_period_changed_while_playing);
    tcase_add_test(tc, test_mismatch_then_match);
    tcase_add_test(tc, test_discont_failures_never_count);
    tcase_add_test(tc, test_replay);
    tcase_add_loop_test(tc, test_malformed_and_truncated, 0, N_CODECS);
    tcase_add_loop_test(tc, test_plaintext_dropped, 0, N_CODECS);
    tcase_add_test(tc, test_enc_without_secret_fails);
    tcase_add_test(tc, test_dec_without_key);
    tcase_add_test(tc, test_invalid_secret_keeps_key);
    tcase_add_test(tc, test_secret_and_room);
    tcase_add_test(tc, test_derived_key_held);
    tcase_add_test(tc, test_secret_rekey_while_running);
    tcase_add_test(tc, test_stats_fields);
    tcase_add_loop_test(tc, test_wait_for_keyframe, 0, 2);
    tcase_add_test(tc, test_secret_write_only);
    tcase_add_test(tc, test_secret_not_in_debug_log);
    tcase_add_test(tc, test_stale);
    tcase_add_test(tc, test_replay_domain);
    tcase_add_test(tc, test_kid_budget);
    tcase_add_test(tc, test_short_tag_warning);
    tcase_add_loop_test(tc, test_sframe_meta, 0, N_CODECS);
    return s;
}

GST_CHECK_MAIN(sframe_elements);
