/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A publication: a send source's tees ! branches (queue, e2csframeenc,
 * payloader) ! webrtcbin, the offer (with the E2EE flag) to the room, the
 * room's answer, candidates both ways, and a watchdog: a publication not up
 * in time will not be, and without it nobody receives us, silently.
 *
 * Reference counted: the owner holds one, a request waiting for the room
 * another. It knows its room and its owner's callbacks, nothing of the
 * owner's struct. Runs on the main loop.
 */
#pragma once

#include <gst/gst.h>

#include "impair-spec.h"
#include "media-config.h"
#include "pipeline.h"
#include "room.h"
#include "send-chain.h"
#include "stream-info.h"

struct e2c_publication_config {
    struct e2c_pipeline *media;
    const struct e2c_send_source *source;   /* the tees to branch from; outlives the publication */
    const struct e2c_crypto_config *crypto; /* read while building */
    const char *label;                      /* names the bin and branches; NULL: "self" */
    guint64 feed;                           /* the publisher's ID in the room */
    guint latency_ms;
    struct e2c_impair impair; /* --impair: the send side's, when it applies (zero: none) */
};

struct e2c_publication;

struct e2c_publication_callbacks {
    /* The room's answer is applied: the publication is on its way. */
    void (*published)(gpointer owner, struct e2c_publication *pub);
    /* It cannot go on (E2C_ERROR: STREAM_CREATE_FAILED, ENCRYPTION_SECRET_MISSING, ...). */
    void (*failed)(gpointer owner, const GError *error);
    /*
     * It is not up in time (the watchdog) or its connection failed (ICE or
     * DTLS; failed is TRUE): the owner starts over or gives up.
     */
    void (*stalled)(gpointer owner, const char *reason, gboolean failed);
    /* An encryptor switched to a new key: track "video" / "audio". */
    void (*key_switched)(gpointer owner, const char *track, guint64 kid);
};

/*
 * Builds the branches into the media's pipeline and starts; the offer goes
 * to the room once the encoders' first frames gave the payloaders their
 * caps. NULL with error (E2C_ERROR: UNSUPPORTED or STREAM_CREATE_FAILED)
 * when it cannot be built.
 */
struct e2c_publication *e2c_publication_start(struct e2c_room *room,
                                              const struct e2c_publication_config *cfg,
                                              const struct e2c_publication_callbacks *cb,
                                              gpointer owner, GError **error);
struct e2c_publication *e2c_publication_ref(struct e2c_publication *pub);
void e2c_publication_unref(gpointer pub);
/* No callback after this; the branches leave their tees, then everything stops. */
void e2c_publication_close(struct e2c_publication *pub);
/* Closes and drops the owner's reference. NULL-safe. */
void e2c_publication_free(struct e2c_publication *pub);

/* The router says the media path is up (or webrtcbin does): the watchdog stops. */
void e2c_publication_up(struct e2c_publication *pub);
/* A rekey for the encryptors. */
void e2c_publication_set_key(struct e2c_publication *pub, E2cKey *key);
gboolean e2c_publication_is_published(struct e2c_publication *pub);
/* The video and audio branches (src NULL when there is none). */
const struct e2c_send_branch *e2c_publication_video(struct e2c_publication *pub);
const struct e2c_send_branch *e2c_publication_audio(struct e2c_publication *pub);
/* Calls fn for each track being published. */
void e2c_publication_foreach_send(struct e2c_publication *pub,
                                  void (*fn)(gpointer user, const struct e2c_send_info *s),
                                  gpointer user);
