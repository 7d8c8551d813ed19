/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket client (control-client.h). */

#include "control-client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "control-path.h"

G_DEFINE_QUARK(e2c - control - client - error - quark, e2c_control_client_error)

static int
remaining_ms(gint64 deadline)
{
    gint64 left = (deadline - g_get_monotonic_time() + 999) / 1000;
    return left > 0 ? (int)MIN(left, G_MAXINT) : 0;
}

static void untrusted(GError **error, const char *path, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* A refusal: E2C_CONTROL_CLIENT_ERROR_UNTRUSTED naming the socket and what is wrong. */
static void
untrusted(GError **error, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_UNTRUSTED,
                "refusing the control socket '%s': %s; nothing was sent", path, why);
    g_free(why);
}

/*
 * Before connecting: the directory is ours and only ours to write to (so
 * nobody else can have placed or replaced the socket), and the socket file
 * is ours. A missing path is left to connect(), which says so.
 */
static gboolean
check_location(const char *path, GError **error)
{
    uid_t me = geteuid();
    struct stat st;
    gchar *dir = g_path_get_dirname(path);
    gboolean ok = FALSE;
    if (stat(dir, &st) != 0) {
        ok = TRUE; /* connect() names the problem */
    } else if (st.st_uid != me) {
        untrusted(error, path, "its directory '%s' belongs to uid %u, not to us (uid %u)", dir,
                  (unsigned)st.st_uid, (unsigned)me);
    } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        untrusted(error, path, "its directory '%s' can be written by %s (mode %04o)", dir,
                  st.st_mode & S_IWOTH ? "all users" : "its group", (unsigned)(st.st_mode & 07777));
    } else if (lstat(path, &st) != 0) {
        ok = TRUE;
    } else if (S_ISLNK(st.st_mode)) {
        untrusted(error, path, "it is a symbolic link");
    } else if (!S_ISSOCK(st.st_mode)) {
        untrusted(error, path, "it is not a socket");
    } else if (st.st_uid != me) {
        untrusted(error, path, "it belongs to uid %u, not to us (uid %u)", (unsigned)st.st_uid,
                  (unsigned)me);
    } else {
        ok = TRUE;
    }
    g_free(dir);
    return ok;
}

/* After connecting: the process that listens runs as us (unix(7), SO_PEERCRED). */
static gboolean
check_peer(int fd, const char *path, GError **error)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
        int e = errno;
        untrusted(error, path, "its server's credentials cannot be read (%s)", g_strerror(e));
        return FALSE;
    }
    if (cred.uid != geteuid()) {
        untrusted(error, path, "the process serving it runs as uid %u, not as us (uid %u)",
                  (unsigned)cred.uid, (unsigned)geteuid());
        return FALSE;
    }
    return TRUE;
}

static int
connect_socket(const char *path, guint timeout_ms, GError **error)
{
    struct sockaddr_un addr;
    GError *local = NULL;
    if (!e2c_control_sockaddr(path, &addr, &local)) {
        g_set_error_literal(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_CONNECT,
                            local->message);
        g_error_free(local);
        return -1;
    }
    if (!check_location(path, error))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_CONNECT,
                    "cannot create a socket: %s", g_strerror(e));
        return -1;
    }
    /* A blocking connect() to a full backlog waits at most SO_SNDTIMEO (unix(7)). */
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int rc;
    do {
        rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        int e = errno;
        close(fd);
        g_set_error(error, E2C_CONTROL_CLIENT_ERROR,
                    e == EAGAIN || e == EINPROGRESS ? E2C_CONTROL_CLIENT_ERROR_TIMEOUT
                                                    : E2C_CONTROL_CLIENT_ERROR_CONNECT,
                    "cannot reach the control socket '%s': %s", path,
                    e == ECONNREFUSED ? "nobody is listening (the call has ended?)"
                                      : g_strerror(e));
        return -1;
    }
    if (!check_peer(fd, path, error)) {
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    return fd;
}

