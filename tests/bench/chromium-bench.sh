#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Chromium comparison (run inside `scripts/lab run`): the CPU cost of one
# receiving participant in headless Chromium against one e2call receiver, in
# the same Janus room, over the same window.
#
# Usage: scripts/lab run -- tests/bench/chromium-bench.sh build/src/cli/e2call
#
# Needs Debian's chromium and janus-demos, which scripts/setup leaves out
# (Chromium is large):
#     apt-get install --no-install-recommends chromium janus-demos
# (or scripts/setup --chromium). Without them it exits 77 (skipped) and says
# so. Shorter runs while iterating: E2C_BENCH_SECONDS=20.
#
# What runs:
#   - a room WITHOUT end-to-end encryption: Chromium on the demo page cannot
#     decrypt e2call's SFrame media, so both receivers get and decode the same
#     plain streams;
#   - 4 publishers, each `e2call join --no-subscribe` (VP8 320x240 at 15 fps,
#     300 kbit/s, and Opus), as the load benchmark's;
#   - (a) one headless Chromium tab on Janus's own VideoRoom demo page
#     (videoroomtest.html of janus-demos, served from a temporary copy on
#     127.0.0.1 with settings.js pointing at the lab's Janus), joined in the
#     demo's subscriber mode (?subscriber-mode=true): it receives the 4
#     publishers, one PeerConnection each, and publishes nothing; driven by
#     tests/bench/chromium-drive.py over the DevTools protocol;
#   - (b) one `e2call join --no-publish` receiver of the same 4 publishers,
#     which decodes them (the default of join);
#   both measured side by side over the same E2C_BENCH_SECONDS (default 60):
#   CPU = utime + stime (+ reaped children) of the whole process tree from
#   /proc at both ends of the window (Chromium's browser, zygotes, GPU,
#   network, audio and renderer processes, and its crash handlers).
#   - (c) for reference, afterwards, in a room WITH end-to-end encryption:
#     one `e2call load` process of E2C_BENCH_LOAD_RECEIVERS (default 8; 0
#     skips it) receivers of 4 publishers of another `e2call load` process;
#     these receivers decrypt and authenticate every frame but do not decode.
#     Its figure is that process's CPU over an equal window divided by the
#     receivers.
#
# It prints a table (participant, CPU seconds, CPU seconds per minute, ratio
# Chromium / that participant) and the load average. Exit status: 0 when both
# receivers decoded all 4 video feeds through the window (and (c)'s pairs all
# decrypted), 1 otherwise, 77 when chromium or janus-demos is missing.
#
# Environment: E2C_BENCH_SECONDS (window, default 60), E2C_BENCH_LOAD_RECEIVERS
# (default 8), E2C_BENCH_CHROMIUM (default chromium), E2C_BENCH_DEMOS (default
# /usr/share/janus/demos), E2C_BENCH_KEEP (a folder: keep the logs, the JSON
# and a screenshot of the page there).
#
# Nothing leaves the machine: the lab's namespace has no route out, the demo
# page and its scripts come from Debian's packages over 127.0.0.1, and
# Chromium runs with background networking, updates and name resolution off.
set -u
e2call=${1:?usage: chromium-bench.sh E2CALL}
here=$(cd "$(dirname "$0")" && pwd)
chromium=${E2C_BENCH_CHROMIUM:-chromium}
demos=${E2C_BENCH_DEMOS:-/usr/share/janus/demos}
seconds=${E2C_BENCH_SECONDS:-60}
load_rx=${E2C_BENCH_LOAD_RECEIVERS:-8}
keep=${E2C_BENCH_KEEP:-}

missing=""
command -v "$chromium" >/dev/null 2>&1 || missing="chromium ($chromium not found)"
[ -f "$demos/videoroomtest.html" ] ||
    missing="${missing:+$missing, }janus-demos (no $demos/videoroomtest.html)"
if [ -n "$missing" ]; then
    echo "chromium-bench: skipped: missing $missing" >&2
    echo "chromium-bench: scripts/setup leaves them out (Chromium is large); install them with" >&2
    echo "    apt-get install --no-install-recommends chromium janus-demos" >&2
    echo "or scripts/setup --chromium" >&2
    exit 77
fi
: "${E2CALL_SERVER:?run it inside scripts/lab run}"
case $seconds$load_rx in
*[!0-9]*) echo "chromium-bench: E2C_BENCH_SECONDS and E2C_BENCH_LOAD_RECEIVERS are whole numbers" >&2
    exit 2 ;;
esac

work=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    pids=""
    if [ -n "$keep" ]; then
        mkdir -p "$keep" && cp -a "$work"/. "$keep"/ && echo "chromium-bench: kept in $keep" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() {
    echo "chromium-bench: $*" >&2
}

