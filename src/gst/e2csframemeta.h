/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * E2cSFrameMeta: a GstCustomMeta naming the frame a buffer holds by its first SFrame's KID and
 * counter (fields "kid" and "ctr", guint64). e2csframeenc adds it to each frame it sealed,
 * e2csframedec to each frame it opened, so the two ends of a call can tell the same frame
 * apart without touching the frame (e2call(1), MEDIA QUALITY FIGURES: latency). Nothing in it
 * is secret: both are in clear on the wire. It has no tags, so elements that copy metadata
 * (GstBaseTransform, decoders) carry it on.
 */
#pragma once

#include <gst/gst.h>

#define E2C_SFRAME_META_NAME "E2cSFrameMeta"

/* Registers the meta (once; any thread). */
void e2c_sframe_meta_register(void);
void e2c_sframe_meta_add(GstBuffer *buf, guint64 kid, guint64 ctr);
/* TRUE and the fields when buf carries the meta. */
gboolean e2c_sframe_meta_get(GstBuffer *buf, guint64 *kid, guint64 *ctr);
