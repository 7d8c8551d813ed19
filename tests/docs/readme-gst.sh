#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the README's commands for the plugin, as written: the indented lines
# under "The elements work in any GStreamer pipeline too", with their
# build/src/gst replaced by this build's plugin directory. Each must end by
# itself (a hang guard of 120 s fails it), exit 0 and print no warning,
# error or anything on standard error.
# Usage: readme-gst.sh README BUILD_ROOT
readme=$1
build=$2
status=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# The indented block after the marker line, continuation lines joined.
commands=$(awk '
    /^The elements work in any GStreamer pipeline too/ { inblock = 1; next }
    inblock && /^    / { line = line substr($0, 5); if (line ~ /\\$/) { sub(/\\$/, "", line); next }
                         print line; line = ""; started = 1; next }
    inblock && started && !/^ *$/ { exit }
' "$readme")
n=$(printf '%s\n' "$commands" | grep -c 'GST_PLUGIN_PATH=build/src/gst gst-')
if [ "$n" -lt 2 ]; then
    echo "FAIL: found $n plugin commands in $readme, expected the gst-inspect and gst-launch lines"
    exit 1
fi

printf '%s\n' "$commands" | while IFS= read -r cmd; do
    run=$(printf '%s' "$cmd" | sed "s|GST_PLUGIN_PATH=build/src/gst|GST_PLUGIN_PATH=$build/src/gst|")
    timeout 120 sh -c "$run" >"$out" 2>"$err"
    rc=$?
    if [ "$rc" -ne 0 ] || [ -s "$err" ] || grep -qE '^(WARNING|ERROR)' "$out"; then
        [ "$rc" -eq 124 ] && echo "FAIL: did not end within 120 s: $cmd" ||
            echo "FAIL: exit $rc: $cmd"
        sed 's/^/    /' "$out" "$err" | tail -20
        exit 1
    fi
    echo "ok: $cmd"
done || status=1
exit $status
