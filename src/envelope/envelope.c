/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Codec names and the clear prefix of VP8, VP9 and Opus frames (e2call-e2ee(7), FRAME LAYOUT).
 */
#include <string.h>
#include <strings.h>

#include "envelope.h"

#define VP8_KEY_PREFIX 10
#define VP8_DELTA_PREFIX 3
#define VP9_KEY_PREFIX 10
#define VP9_DELTA_PREFIX 3
#define OPUS_PREFIX 1

#define H264_NAL_IDR 5

static const struct {
    enum e2c_codec codec;
    const char *name;
    const char *media_type;
} codecs[] = {
    {E2C_CODEC_VP8, "vp8", "video/x-vp8"},
    {E2C_CODEC_VP9, "vp9", "video/x-vp9"},
    {E2C_CODEC_H264, "h264", "video/x-h264"},
    {E2C_CODEC_OPUS, "opus", "audio/x-opus"},
};

#define N_CODECS (sizeof(codecs) / sizeof(codecs[0]))

const char *
e2c_codec_name(enum e2c_codec c)
{
    for (size_t i = 0; i < N_CODECS; i++)
        if (codecs[i].codec == c)
            return codecs[i].name;
    return "none";
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

enum e2c_codec
e2c_codec_from_media_type(const char *media_type)
{
    if (!media_type)
        return E2C_CODEC_NONE;
    for (size_t i = 0; i < N_CODECS; i++)
        if (strcmp(codecs[i].media_type, media_type) == 0)
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

static size_t
at_most(size_t n, size_t len)
{
    return n < len ? n : len;
}

size_t
e2c_clear_prefix_len(enum e2c_codec c, const uint8_t *frame, size_t len)
{
    if (!frame || len == 0)
        return 0;
    switch (c) {
    case E2C_CODEC_VP8:
        return at_most(vp8_is_keyframe(frame, len) ? VP8_KEY_PREFIX : VP8_DELTA_PREFIX, len);
    case E2C_CODEC_VP9:
        return at_most(vp9_is_keyframe(frame, len) ? VP9_KEY_PREFIX : VP9_DELTA_PREFIX, len);
    case E2C_CODEC_OPUS:
        return at_most(OPUS_PREFIX, len);
    case E2C_CODEC_H264:
    case E2C_CODEC_NONE:
        break;
    }
    return 0;
}

int
e2c_frame_is_keyframe(enum e2c_codec c, const uint8_t *frame, size_t len)
{
    if (!frame || len == 0)
        return 0;
    switch (c) {
    case E2C_CODEC_VP8:
        return vp8_is_keyframe(frame, len);
    case E2C_CODEC_VP9:
        return vp9_is_keyframe(frame, len);
    case E2C_CODEC_H264:
        return h264_has_idr(frame, len);
    case E2C_CODEC_OPUS:
        return 1; /* RFC 6716: every Opus packet decodes on its own */
    case E2C_CODEC_NONE:
        break;
    }
    return 0;
}
