#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A router that wants an API secret or a token (scripts/lab run --api-secret
# --token-auth: janus.jcfg api_secret and token_auth): without either, and
# with wrong ones, session, join and load are refused (exit 8) with a
# message naming the options; with the API secret, or with a token added
# through the Admin API, they work. A call longer than the keepalive
# interval (15 s) stays up: keepalives carry the secret too.
. "$(dirname "$0")/lib.sh"

: "${E2CALL_LAB_API_SECRET:?run in scripts/lab run --api-secret --token-auth}"
: "${JANUS_ADMIN:?JANUS_ADMIN must point at the janus-admin helper}"

printf '%s\n' "$E2CALL_LAB_API_SECRET" >"$work/api"
printf 'not the api secret\n' >"$work/wrong-api"
printf 'a-token-for-e2call\n' >"$work/token"
printf 'a-token-nobody-added\n' >"$work/wrong-token"
chmod 600 "$work/api" "$work/wrong-api" "$work/token" "$work/wrong-token"
hint="(give the router's API secret or a token: --api-secret-file"

# Nothing, a wrong secret, a token the router does not know: refused.
n=0
for creds in "" "--api-secret-file $work/wrong-api" "--token-file $work/wrong-token"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    "$E2CALL" session create $creds >/dev/null 2>"$work/create$n.err"
    st=$?
    [ "$st" -eq 8 ] || fail "session create ${creds:-without credentials} exited $st, expected 8"
    grep -qF "Unauthorized request (wrong or missing secret/token) $hint" "$work/create$n.err" ||
        fail "session create ${creds:-without credentials}: $(cat "$work/create$n.err")"
done
ok "session create refused without the API secret or a token"

room=$("$E2CALL" session create --e2ee --api-secret-file "$work/api" 2>>"$work/session.err") ||
    fail "session create with the API secret: $(cat "$work/session.err")"
ok "session create with the API secret: room $room"

s=$(secret_file shared "a secret behind a locked router")
join nocreds --room "$room" --secret-file "$s" --duration 10s
wait_status nocreds 8
expect_events nocreds error 1 "cannot create a session: Unauthorized request"

# With the API secret from the environment: a call across a keepalive.
export E2C_TEST_API_SECRET="$E2CALL_LAB_API_SECRET"
for who in alice bob; do
    join $who --room "$room" --secret-file "$s" --api-secret-env E2C_TEST_API_SECRET \
        --width 320 --height 240 --duration 20s --expect-media
done
unset E2C_TEST_API_SECRET
wait_status alice 0
wait_status bob 0
for who in alice bob; do
    expect_no_events $who connection-lost
    expect_events $who media-verified 2
done
! grep -q "$E2CALL_LAB_API_SECRET" "$work"/*.json "$work"/*.err || fail "the API secret was printed"

# A token added through the Admin API instead.
"$JANUS_ADMIN" '{"janus":"add_token","token":"a-token-for-e2call"}' >"$work/admin.out" ||
    fail "add_token: $(cat "$work/admin.out")"
join tokened --room "$room" --secret-file "$s" --token-file "$work/token" --duration 3s --no-publish
wait_status tokened 0
expect_events tokened joined 1

# load with the API secret.
printf 'a secret behind a locked router\n' >"$work/secrets"
chmod 600 "$work/secrets"
"$E2CALL" load --room "$room" --participants 2 --publishers 1 --secrets "$work/secrets" \
    --api-secret-file "$work/api" --duration 8s --ramp 10 --no-control >"$work/load.out" \
    2>"$work/load.err"
st=$?
[ "$st" -eq 0 ] || fail "load with the API secret exited $st: $(tail -n 3 "$work/load.out")"
ok "load with the API secret: exit 0"
"$E2CALL" load --room "$room" --participants 2 --publishers 1 --secrets "$work/secrets" \
    --duration 8s --ramp 10 --no-control >"$work/load-nocreds.out" 2>"$work/load-nocreds.err"
st=$?
[ "$st" -eq 8 ] || fail "load without credentials exited $st, expected 8"
grep -q "verdict: p1 failed (CONNECT_FAILED: cannot create a session: Unauthorized request" \
    "$work/load-nocreds.out" || fail "load without credentials: $(tail -n 3 "$work/load-nocreds.out")"
ok "load without credentials: exit 8"

"$E2CALL" session destroy --room "$room" --token-file "$work/token" 2>"$work/destroy.err" ||
    fail "destroy with the token: $(cat "$work/destroy.err")"
ok "session destroy with the token"
