import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/index.js';
import { Indexer, Lister, labelIndexFunc, NAMESPACE_INDEX, objectKey, splitKey } from './cache.js';

const pod = (ns: string, name: string, labels: Record<string, string> = {}, rv = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels, resourceVersion: rv } });

test('keys are namespace/name, or name for cluster-scoped objects', () => {
  assert.equal(objectKey(pod('default', 'web')), 'default/web');
  assert.equal(objectKey({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }), 'n1');
  assert.deepEqual(splitKey('default/web'), { namespace: 'default', name: 'web' });
  assert.deepEqual(splitKey('n1'), { name: 'n1' });
});

test('indexes by namespace and label follow updates and deletes', () => {
  const idx = new Indexer<KubeObject>({ app: labelIndexFunc('app') });
  idx.set(pod('a', 'p1', { app: 'web' }));
  idx.set(pod('a', 'p2', { app: 'db' }));
  idx.set(pod('b', 'p3', { app: 'web' }));
  assert.deepEqual(idx.byIndex(NAMESPACE_INDEX, 'a').map((p) => p.metadata.name).sort(), ['p1', 'p2']);
  assert.deepEqual(idx.byIndex('app', 'web').map((p) => p.metadata.name).sort(), ['p1', 'p3']);
  idx.set(pod('a', 'p1', { app: 'db' }, '2'));
  assert.deepEqual(idx.byIndex('app', 'web').map((p) => p.metadata.name), ['p3']);
  assert.deepEqual(idx.byIndex('app', 'db').map((p) => p.metadata.name).sort(), ['p1', 'p2']);
  idx.delete(pod('b', 'p3'));
  assert.deepEqual(idx.byIndex('app', 'web'), []);
  assert.equal(idx.size, 2);
  assert.throws(() => idx.byIndex('nope', 'x'), /index "nope" does not exist/);
});

test('indexers added later index existing objects; the lister filters by selector', () => {
  const idx = new Indexer<KubeObject>();
  idx.set(pod('a', 'p1', { tier: 'fe' }));
  idx.set(pod('a', 'p2', { tier: 'be' }));
  idx.addIndexers({ tier: labelIndexFunc('tier') });
  assert.equal(idx.byIndex('tier', 'fe').length, 1);
  const lister = new Lister(idx);
  const fe = { matches: (l: Record<string, string>) => l.tier === 'fe' };
  assert.deepEqual(lister.list(fe).map((p) => p.metadata.name), ['p1']);
  assert.deepEqual(lister.listInNamespace('a').length, 2);
  assert.equal(lister.get('p2', 'a')?.metadata.name, 'p2');
  assert.equal(lister.get('p2', 'b'), undefined);
});
