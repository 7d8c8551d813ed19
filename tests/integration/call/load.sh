#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2call load: 6 participants, 2 publishers, 2 secret groups. The matrix is
# exactly what the groups imply (exit 0); with a rekey of one group during the
# run it still holds; a wrong expectation exits 11 naming the pairs;
# receivers left behind real time (the router stalls before the end: frames
# sent, neither received nor lost) exit 12 naming the pairs; and when the
# router dies and comes back, everybody rejoins and the run still passes
# (the publishers share one source, which must keep feeding them). Pairs that
# decrypt carry latency for both tracks, the others none.
. "$(dirname "$0")/lib.sh"

printf '# two groups\nsecret of the first group\nsecret of the second group\n' >"$work/secrets"
chmod 600 "$work/secrets"

room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 15s --ramp 10 --json >"$work/load.json" 2>"$work/load.err"
st=$?
[ "$st" -eq 0 ] || fail "load exited $st, expected 0"
grep -q '"event":"load-report"' "$work/load.json" || fail "no load-report"
grep '"event":"load-report"' "$work/load.json" | grep -q \
    '"matrix":\[\[null,"mismatch"\],\["mismatch",null\],\["ok","mismatch"\],\["mismatch","ok"\],\["ok","mismatch"\],\["mismatch","ok"\]\]' ||
    fail "the matrix is not what the groups imply: $(grep load-report "$work/load.json")"
# Every same-group pair has its backlog measured, and it is small.
python3 - "$work/load.json" <<'PY' || fail "backlog not measured as expected"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
same = [p for p in r["pairs"] if p["expected"] == "ok"]
assert same and all(p["behind-s"] is not None and p["behind-s"] < 1 for p in same), same
assert r["totals"]["pairs-behind"] == 0, r["totals"]
# Latency, all pairs in one process: every pair that decrypts has it for both tracks; a
# pair that cannot decrypt has none.
for p in r["pairs"]:
    for k in ("latency-ms", "audio-latency-ms"):
        v = p[k]
        if p["expected"] != "ok":
            assert v is None, p
            continue
        assert isinstance(v, dict), p
        q = [v["p50"], v["p95"], v["p99"], v["max"]]
        assert q == sorted(q) and 1 <= v["p50"] <= 500, p
# A/V skew: every pair that decrypts has it, audio's latency p50 minus video's; the report's
# distribution is over those pairs.
skews = []
for p in r["pairs"]:
    if p["expected"] != "ok":
        assert p["av-skew-ms"] is None, p
        continue
    want = p["audio-latency-ms"]["p50"] - p["latency-ms"]["p50"]
    assert abs(p["av-skew-ms"] - want) < 0.005, p
    skews.append(abs(p["av-skew-ms"]))
q = r["quality"]["av-skew"]
assert q["pairs"] == len(skews) == 4, q
assert abs(q["abs-ms-per-pair"]["max"] - max(skews)) < 0.005, (q, skews)
print(f"  A/V skew per pair: {sorted(skews)} ms")
PY
ok "matrix as the secrets imply, exit 0, every receiver in real time, latency and A/V skew of every pair"

# The router stops forwarding 4 s or more before the end: the publishers go
# on sealing, the receivers get nothing more, and nothing counts as lost.
# settled FILE: load's latest stats in FILE count 8 streams ok and 12 mismatched (6
# participants, 2 publishing, secrets in two groups: 10 pairs, 4 of them in one group).
settled() {
    last=$(grep '"event":"stats"' "$1" 2>/dev/null | tail -n 1)
    echo "$last" | grep -q '"streams-ok":8[,}]' && echo "$last" | grep -q '"streams-mismatched":12[,}]'
}
# wait_settled FILE: until settled (at most 30 s), however long a loaded machine
# took to publish.
wait_settled() {
    i=0
    until settled "$1"; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "load: not every pair ok or mismatched within 30 s"
        sleep 0.1
    done
}

room=$(create_room --e2ee)
start=$(date +%s)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 16s --ramp 10 --stats-interval 1 --json >"$work/stall.json" \
    2>"$work/stall.err" &
