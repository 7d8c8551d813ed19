/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A participant: joins a room through the room interface, publishes,
 * follows the room's publishers with subscriptions, reconnects after losing
 * the router, leaves cleanly. Turns what happens into events. Its
 * subscriptions are kept in participant-subs.c.
 */
#include "participant-impl.h"

/* Events carry who and what: room, our label, and the given fields. */
json_t *
participant_event(struct e2c_participant *p, const char *name)
{
    json_t *e = e2c_event_new(name);
    if (p->label)
        json_object_set_new(e, "participant", json_string(p->label));
    return e;
}

void
participant_emit(struct e2c_participant *p, json_t *event)
{
    if (p->cb.event)
        p->cb.event(p->user, p, event);
    e2c_events_emit(p->events, event);
}

static void begin_reconnect(struct e2c_participant *p, const char *reason);

static void
participant_fail(struct e2c_participant *p, enum e2c_error err, const char *message)
{
    if (!p->failed) {
        p->failed = TRUE;
        json_t *e = participant_event(p, "error");
        json_object_set_new(e, "error", json_string(e2c_error_name(err)));
        json_object_set_new(e, "exit-status", json_integer(e2c_error_exit_status(err)));
        json_object_set_new(e, "message", json_string(message));
        participant_emit(p, e);
        if (p->cb.failed)
            p->cb.failed(p->user, p, err, message);
    }
    e2c_participant_leave(p, "error");
}

/* A failure whose code says what it is (E2C_ERROR); anything else is a failed connection. */
void
participant_fail_with(struct e2c_participant *p, const GError *error)
{
    participant_fail(
        p, error->domain == E2C_ERROR ? (enum e2c_error)error->code : E2C_ERR_CONNECT_FAILED,
        error->message);
}

/*
 * The router connection is unusable: start over (new session) or, without
 * reconnection attempts, fail with CONNECT_FAILED.
 */
static void
participant_lost(struct e2c_participant *p, const char *reason)
{
    if (p->state == P_LEAVING || p->state == P_LEFT)
        return;
    if (p->reconnecting || (p->cfg.reconnect_attempts > 0 && p->state >= P_JOINED))
        begin_reconnect(p, reason);
    else
        participant_fail(p, E2C_ERR_CONNECT_FAILED, reason);
}

/* ---- the publication ------------------------------------------------------------ */

static void
on_published(gpointer owner, struct e2c_publication *pub)
{
    struct e2c_participant *p = owner;
    const struct e2c_send_branch *video = e2c_publication_video(pub);
    const struct e2c_send_branch *audio = e2c_publication_audio(pub);
    json_t *e = participant_event(p, "published");
    json_object_set_new(e, "room", json_integer((json_int_t)p->cfg.room));
    json_object_set_new(e, "id", json_integer((json_int_t)p->my_id));
    json_object_set_new(e, "e2ee", json_boolean(p->cfg.crypto.e2ee));
    if (video->src)
        json_object_set_new(e, "video", json_string(e2c_codec_name(video->codec)));
    if (audio->src)
        json_object_set_new(e, "audio", json_string(e2c_codec_name(audio->codec)));
    participant_emit(p, e);
}

static void
on_publication_failed(gpointer owner, const GError *error)
{
    struct e2c_participant *p = owner;
    if (p->state < P_LEAVING)
        participant_fail_with(p, error);
}

/*
 * The publication's connection failed or the router hung it up: under heavy
 * loss ICE or DTLS can time out on either side (the router hangs up, "DTLS
 * timeout"), and the next attempt may well get through. Start over like
 * after a lost router where reconnecting is allowed; otherwise the call ends.
 * A publication that is simply not up in time always starts over.
 */
static void
on_publication_stalled(gpointer owner, const char *reason, gboolean failed)
{
    struct e2c_participant *p = owner;
    if (failed && p->cfg.reconnect_attempts == 0)
        participant_fail(p, E2C_ERR_STREAM_CREATE_FAILED, reason);
    else
        participant_lost(p, reason); /* closes the publication */
}

static void
on_key_switched(gpointer owner, const char *track, guint64 kid)
{
    struct e2c_participant *p = owner;
    json_t *e = participant_event(p, "sending-switched");
    json_object_set_new(e, "track", json_string(track));
    gchar *kid_text = g_strdup_printf("%016" G_GINT64_MODIFIER "x", kid);
    json_object_set_new(e, "kid", json_string(kid_text));
    g_free(kid_text);
    participant_emit(p, e);
}

