/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "probe-buffers.h"
#include "recv-chain.h"

#include <gio/gio.h>
#include <gst/audio/audio.h>
#include <gst/video/video.h>
#include <string.h>

#include "capture-ring.h"
#include "e2csframemeta.h"
#include "errors.h"
#include "figures-switch.h"
#include "impair.h"
#include "latency.h"
#include "reference.h"
#include "verify.h"

struct e2c_recv_stream {
    gint refcount;
    enum e2c_codec codec;
    gboolean video;
    GstElement *e2csframedec;
    GMainContext *context;
    struct e2c_recv_callbacks cb;
    gpointer user;
    gboolean keep_last;
    gboolean decode;
    gulong hold_probe; /* holds frames back until the key arrives */

    GMutex lock; /* the fields below are written on the streaming thread */
    gboolean closed;
    struct e2c_recv_stats st;
    gboolean have_counter, have_marker;
    guint last_counter, advances, last_marker;
    gboolean first_reported, verified_reported, want_resume;
    GstSample *last_sample;
    /* The RTP timestamp of the packet last into the depayloader, and its clock rate (0: not
     * known, the PTS is used instead). */
    struct e2c_rtp_clock rtp_clock;
    gint clock_rate;
    /* Latency: the shared frame-time table (NULL: not measured), and the send times of the
     * frames last decrypted, by PTS, for the decoder's output. */
    struct e2c_ftab *ftab;
    gboolean plain;
    guint64 feed; /* the publisher's ID in the room: plain frames' KID in the table */
    struct e2c_capture_ring sent;
};

static struct e2c_recv_stream *
stream_ref(struct e2c_recv_stream *s)
{
    g_atomic_int_inc(&s->refcount);
    return s;
}

static void
stream_unref(struct e2c_recv_stream *s)
{
    if (!g_atomic_int_dec_and_test(&s->refcount))
        return;
    if (s->last_sample)
        gst_sample_unref(s->last_sample);
    g_mutex_clear(&s->lock);
    g_main_context_unref(s->context);
    g_free(s);
}

enum notice { FIRST_FRAME, VERIFIED, RESUMED };

struct notify {
    struct e2c_recv_stream *s;
    enum notice what;
};

static gboolean
run_notify(gpointer data)
{
    struct notify *n = data;
    g_mutex_lock(&n->s->lock);
    gboolean closed = n->s->closed;
    g_mutex_unlock(&n->s->lock);
    if (!closed) {
        if (n->what == VERIFIED && n->s->cb.verified)
            n->s->cb.verified(n->s->user, n->s);
        else if (n->what == FIRST_FRAME && n->s->cb.first_frame)
            n->s->cb.first_frame(n->s->user, n->s);
        else if (n->what == RESUMED && n->s->cb.resumed)
            n->s->cb.resumed(n->s->user, n->s);
    }
    return G_SOURCE_REMOVE;
}

static void
free_notify(gpointer data)
{
    struct notify *n = data;
    stream_unref(n->s);
    g_free(n);
}

static void
notify(struct e2c_recv_stream *s, enum notice what)
{
    struct notify *n = g_new0(struct notify, 1);
    n->s = stream_ref(s);
    n->what = what;
    g_main_context_invoke_full(s->context, G_PRIORITY_DEFAULT, run_notify, n, free_notify);
}

/*
 * Video check on a decoded frame; called with the lock held. The marker is
 * read on every frame (cheap: 20 blocks), so gaps in its counter count the
 * frames the sender sent and we never decoded; the PSNR against the pattern
 * (a whole-frame pass) only until the stream is verified.
 */
