/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a participant sends and how it encrypts: the knobs of `e2call join`. */
#pragma once

#include <glib.h>

#include "e2ckey.h"
#include "envelope.h"

/* The test tone receivers look for (in 20 ms windows, whose resolution is 50 Hz). */
#define E2C_TONE_HZ 440.0
/*
 * The tone sent: 440 Hz exactly would repeat every 100 ms (44 periods, 5 frames), and so
 * would its Opus frames, byte for byte, which leaves a plain call no way to tell them apart
 * (e2call(1), MEDIA QUALITY FIGURES: plain frames are known by their bytes). 0.05 Hz more
 * moves each 100 ms's phase by 1/200 of a period: the frames repeat only after 20 s, which
 * the frame-time table tells apart (E2C_FTAB_REPEAT_NS), and the receivers' 440 Hz windows
 * see no difference.
 */
#define E2C_TONE_SENT_HZ (E2C_TONE_HZ + 0.05)

struct e2c_media_config {
    enum e2c_codec video; /* E2C_CODEC_NONE: no video */
    enum e2c_codec audio; /* E2C_CODEC_OPUS or E2C_CODEC_NONE */
    guint width, height, fps;
    guint video_kbps, audio_kbps;
    guint keyframe_interval_s; /* 0: the default of 10 s */
    gchar *media_file;         /* NULL: test pattern and tone */
};

struct e2c_crypto_config {
    gboolean e2ee; /* FALSE: plain media, no SFrame elements */
    E2cKey *key;   /* with e2ee: may arrive later (e2c_participant_set_key) */
    gchar *room;   /* canonical room id */
    guint cipher_suite;
    guint switch_delay_ms; /* e2csframeenc switch-delay */
    guint grace_ms;        /* e2csframedec grace-period */
    /* e2csframedec replay-domain: the receiving participant, so that its next
     * subscription of a stream rejects the frames its last one accepted. */
    gchar *replay_domain;
};

/*
 * How long the previous secret keeps decrypting after a rekey: e2call-e2ee(7)'s
 * 10 s, or twice a longer switch delay. Participants who rekey within the
 * delay of one another lose no frame only if the first of them still opens
 * the last one's frames when that one switches: up to two delays after the
 * first rekey.
 */
#define E2C_GRACE_MS 10000u
static inline guint
e2c_grace_for_delay(guint switch_delay_ms)
{
    guint64 twice = 2 * (guint64)switch_delay_ms;
    return twice > E2C_GRACE_MS ? (guint)MIN(twice, G_MAXUINT) : E2C_GRACE_MS;
}
