/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * E2cKey: a derived shared key (e2call-e2ee(7), KEYS) as a refcounted boxed type, so
 * applications derive it once per (secret, room) and hand the same object
 * to every e2csframeenc / e2csframedec (property "shared-key"), and the
 * 600000-iteration PBKDF2 never runs on a streaming thread.
 *
 * Derivations are cached while a key is referenced: asking again for a
 * (secret, room) pair that some element still uses returns the same object
 * without deriving. The cache index is an HMAC of the secret under a random
 * per-process key, so the secret itself is never kept. The key bytes are
 * wiped when the last reference goes.
 */
#pragma once

#include <gio/gio.h>
#include <glib-object.h>

#include "keysched.h"

G_BEGIN_DECLS

typedef struct _E2cKey E2cKey;

#define E2C_TYPE_KEY (e2c_key_get_type())
GType e2c_key_get_type(void);

#define E2C_KEY_ERROR (e2c_key_error_quark())
GQuark e2c_key_error_quark(void);
enum {
    E2C_KEY_ERROR_INVALID_SECRET, /* message names INVALID_ENCRYPTION_SECRET, never the secret */
    E2C_KEY_ERROR_INVALID_ROOM,
    E2C_KEY_ERROR_CRYPTO,
};

/*
 * Validates and derives (blocking: call it off the streaming threads). The
 * caller still owns and wipes secret.
 */
E2cKey *e2c_key_derive(const struct e2c_secret *secret, const char *room, GError **error);
/* For tests: wraps raw key bytes (not cached). */
E2cKey *e2c_key_new_from_bytes(const guint8 bytes[E2C_SHARED_KEY_LEN]);

E2cKey *e2c_key_ref(E2cKey *key);
void e2c_key_unref(E2cKey *key);
const struct e2c_shared_key *e2c_key_peek(const E2cKey *key);
/* A process-unique number for logs and status: says which key, reveals nothing. */
guint e2c_key_serial(const E2cKey *key);

typedef void (*E2cKeyReadyFunc)(E2cKey *key, const GError *error, gpointer user_data);

/*
 * Copies and validates secret_utf8 at once (an invalid secret fails here,
 * synchronously, with E2C_KEY_ERROR_INVALID_SECRET), wipes the copy after
 * deriving on a shared worker thread, and calls ready there with a key the
 * callee does not own. FALSE without calling ready when validation fails.
 * For elements, whose streaming threads run no main loop.
 */
gboolean e2c_key_derive_on_worker(const char *secret_utf8, const char *room, E2cKeyReadyFunc ready,
                                  gpointer user_data, GDestroyNotify destroy, GError **error);

/*
 * The same derivation for code on a main loop, as a GTask: takes the
 * secret's bytes over (secret is left empty), derives on the same workers,
 * wipes the bytes, and calls callback on the thread-default main context of
 * the caller. e2c_key_derive_finish() gives the key (owned by the caller) or
 * an E2C_KEY_ERROR (INVALID_SECRET for a secret without bytes, INVALID_ROOM,
 * CRYPTO). A derivation, once started, runs to its end: cancelling makes
 * finish() drop the key and report G_IO_ERROR_CANCELLED.
 */
void e2c_key_derive_async(struct e2c_secret *secret, const char *room, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data);
E2cKey *e2c_key_derive_finish(GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(E2cKey, e2c_key_unref)

G_END_DECLS
