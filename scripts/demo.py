#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
"""The gst-wcs demo (run it through scripts/demo, which builds first when needed).

Starts wcs-relay (tests/relay) as a child process, publishes a moving test
pattern with wcspublishsink and plays it back with wcsplaysrc, both pipelines
in this process. It prints a live status line, runs two outages (the relay
killed with SIGKILL and restarted on the same port; every session dropped
through the relay's fault API), measures how long the viewer saw no new frame
in each, saves a PNG of the player's picture before and after each outage and
ends with a verdict: exit 0 when everything came back.
"""

import argparse
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/demo", add_help=True)
    p.add_argument("--root", required=True, help=argparse.SUPPRESS)
    p.add_argument("--duration", type=float, default=40.0)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--out", default=None)
    p.add_argument("--stream", default="demo")
    p.add_argument("--no-outage", action="store_true")
    p.add_argument("--headless", action="store_true")
    p.add_argument("--relay-down", type=float, default=1.0)
    p.add_argument("--restore-timeout", type=float, default=30.0)
    a = p.parse_args(argv)
    if a.duration < 0 or not 0 <= a.port <= 65535 or a.relay_down < 0 \
            or a.restore_timeout <= 0 or not a.stream:
        p.error("bad option value")
    return a


ARGS = parse_args(sys.argv[1:])

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstVideo  # noqa: E402

STARTUP_TIMEOUT = 30.0   # s: relay up, publisher PUBLISHING, player showing frames
STALL = 1.0              # s without a decoded frame outside an outage: a stall
SETTLE = 3.0             # s of normal playback before each outage and after the last
FRAMES_AFTER_RESTORE = 15  # decoded frames after both restores before an outage counts as over

T0 = time.monotonic()
IS_TTY = sys.stdout.isatty()


def now():
    return time.monotonic()


def elapsed():
    return now() - T0


# --------------------------------------------------------------------------
# output: event lines above a status line that is redrawn in place on a TTY


class Console:
    def __init__(self):
        self.status = ""
        self.last_plain = 0.0

    def _width(self):
        return max(40, shutil.get_terminal_size((120, 24)).columns - 1)

    def event(self, text):
        line = "[%6.1fs] %s" % (elapsed(), text)
        if IS_TTY:
            sys.stdout.write("\r\033[K" + line + "\n")
            if self.status:
                sys.stdout.write(self.status[: self._width()])
        else:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def set_status(self, text):
        self.status = "[%6.1fs] %s" % (elapsed(), text)
        if IS_TTY:
            sys.stdout.write("\r\033[K" + self.status[: self._width()])
            sys.stdout.flush()
        elif now() - self.last_plain >= 2.0:
            self.last_plain = now()
            sys.stdout.write(self.status + "\n")
            sys.stdout.flush()

    def end_status(self):
        if IS_TTY and self.status:
            sys.stdout.write("\n")
            sys.stdout.flush()
        self.status = ""


CON = Console()


# --------------------------------------------------------------------------
# the relay: a child process, killed by PID


class Relay:
    def __init__(self, binary, log_path):
        self.binary = binary
        self.log_path = log_path
        self.proc = None
        self.port = None
        self.url = None
        self.expected_exit = False
        # the REST poller (thread) reads this
        self.up = False

    def start(self, port, tries=20):
        """Start on `port` (0: a free one); retry while the port is still
        taken (right after a SIGKILL). Returns an error string or None."""
        err = None
        for _ in range(tries):
            err = self._start_once(port)
            if err is None:
                return None
            if port == 0:
                break
            time.sleep(0.25)
        return err

    def _start_once(self, port):
        cmd = [self.binary, "--port", str(port), "--faults", "--verbose"]
        setpriv = shutil.which("setpriv")
        if setpriv:
            # the relay dies with us even if we are killed with SIGKILL
            cmd = [setpriv, "--pdeathsig", "KILL", "--"] + cmd
        log = open(self.log_path, "ab")
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=log,
                                    close_fds=True)
        finally:
            log.close()
        line = b""
        deadline = now() + 10.0
        os.set_blocking(proc.stdout.fileno(), False)
        while now() < deadline and not line.endswith(b"\n"):
            try:
                chunk = proc.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                line += chunk
                continue
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.stdout.close()
        text = line.decode("utf-8", "replace").strip()
        if not text.startswith("listening on "):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                return "the relay did not say where it listens within 10 s"
            return "the relay exited with status %d (see %s)" % (proc.returncode, self.log_path)
        self.proc = proc
        self.url = text[len("listening on "):]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.expected_exit = False
        self.up = True
        return None

    def kill9(self):
        self.expected_exit = True
        self.up = False
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        self.expected_exit = True
        self.up = False
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def died(self):
        """Exit status if the relay ended without us asking, else None."""
        if self.proc and not self.expected_exit and self.proc.poll() is not None:
            return self.proc.returncode
        return None

    def rest(self, path, body, timeout=2.0):
        req = urllib.request.Request(
            "http://127.0.0.1:%d/%s" % (self.port, path),
            data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read().decode() or "null")


