import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostNames } from './host-names.js';

test('the default data dir has the plain names; others are tagged, distinct and within kernel limits', () => {
  assert.deepEqual(hostNames('/var/lib/skiff').chainPrefix, 'SKIFF');
  assert.equal(hostNames('/var/lib/skiff/').podBridge, 'skiff0');
  const a = hostNames('/tmp/a');
  const b = hostNames('/tmp/b');
  assert.notEqual(a.chainPrefix, b.chainPrefix);
  assert.notEqual(a.serviceBridge, b.serviceBridge);
  assert.equal(a.engineRoot, '/tmp/a/engine');
  for (const n of [a, b]) {
    assert.ok(n.podBridge.length <= 15 && n.serviceBridge.length <= 15, 'interface names fit IFNAMSIZ');
    assert.ok(`${n.chainPrefix}-MARK-MASQ`.length <= 28, 'chain names fit iptables');
  }
});
