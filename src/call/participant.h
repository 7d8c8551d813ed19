/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One participant of a room (room.h): joined even when not publishing, to
 * learn who publishes, with an optional publication and subscriptions to
 * the remote feeds, following publishers as they come and go. Reports what happens as the events of
 * e2call(1), EVENTS.
 *
 * Runs on the main loop. Many participants can share one e2c_pipeline and one
 * send source (e2call load).
 */
#pragma once

#include <gst/gst.h>
#include <jansson.h>

#include "events.h"
#include "health.h"
#include "impair-spec.h"
#include "media-config.h"
#include "pipeline.h"
#include "room.h"
#include "send-chain.h"
#include "stream-info.h"

struct e2c_participant_config {
    const char *server; /* the router's URL (ws://, wss://) */
    guint64 room;
    const char *display;
    gboolean publish;
    gboolean subscribe;
    struct e2c_media_config media;   /* what to publish */
    struct e2c_crypto_config crypto; /* key NULL: plain media */
    gboolean plain_requested;        /* --plain: plain even if the room requires E2EE */
    guint latency_ms;                /* webrtcbin jitterbuffer */
    gboolean keep_last_frame;        /* for snapshots */
    gboolean no_decode;              /* load: authenticate every frame, decode none */
    /*
     * load: publishers that become known together share one subscription
     * (one PeerConnection); otherwise each remote feed has its own.
     */
    gboolean shared_subscriptions;
    guint connect_timeout_ms;
    guint reconnect_attempts; /* after losing the router; 0: fail at once */
    /*
     * What the router asks for (NULL: nothing): a CA file for wss://, the
     * router's API secret and token (every request), the room's PIN (every
     * join). Copied into the room; the copies are wiped when it goes.
     */
    const char *ca_file;
    const char *api_secret;
    const char *token;
    const char *room_pin;
    const char *label;        /* for events of load runs ("p3"); NULL: none */
    struct e2c_impair impair; /* --impair (zero: none) */
    /* Unit tests: the room comes from here (NULL: e2c_room_new(), by the router's URL). */
    struct e2c_room *(*room_new)(const struct e2c_room_config *cfg,
                                 const struct e2c_room_events *events, gpointer owner);
};

struct e2c_participant;

struct e2c_participant_callbacks {
    /* A fatal error: the participant cannot go on (it starts leaving by itself). */
    void (*failed)(gpointer user, struct e2c_participant *p, enum e2c_error err,
                   const char *message);
    /* Leaving finished (session destroyed or connection gone). */
    void (*left)(gpointer user, struct e2c_participant *p);
    /* Optional: a stream's media check passed / a stream appeared or went. */
    void (*streams_changed)(gpointer user, struct e2c_participant *p);
    /* Optional: every event, before it goes to the events sink (which may be NULL). */
    void (*event)(gpointer user, struct e2c_participant *p, const json_t *event);
};

/*
 * source: a shared send source (load), or NULL to build one from cfg->media
 * when publishing. The config's strings and key are copied/referenced.
 */
struct e2c_participant *
e2c_participant_new(const struct e2c_participant_config *cfg, struct e2c_pipeline *media,
                    struct e2c_send_source *source, struct e2c_events *events,
                    const struct e2c_participant_callbacks *cb, gpointer user);
void e2c_participant_start(struct e2c_participant *p);
/* Leave the room cleanly (leave, detach, destroy); "left" follows. Idempotent. */
void e2c_participant_leave(struct e2c_participant *p, const char *reason);
void e2c_participant_free(struct e2c_participant *p);

/* Rekey: receive at once, send after the switch delay (in the elements). */
void e2c_participant_set_key(struct e2c_participant *p, E2cKey *key);

/* Calls fn for every current stream (and for streams that left, when ended is TRUE). */
void e2c_participant_foreach_stream(struct e2c_participant *p, gboolean include_ended,
                                    void (*fn)(gpointer user, const struct e2c_stream_info *s),
                                    gpointer user);
guint e2c_participant_subscription_failures(struct e2c_participant *p);
gint64 e2c_participant_started_us(struct e2c_participant *p);
guint64 e2c_participant_id(struct e2c_participant *p);
gboolean e2c_participant_is_publishing(struct e2c_participant *p);
/* Calls fn for each track being published. */
void e2c_participant_foreach_send(struct e2c_participant *p,
                                  void (*fn)(gpointer user, const struct e2c_send_info *s),
                                  gpointer user);
const char *e2c_participant_display(struct e2c_participant *p);
guint64 e2c_participant_room(struct e2c_participant *p);
gboolean e2c_participant_e2ee(struct e2c_participant *p);

/*
 * The control socket's "status" streams (e2call-control(7)): appends one
 * object per sent and per received stream to array. Never a secret or key.
 */
void e2c_participant_status_json(struct e2c_participant *p, json_t *array);
/* The same for the summary event: also the streams that went away (a publisher
 * who left, a subscription before a reconnect), each with "ended": true. */
void e2c_participant_summary_json(struct e2c_participant *p, json_t *array);
/* The summary's "timing" (crypt-time.h): the mean time per frame sealed over
 * every sent track and opened over every received stream, ended ones too. */
json_t *e2c_participant_timing_json(struct e2c_participant *p);
/* Writes the last decoded frame of every video stream as DIR/<display>-<feed>.png. */
guint e2c_participant_snapshots(struct e2c_participant *p, const char *dir);
