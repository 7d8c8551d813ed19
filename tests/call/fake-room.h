/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An in-process room for unit tests: it records what a publication,
 * subscription or participant asks of it and lets the test answer, one
 * step at a time, as a router would. No network, no router.
 */
#pragma once

#include "room.h"

struct fake_request {
    gpointer cb;
    gpointer user;
    GDestroyNotify destroy;
};

struct fake_sub {
    guint64 handle;
    GArray *feeds;             /* guint64 */
    struct fake_request offer; /* pending until fake_room_offer() */
    struct fake_request start; /* pending until fake_room_started() */
    gchar *answer;
    GPtrArray *candidates; /* "mline\tcandidate" */
    gboolean trickle_done;
    gboolean unsubscribed, said_leave;
};

struct fake_room {
    struct e2c_room base;
    struct e2c_room_config cfg;
    guint joins;
    struct e2c_room_join last_join;
    gboolean connected; /* what is_connected() says */
    /* publish */
    guint publishes;
    gchar *offer;
    gboolean offer_e2ee, offer_audio, offer_video;
    struct fake_request answer; /* pending until fake_room_answer() */
    GPtrArray *pub_candidates;  /* "mline\tcandidate" */
    gboolean pub_candidate_before_offer, pub_trickle_done;
    /* subscriptions: struct fake_sub, in the order they were asked for */
    GPtrArray *subs;
    guint cancels;
    guint leaves;
};

/* A room_new for struct e2c_participant_config; the last one made is fake_room_last. */
struct e2c_room *fake_room_new(const struct e2c_room_config *cfg,
                               const struct e2c_room_events *events, gpointer owner);
extern struct fake_room *fake_room_last;

/* The router's side. */
void fake_room_joined(struct fake_room *f, guint64 id, const struct e2c_room_feed *pubs, gsize n);
void fake_room_answer(struct fake_room *f, const char *sdp, const GError *error);
void fake_room_offer(struct fake_room *f, struct fake_sub *s, const char *sdp,
                     const struct e2c_room_stream *streams, gsize n, const GError *error);
void fake_room_started(struct fake_room *f, struct fake_sub *s, const GError *error);
