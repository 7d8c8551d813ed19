/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Publishing: source (own or shared) ! branches ! webrtcbin, offer with the
 * "e2ee" flag inside the jsep (Janus 1.1.2 checks it), configure, answer, trickle.
 */
#include "participant-priv.h"

#include <string.h>


static void
send_candidate(struct e2c_participant *p, guint mline, const gchar *candidate)
{
    e2c_janus_client_trickle(p->janus, p->pub_handle, candidate, NULL, (gint)mline, NULL, NULL);
}

static void
maybe_complete(struct publication *pub)
{
    if (pub->offer_sent && pub->gathering_done && !pub->completed_sent) {
        pub->completed_sent = TRUE;
        e2c_janus_client_trickle_completed(pub->p->janus, pub->p->pub_handle, NULL, NULL);
    }
}

static void
on_candidate(gpointer user, guint mline, const gchar *candidate)
{
    struct publication *pub = user;
    /* Held back until the offer is out (Janus would only queue them). */
    if (!pub->offer_sent)
        g_ptr_array_add(pub->pending_candidates, g_strdup_printf("%u\t%s", mline, candidate));
    else
        send_candidate(pub->p, mline, candidate);
}

static void
on_gathering_done(gpointer user)
{
    struct publication *pub = user;
    pub->gathering_done = TRUE;
    maybe_complete(pub);
}

/*
 * ICE and DTLS against a reachable router take well under a second, and
 * about 7 s at 10 % loss per hop (retransmissions after 1, 2, 4 s); a
 * publication still not up this long after the answer will not be, and
 * without it nobody receives us, silently. Start over instead. The same
 * bound holds from the start to the answer: the offer waits for the
 * encoders' first frames, which a stalled source never sends.
 */
#define PUBLICATION_UP_TIMEOUT_S 15

void
publication_up(struct publication *pub)
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
    struct publication *pub = user;
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
    participant_lost(pub->p, reason); /* may free pub */
    g_free(reason);
    return G_SOURCE_REMOVE;
}

/*
 * The publication's connection failed or the router hung it up: under heavy
 * loss ICE or DTLS can time out on either side (Janus hangs up with "DTLS
 * timeout"), and the next attempt may well get through. Start over like
 * after a lost router where reconnecting is allowed; otherwise the call ends.
 */
void
publication_failed(struct e2c_participant *p, const char *reason)
{
    if (p->cfg.reconnect_attempts > 0)
        participant_lost(p, reason); /* frees p->pub */
    else
        participant_fail(p, E2C_ERR_STREAM_CREATE_FAILED, "%s", reason);
}

static void
on_state(gpointer user, GstWebRTCPeerConnectionState state)
{
    struct publication *pub = user;
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
        publication_up(pub);
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
        publication_failed(pub->p,
                           "the publication's connection to the router failed (ICE or DTLS)");
}

static void
on_answer_applied(gpointer user, const GError *error)
{
    struct publication *pub = user;
    struct e2c_participant *p = pub->p;
    if (error) {
        participant_fail(p, E2C_ERR_STREAM_CREATE_FAILED, "the router's answer: %s",
                         error->message);
        return;
    }
    pub->published = TRUE;
    if (pub->up_timer)
        g_source_remove(pub->up_timer);
    pub->up_timer =
        pub->up ? 0 : g_timeout_add_seconds(PUBLICATION_UP_TIMEOUT_S, on_up_timeout, pub);
    json_t *e = participant_event(p, "published");
    json_object_set_new(e, "room", json_integer((json_int_t)p->cfg.room));
    json_object_set_new(e, "id", json_integer((json_int_t)p->my_id));
    json_object_set_new(e, "e2ee", json_boolean(p->cfg.crypto.e2ee));
    if (pub->video.src)
        json_object_set_new(e, "video", json_string(e2c_codec_name(pub->video.codec)));
    if (pub->audio.src)
        json_object_set_new(e, "audio", json_string(e2c_codec_name(pub->audio.codec)));
    participant_emit(p, e);
}

static void
on_configured(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct e2c_participant *p = data;
    struct publication *pub = p->pub;
    if (!pub)
        return;
    if (error) {
        gboolean e2ee_refused = error->domain == E2C_JANUS_ERROR &&
                                error->code == E2C_JANUS_ERROR_VR_UNAUTHORIZED &&
                                strstr(error->message, "end-to-end");
        participant_fail(p,
                         e2ee_refused ? E2C_ERR_ENCRYPTION_SECRET_MISSING
                                      : E2C_ERR_STREAM_CREATE_FAILED,
                         "the router refused to publish: %s", error->message);
        return;
    }
    if (msg->kind == E2C_JANUS_KIND_ACK)
        return;
    if (!msg->has_jsep || g_strcmp0(msg->jsep.type, "answer") != 0 || !msg->jsep.sdp) {
        participant_fail(p, E2C_ERR_STREAM_CREATE_FAILED, "the router sent no answer");
        return;
    }
    if (p->cfg.crypto.e2ee && !msg->jsep.e2ee)
        g_message("the router did not confirm e2ee in its answer");
    e2c_peer_accept(pub->peer, msg->jsep.sdp, on_answer_applied, pub);
}

