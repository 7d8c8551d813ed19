/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a router can do to the clear NAL units of H.264 access units, and
 * what becomes of it (e2call-e2ee(7), FRAME LAYOUT, format 2): every clear
 * byte of an access unit is authenticated by each SFrame tag in it, and an
 * access unit with nothing encrypted is dropped and counted.
 *
 * Real x264enc output (320x240, two slices per frame), protected by
 * e2csframeenc, then tampered with:
 * - e2csframedec alone (GstHarness), with and without a key: SPS and PPS
 *   without a slice are dropped and counted as unencrypted;
 * - e2csframedec ! avdec_h264: a keyframe whose SPS was swapped for the SPS of
 *   a 640x480 stream never reaches the decoder, which keeps decoding
 *   320x240;
 * - e2csframedec alone: every access unit of the clip tampered with in every
 *   way that applies (SPS swapped, a PPS byte changed, units dropped,
 *   inserted or reordered) is dropped and counted, and the untampered one
 *   opens after it;
 * - rtph264pay ! rtph264depay ! e2csframedec ! avdec_h264: untampered streams
 *   (two slices, and three or more, which only the start byte keeps in one
 *   piece) decode every frame; tampered access units (swapped SPS, injected
 *   PPS-only access units, reordered units) never reach the decoder and are
 *   counted.
 *
 * The tampering is done on the access units before the payloader: what
 * comes out of rtph264depay is the same as when a router rewrites the RTP.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <string.h>

#include "e2ckey.h"
#include "e2cplugin.h"
#include "envelope.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define H264_CAPS "video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au"
/* Under valgrind (meson test --setup=valgrind) shorter clips, still with
 * three keyframes, keep each check within its timeout. */
#define N_FRAMES (RUNNING_ON_VALGRIND ? 24u : 60u)
#define KEY_INTERVAL (RUNNING_ON_VALGRIND ? 8u : 15u)

enum { NAL_SLICE = 1, NAL_IDR = 5, NAL_SEI = 6, NAL_SPS = 7, NAL_PPS = 8, NAL_AUD = 9 };

/* ---- clips ------------------------------------------------------------------ */

static GPtrArray *
pull_all(GstHarness *h)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    GstBuffer *buf;
    while ((buf = gst_harness_try_pull(h)))
        g_ptr_array_add(out, buf);
    return out;
}

/* n frames of a moving test picture through x264enc with the given settings. */
static GPtrArray *
encode(guint width, guint height, const gchar *x264_settings, guint n)
{
    gchar *enc = g_strdup_printf("x264enc tune=zerolatency speed-preset=ultrafast bitrate=600 "
                                 "key-int-max=%u %s ! capsfilter caps=" H264_CAPS,
                                 KEY_INTERVAL, x264_settings);
    gchar *src = g_strdup_printf("videotestsrc pattern=ball ! capsfilter caps=video/x-raw,"
                                 "format=I420,width=%u,height=%u,framerate=30/1",
                                 width, height);
    GstHarness *h = gst_harness_new_parse(enc);
    gst_harness_add_src_parse(h, src, FALSE);
    for (guint i = 0; i < n; i++)
        fail_unless_equals_int(gst_harness_push_from_src(h), GST_FLOW_OK);
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    GPtrArray *out = pull_all(h);
    gst_harness_teardown(h);
    g_free(enc);
    g_free(src);
    fail_unless_equals_int(out->len, n);
    return out;
}

static E2cKey *
test_key(guint8 fill)
{
    guint8 bytes[E2C_SHARED_KEY_LEN];
    memset(bytes, fill, sizeof(bytes));
    return e2c_key_new_from_bytes(bytes);
}

static GstElement *
child(GstElement *bin, const gchar *name)
{
    GstElement *e = gst_bin_get_by_name(GST_BIN(bin), name);
    if (e)
        gst_object_unref(e); /* the bin keeps it */
    return e;
}

