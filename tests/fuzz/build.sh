#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# Build (and optionally run) the libFuzzer targets of gst-wcs.
#
#   tests/fuzz/build.sh [OUTDIR]            build into OUTDIR (default: build-fuzz
#                                           at the top of the source tree)
#   FUZZ_SECONDS=60 tests/fuzz/build.sh     build, then run each target that long
#
# Targets:
#   fuzz-protocol  gst_wcs_message_parse + gst_wcs_stream_info_parse +
#                  gst_wcs_parse_set_remote_sdp (+ SDP helpers on what they return)
#   fuzz-sdp       gst_wcs_sdp_strip_codec / _strip_codecs / _get_codec
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

mkdir -p "$out"
out=$(cd "$out" && pwd)

pkgs="gstreamer-1.0 gstreamer-sdp-1.0 json-glib-1.0 gio-2.0"
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -DGST_USE_UNSTABLE_API -DG_LOG_DOMAIN=\"gst-wcs\"
  -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -I$top/gst $(pkg-config --cflags $pkgs)"
libs=$(pkg-config --libs $pkgs)

for target in fuzz-protocol fuzz-sdp; do
  echo "building $out/$target"
  # shellcheck disable=SC2086
  $CC $cflags -o "$out/$target" "$here/$target.c" \
    "$top/gst/gstwcsprotocol.c" "$top/gst/gstwcssdp.c" $libs
done

# Seed corpora: every raw frame of the transcripts, and every SDP in them.
if [ -d "$fixtures/sdk-transcripts" ]; then
  mkdir -p "$out/corpus-protocol" "$out/corpus-sdp"
  python3 - "$fixtures/sdk-transcripts" "$out" <<'PY'
import glob, hashlib, json, os, sys
src, out = sys.argv[1], sys.argv[2]
def put(d, data):
    data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, d, name), "wb") as f:
        f.write(data)
for path in sorted(glob.glob(os.path.join(src, "*.jsonl"))):
    for line in open(path, encoding="utf-8"):
        rec = json.loads(line)
        raw = rec.get("raw")
        if not raw or rec.get("dir") not in ("c2s", "s2c"):
            continue
        put("corpus-protocol", raw)
        msg = json.loads(raw)
        data = msg.get("data") or []
        if msg.get("message") == "setRemoteSDP" and len(data) > 1:
            put("corpus-sdp", data[1])
        elif data and isinstance(data[0], dict) and "sdp" in data[0]:
            put("corpus-sdp", data[0]["sdp"])
PY
  echo "seed corpora: $(ls "$out/corpus-protocol" | wc -l) frames, $(ls "$out/corpus-sdp" | wc -l) SDPs"
fi

if [ -n "${FUZZ_SECONDS:-}" ]; then
  for target in fuzz-protocol fuzz-sdp; do
    corpus=$out/corpus-${target#fuzz-}
    mkdir -p "$corpus" "$out/artifacts-$target"
    # 1. fuzz fast: leak checking needs slow unwinding (GLib has no frame
    #    pointers), so it is done separately below
    echo "running $target for ${FUZZ_SECONDS}s"
    ASAN_OPTIONS=detect_leaks=0 "$out/$target" -max_total_time="$FUZZ_SECONDS" \
      -max_len=65536 -dict="$here/wcs.dict" \
      -artifact_prefix="$out/artifacts-$target/" -print_final_stats=1 "$corpus"
    # 2. every input of the grown corpus once more, with full leak reports
    #    (the one GLib constructor allocation suppressed)
    echo "leak check of $target over $(ls "$corpus" | wc -l) inputs"
    ASAN_OPTIONS=fast_unwind_on_malloc=0 \
      LSAN_OPTIONS="suppressions=$here/lsan.supp" \
      "$out/$target" -runs=0 -artifact_prefix="$out/artifacts-$target/" "$corpus"
  done
fi
