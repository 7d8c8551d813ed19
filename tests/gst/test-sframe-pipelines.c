/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2csframeenc and e2csframedec between real encoders, payloaders, depayloaders
 * and decoders, per codec:
 *
 *   encoder ! [e2csframeenc] ! payloader ! (loss) ! depayloader ! [e2csframedec] ! decoder
 *
 * - without loss, the decoded output equals the path without the element pair;
 * - with 5 % random packet loss, no mismatch is reported, every frame
 *   e2csframedec passes on is the encoder's frame, and every decoded frame
 *   whose references all arrived equals the loss-free decode;
 * - without e2csframedec, the same RTP does not give back the picture or sound;
 * - a peer that does not encrypt (no e2csframeenc) is "unencrypted", never an
 *   authentication failure, and its mismatch says so (cause "unencrypted");
 * - across a ten-minute epoch boundary of the (injected) wall clock the
 *   sender rotates its KID and the receiver loses no frame;
 * - H.264 access units survive rtph264pay / rtph264depay byte for byte.
 *
 * Each clip is encoded once and replayed into every path, so the paths see
 * the same frames and pair them by PTS.
 */
#include <gst/audio/audio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

#include "e2ckey.h"
#include "buffers-equal.h"
#include "e2cplugin.h"
#include "envelope.h"
#include "keysched.h"
#include "wallclock.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/*
 * Under valgrind (meson test --setup=valgrind) the encoders and decoders
 * run about a hundred times slower: clips a quarter as long, one loss seed
 * and a tenth of the byte-for-byte frames keep each check within its
 * timeout. The full-size checks are the ordinary run's.
 */
static guint
scaled(guint n, guint divisor)
{
    return RUNNING_ON_VALGRIND ? n / divisor : n;
}

#define VIDEO_SRC                                                                                  \
    "videotestsrc pattern=smpte horizontal-speed=4 ! capsfilter "                                  \
    "caps=video/x-raw,format=I420,width=320,height=240,framerate=30/1"
#define AUDIO_SRC                                                                                  \
    "audiotestsrc wave=sine freq=440 volume=0.5 samplesperbuffer=960 ! capsfilter "                \
    "caps=audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1"
#define LOSS 0.05
#define LOSS_SEEDS scaled(3, 3)
/* PSNR (dB) a decoded frame must reach against the loss-free decode, and
 * one no real picture stays under when decoded from ciphertext. */
#define INTACT_DB 35.0
#define GARBAGE_DB 15.0

enum { VP8, VP9, H264, OPUS, N_CODECS };

static const struct codec {
    const gchar *name;
    gboolean audio;
    const gchar *src;
    const gchar *encoder;
    const gchar *pay, *depay, *dec;
    guint n_frames;
} codecs[N_CODECS] = {
    /* The stock rtpvp8pay cannot parse encrypted VP8: both paths use e2csframevp8pay. */
    [VP8] = {"vp8", FALSE, VIDEO_SRC,
             "vp8enc deadline=1 lag-in-frames=0 keyframe-max-dist=30 target-bitrate=600000 "
             "threads=1",
             "e2csframevp8pay mtu=1000", "rtpvp8depay", "vp8dec", 240},
    [VP9] = {"vp9", FALSE, VIDEO_SRC,
             "vp9enc deadline=1 cpu-used=8 lag-in-frames=0 keyframe-max-dist=30 "
             "target-bitrate=600000 threads=1",
             "rtpvp9pay mtu=1000", "rtpvp9depay", "vp9dec", 150},
    /* config-interval=0, aggregate-mode=zero-latency as in a call; x264 with
     * two threads makes two slices per frame. */
    [H264] = {"h264", FALSE, VIDEO_SRC,
              "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=600 "
              "threads=2 ! capsfilter caps=video/x-h264,profile=constrained-baseline,"
              "stream-format=byte-stream,alignment=au",
              "rtph264pay mtu=1000 config-interval=0 aggregate-mode=zero-latency", "rtph264depay",
              "avdec_h264", 240},
    [OPUS] = {"opus", TRUE, AUDIO_SRC, "opusenc frame-size=20 bitrate=64000", "rtpopuspay",
              "rtpopusdepay", "opusdec", 300},
};

/* ---- clips ---------------------------------------------------------------- */

struct clip {
    GPtrArray *raw; /* source frames */
    GstCaps *raw_caps;
    GPtrArray *enc; /* encoder output */
    GstCaps *enc_caps;
};

static struct clip clips[N_CODECS];

static void
clips_free(void)
{
    for (guint i = 0; i < N_CODECS; i++) {
        g_clear_pointer(&clips[i].raw, g_ptr_array_unref);
        g_clear_pointer(&clips[i].enc, g_ptr_array_unref);
        gst_clear_caps(&clips[i].raw_caps);
        gst_clear_caps(&clips[i].enc_caps);
    }
}

static GPtrArray *
pull_all(GstHarness *h)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    GstBuffer *buf;

    while ((buf = gst_harness_try_pull(h)))
        g_ptr_array_add(out, buf);
    return out;
}

