/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "peer.h"

#include <errno.h>
#include <gio/gio.h>
#include <gst/sdp/sdp.h>
#include <nice/agent.h>
#include <sys/socket.h>

#include "srtp-nss.h"

struct e2c_peer {
    gint refcount;
    GstElement *webrtc;
    GstBin *bin;
    GMainContext *context;
    struct e2c_peer_callbacks cb;
    gpointer user;
    gboolean closed;
    gboolean locked_down;
};

static struct e2c_peer *
peer_ref(struct e2c_peer *peer)
{
    g_atomic_int_inc(&peer->refcount);
    return peer;
}

static void
peer_unref(struct e2c_peer *peer)
{
    if (!g_atomic_int_dec_and_test(&peer->refcount))
        return;
    if (peer->webrtc)
        gst_object_unref(peer->webrtc);
    if (peer->bin)
        gst_object_unref(peer->bin);
    g_main_context_unref(peer->context);
    g_free(peer);
}

/* ---- bringing webrtcbin's threads back to the main loop -------------------- */

struct call {
    struct e2c_peer *peer;
    void (*fn)(struct call *);
    guint mline;
    gchar *text;
    GError *error;
    GstWebRTCPeerConnectionState state;
    gpointer done;
    gpointer user;
};

static gboolean
run_call(gpointer data)
{
    struct call *c = data;
    if (!c->peer->closed)
        c->fn(c);
    return G_SOURCE_REMOVE;
}

static void
free_call(gpointer data)
{
    struct call *c = data;
    peer_unref(c->peer);
    g_free(c->text);
    g_clear_error(&c->error);
    g_free(c);
}

static void
dispatch(struct e2c_peer *peer, struct call *c)
{
    c->peer = peer_ref(peer);
    g_main_context_invoke_full(peer->context, G_PRIORITY_DEFAULT, run_call, c, free_call);
}

static void
do_candidate(struct call *c)
{
    if (c->peer->cb.candidate)
        c->peer->cb.candidate(c->peer->user, c->mline, c->text);
}

static void
on_ice_candidate(GstElement *webrtc, guint mline, gchar *candidate, gpointer data)
{
    struct call *c = g_new0(struct call, 1);
    c->fn = do_candidate;
    c->mline = mline;
    c->text = g_strdup(candidate);
    dispatch(data, c);
}

static void
do_gathering_done(struct call *c)
{
    if (c->peer->cb.gathering_done)
        c->peer->cb.gathering_done(c->peer->user);
}

static void
on_gathering_state(GObject *webrtc, GParamSpec *pspec, gpointer data)
{
    GstWebRTCICEGatheringState state;
    g_object_get(webrtc, "ice-gathering-state", &state, NULL);
    if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
        return;
    struct call *c = g_new0(struct call, 1);
    c->fn = do_gathering_done;
    dispatch(data, c);
}

/*
 * Media arrives in bursts whenever the machine is busy (a load run puts
 * hundreds of streaming threads on a few cores): with the kernel's default
 * 208 KiB, the socket of a connection that receives several streams
 * overflows during a scheduling stall of a few tens of ms, and those
 * packets are lost before anything could read them. 2 MiB (or what
 * net.core.rmem_max allows) rides those out.
 */
#define RECEIVE_BUFFER_BYTES (2 * 1024 * 1024)

