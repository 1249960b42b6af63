import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupResource, type KubeObject } from '../../api/index.js';
import { deletingInForeground, OwnerGraph } from './graph.js';
import { deletableResources, resourceOfRef } from './resources.js';

const pods = lookupResource('', 'v1', 'pods')!;
const obj = (uid: string, owners: string[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: uid, namespace: 'ns', uid, ownerReferences: owners.map((o) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o, uid: o, blockOwnerDeletion: true })), ...extra },
});

test('the graph finds dependents by owner uid, follows reference changes and forgets removed objects', () => {
  const g = new OwnerGraph();
  g.set(pods, obj('a', ['rs1']));
  g.set(pods, obj('b', ['rs1', 'rs2']));
  assert.deepEqual(g.dependentsOf('rs1').map((d) => d.obj.metadata.uid).sort(), ['a', 'b']);
  g.set(pods, obj('b', ['rs2']));
  assert.deepEqual(g.dependentsOf('rs1').map((d) => d.obj.metadata.uid), ['a']);
  assert.equal(g.dependentsOf('rs2')[0].ref.uid, 'rs2');
  g.remove(obj('a'));
  assert.deepEqual(g.dependentsOf('rs1'), []);
  assert.equal(g.get('a'), undefined);
});

test('foreground deletion is a deletionTimestamp with the foregroundDeletion finalizer', () => {
  assert.equal(deletingInForeground(obj('x', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] })), true);
  assert.equal(deletingInForeground(obj('x', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] })), false);
});

test('owner references resolve to resources; the collector watches each stored resource once and not events', () => {
  assert.equal(resourceOfRef({ apiVersion: 'apps/v1', kind: 'ReplicaSet' })?.resource, 'replicasets');
  assert.equal(resourceOfRef({ apiVersion: 'example.com/v1', kind: 'Nope' }), undefined);
  const names = deletableResources().map((r) => `${r.group}/${r.resource}`);
  assert.ok(names.includes('apps/deployments') && names.includes('/pods'));
  assert.ok(!names.includes('/events'));
  assert.equal(names.filter((n) => n === 'autoscaling/horizontalpodautoscalers').length, 1);
});
