/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * janus-msg: every reply recorded from Janus 1.1.2 in the lab
 * (tests/signal/data, made by record-replies.py) through the parser, the
 * builders against the wire format Janus 1.1.2 answers to, and hostile input.
 *
 * Usage: test-janus-msg DATA-DIR
 */
#include <string.h>

#include "janus-msg.h"

static const char *data_dir;

static char *
load_text(const char *name, gsize *len)
{
    g_autofree char *path = g_build_filename(data_dir, name, NULL);
    char *text = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &text, len, &error))
        g_error("%s", error->message);
    return text;
}

static E2cJanusMsg *
parse_file(const char *name)
{
    gsize len;
    g_autofree char *text = load_text(name, &len);
    g_autoptr(GError) error = NULL;
    E2cJanusMsg *msg = e2c_janus_msg_parse(text, len, &error);
    g_assert_no_error(error);
    g_assert_nonnull(msg);
    /* The strings point into the message, not into the caller's buffer. */
    memset(text, 'x', len);
    return msg;
}

/* An id as an independent jansson read sees it, for cross-checks. */
static guint64
raw_id(const char *name, const char *json_path_keys[])
{
    gsize len;
    g_autofree char *text = load_text(name, &len);
    json_t *root = json_loadb(text, len, 0, NULL);
    g_assert_nonnull(root);
    json_t *v = root;
    for (int i = 0; json_path_keys[i]; i++)
        v = json_object_get(v, json_path_keys[i]);
    g_assert_true(json_is_integer(v));
    guint64 id = (guint64)json_integer_value(v);
    json_decref(root);
    return id;
}

static void
assert_janus_error(const E2cJanusMsg *msg, gint code, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_assert_false(e2c_janus_msg_check(msg, &error));
    g_assert_error(error, E2C_JANUS_ERROR, code);
    g_assert_cmpstr(error->message, ==, text);
}

/* ---- recorded replies ---- */

static void
test_core_success(void)
{
    g_autoptr(E2cJanusMsg) create = parse_file("success-create.json");
    g_assert_cmpint(create->kind, ==, E2C_JANUS_KIND_SUCCESS);
    g_assert_cmpstr(create->janus, ==, "success");
    g_assert_cmpstr(create->transaction, ==, "alice-2");
    g_assert_cmpuint(create->session_id, ==, 0);
    g_assert_cmpuint(create->data_id, ==,
                     raw_id("success-create.json", (const char *[]){"data", "id", NULL}));
    g_assert_cmpuint(create->data_id, >, 0);
    g_assert_null(create->plugindata);
    g_assert_true(e2c_janus_msg_check(create, NULL));

    g_autoptr(E2cJanusMsg) attach = parse_file("success-attach.json");
    g_assert_cmpint(attach->kind, ==, E2C_JANUS_KIND_SUCCESS);
    g_assert_cmpuint(attach->session_id, ==, create->data_id);
    g_assert_cmpuint(attach->data_id, >, 0);
    g_assert_cmpuint(attach->data_id, !=, create->data_id);

    g_autoptr(E2cJanusMsg) ack = parse_file("ack.json");
    g_assert_cmpint(ack->kind, ==, E2C_JANUS_KIND_ACK);
    g_assert_cmpuint(ack->session_id, ==, create->data_id);
    g_assert_cmpstr(ack->transaction, ==, "alice-11");
    g_assert_true(e2c_janus_msg_check(ack, NULL));

    for (guint i = 0; i < 2; i++) {
        g_autoptr(E2cJanusMsg) m = parse_file(i ? "success-detach.json" : "success-destroy.json");
        g_assert_cmpint(m->kind, ==, E2C_JANUS_KIND_SUCCESS);
        g_assert_cmpuint(m->data_id, ==, 0);
        g_assert_true(e2c_janus_msg_check(m, NULL));
    }
}

static void
test_core_events(void)
{
    g_autoptr(E2cJanusMsg) up = parse_file("webrtcup.json");
    g_assert_cmpint(up->kind, ==, E2C_JANUS_KIND_WEBRTCUP);
    g_assert_null(up->transaction);
    g_assert_cmpuint(up->sender, >, 0);
    g_assert_cmpuint(up->session_id, >, 0);

    g_autoptr(E2cJanusMsg) media = parse_file("media.json");
    g_assert_cmpint(media->kind, ==, E2C_JANUS_KIND_MEDIA);
    g_assert_cmpuint(media->sender, ==, up->sender);
    g_assert_cmpstr(media->media_type, ==, "video");
    g_assert_cmpstr(media->mid, ==, "video0");
    g_assert_true(media->receiving);

    g_autoptr(E2cJanusMsg) hangup = parse_file("hangup.json");
    g_assert_cmpint(hangup->kind, ==, E2C_JANUS_KIND_HANGUP);
    g_assert_cmpstr(hangup->reason, ==, "Janus API");
    g_assert_cmpuint(hangup->sender, >, 0);

    g_autoptr(E2cJanusMsg) detached = parse_file("detached.json");
    g_assert_cmpint(detached->kind, ==, E2C_JANUS_KIND_DETACHED);
    g_assert_cmpuint(detached->sender, ==, hangup->sender);

    g_autoptr(E2cJanusMsg) timeout = parse_file("timeout.json");
    g_assert_cmpint(timeout->kind, ==, E2C_JANUS_KIND_TIMEOUT);
    g_assert_cmpuint(timeout->session_id, >, 0);
    g_assert_null(timeout->transaction);
    g_assert_cmpuint(timeout->sender, ==, 0);

    g_autoptr(E2cJanusMsg) info = parse_file("server-info.json");
    g_assert_cmpint(info->kind, ==, E2C_JANUS_KIND_SERVER_INFO);
    g_assert_cmpstr(info->server_name, ==, "Janus WebRTC Server");
    g_assert_cmpint(info->version, ==, 1102);
    g_assert_cmpstr(info->version_string, ==, "1.1.2");
}

