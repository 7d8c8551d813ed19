#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --rekey-delay 0: alice switches at once; bob, who rekeys later, sees a
# mismatch for her streams until he does.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the secret before the rekey")
s2=$(secret_file two "the secret after the rekey")
for who in alice bob; do
    join $who --room "$room" --secret-file "$s1" --control "$work/$who.sock" --width 320 \
        --height 240 --duration 15s --rekey-delay 0 --expect-media
done
# Until the media flows (not a fixed time: a loaded machine can take seconds to publish).
for who in alice bob; do wait_event $who media-verified "" 30 2; done
rekey alice "$s2"
sleep 4
rekey bob "$s2"
for who in alice bob; do wait_status $who 0; done
t_a=$(first_ts alice rekeyed)
t_switch=$(first_ts alice sending-switched)
gap=$(elapsed "$t_a" "$t_switch")
python3 -c "import sys; sys.exit(0 if $gap < 0.5 else 1)" || fail "alice switched after $gap s"
ok "alice switched $gap s after rekeying"
t_mm=$(first_ts bob encryption-secret-mismatch remote=alice)
t_b=$(first_ts bob rekeyed)
before "$t_a" "$t_mm" && before "$t_mm" "$t_b" || fail "bob: no mismatch between the two rekeys"
ok "bob: mismatch $(elapsed "$t_a" "$t_mm") s after alice's rekey"
t_match=$(first_ts bob encryption-secret-match remote=alice)
before "$t_b" "$t_match" || fail "bob: no match after his rekey"
ok "bob: match $(elapsed "$t_b" "$t_match") s after his rekey"
expect_no_events alice encryption-secret-mismatch
