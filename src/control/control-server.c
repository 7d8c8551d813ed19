/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket server (control-server.h). Hardening follows the
 * practice of trusted daemons: wpa_supplicant's stale-socket probe and
 * buffer wiping, sway's CLOEXEC/NONBLOCK sockets and sun_path check, umask
 * around bind() instead of mpv's Linux-only fchmod(), and a limit on every
 * resource a client controls (systemd's CODING_STYLE).
 *
 * A connection reads only while it has no reply waiting to be sent and no
 * rekey in progress, so a client that pipelines requests without reading
 * replies holds at most one reply in memory.
 */

#include "control-server.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <openssl/crypto.h>

#include "control-path.h"
#include "control-proto.h"

#define MAX_CLIENTS 4
#define REQUEST_TIMEOUT_MS 2000
#define REKEY_INTERVAL_US G_USEC_PER_SEC
#define ACCEPT_BATCH 16
#define ACCEPT_PAUSE_MS 1000 /* after EMFILE: the listening fd would stay readable */
#define LISTEN_BACKLOG 16

struct conn;

/* A rekey waiting for its done callback; outlives the client and the server if need be. */
struct pending {
    struct e2c_control_server *server;
    struct conn *conn;
};

struct conn {
    struct e2c_control_server *server;
    int fd;
    GSource *source; /* the fd watch; a ready time of 0 makes it look at buffered lines */
    gpointer fd_tag;
    GSource *timer;
    GString *out;
    gsize out_sent;
    struct pending *pending;
    gboolean eof;
    gboolean leave_after_flush;
    struct e2c_control_framer framer;
};

struct conn_source {
    GSource base;
    struct conn *conn;
};

struct e2c_control_server {
    gchar *path;
    gchar *temp_dir; /* our mkdtemp() directory, removed with the socket */
    pid_t owner;     /* a forked child must not remove the parent's socket */
    dev_t dev;
    ino_t ino;
    volatile sig_atomic_t removed;
    int listen_fd;
    GSource *listen_source;
    GSource *resume_source;
    GMainContext *ctx;
    const struct e2c_control_ops *ops;
    gpointer user;
    GQueue conns;
    GQueue pendings;
    gint64 last_rekey_us;
    gboolean rekeying;
    GSource *leave_source;
    struct e2c_control_server_stats stats;
};

/* ---- removal at exit ---- */

G_LOCK_DEFINE_STATIC(live);
static GSList *live_servers;

static void
remove_all_at_exit(void)
{
    G_LOCK(live);
    for (GSList *l = live_servers; l; l = l->next)
        e2c_control_server_remove_socket(l->data);
    G_UNLOCK(live);
}

static void
register_live(struct e2c_control_server *s)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        atexit(remove_all_at_exit);
        g_once_init_leave(&once, 1);
    }
    G_LOCK(live);
    live_servers = g_slist_prepend(live_servers, s);
    G_UNLOCK(live);
}

static void
unregister_live(struct e2c_control_server *s)
{
    G_LOCK(live);
    live_servers = g_slist_remove(live_servers, s);
    G_UNLOCK(live);
}

void
e2c_control_server_remove_socket(struct e2c_control_server *s)
{
    struct stat st;
    /* Only calls from the async-signal-safe list: getpid, lstat, unlink, rmdir. */
    if (!s || s->removed || s->owner != getpid())
        return;
    s->removed = 1;
    if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == s->dev &&
        st.st_ino == s->ino)
        unlink(s->path);
    if (s->temp_dir)
        rmdir(s->temp_dir);
}

/* ---- the leave request ---- */

static gboolean
on_leave(gpointer data)
{
    struct e2c_control_server *s = data;
    g_source_unref(s->leave_source);
    s->leave_source = NULL;
    /* From an idle source, so the op may free the server. */
    if (s->ops && s->ops->leave)
        s->ops->leave(s->user);
    return G_SOURCE_REMOVE;
}

static void
schedule_leave(struct e2c_control_server *s)
{
    if (s->leave_source)
        return;
    s->leave_source = g_idle_source_new();
    g_source_set_callback(s->leave_source, on_leave, s, NULL);
    g_source_attach(s->leave_source, s->ctx);
}

/* ---- connections ---- */

static void
conn_close(struct conn *c)
{
    struct e2c_control_server *s = c->server;
    if (c->pending)
        c->pending->conn = NULL;
    if (c->leave_after_flush) /* the reply did not go out, the request stands */
        schedule_leave(s);
    g_queue_remove(&s->conns, c);
    if (c->timer) {
        g_source_destroy(c->timer);
        g_source_unref(c->timer);
    }
    g_source_destroy(c->source);
    g_source_unref(c->source);
    close(c->fd);
    e2c_control_framer_wipe(&c->framer);
    g_string_free(c->out, TRUE);
    g_free(c);
}