/* A harness around desc; "enc" and "dec" get the key (NULL: none). */
static GstHarness *
harness_new(const gchar *desc, E2cKey *key)
{
    GError *error = NULL;
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &error);
    GstElement *e;
    fail_unless(bin != NULL, "%s: %s", desc, error ? error->message : "?");
    if (key && (e = child(bin, "enc")))
        g_object_set(e, "shared-key", key, NULL);
    if (key && (e = child(bin, "dec")))
        g_object_set(e, "shared-key", key, NULL);
    GstHarness *h = gst_harness_new_with_element(bin, "sink", "src");
    gst_object_unref(bin);
    gst_harness_set_src_caps_str(h, H264_CAPS);
    return h;
}

static GPtrArray *
protect_clip(GPtrArray *clip, E2cKey *key)
{
    GstHarness *h = harness_new("e2csframeenc name=enc", key);
    for (guint i = 0; i < clip->len; i++)
        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(g_ptr_array_index(clip, i))),
                               GST_FLOW_OK);
    GPtrArray *out = pull_all(h);
    fail_unless_equals_int(out->len, clip->len);
    gst_harness_teardown(h);
    return out;
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

/* ---- access units as NAL units ---------------------------------------------- */

/* The non-empty NAL units of an access unit (header byte onward), as GBytes. */
static GPtrArray *
units_of(GstBuffer *au)
{
    GPtrArray *units = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    GstMapInfo m;
    struct e2c_nal nal;
    size_t pos = 0;
    fail_unless(gst_buffer_map(au, &m, GST_MAP_READ));
    while (e2c_h264_next_nal(m.data, m.size, &pos, &nal))
        if (nal.end > nal.hdr)
            g_ptr_array_add(units, g_bytes_new(m.data + nal.hdr, nal.end - nal.hdr));
    gst_buffer_unmap(au, &m);
    return units;
}

static guint
unit_type(GPtrArray *units, guint i)
{
    return *(const guint8 *)g_bytes_get_data(g_ptr_array_index(units, i), NULL) & 0x1f;
}

/* Index of the n-th (from 0) unit of a type, or -1. */
static gint
find_unit(GPtrArray *units, guint type, guint n)
{
    for (guint i = 0; i < units->len; i++)
        if (unit_type(units, i) == type && n-- == 0)
            return (gint)i;
    return -1;
}

