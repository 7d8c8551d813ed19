#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2call and the browser rekey to a new secret within the switch delay of
# each other during the call: no mismatch anywhere, every frame opened, both
# still verified, each track switched once.
# $1: when the browser rekeys (default 7s). web-rekey-early asks for 10ms,
# before the page and its worker are up: the rekey must wait for the first
# secret to be in the worker (it was dropped, or refused by a worker that had
# no context yet).
rekey_at=${1:-7s}
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the secret before the rekey")
s2=$(secret_file two "the secret after the rekey")
# Both send under the new secret 5 s after their rekey: alice is rekeyed as
# soon as the browser says it rekeyed, which leaves a loaded machine seconds
# of slack (with a fixed wait on each side, the two clocks drifted apart by
# more than a 2 s delay under the sanitizer build).
join alice --room "$room" --secret-file "$s1" --control "$work/alice.sock" --width 320 \
    --height 240 --duration 24s --expect-media --rekey-delay 5s
# Alice is up before the browser comes: its rekey, however early, must not
# find her still starting (she cannot be rekeyed within its switch delay).
wait_event alice published
# The browser stays longer, so that alice's summary still lists its streams.
web_join browser --room "$room" --secret-file "$s1" --rekey-file "$s2" --rekey-at "$rekey_at" \
    --rekey-delay 5s --duration 27s --expect-media
wait_event browser rekeyed
rekey alice "$s2" || fail "alice's rekey failed: $(cat "$work/rekey.out")"
wait_status alice 0
wait_status browser 0
for who in alice browser; do
    expect_events $who rekeyed 1
    n=$(count_events $who sending-switched)
    [ "$n" -eq 2 ] || fail "$who: $n sending-switched events, expected 2"
    expect_no_events $who encryption-secret-mismatch
done
# Counted in the sealed frames, not the frame markers: a canvas source skips
# a marker value now and then when the page's timer runs late, which is no loss.
for track in video audio; do
    n=$(summary_field alice browser $track frames-failed)
    [ "$n" = 0 ] || fail "alice could not open $n $track frames of the browser"
done
ok "alice: every frame of the browser opened across the rekey"
for track in video audio; do
    n=$(summary_field browser alice $track frames-failed)
    [ "$n" = 0 ] || fail "the browser could not open $n $track frames of alice"
done
ok "browser: every frame of alice opened across the rekey"
