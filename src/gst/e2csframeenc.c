/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-sframeenc
 *
 * Encrypts every encoded frame with SFrame (RFC 9605) as e2call's wire format
 * says (e2call-e2ee(7)): the codec's clear prefix stays readable for the
 * payloader and the router, the rest becomes ciphertext. Sits between the
 * encoder and the RTP payloader. Output is never plaintext: without a key a
 * frame is dropped, and a crypto failure is an error
 * (ENCRYPTION_INTERNAL_ERROR).
 *
 * A new key (secret or shared-key) takes over sending after switch-delay
 * milliseconds with a fresh KID, so receivers that install it first lose no
 * frame; then a keyframe is requested upstream (RFC 9605 §6.2). Under the
 * same key the KID also changes with every ten-minute epoch of the wall
 * clock and before a usage limit (kid-rotations in stats): receivers derive
 * the new KID's keys at once, so that needs no keyframe and no message.
 * A cipher suite with 4-byte tags (3 and 8) posts one warning at start.
 *
 * Each sealed frame carries an E2cSFrameMeta (its first SFrame's KID and
 * counter; e2call-e2ee(7), BUFFER METADATA).
 *
 * Before the first key: a secret is derived off the streaming thread. Where
 * upstream is live, frames that arrive before the key are dropped, counted
 * (stats, frames-dropped-no-key) and warned about once per start (a
 * warning message). Where upstream is not live (a file, videotestsrc
 * without is-live), the first frame waits for the key instead, so nothing
 * is lost. The key outlives a stop: a restarted element sends at once.
 *
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=90 ! vp8enc deadline=1 ! \
 *     e2csframeenc room=1234 secret=correct-horse-battery ! e2csframevp8pay ! fakesink
 * ]|
 */
#include "e2csframeenc.h"

#include <gst/video/video.h>

#include "e2ccodec.h"
#include "e2ckeysource.h"
#include "e2csframemeta.h"
#include "e2cshorttags.h"
#include "frame.h"
#include "sframe.h"

GST_DEBUG_CATEGORY_STATIC(e2c_sframe_enc_debug);
#define GST_CAT_DEFAULT e2c_sframe_enc_debug

#define DEFAULT_CIPHER_SUITE SFRAME_DEFAULT_SUITE
#define DEFAULT_SWITCH_DELAY_MS 2000

enum {
    PROP_0,
    PROP_SECRET,
    PROP_ROOM,
    PROP_SHARED_KEY,
    PROP_CIPHER_SUITE,
    PROP_SWITCH_DELAY,
    PROP_KEY_ID,
    PROP_STATS,
};

struct _E2cSframeEnc {
    GstBaseTransform parent;

    struct e2c_key_source keys;
    /* Guarded by the object lock: */
    struct e2c_sender *sender;
    guint cipher_suite;
    guint switch_delay_ms;
    enum e2c_codec codec;
    E2cKey *key;            /* the newest key given; the sender's first at every start */
    gboolean want_keyframe; /* a key arrived while frames were being dropped */
    gboolean warned_no_key; /* the warning about dropped frames was posted (once a start) */
    guint64 frames, bytes_in, bytes_out, dropped_no_key, malformed, switches, rotations;
    guint64 crypt_ns; /* time spent sealing the frames counted in frames (nothing else) */
    guint64 last_kid, last_next_ctr; /* the sender's, kept when it goes at stop */
};

G_DEFINE_TYPE(E2cSframeEnc, e2c_sframe_enc, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(e2csframeenc, "e2csframeenc", GST_RANK_NONE, E2C_TYPE_SFRAME_ENC);

static void
request_keyframe(E2cSframeEnc *self)
{
    GstEvent *ev = gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0);
    gst_pad_push_event(GST_BASE_TRANSFORM_SINK_PAD(self), ev);
}

/* Key installation (any thread). The first key is used at once, later ones after the delay. */
static void
install_key(GstElement *element, E2cKey *key)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(element);
    GST_OBJECT_LOCK(self);
    E2cKey *old = self->key;
    self->key = e2c_key_ref(key);
    if (self->sender) {
        gboolean first = !e2c_sender_has_key(self->sender);
        guint64 at = (guint64)g_get_monotonic_time() + (guint64)self->switch_delay_ms * 1000;
        e2c_sender_set_key(self->sender, e2c_key_peek(key), at);
        if (first)
            self->want_keyframe = TRUE;
    }
    GST_OBJECT_UNLOCK(self);
    if (old)
        e2c_key_unref(old);
}

