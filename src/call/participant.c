/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A participant's session: connect, learn whether the room requires E2EE,
 * join as publisher, follow the room's publishers, leave cleanly.
 */
#include "participant-priv.h"

#include <openssl/crypto.h>
#include <string.h>


/* Leaving must not hang on a router that stopped answering. */
#define LEAVE_TIMEOUT_MS 3000

static void
wipe_string(gchar *s)
{
    if (s)
        OPENSSL_cleanse(s, strlen(s));
    g_free(s);
}

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

static void finish_leaving(struct e2c_participant *p);
static void connection_error(struct e2c_participant *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void begin_reconnect(struct e2c_participant *p, const char *reason);

void
participant_fail(struct e2c_participant *p, enum e2c_error err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
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
    g_free(message);
    e2c_participant_leave(p, "error");
}

/* ---- Janus plumbing ----------------------------------------------------- */

/*
 * What the user can do about a refusal: the router's words ("Unauthorized
 * (wrong pin)", "Missing element (pin)", "Unauthorized request (wrong or
 * missing secret/token)") name the thing, not our option.
 */
static const char *
access_hint(const GError *error)
{
    if (!error || error->domain != E2C_JANUS_ERROR)
        return "";
    if (error->code == E2C_JANUS_ERROR_UNAUTHORIZED)
        return " (give the router's API secret or a token: --api-secret-file, --api-secret-env, "
               "--token-file, --token-env)";
    if (error->code == E2C_JANUS_ERROR_UNAUTHORIZED_PLUGIN)
        return " (the token does not allow the VideoRoom plugin)";
    if ((error->code == E2C_JANUS_ERROR_VR_MISSING_ELEMENT ||
         error->code == E2C_JANUS_ERROR_VR_UNAUTHORIZED) &&
        strstr(error->message, "pin"))
        return " (the room's PIN: --room-pin-file, --room-pin-env)";
    return "";
}

static enum e2c_error
error_for_join(const GError *error)
{
    if (error->domain == E2C_JANUS_ERROR && error->code == E2C_JANUS_ERROR_VR_UNAUTHORIZED &&
        strstr(error->message, "end-to-end"))
        return E2C_ERR_ENCRYPTION_SECRET_MISSING;
    return E2C_ERR_CONNECT_FAILED;
}

static void
on_pub_event(E2cJanusClient *client, guint64 handle, E2cJanusMsg *msg, gpointer data)
{
    struct e2c_participant *p = data;
    if (msg->kind == E2C_JANUS_KIND_HANGUP && p->pub) {
        gchar *reason = g_strdup_printf("the router hung up the publication: %s",
                                        msg->reason ? msg->reason : "no reason given");
        publication_failed(p, reason);
        g_free(reason);
        return;
    }
    if (msg->kind == E2C_JANUS_KIND_WEBRTCUP && p->pub) {
        g_debug("publication is up");
        publication_up(p->pub);
        return;
    }
    if (msg->kind != E2C_JANUS_KIND_EVENT || !msg->is_videoroom)
        return;
    const struct e2c_janus_vr_data *vr = &msg->vr;
    /*
     * Somebody with the room's secret (or any client, when it has none)
     * destroyed the room: Janus tells every participant, then closes their
     * PeerConnections. Nothing can come back; rejoining would only meet "No
     * such room".
     */
    if (!g_strcmp0(vr->videoroom, "destroyed") && (!vr->room || vr->room == p->cfg.room)) {
        participant_fail(p, E2C_ERR_CONNECT_FAILED,
                         "room %" G_GUINT64_FORMAT " was destroyed on the router: the call "
                         "cannot go on",
                         p->cfg.room);
        return;
    }
    if (vr->has_publishers && p->cfg.subscribe) {
        for (gsize i = 0; i < vr->n_publishers; i++)
            if (vr->publishers[i].id != p->my_id)
                subscription_add(p, vr->publishers[i].id, vr->publishers[i].display);
    }
    if (vr->unpublished && !vr->unpublished_ok)
        subscription_remove(p, vr->unpublished, "unpublished");
    if (vr->leaving && !vr->leaving_ok)
        subscription_remove(p, vr->leaving, "left");
    if (vr->error_code)
        g_message("router event error %d: %s", vr->error_code, vr->error ? vr->error : "");
}

static void
on_joined(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct e2c_participant *p = data;
    if (p->state != P_JOINING)
        return;
    gboolean no_room =
        error && error->domain == E2C_JANUS_ERROR && error->code == E2C_JANUS_ERROR_VR_NO_SUCH_ROOM;
    if (no_room && p->reconnecting && !p->room_may_return) {
        /* The router stayed up while we rejoined: the room went while the call ran. */
        participant_fail(p, E2C_ERR_CONNECT_FAILED,
                         "room %" G_GUINT64_FORMAT " no longer exists on the router (destroyed "
                         "during the call): %s",
                         p->cfg.room, error->message);
        return;
    }
    /* While reconnecting, a room a restarted router has not re-created yet is worth retrying. */
    if (error && (error->domain != E2C_JANUS_ERROR || (p->reconnecting && no_room))) {
        connection_error(p, "cannot join room %" G_GUINT64_FORMAT ": %s", p->cfg.room,
                         error->message);
        return;
    }
    if (error) {
        participant_fail(p, error_for_join(error), "cannot join room %" G_GUINT64_FORMAT ": %s%s",
                         p->cfg.room, error->message, access_hint(error));
        return;
    }
    if (msg->kind == E2C_JANUS_KIND_ACK)
        return;
    if (!msg->is_videoroom || g_strcmp0(msg->vr.videoroom, "joined") != 0) {
        participant_fail(p, E2C_ERR_CONNECT_FAILED, "unexpected reply to join");
        return;
    }
    p->state = P_JOINED;
    p->my_id = msg->vr.id;
    p->private_id = msg->vr.private_id;
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
    json_object_set_new(e, "publishers", json_integer((json_int_t)msg->vr.n_publishers));
    participant_emit(p, e);

    if (p->cfg.crypto.e2ee && !p->cfg.crypto.key)
        p->awaiting_key = TRUE; /* publishing waits for it; subscriptions hold their frames */
    else if (p->cfg.publish)
        publication_start(p);
    if (p->cfg.subscribe)
        for (gsize i = 0; i < msg->vr.n_publishers; i++)
            subscription_add(p, msg->vr.publishers[i].id, msg->vr.publishers[i].display);
}

static void
join(struct e2c_participant *p)
{
    p->state = P_JOINING;
    json_t *body = e2c_janus_msg_vr_add_pin(
        e2c_janus_msg_vr_join_publisher(p->cfg.room, p->display, 0), p->cfg.room_pin);
    e2c_janus_client_send_message(p->janus, p->pub_handle, body, NULL, on_joined, p);
}

/* Janus 1.1.2 tells whether a room requires E2EE only in "list". */
static void
on_list(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct e2c_participant *p = data;
    if (p->state != P_JOINING)
        return;
    if (error) {
        connection_error(p, "cannot list the rooms: %s", error->message);
        return;
    }
    gboolean found = FALSE, required = FALSE;
    for (gsize i = 0; msg->is_videoroom && i < msg->vr.n_list; i++) {
        if (msg->vr.list[i].room == p->cfg.room) {
            found = TRUE;
            required = msg->vr.list[i].require_e2ee;
        }
    }
    if (found && required && !p->cfg.crypto.e2ee && !p->cfg.plain_requested) {
        participant_fail(p, E2C_ERR_ENCRYPTION_SECRET_MISSING,
                         "room %" G_GUINT64_FORMAT " requires end-to-end encryption and no "
                         "secret was given (--secret-file, --secret-stdin, --secret-env)",
                         p->cfg.room);
        return;
    }
    /* A private room is not listed: the router still refuses a plain publisher there. */
    join(p);
}

static void
on_attached(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct e2c_participant *p = data;
    if (p->state != P_CONNECTING)
        return;
    if (error) {
        connection_error(p, "cannot attach to the VideoRoom: %s%s", error->message,
                         access_hint(error));
        return;
    }
    p->pub_handle = msg->data_id;
    p->state = P_JOINING;
    e2c_janus_client_send_message(p->janus, p->pub_handle, e2c_janus_msg_vr_list(), NULL, on_list,
                                  p);
}

static void
on_session(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct e2c_participant *p = data;
    if (p->state != P_CONNECTING)
        return;
    if (error) {
        connection_error(p, "cannot create a session: %s%s", error->message, access_hint(error));
        return;
    }
    json_t *e = participant_event(p, "connected");
    json_object_set_new(e, "server", json_string(p->server));
    json_object_set_new(e, "session", json_integer((json_int_t)msg->data_id));
    participant_emit(p, e);
    e2c_janus_client_attach(p->janus, E2C_JANUS_PLUGIN_VIDEOROOM, on_pub_event, p, NULL,
                            on_attached, p);
}

static void
on_connected(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct e2c_participant *p = data;
    if (p->state != P_CONNECTING)
        return;
    if (error) {
        connection_error(p, "cannot reach the router at %s: %s", p->server, error->message);
        return;
    }
    e2c_janus_client_create_session(p->janus, on_session, p);
}

static void
on_closed(E2cJanusClient *client, const GError *error, gpointer data)
{
    struct e2c_participant *p = data;
    if (p->state == P_LEAVING || p->state == P_LEFT) {
        finish_leaving(p);
        return;
    }
    gchar *reason = g_strdup_printf("lost the router: %s",
                                    error ? error->message : "connection closed");
    participant_lost(p, reason);
    g_free(reason);
}

/* ---- reconnecting ------------------------------------------------------------ */

/* A Janus client with our settings and credentials, its "closed" handled. */
static E2cJanusClient *
client_new(struct e2c_participant *p)
{
    E2cJanusClient *client = e2c_janus_client_new();
    if (p->cfg.connect_timeout_ms)
        e2c_janus_client_set_connect_timeout(client, p->cfg.connect_timeout_ms);
    e2c_janus_client_set_ca_file(client, p->cfg.ca_file);
    e2c_janus_client_set_credentials(client, p->cfg.api_secret, p->cfg.token);
    p->closed_handler = g_signal_connect(client, "closed", G_CALLBACK(on_closed), p);
    return client;
}

/* Backoff between attempts (ms); the last value repeats. */
static const guint backoff_ms[] = {0, 500, 1000, 2000, 3000, 5000};

static void
new_client(struct e2c_participant *p)
{
    if (p->janus) {
        g_signal_handler_disconnect(p->janus, p->closed_handler);
        e2c_janus_client_close(p->janus);
        g_object_unref(p->janus); /* pending requests go without their callbacks */
    }
    p->janus = client_new(p);
    p->pub_handle = 0;
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
    new_client(p);
    p->state = P_CONNECTING;
    e2c_janus_client_connect(p->janus, p->server, on_connected, p);
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
        participant_fail(p, E2C_ERR_CONNECT_FAILED,
                         "gave up after %u reconnection attempt(s) in %.1f s; last: %s",
                         p->reconnect_attempt, (g_get_monotonic_time() - p->lost_at_us) / 1e6,
                         reason);
        return;
    }
    guint i = MIN(p->reconnect_attempt, G_N_ELEMENTS(backoff_ms) - 1);
    p->reconnect_timer = g_timeout_add(backoff_ms[i], attempt_reconnect, p);
}

