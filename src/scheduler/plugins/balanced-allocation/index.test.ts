import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework.js';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import { balancedAllocation } from './index.js';

test('equal cpu and memory fractions score 100; skewed ones score less', () => {
  const plugin = balancedAllocation();
  const node = new NodeInfo(makeNode('n', { cpu: '4', memory: '4Gi' }));
  assert.equal(plugin.score!(new CycleState(), new PodInfo(makePod('even', { cpu: '2', memory: '2Gi' })), node), 100);
  // cpu 3/4, memory 1/4: std = |0.75 - 0.25| / 2 = 0.25 → 75.
  assert.equal(plugin.score!(new CycleState(), new PodInfo(makePod('skew', { cpu: '3', memory: '1Gi' })), node), 75);
});
