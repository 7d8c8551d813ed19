#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each script's --help prints its usage and exits 0 without doing anything
# else, and shows no line of the script's code (the help texts are cut
# from the scripts' header comments). Usage: check-script-help.sh SOURCE_ROOT
root=${1:?usage: check-script-help.sh SOURCE_ROOT}
status=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for s in demo lab fuzz merge-load-reports setup soak test; do
    timeout 20 "$root/scripts/$s" --help </dev/null >"$out" 2>&1
    st=$?
    code=$(grep -nE '^[[:space:]]*(set -|cd |if |for |while |case |exec |\. |#!|[a-z_]+=)' "$out")
    if [ "$st" -ne 0 ]; then
        echo "FAIL: scripts/$s --help exited $st"
        status=1
    elif ! grep -qi 'usage' "$out"; then
        echo "FAIL: scripts/$s --help shows no usage"
        status=1
    elif [ -n "$code" ]; then
        echo "FAIL: scripts/$s --help shows the script's code: $code"
        status=1
    else
        echo "ok: scripts/$s --help ($(wc -l <"$out") lines)"
    fi
done
exit $status
