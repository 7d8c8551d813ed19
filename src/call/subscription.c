/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Subscriptions: one handle and PeerConnection per remote feed, or (load,
 * shared_subscriptions) one for all publishers that became known together,
 * every one in the room at join; each stream finds its publisher by its mid
 * in the router's "attached" list. Join as subscriber
 * (autoupdate off: e2call never renegotiates a subscription, a publisher that
 * leaves only ends its own streams), answer Janus's offer, start, then one
 * receive chain per incoming stream (recv-media.c). sframedec's state messages
 * become the events (e2call(1), EVENTS) encryption-secret-mismatch / -match.
 */
#include "participant-priv.h"
#include "sdp-filter.h"

#include <string.h>


static json_t *
stream_event(struct sub_stream *st, const char *name)
{
    json_t *e = participant_event(st->sub->p, name);
    json_object_set_new(e, "remote", json_string(st->display));
    json_object_set_new(e, "feed", json_integer((json_int_t)st->feed));
    json_object_set_new(e, "track", json_string(st->track));
    return e;
}

static void
set_kid(json_t *e, guint64 kid)
{
    gchar *text = g_strdup_printf("%016" G_GINT64_MODIFIER "x", kid);
    json_object_set_new(e, "kid", json_string(text));
    g_free(text);
}

void
sub_stream_info(struct sub_stream *st, struct e2c_stream_info *out)
{
    if (st->ended) {
        *out = st->last;
        return;
    }
    struct e2c_recv_stats rs;
    memset(out, 0, sizeof(*out));
    e2c_recv_stream_get_stats(st->rs, &rs);
    out->feed = st->feed;
    out->display = st->display;
    out->track = st->track;
    out->codec = e2c_recv_stream_codec(st->rs);
    out->verified = rs.verified;
    out->mismatch_now = st->mismatch_now;
    out->mismatch_cause = st->mismatch_cause;
    out->frames_decoded = rs.frames_decoded;
    out->rtp_bytes = rs.rtp_bytes;
    out->last_psnr = rs.last_psnr;
    out->first_frame_us = rs.first_frame_us;
    out->frames_lost = rs.frames_lost;
    out->state = "plain";
    if (st->sframedec) {
        GstStructure *s = NULL;
        g_object_get(st->sframedec, "stats", &s, NULL);
        if (s) {
            gst_structure_get_uint64(s, "frames-ok", &out->frames_ok);
            gst_structure_get_uint64(s, "auth-failed", &out->auth_failed);
            gst_structure_get_uint64(s, "replayed", &out->replayed);
            gst_structure_get_uint64(s, "malformed", &out->malformed);
            gst_structure_get_uint64(s, "unencrypted", &out->unencrypted);
            gst_structure_get_uint64(s, "stale", &out->stale);
            gst_structure_get_uint64(s, "kid-limited", &out->kid_limited);
            gst_structure_get_uint64(s, "mismatch-events", &out->mismatch_events);
            gst_structure_get_uint64(s, "match-events", &out->match_events);
            gst_structure_get_uint64(s, "kid", &out->kid);
            gst_structure_get_uint64(s, "next-ctr", &out->next_ctr);
            /* Counter gaps, unless decoding gave the better figure (marker gaps, video). */
            if (!(e2c_recv_stream_decodes(st->rs) && e2c_recv_stream_is_video(st->rs)))
                gst_structure_get_uint64(s, "frames-lost", &out->frames_lost);
            out->state = g_intern_string(gst_structure_get_string(s, "state"));
            gst_structure_free(s);
        }
    }
}

static struct subscription *
sub_ref(struct subscription *sub)
{
    g_atomic_int_inc(&sub->refcount);
    return sub;
}

static void
sub_unref(gpointer data)
{
    struct subscription *sub = data;
    if (!g_atomic_int_dec_and_test(&sub->refcount))
        return;
    g_ptr_array_unref(sub->streams);
    g_ptr_array_unref(sub->pending_candidates);
    g_hash_table_unref(sub->mids);
    g_ptr_array_unref(sub->feeds);
    gst_object_unref(sub->bin);
    g_mutex_clear(&sub->lock);
    g_free(sub);
}

