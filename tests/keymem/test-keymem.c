/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Key memory (keymem.h): what it hands out is zeroed, aligned, in pages the
 * kernel leaves out of core dumps ("dd" in /proc/self/smaps) and locked
 * ("lo") where the limit allows, else one warning; it is wiped when freed;
 * a double free stops the process. And the structures of the crypto core
 * that hold secrets and keys (a secret's copy, SFrame keys, senders,
 * receivers) are allocated there.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "keymem.h"
#include "receiver.h"
#include "secret.h"
#include "sender.h"
#include "sframe.h"

/* The VmFlags of the mapping holding p ("rd wr mr mw me dd lo ac sd"), or NULL. */
static gchar *
vmflags_of(const void *p)
{
    gchar *text = NULL;
    g_assert_true(g_file_get_contents("/proc/self/smaps", &text, NULL, NULL));
    gchar **lines = g_strsplit(text, "\n", -1);
    gchar *flags = NULL;
    gboolean inside = FALSE;
    uintptr_t a = (uintptr_t)p;
    for (guint i = 0; lines[i] && !flags; i++) {
        unsigned long lo, hi;
        if (sscanf(lines[i], "%lx-%lx ", &lo, &hi) == 2 && strchr(lines[i], ' ') &&
            g_ascii_isxdigit(lines[i][0]))
            inside = a >= lo && a < hi;
        else if (inside && g_str_has_prefix(lines[i], "VmFlags:"))
            flags = g_strdup_printf("%s ", lines[i] + strlen("VmFlags:"));
    }
    g_strfreev(lines);
    g_free(text);
    return flags;
}

static gboolean
has_flag(const gchar *flags, const char *flag)
{
    gchar *needle = g_strdup_printf(" %s ", flag);
    gboolean found = strstr(flags, needle) != NULL;
    g_free(needle);
    return found;
}

/*
 * AddressSanitizer's runtime intercepts mlock() and does nothing (it cannot
 * lock its shadow memory): there, the pages are never locked.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MLOCK_IS_A_NO_OP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MLOCK_IS_A_NO_OP 1
#endif

/* Key memory: left out of core dumps, and locked unless locking failed. */
static void
assert_key_memory(const void *p)
{
    g_autofree gchar *flags = vmflags_of(p);
    g_assert_nonnull(flags);
    if (!has_flag(flags, "dd"))
        g_error("%p is in a mapping that core dumps include (VmFlags:%s)", p, flags);
#ifndef MLOCK_IS_A_NO_OP
    struct e2c_keymem_stats st;
    e2c_keymem_get_stats(&st);
    if (!st.lock_failed && !has_flag(flags, "lo"))
        g_error("%p is not locked (VmFlags:%s)", p, flags);
#endif
}

/* Reads memory behind AddressSanitizer's back (a freed slot is poisoned). */
static void
peek(const void *p, void *out, size_t n)
{
    int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, out, n, (off_t)(uintptr_t)p), ==, (ssize_t)n);
    close(fd);
}

