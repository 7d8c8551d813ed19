/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The room interface over Janus VideoRoom: connect, session, publisher
 * handle, "list" (the only place Janus 1.1.2 tells whether a room requires
 * E2EE), join; configure with the offer (the E2EE flag inside the jsep);
 * subscriber handles joined with the room's PIN and our private id; start,
 * trickle, leave, detach, destroy.
 *
 * Every Janus client callback finds its room through the client (a client
 * that was dropped finds none) and its request through an id (a request
 * that was dropped or cancelled finds none): nothing the room gave away can
 * dangle, whatever the client still delivers.
 */
#include "janus-room.h"

#include <openssl/crypto.h>
#include <string.h>

#include "janus-client.h"

/* Leaving must not hang on a router that stopped answering. */
#define LEAVE_TIMEOUT_MS 3000

G_DEFINE_QUARK(e2c - room - error - quark, e2c_room_error)

enum room_state {
    R_IDLE,
    R_CONNECTING, /* connection, session, publisher handle */
    R_JOINING,    /* list, join */
    R_JOINED,
    R_LEAVING,
    R_LEFT,
};

/* An owner's request waiting for the router. */
struct request {
    guint id;
    gpointer user;
    GDestroyNotify destroy;
    union {
        E2cRoomAnswerFunc answer;
        E2cRoomOfferFunc offer;
        E2cRoomDoneFunc done;
    } cb;
    guint64 handle;                  /* subscriptions: the handle once attached */
    struct e2c_janus_vr_feed *feeds; /* subscribe: whom to join for */
    gsize n_feeds;
    gboolean e2ee; /* publish: the offer carried the E2EE flag */
    gboolean cancelled;
};

struct janus_room {
    struct e2c_room base;
    gchar *server, *display, *ca_file, *api_secret, *token, *pin;
    guint64 room;
    guint connect_timeout_ms;
    E2cJanusClient *client;
    gulong closed_handler;
    enum room_state state;
    struct e2c_room_join how;
    guint64 pub_handle, my_id, private_id;
    GPtrArray *retired;   /* dropped clients (closed), until they can go */
    GHashTable *requests; /* id -> struct request, of the current client */
    guint next_request;
    guint leave_timeout;
};

#define ROOM_KEY "e2c-janus-room"

static struct janus_room *
room_of(E2cJanusClient *client)
{
    return g_object_get_data(G_OBJECT(client), ROOM_KEY);
}

static void
wipe_string(gchar *s)
{
    if (s)
        OPENSSL_cleanse(s, strlen(s));
    g_free(s);
}

/* ---- requests ------------------------------------------------------------------- */

static void
request_free(gpointer data)
{
    struct request *req = data;
    if (req->destroy && !req->cancelled)
        req->destroy(req->user);
    g_free(req->feeds);
    g_free(req);
}

static struct request *
request_new(struct janus_room *r, gpointer user, GDestroyNotify destroy)
{
    struct request *req = g_new0(struct request, 1);
    req->id = ++r->next_request;
    req->user = user;
    req->destroy = destroy;
    g_hash_table_insert(r->requests, GUINT_TO_POINTER(req->id), req);
    return req;
}

static struct request *
request_of(struct janus_room *r, gpointer data)
{
    return r ? g_hash_table_lookup(r->requests, data) : NULL;
}

static void
request_done(struct janus_room *r, struct request *req)
{
    g_hash_table_remove(r->requests, GUINT_TO_POINTER(req->id));
}

/* A reply for a plugin message: TRUE when it is the last call for this request. */
static gboolean
reply_final(E2cJanusMsg *msg, const GError *error)
{
    return error || !msg || msg->kind != E2C_JANUS_KIND_ACK;
}

/* ---- the connection --------------------------------------------------------------- */

static void on_closed(E2cJanusClient *client, const GError *error, gpointer data);

/*
 * Drops the client without a word from it; its requests go with it. It may
 * be dropped from inside one of its own callbacks: its last reference goes
 * later, from the next join or when the room goes.
 */
