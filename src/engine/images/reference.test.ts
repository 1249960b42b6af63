import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonical, familiarName, normalize, parseReference } from './reference.js';

test('docker\'s normalisation of image names', () => {
  assert.equal(normalize('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalize('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(normalize('user/app'), 'docker.io/user/app:latest');
  assert.equal(normalize('localhost:5000/app:v1'), 'localhost:5000/app:v1');
  assert.equal(normalize('localhost/app'), 'localhost/app:latest');
  assert.equal(normalize('quay.io/org/app'), 'quay.io/org/app:latest');
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.equal(canonical(parseReference(`busybox@${digest}`)), `docker.io/library/busybox@${digest}`);
});

test('familiar names drop docker.io and library/', () => {
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName('docker.io/user/app:v1'), 'user/app:v1');
  assert.equal(familiarName('localhost:5000/app:v1'), 'localhost:5000/app:v1');
});

test('invalid references are rejected like docker', () => {
  assert.throws(() => parseReference('BusyBox'), /must be lowercase/);
  assert.throws(() => parseReference('a b'), /invalid reference format/);
  assert.throws(() => parseReference('app:'), /invalid reference format/);
  assert.throws(() => parseReference(''), /invalid reference format/);
});
