/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "secret-args.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "secret-tty.h"

void
e2c_secret_args_entries(struct e2c_secret_args *args, GOptionEntry out[5])
{
    GOptionEntry entries[5] = {
        {"secret-file", 0, 0, G_OPTION_ARG_FILENAME, &args->file,
         "Read the secret from PATH (one trailing newline removed)", "PATH"},
        {"secret-stdin", 0, 0, G_OPTION_ARG_NONE, &args->from_stdin,
         "Read the secret from standard input (typed on a terminal: not shown)", NULL},
        {"secret-env", 0, 0, G_OPTION_ARG_STRING, &args->env,
         "Take the secret from environment variable NAME", "NAME"},
        {"secret", 0, 0, G_OPTION_ARG_STRING, &args->text,
         "The secret itself (visible to other users in the process list; prefer the others)",
         "TEXT"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    memcpy(out, entries, sizeof(entries));
}

gboolean
e2c_secret_args_given(const struct e2c_secret_args *args)
{
    return args->file || args->from_stdin || args->env || args->text;
}

void
e2c_secret_args_warn_exposure(const char *cmd, const char *what, const char *path, int exposure)
{
    if (exposure > 0)
        fprintf(stderr, "%s: warning: the %s '%s' can be read by %s%s%s; consider chmod 600\n", cmd,
                what, path, exposure & 040 ? "its group" : "",
                (exposure & 040) && (exposure & 004) ? " and " : "",
                exposure & 004 ? "all users" : "");
}

static int
fail(const char *cmd, int err, const struct e2c_secret *attempt, const char *source)
{
    char why[160];
    int saved = errno;
    errno = saved;
    e2c_secret_describe(err, attempt, why, sizeof(why));
    if (err == E2C_SECRET_E_IO || err == E2C_SECRET_E_NOMEM) {
        fprintf(stderr, "%s: cannot read the secret from %s: %s\n", cmd, source, why);
        return E2C_EXIT_USAGE;
    }
    fprintf(stderr, "%s: %s: %s (from %s)\n", cmd,
            e2c_error_name(E2C_ERR_INVALID_ENCRYPTION_SECRET), why, source);
    return E2C_EXIT_INVALID_SECRET;
}

/*
 * Once read, the variable goes: its value is overwritten where it lies (so
 * /proc/PID/environ no longer shows it) and it leaves the environment, which
 * libraries copy (NSS, loaded by libsrtp2, gathers the environment into a
 * buffer for its random generator and never wipes it) and child processes
 * (gst-plugin-scanner) inherit.
 */
static void
scrub_env(const char *name)
{
    char *value = getenv(name);
    if (value)
        OPENSSL_cleanse(value, strlen(value));
    unsetenv(name);
}

int
e2c_secret_args_read(struct e2c_secret_args *args, const char *cmd, struct e2c_secret *out)
{
    unsigned n = !!args->file + !!args->from_stdin + !!args->env + !!args->text;
    int err;
    memset(out, 0, sizeof(*out));
    if (n != 1) {
        fprintf(stderr,
                "%s: give exactly one of --secret-file, --secret-stdin, --secret-env, "
                "--secret (%u given)\n",
                cmd, n);
        return E2C_EXIT_USAGE;
    }
    if (args->file) {
        int exposure = 0;
        err = e2c_secret_read_file(out, args->file, &exposure);
        if (err != E2C_SECRET_OK)
            return fail(cmd, err, out, "the file");
        e2c_secret_args_warn_exposure(cmd, "secret file", args->file, exposure);
        return 0;
    }
    if (args->from_stdin) {
        /* Typed on a terminal: not shown, one line. Otherwise up to end of file. */
        if (isatty(STDIN_FILENO))
            err = e2c_secret_tty_read(out, cmd, "secret (not shown; end with Enter)");
        else
            err = e2c_secret_read_fd(out, STDIN_FILENO);
        return err == E2C_SECRET_OK ? 0 : fail(cmd, err, out, "standard input");
    }
    if (args->env) {
        err = e2c_secret_from_env(out, args->env);
        if (err == E2C_SECRET_E_IO && errno == ENOENT) {
            fprintf(stderr, "%s: the environment variable '%s' is not set\n", cmd, args->env);
            return E2C_EXIT_USAGE;
        }
        scrub_env(args->env);
        return err == E2C_SECRET_OK ? 0 : fail(cmd, err, out, "the environment");
    }
    fprintf(stderr,
            "%s: warning: --secret puts the secret in the process list, where other "
            "users can read it; prefer --secret-file, --secret-stdin or --secret-env\n",
            cmd);
    err = e2c_secret_set(out, args->text, strlen(args->text), 0);
    /* Shortens the exposure only: /proc/PID/cmdline showed it until now. */
    OPENSSL_cleanse(args->text, strlen(args->text));
    return err == E2C_SECRET_OK ? 0 : fail(cmd, err, out, "--secret");
}

void
e2c_secret_args_clear(struct e2c_secret_args *args)
{
    g_free(args->file);
    g_free(args->env);
    if (args->text) {
        OPENSSL_cleanse(args->text, strlen(args->text));
        g_free(args->text);
    }
    memset(args, 0, sizeof(*args));
}

void
e2c_secret_args_scrub_argv(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!strcmp(a, "--")) {
            break;
        } else if (!strcmp(a, "--secret") && i + 1 < argc) {
            OPENSSL_cleanse(argv[i + 1], strlen(argv[i + 1]));
            i++;
        } else if (!strncmp(a, "--secret=", 9)) {
            OPENSSL_cleanse(a + 9, strlen(a + 9));
        }
    }
}
