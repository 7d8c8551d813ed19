#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Malformed command lines: every flag of every command with a bad value, or in
# a combination that contradicts itself, plus unknown flags and stray
# arguments. Each must end in exit status 2 (usage; 3 for an invalid secret,
# as e2call(1), EXIT STATUS says) with one clear line on standard error that names the
# flag or the value, nothing on standard output, and no attempt to connect.
# Every flag that --help-all lists must be covered by some case below, and
# every flag that takes a value is refused when given twice. Each message
# starts with "e2call COMMAND: " (one form for every command), as do the
# errors at run time checked at the end.
#
# Usage: bad-flags.sh E2CALL
set -u
e2call=${1:?usage: bad-flags.sh E2CALL}

# Nothing listens here: a case that wrongly passes its checks fails fast
# with 8 (CONNECT_FAILED) instead of waiting.
E2CALL_SERVER=ws://127.0.0.1:9/
export E2CALL_SERVER
unset E2C_NOT_SET

work=$(mktemp -d "${TMPDIR:-/tmp}/e2call-bad-flags.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'correct horse battery staple\n' >"$work/good.secret"
printf 'short\n' >"$work/short.secret"
printf 'one two\n' >"$work/bad.map"
chmod 600 "$work/good.secret" "$work/short.secret"

failures=0
cases=0
covered=""

# prefix_of CMD ARGS...: how e2call's messages about that command begin.
prefix_of() {
    case "$1 ${2:-}" in
    "session create" | "session destroy") echo "e2call $1 $2: " ;;
    *) echo "e2call $1: " ;;
    esac
}

# bad STATUS PATTERN COVERS -- CMD ARGS...
#   STATUS   the exit status expected
#   PATTERN  an extended regex the stderr line must match (what makes it clear)
#   COVERS   "command:--flag ..." this case counts for (command words joined by '-')
bad() {
    want=$1 pattern=$2 covers=$3
    shift 4
    cases=$((cases + 1))
    covered="$covered $covers"
    timeout 20 "$e2call" "$@" </dev/null >"$work/out" 2>"$work/err"
    got=$?
    lines=$(wc -l <"$work/err")
    prefix=$(prefix_of "$@")
    why=""
    if [ "$got" -ne "$want" ]; then
        why="exit status $got, expected $want"
    elif [ -s "$work/out" ]; then
        why="wrote to standard output"
    elif [ "$lines" -ne 1 ]; then
        why="$lines lines on standard error, expected one"
    elif ! grep -qE -- "$pattern" "$work/err"; then
        why="the message does not match /$pattern/"
    elif [ "$(head -c ${#prefix} "$work/err")" != "$prefix" ]; then
        why="the message does not start with '$prefix'"
    fi
    if [ -n "$why" ]; then
        failures=$((failures + 1))
        echo "FAIL: e2call $*: $why"
        sed 's/^/    | /' "$work/err" | head -n 5
    else
        echo "ok: e2call $* -> $got: $(cat "$work/err")"
    fi
}

