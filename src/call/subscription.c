/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Subscriptions: ask the room for the feeds (autoupdate off: e2call never
 * renegotiates a subscription, a publisher that leaves only ends its own
 * streams), answer the room's offer, start, then one receive chain per
 * incoming stream (recv-chain.c); each stream finds its publisher by its mid
 * in the room's offer.
 */
#include "subscription.h"

#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "peer.h"
#include "recv-chain.h"
#include "sdp-filter.h"

/* Connected (ICE and DTLS) this long after the router started sending, or lost. */
#define SUB_CONNECT_TIMEOUT_S 12

struct sub_stream {
    struct e2c_subscription *sub;
    struct e2c_recv_stream *rs;
    gchar *track;
    guint64 feed; /* the publisher it comes from (by its mid in the room's offer) */
    gchar *display;
    GstElement *e2csframedec; /* NULL in plain mode */
    gboolean mismatch_now;
    const char *mismatch_cause; /* interned: "wrong-secret", "unencrypted", "stale" */
    gint64 matched_us;          /* when the last match was reported, for media-resumed */
};

struct e2c_subscription {
    struct e2c_room *room;
    struct e2c_subscription_config cfg;
    gchar *label;
    struct e2c_subscription_callbacks cb;
    gpointer owner;
    GMutex lock;      /* streams, mids: webrtcbin adds streams from its streaming thread */
    GPtrArray *feeds; /* struct e2c_sub_feed */
    GHashTable *mids; /* mid -> struct e2c_sub_feed, from the room's offer */
    guint64 handle;
    GstElement *bin;
    struct e2c_peer *peer;
    GPtrArray *streams; /* struct sub_stream */
    GPtrArray *pending_candidates;
    gboolean answer_sent, gathering_done, completed_sent, started, closed;
    gboolean connected; /* ICE and DTLS done */
    guint connect_timer;
};

static json_t *
event_new(struct e2c_subscription *sub, const char *name)
{
    return sub->cb.event_new(sub->owner, name);
}

static void
emit(struct e2c_subscription *sub, json_t *event)
{
    sub->cb.emit(sub->owner, event);
}

static json_t *
stream_event(struct sub_stream *st, const char *name)
{
    json_t *e = event_new(st->sub, name);
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

static void
sub_stream_info(struct sub_stream *st, struct e2c_stream_info *out)
{
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
    out->timing = rs.timing;
    out->latency = rs.latency;
    out->decoded_latency = rs.decoded_latency;
    out->latency_misses = rs.latency_misses;
    out->decodes = e2c_recv_stream_decodes(st->rs);
    out->state = "plain";
    if (st->e2csframedec) {
        GstStructure *s = NULL;
        g_object_get(st->e2csframedec, "stats", &s, NULL);
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
            gst_structure_get_uint64(s, "crypt-ns", &out->crypt_ns);
            gst_structure_get_uint64(s, "crypt-frames", &out->crypt_frames);
            /* Counter gaps, unless decoding gave the better figure (marker gaps, video). */
            if (!(e2c_recv_stream_decodes(st->rs) && e2c_recv_stream_is_video(st->rs)))
                gst_structure_get_uint64(s, "frames-lost", &out->frames_lost);
            out->state = g_intern_string(gst_structure_get_string(s, "state"));
            gst_structure_free(s);
        }
    }
}

static void
subscription_clear(gpointer data)
{
    struct e2c_subscription *sub = data;
    g_ptr_array_unref(sub->streams);
    g_ptr_array_unref(sub->pending_candidates);
    g_hash_table_unref(sub->mids);
    g_ptr_array_unref(sub->feeds);
    gst_object_unref(sub->bin);
    g_mutex_clear(&sub->lock);
    g_free(sub->label);
}

struct e2c_subscription *
e2c_subscription_ref(struct e2c_subscription *sub)
{
    return g_atomic_rc_box_acquire(sub);
}

