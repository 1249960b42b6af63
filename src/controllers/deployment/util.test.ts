import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from './types.js';
import { computeHash, equalIgnoreHash, fenceposts, maxUnavailable, newRSNewReplicas, proportion, safeEncode, setNewReplicaSetAnnotations, MAX_REPLICAS, REVISION, REVISION_HISTORY } from './util.js';

const deployment = (replicas: number, strategy?: Deployment['spec']['strategy'], annotations?: Record<string, string>): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', annotations },
  spec: { replicas, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, strategy },
  status: { replicas },
});
const rs = (name: string, replicas: number, annotations: Record<string, string> = {}): ReplicaSet => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, annotations }, spec: { replicas } });

test('the template hash is safe-encoded decimal fnv32a, stable and moved by the collision count', () => {
  assert.equal(safeEncode('0123456789'), '456789bcdf');
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(structuredClone(t)), h);
  assert.equal(computeHash({ spec: t.spec, metadata: t.metadata }), h, 'key order does not matter');
  assert.notEqual(computeHash(t, 1), h);
  assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'y' }] } }), h);
});

test('templates compare equal apart from the hash label and empty fields', () => {
  const a = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c' }], volumes: [] } };
  const b = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'c' }] } };
  assert.ok(equalIgnoreHash(a, b));
  assert.equal(equalIgnoreHash(a, { metadata: { labels: { app: 'db' } }, spec: b.spec }), false);
});

test('fenceposts: surge rounds up, unavailable down, never both zero', () => {
  assert.deepEqual(fenceposts(deployment(10)), { surge: 3, unavailable: 2 });
  assert.deepEqual(fenceposts(deployment(1)), { surge: 1, unavailable: 0 });
  assert.deepEqual(fenceposts(deployment(3, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } })), { surge: 0, unavailable: 1 });
  assert.equal(maxUnavailable(deployment(2, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 5 } })), 2);
  assert.equal(maxUnavailable(deployment(3, { type: 'Recreate' })), 0);
});

test('the new ReplicaSet grows up to replicas + maxSurge in total', () => {
  const d = deployment(4);
  const old = rs('old', 4);
  const fresh = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 1);
  assert.equal(newRSNewReplicas(d, [rs('old', 2), rs('new', 3)], rs('new', 3)), 3);
  assert.equal(newRSNewReplicas(deployment(4, { type: 'Recreate' }), [old, fresh], fresh), 4);
});

test('proportional scaling gives each ReplicaSet its share of the new size', () => {
  // 10 replicas mid-rollout (max 13 with surge) scaled to 20 (max 25): each side roughly doubles.
  const d = deployment(20);
  d.status = { replicas: 13 };
  const a = rs('a', 8, { [MAX_REPLICAS]: '13' });
  const b = rs('b', 5, { [MAX_REPLICAS]: '13' });
  const toAdd = 25 - 13;
  const pa = proportion(a, d, toAdd, 0);
  const pb = proportion(b, d, toAdd, pa);
  assert.deepEqual([pa, pb], [7, 5]);
  assert.equal(proportion(rs('zero', 0), d, toAdd, 0), 0);
});

test('a ReplicaSet brought back by a rollback gets the next revision and remembers the old one', () => {
  const d = deployment(3, undefined, { 'kubernetes.io/change-cause': 'v1', [REVISION]: '2' });
  const back = rs('a', 0, { [REVISION]: '1' });
  assert.ok(setNewReplicaSetAnnotations(d, back, 3, true));
  assert.equal(back.metadata.annotations![REVISION], '3');
  assert.equal(back.metadata.annotations![REVISION_HISTORY], '1');
  assert.equal(back.metadata.annotations!['kubernetes.io/change-cause'], 'v1');
  assert.equal(setNewReplicaSetAnnotations(d, back, 3, true), false, 'nothing changes the second time');
  const created = rs('b', 0);
  setNewReplicaSetAnnotations(d, created, 4, false);
  assert.deepEqual(created.metadata.annotations, { 'kubernetes.io/change-cause': 'v1', [REVISION]: '4', 'deployment.kubernetes.io/desired-replicas': '3', [MAX_REPLICAS]: '4' });
});
