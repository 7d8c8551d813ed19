/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole encoded frames in and out of SFrame, per codec envelope (frame.h).
 */
#include "frame.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sframe.h"

size_t
e2c_frame_protect_bound(enum e2c_codec codec, uint16_t suite, size_t in_len)
{
    size_t per_sframe = sframe_seal_bound(suite, 0);
    const struct e2c_codec_info *info = e2c_codec_info(codec);
    if (!info || info->envelope != E2C_ENVELOPE_H264_NAL)
        return in_len + per_sframe;
    /*
     * Every NAL unit needs at least a 3-byte start code and a header byte, so
     * an access unit holds at most in_len / 4 + 1 of them; each grows by its
     * escaped start byte and SFrame overhead and the trailer, and the
     * ciphertext by escaping.
     */
    size_t n_nals = in_len / 4 + 1;
    return e2c_h264_escape_bound(in_len) + n_nals * (e2c_h264_escape_bound(1 + per_sframe) + 1);
}

size_t
e2c_frame_open_bound(enum e2c_codec codec, size_t in_len)
{
    (void)codec;
    return in_len;
}

static int
protect_prefixed(struct e2c_sender *s, enum e2c_codec codec, uint64_t now_us, const uint8_t *in,
                 size_t in_len, uint8_t *out, size_t cap, size_t *out_len, unsigned *out_flags)
{
    size_t prefix = e2c_clear_prefix_len(codec, in, in_len);
    /*
     * A frame shorter than its codec's clear prefix is not a valid frame of
     * that codec. e2c_clear_prefix_len() cuts the prefix to in_len, while a
     * receiver takes the full one from the longer protected frame: compare
     * with the prefix of the same first bytes in a frame long enough.
     */
    uint8_t probe[16] = {0};
    memcpy(probe, in, in_len < sizeof(probe) ? in_len : sizeof(probe));
    if (in_len == 0 || prefix == 0 || prefix != e2c_clear_prefix_len(codec, probe, sizeof(probe)))
        return SFRAME_E_MALFORMED;
    if (cap < prefix)
        return SFRAME_E_SHORT_BUFFER;
    size_t sealed_len = cap - prefix;
    int err = e2c_sender_seal(s, now_us, in, prefix, in + prefix, in_len - prefix, out + prefix,
                              &sealed_len, out_flags);
    if (err != SFRAME_OK)
        return err;
    memcpy(out, in, prefix);
    *out_len = prefix + sealed_len;
    return SFRAME_OK;
}

/*
 * H.264 outlines (envelope.h) are small, parameter sets and three bytes per
 * encrypted NAL unit: most fit on the stack, with room for the anchor.
 */
#define OUTLINE_ON_STACK 512

/*
 * outline(AU) of in into *buf (stack, OUTLINE_ON_STACK + SFRAME_HEADER_MAX
 * bytes) or, when longer, into a new heap buffer *outline points to then;
 * its length, or a negative e2c_h264_outline() error. SFRAME_E_NOMEM as
 * LONG_MIN.
 */
static long
h264_outline(const uint8_t *in, size_t in_len, enum e2c_h264_form form, uint8_t *buf,
             uint8_t **outline, size_t *n_encrypted)
{
    *outline = buf;
    long n = e2c_h264_outline(in, in_len, form, buf, OUTLINE_ON_STACK, n_encrypted);
    if (n <= OUTLINE_ON_STACK)
        return n;
    *outline = malloc((size_t)n + SFRAME_HEADER_MAX);
    if (!*outline)
        return LONG_MIN;
    return e2c_h264_outline(in, in_len, form, *outline, (size_t)n, NULL);
}

static int
append(uint8_t *out, size_t cap, size_t *pos, const uint8_t *src, size_t n)
{
    if (n > cap - *pos)
        return SFRAME_E_SHORT_BUFFER;
    memcpy(out + *pos, src, n);
    *pos += n;
    return SFRAME_OK;
}

