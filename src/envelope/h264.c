/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * H.264 Annex B NAL iteration and emulation prevention (H.264 §7.4.1,
 * Annex B.1-B.2), used to carry ciphertext through rtph264pay, which splits
 * at every 00 00 01 and trims the zero bytes at the end of a NAL unit.
 */
#include <limits.h>
#include <string.h>

#include "envelope.h"

/*
 * Smallest i >= from with au[i..i+2] == 00 00 01, or len when there is none.
 * memchr() finds the candidate 01 bytes: in slice data and ciphertext they
 * are about one byte in 256, so this is several times faster than looking
 * at every byte, and an access unit is scanned a few times per frame.
 */
static size_t
find_start_code(const uint8_t *au, size_t len, size_t from)
{
    size_t i = from + 2; /* where the 01 of a start code at from would be */
    while (i < len && i >= from) {
        const uint8_t *one = memchr(au + i, 1, len - i);
        if (!one)
            break;
        i = (size_t)(one - au);
        if (au[i - 1] == 0 && au[i - 2] == 0)
            return i - 2;
        i++;
    }
    return len;
}

int
e2c_h264_next_nal(const uint8_t *au, size_t len, size_t *pos, struct e2c_nal *nal)
{
    if (!au || !pos || !nal || *pos >= len)
        return 0;

    size_t from = *pos;
    size_t sc = find_start_code(au, len, from);
    if (sc == len) {
        *pos = len;
        return 0;
    }
    size_t start = sc > from && au[sc - 1] == 0 ? sc - 1 : sc;
    size_t hdr = sc + 3;

    /* Annex B: zero bytes before the next start code, or at the end of the
     * stream, are trailing_zero_8bits, not part of this NAL unit. */
    size_t end = find_start_code(au, len, hdr);
    while (end > hdr && au[end - 1] == 0)
        end--;

    nal->start = start;
    nal->sc_len = hdr - start;
    nal->hdr = hdr;
    nal->end = end;
    *pos = end;
    return 1;
}

int
e2c_h264_nal_type_protected(unsigned nal_type)
{
    switch (nal_type) {
    case 0:  /* unspecified: its header byte can be 0x00, which would let the escaped
              * ciphertext form a start code across the header boundary */
    case 7:  /* SPS */
    case 8:  /* PPS */
    case 9:  /* access unit delimiter */
    case 10: /* end of sequence */
    case 11: /* end of stream */
    case 12: /* filler data */
    case 13: /* SPS extension */
    case 15: /* subset SPS */
        return 0;
    default:
        return nal_type <= 31;
    }
}

size_t
e2c_h264_escape_bound(size_t len)
{
    size_t extra = len / 2 + 1;
    return len > (size_t)-1 - extra ? (size_t)-1 : len + extra;
}

size_t
e2c_h264_escape(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    if (len == 0 || !in || !out)
        return 0;
    size_t o = 0;
    unsigned zeros = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = in[i];
        if (zeros >= 2 && b <= 3) {
            if (o == cap)
                return 0;
            out[o++] = 3;
            zeros = 0;
        }
        if (o == cap)
            return 0;
        out[o++] = b;
        zeros = b == 0 ? zeros + 1 : 0;
    }
    return o;
}

/*
 * Accepts exactly the outputs of e2c_h264_escape(): after 00 00 comes either
 * a byte >= 4 or an inserted 03 that is followed by a byte <= 3. So
 * escape(unescape(x)) == x for every x accepted here.
 */
long
e2c_h264_unescape(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    if (len == 0)
        return 0;
    if (!in || !out || len > (size_t)LONG_MAX)
        return -1;
    size_t o = 0;
    unsigned zeros = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = in[i];
        if (zeros >= 2) {
            if (b < 3)
                return -1;
            if (b == 3) {
                if (i + 1 == len || in[i + 1] > 3)
                    return -1;
                zeros = 0;
                continue;
            }
        }
        if (o == cap)
            return -2;
        out[o++] = b;
        zeros = b == 0 ? zeros + 1 : 0;
    }
    return (long)o;
}
