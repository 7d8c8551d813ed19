/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "impair-spec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KEYS_TEXT "delay, jitter, loss, rate, stall or dir"

/*
 * A number with at most three decimals ("200", "0.5") as thousandths, and
 * where its unit begins. The C library's strtod() would take the locale's
 * decimal point, signs, exponents and "inf"; a spec takes none of these.
 */
static bool
parse_milli(const char *s, uint64_t *milli, const char **unit)
{
    uint64_t whole = 0, frac = 0;
    unsigned digits = 0, decimals = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        whole = whole * 10 + (uint64_t)(*s - '0');
        if (whole > UINT32_MAX)
            return false;
    }
    if (*s == '.') {
        s++;
        for (; *s >= '0' && *s <= '9'; s++, decimals++) {
            if (decimals == 3)
                return false;
            frac = frac * 10 + (uint64_t)(*s - '0');
        }
        if (decimals == 0)
            return false;
    }
    if (digits == 0)
        return false;
    for (unsigned d = decimals; d < 3; d++)
        frac *= 10;
    *milli = whole * 1000 + frac;
    *unit = s;
    return true;
}

/* A time with its unit, ms or s, as whole milliseconds within [0, max]. */
static bool
parse_ms(const char *s, const char *end, uint32_t max, uint32_t *out)
{
    uint64_t milli;
    const char *unit;
    if (!parse_milli(s, &milli, &unit))
        return false;
    size_t n = (size_t)(end - unit);
    uint64_t ms;
    if (n == 2 && !strncmp(unit, "ms", 2)) {
        if (milli % 1000)
            return false; /* no fraction of a millisecond */
        ms = milli / 1000;
    } else if (n == 1 && *unit == 's') {
        ms = milli;
    } else {
        return false;
    }
    if (ms > max)
        return false;
    *out = (uint32_t)ms;
    return true;
}

/* A rate with its unit, kbit or mbit, as whole kbit/s within the limits. */
static bool
parse_kbit(const char *s, const char *end, uint32_t *out)
{
    uint64_t milli;
    const char *unit;
    if (!parse_milli(s, &milli, &unit))
        return false;
    size_t n = (size_t)(end - unit);
    uint64_t kbit;
    if (n == 4 && !strncmp(unit, "kbit", 4)) {
        if (milli % 1000)
            return false;
        kbit = milli / 1000;
    } else if (n == 4 && !strncmp(unit, "mbit", 4)) {
        kbit = milli;
    } else {
        return false;
    }
    if (kbit < E2C_IMPAIR_MIN_RATE_KBIT || kbit > E2C_IMPAIR_MAX_RATE_KBIT)
        return false;
    *out = (uint32_t)kbit;
    return true;
}

static bool
parse_pct(const char *s, const char *end, uint32_t max_pct, uint32_t *milli_out)
{
    uint64_t milli;
    const char *unit;
    if (!parse_milli(s, &milli, &unit) || end - unit != 1 || *unit != '%' ||
        milli > (uint64_t)max_pct * 1000)
        return false;
    *milli_out = (uint32_t)milli;
    return true;
}

/* "what 'value'after", the value cut so that the message fits. */
static bool
fail_after(char err[E2C_IMPAIR_ERROR_LEN], const char *what, const char *value, size_t len,
           const char *after)
{
    int shown = len > 40 ? 40 : (int)len;
    snprintf(err, E2C_IMPAIR_ERROR_LEN, "%s '%.*s%s'%s", what, shown, value, len > 40 ? "..." : "",
             after);
    return false;
}

static bool
fail(char err[E2C_IMPAIR_ERROR_LEN], const char *what, const char *value, size_t len)
{
    return fail_after(err, what, value, len, "");
}

static bool
is(const char *key, size_t n, const char *name)
{
    return strlen(name) == n && !strncmp(key, name, n);
}