# Stop the background processes given (SIGINT: e2call leaves and reports).
stop() {
    for p in "$@"; do
        kill -INT "$p" 2>/dev/null
    done
    for p in "$@"; do
        wait "$p" 2>/dev/null
    done
}

# wait_count FILE PATTERN N TIMEOUT: until FILE has N lines matching PATTERN.
wait_count() {
    t=0
    while [ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -lt "$3" ]; do
        t=$((t + 1))
        [ $t -le $(($4 * 4)) ] || return 1
        sleep 0.25
    done
}

ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Long enough for any start-up; each process is stopped once measured.
life=$((seconds + 300))s

# ---- (a) and (b): Chromium and e2call join, plain room -----------------------
room=$("$e2call" session create --publishers 8 2>"$work/session.err") || {
    cat "$work/session.err" >&2
    exit 1
}
say "room $room (plain: no end-to-end encryption, so that Chromium can decode it)"
pubs=""
for i in 1 2 3 4; do
    "$e2call" join --room "$room" --display "pub$i" --no-subscribe --width 320 --height 240 \
        --fps 15 --video-bitrate 300 --no-control --duration "$life" -q \
        >"$work/pub$i.out" 2>"$work/pub$i.err" &
    pubs="$pubs $!"
done
pids="$pubs"
sleep 3
"$e2call" join --room "$room" --display e2call-rx --no-publish --no-control --json \
    --stats-interval 5 --duration "$life" >"$work/rx.json" 2>"$work/rx.err" &
rx=$!
pids="$pids $rx"
if ! wait_count "$work/rx.json" '"media-flowing".*"track":"video"' 4 30; then
    say "the e2call receiver did not get 4 video feeds within 30 s"
    tail -n 20 "$work/rx.err" >&2
    exit 1
fi
say "e2call receiver decoding; starting Chromium (window ${seconds} s)"
python3 "$here/chromium-drive.py" --chromium "$chromium" --demos "$demos" --room "$room" \
    --seconds "$seconds" --feeds 4 --also "e2call=$rx" --log "$work/chromium.log" \
    --screenshot "$work/chromium.png" >"$work/drive.json" 2>"$work/drive.err" &
drive=$!
pids="$pids $drive"
wait "$drive"
drive_st=$?
pids=$(echo "$pids" | sed "s/ $drive\$//")
sed 's/^/    /' "$work/drive.err" >&2
stop "$rx"
# shellcheck disable=SC2086 # a list of pids
stop $pubs
pids=""
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- (c) e2call load receivers, E2EE room ------------------------------------
lref=""
if [ "$load_rx" -gt 0 ] && [ "$drive_st" -eq 0 ]; then
    room2=$("$e2call" session create --e2ee --publishers 8 2>"$work/session2.err") || {
        cat "$work/session2.err" >&2
        exit 1
    }
    echo "chromium bench reference secret" >"$work/secrets"
    chmod 600 "$work/secrets"
    say "reference: room $room2 (end-to-end encrypted), $load_rx e2call load receivers"
    "$e2call" load --room "$room2" --participants 4 --publishers 4 --secrets "$work/secrets" \
        --duration "$life" --no-control --json >"$work/load-pub.json" 2>"$work/load-pub.err" &
    lpub=$!
    pids="$lpub"
    sleep 4
    "$e2call" load --room "$room2" --participants "$load_rx" --publishers 0 --index 1 \
        --secrets "$work/secrets" --duration "$life" --ramp 10 --no-control --json \
        >"$work/load-rx.json" 2>"$work/load-rx.err" &
    lrx=$!
    pids="$pids $lrx"
    if wait_count "$work/load-rx.json" '"media-flowing".*"track":"video"' $((load_rx * 4)) 60; then
        t0=$(ticks "$lrx")
        s0=$(date +%s.%N)
        sleep "$seconds"
        t1=$(ticks "$lrx")
        s1=$(date +%s.%N)
        lref="$t0 $t1 $s0 $s1"
    else
        say "the load receivers did not all get 4 video feeds within 60 s: no reference row"
    fi
    stop "$lrx"
    stop "$lpub"
    pids=""
fi
load2=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$work" "$drive_st" "$load_rx" "$(getconf CLK_TCK)" "$lref" "$load1" "$load2" <<'PY'
import json, sys
from datetime import datetime

work, drive_st, load_rx, hz, lref, load1, load2 = sys.argv[1:]
drive_st, load_rx, hz = int(drive_st), int(load_rx), int(hz)
failed = False