static gboolean
check_video(struct e2c_recv_stream *s, GstBuffer *buf, GstCaps *caps)
{
    GstVideoInfo info;
    GstVideoFrame frame;
    unsigned counter;
    int pattern;
    gboolean good = FALSE;
    if (!caps || !gst_video_info_from_caps(&info, caps) ||
        !gst_video_frame_map(&frame, &info, buf, GST_MAP_READ)) {
        g_debug("cannot map a decoded frame (caps %" GST_PTR_FORMAT ")", caps);
        return FALSE;
    }
    guint w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
    const guint8 *y = GST_VIDEO_FRAME_PLANE_DATA(&frame, 0);
    gsize stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
    if (!e2c_marker_read(y, stride, w, h, &counter, &pattern)) {
        g_debug("%s frame %ux%u: no valid marker", e2c_codec_name(s->codec), w, h);
    } else {
        if (s->have_marker) {
            /* Counters are 12 bits; a jump of more than half the range is a restart. */
            unsigned gap = (counter - s->last_marker - 1) & 0xfff;
            if (counter != s->last_marker && gap < 2048)
                s->st.frames_lost += gap;
        }
        s->have_marker = TRUE;
        s->last_marker = counter;
        good = TRUE;
        if (s->st.verified) {
            gst_video_frame_unmap(&frame);
            return TRUE;
        }
        if (pattern) {
            GBytes *ref = e2c_reference_luma(w, h);
            if (ref) {
                unsigned first, end;
                e2c_pattern_rows(w, h, &first, &end);
                s->st.last_psnr =
                    e2c_psnr(y, stride, g_bytes_get_data(ref, NULL), w, w, first, end);
                good = s->st.last_psnr >= E2C_RECV_MIN_PSNR;
            }
        }
        g_debug("%s frame: marker %u, pattern %d, psnr %.1f dB", e2c_codec_name(s->codec), counter,
                pattern, s->st.last_psnr);
        if (good) {
            if (s->have_counter && counter != s->last_counter)
                s->advances++;
            s->have_counter = TRUE;
            s->last_counter = counter;
        }
    }
    gst_video_frame_unmap(&frame);
    return good;
}

static gboolean
check_audio(GstBuffer *buf, GstCaps *caps)
{
    GstAudioInfo info;
    GstMapInfo map;
    gboolean good = FALSE;
    if (!caps || !gst_audio_info_from_caps(&info, caps) ||
        GST_AUDIO_INFO_FORMAT(&info) != GST_AUDIO_FORMAT_S16 ||
        !gst_buffer_map(buf, &map, GST_MAP_READ))
        return FALSE;
    gsize frames = map.size / GST_AUDIO_INFO_BPF(&info);
    double share = e2c_tone_share((const gint16 *)map.data, frames, GST_AUDIO_INFO_CHANNELS(&info),
                                  GST_AUDIO_INFO_RATE(&info), E2C_TONE_HZ);
    good = share >= E2C_RECV_MIN_TONE_SHARE;
    gst_buffer_unmap(buf, &map);
    return good;
}

