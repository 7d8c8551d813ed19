/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the router sees: asks the lab's Janus to forward a publisher's RTP
 * (VideoRoom rtp_forward, i.e. the packets after SRTP, as Janus holds them)
 * to local UDP ports, captures a few seconds, and decodes the capture twice:
 *
 *   stock:     depayloader ! decoder              (what the router could do)
 *   decrypted: depayloader ! e2csframedec ! decoder  (what a participant does)
 *
 * Video is checked for the publisher's frame marker and against the test
 * pattern (PSNR), audio for the 440 Hz tone. Exit 0 when the stock path
 * recovers neither picture nor sound and the decrypted path recovers both.
 *
 * Sound is recovered when the tone is heard, not when one 20 ms window of
 * decoded garbage happens to have most of its energy near 440 Hz (seen once
 * in about 200 windows): the stock path may have a stray window or two, but
 * no 5 in a row (100 ms of tone) and under 5 % of its windows, where the
 * decrypted path has the tone in nearly every window.
 *
 * Usage: router-view ROOM PUBLISHER_DISPLAY SECONDS   (secret in $E2C_TEST_SECRET)
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>

#include "e2ckey.h"
#include "e2cplugin.h"
#include "janus-client.h"
#include "reference.h"
#include "verify.h"

#define VIDEO_PORT 45004
#define AUDIO_PORT 45006

struct view {
    GMainLoop *loop;
    E2cJanusClient *janus;
    guint64 room, handle;
    const char *display;
    char *video_mid, *audio_mid;
    guint64 publisher;
    guint seconds;
    gboolean failed;
    guint wait_timer; /* waiting for the publisher to appear; 0 once forwarding */
    GstElement *capture;
    GPtrArray *video_rtp, *audio_rtp; /* captured GstBuffers */
};

static void
fail(struct view *v, const char *what, const GError *error)
{
    fprintf(stderr, "router-view: %s%s%s\n", what, error ? ": " : "", error ? error->message : "");
    v->failed = TRUE;
    g_main_loop_quit(v->loop);
}

static GstFlowReturn
on_sample(GstAppSink *sink, gpointer data)
{
    GPtrArray *list = data;
    GstSample *s = gst_app_sink_pull_sample(sink);
    g_ptr_array_add(list, gst_buffer_ref(gst_sample_get_buffer(s)));
    gst_sample_unref(s);
    return GST_FLOW_OK;
}

static gboolean
stop_capture(gpointer data)
{
    struct view *v = data;
    g_main_loop_quit(v->loop);
    return G_SOURCE_REMOVE;
}

static void
on_forwarded(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct view *v = data;
    if (error) {
        fail(v, "rtp_forward refused", error);
        return;
    }
    g_timeout_add_seconds(v->seconds, stop_capture, v);
}

/* Finds the publisher and its streams among msg's publishers; TRUE when all are there. */
static gboolean
find_publisher(struct view *v, const E2cJanusMsg *msg)
{
    for (gsize i = 0; i < msg->vr.n_publishers; i++) {
        const struct e2c_janus_vr_publisher *pub = &msg->vr.publishers[i];
        if (g_strcmp0(pub->display, v->display) != 0)
            continue;
        v->publisher = pub->id;
        for (gsize k = 0; k < pub->n_streams; k++) {
            if (!g_strcmp0(pub->streams[k].type, "video") && !v->video_mid)
                v->video_mid = g_strdup(pub->streams[k].mid);
            else if (!g_strcmp0(pub->streams[k].type, "audio") && !v->audio_mid)
                v->audio_mid = g_strdup(pub->streams[k].mid);
        }
    }
    return v->publisher && v->video_mid && v->audio_mid;
}

