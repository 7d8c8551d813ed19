/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "probe-buffers.h"
#include "send-chain.h"

#include <gst/video/video.h>
#include <stdarg.h>
#include <string.h>

#include "errors.h"
#include "latency.h"
#include "verify.h"

static GstElement *
make(const char *factory, const char *name, GError **error)
{
    GstElement *e = gst_element_factory_make(factory, name);
    if (!e)
        g_set_error(error, E2C_ERROR, E2C_ERR_UNSUPPORTED,
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
        e2c_marker_stamp(
            GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
            GST_VIDEO_FRAME_PLANE_DATA(&frame, 1), GST_VIDEO_FRAME_PLANE_DATA(&frame, 2),
            GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 1), 1, 1, GST_VIDEO_INFO_WIDTH(&vinfo),
            GST_VIDEO_INFO_HEIGHT(&vinfo), src->counter++, src->pattern);
        gst_video_frame_unmap(&frame);
    }
    return GST_PAD_PROBE_OK;
}

/* The encoder of a codec of the given kind, named name, set up from the codec table. */
static GstElement *
encoder(enum e2c_codec codec, enum e2c_media_kind kind, const char *name,
        const struct e2c_encoder_settings *settings, GError **error)
{
    const struct e2c_codec_info *info = e2c_codec_info(codec);
    const struct e2c_gst_codec *row = e2c_gst_codec(codec);
    if (!info || !row || info->kind != kind) {
        g_set_error(error, E2C_ERROR, E2C_ERR_UNSUPPORTED, "UNSUPPORTED: %s codec %s",
                    kind == E2C_MEDIA_VIDEO ? "video" : "audio", e2c_codec_name(codec));
        return NULL;
    }
    GstElement *enc = make(row->encoder, name, error);
    if (enc && row->set_up_encoder)
        row->set_up_encoder(enc, settings);
    return enc;
}

static GstElement *
video_encoder(const struct e2c_media_config *cfg, GError **error)
{
    /* Receivers that lose sync ask for keyframes (PLI) anyway; this only bounds the wait. */
    struct e2c_encoder_settings settings = {
        .kbps = cfg->video_kbps,
        .keyframe_max_frames =
            cfg->fps * (cfg->keyframe_interval_s ? cfg->keyframe_interval_s : 10),
    };
    return encoder(cfg->video, E2C_MEDIA_VIDEO, "venc", &settings, error);
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
            g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link %s to %s",
                        GST_OBJECT_NAME(prev), GST_OBJECT_NAME(next));
            ok = FALSE;
        }
        prev = next;
    }
    va_end(ap);
    return ok;
}

/*
 * A media file is read as fast as it decodes: its raw frames go to the
 * encoder in real time, as a camera's would, through a clocksync after
 * last_raw (webrtcbin's own clocksync, which paced its packets before, now
 * sends at once: peer.c). Live sources pace themselves. Returns the element
 * the encoder links to.
 */
static GstElement *
pace_file(GstBin *bin, const struct e2c_media_config *cfg, GstElement *last_raw, const char *name,
          GError **error)
{
    if (!cfg->media_file)
        return last_raw;
    GstElement *pace = make("clocksync", name, error);
    if (!pace)
        return NULL;
    gst_bin_add(bin, pace);
    return link_many(error, last_raw, pace, NULL) ? pace : NULL;
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
    GstCaps *raw =
        gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                            (gint)cfg->width, "height", G_TYPE_INT, (gint)cfg->height, "framerate",
                            GST_TYPE_FRACTION, (gint)cfg->fps, 1, NULL);
    g_object_set(caps, "caps", raw, NULL);
    gst_caps_unref(raw);
    const char *restrict_to = e2c_gst_codec(cfg->video)->encoder_caps;
    GstCaps *enc_caps = restrict_to ? gst_caps_from_string(restrict_to) : gst_caps_new_any();
    g_object_set(parsecaps, "caps", enc_caps, NULL);
    gst_caps_unref(enc_caps);
    gst_bin_add_many(bin, convert, scale, rate, caps, enc, parsecaps, tee, NULL);
    if (!link_many(error, decoded, convert, scale, rate, caps, NULL))
        return FALSE;
    GstElement *raw_out = pace_file(bin, cfg, caps, "vpace", error);
    if (!raw_out || !link_many(error, raw_out, enc, parsecaps, tee, NULL))
        return FALSE;
    GstPad *sink = gst_element_get_static_pad(enc, "sink");
    gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, stamp_marker, out, NULL);
    gst_object_unref(sink);
    e2c_latency_watch_encoder(enc);
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
    struct e2c_encoder_settings settings = {.kbps = cfg->audio_kbps};
    GstElement *enc = caps ? encoder(cfg->audio, E2C_MEDIA_AUDIO, "aenc", &settings, error) : NULL;
    GstElement *tee = enc ? make("tee", "atee", error) : NULL;
    if (!tee)
        return FALSE;
    g_object_set(tee, "allow-not-linked", TRUE, NULL);
    GstCaps *raw = gst_caps_from_string("audio/x-raw,rate=48000,channels=2");
    g_object_set(caps, "caps", raw, NULL);
    gst_caps_unref(raw);
    gst_bin_add_many(bin, convert, resample, caps, enc, tee, NULL);
    if (!link_many(error, decoded, convert, resample, caps, NULL))
        return FALSE;
    GstElement *raw_out = pace_file(bin, cfg, caps, "apace", error);
    if (!raw_out || !link_many(error, raw_out, enc, tee, NULL))
        return FALSE;
    e2c_latency_watch_encoder(enc);
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
    GstElement *target = g_str_has_prefix(name, "video/")   ? ctx->video_in
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
e2c_send_source_build(GstBin *bin, const struct e2c_media_config *cfg, struct e2c_send_source *out,
                      GError **error)
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
        g_signal_connect_data(decode, "pad-added", G_CALLBACK(on_decoded_pad), ctx, free_file_ctx,
                              0);
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
        g_object_set(asrc, "is-live", TRUE, "freq", E2C_TONE_SENT_HZ, "volume", 0.3,
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
    const struct e2c_gst_codec *row = e2c_gst_codec(codec);
    if (!row) {
        g_set_error(error, E2C_ERROR, E2C_ERR_UNSUPPORTED, "UNSUPPORTED: codec %s",
                    e2c_codec_name(codec));
        return NULL;
    }
    GstElement *pay = make(e2ee ? row->e2ee_payloader : row->payloader, name, error);
    if (!pay)
        return NULL;
    if (row->set_up_payloader)
        row->set_up_payloader(pay, e2ee);
    g_object_set(pay, "pt", row->payload_type, "mtu", 1200, NULL);
    return pay;
}

