/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The e2call key policy (e2call-e2ee(7)) on top of SFrame: KIDs, counters,
 * rotation, receive-first-send-later rekeys, the grace period, replay
 * handling and the bounded KID table; freshness (epochs of the wall clock,
 * injected here), unencrypted input, replay windows shared by a replay
 * domain across receivers, and the bounded work for unauthenticated KIDs.
 */
#include <glib.h>
#include <string.h>

#include "keysched.h"
#include "receiver.h"
#include "replay-registry.h"
#include "sender.h"
#include "sframe-internal.h"
#include "sframe.h"
#include "wallclock.h"

#define SEC (UINT64_C(1000000))
#define T0 (UINT64_C(1000) * SEC)

/* The wall clock every sender and receiver here reads (seconds since 1970):
 * mid-epoch 2950123 unless a test moves it. */
#define WALL0 (INT64_C(2950123) * E2C_EPOCH_SECONDS + 300)
static int64_t wall_now = WALL0;

static int64_t
test_wallclock(void)
{
    return wall_now;
}

static struct e2c_shared_key
key_from_byte(uint8_t b)
{
    struct e2c_shared_key k;
    memset(k.bytes, b, sizeof(k.bytes));
    return k;
}

struct sealed {
    uint8_t buf[256];
    size_t len;
    uint64_t kid, ctr;
    unsigned flags;
};

static const uint8_t md[3] = {0x10, 0x02, 0x00};
static const uint8_t pt[32] = "a frame of thirty-two bytes.....";

static int
seal(struct e2c_sender *s, uint64_t now, struct sealed *out)
{
    out->len = sizeof(out->buf);
    int err =
        e2c_sender_seal(s, now, md, sizeof(md), pt, sizeof(pt), out->buf, &out->len, &out->flags);
    if (err == SFRAME_OK) {
        size_t hl;
        g_assert_cmpint(sframe_header_decode(out->buf, out->len, &out->kid, &out->ctr, &hl), ==,
                        SFRAME_OK);
    }
    return err;
}

static int
open_frame(struct e2c_receiver *r, uint64_t now, const struct sealed *in)
{
    uint8_t out[256];
    size_t out_len = sizeof(out);
    uint64_t kid = 0;
    int err = e2c_receiver_open(r, now, md, sizeof(md), in->buf, in->len, out, &out_len, &kid);
    if (err == SFRAME_OK) {
        g_assert_cmpuint(out_len, ==, sizeof(pt));
        g_assert_cmpmem(out, out_len, pt, sizeof(pt));
        g_assert_cmpuint(kid, ==, in->kid);
    }
    return err;
}

static void
test_counters_and_kid(void)
{
    struct e2c_shared_key k = key_from_byte(1);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct sealed f;

    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_E_UNKNOWN_KID); /* no key: nothing leaves */
    g_assert_cmpint(e2c_sender_set_key(s, &k, 0), ==, SFRAME_OK);
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    g_assert_true(f.flags & E2C_SENDER_NEW_KID);
    g_assert_cmpuint(f.ctr, ==, 0);
    g_assert_cmpuint(f.kid, ==, e2c_sender_kid(s));
    uint64_t kid = f.kid;
    for (uint64_t i = 1; i < 100; i++) {
        /* What e2call load sets a receiver's counter against. */
        g_assert_cmpuint(e2c_sender_next_counter(s), ==, i);
        g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
        g_assert_cmpuint(f.ctr, ==, i);
        g_assert_cmpuint(f.kid, ==, kid);
        g_assert_cmpuint(f.flags, ==, 0);
    }
    g_assert_cmpuint(e2c_sender_frames(s), ==, 100);
    g_assert_cmpuint(e2c_sender_next_counter(s), ==, 100);
    e2c_sender_destroy(s);
}

