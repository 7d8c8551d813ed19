/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's "status" streams and the summary's, from the participant's public
 * queries only. */
#include "participant.h"

#include <string.h>

#include "av-skew.h"
#include "crypt-time.h"
#include "figures-switch.h"
#include "latency-json.h"

static json_t *
kid_json(guint64 kid)
{
    if (!kid)
        return json_null();
    gchar *text = g_strdup_printf("%016" G_GINT64_MODIFIER "x", kid);
    json_t *j = json_string(text);
    g_free(text);
    return j;
}

struct status_ctx {
    struct e2c_participant *p;
    json_t *array;
    gboolean summary; /* the summary's streams also say their time per frame */
};

static void
status_send(gpointer user, const struct e2c_send_info *s)
{
    struct status_ctx *c = user;
    json_t *o = json_object();
    json_object_set_new(o, "participant", json_string(e2c_participant_display(c->p)));
    json_object_set_new(o, "direction", json_string("send"));
    json_object_set_new(o, "track", json_string(s->track));
    json_object_set_new(o, "codec", json_string(e2c_codec_name(s->codec)));
    json_object_set_new(o, "state", json_string(s->e2ee ? "encrypting" : "plain"));
    json_object_set_new(o, "kid", kid_json(s->kid));
    json_object_set_new(o, "frames", json_integer((json_int_t)s->frames));
    if (!strcmp(s->track, "video"))
        json_object_set_new(o, "keyframes", json_integer((json_int_t)s->keyframes));
    if (c->summary) {
        struct e2c_crypt_time t = {s->crypt_ns, s->crypt_frames};
        json_object_set_new(o, "encrypt-us-per-frame", e2c_us_per_frame_json(&t));
    }
    json_array_append_new(c->array, o);
}

static void
status_recv(gpointer user, const struct e2c_stream_info *s)
{
    struct status_ctx *c = user;
    json_t *o = json_object();
    json_object_set_new(o, "participant", json_string(e2c_participant_display(c->p)));
    json_object_set_new(o, "direction", json_string("recv"));
    json_object_set_new(o, "remote", json_string(s->display ? s->display : ""));
    json_object_set_new(o, "feed", json_integer((json_int_t)s->feed));
    json_object_set_new(o, "track", json_string(s->track));
    json_object_set_new(o, "codec", json_string(e2c_codec_name(s->codec)));
    json_object_set_new(o, "state", json_string(s->state ? s->state : "?"));
    json_object_set_new(o, "kid", kid_json(s->kid));
    json_object_set_new(o, "frames", json_integer((json_int_t)s->frames_decoded));
    json_object_set_new(o, "frames-decrypted", json_integer((json_int_t)s->frames_ok));
    json_object_set_new(o, "frames-failed", json_integer((json_int_t)s->auth_failed));
    json_object_set_new(o, "frames-replayed", json_integer((json_int_t)s->replayed));
    json_object_set_new(o, "frames-unencrypted", json_integer((json_int_t)s->unencrypted));
    json_object_set_new(o, "frames-stale", json_integer((json_int_t)s->stale));
    json_object_set_new(o, "mismatch-events", json_integer((json_int_t)s->mismatch_events));
    if (s->mismatch_now)
        json_object_set_new(o, "mismatch-cause", json_string(s->mismatch_cause));
    json_object_set_new(o, "match-events", json_integer((json_int_t)s->match_events));
    if (!strcmp(s->track, "video"))
        json_object_set_new(o, "frames-lost", json_integer((json_int_t)s->frames_lost));
    /* Over the stream's life: e2call(1), MEDIA QUALITY FIGURES; absent when not measured
     * (--no-quality-figures). */
    if (e2c_quality_figures_on()) {
        json_object_set_new(o, "freezes", json_integer((json_int_t)s->timing.freezes));
        json_object_set_new(o, "frozen-ms", json_integer(s->timing.frozen_ns / 1000000));
        json_object_set_new(o, "longest-freeze-ms", json_integer(s->timing.longest_ns / 1000000));
        json_object_set_new(o, "jitter-ms", json_real(e2c_frame_timing_mean_jitter_ms(&s->timing)));
        json_object_set_new(o, "latency-ms", e2c_latency_hist_json(&s->latency));
        if (s->decodes)
            json_object_set_new(o, "decoded-latency-ms",
                                e2c_latency_hist_json(&s->decoded_latency));
        json_object_set_new(o, "latency-misses", json_integer((json_int_t)s->latency_misses));
    }
    json_object_set_new(o, "verified", json_boolean(s->verified));
    if (c->summary) {
        struct e2c_crypt_time t = {s->crypt_ns, s->crypt_frames};
        json_object_set_new(o, "decrypt-us-per-frame", e2c_us_per_frame_json(&t));
    }
    if (s->gone)
        json_object_set_new(o, "ended", json_true());
    json_array_append_new(c->array, o);
}

void
e2c_participant_status_json(struct e2c_participant *p, json_t *array)
{
    json_t *mine = json_array();
    struct status_ctx c = {p, mine, FALSE};
    e2c_participant_foreach_send(p, status_send, &c);
    e2c_participant_foreach_stream(p, FALSE, status_recv, &c);
    e2c_av_skew_append(array, mine);
}

void
e2c_participant_summary_json(struct e2c_participant *p, json_t *array)
{
    json_t *mine = json_array();
    struct status_ctx c = {p, mine, TRUE};
    e2c_participant_foreach_send(p, status_send, &c);
    e2c_participant_foreach_stream(p, TRUE, status_recv, &c);
    e2c_av_skew_append(array, mine);
}

static void
timing_send(gpointer user, const struct e2c_send_info *s)
{
    struct e2c_crypt_time *enc = user, t = {s->crypt_ns, s->crypt_frames};
    e2c_crypt_time_add(enc, &t);
}

static void
timing_recv(gpointer user, const struct e2c_stream_info *s)
{
    struct e2c_crypt_time *dec = user, t = {s->crypt_ns, s->crypt_frames};
    e2c_crypt_time_add(dec, &t);
}

json_t *
e2c_participant_timing_json(struct e2c_participant *p)
{
    struct e2c_crypt_time enc = {0, 0}, dec = {0, 0};
    e2c_participant_foreach_send(p, timing_send, &enc);
    e2c_participant_foreach_stream(p, TRUE, timing_recv, &dec);
    return e2c_timing_json(&enc, &dec);
}
