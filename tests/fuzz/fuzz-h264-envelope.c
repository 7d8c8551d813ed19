/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the H.264 envelope: NAL iteration over an arbitrary
 * access unit, and for every protected NAL unit the escaping the receiver
 * undoes (header byte || escape(ciphertext) || 0x80).
 *
 * Checks: NAL units are ordered, in bounds, start with a real start code and
 * never end in a zero byte; unescape accepts exactly escape's outputs
 * (escape(unescape(x)) == x); escape round-trips any payload and never
 * emits 00 00 00/01/02.
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
    return 0;
}