static void
on_offer(gpointer user, const gchar *sdp, const GError *error)
{
    struct publication *pub = user;
    struct e2c_participant *p = pub->p;
    if (error) {
        participant_fail(p, E2C_ERR_STREAM_CREATE_FAILED, "cannot create the offer: %s",
                         error->message);
        return;
    }
    json_t *body = e2c_janus_msg_vr_configure(pub->audio.src != NULL, pub->video.src != NULL);
    json_t *jsep = e2c_janus_msg_jsep("offer", sdp, p->cfg.crypto.e2ee);
    e2c_janus_client_send_message(p->janus, p->pub_handle, body, jsep, on_configured, p);
    pub->offer_sent = TRUE;
    for (guint i = 0; i < pub->pending_candidates->len; i++) {
        gchar **parts = g_strsplit(g_ptr_array_index(pub->pending_candidates, i), "\t", 2);
        send_candidate(p, (guint)g_ascii_strtoull(parts[0], NULL, 10), parts[1]);
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
    struct publication *pub = data;
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
    struct publication *pub = data;
    gint *seen = &pub->caps_seen[pad == pub->video.src ? 0 : 1];
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_CAPS ||
        !g_atomic_int_compare_and_exchange(seen, 0, 1))
        return GST_PAD_PROBE_OK;
    if (g_atomic_int_dec_and_test(&pub->caps_pending))
        pub->offer_source = g_timeout_add(5, make_offer, pub);
    return GST_PAD_PROBE_OK;
}

static gboolean
link_branch(struct publication *pub, GstElement *webrtc, struct e2c_send_branch *branch,
            GError **error)
{
    GstPad *sink = gst_element_request_pad_simple(webrtc, "sink_%u");
    g_atomic_int_inc(&pub->caps_pending);
    pub->caps_probe[branch == &pub->video ? 0 : 1] = gst_pad_add_probe(
        branch->src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_caps, pub, NULL);
    gboolean ok = sink && gst_pad_link_maybe_ghosting(branch->src, sink);
    if (sink)
        gst_object_unref(sink);
    if (!ok)
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                    "cannot link the %s payloader to webrtcbin", e2c_codec_name(branch->codec));
    return ok;
}

static void
on_bin_message(gpointer user, GstMessage *msg)
{
    struct publication *pub = user;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && pub->p->state < P_LEAVING) {
        GError *error = NULL;
        gst_message_parse_error(msg, &error, NULL);
        /* sframeenc names ENCRYPTION_INTERNAL_ERROR in its error (e2call-e2ee(7)). */
        gboolean crypto = strstr(error->message, "ENCRYPTION_INTERNAL_ERROR") != NULL;
        participant_fail(pub->p,
                         crypto ? E2C_ERR_ENCRYPTION_INTERNAL_ERROR
                                : E2C_ERR_STREAM_CREATE_FAILED,
                         "publishing failed in %s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
                         error->message);
        g_error_free(error);
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT && pub &&
               gst_message_has_name(msg, "sframe-key-switched")) {
        guint64 kid = 0;
        gst_structure_get_uint64(gst_message_get_structure(msg), "kid", &kid);
        json_t *e = participant_event(pub->p, "sending-switched");
        json_object_set_new(e, "track", json_string(GST_MESSAGE_SRC(msg) ==
                                                            GST_OBJECT(pub->video.sframeenc)
                                                        ? "video"
                                                        : "audio"));
        gchar *kid_text = g_strdup_printf("%016" G_GINT64_MODIFIER "x", kid);
        json_object_set_new(e, "kid", json_string(kid_text));
        g_free(kid_text);
        participant_emit(pub->p, e);
    }
}

/* The participant's own source outlives a publication: its messages go to the participant. */
static void
on_source_message(gpointer user, GstMessage *msg)
{
    struct e2c_participant *p = user;
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR || p->state >= P_LEAVING)
        return;
    GError *error = NULL;
    gst_message_parse_error(msg, &error, NULL);
    participant_fail(p, E2C_ERR_STREAM_CREATE_FAILED, "the media source failed in %s: %s",
                     GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), error->message);
    g_error_free(error);
}

