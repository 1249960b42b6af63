import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numFeasibleNodesToFind, schedulePod } from './algorithm.js';
import { fitErrorMessage, type Framework, type Snapshot } from './framework.js';
import { PodInfo } from './node-info.js';
import { makeCache, makeFramework, makeNode, makePod } from './testing.js';
import type { Pod } from './types.js';

function place(fw: Framework, snapshot: Snapshot, pod: Pod): { host?: string; message: string } {
  const r = schedulePod(fw, snapshot, new PodInfo(pod));
  return { host: r.host, message: r.host ? '' : fitErrorMessage(snapshot.nodes.length, r.preFilterStatus?.message ?? '', r.statuses) };
}

test('the FitError message counts reasons per node and sorts them as kube-scheduler does', () => {
  const cache = makeCache([makeNode('a', { cpu: '1' }), makeNode('b', { labels: { disk: 'hdd' } }), makeNode('c', { labels: { disk: 'hdd' } })]);
  const pod = makePod('p', { cpu: '2', nodeSelector: { disk: 'ssd' } });
  const fw = makeFramework();
  const { host, message } = place(fw, cache, pod);
  assert.equal(host, undefined);
  // Node a fails NodeAffinity first (filters run in order and stop at the first failure).
  assert.equal(message, "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
  const cache2 = makeCache([makeNode('a', { cpu: '1', labels: { disk: 'ssd' } }), makeNode('b', { labels: { disk: 'hdd' } }), makeNode('c', { labels: { disk: 'hdd' } })]);
  assert.equal(place(fw, cache2, pod).message, "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.");
});

test('requests, not limits, decide fit; pods already bound use up allocatable', () => {
  const node = makeNode('n', { cpu: '1', memory: '1Gi' });
  const running = makePod('r', { cpu: '600m', memory: '512Mi' });
  running.spec.nodeName = 'n';
  const fw = makeFramework();
  const cache = makeCache([node], [running]);
  assert.equal(place(fw, cache, makePod('fits', { cpu: '400m' })).host, 'n');
  assert.equal(place(fw, cache, makePod('big', { cpu: '500m', memory: '600Mi' })).message, '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.');
  const limitsOnly = makePod('limits');
  limitsOnly.spec.containers[0].resources = { limits: { cpu: '64' } };
  assert.equal(place(fw, cache, limitsOnly).host, 'n', 'limits do not count');
  assert.equal(place(fw, makeCache([makeNode('n', { pods: 1 })], [{ ...running, spec: { ...running.spec, containers: [{ name: 'c' }] } }]), makePod('x')).message, '0/1 nodes are available: 1 Too many pods.');
});

test('taints keep pods off unless tolerated; cordoned nodes are skipped', () => {
  const fw = makeFramework();
  const cache = makeCache([makeNode('t', { taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }] }), makeNode('u', { unschedulable: true })]);
  assert.equal(place(fw, cache, makePod('p')).message, '0/2 nodes are available: 1 node(s) had untolerated taint {foo: bar}, 1 node(s) were unschedulable.');
  assert.equal(place(fw, cache, makePod('tol', { tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }] })).host, 't');
  assert.equal(place(fw, cache, makePod('exists', { tolerations: [{ operator: 'Exists' }] })).host !== undefined, true, 'an empty key with Exists tolerates everything');
  assert.equal(place(fw, cache, makePod('wrong', { tolerations: [{ key: 'foo', operator: 'Equal', value: 'baz' }] })).host, undefined);
});

test('required node affinity: terms ORed, expressions ANDed, Gt/Lt compare integers', () => {
  const fw = makeFramework();
  const cache = makeCache([makeNode('a', { labels: { zone: 'z1', gen: '3' } }), makeNode('b', { labels: { zone: 'z2', gen: '5' } })]);
  const affinity = (terms: unknown) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } }) as Pod['spec']['affinity'];
  assert.equal(place(fw, cache, makePod('p', { affinity: affinity([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'gen', operator: 'Gt', values: ['4'] }] }]) })).host, undefined);
  assert.equal(place(fw, cache, makePod('p', { affinity: affinity([{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }]) })).host, 'b');
  assert.equal(place(fw, cache, makePod('p', { affinity: affinity([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z2'] }] }, { matchExpressions: [{ key: 'nope', operator: 'Exists' }] }]) })).host, 'a');
  assert.equal(place(fw, cache, makePod('p', { affinity: affinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }]) })).host, 'b');
});

test('preferred node affinity wins over an otherwise equal node', () => {
  const fw = makeFramework();
  const cache = makeCache([makeNode('a'), makeNode('b', { labels: { fast: 'yes' } }), makeNode('c')]);
  const pod = makePod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'fast', operator: 'In', values: ['yes'] }] } }] } } });
  for (let i = 0; i < 10; i++) assert.equal(place(fw, cache, pod).host, 'b');
});

