/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The codec table's two halves (src/envelope, src/gst/e2ccodec.h) against
 * each other and against the GStreamer elements they name:
 *
 * - every codec has a row in both, in the same order, and every row leads
 *   back to itself from its name, its caps and its RTP encoding name; no two
 *   rows share a name, media type, encoding name or payload type;
 * - every element factory a row names is on this machine (what `e2call
 *   check` reports otherwise), and the caps fit: the encoder makes what
 *   e2csframeenc takes, the payloader and depayloader carry the row's RTP caps,
 *   the decoder takes the frames;
 * - the settings hooks name properties and values the real elements have
 *   (a wrong name or type is a GLib critical, fatal here);
 * - e2csframeenc's and e2csframedec's pad templates are the table's caps.
 */
#include <gst/gst.h>

#include "e2ccodec.h"
#include "e2cplugin.h"

static GstCaps *
template_caps(const char *factory_name, GstPadDirection direction)
{
    GstElementFactory *f = gst_element_factory_find(factory_name);
    g_assert_nonnull(f);
    GstCaps *caps = NULL;
    for (const GList *l = gst_element_factory_get_static_pad_templates(f); l; l = l->next) {
        GstStaticPadTemplate *t = l->data;
        if (t->direction == direction && t->presence == GST_PAD_ALWAYS) {
            g_assert_null(caps); /* one always pad per direction */
            caps = gst_static_pad_template_get_caps(t);
        }
    }
    gst_object_unref(f);
    g_assert_nonnull(caps);
    return caps;
}

static void
assert_can_intersect(const char *what, GstCaps *a, GstCaps *b)
{
    if (!gst_caps_can_intersect(a, b)) {
        gchar *sa = gst_caps_to_string(a), *sb = gst_caps_to_string(b);
        g_error("%s: %s and %s do not intersect", what, sa, sb);
    }
}

static void
test_rows_match(void)
{
    const struct e2c_codec_info *info;
    gsize n = 0;
    for (gsize i = 0; (info = e2c_codec_nth(i)); i++, n++) {
        const struct e2c_gst_codec *row = e2c_gst_codec_nth(i);
        g_assert_nonnull(row);
        g_assert_cmpint(row->codec, ==, info->codec);
        g_assert_true(e2c_gst_codec(info->codec) == row);
    }
    g_assert_null(e2c_gst_codec_nth(n));
    g_assert_null(e2c_gst_codec(E2C_CODEC_NONE));
}

static void
test_round_trips(void)
{
    const struct e2c_gst_codec *row;
    for (gsize i = 0; (row = e2c_gst_codec_nth(i)); i++) {
        const char *name = e2c_codec_name(row->codec);
        g_test_message("%s", name);
        g_assert_true(e2c_gst_codec(e2c_codec_from_name(name)) == row);

        GstCaps *caps = e2c_gst_codec_caps(row);
        g_assert_true(e2c_gst_codec_from_caps(caps) == row);
        g_assert_cmpstr(gst_structure_get_name(gst_caps_get_structure(caps, 0)), ==,
                        row->media_type);
        gst_caps_unref(caps);

        g_assert_true(e2c_gst_codec_from_encoding_name(row->encoding_name) == row);
        gchar *lower = g_ascii_strdown(row->encoding_name, -1);
        g_assert_true(e2c_gst_codec_from_encoding_name(lower) == row);
        g_free(lower);

        GstCaps *rtp = e2c_gst_codec_rtp_caps(row);
        const GstStructure *s = gst_caps_get_structure(rtp, 0);
        g_assert_cmpstr(gst_structure_get_string(s, "encoding-name"), ==, row->encoding_name);
        g_assert_true(
            e2c_gst_codec_from_encoding_name(gst_structure_get_string(s, "encoding-name")) == row);
        gst_caps_unref(rtp);

        /* Dynamic payload types (RFC 3551), one per codec. */
        g_assert_cmpuint(row->payload_type, >=, 96);
        g_assert_cmpuint(row->payload_type, <=, 127);
        g_assert_cmpuint(row->clock_rate, >, 0);
        g_assert_cmpstr(e2c_gst_codec_media(row), ==,
                        e2c_codec_info(row->codec)->kind == E2C_MEDIA_VIDEO ? "video" : "audio");
        const struct e2c_gst_codec *other;
        for (gsize j = 0; j < i && (other = e2c_gst_codec_nth(j)); j++) {
            g_assert_cmpuint(other->payload_type, !=, row->payload_type);
            g_assert_cmpstr(other->media_type, !=, row->media_type);
            g_assert_cmpint(g_ascii_strcasecmp(other->encoding_name, row->encoding_name), !=, 0);
        }
    }
    GstCaps *h265 = gst_caps_from_string("video/x-h265");
    g_assert_null(e2c_gst_codec_from_caps(h265));
    gst_caps_unref(h265);
    g_assert_null(e2c_gst_codec_from_encoding_name("H265"));
    g_assert_null(e2c_gst_codec_from_encoding_name(NULL));
    g_assert_null(e2c_gst_codec_from_caps(NULL));
}