/* One best-effort line before closing: the socket buffer is empty then, so it fits. */
static void
send_final(int fd, const char *name, const char *message)
{
    GString *line = g_string_new(NULL);
    e2c_control_reply_error(line, name, "%s", message);
    ssize_t n = send(fd, line->str, line->len, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)n;
    g_string_free(line, TRUE);
}

static gboolean
waiting_on_client(const struct conn *c)
{
    return !c->pending;
}

static gboolean
on_timeout(gpointer data)
{
    struct conn *c = data;
    c->server->stats.timeouts++;
    if (c->out->len == 0)
        send_final(c->fd, E2C_CONTROL_E_TIMEOUT, "no request within 2 s");
    g_debug("control client timed out");
    conn_close(c);
    return G_SOURCE_REMOVE;
}

/* (Re)starts the 2 s limit whenever we begin waiting for the client. */
static void
conn_arm_timer(struct conn *c)
{
    if (c->timer) {
        g_source_destroy(c->timer);
        g_source_unref(c->timer);
        c->timer = NULL;
    }
    if (!waiting_on_client(c))
        return;
    c->timer = g_timeout_source_new(REQUEST_TIMEOUT_MS);
    g_source_set_callback(c->timer, on_timeout, c, NULL);
    g_source_attach(c->timer, c->server->ctx);
}

static gboolean
conn_can_process(const struct conn *c)
{
    return !c->pending && c->out->len == 0;
}

static void
conn_update(struct conn *c)
{
    GIOCondition cond = 0;
    if (c->out->len > 0)
        cond |= G_IO_OUT;
    else if (conn_can_process(c) && !c->eof)
        cond |= G_IO_IN;
    g_source_modify_unix_fd(c->source, c->fd_tag, cond);
}

