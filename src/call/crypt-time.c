/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "crypt-time.h"

void
e2c_crypt_time_add(struct e2c_crypt_time *a, const struct e2c_crypt_time *b)
{
    a->ns += b->ns;
    a->frames += b->frames;
}

json_t *
e2c_us_per_frame_json(const struct e2c_crypt_time *t)
{
    if (!t->frames)
        return json_null();
    /* In tenths of a microsecond, in integers: exact however long the call. */
    guint64 per = 100 * t->frames;
    guint64 tenths = t->ns / per + (2 * (t->ns % per) >= per ? 1 : 0);
    return json_real((double)tenths / 10.0);
}

json_t *
e2c_timing_json(const struct e2c_crypt_time *enc, const struct e2c_crypt_time *dec)
{
    json_t *o = json_object();
    json_object_set_new(o, "encrypt-us-per-frame", e2c_us_per_frame_json(enc));
    json_object_set_new(o, "decrypt-us-per-frame", e2c_us_per_frame_json(dec));
    json_object_set_new(o, "frames-encrypted", json_integer((json_int_t)enc->frames));
    json_object_set_new(o, "frames-decrypted", json_integer((json_int_t)dec->frames));
    return o;
}