void
e2c_subscription_unref(gpointer sub)
{
    g_atomic_rc_box_release_full(sub, subscription_clear);
}

/* ---- per-stream callbacks --------------------------------------------------- */

static void
on_first_frame(gpointer user, struct e2c_recv_stream *rs)
{
    struct sub_stream *st = user;
    struct e2c_recv_stats stats;
    e2c_recv_stream_get_stats(rs, &stats);
    json_t *e = stream_event(st, "media-flowing");
    json_object_set_new(e, "codec", json_string(e2c_codec_name(e2c_recv_stream_codec(rs))));
    json_object_set_new(e, "e2ee", json_boolean(st->e2csframedec != NULL));
    json_object_set_new(e, "ms-since-join",
                        json_integer((stats.first_frame_us - st->sub->cfg.started_us) / 1000));
    emit(st->sub, e);
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
    emit(st->sub, e);
    if (st->sub->cb.streams_changed)
        st->sub->cb.streams_changed(st->sub->owner);
}

/* The first decoded frame after a match: how long the picture took to come back. */
static void
on_resumed(gpointer user, struct e2c_recv_stream *rs)
{
    struct sub_stream *st = user;
    json_t *e = stream_event(st, "media-resumed");
    json_object_set_new(e, "ms-since-match",
                        json_integer((g_get_monotonic_time() - st->matched_us) / 1000));
    emit(st->sub, e);
}

static void
on_stream_message(gpointer user, GstMessage *msg)
{
    struct sub_stream *st = user;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *error = NULL;
        gst_message_parse_error(msg, &error, NULL);
        if (g_error_matches(error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECRYPT)) {
            GError *fatal =
                g_error_new_literal(E2C_ERROR, E2C_ERR_DECRYPTION_INTERNAL_ERROR, error->message);
            st->sub->cb.fatal(st->sub->owner, fatal);
            g_error_free(fatal);
        } else
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
        json_object_set_new(e, "error",
                            json_string(e2c_error_name(E2C_ERR_ENCRYPTION_SECRET_MISMATCH)));
    }
    emit(st->sub, e);
}

static void
sub_stream_free(gpointer data)
{
    struct sub_stream *st = data;
    if (st->e2csframedec)
        e2c_pipeline_unroute(st->sub->cfg.media, GST_OBJECT(st->e2csframedec));
    e2c_recv_stream_free(st->rs);
    g_free(st->track);
    g_free(st->display);
    g_free(st);
}

/* Which publisher a webrtcbin src pad carries: its transceiver's mid in the router's list. */
static const struct e2c_sub_feed *
feed_of_pad(struct e2c_subscription *sub, GstPad *pad)
{
    GstWebRTCRTPTransceiver *trans = NULL;
    gchar *mid = NULL;
    g_object_get(pad, "transceiver", &trans, NULL);
    if (trans) {
        g_object_get(trans, "mid", &mid, NULL);
        gst_object_unref(trans);
    }
    g_mutex_lock(&sub->lock);
    const struct e2c_sub_feed *feed = mid ? g_hash_table_lookup(sub->mids, mid) : NULL;
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
    struct e2c_subscription *sub = data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    const struct e2c_sub_feed *feed = feed_of_pad(sub, pad);
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
    const gchar *media =
        caps ? gst_structure_get_string(gst_caps_get_structure(caps, 0), "media") : NULL;
    st->track = g_strdup(media ? media : "unknown");
    if (caps)
        gst_caps_unref(caps);
    st->rs =
        e2c_recv_stream_new(GST_BIN(sub->bin), pad, st->feed, sub->cfg.crypto, &sub->cfg.impair,
                            !sub->cfg.no_decode, sub->cfg.keep_last_frame, &cb, st, &error);
    if (!st->rs) {
        g_message("not receiving a stream of %s: %s", st->display, error->message);
        g_error_free(error);
        g_free(st->track);
        g_free(st->display);
        g_free(st);
        return;
    }
    st->e2csframedec = e2c_recv_stream_sframedec(st->rs);
    g_mutex_lock(&sub->lock);
    g_ptr_array_add(sub->streams, st);
    /*
     * The key may have landed after the chain was built and before it was
     * listed here, where e2c_subscription_set_key() looks: hand it over now,
     * or the stream would wait for it for ever.
     */
    E2cKey *key = g_atomic_pointer_get(&sub->cfg.crypto->key);
    if (key && e2c_recv_stream_awaits_key(st->rs))
        e2c_recv_stream_set_key(st->rs, key);
    g_mutex_unlock(&sub->lock);
    if (st->e2csframedec)
        e2c_pipeline_route(sub->cfg.media, GST_OBJECT(st->e2csframedec), on_stream_message, st);
}