static void
test_core_errors(void)
{
    g_autoptr(E2cJanusMsg) e458 = parse_file("core-error-458.json");
    g_assert_cmpint(e458->kind, ==, E2C_JANUS_KIND_ERROR);
    g_assert_cmpint(e458->error_code, ==, 458);
    g_assert_cmpstr(e458->error_reason, ==, "No such session 1");
    g_assert_cmpuint(e458->session_id, ==, 1);
    assert_janus_error(e458, E2C_JANUS_ERROR_SESSION_NOT_FOUND, "No such session 1");

    g_autoptr(E2cJanusMsg) e459 = parse_file("core-error-459.json");
    g_assert_cmpint(e459->error_code, ==, E2C_JANUS_ERROR_HANDLE_NOT_FOUND);

    /* A second offer on a handle whose publish was refused with 433. */
    g_autoptr(E2cJanusMsg) e490 = parse_file("core-error-490-after-433.json");
    assert_janus_error(e490, E2C_JANUS_ERROR_UNKNOWN, "Error setting ICE locally");
}

static void
test_vr_sync(void)
{
    g_autoptr(E2cJanusMsg) created = parse_file("vr-created.json");
    g_assert_cmpint(created->kind, ==, E2C_JANUS_KIND_SUCCESS);
    g_assert_cmpstr(created->plugin, ==, E2C_JANUS_PLUGIN_VIDEOROOM);
    g_assert_true(created->is_videoroom);
    g_assert_nonnull(created->plugindata);
    g_assert_true(json_is_object(created->plugindata));
    g_assert_cmpstr(created->vr.videoroom, ==, "created");
    g_assert_cmpuint(created->vr.room, ==, 4101);
    g_assert_cmpint(created->vr.error_code, ==, 0);
    g_assert_true(e2c_janus_msg_check(created, NULL));

    g_autoptr(E2cJanusMsg) destroyed = parse_file("vr-destroyed.json");
    g_assert_cmpstr(destroyed->vr.videoroom, ==, "destroyed");
    g_assert_cmpuint(destroyed->vr.room, ==, 4101);

    g_autoptr(E2cJanusMsg) exists = parse_file("vr-exists.json");
    g_assert_cmpstr(exists->vr.videoroom, ==, "success");
    g_assert_true(exists->vr.has_exists);
    g_assert_true(exists->vr.exists);

    g_autoptr(E2cJanusMsg) list = parse_file("vr-list.json");
    g_assert_true(list->vr.has_list);
    g_assert_cmpuint(list->vr.n_list, ==, 2);
    for (gsize i = 0; i < list->vr.n_list; i++) {
        const struct e2c_janus_vr_room *r = &list->vr.list[i];
        g_assert_cmpint(r->max_publishers, ==, 6);
        g_assert_false(r->is_private);
        if (r->room == 4101) {
            g_assert_true(r->require_e2ee);
            g_assert_cmpstr(r->description, ==, "e2ee room");
            g_assert_cmpstr(r->videocodec, ==, "vp8,vp9,h264");
        } else {
            g_assert_cmpuint(r->room, ==, 4102);
            g_assert_false(r->require_e2ee);
            g_assert_cmpstr(r->videocodec, ==, "vp8");
        }
    }

    g_autoptr(E2cJanusMsg) parts = parse_file("vr-participants.json");
    g_assert_cmpstr(parts->vr.videoroom, ==, "participants");
    g_assert_true(parts->vr.has_participants);
    g_assert_cmpuint(parts->vr.n_participants, ==, 3);
    /* Janus lists them in hash-table order; only alice publishes. */
    guint seen = 0;
    for (gsize i = 0; i < parts->vr.n_participants; i++) {
        const struct e2c_janus_vr_participant *p = &parts->vr.participants[i];
        g_assert_cmpuint(p->id, >, 0);
        if (g_str_equal(p->display, "alice")) {
            g_assert_true(p->publisher);
            seen |= 1;
        } else if (g_str_equal(p->display, "bob")) {
            g_assert_false(p->publisher);
            seen |= 2;
        } else if (g_str_equal(p->display, "erin")) {
            g_assert_false(p->publisher);
            seen |= 4;
        }
    }
    g_assert_cmpuint(seen, ==, 7);

    /* Synchronous errors come as "success" with error_code. */
    g_autoptr(E2cJanusMsg) e426 = parse_file("vr-error-426-no-such-room.json");
    g_assert_cmpint(e426->kind, ==, E2C_JANUS_KIND_SUCCESS);
    g_assert_cmpint(e426->vr.error_code, ==, 426);
    assert_janus_error(e426, E2C_JANUS_ERROR_VR_NO_SUCH_ROOM, "No such room (999999)");

    g_autoptr(E2cJanusMsg) e427 = parse_file("vr-error-427-room-exists.json");
    assert_janus_error(e427, E2C_JANUS_ERROR_VR_ROOM_EXISTS, "Room 4101 already exists");
}

