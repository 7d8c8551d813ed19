/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define E2C_TYPE_SFRAME_ENC (e2c_sframe_enc_get_type())
G_DECLARE_FINAL_TYPE(E2cSframeEnc, e2c_sframe_enc, E2C, SFRAME_ENC, GstBaseTransform)
GST_ELEMENT_REGISTER_DECLARE(e2csframeenc);

G_END_DECLS
