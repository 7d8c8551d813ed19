/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What e2csframeenc and e2csframedec share about keys: the "secret", "room" and
 * "shared-key" properties. A secret is validated when set (an invalid one is
 * refused with a warning naming INVALID_ENCRYPTION_SECRET, and the key in
 * force stays), derived on a worker thread, and handed to the element's
 * install function; a secret set before the room waits (wiped) for it. Only
 * the newest request is installed. A room is validated when set too (an
 * invalid one is refused with a warning; the room in force stays).
 *
 * The derivation (600000 PBKDF2 iterations) never runs on a streaming
 * thread. A streaming thread may wait for it, though, where upstream is not
 * live: a non-live pipeline has no deadline, and dropping its frames while
 * the key is derived would lose them for nothing (every frame of a short
 * file, since a non-live source pushes them all at once).
 */
#pragma once

#include <gst/gst.h>

#include "e2ckey.h"
#include "secret.h"

/* Called without the object lock held; the element takes it itself. */
typedef void (*E2cKeyInstallFunc)(GstElement *element, E2cKey *key);

struct e2c_key_source {
    GstElement *element; /* the owner; not referenced */
    E2cKeyInstallFunc install;
    /* Guarded by the element's object lock: */
    gchar *room;
    struct e2c_secret waiting; /* a secret that arrived before the room */
    gboolean has_waiting;
    guint generation; /* of the newest secret or key */
    gboolean have_key;
    guint deriving;    /* derivations in flight */
    gboolean flushing; /* waits end at once (flushing, or stopping) */
    GCond changed;     /* signalled when deriving or flushing changes */
    /*
     * The key derived last, held so that another element given the same
     * secret and room (an encoder and a decoder in one process) finds it in
     * the key cache instead of deriving it again.
     */
    E2cKey *derived;
};

void e2c_key_source_init(struct e2c_key_source *src, GstElement *element,
                         E2cKeyInstallFunc install);
void e2c_key_source_finish(struct e2c_key_source *src);

void e2c_key_source_set_room(struct e2c_key_source *src, const gchar *room);
gchar *e2c_key_source_dup_room(struct e2c_key_source *src);
void e2c_key_source_set_secret(struct e2c_key_source *src, const gchar *secret);
void e2c_key_source_set_key(struct e2c_key_source *src, E2cKey *key);
/* At start: FALSE (and an element error posted) when a secret still waits for a room. */
gboolean e2c_key_source_check(struct e2c_key_source *src);
/* TRUE once a key was given or a secret is being derived. */
gboolean e2c_key_source_configured(struct e2c_key_source *src);

typedef enum {
    E2C_KEY_WAIT_NONE,     /* nothing in flight, or upstream is live: carry on at once */
    E2C_KEY_WAIT_DONE,     /* waited until no derivation was in flight */
    E2C_KEY_WAIT_FLUSHING, /* the element flushes or stops (before or during the wait) */
} E2cKeyWait;

/*
 * For a streaming thread (sinkpad is the element's sink pad), without the
 * object lock: when a derivation is in flight and upstream is not live
 * (the latency query says so), waits until none is. Upstream that does not
 * answer the latency query counts as live: a live pipeline never waits.
 */
E2cKeyWait e2c_key_source_wait(struct e2c_key_source *src, GstPad *sinkpad);
/*
 * The element passes every sink event and state change here before its
 * parent class sees them: FLUSH_START and the change from PAUSED to READY
 * (whose pad deactivation waits for the streaming thread) end a wait at
 * once; FLUSH_STOP and the change from READY to PAUSED allow waits again.
 */
void e2c_key_source_sink_event(struct e2c_key_source *src, GstEvent *event);
void e2c_key_source_change_state(struct e2c_key_source *src, GstStateChange transition);

/* Property helpers for class_init. */
void e2c_key_source_install_properties(GObjectClass *klass, guint prop_secret, guint prop_room,
                                       guint prop_shared_key);
