/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process's one pipeline. Participants add their bins to it and ask for
 * the bus messages coming from inside those bins; many participants (e2call
 * load) share it and one encoder. Messages reach handlers on the main loop.
 */
#pragma once

#include <gst/gst.h>

struct e2c_pipeline;

typedef void (*E2cPipelineHandler)(gpointer user, GstMessage *msg);

/* A PLAYING, empty pipeline (live: sinks never wait for preroll). */
struct e2c_pipeline *e2c_pipeline_new(void);
GstBin *e2c_pipeline_bin(struct e2c_pipeline *m);
/* Messages whose source is root or inside it go to handler (most specific root wins). */
void e2c_pipeline_route(struct e2c_pipeline *m, GstObject *root, E2cPipelineHandler handler,
                        gpointer user);
void e2c_pipeline_unroute(struct e2c_pipeline *m, GstObject *root);
/* Messages no route takes (errors of the pipeline itself, ...). */
void e2c_pipeline_set_fallback(struct e2c_pipeline *m, E2cPipelineHandler handler, gpointer user);
/* Adds bin and brings it to the pipeline's state. */
void e2c_pipeline_add(struct e2c_pipeline *m, GstElement *bin);
/* Stops bin (state NULL), removes it and forgets its route. */
void e2c_pipeline_remove(struct e2c_pipeline *m, GstElement *bin);
/* Stops everything. */
void e2c_pipeline_free(struct e2c_pipeline *m);
