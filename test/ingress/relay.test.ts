// The ingress proxy's byte relay under awkward timing: responses that arrive from the backend in tiny pieces,
// pipelined requests whose bodies are split across reads, a backend that closes mid-response or before
// answering, and a slow reader of a large body (backpressure) while other clients keep being served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { IngressServer, Upstream } from '../../src/ingress/index.js';
import { listen, startTestIngress } from './helpers.js';

/** 8 MiB whose every 64 KiB block differs, so a block relayed twice or out of order is noticed. */
const BIG = crypto.randomBytes(8 << 20);
const BIG_SHA = crypto.createHash('sha256').update(BIG).digest('hex');
/** Its first 256 KiB, for responses that fill the proxy's read buffer while the big one waits for a slow reader. */
const BLOCK = BIG.subarray(0, 256 << 10);
let ingress: IngressServer;
let backend: http.Server;
let raw: net.Server;
const upstreams = new Map<string, Upstream>();
const rawSockets = new Set<net.Socket>();
let backendConnections = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `text` a few bytes at a time, each piece its own packet. */
async function dribble(socket: net.Socket, text: string, size = 3): Promise<void> {
  for (let i = 0; i < text.length && !socket.destroyed; i += size) {
    socket.write(text.slice(i, i + size));
    await sleep(2);
  }
}