/* Plain branches count their frames here; e2csframeenc counts them in E2EE. */
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

static void
count_keyframe(GstBuffer *buf, gpointer data)
{
    struct e2c_send_branch *branch = data;
    if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
        g_atomic_int_inc(&branch->keyframes);
}

/*
 * Keyframes are counted as they leave the queue, before any encryption: a
 * receiver's keyframe requests (PLI) make the shared encoder send more of them,
 * which every receiver pays for, so the figure shows who asks too often.
 */
static GstPadProbeReturn
count_keyframes(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad;
    e2c_probe_foreach_buffer(info, count_keyframe, data);
    return GST_PAD_PROBE_OK;
}

guint64
e2c_send_branch_keyframes(const struct e2c_send_branch *branch)
{
    return (guint64)(guint)g_atomic_int_get(&branch->keyframes);
}

gboolean
e2c_send_branch_build(GstBin *bin, GstElement *tee, enum e2c_codec codec,
                      const struct e2c_crypto_config *crypto, guint64 feed, const char *name,
                      struct e2c_send_branch *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    out->codec = codec;
    gchar *qname = g_strdup_printf("%s-queue", name),
          *ename = g_strdup_printf("%s-sframeenc", name), *pname = g_strdup_printf("%s-pay", name);
    GstElement *queue = make("queue", qname, error);
    GstElement *enc = queue && crypto->e2ee ? make("e2csframeenc", ename, error) : NULL;
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
    g_object_set(queue, "max-size-buffers", 30, "max-size-bytes", 0, "max-size-time", (guint64)0,
                 "leaky", 2 /* downstream */, NULL);
    if (enc)
        g_object_set(enc, "room", crypto->room, "cipher-suite", crypto->cipher_suite,
                     "switch-delay", crypto->switch_delay_ms, "shared-key", crypto->key, NULL);
    gst_object_ref_sink(queue);
    gst_object_ref_sink(pay);
    if (enc)
        gst_object_ref_sink(enc);
    gboolean added =
        gst_bin_add(bin, queue) && gst_bin_add(bin, pay) && (!enc || gst_bin_add(bin, enc));
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
    out->e2csframeenc = enc;
    if (enc ? !link_many(error, queue, enc, pay, NULL) : !link_many(error, queue, pay, NULL))
        return FALSE;
    out->src = gst_element_get_static_pad(pay, "src");
    if (enc)
        e2c_latency_watch_sealed(enc);
    else
        e2c_latency_watch_plain(pay, codec, feed);
    if (e2c_codec_info(codec) && e2c_codec_info(codec)->kind == E2C_MEDIA_VIDEO) {
        GstPad *qsrc = gst_element_get_static_pad(queue, "src");
        gst_pad_add_probe(qsrc, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                          count_keyframes, out, NULL);
        gst_object_unref(qsrc);
    }
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
    if (branch->e2csframeenc)
        gst_element_sync_state_with_parent(branch->e2csframeenc);
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
    GstElement *elements[] = {branch->queue, branch->e2csframeenc, branch->pay};
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