# ---- join ----
bad 2 "--room.*'abc'" join:--room -- join --room abc
bad 2 "--room" join:--room -- join --room 0
bad 2 "--room.*99999999999999999999" join:--room -- join --room 99999999999999999999
bad 2 "--room" join:--room -- join --video vp8
bad 2 "--server.*http://" join:--server -- join --room 5 --server http://example.invalid/
bad 2 "--display" join:--display -- join --room 5 --display
bad 2 "--video.*'av1'" join:--video -- join --room 5 --video av1
bad 2 "--video" join:--video -- join --room 5 --video ''
bad 2 "--audio.*'mp3'" join:--audio -- join --room 5 --audio mp3
bad 2 "--width" join:--width -- join --room 5 --width 3
bad 2 "--width" join:--width -- join --room 5 --width abc
bad 2 "--width" join:--width -- join --room 5 --width 99999999999
bad 2 "--height" join:--height -- join --room 5 --height 121
bad 2 "--fps" join:--fps -- join --room 5 --fps 0
bad 2 "--fps" join:--fps -- join --room 5 --fps 30x
bad 2 "--video-bitrate" join:--video-bitrate -- join --room 5 --video-bitrate 1
bad 2 "--audio-bitrate" join:--audio-bitrate -- join --room 5 --audio-bitrate 1000
bad 2 "--keyframe-interval" join:--keyframe-interval -- join --room 5 --keyframe-interval 0
bad 2 "--media-file.*/nonexistent" join:--media-file -- join --room 5 --media-file /nonexistent
bad 2 "--duration.*'5x'" join:--duration -- join --room 5 --duration 5x
bad 2 "--duration" join:--duration -- join --room 5 --duration -5s
bad 2 "--duration must be more than 0" join:--duration -- join --room 5 --duration 0
bad 2 "--expect-media.*'0'" join:--expect-media -- join --room 5 --expect-media=0
bad 2 "--expect-media.*'abc'" join:--expect-media -- join --room 5 --expect-media=abc
bad 2 "--expect-media" join:--expect-media -- join --room 5 --expect-media --no-subscribe
bad 2 "--snapshot.*/nonexistent" join:--snapshot -- join --room 5 --snapshot /nonexistent
bad 2 "--cipher-suite.*'9'" join:--cipher-suite -- join --room 5 --cipher-suite 9
bad 2 "--cipher-suite" join:--cipher-suite -- join --room 5 --cipher-suite AES_999
bad 2 "--rekey-delay.*'x'" join:--rekey-delay -- join --room 5 --rekey-delay x
bad 2 "--control.*--no-control" "join:--control join:--no-control" -- join --room 5 --control "$work/c.sock" --no-control
bad 2 "--control" join:--control -- join --room 5 --control
bad 2 "--latency" join:--latency -- join --room 5 --latency -1
bad 2 "--stats-interval" join:--stats-interval -- join --room 5 --stats-interval -1
# --impair SPEC (e2call(1), NETWORK IMPAIRMENT): refused before joining.
bad 2 "--impair: empty" join:--impair -- join --room 5 --impair ''
bad 2 "--impair: unknown key 'foo'" join:--impair -- join --room 5 --impair foo=1
bad 2 "--impair: key given twice: 'loss'" join:--impair -- join --room 5 --impair loss=1%,loss=2%
bad 2 "--impair: loss takes .* not '101%'" join:--impair -- join --room 5 --impair loss=101%
bad 2 "--impair: loss takes .* not '5'" join:--impair -- join --room 5 --impair loss=5
bad 2 "--impair: delay takes .* not '-200ms'" join:--impair -- join --room 5 --impair delay=-200ms
bad 2 "--impair: delay takes .* not '200'" join:--impair -- join --room 5 --impair delay=200
bad 2 "--impair: jitter takes .* not '20'" join:--impair -- join --room 5 --impair jitter=20
bad 2 "--impair: rate takes .* not '500'" join:--impair -- join --room 5 --impair rate=500
bad 2 "--impair: rate takes .* not '500kbps'" join:--impair -- join --room 5 --impair rate=500kbps
bad 2 "--impair: stall takes .* not '2s'" join:--impair -- join --room 5 --impair stall=2s
bad 2 "--impair: dir takes send, recv or both, not 'x'" join:--impair -- join --room 5 --impair loss=1%,dir=x
bad 2 "--impair: nothing to impair" join:--impair -- join --room 5 --impair dir=recv
bad 2 "--impair: an empty item" join:--impair -- join --room 5 --impair loss=1%,
bad 2 "--impair: expected KEY=VALUE" join:--impair -- join --room 5 --impair loss
bad 2 "--connect-timeout must be more than 0" join:--connect-timeout -- join --room 5 --connect-timeout 0
# Report files: checked before joining, nothing left behind.
bad 2 "--junit '/nonexistent/r.xml' cannot be written" join:--junit -- join --room 5 --junit /nonexistent/r.xml
bad 2 "--junit '/' is a directory" join:--junit -- join --room 5 --junit /
bad 2 "--metrics '/nonexistent/m.prom' cannot be written" join:--metrics -- join --room 5 --metrics /nonexistent/m.prom
bad 2 "--metrics '$work' is a directory" join:--metrics -- join --room 5 --metrics "$work"
bad 2 "--junit and --metrics name the same file" "join:--junit join:--metrics" -- join --room 5 --junit "$work/r" --metrics "$work/r"
bad 2 "--metrics-interval.*'0'" join:--metrics-interval -- join --room 5 --metrics "$work/m.prom" --metrics-interval 0
bad 2 "--metrics-interval.*'abc'" join:--metrics-interval -- join --room 5 --metrics "$work/m.prom" --metrics-interval abc
bad 2 "--metrics-interval.*'500ms'" join:--metrics-interval -- join --room 5 --metrics "$work/m.prom" --metrics-interval 500ms
bad 2 "--metrics-interval needs --metrics" join:--metrics-interval -- join --room 5 --metrics-interval 2s
for f in "$work"/m.prom* "$work"/r "$work"/r.*; do
    [ -e "$f" ] || continue
    failures=$((failures + 1))
    echo "FAIL: a refused join left $f behind"
