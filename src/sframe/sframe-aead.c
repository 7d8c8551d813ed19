/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The suites' AEADs (RFC 9605 §4.5): AES-GCM for 0x0004-0x0005 and the
 * AES-CTR + HMAC compound of §4.5.1 for the others. Contexts are keyed once
 * in sframe_aead_init(); a frame sets the IV and streams, with no key
 * schedule and no allocation on our side.
 */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "sframe-internal.h"

#define CTR_IV_LEN 16
/* len(aad), len(ct), Nt as 8-byte big-endian integers, then the nonce (§4.5.1) */
#define MAC_PREFIX_LEN (3 * 8 + SFRAME_NONCE_LEN)
/* Two SHA-512 blocks, four SHA-256 blocks */
#define MAC_STAGE 256
/* Whole words from the start of the prefix, through the nonce: OPENSSL_cleanse()'s fast path. */
#define MAC_PREFIX_WIPE 40

void
sframe_aead_split(const struct sframe_suite_info *info, const uint8_t *key,
                  const uint8_t **out_enc_key, size_t *out_enc_len, const uint8_t **out_auth_key,
                  size_t *out_auth_len)
{
    *out_enc_key = key;
    *out_enc_len = info->nka;
    *out_auth_key = key + info->nka;
    *out_auth_len = info->nk - info->nka;
}

void
sframe_aead_finish(struct sframe_aead *aead)
{
    if (!aead)
        return;
    /* Both free functions wipe the key schedules they hold. */
    EVP_CIPHER_CTX_free(aead->cipher);
    EVP_MAC_CTX_free(aead->mac);
    OPENSSL_cleanse(aead, sizeof(*aead));
}

int
sframe_aead_init(struct sframe_aead *aead, uint16_t suite, int encrypt, const uint8_t *key,
                 size_t key_len)
{
    const struct sframe_suite_info *info = sframe_suite_info(suite);
    const uint8_t *cipher_key = key, *auth_key = NULL;
    size_t cipher_key_len = key_len, auth_key_len = 0;
    const struct sframe_suite_evp *evp;
    struct sframe_aead a = {0};
    OSSL_PARAM params[2];
    int err = SFRAME_E_CRYPTO;

    if (!aead || !info || !key || key_len != info->nk)
        return SFRAME_E_PARAM;
    evp = sframe_suite_evp(suite);
    if (!evp)
        return SFRAME_E_CRYPTO;
    a.info = info;
    a.encrypt = encrypt ? 1 : 0;
    if (!info->is_gcm)
        sframe_aead_split(info, key, &cipher_key, &cipher_key_len, &auth_key, &auth_key_len);

    a.cipher = EVP_CIPHER_CTX_new();
    if (!a.cipher) {
        err = SFRAME_E_NOMEM;
        goto fail;
    }
    if ((size_t)EVP_CIPHER_get_key_length(evp->cipher) != cipher_key_len ||
        EVP_CipherInit_ex(a.cipher, evp->cipher, NULL, cipher_key, NULL, a.encrypt) != 1)
        goto fail;

    if (!info->is_gcm) {
        a.mac = EVP_MAC_CTX_new(evp->hmac);
        if (!a.mac) {
            err = SFRAME_E_NOMEM;
            goto fail;
        }
        params[0] =
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)evp->md_name, 0);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_MAC_init(a.mac, auth_key, auth_key_len, params) != 1)
            goto fail;
    }
    *aead = a;
    return SFRAME_OK;

fail:
    sframe_aead_finish(&a);
    return err;
}

/*
 * Sealing always writes a tag and opening always reads one, so out (seal)
 * and in (open) are needed even for empty data. EVP takes int lengths.
 */
static int
check_args(const struct sframe_aead *aead, int encrypt, const uint8_t *nonce,
           const struct sframe_aad *aad, const uint8_t *in, size_t len, const uint8_t *out)
{
    if (!aead || !aead->info || aead->encrypt != encrypt || !nonce || !aad)
        return SFRAME_E_PARAM;
    if ((!in && (len || !encrypt)) || (!out && (len || encrypt)))
        return SFRAME_E_PARAM;
    if ((!aad->head && aad->head_len) || (!aad->tail && aad->tail_len))
        return SFRAME_E_PARAM;
    if (aad->head_len > INT_MAX || aad->tail_len > INT_MAX - aad->head_len || len > INT_MAX)
        return SFRAME_E_PARAM;
    return SFRAME_OK;
}

