/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Control socket locations (control-path.h). */

#include "control-path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define TMP_PATTERN_DIR "/tmp"
#define TMP_PATTERN_PREFIX "e2call-"

/* lstat-based: a symlink to a good directory is refused, so nobody can redirect us. */
static gboolean
is_private_dir(const char *dir, struct stat *st)
{
    return lstat(dir, st) == 0 && S_ISDIR(st->st_mode) && st->st_uid == geteuid() &&
           (st->st_mode & 0777) == 0700;
}

gboolean
e2c_control_check_private_dir(const char *dir, GError **error)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot use '%s': %s", dir,
                    g_strerror(e));
        return FALSE;
    }
    if (S_ISLNK(st.st_mode)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "'%s' is a symbolic link; the control socket needs a real directory", dir);
        return FALSE;
    }
    if (!S_ISDIR(st.st_mode)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, "'%s' is not a directory", dir);
        return FALSE;
    }
    if (st.st_uid != geteuid()) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "'%s' belongs to uid %u, not to us (uid %u)", dir, (unsigned)st.st_uid,
                    (unsigned)geteuid());
        return FALSE;
    }
    if ((st.st_mode & 0077) != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "'%s' has mode %04o; the control socket needs a private directory "
                    "(chmod 700 '%s')",
                    dir, (unsigned)(st.st_mode & 07777), dir);
        return FALSE;
    }
    return TRUE;
}

/* $XDG_RUNTIME_DIR, else /run/user/<euid>, when private; NULL otherwise. */
static gchar *
runtime_base(void)
{
    struct stat st;
    const char *xdg = g_getenv("XDG_RUNTIME_DIR");
    if (xdg && g_path_is_absolute(xdg) && is_private_dir(xdg, &st))
        return g_strdup(xdg);
    gchar *run = g_strdup_printf("/run/user/%u", (unsigned)geteuid());
    if (is_private_dir(run, &st))
        return run;
    g_free(run);
    return NULL;
}

gchar *
e2c_control_default_path(gchar **out_temp_dir, GError **error)
{
    gchar *dir = NULL;
    gchar *temp = NULL;
    gchar *base = runtime_base();

    if (base) {
        dir = g_build_filename(base, "e2call", NULL);
        g_free(base);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create '%s': %s",
                        dir, g_strerror(e));
            g_free(dir);
            return NULL;
        }
    } else {
        gchar *tmpl = g_strdup(TMP_PATTERN_DIR "/" TMP_PATTERN_PREFIX "XXXXXX");
        if (!mkdtemp(tmpl)) {
            int e = errno;
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                        "cannot create a directory in " TMP_PATTERN_DIR ": %s", g_strerror(e));
            g_free(tmpl);
            return NULL;
        }
        dir = temp = tmpl;
    }
    if (!e2c_control_check_private_dir(dir, error)) {
        if (temp)
            rmdir(temp);
        g_free(dir);
        return NULL;
    }
    gchar *path = g_strdup_printf("%s/" E2C_CONTROL_SOCKET_PREFIX "%ld" E2C_CONTROL_SOCKET_SUFFIX,
                                  dir, (long)getpid());
    if (out_temp_dir)
        *out_temp_dir = temp ? g_strdup(temp) : NULL;
    else if (temp)
        rmdir(temp);
    g_free(dir);
    return path;
}

gboolean
e2c_control_sockaddr(const char *path, struct sockaddr_un *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    out->sun_family = AF_UNIX;
    /* An empty path or a leading NUL would be Linux's abstract namespace: no permissions at all. */
    if (!path || !path[0]) {
        g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "the control socket needs a file path");
        return FALSE;
    }
    size_t len = strlen(path);
    if (len >= sizeof(out->sun_path)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                    "the control socket path '%s' has %zu bytes; a Unix socket path has at most "
                    "%zu",
                    path, len, sizeof(out->sun_path) - 1);
        return FALSE;
    }
    memcpy(out->sun_path, path, len + 1);
    return TRUE;
}

int
e2c_control_probe(const char *path)
{
    struct sockaddr_un addr;
    if (!e2c_control_sockaddr(path, &addr, NULL)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* Non-blocking: a full backlog gives EAGAIN at once instead of a wait. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int rc;
    do {
        rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    } while (rc != 0 && errno == EINTR);
    int e = errno;
    close(fd);
    if (rc == 0 || e == EAGAIN || e == EINPROGRESS)
        return 1;
    if (e == ECONNREFUSED)
        return 0;
    errno = e;
    return -1;
}

static gboolean
is_socket_name(const char *name)
{
    return g_str_has_prefix(name, E2C_CONTROL_SOCKET_PREFIX) &&
           g_str_has_suffix(name, E2C_CONTROL_SOCKET_SUFFIX);
}

struct dir_id {
    dev_t dev;
    ino_t ino;
};

static void
scan_dir(const char *dir, GPtrArray *found, GArray *seen)
{
    struct stat st;
    if (!is_private_dir(dir, &st))
        return;
    /* $XDG_RUNTIME_DIR usually is /run/user/<uid>: list each directory once. */
    for (guint i = 0; i < seen->len; i++) {
        const struct dir_id *id = &g_array_index(seen, struct dir_id, i);
        if (id->dev == st.st_dev && id->ino == st.st_ino)
            return;
    }
    struct dir_id id = {st.st_dev, st.st_ino};
    g_array_append_val(seen, id);

    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_socket_name(e->d_name))
            continue;
        gchar *path = g_build_filename(dir, e->d_name, NULL);
        struct stat sst;
        if (lstat(path, &sst) == 0 && S_ISSOCK(sst.st_mode) && sst.st_uid == geteuid() &&
            e2c_control_probe(path) == 1)
            g_ptr_array_add(found, g_steal_pointer(&path));
        g_free(path);
    }
    closedir(d);
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
e2c_control_find_sockets(void)
{
    GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
    GArray *seen = g_array_new(FALSE, FALSE, sizeof(struct dir_id));

    const char *xdg = g_getenv("XDG_RUNTIME_DIR");
    if (xdg && g_path_is_absolute(xdg)) {
        gchar *d = g_build_filename(xdg, "e2call", NULL);
        scan_dir(d, found, seen);
        g_free(d);
    }
    gchar *run = g_strdup_printf("/run/user/%u/e2call", (unsigned)geteuid());
    scan_dir(run, found, seen);
    g_free(run);

    DIR *tmp = opendir(TMP_PATTERN_DIR);
    if (tmp) {
        struct dirent *e;
        while ((e = readdir(tmp))) {
            if (!g_str_has_prefix(e->d_name, TMP_PATTERN_PREFIX) ||
                strlen(e->d_name) != strlen(TMP_PATTERN_PREFIX) + 6)
                continue;
            gchar *d = g_build_filename(TMP_PATTERN_DIR, e->d_name, NULL);
            scan_dir(d, found, seen);
            g_free(d);
        }
        closedir(tmp);
    }
    g_array_unref(seen);
    g_ptr_array_sort(found, compare_paths);
    return found;
}
