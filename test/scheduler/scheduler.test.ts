// The scheduler and hollow nodes against a real `skiff server --disable-agent`, driven with the real
// kubectl: issue 7's acceptance list (each filter and score, events, profiles, preemption).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, kubectlOk, type TestServer } from '../lib/index.js';
import { clientFromKubeconfig, ResourceClient, refs, type RestClient, type CoreEvent } from '../../src/client/index.js';
import { startScheduler, startHollowNodes, type HollowNodes, type Pod, type Node } from '../../src/scheduler/index.js';

process.env.SKIFF_QUIET = '1';
const K = '1.33';
let server: TestServer;
let rest: RestClient;
let hollow: HollowNodes;
let scheduler: Awaited<ReturnType<typeof startScheduler>>;
let pods: ResourceClient<Pod>;
const NODES = ['sched-0', 'sched-1', 'sched-2'];

before(async () => {
  server = await startTestServer();
  rest = clientFromKubeconfig(server.kubeconfig);
  pods = new ResourceClient<Pod>(rest, refs.pods);
  hollow = await startHollowNodes({ rest, count: 3, namePrefix: 'sched-', cpu: '4', memory: '8Gi', pods: 20 });
  const configFile = path.join(server.dataDir, 'scheduler.yaml');
  fs.writeFileSync(
    configFile,
    ['apiVersion: kubescheduler.config.k8s.io/v1', 'kind: KubeSchedulerConfiguration', 'profiles:', '- schedulerName: default-scheduler', '- schedulerName: my-scheduler', ''].join('\n'),
  );
  scheduler = await startScheduler({ client: rest, configFile });
});

after(async () => {
  await scheduler?.stop();
  await hollow?.stop();
  rest?.close();
  await server?.stop();
});

