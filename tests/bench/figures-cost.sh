#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What measuring costs (run inside `scripts/lab run --event-loops 2`): e2call
# load's CPU seconds per participant-minute with the media quality figures
# (latency, freezes, jitter: e2call(1), MEDIA QUALITY FIGURES) against the
# same load with --no-quality-figures, in one invocation: ROUNDS rounds of
# one run each way, the order alternating so that drift on a shared machine
# hits both alike. The load is load-bench.sh's: 4 publishers (VP8 320x240 at
# 15 fps and Opus) and N receivers in two secret groups, 60 s a run. CPU is
# e2call's own (the load report's cpu-seconds), not the router's. Prints each
# run, then the median of the rounds' ratios (README, Benchmarks: at most
# 1.05). Per participant-minute is only comparable while the machine keeps
# up: a saturated run (loss, exit 12) does less work in the same minutes, so
# each run also gives CPU ms per 1000 frames decrypted, and its loss.
#
# Usage: tests/bench/figures-cost.sh E2CALL [N [ROUNDS]]   (default: 30 2)
set -u
e2call=${1:?usage: figures-cost.sh E2CALL [N [ROUNDS]]}
n=${2:-30}
rounds=${3:-2}
: "${E2CALL_SERVER:?run it inside scripts/lab run}"
seconds=${E2C_BENCH_SECONDS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'load benchmark group one\nload benchmark group two\n' >"$work/secrets"
chmod 600 "$work/secrets"

# One load run; appends "MODE CPU-S-PER-PARTICIPANT-MINUTE" to $work/runs.
run() { # MODE (with | without) ROUND
    flag=
    [ "$1" = without ] && flag=--no-quality-figures
    room=$("$e2call" session create --e2ee --publishers 8 2>/dev/null) || exit 1
    # shellcheck disable=SC2086
    "$e2call" load --room "$room" --participants $((n + 4)) --publishers 4 \
        --secrets "$work/secrets" --duration "${seconds}s" --ramp 10 --json --no-control \
        $flag >"$work/run.json" 2>/dev/null
    st=$?
    python3 - "$work/run.json" "$1" "$2" "$st" >>"$work/runs" <<'PY'
import json, sys
path, mode, rnd, st = sys.argv[1:]
rep = [json.loads(l) for l in open(path) if '"load-report"' in l]
if not rep:
    print(f"# round {rnd}: {mode} figures: no report (exit {st})", file=sys.stderr)
    sys.exit(0)
t = rep[-1]["totals"]
per = t["cpu-seconds"] / rep[-1]["participants"] / (rep[-1]["seconds"] / 60)
has = "quality" in rep[-1]
per_frame = t["cpu-seconds"] * 1000 / max(t["frames"], 1) * 1000
print(f"{mode} {rnd} {per:.4f} {per_frame:.4f}")
print(f"round {rnd}: {mode:<7} figures: {per:.3f} CPU-s per participant-minute, "
      f"{per_frame:.1f} CPU-ms per 1000 frames, worst pair "
      f"loss {t['worst-pair-loss-pct']:.3f} %, exit {st}"
      f"{'' if has == (mode == 'with') else ' (UNEXPECTED: quality object ' + ('present' if has else 'absent') + ')'}",
      file=sys.stderr)
PY
}

echo "load with and without the quality figures: $n receivers, 4 publishers, ${seconds} s a run, $rounds rounds"
r=1
while [ "$r" -le "$rounds" ]; do
    if [ $((r % 2)) -eq 1 ]; then run with "$r"; run without "$r"; else run without "$r"; run with "$r"; fi
    r=$((r + 1))
done 2>&1
python3 - "$work/runs" <<'PY'
import statistics, sys
runs, frames = {}, {}
for line in open(sys.argv[1]):
    mode, rnd, per, per_frame = line.split()
    runs.setdefault(int(rnd), {})[mode] = float(per)
    frames.setdefault(int(rnd), {})[mode] = float(per_frame)
ratios = [r["with"] / r["without"] for r in runs.values() if "with" in r and "without" in r]
if not ratios:
    print("figures cost: no complete round")
    sys.exit(1)
w = statistics.median(r["with"] for r in runs.values() if "with" in r)
wo = statistics.median(r["without"] for r in runs.values() if "without" in r)
print(f"CPU-s per participant-minute: with figures median {w:.3f}, without {wo:.3f}")
print(f"with / without figures, median of {len(ratios)} rounds: {statistics.median(ratios):.3f} "
      f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)})")
fr = [r["with"] / r["without"] for r in frames.values() if "with" in r and "without" in r]
print(f"with / without figures, CPU per frame decrypted, median: {statistics.median(fr):.3f} "
      f"(rounds: {', '.join(f'{x:.3f}' for x in fr)})")
PY
