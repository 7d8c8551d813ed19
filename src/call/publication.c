/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Publishing: a source's tees ! branches ! webrtcbin, the offer with the
 * E2EE flag to the room, its answer, trickle both ways, the watchdog.
 */
#include "publication.h"

#include <gst/webrtc/webrtc.h>

#include "impair.h"
#include "peer.h"

/*
 * ICE and DTLS against a reachable router take well under a second, and
 * about 7 s at 10 % loss per hop (retransmissions after 1, 2, 4 s); a
 * publication still not up this long after the answer will not be, and
 * without it nobody receives us, silently. Start over instead. The same
 * bound holds from the start to the answer: the offer waits for the
 * encoders' first frames, which a stalled source never sends.
 */
#define PUBLICATION_UP_TIMEOUT_S 15

struct e2c_publication {
    struct e2c_room *room;
    struct e2c_publication_config cfg;
    gchar *label;
    gboolean e2ee;
    struct e2c_publication_callbacks cb;
    gpointer owner;
    GstElement *bin;
    struct e2c_peer *peer;
    struct e2c_send_branch video, audio;
    GPtrArray *pending_candidates; /* "mline\tcandidate" until the offer went out */
    gint caps_pending;             /* payloaders whose caps webrtcbin has not seen yet */
    gulong caps_probe[2];          /* on the video, audio payloader src pads */
    gint caps_seen[2];
    guint offer_source;
    guint up_timer; /* from the start until the answer, then until the connection is up */
    gboolean offer_sent, gathering_done, completed_sent, published, up, closed;
};

static void fail(struct e2c_publication *pub, enum e2c_error code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
fail(struct e2c_publication *pub, enum e2c_error code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    GError *error = g_error_new_valist(E2C_ERROR, code, fmt, ap);
    va_end(ap);
    pub->cb.failed(pub->owner, error);
    g_error_free(error);
}

static void
maybe_complete(struct e2c_publication *pub)
{
    if (pub->offer_sent && pub->gathering_done && !pub->completed_sent) {
        pub->completed_sent = TRUE;
        e2c_room_trickle(pub->room, E2C_ROOM_PUBLICATION, 0, NULL);
    }
}

static void
on_candidate(gpointer user, guint mline, const gchar *candidate)
{
    struct e2c_publication *pub = user;
    /* Held back until the offer is out (the router would only queue them). */
    if (!pub->offer_sent)
        g_ptr_array_add(pub->pending_candidates, g_strdup_printf("%u\t%s", mline, candidate));
    else
        e2c_room_trickle(pub->room, E2C_ROOM_PUBLICATION, mline, candidate);
}

static void
on_gathering_done(gpointer user)
{
    struct e2c_publication *pub = user;
    pub->gathering_done = TRUE;
    maybe_complete(pub);
}

void
e2c_publication_up(struct e2c_publication *pub)
{
    pub->up = TRUE;
    if (pub->up_timer) {
        g_source_remove(pub->up_timer);
        pub->up_timer = 0;
    }
}

static gboolean
on_up_timeout(gpointer user)
{
    struct e2c_publication *pub = user;
    pub->up_timer = 0;
    gchar *reason =
        pub->published
            ? g_strdup_printf("the publication's connection to the router is not up %d s "
                              "after the answer (ICE or DTLS)",
                              PUBLICATION_UP_TIMEOUT_S)
            : g_strdup_printf("the publication has no answer from the router %d s after it "
                              "started (%s)",
                              PUBLICATION_UP_TIMEOUT_S,
                              pub->offer_sent ? "offer sent" : "no encoded frame to offer yet");
    pub->cb.stalled(pub->owner, reason, FALSE); /* may close pub */
    g_free(reason);
    return G_SOURCE_REMOVE;
}

static void
on_state(gpointer user, GstWebRTCPeerConnectionState state)
{
    struct e2c_publication *pub = user;
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
        e2c_publication_up(pub);
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
        pub->cb.stalled(pub->owner,
                        "the publication's connection to the router failed (ICE or DTLS)", TRUE);
}

static void
on_answer_applied(gpointer user, const GError *error)
{
    struct e2c_publication *pub = user;
    if (error) {
        fail(pub, E2C_ERR_STREAM_CREATE_FAILED, "the router's answer: %s", error->message);
        return;
    }
    pub->published = TRUE;
    if (pub->up_timer)
        g_source_remove(pub->up_timer);
    pub->up_timer =
        pub->up ? 0 : g_timeout_add_seconds(PUBLICATION_UP_TIMEOUT_S, on_up_timeout, pub);
    pub->cb.published(pub->owner, pub);
}

static void
on_room_answer(gpointer user, const char *answer_sdp, const GError *error)
{
    struct e2c_publication *pub = user;
    if (pub->closed)
        return;
    if (error) {
        pub->cb.failed(pub->owner, error);
        return;
    }
    e2c_peer_accept(pub->peer, answer_sdp, on_answer_applied, pub);
}

static void
on_offer(gpointer user, const gchar *sdp, const GError *error)
{
    struct e2c_publication *pub = user;
    if (error) {
        fail(pub, E2C_ERR_STREAM_CREATE_FAILED, "cannot create the offer: %s", error->message);
        return;
    }
    e2c_room_publish(pub->room, sdp, pub->audio.src != NULL, pub->video.src != NULL, pub->e2ee,
                     on_room_answer, e2c_publication_ref(pub), e2c_publication_unref);
    pub->offer_sent = TRUE;
    for (guint i = 0; i < pub->pending_candidates->len; i++) {
        gchar **parts = g_strsplit(g_ptr_array_index(pub->pending_candidates, i), "\t", 2);
        e2c_room_trickle(pub->room, E2C_ROOM_PUBLICATION,
                         (guint)g_ascii_strtoull(parts[0], NULL, 10), parts[1]);
        g_strfreev(parts);
    }
    g_ptr_array_set_size(pub->pending_candidates, 0);
    maybe_complete(pub);
}

static gboolean
all_sink_pads_have_caps(GstElement *webrtc)
{
    gboolean all = TRUE;
    GstIterator *it = gst_element_iterate_sink_pads(webrtc);
    GValue v = G_VALUE_INIT;
    while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
        if (!gst_pad_has_current_caps(g_value_get_object(&v)))
            all = FALSE;
        g_value_reset(&v);
    }
    g_value_unset(&v);
    gst_iterator_free(it);
    return all;
}

