/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The participant's subscriptions: publishers that appear are subscribed
 * to (in a load run those of one turn of the loop share a subscription,
 * split when the router no longer has one of them), streams that go are
 * kept for the verdict, and a subscription whose connection is lost is
 * made again.
 */
#include "participant-impl.h"

static void subscribe(struct e2c_participant *p, GPtrArray *feeds);

static json_t *
sub_event_new(gpointer owner, const char *name)
{
    return participant_event(owner, name);
}

static void
sub_emit(gpointer owner, json_t *event)
{
    participant_emit(owner, event);
}

static void
sub_streams_changed(gpointer owner)
{
    struct e2c_participant *p = owner;
    if (p->cb.streams_changed)
        p->cb.streams_changed(p->user, p);
}

static void
sub_unable(gpointer owner, struct e2c_subscription *sub, guint n)
{
    struct e2c_participant *p = owner;
    p->sub_failures += n;
}

/* Closes sub and lets it go from the list. */
static void
drop_subscription(struct e2c_participant *p, struct e2c_subscription *sub, gboolean give_back,
                  gboolean say_leave)
{
    e2c_subscription_close(sub, give_back, say_leave);
    g_ptr_array_remove_fast(p->subs, sub);
}

/* Closes every subscription; their handles go back to a room we are leaving. */
void
drop_all_subscriptions(struct e2c_participant *p)
{
    gboolean give_back = p->state == P_LEAVING;
    for (guint i = 0; i < p->subs->len; i++)
        e2c_subscription_close(g_ptr_array_index(p->subs, i), give_back, FALSE);
    g_ptr_array_set_size(p->subs, 0);
}

/* The router refused a shared subscription because one publisher went: each other alone. */
static void
sub_split(gpointer owner, struct e2c_subscription *sub)
{
    struct e2c_participant *p = owner;
    GPtrArray *feeds = e2c_subscription_feeds(sub);
    for (guint i = 0; i < feeds->len; i++) {
        const struct e2c_sub_feed *feed = g_ptr_array_index(feeds, i);
        if (feed->gone)
            continue;
        GPtrArray *alone = g_ptr_array_new_with_free_func(e2c_sub_feed_free);
        g_ptr_array_add(alone, e2c_sub_feed_new(feed->id, feed->display));
        subscribe(p, alone);
    }
    /* Its feeds now belong to the new subscriptions. */
    drop_subscription(p, sub, TRUE, FALSE);
}

static void
sub_fatal(gpointer owner, const GError *error)
{
    participant_fail_with(owner, error);
}

/*
 * A subscription's connection failed, or the router hung it up: under loss
 * ICE or DTLS can time out on either side, as for the publication, and the
 * next attempt may well get through. Its publishers are subscribed to again
 * (what its streams did is kept, and the verdict counts the new ones in
 * their place), a few times before it fails (UNABLE_TO_SUBSCRIBE).
 */
static void
sub_lost(gpointer owner, struct e2c_subscription *sub, const char *reason)
{
    struct e2c_participant *p = owner;
    GPtrArray *again = p->state == P_JOINED ? e2c_subscription_feeds_again(sub, reason) : NULL;
    if (!again) {
        e2c_subscription_fail(sub, reason);
        return;
    }
    e2c_subscription_end_streams(sub, 0, p->ended);
    drop_subscription(p, sub, TRUE, FALSE);
    if (again->len)
        subscribe(p, again);
    else
        g_ptr_array_unref(again);
}

/* One subscription for feeds (taken). */
static void
subscribe(struct e2c_participant *p, GPtrArray *feeds)
{
    static const struct e2c_subscription_callbacks cb = {
        sub_event_new, sub_emit, sub_streams_changed, sub_unable, sub_split, sub_fatal, sub_lost,
    };
    struct e2c_subscription_config cfg = {
        p->media,         &p->cfg.crypto,         p->label,      p->cfg.latency_ms,
        p->cfg.no_decode, p->cfg.keep_last_frame, p->started_us, p->cfg.impair,
    };
    g_ptr_array_add(p->subs, e2c_subscription_new(p->room, &cfg, feeds, &cb, p));
}

