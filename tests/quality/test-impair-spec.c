/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --impair SPEC and load's [WHO:]SPEC (src/quality/impair-spec.h). */
#include <glib.h>
#include <string.h>

#include "impair-spec.h"

static struct e2c_impair
parse_ok(const char *text)
{
    struct e2c_impair s;
    char err[E2C_IMPAIR_ERROR_LEN] = "";
    if (!e2c_impair_parse(text, &s, err))
        g_error("'%s' refused: %s", text, err);
    return s;
}

/* Refused, with a message holding `needle`, and the output zeroed. */
static void
refused(const char *text, const char *needle)
{
    struct e2c_impair s;
    memset(&s, 0xff, sizeof s);
    char err[E2C_IMPAIR_ERROR_LEN] = "";
    g_assert_false(e2c_impair_parse(text, &s, err));
    if (!strstr(err, needle))
        g_error("'%s': message '%s' lacks '%s'", text ? text : "(null)", err, needle);
    struct e2c_impair zero = {0};
    g_assert_cmpmem(&s, sizeof s, &zero, sizeof zero);
}

static void
assert_format(const char *text, const char *canonical)
{
    struct e2c_impair s = parse_ok(text);
    char out[E2C_IMPAIR_TEXT_LEN];
    e2c_impair_format(&s, out);
    g_assert_cmpstr(out, ==, canonical);
    /* The canonical text means the same. */
    struct e2c_impair again = parse_ok(out);
    again.keys |= E2C_IMPAIR_KEY_DIR;
    s.keys |= E2C_IMPAIR_KEY_DIR;
    g_assert_cmpmem(&s, sizeof s, &again, sizeof again);
}

static void
test_every_key(void)
{
    struct e2c_impair s = parse_ok("delay=200ms,jitter=20ms,loss=5%,rate=500kbit,dir=send");
    g_assert_cmpuint(s.delay_ms, ==, 200);
    g_assert_cmpuint(s.jitter_ms, ==, 20);
    g_assert_cmpuint(s.loss_millipct, ==, 5000);
    g_assert_cmpuint(s.rate_kbit, ==, 500);
    g_assert_cmpuint(s.dir, ==, E2C_IMPAIR_SEND);
    g_assert_cmpuint(s.keys, ==,
                     E2C_IMPAIR_KEY_DELAY | E2C_IMPAIR_KEY_JITTER | E2C_IMPAIR_KEY_LOSS |
                         E2C_IMPAIR_KEY_RATE | E2C_IMPAIR_KEY_DIR);
    s = parse_ok("stall=2s@10s");
    g_assert_cmpuint(s.stall_ms, ==, 2000);
    g_assert_cmpuint(s.stall_at_ms, ==, 10000);
    g_assert_cmpuint(s.dir, ==, E2C_IMPAIR_SEND); /* the default */
    g_assert_cmpuint(parse_ok("loss=1%,dir=recv").dir, ==, E2C_IMPAIR_RECV);
    g_assert_cmpuint(parse_ok("dir=both,loss=1%").dir, ==, E2C_IMPAIR_BOTH);
}

static void
test_units(void)
{
    g_assert_cmpuint(parse_ok("delay=2s").delay_ms, ==, 2000);
    g_assert_cmpuint(parse_ok("delay=1.5s").delay_ms, ==, 1500);
    g_assert_cmpuint(parse_ok("delay=0.001s").delay_ms, ==, 1);
    g_assert_cmpuint(parse_ok("delay=0ms").delay_ms, ==, 0);
    g_assert_cmpuint(parse_ok("delay=10s").delay_ms, ==, 10000);
    g_assert_cmpuint(parse_ok("jitter=0.25s").jitter_ms, ==, 250);
    g_assert_cmpuint(parse_ok("rate=2mbit").rate_kbit, ==, 2000);
    g_assert_cmpuint(parse_ok("rate=1.5mbit").rate_kbit, ==, 1500);
    g_assert_cmpuint(parse_ok("rate=8kbit").rate_kbit, ==, 8);
    g_assert_cmpuint(parse_ok("rate=100mbit").rate_kbit, ==, 100000);
    g_assert_cmpuint(parse_ok("loss=0.5%").loss_millipct, ==, 500);
    g_assert_cmpuint(parse_ok("loss=0%").loss_millipct, ==, 0);
    g_assert_cmpuint(parse_ok("loss=100%").loss_millipct, ==, 100000);
    g_assert_cmpuint(parse_ok("loss=12.125%").loss_millipct, ==, 12125);
    struct e2c_impair s = parse_ok("stall=500ms@0s");
    g_assert_cmpuint(s.stall_ms, ==, 500);
    g_assert_cmpuint(s.stall_at_ms, ==, 0);
}

