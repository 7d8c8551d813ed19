/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Process-wide anti-replay windows (e2call-e2ee(7), RECEIVING), so that a
 * stream received again by the same participant (a new subscription, after
 * the router hung one up or after a reconnect) continues where the old
 * receiver stopped instead of accepting the old frames once more.
 *
 * One window of SFRAME_REPLAY_WINDOW counters per (replay domain, KID,
 * epoch). A domain names one receiving participant: receivers with the same
 * domain share windows, receivers with different domains never do (in
 * `e2call load` many participants of one process each accept the same
 * sender's frames once).
 *
 * Only frames that authenticated enter (commit), so a router without the
 * key cannot fill the table. The table is bounded (E2C_REPLAY_REGISTRY_MAX
 * windows, least recently used evicted first: windows of past epochs, which
 * the epoch check already rejects, go before any live one) and wiped on
 * eviction. Thread-safe: e2csframedec elements run on different streaming
 * threads.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sframe.h"

#define E2C_REPLAY_REGISTRY_MAX 65536
#define E2C_REPLAY_DOMAIN_ID_LEN 16

/* A domain as the registry knows it: a digest of its name (SHA-256, 16 bytes). */
struct e2c_replay_domain {
    uint8_t id[E2C_REPLAY_DOMAIN_ID_LEN];
};

/* SFRAME_OK, SFRAME_E_PARAM for an empty name, SFRAME_E_CRYPTO. */
enum sframe_error e2c_replay_domain_init(struct e2c_replay_domain *d, const char *name);

/* Before authentication: SFRAME_OK when ctr is new for (d, kid, epoch), else SFRAME_E_REPLAY. */
enum sframe_error e2c_replay_registry_check(const struct e2c_replay_domain *d, uint64_t kid,
                                            uint32_t epoch, uint64_t ctr);
/*
 * After the frame authenticated: records ctr. SFRAME_E_REPLAY when another
 * receiver of the domain recorded it first (the frame must then be
 * dropped), SFRAME_E_NOMEM when the table cannot be allocated at all.
 */
enum sframe_error e2c_replay_registry_commit(const struct e2c_replay_domain *d, uint64_t kid,
                                             uint32_t epoch, uint64_t ctr);

/* Windows held now. */
size_t e2c_replay_registry_count(void);
/* Tests only: forget (and wipe) every window. */
void e2c_replay_registry_clear_for_test(void);
