#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2024 gst-wcs authors
#
# gst-wcs example: a Python (PyGObject) application that publishes or plays a
# WCS stream and reacts to every bus message of the elements (the Python
# counterpart of examples/wcs-app.c).
#
#   examples/wcs-app.py publish ws://127.0.0.1:8080 cam1
#   examples/wcs-app.py play    ws://127.0.0.1:8080 cam1 --duration 10
#   examples/wcs-app.py publish wss://wcs.example.com:8443 cam1 video-bitrate=1000 strip-codecs=H264
#   examples/wcs-app.py play ws://127.0.0.1:8080 cam1 \
#       --video-sink "videoconvert ! xvimagesink" --audio-sink "audioconvert ! pulsesink"
#
# publish: videotestsrc (+ audiotestsrc unless --no-audio) into wcspublishsink.
# play:    wcsplaysrc; every pad it adds goes to --video-sink / --audio-sink
#          (default fakesink), video frames are counted.
# Extra NAME=VALUE arguments set properties of the wcs element.
#
# Stopping: Ctrl-C (SIGINT/SIGTERM) or the end of --duration sends EOS: the
# publisher unpublishes, the player stops its stream, then EOS reaches the bus
# and the program exits 0 (a second Ctrl-C, or no EOS within 5 s, quits at
# once). An ERROR (a permanent refusal, bad settings, or the restore loop
# giving up) exits 1; bad arguments exit 2.
#
# Needs PyGObject and the GStreamer typelibs (Debian: python3-gi,
# gir1.2-gstreamer-1.0) and the plugin: GST_PLUGIN_PATH=build/plugin (set
# automatically when build/plugin exists next to this file).

import argparse
import os
import signal
import sys

try:
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst
except (ImportError, ValueError) as e:
    # a python3 outside Debian's (pyenv, venv) does not see python3-gi:
    # retry once with the system interpreter
    system_python = "/usr/bin/python3"
    if (os.path.realpath(sys.executable) != os.path.realpath(system_python)
            and os.access(system_python, os.X_OK)
            and not os.environ.get("WCS_APP_REEXEC")):
        os.environ["WCS_APP_REEXEC"] = "1"
        os.execv(system_python, [system_python] + sys.argv)
    sys.stderr.write("wcs-app.py: PyGObject with GStreamer is missing (%s): "
                     "install python3-gi and gir1.2-gstreamer-1.0\n" % e)
    sys.exit(2)

STOP_TIMEOUT_S = 5


def out(line):
    print(line, flush=True)


def get_uint(s, field):
    ok, value = s.get_uint(field)
    return value if ok else 0


