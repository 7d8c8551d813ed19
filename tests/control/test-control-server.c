/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control server with a fake call (no pipeline) over real sockets in a
 * private temporary directory: round trips of every request, several
 * requests per connection, file modes, the limits (4 clients, 4096-byte
 * lines, 2 s, one rekey per second), stale and live sockets, removal, and
 * that the secret is neither in a reply nor left in the server's receive
 * buffer. Peers of another uid: test-control-peer.c.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control-client.h"
#include "control-path.h"
#include "control-server.h"
#include "control-test-util.h"

struct fixture {
    gchar *dir;
    gchar *path;
    struct fake_call call;
    struct e2c_control_server *server;
};

static void
setup(struct fixture *fx, gconstpointer data)
{
    fx->dir = make_private_dir();
    fx->path = g_build_filename(fx->dir, "ctl.sock", NULL);
    fake_call_init(&fx->call);
    GError *error = NULL;
    fx->server = e2c_control_server_new(fx->path, &fake_ops, &fx->call, &error);
    g_assert_no_error(error);
    g_assert_nonnull(fx->server);
}

static void
teardown(struct fixture *fx, gconstpointer data)
{
    e2c_control_server_free(fx->server);
    /* Let late done callbacks of the fake call run against a freed server. */
    run_for(50);
    fake_call_clear(&fx->call);
    rm_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->path);
}

static void
assert_reply(struct fixture *fx, const char *line, const char *prefix)
{
    gchar *reply = raw_request(&fx->call, fx->path, line);
    g_assert_nonnull(reply);
    if (!g_str_has_prefix(reply, prefix))
        g_error("'%s' -> '%s', expected '%s...'", line, reply, prefix);
    g_free(reply);
}

/* ---- round trips ---- */

static void
test_round_trips(struct fixture *fx, gconstpointer data)
{
    g_assert_cmpstr(e2c_control_server_get_path(fx->server), ==, fx->path);
    assert_reply(fx, "status\n", "ok {\"room\":1234,\"e2ee\":true,");
    assert_reply(fx, "stats\n", "ok {\"streams\":[{\"participant\":\"alice\"");
    assert_reply(fx, "help\n", "ok {\"protocol\":\"e2call-control\",\"version\":1,");
    assert_reply(fx, "status\r\n", "ok {");
    assert_reply(fx, "bogus\n", "error BAD_REQUEST ");
    assert_reply(fx, "\n", "error BAD_REQUEST empty request");

    gchar *line = rekey_line(TEST_CANARY);
    assert_reply(fx, line, "ok");
    g_free(line);
    g_assert_cmpuint(fx->call.rekeys, ==, 1);
    g_assert_cmpstr(fx->call.last_secret, ==, TEST_CANARY);

    assert_reply(fx, "leave\n", "ok");
    run_for(20);
    g_assert_cmpuint(fx->call.leaves, ==, 1);

    struct e2c_control_server_stats st;
    e2c_control_server_get_stats(fx->server, &st);
    g_assert_cmpuint(st.accepted, ==, 8);
    g_assert_cmpuint(st.requests, ==, 8);
    g_assert_cmpuint(st.rekeys, ==, 1);
}

/* A request without its LF, then end of input, still gets its reply. */
static void
test_half_close(struct fixture *fx, gconstpointer data)
{
    int fd = raw_connect(fx->path);
    g_assert_true(raw_send(fd, "status", 6));
    shutdown(fd, SHUT_WR);
    gchar *reply = raw_read_line(&fx->call, fd, 3000);
    g_assert_true(g_str_has_prefix(reply, "ok {"));
    g_assert_true(raw_wait_closed(fd, 3000));
    g_free(reply);
    close(fd);
}

