/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "av-skew.h"

#include <math.h>
#include <string.h>

gboolean
e2c_av_skew_ms(const struct e2c_latency_summary *audio, const struct e2c_latency_summary *video,
               double *skew_ms)
{
    if (!audio->have || !video->have)
        return FALSE;
    *skew_ms = audio->p50_ms - video->p50_ms;
    return TRUE;
}

json_t *
e2c_av_skew_json(const struct e2c_latency_summary *audio, const struct e2c_latency_summary *video)
{
    double skew;
    if (!e2c_av_skew_ms(audio, video, &skew))
        return json_null();
    return json_real(round(skew * 1000.0) / 1000.0);
}

static gboolean
received(json_t *s)
{
    return json_is_object(s) &&
           g_strcmp0(json_string_value(json_object_get(s, "direction")), "send") != 0;
}

static gboolean
is_track(json_t *s, const char *track)
{
    return g_strcmp0(json_string_value(json_object_get(s, "track")), track) == 0;
}

/* One publisher's streams as this receiver has them. */
static gboolean
same_publisher(json_t *a, json_t *b)
{
    return g_strcmp0(json_string_value(json_object_get(a, "participant")),
                     json_string_value(json_object_get(b, "participant"))) == 0 &&
           json_equal(json_object_get(a, "feed"), json_object_get(b, "feed")) &&
           json_is_true(json_object_get(a, "ended")) == json_is_true(json_object_get(b, "ended"));
}

/* The summary of a latency object's median: enough for the skew. */
static struct e2c_latency_summary
median_of(json_t *s, const char *key)
{
    struct e2c_latency_summary out = {0};
    json_t *p50 = json_object_get(json_object_get(s, key), "p50");
    if (json_is_number(p50)) {
        out.have = 1;
        out.p50_ms = json_number_value(p50);
    }
    return out;
}

static void
set_skew(json_t *audio, json_t *video, const char *latency_key, const char *skew_key)
{
    struct e2c_latency_summary a = median_of(audio, latency_key), v = median_of(video, latency_key);
    json_t *skew = e2c_av_skew_json(&a, &v);
    if (json_is_null(skew)) {
        json_decref(skew);
        return;
    }
    json_object_set(audio, skew_key, skew);
    json_object_set_new(video, skew_key, skew);
}

void
e2c_av_skew_annotate(json_t *streams)
{
    size_t n = json_array_size(streams);
    if (!n)
        return;
    gboolean *paired = g_new0(gboolean, n);
    for (size_t i = 0; i < n; i++) {
        json_t *audio = json_array_get(streams, i);
        if (!received(audio) || !is_track(audio, "audio"))
            continue;
        for (size_t k = 0; k < n; k++) {
            json_t *video = json_array_get(streams, k);
            if (paired[k] || !received(video) || !is_track(video, "video") ||
                !same_publisher(audio, video))
                continue;
            paired[k] = TRUE;
            set_skew(audio, video, "latency-ms", "av-skew-ms");
            set_skew(audio, video, "decoded-latency-ms", "decoded-av-skew-ms");
            break;
        }
    }
    g_free(paired);
}

void
e2c_av_skew_append(json_t *array, json_t *mine)
{
    e2c_av_skew_annotate(mine);
    json_array_extend(array, mine);
    json_decref(mine);
}
