/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the H.264 envelope: NAL iteration over an arbitrary
 * access unit, for every protected NAL unit the escaping the receiver
 * undoes (header byte || escape(start byte || ciphertext) || 0x80), and the
 * units and outline every SFrame tag of format 2 authenticates.
 *
 * Checks: NAL units are ordered, in bounds, start with a real start code and
 * never end in a zero byte; unescape accepts exactly escape's outputs
 * (escape(unescape(x)) == x); escape round-trips any payload and never
 * emits 00 00 00/01/02. The units are the non-empty NAL units in order but
 * for leading SPS / PPS copied later (checked independently of the
 * iterator); the outline is exactly their entries, its length what the
 * iterator counts, nothing is written past the capacity, the protected
 * form fails exactly when an encrypted unit lacks the envelope, and the
 * same units framed anew (4-byte start codes, nothing else) give the same
 * outline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static void
check_nal(const uint8_t *data, size_t size, const struct e2c_nal *nal, size_t prev_end, int first)
{
    CHECK(nal->start >= prev_end);
    /* between NAL units only trailing_zero_8bits */
    for (size_t i = prev_end; !first && i < nal->start; i++)
        CHECK(data[i] == 0);
    CHECK(nal->sc_len == 3 || nal->sc_len == 4);
    CHECK(nal->hdr == nal->start + nal->sc_len);
    CHECK(nal->hdr <= nal->end && nal->end <= size);
    const uint8_t *sc = data + nal->start;
    if (nal->sc_len == 4)
        CHECK(*sc++ == 0);
    CHECK(sc[0] == 0 && sc[1] == 0 && sc[2] == 1);
    CHECK(nal->end == nal->hdr || data[nal->end - 1] != 0);
    for (size_t i = nal->hdr; i + 2 < nal->end; i++)
        CHECK(!(data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1));
}

static int
has_start_code_emulation(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++)
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] <= 2)
            return 1;
    return 0;
}

static void
check_escaping(const uint8_t *payload, size_t len)
{
    size_t bound = e2c_h264_escape_bound(len);
    uint8_t *raw = malloc(len ? len : 1);
    uint8_t *esc = malloc(bound);
    uint8_t *back = malloc(len ? len : 1);
    CHECK(raw && esc && back);

    /* The receiver's direction: only what an escaper could have made is accepted. */
    long m = e2c_h264_unescape(payload, len, raw, len);
    CHECK(m >= -1 && m <= (long)len);
    if (m >= 0) {
        size_t n = e2c_h264_escape(raw, (size_t)m, esc, bound);
        CHECK(n == len && memcmp(esc, payload, len) == 0);
    }

    /* The sender's direction on the same bytes taken as ciphertext. */
    size_t n = e2c_h264_escape(payload, len, esc, bound);
    CHECK(n <= bound && n >= len && (len == 0 || n > 0));
    CHECK(!has_start_code_emulation(esc, n));
    m = e2c_h264_unescape(esc, n, back, len);
    CHECK(m == (long)len && memcmp(back, payload, len) == 0);
    if (len > 0)
        CHECK(e2c_h264_unescape(esc, n, back, len - 1) == -2);

    free(raw);
    free(esc);
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the NAL unit [hdr, end) is a leading SPS or PPS (among the first
 * E2C_H264_MAX_LEADING) with a copy later: written apart from the envelope's. */
static int
left_out(const uint8_t *data, size_t size, size_t hdr, size_t end, size_t index, int leading)
{
    unsigned type = data[hdr] & 0x1f;
    if (!leading || index >= E2C_H264_MAX_LEADING || (type != 7 && type != 8))
        return 0;
    size_t pos = end;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(data, size, &pos, &nal))
        if (nal.end - nal.hdr == end - hdr && memcmp(data + nal.hdr, data + hdr, end - hdr) == 0)
            return 1;
    return 0;
}

