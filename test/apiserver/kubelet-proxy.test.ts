// pods/log and the upgrade path of pods/exec go through the API server to the pod's kubelet. A
// stand-in kubelet (HTTP on loopback, as src/kubelet's streaming server) records what arrives and who
// asked (the join token): kubectl logs must print its answer, and an upgraded exec connection must be
// spliced through byte for byte.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { credentialsFrom, kubectl, kubectlOk, KUBECTL_VERSIONS, request, startTestServer, type Credentials, type TestServer } from '../lib/index.js';

let server: TestServer;
let admin: Credentials;
let kubelet: http.Server;
const seen: string[] = [];

before(async () => {
  server = await startTestServer();
  admin = credentialsFrom(server.kubeconfig);
  const token = fs.readFileSync(path.join(server.dataDir, 'server/token'), 'utf8').trim();
  const who = (auth: string | undefined) => (auth === `Bearer ${token}` ? 'join-token' : 'unknown');
  kubelet = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} as ${who(req.headers.authorization)}`);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('line1\nline2\n');
  });
  kubelet.on('upgrade', (req, socket) => {
    seen.push(`UPGRADE ${req.url} ${req.headers.upgrade} as ${who(req.headers.authorization)}`);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
  });
  await new Promise<void>((resolve) => kubelet.listen(0, '127.0.0.1', resolve));
  const port = (kubelet.address() as AddressInfo).port;
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'fake-node' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } };
  assert.equal((await request(admin, 'POST', '/api/v1/nodes', { body: node })).status, 201);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { nodeName: 'fake-node', containers: [{ name: 'main', image: 'busybox' }] } };
  assert.equal((await request(admin, 'POST', '/api/v1/namespaces/default/pods', { body: pod })).status, 201);
});

after(async () => {
  kubelet?.closeAllConnections();
  kubelet?.close();
  await server?.stop();
});

describe('kubelet proxy', () => {
  for (const v of KUBECTL_VERSIONS) {
    it(`kubectl ${v} logs reads the kubelet's containerLogs`, async () => {
      assert.equal(await kubectlOk(v, server.kubeconfig, ['logs', 'p1', '--tail=2']), 'line1\nline2\n');
      assert.ok(seen.includes('GET /containerLogs/default/p1/main?tailLines=2 as join-token'), seen.join('\n'));
    });
  }

  it('an unscheduled pod has no logs yet', async () => {
    await request(admin, 'POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    const r = await kubectl('1.33', server.kubeconfig, ['logs', 'pending']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pod pending does not have a host assigned/);
  });

  it('exec upgrades are spliced through to the kubelet', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(admin.server).port), ca: admin.ca, cert: admin.cert, key: admin.key, servername: 'localhost' });
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    socket.write('GET /api/v1/namespaces/default/pods/p1/exec?command=sh&container=main&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString();
      if (received.includes('\r\n\r\n') && !received.includes('echo:')) socket.write('ping');
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`got: ${received}`)), 10_000);
      const check = setInterval(() => {
        if (received.includes('echo:ping')) {
          clearTimeout(t);
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    socket.destroy();
    assert.match(received, /^HTTP\/1\.1 101 Switching Protocols/);
    assert.ok(seen.includes('UPGRADE /exec/default/p1/main?command=sh&stdout=true websocket as join-token'), seen.join('\n'));
  });
});
