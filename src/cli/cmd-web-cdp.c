/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DevTools protocol framing and request matching over two pipes (cmd-web-cdp.h). */
#include "cmd-web-cdp.h"

#include <errno.h>
#include <unistd.h>

/* A reply or event larger than this is not something the page sends: the pipe is dropped. */
#define MESSAGE_MAX (16 * 1024 * 1024)

struct pending {
    E2cCdpReplyFunc reply;
    void *data;
};

struct e2c_cdp {
    int write_fd, read_fd;
    GIOChannel *channel;
    guint watch;
    GByteArray *rx;
    GHashTable *pending; /* id -> struct pending */
    guint next_id;
    E2cCdpEventFunc on_event;
    E2cCdpClosedFunc on_closed;
    void *data;
};

static void
dispatch(struct e2c_cdp *c, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *m = json_loadb(text, len, 0, &jerr);
    if (!json_is_object(m)) {
        json_decref(m);
        return;
    }
    json_t *id = json_object_get(m, "id");
    if (json_is_integer(id)) {
        gpointer key = GUINT_TO_POINTER((guint)json_integer_value(id));
        struct pending *p = g_hash_table_lookup(c->pending, key);
        if (p) {
            g_hash_table_steal(c->pending, key);
            if (p->reply)
                p->reply(p->data, json_object_get(m, "result"), json_object_get(m, "error"));
            g_free(p);
        }
    } else {
        const char *method = json_string_value(json_object_get(m, "method"));
        if (method && c->on_event)
            c->on_event(c->data, method, json_object_get(m, "params"),
                        json_string_value(json_object_get(m, "sessionId")));
    }
    json_decref(m);
}

static gboolean
readable(GIOChannel *ch, GIOCondition cond, gpointer data)
{
    (void)ch;
    (void)cond;
    struct e2c_cdp *c = data;
    guint8 buf[65536];
    ssize_t n = read(c->read_fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return G_SOURCE_CONTINUE;
    if (n <= 0 || c->rx->len + (size_t)n > MESSAGE_MAX) {
        c->watch = 0;
        if (c->on_closed)
            c->on_closed(c->data);
        return G_SOURCE_REMOVE;
    }
    g_byte_array_append(c->rx, buf, (guint)n);
    size_t start = 0;
    for (size_t i = 0; i < c->rx->len; i++) {
        if (c->rx->data[i] != 0)
            continue;
        dispatch(c, (const char *)c->rx->data + start, i - start);
        start = i + 1;
    }
    g_byte_array_remove_range(c->rx, 0, (guint)start);
    return G_SOURCE_CONTINUE;
}

struct e2c_cdp *
e2c_cdp_new(int write_fd, int read_fd, E2cCdpEventFunc on_event, E2cCdpClosedFunc on_closed,
            void *data)
{
    struct e2c_cdp *c = g_new0(struct e2c_cdp, 1);
    c->write_fd = write_fd;
    c->read_fd = read_fd;
    c->rx = g_byte_array_new();
    c->pending = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    c->next_id = 1;
    c->on_event = on_event;
    c->on_closed = on_closed;
    c->data = data;
    c->channel = g_io_channel_unix_new(read_fd);
    GSource *src = g_io_create_watch(c->channel, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(src, (GSourceFunc)(void (*)(void))readable, c, NULL);
    c->watch = g_source_attach(src, g_main_context_get_thread_default());
    g_source_unref(src);
    return c;
}

static gboolean
write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        p += n;
        len -= (size_t)n;
    }
    return TRUE;
}

gboolean
e2c_cdp_call(struct e2c_cdp *c, const char *session, const char *method, json_t *params,
             E2cCdpReplyFunc reply, void *reply_data)
{
    guint id = c->next_id++;
    json_t *m = json_pack("{s:I, s:s}", "id", (json_int_t)id, "method", method);
    json_object_set_new(m, "params", params ? params : json_object());
    if (session)
        json_object_set_new(m, "sessionId", json_string(session));
    char *text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    /* The text may hold the secret (Runtime.evaluate into the worker): wiped after sending. */
    size_t len = strlen(text);
    gboolean ok = write_all(c->write_fd, text, len + 1);
    explicit_bzero(text, len);
    free(text);
    if (ok) {
        struct pending *p = g_new0(struct pending, 1);
        p->reply = reply;
        p->data = reply_data;
        g_hash_table_insert(c->pending, GUINT_TO_POINTER(id), p);
    }
    return ok;
}

void
e2c_cdp_free(struct e2c_cdp *c)
{
    if (!c)
        return;
    if (c->watch)
        g_source_remove(c->watch);
    g_io_channel_unref(c->channel);
    close(c->write_fd);
    close(c->read_fd);
    g_byte_array_unref(c->rx);
    g_hash_table_unref(c->pending);
    g_free(c);
}
