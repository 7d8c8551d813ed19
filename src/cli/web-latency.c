/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "web-latency.h"

#include <string.h>

#include "av-skew.h"
#include "frame-table.h"
#include "latency-hist.h"
#include "latency-json.h"

struct stream_latency {
    struct e2c_latency_hist call;
    struct e2c_latency_hist at_last_stats; /* call as it was at the previous stats event */
    guint64 misses;
};

struct e2c_web_latency {
    struct e2c_ftab *table;
    GHashTable *streams; /* "feed/track" -> struct stream_latency */
};

struct e2c_web_latency *
e2c_web_latency_new(struct e2c_ftab *table)
{
    struct e2c_web_latency *l = g_new0(struct e2c_web_latency, 1);
    l->table = table;
    l->streams = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return l;
}

void
e2c_web_latency_free(struct e2c_web_latency *l)
{
    if (!l)
        return;
    g_hash_table_destroy(l->streams);
    g_free(l);
}

/* "feed/track" of a JSON object with those keys, or NULL. */
static gchar *
stream_key(json_t *o)
{
    json_t *feed = json_object_get(o, "feed");
    const char *track = json_string_value(json_object_get(o, "track"));
    if (!json_is_integer(feed) || !track)
        return NULL;
    return g_strdup_printf("%" JSON_INTEGER_FORMAT "/%s", json_integer_value(feed), track);
}

/* A whole string of digits of base, in range: no sign, space or anything after. */
static gboolean
parse_u64(const char *text, guint base, guint64 *out)
{
    return text && g_ascii_isxdigit(*text) &&
           g_ascii_string_to_unsigned(text, base, 0, G_MAXUINT64, out, NULL);
}

void
e2c_web_latency_add(struct e2c_web_latency *l, const char *payload)
{
    struct e2c_ftab *table = l->table;
    json_t *batch = table && payload ? json_loads(payload, 0, NULL) : NULL;
    gchar *key = batch ? stream_key(batch) : NULL;
    json_t *times = json_object_get(batch, "times");
    if (!key || !json_is_array(times)) {
        g_free(key);
        json_decref(batch);
        return;
    }
    struct stream_latency *s = g_hash_table_lookup(l->streams, key);
    if (!s) {
        s = g_new0(struct stream_latency, 1);
        e2c_latency_hist_init(&s->call);
        e2c_latency_hist_init(&s->at_last_stats);
        g_hash_table_insert(l->streams, key, s);
    } else {
        g_free(key);
    }
    size_t i;
    json_t *t;
    json_array_foreach(times, i, t)
    {
        guint64 kid, ctr;
        json_t *ms = json_array_get(t, 2);
        if (!parse_u64(json_string_value(json_array_get(t, 0)), 16, &kid) ||
            !parse_u64(json_string_value(json_array_get(t, 1)), 10, &ctr) || !json_is_number(ms))
            continue;
        gint64 opened_ns = (gint64)(json_number_value(ms) * 1e6), sent_ns;
        if (!e2c_ftab_get(table, kid, ctr, &sent_ns) || opened_ns < sent_ns) {
            s->misses++;
            continue;
        }
        e2c_latency_hist_add(&s->call, (guint64)(opened_ns - sent_ns) / 1000);
    }
    json_decref(batch);
}

void
e2c_web_latency_annotate(struct e2c_web_latency *l, json_t *streams, gboolean summary)
{
    size_t i;
    json_t *o;
    json_array_foreach(streams, i, o)
    {
        gchar *key = stream_key(o);
        struct stream_latency *s = key ? g_hash_table_lookup(l->streams, key) : NULL;
        g_free(key);
        struct e2c_latency_summary figures = {0};
        if (s && summary) {
            e2c_latency_hist_summary(&s->call, &figures);
        } else if (s) {
            e2c_latency_hist_since(&s->call, &s->at_last_stats, &figures);
            s->at_last_stats = s->call;
        }
        if (json_is_object(o)) {
            json_object_set_new(o, "latency-ms", e2c_latency_json(&figures));
            if (summary)
                json_object_set_new(o, "latency-misses",
                                    json_integer(s ? (json_int_t)s->misses : 0));
        }
    }
    e2c_av_skew_annotate(streams);
}
