#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# gst-wcs: end-to-end tests of the applications in examples/ (meson suite
# examples/*). Standard library only; the Python example itself needs
# PyGObject, looked for in this interpreter and in /usr/bin/python3.
#
#   run-example.py python-app|record|restream
#
# Environment (set by meson test): WCS_RELAY (path of wcs-relay),
# WCS_EXAMPLES_DIR (source examples/), GST_PLUGIN_PATH_1_0 (build/plugin),
# WCS_TEST_TIMEOUT_SCALE (stretches every wait, default 1).
# Every test starts its own wcs-relay(s) on free ports, runs the example
# against them and checks what really happened; every wait is bounded and
# every child (in its own process group) is killed by PID at the end.
# Exit status: 0 pass, 1 fail, 77 skip (a prerequisite is missing).

import ctypes
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
SCALE = max(1, min(100, int(os.environ.get("WCS_TEST_TIMEOUT_SCALE", "1") or 1)))
VIDEO_CAPS = "video/x-raw,width=320,height=240,framerate=30/1"


class Skip(Exception):
    pass


class Fail(Exception):
    pass


def log(msg):
    print("# " + msg, flush=True)


def check(cond, what):
    if not cond:
        raise Fail(what)
    log("ok: " + what)


def _child_setup():
    # own process group (killed as a whole), and never outlive the test
    os.setsid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def wait_until(pred, timeout, what, step=0.1):
    deadline = time.monotonic() + timeout * SCALE
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Fail("timed out after %g s waiting for %s" % (timeout * SCALE,
                                                                 what))
        time.sleep(step)


class Child:
    """A child process whose stdout+stderr go to a log file."""

    def __init__(self, ctx, name, argv, env=None):
        self.name = name
        self.path = os.path.join(ctx.tmp, name + ".log")
        self.argv = argv
        with open(self.path, "wb") as f:
            self.proc = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL,
                                         env=env or ctx.env,
                                         preexec_fn=_child_setup)
        self.pid = self.proc.pid
        ctx.children.append(self)
        log("started %s (pid %d): %s" % (name, self.pid, " ".join(argv)))

    def text(self):
        with open(self.path, "r", errors="replace") as f:
            return f.read()

    def lines(self):
        return self.text().splitlines()

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.running():
            os.kill(self.pid, sig)

    def wait(self, timeout, what=None):
        try:
            return self.proc.wait(timeout * SCALE)
        except subprocess.TimeoutExpired:
            raise Fail("%s did not exit within %g s" % (what or self.name,
                                                        timeout * SCALE))

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                pass
        # the whole group: grandchildren of scripts too
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            pass


