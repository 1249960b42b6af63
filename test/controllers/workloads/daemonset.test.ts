// DaemonSets on three hollow nodes with the real kubectl 1.33: one pod per node placed by the
// scheduler, nodeSelector following node labels, RollingUpdate and ControllerRevisions, status numbers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/index.js';
import { eventually, startTestCluster, type TestCluster } from './cluster.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 3 });
});
after(async () => {
  await c?.stop();
});

interface PodList {
  items: Array<{ metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string }; spec: { nodeName?: string; containers: Array<{ image: string }> }; status: { phase?: string } }>;
}

async function podsOf(selector: string): Promise<PodList['items']> {
  return (JSON.parse(await c.k('get', 'pods', '-l', selector, '-o', 'json')) as PodList).items.filter((p) => !p.metadata.deletionTimestamp);
}

async function dsStatus(name: string): Promise<Record<string, number>> {
  return (JSON.parse(await c.k('get', 'ds', name, '-o', 'json')) as { status: Record<string, number> }).status;
}

test('the seed DaemonSet runs one pod on each of the 3 nodes and rolls out a new image', async () => {
  const seed = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/seeds/kube-ds.yaml'), 'utf8');
  assert.match(await c.kIn(seed, 'create', '-f', '-'), /daemonset.apps\/ssd-monitor created/);
  const pods = await eventually('3 running pods', async () => {
    const items = await podsOf('apps=ssd-monitor');
    return items.length === 3 && items.every((p) => p.status.phase === 'Running') && items;
  });
  assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['node-0', 'node-1', 'node-2']);
  await eventually('status 3/3', async () => {
    const s = await dsStatus('ssd-monitor');
    return s.desiredNumberScheduled === 3 && s.currentNumberScheduled === 3 && s.numberReady === 3 && s.numberAvailable === 3 && s.updatedNumberScheduled === 3 && s.numberMisscheduled === 0;
  });
  assert.match(await c.k('get', 'ds', 'ssd-monitor'), /ssd-monitor\s+3\s+3\s+3\s+3\s+3\s+<none>\s+/);

  await c.k('set', 'image', 'ds/ssd-monitor', 'main=luksa/ssd-monitor:v2');
  assert.match(await c.k('rollout', 'status', 'ds/ssd-monitor', '--timeout=60s'), /daemon set "ssd-monitor" successfully rolled out/);
  const updated = await podsOf('apps=ssd-monitor');
  assert.equal(updated.length, 3);
  assert.ok(updated.every((p) => p.spec.containers[0].image === 'luksa/ssd-monitor:v2'));
  const revisions = await c.k('get', 'controllerrevisions', '-l', 'apps=ssd-monitor', '-o', 'custom-columns=NAME:.metadata.name,REV:.revision', '--no-headers');
  assert.equal(revisions.trim().split('\n').length, 2, revisions);
  const history = await c.k('rollout', 'history', 'ds/ssd-monitor');
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

  // kubectl's undo patches the template back from the ControllerRevision; that revision becomes number 3.
  assert.match(await c.k('rollout', 'undo', 'ds/ssd-monitor'), /daemonset.apps\/ssd-monitor rolled back/);
  assert.match(await c.k('rollout', 'status', 'ds/ssd-monitor', '--timeout=60s'), /successfully rolled out/);
  await eventually('v1 pods again', async () => {
    const items = await podsOf('apps=ssd-monitor');
    return items.length === 3 && items.every((p) => p.spec.containers[0].image === 'luksa/ssd-monitor');
  });
  assert.match(await c.k('rollout', 'history', 'ds/ssd-monitor'), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
});

test('a nodeSelector DaemonSet follows node labels', async () => {
  const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ssd}
spec:
  selector: {matchLabels: {app: ssd}}
  template:
    metadata: {labels: {app: ssd}}
    spec:
      nodeSelector: {disk: ssd}
      containers: [{name: main, image: luksa/ssd-monitor}]
`;
  await c.kIn(manifest, 'create', '-f', '-');
  await eventually('nothing desired', async () => (await dsStatus('ssd')).desiredNumberScheduled === 0);
  await c.k('label', 'node', 'node-1', 'disk=ssd');
  const [pod] = await eventually('a pod on node-1', async () => {
    const items = await podsOf('app=ssd');
    return items.length === 1 && items[0].spec.nodeName === 'node-1' && items;
  });
  assert.match(pod.metadata.name, /^ssd-[a-z0-9]{5}$/);
  await c.k('label', 'node', 'node-1', 'disk=hdd', '--overwrite');
  await eventually('the pod removed from the relabeled node', async () => (await podsOf('app=ssd')).length === 0);
  await eventually('status back to 0', async () => {
    const s = await dsStatus('ssd');
    return s.desiredNumberScheduled === 0 && s.currentNumberScheduled === 0;
  });
});

test('RollingUpdate with maxSurge 1 and maxUnavailable 0 replaces every pod (surging, never going below 3)', async () => {
  const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: surge}
spec:
  selector: {matchLabels: {app: surge}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: surge}}
    spec:
      containers: [{name: main, image: "agent:v1"}]
`;
  await c.kIn(manifest, 'create', '-f', '-');
  assert.match(await c.k('rollout', 'status', 'ds/surge', '--timeout=60s'), /successfully rolled out/);
  await c.k('set', 'image', 'ds/surge', 'main=agent:v2');
  assert.match(await c.k('rollout', 'status', 'ds/surge', '--timeout=60s'), /successfully rolled out/);
  const pods = await eventually('three v2 pods', async () => {
    const items = await podsOf('app=surge');
    return items.length === 3 && items.every((p) => p.spec.containers[0].image === 'agent:v2') && items;
  });
  assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['node-0', 'node-1', 'node-2']);
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.name=surge', '-o', 'custom-columns=R:.reason', '--no-headers');
  assert.equal(events.split('\n').filter((l) => l.trim() === 'SuccessfulDelete').length > 0, true);
});