/* Encoded once per process and codec; every test reads the same frames. */
static const struct clip *
get_clip(guint codec)
{
    const struct codec *c = &codecs[codec];
    struct clip *clip = &clips[codec];
    GstHarness *h;

    if (clip->enc)
        return clip;

    h = gst_harness_new("identity");
    gst_harness_add_src_parse(h, c->src, FALSE);
    guint n_frames = scaled(c->n_frames, 4);
    for (guint i = 0; i < n_frames; i++)
        fail_unless_equals_int(gst_harness_push_from_src(h), GST_FLOW_OK);
    clip->raw = pull_all(h);
    clip->raw_caps = gst_pad_get_current_caps(h->sinkpad);
    gst_harness_teardown(h);
    fail_unless_equals_int(clip->raw->len, n_frames);

    h = gst_harness_new_parse(c->encoder);
    gst_harness_set_src_caps(h, gst_caps_ref(clip->raw_caps));
    for (guint i = 0; i < clip->raw->len; i++)
        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(g_ptr_array_index(clip->raw, i))),
                               GST_FLOW_OK);
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    clip->enc = pull_all(h);
    clip->enc_caps = gst_pad_get_current_caps(h->sinkpad);
    gst_harness_teardown(h);
    fail_unless(clip->enc->len >= n_frames * 9 / 10, "%s: %u frames encoded", c->name,
                clip->enc->len);
    return clip;
}

static gboolean
is_keyframe(guint codec, GstBuffer *frame)
{
    return codec == OPUS || !GST_BUFFER_FLAG_IS_SET(frame, GST_BUFFER_FLAG_DELTA_UNIT);
}

/* ---- running a path ------------------------------------------------------- */

struct run {
    GPtrArray *out; /* decoder output */
    GstCaps *out_caps;
    GHashTable *passed; /* PTS -> what e2csframedec passed on (GstBuffer) */
    guint packets, lost;
    guint mismatches, errors;
    gchar *cause; /* of the last sframe-mismatch */
    guint64 frames_ok, auth_failed, damaged, malformed, unencrypted, stale, counter_gaps;
    guint64 rotations; /* e2csframeenc's kid-rotations */
    GRand *loss;
};

static void
run_clear(struct run *r)
{
    g_clear_pointer(&r->out, g_ptr_array_unref);
    gst_clear_caps(&r->out_caps);
    g_clear_pointer(&r->passed, g_hash_table_unref);
    g_clear_pointer(&r->loss, g_rand_free);
    g_clear_pointer(&r->cause, g_free);
}

/*
 * The wall clock the elements read (wallclock.h): a fixed time in the
 * middle of an epoch, so that no test crosses an epoch boundary unless it
 * means to (test_epoch_boundary moves it).
 */
#define WALL_MID (INT64_C(2950123) * E2C_EPOCH_SECONDS + 300)
static gint64 wall_now = WALL_MID;

/* The harness runs every element in the test's own thread: no other reader. */
static int64_t
test_wallclock(void)
{
    return wall_now;
}

static gboolean
drop_from_list(GstBuffer **buf, guint idx, gpointer data)
{
    struct run *r = data;
    r->packets++;
    if (g_rand_double(r->loss) < LOSS) {
        r->lost++;
        gst_buffer_unref(*buf);
        *buf = NULL;
    }
    return TRUE;
}

/* Loss between payloader and depayloader: a seeded coin per RTP packet. */
static GstPadProbeReturn
drop_packets(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct run *r = data;

    if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
        gst_buffer_list_foreach(list, drop_from_list, r);
        GST_PAD_PROBE_INFO_DATA(info) = list;
        return gst_buffer_list_length(list) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
    }
    r->packets++;
    if (g_rand_double(r->loss) < LOSS) {
        r->lost++;
        return GST_PAD_PROBE_DROP;
    }
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
record_passed(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct run *r = data;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    guint64 *pts = g_new(guint64, 1);

    *pts = GST_BUFFER_PTS(buf);
    g_hash_table_insert(r->passed, pts, gst_buffer_ref(buf));
    return GST_PAD_PROBE_OK;
}

static GstElement *
child(GstElement *bin, const gchar *name)
{
    GstElement *e = gst_bin_get_by_name(GST_BIN(bin), name);
    if (e)
        gst_object_unref(e); /* the bin keeps it */
    return e;
}

static guint64
stat_u64(GstElement *e, const gchar *field)
{
    GstStructure *s = NULL;
    guint64 v = 0;

    g_object_get(e, "stats", &s, NULL);
    fail_unless(s && gst_structure_get_uint64(s, field, &v));
    gst_structure_free(s);
    return v;
}

/* PLAIN_PEER: what a receiver gets from a participant who does not encrypt. */
enum path { PLAIN, E2EE, NO_SFRAMEDEC, PLAIN_PEER };

/* Before frame at_frame is pushed, the wall clock moves to at_wall (0: never). */
struct clock_jump {
    guint at_frame;
    gint64 at_wall;
};

