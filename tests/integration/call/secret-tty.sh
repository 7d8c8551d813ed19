#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# --secret-stdin typed on a terminal (a pseudo-terminal, tty-secret.py):
# alice types the secret at the prompt, where it is not shown, and bob reads
# the same secret from a file. Both decrypt and decode what the other sent
# (--expect-media, no mismatch): what was read without echo is the secret,
# with its Enter removed. Nothing alice's terminal showed holds the secret.
. "$(dirname "$0")/lib.sh"
TTY="python3 $(dirname "$0")/../tty-secret.py"

secret="typed-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-E2cTty"
room=$(create_room --e2ee)
s=$(secret_file shared "$secret")
common="--room $room --width 160 --height 120 --duration 10s --expect-media"
$TTY type "$secret" "$work/alice.tty" -- "$E2CALL" join --display alice $common --secret-stdin \
    2>"$work/alice.err" &
pid_alice=$!
join bob $common --secret-file "$s"
wait $pid_alice
st=$?
[ $st -eq 0 ] || fail "alice (typed on a terminal) exited $st: $(tail -c 600 "$work/alice.tty")"
ok "alice exited 0"
wait_status bob 0
grep -q "media-check.*passed=true" "$work/alice.tty" ||
    fail "alice's terminal shows no passed media check: $(tail -c 600 "$work/alice.tty")"
grep -q "secret (not shown; end with Enter): " "$work/alice.tty" || fail "no prompt on alice's terminal"
! grep -qF "$secret" "$work/alice.tty" || fail "alice's terminal showed the secret"
ok "alice: prompted, the secret not shown, media verified"
expect_events bob media-check 1 '"passed":true'
expect_no_events bob encryption-secret-mismatch
