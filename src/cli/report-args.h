/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report files of join and load (--junit, --metrics,
 * --metrics-interval; e2call(1), REPORT FILES): their options, checked
 * before the call, and the writing, atomic (a temporary file in the same
 * directory, renamed over the path) so that a reader such as
 * node_exporter's textfile collector never sees half a file.
 */
#pragma once

#include <glib.h>

struct e2c_report_args {
    gchar *junit, *metrics, *interval;
    guint64 interval_ms; /* 0: only at the end */
};

/* The entries, the terminator included. */
#define E2C_REPORT_ARGS_ENTRIES 4

void e2c_report_args_entries(struct e2c_report_args *args,
                             GOptionEntry out[E2C_REPORT_ARGS_ENTRIES]);
/*
 * Checks the values: each path a file that can be made in a writable
 * directory (not a directory itself), the interval a time of at least 1s
 * and only with --metrics. 0, or 2 (usage) after a line prefixed with cmd.
 */
int e2c_report_args_check(struct e2c_report_args *args, const char *cmd);
void e2c_report_args_clear(struct e2c_report_args *args);

/* Writes text to path atomically; FALSE after a line on stderr prefixed with cmd. */
gboolean e2c_report_file_write(const char *cmd, const char *path, const char *text);
