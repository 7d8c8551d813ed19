#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# GStreamer's leaks tracer on a 20 s E2EE call: when e2call exits (it calls
# gst_deinit() when GST_TRACERS is set, so the tracer reports), no GStreamer
# object may still be alive but one: the DTLS agent with the generated
# certificate, which GStreamer's dtls plugin keeps for the whole process in a
# static (g_once) by design, whoever uses it.
. "$(dirname "$0")/lib.sh"

room=$(create_room --e2ee)
s=$(secret_file shared "correct horse battery staple")
join bob --room "$room" --secret-file "$s" --width 320 --height 240 --duration 20s
GST_TRACERS=leaks GST_DEBUG="GST_TRACER:7" GST_DEBUG_NO_COLOR=1 \
    GST_DEBUG_FILE="$work/alice.trace" \
    join alice --room "$room" --secret-file "$s" --width 320 --height 240 --duration 20s \
    --expect-media
wait_status alice 0
wait_status bob 0
[ -s "$work/alice.trace" ] || fail "the leaks tracer wrote nothing"
grep -q "object-alive.class" "$work/alice.trace" || fail "the leaks tracer did not run"
alive=$(grep -c "GST_TRACER :0:: object-alive" "$work/alice.trace")
others=$(grep "GST_TRACER :0:: object-alive" "$work/alice.trace" | grep -v 'type-name=(string)GstDtlsAgent,')
[ -z "$others" ] || fail "objects alive at exit: $(echo "$others" | sed 's/.*type-name=(string)\([^,]*\).*description=(string)\([^,]*\),.*/\1 \2/' | tr '\n' ' ')"
# That agent is always there: seeing it proves the tracer reported at exit.
[ "$alive" -eq 1 ] || fail "$alive objects alive at exit, expected GStreamer's DTLS agent alone (no report at exit?)"
ok "after a 20 s call, no leaked GStreamer object ($alive alive: GStreamer's own DTLS agent)"
