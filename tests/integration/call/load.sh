#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2call load: 6 participants, 2 publishers, 2 secret groups. The matrix is
# exactly what the groups imply (exit 0); with a rekey of one group during the
# run it still holds; and a wrong expectation exits 11 naming the pairs.
. "$(dirname "$0")/lib.sh"

printf '# two groups\nsecret of the first group\nsecret of the second group\n' >"$work/secrets"
chmod 600 "$work/secrets"

room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 15s --ramp 10 --json >"$work/load.json" 2>"$work/load.err"
st=$?
[ "$st" -eq 0 ] || fail "load exited $st, expected 0"
grep -q '"event":"load-report"' "$work/load.json" || fail "no load-report"
grep '"event":"load-report"' "$work/load.json" | grep -q \
    '"matrix":\[\[null,"mismatch"\],\["mismatch",null\],\["ok","mismatch"\],\["mismatch","ok"\],\["ok","mismatch"\],\["mismatch","ok"\]\]' ||
    fail "the matrix is not what the groups imply: $(grep load-report "$work/load.json")"
ok "matrix as the secrets imply, exit 0"

room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 20s --ramp 10 --rekey-every 6s --json >"$work/rekey.json" 2>"$work/rekey.err"
st=$?
[ "$st" -eq 0 ] || fail "load with --rekey-every exited $st, expected 0"
n=$(grep -c '"event":"rekeyed"' "$work/rekey.json")
[ "$n" -ge 2 ] || fail "only $n rekeys happened"
ok "matrix still holds across $n group rekeys"

# Expect everybody in one group: the cross-group pairs now differ.
printf '1 1\n2 1\n3 1\n4 1\n5 1\n6 1\n' >"$work/groups"
room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 10s --ramp 10 --expect-groups "$work/groups" >"$work/wrong.out" 2>"$work/wrong.err"
st=$?
[ "$st" -eq 11 ] || fail "a wrong expectation exited $st, expected 11"
grep -q "p2 receiving p1: mismatch, expected ok" "$work/wrong.out" ||
    fail "no reason given: $(cat "$work/wrong.out")"
ok "wrong expectation: exit 11 with the pairs named"

grep -q "secret of the" "$work/"*.json "$work/"*.err "$work/"*.out && fail "a secret was printed"
ok "no secret in any output"
