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
/* AAD bytes copied behind the prefix to save an HMAC update call: a header fits. */
#define MAC_PREFIX_AAD_MAX 32

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

static void
put_be64(uint8_t *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Common argument checks; EVP takes int lengths. */
static int
check_args(const struct sframe_aead *aead, int encrypt, const uint8_t *nonce, const uint8_t *aad1,
           size_t aad1_len, const uint8_t *aad2, size_t aad2_len, const uint8_t *in, size_t in_len,
           const uint8_t *out, const uint8_t *tag)
{
    if (!aead || !aead->info || aead->encrypt != encrypt || !nonce || !tag)
        return SFRAME_E_PARAM;
    if ((!aad1 && aad1_len) || (!aad2 && aad2_len) || (in_len && (!in || !out)))
        return SFRAME_E_PARAM;
    if (aad1_len > INT_MAX || aad2_len > INT_MAX - aad1_len || in_len > INT_MAX)
        return SFRAME_E_PARAM;
    return SFRAME_OK;
}

/*
 * RFC 9605 §4.5.1: tag = first Nt bytes of
 * HMAC(auth_key, len(aad) || len(ct) || Nt || nonce || aad || ct).
 */
static int
ctr_mac(struct sframe_aead *aead, const uint8_t *nonce, const uint8_t *aad1, size_t aad1_len,
        const uint8_t *aad2, size_t aad2_len, const uint8_t *ct, size_t ct_len,
        uint8_t out[EVP_MAX_MD_SIZE])
{
    uint8_t prefix[MAC_PREFIX_LEN + MAC_PREFIX_AAD_MAX];
    size_t n = MAC_PREFIX_LEN, mac_len = 0;
    int ok;

    put_be64(prefix, (uint64_t)aad1_len + aad2_len);
    put_be64(prefix + 8, ct_len);
    put_be64(prefix + 16, aead->info->nt);
    memcpy(prefix + 24, nonce, SFRAME_NONCE_LEN);
    if (aad1_len <= MAC_PREFIX_AAD_MAX) {
        if (aad1_len)
            memcpy(prefix + n, aad1, aad1_len);
        n += aad1_len;
        aad1_len = 0;
    }
    /* A NULL key re-uses the keyed state: no key schedule per frame. */
    ok = EVP_MAC_init(aead->mac, NULL, 0, NULL) == 1 && EVP_MAC_update(aead->mac, prefix, n) == 1;
    OPENSSL_cleanse(prefix, MAC_PREFIX_LEN); /* the nonce reveals the salt */
    ok = ok && (!aad1_len || EVP_MAC_update(aead->mac, aad1, aad1_len) == 1);
    ok = ok && (!aad2_len || EVP_MAC_update(aead->mac, aad2, aad2_len) == 1);
    ok = ok && (!ct_len || EVP_MAC_update(aead->mac, ct, ct_len) == 1);
    ok = ok && EVP_MAC_final(aead->mac, out, &mac_len, EVP_MAX_MD_SIZE) == 1;
    return ok && mac_len >= aead->info->nt ? SFRAME_OK : SFRAME_E_CRYPTO;
}

/* Initial counter block nonce || 00000000 (§4.5.1). */
static int
ctr_stream(struct sframe_aead *aead, const uint8_t *nonce, const uint8_t *in, size_t len,
           uint8_t *out)
{
    uint8_t iv[CTR_IV_LEN] = {0};
    int n = 0, ok;

    memcpy(iv, nonce, SFRAME_NONCE_LEN);
    ok = EVP_CipherInit_ex(aead->cipher, NULL, NULL, NULL, iv, aead->encrypt) == 1;
    OPENSSL_cleanse(iv, sizeof(iv));
    ok = ok &&
         (!len || (EVP_CipherUpdate(aead->cipher, out, &n, in, (int)len) == 1 && (size_t)n == len));
    return ok ? SFRAME_OK : SFRAME_E_CRYPTO;
}

static int
gcm_start(struct sframe_aead *aead, const uint8_t *nonce, const uint8_t *aad1, size_t aad1_len,
          const uint8_t *aad2, size_t aad2_len)
{
    int n;

    if (EVP_CipherInit_ex(aead->cipher, NULL, NULL, NULL, nonce, aead->encrypt) != 1)
        return SFRAME_E_CRYPTO;
    if (aad1_len && EVP_CipherUpdate(aead->cipher, NULL, &n, aad1, (int)aad1_len) != 1)
        return SFRAME_E_CRYPTO;
    if (aad2_len && EVP_CipherUpdate(aead->cipher, NULL, &n, aad2, (int)aad2_len) != 1)
        return SFRAME_E_CRYPTO;
    return SFRAME_OK;
}

static int
gcm_seal(struct sframe_aead *aead, const uint8_t *nonce, const uint8_t *aad1, size_t aad1_len,
         const uint8_t *aad2, size_t aad2_len, const uint8_t *pt, size_t pt_len, uint8_t *ct,
         uint8_t *tag)
{
    int n = 0, fin = 0;
    int err = gcm_start(aead, nonce, aad1, aad1_len, aad2, aad2_len);

    if (err != SFRAME_OK)
        return err;
    if (pt_len && EVP_EncryptUpdate(aead->cipher, ct, &n, pt, (int)pt_len) != 1)
        return SFRAME_E_CRYPTO;
    if ((size_t)n != pt_len || EVP_EncryptFinal_ex(aead->cipher, ct + n, &fin) != 1 || fin != 0)
        return SFRAME_E_CRYPTO;
    if (EVP_CIPHER_CTX_ctrl(aead->cipher, EVP_CTRL_AEAD_GET_TAG, (int)aead->info->nt, tag) != 1)
        return SFRAME_E_CRYPTO;
    return SFRAME_OK;
}

/* GCM decrypts while it authenticates; the plaintext is wiped unless the tag verifies. */
static int
gcm_open(struct sframe_aead *aead, const uint8_t *nonce, const uint8_t *aad1, size_t aad1_len,
         const uint8_t *aad2, size_t aad2_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag,
         uint8_t *pt)
{
    int n = 0, fin = 0;
    int err = gcm_start(aead, nonce, aad1, aad1_len, aad2, aad2_len);

    if (err != SFRAME_OK)
        return err;
    if (EVP_CIPHER_CTX_ctrl(aead->cipher, EVP_CTRL_AEAD_SET_TAG, (int)aead->info->nt,
                            (void *)tag) != 1)
        return SFRAME_E_CRYPTO;
    if (ct_len &&
        (EVP_DecryptUpdate(aead->cipher, pt, &n, ct, (int)ct_len) != 1 || (size_t)n != ct_len)) {
        OPENSSL_cleanse(pt, ct_len);
        return SFRAME_E_CRYPTO;
    }
    if (EVP_DecryptFinal_ex(aead->cipher, pt + n, &fin) != 1 || fin != 0) {
        if (ct_len)
            OPENSSL_cleanse(pt, ct_len);
        return SFRAME_E_AUTH;
    }
    return SFRAME_OK;
}

int
sframe_aead_seal(struct sframe_aead *aead, const uint8_t nonce[SFRAME_NONCE_LEN],
                 const uint8_t *aad1, size_t aad1_len, const uint8_t *aad2, size_t aad2_len,
                 const uint8_t *pt, size_t pt_len, uint8_t *ct, uint8_t *tag)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    int err = check_args(aead, 1, nonce, aad1, aad1_len, aad2, aad2_len, pt, pt_len, ct, tag);

    if (err != SFRAME_OK)
        return err;
    if (aead->info->is_gcm)
        return gcm_seal(aead, nonce, aad1, aad1_len, aad2, aad2_len, pt, pt_len, ct, tag);

    /* Encrypt, then MAC the ciphertext (§4.5.1). */
    err = ctr_stream(aead, nonce, pt, pt_len, ct);
    if (err == SFRAME_OK)
        err = ctr_mac(aead, nonce, aad1, aad1_len, aad2, aad2_len, ct, pt_len, mac);
    if (err == SFRAME_OK)
        memcpy(tag, mac, aead->info->nt);
    OPENSSL_cleanse(mac, sizeof(mac));
    return err;
}

