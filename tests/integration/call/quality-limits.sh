#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --max-freeze, --max-frozen and --max-latency decide the exit status
# (e2call(1), EXIT STATUS 13, MEDIA_QUALITY_FAILED).
#
#   quality-limits.sh loss PCT   (the lab's E2CALL_LAB_OPTS="--loss PCT"):
#     a two-party E2EE call under packet loss with --max-freeze 100ms. A
#     freeze is at least 183 ms at 30 fps (max(3 x 33 ms, 33 ms + 150 ms)),
#     and lost video packets make the receiver drop frames until the next
#     keyframe, so each side's video of the other froze: both exit 13 and
#     name that stream, in the media-quality event (figures and limit), the
#     error event, the readable lines and a failed JUnit case.
#   quality-limits.sh latency:
#     a two-party E2EE call with --max-latency 1ms: no frame gets from an
#     encoder through a jitter buffer to the decryptor within 1 ms, so both
#     exit 13 and name the other's video and audio with their latency p95
#     (the summary's), in the media-quality event, the error event and a
#     failed JUnit case per stream; the metrics carry the latency quantiles.
#   quality-limits.sh clean:
#     the same call without loss, with --max-freeze 2s --max-frozen 50%,
#     --max-latency 10s --max-latency max:60s and --expect-media: both exit
#     0, the media-quality event passed, the JUnit cases passed; then a load
#     run with the same limits exits 0, its report carries the limits, no
#     quality failure and the latency over the pairs, its JUnit a passed
#     case per pair.
#
# Usage: quality-limits.sh loss PCT | latency | clean
. "$(dirname "$0")/lib.sh"
mode=${1:?usage: quality-limits.sh loss PCT | latency | clean}

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
elif [ "$mode" = latency ]; then
    limits="--max-latency 1ms --expect-media"
    want=13
else
    limits="--max-freeze 2s --max-frozen 50% --max-latency 10s --max-latency max:60s --expect-media"
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
                print("  %s <- %s %s: frames=%s freezes=%s frozen-ms=%s longest-freeze-ms=%s "
                      "latency-ms=%s" % (
                    s.get("participant"), s.get("remote"), s.get("track"), s.get("frames"),
                    s.get("freezes"), s.get("frozen-ms"), s.get("longest-freeze-ms"),
                    json.dumps(s.get("latency-ms"))))
    if e.get("event") == "media-quality":
        print("  media-quality: " + json.dumps(e))
PY
    # The verdict's own words, checked against the summary's figures.
    python3 - "$work/$who.json" "$peer" "$mode" <<'PY' || fail "$who: the media-quality event"
import json, re, sys
path, peer, mode = sys.argv[1:]
events = [json.loads(l) for l in open(path) if l.startswith("{")]
quality = [e for e in events if e["event"] == "media-quality"]
assert len(quality) == 1, f"{len(quality)} media-quality events"
q = quality[0]
summary = [e for e in events if e["event"] == "summary"][-1]
video = [s for s in summary["streams"]
         if s.get("direction") == "recv" and s["track"] == "video" and s["remote"] == peer]
assert video, "no video of the peer in the summary"
recv = {s["track"]: s for s in summary["streams"]
        if s.get("direction") == "recv" and s["remote"] == peer}
errors = [e for e in events if e["event"] == "error"]
if mode == "loss":
    assert q["streams"] == 1, q
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
elif mode == "latency":
    assert q["max-latency-ms"] == {"p95": 1}, q
    assert q["max-freeze-ms"] is None and q["max-frozen-pct"] is None, q
    # Both of the peer's streams were timed (E2EE: by KID and counter), and both were late.
    assert q["streams"] == 2 and not q["passed"], q
    failed = {f["track"]: f for f in q["failed"]}
    assert sorted(failed) == ["audio", "video"], q
    [err] = errors
    assert err["error"] == "MEDIA_QUALITY_FAILED" and err["exit-status"] == 13, err
    for track, f in failed.items():
        p95 = recv[track]["latency-ms"]["p95"]
        assert f["remote"] == peer and f["latency-ms"]["p95"] == p95 > 1, (f, p95)
        # The reason's figure is the p95 to 0.1 ms (printed from the unrounded value).
        m = re.fullmatch(r"latency p95 ([0-9]+\.[0-9]) ms, above --max-latency p95:1ms", f["reason"])
        assert m and abs(float(m.group(1)) - p95) <= 0.051, (f, p95)
        assert f"{peer} {track} ({f['reason']})" in err["message"], err
