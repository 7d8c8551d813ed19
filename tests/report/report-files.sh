#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The report samples of test-report (hostile names, a pass, failures, an
# early end, a load run) are valid JUnit (junit.xsd) and OpenMetrics; and the
# checkers refuse what they must, so that a pass here means something.
# Usage: report-files.sh TEST_REPORT
set -u
here=$(dirname "$0")
work=$(mktemp -d "${TMPDIR:-/tmp}/e2call-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
fail() {
    echo "FAIL: $*"
    status=1
}

"$1" --write "$work" || { echo "FAIL: test-report --write"; exit 1; }
for name in join-pass join-mismatch join-fatal join-frozen join-late load load-frozen load-late; do
    python3 "$here/check-junit.py" "$work/$name.xml" || fail "$name.xml"
    python3 "$here/check-openmetrics.py" "$work/$name.prom" || fail "$name.prom"
done
echo "ok: samples valid"

# Broken files: each must be refused.
refuse_om() { # NAME TEXT
    printf '%b' "$2" >"$work/bad.prom"
    if python3 "$here/check-openmetrics.py" "$work/bad.prom" >/dev/null; then
        fail "check-openmetrics.py accepted $1"
    fi
}
refuse_om "no # EOF" '# TYPE a gauge\na 1\n'
refuse_om "text after # EOF" '# TYPE a gauge\na 1\n# EOF\na 2\n'
refuse_om "TYPE after samples" 'a 1\n# TYPE a gauge\n# EOF\n'
refuse_om "a family twice" '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n# EOF\n'
refuse_om "a counter without _total" '# TYPE a counter\na 1\n# EOF\n'
refuse_om "a negative counter" '# TYPE a counter\na_total -1\n# EOF\n'
refuse_om "a duplicate series" '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n# EOF\n'
refuse_om "a raw quote" '# TYPE a gauge\na{x="1"2"} 1\n# EOF\n'
refuse_om "a bad escape" '# TYPE a gauge\na{x="\\t"} 1\n# EOF\n'
refuse_om "a label twice" '# TYPE a gauge\na{x="1",x="2"} 1\n# EOF\n'
refuse_om "a unit not in the name" '# TYPE a gauge\n# UNIT a seconds\na 1\n# EOF\n'
refuse_om "invalid UTF-8" '# TYPE a gauge\na{x="\\0377"} 1\n# EOF\n'
refuse_om "not a number" '# TYPE a gauge\na one\n# EOF\n'
refuse_om "a bad metric name" '# TYPE 1a gauge\n1a 1\n# EOF\n'

refuse_junit() { # NAME TEXT
    printf '%s' "$2" >"$work/bad.xml"
    if python3 "$here/check-junit.py" "$work/bad.xml" >/dev/null 2>&1; then
        fail "check-junit.py accepted $1"
    fi
}
suite='name="s" tests="1" failures="0" errors="0" skipped="0" time="1.000"'
refuse_junit "counts that disagree" "<testsuites $suite><testsuite $suite><testcase classname=\"c\" name=\"n\"><failure message=\"m\">m</failure></testcase></testsuite></testsuites>"
refuse_junit "no classname" "<testsuites $suite><testsuite $suite><testcase name=\"n\"/></testsuite></testsuites>"
refuse_junit "a failure without message" "<testsuites $suite><testsuite $suite><testcase classname=\"c\" name=\"n\"><failure>m</failure></testcase></testsuite></testsuites>"
refuse_junit "not XML" "<testsuites $suite><testsuite $suite><testcase classname=\"a&b\" name=\"n\"/></testsuite></testsuites>"
refuse_junit "a case twice" "<testsuites $suite><testsuite $suite><testcase classname=\"c\" name=\"n\"/><testcase classname=\"c\" name=\"n\"/></testsuite></testsuites>"
# ...while the same document, right, passes.
printf '%s' "<testsuites $suite><testsuite $suite><testcase classname=\"c\" name=\"n\"/></testsuite></testsuites>" >"$work/good.xml"
python3 "$here/check-junit.py" "$work/good.xml" || fail "check-junit.py refused a valid document"
echo "ok: the checkers refuse broken files"
exit $status
