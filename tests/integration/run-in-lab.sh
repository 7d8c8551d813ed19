#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a test inside scripts/lab, or skips it (exit 77) where the lab cannot
# run (no janus, no network namespaces). Usage: run-in-lab.sh LAB CMD ARGS...
lab=$1
shift
if ! "$lab" check >/dev/null 2>&1; then
    echo "skipping: scripts/lab check says the lab cannot run here" >&2
    "$lab" check >&2
    exit 77
fi
exec "$lab" run -- "$@"
