/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "join-report.h"

#include "events.h"
#include "latency-json.h"

json_t *
e2c_join_media_check_event(const struct e2c_join_verdict *v)
{
    json_t *e = e2c_event_new("media-check");
    json_object_set_new(e, "streams", json_integer(v->streams));
    json_object_set_new(e, "verified", json_integer(v->verified));
    json_object_set_new(e, "needed", json_integer(v->needed));
    json_object_set_new(e, "passed", json_boolean(v->media_passed));
    return e;
}

json_t *
e2c_join_media_quality_event(const struct e2c_join_input *in, const struct e2c_join_verdict *v)
{
    const struct e2c_quality_limits *l = &in->quality;
    json_t *e = e2c_event_new("media-quality");
    json_object_set_new(e, "max-freeze-ms",
                        l->max_freeze_ms ? json_integer((json_int_t)l->max_freeze_ms)
                                         : json_null());
    json_object_set_new(e, "max-frozen-pct",
                        l->max_frozen_pct > 0 ? json_real(l->max_frozen_pct) : json_null());
    json_object_set_new(e, "max-latency-ms", e2c_max_latency_json(l));
    json_object_set_new(e, "streams", json_integer(v->quality_streams));
    json_object_set_new(e, "passed", json_boolean(v->n_quality_failures == 0));
    json_t *failed = json_array();
    for (guint i = 0; i < v->n_quality_failures; i++) {
        const struct e2c_quality_failure *f = &v->quality_failures[i];
        json_t *o = json_object();
        json_object_set_new(o, "remote", json_string(f->remote));
        json_object_set_new(o, "feed", json_integer((json_int_t)f->feed));
        json_object_set_new(o, "track", json_string(f->track));
        json_object_set_new(o, "longest-freeze-ms", json_integer((json_int_t)f->longest_freeze_ms));
        json_object_set_new(o, "frozen-ms", json_integer((json_int_t)f->frozen_ms));
        json_object_set_new(o, "received-ms", json_integer((json_int_t)f->received_ms));
        json_object_set_new(o, "latency-ms", e2c_latency_json(&f->latency));
        json_object_set_new(o, "reason", json_string(f->reason));
        json_array_append_new(failed, o);
    }
    json_object_set_new(e, "failed", failed);
    return e;
}
