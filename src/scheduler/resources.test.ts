import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podRequests } from './resources.js';
import { makePod } from './testing.js';

test('effective request = max(biggest init container, sum of containers) + overhead', () => {
  const pod = makePod('p', { cpu: '1', memory: '1Gi' });
  pod.spec.containers.push({ name: 'b', resources: { requests: { cpu: '500m', memory: '1Gi' } } });
  pod.spec.initContainers = [
    { name: 'i1', resources: { requests: { cpu: '2', memory: '512Mi' } } },
    { name: 'i2', resources: { requests: { cpu: '1', memory: '3Gi' } } },
  ];
  pod.spec.overhead = { cpu: '250m', memory: '100Mi' };
  assert.deepEqual(podRequests(pod), { cpu: 2250, memory: 3 * 2 ** 30 + 100 * 2 ** 20 });
});

test('sidecar init containers (restartPolicy Always) add up with everything after them', () => {
  const pod = makePod('p', { cpu: '1' });
  pod.spec.initContainers = [
    { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } },
    { name: 'setup', resources: { requests: { cpu: '2' } } },
  ];
  // setup runs beside the sidecar: 2.5; afterwards containers + sidecar: 1.5.
  assert.equal(podRequests(pod).cpu, 2500);
});

test('unset requests count as zero for fitting and as 100m/200Mi for scoring', () => {
  const pod = makePod('p');
  assert.deepEqual(podRequests(pod), {});
  assert.deepEqual(podRequests(pod, true), { cpu: 100, memory: 200 * 2 ** 20 });
  const numeric = makePod('n');
  numeric.spec.containers[0].resources = { requests: { cpu: 2 as unknown as string, 'example.com/gpu': '1' } };
  assert.deepEqual(podRequests(numeric), { cpu: 2000, 'example.com/gpu': 1 });
});
