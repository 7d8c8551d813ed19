/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2csframevp8pay: an RFC 7741 VP8 payloader that never parses the frame, for
 * end-to-end encrypted VP8 (see the SECTION comment in e2csframevp8pay.c).
 */
#pragma once

#include <gst/rtp/gstrtpbasepayload.h>

G_BEGIN_DECLS

#define E2C_TYPE_SFRAME_VP8_PAY (e2c_sframe_vp8_pay_get_type())
G_DECLARE_FINAL_TYPE(E2cSframeVp8Pay, e2c_sframe_vp8_pay, E2C, SFRAME_VP8_PAY, GstRTPBasePayload)

GST_ELEMENT_REGISTER_DECLARE(e2csframevp8pay);

G_END_DECLS
