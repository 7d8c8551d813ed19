/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2csframeenc and e2csframedec in whole pipelines while the key is not there
 * yet (a secret is derived on a worker thread, 600000 PBKDF2 iterations):
 *
 * - non-live (videotestsrc num-buffers=40, multifilesrc): no frame is lost.
 *   The encrypter writes all 40 frames (through a tee whose second, plain
 *   branch must preroll too), and they decrypt to the encoder's output;
 *   a decrypter given a secret opens all 40;
 * - live (is-live=true): the streaming thread never waits for the key:
 *   frames that come before it are dropped, counted in stats and warned
 *   about exactly once;
 * - a stopped and restarted element still has its key;
 * - a streaming thread waiting for a key lets the element stop or flush.
 *
 * The live test holds the key back itself: the shared derivation pool is
 * kept busy with derivations whose callbacks wait for the test, so the
 * element's derivation cannot even start before the test lets it. Nothing
 * depends on how fast a derivation is; the deadlines below only turn a
 * hang into a failure.
 */
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <string.h>

#include "e2ckey.h"
#include "e2cplugin.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define SECRET "correct horse battery staple"
#define ROOM "4242"
#define N_FRAMES 40
/* Hang guards: a derivation takes 0.15 s, about 30 s under ASan with full
 * stacks, and about 100 s under valgrind. */
#define DEADLINE_US ((RUNNING_ON_VALGRIND ? 1800 : 300) * G_USEC_PER_SEC)

/* 40 frames at 30/s are 1.3 s: more than a queue holds by default (1 s). */
#define VIDEO_SRC "videotestsrc name=src pattern=smpte num-buffers=" G_STRINGIFY(N_FRAMES)
#define VIDEO                                                                                      \
    VIDEO_SRC " ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! "                  \
              "vp8enc deadline=1 threads=1 keyframe-max-dist=10"

/* ---- pipelines ------------------------------------------------------------ */

static GstElement *
pipeline_new(const gchar *desc)
{
    GError *error = NULL;
    GstElement *p = gst_parse_launch(desc, &error);
    fail_unless(p != NULL && error == NULL, "%s: %s", desc, error ? error->message : "?");
    return p;
}

static GstElement *
by_name(GstElement *pipeline, const gchar *name)
{
    GstElement *e = gst_bin_get_by_name(GST_BIN(pipeline), name);
    fail_unless(e != NULL, "no element %s", name);
    gst_object_unref(e); /* the pipeline keeps it */
    return e;
}

static guint64
stat_u64(GstElement *e, const gchar *field)
{
    GstStructure *s = NULL;
    guint64 v = 0;
    g_object_get(e, "stats", &s, NULL);
    fail_unless(s != NULL && gst_structure_get_uint64(s, field, &v), "no %s in the stats", field);
    gst_structure_free(s);
    return v;
}

struct outcome {
    guint warnings;
    GString *texts; /* of warnings and errors */
};

static void
outcome_clear(struct outcome *o)
{
    if (o->texts)
        g_string_free(o->texts, TRUE);
    memset(o, 0, sizeof(*o));
}

/* Takes the messages queued on the bus; TRUE at EOS. An error fails the test. */
static gboolean
take_messages(GstElement *pipeline, GstClockTime timeout, struct outcome *o)
{
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg;
    gboolean eos = FALSE;

    if (!o->texts)
        o->texts = g_string_new(NULL);
    while (!eos && (msg = gst_bus_timed_pop_filtered(
                        bus, timeout, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))) {
        GError *err = NULL;
        gchar *debug = NULL;
        switch (GST_MESSAGE_TYPE(msg)) {
        case GST_MESSAGE_EOS:
            eos = TRUE;
            break;
        case GST_MESSAGE_WARNING:
            gst_message_parse_warning(msg, &err, &debug);
            o->warnings++;
            g_string_append_printf(o->texts, "warning: %s\n", err->message);
            break;
        default:
            gst_message_parse_error(msg, &err, &debug);
            fail("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME(msg), err->message,
                 debug ? debug : "");
        }
        g_clear_error(&err);
        g_free(debug);
        gst_message_unref(msg);
        timeout = 0;
    }
    gst_object_unref(bus);
    return eos;
}

/* Plays the pipeline to its end; a pipeline that does not end fails the test. */
static void
run_to_eos(GstElement *pipeline, struct outcome *o)
{
    gint64 deadline = g_get_monotonic_time() + DEADLINE_US;

    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    while (!take_messages(pipeline, 100 * GST_MSECOND, o))
        fail_unless(g_get_monotonic_time() < deadline, "the pipeline did not end");
    fail_unless_equals_int(gst_element_set_state(pipeline, GST_STATE_NULL),
                           GST_STATE_CHANGE_SUCCESS);
}

