/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * H.264 access units through e2c_frame_protect() / e2c_frame_open() in
 * format 2 (e2call-e2ee(7), FRAME LAYOUT): every clear byte of an access
 * unit, and the order and place of every NAL unit, is authenticated by each
 * SFrame tag in it. A changed, swapped, added, dropped or moved unit makes
 * the access unit fail authentication; an access unit with nothing
 * encrypted is not accepted at all. What the RTP round trip legitimately
 * changes (start codes, trailing zero bytes, the parameter sets
 * rtph264depay puts in front of its first access unit) still opens, and the
 * output is the sender's access unit.
 */
#include <glib.h>
#include <string.h>

#include "frame.h"
#include "sframe.h"

#define T0 (UINT64_C(5000000000))

/* x264 (constrained baseline) parameter sets of a 320x240 and a 640x480 stream. */
static const uint8_t sps_320[] = {0x67, 0x42, 0xc0, 0x15, 0xda, 0x05, 0x07, 0xec, 0x05,
                                  0xa8, 0x30, 0x30, 0x35, 0x28, 0x00, 0x00, 0x03, 0x00,
                                  0x08, 0x00, 0x00, 0x03, 0x01, 0xe4, 0x78, 0xb1, 0x75};
static const uint8_t sps_640[] = {0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xf6, 0xc0,
                                  0x5a, 0x83, 0x03, 0x03, 0x52, 0x80, 0x00, 0x00, 0x03,
                                  0x00, 0x80, 0x00, 0x00, 0x1e, 0x47, 0x8b, 0x17, 0x50};
static const uint8_t pps[] = {0x68, 0xce, 0x3c, 0x80};
static const uint8_t aud[] = {0x09, 0x10};
static const uint8_t end_of_stream[] = {0x0b};
static const uint8_t filler[] = {0x0c, 0xff, 0xff, 0xff, 0x80};

struct pair {
    struct e2c_sender *s;
    struct e2c_receiver *r;
};

static struct pair
pair_new(void)
{
    struct e2c_shared_key k;
    memset(k.bytes, 0x42, sizeof(k.bytes));
    struct pair p = {e2c_sender_create(SFRAME_DEFAULT_SUITE),
                     e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10000000)};
    e2c_sender_set_key(p.s, &k, 0);
    e2c_receiver_add_key(p.r, &k, T0);
    return p;
}

static void
pair_free(struct pair *p)
{
    e2c_sender_destroy(p->s);
    e2c_receiver_destroy(p->r);
}

/* ---- access units as lists of NAL units (GBytes, header byte onward) ---- */

static GBytes *
nal_of(const uint8_t *bytes, size_t len)
{
    return g_bytes_new(bytes, len);
}

/* A NAL unit with a random payload that, like an encoder's, holds no start
 * code and does not end in a zero byte; many zeros, so escaping is exercised. */
static GBytes *
nal_random(GRand *rand, uint8_t header, size_t payload_len)
{
    GByteArray *a = g_byte_array_new();
    unsigned zeros = 0;
    g_byte_array_append(a, &header, 1);
    for (size_t i = 0; i < payload_len; i++) {
        guint32 r = g_rand_int_range(rand, 0, 8);
        uint8_t b = r < 3   ? 0
                    : r < 5 ? (uint8_t)g_rand_int_range(rand, 1, 4)
                            : (uint8_t)g_rand_int(rand);
        if (zeros >= 2 && b <= 3)
            b = (uint8_t)g_rand_int_range(rand, 4, 256);
        if (i == payload_len - 1 && b == 0)
            b = 0x80;
        zeros = b == 0 ? zeros + 1 : 0;
        g_byte_array_append(a, &b, 1);
    }
    return g_byte_array_free_to_bytes(a);
}

static GPtrArray *
nals_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

static GPtrArray *
nals_copy(GPtrArray *nals)
{
    GPtrArray *c = nals_new();
    for (guint i = 0; i < nals->len; i++)
        g_ptr_array_add(c, g_bytes_ref(g_ptr_array_index(nals, i)));
    return c;
}

