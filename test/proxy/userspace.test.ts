// The userspace proxier on the real host: the ClusterIP becomes reachable from the node through Node.js
// listeners, requests spread round-robin, NodePorts answer on 127.0.0.1, and close removes everything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { get } from './http-get.js';
import { UserspaceProxier, ensureServiceRoute, removeServiceRoute, type ServicePort } from '../../src/proxy/index.js';

const tag = crypto.randomBytes(2).toString('hex');
const third = 100 + ((parseInt(tag, 16) + 50) % 100);
const serviceCIDR = `10.98.${third}.0/24`;
const clusterIP = `10.98.${third}.10`;
const bridge = `skiffsvcu${tag}`;
const servers: http.Server[] = [];
let proxier: UserspaceProxier;
let sp: ServicePort;


before(async () => {
  await ensureServiceRoute(serviceCIDR, bridge);
  const endpoints = [];
  for (const ip of ['127.0.0.5', '127.0.0.6']) {
    const server = http.createServer((_req, res) => res.end(ip));
    await new Promise<void>((r) => server.listen(0, ip, () => r()));
    servers.push(server);
    endpoints.push({ ip, port: (server.address() as { port: number }).port, ready: true, local: true });
  }
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const nodePort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  sp = { namespace: 'default', service: 'kubia', portName: '', protocol: 'TCP', clusterIPs: [clusterIP], port: 80, nodePort, externalIPs: [], loadBalancerIPs: [], externalTrafficLocal: false, endpoints };
  proxier = new UserspaceProxier({ bridge, nodeAddresses: ['127.0.0.1'] });
});

after(async () => {
  await proxier.close();
  await removeServiceRoute(serviceCIDR, bridge);
  for (const s of servers) s.close();
});

test('ClusterIP and NodePort relay round-robin to ready endpoints', async () => {
  await proxier.sync([sp]);
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(await get(`http://${clusterIP}/`));
  assert.deepEqual([...seen].sort(), ['127.0.0.5', '127.0.0.6']);
  assert.match(await get(`http://127.0.0.1:${sp.nodePort}/`), /^127\.0\.0\.[56]$/);
});

test('a LoadBalancer address (a node address) answers at the service port', async () => {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.7', () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  await proxier.sync([{ ...sp, port, loadBalancerIPs: ['127.0.0.7'] }]);
  assert.match(await get(`http://127.0.0.7:${port}/`), /^127\.0\.0\.[56]$/);
  assert.equal(execFileSync('ip', ['addr', 'show', 'dev', bridge]).toString().includes('127.0.0.7'), false);
});

test('externalTrafficPolicy Local: the NodePort reaches only this node\'s endpoints, the ClusterIP all of them', async () => {
  const local = { ...sp, externalTrafficLocal: true, endpoints: sp.endpoints.map((e) => ({ ...e, local: e.ip === '127.0.0.6' })) };
  await proxier.sync([local]);
  for (let i = 0; i < 4; i++) assert.equal(await get(`http://127.0.0.1:${sp.nodePort}/`), '127.0.0.6');
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(await get(`http://${clusterIP}/`));
  assert.deepEqual([...seen].sort(), ['127.0.0.5', '127.0.0.6']);
  // No local endpoint: outside traffic is dropped rather than sent to another node.
  await proxier.sync([{ ...local, endpoints: local.endpoints.map((e) => ({ ...e, local: false })) }]);
  await assert.rejects(get(`http://127.0.0.1:${sp.nodePort}/`));
});

test('removing the service closes its listeners and address', async () => {
  await proxier.sync([]);
  assert.equal(execFileSync('ip', ['addr', 'show', 'dev', bridge]).toString().includes(clusterIP), false);
  await assert.rejects(get(`http://127.0.0.1:${sp.nodePort}/`));
});
