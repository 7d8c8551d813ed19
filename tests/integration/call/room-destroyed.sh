#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The room is destroyed while the call runs (any client can destroy a room
# created without a secret): join and load end at once with CONNECT_FAILED
# (exit 8) and say so, publishers and receivers alike, and so does a
# participant that missed the router's "destroyed" event. They used to go
# on rejoining ("No such room") until --duration ended, and exit 0.
. "$(dirname "$0")/lib.sh"

# wait_for NAME EVENT N: until NAME's JSON has N such events (at most 30 s).
wait_for() {
    i=0
    while [ "$(count_events "$1" "$2")" -lt "$3" ]; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "$1: no $3 $2 event(s) within 30 s"
        sleep 0.1
    done
}

s=$(secret_file shared "a secret for a doomed room")
room=$(create_room --e2ee)
for who in alice bob; do
    join $who --room "$room" --secret-file "$s" --width 320 --height 240 --duration 25s
done
join carol --room "$room" --secret-file "$s" --duration 25s --no-publish
wait_for alice media-flowing 2
wait_for carol media-flowing 4
"$E2CALL" session destroy --room "$room" 2>"$work/destroy.err" ||
    fail "destroy: $(cat "$work/destroy.err")"
for who in alice bob carol; do
    wait_status $who 8
    expect_events $who error 1 "\"error\":\"CONNECT_FAILED\".*room $room was destroyed on the router"
    expect_events $who left 1 '"reason":"error"'
    expect_no_events $who reconnecting
done

# The room goes while a participant is out of it, kicked (so it gets no
# "destroyed" event) with its connection to the router up: the rejoin's "No
# such room" cannot be a restarted router, and ends the call too.
: "${VIDEOROOM_REQUEST:?VIDEOROOM_REQUEST must point at the videoroom-request helper}"
room=$(create_room --e2ee)
join dave --room "$room" --secret-file "$s" --width 320 --height 240 --duration 25s
wait_for dave published 1
id=$(grep '"event":"joined"' "$work/dave.json" | head -n 1 | sed 's/.*"id":\([0-9]*\).*/\1/')
kill -STOP "$pid_dave"
"$VIDEOROOM_REQUEST" "{\"request\":\"kick\",\"room\":$room,\"id\":$id}" >"$work/kick.out" \
    2>&1 || fail "kick: $(cat "$work/kick.out")"
"$E2CALL" session destroy --room "$room" 2>"$work/destroy-kicked.err" ||
    fail "destroy: $(cat "$work/destroy-kicked.err")"
kill -CONT "$pid_dave"
wait_status dave 8
expect_no_events dave error '"destroyed on the router'
expect_events dave error 1 "room $room no longer exists on the router (destroyed during the call)"

# load: the same, for every participant at once.
printf 'a secret for a doomed room\n' >"$work/secrets"
chmod 600 "$work/secrets"
room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 3 --publishers 1 --secrets "$work/secrets" \
    --duration 25s --ramp 10 --json --stats-interval 1 --no-control >"$work/load.json" \
    2>"$work/load.err" &
load=$!
i=0
until grep '"event":"stats"' "$work/load.json" 2>/dev/null | grep -q '"streams":4,'; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "load: not every stream there within 30 s"
    sleep 0.1
done
"$E2CALL" session destroy --room "$room" 2>"$work/destroy-load.err" ||
    fail "destroy: $(cat "$work/destroy-load.err")"
wait $load
st=$?
[ "$st" -eq 8 ] || fail "load after the room was destroyed exited $st, expected 8"
python3 - "$work/load.json" "$room" <<'PY' || fail "load-report: $(grep load-report "$work/load.json")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
assert r["exit-status"] == 8 and not r["passed"], r
assert f"room {sys.argv[2]} was destroyed on the router" in r["verdict"], r["verdict"]
PY
ok "load: exit 8, the verdict names the destroyed room"
