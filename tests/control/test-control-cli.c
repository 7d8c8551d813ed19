/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call rekey|status|stats|leave against a control server in this test
 * process (fake call): output, exit statuses, that rekey offers no way to
 * put the secret in argv, and that the secret is in no output.
 * Usage: test-control-cli PATH-TO-e2call [GTest options]
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control-path.h"
#include "control-test-util.h"

static const char *e2call;

struct run {
    int status;
    gchar *out;
    gchar *err;
};

struct wait {
    gboolean exited;
    int wstatus;
};

static void
on_exit_cb(GPid pid, gint wstatus, gpointer data)
{
    struct wait *w = data;
    w->exited = TRUE;
    w->wstatus = wstatus;
    g_spawn_close_pid(pid);
}

static gboolean
exited(gpointer data)
{
    return ((struct wait *)data)->exited;
}

static gchar *
slurp(int fd)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        g_string_append_len(s, buf, n);
    close(fd);
    return g_string_free(s, FALSE);
}

/* Runs e2call with args while this process keeps serving; envp NULL: ours. */
static void
run_e2call(struct run *r, const char *stdin_text, gchar **envp, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)e2call);
    va_list ap;
    va_start(ap, envp);
    const char *a;
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (gpointer)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);

    GPid pid;
    int in_fd, out_fd, err_fd;
    GError *error = NULL;
    g_assert_true(g_spawn_async_with_pipes(NULL, (gchar **)argv->pdata, envp,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &in_fd,
                                           &out_fd, &err_fd, &error));
    g_assert_no_error(error);
    if (stdin_text)
        g_assert_cmpint(write(in_fd, stdin_text, strlen(stdin_text)), ==, strlen(stdin_text));
    close(in_fd);
    struct wait w = {0};
    g_child_watch_add(pid, on_exit_cb, &w);
    g_assert_true(run_until(exited, &w, 20000));
    r->out = slurp(out_fd);
    r->err = slurp(err_fd);
    g_assert_true(WIFEXITED(w.wstatus));
    r->status = WEXITSTATUS(w.wstatus);
    g_ptr_array_unref(argv);

    /* Whatever happened, the secret is not in the output. */
    gchar *enc = g_base64_encode((const guchar *)TEST_CANARY, strlen(TEST_CANARY));
    g_assert_null(strstr(r->out, TEST_CANARY));
    g_assert_null(strstr(r->err, TEST_CANARY));
    g_assert_null(strstr(r->out, enc));
    g_assert_null(strstr(r->err, enc));
    g_free(enc);
}

static void
run_clear(struct run *r)
{
    g_free(r->out);
    g_free(r->err);
}

struct fixture {
    gchar *dir;
    gchar *path;
    gchar *secret_file;
    struct fake_call call;
    struct e2c_control_server *server;
};

static void
setup(struct fixture *fx, gconstpointer data)
{
    fx->dir = make_private_dir();
    fx->path = g_build_filename(fx->dir, "ctl.sock", NULL);
    fx->secret_file = g_build_filename(fx->dir, "secret", NULL);
    g_assert_true(g_file_set_contents(fx->secret_file, TEST_CANARY "\n", -1, NULL));
    g_assert_cmpint(g_chmod(fx->secret_file, 0600), ==, 0);
    fake_call_init(&fx->call);
    fx->server = e2c_control_server_new(fx->path, &fake_ops, &fx->call, NULL);
    g_assert_nonnull(fx->server);
}

static void
teardown(struct fixture *fx, gconstpointer data)
{
    e2c_control_server_free(fx->server);
    fake_call_clear(&fx->call);
    rm_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->path);
    g_free(fx->secret_file);
}

