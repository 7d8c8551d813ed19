/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "suite-warning.h"

#include <stdio.h>

#include "sframe.h"

void
e2c_cli_warn_short_tags(const char *command, uint16_t suite)
{
    const struct sframe_suite_info *info = sframe_suite_info(suite);
    if (!info || info->nt >= 8)
        return;
    fprintf(stderr,
            "%s: warning: cipher suite %u (%s) has %zu-byte tags: a forged frame passes once in "
            "2^%zu tries; suites 1, 2 and 4 to 7 have 8 bytes or more (e2call-e2ee(7), "
            "SECURITY)\n",
            command, (unsigned)suite, info->name, info->nt, 8 * info->nt);
}