/* ---- negotiation ------------------------------------------------------------ */

static void
fail_sub(struct e2c_subscription *sub, const char *message)
{
    guint n = 0;
    for (guint i = 0; i < sub->feeds->len; i++) {
        const struct e2c_sub_feed *feed = g_ptr_array_index(sub->feeds, i);
        if (feed->gone)
            continue;
        n++;
        json_t *e = event_new(sub, "error");
        json_object_set_new(e, "error", json_string(e2c_error_name(E2C_ERR_UNABLE_TO_SUBSCRIBE)));
        json_object_set_new(e, "remote", json_string(feed->display));
        json_object_set_new(e, "feed", json_integer((json_int_t)feed->id));
        json_object_set_new(e, "message", json_string(message));
        emit(sub, e);
    }
    sub->closed = TRUE;
    sub->cb.unable(sub->owner, sub, n);
}

static void
maybe_complete(struct e2c_subscription *sub)
{
    if (sub->answer_sent && sub->gathering_done && !sub->completed_sent) {
        sub->completed_sent = TRUE;
        e2c_room_trickle(sub->room, sub->handle, 0, NULL);
    }
}

static void
on_candidate(gpointer user, guint mline, const gchar *candidate)
{
    struct e2c_subscription *sub = user;
    if (!sub->answer_sent)
        g_ptr_array_add(sub->pending_candidates, g_strdup_printf("%u\t%s", mline, candidate));
    else
        e2c_room_trickle(sub->room, sub->handle, mline, candidate);
}

static void
on_gathering_done(gpointer user)
{
    struct e2c_subscription *sub = user;
    sub->gathering_done = TRUE;
    maybe_complete(sub);
}

static void
on_state(gpointer user, GstWebRTCPeerConnectionState state)
{
    struct e2c_subscription *sub = user;
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
        sub->connected = TRUE;
        if (sub->connect_timer) {
            g_source_remove(sub->connect_timer);
            sub->connect_timer = 0;
        }
    }
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED && !sub->closed)
        sub->cb.lost(sub->owner, sub, "the connection to the router failed (ICE or DTLS)");
}

/*
 * Not connected long after the router started sending: under loss a DTLS
 * handshake can stall until the router gives up ("DTLS timeout", seen 20 s
 * after subscribing at 10 % loss per hop), while ICE and DTLS normally take
 * under 7 s there. Lost, as when the connection fails.
 */
static gboolean
on_connect_timeout(gpointer user)
{
    struct e2c_subscription *sub = user;
    sub->connect_timer = 0;
    if (!sub->closed && !sub->connected) {
        gchar *why = g_strdup_printf("not connected to the router %d s after it started sending "
                                     "(ICE or DTLS)",
                                     SUB_CONNECT_TIMEOUT_S);
        sub->cb.lost(sub->owner, sub, why);
        g_free(why);
    }
    return G_SOURCE_REMOVE;
}

