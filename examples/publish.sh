#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# Publish a test pattern (and a tone) to WCS with wcspublishsink.
#
#   examples/publish.sh [LOCATION] [STREAM-NAME] [extra wcspublishsink properties...]
#
#   examples/publish.sh ws://127.0.0.1:8080 cam1
#   examples/publish.sh wss://wcs.example.com:8443 cam1 video-bitrate=1000
#   examples/publish.sh ws://127.0.0.1:8080 cam1 strip-codecs=H264      # VP8 only
#   examples/publish.sh ws://127.0.0.1:8080 cam1 \
#       h264-encoder="vaapih264enc rate-control=cbr bitrate=1500"       # hardware H264
#
# Environment:
#   BUILD_DIR   build directory holding plugin/ (default: build)
#   SOURCE      video source (default: videotestsrc is-live=true pattern=ball)
#   NO_AUDIO=1  publish video only
#
# Ctrl-C sends EOS (-e): the sink unpublishes, waits for UNPUBLISHED (at most
# 2 s), closes the session, and the pipeline ends. -m prints the wcs-* bus
# messages (session / stream status, restores, bitrate failures, fallback).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
location=${1:-ws://127.0.0.1:8080}
stream=${2:-cam1}
[ $# -ge 1 ] && shift
[ $# -ge 1 ] && shift

build=${BUILD_DIR:-$here/build}
export GST_PLUGIN_PATH="$build/plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

if ! gst-inspect-1.0 wcspublishsink >/dev/null 2>&1; then
  echo "wcspublishsink not found in $build/plugin: build first (scripts/setup)" >&2
  exit 1
fi

source=${SOURCE:-videotestsrc is-live=true pattern=ball}
audio="audiotestsrc is-live=true wave=ticks ! pub.audio"
[ "${NO_AUDIO:-0}" = 1 ] && audio=""

# shellcheck disable=SC2086
exec gst-launch-1.0 -e -m \
  wcspublishsink name=pub location="$location" stream-name="$stream" "$@" \
  $source ! video/x-raw,width=640,height=360,framerate=30/1 ! pub.video \
  $audio
