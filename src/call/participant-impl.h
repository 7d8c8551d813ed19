/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The participant's own header, for its own files only (participant.c,
 * participant-subs.c): its state, and what they share. Nothing else
 * includes it; the rest of the program has participant.h.
 */
#pragma once

#include "participant.h"
#include "publication.h"
#include "room.h"
#include "subscription.h"

enum participant_state {
    P_IDLE,
    P_CONNECTING, /* until the room says joined */
    P_JOINED,
    P_LEAVING,
    P_LEFT,
};

struct e2c_participant {
    struct e2c_participant_config cfg;
    gchar *server, *display, *label;
    struct e2c_participant_callbacks cb;
    gpointer user;
    struct e2c_events *events;
    struct e2c_pipeline *media;
    struct e2c_room *room;
    enum participant_state state;
    gint64 started_us;
    guint64 my_id;
    struct e2c_send_source *source; /* shared or own */
    struct e2c_send_source own_source;
    GstElement *source_bin; /* own source's bin */
    struct e2c_publication *pub;
    GPtrArray *subs;          /* struct e2c_subscription */
    GPtrArray *pending_feeds; /* struct e2c_sub_feed: published since the last turn of the loop */
    guint pending_source;
    GPtrArray *ended; /* struct e2c_stream_info of streams that went away */
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
    gboolean failed;
};

/* participant.c */
/* An event with who and what (room, our label); emit it with participant_emit(). */
json_t *participant_event(struct e2c_participant *p, const char *name);
void participant_emit(struct e2c_participant *p, json_t *event);
/* The call cannot go on (error: E2C_ERROR). */
void participant_fail_with(struct e2c_participant *p, const GError *error);

/* participant-subs.c */
/* A publisher appeared: subscribe (load: those of one turn of the loop together). */
void subscription_add(struct e2c_participant *p, guint64 feed, const char *display);
/* A publisher went (why: "unpublished", "left"): its streams end, kept for the verdict. */
void subscription_remove(struct e2c_participant *p, guint64 feed, const char *why);
/* Subscriptions not yet asked for are dropped. */
void subscriptions_cancel_pending(struct e2c_participant *p);
/* Every subscription goes, what its streams did kept for the verdict. */
void subscriptions_end_all(struct e2c_participant *p);
/* Closes every subscription; their handles go back to a room we are leaving. */
void drop_all_subscriptions(struct e2c_participant *p);