/*
 * H.264 (format 2, envelope.h): each encrypted NAL unit becomes
 *   header byte || escape(start byte || SFrame(md, pt = payload)) || 0x80,
 * md = outline(AU, k), k marking the unit's own entry, followed for every
 * encrypted unit but the first by the first one's SFrame header (the
 * anchor: access units often have the same outline, and without it a unit
 * of one would open in the same place of another). Everything else (start
 * codes, clear NAL units, bytes between them) is copied. An access unit
 * without an encrypted unit is not sent: nothing would authenticate it, and
 * receivers drop it.
 */
static int
protect_h264(struct e2c_sender *s, uint64_t now_us, const uint8_t *in, size_t in_len, uint8_t *out,
             size_t cap, size_t *out_len, unsigned *out_flags)
{
    size_t pos = 0, read = 0, n_encrypted = 0;
    unsigned flags = 0;
    uint8_t *scratch = NULL, *outline, on_stack[OUTLINE_ON_STACK + SFRAME_HEADER_MAX];
    size_t scratch_cap = 0;
    struct e2c_h264_units it;
    struct e2c_h264_unit u;
    int err = SFRAME_OK;

    long outline_len = h264_outline(in, in_len, E2C_H264_PLAIN, on_stack, &outline, &n_encrypted);
    if (outline_len == LONG_MIN)
        return SFRAME_E_NOMEM;
    if (outline_len < 0 || n_encrypted == 0) {
        err = SFRAME_E_MALFORMED;
        goto out;
    }
    size_t md_len = (size_t)outline_len; /* the anchor goes after the outline */

    e2c_h264_units_init(&it, in, in_len);
    while (e2c_h264_units_next(&it, &u)) {
        if (!u.encrypted)
            continue;
        /* Everything up to and including the NAL header byte stays as it is. */
        size_t clear_end = u.nal.hdr + 1;
        if ((err = append(out, cap, &pos, in + read, clear_end - read)) != SFRAME_OK)
            goto out;
        read = clear_end;

        size_t pt_len = u.nal.end - clear_end;
        size_t need = 1 + e2c_sender_seal_bound(s, pt_len);
        if (need > scratch_cap) {
            free(scratch);
            scratch = malloc(need);
            scratch_cap = scratch ? need : 0;
            if (!scratch) {
                err = SFRAME_E_NOMEM;
                goto out;
            }
        }
        scratch[0] = u.first_slice ? E2C_H264_FIRST_SLICE : 0;
        size_t sealed = scratch_cap - 1;
        unsigned f = 0;
        outline[u.entry] = E2C_H264_ENTRY_THIS;
        err = e2c_sender_seal(s, now_us, outline, md_len, in + clear_end, pt_len, scratch + 1,
                              &sealed, &f);
        outline[u.entry] = E2C_H264_ENTRY_OTHER;
        if (err != SFRAME_OK)
            goto out;
        flags |= f;
        if (md_len == (size_t)outline_len) {
            /* The first encrypted unit: its SFrame header anchors the others. */
            uint64_t kid, ctr;
            size_t hdr_len;
            if (sframe_header_decode(scratch + 1, sealed, &kid, &ctr, &hdr_len) != SFRAME_OK) {
                err = SFRAME_E_PARAM; /* what sealing wrote always parses */
                goto out;
            }
            memcpy(outline + md_len, scratch + 1, hdr_len);
            md_len += hdr_len;
        }
        size_t escaped = e2c_h264_escape(scratch, 1 + sealed, out + pos, cap - pos);
        if (escaped == 0 || cap - pos - escaped < 1) {
            err = SFRAME_E_SHORT_BUFFER;
            goto out;
        }
        pos += escaped;
        out[pos++] = E2C_H264_TRAILER;
        read = u.nal.end;
    }
    /* Clear NAL units after the last encrypted one, and trailing zero bytes. */
    err = append(out, cap, &pos, in + read, in_len - read);
out:
    free(scratch);
    if (outline != on_stack)
        free(outline);
    if (err == SFRAME_OK) {
        *out_len = pos;
        if (out_flags)
            *out_flags = flags;
    }
    return err;
}