class Relay:
    def __init__(self, ctx, name, port=0):
        self.ctx = ctx
        self.name = name
        self.stderr_path = os.path.join(ctx.tmp, name + ".log")
        argv = [ctx.relay, "--port", str(port), "--faults"]
        with open(self.stderr_path, "ab") as f:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=f,
                                         stdin=subprocess.DEVNULL, env=ctx.env,
                                         preexec_fn=_child_setup)
        self.pid = self.proc.pid
        ctx.relays.append(self)
        line = b""
        deadline = time.monotonic() + 15 * SCALE
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise Fail("%s did not start (see %s)" % (name, self.stderr_path))
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                c = os.read(self.proc.stdout.fileno(), 1)
                if not c:
                    raise Fail("%s exited before listening" % name)
                line += c
        m = re.search(r"listening on (ws://[^:]+:(\d+))", line.decode())
        if not m:
            raise Fail("%s: unexpected first line %r" % (name, line))
        self.url = m.group(1)
        self.port = int(m.group(2))
        self.http = self.url.replace("ws://", "http://", 1)
        log("%s (pid %d) listening on %s" % (name, self.pid, self.url))

    def rest(self, path, body):
        req = urllib.request.Request(self.http + "/rest-api/" + path,
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"},
                                     method="POST")
        with urllib.request.urlopen(req, timeout=5 * SCALE) as r:
            return json.loads(r.read().decode() or "null")

    def stream(self, name):
        for s in self.rest("stream/find", {"name": name}) or []:
            if s.get("name") == name:
                return s
        return None

    def wait_stream(self, name, timeout, min_frames=1):
        def ok():
            s = self.stream(name)
            return s if (s and s.get("status") == "PUBLISHING"
                         and s.get("frames", 0) >= min_frames) else None
        return wait_until(ok, timeout, "'%s' PUBLISHING with media on %s"
                          % (name, self.name), step=0.25)

    def kill(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            os.kill(self.pid, sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()


class Context:
    def __init__(self):
        self.relay = os.environ.get("WCS_RELAY", "")
        self.examples = os.environ.get("WCS_EXAMPLES_DIR", "")
        if not self.relay or not os.access(self.relay, os.X_OK):
            raise Skip("WCS_RELAY not set or not executable (run through meson test)")
        if not self.examples or not os.path.isdir(self.examples):
            raise Skip("WCS_EXAMPLES_DIR not set (run through meson test)")
        for tool in ("gst-launch-1.0", "gst-inspect-1.0"):
            if not shutil.which(tool):
                raise Skip("%s is missing (gstreamer1.0-tools)" % tool)
        self.tmp = tempfile.mkdtemp(prefix="wcs-examples-")
        self.env = dict(os.environ)
        self.children = []
        self.relays = []

    def need_elements(self, *names):
        # (not --exists: it also wants the plugin's version >= GStreamer's)
        missing = [n for n in names
                   if subprocess.run(["gst-inspect-1.0", n], env=self.env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL).returncode != 0]
        if missing:
            raise Skip("missing GStreamer elements: " + " ".join(missing))

    def publisher(self, relay, stream, vp8=False, audio=False):
        enc = ("strip-codecs=H264" if vp8 else "")
        argv = ["gst-launch-1.0", "-e", "-q",
                "wcspublishsink", "name=pub", "location=" + relay.url,
                "stream-name=" + stream]
        if enc:
            argv.append(enc)
        argv += ["videotestsrc", "is-live=true", "pattern=ball", "!", VIDEO_CAPS,
                 "!", "pub.video"]
        if audio:
            argv += ["audiotestsrc", "is-live=true", "wave=ticks", "!",
                     "pub.audio"]
        return Child(self, "publisher-" + stream, argv)

    def cleanup(self, failed):
        for c in reversed(self.children):
            c.kill()
        for r in reversed(self.relays):
            r.kill()
        # the examples' own output, in the test log (the end of it)
        for c in self.children:
            print("---- %s (%s) ----" % (c.name, c.path))
            print(c.text()[-(6000 if failed else 3000):])
        if failed:
            for r in self.relays:
                with open(r.stderr_path, errors="replace") as f:
                    print("---- %s stderr ----" % r.name)
                    print(f.read()[-4000:])
        shutil.rmtree(self.tmp, ignore_errors=True)


def find_python_gi():
    """An interpreter that has PyGObject and the Gst typelib."""
    probe = ("import gi; gi.require_version('Gst', '1.0'); "
             "from gi.repository import Gst")
    seen = set()
    for p in (os.environ.get("PYTHON_GI"), sys.executable,
              shutil.which("python3"), "/usr/bin/python3"):
        if not p or p in seen or not os.access(p, os.X_OK):
            continue
        seen.add(p)
        if subprocess.run([p, "-c", probe], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0:
            return p
    return None


# --------------------------------------------------------------------------
# examples/python-app: examples/wcs-app.py

def test_python_app(ctx):
    py = find_python_gi()
    if not py:
        raise Skip("no python3 with PyGObject and Gst 1.0 (python3-gi, "
                   "gir1.2-gstreamer-1.0)")
    ctx.need_elements("x264enc", "avdec_h264", "opusenc", "wcspublishsink",
                      "wcsplaysrc")
    app = os.path.join(ctx.examples, "wcs-app.py")
    relay = Relay(ctx, "relay")

    # help and bad arguments
    r = subprocess.run([py, app, "--help"], env=ctx.env, capture_output=True,
                       text=True, timeout=30 * SCALE)
    check(r.returncode == 0 and "publish" in r.stdout and "--duration" in r.stdout,
          "wcs-app.py --help prints the usage")
    r = subprocess.run([py, app, "play", relay.url, "x", "no-such-prop=1"],
                       env=ctx.env, capture_output=True, text=True,
                       timeout=30 * SCALE)
    check(r.returncode == 2 and "no-such-prop" in r.stderr,
          "an unknown property is refused with exit status 2")

    pub = Child(ctx, "app-publish", [py, app, "publish", relay.url, "ex1",
                                     "--video-caps", VIDEO_CAPS,
                                     "--stats-interval", "0"])
    play = Child(ctx, "app-play", [py, app, "play", relay.url, "ex1",
                                   "--stats-interval", "0"])

    def has(child, pattern, count=1):
        return len(re.findall(pattern, child.text(), re.M)) >= count

    wait_until(lambda: has(pub, r"^\[stream\] ex1 PUBLISHING"), 20,
               "the publisher app to print PUBLISHING")
    wait_until(lambda: has(play, r"^\[media\] first video frame"), 20,
               "the player app to print its first video frame")
    for c in (pub, play):
        lines = [l for l in c.lines() if l.startswith("[session]")]
        states = [l.split()[1] for l in lines]
        check(states[:3] == ["PENDING", "CONNECTED", "ESTABLISHED"],
              "%s: session PENDING, CONNECTED, ESTABLISHED (%s)"
              % (c.name, states))
    check(has(pub, r"^\[stream\] ex1 PUBLISHING, codec H264$"),
          "publisher app: stream PUBLISHING with codec H264")
    check(has(play, r"^\[stream\] ex1 PLAYING"), "player app: stream PLAYING")
    check(has(play, r"^\[media\] video pad added"), "player app: video pad added")

    # the server dies and comes back on the same port: both restore
    port = relay.port
    relay.kill(signal.SIGKILL)
    log("relay killed (SIGKILL)")
    wait_until(lambda: has(pub, r"^\[warning\]") and has(play, r"^\[warning\]"),
               15, "both apps to print the outage WARNING")
    relay = Relay(ctx, "relay-restarted", port)
    for c, status in ((pub, "PUBLISHING"), (play, "PLAYING")):
        wait_until(lambda c=c: has(c, r"^\[restore\] restored after \d+ attempt"),
                   30, "%s to print restored" % c.name)
        text = c.text()
        check(re.search(r"^\[session\] FAILED ", text, re.M) is not None,
              "%s: session FAILED printed" % c.name)
        check(re.search(r"^\[restore\] attempt 1/100 in \d+ ms \(session-failed\)$",
                        text, re.M) is not None,
              "%s: restore attempt 1 scheduled (session-failed)" % c.name)
        check(re.search(r"^\[restore\] attempt \d+/100 starts", text, re.M)
              is not None, "%s: restore attempt started" % c.name)
        check(len(re.findall(r"^\[stream\] ex1 %s" % status, text, re.M)) >= 2,
              "%s: %s again after the restore" % (c.name, status))
        check(not re.search(r"^\[error\]", text, re.M),
              "%s: no ERROR for a restored outage" % c.name)
    relay.wait_stream("ex1", 10)

    # --duration: a second player ends itself with EOS and exit status 0
    short = Child(ctx, "app-play-duration", [py, app, "play", relay.url, "ex1",
                                             "--duration", "3",
                                             "--stats-interval", "0"])
    rc = short.wait(30, "the --duration 3 player")
    text = short.text()
    m = re.search(r"^\[media\] (\d+) video frames$", text, re.M)
    check(rc == 0 and "[app] duration over: sending EOS" in text
          and "[eos] end of stream" in text,
          "--duration 3: EOS and exit status 0 (got %d)" % rc)
    check(m is not None and int(m.group(1)) > 0,
          "--duration 3 player received video frames (%s)"
          % (m.group(1) if m else "none"))
    check("video-buffers=(guint64)" in text, "final stats printed")

    # Ctrl-C (SIGINT): EOS, clean exit; the publisher unpublishes first
    play.signal(signal.SIGINT)
    check(play.wait(15, "the player app after SIGINT") == 0,
          "player app: SIGINT gives exit status 0")
    check("[eos] end of stream" in play.text(), "player app: EOS printed")
    pub.signal(signal.SIGINT)
    check(pub.wait(15, "the publisher app after SIGINT") == 0,
          "publisher app: SIGINT gives exit status 0")
    text = pub.text()
    check(re.search(r"^\[stream\] ex1 UNPUBLISHED", text, re.M) is not None
          and "[eos] unpublished and closed" in text,
          "publisher app: UNPUBLISHED, then EOS")
    wait_until(lambda: relay.stream("ex1") is None, 10,
               "ex1 to be gone from the relay")
    log("ok: the relay no longer has ex1")

    # a permanent refusal: gave-up, ERROR, exit status 1
    relay.rest("faults/reject", {"name": "ex2", "info": "Restricted access",
                                 "what": "publish", "count": 0})
    refused = Child(ctx, "app-publish-refused",
                    [py, app, "publish", relay.url, "ex2", "--no-audio",
                     "--video-caps", VIDEO_CAPS, "--stats-interval", "0"])
    rc = refused.wait(30, "the refused publisher")
    text = refused.text()
    check(rc == 1, "refused publisher: exit status 1 (got %d)" % rc)
    check(re.search(r"^\[stream\] ex2 FAILED \(Restricted access\)", text,
                    re.M) is not None,
          "refused publisher: stream FAILED (Restricted access)")
    check(re.search(r"^\[restore\] gave up after 0 attempt", text, re.M)
          is not None, "refused publisher: restore gave up")
    check(re.search(r"^\[error\] Stream FAILED: Restricted access", text, re.M)
          is not None, "refused publisher: ERROR printed")

    # nobody listening, 2 tries: scheduled/attempt twice, gave up, exit 1
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = "ws://127.0.0.1:%d" % sock.getsockname()[1]
    gone = Child(ctx, "app-play-gave-up", [py, app, "play", dead, "ex3",
                                           "restore-max-tries=2",
                                           "--stats-interval", "0"])
    rc = gone.wait(30, "the player without a server")
    text = gone.text()
    check(rc == 1, "player without a server: exit status 1 (got %d)" % rc)
    check(len(re.findall(r"^\[restore\] attempt [12]/2 starts \(session-failed\)$",
                         text, re.M)) == 2
          and re.search(r"^\[restore\] gave up after 2 attempt\(s\) "
                        r"\(session-failed\)$", text, re.M) is not None,
          "player without a server: 2 attempts, then gave up")
    check(re.search(r"^\[error\] .*gave up", text, re.M) is not None,
          "player without a server: ERROR printed")


# --------------------------------------------------------------------------
# examples/record: examples/record.sh

def decoded_frames(ctx, path):
    """PTS of every decoded video frame of @path (gst-launch, fakesink -v)."""
    r = subprocess.run(["gst-launch-1.0", "-v", "filesrc", "location=" + path,
                        "!", "matroskademux", "!", "decodebin", "!",
                        "video/x-raw", "!", "fakesink", "silent=false",
                        "sync=false"], env=ctx.env, capture_output=True,
                       text=True, timeout=60 * SCALE)
    if r.returncode != 0:
        raise Fail("decoding %s failed: %s" % (path, r.stderr[-2000:]))
    pts = []
    for m in re.finditer(r"last-message = chain .*?pts: (\d+):(\d+):(\d+)\.(\d+)",
                         r.stdout):
        h, mi, s, ns = (int(x) for x in m.groups())
        pts.append(((h * 60 + mi) * 60 + s) * 10 ** 9 + ns)
    return pts


def discover(ctx, path):
    r = subprocess.run(["gst-discoverer-1.0", path], env=ctx.env,
                       capture_output=True, text=True, timeout=60 * SCALE)
    return r.returncode, r.stdout + r.stderr


def check_recording(ctx, path, codec_re, min_frames, audio=False):
    check(os.path.exists(path) and os.path.getsize(path) > 0,
          "%s exists (%d bytes)" % (os.path.basename(path),
                                    os.path.getsize(path) if os.path.exists(path)
                                    else 0))
    if shutil.which("gst-discoverer-1.0"):
        rc, out = discover(ctx, path)
        m = re.search(r"Duration: (\d+):(\d+):(\d+)\.(\d+)", out)
        check(rc == 0 and "Matroska" in out and re.search(codec_re, out),
              "gst-discoverer-1.0: Matroska with a %s video track" % codec_re)
        check(m is not None and any(int(x) for x in m.groups()),
              "gst-discoverer-1.0: duration %s" % (m.group(0) if m else "none"))
        if audio:
            check(re.search(r"audio #\d+: Opus", out) is not None,
                  "gst-discoverer-1.0: an Opus audio track")
    pts = decoded_frames(ctx, path)
    check(len(pts) >= min_frames,
          "the file decodes to %d video frames (>= %d)" % (len(pts), min_frames))
    log("pts (s): " + " ".join("%.3f" % (p / 1e9) for p in pts))
    # wcsplaysrc stamps each frame with its arrival time; frames that arrive
    # in one burst (the first key frame and the deltas queued behind it) get
    # stamps microseconds apart, which Matroska's 1 ms resolution makes
    # equal. So: never backwards, and mostly strictly rising.
    rising = sum(1 for a, b in zip(pts, pts[1:]) if b > a)
    check(all(b >= a for a, b in zip(pts, pts[1:])),
          "decoded frame timestamps never go backwards")
    check(rising >= 0.8 * (len(pts) - 1),
          "decoded frame timestamps rise (%d of %d steps strictly)"
          % (rising, len(pts) - 1))
    span = (pts[-1] - pts[0]) / 1e9
    check(span > 0.5, "the frames span %.2f s" % span)


def test_record(ctx):
    ctx.need_elements("x264enc", "vp8enc", "opusenc", "avdec_h264", "vp8dec",
                      "h264parse", "matroskamux", "matroskademux",
                      "wcspublishsink", "wcsplaysrc")
    script = os.path.join(ctx.examples, "record.sh")
    r = subprocess.run([script, "--help"], env=ctx.env, capture_output=True,
                       text=True, timeout=10 * SCALE)
    check(r.returncode == 0 and "SECONDS" in r.stdout,
          "record.sh --help prints the usage")
    relay = Relay(ctx, "relay")

    # H264 video, 4 s, ended by the script itself (EOS)
    pub = ctx.publisher(relay, "rec1")
    relay.wait_stream("rec1", 20)
    out = os.path.join(ctx.tmp, "rec1.mkv")
    rec = Child(ctx, "record-h264", [script, relay.url, "rec1", out, "4"])
    rc = rec.wait(40, "record.sh (4 s)")
    check(rc == 0, "record.sh ... 4: exit status 0 (got %d)" % rc)
    check("Got EOS from element" in rec.text(), "record.sh: ended by EOS")
    check_recording(ctx, out, r"video #\d+: H\.264", 30)
    pub.signal(signal.SIGINT)
    pub.wait(15)

    # VP8 + Opus, stopped by SIGTERM to the script
    pub = ctx.publisher(relay, "rec2", vp8=True, audio=True)
    s = relay.wait_stream("rec2", 20)
    check(s.get("codec") == "VP8" and s.get("hasAudio"),
          "VP8 + Opus publisher on the relay")
    out = os.path.join(ctx.tmp, "rec2.mkv")
    env = dict(ctx.env, CODEC="VP8", AUDIO="1")
    rec = Child(ctx, "record-vp8", [script, relay.url, "rec2", out, "60"],
                env=env)
    wait_until(lambda: os.path.exists(out) and os.path.getsize(out) > 50000,
               20, "the VP8 recording to grow")
    time.sleep(1)
    rec.signal(signal.SIGTERM)
    rc = rec.wait(20, "record.sh after SIGTERM")
    check(rc == 0, "record.sh: SIGTERM ends the recording with EOS, status 0 "
          "(got %d)" % rc)
    check_recording(ctx, out, r"video #\d+: VP8", 15, audio=True)
    pub.signal(signal.SIGINT)
    pub.wait(15)


# --------------------------------------------------------------------------
# examples/restream: examples/restream.sh

def test_restream(ctx):
    ctx.need_elements("x264enc", "avdec_h264", "wcspublishsink", "wcsplaysrc")
    script = os.path.join(ctx.examples, "restream.sh")
    r = subprocess.run([script, "--help"], env=ctx.env, capture_output=True,
                       text=True, timeout=10 * SCALE)
    check(r.returncode == 0 and "TRANSCODE" in r.stdout,
          "restream.sh --help prints the usage")
    a = Relay(ctx, "relay-a")
    b = Relay(ctx, "relay-b")
    ctx.publisher(a, "src1")
    a.wait_stream("src1", 20)

    rs = Child(ctx, "restream", [script, a.url, "src1", b.url, "copy1"])
    s = b.wait_stream("copy1", 30, min_frames=30)
    check(s.get("codec") == "H264", "copy1 is PUBLISHING on relay B with "
          "codec H264 (%d frames so far)" % s.get("frames", 0))
    check(a.stream("src1").get("players") == 1,
          "the restreamer plays src1 on relay A")

    # a player on relay B decodes the restreamed video
    player = Child(ctx, "player-b", ["gst-launch-1.0", "-e", "-v", "wcsplaysrc",
                                     "location=" + b.url, "stream-name=copy1",
                                     "!", "video/x-raw", "!", "fakesink",
                                     "silent=false", "sync=false"])

    def frames():
        return re.findall(r"last-message = chain .*?pts: (\d+):(\d+):(\d+)\.(\d+)",
                          player.text())
    wait_until(lambda: len(frames()) >= 30, 30,
               "30 decoded frames from copy1 on relay B")
    player.signal(signal.SIGINT)
    player.wait(15, "the player on relay B")
    pts = [((int(h) * 60 + int(m)) * 60 + int(s)) * 10 ** 9 + int(ns)
           for h, m, s, ns in frames()]
    check(len(pts) >= 30 and all(y > x for x, y in zip(pts, pts[1:])),
          "a wcsplaysrc on relay B decoded %d frames with increasing "
          "timestamps" % len(pts))

    # Ctrl-C: EOS, copy1 unpublished on B, exit status 0
    rs.signal(signal.SIGINT)
    rc = rs.wait(20, "restream.sh after SIGINT")
    check(rc == 0, "restream.sh: SIGINT gives exit status 0 (got %d)" % rc)
    wait_until(lambda: b.stream("copy1") is None, 10,
               "copy1 to be gone from relay B")
    log("ok: copy1 unpublished from relay B")

    # TRANSCODE=1: decoded and encoded again by wcspublishsink
    ctx.need_elements("videoconvert")
    rs = Child(ctx, "restream-transcode", [script, a.url, "src1", b.url, "copy2"],
               env=dict(ctx.env, TRANSCODE="1"))
    s = b.wait_stream("copy2", 30, min_frames=30)
    check(s.get("codec") == "H264",
          "TRANSCODE=1: copy2 is PUBLISHING on relay B with codec H264 (%d "
          "frames so far)" % s.get("frames", 0))
    f0 = s.get("frames", 0)
    def more():
        st = b.stream("copy2")
        return st if st and st.get("frames", 0) >= f0 + 30 else None
    s = wait_until(more, 15, "30 more frames of copy2 on relay B")
    log("ok: copy2 keeps receiving video (%d frames)" % s.get("frames", 0))
    rs.signal(signal.SIGINT)
    rc = rs.wait(20, "TRANSCODE=1 restream.sh after SIGINT")
    check(rc == 0, "TRANSCODE=1 restream.sh: SIGINT gives exit status 0 "
          "(got %d)" % rc)


TESTS = {
    "python-app": test_python_app,
    "record": test_record,
    "restream": test_restream,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in TESTS:
        sys.stderr.write("usage: %s %s\n" % (sys.argv[0], "|".join(TESTS)))
        return 2
    ctx = None
    failed = True
    try:
        ctx = Context()
        TESTS[sys.argv[1]](ctx)
        failed = False
        print("PASS examples/%s" % sys.argv[1])
        return 0
    except Skip as e:
        failed = False
        print("SKIP: %s" % e)
        return SKIP
    except Fail as e:
        print("FAIL: %s" % e)
        return 1
    except Exception:  # a bug here or an unexpected reply: a failure too
        import traceback
        traceback.print_exc(file=sys.stdout)
        print("FAIL: unexpected exception")
        return 1
    finally:
        if ctx:
            ctx.cleanup(failed)


if __name__ == "__main__":
    sys.exit(main())
