/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The secret sources of e2call(1), SECRETS, as command-line options: exactly one of
 * --secret-file PATH, --secret-stdin, --secret-env NAME, --secret TEXT.
 */
#pragma once

#include <glib.h>

#include "secret.h"

struct e2c_secret_args {
    gchar *file;
    gboolean from_stdin;
    gchar *env;
    gchar *text; /* --secret: visible to every user in the process list */
};

/* Option entries bound to args (for a GOptionGroup or main entries). */
void e2c_secret_args_entries(struct e2c_secret_args *args, GOptionEntry out[5]);
/* TRUE when a source was named at all. */
gboolean e2c_secret_args_given(const struct e2c_secret_args *args);
/*
 * Reads and validates the one secret named. Returns 0, or the exit status
 * (2: several sources or an unreadable source; 3: INVALID_ENCRYPTION_SECRET)
 * after printing one line to stderr prefixed with cmd. Never prints the
 * secret. Wipes args->text.
 */
int e2c_secret_args_read(struct e2c_secret_args *args, const char *cmd, struct e2c_secret *out);
void e2c_secret_args_clear(struct e2c_secret_args *args);
/*
 * The warning for a file of secrets that others can read (exposure: mode &
 * 044 from e2c_secret_file_read()); nothing when it is private. what: "secret
 * file", "secrets file".
 */
void e2c_secret_args_warn_exposure(const char *cmd, const char *what, const char *path,
                                   int exposure);
/*
 * Overwrites the value of --secret in the process's own argument strings, so
 * /proc/PID/cmdline stops showing it (it did until now: the warning stands).
 * argv is a copy of the pointer array taken before option parsing.
 */
void e2c_secret_args_scrub_argv(int argc, char **argv);
