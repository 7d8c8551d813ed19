#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# An E2EE room: no secret exits 4 before any media, an invalid secret exits 3
# without contacting the router, and a client that insists on plain media is
# refused by the router itself (exit 4, the router's reason in the message).
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)

join nosecret --room "$room" --duration 10s
wait_status nosecret 4
expect_events nosecret error 1 ENCRYPTION_SECRET_MISSING
expect_no_events nosecret published

join short --room "$room" --secret-file "$(secret_file short "seven77")" --duration 10s
wait_status short 3
grep -q "INVALID_ENCRYPTION_SECRET" "$work/short.err" || fail "no INVALID_ENCRYPTION_SECRET message"
grep -q "seven77" "$work/short.err" "$work/short.json" && fail "the rejected secret was printed"
expect_no_events short connected
ok "invalid secret refused before connecting"

join plain --room "$room" --plain --duration 10s
wait_status plain 4
expect_events plain error 1 "the router refused to publish"
expect_events plain error 1 "end-to-end"
