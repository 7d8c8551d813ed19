/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What participant.c, publication.c and subscription.c share. */
#pragma once

#include "janus-client.h"
#include "participant.h"
#include "peer.h"
#include "recv-media.h"

enum participant_state {
    P_IDLE,
    P_CONNECTING,
    P_JOINING,
    P_JOINED,
    P_LEAVING,
    P_LEFT,
};

struct publication {
    struct e2c_participant *p;
    GstElement *bin;
    struct e2c_peer *peer;
    struct e2c_send_branch video, audio;
    GPtrArray *pending_candidates; /* "mline\tcandidate" until the offer went out */
    gint caps_pending;             /* payloaders whose caps webrtcbin has not seen yet */
    gulong caps_probe[2];          /* on the video, audio payloader src pads */
    gint caps_seen[2];
    guint offer_source;
    guint up_timer; /* from the start until the answer, then until the connection is up */
    gboolean offer_sent, gathering_done, completed_sent, published, up;
};

struct sub_stream {
    struct subscription *sub;
    struct e2c_recv_stream *rs;
    gchar *track;
    guint64 feed;  /* the publisher it comes from (by its mid in the router's offer) */
    gchar *display;
    GstElement *sframedec; /* NULL in plain mode */
    gboolean mismatch_now;
    const char *mismatch_cause; /* interned: "wrong-secret", "unencrypted", "stale" */
    gboolean ended;
    gint64 matched_us; /* when the last match was reported, for media-resumed */
    struct e2c_stream_info last; /* kept when the stream ended */
};

/* A publisher one subscription receives. */
struct sub_feed {
    guint64 id;
    gchar *display;
    gboolean gone; /* unpublished or left: its streams were ended */
};

/*
 * One subscriber handle and PeerConnection for one remote feed, or in a load
 * run for every publisher that was known at once (all of them at join, each
 * later one on its own): a load receiver then costs one webrtcbin, not one
 * per publisher.
 */
struct subscription {
    gint refcount; /* pending router requests hold one each */
    struct e2c_participant *p;
    GMutex lock;   /* streams, mids: webrtcbin adds streams from its streaming thread */
    GPtrArray *feeds;   /* struct sub_feed */
    GHashTable *mids;   /* mid -> struct sub_feed, from the router's "attached" */
    guint64 handle;
    GstElement *bin;
    struct e2c_peer *peer;
    GPtrArray *streams; /* struct sub_stream */
    GPtrArray *pending_candidates;
    gboolean answer_sent, gathering_done, completed_sent, started, closed;
};

struct e2c_participant {
    struct e2c_participant_config cfg;
    gchar *server, *display, *label;
    gchar *ca_file, *api_secret, *token, *room_pin; /* cfg's point here; wiped at the end */
    struct e2c_participant_callbacks cb;
    gpointer user;
    struct e2c_events *events;
    struct e2c_media *media;
    E2cJanusClient *janus;
    gulong closed_handler;
    enum participant_state state;
    gint64 started_us;
    guint64 pub_handle, my_id, private_id;
    struct e2c_send_source *source; /* shared or own */
    struct e2c_send_source own_source;
    GstElement *source_bin; /* own source's bin */
    struct publication *pub;
    GPtrArray *subs;       /* struct subscription */
    GPtrArray *pending_feeds; /* struct sub_feed: published since the last turn of the loop */
    guint pending_source;
    GPtrArray *ended;      /* struct e2c_stream_info of streams that went away */
    guint sub_failures;
    gboolean awaiting_key; /* joined, E2EE, and the key is still being derived */
    /* Reconnecting after the router was lost: new session, join, publish, subscribe. */
    gboolean reconnecting;
    guint reconnect_attempt, reconnect_timer;
    gint64 lost_at_us;
    gchar *lost_reason;
    /*
     * The connection to the router was lost (it may have restarted and not
     * re-created the room yet), rather than only our publication: a room
     * missing on rejoin is worth waiting for only then.
     */
    gboolean room_may_return;
    guint leave_timeout;
    gboolean failed;
};

/* Events carry who and what: room, our label, and the given fields. */
json_t *participant_event(struct e2c_participant *p, const char *name);
void participant_emit(struct e2c_participant *p, json_t *event);
void participant_fail(struct e2c_participant *p, enum e2c_error err, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* The router connection is unusable: start over (new session) or, without
 * reconnection attempts, fail with CONNECT_FAILED. */
void participant_lost(struct e2c_participant *p, const char *reason);

/* publication.c */
void publication_start(struct e2c_participant *p);
void publication_free(struct publication *pub);
void publication_set_key(struct publication *pub, E2cKey *key);
/* The router said the publication's media path is up (webrtcup). */
void publication_up(struct publication *pub);
/* Its connection failed or the router hung it up: start over, or end the call (9). */
void publication_failed(struct e2c_participant *p, const char *reason);

/* subscription.c */
void subscription_add(struct e2c_participant *p, guint64 feed, const char *display);
void subscription_remove(struct e2c_participant *p, guint64 feed, const char *why);
void subscription_free(struct subscription *sub); /* closes, then drops the list's ref */
void sub_feed_free(gpointer feed);
/* Subscriptions not yet asked for are dropped. */
void subscriptions_cancel_pending(struct e2c_participant *p);
/* The subscription that receives feed, or NULL. */
struct subscription *subscription_find(struct e2c_participant *p, guint64 feed);
/* Every subscription goes, what its streams did kept for the verdict. */
void subscriptions_end_all(struct e2c_participant *p);
void subscription_set_key(struct subscription *sub, E2cKey *key);
void sub_stream_info(struct sub_stream *st, struct e2c_stream_info *out);
