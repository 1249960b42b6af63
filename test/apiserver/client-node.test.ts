// The official JavaScript client (@kubernetes/client-node) against skiff: typed CRUD, and an
// informer (list + watch) that sees adds, updates and deletes made by another client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../lib/index.js';

let server: TestServer;
let kc: k8s.KubeConfig;

before(async () => {
  server = await startTestServer();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
});

after(async () => {
  await server?.stop();
});

describe('@kubernetes/client-node', () => {
  it('typed create, read, replace, list and delete', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'typed' }, data: { a: 'b' } } });
    assert.equal(created.metadata?.name, 'typed');
    const read = await core.readNamespacedConfigMap({ namespace: 'default', name: 'typed' });
    read.data = { a: 'c' };
    const replaced = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'typed', body: read });
    assert.equal(replaced.data?.a, 'c');
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    assert.ok(list.items.some((i) => i.metadata?.name === 'typed'));
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'typed' });
    await assert.rejects(core.readNamespacedConfigMap({ namespace: 'default', name: 'typed' }), (err: { code?: number }) => err.code === 404);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const dep = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'typed-web' }, spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    });
    assert.equal(dep.spec?.replicas, 1);
    assert.equal(dep.spec?.strategy?.type, 'RollingUpdate');
  });

  it('an informer sees add, update and delete', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'informed' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/informed/configmaps', () => core.listNamespacedConfigMap({ namespace: 'informed' }));
    const seen: string[] = [];
    let notify: () => void = () => undefined;
    const record = (type: string) => (obj: k8s.V1ConfigMap) => {
      seen.push(`${type} ${obj.metadata?.name} ${obj.data?.v ?? ''}`.trim());
      notify();
    };
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    await informer.start();
    const until = (pred: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`informer saw only: ${seen.join('; ')}`)), 10_000);
        notify = () => {
          if (pred()) {
            clearTimeout(t);
            resolve();
          }
        };
        notify();
      });
    try {
      await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'i1' }, data: { v: '1' } } });
      await until(() => seen.includes('add i1 1'));
      await core.patchNamespacedConfigMap({ namespace: 'informed', name: 'i1', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await until(() => seen.includes('update i1 2'));
      await core.deleteNamespacedConfigMap({ namespace: 'informed', name: 'i1' });
      await until(() => seen.some((s) => s.startsWith('delete i1')));
      assert.equal(informer.list('informed').length, 0);
    } finally {
      await informer.stop();
    }
  });
});