/*
 * The router is gone (WebSocket closed, session timed out). With a stock
 * Janus the session and its handles died with it (reclaim 0): drop the media,
 * then start over with a new session, join, publish and subscribe again.
 */
static void
begin_reconnect(struct e2c_participant *p, const char *reason)
{
    if (!p->reconnecting) {
        p->reconnecting = TRUE;
        p->reconnect_attempt = 0;
        p->lost_at_us = g_get_monotonic_time();
        p->room_may_return = !e2c_janus_client_is_connected(p->janus);
        json_t *e = participant_event(p, "connection-lost");
        json_object_set_new(e, "message", json_string(reason));
        participant_emit(p, e);
        subscriptions_end_all(p);
        g_clear_pointer(&p->pub, publication_free);
        /*
         * Our own source starts over with the next publication: whatever its
         * streaming threads met while the old one went (an error already on
         * its way to the bus, a flow that stopped them) must not end the call
         * or starve the new publication. A shared source (load) is not ours.
         */
        if (p->source_bin) {
            e2c_media_remove(p->media, p->source_bin);
            p->source_bin = NULL;
            p->source = NULL;
        }
    }
    p->state = P_CONNECTING;
    schedule_attempt(p, reason);
}

void
participant_lost(struct e2c_participant *p, const char *reason)
{
    if (p->state == P_LEAVING || p->state == P_LEFT)
        return;
    if (p->reconnecting || (p->cfg.reconnect_attempts > 0 && p->state >= P_JOINING))
        begin_reconnect(p, reason);
    else
        participant_fail(p, E2C_ERR_CONNECT_FAILED, "%s", reason);
}

