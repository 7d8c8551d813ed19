#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Different secrets: e2call and the browser each report a mismatch (cause
# wrong-secret), no frame reaches either decoder, both exit 5; the browser
# pauses alice's video at the router, so that its decoder stops asking her
# for keyframes (which cost every receiver of hers). Then a
# browser without a secret in an E2EE room: the router refuses its
# publication, it exits 4.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the first secret of two")
s2=$(secret_file two "the second secret of two")
join alice --room "$room" --secret-file "$s1" --width 320 --height 240 --duration 30s \
    --control "$work/alice.sock"
web_join browser --room "$room" --secret-file "$s2" --duration 30s

# keyframes: what alice's video has sent so far (her control socket's status).
keyframes() {
    "$E2CALL" status --control "$work/alice.sock" --json | python3 -c '
import json, sys
print(next(s["keyframes"] for s in json.load(sys.stdin)["streams"]
           if s["direction"] == "send" and s["track"] == "video"))'
}
# Chromium asks for keyframes until its stream has had no packet for 5 s;
# from then on, nobody asks. Alice's encoder itself makes one every 10 s.
for _ in $(seq 150); do
    grep -q '"event":"notice".*"track":"video".*paused at the router' "$work/browser.json" && break
    sleep 0.1
done
expect_events browser notice 1 'paused at the router'
sleep 7
k0=$(keyframes) || fail "alice's status"
sleep 10
k1=$(keyframes) || fail "alice's status"
[ $((k1 - k0)) -le 3 ] ||
    fail "alice sent $((k1 - k0)) keyframes in 10 s while the browser's subscription stayed in mismatch"
ok "alice sent $((k1 - k0)) keyframes in 10 s while the browser's subscription stayed in mismatch ($k1 in all)"
wait_status alice 5
wait_status browser 5
for who in alice browser; do
    expect_events $who encryption-secret-mismatch 1 '"cause":"wrong-secret"'
    expect_no_events $who media-flowing
done
for track in video audio; do
    n=$(summary_field browser alice $track frames-decrypted)
    [ "$n" = 0 ] || fail "the browser passed $n $track frames of alice to its decoder"
    n=$(summary_field alice browser $track frames-decrypted)
    [ "$n" = 0 ] || fail "alice decrypted $n $track frames of the browser"
done
ok "no frame reached a decoder on either side"

web_join nosecret --room "$room" --duration 10s
wait_status nosecret 4
expect_events nosecret error 1 '"error":"ENCRYPTION_SECRET_MISSING"'
