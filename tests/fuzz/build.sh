#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# Build (and optionally run) the libFuzzer targets of gst-wcs.
#
#   tests/fuzz/build.sh [OUTDIR]            build into OUTDIR (default: build-fuzz
#                                           at the top of the source tree)
#   FUZZ_SECONDS=60 tests/fuzz/build.sh     build, then run each target that long
#   FUZZ_TARGETS="fuzz-relay" ...           only these targets
#
# scripts/fuzz is the everyday entry point (it installs clang when missing).
#
# Targets (every parser the network reaches; docs/reliability.md):
#   fuzz-protocol     gst_wcs_message_parse + gst_wcs_stream_info_parse +
#                     gst_wcs_parse_available_stream +
#                     gst_wcs_parse_set_remote_sdp (+ SDP helpers on what they
#                     return): what the elements' session does with a frame
#   fuzz-sdp          gst_wcs_sdp_strip_codec / _strip_codecs / _get_codec /
#                     _unbundle_only, and GStreamer's SDP-to-caps on answers
#   fuzz-relay        wcs-relay: WebSocket text frames of three clients, REST
#                     requests (faults on) and disconnects, in any order
#                     (relay-server.c with a pipeline-free media layer)
#   fuzz-relay-offer  wcs-relay: parse_offer + plan_offer of relay-media.c
#
# Needs clang with libFuzzer (Debian: apt-get install -y clang libclang-rt-14-dev).
# Seed corpora are extracted from the SDK transcripts in
# tests/fixtures/sdk-transcripts (WCS_FIXTURES overrides the fixtures folder,
# the one holding sdk-transcripts/). Not part of the meson build or of the
# default test run.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build-fuzz}
fixtures=${WCS_FIXTURES:-$top/tests/fixtures}
CC=${CC:-clang}
ALL_TARGETS="fuzz-protocol fuzz-sdp fuzz-relay fuzz-relay-offer"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}

mkdir -p "$out"
out=$(cd "$out" && pwd)

pkgs="gstreamer-1.0 gstreamer-sdp-1.0 json-glib-1.0 gio-2.0"
relay_pkgs="$pkgs libsoup-3.0 gstreamer-webrtc-1.0 gstreamer-app-1.0
  gstreamer-rtp-1.0 gstreamer-video-1.0"
base_cflags="-g -O1 -std=c11 -D_GNU_SOURCE -DGST_USE_UNSTABLE_API
  -DG_LOG_DOMAIN=\"gst-wcs\"
  -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -I$top/gst -I$top/tests/relay"

for target in $TARGETS; do
  lib="$top/gst/gstwcsprotocol.c $top/gst/gstwcssdp.c"
  case "$target" in
    fuzz-protocol|fuzz-sdp)
      p=$pkgs; srcs="$here/$target.c $lib" ;;
    fuzz-relay)
      p=$relay_pkgs
      srcs="$here/fuzz-relay.c $here/relay-media-stub.c
        $top/tests/relay/relay-server.c $top/tests/relay/relay-log.c $lib" ;;
    fuzz-relay-offer)
      p=$relay_pkgs
      srcs="$here/fuzz-relay-offer.c $top/tests/relay/relay-log.c
        $top/gst/gstwcspeer.c $lib" ;;
    *) echo "unknown target $target (known: $ALL_TARGETS)" >&2; exit 2 ;;
  esac
  echo "building $out/$target"
  # shellcheck disable=SC2086
  $CC $base_cflags $(pkg-config --cflags $p) -o "$out/$target" $srcs \
    $(pkg-config --libs $p)
done

# Seed corpora: every raw frame of the transcripts, every SDP in them, and
# per transcript one relay session replay (what the SDK sent, from one and
# from two clients, with REST calls in between).
if [ -d "$fixtures/sdk-transcripts" ]; then
  mkdir -p "$out/corpus-protocol" "$out/corpus-sdp" "$out/corpus-relay" \
    "$out/corpus-relay-offer"
  python3 - "$fixtures/sdk-transcripts" "$out" <<'PY'
import glob, hashlib, json, os, sys
src, out = sys.argv[1], sys.argv[2]
def put(d, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, d, name), "wb") as f:
        f.write(data)
REST = [b"\x03/rest-api/stream/find_all\n{}",
        b"\x03/rest-api/stream/find\n{\"name\":\"stream1\"}",
        b"\x03/rest-api/faults/freeze\n{\"all\":true}",
        b"\x03/rest-api/faults/unfreeze\n{\"all\":true}",
        b"\x03/rest-api/faults/mute\n{\"name\":\"stream1\"}",
        b"\x03/rest-api/faults/stale\n{\"ms\":1000}",
        b"\x03/rest-api/faults/reject\n{\"name\":\"stream1\",\"info\":\"x\",\"count\":2}",
        b"\x03/rest-api/faults/fail\n{\"name\":\"stream1\",\"info\":\"x\"}",
        b"\x03/rest-api/stream/terminate\n{\"name\":\"stream1\"}"]