/* Writes everything, or stops quietly when the server hung up: its reply may be waiting. */
static gboolean
write_all(int fd, const char *data, size_t len, gint64 deadline, GError **error)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(fd, data + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {fd, POLLOUT, 0};
            int ms = remaining_ms(deadline);
            if (ms == 0 || poll(&p, 1, ms) == 0) {
                g_set_error_literal(error, E2C_CONTROL_CLIENT_ERROR,
                                    E2C_CONTROL_CLIENT_ERROR_TIMEOUT,
                                    "timed out sending the request");
                return FALSE;
            }
            continue;
        }
        return TRUE; /* EPIPE, ECONNRESET: read what the server said */
    }
    return TRUE;
}

static gboolean
read_line(int fd, gint64 deadline, GString *line, GError **error)
{
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n > 0) {
            const char *lf = memchr(buf, '\n', (size_t)n);
            g_string_append_len(line, buf, lf ? lf - buf : n);
            if (lf)
                return TRUE;
            if (line->len > E2C_CONTROL_MAX_REPLY) {
                g_set_error(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_PROTOCOL,
                            "the reply is longer than %d bytes", E2C_CONTROL_MAX_REPLY);
                return FALSE;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {fd, POLLIN, 0};
            int ms = remaining_ms(deadline);
            if (ms == 0 || poll(&p, 1, ms) == 0) {
                g_set_error_literal(error, E2C_CONTROL_CLIENT_ERROR,
                                    E2C_CONTROL_CLIENT_ERROR_TIMEOUT,
                                    "no reply from the control socket in time");
                return FALSE;
            }
            continue;
        }
        g_set_error(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_IO,
                    "the control socket closed without a reply%s%s", n < 0 ? ": " : "",
                    n < 0 ? g_strerror(errno) : "");
        return FALSE;
    }
}

gboolean
e2c_control_client_send(const char *path, const char *data, size_t len, guint timeout_ms,
                        struct e2c_control_reply *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    if (timeout_ms == 0)
        timeout_ms = E2C_CONTROL_CLIENT_TIMEOUT_MS;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    int fd = connect_socket(path, timeout_ms, error);
    if (fd < 0)
        return FALSE;
    GString *line = g_string_new(NULL);
    gboolean ok = write_all(fd, data, len, deadline, error) && read_line(fd, deadline, line, error);
    close(fd);
    if (ok) {
        GError *local = NULL;
        ok = e2c_control_reply_parse(line->str, line->len, out, &local);
        if (!ok) {
            g_set_error_literal(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_PROTOCOL,
                                local->message);
            g_error_free(local);
        }
    }
    g_string_free(line, TRUE);
    return ok;
}

gboolean
e2c_control_client_request(const char *path, enum e2c_control_request_type type, guint timeout_ms,
                           struct e2c_control_reply *out, GError **error)
{
    char buf[64];
    size_t n = type == E2C_CONTROL_REQUEST_REKEY
                   ? 0
                   : e2c_control_request_format(type, NULL, buf, sizeof(buf));
    if (n == 0) {
        memset(out, 0, sizeof(*out));
        g_set_error_literal(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_PROTOCOL,
                            "not a request without argument");
        return FALSE;
    }
    return e2c_control_client_send(path, buf, n, timeout_ms, out, error);
}

gboolean
e2c_control_client_rekey(const char *path, const struct e2c_secret *secret, guint timeout_ms,
                         struct e2c_control_reply *out, GError **error)
{
    char buf[E2C_CONTROL_MAX_LINE];
    size_t n = e2c_control_request_format(E2C_CONTROL_REQUEST_REKEY, secret, buf, sizeof(buf));
    gboolean ok;
    if (n == 0) {
        memset(out, 0, sizeof(*out));
        g_set_error_literal(error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_PROTOCOL,
                            "the secret does not fit in a request");
        ok = FALSE;
    } else {
        ok = e2c_control_client_send(path, buf, n, timeout_ms, out, error);
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return ok;
}