else:
    assert q["max-freeze-ms"] == 2000 and q["max-frozen-pct"] == 50, q
    assert q["max-latency-ms"] == {"p95": 10000, "max": 60000}, q
    # The video for every limit, the audio for latency (timed: E2EE).
    assert q["streams"] == 2, q
    assert recv["audio"]["latency-ms"] is not None, recv
    assert q["passed"] and q["failed"] == [], q
    assert not errors, errors
PY
    case=$(grep -A1 "name=\"$peer video freezes within limits\"" "$work/$who.xml")
    if [ "$mode" = latency ]; then
        for track in video audio; do
            grep -A1 "name=\"$peer $track latency within limits\"" "$work/$who.xml" |
                grep -q '<failure message="latency p95 [0-9.]* ms, above --max-latency p95:1ms" type="MEDIA_QUALITY_FAILED"' ||
                fail "$who's JUnit case for $peer's $track latency did not fail as expected"
        done
        grep -q "^e2call_received_latency_seconds{participant=\"$who\",remote=\"$peer\",track=\"video\",codec=\"[a-z0-9]*\",quantile=\"0.95\"} [0-9.e-]*$" \
            "$work/$who.prom" || fail "$who's metrics: no latency p95 of $peer's video"
        grep -q '^e2call_exit_status{command="join"} 13$' "$work/$who.prom" ||
            fail "$who's metrics: no exit status 13"
        ok "$who: --max-latency 1ms failed $peer's video and audio"
        continue
    elif [ "$mode" = loss ]; then
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
        for track in video audio; do
            grep -q "name=\"$peer $track latency within limits\"/>" "$work/$who.xml" ||
                fail "$who's JUnit latency case for $peer's $track did not pass"
        done
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
        --duration 15s --ramp 10 --max-freeze 2s --max-frozen 50% --max-latency 10s --json \
        --junit "$work/load.xml" >"$work/load.json" 2>"$work/load.err"
    st=$?
    [ "$st" -eq 0 ] || { cat "$work/load.err" >&2; fail "load exited $st, expected 0"; }
    python3 - "$work/load.json" <<'PY' || fail "load-report: the quality limits"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
assert r["max-freeze-ms"] == 2000 and r["max-frozen-pct"] == 50, r
assert r["quality-failures"] == [] and r["totals"]["pairs-frozen-over-limit"] == 0, r
assert r["max-latency-ms"] == {"p95": 10000}, r
assert r["latency-failures"] == [] and r["totals"]["pairs-latency-over-limit"] == 0, r
# The latency over the pairs: every pair's video was timed (one process).
v = r["quality"]["video"]
assert v["pairs-with-latency"] == 4, v
d = v["latency-p95-ms-per-pair"]
assert 0 < d["p50"] <= d["p95"] <= d["max"] < 10000, v
print("  load video latency over the pairs: p50 of p50 %s ms, p50 of p95 %s ms, max of p95 %s ms"
      % (v["latency-p50-ms-per-pair"]["p50"], d["p50"], d["max"]))
# Every pair of the group received video to judge.
assert all(p["frames"] > 0 for p in r["pairs"]), r["pairs"]
PY
    n=$(grep -c 'video freezes within limits"/>' "$work/load.xml")
    [ "$n" -eq 4 ] || fail "load's JUnit: $n passed freeze cases, expected 4 (3 receivers, 2 publishers)"
    n=$(grep -c ' latency within limits"/>' "$work/load.xml")
    [ "$n" -eq 4 ] || fail "load's JUnit: $n passed latency cases, expected 4"
    ok "load with the limits: exit 0, 4 pairs judged"
fi
if [ "$mode" = loss ]; then
    dropped=$(nft list table inet e2c_lab | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    ok "$pct % loss: the lab dropped ${dropped:-0} packets"
fi