/* Rotation happens before the soft frame limit and before the counter runs out. */
static void
test_rotation_before_limit(void)
{
    struct e2c_shared_key k = key_from_byte(2);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct sealed f;

    e2c_sender_set_key(s, &k, 0);
    e2c_receiver_add_key(r, &k, T0);
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    uint64_t first = f.kid;

    e2c_sender_set_counter_for_test(s, E2C_SENDER_SOFT_LIMIT_FRAMES - 1);
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    g_assert_cmpuint(f.kid, ==, first);
    g_assert_cmpuint(f.ctr, ==, E2C_SENDER_SOFT_LIMIT_FRAMES - 1);
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_OK);

    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    g_assert_true(f.flags & E2C_SENDER_NEW_KID);
    g_assert_cmpuint(f.kid, !=, first);
    g_assert_cmpuint(f.ctr, ==, 0);
    g_assert_cmpuint(e2c_sender_next_counter(s), ==, 1); /* counts under the new KID */
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_OK);

    /* A counter at 2^64-1 is never used. */
    e2c_sender_set_counter_for_test(s, UINT64_MAX);
    uint64_t before = f.kid;
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    g_assert_cmpuint(f.kid, !=, before);
    g_assert_cmpuint(f.ctr, ==, 0);

    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/*
 * Two senders with the same secret never produce the same (key, nonce) pair:
 * thousands of KIDs each (rotation forced), every frame's SFrame key and
 * nonce recomputed from its header and collected in one set.
 */
static void
test_no_key_nonce_reuse(void)
{
    struct e2c_shared_key k = key_from_byte(3);
    struct e2c_sender *senders[2] = {e2c_sender_create(SFRAME_DEFAULT_SUITE),
                                     e2c_sender_create(SFRAME_DEFAULT_SUITE)};
    const struct sframe_suite_info *info = sframe_suite_info(SFRAME_DEFAULT_SUITE);
    GHashTable *seen =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    const unsigned kids_per_sender = 2500, frames_per_kid = 4;
    unsigned pairs = 0;

    for (unsigned i = 0; i < 2; i++)
        e2c_sender_set_key(senders[i], &k, 0);
    for (unsigned n = 0; n < kids_per_sender; n++) {
        for (unsigned i = 0; i < 2; i++) {
            for (unsigned j = 0; j < frames_per_kid; j++) {
                struct sealed f;
                g_assert_cmpint(seal(senders[i], T0, &f), ==, SFRAME_OK);
                uint8_t base[E2C_BASE_KEY_LEN], skey[SFRAME_NK_MAX], salt[SFRAME_NONCE_LEN];
                g_assert_cmpint(e2c_base_key_derive(&k, f.kid, e2c_epoch_at(wall_now), base), ==,
                                SFRAME_OK);
                g_assert_cmpint(
                    sframe_kdf_derive(SFRAME_DEFAULT_SUITE, f.kid, base, sizeof(base), skey, salt),
                    ==, SFRAME_OK);
                uint8_t pair[sizeof(skey) + SFRAME_NONCE_LEN];
                memcpy(pair, skey, info->nk);
                for (unsigned b = 0; b < SFRAME_NONCE_LEN; b++) {
                    uint8_t c = b < 4 ? 0 : (uint8_t)(f.ctr >> (8 * (11 - b)));
                    pair[info->nk + b] = salt[b] ^ c;
                }
                GBytes *key = g_bytes_new(pair, info->nk + SFRAME_NONCE_LEN);
                g_assert_false(g_hash_table_contains(seen, key));
                g_hash_table_add(seen, key);
                pairs++;
            }
            /* The next frame starts a fresh KID. */
            e2c_sender_set_counter_for_test(senders[i], E2C_SENDER_SOFT_LIMIT_FRAMES);
        }
    }
    g_assert_cmpuint(g_hash_table_size(seen), ==, pairs);
    g_assert_cmpuint(pairs, ==, 2 * kids_per_sender * frames_per_kid);
    g_hash_table_destroy(seen);
    e2c_sender_destroy(senders[0]);
    e2c_sender_destroy(senders[1]);
}