static void
on_started(gpointer user, const GError *error)
{
    struct e2c_subscription *sub = user;
    if (sub->closed)
        return;
    if (error) {
        fail_sub(sub, error->message);
        return;
    }
    sub->started = TRUE;
    if (!sub->connected)
        sub->connect_timer = g_timeout_add_seconds_full(
            G_PRIORITY_DEFAULT, SUB_CONNECT_TIMEOUT_S, on_connect_timeout,
            e2c_subscription_ref(sub), e2c_subscription_unref);
    for (guint i = 0; i < sub->feeds->len; i++) {
        const struct e2c_sub_feed *feed = g_ptr_array_index(sub->feeds, i);
        json_t *e = event_new(sub, "subscribed");
        json_object_set_new(e, "remote", json_string(feed->display));
        json_object_set_new(e, "feed", json_integer((json_int_t)feed->id));
        emit(sub, e);
    }
}

static void
on_answer(gpointer user, const gchar *sdp, const GError *error)
{
    struct e2c_subscription *sub = user;
    if (sub->closed)
        return;
    if (error) {
        gchar *message = g_strdup_printf("cannot answer the router's offer: %s", error->message);
        fail_sub(sub, message);
        g_free(message);
        return;
    }
    g_debug("answer:\n%s", sdp);
    e2c_room_start(sub->room, sub->handle, sdp, on_started, e2c_subscription_ref(sub),
                   e2c_subscription_unref);
    sub->answer_sent = TRUE;
    for (guint i = 0; i < sub->pending_candidates->len; i++) {
        gchar **parts = g_strsplit(g_ptr_array_index(sub->pending_candidates, i), "\t", 2);
        e2c_room_trickle(sub->room, sub->handle, (guint)g_ascii_strtoull(parts[0], NULL, 10),
                         parts[1]);
        g_strfreev(parts);
    }
    g_ptr_array_set_size(sub->pending_candidates, 0);
    maybe_complete(sub);
}

static void
on_offer(gpointer user, guint64 handle, const char *offer_sdp,
         const struct e2c_room_stream *streams, gsize n_streams, const GError *error)
{
    struct e2c_subscription *sub = user;
    sub->handle = handle;
    if (sub->closed)
        return;
    /*
     * A router refuses a whole subscription when one of its publishers left
     * in the meantime ("no such feed"): the owner asks again for each
     * publisher alone, so the others are not lost with it.
     */
    if (g_error_matches(error, E2C_ROOM_ERROR, E2C_ROOM_ERROR_NO_SUCH_FEED) &&
        sub->feeds->len >= 2) {
        sub->cb.split(sub->owner, sub);
        return;
    }
    if (error) {
        fail_sub(sub, error->message);
        return;
    }
    /* Which publisher each m-line carries, before webrtcbin can add a pad for it. */
    g_mutex_lock(&sub->lock);
    for (gsize i = 0; i < n_streams; i++) {
        for (guint j = 0; j < sub->feeds->len; j++) {
            struct e2c_sub_feed *feed = g_ptr_array_index(sub->feeds, j);
            if (feed->id == streams[i].feed)
                g_hash_table_replace(sub->mids, g_strdup(streams[i].mid), feed);
        }
    }
    g_mutex_unlock(&sub->lock);
    struct e2c_peer_callbacks cb = {on_candidate, on_gathering_done, on_state};
    sub->peer = e2c_peer_new(GST_BIN(sub->bin), "webrtc", sub->cfg.latency_ms, &cb, sub);
    if (!sub->peer) {
        fail_sub(sub, "UNSUPPORTED: webrtcbin is missing");
        return;
    }
    if (sub->cfg.no_decode && !e2c_peer_skip_jitterbuffer(sub->peer))
        g_warning("webrtcbin has no rtpbin: received streams keep a jitterbuffer");
    g_signal_connect(e2c_peer_webrtcbin(sub->peer), "pad-added", G_CALLBACK(on_pad_added), sub);
    e2c_pipeline_add(sub->cfg.media, sub->bin);
    gchar *offer = e2c_sdp_for_receiving(offer_sdp);
    e2c_peer_answer(sub->peer, offer, on_answer, sub);
    g_free(offer);
}