static gboolean
e2c_sframe_enc_start(GstBaseTransform *trans)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(trans);
    if (!e2c_key_source_check(&self->keys))
        return FALSE;
    if (!e2c_key_source_configured(&self->keys)) {
        GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                          ("ENCRYPTION_SECRET_MISSING: e2csframeenc has no secret or shared-key"),
                          (NULL));
        return FALSE;
    }
    GST_OBJECT_LOCK(self);
    self->sender = e2c_sender_create((uint16_t)self->cipher_suite);
    if (self->sender && self->key)
        e2c_sender_set_key(self->sender, e2c_key_peek(self->key), 0);
    self->frames = self->bytes_in = self->bytes_out = 0;
    self->dropped_no_key = self->malformed = self->switches = self->rotations = 0;
    self->crypt_ns = 0;
    self->last_kid = self->last_next_ctr = 0;
    self->warned_no_key = FALSE;
    gboolean ok = self->sender != NULL;
    guint suite = self->cipher_suite;
    GST_OBJECT_UNLOCK(self);
    if (!ok)
        GST_ELEMENT_ERROR(self, LIBRARY, INIT, ("ENCRYPTION_INTERNAL_ERROR: no sender"), (NULL));
    else
        e2c_warn_short_tags(GST_ELEMENT(self), suite);
    return ok;
}

static gboolean
e2c_sframe_enc_stop(GstBaseTransform *trans)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(trans);
    GST_OBJECT_LOCK(self);
    /* What stats and key-id say after the run: its last KID and counter, not zeros. */
    if (self->sender) {
        self->last_kid = e2c_sender_kid(self->sender);
        self->last_next_ctr = e2c_sender_next_counter(self->sender);
    }
    g_clear_pointer(&self->sender, e2c_sender_destroy);
    GST_OBJECT_UNLOCK(self);
    return TRUE;
}

/* Before the first key: where upstream is not live, wait for the one being derived. */
static GstFlowReturn
wait_for_first_key(E2cSframeEnc *self)
{
    GST_OBJECT_LOCK(self);
    gboolean has_key = e2c_sender_has_key(self->sender);
    GST_OBJECT_UNLOCK(self);
    if (has_key)
        return GST_FLOW_OK;
    GstPad *sinkpad = GST_BASE_TRANSFORM_SINK_PAD(self);
    if (e2c_key_source_wait(&self->keys, sinkpad) == E2C_KEY_WAIT_FLUSHING)
        return GST_FLOW_FLUSHING;
    return GST_FLOW_OK;
}

static void
warn_dropped_no_key(E2cSframeEnc *self)
{
    GST_OBJECT_LOCK(self);
    gboolean first = !self->warned_no_key;
    self->warned_no_key = TRUE;
    GST_OBJECT_UNLOCK(self);
    if (first)
        GST_ELEMENT_WARNING(self, STREAM, ENCODE,
                            ("No key yet: frames are dropped, never sent in clear, until the key "
                             "is there"),
                            ("counted in stats, frames-dropped-no-key; warned once a start"));
}

static gboolean
e2c_sframe_enc_sink_event(GstBaseTransform *trans, GstEvent *event)
{
    e2c_key_source_sink_event(&E2C_SFRAME_ENC(trans)->keys, event);
    return GST_BASE_TRANSFORM_CLASS(e2c_sframe_enc_parent_class)->sink_event(trans, event);
}

static GstStateChangeReturn
e2c_sframe_enc_change_state(GstElement *element, GstStateChange transition)
{
    e2c_key_source_change_state(&E2C_SFRAME_ENC(element)->keys, transition);
    return GST_ELEMENT_CLASS(e2c_sframe_enc_parent_class)->change_state(element, transition);
}

static gboolean
e2c_sframe_enc_set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(trans);
    const struct e2c_gst_codec *row = e2c_gst_codec_from_caps(incaps);
    if (!row)
        return FALSE;
    enum e2c_codec codec = row->codec;
    GST_OBJECT_LOCK(self);
    self->codec = codec;
    GST_OBJECT_UNLOCK(self);
    GST_DEBUG_OBJECT(self, "codec %s", e2c_codec_name(codec));
    return TRUE;
}

