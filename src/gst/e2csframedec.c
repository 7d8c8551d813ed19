/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-sframedec
 *
 * Decrypts frames e2csframeenc protected (e2call-e2ee(7)); sits between the RTP
 * depayloader and the decoder, one element per received stream. Frames that
 * do not open are dropped and counted, never passed on.
 *
 * Keys: the newest key (secret or shared-key) opens frames at once; the key
 * it replaced keeps opening them for grace-period milliseconds. The newest
 * key outlives a stop: a restarted element opens frames at once. Where
 * upstream is not live (a file), a frame waits while a secret's key is
 * being derived instead of failing to open; a live stream never waits.
 *
 * Per stream it keeps a state and posts each transition once as an element
 * message (structure name, then fields):
 *
 * - `sframe-decrypting`: the first frame opened (kid, state, frames-ok, auth-failed)
 * - `sframe-mismatch`: 10 frames since the last good one failed authentication
 *   under every key held (cause "wrong-secret"), carried no e2call envelope
 *   ("unencrypted": a plain peer) or a KID from another epoch ("stale"), each
 *   kind counted on its own; replayed, malformed and rate-limited frames and
 *   frames that follow lost packets (DISCONT from the depayloader) neither
 *   count nor reset a run
 * - `sframe-match`: the first good frame after a mismatch; a keyframe is then
 *   requested upstream
 * - `sframe-secret-missing`: frames arrive and no key is held
 * - `sframe-secret-found`: the first good frame after that
 *
 * replay-domain: elements with the same non-empty domain share their replay
 * windows process-wide, so a stream received again by the same participant
 * (a new subscription) does not accept the frames it already had.
 *
 * A crypto library failure is an error (DECRYPTION_INTERNAL_ERROR). A cipher
 * suite with 4-byte tags (3 and 8) posts one warning when the element starts.
 *
 * Each opened frame carries an E2cSFrameMeta (its first SFrame's KID and
 * counter; e2call-e2ee(7), BUFFER METADATA).
 */
#include "e2csframedec.h"

#include <gst/video/video.h>

#include "e2ccodec.h"
#include "e2ckeysource.h"
#include "e2csframemeta.h"
#include "e2cshorttags.h"
#include "frame.h"
#include "health.h"
#include "sframe.h"

GST_DEBUG_CATEGORY_STATIC(e2c_sframe_dec_debug);
#define GST_CAT_DEFAULT e2c_sframe_dec_debug

#define DEFAULT_CIPHER_SUITE SFRAME_DEFAULT_SUITE
#define DEFAULT_GRACE_MS 10000
#define DEFAULT_WAIT_FOR_KEYFRAME TRUE
#define DEFAULT_REPLAY_DOMAIN NULL

enum {
    PROP_0,
    PROP_SECRET,
    PROP_ROOM,
    PROP_SHARED_KEY,
    PROP_CIPHER_SUITE,
    PROP_GRACE_PERIOD,
    PROP_WAIT_FOR_KEYFRAME,
    PROP_REPLAY_DOMAIN,
    PROP_KEY_ID,
    PROP_STATE,
    PROP_STATS,
};

struct counters {
    guint64 ok, auth_failed, damaged, replayed, malformed, unencrypted, unknown_kid;
    guint64 stale, kid_limited;
    guint64 waiting_keyframe, mismatches, matches;
    guint64 lost;     /* frames the sender sealed that never arrived (counter gaps per KID) */
    guint64 crypt_ns; /* time spent opening the frames counted in ok (nothing else) */
};

struct _E2cSframeDec {
    GstBaseTransform parent;

    struct e2c_key_source keys;
    /* Guarded by the object lock: */
    struct e2c_receiver *receiver;
    E2cKey *key; /* the newest key given; the receiver's first at every start */
    guint cipher_suite;
    guint grace_ms;
    gboolean wait_for_keyframe;
    gchar *replay_domain;
    gboolean need_keyframe;   /* after (re)gaining the stream, until a keyframe opens */
    gint64 keyframe_asked_us; /* last keyframe request, so they go out at most once a second */
    enum e2c_codec codec;
    struct e2c_health health;
    struct counters n;
    guint64 last_kid;
    guint64 next_ctr; /* expected counter of last_kid's next frame */
};

