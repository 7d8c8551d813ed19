/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "send-media.h"

#include <gst/video/video.h>
#include <stdarg.h>
#include <string.h>

#include "verify.h"


guint
e2c_payload_type(enum e2c_codec codec)
{
    switch (codec) {
    case E2C_CODEC_VP8:
        return 96;
    case E2C_CODEC_VP9:
        return 98;
    case E2C_CODEC_H264:
        return 102;
    case E2C_CODEC_OPUS:
        return 111;
    default:
        return 0;
    }
}

static GstElement *
make(const char *factory, const char *name, GError **error)
{
    GstElement *e = gst_element_factory_make(factory, name);
    if (!e)
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                    "UNSUPPORTED: GStreamer element '%s' is missing (see e2call check)", factory);
    return e;
}

/* Stamps the frame marker into each raw frame before the encoder sees it. */
static GstPadProbeReturn
stamp_marker(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct e2c_send_source *src = data;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    GstVideoInfo vinfo;
    if (!caps || !gst_video_info_from_caps(&vinfo, caps)) {
        if (caps)
            gst_caps_unref(caps);
        return GST_PAD_PROBE_OK;
    }
    gst_caps_unref(caps);
    GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buf;
    GstVideoFrame frame;
    if (gst_video_frame_map(&frame, &vinfo, buf, GST_MAP_WRITE)) {
        e2c_marker_stamp(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0),
                         GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
                         GST_VIDEO_FRAME_PLANE_DATA(&frame, 1),
                         GST_VIDEO_FRAME_PLANE_DATA(&frame, 2),
                         GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 1), 1, 1,
                         GST_VIDEO_INFO_WIDTH(&vinfo), GST_VIDEO_INFO_HEIGHT(&vinfo),
                         src->counter++, src->pattern);
        gst_video_frame_unmap(&frame);
    }
    return GST_PAD_PROBE_OK;
}

static GstElement *
video_encoder(const struct e2c_media_config *cfg, GError **error)
{
    GstElement *enc = NULL;
    /* Receivers that lose sync ask for keyframes (PLI) anyway; this only bounds the wait. */
    guint kf = cfg->fps * (cfg->keyframe_interval_s ? cfg->keyframe_interval_s : 10);
    switch (cfg->video) {
    case E2C_CODEC_VP8:
        if ((enc = make("vp8enc", "venc", error)))
            g_object_set(enc, "deadline", (gint64)1, "cpu-used", 8, "end-usage", 1 /* cbr */,
                         "target-bitrate", (gint)(cfg->video_kbps * 1000), "keyframe-max-dist",
                         (gint)kf, "threads", 1, "lag-in-frames", 0, "error-resilient", 1, NULL);
        break;
    case E2C_CODEC_VP9:
        if ((enc = make("vp9enc", "venc", error)))
            g_object_set(enc, "deadline", (gint64)1, "cpu-used", 8, "end-usage", 1,
                         "target-bitrate", (gint)(cfg->video_kbps * 1000), "keyframe-max-dist",
                         (gint)kf, "threads", 1, "lag-in-frames", 0, "error-resilient", 1, NULL);
        break;
    case E2C_CODEC_H264:
        if ((enc = make("x264enc", "venc", error))) {
            gst_util_set_object_arg(G_OBJECT(enc), "tune", "zerolatency");
            gst_util_set_object_arg(G_OBJECT(enc), "speed-preset", "ultrafast");
            g_object_set(enc, "bitrate", cfg->video_kbps, "key-int-max", kf, "threads", 1, NULL);
        }
        break;
    default:
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NOT_IMPLEMENTED,
                    "UNSUPPORTED: video codec %s", e2c_codec_name(cfg->video));
    }
    return enc;
}

static gboolean
link_many(GError **error, GstElement *first, ...)
{
    va_list ap;
    va_start(ap, first);
    GstElement *prev = first, *next;
    gboolean ok = TRUE;
    while (ok && (next = va_arg(ap, GstElement *))) {
        if (!gst_element_link(prev, next)) {
            g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                        "cannot link %s to %s", GST_OBJECT_NAME(prev), GST_OBJECT_NAME(next));
            ok = FALSE;
        }
        prev = next;
    }
    va_end(ap);
    return ok;
}

