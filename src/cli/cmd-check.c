/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call check: is everything an E2EE call needs present? (e2call(1), COMMANDS;
 * the counterpart of OT.hasEndToEndEncryptionSupport()). Prints one line per
 * component, present or missing, and exits 7 (UNSUPPORTED) naming what is
 * missing.
 */
#include <gst/gst.h>
#include <stdio.h>

#include "commands.h"
#include "errors.h"
#include "option-once.h"
#include "selftest.h"

struct requirement {
    const char *component; /* what a user would call it */
    const char *elements[8];
};

/* The chain of an E2EE call (e2call(1), DESCRIPTION), per component. */
static const struct requirement requirements[] = {
    {"webrtc", {"webrtcbin", "nicesrc", "nicesink", "dtlssrtpenc", "dtlssrtpdec", "rtpbin", NULL}},
    {"e2ee", {"sframeenc", "sframedec", "sframevp8pay", NULL}},
    {"vp8", {"vp8enc", "vp8dec", "rtpvp8depay", NULL}},
    {"vp9", {"vp9enc", "vp9dec", "rtpvp9pay", "rtpvp9depay", NULL}},
    {"h264", {"x264enc", "avdec_h264", "rtph264pay", "rtph264depay", "h264parse", NULL}},
    {"opus", {"opusenc", "opusdec", "rtpopuspay", "rtpopusdepay", NULL}},
    {"test-media",
     {"videotestsrc", "audiotestsrc", "videoconvert", "videoscale", "audioconvert",
      "audioresample", NULL}},
    {"sinks", {"appsink", "fakesink", "pngenc", "queue", "tee", NULL}},
};

int
e2c_cmd_check(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object instead of text", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- check that every element and codec is present");
    GError *error = NULL;
    g_option_context_set_main_group(ctx, e2c_option_group_once(NULL, NULL, NULL, entries));
    g_option_context_set_summary(ctx, "Exit status 0 when everything is present, 7 (UNSUPPORTED) "
                                      "when something is missing.");
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "e2call check: %s\n", error->message);
        g_error_free(error);
        g_option_context_free(ctx);
        return E2C_EXIT_USAGE;
    }
    g_option_context_free(ctx);
    if (argc > 1) {
        fprintf(stderr, "e2call check: unexpected argument '%s'\n", argv[1]);
        return E2C_EXIT_USAGE;
    }

    gst_init(NULL, NULL);
    e2c_selftest_register_plugin();

    GString *missing = g_string_new(NULL);
    GString *out = g_string_new(json ? "{\"components\":[" : "");
    for (size_t i = 0; i < G_N_ELEMENTS(requirements); i++) {
        const struct requirement *r = &requirements[i];
        GString *absent = g_string_new(NULL);
        for (size_t j = 0; r->elements[j]; j++) {
            GstElementFactory *f = gst_element_factory_find(r->elements[j]);
            if (!f) {
                g_string_append_printf(absent, "%s%s", absent->len ? ", " : "", r->elements[j]);
                g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", r->elements[j]);
            } else {
                gst_object_unref(f);
            }
        }
        if (json) {
            g_string_append_printf(out, "%s{\"component\":\"%s\",\"present\":%s,\"missing\":\"%s\"}",
                                   i ? "," : "", r->component, absent->len ? "false" : "true",
                                   absent->str);
        } else if (absent->len) {
            g_string_append_printf(out, "%-11s missing: %s\n", r->component, absent->str);
        } else {
            g_string_append_printf(out, "%-11s present\n", r->component);
        }
        g_string_free(absent, TRUE);
    }

    const char *selftest_error = NULL;
    gboolean selftest_ok = e2c_selftest_crypto(&selftest_error);
    if (json) {
        g_string_append_printf(out, "],\"crypto-self-test\":%s,\"supported\":%s}\n",
                               selftest_ok ? "true" : "false",
                               (selftest_ok && missing->len == 0) ? "true" : "false");
        fputs(out->str, stdout);
    } else {
        g_string_append_printf(out, "%-11s %s%s\n", "self-test",
                               selftest_ok ? "passed" : "FAILED: ",
                               selftest_ok ? "" : selftest_error);
        fputs(out->str, stdout);
        if (missing->len || !selftest_ok)
            fprintf(stderr, "e2call check: UNSUPPORTED: %s%s%s\n", missing->str,
                    missing->len && !selftest_ok ? "; " : "",
                    selftest_ok ? "" : "the crypto self-test failed");
    }
    int status = (missing->len == 0 && selftest_ok) ? E2C_EXIT_OK : E2C_EXIT_UNSUPPORTED;
    g_string_free(out, TRUE);
    g_string_free(missing, TRUE);
    return status;
}
