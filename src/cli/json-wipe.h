/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every block jansson frees is wiped first. Secrets pass through JSON in
 * places: the rekey request on the control socket, and the DevTools
 * message that hands `web join`'s secret to the page's worker. jansson
 * copies strings into its values, parser buffers and dumped texts, and
 * frees them without clearing; this reaches all of those copies at once.
 */
#pragma once

#include <stddef.h>

/* Call before the first jansson allocation (first thing in main). */
void e2c_json_wipe_freed(void);

/* What the free function does to a block of malloc's (exposed for the tests). */
void e2c_json_wipe_block(void *block);
