# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the call tests. Each test runs inside `scripts/lab run`
# (E2CALL_SERVER points at the lab's Janus) with E2CALL set to the binary.

: "${E2CALL:?E2CALL must point at the e2call binary}"
: "${E2CALL_SERVER:?run this inside scripts/lab run}"

work=$(mktemp -d "${TMPDIR:-/tmp}/e2call-test.XXXXXX")
# The participants still running are ended before the wait. Through a file:
# dash's $(jobs -p) runs in a subshell that has no jobs, so a failing test
# used to wait for them (until the test's timeout).
trap 'status=$?; [ "$status" -ne 0 ] && dump_logs; jobs -p >"$work/.jobs"
kill $(cat "$work/.jobs") 2>/dev/null; wait 2>/dev/null
[ "$status" -eq 0 ] && ! no_leftovers && status=1; rm -rf "$work"; exit $status' EXIT

dump_logs() {
    for f in "$work"/*.err; do
        [ -f "$f" ] || continue
        echo "---- $(basename "$f")" >&2
        tail -n 40 "$f" >&2
    done
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Once every participant has exited: none left its control socket (the path
# of its "control" event), or the private directory made for it, outside
# $work. A participant that is killed cannot remove them: give it a
# --control path in $work.
no_leftovers() {
    left=""
    for f in "$work"/*.json; do
        [ -f "$f" ] || continue
        path=$(sed -n 's/.*"event":"control","path":"\([^"]*\)".*/\1/p' "$f" | head -n 1)
        case $path in "" | "$work"/*) continue ;; esac
        [ -e "$path" ] && left="$left $path"
        dir=$(dirname "$path")
        case $(basename "$dir") in e2call-??????) [ -e "$dir" ] && left="$left $dir" ;; esac
    done
    [ -z "$left" ] && return 0
    echo "FAIL: left behind:$left" >&2
    return 1
}

ok() {
    echo "ok: $*"
}

# A new room; prints its id. create_room [--e2ee]
create_room() {
    "$E2CALL" session create "$@" 2>>"$work/session.err" || fail "session create $*"
}

# join NAME ARGS...: runs `e2call join` in the background with --json,
# events in $work/NAME.json, readable lines in $work/NAME.err; the pid in
# the variable pid_NAME. The display name is NAME unless DISPLAY_NAME is set
# (join refuses a second --display). No stats events unless STATS_INTERVAL
# (seconds) is set.
join() {
    name=$1
    shift
    "$E2CALL" join --display "${DISPLAY_NAME:-$name}" --json \
        --stats-interval "${STATS_INTERVAL:-0}" "$@" \
        >"$work/$name.json" 2>"$work/$name.err" &
    eval "pid_$name=$!"
}

# wait_status NAME EXPECTED: waits for NAME's join and checks its exit status.
wait_status() {
    eval "p=\$pid_$1"
    wait "$p"
    st=$?
    [ "$st" -eq "$2" ] || fail "$1 exited $st, expected $2"
    # UPnP must be off on every ICE agent: a gssdp line means discovery ran.
    ! grep -q gssdp "$work/$1.err" || fail "$1 ran UPnP discovery (gssdp in its log)"
    ok "$1 exited $st"
}

# count_events NAME EVENT [FILTER]: JSON lines of that event (containing FILTER).
count_events() {
    grep "\"event\":\"$2\"" "$work/$1.json" | grep -c -- "${3:-}" || true
}

expect_events() {
    n=$(count_events "$1" "$2" "${4:-}")
    [ "$n" -ge "$3" ] || fail "$1: $n $2 event(s)${4:+ with $4}, expected at least $3"
    ok "$1: $n $2 event(s)${4:+ with $4}"
}

# wait_event NAME EVENT [PATTERN] [SECONDS] [COUNT]: until NAME has COUNT
# (default 1) such events, for at most SECONDS (default 30: a loaded
# machine can take many seconds to publish).
wait_event() {
    i=0
    while [ "$(count_events "$1" "$2" "${3:-}")" -lt "${5:-1}" ]; do
        i=$((i + 1))
        [ $i -le $((${4:-30} * 10)) ] ||
            fail "$1: not ${5:-1} $2 event(s)${3:+ with $3} within ${4:-30} s"
        sleep 0.1
    done
}

expect_no_events() {
    n=$(count_events "$1" "$2" "${3:-}")
    [ "$n" -eq 0 ] || fail "$1: $n unexpected $2 event(s)"
    ok "$1: no $2 event"
}

# A secret in a private file: secret_file NAME TEXT
secret_file() {
    printf '%s\n' "$2" >"$work/$1.secret"
    chmod 600 "$work/$1.secret"
    echo "$work/$1.secret"
}

EV="python3 $(dirname "$0")/events.py"

# first_ts NAME EVENT [KEY=VALUE...]: epoch seconds of the first such event, or "none".
first_ts() {
    n=$1
    shift
    $EV first "$work/$n.json" "$@"
}

# before A B: A happened before B (both epoch seconds, neither "none").
before() {
    [ "$1" != none ] && [ "$2" != none ] &&
        python3 -c "import sys; sys.exit(0 if $1 < $2 else 1)"
}

# elapsed A B: B - A in seconds.
elapsed() {
    python3 -c "print(f'{$2 - $1:.3f}')"
}

# sent_frames SENDER RECEIVER: the summary of SENDER counts what it sent of
# each track: over a second of frames, and no fewer than RECEIVER decoded
# (when RECEIVER's summary still lists the stream: it leaves out the streams
# of a publisher that left first).
sent_frames() {
    for track in video audio; do
        sent=$($EV frames "$work/$1.json" send $track)
        got=$($EV frames "$work/$2.json" recv $track "$1")
        { [ "$sent" != none ] && [ "$sent" -ge 50 ]; } ||
            fail "$1's summary: $sent $track frames sent"
        [ "$got" = none ] || [ "$sent" -ge "$got" ] ||
            fail "$1's summary: $sent $track frames sent, yet $2 decoded $got of them"
        ok "$1 sent $sent $track frames, $2 decoded $got"
    done
}

# timing NAME KEY: the summary's timing[KEY] of NAME (a number, null, or none).
timing() {
    $EV timing "$work/$1.json" "$2"
}

rekey() { # rekey NAME SECRET_FILE
    "$E2CALL" rekey --control "$work/$1.sock" --secret-file "$2" >>"$work/rekey.out" 2>&1 ||
        fail "rekey $1"
}
