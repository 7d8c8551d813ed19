/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The events module: the error table of e2call(1) EXIT STATUS, JSON lines
 * and human lines built from one event object, the terminal-safe text filter,
 * and whole lines when streaming threads emit at the same time.
 */
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

/* e2call(1), EXIT STATUS: every error name with its status. */
static const struct {
    enum e2c_error err;
    const char *name;
    int status;
} expected[] = {
    {E2C_ERR_INVALID_ENCRYPTION_SECRET, "INVALID_ENCRYPTION_SECRET", 3},
    {E2C_ERR_ENCRYPTION_SECRET_MISSING, "ENCRYPTION_SECRET_MISSING", 4},
    {E2C_ERR_ENCRYPTION_SECRET_MISMATCH, "ENCRYPTION_SECRET_MISMATCH", 5},
    {E2C_ERR_DECRYPTION_INTERNAL_ERROR, "DECRYPTION_INTERNAL_ERROR", 6},
    {E2C_ERR_ENCRYPTION_INTERNAL_ERROR, "ENCRYPTION_INTERNAL_ERROR", 6},
    {E2C_ERR_UNSUPPORTED, "UNSUPPORTED", 7},
    {E2C_ERR_CONNECT_FAILED, "CONNECT_FAILED", 8},
    {E2C_ERR_STREAM_CREATE_FAILED, "STREAM_CREATE_FAILED", 9},
    {E2C_ERR_UNABLE_TO_SUBSCRIBE, "UNABLE_TO_SUBSCRIBE", 9},
    {E2C_ERR_MEDIA_CHECK_FAILED, "MEDIA_CHECK_FAILED", 10},
    {E2C_ERR_MEDIA_QUALITY_FAILED, "MEDIA_QUALITY_FAILED", 13},
    {E2C_ERR_USAGE, "USAGE", 2},
};

static void
test_error_table(void)
{
    g_assert_cmpuint(G_N_ELEMENTS(expected), ==, E2C_ERR_COUNT - 1);
    for (gsize i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_cmpstr(e2c_error_name(expected[i].err), ==, expected[i].name);
        g_assert_cmpint(e2c_error_exit_status(expected[i].err), ==, expected[i].status);
        g_assert_cmpint(e2c_error_from_name(expected[i].name), ==, expected[i].err);
    }
    g_assert_null(e2c_error_name(E2C_ERR_NONE));
    g_assert_cmpint(e2c_error_exit_status(E2C_ERR_NONE), ==, 0);
    /* Out of range and unknown: a generic failure, never a crash. */
    g_assert_null(e2c_error_name(E2C_ERR_COUNT));
    g_assert_null(e2c_error_name((enum e2c_error) - 1));
    g_assert_cmpint(e2c_error_exit_status(E2C_ERR_COUNT), ==, E2C_EXIT_FAILURE);
    g_assert_cmpint(e2c_error_from_name("NO_SUCH_ERROR"), ==, E2C_ERR_NONE);
    g_assert_cmpint(e2c_error_from_name("unsupported"), ==, E2C_ERR_NONE);
    g_assert_cmpint(e2c_error_from_name(""), ==, E2C_ERR_NONE);
    g_assert_cmpint(e2c_error_from_name(NULL), ==, E2C_ERR_NONE);
}