/* Receive first, send later; the previous key keeps opening frames for the grace period. */
static void
test_rekey_grace(void)
{
    struct e2c_shared_key old = key_from_byte(4), new = key_from_byte(5);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct sealed f_old, f_new;

    e2c_sender_set_key(s, &old, 0);
    e2c_receiver_add_key(r, &old, T0);
    g_assert_cmpint(seal(s, T0, &f_old), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &f_old), ==, SFRAME_OK);

    /* Rekey at T0 + 1 s with a 2 s switch delay. */
    e2c_receiver_add_key(r, &new, T0 + 1 * SEC);
    e2c_sender_set_key(s, &new, T0 + 3 * SEC);
    g_assert_cmpuint(e2c_receiver_key_count(r, T0 + 1 * SEC), ==, 2);
    g_assert_cmpint(seal(s, T0 + 2 * SEC, &f_old), ==, SFRAME_OK);
    g_assert_false(f_old.flags & E2C_SENDER_SWITCHED);
    g_assert_cmpint(open_frame(r, T0 + 2 * SEC, &f_old), ==, SFRAME_OK);

    g_assert_cmpint(seal(s, T0 + 3 * SEC, &f_new), ==, SFRAME_OK);
    g_assert_true(f_new.flags & E2C_SENDER_SWITCHED);
    g_assert_true(f_new.flags & E2C_SENDER_NEW_KID);
    g_assert_cmpuint(f_new.kid, !=, f_old.kid);
    g_assert_cmpuint(f_new.ctr, ==, 0);
    g_assert_cmpint(open_frame(r, T0 + 3 * SEC, &f_new), ==, SFRAME_OK);

    /* A late frame under the old key: fine inside the grace period, not after it. */
    struct sealed late = f_old;
    struct e2c_sender *old_sender = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    e2c_sender_set_key(old_sender, &old, 0);
    g_assert_cmpint(seal(old_sender, T0 + 10 * SEC, &late), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0 + 10 * SEC, &late), ==, SFRAME_OK);
    g_assert_cmpint(seal(old_sender, T0 + 11 * SEC, &late), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0 + 11 * SEC, &late), ==, SFRAME_E_AUTH);
    g_assert_cmpuint(e2c_receiver_key_count(r, T0 + 11 * SEC), ==, 1);

    e2c_sender_destroy(old_sender);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/* Replays are dropped before authentication and never count as failures. */
static void
test_replay(void)
{
    struct e2c_shared_key k = key_from_byte(6);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct sealed frames[200];

    e2c_sender_set_key(s, &k, 0);
    e2c_receiver_add_key(r, &k, T0);
    for (unsigned i = 0; i < G_N_ELEMENTS(frames); i++)
        g_assert_cmpint(seal(s, T0, &frames[i]), ==, SFRAME_OK);
    /* Out of order inside the window is fine. */
    g_assert_cmpint(open_frame(r, T0, &frames[5]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &frames[3]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &frames[3]), ==, SFRAME_E_REPLAY);
    g_assert_cmpint(open_frame(r, T0, &frames[199]), ==, SFRAME_OK);
    /* 199 - 128 = 71: counter 71 is just below the window. */
    g_assert_cmpint(open_frame(r, T0, &frames[71]), ==, SFRAME_E_REPLAY);
    g_assert_cmpint(open_frame(r, T0, &frames[72]), ==, SFRAME_OK);
    /* A forged frame with a fresh counter fails and does not move the window. */
    struct sealed forged = frames[150];
    forged.buf[forged.len - 1] ^= 1;
    g_assert_cmpint(open_frame(r, T0, &forged), ==, SFRAME_E_AUTH);
    g_assert_cmpint(open_frame(r, T0, &frames[150]), ==, SFRAME_OK);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

static void
test_wrong_and_missing_key(void)
{
    struct e2c_shared_key a = key_from_byte(7), b = key_from_byte(8);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct sealed f;

    e2c_sender_set_key(s, &a, 0);
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_E_UNKNOWN_KID);
    e2c_receiver_add_key(r, &b, T0);
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_E_AUTH);
    /* Truncated below header (9 bytes here) + tag. */
    struct sealed shortf = f;
    shortf.len = 12;
    g_assert_cmpint(open_frame(r, T0, &shortf), ==, SFRAME_E_MALFORMED);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/* KIDs sprayed by the router cannot push a real sender's replay window out. */
