/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Encryption secrets (SPEC.md §3): reading, validation, wiping.
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
    E2C_SECRET_E_IO = -5,        /* the file, descriptor or variable could not be read (errno kept) */
    E2C_SECRET_E_NOMEM = -6,
};

struct e2c_secret {
    char *utf8;     /* NUL-terminated copy, wiped on e2c_secret_clear() */
    size_t len;     /* bytes, without the terminator */
    size_t n_chars; /* code points */
};

/* Validates len bytes (trailing newline handling as in the readers when strip_newline). */
int e2c_secret_set(struct e2c_secret *out, const char *bytes, size_t len, int strip_newline);
/* Reads a regular file, FIFO or character device without following a final symlink. */
int e2c_secret_read_file(struct e2c_secret *out, const char *path);
/* Reads until EOF (or more than E2C_SECRET_MAX_BYTES) from fd; used for stdin and sockets. */
int e2c_secret_read_fd(struct e2c_secret *out, int fd);
/* The value of an environment variable, taken as is (no newline stripping). */
int e2c_secret_from_env(struct e2c_secret *out, const char *name);

/* Human text: "secret has 7 characters, at least 8 are required" needs the count, so: */
const char *e2c_secret_strerror(int err);
/* SPEC.md §5 error name for a validation failure: "INVALID_ENCRYPTION_SECRET". */
const char *e2c_secret_error_name(int err);

/* Mode bits that let group or others read the file (0 when private); -1 with errno on error. */
int e2c_secret_file_exposure(const char *path);

void e2c_secret_clear(struct e2c_secret *s); /* wipes and frees; safe on zeroed or cleared values */
