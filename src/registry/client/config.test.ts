import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isInsecure, loadRegistrySettings, loadCredentials, saveCredentials, removeCredentials, authKey, DOCKER_HUB_AUTH_KEY } from './config.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-regconfig-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('loopback is always insecure; insecure-registries match host[:port] or CIDR', () => {
  const none = { mirrors: [], insecure: [] };
  assert.equal(isInsecure('127.0.0.1:5000', none), true);
  assert.equal(isInsecure('127.4.5.6', none), true);
  assert.equal(isInsecure('localhost:5000', none), true);
  assert.equal(isInsecure('[::1]:5000', none), true);
  assert.equal(isInsecure('registry.example.com', none), false);
  const some = { mirrors: [], insecure: ['myreg.local:5000', '10.1.0.0/16', 'plain.example'] };
  assert.equal(isInsecure('myreg.local:5000', some), true);
  assert.equal(isInsecure('myreg.local:5001', some), false);
  assert.equal(isInsecure('10.1.200.3:443', some), true);
  assert.equal(isInsecure('10.2.0.1', some), false);
  assert.equal(isInsecure('plain.example:8080', some), true);
});

test('daemon.json settings: mirrors and insecure registries; absent file means none; bad shapes are errors', () => {
  const file = path.join(dir, 'daemon.json');
  assert.deepEqual(loadRegistrySettings(file), { mirrors: [], insecure: [] });
  fs.writeFileSync(file, JSON.stringify({ 'registry-mirrors': ['http://127.0.0.1:5001/'], 'insecure-registries': ['myreg:5000'], debug: true }));
  assert.deepEqual(loadRegistrySettings(file), { mirrors: ['http://127.0.0.1:5001'], insecure: ['myreg:5000'] });
  fs.writeFileSync(file, JSON.stringify({ 'registry-mirrors': 'http://x' }));
  assert.throws(() => loadRegistrySettings(file), /"registry-mirrors" must be a list of strings/);
  fs.writeFileSync(file, '{not json');
  assert.throws(() => loadRegistrySettings(file), /unable to configure the engine from/);
});

test('credentials: docker config.json shape, 0600, Docker Hub key, other keys kept, logout', () => {
  const file = path.join(dir, 'docker', 'config.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ credsStore: '', auths: { 'https://other.example/v1/': { auth: Buffer.from('o:p').toString('base64') } } }));
  saveCredentials('docker.io', { username: 'me', password: 'pw:with:colons' }, file);
  saveCredentials('127.0.0.1:5000', { username: 'local', password: 'x' }, file);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { credsStore: string; auths: Record<string, { auth: string }> };
  assert.equal(raw.credsStore, '');
  assert.equal(authKey('docker.io'), DOCKER_HUB_AUTH_KEY);
  assert.ok(raw.auths[DOCKER_HUB_AUTH_KEY]);
  assert.deepEqual(loadCredentials('docker.io', file), { username: 'me', password: 'pw:with:colons' });
  assert.deepEqual(loadCredentials('other.example', file), { username: 'o', password: 'p' });
  assert.equal(removeCredentials('127.0.0.1:5000', file), true);
  assert.equal(removeCredentials('127.0.0.1:5000', file), false);
  assert.equal(loadCredentials('127.0.0.1:5000', file), undefined);
});
