/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "codec-args.h"

gboolean
e2c_codec_arg_parse(const char *text, enum e2c_media_kind kind, enum e2c_codec *out)
{
    if (!text)
        return FALSE;
    if (g_ascii_strcasecmp(text, "none") == 0) {
        *out = E2C_CODEC_NONE;
        return TRUE;
    }
    const struct e2c_codec_info *info = e2c_codec_info(e2c_codec_from_name(text));
    if (!info || info->kind != kind)
        return FALSE;
    *out = info->codec;
    return TRUE;
}

/* The names of kind's codecs, sep between them, dflt followed by mark. */
static GString *
list_names(enum e2c_media_kind kind, const char *sep, enum e2c_codec dflt, const char *mark)
{
    GString *s = g_string_new(NULL);
    const struct e2c_codec_info *row;
    for (size_t i = 0; (row = e2c_codec_nth(i)); i++) {
        if (row->kind != kind)
            continue;
        g_string_append_printf(s, "%s%s%s", s->len ? sep : "", row->name,
                               row->codec == dflt ? mark : "");
    }
    return s;
}

static const char *
intern(GString *s)
{
    const char *interned = g_intern_string(s->str);
    g_string_free(s, TRUE);
    return interned;
}

static const char *
or_none(GString *s)
{
    g_string_append(s, s->len ? " or none" : "none");
    return intern(s);
}

const char *
e2c_codec_arg_choices(enum e2c_media_kind kind)
{
    return or_none(list_names(kind, ", ", E2C_CODEC_NONE, ""));
}

const char *
e2c_codec_arg_help(enum e2c_media_kind kind, enum e2c_codec dflt)
{
    return or_none(list_names(kind, ", ", dflt, " (default)"));
}

const char *
e2c_codec_arg_names(enum e2c_media_kind kind, const char *sep)
{
    return intern(list_names(kind, sep, E2C_CODEC_NONE, ""));
}
