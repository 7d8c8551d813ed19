/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-rtpforward
 * @title: e2crtpforward
 * @see_also: rtpjitterbuffer, rtpbin
 *
 * Passes RTP packets on as they arrive, in the thread that brought them.
 * rtpbin creates it instead of an rtpjitterbuffer, through its
 * "request-jitterbuffer" signal, for receivers that authenticate every frame
 * but play none out (`e2call load` without `--decode`).
 *
 * Why: a jitterbuffer holds packets to play them out on time. Each one has a
 * streaming thread of its own and a timer thread, and every packet crosses
 * from the receiving thread to its own through a lock and a wake-up. A load
 * run with 50 receivers of 4 publishers keeps 400 of them and 800 threads;
 * the wake-ups and thread switches were the largest single cost of a
 * receiver, and none of the playout they pay for is used.
 *
 * What is given up, and why it is safe for such a receiver: packets are not
 * put back in order. The depayloader after it drops a frame with a packet
 * missing or out of order (a sequence gap marks a discontinuity), so
 * reordering shows as a lost frame, never as a damaged frame at the
 * decryptor; on the loopback networks load runs use, packets are not
 * reordered. No lost-packet events and no playout timestamps.
 *
 * It carries the properties rtpbin and webrtcbin set on a jitterbuffer
 * without checking for them ("latency", "do-retransmission") and a read-only
 * "stats" structure (webrtcbin's get-stats reads it).
 */
#include "e2crtpforward.h"

GST_DEBUG_CATEGORY_STATIC(e2c_rtp_forward_debug);
#define GST_CAT_DEFAULT e2c_rtp_forward_debug

enum {
    PROP_0,
    PROP_LATENCY,
    PROP_DO_RETRANSMISSION,
    PROP_STATS,
};

struct _E2cRtpForward {
    GstElement parent;
    GstPad *sinkpad, *srcpad;

    /* Stored only, for whoever reads them back: nothing is buffered. */
    guint latency_ms;           /* object lock */
    gboolean do_retransmission; /* object lock */
    gsize forwarded;            /* atomic */
};

G_DEFINE_TYPE(E2cRtpForward, e2c_rtp_forward, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE(e2crtpforward, "e2crtpforward", GST_RANK_NONE, E2C_TYPE_RTP_FORWARD);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("application/x-rtp"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("application/x-rtp"));

static GstFlowReturn
e2c_rtp_forward_chain(GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
    (void)pad;
    E2cRtpForward *self = E2C_RTP_FORWARD(parent);
    g_atomic_pointer_add(&self->forwarded, 1);
    return gst_pad_push(self->srcpad, buffer);
}

static GstFlowReturn
e2c_rtp_forward_chain_list(GstPad *pad, GstObject *parent, GstBufferList *list)
{
    (void)pad;
    E2cRtpForward *self = E2C_RTP_FORWARD(parent);
    g_atomic_pointer_add(&self->forwarded, gst_buffer_list_length(list));
    return gst_pad_push_list(self->srcpad, list);
}

static void
e2c_rtp_forward_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    E2cRtpForward *self = E2C_RTP_FORWARD(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_LATENCY:
        self->latency_ms = g_value_get_uint(value);
        break;
    case PROP_DO_RETRANSMISSION:
        self->do_retransmission = g_value_get_boolean(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void
e2c_rtp_forward_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    E2cRtpForward *self = E2C_RTP_FORWARD(object);

    switch (prop_id) {
    case PROP_LATENCY:
        GST_OBJECT_LOCK(self);
        g_value_set_uint(value, self->latency_ms);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_DO_RETRANSMISSION:
        GST_OBJECT_LOCK(self);
        g_value_set_boolean(value, self->do_retransmission);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_STATS: {
        guint64 n = (guint64)g_atomic_pointer_get(&self->forwarded);
        /* The names rtpjitterbuffer uses, so readers of its stats find them. */
        g_value_take_boxed(
            value, gst_structure_new("application/x-rtp-jitterbuffer-stats", "num-pushed",
                                     G_TYPE_UINT64, n, "num-lost", G_TYPE_UINT64, (guint64)0,
                                     "num-late", G_TYPE_UINT64, (guint64)0, "num-duplicates",
                                     G_TYPE_UINT64, (guint64)0, "avg-jitter", G_TYPE_UINT64,
                                     (guint64)0, "rtx-count", G_TYPE_UINT64, (guint64)0, NULL));
        break;
    }
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
}

static void
e2c_rtp_forward_class_init(E2cRtpForwardClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);

    GST_DEBUG_CATEGORY_INIT(e2c_rtp_forward_debug, "e2crtpforward", 0,
                            "RTP forwarding in place of a jitterbuffer");

    gobject_class->set_property = e2c_rtp_forward_set_property;
    gobject_class->get_property = e2c_rtp_forward_get_property;

    g_object_class_install_property(
        gobject_class, PROP_LATENCY,
        g_param_spec_uint("latency", "Latency (ms)",
                          "Accepted for rtpbin, which sets it on every jitterbuffer; nothing is "
                          "held back",
                          0, G_MAXUINT, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_DO_RETRANSMISSION,
        g_param_spec_boolean("do-retransmission", "Do retransmission",
                             "Accepted for webrtcbin, which sets it on every jitterbuffer; no "
                             "retransmission is requested",
                             FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_STATS,
        g_param_spec_boxed("stats", "Statistics",
                           "Packets forwarded (num-pushed); the other rtpjitterbuffer counters "
                           "are zero",
                           GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    gst_element_class_add_static_pad_template(element_class, &sink_template);
    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "RTP forward", "Filter/Network/RTP",
        "Passes RTP packets on as they arrive: a jitterbuffer for receivers that do not play out",
        "e2call developers");
}

static void
e2c_rtp_forward_init(E2cRtpForward *self)
{
    self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
    gst_pad_set_chain_function(self->sinkpad, GST_DEBUG_FUNCPTR(e2c_rtp_forward_chain));
    gst_pad_set_chain_list_function(self->sinkpad, GST_DEBUG_FUNCPTR(e2c_rtp_forward_chain_list));
    GST_PAD_SET_PROXY_CAPS(self->sinkpad);
    GST_PAD_SET_PROXY_ALLOCATION(self->sinkpad);
    gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);

    self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
    GST_PAD_SET_PROXY_CAPS(self->srcpad);
    GST_PAD_SET_PROXY_ALLOCATION(self->srcpad);
    gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
}
