#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# Record a WCS stream to a Matroska file without decoding it: wcsplaysrc with
# decode=false outputs the encoded stream (H264 byte-stream, one access unit
# per buffer, or VP8; Opus audio), h264parse turns H264 into the avc form
# matroskamux takes.
#
#   examples/record.sh LOCATION STREAM-NAME FILE [SECONDS] [extra wcsplaysrc properties...]
#
#   examples/record.sh ws://127.0.0.1:8080 cam1 cam1.mkv          # until Ctrl-C
#   examples/record.sh ws://127.0.0.1:8080 cam1 cam1.mkv 30       # 30 s
#   CODEC=VP8 AUDIO=1 examples/record.sh wss://wcs.example.com:8443 cam1 cam1.mkv 60
#
# Environment:
#   BUILD_DIR  build directory holding plugin/ (default: build)
#   CODEC      H264 (default) or VP8: the video codec the stream is published
#              with (the file's video track; a wrong value fails with
#              not-negotiated)
#   AUDIO=1    record the Opus audio track too (only for a stream that has
#              audio: matroskamux waits for data on every track)
#
# The recording ends with EOS either way (Ctrl-C, SIGTERM or SECONDS over),
# so the file is finalized (duration, index). Exit status is gst-launch's: 0
# after a clean EOS. During an outage the element restores by itself; the
# file simply has a gap.
set -eu

usage() {
  sed -n '2,/^set -eu/p' "$0" | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//'
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
if [ $# -lt 3 ]; then
  usage >&2
  exit 2
fi
location=$1
stream=$2
file=$3
shift 3
seconds=0
case "${1:-}" in
  '' | *=*) ;;
  *[!0-9]*) echo "record.sh: SECONDS must be a whole number, not '$1'" >&2; exit 2 ;;
  *) seconds=$1; shift ;;
esac

here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$here/build}
if [ -z "${GST_PLUGIN_PATH_1_0:-}" ]; then
  export GST_PLUGIN_PATH="$build/plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
fi
if ! gst-inspect-1.0 wcsplaysrc >/dev/null 2>&1; then
  echo "record.sh: wcsplaysrc not found in $build/plugin: build first (scripts/setup)" >&2
  exit 1
fi

case "${CODEC:-H264}" in
  H264 | h264) video="src.video ! queue ! h264parse ! mux.video_%u" ;;
  VP8 | vp8) video="src.video ! queue ! mux.video_%u" ;;
  *) echo "record.sh: CODEC must be H264 or VP8" >&2; exit 2 ;;
esac
audio=""
[ "${AUDIO:-0}" = 1 ] && audio="src.audio ! queue ! mux.audio_%u"

# shellcheck disable=SC2086 # $video and $audio are word lists
set -- wcsplaysrc name=src location="$location" stream-name="$stream" \
  decode=false "$@" \
  matroskamux name=mux ! filesink location="$file" \
  $video $audio

if [ "$seconds" -eq 0 ]; then
  # Ctrl-C: gst-launch sends EOS (-e), matroskamux finalizes the file
  exec gst-launch-1.0 -e "$@"
fi

gst-launch-1.0 -e "$@" &
pid=$!
# Ctrl-C on the terminal reaches gst-launch itself (same process group);
# SIGTERM to this script becomes the EOS request.
trap '' INT
trap 'kill -INT "$pid" 2>/dev/null || true; seconds=0' TERM

# SECONDS, in 0.2 s slices so that an early end (an error) ends the wait
ticks=$((seconds * 5))
while [ "$ticks" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
  sleep 0.2
  ticks=$((ticks - 1))
done
if kill -0 "$pid" 2>/dev/null; then
  kill -INT "$pid" 2>/dev/null || true   # -e: EOS, then the file is closed
fi
# at most 10 s for EOS to go through
ticks=50
while [ "$ticks" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
  sleep 0.2
  ticks=$((ticks - 1))
done
if kill -0 "$pid" 2>/dev/null; then
  echo "record.sh: no EOS within 10 s, killing gst-launch" >&2
  kill -KILL "$pid" 2>/dev/null || true
fi
status=0
wait "$pid" || status=$?
exit "$status"