/* One KEY=VALUE item between item and end. */
static bool
parse_item(const char *item, const char *end, struct e2c_impair *s, char err[E2C_IMPAIR_ERROR_LEN])
{
    const char *eq = memchr(item, '=', (size_t)(end - item));
    if (!eq)
        return fail(err, "expected KEY=VALUE (" KEYS_TEXT "), not", item, (size_t)(end - item));
    size_t klen = (size_t)(eq - item);
    const char *v = eq + 1;
    size_t vlen = (size_t)(end - v);
    unsigned key;
    bool ok;
    if (is(item, klen, "delay")) {
        key = E2C_IMPAIR_KEY_DELAY;
        ok = parse_ms(v, end, E2C_IMPAIR_MAX_DELAY_MS, &s->delay_ms);
        if (!ok)
            return fail(err, "delay takes a time in ms or s, at most 10s, not", v, vlen);
    } else if (is(item, klen, "jitter")) {
        key = E2C_IMPAIR_KEY_JITTER;
        ok = parse_ms(v, end, E2C_IMPAIR_MAX_DELAY_MS, &s->jitter_ms);
        if (!ok)
            return fail(err, "jitter takes a time in ms or s, at most 10s, not", v, vlen);
    } else if (is(item, klen, "loss")) {
        key = E2C_IMPAIR_KEY_LOSS;
        ok = parse_pct(v, end, 100, &s->loss_millipct);
        if (!ok)
            return fail(err, "loss takes a share from 0% to 100%, not", v, vlen);
    } else if (is(item, klen, "rate")) {
        key = E2C_IMPAIR_KEY_RATE;
        ok = parse_kbit(v, end, &s->rate_kbit);
        if (!ok)
            return fail(err, "rate takes kbit or mbit (a second), from 8kbit to 100mbit, not", v,
                        vlen);
    } else if (is(item, klen, "stall")) {
        key = E2C_IMPAIR_KEY_STALL;
        const char *at = memchr(v, '@', vlen);
        ok = at && parse_ms(v, at, E2C_IMPAIR_MAX_STALL_MS, &s->stall_ms) && s->stall_ms > 0 &&
             parse_ms(at + 1, end, E2C_IMPAIR_MAX_STALL_AT_MS, &s->stall_at_ms);
        if (!ok)
            return fail(err,
                        "stall takes DURATION@START, times in ms or s (e.g. 2s@10s; duration "
                        "more than 0, at most 1h), not",
                        v, vlen);
    } else if (is(item, klen, "dir")) {
        key = E2C_IMPAIR_KEY_DIR;
        if (is(v, vlen, "send"))
            s->dir = E2C_IMPAIR_SEND;
        else if (is(v, vlen, "recv"))
            s->dir = E2C_IMPAIR_RECV;
        else if (is(v, vlen, "both"))
            s->dir = E2C_IMPAIR_BOTH;
        else
            return fail(err, "dir takes send, recv or both, not", v, vlen);
    } else {
        return fail_after(err, "unknown key", item, klen, " (" KEYS_TEXT ")");
    }
    if (s->keys & key)
        return fail(err, "key given twice:", item, klen);
    s->keys |= key;
    return true;
}

bool
e2c_impair_parse(const char *text, struct e2c_impair *out, char err[E2C_IMPAIR_ERROR_LEN])
{
    struct e2c_impair s = {0};
    memset(out, 0, sizeof *out);
    if (!text || !*text) {
        snprintf(err, E2C_IMPAIR_ERROR_LEN,
                 "empty: give KEY=VALUE items separated by commas (" KEYS_TEXT ")");
        return false;
    }
    for (const char *item = text;;) {
        const char *end = strchr(item, ',');
        if (!end)
            end = item + strlen(item);
        if (end == item) {
            snprintf(err, E2C_IMPAIR_ERROR_LEN, "an empty item (two commas, or one at an end)");
            return false;
        }
        if (!parse_item(item, end, &s, err))
            return false;
        if (!*end)
            break;
        item = end + 1;
    }
    if (!(s.keys & ~(unsigned)E2C_IMPAIR_KEY_DIR)) {
        snprintf(err, E2C_IMPAIR_ERROR_LEN,
                 "nothing to impair: dir alone (add delay, jitter, loss, rate or stall)");
        return false;
    }
    if (!(s.keys & E2C_IMPAIR_KEY_DIR))
        s.dir = E2C_IMPAIR_SEND;
    *out = s;
    return true;
}

bool
e2c_impair_applies(const struct e2c_impair *s, enum e2c_impair_dir dir)
{
    return (s->keys & ~(unsigned)E2C_IMPAIR_KEY_DIR) && (s->dir & (unsigned)dir);
}

/* Appends to a text of E2C_IMPAIR_TEXT_LEN bytes (cut there; the longest spec fits). */
struct text {
    char *p;
    size_t left;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p, t->left, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->left)
        n = t->left ? (int)t->left - 1 : 0;
    t->p += n;
    t->left -= (size_t)n;
}

/* A time as the shortest exact text: "2s", "1500ms", "0ms". */
static void
put_ms(struct text *t, uint32_t ms)
{
    if (ms && ms % 1000 == 0)
        put(t, "%us", ms / 1000);
    else
        put(t, "%ums", ms);
}

