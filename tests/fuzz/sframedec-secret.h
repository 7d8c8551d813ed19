/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The secret and room of the e2csframedec fuzz target's key A: fuzz-sframedec
 * derives it, make-sframedec-corpus seals seeds under it. Test values only.
 */
#pragma once

#define FUZZ_SECRET "e2call fuzzing secret"
#define FUZZ_ROOM "1234"
