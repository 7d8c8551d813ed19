/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-KID keys and the SFrame encryption and decryption of RFC 9605
 * §4.4.3-§4.4.4: ciphertext = header || AEAD(sframe_key, nonce,
 * header || metadata, plaintext).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keymem.h"
#include "sframe-internal.h"

struct sframe_key {
    uint64_t kid;
    uint16_t suite;
    enum sframe_key_use use;
    uint8_t salt[SFRAME_NONCE_LEN];
    struct sframe_aead aead;
};

void
sframe_nonce(const uint8_t salt[SFRAME_NONCE_LEN], uint64_t ctr, uint8_t out[SFRAME_NONCE_LEN])
{
    /* The counter, big-endian in 12 bytes, only reaches the last 8. */
    memcpy(out, salt, SFRAME_NONCE_LEN - 8);
    store_be64(out + SFRAME_NONCE_LEN - 8, load_be64(salt + SFRAME_NONCE_LEN - 8) ^ ctr);
}

void
sframe_key_destroy(struct sframe_key *key)
{
    if (!key)
        return;
    sframe_aead_finish(&key->aead);
    OPENSSL_cleanse(key, sizeof(*key));
    e2c_keymem_free(key);
}

enum sframe_error
sframe_key_create(uint16_t suite, uint64_t kid, enum sframe_key_use use, const uint8_t *base_key,
                  size_t base_key_len, struct sframe_key **out)
{
    const struct sframe_suite_info *info = sframe_suite_info(suite);
    uint8_t key[SFRAME_NK_MAX], salt[SFRAME_NONCE_LEN];
    struct sframe_key *k = NULL;
    int err;

    if (!info || !out || !base_key || !base_key_len ||
        (use != SFRAME_KEY_ENCRYPT && use != SFRAME_KEY_DECRYPT))
        return SFRAME_E_PARAM;
    err = sframe_kdf_derive(suite, kid, base_key, base_key_len, key, salt);
    if (err != SFRAME_OK)
        goto out;
    k = e2c_keymem_alloc(sizeof(*k)); /* the salt: out of core dumps */
    if (!k) {
        err = SFRAME_E_NOMEM;
        goto out;
    }
    k->kid = kid;
    k->suite = suite;
    k->use = use;
    memcpy(k->salt, salt, sizeof(salt));
    err = sframe_aead_init(&k->aead, suite, use == SFRAME_KEY_ENCRYPT, key, info->nk);
    if (err != SFRAME_OK) {
        sframe_key_destroy(k);
        k = NULL;
    }
out:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(salt, sizeof(salt));
    if (err == SFRAME_OK)
        *out = k;
    return err;
}

uint64_t
sframe_key_kid(const struct sframe_key *key)
{
    return key ? key->kid : 0;
}

uint16_t
sframe_key_suite(const struct sframe_key *key)
{
    return key ? key->suite : 0;
}

size_t
sframe_seal_bound(uint16_t suite, size_t pt_len)
{
    const struct sframe_suite_info *info = sframe_suite_info(suite);

    /* 0 (no capacity can do) for an unknown suite or a size_t overflow. */
    if (!info || pt_len > SIZE_MAX - SFRAME_HEADER_MAX - info->nt)
        return 0;
    return SFRAME_HEADER_MAX + pt_len + info->nt;
}

enum sframe_error
sframe_seal(struct sframe_key *key, uint64_t ctr, const uint8_t *metadata, size_t metadata_len,
            const uint8_t *pt, size_t pt_len, uint8_t *out, size_t *out_len)
{
    _Alignas(16) uint8_t nonce[16]; /* 16 so that OPENSSL_cleanse() takes its word-wise path */
    struct sframe_aad aad;
    size_t hdr_len, nt, need;
    int err;

    if (!key || !out || !out_len || (!metadata && metadata_len) || (!pt && pt_len))
        return SFRAME_E_PARAM;
    if (key->use != SFRAME_KEY_ENCRYPT)
        return SFRAME_E_PARAM;
    hdr_len = sframe_header_size(key->kid, ctr);
    nt = key->aead.info->nt;
    if (pt_len > SIZE_MAX - hdr_len - nt)
        return SFRAME_E_PARAM;
    need = hdr_len + pt_len + nt;
    if (*out_len < need)
        return SFRAME_E_SHORT_BUFFER;

    err = sframe_header_encode(key->kid, ctr, out, hdr_len, &hdr_len);
    if (err != SFRAME_OK)
        return err;
    sframe_nonce(key->salt, ctr, nonce);
    aad = (struct sframe_aad){out, hdr_len, metadata, metadata_len};
    err = sframe_aead_seal(&key->aead, nonce, &aad, pt, pt_len, out + hdr_len);
    OPENSSL_cleanse(nonce, sizeof(nonce));
    if (err == SFRAME_OK)
        *out_len = need;
    return err;
}

enum sframe_error
sframe_open(struct sframe_key *key, uint64_t ctr, const uint8_t *metadata, size_t metadata_len,
            const uint8_t *in, size_t hdr_len, size_t in_len, uint8_t *out, size_t *out_len)
{
    _Alignas(16) uint8_t nonce[16];
    struct sframe_aad aad;
    size_t nt, ct_len;
    int err;

    if (!key || !in || !out_len || (!metadata && metadata_len) || hdr_len < 1 ||
        hdr_len > SFRAME_HEADER_MAX)
        return SFRAME_E_PARAM;
    if (key->use != SFRAME_KEY_DECRYPT)
        return SFRAME_E_PARAM;
    nt = key->aead.info->nt;
    if (in_len < hdr_len || in_len - hdr_len < nt)
        return SFRAME_E_MALFORMED;
    ct_len = in_len - hdr_len - nt;
    if (*out_len < ct_len)
        return SFRAME_E_SHORT_BUFFER;
    if (!out && ct_len)
        return SFRAME_E_PARAM;

    /* The header bytes are authenticated as AAD, so any change to them fails the tag. */
    sframe_nonce(key->salt, ctr, nonce);
    aad = (struct sframe_aad){in, hdr_len, metadata, metadata_len};
    err = sframe_aead_open(&key->aead, nonce, &aad, in + hdr_len, ct_len, out);
    OPENSSL_cleanse(nonce, sizeof(nonce));
    if (err == SFRAME_OK)
        *out_len = ct_len;
    return err;
}
