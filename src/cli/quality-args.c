/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "quality-args.h"

#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "errors.h"
#include "figures-switch.h"

void
e2c_quality_args_entries(struct e2c_quality_args *args, GOptionEntry out[E2C_QUALITY_ARGS_ENTRIES])
{
    const GOptionEntry entries[E2C_QUALITY_ARGS_ENTRIES] = {
        {"max-freeze", 0, 0, G_OPTION_ARG_STRING, &args->max_freeze,
         "Fail (13, MEDIA_QUALITY_FAILED) when a received video stream froze for longer than D "
         "at once (e.g. 500ms; a unit is required)",
         "D"},
        {"max-frozen", 0, 0, G_OPTION_ARG_STRING, &args->max_frozen,
         "Fail (13, MEDIA_QUALITY_FAILED) when a received video stream was frozen for more than "
         "PCT % of the time it was received (e.g. 5%)",
         "PCT%"},
        {"max-latency", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->max_latency,
         "Fail (13, MEDIA_QUALITY_FAILED) when a received stream's latency to decryption was "
         "above D at its 95th percentile, or at the figure named (p50, p95, p99, max; e.g. "
         "400ms, p99:600ms); once per figure",
         "[pNN:]D"},
        {"no-quality-figures", 0, 0, G_OPTION_ARG_NONE, &args->no_figures,
         "Do not measure latency, freezes, jitter or A/V skew of received streams (their "
         "fields are left out of the reports)",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    memcpy(out, entries, sizeof(entries));
}

/* A time with its unit (ms, s, m, h), more than 0. */
static gboolean
parse_freeze(const char *text, guint64 *ms)
{
    size_t len = strlen(text);
    return len && g_ascii_isalpha(text[len - 1]) && e2c_parse_duration_ms(text, ms) && *ms > 0;
}

/* "P%", P more than 0 and at most 100. */
static gboolean
parse_pct(const char *text, double *pct)
{
    if (!g_ascii_isdigit(text[0]) && text[0] != '.')
        return FALSE;
    char *end = NULL;
    *pct = g_ascii_strtod(text, &end);
    return end != text && strcmp(end, "%") == 0 && *pct > 0 && *pct <= 100;
}

/* "[FIGURE:]D" into its figure (p95 when none is named) and its time with a unit. */
static gboolean
parse_latency(const char *text, enum e2c_latency_figure *figure, guint64 *ms)
{
    const char *colon = strchr(text, ':');
    *figure = E2C_LATENCY_P95;
    if (colon) {
        gboolean known = FALSE;
        for (guint f = 0; f < E2C_LATENCY_FIGURES && !known; f++) {
            const char *name = e2c_latency_figure_name((enum e2c_latency_figure)f);
            if (strlen(name) == (size_t)(colon - text) && !strncmp(text, name, strlen(name))) {
                *figure = (enum e2c_latency_figure)f;
                known = TRUE;
            }
        }
        if (!known)
            return FALSE;
        text = colon + 1;
    }
    return parse_freeze(text, ms);
}

static int
check_latency(const struct e2c_quality_args *args, const char *cmd, struct e2c_quality_limits *out)
{
    for (guint i = 0; args->max_latency && args->max_latency[i]; i++) {
        enum e2c_latency_figure f;
        guint64 ms;
        if (!parse_latency(args->max_latency[i], &f, &ms)) {
            fprintf(stderr,
                    "%s: --max-latency takes a time with its unit, more than 0, such as 400ms, "
                    "optionally after p50:, p95: (the default), p99: or max:, such as p99:600ms "
                    "(at most " E2C_DURATION_MAX_TEXT ")\n",
                    cmd);
            return E2C_EXIT_USAGE;
        }
        if (out->max_latency_ms[f]) {
            fprintf(stderr, "%s: --max-latency given twice for %s: it takes one limit per figure\n",
                    cmd, e2c_latency_figure_name(f));
            return E2C_EXIT_USAGE;
        }
        out->max_latency_ms[f] = ms;
    }
    return 0;
}

int
e2c_quality_args_check(const struct e2c_quality_args *args, const char *cmd,
                       struct e2c_quality_limits *out)
{
    memset(out, 0, sizeof(*out));
    /* The limits judge figures that would not be measured. */
    if (args->no_figures && (args->max_freeze || args->max_frozen || args->max_latency)) {
        fprintf(stderr,
                "%s: --max-freeze, --max-frozen and --max-latency need the figures "
                "--no-quality-figures turns off\n",
                cmd);
        return E2C_EXIT_USAGE;
    }
    if (args->max_freeze && !parse_freeze(args->max_freeze, &out->max_freeze_ms)) {
        fprintf(stderr,
                "%s: --max-freeze takes a time with its unit, more than 0, such as 500ms or 2s "
                "(at most " E2C_DURATION_MAX_TEXT ")\n",
                cmd);
        return E2C_EXIT_USAGE;
    }
    if (args->max_frozen && !parse_pct(args->max_frozen, &out->max_frozen_pct)) {
        fprintf(stderr,
                "%s: --max-frozen takes a percentage with its %% sign, more than 0 up to 100, "
                "such as 5%%\n",
                cmd);
        return E2C_EXIT_USAGE;
    }
    if (check_latency(args, cmd, out) != 0)
        return E2C_EXIT_USAGE;
    if (args->no_figures)
        e2c_quality_figures_off();
    return 0;
}

void
e2c_quality_args_clear(struct e2c_quality_args *args)
{
    g_clear_pointer(&args->max_freeze, g_free);
    g_clear_pointer(&args->max_frozen, g_free);
    g_clear_pointer(&args->max_latency, g_strfreev);
}