static gboolean
make_offer(gpointer data)
{
    struct e2c_publication *pub = data;
    /* The caps went past the payloader; webrtcbin may not have taken them yet. */
    if (!all_sink_pads_have_caps(e2c_peer_webrtcbin(pub->peer)))
        return G_SOURCE_CONTINUE;
    pub->offer_source = 0;
    e2c_peer_offer(pub->peer, on_offer, pub);
    return G_SOURCE_REMOVE;
}

/*
 * webrtcbin 1.22 describes a stream in its offer from the caps it received,
 * so the offer waits until every payloader has sent its caps (the encoders'
 * first frames): a streaming thread counts down, the main loop offers.
 */
static GstPadProbeReturn
on_caps(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct e2c_publication *pub = data;
    gint *seen = &pub->caps_seen[pad == pub->video.src ? 0 : 1];
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_CAPS ||
        !g_atomic_int_compare_and_exchange(seen, 0, 1))
        return GST_PAD_PROBE_OK;
    if (g_atomic_int_dec_and_test(&pub->caps_pending))
        pub->offer_source = g_timeout_add(5, make_offer, pub);
    return GST_PAD_PROBE_OK;
}

static gboolean
link_branch(struct e2c_publication *pub, GstElement *webrtc, struct e2c_send_branch *branch,
            GError **error)
{
    GstPad *sink = gst_element_request_pad_simple(webrtc, "sink_%u");
    g_atomic_int_inc(&pub->caps_pending);
    pub->caps_probe[branch == &pub->video ? 0 : 1] =
        gst_pad_add_probe(branch->src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_caps, pub, NULL);
    gboolean ok;
    if (sink && e2c_impair_applies(&pub->cfg.impair, E2C_IMPAIR_SEND)) {
        /* --impair: payloader ! netsim ! webrtcbin, in the publication's bin. */
        gchar *name = g_strdup_printf("%s-impair", GST_OBJECT_NAME(branch->pay));
        GstElement *sim = e2c_impair_element_new(&pub->cfg.impair, name, error);
        g_free(name);
        if (!sim) {
            gst_object_unref(sink);
            return FALSE;
        }
        ok = e2c_impair_insert(GST_BIN(pub->bin), sim, branch->src, sink);
    } else {
        ok = sink && gst_pad_link_maybe_ghosting(branch->src, sink);
    }
    if (sink)
        gst_object_unref(sink);
    if (!ok)
        g_set_error(error, E2C_ERROR, E2C_ERR_STREAM_CREATE_FAILED,
                    "cannot link the %s payloader to webrtcbin", e2c_codec_name(branch->codec));
    return ok;
}

/*
 * e2csframeenc's own failures (e2call-e2ee(7), ENCRYPTION_INTERNAL_ERROR): no
 * sender could be created (LIBRARY/INIT) or sealing a frame failed
 * (STREAM/ENCODE). A missing secret is LIBRARY/SETTINGS, not one of them.
 */
