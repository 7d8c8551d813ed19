/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The codec table's GStreamer half: per codec of src/envelope's table, the
 * caps of its encoded frames, its RTP encoding, and the elements that
 * encode, payload, depayload and decode it, with their settings. e2csframeenc
 * and e2csframedec take their pad template caps from it, the send and receive
 * chains (src/call) their elements, `e2call check` its list of elements.
 * Adding a codec: a row in src/envelope's table and one here.
 */
#pragma once

#include <gst/gst.h>

#include "envelope.h"

G_BEGIN_DECLS

/* Opus frames are this long (opusenc frame-size): 50 frames a second. */
#define E2C_OPUS_FRAME_MS 20

/* What an encoder is set up with (e2call join's knobs). */
struct e2c_encoder_settings {
    guint kbps;
    guint keyframe_max_frames; /* video: at most this many frames between keyframes */
};

struct e2c_gst_codec {
    enum e2c_codec codec;
    /* Encoded frames: the media type, and the fields e2csframeenc/e2csframedec
     * require ("" for none). */
    const char *media_type;
    const char *caps_fields;
    /* RTP: encoding name, clock rate, and the payload type e2call offers
     * (fixed, so SDP munging is never needed). */
    const char *encoding_name;
    guint clock_rate;
    guint payload_type;
    /* Element factories. e2ee_payloader: the one used with e2csframeenc in
     * front (a stock payloader that parses past the clear prefix fails on
     * ciphertext). */
    const char *encoder, *payloader, *e2ee_payloader, *depayloader, *decoder;
    /* Caps the encoder's output is restricted to; NULL: any. */
    const char *encoder_caps;
    /* Settings beyond the defaults; NULL: none. */
    void (*set_up_encoder)(GstElement *encoder, const struct e2c_encoder_settings *s);
    void (*set_up_payloader)(GstElement *payloader, gboolean e2ee);
};

/* The row of codec; NULL for E2C_CODEC_NONE. */
const struct e2c_gst_codec *e2c_gst_codec(enum e2c_codec codec);
/* Row i (0, 1, ...), NULL past the end; the order of src/envelope's table. */
const struct e2c_gst_codec *e2c_gst_codec_nth(gsize i);
/* The row whose media type is the first structure's name of caps; NULL if none. */
const struct e2c_gst_codec *e2c_gst_codec_from_caps(const GstCaps *caps);
/* The row of an RTP encoding name ("VP8", any case); NULL if none. */
const struct e2c_gst_codec *e2c_gst_codec_from_encoding_name(const gchar *name);

/* Encoded frames of row: media type and fields. Free with gst_caps_unref(). */
GstCaps *e2c_gst_codec_caps(const struct e2c_gst_codec *row);
/* Every row's e2c_gst_codec_caps(): what e2csframeenc and e2csframedec take and give. */
GstCaps *e2c_gst_codec_all_caps(void);
/* Adds "sink" and "src" pad templates of e2c_gst_codec_all_caps() (e2csframeenc, e2csframedec). */
void e2c_gst_codec_add_pad_templates(GstElementClass *klass);
/* application/x-rtp caps of row's RTP stream (media, encoding-name, clock-rate, payload). */
GstCaps *e2c_gst_codec_rtp_caps(const struct e2c_gst_codec *row);
/* "video" or "audio" (src/envelope's kind). */
const char *e2c_gst_codec_media(const struct e2c_gst_codec *row);

G_END_DECLS
