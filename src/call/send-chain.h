/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sending side of the pipeline, in two parts so that many publishers can
 * share one encoder (e2call load):
 *
 *   source:  videotestsrc (SMPTE) or a file ! raw caps ! frame marker ! encoder ! tee
 *            audiotestsrc (440 Hz) or a file ! raw caps ! encoder ! tee
 *   branch:  tee ! queue ! e2csframeenc (E2EE only) ! payloader   -> to a webrtcbin
 *
 * Encoders, payloaders and their settings come from the codec table
 * (src/gst/e2ccodec.h).
 *
 * Every raw video frame gets the marker of src/verify/verify.h before it is
 * encoded, so receivers can check what they decode.
 */
#pragma once

#include <gst/gst.h>

#include "e2ccodec.h"
#include "media-config.h"

struct e2c_send_source {
    GstElement *video_tee; /* NULL without video */
    GstElement *audio_tee; /* NULL without audio */
    enum e2c_codec video, audio;
    guint counter;    /* frame marker counter */
    gboolean pattern; /* TRUE for the test pattern */
};

/*
 * Adds the source part to bin; elements are started with the bin. Here and
 * in the branch builders a missing element or codec is E2C_ERR_UNSUPPORTED
 * (domain E2C_ERROR).
 */
gboolean e2c_send_source_build(GstBin *bin, const struct e2c_media_config *cfg,
                               struct e2c_send_source *out, GError **error);

struct e2c_send_branch {
    GstElement *e2csframeenc; /* NULL in plain mode */
    GstPad *src;              /* the payloader's src pad (a reference) */
    enum e2c_codec codec;
    /*< private >*/
    GstBin *bin;
    GstElement *tee, *queue, *pay;
    GstPad *tee_pad;
    gint plain_frames; /* plain mode: frames given to the payloader (atomic) */
    gint keyframes;    /* video: keyframes the branch passed on (atomic) */
};

/*
 * Adds queue ! [e2csframeenc] ! payloader to bin for tee (which may sit in a
 * child bin: the link is ghosted), for the publisher whose ID in the room is feed (plain
 * frames are timed under it). Link branch->src to webrtcbin (gst_pad_link_maybe_ghosting),
 * then e2c_send_branch_start().
 */
gboolean e2c_send_branch_build(GstBin *bin, GstElement *tee, enum e2c_codec codec,
                               const struct e2c_crypto_config *crypto, guint64 feed,
                               const char *name, struct e2c_send_branch *out, GError **error);
/*
 * Brings the branch's elements to their bin's state (after linking
 * downstream), then links it to its tee.
 */
gboolean e2c_send_branch_start(struct e2c_send_branch *branch, GError **error);
/*
 * Unlinks the branch from its tee between two buffers and gives the tee its
 * pad back; the branch's elements stay. Do this before stopping anything
 * downstream of the branch (webrtcbin): a stopped consumer hands FLUSHING
 * back through the branch's queue, and the tee would pass it up to the
 * shared encoder and stop the source for every publication. NULL-safe;
 * e2c_send_branch_remove() does it if it was not done.
 */
void e2c_send_branch_detach(struct e2c_send_branch *branch);
/* Detaches the branch (if it is not yet), stops and removes its elements. NULL-safe. */
void e2c_send_branch_remove(struct e2c_send_branch *branch);
/*
 * Frames a plain branch gave its payloader (in E2EE, e2csframeenc's
 * "frames-protected" counts what was sent).
 */
guint64 e2c_send_branch_plain_frames(const struct e2c_send_branch *branch);
/* Video: the keyframes the branch sent (each one a receiver asked for costs them all). */
guint64 e2c_send_branch_keyframes(const struct e2c_send_branch *branch);