static gboolean
build_video(GstBin *bin, const struct e2c_media_config *cfg, GstElement *decoded,
            struct e2c_send_source *out, GError **error)
{
    GstElement *convert = make("videoconvert", "vconvert", error);
    GstElement *scale = convert ? make("videoscale", "vscale", error) : NULL;
    GstElement *rate = scale ? make("videorate", "vrate", error) : NULL;
    GstElement *caps = rate ? make("capsfilter", "vcaps", error) : NULL;
    GstElement *enc = caps ? video_encoder(cfg, error) : NULL;
    GstElement *parsecaps = enc ? make("capsfilter", "vencaps", error) : NULL;
    GstElement *tee = parsecaps ? make("tee", "vtee", error) : NULL;
    if (!tee)
        return FALSE;
    /* Publications come and go (load): the encoder runs on with none attached. */
    g_object_set(tee, "allow-not-linked", TRUE, NULL);
    GstCaps *raw = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
                                       G_TYPE_INT, (gint)cfg->width, "height", G_TYPE_INT,
                                       (gint)cfg->height, "framerate", GST_TYPE_FRACTION,
                                       (gint)cfg->fps, 1, NULL);
    g_object_set(caps, "caps", raw, NULL);
    gst_caps_unref(raw);
    GstCaps *enc_caps = cfg->video == E2C_CODEC_H264
                            ? gst_caps_from_string("video/x-h264,profile=constrained-baseline,"
                                                   "stream-format=byte-stream,alignment=au")
                            : gst_caps_new_any();
    g_object_set(parsecaps, "caps", enc_caps, NULL);
    gst_caps_unref(enc_caps);
    gst_bin_add_many(bin, convert, scale, rate, caps, enc, parsecaps, tee, NULL);
    if (!link_many(error, decoded, convert, scale, rate, caps, enc, parsecaps, tee, NULL))
        return FALSE;
    GstPad *sink = gst_element_get_static_pad(enc, "sink");
    gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, stamp_marker, out, NULL);
    gst_object_unref(sink);
    out->video_tee = tee;
    return TRUE;
}

static gboolean
build_audio(GstBin *bin, const struct e2c_media_config *cfg, GstElement *decoded,
            struct e2c_send_source *out, GError **error)
{
    GstElement *convert = make("audioconvert", "aconvert", error);
    GstElement *resample = convert ? make("audioresample", "aresample", error) : NULL;
    GstElement *caps = resample ? make("capsfilter", "acaps", error) : NULL;
    GstElement *enc = caps ? make("opusenc", "aenc", error) : NULL;
    GstElement *tee = enc ? make("tee", "atee", error) : NULL;
    if (!tee)
        return FALSE;
    g_object_set(tee, "allow-not-linked", TRUE, NULL);
    GstCaps *raw = gst_caps_from_string("audio/x-raw,rate=48000,channels=2");
    g_object_set(caps, "caps", raw, NULL);
    gst_caps_unref(raw);
    g_object_set(enc, "bitrate", (gint)(cfg->audio_kbps * 1000), NULL);
    gst_util_set_object_arg(G_OBJECT(enc), "frame-size", G_STRINGIFY(E2C_OPUS_FRAME_MS));
    gst_bin_add_many(bin, convert, resample, caps, enc, tee, NULL);
    if (!link_many(error, decoded, convert, resample, caps, enc, tee, NULL))
        return FALSE;
    out->audio_tee = tee;
    return TRUE;
}

struct file_ctx {
    GstBin *bin;
    const struct e2c_media_config *cfg;
    GstElement *video_in, *audio_in; /* first element of each branch, or NULL */
};

static void
free_file_ctx(gpointer data, GClosure *closure)
{
    g_free(data);
}

