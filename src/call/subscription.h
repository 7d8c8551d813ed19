/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One subscription: a subscriber handle in the room and one PeerConnection
 * for one remote feed, or in a load run for every publisher that was known
 * at once (all of them at join, each later one on its own): a load receiver
 * then costs one webrtcbin, not one per publisher. One receive chain per
 * incoming stream; e2csframedec's state messages become the events
 * encryption-secret-mismatch / -match / -missing / -found.
 *
 * Reference counted: the owner holds one, each request waiting for the
 * room another. It knows its room and its owner's callbacks, nothing of the
 * owner's struct. Runs on the main loop, except where noted.
 */
#pragma once

#include <gst/gst.h>
#include <jansson.h>

#include "impair-spec.h"
#include "media-config.h"
#include "pipeline.h"
#include "room.h"
#include "stream-info.h"

/* A publisher a subscription receives. */
struct e2c_sub_feed {
    guint64 id;
    gchar *display;
    gboolean gone;  /* unpublished or left: its streams were ended */
    guint restarts; /* times it was subscribed to again after a lost connection */
};

struct e2c_sub_feed *e2c_sub_feed_new(guint64 id, const char *display);
void e2c_sub_feed_free(gpointer feed);

struct e2c_subscription_config {
    struct e2c_pipeline *media;
    /*
     * The owner's, read when a stream is built (its key atomically, from a
     * streaming thread): it must outlive the subscription's streams, which go
     * with e2c_subscription_close().
     */
    struct e2c_crypto_config *crypto;
    const char *label; /* names the bin; NULL: "self" */
    guint latency_ms;
    gboolean no_decode, keep_last_frame;
    gint64 started_us;        /* for media-flowing's ms-since-join */
    struct e2c_impair impair; /* --impair: applied where it applies to receiving (zero: none) */
};

struct e2c_subscription;

struct e2c_subscription_callbacks {
    /* A new event (the owner adds who it is); emit() sends it. */
    json_t *(*event_new)(gpointer owner, const char *name);
    void (*emit)(gpointer owner, json_t *event);
    /* Optional: a stream passed its media check. */
    void (*streams_changed)(gpointer owner);
    /* n feeds could not be subscribed (their UNABLE_TO_SUBSCRIBE events are out). */
    void (*unable)(gpointer owner, struct e2c_subscription *sub, guint n);
    /* One of the feeds went before the router could join them: subscribe to each alone. */
    void (*split)(gpointer owner, struct e2c_subscription *sub);
    /* The call cannot go on (E2C_ERROR, DECRYPTION_INTERNAL_ERROR). */
    void (*fatal)(gpointer owner, const GError *error);
    /* The connection to the router failed (ICE or DTLS) or the router hung it
     * up: subscribe again, or e2c_subscription_fail(). */
    void (*lost)(gpointer owner, struct e2c_subscription *sub, const char *reason);
};

/* Asks room for feeds (taken: a GPtrArray of struct e2c_sub_feed). */
struct e2c_subscription *
e2c_subscription_new(struct e2c_room *room, const struct e2c_subscription_config *cfg,
                     GPtrArray *feeds, const struct e2c_subscription_callbacks *cb, gpointer owner);
struct e2c_subscription *e2c_subscription_ref(struct e2c_subscription *sub);
void e2c_subscription_unref(gpointer sub);
/*
 * No callback after this; the PeerConnection and the streams go (what they
 * did: e2c_subscription_end_streams() first). give_back: return the handle
 * to the room (say_leave: with a "leave" first).
 */
void e2c_subscription_close(struct e2c_subscription *sub, gboolean give_back, gboolean say_leave);

/* Its feeds (struct e2c_sub_feed), gone ones included; borrowed. */
GPtrArray *e2c_subscription_feeds(struct e2c_subscription *sub);
/* The feed with this id that has not gone, or NULL. */
struct e2c_sub_feed *e2c_subscription_find_feed(struct e2c_subscription *sub, guint64 id);
/* Its handle on the router (0 before the room gave one). */
guint64 e2c_subscription_handle(struct e2c_subscription *sub);
/* The router hung it up: as when its own connection fails (the lost callback). */
void e2c_subscription_hung_up(struct e2c_subscription *sub, const char *reason);
/* Subscribing again after a lost connection, at most this many times per publisher. */
#define E2C_SUBSCRIPTION_RESTARTS 3
/*
 * After a lost connection: its feeds still there, to subscribe to again
 * (new struct e2c_sub_feed, one restart more; a "resubscribing" event
 * each), or NULL when one has had E2C_SUBSCRIPTION_RESTARTS already.
 */
GPtrArray *e2c_subscription_feeds_again(struct e2c_subscription *sub, const char *reason);
/* Gives up: an UNABLE_TO_SUBSCRIBE error event per feed still there, then the unable callback. */
void e2c_subscription_fail(struct e2c_subscription *sub, const char *message);
/* Moves what the streams of feed (every feed: 0) did into ended (struct e2c_stream_info). */
void e2c_subscription_end_streams(struct e2c_subscription *sub, guint64 feed, GPtrArray *ended);
/* Calls fn for every current stream. */
void e2c_subscription_foreach_stream(struct e2c_subscription *sub,
                                     void (*fn)(gpointer user, const struct e2c_stream_info *s),
                                     gpointer user);
/* Writes each video stream's last frame as DIR/<display>-<feed>.png ("snapshot" events). */
guint e2c_subscription_snapshots(struct e2c_subscription *sub, const char *dir);
void e2c_subscription_set_key(struct e2c_subscription *sub, E2cKey *key);
