// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2024 gst-wcs authors
//
// Browser end-to-end test: the official Flashphoner WCS web SDK (its own, unmodified
// example pages) in Debian's headless chromium, driven by playwright-core, against
// wcs-relay. Started by tests/browser/run, which installs the npm packages first.
//
// Environment:
//   WCS_RELAY          relay binary (default build/tests/relay/wcs-relay, relative to the repo)
//   WCS_SDK_DIR        unpacked @flashphoner/websdk package (default .npm/node_modules/...)
//   WCS_RELAY_ARGS     extra relay arguments (e.g. --verbose)
//   CHROMIUM           browser binary (default /usr/bin/chromium)
//   BROWSER_SCENARIOS  comma-separated subset of scenario names (default: all)
//   BROWSER_STEP_TIMEOUT_MS  longest wait for one step (default 60000)
//   GST_PLUGIN_PATH    where wcspublishsink / wcsplaysrc are (for the gst-* scenarios;
//                      default build/plugin next to the relay's build dir)
//
// Every scenario writes a screenshot, the page console and the relay log into
// tests/browser/.work/, and one line "PASS name" or "FAIL name: reason" into
// .work/results.txt. Every process started here is recorded in .work/pids so that the
// runner's trap can kill it by PID if this script dies.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { chromium } = require('playwright-core');
const { serveStatic } = require('./serve');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..');
const WORK = path.join(HERE, '.work');
const SDK_DIR = path.resolve(process.env.WCS_SDK_DIR ||
  path.join(HERE, '.npm', 'node_modules', '@flashphoner', 'websdk'));
const RELAY = path.resolve(REPO, process.env.WCS_RELAY || 'build/tests/relay/wcs-relay');
// Extra relay arguments, e.g. WCS_RELAY_ARGS=--verbose (its log goes to .work/).
const RELAY_ARGS = (process.env.WCS_RELAY_ARGS || '').split(/\s+/).filter(Boolean);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = Number(process.env.BROWSER_STEP_TIMEOUT_MS || 60000);
const PIDS_FILE = path.join(WORK, 'pids');
const RESULTS_FILE = path.join(WORK, 'results.txt');

const PAGES = {
  twoWay: 'examples/demo/streaming/two_way_streaming/two_way_streaming.html',
  autoRestore: 'examples/demo/streaming/stream-auto-restore/stream-auto-restore.html',
  player: 'examples/demo/streaming/player/player.html',
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  '--disable-quic',
  // Chromium skips loopback ICE candidates otherwise, and everything here is loopback.
  '--allow-loopback-in-peer-connection',
];

const T0 = Date.now();
function log(msg) {
  const s = ((Date.now() - T0) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${s}s] ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class StepError extends Error {}

/* ------------------------------------------------------------------ processes */

function recordPid(pid) {
  fs.appendFileSync(PIDS_FILE, `${pid}\n`);
}

const children = new Set();

// Record the PIDs of our direct children that we did not spawn ourselves (the
// browser playwright launched), so the runner's trap can kill them too.
function recordChildPids() {
  let known = '';
  try {
    known = fs.readFileSync(PIDS_FILE, 'utf8');
  } catch (e) { /* none yet */ }
  const have = new Set(known.split('\n').filter(Boolean));
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || have.has(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) recordPid(d);
    } catch (e) { /* raced with exit */ }
  }
}

function killAllChildren() {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch (e) { /* already gone */ }
  }
}

