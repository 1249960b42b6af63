// PodDisruptionBudget status and drain with kubectl 1.33 on hollow nodes: the budget reports its
// healthy and allowed disruptions as pods come and go; drain cordons the node and evicts its pods.
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

interface Pdb {
  status?: { currentHealthy?: number; desiredHealthy?: number; expectedPods?: number; disruptionsAllowed?: number; conditions?: Array<{ type: string; status: string; reason: string }> };
}

test('a PDB reports healthy pods and allowed disruptions', async () => {
  await c.k('create', 'deployment', 'web', '--image=luksa/kubia', '--replicas=3');
  assert.match(await c.k('create', 'pdb', 'web-pdb', '--selector=app=web', '--min-available=2'), /poddisruptionbudget.policy\/web-pdb created/);
  const status = await eventually('pdb status', async () => {
    const pdb = JSON.parse(await c.k('get', 'pdb', 'web-pdb', '-o', 'json')) as Pdb;
    return pdb.status?.currentHealthy === 3 && pdb.status;
  });
  assert.deepEqual([status.expectedPods, status.desiredHealthy, status.disruptionsAllowed], [3, 2, 1]);
  assert.deepEqual(status.conditions?.map((x) => [x.type, x.status, x.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
  assert.match(await c.k('get', 'pdb', 'web-pdb'), /web-pdb\s+2\s+N\/A\s+1\s+/);

  await c.k('create', 'pdb', 'web-max', '--selector=app=web', '--max-unavailable=50%');
  await eventually('maxUnavailable from the deployment scale', async () => {
    const pdb = JSON.parse(await c.k('get', 'pdb', 'web-max', '-o', 'json')) as Pdb;
    return pdb.status?.expectedPods === 3 && pdb.status.desiredHealthy === 1 && pdb.status.disruptionsAllowed === 2;
  });
  // Evicting a pod that two budgets cover is an error in kube; the drain test below must not meet one.
  await c.k('delete', 'pdb', 'web-max', 'web-pdb');
});

test('kubectl drain cordons the node and evicts its pods, which come back on the other node', async () => {
  await c.k('create', 'deployment', 'drained', '--image=luksa/kubia', '--replicas=2');
  const list = async (): Promise<Array<{ metadata: { deletionTimestamp?: string }; spec: { nodeName?: string } }>> =>
    (JSON.parse(await c.k('get', 'pods', '-l', 'app=drained', '-o', 'json')) as { items: Array<{ metadata: { deletionTimestamp?: string }; spec: { nodeName?: string } }> }).items;
  await eventually('2 pods placed', async () => (await list()).filter((p) => p.spec.nodeName).length === 2);
  const out = await c.k('drain', 'node-0', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s');
  assert.match(out, /node\/node-0 cordoned/);
  assert.match(out, /node\/node-0 drained/);
  await eventually('pods on node-1 only', async () => {
    const pods = (await list()).filter((p) => !p.metadata.deletionTimestamp);
    return pods.length === 2 && pods.every((p) => p.spec.nodeName === 'node-1');
  });
  await c.k('uncordon', 'node-0');
});

test('drain honours a PodDisruptionBudget: refused while the budget allows nothing, done once it allows one', async () => {
  await c.k('create', 'deployment', 'guarded', '--image=luksa/kubia', '--replicas=2');
  await c.k('create', 'pdb', 'guarded-pdb', '--selector=app=guarded', '--min-available=2');
  await eventually('guarded pods placed and counted healthy', async () => {
    const pdb = JSON.parse(await c.k('get', 'pdb', 'guarded-pdb', '-o', 'json')) as Pdb;
    return pdb.status?.currentHealthy === 2 && pdb.status.disruptionsAllowed === 0;
  });
  const node = (await c.k('get', 'pods', '-l', 'app=guarded', '-o', 'jsonpath={.items[0].spec.nodeName}')).trim();
  const refused = await c.kTry('drain', node, '--ignore-daemonsets', '--pod-selector=app=guarded', '--timeout=8s');
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr + refused.stdout, /Cannot evict pod as it would violate the pod's disruption budget/);
  await c.k('patch', 'pdb', 'guarded-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":1}}');
  await eventually('the budget allows one disruption', async () => {
    const pdb = JSON.parse(await c.k('get', 'pdb', 'guarded-pdb', '-o', 'json')) as Pdb;
    return pdb.status?.disruptionsAllowed === 1;
  });
  assert.match(await c.k('drain', node, '--ignore-daemonsets', '--pod-selector=app=guarded', '--timeout=60s'), /drained/);
  await c.k('uncordon', node);
});