struct e2c_sub_feed *
e2c_sub_feed_new(guint64 id, const char *display)
{
    struct e2c_sub_feed *feed = g_new0(struct e2c_sub_feed, 1);
    feed->id = id;
    feed->display = g_strdup(display ? display : "");
    return feed;
}

void
e2c_sub_feed_free(gpointer data)
{
    struct e2c_sub_feed *feed = data;
    g_free(feed->display);
    g_free(feed);
}

struct e2c_subscription *
e2c_subscription_new(struct e2c_room *room, const struct e2c_subscription_config *cfg,
                     GPtrArray *feeds, const struct e2c_subscription_callbacks *cb, gpointer owner)
{
    struct e2c_subscription *sub = g_atomic_rc_box_new0(struct e2c_subscription);
    g_mutex_init(&sub->lock);
    sub->room = room;
    sub->cfg = *cfg;
    sub->label = g_strdup(cfg->label);
    sub->cfg.label = sub->label;
    sub->cb = *cb;
    sub->owner = owner;
    sub->feeds = feeds;
    sub->mids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sub->streams = g_ptr_array_new_with_free_func(sub_stream_free);
    sub->pending_candidates = g_ptr_array_new_with_free_func(g_free);
    const struct e2c_sub_feed *first = g_ptr_array_index(feeds, 0);
    gchar *name =
        g_strdup_printf("sub-%s-%" G_GUINT64_FORMAT, sub->label ? sub->label : "self", first->id);
    sub->bin = gst_object_ref_sink(gst_bin_new(name));
    g_free(name);
    guint64 *ids = g_new0(guint64, feeds->len + 1);
    for (guint i = 0; i < feeds->len; i++)
        ids[i] = ((const struct e2c_sub_feed *)g_ptr_array_index(feeds, i))->id;
    e2c_room_subscribe(room, ids, feeds->len, on_offer, e2c_subscription_ref(sub),
                       e2c_subscription_unref);
    g_free(ids);
    return sub;
}

guint64
e2c_subscription_handle(struct e2c_subscription *sub)
{
    return sub->handle;
}

void
e2c_subscription_hung_up(struct e2c_subscription *sub, const char *reason)
{
    if (!sub->closed)
        sub->cb.lost(sub->owner, sub, reason);
}

GPtrArray *
e2c_subscription_feeds_again(struct e2c_subscription *sub, const char *reason)
{
    for (guint i = 0; i < sub->feeds->len; i++)
        if (((struct e2c_sub_feed *)g_ptr_array_index(sub->feeds, i))->restarts >=
            E2C_SUBSCRIPTION_RESTARTS)
            return NULL;
    GPtrArray *again = g_ptr_array_new_with_free_func(e2c_sub_feed_free);
    for (guint i = 0; i < sub->feeds->len; i++) {
        const struct e2c_sub_feed *feed = g_ptr_array_index(sub->feeds, i);
        if (feed->gone)
            continue;
        struct e2c_sub_feed *f = e2c_sub_feed_new(feed->id, feed->display);
        f->restarts = feed->restarts + 1;
        g_ptr_array_add(again, f);
        json_t *e = event_new(sub, "resubscribing");
        json_object_set_new(e, "remote", json_string(f->display));
        json_object_set_new(e, "feed", json_integer((json_int_t)f->id));
        json_object_set_new(e, "attempt", json_integer(f->restarts));
        json_object_set_new(e, "of", json_integer(E2C_SUBSCRIPTION_RESTARTS));
        json_object_set_new(e, "message", json_string(reason));
        emit(sub, e);
    }
    return again;
}

void
e2c_subscription_fail(struct e2c_subscription *sub, const char *message)
{
    if (!sub->closed)
        fail_sub(sub, message);
}

GPtrArray *
e2c_subscription_feeds(struct e2c_subscription *sub)
{
    return sub->feeds;
}