static void
test_bad_values(void)
{
    refused("", "empty");
    refused(NULL, "empty");
    refused("loss=5%,", "empty item");
    refused(",loss=5%", "empty item");
    refused("loss=5%,,delay=1s", "empty item");
    refused("foo=1", "unknown key 'foo'");
    refused("Delay=1s", "unknown key");
    refused("delay", "expected KEY=VALUE");
    refused("delay=", "delay takes");
    refused("delay=-200ms", "delay takes");
    refused("delay=200", "delay takes"); /* no unit */
    refused("delay=200 ms", "delay takes");
    refused("delay=200us", "delay takes");
    refused("delay=1.5ms", "delay takes"); /* no fraction of a millisecond */
    refused("delay=10001ms", "delay takes");
    refused("delay=1e3ms", "delay takes");
    refused("delay=.5s", "delay takes");
    refused("delay=5.s", "delay takes");
    refused("delay=0.0001s", "delay takes");
    refused("delay=99999999999999999999ms", "delay takes");
    refused("jitter=-1ms", "jitter takes");
    refused("jitter=20", "jitter takes");
    refused("loss=5", "loss takes"); /* no % */
    refused("loss=-5%", "loss takes");
    refused("loss=100.5%", "loss takes");
    refused("loss=101%", "loss takes");
    refused("loss=0.1234%", "loss takes");
    refused("loss=5%%", "loss takes");
    refused("rate=500", "rate takes");
    refused("rate=500kbps", "rate takes");
    refused("rate=-500kbit", "rate takes");
    refused("rate=0kbit", "rate takes");
    refused("rate=7kbit", "rate takes");
    refused("rate=1.5kbit", "rate takes");
    refused("rate=100001kbit", "rate takes");
    refused("rate=101mbit", "rate takes");
    refused("stall=2s", "stall takes");
    refused("stall=0s@1s", "stall takes");
    refused("stall=2s@", "stall takes");
    refused("stall=@1s", "stall takes");
    refused("stall=2@10s", "stall takes");
    refused("stall=2s@10", "stall takes");
    refused("stall=2s@-1s", "stall takes");
    refused("stall=3601s@1s", "stall takes");
    refused("dir=x,loss=1%", "dir takes send, recv or both, not 'x'");
    refused("dir=", "dir takes");
    refused("dir=recv", "nothing to impair");
    refused("loss=1%,loss=2%", "given twice");
    refused("dir=send,loss=1%,dir=recv", "given twice");
    refused("delay=1s,stall=1s@1s,delay=1s", "given twice");
}

/* A long bad value is cut in the message, which still fits. */
static void
test_long_value(void)
{
    char text[400];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    memcpy(text, "delay=", 6);
    refused(text, "...");
}

static void
test_format(void)
{
    assert_format("loss=5%", "loss=5%,dir=send");
    assert_format("dir=recv,loss=0.5%", "loss=0.5%,dir=recv");
    assert_format("loss=0.25%,dir=both", "loss=0.25%,dir=both");
    assert_format("loss=0.125%", "loss=0.125%,dir=send");
    assert_format("rate=1.5mbit,delay=0.2s,jitter=20ms",
                  "delay=200ms,jitter=20ms,rate=1500kbit,dir=send");
    assert_format("rate=2000kbit", "rate=2mbit,dir=send");
    assert_format("stall=2000ms@8s", "stall=2s@8s,dir=send");
    assert_format("delay=0ms", "delay=0ms,dir=send");
    /* The longest text there is fits. */
    assert_format("delay=9999ms,jitter=9999ms,loss=99.999%,rate=99999kbit,stall=3599999ms@"
                  "86399999ms,dir=both",
                  "delay=9999ms,jitter=9999ms,loss=99.999%,rate=99999kbit,stall=3599999ms@"
                  "86399999ms,dir=both");
}

static void
test_applies(void)
{
    struct e2c_impair s = parse_ok("loss=1%");
    g_assert_true(e2c_impair_applies(&s, E2C_IMPAIR_SEND));
    g_assert_false(e2c_impair_applies(&s, E2C_IMPAIR_RECV));
    s = parse_ok("loss=1%,dir=recv");
    g_assert_false(e2c_impair_applies(&s, E2C_IMPAIR_SEND));
    g_assert_true(e2c_impair_applies(&s, E2C_IMPAIR_RECV));
    s = parse_ok("loss=1%,dir=both");
    g_assert_true(e2c_impair_applies(&s, E2C_IMPAIR_SEND));
    g_assert_true(e2c_impair_applies(&s, E2C_IMPAIR_RECV));
    struct e2c_impair none = {0};
    g_assert_false(e2c_impair_applies(&none, E2C_IMPAIR_SEND));
    g_assert_false(e2c_impair_applies(&none, E2C_IMPAIR_RECV));
}

static void
test_stall_window(void)
{
    const int64_t ms = 1000000;
    struct e2c_impair s = parse_ok("stall=2s@8s");
    g_assert_false(e2c_impair_stalled(&s, 0));
    g_assert_false(e2c_impair_stalled(&s, 8000 * ms - 1));
    g_assert_true(e2c_impair_stalled(&s, 8000 * ms));
    g_assert_true(e2c_impair_stalled(&s, 9999 * ms));
    g_assert_false(e2c_impair_stalled(&s, 10000 * ms));
    g_assert_false(e2c_impair_stalled(&s, 3600000 * ms));
    s = parse_ok("loss=1%");
    g_assert_false(e2c_impair_stalled(&s, 9000 * ms));
}