async function apply(yaml: string): Promise<void> {
  await kubectlOk(K, server.kubeconfig, ['apply', '-f', '-'], { input: yaml });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nodeOf = (name: string, ns = 'default'): Promise<string> =>
  waitFor(`pod ${name} scheduled`, async () => (await pods.get(name, ns)).spec.nodeName || undefined);

async function failedSchedulingMessage(name: string, ns = 'default'): Promise<string> {
  return waitFor(`FailedScheduling event for ${name}`, async () => {
    const list = await new ResourceClient<CoreEvent>(rest, refs.events).list({ namespace: ns });
    return list.items.find((e) => e.involvedObject.name === name && e.reason === 'FailedScheduling')?.message;
  });
}

function podYaml(name: string, extra = '', container = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${extra}
  containers:
  - name: c
    image: busybox
${container}`;
}

test('hollow nodes register as Ready nodes with capacity, labels and Lease heartbeats', async () => {
  const out = await kubectlOk(K, server.kubeconfig, ['get', 'nodes', '-o', 'wide']);
  for (const n of NODES) assert.match(out, new RegExp(`${n}\\s+Ready`));
  const node = (await new ResourceClient<Node>(rest, refs.nodes).get('sched-1')) as Node;
  assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'sched-1');
  assert.equal(node.status?.allocatable?.cpu, '4');
  const leases = await kubectlOk(K, server.kubeconfig, ['get', 'leases', '-n', 'kube-node-lease']);
  for (const n of NODES) assert.match(leases, new RegExp(n));
});

test('a pod is bound, then Running with a pod IP and Ready; run-to-completion pods succeed or fail', async () => {
  await apply(podYaml('plain', 'spec:'));
  await nodeOf('plain');
  await waitFor('plain Running', async () => ((await pods.get('plain')).status?.phase === 'Running' ? true : undefined));
  const pod = await pods.get('plain');
  assert.match(pod.status?.podIP ?? '', /^127\./);
  assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  const events = await kubectlOk(K, server.kubeconfig, ['get', 'events', '--field-selector', 'involvedObject.name=plain']);
  assert.match(events, /Scheduled\s+pod\/plain\s+Successfully assigned default\/plain to sched-\d/);

  await apply(podYaml('once', `  annotations:\n    skiff.dev/hollow-run-seconds: "1"\nspec:\n  restartPolicy: Never`));
  await apply(podYaml('crash', `  annotations:\n    skiff.dev/hollow-run-seconds: "0"\n    skiff.dev/hollow-exit-code: "3"\nspec:\n  restartPolicy: Never`));
  await waitFor('once Succeeded', async () => ((await pods.get('once')).status?.phase === 'Succeeded' ? true : undefined));
  const crashed = await waitFor('crash Failed', async () => {
    const p = await pods.get('crash');
    return p.status?.phase === 'Failed' ? p : undefined;
  });
  assert.equal((crashed.status?.containerStatuses?.[0].state as { terminated: { exitCode: number } }).terminated.exitCode, 3);

  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'plain', 'once', 'crash', '--wait=true', '--timeout=30s']);
});

test('nodeSelector and required/preferred node affinity', async () => {
  await kubectlOk(K, server.kubeconfig, ['label', 'node', 'sched-2', 'disk=ssd']);
  await apply(podYaml('sel', 'spec:\n  nodeSelector:\n    disk: ssd'));
  assert.equal(await nodeOf('sel'), 'sched-2');
  await apply(
    podYaml(
      'req',
      `spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: kubernetes.io/hostname, operator: In, values: [sched-0, sched-1]}
          - {key: disk, operator: DoesNotExist}`,
    ),
  );
  assert.ok(['sched-0', 'sched-1'].includes(await nodeOf('req')));
  await apply(
    podYaml(
      'pref',
      `spec:
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        preference:
          matchExpressions:
          - {key: disk, operator: In, values: [ssd]}`,
    ),
  );
  assert.equal(await nodeOf('pref'), 'sched-2');
  await apply(podYaml('nomatch', 'spec:\n  nodeSelector:\n    disk: nvme'));
  assert.equal(
    await failedSchedulingMessage('nomatch'),
    "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  );
  const status = await pods.get('nomatch');
  assert.equal(status.status?.conditions?.find((c) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
  // Labelling a node is a cluster event that retries the parked pod.
  await kubectlOk(K, server.kubeconfig, ['label', 'node', 'sched-0', 'disk=nvme']);
  assert.equal(await nodeOf('nomatch'), 'sched-0');
  await kubectlOk(K, server.kubeconfig, ['label', 'node', 'sched-0', 'disk-']);
  await kubectlOk(K, server.kubeconfig, ['label', 'node', 'sched-2', 'disk-']);
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'sel', 'req', 'pref', 'nomatch', '--wait=true']);
});

test('podAntiAffinity spreads 3 replicas over 3 nodes and leaves a 4th Pending', async () => {
  const replica = (i: number) =>
    podYaml(
      `anti-${i}`,
      `  labels: {app: anti}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: anti}}
        topologyKey: kubernetes.io/hostname`,
    );
  for (let i = 0; i < 3; i++) await apply(replica(i));
  const placed = await Promise.all([0, 1, 2].map((i) => nodeOf(`anti-${i}`)));
  assert.deepEqual([...placed].sort(), NODES);
  await apply(replica(3));
  assert.equal(
    await failedSchedulingMessage('anti-3'),
    "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
  );
  const pending = await kubectlOk(K, server.kubeconfig, ['get', 'pod', 'anti-3', '-o', 'jsonpath={.spec.nodeName}|{.status.conditions[?(@.type=="PodScheduled")].reason}']);
  assert.equal(pending, '|Unschedulable');
  // Deleting one replica frees its node for the pending one.
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'anti-0', '--wait=true']);
  assert.equal(await nodeOf('anti-3'), placed[0]);
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'anti-1', 'anti-2', 'anti-3', '--wait=true']);
});

test('kubectl taint keeps pods off, a toleration lets one on, removing the taint lets the rest in', async () => {
  for (const n of NODES) await kubectlOk(K, server.kubeconfig, ['taint', 'node', n, 'foo=bar:NoSchedule']);
  await apply(podYaml('tainted', 'spec:'));
  assert.equal(
    await failedSchedulingMessage('tainted'),
    '0/3 nodes are available: 3 node(s) had untolerated taint {foo: bar}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
  await apply(podYaml('tolerant', 'spec:\n  tolerations:\n  - {key: foo, operator: Equal, value: bar, effect: NoSchedule}'));
  await nodeOf('tolerant');
  for (const n of NODES) await kubectlOk(K, server.kubeconfig, ['taint', 'node', n, 'foo:NoSchedule-']);
  await nodeOf('tainted');
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'tainted', 'tolerant', '--wait=true']);
});

test('insufficient cpu stays Pending with the exact event message; the init-container max rule', async () => {
  await apply(podYaml('huge', 'spec:', '    resources:\n      requests:\n        cpu: "8"'));
  const expected = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
  assert.equal(await failedSchedulingMessage('huge'), expected);
  const describe = await kubectlOk(K, server.kubeconfig, ['describe', 'pod', 'huge']);
  assert.match(describe, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\./);
  // A node change retries the pod; the same failure is counted on the same Event, as describe shows it.
  await kubectlOk(K, server.kubeconfig, ['label', 'node', 'sched-0', 'poke=1']);
  await waitFor('the event counted twice', async () => {
    const list = await new ResourceClient<CoreEvent>(rest, refs.events).list({ namespace: 'default' });
    const failed = list.items.filter((e) => e.involvedObject.name === 'huge' && e.reason === 'FailedScheduling');
    return failed.length === 1 && failed[0].count === 2 ? true : undefined;
  });
  assert.match(await kubectlOk(K, server.kubeconfig, ['describe', 'pod', 'huge']), /Warning\s+FailedScheduling\s+\S+ \(x2 over \S+\)\s+default-scheduler\s+0\/3 nodes/);
  await kubectlOk(K, server.kubeconfig, ['label', 'node', 'sched-0', 'poke-']);

  // Effective request = max(max(init) = 3, sum(containers) = 2) = 3 cpu: fits a 4-cpu node.
  const initPod = (name: string, initCpu: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  initContainers:
  - {name: init, image: busybox, resources: {requests: {cpu: "${initCpu}"}}}
  containers:
  - {name: a, image: busybox, resources: {requests: {cpu: "1"}}}
  - {name: b, image: busybox, resources: {requests: {cpu: "1"}}}
`;
  await apply(initPod('init-fits', '3'));
  await nodeOf('init-fits');
  await apply(initPod('init-too-big', '5'));
  assert.equal(await failedSchedulingMessage('init-too-big'), expected);
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'huge', 'init-fits', 'init-too-big', '--wait=true']);
});

