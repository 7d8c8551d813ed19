/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The codec table's GStreamer half (e2ccodec.h). The encoder settings are
 * for real-time calls: no lookahead, one thread, constant bitrate where the
 * encoder has it, and a bounded keyframe interval (receivers that lose sync
 * ask for keyframes anyway; the interval only bounds the wait).
 */
#include "e2ccodec.h"

/* libvpx (vp8enc, vp9enc) take the same settings. */
static void
set_up_vpx_encoder(GstElement *enc, const struct e2c_encoder_settings *s)
{
    g_object_set(enc, "deadline", (gint64)1, "cpu-used", 8, "end-usage", 1 /* cbr */,
                 "target-bitrate", (gint)(s->kbps * 1000), "keyframe-max-dist",
                 (gint)s->keyframe_max_frames, "threads", 1, "lag-in-frames", 0, "error-resilient",
                 1, NULL);
}

static void
set_up_x264_encoder(GstElement *enc, const struct e2c_encoder_settings *s)
{
    gst_util_set_object_arg(G_OBJECT(enc), "tune", "zerolatency");
    gst_util_set_object_arg(G_OBJECT(enc), "speed-preset", "ultrafast");
    g_object_set(enc, "bitrate", s->kbps, "key-int-max", s->keyframe_max_frames, "threads", 1,
                 NULL);
}

static void
set_up_opus_encoder(GstElement *enc, const struct e2c_encoder_settings *s)
{
    g_object_set(enc, "bitrate", (gint)(s->kbps * 1000), NULL);
    gst_util_set_object_arg(G_OBJECT(enc), "frame-size", G_STRINGIFY(E2C_OPUS_FRAME_MS));
}

/* rtpvp8pay and rtpvp9pay; e2csframevp8pay always uses 15-bit picture IDs. */
static void
set_up_vpx_payloader(GstElement *pay, gboolean e2ee)
{
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(pay), "picture-id-mode"))
        gst_util_set_object_arg(G_OBJECT(pay), "picture-id-mode", "15-bit");
}

static void
set_up_h264_payloader(GstElement *pay, gboolean e2ee)
{
    /* config-interval stays 0: x264 repeats SPS and PPS in-band before every keyframe. */
    g_object_set(pay, "config-interval", 0, NULL);
    gst_util_set_object_arg(G_OBJECT(pay), "aggregate-mode", "zero-latency");
}

/* One row per codec of src/envelope's table, in its order. */
static const struct e2c_gst_codec codecs[] = {
    {
        .codec = E2C_CODEC_VP8,
        .media_type = "video/x-vp8",
        .caps_fields = "",
        .encoding_name = "VP8",
        .clock_rate = 90000,
        .payload_type = 96,
        .encoder = "vp8enc",
        .payloader = "rtpvp8pay",
        .e2ee_payloader = "e2csframevp8pay",
        .depayloader = "rtpvp8depay",
        .decoder = "vp8dec",
        .set_up_encoder = set_up_vpx_encoder,
        .set_up_payloader = set_up_vpx_payloader,
    },
    {
        .codec = E2C_CODEC_VP9,
        .media_type = "video/x-vp9",
        .caps_fields = "",
        .encoding_name = "VP9",
        .clock_rate = 90000,
        .payload_type = 98,
        .encoder = "vp9enc",
        .payloader = "rtpvp9pay",
        .e2ee_payloader = "rtpvp9pay",
        .depayloader = "rtpvp9depay",
        .decoder = "vp9dec",
        .set_up_encoder = set_up_vpx_encoder,
        .set_up_payloader = set_up_vpx_payloader,
    },
    {
        .codec = E2C_CODEC_H264,
        .media_type = "video/x-h264",
        /* What the H.264 envelope works on: Annex B, one access unit a buffer. */
        .caps_fields = "stream-format = (string) byte-stream, alignment = (string) au",
        .encoding_name = "H264",
        .clock_rate = 90000,
        .payload_type = 102,
        .encoder = "x264enc",
        .payloader = "rtph264pay",
        .e2ee_payloader = "rtph264pay",
        .depayloader = "rtph264depay",
        .decoder = "avdec_h264",
        /* What browsers decode everywhere, and the envelope's stream format. */
        .encoder_caps = "video/x-h264, profile = (string) constrained-baseline, "
                        "stream-format = (string) byte-stream, alignment = (string) au",
        .set_up_encoder = set_up_x264_encoder,
        .set_up_payloader = set_up_h264_payloader,
    },
    {
        .codec = E2C_CODEC_OPUS,
        .media_type = "audio/x-opus",
        .caps_fields = "",
        .encoding_name = "OPUS",
        .clock_rate = 48000,
        .payload_type = 111,
        .encoder = "opusenc",
        .payloader = "rtpopuspay",
        .e2ee_payloader = "rtpopuspay",
        .depayloader = "rtpopusdepay",
        .decoder = "opusdec",
        .set_up_encoder = set_up_opus_encoder,
    },
};