static void
test_timestamp(void)
{
    char buf[40];
    e2c_events_timestamp(buf, sizeof(buf));
    /* RFC 3339, UTC, milliseconds: 2026-12-06T07:01:02.345Z */
    g_assert_true(g_regex_match_simple(
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$", buf, 0, 0));
    GDateTime *t = g_date_time_new_from_iso8601(buf, NULL);
    g_assert_nonnull(t);
    GDateTime *now = g_date_time_new_now_utc();
    g_assert_cmpint(ABS(g_date_time_difference(now, t)), <, 60 * G_USEC_PER_SEC);
    g_date_time_unref(now);
    g_date_time_unref(t);
}

/* Emits one event into memory streams; returns the JSON and the human output. */
static void
emit_capture(json_t *event, gchar **json_text, gchar **human_text)
{
    char *jbuf = NULL, *hbuf = NULL;
    size_t jlen = 0, hlen = 0;
    FILE *j = open_memstream(&jbuf, &jlen);
    FILE *h = open_memstream(&hbuf, &hlen);
    struct e2c_events *ev = e2c_events_new(j, h);
    e2c_events_emit(ev, event);
    e2c_events_free(ev);
    fclose(j);
    fclose(h);
    *json_text = g_strdup(jbuf);
    *human_text = g_strdup(hbuf);
    free(jbuf);
    free(hbuf);
}

static void
test_emit_both_forms(void)
{
    json_t *e = e2c_event_new("joined");
    json_object_set_new(e, "room", json_integer(1234));
    json_object_set_new(e, "display", json_string("two words"));
    json_object_set_new(e, "e2ee", json_true());
    json_object_set_new(e, "message", json_string("said last"));
    gchar *json_text, *human;
    emit_capture(e, &json_text, &human);

    /* One line, compact, in the order the fields were set. */
    g_assert_true(g_str_has_suffix(json_text, "}\n"));
    g_assert_true(strchr(json_text, '\n') == json_text + strlen(json_text) - 1);
    g_assert_true(g_str_has_prefix(json_text, "{\"ts\":\""));
    g_assert_nonnull(strstr(json_text, "\"event\":\"joined\",\"room\":1234,\"display\":\"two "
                                       "words\",\"e2ee\":true,\"message\":\"said last\"}"));
    json_error_t err;
    json_t *back = json_loads(json_text, 0, &err);
    g_assert_nonnull(back);
    json_decref(back);

    /* Time of day, the name, key=value, values with spaces quoted, the message last. */
    g_assert_true(g_regex_match_simple(
        "^[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} joined +room=1234 display='two words' "
        "e2ee=true  said last\n$",
        human, 0, 0));
    g_free(json_text);
    g_free(human);
}

static void
test_emit_without_sinks(void)
{
    /* No events object, or one with no outputs: the event is only released. */
    e2c_events_emit(NULL, e2c_event_new("left"));
    struct e2c_events *ev = e2c_events_new(NULL, NULL);
    e2c_events_emit(ev, e2c_event_new("left"));
    e2c_events_emit(ev, NULL);
    e2c_events_free(ev);
    e2c_events_free(NULL);
}

static void
test_human_table_rows(void)
{
    json_t *e = e2c_event_new("stats");
    json_t *rows = json_array();
    json_array_append_new(rows, json_pack("{s:s, s:i}", "track", "video", "fps", 15));
    json_array_append_new(rows, json_pack("{s:s, s:i}", "track", "audio", "fps", 50));
    json_object_set_new(e, "streams", rows);
    json_object_set_new(e, "interval-s", json_real(2.5));
    char *line = e2c_events_format_human(e);
    /* Plain fields first, then one row per object, indented. */
    g_assert_nonnull(strstr(line, "stats"));
    g_assert_nonnull(strstr(line, " interval-s=2.5\n"));
    g_assert_nonnull(strstr(line, "\n             track=video fps=15\n"));
    g_assert_true(g_str_has_suffix(line, "\n             track=audio fps=50"));
    g_free(line);
    json_decref(e);
}

static void
test_human_empty_and_nested(void)
{
    json_t *e =
        json_pack("{s:s, s:s, s:s, s:{s:i}, s:[i,i], s:n}", "ts", "2026-12-06T07:01:02.345Z",
                  "event", "x", "empty", "", "obj", "a", 1, "list", 1, 2, "none");
    char *line = e2c_events_format_human(e);
    g_assert_cmpstr(line, ==,
                    "07:01:02.345 x                           empty='' obj={\"a\":1} "
                    "list=[1,2] none=null");
    g_free(line);
    json_decref(e);
    /* No "ts" and no "event": still a line. */
    json_t *bare = json_object();
    line = e2c_events_format_human(bare);
    g_assert_true(g_str_has_prefix(line, " ?"));
    g_free(line);
    json_decref(bare);
}

static gchar *
printable(const char *text)
{
    GString *s = g_string_new(NULL);
    e2c_append_printable(s, text);
    return g_string_free(s, FALSE);
}

static void
test_printable(void)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"plain text", "plain text"},
        {"caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93"}, /* UTF-8 kept */
        {"\x1b[2J\x1b]0;title\x07", "?[2J?]0;title?"},            /* ESC, BEL */
        {"a\rb\nc\td", "a?b?c?d"},                                /* a forged line */
        {"del\x7f", "del?"},
        {"c1 \xc2\x9b"
         "31m \xc2\x85",
         "c1 ?31m ?"},                                              /* CSI, NEL as C1 */
        {"bad \xff\xfe utf8", "bad \xef\xbf\xbd\xef\xbf\xbd utf8"}, /* U+FFFD */
        {"", ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        gchar *got = printable(cases[i].in);
        g_assert_cmpstr(got, ==, cases[i].out);
        g_free(got);
    }
}