/* Publishers that arrived in one turn of the main loop (a join's list) share a subscription. */
static gboolean
start_pending(gpointer data)
{
    struct e2c_participant *p = data;
    p->pending_source = 0;
    if (!p->pending_feeds->len)
        return G_SOURCE_REMOVE;
    GPtrArray *feeds = p->pending_feeds;
    p->pending_feeds = g_ptr_array_new_with_free_func(e2c_sub_feed_free);
    if (p->state == P_JOINED)
        subscribe(p, feeds);
    else
        g_ptr_array_unref(feeds);
    return G_SOURCE_REMOVE;
}

static struct e2c_sub_feed *
find_pending(struct e2c_participant *p, guint64 id, guint *index)
{
    for (guint i = 0; i < p->pending_feeds->len; i++) {
        struct e2c_sub_feed *feed = g_ptr_array_index(p->pending_feeds, i);
        if (feed->id == id && !feed->gone) {
            if (index)
                *index = i;
            return feed;
        }
    }
    return NULL;
}

/* The subscription that receives feed, or NULL. */
static struct e2c_subscription *
subscription_of(struct e2c_participant *p, guint64 feed)
{
    for (guint i = 0; i < p->subs->len; i++) {
        struct e2c_subscription *sub = g_ptr_array_index(p->subs, i);
        if (e2c_subscription_find_feed(sub, feed))
            return sub;
    }
    return NULL;
}

void
subscription_add(struct e2c_participant *p, guint64 feed, const char *display)
{
    if (p->state != P_JOINED || feed == p->my_id || subscription_of(p, feed) ||
        find_pending(p, feed, NULL))
        return;
    struct e2c_sub_feed *f = e2c_sub_feed_new(feed, display);
    if (p->cfg.shared_subscriptions) {
        g_ptr_array_add(p->pending_feeds, f);
        if (!p->pending_source)
            p->pending_source = g_idle_add(start_pending, p);
    } else {
        GPtrArray *alone = g_ptr_array_new_with_free_func(e2c_sub_feed_free);
        g_ptr_array_add(alone, f);
        subscribe(p, alone);
    }

    json_t *e = participant_event(p, "remote-published");
    json_object_set_new(e, "remote", json_string(f->display));
    json_object_set_new(e, "feed", json_integer((json_int_t)feed));
    participant_emit(p, e);
}

/* Subscriptions not yet asked for are dropped. */
void
subscriptions_cancel_pending(struct e2c_participant *p)
{
    g_ptr_array_set_size(p->pending_feeds, 0);
    if (p->pending_source) {
        g_source_remove(p->pending_source);
        p->pending_source = 0;
    }
}

/* Every subscription goes, what its streams did kept for the verdict. */
void
subscriptions_end_all(struct e2c_participant *p)
{
    subscriptions_cancel_pending(p);
    for (guint i = 0; i < p->subs->len; i++)
        e2c_subscription_end_streams(g_ptr_array_index(p->subs, i), 0, p->ended);
    drop_all_subscriptions(p);
}

static void
announce_removal(struct e2c_participant *p, const struct e2c_sub_feed *feed, const char *why)
{
    json_t *e = participant_event(p, "remote-unpublished");
    json_object_set_new(e, "remote", json_string(feed->display));
    json_object_set_new(e, "feed", json_integer((json_int_t)feed->id));
    json_object_set_new(e, "reason", json_string(why));
    participant_emit(p, e);
}

void
subscription_remove(struct e2c_participant *p, guint64 feed, const char *why)
{
    guint index;
    struct e2c_sub_feed *pending = find_pending(p, feed, &index);
    if (pending) {
        announce_removal(p, pending, why);
        g_ptr_array_remove_index(p->pending_feeds, index);
        return;
    }
    struct e2c_subscription *sub = subscription_of(p, feed);
    if (!sub)
        return;
    struct e2c_sub_feed *f = e2c_subscription_find_feed(sub, feed);
    announce_removal(p, f, why);
    e2c_subscription_end_streams(sub, feed, p->ended);
    f->gone = TRUE;
    gboolean others = FALSE;
    GPtrArray *feeds = e2c_subscription_feeds(sub);
    for (guint i = 0; i < feeds->len; i++)
        others |= !((struct e2c_sub_feed *)g_ptr_array_index(feeds, i))->gone;
    if (!others)
        drop_subscription(p, sub, TRUE, TRUE);
    if (p->cb.streams_changed)
        p->cb.streams_changed(p->user, p);
}