static gboolean
e2c_sframe_enc_transform_size(GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps,
                              gsize size, GstCaps *othercaps, gsize *othersize)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(trans);
    if (direction != GST_PAD_SINK)
        return FALSE;
    GST_OBJECT_LOCK(self);
    *othersize = e2c_frame_protect_bound(self->codec, (uint16_t)self->cipher_suite, size);
    GST_OBJECT_UNLOCK(self);
    return TRUE;
}

static GstFlowReturn
e2c_sframe_enc_transform(GstBaseTransform *trans, GstBuffer *inbuf, GstBuffer *outbuf)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(trans);
    GstMapInfo in, out;
    size_t out_len = 0;
    unsigned flags = 0;
    enum sframe_error err;
    gboolean keyframe_wanted;
    GstFlowReturn waited = wait_for_first_key(self);

    if (waited != GST_FLOW_OK)
        return waited;
    if (!gst_buffer_map(inbuf, &in, GST_MAP_READ))
        return GST_FLOW_ERROR;
    if (!gst_buffer_map(outbuf, &out, GST_MAP_WRITE)) {
        gst_buffer_unmap(inbuf, &in);
        return GST_FLOW_ERROR;
    }
    GST_OBJECT_LOCK(self);
    /* Only the envelope and the crypto are timed: waiting for the key or the lock is not. */
    /* The frame's first SFrame: the next counter under the current KID, unless sealing it drew
     * a new KID, whose counters start at 0. (An H.264 access unit whose KID rotates between
     * two of its units gets the new one: its receivers' lookups miss, see E2cSFrameMeta.) */
    guint64 kid_before = e2c_sender_kid(self->sender);
    guint64 first_ctr = e2c_sender_next_counter(self->sender);
    GstClockTime t0 = gst_util_get_timestamp();
    err = e2c_frame_protect(self->sender, self->codec, (uint64_t)g_get_monotonic_time(), in.data,
                            in.size, out.data, out.size, &out_len, &flags);
    GstClockTime t1 = gst_util_get_timestamp();
    if (err == SFRAME_OK) {
        self->frames++;
        self->crypt_ns += t1 - t0;
        self->bytes_in += in.size;
        self->bytes_out += out_len;
        if (flags & E2C_SENDER_SWITCHED)
            self->switches++;
        if (flags & E2C_SENDER_ROTATED)
            self->rotations++;
    } else if (err == SFRAME_E_UNKNOWN_KID) {
        self->dropped_no_key++;
    } else if (err == SFRAME_E_MALFORMED) {
        self->malformed++;
    }
    keyframe_wanted = (err == SFRAME_OK && (self->want_keyframe || (flags & E2C_SENDER_SWITCHED)));
    if (keyframe_wanted)
        self->want_keyframe = FALSE;
    guint64 kid = e2c_sender_kid(self->sender);
    if (kid != kid_before)
        first_ctr = 0;
    GST_OBJECT_UNLOCK(self);
    gst_buffer_unmap(outbuf, &out);
    gst_buffer_unmap(inbuf, &in);

    switch (err) {
    case SFRAME_OK:
        break;
    case SFRAME_E_UNKNOWN_KID:
        /* The key is still being derived: drop; a keyframe follows once it is there. */
        GST_LOG_OBJECT(self, "no key yet, frame dropped");
        GST_OBJECT_LOCK(self);
        self->want_keyframe = TRUE;
        GST_OBJECT_UNLOCK(self);
        warn_dropped_no_key(self);
        return GST_BASE_TRANSFORM_FLOW_DROPPED;
    case SFRAME_E_MALFORMED:
        GST_WARNING_OBJECT(self, "frame shorter than its clear prefix, or H.264 access unit "
                                 "with no NAL unit to encrypt: dropped");
        return GST_BASE_TRANSFORM_FLOW_DROPPED;
    case SFRAME_E_PARAM:
    case SFRAME_E_SHORT_BUFFER:
    case SFRAME_E_AUTH:
    case SFRAME_E_REPLAY:
    case SFRAME_E_EXHAUSTED:
    case SFRAME_E_CRYPTO:
    case SFRAME_E_NOMEM:
        GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("ENCRYPTION_INTERNAL_ERROR"),
                          ("sealing failed: %s", sframe_strerror(err)));
        return GST_FLOW_ERROR;
    }

    gst_buffer_set_size(outbuf, out_len);
    e2c_sframe_meta_add(outbuf, kid, first_ctr);
    if (flags & E2C_SENDER_SWITCHED) {
        GstStructure *s = gst_structure_new("sframe-key-switched", "kid", G_TYPE_UINT64, kid, NULL);
        gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
    }
    if (keyframe_wanted)
        request_keyframe(self);
    return GST_FLOW_OK;
}

