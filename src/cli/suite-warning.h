/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/*
 * What `join` and `load` print on standard error when --cipher-suite picks
 * a suite with 4-byte tags (3 and 8): a forged frame passes once in 2^32
 * tries (e2call-e2ee(7), SECURITY). Nothing for the other suites.
 */
void e2c_cli_warn_short_tags(const char *command, uint16_t suite);
