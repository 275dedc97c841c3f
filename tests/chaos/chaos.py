#!/usr/bin/env python3
# gst-wcs: the fault campaign driver (tests/chaos/README.md)
#
# Copyright (C) 2024 gst-wcs authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs wcs-relay, one publisher and N players (chaos-peer processes), applies
# a seeded random sequence of faults per scenario and checks the invariants of
# README.md from the peers' event streams. Python 3 standard library only.

import argparse
import ctypes
import json
import os
import random
import select
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SKIP = 77

# ---------------------------------------------------------------------------
# fixed figures (ms) the bounds are derived from (README.md, "Bounds")

NEGOTIATION_MS = 8000   # one attempt end to end on a loaded 2-core box
CONNECT_TIMEOUT_MS = 10000  # GstWcsSession connect-timeout (not a property)
DEBOUNCE_MS = 1000      # network-change debounce of the elements
SLACK_MS = 3000
STABLE_MS = 2000        # video flowing this long counts as back
# a fault may act this long after it cleared (network change: debounce, then
# the route check) before the video stops
SETTLE_MS = {"netchange": DEBOUNCE_MS + 2000}
PROCESS_START_MS = 5000  # a new publisher process until it publishes
INITIAL_DELAY_MS = 100  # restore policy initial-delay
JITTER = 0.2
RELAY_PING_MS = 200
RELAY_RTP_TIMEOUT_MS = 3000
RELAY_GATHER_MS = 2000
STARTUP_BOUND_MS = 60000
CMD_TIMEOUT_S = 15.0
WB_GRACE_MS = 5000

# info strings (docs/restore.md section 4)
TRANSIENT_INFOS = [
    "Failed by ICE error", "Failed by ICE timeout", "Failed by DTLS error",
    "Failed by RTP activity", "Failed by error", "Stream failed",
    "Failed to add stream to proxy", "No available transcoders",
    "Terminated by keep-alive", "Some unknown failure",
]
PERMANENT_INFOS = [
    "Restricted access", "Bad URI", "No common codecs",
    "Transcoding required, but disabled", "Local error",
    "Authentication failed", "Access denied",
]

# kind: weight (the application's own actions are kinds too)
KINDS = {
    "relay-kill": 3, "relay-stop": 2, "drop": 3, "freeze": 2, "mute": 2,
    "fail-transient": 2, "fail-permanent": 1, "reject": 1, "stale": 1,
    "stall": 2, "pub-kill": 2, "netchange": 2,
    "app-pause": 1, "app-null": 2, "app-eos": 1,
}
# instant faults that may overlap another one
SECONDARY = ["drop", "relay-kill", "fail-transient"]

libc = ctypes.CDLL(None, use_errno=True)


def now():
    """CLOCK_MONOTONIC in ms, the clock of the peers' "t" fields."""
    return time.monotonic() * 1000.0


def child_setup():
    libc.prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG: never outlive us


# ---------------------------------------------------------------------------
# the relay