enum sframe_error
e2c_frame_protect(struct e2c_sender *s, enum e2c_codec codec, uint64_t now_us, const uint8_t *in,
                  size_t in_len, uint8_t *out, size_t cap, size_t *out_len, unsigned *out_flags)
{
    if (!s || !out_len)
        return SFRAME_E_PARAM;
    if (out_flags)
        *out_flags = 0;
    /* An empty buffer (mapped as NULL) is no frame: not a caller error. */
    if (in_len == 0)
        return SFRAME_E_MALFORMED;
    const struct e2c_codec_info *info = e2c_codec_info(codec);
    if (!in || !out || !info)
        return SFRAME_E_PARAM;
    switch (info->envelope) {
    case E2C_ENVELOPE_PREFIX:
        return protect_prefixed(s, codec, now_us, in, in_len, out, cap, out_len, out_flags);
    case E2C_ENVELOPE_H264_NAL:
        return protect_h264(s, now_us, in, in_len, out, cap, out_len, out_flags);
    }
    return SFRAME_E_PARAM;
}

static int
open_prefixed(struct e2c_receiver *r, enum e2c_codec codec, uint64_t now_us, const uint8_t *in,
              size_t in_len, uint8_t *out, size_t cap, size_t *out_len, struct e2c_frame_info *info)
{
    size_t prefix = e2c_clear_prefix_len(codec, in, in_len), hdr_len;
    uint64_t kid, ctr;
    if (in_len == 0 || prefix == 0 || prefix >= in_len ||
        sframe_header_decode(in + prefix, in_len - prefix, &kid, &ctr, &hdr_len) != SFRAME_OK) {
        info->no_envelope = 1;
        return SFRAME_E_MALFORMED;
    }
    info->ctr = ctr;
    if (cap < prefix)
        return SFRAME_E_SHORT_BUFFER;
    size_t pt_len = cap - prefix;
    int err = e2c_receiver_open(r, now_us, in, prefix, in + prefix, in_len - prefix, out + prefix,
                                &pt_len, &info->kid);
    info->n_sframes = 1;
    if (err != SFRAME_OK)
        return err;
    memcpy(out, in, prefix);
    *out_len = prefix + pt_len;
    return SFRAME_OK;
}

/*
 * The output holds the access unit's units only (envelope.h), each behind
 * the start code it came with: bytes before the first start code, zero
 * bytes between NAL units, empty NAL units and leading repeated parameter
 * sets are not authenticated, so they are not passed on either.
 */
