#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# One e2call participant and one browser (headless Chromium on the page) in
# one E2EE room with one secret: each decrypts, decodes and verifies what
# the other sent (--expect-media), both exit 0. CODEC: vp8, vp9 or h264.
. "$(dirname "$0")/lib.sh"
codec=${1:?usage: call.sh vp8|vp9|h264}

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
join alice --room "$room" --secret-file "$s" --video "$codec" --width 320 --height 240 \
    --duration 15s --expect-media
web_join browser --room "$room" --secret-file "$s" --video "$codec" --duration 15s \
    --expect-media
wait_status alice 0
wait_status browser 0
for who in alice browser; do
    expect_events $who media-verified 1 '"track":"video"'
    expect_events $who media-verified 1 '"track":"audio"'
    expect_events $who media-check 1 '"passed":true'
    expect_no_events $who encryption-secret-mismatch
done
# The worker's known-answer self-test (every suite's vectors) ran in Chromium.
expect_events browser notice 1 '"self-test":"passed"'
expect_events browser published 1 "\"video\":\"$codec\""
# The browser's events name it, and the secret appears nowhere.
expect_events browser joined 1 '"participant":"browser"'
! grep -q "correct horse" "$work/browser.json" "$work/browser.err" ||
    fail "the secret appears in the browser's output"
ok "the secret is in none of the browser's output"