/* The participant's own source outlives a publication: its messages come here. */
static void
on_source_message(gpointer user, GstMessage *msg)
{
    struct e2c_participant *p = user;
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR || p->state >= P_LEAVING)
        return;
    GError *error = NULL;
    gst_message_parse_error(msg, &error, NULL);
    gchar *message = g_strdup_printf("the media source failed in %s: %s",
                                     GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), error->message);
    participant_fail(p, E2C_ERR_STREAM_CREATE_FAILED, message);
    g_free(message);
    g_error_free(error);
}

static void
publish(struct e2c_participant *p)
{
    static const struct e2c_publication_callbacks cb = {on_published, on_publication_failed,
                                                        on_publication_stalled, on_key_switched};
    GError *error = NULL;
    if (!p->source) {
        p->source_bin = gst_bin_new("source");
        if (!e2c_send_source_build(GST_BIN(p->source_bin), &p->cfg.media, &p->own_source, &error)) {
            gst_object_unref(gst_object_ref_sink(p->source_bin));
            p->source_bin = NULL;
            goto fail;
        }
        p->source = &p->own_source;
        e2c_pipeline_route(p->media, GST_OBJECT(p->source_bin), on_source_message, p);
    }
    /* In the pipeline before the branches link to its tees. */
    if (p->source_bin && !GST_OBJECT_PARENT(p->source_bin))
        gst_bin_add(e2c_pipeline_bin(p->media), p->source_bin);
    struct e2c_publication_config cfg = {
        .media = p->media,
        .source = p->source,
        .crypto = &p->cfg.crypto,
        .label = p->label,
        .feed = p->my_id,
        .latency_ms = p->cfg.latency_ms,
        .impair = p->cfg.impair,
    };
    p->pub = e2c_publication_start(p->room, &cfg, &cb, p, &error);
    if (!p->pub)
        goto fail;
    if (p->source_bin)
        gst_element_sync_state_with_parent(p->source_bin);
    return;

fail:;
    gchar *message = g_strdup_printf("cannot publish: %s", error->message);
    participant_fail(p,
                     g_error_matches(error, E2C_ERROR, E2C_ERR_UNSUPPORTED)
                         ? E2C_ERR_UNSUPPORTED
                         : E2C_ERR_STREAM_CREATE_FAILED,
                     message);
    g_free(message);
    g_error_free(error);
}

/* ---- the room's events ------------------------------------------------------------ */

static void
on_room_connected(gpointer owner, const char *server, guint64 session)
{
    struct e2c_participant *p = owner;
    json_t *e = participant_event(p, "connected");
    json_object_set_new(e, "server", json_string(server));
    json_object_set_new(e, "session", json_integer((json_int_t)session));
    participant_emit(p, e);
}

static void
on_room_joined(gpointer owner, guint64 id, const struct e2c_room_feed *publishers, gsize n)
{
    struct e2c_participant *p = owner;
    if (p->state != P_CONNECTING)
        return;
    p->state = P_JOINED;
    p->my_id = id;
    if (p->reconnecting) {
        json_t *r = participant_event(p, "reconnected");
        json_object_set_new(r, "attempts", json_integer(p->reconnect_attempt));
        json_object_set_new(r, "ms-since-lost",
                            json_integer((g_get_monotonic_time() - p->lost_at_us) / 1000));
        participant_emit(p, r);
        p->reconnecting = FALSE;
        p->reconnect_attempt = 0;
    }
    json_t *e = participant_event(p, "joined");
    json_object_set_new(e, "room", json_integer((json_int_t)p->cfg.room));
    json_object_set_new(e, "id", json_integer((json_int_t)p->my_id));
    json_object_set_new(e, "e2ee", json_boolean(p->cfg.crypto.e2ee));
    json_object_set_new(e, "publishers", json_integer((json_int_t)n));
    if (p->cfg.impair.keys) {
        char impair[E2C_IMPAIR_TEXT_LEN];
        e2c_impair_format(&p->cfg.impair, impair);
        json_object_set_new(e, "impair", json_string(impair));
    }
    participant_emit(p, e);

    if (p->cfg.crypto.e2ee && !p->cfg.crypto.key)
        p->awaiting_key = TRUE; /* publishing waits for it; subscriptions hold their frames */
    else if (p->cfg.publish)
        publish(p);
    if (p->cfg.subscribe)
        for (gsize i = 0; i < n; i++)
            subscription_add(p, publishers[i].id, publishers[i].display);
}

static void schedule_attempt(struct e2c_participant *p, const char *reason);

/* A connection that failed while joining: another attempt when reconnecting, else the end. */
static void
connection_error(struct e2c_participant *p, const char *reason)
{
    if (p->reconnecting)
        schedule_attempt(p, reason);
    else
        participant_fail(p, E2C_ERR_CONNECT_FAILED, reason);
}

