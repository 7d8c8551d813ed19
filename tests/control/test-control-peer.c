/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A client of another uid (65534, via fork + setresuid) against the control
 * server: the 0700 directory stops it first; with the directory and socket
 * opened up on purpose, SO_PEERCRED still refuses it. Needs root (else
 * exit 77, skipped).
 */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control-test-util.h"

#define OTHER_UID 65534

enum { CHILD_REFUSED_BY_FS = 10, CHILD_REFUSED_BY_PEERCRED = 11 };

/* In the child: raw system calls only. Fills buf with what the server said. */
static int
as_other_user(const char *path, char *buf, size_t cap, size_t *got)
{
    *got = 0;
    if (setgroups(0, NULL) != 0 || setresgid(OTHER_UID, OTHER_UID, OTHER_UID) != 0 ||
        setresuid(OTHER_UID, OTHER_UID, OTHER_UID) != 0)
        return 2;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
        return errno == EACCES ? CHILD_REFUSED_BY_FS : 3;
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    /* Try everything a peer could want: none of it may happen. */
    static const char req[] = "status\nleave\nrekey Y2FuYXJ5LTVjMWUtU0VDUkVULW11c3Qtbm90LWxlYWs=\n";
    send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
    for (;;) {
        ssize_t n = recv(fd, buf + *got, cap - *got, 0);
        if (n <= 0)
            break; /* EOF or reset: closed by the server */
        *got += (size_t)n;
        if (*got == cap)
            return 4;
    }
    return CHILD_REFUSED_BY_PEERCRED;
}

/*
 * Reports the result code, then the reply, through the pipe: under
 * valgrind a child's exit status is valgrind's, not ours.
 */
static void G_GNUC_NORETURN
child_main(const char *path, int report_fd)
{
    char report[512];
    size_t got;
    report[0] = (char)as_other_user(path, report + 1, sizeof(report) - 1, &got);
    _exit(write(report_fd, report, got + 1) == (ssize_t)(got + 1) ? 0 : 1);
}

struct child {
    gboolean exited;
    int status;
};

static void
on_child(GPid pid, gint status, gpointer data)
{
    struct child *c = data;
    c->exited = TRUE;
    c->status = status;
}

static gboolean
child_exited(gpointer data)
{
    return ((struct child *)data)->exited;
}

/* Runs a uid-65534 client while this process serves; returns its result, *out its reply. */
static int
run_other(const char *path, gchar **out)
{
    int pipefd[2];
    g_assert_cmpint(pipe(pipefd), ==, 0);
    fflush(NULL);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        close(pipefd[0]);
        child_main(path, pipefd[1]);
    }
    close(pipefd[1]);
    struct child c = {0};
    g_child_watch_add(pid, on_child, &c);
    g_assert_true(run_until(child_exited, &c, 10000));
    char buf[512];
    ssize_t n = read(pipefd[0], buf, sizeof(buf));
    close(pipefd[0]);
    g_assert_cmpint(n, >=, 1);
    *out = g_strndup(buf + 1, (gsize)n - 1);
    return buf[0];
}

static void
test_other_uid(void)
{
    gchar *dir = make_private_dir();
    gchar *path = g_build_filename(dir, "ctl.sock", NULL);
    struct fake_call f;
    fake_call_init(&f);
    struct e2c_control_server *s = e2c_control_server_new(path, &fake_ops, &f, NULL);
    g_assert_nonnull(s);

    /* The directory is the first wall. */
    gchar *reply = NULL;
    g_assert_cmpint(run_other(path, &reply), ==, CHILD_REFUSED_BY_FS);
    g_free(reply);

    /* Opened up (a mistake, or a hostile umask): SO_PEERCRED is the second. */
    g_assert_cmpint(chmod(dir, 0711), ==, 0);
    g_assert_cmpint(chmod(path, 0666), ==, 0);
    g_assert_cmpint(run_other(path, &reply), ==, CHILD_REFUSED_BY_PEERCRED);
    g_assert_cmpstr(reply, ==,
                    "error PERMISSION_DENIED only the user running this e2call may use its "
                    "control socket\n");
    g_ptr_array_add(f.replies, reply);
    g_assert_cmpuint(f.rekeys, ==, 0);
    g_assert_cmpuint(f.leaves, ==, 0);

    struct e2c_control_server_stats st;
    e2c_control_server_get_stats(s, &st);
    g_assert_cmpuint(st.refused_peers, ==, 1);
    g_assert_cmpuint(st.accepted, ==, 0);
    g_assert_cmpuint(st.requests, ==, 0);

    /* We still get in. */
    reply = raw_request(&f, path, "status\n");
    g_assert_true(g_str_has_prefix(reply, "ok {"));
    g_free(reply);

    e2c_control_server_free(s);
    fake_call_clear(&f);
    rm_tree(dir);
    g_free(dir);
    g_free(path);
}

int
main(int argc, char **argv)
{
    if (geteuid() != 0) {
        g_print("needs root to run a client as uid %d: skipped\n", OTHER_UID);
        return 77;
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/control/peer/other-uid", test_other_uid);
    return g_test_run();
}