function startProcess(cmd, args, logFile, env) {
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `\n===== ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: Object.assign({}, process.env, env || {}),
  });
  recordPid(child.pid);
  children.add(child);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      fs.writeSync(out, `===== exited code=${code} signal=${signal}\n`);
      resolve({ code, signal });
    });
  });
  child.on('error', (e) => fs.writeSync(out, `===== spawn error: ${e.message}\n`));
  child.stdout.on('data', (d) => fs.writeSync(out, d));
  child.stderr.on('data', (d) => fs.writeSync(out, d));
  child.on('close', () => fs.closeSync(out));
  return child;
}

async function killProcess(child, signal = 'SIGTERM', graceMs = 5000) {
  if (!children.has(child)) return;
  try {
    process.kill(child.pid, signal);
  } catch (e) {
    return;
  }
  const r = await Promise.race([child.exited, sleep(graceMs).then(() => null)]);
  if (r === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch (e) { /* gone */ }
    await child.exited;
  }
}

// One wcs-relay process. start() waits for "listening on ws://127.0.0.1:PORT".
class Relay {
  constructor(logFile) {
    this.logFile = logFile;
    this.child = null;
    this.port = 0;
  }

  async startOnce(port) {
    const child = startProcess(RELAY, ['--port', String(port), ...RELAY_ARGS],
      this.logFile);
    this.child = child;
    let buf = '';
    const ready = new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        buf += d.toString();
        const m = buf.match(/listening on ws:\/\/127\.0\.0\.1:(\d+)/);
        if (m) resolve(Number(m[1]));
      });
      child.exited.then(({ code, signal }) =>
        reject(new StepError(`relay exited before it was ready (code ${code}, signal ${signal})`)));
      child.on('error', (e) => reject(new StepError(`cannot start relay ${RELAY}: ${e.message}`)));
    });
    const timeout = sleep(15000).then(() => {
      throw new StepError('relay did not print "listening on ws://127.0.0.1:PORT" within 15 s');
    });
    try {
      this.port = await Promise.race([ready, timeout]);
    } catch (e) {
      await killProcess(child, 'SIGKILL');
      throw e;
    }
    if (port && this.port !== port) {
      throw new StepError(`relay asked for port ${port} but listens on ${this.port}`);
    }
    return this.port;
  }

  // Start; with a fixed port retry for a while (the old socket may linger briefly).
  async start(port = 0) {
    const deadline = Date.now() + 15000;
    for (;;) {
      try {
        return await this.startOnce(port);
      } catch (e) {
        if (!port || Date.now() > deadline) throw e;
        await sleep(500);
      }
    }
  }

  get url() {
    return `ws://127.0.0.1:${this.port}`;
  }

  async kill(signal = 'SIGTERM') {
    if (this.child) await killProcess(this.child, signal);
    this.child = null;
  }
}

/* ------------------------------------------------------------------ browser */

async function newBrowser(name) {
  const profile = path.join(WORK, `profile-${name}`);
  fs.rmSync(profile, { recursive: true, force: true });
  fs.mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    permissions: ['camera', 'microphone'],
    timeout: 30000,
  });
  recordChildPids();
  return context;
}