static GstPadProbeReturn
on_decoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct e2c_recv_stream *s = data;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    GstCaps *caps = gst_pad_get_current_caps(pad);
    gboolean first = FALSE, verified = FALSE, resumed = FALSE;

    gint64 now_ns = e2c_latency_now_ns();
    g_mutex_lock(&s->lock);
    s->st.frames_decoded++;
    gint64 sent_ns;
    if (s->ftab && s->decode && GST_BUFFER_PTS_IS_VALID(buf) &&
        e2c_capture_ring_find_exact(&s->sent, GST_BUFFER_PTS(buf), &sent_ns) && now_ns >= sent_ns)
        e2c_latency_hist_add(&s->st.decoded_latency, (guint64)(now_ns - sent_ns) / 1000);
    resumed = s->want_resume;
    s->want_resume = FALSE;
    if (!s->first_reported) {
        s->first_reported = first = TRUE;
        s->st.first_frame_us = g_get_monotonic_time();
    }
    if (!s->decode) {
        /* e2csframedec passed it: the frame authenticated, which is the check here. */
        if (!s->st.verified &&
            ++s->st.frames_good >= (s->video ? E2C_RECV_GOOD_FRAMES : E2C_RECV_GOOD_WINDOWS))
            s->st.verified = verified = TRUE;
    } else if (s->video || !s->st.verified) {
        /* Video frames are all read (for frame loss); the verdict is made once. */
        gboolean good = s->video ? check_video(s, buf, caps) : check_audio(buf, caps);
        if (!s->st.verified) {
            if (good)
                s->st.frames_good++;
            if (s->video ? (s->st.frames_good >= E2C_RECV_GOOD_FRAMES && s->advances >= 5)
                         : s->st.frames_good >= E2C_RECV_GOOD_WINDOWS)
                s->st.verified = verified = TRUE;
        }
    }
    if (s->keep_last && s->video) {
        if (s->last_sample)
            gst_sample_unref(s->last_sample);
        s->last_sample = gst_sample_new(buf, caps, NULL, NULL);
    }
    g_mutex_unlock(&s->lock);
    if (caps)
        gst_caps_unref(caps);
    if (first)
        notify(s, FIRST_FRAME);
    if (verified)
        notify(s, VERIFIED);
    if (resumed)
        notify(s, RESUMED);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_rtp(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct e2c_recv_stream *s = data;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    gsize size = gst_buffer_get_size(buf);
    /* The timestamp read straight from the fixed header (RFC 3550, 5.1): every packet of every
     * stream passes here, and the depayloader checks the rest. */
    guint8 head[8];
    gboolean have_ts =
        gst_buffer_extract(buf, 0, head, sizeof(head)) == sizeof(head) && head[0] >> 6 == 2;
    guint32 ts = have_ts ? GST_READ_UINT32_BE(head + 4) : 0;
    g_mutex_lock(&s->lock);
    s->st.rtp_bytes += size;
    if (have_ts)
        e2c_rtp_clock_unwrap(&s->rtp_clock, ts);
    g_mutex_unlock(&s->lock);
    return GST_PAD_PROBE_OK;
}

/*
 * A frame leaves decryption (or, in plain mode, the depayloader): its arrival for freezes and
 * jitter, against its media time. That is its RTP timestamp, the one of the packet that
 * completed it (the depayloader pushes a frame while handling that packet, in this thread), as
 * RFC 3550 has it: the PTS is not it everywhere, as without a jitterbuffer (e2crtpforward, in
 * load) it is the time the packet was received.
 */
/*
 * A frame leaves decryption (or the depayloader): its latency from the publisher's encoder,
 * when the frame-time table has its send time (by its SFrame KID and counter, or in plain
 * mode by its bytes); called with the lock held.
 */
static void
time_latency(struct e2c_recv_stream *s, GstBuffer *buf, gint64 wall_ns)
{
    guint64 kid, ctr;
    gint64 sent_ns;
    if (!s->ftab)
        return;
    if (s->plain) {
        kid = e2c_latency_plain_kid(s->feed);
        ctr = e2c_latency_plain_id(buf);
    } else if (!e2c_sframe_meta_get(buf, &kid, &ctr)) {
        return;
    }
    if (!e2c_ftab_get(s->ftab, kid, ctr, &sent_ns) || wall_ns < sent_ns) {
        s->st.latency_misses++;
        return;
    }
    e2c_latency_hist_add(&s->st.latency, (guint64)(wall_ns - sent_ns) / 1000);
    if (s->decode && GST_BUFFER_PTS_IS_VALID(buf))
        e2c_capture_ring_add(&s->sent, GST_BUFFER_PTS(buf), sent_ns);
}

