/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-util.h"

#include <gst/gst.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

gboolean
e2c_parse_uint(const char *text, guint64 min, guint64 max, guint64 *out)
{
    guint64 v;
    if (!text || !g_ascii_isdigit(text[0]) ||
        !g_ascii_string_to_unsigned(text, 10, min, max, &v, NULL))
        return FALSE;
    *out = v;
    return TRUE;
}

gboolean
e2c_parse_duration_ms(const char *text, guint64 *out_ms)
{
    static const struct {
        const char *suffix;
        double ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"", 1000}};
    if (!text || !*text || !(g_ascii_isdigit(text[0]) || text[0] == '.'))
        return FALSE;
    char *end = NULL;
    double v = g_ascii_strtod(text, &end);
    if (end == text || v < 0 || v > 1e7)
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            double ms = v * units[i].ms;
            if (ms > (double)E2C_DURATION_MAX_MS)
                return FALSE;
            *out_ms = (guint64)(ms + 0.5);
            return TRUE;
        }
    }
    return FALSE;
}

const char *
e2c_server_url(const char *option)
{
    if (option && *option)
        return option;
    const char *env = g_getenv("E2CALL_SERVER");
    return env && *env ? env : NULL;
}

gboolean
e2c_server_url_valid(const char *url)
{
    return g_str_has_prefix(url, "ws://") || g_str_has_prefix(url, "wss://");
}

gchar *
e2c_printable(const char *text)
{
    GString *out = g_string_new(NULL);
    e2c_append_printable(out, text);
    return g_string_free(out, FALSE);
}

static gpointer
warm_up(gpointer unused)
{
    /* dtlsdec's init generates (or reuses) the process-wide certificate. */
    GstElement *e = gst_element_factory_make("dtlsdec", NULL);
    if (e)
        gst_object_unref(gst_object_ref_sink(e));
    return NULL;
}

GThread *
e2c_warm_up_dtls(void)
{
    return g_thread_new("dtls-warm-up", warm_up, NULL);
}

gboolean
e2c_parse_expect_media(const char *value, gint64 *out, GError **error)
{
    guint64 n;
    if (!value) {
        *out = 0;
        return TRUE;
    }
    if (!e2c_parse_uint(value, 1, 1000, &n)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--expect-media takes a number of streams from 1 to 1000, not '%s'", value);
        return FALSE;
    }
    *out = (gint64)n;
    return TRUE;
}
