/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mismatch accounting (e2call-e2ee(7), RECEIVING): mismatch after 10 consecutive
 * authentication failures, match on the first good frame after it; damaged,
 * replayed and malformed frames neither count nor reset the run; every
 * transition reported exactly once. Unencrypted and stale frames have runs
 * of their own, and the mismatch names the run that got there.
 */
#include <glib.h>

#include "health.h"

#define OK E2C_HEALTH_IN_OK
#define FAIL E2C_HEALTH_IN_AUTH_FAILED
#define DAMAGED E2C_HEALTH_IN_DAMAGED_AUTH_FAILED
#define IGNORED E2C_HEALTH_IN_IGNORED
#define NO_KEY E2C_HEALTH_IN_NO_KEY
#define PLAIN E2C_HEALTH_IN_UNENCRYPTED
#define STALE E2C_HEALTH_IN_STALE

/* Feeds n inputs and asserts that none of them reports anything. */
static void
feed_quiet(struct e2c_health *h, enum e2c_health_input in, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        enum e2c_health_event ev = e2c_health_feed(h, in);
        if (ev != E2C_HEALTH_EV_NONE)
            g_error("input %d #%u reported event %d", in, i + 1, ev);
    }
}

static void
expect(struct e2c_health *h, enum e2c_health_input in, enum e2c_health_event ev,
       enum e2c_health_state state)
{
    g_assert_cmpint(e2c_health_feed(h, in), ==, ev);
    g_assert_cmpint(h->state, ==, state);
}

static void
test_first_ok(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_WAITING);
    g_assert_cmpuint(h.run, ==, 0);
    feed_quiet(&h, DAMAGED, 50);
    feed_quiet(&h, IGNORED, 50);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_WAITING);
    expect(&h, OK, E2C_HEALTH_EV_FIRST_OK, E2C_HEALTH_DECRYPTING);
    feed_quiet(&h, OK, 100);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_DECRYPTING);
}

static void
test_tenth_failure(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    expect(&h, OK, E2C_HEALTH_EV_FIRST_OK, E2C_HEALTH_DECRYPTING);
    feed_quiet(&h, FAIL, E2C_HEALTH_MISMATCH_RUN - 1);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_DECRYPTING);
    expect(&h, FAIL, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
    feed_quiet(&h, FAIL, 1000); /* once */
    feed_quiet(&h, DAMAGED, 10);
    expect(&h, OK, E2C_HEALTH_EV_MATCH, E2C_HEALTH_DECRYPTING);
    feed_quiet(&h, OK, 10); /* once */
    g_assert_cmpuint(h.run, ==, 0);

    /* a later mismatch is a new transition, reported again */
    feed_quiet(&h, FAIL, E2C_HEALTH_MISMATCH_RUN - 1);
    expect(&h, FAIL, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
    expect(&h, OK, E2C_HEALTH_EV_MATCH, E2C_HEALTH_DECRYPTING);
}

static void
test_mismatch_from_waiting(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    feed_quiet(&h, FAIL, E2C_HEALTH_MISMATCH_RUN - 1);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_WAITING);
    expect(&h, FAIL, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
    /* never decrypted before: the first good frame is still a match */
    expect(&h, OK, E2C_HEALTH_EV_MATCH, E2C_HEALTH_DECRYPTING);
}

static void
test_ok_resets(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    feed_quiet(&h, FAIL, 9);
    expect(&h, OK, E2C_HEALTH_EV_FIRST_OK, E2C_HEALTH_DECRYPTING);
    feed_quiet(&h, FAIL, 9);
    feed_quiet(&h, OK, 1);
    feed_quiet(&h, FAIL, 9);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_DECRYPTING);
    g_assert_cmpuint(h.run, ==, 9);
}

static void
test_damaged_and_ignored_do_not_count(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    expect(&h, OK, E2C_HEALTH_EV_FIRST_OK, E2C_HEALTH_DECRYPTING);

    /* they do not count ... */
    feed_quiet(&h, DAMAGED, 1000);
    feed_quiet(&h, IGNORED, 1000);
    g_assert_cmpuint(h.run, ==, 0);

    /* ... and do not reset */
    feed_quiet(&h, FAIL, 5);
    feed_quiet(&h, DAMAGED, 100);
    feed_quiet(&h, FAIL, 2);
    feed_quiet(&h, IGNORED, 100);
    feed_quiet(&h, FAIL, 2);
    feed_quiet(&h, DAMAGED, 1);
    feed_quiet(&h, IGNORED, 1);
    g_assert_cmpuint(h.run, ==, 9);
    expect(&h, FAIL, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);

    /* nor do they end a mismatch */
    feed_quiet(&h, DAMAGED, 10);
    feed_quiet(&h, IGNORED, 10);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_MISMATCH);
}

