/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Janus 1.1 WebSocket API and VideoRoom messages, built and parsed with
 * jansson. Pure: no sockets, no main loop, no logging of message content.
 *
 * Builders return a new reference, or NULL with a critical warning when a
 * precondition fails (an id out of range, a string that is not UTF-8: the
 * caller validates user input first). Janus ids (sessions, handles, rooms,
 * participants) are unsigned 64-bit numbers in the protocol, carried in JSON
 * integers; jansson's json_int_t is a signed 64-bit integer, so an id must be
 * in 1..E2C_JANUS_ID_MAX. Janus itself keeps the ids it picks below 2^53
 * (JavaScript-safe) and rejects non-positive room and participant ids.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Largest WebSocket message the parser accepts (and the transport reassembles). */
#define E2C_JANUS_MSG_MAX_SIZE (256 * 1024)
/* Largest id a JSON integer can carry through jansson. */
#define E2C_JANUS_ID_MAX ((guint64)G_MAXINT64)
#define E2C_JANUS_PLUGIN_VIDEOROOM "janus.plugin.videoroom"

/* ---- errors ---- */

/* Malformed input to the parser. */
#define E2C_JANUS_MSG_ERROR (e2c_janus_msg_error_quark())
GQuark e2c_janus_msg_error_quark(void);

typedef enum {
    E2C_JANUS_MSG_ERROR_TOO_BIG, /* over E2C_JANUS_MSG_MAX_SIZE */
    E2C_JANUS_MSG_ERROR_SYNTAX,  /* not JSON, duplicate keys, NUL bytes */
    E2C_JANUS_MSG_ERROR_INVALID, /* JSON, but not a Janus message we can read */
} E2cJanusMsgError;

/*
 * Errors Janus reports: the GError code is Janus's own number, from the
 * core ({"janus":"error","error":{"code":N}}) or from the plugin
 * (plugindata.data.error_code). Known numbers below; others pass through.
 */
#define E2C_JANUS_ERROR (e2c_janus_error_quark())
GQuark e2c_janus_error_quark(void);

typedef enum {
    /* core, src/apierror.h */
    E2C_JANUS_ERROR_UNAUTHORIZED = 403,
    E2C_JANUS_ERROR_UNAUTHORIZED_PLUGIN = 405,
    E2C_JANUS_ERROR_SESSION_NOT_FOUND = 458,
    E2C_JANUS_ERROR_HANDLE_NOT_FOUND = 459,
    E2C_JANUS_ERROR_PLUGIN_NOT_FOUND = 460,
    E2C_JANUS_ERROR_JSEP_INVALID_SDP = 465,
    E2C_JANUS_ERROR_UNKNOWN = 490, /* also "Error setting ICE locally" */
    /* VideoRoom, JANUS_VIDEOROOM_ERROR_* */
    E2C_JANUS_ERROR_VR_JOIN_FIRST = 424,
    E2C_JANUS_ERROR_VR_ALREADY_JOINED = 425,
    E2C_JANUS_ERROR_VR_NO_SUCH_ROOM = 426,
    E2C_JANUS_ERROR_VR_ROOM_EXISTS = 427,
    E2C_JANUS_ERROR_VR_NO_SUCH_FEED = 428,
    E2C_JANUS_ERROR_VR_MISSING_ELEMENT = 429,
    E2C_JANUS_ERROR_VR_INVALID_ELEMENT = 430,
    E2C_JANUS_ERROR_VR_PUBLISHERS_FULL = 432,
    E2C_JANUS_ERROR_VR_UNAUTHORIZED = 433, /* also "Room requires end-to-end encrypted media" */
    E2C_JANUS_ERROR_VR_ALREADY_PUBLISHED = 434,
    E2C_JANUS_ERROR_VR_NOT_PUBLISHED = 435,
    E2C_JANUS_ERROR_VR_ID_EXISTS = 436,
    E2C_JANUS_ERROR_VR_INVALID_SDP = 437,
    E2C_JANUS_ERROR_VR_UNKNOWN = 499,
} E2cJanusError;

/* ---- core requests ---- */

json_t *e2c_janus_msg_session_create(const char *transaction);
json_t *e2c_janus_msg_info(const char *transaction);
json_t *e2c_janus_msg_attach(guint64 session_id, const char *plugin, const char *transaction);
json_t *e2c_janus_msg_keepalive(guint64 session_id, const char *transaction);
/*
 * A plugin message. body: transfer full (an object); jsep: transfer full,
 * nullable (see e2c_janus_msg_jsep()).
 */
json_t *e2c_janus_msg_message(guint64 session_id, guint64 handle_id, json_t *body, json_t *jsep,
                              const char *transaction);
/*
 * {"type", "sdp"} plus "e2ee": true when e2ee is set. The flag belongs in
 * the jsep: Janus 1.1.2 ignores it in the message body.
 */
