/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --impair on one RTP stream (e2call(1), NETWORK IMPAIRMENT): GStreamer's
 * netsim set from a spec (src/quality/impair-spec.h), plus the scheduled
 * stall, which netsim cannot do, as a probe on its src pad. Placed between a
 * payloader and webrtcbin (send) or between webrtcbin and a depayloader
 * (receive), so it sees RTP only: RTCP, ICE and DTLS pass untouched.
 */
#pragma once

#include <gst/gst.h>

#include "impair-spec.h"

/*
 * A floating netsim named name for spec (which must apply to the stream's
 * direction), or NULL with error (E2C_ERROR, E2C_ERR_UNSUPPORTED) when the
 * element is missing.
 */
GstElement *e2c_impair_element_new(const struct e2c_impair *spec, const char *name, GError **error);
/*
 * Puts element (from e2c_impair_element_new()) into bin between src and sink
 * and starts it: src ! element ! sink (ghosting where the pads sit in other bins).
 */
gboolean e2c_impair_insert(GstBin *bin, GstElement *element, GstPad *src, GstPad *sink);
