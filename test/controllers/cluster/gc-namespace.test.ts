// The garbage collector and the namespace controller on hollow nodes, driven by the real kubectl 1.33:
// background cascading deletion of a Deployment, --cascade=orphan, --cascade=foreground, dependents of
// an owner that never existed, and deleting a namespace with a deployment, service and configmap (it
// waits for content held by finalizers).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestCluster, type TestCluster } from '../workloads/cluster.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 2 });
});
after(async () => {
  await c?.stop();
});

interface Item {
  metadata: { name: string; uid: string; ownerReferences?: Array<{ name: string }>; deletionTimestamp?: string; finalizers?: string[] };
}
const list = async (what: string, ...args: string[]): Promise<Item[]> => (JSON.parse(await c.k('get', what, ...args, '-o', 'json')) as { items: Item[] }).items;

async function deploymentWithPods(name: string, replicas: number): Promise<void> {
  await c.k('create', 'deployment', name, '--image=luksa/kubia', `--replicas=${replicas}`);
  await eventually(`${replicas} pods of ${name}`, async () => (await list('pods', '-l', `app=${name}`)).length === replicas);
}

test('kubectl delete deploy removes its ReplicaSets and pods', async () => {
  await deploymentWithPods('gc1', 2);
  assert.match(await c.k('delete', 'deploy', 'gc1'), /deployment.apps "gc1" deleted/);
  await eventually('replicasets gone', async () => (await list('rs', '-l', 'app=gc1')).length === 0);
  await eventually('pods gone', async () => (await list('pods', '-l', 'app=gc1')).length === 0);
});

test('--cascade=orphan keeps the ReplicaSet and pods; --cascade=foreground deletes the pods before the ReplicaSet', async () => {
  await deploymentWithPods('gc2', 2);
  assert.match(await c.k('delete', 'deploy', 'gc2', '--cascade=orphan'), /deployment.apps "gc2" deleted/);
  await eventually('deployment gone', async () => (await c.kTry('get', 'deploy', 'gc2')).code !== 0);
  const [rs] = await eventually('the ReplicaSet released', async () => {
    const items = await list('rs', '-l', 'app=gc2');
    return items.length === 1 && !items[0].metadata.ownerReferences?.length && items;
  });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await list('pods', '-l', 'app=gc2')).length, 2, 'pods stay');

  assert.match(await c.k('delete', 'rs', rs.metadata.name, '--cascade=foreground', '--wait=false'), /deleted/);
  const seen = await c.kTry('get', 'rs', rs.metadata.name, '-o', 'jsonpath={.metadata.finalizers}');
  if (seen.code === 0) assert.match(seen.stdout, /foregroundDeletion/);
  await eventually('pods gone', async () => (await list('pods', '-l', 'app=gc2')).length === 0);
  await eventually('ReplicaSet gone', async () => (await c.kTry('get', 'rs', rs.metadata.name)).code !== 0);
});

test('an object whose owner does not exist is collected; one with a live owner stays', async () => {
  await c.k('create', 'configmap', 'gc-owner');
  const owner = (await list('configmap', '--field-selector', 'metadata.name=gc-owner'))[0];
  const cm = (name: string, ref: { name: string; uid: string }): string =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: ${ref.name}, uid: ${ref.uid}}]\n`;
  await c.kIn(cm('gc-orphan', { name: 'nobody', uid: '00000000-0000-0000-0000-000000000001' }), 'create', '-f', '-');
  await c.kIn(cm('gc-child', owner.metadata), 'create', '-f', '-');
  await eventually('gc-orphan collected', async () => (await c.kTry('get', 'configmap', 'gc-orphan')).code !== 0);
  assert.equal((await c.kTry('get', 'configmap', 'gc-child')).code, 0);
  await c.k('delete', 'configmap', 'gc-owner');
  await eventually('gc-child collected with its owner', async () => (await c.kTry('get', 'configmap', 'gc-child')).code !== 0);
});

test('deleting a namespace holding a deployment, service and configmap leaves nothing', async () => {
  await c.k('create', 'namespace', 'dev');
  await c.k('-n', 'dev', 'create', 'deployment', 'web', '--image=luksa/kubia', '--replicas=2', '--port=8080');
  await c.k('-n', 'dev', 'expose', 'deployment', 'web', '--port=80');
  await c.k('-n', 'dev', 'create', 'configmap', 'settings', '--from-literal=a=b');
  await eventually('pods in dev', async () => (await list('pods', '-n', 'dev')).length === 2);
  assert.match(await c.k('delete', 'ns', 'dev', '--timeout=60s'), /namespace "dev" deleted/);
  const gone = await c.kTry('get', 'ns', 'dev');
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /namespaces "dev" not found/);
  for (const what of ['pods', 'deployments', 'replicasets', 'services', 'configmaps', 'endpoints', 'endpointslices']) {
    assert.deepEqual(await list(what, '-n', 'dev'), [], `${what} left in dev`);
  }
});

test('a namespace stays Terminating with Kubernetes\' conditions while its content has finalizers, and goes once they are removed', async () => {
  await c.k('create', 'namespace', 'slow');
  const held = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: slow, finalizers: [example.com/hold]}\n`;
  await c.kIn(held('held'), 'create', '-f', '-');
  await c.kIn(held('held2'), 'create', '-f', '-');
  await c.k('delete', 'ns', 'slow', '--wait=false');
  type Condition = { type: string; status: string; reason: string; message: string };
  const conditions = await eventually('the deletion conditions', async () => {
    const ns = JSON.parse(await c.k('get', 'ns', 'slow', '-o', 'json')) as { status: { phase: string; conditions?: Condition[] } };
    return ns.status.conditions?.some((x) => x.type === 'NamespaceFinalizersRemaining' && x.status === 'True') && ns.status;
  });
  assert.equal(conditions.phase, 'Terminating');
  assert.deepEqual(
    conditions.conditions!.map((x) => [x.type, x.status, x.reason, x.message]),
    [
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 2 resource instances'],
      ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizerRemain', 'Some finalizers are remaining: example.com/hold in 2 resource instances'],
    ],
  );
  const described = await c.k('describe', 'ns', 'slow');
  assert.match(described, /Status:\s+Terminating/);
  assert.match(described, /NamespaceFinalizersRemaining\s+True\s+.*SomeFinalizerRemain\s+Some finalizers are remaining: example\.com\/hold in 2 resource instances/);
  await c.k('-n', 'slow', 'patch', 'configmap', 'held2', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await eventually('one left in the conditions', async () =>
    (await c.k('get', 'ns', 'slow', '-o', 'jsonpath={.status.conditions[?(@.type=="NamespaceContentRemaining")].message}')) === 'Some resources are remaining: configmaps. has 1 resource instances',
  );
  assert.equal(await c.k('get', 'ns', 'slow', '-o', 'jsonpath={.status.phase}'), 'Terminating');
  await c.k('-n', 'slow', 'patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await eventually('namespace gone', async () => (await c.kTry('get', 'ns', 'slow')).code !== 0);
});