test('LeastAllocated spreads, MostAllocated packs', () => {
  const busy = { ...makePod('busy', { cpu: '3', memory: '6Gi' }) };
  busy.spec.nodeName = 'busy';
  const nodes = [makeNode('busy'), makeNode('idle')];
  assert.equal(place(makeFramework(), makeCache(nodes, [busy]), makePod('p', { cpu: '500m', memory: '1Gi' })).host, 'idle');
  const most = makeFramework({
    pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }],
    plugins: { score: { disabled: [{ name: 'NodeResourcesBalancedAllocation' }] } },
  });
  assert.equal(place(most, makeCache(nodes, [busy]), makePod('p', { cpu: '500m', memory: '1Gi' })).host, 'busy');
});

test('required pod anti-affinity spreads 3 replicas over 3 nodes and leaves a 4th pending', () => {
  const fw = makeFramework();
  const nodes = ['n1', 'n2', 'n3'].map((n) => makeNode(n));
  const placed: Pod[] = [];
  const replica = (i: number): Pod =>
    makePod(`web-${i}`, {
      labels: { app: 'web' },
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    });
  for (let i = 0; i < 3; i++) {
    const pod = replica(i);
    const { host } = place(fw, makeCache(nodes, placed), pod);
    assert.ok(host, `replica ${i} placed`);
    placed.push({ ...pod, spec: { ...pod.spec, nodeName: host } });
  }
  assert.deepEqual(new Set(placed.map((p) => p.spec.nodeName)).size, 3);
  const fourth = place(fw, makeCache(nodes, placed), replica(3));
  assert.equal(fourth.host, undefined);
  assert.equal(fourth.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
  // A pod without anti-affinity of its own is kept off by the running pods' rules.
  const other = makePod('other', { labels: { app: 'web' } });
  assert.equal(place(fw, makeCache(nodes, placed), other).message, "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules.");
});

test('required pod affinity: follows the matching pod, and the first pod of a group may go anywhere', () => {
  const fw = makeFramework();
  const nodes = [makeNode('n1', { labels: { zone: 'a' } }), makeNode('n2', { labels: { zone: 'b' } })];
  const db = makePod('db', { labels: { app: 'db' } });
  db.spec.nodeName = 'n2';
  const affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }] } };
  for (let i = 0; i < 5; i++) assert.equal(place(fw, makeCache(nodes, [db]), makePod('web', { affinity })).host, 'n2');
  assert.equal(place(fw, makeCache(nodes), makePod('web', { affinity })).message, "0/2 nodes are available: 2 node(s) didn't match pod affinity rules.");
  assert.ok(place(fw, makeCache(nodes), makePod('db0', { labels: { app: 'db' }, affinity })).host, 'self-matching first pod');
});

test('topology spread DoNotSchedule keeps the skew within maxSkew', () => {
  const fw = makeFramework();
  const nodes = [makeNode('n1', { labels: { zone: 'a' } }), makeNode('n2', { labels: { zone: 'b' } }), makeNode('n3')];
  const existing = [0, 1].map((i) => {
    const p = makePod(`e${i}`, { labels: { app: 'x' } });
    p.spec.nodeName = 'n1';
    return p;
  });
  const pod = makePod('p', { labels: { app: 'x' }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'x' } } }] });
  const r = schedulePod(fw, makeCache(nodes, existing), new PodInfo(pod));
  assert.equal(r.host, 'n2');
  assert.equal(r.statuses.get('n1')?.message, "node(s) didn't match pod topology spread constraints");
  assert.equal(r.statuses.get('n3')?.message, "node(s) didn't match pod topology spread constraints (missing required label)");
});

test('host ports conflict on the same port and protocol', () => {
  const fw = makeFramework();
  const withPort = (name: string, port: number) => {
    const p = makePod(name);
    p.spec.containers[0].ports = [{ containerPort: 80, hostPort: port }];
    return p;
  };
  const running = withPort('r', 8080);
  running.spec.nodeName = 'n';
  const cache = makeCache([makeNode('n')], [running]);
  assert.equal(place(fw, cache, withPort('p', 8080)).message, "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
  assert.equal(place(fw, cache, withPort('q', 8081)).host, 'n');
});

test('ImageLocality prefers the node that already has a big image', () => {
  const fw = makeFramework();
  const cache = makeCache([makeNode('a'), makeNode('b', { images: [{ names: ['registry.local/big:1'], sizeBytes: 800 * 1024 * 1024 }] }), makeNode('c')]);
  const pod = makePod('p');
  pod.spec.containers[0].image = 'registry.local/big:1';
  for (let i = 0; i < 5; i++) assert.equal(place(fw, cache, pod).host, 'b');
});

test('percentageOfNodesToScore: all nodes below 100, an adaptive share above', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 1000), 420);
  assert.equal(numFeasibleNodesToFind(0, 5000), 500);
  assert.equal(numFeasibleNodesToFind(0, 200), 100);
  assert.equal(numFeasibleNodesToFind(30, 1000), 300);
  assert.equal(numFeasibleNodesToFind(100, 1000), 1000);
  const nodes = Array.from({ length: 300 }, (_, i) => makeNode(`n${i}`));
  const r = schedulePod(makeFramework(), makeCache(nodes), new PodInfo(makePod('p')), { startIndex: 10 });
  assert.equal(r.processed, 144, 'stops after 50 - 300/125 = 48% of the nodes are feasible');
});
