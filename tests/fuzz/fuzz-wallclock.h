/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wall clock of the fuzz harnesses and of the programs that write their
 * seeds: one fixed time in the middle of a ten-minute epoch (wallclock.h),
 * so that frames in the committed corpora carry KIDs of the epoch the
 * harness runs in, and keep reaching the decrypt path, instead of going
 * stale twenty minutes after they were made.
 */
#pragma once

#include <stdint.h>

#include "wallclock.h"

/* 2026-02-02 23:15 UTC: epoch 2950123, 300 s in. */
#define E2C_FUZZ_WALLCLOCK_S (INT64_C(2950123) * 600 + 300)

static inline int64_t
e2c_fuzz_wallclock(void)
{
    return E2C_FUZZ_WALLCLOCK_S;
}

static inline void
e2c_fuzz_pin_wallclock(void)
{
    e2c_wallclock_set_for_test(e2c_fuzz_wallclock);
}
