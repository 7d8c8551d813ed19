/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Key memory: where secrets and the structures that hold keys live, so that
 * neither a core dump nor swap can reach them.
 *
 * Allocations come from pages of their own (mmap), marked MADV_DONTDUMP
 * (the kernel leaves them out of core dumps, and gdb's gcore honours the
 * mark) and locked with mlock(2) where RLIMIT_MEMLOCK allows (else one
 * warning on standard error, and the pages may be swapped). Every
 * allocation is wiped when freed. Small allocations share 64 KiB pages of
 * their size class, which are kept for reuse; large ones get a mapping each,
 * unmapped when freed.
 *
 * Thread-safe. libc only, so every layer can use it (sframe, e2ee, gst).
 */
#pragma once

#include <stddef.h>

/* n zeroed bytes, 16-byte aligned; NULL when n is 0 or memory ran out. */
void *e2c_keymem_alloc(size_t n);
/*
 * Wipes and releases an allocation of e2c_keymem_alloc(); NULL is ignored.
 * Aborts on a pointer it never handed out or already freed.
 */
void e2c_keymem_free(void *p);

struct e2c_keymem_stats {
    size_t mapped_bytes; /* pages mapped for key memory */
    size_t locked_bytes; /* of those, locked in RAM */
    size_t in_use;       /* allocations not yet freed */
    int lock_failed;     /* some mlock() failed (the warning went out) */
};
void e2c_keymem_get_stats(struct e2c_keymem_stats *out);