/* How an access unit is written out: start codes, zero bytes around units. */
struct framing {
    const char *what;
    guint sc_len;         /* 3 or 4; 0: 4 on the first unit, 3 on the others */
    guint trailing_zeros; /* zero bytes after every unit */
    guint leading;        /* bytes before the first start code */
    uint8_t leading_byte;
};

static const struct framing plain_framing = {"4-byte start codes", 4, 0, 0, 0};

static GByteArray *
join(GPtrArray *nals, const struct framing *f)
{
    static const uint8_t sc[] = {0, 0, 0, 1};
    GByteArray *au = g_byte_array_new();
    for (guint i = 0; i < f->leading; i++)
        g_byte_array_append(au, &f->leading_byte, 1);
    for (guint i = 0; i < nals->len; i++) {
        guint sc_len = f->sc_len ? f->sc_len : i == 0 ? 4 : 3;
        gsize n;
        const uint8_t *d = g_bytes_get_data(g_ptr_array_index(nals, i), &n);
        g_byte_array_append(au, sc + 4 - sc_len, sc_len);
        g_byte_array_append(au, d, (guint)n);
        for (guint z = 0; z < f->trailing_zeros; z++)
            g_byte_array_append(au, sc, 1);
    }
    return au;
}

/* The non-empty NAL units of an access unit, without trailing zero bytes. */
static GPtrArray *
split(const uint8_t *au, size_t len)
{
    GPtrArray *nals = nals_new();
    size_t pos = 0;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(au, len, &pos, &nal))
        if (nal.end > nal.hdr)
            g_ptr_array_add(nals, nal_of(au + nal.hdr, nal.end - nal.hdr));
    return nals;
}

static void
assert_same_units(GPtrArray *a, GPtrArray *b, const char *what)
{
    if (a->len != b->len)
        g_error("%s: %u NAL units, expected %u", what, a->len, b->len);
    for (guint i = 0; i < a->len; i++)
        if (!g_bytes_equal(g_ptr_array_index(a, i), g_ptr_array_index(b, i)))
            g_error("%s: NAL unit %u differs", what, i);
}

static GPtrArray *
protect(struct pair *p, GPtrArray *nals)
{
    GByteArray *au = join(nals, &plain_framing);
    size_t cap = e2c_frame_protect_bound(E2C_CODEC_H264, SFRAME_DEFAULT_SUITE, au->len), len = 0;
    uint8_t *out = g_malloc(cap);
    g_assert_cmpint(
        e2c_frame_protect(p->s, E2C_CODEC_H264, T0, au->data, au->len, out, cap, &len, NULL), ==,
        SFRAME_OK);
    g_assert_cmpuint(len, <=, cap);
    GPtrArray *prot = split(out, len);
    g_free(out);
    g_byte_array_unref(au);
    return prot;
}

/* Opens an access unit written out as f; *out (may be NULL) gets its units when it opened. */
static int
open_framed(struct pair *p, GPtrArray *nals, const struct framing *f, GPtrArray **out,
            struct e2c_frame_info *info)
{
    GByteArray *au = join(nals, f);
    size_t cap = e2c_frame_open_bound(E2C_CODEC_H264, au->len), len = 0;
    uint8_t *o = g_malloc(cap + 1);
    struct e2c_frame_info scratch;
    /* An exact-size heap copy, so a sanitizer sees any read past it. */
    uint8_t *in = g_memdup2(au->data, au->len);
    int err =
        e2c_frame_open(p->r, E2C_CODEC_H264, T0, in, au->len, o, cap, &len, info ? info : &scratch);
    if (out)
        *out = err == SFRAME_OK ? split(o, len) : NULL;
    if (err == SFRAME_OK) {
        g_assert_cmpuint(len, <=, cap);
        /* Nothing but start codes and units: no byte before the first start code. */
        g_assert_true(len >= 4 && o[0] == 0 && o[1] == 0 && (o[2] == 1 || o[3] == 1));
    }
    g_free(in);
    g_free(o);
    g_byte_array_unref(au);
    return err;
}

static int
open_nals(struct pair *p, GPtrArray *nals, GPtrArray **out)
{
    return open_framed(p, nals, &plain_framing, out, NULL);
}

