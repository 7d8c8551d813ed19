/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --video and --audio (join, load): a codec of the codec table of that kind,
 * by name, or "none".
 */
#pragma once

#include <glib.h>

#include "envelope.h"

/*
 * The codec named text (any case) when it is of kind, E2C_CODEC_NONE for
 * "none"; FALSE (and *out untouched) for anything else.
 */
gboolean e2c_codec_arg_parse(const char *text, enum e2c_media_kind kind, enum e2c_codec *out);
/* What e2c_codec_arg_parse() takes for kind, for messages: "vp8, vp9, h264 or none". */
gchar *e2c_codec_arg_choices(enum e2c_media_kind kind);
