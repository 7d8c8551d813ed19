/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Constructed join and load outcomes with hostile names, for the report tests. */
#pragma once

#include <glib.h>

/* Quotes, markup, an ampersand, a control character, a backslash, a newline and invalid UTF-8. */
#define HOSTILE "b\"o<b>&'\x01\\\n\xff\xfe."

/* The JUnit and OpenMetrics texts of a join that passed, a join whose streams
 * did not decrypt (different secrets, --expect-media), a join that ended early,
 * a join whose video froze beyond --max-freeze, a join whose video's latency
 * was above --max-latency, a load with a failing pair, the same with a pair
 * frozen beyond --max-freeze, and with a pair's audio latency above
 * --max-latency; name: "join-pass", "join-mismatch", "join-fatal",
 * "join-frozen", "join-late", "load", "load-frozen", "load-late". NULL for
 * another name. */
gchar *sample_junit(const char *name);
gchar *sample_metrics(const char *name);