static void
test_pipelined(struct fixture *fx, gconstpointer data)
{
    fx->call.rekey_delay_ms = 200; /* replies wait for the rekey, in order */
    int fd = raw_connect(fx->path);
    gchar *rk = rekey_line(TEST_CANARY);
    gchar *all = g_strconcat("status\n", rk, "help\nnope\nstats\n", NULL);
    g_assert_true(raw_send(fd, all, strlen(all)));
    static const char *const expect[] = {"ok {\"room\"", "ok", "ok {\"protocol\"",
                                         "error BAD_REQUEST", "ok {\"streams\""};
    for (size_t i = 0; i < G_N_ELEMENTS(expect); i++) {
        gchar *reply = raw_read_line(&fx->call, fd, 3000);
        g_assert_nonnull(reply);
        g_assert_true(g_str_has_prefix(reply, expect[i]));
        if (i == 1)
            g_assert_cmpstr(reply, ==, "ok");
        g_free(reply);
    }
    g_assert_cmpuint(fx->call.dones, ==, 1);
    close(fd);
    g_free(all);
    g_free(rk);
}

/* The blocking client, from another thread while this one serves. */
struct job {
    const char *path;
    enum e2c_control_request_type type;
    const char *secret;
    struct e2c_control_reply reply;
    gboolean ok;
    GError *error;
    gint done;
};

static gpointer
job_thread(gpointer data)
{
    struct job *j = data;
    if (j->type == E2C_CONTROL_REQUEST_REKEY) {
        struct e2c_secret s;
        g_assert_cmpint(e2c_secret_set(&s, j->secret, strlen(j->secret), 0), ==, 0);
        j->ok = e2c_control_client_rekey(j->path, &s, 5000, &j->reply, &j->error);
        e2c_secret_clear(&s);
    } else {
        j->ok = e2c_control_client_request(j->path, j->type, 5000, &j->reply, &j->error);
    }
    g_atomic_int_set(&j->done, 1);
    g_main_context_wakeup(NULL);
    return NULL;
}

static gboolean
job_done(gpointer data)
{
    return g_atomic_int_get(&((struct job *)data)->done);
}

static void
run_job(struct job *j)
{
    GThread *t = g_thread_new("client", job_thread, j);
    g_assert_true(run_until(job_done, j, 8000));
    g_thread_join(t);
}

static void
test_client_api(struct fixture *fx, gconstpointer data)
{
    struct job j = {.path = fx->path, .type = E2C_CONTROL_REQUEST_STATUS};
    run_job(&j);
    g_assert_no_error(j.error);
    g_assert_true(j.ok && j.reply.ok);
    g_assert_cmpint(json_integer_value(json_object_get(j.reply.json, "room")), ==, 1234);
    e2c_control_reply_clear(&j.reply);

    fx->call.rekey_delay_ms = 300; /* like a key derivation */
    struct job r = {.path = fx->path, .type = E2C_CONTROL_REQUEST_REKEY, .secret = TEST_CANARY};
    gint64 t0 = g_get_monotonic_time();
    run_job(&r);
    g_assert_no_error(r.error);
    g_assert_true(r.ok && r.reply.ok);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 290000); /* replied after done */
    g_assert_cmpstr(fx->call.last_secret, ==, TEST_CANARY);
    e2c_control_reply_clear(&r.reply);

    /* The call refuses: the error name travels. */
    run_for(1000);
    fx->call.fail_code = E2C_CONTROL_ERROR_INTERNAL;
    struct job bad = {.path = fx->path, .type = E2C_CONTROL_REQUEST_REKEY, .secret = TEST_CANARY};
    run_job(&bad);
    g_assert_true(bad.ok);
    g_assert_false(bad.reply.ok);
    g_assert_cmpstr(bad.reply.name, ==, "ENCRYPTION_INTERNAL_ERROR");
    e2c_control_reply_clear(&bad.reply);

    struct job none = {.path = "/nonexistent/ctl.sock", .type = E2C_CONTROL_REQUEST_STATUS};
    run_job(&none);
    g_assert_false(none.ok);
    g_assert_error(none.error, E2C_CONTROL_CLIENT_ERROR, E2C_CONTROL_CLIENT_ERROR_CONNECT);
    g_clear_error(&none.error);
}

static void
test_invalid_secret(struct fixture *fx, gconstpointer data)
{
    gchar *line = rekey_line("canary7");
    gchar *reply = raw_request(&fx->call, fx->path, line);
    g_assert_cmpstr(reply, ==,
                    "error INVALID_ENCRYPTION_SECRET secret has 7 characters, at least 8 are "
                    "required");
    g_assert_cmpuint(fx->call.rekeys, ==, 0);
    g_free(reply);
    g_free(line);
}

