/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The warning e2csframeenc and e2csframedec post when they start with a cipher
 * suite whose tags are 4 bytes (suites 3 and 8): a forged frame then passes
 * once in 2^32 tries (e2call-e2ee(7), SECURITY).
 */
#pragma once

#include <gst/gst.h>

/* Posts one GST_MESSAGE_WARNING for a short-tag suite; nothing otherwise. */
void e2c_warn_short_tags(GstElement *element, guint suite);