/* Appends up to *len bytes of *p to the stage, advancing both. */
static size_t
stage_take(uint8_t *stage, size_t n, const uint8_t **p, size_t *len)
{
    size_t take = *len < MAC_STAGE - n ? *len : MAC_STAGE - n;

    if (!take) /* *p may be NULL */
        return n;
    memcpy(stage + n, *p, take);
    *p += take;
    *len -= take;
    return n + take;
}

/*
 * RFC 9605 §4.5.1: tag = first Nt bytes of
 * HMAC(auth_key, len(aad) || len(ct) || Nt || nonce || aad || ct).
 * The first MAC_STAGE bytes of that input are gathered in one buffer, so
 * the digest sees whole block pairs, which its multi-block code prefers,
 * and a frame costs two HMAC updates rather than four.
 */
static int
ctr_mac(struct sframe_aead *aead, const uint8_t *nonce, const struct sframe_aad *aad,
        const uint8_t *ct, size_t ct_len, uint8_t out[EVP_MAX_MD_SIZE])
{
    _Alignas(16) uint8_t stage[MAC_STAGE];
    const uint8_t *head = aad->head, *tail = aad->tail;
    size_t head_len = aad->head_len, tail_len = aad->tail_len, n, mac_len = 0;
    int ok;

    store_be64(stage, (uint64_t)head_len + tail_len);
    store_be64(stage + 8, ct_len);
    store_be64(stage + 16, aead->info->nt);
    memcpy(stage + 24, nonce, SFRAME_NONCE_LEN);
    /* Once the stage is full, the later takes are empty. */
    n = stage_take(stage, MAC_PREFIX_LEN, &head, &head_len);
    n = stage_take(stage, n, &tail, &tail_len);
    n = stage_take(stage, n, &ct, &ct_len);

    /* A NULL key re-uses the keyed state: no key schedule per frame. */
    ok = EVP_MAC_init(aead->mac, NULL, 0, NULL) == 1 && EVP_MAC_update(aead->mac, stage, n) == 1;
    OPENSSL_cleanse(stage, MAC_PREFIX_WIPE); /* the nonce reveals the salt */
    ok = ok && (!head_len || EVP_MAC_update(aead->mac, head, head_len) == 1);
    ok = ok && (!tail_len || EVP_MAC_update(aead->mac, tail, tail_len) == 1);
    ok = ok && (!ct_len || EVP_MAC_update(aead->mac, ct, ct_len) == 1);
    ok = ok && EVP_MAC_final(aead->mac, out, &mac_len, EVP_MAX_MD_SIZE) == 1;
    return ok && mac_len >= aead->info->nt ? SFRAME_OK : SFRAME_E_CRYPTO;
}

/* AES-CTR from the initial counter block nonce || 00000000 (§4.5.1). */
static int
ctr_stream(struct sframe_aead *aead, const uint8_t *nonce, const uint8_t *in, size_t len,
           uint8_t *out)
{
    _Alignas(16) uint8_t iv[CTR_IV_LEN] = {0};
    int n = 0, ok;

    memcpy(iv, nonce, SFRAME_NONCE_LEN);
    ok = EVP_CipherInit_ex(aead->cipher, NULL, NULL, NULL, iv, aead->encrypt) == 1;
    OPENSSL_cleanse(iv, sizeof(iv));
    ok = ok &&
         (!len || (EVP_CipherUpdate(aead->cipher, out, &n, in, (int)len) == 1 && (size_t)n == len));
    return ok ? SFRAME_OK : SFRAME_E_CRYPTO;
}

/* IV and AAD; the data and the tag are the caller's. */
static int
gcm_start(struct sframe_aead *aead, const uint8_t *nonce, const struct sframe_aad *aad)
{
    EVP_CIPHER_CTX *c = aead->cipher;
    int n;

    return EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, aead->encrypt) == 1 &&
           (!aad->head_len || EVP_CipherUpdate(c, NULL, &n, aad->head, (int)aad->head_len) == 1) &&
           (!aad->tail_len || EVP_CipherUpdate(c, NULL, &n, aad->tail, (int)aad->tail_len) == 1);
}

