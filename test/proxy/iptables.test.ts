// The iptables proxier on the real host: ClusterIP and NodePort traffic from the node reaches every
// endpoint, unprogrammed service addresses go nowhere, and cleanup leaves no chain, jump or link behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { get } from './http-get.js';
import { IptablesProxier, ensureServiceRoute, removeServiceRoute, removeProxyRules, type ServicePort } from '../../src/proxy/index.js';

const tag = crypto.randomBytes(2).toString('hex');
const prefix = `SKIFF-t${tag}`;
const third = 100 + (parseInt(tag, 16) % 100);
const serviceCIDR = `10.99.${third}.0/24`;
const clusterIP = `10.99.${third}.10`;
const bridge = `skiffsvct${tag}`;
const servers: http.Server[] = [];
const endpoints: Array<{ ip: string; port: number }> = [];
let proxier: IptablesProxier;


function servicePort(nodePort: number): ServicePort {
  return {
    namespace: 'default',
    service: 'kubia',
    portName: 'http',
    protocol: 'TCP',
    clusterIPs: [clusterIP],
    port: 80,
    nodePort,
    externalIPs: [],
    loadBalancerIPs: [],
    externalTrafficLocal: false,
    endpoints: endpoints.map((e) => ({ ...e, ready: true, local: true })),
  };
}

before(async () => {
  // The unreachable route goes in first: nothing addressed to the test CIDR can ever leave the host.
  await ensureServiceRoute(serviceCIDR, bridge);
  for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
    const server = http.createServer((_req, res) => res.end(`You've hit ${ip}`));
    await new Promise<void>((r) => server.listen(0, ip, () => r()));
    servers.push(server);
    endpoints.push({ ip, port: (server.address() as { port: number }).port });
  }
  proxier = new IptablesProxier({ chainPrefix: prefix, clusterCIDR: '10.42.0.0/16', masqueradeMark: '0x4000' });
});

after(async () => {
  await removeProxyRules(prefix);
  await removeServiceRoute(serviceCIDR, bridge);
  for (const s of servers) s.close();
});

test('a ClusterIP and a NodePort spread requests over every endpoint', async () => {
  const nodePort = 30000 + (parseInt(tag, 16) % 2700);
  assert.equal(await proxier.sync([servicePort(nodePort)]), true);
  assert.equal(await proxier.sync([servicePort(nodePort)]), false, 'unchanged rules are not reapplied');
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) seen.add(await get(`http://${clusterIP}/`));
  assert.equal(seen.size, 3, `30 requests reached ${[...seen].join(', ')}`);
  assert.match(await get(`http://127.0.0.1:${nodePort}/`), /You've hit 127\.0\.0\.[234]/);
});

test('removing endpoints reprograms the service, and an unprogrammed address goes nowhere', async () => {
  const nodePort = 30000 + (parseInt(tag, 16) % 2700);
  const one = servicePort(nodePort);
  one.endpoints = one.endpoints.slice(0, 1);
  await proxier.sync([one]);
  for (let i = 0; i < 5; i++) assert.equal(await get(`http://${clusterIP}/`), "You've hit 127.0.0.2");
  await assert.rejects(get(`http://10.99.${third}.11/`));
});

test('a LoadBalancer address answers at the service port; with externalTrafficPolicy Local only through this node\'s endpoints', async () => {
  // The load balancer publishes node addresses; 127.0.0.5 stands for one (a local address, like a node IP).
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.5', () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const lb: ServicePort = { ...servicePort(0), nodePort: undefined, port, loadBalancerIPs: ['127.0.0.5'] };
  await proxier.sync([lb]);
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) seen.add(await get(`http://127.0.0.5:${port}/`));
  assert.equal(seen.size, 3, `Cluster policy: 30 requests reached ${[...seen].join(', ')}`);
  lb.externalTrafficLocal = true;
  lb.endpoints = lb.endpoints.map((e, i) => ({ ...e, local: i === 0 }));
  await proxier.sync([lb]);
  for (let i = 0; i < 10; i++) assert.equal(await get(`http://127.0.0.5:${port}/`), "You've hit 127.0.0.2");
  lb.endpoints = lb.endpoints.map((e) => ({ ...e, local: false }));
  await proxier.sync([lb]);
  await assert.rejects(get(`http://127.0.0.5:${port}/`), 'no local endpoint: dropped');
});

test('cleanup removes every chain and jump of this prefix and nothing else', async () => {
  await removeProxyRules(prefix);
  const saved = execFileSync('iptables-save').toString();
  assert.equal(saved.includes(prefix), false);
});