/*
 * Runs clip through one path; loss_seed 0 means no loss. The elements
 * named "enc", "pay" and "dec" get their keys and probes before starting.
 */
static void
run_path_jump(guint codec, enum path path, guint32 loss_seed, const struct clock_jump *jump,
              struct run *r)
{
    const struct codec *c = &codecs[codec];
    const struct clip *clip = get_clip(codec);
    gchar *desc;
    GError *error = NULL;
    GstElement *bin, *e;
    GstHarness *h;
    GstBus *bus = gst_bus_new();
    GstMessage *msg;
    E2cKey *key;
    guint8 bytes[E2C_SHARED_KEY_LEN];

    memset(r, 0, sizeof(*r));
    r->passed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify)gst_buffer_unref);
    r->loss = g_rand_new_with_seed(loss_seed);
    gboolean enc = path == E2EE || path == NO_SFRAMEDEC, dec = path == E2EE || path == PLAIN_PEER;
    desc = g_strdup_printf("%s %s name=pay ! %s ! %s %s", enc ? "e2csframeenc name=enc !" : "",
                           c->pay, c->depay, dec ? "e2csframedec name=dec !" : "", c->dec);
    bin = gst_parse_bin_from_description(desc, TRUE, &error);
    fail_unless(bin != NULL, "%s: %s", desc, error ? error->message : "?");
    g_free(desc);

    memset(bytes, 0x5a, sizeof(bytes));
    key = e2c_key_new_from_bytes(bytes);
    if ((e = child(bin, "enc")))
        g_object_set(e, "shared-key", key, NULL);
    if ((e = child(bin, "dec"))) {
        GstPad *pad = gst_element_get_static_pad(e, "src");
        g_object_set(e, "shared-key", key, NULL);
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, record_passed, r, NULL);
        gst_object_unref(pad);
    }
    if (loss_seed) {
        GstPad *pad = gst_element_get_static_pad(child(bin, "pay"), "src");
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                          drop_packets, r, NULL);
        gst_object_unref(pad);
    }
    e2c_key_unref(key);

    h = gst_harness_new_with_element(bin, "sink", "src");
    gst_element_set_bus(bin, bus);
    gst_harness_set_src_caps(h, gst_caps_ref(clip->enc_caps));
    for (guint i = 0; i < clip->enc->len; i++) {
        if (jump && i == jump->at_frame)
            wall_now = jump->at_wall;
        GstFlowReturn ret = gst_harness_push(h, gst_buffer_ref(g_ptr_array_index(clip->enc, i)));
        fail_unless(ret == GST_FLOW_OK || path == NO_SFRAMEDEC, "%s: frame %u: %s", c->name, i,
                    gst_flow_get_name(ret));
        if (ret != GST_FLOW_OK)
            break;
    }
    gst_harness_push_event(h, gst_event_new_eos());
    r->out = pull_all(h);
    r->out_caps = gst_pad_get_current_caps(h->sinkpad);

    while ((msg = gst_bus_pop(bus))) {
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT &&
            gst_message_has_name(msg, "sframe-mismatch")) {
            r->mismatches++;
            g_free(r->cause);
            r->cause = g_strdup(gst_structure_get_string(gst_message_get_structure(msg), "cause"));
        }
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
            r->errors++;
        gst_message_unref(msg);
    }
    if ((e = child(bin, "dec"))) {
        r->frames_ok = stat_u64(e, "frames-ok");
        r->auth_failed = stat_u64(e, "auth-failed");
        r->damaged = stat_u64(e, "auth-failed-after-loss");
        r->malformed = stat_u64(e, "malformed") + stat_u64(e, "unencrypted");
        r->unencrypted = stat_u64(e, "unencrypted");
        r->stale = stat_u64(e, "stale");
        r->counter_gaps = stat_u64(e, "frames-lost");
    }
    if ((e = child(bin, "enc")))
        r->rotations = stat_u64(e, "kid-rotations");
    gst_bus_set_flushing(bus, TRUE);
    gst_element_set_bus(bin, NULL);
    gst_object_unref(bus);
    gst_object_unref(bin);
    gst_harness_teardown(h);
    wall_now = WALL_MID;
}

static void
run_path(guint codec, enum path path, guint32 loss_seed, struct run *r)
{
    run_path_jump(codec, path, loss_seed, NULL, r);
}

/* ---- comparing output ----------------------------------------------------- */