static void
on_decoded_pad(GstElement *decodebin, GstPad *pad, gpointer data)
{
    struct file_ctx *ctx = data;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    const gchar *name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    GstElement *target = g_str_has_prefix(name, "video/") ? ctx->video_in
                         : g_str_has_prefix(name, "audio/") ? ctx->audio_in
                                                             : NULL;
    gst_caps_unref(caps);
    if (!target)
        return;
    GstPad *sink = gst_element_get_static_pad(target, "sink");
    if (!gst_pad_is_linked(sink) && gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
        g_warning("cannot use a %s stream of the media file", name);
    gst_object_unref(sink);
}

gboolean
e2c_send_source_build(GstBin *bin, const struct e2c_media_config *cfg,
                      struct e2c_send_source *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    out->video = cfg->video;
    out->audio = cfg->audio;
    out->pattern = cfg->media_file == NULL;

    if (cfg->media_file) {
        GstElement *file = make("filesrc", "file", error);
        GstElement *decode = file ? make("decodebin", "filedecode", error) : NULL;
        GstElement *vq = decode ? make("queue", "fileq-v", error) : NULL;
        GstElement *aq = vq ? make("queue", "fileq-a", error) : NULL;
        if (!aq)
            return FALSE;
        g_object_set(file, "location", cfg->media_file, NULL);
        gst_bin_add_many(bin, file, decode, vq, aq, NULL);
        if (!gst_element_link(file, decode))
            return FALSE;
        struct file_ctx *ctx = g_new0(struct file_ctx, 1);
        ctx->bin = bin;
        ctx->cfg = cfg;
        ctx->video_in = cfg->video != E2C_CODEC_NONE ? vq : NULL;
        ctx->audio_in = cfg->audio != E2C_CODEC_NONE ? aq : NULL;
        g_signal_connect_data(decode, "pad-added", G_CALLBACK(on_decoded_pad), ctx,
                              free_file_ctx, 0);
        if (cfg->video != E2C_CODEC_NONE && !build_video(bin, cfg, vq, out, error))
            return FALSE;
        if (cfg->audio != E2C_CODEC_NONE && !build_audio(bin, cfg, aq, out, error))
            return FALSE;
        return TRUE;
    }

    if (cfg->video != E2C_CODEC_NONE) {
        GstElement *vsrc = make("videotestsrc", "vsrc", error);
        if (!vsrc)
            return FALSE;
        g_object_set(vsrc, "is-live", TRUE, NULL);
        gst_util_set_object_arg(G_OBJECT(vsrc), "pattern", "smpte");
        gst_bin_add(bin, vsrc);
        if (!build_video(bin, cfg, vsrc, out, error))
            return FALSE;
    }
    if (cfg->audio != E2C_CODEC_NONE) {
        GstElement *asrc = make("audiotestsrc", "asrc", error);
        if (!asrc)
            return FALSE;
        g_object_set(asrc, "is-live", TRUE, "freq", E2C_TONE_HZ, "volume", 0.3,
                     "samplesperbuffer", 960, NULL);
        gst_bin_add(bin, asrc);
        if (!build_audio(bin, cfg, asrc, out, error))
            return FALSE;
    }
    return TRUE;
}

static GstElement *
payloader(enum e2c_codec codec, gboolean e2ee, const char *name, GError **error)
{
    GstElement *pay = NULL;
    switch (codec) {
    case E2C_CODEC_VP8:
        /* Stock rtpvp8pay parses past the clear prefix and fails on ciphertext. */
        pay = make(e2ee ? "sframevp8pay" : "rtpvp8pay", name, error);
        if (pay && !e2ee)
            gst_util_set_object_arg(G_OBJECT(pay), "picture-id-mode", "15-bit");
        break;
    case E2C_CODEC_VP9:
        if ((pay = make("rtpvp9pay", name, error)))
            gst_util_set_object_arg(G_OBJECT(pay), "picture-id-mode", "15-bit");
        break;
    case E2C_CODEC_H264:
        if ((pay = make("rtph264pay", name, error))) {
            /* config-interval stays 0: x264 repeats SPS/PPS in-band (e2call-e2ee(7)). */
            g_object_set(pay, "config-interval", 0, NULL);
            gst_util_set_object_arg(G_OBJECT(pay), "aggregate-mode", "zero-latency");
        }
        break;
    case E2C_CODEC_OPUS:
        pay = make("rtpopuspay", name, error);
        break;
    default:
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NOT_IMPLEMENTED,
                    "UNSUPPORTED: codec %s", e2c_codec_name(codec));
    }
    if (pay)
        g_object_set(pay, "pt", e2c_payload_type(codec), "mtu", 1200, NULL);
    return pay;
}

/* Plain branches count their frames here; sframeenc counts them in E2EE. */
static GstPadProbeReturn
count_frames(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct e2c_send_branch *branch = data;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
        g_atomic_int_add(&branch->plain_frames,
                         (gint)gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info)));
    else
        g_atomic_int_inc(&branch->plain_frames);
    return GST_PAD_PROBE_OK;
}

