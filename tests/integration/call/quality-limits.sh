#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --max-freeze and --max-frozen decide the exit status (e2call(1), EXIT
# STATUS 13, MEDIA_QUALITY_FAILED).
#
#   quality-limits.sh loss PCT   (the lab's E2CALL_LAB_OPTS="--loss PCT"):
#     a two-party E2EE call under packet loss with --max-freeze 100ms. A
#     freeze is at least 183 ms at 30 fps (max(3 x 33 ms, 33 ms + 150 ms)),
#     and lost video packets make the receiver drop frames until the next
#     keyframe, so each side's video of the other froze: both exit 13 and
#     name that stream, in the media-quality event (figures and limit), the
#     error event, the readable lines and a failed JUnit case.
#   quality-limits.sh clean:
#     the same call without loss, with --max-freeze 2s --max-frozen 50% and
#     --expect-media: both exit 0, the media-quality event passed, the JUnit
#     case passed; then a load run with the same limits exits 0, its report
#     carries the limits and no quality failure, its JUnit a passed case per
#     pair.
#
# Usage: quality-limits.sh loss PCT | clean
. "$(dirname "$0")/lib.sh"
mode=${1:?usage: quality-limits.sh loss PCT | clean}

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
if [ "$mode" = loss ]; then
    pct=${2:?usage: quality-limits.sh loss PCT}
    nft list table inet e2c_lab >"$work/nft.before" 2>&1 ||
        fail "no loss rule in the lab (run with E2CALL_LAB_OPTS=\"--loss $pct\")"
    grep -q "numgen random mod 100 < $pct" "$work/nft.before" ||
        fail "the lab drops another share than $pct %"
    limits="--max-freeze 100ms"
    want=13
else
    limits="--max-freeze 2s --max-frozen 50% --expect-media"
    want=0
fi
for who in alice bob; do
    # shellcheck disable=SC2086
    join $who --room "$room" --secret-file "$s" --width 320 --height 240 --duration 30s \
        $limits --junit "$work/$who.xml" --metrics "$work/$who.prom"
done
wait_status alice "$want"
wait_status bob "$want"

other() { [ "$1" = alice ] && echo bob || echo alice; }

for who in alice bob; do
    peer=$(other $who)
    # What each received stream showed, for the record.
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
                print("  %s <- %s %s: frames=%s freezes=%s frozen-ms=%s longest-freeze-ms=%s" % (
                    s.get("participant"), s.get("remote"), s.get("track"), s.get("frames"),
                    s.get("freezes"), s.get("frozen-ms"), s.get("longest-freeze-ms")))
    if e.get("event") == "media-quality":
        print("  media-quality: " + json.dumps(e))
PY
    # The verdict's own words, checked against the summary's figures.
    python3 - "$work/$who.json" "$peer" "$mode" <<'PY' || fail "$who: the media-quality event"
import json, sys
path, peer, mode = sys.argv[1:]
events = [json.loads(l) for l in open(path) if l.startswith("{")]
quality = [e for e in events if e["event"] == "media-quality"]
assert len(quality) == 1, f"{len(quality)} media-quality events"
q = quality[0]
summary = [e for e in events if e["event"] == "summary"][-1]
video = [s for s in summary["streams"]
         if s.get("direction") == "recv" and s["track"] == "video" and s["remote"] == peer]
assert video, "no video of the peer in the summary"
assert q["streams"] == 1, q
errors = [e for e in events if e["event"] == "error"]
if mode == "loss":
    assert q["max-freeze-ms"] == 100 and q["max-frozen-pct"] is None, q
    assert not q["passed"], q
    [f] = q["failed"]
    assert f["remote"] == peer and f["track"] == "video", f
    longest = max(s["longest-freeze-ms"] for s in video)
    assert f["longest-freeze-ms"] == longest > 100, (f, longest)
    assert f["reason"] == f"longest freeze {longest} ms, above --max-freeze 100 ms", f
    [err] = errors
    assert err["error"] == "MEDIA_QUALITY_FAILED" and err["exit-status"] == 13, err
    assert f"{peer} video (longest freeze {longest} ms" in err["message"], err
else:
    assert q["max-freeze-ms"] == 2000 and q["max-frozen-pct"] == 50, q
    assert q["passed"] and q["failed"] == [], q
    assert not errors, errors
PY
    case=$(grep -A1 "name=\"$peer video freezes within limits\"" "$work/$who.xml")
    if [ "$mode" = loss ]; then
        grep "error=MEDIA_QUALITY_FAILED exit-status=13" "$work/$who.err" | grep -qF \
            "1 of 1 video stream(s) froze beyond the limits: $peer video (longest freeze" ||
            fail "$who's readable error line does not name $peer's video"
        echo "$case" | grep -q '<failure message="longest freeze [0-9]* ms, above --max-freeze 100 ms" type="MEDIA_QUALITY_FAILED"' ||
            fail "$who's JUnit case for $peer: $case"
        grep -q '^e2call_exit_status{command="join"} 13$' "$work/$who.prom" ||
            fail "$who's metrics: no exit status 13"
    else
        echo "$case" | grep -q "name=\"$peer video freezes within limits\"/>" ||
            fail "$who's JUnit case for $peer did not pass: $case"
    fi
    grep -q "^e2call_received_longest_freeze_seconds{participant=\"$who\",remote=\"$peer\",track=\"video\"" \
        "$work/$who.prom" || fail "$who's metrics: no longest freeze of $peer's video"
    ok "$who: the limits judged $peer's video as expected"
done
if [ "$mode" = clean ]; then
    printf 'one secret for all\n' >"$work/secrets"
    chmod 600 "$work/secrets"
    room=$(create_room --e2ee)
    "$E2CALL" load --room "$room" --participants 3 --publishers 2 --secrets "$work/secrets" \
        --duration 15s --ramp 10 --max-freeze 2s --max-frozen 50% --json \
        --junit "$work/load.xml" >"$work/load.json" 2>"$work/load.err"
    st=$?
    [ "$st" -eq 0 ] || { cat "$work/load.err" >&2; fail "load exited $st, expected 0"; }
    python3 - "$work/load.json" <<'PY' || fail "load-report: the quality limits"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
assert r["max-freeze-ms"] == 2000 and r["max-frozen-pct"] == 50, r
assert r["quality-failures"] == [] and r["totals"]["pairs-frozen-over-limit"] == 0, r
# Every pair of the group received video to judge.
assert all(p["frames"] > 0 for p in r["pairs"]), r["pairs"]
PY
    n=$(grep -c 'video freezes within limits"/>' "$work/load.xml")
    [ "$n" -eq 4 ] || fail "load's JUnit: $n passed freeze cases, expected 4 (3 receivers, 2 publishers)"
    ok "load with the limits: exit 0, 4 pairs judged"
fi
if [ "$mode" = loss ]; then
    dropped=$(nft list table inet e2c_lab | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    ok "$pct % loss: the lab dropped ${dropped:-0} packets"
fi