static void
test_secret_missing(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    expect(&h, NO_KEY, E2C_HEALTH_EV_SECRET_MISSING, E2C_HEALTH_SECRET_MISSING);
    feed_quiet(&h, NO_KEY, 100); /* once */
    feed_quiet(&h, DAMAGED, 5);
    feed_quiet(&h, IGNORED, 5);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_SECRET_MISSING);
    expect(&h, OK, E2C_HEALTH_EV_SECRET_FOUND, E2C_HEALTH_DECRYPTING);
    feed_quiet(&h, OK, 5);

    /* from DECRYPTING and from MISMATCH too */
    expect(&h, NO_KEY, E2C_HEALTH_EV_SECRET_MISSING, E2C_HEALTH_SECRET_MISSING);
    expect(&h, OK, E2C_HEALTH_EV_SECRET_FOUND, E2C_HEALTH_DECRYPTING);
    feed_quiet(&h, FAIL, 9);
    expect(&h, FAIL, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
    expect(&h, NO_KEY, E2C_HEALTH_EV_SECRET_MISSING, E2C_HEALTH_SECRET_MISSING);
    expect(&h, OK, E2C_HEALTH_EV_SECRET_FOUND, E2C_HEALTH_DECRYPTING);
}

static void
test_secret_missing_restarts_run(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    feed_quiet(&h, FAIL, 9);
    expect(&h, NO_KEY, E2C_HEALTH_EV_SECRET_MISSING, E2C_HEALTH_SECRET_MISSING);
    g_assert_cmpuint(h.run, ==, 0);
    /* a key arrives and does not fit: ten failures under it make a mismatch */
    feed_quiet(&h, FAIL, 9);
    g_assert_cmpint(h.state, ==, E2C_HEALTH_SECRET_MISSING);
    expect(&h, FAIL, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
}

/*
 * A plain peer: unencrypted frames make a mismatch with cause "unencrypted"
 * and do nothing to the authentication run; stale ones likewise with their
 * own cause. Each kind counts on its own, a good frame resets all three.
 */
static void
test_causes(void)
{
    struct e2c_health h;
    e2c_health_init(&h);
    for (unsigned i = 0; i < E2C_HEALTH_MISMATCH_RUN - 1; i++) {
        feed_quiet(&h, PLAIN, 1);
        feed_quiet(&h, FAIL, 1); /* interleaved: neither resets the other */
        feed_quiet(&h, STALE, 1);
    }
    g_assert_cmpuint(h.run, ==, E2C_HEALTH_MISMATCH_RUN - 1);
    expect(&h, PLAIN, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
    g_assert_cmpstr(e2c_health_cause_name(h.cause), ==, "unencrypted");
    feed_quiet(&h, FAIL, 100);
    feed_quiet(&h, STALE, 100);
    g_assert_cmpstr(e2c_health_cause_name(h.cause), ==, "unencrypted"); /* once, as it was */
    expect(&h, OK, E2C_HEALTH_EV_MATCH, E2C_HEALTH_DECRYPTING);
    g_assert_cmpuint(h.run + h.unencrypted_run + h.stale_run, ==, 0);

    feed_quiet(&h, STALE, E2C_HEALTH_MISMATCH_RUN - 1);
    feed_quiet(&h, DAMAGED, 50);
    feed_quiet(&h, IGNORED, 50);
    expect(&h, STALE, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
    g_assert_cmpstr(e2c_health_cause_name(h.cause), ==, "stale");
    expect(&h, OK, E2C_HEALTH_EV_MATCH, E2C_HEALTH_DECRYPTING);

    feed_quiet(&h, FAIL, E2C_HEALTH_MISMATCH_RUN - 1);
    expect(&h, FAIL, E2C_HEALTH_EV_MISMATCH, E2C_HEALTH_MISMATCH);
    g_assert_cmpstr(e2c_health_cause_name(h.cause), ==, "wrong-secret");
    g_assert_cmpstr(e2c_health_cause_name(E2C_HEALTH_CAUSE_NONE), ==, "none");
}

static void
test_state_names(void)
{
    g_assert_cmpstr(e2c_health_state_name(E2C_HEALTH_WAITING), ==, "waiting");
    g_assert_cmpstr(e2c_health_state_name(E2C_HEALTH_DECRYPTING), ==, "decrypting");
    g_assert_cmpstr(e2c_health_state_name(E2C_HEALTH_MISMATCH), ==, "mismatch");
    g_assert_cmpstr(e2c_health_state_name(E2C_HEALTH_SECRET_MISSING), ==, "secret-missing");
}

/* The event a transition must report, or NONE for "no transition". */
static enum e2c_health_event
transition_event(enum e2c_health_state from, enum e2c_health_state to)
{
    if (from == to)
        return E2C_HEALTH_EV_NONE;
    switch (to) {
    case E2C_HEALTH_MISMATCH:
        return E2C_HEALTH_EV_MISMATCH;
    case E2C_HEALTH_SECRET_MISSING:
        return E2C_HEALTH_EV_SECRET_MISSING;
    case E2C_HEALTH_DECRYPTING:
        return from == E2C_HEALTH_WAITING    ? E2C_HEALTH_EV_FIRST_OK
               : from == E2C_HEALTH_MISMATCH ? E2C_HEALTH_EV_MATCH
                                             : E2C_HEALTH_EV_SECRET_FOUND;
    case E2C_HEALTH_WAITING:
        break;
    }
    return (enum e2c_health_event) - 1; /* no way back to WAITING */
}

/* Random input sequences: an event exactly when the state changes, and the right one. */
static void
test_exactly_once_property(void)
{
    GRand *rand = g_rand_new_with_seed(0xe2c);
    for (unsigned seq = 0; seq < 200; seq++) {
        struct e2c_health h;
        e2c_health_init(&h);
        /* long failure runs need a bias toward FAIL */
        unsigned fail_weight = g_rand_int_range(rand, 1, 30);
        for (unsigned i = 0; i < 2000; i++) {
            static const enum e2c_health_input others[] = {
                OK, OK, OK, DAMAGED, DAMAGED, IGNORED, IGNORED, NO_KEY, PLAIN, STALE};
            unsigned r = g_rand_int_range(rand, 0, fail_weight + G_N_ELEMENTS(others));
            enum e2c_health_input in = r < fail_weight ? FAIL : others[r - fail_weight];
            if (in == NO_KEY && g_rand_int_range(rand, 0, 20) != 0)
                in = IGNORED; /* rare, or runs would hardly ever reach 10 */
            enum e2c_health_state before = h.state;
            uint32_t run_before = h.run;
            enum e2c_health_event ev = e2c_health_feed(&h, in);
            g_assert_cmpint(ev, ==, transition_event(before, h.state));
            if (in == DAMAGED || in == IGNORED) {
                g_assert_cmpint(h.state, ==, before);
                g_assert_cmpuint(h.run, ==, run_before);
            }
            if (ev == E2C_HEALTH_EV_MISMATCH) {
                uint32_t run = in == PLAIN ? h.unencrypted_run : in == STALE ? h.stale_run : h.run;
                g_assert_cmpuint(run, ==, E2C_HEALTH_MISMATCH_RUN);
                g_assert_cmpint(h.cause, ==,
                                in == PLAIN   ? E2C_HEALTH_CAUSE_UNENCRYPTED
                                : in == STALE ? E2C_HEALTH_CAUSE_STALE
                                              : E2C_HEALTH_CAUSE_WRONG_SECRET);
            }
        }
    }
    g_rand_free(rand);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/health/first-ok", test_first_ok);
    g_test_add_func("/health/tenth-failure", test_tenth_failure);
    g_test_add_func("/health/mismatch-from-waiting", test_mismatch_from_waiting);
    g_test_add_func("/health/ok-resets", test_ok_resets);
    g_test_add_func("/health/damaged-and-ignored", test_damaged_and_ignored_do_not_count);
    g_test_add_func("/health/secret-missing", test_secret_missing);
    g_test_add_func("/health/secret-missing-restarts-run", test_secret_missing_restarts_run);
    g_test_add_func("/health/causes", test_causes);
    g_test_add_func("/health/state-names", test_state_names);
    g_test_add_func("/health/exactly-once", test_exactly_once_property);
    return g_test_run();
}