done
bad 2 "--connect-timeout.*'soon'" join:--connect-timeout -- join --room 5 --connect-timeout soon
bad 2 "--reconnect-attempts" join:--reconnect-attempts -- join --room 5 --reconnect-attempts -1
bad 2 "--reconnect-attempts" join:--reconnect-attempts -- join --room 5 --reconnect-attempts 1001
bad 2 "reconnect-attempts" join:--reconnect-attempts -- join --room 5 --reconnect-attempts many
bad 2 "--no-publish.*--no-subscribe" "join:--no-publish join:--no-subscribe" -- join --room 5 --no-publish --no-subscribe
bad 2 "--plain.*secret" "join:--plain join:--secret-env" -- join --room 5 --plain --secret-env HOME
bad 2 "exactly one of" "join:--secret-stdin join:--secret-file" -- join --room 5 --secret-stdin --secret-file "$work/good.secret"
bad 2 "secret.*file.*No such file" join:--secret-file -- join --room 5 --secret-file /nonexistent
bad 2 "secret.*file.*directory" join:--secret-file -- join --room 5 --secret-file /
bad 2 "'E2C_NOT_SET' is not set" join:--secret-env -- join --room 5 --secret-env E2C_NOT_SET
bad 3 "INVALID_ENCRYPTION_SECRET.*5 characters" join:--secret-file -- join --room 5 --secret-file "$work/short.secret"
bad 2 "Unknown option --bogus" join:unknown -- join --room 5 --bogus
bad 2 "unexpected argument 'extra'" join:extra -- join --room 5 extra
# --secret TEXT warns first (two lines): checked in hygiene.sh; --json and
# --quiet take no value that could be wrong.

# ---- session ----
bad 2 "--room" session-create:--room -- session create --room abc
bad 2 "--server.*http://" session-create:--server -- session create --server http://example.invalid/
bad 2 "--publishers" session-create:--publishers -- session create --publishers 0
bad 2 "--publishers" session-create:--publishers -- session create --publishers x
bad 2 "--bitrate" session-create:--bitrate -- session create --bitrate -5
bad 2 "--fir-freq" session-create:--fir-freq -- session create --fir-freq 99999
bad 2 "--video-codecs" session-create:--video-codecs -- session create --video-codecs av1
bad 2 "--video-codecs" session-create:--video-codecs -- session create --video-codecs vp8,
bad 2 "--description" session-create:--description -- session create --description
bad 2 "--record.*--e2ee" "session-create:--record session-create:--e2ee" -- session create --e2ee --record
bad 2 "Unknown option --bogus" session-create:unknown -- session create --bogus
bad 2 "unexpected argument 'extra'" session-create:extra -- session create extra
bad 2 "--room" session-destroy:--room -- session destroy
bad 2 "--room.*'x'" session-destroy:--room -- session destroy --room x
bad 2 "--server.*ftp://" session-destroy:--server -- session destroy --room 5 --server ftp://x/
bad 2 "unexpected argument 'extra'" session-destroy:extra -- session destroy --room 5 extra
bad 2 "Unknown option --bogus" session-destroy:unknown -- session destroy --bogus
bad 2 "unknown subcommand 'bogus'" session:unknown -- session bogus
# (--private, --e2ee and --json take no value; --e2ee is covered with --record.)

