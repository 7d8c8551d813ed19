/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2crtpforward: what rtpbin runs in place of rtpjitterbuffer for a receiver
 * that verifies frames but never plays them out (see e2crtpforward.c).
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define E2C_TYPE_RTP_FORWARD (e2c_rtp_forward_get_type())
G_DECLARE_FINAL_TYPE(E2cRtpForward, e2c_rtp_forward, E2C, RTP_FORWARD, GstElement)

GST_ELEMENT_REGISTER_DECLARE(e2crtpforward);

G_END_DECLS
