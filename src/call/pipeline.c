/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pipeline.h"

struct route {
    GstObject *root;
    E2cPipelineHandler handler;
    gpointer user;
};

struct e2c_pipeline {
    GMutex lock; /* routes: receive chains are added from streaming threads */
    GstElement *pipeline;
    guint watch;
    GArray *routes;       /* struct route */
    guint latency_source; /* a recalculation is due */
    E2cPipelineHandler fallback;
    gpointer fallback_user;
};

static struct route *
find_route(struct e2c_pipeline *m, GstObject *src)
{
    for (GstObject *o = src ? gst_object_ref(src) : NULL; o;) {
        for (guint i = 0; i < m->routes->len; i++) {
            struct route *r = &g_array_index(m->routes, struct route, i);
            if (r->root == o) {
                gst_object_unref(o);
                return r;
            }
        }
        GstObject *parent = gst_object_get_parent(o);
        gst_object_unref(o);
        o = parent;
    }
    return NULL;
}

/*
 * Bins come and go while playing: keep the latency consistent. A
 * recalculation queries every sink of the pipeline and sends each the
 * result, and every new receive chain asks for one: done at once, a load
 * run's main loop did nothing else while participants joined (hundreds of
 * chains, each recalculating over all the others), and subscriptions were
 * answered 15 s late. Requests within RECALC_DELAY_MS are served by one.
 * (Our sinks do not sync to the clock, so a late latency costs nothing.)
 */
#define RECALC_DELAY_MS 250

static gboolean
recalculate_latency(gpointer data)
{
    struct e2c_pipeline *m = data;
    m->latency_source = 0;
    gst_bin_recalculate_latency(GST_BIN(m->pipeline));
    return G_SOURCE_REMOVE;
}

static gboolean
on_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
    struct e2c_pipeline *m = data;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_LATENCY) {
        if (!m->latency_source)
            m->latency_source = g_timeout_add(RECALC_DELAY_MS, recalculate_latency, m);
        return G_SOURCE_CONTINUE;
    }
    g_mutex_lock(&m->lock);
    struct route *found = find_route(m, GST_MESSAGE_SRC(msg)), r;
    if (found)
        r = *found;
    g_mutex_unlock(&m->lock);
    if (found)
        r.handler(r.user, msg);
    else if (m->fallback)
        m->fallback(m->fallback_user, msg);
    return G_SOURCE_CONTINUE;
}

struct e2c_pipeline *
e2c_pipeline_new(void)
{
    struct e2c_pipeline *m = g_new0(struct e2c_pipeline, 1);
    g_mutex_init(&m->lock);
    m->pipeline = gst_pipeline_new("e2call");
    m->routes = g_array_new(FALSE, FALSE, sizeof(struct route));
    GstBus *bus = gst_element_get_bus(m->pipeline);
    m->watch = gst_bus_add_watch(bus, on_bus, m);
    gst_object_unref(bus);
    gst_element_set_state(m->pipeline, GST_STATE_PLAYING);
    return m;
}

GstBin *
e2c_pipeline_bin(struct e2c_pipeline *m)
{
    return GST_BIN(m->pipeline);
}

void
e2c_pipeline_route(struct e2c_pipeline *m, GstObject *root, E2cPipelineHandler handler,
                   gpointer user)
{
    struct route r = {gst_object_ref(root), handler, user};
    g_mutex_lock(&m->lock);
    g_array_append_val(m->routes, r);
    g_mutex_unlock(&m->lock);
}

void
e2c_pipeline_unroute(struct e2c_pipeline *m, GstObject *root)
{
    g_mutex_lock(&m->lock);
    for (guint i = 0; i < m->routes->len; i++) {
        struct route *r = &g_array_index(m->routes, struct route, i);
        if (r->root == root) {
            gst_object_unref(r->root);
            g_array_remove_index(m->routes, i);
            break;
        }
    }
    g_mutex_unlock(&m->lock);
}

void
e2c_pipeline_set_fallback(struct e2c_pipeline *m, E2cPipelineHandler handler, gpointer user)
{
    m->fallback = handler;
    m->fallback_user = user;
}

void
e2c_pipeline_add(struct e2c_pipeline *m, GstElement *bin)
{
    gst_bin_add(GST_BIN(m->pipeline), bin);
    gst_element_sync_state_with_parent(bin);
}

void
e2c_pipeline_remove(struct e2c_pipeline *m, GstElement *bin)
{
    e2c_pipeline_unroute(m, GST_OBJECT(bin));
    gst_element_set_locked_state(bin, TRUE);
    gst_element_set_state(bin, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(m->pipeline), bin);
}

void
e2c_pipeline_free(struct e2c_pipeline *m)
{
    if (!m)
        return;
    gst_element_set_state(m->pipeline, GST_STATE_NULL);
    g_source_remove(m->watch);
    if (m->latency_source)
        g_source_remove(m->latency_source);
    for (guint i = 0; i < m->routes->len; i++)
        gst_object_unref(g_array_index(m->routes, struct route, i).root);
    g_array_unref(m->routes);
    gst_object_unref(m->pipeline);
    g_mutex_clear(&m->lock);
    g_free(m);
}
