/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Secrets (e2call(1), SECRETS): 8 to 256 code points of strict UTF-8 without NUL;
 * one trailing LF or CRLF removed from files and descriptors, never from the
 * environment; files read without following a final symlink; and no message
 * ever carries the secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "secret.h"

#define CANARY "CANARY"

static char *
repeat(const char *unit, size_t n)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n; i++)
        g_string_append(s, unit);
    return g_string_free(s, FALSE);
}

static void
assert_failed_empty(const struct e2c_secret *s)
{
    g_assert_null(s->utf8);
    g_assert_cmpuint(s->len, ==, 0);
}

static void
test_lengths(void)
{
    static const struct {
        const char *unit; /* one code point */
        size_t count;
        int err;
    } cases[] = {
        {"a", 0, E2C_SECRET_E_TOO_SHORT},
        {"a", 7, E2C_SECRET_E_TOO_SHORT},
        {"a", 8, E2C_SECRET_OK},
        {"a", 256, E2C_SECRET_OK},
        {"a", 257, E2C_SECRET_E_TOO_LONG},
        {"a", 5000, E2C_SECRET_E_TOO_LONG},
        {"\xc3\xa9", 8, E2C_SECRET_OK}, /* U+00E9: 16 bytes, 8 characters */
        {"\xc3\xa9", 7, E2C_SECRET_E_TOO_SHORT},
        {"\xe2\x82\xac", 256, E2C_SECRET_OK},            /* U+20AC */
        {"\xf0\x9f\x98\x80", 7, E2C_SECRET_E_TOO_SHORT}, /* U+1F600: 28 bytes, 7 characters */
        {"\xf0\x9f\x98\x80", 8, E2C_SECRET_OK},
        {"\xf0\x9f\x98\x80", 256, E2C_SECRET_OK},
        {"\xf0\x9f\x98\x80", 257, E2C_SECRET_E_TOO_LONG},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* Given */
        g_autofree char *text = repeat(cases[i].unit, cases[i].count);
        struct e2c_secret s;

        /* When */
        int err = e2c_secret_set(&s, text, strlen(text), 1);

        /* Then: the count is in code points, on success and on failure */
        if (err != cases[i].err)
            g_error("%zu x U+%s: %d, expected %d", cases[i].count, cases[i].unit, err,
                    cases[i].err);
        g_assert_cmpuint(s.n_chars, ==, cases[i].count);
        if (err == E2C_SECRET_OK) {
            g_assert_cmpuint(s.len, ==, strlen(text));
            g_assert_cmpmem(s.utf8, s.len + 1, text, strlen(text) + 1);
        } else {
            assert_failed_empty(&s);
        }
        e2c_secret_clear(&s);
    }
}

static void
test_messages_with_counts(void)
{
    char buf[160];
    struct e2c_secret s;

    g_assert_cmpint(e2c_secret_set(&s, "1234567", 7, 0), ==, E2C_SECRET_E_TOO_SHORT);
    e2c_secret_describe(E2C_SECRET_E_TOO_SHORT, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "secret has 7 characters, at least 8 are required");

    g_assert_cmpint(e2c_secret_set(&s, "x", 1, 0), ==, E2C_SECRET_E_TOO_SHORT);
    e2c_secret_describe(E2C_SECRET_E_TOO_SHORT, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "secret has 1 character, at least 8 are required");

    g_assert_cmpint(e2c_secret_set(&s, "", 0, 0), ==, E2C_SECRET_E_TOO_SHORT);
    e2c_secret_describe(E2C_SECRET_E_TOO_SHORT, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "secret is empty, at least 8 characters are required");

    g_autofree char *long_text = repeat("\xc3\xa9", 300);
    g_assert_cmpint(e2c_secret_set(&s, long_text, strlen(long_text), 0), ==, E2C_SECRET_E_TOO_LONG);
    e2c_secret_describe(E2C_SECRET_E_TOO_LONG, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "secret has 300 characters, at most 256 are allowed");

    e2c_secret_describe(E2C_SECRET_E_TOO_SHORT, NULL, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, e2c_secret_strerror(E2C_SECRET_E_TOO_SHORT));

    g_assert_cmpint(e2c_secret_set(&s, "abcd\0efgh", 9, 0), ==, E2C_SECRET_E_NUL);
    e2c_secret_describe(E2C_SECRET_E_NUL, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "secret contains a NUL character");

    for (int err = E2C_SECRET_E_NOMEM; err < 0; err++) {
        if (err == E2C_SECRET_E_IO || err == E2C_SECRET_E_NOMEM)
            g_assert_null(e2c_secret_error_name(err));
        else
            g_assert_cmpstr(e2c_secret_error_name(err), ==, "INVALID_ENCRYPTION_SECRET");
        g_assert_nonnull(e2c_secret_strerror(err));
    }
    g_assert_null(e2c_secret_error_name(E2C_SECRET_OK));
}