guint64
e2c_send_branch_plain_frames(const struct e2c_send_branch *branch)
{
    return (guint64)(guint)g_atomic_int_get(&branch->plain_frames);
}

gboolean
e2c_send_branch_build(GstBin *bin, GstElement *tee, enum e2c_codec codec,
                      const struct e2c_crypto_config *crypto, const char *name,
                      struct e2c_send_branch *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    out->codec = codec;
    gchar *qname = g_strdup_printf("%s-queue", name), *ename = g_strdup_printf("%s-sframeenc", name),
          *pname = g_strdup_printf("%s-pay", name);
    GstElement *queue = make("queue", qname, error);
    GstElement *enc = queue && crypto->e2ee ? make("sframeenc", ename, error) : NULL;
    GstElement *pay =
        queue && (enc || !crypto->e2ee) ? payloader(codec, crypto->e2ee, pname, error) : NULL;
    g_free(qname);
    g_free(ename);
    g_free(pname);
    if (!pay) {
        if (queue)
            gst_object_unref(gst_object_ref_sink(queue));
        if (enc)
            gst_object_unref(gst_object_ref_sink(enc));
        return FALSE;
    }
    /* A slow publisher must not stall a shared encoder: drop old buffers instead. */
    g_object_set(queue, "max-size-buffers", 30, "max-size-bytes", 0, "max-size-time",
                 (guint64)0, "leaky", 2 /* downstream */, NULL);
    if (enc)
        g_object_set(enc, "room", crypto->room, "cipher-suite", crypto->cipher_suite,
                     "switch-delay", crypto->switch_delay_ms, "shared-key", crypto->key, NULL);
    gst_object_ref_sink(queue);
    gst_object_ref_sink(pay);
    if (enc)
        gst_object_ref_sink(enc);
    gboolean added = gst_bin_add(bin, queue) && gst_bin_add(bin, pay) && (!enc || gst_bin_add(bin, enc));
    if (!added) {
        /* A name taken in this bin; what was added goes again. */
        GstElement *made[] = {queue, pay, enc};
        for (unsigned i = 0; i < G_N_ELEMENTS(made); i++) {
            if (made[i] && GST_OBJECT_PARENT(made[i]) == GST_OBJECT(bin))
                gst_bin_remove(bin, made[i]);
            if (made[i])
                gst_object_unref(made[i]);
        }
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                    "cannot add the %s branch elements (%s)", e2c_codec_name(codec), name);
        return FALSE;
    }
    gst_object_unref(queue);
    gst_object_unref(pay);
    if (enc)
        gst_object_unref(enc);
    out->bin = GST_BIN(gst_object_ref(bin));
    out->tee = gst_object_ref(tee);
    out->queue = queue;
    out->pay = pay;
    out->sframeenc = enc;
    if (enc ? !link_many(error, queue, enc, pay, NULL) : !link_many(error, queue, pay, NULL))
        return FALSE;
    out->src = gst_element_get_static_pad(pay, "src");
    if (!enc) {
        GstPad *sink = gst_element_get_static_pad(pay, "sink");
        gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                          count_frames, out, NULL);
        gst_object_unref(sink);
    }
    return TRUE;
}

/* Starts a built branch once it is linked downstream. */
gboolean
e2c_send_branch_start(struct e2c_send_branch *branch, GError **error)
{
    gst_element_sync_state_with_parent(branch->pay);
    if (branch->sframeenc)
        gst_element_sync_state_with_parent(branch->sframeenc);
    gst_element_sync_state_with_parent(branch->queue);
    /*
     * Only now the tee: a running encoder (shared by many publications)
     * pushing into a branch that is not running yet would get FLUSHING back,
     * and a tee passes that upstream, which stops the encoder for everybody.
     */
    branch->tee_pad = gst_element_request_pad_simple(branch->tee, "src_%u");
    GstPad *qsink = gst_element_get_static_pad(branch->queue, "sink");
    gboolean ok = branch->tee_pad && gst_pad_link_maybe_ghosting(branch->tee_pad, qsink);
    gst_object_unref(qsink);
    if (!ok)
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                    "cannot link the %s encoder to its branch", e2c_codec_name(branch->codec));
    return ok;
}