# ---- control commands ----
bad 2 "exactly one of" rekey:--secret-stdin -- rekey
bad 2 "exactly one of" "rekey:--secret-file rekey:--secret-stdin" -- rekey --secret-file "$work/good.secret" --secret-stdin
bad 2 "secret.*file.*No such file" rekey:--secret-file -- rekey --secret-file /nonexistent
bad 3 "INVALID_ENCRYPTION_SECRET" rekey:--secret-file -- rekey --secret-file "$work/short.secret" --control "$work/none.sock"
bad 2 "--timeout" rekey:--timeout -- rekey --timeout 5x --secret-stdin
bad 2 "--control" rekey:--control -- rekey --secret-stdin --control
bad 2 "Unknown option --secret" rekey:unknown -- rekey --secret correct-horse-battery
bad 2 "Unknown option --secret-env" rekey:unknown -- rekey --secret-env HOME
for cmd in status stats leave; do
    bad 2 "--timeout" "$cmd:--timeout" -- "$cmd" --timeout 0
    bad 2 "--timeout" "$cmd:--timeout" -- "$cmd" --timeout 2h
    bad 2 "--control" "$cmd:--control" -- "$cmd" --control
    bad 2 "unexpected argument 'extra'" "$cmd:extra" -- "$cmd" extra
    bad 2 "Unknown option --bogus" "$cmd:unknown" -- "$cmd" --bogus
done
bad 2 "Unknown option --json" leave:unknown -- leave --json

# ---- load ----
L="load --room 5 --participants 2 --secrets $work/good.secret"
# shellcheck disable=SC2086
{
bad 2 "--room" load:--room -- load --participants 2 --secrets "$work/good.secret"
bad 2 "--room" load:--room -- $L --room abc
bad 2 "--server.*ws://" load:--server -- $L --server http://example.invalid/
bad 2 "--participants" load:--participants -- load --room 5 --secrets "$work/good.secret"
bad 2 "--participants" load:--participants -- $L --participants 1001
bad 2 "--publishers.*0 or more" load:--publishers -- $L --publishers -2
bad 2 "--publishers cannot exceed" load:--publishers -- $L --publishers 3
bad 2 "--secrets" load:--secrets -- load --room 5 --participants 2
bad 2 "--secrets '/nonexistent'" load:--secrets -- load --room 5 --participants 2 --secrets /nonexistent
bad 2 "--secrets '/'.*directory" load:--secrets -- load --room 5 --participants 2 --secrets /
bad 3 "INVALID_ENCRYPTION_SECRET: line 1 of --secrets" load:--secrets -- load --room 5 --participants 2 --secrets "$work/short.secret"
bad 2 "--assign '/nonexistent'" load:--assign -- $L --assign /nonexistent
bad 2 "--assign line 1" load:--assign -- $L --assign "$work/bad.map"
bad 2 "--expect-groups line 1" load:--expect-groups -- $L --expect-groups "$work/bad.map"
bad 2 "--duration" load:--duration -- $L --duration 5x
bad 2 "--duration must be more than 0" load:--duration -- $L --duration 0
bad 2 "--ramp" load:--ramp -- $L --ramp 0
bad 2 "--max-loss" load:--max-loss -- $L --max-loss 101
bad 2 "--max-behind must be more than 0" load:--max-behind -- $L --max-behind 0
bad 2 "--max-behind" load:--max-behind -- $L --max-behind soon
bad 2 "--index" load:--index -- $L --index -1
bad 2 "--rekey-every" load:--rekey-every -- $L --rekey-every 500ms
bad 2 "--rekey-delay" load:--rekey-delay -- $L --rekey-delay x
bad 2 "--video" load:--video -- $L --video av1
bad 2 "--width" load:--width -- $L --width 3
bad 2 "--height" load:--height -- $L --height 121
bad 2 "--junit '/nonexistent/r.xml' cannot be written" load:--junit -- $L --junit /nonexistent/r.xml
bad 2 "--metrics '/' is a directory" load:--metrics -- $L --metrics /
bad 2 "--metrics-interval.*'0'" load:--metrics-interval -- $L --metrics "$work/m.prom" --metrics-interval 0
bad 2 "--metrics-interval needs --metrics" load:--metrics-interval -- $L --metrics-interval 2s
bad 2 "--fps" load:--fps -- $L --fps 0
bad 2 "--video-bitrate" load:--video-bitrate -- $L --video-bitrate 1
bad 2 "--cipher-suite" load:--cipher-suite -- $L --cipher-suite 9
bad 2 "--latency" load:--latency -- $L --latency -1
bad 2 "--stats-interval" load:--stats-interval -- $L --stats-interval -1
bad 2 "--impair '': empty" load:--impair -- $L --impair ''
bad 2 "--impair 'loss=101%': loss takes" load:--impair -- $L --impair loss=101%
bad 2 "--impair '2:dir=x': dir takes" load:--impair -- $L --impair 2:dir=x
bad 2 "--impair '3:loss=1%': participant 3 does not exist: they are 1-2" load:--impair -- $L --impair 3:loss=1%
bad 2 "--impair '1-3:loss=1%': participant 3 does not exist" load:--impair -- $L --impair 1-3:loss=1%
bad 2 "--impair '2-1:loss=1%': WHO" load:--impair -- $L --impair 2-1:loss=1%
bad 2 "--impair '0%:loss=1%': WHO" load:--impair -- $L --impair 0%:loss=1%
bad 2 "--impair 'x:loss=1%': WHO" load:--impair -- $L --impair x:loss=1%
bad 2 "--impair '1:bogus=1': unknown key 'bogus'" load:--impair -- $L --impair 1:loss=1% --impair 1:bogus=1
bad 2 "--control.*--no-control" "load:--control load:--no-control" -- $L --control "$work/c.sock" --no-control
bad 2 "unexpected argument 'extra'" load:extra -- $L extra
bad 2 "Unknown option --bogus" load:unknown -- $L --bogus
}