static gboolean
is_encryption_internal_error(struct e2c_publication *pub, GstMessage *msg, const GError *error)
{
    GstObject *src = GST_MESSAGE_SRC(msg);
    gboolean from_sframeenc =
        (pub->video.e2csframeenc && src == GST_OBJECT(pub->video.e2csframeenc)) ||
        (pub->audio.e2csframeenc && src == GST_OBJECT(pub->audio.e2csframeenc));
    return from_sframeenc && (g_error_matches(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_INIT) ||
                              g_error_matches(error, GST_STREAM_ERROR, GST_STREAM_ERROR_ENCODE));
}

static void
on_bin_message(gpointer user, GstMessage *msg)
{
    struct e2c_publication *pub = user;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *error = NULL;
        gst_message_parse_error(msg, &error, NULL);
        fail(pub,
             is_encryption_internal_error(pub, msg, error) ? E2C_ERR_ENCRYPTION_INTERNAL_ERROR
                                                           : E2C_ERR_STREAM_CREATE_FAILED,
             "publishing failed in %s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), error->message);
        g_error_free(error);
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT &&
               gst_message_has_name(msg, "sframe-key-switched")) {
        guint64 kid = 0;
        gst_structure_get_uint64(gst_message_get_structure(msg), "kid", &kid);
        gboolean video = GST_MESSAGE_SRC(msg) == GST_OBJECT(pub->video.e2csframeenc);
        pub->cb.key_switched(pub->owner, video ? "video" : "audio", kid);
    }
}

static void
publication_clear(gpointer data)
{
    struct e2c_publication *pub = data;
    g_ptr_array_unref(pub->pending_candidates);
    g_free(pub->label);
}

struct e2c_publication *
e2c_publication_ref(struct e2c_publication *pub)
{
    return g_atomic_rc_box_acquire(pub);
}

void
e2c_publication_unref(gpointer pub)
{
    g_atomic_rc_box_release_full(pub, publication_clear);
}

struct e2c_publication *
e2c_publication_start(struct e2c_room *room, const struct e2c_publication_config *cfg,
                      const struct e2c_publication_callbacks *cb, gpointer owner, GError **error)
{
    struct e2c_peer_callbacks peer_cb = {on_candidate, on_gathering_done, on_state};
    struct e2c_publication *pub = g_atomic_rc_box_new0(struct e2c_publication);
    pub->room = room;
    pub->cfg = *cfg;
    pub->label = g_strdup(cfg->label ? cfg->label : "self");
    pub->cfg.label = pub->label;
    pub->cfg.crypto = NULL; /* read here only */
    pub->e2ee = cfg->crypto->e2ee;
    pub->cb = *cb;
    pub->owner = owner;
    pub->pending_candidates = g_ptr_array_new_with_free_func(g_free);
    const struct e2c_send_source *source = cfg->source;

    gchar *name = g_strdup_printf("pub-%s", pub->label);
    pub->bin = gst_bin_new(name);
    g_free(name);
    pub->peer = e2c_peer_new(GST_BIN(pub->bin), "webrtc", cfg->latency_ms, &peer_cb, pub);
    if (!pub->peer) {
        g_set_error(error, E2C_ERROR, E2C_ERR_UNSUPPORTED, "UNSUPPORTED: webrtcbin is missing");
        gst_object_unref(gst_object_ref_sink(pub->bin));
        pub->bin = NULL;
        e2c_publication_free(pub);
        return NULL;
    }
    /*
     * The branches (queue, e2csframeenc, payloader) sit in the pipeline next to
     * the source, so that a shared source feeds many publications; the links
     * into the publication's bin are ghosted.
     */
    GstElement *webrtc = e2c_peer_webrtcbin(pub->peer);
    GstBin *outer = e2c_pipeline_bin(cfg->media);
    gst_bin_add(outer, pub->bin);
    /* Branches of many publications share one bin: their names carry the participant's. */
    gchar *vname = g_strdup_printf("%s-video", pub->label);
    gchar *aname = g_strdup_printf("%s-audio", pub->label);
    gboolean built = (!source->video_tee ||
                      (e2c_send_branch_build(outer, source->video_tee, source->video, cfg->crypto,
                                             cfg->feed, vname, &pub->video, error) &&
                       link_branch(pub, webrtc, &pub->video, error))) &&
                     (!source->audio_tee ||
                      (e2c_send_branch_build(outer, source->audio_tee, source->audio, cfg->crypto,
                                             cfg->feed, aname, &pub->audio, error) &&
                       link_branch(pub, webrtc, &pub->audio, error)));
    g_free(vname);
    g_free(aname);
    if (!built)
        goto fail;
    e2c_peer_set_direction(pub->peer, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY);
    e2c_pipeline_route(cfg->media, GST_OBJECT(pub->bin), on_bin_message, pub);
    struct e2c_send_branch *branches[] = {&pub->video, &pub->audio};
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++) {
        struct e2c_send_branch *b = branches[i];
        if (b->e2csframeenc)
            e2c_pipeline_route(cfg->media, GST_OBJECT(b->e2csframeenc), on_bin_message, pub);
        if (b->pay)
            e2c_pipeline_route(cfg->media, GST_OBJECT(b->pay), on_bin_message, pub);
    }
    gst_element_sync_state_with_parent(pub->bin);
    if ((pub->video.src && !e2c_send_branch_start(&pub->video, error)) ||
        (pub->audio.src && !e2c_send_branch_start(&pub->audio, error)))
        goto fail;
    pub->up_timer = g_timeout_add_seconds(PUBLICATION_UP_TIMEOUT_S, on_up_timeout, pub);
    return pub; /* on_caps() makes the offer */