/* FALSE when the client is gone. */
static gboolean
conn_flush(struct conn *c)
{
    while (c->out_sent < c->out->len) {
        ssize_t n = send(c->fd, c->out->str + c->out_sent, c->out->len - c->out_sent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TRUE;
        if (n <= 0)
            return FALSE;
        c->out_sent += (gsize)n;
    }
    g_string_truncate(c->out, 0);
    c->out_sent = 0;
    if (c->leave_after_flush) {
        c->leave_after_flush = FALSE;
        schedule_leave(c->server);
    }
    return TRUE;
}

static void
reply_json(GString *out, json_t *obj)
{
    if (!obj || !json_is_object(obj))
        e2c_control_reply_error(out, E2C_CONTROL_E_INTERNAL, "the call returned no object");
    else
        e2c_control_reply_ok(out, obj);
    if (obj)
        json_decref(obj);
}

static void
rekey_done(gpointer data, const GError *error)
{
    struct pending *p = data;
    if (p->server) {
        p->server->rekeying = FALSE;
        g_queue_remove(&p->server->pendings, p);
        if (!error)
            p->server->stats.rekeys++;
    }
    if (p->conn) {
        struct conn *c = p->conn;
        c->pending = NULL;
        if (error)
            e2c_control_reply_gerror(c->out, error);
        else
            e2c_control_reply_ok(c->out, NULL);
        /* Flush and look at pipelined lines from the dispatch, not from inside the op. */
        conn_arm_timer(c);
        conn_update(c);
        g_source_set_ready_time(c->source, 0);
    }
    g_free(p);
}

static void
handle_rekey(struct conn *c, struct e2c_control_request *req)
{
    struct e2c_control_server *s = c->server;
    const struct e2c_control_ops *ops = s->ops;
    gint64 now = g_get_monotonic_time();

    if (!ops || !ops->rekey) {
        e2c_control_reply_error(c->out, E2C_CONTROL_E_NOT_ENCRYPTED,
                                "this call has no end-to-end encryption to rekey");
        return;
    }
    if (s->rekeying) {
        s->stats.throttled++;
        e2c_control_reply_error(c->out, E2C_CONTROL_E_BUSY, "a rekey is in progress");
        return;
    }
    if (s->last_rekey_us && now - s->last_rekey_us < REKEY_INTERVAL_US) {
        s->stats.throttled++;
        e2c_control_reply_error(c->out, E2C_CONTROL_E_BUSY,
                                "at most one rekey per second; retry in %d ms",
                                (int)((REKEY_INTERVAL_US - (now - s->last_rekey_us) + 999) / 1000));
        return;
    }
    s->last_rekey_us = now;
    s->rekeying = TRUE;

    struct pending *p = g_new0(struct pending, 1);
    p->server = s;
    p->conn = c;
    c->pending = p;
    g_queue_push_tail(&s->pendings, p);

    /* control.h: the op takes the secret over; from here on it is not ours to read or free. */
    struct e2c_secret secret = req->secret;
    memset(&req->secret, 0, sizeof(req->secret));
    ops->rekey(s->user, &secret, rekey_done, p);
}

static void
handle_line(struct conn *c, const char *line, size_t len)
{
    struct e2c_control_server *s = c->server;
    struct e2c_control_request req;
    GError *error = NULL;

    s->stats.requests++;
    if (!e2c_control_request_parse(line, len, &req, &error)) {
        e2c_control_reply_gerror(c->out, error);
        g_error_free(error);
        return;
    }
    switch (req.type) {
    case E2C_CONTROL_REQUEST_STATUS:
    case E2C_CONTROL_REQUEST_STATS: {
        json_t *(*get)(gpointer) = req.type == E2C_CONTROL_REQUEST_STATUS
                                       ? (s->ops ? s->ops->status : NULL)
                                       : (s->ops ? s->ops->stats : NULL);
        if (!get)
            e2c_control_reply_error(c->out, E2C_CONTROL_E_BAD_REQUEST, "%s is not available here",
                                    e2c_control_request_type_to_string(req.type));
        else
            reply_json(c->out, get(s->user));
        break;
    }
    case E2C_CONTROL_REQUEST_LEAVE:
        if (!s->ops || !s->ops->leave) {
            e2c_control_reply_error(c->out, E2C_CONTROL_E_BAD_REQUEST,
                                    "leave is not available here");
            break;
        }
        e2c_control_reply_ok(c->out, NULL);
        c->leave_after_flush = TRUE;
        break;
    case E2C_CONTROL_REQUEST_HELP: {
        json_t *help = e2c_control_help();
        e2c_control_reply_ok(c->out, help);
        json_decref(help);
        break;
    }
    case E2C_CONTROL_REQUEST_REKEY:
        handle_rekey(c, &req);
        break;
    }
    e2c_control_request_clear(&req);
}

/* Handles complete lines while nothing waits; FALSE when the connection must close. */
static gboolean
conn_process(struct conn *c)
{
    while (conn_can_process(c)) {
        const char *line;
        size_t len;
        switch (e2c_control_framer_next(&c->framer, &line, &len)) {
        case E2C_CONTROL_FRAME_NEED_MORE:
            return TRUE;
        case E2C_CONTROL_FRAME_TOO_LONG:
            c->server->stats.too_long++;
            e2c_control_framer_wipe(&c->framer);
            send_final(c->fd, E2C_CONTROL_E_TOO_LONG, "a request line has at most 4096 bytes");
            return FALSE;
        case E2C_CONTROL_FRAME_LINE:
            handle_line(c, line, len);
            e2c_control_framer_consume(&c->framer, len);
            conn_arm_timer(c);
            break;
        }
    }
    return TRUE;
}

/* FALSE when the connection must close. */
static gboolean
conn_read(struct conn *c)
{
    size_t room;
    char *dst = e2c_control_framer_space(&c->framer, &room);
    if (room == 0)
        return TRUE; /* conn_process reports TOO_LONG */
    ssize_t n = recv(c->fd, dst, room, MSG_DONTWAIT);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0) {
        c->eof = TRUE;
        /* A last request without its LF still counts ("printf status | socat"). */
        if (c->framer.len > 0 && !memchr(c->framer.buf, '\n', c->framer.len))
            e2c_control_framer_push(&c->framer, "\n", 1);
        return TRUE;
    }
    e2c_control_framer_commit(&c->framer, (size_t)n);
    return TRUE;
}

static gboolean
conn_has_line(const struct conn *c)
{
    const char *line;
    size_t len;
    return e2c_control_framer_next(&c->framer, &line, &len) != E2C_CONTROL_FRAME_NEED_MORE;
}

static gboolean
conn_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    struct conn *c = ((struct conn_source *)source)->conn;
    GIOCondition rev = g_source_query_unix_fd(source, c->fd_tag);
    g_source_set_ready_time(source, -1);

    /*
     * Hang-up is reported whatever we poll for: with a reply or a rekey
     * outstanding it can never be delivered, and polling on would spin.
     */
    if ((rev & (G_IO_HUP | G_IO_ERR | G_IO_NVAL)) && !conn_can_process(c))
        goto close;
    if ((rev & G_IO_OUT) && !conn_flush(c))
        goto close;
    if ((rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) && conn_can_process(c) && !c->eof && !conn_read(c))
        goto close;
    if (!conn_process(c) || !conn_flush(c))
        goto close;
    if (conn_can_process(c)) {
        if (conn_has_line(c))
            g_source_set_ready_time(source, 0); /* the next pipelined line, on the next turn */
        else if (c->eof)
            goto close; /* everything answered */
    }
    conn_update(c);
    return G_SOURCE_CONTINUE;
