/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/sanitizer's hooks against LeakSanitizer (AddressSanitizer builds):
 *   quarks  registers 7000 quarks, so GLib replaces its quark array three
 *           times after start-up; the dropped arrays must not be reported.
 *   leak    the same, then loses one block of a quark array's size: it
 *           must be reported (the hooks hide nothing but quark arrays).
 *           The two modes differ only in that block, so "quarks" passing
 *           and "leak" failing (should_fail) is about that block.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

/*
 * On a thread that ends before the leak check, so that no stale copy of the
 * pointers stays in a stack the check scans.
 */
static gpointer
lose_blocks(gpointer unused)
{
    (void)unused;
    /* Shaped like an old quark array, but not one. */
    char **lost = g_new0(char *, 2048);
    lost[1] = (char *)"not a quark";
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    gboolean leak = strcmp(argv[1], "leak") == 0;
    if (!leak && strcmp(argv[1], "quarks") != 0)
        return 2;
    for (int i = 0; i < 7000; i++) {
        gchar *name = g_strdup_printf("e2call-test-quark-%d", i);
        g_quark_from_string(name);
        g_free(name);
    }
    printf("%u quarks\n", g_quark_from_static_string("e2call-test-last"));
    if (leak)
        g_thread_join(g_thread_new("lose", lose_blocks, NULL));
    return 0;
}
