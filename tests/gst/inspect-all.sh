#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-inspect-1.0 on the plugin and on every element the plugin itself
# lists, so that a new element is inspected without editing this script.
# Each run must exit 0 and print nothing on standard error, GLib warnings
# being fatal. gst-inspect-1.0 reads every readable property of a new
# element: an element whose getters cannot cope before start fails here.
# Usage: inspect-all.sh PLUGIN (GST_PLUGIN_PATH pointing at the build).
plugin=${1:-e2call}
export G_DEBUG=fatal-warnings
status=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

run() {
    gst-inspect-1.0 "$@" >/dev/null 2>"$err"
    rc=$?
    if [ "$rc" -ne 0 ] || [ -s "$err" ]; then
        echo "FAIL: gst-inspect-1.0 $* exited $rc; standard error:"
        sed 's/^/    /' "$err"
        status=1
    else
        echo "ok: gst-inspect-1.0 $*"
    fi
}

run "$plugin"
# One "element-NAME" line per element factory of the plugin.
elements=$(gst-inspect-1.0 --print-plugin-auto-install-info "$plugin" | sed -n 's/^element-//p')
if [ -z "$elements" ]; then
    echo "FAIL: plugin $plugin lists no elements"
    exit 1
fi
for element in $elements; do
    run "$element"
done
exit $status
