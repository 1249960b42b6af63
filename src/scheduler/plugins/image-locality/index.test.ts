import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizedImageName } from './index.js';

test('image names are normalized with :latest unless tagged or pinned by digest', () => {
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizedImageName('nginx:1.25'), 'nginx:1.25');
  assert.equal(normalizedImageName('nginx@sha256:abc'), 'nginx@sha256:abc');
});
