// Node lifecycle, service accounts and DefaultTolerationSeconds on hollow nodes with kubectl 1.33: a node
// that stops heartbeating goes NotReady with the unreachable taint and its pods move to the healthy node
// after their (shortened) tolerationSeconds; cordon taints a node; namespaces get a `default`
// ServiceAccount; pods get the 300 s not-ready/unreachable tolerations.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFromKubeconfig, type RestClient } from '../../../src/client/index.js';
import { startControllers, type ControllersHandle } from '../../../src/controllers/index.js';
import { startHollowNodes, startScheduler, type HollowNodes, type SchedulerHandle } from '../../../src/scheduler/index.js';
import { kubectl, kubectlOk, startTestServer, type TestServer } from '../../lib/index.js';
import { eventually } from '../workloads/cluster.js';

let server: TestServer;
let rest: RestClient;
let healthy: HollowNodes;
let doomed: HollowNodes | undefined;
let scheduler: SchedulerHandle;
let controllers: ControllersHandle;
const k = (...args: string[]): Promise<string> => kubectlOk('1.33', server.kubeconfig, args);
const kIn = (input: string, ...args: string[]): Promise<string> => kubectlOk('1.33', server.kubeconfig, args, { input });

before(async () => {
  server = await startTestServer();
  rest = clientFromKubeconfig(server.kubeconfig);
  healthy = await startHollowNodes({ rest, count: 1, namePrefix: 'healthy-', leaseRenewMs: 300 });
  doomed = await startHollowNodes({ rest, count: 1, namePrefix: 'doomed-', leaseRenewMs: 300 });
  scheduler = await startScheduler({ client: rest });
  controllers = await startControllers({ client: rest, nodeLifecycle: { gracePeriodSeconds: 3, monitorPeriodSeconds: 0.5 } });
});
after(async () => {
  await controllers?.stop();
  await scheduler?.stop();
  await doomed?.stop();
  await healthy?.stop();
  rest?.close();
  await server?.stop();
});

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
  spec: { nodeName?: string; serviceAccountName?: string; tolerations?: Array<{ key?: string; operator?: string; effect?: string; tolerationSeconds?: number }> };
}

test('pods run as the default ServiceAccount with the default not-ready/unreachable tolerations of 300 s', async () => {
  await k('run', 'tol1', '--image=luksa/kubia');
  const pod = JSON.parse(await k('get', 'pod', 'tol1', '-o', 'json')) as Pod;
  assert.equal(pod.spec.serviceAccountName, 'default');
  assert.deepEqual(pod.spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
});

test('every namespace gets a default ServiceAccount', async () => {
  await k('create', 'namespace', 'sa1');
  await eventually('default SA in sa1', async () => (await kubectl('1.33', server.kubeconfig, ['get', 'serviceaccount', 'default', '-n', 'sa1'])).code === 0);
  await eventually('default SA in default', async () => (await kubectl('1.33', server.kubeconfig, ['get', 'serviceaccount', 'default'])).code === 0);
});

test('cordon taints a node unschedulable, uncordon removes it', async () => {
  assert.match(await k('cordon', 'healthy-0'), /node\/healthy-0 cordoned/);
  await eventually('unschedulable taint', async () => (await k('get', 'node', 'healthy-0', '-o', 'jsonpath={.spec.taints[*].key}')).includes('node.kubernetes.io/unschedulable'));
  assert.match(await k('uncordon', 'healthy-0'), /node\/healthy-0 uncordoned/);
  await eventually('taint removed', async () => !(await k('get', 'node', 'healthy-0', '-o', 'jsonpath={.spec.taints[*].key}')).includes('unschedulable'));
});

test('a node that stops heartbeating goes NotReady and its ReplicaSet pods reappear on the healthy node', async () => {
  await kIn(
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: mover}
spec:
  replicas: 4
  selector: {matchLabels: {app: mover}}
  template:
    metadata: {labels: {app: mover}}
    spec:
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 4}
      containers: [{name: c, image: luksa/kubia}]
`,
    'apply',
    '-f',
    '-',
  );
  const list = async (): Promise<Pod[]> => (JSON.parse(await k('get', 'pods', '-l', 'app=mover', '-o', 'json')) as { items: Pod[] }).items;
  await eventually('4 pods placed', async () => (await list()).filter((p) => p.spec.nodeName).length === 4);
  // Make sure some pods run on the node that is about to die.
  await k('cordon', 'healthy-0');
  for (const p of (await list()).filter((x) => x.spec.nodeName === 'healthy-0')) await k('delete', 'pod', p.metadata.name, '--wait=false', '--ignore-not-found');
  await eventually('all 4 on doomed-0', async () => {
    const pods = (await list()).filter((p) => !p.metadata.deletionTimestamp);
    return pods.length === 4 && pods.every((p) => p.spec.nodeName === 'doomed-0');
  });
  await k('uncordon', 'healthy-0');
  // A pod that tolerates everything stays on the dead node, but stops being ready.
  await kIn('apiVersion: v1\nkind: Pod\nmetadata: {name: stay}\nspec:\n  nodeName: doomed-0\n  tolerations: [{operator: Exists}]\n  containers: [{name: c, image: luksa/kubia}]\n', 'create', '-f', '-');
  await eventually('stay ready', async () => (await k('get', 'pod', 'stay', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True');

  await doomed!.stop();
  doomed = undefined;
  await eventually('doomed-0 NotReady', async () => /doomed-0\s+NotReady/.test(await k('get', 'nodes')), 20_000);
  const node = JSON.parse(await k('get', 'node', 'doomed-0', '-o', 'json')) as { spec: { taints?: Array<{ key: string; effect: string }> }; status: { conditions: Array<{ type: string; status: string; reason: string; message: string }> } };
  const ready = node.status.conditions.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.ok(node.spec.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
  await eventually('the stranded pod not ready', async () => (await k('get', 'pod', 'stay', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'False');
  await eventually(
    '4 live pods on healthy-0',
    async () => {
      const pods = (await list()).filter((p) => !p.metadata.deletionTimestamp);
      return pods.length === 4 && pods.every((p) => p.spec.nodeName === 'healthy-0');
    },
    30_000,
  );
  assert.equal(await k('get', 'pod', 'stay', '-o', 'jsonpath={.metadata.deletionTimestamp}'), '', 'a pod tolerating the taint forever stays');
  const events = await k('get', 'events', '-o', 'custom-columns=REASON:.reason', '--no-headers');
  assert.match(events, /TaintManagerEviction/);
});