static void
test_delay_range(void)
{
    uint32_t lo, hi;
    struct e2c_impair s = parse_ok("delay=200ms,jitter=20ms");
    e2c_impair_delay_range(&s, &lo, &hi);
    g_assert_cmpuint(lo, ==, 180);
    g_assert_cmpuint(hi, ==, 220);
    s = parse_ok("delay=10ms,jitter=30ms");
    e2c_impair_delay_range(&s, &lo, &hi);
    g_assert_cmpuint(lo, ==, 0);
    g_assert_cmpuint(hi, ==, 40);
    s = parse_ok("delay=200ms");
    e2c_impair_delay_range(&s, &lo, &hi);
    g_assert_cmpuint(lo, ==, 200);
    g_assert_cmpuint(hi, ==, 200);
}

static struct e2c_impair_rule
rule_ok(const char *text)
{
    struct e2c_impair_rule r;
    char err[E2C_IMPAIR_ERROR_LEN] = "";
    if (!e2c_impair_rule_parse(text, &r, err))
        g_error("rule '%s' refused: %s", text, err);
    return r;
}

static void
rule_refused(const char *text, const char *needle)
{
    struct e2c_impair_rule r;
    char err[E2C_IMPAIR_ERROR_LEN] = "";
    g_assert_false(e2c_impair_rule_parse(text, &r, err));
    if (!strstr(err, needle))
        g_error("rule '%s': message '%s' lacks '%s'", text, err, needle);
}

static void
test_rules(void)
{
    struct e2c_impair_rule r = rule_ok("loss=5%");
    g_assert_cmpint(r.who, ==, E2C_IMPAIR_ALL);
    g_assert_cmpuint(r.spec.loss_millipct, ==, 5000);
    for (uint32_t i = 1; i <= 7; i++)
        g_assert_true(e2c_impair_rule_covers(&r, i, 7));
    g_assert_false(e2c_impair_rule_covers(&r, 8, 7));

    r = rule_ok("3:delay=1s");
    g_assert_cmpint(r.who, ==, E2C_IMPAIR_RANGE);
    g_assert_false(e2c_impair_rule_covers(&r, 2, 7));
    g_assert_true(e2c_impair_rule_covers(&r, 3, 7));
    g_assert_false(e2c_impair_rule_covers(&r, 4, 7));

    r = rule_ok("2-5:stall=1s@5s");
    g_assert_false(e2c_impair_rule_covers(&r, 1, 7));
    g_assert_true(e2c_impair_rule_covers(&r, 2, 7));
    g_assert_true(e2c_impair_rule_covers(&r, 5, 7));
    g_assert_false(e2c_impair_rule_covers(&r, 6, 7));
    char err[E2C_IMPAIR_ERROR_LEN];
    g_assert_true(e2c_impair_rule_check(&r, 5, err));
    g_assert_false(e2c_impair_rule_check(&r, 4, err));
    g_assert_nonnull(strstr(err, "participant 5 does not exist: they are 1-4"));

    /* A share: the first ceil(N x share) participants. */
    r = rule_ok("10%:loss=1%,dir=recv");
    g_assert_cmpint(r.who, ==, E2C_IMPAIR_SHARE);
    g_assert_cmpuint(r.spec.dir, ==, E2C_IMPAIR_RECV);
    g_assert_true(e2c_impair_rule_covers(&r, 1, 20));
    g_assert_true(e2c_impair_rule_covers(&r, 2, 20));
    g_assert_false(e2c_impair_rule_covers(&r, 3, 20));
    g_assert_true(e2c_impair_rule_covers(&r, 1, 3)); /* 0.3 rounds up to one */
    g_assert_false(e2c_impair_rule_covers(&r, 2, 3));
    g_assert_true(e2c_impair_rule_check(&r, 3, err));
    r = rule_ok("100%:loss=1%");
    g_assert_true(e2c_impair_rule_covers(&r, 3, 3));
    g_assert_false(e2c_impair_rule_covers(&r, 4, 3));

    rule_refused("0:loss=1%", "WHO");
    rule_refused("5-2:loss=1%", "WHO");
    rule_refused("-2:loss=1%", "WHO");
    rule_refused("a:loss=1%", "WHO");
    rule_refused(":loss=1%", "WHO");
    rule_refused("0%:loss=1%", "WHO");
    rule_refused("101%:loss=1%", "WHO");
    rule_refused("2.5%:loss=1%", "WHO");
    rule_refused("3:", "empty");
    rule_refused("3:bogus=1", "unknown key");
    rule_refused("3:loss=1%:x", "loss takes");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/impair/every-key", test_every_key);
    g_test_add_func("/impair/units", test_units);
    g_test_add_func("/impair/bad-values", test_bad_values);
    g_test_add_func("/impair/long-value", test_long_value);
    g_test_add_func("/impair/format", test_format);
    g_test_add_func("/impair/applies", test_applies);
    g_test_add_func("/impair/stall-window", test_stall_window);
    g_test_add_func("/impair/delay-range", test_delay_range);
    g_test_add_func("/impair/rules", test_rules);
    return g_test_run();
}