static void
test_vr_publisher(void)
{
    g_autoptr(E2cJanusMsg) joined = parse_file("vr-joined.json");
    g_assert_cmpint(joined->kind, ==, E2C_JANUS_KIND_EVENT);
    g_assert_cmpstr(joined->transaction, ==, "alice-11");
    g_assert_cmpuint(joined->sender, >, 0);
    g_assert_cmpstr(joined->vr.videoroom, ==, "joined");
    g_assert_cmpuint(joined->vr.room, ==, 4101);
    g_assert_cmpstr(joined->vr.description, ==, "e2ee room");
    g_assert_cmpuint(joined->vr.id, >, 0);
    g_assert_cmpuint(joined->vr.private_id, >, 0);
    g_assert_true(joined->vr.has_publishers);
    g_assert_cmpuint(joined->vr.n_publishers, ==, 0);
    g_assert_false(joined->has_jsep);

    g_autoptr(E2cJanusMsg) with = parse_file("vr-joined-publishers.json");
    g_assert_cmpuint(with->vr.n_publishers, ==, 1);
    const struct e2c_janus_vr_publisher *alice = &with->vr.publishers[0];
    g_assert_cmpstr(alice->display, ==, "alice");
    g_assert_cmpuint(alice->id, >, 0);
    g_assert_cmpuint(alice->id, !=, with->vr.id);
    g_assert_cmpuint(alice->n_streams, ==, 1);
    g_assert_cmpstr(alice->streams[0].type, ==, "video");
    g_assert_cmpint(alice->streams[0].mindex, ==, 0);
    g_assert_cmpstr(alice->streams[0].mid, ==, "video0");
    g_assert_cmpstr(alice->streams[0].codec, ==, "vp8");
    g_assert_false(alice->streams[0].disabled);

    /* Someone already in the room hears about the new publisher. */
    g_autoptr(E2cJanusMsg) news = parse_file("vr-event-publishers.json");
    g_assert_cmpint(news->kind, ==, E2C_JANUS_KIND_EVENT);
    g_assert_null(news->transaction);
    g_assert_cmpstr(news->vr.videoroom, ==, "event");
    g_assert_true(news->vr.has_publishers);
    g_assert_cmpuint(news->vr.n_publishers, ==, 1);
    g_assert_cmpuint(news->vr.publishers[0].id, ==, alice->id);
    g_assert_cmpstr(news->vr.publishers[0].display, ==, "alice");
    g_assert_cmpuint(news->vr.publishers[0].n_streams, ==, 1);
    g_assert_cmpstr(news->vr.publishers[0].streams[0].codec, ==, "vp8");

    g_autoptr(E2cJanusMsg) conf = parse_file("vr-event-configured-answer.json");
    g_assert_cmpint(conf->kind, ==, E2C_JANUS_KIND_EVENT);
    g_assert_cmpstr(conf->vr.videoroom, ==, "event");
    g_assert_cmpstr(conf->vr.configured, ==, "ok");
    g_assert_cmpstr(conf->vr.video_codec, ==, "vp8");
    g_assert_true(conf->vr.has_streams);
    g_assert_cmpuint(conf->vr.n_streams, ==, 1);
    g_assert_cmpstr(conf->vr.streams[0].mid, ==, "video0");
    g_assert_true(conf->has_jsep);
    g_assert_cmpstr(conf->jsep.type, ==, "answer");
    g_assert_true(g_str_has_prefix(conf->jsep.sdp, "v=0\r\n"));
    g_assert_nonnull(strstr(conf->jsep.sdp, "a=candidate:"));
    g_assert_true(conf->jsep.e2ee); /* Janus echoes the publisher's flag */

    g_autoptr(E2cJanusMsg) e433 = parse_file("vr-event-error-433-e2ee-required.json");
    g_assert_cmpint(e433->kind, ==, E2C_JANUS_KIND_EVENT);
    g_assert_false(e433->has_jsep);
    assert_janus_error(e433, E2C_JANUS_ERROR_VR_UNAUTHORIZED,
                       "Room requires end-to-end encrypted media");

    g_autoptr(E2cJanusMsg) e436 = parse_file("vr-event-error-436-id-exists.json");
    g_assert_cmpint(e436->vr.error_code, ==, 436);
    g_autofree char *expect =
        g_strdup_printf("User ID %" G_GUINT64_FORMAT " already exists", alice->id);
    assert_janus_error(e436, E2C_JANUS_ERROR_VR_ID_EXISTS, expect);

    g_autoptr(E2cJanusMsg) e426 = parse_file("vr-event-error-426-join.json");
    g_assert_cmpint(e426->kind, ==, E2C_JANUS_KIND_EVENT);
    assert_janus_error(e426, E2C_JANUS_ERROR_VR_NO_SUCH_ROOM, "No such room (999999)");

    /* What the others hear when alice stops, and what alice hears herself. */
    g_autoptr(E2cJanusMsg) unpub = parse_file("vr-event-unpublished.json");
    g_assert_null(unpub->transaction);
    g_assert_cmpuint(unpub->vr.unpublished, ==, alice->id);
    g_assert_false(unpub->vr.unpublished_ok);
    g_autoptr(E2cJanusMsg) unpub_ok = parse_file("vr-event-unpublished-ok.json");
    g_assert_true(unpub_ok->vr.unpublished_ok);
    g_assert_cmpuint(unpub_ok->vr.unpublished, ==, 0);

    g_autoptr(E2cJanusMsg) leaving = parse_file("vr-event-leaving.json");
    g_assert_cmpuint(leaving->vr.leaving, ==, alice->id);
    g_assert_false(leaving->vr.leaving_ok);
    g_autoptr(E2cJanusMsg) leaving_ok = parse_file("vr-event-leaving-ok.json");
    g_assert_true(leaving_ok->vr.leaving_ok);

    g_autoptr(E2cJanusMsg) gone = parse_file("vr-event-destroyed.json");
    g_assert_cmpstr(gone->vr.videoroom, ==, "destroyed");
    g_assert_null(gone->transaction);
}

