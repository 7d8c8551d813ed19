/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The element tests' byte-for-byte buffer comparison. */
#pragma once

#include <gst/check/gstcheck.h>
#include <string.h>

static inline gboolean
buffers_equal(GstBuffer *a, GstBuffer *b)
{
    GstMapInfo ma, mb;
    gboolean equal;

    fail_unless(gst_buffer_map(a, &ma, GST_MAP_READ));
    fail_unless(gst_buffer_map(b, &mb, GST_MAP_READ));
    equal = ma.size == mb.size && memcmp(ma.data, mb.data, ma.size) == 0;
    gst_buffer_unmap(a, &ma);
    gst_buffer_unmap(b, &mb);
    return equal;
}