/* ---- files ---------------------------------------------------------------- */

static gchar *
file_at(const gchar *dir, const gchar *kind, guint i)
{
    return g_strdup_printf("%s/%s-%05u.bin", dir, kind, i);
}

static guint
count_files(const gchar *dir, const gchar *kind)
{
    guint n = 0;
    for (;; n++) {
        gchar *path = file_at(dir, kind, n);
        gboolean there = g_file_test(path, G_FILE_TEST_EXISTS);
        g_free(path);
        if (!there)
            return n;
    }
}

static GBytes *
read_file(const gchar *dir, const gchar *kind, guint i)
{
    gchar *path = file_at(dir, kind, i), *data = NULL;
    gsize len = 0;
    fail_unless(g_file_get_contents(path, &data, &len, NULL), "cannot read %s", path);
    g_free(path);
    return g_bytes_new_take(data, len);
}

static void
remove_dir(gchar *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const gchar *name;
    while (d && (name = g_dir_read_name(d))) {
        gchar *path = g_build_filename(dir, name, NULL);
        g_unlink(path);
        g_free(path);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
}

/* The key for SECRET in ROOM, derived here and now (blocking, on this thread). */
static E2cKey *
derive_now(void)
{
    struct e2c_secret secret = {0};
    GError *error = NULL;
    fail_unless_equals_int(e2c_secret_set(&secret, SECRET, strlen(SECRET), 0), E2C_SECRET_OK);
    E2cKey *key = e2c_key_derive(&secret, ROOM, &error);
    e2c_secret_clear(&secret);
    fail_unless(key != NULL, "%s", error ? error->message : "?");
    return key;
}

/*
 * Encrypts N_FRAMES frames of a non-live source into enc-*.bin, and the
 * same encoder output, through a tee, into plain-*.bin. The key: the secret
 * (derived by the element) or the given one.
 */
static void
encrypt_to_files(const gchar *dir, E2cKey *key, struct outcome *o)
{
    gchar *desc = g_strdup_printf(VIDEO " ! tee name=t ! queue ! e2csframeenc name=enc room=" ROOM
                                        " ! multifilesink location=%s/enc-%%05d.bin "
                                        "t. ! queue ! multifilesink location=%s/plain-%%05d.bin",
                                  dir, dir);
    GstElement *p = pipeline_new(desc);
    GstElement *enc = by_name(p, "enc");

    /* Not in the launch line: that would put the secret in GStreamer's parser log. */
    if (key)
        g_object_set(enc, "shared-key", key, NULL);
    else
        g_object_set(enc, "secret", SECRET, NULL);
    run_to_eos(p, o);
    fail_unless_equals_uint64(stat_u64(enc, "frames-protected"), N_FRAMES);
    fail_unless_equals_uint64(stat_u64(enc, "frames-dropped-no-key"), 0);
    gst_object_unref(p);
    g_free(desc);
}

/* Decrypts enc-*.bin (a non-live source) into dec-*.bin; returns e2csframedec's frames-ok. */
static guint64
decrypt_files(const gchar *dir, E2cKey *key, struct outcome *o)
{
    gchar *desc = g_strdup_printf("multifilesrc location=%s/enc-%%05d.bin caps=video/x-vp8 ! "
                                  "e2csframedec name=dec room=" ROOM
                                  " ! multifilesink location=%s/dec-%%05d.bin",
                                  dir, dir);
    GstElement *p = pipeline_new(desc);
    GstElement *dec = by_name(p, "dec");

    if (key)
        g_object_set(dec, "shared-key", key, NULL);
    else
        g_object_set(dec, "secret", SECRET, NULL);
    run_to_eos(p, o);
    guint64 ok = stat_u64(dec, "frames-ok");
    fail_unless_equals_uint64(stat_u64(dec, "unknown-kid"), 0);
    gst_object_unref(p);
    g_free(desc);
    return ok;
}

/* Every decrypted frame is the encoder's, and no encrypted one is. */
static void
check_decrypted(const gchar *dir)
{
    fail_unless_equals_int(count_files(dir, "dec"), N_FRAMES);
    for (guint i = 0; i < N_FRAMES; i++) {
        GBytes *plain = read_file(dir, "plain", i), *enc = read_file(dir, "enc", i),
               *dec = read_file(dir, "dec", i);
        fail_unless(g_bytes_equal(plain, dec), "frame %u did not decrypt to the encoder's", i);
        fail_if(g_bytes_equal(plain, enc), "frame %u was written in clear", i);
        fail_unless(g_bytes_get_size(enc) > g_bytes_get_size(plain));
        g_bytes_unref(plain);
        g_bytes_unref(enc);
        g_bytes_unref(dec);
    }
}

/* ---- non-live ------------------------------------------------------------- */

/*
 * A non-live encrypting pipeline loses no frame to the key derivation: all
 * 40 reach their files, and the plain branch of the tee prerolls and ends
 * with them (before, e2csframeenc dropped every frame, so its sink never
 * prerolled, and the plain branch's full queue held the tee forever).
 */
GST_START_TEST(test_nonlive_encrypt_loses_nothing)
{
    gchar *dir = g_dir_make_tmp("e2call-key-arrival-XXXXXX", NULL);
    struct outcome o = {0};

    encrypt_to_files(dir, NULL, &o);
    fail_unless_equals_int(count_files(dir, "enc"), N_FRAMES);
    fail_unless_equals_int(count_files(dir, "plain"), N_FRAMES);
    fail_unless(o.warnings == 0, "%u warnings: %s", o.warnings, o.texts->str);

    /* The files open with the key the secret gives. */
    E2cKey *key = derive_now();
    fail_unless_equals_uint64(decrypt_files(dir, key, &o), N_FRAMES);
    e2c_key_unref(key);
    check_decrypted(dir);
    fail_unless(o.warnings == 0, "%u warnings: %s", o.warnings, o.texts->str);

    outcome_clear(&o);
    remove_dir(dir);
}
GST_END_TEST;

/*
 * A non-live decrypting pipeline given a secret opens every frame: the
 * first ones wait for the key instead of failing as unknown KIDs.
 */
GST_START_TEST(test_nonlive_decrypt_loses_nothing)
{
    gchar *dir = g_dir_make_tmp("e2call-key-arrival-XXXXXX", NULL);
    struct outcome o = {0};
    E2cKey *key = derive_now();

    encrypt_to_files(dir, key, &o);
    /* Released: e2csframedec derives the key itself (the cache holds only referenced keys). */
    e2c_key_unref(key);
    fail_unless_equals_uint64(decrypt_files(dir, NULL, &o), N_FRAMES);
    check_decrypted(dir);
    fail_unless(o.warnings == 0, "%u warnings: %s", o.warnings, o.texts->str);

    outcome_clear(&o);
    remove_dir(dir);
}
GST_END_TEST;

/* ---- holding a derivation back -------------------------------------------- */

/*
 * Derivations of another secret whose callbacks wait at a gate the test
 * opens: while they wait, they hold the pool's worker threads, and any
 * derivation asked for later waits in the pool's queue behind them.
 */
#define BLOCKERS 8
#define POOL_THREADS 2 /* e2ckey.c: two workers */

static GMutex gate_lock;
static GCond gate_cond;
static gboolean gate_open;
static guint blockers_waiting;

static void
blocker_ready(E2cKey *key, const GError *error, gpointer data)
{
    g_mutex_lock(&gate_lock);
    blockers_waiting++;
    g_cond_broadcast(&gate_cond);
    while (!gate_open)
        g_cond_wait(&gate_cond, &gate_lock);
    g_mutex_unlock(&gate_lock);
}

/*
 * The blockers derive SECRET in ROOM, whose key the caller holds (returned;
 * unref it at the end): each of them, and the element's own derivation
 * once let through, finds it in the cache instead of deriving again.
 */
static E2cKey *
hold_derivations(void)
{
    E2cKey *held = derive_now();

    gate_open = FALSE;
    blockers_waiting = 0;
    for (guint i = 0; i < BLOCKERS; i++)
        fail_unless(e2c_key_derive_on_worker(SECRET, ROOM, blocker_ready, NULL, NULL, NULL));
    g_mutex_lock(&gate_lock);
    while (blockers_waiting < POOL_THREADS)
        g_cond_wait(&gate_cond, &gate_lock);
    g_mutex_unlock(&gate_lock);
    return held;
}

static void
release_derivations(void)
{
    g_mutex_lock(&gate_lock);
    gate_open = TRUE;
    g_cond_broadcast(&gate_cond);
    g_mutex_unlock(&gate_lock);
}

/* Polls until stats field of e reaches at least n; the deadline fails the test. */
static void
wait_for_stat(GstElement *pipeline, GstElement *e, const gchar *field, guint64 n, struct outcome *o)
{
    gint64 deadline = g_get_monotonic_time() + DEADLINE_US;
    while (stat_u64(e, field) < n) {
        fail_if(take_messages(pipeline, 10 * GST_MSECOND, o),
                "EOS before %s reached %" G_GUINT64_FORMAT, field, n);
        fail_unless(g_get_monotonic_time() < deadline, "%s never reached %" G_GUINT64_FORMAT, field,
                    n);
    }
}

static GstPadProbeReturn
count_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    g_atomic_int_inc((gint *)data);
    return GST_PAD_PROBE_OK;
}

