#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# install/install (tests/install/meson.build): installs the build into a
# temporary DESTDIR and checks, from there:
#   - exactly the plugin (WCS_PLUGINDIR/libgstwcs.so) and wcs-relay
#     (WCS_BINDIR/wcs-relay) are installed, with no reference to the build dir;
#   - gst-inspect-1.0 finds wcsplaysrc and wcspublishsink in the installed
#     plugin with the installed directory as the only plugin path;
#   - the installed wcs-relay starts on a free port and answers REST.
# Env (set by meson): WCS_BUILD_DIR, WCS_PLUGINDIR, WCS_BINDIR (absolute).
set -euo pipefail
unset LD_LIBRARY_PATH   # meson adds build/plugin; nothing installed may need it

: "${WCS_BUILD_DIR:?}" "${WCS_PLUGINDIR:?}" "${WCS_BINDIR:?}"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v meson >/dev/null || skip "meson not in PATH"
command -v gst-inspect-1.0 >/dev/null || skip "gst-inspect-1.0 not installed (gstreamer1.0-tools)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wcs-install.XXXXXX")
relay_pid=""
log="$WCS_BUILD_DIR/meson-logs/install-log.txt"
had_log=false
# `meson install` rewrites the build dir's install log (the list that
# `ninja uninstall` removes): keep the one of a real install.
if [ -f "$log" ]; then cp -p "$log" "$tmp/install-log.saved"; had_log=true; fi
cleanup() {
  if [ -n "$relay_pid" ]; then kill "$relay_pid" 2>/dev/null || true; wait "$relay_pid" 2>/dev/null || true; fi
  if $had_log; then cp -p "$tmp/install-log.saved" "$log"; else rm -f "$log"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

dest="$tmp/dest"
echo "# meson install -C $WCS_BUILD_DIR --no-rebuild --destdir $dest"
meson install -C "$WCS_BUILD_DIR" --no-rebuild --destdir "$dest" >"$tmp/install.out" 2>&1 \
  || { cat "$tmp/install.out"; fail "meson install failed"; }

plugin="$dest$WCS_PLUGINDIR/libgstwcs.so"
relay="$dest$WCS_BINDIR/wcs-relay"

# Exactly the two products, nothing else (no static library, no tests).
expected=$(printf '%s\n' "$WCS_BINDIR/wcs-relay" "$WCS_PLUGINDIR/libgstwcs.so" | sort)
installed=$(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)
echo "# installed:"; echo "$installed"
[ "$installed" = "$expected" ] || fail "installed files differ from the expected ones:
$expected"
[ -x "$relay" ] || fail "$relay is not executable"

# Installed binaries must not point back into the build dir (RPATH/RUNPATH).
if command -v readelf >/dev/null; then
  for f in "$plugin" "$relay"; do
    if readelf -d "$f" | grep -E 'RPATH|RUNPATH' | grep -qF "$WCS_BUILD_DIR"; then
      fail "$f keeps a build-dir RPATH: $(readelf -d "$f" | grep -E 'RPATH|RUNPATH')"
    fi
  done
fi

# The installed plugin directory is GStreamer's only plugin path: a private
# registry, no GST_PLUGIN_PATH, system path = DESTDIR/plugindir.
for el in wcsplaysrc wcspublishsink; do
  out="$tmp/inspect-$el.txt"
  env -u GST_PLUGIN_PATH -u GST_PLUGIN_PATH_1_0 \
    GST_PLUGIN_SYSTEM_PATH_1_0="$dest$WCS_PLUGINDIR" \
    GST_PLUGIN_SYSTEM_PATH="$dest$WCS_PLUGINDIR" \
    GST_REGISTRY_1_0="$tmp/registry.bin" GST_REGISTRY_FORK=no \
    timeout 60 gst-inspect-1.0 "$el" >"$out" 2>&1 \
    || { cat "$out"; fail "gst-inspect-1.0 $el does not find the installed plugin"; }
  grep -E '^\s+Filename\s' "$out" | grep -qF "$plugin" \
    || { cat "$out"; fail "$el was not loaded from $plugin"; }
  echo "ok: gst-inspect-1.0 $el ($(grep -E '^\s+Long-name\s' "$out" | sed 's/^ *Long-name *//'))"
done

# The installed relay: --help, then a real start on a free port.
"$relay" --help >"$tmp/relay-help.txt" 2>&1 || { cat "$tmp/relay-help.txt"; fail "wcs-relay --help failed"; }
grep -q -- '--port' "$tmp/relay-help.txt" || fail "wcs-relay --help does not list --port"

# the files exist before the background job opens them: sed must not race it
: >"$tmp/relay.out"
: >"$tmp/relay.err"
GST_REGISTRY_1_0="$tmp/registry-relay.bin" "$relay" --port 0 >"$tmp/relay.out" 2>"$tmp/relay.err" &
relay_pid=$!
url=""
for _ in $(seq 1 150); do   # at most 15 s
  url=$(sed -n 's/^listening on \(ws:\/\/.*\)$/\1/p' "$tmp/relay.out" | head -n1)
  [ -n "$url" ] && break
  kill -0 "$relay_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/relay.out" "$tmp/relay.err"; fail "installed wcs-relay did not print its URL"; }
port=${url##*:}
echo "ok: installed wcs-relay listening on $url"

rest="http://127.0.0.1:$port/rest-api/stream/find_all"
if command -v curl >/dev/null; then
  body=$(curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' -d '{}' "$rest") \
    || fail "REST $rest failed"
  [ "$body" = "[]" ] || [ "$(tr -d ' \n' <<<"$body")" = "[]" ] || fail "REST find_all on a fresh relay gave: $body"
  echo "ok: REST find_all -> $body"
else
  # No curl: at least the TCP port accepts a connection.
  timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" || fail "cannot connect to port $port"
  echo "ok: port $port accepts connections (curl not installed)"
fi

kill "$relay_pid"
wait "$relay_pid" 2>/dev/null || true
relay_pid=""
echo "PASS"
