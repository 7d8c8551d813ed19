/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cipher suites of RFC 9605 §4.5 (0x0001-0x0005) and
 * draft-barnes-sframe-iana-256 (0x0006-0x0008), and the EVP objects that
 * implement them. The objects are fetched once per process: an implicit
 * fetch on every frame would cost more than sealing a small frame.
 */
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/kdf.h>

#include "sframe-internal.h"

#define N_SUITES 8

/* clang-format off */
static const struct sframe_suite_info suites[N_SUITES] = {
    /* id      name                          nh  nk  nka nn  nt  gcm */
    { 0x0001, "AES_128_CTR_HMAC_SHA256_80", 32, 48, 16, 12, 10, 0 },
    { 0x0002, "AES_128_CTR_HMAC_SHA256_64", 32, 48, 16, 12, 8,  0 },
    { 0x0003, "AES_128_CTR_HMAC_SHA256_32", 32, 48, 16, 12, 4,  0 },
    { 0x0004, "AES_128_GCM_SHA256_128",     32, 16, 0,  12, 16, 1 },
    { 0x0005, "AES_256_GCM_SHA512_128",     64, 32, 0,  12, 16, 1 },
    { 0x0006, "AES_256_CTR_HMAC_SHA512_80", 64, 96, 32, 12, 10, 0 },
    { 0x0007, "AES_256_CTR_HMAC_SHA512_64", 64, 96, 32, 12, 8,  0 },
    { 0x0008, "AES_256_CTR_HMAC_SHA512_32", 64, 96, 32, 12, 4,  0 },
};

enum { AES_128_CTR, AES_128_GCM, AES_256_GCM, AES_256_CTR, N_CIPHERS };

static const char *const cipher_names[N_CIPHERS] = {
    "AES-128-CTR", "AES-128-GCM", "AES-256-GCM", "AES-256-CTR",
};

static const struct {
    int cipher;
    const char *md;
} evp_names[N_SUITES] = {
    { AES_128_CTR, "SHA256" },
    { AES_128_CTR, "SHA256" },
    { AES_128_CTR, "SHA256" },
    { AES_128_GCM, "SHA256" },
    { AES_256_GCM, "SHA512" },
    { AES_256_CTR, "SHA512" },
    { AES_256_CTR, "SHA512" },
    { AES_256_CTR, "SHA512" },
};
/* clang-format on */

static CRYPTO_ONCE evp_once = CRYPTO_ONCE_STATIC_INIT;
static struct sframe_suite_evp evp[N_SUITES];
static int evp_ready;

const struct sframe_suite_info *
sframe_suite_info(uint16_t suite)
{
    if (suite < 1 || suite > N_SUITES)
        return NULL;
    return &suites[suite - 1];
}

/* Fetched objects live for the whole process. */
static void
fetch_evp(void)
{
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_KDF *hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_CIPHER *ciphers[N_CIPHERS] = {NULL};
    int ok = hmac && hkdf;

    for (size_t i = 0; ok && i < N_CIPHERS; i++) {
        ciphers[i] = EVP_CIPHER_fetch(NULL, cipher_names[i], NULL);
        ok = ciphers[i] != NULL;
    }
    if (!ok) {
        for (size_t i = 0; i < N_CIPHERS; i++)
            EVP_CIPHER_free(ciphers[i]);
        EVP_MAC_free(hmac);
        EVP_KDF_free(hkdf);
        return;
    }
    for (size_t i = 0; i < N_SUITES; i++) {
        evp[i].cipher = ciphers[evp_names[i].cipher];
        evp[i].hmac = hmac;
        evp[i].hkdf = hkdf;
        evp[i].md_name = evp_names[i].md;
    }
    evp_ready = 1;
}

const struct sframe_suite_evp *
sframe_suite_evp(uint16_t suite)
{
    if (!sframe_suite_info(suite))
        return NULL;
    if (!CRYPTO_THREAD_run_once(&evp_once, fetch_evp) || !evp_ready)
        return NULL;
    return &evp[suite - 1];
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Digits only, no sign or blanks; stops counting at 0x10000 so nothing overflows. */
static int
parse_number(const char *text, unsigned base, unsigned *out)
{
    unsigned value = 0;

    if (!*text)
        return -1;
    for (; *text; text++) {
        int d = hex_value(*text);
        if (d < 0 || (unsigned)d >= base)
            return -1;
        value = value * base + (unsigned)d;
        if (value > 0xffff)
            return -1;
    }
    *out = value;
    return 0;
}

enum sframe_error
sframe_suite_parse(const char *text, uint16_t *out_suite)
{
    unsigned value;

    if (!text || !out_suite)
        return SFRAME_E_PARAM;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        if (parse_number(text + 2, 16, &value) != 0)
            return SFRAME_E_PARAM;
    } else if (parse_number(text, 10, &value) != 0) {
        for (value = 0; value < N_SUITES; value++)
            if (strcasecmp(text, suites[value].name) == 0)
                break;
        if (value == N_SUITES)
            return SFRAME_E_PARAM;
        value = suites[value].id;
    }
    if (!sframe_suite_info((uint16_t)value))
        return SFRAME_E_PARAM;
    *out_suite = (uint16_t)value;
    return SFRAME_OK;
}