static void
enlarge_receive_buffer(GstElement *webrtc)
{
    GObject *ice = NULL, *agent = NULL;
    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (!ice)
        return;
    g_object_get(ice, "agent", &agent, NULL);
    gst_object_unref(ice);
    if (!agent)
        return;
    /* max-bundle: one ICE stream carries everything; its id is not exposed, they start at 1. */
    for (guint stream = 1; stream <= 8; stream++) {
        GSocket *socket = nice_agent_get_selected_socket(NICE_AGENT(agent), stream, 1);
        if (!socket)
            continue;
        int size = RECEIVE_BUFFER_BYTES;
        if (setsockopt(g_socket_get_fd(socket), SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0)
            g_debug("could not enlarge a receive buffer: %s", g_strerror(errno));
        g_object_unref(socket);
    }
    g_object_unref(agent);
}

static void
do_state(struct call *c)
{
    if (c->state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
        enlarge_receive_buffer(c->peer->webrtc);
    if (c->peer->cb.state)
        c->peer->cb.state(c->peer->user, c->state);
}

static void
on_connection_state(GObject *webrtc, GParamSpec *pspec, gpointer data)
{
    struct call *c = g_new0(struct call, 1);
    g_object_get(webrtc, "connection-state", &c->state, NULL);
    c->fn = do_state;
    dispatch(data, c);
}

/* UPnP discovery multicasts to every interface and ICE-TCP is useless against Janus. */
static gboolean
lock_down_ice(GstElement *webrtc)
{
    GObject *ice = NULL, *agent = NULL;
    gboolean upnp = TRUE, tcp = TRUE;
    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (!ice)
        return FALSE;
    /* Floating and never sunk by webrtcbin: unref, never ref_sink (1.22). */
    g_object_set(ice, "ice-tcp", FALSE, NULL);
    g_object_get(ice, "ice-tcp", &tcp, NULL);
    g_object_get(ice, "agent", &agent, NULL);
    if (agent) {
        g_object_set(agent, "upnp", FALSE, NULL);
        g_object_get(agent, "upnp", &upnp, NULL);
        g_object_unref(agent);
    }
    gst_object_unref(ice);
    return !upnp && !tcp;
}

/*
 * Keyframe requests (PLI) in their own RTCP packet. webrtcbin otherwise
 * sends them inside a compound packet that opens with the receiver report,
 * whose first block is often the audio stream's on a bundled connection,
 * and Janus 1.1.2 hands the whole packet to the stream of that first SSRC:
 * a video PLI then reaches the audio stream and is dropped. Reduced-size
 * RTCP (RFC 5506) sends feedback alone, as browsers do (see also
 * sdp-filter.h).
 */
static void
on_new_ssrc(GstElement *rtpbin, guint session_id, guint ssrc, gpointer data)
{
    GObject *session = NULL;
    g_signal_emit_by_name(rtpbin, "get-internal-session", session_id, &session);
    if (!session)
        return;
    gboolean reduced = FALSE;
    g_object_get(session, "rtcp-reduced-size", &reduced, NULL);
    if (!reduced)
        g_object_set(session, "rtcp-reduced-size", TRUE, NULL);
    g_object_unref(session);
}

static void
feedback_alone(GstElement *webrtc)
{
    GstElement *rtpbin = gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin");
    if (!rtpbin) {
        g_warning("webrtcbin has no rtpbin: keyframe requests may not reach the router");
        return;
    }
    g_signal_connect(rtpbin, "on-new-ssrc", G_CALLBACK(on_new_ssrc), NULL);
    gst_object_unref(rtpbin);
}

/*
 * webrtcbin (1.22) puts a clocksync (sync=TRUE) before each stream it sends,
 * which holds a packet until its running time plus the pipeline's latency.
 * In e2call's one pipeline that latency is the receiving side's (the
 * jitterbuffer's --latency, 50 ms), so every packet sent waited about 40 ms
 * there: latency nobody asked for, and a delay added by --impair before it
 * was absorbed by that wait instead of adding up (200 ms measured as 160).
 * Frames come paced already (live sources; a media file through a clocksync
 * of its own, send-chain.c) and go out as soon as they are sealed.
 */
static void
on_webrtc_element_added(GstBin *webrtc, GstElement *element, gpointer data)
{
    (void)webrtc, (void)data;
    GstElementFactory *factory = gst_element_get_factory(element);
    if (factory && g_strcmp0(GST_OBJECT_NAME(factory), "clocksync") == 0)
        g_object_set(element, "sync", FALSE, NULL);
}

struct e2c_peer *
e2c_peer_new(GstBin *bin, const gchar *name, guint latency_ms, const struct e2c_peer_callbacks *cb,
             gpointer user)
{
    e2c_srtp_nss_init();
    GstElement *webrtc = gst_element_factory_make("webrtcbin", name);
    if (!webrtc)
        return NULL;
    struct e2c_peer *peer = g_new0(struct e2c_peer, 1);
    peer->refcount = 1;
    peer->webrtc = gst_object_ref(webrtc);
    peer->bin = gst_object_ref(bin);
    peer->context = g_main_context_ref_thread_default();
    peer->cb = *cb;
    peer->user = user;
    g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
                 latency_ms, NULL);
    peer->locked_down = lock_down_ice(webrtc);
    feedback_alone(webrtc);
    if (!peer->locked_down)
        g_warning("could not verify that UPnP and ICE-TCP are off on %s", name);
    g_signal_connect(webrtc, "element-added", G_CALLBACK(on_webrtc_element_added), NULL);
    g_signal_connect(webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate), peer);
    g_signal_connect(webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state), peer);
    g_signal_connect(webrtc, "notify::connection-state", G_CALLBACK(on_connection_state), peer);
    gst_bin_add(bin, webrtc);
    return peer;
}