/* Call with the object lock held: the running sender's, or the last run's. */
static guint64
current_kid(E2cSframeEnc *self)
{
    return self->sender ? e2c_sender_kid(self->sender) : self->last_kid;
}

static guint64
current_next_ctr(E2cSframeEnc *self)
{
    return self->sender ? e2c_sender_next_counter(self->sender) : self->last_next_ctr;
}

static GstStructure *
make_stats(E2cSframeEnc *self)
{
    GST_OBJECT_LOCK(self);
    guint64 prev_next_ctr = 0;
    guint64 prev_kid = e2c_sender_previous_kid(self->sender, &prev_next_ctr);
    GstStructure *s = gst_structure_new(
        "sframeenc-stats", "frames-protected", G_TYPE_UINT64, self->frames, "bytes-in",
        G_TYPE_UINT64, self->bytes_in, "bytes-out", G_TYPE_UINT64, self->bytes_out,
        "frames-dropped-no-key", G_TYPE_UINT64, self->dropped_no_key, "frames-malformed",
        G_TYPE_UINT64, self->malformed, "key-switches", G_TYPE_UINT64, self->switches,
        "kid-rotations", G_TYPE_UINT64, self->rotations, "kid", G_TYPE_UINT64, current_kid(self),
        "next-ctr", G_TYPE_UINT64, current_next_ctr(self), "previous-kid", G_TYPE_UINT64, prev_kid,
        "previous-next-ctr", G_TYPE_UINT64, prev_next_ctr, "cipher-suite", G_TYPE_UINT,
        self->cipher_suite, "crypt-ns", G_TYPE_UINT64, self->crypt_ns, "crypt-frames",
        G_TYPE_UINT64, self->frames, NULL);
    GST_OBJECT_UNLOCK(self);
    return s;
}

static void
e2c_sframe_enc_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(object);
    switch (prop_id) {
    case PROP_SECRET:
        e2c_key_source_set_secret(&self->keys, g_value_get_string(value));
        break;
    case PROP_ROOM:
        e2c_key_source_set_room(&self->keys, g_value_get_string(value));
        break;
    case PROP_SHARED_KEY:
        e2c_key_source_set_key(&self->keys, g_value_get_boxed(value));
        break;
    case PROP_CIPHER_SUITE: {
        guint suite = g_value_get_uint(value);
        GST_OBJECT_LOCK(self);
        if (self->sender)
            GST_WARNING_OBJECT(self, "cipher-suite cannot change while running");
        else
            self->cipher_suite = suite;
        GST_OBJECT_UNLOCK(self);
        break;
    }
    case PROP_SWITCH_DELAY:
        GST_OBJECT_LOCK(self);
        self->switch_delay_ms = g_value_get_uint(value);
        GST_OBJECT_UNLOCK(self);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
}

static void
e2c_sframe_enc_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(object);
    switch (prop_id) {
    case PROP_ROOM:
        g_value_take_string(value, e2c_key_source_dup_room(&self->keys));
        break;
    case PROP_CIPHER_SUITE:
        GST_OBJECT_LOCK(self);
        g_value_set_uint(value, self->cipher_suite);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_SWITCH_DELAY:
        GST_OBJECT_LOCK(self);
        g_value_set_uint(value, self->switch_delay_ms);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_KEY_ID:
        GST_OBJECT_LOCK(self);
        g_value_set_uint64(value, current_kid(self));
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_STATS:
        g_value_take_boxed(value, make_stats(self));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
}