# ---- router access: join, load, session (see also router-errors.sh) ----
: >"$work/empty.cred"
chmod 600 "$work/empty.cred"
printf 'not a certificate\n' >"$work/junk.pem"
for cmd in join session-create session-destroy load; do
    case $cmd in
    join) args="join --room 5" kinds="api-secret token room-pin" ;;
    session-create) args="session create" kinds="api-secret token room-pin room-secret" ;;
    session-destroy) args="session destroy --room 5" kinds="api-secret token room-secret" ;;
    load) args=$L kinds="api-secret token room-pin" ;;
    esac
    # shellcheck disable=SC2086
    {
    for k in $kinds; do
        bad 2 "in '.*empty.cred' is empty" "$cmd:--$k-file" -- $args --$k-file "$work/empty.cred"
        bad 2 "'E2C_NOT_SET' \(the .*\) is not set" "$cmd:--$k-env" -- $args --$k-env E2C_NOT_SET
    done
    bad 2 "--ca-file: the CA file .*holds no PEM certificate" "$cmd:--ca-file" -- $args \
        --ca-file "$work/junk.pem"
    }
done

# ---- check ----
bad 2 "unexpected argument 'extra'" check:extra -- check extra
bad 2 "Unknown option --bogus" check:unknown -- check --bogus

# ---- no command, unknown command: the message, then the usage ----
for args in "" "bogus" "--bogus"; do
    cases=$((cases + 1))
    # shellcheck disable=SC2086
    timeout 20 "$e2call" $args </dev/null >"$work/out" 2>"$work/err"
    got=$?
    first=$(head -n 1 "$work/err")
    if [ "$got" -ne 2 ] || [ -s "$work/out" ] ||
        ! echo "$first" | grep -qE "^(e2call: unknown command|Usage: e2call)"; then
        failures=$((failures + 1))
        echo "FAIL: e2call $args: exit $got, first line '$first'"
    else
        echo "ok: e2call $args -> 2: $first"
    fi
done

