import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findDuplicateFields, findUnknownFields, strictDecodingError } from './index.js';

describe('findUnknownFields', () => {
  it('names unknown fields with kube-apiserver paths, through lists, inlined structs and nested types', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', creationTimestamp: null, labels: { a: 'b' }, colour: 'red' },
      spec: {
        containers: [{ name: 'c', image: 'busybox', imagePullPolicyy: 'Always', resources: { limits: { cpu: '1' } } }],
        volumes: [{ name: 'v', emptyDir: { medium: 'Memory' }, hostPathh: {} }],
      },
      status: {},
    };
    assert.deepEqual(findUnknownFields(pod), ['metadata.colour', 'spec.containers[0].imagePullPolicyy', 'spec.volumes[0].hostPathh']);
  });

  it('walks group kinds and reports top-level fields without a prefix', () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostt: 1 }] }] } } },
      extra: true,
    };
    assert.deepEqual(findUnknownFields(deploy), ['spec.template.spec.containers[0].ports[0].hostt', 'extra']);
  });

  it('accepts a fully known object, free-form fields, and kinds it has no schema for', () => {
    assert.deepEqual(findUnknownFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { 'x/y': 'z' } }, data: { anything: 'goes' } }), []);
    assert.deepEqual(findUnknownFields({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { free: { form: 1 } }, revision: 1 }), []);
    assert.deepEqual(findUnknownFields({ apiVersion: 'example.com/v1', kind: 'Widget', whatever: 1 }), []);
    assert.deepEqual(findUnknownFields('not an object'), []);
  });

  it('builds the 400 Status kube-apiserver answers in Strict mode', () => {
    const status = strictDecodingError('Pod', 'v1', ['unknown field "a"', 'unknown field "b"']).toStatus();
    assert.equal(status.code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "a", unknown field "b"');
    assert.match(strictDecodingError('Deployment', 'apps/v1', ['x']).message, /^Deployment in version "v1" cannot be handled as a Deployment:/);
  });
});

describe('findDuplicateFields', () => {
  it('finds keys given twice in one object, with paths', () => {
    assert.deepEqual(findDuplicateFields('{"a":1,"spec":{"replicas":1,"x":[{"n":1},{"n":2,"n":3}],"replicas":2}}'), ['spec.x[1].n', 'spec.replicas']);
    assert.deepEqual(findDuplicateFields('{"a":"}\\"{","b":[],"c":{}}'), []);
  });

  it('reports nothing for malformed text (the parser reports that)', () => {
    assert.deepEqual(findDuplicateFields('{"a":1,"a"'), []);
    assert.deepEqual(findDuplicateFields('[1 2]'), []);
  });
});
