#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A participant who does not encrypt, in a room that does not require it,
# and one who does: the encrypting one reports both of the plain one's
# streams as a mismatch whose cause is "unencrypted" (not a wrong secret),
# counts their frames as unencrypted, none as failed, and exits 5
# (ENCRYPTION_SECRET_MISMATCH) naming the cause; nothing reaches a decoder.
. "$(dirname "$0")/lib.sh"

room=$(create_room)
# The plain peer stays past crypt's end, so its streams are in crypt's summary.
join plain --room "$room" --duration 10s --width 320 --height 240
join crypt --room "$room" --secret-file "$(secret_file c "a secret for this call")" \
    --duration 8s --width 320 --height 240 --expect-media
wait_status crypt 5
wait_status plain 0
expect_events crypt encryption-secret-mismatch 1 '"track":"video"'
expect_events crypt encryption-secret-mismatch 1 '"track":"audio"'
n=$(count_events crypt encryption-secret-mismatch)
[ "$n" -eq 2 ] || fail "crypt: $n mismatch events, expected 2"
m=$(count_events crypt encryption-secret-mismatch '"cause":"unencrypted"')
[ "$m" -eq 2 ] || fail "crypt: $m of 2 mismatch events name the cause unencrypted"
ok "crypt: both mismatches name the cause unencrypted"
expect_no_events crypt media-flowing
expect_events crypt error 1 '2 not encrypted'
python3 - "$work/crypt.json" <<'PY' || fail "crypt: the summary counts the plain frames wrongly"
import json, sys
summary = [json.loads(l) for l in open(sys.argv[1]) if '"event":"summary"' in l][-1]
recv = [s for s in summary["streams"] if s["direction"] == "recv"]
assert len(recv) == 2, recv
for s in recv:
    assert s["frames-failed"] == 0, s
    assert s["frames-decrypted"] == 0, s
    assert s["frames-unencrypted"] > 10, s
    assert s["mismatch-cause"] == "unencrypted", s
    print(f'ok: crypt {s["track"]}: {s["frames-unencrypted"]} frames unencrypted, none failed')
PY
