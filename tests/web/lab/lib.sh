# SPDX-License-Identifier: LGPL-2.1-or-later
# The browser lab tests: the call tests' helpers (tests/integration/call),
# plus web_join, which runs `e2call web join` (headless Chromium on the
# page in src/web) the way join() runs `e2call join`.
. "$E2C_SOURCE_ROOT/tests/integration/call/lib.sh"

if ! command -v "${E2CALL_CHROMIUM:-chromium}" >/dev/null 2>&1; then
    echo "skipping: no chromium (scripts/setup --chromium installs it)" >&2
    exit 77
fi
export E2CALL_WEB_DIR="$E2C_SOURCE_ROOT/src/web"
# (the call tests' lib.sh finds events.py next to the running script)
EV="python3 $E2C_SOURCE_ROOT/tests/integration/call/events.py"

# web_join NAME ARGS...: in the background, events in $work/NAME.json; stats events
# every WEB_STATS_INTERVAL seconds (default: none).
web_join() {
    name=$1
    shift
    "$E2CALL" web join --display "$name" --json --stats-interval "${WEB_STATS_INTERVAL:-0}" "$@" \
        >"$work/$name.json" 2>"$work/$name.err" &
    eval "pid_$name=$!"
}

# summary_field NAME REMOTE TRACK FIELD: a stream's field in NAME's summary event.
summary_field() {
    python3 - "$work/$1.json" "$2" "$3" "$4" <<'PY'
import json, sys
path, remote, track, field = sys.argv[1:]
for line in open(path):
    e = json.loads(line)
    if e.get("event") != "summary":
        continue
    for s in e.get("streams", []):
        if s.get("remote") == remote and s.get("track") == track and s.get("direction", "recv") == "recv":
            print(s.get(field, ""))
            sys.exit(0)
print("")
PY
}
