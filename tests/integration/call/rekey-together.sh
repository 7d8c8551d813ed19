#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Three participants rekey within one second of one another: no mismatch
# event anywhere, no frame lost, every stream still verified.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the secret before the rekey")
s2=$(secret_file two "the secret after the rekey")
for who in alice bob carol; do
    join $who --room "$room" --secret-file "$s1" --control "$work/$who.sock" --width 320 \
        --height 240 --duration 24s --expect-media
done
# Once each verified both tracks of both others (a fixed wait was too short
# on a loaded machine: the call ended during the rekey).
for who in alice bob carol; do wait_event $who media-verified "" 30 4; done
# At once, not one after another: each reply waits for the key derivation,
# which takes seconds in a sanitizer build.
pids=""
for who in alice bob carol; do
    rekey $who "$s2" &
    pids="$pids $!"
done
for p in $pids; do wait $p || fail "a rekey failed: $(cat "$work/rekey.out")"; done
for who in alice bob carol; do wait_status $who 0; done
for who in alice bob carol; do
    expect_events $who rekeyed 1
    # Video and audio switch once each, after the rekey (not at the start).
    n=$(count_events $who sending-switched)
    [ "$n" -eq 2 ] || fail "$who: $n sending-switched events, expected 2"
    before "$(first_ts $who rekeyed)" "$(first_ts $who sending-switched)" ||
        fail "$who: sending switched before the rekey"
    ok "$who: sending switched once per track, after the rekey"
    expect_no_events $who encryption-secret-mismatch
    lost=$($EV lost "$work/$who.json")
    [ "$lost" -eq 0 ] || fail "$who lost $lost video frames across the rekey"
    ok "$who: no video frame lost"
done
