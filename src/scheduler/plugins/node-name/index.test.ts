import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework.js';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import { nodeName } from './index.js';

test('a pod naming a node fits only that node', () => {
  const p = nodeName();
  const pod = new PodInfo(makePod('p', { nodeName: 'b' }));
  assert.equal(p.filter!(new CycleState(), pod, new NodeInfo(makeNode('a')))?.message, "node(s) didn't match the requested node name");
  assert.equal(p.filter!(new CycleState(), pod, new NodeInfo(makeNode('b'))), undefined);
});
