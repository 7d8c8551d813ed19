/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One PeerConnection: a webrtcbin set up the way a Janus peer needs it
 * (max-bundle, a short jitterbuffer, UPnP and ICE-TCP off) with its
 * asynchronous operations brought back to the main loop. Knows nothing of
 * signalling: callers move SDP and candidates.
 *
 * Every callback runs on the thread-default main context of the creator,
 * never on a webrtcbin thread, and never after e2c_peer_close().
 */
#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

struct e2c_peer;

struct e2c_peer_callbacks {
    /* A local ICE candidate ("candidate:..." line) for m-line mline. */
    void (*candidate)(gpointer user, guint mline, const gchar *candidate);
    /* Gathering finished: webrtcbin 1.22 never says end-of-candidates itself. */
    void (*gathering_done)(gpointer user);
    /* Connection state changes ("connected", "failed", ...). */
    void (*state)(gpointer user, GstWebRTCPeerConnectionState state);
};

/* The webrtcbin is added to bin (not started); pad-added etc. are the caller's. */
struct e2c_peer *e2c_peer_new(GstBin *bin, const gchar *name, guint latency_ms,
                              const struct e2c_peer_callbacks *cb, gpointer user);
GstElement *e2c_peer_webrtcbin(struct e2c_peer *peer);
/* For a receiver that authenticates frames but never plays them out: received
 * streams get e2crtpforward instead of a jitterbuffer, so each packet goes on in
 * the thread that received it (see e2crtpforward.c). Call before the remote
 * description is set. FALSE if webrtcbin has no rtpbin to ask. */
gboolean e2c_peer_skip_jitterbuffer(struct e2c_peer *peer);
/* TRUE when UPnP and ICE-TCP were verified off on the ICE agent. */
gboolean e2c_peer_ice_locked_down(struct e2c_peer *peer);

typedef void (*E2cPeerSdpFunc)(gpointer user, const gchar *sdp, const GError *error);
typedef void (*E2cPeerDoneFunc)(gpointer user, const GError *error);

/* create-offer, then set-local-description; done gets the offer SDP. */
void e2c_peer_offer(struct e2c_peer *peer, E2cPeerSdpFunc done, gpointer user);
/* set-remote-description with an offer, create-answer, set-local-description. */
void e2c_peer_answer(struct e2c_peer *peer, const gchar *offer_sdp, E2cPeerSdpFunc done,
                     gpointer user);
/* set-remote-description with an answer. */
void e2c_peer_accept(struct e2c_peer *peer, const gchar *answer_sdp, E2cPeerDoneFunc done,
                     gpointer user);

/* Sets the direction of every transceiver (e.g. SENDONLY for a publisher). */
void e2c_peer_set_direction(struct e2c_peer *peer, GstWebRTCRTPTransceiverDirection dir);

/* Stops every callback and drops the reference; the bin's owner stops and removes it. */
void e2c_peer_close(struct e2c_peer *peer);