/* ---- fixtures -------------------------------------------------------------- */

enum { K_AUD, K_SPS, K_PPS, K_SEI, K_IDR_A, K_IDR_B, K_N };

/* A keyframe as x264 makes one: AUD, SPS, PPS, SEI, two IDR slices. */
static GPtrArray *
keyframe(GRand *rand)
{
    GPtrArray *k = nals_new();
    g_ptr_array_add(k, nal_of(aud, sizeof(aud)));
    g_ptr_array_add(k, nal_of(sps_320, sizeof(sps_320)));
    g_ptr_array_add(k, nal_of(pps, sizeof(pps)));
    g_ptr_array_add(k, nal_random(rand, 0x06, 40));
    g_ptr_array_add(k, nal_random(rand, 0x65, 700));
    g_ptr_array_add(k, nal_random(rand, 0x65, 300));
    return k;
}

/* A delta frame: AUD and two P slices. */
static GPtrArray *
delta_frame(GRand *rand)
{
    GPtrArray *d = nals_new();
    g_ptr_array_add(d, nal_of(aud, sizeof(aud)));
    g_ptr_array_add(d, nal_random(rand, 0x41, 200));
    g_ptr_array_add(d, nal_random(rand, 0x41, 150));
    return d;
}

/* ---- round trips ----------------------------------------------------------- */

static const struct framing framings[] = {
    {"4-byte start codes (rtph264depay)", 4, 0, 0, 0},
    {"3-byte start codes", 3, 0, 0, 0},
    {"x264's mix of start codes", 0, 0, 0, 0},
    {"trailing zero bytes after every unit", 4, 3, 0, 0},
    {"leading zero bytes", 4, 0, 5, 0},
    {"a byte before the first start code", 4, 0, 1, 0xaa},
};

/*
 * Access units of every shape, each protected once and opened in every
 * framing the RTP round trip (or a sender) may give it: the output is the
 * sender's units, and the wire form is the envelope (clear units as they
 * were; encrypted ones header || start byte ... || 0x80, no start code
 * inside).
 */
static void
test_roundtrip(void)
{
    /* automatic: block-scope compound literals are not constant initializers */
    const struct {
        const char *what;
        const uint8_t *headers;
        guint n;
    } shapes[] = {
#define SHAPE(what, ...)                                                                           \
    {what, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})}
        SHAPE("one P slice", 0x41),
        SHAPE("AUD and a P slice", 0x09, 0x41),
        SHAPE("SPS, PPS, IDR (no AUD)", 0x67, 0x68, 0x65),
        SHAPE("x264 keyframe", 0x09, 0x67, 0x68, 0x06, 0x65),
        SHAPE("four IDR slices", 0x09, 0x67, 0x68, 0x06, 0x65, 0x65, 0x65, 0x65),
        SHAPE("three P slices", 0x09, 0x41, 0x01, 0x41),
        SHAPE("clear units after the slice", 0x41, 0x0c, 0x0a, 0x0b),
        SHAPE("SEI between slices", 0x41, 0x06, 0x41),
        SHAPE("subset SPS and SPS extension", 0x09, 0x6f, 0x6d, 0x67, 0x68, 0x65),
        SHAPE("reserved protected types", 0x0e, 0x10, 0x41, 0x17),
        SHAPE("header-only slice", 0x41),
