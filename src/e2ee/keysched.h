/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The e2call key schedule (e2call-e2ee(7), KEYS; format 2) above RFC 9605:
 *
 *   shared key = PBKDF2-HMAC-SHA256(secret, "e2call/1 room " || room, 600000, 32)
 *   epoch      = floor(unix time / 600): ten minutes of wall clock
 *   KID        = 1 (bit 63) || epoch mod 2048 (bits 62..52) || 52 random bits
 *   base key   = HKDF-SHA256(IKM = shared key, salt = "",
 *                            info = "e2call/2 base key" || KID (8 bytes BE)
 *                                   || epoch (4 bytes BE), 32)
 *
 * The shared key is slow by design: derive it once per (secret, room) and
 * never on a streaming thread. The base key is one cheap HKDF per KID.
 *
 * The epoch in the KID is what makes recorded media go stale: a receiver
 * takes a KID only from its own epoch or one next to it, and the full epoch
 * in the base key makes a KID whose 11 epoch bits come round again (2048
 * epochs, 14.2 days, later) a different key.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "secret.h"
#include "sframe.h"

#define E2C_SHARED_KEY_LEN 32
#define E2C_BASE_KEY_LEN 32
#define E2C_PBKDF2_ITERATIONS 600000

#define E2C_EPOCH_SECONDS 600
#define E2C_KID_FORMAT2 (UINT64_C(1) << 63)
#define E2C_KID_EPOCH_SHIFT 52
#define E2C_KID_EPOCH_MASK UINT64_C(0x7ff) /* 11 bits */

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
enum sframe_error e2c_room_canonical(const char *room, char *out, size_t cap);

/*
 * SFRAME_OK or SFRAME_E_PARAM / SFRAME_E_CRYPTO; out is written only on
 * success. iterations is E2C_PBKDF2_ITERATIONS outside tests. The secret is
 * not cleared here: the caller clears it once its keys are derived.
 */
enum sframe_error e2c_shared_key_derive(const struct e2c_secret *secret, const char *room,
                                        unsigned iterations, struct e2c_shared_key *out);
/* epoch: the full epoch the KID was drawn in (its low 11 bits are in the KID). */
enum sframe_error e2c_base_key_derive(const struct e2c_shared_key *shared, uint64_t kid,
                                      uint32_t epoch, uint8_t out[E2C_BASE_KEY_LEN]);

/* The epoch of a wall-clock time (0 before 1970). */
uint32_t e2c_epoch_at(int64_t unix_s);
/* A format 2 KID for epoch: 52 bits from the OpenSSL DRBG. */
enum sframe_error e2c_kid_random(uint32_t epoch, uint64_t *out);
/* Bit 63 set: a KID of this format (and so an 8-byte KID in the SFrame header). */
int e2c_kid_is_format2(uint64_t kid);
/*
 * The full epoch of a format 2 KID seen at now_epoch: the E in
 * {now_epoch - 1, now_epoch, now_epoch + 1} whose low 11 bits the KID
 * carries. 1 and *out_epoch when there is one; 0 when the KID is stale
 * (or not format 2).
 */
int e2c_kid_epoch(uint64_t kid, uint32_t now_epoch, uint32_t *out_epoch);
void e2c_shared_key_clear(struct e2c_shared_key *key);
