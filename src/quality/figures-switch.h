/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --no-quality-figures of join and load (e2call(1), MEDIA QUALITY FIGURES): latency (the
 * frame-time table and its probes) and frame timing (freezes, jitter) are measured, or not, for
 * the whole process. Process-wide because each e2call process is one join or one load and the
 * measuring hooks sit in code (send and receive chains, reports) that is shared by both; set it
 * once, before the first participant is built, and the reports leave the figures out.
 */
#pragma once

#include <stdbool.h>

/* Turns the figures off for the rest of the process. */
void e2c_quality_figures_off(void);
/* true unless e2c_quality_figures_off() was called. */
bool e2c_quality_figures_on(void);
