import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import { Code } from '../../framework.js';
import { CycleState } from '../../framework.js';
import { insufficientResources, leastAllocated, mostAllocated, nodeResourcesFit } from './index.js';

test('reports every missing resource, extended ones included; asking more than the node has is unresolvable', () => {
  const node = new NodeInfo(makeNode('n', { cpu: '2', memory: '1Gi' }));
  node.node.status!.allocatable!['example.com/gpu'] = '1';
  node.setNode(node.node);
  const pod = makePod('p', { cpu: '3', memory: '512Mi' });
  pod.spec.containers[0].resources!.requests!['example.com/gpu'] = '2';
  const missing = insufficientResources(new PodInfo(pod), node);
  assert.deepEqual(missing.map((m) => m.reason), ['Insufficient cpu', 'Insufficient example.com/gpu']);
  const status = nodeResourcesFit().filter!(new CycleState(), new PodInfo(pod), node)!;
  assert.equal(status.code, Code.UnschedulableAndUnresolvable);
  const fitsLater = nodeResourcesFit().filter!(new CycleState(), new PodInfo(makePod('q', { cpu: '1' })), (() => {
    const busy = new NodeInfo(makeNode('b', { cpu: '2' }));
    busy.addPod(new PodInfo(makePod('r', { cpu: '1500m' })));
    return busy;
  })())!;
  assert.equal(fitsLater.code, Code.Unschedulable, 'removing pods could help');
});

test('LeastAllocated and MostAllocated scores follow kube-scheduler formulas', () => {
  assert.equal(leastAllocated(1000, 4000), 75);
  assert.equal(leastAllocated(5000, 4000), 0);
  assert.equal(mostAllocated(1000, 4000), 25);
  assert.equal(mostAllocated(5000, 4000), 100);
  const node = new NodeInfo(makeNode('n', { cpu: '4', memory: '8Gi' }));
  // Pod with no requests counts as 100m / 200Mi for scoring: cpu (4000-100)/4000 → 97, memory → 97.
  assert.equal(nodeResourcesFit().score!(new CycleState(), new PodInfo(makePod('p')), node), 97);
});
