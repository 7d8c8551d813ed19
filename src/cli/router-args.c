/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "router-args.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "errors.h"
#include "events.h"
#include "secret.h"
#include "ws-transport.h"

/* Janus compares these as strings; 1 KiB is far beyond any real one. */
#define CREDENTIAL_MAX_BYTES 1024

void
e2c_router_args_entries(struct e2c_router_args *args, enum e2c_router_args_use use,
                        GOptionEntry out[E2C_ROUTER_ARGS_ENTRIES])
{
    const char *pin_file = use == E2C_ROUTER_ARGS_CREATE
                               ? "Give the room a PIN, read from PATH: joining then needs it"
                               : "The room's PIN, read from PATH (rooms created with one)";
    const char *pin_env = use == E2C_ROUTER_ARGS_CREATE
                              ? "Give the room a PIN, taken from environment variable NAME"
                              : "The room's PIN, from environment variable NAME";
    const char *secret_file =
        use == E2C_ROUTER_ARGS_CREATE
            ? "Give the room a secret, read from PATH: destroying it then needs it"
            : "The room's secret, read from PATH (rooms created with one)";
    const char *secret_env = use == E2C_ROUTER_ARGS_CREATE
                                 ? "Give the room a secret, from environment variable NAME"
                                 : "The room's secret, from environment variable NAME";
    guint n = 0;
    GOptionEntry e[] = {
        {"api-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &args->api_secret_file,
         "The router's API secret (Janus api_secret), read from PATH", "PATH"},
        {"api-secret-env", 0, 0, G_OPTION_ARG_STRING, &args->api_secret_env,
         "The router's API secret, from environment variable NAME", "NAME"},
        {"token-file", 0, 0, G_OPTION_ARG_FILENAME, &args->token_file,
         "A Janus API token (token_auth), read from PATH", "PATH"},
        {"token-env", 0, 0, G_OPTION_ARG_STRING, &args->token_env,
         "A Janus API token, from environment variable NAME", "NAME"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(e); i++)
        out[n++] = e[i];
    if (use != E2C_ROUTER_ARGS_DESTROY) {
        out[n++] = (GOptionEntry){"room-pin-file", 0,        0,     G_OPTION_ARG_FILENAME,
                                  &args->pin_file, pin_file, "PATH"};
        out[n++] = (GOptionEntry){"room-pin-env", 0,       0,     G_OPTION_ARG_STRING,
                                  &args->pin_env, pin_env, "NAME"};
    }
    if (use != E2C_ROUTER_ARGS_JOIN) {
        out[n++] =
            (GOptionEntry){"room-secret-file",      0,           0,     G_OPTION_ARG_FILENAME,
                           &args->room_secret_file, secret_file, "PATH"};
        out[n++] = (GOptionEntry){"room-secret-env",      0,          0,     G_OPTION_ARG_STRING,
                                  &args->room_secret_env, secret_env, "NAME"};
    }
    out[n++] = (GOptionEntry){"ca-file",
                              0,
                              0,
                              G_OPTION_ARG_FILENAME,
                              &args->ca_file,
                              "wss://: also trust the CA certificates in this PEM file",
                              "PATH"};
    out[n] = (GOptionEntry){NULL, 0, 0, 0, NULL, NULL, NULL};
}

/* ---- reading one credential ---------------------------------------------------- */

/* Why a value cannot be used, without a word of its content; NULL when it can. */
static const char *
invalid_value(const char *v, gsize len)
{
    if (len == 0)
        return "is empty";
    if (len > CREDENTIAL_MAX_BYTES)
        return "is longer than 1024 bytes";
    if (memchr(v, '\0', len) || !g_utf8_validate(v, (gssize)len, NULL))
        return "is not UTF-8 text";
    for (gsize i = 0; i < len; i++)
        if ((guchar)v[i] < 0x20 || v[i] == 0x7f)
            return "contains a control character";
    return NULL;
}

static char *
copy_value(const char *v, gsize len)
{
    char *out = g_malloc(len + 1);
    memcpy(out, v, len);
    out[len] = '\0';
    return out;
}

/*
 * A file's whole content, one trailing LF or CRLF removed. Read by the one
 * reader of files that hold secrets (no symbolic links, FIFOs or devices;
 * bounded before anything is read), as --secret-file is.
 */
static int
read_file(const char *cmd, const char *what, const char *path, char **out)
{
    struct e2c_secret_file f = {0};
    int rc = e2c_secret_file_read(path, CREDENTIAL_MAX_BYTES + 2, &f);
    if (rc == E2C_SECRET_E_TOO_LONG) {
        fprintf(stderr, "%s: the %s in '%s' is longer than 1024 bytes\n", cmd, what, path);
        return E2C_EXIT_USAGE;
    }
    if (rc != E2C_SECRET_OK) {
        fprintf(stderr, "%s: cannot read the %s from '%s': %s\n", cmd, what, path,
                rc == E2C_SECRET_E_IO ? e2c_secret_file_strerror(errno) : "out of memory");
        return E2C_EXIT_USAGE;
    }
    gsize len = f.len;
    if (len > 0 && f.bytes[len - 1] == '\n')
        len--;
    if (len > 0 && f.bytes[len - 1] == '\r')
        len--;
    int status = 0;
    const char *why = invalid_value(f.bytes, len);
    if (why) {
        fprintf(stderr, "%s: the %s in '%s' %s\n", cmd, what, path, why);
        status = E2C_EXIT_USAGE;
    } else {
        *out = copy_value(f.bytes, len);
        if (f.exposure > 0)
            fprintf(stderr, "%s: warning: the %s file '%s' can be read by %s; consider chmod 600\n",
                    cmd, what, path, f.exposure & 004 ? "all users" : "its group");
    }
    e2c_secret_file_clear(&f);
    return status;
}

/*
 * As for the E2EE secret: once read, the variable's value is overwritten
 * where it lies and the variable leaves the environment, so neither
 * /proc/PID/environ, the libraries that copy the environment nor child
 * processes see it any longer.
 */
static int
read_env(const char *cmd, const char *what, const char *name, char **out)
{
    char *value = getenv(name);
    if (!value) {
        fprintf(stderr, "%s: the environment variable '%s' (the %s) is not set\n", cmd, name, what);
        return E2C_EXIT_USAGE;
    }
    gsize len = strlen(value);
    const char *why = invalid_value(value, len);
    if (why)
        fprintf(stderr, "%s: the %s in the environment variable '%s' %s\n", cmd, what, name, why);
    else
        *out = copy_value(value, len);
    OPENSSL_cleanse(value, len);
    unsetenv(name);
    return why ? E2C_EXIT_USAGE : 0;
}

static int
read_one(const char *cmd, const char *what, const char *flag, const char *file, const char *env,
         char **out)
{
    if (file && env) {
        fprintf(stderr, "%s: give the %s with --%s-file or --%s-env, not both\n", cmd, what, flag,
                flag);
        return E2C_EXIT_USAGE;
    }
    if (file)
        return read_file(cmd, what, file, out);
    if (env)
        return read_env(cmd, what, env, out);
    return 0;
}

int
e2c_router_args_read(struct e2c_router_args *args, const char *cmd, struct e2c_router_access *out)
{
    memset(out, 0, sizeof(*out));
    int status;
    if ((status = read_one(cmd, "API secret", "api-secret", args->api_secret_file,
                           args->api_secret_env, &out->api_secret)) ||
        (status =
             read_one(cmd, "API token", "token", args->token_file, args->token_env, &out->token)) ||
        (status =
             read_one(cmd, "room PIN", "room-pin", args->pin_file, args->pin_env, &out->pin)) ||
        (status = read_one(cmd, "room secret", "room-secret", args->room_secret_file,
                           args->room_secret_env, &out->room_secret))) {
        e2c_router_access_clear(out);
        return status;
    }
    if (args->ca_file) {
        GError *error = NULL;
        if (!e2c_ws_check_ca_file(args->ca_file, &error)) {
            fprintf(stderr, "%s: --ca-file: %s\n", cmd, error->message);
            g_error_free(error);
            e2c_router_access_clear(out);
            return E2C_EXIT_USAGE;
        }
        out->ca_file = args->ca_file;
    }
    return 0;
}

static void
wipe(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        g_free(*s);
        *s = NULL;
    }
}

