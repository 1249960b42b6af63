import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKubeconfig, parseKubeconfig, inClusterConfig, ConfigError } from './config.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: skiff
clusters:
- name: skiff
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')}
- name: other
  cluster:
    server: https://127.0.0.1:7443
    certificate-authority: ca.crt
users:
- name: admin
  user:
    client-certificate-data: ${Buffer.from('CERT PEM').toString('base64')}
    client-key-data: ${Buffer.from('KEY PEM').toString('base64')}
- name: bot
  user:
    token: abc123
contexts:
- name: skiff
  context: { cluster: skiff, user: admin }
- name: bot
  context: { cluster: other, user: bot, namespace: team }
`;

test('reads server, inline certificates and the current context', () => {
  const c = parseKubeconfig(KUBECONFIG, '/nowhere');
  assert.equal(c.server, 'https://127.0.0.1:6443');
  assert.equal(c.ca?.toString(), 'CA PEM');
  assert.equal(c.cert?.toString(), 'CERT PEM');
  assert.equal(c.key?.toString(), 'KEY PEM');
  assert.equal(c.namespace, 'default');
});

test('another context: token, namespace and file references relative to the kubeconfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-kubeconfig-'));
  try {
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'FILE CA');
    fs.writeFileSync(path.join(dir, 'config'), KUBECONFIG);
    const c = loadKubeconfig(path.join(dir, 'config'), { context: 'bot' });
    assert.equal(c.token, 'abc123');
    assert.equal(c.namespace, 'team');
    assert.equal(c.ca?.toString(), 'FILE CA');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bad kubeconfigs fail with a message saying what is wrong', () => {
  assert.throws(() => parseKubeconfig(KUBECONFIG, '/', { context: 'nope' }), /context "nope" does not exist/);
  assert.throws(() => parseKubeconfig('clusters: []', '/'), /no current-context/);
  assert.throws(() => loadKubeconfig('/nonexistent/kubeconfig'), ConfigError);
});

test('in-cluster config from service-account files and KUBERNETES_SERVICE_*', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-sa-'));
  try {
    fs.writeFileSync(path.join(dir, 'token'), 'tok\n');
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
    fs.writeFileSync(path.join(dir, 'namespace'), 'kube-system');
    const c = inClusterConfig(dir, { KUBERNETES_SERVICE_HOST: '10.43.0.1', KUBERNETES_SERVICE_PORT: '443' });
    assert.equal(c.server, 'https://10.43.0.1:443');
    assert.equal(c.token, 'tok');
    assert.equal(c.namespace, 'kube-system');
    assert.throws(() => inClusterConfig(dir, {}), /KUBERNETES_SERVICE_HOST/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
