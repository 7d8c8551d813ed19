/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One stream's receiving state (e2call-e2ee(7), RECEIVING).
 *
 * Shared keys: the current one plus the ones it replaced, each until its
 * grace period ends. A few rapid rekeys in a row are fine; past HELD_MAX the
 * oldest previous key goes first.
 *
 * KIDs: every fresh KID seen gets an entry with its replay window and, per
 * held shared key, the derived SFrame key (derived once, on first need, and
 * for KIDs that never authenticated only while the token bucket allows).
 * The table is bounded: a router spraying KIDs evicts first the entries that
 * never authenticated, so it cannot push a real sender's replay window out.
 */
#include "receiver.h"

#include <openssl/crypto.h>
#include <stdlib.h>

#include "keymem.h"
#include "replay-registry.h"
#include "sframe.h"
#include "wallclock.h"

/* Format 2's header starts with config byte 0xF_ (X = 1, K = 7: an 8-byte
 * KID) and a KID byte with bit 7 set (KID bit 63). */
#define FORMAT2_CONFIG_MASK 0xf0
#define FORMAT2_MIN_HEADER 9
/* Bucket arithmetic in microseconds of refill time. */
#define TOKEN_US (UINT64_C(1000000) / E2C_RECEIVER_KID_PER_S)
#define BUCKET_US (E2C_RECEIVER_KID_BURST * TOKEN_US)

#define HELD_MAX 4

struct held_key {
    struct e2c_shared_key key;
    uint64_t id;         /* never reused, so cached SFrame keys can name it */
    uint64_t expires_at; /* 0: the current key */
};

struct kid_entry {
    uint64_t kid;
    uint32_t epoch; /* the full epoch, reconstructed when the KID was seen */
    int in_use;
    int authenticated; /* some frame under this KID opened */
    uint64_t last_used;
    uint64_t last_key_id; /* held key that last opened a frame; tried first */
    struct sframe_replay replay;
    struct {
        uint64_t key_id;
        struct sframe_key *skey;
    } derived[HELD_MAX];
};

struct e2c_receiver {
    uint16_t suite;
    uint64_t grace_us;
    struct held_key held[HELD_MAX]; /* held[0..n_held): newest first */
    unsigned n_held;
    uint64_t next_key_id;
    uint64_t use_clock; /* LRU order for kid entries */
    struct kid_entry kids[E2C_RECEIVER_MAX_KIDS];
    int has_domain;
    struct e2c_replay_domain domain;
    uint64_t credit_us; /* the token bucket, as refill time: TOKEN_US per derivation */
    uint64_t credit_at; /* when credit_us was last brought up to date */
    uint64_t derivations;
};

struct e2c_receiver *
e2c_receiver_create(uint16_t suite, uint64_t grace_us)
{
    if (!sframe_suite_info(suite))
        return NULL;
    struct e2c_receiver *r = e2c_keymem_alloc(sizeof(*r)); /* holds shared keys */
    if (!r)
        return NULL;
    r->suite = suite;
    r->grace_us = grace_us;
    r->next_key_id = 1;
    r->credit_us = BUCKET_US;
    return r;
}

enum sframe_error
e2c_receiver_set_replay_domain(struct e2c_receiver *r, const char *domain)
{
    if (!r)
        return SFRAME_E_PARAM;
    if (!domain || !*domain) {
        r->has_domain = 0;
        return SFRAME_OK;
    }
    struct e2c_replay_domain d;
    int err = e2c_replay_domain_init(&d, domain);
    if (err != SFRAME_OK)
        return err;
    r->domain = d;
    r->has_domain = 1;
    return SFRAME_OK;
}

uint64_t
e2c_receiver_derivations(const struct e2c_receiver *r)
{
    return r ? r->derivations : 0;
}

static void
entry_forget_key(struct kid_entry *e, uint64_t key_id)
{
    for (unsigned i = 0; i < HELD_MAX; i++) {
        if (e->derived[i].skey && e->derived[i].key_id == key_id) {
            sframe_key_destroy(e->derived[i].skey);
            e->derived[i].skey = NULL;
            e->derived[i].key_id = 0;
        }
    }
}

static void
entry_clear(struct kid_entry *e)
{
    for (unsigned i = 0; i < HELD_MAX; i++)
        sframe_key_destroy(e->derived[i].skey);
    OPENSSL_cleanse(e, sizeof(*e));
}

