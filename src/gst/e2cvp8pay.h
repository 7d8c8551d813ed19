/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sframevp8pay: an RFC 7741 VP8 payloader that never parses the frame, for
 * end-to-end encrypted VP8 (see the SECTION comment in e2cvp8pay.c).
 */
#pragma once

#include <gst/rtp/gstrtpbasepayload.h>

G_BEGIN_DECLS

#define E2C_TYPE_VP8_PAY (e2c_vp8_pay_get_type())
G_DECLARE_FINAL_TYPE(E2cVp8Pay, e2c_vp8_pay, E2C, VP8_PAY, GstRTPBasePayload)

GST_ELEMENT_REGISTER_DECLARE(sframevp8pay);

G_END_DECLS