static GstElement *
on_request_jitterbuffer(GstElement *rtpbin, guint session_id, gpointer data)
{
    (void)rtpbin, (void)session_id, (void)data;
    GstElement *forward = gst_element_factory_make("e2crtpforward", NULL);
    if (!forward)
        g_warning("e2crtpforward is not registered: received streams keep a jitterbuffer");
    return forward; /* NULL: rtpbin makes its own rtpjitterbuffer */
}

gboolean
e2c_peer_skip_jitterbuffer(struct e2c_peer *peer)
{
    GstElement *rtpbin = gst_bin_get_by_name(GST_BIN(peer->webrtc), "rtpbin");
    if (!rtpbin)
        return FALSE;
    g_signal_connect(rtpbin, "request-jitterbuffer", G_CALLBACK(on_request_jitterbuffer), NULL);
    gst_object_unref(rtpbin);
    return TRUE;
}

GstElement *
e2c_peer_webrtcbin(struct e2c_peer *peer)
{
    return peer->webrtc;
}

gboolean
e2c_peer_ice_locked_down(struct e2c_peer *peer)
{
    return peer->locked_down;
}

void
e2c_peer_set_direction(struct e2c_peer *peer, GstWebRTCRTPTransceiverDirection dir)
{
    GArray *transceivers = NULL;
    g_signal_emit_by_name(peer->webrtc, "get-transceivers", &transceivers);
    if (!transceivers)
        return;
    for (guint i = 0; i < transceivers->len; i++) {
        GstWebRTCRTPTransceiver *t = g_array_index(transceivers, GstWebRTCRTPTransceiver *, i);
        g_object_set(t, "direction", dir, NULL);
    }
    g_array_unref(transceivers);
}

/* ---- offer / answer -------------------------------------------------------- */

static void
do_sdp_done(struct call *c)
{
    ((E2cPeerSdpFunc)c->done)(c->user, c->text, c->error);
}

static void
finish_sdp(struct e2c_peer *peer, E2cPeerSdpFunc done, gpointer user, gchar *sdp, GError *error)
{
    struct call *c = g_new0(struct call, 1);
    c->fn = do_sdp_done;
    c->done = done;
    c->user = user;
    c->text = sdp;
    c->error = error;
    dispatch(peer, c);
}

struct op {
    struct e2c_peer *peer;
    gpointer done;
    gpointer user;
    GstWebRTCSessionDescription *desc; /* the description being set locally */
};

static struct op *
op_new(struct e2c_peer *peer, gpointer done, gpointer user)
{
    struct op *op = g_new0(struct op, 1);
    op->peer = peer_ref(peer);
    op->done = done;
    op->user = user;
    return op;
}

static void
op_free(struct op *op)
{
    if (op->desc)
        gst_webrtc_session_description_free(op->desc);
    peer_unref(op->peer);
    g_free(op);
}

static GError *
promise_error(GstPromise *promise, const char *what)
{
    if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED)
        return g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s: no reply from webrtcbin", what);
    const GstStructure *reply = gst_promise_get_reply(promise);
    GError *error = NULL;
    if (reply && gst_structure_has_field(reply, "error")) {
        gst_structure_get(reply, "error", G_TYPE_ERROR, &error, NULL);
        if (error) {
            GError *wrapped =
                g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, error->message);
            g_error_free(error);
            return wrapped;
        }
        return g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed", what);
    }
    return NULL;
}

static void
on_local_set(GstPromise *promise, gpointer data)
{
    struct op *op = data;
    GError *error = promise_error(promise, "set-local-description");
    gchar *sdp = error ? NULL : gst_sdp_message_as_text(op->desc->sdp);
    finish_sdp(op->peer, op->done, op->user, sdp, error);
    gst_promise_unref(promise);
    op_free(op);
}

