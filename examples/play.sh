#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# Play a WCS stream with wcsplaysrc (video and audio, decoded).
#
#   examples/play.sh [LOCATION] [STREAM-NAME] [extra wcsplaysrc properties...]
#
#   examples/play.sh ws://127.0.0.1:8080 cam1
#   examples/play.sh wss://wcs.example.com:8443 cam1 media-timeout=3000
#
# Environment:
#   BUILD_DIR   build directory holding plugin/ (default: build)
#   VIDEO_SINK  default autovideosink;  AUDIO_SINK  default autoaudiosink
#   HEADLESS=1  use fakesinks (servers, CI)
#
# The same stream through playbin: gst-play-1.0 wcs://127.0.0.1:8080/cam1
# Ctrl-C stops: the element sends stopStream and closes the session.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
location=${1:-ws://127.0.0.1:8080}
stream=${2:-cam1}
[ $# -ge 1 ] && shift
[ $# -ge 1 ] && shift

build=${BUILD_DIR:-$here/build}
export GST_PLUGIN_PATH="$build/plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

if ! gst-inspect-1.0 wcsplaysrc >/dev/null 2>&1; then
  echo "wcsplaysrc not found in $build/plugin: build first (scripts/setup)" >&2
  exit 1
fi

if [ "${HEADLESS:-0}" = 1 ]; then
  vsink="fakesink sync=true"
  asink="fakesink sync=true"
else
  vsink=${VIDEO_SINK:-autovideosink}
  asink=${AUDIO_SINK:-autoaudiosink}
fi

# -m prints the wcs-* bus messages (status, restores) as they happen
exec gst-launch-1.0 -m -e \
  wcsplaysrc name=src location="$location" stream-name="$stream" "$@" \
  src.video ! queue ! videoconvert ! $vsink \
  src.audio ! queue ! audioconvert ! audioresample ! $asink
