/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One received WebSocket message through the Janus parser, as janus-client
 * sees it: capped at the transport's limit, then parsed, checked for Janus
 * errors, and every parsed field read (so ASan sees any dangling pointer).
 */
#include <stdint.h>
#include <string.h>

#include "janus-msg.h"

/* Keeps the reads below from being optimised away. */
static volatile gsize sink;

static gsize
touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static gsize
touch_streams(const struct e2c_janus_vr_stream *s, gsize n)
{
    gsize sum = 0;
    for (gsize i = 0; i < n; i++)
        sum += touch(s[i].type) + touch(s[i].mid) + touch(s[i].codec) + touch(s[i].description) +
               touch(s[i].feed_mid) + touch(s[i].feed_display) + (gsize)s[i].mindex + s[i].feed_id;
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);

    GError *error = NULL;
    E2cJanusMsg *msg = e2c_janus_msg_parse((const char *)data, size, &error);
    if (!msg) {
        g_assert(error != NULL && error->domain == E2C_JANUS_MSG_ERROR);
        sink = strlen(error->message);
        g_error_free(error);
        return 0;
    }
    g_assert(error == NULL);

    GError *janus_error = NULL;
    if (!e2c_janus_msg_check(msg, &janus_error)) {
        g_assert(janus_error && janus_error->domain == E2C_JANUS_ERROR);
        g_error_free(janus_error);
    }
    gsize sum = touch(msg->janus) + touch(msg->transaction) + touch(msg->error_reason) +
                touch(msg->plugin) + touch(msg->jsep.type) + touch(msg->jsep.sdp) +
                touch(msg->media_type) + touch(msg->mid) + touch(msg->reason) +
                touch(msg->candidate) + touch(msg->sdp_mid) + touch(msg->server_name) +
                touch(msg->version_string) + touch(e2c_janus_kind_to_string(msg->kind));
    const struct e2c_janus_vr_data *vr = &msg->vr;
    sum += touch(vr->videoroom) + touch(vr->error) + touch(vr->description) +
           touch(vr->configured) + touch(vr->started) + touch(vr->left) + touch(vr->video_codec) +
           touch(vr->audio_codec);
    for (gsize i = 0; i < vr->n_publishers; i++)
        sum += vr->publishers[i].id + touch(vr->publishers[i].display) +
               touch_streams(vr->publishers[i].streams, vr->publishers[i].n_streams);
    for (gsize i = 0; i < vr->n_participants; i++)
        sum += vr->participants[i].id + touch(vr->participants[i].display);
    for (gsize i = 0; i < vr->n_list; i++)
        sum += vr->list[i].room + touch(vr->list[i].description) + touch(vr->list[i].videocodec) +
               touch(vr->list[i].audiocodec);
    sum += touch_streams(vr->streams, vr->n_streams);
    sink = sum;

    /* A reference outlives nothing it should not. */
    E2cJanusMsg *ref = e2c_janus_msg_ref(msg);
    e2c_janus_msg_unref(msg);
    e2c_janus_msg_unref(ref);
    return 0;
}
