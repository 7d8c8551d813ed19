/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of libsframe shared between its files and the known-answer
 * tests. Not part of the public API: only src/sframe and tests/sframe
 * include this header.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "sframe.h"

/* Big-endian loads and stores: one bswap and one move on little-endian hosts. */
static inline uint64_t
load_be64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void
store_be64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, sizeof(v));
}

/* Length of the minimal header for (kid, ctr), 1-17 (RFC 9605 §4.3). */
size_t sframe_header_size(uint64_t kid, uint64_t ctr);

/* ---- EVP objects, fetched once per process (sframe-suite.c) -------------- */

struct sframe_suite_evp {
    EVP_CIPHER *cipher; /* AES-{128,256}-{CTR,GCM} */
    EVP_MAC *hmac;      /* the CTR suites' MAC */
    EVP_KDF *hkdf;
    const char *md_name; /* "SHA256" or "SHA512" */
};

/* NULL when the suite is unknown or the crypto library could not provide it. */
const struct sframe_suite_evp *sframe_suite_evp(uint16_t suite);

/* ---- Key derivation (RFC 9605 §4.4.2, sframe-kdf.c) ----------------------- */

#define SFRAME_NH_MAX 64
#define SFRAME_NK_MAX 96
/* "SFrame 1.0 Secret salt " (23 bytes) || KID (8) || suite (2) */
#define SFRAME_KDF_LABEL_MAX 33

enum sframe_kdf_label_kind { SFRAME_KDF_LABEL_KEY, SFRAME_KDF_LABEL_SALT };

/* Writes the HKDF-Expand info for the key or the salt; returns its length. */
size_t sframe_kdf_label(enum sframe_kdf_label_kind kind, uint64_t kid, uint16_t suite,
                        uint8_t out[SFRAME_KDF_LABEL_MAX]);

/* sframe_secret = HKDF-Extract("", base_key): writes Nh bytes. */
int sframe_kdf_extract(uint16_t suite, const uint8_t *base_key, size_t base_key_len,
                       uint8_t out_secret[SFRAME_NH_MAX]);

/* sframe_key (Nk bytes) and sframe_salt (Nn bytes) of one KID. */
int sframe_kdf_derive(uint16_t suite, uint64_t kid, const uint8_t *base_key, size_t base_key_len,
                      uint8_t out_key[SFRAME_NK_MAX], uint8_t out_salt[SFRAME_NONCE_LEN]);

/* ---- AEAD (RFC 9605 §4.5, sframe-aead.c) --------------------------------- */

/*
 * One direction of one AEAD key, with the cipher (and, for the CTR suites,
 * the HMAC) context keyed once, so a frame only sets the IV and streams.
 */
struct sframe_aead {
    const struct sframe_suite_info *info;
    EVP_CIPHER_CTX *cipher;
    EVP_MAC_CTX *mac; /* CTR suites only */
    int encrypt;
};

/* The RFC 9605 §4.5.1 split of an Nk-byte CTR-suite key into enc_key || auth_key. */
void sframe_aead_split(const struct sframe_suite_info *info, const uint8_t *key,
                       const uint8_t **out_enc_key, size_t *out_enc_len,
                       const uint8_t **out_auth_key, size_t *out_auth_len);

/* key_len must be the suite's Nk. On failure the struct needs no finish. */
int sframe_aead_init(struct sframe_aead *aead, uint16_t suite, int encrypt, const uint8_t *key,
                     size_t key_len);
void sframe_aead_finish(struct sframe_aead *aead); /* zeroed-struct-safe */

/* AAD = head || tail (either may be empty): header and metadata are not copied together. */
struct sframe_aad {
    const uint8_t *head;
    size_t head_len;
    const uint8_t *tail;
    size_t tail_len;
};

/* out = ciphertext (pt_len bytes) || tag (Nt bytes). */
int sframe_aead_seal(struct sframe_aead *aead, const uint8_t nonce[SFRAME_NONCE_LEN],
                     const struct sframe_aad *aad, const uint8_t *pt, size_t pt_len, uint8_t *out);

/*
 * in = ciphertext (ct_len bytes) || tag (Nt bytes). The tag is verified
 * before pt is written (CTR suites), or pt is wiped again when it does not
 * verify (GCM, which decrypts as it authenticates).
 */
int sframe_aead_open(struct sframe_aead *aead, const uint8_t nonce[SFRAME_NONCE_LEN],
                     const struct sframe_aad *aad, const uint8_t *in, size_t ct_len, uint8_t *pt);

/* ---- Nonce (RFC 9605 §4.4.3, sframe-key.c) ------------------------------- */

/* nonce = sframe_salt XOR encode_big_endian(ctr, Nn) */
void sframe_nonce(const uint8_t salt[SFRAME_NONCE_LEN], uint64_t ctr,
                  uint8_t out[SFRAME_NONCE_LEN]);
