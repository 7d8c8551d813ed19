/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The room interface (room.h) over a Janus VideoRoom: a session, a
 * publisher handle (joined even when not publishing, to learn who
 * publishes), one subscriber handle per subscription. Janus's refusals
 * become the product's errors here, from their codes and from what the
 * request was.
 */
#pragma once

#include "room.h"

G_BEGIN_DECLS

/* Nothing happens before e2c_room_join(). Free with e2c_room_free(). */
struct e2c_room *e2c_janus_room_new(const struct e2c_room_config *cfg,
                                    const struct e2c_room_events *events, gpointer owner);

G_END_DECLS
