/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RFC 9605 §4.4.2:
 *   sframe_secret = HKDF-Extract("", base_key)
 *   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  || KID || suite, Nk)
 *   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " || KID || suite, Nn)
 * with KID as 8 and the suite as 2 big-endian bytes, and the suite's hash.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "sframe-internal.h"

static const char label_key[] = "SFrame 1.0 Secret key ";
static const char label_salt[] = "SFrame 1.0 Secret salt ";

size_t
sframe_kdf_label(enum sframe_kdf_label_kind kind, uint64_t kid, uint16_t suite,
                 uint8_t out[SFRAME_KDF_LABEL_MAX])
{
    const char *prefix = kind == SFRAME_KDF_LABEL_SALT ? label_salt : label_key;
    size_t n = strlen(prefix);

    memcpy(out, prefix, n);
    store_be64(out + n, kid);
    n += 8;
    out[n++] = (uint8_t)(suite >> 8);
    out[n++] = (uint8_t)suite;
    return n;
}

/*
 * No salt parameter: HKDF-Extract keys HMAC with the empty string, which is
 * the same as the HashLen zero bytes RFC 5869 §2.2 prescribes.
 */
static int
hkdf(const struct sframe_suite_evp *evp, int mode, const uint8_t *key, size_t key_len,
     const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(evp->hkdf);
    OSSL_PARAM params[5], *p = params;
    int ok;

    if (!kctx)
        return SFRAME_E_NOMEM;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)evp->md_name, 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (info_len)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx); /* the provider wipes its copy of the key */
    return ok ? SFRAME_OK : SFRAME_E_CRYPTO;
}

int
sframe_kdf_extract(uint16_t suite, const uint8_t *base_key, size_t base_key_len,
                   uint8_t out_secret[SFRAME_NH_MAX])
{
    const struct sframe_suite_info *info = sframe_suite_info(suite);
    const struct sframe_suite_evp *evp;
    uint8_t secret[SFRAME_NH_MAX];
    int err;

    if (!info || !base_key || !base_key_len || !out_secret)
        return SFRAME_E_PARAM;
    evp = sframe_suite_evp(suite);
    if (!evp)
        return SFRAME_E_CRYPTO;
    err = hkdf(evp, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, base_key, base_key_len, NULL, 0, secret,
               info->nh);
    if (err == SFRAME_OK)
        memcpy(out_secret, secret, info->nh);
    OPENSSL_cleanse(secret, sizeof(secret));
    return err;
}

int
sframe_kdf_derive(uint16_t suite, uint64_t kid, const uint8_t *base_key, size_t base_key_len,
                  uint8_t out_key[SFRAME_NK_MAX], uint8_t out_salt[SFRAME_NONCE_LEN])
{
    const struct sframe_suite_info *info = sframe_suite_info(suite);
    uint8_t secret[SFRAME_NH_MAX], key[SFRAME_NK_MAX], salt[SFRAME_NONCE_LEN];
    uint8_t label[SFRAME_KDF_LABEL_MAX];
    const struct sframe_suite_evp *evp;
    size_t label_len;
    int err;

    if (!info || !out_key || !out_salt)
        return SFRAME_E_PARAM;
    err = sframe_kdf_extract(suite, base_key, base_key_len, secret);
    if (err != SFRAME_OK)
        return err;
    evp = sframe_suite_evp(suite);
    label_len = sframe_kdf_label(SFRAME_KDF_LABEL_KEY, kid, suite, label);
    err =
        hkdf(evp, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, info->nh, label, label_len, key, info->nk);
    if (err == SFRAME_OK) {
        label_len = sframe_kdf_label(SFRAME_KDF_LABEL_SALT, kid, suite, label);
        err = hkdf(evp, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, info->nh, label, label_len, salt,
                   info->nn);
    }
    if (err == SFRAME_OK) {
        memcpy(out_key, key, info->nk);
        memcpy(out_salt, salt, info->nn);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(salt, sizeof(salt));
    return err;
}