static void
check_units_and_outline(const uint8_t *data, size_t size)
{
    struct e2c_h264_units it;
    struct e2c_h264_unit u;
    size_t pos = 0, index = 0, entry = 0, n_enc = 0, n_first = 0;
    int leading = 1, slice_seen = 0, envelope_ok = 1;
    struct e2c_nal nal;

    /* The iterator against the NAL units. */
    e2c_h264_units_init(&it, data, size);
    while (e2c_h264_next_nal(data, size, &pos, &nal)) {
        if (nal.end == nal.hdr)
            continue;
        unsigned type = data[nal.hdr] & 0x1f;
        int skip = left_out(data, size, nal.hdr, nal.end, index, leading);
        leading = leading && (type == 7 || type == 8);
        index++;
        if (skip)
            continue;
        CHECK(e2c_h264_units_next(&it, &u));
        CHECK(u.nal.hdr == nal.hdr && u.nal.end == nal.end && u.header == data[nal.hdr]);
        CHECK(u.encrypted == e2c_h264_nal_type_protected(type));
        int slice = type == 1 || type == 2 || type == 5;
        CHECK(u.first_slice == (slice && !slice_seen));
        slice_seen |= slice;
        n_first += u.first_slice;
        CHECK(u.entry == entry);
        entry += u.encrypted ? 3 : 5 + (nal.end - nal.hdr);
        if (u.encrypted) {
            n_enc++;
            if (nal.end - nal.hdr < 3 || data[nal.end - 1] != E2C_H264_TRAILER)
                envelope_ok = 0;
        }
    }
    CHECK(!e2c_h264_units_next(&it, &u));
    CHECK(it.entry == entry && n_first <= 1);

    /* The outline, plain and protected. */
    size_t n = 0;
    long len = e2c_h264_outline(data, size, E2C_H264_PLAIN, NULL, 0, &n);
    CHECK(len == (long)entry && n == n_enc);
    uint8_t *out = malloc(entry + 1);
    CHECK(out);
    /* Too small by one: the length all the same, nothing written past cap. */
    out[entry] = 0xa5;
    if (entry > 0) {
        out[entry - 1] = 0xa5;
        CHECK(e2c_h264_outline(data, size, E2C_H264_PLAIN, out, entry - 1, NULL) == len &&
              out[entry - 1] == 0xa5);
    }
    CHECK(e2c_h264_outline(data, size, E2C_H264_PLAIN, out, entry, NULL) == len);
    CHECK(out[entry] == 0xa5);
    e2c_h264_units_init(&it, data, size);
    while (e2c_h264_units_next(&it, &u)) {
        const uint8_t *e = out + u.entry;
        size_t ulen = u.nal.end - u.nal.hdr;
        if (u.encrypted) {
            CHECK(e[0] == E2C_H264_ENTRY_OTHER && e[1] == u.header);
            CHECK(e[2] == (u.first_slice ? E2C_H264_FIRST_SLICE : 0));
        } else {
            CHECK(e[0] == E2C_H264_ENTRY_CLEAR);
            CHECK(((size_t)e[1] << 24 | (size_t)e[2] << 16 | (size_t)e[3] << 8 | e[4]) == ulen);
            CHECK(memcmp(e + 5, data + u.nal.hdr, ulen) == 0);
        }
    }
    long plen = e2c_h264_outline(data, size, E2C_H264_PROTECTED, NULL, 0, NULL);
    CHECK(envelope_ok ? plen == len : plen == E2C_H264_OUTLINE_NO_ENVELOPE);

    /* The same NAL units behind 4-byte start codes, nothing else (what
     * rtph264depay makes of them): the same outline. */
    size_t reframed_len = 0;
    pos = 0;
    while (e2c_h264_next_nal(data, size, &pos, &nal))
        if (nal.end > nal.hdr)
            reframed_len += 4 + nal.end - nal.hdr;
    uint8_t *reframed = malloc(reframed_len + 1), *out2 = malloc(entry + 1);
    CHECK(reframed && out2);
    size_t at = 0;
    pos = 0;
    while (e2c_h264_next_nal(data, size, &pos, &nal)) {
        static const uint8_t sc[] = {0, 0, 0, 1};
        if (nal.end == nal.hdr)
            continue;
        memcpy(reframed + at, sc, 4);
        memcpy(reframed + at + 4, data + nal.hdr, nal.end - nal.hdr);
        at += 4 + nal.end - nal.hdr;
    }
    CHECK(e2c_h264_outline(reframed, reframed_len, E2C_H264_PLAIN, out2, entry, NULL) == len);
    CHECK(memcmp(out, out2, entry) == 0);
    free(reframed);
    free(out2);
    free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0, prev_end = 0, count = 0;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(data, size, &pos, &nal)) {
        check_nal(data, size, &nal, prev_end, count == 0);
        CHECK(pos == nal.end);
        CHECK(++count <= size / 3);
        prev_end = nal.end;
        if (nal.end == nal.hdr || !e2c_h264_nal_type_protected(data[nal.hdr] & 0x1f))
            continue;
        const uint8_t *payload = data + nal.hdr + 1;
        size_t len = nal.end - nal.hdr - 1;
        if (len > 0 && payload[len - 1] == E2C_H264_TRAILER)
            len--;
        check_escaping(payload, len);
    }
    (void)e2c_frame_is_keyframe(E2C_CODEC_H264, data, size);
    check_units_and_outline(data, size);
    return 0;
}