async function openPage(context, name, url) {
  const page = context.pages()[0] || await context.newPage();
  const consoleLog = fs.openSync(path.join(WORK, `${name}-console.log`), 'w');
  const t = () => ((Date.now() - T0) / 1000).toFixed(1);
  page.on('console', (m) => fs.writeSync(consoleLog, `[${t()}] ${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => fs.writeSync(consoleLog, `[${t()}] PAGEERROR: ${e.message}\n`));
  page.on('requestfailed', (r) => fs.writeSync(consoleLog,
    `[${t()}] REQUESTFAILED: ${r.url()} ${r.failure() && r.failure().errorText}\n`));
  // Every signalling frame, both ways, for failure analysis.
  const wsLog = fs.openSync(path.join(WORK, `${name}-ws.jsonl`), 'w');
  let wsN = 0;
  page.on('websocket', (ws) => {
    const conn = ++wsN;
    const rec = (o) => fs.writeSync(wsLog, JSON.stringify(Object.assign({ t: Number(t()), conn }, o)) + '\n');
    rec({ event: 'open', url: ws.url() });
    ws.on('framesent', (f) => rec({ dir: 'c2s', raw: String(f.payload) }));
    ws.on('framereceived', (f) => rec({ dir: 's2c', raw: String(f.payload) }));
    ws.on('socketerror', (e) => rec({ event: 'error', error: String(e) }));
    ws.on('close', () => rec({ event: 'close' }));
  });
  page.on('response', (r) => {
    if (r.status() >= 400) fs.writeSync(consoleLog, `[${t()}] HTTP ${r.status()}: ${r.url()}\n`);
  });
  page.setDefaultTimeout(STEP_MS);
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

// Polls the page's status fields and remembers every change.
class StatusWatch {
  constructor(page, name, fields) {
    this.page = page;
    this.name = name;
    this.fields = fields; // { key: '#elementId' }
    this.current = {};
    this.history = []; // { t, key, value }
  }

  async sample() {
    const vals = await this.page.evaluate((fields) => {
      const r = {};
      for (const [k, sel] of Object.entries(fields)) {
        const el = document.querySelector(sel);
        r[k] = el ? el.textContent.trim() : null;
      }
      return r;
    }, this.fields);
    for (const [k, v] of Object.entries(vals)) {
      if (this.current[k] !== v) {
        this.current[k] = v;
        this.history.push({ t: Date.now(), key: k, value: v });
        if (v) log(`${this.name}: ${k} = ${v}`);
      }
    }
    return this.current;
  }

  // Wait until pred(current) is true; failIf(current) returns a reason to stop early.
  async waitFor(what, pred, failIf = null, timeoutMs = STEP_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cur = await this.sample();
      if (pred(cur)) return cur;
      const bad = failIf ? failIf(cur) : null;
      if (bad) throw new StepError(`${what}: ${bad} (status ${JSON.stringify(cur)})`);
      if (Date.now() > deadline) {
        throw new StepError(`${what}: not reached in ${timeoutMs / 1000} s (status ${JSON.stringify(cur)})`);
      }
      await sleep(100);
    }
  }

  // Keep sampling in the background (for status changes during sleeps).
  startBackground() {
    this.bg = true;
    (async () => {
      while (this.bg) {
        try {
          await this.sample();
        } catch (e) { /* page closing */ }
        await sleep(100);
      }
    })();
  }

  stopBackground() {
    this.bg = false;
  }

  since(t, key) {
    return this.history.filter((h) => h.t >= t && h.key === key).map((h) => h.value);
  }
}

// Snapshot of every <video> under a container: size and decoded frame counts.
async function videoInfo(page, container) {
  return page.evaluate((sel) => {
    return Array.from(document.querySelectorAll(`${sel} video`)).map((v) => {
      // Count frames the compositor hands us, as a second opinion next to
      // getVideoPlaybackQuality (installed once per element).
      if (!v.__wcsTestFrames && v.requestVideoFrameCallback) {
        v.__wcsTestFrames = { n: 0 };
        const cb = () => {
          v.__wcsTestFrames.n++;
          v.requestVideoFrameCallback(cb);
        };
        v.requestVideoFrameCallback(cb);
      }
      const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : null;
      return {
        id: v.id,
        width: v.videoWidth,
        height: v.videoHeight,
        frames: q ? q.totalVideoFrames : -1,
        dropped: q ? q.droppedVideoFrames : -1,
        rvfc: v.__wcsTestFrames ? v.__wcsTestFrames.n : -1,
        paused: v.paused,
        readyState: v.readyState,
        time: v.currentTime,
      };
    });
  }, container);
}

// What the page's SDK streams and <video> elements look like (for failure reports):
// per stream its status and WebRTC stats, per video its MediaStream tracks.
async function diagnose(page) {
  try {
    return await page.evaluate(async () => {
      const out = { streams: [], videos: [] };
      const F = window.Flashphoner;
      const sessions = F && F.getSessions ? F.getSessions() : [];
      for (const sess of sessions) {
        for (const st of sess.getStreams()) {
          const e = { name: st.name(), id: st.id(), status: st.status(), published: st.published() };
          try {
            const raw = await Promise.race([
              new Promise((r) => st.getStats((x) => r(x), true)),
              new Promise((r) => setTimeout(() => r(null), 3000)),
            ]);
            const pick = (list, keys) => (list || []).map((x) => {
              const o = {};
              for (const k of keys) if (x[k] !== undefined) o[k] = x[k];
              return o;
            });
            if (raw) {
              e.inbound = pick(raw['inbound-rtp'], ['kind', 'packetsReceived', 'bytesReceived',
                'packetsLost', 'framesReceived', 'framesDecoded', 'keyFramesDecoded', 'pliCount',
                'firCount', 'nackCount']);
              e.outbound = pick(raw['outbound-rtp'], ['kind', 'packetsSent', 'bytesSent',
                'framesEncoded', 'keyFramesEncoded', 'pliCount', 'firCount', 'nackCount']);
              e.transport = pick(raw.transport, ['dtlsState', 'iceState', 'bytesSent', 'bytesReceived']);
              e.codecs = pick(raw.codec, ['mimeType', 'payloadType']);
            }
          } catch (err) {
            e.statsError = String(err);
          }
          out.streams.push(e);
        }
      }
      for (const v of document.querySelectorAll('video')) {
        const so = v.srcObject;
        out.videos.push({
          id: v.id,
          parent: v.parentElement && v.parentElement.id,
          paused: v.paused,
          readyState: v.readyState,
          tracks: so && so.getTracks ? so.getTracks().map((t) =>
            ({ kind: t.kind, readyState: t.readyState, muted: t.muted, enabled: t.enabled })) : null,
        });
      }
      return out;
    });
  } catch (e) {
    return { error: e.message };
  }
}

// Wait until some video under `container` has videoWidth > 0 and its decoded frame
// count rose by at least minFrames since this call started watching it.
async function waitFrames(page, what, container, minFrames = 15, timeoutMs = STEP_MS) {
  const deadline = Date.now() + timeoutMs;
  const base = new Map();
  let last = [];
  for (;;) {
    last = await videoInfo(page, container);
    for (const v of last) {
      const key = v.id || '(no id)';
      if (!base.has(key)) {
        base.set(key, { frames: v.frames, rvfc: v.rvfc });
        continue;
      }
      const b = base.get(key);
      const df = v.frames - b.frames;
      const dr = v.rvfc - b.rvfc;
      if (v.width > 0 && (df >= minFrames || dr >= minFrames)) {
        log(`${what}: video ${key} ${v.width}x${v.height}, +${df} decoded frames ` +
            `(+${dr} rVFC), ${v.frames} total, ${v.dropped} dropped`);
        return v;
      }
    }
    if (Date.now() > deadline) {
      log(`${what}: diagnostics ${JSON.stringify(await diagnose(page))}`);
      throw new StepError(`${what}: no video with rising frame count under ${container} in ` +
        `${timeoutMs / 1000} s (videos: ${JSON.stringify(last)})`);
    }
    await sleep(250);
  }
}

// Colour statistics of a picture: what a <video> shows right now (source.videoId) or
// a PNG file (source.png), drawn into a canvas. Returns the mean colour, its spread,
// and the share of pixels looking like the two colours of Chromium's fake camera
// card: its dark green background and the light green of its clock, digits and
// corner marks. A decoder missing data paints flat dark green, which is why the light
// green matters.
async function pictureStats(page, source) {
  const src = source.png ?
    { png: 'data:image/png;base64,' + fs.readFileSync(source.png).toString('base64') } : source;
  return page.evaluate(async (s) => {
    let img;
    let w;
    let h;
    if (s.png) {
      img = new Image();
      img.src = s.png;
      await img.decode();
      w = img.naturalWidth;
      h = img.naturalHeight;
    } else {
      img = document.getElementById(s.videoId);
      if (!img || !img.videoWidth) return null;
      w = img.videoWidth;
      h = img.videoHeight;
    }
    const c = document.createElement('canvas');
    c.width = 160;
    c.height = 120;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(img, 0, 0, c.width, c.height);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const n = d.length / 4;
    const sum = [0, 0, 0];
    const sq = [0, 0, 0];
    let cardBg = 0;
    let cardLight = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, gr, b] = [d[i], d[i + 1], d[i + 2]];
      for (let k = 0; k < 3; k++) {
        sum[k] += d[i + k];
        sq[k] += d[i + k] * d[i + k];
      }
      if (gr >= 100 && gr <= 180 && r <= 50 && b <= 50) cardBg++;
      if (gr >= 200 && r >= 30 && r <= 170 && b <= 100) cardLight++;
    }
    const mean = sum.map((x) => Math.round(x / n));
    const sd = sq.map((x, k) => Math.round(Math.sqrt(Math.max(0, x / n - (sum[k] / n) ** 2))));
    return { width: w, height: h, r: mean[0], g: mean[1], b: mean[2], sd,
      cardBg: cardBg / n, cardLight: cardLight / n };
  }, src);
}

function describePicture(p) {
  return p ? `${p.width}x${p.height} mean rgb(${p.r},${p.g},${p.b}) sd ${p.sd.join('/')}, ` +
    `card background ${(p.cardBg * 100).toFixed(1)}%, card light ${(p.cardLight * 100).toFixed(1)}%` :
    'unreadable';
}

// Chromium's fake camera card: mostly dark green, with light green marks.
const isFakeCameraCard = (p) => p.cardBg >= 0.5 && p.cardLight >= 0.01;

// Wait (bounded) until the picture a <video> shows satisfies pred; the first frames
// after joining a stream may legitimately be incomplete until a key frame arrives.
async function waitPicture(page, what, videoId, desc, pred, timeoutMs = 15000) {
  const t = Date.now();
  const deadline = t + timeoutMs;
  let p = null;
  let lastLog = 0;
  for (;;) {
    p = await pictureStats(page, { videoId });
    if (p && pred(p)) {
      log(`${what}: picture ${describePicture(p)} is ${desc}` +
          ` (after ${((Date.now() - t) / 1000).toFixed(1)} s)`);
      return p;
    }
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now();
      log(`${what}: picture ${describePicture(p)}, waiting for ${desc}`);
    }
    if (Date.now() > deadline) {
      throw new StepError(`${what}: the picture is not ${desc} within ${timeoutMs / 1000} s ` +
        `(${describePicture(p)})`);
    }
    await sleep(250);
  }
}

// Chromium's fake camera shows a green test card: the played picture must be green.
function expectFakeCameraPicture(page, what, videoId) {
  return waitPicture(page, what, videoId, "the fake camera's green card", isFakeCameraCard);
}

async function screenshot(page, name) {
  const file = path.join(WORK, `${name}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 15000 });
    log(`${name}: screenshot ${path.relative(REPO, file)}`);
  } catch (e) {
    log(`${name}: screenshot failed: ${e.message}`);
  }
}

