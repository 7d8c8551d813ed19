/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Janus WebSocket API messages: the builders (the parser is in
 * janus-msg-parse.c). Field names follow Janus 1.1.2 (src/janus.c,
 * src/ice.c, src/plugins/janus_videoroom.c).
 */
#define G_LOG_DOMAIN "e2c-signal"

#include "janus-msg.h"

#include <string.h>

G_STATIC_ASSERT(sizeof(json_int_t) == sizeof(gint64));

/* clang-format off */
G_DEFINE_QUARK(e2c-janus-msg-error-quark, e2c_janus_msg_error)
G_DEFINE_QUARK(e2c-janus-error-quark, e2c_janus_error)
/* clang-format on */

/* ---- builders ---- */

static gboolean
id_valid(guint64 id)
{
    return id > 0 && id <= E2C_JANUS_ID_MAX;
}

static json_t *
request_new(const char *janus, const char *transaction)
{
    json_t *msg = json_object();
    json_object_set_new(msg, "janus", json_string(janus));
    json_object_set_new(msg, "transaction", json_string(transaction));
    return msg;
}

static void
set_id(json_t *obj, const char *key, guint64 id)
{
    json_object_set_new(obj, key, json_integer((json_int_t)id));
}

json_t *
e2c_janus_msg_session_create(const char *transaction)
{
    g_return_val_if_fail(transaction != NULL, NULL);
    return request_new("create", transaction);
}

json_t *
e2c_janus_msg_info(const char *transaction)
{
    g_return_val_if_fail(transaction != NULL, NULL);
    return request_new("info", transaction);
}

json_t *
e2c_janus_msg_attach(guint64 session_id, const char *plugin, const char *transaction)
{
    g_return_val_if_fail(id_valid(session_id), NULL);
    g_return_val_if_fail(plugin != NULL && transaction != NULL, NULL);
    json_t *msg = request_new("attach", transaction);
    set_id(msg, "session_id", session_id);
    json_object_set_new(msg, "plugin", json_string(plugin));
    return msg;
}

json_t *
e2c_janus_msg_keepalive(guint64 session_id, const char *transaction)
{
    g_return_val_if_fail(id_valid(session_id), NULL);
    g_return_val_if_fail(transaction != NULL, NULL);
    json_t *msg = request_new("keepalive", transaction);
    set_id(msg, "session_id", session_id);
    return msg;
}

static json_t *
handle_request_new(const char *janus, guint64 session_id, guint64 handle_id,
                   const char *transaction)
{
    json_t *msg = request_new(janus, transaction);
    set_id(msg, "session_id", session_id);
    set_id(msg, "handle_id", handle_id);
    return msg;
}

json_t *
e2c_janus_msg_message(guint64 session_id, guint64 handle_id, json_t *body, json_t *jsep,
                      const char *transaction)
{
    if (!id_valid(session_id) || !id_valid(handle_id) || !json_is_object(body) ||
        (jsep && !json_is_object(jsep)) || !transaction) {
        json_decref(body);
        json_decref(jsep);
        g_return_val_if_reached(NULL);
    }
    json_t *msg = handle_request_new("message", session_id, handle_id, transaction);
    json_object_set_new(msg, "body", body);
    if (jsep)
        json_object_set_new(msg, "jsep", jsep);
    return msg;
}

json_t *
e2c_janus_msg_jsep(const char *type, const char *sdp, gboolean e2ee)
{
    g_return_val_if_fail(type != NULL && sdp != NULL, NULL);
    g_return_val_if_fail(g_utf8_validate(sdp, -1, NULL), NULL);
    json_t *jsep = json_object();
    json_object_set_new(jsep, "type", json_string(type));
    json_object_set_new(jsep, "sdp", json_string(sdp));
    if (e2ee)
        json_object_set_new(jsep, "e2ee", json_true());
    return jsep;
}

json_t *
e2c_janus_msg_trickle(guint64 session_id, guint64 handle_id, const char *candidate,
                      const char *sdp_mid, gint mline_index, const char *transaction)
{
    g_return_val_if_fail(id_valid(session_id) && id_valid(handle_id), NULL);
    g_return_val_if_fail(candidate != NULL && transaction != NULL, NULL);
    g_return_val_if_fail(sdp_mid != NULL || mline_index >= 0, NULL);
    g_return_val_if_fail(g_utf8_validate(candidate, -1, NULL), NULL);
    g_return_val_if_fail(!sdp_mid || g_utf8_validate(sdp_mid, -1, NULL), NULL);
    json_t *msg = handle_request_new("trickle", session_id, handle_id, transaction);
    json_t *c = json_object();
    json_object_set_new(c, "candidate", json_string(candidate));
    if (sdp_mid)
        json_object_set_new(c, "sdpMid", json_string(sdp_mid));
    if (mline_index >= 0)
        json_object_set_new(c, "sdpMLineIndex", json_integer(mline_index));
    json_object_set_new(msg, "candidate", c);
    return msg;
}