static void
time_frame(struct e2c_recv_stream *s, GstBuffer *buf, gint64 now_ns, gint64 wall_ns)
{
    time_latency(s, buf, wall_ns);
    gint64 media = E2C_FT_NO_MEDIA;
    if (s->rtp_clock.started && s->clock_rate > 0)
        media = e2c_rtp_clock_ns(s->rtp_clock.ext, (guint32)s->clock_rate);
    else if (GST_BUFFER_PTS_IS_VALID(buf))
        media = (gint64)GST_BUFFER_PTS(buf);
    e2c_frame_timing_add(&s->st.timing, now_ns, media);
}

/* The frames of one probe call: one stream, one arrival time on each clock. */
struct frame_arrival {
    struct e2c_recv_stream *s;
    gint64 now_ns, wall_ns;
};

static void
time_arrived(GstBuffer *buf, gpointer data)
{
    struct frame_arrival *a = data;
    time_frame(a->s, buf, a->now_ns, a->wall_ns);
}

static GstPadProbeReturn
on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct frame_arrival a = {data, (gint64)gst_util_get_timestamp(), e2c_latency_now_ns()};
    g_mutex_lock(&a.s->lock);
    e2c_probe_foreach_buffer(info, time_arrived, &a);
    g_mutex_unlock(&a.s->lock);
    return GST_PAD_PROBE_OK;
}

/*
 * Blocks this stream's thread (the frames wait in the jitterbuffer) rather
 * than dropping them: the first keyframe often comes before the key, and
 * waiting for the next one costs a keyframe request's round trip.
 */
static GstPadProbeReturn
hold_until_key(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    return GST_PAD_PROBE_OK;
}

