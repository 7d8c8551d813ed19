#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A room without E2EE: two participants without a secret, plain media, exit 0;
# the summary's timing says no frame was sealed or opened (nulls, zeros), and
# the freeze, jitter, latency and A/V skew figures are there as in an
# encrypted call, for video and audio (plain frames are known by their
# publisher's ID and their bytes: both send the same test media at one size,
# and the tone's Opus frames do not repeat within 20 s).
. "$(dirname "$0")/lib.sh"

room=$(create_room)
STATS_INTERVAL=2 join alice --room "$room" --duration 8s --width 320 --height 240 --expect-media
STATS_INTERVAL=2 join bob --room "$room" --duration 8s --width 320 --height 240 --expect-media
wait_status alice 0
wait_status bob 0
for who in alice bob; do
    expect_events $who published 1 '"e2ee":false'
    expect_events $who media-verified 2
done
sent_frames alice bob
sent_frames bob alice
for who in alice bob; do
    for key in encrypt-us-per-frame decrypt-us-per-frame; do
        [ "$(timing $who $key)" = null ] || fail "$who's summary: $key $(timing $who $key)"
    done
    for key in frames-encrypted frames-decrypted; do
        [ "$(timing $who $key)" = 0 ] || fail "$who's summary: $key $(timing $who $key)"
    done
    ok "$who's summary: no frame sealed or opened"
    $EV quality "$work/$who.json" || fail "$who: freezes or jitter (above)"
    ok "$who: freezes and jitter in stats and summary, consistent"
    $EV latency "$work/$who.json" || fail "$who: latency (above)"
    ok "$who: video and audio latency in stats and summary, p50 within 1 to 500 ms"
    $EV av-skew "$work/$who.json" || fail "$who: A/V skew (above)"
    ok "$who: A/V skew in stats and summary"
done
# Nearly every frame found in the frame-time table: the two publishers' identical
# media apart by their IDs, the tone's frames apart by their bytes.
for pair in "alice bob" "bob alice"; do
    set -- $pair
    for track in video audio; do
        frames=$($EV figure "$work/$1.json" $track $2 frames)
        misses=$($EV figure "$work/$1.json" $track $2 latency-misses)
        [ "$frames" -gt 0 ] && [ $((misses * 20)) -le "$frames" ] ||
            fail "$1: $misses of $frames $track frames of $2 not timed (over 5 %)"
        ok "$1: $misses of $frames $track frames of $2 not timed"
    done
done
