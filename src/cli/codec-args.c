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

gchar *
e2c_codec_arg_choices(enum e2c_media_kind kind)
{
    GString *s = g_string_new(NULL);
    const struct e2c_codec_info *row;
    for (size_t i = 0; (row = e2c_codec_nth(i)); i++)
        if (row->kind == kind)
            g_string_append_printf(s, "%s, ", row->name);
    if (s->len)
        g_string_truncate(s, s->len - 2);
    g_string_append(s, s->len ? " or none" : "none");
    return g_string_free(s, FALSE);
}