static void
on_room_join_failed(gpointer owner, const GError *error)
{
    struct e2c_participant *p = owner;
    if (p->state != P_CONNECTING)
        return;
    if (g_error_matches(error, E2C_ROOM_ERROR, E2C_ROOM_ERROR_UNREACHABLE))
        connection_error(p, error->message);
    else
        participant_fail_with(p, error);
}

static void
on_room_publishers(gpointer owner, const struct e2c_room_feed *feeds, gsize n)
{
    struct e2c_participant *p = owner;
    if (!p->cfg.subscribe)
        return;
    for (gsize i = 0; i < n; i++)
        subscription_add(p, feeds[i].id, feeds[i].display);
}

static void
on_room_unpublished(gpointer owner, guint64 feed, const char *why)
{
    subscription_remove(owner, feed, why);
}

static void
on_room_publication_up(gpointer owner)
{
    struct e2c_participant *p = owner;
    if (p->pub) {
        g_debug("publication is up");
        e2c_publication_up(p->pub);
    }
}

static void
on_room_publication_hangup(gpointer owner, const char *reason)
{
    struct e2c_participant *p = owner;
    if (p->pub)
        on_publication_stalled(p, reason, TRUE);
}

static void
on_room_subscription_hangup(gpointer owner, guint64 handle, const char *reason)
{
    struct e2c_participant *p = owner;
    for (guint i = 0; i < p->subs->len; i++) {
        struct e2c_subscription *sub = g_ptr_array_index(p->subs, i);
        if (handle && e2c_subscription_handle(sub) == handle) {
            e2c_subscription_hung_up(sub, reason);
            return;
        }
    }
}

static void
on_room_destroyed(gpointer owner, const GError *error)
{
    participant_fail_with(owner, error);
}

static void
on_room_lost(gpointer owner, const GError *error)
{
    participant_lost(owner, error->message);
}

static void finish_leaving(struct e2c_participant *p);

static void
on_room_left(gpointer owner)
{
    finish_leaving(owner);
}

/* ---- reconnecting ------------------------------------------------------------ */

/* Backoff between attempts (ms); the last value repeats. */
static const guint backoff_ms[] = {0, 500, 1000, 2000, 3000, 5000};

static void
join(struct e2c_participant *p)
{
    struct e2c_room_join how = {
        .rejoin = !p->reconnecting     ? E2C_ROOM_FIRST_JOIN
                  : p->room_may_return ? E2C_ROOM_REJOIN_ROUTER_LOST
                                       : E2C_ROOM_REJOIN_ROUTER_UP,
        .e2ee = p->cfg.crypto.e2ee,
        .plain_requested = p->cfg.plain_requested,
    };
    p->state = P_CONNECTING;
    e2c_room_join(p->room, &how);
}

static gboolean
attempt_reconnect(gpointer data)
{
    struct e2c_participant *p = data;
    p->reconnect_timer = 0;
    p->reconnect_attempt++;
    json_t *e = participant_event(p, "reconnecting");
    json_object_set_new(e, "attempt", json_integer(p->reconnect_attempt));
    json_object_set_new(e, "of", json_integer(p->cfg.reconnect_attempts));
    if (p->reconnect_attempt > 1 && p->lost_reason)
        json_object_set_new(e, "message", json_string(p->lost_reason));
    participant_emit(p, e);
    join(p);
    return G_SOURCE_REMOVE;
}

static void
schedule_attempt(struct e2c_participant *p, const char *reason)
{
    if (p->reconnect_timer)
        return;
    g_free(p->lost_reason);
    p->lost_reason = g_strdup(reason);
    if (p->reconnect_attempt >= p->cfg.reconnect_attempts) {
        p->reconnecting = FALSE;
        gchar *message = g_strdup_printf(
            "gave up after %u reconnection attempt(s) in %.1f s; last: %s", p->reconnect_attempt,
            (g_get_monotonic_time() - p->lost_at_us) / 1e6, reason);
        participant_fail(p, E2C_ERR_CONNECT_FAILED, message);
        g_free(message);
        return;
    }
    guint i = MIN(p->reconnect_attempt, G_N_ELEMENTS(backoff_ms) - 1);
    p->reconnect_timer = g_timeout_add(backoff_ms[i], attempt_reconnect, p);
}

/*
 * The router is gone (connection closed, session timed out), or only our
 * publication. The router's session and handles died with it (a stock
 * router keeps none for a client that comes back): drop the media, then start over with a new
 * session, join, publish and subscribe again.
 */
