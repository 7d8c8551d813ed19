#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --junit and --metrics of join and load in real calls: the files are valid
# (tests/report's schema and OpenMetrics parser), a hostile display name
# comes back intact, the values agree with the summary event, the load report
# and the exit status, --metrics-interval writes during the run (the verdict
# not yet known), and different secrets give JUnit failures in the verdict's
# words.
. "$(dirname "$0")/lib.sh"

checks=$E2C_SOURCE_ROOT/tests/report
valid() { # FILE...: each a valid JUnit (.xml) or OpenMetrics (.prom) file
    for f in "$@"; do
        case $f in
        *.xml) python3 "$checks/check-junit.py" "$f" || fail "$f is not valid JUnit" ;;
        *) python3 "$checks/check-openmetrics.py" "$f" || fail "$f is not valid OpenMetrics" ;;
        esac
    done
}
# What the checks below ask of the files, in Python: report WHAT ARGS...
report() {
    python3 - "$@" <<'PY'
import json, os, subprocess, sys
import xml.etree.ElementTree as ET

CHECK = os.environ["CHECKS"] + "/check-openmetrics.py"

what, args = sys.argv[1], sys.argv[2:]

def samples(path):
    out = subprocess.run([sys.executable, CHECK, path, "--dump"],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines()]


def value(ss, name, **labels):
    found = [v for n, l, v in ss if n == name and all(l.get(k) == x for k, x in labels.items())]
    assert found, (name, labels)
    return sum(found)

def summary(log):
    with open(log, encoding="utf-8") as f:
        events = [json.loads(l) for l in f if l.startswith("{")]
    return [e for e in events if e.get("event") == "summary"][-1]["streams"]

def cases(path):
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    return suite, {(c.get("classname"), c.get("name")): c for c in suite.findall("testcase")}

if what == "join-pass":  # JUNIT PROM LOG ME REMOTE STATUS
    junit, prom, log, me, remote, status = args
    suite, cs = cases(junit)
    assert suite.get("name") == "e2call join" and suite.get("failures") == "0", suite.attrib
    cls = "e2call.join." + me.replace(".", "_")
    for track in ("video", "audio"):
        for check in ("decrypted", "verified"):
            c = cs[(cls, f"{remote} {track} {check}")]
            assert len(c) == 0, ET.tostring(c)
    assert len(cs[(cls, "verdict")]) == 0
    ss = samples(prom)
    assert value(ss, "e2call_exit_status", command="join") == int(status)
    assert value(ss, "e2call_passed", command="join") == 1
    assert value(ss, "e2call_run_finished", command="join") == 1
    for s in summary(log):
        if s["direction"] == "recv":
            got = value(ss, "e2call_received_frames_decrypted_total", participant=me,
                        remote=s["remote"], track=s["track"], codec=s["codec"])
            # The file is written just after the summary, the media still flowing.
            assert got >= s["frames-decrypted"] > 0, (got, s)
            assert value(ss, "e2call_received_stream_verified", participant=me,
                         remote=s["remote"], track=s["track"]) == 1
        else:
            got = value(ss, "e2call_sent_frames_total", participant=me, track=s["track"])
            assert got >= s["frames"] > 0, (got, s)
elif what == "running":  # PROM: written during the run
    ss = samples(args[0])
    assert value(ss, "e2call_run_finished", command=args[1]) == 0
    assert not [n for n, l, v in ss if n == "e2call_exit_status"], "a verdict during the run"
elif what == "join-mismatch":  # JUNIT PROM ME REMOTE
    junit, prom, me, remote = args
    suite, cs = cases(junit)
    assert int(suite.get("failures")) >= 3, suite.attrib
    cls = "e2call.join." + me
    for track in ("video", "audio"):
        f = cs[(cls, f"{remote} {track} decrypted")].find("failure")
        assert f.get("message") == "could not be decrypted to the end: under another secret", \
            f.attrib
        assert f.get("type") == "ENCRYPTION_SECRET_MISMATCH"
    f = cs[(cls, "verdict")].find("failure")
    assert f.get("message").startswith("ENCRYPTION_SECRET_MISMATCH: 2 stream(s) could not be "
                                       "decrypted to the end"), f.attrib
    ss = samples(prom)
    assert value(ss, "e2call_exit_status", command="join") == 5
    assert value(ss, "e2call_received_frames_failed_total", participant=me, remote=remote,
                 reason="auth") > 0
    assert value(ss, "e2call_received_frames_decrypted_total", participant=me) == 0
elif what == "load":  # JUNIT PROM LOG
    junit, prom, log = args
    suite, cs = cases(junit)
    assert suite.get("name") == "e2call load", suite.attrib
    assert suite.get("failures") == "0" and suite.get("errors") == "0", suite.attrib
    ss = samples(prom)
    assert value(ss, "e2call_exit_status", command="load") == 0
    with open(log, encoding="utf-8") as f:
        rep = [json.loads(l) for l in f if '"load-report"' in l][-1]
    for p in rep["pairs"]:
        r, pub = p["receiver"], p["publisher"]
        c = cs[(f"e2call.load.{r}", f"{pub} decrypted")]
        assert len(c) == 0, ET.tostring(c)
        got = value(ss, "e2call_received_frames_decrypted_total", participant=r, remote=pub)
        assert got >= p["frames"] > 0, (got, p)
        assert value(ss, "e2call_load_pair_as_expected", participant=r, remote=pub) == 1
    assert len(rep["pairs"]) == 6, rep["pairs"]
else:
    sys.exit(f"report: {what}?")
PY
}
export CHECKS="$checks"