function uniqueName(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/* ------------------------------------------------------------------ page steps */

const FAILED_STATES = ['FAILED', 'DISCONNECTED'];

async function connect(page, watch, url) {
  await page.waitForSelector('#connectBtn:not([disabled])');
  await page.fill('#urlServer', url);
  await page.click('#connectBtn');
  await watch.waitFor('connect', (s) => s.connect === 'ESTABLISHED',
    (s) => (FAILED_STATES.includes(s.connect) ? `session ${s.connect}` : null));
}

async function publish(page, watch, streamName) {
  await page.waitForSelector('#publishBtn:not([disabled])');
  await page.fill('#publishStream', streamName);
  await page.click('#publishBtn');
  await watch.waitFor('publish', (s) => s.publish === 'PUBLISHING',
    (s) => (s.publish === 'FAILED' ? `publish FAILED: ${s.publishInfo}` : null));
}

async function play(page, watch, streamName) {
  await page.waitForSelector('#playBtn:not([disabled])');
  await page.fill('#playStream', streamName);
  await page.click('#playBtn');
  await watch.waitFor('play', (s) => s.play === 'PLAYING',
    (s) => (s.play === 'FAILED' ? `play FAILED: ${s.playInfo}` : null));
}

const STATUS_FIELDS = {
  connect: '#connectStatus',
  publish: '#publishStatus',
  publishInfo: '#publishInfo',
  play: '#playStatus',
  playInfo: '#playInfo',
};

/* ------------------------------------------------------------------ scenarios */

// 1. two_way_streaming: publish from the browser and play it back in the browser.
async function scenarioTwoWay(ctx) {
  const name = 'two_way';
  const relay = ctx.relay(name);
  await relay.start(0);
  log(`${name}: relay at ${relay.url}`);
  const browser = await ctx.browser(name);
  const page = await openPage(browser, name, `${ctx.base}/${PAGES.twoWay}`);
  const watch = new StatusWatch(page, name, STATUS_FIELDS);
  const stream = uniqueName('tws');

  await connect(page, watch, relay.url);
  await publish(page, watch, stream);
  await waitFrames(page, `${name} local preview`, '#localVideo', 5);
  await play(page, watch, stream);
  const v = await waitFrames(page, `${name} player`, '#remoteVideo');
  await expectFakeCameraPicture(page, `${name} player`, v.id);
  await screenshot(page, name);

  // Clean stop, in the page's own order: stop play, stop publish, disconnect.
  await page.click('#playBtn');
  await watch.waitFor('stop play', (s) => s.play === 'STOPPED', null, 15000);
  await page.click('#publishBtn');
  await watch.waitFor('stop publish', (s) => s.publish === 'UNPUBLISHED', null, 15000);
  await page.click('#connectBtn');
  await watch.waitFor('disconnect', (s) => s.connect === 'DISCONNECTED', null, 15000);
}

// 2. stream-auto-restore: publish + play, SIGKILL the relay, restart it on the same
//    port, and the page restores publishing and playback by itself.
async function scenarioAutoRestore(ctx) {
  const name = 'auto_restore';
  const relay = ctx.relay(name);
  await relay.start(0);
  const port = relay.port;
  log(`${name}: relay at ${relay.url}`);
  const browser = await ctx.browser(name);
  const page = await openPage(browser, name, `${ctx.base}/${PAGES.autoRestore}`);
  const watch = new StatusWatch(page, name, STATUS_FIELDS);
  const stream = uniqueName('sar');

  await connect(page, watch, relay.url);
  await publish(page, watch, stream);
  await play(page, watch, stream);
  const v1 = await waitFrames(page, `${name} player`, '#remoteVideo');
  await expectFakeCameraPicture(page, `${name} player`, v1.id);
  await screenshot(page, `${name}-before`);

  // The bitrate detector runs while PUBLISHING: with real media it must not fire.
  await sleep(2500);
  await watch.waitFor('publishing steady', (s) => s.publish === 'PUBLISHING' && s.play === 'PLAYING',
    null, 1000);

  const tKill = Date.now();
  log(`${name}: SIGKILL relay pid ${relay.child.pid}`);
  await relay.kill('SIGKILL');
  watch.startBackground();
  try {
    await watch.waitFor('page notices the dead relay',
      (s) => FAILED_STATES.includes(s.connect) || s.publish === 'FAILED', null, 30000);
    log(`${name}: page noticed after ${((Date.now() - tKill) / 1000).toFixed(1)} s`);

    await relay.start(port);
    const tUp = Date.now();
    log(`${name}: relay restarted on ${relay.url} (pid ${relay.child.pid})`);

    await watch.waitFor('session restored',
      (s) => s.connect === 'ESTABLISHED' && watch.since(tKill, 'connect').length > 0);
    await watch.waitFor('publishing restored',
      (s) => s.publish === 'PUBLISHING' && watch.since(tKill, 'publish').length > 0);
    await watch.waitFor('playback restored',
      (s) => s.play === 'PLAYING' && watch.since(tKill, 'play').length > 0);
    const tPlaying = Date.now();
    log(`${name}: restored: PLAYING ${((tPlaying - tKill) / 1000).toFixed(1)} s after the kill, ` +
        `${((tPlaying - tUp) / 1000).toFixed(1)} s after the relay came back ` +
        `(publish went ${watch.since(tKill, 'publish').join(' > ')}; ` +
        `play went ${watch.since(tKill, 'play').join(' > ')})`);
    // Frames counted from now on: the old peer connection died with the old relay.
    const v2 = await waitFrames(page, `${name} player after restore`, '#remoteVideo');
    await expectFakeCameraPicture(page, `${name} player after restore`, v2.id);
    await screenshot(page, name);
  } finally {
    watch.stopBackground();
  }
}

/* ------------------------------------------------------------------ gst scenarios */

// The plugin lives next to the relay in the same build dir: BUILD/tests/relay/wcs-relay.
const GST_PLUGIN_PATH = process.env.GST_PLUGIN_PATH ||
  path.join(path.dirname(path.dirname(path.dirname(RELAY))), 'plugin');
const GST_ENV = { GST_PLUGIN_PATH, GST_REGISTRY: path.join(WORK, 'gst-registry.bin') };

// Why the gst-* scenarios cannot run (elements not built), or null.
function gstElementsMissing() {
  for (const el of ['wcspublishsink', 'wcsplaysrc']) {
    const r = spawnSync('gst-inspect-1.0', [el], {
      env: Object.assign({}, process.env, GST_ENV), encoding: 'utf8', timeout: 60000,
    });
    if (r.error) return `gst-inspect-1.0: ${r.error.message}`;
    if (r.status !== 0) return `gst-inspect-1.0 does not find ${el} in ${GST_PLUGIN_PATH}`;
  }
  return null;
}

// Resolves with the first match of re in the process's stdout+stderr, rejects if the
// process exits first or nothing matches in time.
function waitOutput(child, re, what, timeoutMs = STEP_MS) {
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      fn(v);
    };
    const onData = (d) => {
      buf += d.toString();
      const m = buf.match(re);
      if (m) finish(resolve, m);
      if (buf.length > 1 << 20) buf = buf.slice(-65536);
    };
    const timer = setTimeout(() => finish(reject,
      new StepError(`${what}: not seen in ${timeoutMs / 1000} s (${re})`)), timeoutMs);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.exited.then(({ code, signal }) => finish(reject,
      new StepError(`${what}: gst-launch-1.0 exited first (code ${code}, signal ${signal})`)));
  });
}