struct detach {
    gint refcount; /* the waiter and the probe */
    GMutex lock;
    GCond cond;
    gboolean done;
};

static void
detach_unref(gpointer data)
{
    struct detach *d = data;
    if (!g_atomic_int_dec_and_test(&d->refcount))
        return;
    g_mutex_clear(&d->lock);
    g_cond_clear(&d->cond);
    g_free(d);
}

/* Unlinks a tee pad and the ghost pad the link across bins made. */
static void
unlink_tee_pad(GstPad *tee_pad)
{
    GstPad *peer = gst_pad_get_peer(tee_pad);
    if (!peer)
        return;
    gst_pad_unlink(tee_pad, peer);
    /* The tee's peer is the internal pad of a ghost pad on the tee's bin. */
    GstPad *ghost = GST_IS_PROXY_PAD(peer) && !GST_IS_GHOST_PAD(peer)
                        ? GST_PAD(gst_proxy_pad_get_internal(GST_PROXY_PAD(peer)))
                        : NULL;
    if (ghost && GST_IS_GHOST_PAD(ghost)) {
        GstObject *parent = gst_object_get_parent(GST_OBJECT(ghost));
        if (parent && GST_IS_ELEMENT(parent))
            gst_element_remove_pad(GST_ELEMENT(parent), ghost);
        if (parent)
            gst_object_unref(parent);
    }
    if (ghost)
        gst_object_unref(ghost);
    gst_object_unref(peer);
}

static GstPadProbeReturn
on_idle(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct detach *d = data;
    g_mutex_lock(&d->lock);
    if (!d->done)
        unlink_tee_pad(pad);
    d->done = TRUE;
    g_cond_signal(&d->cond);
    g_mutex_unlock(&d->lock);
    return GST_PAD_PROBE_REMOVE;
}

/*
 * While the encoder runs, the pad may be pushing right now: unlinking it
 * under a buffer in flight hands FLUSHING back through the tee, which stops
 * a live source for good. An IDLE probe unlinks it between two buffers.
 */
static void
detach_when_idle(GstPad *tee_pad)
{
    struct detach *d = g_new0(struct detach, 1);
    d->refcount = 2;
    g_mutex_init(&d->lock);
    g_cond_init(&d->cond);
    gulong id = gst_pad_add_probe(tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_idle, d, detach_unref);
    gint64 until = g_get_monotonic_time() + G_USEC_PER_SEC;
    g_mutex_lock(&d->lock);
    while (!d->done && g_cond_wait_until(&d->cond, &d->lock, until))
        ;
    gboolean timed_out = !d->done;
    if (timed_out) {
        /* Never idle within a second: the pipeline is stuck anyway; unlink now. */
        d->done = TRUE;
        unlink_tee_pad(tee_pad);
    }
    g_mutex_unlock(&d->lock);
    /* A probe that ran removed itself (it returned GST_PAD_PROBE_REMOVE). */
    if (timed_out && id)
        gst_pad_remove_probe(tee_pad, id);
    detach_unref(d);
}

void
e2c_send_branch_detach(struct e2c_send_branch *branch)
{
    if (!branch || !branch->tee_pad)
        return;
    detach_when_idle(branch->tee_pad);
    gst_element_release_request_pad(branch->tee, branch->tee_pad);
    gst_object_unref(branch->tee_pad);
    branch->tee_pad = NULL;
}

void
e2c_send_branch_remove(struct e2c_send_branch *branch)
{
    if (!branch || !branch->bin)
        return;
    /* The tee first, for the reason given in e2c_send_branch_start(). */
    e2c_send_branch_detach(branch);
    GstElement *elements[] = {branch->queue, branch->sframeenc, branch->pay};
    for (unsigned i = 0; i < G_N_ELEMENTS(elements); i++) {
        if (!elements[i])
            continue;
        gst_element_set_locked_state(elements[i], TRUE);
        gst_element_set_state(elements[i], GST_STATE_NULL);
        gst_bin_remove(branch->bin, elements[i]);
    }
    g_clear_object(&branch->src);
    gst_object_unref(branch->tee);
    gst_object_unref(branch->bin);
    memset(branch, 0, sizeof(*branch));
}