before(async () => {
  backend = http.createServer((req, res) => {
    if (req.url === '/big' || req.url === '/block') {
      const body = req.url === '/big' ? BIG : BLOCK;
      res.setHeader('content-length', body.length);
      return void res.end(body);
    }
    if (req.url === '/hash') {
      // Takes the body slowly, so the proxy holds the client back while other clients' bytes pass its read buffer.
      const hash = crypto.createHash('sha256');
      req.on('data', (d: Buffer) => {
        hash.update(d);
        req.pause();
        setTimeout(() => req.resume(), 2);
      });
      req.on('end', () => res.end(hash.digest('hex')));
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(parts).toString()}`));
  });
  backend.on('connection', () => backendConnections++);
  // A backend scripted by path: answers in tiny pieces, closes mid-body, or closes without answering.
  raw = net.createServer((s) => {
    rawSockets.add(s);
    s.on('close', () => rawSockets.delete(s));
    s.on('error', () => undefined);
    let head = '';
    s.on('data', (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const path = head.split(' ')[1];
      head = '';
      if (path === '/pieces') void dribble(s, 'HTTP/1.1 200 OK\r\nContent-Length: 26\r\nX-Piece: yes\r\n\r\nabcdefghijklmnopqrstuvwxyz');
      else if (path === '/cut') s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
      else s.destroy();
    });
  });
  upstreams.set('web', { host: '127.0.0.1', port: await listen(backend) });
  upstreams.set('raw', { host: '127.0.0.1', port: await listen(raw) });
  const paths = [
    { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
    ...['/pieces', '/cut', '/hangup'].map((path) => ({ path, pathType: 'Exact', backend: { service: { name: 'raw', port: { number: 80 } } } })),
  ];
  // The pair is never used (no TLS here), but the HTTPS listener needs one to start.
  ingress = await startTestIngress('r.example.com', paths, upstreams, { key: '', cert: '' });
});

after(async () => {
  await ingress?.close();
  backend?.closeAllConnections();
  backend?.close();
  for (const s of rawSockets) s.destroy();
  raw?.close();
});

/** GET through the ingress on a connection of its own; resolves with the body. */
function get(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: ingress.httpPort, path, headers: { host: 'r.example.com' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve(Buffer.concat(parts)));
    }).on('error', reject);
  });
}

/** Sends raw bytes in the given pieces and collects everything until the ingress closes or `done` says so. */
function exchange(pieces: string[], done: (got: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(ingress.httpPort, '127.0.0.1', async () => {
      for (const piece of pieces) {
        s.write(piece);
        await sleep(20);
      }
    });
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (done(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

test('a response arriving from the backend a few bytes at a time reaches the client whole', async () => {
  const got = await exchange(['GET /pieces HTTP/1.1\r\nHost: r.example.com\r\n\r\n'], (g) => g.endsWith('xyz'));
  assert.match(got, /^HTTP\/1.1 200 OK\r\n/);
  assert.match(got, /\r\nX-Piece: yes\r\n/);
  assert.ok(got.endsWith('\r\n\r\nabcdefghijklmnopqrstuvwxyz'), got);
});

test('pipelined requests with bodies split across reads are answered in order, each body whole', async () => {
  const one = 'POST /one HTTP/1.1\r\nHost: r.example.com\r\nContent-Length: 10\r\n\r\n0123456789';
  const two = 'POST /two HTTP/1.1\r\nHost: r.example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n';
  const three = 'GET /three HTTP/1.1\r\nHost: r.example.com\r\n\r\n';
  const all = one + two + three;
  // Cuts inside the first body, inside the second head, inside a chunk and inside the last head.
  const cuts = [one.length - 4, one.length + 20, one.length + two.length - 12, all.length - 8];
  const pieces = [0, ...cuts].map((at, i, list) => all.slice(at, list[i + 1]));
  const got = await exchange(pieces, (g) => g.includes('GET /three '));
  const bodies = got.split(/HTTP\/1.1 200 OK\r\n[\s\S]*?\r\n\r\n/).filter(Boolean);
  assert.deepEqual(bodies, ['POST /one 0123456789', 'POST /two abcdefg', 'GET /three ']);
});

test('a backend that closes mid-body closes the client connection; one that hangs up unanswered is a 502', async () => {
  const cut = await exchange(['GET /cut HTTP/1.1\r\nHost: r.example.com\r\n\r\n'], () => false);
  assert.match(cut, /^HTTP\/1.1 200 OK\r\n[\s\S]*\r\n\r\nonly part$/);
  const hangup = await exchange(['GET /hangup HTTP/1.1\r\nHost: r.example.com\r\n\r\n'], () => false);
  assert.match(hangup, /^HTTP\/1.1 502 Bad Gateway\r\n/);
});

test('a slow reader gets a large body intact while others are served, and the upstream connection is pooled again', async () => {
  let received = 0;
  const slow = new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: ingress.httpPort, path: '/big', headers: { host: 'r.example.com' } }, (res) => {
      const hash = crypto.createHash('sha256');
      // Takes what has arrived every few ms: far slower than the backend writes, so the proxy must hold it back.
      res.pause();
      const step = (): void => {
        let d: Buffer | null;
        while ((d = res.read() as Buffer | null) !== null) {
          hash.update(d);
          received += d.length;
        }
        if (!res.readableEnded) setTimeout(step, 5);
      };
      res.on('end', () => resolve(hash.digest('hex')));
      res.on('error', reject);
      step();
    }).on('error', reject);
  });
  while (received < 1 << 20) await sleep(5);
  // Meanwhile other clients are answered at once; their responses pass the read buffer the waiting bytes came through.
  for (let i = 0; i < 10; i++) assert.ok((await get('/block')).equals(BLOCK));
  assert.ok(received < BIG.length, 'the slow transfer was still under way');
  assert.equal(await slow, BIG_SHA);
  assert.equal(received, BIG.length);
  // Both upstream connections are idle in the pool again: two requests at once open no new one.
  const before = backendConnections;
  assert.deepEqual((await Promise.all([get('/a'), get('/b')])).map(String), ['GET /a ', 'GET /b ']);
  assert.equal(backendConnections, before);
});

test('a large upload the backend takes slowly arrives intact while other clients are served', async () => {
  const upload = new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ingress.httpPort, method: 'POST', path: '/hash', headers: { host: 'r.example.com', 'content-length': BIG.length } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end(BIG);
  });
  let done = false;
  void upload.finally(() => (done = true));
  let served = 0;
  while (!done) {
    assert.equal(String(await get(`/during${served}`)), `GET /during${served} `);
    served++;
  }
  assert.equal(await upload, BIG_SHA);
  assert.ok(served > 5, `only ${served} requests were served during the upload`);
});