void
e2c_router_access_clear(struct e2c_router_access *access)
{
    wipe(&access->api_secret);
    wipe(&access->token);
    wipe(&access->pin);
    wipe(&access->room_secret);
    access->ca_file = NULL;
}

void
e2c_router_args_clear(struct e2c_router_args *args)
{
    g_free(args->api_secret_file);
    g_free(args->api_secret_env);
    g_free(args->token_file);
    g_free(args->token_env);
    g_free(args->pin_file);
    g_free(args->pin_env);
    g_free(args->room_secret_file);
    g_free(args->room_secret_env);
    g_free(args->ca_file);
    memset(args, 0, sizeof(*args));
}

/* ---- ws:// to another machine ---------------------------------------------------- */

void
e2c_router_warn_cleartext(const char *cmd, const char *url, const struct e2c_router_access *access,
                          gboolean json)
{
    if (!e2c_ws_url_is_cleartext_remote(url))
        return;
    g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    GString *exposed = g_string_new(NULL);
    const char *names[] = {access && access->api_secret ? "the API secret" : NULL,
                           access && access->token ? "the API token" : NULL,
                           access && access->pin ? "the room PIN" : NULL,
                           access && access->room_secret ? "the room secret" : NULL};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        if (names[i])
            g_string_append_printf(exposed, ", %s", names[i]);
    g_autofree char *host = e2c_printable(uri ? g_uri_get_host(uri) : url);
    g_autofree char *message = g_strdup_printf(
        "ws:// is not encrypted and %s is not this machine: whoever is on the network path can "
        "read and change the signalling (room, display names, SDP%s); use wss://",
        host, exposed->str);
    g_string_free(exposed, TRUE);
    fprintf(stderr, "%s: warning: %s\n", cmd, message);
    if (json) {
        struct e2c_events *ev = e2c_events_new(stdout, NULL);
        json_t *e = e2c_event_new("notice");
        json_object_set_new(e, "message", json_string(message));
        e2c_events_emit(ev, e);
        e2c_events_free(ev);
    }
}
