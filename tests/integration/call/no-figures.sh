#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --no-quality-figures (e2call(1), MEDIA QUALITY FIGURES): an E2EE call of a
# publisher and a receiver that measures no figure; media is still verified,
# and the receiver's stats events, summary and control status have none of
# freezes, frozen-ms, longest-freeze-ms, jitter-ms, latency-ms,
# decoded-latency-ms, latency-misses, av-skew-ms, nor its --metrics file the
# freeze, jitter, latency and A/V skew families (the publisher, without the flag,
# measures nothing it could report either way: it receives nothing). Then a
# load run with it: exit 0, frames in every pair, and neither the pairs'
# figures nor the report's quality object.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
join pub --room "$room" --secret-file "$s" --width 320 --height 240 --duration 14s --no-subscribe
STATS_INTERVAL=2 join recv --room "$room" --secret-file "$s" --duration 10s --no-publish \
    --expect-media --no-quality-figures --control "$work/recv.sock" --metrics "$work/recv.prom"
# Once the receiver verified both tracks, and a stats interval later.
wait_event recv media-verified "" 30 2
sleep 2
"$E2CALL" status --control "$work/recv.sock" --json >"$work/status.json" 2>"$work/status.err" ||
    fail "status: $(cat "$work/status.err")"
wait_status recv 0
wait_status pub 0
python3 - "$work/recv.json" "$work/status.json" <<'PY' || fail "the receiver's figures (above)"
import json, sys
GONE = ("freezes", "frozen-ms", "longest-freeze-ms", "jitter-ms", "latency-ms",
        "decoded-latency-ms", "latency-misses", "av-skew-ms", "decoded-av-skew-ms")
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
status = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
streams = []
for e in events + status:
    for key in ("streams", "subscriptions"):
        # (media-check's "streams" is a count)
        for s in e.get(key) if isinstance(e.get(key), list) else []:
            if isinstance(s, dict) and s.get("direction", "recv") == "recv" and "track" in s:
                streams.append((e.get("event", "status"), s))
kinds = {what for what, _ in streams}
assert {"stats", "summary", "status"} <= kinds, f"streams only in {kinds}"
received = [s for what, s in streams if what == "summary" and s.get("frames", 0) > 0]
assert len(received) == 2, f"summary: {len(received)} streams with frames"
for what, s in streams:
    there = [k for k in GONE if k in s]
    assert not there, f"{what}: {there} in {s}"
print(f"  {len(streams)} stream objects ({', '.join(sorted(kinds))}), none with a figure")
PY
grep -q '^e2call_received_frames_decrypted_total{' "$work/recv.prom" ||
    fail "the receiver's metrics have no decrypted frames"
grep -E 'e2call_received_(freezes|frozen|longest_freeze|jitter|latency|decoded_latency|av_skew)' \
    "$work/recv.prom" &&
    fail "the receiver's metrics have freeze or jitter figures"
ok "join --no-quality-figures: media verified, no figure in stats, summary, status or metrics"

printf 'one secret for all\n' >"$work/secrets"
chmod 600 "$work/secrets"
room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 3 --publishers 2 --secrets "$work/secrets" \
    --duration 12s --ramp 4 --json --no-control --no-quality-figures \
    >"$work/load.json" 2>"$work/load.err"
st=$?
[ "$st" -eq 0 ] || { cat "$work/load.err" >&2; fail "load exited $st, expected 0"; }
python3 - "$work/load.json" <<'PY' || fail "load-report with --no-quality-figures (above)"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
assert "quality" not in r, r["quality"]
assert r["pairs"] and all(p["frames"] > 0 for p in r["pairs"]), r["pairs"]
for p in r["pairs"]:
    there = [k for k in p if any(w in k for w in ("freeze", "frozen", "jitter", "latency", "skew"))]
    assert not there, f"pair {p['receiver']} <- {p['publisher']}: {there}"
PY
grep -q "freezes" "$work/load.err" && fail "load's text report has the freeze lines"
ok "load --no-quality-figures: every pair received, no figure in the report"