static void
connection_error(struct e2c_participant *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (p->reconnecting)
        schedule_attempt(p, reason);
    else
        participant_fail(p, E2C_ERR_CONNECT_FAILED, "%s", reason);
    g_free(reason);
}

/* ---- lifecycle ------------------------------------------------------------ */

struct e2c_participant *
e2c_participant_new(const struct e2c_participant_config *cfg, struct e2c_media *media,
                    struct e2c_send_source *source, struct e2c_events *events,
                    const struct e2c_participant_callbacks *cb, gpointer user)
{
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
    p->cfg.ca_file = p->ca_file = g_strdup(cfg->ca_file);
    p->cfg.api_secret = p->api_secret = g_strdup(cfg->api_secret);
    p->cfg.token = p->token = g_strdup(cfg->token);
    p->cfg.room_pin = p->room_pin = g_strdup(cfg->room_pin);
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
    p->subs = g_ptr_array_new_with_free_func((GDestroyNotify)subscription_free);
    p->pending_feeds = g_ptr_array_new_with_free_func(sub_feed_free);
    p->ended = g_ptr_array_new_with_free_func(g_free);
    p->janus = client_new(p);
    return p;
}

void
e2c_participant_start(struct e2c_participant *p)
{
    p->state = P_CONNECTING;
    p->started_us = g_get_monotonic_time();
    e2c_janus_client_connect(p->janus, p->server, on_connected, p);
}

