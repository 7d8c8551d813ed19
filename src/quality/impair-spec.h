/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --impair SPEC (join, load) and load's [WHO:]SPEC: the network conditions a
 * participant's RTP streams go through (e2call(1), NETWORK IMPAIRMENT). Pure
 * parsing and arithmetic, libc only: src/call/impair.c turns a spec into
 * GStreamer elements.
 *
 * SPEC: comma-separated KEY=VALUE, each key at most once:
 *   delay=D    every packet D later (ms or s)
 *   jitter=D   each packet's delay uniform in [max(0, delay - D), delay + D]
 *   loss=P%    each packet dropped with probability P (0-100 %)
 *   rate=R     at most R kbit or mbit a second per stream (a policer: drops)
 *   stall=D@T  every packet dropped for D, from T after the stream's first packet
 *   dir=send|recv|both   which streams (default send)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define E2C_IMPAIR_MAX_DELAY_MS 10000u
#define E2C_IMPAIR_MAX_STALL_MS 3600000u     /* an hour */
#define E2C_IMPAIR_MAX_STALL_AT_MS 86400000u /* a day */
#define E2C_IMPAIR_MIN_RATE_KBIT 8u
/*
 * 100 Mbit/s: netsim counts its tokens (bits) in a gint, refilled for the
 * time since the last packet; at this rate a 21 s gap still fits.
 */
#define E2C_IMPAIR_MAX_RATE_KBIT 100000u
/* An error message, the value quoted in it included, fits in this. */
#define E2C_IMPAIR_ERROR_LEN 160
/* e2c_impair_format()'s longest text, NUL included. */
#define E2C_IMPAIR_TEXT_LEN 128

enum e2c_impair_dir {
    E2C_IMPAIR_SEND = 1,
    E2C_IMPAIR_RECV = 2,
    E2C_IMPAIR_BOTH = 3,
};

/* The keys given (bits of e2c_impair.keys). */
enum {
    E2C_IMPAIR_KEY_DELAY = 1u << 0,
    E2C_IMPAIR_KEY_JITTER = 1u << 1,
    E2C_IMPAIR_KEY_LOSS = 1u << 2,
    E2C_IMPAIR_KEY_RATE = 1u << 3,
    E2C_IMPAIR_KEY_STALL = 1u << 4,
    E2C_IMPAIR_KEY_DIR = 1u << 5,
};

/* All zero: no impairment. */
struct e2c_impair {
    unsigned keys;
    unsigned dir; /* enum e2c_impair_dir; 0 only in the zero value */
    uint32_t delay_ms, jitter_ms;
    uint32_t loss_millipct; /* 5 % is 5000 */
    uint32_t rate_kbit;     /* 0: no cap */
    uint32_t stall_ms, stall_at_ms;
};

/*
 * Parses text into *out: true, or false with a message in err (e.g. "unknown
 * key 'foo' (delay, jitter, loss, rate, stall or dir)") and *out zeroed.
 * A spec with nothing but dir is refused: it would impair nothing.
 */
bool e2c_impair_parse(const char *text, struct e2c_impair *out, char err[E2C_IMPAIR_ERROR_LEN]);
/* Something to do for streams of direction dir (E2C_IMPAIR_SEND or _RECV). */
bool e2c_impair_applies(const struct e2c_impair *s, enum e2c_impair_dir dir);
/* The canonical text (keys in a fixed order, units normalised, dir always): "delay=200ms,dir=send".
 */
void e2c_impair_format(const struct e2c_impair *s, char out[E2C_IMPAIR_TEXT_LEN]);
/* Whether a packet since_first_ns after the stream's first one falls in the stall. */
bool e2c_impair_stalled(const struct e2c_impair *s, int64_t since_first_ns);
/* The delay range of a packet in ms, for netsim's min-delay and max-delay. */
void e2c_impair_delay_range(const struct e2c_impair *s, uint32_t *min_ms, uint32_t *max_ms);

/*
 * load's --impair [WHO:]SPEC. WHO: a participant (1-based) "3", a range
 * "1-5", or a share "10%" (the first ceil(N x share) participants); without
 * WHO, every participant.
 */
enum e2c_impair_who { E2C_IMPAIR_ALL, E2C_IMPAIR_RANGE, E2C_IMPAIR_SHARE };

struct e2c_impair_rule {
    enum e2c_impair_who who;
    uint32_t first, last; /* E2C_IMPAIR_RANGE: 1-based, inclusive */
    uint32_t share_pct;   /* E2C_IMPAIR_SHARE: 1-100 */
    struct e2c_impair spec;
};

bool e2c_impair_rule_parse(const char *text, struct e2c_impair_rule *out,
                           char err[E2C_IMPAIR_ERROR_LEN]);
/* The rule's participants exist among n: true, or false with a message in err. */
bool e2c_impair_rule_check(const struct e2c_impair_rule *r, uint32_t n,
                           char err[E2C_IMPAIR_ERROR_LEN]);
/* Whether participant index (1-based) of n is one of the rule's. */
bool e2c_impair_rule_covers(const struct e2c_impair_rule *r, uint32_t index, uint32_t n);
