/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Events (e2call(1), EVENTS): one JSON object per line on stdout with --json
 * ({"ts": RFC 3339, "event": NAME, ...}), and a readable line on stderr
 * always (unless quiet). Events are built as jansson objects so both forms
 * come from the same fields.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdio.h>

#include "errors.h"

struct e2c_events;

/* json_out: where JSON lines go (NULL: none); human: readable lines (NULL: none). */
struct e2c_events *e2c_events_new(FILE *json_out, FILE *human);
void e2c_events_free(struct e2c_events *ev);

/* A new event object with "ts" and "event" set. */
json_t *e2c_event_new(const char *name);
/* Writes and releases the event (steals the reference). Thread-safe. */
void e2c_events_emit(struct e2c_events *ev, json_t *event);

/* Convenience: an "error" event with "error" (its name in e2call(1), EXIT STATUS) and "message". */
void e2c_events_error(struct e2c_events *ev, enum e2c_error err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* RFC 3339 UTC with milliseconds into buf (at least 32 bytes). */
void e2c_events_timestamp(char *buf, size_t cap);
/* Appends text safe for a terminal: control characters (C0, DEL, C1) become
 * '?', invalid UTF-8 is replaced. For text from outside (the router, other
 * participants), so it can neither send escape sequences nor forge a line. */
void e2c_append_printable(GString *out, const char *text);
/* One human line for an event object (no trailing newline); caller frees. */
char *e2c_events_format_human(const json_t *event);