struct e2c_recv_stream *
e2c_recv_stream_new(GstBin *bin, GstPad *pad, guint64 feed, const struct e2c_crypto_config *crypto,
                    const struct e2c_impair *impair, gboolean decode, gboolean keep_last_frame,
                    const struct e2c_recv_callbacks *cb, gpointer user, GError **error)
{
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    const gchar *enc = gst_structure_get_string(gst_caps_get_structure(caps, 0), "encoding-name");
    gint clock_rate = 0;
    gst_structure_get_int(gst_caps_get_structure(caps, 0), "clock-rate", &clock_rate);
    const struct e2c_gst_codec *row = e2c_gst_codec_from_encoding_name(enc);
    const struct e2c_codec_info *info = row ? e2c_codec_info(row->codec) : NULL;
    if (!info) {
        g_set_error(error, E2C_ERROR, E2C_ERR_UNSUPPORTED, "UNSUPPORTED: received codec '%s'",
                    enc ? enc : "?");
        gst_caps_unref(caps);
        return NULL;
    }
    gst_caps_unref(caps);
    enum e2c_codec codec = row->codec;
    gboolean video = info->kind == E2C_MEDIA_VIDEO;

    GstElement *depay = gst_element_factory_make(row->depayloader, NULL);
    /* Without decoding, an identity stands in for the decoder, so the chain keeps its shape. */
    GstElement *dec = gst_element_factory_make(decode ? row->decoder : "identity", NULL);
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    GstElement *e2csframedec = crypto->e2ee ? gst_element_factory_make("e2csframedec", NULL) : NULL;
    if (!depay || !dec || !sink || (crypto->e2ee && !e2csframedec)) {
        g_set_error(error, E2C_ERROR, E2C_ERR_UNSUPPORTED,
                    "UNSUPPORTED: cannot receive %s (see e2call check)", e2c_codec_name(codec));
        GstElement *made[] = {depay, dec, sink, e2csframedec};
        for (unsigned k = 0; k < G_N_ELEMENTS(made); k++)
            if (made[k])
                gst_object_unref(gst_object_ref_sink(made[k]));
        return NULL;
    }
    /* --impair: webrtcbin ! netsim ! depayloader. */
    GstElement *sim = NULL;
    if (impair && e2c_impair_applies(impair, E2C_IMPAIR_RECV)) {
        sim = e2c_impair_element_new(impair, NULL, error);
        if (!sim) {
            GstElement *made[] = {depay, dec, sink, e2csframedec};
            for (unsigned k = 0; k < G_N_ELEMENTS(made); k++)
                if (made[k])
                    gst_object_unref(gst_object_ref_sink(made[k]));
            return NULL;
        }
    }
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    /*
     * A lost packet breaks the frames that follow until the next keyframe:
     * the depayloader drops them (a decoder fed them makes garbage the media
     * check would reject) and asks for a keyframe at once (a PLI, which the
     * router forwards to the publisher) instead of waiting out the sender's
     * keyframe interval. Without decoding, every frame that
     * authenticates still counts, so nothing is dropped there.
     */
    if (decode && video &&
        g_object_class_find_property(G_OBJECT_GET_CLASS(depay), "request-keyframe") &&
        g_object_class_find_property(G_OBJECT_GET_CLASS(depay), "wait-for-keyframe"))
        g_object_set(depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);

    struct e2c_recv_stream *s = g_new0(struct e2c_recv_stream, 1);
    s->refcount = 1;
    s->codec = codec;
    s->video = video;
    s->context = g_main_context_ref_thread_default();
    s->cb = *cb;
    s->user = user;
    s->keep_last = keep_last_frame && decode;
    s->decode = decode;
    s->clock_rate = clock_rate;
    g_mutex_init(&s->lock);
    e2c_frame_timing_init(&s->st.timing);
    e2c_latency_hist_init(&s->st.latency);
    e2c_latency_hist_init(&s->st.decoded_latency);
    e2c_capture_ring_init(&s->sent);
    /* Plain streams are known by their frames' bytes, where the depayloader gives back what
     * the payloader got (src/call/latency.h). */
    s->plain = !e2csframedec;
    s->feed = feed;
    s->ftab = e2csframedec || e2c_latency_plain_timed(codec) ? e2c_latency_table() : NULL;

    gst_bin_add_many(bin, depay, dec, sink, NULL);
    gboolean linked;
    if (e2csframedec) {
        g_object_set(e2csframedec, "room", crypto->room, "cipher-suite", crypto->cipher_suite,
                     "grace-period", crypto->grace_ms, "shared-key", crypto->key, "replay-domain",
                     crypto->replay_domain, NULL);
        if (!crypto->key) {
            GstPad *dec_sink = gst_element_get_static_pad(e2csframedec, "sink");
            s->hold_probe =
                gst_pad_add_probe(dec_sink, GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_BUFFER,
                                  hold_until_key, NULL, NULL);
            gst_object_unref(dec_sink);
        }
        gst_bin_add(bin, e2csframedec);
        s->e2csframedec = e2csframedec;
        linked = gst_element_link_many(depay, e2csframedec, dec, sink, NULL);
    } else {
        linked = gst_element_link_many(depay, dec, sink, NULL);
    }
    GstPad *depay_sink = gst_element_get_static_pad(depay, "sink");
    gst_pad_add_probe(depay_sink, GST_PAD_PROBE_TYPE_BUFFER, on_rtp, stream_ref(s),
                      (GDestroyNotify)stream_unref);
    if (sim) {
        gst_bin_add(bin, sim);
        GstPad *sim_sink = gst_element_get_static_pad(sim, "sink");
        GstPad *sim_src = gst_element_get_static_pad(sim, "src");
        if (linked && (gst_pad_link(pad, sim_sink) != GST_PAD_LINK_OK ||
                       gst_pad_link(sim_src, depay_sink) != GST_PAD_LINK_OK))
            linked = FALSE;
        gst_object_unref(sim_sink);
        gst_object_unref(sim_src);
    } else if (linked && gst_pad_link(pad, depay_sink) != GST_PAD_LINK_OK) {
        linked = FALSE;
    }
    gst_object_unref(depay_sink);
    /* Freezes, jitter and latency; with --no-quality-figures no frame is timed. */
    if (e2c_quality_figures_on()) {
        GstPad *timed = gst_element_get_static_pad(e2csframedec ? e2csframedec : depay, "src");
        gst_pad_add_probe(timed, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                          on_frame, stream_ref(s), (GDestroyNotify)stream_unref);
        gst_object_unref(timed);
    }
    GstPad *dec_src = gst_element_get_static_pad(dec, "src");
    gst_pad_add_probe(dec_src, GST_PAD_PROBE_TYPE_BUFFER, on_decoded, stream_ref(s),
                      (GDestroyNotify)stream_unref);
    gst_object_unref(dec_src);
    if (!linked) {
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                    "cannot link the %s receive chain", e2c_codec_name(codec));
        e2c_recv_stream_free(s);
        return NULL;
    }
    /* Downstream first, so nothing pushes into an element that is not running yet. */
    GstElement *order[] = {sink, dec, e2csframedec, depay, sim};
    for (unsigned k = 0; k < G_N_ELEMENTS(order); k++)
        if (order[k])
            gst_element_sync_state_with_parent(order[k]);
    return s;
}

