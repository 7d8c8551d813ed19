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
        {"no-quality-figures", 0, 0, G_OPTION_ARG_NONE, &args->no_figures,
         "Do not measure latency, freezes or jitter of received streams (their fields are left "
         "out of the reports)",
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

int
e2c_quality_args_check(const struct e2c_quality_args *args, const char *cmd,
                       struct e2c_quality_limits *out)
{
    memset(out, 0, sizeof(*out));
    /* The limits judge figures that would not be measured. */
    if (args->no_figures && (args->max_freeze || args->max_frozen)) {
        fprintf(stderr,
                "%s: --max-freeze and --max-frozen need the figures --no-quality-figures turns "
                "off\n",
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
    if (args->no_figures)
        e2c_quality_figures_off();
    return 0;
}

void
e2c_quality_args_clear(struct e2c_quality_args *args)
{
    g_clear_pointer(&args->max_freeze, g_free);
    g_clear_pointer(&args->max_frozen, g_free);
}
