#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# 5 % loss on a decoding receiver (--impair loss=5%,dir=recv: bob drops 5 %
# of the RTP packets webrtcbin hands him, after its jitterbuffer, so nothing
# is retransmitted) shows up in bob's figures of alice's video, as freezes
# or frames lost, and never as a mismatch: a damaged or missing frame is not
# a wrong secret. netsim's own log (GST_DEBUG=netsim:5) shows that it
# dropped packets. Both still verify (--expect-media, exit 0): audio loses
# single 20 ms packets, and video recovers with the keyframes the
# depayloader asks for after each loss. What alice receives is not impaired.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
common="--room $room --secret-file $s --width 320 --height 240 --duration 20s --expect-media"
# shellcheck disable=SC2086
join alice $common
GST_DEBUG=netsim:5
export GST_DEBUG
# shellcheck disable=SC2086
join bob $common --impair loss=5%,dir=recv
unset GST_DEBUG
wait_status alice 0
wait_status bob 0
expect_events bob joined 1 '"impair":"loss=5%,dir=recv"'
dropped=$(grep -c "Dropping packet" "$work/bob.err" || true)
[ "$dropped" -gt 0 ] || fail "bob's netsim dropped no packet"
ok "bob's netsim dropped $dropped packets"

figure() {
    $EV figure "$work/$1.json" "$2" "$3" "$4"
}
for track in video audio; do
    echo "  bob <- alice $track: frames=$(figure bob $track alice frames)" \
        "frames-lost=$(figure bob $track alice frames-lost)" \
        "freezes=$(figure bob $track alice freezes)" \
        "frozen-ms=$(figure bob $track alice frozen-ms)" \
        "longest-freeze-ms=$(figure bob $track alice longest-freeze-ms)" \
        "jitter-ms=$(figure bob $track alice jitter-ms)"
done
freezes=$(figure bob video alice freezes)
lost=$(figure bob video alice frames-lost)
[ "$freezes" -gt 0 ] || [ "$lost" -gt 0 ] ||
    fail "bob: 5 % loss left no trace in alice's video (freezes $freezes, frames lost $lost)"
ok "bob: alice's video froze $freezes time(s), $lost frames lost"
for who in alice bob; do
    expect_no_events $who encryption-secret-mismatch
done
n=$(figure alice video bob freezes)
[ "$n" = 0 ] || fail "alice: bob's video froze $n time(s), expected none (alice is not impaired)"
ok "alice: bob's video never froze"
