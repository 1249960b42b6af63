// `kubectl autoscale` on hollow nodes: the HPA finds its target's scale, and while the metrics API has
// no metrics for its pods (hollow nodes report none) it reports ScalingActive=False with Kubernetes'
// reason and message and keeps the replicas.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestCluster, type TestCluster } from './cluster.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 2 });
});
after(async () => {
  await c?.stop();
});

interface Hpa {
  status: { currentReplicas?: number; desiredReplicas?: number; conditions?: Array<{ type: string; status: string; reason: string; message: string }> };
}

test('kubectl autoscale creates a sound HPA that waits for metrics', async () => {
  await c.k('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2');
  assert.match(await c.k('autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5'), /horizontalpodautoscaler.autoscaling\/web autoscaled/);
  const hpa = await eventually('HPA conditions', async () => {
    const h = JSON.parse(await c.k('get', 'hpa', 'web', '-o', 'json')) as Hpa;
    const active = h.status.conditions?.find((x) => x.type === 'ScalingActive');
    return active && h.status.currentReplicas === 2 && h;
  });
  const byType = Object.fromEntries((hpa.status.conditions ?? []).map((x) => [x.type, x]));
  assert.deepEqual([byType.AbleToScale.status, byType.AbleToScale.reason], ['True', 'SucceededGetScale']);
  assert.deepEqual([byType.ScalingActive.status, byType.ScalingActive.reason], ['False', 'FailedGetResourceMetric']);
  // The metrics API is served, but hollow nodes report no pod metrics.
  assert.equal(byType.ScalingActive.message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  assert.equal(hpa.status.desiredReplicas, 2);
  assert.match(await c.k('get', 'hpa', 'web'), /web\s+Deployment\/web\s+cpu: <unknown>\/50%\s+1\s+5\s+2\s+/);
  const deployment = JSON.parse(await c.k('get', 'deployment', 'web', '-o', 'json')) as { spec: { replicas: number } };
  assert.equal(deployment.spec.replicas, 2, 'no metrics: no scaling');
});

test('a target below minReplicas is scaled up to the minimum', async () => {
  await c.k('create', 'deployment', 'small', '--image=nginx:1.25', '--replicas=1');
  await c.k('autoscale', 'deployment', 'small', '--cpu-percent=50', '--min=3', '--max=5');
  await eventually('scaled to 3', async () => (JSON.parse(await c.k('get', 'deployment', 'small', '-o', 'json')) as { spec: { replicas: number } }).spec.replicas === 3);
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.name=small,reason=SuccessfulRescale', '-o', 'custom-columns=M:.message', '--no-headers');
  assert.match(events, /New size: 3; reason: Current number of replicas below Spec.MinReplicas/);
});