static void
test_not_encrypted(void)
{
    gchar *dir = make_private_dir();
    gchar *path = g_build_filename(dir, "ctl.sock", NULL);
    struct fake_call f;
    fake_call_init(&f);
    static const struct e2c_control_ops plain = {NULL, NULL, NULL, NULL};
    struct e2c_control_server *s = e2c_control_server_new(path, &plain, &f, NULL);
    g_assert_nonnull(s);
    gchar *line = rekey_line(TEST_CANARY);
    gchar *reply = raw_request(&f, path, line);
    g_assert_true(g_str_has_prefix(reply, "error NOT_ENCRYPTED "));
    g_free(reply);
    reply = raw_request(&f, path, "status\n");
    g_assert_true(g_str_has_prefix(reply, "error BAD_REQUEST "));
    g_free(reply);
    g_free(line);
    e2c_control_server_free(s);
    fake_call_clear(&f);
    rm_tree(dir);
    g_free(dir);
    g_free(path);
}

/* ---- files and modes ---- */

static void
test_modes(struct fixture *fx, gconstpointer data)
{
    struct stat st;
    g_assert_cmpint(lstat(fx->path, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
    g_assert_cmpint(st.st_uid, ==, geteuid());
    g_assert_cmpint(lstat(fx->dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0700);
}

static void
test_default_path(void)
{
    gchar *xdg = make_private_dir();
    gchar *old = g_strdup(g_getenv("XDG_RUNTIME_DIR"));
    g_setenv("XDG_RUNTIME_DIR", xdg, TRUE);

    struct fake_call f;
    fake_call_init(&f);
    GError *error = NULL;
    struct e2c_control_server *s = e2c_control_server_new(NULL, &fake_ops, &f, &error);
    g_assert_no_error(error);
    gchar *expect = g_strdup_printf("%s/e2call/join-%ld.sock", xdg, (long)getpid());
    g_assert_cmpstr(e2c_control_server_get_path(s), ==, expect);
    struct stat st;
    gchar *sub = g_build_filename(xdg, "e2call", NULL);
    g_assert_cmpint(lstat(sub, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0700);
    g_assert_cmpint(lstat(expect, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);

    /* It is found without --control. */
    GPtrArray *found = e2c_control_find_sockets();
    g_assert_true(g_ptr_array_find_with_equal_func(found, expect, g_str_equal, NULL));
    g_ptr_array_unref(found);

    e2c_control_server_free(s);
    g_assert_cmpint(lstat(expect, &st), ==, -1);
    g_free(expect);

    /* A group-readable e2call directory is refused, not repaired. */
    g_assert_cmpint(chmod(sub, 0750), ==, 0);
    s = e2c_control_server_new(NULL, &fake_ops, &f, &error);
    g_assert_null(s);
    g_assert_nonnull(strstr(error->message, "mode 0750"));
    g_clear_error(&error);
    g_assert_cmpint(chmod(sub, 0700), ==, 0);
    g_free(sub);

    /* An XDG_RUNTIME_DIR that is not private is ignored. */
    g_assert_cmpint(chmod(xdg, 0755), ==, 0);
    s = e2c_control_server_new(NULL, &fake_ops, &f, &error);
    g_assert_no_error(error);
    const char *path = e2c_control_server_get_path(s);
    g_assert_false(g_str_has_prefix(path, xdg));
    gchar *dir = g_path_get_dirname(path);
    g_assert_cmpint(lstat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0700);
    g_assert_cmpint(st.st_uid, ==, geteuid());
    gboolean temp = g_str_has_prefix(dir, "/tmp/e2call-");
    e2c_control_server_free(s);
    if (temp) /* the mkdtemp() directory goes with the socket */
        g_assert_cmpint(lstat(dir, &st), ==, -1);
    g_free(dir);

    if (old)
        g_setenv("XDG_RUNTIME_DIR", old, TRUE);
    else
        g_unsetenv("XDG_RUNTIME_DIR");
    g_free(old);
    fake_call_clear(&f);
    rm_tree(xdg);
    g_free(xdg);
}

static void
test_bad_paths(void)
{
    gchar *dir = make_private_dir();
    GError *error = NULL;

    /* A directory others can enter. */
    gchar *open_dir = g_build_filename(dir, "open", NULL);
    g_assert_cmpint(mkdir(open_dir, 0755), ==, 0);
    gchar *p = g_build_filename(open_dir, "ctl.sock", NULL);
    g_assert_null(e2c_control_server_new(p, &fake_ops, NULL, &error));
    g_assert_nonnull(strstr(error->message, "private directory"));
    g_clear_error(&error);
    g_free(p);

    /* A symlink to a private directory. */
    gchar *priv = g_build_filename(dir, "priv", NULL);
    gchar *link = g_build_filename(dir, "link", NULL);
    g_assert_cmpint(mkdir(priv, 0700), ==, 0);
    g_assert_cmpint(symlink(priv, link), ==, 0);
    p = g_build_filename(link, "ctl.sock", NULL);
    g_assert_null(e2c_control_server_new(p, &fake_ops, NULL, &error));
    g_assert_nonnull(strstr(error->message, "symbolic link"));
    g_clear_error(&error);
    g_free(p);

    /* Longer than sun_path. */
    gchar *longname = g_strnfill(120, 'x');
    p = g_build_filename(dir, longname, NULL);
    g_assert_null(e2c_control_server_new(p, &fake_ops, NULL, &error));
    g_assert_nonnull(strstr(error->message, "at most 107"));
    g_clear_error(&error);
    g_free(p);
    g_free(longname);

    /* Empty: would be the abstract namespace. */
    g_assert_null(e2c_control_server_new("", &fake_ops, NULL, &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
    g_clear_error(&error);

    /* A regular file in the way is not removed. */
    p = g_build_filename(dir, "file", NULL);
    g_assert_true(g_file_set_contents(p, "keep", 4, NULL));
    g_assert_null(e2c_control_server_new(p, &fake_ops, NULL, &error));
    g_assert_nonnull(strstr(error->message, "not a socket"));
    g_clear_error(&error);
    g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
    g_free(p);

    rm_tree(dir);
    g_free(dir);
    g_free(open_dir);
    g_free(priv);
    g_free(link);
}

/* ---- stale, live, removal ---- */

static void
test_stale_socket(void)
{
    gchar *dir = make_private_dir();
    gchar *path = g_build_filename(dir, "ctl.sock", NULL);

    /*
     * A process that bound the socket and died without removing it. Results
     * travel through a pipe: under valgrind a child's exit status is
     * valgrind's (leaks of the copied parent heap), not ours.
     */
    int pipefd[2];
    g_assert_cmpint(pipe(pipefd), ==, 0);
    fflush(NULL);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        strcpy(addr.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        char ok = bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 && listen(fd, 1) == 0;
        _exit(write(pipefd[1], &ok, 1) == 1 ? 0 : 1);
    }
    close(pipefd[1]);
    char ok = 0;
    g_assert_cmpint(read(pipefd[0], &ok, 1), ==, 1);
    g_assert_true(ok);
    close(pipefd[0]);
    g_assert_cmpint(waitpid(pid, NULL, 0), ==, pid);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_cmpint(e2c_control_probe(path), ==, 0);

    struct fake_call f;
    fake_call_init(&f);
    GError *error = NULL;
    struct e2c_control_server *s = e2c_control_server_new(path, &fake_ops, &f, &error);
    g_assert_no_error(error);
    gchar *reply = raw_request(&f, path, "status\n");
    g_assert_true(g_str_has_prefix(reply, "ok {"));
    g_free(reply);

    /* A live one is not stolen, and keeps working. */
    struct e2c_control_server *thief = e2c_control_server_new(path, &fake_ops, &f, &error);
    g_assert_null(thief);
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST);
    gchar *msg = g_strdup_printf("another e2call is using %s", path);
    g_assert_cmpstr(error->message, ==, msg);
    g_free(msg);
    g_clear_error(&error);
    reply = raw_request(&f, path, "status\n");
    g_assert_true(g_str_has_prefix(reply, "ok {"));
    g_free(reply);

    /* Removal: the file goes on free. */
    e2c_control_server_free(s);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    fake_call_clear(&f);
    rm_tree(dir);
    g_free(dir);
    g_free(path);
}

static void
test_remove_socket(void)
{
    gchar *dir = make_private_dir();
    gchar *path = g_build_filename(dir, "ctl.sock", NULL);
    struct fake_call f;
    fake_call_init(&f);
    struct e2c_control_server *a = e2c_control_server_new(path, &fake_ops, &f, NULL);
    g_assert_nonnull(a);
    int pipefd[2];

    /* What a signal handler does: the file goes, connected clients keep working. */
    int fd = raw_connect(path);
    g_assert_cmpint(fd, >=, 0);
    e2c_control_server_remove_socket(a);
    e2c_control_server_remove_socket(a);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_true(raw_send(fd, "help\n", 5));
    gchar *reply = raw_read_line(&f, fd, 3000);
    g_assert_true(g_str_has_prefix(reply, "ok {"));
    g_free(reply);
    close(fd);

    /* A newer server at the same path keeps its socket when the old one is freed. */
    struct e2c_control_server *b = e2c_control_server_new(path, &fake_ops, &f, NULL);
    g_assert_nonnull(b);
    e2c_control_server_free(a);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    e2c_control_server_free(b);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));

    /* exit() removes it too; a forked child's exit does not. */
    g_assert_cmpint(pipe(pipefd), ==, 0);
    fflush(NULL);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char result = 'n';
        struct e2c_control_server *c = e2c_control_server_new(path, &fake_ops, NULL, NULL);
        if (c) {
            if (fork() == 0)
                exit(0); /* the grandchild's atexit must leave the file alone */
            wait(NULL);
            result = g_file_test(path, G_FILE_TEST_EXISTS) ? 'y' : 'g';
        }
        if (write(pipefd[1], &result, 1) != 1)
            _exit(1);
        exit(0); /* without e2c_control_server_free() */
    }
    close(pipefd[1]);
    char result = 0;
    g_assert_cmpint(read(pipefd[0], &result, 1), ==, 1);
    g_assert_cmpint(result, ==, 'y');
    close(pipefd[0]);
    g_assert_cmpint(waitpid(pid, NULL, 0), ==, pid);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));

    fake_call_clear(&f);
    rm_tree(dir);
    g_free(dir);
    g_free(path);
}

/* ---- limits ---- */

static gboolean
accepted_four(gpointer data)
{
    struct e2c_control_server_stats st;
    e2c_control_server_get_stats(data, &st);
    return st.accepted >= 4;
}

static void
test_max_clients(struct fixture *fx, gconstpointer data)
{
    int fds[4];
    for (int i = 0; i < 4; i++) {
        fds[i] = raw_connect(fx->path);
        g_assert_cmpint(fds[i], >=, 0);
    }
    g_assert_true(run_until(accepted_four, fx->server, 1000));
    int fifth = raw_connect(fx->path);
    g_assert_cmpint(fifth, >=, 0);
    gchar *reply = raw_read_line(&fx->call, fifth, 1000);
    g_assert_nonnull(reply);
    g_assert_true(g_str_has_prefix(reply, "error BUSY "));
    g_assert_true(raw_wait_closed(fifth, 1000));
    g_free(reply);
    close(fifth);

    /* The four still work; once one leaves there is room again. */
    g_assert_true(raw_send(fds[0], "help\n", 5));
    reply = raw_read_line(&fx->call, fds[0], 1000);
    g_assert_true(g_str_has_prefix(reply, "ok {"));
    g_free(reply);
    close(fds[0]);
    run_for(50);
    assert_reply(fx, "status\n", "ok {");

    struct e2c_control_server_stats st;
    e2c_control_server_get_stats(fx->server, &st);
    g_assert_cmpuint(st.busy, ==, 1);
    for (int i = 1; i < 4; i++)
        close(fds[i]);
}

static void
test_too_long(struct fixture *fx, gconstpointer data)
{
    /* 4096 bytes including the LF: a line (an unknown request). */
    gchar *line = g_strnfill(E2C_CONTROL_MAX_LINE, 'a');
    line[E2C_CONTROL_MAX_LINE - 1] = '\n';
    assert_reply(fx, line, "error BAD_REQUEST ");
    g_free(line);

    /* One more byte: refused, and the connection closed. */
    line = g_strnfill(E2C_CONTROL_MAX_LINE + 1, 'a');
    line[E2C_CONTROL_MAX_LINE] = '\n';
    int fd = raw_connect(fx->path);
    raw_send(fd, line, E2C_CONTROL_MAX_LINE + 1);
    gchar *reply = raw_read_line(&fx->call, fd, 3000);
    g_assert_cmpstr(reply, ==, "error TOO_LONG a request line has at most 4096 bytes");
    g_assert_true(raw_wait_closed(fd, 3000));
    close(fd);
    g_free(reply);
    g_free(line);

    /* A huge stream without LF. */
    fd = raw_connect(fx->path);
    gchar *flood = g_strnfill(100000, 'b');
    /* Non-blocking: this thread also runs the server. */
    g_assert_cmpint(send(fd, flood, 100000, MSG_DONTWAIT | MSG_NOSIGNAL), >, E2C_CONTROL_MAX_LINE);
    reply = raw_read_line(&fx->call, fd, 3000);
    g_assert_true(g_str_has_prefix(reply, "error TOO_LONG "));
    close(fd);
    g_free(reply);
    g_free(flood);

    struct e2c_control_server_stats st;
    e2c_control_server_get_stats(fx->server, &st);
    g_assert_cmpuint(st.too_long, ==, 2);
}

static void
test_timeout(struct fixture *fx, gconstpointer data)
{
    /* Silent. */
    int fd = raw_connect(fx->path);
    gint64 t0 = g_get_monotonic_time();
    gchar *reply = raw_read_line(&fx->call, fd, 5000);
    gint64 waited = g_get_monotonic_time() - t0;
    g_assert_cmpstr(reply, ==, "error TIMEOUT no request within 2 s");
    g_assert_cmpint(waited, >=, 1900000);
    g_assert_cmpint(waited, <, 4000000);
    g_assert_true(raw_wait_closed(fd, 1000));
    close(fd);
    g_free(reply);

    /* A line that never ends, sent slowly: the clock does not restart per byte. */
    fd = raw_connect(fx->path);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < 3; i++) {
        raw_send(fd, "s", 1);
        run_for(500);
    }
    reply = raw_read_line(&fx->call, fd, 5000);
    waited = g_get_monotonic_time() - t0;
    g_assert_true(g_str_has_prefix(reply, "error TIMEOUT "));
    g_assert_cmpint(waited, <, 2600000);
    close(fd);
    g_free(reply);

    /* It restarts after each request. */
    fd = raw_connect(fx->path);
    for (int i = 0; i < 3; i++) {
        run_for(1200);
        g_assert_true(raw_send(fd, "help\n", 5));
        reply = raw_read_line(&fx->call, fd, 1000);
        g_assert_true(g_str_has_prefix(reply, "ok {"));
        g_free(reply);
    }
    close(fd);

    struct e2c_control_server_stats st;
    e2c_control_server_get_stats(fx->server, &st);
    g_assert_cmpuint(st.timeouts, ==, 2);
}

