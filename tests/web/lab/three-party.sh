#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two e2call participants and a browser share a secret; the browser alone
# is rekeyed to another. Afterwards alice and bob still decrypt each other,
# and the browser and each of them report a mismatch: the matrix the
# secrets imply (the browser's receivers give up the first secret 10 s after
# its rekey, its sender at once). Every one of them ends with a stream in
# mismatch: exit 5.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the secret everyone starts with")
s2=$(secret_file two "the browser's secret of its own")
for who in alice bob; do
    join $who --room "$room" --secret-file "$s1" --width 320 --height 240 --duration 22s
done
# The browser outlasts alice and bob, so that their summaries list its streams.
web_join browser --room "$room" --secret-file "$s1" --rekey-file "$s2" --rekey-at 5s \
    --rekey-delay 0 --duration 25s
wait_status alice 5
wait_status bob 5
wait_status browser 5
expect_events browser rekeyed 1
for who in alice bob; do
    expect_events $who encryption-secret-mismatch 1 '"remote":"browser"'
    expect_events browser encryption-secret-mismatch 1 "\"remote\":\"$who\""
done
expect_no_events alice encryption-secret-mismatch '"remote":"bob"'
expect_no_events bob encryption-secret-mismatch '"remote":"alice"'
for who in alice bob; do
    st=$(summary_field browser "$who" video state)
    [ "$st" = mismatch ] || fail "the browser ends with $who's video in state '$st'"
    st=$(summary_field "$who" browser video state)
    [ "$st" = mismatch ] || fail "$who ends with the browser's video in state '$st'"
done
ok "the decrypt matrix is as the secrets imply"
