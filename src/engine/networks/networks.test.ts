import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pluginInput, type CniConfList } from './cni.js';
import { splitRule } from './iptables.js';
import { contains, firstHost, formatCidr, overlaps, parseCidr } from './ipnet.js';

test('CIDRs: host bits cleared, overlap, containment, gateway', () => {
  assert.equal(formatCidr(parseCidr('10.1.2.3/24')), '10.1.2.0/24');
  assert.ok(overlaps(parseCidr('172.18.0.0/16'), parseCidr('172.18.5.0/24')));
  assert.ok(!overlaps(parseCidr('172.18.0.0/16'), parseCidr('172.19.0.0/16')));
  assert.ok(contains(parseCidr('10.0.0.0/8'), '10.255.1.1'));
  assert.equal(firstHost(parseCidr('192.168.7.0/24')), '192.168.7.1');
  assert.throws(() => parseCidr('10.0.0.0/33'), /invalid CIDR/);
  assert.throws(() => parseCidr('300.0.0.0/8'), /invalid IPv4/);
});

test('a plugin sees the list name and version, prevResult and only the capability args it declares', () => {
  const list: CniConfList = { cniVersion: '1.0.0', name: 'n', plugins: [] };
  const rt = { containerId: 'c', netns: '/x', ifName: 'eth0', capabilityArgs: { portMappings: [{ hostPort: 1 }], bandwidth: {} } };
  const input = pluginInput(list, { type: 'portmap', capabilities: { portMappings: true } }, rt, { cniVersion: '1.0.0' });
  assert.deepEqual(input, { type: 'portmap', cniVersion: '1.0.0', name: 'n', runtimeConfig: { portMappings: [{ hostPort: 1 }] }, prevResult: { cniVersion: '1.0.0' } });
  assert.equal(pluginInput(list, { type: 'bridge' }, rt, undefined).runtimeConfig, undefined);
});

test('iptables -S lines split into argv with quoted comments kept whole', () => {
  assert.deepEqual(splitRule('-A SKIFF-X -p tcp -m comment --comment "skiff c=ab cd" -j DNAT --to-destination 10.0.0.2:80'), [
    '-A', 'SKIFF-X', '-p', 'tcp', '-m', 'comment', '--comment', 'skiff c=ab cd', '-j', 'DNAT', '--to-destination', '10.0.0.2:80',
  ]);
});
