/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small parsers shared by the commands; each rejects what it cannot read exactly. */
#pragma once

#include <glib.h>

/* The longest time any option takes: GLib's millisecond timers hold 49.7 days. */
#define E2C_DURATION_MAX_MS (30ull * 24 * 3600 * 1000)
#define E2C_DURATION_MAX_TEXT "30 days"
/*
 * "15", "15s", "1.5s", "500ms", "2m", "1h" -> milliseconds, at most
 * E2C_DURATION_MAX_MS. FALSE on anything else.
 */
gboolean e2c_parse_duration_ms(const char *text, guint64 *out_ms);
/* A decimal unsigned integer in [min, max]; no sign, no trailing garbage. */
gboolean e2c_parse_uint(const char *text, guint64 min, guint64 max, guint64 *out);
/*
 * --expect-media[=N] (join, web join): without a value 0 (every stream
 * seen), else N from 1 to 1000; FALSE with error set on anything else.
 */
gboolean e2c_parse_expect_media(const char *value, gint64 *out, GError **error);
/* The server URL: an explicit value, else $E2CALL_SERVER; NULL when neither. */
const char *e2c_server_url(const char *option);
/* A ws:// or wss:// URL (what --server must be). */
gboolean e2c_server_url_valid(const char *url);
/* A copy safe for a terminal: control characters become '?' (text from the router). */
gchar *e2c_printable(const char *text);
/*
 * Starts the DTLS certificate generation (RSA-2048, once per process) in the
 * background; join the thread before exiting (OpenSSL's exit handlers must
 * not run under it).
 */
GThread *e2c_warm_up_dtls(void);