static void
test_vr_subscriber(void)
{
    g_autoptr(E2cJanusMsg) pubs = parse_file("vr-joined-publishers.json");
    g_autoptr(E2cJanusMsg) att = parse_file("vr-attached-offer.json");
    g_assert_cmpint(att->kind, ==, E2C_JANUS_KIND_EVENT);
    g_assert_cmpstr(att->vr.videoroom, ==, "attached");
    g_assert_cmpuint(att->vr.room, ==, 4101);
    g_assert_cmpuint(att->vr.n_streams, ==, 1);
    const struct e2c_janus_vr_stream *s = &att->vr.streams[0];
    g_assert_cmpstr(s->type, ==, "video");
    g_assert_true(s->active);
    g_assert_true(s->send);
    g_assert_false(s->ready);
    g_assert_cmpstr(s->mid, ==, "0");
    g_assert_cmpuint(s->feed_id, ==, pubs->vr.publishers[0].id);
    g_assert_cmpstr(s->feed_display, ==, "alice");
    g_assert_cmpstr(s->feed_mid, ==, "video0");
    g_assert_true(att->has_jsep);
    g_assert_cmpstr(att->jsep.type, ==, "offer");
    /* Janus 1.1.2 never marks subscriber offers as e2ee (its source checks
     * only publishers' offers). */
    g_assert_false(att->jsep.e2ee);

    g_autoptr(E2cJanusMsg) started = parse_file("vr-event-started.json");
    g_assert_cmpstr(started->vr.started, ==, "ok");
}

/* Formats taken from Janus 1.1.2 src/ice.c (not recorded: the lab never slowed down). */
static void
test_synthetic_core_events(void)
{
    const char *slow = "{\"janus\":\"slowlink\",\"session_id\":5,\"sender\":6,\"mid\":\"0\","
                       "\"media\":\"video\",\"uplink\":true,\"lost\":42}";
    g_autoptr(E2cJanusMsg) m = e2c_janus_msg_parse(slow, strlen(slow), NULL);
    g_assert_nonnull(m);
    g_assert_cmpint(m->kind, ==, E2C_JANUS_KIND_SLOWLINK);
    g_assert_cmpstr(m->media_type, ==, "video");
    g_assert_true(m->uplink);
    g_assert_cmpint(m->lost, ==, 42);
    g_assert_cmpuint(m->sender, ==, 6);

    const char *tr = "{\"janus\":\"trickle\",\"session_id\":5,\"sender\":6,\"candidate\":"
                     "{\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"candidate\":\"candidate:1 1 udp "
                     "2015363327 127.0.0.2 40000 typ host\"}}";
    g_autoptr(E2cJanusMsg) t = e2c_janus_msg_parse(tr, strlen(tr), NULL);
    g_assert_nonnull(t);
    g_assert_cmpint(t->kind, ==, E2C_JANUS_KIND_TRICKLE);
    g_assert_cmpstr(t->sdp_mid, ==, "0");
    g_assert_cmpint(t->sdp_mline_index, ==, 0);
    g_assert_true(g_str_has_prefix(t->candidate, "candidate:1 "));
    g_assert_false(t->completed);

    const char *done = "{\"janus\":\"trickle\",\"candidate\":{\"completed\":true}}";
    g_autoptr(E2cJanusMsg) d = e2c_janus_msg_parse(done, strlen(done), NULL);
    g_assert_true(d->completed);
    g_assert_cmpint(d->sdp_mline_index, ==, -1);

    const char *odd = "{\"janus\":\"claimed\",\"session_id\":5}";
    g_autoptr(E2cJanusMsg) u = e2c_janus_msg_parse(odd, strlen(odd), NULL);
    g_assert_cmpint(u->kind, ==, E2C_JANUS_KIND_UNKNOWN);
    g_assert_cmpstr(u->janus, ==, "claimed");
    g_assert_cmpstr(e2c_janus_kind_to_string(u->kind), ==, "unknown");
    g_assert_cmpstr(e2c_janus_kind_to_string(E2C_JANUS_KIND_WEBRTCUP), ==, "webrtcup");

    /* Another plugin's error_code is still an error. */
    const char *other =
        "{\"janus\":\"success\",\"plugindata\":{\"plugin\":\"janus.plugin.echotest\","
        "\"data\":{\"error_code\":411,\"error\":\"nope\"}}}";
    g_autoptr(E2cJanusMsg) o = e2c_janus_msg_parse(other, strlen(other), NULL);
    g_assert_false(o->is_videoroom);
    assert_janus_error(o, 411, "nope");
}

/* ---- builders ---- */

static void
assert_json(json_t *got, const char *expected)
{
    g_assert_nonnull(got);
    json_error_t jerr;
    json_t *want = json_loads(expected, JSON_REJECT_DUPLICATES, &jerr);
    if (!want)
        g_error("bad expectation: %s", jerr.text);
    if (!json_equal(got, want)) {
        g_autofree char *s = e2c_janus_msg_to_string(got);
        g_error("got %s\nwant %s", s, expected);
    }
    json_decref(want);
    json_decref(got);
}