pid=$!
wait_settled "$work/stall.json"
kill -STOP "$E2CALL_LAB_JANUS_PID"
# Stopped until the run has ended and left (what the router then sends on,
# nobody counts), or at most 8 s past its end.
while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt $((start + 24)) ]; do sleep 0.2; done
kill -CONT "$E2CALL_LAB_JANUS_PID"
wait "$pid"
st=$?
[ "$st" -eq 12 ] || fail "receivers behind a stalled router: exit $st, expected 12"
grep -q "p3 receiving p1: .* s behind real time" "$work/stall.err" ||
    fail "no pair named as behind: $(cat "$work/stall.err")"
grep -q "a receiver fell behind real time" "$work/stall.err" || fail "no verdict"
ok "receivers behind real time: exit 12 with the pairs named"

# One run in two processes (--index 0 and 1, as on two machines), merged.
merge=$E2C_SOURCE_ROOT/scripts/merge-load-reports
room=$(create_room --e2ee)
for k in 0 1; do
    "$E2CALL" load --room "$room" --participants 3 --publishers 1 --index $k \
        --secrets "$work/secrets" --duration 12s --ramp 10 --json --no-control \
        >"$work/index$k.json" 2>"$work/index$k.err" &
done
wait
"$merge" --json "$work/index0.json" "$work/index1.json" >"$work/merged.json" ||
    fail "merging two processes' reports: exit $? ($(cat "$work/merged.json"))"
python3 - "$work/merged.json" <<'PY' || fail "merged matrix wrong: $(cat "$work/merged.json")"
import json, sys
m = json.load(open(sys.argv[1]))
# p1 (index 0, line 1) and k1-p1 (line 2: the round-robin goes on) publish.
assert m["publishers"] == ["p1", "k1-p1"], m["publishers"]
assert len(m["receivers"]) == 6 and m["passed"], m
PY
"$merge" "$work/stall.json" >"$work/merged-stall.out"
st=$?
[ "$st" -eq 12 ] || fail "merging the stalled run: exit $st, expected 12"
grep -q "behind real time" "$work/merged-stall.out" || fail "merge names no pair behind"
ok "two processes merged into one matrix; a backlog survives the merge (exit 12)"

room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 20s --ramp 10 --rekey-every 6s --json >"$work/rekey.json" 2>"$work/rekey.err"
st=$?
[ "$st" -eq 0 ] || fail "load with --rekey-every exited $st, expected 0"
n=$(grep -c '"event":"rekeyed"' "$work/rekey.json")
[ "$n" -ge 2 ] || fail "only $n rekeys happened"
ok "matrix still holds across $n group rekeys"

# Expect everybody in one group: the cross-group pairs now differ.
printf '1 1\n2 1\n3 1\n4 1\n5 1\n6 1\n' >"$work/groups"
room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 10s --ramp 10 --expect-groups "$work/groups" >"$work/wrong.out" 2>"$work/wrong.err"
st=$?
[ "$st" -eq 11 ] || fail "a wrong expectation exited $st, expected 11"
grep -q "p2 receiving p1: mismatch, expected ok" "$work/wrong.out" ||
    fail "no reason given: $(cat "$work/wrong.out")"
ok "wrong expectation: exit 11 with the pairs named"

# The router killed and restarted mid-run; the room is re-created with its id.
lab=$E2C_SOURCE_ROOT/scripts/lab
room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 35s --ramp 10 --stats-interval 1 --json >"$work/restart.json" \
    2>"$work/restart.err" &
pid=$!
wait_settled "$work/restart.json"
"$lab" janus-stop --kill || fail "janus-stop"
sleep 2
"$lab" janus-start >/dev/null || fail "janus-start"
"$E2CALL" session create --e2ee --room "$room" >/dev/null 2>&1 || fail "re-create the room"
wait "$pid"
st=$?
[ "$st" -eq 0 ] || fail "load across a router restart exited $st, expected 0"
n=$(grep -c '"event":"reconnected"' "$work/restart.json")
[ "$n" -eq 6 ] || fail "$n of 6 participants reconnected"
n=$(grep -c '"event":"published"' "$work/restart.json")
[ "$n" -eq 4 ] || fail "the 2 publishers published $n times, expected twice each"
ok "router restarted: all 6 rejoined, both publishers' media back (exit 0, nobody behind)"

grep -q "secret of the" "$work/"*.json "$work/"*.err "$work/"*.out && fail "a secret was printed"
ok "no secret in any output"
