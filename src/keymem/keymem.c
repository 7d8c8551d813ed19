/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Key memory (keymem.h). Size classes of 32 to 8192 bytes, in steps of
 * about 1.5 (a receiver's 4.4 KiB wastes less than in a power of two), are
 * carved from 64 KiB chunks; anything larger gets a mapping of its own. Every slot
 * starts with a 16-byte header (class, state, free-list link), so a free
 * needs no lookup and a double or foreign free is caught instead of
 * corrupting the lists.
 *
 * Under AddressSanitizer the allocator poisons what is not handed out (free
 * slots, headers, the tail of a slot), so overflows and uses after free in
 * key structures are still reported, and registers its pages with
 * LeakSanitizer as roots, so the OpenSSL contexts that key structures point
 * to are not taken for leaks. (Its runtime turns mlock() into a no-op: in
 * such a build the pages are left out of core dumps but not locked.)
 */
#include "keymem.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEYMEM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KEYMEM_ASAN 1
#endif

#ifdef KEYMEM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define ROOT_ADD(p, n) __lsan_register_root_region((p), (n))
#define ROOT_REMOVE(p, n) __lsan_unregister_root_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define ROOT_ADD(p, n) ((void)(p), (void)(n))
#define ROOT_REMOVE(p, n) ((void)(p), (void)(n))
#endif

#define CHUNK_BYTES ((size_t)64 * 1024)
#define CLASS_LARGE 0xffffu

/* Payload sizes, multiples of 16 so that every payload stays 16-byte aligned. */
static const size_t class_size[] = {32,  48,   64,   96,   128,  192,  256,  384, 512,
                                    768, 1024, 1536, 2048, 3072, 4096, 6144, 8192};
#define N_CLASSES (sizeof(class_size) / sizeof(class_size[0]))

#define STATE_USED 0x6b657975u /* "keyu" */
#define STATE_FREE 0x6b657966u /* "keyf" */

struct header {
    uint16_t cls;    /* size class, or CLASS_LARGE */
    uint16_t locked; /* CLASS_LARGE: its mapping is locked */
    uint32_t state;  /* STATE_USED or STATE_FREE */
    union {
        struct header *next_free; /* a free slot: the next one of its class */
        size_t map_bytes;         /* CLASS_LARGE: the mapping's length */
    } u;
};
_Static_assert(sizeof(struct header) == 16, "payloads must stay 16-byte aligned");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct header *free_list[N_CLASSES];
static struct e2c_keymem_stats stats;

static size_t
class_bytes(unsigned cls)
{
    return class_size[cls];
}

static int
class_of(size_t n, unsigned *out)
{
    for (unsigned c = 0; c < N_CLASSES; c++) {
        if (n <= class_bytes(c)) {
            *out = c;
            return 1;
        }
    }
    return 0;
}

static void
warn_lock_failed(int err)
{
    struct rlimit rl;
    char limit[40] = "unknown";
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
        if (rl.rlim_cur == RLIM_INFINITY)
            snprintf(limit, sizeof(limit), "unlimited");
        else
            snprintf(limit, sizeof(limit), "%llu KiB", (unsigned long long)rl.rlim_cur / 1024);
    }
    fprintf(stderr,
            "e2call: warning: cannot lock key memory in RAM (mlock: %s; RLIMIT_MEMLOCK %s): "
            "keys may be written to swap; raise the limit (ulimit -l) to avoid it\n",
            strerror(err), limit);
}

/*
 * Fresh zeroed pages, left out of core dumps, locked where the limit allows.
 * No pages when they cannot be left out of core dumps: key memory that a
 * dump would show is not key memory. Called with the lock held.
 */
static void *
map_pages(size_t bytes, int *locked)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (madvise(p, bytes, MADV_DONTDUMP) != 0) {
        munmap(p, bytes);
        return NULL;
    }
    *locked = mlock(p, bytes) == 0;
    if (*locked) {
        stats.locked_bytes += bytes;
    } else if (!stats.lock_failed) {
        stats.lock_failed = 1;
        warn_lock_failed(errno);
    }
    stats.mapped_bytes += bytes;
    ROOT_ADD(p, bytes);
    return p;
}

/* A new chunk of free slots of one class. */
static int
grow(unsigned cls)
{
    int locked;
    char *chunk = map_pages(CHUNK_BYTES, &locked);
    if (!chunk)
        return 0;
    size_t slot = sizeof(struct header) + class_bytes(cls);
    for (size_t off = 0; off + slot <= CHUNK_BYTES; off += slot) {
        struct header *h = (struct header *)(chunk + off);
        h->cls = (uint16_t)cls;
        h->state = STATE_FREE;
        h->u.next_free = free_list[cls];
        free_list[cls] = h;
    }
    POISON(chunk, CHUNK_BYTES);
    return 1;
}

static void
corrupt(const char *what)
{
    fprintf(stderr, "e2call: key memory: %s\n", what);
    abort();
}

void *
e2c_keymem_alloc(size_t n)
{
    static size_t page;
    unsigned cls;
    struct header *h;

    if (n == 0 || n > SIZE_MAX / 2)
        return NULL;
    pthread_mutex_lock(&lock);
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    if (class_of(n, &cls)) {
        if (!free_list[cls] && !grow(cls)) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        h = free_list[cls];
        UNPOISON(h, sizeof(*h));
        if (h->state != STATE_FREE || h->cls != cls)
            corrupt("a free list is damaged");
        free_list[cls] = h->u.next_free;
        h->u.next_free = NULL;
    } else {
        size_t bytes = (sizeof(*h) + n + page - 1) / page * page;
        int locked;
        h = map_pages(bytes, &locked);
        if (!h) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        h->cls = CLASS_LARGE;
        h->locked = (uint16_t)locked;
        h->u.map_bytes = bytes;
    }
    h->state = STATE_USED;
    stats.in_use++;
    POISON(h, sizeof(*h));
    void *p = h + 1;
    UNPOISON(p, n);
    memset(p, 0, n);
    pthread_mutex_unlock(&lock);
    return p;
}

void
e2c_keymem_free(void *p)
{
    if (!p)
        return;
    struct header *h = (struct header *)p - 1;
    pthread_mutex_lock(&lock);
    UNPOISON(h, sizeof(*h));
    if (h->state != STATE_USED || (h->cls >= N_CLASSES && h->cls != CLASS_LARGE))
        corrupt("free of memory that is not allocated key memory (freed twice?)");
    stats.in_use--;
    if (h->cls == CLASS_LARGE) {
        size_t bytes = h->u.map_bytes;
        UNPOISON(h, bytes);
        explicit_bzero(h, bytes);
        ROOT_REMOVE(h, bytes);
        stats.mapped_bytes -= bytes;
        if (h->locked)
            stats.locked_bytes -= bytes;
        munmap(h, bytes);
    } else {
        unsigned cls = h->cls;
        UNPOISON(p, class_bytes(cls));
        explicit_bzero(p, class_bytes(cls));
        h->state = STATE_FREE;
        h->u.next_free = free_list[cls];
        free_list[cls] = h;
        POISON(h, sizeof(*h) + class_bytes(cls));
    }
    pthread_mutex_unlock(&lock);
}

void
e2c_keymem_get_stats(struct e2c_keymem_stats *out)
{
    pthread_mutex_lock(&lock);
    *out = stats;
    pthread_mutex_unlock(&lock);
}
