/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The units of an H.264 access unit and their outline: the bytes every
 * SFrame tag of the access unit authenticates besides its own header
 * (envelope.h, e2call-e2ee(7) format 2).
 */
#include <limits.h>
#include <string.h>

#include "envelope.h"

#define NAL_SPS 7
#define NAL_PPS 8

static unsigned
nal_type(const uint8_t *au, const struct e2c_nal *nal)
{
    return au[nal->hdr] & 0x1f;
}

static int
is_parameter_set(unsigned type)
{
    return type == NAL_SPS || type == NAL_PPS;
}

static int
is_coded_slice(unsigned type)
{
    return type == 1 || type == 2 || type == 5;
}

static int
same_bytes(const uint8_t *au, const struct e2c_nal *a, const struct e2c_nal *b)
{
    size_t n = a->end - a->hdr;
    return n == b->end - b->hdr && memcmp(au + a->hdr, au + b->hdr, n) == 0;
}

void
e2c_h264_units_init(struct e2c_h264_units *it, const uint8_t *au, size_t len)
{
    memset(it, 0, sizeof(*it));
    it->au = au;
    it->len = len;

    /*
     * Leading repeated parameter sets. Candidates: the SPS and PPS before any
     * other non-empty NAL unit, at most E2C_H264_MAX_LEADING of them. Each
     * later SPS or PPS marks the candidates before it that it copies.
     */
    struct {
        struct e2c_nal nal;
        unsigned index;
    } cand[E2C_H264_MAX_LEADING];
    unsigned n_cand = 0, index = 0;
    int leading = 1;
    size_t pos = 0;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(au, len, &pos, &nal)) {
        if (nal.end == nal.hdr)
            continue;
        unsigned type = nal_type(au, &nal);
        if (!is_parameter_set(type)) {
            if (n_cand == 0)
                return; /* the common case: no candidate at all */
            leading = 0;
        } else {
            for (unsigned c = 0; c < n_cand; c++)
                if (!(it->repeated >> cand[c].index & 1) && same_bytes(au, &cand[c].nal, &nal))
                    it->repeated |= UINT32_C(1) << cand[c].index;
            if (leading && n_cand < E2C_H264_MAX_LEADING) {
                cand[n_cand].nal = nal;
                cand[n_cand].index = index;
                n_cand++;
            }
        }
        index++;
    }
}

int
e2c_h264_units_next(struct e2c_h264_units *it, struct e2c_h264_unit *u)
{
    struct e2c_nal nal;
    while (e2c_h264_next_nal(it->au, it->len, &it->pos, &nal)) {
        if (nal.end == nal.hdr)
            continue;
        unsigned index = it->index++;
        if (index < 32 && (it->repeated >> index & 1))
            continue;
        unsigned type = nal_type(it->au, &nal);
        u->nal = nal;
        u->header = it->au[nal.hdr];
        u->encrypted = e2c_h264_nal_type_protected(type);
        u->first_slice = u->encrypted && is_coded_slice(type) && !it->slice_seen;
        it->slice_seen |= is_coded_slice(type);
        u->entry = it->entry;
        /* Entry sizes: 3 for an encrypted unit, 5 + length for a clear one
         * (whose length must fit in 4 bytes). SIZE_MAX sticks: too long. */
        size_t n_bytes = nal.end - nal.hdr, size = 3;
        if (!u->encrypted)
            size = n_bytes > UINT32_MAX || n_bytes > SIZE_MAX - 5 ? SIZE_MAX : 5 + n_bytes;
        if (it->entry == SIZE_MAX || size == SIZE_MAX || SIZE_MAX - it->entry <= size)
            it->entry = SIZE_MAX;
        else
            it->entry += size;
        return 1;
    }
    return 0;
}

long
e2c_h264_outline(const uint8_t *au, size_t len, enum e2c_h264_form form, uint8_t *out, size_t cap,
                 size_t *n_encrypted)
{
    struct e2c_h264_units it;
    struct e2c_h264_unit u;
    size_t n = 0;
    int envelope_ok = 1;

    if (n_encrypted)
        *n_encrypted = 0;
    if (!au)
        len = 0;
    if (!out)
        cap = 0;
    /* One pass: entries are written while they fit, the length counted on. */
    e2c_h264_units_init(&it, au, len);
    while (e2c_h264_units_next(&it, &u)) {
        size_t n_bytes = u.nal.end - u.nal.hdr;
        if (u.encrypted) {
            n++;
            if (form == E2C_H264_PROTECTED &&
                (n_bytes < 3 || au[u.nal.end - 1] != E2C_H264_TRAILER))
                envelope_ok = 0;
        }
        if (it.entry > cap || !envelope_ok)
            continue; /* (it.entry is this entry's end, SIZE_MAX when too long) */
        uint8_t *e = out + u.entry;
        if (u.encrypted) {
            e[0] = E2C_H264_ENTRY_OTHER;
            e[1] = u.header;
            if (form == E2C_H264_PLAIN)
                e[2] = u.first_slice ? E2C_H264_FIRST_SLICE : 0;
            else
                e[2] = au[u.nal.hdr + 1];
        } else {
            e[0] = E2C_H264_ENTRY_CLEAR;
            e[1] = (uint8_t)(n_bytes >> 24);
            e[2] = (uint8_t)(n_bytes >> 16);
            e[3] = (uint8_t)(n_bytes >> 8);
            e[4] = (uint8_t)n_bytes;
            memcpy(e + 5, au + u.nal.hdr, n_bytes);
        }
    }
    if (!envelope_ok)
        return E2C_H264_OUTLINE_NO_ENVELOPE;
    if (it.entry == SIZE_MAX || it.entry > LONG_MAX)
        return E2C_H264_OUTLINE_TOO_LONG;
    if (n_encrypted)
        *n_encrypted = n;
    return (long)it.entry;
}
