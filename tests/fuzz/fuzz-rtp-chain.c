/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receive chain a call builds for each remote stream, fed raw RTP:
 *
 *   appsrc ! <stock depayloader> ! e2csframedec ! fakesink
 *
 * as src/call/recv-chain.c links it (rtpvp8depay, rtpvp9depay, rtph264depay,
 * rtpopusdepay), minus the decoder: a fuzzer cannot forge a frame that
 * authenticates, so nothing it makes ever reaches one. What it reaches is
 * the depayloaders' parsing of hostile packets and everything e2csframedec
 * does with what they emit (envelopes, headers, key lookup, replay window,
 * mismatch accounting, keyframe requests upstream).
 *
 * Input: byte 0 picks the codec (bits 0-1: VP8, VP9, H.264, Opus) and the
 * cipher suite (bits 2-4: suite 1 + value; seeds use 6, the default); then
 * records of a 2-byte big-endian length and that many bytes, one RTP packet
 * each. e2csframedec holds one fixed shared key (the one make-rtp-corpus uses)
 * and reads the same pinned wall clock (fuzz-wallclock.h), so frames from
 * the seed corpus open and the fuzzer mutates real ones.
 *
 * Checks: no crash or sanitizer report, no GLib critical, every input ends
 * in EOS within a bounded time (a hang is a bug), and e2csframedec never posts
 * an error: hostile packets are dropped and counted, and
 * DECRYPTION_INTERNAL_ERROR is for crypto library failures only.
 *
 * FUZZ_RTP_CHAIN_VERBOSE=1 prints e2csframedec's counters after each input.
 *
 * One pipeline per codec is kept and cycled through READY between inputs,
 * which resets the depayloader and gives e2csframedec a fresh receiver.
 */
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2ckey.h"
#include "e2cplugin.h"
#include "fuzz-wallclock.h"
#include "rtp-chain-key.h"

/* A stuck pipeline is reported as a hang well before libFuzzer's -timeout. */
#define EOS_TIMEOUT (10 * GST_SECOND)
/* More packets than this add nothing a shorter input would not reach. */
#define MAX_PACKETS 512

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *depay;
    const char *caps;
} chains[4] = {
    {"rtpvp8depay", "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96"},
    {"rtpvp9depay", "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP9,payload=98"},
    {"rtph264depay",
     "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=102,"
     "packetization-mode=(string)1"},
    {"rtpopusdepay",
     "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111"},
};

struct chain {
    GstElement *pipeline, *src, *dec;
    GstBus *bus;
};

static struct chain pipes[4];
static E2cKey *key;
static gboolean verbose;

static void
fatal(const char *what)
{
    fprintf(stderr, "fuzz-rtp-chain: %s\n", what);
    abort();
}

static void
build(unsigned i)
{
    struct chain *c = &pipes[i];
    gchar *desc = g_strdup_printf("appsrc name=src format=time ! %s ! e2csframedec name=dec ! "
                                  "fakesink sync=false async=false",
                                  chains[i].depay);
    GError *error = NULL;
    c->pipeline = gst_parse_launch(desc, &error);
    g_free(desc);
    if (!c->pipeline)
        fatal(error ? error->message : "cannot build the pipeline");
    c->src = gst_bin_get_by_name(GST_BIN(c->pipeline), "src");
    c->dec = gst_bin_get_by_name(GST_BIN(c->pipeline), "dec");
    GstCaps *caps = gst_caps_from_string(chains[i].caps);
    g_object_set(c->src, "caps", caps, "max-bytes", (guint64)0, NULL);
    gst_caps_unref(caps);
    g_object_set(c->dec, "shared-key", key, NULL);
    c->bus = gst_element_get_bus(c->pipeline);
}

static void
teardown(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(pipes); i++) {
        struct chain *c = &pipes[i];
        if (!c->pipeline)
            continue;
        gst_element_set_state(c->pipeline, GST_STATE_NULL);
        gst_object_unref(c->bus);
        gst_object_unref(c->src);
        gst_object_unref(c->dec);
        gst_object_unref(c->pipeline);
    }
    e2c_key_unref(key);
    gst_deinit();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
    /* The depayloaders' warnings about broken packets are expected by the thousand. */
    if (!g_getenv("GST_DEBUG"))
        gst_debug_set_default_threshold(GST_LEVEL_NONE);
    gst_init(NULL, NULL);
    e2c_plugin_register_static();
    e2c_fuzz_pin_wallclock();
    verbose = g_getenv("FUZZ_RTP_CHAIN_VERBOSE") != NULL;
    key = e2c_key_new_from_bytes(e2c_rtp_chain_key);
    for (unsigned i = 0; i < G_N_ELEMENTS(pipes); i++)
        build(i);
    /*
     * OpenSSL registers its own exit handler at its first use. Initialise it
     * now so that handler runs after teardown: streaming threads that end
     * in teardown still find OpenSSL there to free their per-thread state.
     */
    OPENSSL_init_crypto(0, NULL);
    atexit(teardown);
    return 0;
}

/* Waits for EOS, or for an error that ends the stream early. */
static void
wait_eos(struct chain *c)
{
    GstMessage *m =
        gst_bus_timed_pop_filtered(c->bus, EOS_TIMEOUT, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (!m)
        fatal("no EOS within 10 s: the chain hangs on this input");
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gchar *debug = NULL;
        gst_message_parse_error(m, &err, &debug);
        /* Only e2csframedec is held to "never an error"; a depayloader may give up on junk. */
        if (GST_MESSAGE_SRC(m) == GST_OBJECT(c->dec)) {
            fprintf(stderr, "fuzz-rtp-chain: e2csframedec error: %s (%s)\n", err->message,
                    debug ? debug : "");
            abort();
        }
        g_error_free(err);
        g_free(debug);
    }
    gst_message_unref(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct chain *c = &pipes[data[0] & 3];
    guint suite = 1 + ((data[0] >> 2) & 7);

    /* cipher-suite can only change while stopped. */
    g_object_set(c->dec, "cipher-suite", suite, NULL);
    if (gst_element_set_state(c->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        fatal("cannot start the pipeline");

    size_t pos = 1;
    unsigned n = 0;
    while (size - pos >= 2 && n < MAX_PACKETS) {
        size_t len = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        /* A copy of exactly the packet's size, so ASan sees any read past it. */
        GstBuffer *buf = len ? gst_buffer_new_memdup(data + pos, len) : gst_buffer_new();
        pos += len;
        n++;
        if (gst_app_src_push_buffer(GST_APP_SRC(c->src), buf) != GST_FLOW_OK)
            break;
    }
    gst_app_src_end_of_stream(GST_APP_SRC(c->src));
    wait_eos(c);
    if (verbose) {
        /* To check that seeds reach what they should (frames that open, a mismatch...). */
        GstStructure *stats = NULL;
        g_object_get(c->dec, "stats", &stats, NULL);
        gchar *text = gst_structure_to_string(stats);
        fprintf(stderr, "%u packets: %s\n", n, text);
        g_free(text);
        gst_structure_free(stats);
    }

    if (gst_element_set_state(c->pipeline, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
        fatal("cannot stop the pipeline");
    gst_bus_set_flushing(c->bus, TRUE);
    gst_bus_set_flushing(c->bus, FALSE);
    return 0;
}
