/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sframe.h"

const char *
sframe_strerror(enum sframe_error err)
{
    switch (err) {
    case SFRAME_OK:
        return "success";
    case SFRAME_E_PARAM:
        return "invalid argument";
    case SFRAME_E_SHORT_BUFFER:
        return "output buffer too small";
    case SFRAME_E_MALFORMED:
        return "malformed frame";
    case SFRAME_E_UNKNOWN_KID:
        return "no key for this key id";
    case SFRAME_E_AUTH:
        return "authentication failed";
    case SFRAME_E_REPLAY:
        return "replayed or too old frame";
    case SFRAME_E_EXHAUSTED:
        return "counter or usage limit reached";
    case SFRAME_E_CRYPTO:
        return "crypto library failure";
    case SFRAME_E_NOMEM:
        return "out of memory";
    }
    return "unknown error";
}