/* PSNR of a against b over all planes of two video frames; INFINITY when equal. */
static gdouble
video_psnr(GstCaps *caps_a, GstBuffer *a, GstCaps *caps_b, GstBuffer *b)
{
    GstVideoInfo ia, ib;
    GstVideoFrame fa, fb;
    gdouble sum = 0;
    guint64 n = 0;

    fail_unless(gst_video_info_from_caps(&ia, caps_a) && gst_video_info_from_caps(&ib, caps_b));
    fail_unless_equals_int(GST_VIDEO_INFO_FORMAT(&ia), GST_VIDEO_INFO_FORMAT(&ib));
    fail_unless_equals_int(GST_VIDEO_INFO_WIDTH(&ia), GST_VIDEO_INFO_WIDTH(&ib));
    fail_unless_equals_int(GST_VIDEO_INFO_HEIGHT(&ia), GST_VIDEO_INFO_HEIGHT(&ib));
    fail_unless(gst_video_frame_map(&fa, &ia, a, GST_MAP_READ));
    fail_unless(gst_video_frame_map(&fb, &ib, b, GST_MAP_READ));
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&fa); p++) {
        guint w = GST_VIDEO_FRAME_COMP_WIDTH(&fa, p), hgt = GST_VIDEO_FRAME_COMP_HEIGHT(&fa, p);
        for (guint y = 0; y < hgt; y++) {
            const guint8 *ra = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&fa, p) +
                               y * GST_VIDEO_FRAME_PLANE_STRIDE(&fa, p);
            const guint8 *rb = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&fb, p) +
                               y * GST_VIDEO_FRAME_PLANE_STRIDE(&fb, p);
            for (guint x = 0; x < w; x++) {
                gint d = (gint)ra[x] - (gint)rb[x];
                sum += d * d;
            }
            n += w;
        }
    }
    gst_video_frame_unmap(&fa);
    gst_video_frame_unmap(&fb);
    return sum == 0 ? INFINITY : 10 * log10(255.0 * 255.0 * n / sum);
}

/* Output frames by PTS. */
static GHashTable *
by_pts(GPtrArray *frames)
{
    GHashTable *t = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (guint i = 0; i < frames->len; i++) {
        GstBuffer *b = g_ptr_array_index(frames, i);
        guint64 *pts = g_new(guint64, 1);
        *pts = GST_BUFFER_PTS(b);
        g_hash_table_insert(t, pts, b);
    }
    return t;
}

static GstBuffer *
lookup(GHashTable *t, GstClockTime pts)
{
    guint64 key = pts;
    return g_hash_table_lookup(t, &key);
}

/*
 * Audio as one array of samples (S16, mono), each decoded buffer placed at
 * its PTS; samples nothing covered stay 0. covered[] marks which were set.
 */
static gint16 *
audio_timeline(GPtrArray *frames, gsize n_samples, guint8 **covered)
{
    gint16 *pcm = g_new0(gint16, n_samples);
    *covered = g_new0(guint8, n_samples);
    for (guint i = 0; i < frames->len; i++) {
        GstBuffer *b = g_ptr_array_index(frames, i);
        GstMapInfo m;
        if (!GST_BUFFER_PTS_IS_VALID(b))
            continue;
        gsize at = gst_util_uint64_scale_round(GST_BUFFER_PTS(b), 48000, GST_SECOND);
        fail_unless(gst_buffer_map(b, &m, GST_MAP_READ));
        for (gsize k = 0; k < m.size / 2 && at + k < n_samples; k++) {
            pcm[at + k] = ((const gint16 *)m.data)[k];
            (*covered)[at + k] = 1;
        }
        gst_buffer_unmap(b, &m);
    }
    return pcm;
}

/* SNR in dB of x against ref over [from, to); INFINITY when equal. */
static gdouble
audio_snr(const gint16 *ref, const gint16 *x, gsize from, gsize to)
{
    gdouble sig = 0, noise = 0;
    for (gsize k = from; k < to; k++) {
        gdouble d = (gdouble)ref[k] - x[k];
        sig += (gdouble)ref[k] * ref[k];
        noise += d * d;
    }
    if (noise == 0)
        return INFINITY;
    return 10 * log10((sig + 1) / noise);
}

static gsize
clip_samples(const struct clip *clip)
{
    GstBuffer *last = g_ptr_array_index(clip->raw, clip->raw->len - 1);
    return gst_util_uint64_scale_round(GST_BUFFER_PTS(last) + GST_BUFFER_DURATION(last), 48000,
                                       GST_SECOND);
}

/* ---- H.264 access units ---------------------------------------------------- */

/* The NAL units of an access unit with 4-byte start codes, as rtph264depay writes them. */
static GByteArray *
h264_normalize(GstBuffer *au)
{
    static const guint8 sc[] = {0, 0, 0, 1};
    GByteArray *out = g_byte_array_new();
    struct e2c_nal nal;
    size_t pos = 0;
    GstMapInfo m;

    fail_unless(gst_buffer_map(au, &m, GST_MAP_READ));
    while (e2c_h264_next_nal(m.data, m.size, &pos, &nal)) {
        g_byte_array_append(out, sc, sizeof(sc));
        g_byte_array_append(out, m.data + nal.hdr, (guint)(nal.end - nal.hdr));
    }
    gst_buffer_unmap(au, &m);
    return out;
}

/*
 * An access unit out of e2csframedec against the encoder's: equal once start
 * codes are 4 bytes. rtph264depay puts the SPS and PPS of its caps in front
 * of the first access unit it outputs; e2csframedec leaves such copies out
 * (e2call-e2ee(7), format 2), so the first one is equal too.
 */