void
e2c_receiver_destroy(struct e2c_receiver *r)
{
    if (!r)
        return;
    for (unsigned i = 0; i < E2C_RECEIVER_MAX_KIDS; i++)
        entry_clear(&r->kids[i]);
    OPENSSL_cleanse(r, sizeof(*r));
    e2c_keymem_free(r);
}

static void
drop_held(struct e2c_receiver *r, unsigned idx)
{
    uint64_t id = r->held[idx].id;
    for (unsigned i = 0; i < E2C_RECEIVER_MAX_KIDS; i++)
        if (r->kids[i].in_use)
            entry_forget_key(&r->kids[i], id);
    for (unsigned i = idx; i + 1 < r->n_held; i++)
        r->held[i] = r->held[i + 1];
    r->n_held--;
    OPENSSL_cleanse(&r->held[r->n_held], sizeof(r->held[0]));
}

static void
expire_keys(struct e2c_receiver *r, uint64_t now_us)
{
    for (unsigned i = r->n_held; i-- > 0;)
        if (r->held[i].expires_at && now_us >= r->held[i].expires_at)
            drop_held(r, i);
}

enum sframe_error
e2c_receiver_add_key(struct e2c_receiver *r, const struct e2c_shared_key *key, uint64_t now_us)
{
    if (!r || !key)
        return SFRAME_E_PARAM;
    expire_keys(r, now_us);
    if (r->n_held == HELD_MAX)
        drop_held(r, HELD_MAX - 1);
    if (r->n_held)
        r->held[0].expires_at = now_us + r->grace_us;
    for (unsigned i = r->n_held; i > 0; i--)
        r->held[i] = r->held[i - 1];
    r->held[0].key = *key;
    r->held[0].id = r->next_key_id++;
    r->held[0].expires_at = 0;
    r->n_held++;
    return SFRAME_OK;
}

void
e2c_receiver_set_grace(struct e2c_receiver *r, uint64_t grace_us)
{
    if (r)
        r->grace_us = grace_us;
}

unsigned
e2c_receiver_key_count(struct e2c_receiver *r, uint64_t now_us)
{
    expire_keys(r, now_us);
    return r->n_held;
}

static struct kid_entry *
find_entry(struct e2c_receiver *r, uint64_t kid, uint32_t epoch)
{
    struct kid_entry *victim = NULL;
    for (unsigned i = 0; i < E2C_RECEIVER_MAX_KIDS; i++)
        if (r->kids[i].in_use && r->kids[i].kid == kid && r->kids[i].epoch == epoch)
            return &r->kids[i];
    /* A free slot first, then the least recently used never-authenticated entry, then LRU. */
    for (unsigned i = 0; i < E2C_RECEIVER_MAX_KIDS; i++) {
        struct kid_entry *e = &r->kids[i];
        if (!e->in_use) {
            victim = e;
            break;
        }
        if (!victim || (victim->authenticated && !e->authenticated) ||
            (victim->authenticated == e->authenticated && e->last_used < victim->last_used))
            victim = e;
    }
    entry_clear(victim);
    victim->in_use = 1;
    victim->kid = kid;
    victim->epoch = epoch;
    sframe_replay_init(&victim->replay);
    return victim;
}

/* One derivation for a KID that has not authenticated, if the bucket has one. */
static int
take_token(struct e2c_receiver *r, uint64_t now_us)
{
    if (now_us > r->credit_at) {
        uint64_t gained = now_us - r->credit_at;
        r->credit_us = gained >= BUCKET_US - r->credit_us ? BUCKET_US : r->credit_us + gained;
        r->credit_at = now_us;
    }
    if (r->credit_us < TOKEN_US)
        return 0;
    r->credit_us -= TOKEN_US;
    return 1;
}

static int
derived_key(struct e2c_receiver *r, struct kid_entry *e, const struct held_key *h, uint64_t now_us,
            struct sframe_key **out)
{
    unsigned free_slot = HELD_MAX;
    for (unsigned i = 0; i < HELD_MAX; i++) {
        if (e->derived[i].skey && e->derived[i].key_id == h->id) {
            *out = e->derived[i].skey;
            return SFRAME_OK;
        }
        if (!e->derived[i].skey && free_slot == HELD_MAX)
            free_slot = i;
    }
    if (free_slot == HELD_MAX)
        return SFRAME_E_CRYPTO; /* cannot happen: one slot per held key */
    if (!e->authenticated && !take_token(r, now_us))
        return E2C_E_KID_LIMITED;

