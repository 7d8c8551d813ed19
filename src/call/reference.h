/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The luma plane of the test pattern (videotestsrc SMPTE, I420) at a given
 * size, rendered once per size by videotestsrc itself and cached, so a
 * receiver compares decoded frames with exactly what the publisher encoded
 * (minus the marker rows).
 */
#pragma once

#include <glib.h>

/* A cached plane of width * height bytes (stride = width); NULL if it cannot be rendered. */
GBytes *e2c_reference_luma(guint width, guint height);