G_DEFINE_TYPE(E2cSframeDec, e2c_sframe_dec, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(e2csframedec, "e2csframedec", GST_RANK_NONE, E2C_TYPE_SFRAME_DEC);

static void
install_key(GstElement *element, E2cKey *key)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(element);
    GST_OBJECT_LOCK(self);
    E2cKey *old = self->key;
    self->key = e2c_key_ref(key);
    if (self->receiver)
        e2c_receiver_add_key(self->receiver, e2c_key_peek(key), (uint64_t)g_get_monotonic_time());
    GST_OBJECT_UNLOCK(self);
    if (old)
        e2c_key_unref(old);
}

static gboolean
e2c_sframe_dec_start(GstBaseTransform *trans)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(trans);
    if (!e2c_key_source_check(&self->keys))
        return FALSE;
    GST_OBJECT_LOCK(self);
    self->receiver =
        e2c_receiver_create((uint16_t)self->cipher_suite, (uint64_t)self->grace_ms * 1000);
    if (self->receiver &&
        e2c_receiver_set_replay_domain(self->receiver, self->replay_domain) != SFRAME_OK)
        g_clear_pointer(&self->receiver, e2c_receiver_destroy);
    if (self->receiver && self->key)
        e2c_receiver_add_key(self->receiver, e2c_key_peek(self->key),
                             (uint64_t)g_get_monotonic_time());
    e2c_health_init(&self->health);
    memset(&self->n, 0, sizeof(self->n));
    self->need_keyframe = TRUE;
    self->last_kid = 0;
    self->next_ctr = 0;
    gboolean ok = self->receiver != NULL;
    guint suite = self->cipher_suite;
    GST_OBJECT_UNLOCK(self);
    if (!ok)
        GST_ELEMENT_ERROR(self, LIBRARY, INIT, ("DECRYPTION_INTERNAL_ERROR: no receiver"), (NULL));
    else
        e2c_warn_short_tags(GST_ELEMENT(self), suite);
    return ok;
}

static gboolean
e2c_sframe_dec_stop(GstBaseTransform *trans)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(trans);
    GST_OBJECT_LOCK(self);
    g_clear_pointer(&self->receiver, e2c_receiver_destroy);
    GST_OBJECT_UNLOCK(self);
    return TRUE;
}

static gboolean
e2c_sframe_dec_sink_event(GstBaseTransform *trans, GstEvent *event)
{
    e2c_key_source_sink_event(&E2C_SFRAME_DEC(trans)->keys, event);
    return GST_BASE_TRANSFORM_CLASS(e2c_sframe_dec_parent_class)->sink_event(trans, event);
}

static GstStateChangeReturn
e2c_sframe_dec_change_state(GstElement *element, GstStateChange transition)
{
    e2c_key_source_change_state(&E2C_SFRAME_DEC(element)->keys, transition);
    return GST_ELEMENT_CLASS(e2c_sframe_dec_parent_class)->change_state(element, transition);
}

static gboolean
e2c_sframe_dec_set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(trans);
    const struct e2c_gst_codec *row = e2c_gst_codec_from_caps(incaps);
    if (!row)
        return FALSE;
    GST_OBJECT_LOCK(self);
    self->codec = row->codec;
    GST_OBJECT_UNLOCK(self);
    return TRUE;
}

static gboolean
e2c_sframe_dec_transform_size(GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps,
                              gsize size, GstCaps *othercaps, gsize *othersize)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(trans);
    if (direction != GST_PAD_SINK)
        return FALSE;
    *othersize = e2c_frame_open_bound(self->codec, size);
    return TRUE;
}

