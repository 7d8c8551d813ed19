/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "e2csframemeta.h"

void
e2c_sframe_meta_register(void)
{
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        static const gchar *tags[] = {NULL};
        gst_meta_register_custom(E2C_SFRAME_META_NAME, tags, NULL, NULL, NULL);
        g_once_init_leave(&done, 1);
    }
}

void
e2c_sframe_meta_add(GstBuffer *buf, guint64 kid, guint64 ctr)
{
    e2c_sframe_meta_register();
    GstCustomMeta *meta = gst_buffer_add_custom_meta(buf, E2C_SFRAME_META_NAME);
    if (meta)
        gst_structure_set(gst_custom_meta_get_structure(meta), "kid", G_TYPE_UINT64, kid, "ctr",
                          G_TYPE_UINT64, ctr, NULL);
}

gboolean
e2c_sframe_meta_get(GstBuffer *buf, guint64 *kid, guint64 *ctr)
{
    e2c_sframe_meta_register();
    GstCustomMeta *meta = gst_buffer_get_custom_meta(buf, E2C_SFRAME_META_NAME);
    if (!meta)
        return FALSE;
    const GstStructure *s = gst_custom_meta_get_structure(meta);
    return gst_structure_get_uint64(s, "kid", kid) && gst_structure_get_uint64(s, "ctr", ctr);
}