static void
test_factories_exist(void)
{
    const struct e2c_gst_codec *row;
    for (gsize i = 0; (row = e2c_gst_codec_nth(i)); i++) {
        const char *factories[] = {row->encoder, row->payloader, row->e2ee_payloader,
                                   row->depayloader, row->decoder};
        for (gsize k = 0; k < G_N_ELEMENTS(factories); k++) {
            GstElementFactory *f = gst_element_factory_find(factories[k]);
            if (!f)
                g_error("%s: element %s is missing (e2call check reports it)",
                        e2c_codec_name(row->codec), factories[k]);
            gst_object_unref(f);
        }
    }
}

static void
test_caps_fit_elements(void)
{
    const struct e2c_gst_codec *row;
    for (gsize i = 0; (row = e2c_gst_codec_nth(i)); i++) {
        g_test_message("%s", e2c_codec_name(row->codec));
        GstCaps *frames = e2c_gst_codec_caps(row), *rtp = e2c_gst_codec_rtp_caps(row);
        GstCaps *enc_src = template_caps(row->encoder, GST_PAD_SRC);
        assert_can_intersect("encoder output", enc_src, frames);
        if (row->encoder_caps) {
            GstCaps *restricted = gst_caps_from_string(row->encoder_caps);
            g_assert_nonnull(restricted);
            assert_can_intersect("encoder caps", enc_src, restricted);
            assert_can_intersect("encoder caps", restricted, frames);
            gst_caps_unref(restricted);
        }
        gst_caps_unref(enc_src);
        const char *payloaders[] = {row->payloader, row->e2ee_payloader};
        for (gsize k = 0; k < G_N_ELEMENTS(payloaders); k++) {
            GstCaps *sink = template_caps(payloaders[k], GST_PAD_SINK);
            GstCaps *src = template_caps(payloaders[k], GST_PAD_SRC);
            assert_can_intersect(payloaders[k], sink, frames);
            assert_can_intersect(payloaders[k], src, rtp);
            gst_caps_unref(sink);
            gst_caps_unref(src);
        }
        GstCaps *depay_sink = template_caps(row->depayloader, GST_PAD_SINK);
        GstCaps *depay_src = template_caps(row->depayloader, GST_PAD_SRC);
        assert_can_intersect("depayloader input", depay_sink, rtp);
        assert_can_intersect("depayloader output", depay_src, frames);
        gst_caps_unref(depay_sink);
        gst_caps_unref(depay_src);
        GstCaps *dec_sink = template_caps(row->decoder, GST_PAD_SINK);
        assert_can_intersect("decoder input", dec_sink, frames);
        gst_caps_unref(dec_sink);
        gst_caps_unref(frames);
        gst_caps_unref(rtp);
    }
}

static void
test_settings_hooks(void)
{
    const struct e2c_gst_codec *row;
    const struct e2c_encoder_settings settings = {.kbps = 300, .keyframe_max_frames = 150};
    for (gsize i = 0; (row = e2c_gst_codec_nth(i)); i++) {
        g_test_message("%s", e2c_codec_name(row->codec));
        GstElement *enc = gst_element_factory_make(row->encoder, NULL);
        g_assert_nonnull(enc);
        if (row->set_up_encoder)
            row->set_up_encoder(enc, &settings);
        gst_object_unref(gst_object_ref_sink(enc));
        for (int e2ee = 0; e2ee <= 1; e2ee++) {
            GstElement *pay =
                gst_element_factory_make(e2ee ? row->e2ee_payloader : row->payloader, NULL);
            g_assert_nonnull(pay);
            if (row->set_up_payloader)
                row->set_up_payloader(pay, e2ee);
            g_object_set(pay, "pt", row->payload_type, NULL);
            gst_object_unref(gst_object_ref_sink(pay));
        }
    }
}

static void
test_sframe_element_caps(void)
{
    GstCaps *table = e2c_gst_codec_all_caps();
    const char *elements[] = {"e2csframeenc", "e2csframedec"};
    for (gsize i = 0; i < G_N_ELEMENTS(elements); i++) {
        GstCaps *sink = template_caps(elements[i], GST_PAD_SINK);
        GstCaps *src = template_caps(elements[i], GST_PAD_SRC);
        g_assert_true(gst_caps_is_strictly_equal(sink, table));
        g_assert_true(gst_caps_is_strictly_equal(src, table));
        gst_caps_unref(sink);
        gst_caps_unref(src);
    }
    /* One structure per codec: the table's caps say which codec a structure is. */
    const struct e2c_gst_codec *row;
    gsize n = 0;
    while ((row = e2c_gst_codec_nth(n)))
        n++;
    g_assert_cmpuint(gst_caps_get_size(table), ==, n);
    for (gsize i = 0; i < n; i++) {
        GstCaps *one = gst_caps_copy_nth(table, (guint)i);
        g_assert_true(e2c_gst_codec_from_caps(one) == e2c_gst_codec_nth(i));
        gst_caps_unref(one);
    }
    gst_caps_unref(table);
}

int
main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    e2c_plugin_register_static();
    g_test_add_func("/codec-table/rows-match", test_rows_match);
    g_test_add_func("/codec-table/round-trips", test_round_trips);
    g_test_add_func("/codec-table/factories-exist", test_factories_exist);
    g_test_add_func("/codec-table/caps-fit-elements", test_caps_fit_elements);
    g_test_add_func("/codec-table/settings-hooks", test_settings_hooks);
    g_test_add_func("/codec-table/sframe-element-caps", test_sframe_element_caps);
    return g_test_run();
}
