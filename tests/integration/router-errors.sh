#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a user meets at a router that is not there or not trusted, without a
# Janus (everything on 127.0.0.1):
#   - load against a closed port exits 8 (CONNECT_FAILED) with a clear
#     message, for 1 participant as for several (it used to exit 0, "as the
#     secrets imply"), and so does merge-load-reports of its report;
#   - wss:// to a server with a self-signed certificate names the problem
#     (it used to say "connect SSL err 1: error:00000001:lib(0)::reason(1)"),
#     for join, load and session; --ca-file with that certificate gets past
#     TLS; a CA file that is not one is a usage error;
#   - the router credentials (--api-secret-*, --token-*, --room-pin-*,
#     --room-secret-*): bad sources are usage errors, values never appear in
#     any output, a file others can read gets a warning.
#
# Usage: router-errors.sh E2CALL
set -u
e2call=${1:?usage: router-errors.sh E2CALL}
here=$(dirname "$0")
work=$(mktemp -d "${TMPDIR:-/tmp}/e2call-router-errors.XXXXXX")
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ok() {
    echo "ok: $*"
}

# expect NAME STATUS PATTERN: the last command (output in $work/NAME.err)
# exited STATUS and said PATTERN (grep -E) on standard error.
expect() {
    name=$1 want=$2 pattern=$3
    if [ "$st" -ne "$want" ]; then
        fail "$name: exit $st, expected $want"
        sed 's/^/    | /' "$work/$name.err" | tail -n 5
    elif ! grep -qE -- "$pattern" "$work/$name.err"; then
        fail "$name: no '$pattern' in its messages"
        sed 's/^/    | /' "$work/$name.err" | tail -n 5
    else
        ok "$name: exit $st: $(grep -E -- "$pattern" "$work/$name.err" | head -n 1 | cut -c1-150)"
    fi
}

# A port on 127.0.0.1 that was free a moment ago: nothing listens there.
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'secret of the first group\nsecret of the second group\n' >"$work/secrets"
chmod 600 "$work/secrets"

# ---- load against an unreachable router ----
for n in 1 3; do
    "$e2call" load --server "ws://127.0.0.1:$closed_port/" --room 1234 --participants $n \
        --secrets "$work/secrets" --duration 60s --no-control >"$work/load$n.out" \
        2>"$work/load-unreachable-$n.err"
    st=$?
    cat "$work/load$n.out" >>"$work/load-unreachable-$n.err"
    expect "load-unreachable-$n" 8 "verdict: p1 failed \(CONNECT_FAILED: cannot reach the router at ws://127.0.0.1:$closed_port/: connection to 127.0.0.1:$closed_port refused\) \(exit 8\)"
done
"$e2call" load --server "ws://127.0.0.1:$closed_port/" --room 1234 --participants 1 \
    --secrets "$work/secrets" --duration 60s --no-control --json >"$work/load-json.out" \
    2>"$work/load-json.err"
st=$?
python3 - "$work/load-json.out" <<'PY' || fail "load --json: the report does not say exit 8"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
assert r["exit-status"] == 8 and not r["passed"], r
assert "CONNECT_FAILED" in r["verdict"], r["verdict"]
PY
if [ "$st" -eq 8 ]; then
    ok "load --json: load-report with exit-status 8"
else
    fail "load --json exited $st"
fi
# Merged with the reports of other processes, the failure stays a failure.
"$here/../../scripts/merge-load-reports" "$work/load-json.out" >"$work/merge.out"
st=$?
if [ "$st" -eq 8 ] && grep -q "a process failed: p1 failed (CONNECT_FAILED" "$work/merge.out"; then
    ok "merge-load-reports: exit 8"
else
    fail "merge-load-reports of a run the router failed: exit $st, $(cat "$work/merge.out")"
fi

# ---- wss:// with a certificate nobody vouches for ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/router.key" -out "$work/router.pem" 2>"$work/openssl.err" ||
    { cat "$work/openssl.err"; exit 1; }
python3 "$here/tls-server.py" "$work/router.pem" "$work/router.key" "$work/port" &
server_pid=$!
i=0
while [ ! -s "$work/port" ]; do
    i=$((i + 1))
    [ $i -gt 200 ] && { echo "FAIL: the TLS server did not start"; exit 1; }
    sleep 0.05
done
wss="wss://127.0.0.1:$(cat "$work/port")/"
untrusted="TLS: the certificate of 127\.0\.0\.1:[0-9]+ is not trusted: it is self-signed"

"$e2call" join --server "$wss" --room 1234 --no-control --duration 30s >/dev/null \
    2>"$work/join-self-signed.err"
st=$?
expect join-self-signed 8 "CONNECT_FAILED.*$untrusted"
"$e2call" load --server "$wss" --room 1234 --participants 1 --secrets "$work/secrets" \
    --duration 30s --no-control >/dev/null 2>"$work/load-self-signed.err"
