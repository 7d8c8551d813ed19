#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A room without E2EE: two participants without a secret, plain media, exit 0;
# the summary's timing says no frame was sealed or opened (nulls, zeros), and
# the freeze, jitter and latency figures are there as in an encrypted call
# for video (frames known by their bytes; the test tone's Opus frames repeat
# every 100 ms, identical, so audio has no latency: null, its frames counted
# as misses).
. "$(dirname "$0")/lib.sh"

room=$(create_room)
# Two sizes: one test pattern at one size encodes to the same bytes in both
# processes, and identical frames sent at different times have no latency.
STATS_INTERVAL=2 join alice --room "$room" --duration 8s --width 320 --height 240 --expect-media
STATS_INTERVAL=2 join bob --room "$room" --duration 8s --width 352 --height 288 --expect-media
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
    $EV latency-video "$work/$who.json" || fail "$who: latency (above)"
    ok "$who: video latency in stats and summary, p50 within 1 to 500 ms"
    $EV av-skew-where-latency "$work/$who.json" || fail "$who: A/V skew (above)"
    ok "$who: A/V skew only where audio and video both have latency"
done