/* A router reply for sub: TRUE when it is the last call for this request. */
static gboolean
reply_done(E2cJanusMsg *msg, const GError *error)
{
    return error || !msg || msg->kind != E2C_JANUS_KIND_ACK;
}

/* ---- per-stream callbacks --------------------------------------------------- */

static void
on_first_frame(gpointer user, struct e2c_recv_stream *rs)
{
    struct sub_stream *st = user;
    struct e2c_participant *p = st->sub->p;
    struct e2c_recv_stats stats;
    e2c_recv_stream_get_stats(rs, &stats);
    json_t *e = stream_event(st, "media-flowing");
    json_object_set_new(e, "codec", json_string(e2c_codec_name(e2c_recv_stream_codec(rs))));
    json_object_set_new(e, "e2ee", json_boolean(st->sframedec != NULL));
    json_object_set_new(e, "ms-since-join",
                        json_integer((stats.first_frame_us - p->started_us) / 1000));
    participant_emit(p, e);
}

static void
on_verified(gpointer user, struct e2c_recv_stream *rs)
{
    struct sub_stream *st = user;
    struct e2c_recv_stats stats;
    e2c_recv_stream_get_stats(rs, &stats);
    json_t *e = stream_event(st, "media-verified");
    if (e2c_recv_stream_is_video(rs)) {
        json_object_set_new(e, "frames", json_integer((json_int_t)stats.frames_good));
        if (stats.last_psnr > 0)
            json_object_set_new(e, "psnr-db", json_real(stats.last_psnr));
    } else {
        json_object_set_new(e, "tone-windows", json_integer((json_int_t)stats.frames_good));
    }
    participant_emit(st->sub->p, e);
    if (st->sub->p->cb.streams_changed)
        st->sub->p->cb.streams_changed(st->sub->p->user, st->sub->p);
}

/* The first decoded frame after a match: how long the picture took to come back. */
static void
on_resumed(gpointer user, struct e2c_recv_stream *rs)
{
    struct sub_stream *st = user;
    json_t *e = stream_event(st, "media-resumed");
    json_object_set_new(e, "ms-since-match",
                        json_integer((g_get_monotonic_time() - st->matched_us) / 1000));
    participant_emit(st->sub->p, e);
}

static void
on_stream_message(gpointer user, GstMessage *msg)
{
    struct sub_stream *st = user;
    struct e2c_participant *p = st->sub->p;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *error = NULL;
        gst_message_parse_error(msg, &error, NULL);
        if (error->domain == GST_STREAM_ERROR && error->code == GST_STREAM_ERROR_DECRYPT)
            participant_fail(p, E2C_ERR_DECRYPTION_INTERNAL_ERROR, "%s", error->message);
        else
            g_message("stream %s of %s: %s", st->track, st->display, error->message);
        g_error_free(error);
        return;
    }
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT)
        return;
    const GstStructure *s = gst_message_get_structure(msg);
    guint64 kid = 0;
    gst_structure_get_uint64(s, "kid", &kid);
    const char *event = NULL;
    if (gst_structure_has_name(s, "sframe-mismatch")) {
        const char *cause = gst_structure_get_string(s, "cause");
        st->mismatch_now = TRUE;
        st->mismatch_cause = g_intern_string(cause ? cause : "wrong-secret");
        event = "encryption-secret-mismatch";
    } else if (gst_structure_has_name(s, "sframe-match")) {
        st->mismatch_now = FALSE;
        st->matched_us = g_get_monotonic_time();
        e2c_recv_stream_watch_resume(st->rs);
        event = "encryption-secret-match";
    } else if (gst_structure_has_name(s, "sframe-secret-missing")) {
        event = "encryption-secret-missing";
    } else if (gst_structure_has_name(s, "sframe-secret-found")) {
        st->mismatch_now = FALSE;
        event = "encryption-secret-found";
    }
    if (!event)
        return;
    json_t *e = stream_event(st, event);
    set_kid(e, kid);
    /* What the frames were: of another secret, not encrypted at all, or of another epoch. */
    if (!strcmp(event, "encryption-secret-mismatch")) {
        json_object_set_new(e, "cause", json_string(st->mismatch_cause));
        json_object_set_new(e, "error", json_string("ENCRYPTION_SECRET_MISMATCH"));
    }
    participant_emit(p, e);
}

