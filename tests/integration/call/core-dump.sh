#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Key material out of core dumps (e2call(1), SECURITY): a core of a running
# E2EE call, taken with gdb's gcore while both participants send and decrypt,
# holds neither the secret nor the room's shared key, computed here
# independently of e2call: PBKDF2-HMAC-SHA256(secret, "e2call/1 room " ||
# room, 600000, 32) (e2call-e2ee(7), KEYS). Then the same after a rekey, for
# the new secret and its key: they went through the control socket and a
# second derivation.
#
# gdb leaves out the mappings marked MADV_DONTDUMP (its dump-excluded-mappings
# setting is off by default), as the kernel does for the cores it writes. The
# test checks that the core is a real one: it holds alice's display name, a
# marker that e2call keeps in ordinary memory (its arguments, and the
# messages to and from the router on its heap).
. "$(dirname "$0")/lib.sh"
command -v gcore >/dev/null || {
    echo "skipping: no gcore (gdb) here" >&2
    exit 77
}
# A sanitized e2call maps terabytes for the sanitizer's bookkeeping, which a
# core would hold (a disk filled up trying): this test is for real builds.
if [ "${E2C_SANITIZED:-0}" = 1 ]; then
    echo "skipping: a core of a sanitizer build is too large to take" >&2
    exit 77
fi
H="python3 $(dirname "$0")/hygiene.py"

secret="core-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-E2cDmP"
secret2="core2-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-E2cDmP"
room=$(create_room --e2ee)
s=$(secret_file shared "$secret")
chmod 700 "$work" # the control socket lives here
common="--room $room --width 160 --height 120 --fps 10 --duration 120s"
marker="alice-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
DISPLAY_NAME=$marker
join alice $common --secret-file "$s" --control "$work/alice.sock"
unset DISPLAY_NAME
join bob $common --secret-file "$s" --control "$work/bob.sock"

i=0
for who in alice bob; do
    while [ "$(count_events $who media-flowing)" -lt 1 ]; do
        i=$((i + 1))
        [ $i -lt 400 ] || fail "$who: no media-flowing event within 20 s"
        sleep 0.05
    done
done
ok "both decrypt"

# core_check LABEL SECRET: a core of alice holds neither SECRET nor its room key.
core_check() {
    rm -f "$work/core" "$work/core.$pid_alice"
    # A core of this call is about 1.2 GiB; beyond 8 GiB gcore is stopped
    # (SIGXFSZ) rather than allowed to fill the disk.
    (ulimit -f 16777216 && gcore -o "$work/core" "$pid_alice") >"$work/gcore.out" 2>&1 ||
        fail "gcore failed: $(tail -n 3 "$work/gcore.out")"
    core=$work/core.$pid_alice
    [ -s "$core" ] || fail "gcore wrote no core"
    kill -0 "$pid_alice" || fail "alice did not survive gcore"
    $H needles "$2" >"$work/needles"
    set -- "$1" "$2" $($H stream "$core" "$work/needles")
    [ "${3:-x}" = 0 ] || fail "$1: the secret is in the core (${3:-?} times)"
    python3 - "$2" "$room" "$core" "$marker" <<'EOF' || fail "$1: the room key is in the core"
import hashlib, mmap, sys
secret, room, core, marker = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3], sys.argv[4]
key = hashlib.pbkdf2_hmac("sha256", secret, b"e2call/1 room " + room, 600000, 32)
with open(core, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
    def count(needle):
        n, i = 0, data.find(needle)
        while i >= 0:
            n, i = n + 1, data.find(needle, i + 1)
        return n
    # The core is real: the marker is in e2call's ordinary memory.
    seen = count(marker.encode())
    assert seen >= 2, f"the display name is {seen} time(s) in the core: not a core of the call"
    n = count(key)
    print(f"room key found {n} time(s), the display name {seen} time(s), in a core of "
          f"{len(data) >> 20} MiB")
sys.exit(1 if n else 0)
EOF
    ok "$1: neither the secret nor the room key in a core of $(($(stat -c %s "$core") >> 20)) MiB"
    rm -f "$core"
}
core_check "during the call" "$secret"

s2=$(secret_file rekey "$secret2")
# Both rekey, so that no mismatch ends the call however long the cores take.
rekey alice "$s2"
rekey bob "$s2"
sleep 1
core_check "after a rekey" "$secret2"

"$E2CALL" leave --control "$work/alice.sock" 2>>"$work/leave.out" || fail "leave"
wait_status alice 0
kill "$pid_bob" 2>/dev/null
wait "$pid_bob" 2>/dev/null
true