static void
test_build_core(void)
{
    assert_json(e2c_janus_msg_create("t1"), "{\"janus\":\"create\",\"transaction\":\"t1\"}");
    assert_json(e2c_janus_msg_info("t"), "{\"janus\":\"info\",\"transaction\":\"t\"}");
    assert_json(e2c_janus_msg_attach(7, E2C_JANUS_PLUGIN_VIDEOROOM, "t2"),
                "{\"janus\":\"attach\",\"session_id\":7,\"plugin\":\"janus.plugin.videoroom\","
                "\"transaction\":\"t2\"}");
    assert_json(e2c_janus_msg_keepalive(7, "k"),
                "{\"janus\":\"keepalive\",\"session_id\":7,\"transaction\":\"k\"}");
    assert_json(e2c_janus_msg_trickle(7, 8, "candidate:1 1 UDP 2015363327 127.0.0.2 37999 typ host",
                                      NULL, 0, "t3"),
                "{\"janus\":\"trickle\",\"session_id\":7,\"handle_id\":8,\"transaction\":\"t3\","
                "\"candidate\":{\"candidate\":\"candidate:1 1 UDP 2015363327 127.0.0.2 37999 typ "
                "host\",\"sdpMLineIndex\":0}}");
    assert_json(e2c_janus_msg_trickle(7, 8, "candidate:x", "video0", -1, "t4"),
                "{\"janus\":\"trickle\",\"session_id\":7,\"handle_id\":8,\"transaction\":\"t4\","
                "\"candidate\":{\"candidate\":\"candidate:x\",\"sdpMid\":\"video0\"}}");
    assert_json(e2c_janus_msg_trickle_completed(7, 8, "t5"),
                "{\"janus\":\"trickle\",\"session_id\":7,\"handle_id\":8,\"transaction\":\"t5\","
                "\"candidate\":{\"completed\":true}}");
    assert_json(e2c_janus_msg_hangup(7, 8, "h"),
                "{\"janus\":\"hangup\",\"session_id\":7,\"handle_id\":8,\"transaction\":\"h\"}");
    assert_json(e2c_janus_msg_detach(7, 8, "t6"),
                "{\"janus\":\"detach\",\"session_id\":7,\"handle_id\":8,\"transaction\":\"t6\"}");
    assert_json(e2c_janus_msg_destroy(7, "t7"),
                "{\"janus\":\"destroy\",\"session_id\":7,\"transaction\":\"t7\"}");
    /* Ids up to 2^63-1 survive; Janus's own stay below 2^53. */
    assert_json(e2c_janus_msg_keepalive(E2C_JANUS_ID_MAX, "k"),
                "{\"janus\":\"keepalive\",\"session_id\":9223372036854775807,\"transaction\":"
                "\"k\"}");
}

static void
test_build_message_e2ee(void)
{
    /* e2ee goes inside the jsep, never into the body (Janus 1.1.2 ignores it there). */
    json_t *msg = e2c_janus_msg_message(7, 8, e2c_janus_msg_vr_configure(FALSE, TRUE),
                                        e2c_janus_msg_jsep("offer", "v=0\r\n", TRUE), "t");
    g_assert_null(json_object_get(json_object_get(msg, "body"), "e2ee"));
    assert_json(msg,
                "{\"janus\":\"message\",\"session_id\":7,\"handle_id\":8,\"transaction\":\"t\","
                "\"body\":{\"request\":\"configure\",\"audio\":false,\"video\":true},"
                "\"jsep\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\",\"e2ee\":true}}");

    /* Without e2ee there is no key at all, not "e2ee": false. */
    assert_json(e2c_janus_msg_jsep("answer", "v=0\r\n", FALSE),
                "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}");
    assert_json(e2c_janus_msg_message(7, 8, e2c_janus_msg_vr_leave(), NULL, "t"),
                "{\"janus\":\"message\",\"session_id\":7,\"handle_id\":8,\"transaction\":\"t\","
                "\"body\":{\"request\":\"leave\"}}");
}