close:
    conn_close(c);
    return G_SOURCE_REMOVE;
}

static GSourceFuncs conn_source_funcs = {
    .dispatch = conn_dispatch,
};

static void
conn_new(struct e2c_control_server *s, int fd)
{
    struct conn *c = g_new0(struct conn, 1);
    c->server = s;
    c->fd = fd;
    c->out = g_string_sized_new(64);
    c->source = g_source_new(&conn_source_funcs, sizeof(struct conn_source));
    ((struct conn_source *)c->source)->conn = c;
    c->fd_tag = g_source_add_unix_fd(c->source, fd, G_IO_IN);
    g_source_attach(c->source, s->ctx);
    g_queue_push_tail(&s->conns, c);
    conn_arm_timer(c);
}

/* ---- accepting ---- */

static gboolean on_listen(gint fd, GIOCondition condition, gpointer data);

static void
watch_listen(struct e2c_control_server *s)
{
    s->listen_source = g_unix_fd_source_new(s->listen_fd, G_IO_IN);
    g_source_set_callback(s->listen_source, G_SOURCE_FUNC(on_listen), s, NULL);
    g_source_attach(s->listen_source, s->ctx);
}

static gboolean
on_resume(gpointer data)
{
    struct e2c_control_server *s = data;
    g_source_unref(s->resume_source);
    s->resume_source = NULL;
    watch_listen(s);
    return G_SOURCE_REMOVE;
}

/* Logs the 1st, 2nd, 4th, 8th... refusal: a hostile peer cannot fill the log. */
static gboolean
worth_logging(guint64 count)
{
    return (count & (count - 1)) == 0;
}

static void
accept_one(struct e2c_control_server *s, int fd)
{
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 || clen != sizeof(cred) ||
        cred.uid != geteuid()) {
        s->stats.refused_peers++;
        if (worth_logging(s->stats.refused_peers))
            g_message("refused a control client of uid %ld (pid %ld); %" G_GUINT64_FORMAT
                      " refused so far",
                      clen == sizeof(cred) ? (long)cred.uid : -1L,
                      clen == sizeof(cred) ? (long)cred.pid : -1L, s->stats.refused_peers);
        send_final(fd, E2C_CONTROL_E_PERMISSION_DENIED,
                   "only the user running this e2call may use its control socket");
        close(fd);
        return;
    }
    if (g_queue_get_length(&s->conns) >= MAX_CLIENTS) {
        s->stats.busy++;
        send_final(fd, E2C_CONTROL_E_BUSY, "too many control clients (at most 4 at once)");
        close(fd);
        return;
    }
    s->stats.accepted++;
    conn_new(s, fd);
}

static gboolean
on_listen(gint listen_fd, GIOCondition condition, gpointer data)
{
    struct e2c_control_server *s = data;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            accept_one(s, fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            g_message("control socket: cannot accept (%s); pausing for %d ms", g_strerror(errno),
                      ACCEPT_PAUSE_MS);
            s->resume_source = g_timeout_source_new(ACCEPT_PAUSE_MS);
            g_source_set_callback(s->resume_source, on_resume, s, NULL);
            g_source_attach(s->resume_source, s->ctx);
            g_source_unref(s->listen_source);
            s->listen_source = NULL;
            return G_SOURCE_REMOVE;
        }
        break; /* EAGAIN */
    }
    return G_SOURCE_CONTINUE;
}

/* ---- setting up ---- */

/* bind() under umask 0177, so the socket is 0600 from its first moment. */
static int
bind_private(int fd, const struct sockaddr_un *addr)
{
    mode_t old = umask(0177);
    int rc = bind(fd, (const struct sockaddr *)addr, sizeof(*addr));
    int e = errno;
    umask(old);
    errno = e;
    return rc;
}

