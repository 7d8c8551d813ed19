/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process-wide replay windows (replay-registry.h): a chained hash table
 * over one array of windows, with a least-recently-used list through it.
 * Windows are only ever added until the table is full; from then on the
 * oldest window's slot takes the new one, so the array never has holes.
 */
#include "replay-registry.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sframe.h"

#define NIL UINT32_MAX
#define INITIAL_CAPACITY 64

struct window {
    struct e2c_replay_domain domain;
    uint64_t kid;
    uint32_t epoch;
    uint32_t chain;        /* next window in the same bucket */
    uint32_t newer, older; /* the LRU list */
    struct sframe_replay replay;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct window *windows; /* capacity slots, [0, count) in use */
static uint32_t *buckets;      /* 2 * capacity chain heads */
static uint32_t capacity, count;
static uint32_t newest = NIL, oldest = NIL;
/* Random per process, so that nobody can line KIDs up in one bucket. */
static uint64_t seed;

enum sframe_error
e2c_replay_domain_init(struct e2c_replay_domain *d, const char *name)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!d || !name || !*name)
        return SFRAME_E_PARAM;
    if (EVP_Digest(name, strlen(name), digest, &len, EVP_sha256(), NULL) != 1 ||
        len < sizeof(d->id))
        return SFRAME_E_CRYPTO;
    memcpy(d->id, digest, sizeof(d->id));
    return SFRAME_OK;
}

static uint64_t
mix(uint64_t x)
{
    /* splitmix64's finalizer: every input bit moves every output bit. */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ x >> 31;
}

static uint32_t
bucket_of(const struct e2c_replay_domain *d, uint64_t kid, uint32_t epoch)
{
    uint64_t a, b;
    memcpy(&a, d->id, 8);
    memcpy(&b, d->id + 8, 8);
    uint64_t h = mix(seed ^ a) ^ mix(b + kid) ^ mix((uint64_t)epoch << 1 | 1);
    return (uint32_t)(h & (2 * (uint64_t)capacity - 1));
}

static uint32_t
find(const struct e2c_replay_domain *d, uint64_t kid, uint32_t epoch)
{
    if (!capacity)
        return NIL;
    for (uint32_t i = buckets[bucket_of(d, kid, epoch)]; i != NIL; i = windows[i].chain) {
        const struct window *w = &windows[i];
        if (w->kid == kid && w->epoch == epoch && !memcmp(w->domain.id, d->id, sizeof(d->id)))
            return i;
    }
    return NIL;
}

static void
lru_unlink(uint32_t i)
{
    struct window *w = &windows[i];
    if (w->newer != NIL)
        windows[w->newer].older = w->older;
    else
        newest = w->older;
    if (w->older != NIL)
        windows[w->older].newer = w->newer;
    else
        oldest = w->newer;
}

static void
lru_push(uint32_t i)
{
    windows[i].newer = NIL;
    windows[i].older = newest;
    if (newest != NIL)
        windows[newest].newer = i;
    newest = i;
    if (oldest == NIL)
        oldest = i;
}

static void
chain_unlink(uint32_t i)
{
    const struct window *w = &windows[i];
    uint32_t *link = &buckets[bucket_of(&w->domain, w->kid, w->epoch)];
    while (*link != i)
        link = &windows[*link].chain;
    *link = w->chain;
}

static void
chain_push(uint32_t i)
{
    struct window *w = &windows[i];
    uint32_t *head = &buckets[bucket_of(&w->domain, w->kid, w->epoch)];
    w->chain = *head;
    *head = i;
}

/* Doubles the table (up to the maximum); FALSE when it cannot grow. */
static int
grow(void)
{
    if (capacity >= E2C_REPLAY_REGISTRY_MAX)
        return 0;
    if (!capacity) {
        uint8_t b[8];
        if (RAND_bytes(b, sizeof(b)) != 1)
            return 0;
        memcpy(&seed, b, sizeof(seed));
        OPENSSL_cleanse(b, sizeof(b));
    }
    uint32_t cap = capacity ? 2 * capacity : INITIAL_CAPACITY;
    struct window *w = calloc(cap, sizeof(*w));
    uint32_t *b = malloc(2 * (size_t)cap * sizeof(*b));
    if (!w || !b) {
        free(w);
        free(b);
        return 0;
    }
    if (windows) {
        memcpy(w, windows, (size_t)count * sizeof(*w));
        OPENSSL_cleanse(windows, (size_t)capacity * sizeof(*windows));
    }
    free(windows);
    free(buckets);
    windows = w;
    buckets = b;
    capacity = cap;
    for (uint32_t i = 0; i < 2 * cap; i++)
        buckets[i] = NIL;
    for (uint32_t i = 0; i < count; i++)
        chain_push(i);
    return 1;
}

/* A slot for a new window: a fresh one, or the least recently used one, wiped. */
static uint32_t
take_slot(void)
{
    if (count < capacity || grow())
        return count++;
    if (oldest == NIL)
        return NIL;
    uint32_t i = oldest;
    chain_unlink(i);
    lru_unlink(i);
    OPENSSL_cleanse(&windows[i], sizeof(windows[i]));
    return i;
}

enum sframe_error
e2c_replay_registry_check(const struct e2c_replay_domain *d, uint64_t kid, uint32_t epoch,
                          uint64_t ctr)
{
    if (!d)
        return SFRAME_E_PARAM;
    pthread_mutex_lock(&lock);
    uint32_t i = find(d, kid, epoch);
    int rc = i == NIL ? SFRAME_OK : sframe_replay_check(&windows[i].replay, ctr);
    pthread_mutex_unlock(&lock);
    return rc;
}

enum sframe_error
e2c_replay_registry_commit(const struct e2c_replay_domain *d, uint64_t kid, uint32_t epoch,
                           uint64_t ctr)
{
    if (!d)
        return SFRAME_E_PARAM;
    int rc = SFRAME_OK;
    pthread_mutex_lock(&lock);
    uint32_t i = find(d, kid, epoch);
    if (i == NIL) {
        i = take_slot();
        if (i == NIL) {
            rc = SFRAME_E_NOMEM;
            goto out;
        }
        struct window *w = &windows[i];
        w->domain = *d;
        w->kid = kid;
        w->epoch = epoch;
        sframe_replay_init(&w->replay);
        chain_push(i);
    } else {
        lru_unlink(i);
    }
    lru_push(i);
    /* Checked again under the lock: two receivers of one domain may have raced to here. */
    if (sframe_replay_check(&windows[i].replay, ctr) != SFRAME_OK)
        rc = SFRAME_E_REPLAY;
    else
        sframe_replay_update(&windows[i].replay, ctr);
out:
    pthread_mutex_unlock(&lock);
    return rc;
}

size_t
e2c_replay_registry_count(void)
{
    pthread_mutex_lock(&lock);
    size_t n = count;
    pthread_mutex_unlock(&lock);
    return n;
}

void
e2c_replay_registry_clear_for_test(void)
{
    pthread_mutex_lock(&lock);
    if (windows)
        OPENSSL_cleanse(windows, (size_t)capacity * sizeof(*windows));
    free(windows);
    free(buckets);
    windows = NULL;
    buckets = NULL;
    capacity = count = 0;
    newest = oldest = NIL;
    pthread_mutex_unlock(&lock);
}