static void
count_buffers(GstElement *e, const gchar *pad_name, gint *counter)
{
    GstPad *pad = gst_element_get_static_pad(e, pad_name);
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, counter, NULL);
    gst_object_unref(pad);
}

/* ---- live ----------------------------------------------------------------- */

/*
 * A live source does not wait for the key: the frames before it are
 * dropped (never sent in clear), each counted in frames-dropped-no-key,
 * with exactly one warning for all of them; then frames are sent.
 */
GST_START_TEST(test_live_drops_counted_warned_once)
{
    GstElement *p = pipeline_new("videotestsrc is-live=true pattern=smpte ! "
                                 "video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! "
                                 "vp8enc deadline=1 threads=1 ! e2csframeenc name=enc room=" ROOM
                                 " ! fakesink sync=false");
    GstElement *enc = by_name(p, "enc");
    gint in = 0, out = 0;
    struct outcome o = {0};

    count_buffers(enc, "sink", &in);
    count_buffers(enc, "src", &out);
    E2cKey *held = hold_derivations();
    g_object_set(enc, "secret", SECRET, NULL);
    fail_if(gst_element_set_state(p, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);

    /* The derivation is held back: the streaming thread goes on dropping. */
    wait_for_stat(p, enc, "frames-dropped-no-key", 5, &o);
    fail_unless_equals_int(g_atomic_int_get(&out), 0);
    take_messages(p, 0, &o);
    fail_unless(o.warnings == 1, "%u warnings: %s", o.warnings, o.texts->str);
    fail_unless(strstr(o.texts->str, "No key yet") != NULL, "%s", o.texts->str);

    release_derivations();
    wait_for_stat(p, enc, "frames-protected", 10, &o);
    /* EOS, not a stop: every frame on its way is through the element when it comes out. */
    fail_unless(gst_element_send_event(p, gst_event_new_eos()));
    gint64 deadline = g_get_monotonic_time() + DEADLINE_US;
    while (!take_messages(p, 100 * GST_MSECOND, &o))
        fail_unless(g_get_monotonic_time() < deadline, "no EOS");
    fail_unless_equals_int(gst_element_set_state(p, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);

    /* Every frame in was either dropped for want of a key or sent; one warning in all. */
    guint64 dropped = stat_u64(enc, "frames-dropped-no-key");
    guint64 sent = stat_u64(enc, "frames-protected");
    fail_unless(dropped >= 5);
    fail_unless_equals_uint64(dropped + sent, (guint64)g_atomic_int_get(&in));
    fail_unless_equals_uint64(sent, (guint64)g_atomic_int_get(&out));
    fail_unless(o.warnings == 1, "%u warnings: %s", o.warnings, o.texts->str);

    outcome_clear(&o);
    gst_object_unref(p);
    e2c_key_unref(held);
}
GST_END_TEST;

/* ---- restart and stop ----------------------------------------------------- */

/*
 * A key given once serves every start: stopped (to NULL) and played again,
 * e2csframeenc still encrypts and e2csframedec still opens every frame (before,
 * both forgot a key given before the first start).
 */
GST_START_TEST(test_restart_keeps_key)
{
    GstElement *p =
        pipeline_new(VIDEO " ! e2csframeenc name=enc ! e2csframedec name=dec ! fakesink");
    GstElement *enc = by_name(p, "enc"), *dec = by_name(p, "dec");
    guint8 bytes[E2C_SHARED_KEY_LEN];
    struct outcome o = {0};

    memset(bytes, 0xa1, sizeof(bytes));
    E2cKey *key = e2c_key_new_from_bytes(bytes);
    g_object_set(enc, "shared-key", key, NULL);
    g_object_set(dec, "shared-key", key, NULL);
    e2c_key_unref(key);
    for (guint round = 0; round < 2; round++) {
        run_to_eos(p, &o);
        fail_unless_equals_uint64(stat_u64(enc, "frames-protected"), N_FRAMES);
        fail_unless_equals_uint64(stat_u64(dec, "frames-ok"), N_FRAMES);
        /* After the stop, the stats still describe the run: its KID and next counter. */
        guint64 kid = 0;
        g_object_get(enc, "key-id", &kid, NULL);
        fail_unless(kid != 0);
        fail_unless_equals_uint64(stat_u64(enc, "kid"), kid);
        fail_unless_equals_uint64(stat_u64(enc, "next-ctr"), N_FRAMES);
    }
    fail_unless(o.warnings == 0, "%u warnings: %s", o.warnings, o.texts->str);
    outcome_clear(&o);
    gst_object_unref(p);
}
GST_END_TEST;

/* Non-live, the key held back: the streaming thread waits in e2csframeenc. */
static GstElement *
waiting_pipeline(E2cKey **held, gint *in)
{
    GstElement *p = pipeline_new(VIDEO " ! e2csframeenc name=enc room=" ROOM " ! fakesink");
    GstElement *enc = by_name(p, "enc");

    count_buffers(enc, "sink", in);
    *held = hold_derivations();
    g_object_set(enc, "secret", SECRET, NULL);
    fail_if(gst_element_set_state(p, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    gint64 deadline = g_get_monotonic_time() + DEADLINE_US;
    while (g_atomic_int_get(in) == 0) {
        fail_unless(g_get_monotonic_time() < deadline, "no frame reached e2csframeenc");
        g_usleep(1000);
    }
    /* Not dropped, not sent: waiting. */
    fail_unless_equals_uint64(stat_u64(enc, "frames-dropped-no-key"), 0);
    fail_unless_equals_uint64(stat_u64(enc, "frames-protected"), 0);
    return p;
}

/* Stopping a pipeline whose streaming thread waits for the key ends the wait. */
GST_START_TEST(test_stop_while_waiting)
{
    E2cKey *held;
    gint in = 0;
    GstElement *p = waiting_pipeline(&held, &in);

    /* PAUSED to READY joins the streaming thread: it must stop waiting first. */
    fail_unless_equals_int(gst_element_set_state(p, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    fail_unless_equals_uint64(stat_u64(by_name(p, "enc"), "frames-dropped-no-key"), 0);
    release_derivations();
    gst_object_unref(p);
    e2c_key_unref(held);
}
GST_END_TEST;

/* A flush ends the wait: the source's task sees FLUSHING and pauses. */
GST_START_TEST(test_flush_while_waiting)
{
    E2cKey *held;
    gint in = 0;
    GstElement *p = waiting_pipeline(&held, &in);
    GstPad *sink = gst_element_get_static_pad(by_name(p, "enc"), "sink");
    GstPad *src_pad = gst_element_get_static_pad(by_name(p, "src"), "src");

    fail_unless(gst_pad_send_event(sink, gst_event_new_flush_start()));
    gint64 deadline = g_get_monotonic_time() + DEADLINE_US;
    while (gst_pad_get_task_state(src_pad) == GST_TASK_STARTED) {
        fail_unless(g_get_monotonic_time() < deadline, "the wait did not end at FLUSH_START");
        g_usleep(1000);
    }
    fail_unless_equals_uint64(stat_u64(by_name(p, "enc"), "frames-dropped-no-key"), 0);
    fail_unless(gst_pad_send_event(sink, gst_event_new_flush_stop(TRUE)));

    fail_unless_equals_int(gst_element_set_state(p, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    release_derivations();
    gst_object_unref(src_pad);
    gst_object_unref(sink);
    gst_object_unref(p);
    e2c_key_unref(held);
}
GST_END_TEST;

static Suite *
key_arrival_suite(void)
{
    Suite *s = suite_create("key-arrival");
    TCase *tc = tcase_create("general");

    e2c_plugin_register_static();
    suite_add_tcase(s, tc);
    /* Two derivations a test; under valgrind minutes each. */
    tcase_set_timeout(tc, RUNNING_ON_VALGRIND ? 3600 : 600);
    tcase_add_test(tc, test_nonlive_encrypt_loses_nothing);
    tcase_add_test(tc, test_nonlive_decrypt_loses_nothing);
    tcase_add_test(tc, test_live_drops_counted_warned_once);
    tcase_add_test(tc, test_restart_keeps_key);
    tcase_add_test(tc, test_stop_while_waiting);
    tcase_add_test(tc, test_flush_while_waiting);
    return s;
}

GST_CHECK_MAIN(key_arrival);