static int
open_h264(struct e2c_receiver *r, uint64_t now_us, const uint8_t *in, size_t in_len, uint8_t *out,
          size_t cap, size_t *out_len, struct e2c_frame_info *info)
{
    size_t pos = 0, n_encrypted = 0;
    uint8_t *scratch = NULL, *outline, on_stack[OUTLINE_ON_STACK + SFRAME_HEADER_MAX];
    size_t scratch_cap = 0;
    struct e2c_h264_units it;
    struct e2c_h264_unit u;
    int err = SFRAME_OK;

    long outline_len =
        h264_outline(in, in_len, E2C_H264_PROTECTED, on_stack, &outline, &n_encrypted);
    if (outline_len == LONG_MIN)
        return SFRAME_E_NOMEM;
    if (outline_len == E2C_H264_OUTLINE_NO_ENVELOPE || (outline_len >= 0 && n_encrypted == 0)) {
        /* A slice without the trailer, or nothing encrypted at all (parameter sets alone). */
        info->no_envelope = 1;
        err = SFRAME_E_MALFORMED;
        goto out;
    }
    if (outline_len < 0) {
        err = SFRAME_E_MALFORMED;
        goto out;
    }
    size_t md_len = (size_t)outline_len; /* the anchor (protect_h264()) goes after the outline */

    e2c_h264_units_init(&it, in, in_len);
    while (e2c_h264_units_next(&it, &u)) {
        /* The start code as it came (3 or 4 bytes), and a clear unit as it is. */
        size_t copy_end = u.encrypted ? u.nal.hdr + 1 : u.nal.end;
        if ((err = append(out, cap, &pos, in + u.nal.start, copy_end - u.nal.start)) != SFRAME_OK)
            goto out;
        if (!u.encrypted)
            continue;

        info->n_sframes++;
        /* Between the header byte and the trailer (e2c_h264_outline() checked both). */
        const uint8_t *body = in + u.nal.hdr + 1;
        size_t body_len = u.nal.end - u.nal.hdr - 2;
        if (body_len > scratch_cap) {
            free(scratch);
            scratch = malloc(body_len);
            scratch_cap = scratch ? body_len : 0;
            if (!scratch) {
                err = SFRAME_E_NOMEM;
                goto out;
            }
        }
        /* The start byte, then at least one byte of SFrame. Unescaping never
         * changes the first byte, so scratch[0] is the start byte the outline holds. */
        long unescaped = e2c_h264_unescape(body, body_len, scratch, scratch_cap);
        if (unescaped < 2) {
            err = SFRAME_E_MALFORMED;
            goto out;
        }
        const uint8_t *sframe = scratch + 1;
        size_t sframe_len = (size_t)unescaped - 1;
        size_t pt_len = cap - pos;
        uint64_t kid = 0, ctr;
        size_t hdr_len = 0;
        int hdr_ok = sframe_header_decode(sframe, sframe_len, &kid, &ctr, &hdr_len) == SFRAME_OK;
        if (info->n_sframes == 1 && hdr_ok)
            info->ctr = ctr;
        outline[u.entry] = E2C_H264_ENTRY_THIS;
        err = e2c_receiver_open(r, now_us, outline, md_len, sframe, sframe_len, out + pos, &pt_len,
                                &kid);
        outline[u.entry] = E2C_H264_ENTRY_OTHER;
        if (info->kid == 0)
            info->kid = kid;
        if (err != SFRAME_OK)
            goto out;
        pos += pt_len;
        if (info->n_sframes == 1) {
            /* It opened, so its header parsed: the anchor of the units after it. */
            memcpy(outline + md_len, sframe, hdr_len);
            md_len += hdr_len;
        }
    }
out:
    free(scratch);
    if (outline != on_stack)
        free(outline);
    if (err == SFRAME_OK)
        *out_len = pos;
    return err;
}

enum e2c_status
e2c_frame_open(struct e2c_receiver *r, enum e2c_codec codec, uint64_t now_us, const uint8_t *in,
               size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
               struct e2c_frame_info *info)
{
    struct e2c_frame_info scratch_info;
    if (!info)
        info = &scratch_info;
    info->kid = 0;
    info->ctr = 0;
    info->n_sframes = 0;
    info->no_envelope = 0;
    if (!r || !out_len)
        return E2C_E_PARAM;
    /*
     * An empty frame is what a depayloader makes of an RTP packet without
     * payload: malformed input from the network, not a caller's mistake (a
     * mapped empty buffer has no data pointer, and e2csframedec takes
     * SFRAME_E_PARAM for an internal error that ends the stream).
     */
    if (in_len == 0) {
        info->no_envelope = 1;
        return E2C_E_MALFORMED;
    }
    const struct e2c_codec_info *row = e2c_codec_info(codec);
    if (!in || !out || !row)
        return E2C_E_PARAM;
    int err = SFRAME_E_PARAM;
    switch (row->envelope) {
    case E2C_ENVELOPE_PREFIX:
        err = open_prefixed(r, codec, now_us, in, in_len, out, cap, out_len, info);
        break;
    case E2C_ENVELOPE_H264_NAL:
        err = open_h264(r, now_us, in, in_len, out, cap, out_len, info);
        break;
    }
    /* Bytes that are not a format 2 SFrame header are no envelope either: a plain peer. */
    if (err == E2C_E_UNENCRYPTED) {
        info->no_envelope = 1;
        err = SFRAME_E_MALFORMED;
    }
    return err;
}