static void
on_created(GstPromise *promise, gpointer data, const char *field)
{
    struct op *op = data;
    GError *error = promise_error(promise, field);
    const GstStructure *reply = error ? NULL : gst_promise_get_reply(promise);
    if (!error && reply)
        gst_structure_get(reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &op->desc, NULL);
    gst_promise_unref(promise);
    if (!error && !op->desc)
        error = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "webrtcbin gave no %s", field);
    if (error) {
        finish_sdp(op->peer, op->done, op->user, NULL, error);
        op_free(op);
        return;
    }
    GstPromise *p = gst_promise_new_with_change_func(on_local_set, op, NULL);
    g_signal_emit_by_name(op->peer->webrtc, "set-local-description", op->desc, p);
}

static void
on_offer_created(GstPromise *promise, gpointer data)
{
    on_created(promise, data, "offer");
}

static void
on_answer_created(GstPromise *promise, gpointer data)
{
    on_created(promise, data, "answer");
}

void
e2c_peer_offer(struct e2c_peer *peer, E2cPeerSdpFunc done, gpointer user)
{
    struct op *op = op_new(peer, done, user);
    GstPromise *p = gst_promise_new_with_change_func(on_offer_created, op, NULL);
    g_signal_emit_by_name(peer->webrtc, "create-offer", NULL, p);
}

static GstWebRTCSessionDescription *
parse_description(GstWebRTCSDPType type, const gchar *text, GError **error)
{
    GstSDPMessage *sdp = NULL;
    if (gst_sdp_message_new_from_text(text, &sdp) != GST_SDP_OK || !sdp) {
        if (sdp)
            gst_sdp_message_free(sdp);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the router sent invalid SDP");
        return NULL;
    }
    return gst_webrtc_session_description_new(type, sdp);
}

static void
on_remote_offer_set(GstPromise *promise, gpointer data)
{
    struct op *op = data;
    GError *error = promise_error(promise, "set-remote-description");
    gst_promise_unref(promise);
    if (error) {
        finish_sdp(op->peer, op->done, op->user, NULL, error);
        op_free(op);
        return;
    }
    GstPromise *p = gst_promise_new_with_change_func(on_answer_created, op, NULL);
    g_signal_emit_by_name(op->peer->webrtc, "create-answer", NULL, p);
}

void
e2c_peer_answer(struct e2c_peer *peer, const gchar *offer_sdp, E2cPeerSdpFunc done, gpointer user)
{
    GError *error = NULL;
    GstWebRTCSessionDescription *offer =
        parse_description(GST_WEBRTC_SDP_TYPE_OFFER, offer_sdp, &error);
    if (!offer) {
        finish_sdp(peer, done, user, NULL, error);
        return;
    }
    struct op *op = op_new(peer, done, user);
    GstPromise *p = gst_promise_new_with_change_func(on_remote_offer_set, op, NULL);
    g_signal_emit_by_name(peer->webrtc, "set-remote-description", offer, p);
    gst_webrtc_session_description_free(offer);
}

static void
do_done(struct call *c)
{
    ((E2cPeerDoneFunc)c->done)(c->user, c->error);
}

static void
on_remote_answer_set(GstPromise *promise, gpointer data)
{
    struct op *op = data;
    struct call *c = g_new0(struct call, 1);
    c->fn = do_done;
    c->done = op->done;
    c->user = op->user;
    c->error = promise_error(promise, "set-remote-description");
    gst_promise_unref(promise);
    dispatch(op->peer, c);
    op_free(op);
}

void
e2c_peer_accept(struct e2c_peer *peer, const gchar *answer_sdp, E2cPeerDoneFunc done, gpointer user)
{
    GError *error = NULL;
    GstWebRTCSessionDescription *answer =
        parse_description(GST_WEBRTC_SDP_TYPE_ANSWER, answer_sdp, &error);
    if (!answer) {
        struct call *c = g_new0(struct call, 1);
        c->fn = do_done;
        c->done = done;
        c->user = user;
        c->error = error;
        dispatch(peer, c);
        return;
    }
    struct op *op = op_new(peer, done, user);
    GstPromise *p = gst_promise_new_with_change_func(on_remote_answer_set, op, NULL);
    g_signal_emit_by_name(peer->webrtc, "set-remote-description", answer, p);
    gst_webrtc_session_description_free(answer);
}

void
e2c_peer_close(struct e2c_peer *peer)
{
    if (!peer)
        return;
    peer->closed = TRUE;
    g_signal_handlers_disconnect_by_data(peer->webrtc, peer);
    peer_unref(peer);
}