static void
test_rekey_help(void)
{
    struct run r;
    run_e2call(&r, NULL, NULL, "rekey", "--help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "--secret-file"));
    g_assert_nonnull(strstr(r.out, "--secret-stdin"));
    /* Neither the secret itself nor a variable holding it: argv and environ can be read. */
    g_assert_null(strstr(r.out, "--secret="));
    g_assert_null(strstr(r.out, "--secret "));
    g_assert_null(strstr(r.out, "--secret-env"));
    g_assert_null(strstr(r.out, "--secret\n"));
    run_clear(&r);

    /* And it is refused, not silently taken. */
    run_e2call(&r, NULL, NULL, "rekey", "--control", "/nonexistent", "--secret", TEST_CANARY, NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
}

static void
test_rekey(struct fixture *fx, gconstpointer data)
{
    struct run r;
    run_e2call(&r, NULL, NULL, "rekey", "--control", fx->path, "--secret-file", fx->secret_file,
               NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_cmpstr(fx->call.last_secret, ==, TEST_CANARY); /* the trailing LF removed */
    run_clear(&r);

    run_for(1050);
    run_e2call(&r, TEST_CANARY "-2\n", NULL, "rekey", "--control", fx->path, "--secret-stdin",
               NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(fx->call.last_secret, ==, TEST_CANARY "-2");
    run_clear(&r);

    /* Too fast: BUSY, exit 1. */
    run_e2call(&r, TEST_CANARY "\n", NULL, "rekey", "--control", fx->path, "--secret-stdin", NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_nonnull(strstr(r.err, "BUSY"));
    run_clear(&r);

    /* The call fails: ENCRYPTION_INTERNAL_ERROR, exit 6. */
    run_for(1050);
    fx->call.fail_code = E2C_CONTROL_ERROR_INTERNAL;
    run_e2call(&r, TEST_CANARY "\n", NULL, "rekey", "--control", fx->path, "--secret-stdin", NULL);
    g_assert_cmpint(r.status, ==, 6);
    g_assert_nonnull(strstr(r.err, "ENCRYPTION_INTERNAL_ERROR"));
    run_clear(&r);
    g_assert_cmpuint(fx->call.rekeys, ==, 3);
}

static void
test_rekey_invalid(struct fixture *fx, gconstpointer data)
{
    struct run r;
    run_e2call(&r, "canary7\n", NULL, "rekey", "--control", fx->path, "--secret-stdin", NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "INVALID_ENCRYPTION_SECRET"));
    g_assert_nonnull(strstr(r.err, "7 characters"));
    g_assert_null(strstr(r.err, "canary7"));
    run_clear(&r);
    g_assert_cmpuint(fx->call.rekeys, ==, 0); /* refused before connecting */

    run_e2call(&r, NULL, NULL, "rekey", "--control", fx->path, NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
    run_e2call(&r, NULL, NULL, "rekey", "--control", fx->path, "--secret-stdin", "--secret-file",
               fx->secret_file, NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
}

static void
test_status(struct fixture *fx, gconstpointer data)
{
    struct run r;
    run_e2call(&r, NULL, NULL, "status", "--control", fx->path, "--json", NULL);
    g_assert_cmpint(r.status, ==, 0);
    json_t *got = json_loads(r.out, 0, NULL);
    json_t *want = fake_ops.status(&fx->call);
    g_assert_true(json_equal(got, want));
    g_assert_cmpint(r.out[strlen(r.out) - 1], ==, '\n');
    json_decref(got);
    json_decref(want);
    run_clear(&r);

    run_e2call(&r, NULL, NULL, "status", "--control", fx->path, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "room: 1234\n"));
    g_assert_nonnull(strstr(r.out, "streams:\n"));
    g_assert_nonnull(strstr(r.out, "PARTICIPANT"));
    g_assert_nonnull(strstr(r.out, "KID"));
    g_assert_nonnull(strstr(r.out, "FRAMES"));
    g_assert_nonnull(strstr(r.out, "5f0c2a9e41d7b316"));
    g_test_message("%s", r.out);
    run_clear(&r);

    /* Names from other participants cannot drive the terminal. */
    fx->call.hostile_name = TRUE;
    run_e2call(&r, NULL, NULL, "status", "--control", fx->path, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_null(strchr(r.out, '\x1b'));
    g_assert_null(strchr(r.out, '\x07'));
    g_assert_null(strstr(r.out, "\xc2\x9b"));
    g_assert_nonnull(strstr(r.out, "eve?[2J??"));
    run_clear(&r);
    fx->call.hostile_name = FALSE;

    run_e2call(&r, NULL, NULL, "stats", "--control", fx->path, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "BITRATE-KBPS"));
    g_assert_nonnull(strstr(r.out, "512.5"));
    run_clear(&r);

    run_e2call(&r, NULL, NULL, "leave", "--control", fx->path, NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
    run_for(20);
    g_assert_cmpuint(fx->call.leaves, ==, 1);
}

static void
test_unreachable(void)
{
    struct run r;
    run_e2call(&r, NULL, NULL, "status", "--control", "/nonexistent/ctl.sock", NULL);
    g_assert_cmpint(r.status, ==, 8);
    g_assert_nonnull(strstr(r.err, "CONNECT_FAILED"));
    run_clear(&r);
    run_e2call(&r, NULL, NULL, "status", "--bogus", NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
    run_e2call(&r, NULL, NULL, "leave", "--control", "/x", "extra", NULL);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
}

/* Without --control: the only running e2call is found; two are not guessed between. */
static void
test_discovery(void)
{
    gchar *xdg = make_private_dir();
    gchar **envp = g_environ_setenv(g_get_environ(), "XDG_RUNTIME_DIR", xdg, TRUE);
    gchar *old = g_strdup(g_getenv("XDG_RUNTIME_DIR"));
    g_setenv("XDG_RUNTIME_DIR", xdg, TRUE);
    struct fake_call f;
    fake_call_init(&f);
    struct e2c_control_server *a = e2c_control_server_new(NULL, &fake_ops, &f, NULL);
    g_assert_nonnull(a);
    gchar *b_path = g_build_filename(xdg, "e2call", "join-1.sock", NULL);
    struct run r;

    /* Other e2call processes of this user elsewhere would make it ambiguous. */
    GPtrArray *found = e2c_control_find_sockets();
    if (found->len == 1) {
        run_e2call(&r, NULL, envp, "status", "--json", NULL);
        g_assert_cmpint(r.status, ==, 0);
        g_assert_nonnull(strstr(r.err, e2c_control_server_get_path(a)));
        run_clear(&r);
    } else {
        g_test_message("%u other control sockets are live: single discovery not checked",
                       found->len - 1);
    }
    g_ptr_array_unref(found);

    struct e2c_control_server *b = e2c_control_server_new(b_path, &fake_ops, &f, NULL);
    g_assert_nonnull(b);
    run_e2call(&r, NULL, envp, "status", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "give --control"));
    g_assert_nonnull(strstr(r.err, b_path));
    run_clear(&r);

    e2c_control_server_free(a);
    e2c_control_server_free(b);
    if (old)
        g_setenv("XDG_RUNTIME_DIR", old, TRUE);
    else
        g_unsetenv("XDG_RUNTIME_DIR");
    g_free(old);
    fake_call_clear(&f);
    g_strfreev(envp);
    g_free(b_path);
    rm_tree(xdg);
    g_free(xdg);
}

int
main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        g_printerr("usage: %s PATH-TO-e2call [GTest options]\n", argv[0]);
        return 2;
    }
    e2call = argv[1];
    argv[1] = argv[0];
    argc--;
    argv++;
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/control/cli/rekey-help", test_rekey_help);
    g_test_add_func("/control/cli/unreachable", test_unreachable);
    g_test_add_func("/control/cli/discovery", test_discovery);
    g_test_add("/control/cli/rekey", struct fixture, NULL, setup, test_rekey, teardown);
    g_test_add("/control/cli/rekey-invalid", struct fixture, NULL, setup, test_rekey_invalid,
               teardown);
    g_test_add("/control/cli/status", struct fixture, NULL, setup, test_status, teardown);
    return g_test_run();
}