class RelayPoller(threading.Thread):
    """Once a second: the relay's view of the stream (frames received from the
    publisher -> publisher fps). A thread, so a slow relay never stalls the
    main loop."""

    def __init__(self, relay, name):
        super().__init__(daemon=True)
        self.relay, self.name = relay, name
        self.fps = None
        self.players = None
        self.stop_ev = threading.Event()
        self._last = None

    def run(self):
        while not self.stop_ev.wait(1.0):
            if not self.relay.up:
                self.fps, self.players, self._last = None, None, None
                continue
            try:
                streams = self.relay.rest("rest-api/stream/find", {"name": self.name}, 0.8)
            except (OSError, ValueError):
                self.fps, self.players, self._last = None, None, None
                continue
            s = streams[0] if streams else None
            if not s:
                self.fps, self.players, self._last = None, None, None
                continue
            t, frames = now(), s.get("frames", 0)
            if self._last and frames >= self._last[1] and t > self._last[0]:
                self.fps = (frames - self._last[1]) / (t - self._last[0])
            self._last = (t, frames)
            self.players = s.get("players")


# --------------------------------------------------------------------------
# frames at the player: a pad probe on the decoded video


class FrameWatch:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0
        self.last_t = None
        self.recent = collections.deque()    # arrival times of the last second
        self.record = None                   # arrival times during an outage
        self.snap_wanted = False
        self.snap = None                     # Gst.Sample

    def probe(self, pad, info):
        t = now()
        with self.lock:
            self.count += 1
            self.last_t = t
            self.recent.append(t)
            while self.recent and self.recent[0] < t - 1.0:
                self.recent.popleft()
            if self.record is not None:
                self.record.append(t)
            if self.snap_wanted:
                buf = info.get_buffer()
                caps = pad.get_current_caps()
                if buf is not None and caps is not None:
                    self.snap = Gst.Sample.new(buf, caps, None, None)
                    self.snap_wanted = False
        return Gst.PadProbeReturn.OK

    def fps(self):
        with self.lock:
            t = now()
            while self.recent and self.recent[0] < t - 1.0:
                self.recent.popleft()
            return len(self.recent)

    def start_record(self):
        with self.lock:
            self.record = [self.last_t] if self.last_t is not None else []
            return self.count

    def stop_record(self):
        """Longest time between two decoded frames since start_record(): the
        freeze the viewer saw, from the last frame before the fault to the
        first one after it."""
        with self.lock:
            rec, self.record = self.record or [], None
        if len(rec) < 2:
            return None
        return max(b - a for a, b in zip(rec, rec[1:]))

    def want_snapshot(self):
        with self.lock:
            self.snap, self.snap_wanted = None, True

    def take_snapshot(self):
        with self.lock:
            s, self.snap = self.snap, None
            return s


def save_png(sample, path):
    png = GstVideo.video_convert_sample(sample, Gst.Caps.from_string("image/png"),
                                        5 * Gst.SECOND)
    buf = png.get_buffer()
    ok, info = buf.map(Gst.MapFlags.READ)
    if not ok:
        raise RuntimeError("cannot map the PNG buffer")
    try:
        data = bytes(info.data)
    finally:
        buf.unmap(info)
    with open(path, "wb") as f:
        f.write(data)


# --------------------------------------------------------------------------
# sinks: a window when there is a display, never autovideosink


def try_sink(factory):
    """None when `factory` exists and opens its display (NULL->READY), else
    why not."""
    f = Gst.ElementFactory.find(factory)
    if f is None:
        return "not installed"
    e = f.create(None)
    if e is None:
        return "cannot be created"
    bus = Gst.Bus.new()
    e.set_bus(bus)
    ok = e.set_state(Gst.State.READY) == Gst.StateChangeReturn.SUCCESS
    e.set_state(Gst.State.NULL)
    if ok:
        return None
    msg = bus.pop_filtered(Gst.MessageType.ERROR)
    return msg.parse_error()[0].message if msg else "cannot open the display"


