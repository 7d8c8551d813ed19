/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json-wipe.h"

#include <jansson.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <stdlib.h>

void
e2c_json_wipe_block(void *block)
{
    /* The whole usable size: a string may have been longer before a realloc-free copy. */
    if (block)
        OPENSSL_cleanse(block, malloc_usable_size(block));
}

static void
wipe_and_free(void *block)
{
    e2c_json_wipe_block(block);
    free(block);
}

void
e2c_json_wipe_freed(void)
{
    json_set_alloc_funcs(malloc, wipe_and_free);
}
