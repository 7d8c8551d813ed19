#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's scale-out recipe ("Across machines"): its GNU parallel command,
# taken from README.md as written, with only these replaced: the hosts by
# the local machine with two job slots (-S 2/:), the server, room and sizes
# by the lab's and small ones, and three indexes by two. Both indexes join one
# room at once; scripts/merge-load-reports, as the README runs it, merges
# their reports into one verdict naming both indexes' participants.
. "$(dirname "$0")/lib.sh"
command -v parallel >/dev/null 2>&1 || {
    echo "skipping: GNU parallel is missing (scripts/setup installs it)"
    exit 77
}
readme=$E2C_SOURCE_ROOT/README.md
merge=$E2C_SOURCE_ROOT/scripts/merge-load-reports

room=$(create_room --e2ee)
cmd=$(python3 - "$readme" "$E2CALL_SERVER" "$room" <<'PY'
import re, sys
readme, server, room = sys.argv[1:]
text = open(readme, encoding="utf-8").read()
# The indented block from "parallel --tag" to its "::: 0 1 2", as printed.
m = re.search(r"^    (parallel --tag .*?::: 0 1 2)$", text, re.S | re.M)
if not m:
    sys.exit("README.md: no 'parallel --tag ... ::: 0 1 2' command")
cmd = m.group(1)
for old, new in [("-S host1,host2,host3", "-S 2/:"), ("ws://janus.example:8188/", server),
                 ("--room 1234", f"--room {room}"), ("--participants 50", "--participants 3"),
                 ("--duration 120s", "--duration 12s"), ("::: 0 1 2", "::: 0 1")]:
    if cmd.count(old) != 1:
        sys.exit(f"README.md's parallel command no longer has '{old}' once:\n{cmd}")
    cmd = cmd.replace(old, new)
print(cmd)
PY
) || fail "the README's command: $cmd"
echo "running: $cmd"

# groups.txt as the README names it: two secret groups.
mkdir "$work/run"
printf 'first group secret\nsecond group secret\n' >"$work/run/groups.txt"
chmod 600 "$work/run/groups.txt"
(cd "$work/run" && PATH=$(dirname "$E2CALL"):$PATH sh -c "$cmd") \
    >"$work/parallel.out" 2>"$work/parallel.err"
st=$?
[ "$st" -eq 0 ] || fail "parallel exited $st (the number of e2call load runs that failed)"
for k in 0 1; do
    grep -q '"event":"load-report"' "$work/run/report-$k.json" 2>/dev/null ||
        fail "no load-report in report-$k.json"
done
ok "parallel ran both indexes; report-0.json and report-1.json hold their reports"

(cd "$work/run" && "$merge" report-*.json) >"$work/merged.out"
st=$?
cat "$work/merged.out"
[ "$st" -eq 0 ] || fail "merge-load-reports exited $st"
(cd "$work/run" && "$merge" --json report-*.json) >"$work/merged.json"
python3 - "$work/merged.json" <<'PY' || fail "merged: $(cat "$work/merged.json")"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["passed"] and m["exit-status"] == 0, m["reasons"]
# Index 0 names its participants p<N>, index 1 k1-p<N>; the round-robin goes
# on across indexes, so each index's publisher is in a group of its own.
assert m["receivers"] == ["p1", "p2", "p3", "k1-p1", "k1-p2", "k1-p3"], m["receivers"]
assert m["publishers"] == ["p1", "k1-p1"], m["publishers"]
PY
ok "merged: 6 participants of both indexes, 2 publishers, as the secrets imply (exit 0)"
grep -q "group secret" "$work/run/"report-*.json "$work/parallel.out" "$work/parallel.err" &&
    fail "a secret was printed"
ok "no secret in any output"