static void
test_kid_spray(void)
{
    struct e2c_shared_key k = key_from_byte(9), other = key_from_byte(10);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct sealed good[2];

    e2c_sender_set_key(s, &k, 0);
    e2c_receiver_add_key(r, &k, T0);
    g_assert_cmpint(seal(s, T0, &good[0]), ==, SFRAME_OK);
    g_assert_cmpint(seal(s, T0, &good[1]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &good[0]), ==, SFRAME_OK);
    for (unsigned i = 0; i < 10 * E2C_RECEIVER_MAX_KIDS; i++) {
        struct e2c_sender *spray = e2c_sender_create(SFRAME_DEFAULT_SUITE);
        struct sealed f;
        e2c_sender_set_key(spray, &other, 0);
        g_assert_cmpint(seal(spray, T0, &f), ==, SFRAME_OK);
        /* One a second: the derivation budget keeps up, so each one is tried. */
        g_assert_cmpint(open_frame(r, T0 + i * SEC, &f), ==, SFRAME_E_AUTH);
        e2c_sender_destroy(spray);
    }
    uint64_t t = T0 + 10 * E2C_RECEIVER_MAX_KIDS * SEC;
    g_assert_cmpint(open_frame(r, t, &good[0]), ==, SFRAME_E_REPLAY);
    g_assert_cmpint(open_frame(r, t, &good[1]), ==, SFRAME_OK);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/*
 * Many rapid rekeys (one a second, as fast as e2call takes them, each with
 * a new KID): the newest key always works, the table stays bounded.
 */
static void
test_rapid_rekeys(void)
{
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    for (unsigned i = 0; i < 20; i++) {
        struct e2c_shared_key k = key_from_byte((uint8_t)(20 + i));
        struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
        struct sealed f;
        e2c_receiver_add_key(r, &k, T0 + i * SEC);
        e2c_sender_set_key(s, &k, 0);
        g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
        g_assert_cmpint(open_frame(r, T0 + i * SEC, &f), ==, SFRAME_OK);
        g_assert_cmpuint(e2c_receiver_key_count(r, T0 + i * SEC), <=, 4);
        e2c_sender_destroy(s);
    }
    e2c_receiver_destroy(r);
}

/* ---- freshness ------------------------------------------------------------ */

static uint32_t
kid_epoch_bits(uint64_t kid)
{
    return (uint32_t)(kid >> E2C_KID_EPOCH_SHIFT & E2C_KID_EPOCH_MASK);
}

/*
 * Across an epoch boundary the sender rotates to a KID of the new epoch
 * (not a rekey: no SWITCHED), and a receiver opens every frame on both
 * sides of it, also the old KID's late ones after the boundary: no loss.
 */
static void
test_epoch_rotation(void)
{
    struct e2c_shared_key k = key_from_byte(11);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    const int64_t boundary = (WALL0 / E2C_EPOCH_SECONDS + 1) * E2C_EPOCH_SECONDS;
    struct sealed before[3], after[3];

    e2c_sender_set_key(s, &k, 0);
    e2c_receiver_add_key(r, &k, T0);
    wall_now = boundary - 1;
    for (unsigned i = 0; i < 3; i++)
        g_assert_cmpint(seal(s, T0, &before[i]), ==, SFRAME_OK);
    g_assert_cmpuint(kid_epoch_bits(before[0].kid), ==, e2c_epoch_at(boundary - 1) % 2048);
    g_assert_cmpuint(e2c_sender_previous_kid(s, NULL), ==, 0);
    wall_now = boundary;
    for (unsigned i = 0; i < 3; i++)
        g_assert_cmpint(seal(s, T0, &after[i]), ==, SFRAME_OK);
    g_assert_cmpuint(after[0].flags, ==, E2C_SENDER_NEW_KID | E2C_SENDER_ROTATED);
    g_assert_cmpuint(after[1].flags, ==, 0);
    g_assert_cmpuint(after[0].kid, !=, before[0].kid);
    g_assert_cmpuint(after[0].ctr, ==, 0);
    g_assert_cmpuint(kid_epoch_bits(after[0].kid), ==, e2c_epoch_at(boundary) % 2048);
    uint64_t prev_next = 0;
    g_assert_cmpuint(e2c_sender_previous_kid(s, &prev_next), ==, before[0].kid);
    g_assert_cmpuint(prev_next, ==, 3);

    /* Received after the boundary, the old KID's frames interleaved with the new one's. */
    g_assert_cmpint(open_frame(r, T0, &before[0]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &after[0]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &before[1]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &after[1]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &before[2]), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &after[2]), ==, SFRAME_OK);

    /* A clock set back is a change of epoch too. */
    wall_now = boundary - 1;
    struct sealed back;
    g_assert_cmpint(seal(s, T0, &back), ==, SFRAME_OK);
    g_assert_true(back.flags & E2C_SENDER_ROTATED);
    g_assert_cmpuint(kid_epoch_bits(back.kid), ==, kid_epoch_bits(before[0].kid));

    wall_now = WALL0;
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/* Receivers whose clocks are one epoch off the sender's take its frames;
 * two off, the frames are stale, and cost no key derivation. */
static void
test_skew(void)
{
    struct e2c_shared_key k = key_from_byte(12);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct sealed f[5];

    e2c_sender_set_key(s, &k, 0);
    wall_now = WALL0;
    for (unsigned i = 0; i < G_N_ELEMENTS(f); i++)
        g_assert_cmpint(seal(s, T0, &f[i]), ==, SFRAME_OK);
    for (int d = -2; d <= 2; d++) {
        struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
        e2c_receiver_add_key(r, &k, T0);
        wall_now = WALL0 + d * E2C_EPOCH_SECONDS;
        int want = d == -2 || d == 2 ? E2C_E_STALE : SFRAME_OK;
        for (unsigned i = 0; i < G_N_ELEMENTS(f); i++)
            g_assert_cmpint(open_frame(r, T0, &f[i]), ==, want);
        g_assert_cmpuint(e2c_receiver_derivations(r), ==, want == SFRAME_OK ? 1 : 0);
        e2c_receiver_destroy(r);
    }
    /* A day later: stale, whatever the time within the epoch. */
    for (int64_t t = 0; t < E2C_EPOCH_SECONDS; t += 60) {
        struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
        e2c_receiver_add_key(r, &k, T0);
        wall_now = WALL0 + 86400 + t;
        g_assert_cmpint(open_frame(r, T0, &f[0]), ==, E2C_E_STALE);
        e2c_receiver_destroy(r);
    }
    wall_now = WALL0;
    e2c_sender_destroy(s);
}

/*
 * The 11 epoch bits wrap: a KID of the epoch with bits 2047 opens in the
 * next epoch (bits 0). Media recorded exactly 2048 epochs (14.2 days)
 * earlier carries the receiver's own bits, but its key was derived with
 * the full epoch: it fails authentication.
 */
static void
test_epoch_wrap(void)
{
    struct e2c_shared_key k = key_from_byte(13);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct sealed f;
    const int64_t e2047 = INT64_C(2949119); /* 2047 mod 2048 */

    e2c_sender_set_key(s, &k, 0);
    wall_now = e2047 * E2C_EPOCH_SECONDS + 599;
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    g_assert_cmpuint(kid_epoch_bits(f.kid), ==, 2047);

    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    e2c_receiver_add_key(r, &k, T0);
    wall_now = (e2047 + 1) * E2C_EPOCH_SECONDS;
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_OK);
    e2c_receiver_destroy(r);

    r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    e2c_receiver_add_key(r, &k, T0);
    wall_now = (e2047 + 2048) * E2C_EPOCH_SECONDS + 10;
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_E_AUTH);
    e2c_receiver_destroy(r);

    wall_now = WALL0;
    e2c_sender_destroy(s);
}

