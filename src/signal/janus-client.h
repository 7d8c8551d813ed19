/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A Janus WebSocket API client on the GLib main loop: one connection, one
 * session, any number of plugin handles. It matches replies to requests by
 * transaction, routes asynchronous events to the handle they belong to,
 * keeps the session alive, and says when the connection or the session is
 * lost. It knows nothing of media or of what a call does with the messages.
 *
 * Threading: create, use and drop a client on the thread that iterates the
 * main context that was thread-default at e2c_janus_client_new().
 *
 * Callbacks never run from inside the call that started a request. Dropping
 * the last reference drops pending requests without calling them back.
 */
#pragma once

#include <glib-object.h>
#include <jansson.h>

#include "janus-msg.h"

G_BEGIN_DECLS

#define E2C_JANUS_CLIENT_DEFAULT_REQUEST_TIMEOUT_MS 10000
/* Well inside Janus's default session_timeout of 60 s. */
#define E2C_JANUS_CLIENT_DEFAULT_KEEPALIVE_S 15

#define E2C_JANUS_CLIENT_ERROR (e2c_janus_client_error_quark())
GQuark e2c_janus_client_error_quark(void);

typedef enum {
    E2C_JANUS_CLIENT_ERROR_FAILED,
    E2C_JANUS_CLIENT_ERROR_STATE,           /* not connected, no session, unknown handle */
    E2C_JANUS_CLIENT_ERROR_TIMEOUT,         /* no reply within the request timeout */
    E2C_JANUS_CLIENT_ERROR_CLOSED,          /* the connection went away before the reply */
    E2C_JANUS_CLIENT_ERROR_SESSION_TIMEOUT, /* Janus timed the session out */
    E2C_JANUS_CLIENT_ERROR_SESSION_LOST,    /* keepalives failed */
    E2C_JANUS_CLIENT_ERROR_PROTOCOL,        /* a reply that makes no sense */
} E2cJanusClientError;

#define E2C_TYPE_JANUS_CLIENT (e2c_janus_client_get_type())
G_DECLARE_FINAL_TYPE(E2cJanusClient, e2c_janus_client, E2C, JANUS_CLIENT, GObject)

/*
 * The reply to one request. msg is the reply (NULL on a local error such as
 * a timeout); error is set when the request failed: E2C_JANUS_ERROR for
 * errors Janus reported (core errors and plugin error_code, with msg set),
 * E2C_JANUS_CLIENT_ERROR or E2C_WS_ERROR for the others.
 *
 * A plugin message that Janus acknowledges gets two calls: first the ack
 * (msg->kind == E2C_JANUS_KIND_ACK, error NULL), then the plugin's event
 * carrying the same transaction (or an error). Janus 1.1.2 sometimes sends
 * the event before the ack; the event is then the only call (the late ack
 * is dropped). Every other request gets one call. Both msg and error belong
 * to the client: ref msg to keep it.
 */
typedef void (*E2cJanusReplyFunc)(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error,
                                  gpointer user_data);

/*
 * An asynchronous message for a handle: plugin events without a pending
 * transaction, webrtcup, media, slowlink, hangup, detached, trickle.
 */
typedef void (*E2cJanusEventFunc)(E2cJanusClient *client, guint64 handle_id, E2cJanusMsg *msg,
                                  gpointer user_data);

/*
 * Signal "closed" (GError *error): the connection ended, or the session
 * died (Janus's session timeout, failing keepalives). Emitted once; error
 * is NULL after e2c_janus_client_close(). Pending requests fail with
 * E2C_JANUS_CLIENT_ERROR_CLOSED before it is emitted.
 */

E2cJanusClient *e2c_janus_client_new(void);

/* 0 restores the defaults. Set before connecting. */
void e2c_janus_client_set_request_timeout(E2cJanusClient *client, guint timeout_ms);
void e2c_janus_client_set_keepalive_interval(E2cJanusClient *client, guint seconds);
void e2c_janus_client_set_connect_timeout(E2cJanusClient *client, guint timeout_ms);
/* wss://: also trust the CA certificates in this PEM file (NULL: the system's only). */
void e2c_janus_client_set_ca_file(E2cJanusClient *client, const char *path);
/*
 * Janus API access (janus.jcfg api_secret, token_auth): every request
 * carries "apisecret" and "token" when set (NULL: none), keepalives
 * included. The client keeps copies, wiped when it goes; neither is ever
 * logged.
 */
void e2c_janus_client_set_credentials(E2cJanusClient *client, const char *api_secret,
                                      const char *token);

/* callback gets msg NULL; error NULL once the WebSocket is open. */
void e2c_janus_client_connect(E2cJanusClient *client, const char *url, E2cJanusReplyFunc callback,
                              gpointer user_data);

/* Creates the session and starts the keepalives. */
void e2c_janus_client_create_session(E2cJanusClient *client, E2cJanusReplyFunc callback,
                                     gpointer user_data);

/*
 * Attach a handle to plugin (E2C_JANUS_PLUGIN_VIDEOROOM); the handle id is
 * msg->data_id in the reply. event_func receives the handle's asynchronous
 * messages until it is detached; event_destroy frees event_data then (or at
 * once if attaching fails).
 */
void e2c_janus_client_attach(E2cJanusClient *client, const char *plugin,
                             E2cJanusEventFunc event_func, gpointer event_data,
                             GDestroyNotify event_destroy, E2cJanusReplyFunc callback,
                             gpointer user_data);

/* body: transfer full; jsep: transfer full, nullable (e2c_janus_msg_jsep()). */
void e2c_janus_client_send_message(E2cJanusClient *client, guint64 handle_id, json_t *body,
                                   json_t *jsep, E2cJanusReplyFunc callback, gpointer user_data);

/* callback may be NULL: the ack is then only checked for errors (logged). */
void e2c_janus_client_trickle(E2cJanusClient *client, guint64 handle_id, const char *candidate,
                              const char *sdp_mid, gint mline_index, E2cJanusReplyFunc callback,
                              gpointer user_data);
void e2c_janus_client_trickle_completed(E2cJanusClient *client, guint64 handle_id,
                                        E2cJanusReplyFunc callback, gpointer user_data);

void e2c_janus_client_hangup(E2cJanusClient *client, guint64 handle_id, E2cJanusReplyFunc callback,
                             gpointer user_data);
/* The handle's event func stops at once; its destroy notify runs. */
void e2c_janus_client_detach(E2cJanusClient *client, guint64 handle_id, E2cJanusReplyFunc callback,
                             gpointer user_data);
/* Destroys the session (keepalives stop; every handle goes with it). */
void e2c_janus_client_destroy_session(E2cJanusClient *client, E2cJanusReplyFunc callback,
                                      gpointer user_data);

/* Flush what is queued and close the WebSocket; "closed" follows with NULL. */
void e2c_janus_client_close(E2cJanusClient *client);

gboolean e2c_janus_client_is_connected(E2cJanusClient *client);
guint64 e2c_janus_client_get_session_id(E2cJanusClient *client); /* 0: none */

G_END_DECLS
