/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "openmetrics.h"

#include <math.h>

struct family {
    gchar *name, *unit, *help;
    enum e2c_om_type type;
    GPtrArray *label_sets; /* "{a=\"b\"}" or "", in the order first added */
    GArray *values;        /* double, one per label set */
    GHashTable *index;     /* label set -> its position + 1 (a load run has thousands) */
};

struct e2c_om {
    GPtrArray *families; /* struct family, in declared order */
};

static void
family_free(gpointer data)
{
    struct family *f = data;
    g_free(f->name);
    g_free(f->unit);
    g_free(f->help);
    g_ptr_array_unref(f->label_sets);
    g_array_unref(f->values);
    g_hash_table_unref(f->index);
    g_free(f);
}

struct e2c_om *
e2c_om_new(void)
{
    struct e2c_om *m = g_new0(struct e2c_om, 1);
    m->families = g_ptr_array_new_with_free_func(family_free);
    return m;
}

void
e2c_om_free(struct e2c_om *m)
{
    if (!m)
        return;
    g_ptr_array_unref(m->families);
    g_free(m);
}

static struct family *
find(const struct e2c_om *m, const char *name)
{
    for (guint i = 0; i < m->families->len; i++) {
        struct family *f = g_ptr_array_index(m->families, i);
        if (g_str_equal(f->name, name))
            return f;
    }
    return NULL;
}

void
e2c_om_family(struct e2c_om *m, const char *name, enum e2c_om_type type, const char *unit,
              const char *help)
{
    g_return_if_fail(!find(m, name));
    g_return_if_fail(type != E2C_OM_COUNTER || !g_str_has_suffix(name, "_total"));
    if (unit) {
        gchar *suffix = g_strconcat("_", unit, NULL);
        gboolean fits = g_str_has_suffix(name, suffix);
        g_free(suffix);
        g_return_if_fail(fits);
    }
    struct family *f = g_new0(struct family, 1);
    f->name = g_strdup(name);
    f->unit = g_strdup(unit);
    f->help = g_strdup(help);
    f->type = type;
    f->label_sets = g_ptr_array_new_with_free_func(g_free);
    f->values = g_array_new(FALSE, FALSE, sizeof(double));
    f->index = g_hash_table_new(g_str_hash, g_str_equal);
    g_ptr_array_add(m->families, f);
}

void
e2c_om_append_escaped(GString *out, const char *text)
{
    gchar *valid = g_utf8_make_valid(text ? text : "", -1);
    for (const char *p = valid; *p; p++) {
        switch (*p) {
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        default:
            g_string_append_c(out, *p);
            break;
        }
    }
    g_free(valid);
}

static gchar *
label_set(const char *const *labels)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
        g_string_append_printf(s, "%s%s=\"", i ? "," : "{", labels[i]);
        e2c_om_append_escaped(s, labels[i + 1]);
        g_string_append_c(s, '"');
    }
    if (s->len)
        g_string_append_c(s, '}');
    return g_string_free(s, FALSE);
}

void
e2c_om_add(struct e2c_om *m, const char *family, const char *const *labels, double value)
{
    struct family *f = find(m, family);
    g_return_if_fail(f);
    gchar *set = label_set(labels);
    guint at = GPOINTER_TO_UINT(g_hash_table_lookup(f->index, set));
    if (at) {
        double *v = &g_array_index(f->values, double, at - 1);
        *v = f->type == E2C_OM_COUNTER ? *v + value : MAX(*v, value);
        g_free(set);
        return;
    }
    g_ptr_array_add(f->label_sets, set); /* the table's key: owned by the array */
    g_array_append_val(f->values, value);
    g_hash_table_insert(f->index, set, GUINT_TO_POINTER(f->label_sets->len));
}

static void
append_number(GString *out, double v)
{
    if (isnan(v)) {
        g_string_append(out, "NaN");
    } else if (isinf(v)) {
        g_string_append(out, v > 0 ? "+Inf" : "-Inf");
    } else if (v == floor(v) && fabs(v) < 1e15) {
        g_string_append_printf(out, "%" G_GINT64_FORMAT, (gint64)v);
    } else {
        /* 15 digits where they give v back (0.05, not 0.050000000000000003), else 17. */
        gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_ascii_formatd(buf, sizeof(buf), "%.15g", v);
        if (g_ascii_strtod(buf, NULL) != v)
            g_ascii_formatd(buf, sizeof(buf), "%.17g", v);
        g_string_append(out, buf);
    }
}

gchar *
e2c_om_render(const struct e2c_om *m)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < m->families->len; i++) {
        const struct family *f = g_ptr_array_index(m->families, i);
        g_string_append_printf(out, "# TYPE %s %s\n", f->name,
                               f->type == E2C_OM_COUNTER ? "counter" : "gauge");
        if (f->unit)
            g_string_append_printf(out, "# UNIT %s %s\n", f->name, f->unit);
        if (f->help) {
            g_string_append_printf(out, "# HELP %s ", f->name);
            e2c_om_append_escaped(out, f->help);
            g_string_append_c(out, '\n');
        }
        for (guint k = 0; k < f->label_sets->len; k++) {
            g_string_append_printf(out, "%s%s%s ", f->name,
                                   f->type == E2C_OM_COUNTER ? "_total" : "",
                                   (const char *)g_ptr_array_index(f->label_sets, k));
            append_number(out, g_array_index(f->values, double, k));
            g_string_append_c(out, '\n');
        }
    }
    g_string_append(out, "# EOF\n");
    return g_string_free(out, FALSE);
}
