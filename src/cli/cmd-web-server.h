/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The browser participant's files over HTTP (libwebsockets on the GLib main
 * loop): the page, its modules and its worker, from one directory, for
 * `e2call web serve` and for the Chromium that `e2call web join` drives.
 */
#pragma once

#include <glib.h>

struct e2c_web_server;

/*
 * The directory the page is served from: $E2CALL_WEB_DIR when set (a source
 * tree's src/web, for tests), else the installed one. NULL (and a message in
 * *error) when it holds no index.html.
 */
gchar *e2c_web_dir(GError **error);

/*
 * Serves dir on iface:port of the thread-default main context (port 0: a
 * free one); iface is a numeric IPv4 address, and only it is listened on.
 * Every response carries Cross-Origin-Opener-Policy and -Embedder-Policy,
 * so the page is cross-origin isolated (performance.now() at 5
 * microseconds).
 */
struct e2c_web_server *e2c_web_server_start(const char *dir, const char *iface, int port,
                                            GError **error);
/* The port it listens on. */
int e2c_web_server_port(const struct e2c_web_server *s);
void e2c_web_server_stop(struct e2c_web_server *s);
