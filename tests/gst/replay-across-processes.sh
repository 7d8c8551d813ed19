#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Media recorded in one process and played into a fresh receiver in another
# (e2call-e2ee(7), SECURITY): a router that kept a recording of a call
# cannot feed it to a later subscription once its epoch is over.
#
#   played at once                 -> every frame opens and decodes (the control)
#   the receiver's clock +1 day    -> every frame stale, nothing decoded
#   the receiver's clock +25 min   -> the same: older than 20 minutes is always stale
#
# The later receivers run under libfaketime (the wall clock shifted, the
# monotonic clock GStreamer runs on left alone). libfaketime hangs in a
# program built with AddressSanitizer: there (E2C_SANITIZED=1) the player
# shifts the clock it reads itself, through the test hook of wallclock.h.
# Usage: SCRIPT TOOL (tests/gst/sframe-record-play).
set -u
tool=$1
frames=53

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# play_at OFFSET: the recording played by a receiver whose clock is OFFSET ahead
if [ "${E2C_SANITIZED:-0}" = 1 ]; then
    play_at() {
        case $1 in
        +1d) s=86400 ;;
        +25m) s=1500 ;;
        esac
        "$tool" play "$work/recording" "$s"
    }
else
    command -v faketime >/dev/null 2>&1 || {
        echo "skipping: faketime is not installed (scripts/setup installs it)" >&2
        exit 77
    }
    export FAKETIME_DONT_FAKE_MONOTONIC=1
    now=$(date +%s)
    later=$(faketime -f +1d date +%s)
    [ $((later - now)) -ge 86000 ] || fail "faketime did not move the clock ($now, $later)"
    play_at() {
        faketime -f "$1" "$tool" play "$work/recording"
    }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/e2call-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT

out=$("$tool" record "$work/recording" $frames) || fail "record: $out"
echo "$out"
[ "$out" = "recorded=$frames" ] || fail "recorded: $out"

field() { # field NAME LINE
    echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

out=$("$tool" play "$work/recording") || fail "play: $out"
echo "played at once: $out"
[ "$(field opened "$out")" -eq $frames ] || fail "played at once, not every frame opened"
[ "$(field stale "$out")" -eq 0 ] || fail "played at once, frames were stale"
[ "$(field decoded "$out")" -gt 0 ] || fail "played at once, nothing decoded"

for offset in +1d +25m; do
    out=$(play_at $offset) || fail "play at $offset: $out"
    echo "played at $offset: $out"
    [ "$(field opened "$out")" -eq 0 ] || fail "played at $offset, frames opened"
    [ "$(field decoded "$out")" -eq 0 ] || fail "played at $offset, pictures decoded"
    [ "$(field stale "$out")" -eq $frames ] || fail "played at $offset, not every frame stale"
done
echo "ok: a recording is rejected a day and 25 minutes later, accepted at once"
