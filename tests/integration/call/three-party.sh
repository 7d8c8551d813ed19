#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Publishers come and go: bob leaves early, carol arrives late. alice follows
# both (remote-published / remote-unpublished) and verifies all four streams.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file shared "three people share this one")
# Each step waits for what the last one needs (not a fixed time: a loaded machine
# can take seconds to publish); leave ends each call.
join alice --room "$room" --secret-file "$s" --width 320 --height 240 --duration 90s \
    --expect-media --control "$work/alice.sock"
join bob --room "$room" --secret-file "$s" --width 320 --height 240 --duration 90s \
    --control "$work/bob.sock"
wait_event alice media-verified '"remote":"bob"' 30 2
join carol --room "$room" --secret-file "$s" --width 320 --height 240 --duration 90s \
    --control "$work/carol.sock"
"$E2CALL" leave --control "$work/bob.sock" >/dev/null 2>&1 || fail "bob: leave"
wait_status bob 0
wait_event alice remote-unpublished '"remote":"bob"'
wait_event alice media-verified '"remote":"carol"' 30 2
"$E2CALL" leave --control "$work/carol.sock" >/dev/null 2>&1 || fail "carol: leave"
wait_status carol 0
"$E2CALL" leave --control "$work/alice.sock" >/dev/null 2>&1 || fail "alice: leave"
wait_status alice 0
expect_events alice remote-published 1 '"remote":"bob"'
expect_events alice remote-published 1 '"remote":"carol"'
expect_events alice remote-unpublished 1 '"remote":"bob"'
expect_events alice media-verified 4
expect_events alice media-check 1 '"verified":4'
