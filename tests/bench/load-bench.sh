#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The load benchmark (run inside `scripts/lab run`): 4 publishers (VP8
# 320x240 at 15 fps and Opus) and N receivers in one e2call process, in two
# secret groups, for 60 s each N; prints per N the worst pair loss, e2call's
# CPU seconds per participant-minute and resident memory per participant, and
# the router's (Janus's) CPU share, then the largest N with under 1% loss
# that kept up with real time.
#
# Kept up: a receiver that falls behind holds its backlog in socket buffers
# and queues, and whatever is still queued when the run ends is neither
# received nor counted lost (the loss figure only sees counter gaps). So each
# pair's frames (received + lost) are set against what its publisher sent
# while the receiver was in the call: 15 video and 50 Opus frames a second
# from the receiver's first frame (its start-ms plus first-media-ms in the
# report) to the end. Delivered under 99 % for any pair: the N is not
# sustained. e2call load's own measure of the same, the worst backlog at the
# end (behind-s; exit 12 beyond --max-behind, 1 s), is printed beside it.
#
# The router counts: run it in `scripts/lab run --event-loops 2` (Janus's
# handles on two shared threads, one per core, as its configuration advises
# when CPUs are few). With Janus's default, a thread per handle, every
# forwarded packet wakes one thread per receiver, and Janus alone takes a
# core at N=50. The first line printed says which it was.
#
# Latency: under each N's line, the distribution over the pairs that should
# receive (expected ok) of their latency-ms (e2call(1), MEDIA QUALITY
# FIGURES: publisher's encoder to the receiver's decryption, router
# included): the median and the worst of the pairs' p50, of their p95, and
# the worst max, video and audio. At the end, the smallest N's against the
# largest's: what load does to latency (e.g. 10 60).
#
# Usage: tests/bench/load-bench.sh E2CALL [N...]     (default N: 30 40 50 60)
set -u
e2call=${1:?usage: load-bench.sh E2CALL [N...]}
shift
[ $# -gt 0 ] || set -- 30 40 50 60
: "${E2CALL_SERVER:?run it inside scripts/lab run}"
seconds=${E2C_BENCH_SECONDS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'load benchmark group one\nload benchmark group two\n' >"$work/secrets"
chmod 600 "$work/secrets"

janus_ticks() {
    awk '{print $14 + $15}' "/proc/${E2CALL_LAB_JANUS_PID}/stat" 2>/dev/null || echo 0
}

loops=$(sed -n 's/^ *event_loops *= *\([0-9]*\).*/\1/p' "${E2CALL_LAB_DIR:-/nonexistent}/config/janus.jcfg" 2>/dev/null)
echo "router: Janus with ${loops:-a thread per handle (no event_loops)}${loops:+ shared event loops}"
best=0
printf '%-10s %-10s %-12s %-12s %-10s %-14s %-12s %-10s %s\n' receivers loss% worst-pair% \
    delivered% behind-s "cpu-s/p-min" "MiB/p" janus-cpu% verdict
for n in "$@"; do
    room=$("$e2call" session create --e2ee --publishers 8 2>/dev/null) || exit 1
    total=$((n + 4))
    t0=$(janus_ticks)
    start=$(date +%s)
    "$e2call" load --room "$room" --participants "$total" --publishers 4 \
        --secrets "$work/secrets" --duration "${seconds}s" --ramp 10 --json --no-control \
        >"$work/r$n.json" 2>"$work/r$n.err"
    st=$?
    elapsed=$(( $(date +%s) - start ))
    t1=$(janus_ticks)
    hz=$(getconf CLK_TCK)
    python3 - "$work/r$n.json" "$n" "$st" "$t0" "$t1" "$hz" "$elapsed" <<'PY'
import json, sys
path, n, st, t0, t1, hz, elapsed = sys.argv[1:]
rep = [json.loads(l) for l in open(path) if '"load-report"' in l]
if not rep:
    print(f"{n:<10} no report (exit {st})")
    sys.exit(0)
t = rep[-1]["totals"]
parts = rep[-1]["participants"]
minutes = rep[-1]["seconds"] / 60
janus = (int(t1) - int(t0)) / int(hz) / max(int(elapsed), 1) * 100
first = {d["participant"]: ((d.get("start-ms") or 0) + (d.get("first-media-ms") or 0)) / 1000
         for d in rep[-1]["participants-detail"]}
worst_delivered = 1.0
for p in rep[-1]["pairs"]:
    if p["expected"] != "ok":
        continue
    sent = (rep[-1]["seconds"] - first[p["receiver"]]) * (15 + 50)
    worst_delivered = min(worst_delivered, (p["frames"] + p["frames-lost"]) / max(sent, 1))
print(f"{n:<10} {t['loss-pct']:<10.3f} {t['worst-pair-loss-pct']:<12.3f} "
      f"{worst_delivered * 100:<12.1f} {t.get('worst-behind-s', 0):<10.2f} "
      f"{t['cpu-seconds'] / parts / minutes:<14.3f} {t['rss-kib'] / 1024 / parts:<12.2f} "
      f"{janus:<10.1f} exit {st}")
with open(path + ".delivered", "w") as f:
    f.write(f"{worst_delivered * 100:.1f}\n")
# Pair latency: the pairs that should receive and had a frame timed.
lat = {}
for kind, key in (("video", "latency-ms"), ("audio", "audio-latency-ms")):
    got = [p[key] for p in rep[-1]["pairs"] if p["expected"] == "ok" and p.get(key)]
    got = [g for g in got if g.get("p50") is not None]
    if not got:
        print(f"    {kind} latency: no pair timed")
        continue
    p50s = sorted(g["p50"] for g in got)
    p95s = sorted(g["p95"] for g in got)
    lat[kind] = {"pairs": len(got), "p50": p50s[len(p50s) // 2], "p50-worst": p50s[-1],
                 "p95": p95s[len(p95s) // 2], "p95-worst": p95s[-1],
                 "max": max(g["max"] for g in got)}
    v = lat[kind]
    print(f"    {kind} latency over {v['pairs']} pairs: p50 median {v['p50']:.1f} ms "
          f"(worst pair {v['p50-worst']:.1f}), p95 median {v['p95']:.1f} ms "
          f"(worst pair {v['p95-worst']:.1f}), max {v['max']:.1f} ms")
with open(path + ".latency", "w") as f:
    json.dump(lat, f)
PY
    worst=$(python3 -c "
import json,sys
r=[json.loads(l) for l in open('$work/r$n.json') if '\"load-report\"' in l]
print(r[-1]['totals']['worst-pair-loss-pct'] if r else 100)")
    delivered=$(cat "$work/r$n.json.delivered" 2>/dev/null || echo 0)
    if python3 -c "import sys; sys.exit(0 if $worst < 1.0 and $delivered >= 99 else 1)" &&
        [ "$st" -eq 0 ]; then
        best=$n
    fi
done
echo "largest N of receivers with under 1% loss, every pair delivered in real time (4 publishers, ${seconds} s): $best"
# What load does to latency: the smallest N against the largest.
lo=$(printf '%s\n' "$@" | sort -n | head -1)
hi=$(printf '%s\n' "$@" | sort -n | tail -1)
if [ "$lo" != "$hi" ]; then
    python3 - "$work/r$lo.json.latency" "$work/r$hi.json.latency" "$lo" "$hi" <<'PY'
import json, sys
a_path, b_path, lo, hi = sys.argv[1:]
try:
    a, b = json.load(open(a_path)), json.load(open(b_path))
except (OSError, ValueError):
    print("pair latency: no comparison (a run had no report)")
    sys.exit(0)
for kind in ("video", "audio"):
    if kind not in a or kind not in b:
        print(f"pair {kind} latency N={lo} against N={hi}: not timed in both")
        continue
    x, y = a[kind], b[kind]
    print(f"pair {kind} latency N={lo} -> N={hi}: p50 median {x['p50']:.1f} -> {y['p50']:.1f} ms "
          f"({y['p50'] - x['p50']:+.1f}), p95 median {x['p95']:.1f} -> {y['p95']:.1f} ms "
          f"({y['p95'] - x['p95']:+.1f}), worst pair p95 {x['p95-worst']:.1f} -> "
          f"{y['p95-worst']:.1f} ms")
PY
fi
