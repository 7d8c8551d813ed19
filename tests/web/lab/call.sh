#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# One e2call participant and one browser (headless Chromium on the page) in
# one E2EE room with one secret: each decrypts, decodes and verifies what
# the other sent (--expect-media), both exit 0. CODEC: vp8, vp9 or h264.
# The browser's summary and stats events carry the latency of what it opened
# of alice's (her frame-time table, looked up by web join) and the A/V skew.
. "$(dirname "$0")/lib.sh"
codec=${1:?usage: call.sh vp8|vp9|h264}

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
join alice --room "$room" --secret-file "$s" --video "$codec" --width 320 --height 240 \
    --duration 15s --expect-media
WEB_STATS_INTERVAL=2 web_join browser --room "$room" --secret-file "$s" --video "$codec" --duration 15s \
    --expect-media
wait_status alice 0
wait_status browser 0
for who in alice browser; do
    expect_events $who media-verified 1 '"track":"video"'
    expect_events $who media-verified 1 '"track":"audio"'
    expect_events $who media-check 1 '"passed":true'
    expect_no_events $who encryption-secret-mismatch
done
# The worker's known-answer self-test (every suite's vectors) ran in Chromium.
expect_events browser notice 1 '"self-test":"passed"'
expect_events browser published 1 "\"video\":\"$codec\""
# The browser's events name it, and the secret appears nowhere.
expect_events browser joined 1 '"participant":"browser"'
! grep -q "correct horse" "$work/browser.json" "$work/browser.err" ||
    fail "the secret appears in the browser's output"
ok "the secret is in none of the browser's output"
python3 - "$work/browser.json" <<'PY' || fail "the browser's latency (above)"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
summary = [e for e in events if e.get("event") == "summary"][-1]
mine = [s for s in summary["streams"] if s.get("remote") == "alice"]
assert {s["track"] for s in mine} == {"video", "audio"}, mine
for s in mine:
    lat = s.get("latency-ms")
    assert lat and 0.1 <= lat["p50"] <= 500 and lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"], s
    assert s["latency-misses"] * 20 <= s["frames-decrypted"], s
    assert isinstance(s.get("av-skew-ms"), (int, float)) and abs(s["av-skew-ms"]) < 100, s
    print(f"  {s['track']}: latency p50 {lat['p50']} p95 {lat['p95']} max {lat['max']} ms, "
          f"{s['latency-misses']} of {s['frames-decrypted']} untimed, A/V skew {s['av-skew-ms']} ms")
timed = [s for e in events if e.get("event") == "stats" for s in e["streams"]
         if s.get("remote") == "alice" and s.get("latency-ms")]
assert {s["track"] for s in timed} == {"video", "audio"}, "no stats event with latency"
PY
ok "the browser's latency of alice's frames in its summary and stats, with the A/V skew"
