/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The e2call rekey|status|leave client against sockets it must not trust
 * (e2call-control(7), SECURITY): a server of another user (uid 65534, a
 * child of this test after setresuid) that records everything it receives.
 * In a world-writable directory (mode 1777, like /tmp), in a directory of
 * that user, as a socket file of that user in our private directory, and as
 * a socket file of ours served by that user (only SO_PEERCRED can tell):
 * the client refuses with exit 8 naming what was wrong, and the server
 * receives nothing, the secret least of all. The same server running as us
 * does receive the rekey (the recorder works), and its replies, full of
 * terminal escape sequences, are printed filtered.
 *
 * Needs root (to run a server as another user): exit 77 otherwise.
 * Usage: test-control-client-trust PATH-TO-e2call [GTest options]
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control-test-util.h"

#define OTHER_UID 65534

static const char *e2call;

/* A recording server in a child process. */
struct server {
    pid_t pid;
    int stop_fd;   /* closing it makes the child report and exit */
    int report_fd; /* "CONNECTIONS BYTES\n" then the bytes received */
};

struct record {
    guint connections;
    GString *bytes;
};

/* In the child: raw system calls only. */
static void G_GNUC_NORETURN
serve(const char *path, uid_t uid, const char *reply, int ready_fd, int stop_fd, int report_fd)
{
    if (uid != geteuid() &&
        (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0))
        _exit(2);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 8) != 0)
        _exit(3);
    if (write(ready_fd, "R", 1) != 1)
        _exit(4);
    close(ready_fd);
    guint connections = 0;
    static char got[65536];
    size_t n_got = 0;
    int stopping = 0;
    for (;;) {
        struct pollfd p[2] = {{lfd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
        if (poll(p, stopping ? 1 : 2, stopping ? 0 : -1) < 0 && errno != EINTR)
            _exit(5);
        if (!stopping && p[1].revents) {
            stopping = 1; /* take the connections still queued, then report */
            continue;
        }
        if (!(p[0].revents & POLLIN)) {
            if (stopping)
                break;
            continue;
        }
        int c = accept(lfd, NULL, NULL);
        if (c < 0)
            continue;
        connections++;
        /* Until the client closes (or 5 s): answer every line with the reply. */
        for (;;) {
            struct pollfd q = {c, POLLIN, 0};
            if (poll(&q, 1, 5000) <= 0)
                break;
            ssize_t n = recv(c, got + n_got, sizeof(got) - n_got, 0);
            if (n <= 0)
                break;
            for (ssize_t i = 0; i < n; i++)
                if (got[n_got + i] == '\n')
                    send(c, reply, strlen(reply), MSG_NOSIGNAL);
            n_got += (size_t)n;
            if (n_got == sizeof(got))
                break;
        }
        close(c);
    }
    char head[64];
    int len = snprintf(head, sizeof(head), "%u %zu\n", connections, n_got);
    if (write(report_fd, head, (size_t)len) != len ||
        (n_got && write(report_fd, got, n_got) != (ssize_t)n_got))
        _exit(6);
    _exit(0);
}

static void
server_start(struct server *s, const char *path, uid_t uid, const char *reply)
{
    int ready[2], stop[2], report[2];
    g_assert_cmpint(pipe(ready), ==, 0);
    g_assert_cmpint(pipe(stop), ==, 0);
    g_assert_cmpint(pipe(report), ==, 0);
    fflush(NULL);
    s->pid = fork();
    g_assert_cmpint(s->pid, >=, 0);
    if (s->pid == 0) {
        close(ready[0]);
        close(stop[1]);
        close(report[0]);
        serve(path, uid, reply, ready[1], stop[0], report[1]);
    }
    close(ready[1]);
    close(stop[0]);
    close(report[1]);
    char c = 0;
    g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
    close(ready[0]);
    s->stop_fd = stop[1];
    s->report_fd = report[0];
}

/* Stops the server; what it received. */
static struct record
server_stop(struct server *s)
{
    close(s->stop_fd);
    GString *all = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = read(s->report_fd, buf, sizeof(buf))) > 0)
        g_string_append_len(all, buf, n);
    close(s->report_fd);
    int status;
    g_assert_cmpint(waitpid(s->pid, &status, 0), ==, s->pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    struct record r = {0};
    gsize n_bytes = 0;
    const char *nl = strchr(all->str, '\n');
    g_assert_nonnull(nl);
    g_assert_cmpint(sscanf(all->str, "%u %zu", &r.connections, &n_bytes), ==, 2);
    r.bytes = g_string_new_len(nl + 1, (gssize)n_bytes);
    g_assert_cmpuint(r.bytes->len, ==, all->len - (gsize)(nl + 1 - all->str));
    g_string_free(all, TRUE);
    return r;
}

struct run {
    int status;
    gchar *out;
    gchar *err;
};

