/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Janus WebSocket API messages: the parser, which treats every received
 * message as hostile (wrong types, missing fields, huge numbers and arrays
 * give an error, never a crash). Field names follow Janus 1.1.2
 * (src/janus.c, src/ice.c, src/plugins/janus_videoroom.c).
 */
#define G_LOG_DOMAIN "e2c-signal"

#include "janus-msg.h"

#include <string.h>

/* Per array; keeps a hostile message from costing more than a few MB. */
#define MAX_ITEMS 4096

/* ---- parser ---- */

const char *
e2c_janus_kind_to_string(E2cJanusKind kind)
{
    static const char *const names[] = {
        [E2C_JANUS_KIND_UNKNOWN] = "unknown",
        [E2C_JANUS_KIND_SUCCESS] = "success",
        [E2C_JANUS_KIND_ERROR] = "error",
        [E2C_JANUS_KIND_ACK] = "ack",
        [E2C_JANUS_KIND_EVENT] = "event",
        [E2C_JANUS_KIND_WEBRTCUP] = "webrtcup",
        [E2C_JANUS_KIND_MEDIA] = "media",
        [E2C_JANUS_KIND_SLOWLINK] = "slowlink",
        [E2C_JANUS_KIND_HANGUP] = "hangup",
        [E2C_JANUS_KIND_DETACHED] = "detached",
        [E2C_JANUS_KIND_TIMEOUT] = "timeout",
        [E2C_JANUS_KIND_TRICKLE] = "trickle",
        [E2C_JANUS_KIND_SERVER_INFO] = "server_info",
    };
    if ((guint)kind >= G_N_ELEMENTS(names))
        return "unknown";
    return names[kind];
}

static E2cJanusKind
kind_from_string(const char *s)
{
    for (E2cJanusKind k = E2C_JANUS_KIND_SUCCESS; k <= E2C_JANUS_KIND_SERVER_INFO; k++)
        if (strcmp(s, e2c_janus_kind_to_string(k)) == 0)
            return k;
    return E2C_JANUS_KIND_UNKNOWN;
}

/*
 * Field readers: an absent key leaves the default; a present key of the
 * wrong type or out of range is an error. Messages name the key, never the
 * value.
 */
static gboolean
invalid(GError **error, const char *what, const char *key)
{
    g_set_error(error, E2C_JANUS_MSG_ERROR, E2C_JANUS_MSG_ERROR_INVALID, "\"%s\" %s", key, what);
    return FALSE;
}

static gboolean
read_str(json_t *obj, const char *key, const char **out, GError **error)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return TRUE;
    if (!json_is_string(v))
        return invalid(error, "is not a string", key);
    *out = json_string_value(v);
    return TRUE;
}

static gboolean
read_bool(json_t *obj, const char *key, gboolean *out, GError **error)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return TRUE;
    if (!json_is_boolean(v))
        return invalid(error, "is not a boolean", key);
    *out = json_is_true(v);
    return TRUE;
}

static gboolean
read_int64(json_t *obj, const char *key, gint64 *out, GError **error)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return TRUE;
    if (!json_is_integer(v))
        return invalid(error, "is not an integer", key);
    *out = json_integer_value(v);
    return TRUE;
}

static gboolean
read_int(json_t *obj, const char *key, gint *out, GError **error)
{
    gint64 v = *out;
    if (!read_int64(obj, key, &v, error))
        return FALSE;
    if (v < G_MININT || v > G_MAXINT)
        return invalid(error, "is out of range", key);
    *out = (gint)v;
    return TRUE;
}

/* Ids: 0 (Janus never hands out 0) is read as absent; negatives are an error. */
static gboolean
read_id(json_t *obj, const char *key, guint64 *out, GError **error)
{
    gint64 v = 0;
    if (!read_int64(obj, key, &v, error))
        return FALSE;
    if (v < 0)
        return invalid(error, "is not a valid id", key);
    *out = (guint64)v;
    return TRUE;
}

static gboolean
read_object(json_t *obj, const char *key, json_t **out, GError **error)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return TRUE;
    if (!json_is_object(v))
        return invalid(error, "is not an object", key);
    *out = v;
    return TRUE;
}

/* An array of objects, at most MAX_ITEMS long. */
static gboolean
read_array(json_t *obj, const char *key, json_t **out, gsize *n, GError **error)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return TRUE;
    if (!json_is_array(v))
        return invalid(error, "is not an array", key);
    if (json_array_size(v) > MAX_ITEMS)
        return invalid(error, "has too many elements", key);
    for (gsize i = 0; i < json_array_size(v); i++)
        if (!json_is_object(json_array_get(v, i)))
            return invalid(error, "has an element that is not an object", key);
    *out = v;
    *n = json_array_size(v);
    return TRUE;
}

