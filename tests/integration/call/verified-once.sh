#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# media-verified ("a stream passed its media check", e2call(1)) comes once
# per stream. (It once came for every decoded video frame after the check
# passed: about 30 events a second per video stream.)
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
for who in alice bob; do
    join $who --room "$room" --secret-file "$s" --width 320 --height 240 --duration 8s \
        --expect-media
done
wait_status alice 0
wait_status bob 0
for who in alice bob; do
    for track in video audio; do
        n=$(count_events $who media-verified "\"track\":\"$track\"")
        [ "$n" -eq 1 ] || fail "$who: $n media-verified events for the $track stream, expected 1"
        ok "$who: one media-verified event for the $track stream"
    done
done