int
sframe_aead_open(struct sframe_aead *aead, const uint8_t nonce[SFRAME_NONCE_LEN],
                 const uint8_t *aad1, size_t aad1_len, const uint8_t *aad2, size_t aad2_len,
                 const uint8_t *ct, size_t ct_len, const uint8_t *tag, uint8_t *pt)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    int err = check_args(aead, 0, nonce, aad1, aad1_len, aad2, aad2_len, ct, ct_len, pt, tag);

    if (err != SFRAME_OK)
        return err;
    if (aead->info->is_gcm)
        return gcm_open(aead, nonce, aad1, aad1_len, aad2, aad2_len, ct, ct_len, tag, pt);

    /* Verify in constant time before anything is decrypted (§4.5.1). */
    err = ctr_mac(aead, nonce, aad1, aad1_len, aad2, aad2_len, ct, ct_len, mac);
    if (err == SFRAME_OK && CRYPTO_memcmp(mac, tag, aead->info->nt) != 0)
        err = SFRAME_E_AUTH;
    OPENSSL_cleanse(mac, sizeof(mac));
    if (err == SFRAME_OK) {
        err = ctr_stream(aead, nonce, ct, ct_len, pt);
        if (err != SFRAME_OK && ct_len)
            OPENSSL_cleanse(pt, ct_len);
    }
    return err;
}
