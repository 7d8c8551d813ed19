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

/* The most participants a run has (--participants), so the most secrets a file needs. */
#define E2C_LOAD_MAX_SECRETS 1000

struct e2c_load_secrets {
    guint n_participants;
    guint n_groups;
    guint *group_of;    /* participant index -> group index (groups numbered by first line) */
    E2cKey **group_key; /* group index -> key */
    guint *line_of;     /* participant index -> 1-based line number, for reports */
};

/*
 * Reads FILE (secret per line; blank lines and lines starting with '#' are
 * skipped; one trailing CR removed) with the reader and rules of
 * --secret-file (e2c_secret_file_read(): no symbolic link, no FIFO, at most
 * E2C_LOAD_MAX_SECRETS secrets and as many lines of the longest secret in
 * bytes; a warning when others can read it), and the optional MAP file ("PARTICIPANT
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