static void
test_human_filters_outside_text(void)
{
    /* A display name and a router's message must not reach the terminal raw. */
    json_t *e = e2c_event_new("remote-published");
    json_object_set_new(e, "remote", json_string("evil\x1b[31m"));
    json_object_set_new(e, "message", json_string("line\nforged 00:00:00.000 left"));
    gchar *json_text, *human;
    emit_capture(e, &json_text, &human);
    g_assert_null(strchr(human, '\x1b'));
    g_assert_nonnull(strstr(human, "remote=evil?[31m"));
    g_assert_nonnull(strstr(human, "line?forged"));
    g_assert_cmpint(strchr(human, '\n') - human, ==, (gint)strlen(human) - 1);
    /* JSON keeps the text exactly, escaped by JSON itself. */
    g_assert_nonnull(strstr(json_text, "evil\\u001B[31m"));
    g_free(json_text);
    g_free(human);
}

static void
test_error_event(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *j = open_memstream(&buf, &len);
    struct e2c_events *ev = e2c_events_new(j, NULL);
    e2c_events_error(ev, E2C_ERR_CONNECT_FAILED, "cannot reach %s", "ws://127.0.0.1:1/");
    e2c_events_error(ev, E2C_ERR_NONE, "no name");
    e2c_events_free(ev);
    fclose(j);
    gchar **lines = g_strsplit(buf, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 3);
    json_t *a = json_loads(lines[0], 0, NULL);
    g_assert_cmpstr(json_string_value(json_object_get(a, "event")), ==, "error");
    g_assert_cmpstr(json_string_value(json_object_get(a, "error")), ==, "CONNECT_FAILED");
    g_assert_cmpint(json_integer_value(json_object_get(a, "exit-status")), ==, 8);
    g_assert_cmpstr(json_string_value(json_object_get(a, "message")), ==,
                    "cannot reach ws://127.0.0.1:1/");
    json_t *b = json_loads(lines[1], 0, NULL);
    g_assert_cmpstr(json_string_value(json_object_get(b, "error")), ==, "ERROR");
    json_decref(a);
    json_decref(b);
    g_strfreev(lines);
    free(buf);
}

#define THREADS 4
#define PER_THREAD 500

static gpointer
emit_many(gpointer data)
{
    struct e2c_events *ev = data;
    for (int i = 0; i < PER_THREAD; i++) {
        json_t *e = e2c_event_new("stats");
        json_object_set_new(e, "i", json_integer(i));
        json_object_set_new(e, "pad",
                            json_string("................................................"));
        e2c_events_emit(ev, e);
    }
    return NULL;
}

static void
test_threads_whole_lines(void)
{
    char *jbuf = NULL, *hbuf = NULL;
    size_t jlen = 0, hlen = 0;
    FILE *j = open_memstream(&jbuf, &jlen);
    FILE *h = open_memstream(&hbuf, &hlen);
    struct e2c_events *ev = e2c_events_new(j, h);
    GThread *t[THREADS];
    for (int i = 0; i < THREADS; i++)
        t[i] = g_thread_new("emit", emit_many, ev);
    for (int i = 0; i < THREADS; i++)
        g_thread_join(t[i]);
    e2c_events_free(ev);
    fclose(j);
    fclose(h);
    gchar **lines = g_strsplit(jbuf, "\n", -1);
    guint n = g_strv_length(lines);
    g_assert_cmpuint(n, ==, THREADS * PER_THREAD + 1);
    for (guint i = 0; i + 1 < n; i++) {
        json_t *e = json_loads(lines[i], 0, NULL);
        g_assert_nonnull(e);
        json_decref(e);
    }
    g_strfreev(lines);
    gchar **hlines = g_strsplit(hbuf, "\n", -1);
    g_assert_cmpuint(g_strv_length(hlines), ==, THREADS * PER_THREAD + 1);
    for (guint i = 0; hlines[i] && *hlines[i]; i++)
        g_assert_true(
            g_str_has_suffix(hlines[i], "pad=................................................"));
    g_strfreev(hlines);
    free(jbuf);
    free(hbuf);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/events/error-table", test_error_table);
    g_test_add_func("/events/timestamp", test_timestamp);
    g_test_add_func("/events/emit-both-forms", test_emit_both_forms);
    g_test_add_func("/events/emit-without-sinks", test_emit_without_sinks);
    g_test_add_func("/events/human-table-rows", test_human_table_rows);
    g_test_add_func("/events/human-empty-and-nested", test_human_empty_and_nested);
    g_test_add_func("/events/printable", test_printable);
    g_test_add_func("/events/human-filters-outside-text", test_human_filters_outside_text);
    g_test_add_func("/events/error-event", test_error_event);
    g_test_add_func("/events/threads-whole-lines", test_threads_whole_lines);
    return g_test_run();
}
