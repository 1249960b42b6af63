import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../cache.js';
import { CycleState } from '../../framework.js';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../types.js';
import { volumeBinding } from './index.js';

test('missing claims fail PreFilter; a bound PV pins the pod to the nodes its affinity allows', () => {
  const pvc: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { volumeName: 'pv1' } };
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv1' },
    spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } },
  };
  const snapshot = new SchedulerCache({ namespaceLabels: () => undefined, pvc: (_ns, name) => (name === 'data' ? pvc : undefined), pv: (name) => (name === 'pv1' ? pv : undefined) });
  const p = volumeBinding();
  const pod = (claim: string) => new PodInfo(makePod('p', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] }));
  assert.equal((p.preFilter!(new CycleState(), pod('nope'), snapshot) as { message: string }).message, 'persistentvolumeclaim "nope" not found');
  const state = new CycleState();
  assert.equal(p.preFilter!(state, pod('data'), snapshot), undefined);
  assert.equal(p.filter!(state, pod('data'), new NodeInfo(makeNode('a'))), undefined);
  assert.equal(p.filter!(state, pod('data'), new NodeInfo(makeNode('b')))?.message, 'node(s) had volume node affinity conflict');
});
