#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# session create / destroy; recording an E2EE room is refused; an unreachable
# router is CONNECT_FAILED (exit 8), quickly.
. "$(dirname "$0")/lib.sh"

out=$("$E2CALL" session create --e2ee --json) || fail "create --json"
echo "$out" | grep -q '"e2ee":true' || fail "create --json printed $out"
room=$(echo "$out" | sed 's/.*"room":\([0-9]*\).*/\1/')
"$E2CALL" session destroy --room "$room" 2>/dev/null || fail "destroy"
ok "create --json and destroy"

"$E2CALL" session create --e2ee --record 2>"$work/record.err"
st=$?
[ "$st" -eq 2 ] || fail "--e2ee --record exited $st, expected 2"
grep -q "cannot be archived" "$work/record.err" || fail "no clear message for --record"
ok "recording an E2EE room refused"

start=$(date +%s)
"$E2CALL" join --server ws://127.0.0.1:1/ --room 1234 --duration 30s 2>"$work/unreach.err"
st=$?
[ "$st" -eq 8 ] || fail "unreachable router exited $st, expected 8"
[ $(( $(date +%s) - start )) -le 5 ] || fail "unreachable router took more than 5 s"
grep -q CONNECT_FAILED "$work/unreach.err" || fail "no CONNECT_FAILED message"
ok "unreachable router: exit 8"

"$E2CALL" join --room "not-a-number" 2>/dev/null
[ $? -eq 2 ] || fail "bad --room is not a usage error"
"$E2CALL" join --room 5 --video av1 2>/dev/null
[ $? -eq 2 ] || fail "bad --video is not a usage error"
ok "bad flags: exit 2"
