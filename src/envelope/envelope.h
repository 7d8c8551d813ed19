/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Codec envelopes (SPEC.md §4, "clear prefix per codec"): what of an encoded
 * frame stays readable for payloaders and the router, and how H.264 NAL
 * units carry ciphertext through rtph264pay / rtph264depay byte for byte.
 *
 * Pure C: no OpenSSL, no GLib. Every function reads only the bytes it is
 * given and bounds every access by the lengths passed in.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum e2c_codec {
    E2C_CODEC_NONE = 0,
    E2C_CODEC_VP8,
    E2C_CODEC_VP9,
    E2C_CODEC_H264,
    E2C_CODEC_OPUS,
};

const char *e2c_codec_name(enum e2c_codec c); /* "vp8", "vp9", "h264", "opus"; else "none" */
enum e2c_codec e2c_codec_from_name(const char *name); /* any case; E2C_CODEC_NONE if unknown */
/* From a GStreamer media type such as "video/x-vp8"; E2C_CODEC_NONE if unknown. */
enum e2c_codec e2c_codec_from_media_type(const char *media_type);

/*
 * Clear prefix for VP8, VP9 and Opus: VP8 10 bytes on keyframes, 3 on delta
 * frames (keyframe bit in byte 0); VP9 10 / 3 (frame type in the
 * uncompressed header's first byte); Opus 1 (TOC). Never more than len.
 * For H.264 the envelope is per NAL unit: see below.
 */
size_t e2c_clear_prefix_len(enum e2c_codec c, const uint8_t *frame, size_t len);
/*
 * 1 when the frame is a keyframe according to its clear bytes, 0 when not or
 * unknown. H.264: the access unit holds an IDR slice (type 5). Opus: every
 * non-empty packet, since each one decodes on its own.
 */
int e2c_frame_is_keyframe(enum e2c_codec c, const uint8_t *frame, size_t len);

/* ---- H.264 Annex B byte streams, alignment=au ---------------------------- */

struct e2c_nal {
    size_t start;   /* offset of the start code */
    size_t sc_len;  /* 3 or 4 */
    size_t hdr;     /* offset of the NAL header byte (start + sc_len) */
    size_t end;     /* one past the last byte of the NAL unit (before the next start code) */
};

/*
 * Iterates NAL units: *pos starts at 0; returns 1 and fills nal while one is
 * found, 0 at the end. Bytes before the first start code are skipped. Trailing
 * zero bytes before a start code, or at the end of the access unit, are
 * Annex B trailing_zero_8bits, so nal->end never includes them. A start code
 * followed directly by another (or by nothing) gives an empty NAL unit with
 * nal->end == nal->hdr: check that before reading the header byte.
 */
int e2c_h264_next_nal(const uint8_t *au, size_t len, size_t *pos, struct e2c_nal *nal);

/*
 * Whether the payload of a NAL unit of this type is encrypted: parameter
 * sets and delimiters (7, 8, 9, 10, 11, 12, 13, 15) and the unspecified type 0
 * (whose header byte may be 0x00) stay clear, everything
 * else (slices, SEI, ...) carries ciphertext after its clear header byte.
 * Values above 31 are not NAL unit types: 0.
 */
int e2c_h264_nal_type_protected(unsigned nal_type);

/*
 * Emulation prevention as in H.264 §7.4.1: an 0x03 after every 00 00 that is
 * followed by a byte <= 0x03, so ciphertext never contains a start code.
 * e2c_h264_escape_bound() is the worst case (len + len / 2 + 1).
 */
size_t e2c_h264_escape_bound(size_t len);
/* Returns bytes written, or 0 when cap is too small for a non-empty input. */
size_t e2c_h264_escape(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/*
 * Inverse; -1 on input that no escape could have produced (00 00 00/01/02,
 * 00 00 03 followed by a byte > 03 or by nothing), -2 when cap is too small
 * (cap >= len always suffices). escape(unescape(x)) == x for every x accepted.
 */
long e2c_h264_unescape(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* The last byte of every protected NAL: never zero, so rtph264pay trims nothing. */
#define E2C_H264_TRAILER 0x80
