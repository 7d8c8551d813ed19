/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The e2call key schedule (SPEC.md §4) above RFC 9605:
 *
 *   shared key = PBKDF2-HMAC-SHA256(secret, "e2call/1 room " || room, 600000, 32)
 *   base key   = HKDF-SHA256(IKM = shared key, salt = "",
 *                            info = "e2call/1 base key" || KID (8 bytes BE), 32)
 *
 * The shared key is slow by design: derive it once per (secret, room) and
 * never on a streaming thread. The base key is one cheap HKDF per KID.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "secret.h"

#define E2C_SHARED_KEY_LEN 32
#define E2C_BASE_KEY_LEN 32
#define E2C_PBKDF2_ITERATIONS 600000

struct e2c_shared_key {
    uint8_t bytes[E2C_SHARED_KEY_LEN];
};

/*
 * Room ids are canonical: a number in decimal without leading zeros (what
 * Janus numeric rooms are: "0042" -> "42", "000" -> "0"), otherwise the
 * string as given (1-128 bytes of printable ASCII, 0x20-0x7e). A run of
 * digits above 2^64 - 1 cannot be a Janus room number, so it is a string
 * room and keeps its leading zeros. Returns SFRAME_E_PARAM for anything else,
 * SFRAME_E_SHORT_BUFFER when the result and its NUL do not fit in cap.
 */
int e2c_room_canonical(const char *room, char *out, size_t cap);

/*
 * SFRAME_OK or SFRAME_E_PARAM / SFRAME_E_CRYPTO; out is written only on
 * success. iterations is E2C_PBKDF2_ITERATIONS outside tests. The secret is
 * not cleared here: the caller clears it once its keys are derived.
 */
int e2c_shared_key_derive(const struct e2c_secret *secret, const char *room, unsigned iterations,
                          struct e2c_shared_key *out);
int e2c_base_key_derive(const struct e2c_shared_key *shared, uint64_t kid,
                        uint8_t out[E2C_BASE_KEY_LEN]);
/* 64 bits from the OpenSSL DRBG. */
int e2c_kid_random(uint64_t *out);
void e2c_shared_key_clear(struct e2c_shared_key *key);
