// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2024 gst-wcs authors
//
// Small static file server for the browser test: serves a folder (the unpacked
// @flashphoner/websdk package, unmodified) on 127.0.0.1, port 0 by default.
//
// As a module:  const { serveStatic } = require('./serve');
//               const srv = await serveStatic(root);  // srv.port, srv.close()
// As a program: node serve.js ROOT [PORT]   prints "serving http://127.0.0.1:PORT/"
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
  '.mp4': 'video/mp4',
  '.swf': 'application/x-shockwave-flash',
  '.txt': 'text/plain; charset=utf-8',
};

function send(res, code, text) {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text + '\n');
}

function handler(root, log) {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed');
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch (e) {
      send(res, 400, 'bad request');
      return;
    }
    if (rel.includes('\0')) {
      send(res, 400, 'bad request');
      return;
    }
    const file = path.resolve(root, '.' + rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      send(res, 403, 'forbidden');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        if (log) log(`404 ${req.url}`);
        send(res, 404, 'not found');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
    });
  };
}

function serveStatic(root, port = 0, log = null) {
  root = path.resolve(root);
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler(root, log));
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}

module.exports = { serveStatic };

if (require.main === module) {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: node serve.js ROOT [PORT]');
    process.exit(2);
  }
  serveStatic(root, Number(process.argv[3] || 0), (m) => console.error(m)).then(
    (s) => console.log(`serving http://127.0.0.1:${s.port}/`),
    (e) => {
      console.error(`serve.js: ${e.message}`);
      process.exit(1);
    });
}