function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (e) {
    return '';
  }
}

// 3. gst-launch publishes with wcspublishsink; the SDK's player page plays it.
async function scenarioGstPublish(ctx) {
  const name = 'gst_publish';
  const relay = ctx.relay(name);
  await relay.start(0);
  log(`${name}: relay at ${relay.url}`);
  const stream = uniqueName('gstpub');
  const gstLog = path.join(WORK, `${name}-gst.log`);
  fs.writeFileSync(gstLog, '');
  // A red picture with a moving ball: the player must show red, not the fake camera.
  const gst = ctx.process('gst-launch-1.0', ['-m', '-e',
    'videotestsrc', 'is-live=true', 'pattern=ball', 'background-color=0xffc02020', '!',
    'video/x-raw,width=320,height=240,framerate=15/1', '!',
    'wcspublishsink', `location=${relay.url}`, `stream-name=${stream}`], gstLog, GST_ENV);
  try {
    await waitOutput(gst, /wcs-stream-status, status=\(string\)PUBLISHING/, 'wcspublishsink PUBLISHING');
  } catch (e) {
    throw new StepError(`${e.message}\n${tail(gstLog)}`);
  }
  log(`${name}: wcspublishsink is PUBLISHING ${stream}`);

  const browser = await ctx.browser(name);
  const page = await openPage(browser, name, `${ctx.base}/${PAGES.player}`);
  const watch = new StatusWatch(page, name, { status: '#status', info: '#info' });
  await page.waitForSelector('#playBtn:not([disabled])');
  await page.fill('#url', relay.url);
  await page.fill('#streamName', stream);
  await page.click('#playBtn');
  await watch.waitFor('play', (st) => st.status === 'PLAYING',
    (st) => (['FAILED', 'DISCONNECTED'].includes(st.status) ? `player ${st.status}: ${st.info}` : null));
  const v = await waitFrames(page, `${name} player`, '#remoteVideo');
  await waitPicture(page, `${name} player`, v.id, 'the red videotestsrc picture',
    (p) => p.r > p.g + 60 && p.r > p.b + 60);
  await screenshot(page, name);

  // EOS (SIGINT with -e) unpublishes: gst-launch ends by itself and the player sees
  // the stream go away.
  watch.startBackground();
  try {
    process.kill(gst.pid, 'SIGINT');
    const r = await Promise.race([gst.exited, sleep(20000).then(() => null)]);
    if (r === null) throw new StepError(`${name}: gst-launch-1.0 did not exit within 20 s of EOS`);
    if (r.code !== 0) {
      throw new StepError(`${name}: gst-launch-1.0 exited with code ${r.code} signal ${r.signal}` +
        ` after EOS\n${tail(gstLog)}`);
    }
    await watch.waitFor('player sees the publisher stop',
      (st) => ['STOPPED', 'FAILED'].includes(st.status), null, 20000);
  } finally {
    watch.stopBackground();
  }
}

