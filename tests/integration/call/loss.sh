#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A two-party E2EE call under random packet loss on the media path (the lab's
# --loss, nftables; run with E2CALL_LAB_OPTS="--loss PCT"). The lab drops PCT %
# of the UDP packets at each hop (publisher to Janus, Janus to subscriber), so
# about 1 - (1 - PCT)^2 of them end to end. README, Benchmarks: zero false mismatch
# events under 10 % loss. At every level: the call keeps going to the end of
# its duration, nobody reports encryption-secret-mismatch (damaged frames
# are counted, never taken for a wrong secret), and nothing ends with another
# error than MEDIA_CHECK_FAILED (above 10 %, see the known ICE issue below);
# up to 10 %, both decrypt and verify audio.
# With "expect-media", --expect-media must pass as well (exit 0), as the
# suite asks at 10 %. Lost packets are not retransmitted (see e2call(1),
# BUGS: neither NACK nor RTX works between webrtcbin 1.22 and Janus 1.1.2);
# video recovers through keyframe requests: the depayloader drops what
# follows a loss and sends a PLI, which reaches the publisher through Janus.
#
# Setting up under loss is slow (ICE and DTLS retransmit after 1, 2, 4 s):
# 7 s per connection at 10 % per hop were seen. A subscription whose DTLS
# handshake stalls is made again 12 s after the router started sending
# (before, it waited for Janus's "DTLS timeout", 20 s in, and was never made
# again), so a call needs about 25 s to verify after one such restart:
# hence the 40 s calls.
#
# Usage: loss.sh PCT [expect-media]   (PCT must be the lab's --loss)
. "$(dirname "$0")/lib.sh"
pct=${1:?usage: loss.sh PCT [expect-media]}
require_media=${2:-}

# The loss is really there: the lab's drop rule exists.
command -v nft >/dev/null || fail "nft is missing"
nft list table inet e2c_lab >"$work/nft.before" 2>&1 ||
    fail "no loss rule in the lab (run with E2CALL_LAB_OPTS=\"--loss $pct\")"
grep -q "numgen random mod 100 < $pct" "$work/nft.before" ||
    fail "the lab drops another share than $pct %: $(grep drop "$work/nft.before")"

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
for who in alice bob; do
    join $who --room "$room" --secret-file "$s" --width 320 --height 240 --duration 40s \
        --expect-media
done
wait "$pid_alice"
st_alice=$?
wait "$pid_bob"
st_bob=$?

dropped=$(nft list table inet e2c_lab | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "${dropped:-0}" -gt 0 ] || fail "the lab dropped no packet"
ok "$pct % loss: the lab dropped $dropped packets"

for who in alice bob; do
    eval "st=\$st_$who"
    # What the summary says about each received stream, for the record.
    python3 - "$work/$who.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "summary":
        for s in e["streams"]:
            if s.get("direction") == "recv":
                print("  %s <- %s %s: frames=%s decrypted=%s failed=%s replayed=%s lost=%s "
                      "mismatch-events=%s verified=%s freezes=%s frozen-ms=%s "
                      "longest-freeze-ms=%s jitter-ms=%.2f" % (
                          s.get("participant"), s.get("remote"), s.get("track"), s.get("frames"),
                          s.get("frames-decrypted"), s.get("frames-failed"),
                          s.get("frames-replayed"), s.get("frames-lost", "-"),
                          s.get("mismatch-events"), s.get("verified"), s.get("freezes"),
                          s.get("frozen-ms"), s.get("longest-freeze-ms"), s.get("jitter-ms", 0)))
PY
    expect_no_events $who encryption-secret-mismatch
    # Known issue above 10 %: libnice gives up a candidate pair after 3 STUN
    # retransmissions (about 2 s), so a subscription can fail ICE at the
    # start; it is made again up to 3 times ("resubscribing"), then the call
    # ends with UNABLE_TO_SUBSCRIBE (9). Tolerated here, and said loudly;
    # anything else ending the call early is not. (A publication that fails
    # ICE or DTLS, or that Janus hangs up with "DTLS timeout", starts over
    # instead: connection-lost, then reconnected.)
    if [ "$st" -eq 9 ] && [ "$pct" -gt 10 ] && grep -qE \
        '"exit-status":9,"message":"(the publication.s connection to the router failed|[0-9]+ subscription)' \
        "$work/$who.json"; then
        echo "note: KNOWN ISSUE: $who's connection failed ICE/DTLS at $pct % loss and the call ended (9)"
        continue
    fi
    expect_events $who left 1 '"reason":"duration"'
    if [ "$pct" -le 10 ]; then
        # Audio (one packet a frame) gets through 10 % loss per hop.
        expect_events $who media-flowing 1 '"track":"audio"'
        expect_events $who media-verified 1 '"track":"audio"'
    fi
    if [ "$require_media" = expect-media ]; then
        [ "$st" -eq 0 ] || fail "$who exited $st at $pct % loss, expected 0 (--expect-media)"
        expect_events $who media-check 1 '"passed":true'
    else
        # The media check may fail under loss (10); nothing else may.
        [ "$st" -eq 0 ] || [ "$st" -eq 10 ] || fail "$who exited $st at $pct % loss"
    fi
    ok "$who exited $st"
done
