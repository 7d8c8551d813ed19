/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The key schedule on OpenSSL 3 EVP_KDF (keysched.h): PBKDF2 shared key per
 * (secret, room), HKDF base key per (KID, epoch), format 2 KIDs.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "keysched.h"
#include "sframe.h"

#define ROOM_MAX_BYTES 128
#define PBKDF2_SALT_PREFIX "e2call/1 room "
#define HKDF_INFO_PREFIX "e2call/2 base key"

/* "18446744073709551615": the digits of 2^64 - 1, the largest Janus room number. */
#define U64_MAX_DIGITS "18446744073709551615"

static int
all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Fixed-width digit strings compare like the numbers they spell. */
static int
fits_u64(const char *digits, size_t len)
{
    size_t max_len = sizeof(U64_MAX_DIGITS) - 1;
    return len < max_len || (len == max_len && memcmp(digits, U64_MAX_DIGITS, len) <= 0);
}

/*
 * Numbers lose their leading zeros ("0042" is room 42, as Janus reads it);
 * a run of digits too large for a uint64 cannot be a Janus room number, so
 * it is a string room and stays exactly as given.
 */
enum sframe_error
e2c_room_canonical(const char *room, char *out, size_t cap)
{
    if (!room || !out)
        return SFRAME_E_PARAM;
    size_t len = strnlen(room, ROOM_MAX_BYTES + 1);
    if (len == 0 || len > ROOM_MAX_BYTES)
        return SFRAME_E_PARAM;
    for (size_t i = 0; i < len; i++)
        if (room[i] < 0x20 || room[i] > 0x7e)
            return SFRAME_E_PARAM;

    const char *canon = room;
    size_t canon_len = len;
    if (all_digits(room, len)) {
        size_t skip = 0;
        while (skip + 1 < len && room[skip] == '0')
            skip++;
        if (fits_u64(room + skip, len - skip)) {
            canon = room + skip;
            canon_len = len - skip;
        }
    }
    if (cap < canon_len + 1)
        return SFRAME_E_SHORT_BUFFER;
    memmove(out, canon, canon_len);
    out[canon_len] = '\0';
    return SFRAME_OK;
}

static int
kdf_derive(const char *name, OSSL_PARAM *params, uint8_t *out, size_t out_len)
{
    int rc = SFRAME_E_CRYPTO;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1)
        rc = SFRAME_OK;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

enum sframe_error
e2c_shared_key_derive(const struct e2c_secret *secret, const char *room, unsigned iterations,
                      struct e2c_shared_key *out)
{
    if (!secret || !secret->utf8 || secret->len == 0 || !out || iterations == 0)
        return SFRAME_E_PARAM;

    char salt[sizeof(PBKDF2_SALT_PREFIX) - 1 + ROOM_MAX_BYTES + 1];
    size_t prefix_len = sizeof(PBKDF2_SALT_PREFIX) - 1;
    memcpy(salt, PBKDF2_SALT_PREFIX, prefix_len);
    int rc = e2c_room_canonical(room, salt + prefix_len, sizeof(salt) - prefix_len);
    if (rc != SFRAME_OK)
        return SFRAME_E_PARAM;
    size_t salt_len = prefix_len + strlen(salt + prefix_len);

    uint64_t iter = iterations;
    /* SP 800-132 lower-bound checks off: a short room gives a salt under 128
     * bits, and tests use few iterations. The real count is fixed by e2call-e2ee(7), KEYS. */
    int pkcs5 = 1;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, secret->utf8, secret->len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5),
        OSSL_PARAM_construct_end(),
    };
    uint8_t key[E2C_SHARED_KEY_LEN];
    rc = kdf_derive(OSSL_KDF_NAME_PBKDF2, params, key, sizeof(key));
    if (rc == SFRAME_OK)
        memcpy(out->bytes, key, sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

enum sframe_error
e2c_base_key_derive(const struct e2c_shared_key *shared, uint64_t kid, uint32_t epoch,
                    uint8_t out[E2C_BASE_KEY_LEN])
{
    if (!shared || !out)
        return SFRAME_E_PARAM;

    uint8_t info[sizeof(HKDF_INFO_PREFIX) - 1 + 8 + 4];
    size_t prefix_len = sizeof(HKDF_INFO_PREFIX) - 1;
    memcpy(info, HKDF_INFO_PREFIX, prefix_len);
    for (int i = 0; i < 8; i++)
        info[prefix_len + i] = (uint8_t)(kid >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        info[prefix_len + 8 + i] = (uint8_t)(epoch >> (24 - 8 * i));

    /* No salt parameter: RFC 5869 §2.2 then uses HashLen zero bytes, which
     * gives the same PRK as an empty salt (HMAC pads its key with zeros). */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)shared->bytes,
                                          sizeof(shared->bytes)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info)),
        OSSL_PARAM_construct_end(),
    };
    uint8_t key[E2C_BASE_KEY_LEN];
    int rc = kdf_derive(OSSL_KDF_NAME_HKDF, params, key, sizeof(key));
    if (rc == SFRAME_OK)
        memcpy(out, key, sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

uint32_t
e2c_epoch_at(int64_t unix_s)
{
    if (unix_s < 0)
        return 0;
    int64_t epoch = unix_s / E2C_EPOCH_SECONDS;
    return epoch > UINT32_MAX ? UINT32_MAX : (uint32_t)epoch;
}

enum sframe_error
e2c_kid_random(uint32_t epoch, uint64_t *out)
{
    if (!out)
        return SFRAME_E_PARAM;
    uint8_t b[8];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return SFRAME_E_CRYPTO;
    uint64_t random = 0;
    for (size_t i = 0; i < sizeof(b); i++)
        random = random << 8 | b[i];
    OPENSSL_cleanse(b, sizeof(b));
    *out = E2C_KID_FORMAT2 | ((uint64_t)epoch & E2C_KID_EPOCH_MASK) << E2C_KID_EPOCH_SHIFT |
           (random & ((UINT64_C(1) << E2C_KID_EPOCH_SHIFT) - 1));
    return SFRAME_OK;
}

int
e2c_kid_is_format2(uint64_t kid)
{
    return (kid & E2C_KID_FORMAT2) != 0;
}

int
e2c_kid_epoch(uint64_t kid, uint32_t now_epoch, uint32_t *out_epoch)
{
    if (!e2c_kid_is_format2(kid))
        return 0;
    uint64_t bits = kid >> E2C_KID_EPOCH_SHIFT & E2C_KID_EPOCH_MASK;
    /* The receiver's own epoch first, then its neighbours; 3 < 2048, so at most one matches. */
    static const int64_t offsets[] = {0, -1, 1};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        int64_t e = (int64_t)now_epoch + offsets[i];
        if (e < 0 || e > UINT32_MAX || ((uint64_t)e & E2C_KID_EPOCH_MASK) != bits)
            continue;
        if (out_epoch)
            *out_epoch = (uint32_t)e;
        return 1;
    }
    return 0;
}

void
e2c_shared_key_clear(struct e2c_shared_key *key)
{
    if (key)
        OPENSSL_cleanse(key->bytes, sizeof(key->bytes));
}
