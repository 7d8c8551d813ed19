#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A room with a secret and a PIN (VideoRoom "secret", "pin"): joining needs
# the PIN (publisher and subscriber joins alike: the call below verifies
# media both ways), destroying needs the secret, and without either the
# router refuses with a message that names the option. Also: ws:// to a
# host that is not this machine is warned about (the lab has no route
# anywhere, so nothing leaves it), ws:// to 127.0.0.1 is not.
. "$(dirname "$0")/lib.sh"

printf 'the room secret\n' >"$work/room-secret"
printf '4711\n' >"$work/pin"
printf '4712\n' >"$work/wrong-pin"
printf 'not the room secret\n' >"$work/wrong-secret"
chmod 600 "$work/room-secret" "$work/pin" "$work/wrong-pin" "$work/wrong-secret"
s=$(secret_file shared "a secret for a locked room")

room=$(create_room --e2ee --room-secret-file "$work/room-secret" --room-pin-file "$work/pin")

# Joining: no PIN, a wrong PIN.
join nopin --room "$room" --secret-file "$s" --duration 20s
wait_status nopin 8
expect_events nopin error 1 'Missing mandatory element (pin) (the room.s PIN: --room-pin-file'
join wrongpin --room "$room" --secret-file "$s" --room-pin-file "$work/wrong-pin" --duration 20s
wait_status wrongpin 8
expect_events wrongpin error 1 'Unauthorized (wrong pin)'

# With the PIN: a two-party call, each verifying the other's media.
for who in alice bob; do
    join $who --room "$room" --secret-file "$s" --room-pin-file "$work/pin" --width 320 \
        --height 240 --duration 12s --expect-media
done
wait_status alice 0
wait_status bob 0
expect_events alice media-verified 2
expect_events bob media-verified 2

# load passes the PIN too (its receivers subscribe with it).
printf 'a secret for a locked room\n' >"$work/secrets"
chmod 600 "$work/secrets"
"$E2CALL" load --room "$room" --participants 2 --publishers 1 --secrets "$work/secrets" \
    --room-pin-file "$work/pin" --duration 8s --ramp 10 --no-control >"$work/load.out" \
    2>"$work/load.err"
st=$?
[ "$st" -eq 0 ] || fail "load with the PIN exited $st: $(tail -n 3 "$work/load.out")"
ok "load with the PIN: exit 0"

# Destroying: no secret, a wrong secret: refused, and the room is still there.
"$E2CALL" session destroy --room "$room" 2>"$work/destroy1.err"
st=$?
[ "$st" -eq 8 ] || fail "destroy without the secret exited $st, expected 8"
grep -q "Missing mandatory element (secret) (the room has a secret: --room-secret-file" "$work/destroy1.err" ||
    fail "destroy without the secret: $(cat "$work/destroy1.err")"
"$E2CALL" session destroy --room "$room" --room-secret-file "$work/wrong-secret" \
    2>"$work/destroy2.err"
st=$?
[ "$st" -eq 8 ] || fail "destroy with a wrong secret exited $st, expected 8"
grep -q "Unauthorized (wrong secret)" "$work/destroy2.err" ||
    fail "destroy with a wrong secret: $(cat "$work/destroy2.err")"
join stillthere --room "$room" --secret-file "$s" --room-pin-file "$work/pin" --duration 2s \
    --no-publish
wait_status stillthere 0
expect_events stillthere joined 1
ok "the room survives destroy attempts without its secret"
"$E2CALL" session destroy --room "$room" --room-secret-file "$work/room-secret" \
    2>"$work/destroy3.err" || fail "destroy with the secret: $(cat "$work/destroy3.err")"
ok "destroyed with the secret"

# ws:// off this machine: a warning (stderr, and a notice event with --json).
"$E2CALL" join --server ws://192.0.2.1:8188/ --room 1 --json --no-control --duration 5s \
    --room-pin-file "$work/pin" >"$work/remote.json" 2>"$work/remote.err"
st=$?
[ "$st" -eq 8 ] || fail "join to an unroutable ws:// host exited $st, expected 8"
[ "$(grep -c 'warning: ws:// is not encrypted and 192.0.2.1 is not this machine' "$work/remote.err")" -eq 1 ] ||
    fail "no single ws:// warning: $(cat "$work/remote.err")"
grep -q 'SDP, the room PIN); use wss://' "$work/remote.err" || fail "the warning does not name the PIN"
grep -q '"event":"notice".*ws:// is not encrypted' "$work/remote.json" || fail "no notice event"
! grep -q 4711 "$work/remote.err" "$work/remote.json" || fail "the PIN was printed"
ok "ws:// to another machine: one warning naming what is exposed"
for f in "$work"/*.err; do
    [ "$f" = "$work/remote.err" ] && continue
    ! grep -q "warning: ws://" "$f" || fail "ws:// to the lab's 127.0.0.1 was warned about ($f)"
done
ok "no warning for ws://127.0.0.1"
