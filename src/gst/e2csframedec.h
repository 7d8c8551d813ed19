/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define E2C_TYPE_SFRAME_DEC (e2c_sframe_dec_get_type())
G_DECLARE_FINAL_TYPE(E2cSframeDec, e2c_sframe_dec, E2C, SFRAME_DEC, GstBaseTransform)
GST_ELEMENT_REGISTER_DECLARE(e2csframedec);

G_END_DECLS
