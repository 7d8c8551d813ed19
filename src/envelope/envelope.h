/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The codec table's pure half (which codecs, their names and kinds, how
 * SFrame sits in their frames) and the codec envelopes (e2call-e2ee(7),
 * FRAME LAYOUT): what of an encoded frame stays readable for payloaders
 * and the router, how H.264 NAL units carry ciphertext through rtph264pay /
 * rtph264depay byte for byte, and what of an H.264 access unit the SFrame
 * tags authenticate (the outline, e2call-e2ee(7) format 2).
 *
 * Pure C: no OpenSSL, no GLib. Every function reads only the bytes it is
 * given and bounds every access by the lengths passed in.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * The codecs e2call sends and receives. Adding one: a value here, a row in
 * the table of envelope.c (its name, kind, envelope and keyframe rule) and
 * a row in src/gst's codec table (caps, RTP and elements).
 */
enum e2c_codec {
    E2C_CODEC_NONE = 0,
    E2C_CODEC_VP8,
    E2C_CODEC_VP9,
    E2C_CODEC_H264,
    E2C_CODEC_OPUS,
};

enum e2c_media_kind {
    E2C_MEDIA_VIDEO,
    E2C_MEDIA_AUDIO,
};

/* How SFrame sits in a codec's frames (e2call-e2ee(7), FRAME LAYOUT). */
enum e2c_envelope_form {
    E2C_ENVELOPE_PREFIX,   /* clear prefix || SFrame header || ciphertext || tag */
    E2C_ENVELOPE_H264_NAL, /* per NAL unit, the format 2 outline in the AAD (below) */
};

/* One row of the codec table: what of a codec needs no GStreamer. */
struct e2c_codec_info {
    enum e2c_codec codec;
    const char *name; /* lower case: --video / --audio, events, JSON */
    enum e2c_media_kind kind;
    enum e2c_envelope_form envelope;
    /* E2C_ENVELOPE_PREFIX: clear bytes of a keyframe and of any other frame */
    size_t key_prefix, delta_prefix;
    /* From the frame's first bytes (len > 0): 1 for a keyframe, else 0. */
    int (*is_keyframe)(const uint8_t *frame, size_t len);
};

/* The row of c; NULL for E2C_CODEC_NONE and values outside the enum. */
const struct e2c_codec_info *e2c_codec_info(enum e2c_codec c);
/* Row i of the table (0, 1, ...), NULL past its end: for (i = 0; (row = e2c_codec_nth(i)); i++). */
const struct e2c_codec_info *e2c_codec_nth(size_t i);

const char *e2c_codec_name(enum e2c_codec c); /* "vp8", "vp9", "h264", "opus"; else "none" */
enum e2c_codec e2c_codec_from_name(const char *name); /* any case; E2C_CODEC_NONE if unknown */

/*
 * Clear prefix of a codec with E2C_ENVELOPE_PREFIX, from its row: VP8 10
 * bytes on keyframes, 3 on delta frames (keyframe bit in byte 0); VP9 10 / 3
 * (frame type in the uncompressed header's first byte); Opus 1 (TOC). Never
 * more than len. 0 for H.264, whose envelope is per NAL unit: see below.
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
    size_t start;  /* offset of the start code */
    size_t sc_len; /* 3 or 4 */
    size_t hdr;    /* offset of the NAL header byte (start + sc_len) */
    size_t end;    /* one past the last byte of the NAL unit (before the next start code) */
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