def pick_video_sink(headless):
    """(launch description, what to tell the user)"""
    if headless:
        return "fakesink sync=true", "fakesink (--headless; the PNGs are the picture)"
    tried = []
    if os.environ.get("WAYLAND_DISPLAY"):
        why = try_sink("waylandsink")
        if why is None:
            return "waylandsink", "a window (waylandsink)"
        tried.append("waylandsink: " + why)
    if os.environ.get("DISPLAY"):
        for s in ("xvimagesink", "ximagesink"):
            why = try_sink(s)
            if why is None:
                return s, "a window (%s on %s)" % (s, os.environ["DISPLAY"])
            tried.append("%s: %s" % (s, why))
    if not tried:
        return "fakesink sync=true", "fakesink (no DISPLAY / WAYLAND_DISPLAY; the PNGs are the picture)"
    return "fakesink sync=true", "fakesink (no usable display: %s; the PNGs are the picture)" % "; ".join(tried)


# --------------------------------------------------------------------------
# the demo


class Demo:
    def __init__(self, args):
        self.args = args
        self.root = args.root
        self.out = os.path.abspath(args.out or os.path.join(self.root, "demo-out"))
        os.makedirs(self.out, exist_ok=True)
        self.loop = GLib.MainLoop()
        self.relay = Relay(os.path.join(self.root, "build/tests/relay/wcs-relay"),
                           os.path.join(self.out, "relay.log"))
        self.poller = None
        self.frames = FrameWatch()
        self.pub = self.play = None
        self.pub_pipe = self.play_pipe = None
        self.failure = None
        self.interrupted = False
        self.results = []          # (title, gap s, pub downtime ms, play downtime ms)
        self.pictures = []
        self.downtime = {}         # element name -> downtime-ms of its last restore
        self.last_status = {}      # element name -> stream status (for event lines)
        self.step = None
        self.step_t = 0.0
        self.outages = [] if args.no_outage else [
            ("1-relay-kill", "relay killed (SIGKILL) and restarted on the same port",
             self.fault_relay_kill),
            ("2-session-drop", "sessions dropped by the relay (faults/drop, TCP cut, no close frame)",
             self.fault_drop),
        ]
        self.cur = None            # current outage state (dict)
        self.stall_t = None        # playback stopped outside our outages since
        self.stalls = []           # (when, seconds) of such stalls

    # --- setup ---

    def start(self):
        os.environ["GST_PLUGIN_PATH"] = os.path.join(self.root, "build/plugin") + (
            ":" + os.environ["GST_PLUGIN_PATH"] if os.environ.get("GST_PLUGIN_PATH") else "")
        Gst.init(None)
        for f in ("wcspublishsink", "wcsplaysrc"):
            if Gst.ElementFactory.find(f) is None:
                return self.fail("element %s not found in build/plugin (run scripts/setup)" % f)

        err = self.relay.start(self.args.port)
        if err:
            return self.fail("cannot start wcs-relay: " + err)
        print("demo: wcs-relay pid %d listening on %s (log %s)"
              % (self.relay.proc.pid, self.relay.url, self.relay.log_path))
        self.poller = RelayPoller(self.relay, self.args.stream)
        self.poller.start()

        url, name = self.relay.url, self.args.stream
        overlay = ""
        if Gst.ElementFactory.find("timeoverlay"):
            overlay = ("timeoverlay time-mode=running-time halignment=left valignment=top "
                       "font-desc=\"Sans 28\" ! ")
        pub_desc = (
            "videotestsrc is-live=true pattern=ball background-color=0xff1d3557 "
            "! video/x-raw,width=640,height=360,framerate=30/1 ! %s"
            "queue ! wcspublishsink name=pub location=%s stream-name=%s "
            "audiotestsrc is-live=true wave=sine volume=0.2 ! queue ! pub.audio"
            % (overlay, url, name))
        vsink, vsink_text = pick_video_sink(self.args.headless)
        play_desc = (
            "wcsplaysrc name=play location=%s stream-name=%s "
            "play.video ! queue name=vq ! videoconvert ! videoscale ! %s "
            "play.audio ! queue ! fakesink sync=false async=false"
            % (url, name, vsink))
        try:
            self.pub_pipe = Gst.parse_launch(pub_desc)
            self.play_pipe = Gst.parse_launch(play_desc)
        except GLib.Error as e:
            return self.fail("cannot build the pipelines: %s" % e.message)
        self.pub = self.pub_pipe.get_by_name("pub")
        self.play = self.play_pipe.get_by_name("play")
        self.play_pipe.get_by_name("vq").get_static_pad("sink").add_probe(
            Gst.PadProbeType.BUFFER, self.frames.probe)
        for who, pipe in (("publisher", self.pub_pipe), ("player", self.play_pipe)):
            bus = pipe.get_bus()
            bus.add_signal_watch()
            bus.connect("message", self.on_message, who)

        print("demo: publisher: videotestsrc (ball) + audiotestsrc -> wcspublishsink stream-name=%s" % name)
        print("demo: player:    wcsplaysrc -> %s (audio received, not played)" % vsink_text)
        print("demo: pictures and relay log go to %s" % self.out)
        for pipe in (self.pub_pipe, self.play_pipe):
            if pipe.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
                return self.fail("a pipeline refused to start (see the error above)")
        self.goto("startup")
        GLib.timeout_add(100, self.tick)
        GLib.timeout_add(500 if IS_TTY else 1000, self.show_status)
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, self.on_signal, "SIGINT")
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, self.on_signal, "SIGTERM")
        return True

    # --- helpers ---

    def fail(self, reason):
        if self.failure is None:
            self.failure = reason
            CON.event("FAILED: " + reason)
        self.loop.quit()
        return False

    def goto(self, step):
        self.step, self.step_t = step, now()

    def in_step(self):
        return now() - self.step_t

    def stats(self, el):
        s = el.get_property("stats") if el else None
        if s is None:
            return {}
        d = {}
        for k in ("stream-status", "session-status", "restores", "bitrate"):
            ok = s.has_field(k)
            if ok:
                d[k] = s.get_value(k)
        return d

    def on_signal(self, signame):
        self.interrupted = signame
        CON.event("%s: stopping" % signame)
        self.loop.quit()
        return GLib.SOURCE_REMOVE

    def on_message(self, bus, msg, who):
        t = msg.type
        if t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            self.fail("%s error from %s: %s" % (who, msg.src.get_name(), err.message))
        elif t == Gst.MessageType.WARNING:
            err, dbg = msg.parse_warning()
            CON.event("%s warning: %s" % (who, err.message))
        elif t == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s is None:
                return
            n = s.get_name()
            if n == "wcs-stream-status":
                st = s.get_string("status")
                if self.last_status.get(who) != st:
                    self.last_status[who] = st
                    info = s.get_string("info") if s.has_field("info") else None
                    codec = s.get_string("codec") if s.has_field("codec") else None
                    CON.event("%s stream %s%s%s" % (who, st, " " + codec if codec else "",
                                                    " (%s)" % info if info else ""))
            elif n == "wcs-restore":
                phase = s.get_string("phase")
                reason = s.get_string("reason")
                attempt = s.get_value("attempt")
                if phase == "attempt":
                    CON.event("%s restore attempt %d (%s)" % (who, attempt, reason))
                elif phase == "restored":
                    dt = s.get_value("downtime-ms")
                    self.downtime[who] = dt
                    CON.event("%s restored after %d ms (%s)" % (who, dt, reason))
                elif phase == "gave-up":
                    CON.event("%s gave up restoring (%s)" % (who, reason))

    # --- status line ---

    def show_status(self):
        if self.failure or self.interrupted:
            return GLib.SOURCE_REMOVE
        ps, ys = self.stats(self.pub), self.stats(self.play)
        pfps = self.poller.fps if self.poller and self.relay.up else None
        pcodec = self.pub.get_property("codec") or "-"
        ycodec = self.play.get_property("codec") or "-"
        relay = ("relay up" if self.relay.up else "relay DOWN")
        line = ("%s | publisher %s %s %s fps %d kb/s restores %d | player %s %s %d fps restores %d"
                % (relay, ps.get("stream-status", "?"), pcodec,
                   "%2.0f" % pfps if pfps is not None else " -",
                   ps.get("bitrate", 0) // 1000, ps.get("restores", 0),
                   ys.get("stream-status", "?"), ycodec, self.frames.fps(), ys.get("restores", 0)))
        if self.cur is not None:
            line += " | outage %s" % self.cur["key"].split("-", 1)[0]
        CON.set_status(line)
        return GLib.SOURCE_CONTINUE

    # --- the script ---

    def tick(self):
        if self.failure or self.interrupted:
            return GLib.SOURCE_REMOVE
        try:
            self.advance()
        except Exception as e:  # a bug here must still clean up and say why
            self.fail("internal error: %r" % (e,))
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    def advance(self):
        code = self.relay.died()
        if code is not None:
            return self.fail("wcs-relay exited by itself with status %s (see %s)"
                             % (code, self.relay.log_path))
        if self.watch_stall():
            return
        step = self.step
        if step == "startup":
            ps = self.stats(self.pub).get("stream-status")
            if ps == "PUBLISHING" and self.frames.count >= 30:
                CON.event("picture at the player (%d frames decoded)" % self.frames.count)
                self.goto("settle")
            elif self.in_step() > STARTUP_TIMEOUT:
                self.fail("no picture at the player %d s after start (publisher %s, player %s)"
                          % (STARTUP_TIMEOUT, ps, self.stats(self.play).get("stream-status")))
        elif step == "settle":
            if self.in_step() >= SETTLE:
                if self.outages:
                    self.begin_outage(*self.outages.pop(0))
                else:
                    if self.args.no_outage and not self.pictures:
                        self.frames.want_snapshot()
                        self.cur = None
                        self.goto("final-picture")
                    else:
                        self.goto("run")
        elif step == "final-picture":
            s = self.frames.take_snapshot()
            if s is not None:
                self.save(s, "picture")
                self.goto("run")
            elif self.in_step() > 5:
                self.fail("no frame to take a picture of")
        elif step == "snap-before":
            s = self.frames.take_snapshot()
            if s is not None:
                self.save(s, self.cur["key"] + "-before")
                self.inject()
            elif self.in_step() > 5:
                self.fail("no frame at the player to picture before outage %s" % self.cur["key"])
        elif step == "wait-restore":
            self.wait_restore()
        elif step == "snap-after":
            s = self.frames.take_snapshot()
            if s is not None:
                self.save(s, self.cur["key"] + "-after")
                self.cur = None
                self.goto("settle")
            elif self.in_step() > 5:
                self.fail("no frame at the player to picture after outage")
        elif step == "relay-down":
            if self.in_step() >= self.args.relay_down:
                err = self.relay.start(self.cur["port"])
                if err:
                    return self.fail("cannot restart wcs-relay on port %d: %s"
                                     % (self.cur["port"], err))
                CON.event("relay restarted (pid %d) on port %d"
                          % (self.relay.proc.pid, self.relay.port))
                self.goto("wait-restore")
        elif step == "run":
            if self.args.duration > 0 and elapsed() >= self.args.duration:
                self.loop.quit()

    def watch_stall(self):
        """Playback stopping when we did not break anything is reported (and
        counted in the verdict), never hidden; an outage only starts from
        steady playback. True while stalled."""
        if self.cur is not None or self.step in ("startup", None):
            return False
        last = self.frames.last_t
        if self.stall_t is None:
            if last is not None and now() - last > STALL:
                self.stall_t = last
                self.frames.start_record()
                CON.event("no new frame at the player for %.1f s, and no outage of ours "
                          "is running: waiting" % (now() - last))
        elif now() - last < STALL:
            d = self.frames.stop_record() or (last - self.stall_t)
            self.stalls.append((self.stall_t - T0, d))
            CON.event("playback resumed after a %.1f s stall" % d)
            self.stall_t = None
            if self.step == "settle":
                self.goto("settle")   # settle again from steady playback
        elif now() - self.stall_t > self.args.restore_timeout:
            self.frames.stop_record()
            self.fail("playback stalled for %.0f s without any outage of ours (see %s)"
                      % (now() - self.stall_t, self.relay.log_path))
            return True
        return self.stall_t is not None

    def begin_outage(self, key, title, fault):
        self.cur = {"key": key, "title": title, "fault": fault}
        CON.event("outage %s: %s" % (key.split("-", 1)[0], title))
        self.frames.want_snapshot()
        self.goto("snap-before")

    def inject(self):
        c = self.cur
        c["pub_restores"] = self.stats(self.pub).get("restores", 0)
        c["play_restores"] = self.stats(self.play).get("restores", 0)
        self.downtime = {}
        self.frames.start_record()
        c["t"] = now()
        c["back_count"] = None
        c["fault"]()

    def fault_relay_kill(self):
        self.cur["port"] = self.relay.port
        pid = self.relay.proc.pid
        self.relay.kill9()
        CON.event("kill -9 %d (wcs-relay); restarting it in %.1f s" % (pid, self.args.relay_down))
        self.goto("relay-down")

    def fault_drop(self):
        try:
            r = self.relay.rest("rest-api/faults/drop", {"all": True})
        except (OSError, ValueError) as e:
            return self.fail("faults/drop failed: %s" % e)
        CON.event("POST /rest-api/faults/drop {\"all\":true}: %s session(s) dropped"
                  % (r.get("sessions") if isinstance(r, dict) else r))
        self.goto("wait-restore")

    def wait_restore(self):
        c = self.cur
        pr = self.stats(self.pub).get("restores", 0)
        yr = self.stats(self.play).get("restores", 0)
        both = pr > c["pub_restores"] and yr > c["play_restores"]
        if both and c["back_count"] is None:
            c["back_count"] = self.frames.count
        if both and self.frames.count - c["back_count"] >= FRAMES_AFTER_RESTORE:
            gap = self.frames.stop_record()
            self.results.append((c["key"], c["title"], gap,
                                 self.downtime.get("publisher"), self.downtime.get("player")))
            CON.event("outage %s over: viewer gap %s"
                      % (c["key"].split("-", 1)[0], "%d ms" % round(gap * 1000) if gap else "?"))
            self.frames.want_snapshot()
            self.goto("snap-after")
        elif now() - c["t"] > self.args.restore_timeout:
            self.frames.stop_record()
            self.fail("outage %s not restored within %.0f s (publisher restores %d -> %d, "
                      "player restores %d -> %d, %d frames since)"
                      % (c["key"], self.args.restore_timeout, c["pub_restores"], pr,
                         c["play_restores"], yr,
                         self.frames.count - (c["back_count"] or self.frames.count)))

    def save(self, sample, base):
        path = os.path.join(self.out, base + ".png")
        try:
            save_png(sample, path)
        except (GLib.Error, RuntimeError) as e:
            return self.fail("cannot write %s: %s" % (path, e))
        self.pictures.append(path)
        CON.event("picture %s" % path)

    # --- the end ---

    def shutdown(self):
        # a hung state change must not keep the demo (and its relay) alive
        def watchdog():
            time.sleep(15)
            sys.stderr.write("demo: shutdown hung; killing the relay and exiting\n")
            if self.relay.proc and self.relay.proc.poll() is None:
                os.kill(self.relay.proc.pid, signal.SIGKILL)
            os._exit(3)
        threading.Thread(target=watchdog, daemon=True).start()
        if self.poller:
            self.poller.stop_ev.set()
        for pipe in (self.play_pipe, self.pub_pipe):
            if pipe is not None:
                pipe.set_state(Gst.State.NULL)
        self.relay.stop()

    def verdict(self):
        CON.end_status()
        print()
        print("demo verdict (%.1f s):" % elapsed())
        for key, title, gap, pdt, ydt in self.results:
            extra = []
            if pdt is not None:
                extra.append("publisher down %d ms" % pdt)
            if ydt is not None:
                extra.append("player down %d ms" % ydt)
            print("  outage %s (%s): viewer gap %s%s"
                  % (key.split("-", 1)[0], title,
                     "%d ms" % round(gap * 1000) if gap is not None else "not measured",
                     " (%s)" % ", ".join(extra) if extra else ""))
        if self.pictures:
            print("  pictures:")
            for p in self.pictures:
                print("    " + p)
        print("  relay log: %s" % self.relay.log_path)
        for t, d in self.stalls:
            print("  unplanned stall at %.1f s: %.1f s without a new frame (not one of "
                  "our outages; see the relay log)" % (t, d))
        missing = [k for k, _, _ in self.outages]
        if self.cur is not None:
            missing.insert(0, self.cur["key"])
        if self.failure:
            print("FAIL: " + self.failure)
            return 1
        if any(g is None for _, _, g, _, _ in self.results):
            print("FAIL: a viewer gap could not be measured")
            return 1
        if missing:
            print("FAIL: stopped (%s) before outage(s) %s ran"
                  % (self.interrupted or "early", ", ".join(missing)))
            return 130 if self.interrupted == "SIGINT" else 1
        if self.step in ("startup", None):
            print("FAIL: stopped before the player showed a picture")
            return 1
        if self.results:
            print("PASS: publisher and player came back by themselves after every outage")
        else:
            print("PASS: published and played (no outages run)")
        return 0


def main():
    demo = Demo(ARGS)
    rc = 1
    try:
        if demo.start():
            demo.loop.run()
    finally:
        CON.end_status()
        demo.shutdown()
        rc = demo.verdict()
    sys.stdout.flush()
    os._exit(rc)


if __name__ == "__main__":
    main()