static void
e2c_sframe_enc_finalize(GObject *object)
{
    E2cSframeEnc *self = E2C_SFRAME_ENC(object);
    e2c_sender_destroy(self->sender);
    if (self->key)
        e2c_key_unref(self->key);
    e2c_key_source_finish(&self->keys);
    G_OBJECT_CLASS(e2c_sframe_enc_parent_class)->finalize(object);
}

static void
e2c_sframe_enc_class_init(E2cSframeEncClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);

    GST_DEBUG_CATEGORY_INIT(e2c_sframe_enc_debug, "e2csframeenc", 0, "SFrame frame encryption");

    gobject_class->set_property = e2c_sframe_enc_set_property;
    gobject_class->get_property = e2c_sframe_enc_get_property;
    gobject_class->finalize = e2c_sframe_enc_finalize;

    e2c_key_source_install_properties(gobject_class, PROP_SECRET, PROP_ROOM, PROP_SHARED_KEY);
    g_object_class_install_property(
        gobject_class, PROP_CIPHER_SUITE,
        g_param_spec_uint("cipher-suite", "Cipher suite",
                          "SFrame cipher suite: 1-5 (RFC 9605), 6-8 (AES-256-CTR + HMAC-SHA512, "
                          "draft-barnes-sframe-iana-256); 6 (AES_256_CTR_HMAC_SHA512_80) is "
                          "e2call's default. Every participant must use the same",
                          1, 8, DEFAULT_CIPHER_SUITE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
    g_object_class_install_property(
        gobject_class, PROP_SWITCH_DELAY,
        g_param_spec_uint("switch-delay", "Switch delay",
                          "Milliseconds between receiving a new key and sending under it "
                          "(receive first, send later); the first key is used at once",
                          0, 600000, DEFAULT_SWITCH_DELAY_MS,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
    g_object_class_install_property(
        gobject_class, PROP_KEY_ID,
        g_param_spec_uint64("key-id", "Key ID",
                            "The KID frames are sent under (bit 63, the 10-minute epoch mod 2048 "
                            "and 52 random bits; new at start, at every key switch, every epoch "
                            "and before a usage limit); 0 before the first frame",
                            0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_STATS,
        g_param_spec_boxed("stats", "Statistics",
                           "frames-protected, bytes-in, bytes-out, frames-dropped-no-key, "
                           "frames-malformed, key-switches, kid-rotations (new KIDs under the "
                           "same key: epochs, usage limits), kid, next-ctr (the next frame's "
                           "counter), previous-kid, previous-next-ctr (where its counter "
                           "ended), cipher-suite, crypt-ns (monotonic nanoseconds spent sealing "
                           "crypt-frames frames: the envelope and the crypto, not waiting)",
                           GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    e2c_gst_codec_add_pad_templates(element_class);
    gst_element_class_set_static_metadata(
        element_class, "SFrame encrypter", "Codec/Encoder/Network",
        "Encrypts encoded VP8, VP9, H.264 and Opus frames end to end with SFrame (RFC 9605), "
        "leaving the codec's clear prefix readable",
        "e2call developers");

    element_class->change_state = GST_DEBUG_FUNCPTR(e2c_sframe_enc_change_state);
    trans_class->start = GST_DEBUG_FUNCPTR(e2c_sframe_enc_start);
    trans_class->sink_event = GST_DEBUG_FUNCPTR(e2c_sframe_enc_sink_event);
    trans_class->stop = GST_DEBUG_FUNCPTR(e2c_sframe_enc_stop);
    trans_class->set_caps = GST_DEBUG_FUNCPTR(e2c_sframe_enc_set_caps);
    trans_class->transform_size = GST_DEBUG_FUNCPTR(e2c_sframe_enc_transform_size);
    trans_class->transform = GST_DEBUG_FUNCPTR(e2c_sframe_enc_transform);
    trans_class->passthrough_on_same_caps = FALSE;
}

static void
e2c_sframe_enc_init(E2cSframeEnc *self)
{
    self->cipher_suite = DEFAULT_CIPHER_SUITE;
    self->switch_delay_ms = DEFAULT_SWITCH_DELAY_MS;
    e2c_key_source_init(&self->keys, GST_ELEMENT(self), install_key);
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
    gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), FALSE);
}
