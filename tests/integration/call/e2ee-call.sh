#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two participants with one secret, one video codec (VP8, VP9 or H.264) and
# Opus: both decrypt and decode what the other sent (--expect-media), exit 0;
# the summary's timing has the frames sealed and opened and their mean time.
# Freezes and jitter are in the stats events, the summary and `e2call stats`,
# and agree with each other.
# Latency, two processes on one machine: every received track has latency to
# decryption and to the decoder's output, with a p50 of 1 to 500 ms, in the
# stats and the summary; and so the A/V skew, audio's latency p50 minus
# video's, under 100 ms either way.
. "$(dirname "$0")/lib.sh"
codec=${1:?usage: e2ee-call.sh vp8|vp9|h264}

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
for who in alice bob; do
    STATS_INTERVAL=2 join $who --room "$room" --secret-file "$s" --video "$codec" --width 320 \
        --height 240 --duration 10s --expect-media --control "$work/$who.sock"
done
# Once alice has verified bob's tracks (not after a fixed time: a loaded machine
# can take seconds to publish), and a stats interval later.
wait_event alice media-verified "" 30 2
sleep 2
"$E2CALL" stats --control "$work/alice.sock" --json >"$work/alice-stats.out" ||
    fail "e2call stats"
wait_status alice 0
wait_status bob 0
for who in alice bob; do
    expect_events $who published 1 "\"video\":\"$codec\""
    expect_events $who media-verified 1 '"track":"video"'
    expect_events $who media-verified 1 '"track":"audio"'
    expect_events $who media-check 1 '"passed":true'
    expect_no_events $who encryption-secret-mismatch
    # Nobody rekeyed: sending never switched secrets.
    expect_no_events $who sending-switched
done
sent_frames alice bob
sent_frames bob alice
for who in alice bob; do
    for dir in encrypt decrypt; do
        n=$(timing $who frames-${dir}ed)
        us=$(timing $who $dir-us-per-frame)
        { [ "$n" != none ] && [ "$n" -gt 0 ]; } || fail "$who's summary: frames-${dir}ed $n"
        python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)' "$us" 2>/dev/null ||
            fail "$who's summary: $dir-us-per-frame $us"
        ok "$who: $n frames ${dir}ed, $us us each"
    done
    stats=""
    [ $who = alice ] && stats="$work/alice-stats.out"
    $EV quality "$work/$who.json" $stats || fail "$who: freezes or jitter (above)"
    ok "$who: freezes and jitter in stats, summary and e2call stats, consistent"
    $EV latency "$work/$who.json" $stats || fail "$who: latency (above)"
    ok "$who: latency of both tracks in stats and summary, p50 within 1 to 500 ms"
    $EV av-skew "$work/$who.json" $stats || fail "$who: A/V skew (above)"
    ok "$who: A/V skew in stats, summary and e2call stats, under 100 ms"
done