static void
test_rekey_rate(struct fixture *fx, gconstpointer data)
{
    gchar *line = rekey_line(TEST_CANARY);
    assert_reply(fx, line, "ok");
    assert_reply(fx, line, "error BUSY at most one rekey per second");
    g_assert_cmpuint(fx->call.rekeys, ==, 1);
    run_for(1050);
    assert_reply(fx, line, "ok");
    g_assert_cmpuint(fx->call.rekeys, ==, 2);

    /* While one is running, another is refused even after a second. */
    run_for(1050);
    fx->call.rekey_delay_ms = 1500;
    int a = raw_connect(fx->path);
    g_assert_true(raw_send(a, line, strlen(line)));
    run_for(1100);
    g_assert_cmpuint(fx->call.rekeys, ==, 3);
    assert_reply(fx, line, "error BUSY a rekey is in progress");
    gchar *reply = raw_read_line(&fx->call, a, 3000);
    g_assert_cmpstr(reply, ==, "ok");
    g_free(reply);
    close(a);

    struct e2c_control_server_stats st;
    e2c_control_server_get_stats(fx->server, &st);
    g_assert_cmpuint(st.throttled, ==, 2);
    g_assert_cmpuint(st.rekeys, ==, 3);
    g_free(line);
}

/* A client that leaves before its rekey is done, and a server freed before it. */
static void
test_rekey_orphaned(struct fixture *fx, gconstpointer data)
{
    fx->call.rekey_delay_ms = 200;
    gchar *line = rekey_line(TEST_CANARY);
    int fd = raw_connect(fx->path);
    g_assert_true(raw_send(fd, line, strlen(line)));
    run_for(50);
    g_assert_cmpuint(fx->call.rekeys, ==, 1);
    close(fd);
    run_for(300);
    g_assert_cmpuint(fx->call.dones, ==, 1);
    assert_reply(fx, "status\n", "ok {");

    run_for(1000);
    fd = raw_connect(fx->path);
    g_assert_true(raw_send(fd, line, strlen(line)));
    run_for(50);
    g_assert_cmpuint(fx->call.rekeys, ==, 2);
    e2c_control_server_free(fx->server);
    fx->server = NULL;
    run_for(300); /* done reaches nobody, safely */
    g_assert_cmpuint(fx->call.dones, ==, 2);
    close(fd);
    g_free(line);
}