static void
post_transition(E2cSframeDec *self, enum e2c_health_event ev, guint64 kid, guint64 ok,
                guint64 failed, const char *state, const char *cause)
{
    static const char *const names[] = {
        [E2C_HEALTH_EV_FIRST_OK] = "sframe-decrypting",
        [E2C_HEALTH_EV_MISMATCH] = "sframe-mismatch",
        [E2C_HEALTH_EV_MATCH] = "sframe-match",
        [E2C_HEALTH_EV_SECRET_MISSING] = "sframe-secret-missing",
        [E2C_HEALTH_EV_SECRET_FOUND] = "sframe-secret-found",
    };
    if (ev == E2C_HEALTH_EV_NONE || (size_t)ev >= G_N_ELEMENTS(names) || !names[ev])
        return;
    GstStructure *s = gst_structure_new(names[ev], "kid", G_TYPE_UINT64, kid, "state",
                                        G_TYPE_STRING, state, "frames-ok", G_TYPE_UINT64, ok,
                                        "auth-failed", G_TYPE_UINT64, failed, NULL);
    if (ev == E2C_HEALTH_EV_MISMATCH)
        gst_structure_set(s, "cause", G_TYPE_STRING, cause, NULL);
    GST_INFO_OBJECT(self, "%" GST_PTR_FORMAT, s);
    gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

static GstFlowReturn
e2c_sframe_dec_transform(GstBaseTransform *trans, GstBuffer *inbuf, GstBuffer *outbuf)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(trans);
    gboolean damaged = GST_BUFFER_FLAG_IS_SET(inbuf, GST_BUFFER_FLAG_DISCONT);
    struct e2c_frame_info info;
    GstMapInfo in, out;
    size_t out_len = 0;
    gboolean pass = FALSE, request = FALSE;
    enum e2c_health_event ev = E2C_HEALTH_EV_NONE;

    /* Not live: the key being derived opens this frame in a moment; nothing is lost waiting. */
    if (e2c_key_source_wait(&self->keys, GST_BASE_TRANSFORM_SINK_PAD(self)) ==
        E2C_KEY_WAIT_FLUSHING)
        return GST_FLOW_FLUSHING;
    if (!gst_buffer_map(inbuf, &in, GST_MAP_READ))
        return GST_FLOW_ERROR;
    if (!gst_buffer_map(outbuf, &out, GST_MAP_WRITE)) {
        gst_buffer_unmap(inbuf, &in);
        return GST_FLOW_ERROR;
    }

    GST_OBJECT_LOCK(self);
    /* Only the envelope and the crypto are timed: waiting for the key or the lock is not. */
    GstClockTime t0 = gst_util_get_timestamp();
    enum e2c_status err =
        e2c_frame_open(self->receiver, self->codec, (uint64_t)g_get_monotonic_time(), in.data,
                       in.size, out.data, out.size, &out_len, &info);
    GstClockTime t1 = gst_util_get_timestamp();
    enum e2c_health_input input = E2C_HEALTH_IN_IGNORED;
    gboolean internal_error = FALSE;
    switch (err) {
    case E2C_OK:
        /* Something opened (n_sframes > 0): an H.264 access unit without an
         * encrypted NAL unit is MALFORMED, no_envelope, counted unencrypted. */
        input = E2C_HEALTH_IN_OK;
        self->n.ok++;
        self->n.crypt_ns += t1 - t0;
        /*
         * Loss from the sender's own count: counters of one KID advance by
         * one per SFrame, so a jump forward is frames that never arrived
         * (reordering shows up as no jump; a new KID starts over).
         */
        if (info.kid == self->last_kid && info.ctr > self->next_ctr &&
            info.ctr - self->next_ctr < (1u << 20))
            self->n.lost += info.ctr - self->next_ctr;
        if (info.kid != self->last_kid || info.ctr >= self->next_ctr)
            self->next_ctr = info.ctr + info.n_sframes;
        self->last_kid = info.kid;
        pass = TRUE;
        break;
    case E2C_E_AUTH:
        if (damaged) {
            self->n.damaged++;
            input = E2C_HEALTH_IN_DAMAGED_AUTH_FAILED;
        } else {
            self->n.auth_failed++;
            input = E2C_HEALTH_IN_AUTH_FAILED;
        }
        break;
    case E2C_E_REPLAY:
        self->n.replayed++;
        break;
    case E2C_E_MALFORMED:
        /* No envelope: a plain peer, unless the frame was cut by loss. */
        if (info.no_envelope) {
            self->n.unencrypted++;
            if (!damaged)
                input = E2C_HEALTH_IN_UNENCRYPTED;
        } else {
            self->n.malformed++;
        }
        break;
    case E2C_E_STALE:
        self->n.stale++;
        if (!damaged)
            input = E2C_HEALTH_IN_STALE;
        break;
    case E2C_E_KID_LIMITED:
        self->n.kid_limited++;
        break;
    case E2C_E_UNKNOWN_KID:
        self->n.unknown_kid++;
        input = E2C_HEALTH_IN_NO_KEY;
        break;
    /* Not the stream's doing: the library or this element failed (or E2C_E_UNENCRYPTED,
     * which e2c_frame_open() turns into E2C_E_MALFORMED with no_envelope). */
    case E2C_E_PARAM:
    case E2C_E_SHORT_BUFFER:
    case E2C_E_EXHAUSTED:
    case E2C_E_CRYPTO:
    case E2C_E_NOMEM:
    case E2C_E_UNENCRYPTED:
        internal_error = TRUE;
        break;
    }
    if (input != E2C_HEALTH_IN_IGNORED || err == E2C_OK)
        ev = e2c_health_feed(&self->health, input);
    if (ev == E2C_HEALTH_EV_MISMATCH)
        self->n.mismatches++;
    if (ev == E2C_HEALTH_EV_MATCH) {
        self->n.matches++;
        request = TRUE;
    }
    if (ev == E2C_HEALTH_EV_MATCH || ev == E2C_HEALTH_EV_SECRET_FOUND)
        self->need_keyframe = TRUE;
    /*
     * Never hand the decoder a stream it cannot start: wait for a keyframe,
     * and ask for one (at most once a second) rather than wait for the next
     * scheduled one.
     */
    if (pass && input == E2C_HEALTH_IN_OK && self->wait_for_keyframe && self->need_keyframe) {
        if (e2c_frame_is_keyframe(self->codec, out.data, out_len) == 1) {
            self->need_keyframe = FALSE;
        } else {
            self->n.waiting_keyframe++;
            pass = FALSE;
            gint64 now = g_get_monotonic_time();
            if (now - self->keyframe_asked_us >= G_USEC_PER_SEC)
                request = TRUE;
        }
    }
    if (request)
        self->keyframe_asked_us = g_get_monotonic_time();
    guint64 ok = self->n.ok, failed = self->n.auth_failed;
    const char *state = e2c_health_state_name(self->health.state);
    const char *cause = e2c_health_cause_name(self->health.cause);
    GST_OBJECT_UNLOCK(self);
    gst_buffer_unmap(outbuf, &out);
    gst_buffer_unmap(inbuf, &in);

    post_transition(self, ev, info.kid, ok, failed, state, cause);
    if (request)
        gst_pad_push_event(
            GST_BASE_TRANSFORM_SINK_PAD(self),
            gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, FALSE, 0));
    if (internal_error) {
        GST_ELEMENT_ERROR(self, STREAM, DECRYPT, ("DECRYPTION_INTERNAL_ERROR"),
                          ("opening failed: %s", e2c_status_str(err)));
        return GST_FLOW_ERROR;
    }
    if (!pass)
        return GST_BASE_TRANSFORM_FLOW_DROPPED;
    gst_buffer_set_size(outbuf, out_len);
    e2c_sframe_meta_add(outbuf, info.kid, info.ctr);
    return GST_FLOW_OK;
}