static void
finish_leaving(struct e2c_participant *p)
{
    if (p->state == P_LEFT)
        return;
    p->state = P_LEFT;
    if (p->leave_timeout) {
        g_source_remove(p->leave_timeout);
        p->leave_timeout = 0;
    }
    subscriptions_cancel_pending(p);
    g_ptr_array_set_size(p->subs, 0);
    g_clear_pointer(&p->pub, publication_free);
    if (p->source_bin) {
        e2c_media_remove(p->media, p->source_bin);
        p->source_bin = NULL;
    }
    if (p->cb.left)
        p->cb.left(p->user, p);
}

static void
on_session_destroyed(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error,
                     gpointer data)
{
    struct e2c_participant *p = data;
    e2c_janus_client_close(p->janus); /* "closed" finishes leaving */
}

static gboolean
leave_timed_out(gpointer data)
{
    struct e2c_participant *p = data;
    p->leave_timeout = 0;
    g_message("the router did not confirm leaving in time; closing");
    e2c_janus_client_close(p->janus);
    finish_leaving(p);
    return G_SOURCE_REMOVE;
}

void
e2c_participant_leave(struct e2c_participant *p, const char *reason)
{
    if (p->state == P_LEAVING || p->state == P_LEFT)
        return;
    enum participant_state was = p->state;
    if (p->reconnect_timer) {
        g_source_remove(p->reconnect_timer);
        p->reconnect_timer = 0;
    }
    if (p->reconnecting)
        was = P_CONNECTING; /* nothing to tell a router we lost */
    p->reconnecting = FALSE;
    p->state = P_LEAVING;
    json_t *e = participant_event(p, "left");
    json_object_set_new(e, "reason", json_string(reason ? reason : "done"));
    participant_emit(p, e);

    /* Media first: nothing more goes out while the router is told. */
    subscriptions_cancel_pending(p);
    g_ptr_array_set_size(p->subs, 0);
    g_clear_pointer(&p->pub, publication_free);
    if (!e2c_janus_client_is_connected(p->janus) || was == P_IDLE || was == P_CONNECTING) {
        e2c_janus_client_close(p->janus);
        finish_leaving(p);
        return;
    }
    p->leave_timeout = g_timeout_add(LEAVE_TIMEOUT_MS, leave_timed_out, p);
    if (p->pub_handle) {
        e2c_janus_client_send_message(p->janus, p->pub_handle, e2c_janus_msg_vr_leave(), NULL,
                                      NULL, NULL);
        e2c_janus_client_detach(p->janus, p->pub_handle, NULL, NULL);
    }
    if (e2c_janus_client_get_session_id(p->janus))
        e2c_janus_client_destroy_session(p->janus, on_session_destroyed, p);
    else
        e2c_janus_client_close(p->janus);
}