/*
 * ---- Format 2: what of an access unit every SFrame tag authenticates ----
 *
 * An encrypted NAL unit (a type e2c_h264_nal_type_protected() accepts) is
 *
 *   NAL header || escape(start byte || SFrame header || ciphertext || tag) || 0x80
 *
 * and its AAD is SFrame header || outline(AU, k) || anchor, k being its
 * position in the access unit's units (below). The anchor is nothing for
 * the access unit's first encrypted unit and that unit's SFrame header for
 * every other (src/e2ee adds it): access units often have the same outline
 * (a stream's delta frames, say), and without it a unit of one would open
 * in the same place of another. The outline lists every unit in order:
 *
 *   clear unit:               0x00 || length (4 bytes, big-endian) || its bytes
 *   encrypted unit, not k:    0x01 || NAL header || start byte
 *   encrypted unit k:         0x02 || NAL header || start byte
 *
 * so every clear byte, and the order and place of every unit, is covered by
 * every tag of the access unit. A unit's bytes run from its header byte to
 * its last non-zero byte: start codes and trailing zero bytes are not part
 * of it, because rtph264depay rewrites start codes to 4 bytes and
 * rtph264pay trims trailing zeros.
 *
 * The units of an access unit are its NAL units in order, except
 * - empty ones (a start code followed by another, or by the end), and
 * - leading repeated parameter sets: an SPS or PPS that comes before every
 *   NAL unit of another type, is one of the first E2C_H264_MAX_LEADING of
 *   them, and has a byte-identical copy later in the access unit. This is
 *   what rtph264depay puts in front of the first access unit it outputs
 *   (the parameter sets of its caps); leaving the copies out changes nothing
 *   a decoder sees.
 *
 * The start byte is E2C_H264_FIRST_SLICE on the access unit's first coded
 * slice (type 1, 2 or 5) and 0 on every other encrypted unit. rtph264depay
 * takes a slice whose first payload byte has its top bit set
 * (first_mb_in_slice = 0) for the start of a new picture and, without an RTP
 * marker, cuts the access unit there; with the SFrame config byte in that
 * place (its top bit is set for every KID above 7) it would cut every
 * access unit of three or more slices in pieces, none of which would
 * authenticate.
 */
#define E2C_H264_FIRST_SLICE 0x80
#define E2C_H264_MAX_LEADING 16

/* Outline entry markers. */
enum {
    E2C_H264_ENTRY_CLEAR = 0x00,
    E2C_H264_ENTRY_OTHER = 0x01, /* an encrypted unit other than the one being sealed or opened */
    E2C_H264_ENTRY_THIS = 0x02,  /* the encrypted unit being sealed or opened */
};

struct e2c_h264_unit {
    struct e2c_nal nal; /* where it is; nal.end > nal.hdr */
    uint8_t header;     /* the NAL header byte */
    int encrypted;      /* carries an SFrame (its type is protected) */
    int first_slice;    /* the access unit's first coded slice (type 1, 2 or 5) */
    size_t entry;       /* offset of its entry in the outline; the marker byte is there */
};

/* Iterator over the units of one access unit; no allocation. */
struct e2c_h264_units {
    const uint8_t *au;
    size_t len;
    size_t pos;        /* e2c_h264_next_nal() position */
    size_t entry;      /* outline bytes of the units so far (SIZE_MAX after an overflow) */
    unsigned index;    /* non-empty NAL units so far */
    int slice_seen;    /* a coded slice was among them */
    uint32_t repeated; /* bit i: non-empty NAL unit i is a leading repeated parameter set */
};

/*
 * Prepares the iteration (finds the leading repeated parameter sets: at most
 * E2C_H264_MAX_LEADING candidates, each compared with the SPS and PPS after
 * it, so the work is bounded by E2C_H264_MAX_LEADING times len).
 */
void e2c_h264_units_init(struct e2c_h264_units *it, const uint8_t *au, size_t len);
/* 1 and the next unit, or 0 at the end. After the end, it->entry is the outline's length. */
int e2c_h264_units_next(struct e2c_h264_units *it, struct e2c_h264_unit *u);

/* Form of the access unit an outline is made from. */
enum e2c_h264_form {
    E2C_H264_PLAIN,     /* the encoder's: start bytes are computed */
    E2C_H264_PROTECTED, /* as sent: start bytes are read, each encrypted unit must be
                         * header || at least one byte || 0x80 */
};

/* Outline errors (negative returns of e2c_h264_outline()). */
enum {
    E2C_H264_OUTLINE_NO_ENVELOPE = -1, /* PROTECTED: an encrypted unit without the envelope */
    E2C_H264_OUTLINE_TOO_LONG = -2,    /* a clear unit of 2^32 bytes or more */
};

/*
 * Writes outline(AU) with every encrypted unit's entry marked
 * E2C_H264_ENTRY_OTHER (the caller marks the one it seals or opens) and
 * returns its length, in one pass over the access unit. The outline is in
 * out only when the length returned is at most cap (out may be NULL with
 * cap 0: a call that sizes the buffer). *n_encrypted (may be NULL) gets the
 * number of encrypted units. A negative return is an error above.
 */
long e2c_h264_outline(const uint8_t *au, size_t len, enum e2c_h264_form form, uint8_t *out,
                      size_t cap, size_t *n_encrypted);
