/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fake-room.h"

#include <string.h>

struct fake_room *fake_room_last;

static void
request_drop(struct fake_request *r)
{
    if (r->cb && r->destroy)
        r->destroy(r->user);
    memset(r, 0, sizeof(*r));
}

static void
sub_free(gpointer data)
{
    struct fake_sub *s = data;
    request_drop(&s->offer);
    request_drop(&s->start);
    g_array_unref(s->feeds);
    g_free(s->answer);
    g_ptr_array_unref(s->candidates);
    g_free(s);
}

static struct fake_sub *
sub_of(struct fake_room *f, guint64 handle)
{
    for (guint i = 0; i < f->subs->len; i++) {
        struct fake_sub *s = g_ptr_array_index(f->subs, i);
        if (s->handle == handle)
            return s;
    }
    g_assert_not_reached();
}

static void
fake_join(struct e2c_room *room, const struct e2c_room_join *how)
{
    struct fake_room *f = (struct fake_room *)room;
    f->joins++;
    f->last_join = *how;
}

static void
fake_publish(struct e2c_room *room, const char *offer_sdp, gboolean audio, gboolean video,
             gboolean e2ee, E2cRoomAnswerFunc done, gpointer user, GDestroyNotify destroy)
{
    struct fake_room *f = (struct fake_room *)room;
    g_assert_null(f->answer.cb);
    f->publishes++;
    g_free(f->offer);
    f->offer = g_strdup(offer_sdp);
    f->offer_audio = audio;
    f->offer_video = video;
    f->offer_e2ee = e2ee;
    f->answer = (struct fake_request){done, user, destroy};
}

static void
fake_subscribe(struct e2c_room *room, const guint64 *feeds, gsize n_feeds,
               E2cRoomOfferFunc got_offer, gpointer user, GDestroyNotify destroy)
{
    struct fake_room *f = (struct fake_room *)room;
    struct fake_sub *s = g_new0(struct fake_sub, 1);
    s->handle = 1000 + f->subs->len;
    s->feeds = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_array_append_vals(s->feeds, feeds, n_feeds);
    s->offer = (struct fake_request){got_offer, user, destroy};
    s->candidates = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(f->subs, s);
}

static void
fake_start(struct e2c_room *room, guint64 handle, const char *answer_sdp, E2cRoomDoneFunc done,
           gpointer user, GDestroyNotify destroy)
{
    struct fake_sub *s = sub_of((struct fake_room *)room, handle);
    g_assert_null(s->start.cb);
    s->answer = g_strdup(answer_sdp);
    s->start = (struct fake_request){done, user, destroy};
}

static void
fake_trickle(struct e2c_room *room, guint64 handle, guint mline, const char *candidate)
{
    struct fake_room *f = (struct fake_room *)room;
    GPtrArray *list;
    gboolean *done;
    if (handle == E2C_ROOM_PUBLICATION) {
        list = f->pub_candidates;
        done = &f->pub_trickle_done;
        if (!f->offer)
            f->pub_candidate_before_offer = TRUE;
    } else {
        struct fake_sub *s = sub_of(f, handle);
        list = s->candidates;
        done = &s->trickle_done;
    }
    /*
     * Not asserted: a candidate after the end of them. webrtcbin 1.22's
     * gathering state can say "complete" before its last candidates were
     * handed over, and the call passes on what it gets in that order.
     */
    if (candidate)
        g_ptr_array_add(list, g_strdup_printf("%u\t%s", mline, candidate));
    else
        *done = TRUE;
}

static void
fake_cancel(struct e2c_room *room, gpointer user)
{
    struct fake_room *f = (struct fake_room *)room;
    f->cancels++;
    if (f->answer.user == user)
        request_drop(&f->answer);
    for (guint i = 0; i < f->subs->len; i++) {
        struct fake_sub *s = g_ptr_array_index(f->subs, i);
        if (s->offer.user == user)
            request_drop(&s->offer);
        if (s->start.user == user)
            request_drop(&s->start);
    }
}

static void
fake_unsubscribe(struct e2c_room *room, guint64 handle, gboolean say_leave)
{
    if (!handle)
        return; /* no handle yet: nothing to give back (as a router's room does) */
    struct fake_sub *s = sub_of((struct fake_room *)room, handle);
    s->unsubscribed = TRUE;
    s->said_leave = say_leave;
}

static gboolean
fake_leave(struct e2c_room *room, gboolean tell_router)
{
    struct fake_room *f = (struct fake_room *)room;
    f->leaves++;
    return FALSE; /* left at once */
}

static gboolean
fake_is_connected(struct e2c_room *room)
{
    return ((struct fake_room *)room)->connected;
}

static void
fake_free(struct e2c_room *room)
{
    struct fake_room *f = (struct fake_room *)room;
    request_drop(&f->answer);
    g_ptr_array_unref(f->subs);
    g_ptr_array_unref(f->pub_candidates);
    g_free(f->offer);
    if (fake_room_last == f)
        fake_room_last = NULL;
    g_free(f);
}

static const struct e2c_room_ops fake_ops = {
    .join = fake_join,
    .publish = fake_publish,
    .subscribe = fake_subscribe,
    .start = fake_start,
    .trickle = fake_trickle,
    .cancel = fake_cancel,
    .unsubscribe = fake_unsubscribe,
    .leave = fake_leave,
    .is_connected = fake_is_connected,
    .free = fake_free,
};

struct e2c_room *
fake_room_new(const struct e2c_room_config *cfg, const struct e2c_room_events *events,
              gpointer owner)
{
    struct fake_room *f = g_new0(struct fake_room, 1);
    f->base.ops = &fake_ops;
    if (events)
        f->base.events = *events;
    f->base.owner = owner;
    if (cfg)
        f->cfg = *cfg; /* strings not kept */
    f->connected = TRUE;
    f->pub_candidates = g_ptr_array_new_with_free_func(g_free);
    f->subs = g_ptr_array_new_with_free_func(sub_free);
    fake_room_last = f;
    return &f->base;
}

void
fake_room_joined(struct fake_room *f, guint64 id, const struct e2c_room_feed *pubs, gsize n)
{
    f->base.events.joined(f->base.owner, id, pubs, n);
}

void
fake_room_answer(struct fake_room *f, const char *sdp, const GError *error)
{
    struct fake_request r = f->answer;
    g_assert_nonnull(r.cb);
    memset(&f->answer, 0, sizeof(f->answer));
    ((E2cRoomAnswerFunc)r.cb)(r.user, sdp, error);
    if (r.destroy)
        r.destroy(r.user);
}

void
fake_room_offer(struct fake_room *f, struct fake_sub *s, const char *sdp,
                const struct e2c_room_stream *streams, gsize n, const GError *error)
{
    struct fake_request r = s->offer;
    g_assert_nonnull(r.cb);
    memset(&s->offer, 0, sizeof(s->offer));
    ((E2cRoomOfferFunc)r.cb)(r.user, s->handle, sdp, streams, n, error);
    if (r.destroy)
        r.destroy(r.user);
}

void
fake_room_started(struct fake_room *f, struct fake_sub *s, const GError *error)
{
    struct fake_request r = s->start;
    g_assert_nonnull(r.cb);
    memset(&s->start, 0, sizeof(s->start));
    ((E2cRoomDoneFunc)r.cb)(r.user, error);
    if (r.destroy)
        r.destroy(r.user);
}
