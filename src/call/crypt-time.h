/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The summary's "timing": the mean time the SFrame elements spent sealing and
 * opening a frame over the call, in the shape the browser participant's
 * worker reports (src/web/app.js, timing()), so scripts read one shape from
 * both.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

/* Nanoseconds spent on frames, and how many frames they cover. */
struct e2c_crypt_time {
    guint64 ns, frames;
};

/* a += b */
void e2c_crypt_time_add(struct e2c_crypt_time *a, const struct e2c_crypt_time *b);

/* Mean microseconds per frame rounded to one decimal (half up, as the page's
 * Math.round), or JSON null without a frame. */
json_t *e2c_us_per_frame_json(const struct e2c_crypt_time *t);

/* { "encrypt-us-per-frame", "decrypt-us-per-frame", "frames-encrypted", "frames-decrypted" } */
json_t *e2c_timing_json(const struct e2c_crypt_time *enc, const struct e2c_crypt_time *dec);