static GstStructure *
make_stats(E2cSframeDec *self)
{
    GST_OBJECT_LOCK(self);
    struct counters n = self->n;
    GstStructure *s = gst_structure_new(
        "sframedec-stats", "state", G_TYPE_STRING, e2c_health_state_name(self->health.state),
        "frames-ok", G_TYPE_UINT64, n.ok, "auth-failed", G_TYPE_UINT64, n.auth_failed,
        "auth-failed-after-loss", G_TYPE_UINT64, n.damaged, "replayed", G_TYPE_UINT64, n.replayed,
        "malformed", G_TYPE_UINT64, n.malformed, "unencrypted", G_TYPE_UINT64, n.unencrypted,
        "stale", G_TYPE_UINT64, n.stale, "kid-limited", G_TYPE_UINT64, n.kid_limited, "unknown-kid",
        G_TYPE_UINT64, n.unknown_kid, "waiting-keyframe", G_TYPE_UINT64, n.waiting_keyframe,
        "mismatch-events", G_TYPE_UINT64, n.mismatches, "match-events", G_TYPE_UINT64, n.matches,
        "frames-lost", G_TYPE_UINT64, n.lost, "kid", G_TYPE_UINT64, self->last_kid, "next-ctr",
        G_TYPE_UINT64, self->next_ctr, "keys-held", G_TYPE_UINT,
        self->receiver ? e2c_receiver_key_count(self->receiver, (uint64_t)g_get_monotonic_time())
                       : 0u,
        "cipher-suite", G_TYPE_UINT, self->cipher_suite, "crypt-ns", G_TYPE_UINT64, n.crypt_ns,
        "crypt-frames", G_TYPE_UINT64, n.ok, NULL);
    GST_OBJECT_UNLOCK(self);
    return s;
}

