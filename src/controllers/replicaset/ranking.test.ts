import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../client/index.js';
import { podsToDelete, POD_DELETION_COST } from './ranking.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: 'Running' | 'Pending'; ready?: boolean; readySince?: number; created?: number; restarts?: number; cost?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, uid: name, creationTimestamp: ago(o.created ?? 1000), annotations: o.cost !== undefined ? { [POD_DELETION_COST]: String(o.cost) } : {} },
    spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readySince ?? 1000) }],
      containerStatuses: [{ name: 'c', ready: o.ready !== false, restartCount: o.restarts ?? 0, image: 'i', imageID: '' }],
    },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => String(p.metadata.name));

test('unscheduled, then pending, then not-ready pods go first', () => {
  const pods = [pod('running'), pod('notready', { ready: false }), pod('pending', { phase: 'Pending', ready: false }), pod('unscheduled', { node: '' })];
  assert.deepEqual(names(podsToDelete(pods, pods, 3, new Date(NOW))), ['unscheduled', 'pending', 'notready']);
});

test('a lower pod-deletion-cost goes before a doubled-up node, which goes before a fresher pod', () => {
  const a = pod('a', { node: 'n1' });
  const b = pod('b', { node: 'n1' });
  const c = pod('c', { node: 'n2', readySince: 10 });
  const cheap = pod('cheap', { node: 'n3', cost: -5 });
  const all = [a, b, c, cheap];
  assert.deepEqual(names(podsToDelete(all, all, 1, new Date(NOW))), ['cheap']);
  // a and b share n1, so one of them goes before c although c became ready more recently.
  assert.deepEqual(names(podsToDelete([a, b, c], [a, b, c], 1, new Date(NOW))).length, 1);
  assert.notEqual(names(podsToDelete([a, b, c], [a, b, c], 1, new Date(NOW)))[0], 'c');
});

test('newer ready time and more restarts go first; ages within a factor of two tie', () => {
  const old = pod('old', { node: 'n1', readySince: 10_000 });
  const fresh = pod('fresh', { node: 'n2', readySince: 10 });
  assert.deepEqual(names(podsToDelete([old, fresh], [], 1, new Date(NOW))), ['fresh']);
  const crashy = pod('crashy', { node: 'n1', readySince: 1000, restarts: 4 });
  const calm = pod('calm', { node: 'n2', readySince: 1000 });
  assert.deepEqual(names(podsToDelete([calm, crashy], [], 1, new Date(NOW))), ['crashy']);
});

test('deleting as many pods as there are returns them all', () => {
  const pods = [pod('a'), pod('b')];
  assert.equal(podsToDelete(pods, pods, 5, new Date(NOW)).length, 2);
});
