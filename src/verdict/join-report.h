/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `e2call join` reports of its verdict (join-verdict.h): the
 * "media-check" event of e2call(1), EVENTS.
 */
#pragma once

#include <jansson.h>

#include "join-verdict.h"

/* The "media-check" event of a verdict that made the check (a new reference). */
json_t *e2c_join_media_check_event(const struct e2c_join_verdict *v);