static void
test_sizes(void)
{
    static const size_t sizes[] = {1, 15, 16, 31, 32, 33, 100, 1000, 4096, 8192, 8193, 70000};
    void *p[G_N_ELEMENTS(sizes)];
    struct e2c_keymem_stats before, st;
    e2c_keymem_get_stats(&before);
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        p[i] = e2c_keymem_alloc(sizes[i]);
        g_assert_nonnull(p[i]);
        g_assert_cmpuint((uintptr_t)p[i] % 16, ==, 0);
        for (size_t k = 0; k < sizes[i]; k++)
            g_assert_cmpint(((unsigned char *)p[i])[k], ==, 0);
        memset(p[i], 0xa5, sizes[i]);
        assert_key_memory(p[i]);
        assert_key_memory((char *)p[i] + sizes[i] - 1);
    }
    e2c_keymem_get_stats(&st);
    g_assert_cmpuint(st.in_use, ==, before.in_use + G_N_ELEMENTS(sizes));
    g_assert_cmpuint(st.mapped_bytes, >, 70000);
    /* Distinct and not overlapping (each was filled whole above). */
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
        for (size_t k = i + 1; k < G_N_ELEMENTS(sizes); k++)
            g_assert_true((char *)p[i] + sizes[i] <= (char *)p[k] ||
                          (char *)p[k] + sizes[k] <= (char *)p[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
        e2c_keymem_free(p[i]);
    e2c_keymem_get_stats(&st);
    g_assert_cmpuint(st.in_use, ==, before.in_use);

    g_assert_null(e2c_keymem_alloc(0));
    g_assert_null(e2c_keymem_alloc(SIZE_MAX));
    e2c_keymem_free(NULL);
}

static void
test_wiped_when_freed(void)
{
    unsigned char *p = e2c_keymem_alloc(200);
    memset(p, 0x5c, 200);
    e2c_keymem_free(p);
    unsigned char after[200], zero[200] = {0};
    peek(p, after, sizeof(after));
    g_assert_cmpmem(after, sizeof(after), zero, sizeof(zero));

    /* A slot handed out again is zeroed, whatever was there. */
    unsigned char *q = e2c_keymem_alloc(200);
    g_assert_nonnull(q);
    for (size_t k = 0; k < 200; k++)
        g_assert_cmpint(q[k], ==, 0);
    e2c_keymem_free(q);
}

static void
test_double_free(void)
{
    if (g_test_subprocess()) {
        void *p = e2c_keymem_alloc(64);
        e2c_keymem_free(p);
        e2c_keymem_free(p);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*not allocated key memory (freed twice?)*");
}

/* Without CAP_IPC_LOCK (root has it), RLIMIT_MEMLOCK holds. */
static void
drop_ipc_lock(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    g_assert_cmpint(syscall(SYS_capget, &hdr, data), ==, 0);
    data[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
    g_assert_cmpint(syscall(SYS_capset, &hdr, data), ==, 0);
}

static void
test_lock_refused(void)
{
#ifdef MLOCK_IS_A_NO_OP
    g_test_skip("AddressSanitizer's mlock() does nothing, so it never fails");
    return;
#endif
    if (g_test_subprocess()) {
        drop_ipc_lock();
        struct rlimit rl = {0, 0};
        g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &rl), ==, 0);
        void *a = e2c_keymem_alloc(48);
        void *b = e2c_keymem_alloc(3000);
        void *c = e2c_keymem_alloc(100000);
        g_assert_nonnull(a);
        g_assert_nonnull(b);
        g_assert_nonnull(c);
        struct e2c_keymem_stats st;
        e2c_keymem_get_stats(&st);
        g_assert_true(st.lock_failed);
        g_assert_cmpuint(st.locked_bytes, ==, 0);
        /* Still out of core dumps. */
        assert_key_memory(a);
        assert_key_memory(c);
        g_autofree gchar *flags = vmflags_of(a);
        g_assert_false(has_flag(flags, "lo"));
        e2c_keymem_free(a);
        e2c_keymem_free(b);
        e2c_keymem_free(c);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*warning: cannot lock key memory in RAM (mlock: *; "
                              "RLIMIT_MEMLOCK 0 KiB): keys may be written to swap*");
    /* One warning, not one per mapping. */
    g_test_trap_assert_stderr_unmatched("*cannot lock*cannot lock*");
}

static gpointer
churn(gpointer data)
{
    guint seed = GPOINTER_TO_UINT(data);
    void *held[64] = {0};
    for (guint i = 0; i < 20000; i++) {
        guint k = (seed = seed * 1103515245u + 12345u) % 64;
        if (held[k]) {
            g_assert_cmpint(*(guint *)held[k], ==, k);
            e2c_keymem_free(held[k]);
            held[k] = NULL;
        } else {
            held[k] = e2c_keymem_alloc(sizeof(guint) + (seed >> 8) % 9000);
            g_assert_nonnull(held[k]);
            *(guint *)held[k] = k;
        }
    }
    for (guint k = 0; k < 64; k++)
        e2c_keymem_free(held[k]);
    return NULL;
}

static void
test_threads(void)
{
    struct e2c_keymem_stats before, after;
    e2c_keymem_get_stats(&before);
    GThread *t[4];
    for (guint i = 0; i < G_N_ELEMENTS(t); i++)
        t[i] = g_thread_new("churn", churn, GUINT_TO_POINTER(i + 1));
    for (guint i = 0; i < G_N_ELEMENTS(t); i++)
        g_thread_join(t[i]);
    e2c_keymem_get_stats(&after);
    g_assert_cmpuint(after.in_use, ==, before.in_use);
}

/* The crypto core's holders of secrets and keys live in key memory. */
static void
test_key_holders(void)
{
    struct e2c_secret secret;
    g_assert_cmpint(e2c_secret_set(&secret, "correct horse", 13, 0), ==, E2C_SECRET_OK);
    assert_key_memory(secret.utf8);

    struct e2c_shared_key shared;
    g_assert_cmpint(e2c_shared_key_derive(&secret, "1234", 1, &shared), ==, SFRAME_OK);
    e2c_secret_clear(&secret);

    struct e2c_sender *s = e2c_sender_create(SFRAME_DEFAULT_SUITE);
    struct e2c_receiver *r = e2c_receiver_create(SFRAME_DEFAULT_SUITE, 10000000);
    g_assert_nonnull(s);
    g_assert_nonnull(r);
    assert_key_memory(s);
    assert_key_memory(r);
    g_assert_cmpint(e2c_sender_set_key(s, &shared, 0), ==, SFRAME_OK);
    g_assert_cmpint(e2c_receiver_add_key(r, &shared, 0), ==, SFRAME_OK);
    e2c_shared_key_clear(&shared);

    uint8_t base[32] = {1};
    struct sframe_key *k = NULL;
    g_assert_cmpint(
        sframe_key_create(SFRAME_DEFAULT_SUITE, 7, SFRAME_KEY_ENCRYPT, base, sizeof(base), &k), ==,
        SFRAME_OK);
    assert_key_memory(k);
    sframe_key_destroy(k);
    e2c_sender_destroy(s);
    e2c_receiver_destroy(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keymem/sizes", test_sizes);
    g_test_add_func("/keymem/wiped-when-freed", test_wiped_when_freed);
    g_test_add_func("/keymem/double-free", test_double_free);
    g_test_add_func("/keymem/lock-refused", test_lock_refused);
    g_test_add_func("/keymem/threads", test_threads);
    g_test_add_func("/keymem/key-holders", test_key_holders);
    return g_test_run();
}