const struct e2c_gst_codec *
e2c_gst_codec(enum e2c_codec codec)
{
    for (gsize i = 0; i < G_N_ELEMENTS(codecs); i++)
        if (codecs[i].codec == codec)
            return &codecs[i];
    return NULL;
}

const struct e2c_gst_codec *
e2c_gst_codec_nth(gsize i)
{
    return i < G_N_ELEMENTS(codecs) ? &codecs[i] : NULL;
}

const struct e2c_gst_codec *
e2c_gst_codec_from_caps(const GstCaps *caps)
{
    if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps))
        return NULL;
    const gchar *name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    for (gsize i = 0; i < G_N_ELEMENTS(codecs); i++)
        if (g_str_equal(codecs[i].media_type, name))
            return &codecs[i];
    return NULL;
}

const struct e2c_gst_codec *
e2c_gst_codec_from_encoding_name(const gchar *name)
{
    if (!name)
        return NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(codecs); i++)
        if (g_ascii_strcasecmp(codecs[i].encoding_name, name) == 0)
            return &codecs[i];
    return NULL;
}

GstCaps *
e2c_gst_codec_caps(const struct e2c_gst_codec *row)
{
    gchar *text =
        g_strdup_printf("%s%s%s", row->media_type, *row->caps_fields ? ", " : "", row->caps_fields);
    GstCaps *caps = gst_caps_from_string(text);
    g_free(text);
    return caps;
}

GstCaps *
e2c_gst_codec_all_caps(void)
{
    GstCaps *all = gst_caps_new_empty();
    for (gsize i = 0; i < G_N_ELEMENTS(codecs); i++)
        gst_caps_append(all, e2c_gst_codec_caps(&codecs[i]));
    return all;
}

void
e2c_gst_codec_add_pad_templates(GstElementClass *klass)
{
    GstCaps *caps = e2c_gst_codec_all_caps();
    gst_element_class_add_pad_template(
        klass, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
    gst_element_class_add_pad_template(
        klass, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
    gst_caps_unref(caps);
}

const char *
e2c_gst_codec_media(const struct e2c_gst_codec *row)
{
    const struct e2c_codec_info *info = e2c_codec_info(row->codec);
    switch (info ? info->kind : E2C_MEDIA_VIDEO) {
    case E2C_MEDIA_VIDEO:
        break;
    case E2C_MEDIA_AUDIO:
        return "audio";
    }
    return "video";
}

GstCaps *
e2c_gst_codec_rtp_caps(const struct e2c_gst_codec *row)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING,
                               e2c_gst_codec_media(row), "encoding-name", G_TYPE_STRING,
                               row->encoding_name, "clock-rate", G_TYPE_INT, (gint)row->clock_rate,
                               "payload", G_TYPE_INT, (gint)row->payload_type, NULL);
}
