/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole encoded frames in and out of SFrame, per codec envelope (frame.h).
 */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "sframe.h"

size_t
e2c_frame_protect_bound(enum e2c_codec codec, uint16_t suite, size_t in_len)
{
    size_t per_sframe = sframe_seal_bound(suite, 0);
    if (codec != E2C_CODEC_H264)
        return in_len + per_sframe;
    /*
     * Every NAL unit needs at least a 3-byte start code and a header byte, so
     * an access unit holds at most in_len / 4 + 1 of them; each grows by its
     * escaped SFrame overhead and the trailer, and the ciphertext by escaping.
     */
    size_t n_nals = in_len / 4 + 1;
    return e2c_h264_escape_bound(in_len) + n_nals * (e2c_h264_escape_bound(per_sframe) + 1);
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
 * H.264: each NAL unit of a protected type becomes
 *   header byte || escape(SFrame(md = header byte, pt = payload)) || 0x80;
 * start codes, zero bytes between NAL units and clear NAL units are copied.
 */
static int
protect_h264(struct e2c_sender *s, uint64_t now_us, const uint8_t *in, size_t in_len, uint8_t *out,
             size_t cap, size_t *out_len, unsigned *out_flags)
{
    size_t pos = 0, read = 0, it = 0;
    unsigned flags = 0;
    uint8_t *scratch = NULL;
    size_t scratch_cap = 0;
    struct e2c_nal nal;
    int err = SFRAME_OK;

    while (e2c_h264_next_nal(in, in_len, &it, &nal)) {
        /* Everything up to and including the NAL header byte stays as it is. */
        size_t clear_end = nal.hdr < nal.end ? nal.hdr + 1 : nal.end;
        if ((err = append(out, cap, &pos, in + read, clear_end - read)) != SFRAME_OK)
            goto out;
        read = clear_end;
        if (nal.hdr >= nal.end || !e2c_h264_nal_type_protected(in[nal.hdr] & 0x1f))
            continue;

        size_t pt_len = nal.end - clear_end;
        size_t need = e2c_sender_seal_bound(s, pt_len);
        if (need > scratch_cap) {
            free(scratch);
            scratch = malloc(need);
            scratch_cap = scratch ? need : 0;
            if (!scratch) {
                err = SFRAME_E_NOMEM;
                goto out;
            }
        }
        size_t sealed = scratch_cap;
        unsigned f = 0;
        err = e2c_sender_seal(s, now_us, in + nal.hdr, 1, in + clear_end, pt_len, scratch, &sealed,
                              &f);
        if (err != SFRAME_OK)
            goto out;
        flags |= f;
        size_t escaped = e2c_h264_escape(scratch, sealed, out + pos, cap - pos);
        if (escaped == 0 || cap - pos - escaped < 1) {
            err = SFRAME_E_SHORT_BUFFER;
            goto out;
        }
        pos += escaped;
        out[pos++] = E2C_H264_TRAILER;
        read = nal.end;
    }
    /* Trailing zero bytes after the last NAL unit. */
    err = append(out, cap, &pos, in + read, in_len - read);
out:
    free(scratch);
    if (err == SFRAME_OK) {
        *out_len = pos;
        if (out_flags)
            *out_flags = flags;
    }
    return err;
}

int
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
    if (!in || !out)
        return SFRAME_E_PARAM;
    switch (codec) {
    case E2C_CODEC_VP8:
    case E2C_CODEC_VP9:
    case E2C_CODEC_OPUS:
        return protect_prefixed(s, codec, now_us, in, in_len, out, cap, out_len, out_flags);
    case E2C_CODEC_H264:
        return protect_h264(s, now_us, in, in_len, out, cap, out_len, out_flags);
    default:
        return SFRAME_E_PARAM;
    }
}

static int
open_prefixed(struct e2c_receiver *r, enum e2c_codec codec, uint64_t now_us, const uint8_t *in,
              size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
              struct e2c_frame_info *info)
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

static int
open_h264(struct e2c_receiver *r, uint64_t now_us, const uint8_t *in, size_t in_len, uint8_t *out,
          size_t cap, size_t *out_len, struct e2c_frame_info *info)
{
    size_t pos = 0, read = 0, it = 0;
    uint8_t *scratch = NULL;
    size_t scratch_cap = 0;
    struct e2c_nal nal;
    int err = SFRAME_OK;

    while (e2c_h264_next_nal(in, in_len, &it, &nal)) {
        size_t clear_end = nal.hdr < nal.end ? nal.hdr + 1 : nal.end;
        if ((err = append(out, cap, &pos, in + read, clear_end - read)) != SFRAME_OK)
            goto out;
        read = clear_end;
        if (nal.hdr >= nal.end || !e2c_h264_nal_type_protected(in[nal.hdr] & 0x1f))
            continue;

        info->n_sframes++;
        size_t body = nal.end - clear_end;
        if (body < 2 || in[nal.end - 1] != E2C_H264_TRAILER) {
            info->no_envelope = 1;
            err = SFRAME_E_MALFORMED;
            goto out;
        }
        body--; /* the trailer */
        if (body > scratch_cap) {
            free(scratch);
            scratch = malloc(body);
            scratch_cap = scratch ? body : 0;
            if (!scratch) {
                err = SFRAME_E_NOMEM;
                goto out;
            }
        }
        long unescaped = e2c_h264_unescape(in + clear_end, body, scratch, scratch_cap);
        if (unescaped <= 0) {
            err = SFRAME_E_MALFORMED;
            goto out;
        }
        size_t pt_len = cap - pos;
        uint64_t kid = 0, ctr;
        size_t hdr_len;
        if (info->n_sframes == 1 &&
            sframe_header_decode(scratch, (size_t)unescaped, &kid, &ctr, &hdr_len) == SFRAME_OK)
            info->ctr = ctr;
        err = e2c_receiver_open(r, now_us, in + nal.hdr, 1, scratch, (size_t)unescaped, out + pos,
                                &pt_len, &kid);
        if (info->kid == 0)
            info->kid = kid;
        if (err != SFRAME_OK)
            goto out;
        pos += pt_len;
        read = nal.end;
    }
    err = append(out, cap, &pos, in + read, in_len - read);
out:
    free(scratch);
    if (err == SFRAME_OK)
        *out_len = pos;
    return err;
}

int
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
        return SFRAME_E_PARAM;
    /*
     * An empty frame is what a depayloader makes of an RTP packet without
     * payload: malformed input from the network, not a caller's mistake (a
     * mapped empty buffer has no data pointer, and sframedec takes
     * SFRAME_E_PARAM for an internal error that ends the stream).
     */
    if (in_len == 0) {
        info->no_envelope = 1;
        return SFRAME_E_MALFORMED;
    }
    if (!in || !out)
        return SFRAME_E_PARAM;
    int err;
    switch (codec) {
    case E2C_CODEC_VP8:
    case E2C_CODEC_VP9:
    case E2C_CODEC_OPUS:
        err = open_prefixed(r, codec, now_us, in, in_len, out, cap, out_len, info);
        break;
    case E2C_CODEC_H264:
        err = open_h264(r, now_us, in, in_len, out, cap, out_len, info);
        break;
    default:
        return SFRAME_E_PARAM;
    }
    /* Bytes that are not a format 2 SFrame header are no envelope either: a plain peer. */
    if (err == E2C_E_UNENCRYPTED) {
        info->no_envelope = 1;
        err = SFRAME_E_MALFORMED;
    }
    return err;
}
