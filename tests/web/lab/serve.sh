#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `e2call web serve` the way a person uses it: it serves the page and prints
# the address; a headless Chromium opens that address (serve-page.py), a
# person's clicks and keys type the room, a name and the secret into the
# page's form and press Join (the router comes from the address). An
# `e2call join --expect-media` participant, alice, in the same E2EE room
# verifies the browser's video and audio and exits 0; the page shows
# alice's video and audio as decrypting and verified, and a screenshot of
# it is saved (page.png; E2C_TEST_KEEP=DIR keeps it and the logs there).
# Then SIGINT ends web serve with status 0, and the secret is in none of
# the output.
. "$(dirname "$0")/lib.sh"

keep() {
    [ -n "${E2C_TEST_KEEP:-}" ] && mkdir -p "$E2C_TEST_KEEP" &&
        for f in "$work"/*.png "$work"/*.json "$work"/*.err "$work"/*.out "$work"/*.log; do
            [ -f "$f" ] && cp "$f" "$E2C_TEST_KEEP"/
        done
    return 0
}

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$E2CALL" web serve --listen "127.0.0.1:$port" --server "$E2CALL_SERVER" \
    >"$work/serve.out" 2>"$work/serve.err" &
pid_serve=$!
i=0
until grep -q '^open ' "$work/serve.out"; do
    i=$((i + 1))
    [ $i -le 200 ] && kill -0 $pid_serve 2>/dev/null || fail "web serve printed no address"
    sleep 0.1
done
url=$(sed -n 's/^open //p' "$work/serve.out")
ok "web serve: $url"

python3 "$(dirname "$0")/serve-page.py" --url "$url" --server "$E2CALL_SERVER" --room "$room" \
    --secret-file "$s" --display visitor --remote alice --work "$work" --timeout 60 \
    >"$work/page.out" 2>"$work/page.err" &
pid_page=$!
# alice joins once the page has published: her 15 s are for the media.
i=0
until grep -q '^joined' "$work/page.out"; do
    i=$((i + 1))
    [ $i -le 900 ] && kill -0 $pid_page 2>/dev/null || { keep; fail "the page did not join"; }
    sleep 0.1
done
ok "the page joined room $room with the typed secret"
join alice --room "$room" --secret-file "$s" --duration 15s --expect-media
wait_status alice 0
wait $pid_page
st=$?
keep
[ "$st" -eq 0 ] || fail "serve-page.py exited $st"
ok "the page showed alice decrypting and verified: $(grep -c ' ok: ' "$work/page.err") checks"
grep -q '^decrypting' "$work/page.out" && [ -s "$work/page.png" ] || fail "no screenshot"
ok "screenshot of the page: $(wc -c <"$work/page.png") bytes"
for track in video audio; do
    expect_events alice media-verified 1 "\"remote\":\"visitor\".*\"track\":\"$track\""
done
expect_events alice media-check 1 '"passed":true'
expect_no_events alice encryption-secret-mismatch

kill -INT $pid_serve
wait $pid_serve
st=$?
[ "$st" -eq 0 ] || fail "web serve exited $st on SIGINT"
ok "web serve exited 0 on SIGINT"
! grep -q "correct horse" "$work/serve.out" "$work/serve.err" "$work/page.out" \
    "$work/page.err" "$work/page-events.json" || fail "the secret appears in the output"
ok "the secret is in none of the output"
