/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "join-report.h"

#include "events.h"

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