static void
test_build_videoroom(void)
{
    struct e2c_janus_vr_room_config e2ee = {
        .room = 4243,
        .description = "e2ee room",
        .publishers = 6,
        .videocodec = "vp8,vp9,h264",
        .audiocodec = "opus",
        .require_e2ee = TRUE,
        .bitrate = 2000000,
        .fir_freq = 10,
    };
    assert_json(e2c_janus_msg_vr_create(&e2ee),
                "{\"request\":\"create\",\"room\":4243,\"permanent\":false,\"description\":\"e2ee "
                "room\",\"publishers\":6,\"videocodec\":\"vp8,vp9,h264\",\"audiocodec\":\"opus\","
                "\"require_e2ee\":true,\"record\":false,\"bitrate\":2000000,\"fir_freq\":10,"
                "\"is_private\":false}");
    struct e2c_janus_vr_room_config minimal = {.record = TRUE, .is_private = TRUE};
    assert_json(
        e2c_janus_msg_vr_create(&minimal),
        "{\"request\":\"create\",\"permanent\":false,\"require_e2ee\":false,\"record\":true,"
        "\"is_private\":true}");
    assert_json(e2c_janus_msg_vr_destroy(4243),
                "{\"request\":\"destroy\",\"room\":4243,\"permanent\":false}");
    assert_json(e2c_janus_msg_vr_exists(4243), "{\"request\":\"exists\",\"room\":4243}");
    assert_json(e2c_janus_msg_vr_list(), "{\"request\":\"list\"}");
    assert_json(e2c_janus_msg_vr_listparticipants(4242),
                "{\"request\":\"listparticipants\",\"room\":4242}");
    assert_json(e2c_janus_msg_vr_join_publisher(4242, "gst-pub", 0),
                "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":4242,\"display\":"
                "\"gst-pub\"}");
    assert_json(e2c_janus_msg_vr_join_publisher(4242, NULL, 99),
                "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":4242,\"id\":99}");
    assert_json(e2c_janus_msg_vr_publish(TRUE, FALSE),
                "{\"request\":\"publish\",\"audio\":true,\"video\":false}");
    struct e2c_janus_vr_feed feeds[] = {{.feed = 11}, {.feed = 12, .mid = "video0"}};
    assert_json(e2c_janus_msg_vr_join_subscriber(4242, feeds, 2, 0),
                "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":4242,\"streams\":"
                "[{\"feed\":11},{\"feed\":12,\"mid\":\"video0\"}],\"autoupdate\":false}");
    assert_json(e2c_janus_msg_vr_join_subscriber(4242, feeds, 1, 77),
                "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":4242,\"streams\":"
                "[{\"feed\":11}],\"private_id\":77,\"autoupdate\":false}");
    assert_json(e2c_janus_msg_vr_start(4242), "{\"request\":\"start\",\"room\":4242}");
    assert_json(e2c_janus_msg_vr_start(0), "{\"request\":\"start\"}");
    assert_json(e2c_janus_msg_vr_unpublish(), "{\"request\":\"unpublish\"}");
    struct e2c_janus_vr_forward fwd[] = {{.mid = "video0", .port = 5004}};
    assert_json(e2c_janus_msg_vr_rtp_forward(4242, 11, "127.0.0.2", fwd, 1),
                "{\"request\":\"rtp_forward\",\"room\":4242,\"publisher_id\":11,\"host\":"
                "\"127.0.0.2\",\"streams\":[{\"mid\":\"video0\",\"port\":5004}]}");
}

/* The room's secret and PIN where Janus 1.1.2 looks for them (janus_videoroom.c). */
static void
test_build_room_access(void)
{
    struct e2c_janus_vr_room_config locked = {.room = 7, .secret = "s3cr\u00e9t", .pin = "1234"};
    assert_json(e2c_janus_msg_vr_create(&locked),
                "{\"request\":\"create\",\"room\":7,\"permanent\":false,\"require_e2ee\":"
                "false,\"record\":false,\"is_private\":false,\"secret\":\"s3cr\u00e9t\","
                "\"pin\":\"1234\"}");
    assert_json(e2c_janus_msg_vr_add_secret(e2c_janus_msg_vr_destroy(7), "s3cret"),
                "{\"request\":\"destroy\",\"room\":7,\"permanent\":false,\"secret\":"
                "\"s3cret\"}");
    assert_json(e2c_janus_msg_vr_add_pin(e2c_janus_msg_vr_join_publisher(7, "a", 0), "1234"),
                "{\"request\":\"join\",\"ptype\":\"publisher\",\"room\":7,\"display\":"
                "\"a\",\"pin\":\"1234\"}");
    struct e2c_janus_vr_feed feed = {.feed = 11};
    assert_json(e2c_janus_msg_vr_add_pin(e2c_janus_msg_vr_join_subscriber(7, &feed, 1, 0), "1234"),
                "{\"request\":\"join\",\"ptype\":\"subscriber\",\"room\":7,\"streams\":"
                "[{\"feed\":11}],\"autoupdate\":false,\"pin\":\"1234\"}");
    /* Nothing given, nothing added; a refused body stays refused. */
    assert_json(e2c_janus_msg_vr_add_pin(e2c_janus_msg_vr_leave(), NULL),
                "{\"request\":\"leave\"}");
    g_assert_null(e2c_janus_msg_vr_add_pin(NULL, "1234"));
    g_test_expect_message("e2c-signal", G_LOG_LEVEL_CRITICAL, "*");
    g_assert_null(e2c_janus_msg_vr_add_secret(e2c_janus_msg_vr_destroy(7), "\xff"));
    g_test_assert_expected_messages();
}

/* The event every participant gets when somebody destroys the room. */
static void
test_parse_destroyed(void)
{
    static const char text[] =
        "{\"janus\":\"event\",\"session_id\":1,\"sender\":2,\"plugindata\":{\"plugin\":"
        "\"janus.plugin.videoroom\",\"data\":{\"videoroom\":\"destroyed\",\"room\":1234}}}";
    g_autoptr(GError) error = NULL;
    g_autoptr(E2cJanusMsg) msg = e2c_janus_msg_parse(text, strlen(text), &error);
    g_assert_no_error(error);
    g_assert_cmpint(msg->kind, ==, E2C_JANUS_KIND_EVENT);
    g_assert_true(msg->is_videoroom);
    g_assert_cmpstr(msg->vr.videoroom, ==, "destroyed");
    g_assert_cmpuint(msg->vr.room, ==, 1234);
    g_assert_cmpuint(msg->sender, ==, 2);
    g_assert_true(e2c_janus_msg_check(msg, NULL));
}

static void
expect_critical(void)
{
    g_test_expect_message("e2c-signal", G_LOG_LEVEL_CRITICAL, "*");
}

