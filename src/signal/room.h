/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A room on a router, as a participant's publication and subscriptions use
 * it: join, publish one offer, subscribe to publishers, answer their offers,
 * trickle candidates, leave. What the router says comes back as the owner's
 * events. Knows SDP only as text, never a pipeline.
 *
 * e2c_room_new() picks the implementation for the router's URL: today a
 * Janus VideoRoom (janus-room.h) for ws:// and wss://. Unit tests bring
 * their own. An implementation embeds struct e2c_room first and fills in
 * its ops.
 *
 * Failures are GErrors: E2C_ERROR with the product's error (enum e2c_error)
 * where the room already knows what the failure means, E2C_ROOM_ERROR for
 * what the owner decides (another attempt, another way to subscribe).
 * Messages are written for the user and complete.
 *
 * Runs on the main loop. Callbacks never run from inside the call that
 * started a request.
 */
#pragma once

#include <glib.h>

#include "errors.h"

G_BEGIN_DECLS

#define E2C_ROOM_ERROR (e2c_room_error_quark())
GQuark e2c_room_error_quark(void);

typedef enum {
    /* The router could not be reached or stopped answering: worth another attempt. */
    E2C_ROOM_ERROR_UNREACHABLE,
    /* A subscription named a publisher that has gone: ask for the others alone. */
    E2C_ROOM_ERROR_NO_SUCH_FEED,
} E2cRoomError;

/* The publication's handle in trickle(); subscriptions use the handle subscribe() gave. */
#define E2C_ROOM_PUBLICATION 0

/* A publisher in the room. */
struct e2c_room_feed {
    guint64 id;
    const char *display; /* never NULL */
};

/* Which publisher an m-line of a subscription's offer carries. */
struct e2c_room_stream {
    const char *mid;
    guint64 feed;
};

/* What joining is: the first time, or again after losing the router or only our publication. */
enum e2c_room_rejoin {
    E2C_ROOM_FIRST_JOIN,
    /* The connection was lost: the router may have restarted and not re-created the room yet. */
    E2C_ROOM_REJOIN_ROUTER_LOST,
    /* The router stayed up: a room missing now was destroyed during the call. */
    E2C_ROOM_REJOIN_ROUTER_UP,
};

struct e2c_room_join {
    enum e2c_room_rejoin rejoin;
    gboolean e2ee;            /* we publish encrypted */
    gboolean plain_requested; /* publish plain even where the room requires E2EE */
};

/* The owner's events. Every pointer argument is valid during the call only. */
struct e2c_room_events {
    /* The router accepted us (a session): before joined. */
    void (*connected)(gpointer owner, const char *server, guint64 session);
    /* Joined as id; publishers are the room's at that moment. */
    void (*joined)(gpointer owner, guint64 id, const struct e2c_room_feed *publishers, gsize n);
    /* Joining failed: E2C_ROOM_ERROR_UNREACHABLE, or E2C_ERROR (final). */
    void (*join_failed)(gpointer owner, const GError *error);
    /* Publishers that appeared after joining. */
    void (*publishers)(gpointer owner, const struct e2c_room_feed *feeds, gsize n);
    /* A publisher stopped publishing (why: "unpublished") or left the room ("left"). */
    void (*unpublished)(gpointer owner, guint64 feed, const char *why);
    /* The publication's media path is up on the router's side. */
    void (*publication_up)(gpointer owner);
    /* The router hung up the publication (its PeerConnection). */
    void (*publication_hangup)(gpointer owner, const char *reason);
    /* The router hung up the subscription on handle (its PeerConnection). */
    void (*subscription_hangup)(gpointer owner, guint64 handle, const char *reason);
    /* The room was destroyed on the router: nothing can come back (E2C_ERROR). */
    void (*destroyed)(gpointer owner, const GError *error);
    /* The connection to the router is gone (it closed, the session died). */
    void (*lost)(gpointer owner, const GError *error);
    /* Leaving finished after e2c_room_leave() returned TRUE. */
    void (*left)(gpointer owner);
};

/* answer_sdp NULL with error set on failure (E2C_ERROR). */
typedef void (*E2cRoomAnswerFunc)(gpointer user, const char *answer_sdp, const GError *error);
/*
 * A subscription's offer: handle is its handle on the router (0 when it
 * could not be had), streams say which publisher each m-line carries. On
 * failure offer_sdp is NULL and error is E2C_ROOM_ERROR_NO_SUCH_FEED or
 * E2C_ERROR (E2C_ERR_UNABLE_TO_SUBSCRIBE).
 */
typedef void (*E2cRoomOfferFunc)(gpointer user, guint64 handle, const char *offer_sdp,
                                 const struct e2c_room_stream *streams, gsize n_streams,
                                 const GError *error);
/* error NULL on success. */
typedef void (*E2cRoomDoneFunc)(gpointer user, const GError *error);

struct e2c_room;

