import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMountFlag } from './mount-flag.js';

test('--mount fields map onto bind, volume and tmpfs mounts', () => {
  assert.deepEqual(parseMountFlag('type=bind,source=/srv,target=/data,readonly'), { Type: 'bind', Source: '/srv', Destination: '/data', RW: false, Propagation: undefined });
  assert.deepEqual(parseMountFlag('type=bind,src=/srv,dst=/d,ro=false,bind-propagation=rshared'), { Type: 'bind', Source: '/srv', Destination: '/d', RW: true, Propagation: 'rshared' });
  assert.deepEqual(parseMountFlag('source=data,target=/var/lib/x'), { Type: 'volume', Source: '', Name: 'data', Destination: '/var/lib/x', RW: true });
  assert.deepEqual(parseMountFlag('type=volume,target=/anon'), { Type: 'volume', Source: '', Name: undefined, Destination: '/anon', RW: true });
  assert.deepEqual(parseMountFlag('type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=1770'), { Type: 'tmpfs', Source: '', Destination: '/run', RW: true, Options: ['size=64m', 'mode=1770'] });
});

test('--mount refuses what docker refuses', () => {
  assert.throws(() => parseMountFlag('type=bind,source=/x'), /target is required/);
  assert.throws(() => parseMountFlag('type=bind,target=/x'), /field Source must not be empty/);
  assert.throws(() => parseMountFlag('type=nfs,target=/x'), /invalid mount type "nfs"/);
  assert.throws(() => parseMountFlag('type=tmpfs,source=a,target=/x'), /field Source must not be specified/);
  assert.throws(() => parseMountFlag('target=/x,bogus=1'), /unexpected key 'bogus'/);
  assert.throws(() => parseMountFlag('target=rel'), /must be absolute/);
});