/* What is not a format 2 header is unencrypted, never an authentication failure. */
static void
test_unencrypted(void)
{
    struct e2c_shared_key k = key_from_byte(14);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct sealed f, g;

    e2c_sender_set_key(s, &k, 0);
    e2c_receiver_add_key(r, &k, T0);
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    /* KID bit 63 clear (a format 1 KID with that bit clear, or bytes of a plain frame) */
    g = f;
    g.buf[1] &= 0x7f;
    g_assert_cmpint(open_frame(r, T0, &g), ==, E2C_E_UNENCRYPTED);
    /* a KID of fewer than 8 bytes */
    g = f;
    g.buf[0] = (uint8_t)((g.buf[0] & 0x8f) | 0x60);
    g_assert_cmpint(open_frame(r, T0, &g), ==, E2C_E_UNENCRYPTED);
    /* KID bytes cut short */
    g = f;
    g.len = 8;
    g_assert_cmpint(open_frame(r, T0, &g), ==, E2C_E_UNENCRYPTED);
    /* plaintext */
    memcpy(g.buf, pt, sizeof(pt));
    g.len = sizeof(pt);
    g_assert_cmpint(open_frame(r, T0, &g), ==, E2C_E_UNENCRYPTED);
    g_assert_cmpuint(e2c_receiver_derivations(r), ==, 0);
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_OK);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/* ---- replay windows across receivers --------------------------------------- */