static void
forward(struct view *v)
{
    g_clear_handle_id(&v->wait_timer, g_source_remove);
    struct e2c_janus_vr_forward fw[2] = {{v->video_mid, VIDEO_PORT}, {v->audio_mid, AUDIO_PORT}};
    e2c_janus_client_send_message(
        v->janus, v->handle,
        e2c_janus_msg_vr_rtp_forward(v->room, v->publisher, "127.0.0.1", fw, 2), NULL, on_forwarded,
        v);
}

static gboolean
publisher_missing(gpointer data)
{
    struct view *v = data;
    v->wait_timer = 0;
    fail(v, "the publisher or its streams did not appear in the room within 30 s", NULL);
    return G_SOURCE_REMOVE;
}

/*
 * Janus lists a publisher to others once its media is up, which can come after the
 * publisher's own "published" event: one not in the join's reply is waited for in the
 * room's "publishers" events.
 */
static void
on_room_event(E2cJanusClient *client, guint64 handle_id, E2cJanusMsg *msg, gpointer data)
{
    struct view *v = data;
    if (v->wait_timer && find_publisher(v, msg))
        forward(v);
}

static void
on_joined(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct view *v = data;
    if (error) {
        fail(v, "join", error);
        return;
    }
    if (msg->kind == E2C_JANUS_KIND_ACK)
        return;
    if (find_publisher(v, msg))
        forward(v);
    else
        v->wait_timer = g_timeout_add_seconds(30, publisher_missing, v);
}

static void
on_attached(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct view *v = data;
    if (error) {
        fail(v, "attach", error);
        return;
    }
    v->handle = msg->data_id;
    e2c_janus_client_send_message(v->janus, v->handle,
                                  e2c_janus_msg_vr_join_publisher(v->room, "router-view", 0), NULL,
                                  on_joined, v);
}

static void
on_session(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct view *v = data;
    if (error)
        fail(v, "session", error);
    else
        e2c_janus_client_attach(client, E2C_JANUS_PLUGIN_VIDEOROOM, on_room_event, v, NULL,
                                on_attached, v);
}

static void
on_connected(E2cJanusClient *client, E2cJanusMsg *msg, const GError *error, gpointer data)
{
    struct view *v = data;
    if (error)
        fail(v, "connect", error);
    else
        e2c_janus_client_create_session(client, on_session, v);
}

/* ---- decoding the capture ---------------------------------------------------- */

struct result {
    guint frames, markers;
    double best_psnr;
    guint tone_windows, audio_frames;
    guint tone_run, longest_tone_run; /* consecutive windows with the tone */
};

static GstPadProbeReturn
on_video(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct result *r = data;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    GstVideoInfo vi;
    GstVideoFrame f;
    if (caps && gst_video_info_from_caps(&vi, caps) &&
        gst_video_frame_map(&f, &vi, GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ)) {
        guint w = vi.width, h = vi.height, counter, first, end;
        int pattern;
        const guint8 *y = GST_VIDEO_FRAME_PLANE_DATA(&f, 0);
        gsize stride = GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);
        r->frames++;
        if (e2c_marker_read(y, stride, w, h, &counter, &pattern))
            r->markers++;
        GBytes *ref = e2c_reference_luma(w, h);
        if (ref) {
            e2c_pattern_rows(w, h, &first, &end);
            double psnr = e2c_psnr(y, stride, g_bytes_get_data(ref, NULL), w, w, first, end);
            if (psnr > r->best_psnr)
                r->best_psnr = psnr;
        }
        gst_video_frame_unmap(&f);
    }
    if (caps)
        gst_caps_unref(caps);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_audio(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct result *r = data;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    GstAudioInfo ai;
    GstMapInfo map;
    if (caps && gst_audio_info_from_caps(&ai, caps) &&
        gst_buffer_map(GST_PAD_PROBE_INFO_BUFFER(info), &map, GST_MAP_READ)) {
        r->audio_frames++;
        if (e2c_tone_share((const gint16 *)map.data, map.size / GST_AUDIO_INFO_BPF(&ai),
                           GST_AUDIO_INFO_CHANNELS(&ai), GST_AUDIO_INFO_RATE(&ai), 440) >= 0.5) {
            r->tone_windows++;
            r->tone_run++;
            r->longest_tone_run = MAX(r->longest_tone_run, r->tone_run);
        } else {
            r->tone_run = 0;
        }
        gst_buffer_unmap(GST_PAD_PROBE_INFO_BUFFER(info), &map);
    }
    if (caps)
        gst_caps_unref(caps);
    return GST_PAD_PROBE_OK;
}

