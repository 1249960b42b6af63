import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import type { JsonObject } from './json.js';
import { patchObject, patchTypeFor } from './patch-object.js';

const pods = { group: '', kind: 'Pod' };
const crd = { group: 'example.com', kind: 'Widget' };

function failure(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a StatusError');
}

test('Content-Type selects the patch type; custom resources refuse strategic merge with 415', () => {
  assert.equal(patchTypeFor('application/strategic-merge-patch+json; charset=utf-8', '', 'Pod'), 'strategic');
  assert.equal(patchTypeFor('application/json-patch+json', 'example.com', 'Widget'), 'json');
  assert.equal(patchTypeFor('application/apply-patch+yaml', 'apps', 'Deployment'), 'apply');
  assert.deepEqual(
    failure(() => patchTypeFor('application/strategic-merge-patch+json', 'example.com', 'Widget')),
    {
      code: 415,
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    },
  );
  assert.equal(failure(() => patchTypeFor(undefined, '', 'Pod')).code, 415);
});

test('a body that is not JSON is 400 "invalid JSON patch"', () => {
  assert.deepEqual(failure(() => patchObject('merge', { a: 1 }, '{nope', pods)), { code: 400, message: 'invalid JSON patch' });
});

test('a patch that turns the object into a non-object is 422 Invalid on field "patch"', () => {
  const err = failure(() => patchObject('json', { a: 1 }, '[{"op":"replace","path":"","value":[1]}]', pods));
  assert.equal(err.code, 422);
  assert.match(err.message, /^ "" is invalid: patch: Invalid value: "\[1\]": /);
});

test('each patch type reaches its implementation', () => {
  const live: JsonObject = { metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  assert.deepEqual(patchObject('merge', live, '{"metadata":{"labels":{"a":null}}}', pods).metadata, { name: 'p', labels: {} });
  assert.deepEqual(patchObject('json', live, '[{"op":"add","path":"/metadata/labels/b","value":"2"}]', pods).metadata, { name: 'p', labels: { a: '1', b: '2' } });
  assert.deepEqual(patchObject('strategic', live, '{"spec":{"containers":[{"name":"c","image":"y"}]}}', pods).spec, { containers: [{ name: 'c', image: 'y' }] });
  assert.equal(failure(() => patchObject('strategic', live, '{}', crd)).code, 415);
});

test('server-side apply creates, merges by merge keys in applied order, keeps other fields, ignores nulls', () => {
  const body = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
      - name: log
        image: busybox
`;
  const deployments = { group: 'apps', kind: 'Deployment' };
  const created = patchObject('apply', undefined, body, deployments);
  assert.equal((created.spec as JsonObject).replicas, 2);

  const live = structuredClone(created);
  (live.metadata as JsonObject).uid = 'u1';
  (live.spec as { template: { spec: { containers: JsonObject[] } } }).template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  const reapplied = patchObject('apply', live, body.replace('nginx:1.25', 'nginx:1.27').replace('replicas: 2', 'replicas: null'), deployments);
  assert.deepEqual(reapplied.metadata, { name: 'web', labels: { app: 'web' }, uid: 'u1' });
  assert.equal((reapplied.spec as JsonObject).replicas, 2);
  assert.deepEqual((reapplied.spec as { template: { spec: { containers: JsonObject[] } } }).template.spec.containers, [
    { name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' },
    { name: 'log', image: 'busybox' },
  ]);

  assert.deepEqual(patchObject('apply', { spec: { items: [1, 2], keep: true } }, '{"spec":{"items":[3]}}', crd), { spec: { items: [3], keep: true } });
});

test('server-side apply bodies that are not a YAML mapping are 400', () => {
  assert.equal(failure(() => patchObject('apply', undefined, '- a\n- b\n', pods)).code, 400);
  assert.match(failure(() => patchObject('apply', undefined, 'a: [b\n', pods)).message, /^error encoding patch: /);
});