static void
drop_client(struct janus_room *r)
{
    if (!r->client)
        return;
    g_signal_handler_disconnect(r->client, r->closed_handler);
    g_object_set_data(G_OBJECT(r->client), ROOM_KEY, NULL);
    e2c_janus_client_close(r->client);
    g_ptr_array_add(r->retired, g_steal_pointer(&r->client));
    g_hash_table_remove_all(r->requests);
    r->pub_handle = 0;
}

static void
new_client(struct janus_room *r)
{
    drop_client(r);
    g_ptr_array_set_size(r->retired, 0); /* pending requests go without their callbacks */
    r->client = e2c_janus_client_new();
    g_object_set_data(G_OBJECT(r->client), ROOM_KEY, r);
    if (r->connect_timeout_ms)
        e2c_janus_client_set_connect_timeout(r->client, r->connect_timeout_ms);
    e2c_janus_client_set_ca_file(r->client, r->ca_file);
    e2c_janus_client_set_credentials(r->client, r->api_secret, r->token);
    r->closed_handler = g_signal_connect(r->client, "closed", G_CALLBACK(on_closed), NULL);
}

/*
 * What the user can do about a refusal: the router's words ("Unauthorized
 * (wrong pin)", "Missing element (pin)", "Unauthorized request (wrong or
 * missing secret/token)") name the thing, not our option. Told by the
 * error's code and the request it answers, never by its words: a join
 * carries the room's PIN and nothing else the room may refuse (VideoRoom
 * checks E2EE when a publisher offers), so a missing element or an
 * unauthorized join is the PIN.
 */
static const char *
access_hint(const GError *error, gboolean join)
{
    if (!error || error->domain != E2C_JANUS_ERROR)
        return "";
    if (error->code == E2C_JANUS_ERROR_UNAUTHORIZED)
        return " (give the router's API secret or a token: --api-secret-file, --api-secret-env, "
               "--token-file, --token-env)";
    if (error->code == E2C_JANUS_ERROR_UNAUTHORIZED_PLUGIN)
        return " (the token does not allow the VideoRoom plugin)";
    if (join && (error->code == E2C_JANUS_ERROR_VR_MISSING_ELEMENT ||
                 error->code == E2C_JANUS_ERROR_VR_UNAUTHORIZED))
        return " (the room's PIN: --room-pin-file, --room-pin-env)";
    return "";
}