/* An access unit of these units (4-byte start codes) with like's timestamps and flags. */
static GstBuffer *
au_new(GPtrArray *units, GstBuffer *like)
{
    static const guint8 sc[] = {0, 0, 0, 1};
    GByteArray *a = g_byte_array_new();
    for (guint i = 0; i < units->len; i++) {
        gsize n;
        const guint8 *d = g_bytes_get_data(g_ptr_array_index(units, i), &n);
        g_byte_array_append(a, sc, sizeof(sc));
        g_byte_array_append(a, d, (guint)n);
    }
    GstBuffer *buf = gst_buffer_new_wrapped(a->data, a->len);
    g_byte_array_free(a, FALSE);
    gst_buffer_copy_into(buf, like, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
    /* Not a frame after packet loss: a failure counts as such (auth-failed). */
    GST_BUFFER_FLAG_UNSET(buf, GST_BUFFER_FLAG_DISCONT);
    return buf;
}

static gboolean
is_keyframe(GstBuffer *au)
{
    return !GST_BUFFER_FLAG_IS_SET(au, GST_BUFFER_FLAG_DELTA_UNIT);
}

/* The SPS of the first access unit of a 640x480 clip. */
static GBytes *
sps_640x480(void)
{
    GPtrArray *clip = encode(640, 480, "threads=1", 1);
    GPtrArray *units = units_of(g_ptr_array_index(clip, 0));
    gint i = find_unit(units, NAL_SPS, 0);
    fail_unless(i >= 0);
    GBytes *sps = g_bytes_ref(g_ptr_array_index(units, i));
    g_ptr_array_unref(units);
    g_ptr_array_unref(clip);
    return sps;
}

/* ---- tamperings --------------------------------------------------------------- */

/*
 * Each returns the tampered access unit, or NULL when it does not apply to
 * this one; au is a protected access unit of the clip.
 */
typedef GstBuffer *(*tamper_fn)(GstBuffer *au);

static GBytes *other_sps;

static GstBuffer *
tamper_units(GstBuffer *au, GPtrArray *units)
{
    GstBuffer *t = au_new(units, au);
    g_ptr_array_unref(units);
    return t;
}

static GstBuffer *
swap_sps(GstBuffer *au)
{
    GPtrArray *u = units_of(au);
    gint i = find_unit(u, NAL_SPS, 0);
    if (i < 0) {
        g_ptr_array_unref(u);
        return NULL;
    }
    g_bytes_unref(g_ptr_array_index(u, i));
    g_ptr_array_index(u, i) = g_bytes_ref(other_sps);
    return tamper_units(au, u);
}

static GstBuffer *
change_pps_byte(GstBuffer *au)
{
    GPtrArray *u = units_of(au);
    gint i = find_unit(u, NAL_PPS, 0);
    if (i < 0) {
        g_ptr_array_unref(u);
        return NULL;
    }
    gsize n;
    const guint8 *d = g_bytes_get_data(g_ptr_array_index(u, i), &n);
    guint8 *c = g_memdup2(d, n);
    c[1] ^= 0x40;
    g_bytes_unref(g_ptr_array_index(u, i));
    g_ptr_array_index(u, i) = g_bytes_new_take(c, n);
    return tamper_units(au, u);
}

static GstBuffer *
drop_type(GstBuffer *au, guint type)
{
    GPtrArray *u = units_of(au);
    gint i = find_unit(u, type, 0);
    if (i < 0) {
        g_ptr_array_unref(u);
        return NULL;
    }
    g_ptr_array_remove_index(u, (guint)i);
    return tamper_units(au, u);
}

static GstBuffer *
drop_pps(GstBuffer *au)
{
    return drop_type(au, NAL_PPS);
}

static GstBuffer *
drop_aud(GstBuffer *au)
{
    return drop_type(au, NAL_AUD);
}

static GstBuffer *
insert_pps(GstBuffer *au)
{
    static const guint8 pps[] = {0x68, 0xce, 0x3c, 0x80};
    GPtrArray *u = units_of(au);
    g_ptr_array_insert(u, 1, g_bytes_new_static(pps, sizeof(pps)));
    return tamper_units(au, u);
}

static GstBuffer *
swap_units(GstBuffer *au, guint type_a, guint n_a, guint type_b, guint n_b)
{
    GPtrArray *u = units_of(au);
    gint i = find_unit(u, type_a, n_a), j = find_unit(u, type_b, n_b);
    if (i < 0 || j < 0) {
        g_ptr_array_unref(u);
        return NULL;
    }
    gpointer t = g_ptr_array_index(u, i);
    g_ptr_array_index(u, i) = g_ptr_array_index(u, j);
    g_ptr_array_index(u, j) = t;
    return tamper_units(au, u);
}

static GstBuffer *
swap_sps_pps(GstBuffer *au)
{
    return swap_units(au, NAL_SPS, 0, NAL_PPS, 0);
}

static GstBuffer *
swap_slices(GstBuffer *au)
{
    guint type = is_keyframe(au) ? NAL_IDR : NAL_SLICE;
    return swap_units(au, type, 0, type, 1);
}

static GstBuffer *
swap_aud_slice(GstBuffer *au)
{
    return swap_units(au, NAL_AUD, 0, is_keyframe(au) ? NAL_IDR : NAL_SLICE, 0);
}

/* ---- element tests ------------------------------------------------------------- */

static GPtrArray *clip_320, *protected_320;
static E2cKey *clip_key;

static void
clips_setup(void)
{
    if (clip_320)
        return;
    clip_320 = encode(320, 240, "threads=2", N_FRAMES);
    clip_key = test_key(0x64);
    protected_320 = protect_clip(clip_320, clip_key);
    other_sps = sps_640x480();
    /* The clip is what the tests assume: keyframes with AUD, SPS, PPS and
     * two IDR slices, delta frames with two slices. */
    GPtrArray *k = units_of(g_ptr_array_index(protected_320, 0));
    fail_unless(find_unit(k, NAL_AUD, 0) >= 0 && find_unit(k, NAL_SPS, 0) >= 0 &&
                find_unit(k, NAL_PPS, 0) >= 0 && find_unit(k, NAL_IDR, 1) >= 0);
    g_ptr_array_unref(k);
    GPtrArray *d = units_of(g_ptr_array_index(protected_320, 1));
    fail_unless(find_unit(d, NAL_SLICE, 1) >= 0);
    g_ptr_array_unref(d);
}

static void
clips_free(void)
{
    g_clear_pointer(&clip_320, g_ptr_array_unref);
    g_clear_pointer(&protected_320, g_ptr_array_unref);
    g_clear_pointer(&other_sps, g_bytes_unref);
    g_clear_pointer(&clip_key, e2c_key_unref);
}

/* Parameter sets (and an AUD) of the clip's first keyframe, without its slices. */
static GstBuffer *
parameter_sets_only(gboolean with_sps, gboolean with_aud, guint index)
{
    GstBuffer *k = g_ptr_array_index(protected_320, 0);
    GPtrArray *u = units_of(k),
              *keep = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (guint i = 0; i < u->len; i++) {
        guint t = unit_type(u, i);
        if (t == NAL_PPS || (with_sps && t == NAL_SPS) || (with_aud && t == NAL_AUD))
            g_ptr_array_add(keep, g_bytes_ref(g_ptr_array_index(u, i)));
    }
    g_ptr_array_unref(u);
    GstBuffer *b = au_new(keep, k);
    g_ptr_array_unref(keep);
    GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = index * GST_SECOND / 30 + GST_MSECOND;
    return b;
}

/*
 * SPS and PPS alone (the review's case), PPS alone, AUD, SPS and PPS: into
 * a receiver without a key (__i__ 0) and one with the key (1). None is
 * passed on, each is counted as unencrypted, none as opened. Before
 * format 2 they passed both.
 */
GST_START_TEST(test_parameter_sets_only)
{
    gboolean keyed = __i__ == 1;
    clips_setup();
    GstHarness *h = harness_new("e2csframedec name=dec", keyed ? clip_key : NULL);
    GstElement *dec = child(h->element, "dec");
    guint64 ok = 0;

    if (keyed) {
        /* The stream is running: a keyframe opened. */
        fail_unless_equals_int(
            gst_harness_push(h, gst_buffer_ref(g_ptr_array_index(protected_320, 0))), GST_FLOW_OK);
        GstBuffer *out = gst_harness_try_pull(h);
        fail_unless(out != NULL);
        gst_buffer_unref(out);
        ok = 1;
    }
    GstBuffer *bad[] = {parameter_sets_only(TRUE, FALSE, 0), parameter_sets_only(FALSE, FALSE, 1),
                        parameter_sets_only(TRUE, TRUE, 2)};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        fail_unless_equals_int(gst_harness_push(h, bad[i]), GST_FLOW_OK);
        GstBuffer *out = gst_harness_try_pull(h);
        fail_unless(out == NULL, "%s receiver: parameter sets alone (%u) passed on",
                    keyed ? "keyed" : "keyless", i);
    }
    fail_unless_equals_uint64(stat_u64(dec, "unencrypted"), G_N_ELEMENTS(bad));
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), ok);
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed") + stat_u64(dec, "malformed"), 0);
    gst_harness_teardown(h);
}
GST_END_TEST;

