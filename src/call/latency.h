/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Latency's sending half (e2call(1), MEDIA QUALITY FIGURES): the wall-clock time each raw
 * frame enters its encoder rides on the encoded frame (a GstReferenceTimestampMeta of caps
 * E2C_CAPTURE_CAPS) through the tee to every branch, where the frame leaves e2csframeenc with
 * its SFrame identity (E2cSFrameMeta); both go into the frame-time table shared by the user's
 * e2call processes (src/quality/frame-table.h), which receivers read. A plain frame has no
 * SFrame identity: it goes in by its publisher's ID in the room (which both ends know: two
 * publishers of the same media are not confused) and a hash of its bytes as the payloader
 * gets them, which is what the depayloader puts out at the other end for VP8, VP9 and Opus
 * (H.264's depayloader regroups NAL units and parameter sets, so plain H.264 is not timed).
 */
#pragma once

#include <gst/gst.h>

#include "envelope.h"
#include "frame-table.h"

#define E2C_CAPTURE_CAPS "timestamp/x-e2call-capture"

/* The process's frame-time table; NULL (warned about once) when it cannot be had: latency is
 * then not measured, and nothing else changes. NULL too, silently, with --no-quality-figures
 * (figures-switch.h). */
struct e2c_ftab *e2c_latency_table(void);
/* CLOCK_REALTIME in ns: the clock of every e2call process on the machine. */
gint64 e2c_latency_now_ns(void);
/* Times the raw frames into encoder enc and marks its encoded frames with their capture time
 * (the raw frame's meta, which encoders carry over, else the raw frame of the same PTS). */
void e2c_latency_watch_encoder(GstElement *enc);
/* Records the frames leaving an e2csframeenc (its src pad) in the table. */
void e2c_latency_watch_sealed(GstElement *e2csframeenc);
/* Plain frames of codec are identified by their bytes (see above). */
gboolean e2c_latency_plain_timed(enum e2c_codec codec);
/* Records the plain frames going into payloader pay (codec: see e2c_latency_plain_timed()) of
 * the publisher whose ID in the room is feed. */
void e2c_latency_watch_plain(GstElement *pay, enum e2c_codec codec, guint64 feed);
/* The table's KID for plain frames of publisher feed: the ID itself, which Janus keeps below
 * 2^53, where e2call's SFrame KIDs always have bit 63 set (e2call-e2ee(7)). */
guint64 e2c_latency_plain_kid(guint64 feed);
/* A plain frame's identity: e2c_ftab_hash() of its bytes (0 when it cannot be read). */
guint64 e2c_latency_plain_id(GstBuffer *buf);
