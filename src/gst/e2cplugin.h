/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The GStreamer plugin "e2call". The shared module (libgste2call.so) and the
 * e2call binary share one plugin_init, so both carry the same elements.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define E2C_PLUGIN_DESCRIPTION "End-to-end encrypted media for e2call"
#define E2C_PLUGIN_LICENSE "LGPL"
#define E2C_PLUGIN_PACKAGE "e2call"

/* Registers every element of the plugin. */
gboolean e2c_plugin_init(GstPlugin *plugin);

/* Registers the plugin from this executable, so its elements are found
 * without GST_PLUGIN_PATH. Call after gst_init(); further calls, from any
 * thread, do nothing. */
void e2c_plugin_register_static(void);

G_END_DECLS
