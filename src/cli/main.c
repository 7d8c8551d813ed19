/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* e2call: the command table. Each command lives in its own cmd-*.c file. */
#include <gst/gst.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "e2c-config.h"
#include "errors.h"
#include "json-wipe.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"join", e2c_cmd_join, "Join a room: publish, receive everyone, report events"},
    {"load", e2c_cmd_load, "Run many participants with distinct secrets; print the decrypt matrix"},
    {"session", e2c_cmd_session, "Create or destroy a room (--e2ee: encryption required)"},
    {"rekey", e2c_cmd_rekey, "Give a running call a new secret (from a file or stdin)"},
    {"status", e2c_cmd_status, "Show a running call's participants, streams and KIDs"},
    {"stats", e2c_cmd_stats, "Show a running call's per-stream counters"},
    {"leave", e2c_cmd_leave, "Make a running call leave its room"},
    {"check", e2c_cmd_check, "Check that every element and codec e2call needs is present"},
    {"web", e2c_cmd_web, "The browser participant: serve the page, or join as headless Chromium"},
};

static void
print_usage(FILE *f)
{
    fprintf(f, "Usage: e2call <command> [<options>]\n"
               "       e2call --help | --version\n\n"
               "End-to-end encrypted (SFrame) calls through a Janus VideoRoom.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'e2call <command> --help' for the options of one command.\n"
               "See e2call(1) for events, errors and exit statuses.\n");
}

int
main(int argc, char **argv)
{
    /*
     * No OpenSSL clean-up at exit. When main returns, GStreamer's idle pool
     * threads (hundreds in a load run) are still there and leave one by one;
     * each that ever ran DTLS or SFrame runs OpenSSL's per-thread clean-up as
     * it goes. OpenSSL's exit handler frees the tables those use, so the two
     * met on freed memory: heap corruption and a crash after the verdict was
     * printed ("malloc_consolidate(): invalid chunk size"). The first call
     * into OpenSSL decides this, so it comes first; the process's memory goes
     * back at exit all the same.
     */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    e2c_json_wipe_freed();
    if (argc < 2) {
        print_usage(stderr);
        return E2C_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        print_usage(stdout);
        return E2C_EXIT_OK;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("e2call %s\n", E2C_VERSION);
        return E2C_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            int status = commands[i].run(argc - 1, argv + 1);
            /*
             * GStreamer's leaks tracer reports what is still alive when
             * GStreamer shuts down; without gst_deinit() it never does.
             * Only when tracing, as gst_deinit() is a debugging aid.
             */
            if (gst_is_initialized() && g_getenv("GST_TRACERS"))
                gst_deinit();
            return status;
        }
    }
    fprintf(stderr, "e2call: unknown command '%s'\n\n", argv[1]);
    print_usage(stderr);
    return E2C_EXIT_USAGE;
}
