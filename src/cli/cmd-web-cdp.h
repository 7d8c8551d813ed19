/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Chrome DevTools protocol over a pipe (chromium --remote-debugging-pipe:
 * Chromium reads commands from its fd 3 and writes replies and events to its
 * fd 4, each a JSON object ended by a NUL byte). No network port.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

struct e2c_cdp;

/* An event: method, params, and the session it came from (NULL: the browser). */
typedef void (*E2cCdpEventFunc)(void *data, const char *method, json_t *params,
                                const char *session);
/* The pipe closed (Chromium exited). */
typedef void (*E2cCdpClosedFunc)(void *data);
/* A command's reply: result, or error (a JSON-RPC error object). */
typedef void (*E2cCdpReplyFunc)(void *data, json_t *result, json_t *error);

/* Owns both descriptors; watches read_fd on the thread-default main context. */
struct e2c_cdp *e2c_cdp_new(int write_fd, int read_fd, E2cCdpEventFunc on_event,
                            E2cCdpClosedFunc on_closed, void *data);
/*
 * Sends method(params) (params stolen; NULL for none) to session (NULL: the
 * browser target). reply may be NULL. FALSE when the pipe is closed.
 */
gboolean e2c_cdp_call(struct e2c_cdp *c, const char *session, const char *method, json_t *params,
                      E2cCdpReplyFunc reply, void *reply_data);
void e2c_cdp_free(struct e2c_cdp *c);
