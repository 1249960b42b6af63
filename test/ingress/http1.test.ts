// The ingress proxy's HTTP/1.x handling against real backends: keep-alive on both sides, request bodies
// by length and chunked, 100-continue, chunked and close-delimited responses, HEAD, HTTP/1.0, pipelining,
// large bodies streamed intact both ways, stale pooled connections replaced, split heads, 431 for endless
// heads, 400 for malformed requests, 502 for a backend that is down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IngressServer, Upstream } from '../../src/ingress/index.js';
import { listen, startTestIngress } from './helpers.js';

const BIG = 8 << 20;
let ingress: IngressServer;
let backend: http.Server;
let raw: net.Server;
let backendConnections = 0;
const upstreams = new Map<string, Upstream>();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-ingress-http1-'));

before(async () => {
  backend = http.createServer((req, res) => {
    if (req.url === '/chunked') {
      res.write('one,');
      setTimeout(() => res.end('two'), 10);
      return;
    }
    if (req.url === '/big') {
      res.setHeader('content-length', BIG);
      const block = Buffer.alloc(64 << 10, 120);
      let sent = 0;
      const pump = (): void => {
        while (sent < BIG) {
          sent += block.length;
          if (!res.write(block)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (req.url === '/len') {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(String(n)));
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString();
      res.setHeader('x-seen-te', String(req.headers['transfer-encoding'] ?? ''));
      res.end(JSON.stringify({ method: req.method, url: req.url, body, httpVersion: req.httpVersion }));
    });
  });
  backend.keepAliveTimeout = 200;
  backend.on('connection', () => backendConnections++);
  // A backend that answers without a length and closes, as HTTP/1.0 servers do.
  raw = net.createServer((s) => {
    s.once('data', () => s.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close'));
  });
  upstreams.set('web', { host: '127.0.0.1', port: await listen(backend) });
  upstreams.set('old', { host: '127.0.0.1', port: await listen(raw) });
  const down = net.createServer();
  const downPort = await listen(down);
  await new Promise((r) => down.close(r));
  upstreams.set('down', { host: '127.0.0.1', port: downPort });
  const key = path.join(dir, 'k.pem');
  const cert = path.join(dir, 'c.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=x'], { stdio: 'ignore' });
  const paths = ['web', 'old', 'down'].map((name) => ({ path: `/${name === 'web' ? '' : name}`, pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }));
  ingress = await startTestIngress('h.example.com', paths, upstreams, { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') });
});

after(async () => {
  await ingress?.close();
  backend?.closeAllConnections();
  backend?.close();
  raw?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(options: http.RequestOptions, body?: string[] | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ingress.httpPort, ...options, headers: { host: 'h.example.com', ...options.headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    for (const part of typeof body === 'string' ? [body] : body ?? []) req.write(part);
    req.end();
  });
}

/** Writes raw bytes and reads until the ingress closes the connection (or `until` matches). */
function rawExchange(text: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(ingress.httpPort, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d;
      if (until?.test(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

test('keep-alive on both sides: several requests over one client connection reuse one upstream connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const before = backendConnections;
  for (let i = 0; i < 5; i++) {
    const r = await send({ path: `/n${i}`, agent });
    assert.equal(JSON.parse(r.body.toString()).url, `/n${i}`);
  }
  agent.destroy();
  assert.equal(backendConnections - before, 1);
});

test('request bodies by Content-Length and chunked reach the backend whole, in their framing', async () => {
  const fixed = await send({ method: 'POST', path: '/echo', headers: { 'content-length': '11' } }, 'hello world');
  assert.deepEqual(JSON.parse(fixed.body.toString()), { method: 'POST', url: '/echo', body: 'hello world', httpVersion: '1.1' });
  const chunked = await send({ method: 'PUT', path: '/echo' }, ['part one, ', 'part two']);
  assert.equal(JSON.parse(chunked.body.toString()).body, 'part one, part two');
  assert.equal(chunked.headers['x-seen-te'], 'chunked');
});

test('chunked and close-delimited responses are relayed; HEAD has no body', async () => {
  const chunked = await send({ path: '/chunked' });
  assert.equal(chunked.body.toString(), 'one,two');
  assert.equal(chunked.headers['transfer-encoding'], 'chunked');
  const old = await send({ path: '/old' });
  assert.equal(old.body.toString(), 'until close');
  assert.equal(old.headers.connection, 'close');
  const head = await send({ method: 'HEAD', path: '/h' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('Expect: 100-continue: the interim answer reaches the client before it sends the body', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ingress.httpPort, method: 'POST', path: '/echo', headers: { host: 'h.example.com', expect: '100-continue', 'content-length': '4' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('continue', () => req.end('body'));
    req.on('error', reject);
  });
  assert.equal(JSON.parse(reply).body, 'body');
});

test('large bodies are streamed through intact both ways', async () => {
  const big = await send({ path: '/big' });
  assert.equal(big.body.length, BIG);
  assert.ok(big.body.every((b) => b === 120));
  const block = 'y'.repeat(64 << 10);
  const upload = await send({ method: 'POST', path: '/len' }, Array.from({ length: 128 }, () => block));
  assert.equal(upload.body.toString(), String(128 * block.length));
});

test('HTTP/1.0 clients are answered and the connection closes; pipelined requests are answered in order', async () => {
  const old = await rawExchange('GET /v10 HTTP/1.0\r\nHost: h.example.com\r\n\r\n');
  assert.match(old, /^HTTP\/1.1 200 /);
  assert.match(old, /"httpVersion":"1.0"/);
  const two = await rawExchange('GET /first HTTP/1.1\r\nHost: h.example.com\r\n\r\nGET /second HTTP/1.1\r\nHost: h.example.com\r\n\r\n', /\/second/);
  assert.ok(two.indexOf('/first') < two.indexOf('/second'), two);
  assert.equal(two.match(/HTTP\/1.1 200/g)?.length, 2);
});

test('a pooled connection the backend closed meanwhile is replaced without an error', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal((await send({ path: '/a', agent })).status, 200);
  // The backend's keep-alive timeout (200 ms) closes the idle upstream connection.
  await new Promise((r) => setTimeout(r, 400));
  assert.equal((await send({ path: '/b', agent })).status, 200);
  agent.destroy();
});

test('a request head split across packets is assembled; an endless head gets 431', async () => {
  const answer = await new Promise<string>((resolve, reject) => {
    const s = net.connect(ingress.httpPort, '127.0.0.1');
    const parts = ['GET /sp', 'lit HTTP/1.1\r\nHo', 'st: h.example.com\r', '\n\r\n'];
    const write = (): void => {
      const part = parts.shift();
      if (part) {
        s.write(part);
        setTimeout(write, 20);
      }
    };
    s.once('connect', write);
    s.on('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
    s.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1.1 200 [\s\S]*"url":"\/split"/);
  assert.match(await rawExchange(`GET / HTTP/1.1\r\nHost: h.example.com\r\nX-Big: ${'a'.repeat(70 << 10)}`), /^HTTP\/1.1 431 /);
});

test('malformed requests get 400, a backend that is down 502', async () => {
  assert.match(await rawExchange('NOT A REQUEST\r\n\r\n'), /^HTTP\/1.1 400 Bad Request/);
  assert.match(await rawExchange('POST / HTTP/1.1\r\nHost: h.example.com\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'), /^HTTP\/1.1 400 /);
  assert.match(await rawExchange('GET / HTTP/1.1\r\n\r\n'), /^HTTP\/1.1 400 /);
  assert.equal((await send({ path: '/down' })).status, 502);
});