/* Width and height of every caps event the harness's sink received. */
static void
check_decoded_caps(GstHarness *h, guint want_width, guint want_height, const gchar *what)
{
    GstEvent *ev;
    guint n_caps = 0;
    while ((ev = gst_harness_try_pull_event(h))) {
        if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
            GstCaps *caps;
            gint w = 0, hh = 0;
            gst_event_parse_caps(ev, &caps);
            GstStructure *s = gst_caps_get_structure(caps, 0);
            fail_unless(gst_structure_get_int(s, "width", &w) &&
                        gst_structure_get_int(s, "height", &hh));
            fail_unless((guint)w == want_width && (guint)hh == want_height,
                        "%s: the decoder went to %dx%d", what, w, hh);
            n_caps++;
        }
        gst_event_unref(ev);
    }
    fail_unless(n_caps > 0, "%s: nothing decoded", what);
}

static gboolean
has_pts(GPtrArray *frames, GstClockTime pts)
{
    for (guint i = 0; i < frames->len; i++)
        if (GST_BUFFER_PTS(g_ptr_array_index(frames, i)) == pts)
            return TRUE;
    return FALSE;
}

/*
 * The review's case: every keyframe after the first has its SPS swapped for
 * the SPS of a 640x480 stream. e2csframedec ! avdec_h264 never decodes such a
 * keyframe (its PTS never comes out), never goes to 640x480, and counts
 * each as an authentication failure. Before format 2 the decoder switched
 * to 640x480.
 */
