#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Different secrets: e2call and the browser each report a mismatch (cause
# wrong-secret), no frame reaches either decoder, both exit 5. Then a
# browser without a secret in an E2EE room: the router refuses its
# publication, it exits 4.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the first secret of two")
s2=$(secret_file two "the second secret of two")
join alice --room "$room" --secret-file "$s1" --width 320 --height 240 --duration 10s
web_join browser --room "$room" --secret-file "$s2" --duration 10s
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
