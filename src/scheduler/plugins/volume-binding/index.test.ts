import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../cache.js';
import { CycleState, type Handle } from '../../framework.js';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../types.js';
import { volumeBinding } from './index.js';

const onNode = (node: string): PersistentVolume['spec']['nodeAffinity'] => ({
  required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] },
});
const claim = (name: string, spec: Partial<PersistentVolumeClaim['spec']>, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});
const volume = (name: string, spec: Partial<PersistentVolume['spec']>): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], ...spec },
  status: { phase: 'Available' },
});
const cls = (name: string, provisioner: string, volumeBindingMode: StorageClass['volumeBindingMode']): StorageClass => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode });

function world(claims: PersistentVolumeClaim[], pvs: PersistentVolume[], classes: StorageClass[]) {
  const snapshot = new SchedulerCache({
    namespaceLabels: () => undefined,
    pvc: (_ns, name) => claims.find((c) => c.metadata.name === name),
    pv: (name) => pvs.find((v) => v.metadata.name === name),
    pvs: () => pvs,
    storageClass: (name) => classes.find((c) => c.metadata.name === name),
  });
  const plugin = volumeBinding({}, {} as Handle);
  const pod = new PodInfo(makePod('p', { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c.metadata.name! } })) }));
  const state = new CycleState();
  const pre = plugin.preFilter!(state, pod, snapshot) as { message: string } | undefined;
  return { pre: pre?.message, fits: (node: string) => plugin.filter!(state, pod, new NodeInfo(makeNode(node)))?.message ?? 'ok' };
}

test('missing claims fail PreFilter; a bound PV pins the pod to the nodes its affinity allows', () => {
  const missing = volumeBinding({}, {} as Handle).preFilter!(new CycleState(), new PodInfo(makePod('p', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'nope' } }] })), new SchedulerCache());
  assert.equal((missing as { message: string }).message, 'persistentvolumeclaim "nope" not found');
  const w = world([claim('data', { volumeName: 'pv1' })], [volume('pv1', { nodeAffinity: onNode('a') })], []);
  assert.equal(w.pre, undefined);
  assert.equal(w.fits('a'), 'ok');
  assert.equal(w.fits('b'), 'node(s) had volume node affinity conflict');
});

test('an unbound claim of an Immediate (or unknown) class waits for the PV controller', () => {
  assert.equal(world([claim('c', { storageClassName: 'fast' })], [], [cls('fast', 'x', 'Immediate')]).pre, 'pod has unbound immediate PersistentVolumeClaims');
  assert.equal(world([claim('c', { storageClassName: 'gone' })], [], []).pre, 'pod has unbound immediate PersistentVolumeClaims');
});

test('WaitForFirstConsumer: a static volume that fits the node, else a provisioner that can provision there', () => {
  const manual = cls('manual', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer');
  const statics = world([claim('c', { storageClassName: 'manual' })], [volume('pv-a', { storageClassName: 'manual', nodeAffinity: onNode('a') })], [manual]);
  assert.equal(statics.pre, undefined);
  assert.equal(statics.fits('a'), 'ok');
  assert.equal(statics.fits('b'), "node(s) didn't find available persistent volumes to bind");
  const local = cls('local-path', 'rancher.io/local-path', 'WaitForFirstConsumer');
  assert.equal(world([claim('c', { storageClassName: 'local-path' })], [], [local]).fits('b'), 'ok');
  const zoned = { ...local, allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['a'] }] }] };
  const w = world([claim('c', { storageClassName: 'local-path' })], [], [zoned]);
  assert.equal(w.fits('a'), 'ok');
  assert.equal(w.fits('b'), "node(s) didn't find available persistent volumes to bind");
  const chosen = world([claim('c', { storageClassName: 'local-path' }, { 'volume.kubernetes.io/selected-node': 'a' })], [], [local]);
  assert.equal(chosen.fits('a'), 'ok');
  assert.equal(chosen.fits('b'), "node(s) didn't find available persistent volumes to bind", 'a claim being provisioned for node a');
});

test('two claims never get the same static volume', () => {
  const manual = cls('manual', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer');
  const claims = [claim('c1', { storageClassName: 'manual' }), claim('c2', { storageClassName: 'manual' })];
  assert.equal(world(claims, [volume('only', { storageClassName: 'manual' })], [manual]).fits('a'), "node(s) didn't find available persistent volumes to bind");
  assert.equal(world(claims, [volume('one', { storageClassName: 'manual' }), volume('two', { storageClassName: 'manual' })], [manual]).fits('a'), 'ok');
});