static void join_failed(struct janus_room *r, GQuark domain, gint code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
join_failed(struct janus_room *r, GQuark domain, gint code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    GError *error = g_error_new_valist(domain, code, fmt, ap);
    va_end(ap);
    r->base.events.join_failed(r->base.owner, error);
    g_error_free(error);
}

static void
on_pub_event(E2cJanusClient *client, guint64 handle, E2cJanusMsg *msg, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (!r)
        return;
    const struct e2c_room_events *ev = &r->base.events;
    if (msg->kind == E2C_JANUS_KIND_HANGUP) {
        gchar *reason = g_strdup_printf("the router hung up the publication: %s",
                                        msg->reason ? msg->reason : "no reason given");
        ev->publication_hangup(r->base.owner, reason);
        g_free(reason);
        return;
    }
    if (msg->kind == E2C_JANUS_KIND_WEBRTCUP) {
        ev->publication_up(r->base.owner);
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
    if (!g_strcmp0(vr->videoroom, "destroyed") && (!vr->room || vr->room == r->room)) {
        GError *error = g_error_new(E2C_ERROR, E2C_ERR_CONNECT_FAILED,
                                    "room %" G_GUINT64_FORMAT " was destroyed on the router: "
                                    "the call cannot go on",
                                    r->room);
        ev->destroyed(r->base.owner, error);
        g_error_free(error);
        return;
    }
    if (vr->has_publishers) {
        struct e2c_room_feed *feeds = g_new0(struct e2c_room_feed, vr->n_publishers + 1);
        gsize n = 0;
        for (gsize i = 0; i < vr->n_publishers; i++) {
            if (vr->publishers[i].id == r->my_id)
                continue;
            feeds[n].id = vr->publishers[i].id;
            feeds[n++].display = vr->publishers[i].display ? vr->publishers[i].display : "";
        }
        ev->publishers(r->base.owner, feeds, n);
        g_free(feeds);
    }
    if (vr->unpublished && !vr->unpublished_ok)
        ev->unpublished(r->base.owner, vr->unpublished, "unpublished");
    if (vr->leaving && !vr->leaving_ok)
        ev->unpublished(r->base.owner, vr->leaving, "left");
    if (vr->error_code)
        g_message("router event error %d: %s", vr->error_code, vr->error ? vr->error : "");
}

static void
on_joined(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (!r || r->state != R_JOINING)
        return;
    gboolean no_room =
        error && error->domain == E2C_JANUS_ERROR && error->code == E2C_JANUS_ERROR_VR_NO_SUCH_ROOM;
    if (no_room && r->how.rejoin == E2C_ROOM_REJOIN_ROUTER_UP) {
        /* The router stayed up while we rejoined: the room went while the call ran. */
        join_failed(r, E2C_ERROR, E2C_ERR_CONNECT_FAILED,
                    "room %" G_GUINT64_FORMAT " no longer exists on the router (destroyed "
                    "during the call): %s",
                    r->room, error->message);
        return;
    }
    /* A room a restarted router has not re-created yet is worth another attempt. */
    if (error && (error->domain != E2C_JANUS_ERROR ||
                  (r->how.rejoin == E2C_ROOM_REJOIN_ROUTER_LOST && no_room))) {
        join_failed(r, E2C_ROOM_ERROR, E2C_ROOM_ERROR_UNREACHABLE,
                    "cannot join room %" G_GUINT64_FORMAT ": %s", r->room, error->message);
        return;
    }
    /*
     * VideoRoom checks a room's E2EE requirement when a publisher offers,
     * not at join: a refused join (PIN, token) is a refused connection.
     */
    if (error) {
        join_failed(r, E2C_ERROR, E2C_ERR_CONNECT_FAILED,
                    "cannot join room %" G_GUINT64_FORMAT ": %s%s", r->room, error->message,
                    access_hint(error, TRUE));
        return;
    }
    if (msg->kind == E2C_JANUS_KIND_ACK)
        return;
    if (!msg->is_videoroom || g_strcmp0(msg->vr.videoroom, "joined") != 0) {
        join_failed(r, E2C_ERROR, E2C_ERR_CONNECT_FAILED, "unexpected reply to join");
        return;
    }
    r->state = R_JOINED;
    r->my_id = msg->vr.id;
    r->private_id = msg->vr.private_id;
    struct e2c_room_feed *feeds = g_new0(struct e2c_room_feed, msg->vr.n_publishers + 1);
    for (gsize i = 0; i < msg->vr.n_publishers; i++) {
        feeds[i].id = msg->vr.publishers[i].id;
        feeds[i].display = msg->vr.publishers[i].display ? msg->vr.publishers[i].display : "";
    }
    r->base.events.joined(r->base.owner, r->my_id, feeds, msg->vr.n_publishers);
    g_free(feeds);
}

static void
send_join(struct janus_room *r)
{
    json_t *body =
        e2c_janus_msg_vr_add_pin(e2c_janus_msg_vr_join_publisher(r->room, r->display, 0), r->pin);
    e2c_janus_client_send_message(r->client, r->pub_handle, body, NULL, on_joined, NULL);
}

/* Janus 1.1.2 tells whether a room requires E2EE only in "list". */
static void
on_list(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (!r || r->state != R_JOINING)
        return;
    if (error) {
        join_failed(r, E2C_ROOM_ERROR, E2C_ROOM_ERROR_UNREACHABLE, "cannot list the rooms: %s",
                    error->message);
        return;
    }
    gboolean found = FALSE, required = FALSE;
    for (gsize i = 0; msg->is_videoroom && i < msg->vr.n_list; i++) {
        if (msg->vr.list[i].room == r->room) {
            found = TRUE;
            required = msg->vr.list[i].require_e2ee;
        }
    }
    if (found && required && !r->how.e2ee && !r->how.plain_requested) {
        join_failed(r, E2C_ERROR, E2C_ERR_ENCRYPTION_SECRET_MISSING,
                    "room %" G_GUINT64_FORMAT " requires end-to-end encryption and no "
                    "secret was given (--secret-file, --secret-stdin, --secret-env)",
                    r->room);
        return;
    }
    /* A private room is not listed: the router still refuses a plain publisher there. */
    send_join(r);
}

static void
on_attached(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (!r || r->state != R_CONNECTING)
        return;
    if (error) {
        join_failed(r, E2C_ROOM_ERROR, E2C_ROOM_ERROR_UNREACHABLE,
                    "cannot attach to the VideoRoom: %s%s", error->message,
                    access_hint(error, FALSE));
        return;
    }
    r->pub_handle = msg->data_id;
    r->state = R_JOINING;
    e2c_janus_client_send_message(r->client, r->pub_handle, e2c_janus_msg_vr_list(), NULL, on_list,
                                  NULL);
}

static void
on_session(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (!r || r->state != R_CONNECTING)
        return;
    if (error) {
        join_failed(r, E2C_ROOM_ERROR, E2C_ROOM_ERROR_UNREACHABLE, "cannot create a session: %s%s",
                    error->message, access_hint(error, FALSE));
        return;
    }
    r->base.events.connected(r->base.owner, r->server, msg->data_id);
    if (room_of(client) != r || r->state != R_CONNECTING)
        return; /* the owner left when it heard */
    e2c_janus_client_attach(r->client, E2C_JANUS_PLUGIN_VIDEOROOM, on_pub_event, NULL, NULL,
                            on_attached, NULL);
}

static void
on_connected(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (!r || r->state != R_CONNECTING)
        return;
    if (error) {
        join_failed(r, E2C_ROOM_ERROR, E2C_ROOM_ERROR_UNREACHABLE,
                    "cannot reach the router at %s: %s", r->server, error->message);
        return;
    }
    e2c_janus_client_create_session(r->client, on_session, NULL);
}

static void
finish_leaving(struct janus_room *r)
{
    if (r->state == R_LEFT)
        return;
    r->state = R_LEFT;
    if (r->leave_timeout) {
        g_source_remove(r->leave_timeout);
        r->leave_timeout = 0;
    }
    r->base.events.left(r->base.owner);
}

static void
on_closed(E2cJanusClient *client, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (!r)
        return;
    if (r->state == R_LEAVING || r->state == R_LEFT) {
        finish_leaving(r);
        return;
    }
    GError *lost = g_error_new(E2C_ROOM_ERROR, E2C_ROOM_ERROR_UNREACHABLE, "lost the router: %s",
                               error ? error->message : "connection closed");
    r->base.events.lost(r->base.owner, lost);
    g_error_free(lost);
}

static void
room_join(struct e2c_room *room, const struct e2c_room_join *how)
{
    struct janus_room *r = (struct janus_room *)room;
    r->how = *how;
    new_client(r);
    r->state = R_CONNECTING;
    e2c_janus_client_connect(r->client, r->server, on_connected, NULL);
}

/* ---- publishing --------------------------------------------------------------------- */

/* A request made without a connection (after leaving): dropped like one the connection lost. */
static gboolean
no_client(struct janus_room *r, gpointer user, GDestroyNotify destroy)
{
    if (r->client)
        return FALSE;
    if (destroy)
        destroy(user);
    return TRUE;
}

static void
on_configured(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    struct request *req = request_of(r, data);
    if (!req)
        return;
    if (!reply_final(msg, error))
        return;
    GError *failure = NULL;
    if (error) {
        /*
         * VideoRoom refuses a publish as unauthorized only in a room that
         * requires E2EE, and only when the offer does not carry the flag.
         */
        gboolean e2ee_refused = error->domain == E2C_JANUS_ERROR &&
                                error->code == E2C_JANUS_ERROR_VR_UNAUTHORIZED && !req->e2ee;
        failure = g_error_new(E2C_ERROR,
                              e2ee_refused ? E2C_ERR_ENCRYPTION_SECRET_MISSING
                                           : E2C_ERR_STREAM_CREATE_FAILED,
                              "the router refused to publish: %s", error->message);
    } else if (!msg->has_jsep || g_strcmp0(msg->jsep.type, "answer") != 0 || !msg->jsep.sdp) {
        failure = g_error_new(E2C_ERROR, E2C_ERR_STREAM_CREATE_FAILED, "the router sent no answer");
    } else if (req->e2ee && !msg->jsep.e2ee) {
        g_message("the router did not confirm e2ee in its answer");
    }
    if (!req->cancelled)
        req->cb.answer(req->user, failure ? NULL : msg->jsep.sdp, failure);
    g_clear_error(&failure);
    if (request_of(room_of(client), data))
        request_done(r, req);
}

static void
room_publish(struct e2c_room *room, const char *offer_sdp, gboolean audio, gboolean video,
             gboolean e2ee, E2cRoomAnswerFunc done, gpointer user, GDestroyNotify destroy)
{
    struct janus_room *r = (struct janus_room *)room;
    if (no_client(r, user, destroy))
        return;
    struct request *req = request_new(r, user, destroy);
    req->cb.answer = done;
    req->e2ee = e2ee;
    json_t *body = e2c_janus_msg_vr_configure(audio, video);
    json_t *jsep = e2c_janus_msg_jsep("offer", offer_sdp, e2ee);
    e2c_janus_client_send_message(r->client, r->pub_handle, body, jsep, on_configured,
                                  GUINT_TO_POINTER(req->id));
}

/* ---- subscribing ------------------------------------------------------------------- */

static void offer_failed(struct request *req, GQuark domain, gint code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
offer_failed(struct request *req, GQuark domain, gint code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    GError *error = g_error_new_valist(domain, code, fmt, ap);
    va_end(ap);
    if (!req->cancelled)
        req->cb.offer(req->user, req->handle, NULL, NULL, 0, error);
    g_error_free(error);
}

static void
on_sub_joined(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    struct request *req = request_of(r, data);
    if (!req || !reply_final(msg, error))
        return;
    if (req->cancelled) {
        /* Given up while joining: nothing to hear any more. */
    } else if (error) {
        gboolean gone =
            error->domain == E2C_JANUS_ERROR && error->code == E2C_JANUS_ERROR_VR_NO_SUCH_FEED;
        offer_failed(req, gone ? E2C_ROOM_ERROR : E2C_ERROR,
                     gone ? E2C_ROOM_ERROR_NO_SUCH_FEED : E2C_ERR_UNABLE_TO_SUBSCRIBE,
                     "the router refused the subscription: %s", error->message);
    } else if (!msg->has_jsep || g_strcmp0(msg->jsep.type, "offer") != 0 || !msg->jsep.sdp) {
        offer_failed(req, E2C_ERROR, E2C_ERR_UNABLE_TO_SUBSCRIBE, "the router sent no offer");
    } else {
        struct e2c_room_stream *streams = g_new0(struct e2c_room_stream, msg->vr.n_streams + 1);
        gsize n = 0;
        for (gsize i = 0; i < msg->vr.n_streams; i++) {
            if (!msg->vr.streams[i].mid)
                continue;
            streams[n].mid = msg->vr.streams[i].mid;
            streams[n++].feed = msg->vr.streams[i].feed_id;
        }
        req->cb.offer(req->user, req->handle, msg->jsep.sdp, streams, n, NULL);
        g_free(streams);
    }
    if (request_of(room_of(client), data))
        request_done(r, req);
}

static void
on_sub_event(E2cJanusClient *client, guint64 handle, E2cJanusMsg *msg, gpointer data)
{
    struct janus_room *r = room_of(client);
    if (msg->kind != E2C_JANUS_KIND_HANGUP || !r || !r->base.events.subscription_hangup)
        return;
    gchar *reason = g_strdup_printf("the router hung up the subscription: %s",
                                    msg->reason ? msg->reason : "no reason given");
    r->base.events.subscription_hangup(r->base.owner, handle, reason);
    g_free(reason);
}

static void
on_sub_attached(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    struct request *req = request_of(r, data);
    if (!req)
        return;
    if (!error)
        req->handle = msg->data_id;
    if (req->cancelled) {
        /* Given up while attaching: give the handle back. */
        if (!error && e2c_janus_client_is_connected(client))
            e2c_janus_client_detach(client, req->handle, NULL, NULL);
        request_done(r, req);
    } else if (error) {
        offer_failed(req, E2C_ERROR, E2C_ERR_UNABLE_TO_SUBSCRIBE,
                     "cannot attach a subscriber handle: %s", error->message);
        if (request_of(room_of(client), data))
            request_done(r, req);
    } else {
        /* Janus checks the room's PIN on every join, a subscriber's too. */
        json_t *body = e2c_janus_msg_vr_add_pin(
            e2c_janus_msg_vr_join_subscriber(r->room, req->feeds, req->n_feeds, r->private_id),
            r->pin);
        e2c_janus_client_send_message(r->client, req->handle, body, NULL, on_sub_joined, data);
    }
}

static void
room_subscribe(struct e2c_room *room, const guint64 *feeds, gsize n_feeds,
               E2cRoomOfferFunc got_offer, gpointer user, GDestroyNotify destroy)
{
    struct janus_room *r = (struct janus_room *)room;
    if (no_client(r, user, destroy))
        return;
    struct request *req = request_new(r, user, destroy);
    req->cb.offer = got_offer;
    req->feeds = g_new0(struct e2c_janus_vr_feed, n_feeds + 1);
    req->n_feeds = n_feeds;
    for (gsize i = 0; i < n_feeds; i++)
        req->feeds[i].feed = feeds[i];
    e2c_janus_client_attach(r->client, E2C_JANUS_PLUGIN_VIDEOROOM, on_sub_event, NULL, NULL,
                            on_sub_attached, GUINT_TO_POINTER(req->id));
}

static void
on_started(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct janus_room *r = room_of(client);
    struct request *req = request_of(r, data);
    if (!req || !reply_final(msg, error))
        return;
    if (!req->cancelled) {
        GError *failure = error ? g_error_new(E2C_ERROR, E2C_ERR_UNABLE_TO_SUBSCRIBE,
                                              "the router refused to start: %s", error->message)
                                : NULL;
        req->cb.done(req->user, failure);
        g_clear_error(&failure);
    }
    if (request_of(room_of(client), data))
        request_done(r, req);
}

static void
room_start(struct e2c_room *room, guint64 handle, const char *answer_sdp, E2cRoomDoneFunc done,
           gpointer user, GDestroyNotify destroy)
{
    struct janus_room *r = (struct janus_room *)room;
    if (no_client(r, user, destroy))
        return;
    struct request *req = request_new(r, user, destroy);
    req->cb.done = done;
    req->handle = handle;
    json_t *jsep = e2c_janus_msg_jsep("answer", answer_sdp, FALSE);
    e2c_janus_client_send_message(r->client, handle, e2c_janus_msg_vr_start(r->room), jsep,
                                  on_started, GUINT_TO_POINTER(req->id));
}

static void
room_trickle(struct e2c_room *room, guint64 handle, guint mline, const char *candidate)
{
    struct janus_room *r = (struct janus_room *)room;
    if (!r->client)
        return;
    if (handle == E2C_ROOM_PUBLICATION)
        handle = r->pub_handle;
    if (candidate)
        e2c_janus_client_trickle(r->client, handle, candidate, NULL, (gint)mline, NULL, NULL);
    else
        e2c_janus_client_trickle_completed(r->client, handle, NULL, NULL);
}

static void
room_cancel(struct e2c_room *room, gpointer user)
{
    struct janus_room *r = (struct janus_room *)room;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, r->requests);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct request *req = value;
        if (req->user != user || req->cancelled)
            continue;
        /* Kept until its reply, which may bring a handle to give back. */
        req->cancelled = TRUE;
        if (req->destroy)
            req->destroy(req->user);
    }
}

static void
room_unsubscribe(struct e2c_room *room, guint64 handle, gboolean say_leave)
{
    struct janus_room *r = (struct janus_room *)room;
    if (!handle || !r->client || !e2c_janus_client_is_connected(r->client))
        return;
    if (say_leave)
        e2c_janus_client_send_message(r->client, handle, e2c_janus_msg_vr_leave(), NULL, NULL,
                                      NULL);
    e2c_janus_client_detach(r->client, handle, NULL, NULL);
}

/* ---- leaving ----------------------------------------------------------------------- */

static void
on_session_destroyed(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    if (room_of(client))
        e2c_janus_client_close(client); /* "closed" finishes leaving */
}

static gboolean
leave_timed_out(gpointer data)
{
    struct janus_room *r = data;
    r->leave_timeout = 0;
    g_message("the router did not confirm leaving in time; closing");
    e2c_janus_client_close(r->client);
    finish_leaving(r);
    return G_SOURCE_REMOVE;
}

static gboolean
room_leave(struct e2c_room *room, gboolean tell_router)
{
    struct janus_room *r = (struct janus_room *)room;
    if (r->state == R_LEAVING || r->state == R_LEFT)
        return r->state == R_LEAVING;
    if (!tell_router || !r->client || !e2c_janus_client_is_connected(r->client) ||
        r->state == R_IDLE || r->state == R_CONNECTING) {
        drop_client(r);
        r->state = R_LEFT;
        return FALSE;
    }
    r->state = R_LEAVING;
    r->leave_timeout = g_timeout_add(LEAVE_TIMEOUT_MS, leave_timed_out, r);
    if (r->pub_handle) {
        e2c_janus_client_send_message(r->client, r->pub_handle, e2c_janus_msg_vr_leave(), NULL,
                                      NULL, NULL);
        e2c_janus_client_detach(r->client, r->pub_handle, NULL, NULL);
    }
    if (e2c_janus_client_get_session_id(r->client))
        e2c_janus_client_destroy_session(r->client, on_session_destroyed, NULL);
    else
        e2c_janus_client_close(r->client);
    return TRUE;
}

static gboolean
room_is_connected(struct e2c_room *room)
{
    struct janus_room *r = (struct janus_room *)room;
    return r->client && e2c_janus_client_is_connected(r->client);
}

static void
room_free(struct e2c_room *room)
{
    struct janus_room *r = (struct janus_room *)room;
    if (r->leave_timeout)
        g_source_remove(r->leave_timeout);
    drop_client(r);
    g_ptr_array_unref(r->retired);
    g_hash_table_unref(r->requests);
    g_free(r->server);
    g_free(r->display);
    g_free(r->ca_file);
    wipe_string(r->api_secret);
    wipe_string(r->token);
    wipe_string(r->pin);
    g_free(r);
}

static const struct e2c_room_ops janus_room_ops = {
    .join = room_join,
    .publish = room_publish,
    .subscribe = room_subscribe,
    .start = room_start,
    .trickle = room_trickle,
    .cancel = room_cancel,
    .unsubscribe = room_unsubscribe,
    .leave = room_leave,
    .is_connected = room_is_connected,
    .free = room_free,
};

struct e2c_room *
e2c_janus_room_new(const struct e2c_room_config *cfg, const struct e2c_room_events *events,
                   gpointer owner)
{
    struct janus_room *r = g_new0(struct janus_room, 1);
    r->base.ops = &janus_room_ops;
    r->base.events = *events;
    r->base.owner = owner;
    r->server = g_strdup(cfg->server);
    r->room = cfg->room;
    r->display = g_strdup(cfg->display);
    r->connect_timeout_ms = cfg->connect_timeout_ms;
    r->ca_file = g_strdup(cfg->ca_file);
    r->api_secret = g_strdup(cfg->api_secret);
    r->token = g_strdup(cfg->token);
    r->pin = g_strdup(cfg->pin);
    r->retired = g_ptr_array_new_with_free_func(g_object_unref);
    r->requests = g_hash_table_new_full(NULL, NULL, NULL, request_free);
    return &r->base;
}