GST_START_TEST(test_swapped_sps_not_decoded)
{
    clips_setup();
    GstHarness *h = harness_new("e2csframedec name=dec ! avdec_h264 max-threads=1", clip_key);
    GstElement *dec = child(h->element, "dec");
    GPtrArray *tampered_idx = g_ptr_array_new();
    guint n_tampered = 0;

    for (guint i = 0; i < protected_320->len; i++) {
        GstBuffer *au = g_ptr_array_index(protected_320, i);
        GstBuffer *t = i > 0 && is_keyframe(au) ? swap_sps(au) : NULL;
        if (t) {
            n_tampered++;
            g_ptr_array_add(tampered_idx, GUINT_TO_POINTER(i));
        }
        fail_unless_equals_int(gst_harness_push(h, t ? t : gst_buffer_ref(au)), GST_FLOW_OK);
    }
    fail_unless(n_tampered >= 2);
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    GPtrArray *out = pull_all(h);

    for (guint k = 0; k < tampered_idx->len; k++) {
        GstBuffer *au = g_ptr_array_index(protected_320, GPOINTER_TO_UINT(tampered_idx->pdata[k]));
        fail_if(has_pts(out, GST_BUFFER_PTS(au)), "the keyframe with a swapped SPS was decoded");
    }
    check_decoded_caps(h, 320, 240, "swapped SPS");
    fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), n_tampered);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), protected_320->len - n_tampered);
    fail_unless(out->len > 0);
    g_print("swapped SPS: %u of %u keyframes tampered, none decoded; %u frames decoded at "
            "320x240\n",
            n_tampered, n_tampered + 1, out->len);

    g_ptr_array_unref(out);
    g_ptr_array_unref(tampered_idx);
    gst_harness_teardown(h);
}
GST_END_TEST;

static const struct {
    const gchar *what;
    tamper_fn fn;
} tamperings[] = {
    {"SPS swapped for a 640x480 stream's", swap_sps},
    {"one PPS byte changed", change_pps_byte},
    {"PPS dropped", drop_pps},
    {"AUD dropped", drop_aud},
    {"a PPS inserted", insert_pps},
    {"SPS and PPS swapped", swap_sps_pps},
    {"the two slices swapped", swap_slices},
    {"AUD and a slice swapped", swap_aud_slice},
};

/*
 * e2csframeenc's access units, each tampered with in every way that applies
 * to it, into e2csframedec: every tampered one is dropped and counted as an
 * authentication failure, and opening the untampered one afterwards still
 * works (a failure consumes nothing).
 */
