// PersistentVolumes with kubectl 1.33 on hollow nodes: the seed's claim binds the seed's pv0003 (and the
// Recycle volume is scrubbed by a recycler pod and Available again after the claim goes); a claim
// without a class gets the default local-path class, waits for its first consumer, and is provisioned
// on the node the scheduler picks for that pod; WaitForFirstConsumer static volumes are bound by the
// scheduler on the pod's node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/index.js';
import { eventually, startTestCluster, type TestCluster } from '../workloads/cluster.js';

const SEEDS = path.join(REPO_ROOT, 'test/fixtures/seeds');
let c: TestCluster;

interface CoreEvent {
  type: string;
  reason: string;
  message: string;
}
const events = async (name: string): Promise<CoreEvent[]> => (JSON.parse(await c.k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json')) as { items: CoreEvent[] }).items;

before(async () => {
  c = await startTestCluster({ nodes: 2 });
});
after(async () => {
  await c?.stop();
});

test('the seed claim binds pv0003, and the Recycle volume is Available again after the claim is deleted', async () => {
  await c.kIn(fs.readFileSync(path.join(SEEDS, 'pv0003.yaml'), 'utf8'), 'create', '-f', '-');
  await c.kIn(fs.readFileSync(path.join(SEEDS, 'myclaim.yaml'), 'utf8'), 'create', '-f', '-');
  await eventually('myclaim Bound', async () => /myclaim\s+Bound\s+pv0003\s+1Gi\s+RWO/.test(await c.k('get', 'pvc', 'myclaim')));
  assert.match(await c.k('get', 'pv', 'pv0003'), /pv0003\s+1Gi\s+RWO\s+Recycle\s+Bound\s+default\/myclaim/);
  await c.k('delete', 'pvc', 'myclaim');
  await eventually('pv0003 Available', async () => /pv0003\s+1Gi\s+RWO\s+Recycle\s+Available/.test(await c.k('get', 'pv', 'pv0003')));
  const reasons = (await events('pv0003')).map((e) => `${e.reason}: ${e.message}`);
  assert.ok(reasons.includes('VolumeRecycled: Volume recycled'), reasons.join('\n'));
  assert.ok(reasons.some((r) => /^RecyclerPod: Recycler pod: Successfully assigned default\/recycler-for-pv0003 to node-/.test(r)), reasons.join('\n'));
  await eventually('the recycler pod deleted', async () => (await c.kTry('get', 'pod', 'recycler-for-pv0003')).code !== 0);
  assert.equal(await c.k('get', 'pv', 'pv0003', '-o', 'jsonpath={.spec.claimRef}'), '');
});

test('a Recycle volume no plugin can scrub goes Failed with Kubernetes\' event', async () => {
  await c.kIn(
    'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: disk1}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  persistentVolumeReclaimPolicy: Recycle\n  local: {path: /mnt/disk1}\n  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-0]}]}]}}\n  claimRef: {namespace: default, name: diskclaim}\n',
    'create',
    '-f',
    '-',
  );
  await c.kIn('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: diskclaim}\nspec:\n  storageClassName: ""\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n', 'create', '-f', '-');
  await eventually('diskclaim Bound', async () => /diskclaim\s+Bound\s+disk1/.test(await c.k('get', 'pvc', 'diskclaim')));
  await c.k('delete', 'pvc', 'diskclaim');
  await eventually('disk1 Failed', async () => /disk1\s+1Gi\s+RWO\s+Recycle\s+Failed/.test(await c.k('get', 'pv', 'disk1')));
  const failed = await eventually('the event', async () => (await events('disk1')).find((e) => e.reason === 'VolumeFailedRecycle'));
  assert.equal(failed.type, 'Warning');
  assert.equal(failed.message, 'No recycler plugin found for the volume!');
  assert.equal(await c.k('get', 'pv', 'disk1', '-o', 'jsonpath={.status.message}'), 'No recycler plugin found for the volume!');
});

test('a claim without a class gets local-path and a provisioned volume once a pod uses it', async () => {
  await eventually('the default class', async () => (await c.kTry('get', 'storageclass', 'local-path')).code === 0);
  assert.match(await c.k('get', 'storageclass'), /local-path \(default\)\s+rancher.io\/local-path\s+Delete\s+WaitForFirstConsumer/);
  await c.kIn('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 2Gi}}\n', 'create', '-f', '-');
  assert.equal(await c.k('get', 'pvc', 'data', '-o', 'jsonpath={.spec.storageClassName}'), 'local-path');
  const waiting = await eventually('the WaitForFirstConsumer event', async () => (await events('data')).find((e) => e.reason === 'WaitForFirstConsumer'));
  assert.equal(waiting.message, 'waiting for first consumer to be created before binding');
  assert.match(await c.k('get', 'pvc', 'data'), /data\s+Pending/);
  await c.kIn(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  containers: [{name: c, image: busybox, volumeMounts: [{name: d, mountPath: /data}]}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n',
    'create',
    '-f',
    '-',
  );
  await eventually('data Bound', async () => /data\s+Bound\s+pvc-[0-9a-f-]+\s+2Gi\s+RWO\s+local-path/.test(await c.k('get', 'pvc', 'data')));
  const pvName = await c.k('get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}');
  const pv = JSON.parse(await c.k('get', 'pv', pvName, '-o', 'json')) as { spec: { hostPath: { path: string }; nodeAffinity: { required: { nodeSelectorTerms: Array<{ matchExpressions: Array<{ values: string[] }> }> } } } };
  assert.match(pv.spec.hostPath.path, new RegExp(`/${pvName}_default_data$`));
  const node = pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0];
  assert.equal(await c.k('get', 'pvc', 'data', '-o', 'jsonpath={.metadata.annotations.volume\\.kubernetes\\.io/selected-node}'), node, 'provisioned where the scheduler chose');
  await eventually('the pod on the volume node', async () => (await c.k('get', 'pod', 'user', '-o', 'jsonpath={.spec.nodeName}')) === node);
  await c.k('delete', 'pod', 'user');
  await c.k('delete', 'pvc', 'data');
  await eventually('the provisioned volume deleted', async () => (await c.kTry('get', 'pv', pvName)).code !== 0);
});

test('WaitForFirstConsumer static volumes: the scheduler binds the one on the pod\'s node', async () => {
  await c.kIn('apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: manual}\nprovisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\n', 'create', '-f', '-');
  for (const node of ['node-0', 'node-1']) {
    await c.kIn(
      `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: local-${node}}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  storageClassName: manual\n  local: {path: /mnt/disk}\n  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${node}]}]}]}}\n`,
      'create',
      '-f',
      '-',
    );
  }
  await c.kIn('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: fast}\nspec:\n  storageClassName: manual\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n', 'create', '-f', '-');
  await eventually('the WaitForFirstConsumer event', async () => (await events('fast')).some((e) => e.reason === 'WaitForFirstConsumer'));
  assert.match(await c.k('get', 'pvc', 'fast'), /fast\s+Pending/);
  await c.kIn(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: pinned}\nspec:\n  nodeSelector: {kubernetes.io/hostname: node-1}\n  containers: [{name: c, image: busybox}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: fast}}]\n',
    'create',
    '-f',
    '-',
  );
  await eventually('fast Bound to the node-1 volume', async () => /fast\s+Bound\s+local-node-1\s+1Gi\s+RWO\s+manual/.test(await c.k('get', 'pvc', 'fast')));
  await eventually('the pod bound to node-1', async () => (await c.k('get', 'pod', 'pinned', '-o', 'jsonpath={.spec.nodeName}')) === 'node-1');
  assert.match(await c.k('get', 'pv', 'local-node-0'), /Available/);
});

test('a claim whose only consumer cannot be scheduled says which pod it waits for', async () => {
  await c.kIn('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: stuck}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n', 'create', '-f', '-');
  await c.kIn(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: nowhere}\nspec:\n  nodeSelector: {disk: none}\n  containers: [{name: c, image: busybox}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: stuck}}]\n',
    'create',
    '-f',
    '-',
  );
  const waiting = await eventually('the WaitForPodScheduled event', async () => (await events('stuck')).find((e) => e.reason === 'WaitForPodScheduled'));
  assert.equal(waiting.message, 'waiting for pod nowhere to be scheduled');
  assert.match(await c.k('get', 'pvc', 'stuck'), /stuck\s+Pending/);
  assert.equal(await c.k('get', 'pvc', 'stuck', '-o', 'jsonpath={.metadata.annotations}'), '', 'no node was selected');
});
