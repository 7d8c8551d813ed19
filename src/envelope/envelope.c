/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The codec table (envelope.h) and the clear prefix of VP8, VP9 and Opus
 * frames (e2call-e2ee(7), FRAME LAYOUT).
 */
#include <string.h>
#include <strings.h>

#include "envelope.h"

#define H264_NAL_IDR 5

static int vp8_is_keyframe(const uint8_t *frame, size_t len);
static int vp9_is_keyframe(const uint8_t *frame, size_t len);
static int h264_has_idr(const uint8_t *au, size_t len);
static int opus_is_keyframe(const uint8_t *frame, size_t len);

/*
 * One row per codec (envelope.h). A prefix is at most 16 bytes: frame.c
 * checks a frame against the prefix of its first 16 bytes.
 */
static const struct e2c_codec_info codecs[] = {
    {E2C_CODEC_VP8, "vp8", E2C_MEDIA_VIDEO, E2C_ENVELOPE_PREFIX, 10, 3, vp8_is_keyframe},
    {E2C_CODEC_VP9, "vp9", E2C_MEDIA_VIDEO, E2C_ENVELOPE_PREFIX, 10, 3, vp9_is_keyframe},
    {E2C_CODEC_H264, "h264", E2C_MEDIA_VIDEO, E2C_ENVELOPE_H264_NAL, 0, 0, h264_has_idr},
    {E2C_CODEC_OPUS, "opus", E2C_MEDIA_AUDIO, E2C_ENVELOPE_PREFIX, 1, 1, opus_is_keyframe},
};

#define N_CODECS (sizeof(codecs) / sizeof(codecs[0]))

const struct e2c_codec_info *
e2c_codec_info(enum e2c_codec c)
{
    for (size_t i = 0; i < N_CODECS; i++)
        if (codecs[i].codec == c)
            return &codecs[i];
    return NULL;
}

const struct e2c_codec_info *
e2c_codec_nth(size_t i)
{
    return i < N_CODECS ? &codecs[i] : NULL;
}

const char *
e2c_codec_name(enum e2c_codec c)
{
    const struct e2c_codec_info *info = e2c_codec_info(c);
    return info ? info->name : "none";
}

enum e2c_codec
e2c_codec_from_name(const char *name)
{
    if (!name)
        return E2C_CODEC_NONE;
    for (size_t i = 0; i < N_CODECS; i++)
        if (strcasecmp(codecs[i].name, name) == 0)
            return codecs[i].codec;
    return E2C_CODEC_NONE;
}

/* RFC 6386 §9.1: bit 0 of the frame tag is 0 on keyframes. */
static int
vp8_is_keyframe(const uint8_t *frame, size_t len)
{
    return len >= 1 && (frame[0] & 0x01) == 0;
}

/*
 * VP9 bitstream spec §6.2 uncompressed_header(), most significant bit first:
 * frame_marker(2) = 2, profile_low_bit(1), profile_high_bit(1),
 * reserved_zero(1) only when profile == 3, show_existing_frame(1), and
 * (when that is 0) frame_type(1) with 0 = KEY_FRAME. All of it fits in
 * byte 0. A frame whose marker or reserved bit is wrong is not a keyframe.
 */
static int
vp9_is_keyframe(const uint8_t *frame, size_t len)
{
    if (len < 1)
        return 0;
    unsigned b = frame[0];
    if ((b >> 6) != 2)
        return 0;
    unsigned profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
    unsigned bit = 3; /* next bit to read, counted from the least significant */
    if (profile == 3) {
        if ((b >> bit) & 1)
            return 0;
        bit--;
    }
    if ((b >> bit) & 1)
        return 0; /* show_existing_frame: repeats a decoded frame */
    bit--;
    return ((b >> bit) & 1) == 0;
}

static int
h264_has_idr(const uint8_t *au, size_t len)
{
    size_t pos = 0;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(au, len, &pos, &nal))
        if (nal.end > nal.hdr && (au[nal.hdr] & 0x1f) == H264_NAL_IDR)
            return 1;
    return 0;
}

/* RFC 6716: every Opus packet decodes on its own. */
static int
opus_is_keyframe(const uint8_t *frame, size_t len)
{
    return len >= 1;
}

static size_t
at_most(size_t n, size_t len)
{
    return n < len ? n : len;
}

size_t
e2c_clear_prefix_len(enum e2c_codec c, const uint8_t *frame, size_t len)
{
    const struct e2c_codec_info *info = e2c_codec_info(c);
    if (!info || !frame || len == 0)
        return 0;
    switch (info->envelope) {
    case E2C_ENVELOPE_PREFIX:
        return at_most(info->is_keyframe(frame, len) ? info->key_prefix : info->delta_prefix, len);
    case E2C_ENVELOPE_H264_NAL:
        break;
    }
    return 0;
}

int
e2c_frame_is_keyframe(enum e2c_codec c, const uint8_t *frame, size_t len)
{
    const struct e2c_codec_info *info = e2c_codec_info(c);
    if (!info || !frame || len == 0)
        return 0;
    return info->is_keyframe(frame, len);
}
