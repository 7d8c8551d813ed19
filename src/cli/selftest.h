/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* Registers the e2call elements linked into this binary (e2csframeenc, ...). */
void e2c_selftest_register_plugin(void);
/* A known-answer test of the default suite (seal and open); *why names a failure. */
gboolean e2c_selftest_crypto(const char **why);
