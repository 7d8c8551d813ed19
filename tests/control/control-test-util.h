/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the control tests: a fake ops table standing in for a call, and
 * raw clients that drive the server on this thread's main loop.
 */
#pragma once

#include <glib.h>

#include "control-server.h"

#define TEST_CANARY "canary-5c1e-SECRET-must-not-leak"

struct fake_call {
    guint rekeys; /* rekey ops called */
    guint dones;  /* done callbacks made */
    guint leaves;
    gchar *last_secret;    /* copy of the last secret, to compare (test only) */
    guint rekey_delay_ms;  /* 0: done at once; else from a timeout */
    int fail_code;         /* -1: succeed; else an E2cControlError for done */
    gboolean hostile_name; /* status lists a participant whose name holds terminal controls */
    GPtrArray *replies;    /* every reply line any helper read, for the canary check */
};

extern const struct e2c_control_ops fake_ops;

void fake_call_init(struct fake_call *f);
void fake_call_clear(struct fake_call *f);

/* A fresh 0700 directory; removed (with what is left in it) by rm_tree(). */
gchar *make_private_dir(void);
void rm_tree(const char *dir);

/* Connects (blocking connect, then non-blocking); -1 with errno on failure. */
int raw_connect(const char *path);
/* Sends everything (blocking); FALSE if the peer went away. */
gboolean raw_send(int fd, const void *data, gsize len);
/*
 * Runs the default main context until a complete line arrives on fd, EOF,
 * or timeout_ms. Returns the line without LF (also recorded in f->replies),
 * or NULL on EOF/timeout.
 */
gchar *raw_read_line(struct fake_call *f, int fd, guint timeout_ms);
/* Runs the default main context until fd reports EOF or an error (TRUE), or timeout_ms. */
gboolean raw_wait_closed(int fd, guint timeout_ms);
/* One request, one reply, on a fresh connection. */
gchar *raw_request(struct fake_call *f, const char *path, const char *line);
/* Iterates the main context until cond(data) or timeout_ms. */
gboolean run_until(gboolean (*cond)(gpointer), gpointer data, guint timeout_ms);
/* Iterates the main context for ms milliseconds. */
void run_for(guint ms);

/* The line "rekey <base64 of secret>\n". */
gchar *rekey_line(const char *secret);
