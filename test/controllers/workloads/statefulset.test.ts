// StatefulSets on hollow nodes with the real kubectl 1.33: web-0 is Running and Ready before web-1 is
// created, scale-down removes the highest ordinal, a partitioned rolling update, and claims from
// volumeClaimTemplates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Informer, isPodReady, ResourceClient, refs, type Pod } from '../../../src/client/index.js';
import { eventually, startTestCluster, type TestCluster } from './cluster.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 2 });
});
after(async () => {
  await c?.stop();
});

interface PodList {
  items: Array<{ metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string }; spec: { hostname?: string; subdomain?: string; containers: Array<{ image: string }>; volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }> }; status: { phase?: string } }>;
}

async function podsOf(app: string): Promise<PodList['items']> {
  return (JSON.parse(await c.k('get', 'pods', '-l', `app=${app}`, '-o', 'json')) as PodList).items.filter((p) => !p.metadata.deletionTimestamp);
}

const manifest = (name: string, replicas: number, extra = ''): string => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  serviceName: ${name}-svc
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
${extra}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25"}]
`;

test('web-0 is running and ready before web-1 is created; scale-down removes the highest ordinal', async () => {
  const informer = new Informer<Pod>(new ResourceClient<Pod>(c.rest, refs.pods), { labelSelector: 'app=web' });
  const order: string[] = [];
  let web0ReadyWhenWeb1Created: boolean | undefined;
  informer.addEventHandler({
    add: (p) => {
      order.push(String(p.metadata.name));
      if (p.metadata.name === 'web-1') {
        const web0 = informer.lister.get('web-0', p.metadata.namespace);
        web0ReadyWhenWeb1Created = Boolean(web0 && web0.status?.phase === 'Running' && isPodReady(web0));
      }
    },
  });
  informer.start();
  try {
    await informer.waitForSync();
    assert.match(await c.kIn(manifest('web', 3), 'create', '-f', '-'), /statefulset.apps\/web created/);
    assert.match(await c.k('rollout', 'status', 'sts/web', '--timeout=60s'), /partitioned roll out complete: 3 new pods have been updated|statefulset rolling update complete 3 pods at revision web-/);
    assert.deepEqual(order.slice(0, 3), ['web-0', 'web-1', 'web-2']);
    assert.equal(web0ReadyWhenWeb1Created, true);
  } finally {
    informer.stop();
  }
  const pods = await podsOf('web');
  for (const p of pods) {
    assert.equal(p.spec.hostname, p.metadata.name);
    assert.equal(p.spec.subdomain, 'web-svc');
    assert.equal(p.metadata.labels['statefulset.kubernetes.io/pod-name'], p.metadata.name);
  }
  assert.match(await c.k('get', 'sts', 'web'), /web\s+3\/3\s+/);
  await c.k('scale', 'sts', 'web', '--replicas=1');
  await eventually('only web-0 left', async () => (await podsOf('web')).map((p) => p.metadata.name).join() === 'web-0');
});

test('a rolling update with a partition updates only the ordinals at or above it, highest first', async () => {
  await c.kIn(manifest('part', 3, '  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}'), 'create', '-f', '-');
  await eventually('3 ready', async () => (JSON.parse(await c.k('get', 'sts', 'part', '-o', 'json')) as { status: { readyReplicas?: number } }).status.readyReplicas === 3);
  await c.k('set', 'image', 'sts/part', 'nginx=nginx:1.26');
  const images = await eventually('part-1 and part-2 updated', async () => {
    const pods = await podsOf('part');
    const byName = Object.fromEntries(pods.map((p) => [p.metadata.name, `${p.spec.containers[0].image}/${p.status.phase}`]));
    return byName['part-2'] === 'nginx:1.26/Running' && byName['part-1'] === 'nginx:1.26/Running' && byName;
  });
  assert.equal(images['part-0'], 'nginx:1.25/Running');
  const status = (JSON.parse(await c.k('get', 'sts', 'part', '-o', 'json')) as { status: { currentRevision: string; updateRevision: string; updatedReplicas: number; currentReplicas: number } }).status;
  assert.notEqual(status.currentRevision, status.updateRevision);
  assert.equal(status.updatedReplicas, 2);
  assert.equal(status.currentReplicas, 1);

  // Partition 0 finishes the rollout; kubectl's undo then restores the previous revision's template.
  await c.k('patch', 'sts', 'part', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}');
  await eventually('all on 1.26 and the revisions converged', async () => {
    const s = (JSON.parse(await c.k('get', 'sts', 'part', '-o', 'json')) as { status: { currentRevision: string; updateRevision: string; updatedReplicas: number } }).status;
    return s.currentRevision === s.updateRevision && s.updatedReplicas === 3;
  });
  assert.match(await c.k('rollout', 'undo', 'sts/part'), /statefulset.apps\/part rolled back/);
  await eventually('all back on 1.25', async () => {
    const pods = await podsOf('part');
    return pods.length === 3 && pods.every((p) => p.spec.containers[0].image === 'nginx:1.25' && p.status.phase === 'Running');
  });
  assert.match(await c.k('rollout', 'history', 'sts/part'), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
});

test('OnDelete replaces a pod with the new template only when it is deleted', async () => {
  await c.kIn(manifest('ondel', 2, '  updateStrategy: {type: OnDelete}'), 'create', '-f', '-');
  await eventually('2 ready', async () => (JSON.parse(await c.k('get', 'sts', 'ondel', '-o', 'json')) as { status: { readyReplicas?: number } }).status.readyReplicas === 2);
  await c.k('set', 'image', 'sts/ondel', 'nginx=nginx:1.26');
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok((await podsOf('ondel')).every((p) => p.spec.containers[0].image === 'nginx:1.25'), 'nothing replaced by itself');
  // --wait=false: the pod comes back under the same name at once (see the report on kubectl's wait).
  await c.k('delete', 'pod', 'ondel-1', '--wait=false');
  await eventually('ondel-1 recreated on 1.26', async () => {
    const byName = Object.fromEntries((await podsOf('ondel')).map((p) => [p.metadata.name, p.spec.containers[0].image]));
    return byName['ondel-1'] === 'nginx:1.26' && byName['ondel-0'] === 'nginx:1.25';
  });
});

test('Parallel creates every pod at once with claims from volumeClaimTemplates', async () => {
  const claims = `  podManagementPolicy: Parallel
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}`;
  await c.kIn(manifest('db', 2, claims), 'create', '-f', '-');
  const pods = await eventually('2 pods', async () => {
    const items = await podsOf('db');
    return items.length === 2 && items;
  });
  for (const p of pods) assert.equal(p.spec.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName, `data-${p.metadata.name}`);
  const pvcs = await c.k('get', 'pvc', '-l', 'app=db', '-o', 'name');
  assert.deepEqual(pvcs.trim().split('\n').sort(), ['persistentvolumeclaim/data-db-0', 'persistentvolumeclaim/data-db-1']);
});
