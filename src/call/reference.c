/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "reference.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

static GMutex lock;
static GHashTable *cache; /* "WxH" -> GBytes */

static GBytes *
render(guint width, guint height)
{
    gchar *desc = g_strdup_printf("videotestsrc pattern=smpte num-buffers=1 ! "
                                  "video/x-raw,format=I420,width=%u,height=%u,framerate=30/1 ! "
                                  "appsink name=sink sync=false",
                                  width, height);
    GstElement *pipeline = gst_parse_launch(desc, NULL);
    g_free(desc);
    if (!pipeline)
        return NULL;
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    GBytes *plane = NULL;
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND);
    GstVideoInfo info;
    if (sample && gst_video_info_from_caps(&info, gst_sample_get_caps(sample))) {
        GstVideoFrame frame;
        if (gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
            guint8 *copy = g_malloc((gsize)width * height);
            for (guint row = 0; row < height; row++)
                memcpy(copy + (gsize)row * width,
                       (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0) +
                           (gsize)row * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
                       width);
            plane = g_bytes_new_take(copy, (gsize)width * height);
            gst_video_frame_unmap(&frame);
        }
    }
    if (sample)
        gst_sample_unref(sample);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    return plane;
}

GBytes *
e2c_reference_luma(guint width, guint height)
{
    gchar *key = g_strdup_printf("%ux%u", width, height);
    g_mutex_lock(&lock);
    if (!cache)
        cache =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
    GBytes *plane = g_hash_table_lookup(cache, key);
    if (!plane && (plane = render(width, height)))
        g_hash_table_insert(cache, g_strdup(key), plane);
    g_mutex_unlock(&lock);
    g_free(key);
    return plane;
}
