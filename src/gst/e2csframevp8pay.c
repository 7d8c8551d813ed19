/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-sframevp8pay
 * @title: e2csframevp8pay
 * @see_also: rtpvp8pay, rtpvp8depay
 *
 * Packs VP8 frames into RTP packets (RFC 7741) without parsing them, so
 * that frames encrypted end to end (SFrame, RFC 9605) can be sent.
 *
 * An encrypted VP8 frame keeps only a short clear prefix: 10 bytes on key
 * frames, 3 on delta frames. GStreamer's rtpvp8pay bool-decodes the header
 * of every frame's first partition to find the partition boundaries; on
 * ciphertext that header is random, and most frames end in a fatal
 * "Failed to parse VP8 frame" error.
 *
 * e2csframevp8pay reads only the first byte of each frame, for the key frame
 * flag (RFC 7741 §4.3). Every packet carries PartID 0 and only the first
 * packet of a frame has the S bit set, as RFC 7741 §4.4 permits when the
 * partition boundaries are unknown. Every packet carries a 15-bit
 * PictureID that grows by one per frame, so a receiver can detect lost
 * frames. The marker bit ends each frame. rtpvp8depay (and any RFC 7741
 * receiver) depayloads the result byte for byte.
 *
 * Outgoing packets of delta frames carry GST_BUFFER_FLAG_DELTA_UNIT; those of
 * key frames do not.
 *
 * ## Example pipeline
 * |[
 * gst-launch-1.0 videotestsrc ! vp8enc deadline=1 ! e2csframevp8pay mtu=1200 ! \
 *     rtpvp8depay ! vp8dec ! autovideosink
 * ]|
 */
#include "e2csframevp8pay.h"

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/rtp/gstrtppayloads.h>

GST_DEBUG_CATEGORY_STATIC(e2c_sframe_vp8_pay_debug);
#define GST_CAT_DEFAULT e2c_sframe_vp8_pay_debug

#define DEFAULT_PICTURE_ID_OFFSET (-1)

/* RFC 7741 §4.2: the first octet, the extension octet (X=1) and a 15-bit
 * PictureID (I=1, M=1). */
#define DESCRIPTOR_LEN 4
#define DESC_X 0x80
#define DESC_S 0x10
#define DESC_I 0x80
#define DESC_M 0x80
#define PICTURE_ID_MASK 0x7FFF

enum {
    PROP_0,
    PROP_PICTURE_ID,
    PROP_PICTURE_ID_OFFSET,
};

struct _E2cSframeVp8Pay {
    GstRTPBasePayload parent;

    /* protected by the object lock */
    gint picture_id_offset; /* -1: random */
    guint next_picture_id;
    gint last_picture_id; /* -1 until the first frame */
};

static void e2c_sframe_vp8_pay_set_property(GObject *object, guint prop_id, const GValue *value,
                                            GParamSpec *pspec);
static void e2c_sframe_vp8_pay_get_property(GObject *object, guint prop_id, GValue *value,
                                            GParamSpec *pspec);
static GstFlowReturn e2c_sframe_vp8_pay_handle_buffer(GstRTPBasePayload *payload,
                                                      GstBuffer *buffer);
static gboolean e2c_sframe_vp8_pay_set_caps(GstRTPBasePayload *payload, GstCaps *caps);
static GstStateChangeReturn e2c_sframe_vp8_pay_change_state(GstElement *element,
                                                            GstStateChange transition);

G_DEFINE_TYPE(E2cSframeVp8Pay, e2c_sframe_vp8_pay, GST_TYPE_RTP_BASE_PAYLOAD);
GST_ELEMENT_REGISTER_DEFINE(e2csframevp8pay, "e2csframevp8pay", GST_RANK_NONE,
                            E2C_TYPE_SFRAME_VP8_PAY);

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-vp8"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("application/x-rtp, media = (string) video, "
                    "payload = (int) " GST_RTP_PAYLOAD_DYNAMIC_STRING ", "
                    "clock-rate = (int) 90000, encoding-name = (string) VP8"));

/* Call with the object lock held. The next frame starts the sequence over. */
static void
restart_picture_ids(E2cSframeVp8Pay *self)
{
    if (self->picture_id_offset < 0)
        self->next_picture_id = g_random_int() & PICTURE_ID_MASK;
    else
        self->next_picture_id = self->picture_id_offset;
    GST_DEBUG_OBJECT(self, "next PictureID %u", self->next_picture_id);
}

