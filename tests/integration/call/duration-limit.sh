#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Long times: GLib's millisecond timers take a guint, so a duration of
# 2^32 ms + 1 s once ended the call after 1 s. Every time option is now at
# most 30 days: above that join refuses with status 2 at once, and at the
# limit the call runs until it is told to leave.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file one "correct horse battery staple")
"$E2CALL" join --room "$room" --secret-file "$s" --duration 4294968.296s \
    >"$work/wrap.out" 2>"$work/wrap.err"
st=$?
[ $st -eq 2 ] || fail "a duration of 2^32 ms + 1 s: status $st, expected 2"
grep -q "30 days" "$work/wrap.err" || fail "the refusal does not name the limit: $(cat "$work/wrap.err")"
ok "a duration over 30 days is refused (status 2)"

join alice --room "$room" --secret-file "$s" --no-subscribe --width 320 --height 240 \
    --duration 720h --rekey-delay 720h --control "$work/alice.sock"
sleep 6
kill -0 "$pid_alice" 2>/dev/null || { wait "$pid_alice"; fail "a 30-day call ended by itself (status $?)"; }
"$E2CALL" leave --control "$work/alice.sock" >/dev/null 2>&1 || fail "leave"
wait_status alice 0
ok "a 30-day duration and rekey delay run until leave"
