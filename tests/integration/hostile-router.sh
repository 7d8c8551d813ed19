#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2call against a hostile router (hostile-router.py): broken handshakes,
# framing, JSON and flooding in answer to its first request. Every case must
# end in exit status 8 (CONNECT_FAILED) with an error event, within a bound,
# never crash (no signal, no sanitizer report) or hang. The readable error
# line must stay one line without control characters, whatever the router
# sent. The cases run eight at a time, each with its own server.
#
# Usage: hostile-router.sh E2CALL [MODE...]
set -u
e2call=${1:?usage: hostile-router.sh E2CALL [MODE...]}
shift
here=$(dirname "$0")
server="python3 $here/hostile-router.py"

# The request timeout is 10 s; a flooded main loop may take longer to notice
# (see the report of ping-flood): the bound leaves room for that, and a hang
# is what it catches; a sanitizer build starts and ends slower.
bound=35
# A secret, so the key derivation thread is running when the call fails.
secret_args="--secret-env E2C_TEST_SECRET"
if [ "${E2C_SANITIZED:-0}" = 1 ]; then
    bound=60
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/e2call-hostile.XXXXXX")
cleanup() {
    for f in "$work"/*.srv; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    kill $(jobs -p) 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

modes=${*:-$($server --list)}
[ -n "$modes" ] || { echo "FAIL: hostile-router.py --list gave no modes"; exit 1; }

# One case: start its server, run e2call against it, record status and time.
run_case() {
    m=$1
    $server "$m" "$work/$m.port" &
    echo $! >"$work/$m.srv"
    i=0
    while [ ! -s "$work/$m.port" ]; do
        i=$((i + 1))
        [ $i -gt 200 ] && { echo "server did not start" >"$work/$m.status"; return; }
        sleep 0.05
    done
    url="ws://127.0.0.1:$(cat "$work/$m.port")/"
    start=$(date +%s)
    # shellcheck disable=SC2086
    E2C_TEST_SECRET="correct horse battery staple" \
        timeout -s KILL $bound "$e2call" join --server "$url" --room 1234 \
        $secret_args --no-control --json --connect-timeout 3s \
        >"$work/$m.json" 2>"$work/$m.err" </dev/null
    echo "$? $(($(date +%s) - start))" >"$work/$m.status"
    kill "$(cat "$work/$m.srv")" 2>/dev/null
}

# In batches: each e2call derives a key and makes a DTLS certificate at start.
n=0
for m in $modes; do
    run_case "$m" &
    n=$((n + 1))
    [ $((n % 8)) -eq 0 ] && wait
done
wait

failures=0
for m in $modes; do
    set -- $(cat "$work/$m.status" 2>/dev/null) "?" "?"
    st=$1 secs=$2
    why=""
    if [ "$st" = 137 ]; then
        why="still running after ${bound}s (killed)"
    elif [ "$st" != 8 ]; then
        why="exit status $st, expected 8"
    elif ! grep -q '"event":"error".*"error":"CONNECT_FAILED"' "$work/$m.json"; then
        why="no CONNECT_FAILED error event"
    elif grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$work/$m.err"; then
        why="sanitizer report"
    elif LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$work/$m.err"; then
        why="control characters reached standard error"
    elif [ "$(grep -c ' error  *error=CONNECT_FAILED' "$work/$m.err")" -ne 1 ] ||
        ! grep -A1 ' error  *error=CONNECT_FAILED' "$work/$m.err" | tail -n 1 |
        grep -qE '^[0-9:.]+ +left '; then
        why="the error event is not one line followed by 'left'"
    fi
    if [ -n "$why" ]; then
        failures=$((failures + 1))
        echo "FAIL: $m: $why"
        sed 's/^/    | /' "$work/$m.err" | cut -c1-200 | tail -n 8
    else
        echo "ok: $m: exit 8 after ${secs}s: $(sed -n 's/.*error=CONNECT_FAILED exit-status=8  //p' "$work/$m.err" | cut -c1-110)"
    fi
done
echo "$(echo $modes | wc -w) modes, $failures failed"
[ "$failures" -eq 0 ]
