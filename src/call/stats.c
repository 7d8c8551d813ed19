/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stats.h"

#include <string.h>

#include "av-skew.h"
#include "figures-switch.h"
#include "latency-json.h"

struct baseline {
    gint64 at_us;
    guint64 bytes, frames;
    guint64 freezes;
    gint64 frozen_ns;
    /* The latency histograms at the last look: the interval's are the difference. */
    struct e2c_latency_hist latency, decoded_latency;
};

struct e2c_stats_sampler {
    GHashTable *last; /* "participant/feed/track" -> struct baseline */
};

struct e2c_stats_sampler *
e2c_stats_sampler_new(void)
{
    struct e2c_stats_sampler *s = g_new0(struct e2c_stats_sampler, 1);
    s->last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return s;
}

void
e2c_stats_sampler_free(struct e2c_stats_sampler *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->last);
    g_free(s);
}

struct ctx {
    struct e2c_stats_sampler *s;
    struct e2c_participant *p;
    json_t *array;
    gint64 now;
};

static void
sample_stream(gpointer user, const struct e2c_stream_info *info)
{
    struct ctx *c = user;
    gchar *key =
        g_strdup_printf("%p/%" G_GUINT64_FORMAT "/%s", (void *)c->p, info->feed, info->track);
    struct baseline *b = g_hash_table_lookup(c->s->last, key);
    double kbps = 0, fps = 0;
    if (b) {
        double dt = (c->now - b->at_us) / 1e6;
        if (dt > 0) {
            kbps = (info->rtp_bytes - b->bytes) * 8 / 1000.0 / dt;
            fps = (info->frames_decoded - b->frames) / dt;
        }
        g_free(key);
    } else {
        b = g_new0(struct baseline, 1);
        g_hash_table_insert(c->s->last, key, b);
        /* First look: the average since the stream's first frame. */
        double dt = info->first_frame_us ? (c->now - info->first_frame_us) / 1e6 : 0;
        if (dt > 0) {
            kbps = info->rtp_bytes * 8 / 1000.0 / dt;
            fps = info->frames_decoded / dt;
        }
    }
    /* Freezes since the last look (all of them at the first: the baseline starts at 0). */
    const struct e2c_frame_timing *t = &info->timing;
    guint64 freezes = t->freezes - b->freezes;
    gint64 frozen_ns = t->frozen_ns - b->frozen_ns;
    gint64 longest_ns = e2c_frame_timing_longest_since(t, b->freezes);
    b->at_us = c->now;
    b->bytes = info->rtp_bytes;
    b->frames = info->frames_decoded;
    b->freezes = t->freezes;
    b->frozen_ns = t->frozen_ns;
    struct e2c_latency_summary latency, decoded_latency;
    e2c_latency_hist_since(&info->latency, &b->latency, &latency);
    e2c_latency_hist_since(&info->decoded_latency, &b->decoded_latency, &decoded_latency);
    b->latency = info->latency;
    b->decoded_latency = info->decoded_latency;

    json_t *o = json_object();
    json_object_set_new(o, "participant", json_string(e2c_participant_display(c->p)));
    json_object_set_new(o, "remote", json_string(info->display ? info->display : ""));
    json_object_set_new(o, "feed", json_integer((json_int_t)info->feed));
    json_object_set_new(o, "track", json_string(info->track));
    json_object_set_new(o, "state", json_string(info->state ? info->state : "?"));
    json_object_set_new(o, "bitrate-kbps", json_real(kbps));
    json_object_set_new(o, "fps", json_real(fps));
    json_object_set_new(o, "frames-decoded", json_integer((json_int_t)info->frames_decoded));
    json_object_set_new(o, "frames-decrypted", json_integer((json_int_t)info->frames_ok));
    json_object_set_new(o, "frames-failed", json_integer((json_int_t)info->auth_failed));
    json_object_set_new(o, "frames-replayed", json_integer((json_int_t)info->replayed));
    json_object_set_new(o, "frames-unencrypted", json_integer((json_int_t)info->unencrypted));
    json_object_set_new(o, "frames-stale", json_integer((json_int_t)info->stale));
    json_object_set_new(o, "frames-kid-limited", json_integer((json_int_t)info->kid_limited));
    if (!strcmp(info->track, "video"))
        json_object_set_new(o, "frames-lost", json_integer((json_int_t)info->frames_lost));
    /* Not measured with --no-quality-figures: absent rather than a misleading 0. */
    if (e2c_quality_figures_on()) {
        json_object_set_new(o, "freezes", json_integer((json_int_t)freezes));
        json_object_set_new(o, "frozen-ms", json_integer(frozen_ns / 1000000));
        json_object_set_new(o, "longest-freeze-ms", json_integer(longest_ns / 1000000));
        json_object_set_new(o, "jitter-ms", json_real(e2c_frame_timing_jitter_ms(t)));
        json_object_set_new(o, "latency-ms", e2c_latency_json(&latency));
        if (info->decodes)
            json_object_set_new(o, "decoded-latency-ms", e2c_latency_json(&decoded_latency));
    }
    json_object_set_new(o, "verified", json_boolean(info->verified));
    json_array_append_new(c->array, o);
}

void
e2c_stats_sample(struct e2c_stats_sampler *s, struct e2c_participant *p, json_t *array)
{
    /* This participant's streams on their own, so the skew pairs them with each other only. */
    json_t *mine = json_array();
    struct ctx c = {s, p, mine, g_get_monotonic_time()};
    e2c_participant_foreach_stream(p, FALSE, sample_stream, &c);
    e2c_av_skew_append(array, mine);
}
