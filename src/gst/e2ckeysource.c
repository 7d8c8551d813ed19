/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "e2ckeysource.h"

#include <string.h>

#include "sframe.h"

GST_DEBUG_CATEGORY_STATIC(e2c_key_source_debug);
#define GST_CAT_DEFAULT e2c_key_source_debug

struct request {
    GstElement *element;
    struct e2c_key_source *src;
    guint generation;
};

void
e2c_key_source_init(struct e2c_key_source *src, GstElement *element, E2cKeyInstallFunc install)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        GST_DEBUG_CATEGORY_INIT(e2c_key_source_debug, "e2ckeysource", 0,
                                "e2call secrets and keys of the SFrame elements");
        g_once_init_leave(&once, 1);
    }
    memset(src, 0, sizeof(*src));
    src->element = element;
    src->install = install;
    g_cond_init(&src->changed);
}

void
e2c_key_source_finish(struct e2c_key_source *src)
{
    g_free(src->room);
    src->room = NULL;
    e2c_secret_clear(&src->waiting);
    src->has_waiting = FALSE;
    g_clear_pointer(&src->derived, e2c_key_unref);
    g_cond_clear(&src->changed);
}

static void
key_ready(E2cKey *key, const GError *error, gpointer data)
{
    struct request *req = data;
    gboolean newest;

    if (!key) {
        /* Not the secret's content: the error names the failure only. */
        GST_ELEMENT_WARNING(req->element, LIBRARY, SETTINGS,
                            ("%s", error ? error->message : "key derivation failed"), (NULL));
        return;
    }
    GST_OBJECT_LOCK(req->element);
    newest = req->generation == req->src->generation;
    GST_OBJECT_UNLOCK(req->element);
    if (!newest) {
        GST_DEBUG_OBJECT(req->element, "a newer secret was set meanwhile; key %u not installed",
                         e2c_key_serial(key));
        return;
    }
    GST_INFO_OBJECT(req->element, "derived key %u installed", e2c_key_serial(key));
    GST_OBJECT_LOCK(req->element);
    E2cKey *old = req->src->derived;
    req->src->derived = e2c_key_ref(key);
    GST_OBJECT_UNLOCK(req->element);
    if (old)
        e2c_key_unref(old);
    req->src->install(req->element, key);
}

/* After the request's key (if any) was installed: a waiting streaming thread may go on. */
static void
request_free(gpointer data)
{
    struct request *req = data;
    GST_OBJECT_LOCK(req->element);
    req->src->deriving--;
    g_cond_broadcast(&req->src->changed);
    GST_OBJECT_UNLOCK(req->element);
    gst_object_unref(req->element);
    g_free(req);
}

/* Called with the object lock held; drops and retakes it. */
static void
start_derivation_locked(struct e2c_key_source *src, const gchar *secret_utf8)
{
    GError *error = NULL;
    struct request *req = g_new0(struct request, 1);
    req->element = gst_object_ref(src->element);
    req->src = src;
    req->generation = ++src->generation;
    gchar *room = g_strdup(src->room);
    src->have_key = TRUE;
    src->deriving++;
    GST_OBJECT_UNLOCK(src->element);
    if (!e2c_key_derive_on_worker(secret_utf8, room, key_ready, req, request_free, &error)) {
        GST_ELEMENT_WARNING(src->element, LIBRARY, SETTINGS, ("%s", error->message), (NULL));
        g_error_free(error);
        request_free(req);
    }
    g_free(room);
    GST_OBJECT_LOCK(src->element);
}

void
e2c_key_source_set_room(struct e2c_key_source *src, const gchar *room)
{
    char canon[160]; /* room ids are at most 128 bytes */
    if (!room || e2c_room_canonical(room, canon, sizeof(canon)) != SFRAME_OK) {
        /* Not echoed: it may be anything, of any length. */
        GST_ELEMENT_WARNING(src->element, LIBRARY, SETTINGS,
                            ("Invalid room id (not a number or 1-128 printable ASCII "
                             "characters); the room in force stays"),
                            (NULL));
        return;
    }
    GST_OBJECT_LOCK(src->element);
    g_free(src->room);
    src->room = g_strdup(room);
    if (src->has_waiting && src->room) {
        struct e2c_secret waiting = src->waiting;
        memset(&src->waiting, 0, sizeof(src->waiting));
        src->has_waiting = FALSE;
        start_derivation_locked(src, waiting.utf8);
        e2c_secret_clear(&waiting);
    }
    GST_OBJECT_UNLOCK(src->element);
}

gchar *
e2c_key_source_dup_room(struct e2c_key_source *src)
{
    GST_OBJECT_LOCK(src->element);
    gchar *room = g_strdup(src->room);
    GST_OBJECT_UNLOCK(src->element);
    return room;
}