class Relay:
    def __init__(self, path, host, log_path):
        self.path = path
        self.host = host
        self.log_path = log_path
        self.proc = None
        self.port = 0
        self.expected_exit = False
        self.stopped = False

    def start(self, port=0):
        argv = [self.path, "--host", self.host, "--port", str(port),
                "--faults", "--ping-interval", str(RELAY_PING_MS),
                "--rtp-timeout", str(RELAY_RTP_TIMEOUT_MS),
                "--gather-timeout", str(RELAY_GATHER_MS), "-v"]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=log, stdin=subprocess.DEVNULL,
                                     preexec_fn=child_setup)
        log.close()
        self.expected_exit = False
        self.stopped = False
        deadline = time.monotonic() + 15
        line = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                ch = self.proc.stdout.read1(256)
                if not ch:
                    break
                line += ch
                if b"\n" in line:
                    break
        text = line.decode(errors="replace").strip()
        if not text.startswith("listening on "):
            self.kill()
            return False
        self.port = int(text.rsplit(":", 1)[1])
        self.url = "ws://%s:%d" % (self.host, self.port)
        threading.Thread(target=self._drain, args=(self.proc,),
                         daemon=True).start()
        return True

    @staticmethod
    def _drain(proc):
        try:
            while proc.stdout.read1(4096):
                pass
        except (OSError, ValueError):
            pass

    def crashed(self):
        """the exit status when the relay died without us killing it"""
        if self.proc and not self.expected_exit and \
                self.proc.poll() is not None:
            return self.proc.returncode
        return None

    def signal(self, signo):
        if self.proc and self.proc.poll() is None:
            if signo in (signal.SIGKILL, signal.SIGTERM):
                self.expected_exit = True
            self.proc.send_signal(signo)
            if signo == signal.SIGSTOP:
                self.stopped = True
            elif signo == signal.SIGCONT:
                self.stopped = False
            if signo == signal.SIGKILL:
                self.proc.wait(10)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.expected_exit = True
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(10)

    def stop(self):
        """SIGTERM: a clean exit (0) is expected"""
        if not self.proc or self.proc.poll() is not None:
            return None
        self.expected_exit = True
        self.proc.send_signal(signal.SIGCONT)
        self.proc.terminate()
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return "hung on SIGTERM"

    def rest(self, path, body):
        """POST; (ok, reply or error text)"""
        if self.stopped or not self.proc or self.proc.poll() is not None:
            return False, "relay not running"
        req = urllib.request.Request(
            "http://%s:%d/%s" % (self.host, self.port, path),
            data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return True, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return False, "HTTP %d %s" % (e.code, e.read()[:200])
        except (OSError, ValueError) as e:
            return False, str(e)


# ---------------------------------------------------------------------------
# a publisher or player process


class Peer:
    def __init__(self, name, role, argv, env, log_prefix):
        self.name = name
        self.role = role
        self.argv = argv
        self.env = env
        self.log_prefix = log_prefix
        self.generation = 0
        self.proc = None
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)

    # -- process ----------------------------------------------------------

    def start(self):
        self.generation += 1
        self.events = []
        self.bad = []           # (what, event) found by the reader
        self.outage_open = False
        self.outages = 0        # wcs-restore scheduled attempt=1
        self.warnings = 0
        self.errors = []        # error events with their context
        self.error_pending = False
        self.receiving = False
        self.resume_t = None
        self.last_restore = None
        self.last_res = None
        self.last_tick = None
        self.acks = []
        self.exit_event = None
        self.expected_exit = False
        self.baseline = None
        self.eos_seen = False
        ev_log = open("%s.%d.events" % (self.log_prefix, self.generation),
                      "w")
        err_log = open("%s.%d.stderr" % (self.log_prefix, self.generation),
                       "wb")
        self.ev_log = ev_log
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=err_log,
                                     env=self.env, preexec_fn=child_setup)
        err_log.close()
        self.started_t = now()
        threading.Thread(target=self._read, args=(self.proc, ev_log),
                         daemon=True).start()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def crashed(self):
        if self.proc and not self.expected_exit and \
                self.proc.poll() is not None:
            return self.proc.returncode
        return None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.expected_exit = True
            self.proc.kill()
            self.proc.wait(10)

    def quit(self):
        """QUIT: the peer sets NULL and exits 0; returns a problem or None"""
        if not self.alive():
            return None
        self.expected_exit = True
        try:
            self.proc.stdin.write(b"QUIT\n")
            self.proc.stdin.flush()
        except OSError:
            pass
        try:
            rc = self.proc.wait(CMD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return "did not exit within %d s after QUIT" % CMD_TIMEOUT_S
        time.sleep(0.1)
        if rc != 0:
            return "exit status %d after QUIT" % rc
        with self.lock:
            ex = self.exit_event
        if ex is None:
            return "no exit event"
        if ex.get("wb-live", 0) != 0:
            return "%d webrtcbin instance(s) never finalized at exit" % \
                ex["wb-live"]
        return None

    # -- events -----------------------------------------------------------

    def _read(self, proc, ev_log):
        for raw in proc.stdout:
            line = raw.decode(errors="replace").strip()
            if not line:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            ev_log.write(line + "\n")
            with self.cond:
                if proc is self.proc:
                    self._handle(ev)
                self.cond.notify_all()
        ev_log.flush()

    def _handle(self, ev):
        self.events.append(ev)
        kind = ev.get("ev")
        if kind == "msg" and ev.get("name") == "wcs-restore":
            phase = ev.get("phase")
            if phase == "scheduled" and ev.get("attempt") == 1:
                self.outages += 1
            if phase in ("scheduled", "attempt"):
                self.outage_open = True
            elif phase in ("restored", "gave-up"):
                self.outage_open = False
            self.last_restore = ev
        elif kind == "warning":
            self.warnings += 1
        elif kind == "error":
            ev["context"] = dict(self.last_restore) if self.last_restore \
                else None
            self.errors.append(ev)
            self.error_pending = True
        elif kind == "video-resume":
            self.receiving = True
            self.resume_t = ev["t"]
        elif kind == "video-stall":
            self.receiving = False
        elif kind == "tick":
            self.last_tick = ev
            if "fds" in ev:
                self.last_res = ev
        elif kind == "cmd":
            self.acks.append(ev)
        elif kind == "exit":
            self.exit_event = ev
        elif kind == "eos":
            if self.role == "player":
                self.bad.append(("EOS on the player's bus", ev))
            else:
                self.eos_seen = True
        elif kind == "pad-removed" and not ev.get("deliberate"):
            self.bad.append(("pad %s removed" % ev.get("pad"), ev))
        elif kind == "pad-eos":
            self.bad.append(("EOS sent on pad %s" % ev.get("pad"), ev))
        elif kind == "pts-back":
            self.bad.append(("timestamps went back on %s (%d -> %d)" % (
                ev.get("pad"), ev.get("prev"), ev.get("pts")), ev))
        elif kind == "log" and ev.get("level") in ("critical", "error"):
            self.bad.append(("GLib %s: %s: %s" % (
                ev.get("level").upper(), ev.get("domain"), ev.get("text")),
                ev))

    def command(self, cmd, timeout=CMD_TIMEOUT_S):
        """sends @cmd and waits for its answer; the answer or None"""
        if not self.alive():
            return None
        with self.lock:
            n = len(self.acks)
        try:
            self.proc.stdin.write((cmd + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            return None
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.acks) <= n and time.monotonic() < deadline:
                self.cond.wait(0.1)
            return self.acks[n] if len(self.acks) > n else None

    def fresh_res(self, timeout=3.0):
        """a resource tick taken after this call"""
        t0 = now()
        deadline = time.monotonic() + timeout
        with self.cond:
            while time.monotonic() < deadline:
                if self.last_res and self.last_res["t"] > t0:
                    return self.last_res
                self.cond.wait(0.1)
        return None

    def take_bad(self):
        with self.lock:
            b, self.bad = self.bad, []
        return b

    def events_between(self, t0, t1=None):
        with self.lock:
            return [e for e in self.events
                    if e["t"] >= t0 and (t1 is None or e["t"] <= t1)]

    def state_text(self):
        with self.lock:
            lr = self.last_restore
            st = [e for e in self.events if e.get("name") ==
                  "wcs-stream-status"]
            ss = [e for e in self.events if e.get("name") ==
                  "wcs-session-status"]
            return ("alive=%s receiving=%s outage_open=%s last-restore=%s "
                    "stream=%s session=%s" % (
                        self.alive(), self.receiving, self.outage_open,
                        "%s/%s#%s" % (lr.get("phase"), lr.get("reason"),
                                      lr.get("attempt")) if lr else None,
                        "%s %s" % (st[-1].get("status"), st[-1].get("info")
                                   or "") if st else None,
                        ss[-1].get("status") if ss else None))


# ---------------------------------------------------------------------------
# the network namespace (publisher and the second player live inside)


class Netns:
    def __init__(self):
        pid = os.getpid()
        n = self.free_subnet(1 + pid % 250)
        self.ns = "wcsch%d" % pid
        # the odd players live in a second namespace whose network never
        # changes: in the root namespace a player's WebRTC agent gathers on
        # every root address, so a namespace another test (or campaign)
        # makes meanwhile would change its socket count, a fake fd leak
        self.ns_still = "wcschs%d" % pid
        s = pid % 1000000
        self.dev = {"A": ("wchah%d" % s, "wchan%d" % s),
                    "B": ("wchbh%d" % s, "wchbn%d" % s),
                    "C": ("wchch%d" % s, "wchcn%d" % s)}
        self.host = {"A": "10.214.%d.1" % n, "B": "10.214.%d.5" % n,
                     "C": "10.214.%d.9" % n}
        self.addr = {"A": "10.214.%d.2" % n, "B": "10.214.%d.6" % n,
                     "C": "10.214.%d.10" % n}
        self.path = "A"
        self.up = False
        self.error = None

    @staticmethod
    def free_subnet(first):
        # campaigns side by side (--jobs) each need their own 10.214.N.0/29
        try:
            used = subprocess.run(["ip", "-o", "-4", "addr", "show"],
                                  stdout=subprocess.PIPE, timeout=20,
                                  stderr=subprocess.DEVNULL).stdout.decode()
        except (OSError, subprocess.SubprocessError):
            return first
        for i in range(250):
            n = 1 + (first - 1 + i) % 250
            if " 10.214.%d." % n not in used:
                return n
        return first

    def _run(self, *args, quiet=False):
        r = subprocess.run(args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20)
        if r.returncode != 0 and not quiet:
            self.error = "%s: %s" % (" ".join(args),
                                     r.stderr.decode(errors="replace").strip())
        return r.returncode == 0

    def create(self):
        if not shutil.which("ip"):
            self.error = "no ip command"
            return False
        ok = self._run("ip", "netns", "add", self.ns)
        if ok:
            self.up = True
            ok = self._run("ip", "netns", "add", self.ns_still)
            for p in ("A", "B", "C"):
                h, n = self.dev[p]
                ns = self.ns_still if p == "C" else self.ns
                ok = ok and self._run("ip", "link", "add", h, "type", "veth",
                                      "peer", "name", n, "netns", ns) \
                    and self._run("ip", "addr", "add", self.host[p] + "/30",
                                  "dev", h) \
                    and self._run("ip", "link", "set", h, "up") \
                    and self._run("ip", "-n", ns, "addr", "add",
                                  self.addr[p] + "/30", "dev", n) \
                    and self._run("ip", "-n", ns, "link", "set", n, "up")
            for ns, p in ((self.ns, "A"), (self.ns_still, "C")):
                ok = ok and self._run("ip", "-n", ns, "link", "set", "lo",
                                      "up") \
                    and self._run("ip", "-n", ns, "route", "add", "default",
                                  "via", self.host[p])
        if not ok:
            self.destroy()
        return ok

    def destroy(self):
        if self.up:
            self._run("ip", "netns", "delete", self.ns, quiet=True)
            self._run("ip", "netns", "delete", self.ns_still, quiet=True)
            for p in ("A", "B", "C"):
                self._run("ip", "link", "delete", self.dev[p][0], quiet=True)
            self.up = False

    def _batch(self, lines):
        path = "/tmp/%s.batch" % self.ns
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        try:
            # -force: an address that is already there does not stop it
            return self._run("ip", "-force", "-n", self.ns, "-batch", path,
                             quiet=True)
        finally:
            os.unlink(path)

    def switch(self):
        """Wi-Fi to LTE: the current path's address goes, the other one
        carries the default route (one burst)"""
        old, new = self.path, ("B" if self.path == "A" else "A")
        self._batch(["address add %s/30 dev %s" % (self.addr[new],
                                                   self.dev[new][1]),
                     "address del %s/30 dev %s" % (self.addr[old],
                                                   self.dev[old][1]),
                     "route replace default via %s" % self.host[new]])
        self.path = new

    def cut(self):
        """no route to the relay at all (network unavailable)"""
        self._batch(["address del %s/30 dev %s" % (self.addr[self.path],
                                                   self.dev[self.path][1]),
                     "route del default"])

    def restore_other(self):
        new = "B" if self.path == "A" else "A"
        self._batch(["address add %s/30 dev %s" % (self.addr[new],
                                                   self.dev[new][1]),
                     "route replace default via %s" % self.host[new]])
        self.path = new


# ---------------------------------------------------------------------------
# schedule arithmetic (docs/restore.md section 2)


def max_delay(n, timeout):
    """the longest delay before attempt @n"""
    if n <= 1:
        return 0
    base = min(timeout, INITIAL_DELAY_MS * (2 ** min(n - 2, 30)))
    return min(timeout, round(base * (1 + JITTER)))


def sum_max_delays(tries, timeout):
    return sum(max_delay(n, timeout) for n in range(2, tries + 1))


class Config:
    """the element settings of one scenario, drawn from its PRNG"""

    def __init__(self, rng):
        self.restore_timeout = rng.choice([500, 1000, 2000])
        self.max_tries = rng.choice([6, 10, 30])
        self.probes_interval = rng.choice([300, 500])
        self.receive_probes = rng.choice([3, 4])
        self.media_timeout = rng.choice([1000, 2000])
        self.bitrate_interval = rng.choice([300, 500])
        self.bitrate_tries = 3

    def common_props(self):
        return ["restore-timeout=%d" % self.restore_timeout,
                "restore-max-tries=%d" % self.max_tries,
                "probes-interval=%d" % self.probes_interval,
                "receive-probes=%d" % self.receive_probes]

    def publisher_props(self):
        return self.common_props() + [
            "bitrate-check-interval=%d" % self.bitrate_interval,
            "bitrate-max-tries=%d" % self.bitrate_tries]

    def player_props(self):
        return self.common_props() + ["media-timeout=%d" % self.media_timeout]

    def text(self):
        return ("restore-timeout=%d restore-max-tries=%d probes-interval=%d "
                "receive-probes=%d media-timeout=%d bitrate-check-interval=%d"
                % (self.restore_timeout, self.max_tries, self.probes_interval,
                   self.receive_probes, self.media_timeout,
                   self.bitrate_interval))

    @property
    def watchdog(self):
        return self.probes_interval * (self.receive_probes + 1)

    @property
    def bitrate_detect(self):
        return self.bitrate_interval * (self.bitrate_tries + 1)

    def recovery_bound(self, kind):
        """after the fault cleared: video at every player within this"""
        b = self.watchdog + self.media_timeout + \
            2 * (self.restore_timeout + NEGOTIATION_MS) + SLACK_MS
        extra = {
            "relay-stop": CONNECT_TIMEOUT_MS,
            "netchange": DEBOUNCE_MS + RELAY_RTP_TIMEOUT_MS + self.watchdog,
            "pub-kill": PROCESS_START_MS,
            "stall": self.bitrate_detect,
            "app-pause": self.bitrate_detect + RELAY_RTP_TIMEOUT_MS,
            "app-null": PROCESS_START_MS,
            "app-eos": PROCESS_START_MS,
        }
        return b + extra.get(kind, 0)

    def giveup_bound(self, kind):
        """a fault that never clears: ERROR (tries exhausted) within this"""
        s = sum_max_delays(self.max_tries, self.restore_timeout)
        m = self.max_tries
        if kind == "relay-kill":      # every connect is refused at once
            return s + m * 1000 + SLACK_MS
        if kind == "relay-stop":      # every connect hangs until its timeout
            return self.watchdog + s + m * (CONNECT_TIMEOUT_MS + 1000) + \
                SLACK_MS
        if kind == "mute":            # players: PLAYING, then no media
            return self.media_timeout + s + \
                m * (NEGOTIATION_MS + self.media_timeout) + SLACK_MS
        if kind == "stall":           # publisher: PUBLISHING, then no bytes
            return self.bitrate_detect + s + \
                m * (NEGOTIATION_MS + self.bitrate_detect +
                     self.bitrate_interval) + SLACK_MS
        return None


# ---------------------------------------------------------------------------
# one scenario


class Violation(Exception):
    pass


class Scenario:
    def __init__(self, campaign, seed, max_steps, deadline):
        self.c = campaign
        self.seed = seed
        self.rng = random.Random(seed)
        self.cfg = Config(self.rng)
        self.max_steps = max_steps
        self.deadline = deadline
        self.violations = []
        self.records = []
        self.steps_done = 0
        self.stream = "chaos%d" % (seed % 100000)
        self.dir = os.path.join(campaign.log_dir, "s%d" % seed)
        os.makedirs(self.dir, exist_ok=True)
        self.log = open(os.path.join(self.dir, "driver.log"), "w")
        self.step_label = "startup"
        self.aborted = False

    # -- output -----------------------------------------------------------

    def note(self, text):
        line = "%9.1f %s" % (now() / 1000.0, text)
        self.log.write(line + "\n")
        self.log.flush()
        if self.c.verbose:
            print("  " + text, flush=True)

    def replay_cmd(self):
        return self.c.replay_cmd(self.seed, max(self.steps_done, 1))

    def violate(self, who, what):
        v = {"seed": self.seed, "step": self.steps_done,
             "fault": self.step_label, "who": who, "what": what,
             "config": self.cfg.text(), "replay": self.replay_cmd(),
             "logs": self.dir}
        self.violations.append(v)
        self.note("VIOLATION %s: %s" % (who, what))
        print("VIOLATION seed=%d step=%d [%s] %s: %s\n  replay: %s\n"
              "  logs: %s" % (self.seed, self.steps_done, self.step_label,
                              who, what, v["replay"], self.dir), flush=True)

    # -- processes --------------------------------------------------------

    def make_peers(self):
        c = self.c
        env = dict(os.environ)
        env["GIO_USE_NETWORK_MONITOR"] = "netlink"
        # one malloc arena: otherwise every new thread (each restore makes
        # webrtcbin, libnice and DTLS threads) may touch a new arena and RSS
        # climbs ~1.7 MB per restore until glibc's 8 x cores arenas exist,
        # which hides a real leak or fakes one (README.md, invariant 9)
        env.setdefault("MALLOC_ARENA_MAX", "1")
        self.publisher = None
        self.players = []

        def argv(role, ns, props):
            a = [c.peer_path, role, self.relay.url, self.stream] + props
            if ns:
                a = ["ip", "netns", "exec", ns] + a
            return a

        moving = c.netns.ns if c.netns else None
        still = c.netns.ns_still if c.netns else None
        self.publisher = Peer("publisher", "publisher",
                              argv("publisher", moving,
                                   self.cfg.publisher_props()),
                              env, os.path.join(self.dir, "publisher"))
        for i in range(c.players):
            name = "player%d" % (i + 1)
            self.players.append(Peer(name, "player",
                                     argv("player", moving if i % 2 == 1
                                          else still,
                                          self.cfg.player_props()),
                                     env, os.path.join(self.dir, name)))
        self.peers = [self.publisher] + self.players

    def check_processes(self):
        """crashes of any process: a violation, and the process restarts"""
        code = self.relay.crashed()
        if code is not None:
            self.violate("relay", "wcs-relay died by itself (status %d)" %
                         code)
            port = self.relay.port
            if not self.relay.start(port):
                raise Violation("the relay cannot be restarted")
        for p in self.peers:
            code = p.crashed()
            if code is not None:
                self.violate(p.name, "process died (status %d%s)" % (
                    code, ", signal %d" % -code if code < 0 else ""))
                p.start()
            for what, ev in p.take_bad():
                self.violate(p.name, what)

    # -- invariants after each step ---------------------------------------

    def all_recovered(self, t_clear, kind=None):
        t = now()
        if t < t_clear + max(STABLE_MS, SETTLE_MS.get(kind, 0)):
            return None
        for p in self.peers:
            with p.lock:
                if not p.alive() or p.outage_open or p.error_pending:
                    return None
                tick = p.last_tick
                if not tick or tick.get("state") != "PLAYING":
                    return None
        worst = 0.0
        for p in self.players:
            with p.lock:
                tick = p.last_tick
                if not p.receiving or p.resume_t is None or \
                        t - p.resume_t < STABLE_MS or \
                        t - tick.get("last-buf", 0) > 600:
                    return None
                worst = max(worst, p.resume_t - t_clear)
        return worst

    def app_restart(self, p, why):
        """what an application does after an ERROR: NULL, then PLAYING"""
        self.note("%s: application restart (%s)" % (p.name, why))
        self.set_state(p, "NULL")
        with p.lock:
            p.error_pending = False
            p.outage_open = False
            p.receiving = False
        self.set_state(p, "PLAYING")

    def set_state(self, p, state):
        ack = p.command(state)
        if ack is None:
            if p.alive():
                self.violate(p.name, "state change to %s hung (> %d s)" %
                             (state, CMD_TIMEOUT_S))
                p.kill()
                p.start()
            return False
        if ack.get("ret") == "FAILURE":
            self.violate(p.name, "state change to %s failed" % state)
        elif ack.get("ms", 0) > 5000:
            self.violate(p.name, "state change to %s took %d ms" %
                         (state, ack["ms"]))
        if state in ("NULL", "READY"):
            with p.lock:
                p.outage_open = False
                p.receiving = False
        return True

    def wait_recovery(self, t_clear, bound, rec, kind=None):
        deadline = now() + bound
        restarts = {}
        while True:
            self.check_processes()
            for p in self.peers:
                with p.lock:
                    pending = p.error_pending
                if pending:
                    n = restarts.get(p.name, 0)
                    if n >= 3:
                        break
                    restarts[p.name] = n + 1
                    rec["outcome"] = "error"
                    self.app_restart(p, "ERROR")
                    deadline = max(deadline,
                                   now() + self.cfg.recovery_bound("app-null"))
            r = self.all_recovered(t_clear, kind)
            if r is not None:
                return r
            if now() > deadline:
                states = "; ".join("%s: %s" % (p.name, p.state_text())
                                   for p in self.peers)
                self.violate("all", "neither video at every player nor an "
                             "ERROR %d ms after the fault cleared (bound "
                             "%d ms, %d application restarts): %s" %
                             (now() - t_clear, bound,
                              sum(restarts.values()), states))
                return None
            time.sleep(0.1)

    def check_errors(self, t0, permanent):
        for p in self.peers:
            for e in p.events_between(t0):
                if e.get("ev") != "error" or e.get("checked"):
                    continue
                e["checked"] = True
                ctx = e.get("context") or {}
                tries = ctx.get("phase") == "gave-up" and \
                    ctx.get("attempt", 0) >= ctx.get("max-tries", 1 << 30)
                if tries or permanent:
                    continue
                self.violate(p.name, "ERROR while the budget remained and "
                             "no fault was permanent: %s (%s); last "
                             "wcs-restore: %s" % (
                                 e.get("text"), e.get("debug"),
                                 json.dumps(ctx) if ctx else "none"))

    def check_warnings(self):
        for p in self.peers:
            with p.lock:
                w, o = p.warnings, p.outages
            if w != o:
                ws = [e for e in p.events_between(0)
                      if e.get("ev") == "warning"]
                self.violate(p.name, "%d WARNING(s) for %d outage(s); "
                             "last: %s" % (w, o, ws[-1].get("text") if ws
                                           else "-"))
                with p.lock:
                    p.warnings = p.outages = max(w, o)

    def check_webrtcbins(self):
        deadline = now() + WB_GRACE_MS
        while True:
            bad = []
            for p in self.peers:
                r = p.fresh_res()
                if r is None:
                    bad.append((p, "no resource tick"))
                elif r.get("wb-live") != 1 or (p.role == "publisher" and
                                               r.get("wb-inside") != 1):
                    # (wcsplaysrc keeps its webrtcbin in a pipeline of its
                    # own: only the publisher's is inside the element)
                    bad.append((p, "%s webrtcbin alive, %s inside the "
                                "element (expected 1)" % (
                                    r.get("wb-live"), r.get("wb-inside"))))
            if not bad:
                return
            if now() > deadline:
                for p, what in bad:
                    self.violate(p.name, what)
                return

    def take_baselines(self):
        for p in self.peers:
            if p.baseline is None:
                r = p.fresh_res()
                if r:
                    p.baseline = r
                    self.note("%s baseline: fds %d threads %d rss %d kB "
                              "webrtcbin %d" % (p.name, r["fds"],
                                                r["threads"], r["rss-kb"],
                                                r["wb-live"]))

    def check_baselines(self):
        for p in self.peers:
            b = p.baseline
            if b is None:
                continue
            # the best of a few readings: transient threads and fds of a
            # teardown in progress are not a leak
            best = None
            for _ in range(4):
                r = p.fresh_res()
                if r is None:
                    continue
                if best is None:
                    best = dict(r)
                else:
                    for k in ("fds", "threads", "rss-kb"):
                        best[k] = min(best[k], r[k])
            if best is None:
                self.violate(p.name, "no resource figures at the end")
                continue
            self.note("%s end: fds %d threads %d rss %d kB webrtcbin %d" % (
                p.name, best["fds"], best["threads"], best["rss-kb"],
                best["wb-live"]))
            problems = []
            if best["fds"] > b["fds"] + self.c.tol_fds:
                problems.append("fds %d -> %d" % (b["fds"], best["fds"]))
            if best["threads"] > b["threads"] + self.c.tol_threads:
                problems.append("threads %d -> %d" % (b["threads"],
                                                      best["threads"]))
            rss_tol = max(self.c.tol_rss_kb, b["rss-kb"] *
                          self.c.tol_rss_pct / 100)
            if best["rss-kb"] > b["rss-kb"] + rss_tol:
                problems.append("RSS %d -> %d kB" % (b["rss-kb"],
                                                     best["rss-kb"]))
            if best["wb-live"] != b["wb-live"]:
                problems.append("webrtcbin %d -> %d" % (b["wb-live"],
                                                        best["wb-live"]))
            if problems:
                self.violate(p.name, "not back to baseline after %d steps: "
                             "%s" % (self.steps_done, ", ".join(problems)))

    # -- faults -----------------------------------------------------------

    def draw_step(self):
        rng = self.rng
        kinds = [k for k in KINDS if (k != "netchange" or self.c.netns)
                 and (not self.c.kinds or k in self.c.kinds)]
        kind = rng.choices(kinds, [KINDS[k] for k in kinds])[0]
        s = {"kind": kind, "hold": 0, "permanent": False, "long": False}
        if kind == "relay-kill":
            s["hold"] = 0 if rng.random() < 0.4 else rng.randint(300, 4000)
        elif kind in ("relay-stop", "freeze", "mute", "stall", "app-pause"):
            s["hold"] = rng.randint(500, 5000)
        elif kind == "pub-kill":
            s["hold"] = 0 if rng.random() < 0.4 else rng.randint(200, 3000)
        elif kind == "app-null":
            s["hold"] = rng.randint(0, 3000)
        elif kind == "app-eos":
            s["hold"] = rng.randint(0, 2000)
        elif kind == "stale":
            s["hold"] = rng.randint(1000, 4000)
        elif kind == "netchange":
            s["cut"] = rng.random() < 0.4
            s["hold"] = rng.randint(500, 4000) if s["cut"] else 0
        if kind in ("relay-kill", "relay-stop", "mute", "stall") and \
                rng.random() < self.c.long_prob:
            s["long"] = True
            s["hold"] = self.cfg.giveup_bound(kind) + 2000
        if kind in ("drop", "freeze"):
            s["all"] = rng.random() < 0.5
        if kind == "fail-transient":
            s["info"] = rng.choice(TRANSIENT_INFOS)
        if kind == "fail-permanent":
            s["info"] = rng.choice(PERMANENT_INFOS)
            s["permanent"] = True
        if kind == "reject":
            s["permanent"] = rng.random() < 0.4
            s["info"] = rng.choice(PERMANENT_INFOS if s["permanent"]
                                   else TRANSIENT_INFOS)
            s["what"] = rng.choice(["publish", "play", "any"])
            s["count"] = rng.randint(1, 3)
        if kind.startswith("app-"):
            s["target"] = rng.choice(["publisher"] +
                                     [p.name for p in self.players]) \
                if kind != "app-eos" else "publisher"
        s["overlap"] = None
        if not kind.startswith("app-") and not s["long"] and \
                kind != "fail-permanent" and rng.random() < 0.2:
            s["overlap"] = rng.choice(SECONDARY)
            s["overlap_at"] = rng.randint(0, max(s["hold"], 0))
            s["overlap_info"] = rng.choice(TRANSIENT_INFOS)
        return s

    def label(self, s):
        parts = [s["kind"]]
        if s.get("long"):
            parts.append("long")
        for k in ("info", "what", "count", "target"):
            if k in s:
                parts.append("%s=%s" % (k, s[k]))
        if s.get("cut"):
            parts.append("cut")
        if "all" in s:
            parts.append("all" if s["all"] else "by-name")
        if s["hold"]:
            parts.append("hold=%dms" % s["hold"])
        if s["overlap"]:
            parts.append("+%s@%dms" % (s["overlap"], s["overlap_at"]))
        return " ".join(parts)

    def rest(self, path, body):
        ok, reply = self.relay.rest(path, body)
        self.note("REST %s %s -> %s %s" % (path, json.dumps(body),
                                           "ok" if ok else "failed", reply))
        return ok

    def relay_restart(self):
        port = self.relay.port
        self.relay.kill()
        if not self.relay.start(port):
            raise Violation("the relay cannot be restarted on port %d" % port)

    def apply_instant(self, kind, s=None):
        sel = {"all": True} if (s or {}).get("all", True) else \
            {"name": self.stream}
        if kind == "drop":
            self.rest("rest-api/faults/drop", sel)
        elif kind == "relay-kill":
            self.relay.kill()
            self.relay_restart()
        elif kind == "fail-transient":
            self.rest("rest-api/faults/fail", {
                "name": self.stream,
                "info": (s or {}).get("info", "Failed by ICE timeout")})

    def apply(self, s):
        """starts the fault; returns the function that clears it"""
        kind = s["kind"]
        if kind == "relay-kill":
            self.relay.kill()
            return self.relay_restart
        if kind == "relay-stop":
            self.relay.signal(signal.SIGSTOP)
            return lambda: self.relay.signal(signal.SIGCONT)
        if kind in ("drop", "fail-transient"):
            self.apply_instant(kind, s)
        elif kind == "fail-permanent":
            self.rest("rest-api/faults/fail", {"name": self.stream,
                                               "info": s["info"]})
        elif kind == "freeze":
            sel = {"all": True} if s["all"] else {"name": self.stream}
            self.rest("rest-api/faults/freeze", sel)
            return lambda: self.rest("rest-api/faults/unfreeze",
                                     {"all": True})
        elif kind == "mute":
            self.rest("rest-api/faults/mute", {"name": self.stream})
            return lambda: self.rest("rest-api/faults/unmute",
                                     {"name": self.stream})
        elif kind == "reject":
            self.rest("rest-api/faults/reject", {
                "name": self.stream, "info": s["info"], "what": s["what"],
                "count": s["count"]})
            self.rest("rest-api/faults/drop", {"all": True})
            # the rejects are used by the next requests; cleared afterwards
            return None
        elif kind == "stale":
            self.rest("rest-api/faults/stale", {"name": self.stream,
                                                "ms": s["hold"]})
            self.rest("rest-api/faults/drop", {"all": True})
        elif kind == "stall":
            self.publisher.command("STALL 1")
            return lambda: self.publisher.command("STALL 0")
        elif kind == "pub-kill":
            self.publisher.kill()

            def restart():
                self.publisher.start()
            return restart
        elif kind == "netchange":
            if s["cut"]:
                self.c.netns.cut()
                return self.c.netns.restore_other
            self.c.netns.switch()
        elif kind == "app-pause":
            p = self.peer(s["target"])
            self.set_state(p, "PAUSED")
            return lambda: self.set_state(p, "PLAYING")
        elif kind == "app-null":
            p = self.peer(s["target"])
            self.set_state(p, "NULL")
            return lambda: self.set_state(p, "PLAYING")
        elif kind == "app-eos":
            p = self.publisher
            t0 = now()
            p.command("EOS")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with p.lock:
                    if p.eos_seen:
                        break
                time.sleep(0.05)
            with p.lock:
                seen, p.eos_seen = p.eos_seen, False
            if not seen:
                self.violate(p.name, "no EOS on the bus within 10 s of the "
                             "sources' EOS")
            s["eos_window"] = (t0, now())

            def restart():
                # a deliberate stop never restores
                for e in p.events_between(*s["eos_window"]):
                    if e.get("name") == "wcs-restore" or \
                            e.get("ev") in ("warning", "error"):
                        self.violate(p.name, "after its EOS the publisher "
                                     "posted %s" % json.dumps(e))
                        break
                self.set_state(p, "NULL")
                self.set_state(p, "PLAYING")
            return restart
        return None

    def peer(self, name):
        return [p for p in self.peers if p.name == name][0]

    def affected(self, kind):
        """who cannot possibly succeed while a 'total' fault holds"""
        if kind in ("relay-kill", "relay-stop"):
            return self.peers
        if kind == "mute":
            return self.players
        if kind == "stall":
            return [self.publisher]
        return []

    def hold(self, s, t_apply):
        """waits out the hold; the overlap fault fires on the way"""
        end = t_apply + s["hold"]
        overlap_t = t_apply + s["overlap_at"] if s["overlap"] else None
        while True:
            t = now()
            if overlap_t is not None and t >= overlap_t:
                self.note("overlap: %s" % s["overlap"])
                if self.relay.stopped and s["overlap"] != "relay-kill":
                    self.note("overlap skipped: the relay is stopped")
                else:
                    if s["kind"] == "relay-kill" and \
                            s["overlap"] == "relay-kill":
                        pass    # the relay is already gone
                    elif s["kind"] == "relay-kill":
                        self.note("overlap skipped: the relay is gone")
                    else:
                        self.apply_instant(s["overlap"], {
                            "all": True, "info": s["overlap_info"]})
                overlap_t = None
            if t >= end:
                break
            if s["long"] and self.decided(s, t_apply):
                self.note("every affected element decided (ERROR or past "
                          "its budget): the long %s ends early" % s["kind"])
                break
            self.check_processes()
            time.sleep(min(0.1, max(0.0, (end - t) / 1000.0)))

    def decided(self, s, t_apply):
        """every element a total fault affects has posted an ERROR or made
        more than max-tries attempts (the budget check reports it)"""
        m = self.cfg.max_tries
        for p in self.affected(s["kind"]):
            evs = p.events_between(t_apply)
            if any(e.get("ev") == "error" for e in evs):
                continue
            if sum(1 for e in evs if e.get("name") == "wcs-restore" and
                   e.get("phase") == "attempt") > m + 1:
                continue
            return False
        return True

    def check_long(self, s, t_apply, t_end):
        """a fault held past the give-up bound: the affected elements must
        have given up (ERROR), and none may try more than max-tries"""
        m = self.cfg.max_tries
        for p in self.affected(s["kind"]):
            evs = p.events_between(t_apply, t_end)
            attempts = [e for e in evs if e.get("name") == "wcs-restore" and
                        e.get("phase") == "attempt"]
            restored = [e for e in evs if e.get("name") == "wcs-restore" and
                        e.get("phase") == "restored"]
            errors = [e for e in evs if e.get("ev") == "error"]
            if errors or len(attempts) > m:
                continue    # (too many attempts: check_budget says so)
            self.violate(p.name, "%s held %d ms (give-up bound %d ms with "
                         "max-tries %d): no ERROR; %d attempts, %d "
                         "'restored' although no media could flow; last "
                         "wcs-restore: %s" % (
                             s["kind"], s["hold"],
                             self.cfg.giveup_bound(s["kind"]), m,
                             len(attempts), len(restored),
                             json.dumps(p.last_restore)))

    def check_budget(self, s, t_apply, t_end):
        """while a total fault holds, more than max-tries attempts without
        an ERROR means a restore counted as success that was none"""
        m = self.cfg.max_tries
        for p in self.affected(s["kind"]):
            evs = p.events_between(t_apply, t_end)
            attempts = [e for e in evs if e.get("name") == "wcs-restore" and
                        e.get("phase") == "attempt"]
            if len(attempts) > m and not any(e.get("ev") == "error"
                                             for e in evs):
                self.violate(p.name, "%d restore attempts during one %s "
                             "fault (max-tries %d) and no ERROR" % (
                                 len(attempts), s["kind"], m))

    def check_permanent(self, s, t_apply):
        """fail-permanent: every element ERRORs at once, without retrying"""
        deadline = now() + 10000
        while True:
            missing = [p for p in self.peers if not any(
                e.get("ev") == "error" for e in p.events_between(t_apply))]
            if not missing or now() > deadline:
                break
            time.sleep(0.1)
        for p in missing:
            self.violate(p.name, "FAILED '%s' (permanent) gave no ERROR "
                         "within 10 s" % s["info"])
        for p in self.peers:
            evs = p.events_between(t_apply)
            errs = [i for i, e in enumerate(evs) if e.get("ev") == "error"]
            if errs and any(e.get("name") == "wcs-restore" and
                            e.get("phase") == "attempt"
                            for e in evs[:errs[0]]):
                self.violate(p.name, "permanent FAILED '%s' was retried "
                             "before the ERROR" % s["info"])

    # -- the scenario -----------------------------------------------------

    def estimate_ms(self, s):
        return s["hold"] + 8000

    def run(self):
        c = self.c
        self.relay = Relay(c.relay_path, c.host,
                           os.path.join(self.dir, "relay.log"))
        self.note("seed %d: %s" % (self.seed, self.cfg.text()))
        if not self.relay.start(0):
            raise SkipCampaign("wcs-relay does not start (%s)" %
                               os.path.join(self.dir, "relay.log"))
        self.make_peers()
        try:
            self._run()
        except Violation as e:
            self.violate("campaign", str(e))
        finally:
            self.teardown()

    def _run(self):
        t0 = now()
        self.publisher.start()
        for p in self.players:
            p.start()
        rec = {"outcome": "startup"}
        if self.wait_recovery(t0, STARTUP_BOUND_MS, rec) is None:
            if not any(p.events_between(0) and any(
                    e.get("ev") == "video-resume" for e in p.events_between(0))
                    for p in self.players):
                self.c.startup_failures += 1
            self.aborted = True
            return
        self.check_warnings()
        self.check_errors(t0, False)
        time.sleep(1.0)
        self.take_baselines()

        while self.steps_done < self.max_steps:
            s = self.draw_step()
            if now() + self.estimate_ms(s) > self.deadline:
                break
            self.steps_done += 1
            self.step_label = self.label(s)
            self.note("step %d: %s" % (self.steps_done, self.step_label))
            if not self.run_step(s):
                self.aborted = True
                break
            self.take_baselines()
        if not self.aborted:
            time.sleep(2.0)
            self.check_baselines()

    def run_step(self, s):
        kind = s["kind"]
        t_apply = now()
        nviol = len(self.violations)
        clear = self.apply(s)
        self.hold(s, t_apply)
        t_end = now()
        if s["long"]:
            self.check_long(s, t_apply, t_end)
        self.check_budget(s, t_apply, t_end)
        if clear:
            clear()
        if kind == "reject":
            self.rest("rest-api/faults/reject", {"name": self.stream})
        if kind == "stale":
            self.rest("rest-api/faults/stale", {"name": self.stream,
                                                "ms": 0})
        t_clear = now()
        if kind == "fail-permanent":
            self.check_permanent(s, t_apply)
        bound = self.cfg.recovery_bound(kind)
        rec = {"kind": kind + ("-long" if s["long"] else ""),
               "label": self.step_label, "hold": s["hold"],
               "outcome": "restored", "seed": self.seed,
               "step": self.steps_done}
        r = self.wait_recovery(t_clear, bound, rec, kind)
        # a reject nobody used must not hit the next step
        if kind == "reject":
            self.rest("rest-api/faults/reject", {"name": self.stream})
        self.check_processes()
        self.check_errors(t_apply, s["permanent"] or kind == "reject" and
                          s["permanent"])
        self.check_warnings()
        if r is None:
            rec["outcome"] = "violation"
            self.records.append(rec)
            return False
        rec["recovery_ms"] = r
        self.check_webrtcbins()
        if len(self.violations) > nviol:
            rec["outcome"] = "violation"
            rec["recovered_ms"] = r
        self.note("step %d: %s after %.0f ms" % (self.steps_done,
                                                 rec["outcome"], r))
        self.records.append(rec)
        return True

    def teardown(self):
        for p in self.peers:
            if p.proc is None:
                continue
            problem = p.quit()
            if problem and not self.aborted:
                self.violate(p.name, problem)
            elif problem:
                self.note("%s: %s" % (p.name, problem))
            for what, ev in p.take_bad():
                self.violate(p.name, what)
        code = self.relay.crashed()
        if code is not None:
            self.violate("relay", "wcs-relay died by itself (status %d)" %
                         code)
        r = self.relay.stop()
        if r not in (0, None):
            self.violate("relay", "wcs-relay exit on SIGTERM: %s" % r)
        self.log.close()


class SkipCampaign(Exception):
    pass


# ---------------------------------------------------------------------------
# the campaign


class Campaign:
    def __init__(self, args):
        self.args = args
        self.verbose = args.verbose
        self.players = args.players
        self.tol_fds = args.tol_fds
        self.tol_threads = args.tol_threads
        self.tol_rss_kb = args.tol_rss_mb * 1024
        self.tol_rss_pct = args.tol_rss_pct
        self.relay_path = os.environ.get("WCS_RELAY")
        self.peer_path = os.environ.get("WCS_CHAOS_PEER")
        self.log_dir = args.log_dir or "/tmp/wcs-chaos-%d" % os.getpid()
        self.startup_failures = 0
        self.kinds = args.kinds.split(",") if args.kinds else None
        self.long_prob = args.long_prob
        for k in self.kinds or []:
            if k not in KINDS:
                raise SystemExit("unknown fault kind %s (known: %s)" %
                                 (k, ", ".join(KINDS)))
        self.netns = None
        self.host = "127.0.0.1"
        self.netns_note = None

    def replay_cmd(self, seed, steps):
        extra = ""
        if self.args.no_netns:
            extra += " --no-netns"
        if self.players != 2:
            extra += " --players %d" % self.players
        if self.kinds:
            extra += " --kinds %s" % ",".join(self.kinds)
        if self.long_prob != 0.12:
            extra += " --long-prob %g" % self.long_prob
        return "tests/chaos/run --seed %d --steps %d%s" % (seed, steps, extra)

    def setup_netns(self):
        if self.args.no_netns:
            self.netns_note = "network namespace off (--no-netns): " \
                "netchange skipped"
            return
        ns = Netns()
        if os.geteuid() != 0:
            self.netns_note = "not root: no network namespace, netchange " \
                "skipped"
            return
        if not ns.create():
            self.netns_note = "no network namespace (%s): netchange " \
                "skipped" % ns.error
            return
        self.netns = ns
        self.host = ns.host["A"]

    def run(self):
        a = self.args
        for what, path in (("WCS_RELAY", self.relay_path),
                           ("WCS_CHAOS_PEER", self.peer_path)):
            if not path or not os.access(path, os.X_OK):
                print("chaos: %s is not set to an executable; run through "
                      "tests/chaos/run or meson test" % what)
                return SKIP
        os.makedirs(self.log_dir, exist_ok=True)
        self.setup_netns()
        if self.netns_note:
            print("chaos: " + self.netns_note, flush=True)
        if a.start_at:
            # --jobs: the campaigns start together
            time.sleep(max(0.0, (a.start_at - now()) / 1000.0))
        t_start = now()
        deadline = t_start + a.minutes * 60000
        if a.seed is not None:
            seeds = [a.seed]
            deadline = float("inf")
        else:
            cseed = a.campaign_seed if a.campaign_seed is not None else \
                random.SystemRandom().getrandbits(32)
            print("chaos: campaign seed %d (--campaign-seed %d repeats the "
                  "sequence of scenarios), %s min, logs in %s" % (
                      cseed, cseed, a.minutes, self.log_dir), flush=True)
            crng = random.Random(cseed)
            seeds = None
        scenarios = []
        try:
            while True:
                if seeds is not None:
                    if not seeds:
                        break
                    seed = seeds.pop(0)
                else:
                    seed = crng.getrandbits(32)
                    if now() + 30000 > deadline:
                        break
                sc = Scenario(self, seed, a.steps, deadline)
                print("scenario seed=%d: %s" % (seed, sc.cfg.text()),
                      flush=True)
                try:
                    sc.run()
                except SkipCampaign as e:
                    print("chaos: SKIP: %s" % e)
                    return SKIP
                scenarios.append(sc)
                print("  %d steps%s, %d violation(s): %s" % (
                    sc.steps_done, "" if sc.steps_done else
                    " (the next fault would not fit in the time left)",
                    len(sc.violations),
                    ", ".join("%s: %s" % (r["label"], r["outcome"] if
                                         r["outcome"] != "restored" else
                                         "%.1fs" % (r["recovery_ms"] / 1000))
                              for r in sc.records)), flush=True)
                if self.startup_failures >= 2 and not any(
                        s.records for s in scenarios):
                    print("chaos: SKIP: no video at all in the first "
                          "scenarios (environment?)")
                    return SKIP
        finally:
            if self.netns:
                self.netns.destroy()
        text = summary(scenarios, now() - t_start, self)
        print(text, flush=True)
        if a.results:
            with open(a.results, "w") as f:
                f.write(text)
        with open(os.path.join(self.log_dir, "steps.jsonl"), "w") as f:
            for sc in scenarios:
                for r in sc.records:
                    f.write(json.dumps(r) + "\n")
        if a.worker_results:
            with open(a.worker_results, "w") as f:
                json.dump({"scenarios": len(scenarios),
                           "seeds": [sc.seed for sc in scenarios],
                           "records": [r for sc in scenarios
                                       for r in sc.records],
                           "violations": [v for sc in scenarios
                                          for v in sc.violations],
                           "netns_note": self.netns_note}, f)
        nviol = sum(len(s.violations) for s in scenarios)
        return 1 if nviol else 0


def pct(values, p):
    v = sorted(values)
    if not v:
        return None
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def summary(scenarios, elapsed_ms, c):
    return summary_of(len(scenarios),
                      [r for s in scenarios for r in s.records],
                      [v for s in scenarios for v in s.violations],
                      elapsed_ms, c.netns_note)


def summary_of(nscen, recs, viol, elapsed_ms, netns_note, jobs_note=None):
    out = []
    out.append("## Fault campaign: %d scenario(s), %d fault(s), %.1f min, "
               "%d violation(s)\n" % (nscen, len(recs),
                                      elapsed_ms / 60000.0, len(viol)))
    if jobs_note:
        out.append(jobs_note + "\n")
    if netns_note:
        out.append("Note: %s.\n" % netns_note)
    out.append("| fault | count | restored | ERROR + app restart | "
               "violation | recovery median | p90 | max |")
    out.append("|---|---|---|---|---|---|---|---|")
    kinds = sorted(set(r["kind"] for r in recs))
    for k in kinds:
        rs = [r for r in recs if r["kind"] == k]
        times = [r["recovery_ms"] / 1000.0 for r in rs
                 if "recovery_ms" in r and r["outcome"] != "violation"]

        def f(x):
            return "-" if x is None else "%.1f s" % x
        out.append("| %s | %d | %d | %d | %d | %s | %s | %s |" % (
            k, len(rs), sum(r["outcome"] == "restored" for r in rs),
            sum(r["outcome"] == "error" for r in rs),
            sum(r["outcome"] == "violation" for r in rs),
            f(statistics.median(times) if times else None),
            f(pct(times, 90)), f(max(times) if times else None)))
    out.append("")
    out.append("Recovery: from the moment the fault cleared (for instant "
               "faults: was applied) to the first video buffer of the last "
               "player to get video back, video then flowing for %d ms. "
               "Overlapping faults count under the first one." % STABLE_MS)
    if viol:
        out.append("")
        out.append("### Violations\n")
        for v in viol:
            out.append("- seed %d step %d [%s] %s: %s  \n  replay: `%s`" % (
                v["seed"], v["step"], v["fault"], v["who"], v["what"],
                v["replay"]))
    out.append("")
    return "\n".join(out)


def run_jobs(args):
    """--jobs N: N campaigns side by side, each its own driver process (own
    relay, peers, namespace and subnet), campaign seeds S, S+1, ..., S+N-1;
    one merged summary. Each scenario still replays alone with --seed."""
    cseed = args.campaign_seed if args.campaign_seed is not None else \
        random.SystemRandom().getrandbits(31)
    log_dir = args.log_dir or "/tmp/wcs-chaos-%d" % os.getpid()
    os.makedirs(log_dir, exist_ok=True)
    print("chaos: %d campaigns side by side, campaign seeds %d..%d "
          "(--campaign-seed %d --jobs %d repeats them), %s min, logs in %s"
          % (args.jobs, cseed, cseed + args.jobs - 1, cseed, args.jobs,
             args.minutes, log_dir), flush=True)
    workers = []
    lock = threading.Lock()

    def pump(i, proc):
        for line in proc.stdout:
            with lock:
                sys.stdout.write("[%d] %s" % (i, line.decode(
                    errors="replace")))
                sys.stdout.flush()

    t_start = now()
    start_at = t_start + 2000 * args.jobs + 5000
    argv0 = [sys.executable, os.path.abspath(__file__)]
    try:
        for i in range(args.jobs):
            wdir = os.path.join(log_dir, "w%d" % i)
            res = os.path.join(wdir, "results.json")
            os.makedirs(wdir, exist_ok=True)
            if os.path.exists(res):
                os.unlink(res)
            argv = argv0 + ["--minutes", str(args.minutes), "--steps",
                            str(args.steps), "--players", str(args.players),
                            "--campaign-seed", str(cseed + i),
                            "--long-prob", str(args.long_prob),
                            "--log-dir", wdir, "--worker-results", res,
                            "--start-at", "%d" % start_at,
                            "--tol-fds", str(args.tol_fds),
                            "--tol-threads", str(args.tol_threads),
                            "--tol-rss-mb", str(args.tol_rss_mb),
                            "--tol-rss-pct", str(args.tol_rss_pct)]
            if args.kinds:
                argv += ["--kinds", args.kinds]
            if args.no_netns:
                argv.append("--no-netns")
            if args.verbose:
                argv.append("-v")
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT,
                                    preexec_fn=child_setup)
            th = threading.Thread(target=pump, args=(i, proc), daemon=True)
            th.start()
            workers.append((proc, th, res))
            time.sleep(2.0)     # namespaces and subnets made one by one
        codes = [p.wait() for p, _, _ in workers]
    except KeyboardInterrupt:
        for p, _, _ in workers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p, _, _ in workers:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        return 130
    for _, th, _ in workers:
        th.join(timeout=5)
    nscen, recs, viol, notes = 0, [], [], set()
    for i, (p, _, res) in enumerate(workers):
        try:
            with open(res) as f:
                r = json.load(f)
        except (OSError, ValueError):
            print("chaos: campaign %d (seed %d) ended with status %d and "
                  "no results" % (i, cseed + i, codes[i]), flush=True)
            if codes[i] == SKIP:
                return SKIP
            viol.append({"seed": cseed + i, "step": 0, "fault": "-",
                         "who": "driver %d" % i,
                         "what": "exit status %d, no results" % codes[i],
                         "replay": "tests/chaos/run --campaign-seed %d "
                         "--minutes %s" % (cseed + i, args.minutes)})
            continue
        nscen += r["scenarios"]
        recs += r["records"]
        viol += r["violations"]
        if r.get("netns_note"):
            notes.add(r["netns_note"])
    text = summary_of(nscen, recs, viol, now() - t_start,
                      "; ".join(sorted(notes)),
                      "%d campaigns side by side (--jobs %d), campaign seeds "
                      "%d..%d." % (args.jobs, args.jobs, cseed,
                                   cseed + args.jobs - 1))
    print(text, flush=True)
    if args.results:
        with open(args.results, "w") as f:
            f.write(text)
    with open(os.path.join(log_dir, "steps.jsonl"), "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    return 1 if viol or any(c not in (0, 1) for c in codes) else 0


def main():
    ap = argparse.ArgumentParser(
        description="gst-wcs fault campaign (tests/chaos/README.md)")
    ap.add_argument("--minutes", type=float, default=3.0,
                    help="campaign length (default 3)")
    ap.add_argument("--seed", type=int,
                    help="replay one scenario with this seed")
    ap.add_argument("--campaign-seed", type=int,
                    help="seed of the sequence of scenario seeds")
    ap.add_argument("--steps", type=int, default=8,
                    help="faults per scenario (default 8)")
    ap.add_argument("--players", type=int, default=2)
    ap.add_argument("--kinds", help="only these fault kinds (comma-"
                    "separated): " + ", ".join(KINDS))
    ap.add_argument("--long-prob", type=float, default=0.12,
                    help="chance that a relay-kill, relay-stop, mute or "
                    "stall outlasts the give-up bound (default 0.12)")
    ap.add_argument("--no-netns", action="store_true",
                    help="no network namespace (skips netchange)")
    ap.add_argument("--log-dir")
    ap.add_argument("--results", help="write the summary (markdown) here")
    ap.add_argument("--tol-fds", type=int, default=8)
    ap.add_argument("--tol-threads", type=int, default=8)
    ap.add_argument("--tol-rss-mb", type=int, default=24)
    ap.add_argument("--tol-rss-pct", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=1,
                    help="campaigns side by side (campaign seeds S..S+N-1)")
    ap.add_argument("--worker-results", help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.players < 2:
        ap.error("at least two players")
    if args.jobs < 1 or args.jobs > 1 and args.seed is not None:
        ap.error("--jobs N (N >= 1) runs campaigns, not one --seed")

    def on_signal(signo, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if args.jobs > 1:
            return run_jobs(args)
        return Campaign(args).run()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
