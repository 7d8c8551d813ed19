/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report-args.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "errors.h"

#define MIN_INTERVAL_MS 1000

void
e2c_report_args_entries(struct e2c_report_args *args, GOptionEntry out[E2C_REPORT_ARGS_ENTRIES])
{
    const GOptionEntry entries[E2C_REPORT_ARGS_ENTRIES] = {
        {"junit", 0, 0, G_OPTION_ARG_FILENAME, &args->junit,
         "At the end, write a JUnit XML report (a test case per expectation) to PATH", "PATH"},
        {"metrics", 0, 0, G_OPTION_ARG_FILENAME, &args->metrics,
         "At the end, write the figures as OpenMetrics text to PATH (atomically)", "PATH"},
        {"metrics-interval", 0, 0, G_OPTION_ARG_STRING, &args->interval,
         "Also write --metrics every D during the run (at least 1s)", "D"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    memcpy(out, entries, sizeof(entries));
}

/*
 * Whether path can be written the way the end will write it: a temporary
 * file made and removed next to it. Nothing is left, and an existing file is
 * not touched.
 */
static gboolean
path_ok(const char *cmd, const char *option, const char *path)
{
    if (!*path) {
        fprintf(stderr, "%s: %s needs a file name\n", cmd, option);
        return FALSE;
    }
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        fprintf(stderr, "%s: %s '%s' is a directory, not a file\n", cmd, option, path);
        return FALSE;
    }
    gchar *probe = g_strconcat(path, ".XXXXXX", NULL);
    int fd = g_mkstemp_full(probe, O_WRONLY, 0600);
    int err = errno;
    if (fd >= 0) {
        close(fd);
        g_unlink(probe);
    } else {
        fprintf(stderr, "%s: %s '%s' cannot be written: %s\n", cmd, option, path, g_strerror(err));
    }
    g_free(probe);
    return fd >= 0;
}

int
e2c_report_args_check(struct e2c_report_args *args, const char *cmd)
{
    if (args->junit && !path_ok(cmd, "--junit", args->junit))
        return E2C_EXIT_USAGE;
    if (args->metrics && !path_ok(cmd, "--metrics", args->metrics))
        return E2C_EXIT_USAGE;
    if (args->junit && args->metrics && g_str_equal(args->junit, args->metrics)) {
        fprintf(stderr, "%s: --junit and --metrics name the same file\n", cmd);
        return E2C_EXIT_USAGE;
    }
    if (args->interval) {
        if (!e2c_parse_duration_ms(args->interval, &args->interval_ms) ||
            args->interval_ms < MIN_INTERVAL_MS) {
            fprintf(stderr,
                    "%s: --metrics-interval takes a time from 1s up to " E2C_DURATION_MAX_TEXT
                    ", not '%s'\n",
                    cmd, args->interval);
            return E2C_EXIT_USAGE;
        }
        if (!args->metrics) {
            fprintf(stderr, "%s: --metrics-interval needs --metrics PATH\n", cmd);
            return E2C_EXIT_USAGE;
        }
    }
    return 0;
}

void
e2c_report_args_clear(struct e2c_report_args *args)
{
    g_clear_pointer(&args->junit, g_free);
    g_clear_pointer(&args->metrics, g_free);
    g_clear_pointer(&args->interval, g_free);
}

gboolean
e2c_report_file_write(const char *cmd, const char *path, const char *text)
{
    GError *error = NULL;
    /* CONSISTENT: a temporary file in the same directory, synced, then renamed over path. */
    if (g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
        return TRUE;
    fprintf(stderr, "%s: %s\n", cmd, error->message);
    g_error_free(error);
    return FALSE;
}
