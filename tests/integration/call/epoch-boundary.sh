#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A call across a ten-minute epoch boundary of the wall clock: both
# participants run under libfaketime, their clocks started 25 s before a
# boundary (the monotonic clock left alone). Every sender rotates to a KID
# of the new epoch during the call (the KIDs in status before the boundary
# and in the summary after it carry the two epochs), no mismatch and no
# "sending-switched" from the boundary on (a rotation is not a rekey; the
# ones of the start, a second installation of the first key, are older),
# no video frame lost, and every stream is verified (exit 0).
. "$(dirname "$0")/lib.sh"

command -v faketime >/dev/null 2>&1 || {
    echo "skipping: faketime is not installed (scripts/setup installs it)" >&2
    exit 77
}
# libfaketime hangs in a program built with AddressSanitizer (its clock_gettime
# is called back while it initialises); the unit and element tests cross epoch
# boundaries there on an injected clock.
if [ "${E2C_SANITIZED:-0}" = 1 ]; then
    echo "skipping: libfaketime cannot run e2call built with sanitizers" >&2
    exit 77
fi
export FAKETIME_DONT_FAKE_MONOTONIC=1

# The last boundary before now, so that no clock runs ahead of the real one.
boundary=$(($(date +%s) / 600 * 600))
start=$(date -u -d "@$((boundary - 25))" '+%Y-%m-%d %H:%M:%S')
before=$(((boundary / 600 - 1) % 2048))
after=$(((boundary / 600) % 2048))

room=$(create_room --e2ee)
secret=$(secret_file s "the secret of this call")
for who in alice bob; do
    faketime -f "@$start" "$E2CALL" join --display $who --json --stats-interval 0 \
        --room "$room" --secret-file "$secret" --control "$work/$who.sock" --width 320 \
        --height 240 --duration 36s --expect-media >"$work/$who.json" 2>"$work/$who.err" &
    eval "pid_$who=$!"
done
# Before the boundary (the clocks read about 16 s past their start at the latest): the
# KIDs of all four streams of each, once every stream has one.
kids_known() {
    python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["streams"]
sys.exit(0 if len([r for r in s if r.get("kid")]) == 4 else 1)' "$1"
}
n=0
while :; do
    missing=""
    for who in alice bob; do
        [ -s "$work/$who.status" ] && kids_known "$work/$who.status" || missing="$missing $who"
    done
    [ -n "$missing" ] || break
    n=$((n + 1))
    [ $n -le 12 ] || fail "no KID for all four streams of$missing before the boundary"
    sleep 1
    for who in $missing; do
        "$E2CALL" status --control "$work/$who.sock" --json >"$work/$who.status" 2>/dev/null
    done
done
for who in alice bob; do wait_status $who 0; done

for who in alice bob; do
    expect_no_events $who encryption-secret-mismatch
    python3 - "$work/$who.json" "$boundary" <<'PY' || fail "$who: sending-switched at the rotation"
import datetime, json, sys
late = [e for e in map(json.loads, open(sys.argv[1]))
        if e["event"] == "sending-switched" and datetime.datetime.strptime(
            e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp() >= int(sys.argv[2])]
assert not late, late
print("ok: no sending-switched from the boundary on")
PY
    lost=$($EV lost "$work/$who.json")
    [ "$lost" -eq 0 ] || fail "$who lost $lost video frames across the boundary"
    ok "$who: no video frame lost"
    python3 - "$work/$who.status" "$work/$who.json" "$before" "$after" <<'PY' ||
import json, sys
status = json.load(open(sys.argv[1]))
summary = [json.loads(l) for l in open(sys.argv[2]) if '"event":"summary"' in l][-1]
before, after = int(sys.argv[3]), int(sys.argv[4])
def epochs(streams):
    return {(s["direction"], s["track"]): int(s["kid"], 16) >> 52 & 0x7ff
            for s in streams if s.get("kid")}
early, late = epochs(status["streams"]), epochs(summary["streams"])
assert len(early) == 4 and set(early.values()) == {before}, (early, before)
# The other may have left first: its streams are no longer in the summary.
assert {("send", "video"), ("send", "audio")} <= set(late), late
assert set(late.values()) == {after}, (late, after)
print(f"ok: every KID of epoch bits {before} before the boundary, {after} after it")
PY
        fail "$who: the KIDs did not rotate with the epoch"
done