#undef SHAPE
    };
    GRand *rand = g_rand_new_with_seed(21);
    struct pair p = pair_new();

    for (guint s = 0; s < G_N_ELEMENTS(shapes); s++) {
        GPtrArray *au = nals_new();
        for (guint i = 0; i < shapes[s].n; i++) {
            uint8_t h = shapes[s].headers[i];
            if (h == 0x67)
                g_ptr_array_add(au, nal_of(sps_320, sizeof(sps_320)));
            else if (h == 0x68)
                g_ptr_array_add(au, nal_of(pps, sizeof(pps)));
            else
                g_ptr_array_add(au, nal_random(rand, h,
                                               s == G_N_ELEMENTS(shapes) - 1
                                                   ? 0
                                                   : g_rand_int_range(rand, 1, 1500)));
        }
        for (guint f = 0; f < G_N_ELEMENTS(framings); f++) {
            GPtrArray *prot = protect(&p, au), *back = NULL;
            g_assert_cmpuint(prot->len, ==, au->len);
            gboolean slice_seen = FALSE;
            for (guint i = 0; i < au->len; i++) {
                gsize n, m;
                const uint8_t *a = g_bytes_get_data(g_ptr_array_index(au, i), &n);
                const uint8_t *b = g_bytes_get_data(g_ptr_array_index(prot, i), &m);
                guint type = a[0] & 0x1f;
                g_assert_cmpuint(a[0], ==, b[0]);
                if (!e2c_h264_nal_type_protected(type)) {
                    g_assert_cmpmem(a, n, b, m);
                    continue;
                }
                gboolean first_slice = !slice_seen && (type == 1 || type == 2 || type == 5);
                slice_seen |= type == 1 || type == 2 || type == 5;
                g_assert_cmpuint(m, >=, 4);
                g_assert_cmpuint(b[1], ==, first_slice ? E2C_H264_FIRST_SLICE : 0);
                g_assert_cmpuint(b[m - 1], ==, E2C_H264_TRAILER);
                for (size_t j = 1; j + 2 < m; j++)
                    g_assert_false(b[j] == 0 && b[j + 1] == 0 && b[j + 2] <= 2);
            }
            struct e2c_frame_info info;
            int err = open_framed(&p, prot, &framings[f], &back, &info);
            if (err != SFRAME_OK)
                g_error("%s, %s: %s", shapes[s].what, framings[f].what, sframe_strerror(err));
            assert_same_units(back, au, shapes[s].what);
            g_assert_cmpuint(info.n_sframes, >, 0);
            g_ptr_array_unref(prot);
            g_ptr_array_unref(back);
        }
        g_ptr_array_unref(au);
    }
    pair_free(&p);
    g_rand_free(rand);
}

/* ---- tampering ------------------------------------------------------------- */

/*
 * k: the protected keyframe, to be tampered with; d: a protected delta
 * frame; d2, d3: two more, for splicing only (a splice may open its first
 * slice before the access unit fails, which uses up that slice's counter).
 */
typedef void (*tamper_fn)(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3);

static void
replace(GPtrArray *a, guint i, GBytes *nal)
{
    g_bytes_unref(g_ptr_array_index(a, i));
    g_ptr_array_index(a, i) = nal;
}

static void
swap(GPtrArray *a, guint i, guint j)
{
    gpointer t = g_ptr_array_index(a, i);
    g_ptr_array_index(a, i) = g_ptr_array_index(a, j);
    g_ptr_array_index(a, j) = t;
}

static void
change_byte(GPtrArray *a, guint i, gsize at, uint8_t xor)
{
    gsize n;
    const uint8_t *src = g_bytes_get_data(g_ptr_array_index(a, i), &n);
    uint8_t *d = g_memdup2(src, n);
    d[at] ^= xor;
    replace(a, i, g_bytes_new_take(d, n));
}

static void
t_swap_sps(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    replace(k, K_SPS, nal_of(sps_640, sizeof(sps_640)));
}

static void
t_pps_byte(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    change_byte(k, K_PPS, 2, 0x10);
}

static void
t_drop_sps(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_remove_index(k, K_SPS);
}

static void
t_drop_pps(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_remove_index(k, K_PPS);
}

static void
t_drop_aud(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_remove_index(k, K_AUD);
}

static void
t_insert_pps(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_insert(k, K_PPS + 1, nal_of(pps, sizeof(pps)));
}

static void
t_insert_aud_between_slices(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_insert(k, K_IDR_B, nal_of(aud, sizeof(aud)));
}

static void
t_append_filler(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_add(k, nal_of(filler, sizeof(filler)));
}

static void
t_append_end_of_stream(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_add(k, nal_of(end_of_stream, sizeof(end_of_stream)));
}

static void
t_prepend_other_sps(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_insert(k, 0, nal_of(sps_640, sizeof(sps_640)));
}

static void
t_swap_sps_pps(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    swap(k, K_SPS, K_PPS);
}

static void
t_swap_slices(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    swap(k, K_IDR_A, K_IDR_B);
}

