#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2call load with --impair per participant (e2call(1), LOAD and NETWORK
# IMPAIRMENT): p1, a publisher, stalls for 2 s 8 s into its media
# (1:stall=2s@8s), p4, a receiver, loses 5 % of what it receives
# (4:loss=5%,dir=recv). The report names both with their specs (text and
# JSON), every receiver of p1 counts one video freeze of about 2 s
# (1.6-2.6 s) in that pair, p4's pairs lose frames, the pairs that involve
# neither show no loss and no freeze of 1 s or more, and the matrix holds
# (exit 0 with a --max-loss that the impaired pairs stay under).
. "$(dirname "$0")/lib.sh"

printf 'one secret for everybody\n' >"$work/secrets"
chmod 600 "$work/secrets"
room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 4 --publishers 2 --secrets "$work/secrets" \
    --duration 20s --ramp 10 --max-loss 50 --max-behind 5s \
    --impair 1:stall=2s@8s --impair 4:loss=5%,dir=recv --json \
    >"$work/load.json" 2>"$work/load.err"
st=$?
[ "$st" -eq 0 ] || fail "load exited $st, expected 0: $(tail -5 "$work/load.err")"
grep -q "^impaired p1: stall=2s@8s,dir=send$" "$work/load.err" || fail "p1 not reported impaired"
grep -q "^impaired p4: loss=5%,dir=recv$" "$work/load.err" || fail "p4 not reported impaired"
[ "$(grep -c "^impaired" "$work/load.err")" -eq 2 ] || fail "others reported impaired"
ok "the report names p1 and p4 with their specs"
python3 - "$work/load.json" <<'PY' || fail "figures not as expected"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"load-report"' in l][-1]
people = {p["participant"]: p.get("impair") for p in r["participants-detail"]}
assert people == {"p1": "stall=2s@8s,dir=send", "p2": None, "p3": None,
                  "p4": "loss=5%,dir=recv"}, people
for p in r["pairs"]:
    rx, tx = p["receiver"], p["publisher"]
    print(f"  {rx} <- {tx}: frames {p['frames']}, lost {p['frames-lost']}, "
          f"freezes {p['freezes']} (longest {p['longest-freeze-ms']} ms), "
          f"audio freezes {p['audio-freezes']}, jitter {p['jitter-ms']:.2f} ms")
    assert p["state"] == "ok", p
    # As in impair-stall.sh: one freeze of the stall's size; any other is a
    # loaded machine's, short (under 1 s in all), as are any on pairs that
    # are not impaired.
    others = p["frozen-ms"] - p["longest-freeze-ms"]
    if tx == "p1" and rx != "p4":
        assert p["freezes"] >= 1 and 1600 <= p["longest-freeze-ms"] <= 2600, p
        assert others < 1000, p
    if rx == "p4":
        assert p["frames-lost"] > 0, p
    if tx != "p1" and rx != "p4":
        assert p["longest-freeze-ms"] < 1000 and p["frames-lost"] == 0, p
PY
ok "p1's receivers froze once for about 2 s, p4 lost frames, the others neither"