# ---- join and load ----
# Quality limits (both commands): more than 0, with their unit (a bare 500 could
# be ms or s), at most 100 %.
for cmd in "join --room 5" "$L"; do
    c=${cmd%% *}
    # shellcheck disable=SC2086
    {
    bad 2 "--max-freeze takes a time with its unit" $c:--max-freeze -- $cmd --max-freeze 0
    bad 2 "--max-freeze takes a time with its unit" $c:--max-freeze -- $cmd --max-freeze 0ms
    bad 2 "--max-freeze takes a time with its unit" $c:--max-freeze -- $cmd --max-freeze -500ms
    bad 2 "--max-freeze takes a time with its unit" $c:--max-freeze -- $cmd --max-freeze 500
    bad 2 "--max-freeze takes a time with its unit" $c:--max-freeze -- $cmd --max-freeze 5%
    bad 2 "--max-freeze given twice" $c:--max-freeze -- $cmd --max-freeze 1s --max-freeze 2s
    bad 2 "--max-frozen takes a percentage" $c:--max-frozen -- $cmd --max-frozen 0
    bad 2 "--max-frozen takes a percentage" $c:--max-frozen -- $cmd --max-frozen 0%
    bad 2 "--max-frozen takes a percentage" $c:--max-frozen -- $cmd --max-frozen -5%
    bad 2 "--max-frozen takes a percentage" $c:--max-frozen -- $cmd --max-frozen 50
    bad 2 "--max-frozen takes a percentage" $c:--max-frozen -- $cmd --max-frozen 150%
    bad 2 "--max-frozen takes a percentage" $c:--max-frozen -- $cmd --max-frozen 5%%
    bad 2 "--max-frozen given twice" $c:--max-frozen -- $cmd --max-frozen 5% --max-frozen 6%
    for v in 0 0ms 400 -400ms 5% p95: p95:0ms p99:600 p90:400ms P95:400ms mean:400ms :400ms \
        p95:p99:400ms; do
        bad 2 "--max-latency takes a time with its unit" $c:--max-latency -- $cmd --max-latency "$v"
    done
    # Once per figure: p95 is the figure of a bare time.
    bad 2 "--max-latency given twice for p95: it takes one limit per figure" $c:--max-latency \
        -- $cmd --max-latency 400ms --max-latency p95:500ms
    bad 2 "--max-latency given twice for p99: it takes one limit per figure" $c:--max-latency \
        -- $cmd --max-latency p99:1s --max-latency p99:2s
    # The limits judge the figures --no-quality-figures does not measure.
    bad 2 "need the figures --no-quality-figures turns off" $c:--no-quality-figures -- $cmd --no-quality-figures --max-freeze 1s
    bad 2 "need the figures --no-quality-figures turns off" $c:--no-quality-figures -- $cmd --max-frozen 5% --no-quality-figures
    bad 2 "need the figures --no-quality-figures turns off" $c:--no-quality-figures -- $cmd --no-quality-figures --max-latency 400ms
    }
done
bad 2 "--max-freeze, --max-frozen and --max-latency need subscribing" join:--max-freeze -- join --room 5 --max-freeze 1s --no-subscribe
bad 2 "--max-freeze, --max-frozen and --max-latency need subscribing" join:--max-latency -- join --room 5 --max-latency 1s --no-subscribe
# Several figures are one limit each: accepted, the run goes on (to the router nobody runs:
# 8, and --quiet leaves standard error empty).
cases=$((cases + 1))
timeout 20 "$e2call" join --quiet --room 5 --max-latency 400ms --max-latency p99:600ms \
    --max-latency max:2s --max-latency p50:100ms </dev/null >"$work/out" 2>"$work/err"
got=$?
if [ "$got" -ne 8 ] || [ -s "$work/err" ]; then
    failures=$((failures + 1))
    echo "FAIL: --max-latency once per figure: exit $got (expected 8), stderr: $(head -n 1 "$work/err")"
else
    echo "ok: --max-latency once per figure -> 8 (not a usage error)"
fi

