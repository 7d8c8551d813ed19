#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hardening of the top-level meson.build, read back from the binaries
# with readelf (binutils): immediate binding (BIND_NOW, FLAGS_1 NOW), a
# read-only relocation segment (GNU_RELRO), the e2call program position
# independent (ELF type DYN, FLAGS_1 PIE), the stack protector in use
# (__stack_chk_fail imported) and, where the build fortifies (optimised and
# not sanitized), fortified libc calls (__*_chk imported).
#
# Usage: check-hardening.sh FORTIFY(0|1) E2CALL PLUGIN
set -u
fortify=${1:?usage: check-hardening.sh FORTIFY E2CALL PLUGIN}
e2call=${2:?}
plugin=${3:?}
command -v readelf >/dev/null 2>&1 || {
    echo "FAIL: readelf is missing (package binutils; scripts/setup installs it)"
    exit 1
}
failures=0

fail() {
    echo "FAIL: $1: $2"
    failures=$((failures + 1))
}

# check FILE KIND: KIND is "program" or "library".
check() {
    f=$1
    kind=$2
    name=$(basename "$f")
    [ -f "$f" ] || { fail "$name" "not built"; return; }
    type=$(readelf -hW "$f" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p')
    dyn=$(readelf -dW "$f")
    syms=$(readelf --dyn-syms -W "$f" | awk '$7 == "UND" { sub(/@.*/, "", $8); print $8 }')

    [ "$type" = DYN ] || fail "$name" "ELF type $type, expected DYN (position independent)"
    echo "$dyn" | grep -qE '\(FLAGS\).*BIND_NOW|\(BIND_NOW\)|\(FLAGS_1\).*NOW' ||
        fail "$name" "no BIND_NOW / FLAGS_1 NOW (link with -Wl,-z,now)"
    readelf -lW "$f" | grep -q GNU_RELRO || fail "$name" "no GNU_RELRO segment (-Wl,-z,relro)"
    if [ "$kind" = program ]; then
        echo "$dyn" | grep -qE '\(FLAGS_1\).*PIE' || fail "$name" "FLAGS_1 lacks PIE (b_pie)"
    fi
    echo "$syms" | grep -qx __stack_chk_fail ||
        fail "$name" "does not import __stack_chk_fail (-fstack-protector-strong)"
    chk=$(echo "$syms" | grep -E '^__[a-z0-9_]+_chk$' | grep -vx __stack_chk_fail | tr '\n' ' ')
    if [ "$fortify" = 1 ]; then
        [ -n "$chk" ] || fail "$name" "no fortified call (__*_chk) imported (-D_FORTIFY_SOURCE=2)"
    fi
    echo "checked $name: type $type, $(echo "$dyn" | grep -oE 'FLAGS_1\) *Flags: [A-Z_ ]*' |
        sed 's/.*Flags: //'), fortified: ${chk:-none}"
}

check "$e2call" program
check "$plugin" library
[ "$fortify" = 1 ] || echo "note: this build does not fortify (not optimised, or sanitized)"
[ "$failures" -eq 0 ]