/*
 * A receiver opens frames and is destroyed (the router hung up the
 * subscription); a new one with the same replay domain rejects the same
 * frames as replays and takes the sender's next ones; one with another
 * domain, or with none, accepts them.
 */
static void
test_replay_domain(void)
{
    struct e2c_shared_key k = key_from_byte(15);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct sealed f[20];

    e2c_replay_registry_clear_for_test();
    e2c_sender_set_key(s, &k, 0);
    for (unsigned i = 0; i < G_N_ELEMENTS(f); i++)
        g_assert_cmpint(seal(s, T0, &f[i]), ==, SFRAME_OK);

    struct e2c_receiver *a = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    g_assert_cmpint(e2c_receiver_set_replay_domain(a, "participant 1"), ==, SFRAME_OK);
    e2c_receiver_add_key(a, &k, T0);
    for (unsigned i = 0; i < 10; i++)
        g_assert_cmpint(open_frame(a, T0, &f[i]), ==, SFRAME_OK);
    e2c_receiver_destroy(a);
    g_assert_cmpuint(e2c_replay_registry_count(), ==, 1);

    struct e2c_receiver *again = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    g_assert_cmpint(e2c_receiver_set_replay_domain(again, "participant 1"), ==, SFRAME_OK);
    e2c_receiver_add_key(again, &k, T0);
    for (unsigned i = 0; i < 10; i++)
        g_assert_cmpint(open_frame(again, T0, &f[i]), ==, SFRAME_E_REPLAY);
    g_assert_cmpuint(e2c_receiver_derivations(again), ==, 0);
    for (unsigned i = 10; i < 20; i++)
        g_assert_cmpint(open_frame(again, T0, &f[i]), ==, SFRAME_OK);

    struct e2c_receiver *other = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct e2c_receiver *alone = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    g_assert_cmpint(e2c_receiver_set_replay_domain(other, "participant 2"), ==, SFRAME_OK);
    g_assert_cmpint(e2c_receiver_set_replay_domain(alone, ""), ==, SFRAME_OK);
    e2c_receiver_add_key(other, &k, T0);
    e2c_receiver_add_key(alone, &k, T0);
    for (unsigned i = 0; i < 20; i++) {
        g_assert_cmpint(open_frame(other, T0, &f[i]), ==, SFRAME_OK);
        g_assert_cmpint(open_frame(alone, T0, &f[i]), ==, SFRAME_OK);
    }
    g_assert_cmpuint(e2c_replay_registry_count(), ==, 2);

    /* Two receivers of one domain at once (two subscriptions of one participant):
     * each frame opens in one of them only. */
    struct e2c_receiver *twin = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    g_assert_cmpint(e2c_receiver_set_replay_domain(twin, "participant 1"), ==, SFRAME_OK);
    e2c_receiver_add_key(twin, &k, T0);
    struct sealed next;
    g_assert_cmpint(seal(s, T0, &next), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(twin, T0, &next), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(again, T0, &next), ==, SFRAME_E_REPLAY);

    e2c_receiver_destroy(again);
    e2c_receiver_destroy(other);
    e2c_receiver_destroy(alone);
    e2c_receiver_destroy(twin);
    e2c_sender_destroy(s);
    e2c_replay_registry_clear_for_test();
}

/*
 * The registry is bounded: past E2C_REPLAY_REGISTRY_MAX windows the least
 * recently used goes, and a window in use stays.
 */