gboolean
e2c_recv_stream_decodes(const struct e2c_recv_stream *s)
{
    return s->decode;
}

gboolean
e2c_recv_stream_awaits_key(const struct e2c_recv_stream *s)
{
    return s->hold_probe != 0;
}

void
e2c_recv_stream_set_key(struct e2c_recv_stream *s, E2cKey *key)
{
    if (!s->e2csframedec)
        return;
    g_object_set(s->e2csframedec, "shared-key", key, NULL);
    if (s->hold_probe) {
        GstPad *sink = gst_element_get_static_pad(s->e2csframedec, "sink");
        gst_pad_remove_probe(sink, s->hold_probe);
        gst_object_unref(sink);
        s->hold_probe = 0;
    }
}

void
e2c_recv_stream_watch_resume(struct e2c_recv_stream *s)
{
    g_mutex_lock(&s->lock);
    s->want_resume = TRUE;
    g_mutex_unlock(&s->lock);
}

enum e2c_codec
e2c_recv_stream_codec(const struct e2c_recv_stream *s)
{
    return s->codec;
}

gboolean
e2c_recv_stream_is_video(const struct e2c_recv_stream *s)
{
    return s->video;
}

GstElement *
e2c_recv_stream_sframedec(const struct e2c_recv_stream *s)
{
    return s->e2csframedec;
}

void
e2c_recv_stream_get_stats(struct e2c_recv_stream *s, struct e2c_recv_stats *out)
{
    g_mutex_lock(&s->lock);
    *out = s->st;
    g_mutex_unlock(&s->lock);
}

gboolean
e2c_recv_stream_snapshot(struct e2c_recv_stream *s, const gchar *path, GError **error)
{
    g_mutex_lock(&s->lock);
    GstSample *sample = s->last_sample ? gst_sample_ref(s->last_sample) : NULL;
    g_mutex_unlock(&s->lock);
    if (!sample) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no decoded frame to save");
        return FALSE;
    }
    GstCaps *png = gst_caps_new_empty_simple("image/png");
    GstSample *converted = gst_video_convert_sample(sample, png, 5 * GST_SECOND, error);
    gst_caps_unref(png);
    gst_sample_unref(sample);
    if (!converted)
        return FALSE;
    GstMapInfo map;
    gboolean ok = FALSE;
    if (gst_buffer_map(gst_sample_get_buffer(converted), &map, GST_MAP_READ)) {
        ok = g_file_set_contents(path, (const gchar *)map.data, (gssize)map.size, error);
        gst_buffer_unmap(gst_sample_get_buffer(converted), &map);
    }
    gst_sample_unref(converted);
    return ok;
}

void
e2c_recv_stream_free(struct e2c_recv_stream *s)
{
    if (!s)
        return;
    g_mutex_lock(&s->lock);
    s->closed = TRUE;
    g_mutex_unlock(&s->lock);
    stream_unref(s);
}
