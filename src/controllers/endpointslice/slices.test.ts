import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointPod, Service } from '../endpoints/index.js';
import { desiredSlices, groupsFromEndpoints, groupsFromPods } from './slices.js';

function pod(name: string, ip: string, ready = true, deleting = false): EndpointPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', ports: [{ name: 'web', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const svc: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] } };

test('slice endpoints carry ready/serving/terminating as kube computes them', () => {
  const [group] = groupsFromPods(svc, [pod('a', '10.42.0.1'), pod('b', '10.42.0.2', false), pod('c', '10.42.0.3', true, true)]);
  assert.deepEqual(group.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(
    group.endpoints.map((e) => [e.addresses[0], e.conditions]),
    [
      ['10.42.0.1', { ready: true, serving: true, terminating: false }],
      ['10.42.0.2', { ready: false, serving: false, terminating: false }],
      ['10.42.0.3', { ready: false, serving: true, terminating: true }],
    ],
  );
  assert.equal(group.endpoints[0].nodeName, 'node-1');
  assert.deepEqual(group.endpoints[0].targetRef, { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' });
});

test('slices hold at most 100 endpoints, and a service without endpoints keeps one empty placeholder', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`p${i}`, `10.42.${Math.floor(i / 200)}.${i % 200}`));
  const slices = desiredSlices(groupsFromPods(svc, pods));
  assert.deepEqual(slices.map((s) => s.endpoints.length), [100, 100, 50]);
  assert.deepEqual(desiredSlices(groupsFromPods(svc, [])), [{ endpoints: [] }]);
});

test('user Endpoints are mirrored: ready addresses ready, notReadyAddresses not', () => {
  const groups = groupsFromEndpoints([{ addresses: [{ ip: '127.0.0.2' }], notReadyAddresses: [{ ip: '127.0.0.3' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  assert.deepEqual(groups, [
    {
      ports: [{ name: '', port: 80, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['127.0.0.2'], conditions: { ready: true } },
        { addresses: ['127.0.0.3'], conditions: { ready: false } },
      ],
    },
  ]);
});