/* Runs e2call ARGS... with stdin from /dev/null; collects its output. */
static void
run_e2call(struct run *r, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)e2call);
    va_list ap;
    va_start(ap, r);
    const char *a;
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (gpointer)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    int wstatus;
    GError *error = NULL;
    g_assert_true(g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL,
                               NULL, &r->out, &r->err, &wstatus, &error));
    g_assert_no_error(error);
    g_assert_true(WIFEXITED(wstatus));
    r->status = WEXITSTATUS(wstatus);
    g_test_message("e2call %s: exit %d, stderr: %s", (const char *)argv->pdata[1], r->status,
                   r->err);
    g_ptr_array_unref(argv);
}

static void
run_clear(struct run *r)
{
    g_free(r->out);
    g_free(r->err);
}

struct fixture {
    gchar *private_dir; /* ours, 0700: the secret file, and sockets moved in */
    gchar *secret_file;
};

static void
setup(struct fixture *fx, gconstpointer data)
{
    fx->private_dir = make_private_dir();
    fx->secret_file = g_build_filename(fx->private_dir, "secret", NULL);
    g_assert_true(g_file_set_contents(fx->secret_file, TEST_CANARY "\n", -1, NULL));
    g_assert_cmpint(chmod(fx->secret_file, 0600), ==, 0);
}

static void
teardown(struct fixture *fx, gconstpointer data)
{
    rm_tree(fx->private_dir);
    g_free(fx->private_dir);
    g_free(fx->secret_file);
}

/* A fresh directory of owner and mode given. */
static gchar *
make_dir(uid_t owner, mode_t mode)
{
    gchar *dir = make_private_dir();
    g_assert_cmpint(chown(dir, owner, owner), ==, 0);
    g_assert_cmpint(chmod(dir, mode), ==, 0);
    return dir;
}

/*
 * rekey, status and leave against the socket at path: each refused with
 * exit 8 and a message matching pattern; the server got nothing.
 */
static void
expect_refused(struct fixture *fx, struct server *srv, const char *path, const char *pattern,
               guint want_connections)
{
    struct run r;
    run_e2call(&r, "rekey", "--control", path, "--secret-file", fx->secret_file, NULL);
    g_assert_cmpint(r.status, ==, 8);
    if (!g_pattern_match_simple(pattern, r.err))
        g_error("rekey: stderr does not match '%s': %s", pattern, r.err);
    g_assert_nonnull(strstr(r.err, "nothing was sent"));
    run_clear(&r);
    run_e2call(&r, "status", "--control", path, NULL);
    g_assert_cmpint(r.status, ==, 8);
    g_assert_true(g_pattern_match_simple(pattern, r.err));
    g_assert_cmpstr(r.out, ==, "");
    run_clear(&r);
    run_e2call(&r, "leave", "--control", path, NULL);
    g_assert_cmpint(r.status, ==, 8);
    g_assert_true(g_pattern_match_simple(pattern, r.err));
    run_clear(&r);

    struct record rec = server_stop(srv);
    g_assert_cmpuint(rec.connections, ==, want_connections);
    if (rec.bytes->len)
        g_error("the server of uid %d received %zu bytes: %s", OTHER_UID, rec.bytes->len,
                rec.bytes->str);
    g_string_free(rec.bytes, TRUE);
}

/* Another user's socket in a world-writable directory (/tmp/x, mode 1777). */
static void
test_world_writable_dir(struct fixture *fx, gconstpointer data)
{
    gchar *dir = make_dir(0, 01777);
    gchar *path = g_build_filename(dir, "ctl.sock", NULL);
    struct server srv;
    server_start(&srv, path, OTHER_UID, "ok\n");
    expect_refused(fx, &srv, path,
                   "*CONNECT_FAILED: refusing the control socket '*/ctl.sock': its directory "
                   "'*' can be written by all users (mode 1777); nothing was sent*",
                   0);
    rm_tree(dir);
    g_free(dir);
    g_free(path);
}

/* A directory of another user, however private. */
static void
test_other_users_dir(struct fixture *fx, gconstpointer data)
{
    gchar *dir = make_dir(OTHER_UID, 0700);
    gchar *path = g_build_filename(dir, "ctl.sock", NULL);
    struct server srv;
    server_start(&srv, path, OTHER_UID, "ok\n");
    expect_refused(fx, &srv, path,
                   "*refusing the control socket '*/ctl.sock': its directory '*' belongs to "
                   "uid 65534, not to us (uid 0); nothing was sent*",
                   0);
    rm_tree(dir);
    g_free(dir);
    g_free(path);
}

/*
 * In our own private directory: a socket file of another user (moved in by
 * root), then the same file given to us while that user still serves it.
 */