st=$?
expect load-self-signed 8 "$untrusted"
"$e2call" session create --server "$wss" >/dev/null 2>"$work/session-self-signed.err"
st=$?
expect session-self-signed 8 "$untrusted"

# Trusted through --ca-file: TLS passes, and what fails is the WebSocket.
"$e2call" join --server "$wss" --room 1234 --no-control --duration 30s \
    --ca-file "$work/router.pem" >/dev/null 2>"$work/join-ca-file.err"
st=$?
expect join-ca-file 8 "cannot reach the router at $wss: .*(WebSocket|closed|lost)"
grep -q "TLS:" "$work/join-ca-file.err" && fail "join --ca-file: still a TLS error"
"$e2call" session create --server "$wss" --ca-file "$work/router.pem" >/dev/null \
    2>"$work/session-ca.err"
st=$?
if [ "$st" -ne 8 ] || grep -q "TLS:" "$work/session-ca.err"; then
    fail "session create --ca-file: exit $st, $(cat "$work/session-ca.err")"
else
    ok "session create --ca-file gets past TLS"
fi

printf 'not a certificate\n' >"$work/junk.pem"
"$e2call" join --server "$wss" --room 1234 --ca-file "$work/junk.pem" >/dev/null \
    2>"$work/ca-file-junk.err"
st=$?
expect ca-file-junk 2 "--ca-file: the CA file '.*junk.pem' holds no PEM certificate"
"$e2call" load --server "$wss" --room 1234 --participants 1 --secrets "$work/secrets" \
    --ca-file "$work/missing.pem" >/dev/null 2>"$work/ca-file-missing.err"
st=$?
expect ca-file-missing 2 "--ca-file: cannot read the CA file '.*missing.pem': No such file"

# ---- router credentials from files and the environment ----
url="ws://127.0.0.1:$closed_port/"
: >"$work/empty"
chmod 600 "$work/empty"
"$e2call" join --server "$url" --room 1 --api-secret-file "$work/empty" >/dev/null \
    2>"$work/credential-empty.err"
st=$?
expect credential-empty 2 "the API secret in '.*empty' is empty"
E2C_TEST_TOKEN=tok "$e2call" join --server "$url" --room 1 --token-env E2C_TEST_TOKEN \
    --token-file "$work/secrets" >/dev/null 2>"$work/credential-file-and-env.err"
st=$?
expect credential-file-and-env 2 "give the API token with --token-file or --token-env, not both"
"$e2call" load --server "$url" --room 1 --participants 1 --secrets "$work/secrets" \
    --room-pin-env E2C_NOT_SET_ANYWHERE >/dev/null 2>"$work/credential-env-unset.err"
st=$?
expect credential-env-unset 2 "the environment variable 'E2C_NOT_SET_ANYWHERE' \(the room PIN\) is not set"
printf 'pin\001x\n' >"$work/control"
chmod 600 "$work/control"
"$e2call" session create --server "$url" --room-pin-file "$work/control" >/dev/null \
    2>"$work/credential-control-char.err"
st=$?
expect credential-control-char 2 "the room PIN in '.*control' contains a control character"
"$e2call" session destroy --server "$url" --room 5 --room-pin-file "$work/control" \
    >/dev/null 2>"$work/destroy-takes-no-pin.err"
st=$?
expect destroy-takes-no-pin 2 "Unknown option --room-pin-file"

# Good values: read, never shown, and the call fails only at the closed port.
printf 'api-secret-DO-NOT-PRINT\n' >"$work/api"
chmod 644 "$work/api"
printf 'pin-DO-NOT-PRINT\r\n' >"$work/pin"
chmod 600 "$work/pin"
E2C_TEST_TOKEN=token-DO-NOT-PRINT "$e2call" join --server "$url" --room 1 --json \
    --api-secret-file "$work/api" --token-env E2C_TEST_TOKEN --room-pin-file "$work/pin" \
    --no-control >"$work/credentials-read.out" 2>"$work/credentials-read.err"
st=$?
expect credentials-read 8 "warning: the API secret file '.*api' can be read by all users; consider chmod 600"
E2C_TEST_SECRET=room-secret-DO-NOT-PRINT "$e2call" session create --server "$url" \
    --room-secret-env E2C_TEST_SECRET --room-pin-file "$work/pin" --api-secret-file "$work/api" \
    >"$work/credentials-session.out" 2>"$work/credentials-session.err"
st=$?
expect credentials-session 8 "CONNECT_FAILED"
if grep -l "DO-NOT-PRINT" "$work"/*.out "$work"/*.err; then
    fail "a credential appeared in e2call's output"
else
    ok "no credential in any output"
fi
# Loopback: no warning about ws://.
if grep -l "warning: ws://" "$work"/*.err; then
    fail "ws:// to 127.0.0.1 was warned about"
else
    ok "no ws:// warning for 127.0.0.1"
fi

echo "$failures failed"
[ "$failures" -eq 0 ]
