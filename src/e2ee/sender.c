/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One track's sending state: KID, counter, rotation, delayed key switch.
 * e2call-e2ee(7): "a frame is never sent under a (key, counter) pair used
 * before" — the counter is consumed before sealing, so even a failed seal
 * never lets a counter value be used twice.
 */
#include "sender.h"

#include <openssl/crypto.h>
#include <stdlib.h>

#include "keymem.h"
#include "sframe.h"
#include "wallclock.h"

struct e2c_sender {
    uint16_t suite;
    struct e2c_shared_key key; /* the shared key frames are sealed under */
    int has_key;
    struct e2c_shared_key pending; /* set by a rekey, active from pending_at */
    int has_pending;
    uint64_t pending_at;

    struct sframe_key *skey; /* derived for kid; NULL until the first frame */
    uint64_t kid;
    uint32_t kid_epoch; /* the epoch kid was drawn in */
    uint64_t next_ctr;
    /* The KID before kid, and where its counter ended. */
    uint64_t prev_kid, prev_next_ctr;
    uint64_t blocks; /* 16-byte AES blocks sealed under kid */
    uint64_t frames; /* all KIDs */
    int rotate;      /* draw a fresh KID before the next frame */
};

struct e2c_sender *
e2c_sender_create(uint16_t suite)
{
    if (!sframe_suite_info(suite))
        return NULL;
    struct e2c_sender *s = e2c_keymem_alloc(sizeof(*s)); /* holds shared keys */
    if (!s)
        return NULL;
    s->suite = suite;
    s->rotate = 1;
    return s;
}

void
e2c_sender_destroy(struct e2c_sender *s)
{
    if (!s)
        return;
    sframe_key_destroy(s->skey);
    OPENSSL_cleanse(s, sizeof(*s));
    e2c_keymem_free(s);
}

int
e2c_sender_set_key(struct e2c_sender *s, const struct e2c_shared_key *key, uint64_t activate_at_us)
{
    if (!s || !key)
        return SFRAME_E_PARAM;
    if (!s->has_key) {
        /* Nothing was ever sent: there is no old secret to keep sending under. */
        s->key = *key;
        s->has_key = 1;
        s->rotate = 1;
        return SFRAME_OK;
    }
    /* A newer rekey replaces one that has not become active yet. */
    s->pending = *key;
    s->pending_at = activate_at_us;
    s->has_pending = 1;
    return SFRAME_OK;
}

int
e2c_sender_has_key(const struct e2c_sender *s)
{
    return s && s->has_key;
}

uint64_t
e2c_sender_kid(const struct e2c_sender *s)
{
    return s && s->skey ? s->kid : 0;
}

uint64_t
e2c_sender_frames(const struct e2c_sender *s)
{
    return s ? s->frames : 0;
}

uint16_t
e2c_sender_suite(const struct e2c_sender *s)
{
    return s ? s->suite : 0;
}

size_t
e2c_sender_seal_bound(const struct e2c_sender *s, size_t pt_len)
{
    return sframe_seal_bound(s->suite, pt_len);
}

uint64_t
e2c_sender_next_counter(const struct e2c_sender *s)
{
    return s->next_ctr;
}

uint64_t
e2c_sender_previous_kid(const struct e2c_sender *s, uint64_t *out_next_counter)
{
    if (out_next_counter)
        *out_next_counter = s ? s->prev_next_ctr : 0;
    return s ? s->prev_kid : 0;
}

void
e2c_sender_set_counter_for_test(struct e2c_sender *s, uint64_t ctr)
{
    s->next_ctr = ctr;
}

/* A fresh KID for this epoch, its base key and its SFrame key (keysched.h). */
static int
rotate_kid(struct e2c_sender *s, uint32_t epoch)
{
    uint8_t base[E2C_BASE_KEY_LEN];
    uint64_t kid;
    struct sframe_key *skey = NULL;
    int err;

    do {
        err = e2c_kid_random(epoch, &kid);
        if (err != SFRAME_OK)
            return err;
    } while (s->skey && kid == s->kid);

    err = e2c_base_key_derive(&s->key, kid, epoch, base);
    if (err == SFRAME_OK)
        err = sframe_key_create(s->suite, kid, SFRAME_KEY_ENCRYPT, base, sizeof(base), &skey);
    OPENSSL_cleanse(base, sizeof(base));
    if (err != SFRAME_OK)
        return err;

    if (s->skey) {
        s->prev_kid = s->kid;
        s->prev_next_ctr = s->next_ctr;
    }
    sframe_key_destroy(s->skey);
    s->skey = skey;
    s->kid = kid;
    s->kid_epoch = epoch;
    s->next_ctr = 0;
    s->blocks = 0;
    s->rotate = 0;
    return SFRAME_OK;
}

/* Rotate before the counter or the per-key usage limit (e2call-e2ee(7)) runs out. */
static int
limit_reached(const struct e2c_sender *s, size_t pt_len)
{
    uint64_t blocks = ((uint64_t)pt_len + 15) / 16;
    return s->next_ctr >= E2C_SENDER_SOFT_LIMIT_FRAMES || s->next_ctr == UINT64_MAX ||
           s->blocks + blocks > E2C_SENDER_SOFT_LIMIT_BLOCKS;
}

int
e2c_sender_seal(struct e2c_sender *s, uint64_t now_us, const uint8_t *metadata,
                size_t metadata_len, const uint8_t *pt, size_t pt_len, uint8_t *out,
                size_t *out_len, unsigned *out_flags)
{
    unsigned flags = 0;
    int err;

    if (!s || !out_len || (pt_len && !pt) || (metadata_len && !metadata))
        return SFRAME_E_PARAM;
    if (s->has_pending && now_us >= s->pending_at) {
        s->key = s->pending;
        OPENSSL_cleanse(&s->pending, sizeof(s->pending));
        s->has_pending = 0;
        s->rotate = 1;
        flags |= E2C_SENDER_SWITCHED;
    }
    if (!s->has_key)
        return SFRAME_E_UNKNOWN_KID;
    /*
     * A KID is good for the epoch it was drawn in: receivers reject it
     * once their clock is two epochs on (e2call-e2ee(7), SECURITY). Any
     * change counts, also a clock set back.
     */
    uint32_t epoch = e2c_epoch_at(e2c_wallclock_s());
    int fresh_kid = s->rotate || !s->skey;
    if (fresh_kid || limit_reached(s, pt_len) || epoch != s->kid_epoch) {
        err = rotate_kid(s, epoch);
        if (err != SFRAME_OK)
            return err;
        flags |= E2C_SENDER_NEW_KID;
        if (!fresh_kid)
            flags |= E2C_SENDER_ROTATED;
    }

    uint64_t ctr = s->next_ctr++;
    err = sframe_seal(s->skey, ctr, metadata, metadata_len, pt, pt_len, out, out_len);
    if (err != SFRAME_OK)
        return err;
    s->blocks += ((uint64_t)pt_len + 15) / 16;
    s->frames++;
    if (out_flags)
        *out_flags = flags;
    return SFRAME_OK;
}
