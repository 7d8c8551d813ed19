/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `e2call join` reports of its verdict (join-verdict.h): the
 * "media-check" and "media-quality" events of e2call(1), EVENTS.
 */
#pragma once

#include <jansson.h>

#include "join-verdict.h"

/* The "media-check" event of a verdict that made the check (a new reference). */
json_t *e2c_join_media_check_event(const struct e2c_join_verdict *v);
/*
 * The "media-quality" event of a verdict that judged the quality limits (a
 * new reference): the limits (null where not given), the streams judged,
 * passed, and every stream that failed with its figures and reason.
 */
json_t *e2c_join_media_quality_event(const struct e2c_join_input *in,
                                     const struct e2c_join_verdict *v);