static void
begin_reconnect(struct e2c_participant *p, const char *reason)
{
    if (!p->reconnecting) {
        p->reconnecting = TRUE;
        p->reconnect_attempt = 0;
        p->lost_at_us = g_get_monotonic_time();
        p->room_may_return = !e2c_room_is_connected(p->room);
        json_t *e = participant_event(p, "connection-lost");
        json_object_set_new(e, "message", json_string(reason));
        participant_emit(p, e);
        subscriptions_end_all(p);
        g_clear_pointer(&p->pub, e2c_publication_free);
        /*
         * Our own source starts over with the next publication: whatever its
         * streaming threads met while the old one went (an error already on
         * its way to the bus, a flow that stopped them) must not end the call
         * or starve the new publication. A shared source (load) is not ours.
         */
        if (p->source_bin) {
            e2c_pipeline_remove(p->media, p->source_bin);
            p->source_bin = NULL;
            p->source = NULL;
        }
    }
    p->state = P_CONNECTING;
    schedule_attempt(p, reason);
}

/* ---- lifecycle ------------------------------------------------------------ */

struct e2c_participant *
e2c_participant_new(const struct e2c_participant_config *cfg, struct e2c_pipeline *media,
                    struct e2c_send_source *source, struct e2c_events *events,
                    const struct e2c_participant_callbacks *cb, gpointer user)
{
    static const struct e2c_room_events room_events = {
        .connected = on_room_connected,
        .joined = on_room_joined,
        .join_failed = on_room_join_failed,
        .publishers = on_room_publishers,
        .unpublished = on_room_unpublished,
        .publication_up = on_room_publication_up,
        .publication_hangup = on_room_publication_hangup,
        .subscription_hangup = on_room_subscription_hangup,
        .destroyed = on_room_destroyed,
        .lost = on_room_lost,
        .left = on_room_left,
    };
    struct e2c_participant *p = g_new0(struct e2c_participant, 1);
    p->cfg = *cfg;
    p->server = g_strdup(cfg->server);
    p->display = g_strdup(cfg->display ? cfg->display : "e2call");
    p->label = g_strdup(cfg->label);
    p->cfg.server = p->server;
    p->cfg.display = p->display;
    p->cfg.label = p->label;
    p->cfg.media.media_file = g_strdup(cfg->media.media_file);
    p->cfg.crypto.room = g_strdup(cfg->crypto.room);
    /* The router's credentials live in the room only (wiped when it goes). */
    p->cfg.ca_file = p->cfg.api_secret = p->cfg.token = p->cfg.room_pin = NULL;
    /*
     * This participant's own replay domain, the same for all its
     * subscriptions, reconnects included, and never another participant's
     * (in a load run each must accept the same sender's frames once).
     */
    static gint participants;
    p->cfg.crypto.replay_domain =
        g_strdup_printf("participant %d", g_atomic_int_add(&participants, 1));
    if (cfg->crypto.key)
        p->cfg.crypto.key = e2c_key_ref(cfg->crypto.key);
    p->cb = *cb;
    p->user = user;
    p->events = events;
    p->media = media;
    p->source = source;
    p->subs = g_ptr_array_new_with_free_func(e2c_subscription_unref);
    p->pending_feeds = g_ptr_array_new_with_free_func(e2c_sub_feed_free);
    p->ended = g_ptr_array_new_with_free_func(g_free);
    struct e2c_room_config room = {
        .server = p->server,
        .room = cfg->room,
        .display = p->display,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .ca_file = cfg->ca_file,
        .api_secret = cfg->api_secret,
        .token = cfg->token,
        .pin = cfg->room_pin,
    };
    p->room = (cfg->room_new ? cfg->room_new : e2c_room_new)(&room, &room_events, p);
    return p;
}

void
e2c_participant_start(struct e2c_participant *p)
{
    p->started_us = g_get_monotonic_time();
    join(p);
}

/* Media first: nothing more goes out while the router is told. */
static void
drop_media(struct e2c_participant *p)
{
    subscriptions_cancel_pending(p);
    drop_all_subscriptions(p);
    g_clear_pointer(&p->pub, e2c_publication_free);
}

static void
finish_leaving(struct e2c_participant *p)
{
    if (p->state == P_LEFT)
        return;
    p->state = P_LEFT;
    drop_media(p);
    if (p->source_bin) {
        e2c_pipeline_remove(p->media, p->source_bin);
        p->source_bin = NULL;
    }
    if (p->cb.left)
        p->cb.left(p->user, p);
}

