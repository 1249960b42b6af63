import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume } from '../../client/index.js';
import { recyclerPod } from './recycler.js';

const pv = (spec: Partial<PersistentVolume['spec']>): PersistentVolume => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' }, ...spec } });

test('a hostPath volume is scrubbed by recycler-for-<pv> in default, 60 s at least, 30 s per GiB', () => {
  const pod = recyclerPod(pv({ hostPath: { path: '/data/pv1' } }))!;
  assert.equal(pod.metadata.name, 'recycler-for-pv1');
  assert.equal(pod.metadata.namespace, 'default');
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.spec.activeDeadlineSeconds, 60);
  assert.deepEqual(pod.spec.volumes, [{ name: 'vol', hostPath: { path: '/data/pv1' } }]);
  assert.deepEqual(pod.spec.containers[0].volumeMounts, [{ name: 'vol', mountPath: '/scrub' }]);
  assert.match(pod.spec.containers[0].args!.join(' '), /rm -rf \/scrub\/\.\.\?\* \/scrub\/\.\[!\.\]\* \/scrub\/\*/);
  assert.equal(recyclerPod(pv({ hostPath: { path: '/d' }, capacity: { storage: '10Gi' } }))!.spec.activeDeadlineSeconds, 300);
});

test('NFS volumes get 300 s at least; a pinned volume is scrubbed on its node; other kinds have no recycler', () => {
  assert.deepEqual(recyclerPod(pv({ nfs: { server: '10.0.0.1', path: '/x' } }))!.spec.volumes, [{ name: 'vol', nfs: { server: '10.0.0.1', path: '/x' } }]);
  assert.equal(recyclerPod(pv({ nfs: { server: '10.0.0.1', path: '/x' } }))!.spec.activeDeadlineSeconds, 300);
  const required = { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: ['n1'] }] }] };
  assert.deepEqual(recyclerPod(pv({ hostPath: { path: '/d' }, nodeAffinity: { required } }))!.spec.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } });
  assert.equal(recyclerPod(pv({ local: { path: '/mnt/disk' } })), undefined);
});
