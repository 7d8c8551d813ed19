#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A known cause makes the freeze figures move (e2call(1), MEDIA QUALITY
# FIGURES; NETWORK IMPAIRMENT): alice's publication stops for 2 s, 8 s after
# its media started (--impair stall=2s@8s, dir=send: her payloaders' packets
# are dropped before webrtcbin). Each of her receivers, bob and carol, must
# count ONE video freeze of about 2 s (1.6-2.6 s: the hole, plus the wait for
# the keyframe the depayloader asks for after it; any other freeze of that
# stream, from a loaded machine, must be short: under 1 s in all), while carol's and bob's
# streams, and what alice receives, show nothing like it (below). Audio is
# printed, not judged.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file shared "three people share this one")
common="--room $room --secret-file $s --width 320 --height 240 --duration 20s --expect-media"
# shellcheck disable=SC2086
join alice $common --impair stall=2s@8s
# shellcheck disable=SC2086
join bob $common
# shellcheck disable=SC2086
join carol $common
for who in alice bob carol; do
    wait_status $who 0
done
expect_events alice joined 1 '"impair":"stall=2s@8s,dir=send"'

# figure RECEIVER TRACK REMOTE KEY
figure() {
    $EV figure "$work/$1.json" "$2" "$3" "$4"
}
for who in bob carol; do
    for track in video audio; do
        echo "  $who <- alice $track: freezes=$(figure $who $track alice freezes)" \
            "frozen-ms=$(figure $who $track alice frozen-ms)" \
            "longest-freeze-ms=$(figure $who $track alice longest-freeze-ms)" \
            "jitter-ms=$(figure $who $track alice jitter-ms)"
    done
    n=$(figure $who video alice freezes)
    longest=$(figure $who video alice longest-freeze-ms)
    frozen=$(figure $who video alice frozen-ms)
    [ "$n" != none ] || fail "$who: no video from alice in the summary"
    [ "$n" -ge 1 ] || fail "$who: alice's video never froze"
    [ "$longest" -ge 1600 ] && [ "$longest" -le 2600 ] ||
        fail "$who: alice's video froze $longest ms at most, expected 1600-2600"
    # One freeze of the stall's size: any other (machine load, see below) is
    # short, all of them together under 1 s.
    [ $((frozen - longest)) -lt 1000 ] ||
        fail "$who: alice's video froze $n times, $frozen ms: more than the stall"
    [ "$n" -eq 1 ] || echo "note: $who: alice's video also froze $((n - 1)) more"         "time(s), $((frozen - longest)) ms in all"
    ok "$who: alice's video froze once for $longest ms"
done
# The others' streams: nothing like the stall (it is alice's sending only).
# A freeze of a few hundred ms can happen there without any impairment on a
# loaded machine (seen once in six runs on 2 shared cores: 214 ms, audio and
# video together), so what is refused is a freeze of 1 s or more; shorter
# ones are printed.
for pair in "bob carol" "carol bob" "alice bob" "alice carol"; do
    set -- $pair
    n=$(figure "$1" video "$2" freezes)
    longest=$(figure "$1" video "$2" longest-freeze-ms)
    [ "$n" != none ] || fail "$1: no video from $2 in the summary"
    [ "$longest" -lt 1000 ] || fail "$1: $2's video froze for $longest ms (not impaired)"
    [ "$n" = 0 ] && ok "$1: $2's video never froze" ||
        echo "note: $1: $2's video froze $n time(s), at most $longest ms, without impairment"
done
