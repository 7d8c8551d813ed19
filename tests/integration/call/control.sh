#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The control socket of a running call: status never shows the secret (a
# canary), an invalid rekey is refused and the old secret stays in force,
# rapid rekeys are throttled, an oversized request is refused, a peer of
# another uid is refused, and the socket is gone after exit.
. "$(dirname "$0")/lib.sh"

canary="canary-7f3a9b-secret-c0ffee"
canary64=$(printf '%s' "$canary" | base64 -w0)
room=$(create_room --e2ee)
s=$(secret_file canary "$canary")
new=$(secret_file new "a fresh secret for the rekey")
bad=$(secret_file bad "seven77")
for who in alice bob; do
    join $who --room "$room" --secret-file "$s" --control "$work/$who.sock" --width 320 \
        --height 240 --duration 14s --expect-media
done
# Until the media flows (not a fixed time: a loaded machine can take seconds to publish).
wait_event alice media-verified "" 30 2
sock=$work/alice.sock
[ -S "$sock" ] || fail "no control socket at $sock"
[ "$(stat -c %a "$sock")" = 600 ] || fail "socket mode $(stat -c %a "$sock")"
[ "$(stat -c %a "$(dirname "$sock")")" = 700 ] || fail "socket directory is not 0700"
ok "socket 0600 in a 0700 directory"

"$E2CALL" status --control "$sock" --json >"$work/status.out" || fail "status"
grep -q '"direction":"recv"' "$work/status.out" || fail "status shows no received stream"
"$E2CALL" stats --control "$sock" >"$work/stats.out" || fail "stats"
ok "status and stats answered"

"$E2CALL" rekey --control "$sock" --secret-file "$bad" 2>"$work/bad.out"
[ $? -eq 3 ] || fail "an invalid rekey did not exit 3"
ok "invalid rekey refused (exit 3)"

# A raw request longer than 4 KiB.
python3 - "$sock" <<'PY' >"$work/long.out" || fail "oversized request not refused"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"status " + b"x" * 5000 + b"\n")
reply = s.recv(4096).decode()
print(reply.strip())
sys.exit(0 if reply.startswith("error TOO_LONG") else 1)
PY
ok "oversized request: $(cat "$work/long.out")"

# Rapid rekeys: two at once, so that the second arrives while the first is
# deriving or within the second after it (whichever came first is taken):
# one succeeds, the other is BUSY.
"$E2CALL" rekey --control "$sock" --secret-file "$new" >/dev/null 2>"$work/rekey1.out" &
r1=$!
"$E2CALL" rekey --control "$sock" --secret-file "$new" >/dev/null 2>"$work/rekey2.out" &
r2=$!
wait $r1
s1=$?
wait $r2
s2=$?
case "$s1 $s2" in
"0 "[1-9]*) busy="$work/rekey2.out" ;;
[1-9]*" 0") busy="$work/rekey1.out" ;;
*) fail "two rekeys at once: exit $s1 and $s2, expected one 0: $(cat "$work/rekey1.out" "$work/rekey2.out")" ;;
esac
grep -q BUSY "$busy" || fail "no BUSY for a rapid rekey: $(cat "$busy")"
ok "rapid rekey throttled"
rekey bob "$new"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$E2CALL" status --control "$sock" \
        >"$work/nobody.out" 2>&1 && fail "a peer of another uid got a reply"
    grep -q '"direction"' "$work/nobody.out" && fail "a peer of another uid saw the status"
    ok "peer of another uid refused"
fi

wait_status alice 0
wait_status bob 0
expect_no_events alice encryption-secret-mismatch
[ ! -e "$sock" ] || fail "the socket is still there after exit"
ok "socket removed at exit"
for f in "$work"/*.json "$work"/*.err "$work"/*.out; do
    if grep -q -e "$canary" -e "$canary64" "$f"; then
        fail "the secret appears in $(basename "$f")"
    fi
done
ok "the secret appears in no event, log, status or reply"
