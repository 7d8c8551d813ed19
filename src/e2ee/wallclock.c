/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wall clock of the KID epochs, with the test hook (wallclock.h).
 */
#include "wallclock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic(e2c_wallclock_fn) test_clock;

int64_t
e2c_wallclock_s(void)
{
    e2c_wallclock_fn fn = atomic_load_explicit(&test_clock, memory_order_acquire);
    if (fn)
        return fn();
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec;
}

void
e2c_wallclock_set_for_test(e2c_wallclock_fn fn)
{
    atomic_store_explicit(&test_clock, fn, memory_order_release);
}