static void
test_build_rejects(void)
{
    /* Preconditions fail with a critical and NULL; a message still owns body and jsep. */
    expect_critical();
    g_assert_null(e2c_janus_msg_keepalive(0, "t"));
    expect_critical();
    g_assert_null(e2c_janus_msg_keepalive(E2C_JANUS_ID_MAX + 1, "t"));
    expect_critical();
    g_assert_null(e2c_janus_msg_vr_join_publisher(4242, "\xff\xfe", 0));
    expect_critical();
    g_assert_null(e2c_janus_msg_vr_listparticipants(0));
    expect_critical();
    g_assert_null(e2c_janus_msg_jsep("offer", NULL, FALSE));
    expect_critical();
    g_assert_null(e2c_janus_msg_trickle(1, 2, "candidate:x", NULL, -1, "t"));
    expect_critical();
    g_assert_null(
        e2c_janus_msg_message(1, 2, json_array(), e2c_janus_msg_jsep("offer", "v=0", 0), "t"));
    expect_critical();
    g_assert_null(e2c_janus_msg_vr_join_subscriber(4242, NULL, 0, 0));
    g_test_assert_expected_messages();
}

/* ---- hostile input ---- */

static void
assert_rejected(const char *text, gsize len, gint code)
{
    g_autoptr(GError) error = NULL;
    E2cJanusMsg *msg = e2c_janus_msg_parse(text, len, &error);
    if (msg) {
        g_test_message("accepted: %.*s", (int)MIN(len, 200), text);
        g_test_fail();
        e2c_janus_msg_unref(msg);
        return;
    }
    g_assert_error(error, E2C_JANUS_MSG_ERROR, code);
}

static void
test_hostile_fixed(void)
{
    static const struct {
        const char *text;
        gint code;
    } cases[] = {
        {"", E2C_JANUS_MSG_ERROR_SYNTAX},
        {"{", E2C_JANUS_MSG_ERROR_SYNTAX},
        {"{\"janus\":\"ack\"} trailing", E2C_JANUS_MSG_ERROR_SYNTAX},
        {"{\"janus\":\"ack\",\"janus\":\"event\"}", E2C_JANUS_MSG_ERROR_SYNTAX},
        {"{\"janus\":\"a\\u0000b\"}", E2C_JANUS_MSG_ERROR_SYNTAX},
        {"{\"session_id\":99999999999999999999999}", E2C_JANUS_MSG_ERROR_SYNTAX},
        {"[]", E2C_JANUS_MSG_ERROR_INVALID},
        {"\"janus\"", E2C_JANUS_MSG_ERROR_SYNTAX},
        {"{}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":null}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":1}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"ack\",\"transaction\":5}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"ack\",\"session_id\":-1}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"ack\",\"session_id\":1.5}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"ack\",\"session_id\":\"1\"}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"ack\",\"sender\":-9223372036854775808}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"error\"}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"error\",\"error\":[]}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"error\",\"error\":{\"code\":\"458\"}}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"error\",\"error\":{\"code\":4294967296}}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"error\",\"error\":{\"reason\":\"x\"}}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\"}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":7}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"p\"}}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"p\",\"data\":[]}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"p\",\"data\":{\"error_code\":"
         "\"x\"}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"publishers\":{}}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"publishers\":[1]}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"publishers\":[{}]}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"publishers\":[{\"id\":1,\"streams\":[{\"mindex\":\"0\"}]}]}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"leaving\":\"bye\"}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"room\":\"4242\"}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"exists\":1}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":"
         "{\"error_code\":9223372036854775807}}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"p\",\"data\":{}},\"jsep\":[]}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"p\",\"data\":{}},\"jsep\":{\"type\":"
         "\"offer\"}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"p\",\"data\":{}},\"jsep\":{\"type\":"
         "\"offer\",\"sdp\":\"v=0\",\"e2ee\":\"true\"}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"media\",\"receiving\":\"yes\"}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"slowlink\",\"lost\":1e3}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"trickle\"}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"trickle\",\"candidate\":{\"sdpMLineIndex\":2147483648}}",
         E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"success\",\"data\":{\"id\":-5}}", E2C_JANUS_MSG_ERROR_INVALID},
        {"{\"janus\":\"success\",\"data\":\"x\"}", E2C_JANUS_MSG_ERROR_INVALID},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_rejected(cases[i].text, strlen(cases[i].text), cases[i].code);

    /* Bytes after an embedded NUL count: the length is the message. */
    static const char nul[] = "{\"janus\":\"ack\"}\0{}";
    assert_rejected(nul, sizeof(nul) - 1, E2C_JANUS_MSG_ERROR_SYNTAX);
    /* Not UTF-8. */
    assert_rejected("{\"janus\":\"\xff\"}", 12, E2C_JANUS_MSG_ERROR_SYNTAX);
}

