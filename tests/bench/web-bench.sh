#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The browser participant's figures (run inside `scripts/lab run`):
#   scripts/lab run -- tests/bench/web-bench.sh build/src/cli/e2call
# Two rooms side by side over the same window, each one e2call participant
# (VP8 320x240 at 15 fps and Opus) and one `e2call web join` browser:
#   - an E2EE room: the browser encrypts and decrypts in its worker;
#   - a plain room: the same page without any transform.
# It prints, for the E2EE browser: the worker's mean encrypt and decrypt
# time per frame, the join to its first decrypted and decoded frame
# (media-flowing ms-since-join); and the CPU of each Chromium process tree
# (utime + stime of the browser and all its children, from /proc) over the
# same window, with the ratio. Then, on the same frames, side by side: the
# E2EE room's e2call participant (alice) sealing its frames against the
# browser opening them, and the browser sealing its own against alice
# opening them, per track and over both (the summaries' timing, e2call(1),
# EVENTS). Needs chromium; exits 77 without.
# Environment: E2C_BENCH_SECONDS (window, default 30).
set -u
e2call=${1:?usage: web-bench.sh E2CALL}
seconds=${E2C_BENCH_SECONDS:-30}
here=$(cd "$(dirname "$0")" && pwd)
command -v "${E2CALL_CHROMIUM:-chromium}" >/dev/null 2>&1 || {
    echo "skipping: no chromium (scripts/setup --chromium)" >&2
    exit 77
}
export E2CALL_WEB_DIR="$here/../../src/web"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
printf 'the benchmark secret\n' >"$work/secret"
chmod 600 "$work/secret"
e2ee_room=$("$e2call" session create --e2ee 2>/dev/null)
plain_room=$("$e2call" session create 2>/dev/null)
total=$((seconds + 15))
"$e2call" join --room "$e2ee_room" --secret-file "$work/secret" --display alice \
    --width 320 --height 240 --fps 15 --duration "${total}s" --no-control -q --json \
    >"$work/alice.json" &
alice_pid=$!
"$e2call" join --room "$plain_room" --width 320 --height 240 --fps 15 \
    --duration "${total}s" --no-control -q &
"$e2call" web join --room "$e2ee_room" --secret-file "$work/secret" --display e2ee \
    --duration "${total}s" --json --stats-interval 0 >"$work/e2ee.json" 2>/dev/null &
e2ee_pid=$!
"$e2call" web join --room "$plain_room" --display plain --duration "${total}s" --json \
    --stats-interval 0 >"$work/plain.json" 2>/dev/null &
plain_pid=$!

# CPU ticks of a process and all its descendants.
tree_ticks() {
    python3 - "$1" <<'PY'
import os, sys
root = int(sys.argv[1])
kids, ticks = {}, {}
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        s = open(f"/proc/{p}/stat").read()
    except OSError:
        continue
    f = s[s.rindex(")") + 2:].split()
    kids.setdefault(int(f[1]), []).append(int(p))
    ticks[int(p)] = int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
total, todo = 0, [root]
while todo:
    p = todo.pop()
    total += ticks.get(p, 0)
    todo += kids.get(p, [])
print(total)
PY
}
sleep 10
a0=$(tree_ticks $e2ee_pid) b0=$(tree_ticks $plain_pid)
sleep "$seconds"
a1=$(tree_ticks $e2ee_pid) b1=$(tree_ticks $plain_pid)
wait $e2ee_pid
wait $plain_pid
wait $alice_pid
hz=$(getconf CLK_TCK)
python3 - "$work/e2ee.json" "$work/plain.json" "$((a1 - a0))" "$((b1 - b0))" "$hz" "$seconds" \
    "$work/alice.json" <<'PY'
import json, sys
e2ee, plain, a, b, hz, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
alice_log = sys.argv[7]
def events(path):
    return [json.loads(l) for l in open(path) if l.startswith("{")]
ev = events(e2ee)
summary = next((e for e in ev if e["event"] == "summary"), {})
t = summary.get("timing", {})
flow = [e["ms-since-join"] for e in ev if e["event"] == "media-flowing"]
print(f"browser worker, per frame: encrypt {t.get('encrypt-us-per-frame')} us ({t.get('frames-encrypted')} frames), "
      f"decrypt {t.get('decrypt-us-per-frame')} us ({t.get('frames-decrypted')} frames)")
print(f"browser join to first decrypted, decoded frame: {min(flow) if flow else 'none'} ms (per stream: {flow})")
print(f"Chromium CPU over {secs:.0f} s: with the transform {a / hz:.2f} s ({100 * a / hz / secs:.1f} % of a core), "
      f"without {b / hz:.2f} s ({100 * b / hz / secs:.1f} %), ratio {a / b if b else float('nan'):.2f}")

# The same frames from both ends: alice's sealed against the browser's opened, and back.
alice = next((e for e in events(alice_log) if e["event"] == "summary"), {})
at = alice.get("timing", {})
def us(v):
    return "none" if v is None else f"{v} us"
def row(what, enc_us, enc_n, dec_us, dec_n):
    print(f"  {what:<34} encrypt {us(enc_us):>10} ({enc_n} frames)   decrypt {us(dec_us):>10} ({dec_n} frames)")
a_send = {s["track"]: s for s in alice.get("streams", []) if s.get("direction") == "send"}
a_recv = {s["track"]: s for s in alice.get("streams", []) if s.get("direction") == "recv" and s.get("remote") == "e2ee"}
b_recv = {s["track"]: s for s in summary.get("streams", []) if s.get("remote") == "alice"}
b_send = {k.removeprefix("pub-"): v for k, v in t.get("sent", {}).items()}
print("per frame, on the same frames (sealed by one end, opened by the other):")
for track in ("video", "audio"):
    s, r = a_send.get(track, {}), b_recv.get(track, {})
    row(f"alice -> browser, {track}:", s.get("encrypt-us-per-frame"), s.get("frames"),
        r.get("decrypt-us-per-frame"), r.get("frames-decrypted"))
row("alice -> browser, both:", at.get("encrypt-us-per-frame"), at.get("frames-encrypted"),
    t.get("decrypt-us-per-frame"), t.get("frames-decrypted"))
for track in ("video", "audio"):
    s, r = b_send.get(track, {}), a_recv.get(track, {})
    row(f"browser -> alice, {track}:", s.get("encrypt-us-per-frame"), s.get("sealed"),
        r.get("decrypt-us-per-frame"), r.get("frames-decrypted"))
row("browser -> alice, both:", t.get("encrypt-us-per-frame"), t.get("frames-encrypted"),
    at.get("decrypt-us-per-frame"), at.get("frames-decrypted"))
PY
