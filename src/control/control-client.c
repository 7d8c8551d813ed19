/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket client (control-client.h). */

#include "control-client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
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
