import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import { applyJsonPatch } from './json-patch.js';

const pod = () => ({
  metadata: { name: 'web', labels: { app: 'web' } as Record<string, string> },
  spec: { containers: [{ name: 'a', image: 'nginx:1.25' }, { name: 'b', image: 'busybox' }] },
});

function status(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return { code: err.code, reason: err.reason, message: err.message };
  }
  assert.fail('expected a StatusError');
}

test('add, replace, remove, move, copy and test as RFC 6902 describes', () => {
  const doc = pod();
  const out = applyJsonPatch(doc, [
    { op: 'test', path: '/metadata/name', value: 'web' },
    { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' },
    { op: 'remove', path: '/spec/containers/1' },
    { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copied' },
    { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/moved' },
    { op: 'add', path: '/spec/containers/-', value: { name: 'c', image: 'redis' } },
  ]);
  assert.deepEqual(out, {
    metadata: { name: 'web', labels: { app: 'web', copied: 'web', moved: 'front' } },
    spec: { containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'c', image: 'redis' }] },
  });
  assert.deepEqual(doc, pod(), 'input is not modified');
});

test('JSON pointer escapes ~0 and ~1 address keys with ~ and /', () => {
  const out = applyJsonPatch({ metadata: { annotations: { 'a/b': 'x' } } }, [
    { op: 'replace', path: '/metadata/annotations/a~1b', value: 'y' },
    { op: 'add', path: '/metadata/annotations/c~0d', value: 'z' },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { 'a/b': 'y', 'c~d': 'z' } } });
});

test('negative indices count from the end, like the library kube-apiserver uses', () => {
  assert.deepEqual(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }]), { l: [1, 2] });
  assert.deepEqual(applyJsonPatch({ l: [1, 2] }, [{ op: 'add', path: '/l/0', value: 0 }]), { l: [0, 1, 2] });
});

test('replace of a missing object key adds it; test of a missing key against null passes', () => {
  assert.deepEqual(applyJsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/replicas', value: 3 }]), { spec: { replicas: 3 } });
  assert.deepEqual(applyJsonPatch({ spec: {} }, [{ op: 'test', path: '/spec/replicas', value: null }]), { spec: {} });
});

test('rollout undo: replacing /spec/template and /metadata/annotations', () => {
  const deployment = { metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { template: { spec: { containers: [{ name: 'n', image: 'v2' }] } } } };
  const out = applyJsonPatch(deployment, [
    { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'n', image: 'v1' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'v1' } },
  ]);
  assert.deepEqual(out.spec, { template: { spec: { containers: [{ name: 'n', image: 'v1' }] } } });
  assert.equal((out.metadata as { annotations: Record<string, string> }).annotations['kubernetes.io/change-cause'], 'v1');
});

test('an operation that does not apply is the bare 422 kube-apiserver answers', () => {
  const expected = { code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' };
  assert.deepEqual(status(() => applyJsonPatch(pod(), [{ op: 'remove', path: '/spec/nope' }])), expected);
  assert.deepEqual(status(() => applyJsonPatch(pod(), [{ op: 'add', path: '/missing/deep', value: 1 }])), expected);
  assert.deepEqual(status(() => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'other' }])), expected);
  assert.deepEqual(status(() => applyJsonPatch(pod(), [{ op: 'replace', path: '/spec/containers/9', value: 1 }])), expected);
  assert.deepEqual(status(() => applyJsonPatch(pod(), [{ op: 'frobnicate', path: '/spec' }])), expected);
  assert.deepEqual(status(() => applyJsonPatch(pod(), [{ op: 'add', value: 1 }])), expected);
});

test('a patch that is not a list of operations is a 400 with Go decoding text', () => {
  assert.deepEqual(status(() => applyJsonPatch(pod(), { op: 'add' })), {
    code: 400,
    reason: 'BadRequest',
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  });
  assert.equal(status(() => applyJsonPatch(pod(), ['add'])).code, 400);
  assert.deepEqual(applyJsonPatch(pod(), null), pod());
});

test('more than 10000 operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/metadata/name', value: 'web' }));
  assert.equal(status(() => applyJsonPatch(pod(), ops)).code, 413);
});
