/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "option-once.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* What an entry was before it became a callback to on_value(). */
struct original {
    const char *long_name;
    char short_name;
    GOptionArg arg;
    gpointer arg_data;
    gboolean seen;
};

struct once_group {
    GArray *originals; /* struct original */
};

static void
once_group_free(gpointer data)
{
    struct once_group *g = data;
    g_array_unref(g->originals);
    g_free(g);
}

static struct original *
find(struct once_group *g, const char *option_name)
{
    /* GOption names the option as given: "--room" or "-r". */
    gboolean is_long = option_name[1] == '-';
    for (guint i = 0; i < g->originals->len; i++) {
        struct original *o = &g_array_index(g->originals, struct original, i);
        if (is_long ? strcmp(option_name + 2, o->long_name) == 0
                    : o->short_name && option_name[1] == o->short_name)
            return o;
    }
    return NULL;
}

/* As GOption's own parse_int(): strtol with base 0, the whole text, in range. */
static gboolean
parse_int64(const char *option_name, const char *value, gint64 min, gint64 max, gint64 *out,
            GError **error)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 0);
    if (!*value || *end) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "Cannot parse integer value '%s' for %s", value, option_name);
        return FALSE;
    }
    if (errno == ERANGE || v < min || v > max) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "Integer value '%s' for %s out of range", value, option_name);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

static gboolean
store(struct original *o, const char *option_name, const char *value, GError **error)
{
    gint64 i;
    switch (o->arg) {
    case G_OPTION_ARG_STRING:
    case G_OPTION_ARG_FILENAME:
        /* The first occurrence only, so there is no earlier value of ours to free. */
        *(gchar **)o->arg_data = g_strdup(value);
        return TRUE;
    case G_OPTION_ARG_INT:
        if (!parse_int64(option_name, value, G_MININT, G_MAXINT, &i, error))
            return FALSE;
        *(gint *)o->arg_data = (gint)i;
        return TRUE;
    case G_OPTION_ARG_INT64:
        if (!parse_int64(option_name, value, G_MININT64, G_MAXINT64, &i, error))
            return FALSE;
        *(gint64 *)o->arg_data = i;
        return TRUE;
    case G_OPTION_ARG_DOUBLE: {
        char *end;
        errno = 0;
        double d = g_strtod(value, &end);
        if (!*value || *end || errno == ERANGE) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "Cannot parse double value '%s' for %s", value, option_name);
            return FALSE;
        }
        *(gdouble *)o->arg_data = d;
        return TRUE;
    }
    case G_OPTION_ARG_CALLBACK:
        return ((GOptionArgFunc)o->arg_data)(option_name, value, NULL, error);
    default:
        g_return_val_if_reached(FALSE);
    }
}

static gboolean
on_value(const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
    struct original *o = find(data, option_name);
    gboolean ok = FALSE;
    if (!o) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unknown option %s", option_name);
    } else if (o->seen) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--%s given twice: it takes one value", o->long_name);
    } else {
        o->seen = TRUE;
        ok = store(o, option_name, value, error);
    }
    /*
     * value is GOption's own copy, freed as this returns and never wiped;
     * for --secret it is the secret, and the copy that stays is wiped by
     * its owner.
     */
    if (value)
        OPENSSL_cleanse((char *)value, strlen(value));
    return ok;
}

static gboolean
takes_one_value(const GOptionEntry *e)
{
    switch (e->arg) {
    case G_OPTION_ARG_STRING:
    case G_OPTION_ARG_FILENAME:
    case G_OPTION_ARG_INT:
    case G_OPTION_ARG_INT64:
    case G_OPTION_ARG_DOUBLE:
        return TRUE;
    case G_OPTION_ARG_CALLBACK:
        return !(e->flags & G_OPTION_FLAG_NO_ARG);
    default:
        return FALSE;
    }
}

GOptionGroup *
e2c_option_group_once_lists(const char *name, const char *description, const char *help_description,
                            const GOptionEntry *const *lists)
{
    struct once_group *g = g_new0(struct once_group, 1);
    g->originals = g_array_new(FALSE, TRUE, sizeof(struct original));
    GArray *copy = g_array_new(TRUE, TRUE, sizeof(GOptionEntry));
    for (gsize i = 0; lists[i]; i++) {
        for (const GOptionEntry *e = lists[i]; e && e->long_name; e++) {
            GOptionEntry entry = *e;
            if (takes_one_value(e)) {
                struct original o = {e->long_name, e->short_name, e->arg, e->arg_data, FALSE};
                g_array_append_val(g->originals, o);
                entry.arg = G_OPTION_ARG_CALLBACK;
                entry.arg_data = (gpointer)on_value;
                /* Only STRING values are converted to UTF-8, as GOption does. */
                if (e->arg != G_OPTION_ARG_STRING && e->arg != G_OPTION_ARG_CALLBACK)
                    entry.flags |= G_OPTION_FLAG_FILENAME;
            }
            g_array_append_val(copy, entry);
        }
    }
    GOptionGroup *group =
        g_option_group_new(name, description, help_description, g, once_group_free);
    g_option_group_add_entries(group, (const GOptionEntry *)copy->data);
    g_array_unref(copy);
    return group;
}

GOptionGroup *
e2c_option_group_once2(const char *name, const char *description, const char *help_description,
                       const GOptionEntry *entries, const GOptionEntry *more)
{
    const GOptionEntry *lists[] = {entries, more, NULL};
    return e2c_option_group_once_lists(name, description, help_description,
                                       entries ? lists : lists + 1);
}

GOptionGroup *
e2c_option_group_once(const char *name, const char *description, const char *help_description,
                      const GOptionEntry *entries)
{
    return e2c_option_group_once2(name, description, help_description, entries, NULL);
}
