// The scheduler at scale, end to end (create + schedule): 1,000 hollow nodes on a real
// `skiff server`, then 10,000 pods of scheduler_perf's SchedulingBasic shape (requests only) and,
// on a fresh server, 2,000 pods with required pod anti-affinity on the hostname (two label groups
// of 1,000 so that every pod can fit on 1,000 nodes). Like scheduler_perf, the nodes are fake and no
// kubelet runs. Reported: pods scheduled per second from the first create to the last binding seen
// on the scheduler's pod informer, and p50/p99 from each pod's create request to its bound event.
import { startTestServer } from '../test/lib/index.js';
import { clientFromKubeconfig, InformerFactory, ResourceClient, refs, type RestClient } from '../src/client/index.js';
import { startHollowNodes, startScheduler, type Pod } from '../src/scheduler/index.js';
import { schedulePod } from '../src/scheduler/algorithm.js';
import { PodInfo } from '../src/scheduler/node-info.js';
import { makeCache, makeFramework, makeNode } from '../src/scheduler/testing.js';
import { percentile, type Benchmark, type BenchRow } from './harness.js';

const NODES = 1000;
const BASIC_PODS = 10_000;
const ANTI_PODS = 2000;
const CREATORS = 64;

function basicPod(i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `basic-${i}`, namespace: 'default' },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
  };
}

function antiAffinityPod(i: number): Pod {
  const color = i % 2 ? 'green' : 'blue';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `anti-${i}`, namespace: 'default', labels: { color, name: 'test' } },
    spec: {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { color } }, topologyKey: 'kubernetes.io/hostname' }] } },
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }],
    },
  };
}

/** The scheduling algorithm alone, in process, without the API server: its own ceiling. */
function cyclesPerSecond(count: number, make: (i: number) => Pod): number {
  const fw = makeFramework();
  const cache = makeCache(Array.from({ length: NODES }, (_, i) => makeNode(`n${i}`, { cpu: '4', memory: '32Gi' })));
  let start = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const pi = new PodInfo(make(i));
    const r = schedulePod(fw, cache, pi, { startIndex: start });
    if (!r.host) throw new Error(`pod ${i} did not fit`);
    start = (start + r.processed) % NODES;
    cache.assume(pi, r.host);
  }
  return count / ((performance.now() - t0) / 1000);
}

interface Run {
  podsPerSecond: number;
  p50: number;
  p99: number;
}

async function measure(count: number, make: (i: number) => Pod): Promise<Run> {
  process.env.SKIFF_QUIET = '1';
  const server = await startTestServer({ timeoutMs: 120_000 });
  const clients: RestClient[] = [];
  const client = (sockets: number): RestClient => {
    const c = clientFromKubeconfig(server.kubeconfig, { maxSockets: sockets });
    clients.push(c);
    return c;
  };
  try {
    const hollow = await startHollowNodes({ rest: client(32), count: NODES, cpu: '4', memory: '32Gi', pods: 110, kubelet: false, leaseRenewMs: 0 });
    // The bench watches bindings through the scheduler's own pod informer, as scheduler_perf does,
    // rather than opening a second watch on the server.
    const schedulerClient = client(128);
    const informers = new InformerFactory(schedulerClient);
    const scheduler = await startScheduler({ client: schedulerClient, informers });
    const s = scheduler.current()!;
    while (s.cache.nodes.length < NODES) await new Promise((r) => setTimeout(r, 50));

    const sent = new Map<string, number>();
    const latencies: number[] = [];
    let last = 0;
    let done: () => void = () => {};
    const allBound = new Promise<void>((resolve) => (done = resolve));
    const pods = new ResourceClient<Pod>(client(CREATORS), refs.pods);
    informers.informer<Pod>(refs.pods).addEventHandler({
      update: (_old, pod) => {
        const name = String(pod.metadata.name);
        const t0 = sent.get(name);
        if (t0 === undefined || !pod.spec.nodeName) return;
        sent.delete(name);
        last = performance.now();
        latencies.push(last - t0);
        if (latencies.length === count) done();
      },
    });
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CREATORS }, async () => {
        while (next < count) {
          const pod = make(next++);
          sent.set(String(pod.metadata.name), performance.now());
          await pods.create(pod);
        }
      }),
    );
    await Promise.race([allBound, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${latencies.length}/${count} pods bound after 10 minutes`)), 600_000))]);
    await scheduler.stop();
    informers.stop();
    await hollow.stop();
    latencies.sort((a, b) => a - b);
    return { podsPerSecond: count / ((last - start) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'scheduler',
  description: `scheduler on ${NODES} hollow nodes: ${BASIC_PODS} basic pods, ${ANTI_PODS} anti-affinity pods (create + schedule)`,
  async run(): Promise<BenchRow[]> {
    const basicAlone = cyclesPerSecond(BASIC_PODS, basicPod);
    const antiAlone = cyclesPerSecond(ANTI_PODS, antiAffinityPod);
    const basic = await measure(BASIC_PODS, basicPod);
    const anti = await measure(ANTI_PODS, antiAffinityPod);
    return [
      { metric: 'SchedulingBasic cycles/s, algorithm alone (no API)', unit: 'pods/s', skiff: basicAlone, lowerIsBetter: false },
      { metric: 'PodAntiAffinity cycles/s, algorithm alone (no API)', unit: 'pods/s', skiff: antiAlone, lowerIsBetter: false },
      { metric: `SchedulingBasic pods/s (${NODES} nodes, ${BASIC_PODS} pods)`, unit: 'pods/s', skiff: basic.podsPerSecond, lowerIsBetter: false, target: '>= 1000' },
      { metric: 'SchedulingBasic p50 create→bound', unit: 'ms', skiff: basic.p50, lowerIsBetter: true },
      { metric: 'SchedulingBasic p99 create→bound', unit: 'ms', skiff: basic.p99, lowerIsBetter: true },
      { metric: `PodAntiAffinity pods/s (${NODES} nodes, ${ANTI_PODS} pods)`, unit: 'pods/s', skiff: anti.podsPerSecond, lowerIsBetter: false, target: '>= 300' },
      { metric: 'PodAntiAffinity p50 create→bound', unit: 'ms', skiff: anti.p50, lowerIsBetter: true },
      { metric: 'PodAntiAffinity p99 create→bound', unit: 'ms', skiff: anti.p99, lowerIsBetter: true },
    ];
  },
};
