/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Constructed join and load outcomes with hostile names, for the report tests. */
#pragma once

#include <glib.h>

/* Quotes, markup, an ampersand, a control character, a backslash, a newline and invalid UTF-8. */
#define HOSTILE "b\"o<b>&'\x01\\\n\xff\xfe."

/* The JUnit and OpenMetrics texts of a join that passed, a join whose streams
 * did not decrypt (different secrets, --expect-media), a join that ended early,
 * a join whose video froze beyond --max-freeze, a load with a failing pair,
 * and the same with a pair frozen beyond --max-freeze; name: "join-pass",
 * "join-mismatch", "join-fatal", "join-frozen", "load", "load-frozen". NULL
 * for another name. */
gchar *sample_junit(const char *name);
gchar *sample_metrics(const char *name);