void
e2c_participant_free(struct e2c_participant *p)
{
    if (!p)
        return;
    if (p->leave_timeout)
        g_source_remove(p->leave_timeout);
    if (p->reconnect_timer)
        g_source_remove(p->reconnect_timer);
    g_free(p->lost_reason);
    g_signal_handler_disconnect(p->janus, p->closed_handler);
    subscriptions_cancel_pending(p);
    g_ptr_array_unref(p->subs);
    g_ptr_array_unref(p->pending_feeds);
    g_clear_pointer(&p->pub, publication_free);
    if (p->source_bin)
        e2c_media_remove(p->media, p->source_bin);
    e2c_janus_client_close(p->janus);
    g_object_unref(p->janus);
    g_ptr_array_unref(p->ended);
    if (p->cfg.crypto.key)
        e2c_key_unref(p->cfg.crypto.key);
    g_free((gchar *)p->cfg.crypto.room);
    g_free(p->cfg.crypto.replay_domain);
    g_free(p->cfg.media.media_file);
    g_free(p->server);
    g_free(p->display);
    g_free(p->label);
    g_free(p->ca_file);
    wipe_string(p->api_secret);
    wipe_string(p->token);
    wipe_string(p->room_pin);
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
            publication_start(p); /* its encryptors start with this key */
            started = TRUE;
        }
    }
    for (guint i = 0; i < p->subs->len; i++)
        subscription_set_key(g_ptr_array_index(p->subs, i), key);
    /*
     * Not again to a publication that has just started with it: to a
     * running sframeenc a key is a rekey, and 2 s later (the switch delay)
     * every call reported a "sending-switched" that no rekey caused.
     */
    if (p->pub && !started)
        publication_set_key(p->pub, key);
    if (old)
        e2c_key_unref(old);
}

/* ---- queries ---------------------------------------------------------------- */

void
e2c_participant_foreach_stream(struct e2c_participant *p, gboolean include_ended,
                               void (*fn)(gpointer user, const struct e2c_stream_info *s),
                               gpointer user)
{
    for (guint k = 0; k < p->subs->len; k++) {
        struct subscription *sub = g_ptr_array_index(p->subs, k);
        g_mutex_lock(&sub->lock);
        for (guint i = 0; i < sub->streams->len; i++) {
            struct e2c_stream_info info;
            sub_stream_info(g_ptr_array_index(sub->streams, i), &info);
            fn(user, &info);
        }
        g_mutex_unlock(&sub->lock);
    }
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
    return p->pub && p->pub->published;
}

guint
e2c_participant_snapshots(struct e2c_participant *p, const char *dir)
{
    guint written = 0;
    for (guint k = 0; k < p->subs->len; k++) {
        struct subscription *sub = g_ptr_array_index(p->subs, k);
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
            json_t *e = participant_event(p, "snapshot");
            json_object_set_new(e, "remote", json_string(st->display));
            json_object_set_new(e, "feed", json_integer((json_int_t)st->feed));
            if (e2c_recv_stream_snapshot(st->rs, path, &error)) {
                json_object_set_new(e, "file", json_string(path));
                written++;
            } else {
                json_object_set_new(e, "message", json_string(error->message));
                g_error_free(error);
            }
            participant_emit(p, e);
            g_free(path);
            g_free(name);
            g_free(safe);
        }
        g_mutex_unlock(&sub->lock);
    }
    return written;
}

