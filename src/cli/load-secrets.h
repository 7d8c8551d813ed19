/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The secrets of a load run: read once from a file (one per line), assigned
 * to participants round-robin or by an explicit mapping, grouped by equal
 * secret. Only keys leave this module; the secrets are wiped as soon as the
 * keys are derived, and no message ever shows one (line numbers only).
 */
#pragma once

#include <glib.h>

#include "e2ckey.h"

struct e2c_load_secrets {
    guint n_participants;
    guint n_groups;
    guint *group_of;   /* participant index -> group index (groups numbered by first line) */
    E2cKey **group_key; /* group index -> key */
    guint *line_of;    /* participant index -> 1-based line number, for reports */
};

/*
 * Reads FILE (secret per line; blank lines and lines starting with '#' are
 * skipped; one trailing CR removed) and the optional MAP file ("PARTICIPANT
 * LINE" per line, both 1-based; participants not listed go round-robin),
 * derives one key per distinct secret for room. Returns 0, or an exit status
 * (2 usage/unreadable, 3 an invalid secret) after one line on stderr.
 */
/*
 * offset: the number of participants before this process's first one when a
 * run spans several processes (--index): round-robin continues from there,
 * so groups interleave the same way whichever machine runs a participant.
 */
int e2c_load_secrets_read(struct e2c_load_secrets *out, const char *file, const char *map,
                          guint n_participants, guint offset, const char *room);
void e2c_load_secrets_clear(struct e2c_load_secrets *s);