void
e2c_key_source_set_secret(struct e2c_key_source *src, const gchar *secret)
{
    struct e2c_secret checked = {0};
    int err = e2c_secret_set(&checked, secret, secret ? strlen(secret) : 0, 0);
    if (err != E2C_SECRET_OK) {
        GST_ELEMENT_WARNING(
            src->element, LIBRARY, SETTINGS,
            ("INVALID_ENCRYPTION_SECRET: %s; the key in force stays", e2c_secret_strerror(err)),
            (NULL));
        e2c_secret_clear(&checked);
        return;
    }
    GST_OBJECT_LOCK(src->element);
    if (!src->room) {
        e2c_secret_clear(&src->waiting);
        src->waiting = checked;
        src->has_waiting = TRUE;
        src->generation++;
        GST_OBJECT_UNLOCK(src->element);
        return;
    }
    start_derivation_locked(src, checked.utf8);
    GST_OBJECT_UNLOCK(src->element);
    e2c_secret_clear(&checked);
}

void
e2c_key_source_set_key(struct e2c_key_source *src, E2cKey *key)
{
    if (!key)
        return;
    GST_OBJECT_LOCK(src->element);
    src->generation++;
    src->have_key = TRUE;
    GST_OBJECT_UNLOCK(src->element);
    src->install(src->element, key);
}

gboolean
e2c_key_source_check(struct e2c_key_source *src)
{
    GST_OBJECT_LOCK(src->element);
    gboolean waiting = src->has_waiting;
    GST_OBJECT_UNLOCK(src->element);
    if (waiting) {
        GST_ELEMENT_ERROR(src->element, LIBRARY, SETTINGS,
                          ("A secret was set but no room: set the \"room\" property too"), (NULL));
        return FALSE;
    }
    return TRUE;
}

gboolean
e2c_key_source_configured(struct e2c_key_source *src)
{
    GST_OBJECT_LOCK(src->element);
    gboolean configured = src->have_key;
    GST_OBJECT_UNLOCK(src->element);
    return configured;
}

static gboolean
upstream_is_live(GstPad *sinkpad)
{
    GstQuery *query = gst_query_new_latency();
    gboolean live = TRUE;
    if (gst_pad_peer_query(sinkpad, query))
        gst_query_parse_latency(query, &live, NULL, NULL);
    gst_query_unref(query);
    return live;
}

E2cKeyWait
e2c_key_source_wait(struct e2c_key_source *src, GstPad *sinkpad)
{
    GST_OBJECT_LOCK(src->element);
    gboolean flushing = src->flushing;
    gboolean in_flight = src->deriving > 0;
    GST_OBJECT_UNLOCK(src->element);
    /* A frame that reaches the element during a flush goes nowhere: it is
     * neither sent nor counted as dropped for want of a key. */
    if (flushing)
        return E2C_KEY_WAIT_FLUSHING;
    /* Asked only while a key is being derived: a fraction of a second per secret. */
    if (!in_flight || upstream_is_live(sinkpad))
        return E2C_KEY_WAIT_NONE;

    GST_DEBUG_OBJECT(src->element, "upstream is not live: waiting for the key being derived");
    GST_OBJECT_LOCK(src->element);
    while (src->deriving > 0 && !src->flushing)
        g_cond_wait(&src->changed, GST_OBJECT_GET_LOCK(src->element));
    flushing = src->flushing;
    GST_OBJECT_UNLOCK(src->element);
    return flushing ? E2C_KEY_WAIT_FLUSHING : E2C_KEY_WAIT_DONE;
}

static void
set_flushing(struct e2c_key_source *src, gboolean flushing)
{
    GST_OBJECT_LOCK(src->element);
    src->flushing = flushing;
    g_cond_broadcast(&src->changed);
    GST_OBJECT_UNLOCK(src->element);
}

void
e2c_key_source_sink_event(struct e2c_key_source *src, GstEvent *event)
{
    if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_START)
        set_flushing(src, TRUE);
    else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
        set_flushing(src, FALSE);
}

void
e2c_key_source_change_state(struct e2c_key_source *src, GstStateChange transition)
{
    if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
        set_flushing(src, TRUE);
    else if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
        set_flushing(src, FALSE);
}

void
e2c_key_source_install_properties(GObjectClass *klass, guint prop_secret, guint prop_room,
                                  guint prop_shared_key)
{
    g_object_class_install_property(
        klass, prop_secret,
        g_param_spec_string(
            "secret", "Secret",
            "The end-to-end encryption secret: UTF-8, 8 to 256 characters, no NUL. Write-only "
            "(never readable back). The key is derived from it and the room off the streaming "
            "thread (PBKDF2-HMAC-SHA256, 600000 iterations); set room first. Until the key is "
            "there, a non-live pipeline's frames wait for it, a live one's are dropped. "
            "Applications should prefer shared-key, which derives once for all elements",
            NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
    g_object_class_install_property(
        klass, prop_room,
        g_param_spec_string(
            "room", "Room",
            "The room id the key is bound to (the PBKDF2 salt is \"e2call/1 "
            "room \" followed by it): a number or 1-128 printable ASCII "
            "characters. An invalid one is refused with a warning",
            NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
    g_object_class_install_property(
        klass, prop_shared_key,
        g_param_spec_boxed("shared-key", "Shared key",
                           "An already derived E2cKey (see e2ckey.h), shared by every element of "
                           "one secret and room. Write-only",
                           E2C_TYPE_KEY,
                           G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
}
