// The workload controllers at scale, end to end on a real `skiff server` with the scheduler and 100
// hollow nodes in this process (pods become Running and Ready as soon as they are bound): the time
// for a 1,000-replica Deployment to become available, and for a full rolling update of it (25%
// surge / 25% unavailable) to complete. No peer runs here; kube-controller-manager's own client is
// throttled to 20 qps by default, which alone puts it at ~100 s for 2,000 pod writes.
import { startTestServer } from '../test/lib/index.js';
import { clientFromKubeconfig, ResourceClient, type RestClient } from '../src/client/index.js';
import { lookupResource } from '../src/api/index.js';
import { startControllers } from '../src/controllers/index.js';
import type { Deployment } from '../src/controllers/deployment/index.js';
import { startHollowNodes, startScheduler } from '../src/scheduler/index.js';
import type { Benchmark, BenchRow } from './harness.js';

const NODES = 100;
const REPLICAS = 1000;

function deployment(image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'bench' } },
      template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

/** Polls until the Deployment reports every replica updated and available for its current generation. */
async function rolledOut(client: ResourceClient<Deployment>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.get('bench', 'default');
    const s = d.status ?? {};
    if ((s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.updatedReplicas === REPLICAS && s.availableReplicas === REPLICAS && s.replicas === REPLICAS) return;
    if (Date.now() > deadline) throw new Error(`deployment not rolled out after ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(): Promise<BenchRow[]> {
  process.env.SKIFF_QUIET = '1';
  const server = await startTestServer();
  let rest: RestClient | undefined;
  const stops: Array<() => Promise<void>> = [];
  try {
    rest = clientFromKubeconfig(server.kubeconfig, { maxSockets: 64 });
    const hollow = await startHollowNodes({ rest, count: NODES, namePrefix: 'bench-node-', leaseRenewMs: 30_000 });
    stops.push(() => hollow.stop());
    const scheduler = await startScheduler({ client: rest });
    stops.push(() => scheduler.stop());
    const controllers = await startControllers({ client: rest, only: ['replicaset', 'deployment'] });
    stops.push(() => controllers.stop());
    const client = new ResourceClient<Deployment>(rest, lookupResource('apps', 'v1', 'deployments')!);

    let t0 = performance.now();
    await client.create(deployment('app:v1'));
    await rolledOut(client, 600_000);
    const createSeconds = (performance.now() - t0) / 1000;

    t0 = performance.now();
    await client.patch('bench', { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:v2' }] } } } }, 'strategic', { namespace: 'default' });
    await rolledOut(client, 600_000);
    const updateSeconds = (performance.now() - t0) / 1000;
    return [
      { metric: `Deployment ${REPLICAS} replicas on ${NODES} hollow nodes: available`, unit: 's', skiff: createSeconds, lowerIsBetter: true },
      { metric: `rolling update of ${REPLICAS} replicas (25%/25%): complete`, unit: 's', skiff: updateSeconds, lowerIsBetter: true },
    ];
  } finally {
    for (const stop of stops.reverse()) await stop();
    rest?.close();
    await server.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'controllers',
  description: `1,000-replica Deployment on ${NODES} hollow nodes: time to available and to a complete rolling update`,
  run,
};
