/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "impair.h"

#include "errors.h"

/*
 * netsim's token bucket holds this much of the rate: a burst it lets through
 * at once, 100 ms of the rate but at least two full packets (the payloaders' MTU is
 * 1200 bytes), or every packet bigger than the bucket would be dropped.
 */
#define BUCKET_MS 100
#define MIN_BUCKET_KBIT 20

/*
 * The stall's clock: when the stream's first packet left netsim. The probe
 * sits on netsim's src pad, so the token bucket of rate= keeps counting
 * through a stall (a long gap in its input would overflow its token count),
 * and a packet leaves from one thread only: the upstream one, or netsim's
 * own when it delays.
 */
struct stall {
    struct e2c_impair spec;
    gint64 first_us; /* 0: none yet */
};

static GstPadProbeReturn
on_packet(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad;
    (void)info;
    struct stall *st = data;
    gint64 now = g_get_monotonic_time();
    if (!st->first_us)
        st->first_us = now;
    /* Buffer lists go whole: their packets are microseconds apart. */
    return e2c_impair_stalled(&st->spec, (now - st->first_us) * 1000) ? GST_PAD_PROBE_DROP
                                                                      : GST_PAD_PROBE_OK;
}

GstElement *
e2c_impair_element_new(const struct e2c_impair *spec, const char *name, GError **error)
{
    GstElement *sim = gst_element_factory_make("netsim", name);
    if (!sim) {
        g_set_error(error, E2C_ERROR, E2C_ERR_UNSUPPORTED,
                    "UNSUPPORTED: element netsim (gst-plugins-bad) for --impair");
        return NULL;
    }
    guint32 min_ms, max_ms;
    e2c_impair_delay_range(spec, &min_ms, &max_ms);
    /* netsim delays a packet only with delay-probability; without reordering, a
     * packet never overtakes an earlier one (each leaves at or after the last). */
    g_object_set(sim, "min-delay", (gint)min_ms, "max-delay", (gint)max_ms, "delay-probability",
                 max_ms > 0 ? 1.0f : 0.0f, "delay-distribution", 0 /* uniform */,
                 "allow-reordering", FALSE, "drop-probability",
                 (gfloat)((double)spec->loss_millipct / 100000.0), NULL);
    if (spec->rate_kbit) {
        guint64 bucket = MAX((guint64)spec->rate_kbit * BUCKET_MS / 1000, MIN_BUCKET_KBIT);
        g_object_set(sim, "max-kbps", (gint)spec->rate_kbit, "max-bucket-size", (gint)bucket, NULL);
    }
    if (spec->keys & E2C_IMPAIR_KEY_STALL) {
        struct stall *st = g_new0(struct stall, 1);
        st->spec = *spec;
        GstPad *src = gst_element_get_static_pad(sim, "src");
        gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                          on_packet, st, g_free);
        gst_object_unref(src);
    }
    return sim;
}

gboolean
e2c_impair_insert(GstBin *bin, GstElement *element, GstPad *src, GstPad *sink)
{
    if (!gst_bin_add(bin, element))
        return FALSE;
    GstPad *in = gst_element_get_static_pad(element, "sink");
    GstPad *out = gst_element_get_static_pad(element, "src");
    gboolean ok = gst_pad_link_maybe_ghosting(src, in) && gst_pad_link_maybe_ghosting(out, sink);
    gst_object_unref(in);
    gst_object_unref(out);
    return ok && gst_element_sync_state_with_parent(element);
}