static void
sub_stream_free(gpointer data)
{
    struct sub_stream *st = data;
    if (st->sframedec)
        e2c_media_unroute(st->sub->p->media, GST_OBJECT(st->sframedec));
    e2c_recv_stream_free(st->rs);
    g_free(st->track);
    g_free(st->display);
    g_free(st);
}

/* Which publisher a webrtcbin src pad carries: its transceiver's mid in the router's list. */
static const struct sub_feed *
feed_of_pad(struct subscription *sub, GstPad *pad)
{
    GstWebRTCRTPTransceiver *trans = NULL;
    gchar *mid = NULL;
    g_object_get(pad, "transceiver", &trans, NULL);
    if (trans) {
        g_object_get(trans, "mid", &mid, NULL);
        gst_object_unref(trans);
    }
    g_mutex_lock(&sub->lock);
    const struct sub_feed *feed = mid ? g_hash_table_lookup(sub->mids, mid) : NULL;
    if (!feed && sub->feeds->len == 1)
        feed = g_ptr_array_index(sub->feeds, 0);
    g_mutex_unlock(&sub->lock);
    g_free(mid);
    return feed;
}

/* webrtcbin's streaming thread: build the receive chain right here. */
static void
on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
    struct subscription *sub = data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    const struct sub_feed *feed = feed_of_pad(sub, pad);
    if (!feed) {
        g_message("not receiving a stream the router did not list");
        return;
    }
    struct sub_stream *st = g_new0(struct sub_stream, 1);
    st->sub = sub;
    st->feed = feed->id;
    st->display = g_strdup(feed->display);
    struct e2c_recv_callbacks cb = {on_first_frame, on_verified, on_resumed};
    GError *error = NULL;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    const gchar *media = caps ? gst_structure_get_string(gst_caps_get_structure(caps, 0), "media")
                              : NULL;
    st->track = g_strdup(media ? media : "unknown");
    if (caps)
        gst_caps_unref(caps);
    st->rs = e2c_recv_stream_new(GST_BIN(sub->bin), pad, &sub->p->cfg.crypto,
                                 !sub->p->cfg.no_decode, sub->p->cfg.keep_last_frame, &cb, st,
                                 &error);
    if (!st->rs) {
        g_message("not receiving a stream of %s: %s", st->display, error->message);
        g_error_free(error);
        g_free(st->track);
        g_free(st->display);
        g_free(st);
        return;
    }
    st->sframedec = e2c_recv_stream_sframedec(st->rs);
    g_mutex_lock(&sub->lock);
    g_ptr_array_add(sub->streams, st);
    /*
     * The key may have landed after the chain was built and before it was
     * listed here, where e2c_participant_set_key() looks: hand it over now,
     * or the stream would wait for it for ever.
     */
    E2cKey *key = g_atomic_pointer_get(&sub->p->cfg.crypto.key);
    if (key && e2c_recv_stream_awaits_key(st->rs))
        e2c_recv_stream_set_key(st->rs, key);
    g_mutex_unlock(&sub->lock);
    if (st->sframedec)
        e2c_media_route(sub->p->media, GST_OBJECT(st->sframedec), on_stream_message, st);
}

/* ---- negotiation ------------------------------------------------------------ */

