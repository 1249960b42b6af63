// Two `skiff server` processes on one etcd share objects: what kubectl writes through one server
// the other reads, and a watch through server A sees a write made through server B.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { credentialsFrom, kubectlOk, startTestServer, watch } from '../lib/index.js';
import { startEtcd } from './etcd-cluster.js';

const etcd = await startEtcd(1);
after(() => etcd.destroy());
const a = await startTestServer({ args: ['--datastore-endpoint', etcd.endpoint] });
after(async () => {
  await a.stop();
  fs.rmSync(a.dataDir, { recursive: true, force: true });
});
const b = await startTestServer({ args: ['--datastore-endpoint', etcd.endpoint] });
after(async () => {
  await b.stop();
  fs.rmSync(b.dataDir, { recursive: true, force: true });
});

test('an object created through server A is read through server B at the same resourceVersion', async () => {
  await kubectlOk('1.33', a.kubeconfig, ['create', 'configmap', 'shared', '--from-literal=key=from-a']);
  const viaA = await kubectlOk('1.33', a.kubeconfig, ['get', 'configmap', 'shared', '-o', 'jsonpath={.metadata.resourceVersion} {.data.key}']);
  const viaB = await kubectlOk('1.33', b.kubeconfig, ['get', 'configmap', 'shared', '-o', 'jsonpath={.metadata.resourceVersion} {.data.key}']);
  assert.equal(viaB, viaA);
  assert.match(viaB, /^\d+ from-a$/);
});

test('a watch through server A sees a write made through server B', async () => {
  const events = await watch(credentialsFrom(a.kubeconfig), '/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dwritten-through-b');
  after(() => events.close());
  assert.equal(events.status, 200);
  await kubectlOk('1.33', b.kubeconfig, ['create', 'configmap', 'written-through-b', '--from-literal=key=from-b']);
  await events.waitFor(1, 15_000);
  assert.equal(events.events[0].type, 'ADDED');
  assert.equal(events.events[0].object.data.key, 'from-b');
});
