import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from './errors.js';
import { fieldSelectorFor, objectFields, parseFieldSelector, supportedFields } from './fields.js';
import { lookupResource } from './registry.js';

const pods = lookupResource('', 'v1', 'pods')!;
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase: 'Running', podIP: '10.42.0.5' },
};

test('pod field selectors match as kube-apiserver matches them', () => {
  const fields = objectFields(pods, pod);
  const cases: [string, boolean][] = [
    ['spec.nodeName=n1', true],
    ['spec.nodeName==n1', true],
    ['spec.nodeName!=n1', false],
    ['spec.nodeName=', false],
    ['status.phase!=Pending,status.phase!=Succeeded', true],
    ['metadata.name=web-1,metadata.namespace=default', true],
    ['status.nominatedNodeName=', true],
    ['spec.hostNetwork=false', true],
    ['', true],
  ];
  for (const [text, want] of cases) assert.equal(fieldSelectorFor(pods, text).matches(fields), want, text);
  assert.equal(fieldSelectorFor(pods, 'spec.nodeName=n1').requiresExactMatch('spec.nodeName'), 'n1');
});

test('unsupported labels and bad syntax are 400 with Kubernetes messages', () => {
  const expect400 = (fn: () => unknown, message: string) =>
    assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && e.message === message);
  expect400(() => fieldSelectorFor(pods, 'spec.foo=x'), 'field label not supported: spec.foo');
  expect400(() => fieldSelectorFor(lookupResource('', 'v1', 'configmaps')!, 'status.phase=x'), 'field label not supported: status.phase');
  expect400(() => parseFieldSelector('abc'), "invalid selector: 'abc'; can't understand 'abc'");
  expect400(() => parseFieldSelector('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
});

test('escaped values and per-type fields', () => {
  assert.equal(parseFieldSelector('a=x\\,y').requirements[0]!.value, 'x,y');
  assert.equal(parseFieldSelector('b=2,a!=1').toString(), 'a!=1,b=2');
  const secrets = lookupResource('', 'v1', 'secrets')!;
  assert.equal(objectFields(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque' }).type, 'Opaque');
  const nodes = lookupResource('', 'v1', 'nodes')!;
  assert.equal(objectFields(nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { unschedulable: true } })['spec.unschedulable'], 'true');
  const coreEvents = lookupResource('', 'v1', 'events')!;
  const v1Events = lookupResource('events.k8s.io', 'v1', 'events')!;
  assert.ok(supportedFields(coreEvents).includes('involvedObject.name'));
  assert.ok(supportedFields(v1Events).includes('regarding.name'));
  const stored = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web' }, reason: 'Started', source: { component: 'kubelet' } };
  assert.equal(fieldSelectorFor(coreEvents, 'involvedObject.name=web,source=kubelet').matches(objectFields(coreEvents, stored)), true);
  assert.equal(fieldSelectorFor(v1Events, 'regarding.name=web,reason=Started').matches(objectFields(v1Events, stored)), true);
  const jobs = lookupResource('batch', 'v1', 'jobs')!;
  assert.equal(objectFields(jobs, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { succeeded: 2 } })['status.successful'], '2');
});
