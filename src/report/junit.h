/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A JUnit XML report: one <testsuite> in <testsuites>, a <testcase> per
 * expectation, a <failure> or <error> (or <skipped>) with its reason. Every
 * text is escaped for XML 1.0 (names come from the router and other users):
 * invalid UTF-8 and characters XML cannot carry become U+FFFD. Pure: builds
 * a string.
 */
#pragma once

#include <glib.h>

enum e2c_junit_result {
    E2C_JUNIT_PASSED,
    E2C_JUNIT_FAILED,  /* an expectation not met: <failure> */
    E2C_JUNIT_ERROR,   /* the run could not judge it (the call ended early): <error> */
    E2C_JUNIT_SKIPPED, /* not judged: <skipped> */
};

struct e2c_junit;

/* A suite named name ("e2call join"). */
struct e2c_junit *e2c_junit_new(const char *name);
void e2c_junit_free(struct e2c_junit *j);
/*
 * Adds a case. message: the reason (NULL for passed); type: for a failure or
 * error, its kind (an error name such as "MEDIA_CHECK_FAILED"), or NULL.
 */
void e2c_junit_add(struct e2c_junit *j, const char *classname, const char *name,
                   enum e2c_junit_result result, const char *type, const char *message);
/* The document, seconds the run took as the suite's time. */
gchar *e2c_junit_render(const struct e2c_junit *j, double seconds);
/* Appends text escaped for an XML attribute value or character data (both: quotes too). */
void e2c_junit_append_escaped(GString *out, const char *text);
