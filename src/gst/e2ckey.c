/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "e2ckey.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <string.h>

#include "keymem.h"
#include "sframe.h"

struct _E2cKey {
    struct e2c_shared_key shared;
    guint8 index[32]; /* HMAC(process key, room || 0 || secret); zero for uncached keys */
    gboolean cached;
    guint serial;
    gint refcount; /* guarded by cache_lock, so a lookup never revives a dying key */
};

/*
 * The cache: index -> key, holding no reference. A key leaves it when its
 * last reference goes. In-flight derivations are tracked so that two
 * requests for the same pair derive once.
 */
static GMutex cache_lock;
static GCond cache_cond;
static GHashTable *cache;    /* GBytes index -> E2cKey* */
static GHashTable *inflight; /* GBytes index -> GUINT_TO_POINTER(1) */
/*
 * Key memory, as are the keys and their indexes: with the process key, an
 * index would let a core dump be searched for the secret at the cost of one
 * HMAC per guess instead of a 600000-iteration PBKDF2.
 */
#define PROCESS_KEY_LEN 32
static guint8 *process_key;
static guint next_serial = 1;

G_DEFINE_BOXED_TYPE(E2cKey, e2c_key, e2c_key_ref, e2c_key_unref)
G_DEFINE_QUARK(e2c - key - error - quark, e2c_key_error)

static void
cache_init_locked(void)
{
    if (cache)
        return;
    cache = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    inflight =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    process_key = e2c_keymem_alloc(PROCESS_KEY_LEN);
    if (!process_key)
        g_error("e2call: out of key memory");
    if (RAND_bytes(process_key, PROCESS_KEY_LEN) != 1)
        g_error("e2call: the OpenSSL random generator failed");
}

