/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A headless Chromium for `e2call web join`: Debian's chromium, a fresh
 * profile, fake media devices, the DevTools protocol on a pipe (fds 3 and 4,
 * no port), and every kind of background networking off, so that nothing
 * but the page's own requests to 127.0.0.1 and the router leaves it.
 */
#pragma once

#include <gio/gio.h>

struct e2c_chromium {
    GSubprocess *proc;
    gchar *profile; /* the --user-data-dir, removed by e2c_chromium_free() */
    int cdp_write;  /* our ends of the DevTools pipe */
    int cdp_read;
};

/*
 * The binary: $E2CALL_CHROMIUM, else "chromium" on PATH; NULL when there is
 * none (the caller exits 7, UNSUPPORTED, saying what to install).
 */
gchar *e2c_chromium_find(void);
/* Starts it (about:blank). NULL and *error when it could not be started. */
struct e2c_chromium *e2c_chromium_start(const char *binary, GError **error);
/* Kills it if it still runs, waits for it, removes the profile. */
void e2c_chromium_free(struct e2c_chromium *c);
