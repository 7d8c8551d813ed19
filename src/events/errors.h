/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call(1), EXIT STATUS and EVENTS: the product's error names and exit statuses, in one table.
 */
#pragma once

#include <glib.h>

enum e2c_exit {
    E2C_EXIT_OK = 0,
    E2C_EXIT_FAILURE = 1, /* an unexpected local failure not covered below */
    E2C_EXIT_USAGE = 2,
    E2C_EXIT_INVALID_SECRET = 3,
    E2C_EXIT_SECRET_MISSING = 4,
    E2C_EXIT_SECRET_MISMATCH = 5,
    E2C_EXIT_INTERNAL_ERROR = 6,
    E2C_EXIT_UNSUPPORTED = 7,
    E2C_EXIT_CONNECT_FAILED = 8,
    E2C_EXIT_STREAM_FAILED = 9,
    E2C_EXIT_MEDIA_CHECK_FAILED = 10,
    /* 11 and 12 are load's (load-verdict.h): the matrix, loss and backlog. */
    E2C_EXIT_MEDIA_QUALITY_FAILED = 13,
};

enum e2c_error {
    E2C_ERR_NONE = 0,
    E2C_ERR_INVALID_ENCRYPTION_SECRET,
    E2C_ERR_ENCRYPTION_SECRET_MISSING,
    E2C_ERR_ENCRYPTION_SECRET_MISMATCH,
    E2C_ERR_DECRYPTION_INTERNAL_ERROR,
    E2C_ERR_ENCRYPTION_INTERNAL_ERROR,
    E2C_ERR_UNSUPPORTED,
    E2C_ERR_CONNECT_FAILED,
    E2C_ERR_STREAM_CREATE_FAILED,
    E2C_ERR_UNABLE_TO_SUBSCRIBE,
    E2C_ERR_MEDIA_CHECK_FAILED,
    E2C_ERR_MEDIA_QUALITY_FAILED,
    E2C_ERR_USAGE,
    E2C_ERR_COUNT
};

/* "INVALID_ENCRYPTION_SECRET", ...; "USAGE" for E2C_ERR_USAGE; NULL for NONE. */
const char *e2c_error_name(enum e2c_error err);
enum e2c_exit e2c_error_exit_status(enum e2c_error err);
/* E2C_ERR_NONE when the name is unknown. */
enum e2c_error e2c_error_from_name(const char *name);

/*
 * The GError domain whose codes are enum e2c_error: raised where a failure
 * starts (a missing element, a router's refusal), so that whoever reports
 * it reads the code, never the message.
 */
#define E2C_ERROR (e2c_error_quark())
GQuark e2c_error_quark(void);