/* "ok" for the participant itself, the id for everybody else. */
static gboolean
read_id_or_ok(json_t *obj, const char *key, guint64 *id, gboolean *ok, GError **error)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return TRUE;
    if (json_is_string(v)) {
        if (strcmp(json_string_value(v), "ok") != 0)
            return invalid(error, "is neither an id nor \"ok\"", key);
        *ok = TRUE;
        return TRUE;
    }
    return read_id(obj, key, id, error);
}

static gboolean
parse_stream(json_t *o, struct e2c_janus_vr_stream *s, GError **error)
{
    s->mindex = -1;
    return read_str(o, "type", &s->type, error) && read_int(o, "mindex", &s->mindex, error) &&
           read_str(o, "mid", &s->mid, error) && read_str(o, "codec", &s->codec, error) &&
           read_str(o, "description", &s->description, error) &&
           read_bool(o, "disabled", &s->disabled, error) &&
           read_id(o, "feed_id", &s->feed_id, error) &&
           read_str(o, "feed_mid", &s->feed_mid, error) &&
           read_str(o, "feed_display", &s->feed_display, error) &&
           read_bool(o, "active", &s->active, error) && read_bool(o, "send", &s->send, error) &&
           read_bool(o, "ready", &s->ready, error);
}

static gboolean
parse_streams(json_t *obj, gboolean *has, struct e2c_janus_vr_stream **out, gsize *n,
              GError **error)
{
    json_t *arr = NULL;
    gsize count = 0;
    if (!read_array(obj, "streams", &arr, &count, error))
        return FALSE;
    if (!arr)
        return TRUE;
    if (has)
        *has = TRUE;
    *out = g_new0(struct e2c_janus_vr_stream, MAX(count, 1));
    *n = count;
    for (gsize i = 0; i < count; i++)
        if (!parse_stream(json_array_get(arr, i), &(*out)[i], error))
            return FALSE;
    return TRUE;
}

static gboolean
parse_publishers(json_t *data, struct e2c_janus_vr_data *vr, GError **error)
{
    json_t *arr = NULL;
    gsize n = 0;
    if (!read_array(data, "publishers", &arr, &n, error))
        return FALSE;
    if (!arr)
        return TRUE;
    vr->has_publishers = TRUE;
    vr->publishers = g_new0(struct e2c_janus_vr_publisher, MAX(n, 1));
    vr->n_publishers = n;
    for (gsize i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        struct e2c_janus_vr_publisher *p = &vr->publishers[i];
        if (!read_id(o, "id", &p->id, error) || !read_str(o, "display", &p->display, error) ||
            !parse_streams(o, NULL, &p->streams, &p->n_streams, error))
            return FALSE;
        if (!p->id)
            return invalid(error, "has a publisher without an id", "publishers");
    }
    return TRUE;
}

