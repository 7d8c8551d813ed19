/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An OpenMetrics text exposition: metric families (# TYPE, # UNIT, # HELP)
 * with their samples, "# EOF" at the end. Label values are escaped as the
 * format asks (\\, \", \n) after invalid UTF-8 became U+FFFD, so names from
 * the router and other users cannot break a line. Pure: builds a string.
 *
 *     struct e2c_om *m = e2c_om_new();
 *     e2c_om_family(m, "e2call_sent_frames", E2C_OM_COUNTER, NULL, "Frames sent");
 *     const char *labels[] = {"track", "video", NULL};
 *     e2c_om_add(m, "e2call_sent_frames", labels, 300);
 *     gchar *text = e2c_om_render(m);
 */
#pragma once

#include <glib.h>

enum e2c_om_type { E2C_OM_COUNTER, E2C_OM_GAUGE };

struct e2c_om;

struct e2c_om *e2c_om_new(void);
void e2c_om_free(struct e2c_om *m);
/*
 * Declares a family (once; rendered in the order declared, also without
 * samples). A counter's name goes without "_total" (its sample has it);
 * with a unit ("seconds", "bytes"), the name ends in "_<unit>".
 */
void e2c_om_family(struct e2c_om *m, const char *name, enum e2c_om_type type, const char *unit,
                   const char *help);
/*
 * A sample of a declared family, labels as NULL-terminated name, value
 * pairs (NULL: none). A sample with the same labels as an earlier one adds
 * to it (counter) or keeps the larger value (gauge): what several records of
 * one stream (a subscription made again) sum to.
 */
void e2c_om_add(struct e2c_om *m, const char *family, const char *const *labels, double value);
/* The exposition, ending in "# EOF\n". */
gchar *e2c_om_render(const struct e2c_om *m);
/* Appends text escaped as a label value (without the quotes). */
void e2c_om_append_escaped(GString *out, const char *text);
