/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "events.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct e2c_events {
    FILE *json_out;
    FILE *human;
    GMutex lock; /* events come from the main loop and from streaming threads */
};

struct e2c_events *
e2c_events_new(FILE *json_out, FILE *human)
{
    struct e2c_events *ev = g_new0(struct e2c_events, 1);
    ev->json_out = json_out;
    ev->human = human;
    g_mutex_init(&ev->lock);
    return ev;
}

void
e2c_events_free(struct e2c_events *ev)
{
    if (!ev)
        return;
    g_mutex_clear(&ev->lock);
    g_free(ev);
}

void
e2c_events_timestamp(char *buf, size_t cap)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

json_t *
e2c_event_new(const char *name)
{
    char ts[40];
    e2c_events_timestamp(ts, sizeof(ts));
    return json_pack("{s:s, s:s}", "ts", ts, "event", name);
}

/* Router error reasons and other participants' display names go to a terminal. */
void
e2c_append_printable(GString *s, const char *text)
{
    gchar *valid = g_utf8_make_valid(text, -1);
    for (const gchar *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_iscntrl(c))
            g_string_append_c(s, '?');
        else
            g_string_append_unichar(s, c);
    }
    g_free(valid);
}

static void
append_value(GString *s, const json_t *v)
{
    char *text;
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (strpbrk(json_string_value(v), " \t") || json_string_length(v) == 0) {
            g_string_append_c(s, '\'');
            e2c_append_printable(s, json_string_value(v));
            g_string_append_c(s, '\'');
        } else {
            e2c_append_printable(s, json_string_value(v));
        }
        break;
    case JSON_OBJECT:
    case JSON_ARRAY:
        text = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(6));
        g_string_append(s, text ? text : "?");
        free(text);
        break;
    default:
        text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(6));
        g_string_append(s, text ? text : "?");
        free(text);
        break;
    }
}

char *
e2c_events_format_human(const json_t *event)
{
    GString *s = g_string_new(NULL);
    const char *ts = json_string_value(json_object_get(event, "ts"));
    const char *name = json_string_value(json_object_get(event, "event"));
    const char *message = json_string_value(json_object_get(event, "message"));
    /* The time of day is enough on a terminal; JSON keeps the full date. */
    g_string_append_printf(s, "%.12s %-27s", ts && strlen(ts) >= 23 ? ts + 11 : "",
                           name ? name : "?");
    const char *key;
    json_t *value;
    json_t *table = NULL;
    json_object_foreach((json_t *)event, key, value)
    {
        if (!strcmp(key, "ts") || !strcmp(key, "event") || !strcmp(key, "message"))
            continue;
        /* An array of objects (stats, summary) reads better one object per line. */
        if (json_is_array(value) && json_array_size(value) &&
            json_is_object(json_array_get(value, 0))) {
            table = value;
            continue;
        }
        g_string_append_printf(s, " %s=", key);
        append_value(s, value);
    }
    if (message) {
        g_string_append(s, "  ");
        e2c_append_printable(s, message);
    }
    size_t i;
    json_t *row;
    json_array_foreach(table, i, row)
    {
        g_string_append(s, "\n            ");
        const char *k;
        json_t *v;
        json_object_foreach(row, k, v)
        {
            g_string_append_printf(s, " %s=", k);
            append_value(s, v);
        }
    }
    return g_string_free(s, FALSE);
}

void
e2c_events_emit(struct e2c_events *ev, json_t *event)
{
    if (!event)
        return;
    if (ev) {
        g_mutex_lock(&ev->lock);
        if (ev->json_out) {
            char *line =
                json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
            if (line) {
                fputs(line, ev->json_out);
                fputc('\n', ev->json_out);
                fflush(ev->json_out);
                free(line);
            }
        }
        if (ev->human) {
            char *line = e2c_events_format_human(event);
            fprintf(ev->human, "%s\n", line);
            fflush(ev->human);
            g_free(line);
        }
        g_mutex_unlock(&ev->lock);
    }
    json_decref(event);
}

void
e2c_events_error(struct e2c_events *ev, enum e2c_error err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    json_t *e = e2c_event_new("error");
    json_object_set_new(e, "error",
                        json_string(e2c_error_name(err) ? e2c_error_name(err) : "ERROR"));
    json_object_set_new(e, "exit-status", json_integer(e2c_error_exit_status(err)));
    json_object_set_new(e, "message", json_string(message));
    g_free(message);
    e2c_events_emit(ev, e);
}
