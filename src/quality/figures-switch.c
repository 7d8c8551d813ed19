/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "figures-switch.h"

#include <stdatomic.h>

/* Read on streaming threads, set on the main thread before any stream exists. */
static atomic_bool figures_off;

void
e2c_quality_figures_off(void)
{
    atomic_store(&figures_off, true);
}

bool
e2c_quality_figures_on(void)
{
    return !atomic_load(&figures_off);
}