static gboolean
h264_au_equal(GstBuffer *encoded, GstBuffer *out)
{
    GByteArray *a = h264_normalize(encoded), *b = h264_normalize(out);
    gboolean equal = a->len == b->len && memcmp(a->data, b->data, a->len) == 0;

    g_byte_array_unref(a);
    g_byte_array_unref(b);
    return equal;
}

static gboolean
frame_equal(guint codec, GstBuffer *encoded, GstBuffer *out)
{
    if (codec == H264)
        return h264_au_equal(encoded, out);
    return buffers_equal(encoded, out);
}

/* ---- the tests ------------------------------------------------------------ */

/*
 * Without loss: every frame opens, and the decoded output is identical to
 * the path without the element pair.
 */
GST_START_TEST(test_no_loss_equals_plain)
{
    guint codec = __i__;
    const struct clip *clip = get_clip(codec);
    struct run plain, e2ee;

    run_path(codec, PLAIN, 0, &plain);
    run_path(codec, E2EE, 0, &e2ee);
    fail_unless_equals_int(e2ee.mismatches, 0);
    fail_unless_equals_int(e2ee.errors + plain.errors, 0);
    fail_unless_equals_uint64(e2ee.frames_ok, clip->enc->len);
    fail_unless_equals_uint64(e2ee.auth_failed + e2ee.damaged + e2ee.malformed, 0);
    fail_unless(plain.out->len >= clip->enc->len * 9 / 10);
    fail_unless_equals_int(e2ee.out->len, plain.out->len);
    fail_unless(gst_caps_is_equal(e2ee.out_caps, plain.out_caps));
    for (guint i = 0; i < plain.out->len; i++) {
        GstBuffer *a = g_ptr_array_index(plain.out, i), *b = g_ptr_array_index(e2ee.out, i);
        fail_unless_equals_uint64(GST_BUFFER_PTS(a), GST_BUFFER_PTS(b));
        if (!buffers_equal(a, b)) {
            fail_if(codecs[codec].audio, "%s: decoded audio buffer %u differs", codecs[codec].name,
                    i);
            gdouble db = video_psnr(plain.out_caps, a, e2ee.out_caps, b);
            fail_unless(db >= INTACT_DB, "%s: frame %u at %.1f dB", codecs[codec].name, i, db);
        }
    }
    /* Each frame e2csframedec passed is the encoder's own. */
    for (guint i = 0; i < clip->enc->len; i++) {
        GstBuffer *enc = g_ptr_array_index(clip->enc, i);
        GstBuffer *passed = lookup(e2ee.passed, GST_BUFFER_PTS(enc));
        fail_unless(passed && frame_equal(codec, enc, passed), "%s: frame %u changed",
                    codecs[codec].name, i);
    }
    g_print("%s: %u frames, %u decoded, identical to the path without e2csframeenc/e2csframedec\n",
            codecs[codec].name, clip->enc->len, e2ee.out->len);
    run_clear(&plain);
    run_clear(&e2ee);
}
GST_END_TEST;

/*
 * Which decoded frames have every reference delivered: a video frame when
 * e2csframedec passed it whole and every frame back to the keyframe it depends on
 * (a keyframe resets all references in VP8, VP9 and, as an IDR, H.264); an
 * Opus packet when it and the HISTORY packets before it were passed (the
 * decoder's state carries over a few packets, so the first packets after a
 * gap decode differently even though their bytes are intact).
 */
#define OPUS_HISTORY 5

static GHashTable *
intact_chains(guint codec, const struct clip *clip, GHashTable *whole)
{
    GHashTable *ok = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    gboolean chain = FALSE;
    guint run_len = 0;

    for (guint i = 0; i < clip->enc->len; i++) {
        GstBuffer *enc = g_ptr_array_index(clip->enc, i);
        guint64 pts = GST_BUFFER_PTS(enc);
        gboolean passed = g_hash_table_contains(whole, &pts);
        gboolean intact;

        if (codec == OPUS) {
            run_len = passed ? run_len + 1 : 0;
            intact = run_len > OPUS_HISTORY;
        } else {
            if (is_keyframe(codec, enc))
                chain = passed;
            else
                chain = chain && passed;
            intact = chain;
        }
        if (intact)
            g_hash_table_add(ok, g_memdup2(&pts, sizeof(pts)));
    }
    return ok;
}

/*
 * 5 % of the RTP packets lost, three seeds. What must hold:
 * - no sframe-mismatch: failures after loss come flagged DISCONT by the
 *   depayloader, and count as damage, not as a wrong key;
 * - everything e2csframedec passes on is byte for byte a frame the encoder
 *   made (the frame's PTS says which): authentication guarantees it, and the
 *   test checks it. For H.264 that includes access units that lost a whole
 *   NAL unit, or got one of another access unit when the depayloader joined
 *   the remains of two: every tag covers every unit of its access unit
 *   (e2call-e2ee(7), format 2), so such access units do not open;
 * - a decoded frame whose references all arrived (intact_chains()) equals
 *   the loss-free decode (or is within INTACT_DB); frames decoded from a
 *   stream with a reference missing are not held to that, because they are
 *   concealment whatever encryption does, and the decoder (not e2csframedec)
 *   decides what to make of them.
 */
