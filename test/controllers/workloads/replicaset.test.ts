// ReplicationControllers and ReplicaSets on hollow nodes, driven by the real kubectl 1.33 as the
// seed's transcripts do: pods recreated after deletion, scaled by `scale` and `edit`, matchExpressions,
// selectors immutable, orphans adopted and relabeled pods released.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/index.js';
import { eventually, startTestCluster, type TestCluster } from './cluster.js';

const SEEDS = path.join(REPO_ROOT, 'test/fixtures/seeds');
let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 3 });
});
after(async () => {
  await c?.stop();
});

interface PodList {
  items: Array<{ metadata: { name: string; labels?: Record<string, string>; ownerReferences?: Array<{ name: string; controller?: boolean }>; deletionTimestamp?: string }; status?: { phase?: string } }>;
}

async function pods(selector: string): Promise<PodList['items']> {
  const out = JSON.parse(await c.k('get', 'pods', '-l', selector, '-o', 'json')) as PodList;
  return out.items.filter((p) => !p.metadata.deletionTimestamp);
}

async function runningPods(selector: string, count: number): Promise<PodList['items']> {
  return eventually(`${count} running pods ${selector}`, async () => {
    const items = await pods(selector);
    return items.length === count && items.every((p) => p.status?.phase === 'Running') && items;
  });
}

test('the seed RC keeps 3 pods: deleted pods are recreated, scale and edit change the count', async () => {
  await c.kIn(fs.readFileSync(path.join(SEEDS, 'kubia-rc.yaml'), 'utf8').replace(/kubia/g, 'rc1').replace('image: luksa/rc1', 'image: luksa/kubia'), 'create', '-f', '-');
  const first = await runningPods('app=rc1', 3);
  for (const p of first) {
    assert.match(p.metadata.name, /^rc1-[a-z0-9]{5}$/);
    assert.deepEqual(p.metadata.ownerReferences?.map((r) => [r.name, r.controller]), [['rc1', true]]);
  }
  const gone = first[0].metadata.name;
  assert.match(await c.k('delete', 'po', gone), new RegExp(`pod "${gone}" deleted`));
  const again = await runningPods('app=rc1', 3);
  assert.ok(!again.some((p) => p.metadata.name === gone));

  assert.match(await c.k('scale', 'rc', 'rc1', '--replicas=5'), /replicationcontroller\/rc1 scaled/);
  await runningPods('app=rc1', 5);
  const editor = path.join(c.server.dataDir, 'edit-replicas.sh');
  fs.writeFileSync(editor, `#!/bin/sh\nsed -i 's/replicas: 5/replicas: 2/' "$1"\n`, { mode: 0o755 });
  assert.match(await c.kEnv({ KUBE_EDITOR: editor }, 'edit', 'rc', 'rc1'), /replicationcontroller\/rc1 edited/);
  await runningPods('app=rc1', 2);

  const rc = JSON.parse(await c.k('get', 'rc', 'rc1', '-o', 'json')) as { metadata: { generation: number }; status: Record<string, number> };
  await eventually('rc status', async () => {
    const cur = JSON.parse(await c.k('get', 'rc', 'rc1', '-o', 'json')) as typeof rc;
    return cur.status.replicas === 2 && cur.status.readyReplicas === 2 && cur.status.availableReplicas === 2 && cur.status.fullyLabeledReplicas === 2 && cur.status.observedGeneration === cur.metadata.generation;
  });
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.name=rc1', '-o', 'custom-columns=REASON:.reason,SOURCE:.source.component,MSG:.message', '--no-headers');
  assert.match(events, /SuccessfulCreate\s+replication-controller\s+Created pod: rc1-/);
  assert.match(events, /SuccessfulDelete\s+replication-controller\s+Deleted pod: rc1-/);
});

test('an RS with matchExpressions adopts a matching orphan, releases a relabeled pod and refuses a selector change', async () => {
  await c.k('run', 'orphan1', '--image=luksa/kubia', '--labels=app=rs1');
  await runningPods('app=rs1', 1);
  const manifest = fs.readFileSync(path.join(SEEDS, 'kubia-rs-matchexpr.yaml'), 'utf8').replace(/- kubia/, '- rs1').replace(/app: kubia/, 'app: rs1').replace(/name: kubia\n/, 'name: rs1\n');
  assert.match(await c.kIn(manifest, 'create', '-f', '-'), /replicaset.apps\/rs1 created/);
  const three = await runningPods('app=rs1', 3);
  const orphan = three.find((p) => p.metadata.name === 'orphan1');
  assert.deepEqual(orphan?.metadata.ownerReferences?.map((r) => r.name), ['rs1'], 'the orphan was adopted');

  await c.k('label', 'pod', 'orphan1', 'app=foo', '--overwrite');
  await runningPods('app=rs1', 3);
  const released = await eventually('orphan1 released', async () => {
    const p = (await pods('app=foo'))[0];
    return p && !(p.metadata.ownerReferences ?? []).some((r) => r.controller) && p;
  });
  assert.equal(released.metadata.name, 'orphan1');

  const r = await c.kTry('patch', 'rs', 'rs1', '--type=merge', '-p', '{"spec":{"selector":{"matchExpressions":[{"key":"app","operator":"In","values":["other"]}]}}}');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /field is immutable/);

  const table = await c.k('get', 'rs', 'rs1');
  assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nrs1\s+3\s+3\s+3\s+/);
});

test('scaling an RS down deletes unscheduled and not-ready pods before running ones', async () => {
  const manifest = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs2}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs2}}
  template:
    metadata: {labels: {app: rs2}}
    spec:
      containers: [{name: c, image: busybox}]
`;
  await c.kIn(manifest, 'create', '-f', '-');
  const running = await runningPods('app=rs2', 2);
  // A pod no node can take stays Pending: it is the first one to go when the RS scales down.
  await c.k('patch', 'rs', 'rs2', '--type=merge', '-p', '{"spec":{"replicas":3,"template":{"spec":{"nodeSelector":{"nowhere":"true"}}}}}');
  await eventually('a pending third pod', async () => (await pods('app=rs2')).length === 3);
  await c.k('scale', 'rs', 'rs2', '--replicas=2');
  const left = await eventually('two pods left', async () => {
    const items = await pods('app=rs2');
    return items.length === 2 && items;
  });
  assert.deepEqual(left.map((p) => p.metadata.name).sort(), running.map((p) => p.metadata.name).sort());
});