static gboolean
bind_socket(struct e2c_control_server *s, const struct sockaddr_un *addr, GError **error)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        if (bind_private(s->listen_fd, addr) == 0)
            return TRUE;
        int e = errno;
        if (e != EADDRINUSE) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                        "cannot create the control socket '%s': %s", s->path, g_strerror(e));
            return FALSE;
        }
        struct stat st;
        if (lstat(s->path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                        "'%s' exists and is not a socket; not replacing it", s->path);
            return FALSE;
        }
        int alive = e2c_control_probe(s->path);
        if (alive == 1) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "another e2call is using %s",
                        s->path);
            return FALSE;
        }
        if (alive == 0) {
            /* wpa_supplicant: nobody answers, so it was left by a killed process. */
            g_message("replacing the stale control socket %s", s->path);
            if (unlink(s->path) != 0 && errno != ENOENT) {
                e = errno;
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                            "cannot remove the stale control socket '%s': %s", s->path,
                            g_strerror(e));
                return FALSE;
            }
        } else if (errno != ENOENT) {
            e = errno;
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                        "cannot use the control socket '%s': %s", s->path, g_strerror(e));
            return FALSE;
        }
    }
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "cannot create the control socket '%s': it keeps reappearing", s->path);
    return FALSE;
}

static gboolean
resolve_path(struct e2c_control_server *s, const char *path, GError **error)
{
    if (!path) {
        s->path = e2c_control_default_path(&s->temp_dir, error);
        return s->path != NULL;
    }
    if (!path[0]) {
        g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "the control socket needs a file path");
        return FALSE;
    }
    /* Absolute, so a later chdir() cannot make us remove another file. */
    s->path = g_canonicalize_filename(path, NULL);
    gchar *dir = g_path_get_dirname(s->path);
    gboolean ok = e2c_control_check_private_dir(dir, error);
    g_free(dir);
    return ok;
}

struct e2c_control_server *
e2c_control_server_new(const char *path, const struct e2c_control_ops *ops, gpointer user,
                       GError **error)
{
    struct e2c_control_server *s = g_new0(struct e2c_control_server, 1);
    struct sockaddr_un addr;
    struct stat st;

    s->listen_fd = -1;
    s->ops = ops;
    s->user = user;
    s->owner = getpid();
    s->removed = 1; /* nothing to remove until bind() succeeds */
    g_queue_init(&s->conns);
    g_queue_init(&s->pendings);
    s->ctx = g_main_context_ref_thread_default();

    if (!resolve_path(s, path, error) || !e2c_control_sockaddr(s->path, &addr, error))
        goto fail;
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->listen_fd < 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                    "cannot create a Unix socket: %s", g_strerror(e));
        goto fail;
    }
    if (!bind_socket(s, &addr, error))
        goto fail;
    if (lstat(s->path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "the control socket '%s' vanished after bind()", s->path);
        goto fail;
    }
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->removed = 0;
    if (listen(s->listen_fd, LISTEN_BACKLOG) != 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot listen on '%s': %s",
                    s->path, g_strerror(e));
        goto fail;
    }
    watch_listen(s);
    register_live(s);
    return s;

fail:
    e2c_control_server_remove_socket(s);
    if (s->temp_dir) /* remove_socket() skips it when nothing was bound */
        rmdir(s->temp_dir);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    g_main_context_unref(s->ctx);
    g_free(s->path);
    g_free(s->temp_dir);
    g_free(s);
    return NULL;
}

const char *
e2c_control_server_get_path(const struct e2c_control_server *s)
{
    return s->path;
}

void
e2c_control_server_free(struct e2c_control_server *s)
{
    if (!s)
        return;
    unregister_live(s);
    if (s->listen_source) {
        g_source_destroy(s->listen_source);
        g_source_unref(s->listen_source);
    }
    if (s->resume_source) {
        g_source_destroy(s->resume_source);
        g_source_unref(s->resume_source);
    }
    if (s->leave_source) {
        g_source_destroy(s->leave_source);
        g_source_unref(s->leave_source);
    }
    /* Rekeys still running report to nobody. */
    for (GList *l = s->pendings.head; l; l = l->next)
        ((struct pending *)l->data)->server = NULL;
    g_queue_clear(&s->pendings);
    while (!g_queue_is_empty(&s->conns)) {
        struct conn *c = g_queue_peek_head(&s->conns);
        c->leave_after_flush = FALSE;
        conn_close(c);
    }
    e2c_control_server_remove_socket(s);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    g_main_context_unref(s->ctx);
    g_free(s->path);
    g_free(s->temp_dir);
    g_free(s);
}

void
e2c_control_server_get_stats(const struct e2c_control_server *s,
                             struct e2c_control_server_stats *out)
{
    *out = s->stats;
}

gboolean
e2c_control_server_buffers_contain(const struct e2c_control_server *s, const void *needle,
                                   gsize len)
{
    for (GList *l = s->conns.head; l; l = l->next) {
        const struct conn *c = l->data;
        if (len > 0 && memmem(c->framer.buf, sizeof(c->framer.buf), needle, len))
            return TRUE;
    }
    return FALSE;
}