static void
test_other_users_socket(struct fixture *fx, gconstpointer data)
{
    gchar *dir = make_dir(OTHER_UID, 0700);
    gchar *theirs = g_build_filename(dir, "ctl.sock", NULL);
    gchar *path = g_build_filename(fx->private_dir, "ctl.sock", NULL);
    struct server srv;
    server_start(&srv, theirs, OTHER_UID, "ok\n");
    g_assert_cmpint(rename(theirs, path), ==, 0);
    expect_refused(fx, &srv, path,
                   "*refusing the control socket '*/ctl.sock': it belongs to uid 65534, not to "
                   "us (uid 0); nothing was sent*",
                   0);
    g_assert_cmpint(unlink(path), ==, 0);

    /* Only the server's credentials tell this one: they are checked before sending. */
    server_start(&srv, theirs, OTHER_UID, "ok\n");
    g_assert_cmpint(rename(theirs, path), ==, 0);
    g_assert_cmpint(lchown(path, 0, 0), ==, 0);
    expect_refused(fx, &srv, path,
                   "*refusing the control socket '*/ctl.sock': the process serving it runs as "
                   "uid 65534, not as us (uid 0); nothing was sent*",
                   3);
    rm_tree(dir);
    g_free(dir);
    g_free(theirs);
    g_free(path);
}

static void
assert_terminal_safe(const char *text)
{
    g_assert_null(strchr(text, '\x1b'));
    g_assert_null(strchr(text, '\x07'));
    g_assert_null(strchr(text, '\x7f'));
    g_assert_null(strstr(text, "\xc2\x9b")); /* CSI as UTF-8 */
}

/*
 * The same recording server, run by us: it does get the rekey (so the cases
 * above would have seen a secret), and what it says is printed filtered.
 */
static void
test_own_server_hostile_replies(struct fixture *fx, gconstpointer data)
{
    gchar *path = g_build_filename(fx->private_dir, "ctl.sock", NULL);
    struct server srv;
    struct run r;

    server_start(&srv, path, geteuid(),
                 "error BUSY \x1b[2J\x1b]0;owned\x07 \xc2\x9b"
                 "31m red\x7f done\n");
    run_e2call(&r, "rekey", "--control", path, "--secret-file", fx->secret_file, NULL);
    g_assert_cmpint(r.status, ==, 1);
    assert_terminal_safe(r.err);
    g_assert_nonnull(strstr(r.err, "e2call rekey: BUSY: ?[2J?]0;owned? ?31m red? done\n"));
    run_clear(&r);
    struct record rec = server_stop(&srv);
    gchar *b64 = g_base64_encode((const guchar *)TEST_CANARY, strlen(TEST_CANARY));
    gchar *line = g_strdup_printf("rekey %s\n", b64);
    g_assert_cmpuint(rec.connections, ==, 1);
    g_assert_cmpstr(rec.bytes->str, ==, line);
    g_string_free(rec.bytes, TRUE);
    g_free(line);
    g_free(b64);
    unlink(path);

    /* A status object whose strings hold DEL and C1 controls (C0 ones jansson escapes). */
    server_start(&srv, path, geteuid(),
                 "ok {\"room\":\"r\x7f\xc2\x9b"
                 "2J\",\"streams\":[{\"participant\":\"\\u001b[31m"
                 "eve\\u0007\",\"state\":\"x\\u009b\"}]}\n");
    run_e2call(&r, "status", "--control", path, "--json", NULL);
    g_assert_cmpint(r.status, ==, 0);
    assert_terminal_safe(r.out);
    json_error_t jerr;
    json_t *obj = json_loads(r.out, 0, &jerr);
    if (!obj)
        g_error("status --json printed no JSON: %s (%s)", r.out, jerr.text);
    g_assert_cmpstr(json_string_value(json_object_get(obj, "room")), ==, "r??2J");
    json_decref(obj);
    run_clear(&r);
    run_e2call(&r, "status", "--control", path, NULL);
    g_assert_cmpint(r.status, ==, 0);
    assert_terminal_safe(r.out);
    g_assert_nonnull(strstr(r.out, "?[31meve?"));
    run_clear(&r);
    rec = server_stop(&srv);
    g_assert_cmpuint(rec.connections, ==, 2);
    g_string_free(rec.bytes, TRUE);
    g_free(path);
}

int
main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        g_printerr("usage: %s PATH-TO-e2call [GTest options]\n", argv[0]);
        return 2;
    }
    if (geteuid() != 0) {
        g_print("needs root to run a server as uid %d: skipped\n", OTHER_UID);
        return 77;
    }
    e2call = argv[1];
    argv[1] = argv[0];
    argc--;
    argv++;
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, struct fixture, NULL, setup, fn, teardown)
    ADD("/control/client-trust/world-writable-dir", test_world_writable_dir);
    ADD("/control/client-trust/other-users-dir", test_other_users_dir);
    ADD("/control/client-trust/other-users-socket", test_other_users_socket);
    ADD("/control/client-trust/own-server-hostile-replies", test_own_server_hostile_replies);
    return g_test_run();
}
