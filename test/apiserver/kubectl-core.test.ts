// The real kubectl 1.27 and 1.33 against a fresh `skiff server`: discovery, namespaces, and the
// create / get / delete cycle every other part relies on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { kubectl, kubectlOk, KUBECTL_VERSIONS, startTestServer, type TestServer } from '../lib/index.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.stop();
});

describe('kubectl against skiff server', { concurrency: true }, () => {
  it('kubectl 1.33: auth whoami names the admin', async () => {
    const out = await kubectlOk('1.33', server.kubeconfig, ['auth', 'whoami']);
    assert.match(out, /^Username\s+system:admin$/m);
    assert.match(out, /^Groups\s+\[system:masters system:authenticated\]$/m);
  });

  for (const v of KUBECTL_VERSIONS) {
    it(`kubectl ${v}: version, api-versions, api-resources, cluster-info`, async () => {
      const version = await kubectlOk(v, server.kubeconfig, ['version']);
      assert.match(version, /Server Version: (version\.Info\{.*GitVersion:")?v1\.33\.\d+\+skiff/);
      const versions = await kubectlOk(v, server.kubeconfig, ['api-versions']);
      for (const gv of ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'autoscaling/v2']) assert.ok(versions.split('\n').includes(gv), `${gv} in api-versions`);
      const resources = await kubectlOk(v, server.kubeconfig, ['api-resources']);
      assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
      const info = await kubectlOk(v, server.kubeconfig, ['cluster-info']);
      assert.match(info, new RegExp(`Kubernetes control plane.* is running at .*${server.url.replace(/\./g, '\\.')}`));
    });

    it(`kubectl ${v}: the system namespaces exist`, async () => {
      const out = await kubectlOk(v, server.kubeconfig, ['get', 'ns', '-o', 'name']);
      for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(out.includes(`namespace/${ns}\n`), out);
    });

    it(`kubectl ${v}: create -f, get, get -o json, delete`, async () => {
      const name = `web-${v.replace('.', '')}`;
      const file = path.join(server.dataDir, `${name}.yaml`);
      fs.writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels:\n    app: web\ndata:\n  key: value\n`);
      assert.equal(await kubectlOk(v, server.kubeconfig, ['create', '-f', file]), `configmap/${name} created\n`);
      const again = await kubectl(v, server.kubeconfig, ['create', '-f', file]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`Error from server \\(AlreadyExists\\): error when creating ".*${name}.yaml": configmaps "${name}" already exists`));
      const obj = JSON.parse(await kubectlOk(v, server.kubeconfig, ['get', 'configmap', name, '-o', 'json'])) as { metadata: Record<string, unknown>; data: unknown };
      assert.equal(obj.metadata.namespace, 'default');
      assert.match(String(obj.metadata.uid), /^[0-9a-f-]{36}$/);
      assert.match(String(obj.metadata.resourceVersion), /^\d+$/);
      assert.deepEqual(obj.data, { key: 'value' });
      assert.match(await kubectlOk(v, server.kubeconfig, ['get', 'cm']), new RegExp(`^${name}\\s`, 'm'));
      assert.equal(await kubectlOk(v, server.kubeconfig, ['delete', 'configmap', name]), `configmap "${name}" deleted\n`);
      const missing = await kubectl(v, server.kubeconfig, ['get', 'configmap', name]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr.trim(), `Error from server (NotFound): configmaps "${name}" not found`);
    });

    it(`kubectl ${v}: create in a missing namespace is refused`, async () => {
      const r = await kubectl(v, server.kubeconfig, ['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nope\n' });
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): error when creating "STDIN": namespaces "nope" not found');
    });

    it(`kubectl ${v}: auth can-i asks the authorizer`, async () => {
      assert.equal(await kubectlOk(v, server.kubeconfig, ['auth', 'can-i', 'create', 'pods']), 'yes\n');
      assert.equal(await kubectlOk(v, server.kubeconfig, ['auth', 'can-i', 'delete', 'deployments.apps', '-n', 'kube-system']), 'yes\n');
      assert.match(await kubectlOk(v, server.kubeconfig, ['auth', 'can-i', '--list']), /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    });

    it(`kubectl ${v}: an unknown resource type`, async () => {
      const r = await kubectl(v, server.kubeconfig, ['get', 'foos']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the server doesn't have a resource type "foos"/);
    });
  }
});
