// PersistentVolumes with kubectl 1.33 on hollow nodes: the seed's claim binds the seed's pv0003 (and a
// Recycle volume is Available again after the claim goes); a claim without a class gets the default
// local-path class and, once a pod uses it, a provisioned hostPath volume pinned to a node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/index.js';
import { eventually, startTestCluster, type TestCluster } from '../workloads/cluster.js';

const SEEDS = path.join(REPO_ROOT, 'test/fixtures/seeds');
let c: TestCluster;

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
});

test('a claim without a class gets local-path and a provisioned volume once a pod uses it', async () => {
  await eventually('the default class', async () => (await c.kTry('get', 'storageclass', 'local-path')).code === 0);
  assert.match(await c.k('get', 'storageclass'), /local-path \(default\)\s+rancher.io\/local-path\s+Delete\s+WaitForFirstConsumer/);
  await c.kIn('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 2Gi}}\n', 'create', '-f', '-');
  assert.equal(await c.k('get', 'pvc', 'data', '-o', 'jsonpath={.spec.storageClassName}'), 'local-path');
  await new Promise((r) => setTimeout(r, 500));
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
  await eventually('the pod on the volume node', async () => (await c.k('get', 'pod', 'user', '-o', 'jsonpath={.spec.nodeName}')) === node);
  await c.k('delete', 'pod', 'user');
  await c.k('delete', 'pvc', 'data');
  await eventually('the provisioned volume deleted', async () => (await c.kTry('get', 'pv', pvName)).code !== 0);
});
