import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from './types.js';
import { bestMatch } from './volume-matching.js';

const pv = (name: string, storage: string, extra: Partial<PersistentVolume['spec']> = {}, labels?: Record<string, string>): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, labels },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], ...extra },
  status: { phase: 'Available' },
});
const claim = (spec: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'c', namespace: 'ns', uid: 'u' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', ...spec },
});

test('the smallest volume that fits class, modes, capacity and selector is chosen', () => {
  const pvs = [pv('big', '10Gi'), pv('small', '500Mi'), pv('exact', '1Gi'), pv('classy', '1Gi', { storageClassName: 'fast' }), pv('rox', '1Gi', { accessModes: ['ReadOnlyMany'] })];
  assert.equal(bestMatch(pvs, claim())?.metadata.name, 'exact');
  assert.equal(bestMatch(pvs, claim({ storageClassName: 'fast' }))?.metadata.name, 'classy');
  assert.equal(bestMatch(pvs, claim({ accessModes: ['ReadWriteMany'] })), undefined);
  assert.equal(bestMatch([pv('a', '2Gi', {}, { tier: 'gold' }), pv('b', '1Gi')], claim({ selector: { matchLabels: { tier: 'gold' } } }))?.metadata.name, 'a');
  assert.equal(bestMatch([pv('block', '1Gi', { volumeMode: 'Block' })], claim()), undefined);
});

test('a volume bound to another claim is skipped; one pre-bound to this claim wins', () => {
  const other = pv('other', '1Gi', { claimRef: { namespace: 'ns', name: 'x', uid: 'ux' } });
  const mine = pv('mine', '5Gi', { claimRef: { namespace: 'ns', name: 'c' } });
  assert.equal(bestMatch([other, pv('free', '1Gi'), mine], claim())?.metadata.name, 'mine');
  assert.equal(bestMatch([other], claim()), undefined);
});

test('delayed binding: without a node only a pre-bound volume; with one, only volumes whose affinity fits it', () => {
  const mine = pv('mine', '5Gi', { claimRef: { namespace: 'ns', name: 'c' } });
  assert.equal(bestMatch([pv('free', '1Gi')], claim(), { delayBinding: true }), undefined);
  assert.equal(bestMatch([pv('free', '1Gi'), mine], claim(), { delayBinding: true })?.metadata.name, 'mine');
  const onNode = (node: string) => (v: PersistentVolume) => v.metadata.labels?.node === node;
  const pvs = [pv('a', '1Gi', {}, { node: 'n1' }), pv('b', '1Gi', {}, { node: 'n2' })];
  assert.equal(bestMatch(pvs, claim(), { delayBinding: true, fitsNode: onNode('n2') })?.metadata.name, 'b');
  assert.equal(bestMatch(pvs, claim(), { delayBinding: true, fitsNode: onNode('n3') }), undefined);
  assert.equal(bestMatch([mine], claim(), { fitsNode: () => false }), undefined, 'a pre-bound volume elsewhere rules the node out');
});
