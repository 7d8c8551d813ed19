/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsframe: RFC 9605 (SFrame) primitives on OpenSSL EVP.
 *
 * This module knows nothing of GLib, GStreamer, secrets or rooms. It encodes
 * and decodes SFrame headers, derives the per-KID key and salt (RFC 9605
 * §4.4.2), seals and opens frames with the suite's AEAD (§4.4.3-§4.5), and
 * keeps a replay window. Policy (which counter, which KID, when to rotate)
 * belongs to the caller: see src/e2ee/.
 *
 * Every status is an enum sframe_error: SFRAME_OK (0) or a negative error,
 * so a switch over one is checked by -Wswitch. The module never prints. Output parameters are
 * written only on success.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum sframe_error {
    SFRAME_OK = 0,
    SFRAME_E_PARAM = -1,        /* caller error: bad argument, unknown suite */
    SFRAME_E_SHORT_BUFFER = -2, /* output capacity too small: see the *_bound() functions */
    SFRAME_E_MALFORMED = -3,    /* header truncated or not minimally encoded; frame too short */
    SFRAME_E_UNKNOWN_KID = -4,  /* no key held that could open this KID */
    SFRAME_E_AUTH = -5,         /* the tag did not verify: drop the frame */
    SFRAME_E_REPLAY = -6,       /* counter below the window or already seen */
    SFRAME_E_EXHAUSTED = -7,    /* counter or usage limit reached: rotate to a fresh KID */
    SFRAME_E_CRYPTO = -8,       /* the crypto library failed */
    SFRAME_E_NOMEM = -9,
};

/* A short, static, lower-case description of an error value. */
const char *sframe_strerror(enum sframe_error err);

/* RFC 9605 §4.5 and draft-barnes-sframe-iana-256 (0x0006-0x0008). */
enum sframe_suite {
    SFRAME_AES_128_CTR_HMAC_SHA256_80 = 0x0001,
    SFRAME_AES_128_CTR_HMAC_SHA256_64 = 0x0002,
    SFRAME_AES_128_CTR_HMAC_SHA256_32 = 0x0003,
    SFRAME_AES_128_GCM_SHA256_128 = 0x0004,
    SFRAME_AES_256_GCM_SHA512_128 = 0x0005,
    SFRAME_AES_256_CTR_HMAC_SHA512_80 = 0x0006,
    SFRAME_AES_256_CTR_HMAC_SHA512_64 = 0x0007,
    SFRAME_AES_256_CTR_HMAC_SHA512_32 = 0x0008,
};

/* e2call's default suite (e2call-e2ee(7), CIPHER SUITES). */
#define SFRAME_DEFAULT_SUITE SFRAME_AES_256_CTR_HMAC_SHA512_80

struct sframe_suite_info {
    uint16_t id;
    const char *name; /* "AES_256_CTR_HMAC_SHA512_80" */
    size_t nh;        /* hash output length */
    size_t nk;        /* AEAD key length (enc_key || auth_key for CTR suites) */
    size_t nka;       /* AES key length inside nk for CTR suites; 0 for GCM */
    size_t nn;        /* nonce length (12) */
    size_t nt;        /* tag length */
    int is_gcm;
};

/* NULL when the suite is not one of 0x0001-0x0008. */
const struct sframe_suite_info *sframe_suite_info(uint16_t suite);

/* Accepts "6", "0x0006", "0x6" and the suite's name, case-insensitively. */
enum sframe_error sframe_suite_parse(const char *text, uint16_t *out_suite);

/* ---- Header (RFC 9605 §4.3) -------------------------------------------- */

#define SFRAME_HEADER_MAX 17
#define SFRAME_TAG_MAX 16
#define SFRAME_NONCE_LEN 12

/* Minimal encoding of (kid, ctr); writes 1-17 bytes. */
enum sframe_error sframe_header_encode(uint64_t kid, uint64_t ctr, uint8_t *out, size_t cap,
                                       size_t *out_len);

/* Strict decoding: truncated and non-minimal encodings are SFRAME_E_MALFORMED. */
enum sframe_error sframe_header_decode(const uint8_t *in, size_t in_len, uint64_t *out_kid,
                                       uint64_t *out_ctr, size_t *out_len);

/* ---- Keys (RFC 9605 §4.4.2) --------------------------------------------- */

/* Keys are encrypt-only or decrypt-only, never both (RFC 9605 §4.4.1). */
enum sframe_key_use { SFRAME_KEY_ENCRYPT, SFRAME_KEY_DECRYPT };

/*
 * The sframe_key and sframe_salt of one KID under one base key, with the
 * cipher and MAC contexts prepared once so that sealing a frame costs no
 * key schedule. Wiped (OPENSSL_cleanse) on destroy.
 */
struct sframe_key;

enum sframe_error sframe_key_create(uint16_t suite, uint64_t kid, enum sframe_key_use use,
                                    const uint8_t *base_key, size_t base_key_len,
                                    struct sframe_key **out);
void sframe_key_destroy(struct sframe_key *key); /* NULL-safe */
uint64_t sframe_key_kid(const struct sframe_key *key);
uint16_t sframe_key_suite(const struct sframe_key *key);

/* ---- Sealing and opening (RFC 9605 §4.4.3, §4.4.4) ---------------------- */

/* Capacity sframe_seal() needs for pt_len bytes: header max + pt_len + tag. */
size_t sframe_seal_bound(uint16_t suite, size_t pt_len);

/*
 * out = header(kid, ctr) || ciphertext || tag, AAD = header || metadata.
 * The caller guarantees that ctr is never used twice with this key (the
 * e2ee sender does); *out_len holds the capacity on entry.
 */
enum sframe_error sframe_seal(struct sframe_key *key, uint64_t ctr, const uint8_t *metadata,
                              size_t metadata_len, const uint8_t *pt, size_t pt_len, uint8_t *out,
                              size_t *out_len);

/*
 * Opens in[0..in_len) = header || ciphertext || tag, whose header (hdr_len
 * bytes, counter ctr) the caller already decoded with sframe_header_decode()
 * to pick the key. The tag is compared in constant time before anything is
 * decrypted. SFRAME_E_AUTH on a bad tag, SFRAME_E_MALFORMED when the frame
 * is shorter than header + tag. *out_len holds the capacity on entry and
 * needs in_len - hdr_len - tag bytes.
 */
enum sframe_error sframe_open(struct sframe_key *key, uint64_t ctr, const uint8_t *metadata,
                              size_t metadata_len, const uint8_t *in, size_t hdr_len, size_t in_len,
                              uint8_t *out, size_t *out_len);

/* ---- Replay window (RFC 9605 §9.3 after RFC 3711 §3.3.2) ----------------- */

#define SFRAME_REPLAY_WINDOW 128

struct sframe_replay {
    uint64_t top;     /* highest counter accepted so far */
    uint64_t bits[2]; /* bit i: counter top - i seen */
    int started;
};

void sframe_replay_init(struct sframe_replay *w);
/* SFRAME_OK when ctr is new and inside the window or ahead of it; SFRAME_E_REPLAY otherwise. */
enum sframe_error sframe_replay_check(const struct sframe_replay *w, uint64_t ctr);
/* Call only after the frame with this counter authenticated. */
void sframe_replay_update(struct sframe_replay *w, uint64_t ctr);
