import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSubsets } from './subsets.js';
import type { EndpointPod, Service, ServicePort } from './service-pods.js';

function pod(name: string, ip: string | undefined, opts: { ready?: boolean; ports?: Array<{ name: string; containerPort: number }>; deleting?: boolean; phase?: 'Running' | 'Pending' | 'Succeeded' | 'Failed' } = {}): EndpointPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'node-0', containers: [{ name: 'c', ports: opts.ports ?? [] }] },
    status: { phase: opts.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

const svc = (ports: ServicePort[] | undefined, extra: Record<string, unknown> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { selector: { app: 'web' }, ports, ...extra },
});

test('ready and not-ready pods go to addresses and notReadyAddresses; finished, deleting and unaddressed pods are left out', () => {
  const subsets = computeSubsets(svc([{ port: 80, targetPort: 8080, protocol: 'TCP' }]), [
    pod('b', '10.42.0.10'),
    pod('a', '10.42.0.9'),
    pod('c', '10.42.0.11', { ready: false }),
    pod('d', '10.42.0.12', { deleting: true }),
    pod('e', '10.42.0.13', { phase: 'Succeeded' }),
    pod('f', undefined),
  ]);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(subsets[0].addresses?.map((a) => a.ip), ['10.42.0.9', '10.42.0.10']);
  assert.deepEqual(subsets[0].notReadyAddresses?.map((a) => a.ip), ['10.42.0.11']);
  assert.deepEqual(subsets[0].addresses?.[0].targetRef, { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' });
  assert.equal(subsets[0].addresses?.[0].nodeName, 'node-0');
});

test('a named targetPort resolves per pod, and pods serving different ports land in different subsets', () => {
  const subsets = computeSubsets(svc([{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }]), [
    pod('a', '10.42.0.1', { ports: [{ name: 'web', containerPort: 8080 }] }),
    pod('b', '10.42.0.2', { ports: [{ name: 'web', containerPort: 9090 }] }),
    pod('c', '10.42.0.3', { ports: [{ name: 'other', containerPort: 1 }] }),
  ]);
  assert.deepEqual(
    subsets.map((s) => [s.ports?.map((p) => `${p.name}:${p.port}`), s.addresses?.map((a) => a.ip)]),
    [
      [['http:8080'], ['10.42.0.1']],
      [['http:9090'], ['10.42.0.2']],
    ],
  );
});

test('publishNotReadyAddresses publishes not-ready pods as ready; a headless service without ports still lists addresses', () => {
  const published = computeSubsets(svc([{ port: 80, protocol: 'TCP' }], { publishNotReadyAddresses: true }), [pod('a', '10.42.0.1', { ready: false })]);
  assert.deepEqual(published[0].addresses?.map((a) => a.ip), ['10.42.0.1']);
  const headless = computeSubsets(svc(undefined, { clusterIP: 'None' }), [pod('a', '10.42.0.1')]);
  assert.deepEqual(headless, [{ addresses: [{ ip: '10.42.0.1', nodeName: 'node-0', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }] }]);
});