struct e2c_room_ops {
    /* Connects, and joins the room as publisher (not yet publishing); drops a previous connection.
     */
    void (*join)(struct e2c_room *room, const struct e2c_room_join *how);
    /* Offers the publication (e2ee: the offer's E2EE flag); done gets the answer. */
    void (*publish)(struct e2c_room *room, const char *offer_sdp, gboolean audio, gboolean video,
                    gboolean e2ee, E2cRoomAnswerFunc done, gpointer user, GDestroyNotify destroy);
    /* One subscription for feeds, on a handle of its own. */
    void (*subscribe)(struct e2c_room *room, const guint64 *feeds, gsize n_feeds,
                      E2cRoomOfferFunc got_offer, gpointer user, GDestroyNotify destroy);
    /* A subscription's answer; done when the router started sending. */
    void (*start)(struct e2c_room *room, guint64 handle, const char *answer_sdp,
                  E2cRoomDoneFunc done, gpointer user, GDestroyNotify destroy);
    /* A local candidate for handle's m-line mline, or NULL: no more candidates. */
    void (*trickle)(struct e2c_room *room, guint64 handle, guint mline, const char *candidate);
    /*
     * Forgets every request made with user: no callback for them any more,
     * their destroy notifies run now. A handle still being had is given back.
     */
    void (*cancel)(struct e2c_room *room, gpointer user);
    /* Gives a subscription's handle back (say_leave: tell the router first). */
    void (*unsubscribe)(struct e2c_room *room, guint64 handle, gboolean say_leave);
    /*
     * Leaves: tell_router FALSE, or no connection, closes at once and returns
     * FALSE; otherwise returns TRUE and "left" follows (bounded in time).
     */
    gboolean (*leave)(struct e2c_room *room, gboolean tell_router);
    /* Whether the connection to the router is up. */
    gboolean (*is_connected)(struct e2c_room *room);
    /* Frees the implementation: no event or callback after it (destroy notifies run). */
    void (*free)(struct e2c_room *room);
};

struct e2c_room {
    const struct e2c_room_ops *ops;
    struct e2c_room_events events;
    gpointer owner;
};

/* Where the room is and what the router asks for. */
struct e2c_room_config {
    const char *server; /* the router's URL (ws:// or wss://: a Janus VideoRoom) */
    guint64 room;
    const char *display;
    guint connect_timeout_ms; /* 0: the default */
    /*
     * What the router asks for (NULL: nothing): a CA file for wss://, the
     * API secret and token (every request), the room's PIN (every join).
     * Copied; the copies are wiped when the room goes.
     */
    const char *ca_file;
    const char *api_secret;
    const char *token;
    const char *pin;
};

/* The room for cfg->server (nothing happens before e2c_room_join()). Free with e2c_room_free(). */
struct e2c_room *e2c_room_new(const struct e2c_room_config *cfg,
                              const struct e2c_room_events *events, gpointer owner);

static inline void
e2c_room_join(struct e2c_room *room, const struct e2c_room_join *how)
{
    room->ops->join(room, how);
}

static inline void
e2c_room_publish(struct e2c_room *room, const char *offer_sdp, gboolean audio, gboolean video,
                 gboolean e2ee, E2cRoomAnswerFunc done, gpointer user, GDestroyNotify destroy)
{
    room->ops->publish(room, offer_sdp, audio, video, e2ee, done, user, destroy);
}

static inline void
e2c_room_subscribe(struct e2c_room *room, const guint64 *feeds, gsize n_feeds,
                   E2cRoomOfferFunc got_offer, gpointer user, GDestroyNotify destroy)
{
    room->ops->subscribe(room, feeds, n_feeds, got_offer, user, destroy);
}

static inline void
e2c_room_start(struct e2c_room *room, guint64 handle, const char *answer_sdp, E2cRoomDoneFunc done,
               gpointer user, GDestroyNotify destroy)
{
    room->ops->start(room, handle, answer_sdp, done, user, destroy);
}

static inline void
e2c_room_trickle(struct e2c_room *room, guint64 handle, guint mline, const char *candidate)
{
    room->ops->trickle(room, handle, mline, candidate);
}

static inline void
e2c_room_cancel(struct e2c_room *room, gpointer user)
{
    room->ops->cancel(room, user);
}

static inline void
e2c_room_unsubscribe(struct e2c_room *room, guint64 handle, gboolean say_leave)
{
    room->ops->unsubscribe(room, handle, say_leave);
}

static inline gboolean
e2c_room_leave(struct e2c_room *room, gboolean tell_router)
{
    return room->ops->leave(room, tell_router);
}

static inline gboolean
e2c_room_is_connected(struct e2c_room *room)
{
    return room->ops->is_connected(room);
}

/* NULL-safe. */
static inline void
e2c_room_free(struct e2c_room *room)
{
    if (room)
        room->ops->free(room);
}

G_END_DECLS
