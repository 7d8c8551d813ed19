/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the router asks for, as command-line options: the Janus API secret
 * and token, the room's PIN and secret, a CA file for wss://; and the
 * warning for ws:// to another machine. Credentials come from a file or
 * the environment (never the command line, where other users can read
 * them), are checked without ever being printed, and are wiped when done.
 */
#pragma once

#include <glib.h>

/* Which options a command takes. */
enum e2c_router_args_use {
    E2C_ROUTER_ARGS_JOIN,    /* join, load: API secret, token, PIN to join, CA file */
    E2C_ROUTER_ARGS_CREATE,  /* session create: also the room's secret; the PIN to set */
    E2C_ROUTER_ARGS_DESTROY, /* session destroy: API secret, token, room secret, CA file */
};

struct e2c_router_args {
    gchar *api_secret_file, *api_secret_env;
    gchar *token_file, *token_env;
    gchar *pin_file, *pin_env;
    gchar *room_secret_file, *room_secret_env;
    gchar *ca_file;
};

/* At most this many entries, the terminator included. */
#define E2C_ROUTER_ARGS_ENTRIES 10

void e2c_router_args_entries(struct e2c_router_args *args, enum e2c_router_args_use use,
                             GOptionEntry out[E2C_ROUTER_ARGS_ENTRIES]);

/* The values read; NULL where nothing was given. */
struct e2c_router_access {
    char *api_secret, *token, *pin, *room_secret;
    const char *ca_file; /* args->ca_file, checked */
};

/*
 * Reads every credential named and checks the CA file. Returns 0, or 2
 * (usage) after printing one line prefixed with cmd (a file and a variable
 * for the same thing, an unreadable source, an empty or invalid value, a
 * CA file OpenSSL cannot load). Never prints a value.
 */
int e2c_router_args_read(struct e2c_router_args *args, const char *cmd,
                         struct e2c_router_access *out);
/* Wipes and frees the values. */
void e2c_router_access_clear(struct e2c_router_access *access);
void e2c_router_args_clear(struct e2c_router_args *args);

/*
 * For a ws:// URL to another machine (e2c_ws_url_is_cleartext_remote()):
 * one warning line on stderr, prefixed with cmd, naming what is exposed;
 * with json, also a "notice" event on stdout. Nothing otherwise.
 */
void e2c_router_warn_cleartext(const char *cmd, const char *url,
                               const struct e2c_router_access *access, gboolean json);
