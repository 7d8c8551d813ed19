/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2c_key_derive_async() / _finish(): the derivation the commands run on
 * their main loop (join's start and rekeys, load's secrets and rekeys).
 * The key arrives on the caller's main context, the secret's bytes are
 * taken over, errors are typed, cancelling drops the key, and two
 * derivations at once both finish.
 */
#include <gio/gio.h>
#include <glib.h>
#include <string.h>

#include "e2ckey.h"

#define ROOM "4242"

struct outcome {
    gboolean done;
    GThread *thread; /* where the callback ran */
    E2cKey *key;
    GError *error;
};

static void
on_key(GObject *source, GAsyncResult *result, gpointer data)
{
    struct outcome *o = data;
    o->key = e2c_key_derive_finish(result, &o->error);
    o->thread = g_thread_self();
    o->done = TRUE;
}

static void
wait_for(struct outcome *o)
{
    while (!o->done)
        g_main_context_iteration(NULL, TRUE);
}

static void
secret_of(struct e2c_secret *s, const char *text)
{
    g_assert_cmpint(e2c_secret_set(s, text, strlen(text), 0), ==, E2C_SECRET_OK);
}

static void
outcome_clear(struct outcome *o)
{
    if (o->key)
        e2c_key_unref(o->key);
    g_clear_error(&o->error);
    memset(o, 0, sizeof(*o));
}

/* The same key as the blocking derivation, on this thread, the secret taken over. */
static void
test_derives(void)
{
    struct e2c_secret secret, again;
    secret_of(&secret, "correct horse battery staple");
    secret_of(&again, "correct horse battery staple");
    struct outcome o = {0};
    e2c_key_derive_async(&secret, ROOM, NULL, on_key, &o);
    g_assert_null(secret.utf8);
    g_assert_cmpuint(secret.len, ==, 0);
    wait_for(&o);
    g_assert_no_error(o.error);
    g_assert_nonnull(o.key);
    g_assert_true(o.thread == g_thread_self());

    GError *error = NULL;
    E2cKey *sync = e2c_key_derive(&again, ROOM, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(e2c_key_peek(sync), sizeof(struct e2c_shared_key), e2c_key_peek(o.key),
                    sizeof(struct e2c_shared_key));
    e2c_key_unref(sync);
    e2c_secret_clear(&again);
    outcome_clear(&o);
}

static void
test_wrong_input(void)
{
    struct e2c_secret empty = {0};
    struct outcome o = {0};
    e2c_key_derive_async(&empty, ROOM, NULL, on_key, &o);
    wait_for(&o);
    g_assert_null(o.key);
    g_assert_error(o.error, E2C_KEY_ERROR, E2C_KEY_ERROR_INVALID_SECRET);
    g_assert_true(g_str_has_prefix(o.error->message, "INVALID_ENCRYPTION_SECRET"));
    outcome_clear(&o);

    struct e2c_secret secret;
    secret_of(&secret, "correct horse battery staple");
    e2c_key_derive_async(&secret, "", NULL, on_key, &o);
    wait_for(&o);
    g_assert_null(o.key);
    g_assert_error(o.error, E2C_KEY_ERROR, E2C_KEY_ERROR_INVALID_ROOM);
    outcome_clear(&o);
}

static void
test_cancel(void)
{
    struct e2c_secret secret;
    secret_of(&secret, "a secret nobody derives twice");
    GCancellable *cancel = g_cancellable_new();
    struct outcome o = {0};
    e2c_key_derive_async(&secret, ROOM, cancel, on_key, &o);
    g_cancellable_cancel(cancel);
    wait_for(&o);
    g_assert_null(o.key);
    g_assert_error(o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    outcome_clear(&o);
    g_object_unref(cancel);
}

/* Two distinct secrets at once: both keys arrive, and they differ. */
static void
test_two_at_once(void)
{
    struct e2c_secret a, b;
    secret_of(&a, "the first of two secrets");
    secret_of(&b, "the second of two secrets");
    struct outcome oa = {0}, ob = {0};
    e2c_key_derive_async(&a, ROOM, NULL, on_key, &oa);
    e2c_key_derive_async(&b, ROOM, NULL, on_key, &ob);
    wait_for(&oa);
    wait_for(&ob);
    g_assert_no_error(oa.error);
    g_assert_no_error(ob.error);
    g_assert_true(oa.key != ob.key);
    g_assert_cmpuint(e2c_key_serial(oa.key), !=, e2c_key_serial(ob.key));
    outcome_clear(&oa);
    outcome_clear(&ob);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/key-derive-async/derives", test_derives);
    g_test_add_func("/key-derive-async/wrong-input", test_wrong_input);
    g_test_add_func("/key-derive-async/cancel", test_cancel);
    g_test_add_func("/key-derive-async/two-at-once", test_two_at_once);
    return g_test_run();
}
