/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where control sockets live (a 0600 socket in a 0700 directory). The default directory is
 * $XDG_RUNTIME_DIR/e2call when that variable names a 0700 directory of ours (checked with lstat, as
 * the XDG Base Directory spec requires and Mercurial's chg does), else /run/user/<euid>/e2call
 * under the same checks, else a fresh mkdtemp("/tmp/e2call-XXXXXX") directory (CI runs as root
 * without a login session, where the variable is unset).
 */
#pragma once

#include <glib.h>

/* Socket file names in the default directory: join-<pid>.sock. */
#define E2C_CONTROL_SOCKET_PREFIX "join-"
#define E2C_CONTROL_SOCKET_SUFFIX ".sock"

/*
 * Checks that dir is a directory (not a symlink to one), owned by our
 * effective uid, with no access for group or others. FALSE with a
 * G_FILE_ERROR that names the problem and the fix.
 */
gboolean e2c_control_check_private_dir(const char *dir, GError **error);

/*
 * The default socket path for this process, with its directory created and
 * checked. *out_temp_dir is the mkdtemp() directory the caller must remove
 * after the socket (NULL when the directory is a shared one). Transfer full.
 */
gchar *e2c_control_default_path(gchar **out_temp_dir, GError **error);

/*
 * The sockets in the default places that a running e2call answers on
 * (a stale file, whose process died, does not count). Transfer full: an
 * array of paths, sorted.
 */
GPtrArray *e2c_control_find_sockets(void);

struct sockaddr_un;

/* Fills a sockaddr_un for a filesystem path (never the abstract namespace); FALSE if it does not
 * fit. */
gboolean e2c_control_sockaddr(const char *path, struct sockaddr_un *out, GError **error);

/*
 * Whether something answers on the socket at path: 1 it does (or its
 * backlog is full), 0 nobody listens (ECONNREFUSED: a leftover of a killed
 * process), -1 with errno for anything else (ENOENT, EACCES, ...).
 */
int e2c_control_probe(const char *path);
