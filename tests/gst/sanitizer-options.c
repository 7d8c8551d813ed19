/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LeakSanitizer and the libraries' own constructors, for every GStreamer
 * test (in builds without sanitizers the hooks below do nothing).
 *
 * GLib 2.74's g_quark_init(), run from GLib's library constructor,
 * allocates the first quark array; once GStreamer has registered more
 * quarks than it holds, quark_new() replaces it and deliberately leaks the
 * old one so that lookups need no lock (tests/valgrind.supp has the same
 * case). Debian's libglib has no symbols for it and no frame pointers, so
 * LeakSanitizer's report shows only g_malloc, which no suppression can
 * tell from a real leak. Instead, leak checking is off while the shared
 * libraries' constructors run: from the executable's .preinit_array,
 * which the dynamic loader runs before them, to the executable's own
 * constructor, which it runs after them. Nothing our code allocates
 * happens in between.
 */
extern void __lsan_disable(void) __attribute__((weak));
extern void __lsan_enable(void) __attribute__((weak));

static void
leak_checks_off(void)
{
    if (__lsan_disable)
        __lsan_disable();
}

static void __attribute__((constructor)) leak_checks_on(void)
{
    if (__lsan_enable)
        __lsan_enable();
}

__attribute__((section(".preinit_array"),
               used)) static void (*const preinit)(void) = leak_checks_off;