static gboolean
compute_index(const struct e2c_secret *secret, const char *room, guint8 out[32])
{
    guint8 zero = 0;
    const size_t len = 32;
    gboolean ok = FALSE;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t out_len = 0;
    if (ctx && EVP_MAC_init(ctx, process_key, PROCESS_KEY_LEN, params) == 1 &&
        EVP_MAC_update(ctx, (const guint8 *)room, strlen(room)) == 1 &&
        EVP_MAC_update(ctx, &zero, 1) == 1 &&
        EVP_MAC_update(ctx, (const guint8 *)secret->utf8, secret->len) == 1 &&
        EVP_MAC_final(ctx, out, &out_len, len) == 1 && out_len == len)
        ok = TRUE;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

static E2cKey *
key_new(void)
{
    /* Key memory: out of core dumps and swap (keymem.h). */
    E2cKey *key = e2c_keymem_alloc(sizeof(E2cKey));
    if (!key)
        g_error("e2call: out of key memory");
    key->refcount = 1;
    g_mutex_lock(&cache_lock);
    key->serial = next_serial++;
    g_mutex_unlock(&cache_lock);
    return key;
}

E2cKey *
e2c_key_new_from_bytes(const guint8 bytes[E2C_SHARED_KEY_LEN])
{
    E2cKey *key = key_new();
    memcpy(key->shared.bytes, bytes, E2C_SHARED_KEY_LEN);
    return key;
}

E2cKey *
e2c_key_ref(E2cKey *key)
{
    g_return_val_if_fail(key != NULL, NULL);
    g_mutex_lock(&cache_lock);
    key->refcount++;
    g_mutex_unlock(&cache_lock);
    return key;
}

void
e2c_key_unref(E2cKey *key)
{
    if (!key)
        return;
    g_mutex_lock(&cache_lock);
    if (--key->refcount > 0) {
        g_mutex_unlock(&cache_lock);
        return;
    }
    if (key->cached) {
        GBytes *index = g_bytes_new_static(key->index, sizeof(key->index));
        g_hash_table_remove(cache, index);
        g_bytes_unref(index);
    }
    g_mutex_unlock(&cache_lock);
    OPENSSL_cleanse(key, sizeof(*key));
    e2c_keymem_free(key);
}

const struct e2c_shared_key *
e2c_key_peek(const E2cKey *key)
{
    return &key->shared;
}

guint
e2c_key_serial(const E2cKey *key)
{
    return key->serial;
}

static void
set_secret_error(GError **error, int err)
{
    g_set_error(error, E2C_KEY_ERROR, E2C_KEY_ERROR_INVALID_SECRET, "%s: %s",
                e2c_secret_error_name(err) ? e2c_secret_error_name(err)
                                           : "INVALID_ENCRYPTION_SECRET",
                e2c_secret_strerror(err));
}

E2cKey *
e2c_key_derive(const struct e2c_secret *secret, const char *room, GError **error)
{
    char canon[160];
    guint8 index[32];
    E2cKey *key = NULL;

    if (!secret || !secret->utf8) {
        set_secret_error(error, E2C_SECRET_E_TOO_SHORT);
        return NULL;
    }
    if (!room || e2c_room_canonical(room, canon, sizeof(canon)) != SFRAME_OK) {
        g_set_error(error, E2C_KEY_ERROR, E2C_KEY_ERROR_INVALID_ROOM,
                    "room id '%s' is not a number or 1-128 printable characters", room ? room : "");
        return NULL;
    }

    g_mutex_lock(&cache_lock);
    cache_init_locked();
    g_mutex_unlock(&cache_lock);
    if (!compute_index(secret, canon, index)) {
        g_set_error(error, E2C_KEY_ERROR, E2C_KEY_ERROR_CRYPTO, "HMAC failed");
        return NULL;
    }
    guint8 *index_copy = e2c_keymem_alloc(sizeof(index));
    if (!index_copy)
        g_error("e2call: out of key memory");
    memcpy(index_copy, index, sizeof(index));
    OPENSSL_cleanse(index, sizeof(index));
    GBytes *ib = g_bytes_new_with_free_func(index_copy, sizeof(index), e2c_keymem_free, index_copy);

    g_mutex_lock(&cache_lock);
    for (;;) {
        E2cKey *found = g_hash_table_lookup(cache, ib);
        if (found) {
            found->refcount++;
            g_mutex_unlock(&cache_lock);
            g_bytes_unref(ib);
            return found;
        }
        if (!g_hash_table_contains(inflight, ib))
            break;
        g_cond_wait(&cache_cond, &cache_lock); /* someone derives this pair right now */
    }
    g_hash_table_add(inflight, g_bytes_ref(ib));
    g_mutex_unlock(&cache_lock);

    key = key_new();
    int err = e2c_shared_key_derive(secret, canon, E2C_PBKDF2_ITERATIONS, &key->shared);

    g_mutex_lock(&cache_lock);
    g_hash_table_remove(inflight, ib);
    if (err == SFRAME_OK) {
        gsize n;
        const guint8 *p = g_bytes_get_data(ib, &n);
        memcpy(key->index, p, sizeof(key->index));
        key->cached = TRUE;
        g_hash_table_insert(cache, g_bytes_new_static(key->index, sizeof(key->index)), key);
    }
    g_cond_broadcast(&cache_cond);
    g_mutex_unlock(&cache_lock);
    g_bytes_unref(ib);

    if (err != SFRAME_OK) {
        g_set_error(error, E2C_KEY_ERROR, E2C_KEY_ERROR_CRYPTO, "key derivation failed: %s",
                    sframe_strerror(err));
        e2c_key_unref(key);
        return NULL;
    }
    return key;
}

/* ---- asynchronous derivation --------------------------------------------- */

struct job {
    struct e2c_secret secret;
    char *room;
    E2cKeyReadyFunc ready;
    gpointer user_data;
    GDestroyNotify destroy;
};

static void
run_job(gpointer data, gpointer unused)
{
    struct job *job = data;
    GError *error = NULL;
    E2cKey *key = e2c_key_derive(&job->secret, job->room, &error);
    e2c_secret_clear(&job->secret);
    job->ready(key, error, job->user_data);
    if (job->destroy)
        job->destroy(job->user_data);
    e2c_key_unref(key);
    g_clear_error(&error);
    g_free(job->room);
    g_free(job);
}

static GThreadPool *
pool_get(void)
{
    static gsize once;
    static GThreadPool *pool;
    if (g_once_init_enter(&once)) {
        /* Two workers: a 2-core machine can derive two distinct secrets at once. */
        pool = g_thread_pool_new(run_job, NULL, 2, FALSE, NULL);
        g_once_init_leave(&once, 1);
    }
    return pool;
}

gboolean
e2c_key_derive_on_worker(const char *secret_utf8, const char *room, E2cKeyReadyFunc ready,
                         gpointer user_data, GDestroyNotify destroy, GError **error)
{
    struct job *job = g_new0(struct job, 1);
    int err = e2c_secret_set(&job->secret, secret_utf8, secret_utf8 ? strlen(secret_utf8) : 0, 0);
    if (err != E2C_SECRET_OK) {
        set_secret_error(error, err);
        e2c_secret_clear(&job->secret);
        g_free(job);
        return FALSE;
    }
    job->room = g_strdup(room);
    job->ready = ready;
    job->user_data = user_data;
    job->destroy = destroy;
    g_thread_pool_push(pool_get(), job, NULL);
    return TRUE;
}

/* On the worker: the task returns there, its callback runs on the caller's main context. */
static void
task_ready(E2cKey *key, const GError *error, gpointer data)
{
    GTask *task = data;
    if (key)
        g_task_return_pointer(task, e2c_key_ref(key), (GDestroyNotify)e2c_key_unref);
    else
        g_task_return_error(task, g_error_copy(error));
}

void
e2c_key_derive_async(struct e2c_secret *secret, const char *room, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
    GTask *task = g_task_new(NULL, cancellable, callback, user_data);
    g_task_set_source_tag(task, e2c_key_derive_async);
    struct job *job = g_new0(struct job, 1);
    job->secret = *secret; /* the bytes move here; run_job wipes them */
    memset(secret, 0, sizeof(*secret));
    job->room = g_strdup(room);
    job->ready = task_ready;
    job->user_data = task;
    job->destroy = g_object_unref;
    g_thread_pool_push(pool_get(), job, NULL);
}

E2cKey *
e2c_key_derive_finish(GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}
