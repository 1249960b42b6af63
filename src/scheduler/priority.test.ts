import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priorityAdmission, type PriorityClass } from './priority.js';
import { makePod } from './testing.js';
import type { Pod } from './types.js';

const classes: PriorityClass[] = [
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'normal' }, value: 10, globalDefault: true },
];
const plugin = priorityAdmission({ get: async (n) => classes.find((c) => c.metadata.name === n), list: async () => classes });
const admit = async (pod: Pod): Promise<Pod> => {
  await plugin.admit({ operation: 'CREATE', info: { group: '', resource: 'pods' }, subresource: '', name: String(pod.metadata.name), object: pod });
  return pod;
};

test('priorityClassName resolves to spec.priority and preemptionPolicy', async () => {
  const pod = await admit(makePod('p', { priorityClassName: 'high' }));
  assert.equal(pod.spec.priority, 1000);
  assert.equal(pod.spec.preemptionPolicy, 'Never');
  assert.equal((await admit(makePod('s', { priorityClassName: 'system-node-critical' }))).spec.priority, 2_000_001_000);
});

test('no class: the global default applies', async () => {
  const pod = await admit(makePod('p'));
  assert.equal(pod.spec.priority, 10);
  assert.equal(pod.spec.priorityClassName, 'normal');
  assert.equal(pod.spec.preemptionPolicy, 'PreemptLowerPriority');
});

test('unknown classes and hand-set priorities are refused as kube-apiserver does', async () => {
  await assert.rejects(admit(makePod('p', { priorityClassName: 'nope' })), /pods "p" is forbidden: no PriorityClass with name nope was found/);
  await assert.rejects(admit(makePod('q', { priorityClassName: 'high', priority: 5 })), /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name/);
});
