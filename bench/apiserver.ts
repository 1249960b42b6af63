// The API server end to end over HTTPS, as `skiff server` runs for users (bin/skiff): creates/s and
// p99 latency with 16 concurrent keep-alive clients, a LIST of 10,000 objects, watch fan-out to 500
// watchers (p99 from the create being sent to each watcher's receipt), and the server's RSS idle and
// after 10,000 objects — on SQLite and on etcd with 1 and 3 members, in one run. Targets from issue 2.
import fs from 'node:fs';
import https from 'node:https';
import type { ClientRequest } from 'node:http';
import { credentialsFrom, request, startTestServer, type Credentials } from '../test/lib/index.js';
import { startEtcd } from '../test/storage/etcd-cluster.js';
import { percentile, type Benchmark, type BenchRow } from './harness.js';

const OBJECTS = 10_000;
const CLIENTS = 16;
const WATCHERS = 500;
const WATCHED_CREATES = 20;

function pod(ns: string, name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'bench', tier: 'web' } },
    spec: { containers: [{ name: 'main', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  };
}

function rssMb(pid: number): number {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return m ? Number(m[1]) / 1024 : NaN;
}

async function createMany(admin: Credentials, ns: string, total: number): Promise<{ perSecond: number; latencies: number[] }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        const r = await request(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, { agent, body: pod(ns, `p-${i}`) });
        if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.body}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { perSecond: total / seconds, latencies: latencies.sort((a, b) => a - b) };
}

async function listMs(admin: Credentials, ns: string): Promise<number> {
  const agent = new https.Agent({ keepAlive: true });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await request(admin, 'GET', `/api/v1/namespaces/${ns}/pods`, { agent });
    if (r.json.items.length !== OBJECTS) throw new Error(`listed ${r.json.items.length} pods`);
    times.push(performance.now() - t0);
  }
  agent.destroy();
  return percentile(times.sort((a, b) => a - b), 50);
}

/** Opens WATCHERS watches, creates objects one by one and measures each event's delivery delay. */
async function watchFanOut(admin: Credentials): Promise<number[]> {
  const ns = 'fanout';
  await request(admin, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  const sent = new Map<string, number>();
  const delays: number[] = [];
  const agent = new https.Agent({ keepAlive: true, maxSockets: Infinity });
  const streams: ClientRequest[] = [];
  await Promise.all(
    Array.from(
      { length: WATCHERS },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = https.request(new URL(`/api/v1/namespaces/${ns}/configmaps?watch=true`, admin.server), { ca: admin.ca, cert: admin.cert, key: admin.key, agent }, (res) => {
            let buffer = '';
            res.on('data', (c: Buffer) => {
              const now = performance.now();
              buffer += c.toString();
              let nl: number;
              while ((nl = buffer.indexOf('\n')) >= 0) {
                const event = JSON.parse(buffer.slice(0, nl)) as { object: { metadata: { name: string } } };
                buffer = buffer.slice(nl + 1);
                const t0 = sent.get(event.object.metadata.name);
                if (t0 !== undefined) delays.push(now - t0);
              }
            });
            res.on('error', () => undefined);
            resolve();
          });
          req.on('error', reject);
          req.end();
          streams.push(req);
        }),
    ),
  );
  const writer = new https.Agent({ keepAlive: true });
  for (let i = 0; i < WATCHED_CREATES; i++) {
    const name = `w-${i}`;
    sent.set(name, performance.now());
    await request(admin, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { agent: writer, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } } });
    await new Promise((r) => setTimeout(r, 50));
  }
  const deadline = Date.now() + 10_000;
  while (delays.length < WATCHERS * WATCHED_CREATES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const s of streams) s.destroy();
  agent.destroy();
  writer.destroy();
  if (delays.length < WATCHERS * WATCHED_CREATES) throw new Error(`only ${delays.length} of ${WATCHERS * WATCHED_CREATES} watch events arrived`);
  return delays.sort((a, b) => a - b);
}

/** One run of every measurement against a server started with `args` (the datastore), rows labelled by `store`. */
async function measure(store: string, args: string[]): Promise<BenchRow[]> {
  const server = await startTestServer({ fromSources: false, args });
  try {
    const admin = credentialsFrom(server.kubeconfig);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(server.pid);
    await request(admin, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } } });
    const created = await createMany(admin, 'bench', OBJECTS);
    const list = await listMs(admin, 'bench');
    const loaded = rssMb(server.pid);
    const delays = await watchFanOut(admin);
    const sqlite = store === 'sqlite';
    return [
      { metric: `[${store}] creates/s (${CLIENTS} keep-alive clients, pods)`, unit: '1/s', skiff: created.perSecond, lowerIsBetter: false, target: sqlite ? '>= 2000' : undefined },
      { metric: `[${store}] create latency p99`, unit: 'ms', skiff: percentile(created.latencies, 99), lowerIsBetter: true },
      { metric: `[${store}] LIST of ${OBJECTS} pods (median of 5)`, unit: 'ms', skiff: list, lowerIsBetter: true, target: sqlite ? '< 150' : undefined },
      { metric: `[${store}] watch delivery p99 (${WATCHERS} watchers)`, unit: 'ms', skiff: percentile(delays, 99), lowerIsBetter: true, target: sqlite ? '< 50' : undefined },
      { metric: `[${store}] RSS idle`, unit: 'MB', skiff: idle, lowerIsBetter: true, target: sqlite ? '< 80' : undefined },
      { metric: `[${store}] RSS after ${OBJECTS} objects`, unit: 'MB', skiff: loaded, lowerIsBetter: true },
    ];
  } finally {
    await server.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'apiserver',
  description: `API server over HTTPS on SQLite, etcd (1 member) and etcd (3 members): ${CLIENTS} keep-alive clients creating ${OBJECTS} pods, LIST of ${OBJECTS}, ${WATCHERS} watchers, RSS`,
  async run(): Promise<BenchRow[]> {
    const rows = await measure('sqlite', []);
    for (const members of [1, 3]) {
      const etcd = await startEtcd(members);
      try {
        rows.push(...(await measure(`etcd x${members}`, ['--datastore-endpoint', etcd.endpoint])));
      } finally {
        await etcd.destroy();
      }
    }
    return rows;
  },
};
