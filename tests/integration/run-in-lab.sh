#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a test inside scripts/lab, or skips it (exit 77) where the lab cannot
# run (no janus, no network namespaces). Usage: run-in-lab.sh LAB CMD ARGS...
# E2CALL_LAB_OPTS holds options for `scripts/lab run' (e.g. "--loss 10");
# with --loss the test also skips where the lab cannot drop packets (no nft).
lab=$1
shift
if ! "$lab" check >/dev/null 2>&1; then
    echo "skipping: scripts/lab check says the lab cannot run here" >&2
    "$lab" check >&2
    exit 77
fi
case ${E2CALL_LAB_OPTS:-} in
*--loss*)
    if ! "$lab" check 2>/dev/null | grep -q '^nft: *ok'; then
        echo "skipping: the lab cannot drop packets here:" >&2
        "$lab" check 2>/dev/null | grep '^nft:' >&2
        exit 77
    fi
    ;;
esac
# shellcheck disable=SC2086
exec "$lab" run ${E2CALL_LAB_OPTS:-} -- "$@"
