#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# Restream: play a WCS stream from one server (wcsplaysrc) and publish it to
# another (wcspublishsink), under another name if wished.
#
#   examples/restream.sh SRC-LOCATION SRC-STREAM DST-LOCATION DST-STREAM
#
#   examples/restream.sh ws://10.0.0.1:8080 cam1 wss://wcs.example.com:8443 cam1-copy
#   TRANSCODE=1 examples/restream.sh ws://10.0.0.1:8080 cam1 ws://10.0.0.2:8080 cam1
#
# By default the video is passed through without decoding (wcsplaysrc
# decode=false gives H264 or VP8 access units, which wcspublishsink takes
# pre-encoded and publishes with the same codec). TRANSCODE=1 decodes and lets
# wcspublishsink encode again (its h264-encoder / vp8-encoder, H264 unless the
# server wants VP8): costs CPU, but the destination gets regular key frames
# and the zero-bitrate detector / H264-to-VP8 fallback work as usual.
#
# Environment:
#   BUILD_DIR   build directory holding plugin/ (default: build)
#   TRANSCODE=1 decode and re-encode (see above)
#   AUDIO=1     restream the audio too (only for a source stream that has
#               audio: wcspublishsink waits for the caps of every pad it has)
#   PLAY_PROPS, PUBLISH_PROPS  extra properties of wcsplaysrc / wcspublishsink,
#               e.g. PUBLISH_PROPS="video-bitrate=1000"
#
# Both sides restore by themselves (a source outage is a gap in what is
# published). Ctrl-C (SIGINT) sends EOS: wcspublishsink unpublishes the
# destination stream, then everything closes; exit status 0.
set -eu

usage() {
  sed -n '2,/^set -eu/p' "$0" | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//'
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
if [ $# -ne 4 ]; then
  usage >&2
  exit 2
fi

here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$here/build}
if [ -z "${GST_PLUGIN_PATH_1_0:-}" ]; then
  export GST_PLUGIN_PATH="$build/plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
fi
if ! gst-inspect-1.0 wcsplaysrc >/dev/null 2>&1; then
  echo "restream.sh: the wcs plugin is not in $build/plugin: build first (scripts/setup)" >&2
  exit 1
fi

if [ "${TRANSCODE:-0}" = 1 ]; then
  decode=true
  video="src.video ! queue ! videoconvert ! pub.video"
  audio="src.audio ! queue ! audioconvert ! audioresample ! pub.audio"
else
  decode=false
  video="src.video ! queue ! pub.video"
  audio="src.audio ! queue ! pub.audio"
fi
[ "${AUDIO:-0}" = 1 ] || audio=""

# shellcheck disable=SC2086
exec gst-launch-1.0 -e \
  wcsplaysrc name=src location="$1" stream-name="$2" decode=$decode ${PLAY_PROPS:-} \
  wcspublishsink name=pub location="$3" stream-name="$4" ${PUBLISH_PROPS:-} \
  $video $audio
