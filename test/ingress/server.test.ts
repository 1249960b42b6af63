// The ingress data plane against real local backends: host/path routing, X-Forwarded-* headers, 404 for
// unknown hosts, 503 without endpoints, TLS certificates by SNI, and WebSocket-style upgrades.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildRouteTable, startIngressServer, type IngressServer, type KeyPair, type Upstream } from '../../src/ingress/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-ingress-'));
const backends: http.Server[] = [];
const endpoints = new Map<string, Upstream>();
let ingress: IngressServer;

function selfSigned(cn: string): KeyPair {
  const key = path.join(dir, `${cn}.key`);
  const cert = path.join(dir, `${cn}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

function request(port: number, host: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers: { host }, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

before(async () => {
  for (const name of ['kubia', 'bar']) {
    const server = http.createServer((req, res) => {
      if (req.headers.upgrade) return;
      res.end(JSON.stringify({ name, path: req.url, xff: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], host: req.headers['x-forwarded-host'] }));
    });
    server.on('upgrade', (_req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
      socket.pipe(socket);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    backends.push(server);
    endpoints.set(`default/${name}`, { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  }
  const table = buildRouteTable([
    {
      metadata: { name: 'kubia', namespace: 'default' },
      spec: {
        tls: [{ hosts: ['kubia.example.com'], secretName: 'tls-secret' }],
        rules: [
          {
            host: 'kubia.example.com',
            http: {
              paths: [
                { path: '/kubia', pathType: 'Prefix', backend: { service: { name: 'kubia', port: { number: 80 } } } },
                { path: '/foo', pathType: 'Prefix', backend: { service: { name: 'bar', port: { number: 80 } } } },
                { path: '/empty', pathType: 'Prefix', backend: { service: { name: 'empty', port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    },
  ]);
  const secretPair = selfSigned('kubia.example.com');
  ingress = await startIngressServer({
    bindAddress: '127.0.0.1',
    httpPort: 0,
    httpsPort: 0,
    table: () => table,
    resolve: (b) => endpoints.get(`${b.namespace}/${b.service}`),
    certificate: (secret) => (secret === 'default/tls-secret' ? secretPair : undefined),
    defaultCertificate: selfSigned('ingress-default'),
  });
});

after(async () => {
  await ingress?.close();
  for (const b of backends) b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('routes by host and path with X-Forwarded headers', async () => {
  const kubia = await request(ingress.httpPort, 'kubia.example.com', '/kubia/');
  assert.equal(kubia.status, 200);
  const seen = JSON.parse(kubia.body);
  assert.equal(seen.name, 'kubia');
  assert.equal(seen.path, '/kubia/');
  assert.equal(seen.xff, '127.0.0.1');
  assert.equal(seen.proto, 'http');
  assert.equal(seen.host, 'kubia.example.com');
  assert.equal(JSON.parse((await request(ingress.httpPort, 'kubia.example.com', '/foo?x=1')).body).name, 'bar');
});

test('unknown hosts get the 404 default backend; a service without endpoints 503', async () => {
  const miss = await request(ingress.httpPort, 'other.example.com', '/kubia');
  assert.equal(miss.status, 404);
  assert.match(miss.body, /default backend - 404/);
  assert.equal((await request(ingress.httpPort, 'kubia.example.com', '/empty')).status, 503);
});

test('TLS serves the Secret certificate chosen by SNI and proxies with proto https', async () => {
  const result = await new Promise<{ cn: string; body: string }>((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port: ingress.httpsPort, path: '/kubia', servername: 'kubia.example.com', headers: { host: 'kubia.example.com' }, rejectUnauthorized: false, agent: false }, (res) => {
        const cn = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN;
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ cn: String(cn), body }));
      })
      .on('error', reject);
  });
  assert.equal(result.cn, 'kubia.example.com');
  assert.equal(JSON.parse(result.body).proto, 'https');
});

test('upgrades are tunnelled both ways', async () => {
  const socket = net.connect(ingress.httpPort, '127.0.0.1');
  socket.write('GET /kubia/ws HTTP/1.1\r\nHost: kubia.example.com\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
  let data = '';
  await new Promise<void>((resolve) => {
    socket.on('data', (d) => {
      data += d;
      if (data.includes('\r\n\r\n') && !data.includes('ping')) socket.write('ping');
      if (data.includes('ping')) resolve();
    });
  });
  socket.destroy();
  assert.match(data, /^HTTP\/1.1 101/);
});