try:
    d = json.loads(open(f"{work}/drive.json").read().strip().splitlines()[-1])
except (OSError, ValueError, IndexError):
    print(f"chromium-bench: Chromium could not be measured (driver exit {drive_st}); "
          "see the messages above")
    sys.exit(1)

win = d["window-seconds"]
w0, w1 = d["window-start"], d["window-end"]


def ts(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


# e2call receiver: video frames decoded per feed between the first stats
# event inside the window and the last one inside it.
stats = [json.loads(l) for l in open(f"{work}/rx.json") if '"event":"stats"' in l]
inside = [s for s in stats if w0 - 0.5 <= ts(s["ts"]) <= w1 + 0.5]
rx_fps, rx_aud = {}, {}
if len(inside) >= 2:
    a, b = inside[0], inside[-1]
    span = ts(b["ts"]) - ts(a["ts"])
    first = {(s["remote"], s["track"]): s["frames-decoded"] for s in a["streams"]}
    for s in b["streams"]:
        rate = (s["frames-decoded"] - first.get((s["remote"], s["track"]), 0)) / span
        (rx_fps if s["track"] == "video" else rx_aud)[s["remote"]] = rate

ch = d["chromium"]["cpu-seconds"]
ex = d["also"]["e2call"]["cpu-seconds"]
rows = [("chromium, demo page (receives 4, decodes)", ch),
        ("e2call join --no-publish (receives 4, decodes)", ex)]
if lref:
    t0, t1, s0, s1 = (float(x) for x in lref.split())
    per = (t1 - t0) / hz / load_rx * (win / (s1 - s0))  # scaled to the same window
    rows.append((f"e2call load receiver (1 of {load_rx}; E2EE, decrypts, no decode)", per))

print()
print(f"4 publishers (e2call join, VP8 320x240 at 15 fps + Opus); window {win:.1f} s; "
      f"{len([1 for _ in open('/proc/cpuinfo') if _.startswith('processor')])} CPUs")
print("room without end-to-end encryption for the first two rows: Chromium cannot decrypt "
      "e2call's SFrame media, so e2call runs plain (no secret) and both decode the same streams")
if d["publishing"]:
    print("NOTE: Chromium also published its fake camera and microphone: its figure includes that")
else:
    print("Chromium joined in the demo's subscriber mode (?subscriber-mode=true): it receives only, "
          "one PeerConnection per feed as the demo does")
print()
print(f"{'participant':<62} {'cpu-s':>8} {'cpu-s/min':>10} {'chromium/x':>11}")
for name, cpu in rows:
    ratio = f"{ch / cpu:.2f}" if cpu > 0 else "-"
    print(f"{name:<62} {cpu:>8.2f} {cpu / win * 60:>10.2f} {ratio:>11}")
print()
if ex > 0:
    print(f"ratio chromium / e2call receiver: {ch / ex:.2f}")
print(f"Chromium: {d['chromium']['processes']} processes, cpu-s by kind: "
      + ", ".join(f"{k} {v:.2f}" for k, v in d["chromium"].get("by-kind", {}).items())
      + f"; joined in {d['join-seconds']} s")
print("Chromium decoded (fps in the window): " + ", ".join(
    f"{f['feed']} {f['fps']:.1f} ({f['codec'].split('/')[-1]} {f['size']})" for f in d["feeds"]))
print("e2call decoded (fps in the window):   " + ", ".join(
    f"{k} {v:.1f}" for k, v in sorted(rx_fps.items())))
print("audio decoded: Chromium " + ", ".join(
    f"{f['feed']} {f['audio-samples-per-s'] / 1000:.1f} kHz" for f in d["feeds"])
    + "; e2call " + ", ".join(f"{k} {v:.0f} Opus frames/s" for k, v in sorted(rx_aud.items())))
print(f"load average (1/5/15 min): {load1} after the side-by-side window"
      + (f", {load2} after the reference" if lref else ""))

if drive_st != 0:
    print(f"FAILED: Chromium did not decode every feed through the window (driver exit {drive_st})")
    failed = True
if len(rx_fps) < 4 or min(rx_fps.values()) <= 0:
    print("FAILED: the e2call receiver did not decode all 4 video feeds through the window")
    failed = True
if lref:
    reps = [json.loads(l) for l in open(f"{work}/load-rx.json") if '"load-report"' in l]
    pairs = reps[-1].get("observed", []) if reps else []
    bad = [p for p in pairs if p.get("state") != "ok" or not p.get("frames")]
    if not reps or len(pairs) < load_rx * 4 or bad:
        print("FAILED: not every load receiver decrypted all 4 publishers")
        failed = True
sys.exit(1 if failed else 0)
PY
