/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The e2call key policy (SPEC.md §4) on top of SFrame: KIDs, counters,
 * rotation, receive-first-send-later rekeys, the grace period, replay
 * handling and the bounded KID table.
 */
#include <glib.h>
#include <string.h>

#include "keysched.h"
#include "receiver.h"
#include "sender.h"
#include "sframe-internal.h"
#include "sframe.h"

#define SEC (UINT64_C(1000000))
#define T0 (UINT64_C(1000) * SEC)

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
    int err = e2c_sender_seal(s, now, md, sizeof(md), pt, sizeof(pt), out->buf, &out->len,
                              &out->flags);
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
    GHashTable *seen = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                             (GDestroyNotify)g_bytes_unref, NULL);
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
                g_assert_cmpint(e2c_base_key_derive(&k, f.kid, base), ==, SFRAME_OK);
                g_assert_cmpint(sframe_kdf_derive(SFRAME_DEFAULT_SUITE, f.kid, base,
                                                       sizeof(base), skey, salt),
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
    /* Truncated below header + tag. */
    struct sealed shortf = f;
    shortf.len = 8;
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
        g_assert_cmpint(open_frame(r, T0, &f), ==, SFRAME_E_AUTH);
        e2c_sender_destroy(spray);
    }
    g_assert_cmpint(open_frame(r, T0, &good[0]), ==, SFRAME_E_REPLAY);
    g_assert_cmpint(open_frame(r, T0, &good[1]), ==, SFRAME_OK);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

/* Many rapid rekeys: the newest key always works, the table stays bounded. */
static void
test_rapid_rekeys(void)
{
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10 * SEC);
    for (unsigned i = 0; i < 20; i++) {
        struct e2c_shared_key k = key_from_byte((uint8_t)(20 + i));
        struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
        struct sealed f;
        e2c_receiver_add_key(r, &k, T0 + i * 100000);
        e2c_sender_set_key(s, &k, 0);
        g_assert_cmpint(seal(s, T0, &f), ==, SFRAME_OK);
        g_assert_cmpint(open_frame(r, T0 + i * 100000, &f), ==, SFRAME_OK);
        g_assert_cmpuint(e2c_receiver_key_count(r, T0 + i * 100000), <=, 4);
        e2c_sender_destroy(s);
    }
    e2c_receiver_destroy(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e2ee/sender/counters-and-kid", test_counters_and_kid);
    g_test_add_func("/e2ee/sender/rotation-before-limit", test_rotation_before_limit);
    g_test_add_func("/e2ee/sender/no-key-nonce-reuse", test_no_key_nonce_reuse);
    g_test_add_func("/e2ee/receiver/rekey-grace", test_rekey_grace);
    g_test_add_func("/e2ee/receiver/replay", test_replay);
    g_test_add_func("/e2ee/receiver/wrong-and-missing-key", test_wrong_and_missing_key);
    g_test_add_func("/e2ee/receiver/kid-spray", test_kid_spray);
    g_test_add_func("/e2ee/receiver/rapid-rekeys", test_rapid_rekeys);
    return g_test_run();
}
