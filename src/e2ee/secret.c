/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Encryption secrets (e2call(1), SECRETS; reading practice: wg, sshpass, openssl
 * passphrase options). Secret bytes are only ever copied into the key
 * memory copy held by struct e2c_secret (keymem.h: out of core dumps) and
 * into one stack buffer per read, which is wiped before returning. Messages
 * are built from counts and errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "keymem.h"
#include "secret.h"

/* Validation errors are INVALID_ENCRYPTION_SECRET (e2call(1), EXIT STATUS). */
static int
is_validation_error(int err)
{
    return err == E2C_SECRET_E_TOO_SHORT || err == E2C_SECRET_E_TOO_LONG ||
           err == E2C_SECRET_E_NUL || err == E2C_SECRET_E_NOT_UTF8;
}

/*
 * Length of the UTF-8 sequence at s (RFC 3629 §4 syntax: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when it is invalid or
 * truncated.
 */
static size_t
utf8_sequence_len(const unsigned char *s, size_t avail)
{
    unsigned char b = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        if (b == 0xe0)
            lo = 0xa0; /* overlong */
        else if (b == 0xed)
            hi = 0x9f; /* U+D800-U+DFFF */
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        if (b == 0xf0)
            lo = 0x90; /* overlong */
        else if (b == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong leads, F5-FF */
    }
    if (avail < n)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

/* Counts code points into *n_chars; the error of the first bad sequence otherwise. */
static int
validate(const unsigned char *s, size_t len, size_t *n_chars)
{
    size_t count = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == 0)
            return E2C_SECRET_E_NUL;
        size_t n = utf8_sequence_len(s + i, len - i);
        if (n == 0)
            return E2C_SECRET_E_NOT_UTF8;
        i += n;
        count++;
    }
    *n_chars = count;
    if (count < E2C_SECRET_MIN_CHARS)
        return E2C_SECRET_E_TOO_SHORT;
    if (count > E2C_SECRET_MAX_CHARS)
        return E2C_SECRET_E_TOO_LONG;
    return E2C_SECRET_OK;
}

static void
set_failed(struct e2c_secret *out, size_t n_chars)
{
    out->utf8 = NULL;
    out->len = 0;
    out->n_chars = n_chars;
}

enum e2c_secret_error
e2c_secret_set(struct e2c_secret *out, const char *bytes, size_t len, int strip_newline)
{
    if (!out) {
        errno = EINVAL;
        return E2C_SECRET_E_IO;
    }
    if (!bytes && len > 0) {
        set_failed(out, 0);
        errno = EINVAL;
        return E2C_SECRET_E_IO;
    }
    if (strip_newline && len > 0 && bytes[len - 1] == '\n') {
        len--;
        if (len > 0 && bytes[len - 1] == '\r')
            len--;
    }

    size_t n_chars = 0;
    int err = validate((const unsigned char *)bytes, len, &n_chars);
    if (err != E2C_SECRET_OK) {
        set_failed(out,
                   err == E2C_SECRET_E_TOO_SHORT || err == E2C_SECRET_E_TOO_LONG ? n_chars : 0);
        return err;
    }

    char *copy = e2c_keymem_alloc(len + 1);
    if (!copy) {
        set_failed(out, 0);
        return E2C_SECRET_E_NOMEM;
    }
    memcpy(copy, bytes, len);
    copy[len] = '\0';
    out->utf8 = copy;
    out->len = len;
    out->n_chars = n_chars;
    return E2C_SECRET_OK;
}

enum e2c_secret_error
e2c_secret_read_fd(struct e2c_secret *out, int fd)
{
    if (!out) {
        errno = EINVAL;
        return E2C_SECRET_E_IO;
    }

    /* One byte more than any valid secret can take tells "too long" apart. */
    char buf[E2C_SECRET_MAX_BYTES + 1];
    size_t total = 0;
    int err = E2C_SECRET_OK;

    while (total < sizeof(buf)) {
        ssize_t n = read(fd, buf + total, sizeof(buf) - total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = E2C_SECRET_E_IO;
            break;
        }
        if (n == 0)
            break;
        total += (size_t)n;
    }

    if (err == E2C_SECRET_OK && total == sizeof(buf))
        err = E2C_SECRET_E_TOO_LONG;
    if (err == E2C_SECRET_OK)
        err = e2c_secret_set(out, buf, total, 1);
    else
        set_failed(out, 0);

    int saved = errno;
    OPENSSL_cleanse(buf, sizeof(buf));
    errno = saved;
    return err;
}