void
publication_start(struct e2c_participant *p)
{
    GError *error = NULL;
    struct e2c_peer_callbacks cb = {on_candidate, on_gathering_done, on_state};
    struct publication *pub = g_new0(struct publication, 1);
    pub->p = p;
    pub->pending_candidates = g_ptr_array_new_with_free_func(g_free);
    p->pub = pub;

    if (!p->source) {
        p->source_bin = gst_bin_new("source");
        if (!e2c_send_source_build(GST_BIN(p->source_bin), &p->cfg.media, &p->own_source,
                                   &error)) {
            gst_object_unref(gst_object_ref_sink(p->source_bin));
            p->source_bin = NULL;
            goto fail;
        }
        p->source = &p->own_source;
        e2c_media_route(p->media, GST_OBJECT(p->source_bin), on_source_message, p);
    }

    gchar *name = g_strdup_printf("pub-%s", p->label ? p->label : "self");
    pub->bin = gst_bin_new(name);
    g_free(name);
    pub->peer = e2c_peer_new(GST_BIN(pub->bin), "webrtc", p->cfg.latency_ms, &cb, pub);
    if (!pub->peer) {
        g_set_error(&error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                    "UNSUPPORTED: webrtcbin is missing");
        goto fail;
    }
    /*
     * The branches (queue, sframeenc, payloader) sit in the pipeline next to
     * the source, so that a shared source feeds many publications; the links
     * into the publication's bin are ghosted.
     */
    GstElement *webrtc = e2c_peer_webrtcbin(pub->peer);
    GstBin *outer = e2c_media_bin(p->media);
    gst_bin_add(outer, pub->bin);
    if (p->source_bin)
        gst_bin_add(outer, p->source_bin);
    /* Branches of many publications share one bin: their names carry the participant's. */
    gchar *vname = g_strdup_printf("%s-video", p->label ? p->label : "self");
    gchar *aname = g_strdup_printf("%s-audio", p->label ? p->label : "self");
    gboolean built =
        (!p->source->video_tee ||
         (e2c_send_branch_build(outer, p->source->video_tee, p->source->video, &p->cfg.crypto,
                                vname, &pub->video, &error) &&
          link_branch(pub, webrtc, &pub->video, &error))) &&
        (!p->source->audio_tee ||
         (e2c_send_branch_build(outer, p->source->audio_tee, p->source->audio, &p->cfg.crypto,
                                aname, &pub->audio, &error) &&
          link_branch(pub, webrtc, &pub->audio, &error)));
    g_free(vname);
    g_free(aname);
    if (!built)
        goto fail;
    e2c_peer_set_direction(pub->peer, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY);
    e2c_media_route(p->media, GST_OBJECT(pub->bin), on_bin_message, pub);
    struct e2c_send_branch *branches[] = {&pub->video, &pub->audio};
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++) {
        struct e2c_send_branch *b = branches[i];
        if (b->sframeenc)
            e2c_media_route(p->media, GST_OBJECT(b->sframeenc), on_bin_message, pub);
        if (b->pay)
            e2c_media_route(p->media, GST_OBJECT(b->pay), on_bin_message, pub);
    }
    gst_element_sync_state_with_parent(pub->bin);
    if ((pub->video.src && !e2c_send_branch_start(&pub->video, &error)) ||
        (pub->audio.src && !e2c_send_branch_start(&pub->audio, &error)))
        goto fail;
    if (p->source_bin)
        gst_element_sync_state_with_parent(p->source_bin);
    pub->up_timer = g_timeout_add_seconds(PUBLICATION_UP_TIMEOUT_S, on_up_timeout, pub);
    return; /* on_caps() makes the offer */

fail:
    participant_fail(p,
                     g_str_has_prefix(error->message, "UNSUPPORTED") ? E2C_ERR_UNSUPPORTED
                                                                     : E2C_ERR_STREAM_CREATE_FAILED,
                     "cannot publish: %s", error->message);
    g_error_free(error);
}

void
publication_free(struct publication *pub)
{
    if (!pub)
        return;
    struct e2c_participant *p = pub->p;
    publication_up(pub); /* its timer goes with it */
    struct e2c_send_branch *branches[] = {&pub->video, &pub->audio};
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++) {
        struct e2c_send_branch *b = branches[i];
        if (b->src && pub->caps_probe[i])
            gst_pad_remove_probe(b->src, pub->caps_probe[i]);
        if (b->sframeenc)
            e2c_media_unroute(p->media, GST_OBJECT(b->sframeenc));
        if (b->pay)
            e2c_media_unroute(p->media, GST_OBJECT(b->pay));
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
        e2c_media_remove(p->media, pub->bin);
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++)
        e2c_send_branch_remove(branches[i]);
    if (pub->offer_source)
        g_source_remove(pub->offer_source);
    g_ptr_array_unref(pub->pending_candidates);
    if (p->pub == pub)
        p->pub = NULL;
    g_free(pub);
}

void
publication_set_key(struct publication *pub, E2cKey *key)
{
    if (pub->video.sframeenc)
        g_object_set(pub->video.sframeenc, "shared-key", key, NULL);
    if (pub->audio.sframeenc)
        g_object_set(pub->audio.sframeenc, "shared-key", key, NULL);
}