json_t *e2c_janus_msg_jsep(const char *type, const char *sdp, gboolean e2ee);
/* sdp_mid may be NULL; mline_index < 0 leaves sdpMLineIndex out. One of the two is needed. */
json_t *e2c_janus_msg_trickle(guint64 session_id, guint64 handle_id, const char *candidate,
                              const char *sdp_mid, gint mline_index, const char *transaction);
json_t *e2c_janus_msg_trickle_completed(guint64 session_id, guint64 handle_id,
                                        const char *transaction);
json_t *e2c_janus_msg_hangup(guint64 session_id, guint64 handle_id, const char *transaction);
json_t *e2c_janus_msg_detach(guint64 session_id, guint64 handle_id, const char *transaction);
json_t *e2c_janus_msg_session_destroy(guint64 session_id, const char *transaction);

/* ---- VideoRoom request bodies (for e2c_janus_msg_message()) ---- */

struct e2c_janus_vr_room_config {
    guint64 room;            /* 0: Janus picks one */
    const char *description; /* NULL: none */
    gint publishers;         /* max concurrent publishers; 0: Janus's default (3) */
    const char *videocodec;  /* comma list in order of preference; NULL: default (vp8) */
    const char *audiocodec;  /* NULL: default (opus) */
    gboolean require_e2ee;
    gboolean record;
    guint32 bitrate; /* bit/s; 0: none */
    gint fir_freq;   /* seconds; 0: leave out */
    gboolean is_private;
    const char *secret; /* needed to edit or destroy the room; NULL: none */
    const char *pin;    /* needed to join it; NULL: none */
    /* "permanent" is always false: the lab and e2call never edit the config file. */
};

json_t *e2c_janus_msg_vr_create(const struct e2c_janus_vr_room_config *config);
json_t *e2c_janus_msg_vr_destroy(guint64 room);
json_t *e2c_janus_msg_vr_exists(guint64 room);
json_t *e2c_janus_msg_vr_list(void);
json_t *e2c_janus_msg_vr_listparticipants(guint64 room);
/* display may be NULL; id 0 lets Janus pick the participant id. */
json_t *e2c_janus_msg_vr_join_publisher(guint64 room, const char *display, guint64 id);
/*
 * "configure" (sent with the offer, as the tested prototype did) and
 * "publish"; audio/video are Janus's per-kind send flags (deprecated in
 * favour of per-mid "streams", still honoured by 1.1.2).
 */
json_t *e2c_janus_msg_vr_configure(gboolean audio, gboolean video);
json_t *e2c_janus_msg_vr_publish(gboolean audio, gboolean video);

struct e2c_janus_vr_feed {
    guint64 feed;    /* publisher id */
    const char *mid; /* NULL: every stream of the feed */
};

/*
 * private_id 0 leaves it out (needed only in rooms with require_pvtid).
 * autoupdate is off: Janus sends no new offer when a subscribed publisher leaves.
 */
json_t *e2c_janus_msg_vr_join_subscriber(guint64 room, const struct e2c_janus_vr_feed *feeds,
                                         gsize n_feeds, guint64 private_id);
/* room 0 leaves it out. */
json_t *e2c_janus_msg_vr_start(guint64 room);
json_t *e2c_janus_msg_vr_leave(void);
json_t *e2c_janus_msg_vr_unpublish(void);
/*
 * The room's PIN (join, as publisher or subscriber) or secret (edit,
 * destroy, rtp_forward) into a request body; NULL adds nothing. Returns body
 * (transfer full), or NULL (body released) when the value is not UTF-8.
 */
json_t *e2c_janus_msg_vr_add_pin(json_t *body, const char *pin);
json_t *e2c_janus_msg_vr_add_secret(json_t *body, const char *secret);

struct e2c_janus_vr_forward {
    const char *mid;
    guint16 port;
};

/* For tests: forward a publisher's RTP to host:port per mid (plain RTP). */
json_t *e2c_janus_msg_vr_rtp_forward(guint64 room, guint64 publisher_id, const char *host,
                                     const struct e2c_janus_vr_forward *streams, gsize n_streams);

/* Serialise compactly for the wire; g_free() the result. */
char *e2c_janus_msg_to_string(const json_t *msg);

/* ---- parsing ---- */

typedef enum {
    E2C_JANUS_KIND_UNKNOWN = 0, /* a "janus" value this parser does not know */
    E2C_JANUS_KIND_SUCCESS,
    E2C_JANUS_KIND_ERROR,
    E2C_JANUS_KIND_ACK,
    E2C_JANUS_KIND_EVENT,
    E2C_JANUS_KIND_WEBRTCUP,
    E2C_JANUS_KIND_MEDIA,
    E2C_JANUS_KIND_SLOWLINK,
    E2C_JANUS_KIND_HANGUP,
    E2C_JANUS_KIND_DETACHED,
    E2C_JANUS_KIND_TIMEOUT,
    E2C_JANUS_KIND_TRICKLE,
    E2C_JANUS_KIND_SERVER_INFO,
} E2cJanusKind;

