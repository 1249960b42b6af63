import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework.js';
import { NodeInfo, PodInfo } from '../../node-info.js';
import { makeNode, makePod } from '../../testing.js';
import { nodePorts } from './index.js';

function withPort(name: string, hostPort: number, hostIP?: string, protocol?: string) {
  const pod = makePod(name);
  pod.spec.containers[0].ports = [{ containerPort: 1, hostPort, hostIP, protocol }];
  return new PodInfo(pod);
}

test('0.0.0.0 conflicts with every address; other protocols and addresses do not', () => {
  const p = nodePorts();
  const node = new NodeInfo(makeNode('n'));
  node.addPod(withPort('r', 80, '10.0.0.1'));
  const check = (pi: PodInfo) => p.filter!(new CycleState(), pi, node)?.message;
  assert.equal(check(withPort('any', 80)), "node(s) didn't have free ports for the requested pod ports");
  assert.equal(check(withPort('same-ip', 80, '10.0.0.1')), "node(s) didn't have free ports for the requested pod ports");
  assert.equal(check(withPort('other-ip', 80, '10.0.0.2')), undefined);
  assert.equal(check(withPort('udp', 80, '10.0.0.1', 'UDP')), undefined);
  assert.equal(p.preFilter!(new CycleState(), new PodInfo(makePod('none')), undefined as never)?.constructor.name, 'Status', 'pods without host ports skip the filter');
});