class App:
    def __init__(self, args):
        self.args = args
        self.publishing = args.mode == "publish"
        self.loop = GLib.MainLoop()
        self.exit_code = 0
        self.stopping = False
        self.video_frames = 0
        self.branches = 0
        self.pipeline = None
        self.wcs = None

    # -- building ---------------------------------------------------------

    def build(self):
        a = self.args
        if self.publishing:
            desc = ("wcspublishsink name=wcs "
                    "videotestsrc is-live=true pattern=%s ! %s ! wcs.video"
                    % (a.pattern, a.video_caps))
            if not a.no_audio:
                desc += " audiotestsrc is-live=true wave=ticks ! wcs.audio"
            self.pipeline = Gst.parse_launch(desc)
            self.wcs = self.pipeline.get_by_name("wcs")
        else:
            # the branches are added as the source's pads appear
            self.pipeline = Gst.Pipeline.new("wcs-app")
            self.wcs = Gst.ElementFactory.make("wcsplaysrc", "wcs")
            self.pipeline.add(self.wcs)
        props = [("location", a.location), ("stream-name", a.stream_name)]
        for p in a.props:
            name, sep, value = p.partition("=")
            if not sep:
                raise ValueError("'%s' is not NAME=VALUE" % p)
            props.append((name, value))
        for name, value in props:
            if self.wcs.find_property(name) is None:
                raise ValueError("%s has no property '%s'"
                                 % (self.wcs.get_factory().get_name(), name))
            Gst.util_set_object_arg(self.wcs, name, value)
        if not self.publishing:
            self.wcs.connect("pad-added", self.on_pad_added)

    def on_pad_added(self, element, pad):
        # streaming thread: build "queue ! SINK" for the new pad
        kind = pad.get_name()
        desc = self.args.video_sink if kind == "video" else self.args.audio_sink
        sink = Gst.parse_bin_from_description("queue ! " + desc, True)
        self.pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))
        self.branches += 1
        if kind == "video":
            pad.add_probe(Gst.PadProbeType.BUFFER, self.on_video_buffer)
        GLib.idle_add(out, "[media] %s pad added" % kind)

    def on_video_buffer(self, pad, info):
        self.video_frames += 1
        if self.video_frames == 1:
            caps = pad.get_current_caps()
            GLib.idle_add(out, "[media] first video frame%s" % (
                ": " + caps.to_string() if caps else ""))
        return Gst.PadProbeReturn.OK

    # -- bus messages -----------------------------------------------------

    def on_wcs_message(self, s):
        name = s.get_name()
        if name == "wcs-session-status":
            reason = s.get_string("reason")
            # server: the one in use (location or a backup-locations one)
            out("[session] %s %s%s" % (s.get_string("status"),
                                       s.get_string("server")
                                       or s.get_string("location"),
                                       ": " + reason if reason else ""))
        elif name == "wcs-stream-status":
            info = s.get_string("info")
            codec = s.get_string("codec")
            out("[stream] %s %s%s%s" % (s.get_string("stream-name"),
                                        s.get_string("status"),
                                        " (%s)" % info if info else "",
                                        ", codec " + codec if codec else ""))
        elif name == "wcs-restore":
            phase = s.get_string("phase")
            reason = s.get_string("reason")
            attempt = get_uint(s, "attempt")
            max_tries = get_uint(s, "max-tries")
            if phase == "scheduled":
                out("[restore] attempt %u/%u in %u ms (%s)" % (
                    attempt, max_tries, get_uint(s, "delay-ms"), reason))
            elif phase == "attempt":
                out("[restore] attempt %u/%u starts (%s)" % (
                    attempt, max_tries, reason))
            elif phase == "restored":
                ok, downtime = s.get_uint64("downtime-ms")
                out("[restore] restored after %u attempt(s), %u ms down (%s)"
                    % (attempt, downtime if ok else 0, reason))
            elif phase == "gave-up":
                # an ERROR follows; it ends the program
                out("[restore] gave up after %u attempt(s) (%s)" % (
                    attempt, reason))
            else:
                out("[restore] %s %u/%u (%s)" % (phase, attempt, max_tries,
                                                 reason))
        elif name == "wcs-publish-failure":
            out("[bitrate] nothing sent for %u checks with %s: republishing"
                % (get_uint(s, "zero-readings"), s.get_string("codec")))
        elif name == "wcs-codec-fallback":
            out("[codec] falling back from %s to %s" % (s.get_string("from"),
                                                       s.get_string("to")))
        elif name == "wcs-network-changed":
            ok, available = s.get_boolean("available")
            out("[network] changed, %savailable"
                % ("" if ok and available else "not "))
        else:
            out("[%s] %s" % (name, s.to_string()))

    def on_bus(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if (msg.src == self.wcs and s is not None
                    and s.get_name().startswith("wcs-")):
                self.on_wcs_message(s)
        elif t == Gst.MessageType.WARNING:
            # the start of an outage: the element restores by itself
            err, dbg = msg.parse_warning()
            out("[warning] %s" % err.message)
        elif t == Gst.MessageType.ERROR:
            # a permanent refusal, bad settings or the restore gave up
            err, dbg = msg.parse_error()
            out("[error] %s (%s)" % (err.message, dbg or ""))
            self.exit_code = 1
            self.loop.quit()
        elif t == Gst.MessageType.EOS:
            out("[eos] %s" % ("unpublished and closed" if self.publishing
                              else "end of stream"))
            self.loop.quit()
        return True

    # -- stopping, stats --------------------------------------------------

    def stop(self, why):
        if self.stopping:
            self.loop.quit()
            return
        self.stopping = True
        if not self.publishing and self.branches == 0:
            # a player without pads yet (still connecting or restoring) has
            # nothing for EOS to flush
            out("[app] %s: stopping" % why)
            self.loop.quit()
            return
        out("[app] %s: sending EOS" % why)
        self.pipeline.send_event(Gst.Event.new_eos())
        GLib.timeout_add_seconds(STOP_TIMEOUT_S, self.force_quit)

    def force_quit(self):
        out("[app] no EOS within %d s, quitting" % STOP_TIMEOUT_S)
        self.exit_code = 1
        self.loop.quit()
        return False

    def on_signal(self):
        self.stop("signal")
        return True

    def on_duration(self):
        self.stop("duration over")
        return False

    def print_stats(self):
        stats = self.wcs.get_property("stats")
        codec = self.wcs.get_property("codec")
        out("[stats] codec %s, %s" % (codec or "-",
                                      stats.to_string() if stats else "(none)"))
        return True

    def run(self):
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_bus)
        for sig in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, self.on_signal)
        if self.args.stats_interval > 0:
            GLib.timeout_add_seconds(self.args.stats_interval, self.print_stats)
        if self.args.duration > 0:
            GLib.timeout_add(int(self.args.duration * 1000), self.on_duration)

        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            # bad settings: the ERROR on the bus names the property
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            if msg:
                err, dbg = msg.parse_error()
                out("[error] %s" % err.message)
            self.exit_code = 1
        else:
            self.loop.run()

        self.print_stats()
        if not self.publishing:
            out("[media] %d video frames" % self.video_frames)
        self.pipeline.set_state(Gst.State.NULL)
        bus.remove_signal_watch()
        return self.exit_code