// 4. The SDK's two-way page publishes; gst-launch plays it with wcsplaysrc. Every
//    decoded frame becomes a numbered PNG (only the last two are kept): the number
//    counts the frames, and the last one must be the fake camera's green card.
async function scenarioGstPlay(ctx) {
  const name = 'gst_play';
  const relay = ctx.relay(name);
  await relay.start(0);
  log(`${name}: relay at ${relay.url}`);
  const browser = await ctx.browser(name);
  const page = await openPage(browser, name, `${ctx.base}/${PAGES.twoWay}`);
  const watch = new StatusWatch(page, name, STATUS_FIELDS);
  const stream = uniqueName('gstplay');
  await connect(page, watch, relay.url);
  await publish(page, watch, stream);

  const gstLog = path.join(WORK, `${name}-gst.log`);
  fs.writeFileSync(gstLog, '');
  const pngRe = /^gst_play-(\d+)\.png$/;
  const pngs = () => fs.readdirSync(WORK).filter((f) => pngRe.test(f))
    .sort((x, y) => Number(x.match(pngRe)[1]) - Number(y.match(pngRe)[1]));
  for (const f of pngs()) fs.rmSync(path.join(WORK, f));
  const FRAMES = 30;
  const gst = ctx.process('gst-launch-1.0', ['-m',
    'wcsplaysrc', `location=${relay.url}`, `stream-name=${stream}`, '!',
    'videoconvert', '!', 'pngenc', 'compression-level=1', '!',
    'multifilesink', `location=${path.join(WORK, 'gst_play-%05d.png')}`, 'max-files=2'],
    gstLog, GST_ENV);
  try {
    await waitOutput(gst, /wcs-stream-status, status=\(string\)PLAYING/, 'wcsplaysrc PLAYING');
    log(`${name}: wcsplaysrc is PLAYING ${stream}`);
    const deadline = Date.now() + STEP_MS;
    let exited = null;
    gst.exited.then((r) => { exited = r; });
    for (;;) {
      const have = pngs();
      const count = have.length ? Number(have[have.length - 1].match(pngRe)[1]) + 1 : 0;
      // Only read a PNG multifilesink has moved on from (the newest may be half written).
      if (count > FRAMES && have.length >= 2) {
        log(`${name}: wcsplaysrc delivered ${count} decoded frames`);
        break;
      }
      if (exited) {
        throw new StepError(`${name}: gst-launch-1.0 exited (code ${exited.code}, signal ` +
          `${exited.signal}) after ${count} frames`);
      }
      if (Date.now() > deadline) {
        throw new StepError(`${name}: wcsplaysrc delivered ${count} frames in ${STEP_MS / 1000} s, ` +
          `want ${FRAMES}`);
      }
      await sleep(250);
    }
  } catch (e) {
    throw new StepError(`${e.message}\n${tail(gstLog)}`);
  }
  const have = pngs();
  const file = path.join(WORK, have[have.length - 2]);
  fs.copyFileSync(file, path.join(WORK, `${name}.png`));
  const p = await pictureStats(page, { png: file });
  log(`${name}: decoded frame ${describePicture(p)}; ` +
      `saved as ${path.relative(REPO, path.join(WORK, name + '.png'))}`);
  if (!(p.width > 0 && isFakeCameraCard(p))) {
    throw new StepError(`${name}: the frame wcsplaysrc decoded is not the fake camera's ` +
      `green card (${describePicture(p)})`);
  }
  await screenshot(page, `${name}-page`);

  // A deliberate stop must not hang.
  process.kill(gst.pid, 'SIGINT');
  const r = await Promise.race([gst.exited, sleep(20000).then(() => null)]);
  if (r === null) {
    throw new StepError(`${name}: gst-launch-1.0 did not stop within 20 s of SIGINT\n${tail(gstLog)}`);
  }
  log(`${name}: gst-launch-1.0 stopped (code ${r.code})`);
}