/* ---- the secret in memory ---- */

static gboolean
buffers_contain(gpointer data)
{
    return e2c_control_server_buffers_contain(data, "MARKER-1234", 11);
}

static void
test_buffer_wiped(struct fixture *fx, gconstpointer data)
{
    int fd = raw_connect(fx->path);

    /* The hook sees bytes that are waiting for their LF... */
    g_assert_true(raw_send(fd, "MARKER-1234", 11));
    g_assert_true(run_until(buffers_contain, fx->server, 1000));
    /* ...and not once the request is answered. */
    g_assert_true(raw_send(fd, "\n", 1));
    gchar *reply = raw_read_line(&fx->call, fd, 1000);
    g_assert_true(g_str_has_prefix(reply, "error BAD_REQUEST "));
    g_free(reply);
    g_assert_false(buffers_contain(fx->server));

    gchar *line = rekey_line(TEST_CANARY);
    g_assert_true(raw_send(fd, line, strlen(line)));
    reply = raw_read_line(&fx->call, fd, 1000);
    g_assert_cmpstr(reply, ==, "ok");
    g_free(reply);
    /* The connection is still open, its buffer still allocated: nothing of the line is left. */
    gchar *enc = g_base64_encode((const guchar *)TEST_CANARY, strlen(TEST_CANARY));
    g_assert_false(e2c_control_server_buffers_contain(fx->server, enc, strlen(enc)));
    g_assert_false(e2c_control_server_buffers_contain(fx->server, enc, 8));
    g_assert_false(e2c_control_server_buffers_contain(fx->server, "rekey", 5));
    g_assert_false(
        e2c_control_server_buffers_contain(fx->server, TEST_CANARY, strlen(TEST_CANARY)));
    g_free(enc);
    g_free(line);
    close(fd);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/control/server/" name, struct fixture, NULL, setup, fn, teardown)
    ADD("round-trips", test_round_trips);
    ADD("half-close", test_half_close);
    ADD("pipelined", test_pipelined);
    ADD("client-api", test_client_api);
    ADD("invalid-secret", test_invalid_secret);
    ADD("modes", test_modes);
    ADD("max-clients", test_max_clients);
    ADD("too-long", test_too_long);
    ADD("timeout", test_timeout);
    ADD("rekey-rate", test_rekey_rate);
    ADD("rekey-orphaned", test_rekey_orphaned);
    ADD("buffer-wiped", test_buffer_wiped);
    g_test_add_func("/control/server/not-encrypted", test_not_encrypted);
    g_test_add_func("/control/server/default-path", test_default_path);
    g_test_add_func("/control/server/bad-paths", test_bad_paths);
    g_test_add_func("/control/server/stale-socket", test_stale_socket);
    g_test_add_func("/control/server/remove-socket", test_remove_socket);
    return g_test_run();
}