GST_START_TEST(test_loss)
{
    guint codec = __i__;
    const struct codec *c = &codecs[codec];
    const struct clip *clip = get_clip(codec);
    struct run ref;
    guint total_passed = 0, total_checked = 0, total_frames = 0, total_decoded = 0;
    guint total_lost = 0, total_packets = 0, total_damaged = 0;

    run_path(codec, E2EE, 0, &ref);
    GHashTable *ref_frames = by_pts(ref.out);
    gsize n_samples = c->audio ? clip_samples(clip) : 0;
    guint8 *ref_cov = NULL;
    gint16 *ref_pcm = c->audio ? audio_timeline(ref.out, n_samples, &ref_cov) : NULL;

    for (guint32 seed = 1; seed <= LOSS_SEEDS; seed++) {
        struct run r;
        guint checked = 0;
        GHashTable *whole = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);

        run_path(codec, E2EE, seed, &r);
        fail_unless(r.lost > 0);
        fail_unless_equals_int(r.mismatches, 0);
        fail_unless_equals_int(r.errors, 0);
        fail_unless_equals_uint64(r.auth_failed, 0);

        /* What e2csframedec passed on is exactly what the encoder made. */
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, r.passed);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            guint idx = G_MAXUINT;
            for (guint i = 0; i < clip->enc->len && idx == G_MAXUINT; i++)
                if (GST_BUFFER_PTS(g_ptr_array_index(clip->enc, i)) == *(guint64 *)k)
                    idx = i;
            fail_unless(idx != G_MAXUINT, "%s: a frame with an unknown PTS passed", c->name);
            GstBuffer *enc = g_ptr_array_index(clip->enc, idx);
            fail_unless(frame_equal(codec, enc, v), "%s seed %u: frame %u passed on damaged",
                        c->name, seed, idx);
            guint64 *pts = g_new(guint64, 1);
            *pts = *(guint64 *)k;
            g_hash_table_add(whole, pts);
        }

        GHashTable *intact = intact_chains(codec, clip, whole);
        if (!c->audio) {
            for (guint i = 0; i < r.out->len; i++) {
                GstBuffer *b = g_ptr_array_index(r.out, i);
                guint64 pts = GST_BUFFER_PTS(b);
                GstBuffer *want = lookup(ref_frames, pts);
                fail_unless(want != NULL, "%s: decoded frame at an unknown PTS", c->name);
                if (!g_hash_table_contains(intact, &pts))
                    continue;
                if (!buffers_equal(b, want)) {
                    gdouble db = video_psnr(ref.out_caps, want, r.out_caps, b);
                    fail_unless(db >= INTACT_DB,
                                "%s seed %u: frame at %" GST_TIME_FORMAT
                                " with all references is at %.1f dB",
                                c->name, seed, GST_TIME_ARGS(pts), db);
                }
                checked++;
            }
        } else {
            guint8 *cov = NULL;
            gint16 *pcm = audio_timeline(r.out, n_samples, &cov);
            for (guint i = 0; i < clip->enc->len; i++) {
                GstBuffer *enc = g_ptr_array_index(clip->enc, i);
                guint64 pts = GST_BUFFER_PTS(enc);
                if (!g_hash_table_contains(intact, &pts))
                    continue;
                gsize from = gst_util_uint64_scale_round(pts, 48000, GST_SECOND);
                gsize to = MIN(from + 960, n_samples);
                gboolean all = TRUE;
                for (gsize s = from; s < to; s++)
                    all = all && cov[s] && ref_cov[s];
                if (!all)
                    continue;
                gdouble db = audio_snr(ref_pcm, pcm, from, to);
                fail_unless(db >= INTACT_DB, "opus seed %u: packet %u at %.1f dB", seed, i, db);
                checked++;
            }
            g_free(pcm);
            g_free(cov);
        }
        /* (Short valgrind clips may lose every keyframe.) */
        fail_unless(checked > 0 || RUNNING_ON_VALGRIND,
                    "%s seed %u: no frame had all its references", c->name, seed);
        total_frames += clip->enc->len;
        total_passed += g_hash_table_size(r.passed);
        total_checked += checked;
        total_decoded += r.out->len;
        total_lost += r.lost;
        total_packets += r.packets;
        total_damaged += (guint)(r.damaged + r.malformed);
        g_hash_table_unref(intact);
        g_hash_table_unref(whole);
        run_clear(&r);
    }
    g_print(
        "%s, %.0f %% loss, %u seeds: %u of %u packets lost; e2csframedec passed %u of %u frames, "
        "each the encoder's own, and dropped %u as damaged; %u decoded, %u with every "
        "reference checked equal to the loss-free decode; 0 mismatch events\n",
        c->name, LOSS * 100, LOSS_SEEDS, total_lost, total_packets, total_passed, total_frames,
        total_damaged, total_decoded, total_checked);
    g_free(ref_pcm);
    g_free(ref_cov);
    g_hash_table_unref(ref_frames);
    run_clear(&ref);
}
GST_END_TEST;