GST_START_TEST(test_tampered_dropped)
{
    clips_setup();
    GstHarness *h = harness_new("e2csframedec name=dec", clip_key);
    GstElement *dec = child(h->element, "dec");
    guint n_tampered = 0, per_case[G_N_ELEMENTS(tamperings)] = {0};

    for (guint i = 0; i < protected_320->len; i++) {
        GstBuffer *au = g_ptr_array_index(protected_320, i);
        for (guint c = 0; c < G_N_ELEMENTS(tamperings); c++) {
            GstBuffer *t = tamperings[c].fn(au);
            if (!t)
                continue;
            fail_unless_equals_int(gst_harness_push(h, t), GST_FLOW_OK);
            GstBuffer *out = gst_harness_try_pull(h);
            fail_unless(out == NULL, "frame %u, %s: passed on", i, tamperings[c].what);
            n_tampered++;
            per_case[c]++;
            fail_unless_equals_uint64(stat_u64(dec, "auth-failed"), n_tampered);
        }
        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(au)), GST_FLOW_OK);
        GstBuffer *out = gst_harness_try_pull(h);
        fail_unless(out != NULL, "frame %u: the untampered access unit did not open", i);
        GPtrArray *a = units_of(out), *b = units_of(g_ptr_array_index(clip_320, i));
        fail_unless_equals_int(a->len, b->len);
        for (guint k = 0; k < a->len; k++)
            fail_unless(g_bytes_equal(g_ptr_array_index(a, k), g_ptr_array_index(b, k)));
        g_ptr_array_unref(a);
        g_ptr_array_unref(b);
        gst_buffer_unref(out);
    }
    for (guint c = 0; c < G_N_ELEMENTS(tamperings); c++)
        fail_unless(per_case[c] > 0, "%s: never applied", tamperings[c].what);
    fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), protected_320->len);
    fail_unless_equals_uint64(stat_u64(dec, "unencrypted") + stat_u64(dec, "malformed"), 0);
    g_print("%u tampered access units (%zu kinds) dropped, each counted\n", n_tampered,
            G_N_ELEMENTS(tamperings));
    gst_harness_teardown(h);
}
GST_END_TEST;

/* ---- pipeline tests ----------------------------------------------------------------- */

#define PIPELINE                                                                                   \
    "rtph264pay mtu=1000 config-interval=0 aggregate-mode=zero-latency ! rtph264depay ! "          \
    "e2csframedec name=dec ! avdec_h264 max-threads=1"

struct run {
    GPtrArray *out;
    guint64 ok, auth_failed, damaged, unencrypted, malformed;
};

/* Pushes the access units through PIPELINE; *r gets the decoded frames and the counts. */
static void
run_pipeline(GPtrArray *aus, E2cKey *key, struct run *r, guint want_width, const gchar *what)
{
    GstHarness *h = harness_new(PIPELINE, key);
    for (guint i = 0; i < aus->len; i++)
        fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(g_ptr_array_index(aus, i))),
                               GST_FLOW_OK);
    fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
    r->out = pull_all(h);
    GstElement *dec = child(h->element, "dec");
    r->ok = stat_u64(dec, "frames-ok");
    r->auth_failed = stat_u64(dec, "auth-failed");
    r->damaged = stat_u64(dec, "auth-failed-after-loss");
    r->unencrypted = stat_u64(dec, "unencrypted");
    r->malformed = stat_u64(dec, "malformed");
    check_decoded_caps(h, want_width, want_width * 3 / 4, what);
    gst_harness_teardown(h);
}

static guint
max_slices(GPtrArray *clip)
{
    guint most = 0;
    for (guint i = 0; i < clip->len; i++) {
        GPtrArray *u = units_of(g_ptr_array_index(clip, i));
        guint n = 0;
        for (guint k = 0; k < u->len; k++)
            n += unit_type(u, k) == NAL_SLICE || unit_type(u, k) == NAL_IDR;
        most = MAX(most, n);
        g_ptr_array_unref(u);
    }
    return most;
}

/*
 * Untampered: every frame opens and is decoded, with two slices per frame
 * and with three or more (x264 with sliced threads), where rtph264depay
 * would cut every access unit in pieces if the byte after an encrypted
 * slice's header had its top bit set.
 */
