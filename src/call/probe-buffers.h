/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A pad probe on buffers gets one buffer or a buffer list: this calls fn for
 * each buffer either way, so a probe that looks at frames is written once.
 */
#pragma once

#include <gst/gst.h>

static inline void
e2c_probe_foreach_buffer(GstPadProbeInfo *info, void (*fn)(GstBuffer *buf, gpointer data),
                         gpointer data)
{
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
        for (guint i = 0, n = gst_buffer_list_length(list); i < n; i++)
            fn(gst_buffer_list_get(list, i), data);
    } else {
        fn(GST_PAD_PROBE_INFO_BUFFER(info), data);
    }
}
