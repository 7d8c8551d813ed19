/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "quality-limits.h"

#include <string.h>

gboolean
e2c_quality_freeze_asked(const struct e2c_quality_limits *l)
{
    return l->max_freeze_ms > 0 || l->max_frozen_pct > 0;
}

gboolean
e2c_quality_latency_asked(const struct e2c_quality_limits *l)
{
    for (guint f = 0; f < E2C_LATENCY_FIGURES; f++)
        if (l->max_latency_ms[f] > 0)
            return TRUE;
    return FALSE;
}

gboolean
e2c_quality_limits_asked(const struct e2c_quality_limits *l)
{
    return e2c_quality_freeze_asked(l) || e2c_quality_latency_asked(l);
}

static const char *const figure_names[E2C_LATENCY_FIGURES] = {"p50", "p95", "p99", "max"};

const char *
e2c_latency_figure_name(enum e2c_latency_figure f)
{
    return (guint)f < E2C_LATENCY_FIGURES ? figure_names[f] : "?";
}

double
e2c_latency_figure_ms(const struct e2c_latency_summary *s, enum e2c_latency_figure f)
{
    switch (f) {
    case E2C_LATENCY_P50:
        return s->p50_ms;
    case E2C_LATENCY_P95:
        return s->p95_ms;
    case E2C_LATENCY_P99:
        return s->p99_ms;
    case E2C_LATENCY_MAX:
        return s->max_ms;
    }
    return 0;
}

gboolean
e2c_quality_judges_track(const char *track)
{
    return !g_strcmp0(track, "video");
}

double
e2c_quality_frozen_pct(guint64 frozen_ms, guint64 received_ms)
{
    return received_ms ? 100.0 * (double)frozen_ms / (double)received_ms : 0;
}

/* A percentage as the user wrote it: 10%, 2.5%, 33.33%. */
static void
append_pct(GString *out, double pct)
{
    gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof(buf), "%.2f", pct);
    /* "10.00" -> "10", "2.50" -> "2.5" */
    gchar *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        end[-1] = '\0';
    g_string_append_printf(out, "%s%%", buf);
}

gchar *
e2c_quality_fault(const struct e2c_quality_limits *l, const char *track, guint64 longest_freeze_ms,
                  guint64 frozen_ms, guint64 received_ms)
{
    if (!e2c_quality_judges_track(track))
        return NULL;
    GString *why = g_string_new(NULL);
    if (l->max_freeze_ms > 0 && longest_freeze_ms > l->max_freeze_ms)
        g_string_append_printf(why,
                               "longest freeze %" G_GUINT64_FORMAT
                               " ms, above --max-freeze %" G_GUINT64_FORMAT " ms",
                               longest_freeze_ms, l->max_freeze_ms);
    double pct = e2c_quality_frozen_pct(frozen_ms, received_ms);
    if (l->max_frozen_pct > 0 && pct > l->max_frozen_pct) {
        if (why->len)
            g_string_append(why, "; ");
        g_string_append(why, "frozen ");
        append_pct(why, pct);
        g_string_append_printf(why, " of %.1f s received, above --max-frozen ",
                               (double)received_ms / 1000.0);
        append_pct(why, l->max_frozen_pct);
    }
    if (!why->len) {
        g_string_free(why, TRUE);
        return NULL;
    }
    return g_string_free(why, FALSE);
}

gchar *
e2c_latency_fault(const struct e2c_quality_limits *l, const struct e2c_latency_summary *s)
{
    if (!s->have)
        return NULL;
    GString *why = g_string_new(NULL);
    for (guint f = 0; f < E2C_LATENCY_FIGURES; f++) {
        double ms = e2c_latency_figure_ms(s, (enum e2c_latency_figure)f);
        if (l->max_latency_ms[f] == 0 || ms <= (double)l->max_latency_ms[f])
            continue;
        /* The limit as it is written on the command line, so it can be found there. */
        g_string_append_printf(
            why, "%slatency %s %.1f ms, above --max-latency %s:%" G_GUINT64_FORMAT "ms",
            why->len ? "; " : "", figure_names[f], ms, figure_names[f], l->max_latency_ms[f]);
    }
    if (!why->len) {
        g_string_free(why, TRUE);
        return NULL;
    }
    return g_string_free(why, FALSE);
}

gchar *
e2c_quality_stream_fault(const struct e2c_quality_limits *l, const struct e2c_stream_outcome *s)
{
    gchar *frozen =
        e2c_quality_fault(l, s->track, s->longest_freeze_ms, s->frozen_ms, s->received_ms);
    gchar *late = e2c_latency_fault(l, &s->latency);
    if (!frozen || !late)
        return frozen ? frozen : late;
    gchar *both = g_strconcat(frozen, "; ", late, NULL);
    g_free(frozen);
    g_free(late);
    return both;
}
