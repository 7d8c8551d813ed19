#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Publishers come and go: bob leaves early, carol arrives late. alice follows
# both (remote-published / remote-unpublished) and verifies all four streams.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file shared "three people share this one")
join alice --room "$room" --secret-file "$s" --width 320 --height 240 --duration 14s \
    --expect-media
join bob --room "$room" --secret-file "$s" --width 320 --height 240 --duration 6s
sleep 3
join carol --room "$room" --secret-file "$s" --width 320 --height 240 --duration 9s
wait_status bob 0
wait_status carol 0
wait_status alice 0
expect_events alice remote-published 1 '"remote":"bob"'
expect_events alice remote-published 1 '"remote":"carol"'
expect_events alice remote-unpublished 1 '"remote":"bob"'
expect_events alice media-verified 4
expect_events alice media-check 1 '"verified":4'