for path in sorted(glob.glob(os.path.join(src, "*.jsonl"))):
    frames = []
    for line in open(path, encoding="utf-8"):
        rec = json.loads(line)
        raw = rec.get("raw")
        if not raw or rec.get("dir") not in ("c2s", "s2c"):
            continue
        put("corpus-protocol", raw)
        msg = json.loads(raw)
        data = msg.get("data") or []
        sdp = None
        if msg.get("message") == "setRemoteSDP" and len(data) > 1:
            sdp = data[1]
        elif data and isinstance(data[0], dict) and "sdp" in data[0]:
            sdp = data[0]["sdp"]
        if sdp:
            put("corpus-sdp", sdp)
            if rec.get("dir") == "c2s":
                put("corpus-relay-offer", sdp)
        if rec.get("dir") == "c2s":
            frames.append((msg.get("message"), raw.encode()))
    if not frames:
        continue
    # one client does everything (op 6: client 0; a 0 byte separates)
    put("corpus-relay", b"\0".join([b"\x06" + f for _, f in frames] +
                                   [b"\x05"] + REST[:2]))
    # client 0 publishes, client 1 connects and plays the same stream,
    # faults and a disconnect in between
    seq = []
    for m, f in frames:
        seq.append(b"\x06" + f)
        if m == "connection":
            seq.append(b"\x01" + f)
            seq.append(b"\x02" + f)
        if m == "publishStream":
            seq.append(b"\x05")
            seq.append(b"\x01" + f.replace(b"publishStream", b"playStream")
                       .replace(b'"mediaSessionId":"', b'"mediaSessionId":"p'))
            seq.append(b"\x05")
            # the other inbound messages, and a player whose media fails
            pub = json.loads(f)
            pid = pub["data"][0].get("mediaSessionId", "")
            seq.append(b"\x01" + json.dumps({"message": "availableStream",
                "data": [{"mediaSessionId": "a1", "name": "stream1"}]}).encode())
            seq.append(b"\x06" + json.dumps({"message": "sendStreamEvent",
                "data": [{"mediaSessionId": pid, "type": "x",
                          "payload": {"a": 1}}]}).encode())
            bad = json.loads(f.decode())
            bad["message"] = "playStream"
            bad["data"][0]["mediaSessionId"] = "fail-" + pid
            sdp = bad["data"][0].get("sdp", "")
            bad["data"][0]["sdp"] = sdp.replace("t=0 0\r\n",
                                                "t=0 0\r\na=x-fuzz-fail\r\n", 1)
            seq.append(b"\x02" + json.dumps(bad).encode())
            seq.append(b"\x05")
            seq.append(b"\x01" + json.dumps({"message": "stopStream",
                "data": [{"mediaSessionId": "p" + pid,
                          "name": "stream1"}]}).encode())
            seq.extend(REST)
    seq.append(b"\x04")
    seq.append(b"\x05")
    put("corpus-relay", b"\0".join(seq))
PY
  for t in protocol sdp relay relay-offer; do
    printf '%s ' "corpus-$t: $(ls "$out/corpus-$t" | wc -l)"
  done
  echo
fi

if [ -n "${FUZZ_SECONDS:-}" ]; then
  for target in $TARGETS; do
    corpus=$out/corpus-${target#fuzz-}
    mkdir -p "$corpus" "$out/artifacts-$target"
    extra=""
    # the relay logs every refused request on stderr: keep the run readable
    # (libFuzzer still prints its own and the sanitizers' reports)
    case "$target" in fuzz-relay*) extra="-close_fd_mask=2" ;; esac
    # 1. fuzz fast: leak checking needs slow unwinding (GLib has no frame
    #    pointers), so it is done separately below
    echo "running $target for ${FUZZ_SECONDS}s"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=0 "$out/$target" -max_total_time="$FUZZ_SECONDS" \
      -max_len=65536 -dict="$here/wcs.dict" -timeout=10 -rss_limit_mb=4096 \
      $extra -artifact_prefix="$out/artifacts-$target/" -print_final_stats=1 \
      "$corpus"
    # 2. every input of the grown corpus once more, with full leak reports
    #    (the one GLib constructor allocation suppressed)
    echo "leak check of $target over $(ls "$corpus" | wc -l) inputs"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=fast_unwind_on_malloc=0 \
      LSAN_OPTIONS="suppressions=$here/lsan.supp" \
      "$out/$target" -runs=0 $extra -artifact_prefix="$out/artifacts-$target/" \
      "$corpus"
  done
fi
