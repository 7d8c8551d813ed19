#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A publication whose media path never comes up: ICE succeeds (its checks
# are small packets) but DTLS cannot (the handshake's certificate flight is
# a large one, and the rule below drops every UDP packet over 600 bytes), so
# the router never reports webrtcup and nobody would ever receive us. join
# must not sit there silently: 15 s after the answer it starts over, and
# with --reconnect-attempts 0 it exits 8 (CONNECT_FAILED) saying why.
# (Janus gives up on DTLS by itself too, but only after about 20 s, with a
# hangup; a router that does not is what this guards against.)
. "$(dirname "$0")/lib.sh"

command -v nft >/dev/null || fail "nft is missing"
nft -f - <<'NFT' || fail "cannot install the drop rule"
table inet e2c_stall {
    chain out {
        type filter hook output priority 0; policy accept;
        udp length > 600 counter drop
    }
}
NFT

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
join alice --room "$room" --secret-file "$s" --no-subscribe --width 320 --height 240 \
    --duration 60s --reconnect-attempts 0
start=$(date +%s)
wait_status alice 8
took=$(($(date +%s) - start))
dropped=$(nft list table inet e2c_stall | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "${dropped:-0}" -gt 0 ] || fail "the rule dropped no packet"
expect_events alice published 1
expect_events alice error 1 '"error":"CONNECT_FAILED"'
expect_events alice error 1 'not up 15 s after the answer'
[ "$took" -ge 15 ] && [ "$took" -le 25 ] || fail "exited after $took s, expected 15 s after the answer"
ok "a publication that never came up ended the call after $took s (dropped $dropped packets)"
