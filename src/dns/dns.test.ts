import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { ClusterResolver, startDnsServer, type ClusterView, type DnsServer } from './index.js';

const view: ClusterView = {
  namespaces: new Set(['default', 'kube-system']),
  services: new Map([
    [
      'default/kubia',
      {
        name: 'kubia',
        namespace: 'default',
        clusterIPs: ['10.43.0.20'],
        ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
        endpoints: [{ ip: '10.42.0.5', ready: true }],
        endpointPorts: [{ name: 'http', protocol: 'TCP', port: 8080 }],
      },
    ],
    [
      'default/kubia-headless',
      {
        name: 'kubia-headless',
        namespace: 'default',
        clusterIPs: [],
        ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
        endpoints: [
          { ip: '10.42.0.5', ready: true, hostname: 'web-0' },
          { ip: '10.42.0.6', ready: true, hostname: 'web-1' },
          { ip: '10.42.0.7', ready: true },
          { ip: '10.42.0.8', ready: false },
        ],
        endpointPorts: [{ name: 'http', protocol: 'TCP', port: 8080 }],
      },
    ],
    ['default/db', { name: 'db', namespace: 'default', clusterIPs: [], externalName: 'db.example.test', ports: [], endpoints: [], endpointPorts: [] }],
  ]),
};

let server: DnsServer;
const resolver = new Resolver({ timeout: 2000, tries: 1 });

before(async () => {
  server = await startDnsServer({ host: '127.0.0.1', port: 0, resolver: new ClusterResolver('cluster.local', view), upstreams: [] });
  resolver.setServers([`127.0.0.1:${server.port}`]);
});
after(() => server?.close());

test('a ClusterIP service answers its cluster IP', async () => {
  assert.deepEqual(await resolver.resolve4('kubia.default.svc.cluster.local'), ['10.43.0.20']);
});

test('a headless service answers every ready endpoint, and each hostname resolves', async () => {
  assert.deepEqual((await resolver.resolve4('kubia-headless.default.svc.cluster.local')).sort(), ['10.42.0.5', '10.42.0.6', '10.42.0.7']);
  assert.deepEqual(await resolver.resolve4('web-1.kubia-headless.default.svc.cluster.local'), ['10.42.0.6']);
  assert.deepEqual(await resolver.resolve4('10-42-0-7.kubia-headless.default.svc.cluster.local'), ['10.42.0.7']);
});

test('SRV records name the port and target', async () => {
  const normal = await resolver.resolveSrv('_http._tcp.kubia.default.svc.cluster.local');
  assert.deepEqual(normal.map((r) => [r.name, r.port]), [['kubia.default.svc.cluster.local', 80]]);
  const headless = await resolver.resolveSrv('_http._tcp.kubia-headless.default.svc.cluster.local');
  assert.deepEqual(headless.map((r) => r.name).sort(), [
    '10-42-0-7.kubia-headless.default.svc.cluster.local',
    'web-0.kubia-headless.default.svc.cluster.local',
    'web-1.kubia-headless.default.svc.cluster.local',
  ]);
  assert.ok(headless.every((r) => r.port === 8080));
});

test('pod records, ExternalName CNAMEs and PTRs', async () => {
  assert.deepEqual(await resolver.resolve4('10-42-0-9.default.pod.cluster.local'), ['10.42.0.9']);
  assert.deepEqual(await resolver.resolveCname('db.default.svc.cluster.local'), ['db.example.test']);
  assert.deepEqual(await resolver.reverse('10.43.0.20'), ['kubia.default.svc.cluster.local']);
});

test('unknown cluster names are NXDOMAIN; other names forward (and fail with no upstream)', async () => {
  await assert.rejects(resolver.resolve4('nope.default.svc.cluster.local'), { code: 'ENOTFOUND' });
  await assert.rejects(resolver.resolve4('kubia.nons.svc.cluster.local'), { code: 'ENOTFOUND' });
  await assert.rejects(resolver.resolve4('example.test'), { code: 'ESERVFAIL' });
});

test('an existing name with no record of the type is NODATA, not NXDOMAIN', async () => {
  await assert.rejects(resolver.resolve6('kubia.default.svc.cluster.local'), { code: 'ENODATA' });
});

test('garbage does not crash the server', async () => {
  const dgram = await import('node:dgram');
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.send(Buffer.from([1, 2, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc0, 0x0c]), server.port, '127.0.0.1', () => r()));
  sock.close();
  assert.deepEqual(await resolver.resolve4('kubia.default.svc.cluster.local'), ['10.43.0.20']);
});
