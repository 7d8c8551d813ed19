/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "e2cplugin.h"

#include "e2c-config.h"
#include "e2crtpforward.h"
#include "e2csframedec.h"
#include "e2csframeenc.h"
#include "e2csframevp8pay.h"

gboolean
e2c_plugin_init(GstPlugin *plugin)
{
    gboolean ok = TRUE;

    /* One line per element. A call needs all of them, so one that fails to
     * register fails the plugin rather than leaving a partial set. */
    ok &= GST_ELEMENT_REGISTER(e2csframeenc, plugin);
    ok &= GST_ELEMENT_REGISTER(e2csframedec, plugin);
    ok &= GST_ELEMENT_REGISTER(e2csframevp8pay, plugin);
    ok &= GST_ELEMENT_REGISTER(e2crtpforward, plugin);

    return ok;
}

void
e2c_plugin_register_static(void)
{
    static gsize done = 0;

    if (g_once_init_enter(&done)) {
        if (!gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR, E2C_PLUGIN_NAME,
                                        E2C_PLUGIN_DESCRIPTION, e2c_plugin_init, E2C_VERSION,
                                        E2C_PLUGIN_LICENSE, E2C_PLUGIN_PACKAGE, E2C_PLUGIN_PACKAGE,
                                        E2C_PACKAGE_ORIGIN))
            GST_ERROR("registering the static plugin '%s' failed", E2C_PLUGIN_NAME);
        g_once_init_leave(&done, 1);
    }
}
