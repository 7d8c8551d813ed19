/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SFrame header (RFC 9605 §4.3): config byte |X|K K K|Y|C C C|, then the
 * KID bytes, then the CTR bytes, both big-endian. Values 0-7 live in the
 * config byte; larger ones "MUST be encoded with the minimum number of
 * bytes required", which the decoder enforces.
 */
#include <string.h>

#include "sframe-internal.h"

/* Bytes of the extended encoding of v; 0 when v fits in the config byte. */
static size_t
extended_len(uint64_t v)
{
    return v < 8 ? 0 : (size_t)(71 - __builtin_clzll(v)) / 8;
}

size_t
sframe_header_size(uint64_t kid, uint64_t ctr)
{
    return 1 + extended_len(kid) + extended_len(ctr);
}

enum sframe_error
sframe_header_encode(uint64_t kid, uint64_t ctr, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t kid_len = extended_len(kid), ctr_len = extended_len(ctr);
    size_t len = 1 + kid_len + ctr_len;
    uint8_t buf[1 + 8 + 8];

    if (!out || !out_len)
        return SFRAME_E_PARAM;
    if (cap < len)
        return SFRAME_E_SHORT_BUFFER;
    /* Whole-word stores into buf, left-aligned; the next field overwrites the slack. */
    buf[0] = (uint8_t)((kid_len ? 0x80 | (kid_len - 1) << 4 : kid << 4) |
                       (ctr_len ? 0x08 | (ctr_len - 1) : ctr));
    store_be64(buf + 1, kid_len ? kid << (64 - 8 * kid_len) : 0);
    store_be64(buf + 1 + kid_len, ctr_len ? ctr << (64 - 8 * ctr_len) : 0);
    memcpy(out, buf, len);
    *out_len = len;
    return SFRAME_OK;
}

/* One field: inline (0-7) or extended with the length in the config bits. */
static int
read_field(const uint8_t *in, size_t in_len, size_t *pos, int extended, unsigned bits,
           uint64_t *out)
{
    size_t n = (size_t)bits + 1;
    uint64_t v = 0;

    if (!extended) {
        *out = bits;
        return SFRAME_OK;
    }
    if (in_len - *pos < n)
        return SFRAME_E_MALFORMED;
    if (in_len - *pos >= 8) {
        v = load_be64(in + *pos) >> (64 - 8 * n);
    } else {
        for (size_t i = 0; i < n; i++)
            v = v << 8 | in[*pos + i];
    }
    if (extended_len(v) != n)
        return SFRAME_E_MALFORMED;
    *pos += n;
    *out = v;
    return SFRAME_OK;
}

enum sframe_error
sframe_header_decode(const uint8_t *in, size_t in_len, uint64_t *out_kid, uint64_t *out_ctr,
                     size_t *out_len)
{
    uint64_t kid, ctr;
    size_t pos = 1;
    uint8_t config;
    int err;

    if (!out_kid || !out_ctr || !out_len || (!in && in_len))
        return SFRAME_E_PARAM;
    if (in_len < 1)
        return SFRAME_E_MALFORMED;
    config = in[0];
    err = read_field(in, in_len, &pos, config & 0x80, (config >> 4) & 0x07, &kid);
    if (err == SFRAME_OK)
        err = read_field(in, in_len, &pos, config & 0x08, config & 0x07, &ctr);
    if (err != SFRAME_OK)
        return err;
    *out_kid = kid;
    *out_ctr = ctr;
    *out_len = pos;
    return SFRAME_OK;
}