/*
 * "/dev/stdin", "/dev/fd/N" and "/proc/self/fd/N" are symbolic links to the
 * process's own descriptors (bash's <(...) gives /dev/fd/N). O_NOFOLLOW would
 * refuse them, so they name descriptor N directly; -1 for any other path.
 */
static int
descriptor_path(const char *path)
{
    static const char *const prefixes[] = {"/dev/fd/", "/proc/self/fd/"};
    if (strcmp(path, "/dev/stdin") == 0)
        return STDIN_FILENO;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t plen = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], plen) != 0)
            continue;
        const char *digits = path + plen;
        if (*digits < '0' || *digits > '9')
            return -1;
        long fd = 0;
        for (const char *p = digits; *p; p++) {
            if (*p < '0' || *p > '9')
                return -1;
            fd = fd * 10 + (*p - '0');
            if (fd > INT_MAX)
                return -1;
        }
        return (int)fd;
    }
    return -1;
}

/* Type checks for a path we opened ourselves: regular files only. */
static int
check_opened(const struct stat *st)
{
    if (S_ISREG(st->st_mode))
        return 0;
    errno = S_ISDIR(st->st_mode) ? EISDIR : S_ISFIFO(st->st_mode) ? ESPIPE : EINVAL;
    return -1;
}

/* A descriptor the caller handed us may also be a pipe or a device (bounded reads). */
static int
check_inherited(const struct stat *st)
{
    if (S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode) ||
        S_ISSOCK(st->st_mode))
        return 0;
    errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
    return -1;
}

/*
 * Reads up to cap bytes into buf; *total gets what was read. -1 with errno
 * on a read error.
 */