json_t *
e2c_janus_msg_trickle_completed(guint64 session_id, guint64 handle_id, const char *transaction)
{
    g_return_val_if_fail(id_valid(session_id) && id_valid(handle_id), NULL);
    g_return_val_if_fail(transaction != NULL, NULL);
    json_t *msg = handle_request_new("trickle", session_id, handle_id, transaction);
    json_t *c = json_object();
    json_object_set_new(c, "completed", json_true());
    json_object_set_new(msg, "candidate", c);
    return msg;
}

json_t *
e2c_janus_msg_hangup(guint64 session_id, guint64 handle_id, const char *transaction)
{
    g_return_val_if_fail(id_valid(session_id) && id_valid(handle_id), NULL);
    g_return_val_if_fail(transaction != NULL, NULL);
    return handle_request_new("hangup", session_id, handle_id, transaction);
}

json_t *
e2c_janus_msg_detach(guint64 session_id, guint64 handle_id, const char *transaction)
{
    g_return_val_if_fail(id_valid(session_id) && id_valid(handle_id), NULL);
    g_return_val_if_fail(transaction != NULL, NULL);
    return handle_request_new("detach", session_id, handle_id, transaction);
}

json_t *
e2c_janus_msg_session_destroy(guint64 session_id, const char *transaction)
{
    g_return_val_if_fail(id_valid(session_id), NULL);
    g_return_val_if_fail(transaction != NULL, NULL);
    json_t *msg = request_new("destroy", transaction);
    set_id(msg, "session_id", session_id);
    return msg;
}

/* ---- VideoRoom bodies ---- */

static json_t *
vr_request_new(const char *request)
{
    json_t *body = json_object();
    json_object_set_new(body, "request", json_string(request));
    return body;
}

static json_t *
vr_room_request_new(const char *request, guint64 room)
{
    json_t *body = vr_request_new(request);
    set_id(body, "room", room);
    return body;
}

json_t *
e2c_janus_msg_vr_create(const struct e2c_janus_vr_room_config *config)
{
    g_return_val_if_fail(config != NULL, NULL);
    g_return_val_if_fail(config->room <= E2C_JANUS_ID_MAX, NULL);
    g_return_val_if_fail(config->publishers >= 0 && config->fir_freq >= 0, NULL);
    g_return_val_if_fail(!config->description || g_utf8_validate(config->description, -1, NULL),
                         NULL);
    g_return_val_if_fail(!config->videocodec || g_utf8_validate(config->videocodec, -1, NULL),
                         NULL);
    g_return_val_if_fail(!config->audiocodec || g_utf8_validate(config->audiocodec, -1, NULL),
                         NULL);
    g_return_val_if_fail(!config->secret || g_utf8_validate(config->secret, -1, NULL), NULL);
    g_return_val_if_fail(!config->pin || g_utf8_validate(config->pin, -1, NULL), NULL);

    json_t *body = vr_request_new("create");
    if (config->room)
        set_id(body, "room", config->room);
    json_object_set_new(body, "permanent", json_false());
    if (config->description)
        json_object_set_new(body, "description", json_string(config->description));
    if (config->publishers)
        json_object_set_new(body, "publishers", json_integer(config->publishers));
    if (config->videocodec)
        json_object_set_new(body, "videocodec", json_string(config->videocodec));
    if (config->audiocodec)
        json_object_set_new(body, "audiocodec", json_string(config->audiocodec));
    json_object_set_new(body, "require_e2ee", json_boolean(config->require_e2ee));
    json_object_set_new(body, "record", json_boolean(config->record));
    if (config->bitrate)
        json_object_set_new(body, "bitrate", json_integer(config->bitrate));
    if (config->fir_freq)
        json_object_set_new(body, "fir_freq", json_integer(config->fir_freq));
    json_object_set_new(body, "is_private", json_boolean(config->is_private));
    if (config->secret)
        json_object_set_new(body, "secret", json_string(config->secret));
    if (config->pin)
        json_object_set_new(body, "pin", json_string(config->pin));
    return body;
}

json_t *
e2c_janus_msg_vr_destroy(guint64 room)
{
    g_return_val_if_fail(id_valid(room), NULL);
    json_t *body = vr_room_request_new("destroy", room);
    json_object_set_new(body, "permanent", json_false());
    return body;
}

json_t *
e2c_janus_msg_vr_exists(guint64 room)
{
    g_return_val_if_fail(id_valid(room), NULL);
    return vr_room_request_new("exists", room);
}

json_t *
e2c_janus_msg_vr_list(void)
{
    return vr_request_new("list");
}

json_t *
e2c_janus_msg_vr_listparticipants(guint64 room)
{
    g_return_val_if_fail(id_valid(room), NULL);
    return vr_room_request_new("listparticipants", room);
}

