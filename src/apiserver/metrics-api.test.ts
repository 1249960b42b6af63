import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/index.js';
import { addSummary, MetricsScraper, MetricsStorage, type MetricsBatch, type MetricsPoint } from './metrics-api-scraper.js';
import { cpuQuantity, goDuration, memoryQuantity } from './metrics-api.js';

test('usage prints as metrics-server prints it: nanocores canonical, memory BinarySI', () => {
  assert.equal(cpuQuantity(5_000_000), '5m');
  assert.equal(cpuQuantity(329_087_452), '329087452n');
  assert.equal(cpuQuantity(2e9), '2');
  assert.equal(cpuQuantity(0), '0');
  assert.equal(memoryQuantity(2_814_136_320), '2748180Ki');
  assert.equal(memoryQuantity(1_258_291), '1258291');
  assert.equal(memoryQuantity(1 << 30), '1Gi');
  assert.equal(memoryQuantity(512), '512');
  assert.equal(memoryQuantity(0), '0');
});

test('window prints as a Go duration', () => {
  assert.equal(goDuration(15_021), '15.021s');
  assert.equal(goDuration(1000), '1s');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(500), '500ms');
  assert.equal(goDuration(60_000), '1m0s');
  assert.equal(goDuration(3_723_400), '1h2m3.4s');
  assert.equal(goDuration(0), '0s');
});

const p = (timestamp: number, cpuNanoSeconds: number, startTime = 0, memoryBytes = 100): MetricsPoint => ({ startTime, timestamp, cpuNanoSeconds, memoryBytes });
const batch = (nodes: Record<string, MetricsPoint>, pods: Record<string, Record<string, MetricsPoint>> = {}): MetricsBatch => ({
  nodes: new Map(Object.entries(nodes)),
  pods: new Map(Object.entries(pods).map(([k, v]) => [k, new Map(Object.entries(v))])),
});

test('a rate needs two points: cumulative CPU over the window between them', () => {
  const s = new MetricsStorage();
  s.store(batch({ n1: p(10_000, 1e9) }, { 'default/web': { app: p(10_000, 5e8, 1000) } }));
  assert.equal(s.node('n1'), undefined, 'one point is no rate');
  s.store(batch({ n1: p(25_000, 4e9, 0, 777) }, { 'default/web': { app: p(25_000, 2e9, 1000) } }));
  assert.deepEqual(s.node('n1'), { timestamp: 25_000, windowMs: 15_000, cpuNanoCores: 2e8, memoryBytes: 777 });
  assert.deepEqual(s.pod('default', 'web'), { timestamp: 25_000, windowMs: 15_000, containers: [{ name: 'app', cpuNanoCores: 1e8, memoryBytes: 100 }] });
  assert.equal(s.pod('default', 'nope'), undefined);
});

test('a container new since the last look counts from its start; a restarted one waits for a second point', () => {
  const s = new MetricsStorage();
  s.store(batch({}, { 'default/web': { app: p(10_000, 5e8, 1000) } }));
  s.store(batch({}, { 'default/web': { app: p(20_000, 6e8, 1000), sidecar: p(20_000, 1e9, 15_000) } }));
  const u = s.pod('default', 'web')!;
  assert.deepEqual(u.containers.map((c) => [c.name, c.cpuNanoCores]), [['app', 1e7], ['sidecar', 2e8]]);
  assert.equal(u.windowMs, 10_000, 'the pod takes the window of its earliest-read container (the first on a tie)');
  s.store(batch({}, { 'default/web': { app: p(30_000, 1e6, 29_500) } }));
  assert.equal(s.pod('default', 'web'), undefined, 'restarted half a second ago: no rate yet');
});

test('a Summary from the wrong kubelet is refused; pods and containers keyed by namespace/name', () => {
  const b: MetricsBatch = { nodes: new Map(), pods: new Map() };
  const summary = {
    node: { nodeName: 'n1', startTime: '2026-01-01T00:00:00Z', cpu: { time: '2026-01-01T01:00:00.500Z', usageCoreNanoSeconds: 7 }, memory: { workingSetBytes: 9 } },
    pods: [{ podRef: { name: 'web', namespace: 'ns' }, containers: [{ name: 'app', startTime: '2026-01-01T00:30:00Z', cpu: { time: '2026-01-01T01:00:00.500Z', usageCoreNanoSeconds: 3 }, memory: { workingSetBytes: 4 } }] }],
  };
  assert.equal(addSummary(b, 'n2', summary), false);
  assert.equal(addSummary(b, 'n1', summary), true);
  assert.deepEqual(b.nodes.get('n1'), { startTime: Date.parse('2026-01-01T00:00:00Z'), timestamp: Date.parse('2026-01-01T01:00:00.500Z'), cpuNanoSeconds: 7, memoryBytes: 9 });
  assert.equal(b.pods.get('ns/web')?.get('app')?.cpuNanoSeconds, 3);
});

test('the scraper scrapes twice after a quiet spell, then serves from cache; unreachable nodes are skipped', async () => {
  const calls: string[] = [];
  let cpu = 0;
  const nodes = [{ metadata: { name: 'real' } }, { metadata: { name: 'hollow' } }] as KubeObject[];
  const scraper = new MetricsScraper(
    () => nodes,
    'token',
    async (node, token) => {
      calls.push(`${node.metadata.name}:${token}`);
      if (node.metadata.name === 'hollow') throw new Error('connect ECONNREFUSED');
      cpu += 1e9;
      return { node: { nodeName: 'real', startTime: '2026-01-01T00:00:00Z', cpu: { time: new Date().toISOString(), usageCoreNanoSeconds: cpu }, memory: { workingSetBytes: 1 } } };
    },
  );
  const [a, b] = await Promise.all([scraper.current(), scraper.current()]);
  assert.equal(a, b);
  assert.equal(calls.length, 4, 'two rounds over both nodes, shared by concurrent requests');
  const u = a.node('real')!;
  assert.ok(u.windowMs >= 900 && u.windowMs < 3000, `a quick window (${u.windowMs} ms)`);
  assert.equal(a.node('hollow'), undefined);
  await scraper.current();
  assert.equal(calls.length, 4, 'within the resolution: no scrape');
});
