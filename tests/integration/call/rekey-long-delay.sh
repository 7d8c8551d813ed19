#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A --rekey-delay longer than the 10 s grace: e2call-e2ee(7), COUNTERS, ROTATION AND REKEY says who rekey
# within the delay of one another lose no frame and see no mismatch. Both
# rekey at T and keep sending under the old secret until T + 15 s, so the
# old secret must keep decrypting past that: the grace is max(10 s, twice
# the delay). (With a fixed 10 s the last 5 s of frames failed.)
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the secret before the rekey")
s2=$(secret_file two "the secret after the rekey")
for who in alice bob; do
    join $who --room "$room" --secret-file "$s1" --control "$work/$who.sock" --width 320 \
        --height 240 --duration 28s --rekey-delay 15s
done
sleep 6
rekey alice "$s2" &
rekey bob "$s2"
wait $!
for who in alice bob; do wait_status $who 0; done
for who in alice bob; do
    expect_events $who rekeyed 1
    expect_no_events $who encryption-secret-mismatch
done
