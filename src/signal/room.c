/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which implementation serves a room: one today, chosen here only. */
#include "room.h"

#include "janus-room.h"

struct e2c_room *
e2c_room_new(const struct e2c_room_config *cfg, const struct e2c_room_events *events,
             gpointer owner)
{
    return e2c_janus_room_new(cfg, events, owner);
}