static void
t_swap_pps_sei(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    swap(k, K_PPS, K_SEI);
}

static void
t_swap_aud_slice(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    swap(k, K_AUD, K_IDR_B);
}

static void
t_drop_slice(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_remove_index(k, K_IDR_B);
}

static void
t_drop_sei(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_remove_index(k, K_SEI);
}

static void
t_duplicate_slice(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_insert(k, K_IDR_B, g_bytes_ref(g_ptr_array_index(k, K_IDR_A)));
}

static void
t_slice_ref_idc(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    change_byte(k, K_IDR_B, 0, 0x20);
}

static void
t_start_byte(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    change_byte(k, K_IDR_A, 1, E2C_H264_FIRST_SLICE);
}

static void
t_slice_into_clear_type(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    /* IDR (5) into SPS extension (13): one encrypted unit less, a clear one more. */
    change_byte(k, K_IDR_B, 0, 0x05 ^ 0x0d);
}

static void
t_slice_from_other_frame(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    replace(k, K_IDR_B, g_bytes_ref(g_ptr_array_index(d, 1)));
}

/* Parameter sets in front of a delta frame: a resolution change without a keyframe. */
static void
t_parameter_sets_into_delta(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_set_size(k, 0);
    g_ptr_array_add(k, g_bytes_ref(g_ptr_array_index(d, 0)));
    g_ptr_array_add(k, nal_of(sps_640, sizeof(sps_640)));
    g_ptr_array_add(k, nal_of(pps, sizeof(pps)));
    for (guint i = 1; i < d->len; i++)
        g_ptr_array_add(k, g_bytes_ref(g_ptr_array_index(d, i)));
}

static void
t_swap_delta_slices(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    g_ptr_array_set_size(k, 0);
    for (guint i = 0; i < d->len; i++)
        g_ptr_array_add(k, g_bytes_ref(g_ptr_array_index(d, i)));
    swap(k, 1, 2);
}

/* Two delta frames have the same outline: a slice of one in the same place
 * of the other (what rtph264depay makes of the remains of two access units
 * after loss). */
static void
splice(GPtrArray *k, GPtrArray *a, GPtrArray *b, guint at)
{
    g_ptr_array_set_size(k, 0);
    for (guint i = 0; i < a->len; i++)
        g_ptr_array_add(k, g_bytes_ref(g_ptr_array_index(i == at ? b : a, i)));
}

static void
t_first_slice_of_twin(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    splice(k, d2, d3, 1);
}

static void
t_second_slice_of_twin(GPtrArray *k, GPtrArray *d, GPtrArray *d2, GPtrArray *d3)
{
    splice(k, d2, d3, 2);
}

/*
 * Each tampering of a protected keyframe (AUD, SPS, PPS, SEI, two IDR
 * slices) or delta frame (AUD, two P slices) fails authentication, and so
 * does a slice moved between two delta frames of the same outline (the
 * first encrypted unit's SFrame header anchors the others). The keyframe
 * and delta frame tampered with open afterwards: their tampered copies
 * failed at the first slice, which uses up nothing.
 */