static int
read_upto(int fd, char *buf, size_t cap, size_t *total)
{
    *total = 0;
    while (*total < cap) {
        ssize_t n = read(fd, buf + *total, cap - *total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        *total += (size_t)n;
    }
    return 0;
}

static int
read_opened(int fd, const struct stat *st, size_t max_bytes, struct e2c_secret_file *out)
{
    int regular = S_ISREG(st->st_mode);
    if (regular && (unsigned long long)st->st_size > max_bytes) {
        out->size = (long long)st->st_size;
        return E2C_SECRET_E_TOO_LONG;
    }
    /*
     * One byte more than allowed (or than the file's size) tells "too long"
     * (or "grew while read") apart without reading further.
     */
    size_t cap = (regular ? (size_t)st->st_size : max_bytes) + 1;
    char *buf = e2c_keymem_alloc(cap + 1);
    if (!buf)
        return E2C_SECRET_E_NOMEM;
    size_t total = 0;
    int err = E2C_SECRET_OK;
    if (read_upto(fd, buf, cap, &total) != 0) {
        err = E2C_SECRET_E_IO;
    } else if (total == cap && total > max_bytes) {
        out->size = regular ? (long long)total : -1;
        err = E2C_SECRET_E_TOO_LONG;
    } else if (total == cap) {
        errno = EAGAIN; /* more than its size said: it changed under us */
        err = E2C_SECRET_E_IO;
    }
    if (err != E2C_SECRET_OK) {
        int saved = errno;
        OPENSSL_cleanse(buf, cap + 1);
        e2c_keymem_free(buf);
        errno = saved;
        return err;
    }
    buf[total] = '\0';
    out->bytes = buf;
    out->len = total;
    out->exposure = regular ? (int)(st->st_mode & (S_IRGRP | S_IROTH)) : 0;
    return E2C_SECRET_OK;
}

enum e2c_secret_error
e2c_secret_file_read(const char *path, size_t max_bytes, struct e2c_secret_file *out)
{
    if (!out) {
        errno = EINVAL;
        return E2C_SECRET_E_IO;
    }
    memset(out, 0, sizeof(*out));
    if (!path || max_bytes == 0 || max_bytes > SIZE_MAX / 2) {
        errno = EINVAL;
        return E2C_SECRET_E_IO;
    }

    int own_fd = 0;
    int fd = descriptor_path(path);
    if (fd < 0) {
        /* O_NONBLOCK: a FIFO opens at once (and is refused) instead of waiting for a writer. */
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
            return E2C_SECRET_E_IO;
        own_fd = 1;
    }

    struct stat st;
    int err;
    if (fstat(fd, &st) != 0 || (own_fd ? check_opened(&st) : check_inherited(&st)) != 0)
        err = E2C_SECRET_E_IO;
    else
        err = read_opened(fd, &st, max_bytes, out);
    if (own_fd) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return err;
}

void
e2c_secret_file_clear(struct e2c_secret_file *f)
{
    if (!f)
        return;
    if (f->bytes) {
        OPENSSL_cleanse(f->bytes, f->len);
        e2c_keymem_free(f->bytes);
    }
    memset(f, 0, sizeof(*f));
}

enum e2c_secret_error
e2c_secret_read_file(struct e2c_secret *out, const char *path, int *exposure)
{
    if (!out) {
        errno = EINVAL;
        return E2C_SECRET_E_IO;
    }
    struct e2c_secret_file f;
    int err = e2c_secret_file_read(path, E2C_SECRET_MAX_BYTES, &f);
    if (err != E2C_SECRET_OK) {
        set_failed(out, 0);
        return err;
    }
    err = e2c_secret_set(out, f.bytes, f.len, 1);
    if (exposure)
        *exposure = f.exposure;
    e2c_secret_file_clear(&f);
    return err;
}

enum e2c_secret_error
e2c_secret_from_env(struct e2c_secret *out, const char *name)
{
    if (!out) {
        errno = EINVAL;
        return E2C_SECRET_E_IO;
    }
    const char *value = name ? getenv(name) : NULL;
    if (!value) {
        set_failed(out, 0);
        errno = ENOENT;
        return E2C_SECRET_E_IO;
    }
    return e2c_secret_set(out, value, strlen(value), 0);
}

const char *
e2c_secret_strerror(int err)
{
    switch (err) {
    case E2C_SECRET_OK:
        return "valid secret";
    case E2C_SECRET_E_TOO_SHORT:
        return "secret too short: at least 8 characters are required";
    case E2C_SECRET_E_TOO_LONG:
        return "secret too long: at most 256 characters are allowed";
    case E2C_SECRET_E_NUL:
        return "secret contains a NUL character";
    case E2C_SECRET_E_NOT_UTF8:
        return "secret is not valid UTF-8 text";
    case E2C_SECRET_E_IO:
        return "cannot read the secret";
    case E2C_SECRET_E_NOMEM:
        return "out of memory";
    }
    return "unknown secret error";
}

const char *
e2c_secret_error_name(int err)
{
    return is_validation_error(err) ? "INVALID_ENCRYPTION_SECRET" : NULL;
}

const char *
e2c_secret_file_strerror(int errnum)
{
    switch (errnum) {
    case ELOOP:
        return "it is a symbolic link, which is not followed";
    case EISDIR:
        return "it is a directory";
    case ESPIPE:
        return "it is a named pipe (FIFO), which is not read (give a regular file, or a pipe "
               "as /dev/stdin or <(...))";
    case EINVAL:
        return "it is not a regular file (a device or a socket)";
    case EAGAIN:
        return "the file grew while it was read";
    default:
        return strerror(errnum);
    }
}

static const char *
plural(size_t n)
{
    return n == 1 ? "" : "s";
}

int
e2c_secret_describe(int err, const struct e2c_secret *attempt, char *buf, size_t cap)
{
    size_t n = attempt ? attempt->n_chars : 0;
    switch (err) {
    case E2C_SECRET_E_TOO_SHORT:
        if (!attempt)
            break;
        if (n == 0)
            return snprintf(buf, cap, "secret is empty, at least %d characters are required",
                            E2C_SECRET_MIN_CHARS);
        return snprintf(buf, cap, "secret has %zu character%s, at least %d are required", n,
                        plural(n), E2C_SECRET_MIN_CHARS);
    case E2C_SECRET_E_TOO_LONG:
        if (n == 0)
            return snprintf(buf, cap,
                            "secret is too long (more than %d bytes), at most %d characters "
                            "are allowed",
                            E2C_SECRET_MAX_BYTES, E2C_SECRET_MAX_CHARS);
        return snprintf(buf, cap, "secret has %zu characters, at most %d are allowed", n,
                        E2C_SECRET_MAX_CHARS);
    case E2C_SECRET_E_IO:
        return snprintf(buf, cap, "cannot read the secret: %s", e2c_secret_file_strerror(errno));
    default:
        break;
    }
    return snprintf(buf, cap, "%s", e2c_secret_strerror(err));
}

void
e2c_secret_clear(struct e2c_secret *s)
{
    if (!s)
        return;
    if (s->utf8) {
        OPENSSL_cleanse(s->utf8, s->len + 1);
        e2c_keymem_free(s->utf8);
    }
    s->utf8 = NULL;
    s->len = 0;
    s->n_chars = 0;
}