json_t *
e2c_janus_msg_vr_join_publisher(guint64 room, const char *display, guint64 id)
{
    g_return_val_if_fail(id_valid(room) && id <= E2C_JANUS_ID_MAX, NULL);
    g_return_val_if_fail(!display || g_utf8_validate(display, -1, NULL), NULL);
    json_t *body = vr_room_request_new("join", room);
    json_object_set_new(body, "ptype", json_string("publisher"));
    if (display)
        json_object_set_new(body, "display", json_string(display));
    if (id)
        set_id(body, "id", id);
    return body;
}

static json_t *
vr_send_flags_new(const char *request, gboolean audio, gboolean video)
{
    json_t *body = vr_request_new(request);
    json_object_set_new(body, "audio", json_boolean(audio));
    json_object_set_new(body, "video", json_boolean(video));
    return body;
}

json_t *
e2c_janus_msg_vr_configure(gboolean audio, gboolean video)
{
    return vr_send_flags_new("configure", audio, video);
}

json_t *
e2c_janus_msg_vr_publish(gboolean audio, gboolean video)
{
    return vr_send_flags_new("publish", audio, video);
}

json_t *
e2c_janus_msg_vr_join_subscriber(guint64 room, const struct e2c_janus_vr_feed *feeds, gsize n_feeds,
                                 guint64 private_id)
{
    g_return_val_if_fail(id_valid(room) && private_id <= E2C_JANUS_ID_MAX, NULL);
    g_return_val_if_fail(feeds != NULL && n_feeds > 0, NULL);
    for (gsize i = 0; i < n_feeds; i++) {
        g_return_val_if_fail(id_valid(feeds[i].feed), NULL);
        g_return_val_if_fail(!feeds[i].mid || g_utf8_validate(feeds[i].mid, -1, NULL), NULL);
    }

    json_t *body = vr_room_request_new("join", room);
    json_object_set_new(body, "ptype", json_string("subscriber"));
    json_t *streams = json_array();
    for (gsize i = 0; i < n_feeds; i++) {
        json_t *s = json_object();
        set_id(s, "feed", feeds[i].feed);
        if (feeds[i].mid)
            json_object_set_new(s, "mid", json_string(feeds[i].mid));
        json_array_append_new(streams, s);
    }
    json_object_set_new(body, "streams", streams);
    if (private_id)
        set_id(body, "private_id", private_id);
    /* e2call does not answer the offers Janus would send when a publisher leaves. */
    json_object_set_new(body, "autoupdate", json_false());
    return body;
}

json_t *
e2c_janus_msg_vr_start(guint64 room)
{
    g_return_val_if_fail(room <= E2C_JANUS_ID_MAX, NULL);
    json_t *body = vr_request_new("start");
    if (room)
        set_id(body, "room", room);
    return body;
}

json_t *
e2c_janus_msg_vr_leave(void)
{
    return vr_request_new("leave");
}

json_t *
e2c_janus_msg_vr_unpublish(void)
{
    return vr_request_new("unpublish");
}

static json_t *
add_string(json_t *body, const char *key, const char *value)
{
    if (!body)
        return NULL; /* the builder already refused */
    if (!json_is_object(body) || (value && !g_utf8_validate(value, -1, NULL))) {
        json_decref(body);
        g_return_val_if_reached(NULL);
    }
    if (value)
        json_object_set_new(body, key, json_string(value));
    return body;
}

json_t *
e2c_janus_msg_vr_add_pin(json_t *body, const char *pin)
{
    return add_string(body, "pin", pin);
}

json_t *
e2c_janus_msg_vr_add_secret(json_t *body, const char *secret)
{
    return add_string(body, "secret", secret);
}

json_t *
e2c_janus_msg_vr_rtp_forward(guint64 room, guint64 publisher_id, const char *host,
                             const struct e2c_janus_vr_forward *streams, gsize n_streams)
{
    g_return_val_if_fail(id_valid(room) && id_valid(publisher_id), NULL);
    g_return_val_if_fail(host != NULL && g_utf8_validate(host, -1, NULL), NULL);
    g_return_val_if_fail(streams != NULL && n_streams > 0, NULL);
    for (gsize i = 0; i < n_streams; i++)
        g_return_val_if_fail(streams[i].mid && g_utf8_validate(streams[i].mid, -1, NULL) &&
                                 streams[i].port > 0,
                             NULL);

    json_t *body = vr_room_request_new("rtp_forward", room);
    set_id(body, "publisher_id", publisher_id);
    json_object_set_new(body, "host", json_string(host));
    json_t *arr = json_array();
    for (gsize i = 0; i < n_streams; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "mid", json_string(streams[i].mid));
        json_object_set_new(s, "port", json_integer(streams[i].port));
        json_array_append_new(arr, s);
    }
    json_object_set_new(body, "streams", arr);
    return body;
}

char *
e2c_janus_msg_to_string(const json_t *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    char *s = json_dumps(msg, JSON_COMPACT);
    if (!s)
        return NULL;
    char *copy = g_strdup(s);
    free(s);
    return copy;
}
