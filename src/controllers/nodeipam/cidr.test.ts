import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, formatCidr, parseCidr } from './cidr.js';

test('CIDRs parse to their network address and print back', () => {
  assert.equal(formatCidr(parseCidr('10.42.7.9/16')), '10.42.0.0/16');
  assert.equal(formatCidr(parseCidr('192.168.1.0/24')), '192.168.1.0/24');
  assert.throws(() => parseCidr('10.42.0.0'), /invalid CIDR "10.42.0.0"/);
  assert.throws(() => parseCidr('300.1.1.1/8'), /invalid CIDR/);
});

test('a /16 cluster CIDR gives /24s lowest first, skipping occupied ones, until it is full', () => {
  const set = new CidrSet(parseCidr('10.42.0.0/16'));
  assert.equal(set.count, 256);
  assert.equal(set.occupy('10.42.0.0/24'), true);
  assert.equal(set.occupy('10.99.0.0/24'), false, 'outside the cluster CIDR');
  assert.equal(set.occupy('10.42.1.0/25'), false, 'wrong mask size');
  assert.equal(set.allocate(), '10.42.1.0/24');
  assert.equal(set.allocate(), '10.42.2.0/24');
  set.release('10.42.1.0/24');
  assert.equal(set.allocate(), '10.42.1.0/24');
  const small = new CidrSet(parseCidr('10.0.0.0/23'));
  assert.equal(small.allocate(), '10.0.0.0/24');
  assert.equal(small.allocate(), '10.0.1.0/24');
  assert.equal(small.allocate(), undefined);
});