void
e2c_participant_foreach_send(struct e2c_participant *p,
                             void (*fn)(gpointer user, const struct e2c_send_info *s),
                             gpointer user)
{
    if (!p->pub)
        return;
    struct e2c_send_branch *branches[] = {&p->pub->video, &p->pub->audio};
    for (unsigned i = 0; i < G_N_ELEMENTS(branches); i++) {
        struct e2c_send_branch *b = branches[i];
        if (!b->src)
            continue;
        struct e2c_send_info info = {
            i == 0 ? "video" : "audio", b->codec, b->sframeenc != NULL, 0, 0, 0, 0, 0, 0};
        if (b->sframeenc) {
            GstStructure *st = NULL;
            g_object_get(b->sframeenc, "stats", &st, NULL);
            if (st) {
                gst_structure_get_uint64(st, "kid", &info.kid);
                gst_structure_get_uint64(st, "frames-protected", &info.frames);
                gst_structure_get_uint64(st, "bytes-out", &info.bytes);
                gst_structure_get_uint64(st, "next-ctr", &info.next_ctr);
                gst_structure_get_uint64(st, "previous-kid", &info.previous_kid);
                gst_structure_get_uint64(st, "previous-next-ctr", &info.previous_next_ctr);
                gst_structure_free(st);
            }
        } else {
            info.frames = e2c_send_branch_plain_frames(b);
        }
        fn(user, &info);
    }
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

static json_t *
kid_json(guint64 kid)
{
    if (!kid)
        return json_null();
    gchar *text = g_strdup_printf("%016" G_GINT64_MODIFIER "x", kid);
    json_t *j = json_string(text);
    g_free(text);
    return j;
}

struct status_ctx {
    struct e2c_participant *p;
    json_t *array;
};

static void
status_send(gpointer user, const struct e2c_send_info *s)
{
    struct status_ctx *c = user;
    json_t *o = json_object();
    json_object_set_new(o, "participant", json_string(c->p->display));
    json_object_set_new(o, "direction", json_string("send"));
    json_object_set_new(o, "track", json_string(s->track));
    json_object_set_new(o, "codec", json_string(e2c_codec_name(s->codec)));
    json_object_set_new(o, "state", json_string(s->e2ee ? "encrypting" : "plain"));
    json_object_set_new(o, "kid", kid_json(s->kid));
    json_object_set_new(o, "frames", json_integer((json_int_t)s->frames));
    json_array_append_new(c->array, o);
}

static void
status_recv(gpointer user, const struct e2c_stream_info *s)
{
    struct status_ctx *c = user;
    json_t *o = json_object();
    json_object_set_new(o, "participant", json_string(c->p->display));
    json_object_set_new(o, "direction", json_string("recv"));
    json_object_set_new(o, "remote", json_string(s->display ? s->display : ""));
    json_object_set_new(o, "feed", json_integer((json_int_t)s->feed));
    json_object_set_new(o, "track", json_string(s->track));
    json_object_set_new(o, "codec", json_string(e2c_codec_name(s->codec)));
    json_object_set_new(o, "state", json_string(s->state ? s->state : "?"));
    json_object_set_new(o, "kid", kid_json(s->kid));
    json_object_set_new(o, "frames", json_integer((json_int_t)s->frames_decoded));
    json_object_set_new(o, "frames-decrypted", json_integer((json_int_t)s->frames_ok));
    json_object_set_new(o, "frames-failed", json_integer((json_int_t)s->auth_failed));
    json_object_set_new(o, "frames-replayed", json_integer((json_int_t)s->replayed));
    json_object_set_new(o, "frames-unencrypted", json_integer((json_int_t)s->unencrypted));
    json_object_set_new(o, "frames-stale", json_integer((json_int_t)s->stale));
    json_object_set_new(o, "mismatch-events", json_integer((json_int_t)s->mismatch_events));
    if (s->mismatch_now)
        json_object_set_new(o, "mismatch-cause", json_string(s->mismatch_cause));
    json_object_set_new(o, "match-events", json_integer((json_int_t)s->match_events));
    if (!strcmp(s->track, "video"))
        json_object_set_new(o, "frames-lost", json_integer((json_int_t)s->frames_lost));
    json_object_set_new(o, "verified", json_boolean(s->verified));
    json_array_append_new(c->array, o);
}

void
e2c_participant_status_json(struct e2c_participant *p, json_t *array)
{
    struct status_ctx c = {p, array};
    e2c_participant_foreach_send(p, status_send, &c);
    e2c_participant_foreach_stream(p, FALSE, status_recv, &c);
}
