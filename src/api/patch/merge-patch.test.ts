import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import { applyMergePatch } from './merge-patch.js';

test('kubectl label / annotate / scale merge patches', () => {
  const pod = { metadata: { name: 'nginx', labels: { app: 'nginx', foo: 'old' } }, spec: { replicas: 1 } };
  assert.deepEqual(applyMergePatch(pod, { metadata: { labels: { foo: 'bar' } } }), { metadata: { name: 'nginx', labels: { app: 'nginx', foo: 'bar' } }, spec: { replicas: 1 } });
  assert.deepEqual(applyMergePatch(pod, { metadata: { labels: { foo: null } } }), { metadata: { name: 'nginx', labels: { app: 'nginx' } }, spec: { replicas: 1 } });
  assert.deepEqual(applyMergePatch(pod, { spec: { replicas: 3 } }), { metadata: pod.metadata, spec: { replicas: 3 } });
  assert.deepEqual(pod.metadata.labels, { app: 'nginx', foo: 'old' }, 'input is not modified');
});

test('lists are replaced whole; nulls inside a newly added object are dropped', () => {
  const doc = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  assert.deepEqual(applyMergePatch(doc, { spec: { containers: [{ name: 'c' }] } }), { spec: { containers: [{ name: 'c' }] } });
  assert.deepEqual(applyMergePatch({}, { metadata: { labels: { a: '1', b: null } } }), { metadata: { labels: { a: '1' } } });
  assert.deepEqual(applyMergePatch({ a: 'scalar' }, { a: { b: null, c: 1 } }), { a: { c: 1 } });
});

test('RFC 7386 appendix examples', () => {
  assert.deepEqual(applyMergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
  assert.deepEqual(applyMergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
  assert.deepEqual(applyMergePatch({ a: 'b', b: 'c' }, { a: null }), { b: 'c' });
  assert.deepEqual(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  assert.deepEqual(applyMergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
  assert.deepEqual(applyMergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
});

test('a scalar or null patch is "Invalid JSON Patch" (400); an array replaces the document', () => {
  for (const patch of ['x', 1, null, true]) {
    assert.throws(
      () => applyMergePatch({ a: 1 }, patch),
      (err: unknown) => err instanceof StatusError && err.code === 400 && err.message === 'Invalid JSON Patch',
    );
  }
  assert.deepEqual(applyMergePatch({ a: 1 }, [{ a: null, b: 1 }]), [{ b: 1 }]);
});