    r->derivations++;
    uint8_t base[E2C_BASE_KEY_LEN];
    int err = e2c_base_key_derive(&h->key, e->kid, e->epoch, base);
    if (err == SFRAME_OK)
        err = sframe_key_create(r->suite, e->kid, SFRAME_KEY_DECRYPT, base, sizeof(base),
                                &e->derived[free_slot].skey);
    OPENSSL_cleanse(base, sizeof(base));
    if (err != SFRAME_OK)
        return err;
    e->derived[free_slot].key_id = h->id;
    *out = e->derived[free_slot].skey;
    return SFRAME_OK;
}

enum e2c_status
e2c_receiver_open(struct e2c_receiver *r, uint64_t now_us, const uint8_t *metadata,
                  size_t metadata_len, const uint8_t *in, size_t in_len, uint8_t *out,
                  size_t *out_len, uint64_t *out_kid)
{
    uint64_t kid, ctr;
    size_t hdr_len;

    if (!r || !out_len || (in_len && !in) || (metadata_len && !metadata))
        return E2C_E_PARAM;
    /* Not format 2's header: nothing e2call encrypted (a plain peer, or a frame not SFrame). */
    if (in_len < FORMAT2_MIN_HEADER || (in[0] & FORMAT2_CONFIG_MASK) != FORMAT2_CONFIG_MASK ||
        !(in[1] & 0x80))
        return E2C_E_UNENCRYPTED;
    int err = sframe_header_decode(in, in_len, &kid, &ctr, &hdr_len);
    if (err != SFRAME_OK)
        return err;
    if (out_kid)
        *out_kid = kid;
    /* Recorded media: a KID of an epoch more than one from ours (e2call-e2ee(7), SECURITY). */
    uint32_t epoch;
    if (!e2c_kid_epoch(kid, e2c_epoch_at(e2c_wallclock_s()), &epoch))
        return E2C_E_STALE;

    expire_keys(r, now_us);
    if (r->n_held == 0)
        return E2C_E_UNKNOWN_KID;

    struct kid_entry *e = find_entry(r, kid, epoch);
    e->last_used = ++r->use_clock;
    /* Checked before authentication so replays cost nothing and never count as failures. */
    if (sframe_replay_check(&e->replay, ctr) != SFRAME_OK ||
        (r->has_domain && e2c_replay_registry_check(&r->domain, kid, epoch, ctr) != SFRAME_OK))
        return E2C_E_REPLAY;

    /* The key that opened this KID last time first, then newest to oldest. */
    unsigned order[HELD_MAX], n = 0;
    for (unsigned i = 0; i < r->n_held; i++)
        if (r->held[i].id == e->last_key_id)
            order[n++] = i;
    for (unsigned i = 0; i < r->n_held; i++)
        if (r->held[i].id != e->last_key_id)
            order[n++] = i;

    for (unsigned i = 0; i < n; i++) {
        const struct held_key *h = &r->held[order[i]];
        struct sframe_key *skey;
        err = derived_key(r, e, h, now_us, &skey);
        if (err != SFRAME_OK)
            return err;
        size_t opened_len = *out_len;
        err = sframe_open(skey, ctr, metadata, metadata_len, in, hdr_len, in_len, out, &opened_len);
        if (err == SFRAME_OK && r->has_domain) {
            /* Another receiver of the domain may have taken this counter since the check. */
            err = e2c_replay_registry_commit(&r->domain, kid, epoch, ctr);
            if (err != SFRAME_OK) {
                OPENSSL_cleanse(out, opened_len);
                return err;
            }
        }
        if (err == SFRAME_OK) {
            *out_len = opened_len;
            sframe_replay_update(&e->replay, ctr);
            e->authenticated = 1;
            e->last_key_id = h->id;
            return E2C_OK;
        }
        if (err != SFRAME_E_AUTH)
            return err;
    }
    return E2C_E_AUTH;
}

const char *
e2c_status_str(enum e2c_status status)
{
    switch (status) {
    case E2C_OK:
    case E2C_E_PARAM:
    case E2C_E_SHORT_BUFFER:
    case E2C_E_MALFORMED:
    case E2C_E_UNKNOWN_KID:
    case E2C_E_AUTH:
    case E2C_E_REPLAY:
    case E2C_E_EXHAUSTED:
    case E2C_E_CRYPTO:
    case E2C_E_NOMEM:
        return sframe_strerror((enum sframe_error)status);
    case E2C_E_UNENCRYPTED:
        return "not encrypted by e2call";
    case E2C_E_STALE:
        return "key id of another epoch";
    case E2C_E_KID_LIMITED:
        return "key id derivations rate-limited";
    }
    return "unknown error";
}