static gboolean
parse_participants(json_t *data, struct e2c_janus_vr_data *vr, GError **error)
{
    json_t *arr = NULL;
    gsize n = 0;
    if (!read_array(data, "participants", &arr, &n, error))
        return FALSE;
    if (!arr)
        return TRUE;
    vr->has_participants = TRUE;
    vr->participants = g_new0(struct e2c_janus_vr_participant, MAX(n, 1));
    vr->n_participants = n;
    for (gsize i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        struct e2c_janus_vr_participant *p = &vr->participants[i];
        if (!read_id(o, "id", &p->id, error) || !read_str(o, "display", &p->display, error) ||
            !read_bool(o, "publisher", &p->publisher, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
parse_room_list(json_t *data, struct e2c_janus_vr_data *vr, GError **error)
{
    json_t *arr = NULL;
    gsize n = 0;
    if (!read_array(data, "list", &arr, &n, error))
        return FALSE;
    if (!arr)
        return TRUE;
    vr->has_list = TRUE;
    vr->list = g_new0(struct e2c_janus_vr_room, MAX(n, 1));
    vr->n_list = n;
    for (gsize i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        struct e2c_janus_vr_room *r = &vr->list[i];
        if (!read_id(o, "room", &r->room, error) ||
            !read_str(o, "description", &r->description, error) ||
            !read_bool(o, "require_e2ee", &r->require_e2ee, error) ||
            !read_bool(o, "pin_required", &r->pin_required, error) ||
            !read_bool(o, "is_private", &r->is_private, error) ||
            !read_bool(o, "record", &r->record, error) ||
            !read_int(o, "max_publishers", &r->max_publishers, error) ||
            !read_int(o, "num_participants", &r->num_participants, error) ||
            !read_str(o, "videocodec", &r->videocodec, error) ||
            !read_str(o, "audiocodec", &r->audiocodec, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
parse_videoroom(json_t *data, struct e2c_janus_vr_data *vr, GError **error)
{
    json_t *exists = json_object_get(data, "exists");
    if (exists) {
        if (!json_is_boolean(exists))
            return invalid(error, "is not a boolean", "exists");
        vr->has_exists = TRUE;
        vr->exists = json_is_true(exists);
    }
    return read_str(data, "videoroom", &vr->videoroom, error) &&
           read_id(data, "room", &vr->room, error) &&
           read_int(data, "error_code", &vr->error_code, error) &&
           read_str(data, "error", &vr->error, error) &&
           read_str(data, "description", &vr->description, error) &&
           read_id(data, "id", &vr->id, error) &&
           read_id(data, "private_id", &vr->private_id, error) &&
           parse_publishers(data, vr, error) && parse_participants(data, vr, error) &&
           parse_room_list(data, vr, error) &&
           parse_streams(data, &vr->has_streams, &vr->streams, &vr->n_streams, error) &&
           read_id_or_ok(data, "unpublished", &vr->unpublished, &vr->unpublished_ok, error) &&
           read_id_or_ok(data, "leaving", &vr->leaving, &vr->leaving_ok, error) &&
           read_str(data, "configured", &vr->configured, error) &&
           read_str(data, "started", &vr->started, error) &&
           read_str(data, "left", &vr->left, error) &&
           read_str(data, "video_codec", &vr->video_codec, error) &&
           read_str(data, "audio_codec", &vr->audio_codec, error);
}

static gboolean
parse_plugindata(json_t *root, E2cJanusMsg *msg, GError **error)
{
    json_t *pd = NULL;
    if (!read_object(root, "plugindata", &pd, error))
        return FALSE;
    if (!pd)
        return TRUE;
    json_t *data = NULL;
    if (!read_str(pd, "plugin", &msg->plugin, error) || !read_object(pd, "data", &data, error))
        return FALSE;
    if (!msg->plugin || !data)
        return invalid(error, "lacks \"plugin\" or \"data\"", "plugindata");
    msg->plugindata = data;
    if (strcmp(msg->plugin, E2C_JANUS_PLUGIN_VIDEOROOM) != 0) {
        /* Other plugins follow the same error convention. */
        gint code = 0;
        const char *text = NULL;
        return read_int(data, "error_code", &code, error) && read_str(data, "error", &text, error);
    }
    msg->is_videoroom = TRUE;
    return parse_videoroom(data, &msg->vr, error);
}

static gboolean
parse_jsep(json_t *root, E2cJanusMsg *msg, GError **error)
{
    json_t *jsep = NULL;
    if (!read_object(root, "jsep", &jsep, error))
        return FALSE;
    if (!jsep)
        return TRUE;
    if (!read_str(jsep, "type", &msg->jsep.type, error) ||
        !read_str(jsep, "sdp", &msg->jsep.sdp, error) ||
        !read_bool(jsep, "e2ee", &msg->jsep.e2ee, error))
        return FALSE;
    if (!msg->jsep.type || !msg->jsep.sdp)
        return invalid(error, "lacks \"type\" or \"sdp\"", "jsep");
    msg->has_jsep = TRUE;
    return TRUE;
}

static gboolean
parse_error(json_t *root, E2cJanusMsg *msg, GError **error)
{
    json_t *err = NULL;
    if (!read_object(root, "error", &err, error))
        return FALSE;
    if (!err)
        return invalid(error, "is missing", "error");
    if (!read_int(err, "code", &msg->error_code, error) ||
        !read_str(err, "reason", &msg->error_reason, error))
        return FALSE;
    if (msg->error_code == 0)
        return invalid(error, "lacks a code", "error");
    return TRUE;
}

static gboolean
parse_trickle(json_t *root, E2cJanusMsg *msg, GError **error)
{
    json_t *c = NULL;
    if (!read_object(root, "candidate", &c, error))
        return FALSE;
    if (!c)
        return invalid(error, "is missing", "candidate");
    return read_str(c, "candidate", &msg->candidate, error) &&
           read_str(c, "sdpMid", &msg->sdp_mid, error) &&
           read_int(c, "sdpMLineIndex", &msg->sdp_mline_index, error) &&
           read_bool(c, "completed", &msg->completed, error);
}

static gboolean
parse_kind(json_t *root, E2cJanusMsg *msg, GError **error)
{
    json_t *data = NULL;

    switch (msg->kind) {
    case E2C_JANUS_KIND_SUCCESS:
        return read_object(root, "data", &data, error) &&
               (!data || read_id(data, "id", &msg->data_id, error));
    case E2C_JANUS_KIND_ERROR:
        return parse_error(root, msg, error);
    case E2C_JANUS_KIND_EVENT:
        if (!msg->plugindata)
            return invalid(error, "is missing from an event", "plugindata");
        return TRUE;
    case E2C_JANUS_KIND_MEDIA:
        return read_str(root, "type", &msg->media_type, error) &&
               read_str(root, "mid", &msg->mid, error) &&
               read_bool(root, "receiving", &msg->receiving, error);
    case E2C_JANUS_KIND_SLOWLINK:
        return read_str(root, "media", &msg->media_type, error) &&
               read_str(root, "mid", &msg->mid, error) &&
               read_bool(root, "uplink", &msg->uplink, error) &&
               read_int64(root, "lost", &msg->lost, error);
    case E2C_JANUS_KIND_HANGUP:
        return read_str(root, "reason", &msg->reason, error);
    case E2C_JANUS_KIND_TRICKLE:
        return parse_trickle(root, msg, error);
    case E2C_JANUS_KIND_SERVER_INFO:
        return read_str(root, "name", &msg->server_name, error) &&
               read_int64(root, "version", &msg->version, error) &&
               read_str(root, "version_string", &msg->version_string, error);
    case E2C_JANUS_KIND_UNKNOWN:
    case E2C_JANUS_KIND_ACK:
    case E2C_JANUS_KIND_WEBRTCUP:
    case E2C_JANUS_KIND_DETACHED:
    case E2C_JANUS_KIND_TIMEOUT:
        break;
    }
    return TRUE;
}

static void
msg_clear(gpointer data)
{
    E2cJanusMsg *msg = data;

    for (gsize i = 0; i < msg->vr.n_publishers; i++)
        g_free(msg->vr.publishers[i].streams);
    g_free(msg->vr.publishers);
    g_free(msg->vr.participants);
    g_free(msg->vr.list);
    g_free(msg->vr.streams);
    json_decref(msg->root);
}

E2cJanusMsg *
e2c_janus_msg_parse(const char *text, gsize len, GError **error)
{
    g_return_val_if_fail(text != NULL || len == 0, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (len > E2C_JANUS_MSG_MAX_SIZE) {
        g_set_error(error, E2C_JANUS_MSG_ERROR, E2C_JANUS_MSG_ERROR_TOO_BIG,
                    "message of %" G_GSIZE_FORMAT " bytes is over the %d byte limit", len,
                    E2C_JANUS_MSG_MAX_SIZE);
        return NULL;
    }
    json_error_t jerr;
    /* jansson's error text quotes the input ("near '...'"): report only the position. */
    json_t *root = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        g_set_error(error, E2C_JANUS_MSG_ERROR, E2C_JANUS_MSG_ERROR_SYNTAX,
                    "not valid JSON (line %d, column %d)", jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        g_set_error(error, E2C_JANUS_MSG_ERROR, E2C_JANUS_MSG_ERROR_INVALID, "not a JSON object");
        return NULL;
    }

    E2cJanusMsg *msg = g_atomic_rc_box_new0(E2cJanusMsg);
    msg->root = root;
    msg->sdp_mline_index = -1;

    if (!read_str(root, "janus", &msg->janus, error))
        goto fail;
    if (!msg->janus) {
        invalid(error, "is missing", "janus");
        goto fail;
    }
    msg->kind = kind_from_string(msg->janus);
    if (!read_str(root, "transaction", &msg->transaction, error) ||
        !read_id(root, "session_id", &msg->session_id, error) ||
        !read_id(root, "sender", &msg->sender, error) || !parse_plugindata(root, msg, error) ||
        !parse_jsep(root, msg, error) || !parse_kind(root, msg, error))
        goto fail;
    return msg;

fail:
    e2c_janus_msg_unref(msg);
    return NULL;
}

E2cJanusMsg *
e2c_janus_msg_ref(E2cJanusMsg *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    return g_atomic_rc_box_acquire(msg);
}

void
e2c_janus_msg_unref(E2cJanusMsg *msg)
{
    if (msg)
        g_atomic_rc_box_release_full(msg, msg_clear);
}

gboolean
e2c_janus_msg_check(const E2cJanusMsg *msg, GError **error)
{
    g_return_val_if_fail(msg != NULL, FALSE);

    if (msg->kind == E2C_JANUS_KIND_ERROR) {
        g_set_error(error, E2C_JANUS_ERROR, msg->error_code, "%s",
                    msg->error_reason ? msg->error_reason : "error reported by Janus");
        return FALSE;
    }
    if (!msg->plugindata)
        return TRUE;
    /* Validated by the parser: an integer in int range and a string, if present. */
    json_t *code = json_object_get(msg->plugindata, "error_code");
    if (!code || json_integer_value(code) == 0)
        return TRUE;
    const char *text = json_string_value(json_object_get(msg->plugindata, "error"));
    g_set_error(error, E2C_JANUS_ERROR, (gint)json_integer_value(code), "%s",
                text ? text : "error reported by the plugin");
    return FALSE;
}