GST_START_TEST(test_pipeline_untampered)
{
    clips_setup();
    GPtrArray *many = encode(320, 240, "threads=4 sliced-threads=true", N_FRAMES);
    GPtrArray *many_protected = protect_clip(many, clip_key);
    fail_unless(max_slices(many) >= 3, "x264 made at most %u slices", max_slices(many));
    struct {
        const gchar *what;
        GPtrArray *aus;
    } clips[] = {{"two slices", protected_320}, {"three or more slices", many_protected}};

    for (guint c = 0; c < G_N_ELEMENTS(clips); c++) {
        struct run r;
        run_pipeline(clips[c].aus, clip_key, &r, 320, clips[c].what);
        fail_unless_equals_uint64(r.ok, clips[c].aus->len);
        fail_unless_equals_uint64(r.auth_failed + r.damaged + r.unencrypted + r.malformed, 0);
        fail_unless_equals_int(r.out->len, clips[c].aus->len);
        g_print("%s (at most %u per frame): %u frames, %u decoded\n", clips[c].what,
                max_slices(clips[c].aus), clips[c].aus->len, r.out->len);
        g_ptr_array_unref(r.out);
    }
    g_ptr_array_unref(many_protected);
    g_ptr_array_unref(many);
}
GST_END_TEST;

/*
 * Tampered on the way: a swapped SPS on every keyframe after the first;
 * a PPS-only access unit after every frame; SPS and PPS swapped in every
 * keyframe after the first and the two slices swapped in every delta
 * frame. No tampered access unit is decoded (its PTS never comes out), the
 * decoder stays at 320x240, and each is counted: injected ones as
 * unencrypted, changed ones as authentication failures.
 */
GST_START_TEST(test_pipeline_tampered)
{
    clips_setup();
    for (guint c = 0; c < 3; c++) {
        GPtrArray *aus = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
        GPtrArray *tampered = g_ptr_array_new();
        guint injected = 0;
        const gchar *what = c == 0 ? "swapped SPS" : c == 1 ? "injected PPS" : "reordered units";

        for (guint i = 0; i < protected_320->len; i++) {
            GstBuffer *au = g_ptr_array_index(protected_320, i), *t = NULL;
            if (c == 0 && i > 0 && is_keyframe(au))
                t = swap_sps(au);
            else if (c == 2 && i > 0)
                t = is_keyframe(au) ? swap_sps_pps(au) : swap_slices(au);
            if (t)
                g_ptr_array_add(tampered, t);
            g_ptr_array_add(aus, t ? gst_buffer_ref(t) : gst_buffer_ref(au));
            if (c == 1) {
                g_ptr_array_add(aus, parameter_sets_only(FALSE, FALSE, i));
                injected++;
            }
        }
        struct run r;
        run_pipeline(aus, clip_key, &r, 320, what);
        for (guint k = 0; k < tampered->len; k++)
            fail_if(has_pts(r.out, GST_BUFFER_PTS(g_ptr_array_index(tampered, k))),
                    "%s: a tampered access unit was decoded", what);
        fail_unless_equals_uint64(r.auth_failed, tampered->len);
        fail_unless_equals_uint64(r.unencrypted, injected);
        fail_unless_equals_uint64(r.ok, protected_320->len - tampered->len);
        fail_unless_equals_uint64(r.damaged + r.malformed, 0);
        g_print("%s: %u access units tampered, %u injected, none decoded; %u frames decoded\n",
                what, tampered->len, injected, r.out->len);
        g_ptr_array_unref(r.out);
        g_ptr_array_unref(aus);
        g_ptr_array_unref(tampered);
    }
}
GST_END_TEST;

static Suite *
h264_tampering_suite(void)
{
    Suite *s = suite_create("h264-tampering");
    TCase *tc = tcase_create("general");

    e2c_plugin_register_static();
    suite_add_tcase(s, tc);
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_parameter_sets_only, 0, 2);
    tcase_add_test(tc, test_swapped_sps_not_decoded);
    tcase_add_test(tc, test_tampered_dropped);
    tcase_add_test(tc, test_pipeline_untampered);
    tcase_add_test(tc, test_pipeline_tampered);
    tcase_add_unchecked_fixture(tc, NULL, clips_free);
    return s;
}

GST_CHECK_MAIN(h264_tampering);
