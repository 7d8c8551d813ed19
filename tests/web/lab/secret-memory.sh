#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The secret in e2call web join's memory (e2call(1), SECURITY): once it has
# gone through the DevTools pipe into the page's worker, no copy of it is
# left in the e2call process (its heap included: the JSON texts and strings
# it went through), nor of the rekey secret after the rekey.
. "$(dirname "$0")/lib.sh"
H="python3 $E2C_SOURCE_ROOT/tests/integration/call/hygiene.py"

secret="mem-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-E2cWeB"
secret2="mem2-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-E2cWeB"
room=$(create_room --e2ee)
s1=$(secret_file one "$secret")
s2=$(secret_file two "$secret2")
web_join browser --room "$room" --secret-file "$s1" --duration 30s \
    --rekey-file "$s2" --rekey-at 6s

# scan LABEL SECRET: no form of SECRET in the process's memory.
scan() {
    $H needles "$2" >"$work/needles"
    n=$($H memscan "$pid_browser" "$work/needles") || fail "memscan failed"
    [ "$n" = none ] || fail "$1: the secret is in e2call web join's memory: $n"
    ok "$1: no copy of the secret in e2call web join's memory"
}

wait_event browser notice "the room's key is derived"
sleep 1
scan "after the secret went to the worker" "$secret"
wait_event browser rekeyed ""
sleep 1
scan "after the rekey" "$secret2"
kill "$pid_browser"
wait "$pid_browser" 2>/dev/null
true
