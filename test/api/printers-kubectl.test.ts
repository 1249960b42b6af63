// The real kubectl 1.27 and 1.33 render skiff's server-side Tables as they render kube-apiserver's:
// a minimal HTTP API on 127.0.0.1 (legacy discovery plus list endpoints answering printTable)
// stands in for the API server, so only the Table shape is under test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { printTable } from '../../src/api/printers/index.js';
import type { KubeObject } from '../../src/api/object.js';
import { kubectlOk, KUBECTL_VERSIONS, makeTempDir } from '../lib/index.js';

// The server renders ages with a fixed clock, so the cells do not depend on how long kubectl takes.
const NOW = Date.now();
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

const template = { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia:v1' }] } };
const OBJECTS: Record<string, KubeObject[]> = {
  pods: [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kubia-8b7bl', namespace: 'default', labels: { app: 'kubia', env: 'debug' }, creationTimestamp: ago(101) },
      spec: { nodeName: 'node1', containers: [{ name: 'kubia', image: 'luksa/kubia' }] },
      status: { phase: 'Running', podIPs: [{ ip: '10.42.0.5' }], containerStatuses: [{ name: 'kubia', ready: true, restartCount: 0, state: { running: {} } }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kubia-liveness', namespace: 'default', labels: { app: 'kubia' }, creationTimestamp: ago(515) },
      spec: { containers: [{ name: 'kubia', image: 'luksa/kubia-unhealthy' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'kubia', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, finishedAt: ago(60) } } }] },
    },
  ],
  deployments: [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kubia', namespace: 'default', creationTimestamp: ago(17) },
      spec: { replicas: 3, selector: { matchLabels: { app: 'kubia' } }, template },
      status: { readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 },
    },
  ],
  services: [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubia', namespace: 'default', creationTimestamp: ago(21) },
      spec: { type: 'ClusterIP', clusterIPs: ['10.108.249.4'], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }], selector: { app: 'kubia' } },
    },
  ],
};

const RESOURCES: Record<string, { group: string; version: string; kind: string; shortNames: string[] }> = {
  pods: { group: '', version: 'v1', kind: 'Pod', shortNames: ['po'] },
  services: { group: '', version: 'v1', kind: 'Service', shortNames: ['svc'] },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', shortNames: ['deploy'] },
};

function resourceList(groupVersion: string, group: string): unknown {
  const resources = Object.entries(RESOURCES)
    .filter(([, r]) => r.group === group)
    .map(([name, r]) => ({ name, singularName: r.kind.toLowerCase(), namespaced: true, kind: r.kind, verbs: ['get', 'list'], shortNames: r.shortNames, categories: ['all'] }));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

function answer(req: http.IncomingMessage): unknown {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/api') return { kind: 'APIVersions', versions: ['v1'] };
  if (url.pathname === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] };
  if (url.pathname === '/api/v1') return resourceList('v1', '');
  if (url.pathname === '/apis/apps/v1') return resourceList('apps/v1', 'apps');
  const m = url.pathname.match(/^\/apis?(?:\/apps)?\/v1\/(?:namespaces\/[^/]+\/)?(\w+)$/);
  if (!m || !OBJECTS[m[1]]) return undefined;
  const resource = m[1];
  const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '42' }, items: OBJECTS[resource] };
  if (!(req.headers.accept ?? '').includes('as=Table')) return list;
  return printTable({ group: RESOURCES[resource].group, resource }, list, { now: NOW });
}

let server: http.Server;
let kubeconfig: string;

before(async () => {
  server = http.createServer((req, res) => {
    const body = answer(req);
    if (body === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = path.join(makeTempDir('printers'), 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:${port}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: default\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
  );
});

after(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

/** kubectl's table with runs of spaces collapsed, so the test reads the cells, not the padding. */
function rows(text: string): string[] {
  return text.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/).join(' | '));
}

describe('kubectl renders skiff Tables', { concurrency: true }, () => {
  for (const v of KUBECTL_VERSIONS) {
    it(`kubectl ${v}: pods, -o wide, --show-labels, -L, -A, deployments, services`, async () => {
      const k = (args: string[]) => kubectlOk(v, kubeconfig, args);
      assert.deepEqual(rows(await k(['get', 'pods'])), [
        'NAME | READY | STATUS | RESTARTS | AGE',
        'kubia-8b7bl | 1/1 | Running | 0 | 101s',
        'kubia-liveness | 0/1 | CrashLoopBackOff | 2 (60s ago) | 8m35s',
      ]);
      const wide = rows(await k(['get', 'pods', '-o', 'wide']));
      assert.equal(wide[0], 'NAME | READY | STATUS | RESTARTS | AGE | IP | NODE | NOMINATED NODE | READINESS GATES');
      assert.equal(wide[1], 'kubia-8b7bl | 1/1 | Running | 0 | 101s | 10.42.0.5 | node1 | <none> | <none>');
      assert.deepEqual(rows(await k(['get', 'pods', '--show-labels'])).map((r) => r.split(' | ').pop()), ['LABELS', 'app=kubia,env=debug', 'app=kubia']);
      assert.deepEqual(rows(await k(['get', 'pods', '-L', 'env'])).map((r) => r.split(' | ').length), [6, 6, 5]);
      assert.deepEqual(rows(await k(['get', 'pods', '-A']))[1].split(' | ').slice(0, 2), ['default', 'kubia-8b7bl']);
      assert.deepEqual(rows(await k(['get', 'deploy'])), ['NAME | READY | UP-TO-DATE | AVAILABLE | AGE', 'kubia | 3/3 | 3 | 3 | 17s']);
      assert.deepEqual(rows(await k(['get', 'deploy', '-o', 'wide'])), ['NAME | READY | UP-TO-DATE | AVAILABLE | AGE | CONTAINERS | IMAGES | SELECTOR', 'kubia | 3/3 | 3 | 3 | 17s | kubia | luksa/kubia:v1 | app=kubia']);
      assert.deepEqual(rows(await k(['get', 'svc'])), ['NAME | TYPE | CLUSTER-IP | EXTERNAL-IP | PORT(S) | AGE', 'kubia | ClusterIP | 10.108.249.4 | <none> | 80/TCP,443/TCP | 21s']);
    });
  }
});
