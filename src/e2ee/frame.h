/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Protecting and opening whole encoded frames: the codec envelope
 * (src/envelope) around SFrame (src/sframe) with e2call's key policy.
 *
 *   VP8, VP9, Opus:  clear prefix || SFrame header || ciphertext || tag,
 *                    AAD = header || clear prefix.
 *   H.264 (Annex B, one access unit; format 2): every NAL unit of a
 *                    protected type becomes  NAL header byte ||
 *                    escape(start byte || SFrame header || ciphertext ||
 *                    tag) || 0x80, AAD = header || the access unit's outline
 *                    with this unit marked || (but on the first such unit)
 *                    the first one's SFrame header (envelope.h), so each tag
 *                    covers every clear byte and the order of all units, and
 *                    binds the units of one access unit; other NAL units and
 *                    start codes stay as they are.
 *
 * This is what e2csframeenc / e2csframedec run per buffer, and what the fuzzers
 * drive without GStreamer.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../envelope/envelope.h"
#include "receiver.h"
#include "sender.h"

/* Capacity e2c_frame_protect() needs for an in_len-byte frame. */
size_t e2c_frame_protect_bound(enum e2c_codec codec, uint16_t suite, size_t in_len);
/* Capacity e2c_frame_open() needs (the output is never longer than the input). */
size_t e2c_frame_open_bound(enum e2c_codec codec, size_t in_len);

/* SFRAME_OK, or an sframe error; *out_flags as for e2c_sender_seal(). */
enum sframe_error e2c_frame_protect(struct e2c_sender *s, enum e2c_codec codec, uint64_t now_us,
                                    const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                                    size_t *out_len, unsigned *out_flags);

struct e2c_frame_info {
    uint64_t kid;       /* KID of the (first) SFrame in the frame, 0 if none parsed */
    uint64_t ctr;       /* its counter (valid when kid is) */
    unsigned n_sframes; /* SFrame ciphertexts found (H.264: protected NAL units) */
    int no_envelope;    /* MALFORMED because no SFrame envelope is there at all: no format 2
                         * header after the clear prefix, an H.264 slice without the
                         * trailer, or an H.264 access unit without any encrypted NAL unit
                         * (what a plain peer sends) */
};

/*
 * Opens a protected frame. The result is the frame's verdict: E2C_OK when
 * every SFrame in it opened (there is always at least one then: n_sframes >
 * 0); otherwise the first failure, where an H.264 NAL unit that breaks the
 * envelope is E2C_E_MALFORMED. A frame without any SFrame (VP8, VP9, Opus:
 * nothing after the clear prefix; H.264: no NAL unit of a protected type) is
 * E2C_E_MALFORMED too, with no_envelope set (never E2C_E_UNENCRYPTED). An opened H.264 access unit
 * comes out as its units only (envelope.h), each behind its own start code.
 * The receiver's other verdicts (E2C_E_STALE, E2C_E_KID_LIMITED) pass as
 * they are.
 */
enum e2c_status e2c_frame_open(struct e2c_receiver *r, enum e2c_codec codec, uint64_t now_us,
                               const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                               size_t *out_len, struct e2c_frame_info *info);