static void
test_tampered(void)
{
    static const struct {
        const char *what;
        tamper_fn fn;
    } cases[] = {
        {"SPS swapped for a 640x480 stream's", t_swap_sps},
        {"one byte of the PPS changed", t_pps_byte},
        {"SPS dropped", t_drop_sps},
        {"PPS dropped", t_drop_pps},
        {"AUD dropped", t_drop_aud},
        {"a PPS inserted", t_insert_pps},
        {"an AUD inserted between the slices", t_insert_aud_between_slices},
        {"filler data appended", t_append_filler},
        {"end of stream appended", t_append_end_of_stream},
        {"another stream's SPS put in front", t_prepend_other_sps},
        {"SPS and PPS swapped", t_swap_sps_pps},
        {"the two slices swapped", t_swap_slices},
        {"PPS and SEI swapped (clear and encrypted)", t_swap_pps_sei},
        {"AUD and a slice swapped", t_swap_aud_slice},
        {"a slice dropped", t_drop_slice},
        {"the SEI dropped", t_drop_sei},
        {"a slice repeated", t_duplicate_slice},
        {"a slice's nal_ref_idc changed", t_slice_ref_idc},
        {"the first slice's start byte changed", t_start_byte},
        {"a slice turned into a clear type", t_slice_into_clear_type},
        {"a slice of another frame put in", t_slice_from_other_frame},
        {"SPS and PPS put into a delta frame", t_parameter_sets_into_delta},
        {"a delta frame's slices swapped", t_swap_delta_slices},
        {"the first slice of another delta frame put in its place", t_first_slice_of_twin},
        {"the second slice of another delta frame put in its place", t_second_slice_of_twin},
    };
    GRand *rand = g_rand_new_with_seed(5);
    struct pair p = pair_new();
    GPtrArray *k = keyframe(rand), *d = delta_frame(rand), *d2 = delta_frame(rand),
              *d3 = delta_frame(rand);
    GPtrArray *pk = protect(&p, k), *pd = protect(&p, d), *pd2 = protect(&p, d2),
              *pd3 = protect(&p, d3);

    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        GPtrArray *t = nals_copy(pk);
        cases[c].fn(t, pd, pd2, pd3);
        struct e2c_frame_info info;
        int err = open_framed(&p, t, &plain_framing, NULL, &info);
        if (err != SFRAME_E_AUTH)
            g_error("%s: %s, expected an authentication failure", cases[c].what,
                    sframe_strerror(err));
        g_assert_false(info.no_envelope);
        g_ptr_array_unref(t);
    }

    GPtrArray *back = NULL;
    g_assert_cmpint(open_nals(&p, pk, &back), ==, SFRAME_OK);
    assert_same_units(back, k, "the keyframe after the tampered ones");
    g_ptr_array_unref(back);
    g_assert_cmpint(open_nals(&p, pd, &back), ==, SFRAME_OK);
    assert_same_units(back, d, "the delta frame after the tampered ones");
    g_ptr_array_unref(back);

    g_ptr_array_unref(pk);
    g_ptr_array_unref(pd);
    g_ptr_array_unref(pd2);
    g_ptr_array_unref(pd3);
    g_ptr_array_unref(d2);
    g_ptr_array_unref(d3);
    g_ptr_array_unref(k);
    g_ptr_array_unref(d);
    pair_free(&p);
    g_rand_free(rand);
}

/*
 * Access units with no encrypted NAL unit (parameter sets alone, an AUD)
 * are not sent by the sender and not accepted by a receiver, with or
 * without a key: malformed, and flagged as carrying no envelope (e2csframedec
 * counts them as unencrypted). Nor is every slice of an access unit turned
 * into a clear type.
 */
