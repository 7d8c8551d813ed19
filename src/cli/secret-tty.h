/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A secret typed on the terminal that is standard input (--secret-stdin on
 * a TTY): echo off, a prompt on standard error, one line.
 */
#pragma once

#include "secret.h"

/*
 * Turns echo off on standard input (a terminal), prints "CMD: PROMPT: " on
 * standard error, reads one line (up to Enter; Ctrl-D on an empty line ends
 * it too) and validates it as e2c_secret_set() does, the line's newline
 * removed. The terminal's settings come back on every way out: on return,
 * and on SIGINT, SIGTERM, SIGHUP or SIGQUIT while reading, after which the
 * signal takes its default action (the process ends, as it would have). On
 * SIGTSTP they come back while the process is stopped, and echo goes off
 * again when it continues. Returns an E2C_SECRET_* code (E2C_SECRET_E_IO
 * with errno when the terminal cannot be read or set up).
 */
int e2c_secret_tty_read(struct e2c_secret *out, const char *cmd, const char *prompt);