void
e2c_participant_leave(struct e2c_participant *p, const char *reason)
{
    if (p->state == P_LEAVING || p->state == P_LEFT)
        return;
    if (p->reconnect_timer) {
        g_source_remove(p->reconnect_timer);
        p->reconnect_timer = 0;
    }
    /* Nothing to tell a router we lost. */
    gboolean tell_router = !p->reconnecting && p->state != P_IDLE;
    p->reconnecting = FALSE;
    p->state = P_LEAVING;
    json_t *e = participant_event(p, "left");
    json_object_set_new(e, "reason", json_string(reason ? reason : "done"));
    participant_emit(p, e);

    drop_media(p);
    if (!e2c_room_leave(p->room, tell_router))
        finish_leaving(p);
}

void
e2c_participant_free(struct e2c_participant *p)
{
    if (!p)
        return;
    if (p->reconnect_timer)
        g_source_remove(p->reconnect_timer);
    g_free(p->lost_reason);
    drop_media(p);
    e2c_room_free(p->room);
    g_ptr_array_unref(p->subs);
    g_ptr_array_unref(p->pending_feeds);
    if (p->source_bin)
        e2c_pipeline_remove(p->media, p->source_bin);
    g_ptr_array_unref(p->ended);
    if (p->cfg.crypto.key)
        e2c_key_unref(p->cfg.crypto.key);
    g_free((gchar *)p->cfg.crypto.room);
    g_free(p->cfg.crypto.replay_domain);
    g_free(p->cfg.media.media_file);
    g_free(p->server);
    g_free(p->display);
    g_free(p->label);
    g_free(p);
}

void
e2c_participant_set_key(struct e2c_participant *p, E2cKey *key)
{
    if (!key || !p->cfg.crypto.e2ee)
        return; /* plain participants have no encryption to rekey */
    /* The old key goes after every subscription's lock was taken once (see on_pad_added). */
    E2cKey *old = p->cfg.crypto.key;
    g_atomic_pointer_set(&p->cfg.crypto.key, e2c_key_ref(key));
    gboolean started = FALSE;
    if (p->awaiting_key) {
        p->awaiting_key = FALSE;
        if (p->cfg.publish) {
            publish(p); /* its encryptors start with this key */
            started = TRUE;
        }
    }
    for (guint i = 0; i < p->subs->len; i++)
        e2c_subscription_set_key(g_ptr_array_index(p->subs, i), key);
    /*
     * Not again to a publication that has just started with it: to a
     * running e2csframeenc a key is a rekey, and 2 s later (the switch delay)
     * every call reported a "sending-switched" that no rekey caused.
     */
    if (p->pub && !started)
        e2c_publication_set_key(p->pub, key);
    if (old)
        e2c_key_unref(old);
}

/* ---- queries ---------------------------------------------------------------- */

void
e2c_participant_foreach_stream(struct e2c_participant *p, gboolean include_ended,
                               void (*fn)(gpointer user, const struct e2c_stream_info *s),
                               gpointer user)
{
    for (guint k = 0; k < p->subs->len; k++)
        e2c_subscription_foreach_stream(g_ptr_array_index(p->subs, k), fn, user);
    if (include_ended)
        for (guint i = 0; i < p->ended->len; i++)
            fn(user, g_ptr_array_index(p->ended, i));
}

guint
e2c_participant_subscription_failures(struct e2c_participant *p)
{
    return p->sub_failures;
}

gint64
e2c_participant_started_us(struct e2c_participant *p)
{
    return p->started_us;
}

guint64
e2c_participant_id(struct e2c_participant *p)
{
    return p->my_id;
}

gboolean
e2c_participant_is_publishing(struct e2c_participant *p)
{
    return p->pub && e2c_publication_is_published(p->pub);
}

guint
e2c_participant_snapshots(struct e2c_participant *p, const char *dir)
{
    guint written = 0;
    for (guint k = 0; k < p->subs->len; k++)
        written += e2c_subscription_snapshots(g_ptr_array_index(p->subs, k), dir);
    return written;
}

void
e2c_participant_foreach_send(struct e2c_participant *p,
                             void (*fn)(gpointer user, const struct e2c_send_info *s),
                             gpointer user)
{
    if (p->pub)
        e2c_publication_foreach_send(p->pub, fn, user);
}

const char *
e2c_participant_display(struct e2c_participant *p)
{
    return p->display;
}

guint64
e2c_participant_room(struct e2c_participant *p)
{
    return p->cfg.room;
}

gboolean
e2c_participant_e2ee(struct e2c_participant *p)
{
    return p->cfg.crypto.e2ee;
}