struct e2c_sub_feed *
e2c_subscription_find_feed(struct e2c_subscription *sub, guint64 id)
{
    for (guint i = 0; i < sub->feeds->len; i++) {
        struct e2c_sub_feed *feed = g_ptr_array_index(sub->feeds, i);
        if (feed->id == id && !feed->gone)
            return feed;
    }
    return NULL;
}

void
e2c_subscription_end_streams(struct e2c_subscription *sub, guint64 feed, GPtrArray *ended)
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
        info->gone = TRUE;
        g_ptr_array_add(ended, info);
        /* Its elements stay in the bin, idle, until the subscription goes. */
        g_ptr_array_remove_index(sub->streams, i);
    }
    g_mutex_unlock(&sub->lock);
}

void
e2c_subscription_foreach_stream(struct e2c_subscription *sub,
                                void (*fn)(gpointer user, const struct e2c_stream_info *s),
                                gpointer user)
{
    g_mutex_lock(&sub->lock);
    for (guint i = 0; i < sub->streams->len; i++) {
        struct e2c_stream_info info;
        sub_stream_info(g_ptr_array_index(sub->streams, i), &info);
        fn(user, &info);
    }
    g_mutex_unlock(&sub->lock);
}

guint
e2c_subscription_snapshots(struct e2c_subscription *sub, const char *dir)
{
    guint written = 0;
    g_mutex_lock(&sub->lock);
    for (guint i = 0; i < sub->streams->len; i++) {
        struct sub_stream *st = g_ptr_array_index(sub->streams, i);
        if (!e2c_recv_stream_is_video(st->rs))
            continue;
        gchar *safe = g_strdup(*st->display ? st->display : "feed");
        g_strcanon(safe, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_", '_');
        gchar *name = g_strdup_printf("%s-%" G_GUINT64_FORMAT ".png", safe, st->feed);
        gchar *path = g_build_filename(dir, name, NULL);
        GError *error = NULL;
        json_t *e = event_new(sub, "snapshot");
        json_object_set_new(e, "remote", json_string(st->display));
        json_object_set_new(e, "feed", json_integer((json_int_t)st->feed));
        if (e2c_recv_stream_snapshot(st->rs, path, &error)) {
            json_object_set_new(e, "file", json_string(path));
            written++;
        } else {
            json_object_set_new(e, "message", json_string(error->message));
            g_error_free(error);
        }
        emit(sub, e);
        g_free(path);
        g_free(name);
        g_free(safe);
    }
    g_mutex_unlock(&sub->lock);
    return written;
}

void
e2c_subscription_close(struct e2c_subscription *sub, gboolean give_back, gboolean say_leave)
{
    sub->closed = TRUE;
    if (sub->connect_timer) {
        g_source_remove(sub->connect_timer);
        sub->connect_timer = 0;
    }
    e2c_room_cancel(sub->room, sub); /* late replies find nobody */
    if (give_back)
        e2c_room_unsubscribe(sub->room, sub->handle, say_leave);
    if (sub->peer) {
        g_signal_handlers_disconnect_by_data(e2c_peer_webrtcbin(sub->peer), sub);
        e2c_peer_close(sub->peer);
        sub->peer = NULL;
    }
    if (GST_OBJECT_PARENT(sub->bin))
        e2c_pipeline_remove(sub->cfg.media, sub->bin);
    /* The streams go now (their elements stopped with the bin). */
    g_mutex_lock(&sub->lock);
    g_ptr_array_set_size(sub->streams, 0);
    g_mutex_unlock(&sub->lock);
}

void
e2c_subscription_set_key(struct e2c_subscription *sub, E2cKey *key)
{
    g_mutex_lock(&sub->lock);
    for (guint i = 0; i < sub->streams->len; i++) {
        struct sub_stream *st = g_ptr_array_index(sub->streams, i);
        e2c_recv_stream_set_key(st->rs, key);
    }
    g_mutex_unlock(&sub->lock);
}