static void
fail_sub(struct subscription *sub, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
fail_sub(struct subscription *sub, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    struct e2c_participant *p = sub->p;
    for (guint i = 0; i < sub->feeds->len; i++) {
        const struct sub_feed *feed = g_ptr_array_index(sub->feeds, i);
        if (feed->gone)
            continue;
        p->sub_failures++;
        json_t *e = participant_event(p, "error");
        json_object_set_new(e, "error", json_string("UNABLE_TO_SUBSCRIBE"));
        json_object_set_new(e, "remote", json_string(feed->display));
        json_object_set_new(e, "feed", json_integer((json_int_t)feed->id));
        json_object_set_new(e, "message", json_string(message));
        participant_emit(p, e);
    }
    g_free(message);
    sub->closed = TRUE;
}

static void
send_candidate(struct subscription *sub, guint mline, const gchar *candidate)
{
    e2c_janus_client_trickle(sub->p->janus, sub->handle, candidate, NULL, (gint)mline, NULL, NULL);
}

static void
maybe_complete(struct subscription *sub)
{
    if (sub->answer_sent && sub->gathering_done && !sub->completed_sent) {
        sub->completed_sent = TRUE;
        e2c_janus_client_trickle_completed(sub->p->janus, sub->handle, NULL, NULL);
    }
}

static void
on_candidate(gpointer user, guint mline, const gchar *candidate)
{
    struct subscription *sub = user;
    if (!sub->answer_sent)
        g_ptr_array_add(sub->pending_candidates, g_strdup_printf("%u\t%s", mline, candidate));
    else
        send_candidate(sub, mline, candidate);
}

static void
on_gathering_done(gpointer user)
{
    struct subscription *sub = user;
    sub->gathering_done = TRUE;
    maybe_complete(sub);
}

static void
on_state(gpointer user, GstWebRTCPeerConnectionState state)
{
    struct subscription *sub = user;
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED && !sub->closed)
        fail_sub(sub, "the connection to the router failed (ICE or DTLS)");
}

static void
on_started(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct subscription *sub = data;
    if (!sub->closed) {
        if (error) {
            fail_sub(sub, "the router refused to start: %s", error->message);
        } else if (msg->kind != E2C_JANUS_KIND_ACK) {
            sub->started = TRUE;
            for (guint i = 0; i < sub->feeds->len; i++) {
                const struct sub_feed *feed = g_ptr_array_index(sub->feeds, i);
                json_t *e = participant_event(sub->p, "subscribed");
                json_object_set_new(e, "remote", json_string(feed->display));
                json_object_set_new(e, "feed", json_integer((json_int_t)feed->id));
                participant_emit(sub->p, e);
            }
        }
    }
    if (reply_done(msg, error))
        sub_unref(sub);
}

static void
on_answer(gpointer user, const gchar *sdp, const GError *error)
{
    struct subscription *sub = user;
    struct e2c_participant *p = sub->p;
    if (sub->closed)
        return;
    if (error) {
        fail_sub(sub, "cannot answer the router's offer: %s", error->message);
        return;
    }
    g_debug("answer:\n%s", sdp);
    json_t *jsep = e2c_janus_msg_jsep("answer", sdp, FALSE);
    e2c_janus_client_send_message(p->janus, sub->handle, e2c_janus_msg_vr_start(p->cfg.room), jsep,
                                  on_started, sub_ref(sub));
    sub->answer_sent = TRUE;
    for (guint i = 0; i < sub->pending_candidates->len; i++) {
        gchar **parts = g_strsplit(g_ptr_array_index(sub->pending_candidates, i), "\t", 2);
        send_candidate(sub, (guint)g_ascii_strtoull(parts[0], NULL, 10), parts[1]);
        g_strfreev(parts);
    }
    g_ptr_array_set_size(sub->pending_candidates, 0);
    maybe_complete(sub);
}

static void handle_offer(struct subscription *sub, E2cJanusMsg *msg, const GError *error);
static void subscription_start(struct e2c_participant *p, GPtrArray *feeds);

/*
 * A router refuses a whole subscription when one of its publishers left in
 * the meantime ("no such feed"): ask again for each publisher alone, so the
 * others are not lost with it.
 */
static gboolean
split_after_refusal(struct subscription *sub, const GError *error)
{
    if (!error || error->domain != E2C_JANUS_ERROR || error->code != E2C_JANUS_ERROR_VR_NO_SUCH_FEED ||
        sub->feeds->len < 2)
        return FALSE;
    struct e2c_participant *p = sub->p;
    for (guint i = 0; i < sub->feeds->len; i++) {
        const struct sub_feed *feed = g_ptr_array_index(sub->feeds, i);
        if (feed->gone)
            continue;
        GPtrArray *alone = g_ptr_array_new_with_free_func(sub_feed_free);
        struct sub_feed *copy = g_new0(struct sub_feed, 1);
        copy->id = feed->id;
        copy->display = g_strdup(feed->display);
        g_ptr_array_add(alone, copy);
        subscription_start(p, alone);
    }
    /* Its feeds now belong to the new subscriptions. */
    if (e2c_janus_client_is_connected(p->janus))
        e2c_janus_client_detach(p->janus, sub->handle, NULL, NULL);
    g_ptr_array_remove_fast(p->subs, sub);
    return TRUE;
}

