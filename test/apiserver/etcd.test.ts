// `skiff server --datastore-endpoint` on a real etcd (started here on loopback): kubectl works the
// same, watches see changes, and objects outlive a server restart because they live in etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdCluster } from '../storage/etcd-cluster.js';
import { credentialsFrom, kubectlOk, makeTempDir, request, startTestServer, watch, type TestServer } from '../lib/index.js';

let etcd: EtcdCluster;
let server: TestServer | undefined;

before(async () => {
  etcd = await startEtcd(1);
  await etcd.waitHealthy();
});

after(async () => {
  await server?.stop();
  await etcd?.destroy();
});

describe('etcd datastore', () => {
  it('serves kubectl, watches and survives a server restart', async () => {
    const dataDir = makeTempDir('etcd-server');
    server = await startTestServer({ dataDir, args: ['--datastore-endpoint', etcd.endpoint] });
    const admin = credentialsFrom(server.kubeconfig);
    assert.match(await kubectlOk('1.33', server.kubeconfig, ['get', 'ns']), /kube-system/);
    const w = await watch(admin, '/api/v1/namespaces/default/configmaps?watch=true');
    assert.equal(await kubectlOk('1.33', server.kubeconfig, ['create', 'configmap', 'in-etcd', '--from-literal=a=b']), 'configmap/in-etcd created\n');
    await w.waitFor(1);
    w.close();
    assert.equal(w.events[0].type, 'ADDED');
    assert.equal(w.events[0].object.metadata.name, 'in-etcd');
    await server.stop();
    server = await startTestServer({ dataDir, args: ['--datastore-endpoint', etcd.endpoint] });
    const again = credentialsFrom(server.kubeconfig);
    const got = await request(again, 'GET', '/api/v1/namespaces/default/configmaps/in-etcd');
    assert.deepEqual(got.json.data, { a: 'b' });

    // etcd down: requests fail with 503 and the server stays up; back: reads and writes resume.
    await etcd.kill(0);
    const down = await request(again, 'GET', '/api/v1/namespaces/default/configmaps/in-etcd');
    assert.equal(down.status, 503, down.body);
    assert.equal(down.json.reason, 'ServiceUnavailable');
    etcd.restart(0);
    await etcd.waitHealthy();
    const created = await request(again, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-outage' } } });
    assert.equal(created.status, 201, created.body);
    let listed: string[] = [];
    for (let i = 0; i < 50 && !listed.includes('after-outage'); i++) {
      listed = (await request(again, 'GET', '/api/v1/namespaces/default/configmaps')).json.items?.map((o: { metadata: { name: string } }) => o.metadata.name) ?? [];
      if (!listed.includes('after-outage')) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(listed.includes('after-outage'), listed.join(','));
  });
});