/* Call with the object lock held. Before a stream: no frame sent yet. */
static void
reset_picture_id(E2cSframeVp8Pay *self)
{
    restart_picture_ids(self);
    self->last_picture_id = -1;
}

static guint
take_picture_id(E2cSframeVp8Pay *self)
{
    guint id;

    GST_OBJECT_LOCK(self);
    id = self->next_picture_id;
    self->next_picture_id = (id + 1) & PICTURE_ID_MASK;
    self->last_picture_id = id;
    GST_OBJECT_UNLOCK(self);
    return id;
}

static GstBuffer *
make_packet(E2cSframeVp8Pay *self, GstBuffer *frame, gsize offset, gsize len, guint picture_id,
            gboolean delta)
{
    GstRTPBasePayload *payload = GST_RTP_BASE_PAYLOAD(self);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    gboolean last = offset + len == gst_buffer_get_size(frame);
    GstBuffer *out;
    guint8 *desc;

    out = gst_rtp_base_payload_allocate_output_buffer(payload, DESCRIPTOR_LEN, 0, 0);
    gst_rtp_buffer_map(out, GST_MAP_WRITE, &rtp);
    desc = gst_rtp_buffer_get_payload(&rtp);
    /* RFC 7741 §4.4: PartID 0 everywhere, S only where the frame starts. */
    desc[0] = DESC_X | (offset == 0 ? DESC_S : 0);
    desc[1] = DESC_I;
    desc[2] = DESC_M | (picture_id >> 8);
    desc[3] = picture_id & 0xFF;
    /* RFC 7741 §4.1: the marker bit is set on the last packet of a frame. */
    gst_rtp_buffer_set_marker(&rtp, last);
    gst_rtp_buffer_unmap(&rtp);

    if (last)
        GST_BUFFER_FLAG_SET(out, GST_BUFFER_FLAG_MARKER);
    if (delta)
        GST_BUFFER_FLAG_SET(out, GST_BUFFER_FLAG_DELTA_UNIT);
    GST_BUFFER_PTS(out) = GST_BUFFER_PTS(frame);
    GST_BUFFER_DURATION(out) = GST_BUFFER_DURATION(frame);

    /* Shares the frame's memory: the payload bytes are never mapped. */
    return gst_buffer_append(out,
                             gst_buffer_copy_region(frame, GST_BUFFER_COPY_MEMORY, offset, len));
}

static void
e2c_sframe_vp8_pay_init(E2cSframeVp8Pay *self)
{
    self->picture_id_offset = DEFAULT_PICTURE_ID_OFFSET;
    reset_picture_id(self);
}

