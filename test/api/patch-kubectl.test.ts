// The patches the real kubectl 1.27 and 1.33 compute (client-side apply's three-way strategic
// merge, set image, rollout pause/resume/restart, drain's cordon, server-side apply, JSON patch)
// applied by a real skiff server give the objects kube-apiserver would store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, kubectlOk, KUBECTL_VERSIONS, startTestServer, type TestServer } from '../lib/index.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.stop();
});

interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
  ports?: { containerPort: number; protocol?: string; name?: string }[];
}

function deployment(containers: Container[], extra = ''): string {
  const c = containers
    .map((x) => {
      let s = `      - name: ${x.name}\n        image: ${x.image}\n`;
      if (x.env) s += `        env:\n${x.env.map((e) => `        - name: ${e.name}\n          value: "${e.value}"\n`).join('')}`;
      if (x.ports) s += `        ports:\n${x.ports.map((p) => `        - containerPort: ${p.containerPort}\n${p.name ? `          name: ${p.name}\n` : ''}`).join('')}`;
      return s;
    })
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
${extra}  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
${c}`;
}

describe('patches computed by the real kubectl', { concurrency: true }, () => {
  for (const v of KUBECTL_VERSIONS) {
    const ns = `patch-${v.replace('.', '')}`;
    const k = (args: string[], input?: string) => kubectlOk(v, server.kubeconfig, [...args, '-n', ns], { input });
    const getJson = async (what: string[]) => JSON.parse(await k(['get', ...what, '-o', 'json'])) as Record<string, any>;
    const containers = async () => ((await getJson(['deployment', 'web'])).spec.template.spec.containers as Container[]).map((c) => ({ name: c.name, image: c.image, env: c.env, ports: c.ports?.map((p) => p.containerPort) }));

    it(`kubectl ${v}: apply, set image, rollout, cordon, server-side apply and JSON patch errors`, async () => {
      await kubectlOk(v, server.kubeconfig, ['create', 'namespace', ns]);
      assert.equal(
        await k(['apply', '-f', '-'], deployment([
          { name: 'old', image: 'busybox' },
          { name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80, name: 'http' }] },
        ], '  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1}\n')),
        'deployment.apps/web created\n',
      );

      // Three-way patch: a container removed ($patch: delete), env merged by name with
      // $setElementOrder, a port added by containerPort, strategy switched with $retainKeys.
      const second = deployment([{ name: 'web', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }], '  strategy:\n    type: Recreate\n');
      assert.equal(await k(['apply', '-f', '-'], second), 'deployment.apps/web configured\n');
      assert.deepEqual(await containers(), [
        {
          name: 'web',
          image: 'nginx:1.27',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          ports: [80, 443],
        },
      ]);
      assert.deepEqual((await getJson(['deployment', 'web'])).spec.strategy, { type: 'Recreate' });
      assert.equal(await k(['apply', '-f', '-'], second), 'deployment.apps/web unchanged\n');

      // A container another client added survives apply (it is not in last-applied).
      await k(['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
      await k(['apply', '-f', '-'], second.replace('value: "2"', 'value: "3"'));
      assert.deepEqual(
        (await containers()).map((c) => c.name),
        ['sidecar', 'web'],
      );
      assert.deepEqual((await containers()).find((c) => c.name === 'web')!.env, [
        { name: 'A', value: '1' },
        { name: 'B', value: '3' },
      ]);

      assert.equal(await k(['set', 'image', 'deployment/web', 'sidecar=busybox:1.36']), 'deployment.apps/web image updated\n');
      assert.deepEqual(
        (await containers()).map((c) => `${c.name}=${c.image}`),
        ['sidecar=busybox:1.36', 'web=nginx:1.27'],
      );

      assert.equal(await k(['rollout', 'pause', 'deployment/web']), 'deployment.apps/web paused\n');
      assert.equal((await getJson(['deployment', 'web'])).spec.paused, true);
      assert.equal(await k(['rollout', 'resume', 'deployment/web']), 'deployment.apps/web resumed\n');
      assert.equal((await getJson(['deployment', 'web'])).spec.paused, undefined);
      assert.equal(await k(['rollout', 'restart', 'deployment/web']), 'deployment.apps/web restarted\n');
      assert.match((await getJson(['deployment', 'web'])).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT/);

      // Server-side apply: merges by merge key in the applied order, keeps other managers' fields.
      const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n';
      assert.equal(await k(['apply', '--server-side', '-f', '-'], cm), 'configmap/ssa serverside-applied\n');
      await k(['patch', 'configmap', 'ssa', '--type=merge', '-p', '{"data":{"other":"x"}}']);
      await k(['apply', '--server-side', '-f', '-'], cm.replace('"1"', '"2"'));
      assert.deepEqual((await getJson(['configmap', 'ssa'])).data, { a: '2', other: 'x' });

      // A JSON patch that does not apply: kube's bare 422, which kubectl prints as an invalid request.
      const bad = await kubectl(v, server.kubeconfig, ['patch', 'configmap', 'ssa', '-n', ns, '--type=json', '-p', '[{"op":"remove","path":"/data/missing"}]']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /the server rejected our request due to an error in our request/);
      const test = await kubectl(v, server.kubeconfig, ['patch', 'configmap', 'ssa', '-n', ns, '--type=json', '-p', '[{"op":"test","path":"/data/a","value":"2"},{"op":"add","path":"/data/b","value":"3"}]']);
      assert.equal(test.code, 0, test.stderr);
      assert.deepEqual((await getJson(['configmap', 'ssa'])).data, { a: '2', b: '3', other: 'x' });
    });
  }

  it('kubectl 1.33: cordon and uncordon patch spec.unschedulable', async () => {
    const node = 'patch-node1';
    await kubectlOk('1.33', server.kubeconfig, ['create', '-f', '-'], { input: `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${node}\n` });
    assert.equal(await kubectlOk('1.33', server.kubeconfig, ['cordon', node]), `node/${node} cordoned\n`);
    assert.equal(JSON.parse(await kubectlOk('1.33', server.kubeconfig, ['get', 'node', node, '-o', 'json'])).spec.unschedulable, true);
    assert.equal(await kubectlOk('1.33', server.kubeconfig, ['uncordon', node]), `node/${node} uncordoned\n`);
    assert.equal(JSON.parse(await kubectlOk('1.33', server.kubeconfig, ['get', 'node', node, '-o', 'json'])).spec.unschedulable, undefined);
  });
});
