/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JUnit reports of `e2call join` and `e2call load` (e2call(1), REPORT
 * FILES): a test case per expectation their verdicts judge, failed ones
 * with the verdict's own words. Pure: from the verdicts' inputs and results.
 *
 * Class names are "e2call.join.<participant>" / "e2call.load.<receiver>"
 * (dots in a name become "_", so that viewers splitting at dots keep it one
 * class); names "<remote> <track> decrypted", "... verified", "<remote>
 * video freezes within limits", "<remote> <track> latency within limits",
 * "<publisher> decrypted", "... loss", "... video freezes within limits",
 * "... latency within limits", "verdict".
 */
#pragma once

#include <glib.h>

#include "join-verdict.h"
#include "load-verdict.h"

struct e2c_join_junit {
    const char *participant; /* our display name */
    gboolean e2ee;           /* FALSE: a plain call, streams are "received", not "decrypted" */
    const struct e2c_join_input *in;
    const struct e2c_join_verdict *v;
    const char *fatal_message; /* of the error that ended the call early (in->fatal), or NULL */
    double seconds;
};

gchar *e2c_join_junit(const struct e2c_join_junit *r);
gchar *e2c_load_junit(const struct e2c_load_input *in, const struct e2c_load_verdict *v,
                      double seconds);
