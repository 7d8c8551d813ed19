/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "junit.h"

struct junit_case {
    gchar *classname, *name, *type, *message;
    enum e2c_junit_result result;
};

struct e2c_junit {
    gchar *name;
    GArray *cases;   /* struct junit_case */
    guint counts[4]; /* by enum e2c_junit_result */
};

static void
case_clear(gpointer data)
{
    struct junit_case *c = data;
    g_free(c->classname);
    g_free(c->name);
    g_free(c->type);
    g_free(c->message);
}

struct e2c_junit *
e2c_junit_new(const char *name)
{
    struct e2c_junit *j = g_new0(struct e2c_junit, 1);
    j->name = g_strdup(name);
    j->cases = g_array_new(FALSE, TRUE, sizeof(struct junit_case));
    g_array_set_clear_func(j->cases, case_clear);
    return j;
}

void
e2c_junit_free(struct e2c_junit *j)
{
    if (!j)
        return;
    g_array_unref(j->cases);
    g_free(j->name);
    g_free(j);
}

void
e2c_junit_add(struct e2c_junit *j, const char *classname, const char *name,
              enum e2c_junit_result result, const char *type, const char *message)
{
    struct junit_case c = {g_strdup(classname), g_strdup(name), g_strdup(type),
                           g_strdup(message ? message : ""), result};
    g_array_append_val(j->cases, c);
    j->counts[result]++;
}

/* What XML 1.0 can carry (its production Char); surrogates cannot occur in valid UTF-8. */
static gboolean
xml_char(gunichar c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF);
}

void
e2c_junit_append_escaped(GString *out, const char *text)
{
    /* Invalid UTF-8 to U+FFFD first: then every character can be read one by one. */
    gchar *valid = g_utf8_make_valid(text ? text : "", -1);
    for (const gchar *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\'':
            g_string_append(out, "&apos;");
            break;
        /* As references, so an attribute keeps them (a parser turns literal ones into spaces). */
        case '\t':
            g_string_append(out, "&#9;");
            break;
        case '\n':
            g_string_append(out, "&#10;");
            break;
        case '\r':
            g_string_append(out, "&#13;");
            break;
        default:
            g_string_append_unichar(out, xml_char(c) ? c : 0xFFFD);
            break;
        }
    }
    g_free(valid);
}

static void
attr(GString *out, const char *key, const char *value)
{
    g_string_append_printf(out, " %s=\"", key);
    e2c_junit_append_escaped(out, value);
    g_string_append_c(out, '"');
}

static void
counts(GString *out, const struct e2c_junit *j, double seconds)
{
    g_string_append_printf(out, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\"",
                           j->cases->len, j->counts[E2C_JUNIT_FAILED], j->counts[E2C_JUNIT_ERROR],
                           j->counts[E2C_JUNIT_SKIPPED]);
    gchar t[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(t, sizeof(t), "%.3f", seconds >= 0 ? seconds : 0);
    g_string_append_printf(out, " time=\"%s\"", t);
}

static void
append_case(GString *out, const struct junit_case *c)
{
    static const char *const tags[] = {NULL, "failure", "error", "skipped"};
    g_string_append(out, "    <testcase");
    attr(out, "classname", c->classname);
    attr(out, "name", c->name);
    if (c->result == E2C_JUNIT_PASSED) {
        g_string_append(out, "/>\n");
        return;
    }
    g_string_append_printf(out, ">\n      <%s", tags[c->result]);
    attr(out, "message", c->message);
    if (c->type && c->result != E2C_JUNIT_SKIPPED)
        attr(out, "type", c->type);
    if (c->result == E2C_JUNIT_SKIPPED) {
        g_string_append(out, "/>\n");
    } else {
        /* The reason again as text: what most viewers show in full. */
        g_string_append_c(out, '>');
        e2c_junit_append_escaped(out, c->message);
        g_string_append_printf(out, "</%s>\n", tags[c->result]);
    }
    g_string_append(out, "    </testcase>\n");
}

gchar *
e2c_junit_render(const struct e2c_junit *j, double seconds)
{
    GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    attr(out, "name", j->name);
    counts(out, j, seconds);
    g_string_append(out, ">\n  <testsuite");
    attr(out, "name", j->name);
    counts(out, j, seconds);
    g_string_append(out, ">\n");
    for (guint i = 0; i < j->cases->len; i++)
        append_case(out, &g_array_index(j->cases, struct junit_case, i));
    g_string_append(out, "  </testsuite>\n</testsuites>\n");
    return g_string_free(out, FALSE);
}
