// Endpoints, EndpointSlices and node pod CIDRs on hollow nodes, observed with the real kubectl 1.33:
// endpoints follow pod readiness, a selectorless Service keeps (and gets mirrored) its user Endpoints,
// deleting a Service removes its Endpoints, every node gets its own /24.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { refs, ResourceClient } from '../../../src/client/index.js';
import { eventually, startTestCluster, type TestCluster } from '../workloads/cluster.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 3 });
});
after(async () => {
  await c?.stop();
});

interface Endpoints {
  subsets?: Array<{ addresses?: Array<{ ip: string; targetRef?: { name: string } }>; notReadyAddresses?: Array<{ ip: string; targetRef?: { name: string } }>; ports?: Array<{ port: number }> }>;
}
interface Slice {
  metadata: { labels?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> };
  endpoints?: Array<{ addresses: string[]; conditions: { ready?: boolean }; targetRef?: { name: string } }>;
  ports?: Array<{ port: number; name?: string }>;
}

const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await c.k(...args, '-o', 'json')) as T;

test('endpoints and endpointslices follow pod readiness', async () => {
  await c.k('create', 'deployment', 'ep1', '--image=luksa/kubia', '--replicas=2', '--port=8080');
  assert.match(await c.k('expose', 'deployment', 'ep1', '--port=80', '--target-port=8080'), /service\/ep1 exposed/);
  const ready = await eventually('2 ready addresses', async () => {
    const ep = await json<Endpoints>('get', 'endpoints', 'ep1');
    const addrs = ep.subsets?.[0]?.addresses ?? [];
    return addrs.length === 2 && ep.subsets![0].ports?.[0].port === 8080 && addrs;
  });
  const slices = await eventually('a slice with 2 ready endpoints', async () => {
    const list = await json<{ items: Slice[] }>('get', 'endpointslices', '-l', 'kubernetes.io/service-name=ep1');
    return list.items.length === 1 && list.items[0].endpoints?.filter((e) => e.conditions.ready).length === 2 && list.items;
  });
  assert.equal(slices[0].metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual(slices[0].metadata.ownerReferences?.map((r) => [r.kind, r.name]), [['Service', 'ep1']]);
  assert.deepEqual(slices[0].ports?.map((p) => p.port), [8080]);
  assert.match(await c.k('get', 'endpoints', 'ep1'), new RegExp(`ep1\\s+${ready.map((a) => `${a.ip.replace(/\./g, '\\.')}:8080`).join(',')}`));

  // The pod stops being ready: it moves to notReadyAddresses and its slice endpoint is not ready.
  const pods = new ResourceClient(c.rest, refs.pods);
  const sick = ready[0].targetRef!.name;
  await pods.patch(sick, { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'merge', { namespace: 'default', subresource: 'status' });
  await eventually('the pod in notReadyAddresses', async () => {
    const ep = await json<Endpoints>('get', 'endpoints', 'ep1');
    return ep.subsets?.[0]?.notReadyAddresses?.[0]?.targetRef?.name === sick && ep.subsets[0].addresses?.length === 1;
  });
  await eventually('the slice endpoint not ready', async () => {
    const list = await json<{ items: Slice[] }>('get', 'endpointslices', '-l', 'kubernetes.io/service-name=ep1');
    return list.items[0]?.endpoints?.find((e) => e.targetRef?.name === sick)?.conditions.ready === false;
  });

  await c.k('delete', 'service', 'ep1');
  await eventually('endpoints gone with the service', async () => (await c.kTry('get', 'endpoints', 'ep1')).code !== 0);
  await eventually('slices gone with the service', async () => (await json<{ items: Slice[] }>('get', 'endpointslices', '-l', 'kubernetes.io/service-name=ep1')).items.length === 0);
});

test('a service without a selector keeps its user Endpoints, mirrored into a slice', async () => {
  await c.kIn(
    `apiVersion: v1
kind: Service
metadata: {name: external}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: external}
subsets:
- addresses: [{ip: 127.0.0.2}, {ip: 127.0.0.3}]
  ports: [{port: 80}]
`,
    'apply',
    '-f',
    '-',
  );
  const mirrored = await eventually('a mirrored slice', async () => {
    const list = await json<{ items: Slice[] }>('get', 'endpointslices', '-l', 'kubernetes.io/service-name=external');
    return list.items.length === 1 && list.items[0];
  });
  assert.equal(mirrored.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
  assert.deepEqual(mirrored.endpoints?.map((e) => e.addresses[0]), ['127.0.0.2', '127.0.0.3']);
  await new Promise((r) => setTimeout(r, 1000));
  const ep = await json<Endpoints>('get', 'endpoints', 'external');
  assert.deepEqual(ep.subsets?.[0].addresses?.map((a) => a.ip), ['127.0.0.2', '127.0.0.3'], 'the user Endpoints are untouched');
});

test('every node gets its own /24 pod CIDR from the cluster CIDR', async () => {
  const cidrs = await eventually('3 nodes with podCIDRs', async () => {
    const nodes = await json<{ items: Array<{ spec: { podCIDR?: string; podCIDRs?: string[] } }> }>('get', 'nodes');
    const list = nodes.items.map((n) => n.spec.podCIDR);
    return list.length === 3 && list.every(Boolean) && nodes.items.every((n) => n.spec.podCIDRs?.[0] === n.spec.podCIDR) && list;
  });
  for (const cidr of cidrs) assert.match(cidr!, /^10\.42\.\d+\.0\/24$/);
  assert.equal(new Set(cidrs).size, 3);
});
