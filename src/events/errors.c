/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "errors.h"

#include <string.h>

G_DEFINE_QUARK(e2c - error - quark, e2c_error)

static const struct {
    const char *name;
    enum e2c_exit status;
} table[E2C_ERR_COUNT] = {
    [E2C_ERR_NONE] = {NULL, E2C_EXIT_OK},
    [E2C_ERR_INVALID_ENCRYPTION_SECRET] = {"INVALID_ENCRYPTION_SECRET", E2C_EXIT_INVALID_SECRET},
    [E2C_ERR_ENCRYPTION_SECRET_MISSING] = {"ENCRYPTION_SECRET_MISSING", E2C_EXIT_SECRET_MISSING},
    [E2C_ERR_ENCRYPTION_SECRET_MISMATCH] = {"ENCRYPTION_SECRET_MISMATCH", E2C_EXIT_SECRET_MISMATCH},
    [E2C_ERR_DECRYPTION_INTERNAL_ERROR] = {"DECRYPTION_INTERNAL_ERROR", E2C_EXIT_INTERNAL_ERROR},
    [E2C_ERR_ENCRYPTION_INTERNAL_ERROR] = {"ENCRYPTION_INTERNAL_ERROR", E2C_EXIT_INTERNAL_ERROR},
    [E2C_ERR_UNSUPPORTED] = {"UNSUPPORTED", E2C_EXIT_UNSUPPORTED},
    [E2C_ERR_CONNECT_FAILED] = {"CONNECT_FAILED", E2C_EXIT_CONNECT_FAILED},
    [E2C_ERR_STREAM_CREATE_FAILED] = {"STREAM_CREATE_FAILED", E2C_EXIT_STREAM_FAILED},
    [E2C_ERR_UNABLE_TO_SUBSCRIBE] = {"UNABLE_TO_SUBSCRIBE", E2C_EXIT_STREAM_FAILED},
    [E2C_ERR_MEDIA_CHECK_FAILED] = {"MEDIA_CHECK_FAILED", E2C_EXIT_MEDIA_CHECK_FAILED},
    [E2C_ERR_MEDIA_QUALITY_FAILED] = {"MEDIA_QUALITY_FAILED", E2C_EXIT_MEDIA_QUALITY_FAILED},
    [E2C_ERR_USAGE] = {"USAGE", E2C_EXIT_USAGE},
};

const char *
e2c_error_name(enum e2c_error err)
{
    if ((unsigned)err >= E2C_ERR_COUNT)
        return NULL;
    return table[err].name;
}

enum e2c_exit
e2c_error_exit_status(enum e2c_error err)
{
    if ((unsigned)err >= E2C_ERR_COUNT)
        return E2C_EXIT_FAILURE;
    return table[err].status;
}

enum e2c_error
e2c_error_from_name(const char *name)
{
    if (!name)
        return E2C_ERR_NONE;
    for (unsigned i = 1; i < E2C_ERR_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return (enum e2c_error)i;
    return E2C_ERR_NONE;
}
