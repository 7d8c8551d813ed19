/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --video and --audio (join, load): a codec of the codec table of that kind,
 * by name, or "none"; and the texts that list them, made from the table so
 * that a new codec shows up in --help and in messages by itself. The texts
 * are interned (g_intern_string()): never freed, nothing to free.
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
const char *e2c_codec_arg_choices(enum e2c_media_kind kind);
/* The same for --help, the default marked: "vp8 (default), vp9, h264 or none". */
const char *e2c_codec_arg_help(enum e2c_media_kind kind, enum e2c_codec dflt);
/* The codecs of kind, by name, separated by sep: "vp8,vp9,h264" with ",". */
const char *e2c_codec_arg_names(enum e2c_media_kind kind, const char *sep);