static void
on_sub_joined(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct subscription *sub = data;
    if (reply_done(msg, error)) {
        if (!sub->closed && !split_after_refusal(sub, error))
            handle_offer(sub, msg, error);
        sub_unref(sub);
    }
}

static void
handle_offer(struct subscription *sub, E2cJanusMsg *msg, const GError *error)
{
    if (error) {
        fail_sub(sub, "the router refused the subscription: %s", error->message);
        return;
    }
    if (!msg->has_jsep || g_strcmp0(msg->jsep.type, "offer") != 0 || !msg->jsep.sdp) {
        fail_sub(sub, "the router sent no offer");
        return;
    }
    /* Which publisher each m-line carries, before webrtcbin can add a pad for it. */
    g_mutex_lock(&sub->lock);
    for (gsize i = 0; i < msg->vr.n_streams; i++) {
        const struct e2c_janus_vr_stream *vs = &msg->vr.streams[i];
        for (guint j = 0; vs->mid && j < sub->feeds->len; j++) {
            struct sub_feed *feed = g_ptr_array_index(sub->feeds, j);
            if (feed->id == vs->feed_id)
                g_hash_table_replace(sub->mids, g_strdup(vs->mid), feed);
        }
    }
    g_mutex_unlock(&sub->lock);
    struct e2c_peer_callbacks cb = {on_candidate, on_gathering_done, on_state};
    sub->peer = e2c_peer_new(GST_BIN(sub->bin), "webrtc", sub->p->cfg.latency_ms, &cb, sub);
    if (!sub->peer) {
        fail_sub(sub, "UNSUPPORTED: webrtcbin is missing");
        return;
    }
    if (sub->p->cfg.no_decode && !e2c_peer_skip_jitterbuffer(sub->peer))
        g_warning("webrtcbin has no rtpbin: received streams keep a jitterbuffer");
    g_signal_connect(e2c_peer_webrtcbin(sub->peer), "pad-added", G_CALLBACK(on_pad_added), sub);
    e2c_media_add(sub->p->media, sub->bin);
    gchar *offer = e2c_sdp_for_receiving(msg->jsep.sdp);
    e2c_peer_answer(sub->peer, offer, on_answer, sub);
    g_free(offer);
}

static void
on_sub_event(E2cJanusClient *client, guint64 handle, E2cJanusMsg *msg, gpointer data)
{
    struct subscription *sub = data;
    if (msg->kind == E2C_JANUS_KIND_HANGUP && !sub->closed)
        g_message("the router hung up a subscription: %s", msg->reason ? msg->reason : "");
}

static void
on_sub_attached(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct subscription *sub = data;
    if (!error)
        sub->handle = msg->data_id;
    if (sub->closed) {
        /* Removed while attaching: give the handle back. */
        if (!error && e2c_janus_client_is_connected(client))
            e2c_janus_client_detach(client, sub->handle, NULL, NULL);
    } else if (error) {
        fail_sub(sub, "cannot attach a subscriber handle: %s", error->message);
    } else {
        struct e2c_janus_vr_feed *feeds = g_new0(struct e2c_janus_vr_feed, sub->feeds->len);
        gsize n = 0;
        for (guint i = 0; i < sub->feeds->len; i++) {
            const struct sub_feed *feed = g_ptr_array_index(sub->feeds, i);
            if (!feed->gone)
                feeds[n++].feed = feed->id;
        }
        if (n) {
            /* Janus checks the room's PIN on every join, a subscriber's too. */
            json_t *body = e2c_janus_msg_vr_add_pin(
                e2c_janus_msg_vr_join_subscriber(sub->p->cfg.room, feeds, n, sub->p->private_id),
                sub->p->cfg.room_pin);
            e2c_janus_client_send_message(sub->p->janus, sub->handle, body, NULL, on_sub_joined,
                                          sub_ref(sub));
        }
        g_free(feeds);
    }
    sub_unref(sub);
}

