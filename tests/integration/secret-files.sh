#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Files of secrets, through both options that read them, join --secret-file
# and load --secrets (one reader, one set of rules, e2call(1) SECRETS):
#   - a symbolic link is refused, not followed;
#   - a named pipe (FIFO) is refused at once, unread (under timeout: a hang
#     fails the test);
#   - a device (/dev/zero) is refused at once, with nothing read;
#   - a 100 MiB sparse file is refused from its size, with nothing read:
#     the process's peak memory stays within a few MiB of a run that read a
#     good file;
#   - a file its group or other users can read is accepted with a warning
#     naming who can read it; a private one without;
#   - (load) a file of more secrets than a run can use (1000) is refused.
#
# No router is needed: join is pointed at a closed port (an accepted secret
# ends in exit 8, CONNECT_FAILED), and load at an --expect-groups file that
# does not exist, which it reads right after the secrets (exit 2).
#
# Usage: secret-files.sh E2CALL
set -u
e2call=${1:?usage: secret-files.sh E2CALL}
E2CALL_SERVER=ws://127.0.0.1:9/
export E2CALL_SERVER

work=$(mktemp -d "${TMPDIR:-/tmp}/e2call-secret-files.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'correct horse battery staple\n' >"$work/good"
chmod 600 "$work/good"
ln -s good "$work/link"
mkfifo "$work/fifo"
: >"$work/sparse"
truncate -s 100M "$work/sparse"

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run NAME ARGS...: runs e2call under a 20 s timeout with stdin closed;
# NAME.status, NAME.err, and NAME.rss (peak resident memory in KiB).
run() {
    name=$1
    shift
    python3 - "$work/$name" "$e2call" "$@" <<'EOF'
import resource, subprocess, sys
out, cmd = sys.argv[1], sys.argv[2:]
with open(out + ".err", "wb") as err:
    try:
        status = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, timeout=20).returncode
    except subprocess.TimeoutExpired:
        status = "timeout"
open(out + ".status", "w").write(f"{status}\n")
open(out + ".rss", "w").write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
EOF
}

# expect NAME STATUS PATTERN: NAME exited STATUS and its stderr matches PATTERN.
expect() {
    got=$(cat "$work/$1.status")
    if [ "$got" != "$2" ]; then
        fail "$1: exit $got, expected $2: $(head -c 300 "$work/$1.err")"
    elif ! grep -qE -- "$3" "$work/$1.err"; then
        fail "$1: stderr does not match '$3': $(head -c 300 "$work/$1.err")"
    else
        echo "ok: $1: exit $2, $(grep -E -- "$3" "$work/$1.err" | head -n 1)"
    fi
}

join_file() { # join_file NAME FILE
    run "$1" join --room 5 --secret-file "$2"
}
load_file() { # load_file NAME FILE
    run "$1" load --room 5 --participants 2 --secrets "$2" --expect-groups "$work/none"
}

# ---- a good file: the reference for memory ----
join_file join-good "$work/good"
expect join-good 8 "CONNECT_FAILED"
load_file load-good "$work/good"
expect load-good 2 "cannot read --expect-groups"
for who in join load; do
    ! grep -q warning "$work/$who-good.err" || fail "$who: a private file warned: $(cat "$work/$who-good.err")"
done

# ---- what is refused ----
join_file join-link "$work/link"
expect join-link 2 "cannot read the secret: it is a symbolic link, which is not followed"
load_file load-link "$work/link"
expect load-link 2 "cannot read --secrets '.*/link': it is a symbolic link, which is not followed"

join_file join-fifo "$work/fifo"
expect join-fifo 2 "cannot read the secret: it is a named pipe \(FIFO\), which is not read"
load_file load-fifo "$work/fifo"
expect load-fifo 2 "cannot read --secrets '.*/fifo': it is a named pipe \(FIFO\), which is not read"

join_file join-zero /dev/zero
expect join-zero 2 "cannot read the secret: it is not a regular file"
load_file load-zero /dev/zero
expect load-zero 2 "cannot read --secrets '/dev/zero': it is not a regular file"

# A single secret is at most 1026 bytes: a bigger file is an invalid secret (3).
join_file join-sparse "$work/sparse"
expect join-sparse 3 "INVALID_ENCRYPTION_SECRET: secret is too long \(more than 1026 bytes\)"
load_file load-sparse "$work/sparse"
expect load-sparse 2 "--secrets '.*/sparse' has 104857600 bytes; a secrets file holds at most 1000 secrets, at most 1026000 bytes"

# More secrets than the largest run (1000 participants) can use.
seq -f 'secret number %g' 1 1001 >"$work/many"
chmod 600 "$work/many"
load_file load-many "$work/many"
expect load-many 2 "--secrets '.*/many' holds more than 1000 secrets \(line 1001\); a run has at most 1000 participants"

# Nothing was read: no more memory than the runs that read a good file.
for who in join load; do
    good=$(cat "$work/$who-good.rss")
    for what in zero sparse; do
        rss=$(cat "$work/$who-$what.rss")
        if [ "$rss" -gt $((good + 16384)) ]; then
            fail "$who-$what: peak memory $rss KiB, a good file took $good KiB"
        else
            echo "ok: $who-$what: peak memory $rss KiB (a good file: $good KiB)"
        fi
    done
done

# ---- permissions: accepted, with a warning naming who can read it ----
cp "$work/good" "$work/open"
for mode in 640 604 644; do
    chmod $mode "$work/open"
    case $mode in
    640) who="its group" ;;
    604) who="all users" ;;
    644) who="its group and all users" ;;
    esac
    join_file join-$mode "$work/open"
    expect join-$mode 8 "warning: the secret file '.*/open' can be read by $who; consider chmod 600"
    load_file load-$mode "$work/open"
    expect load-$mode 2 "warning: the secrets file '.*/open' can be read by $who; consider chmod 600"
done

[ $failures -eq 0 ] || exit 1
echo "ok: every case"