/*
 * The same RTP through the stock depayloader and decoder, without
 * e2csframedec: no picture (no frames, or every frame under GARBAGE_DB against
 * the source) and no sound (under 0 dB SNR against the plain decode).
 */
GST_START_TEST(test_no_sframedec_no_picture)
{
    guint codec = __i__;
    const struct codec *c = &codecs[codec];
    const struct clip *clip = get_clip(codec);
    struct run r;
    gdouble best = -INFINITY;

    run_path(codec, NO_SFRAMEDEC, 0, &r);
    if (!c->audio) {
        for (guint i = 0; i < r.out->len; i++) {
            GstBuffer *b = g_ptr_array_index(r.out, i);
            /* A decoder fed garbage may invent timestamps: take the source
             * frame nearest to the PTS, or the one in the same position. */
            guint at = GST_BUFFER_PTS_IS_VALID(b)
                           ? (guint)gst_util_uint64_scale_round(GST_BUFFER_PTS(b), 30, GST_SECOND)
                           : i;
            GstBuffer *want = g_ptr_array_index(clip->raw, MIN(at, clip->raw->len - 1));
            gdouble db = video_psnr(clip->raw_caps, want, r.out_caps, b);
            best = MAX(best, db);
            fail_unless(db < GARBAGE_DB, "%s: frame %u decoded from ciphertext at %.1f dB", c->name,
                        i, db);
        }
    } else {
        struct run plain;
        gsize n = clip_samples(clip);
        guint8 *cov_a = NULL, *cov_b = NULL;
        run_path(codec, PLAIN, 0, &plain);
        gint16 *a = audio_timeline(plain.out, n, &cov_a), *b = audio_timeline(r.out, n, &cov_b);
        best = r.out->len ? audio_snr(a, b, 0, n) : -INFINITY;
        fail_unless(best < 0.0, "opus decoded from ciphertext at %.1f dB SNR", best);
        g_free(a);
        g_free(b);
        g_free(cov_a);
        g_free(cov_b);
        run_clear(&plain);
    }
    g_print("%s without e2csframedec: %u of %u frames decoded, best %s %.1f dB\n", c->name,
            r.out->len, clip->enc->len, c->audio ? "SNR" : "PSNR against the source", best);
    run_clear(&r);
}
GST_END_TEST;

/*
 * A participant who does not encrypt, through the real encoder, payloader
 * and depayloader into e2csframedec: every frame is "unencrypted" (or, for the
 * few whose bytes after the clear prefix happen to look like a format 2
 * header, "stale"), none is an authentication failure, nothing reaches the
 * decoder, and the one mismatch names the cause "unencrypted". (Before
 * this classification a plain VP8 peer showed as authentication failures,
 * like a wrong secret.)
 */
GST_START_TEST(test_plain_peer)
{
    guint codec = __i__;
    const struct codec *c = &codecs[codec];
    const struct clip *clip = get_clip(codec);
    struct run r;

    run_path(codec, PLAIN_PEER, 0, &r);
    g_print("%s from a plain peer: %u frames: %" G_GUINT64_FORMAT " unencrypted, %" G_GUINT64_FORMAT
            " stale, %" G_GUINT64_FORMAT " failed authentication, mismatch cause %s\n",
            c->name, clip->enc->len, r.unencrypted, r.stale, r.auth_failed,
            r.cause ? r.cause : "none");
    fail_unless_equals_uint64(r.frames_ok, 0);
    fail_unless_equals_uint64(r.auth_failed, 0);
    fail_unless_equals_uint64(r.unencrypted + r.stale, clip->enc->len);
    fail_unless(r.unencrypted >= 10);
    fail_unless_equals_int(r.out->len, 0);
    fail_unless_equals_int(r.mismatches, 1);
    fail_unless_equals_string(r.cause, "unencrypted");
    fail_unless_equals_int(r.errors, 0);
    run_clear(&r);
}
GST_END_TEST;

/*
 * The wall clock crosses a ten-minute epoch boundary in the middle of the
 * clip: e2csframeenc rotates to a KID of the new epoch once (no rekey, no
 * keyframe), and e2csframedec opens every frame and loses none, so the
 * decoded output is the plain path's.
 */
