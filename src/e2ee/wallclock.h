/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wall clock that KID epochs are counted in (e2call-e2ee(7), KEYS):
 * seconds since 1970 from CLOCK_REALTIME, read by every sender and receiver
 * for every frame (a vDSO call, no system call).
 *
 * Tests replace it to cross epoch boundaries and to skew a receiver against
 * a sender without waiting ten minutes; the fuzzers pin it so their
 * committed corpora stay inside the epochs they were made in.
 */
#pragma once

#include <stdint.h>

int64_t e2c_wallclock_s(void);

/* Tests only: the clock every sender and receiver reads from now on (NULL:
 * the real one again). Thread-safe, but set it before frames flow so that
 * no frame is sealed or opened between two clocks. */
typedef int64_t (*e2c_wallclock_fn)(void);
void e2c_wallclock_set_for_test(e2c_wallclock_fn fn);
