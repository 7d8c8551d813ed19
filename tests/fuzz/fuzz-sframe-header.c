/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sframe_header_decode() on arbitrary bytes. Whatever decodes must be the
 * minimal encoding of what it decoded to (RFC 9605 §4.3): re-encoding gives
 * back exactly the consumed bytes, and every shorter prefix is malformed.
 */
#include <stdlib.h>
#include <string.h>

#include "sframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t buf[SFRAME_HEADER_MAX];
    uint64_t kid, ctr, k2, c2;
    size_t len, enc_len, l2;
    enum sframe_error err = sframe_header_decode(data, size, &kid, &ctr, &len);

    if (err != SFRAME_OK) {
        if (err != SFRAME_E_MALFORMED)
            abort();
        return 0;
    }
    if (len < 1 || len > SFRAME_HEADER_MAX || len > size)
        abort();
    if (sframe_header_encode(kid, ctr, buf, sizeof(buf), &enc_len) != SFRAME_OK || enc_len != len ||
        memcmp(buf, data, len) != 0)
        abort();
    if (sframe_header_decode(data, len - 1, &k2, &c2, &l2) != SFRAME_E_MALFORMED)
        abort();
    /* One byte short of the encoding's size never fits. */
    if (sframe_header_encode(kid, ctr, buf, len - 1, &enc_len) != SFRAME_E_SHORT_BUFFER)
        abort();
    return 0;
}