GST_START_TEST(test_epoch_boundary)
{
    guint codec = __i__;
    const struct codec *c = &codecs[codec];
    const struct clip *clip = get_clip(codec);
    struct clock_jump jump = {clip->enc->len / 2,
                              (WALL_MID / E2C_EPOCH_SECONDS + 1) * E2C_EPOCH_SECONDS};
    struct run plain, r;

    run_path(codec, PLAIN, 0, &plain);
    run_path_jump(codec, E2EE, 0, &jump, &r);
    fail_unless_equals_uint64(r.rotations, 1);
    fail_unless_equals_uint64(r.frames_ok, clip->enc->len);
    fail_unless_equals_uint64(r.counter_gaps, 0);
    fail_unless_equals_uint64(r.auth_failed + r.malformed + r.stale, 0);
    fail_unless_equals_int(r.mismatches, 0);
    fail_unless_equals_int(r.out->len, plain.out->len);
    g_print("%s across an epoch boundary: %u frames, %u decoded, 1 KID rotation, none lost\n",
            c->name, clip->enc->len, r.out->len);
    run_clear(&plain);
    run_clear(&r);
}
GST_END_TEST;

/*
 * H.264 through e2csframeenc ! rtph264pay ! rtph264depay ! e2csframedec over
 * thousands of real x264enc access units (two slices each, so many NAL
 * units): every one comes back as the encoder made it.
 */
#define BFB_FRAMES scaled(3000, 10)

GST_START_TEST(test_h264_byte_for_byte)
{
    GstHarness *src = gst_harness_new_parse(
        "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 bitrate=300 threads=2 ! "
        "capsfilter caps=video/x-h264,profile=constrained-baseline,stream-format=byte-stream,"
        "alignment=au");
    GstHarness *h;
    GPtrArray *encoded, *out;
    GstElement *bin, *e;
    GError *error = NULL;
    guint8 bytes[E2C_SHARED_KEY_LEN];
    E2cKey *key;
    guint nals = 0;

    gst_harness_add_src_parse(src,
                              "videotestsrc pattern=ball ! capsfilter caps=video/x-raw,"
                              "format=I420,width=160,height=120,framerate=30/1",
                              FALSE);
    for (guint i = 0; i < BFB_FRAMES; i++)
        fail_unless_equals_int(gst_harness_push_from_src(src), GST_FLOW_OK);
    fail_unless(gst_harness_push_event(src, gst_event_new_eos()));
    encoded = pull_all(src);
    GstCaps *caps = gst_pad_get_current_caps(src->sinkpad);
    gst_harness_teardown(src);
    fail_unless_equals_int(encoded->len, BFB_FRAMES);

    bin = gst_parse_bin_from_description("e2csframeenc name=enc ! rtph264pay config-interval=0 "
                                         "aggregate-mode=zero-latency ! rtph264depay ! "
                                         "e2csframedec name=dec",
                                         TRUE, &error);
    fail_unless(bin != NULL);
    memset(bytes, 0x6b, sizeof(bytes));
    key = e2c_key_new_from_bytes(bytes);
    g_object_set(child(bin, "enc"), "shared-key", key, NULL);
    g_object_set(child(bin, "dec"), "shared-key", key, NULL);
    e2c_key_unref(key);
    h = gst_harness_new_with_element(bin, "sink", "src");
    gst_object_unref(bin);
    gst_harness_set_src_caps(h, caps);
    for (guint i = 0; i < encoded->len; i++)
        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(g_ptr_array_index(encoded, i))),
                               GST_FLOW_OK);
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    out = pull_all(h);

    fail_unless_equals_int(out->len, encoded->len);
    for (guint i = 0; i < encoded->len; i++) {
        GstBuffer *a = g_ptr_array_index(encoded, i), *b = g_ptr_array_index(out, i);
        GByteArray *norm = h264_normalize(a);
        fail_unless(h264_au_equal(a, b), "access unit %u changed", i);
        for (gsize p = 0; p + 4 <= norm->len; p++)
            nals += memcmp(norm->data + p, "\0\0\0\1", 4) == 0;
        g_byte_array_unref(norm);
    }
    e = child(h->element, "dec");
    fail_unless_equals_uint64(stat_u64(e, "frames-ok"), BFB_FRAMES);
    fail_unless_equals_uint64(
        stat_u64(e, "auth-failed") + stat_u64(e, "malformed") + stat_u64(e, "unencrypted"), 0);
    g_print("h264 byte for byte: %u access units, %u NAL units\n", encoded->len, nals);

    g_ptr_array_unref(encoded);
    g_ptr_array_unref(out);
    gst_harness_teardown(h);
}
GST_END_TEST;

static Suite *
sframe_pipelines_suite(void)
{
    Suite *s = suite_create("sframe-pipelines");
    TCase *tc = tcase_create("general");

    e2c_plugin_register_static();
    e2c_wallclock_set_for_test(test_wallclock);
    suite_add_tcase(s, tc);
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_no_loss_equals_plain, 0, N_CODECS);
    tcase_add_loop_test(tc, test_loss, 0, N_CODECS);
    tcase_add_loop_test(tc, test_no_sframedec_no_picture, 0, N_CODECS);
    tcase_add_loop_test(tc, test_plain_peer, 0, N_CODECS);
    tcase_add_loop_test(tc, test_epoch_boundary, 0, N_CODECS);
    tcase_add_test(tc, test_h264_byte_for_byte);
    tcase_add_unchecked_fixture(tc, NULL, clips_free);
    return s;
}

GST_CHECK_MAIN(sframe_pipelines);