static void
test_hostile_generated(void)
{
    /* Over the size cap, even if valid. */
    GString *big = g_string_new("{\"janus\":\"ack\",\"x\":\"");
    while (big->len < E2C_JANUS_MSG_MAX_SIZE)
        g_string_append(big, "aaaaaaaaaaaaaaaa");
    g_string_append(big, "\"}");
    assert_rejected(big->str, big->len, E2C_JANUS_MSG_ERROR_TOO_BIG);
    g_string_free(big, TRUE);

    /* Deep nesting: past jansson's depth limit, then just under it. */
    for (int depth = 5000; depth >= 1000; depth -= 4000) {
        GString *deep =
            g_string_new("{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"p\",\"data\":"
                         "{\"x\":");
        for (int i = 0; i < depth; i++)
            g_string_append_c(deep, '[');
        for (int i = 0; i < depth; i++)
            g_string_append_c(deep, ']');
        g_string_append(deep, "}}}");
        g_autoptr(GError) error = NULL;
        E2cJanusMsg *msg = e2c_janus_msg_parse(deep->str, deep->len, &error);
        if (depth > 2048)
            g_assert_error(error, E2C_JANUS_MSG_ERROR, E2C_JANUS_MSG_ERROR_SYNTAX);
        else
            g_assert_nonnull(msg);
        e2c_janus_msg_unref(msg);
        g_string_free(deep, TRUE);
    }

    /* Too many publishers. */
    GString *many = g_string_new("{\"janus\":\"event\",\"plugindata\":{\"plugin\":"
                                 "\"janus.plugin.videoroom\",\"data\":{\"publishers\":[");
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(many, "%s{\"id\":%d}", i ? "," : "", i + 1);
    g_string_append(many, "]}}}");
    assert_rejected(many->str, many->len, E2C_JANUS_MSG_ERROR_INVALID);
    g_string_free(many, TRUE);

    /* The largest id a JSON integer holds is fine; one more is not JSON we can read. */
    const char *max = "{\"janus\":\"ack\",\"session_id\":9223372036854775807}";
    g_autoptr(E2cJanusMsg) m = e2c_janus_msg_parse(max, strlen(max), NULL);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->session_id, ==, E2C_JANUS_ID_MAX);
    const char *over = "{\"janus\":\"ack\",\"session_id\":9223372036854775808}";
    assert_rejected(over, strlen(over), E2C_JANUS_MSG_ERROR_SYNTAX);
}

/* Replace every value of every recorded message, one at a time, with every JSON type. */
static void
mutate_values(json_t *root, json_t *node, guint *count)
{
    static const char *const replacements[] = {
        "null", "true",   "false", "0",  "-1",   "1.5", "9223372036854775807",
        "\"\"", "\"ok\"", "[]",    "{}", "[{}]", "[1]",
    };
    const char *key;
    json_t *value;
    void *tmp;
    if (json_is_array(node)) {
        for (gsize i = 0; i < json_array_size(node); i++)
            mutate_values(root, json_array_get(node, i), count);
        return;
    }
    if (!json_is_object(node))
        return;
    json_object_foreach_safe(node, tmp, key, value)
    {
        json_t *saved = json_incref(value);
        for (gsize r = 0; r < G_N_ELEMENTS(replacements); r++) {
            json_object_set_new(node, key, json_loads(replacements[r], JSON_DECODE_ANY, NULL));
            g_autofree char *text = e2c_janus_msg_to_string(root);
            GError *error = NULL;
            E2cJanusMsg *msg = e2c_janus_msg_parse(text, strlen(text), &error);
            g_assert_true((msg == NULL) != (error == NULL));
            if (msg) {
                /* Whatever parsed must be safe to check and to read. */
                e2c_janus_msg_check(msg, NULL);
                e2c_janus_msg_unref(msg);
            } else {
                g_assert_nonnull(error->message);
                g_error_free(error);
            }
            (*count)++;
        }
        json_object_set_new(node, key, saved);
        mutate_values(root, saved, count);
    }
}

static void
test_hostile_mutations(void)
{
    g_autoptr(GDir) dir = g_dir_open(data_dir, 0, NULL);
    g_assert_nonnull(dir);
    const char *name;
    guint count = 0, files = 0;
    while ((name = g_dir_read_name(dir))) {
        if (!g_str_has_suffix(name, ".json"))
            continue;
        gsize len;
        g_autofree char *text = load_text(name, &len);
        json_t *root = json_loadb(text, len, 0, NULL);
        g_assert_nonnull(root);
        mutate_values(root, root, &count);
        json_decref(root);

        /* Every truncation of the raw bytes. */
        for (gsize cut = 0; cut < len; cut += 1 + len / 64) {
            E2cJanusMsg *msg = e2c_janus_msg_parse(text, cut, NULL);
            e2c_janus_msg_unref(msg);
        }
        files++;
    }
    g_assert_cmpuint(files, >=, 30);
    g_test_message("%u mutated messages", count);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (argc < 2)
        g_error("usage: %s DATA-DIR", argv[0]);
    data_dir = argv[1];

    g_test_add_func("/janus-msg/recorded/core-success", test_core_success);
    g_test_add_func("/janus-msg/recorded/core-events", test_core_events);
    g_test_add_func("/janus-msg/recorded/core-errors", test_core_errors);
    g_test_add_func("/janus-msg/recorded/videoroom-sync", test_vr_sync);
    g_test_add_func("/janus-msg/recorded/videoroom-publisher", test_vr_publisher);
    g_test_add_func("/janus-msg/recorded/videoroom-subscriber", test_vr_subscriber);
    g_test_add_func("/janus-msg/synthetic/core-events", test_synthetic_core_events);
    g_test_add_func("/janus-msg/build/core", test_build_core);
    g_test_add_func("/janus-msg/build/message-e2ee", test_build_message_e2ee);
    g_test_add_func("/janus-msg/build/videoroom", test_build_videoroom);
    g_test_add_func("/janus-msg/build/rejects", test_build_rejects);
    g_test_add_func("/janus-msg/build/room-access", test_build_room_access);
    g_test_add_func("/janus-msg/parse/destroyed", test_parse_destroyed);
    g_test_add_func("/janus-msg/hostile/fixed", test_hostile_fixed);
    g_test_add_func("/janus-msg/hostile/generated", test_hostile_generated);
    g_test_add_func("/janus-msg/hostile/mutations", test_hostile_mutations);
    return g_test_run();
}