static void
e2c_sframe_vp8_pay_class_init(E2cSframeVp8PayClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstRTPBasePayloadClass *payload_class = GST_RTP_BASE_PAYLOAD_CLASS(klass);

    gobject_class->set_property = e2c_sframe_vp8_pay_set_property;
    gobject_class->get_property = e2c_sframe_vp8_pay_get_property;

    /**
     * e2csframevp8pay:picture-id:
     *
     * The PictureID of the last frame sent, or -1 before the first frame.
     */
    g_object_class_install_property(
        gobject_class, PROP_PICTURE_ID,
        g_param_spec_int("picture-id", "Picture ID",
                         "PictureID (RFC 7741, 15 bits) of the last frame sent, "
                         "-1 before the first frame",
                         -1, PICTURE_ID_MASK, -1, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    /**
     * e2csframevp8pay:picture-id-offset:
     *
     * The PictureID of the first frame. Setting it restarts the sequence at
     * the next frame; so does going from READY to PAUSED.
     */
    g_object_class_install_property(
        gobject_class, PROP_PICTURE_ID_OFFSET,
        g_param_spec_int("picture-id-offset", "Picture ID offset",
                         "PictureID of the first frame (-1 = random); the PictureID "
                         "then grows by one per frame and wraps at 0x7FFF",
                         -1, PICTURE_ID_MASK, DEFAULT_PICTURE_ID_OFFSET,
                         G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

    gst_element_class_add_static_pad_template(element_class, &sink_template);
    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "RTP VP8 payloader for encrypted frames", "Codec/Payloader/Network/RTP",
        "Puts VP8 frames into RTP packets (RFC 7741) reading only their first byte, so that "
        "end-to-end encrypted frames can be sent",
        "e2call");

    element_class->change_state = e2c_sframe_vp8_pay_change_state;
    payload_class->handle_buffer = e2c_sframe_vp8_pay_handle_buffer;
    payload_class->set_caps = e2c_sframe_vp8_pay_set_caps;

    GST_DEBUG_CATEGORY_INIT(e2c_sframe_vp8_pay_debug, "e2csframevp8pay", 0,
                            "VP8 RTP payloader for encrypted frames");
}

static void
e2c_sframe_vp8_pay_set_property(GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
    E2cSframeVp8Pay *self = E2C_SFRAME_VP8_PAY(object);

    switch (prop_id) {
    case PROP_PICTURE_ID_OFFSET:
        GST_OBJECT_LOCK(self);
        self->picture_id_offset = g_value_get_int(value);
        /* picture-id still names the last frame sent, if any. */
        restart_picture_ids(self);
        GST_OBJECT_UNLOCK(self);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
}

static void
e2c_sframe_vp8_pay_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    E2cSframeVp8Pay *self = E2C_SFRAME_VP8_PAY(object);

    switch (prop_id) {
    case PROP_PICTURE_ID:
        GST_OBJECT_LOCK(self);
        g_value_set_int(value, self->last_picture_id);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_PICTURE_ID_OFFSET:
        GST_OBJECT_LOCK(self);
        g_value_set_int(value, self->picture_id_offset);
        GST_OBJECT_UNLOCK(self);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
}

static GstFlowReturn
e2c_sframe_vp8_pay_handle_buffer(GstRTPBasePayload *payload, GstBuffer *buffer)
{
    E2cSframeVp8Pay *self = E2C_SFRAME_VP8_PAY(payload);
    gsize size = gst_buffer_get_size(buffer);
    guint mtu = GST_RTP_BASE_PAYLOAD_MTU(payload);
    guint csrcs, room, picture_id;
    GstBufferList *list;
    gboolean delta;
    guint8 tag;

    if (size == 0) {
        GST_DEBUG_OBJECT(self, "dropping an empty frame");
        gst_buffer_unref(buffer);
        return GST_FLOW_OK;
    }

    csrcs = gst_rtp_base_payload_get_source_count(payload, buffer);
    room = gst_rtp_buffer_calc_payload_len(mtu, 0, csrcs);
    if (room <= DESCRIPTOR_LEN) {
        GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("MTU %u is too small for VP8 over RTP", mtu),
                          ("%u CSRCs leave %u bytes for the payload", csrcs, room));
        gst_buffer_unref(buffer);
        return GST_FLOW_ERROR;
    }
    room -= DESCRIPTOR_LEN;

    /* RFC 7741 §4.3: P, the low bit of the first byte, is 0 on key frames.
     * This byte is all the element ever reads of a frame. */
    gst_buffer_extract(buffer, 0, &tag, 1);
    delta = (tag & 0x01) != 0;

    picture_id = take_picture_id(self);
    GST_LOG_OBJECT(self, "%s frame of %" G_GSIZE_FORMAT " bytes, PictureID %u",
                   delta ? "delta" : "key", size, picture_id);

    list = gst_buffer_list_new_sized((size + room - 1) / room);
    for (gsize offset = 0; offset < size; offset += room) {
        gsize len = MIN(room, size - offset);
        gst_buffer_list_add(list, make_packet(self, buffer, offset, len, picture_id, delta));
    }
    gst_buffer_unref(buffer);

    return gst_rtp_base_payload_push_list(payload, list);
}

static gboolean
e2c_sframe_vp8_pay_set_caps(GstRTPBasePayload *payload, GstCaps *caps)
{
    /* Dynamic payload type: the base class takes it from the "pt" property
     * or from downstream caps (webrtcbin's negotiated 96, for example). */
    gst_rtp_base_payload_set_options(payload, "video", TRUE, "VP8", 90000);
    return gst_rtp_base_payload_set_outcaps(payload, NULL);
}

static GstStateChangeReturn
e2c_sframe_vp8_pay_change_state(GstElement *element, GstStateChange transition)
{
    E2cSframeVp8Pay *self = E2C_SFRAME_VP8_PAY(element);

    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
        GST_OBJECT_LOCK(self);
        reset_picture_id(self);
        GST_OBJECT_UNLOCK(self);
    }
    return GST_ELEMENT_CLASS(e2c_sframe_vp8_pay_parent_class)->change_state(element, transition);
}
