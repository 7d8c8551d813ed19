/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/cli/json-wipe.c: jansson frees through a function that wipes the block. */
#include <glib.h>
#include <jansson.h>
#include <malloc.h>
#include <string.h>

#include "json-wipe.h"

static void
block_is_wiped(void)
{
    for (size_t n = 1; n < 300; n += 37) {
        unsigned char *b = malloc(n);
        g_assert_nonnull(b);
        size_t usable = malloc_usable_size(b);
        g_assert_cmpuint(usable, >=, n);
        memset(b, 'S', usable);
        e2c_json_wipe_block(b);
        for (size_t i = 0; i < usable; i++)
            g_assert_cmpuint(b[i], ==, 0);
        free(b);
    }
    e2c_json_wipe_block(NULL);
}

static void
jansson_uses_it(void)
{
    json_malloc_t m0 = NULL;
    json_free_t f0 = NULL;
    json_get_alloc_funcs(&m0, &f0);
    e2c_json_wipe_freed();
    json_malloc_t m = NULL;
    json_free_t f = NULL;
    json_get_alloc_funcs(&m, &f);
    g_assert_true(f != f0);
    /* Values, parsing and dumping still work through it. */
    json_t *v = json_pack("{s:s}", "secret", "not a real one");
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    json_error_t err;
    json_t *back = json_loads(text, 0, &err);
    g_assert_nonnull(back);
    g_assert_cmpstr(json_string_value(json_object_get(back, "secret")), ==, "not a real one");
    json_decref(back);
    f(text);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json-wipe/block", block_is_wiped);
    g_test_add_func("/json-wipe/jansson", jansson_uses_it);
    return g_test_run();
}