static void
test_nul(void)
{
    static const char with_nul[] = "abcdefgh\0ijk";
    struct e2c_secret s;
    g_assert_cmpint(e2c_secret_set(&s, with_nul, sizeof(with_nul) - 1, 0), ==, E2C_SECRET_E_NUL);
    assert_failed_empty(&s);
    g_assert_cmpint(e2c_secret_set(&s, "\0abcdefgh", 9, 1), ==, E2C_SECRET_E_NUL);
    g_assert_cmpint(e2c_secret_set(&s, "abcdefgh\0\n", 10, 1), ==, E2C_SECRET_E_NUL);
}

static void
test_newline(void)
{
    static const struct {
        const char *in;
        int strip;
        int err;
        size_t len; /* bytes kept */
    } cases[] = {
        {"abcdefgh\n", 1, E2C_SECRET_OK, 8},
        {"abcdefgh\r\n", 1, E2C_SECRET_OK, 8},
        {"abcdefgh\n\n", 1, E2C_SECRET_OK, 9}, /* exactly one */
        {"abcdefgh\r\n\r\n", 1, E2C_SECRET_OK, 10},
        {"abcdefgh\n\r\n", 1, E2C_SECRET_OK, 9},
        {"abcdefgh\r", 1, E2C_SECRET_OK, 9}, /* a lone CR is text */
        {"abcdefgh\n", 0, E2C_SECRET_OK, 9},
        {"1234567\n", 1, E2C_SECRET_E_TOO_SHORT, 0}, /* the newline is not a character */
        {"1234567\r\n", 1, E2C_SECRET_E_TOO_SHORT, 0},
        {"1234567\n", 0, E2C_SECRET_OK, 8},
        {"\n", 1, E2C_SECRET_E_TOO_SHORT, 0},
        {"\r\n", 1, E2C_SECRET_E_TOO_SHORT, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct e2c_secret s;
        int err = e2c_secret_set(&s, cases[i].in, strlen(cases[i].in), cases[i].strip);
        g_assert_cmpint(err, ==, cases[i].err);
        g_assert_cmpuint(s.len, ==, cases[i].len);
        if (err == E2C_SECRET_OK)
            g_assert_cmpmem(s.utf8, s.len, cases[i].in, cases[i].len);
        e2c_secret_clear(&s);
    }
}

static void
test_utf8(void)
{
    static const struct {
        const char *what;
        const char *seq;
        int valid;
    } cases[] = {
        {"U+0080", "\xc2\x80", 1},
        {"U+07FF", "\xdf\xbf", 1},
        {"U+0800", "\xe0\xa0\x80", 1},
        {"U+D7FF", "\xed\x9f\xbf", 1},
        {"U+E000", "\xee\x80\x80", 1},
        {"U+FFFF", "\xef\xbf\xbf", 1},
        {"U+10000", "\xf0\x90\x80\x80", 1},
        {"U+10FFFF", "\xf4\x8f\xbf\xbf", 1},
        {"overlong 2-byte /", "\xc0\xaf", 0},
        {"overlong 2-byte U+007F", "\xc1\xbf", 0},
        {"overlong 3-byte", "\xe0\x80\xaf", 0},
        {"overlong 3-byte U+07FF", "\xe0\x9f\xbf", 0},
        {"overlong 4-byte", "\xf0\x80\x80\xaf", 0},
        {"overlong 4-byte U+FFFF", "\xf0\x8f\xbf\xbf", 0},
        {"surrogate U+D800", "\xed\xa0\x80", 0},
        {"surrogate U+DFFF", "\xed\xbf\xbf", 0},
        {"U+110000", "\xf4\x90\x80\x80", 0},
        {"F5 lead", "\xf5\x80\x80\x80", 0},
        {"FF", "\xff", 0},
        {"FE", "\xfe", 0},
        {"lone continuation", "\x80", 0},
        {"truncated 2-byte", "\xc3", 0},
        {"truncated 3-byte", "\xe2\x82", 0},
        {"truncated 4-byte", "\xf0\x9f\x98", 0},
        {"bad continuation", "\xe2\x28\xa1", 0},
        {"5-byte form", "\xf8\x88\x80\x80\x80", 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        for (int at_end = 0; at_end < 2; at_end++) {
            /* Given: the sequence inside, or at the very end of, 8 ASCII characters */
            g_autofree char *text = at_end ? g_strconcat("abcdefgh", cases[i].seq, NULL)
                                           : g_strconcat("abcd", cases[i].seq, "efgh", NULL);
            struct e2c_secret s;

            /* When */
            int err = e2c_secret_set(&s, text, strlen(text), 0);

            /* Then */
            int expect = cases[i].valid ? E2C_SECRET_OK : E2C_SECRET_E_NOT_UTF8;
            if (err != expect)
                g_error("%s: %d, expected %d", cases[i].what, err, expect);
            if (cases[i].valid)
                g_assert_cmpuint(s.n_chars, ==, 9);
            else
                assert_failed_empty(&s);
            e2c_secret_clear(&s);
        }
    }
}

static void
test_env(void)
{
    struct e2c_secret s;

    g_setenv("E2C_TEST_SECRET", "abcdefgh\n", TRUE);
    g_assert_cmpint(e2c_secret_from_env(&s, "E2C_TEST_SECRET"), ==, E2C_SECRET_OK);
    g_assert_cmpuint(s.len, ==, 9); /* taken as is */
    g_assert_cmpuint(s.n_chars, ==, 9);
    e2c_secret_clear(&s);

    g_setenv("E2C_TEST_SECRET", "", TRUE);
    g_assert_cmpint(e2c_secret_from_env(&s, "E2C_TEST_SECRET"), ==, E2C_SECRET_E_TOO_SHORT);

    g_unsetenv("E2C_TEST_SECRET");
    errno = 0;
    g_assert_cmpint(e2c_secret_from_env(&s, "E2C_TEST_SECRET"), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(errno, ==, ENOENT);
    assert_failed_empty(&s);
}

/* ---- files ---------------------------------------------------------------- */

struct tmp {
    char *dir;
};

static char *
tmp_path(struct tmp *t, const char *name)
{
    return g_build_filename(t->dir, name, NULL);
}

static char *
write_file(struct tmp *t, const char *name, const void *data, size_t len, int mode)
{
    char *path = tmp_path(t, name);
    g_autoptr(GError) error = NULL;
    g_assert_true(g_file_set_contents(path, data, (gssize)len, &error));
    g_assert_cmpint(g_chmod(path, mode), ==, 0);
    return path;
}

static void
tmp_setup(struct tmp *t, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    t->dir = g_dir_make_tmp("e2c-secret-XXXXXX", &error);
    g_assert_no_error(error);
}

static void
tmp_teardown(struct tmp *t, gconstpointer data)
{
    GDir *d = g_dir_open(t->dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = tmp_path(t, name);
        if (g_rmdir(p) != 0)
            g_assert_cmpint(g_unlink(p), ==, 0);
    }
    if (d)
        g_dir_close(d);
    g_assert_cmpint(g_rmdir(t->dir), ==, 0);
    g_free(t->dir);
}

static void
test_file_regular(struct tmp *t, gconstpointer data)
{
    struct e2c_secret s;
    g_autofree char *path = write_file(t, "ok", "correct horse\n", 14, 0600);
    g_assert_cmpint(e2c_secret_read_file(&s, path, NULL), ==, E2C_SECRET_OK);
    g_assert_cmpstr(s.utf8, ==, "correct horse");
    g_assert_cmpuint(s.len, ==, 13);
    e2c_secret_clear(&s);
    g_assert_null(s.utf8);
    e2c_secret_clear(&s); /* twice is fine */

    /* 256 x U+1F600 is 1024 bytes; with CRLF exactly E2C_SECRET_MAX_BYTES */
    g_autofree char *emoji = repeat("\xf0\x9f\x98\x80", 256);
    g_autofree char *content = g_strconcat(emoji, "\r\n", NULL);
    g_assert_cmpuint(strlen(content), ==, E2C_SECRET_MAX_BYTES);
    g_autofree char *p2 = write_file(t, "emoji", content, strlen(content), 0600);
    g_assert_cmpint(e2c_secret_read_file(&s, p2, NULL), ==, E2C_SECRET_OK);
    g_assert_cmpuint(s.n_chars, ==, 256);
    g_assert_cmpuint(s.len, ==, 1024);
    g_assert_cmpmem(s.utf8, s.len, emoji, 1024);
    e2c_secret_clear(&s);

    /* one byte more is refused without being counted */
    g_autofree char *over = g_strconcat(emoji, "\r\n\n", NULL);
    g_autofree char *p3 = write_file(t, "over", over, strlen(over), 0600);
    g_assert_cmpint(e2c_secret_read_file(&s, p3, NULL), ==, E2C_SECRET_E_TOO_LONG);
    assert_failed_empty(&s);
    char buf[160];
    e2c_secret_describe(E2C_SECRET_E_TOO_LONG, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==,
                    "secret is too long (more than 1026 bytes), at most 256 characters are "
                    "allowed");

    /* a large file */
    g_autofree char *big = repeat("a", 100000);
    g_autofree char *p4 = write_file(t, "big", big, strlen(big), 0600);
    g_assert_cmpint(e2c_secret_read_file(&s, p4, NULL), ==, E2C_SECRET_E_TOO_LONG);

    /* two newlines: one stays */
    g_autofree char *p5 = write_file(t, "two-lf", "abcdefgh\n\n", 10, 0600);
    g_assert_cmpint(e2c_secret_read_file(&s, p5, NULL), ==, E2C_SECRET_OK);
    g_assert_cmpuint(s.len, ==, 9);
    e2c_secret_clear(&s);

    g_autofree char *missing = tmp_path(t, "missing");
    errno = 0;
    g_assert_cmpint(e2c_secret_read_file(&s, missing, NULL), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(errno, ==, ENOENT);
}

static void
test_file_symlink(struct tmp *t, gconstpointer data)
{
    struct e2c_secret s;
    char buf[160];
    g_autofree char *target = write_file(t, "target", "correct horse\n", 14, 0600);
    g_autofree char *link = tmp_path(t, "link");
    g_assert_cmpint(symlink(target, link), ==, 0);

    errno = 0;
    g_assert_cmpint(e2c_secret_read_file(&s, link, NULL), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(errno, ==, ELOOP);
    assert_failed_empty(&s);
    e2c_secret_describe(E2C_SECRET_E_IO, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==,
                    "cannot read the secret: it is a symbolic link, which is not followed");
}

static void
test_file_directory(struct tmp *t, gconstpointer data)
{
    struct e2c_secret s;
    char buf[160];
    g_autofree char *dir = tmp_path(t, "dir");
    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    errno = 0;
    g_assert_cmpint(e2c_secret_read_file(&s, dir, NULL), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(errno, ==, EISDIR);
    e2c_secret_describe(E2C_SECRET_E_IO, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, "cannot read the secret: it is a directory");
}

static void
test_file_socket(struct tmp *t, gconstpointer data)
{
    struct e2c_secret s;
    g_autofree char *path = tmp_path(t, "sock");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(e2c_secret_read_file(&s, path, NULL), ==, E2C_SECRET_E_IO);
    assert_failed_empty(&s);
    close(fd);
}

/*
 * A named pipe is refused at once, unread: opening one for reading waits for
 * a writer, which may never come. In a subprocess, so that a hang fails.
 */
static void
test_file_fifo(struct tmp *t, gconstpointer data)
{
    g_autofree char *path = tmp_path(t, "fifo");
    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    if (g_test_subprocess()) {
        struct e2c_secret s;
        char buf[200];
        errno = 0;
        g_assert_cmpint(e2c_secret_read_file(&s, path, NULL), ==, E2C_SECRET_E_IO);
        g_assert_cmpint(errno, ==, ESPIPE);
        assert_failed_empty(&s);
        e2c_secret_describe(E2C_SECRET_E_IO, &s, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==,
                        "cannot read the secret: it is a named pipe (FIFO), which is not read "
                        "(give a regular file, or a pipe as /dev/stdin or <(...))");
        struct e2c_secret_file f;
        g_assert_cmpint(e2c_secret_file_read(path, 1 << 20, &f), ==, E2C_SECRET_E_IO);
        g_assert_cmpint(errno, ==, ESPIPE);
        g_assert_null(f.bytes);
        return;
    }
    /* The subprocess runs this test again, with its own directory. */
    g_test_trap_subprocess(NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
}

/* A device is no secret file: /dev/zero would never end. */
static void
test_file_device(void)
{
    struct e2c_secret s;
    char buf[200];
    errno = 0;
    g_assert_cmpint(e2c_secret_read_file(&s, "/dev/zero", NULL), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(errno, ==, EINVAL);
    e2c_secret_describe(E2C_SECRET_E_IO, &s, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==,
                    "cannot read the secret: it is not a regular file (a device or a socket)");
    struct e2c_secret_file f;
    g_assert_cmpint(e2c_secret_file_read("/dev/zero", 1 << 20, &f), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(errno, ==, EINVAL);
}

/* Resident memory high-water mark, KiB. */
static long
max_rss_kib(void)
{
    struct rusage ru;
    g_assert_cmpint(getrusage(RUSAGE_SELF, &ru), ==, 0);
    return ru.ru_maxrss;
}

/*
 * A file larger than the bound is refused from its size, unread: a 100 MiB
 * sparse file costs no memory (it would be 100 MiB resident if read).
 */
static void
test_file_too_big(struct tmp *t, gconstpointer data)
{
    g_autofree char *path = write_file(t, "sparse", "", 0, 0600);
    g_assert_cmpint(truncate(path, 100 << 20), ==, 0);
    long before = max_rss_kib();

    struct e2c_secret s;
    g_assert_cmpint(e2c_secret_read_file(&s, path, NULL), ==, E2C_SECRET_E_TOO_LONG);
    assert_failed_empty(&s);
    struct e2c_secret_file f;
    g_assert_cmpint(e2c_secret_file_read(path, 1 << 20, &f), ==, E2C_SECRET_E_TOO_LONG);
    g_assert_cmpint(f.size, ==, 100 << 20);
    g_assert_null(f.bytes);
    g_assert_cmpint(max_rss_kib() - before, <, 8 << 10);

    /* The same through a descriptor name. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    g_autofree char *byfd = g_strdup_printf("/dev/fd/%d", fd);
    g_assert_cmpint(e2c_secret_file_read(byfd, 1 << 20, &f), ==, E2C_SECRET_E_TOO_LONG);
    g_assert_cmpint(f.size, ==, 100 << 20);
    close(fd);
    g_assert_cmpint(max_rss_kib() - before, <, 8 << 10);

    /* At the bound exactly: read. */
    g_autofree char *exact = write_file(t, "exact", "abcdefghij", 10, 0600);
    g_assert_cmpint(e2c_secret_file_read(exact, 10, &f), ==, E2C_SECRET_OK);
    g_assert_cmpuint(f.len, ==, 10);
    g_assert_cmpstr(f.bytes, ==, "abcdefghij");
    e2c_secret_file_clear(&f);
    g_assert_null(f.bytes);
    g_assert_cmpint(e2c_secret_file_read(exact, 9, &f), ==, E2C_SECRET_E_TOO_LONG);
    g_assert_cmpint(f.size, ==, 10);
}

/* A pipe has no size: it is read up to the bound and one byte, no further. */
static void
test_pipe_bounded(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    g_autofree char *big = repeat("x", 5000);
    g_assert_cmpint(write(p[1], big, 5000), ==, 5000);
    g_autofree char *path = g_strdup_printf("/dev/fd/%d", p[0]);
    struct e2c_secret_file f;
    g_assert_cmpint(e2c_secret_file_read(path, 4096, &f), ==, E2C_SECRET_E_TOO_LONG);
    g_assert_cmpint(f.size, ==, -1);
    /* Exactly 4097 bytes were taken; the writer's end is still open, no EOF was waited for. */
    char rest[5000];
    g_assert_cmpint(read(p[0], rest, sizeof(rest)), ==, 5000 - 4097);
    close(p[0]);
    close(p[1]);
}

static void
test_file_descriptor_paths(void)
{
    struct e2c_secret s;
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    g_assert_cmpint(write(p[1], "from a pipe fd\n", 15), ==, 15);
    close(p[1]);

    g_autofree char *path = g_strdup_printf("/dev/fd/%d", p[0]);
    g_assert_cmpint(e2c_secret_read_file(&s, path, NULL), ==, E2C_SECRET_OK);
    g_assert_cmpstr(s.utf8, ==, "from a pipe fd");
    e2c_secret_clear(&s);
    g_assert_cmpint(fcntl(p[0], F_GETFD), >=, 0); /* still ours to close */
    close(p[0]);

    g_assert_cmpint(pipe(p), ==, 0);
    g_assert_cmpint(write(p[1], "from /proc/self/fd", 18), ==, 18);
    close(p[1]);
    g_autofree char *path2 = g_strdup_printf("/proc/self/fd/%d", p[0]);
    g_assert_cmpint(e2c_secret_read_file(&s, path2, NULL), ==, E2C_SECRET_OK);
    g_assert_cmpstr(s.utf8, ==, "from /proc/self/fd");
    e2c_secret_clear(&s);
    close(p[0]);

    /* not descriptor names: opened as paths (and refused as symlinks or missing) */
    g_assert_cmpint(e2c_secret_read_file(&s, "/dev/fd/", NULL), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(e2c_secret_read_file(&s, "/dev/fd/1x", NULL), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(e2c_secret_read_file(&s, "/dev/fd/99999999999", NULL), ==, E2C_SECRET_E_IO);
}

static void
test_read_fd(void)
{
    struct e2c_secret s;
    int sv[2];
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    g_assert_cmpint(write(sv[1], "secret over a socket\r\n", 22), ==, 22);
    g_assert_cmpint(shutdown(sv[1], SHUT_WR), ==, 0);
    g_assert_cmpint(e2c_secret_read_fd(&s, sv[0]), ==, E2C_SECRET_OK);
    g_assert_cmpstr(s.utf8, ==, "secret over a socket");
    e2c_secret_clear(&s);
    close(sv[0]);
    close(sv[1]);

    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    g_autofree char *big = repeat("b", 4000);
    g_assert_cmpint(write(p[1], big, 4000), ==, 4000);
    close(p[1]);
    g_assert_cmpint(e2c_secret_read_fd(&s, p[0]), ==, E2C_SECRET_E_TOO_LONG);
    close(p[0]);

    errno = 0;
    g_assert_cmpint(e2c_secret_read_fd(&s, -1), ==, E2C_SECRET_E_IO);
    g_assert_cmpint(errno, ==, EBADF);
}

static void
test_exposure(struct tmp *t, gconstpointer data)
{
    static const struct {
        int mode, exposure;
    } cases[] = {
        {0600, 0},   {0400, 0}, {0640, 040}, {0644, 044},
        {0604, 004}, {0620, 0}, {0602, 0},   {0666, 044},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("mode-%o", cases[i].mode);
        g_autofree char *path = write_file(t, name, "abcdefgh", 8, cases[i].mode);
        struct e2c_secret s;
        int exposure = -1;
        g_assert_cmpint(e2c_secret_read_file(&s, path, &exposure), ==, E2C_SECRET_OK);
        g_assert_cmpint(exposure, ==, cases[i].exposure);
        e2c_secret_clear(&s);
        struct e2c_secret_file f;
        g_assert_cmpint(e2c_secret_file_read(path, 100, &f), ==, E2C_SECRET_OK);
        g_assert_cmpint(f.exposure, ==, cases[i].exposure);
        e2c_secret_file_clear(&f);
    }
    /* A pipe is nobody else's to read. */
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    g_assert_cmpint(write(p[1], "abcdefgh", 8), ==, 8);
    close(p[1]);
    g_autofree char *path = g_strdup_printf("/dev/fd/%d", p[0]);
    struct e2c_secret_file f;
    g_assert_cmpint(e2c_secret_file_read(path, 100, &f), ==, E2C_SECRET_OK);
    g_assert_cmpint(f.exposure, ==, 0);
    g_assert_cmpstr(f.bytes, ==, "abcdefgh");
    e2c_secret_file_clear(&f);
    close(p[0]);
}

/* No message about a refused secret carries its bytes. */
static void
test_canary(struct tmp *t, gconstpointer data)
{
    g_autofree char *too_long = repeat(CANARY, 50);
    g_autofree char *too_long_file = repeat(CANARY, 200);
    static const char nul[] = CANARY "\0" CANARY;
    static const char bad_utf8[] = CANARY "\xff" CANARY;
    static const char surrogate[] = CANARY "\xed\xa0\x80" CANARY;
    const struct {
        const char *bytes;
        size_t len;
    } inputs[] = {
        {CANARY "1", 7},
        {too_long, strlen(too_long)},
        {nul, sizeof(nul) - 1},
        {bad_utf8, sizeof(bad_utf8) - 1},
        {surrogate, sizeof(surrogate) - 1},
        {too_long_file, strlen(too_long_file)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        for (int via_file = 0; via_file < 2; via_file++) {
            /* Given */
            struct e2c_secret s;
            int err;
            if (via_file) {
                g_autofree char *name = g_strdup_printf("canary-%zu", i);
                g_autofree char *path = write_file(t, name, inputs[i].bytes, inputs[i].len, 0600);
                err = e2c_secret_read_file(&s, path, NULL);
            } else {
                err = e2c_secret_set(&s, inputs[i].bytes, inputs[i].len, 1);
            }
            g_assert_cmpint(err, !=, E2C_SECRET_OK);

            /* When */
            char described[512];
            e2c_secret_describe(err, &s, described, sizeof(described));
            const char *texts[] = {described, e2c_secret_strerror(err), e2c_secret_error_name(err)};

            /* Then */
            assert_failed_empty(&s);
            for (size_t k = 0; k < G_N_ELEMENTS(texts); k++)
                if (texts[k] && strstr(texts[k], CANARY))
                    g_error("input %zu: message carries the secret: %s", i, texts[k]);
        }
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/secret/lengths", test_lengths);
    g_test_add_func("/secret/messages-with-counts", test_messages_with_counts);
    g_test_add_func("/secret/nul", test_nul);
    g_test_add_func("/secret/newline", test_newline);
    g_test_add_func("/secret/utf8", test_utf8);
    g_test_add_func("/secret/env", test_env);
    g_test_add_func("/secret/read-fd", test_read_fd);
    g_test_add_func("/secret/file/descriptor-paths", test_file_descriptor_paths);
#define ADD_TMP(path, fn) g_test_add(path, struct tmp, NULL, tmp_setup, fn, tmp_teardown)
    ADD_TMP("/secret/file/regular", test_file_regular);
    ADD_TMP("/secret/file/symlink", test_file_symlink);
    ADD_TMP("/secret/file/directory", test_file_directory);
    ADD_TMP("/secret/file/socket", test_file_socket);
    ADD_TMP("/secret/file/fifo", test_file_fifo);
    ADD_TMP("/secret/file/too-big", test_file_too_big);
    g_test_add_func("/secret/file/device", test_file_device);
    g_test_add_func("/secret/file/pipe-bounded", test_pipe_bounded);
    ADD_TMP("/secret/file/exposure", test_exposure);
    ADD_TMP("/secret/canary", test_canary);
    return g_test_run();
}
