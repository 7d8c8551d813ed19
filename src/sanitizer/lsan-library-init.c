/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What LeakSanitizer must not count as our leaks, for e2call and every
 * GStreamer test program of an AddressSanitizer build
 * (src/sanitizer/meson.build links it into those builds only).
 *
 * 1. The libraries' own constructors. Leak checking is off while they run:
 *    from the executable's .preinit_array, which the dynamic loader runs
 *    before them, to the executable's own constructor, which it runs after
 *    them. Nothing our code allocates happens in between.
 *
 * 2. GLib 2.74's quark arrays. g_quark_init() (a library constructor)
 *    allocates the first array of 2048 entries; whenever GStreamer has
 *    registered that many more quarks (every GType, property and signal
 *    name is one), quark_new() copies the array into a larger one and
 *    deliberately drops the old one, so that lookups need no lock
 *    (tests/valgrind.supp has the same case). Debian's libglib has no frame
 *    pointers, so with the fast unwinder LeakSanitizer's report shows only
 *    malloc and g_malloc, which no suppression can tell from a real leak;
 *    and the slow unwinder, on every malloc, makes each PBKDF2 key
 *    derivation (OpenSSL 3.0 allocates once per iteration) take 30 s. So
 *    a malloc hook notes every allocation of a quark array's size (a
 *    multiple of 2048 pointers), and at exit each one still allocated whose
 *    entries are exactly the first quarks, in order, is declared not a
 *    leak. Nothing else matches that content.
 */
#include <glib.h>
#include <sanitizer/allocator_interface.h>
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdlib.h>

#define QUARK_BLOCK_BYTES (2048 * sizeof(char *)) /* GLib's QUARK_BLOCK_SIZE pointers */
#define MAX_CANDIDATES 8192

/*
 * Kept scrambled: LeakSanitizer takes any word in our globals that looks
 * like a pointer to a block as a reference to it, and a plain list would
 * hide every lost block of these sizes.
 */
#define SCRAMBLE ((uintptr_t)0xa5a5a5a5a5a5a5a5u)
static uintptr_t candidates[MAX_CANDIDATES];
static int n_candidates; /* atomic; past MAX_CANDIDATES: no more are noted */

static void
note_allocation(const volatile void *ptr, size_t size)
{
    if (size == 0 || size % QUARK_BLOCK_BYTES != 0)
        return;
    int i = __atomic_fetch_add(&n_candidates, 1, __ATOMIC_RELAXED);
    if (i < MAX_CANDIDATES)
        __atomic_store_n(&candidates[i], (uintptr_t)ptr ^ SCRAMBLE, __ATOMIC_RELEASE);
}

static void
note_free(const volatile void *ptr)
{
    (void)ptr; /* liveness is asked at exit (__sanitizer_get_ownership) */
}

static gboolean
is_old_quark_array(const char *const *array, size_t entries)
{
    if (array[0] != NULL)
        return FALSE;
    for (size_t q = 1; q < entries; q++)
        if (array[q] != g_quark_to_string((GQuark)q))
            return FALSE;
    return TRUE;
}

static gpointer
ignore_old_quark_arrays(gpointer unused)
{
    (void)unused;
    int n = MIN(__atomic_load_n(&n_candidates, __ATOMIC_ACQUIRE), MAX_CANDIDATES);
    for (int i = 0; i < n; i++) {
        uintptr_t word = __atomic_load_n(&candidates[i], __ATOMIC_ACQUIRE);
        const void *p = (const void *)(word ^ SCRAMBLE);
        if (!word || !__sanitizer_get_ownership(p))
            continue;
        size_t entries = __sanitizer_get_allocated_size(p) / sizeof(char *);
        /* An old array was full when it was replaced: all its quarks exist. */
        if (g_quark_to_string((GQuark)(entries - 1)) && is_old_quark_array(p, entries))
            __lsan_ignore_object(p);
    }
    return NULL;
}

/*
 * On a thread of its own, which ends before the leak check: the addresses it
 * handles would otherwise stay in the exiting thread's stack, where the
 * check would find them and take every candidate, lost or not, as
 * referenced.
 */
static void
before_leak_check(void)
{
    g_thread_join(g_thread_new("lsan-quarks", ignore_old_quark_arrays, NULL));
}

static void
leak_checks_off(void)
{
    __lsan_disable();
}

static void __attribute__((constructor)) leak_checks_on(void)
{
    __lsan_enable();
    __sanitizer_install_malloc_and_free_hooks(note_allocation, note_free);
    /* Registered after the sanitizer's own exit handler, so it runs before the leak check. */
    atexit(before_leak_check);
}

__attribute__((section(".preinit_array"),
               used)) static void (*const preinit)(void) = leak_checks_off;
