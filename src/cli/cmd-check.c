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
#include "e2ccodec.h"
#include "errors.h"
#include "option-once.h"
#include "selftest.h"

struct requirement {
    const char *component; /* what a user would call it */
    const char *elements[8];
};

/* What a call needs around the codecs, per component (e2call(1), check). */
static const struct requirement before_codecs[] = {
    {"webrtc", {"webrtcbin", "nicesrc", "nicesink", "dtlssrtpenc", "dtlssrtpdec", "rtpbin", NULL}},
};
static const struct requirement after_codecs[] = {
    {"test-media",
     {"videotestsrc", "audiotestsrc", "videoconvert", "videoscale", "audioconvert", "audioresample",
      NULL}},
    {"sinks", {"appsink", "fakesink", "pngenc", "queue", "tee", NULL}},
    /* --media-file: read, decode, pace and convert a file. */
    {"media-file", {"filesrc", "decodebin", "clocksync", "videorate", "capsfilter", NULL}},
    /* --impair: delay, jitter, loss and rate cap (e2call(1), NETWORK IMPAIRMENT). */
    {"impair", {"netsim", NULL}},
};

static void
add_element(struct requirement *r, const char *factory)
{
    size_t n = 0;
    while (r->elements[n] && !g_str_equal(r->elements[n], factory))
        n++;
    /* Every row names at most 7 elements, so the last slot stays NULL. */
    if (!r->elements[n] && n + 1 < G_N_ELEMENTS(r->elements))
        r->elements[n] = factory;
}

/*
 * Every requirement in the order printed: webrtc, e2ee (the e2call elements
 * and the codecs' E2EE payloaders), one per codec of the codec table
 * (encoder, decoder, payloader, depayloader), test sources, sinks, what a
 * media file and --impair need.
 */
static GArray *
requirements_new(void)
{
    GArray *all = g_array_new(FALSE, TRUE, sizeof(struct requirement));
    g_array_append_vals(all, before_codecs, G_N_ELEMENTS(before_codecs));
    /* e2crtpforward: load's receivers, which decrypt without a jitterbuffer. */
    struct requirement e2ee = {"e2ee", {"e2csframeenc", "e2csframedec", "e2crtpforward", NULL}};
    const struct e2c_gst_codec *row;
    for (gsize i = 0; (row = e2c_gst_codec_nth(i)); i++)
        if (!g_str_equal(row->e2ee_payloader, row->payloader))
            add_element(&e2ee, row->e2ee_payloader);
    g_array_append_val(all, e2ee);
    for (gsize i = 0; (row = e2c_gst_codec_nth(i)); i++) {
        struct requirement codec = {e2c_codec_name(row->codec), {NULL}};
        add_element(&codec, row->encoder);
        add_element(&codec, row->decoder);
        add_element(&codec, row->payloader);
        add_element(&codec, row->depayloader);
        g_array_append_val(all, codec);
    }
    g_array_append_vals(all, after_codecs, G_N_ELEMENTS(after_codecs));
    return all;
}

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
    GArray *requirements = requirements_new();
    for (guint i = 0; i < requirements->len; i++) {
        const struct requirement *r = &g_array_index(requirements, struct requirement, i);
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
            g_string_append_printf(
                out, "%s{\"component\":\"%s\",\"present\":%s,\"missing\":\"%s\"}", i ? "," : "",
                r->component, absent->len ? "false" : "true", absent->str);
        } else if (absent->len) {
            g_string_append_printf(out, "%-11s missing: %s\n", r->component, absent->str);
        } else {
            g_string_append_printf(out, "%-11s present\n", r->component);
        }
        g_string_free(absent, TRUE);
    }
    g_array_free(requirements, TRUE);

    const char *selftest_error = NULL;
    gboolean selftest_ok = e2c_selftest_crypto(&selftest_error);
    if (json) {
        g_string_append_printf(out, "],\"crypto-self-test\":%s,\"supported\":%s}\n",
                               selftest_ok ? "true" : "false",
                               (selftest_ok && missing->len == 0) ? "true" : "false");
        fputs(out->str, stdout);
    } else {
        g_string_append_printf(
            out, "%-11s %s%s\n", "self-test",
            selftest_ok ? "passed" : "FAILED: ", selftest_ok ? "" : selftest_error);
        fputs(out->str, stdout);
        if (missing->len || !selftest_ok)
            fprintf(stderr, "e2call check: %s: %s%s%s\n", e2c_error_name(E2C_ERR_UNSUPPORTED),
                    missing->str, missing->len && !selftest_ok ? "; " : "",
                    selftest_ok ? "" : "the crypto self-test failed");
    }
    int status = (missing->len == 0 && selftest_ok) ? E2C_EXIT_OK : E2C_EXIT_UNSUPPORTED;
    g_string_free(out, TRUE);
    g_string_free(missing, TRUE);
    return status;
}
