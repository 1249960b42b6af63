import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework.js';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import { taintToleration } from './index.js';

test('NoExecute taints filter too; Exists with an empty key tolerates everything', () => {
  const p = taintToleration();
  const node = new NodeInfo(makeNode('n', { taints: [{ key: 'gone', effect: 'NoExecute' }] }));
  assert.equal(p.filter!(new CycleState(), new PodInfo(makePod('a')), node)?.message, 'node(s) had untolerated taint {gone: }');
  assert.equal(p.filter!(new CycleState(), new PodInfo(makePod('b', { tolerations: [{ operator: 'Exists' }] })), node), undefined);
  assert.equal(p.filter!(new CycleState(), new PodInfo(makePod('c', { tolerations: [{ key: 'gone', operator: 'Exists', effect: 'NoSchedule' }] })), node)?.message, 'node(s) had untolerated taint {gone: }', 'effect must match');
});

test('untolerated PreferNoSchedule taints lower the score', () => {
  const p = taintToleration();
  const state = new CycleState();
  const pod = new PodInfo(makePod('p', { tolerations: [{ key: 'tolerated', operator: 'Exists' }] }));
  const nodes = [
    new NodeInfo(makeNode('clean')),
    new NodeInfo(makeNode('one', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'tolerated', effect: 'PreferNoSchedule' }] })),
    new NodeInfo(makeNode('two', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'y', effect: 'PreferNoSchedule' }] })),
  ];
  p.preScore!(state, pod, nodes, undefined as never);
  const scores = nodes.map((n) => p.score!(state, pod, n));
  p.normalizeScore!(state, pod, scores, nodes);
  assert.deepEqual(scores, [100, 50, 0]);
});
