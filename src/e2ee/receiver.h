/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receiving side of one stream: which shared keys it holds, the per-KID
 * key cache and the per-KID replay window (e2call-e2ee(7), RECEIVING).
 *
 * - e2c_receiver_add_key() makes a key current at once; the key it replaces
 *   keeps opening frames for the grace period (10 s in e2call), then is wiped.
 * - Before any key is touched, in this order (e2call-e2ee(7), RECEIVING):
 *   the header must have format 2's form (an 8-byte KID with bit 63 set),
 *   else the frame is E2C_E_UNENCRYPTED; the KID's epoch must be within one
 *   of the receiver's wall-clock epoch, else E2C_E_STALE; the counter must
 *   be new in the KID's replay window, else SFRAME_E_REPLAY. None of these
 *   is an authentication failure, and none costs a key derivation.
 * - A KID's keys are derived on first sight (one HKDF per held key) and
 *   cached in a bounded table, so a sender spraying KIDs cannot grow memory.
 *   Derivations for KIDs that never authenticated draw on a token bucket
 *   (E2C_RECEIVER_KID_BURST, refilled at E2C_RECEIVER_KID_PER_S): a router
 *   spraying KIDs gets E2C_E_KID_LIMITED for the rest, so the CPU it can
 *   make a receiver spend is bounded. A KID that authenticated derives
 *   freely (a rekey adds a held key to derive under).
 * - The replay window is checked before authentication and moved only after
 *   a frame authenticated (SFRAME_E_REPLAY is never an authentication
 *   failure). With a replay domain the windows also live in the
 *   process-wide registry (replay-registry.h), where a later receiver of the
 *   same domain finds them.
 * Not thread-safe; time as in sender.h, the epoch from e2c_wallclock_s().
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "keysched.h"
#include "sframe.h"

#define E2C_RECEIVER_GRACE_US (UINT64_C(10) * 1000000)
#define E2C_RECEIVER_MAX_KIDS 32
/*
 * Key derivations for not yet authenticated KIDs: a burst of 16, then 4 a
 * second. A stream needs one per new KID of its sender (its first, one per
 * ten-minute rotation, one per rekey) times the held keys that fail before
 * the right one (at most 4); a stream of another secret needs every held
 * key per new KID, and one more per rekey of its own. The busiest case
 * found, `e2call load --rekey-every 1s` with two groups (each group rekeys
 * every 2 s, so 4 keys are held), needs 2.5 a second on a stream of the
 * other group. One derivation costs about 20 us (suite 6), so a flood of
 * KIDs costs a receiver at most about 80 us of CPU a second, where without
 * the bound every flood frame cost one (16 us a frame).
 */
#define E2C_RECEIVER_KID_BURST 16
#define E2C_RECEIVER_KID_PER_S 4

/*
 * What e2c_receiver_open() and e2c_frame_open() return: sframe's statuses
 * under the same values (enum sframe_error) and three of e2ee's own, none
 * of which is an authentication failure.
 */
enum e2c_status {
    E2C_OK = SFRAME_OK,
    E2C_E_PARAM = SFRAME_E_PARAM,
    E2C_E_SHORT_BUFFER = SFRAME_E_SHORT_BUFFER,
    E2C_E_MALFORMED = SFRAME_E_MALFORMED,
    E2C_E_UNKNOWN_KID = SFRAME_E_UNKNOWN_KID,
    E2C_E_AUTH = SFRAME_E_AUTH,
    E2C_E_REPLAY = SFRAME_E_REPLAY,
    E2C_E_EXHAUSTED = SFRAME_E_EXHAUSTED,
    E2C_E_CRYPTO = SFRAME_E_CRYPTO,
    E2C_E_NOMEM = SFRAME_E_NOMEM,
    E2C_E_UNENCRYPTED = -100, /* no format 2 SFrame header: media e2call did not encrypt */
    E2C_E_STALE = -101,       /* the KID's epoch is not within one of the receiver's */
    E2C_E_KID_LIMITED = -102, /* a KID not yet authenticated, and no derivation left */
};

/* The same status (the values are sframe's). */
static inline enum e2c_status
e2c_status_from_sframe(enum sframe_error err)
{
    return (enum e2c_status)err;
}
/* A short, static, lower-case description. */
const char *e2c_status_str(enum e2c_status status);

struct e2c_receiver;

struct e2c_receiver *e2c_receiver_create(uint16_t suite, uint64_t grace_us);
void e2c_receiver_destroy(struct e2c_receiver *r); /* NULL-safe; wipes */

enum sframe_error e2c_receiver_add_key(struct e2c_receiver *r, const struct e2c_shared_key *key,
                                       uint64_t now_us);
/* The grace period of keys replaced from now on (those already replaced keep theirs). */
void e2c_receiver_set_grace(struct e2c_receiver *r, uint64_t grace_us);
/* Number of shared keys held at now_us (expired ones are dropped). */
unsigned e2c_receiver_key_count(struct e2c_receiver *r, uint64_t now_us);
/*
 * Receivers with the same non-empty domain share their replay windows
 * through the process-wide registry; NULL or "" (the default): the windows
 * are this receiver's own. Set it before frames flow. SFRAME_OK, or
 * SFRAME_E_CRYPTO when the domain cannot be hashed (nothing changes then).
 */
enum sframe_error e2c_receiver_set_replay_domain(struct e2c_receiver *r, const char *domain);
/* Key derivations done so far (base key and SFrame key for one KID under one held key). */
uint64_t e2c_receiver_derivations(const struct e2c_receiver *r);

/*
 * Opens in = header || ciphertext || tag (metadata as for sframe_open()).
 * Results: E2C_OK; E2C_E_UNENCRYPTED; E2C_E_STALE; E2C_E_AUTH (no key held
 * authenticates it); E2C_E_REPLAY; E2C_E_KID_LIMITED; E2C_E_MALFORMED
 * (header or length); E2C_E_UNKNOWN_KID (no shared key held at all);
 * E2C_E_SHORT_BUFFER; E2C_E_CRYPTO; E2C_E_NOMEM.
 * *out_kid is set whenever a format 2 header parsed, also on failure.
 */
enum e2c_status e2c_receiver_open(struct e2c_receiver *r, uint64_t now_us, const uint8_t *metadata,
                                  size_t metadata_len, const uint8_t *in, size_t in_len,
                                  uint8_t *out, size_t *out_len, uint64_t *out_kid);
