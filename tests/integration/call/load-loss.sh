#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2call load under forced loss (the lab drops PCT % of the UDP packets at
# every hop; run with E2CALL_LAB_OPTS="--loss PCT"): the decrypt matrix still
# holds, because damaged or missing frames are never taken for a wrong
# secret, and loss above --max-loss exits 12 naming the pairs.
#
# Usage: load-loss.sh PCT   (PCT must be the lab's --loss)
. "$(dirname "$0")/lib.sh"
pct=${1:?usage: load-loss.sh PCT}

nft list table inet e2c_lab 2>/dev/null | grep -q "numgen random mod 100 < $pct" ||
    fail "no $pct % loss rule in the lab (run with E2CALL_LAB_OPTS=\"--loss $pct\")"

printf 'secret of the first group\nsecret of the second group\n' >"$work/secrets"
chmod 600 "$work/secrets"
room=$(create_room --e2ee)
# Setting up under loss is slow (ICE and DTLS retransmit): 25 s runs.
"$E2CALL" load --room "$room" --participants 6 --publishers 2 --secrets "$work/secrets" \
    --duration 25s --ramp 10 --max-loss 1 --json >"$work/loss.json" 2>"$work/loss.err"
st=$?
[ "$st" -eq 12 ] || fail "load at $pct % loss exited $st, expected 12"
grep -q "receiving p[0-9]*: [0-9.]*% of frames lost" "$work/loss.err" ||
    fail "no pair named with its loss: $(tail -5 "$work/loss.err")"
grep -q "verdict: loss above --max-loss (exit 12)" "$work/loss.err" || fail "no verdict"
python3 - "$work/loss.json" <<'PY' || fail "matrix or loss not as expected"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
t = r["totals"]
print(f"  frames {t['frames']}, lost {t['frames-lost']} ({t['loss-pct']:.2f} %, "
      f"worst pair {t['worst-pair-loss-pct']:.2f} %)")
for kind in ("video", "audio"):
    q = r["quality"][kind]
    print(f"  {kind}: {q['freezes']} freezes, {q['frozen-ms']} ms frozen in "
          f"{q['pairs-frozen']} of {q['pairs']} pairs; jitter per pair p50 "
          f"{q['jitter-ms-per-pair']['p50']:.1f} ms, max {q['jitter-ms-per-pair']['max']:.1f} ms")
assert t["unexpected-pairs"] == 0, r["reasons"]
assert t["worst-pair-loss-pct"] > 1 and t["frames-lost"] > 0, t
# Every pair carries the figures of e2call(1), MEDIA QUALITY FIGURES.
for p in r["pairs"]:
    for k in ("freezes", "frozen-ms", "longest-freeze-ms", "jitter-ms", "audio-freezes",
              "audio-frozen-ms", "audio-longest-freeze-ms", "audio-jitter-ms"):
        assert k in p, (k, p)
PY
ok "$pct % loss per hop: matrix as the secrets imply, loss above --max-loss: exit 12"

grep -q "secret of the" "$work/"*.json "$work/"*.err && fail "a secret was printed"
ok "no secret in any output"