static void
test_replay_registry_bounded(void)
{
    struct e2c_replay_domain d, busy;
    g_assert_cmpint(e2c_replay_domain_init(&d, "many"), ==, SFRAME_OK);
    g_assert_cmpint(e2c_replay_domain_init(&busy, "busy"), ==, SFRAME_OK);
    g_assert_cmpint(e2c_replay_domain_init(&d, ""), ==, SFRAME_E_PARAM);
    e2c_replay_registry_clear_for_test();

    g_assert_cmpint(e2c_replay_registry_commit(&busy, 1, 7, 5), ==, SFRAME_OK);
    for (uint64_t kid = 0; kid < 2 * E2C_REPLAY_REGISTRY_MAX; kid++) {
        g_assert_cmpint(e2c_replay_registry_commit(&d, kid, 7, 0), ==, SFRAME_OK);
        if (kid % 1000 == 0) /* the busy window keeps being used */
            g_assert_cmpint(e2c_replay_registry_commit(&busy, 1, 7, 6 + kid), ==, SFRAME_OK);
    }
    g_assert_cmpuint(e2c_replay_registry_count(), ==, E2C_REPLAY_REGISTRY_MAX);
    /* the oldest windows went, the newest and the busy one stayed */
    g_assert_cmpint(e2c_replay_registry_check(&d, 0, 7, 0), ==, SFRAME_OK);
    g_assert_cmpint(e2c_replay_registry_check(&d, 2 * E2C_REPLAY_REGISTRY_MAX - 1, 7, 0), ==,
                    SFRAME_E_REPLAY);
    g_assert_cmpint(e2c_replay_registry_check(&busy, 1, 7, 5), ==, SFRAME_E_REPLAY);
    /* the same KID in another epoch is another window */
    g_assert_cmpint(e2c_replay_registry_check(&busy, 1, 8, 5), ==, SFRAME_OK);
    e2c_replay_registry_clear_for_test();
    g_assert_cmpuint(e2c_replay_registry_count(), ==, 0);
}

/* ---- bounded work for unauthenticated KIDs --------------------------------- */

/*
 * A router floods a receiver with frames under fresh random KIDs (format 2,
 * this epoch, sealed under a key nobody holds) at 10,000 a second: the
 * receiver derives keys for at most the burst plus the refill rate's worth,
 * refuses the rest as KID_LIMITED (never an authentication failure), and
 * a real sender's frames keep opening throughout.
 */
static void
test_kid_flood(void)
{
    struct e2c_shared_key k = key_from_byte(16), forged = key_from_byte(17);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct sealed f;
    const unsigned flood = 50000, per_s = 10000;
    unsigned limited = 0, failed = 0;

    e2c_sender_set_key(s, &k, 0);
    e2c_receiver_add_key(r, &k, T0);
    g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_OK);
    uint64_t before = e2c_receiver_derivations(r);

    struct e2c_sender *attacker = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    e2c_sender_set_key(attacker, &forged, 0);
    uint64_t now = T0;
    for (unsigned i = 0; i < flood; i++) {
        now = T0 + (uint64_t)i * SEC / per_s;
        e2c_sender_set_counter_for_test(attacker, E2C_SENDER_SOFT_LIMIT_FRAMES); /* a new KID */
        struct sealed x;
        g_assert_cmpint(seal(attacker, now, &x), ==, SFRAME_OK);
        int err = open_frame(r, now, &x);
        g_assert_true(err == E2C_E_KID_LIMITED || err == SFRAME_E_AUTH);
        limited += err == E2C_E_KID_LIMITED;
        failed += err == SFRAME_E_AUTH;
        if (i % 333 == 0) { /* the real sender, at 30 frames a second */
            g_assert_cmpint(seal(s, now, &f), ==, SFRAME_OK);
            g_assert_cmpint(open_frame(r, now, &f), ==, SFRAME_OK);
        }
    }
    uint64_t spent = e2c_receiver_derivations(r) - before;
    uint64_t bound = E2C_RECEIVER_KID_BURST + (now - T0) * E2C_RECEIVER_KID_PER_S / SEC;
    g_test_message("%u frames under new KIDs in %.1f s: %" G_GUINT64_FORMAT
                   " derivations (bound %" G_GUINT64_FORMAT "), %u limited",
                   flood, (double)(now - T0) / SEC, spent, bound, limited);
    g_assert_cmpuint(spent, <=, bound);
    g_assert_cmpuint(spent, ==, failed);
    g_assert_cmpuint(limited + failed, ==, flood);

    /* After the flood the budget comes back: a new KID of the real sender opens. */
    e2c_sender_set_counter_for_test(s, E2C_SENDER_SOFT_LIMIT_FRAMES);
    g_assert_cmpint(seal(s, now, &f), ==, SFRAME_OK);
    g_assert_cmpint(open_frame(r, now + SEC, &f), ==, SFRAME_OK);

    e2c_sender_destroy(attacker);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/*
 * Legitimate traffic stays inside the budget. First a sender rotating
 * every epoch for a day, seen by a receiver of its secret and by one of
 * another. Then the busiest pattern e2call makes, `e2call load
 * --rekey-every 1s` with two groups: each group rekeys every 2 s (the
 * other group 1 s later), receive first and send 2 s later, so receivers
 * hold 4 keys; a receiver of the sender's group and one of the other group
 * (every new KID fails under all of its keys) for two minutes: never
 * KID_LIMITED.
 */