static void
test_nothing_encrypted(void)
{
    GRand *rand = g_rand_new_with_seed(8);
    struct pair p = pair_new();
    struct e2c_receiver *keyless = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10000000);
    GPtrArray *k = keyframe(rand), *pk = protect(&p, k);
    GPtrArray *cases[4];

    cases[0] = nals_new(); /* SPS and PPS */
    g_ptr_array_add(cases[0], nal_of(sps_320, sizeof(sps_320)));
    g_ptr_array_add(cases[0], nal_of(pps, sizeof(pps)));
    cases[1] = nals_new(); /* PPS alone */
    g_ptr_array_add(cases[1], nal_of(pps, sizeof(pps)));
    cases[2] = nals_new(); /* AUD, SPS, PPS, end of stream */
    g_ptr_array_add(cases[2], nal_of(aud, sizeof(aud)));
    g_ptr_array_add(cases[2], nal_of(sps_640, sizeof(sps_640)));
    g_ptr_array_add(cases[2], nal_of(pps, sizeof(pps)));
    g_ptr_array_add(cases[2], nal_of(end_of_stream, sizeof(end_of_stream)));
    cases[3] = nals_copy(pk); /* the keyframe with both slices and the SEI made clear types */
    for (guint i = K_SEI; i < K_N; i++) {
        gsize n;
        const uint8_t *src = g_bytes_get_data(g_ptr_array_index(cases[3], i), &n);
        uint8_t *b = g_memdup2(src, n);
        b[0] = (b[0] & 0xe0) | 0x0c;
        replace(cases[3], i, g_bytes_new_take(b, n));
    }

    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        /* The sender: nothing to protect. */
        GByteArray *au = join(cases[c], &plain_framing);
        size_t cap = e2c_frame_protect_bound(E2C_CODEC_H264, SFRAME_DEFAULT_SUITE, au->len), len;
        uint8_t *out = g_malloc(cap);
        if (c < 3)
            g_assert_cmpint(
                e2c_frame_protect(p.s, E2C_CODEC_H264, T0, au->data, au->len, out, cap, &len, NULL),
                ==, SFRAME_E_MALFORMED);
        g_free(out);

        /* Receivers with and without a key. */
        struct e2c_frame_info info;
        g_assert_cmpint(open_framed(&p, cases[c], &plain_framing, NULL, &info), ==,
                        SFRAME_E_MALFORMED);
        g_assert_true(info.no_envelope);
        g_assert_cmpuint(info.n_sframes, ==, 0);
        size_t out_len = 0;
        uint8_t *o = g_malloc(au->len);
        memset(&info, 0, sizeof(info));
        g_assert_cmpint(e2c_frame_open(keyless, E2C_CODEC_H264, T0, au->data, au->len, o, au->len,
                                       &out_len, &info),
                        ==, SFRAME_E_MALFORMED);
        g_assert_true(info.no_envelope);
        g_free(o);
        g_byte_array_unref(au);
        g_ptr_array_unref(cases[c]);
    }

    e2c_receiver_destroy(keyless);
    g_ptr_array_unref(pk);
    g_ptr_array_unref(k);
    pair_free(&p);
    g_rand_free(rand);
}

/*
 * rtph264depay puts the parameter sets of its caps (sprop-parameter-sets)
 * in front of the first access unit it outputs. Copies of the access unit's
 * own SPS and PPS there still open, and the output is the sender's access
 * unit; anything else there fails. Only the first E2C_H264_MAX_LEADING
 * leading parameter sets can be such copies.
 */
static void
test_repeated_parameter_sets(void)
{
    GRand *rand = g_rand_new_with_seed(9);
    struct pair p = pair_new();
    GPtrArray *k = keyframe(rand), *back = NULL;

    /* x264's keyframe: AUD first, so the copies stand before the AUD. */
    GPtrArray *pk = protect(&p, k), *t = nals_copy(pk);
    g_ptr_array_insert(t, 0, nal_of(pps, sizeof(pps)));
    g_ptr_array_insert(t, 0, nal_of(sps_320, sizeof(sps_320)));
    g_assert_cmpint(open_nals(&p, t, &back), ==, SFRAME_OK);
    assert_same_units(back, k, "keyframe behind rtph264depay's parameter sets");
    g_ptr_array_unref(back);
    g_ptr_array_unref(t);
    g_ptr_array_unref(pk);

    /* A keyframe without AUD (openh264): the copies repeat its own first units. */
    GPtrArray *k2 = nals_copy(k);
    g_ptr_array_remove_index(k2, K_AUD);
    pk = protect(&p, k2);
    t = nals_copy(pk);
    g_ptr_array_insert(t, 0, nal_of(pps, sizeof(pps)));
    g_ptr_array_insert(t, 0, nal_of(sps_320, sizeof(sps_320)));
    g_assert_cmpint(open_nals(&p, t, &back), ==, SFRAME_OK);
    assert_same_units(back, k2, "keyframe without AUD behind repeated parameter sets");
    g_ptr_array_unref(back);
    g_ptr_array_unref(t);
    g_ptr_array_unref(pk);

    /* Not copies of the access unit's own: an SPS of another stream, a PPS
     * with one byte changed. (A fresh frame: the one above opened.) */
    pk = protect(&p, k2);
    t = nals_copy(pk);
    g_ptr_array_insert(t, 0, nal_of(pps, sizeof(pps)));
    g_ptr_array_insert(t, 0, nal_of(sps_640, sizeof(sps_640)));
    g_assert_cmpint(open_nals(&p, t, NULL), ==, SFRAME_E_AUTH);
    g_ptr_array_unref(t);
    t = nals_copy(pk);
    g_ptr_array_insert(t, 0, nal_of(pps, sizeof(pps)));
    change_byte(t, 0, 3, 0x01);
    g_assert_cmpint(open_nals(&p, t, NULL), ==, SFRAME_E_AUTH);
    g_ptr_array_unref(t);
    /* Repeated parameter sets only count in front: not in the middle. */
    t = nals_copy(pk);
    g_ptr_array_insert(t, K_IDR_A - 1, nal_of(sps_320, sizeof(sps_320)));
    g_assert_cmpint(open_nals(&p, t, NULL), ==, SFRAME_E_AUTH);
    g_ptr_array_unref(t);
    /* More leading parameter sets than E2C_H264_MAX_LEADING: the ones past
     * it are units like any other, and the access unit fails. */
    t = nals_copy(pk);
    for (guint i = 0; i < E2C_H264_MAX_LEADING / 2 + 1; i++) {
        g_ptr_array_insert(t, 0, nal_of(pps, sizeof(pps)));
        g_ptr_array_insert(t, 0, nal_of(sps_320, sizeof(sps_320)));
    }
    g_assert_cmpint(open_nals(&p, t, NULL), ==, SFRAME_E_AUTH);
    g_ptr_array_unref(t);
    /* The untouched access unit opens after all that. */
    g_assert_cmpint(open_nals(&p, pk, &back), ==, SFRAME_OK);
    assert_same_units(back, k2, "untouched keyframe");
    g_ptr_array_unref(back);

    g_ptr_array_unref(pk);
    g_ptr_array_unref(k2);
    g_ptr_array_unref(k);
    pair_free(&p);
    g_rand_free(rand);
}

