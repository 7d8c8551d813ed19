/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Encryption secrets (e2call(1), SECRETS): reading, validation, wiping.
 *
 * A valid secret is UTF-8 text of 8 to 256 code points without NUL. From a
 * file, a descriptor or stdin one trailing LF or CRLF is removed. Nothing in
 * this module ever copies secret bytes into a message: errors say what is
 * wrong in counts, never in content.
 */
#pragma once

#include <stddef.h>

#define E2C_SECRET_MIN_CHARS 8
#define E2C_SECRET_MAX_CHARS 256
/* 256 code points are at most 1024 bytes of UTF-8, plus CRLF. */
#define E2C_SECRET_MAX_BYTES 1026

enum e2c_secret_error {
    E2C_SECRET_OK = 0,
    E2C_SECRET_E_TOO_SHORT = -1, /* fewer than 8 code points (including empty) */
    E2C_SECRET_E_TOO_LONG = -2,  /* more than 256 code points, or more bytes than that allows */
    E2C_SECRET_E_NUL = -3,       /* contains U+0000 */
    E2C_SECRET_E_NOT_UTF8 = -4,  /* invalid, overlong or surrogate encodings */
    E2C_SECRET_E_IO = -5, /* the file, descriptor or variable could not be read (errno kept) */
    E2C_SECRET_E_NOMEM = -6,
};

struct e2c_secret {
    char *utf8;     /* NUL-terminated copy (key memory), wiped on e2c_secret_clear() */
    size_t len;     /* bytes, without the terminator */
    size_t n_chars; /* code points */
};

/*
 * Every function below fills *out and returns E2C_SECRET_OK, or returns an
 * error and leaves *out without bytes (utf8 NULL, len 0) but with n_chars set
 * to the code points counted for E2C_SECRET_E_TOO_SHORT / E2C_SECRET_E_TOO_LONG
 * (0 when a reader stopped at E2C_SECRET_MAX_BYTES, and for other errors), so
 * that e2c_secret_describe() can give the count. *out is overwritten, not
 * cleared: clear a previous secret first. E2C_SECRET_E_IO leaves errno set.
 */

/* Validates len bytes (trailing newline handling as in the readers when strip_newline). */
enum e2c_secret_error e2c_secret_set(struct e2c_secret *out, const char *bytes, size_t len,
                                     int strip_newline);

/* A secret file's content, as e2c_secret_file_read() found it. */
struct e2c_secret_file {
    char *bytes;    /* NUL-terminated (key memory); e2c_secret_file_clear() wipes it */
    size_t len;     /* bytes, without the terminator */
    int exposure;   /* mode bits that let group or others read it (mode & 044); 0 for a pipe */
    long long size; /* E2C_SECRET_E_TOO_LONG: the file's size; -1 when a pipe gave too much */
};

/*
 * The one reader of files that hold secrets (--secret-file, load --secrets),
 * so that both follow the same rules:
 * - a final symbolic link is not followed (errno ELOOP);
 * - the file is opened without waiting (O_NONBLOCK) and only a regular file
 *   is read: a named pipe (FIFO) gives ESPIPE, unread, instead of waiting
 *   for a writer; a directory EISDIR; a device or socket EINVAL;
 * - a regular file larger than max_bytes gives E2C_SECRET_E_TOO_LONG from
 *   its size, before anything is read, and no read asks for more than
 *   max_bytes + 1 bytes in all, so memory stays within max_bytes;
 * - "/dev/stdin", "/dev/fd/N" and "/proc/self/fd/N" (symlinks on Linux, and
 *   what bash's <(...) hands out) read the inherited descriptor N instead,
 *   which stays open: a regular file under the rules above, or a pipe or
 *   device up to max_bytes + 1 bytes (more: E2C_SECRET_E_TOO_LONG).
 * Returns E2C_SECRET_OK, E2C_SECRET_E_TOO_LONG, E2C_SECRET_E_NOMEM or
 * E2C_SECRET_E_IO (errno set; EAGAIN: the file grew while it was read).
 * Nothing is kept on failure.
 */
enum e2c_secret_error e2c_secret_file_read(const char *path, size_t max_bytes,
                                           struct e2c_secret_file *out);
void e2c_secret_file_clear(struct e2c_secret_file *f); /* wipes; safe on zeroed or cleared values */
/* Why a secret file could not be read, for errno of E2C_SECRET_E_IO: "it is a directory". */
const char *e2c_secret_file_strerror(int errnum);

/*
 * One secret from a file (e2c_secret_file_read() with E2C_SECRET_MAX_BYTES:
 * more is E2C_SECRET_E_TOO_LONG), one trailing LF or CRLF removed.
 * *exposure (when not NULL) gets the file's exposure as above.
 */
enum e2c_secret_error e2c_secret_read_file(struct e2c_secret *out, const char *path, int *exposure);
/* Reads until EOF (or more than E2C_SECRET_MAX_BYTES) from fd; used for stdin and sockets. */
enum e2c_secret_error e2c_secret_read_fd(struct e2c_secret *out, int fd);
/* The value of an environment variable, taken as is (no newline stripping); unset: IO, ENOENT. */
enum e2c_secret_error e2c_secret_from_env(struct e2c_secret *out, const char *name);

/* A short static text per error, without counts. */
const char *e2c_secret_strerror(int err);
/*
 * One line for a person, from counts and errno only, never from content:
 * "secret has 7 characters, at least 8 are required". attempt is the *out
 * of the failed call (NULL gives the text without the count); for
 * E2C_SECRET_E_IO call it before anything else can change errno. Returns
 * what snprintf() returns.
 */
int e2c_secret_describe(int err, const struct e2c_secret *attempt, char *buf, size_t cap);
/*
 * Error name (e2call(1), EXIT STATUS) for a validation failure (too short, too long, NUL,
 * not UTF-8): "INVALID_ENCRYPTION_SECRET". NULL for E2C_SECRET_OK and for
 * E2C_SECRET_E_IO / E2C_SECRET_E_NOMEM, which say nothing about the secret.
 */
const char *e2c_secret_error_name(int err);

void e2c_secret_clear(struct e2c_secret *s); /* wipes and frees; safe on zeroed or cleared values */