void
e2c_impair_format(const struct e2c_impair *s, char out[E2C_IMPAIR_TEXT_LEN])
{
    struct text t = {out, E2C_IMPAIR_TEXT_LEN};
    out[0] = '\0';
    if (s->keys & E2C_IMPAIR_KEY_DELAY) {
        put(&t, "delay=");
        put_ms(&t, s->delay_ms);
        put(&t, ",");
    }
    if (s->keys & E2C_IMPAIR_KEY_JITTER) {
        put(&t, "jitter=");
        put_ms(&t, s->jitter_ms);
        put(&t, ",");
    }
    if (s->keys & E2C_IMPAIR_KEY_LOSS) {
        /* Decimals only as many as it takes: 5%, 0.5%, 0.25%, 0.125%. */
        uint32_t whole = s->loss_millipct / 1000, frac = s->loss_millipct % 1000;
        if (!frac)
            put(&t, "loss=%u%%,", whole);
        else if (frac % 100 == 0)
            put(&t, "loss=%u.%u%%,", whole, frac / 100);
        else if (frac % 10 == 0)
            put(&t, "loss=%u.%02u%%,", whole, frac / 10);
        else
            put(&t, "loss=%u.%03u%%,", whole, frac);
    }
    if (s->keys & E2C_IMPAIR_KEY_RATE) {
        if (s->rate_kbit % 1000 == 0)
            put(&t, "rate=%umbit,", s->rate_kbit / 1000);
        else
            put(&t, "rate=%ukbit,", s->rate_kbit);
    }
    if (s->keys & E2C_IMPAIR_KEY_STALL) {
        put(&t, "stall=");
        put_ms(&t, s->stall_ms);
        put(&t, "@");
        put_ms(&t, s->stall_at_ms);
        put(&t, ",");
    }
    put(&t, "dir=%s",
        s->dir == E2C_IMPAIR_RECV   ? "recv"
        : s->dir == E2C_IMPAIR_BOTH ? "both"
                                    : "send");
}

bool
e2c_impair_stalled(const struct e2c_impair *s, int64_t since_first_ns)
{
    if (!(s->keys & E2C_IMPAIR_KEY_STALL))
        return false;
    int64_t from = (int64_t)s->stall_at_ms * 1000000, to = from + (int64_t)s->stall_ms * 1000000;
    return since_first_ns >= from && since_first_ns < to;
}

void
e2c_impair_delay_range(const struct e2c_impair *s, uint32_t *min_ms, uint32_t *max_ms)
{
    *min_ms = s->delay_ms > s->jitter_ms ? s->delay_ms - s->jitter_ms : 0;
    *max_ms = s->delay_ms + s->jitter_ms;
}

/* ---- load's [WHO:]SPEC ------------------------------------------------------------------ */

static bool
parse_index(const char *s, const char *end, uint32_t *out)
{
    uint64_t v = 0;
    if (s == end)
        return false;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return false;
    }
    if (v == 0)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool
e2c_impair_rule_parse(const char *text, struct e2c_impair_rule *out, char err[E2C_IMPAIR_ERROR_LEN])
{
    memset(out, 0, sizeof *out);
    const char *colon = text ? strchr(text, ':') : NULL;
    if (!colon) {
        out->who = E2C_IMPAIR_ALL;
        return e2c_impair_parse(text, &out->spec, err);
    }
    size_t wlen = (size_t)(colon - text);
    const char *dash = memchr(text, '-', wlen);
    bool ok;
    if (wlen && text[wlen - 1] == '%') {
        uint32_t milli = 0;
        out->who = E2C_IMPAIR_SHARE;
        ok = parse_pct(text, colon, 100, &milli) && milli % 1000 == 0 && milli > 0;
        out->share_pct = milli / 1000;
    } else if (dash) {
        out->who = E2C_IMPAIR_RANGE;
        ok = parse_index(text, dash, &out->first) && parse_index(dash + 1, colon, &out->last) &&
             out->first <= out->last;
    } else {
        out->who = E2C_IMPAIR_RANGE;
        ok = parse_index(text, colon, &out->first);
        out->last = out->first;
    }
    if (!ok) {
        fail(err,
             "WHO (before ':') takes a participant (3), a range (1-5) or a whole share of "
             "them (10%), not",
             text, wlen);
        memset(out, 0, sizeof *out);
        return false;
    }
    if (!e2c_impair_parse(colon + 1, &out->spec, err)) {
        memset(out, 0, sizeof *out);
        return false;
    }
    return true;
}

bool
e2c_impair_rule_check(const struct e2c_impair_rule *r, uint32_t n, char err[E2C_IMPAIR_ERROR_LEN])
{
    if (r->who == E2C_IMPAIR_RANGE && r->last > n) {
        snprintf(err, E2C_IMPAIR_ERROR_LEN, "participant %u does not exist: they are 1-%u", r->last,
                 n);
        return false;
    }
    return true;
}

bool
e2c_impair_rule_covers(const struct e2c_impair_rule *r, uint32_t index, uint32_t n)
{
    switch (r->who) {
    case E2C_IMPAIR_ALL:
        return index >= 1 && index <= n;
    case E2C_IMPAIR_RANGE:
        return index >= r->first && index <= r->last;
    case E2C_IMPAIR_SHARE:
        return index >= 1 && (uint64_t)index * 100 <= (uint64_t)n * r->share_pct + 99 && index <= n;
    }
    return false;
}