static void
decode(GPtrArray *rtp, const char *caps, const char *chain, E2cKey *key, guint64 room,
       GstPadProbeCallback probe, struct result *r)
{
    gchar *desc = g_strdup_printf("appsrc name=src format=time caps=\"%s\" ! %s%s ! "
                                  "fakesink name=sink sync=false",
                                  caps, chain, "");
    GstElement *pipe = gst_parse_launch(desc, NULL);
    g_free(desc);
    GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), "src");
    GstElement *dec = gst_bin_get_by_name(GST_BIN(pipe), "dec");
    GstElement *e2csframedec = gst_bin_get_by_name(GST_BIN(pipe), "e2csframedec");
    if (e2csframedec) {
        gchar *room_text = g_strdup_printf("%" G_GUINT64_FORMAT, room);
        g_object_set(e2csframedec, "room", room_text, "shared-key", key, NULL);
        g_free(room_text);
        gst_object_unref(e2csframedec);
    }
    GstPad *pad = gst_element_get_static_pad(dec, "src");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, probe, r, NULL);
    gst_object_unref(pad);
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    for (guint i = 0; i < rtp->len; i++)
        gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_ref(g_ptr_array_index(rtp, i)));
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    GstBus *bus = gst_element_get_bus(pipe);
    /* A stock decoder fed ciphertext may give up with an error: that is a result too. */
    GstMessage *m =
        gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (m)
        gst_message_unref(m);
    gst_object_unref(bus);
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(dec);
    gst_object_unref(src);
    gst_object_unref(pipe);
}

/* Decodes the capture both ways and judges it: 0 when the router's copy is
 * blind and the secret's is clear. */
static int
judge(const struct view *v, const char *room_text)
{
    struct e2c_secret secret = {0};
    const char *text = g_getenv("E2C_TEST_SECRET");
    GError *error = NULL;
    if (e2c_secret_set(&secret, text, strlen(text), 0) != E2C_SECRET_OK)
        return 1;
    E2cKey *key = e2c_key_derive(&secret, room_text, &error);
    e2c_secret_clear(&secret);
    if (!key) {
        fprintf(stderr, "router-view: %s\n", error->message);
        g_error_free(error);
        return 1;
    }

    static const char *vcaps = "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,"
                               "payload=96";
    static const char *acaps = "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,"
                               "payload=111";
    struct result stock = {0}, decrypted = {0};
    decode(v->video_rtp, vcaps, "rtpvp8depay ! vp8dec name=dec", key, v->room, on_video, &stock);
    decode(v->video_rtp, vcaps, "rtpvp8depay ! e2csframedec name=e2csframedec ! vp8dec name=dec",
           key, v->room, on_video, &decrypted);
    decode(v->audio_rtp, acaps, "rtpopusdepay ! opusdec name=dec", key, v->room, on_audio, &stock);
    decode(v->audio_rtp, acaps, "rtpopusdepay ! e2csframedec name=e2csframedec ! opusdec name=dec",
           key, v->room, on_audio, &decrypted);
    e2c_key_unref(key);

    printf("{\"captured\":{\"video-packets\":%u,\"audio-packets\":%u},\n"
           " \"stock\":{\"frames\":%u,\"markers\":%u,\"best-psnr\":%.1f,\"audio-frames\":%u,"
           "\"tone-windows\":%u,\"longest-tone-run\":%u},\n"
           " \"decrypted\":{\"frames\":%u,\"markers\":%u,\"best-psnr\":%.1f,\"audio-frames\":%u,"
           "\"tone-windows\":%u,\"longest-tone-run\":%u}}\n",
           v->video_rtp->len, v->audio_rtp->len, stock.frames, stock.markers, stock.best_psnr,
           stock.audio_frames, stock.tone_windows, stock.longest_tone_run, decrypted.frames,
           decrypted.markers, decrypted.best_psnr, decrypted.audio_frames, decrypted.tone_windows,
           decrypted.longest_tone_run);

    gboolean no_tone = stock.longest_tone_run < 5 && stock.tone_windows * 20 < stock.audio_frames;
    gboolean blind = stock.markers == 0 && stock.best_psnr < 15.0 && no_tone;
    gboolean clear =
        decrypted.markers >= 10 && decrypted.best_psnr >= 30.0 && decrypted.tone_windows >= 25;
    if (v->video_rtp->len < 50 || v->audio_rtp->len < 50) {
        fprintf(stderr, "router-view: too little was forwarded to judge\n");
        return 1;
    }
    fprintf(stderr, "router-view: the router's copy %s; with the secret it %s\n",
            blind ? "decodes to nothing recognisable" : "DECODES",
            clear ? "decodes to the picture and tone sent" : "does NOT decode");
    return blind && clear ? 0 : 1;
}

