#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# alice rekeys, bob and carol do not (yet). Once alice's switch delay is over
# they report a mismatch for her streams; once the 10 s grace is over she
# reports one for theirs. When they rekey too, match events follow, media
# resumes, and --expect-media passes at the end.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s1=$(secret_file one "the secret before the rekey")
s2=$(secret_file two "the secret after the rekey")
for who in alice bob carol; do
    join $who --room "$room" --secret-file "$s1" --control "$work/$who.sock" --width 320 \
        --height 240 --duration 26s --expect-media
done
# Until the media flows (not a fixed time: a loaded machine can take seconds to publish).
for who in alice bob carol; do wait_event $who media-verified "" 30 4; done
rekey alice "$s2"
sleep 12.5
rekey bob "$s2"
rekey carol "$s2"
for who in alice bob carol; do wait_status $who 0; done

t_rekey=$(first_ts alice rekeyed)
t_switch=$(first_ts alice sending-switched)
for who in bob carol; do
    t_mm=$(first_ts $who encryption-secret-mismatch remote=alice)
    before "$t_switch" "$t_mm" || fail "$who: no mismatch for alice after she switched"
    ok "$who: mismatch for alice $(elapsed "$t_switch" "$t_mm") s after she switched"
    t_match=$(first_ts $who encryption-secret-match remote=alice)
    t_own=$(first_ts $who rekeyed)
    before "$t_own" "$t_match" || fail "$who: no match for alice after rekeying"
    ok "$who: match for alice $(elapsed "$t_own" "$t_match") s after rekeying"
done
for remote in bob carol; do
    t_mm=$(first_ts alice encryption-secret-mismatch remote=$remote)
    before "$t_rekey" "$t_mm" || fail "alice: no mismatch for $remote"
    gap=$(elapsed "$t_rekey" "$t_mm")
    python3 -c "import sys; sys.exit(0 if $gap >= 9.5 else 1)" ||
        fail "alice reported $remote as mismatched $gap s after her rekey, inside the 10 s grace"
    ok "alice: mismatch for $remote $gap s after her rekey (grace 10 s)"
    t_match=$(first_ts alice encryption-secret-match remote=$remote)
    before "$t_mm" "$t_match" || fail "alice: no match for $remote after they rekeyed"
    ok "alice: match for $remote"
done