def main():
    Gst.init(None)
    p = argparse.ArgumentParser(
        description="Publish or play a WCS stream with wcspublishsink / "
        "wcsplaysrc and print every wcs-* bus message.",
        epilog="Extra NAME=VALUE arguments set properties of the wcs element "
        "(e.g. restore-max-tries=10 media-timeout=3000). Exit status: 0 after "
        "a clean EOS, 1 on an ERROR (refusal, bad settings, restore gave up), "
        "2 on bad arguments.")
    p.add_argument("mode", choices=("publish", "play"))
    p.add_argument("location", help="ws:// or wss:// URL of the server")
    p.add_argument("stream_name", metavar="stream-name")
    p.add_argument("props", nargs="*", metavar="NAME=VALUE",
                   help="property of wcspublishsink / wcsplaysrc")
    p.add_argument("--duration", type=float, default=0, metavar="SECONDS",
                   help="send EOS after this long (default: run until Ctrl-C)")
    p.add_argument("--stats-interval", type=int, default=5, metavar="SECONDS",
                   help="print the element's stats this often (0: only at "
                   "the end; default 5)")
    p.add_argument("--video-caps",
                   default="video/x-raw,width=640,height=360,framerate=30/1",
                   help="publish: caps of the test video")
    p.add_argument("--pattern", default="ball",
                   help="publish: videotestsrc pattern (default ball)")
    p.add_argument("--no-audio", action="store_true",
                   help="publish: video only")
    p.add_argument("--video-sink", default="fakesink sync=false",
                   help="play: launch description the video pad feeds "
                   "(default fakesink; e.g. \"videoconvert ! xvimagesink\")")
    p.add_argument("--audio-sink", default="fakesink sync=false",
                   help="play: launch description the audio pad feeds")
    args = p.parse_args()

    factory = "wcspublishsink" if args.mode == "publish" else "wcsplaysrc"
    if Gst.ElementFactory.find(factory) is None:
        sys.stderr.write("%s not found: build the plugin (scripts/setup) and "
                         "set GST_PLUGIN_PATH=build/plugin\n" % factory)
        return 2

    app = App(args)
    try:
        app.build()
    except (GLib.Error, ValueError, TypeError) as e:
        sys.stderr.write("wcs-app.py: %s\n" % e)
        return 2
    return app.run()


if __name__ == "__main__":
    # default GST_PLUGIN_PATH: the build tree next to this file
    build_plugin = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "build", "plugin")
    if "GST_PLUGIN_PATH" not in os.environ and \
            "GST_PLUGIN_PATH_1_0" not in os.environ and \
            os.path.isdir(build_plugin):
        os.environ["GST_PLUGIN_PATH"] = os.path.normpath(build_plugin)
    sys.exit(main())
