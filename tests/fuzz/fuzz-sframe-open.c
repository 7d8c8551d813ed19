/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receive path on arbitrary frames: header decode, key lookup, replay
 * check, sframe_open(), replay update, as a receiver runs it.
 *
 * Input: one byte choosing the suite (1 + byte % 8), then records of a
 * 2-byte big-endian length and that many bytes: a metadata length byte (the
 * metadata follows), then the SFrame ciphertext. Decrypt keys for KIDs 0-15
 * are derived from the RFC 9605 Appendix C base key; each input gets fresh
 * replay windows. Every frame that opens must be exactly what sealing its
 * plaintext again under the same KID, counter and metadata gives.
 */
#include <stdlib.h>
#include <string.h>

#include "sframe.h"

#define N_SUITES 8
#define N_KIDS 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t base_key[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static struct sframe_key *dec_keys[N_SUITES][N_KIDS], *enc_keys[N_SUITES][N_KIDS];

static void
destroy_keys(void)
{
    for (size_t s = 0; s < N_SUITES; s++) {
        for (size_t k = 0; k < N_KIDS; k++) {
            sframe_key_destroy(dec_keys[s][k]);
            sframe_key_destroy(enc_keys[s][k]);
        }
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (uint16_t s = 0; s < N_SUITES; s++) {
        for (uint64_t k = 0; k < N_KIDS; k++) {
            if (sframe_key_create(s + 1, k, SFRAME_KEY_DECRYPT, base_key, sizeof(base_key),
                                  &dec_keys[s][k]) != SFRAME_OK ||
                sframe_key_create(s + 1, k, SFRAME_KEY_ENCRYPT, base_key, sizeof(base_key),
                                  &enc_keys[s][k]) != SFRAME_OK)
                abort();
        }
    }
    atexit(destroy_keys);
    return 0;
}

/* Heap copies of exactly the right size, so ASan sees any read past them. */
static uint8_t *
dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    if (!q)
        abort();
    if (n)
        memcpy(q, p, n);
    return q;
}

static void
open_one(size_t suite_idx, struct sframe_replay *windows, const uint8_t *md, size_t md_len,
         const uint8_t *in, size_t in_len)
{
    const struct sframe_suite_info *info = sframe_suite_info((uint16_t)(suite_idx + 1));
    uint64_t kid, ctr;
    size_t hdr_len, out_len = in_len, resealed_len;
    uint8_t *out, *resealed;
    enum sframe_error err;

    err = sframe_header_decode(in, in_len, &kid, &ctr, &hdr_len);
    if (err != SFRAME_OK) {
        if (err != SFRAME_E_MALFORMED)
            abort();
        return;
    }
    if (kid >= N_KIDS || sframe_replay_check(&windows[kid], ctr) != SFRAME_OK)
        return;

    out = malloc(out_len ? out_len : 1);
    if (!out)
        abort();
    err =
        sframe_open(dec_keys[suite_idx][kid], ctr, md, md_len, in, hdr_len, in_len, out, &out_len);
    if (err == SFRAME_OK) {
        if (out_len != in_len - hdr_len - info->nt)
            abort();
        sframe_replay_update(&windows[kid], ctr);
        if (sframe_replay_check(&windows[kid], ctr) != SFRAME_E_REPLAY)
            abort();
        resealed_len = sframe_seal_bound(info->id, out_len);
        resealed = malloc(resealed_len);
        if (!resealed ||
            sframe_seal(enc_keys[suite_idx][kid], ctr, md, md_len, out, out_len, resealed,
                        &resealed_len) != SFRAME_OK ||
            resealed_len != in_len || memcmp(resealed, in, in_len) != 0)
            abort();
        free(resealed);
    } else if (err == SFRAME_E_MALFORMED) {
        if (in_len >= hdr_len + info->nt)
            abort();
    } else if (err != SFRAME_E_AUTH) {
        abort();
    }
    free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sframe_replay windows[N_KIDS];
    size_t suite_idx, pos = 1;

    if (size < 1)
        return 0;
    suite_idx = data[0] % N_SUITES;
    for (size_t k = 0; k < N_KIDS; k++)
        sframe_replay_init(&windows[k]);

    while (size - pos >= 2) {
        size_t len = (size_t)data[pos] << 8 | data[pos + 1], md_len;
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        if (len == 0)
            continue;
        md_len = data[pos];
        if (md_len > len - 1)
            md_len = len - 1;
        uint8_t *md = dup_bytes(data + pos + 1, md_len);
        uint8_t *frame = dup_bytes(data + pos + 1 + md_len, len - 1 - md_len);
        open_one(suite_idx, windows, md_len ? md : NULL, md_len, frame, len - 1 - md_len);
        free(md);
        free(frame);
        pos += len;
    }
    return 0;
}
