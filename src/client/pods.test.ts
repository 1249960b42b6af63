import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodActive, isPodAvailable, isPodReady, podFromTemplate } from './pods.js';
import type { Pod } from './types.js';

const readyPod = (since: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] },
});

test('a ready pod is available once it has been ready for minReadySeconds', () => {
  const p = readyPod('2026-01-01T00:00:00Z');
  assert.ok(isPodReady(p));
  assert.ok(isPodAvailable(p, 0, new Date('2026-01-01T00:00:00Z')));
  assert.equal(isPodAvailable(p, 10, new Date('2026-01-01T00:00:05Z')), false);
  assert.ok(isPodAvailable(p, 10, new Date('2026-01-01T00:00:11Z')));
});

test('finished or terminating pods are not active', () => {
  const p = readyPod('2026-01-01T00:00:00Z');
  assert.ok(isPodActive(p));
  assert.equal(isPodActive({ ...p, status: { phase: 'Succeeded' } }), false);
  assert.equal(isPodActive({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }), false);
});

test('a pod from a template carries its labels, annotations and spec and the controller reference', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true };
  const pod = podFromTemplate({ metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } }, 'ns', 'web-', ref);
  assert.deepEqual(pod.metadata, { generateName: 'web-', namespace: 'ns', labels: { app: 'web' }, annotations: { a: 'b' }, ownerReferences: [ref] });
  assert.deepEqual(pod.spec, { containers: [{ name: 'c' }] });
});
