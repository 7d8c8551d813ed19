#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Different secrets: each side reports encryption-secret-mismatch for both of
# the other's streams and exits 5 (ENCRYPTION_SECRET_MISMATCH); nothing
# reaches a decoder.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
join alice --room "$room" --secret-file "$(secret_file a "the first secret")" --duration 8s \
    --width 320 --height 240 --expect-media
join mallory --room "$room" --secret-file "$(secret_file m "a different secret")" \
    --duration 8s --width 320 --height 240 --expect-media
wait_status alice 5
wait_status mallory 5
for who in alice mallory; do
    expect_events $who encryption-secret-mismatch 1 '"track":"video"'
    expect_events $who encryption-secret-mismatch 1 '"track":"audio"'
    expect_no_events $who media-flowing
    expect_events $who error 1 ENCRYPTION_SECRET_MISMATCH
done
