#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every flag a command's --help offers is documented in e2call(1), in words
# that agree with --help (check-wording.py), and every man page builds.
# Usage: check-man.sh E2CALL MAN_DIR
e2call=$1
man=$2
status=0
for page in "$man"/*.scd; do
    scdoc <"$page" >/dev/null || { echo "FAIL: scdoc rejects $page"; status=1; }
done
check() {
    # GStreamer's own options (--gst-*) are documented by GStreamer.
    flags=$("$e2call" "$@" --help-all 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' |
        grep -vE -- '^--(help|gst-)' | sort -u)
    [ -n "$flags" ] || { echo "FAIL: e2call $* --help-all printed no flags"; status=1; }
    for f in $flags; do
        # Documented means shown as an option: "*--flag*" or "*-x, --flag*".
        if ! grep -q -- "$f\*" "$man/e2call.1.scd"; then
            echo "FAIL: e2call $* offers $f, which man/e2call.1.scd does not document"
            status=1
        fi
    done
    echo "checked e2call $*: $(echo "$flags" | wc -w) flags"
}
check join
check session create
check session destroy
check check
check load
check web serve
check web join
for cmd in rekey status stats leave; do
    check "$cmd"
done
python3 "$(dirname "$0")/check-wording.py" "$e2call" "$man/e2call.1.scd" || status=1
exit $status
