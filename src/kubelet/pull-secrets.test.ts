import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOCKER_CFG, DOCKER_CONFIG_JSON, pullCredentials, type PullSecret } from './pull-secrets.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const configJson = (auths: Record<string, unknown>): PullSecret => ({ type: DOCKER_CONFIG_JSON, data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } });
const auth = (user: string, pass: string) => ({ auth: b64(`${user}:${pass}`) });

test('a dockerconfigjson secret gives the credentials of the image registry, port included', () => {
  const secrets = [configJson({ '127.0.0.1:5000': auth('alice', 'pw:with:colons'), 'other.example:5000': auth('bob', 'x') })];
  assert.deepEqual(pullCredentials('127.0.0.1:5000/team/app:1', secrets), [{ username: 'alice', password: 'pw:with:colons' }]);
  assert.deepEqual(pullCredentials('127.0.0.1:5001/team/app:1', secrets), []);
  assert.deepEqual(pullCredentials('busybox', secrets), []);
});

test('dockercfg secrets, username/password entries and scheme-prefixed keys are understood', () => {
  const cfg: PullSecret = { type: DOCKER_CFG, data: { '.dockercfg': b64(JSON.stringify({ 'https://reg.example/': { username: 'u', password: 'p' } })) } };
  assert.deepEqual(pullCredentials('reg.example/app', [cfg]), [{ username: 'u', password: 'p' }]);
});

test('Docker Hub keys cover docker.io images; more specific keys come first; wildcards match one label', () => {
  const secrets = [
    configJson({ 'https://index.docker.io/v1/': auth('hub', '1') }),
    configJson({ 'docker.io/library': auth('lib', '2'), '*.example.com': auth('wild', '3'), 'reg.example/team': auth('team', '4') }),
  ];
  assert.deepEqual(pullCredentials('busybox:latest', secrets).map((c) => c.username), ['lib', 'hub']);
  assert.deepEqual(pullCredentials('someone/app', secrets).map((c) => c.username), ['hub']);
  assert.deepEqual(pullCredentials('a.example.com/x', secrets).map((c) => c.username), ['wild']);
  assert.deepEqual(pullCredentials('a.b.example.com/x', secrets).map((c) => c.username), []);
  assert.deepEqual(pullCredentials('reg.example/team/app', secrets).map((c) => c.username), ['team']);
  assert.deepEqual(pullCredentials('reg.example/teamster/app', secrets).map((c) => c.username), []);
});

test('secrets of other types and malformed data give nothing', () => {
  assert.deepEqual(pullCredentials('127.0.0.1:5000/app', [{ type: 'Opaque', data: { '.dockerconfigjson': b64('{"auths":{"127.0.0.1:5000":{"auth":"YTpi"}}}') } }]), []);
  assert.deepEqual(pullCredentials('127.0.0.1:5000/app', [{ type: DOCKER_CONFIG_JSON, data: { '.dockerconfigjson': b64('not json') } }]), []);
});
