import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, Router } from './router.js';

test('routes match with and without a /vX.Y prefix; image names may hold slashes', () => {
  const r = new Router<string>().add('GET', '/containers/:id/json', 'inspect').add('GET', '/images/:name*/json', 'image').add('DELETE', '/images/:name*', 'rmi');
  assert.deepEqual(r.match('GET', '/v1.43/containers/abc/json').found, { handler: 'inspect', params: { id: 'abc' }, version: '1.43' });
  assert.deepEqual(r.match('GET', '/containers/abc/json').found, { handler: 'inspect', params: { id: 'abc' }, version: undefined });
  assert.equal(r.match('GET', '/images/docker.io/library/busybox:latest/json').found?.params.name, 'docker.io/library/busybox:latest');
  assert.equal(r.match('DELETE', '/v1.24/images/localhost:5000/a/b:1').found?.params.name, 'localhost:5000/a/b:1');
});

test('HEAD is served by GET routes; a known path with another method is told apart from an unknown path', () => {
  const r = new Router<string>().add('GET', '/_ping', 'ping');
  assert.equal(r.match('HEAD', '/_ping').found?.handler, 'ping');
  assert.deepEqual(r.match('POST', '/_ping'), { pathMatched: true });
  assert.deepEqual(r.match('GET', '/nope'), { pathMatched: false });
});

test('API versions compare numerically', () => {
  assert.ok(compareVersions('1.43', '1.100') < 0);
  assert.ok(compareVersions('1.50', '1.43') > 0);
  assert.equal(compareVersions('1.43', '1.43'), 0);
});
