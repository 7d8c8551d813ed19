/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The crypto self-test `e2call check` runs: one known answer for the default
 * suite, from the sframe-wg test vectors (test-vectors-aes256.json @ 3d07d8f,
 * suite 0x0006), sealed and opened again, plus a flipped tag bit that must
 * fail. The full vector suites run in tests/sframe.
 */
#include "selftest.h"

#include <string.h>

#include "e2cplugin.h"
#include "sframe.h"

static const uint8_t base_key[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const char metadata[] = "IETF SFrame WG";
static const char plaintext[] = "draft-ietf-sframe-enc";
static const uint8_t expected[] = {
    0x99, 0x01, 0x23, 0x45, 0x67, 0xb3, 0x69, 0xe0, 0x3e, 0xc6, 0x46, 0x7a,
    0xd5, 0x05, 0xdd, 0xc8, 0x49, 0x14, 0x11, 0x50, 0x69, 0x28, 0x0c, 0x5c,
    0x79, 0x75, 0x55, 0xbe, 0x6e, 0x32, 0xcd, 0xe6, 0xac, 0x25, 0xbc, 0x9e,
};

void
e2c_selftest_register_plugin(void)
{
    e2c_plugin_register_static();
}

gboolean
e2c_selftest_crypto(const char **why)
{
    struct sframe_key *enc = NULL, *dec = NULL;
    uint8_t sealed[64], opened[64];
    size_t sealed_len = sizeof(sealed), opened_len = sizeof(opened);
    gboolean ok = FALSE;
    const uint64_t kid = 0x123, ctr = 0x4567;

    *why = "key derivation failed";
    if (sframe_key_create(SFRAME_DEFAULT_SUITE, kid, SFRAME_KEY_ENCRYPT, base_key, sizeof(base_key),
                          &enc) != SFRAME_OK ||
        sframe_key_create(SFRAME_DEFAULT_SUITE, kid, SFRAME_KEY_DECRYPT, base_key, sizeof(base_key),
                          &dec) != SFRAME_OK)
        goto out;
    *why = "sealing does not give the known answer";
    if (sframe_seal(enc, ctr, (const uint8_t *)metadata, strlen(metadata),
                    (const uint8_t *)plaintext, strlen(plaintext), sealed,
                    &sealed_len) != SFRAME_OK ||
        sealed_len != sizeof(expected) || memcmp(sealed, expected, sealed_len) != 0)
        goto out;
    *why = "opening the known answer fails";
    if (sframe_open(dec, ctr, (const uint8_t *)metadata, strlen(metadata), sealed, 5, sealed_len,
                    opened, &opened_len) != SFRAME_OK ||
        opened_len != strlen(plaintext) || memcmp(opened, plaintext, opened_len) != 0)
        goto out;
    *why = "a flipped tag bit is accepted";
    sealed[sealed_len - 1] ^= 0x01;
    opened_len = sizeof(opened);
    if (sframe_open(dec, ctr, (const uint8_t *)metadata, strlen(metadata), sealed, 5, sealed_len,
                    opened, &opened_len) != SFRAME_E_AUTH)
        goto out;
    *why = NULL;
    ok = TRUE;
out:
    sframe_key_destroy(enc);
    sframe_key_destroy(dec);
    return ok;
}