fail:
    e2c_publication_free(pub);
    return NULL;
}

void
e2c_publication_close(struct e2c_publication *pub)
{
    if (pub->closed)
        return;
    pub->closed = TRUE;
    e2c_room_cancel(pub->room, pub); /* a late answer finds nobody */
    e2c_publication_up(pub);         /* its timer goes with it */
    struct e2c_send_branch *branches[] = {&pub->video, &pub->audio};
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++) {
        struct e2c_send_branch *b = branches[i];
        if (b->src && pub->caps_probe[i])
            gst_pad_remove_probe(b->src, pub->caps_probe[i]);
        if (b->e2csframeenc)
            e2c_pipeline_unroute(pub->cfg.media, GST_OBJECT(b->e2csframeenc));
        if (b->pay)
            e2c_pipeline_unroute(pub->cfg.media, GST_OBJECT(b->pay));
    }
    /*
     * The tees first: once webrtcbin stops, a branch that still takes
     * buffers hands FLUSHING back to the shared encoder, which stops the
     * source for good (and a publication after a reconnect gets no frame).
     * Then webrtcbin: until negotiation completes it holds the branches'
     * buffers, and stopping a branch queue whose thread is blocked in there
     * would wait forever. Stopped, it refuses them (flushing) instead.
     */
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++)
        e2c_send_branch_detach(branches[i]);
    if (pub->peer)
        e2c_peer_close(pub->peer);
    if (pub->bin && GST_OBJECT_PARENT(pub->bin))
        e2c_pipeline_remove(pub->cfg.media, pub->bin);
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++)
        e2c_send_branch_remove(branches[i]);
    if (pub->offer_source) {
        g_source_remove(pub->offer_source);
        pub->offer_source = 0;
    }
}

void
e2c_publication_free(struct e2c_publication *pub)
{
    if (!pub)
        return;
    e2c_publication_close(pub);
    e2c_publication_unref(pub);
}

void
e2c_publication_set_key(struct e2c_publication *pub, E2cKey *key)
{
    if (pub->video.e2csframeenc)
        g_object_set(pub->video.e2csframeenc, "shared-key", key, NULL);
    if (pub->audio.e2csframeenc)
        g_object_set(pub->audio.e2csframeenc, "shared-key", key, NULL);
}

gboolean
e2c_publication_is_published(struct e2c_publication *pub)
{
    return pub->published;
}

const struct e2c_send_branch *
e2c_publication_video(struct e2c_publication *pub)
{
    return &pub->video;
}

const struct e2c_send_branch *
e2c_publication_audio(struct e2c_publication *pub)
{
    return &pub->audio;
}

void
e2c_publication_foreach_send(struct e2c_publication *pub,
                             void (*fn)(gpointer user, const struct e2c_send_info *s),
                             gpointer user)
{
    const struct e2c_send_branch *branches[] = {&pub->video, &pub->audio};
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++) {
        const struct e2c_send_branch *b = branches[i];
        if (!b->src)
            continue;
        struct e2c_send_info info = {
            .track = i == 0 ? "video" : "audio",
            .codec = b->codec,
            .e2ee = b->e2csframeenc != NULL,
            .keyframes = e2c_send_branch_keyframes(b),
        };
        if (b->e2csframeenc) {
            GstStructure *st = NULL;
            g_object_get(b->e2csframeenc, "stats", &st, NULL);
            if (st) {
                gst_structure_get_uint64(st, "kid", &info.kid);
                gst_structure_get_uint64(st, "frames-protected", &info.frames);
                gst_structure_get_uint64(st, "bytes-out", &info.bytes);
                gst_structure_get_uint64(st, "next-ctr", &info.next_ctr);
                gst_structure_get_uint64(st, "previous-kid", &info.previous_kid);
                gst_structure_get_uint64(st, "previous-next-ctr", &info.previous_next_ctr);
                gst_structure_get_uint64(st, "crypt-ns", &info.crypt_ns);
                gst_structure_get_uint64(st, "crypt-frames", &info.crypt_frames);
                gst_structure_free(st);
            }
        } else {
            info.frames = e2c_send_branch_plain_frames(b);
        }
        fn(user, &info);
    }
}