static void
e2c_sframe_dec_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(object);
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
    case PROP_CIPHER_SUITE:
        GST_OBJECT_LOCK(self);
        if (self->receiver)
            GST_WARNING_OBJECT(self, "cipher-suite cannot change while running");
        else
            self->cipher_suite = g_value_get_uint(value);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_GRACE_PERIOD:
        GST_OBJECT_LOCK(self);
        self->grace_ms = g_value_get_uint(value);
        /* Mutable while playing: applies to the next key replaced. */
        e2c_receiver_set_grace(self->receiver, (uint64_t)self->grace_ms * 1000);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_WAIT_FOR_KEYFRAME:
        GST_OBJECT_LOCK(self);
        self->wait_for_keyframe = g_value_get_boolean(value);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_REPLAY_DOMAIN:
        GST_OBJECT_LOCK(self);
        if (self->receiver) {
            GST_WARNING_OBJECT(self, "replay-domain cannot change while running");
        } else {
            g_free(self->replay_domain);
            self->replay_domain = g_value_dup_string(value);
        }
        GST_OBJECT_UNLOCK(self);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
}

static void
e2c_sframe_dec_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(object);
    switch (prop_id) {
    case PROP_ROOM:
        g_value_take_string(value, e2c_key_source_dup_room(&self->keys));
        break;
    case PROP_CIPHER_SUITE:
        GST_OBJECT_LOCK(self);
        g_value_set_uint(value, self->cipher_suite);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_GRACE_PERIOD:
        GST_OBJECT_LOCK(self);
        g_value_set_uint(value, self->grace_ms);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_WAIT_FOR_KEYFRAME:
        GST_OBJECT_LOCK(self);
        g_value_set_boolean(value, self->wait_for_keyframe);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_REPLAY_DOMAIN:
        GST_OBJECT_LOCK(self);
        g_value_set_string(value, self->replay_domain);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_KEY_ID:
        GST_OBJECT_LOCK(self);
        g_value_set_uint64(value, self->last_kid);
        GST_OBJECT_UNLOCK(self);
        break;
    case PROP_STATE:
        GST_OBJECT_LOCK(self);
        g_value_set_string(value, e2c_health_state_name(self->health.state));
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
e2c_sframe_dec_finalize(GObject *object)
{
    E2cSframeDec *self = E2C_SFRAME_DEC(object);
    e2c_receiver_destroy(self->receiver);
    if (self->key)
        e2c_key_unref(self->key);
    g_free(self->replay_domain);
    e2c_key_source_finish(&self->keys);
    G_OBJECT_CLASS(e2c_sframe_dec_parent_class)->finalize(object);
}

static void
e2c_sframe_dec_class_init(E2cSframeDecClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);

    GST_DEBUG_CATEGORY_INIT(e2c_sframe_dec_debug, "e2csframedec", 0, "SFrame frame decryption");

    gobject_class->set_property = e2c_sframe_dec_set_property;
    gobject_class->get_property = e2c_sframe_dec_get_property;
    gobject_class->finalize = e2c_sframe_dec_finalize;

    e2c_key_source_install_properties(gobject_class, PROP_SECRET, PROP_ROOM, PROP_SHARED_KEY);
    g_object_class_install_property(
        gobject_class, PROP_CIPHER_SUITE,
        g_param_spec_uint("cipher-suite", "Cipher suite",
                          "SFrame cipher suite, as on the sending side (1-8, default 6)", 1, 8,
                          DEFAULT_CIPHER_SUITE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
    g_object_class_install_property(
        gobject_class, PROP_GRACE_PERIOD,
        g_param_spec_uint("grace-period", "Grace period",
                          "Milliseconds a replaced key keeps opening frames after a new one "
                          "was installed",
                          0, 3600000, DEFAULT_GRACE_MS,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
    g_object_class_install_property(
        gobject_class, PROP_WAIT_FOR_KEYFRAME,
        g_param_spec_boolean("wait-for-keyframe", "Wait for keyframe",
                             "After starting or regaining a stream, pass nothing on until a "
                             "keyframe opened, so the decoder never starts on a delta frame",
                             DEFAULT_WAIT_FOR_KEYFRAME,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                 GST_PARAM_MUTABLE_PLAYING));
    g_object_class_install_property(
        gobject_class, PROP_REPLAY_DOMAIN,
        g_param_spec_string("replay-domain", "Replay domain",
                            "Elements with the same non-empty domain share their replay windows "
                            "across the process, so a stream received again (a new "
                            "subscription of the same participant) rejects frames it already "
                            "had; empty: the windows are this element's own",
                            DEFAULT_REPLAY_DOMAIN,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
    g_object_class_install_property(
        gobject_class, PROP_KEY_ID,
        g_param_spec_uint64("key-id", "Key ID", "The KID of the last frame that opened", 0,
                            G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_STATE,
        g_param_spec_string("state", "State", "waiting, decrypting, mismatch or secret-missing",
                            "waiting", G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_STATS,
        g_param_spec_boxed("stats", "Statistics",
                           "state, frames-ok, auth-failed, auth-failed-after-loss, replayed, "
                           "malformed, unencrypted, stale (a KID from another epoch), "
                           "kid-limited (a new KID past the derivation budget), unknown-kid, "
                           "waiting-keyframe, "
                           "mismatch-events, match-events, frames-lost (counter gaps), kid, "
                           "next-ctr (the counter expected next under kid), keys-held, "
                           "cipher-suite, crypt-ns (monotonic nanoseconds spent opening "
                           "crypt-frames frames, those in frames-ok: the envelope and the "
                           "crypto, not waiting)",
                           GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    e2c_gst_codec_add_pad_templates(element_class);
    gst_element_class_set_static_metadata(
        element_class, "SFrame decrypter", "Codec/Decoder/Network",
        "Decrypts VP8, VP9, H.264 and Opus frames protected by e2csframeenc, drops what does not "
        "authenticate and reports secret mismatch and match",
        "e2call developers");

    element_class->change_state = GST_DEBUG_FUNCPTR(e2c_sframe_dec_change_state);
    trans_class->start = GST_DEBUG_FUNCPTR(e2c_sframe_dec_start);
    trans_class->sink_event = GST_DEBUG_FUNCPTR(e2c_sframe_dec_sink_event);
    trans_class->stop = GST_DEBUG_FUNCPTR(e2c_sframe_dec_stop);
    trans_class->set_caps = GST_DEBUG_FUNCPTR(e2c_sframe_dec_set_caps);
    trans_class->transform_size = GST_DEBUG_FUNCPTR(e2c_sframe_dec_transform_size);
    trans_class->transform = GST_DEBUG_FUNCPTR(e2c_sframe_dec_transform);
    trans_class->passthrough_on_same_caps = FALSE;
}

static void
e2c_sframe_dec_init(E2cSframeDec *self)
{
    self->cipher_suite = DEFAULT_CIPHER_SUITE;
    self->grace_ms = DEFAULT_GRACE_MS;
    self->wait_for_keyframe = DEFAULT_WAIT_FOR_KEYFRAME;
    e2c_health_init(&self->health);
    e2c_key_source_init(&self->keys, GST_ELEMENT(self), install_key);
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
    gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), FALSE);
}
