/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Static files over HTTP with libwebsockets' file mount (cmd-web-server.h). */
#include "cmd-web-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2c-config.h"

struct e2c_web_server {
    GMainLoop *loop; /* never run: lws reads the context from it */
    struct lws_context *lws;
    struct lws_http_mount mount;
    struct lws_protocol_vhost_options headers[2];
    char *dir;
    int port;
};

gchar *
e2c_web_dir(GError **error)
{
    const char *env = g_getenv("E2CALL_WEB_DIR");
    gchar *dir = g_strdup(env && *env ? env : E2C_WEB_DIR);
    gchar *index = g_build_filename(dir, "index.html", NULL);
    gboolean ok = g_file_test(index, G_FILE_TEST_IS_REGULAR);
    g_free(index);
    if (!ok) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "the page is not installed: no index.html in %s (set E2CALL_WEB_DIR to a "
                    "source tree's src/web)",
                    dir);
        g_free(dir);
        return NULL;
    }
    return dir;
}

static int
http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", http_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/*
 * Binds a socket of our own to iface:port first, for two reasons: the
 * reason of a failure (address in use, or of no interface here) is said,
 * and libwebsockets takes an address it cannot bind for an interface that
 * may come later and listens nowhere meanwhile, without failing.
 */
static gboolean
can_bind(const char *iface, int port, GError **error)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, iface, &sa.sin_addr) != 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "cannot listen on %s: not a numeric IPv4 address", iface);
        return FALSE;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    /* As libwebsockets binds: connections of an earlier run in TIME_WAIT
     * do not keep the port. */
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot listen on %s:%d: %s",
                    iface, port, g_strerror(e));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    close(fd);
    return TRUE;
}

struct e2c_web_server *
e2c_web_server_start(const char *dir, const char *iface, int port, GError **error)
{
    if (!can_bind(iface, port, error))
        return NULL;
    struct e2c_web_server *s = g_new0(struct e2c_web_server, 1);
    s->loop = g_main_loop_new(g_main_context_get_thread_default(), FALSE);
    s->dir = g_strdup(dir);

    s->mount.mountpoint = "/";
    s->mount.mountpoint_len = 1;
    s->mount.origin = s->dir;
    s->mount.def = "index.html";
    s->mount.origin_protocol = LWSMPRO_FILE;
    /* Cross-origin isolation: finer timers for the page's figures; nothing is
     * loaded from elsewhere anyway. */
    s->headers[0].next = &s->headers[1];
    s->headers[0].name = "Cross-Origin-Opener-Policy:";
    s->headers[0].value = "same-origin";
    s->headers[1].name = "Cross-Origin-Embedder-Policy:";
    s->headers[1].value = "require-corp";

    void *foreign_loops[1] = {s->loop};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_GLIB | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    info.foreign_loops = foreign_loops;
    info.gid = (gid_t)-1;
    info.uid = (uid_t)-1;
    info.fd_limit_per_thread = 64;
    lws_set_log_level(LLL_ERR, NULL);
    s->lws = lws_create_context(&info);
    if (!s->lws) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "could not create a libwebsockets context on the GLib main loop "
                    "(is libwebsockets-evlib-glib installed?)");
        e2c_web_server_stop(s);
        return NULL;
    }
    /* IPv4 only: on an IPv6 socket libwebsockets binds an IPv4 address as
     * :: (every address, IPv4 ones included), so 127.0.0.1 would reach the
     * network. */
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    info.port = port;
    info.iface = iface;
    info.protocols = protocols;
    info.mounts = &s->mount;
    info.headers = &s->headers[0];
    info.vhost_name = "e2call-web";
    struct lws_vhost *vh = lws_create_vhost(s->lws, &info);
    if (!vh) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot listen on %s:%d", iface, port);
        e2c_web_server_stop(s);
        return NULL;
    }
    s->port = lws_get_vhost_listen_port(vh);
    return s;
}

int
e2c_web_server_port(const struct e2c_web_server *s)
{
    return s->port;
}

void
e2c_web_server_stop(struct e2c_web_server *s)
{
    if (!s)
        return;
    if (s->lws)
        lws_context_destroy(s->lws);
    g_main_loop_unref(s->loop);
    g_free(s->dir);
    g_free(s);
}
