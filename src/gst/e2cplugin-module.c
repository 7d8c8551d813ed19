/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The entry point of the loadable module libgste2call.so. It lives in its own
 * file because GST_PLUGIN_DEFINE exports symbols that must not end up in the
 * e2call binary, which registers the same plugin statically instead.
 */
#include "e2c-config.h"
#include "e2cplugin.h"

/* GST_PLUGIN_DEFINE fills the plugin's "source" field from PACKAGE. */
#define PACKAGE E2C_PLUGIN_PACKAGE

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, e2call, E2C_PLUGIN_DESCRIPTION,
                  e2c_plugin_init, E2C_VERSION, E2C_PLUGIN_LICENSE, E2C_PLUGIN_PACKAGE,
                  E2C_PACKAGE_ORIGIN)