# ---- a flag that takes one value, given twice (the first must not silently lose) ----
bad 2 "^e2call join: --room given twice" join:--room -- join --room 1 --room 2
bad 2 "^e2call join: --room given twice" join:--room -- join -r 1 --room 2
bad 2 "^e2call join: --expect-media given twice" join:--expect-media -- join --room 5 -e -e
bad 2 "^e2call join: --secret given twice" join:--secret -- join --room 5 --secret one-secret --secret another-one
grep -q one-secret "$work/err" && { failures=$((failures + 1)); echo "FAIL: a secret in the message"; }
twice=0
for cmd in join "session create" "session destroy" check rekey status stats leave load; do
    # shellcheck disable=SC2086
    flags=$("$e2call" $cmd --help-all 2>/dev/null |
        sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\)=.*/\2/p' |
        grep -vE -- '^--(help|gst-)' | sort -u)
    for f in $flags; do
        # load's --impair is repeatable by design: one per group of participants; --max-latency
        # once per figure (its own cases above).
        [ "$cmd $f" = "load --impair" ] && continue
        [ "$f" = "--max-latency" ] && continue
        twice=$((twice + 1))
        # shellcheck disable=SC2086
        bad 2 "^$(prefix_of $cmd)$f given twice: it takes one value" "" -- $cmd "$f=1" "$f=2"
    done
done
[ "$twice" -ge 40 ] || { failures=$((failures + 1)); echo "FAIL: only $twice flags take a value?"; }

# ---- errors at run time: the same prefix ----
bad 8 "^e2call session create: CONNECT_FAILED" session-create:run -- session create
bad 8 "^e2call session destroy: CONNECT_FAILED" session-destroy:run -- session destroy --room 5
bad 8 "^e2call status: CONNECT_FAILED" status:run -- status --control "$work/none.sock"
# No plugin but e2call's own: everything else is missing (the table goes to stdout).
cases=$((cases + 1))
GST_PLUGIN_SYSTEM_PATH_1_0=$work/none GST_PLUGIN_PATH_1_0='' GST_PLUGIN_PATH='' \
    GST_REGISTRY=$work/registry.bin timeout 60 "$e2call" check >"$work/out" 2>"$work/err"
got=$?
if [ "$got" -ne 7 ] || [ "$(wc -l <"$work/err")" -ne 1 ] ||
    ! grep -q "^e2call check: UNSUPPORTED: .*vp8enc" "$work/err"; then
    failures=$((failures + 1))
    echo "FAIL: e2call check without plugins: exit $got (expected 7), stderr:"
    sed 's/^/    | /' "$work/err" | head -n 5
else
    echo "ok: e2call check without plugins -> 7: $(cut -c1-80 "$work/err")..."
fi
# With them: every component present, those of --media-file and --impair among them.
cases=$((cases + 1))
if "$e2call" check --json >"$work/out" 2>"$work/err" &&
    python3 - "$work/out" <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
names = [c["component"] for c in r["components"] if c["present"]]
sys.exit(0 if r["supported"] and {"webrtc", "e2ee", "media-file", "impair"} <= set(names) else 1)
PY
    echo "ok: e2call check --json: every component present, media-file and impair listed"
else
    failures=$((failures + 1))
    echo "FAIL: e2call check --json: $(cat "$work/out" "$work/err" | head -c 300)"
fi

# ---- every flag covered ----
# Flags that take no value and contradict nothing.
no_value="join:--json join:--quiet join:--secret session-create:--private session-create:--json
session-destroy:--json check:--json status:--json stats:--json load:--decode load:--no-audio
load:--json"
for cmd in join "session create" "session destroy" check rekey status stats leave load; do
    key=$(echo "$cmd" | tr ' ' '-')
    # shellcheck disable=SC2086
    flags=$("$e2call" $cmd --help-all 2>/dev/null |
        sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' |
        grep -vE -- '^--(help|gst-)' | sort -u)
    [ -n "$flags" ] || {
        failures=$((failures + 1))
        echo "FAIL: e2call $cmd --help-all lists no flags"
    }
    for f in $flags; do
        case " $covered $no_value " in
        *[[:space:]]"$key:$f"[[:space:]]*) ;;
        *)
            failures=$((failures + 1))
            echo "FAIL: e2call $cmd $f has no malformed-value case"
            ;;
        esac
    done
done

echo "$cases cases, $failures failed"
[ "$failures" -eq 0 ]
