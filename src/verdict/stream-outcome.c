/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stream-outcome.h"

#include "latency-json.h"

static gboolean
same_source(const struct e2c_stream_outcome *a, const struct e2c_stream_outcome *b)
{
    return !g_strcmp0(a->display, b->display) && !g_strcmp0(a->track, b->track);
}

/*
 * The stream that took over from gone stream i, or -1: one of the same
 * source still there, else the next one of them that went later.
 */
static gint
successor(const struct e2c_stream_outcome *s, guint n, guint i)
{
    for (guint j = 0; j < n; j++)
        if (!s[j].gone && same_source(&s[j], &s[i]))
            return (gint)j;
    for (guint j = i + 1; j < n; j++)
        if (same_source(&s[j], &s[i]))
            return (gint)j;
    return -1;
}

guint
e2c_stream_outcomes_by_source(struct e2c_stream_outcome *s, guint n)
{
    /* A successor is still there or later in the list: one pass in order
     * carries a verification (and the freezes) along a chain of reconnects. */
    gboolean *taken_over = g_new0(gboolean, n + 1);
    for (guint i = 0; i < n; i++) {
        gint next = s[i].gone ? successor(s, n, i) : -1;
        if (next >= 0) {
            s[next].verified |= s[i].verified;
            s[next].freezes += s[i].freezes;
            s[next].frozen_ms += s[i].frozen_ms;
            s[next].longest_freeze_ms = MAX(s[next].longest_freeze_ms, s[i].longest_freeze_ms);
            s[next].jitter_ms = MAX(s[next].jitter_ms, s[i].jitter_ms);
            s[next].received_ms += s[i].received_ms;
            /* --max-latency must see a late stream also when a reconnect replaced it. */
            e2c_latency_summary_worst(&s[next].latency, &s[i].latency);
            e2c_latency_summary_worst(&s[next].decoded_latency, &s[i].decoded_latency);
            taken_over[i] = TRUE;
        }
    }
    guint kept = 0;
    for (guint i = 0; i < n; i++)
        if (!taken_over[i])
            s[kept++] = s[i];
    g_free(taken_over);
    return kept;
}