void
sub_feed_free(gpointer data)
{
    struct sub_feed *feed = data;
    g_free(feed->display);
    g_free(feed);
}

/* One handle and PeerConnection for feeds (taken). */
static void
subscription_start(struct e2c_participant *p, GPtrArray *feeds)
{
    struct subscription *sub = g_new0(struct subscription, 1);
    sub->refcount = 1;
    g_mutex_init(&sub->lock);
    sub->p = p;
    sub->feeds = feeds;
    sub->mids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sub->streams = g_ptr_array_new_with_free_func(sub_stream_free);
    sub->pending_candidates = g_ptr_array_new_with_free_func(g_free);
    const struct sub_feed *first = g_ptr_array_index(feeds, 0);
    gchar *name = g_strdup_printf("sub-%s-%" G_GUINT64_FORMAT, p->label ? p->label : "self",
                                  first->id);
    sub->bin = gst_object_ref_sink(gst_bin_new(name));
    g_free(name);
    g_ptr_array_add(p->subs, sub);
    e2c_janus_client_attach(p->janus, E2C_JANUS_PLUGIN_VIDEOROOM, on_sub_event, sub_ref(sub),
                            sub_unref, on_sub_attached, sub_ref(sub));
}

/* Publishers that arrived in one turn of the main loop (a join's list) share a subscription. */
static gboolean
start_pending(gpointer data)
{
    struct e2c_participant *p = data;
    p->pending_source = 0;
    if (!p->pending_feeds->len)
        return G_SOURCE_REMOVE;
    GPtrArray *feeds = p->pending_feeds;
    p->pending_feeds = g_ptr_array_new_with_free_func(sub_feed_free);
    if (p->state == P_JOINED)
        subscription_start(p, feeds);
    else
        g_ptr_array_unref(feeds);
    return G_SOURCE_REMOVE;
}

static struct sub_feed *
find_feed(GPtrArray *feeds, guint64 id, guint *index)
{
    for (guint i = 0; i < feeds->len; i++) {
        struct sub_feed *feed = g_ptr_array_index(feeds, i);
        if (feed->id == id && !feed->gone) {
            if (index)
                *index = i;
            return feed;
        }
    }
    return NULL;
}

struct subscription *
subscription_find(struct e2c_participant *p, guint64 feed)
{
    for (guint i = 0; i < p->subs->len; i++) {
        struct subscription *sub = g_ptr_array_index(p->subs, i);
        if (find_feed(sub->feeds, feed, NULL))
            return sub;
    }
    return NULL;
}

void
subscription_add(struct e2c_participant *p, guint64 feed, const char *display)
{
    if (p->state != P_JOINED || feed == p->my_id || subscription_find(p, feed) ||
        find_feed(p->pending_feeds, feed, NULL))
        return;
    struct sub_feed *f = g_new0(struct sub_feed, 1);
    f->id = feed;
    f->display = g_strdup(display ? display : "");
    if (p->cfg.shared_subscriptions) {
        g_ptr_array_add(p->pending_feeds, f);
        if (!p->pending_source)
            p->pending_source = g_idle_add(start_pending, p);
    } else {
        GPtrArray *alone = g_ptr_array_new_with_free_func(sub_feed_free);
        g_ptr_array_add(alone, f);
        subscription_start(p, alone);
    }

    json_t *e = participant_event(p, "remote-published");
    json_object_set_new(e, "remote", json_string(f->display));
    json_object_set_new(e, "feed", json_integer((json_int_t)feed));
    participant_emit(p, e);
}

void
subscriptions_cancel_pending(struct e2c_participant *p)
{
    g_ptr_array_set_size(p->pending_feeds, 0);
    if (p->pending_source) {
        g_source_remove(p->pending_source);
        p->pending_source = 0;
    }
}

