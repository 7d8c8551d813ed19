#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The router sees no media: during an E2EE call, Janus forwards what it holds
# of alice's streams (rtp_forward); a stock depayloader and decoder recover
# nothing from it, while the same packets with the secret decode to alice's
# picture and tone (router-view does both and judges).
. "$(dirname "$0")/lib.sh"
: "${ROUTER_VIEW:?}"

room=$(create_room --e2ee)
export E2C_TEST_SECRET="what the router never learns"
printf '%s' "$E2C_TEST_SECRET" >"$work/s"
join alice --room "$room" --secret-file "$work/s" --width 320 --height 240 --no-subscribe --keyframe-interval 1 \
    --duration 30s
# Janus lists a publisher's streams only once it has published: wait for
# that, not for a fixed time (a loaded sanitizer build took over 2 s).
wait_event alice published
"$ROUTER_VIEW" "$room" alice 4 >"$work/view.json" 2>"$work/view.err" || {
    cat "$work/view.json" "$work/view.err" >&2
    fail "router-view"
}
cat "$work/view.json"
cat "$work/view.err"
kill -INT "$pid_alice"
wait_status alice 0
