/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "control-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control-proto.h"

/* ---- the fake call ---- */

struct later {
    struct fake_call *f;
    E2cControlDone done;
    gpointer done_data;
};

static void
finish(struct fake_call *f, E2cControlDone done, gpointer done_data)
{
    f->dones++;
    if (f->fail_code < 0) {
        done(done_data, NULL);
        return;
    }
    GError *error =
        g_error_new(E2C_CONTROL_ERROR, f->fail_code, "the fake call refused (%d)", f->fail_code);
    done(done_data, error);
    g_error_free(error);
}

static gboolean
finish_later(gpointer data)
{
    struct later *l = data;
    finish(l->f, l->done, l->done_data);
    g_free(l);
    return G_SOURCE_REMOVE;
}

static void
fake_rekey(gpointer user, struct e2c_secret *secret, E2cControlDone done, gpointer done_data)
{
    struct fake_call *f = user;
    f->rekeys++;
    g_free(f->last_secret);
    f->last_secret = g_strndup(secret->utf8, secret->len);
    /* Takes the secret over, as control.h asks. */
    e2c_secret_clear(secret);
    if (f->rekey_delay_ms == 0) {
        finish(f, done, done_data);
        return;
    }
    struct later *l = g_new0(struct later, 1);
    l->f = f;
    l->done = done;
    l->done_data = done_data;
    g_timeout_add(f->rekey_delay_ms, finish_later, l);
}

static json_t *
fake_status(gpointer user)
{
    struct fake_call *f = user;
    json_t *status = json_pack(
        "{s:i, s:b, s:s, s:[{s:s, s:s, s:s, s:s, s:s, s:i}, "
        "{s:s, s:s, s:s, s:s, s:s, s:i}]}",
        "room", 1234, "e2ee", 1, "cipher-suite", "AES_256_CTR_HMAC_SHA512_80", "streams",
        "participant", "alice", "direction", "recv", "track", "video", "state", "decrypting", "kid",
        "5f0c2a9e41d7b316", "frames", 1800, "participant", "me", "direction", "send", "track",
        "audio", "state", "encrypting", "kid", "0123456789abcdef", "frames", 1500);
    if (f && f->hostile_name)
        json_array_append_new(
            json_object_get(status, "streams"),
            json_pack("{s:s, s:s}", "participant", "eve\x1b[2J\x07\xc2\x9b", "state", "mismatch"));
    return status;
}

static json_t *
fake_stats(gpointer user)
{
    return json_pack("{s:[{s:s, s:s, s:f, s:f, s:i, s:i, s:i}]}", "streams", "participant", "alice",
                     "track", "video", "bitrate-kbps", 512.5, "fps", 30.0, "frames-decrypted", 1800,
                     "frames-failed", 0, "frames-replayed", 2);
}

static void
fake_leave(gpointer user)
{
    struct fake_call *f = user;
    f->leaves++;
}

const struct e2c_control_ops fake_ops = {
    .rekey = fake_rekey,
    .status = fake_status,
    .stats = fake_stats,
    .leave = fake_leave,
};

void
fake_call_init(struct fake_call *f)
{
    memset(f, 0, sizeof(*f));
    f->fail_code = -1;
    f->replies = g_ptr_array_new_with_free_func(g_free);
}

void
fake_call_clear(struct fake_call *f)
{
    /* No reply any test saw may carry the canary, in clear or in base64. */
    gchar *enc = g_base64_encode((const guchar *)TEST_CANARY, strlen(TEST_CANARY));
    for (guint i = 0; i < f->replies->len; i++) {
        const char *r = g_ptr_array_index(f->replies, i);
        g_assert_null(strstr(r, TEST_CANARY));
        g_assert_null(strstr(r, enc));
    }
    g_free(enc);
    g_ptr_array_unref(f->replies);
    g_free(f->last_secret);
    memset(f, 0, sizeof(*f));
}

/* ---- files ---- */

gchar *
make_private_dir(void)
{
    GError *error = NULL;
    gchar *dir = g_dir_make_tmp("e2c-control-test-XXXXXX", &error);
    g_assert_no_error(error);
    g_assert_cmpint(chmod(dir, 0700), ==, 0);
    return dir;
}

void
rm_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        gchar *p = g_build_filename(dir, name, NULL);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            g_unlink(p);
        g_free(p);
    }
    g_dir_close(d);
    g_rmdir(dir);
}

/* ---- raw clients ---- */

int
raw_connect(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

gboolean
raw_send(int fd, const void *data, gsize len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        p += n;
        len -= (gsize)n;
    }
    return TRUE;
}

static gboolean
set_flag(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

static gboolean
set_flag_fd(gint fd, GIOCondition cond, gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/* Iterates until fd is readable (or hung up); FALSE at the deadline. */
static gboolean
wait_fd(int fd, gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0)
        return FALSE;
    gboolean ready = FALSE, expired = FALSE;
    guint t1 = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, set_flag_fd, &ready);
    guint t2 = g_timeout_add((guint)(left / 1000) + 1, set_flag, &expired);
    while (!ready && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!ready)
        g_source_remove(t1);
    if (!expired)
        g_source_remove(t2);
    return ready;
}

gchar *
raw_read_line(struct fake_call *f, int fd, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    GString *acc = g_string_new(NULL);
    for (;;) {
        char buf[8192];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) {
            const char *lf = memchr(buf, '\n', (size_t)n);
            size_t take = lf ? (size_t)(lf - buf) + 1 : (size_t)n;
            g_assert_cmpint(recv(fd, buf, take, 0), ==, (ssize_t)take);
            g_string_append_len(acc, buf, lf ? (gssize)take - 1 : (gssize)take);
            if (lf) {
                if (f)
                    g_ptr_array_add(f->replies, g_strdup(acc->str));
                return g_string_free(acc, FALSE);
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_fd(fd, deadline))
                break;
            continue;
        }
        break; /* EOF, ECONNRESET */
    }
    if (f && acc->len)
        g_ptr_array_add(f->replies, g_strdup(acc->str));
    g_string_free(acc, TRUE);
    return NULL;
}

gboolean
raw_wait_closed(int fd, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    for (;;) {
        char c;
        ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            return TRUE;
        if (n > 0)
            return FALSE; /* data, not a close */
        if (!wait_fd(fd, deadline))
            return FALSE;
    }
}

gchar *
raw_request(struct fake_call *f, const char *path, const char *line)
{
    int fd = raw_connect(path);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(raw_send(fd, line, strlen(line)));
    gchar *reply = raw_read_line(f, fd, 5000);
    close(fd);
    return reply;
}

gboolean
run_until(gboolean (*cond)(gpointer), gpointer data, guint timeout_ms)
{
    gboolean expired = FALSE;
    guint t = g_timeout_add(timeout_ms, set_flag, &expired);
    while (!cond(data) && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(t);
    return cond(data);
}

void
run_for(guint ms)
{
    gboolean expired = FALSE;
    g_timeout_add(ms, set_flag, &expired);
    while (!expired)
        g_main_context_iteration(NULL, TRUE);
}

gchar *
rekey_line(const char *secret)
{
    gchar *enc = g_base64_encode((const guchar *)secret, strlen(secret));
    gchar *line = g_strdup_printf("rekey %s\n", enc);
    g_free(enc);
    return line;
}