/*
 * The GCM tag, read or set through the provider's parameters directly:
 * EVP_CIPHER_CTX_ctrl() builds the same parameter and costs as much again.
 */
static int
gcm_tag(EVP_CIPHER_CTX *c, int set, const uint8_t *tag, size_t nt)
{
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, nt),
        OSSL_PARAM_construct_end(),
    };

    return (set ? EVP_CIPHER_CTX_set_params(c, params) : EVP_CIPHER_CTX_get_params(c, params)) == 1;
}

int
sframe_aead_seal(struct sframe_aead *aead, const uint8_t nonce[SFRAME_NONCE_LEN],
                 const struct sframe_aad *aad, const uint8_t *pt, size_t pt_len, uint8_t *out)
{
    _Alignas(16) uint8_t mac[EVP_MAX_MD_SIZE];
    int err = check_args(aead, 1, nonce, aad, pt, pt_len, out), n = 0, fin = 0;
    size_t nt;

    if (err != SFRAME_OK)
        return err;
    nt = aead->info->nt;
    if (aead->info->is_gcm) {
        if (!gcm_start(aead, nonce, aad) ||
            (pt_len && EVP_EncryptUpdate(aead->cipher, out, &n, pt, (int)pt_len) != 1) ||
            (size_t)n != pt_len || EVP_EncryptFinal_ex(aead->cipher, out + n, &fin) != 1 ||
            fin != 0 || !gcm_tag(aead->cipher, 0, out + pt_len, nt))
            return SFRAME_E_CRYPTO;
        return SFRAME_OK;
    }

    /* Encrypt, then MAC the ciphertext (§4.5.1). */
    err = ctr_stream(aead, nonce, pt, pt_len, out);
    if (err == SFRAME_OK)
        err = ctr_mac(aead, nonce, aad, out, pt_len, mac);
    if (err == SFRAME_OK)
        memcpy(out + pt_len, mac, nt);
    OPENSSL_cleanse(mac, sizeof(mac));
    return err;
}

int
sframe_aead_open(struct sframe_aead *aead, const uint8_t nonce[SFRAME_NONCE_LEN],
                 const struct sframe_aad *aad, const uint8_t *in, size_t ct_len, uint8_t *pt)
{
    _Alignas(16) uint8_t mac[EVP_MAX_MD_SIZE];
    int err = check_args(aead, 0, nonce, aad, in, ct_len, pt), n = 0, fin = 0;
    const uint8_t *tag;
    size_t nt;

    if (err != SFRAME_OK)
        return err;
    nt = aead->info->nt;
    tag = in + ct_len;
    if (aead->info->is_gcm) {
        if (!gcm_start(aead, nonce, aad) ||
            (ct_len && EVP_DecryptUpdate(aead->cipher, pt, &n, in, (int)ct_len) != 1) ||
            (size_t)n != ct_len || !gcm_tag(aead->cipher, 1, tag, nt))
            err = SFRAME_E_CRYPTO;
        else if (EVP_DecryptFinal_ex(aead->cipher, pt ? pt + n : mac, &fin) != 1 || fin != 0)
            err = SFRAME_E_AUTH;
        if (err != SFRAME_OK && ct_len)
            OPENSSL_cleanse(pt, ct_len);
        return err;
    }

    /* Verify in constant time before anything is decrypted (§4.5.1). */
    err = ctr_mac(aead, nonce, aad, in, ct_len, mac);
    if (err == SFRAME_OK && CRYPTO_memcmp(mac, tag, nt) != 0)
        err = SFRAME_E_AUTH;
    OPENSSL_cleanse(mac, sizeof(mac));
    if (err == SFRAME_OK) {
        err = ctr_stream(aead, nonce, in, ct_len, pt);
        if (err != SFRAME_OK && ct_len)
            OPENSSL_cleanse(pt, ct_len);
    }
    return err;
}
