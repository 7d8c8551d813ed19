/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report of `e2call load`, rendered from its verdict: the "load-report"
 * JSON document (--json; scripts/merge-load-reports reads its keys) and the
 * readable table with its summary lines. Pure: the figures of the process
 * (elapsed time, CPU, memory, the timestamp) come in as values.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "load-verdict.h"

/*
 * What one receiver saw of a publisher by display name, also of publishers in
 * other processes of the run: what scripts/merge-load-reports joins into one
 * matrix.
 */
struct e2c_load_observed {
    const char *receiver, *publisher;
    enum e2c_pair_state state;
    guint64 frames_ok, frames_lost;
};

struct e2c_load_facts {
    const char *room;
    guint n_groups; /* secret groups */
    double seconds; /* since the run started */
    double cpu_s;   /* of this process */
    long rss_kib;   /* resident memory of this process */
    const char *ts; /* RFC 3339, or NULL for none */
    const struct e2c_load_observed *observed;
    guint n_observed;
};

/* The "load-report" object (a new reference). */
json_t *e2c_load_report_json(const struct e2c_load_input *in, const struct e2c_load_verdict *v,
                             const struct e2c_load_facts *facts);
/* The JSON line as printed: compact, reals to 6 digits, no newline. Free with free(). */
char *e2c_load_report_json_line(const json_t *report);
/* The readable report: the matrix, the summary lines, errors, reasons and the verdict line. */
gchar *e2c_load_report_text(const struct e2c_load_input *in, const struct e2c_load_verdict *v,
                            const struct e2c_load_facts *facts);
