import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerConfigError, containerEnv, expandVars, podFieldValue, resourceFieldValue, serviceEnv, type EnvSources } from './env.js';
import type { Pod } from '../client/index.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'prod', uid: 'u1', labels: { app: 'web', tier: 'front' } },
  spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'busybox', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }] },
  status: { podIP: '10.42.0.5', hostIP: '192.0.2.1' },
};

const sources = (extra: Partial<EnvSources> = {}): EnvSources => ({
  configMap: async (n) => (n === 'cfg' ? { mode: 'fast', level: '3' } : undefined),
  secret: async (n) => (n === 'sec' ? { password: 's3cret' } : undefined),
  services: [],
  nodeAllocatable: { cpu: '4', memory: '8589934592' },
  ...extra,
});

test('$(VAR) expansion follows kubelet: $$ escapes, unknown names stay', () => {
  const vars = new Map([['A', 'x']]);
  assert.equal(expandVars('$(A)-$(B)-$$(A)-$', vars), 'x-$(B)-$(A)-$');
});

test('service link variables match docker links', () => {
  const env = Object.fromEntries(serviceEnv([{ name: 'kubia-svc', clusterIP: '10.43.0.7', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]));
  assert.equal(env.KUBIA_SVC_SERVICE_HOST, '10.43.0.7');
  assert.equal(env.KUBIA_SVC_SERVICE_PORT, '80');
  assert.equal(env.KUBIA_SVC_SERVICE_PORT_HTTP, '80');
  assert.equal(env.KUBIA_SVC_PORT, 'tcp://10.43.0.7:80');
  assert.equal(env.KUBIA_SVC_PORT_80_TCP_ADDR, '10.43.0.7');
  assert.deepEqual(serviceEnv([{ name: 'headless', clusterIP: 'None', ports: [{ port: 80 }] }]), []);
});

test('downward API fields and resources', () => {
  assert.equal(podFieldValue(pod, "metadata.labels['app']"), 'web');
  assert.equal(podFieldValue(pod, 'metadata.labels'), 'app="web"\ntier="front"');
  assert.equal(podFieldValue(pod, 'status.podIP'), '10.42.0.5');
  assert.throws(() => podFieldValue(pod, 'spec.bogus'), ContainerConfigError);
  const c = pod.spec.containers[0];
  assert.equal(resourceFieldValue(pod, c, { resource: 'limits.memory', divisor: '1Mi' }, sources().nodeAllocatable), '64');
  assert.equal(resourceFieldValue(pod, c, { resource: 'requests.cpu', divisor: '1m' }, sources().nodeAllocatable), '250');
  assert.equal(resourceFieldValue(pod, c, { resource: 'limits.cpu' }, sources().nodeAllocatable), '4', 'no limit: node allocatable');
});

test('env order: service links, envFrom, env; refs resolve and missing ones are config errors', async () => {
  const c = {
    name: 'main',
    envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }],
    env: [
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
      { name: 'URL', value: 'http://$(CFG_mode)' },
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
  };
  const env = await containerEnv(pod, c, sources({ services: [{ name: 'db', clusterIP: '10.43.0.9', ports: [{ port: 5432 }] }] }));
  const names = env.map(([k]) => k);
  assert.ok(names.indexOf('DB_SERVICE_HOST') < names.indexOf('CFG_mode'));
  assert.deepEqual(Object.fromEntries(env).URL, 'http://fast');
  assert.equal(Object.fromEntries(env).PASS, 's3cret');
  assert.equal(Object.fromEntries(env).NAME, 'web');
  await assert.rejects(containerEnv(pod, { name: 'm', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }] }, sources()), /configmap "missing" not found/);
  await assert.rejects(containerEnv(pod, { name: 'm', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] }, sources()), /couldn't find key nope in ConfigMap prod\/cfg/);
  assert.deepEqual(await containerEnv({ ...pod, spec: { ...pod.spec, enableServiceLinks: false } }, { name: 'm' }, sources({ services: [{ name: 'db', clusterIP: '10.43.0.9', ports: [{ port: 1 }] }] })), []);
});