const char *e2c_janus_kind_to_string(E2cJanusKind kind);

/*
 * All strings below point into the parsed JSON, which the message keeps
 * alive: they are valid as long as the message is. A NULL string or a 0 id
 * means "absent".
 */

struct e2c_janus_jsep {
    const char *type; /* "offer" / "answer" */
    const char *sdp;
    gboolean e2ee;
};

struct e2c_janus_vr_stream {
    const char *type; /* "audio", "video", "data" */
    gint mindex;      /* -1 when absent */
    const char *mid;
    const char *codec;
    const char *description;
    gboolean disabled;
    /* subscriber streams ("attached", "updated") */
    guint64 feed_id;
    const char *feed_mid;
    const char *feed_display;
    gboolean active;
    gboolean send;
    gboolean ready;
};

struct e2c_janus_vr_publisher {
    guint64 id;
    const char *display;
    struct e2c_janus_vr_stream *streams;
    gsize n_streams;
};

struct e2c_janus_vr_participant {
    guint64 id;
    const char *display;
    gboolean publisher;
};

struct e2c_janus_vr_room {
    guint64 room;
    const char *description;
    gboolean require_e2ee;
    gboolean pin_required;
    gboolean is_private;
    gboolean record;
    gint max_publishers;
    gint num_participants;
    const char *videocodec;
    const char *audiocodec;
};

/* plugindata.data of janus.plugin.videoroom, as far as e2call reads it. */
struct e2c_janus_vr_data {
    const char *videoroom; /* "joined", "event", "attached", "created", "participants", ... */
    guint64 room;
    gint error_code; /* 0: none */
    const char *error;
    const char *description;
    guint64 id;
    guint64 private_id;
    gboolean has_publishers; /* "publishers" was present (possibly empty) */
    struct e2c_janus_vr_publisher *publishers;
    gsize n_publishers;
    gboolean has_participants;
    struct e2c_janus_vr_participant *participants;
    gsize n_participants;
    gboolean has_list;
    struct e2c_janus_vr_room *list;
    gsize n_list;
    gboolean has_streams;
    struct e2c_janus_vr_stream *streams;
    gsize n_streams;
    /* Janus says "ok" to the participant itself and gives the id to the others. */
    guint64 unpublished;
    gboolean unpublished_ok;
    guint64 leaving;
    gboolean leaving_ok;
    const char *configured; /* "ok" */
    const char *started;    /* "ok" */
    const char *left;       /* "ok" (subscriber leave) */
    gboolean has_exists;
    gboolean exists;
    const char *video_codec;
    const char *audio_codec;
};

typedef struct e2c_janus_msg {
    E2cJanusKind kind;
    const char *janus; /* the raw "janus" value */
    const char *transaction;
    guint64 session_id;
    guint64 sender; /* handle id */

    /* success to create/attach: data.id */
    guint64 data_id;

    /* kind == ERROR */
    gint error_code;
    const char *error_reason;

    /* success / event from a plugin */
    const char *plugin;
    json_t *plugindata; /* plugindata.data, borrowed from the message */
    gboolean is_videoroom;
    struct e2c_janus_vr_data vr; /* filled when is_videoroom */

    gboolean has_jsep;
    struct e2c_janus_jsep jsep;

    /* media / slowlink */
    const char *media_type; /* media: "type"; slowlink: "media" */
    const char *mid;
    gboolean receiving;
    gboolean uplink;
    gint64 lost;

    /* hangup */
    const char *reason;

    /* trickle from Janus (full-trickle only) */
    const char *candidate;
    const char *sdp_mid;
    gint sdp_mline_index; /* -1 when absent */
    gboolean completed;

    /* server_info */
    const char *server_name;
    gint64 version;
    const char *version_string;

    /*< private >*/
    json_t *root;
} E2cJanusMsg;

/*
 * Parse one received text message (at most E2C_JANUS_MSG_MAX_SIZE bytes).
 * Returns a new message (free with e2c_janus_msg_unref()) or NULL with
 * error set in E2C_JANUS_MSG_ERROR. Error messages never quote the input.
 */
E2cJanusMsg *e2c_janus_msg_parse(const char *text, gsize len, GError **error);
E2cJanusMsg *e2c_janus_msg_ref(E2cJanusMsg *msg);
void e2c_janus_msg_unref(E2cJanusMsg *msg);

/*
 * FALSE with error set in E2C_JANUS_ERROR when the message is a core error
 * or carries a plugin error_code; TRUE otherwise. The error message is
 * Janus's reason text.
 */
gboolean e2c_janus_msg_check(const E2cJanusMsg *msg, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(E2cJanusMsg, e2c_janus_msg_unref)

G_END_DECLS
