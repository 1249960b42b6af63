import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENABLE_LB_LABEL, loadBalancerIngress, servedByUs, type LBNode } from './addresses.js';

function node(name: string, addresses: Array<[string, string]>, ready = 'True', labels?: Record<string, string>): LBNode {
  return {
    metadata: { name, labels },
    status: { addresses: addresses.map(([type, address]) => ({ type, address })), conditions: [{ type: 'Ready', status: ready }] },
  };
}

const lb = { spec: { type: 'LoadBalancer', ipFamilies: ['IPv4'] } };

test('the InternalIPs of ready nodes, sorted; NotReady nodes are left out', () => {
  const nodes = [node('b', [['InternalIP', '192.168.1.20'], ['Hostname', 'b']]), node('a', [['InternalIP', '192.168.1.10']]), node('c', [['InternalIP', '192.168.1.30']], 'Unknown')];
  assert.deepEqual(loadBalancerIngress(lb, nodes), [{ ip: '192.168.1.10' }, { ip: '192.168.1.20' }]);
});

test('ExternalIPs win over InternalIPs once any node has one', () => {
  const nodes = [node('a', [['InternalIP', '10.0.0.1'], ['ExternalIP', '203.0.113.1']]), node('b', [['InternalIP', '10.0.0.2']])];
  assert.deepEqual(loadBalancerIngress(lb, nodes), [{ ip: '203.0.113.1' }]);
});

test('once a node carries the enablelb label, only nodes labelled "true" take part', () => {
  const nodes = [node('a', [['InternalIP', '10.0.0.1']], 'True', { [ENABLE_LB_LABEL]: 'true' }), node('b', [['InternalIP', '10.0.0.2']]), node('c', [['InternalIP', '10.0.0.3']], 'True', { [ENABLE_LB_LABEL]: 'false' })];
  assert.deepEqual(loadBalancerIngress(lb, nodes), [{ ip: '10.0.0.1' }]);
});

test('addresses follow the service IP families and their order', () => {
  const nodes = [node('a', [['InternalIP', '10.0.0.1'], ['InternalIP', 'fd00::1']])];
  assert.deepEqual(loadBalancerIngress({ spec: { type: 'LoadBalancer', ipFamilies: ['IPv6', 'IPv4'] } }, nodes), [{ ip: 'fd00::1' }, { ip: '10.0.0.1' }]);
  assert.deepEqual(loadBalancerIngress(lb, nodes), [{ ip: '10.0.0.1' }]);
});

test('only LoadBalancer services without a loadBalancerClass are ours', () => {
  assert.equal(servedByUs(lb), true);
  assert.equal(servedByUs({ spec: { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' } }), false);
  assert.equal(servedByUs({ spec: { type: 'NodePort' } }), false);
});