test('default topology spread balances the pods of a Service over the nodes', async () => {
  await apply(`apiVersion: v1
kind: Service
metadata: {name: spread}
spec:
  selector: {app: spread}
  ports: [{port: 80}]
`);
  for (let i = 0; i < 6; i++) await apply(podYaml(`spread-${i}`, '  labels: {app: spread}\nspec:'));
  const placed = await Promise.all(Array.from({ length: 6 }, (_, i) => nodeOf(`spread-${i}`)));
  const perNode = NODES.map((n) => placed.filter((p) => p === n).length);
  assert.deepEqual(perNode, [2, 2, 2]);
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', '-l', 'app=spread', '--wait=true']);
  await kubectlOk(K, server.kubeconfig, ['delete', 'service', 'spread']);
});

test('a second profile schedules only its pods; an unknown schedulerName stays Pending', async () => {
  await apply(podYaml('mine', 'spec:\n  schedulerName: my-scheduler'));
  await apply(podYaml('nobody', 'spec:\n  schedulerName: no-such-scheduler'));
  await nodeOf('mine');
  const events = await kubectlOk(K, server.kubeconfig, ['get', 'events', '--field-selector', 'involvedObject.name=mine', '-o', 'jsonpath={.items[*].source.component}']);
  assert.equal(events, 'my-scheduler', 'events come from the profile that scheduled the pod');
  await new Promise((r) => setTimeout(r, 1500));
  const nobody = await pods.get('nobody');
  assert.equal(nobody.spec.nodeName, undefined);
  assert.equal(nobody.status?.conditions?.find((c) => c.type === 'PodScheduled'), undefined, 'no scheduler touched it');
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'mine', 'nobody', '--wait=true']);
});

test('a high-priority pod preempts a low-priority one and is nominated to its node', async () => {
  await apply(`apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: prio-low}
value: 10
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: prio-high}
value: 1000
`);
  // With the Priority admission plugin the class sets spec.priority; a server without it gets the value directly.
  const create = async (name: string, className: string, value: number): Promise<void> => {
    const manifest = (extra: string) =>
      podYaml(name, `spec:\n${extra}  nodeSelector: {kubernetes.io/hostname: sched-1}`, '    resources:\n      requests:\n        cpu: "3"');
    await apply(manifest(`  priorityClassName: ${className}\n`));
    if ((await pods.get(name)).spec.priority === value) return;
    await kubectlOk(K, server.kubeconfig, ['delete', 'pod', name, '--wait=true']);
    await apply(manifest(`  priority: ${value}\n`));
  };
  await create('low', 'prio-low', 10);
  assert.equal(await nodeOf('low'), 'sched-1');
  await create('high', 'prio-high', 1000);
  assert.equal(await nodeOf('high'), 'sched-1');
  await waitFor('low deleted', async () => {
    try {
      await pods.get('low');
      return undefined;
    } catch {
      return true;
    }
  });
  const events = await kubectlOk(K, server.kubeconfig, ['get', 'events', '--field-selector', 'reason=Preempted']);
  assert.match(events, /pod\/low\s+Preempted by pod .* on node sched-1/);
  await kubectlOk(K, server.kubeconfig, ['delete', 'pod', 'high', '--wait=true']);
});