static void
test_legit_within_kid_budget(void)
{
    struct e2c_receiver *mine = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct e2c_receiver *theirs = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_shared_key k = key_from_byte(40), other = key_from_byte(41);
    struct sealed f;

    e2c_sender_set_key(s, &k, 0);
    e2c_receiver_add_key(mine, &k, T0);
    e2c_receiver_add_key(theirs, &other, T0);
    /* A day of epochs, one frame every 10 s. */
    for (unsigned i = 0; i < 8640; i++) {
        wall_now = WALL0 + 10 * (int64_t)i;
        uint64_t now = T0 + i * 10 * SEC;
        g_assert_cmpint(seal(s, now, &f), ==, SFRAME_OK);
        g_assert_cmpint(open_frame(mine, now, &f), ==, SFRAME_OK);
        g_assert_cmpint(open_frame(theirs, now, &f), ==, SFRAME_E_AUTH);
    }
    /* Two minutes of rekeys, 30 frames a second. */
    uint64_t t = T0 + 86400 * SEC;
    unsigned rekeys = 0;
    for (unsigned tick = 0; tick < 30 * 120; tick++) {
        uint64_t now = t + tick * SEC / 30;
        g_assert_cmpint(seal(s, now, &f), ==, SFRAME_OK);
        g_assert_cmpint(open_frame(mine, now, &f), ==, SFRAME_OK);
        g_assert_cmpint(open_frame(theirs, now, &f), ==, SFRAME_E_AUTH);
        /* Every second one group rekeys, in turn (after the frame due then, so that
         * the sender's previous switch, due at the same time, has happened). */
        if (tick % 30 == 0) {
            unsigned n = tick / 30;
            struct e2c_shared_key next = key_from_byte((uint8_t)(60 + n));
            if (n % 2 == 0) { /* the sender's group */
                e2c_receiver_add_key(mine, &next, now);
                e2c_sender_set_key(s, &next, now + 2 * SEC);
                rekeys++;
            } else {
                e2c_receiver_add_key(theirs, &next, now);
            }
        }
    }
    g_assert_cmpuint(rekeys, ==, 60);
    g_assert_cmpuint(e2c_receiver_key_count(theirs, t + 120 * SEC), ==, 4);
    wall_now = WALL0;
    e2c_sender_destroy(s);
    e2c_receiver_destroy(mine);
    e2c_receiver_destroy(theirs);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    e2c_wallclock_set_for_test(test_wallclock);
    g_test_add_func("/e2ee/sender/counters-and-kid", test_counters_and_kid);
    g_test_add_func("/e2ee/sender/rotation-before-limit", test_rotation_before_limit);
    g_test_add_func("/e2ee/sender/no-key-nonce-reuse", test_no_key_nonce_reuse);
    g_test_add_func("/e2ee/receiver/rekey-grace", test_rekey_grace);
    g_test_add_func("/e2ee/receiver/replay", test_replay);
    g_test_add_func("/e2ee/receiver/wrong-and-missing-key", test_wrong_and_missing_key);
    g_test_add_func("/e2ee/receiver/kid-spray", test_kid_spray);
    g_test_add_func("/e2ee/receiver/rapid-rekeys", test_rapid_rekeys);
    g_test_add_func("/e2ee/freshness/epoch-rotation", test_epoch_rotation);
    g_test_add_func("/e2ee/freshness/skew", test_skew);
    g_test_add_func("/e2ee/freshness/epoch-wrap", test_epoch_wrap);
    g_test_add_func("/e2ee/receiver/unencrypted", test_unencrypted);
    g_test_add_func("/e2ee/replay/domain", test_replay_domain);
    g_test_add_func("/e2ee/replay/registry-bounded", test_replay_registry_bounded);
    g_test_add_func("/e2ee/kid-budget/flood", test_kid_flood);
    g_test_add_func("/e2ee/kid-budget/legit-traffic", test_legit_within_kid_budget);
    return g_test_run();
}