/*
 * Format 1 (each slice authenticated with only its NAL header byte as AAD,
 * no start byte) never opens at a format-2 receiver: its first SFrame byte
 * is taken for the start byte, so the header does not parse or names
 * another KID, and the AAD differs anyway.
 */
static void
test_format_1_rejected(void)
{
    GRand *rand = g_rand_new_with_seed(10);
    struct pair p = pair_new();
    GPtrArray *k = keyframe(rand);

    for (guint round = 0; round < 5; round++) {
        GPtrArray *f1 = nals_new();
        for (guint i = 0; i < k->len; i++) {
            gsize n;
            const uint8_t *d = g_bytes_get_data(g_ptr_array_index(k, i), &n);
            if (!e2c_h264_nal_type_protected(d[0] & 0x1f)) {
                g_ptr_array_add(f1, g_bytes_ref(g_ptr_array_index(k, i)));
                continue;
            }
            size_t sealed_len = e2c_sender_seal_bound(p.s, n - 1);
            uint8_t *sealed = g_malloc(sealed_len);
            g_assert_cmpint(e2c_sender_seal(p.s, T0, d, 1, d + 1, n - 1, sealed, &sealed_len, NULL),
                            ==, SFRAME_OK);
            size_t cap = 1 + e2c_h264_escape_bound(sealed_len) + 1;
            uint8_t *nal = g_malloc(cap);
            nal[0] = d[0];
            size_t esc = e2c_h264_escape(sealed, sealed_len, nal + 1, cap - 2);
            nal[1 + esc] = E2C_H264_TRAILER;
            g_ptr_array_add(f1, g_bytes_new_take(nal, esc + 2));
            g_free(sealed);
        }
        g_assert_cmpint(open_nals(&p, f1, NULL), !=, SFRAME_OK);
        g_ptr_array_unref(f1);
    }

    g_ptr_array_unref(k);
    pair_free(&p);
    g_rand_free(rand);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e2ee/frame-h264/roundtrip", test_roundtrip);
    g_test_add_func("/e2ee/frame-h264/tampered", test_tampered);
    g_test_add_func("/e2ee/frame-h264/nothing-encrypted", test_nothing_encrypted);
    g_test_add_func("/e2ee/frame-h264/repeated-parameter-sets", test_repeated_parameter_sets);
    g_test_add_func("/e2ee/frame-h264/format-1-rejected", test_format_1_rejected);
    return g_test_run();
}