const SCENARIOS = [
  ['two_way', scenarioTwoWay],
  ['auto_restore', scenarioAutoRestore],
  ['gst_publish', scenarioGstPublish, 'gst'],
  ['gst_play', scenarioGstPlay, 'gst'],
];

/* ------------------------------------------------------------------ main */

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(RESULTS_FILE, '');
  // Leftovers of an earlier run would be mistaken for this run's evidence.
  for (const f of fs.readdirSync(WORK)) {
    if (/\.png$|-console\.log$|-relay\.log$|-gst\.log$|-ws\.jsonl$/.test(f)) fs.rmSync(path.join(WORK, f));
  }
  for (const f of [path.join(SDK_DIR, PAGES.twoWay), path.join(SDK_DIR, PAGES.autoRestore)]) {
    if (!fs.existsSync(f)) throw new Error(`SDK page missing: ${f}`);
  }
  if (!fs.existsSync(RELAY)) {
    throw new Error(`relay binary not found: ${RELAY} (build it, or set WCS_RELAY)`);
  }
  const want = (process.env.BROWSER_SCENARIOS || '').split(',').filter(Boolean);
  const unknown = want.filter((w) => !SCENARIOS.some(([n]) => n === w));
  if (unknown.length) {
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ` +
      SCENARIOS.map(([n]) => n).join(', '));
  }
  const server = await serveStatic(SDK_DIR);
  const base = `http://127.0.0.1:${server.port}`;
  log(`serving ${SDK_DIR} at ${base}/`);

  let passed = 0;
  let failed = 0;
  let gstMissing;
  for (const [name, fn, needs] of SCENARIOS) {
    if (want.length && !want.includes(name)) continue;
    if (needs === 'gst') {
      if (gstMissing === undefined) gstMissing = gstElementsMissing();
      if (gstMissing) {
        fs.appendFileSync(RESULTS_FILE, `SKIP ${name}: ${gstMissing}\n`);
        log(`SKIP ${name}: ${gstMissing}`);
        continue;
      }
    }
    const relays = [];
    const browsers = [];
    const procs = [];
    const ctx = {
      process: (cmd, args, logFile, env) => {
        const c = startProcess(cmd, args, logFile, env);
        procs.push(c);
        return c;
      },
      base,
      relay: (n) => {
        const r = new Relay(path.join(WORK, `${n}-relay.log`));
        fs.writeFileSync(r.logFile, '');
        relays.push(r);
        return r;
      },
      browser: async (n) => {
        const b = await newBrowser(n);
        browsers.push(b);
        return b;
      },
    };
    log(`=== ${name}`);
    const t = Date.now();
    try {
      await fn(ctx);
      passed++;
      fs.appendFileSync(RESULTS_FILE, `PASS ${name}\n`);
      log(`PASS ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      const reason = e instanceof StepError ? e.message : (e.stack || String(e));
      fs.appendFileSync(RESULTS_FILE, `FAIL ${name}: ${reason.split('\n')[0]}\n`);
      log(`FAIL ${name}: ${reason}`);
      for (const b of browsers) {
        for (const p of b.pages()) await screenshot(p, `${name}-failure`);
      }
      // What the relay thinks of its streams (WCS REST find_all), for the report.
      for (const r of relays) {
        if (!r.child) continue;
        try {
          const res = await fetch(`http://127.0.0.1:${r.port}/rest-api/stream/find_all`, {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
            signal: AbortSignal.timeout(5000),
          });
          log(`${name}: relay find_all: HTTP ${res.status} ${(await res.text()).slice(0, 4000)}`);
        } catch (err) {
          log(`${name}: relay find_all failed: ${err.message} ${err.cause ? err.cause.message || err.cause : ""}`);
        }
      }
    } finally {
      for (const b of browsers) {
        await b.close().catch(() => {});
      }
      for (const c of procs) await killProcess(c, 'SIGTERM');
      for (const r of relays) await r.kill('SIGTERM');
    }
  }
  await server.close();
  log(`scenarios: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}
process.on('exit', killAllChildren);

main().then(
  (rc) => process.exit(rc),
  (e) => {
    log(`error: ${e.message}`);
    fs.appendFileSync(RESULTS_FILE, `FAIL setup: ${e.message}\n`);
    killAllChildren();
    process.exit(1);
  });
