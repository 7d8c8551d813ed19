/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One received stream: webrtcbin src pad ! depayloader ! e2csframedec (E2EE) !
 * decoder ! fakesink, frames timed for freezes and jitter where they leave
 * e2csframedec (or the depayloader), built explicitly per codec from the codec table
 * (src/gst/e2ccodec.h; never auto-plugged), with
 * the checks of --expect-media on the decoded output:
 *
 *   video: a valid frame marker in at least E2C_RECV_GOOD_FRAMES frames with
 *          advancing counters and, for the test pattern, a PSNR of at least
 *          E2C_RECV_MIN_PSNR dB against the pattern;
 *   audio: the tone in at least E2C_RECV_GOOD_WINDOWS 20 ms windows.
 */
#pragma once

#include <gst/gst.h>

#include "e2ccodec.h"
#include "frame-timing.h"
#include "impair-spec.h"
#include "latency-hist.h"
#include "media-config.h"

#define E2C_RECV_GOOD_FRAMES 10
#define E2C_RECV_MIN_PSNR 30.0
#define E2C_RECV_GOOD_WINDOWS 25
#define E2C_RECV_MIN_TONE_SHARE 0.5

struct e2c_recv_stream;

struct e2c_recv_callbacks {
    /* On the main loop: the first decrypted and decoded frame (the "media-flowing" event of
     * e2call(1), EVENTS). */
    void (*first_frame)(gpointer user, struct e2c_recv_stream *s);
    /* On the main loop: the stream passed its media check. */
    void (*verified)(gpointer user, struct e2c_recv_stream *s);
    /* On the main loop: the first frame decoded after e2c_recv_stream_watch_resume(). */
    void (*resumed)(gpointer user, struct e2c_recv_stream *s);
};

struct e2c_recv_stats {
    guint64 rtp_bytes; /* payload bytes into the depayloader */
    guint64 frames_decoded;
    guint64 frames_good; /* video: marker (and pattern) ok; audio: tone windows */
    double last_psnr;    /* video with the test pattern; 0 otherwise */
    gboolean verified;
    gint64 first_frame_us; /* monotonic; 0 until then */
    guint64 frames_lost;   /* video: frames sent but never decoded (marker counter gaps) */
    /* Freezes and jitter (e2call(1), MEDIA QUALITY FIGURES): frames timed as they leave
     * e2csframedec, or the depayloader in plain mode. */
    struct e2c_frame_timing timing;
    /* Latency (e2call(1), MEDIA QUALITY FIGURES), in E2EE: from the publisher's encoder to the
     * frame leaving e2csframedec, and, when decoding, to the decoder's output. misses: frames
     * that opened but whose send time the frame-time table no longer (or never) had. */
    struct e2c_latency_hist latency, decoded_latency;
    guint64 latency_misses;
};

/*
 * Builds the chain for pad (caps application/x-rtp) of the publisher whose ID in the room is
 * feed (plain frames' latency is looked up under it) inside bin and links it,
 * through a netsim (impair.h) when impair (NULL: none) applies to receiving.
 * Without decode (e2call load), frames are decrypted and authenticated but
 * not decoded: "frames_decoded" then counts frames that opened, and a stream
 * is verified after E2C_RECV_GOOD_FRAMES (video) or E2C_RECV_GOOD_WINDOWS
 * (audio) of them. Returns NULL with error for a codec e2call does not receive.
 */
struct e2c_recv_stream *
e2c_recv_stream_new(GstBin *bin, GstPad *pad, guint64 feed, const struct e2c_crypto_config *crypto,
                    const struct e2c_impair *impair, gboolean decode, gboolean keep_last_frame,
                    const struct e2c_recv_callbacks *cb, gpointer user, GError **error);
gboolean e2c_recv_stream_decodes(const struct e2c_recv_stream *s);
enum e2c_codec e2c_recv_stream_codec(const struct e2c_recv_stream *s);
gboolean e2c_recv_stream_is_video(const struct e2c_recv_stream *s);
/*
 * Hands the stream its key when it was built before the key existed (the key
 * derivation runs while the subscription is negotiated): until then frames
 * wait before e2csframedec (in the jitterbuffer), so none is lost or reported.
 */
void e2c_recv_stream_set_key(struct e2c_recv_stream *s, E2cKey *key);
/* TRUE while the stream was built without a key and has not been given one. */
gboolean e2c_recv_stream_awaits_key(const struct e2c_recv_stream *s);
/* Report the next decoded frame through the resumed callback (after a match). */
void e2c_recv_stream_watch_resume(struct e2c_recv_stream *s);
/* The e2csframedec element (NULL in plain mode); a borrowed reference. */
GstElement *e2c_recv_stream_sframedec(const struct e2c_recv_stream *s);
void e2c_recv_stream_get_stats(struct e2c_recv_stream *s, struct e2c_recv_stats *out);
/* The last decoded video frame as PNG into path; FALSE (and error) when there is none. */
gboolean e2c_recv_stream_snapshot(struct e2c_recv_stream *s, const gchar *path, GError **error);
/* Stops callbacks; the elements go with their bin. */
void e2c_recv_stream_free(struct e2c_recv_stream *s);
