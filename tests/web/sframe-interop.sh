#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Both directions between src/web and e2call's elements, frame for frame:
# e2csframeenc's output opens in the JavaScript module, and the module's output
# opens in e2csframedec, to the encoder's own bytes. VP8 in every suite, VP9,
# H.264 and Opus in the default one. Frames are made here by real encoders
# (nothing committed). Needs GST_PLUGIN_PATH at the build's plugin (meson
# test sets it) and node.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
secret=interop-secret-$$
room=0042

# encode NAME CAPS SUITE ENCODER...: NAME-plain-NNN.bin and NAME-enc-NNN.bin
encode() {
    name=$1 caps=$2 suite=$3
    shift 3
    gst-launch-1.0 -q "$@" ! "$caps" ! tee name=t \
        t. ! queue ! multifilesink location="$dir/$name-plain-%03d.bin" \
        t. ! queue ! e2csframeenc secret="$secret" room="$room" cipher-suite="$suite" \
        ! multifilesink location="$dir/$name-enc-%03d.bin"
}

# decode NAME CAPS SUITE: NAME-js-NNN.bin through e2csframedec into NAME-dec-NNN.bin
decode() {
    name=$1 caps=$2 suite=$3
    gst-launch-1.0 -q multifilesrc location="$dir/$name-js-%03d.bin" caps="$caps" \
        ! e2csframedec secret="$secret" room="$room" cipher-suite="$suite" \
        ! multifilesink location="$dir/$name-dec-%03d.bin"
}

video="videotestsrc num-buffers=12 ! video/x-raw,width=160,height=120,framerate=30/1"
specs=""
for suite in 1 2 3 4 5 6 7 8; do
    # shellcheck disable=SC2086
    encode vp8s$suite video/x-vp8 $suite $video ! vp8enc keyframe-max-dist=5 deadline=1
    specs="$specs vp8s$suite:vp8:$suite"
done
# shellcheck disable=SC2086
encode vp9 video/x-vp9 6 $video ! vp9enc keyframe-max-dist=5 deadline=1
# shellcheck disable=SC2086
encode h264 video/x-h264,stream-format=byte-stream,alignment=au 6 \
    $video ! x264enc key-int-max=5 speed-preset=ultrafast tune=zerolatency
encode opus audio/x-opus 6 audiotestsrc num-buffers=20 ! opusenc
specs="$specs vp9:vp9:6 h264:h264:6 opus:opus:6"

# shellcheck disable=SC2086
node "$here/interop.mjs" "$dir" "$secret" "$room" $specs

status=0
for spec in $specs; do
    name=${spec%%:*} rest=${spec#*:}
    codec=${rest%%:*} suite=${rest#*:}
    case $codec in
    vp8) caps=video/x-vp8 ;;
    vp9) caps=video/x-vp9 ;;
    h264) caps=video/x-h264,stream-format=byte-stream,alignment=au ;;
    opus) caps=audio/x-opus ;;
    esac
    decode "$name" "$caps" "$suite"
    n=0 same=0
    for plain in "$dir/$name"-plain-*.bin; do
        n=$((n + 1))
        dec=$(echo "$plain" | sed 's/-plain-/-dec-/')
        if [ -f "$dec" ] && cmp -s "$plain" "$dec"; then
            same=$((same + 1))
        fi
    done
    echo "$name: $same/$n of the module's frames opened in e2csframedec"
    [ "$same" -eq "$n" ] || status=1
done
exit $status