/* Keep what the streams of feed (every feed: 0) did, for the verdict; they leave sub. */
static void
record_ended(struct e2c_participant *p, struct subscription *sub, guint64 feed)
{
    g_mutex_lock(&sub->lock);
    for (guint i = sub->streams->len; i-- > 0;) {
        struct sub_stream *st = g_ptr_array_index(sub->streams, i);
        if (feed && st->feed != feed)
            continue;
        struct e2c_stream_info *info = g_new(struct e2c_stream_info, 1);
        sub_stream_info(st, info);
        info->display = g_intern_string(info->display);
        info->track = g_intern_string(info->track);
        info->state = g_intern_string(info->state);
        g_ptr_array_add(p->ended, info);
        /* Its elements stay in the bin, idle, until the subscription goes. */
        g_ptr_array_remove_index(sub->streams, i);
    }
    g_mutex_unlock(&sub->lock);
}

void
subscriptions_end_all(struct e2c_participant *p)
{
    subscriptions_cancel_pending(p);
    for (guint i = 0; i < p->subs->len; i++)
        record_ended(p, g_ptr_array_index(p->subs, i), 0);
    g_ptr_array_set_size(p->subs, 0);
}

static void
announce_removal(struct e2c_participant *p, const struct sub_feed *feed, const char *why)
{
    json_t *e = participant_event(p, "remote-unpublished");
    json_object_set_new(e, "remote", json_string(feed->display));
    json_object_set_new(e, "feed", json_integer((json_int_t)feed->id));
    json_object_set_new(e, "reason", json_string(why));
    participant_emit(p, e);
}

void
subscription_remove(struct e2c_participant *p, guint64 feed, const char *why)
{
    guint index;
    struct sub_feed *pending = find_feed(p->pending_feeds, feed, &index);
    if (pending) {
        announce_removal(p, pending, why);
        g_ptr_array_remove_index(p->pending_feeds, index);
        return;
    }
    struct subscription *sub = subscription_find(p, feed);
    if (!sub)
        return;
    struct sub_feed *f = find_feed(sub->feeds, feed, NULL);
    announce_removal(p, f, why);
    record_ended(p, sub, feed);
    f->gone = TRUE;
    gboolean others = FALSE;
    for (guint i = 0; i < sub->feeds->len; i++)
        others |= !((struct sub_feed *)g_ptr_array_index(sub->feeds, i))->gone;
    if (!others) {
        if (sub->handle && e2c_janus_client_is_connected(p->janus)) {
            e2c_janus_client_send_message(p->janus, sub->handle, e2c_janus_msg_vr_leave(), NULL,
                                          NULL, NULL);
            e2c_janus_client_detach(p->janus, sub->handle, NULL, NULL);
        }
        g_ptr_array_remove_fast(p->subs, sub);
    }
    if (p->cb.streams_changed)
        p->cb.streams_changed(p->user, p);
}

void
subscription_free(struct subscription *sub)
{
    struct e2c_participant *p = sub->p;
    sub->closed = TRUE;
    if (sub->handle && e2c_janus_client_is_connected(p->janus) && p->state == P_LEAVING)
        e2c_janus_client_detach(p->janus, sub->handle, NULL, NULL);
    if (sub->peer) {
        g_signal_handlers_disconnect_by_data(e2c_peer_webrtcbin(sub->peer), sub);
        e2c_peer_close(sub->peer);
    }
    if (GST_OBJECT_PARENT(sub->bin))
        e2c_media_remove(p->media, sub->bin);
    /* The streams go now (their elements stopped with the bin); late replies find closed. */
    g_mutex_lock(&sub->lock);
    g_ptr_array_set_size(sub->streams, 0);
    g_mutex_unlock(&sub->lock);
    sub_unref(sub);
}

void
subscription_set_key(struct subscription *sub, E2cKey *key)
{
    g_mutex_lock(&sub->lock);
    for (guint i = 0; i < sub->streams->len; i++) {
        struct sub_stream *st = g_ptr_array_index(sub->streams, i);
        e2c_recv_stream_set_key(st->rs, key);
    }
    g_mutex_unlock(&sub->lock);
}