# Two participants, one secret; alice's display name is hostile.
hostile='a"l<i>c&e.x'
room=$(create_room --e2ee)
DISPLAY_NAME=$hostile
join alice --room "$room" --secret-file "$(secret_file a "one shared secret")" \
    --duration 8s --width 320 --height 240 --expect-media --junit "$work/alice.xml" \
    --metrics "$work/alice.prom" --metrics-interval 2s
unset DISPLAY_NAME
join bob --room "$room" --secret-file "$work/a.secret" --duration 8s --width 320 --height 240 \
    --expect-media --junit "$work/bob.xml" --metrics "$work/bob.prom"
# A copy of alice's metrics while the call runs (the file is replaced whole: never half).
while kill -0 "$pid_alice" 2>/dev/null && [ ! -f "$work/alice-running.prom" ]; do
    [ -f "$work/alice.prom" ] && cp "$work/alice.prom" "$work/alice-running.prom"
    sleep 0.2
done
wait_status alice 0
wait_status bob 0
[ -f "$work/alice-running.prom" ] || fail "no --metrics file during the call (--metrics-interval)"
valid "$work/alice-running.prom" "$work/alice.xml" "$work/alice.prom" "$work/bob.xml" \
    "$work/bob.prom"
report running "$work/alice-running.prom" join || fail "alice's metrics during the call"
ok "metrics written during the call, without a verdict"
report join-pass "$work/alice.xml" "$work/alice.prom" "$work/alice.json" "$hostile" bob 0 ||
    fail "alice's report files"
report join-pass "$work/bob.xml" "$work/bob.prom" "$work/bob.json" bob "$hostile" 0 ||
    fail "bob's report files (alice's hostile name)"
ok "join: JUnit and metrics valid, as the summary and the exit status say"

# Different secrets: failures in the verdict's words.
room=$(create_room --e2ee)
join carol --room "$room" --secret-file "$(secret_file c "the first secret")" --duration 8s \
    --width 320 --height 240 --expect-media --junit "$work/carol.xml" --metrics "$work/carol.prom"
join mallory --room "$room" --secret-file "$(secret_file m "a different secret")" \
    --duration 8s --width 320 --height 240
wait_status carol 5
wait_status mallory 5
valid "$work/carol.xml" "$work/carol.prom"
report join-mismatch "$work/carol.xml" "$work/carol.prom" carol mallory ||
    fail "carol's report files"
ok "join, different secrets: JUnit failures and exit status 5 in the metrics"

# load: 3 participants, one group.
printf 'the secret of the load run\n' >"$work/load.secrets"
chmod 600 "$work/load.secrets"
room=$(create_room --e2ee)
"$E2CALL" load --room "$room" --participants 3 --secrets "$work/load.secrets" --duration 12s \
    --ramp 10 --json --no-control --junit "$work/load.xml" --metrics "$work/load.prom" \
    --metrics-interval 2s >"$work/load.json" 2>"$work/load.err" &
pid=$!
while kill -0 "$pid" 2>/dev/null && [ ! -f "$work/load-running.prom" ]; do
    [ -f "$work/load.prom" ] && cp "$work/load.prom" "$work/load-running.prom"
    sleep 0.2
done
wait "$pid"
st=$?
[ "$st" -eq 0 ] || fail "load exited $st, expected 0: $(tail -n 20 "$work/load.err")"
[ -f "$work/load-running.prom" ] || fail "no load --metrics file during the run"
valid "$work/load-running.prom" "$work/load.xml" "$work/load.prom"
report running "$work/load-running.prom" load || fail "load's metrics during the run"
report load "$work/load.xml" "$work/load.prom" "$work/load.json" || fail "load's report files"
ok "load: JUnit and metrics valid, as the load report says"
