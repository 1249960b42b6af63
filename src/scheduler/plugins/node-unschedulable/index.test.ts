import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework.js';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import { nodeUnschedulable } from './index.js';

test('a cordoned node takes only pods tolerating node.kubernetes.io/unschedulable', () => {
  const p = nodeUnschedulable();
  const node = new NodeInfo(makeNode('n', { unschedulable: true }));
  assert.equal(p.filter!(new CycleState(), new PodInfo(makePod('a')), node)?.message, 'node(s) were unschedulable');
  const tolerant = makePod('b', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.equal(p.filter!(new CycleState(), new PodInfo(tolerant), node), undefined);
});