int
main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    e2c_plugin_register_static();
    if (argc != 4 || !g_getenv("E2C_TEST_SECRET") || !g_getenv("E2CALL_SERVER")) {
        fprintf(stderr, "usage: router-view ROOM DISPLAY SECONDS (E2C_TEST_SECRET, "
                        "E2CALL_SERVER set)\n");
        return 2;
    }
    struct view v = {0};
    v.room = g_ascii_strtoull(argv[1], NULL, 10);
    v.display = argv[2];
    v.seconds = (guint)atoi(argv[3]);
    v.loop = g_main_loop_new(NULL, FALSE);
    v.video_rtp = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    v.audio_rtp = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);

    v.capture = gst_parse_launch("udpsrc address=127.0.0.1 port=" G_STRINGIFY(
                                     VIDEO_PORT) " ! appsink name=v sync=false "
                                                 "udpsrc address=127.0.0.1 port=" G_STRINGIFY(
                                                     AUDIO_PORT) " ! appsink name=a sync=false",
                                 NULL);
    GstElement *vs = gst_bin_get_by_name(GST_BIN(v.capture), "v");
    GstElement *as = gst_bin_get_by_name(GST_BIN(v.capture), "a");
    GstAppSinkCallbacks cb = {0};
    cb.new_sample = on_sample;
    gst_app_sink_set_callbacks(GST_APP_SINK(vs), &cb, v.video_rtp, NULL);
    gst_app_sink_set_callbacks(GST_APP_SINK(as), &cb, v.audio_rtp, NULL);
    gst_element_set_state(v.capture, GST_STATE_PLAYING);

    v.janus = e2c_janus_client_new();
    e2c_janus_client_connect(v.janus, g_getenv("E2CALL_SERVER"), on_connected, &v);
    g_main_loop_run(v.loop);
    g_clear_handle_id(&v.wait_timer, g_source_remove);
    gst_element_set_state(v.capture, GST_STATE_NULL);
    e2c_janus_client_close(v.janus);
    int status = v.failed ? 1 : judge(&v, argv[1]);
    /* Every path frees what it holds: the sanitizer build's leak check runs
     * on failures too. */
    gst_object_unref(vs);
    gst_object_unref(as);
    gst_object_unref(v.capture);
    g_object_unref(v.janus);
    g_ptr_array_unref(v.video_rtp);
    g_ptr_array_unref(v.audio_rtp);
    g_main_loop_unref(v.loop);
    g_free(v.video_mid);
    g_free(v.audio_mid);
    return status;
}
