#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults: (1) the WebSocket to the router is cut: both participants reconnect
# (new session, join, publish, subscribe) and media flows again within 10 s;
# (2) the router is killed and restarted: back within 30 s; (3) a publisher
# vanishes without leaving: the others report it and go on; (4) the router
# is gone for good: after a bounded number of attempts, exit 8.
. "$(dirname "$0")/lib.sh"
lab="$(dirname "$0")/../../../scripts/lab"
s=$(secret_file shared "a secret that survives faults")

# (1) A relay between the participants and Janus, reset on SIGUSR1.
python3 "$(dirname "$0")/tcp-cut.py" 18190 18188 >"$work/relay.out" 2>&1 &
relay=$!
for _ in $(seq 50); do grep -q ready "$work/relay.out" 2>/dev/null && break; sleep 0.1; done
room=$(create_room --e2ee)
for who in alice bob; do
    join $who --server ws://127.0.0.1:18190/ --room "$room" --secret-file "$s" --width 320 \
        --height 240 --duration 20s --expect-media
done
# The cut comes once video flows both ways (not after a fixed time: a loaded
# machine can take seconds to publish).
for who in alice bob; do wait_event $who media-flowing '"track":"video"' 30; done
kill -USR1 "$relay"
wait_status alice 0
wait_status bob 0
kill "$relay"
for who in alice bob; do
    expect_events $who connection-lost 1
    t_lost=$(first_ts $who connection-lost)
    t_back=$(first_ts $who media-flowing track=video)
    n=$(count_events $who media-flowing '"track":"video"')
    [ "$n" -ge 2 ] || fail "$who: no video after reconnecting"
    t_again=$($EV count "$work/$who.json" media-flowing track=video >/dev/null; python3 - "$work/$who.json" <<'PY'
import json, sys, datetime
ts = lambda e: datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
    tzinfo=datetime.timezone.utc).timestamp()
ev = [json.loads(l) for l in open(sys.argv[1])]
lost = next(ts(e) for e in ev if e["event"] == "connection-lost")
again = [ts(e) for e in ev if e["event"] == "media-flowing" and e.get("track") == "video"
         and ts(e) > lost]
print(f"{again[0] - lost:.3f}" if again else "none")
PY
)
    [ "$t_again" != none ] || fail "$who: no video after the cut"
    python3 -c "import sys; sys.exit(0 if $t_again < 10 else 1)" ||
        fail "$who: video back only $t_again s after the cut"
    ok "$who: video again $t_again s after the WebSocket was cut"
done

# (2) Janus killed and restarted; the room is re-created with its id.
room=$(create_room --e2ee)
for who in carol dave; do
    join $who --room "$room" --secret-file "$s" --width 320 --height 240 --duration 24s \
        --expect-media
done
# The router goes once the media flows (not after a fixed time).
for who in carol dave; do wait_event $who media-verified "" 30 2; done
"$lab" janus-stop --kill || fail "janus-stop"
sleep 2
"$lab" janus-start >/dev/null || fail "janus-start"
"$E2CALL" session create --e2ee --room "$room" >/dev/null 2>&1 || fail "re-create the room"
wait_status carol 0
wait_status dave 0
for who in carol dave; do
    expect_events $who reconnected 1
    ms=$(grep '"event":"reconnected"' "$work/$who.json" | head -1 | sed 's/.*"ms-since-lost":\([0-9]*\).*/\1/')
    [ "$ms" -lt 30000 ] || fail "$who reconnected only after $ms ms"
    ok "$who back in the room $ms ms after losing the router"
done

# (3) A publisher killed without leaving.
room=$(create_room --e2ee)
join erin --room "$room" --secret-file "$s" --width 320 --height 240 --duration 16s --expect-media
join frank --room "$room" --secret-file "$s" --width 320 --height 240 --duration 16s
# Killed, grace cannot remove her control socket: it goes in $work.
join grace --room "$room" --secret-file "$s" --width 320 --height 240 --duration 30s \
    --control "$work/grace.sock"
# Killed once erin verified both her tracks (not after a fixed time: a
# publication can take seconds on a loaded machine, and a grace killed before
# it is no test; erin's --expect-media wants every stream she saw verified).
wait_event erin media-verified '"remote":"grace".*"track":"video"'
wait_event erin media-verified '"remote":"grace".*"track":"audio"'
kill -9 "$pid_grace"
wait "$pid_grace" 2>/dev/null
wait_status erin 0
wait_status frank 0
expect_events erin remote-unpublished 1 '"remote":"grace"'
ok "a vanished publisher is reported and the call goes on"

# (4) The router gone for good: a bounded number of attempts, then exit 8.
room=$(create_room --e2ee)
join heidi --room "$room" --secret-file "$s" --width 320 --height 240 --duration 60s \
    --reconnect-attempts 3
sleep 4
"$lab" janus-stop --kill || fail "janus-stop"
start=$(date +%s)
wait_status heidi 8
[ $(( $(date +%s) - start )) -le 15 ] || fail "giving up took too long"
expect_events heidi error 1 "gave up after 3 reconnection attempt"
